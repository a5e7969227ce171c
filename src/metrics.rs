//! What an operator watches without SQL, in Prometheus' text format at `/metrics`:
//! requests and their latency by route (actix-web-prom), generation runs and the
//! tasks they made, reminders decided and what became of them, waits for a database
//! connection, and, read when scraped, the outbox's depth by status and the age of
//! its oldest queued message, the pool's connections and the SQL statements it has run.

use prometheus::{Histogram, HistogramOpts, IntCounter, IntCounterVec, Opts, Registry};
use std::sync::OnceLock;

/// The process's own counters (one set per process, whatever number of servers a
/// test starts in it).
pub struct Metrics {
    pub registry: Registry,
    pub generation_runs: IntCounterVec,
    pub tasks_created: IntCounter,
    pub reminders: IntCounterVec,
    pub pool_wait: Histogram,
}

fn build() -> Result<Metrics, prometheus::Error> {
    let registry = Registry::new_custom(Some("dutyday".into()), None)?;
    let generation_runs = IntCounterVec::new(
        Opts::new("generation_runs_total", "Generation runs, by outcome (ok, failed)"),
        &["outcome"],
    )?;
    let tasks_created = IntCounter::new("tasks_created_total", "Tasks created by generation runs")?;
    let reminders = IntCounterVec::new(
        Opts::new("reminders_total", "Reminders by what became of them (queued, sent, failed, retrying, cancelled)"),
        &["outcome"],
    )?;
    let pool_wait = Histogram::with_opts(
        HistogramOpts::new("db_pool_wait_seconds", "Time spent waiting for a database connection")
            .buckets(vec![0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0]),
    )?;
    registry.register(Box::new(generation_runs.clone()))?;
    registry.register(Box::new(tasks_created.clone()))?;
    registry.register(Box::new(reminders.clone()))?;
    registry.register(Box::new(pool_wait.clone()))?;
    Ok(Metrics { registry, generation_runs, tasks_created, reminders, pool_wait })
}

/// The process's metrics, made on first use. `None` only if they could not be
/// registered, which would be a bug; nothing else depends on them.
pub fn get() -> Option<&'static Metrics> {
    static METRICS: OnceLock<Option<Metrics>> = OnceLock::new();
    METRICS
        .get_or_init(|| build().map_err(|e| tracing::error!(error = %e, "metrics could not be registered")).ok())
        .as_ref()
}

/// Counts a generation run.
pub fn generation(created: Option<usize>) {
    if let Some(m) = get() {
        m.generation_runs.with_label_values(&[if created.is_some() { "ok" } else { "failed" }]).inc();
        m.tasks_created.inc_by(created.unwrap_or(0) as u64);
    }
}

/// Counts what a reminder pass did.
pub fn reminders(queued: usize, sent: usize, failed: usize, retrying: usize, cancelled: usize) {
    if let Some(m) = get() {
        for (outcome, n) in
            [("queued", queued), ("sent", sent), ("failed", failed), ("retrying", retrying), ("cancelled", cancelled)]
        {
            m.reminders.with_label_values(&[outcome]).inc_by(n as u64);
        }
    }
}

/// Notes how long getting a database connection took.
pub fn pool_waited(seconds: f64) {
    if let Some(m) = get() {
        m.pool_wait.observe(seconds);
    }
}
