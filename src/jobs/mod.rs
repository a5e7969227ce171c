//! Scheduled work. Each job is a `run_once(state, now)` that tests call directly; the
//! scheduler only decides when. A failing run is logged and the next tick comes anyway.

use crate::services::generate::{self, GenerateReport};
use crate::services::remind;
use crate::services::AppResult;
use crate::services::AppState;
use chrono::{DateTime, Utc};
use std::sync::Arc;
use tokio::sync::Semaphore;
use tokio_cron_scheduler::{Job, JobScheduler, JobSchedulerError};

/// One generation pass over the rolling horizon.
#[tracing::instrument(name = "generate", skip(state))]
pub fn run_once(state: &AppState, now: DateTime<Utc>) -> AppResult<GenerateReport> {
    generate::run(&state.pool, now, None, state.settings.horizon_days, generate::Scope::Incremental)
}

/// Logs a run's outcome; errors do not stop the scheduler.
pub fn log_run(result: &AppResult<GenerateReport>) {
    crate::metrics::generation(result.as_ref().ok().map(|r| r.created));
    match result {
        Ok(r) => tracing::info!(created = r.created, existing = r.existing, missed = r.missed, "generation run"),
        Err(e) => tracing::error!(error = %e.detail(), "generation run failed; the next tick will try again"),
    }
}

/// One reminder pass: decide what is owed, then send what is due.
#[tracing::instrument(name = "remind", skip(state))]
pub async fn remind_once(state: &AppState, now: DateTime<Utc>) -> AppResult<remind::PassReport> {
    let r = remind::pass(&state.pool, &state.mailer, &state.settings.base_url, now).await;
    if let Ok(r) = &r {
        crate::metrics::reminders(r.queued, r.sent.sent, r.sent.failed, r.sent.retried, r.sent.cancelled);
    }
    r
}

/// The running scheduler and its two jobs, so that callers can ask when each runs next.
pub struct Scheduled {
    pub scheduler: JobScheduler,
    pub generate: uuid::Uuid,
    pub remind: uuid::Uuid,
    /// A permit held by each pass while it runs, so that shutting down can wait for them.
    running: Arc<Semaphore>,
}

/// More than the passes that can ever run at once.
const PASSES: u32 = 64;

impl Scheduled {
    /// When generation runs next (UTC).
    pub async fn next_generation(&mut self) -> Result<Option<DateTime<Utc>>, JobSchedulerError> {
        self.scheduler.next_tick_for_job(self.generate).await
    }

    /// Stops the ticks, then waits up to `grace` for a pass already running to end;
    /// false when one was still running at the end of it.
    pub async fn finish(mut self, grace: std::time::Duration) -> bool {
        if let Err(e) = self.scheduler.shutdown().await {
            tracing::warn!(error = %e, "stopping the scheduler");
        }
        tokio::time::timeout(grace, self.running.acquire_many(PASSES)).await.is_ok_and(|p| p.is_ok())
    }

    /// When the next reminder pass runs (UTC).
    pub async fn next_reminders(&mut self) -> Result<Option<DateTime<Utc>>, JobSchedulerError> {
        self.scheduler.next_tick_for_job(self.remind).await
    }
}

/// Starts the scheduler: generation on `generate_cron`, reminders on `remind_cron` (UTC).
pub async fn start(state: Arc<AppState>) -> Result<Scheduled, JobSchedulerError> {
    let sched = JobScheduler::new().await?;
    let running = Arc::new(Semaphore::new(PASSES as usize));
    let reminders = state.clone();
    let gate = running.clone();
    let remind = sched
        .add(Job::new_async(state.settings.remind_cron.as_str(), move |_, _| {
            let state = reminders.clone();
            let gate = gate.clone();
            Box::pin(async move {
                let Ok(_running) = gate.acquire().await else { return };
                match remind_once(&state, state.clock.now()).await {
                    Ok(r) if r == remind::PassReport::default() => {}
                    Ok(r) => tracing::info!(%r, "reminder pass"),
                    Err(e) => {
                        tracing::error!(error = %e.detail(), "reminder pass failed; the next tick will try again")
                    }
                }
            })
        })?)
        .await?;
    let cron = state.settings.generate_cron.clone();
    let gate = running.clone();
    let generate = sched
        .add(Job::new_async(cron.as_str(), move |_, _| {
            let state = state.clone();
            let gate = gate.clone();
            Box::pin(async move {
                let Ok(_running) = gate.acquire().await else { return };
                let result = tokio::task::spawn_blocking(move || {
                    let now = state.clock.now();
                    let run = run_once(&state, now);
                    // With the daily pass: in November, admins hear of a missing calendar.
                    match crate::services::calendar::remind_next_year(&state.pool, &state.settings.base_url, now) {
                        Ok(0) => {}
                        Ok(n) => tracing::warn!(mails = n, "next year's work calendar is missing; admins told"),
                        Err(e) => tracing::error!(error = %e.detail(), "calendar check failed"),
                    }
                    run
                })
                .await;
                match result {
                    Ok(r) => log_run(&r),
                    Err(e) => tracing::error!(error = %e, "generation task panicked"),
                }
            })
        })?)
        .await?;
    sched.start().await?;
    Ok(Scheduled { scheduler: sched, generate, remind, running })
}
