//! What admins see of the outbox, and each person's choice about digests.

use crate::db::outbox::OutboxRow;
use crate::db::{self, DbPool};
use crate::domain::access::Viewer;
use crate::domain::marks;
use crate::domain::task::StaffId;
use crate::error::ErrorCode;
use crate::services::context::company_zone;
use crate::services::{AppError, AppResult};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
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
    let tz = company_zone(conn)?;
    let messages = db::outbox::list(conn, status, limit)?.into_iter().map(|r| view(r, tz)).collect();
    let counts = db::outbox::counts(conn)?.into_iter().collect();
    Ok(Outbox { counts, messages })
}

/// A message as admins see it, its times in the company's zone.
fn view(r: OutboxRow, tz: Tz) -> OutboxView {
    let t = |d: chrono::NaiveDateTime| d.and_utc().with_timezone(&tz).to_rfc3339();
    OutboxView {
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
    }
}

/// One message opened: what it says, when that is kept and may be shown.
#[derive(Debug, Clone)]
pub struct Message {
    pub view: OutboxView,
    /// The text as sent (or as it will be); `None` with [`Message::withheld`] saying why.
    pub body: Option<String>,
    /// Why the text is not shown: `worded_when_sent` (a task reminder is worded when
    /// it goes), `one_time_link` (an account mail carries a sign-in link), `not_kept`.
    pub withheld: Option<&'static str>,
}

/// Mails whose text carries a one-time link to someone's account: never shown.
const ACCOUNT_KINDS: [&str; 2] = ["invitation", "password_reset"];

/// Message `id` with its text; admins only.
pub fn message(pool: &DbPool, viewer: &Viewer, id: i64) -> AppResult<Message> {
    if !viewer.admin {
        return Err(AppError::new(ErrorCode::OutboxForbidden));
    }
    let mut conn = pool.get()?;
    let conn = &mut conn.any();
    let tz = company_zone(conn)?;
    let row = db::outbox::get(conn, id)?.ok_or_else(|| AppError::new(ErrorCode::MessageNotFound).arg("id", id))?;
    let text = match (&row.body_json, row.body_text.trim()) {
        (Some(json), _) if row.channel == "webhook" => json.clone(),
        (_, text) => text.to_string(),
    };
    let (body, withheld) = if ACCOUNT_KINDS.contains(&row.kind.as_str()) {
        (None, Some("one_time_link"))
    } else if !text.is_empty() {
        (Some(text), None)
    } else if row.sent_at.is_none() {
        (None, Some("worded_when_sent"))
    } else {
        (None, Some("not_kept"))
    };
    Ok(Message { view: view(row, tz), body, withheld })
}

/// Sends a failed message again: queued now, its attempts counted afresh. Audited.
pub fn retry(pool: &DbPool, viewer: &Viewer, id: i64, now: DateTime<Utc>) -> AppResult<()> {
    if !viewer.admin {
        return Err(AppError::new(ErrorCode::OutboxForbidden));
    }
    let mut conn = pool.get()?;
    conn.transaction(|conn| {
        let row = db::outbox::get(conn, id)?.ok_or_else(|| AppError::new(ErrorCode::MessageNotFound).arg("id", id))?;
        if db::outbox::retry(conn, id, now.naive_utc())? == 0 {
            return Err(AppError::new(ErrorCode::MessageNotFailed));
        }
        let before = serde_json::json!({"status": row.status, "attempts": row.attempts, "last_error": row.last_error});
        let after = serde_json::json!({"status": "queued", "attempts": 0});
        let subject = format!("outbox:{id}");
        crate::services::audit::record(conn, viewer.into(), "outbox.retry", &subject, Some(before), Some(after), now)
    })
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

/// The secret that signs unsubscribe links, made once for every instance.
pub fn unsubscribe_key(conn: &mut crate::db::AnyConn) -> AppResult<String> {
    use rand::distr::{Alphanumeric, SampleString};
    let fresh = Alphanumeric.sample_string(&mut rand::rng(), 48);
    Ok(db::accounts::shared_secret(conn, "unsubscribe_key", &fresh, chrono::Utc::now().naive_utc())?)
}

/// The HMAC of `staff`'s unsubscribe token (HMAC takes a key of any length).
fn signature(key: &str, staff: i64) -> Option<hmac::Hmac<sha2::Sha256>> {
    use hmac::Mac;
    let mut mac = <hmac::Hmac<sha2::Sha256> as Mac>::new_from_slice(key.as_bytes()).ok()?;
    mac.update(format!("digest-off:{staff}").as_bytes());
    Some(mac)
}

/// The token of a digest's unsubscribe link for `staff`: their id and an HMAC of it,
/// so the link works without signing in and for nobody else.
pub fn unsubscribe_token(key: &str, staff: i64) -> String {
    use hmac::Mac;
    let tag: String = signature(key, staff)
        .map(|m| m.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect())
        .unwrap_or_default();
    format!("{staff}.{tag}")
}

/// Turns off the morning digests of the person an unsubscribe token names; an
/// unknown or forged token is `link_invalid`.
pub fn unsubscribe(pool: &DbPool, token: &str) -> AppResult<StaffId> {
    use hmac::Mac;
    let invalid = || AppError::new(ErrorCode::LinkInvalid);
    let (id, tag) = token.split_once('.').ok_or_else(invalid)?;
    let id: i64 = id.parse().map_err(|_| invalid())?;
    let tag: Vec<u8> = (0..tag.len())
        .step_by(2)
        .map(|i| tag.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
        .collect::<Option<_>>()
        .ok_or_else(invalid)?;
    let mut conn = pool.get()?;
    let key = unsubscribe_key(&mut conn.any())?;
    signature(&key, id).ok_or_else(invalid)?.verify_slice(&tag).map_err(|_| invalid())?;
    let staff = StaffId(id);
    db::staff::by_id(&mut conn.any(), staff)?.ok_or_else(invalid)?;
    db::staff::set_digest_opt_out(&mut conn.any(), staff, true)?;
    Ok(staff)
}
