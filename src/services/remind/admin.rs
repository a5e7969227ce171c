//! What admins see of the outbox, and each person's choice about digests.

use crate::db::{self, DbPool};
use crate::domain::access::Viewer;
use crate::domain::marks;
use crate::domain::task::StaffId;
use crate::error::ErrorCode;
use crate::services::{AppError, AppResult};
use serde::Serialize;

/// A message in the outbox, as admins see it (webhook URLs never appear).
#[derive(Debug, Clone, Serialize)]
pub struct OutboxView {
    pub id: i64,
    /// `due_soon`, `overdue`, `repeat`, `escalation`, `digest` or `lead_digest`.
    pub kind: String,
    pub level: i32,
    /// `email` or `webhook`.
    pub channel: String,
    /// The email address, or the webhook's id.
    pub to: String,
    /// A task reminder's is empty until it is sent: they are worded when they go.
    pub subject: String,
    /// The task, when it is about one.
    pub task_id: Option<i64>,
    /// Every task whose reminder it carries (a person's reminders and escalations of
    /// one pass travel in one message); empty for digests.
    pub tasks: Vec<i64>,
    /// `queued`, `sending`, `sent`, `failed` or `cancelled`.
    pub status: String,
    pub attempts: i32,
    /// The server's answer to the last failed attempt, or why it was cancelled.
    pub last_error: Option<String>,
    pub created_at: String,
    pub next_attempt_at: String,
    pub sent_at: Option<String>,
}

/// The outbox page's data: the newest messages and the count in each status.
#[derive(Debug, Clone, Serialize)]
pub struct Outbox {
    /// How many messages are in each status.
    pub counts: std::collections::BTreeMap<String, i64>,
    pub messages: Vec<OutboxView>,
}

/// The statuses a filter may name.
pub const STATUSES: [&str; 5] = ["queued", "sending", "sent", "failed", "cancelled"];

/// The newest `limit` messages (optionally of one status); admins only.
pub fn outbox(pool: &DbPool, viewer: &Viewer, status: Option<&str>, limit: i64) -> AppResult<Outbox> {
    if !viewer.admin {
        return Err(AppError::new(ErrorCode::OutboxForbidden));
    }
    if let Some(s) = status.filter(|s| !STATUSES.contains(s)) {
        return Err(AppError::invalid("status", ErrorCode::InvalidChoice)
            .arg("value", s)
            .arg("allowed", STATUSES.join(", ")));
    }
    if !(1..=1000).contains(&limit) {
        return Err(AppError::invalid("limit", ErrorCode::OutOfRange).arg("min", 1).arg("max", 1000));
    }
    let mut conn = pool.get()?;
    let conn = &mut conn.any();
    let t = |d: chrono::NaiveDateTime| d.and_utc().to_rfc3339();
    let messages = db::outbox::list(conn, status, limit)?
        .into_iter()
        .map(|r| OutboxView {
            id: r.id,
            kind: r.kind,
            level: r.level,
            channel: r.channel,
            to: r.address,
            subject: r.subject,
            task_id: r.task_id,
            tasks: marks::decode(&r.items).unwrap_or_default().iter().map(|i| i.task_id).collect(),
            status: r.status,
            attempts: r.attempts,
            last_error: r.last_error,
            created_at: t(r.created_at),
            next_attempt_at: t(r.next_attempt_at),
            sent_at: r.sent_at.map(t),
        })
        .collect();
    let counts = db::outbox::counts(conn)?.into_iter().collect();
    Ok(Outbox { counts, messages })
}

/// Whether `staff` receives the morning digests.
pub fn wants_digest(pool: &DbPool, staff: StaffId) -> AppResult<bool> {
    let row = db::staff::by_id(&mut pool.get()?.any(), staff)?
        .ok_or_else(|| AppError::new(ErrorCode::StaffNotFound).arg("id", staff))?;
    Ok(!row.digest_opt_out)
}

/// Turns `staff`'s morning digests (their own and a lead's) on or off. Escalations
/// cannot be turned off.
pub fn set_digest(pool: &DbPool, staff: StaffId, wanted: bool) -> AppResult<()> {
    db::staff::set_digest_opt_out(&mut pool.get()?.any(), staff, !wanted)?;
    Ok(())
}
