//! The outbox: every reminder, digest and webhook message, from decided to sent.
//!
//! Rows are claimed for sending with a lease: on PostgreSQL with `FOR UPDATE SKIP
//! LOCKED`, so instances sending at once never take the same row; on SQLite inside
//! the IMMEDIATE transaction that already makes writers take turns. A row whose
//! lease ran out (its sender died) is claimed again.

use super::schema::{outbox, tasks};
use super::{AnyConn, INSERT_CHUNK};
use crate::domain::task::TaskStatus;
use crate::with_conn;
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// A message to queue. `dedupe_key` is unique per message; a task reminder's message
/// lists the reminders it carries in `items` (see `domain::marks`).
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = outbox, treat_none_as_default_value = false)]
pub struct NewOutbox {
    pub dedupe_key: String,
    pub kind: String,
    pub level: i32,
    pub task_id: Option<i64>,
    pub task_assignee_id: Option<i64>,
    pub recipient_id: Option<i64>,
    /// `email` or `webhook`.
    pub channel: String,
    /// The email address, or the webhook's id (its URL stays in the catalogue).
    pub address: String,
    pub lang: String,
    pub subject: String,
    pub body_text: String,
    /// The mail's HTML part (empty for webhooks).
    pub body_html: String,
    pub status: String,
    pub next_attempt_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
    /// The reminders it carries, `task:assignee:kind:level` comma-separated; empty for digests.
    pub items: String,
    /// A webhook's JSON body (none for mail).
    pub body_json: Option<String>,
}

/// A stored message.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = outbox)]
pub struct OutboxRow {
    pub id: i64,
    pub dedupe_key: String,
    pub kind: String,
    pub level: i32,
    pub task_id: Option<i64>,
    pub task_assignee_id: Option<i64>,
    pub recipient_id: Option<i64>,
    pub channel: String,
    pub address: String,
    pub lang: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub claimed_until: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
    pub items: String,
    pub body_json: Option<String>,
}

/// Queues these messages; returns how many were. Keys are unique by construction
/// (the decide pass holds the deciders' lock), so a clash is an error that rolls the
/// pass back rather than a message silently dropped with its marks kept.
///
/// On PostgreSQL the rows go with `COPY … FROM STDIN` in the binary format: a sweep
/// after downtime queues thousands of messages, digests with their whole text.
pub fn insert(conn: &mut AnyConn, rows: &[NewOutbox]) -> QueryResult<usize> {
    if rows.is_empty() {
        return Ok(0);
    }
    match conn {
        AnyConn::Postgres(c) => diesel::copy_from(outbox::table).from_insertable(rows).execute(*c),
        AnyConn::Sqlite(c) => {
            let mut n = 0;
            for chunk in rows.chunks(INSERT_CHUNK / 2) {
                n += diesel::insert_into(outbox::table).values(chunk).execute(*c)?;
            }
            Ok(n)
        }
    }
}

/// The keys of messages of `kinds` queued since `since`.
pub fn keys_since(conn: &mut AnyConn, kinds: &[&str], since: NaiveDateTime) -> QueryResult<Vec<String>> {
    with_conn!(conn, c => outbox::table
        .filter(outbox::kind.eq_any(kinds))
        .filter(outbox::created_at.ge(since))
        .select(outbox::dedupe_key)
        .load(c))
}

/// Claims up to `limit` messages that are due (or whose sender's lease ran out) until
/// `lease_until`, only of `kinds` when given. Call inside a transaction.
pub fn claim(
    conn: &mut AnyConn,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
    limit: i64,
    kinds: Option<&[&str]>,
) -> QueryResult<Vec<OutboxRow>> {
    let due = || {
        outbox::status
            .eq("queued")
            .and(outbox::next_attempt_at.le(now))
            .or(outbox::status.eq("sending").and(outbox::claimed_until.lt(now)))
    };
    let ids: Vec<i64> = match conn {
        // A locking clause cannot go on a boxed query: two spellings.
        AnyConn::Postgres(c) => match kinds {
            Some(k) => outbox::table
                .filter(due())
                .filter(outbox::kind.eq_any(k))
                .order(outbox::id)
                .limit(limit)
                .select(outbox::id)
                .for_update()
                .skip_locked()
                .load(*c)?,
            None => outbox::table
                .filter(due())
                .order(outbox::id)
                .limit(limit)
                .select(outbox::id)
                .for_update()
                .skip_locked()
                .load(*c)?,
        },
        AnyConn::Sqlite(c) => {
            let mut q = outbox::table.filter(due()).order(outbox::id).limit(limit).select(outbox::id).into_boxed();
            if let Some(k) = kinds {
                q = q.filter(outbox::kind.eq_any(k));
            }
            q.load(*c)?
        }
    };
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    with_conn!(conn, c => {
        diesel::update(outbox::table.filter(outbox::id.eq_any(&ids)))
            .set((
                outbox::status.eq("sending"),
                outbox::claimed_until.eq(lease_until),
                outbox::attempts.eq(outbox::attempts + 1),
            ))
            .execute(c)?;
        outbox::table.filter(outbox::id.eq_any(&ids)).order(outbox::id).select(OutboxRow::as_select()).load(c)
    })
}

/// The status and assignee of each of these tasks.
pub fn task_states(conn: &mut AnyConn, ids: &[i64]) -> QueryResult<Vec<(i64, TaskStatus, Option<i64>)>> {
    let mut out = Vec::with_capacity(ids.len());
    // A lead's escalations after downtime may carry thousands of tasks: in chunks,
    // within the bind-parameter limits of both backends.
    for chunk in ids.chunks(INSERT_CHUNK) {
        out.extend(with_conn!(conn, c => tasks::table
            .filter(tasks::id.eq_any(chunk))
            .select((tasks::id, tasks::status, tasks::assignee_id))
            .load::<(i64, TaskStatus, Option<i64>)>(c))?);
    }
    Ok(out)
}

