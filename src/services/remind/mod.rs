//! Reminders, escalations and digests: decided into the outbox, then delivered.
//!
//! Deciding and sending are separate passes. Deciding marks each owed step of each
//! task and writes the messages carrying them to the outbox in one transaction (a
//! message per recipient and kind of step, listing its reminders), so no pass and no
//! instance can queue a (task, kind, level, recipient) twice. Sending claims messages,
//! drops the reminders whose task is no longer open or no longer the recipient's, and
//! delivers the rest; nothing is lost across restarts because nothing lives elsewhere.

pub mod admin;
pub mod decide;
mod digests;
mod group;
pub mod messages;
pub mod render;
pub mod send;

pub use crate::notify::Mailer;
pub use decide::decide;
pub use send::{deliver, SendReport};

use crate::db::DbPool;
use crate::services::AppResult;
use chrono::{DateTime, Utc};

/// One decide-and-send pass, as the job and `dutyday remind` run it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PassReport {
    pub queued: usize,
    pub sent: SendReport,
}

impl std::fmt::Display for PassReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "queued={} sent={} failed={} retrying={} cancelled={} messages={}",
            self.queued, self.sent.sent, self.sent.failed, self.sent.retried, self.sent.cancelled, self.sent.messages
        )
    }
}

/// Decides what is owed at `now`, then delivers everything due. In quiet hours and on
/// non-working days nothing is decided and no reminder is sent, retries included: they
/// wait for the next working morning. Account mails (invitations, password resets)
/// go at any hour.
#[tracing::instrument(level = "debug", skip(pool, mailer, base_url))]
pub async fn pass(pool: &DbPool, mailer: &Mailer, base_url: &str, now: DateTime<Utc>) -> AppResult<PassReport> {
    let (p, base) = (pool.clone(), base_url.to_string());
    let (queued, open) = tokio::task::spawn_blocking(move || -> AppResult<(usize, bool)> {
        Ok((decide(&p, &base, now)?, decide::sending_window_open(&p, now)?))
    })
    .await
    .map_err(|e| crate::services::AppError::corrupt(format!("reminder task: {e}")))??;
    // Outside the window only account mails go: a reset link works for an hour.
    let only = if open { None } else { Some(&crate::services::links::MAIL_KINDS[..]) };
    let sent = send::deliver_only(pool, mailer, now, only).await?;
    Ok(PassReport { queued, sent })
}