/// How a send ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Sent,
    /// Try again at the given time.
    Retry(NaiveDateTime, String),
    Failed(String),
    /// Not sent: the task was finished or moved meanwhile.
    Cancelled(String),
}

/// Records how sending a claimed message ended.
pub fn finish(conn: &mut AnyConn, id: i64, outcome: &Outcome, now: NaiveDateTime) -> QueryResult<usize> {
    let row = outbox::table.find(id);
    with_conn!(conn, c => match outcome {
        Outcome::Sent => diesel::update(row)
            .set((outbox::status.eq("sent"), outbox::sent_at.eq(now), outbox::claimed_until.eq(None::<NaiveDateTime>)))
            .execute(c),
        Outcome::Retry(at, e) => diesel::update(row)
            .set((
                outbox::status.eq("queued"),
                outbox::next_attempt_at.eq(at),
                outbox::last_error.eq(e),
                outbox::claimed_until.eq(None::<NaiveDateTime>),
            ))
            .execute(c),
        Outcome::Failed(e) | Outcome::Cancelled(e) => diesel::update(row)
            .set((
                outbox::status.eq(if matches!(outcome, Outcome::Failed(_)) { "failed" } else { "cancelled" }),
                outbox::last_error.eq(e),
                outbox::claimed_until.eq(None::<NaiveDateTime>),
            ))
            .execute(c),
    })
}

/// Forgets a sent message's body (an account mail's one-time link).
pub fn forget_body(conn: &mut AnyConn, id: i64) -> QueryResult<usize> {
    with_conn!(conn, c => diesel::update(outbox::table.find(id))
        .set((outbox::body_text.eq(""), outbox::body_html.eq("")))
        .execute(c))
}

/// Keeps the subject a message was rendered with (task reminders are rendered when sent).
pub fn set_subject(conn: &mut AnyConn, id: i64, subject: &str) -> QueryResult<usize> {
    with_conn!(conn, c => diesel::update(outbox::table.find(id)).set(outbox::subject.eq(subject)).execute(c))
}

/// Keeps only the reminders a claimed message still carries (the others' tasks were
/// finished or moved meanwhile), and its task when that leaves one.
pub fn set_items(conn: &mut AnyConn, id: i64, items: &str, task: Option<(i64, Option<i64>)>) -> QueryResult<usize> {
    with_conn!(conn, c => diesel::update(outbox::table.find(id))
        .set((
            outbox::items.eq(items),
            outbox::task_id.eq(task.map(|t| t.0)),
            outbox::task_assignee_id.eq(task.and_then(|t| t.1)),
        ))
        .execute(c))
}

/// The newest messages, optionally of one status.
pub fn list(conn: &mut AnyConn, status: Option<&str>, limit: i64) -> QueryResult<Vec<OutboxRow>> {
    with_conn!(conn, c => {
        let mut q = outbox::table.order(outbox::id.desc()).limit(limit).select(OutboxRow::as_select()).into_boxed();
        if let Some(s) = status {
            q = q.filter(outbox::status.eq(s.to_string()));
        }
        q.load(c)
    })
}

/// One message.
pub fn get(conn: &mut AnyConn, id: i64) -> QueryResult<Option<OutboxRow>> {
    with_conn!(conn, c => outbox::table.find(id).select(OutboxRow::as_select()).first(c).optional())
}

/// Queues a failed message again, due now, with its attempts counted afresh; 0 when
/// it is not (or no longer) failed.
pub fn retry(conn: &mut AnyConn, id: i64, now: NaiveDateTime) -> QueryResult<usize> {
    with_conn!(conn, c => diesel::update(outbox::table.find(id).filter(outbox::status.eq("failed")))
        .set((outbox::status.eq("queued"), outbox::attempts.eq(0), outbox::next_attempt_at.eq(now)))
        .execute(c))
}

/// How many messages are in each status.
pub fn counts(conn: &mut AnyConn) -> QueryResult<Vec<(String, i64)>> {
    with_conn!(conn, c => outbox::table
        .group_by(outbox::status)
        .select((outbox::status, diesel::dsl::count_star()))
        .load(c))
}

/// When the oldest message still waiting to go was queued.
pub fn oldest_queued(conn: &mut AnyConn) -> QueryResult<Option<NaiveDateTime>> {
    with_conn!(conn, c => outbox::table
        .filter(outbox::status.eq_any(["queued", "sending"]))
        .select(diesel::dsl::min(outbox::created_at))
        .first(c))
}

/// A task reminder message sent by mail: (kind, level, recipient, sent at, items).
pub type SentMessage = (String, i32, Option<i64>, Option<NaiveDateTime>, String);

/// The task reminder messages mailed, created since `from`, oldest first.
pub fn sent_since(conn: &mut AnyConn, from: NaiveDateTime) -> QueryResult<Vec<SentMessage>> {
    with_conn!(conn, c => outbox::table
        .filter(outbox::created_at.ge(from))
        .filter(outbox::status.eq("sent"))
        .filter(outbox::channel.eq("email"))
        .filter(outbox::items.ne(""))
        .order(outbox::id)
        .select((outbox::kind, outbox::level, outbox::recipient_id, outbox::sent_at, outbox::items))
        .load(c))
}
