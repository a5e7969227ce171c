//! The sender: claims due outbox rows and delivers them, by SMTP (lettre's async
//! transport with a connection pool), as `.eml` files when no server is set, or to
//! a department's webhook. Transient failures come back later with exponential
//! backoff; permanent ones (SMTP 5xx, HTTP 4xx) are marked failed with the answer.

use super::group::{group, Unit};
use super::render::Lookup;
use crate::db::outbox::{OutboxRow, Outcome};
use crate::db::tasks::BriefTask;
use crate::db::{self, DbPool};
use crate::domain::marks::{self, Item};
use crate::domain::task::TaskStatus;
use crate::domain::webhook::{self, Answer, WebhookSpec};
use crate::notify::{Mailer, SmtpPool, Transport};
use crate::services::AppResult;
use chrono::{DateTime, Duration, Utc};
use futures_util::StreamExt as _;
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::{AsyncTransport, Message};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::PathBuf;

/// Sending attempts before a message is given up.
pub const MAX_ATTEMPTS: i32 = 20;
/// How long a claimed message is reserved for its sender.
const LEASE: Duration = Duration::minutes(5);
/// Rounds of sends a claim covers: with the SMTP timeout of 15 s a batch is sent well
/// inside its lease, so no other sender takes it over while it is still going.
const ROUNDS_PER_CLAIM: usize = 4;

/// What one send pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SendReport {
    /// Reminders (and digests) delivered.
    pub sent: usize,
    /// Messages that carried them (a person's reminders travel together).
    pub messages: usize,
    pub failed: usize,
    pub retried: usize,
    pub cancelled: usize,
}

/// The wait before attempt `n + 1`: a minute, doubling, at most an hour.
pub fn backoff(attempts: i32) -> Duration {
    Duration::minutes(1i64 << attempts.clamp(1, 7).saturating_sub(1)).min(Duration::hours(1))
}

struct Batch {
    /// The claimed messages and the reminders each still carries.
    rows: Vec<(OutboxRow, Vec<Item>)>,
    names: (String, String),
    hooks: HashMap<String, WebhookSpec>,
    /// Reminders not sent: their task was finished or moved meanwhile.
    cancelled: usize,
    /// Rows that could not be read, with why.
    broken: Vec<(i64, Outcome)>,
    lookup: Lookup,
    tasks: HashMap<i64, BriefTask>,
    /// Signs the digests' unsubscribe links.
    unsubscribe_key: String,
}

/// Why a reminder is no longer to be sent, if it is not.
fn stale(item: &Item, states: &HashMap<i64, (TaskStatus, Option<i64>)>) -> Option<String> {
    match states.get(&item.task_id) {
        Some((s, _)) if *s != TaskStatus::Open => Some(format!("task is {s}")),
        Some((_, a)) if *a != item.assignee_id => Some("task was reassigned".to_string()),
        None => Some("task no longer exists".to_string()),
        _ => None,
    }
}

/// Claims a batch and, in the same transaction, drops the reminders whose task was
/// finished or reassigned since they were decided: a message left with none is
/// cancelled (with why), one left with some keeps only those. Loads what rendering
/// the rest needs, their tasks as they are now.
fn claim(
    pool: &DbPool,
    base: &str,
    (now, lease_until): (DateTime<Utc>, DateTime<Utc>),
    size: i64,
    kinds: Option<&[&str]>,
) -> AppResult<Batch> {
    let mut conn = pool.get()?;
    conn.transaction(|conn| {
        let company = db::org::company(conn)?;
        let names = company.as_ref().map(|c| (c.name.clone(), c.name_en.clone())).unwrap_or_default();
        let hooks: Vec<WebhookSpec> =
            company.as_ref().and_then(|c| serde_json::from_str(&c.webhooks).ok()).unwrap_or_default();
        let rows = db::outbox::claim(conn, now.naive_utc(), lease_until.naive_utc(), size, kinds)?;
        let (mut read, mut broken) = (Vec::new(), Vec::new());
        for r in rows {
            match marks::decode(&r.items) {
                Ok(items) => read.push((r, items)),
                Err(e) => broken.push((r.id, Outcome::Failed(e))),
            }
        }
        let ids: Vec<i64> = read.iter().flat_map(|(_, items)| items.iter().map(|i| i.task_id)).collect();
        let states: HashMap<i64, (TaskStatus, Option<i64>)> =
            db::outbox::task_states(conn, &ids)?.into_iter().map(|(id, s, a)| (id, (s, a))).collect();
        let (mut keep, mut cancelled) = (Vec::new(), 0);
        for (r, items) in read {
            let (mut kept, mut why) = (Vec::new(), Vec::<String>::new());
            for item in &items {
                match stale(item, &states) {
                    Some(w) if !why.contains(&w) => why.push(w),
                    Some(_) => {}
                    None => kept.push(*item),
                }
            }
            cancelled += items.len() - kept.len();
            if !items.is_empty() && kept.is_empty() {
                db::outbox::finish(conn, r.id, &Outcome::Cancelled(why.join("; ")), now.naive_utc())?;
            } else {
                if kept.len() < items.len() {
                    let only = (kept.len() == 1).then(|| (kept[0].task_id, kept[0].assignee_id));
                    db::outbox::set_items(conn, r.id, &marks::encode(&kept), only)?;
                }
                keep.push((r, kept));
            }
        }
        let hooks: HashMap<String, WebhookSpec> = hooks.into_iter().map(|h| (h.id.clone(), h)).collect();
        let ids: Vec<i64> = keep.iter().flat_map(|(_, items)| items.iter().map(|i| i.task_id)).collect();
        let people: Vec<i64> = keep.iter().filter_map(|(r, _)| r.recipient_id).collect();
        let (lookup, tasks) = Lookup::load(conn, base, &ids, &people, now)?;
        let unsubscribe_key = super::admin::unsubscribe_key(conn)?;
        Ok(Batch { rows: keep, names, hooks, cancelled, broken, lookup, tasks, unsubscribe_key })
    })
}

/// A unit's message as one row to send: a digest as stored, task reminders rendered
/// now (so "how late" is true when it goes). `Err` is why it cannot be.
fn prepare(batch: &Batch, unit: &Unit, now: DateTime<Utc>) -> Result<OutboxRow, String> {
    let first = unit.rows[0].clone();
    if unit.items.is_empty() {
        return Ok(first);
    }
    let m = batch.lookup.render(&first, &unit.items, &batch.tasks, &batch.hooks, now).map_err(|e| e.to_string())?;
    Ok(OutboxRow { subject: m.subject, body_text: m.text, body_html: m.html, body_json: m.json, ..first })
}

/// Delivers every due message (several batches), recording each outcome.
pub async fn deliver(pool: &DbPool, mailer: &Mailer, now: DateTime<Utc>) -> AppResult<SendReport> {
    deliver_only(pool, mailer, now, None).await
}

/// Delivers the due messages of `kinds` (all when `None`), recording each outcome.
///
/// Each message's outcome is written in a short transaction of its own as soon as
/// the server has answered, so a crash re-sends at most the messages in flight at
/// that moment (at most the transport's concurrency, each with its Message-ID).
/// A claim holds only as many messages as a few rounds of sends, well inside its
/// lease; the lease and each message's `Date` follow the clock as the pass goes on.
pub async fn deliver_only(
    pool: &DbPool,
    mailer: &Mailer,
    now: DateTime<Utc>,
    kinds: Option<&'static [&'static str]>,
) -> AppResult<SendReport> {
    let started = std::time::Instant::now();
    let clock = move || now + Duration::from_std(started.elapsed()).unwrap_or_default();
    let size = (mailer.concurrency.max(1) * ROUNDS_PER_CLAIM) as i64;
    let mut report = SendReport::default();
    loop {
        let p = pool.clone();
        let base = mailer.base.clone();
        let lease = (now, clock() + LEASE);
        let mut batch = tokio::task::spawn_blocking(move || claim(&p, &base, lease, size, kinds))
            .await
            .map_err(|e| crate::services::AppError::corrupt(format!("sender task: {e}")))??;
        report.cancelled += batch.cancelled;
        if batch.rows.is_empty() && batch.cancelled == 0 && batch.broken.is_empty() {
            return Ok(report);
        }
        let units = group(std::mem::take(&mut batch.rows));
        let sends: Vec<_> = units.iter().map(|unit| send_unit(pool, mailer, &batch, unit, (now, started))).collect();
        let results: Vec<(usize, Outcome, AppResult<()>)> =
            futures_util::stream::iter(sends).buffered(mailer.concurrency.max(1)).collect().await;
        for (n, o, recorded) in results {
            recorded?;
            match o {
                Outcome::Sent => {
                    report.sent += n;
                    report.messages += 1;
                }
                Outcome::Failed(_) => report.failed += n,
                Outcome::Retry(..) => report.retried += n,
                Outcome::Cancelled(_) => report.cancelled += n,
            }
        }
        report.failed += batch.broken.len();
        let broken: Vec<Recorded> = batch.broken.iter().map(|(id, o)| (*id, o.clone(), None, false)).collect();
        record(pool, broken, now).await?;
    }
}

/// Prepares, sends and records one unit; the clock is `now` plus the time since
/// `started`. Returns its weight, outcome and whether it was recorded.
async fn send_unit(
    pool: &DbPool,
    mailer: &Mailer,
    batch: &Batch,
    unit: &Unit,
    (now, started): (DateTime<Utc>, std::time::Instant),
) -> (usize, Outcome, AppResult<()>) {
    let prepared = prepare(batch, unit, now);
    let at = now + Duration::from_std(started.elapsed()).unwrap_or_default();
    let outcome = send_prepared(mailer, batch, &prepared, (now, at)).await;
    let subject = prepared.as_ref().ok().filter(|_| !unit.items.is_empty()).map(|r| r.subject.clone());
    let forget =
        |r: &OutboxRow| outcome == Outcome::Sent && crate::services::links::MAIL_KINDS.contains(&r.kind.as_str());
    let rows: Vec<Recorded> = unit.rows.iter().map(|r| (r.id, outcome.clone(), subject.clone(), forget(r))).collect();
    let recorded = record(pool, rows, now).await;
    (unit.weight(), outcome, recorded)
}

/// A row's outcome, the subject it went with (kept for the outbox page), and whether
/// its body goes once sent (an account mail's one-time link).
type Recorded = (i64, Outcome, Option<String>, bool);

/// Writes the outcomes of one message's rows in one short transaction.
async fn record(pool: &DbPool, rows: Vec<Recorded>, now: DateTime<Utc>) -> AppResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let p = pool.clone();
    tokio::task::spawn_blocking(move || -> AppResult<()> {
        let mut conn = p.get()?;
        conn.transaction(|conn| {
            for (id, o, subject, forget) in &rows {
                if let Some(s) = subject {
                    db::outbox::set_subject(conn, *id, s)?;
                }
                if *forget {
                    db::outbox::forget_body(conn, *id)?;
                }
                db::outbox::finish(conn, *id, o, now.naive_utc())?;
            }
            Ok(())
        })
    })
    .await
    .map_err(|e| crate::services::AppError::corrupt(format!("sender task: {e}")))?
}

/// `now` is the pass's moment (retries are timed from it); `date` the clock when the
/// message goes.
async fn send_prepared(
    mailer: &Mailer,
    batch: &Batch,
    p: &Result<OutboxRow, String>,
    (now, date): (DateTime<Utc>, DateTime<Utc>),
) -> Outcome {
    match p {
        Ok(row) => send_one(mailer, batch, row, (now, date)).await,
        Err(e) => Outcome::Failed(format!("cannot render the message: {e}")),
    }
}

fn retry_or_fail(r: &OutboxRow, now: DateTime<Utc>, error: String) -> Outcome {
    if r.attempts >= MAX_ATTEMPTS {
        Outcome::Failed(format!("gave up after {} attempts: {error}", r.attempts))
    } else {
        Outcome::Retry((now + backoff(r.attempts)).naive_utc(), error)
    }
}

/// Sends one message, dated `date`.
async fn send_one(
    mailer: &Mailer,
    batch: &Batch,
    r: &OutboxRow,
    (now, date): (DateTime<Utc>, DateTime<Utc>),
) -> Outcome {
    if r.channel == "webhook" {
        let Some(hook) = batch.hooks.get(&r.address) else {
            return Outcome::Failed(format!("webhook `{}` is no longer configured", r.address));
        };
        return post_hook(mailer, hook, r, now).await;
    }
    let message = match build(mailer, batch, r, date) {
        Ok(m) => m,
        Err(e) => return Outcome::Failed(format!("cannot build the message: {e}")),
    };
    match &mailer.transport {
        Transport::Smtp(SmtpPool(Some(t))) => match t.send(message).await {
            Ok(_) => Outcome::Sent,
            Err(e) if e.is_permanent() => Outcome::Failed(e.to_string()),
            Err(e) => retry_or_fail(r, now, e.to_string()),
        },
        Transport::Smtp(SmtpPool(None)) => retry_or_fail(r, now, "the SMTP transport is gone".into()),
        Transport::Files(dir) => match write_eml(dir, r.id, &message.formatted()).await {
            Ok(path) => {
                tracing::info!(outbox = r.id, kind = %r.kind, file = %path.display(), "message written as a file");
                Outcome::Sent
            }
            Err(e) => retry_or_fail(r, now, format!("{}: {e}", dir.display())),
        },
    }
}

/// The start of an answer's body: a robot's answer is short, and nothing more of a
/// long one is read or kept.
async fn first_bytes(mut resp: reqwest::Response, max: usize) -> String {
    let mut buf = Vec::new();
    while buf.len() < max {
        match resp.chunk().await {
            Ok(Some(chunk)) => buf.extend_from_slice(&chunk),
            _ => break,
        }
    }
    buf.truncate(max);
    String::from_utf8_lossy(&buf).into_owned()
}

/// Writes a message as `DIR/ID.eml`, owner-only (it holds names and links to tasks).
async fn write_eml(dir: &std::path::Path, id: i64, bytes: &[u8]) -> std::io::Result<PathBuf> {
    let (dir, bytes) = (dir.to_path_buf(), bytes.to_vec());
    tokio::task::spawn_blocking(move || {
        crate::files::private_dir(&dir)?;
        let path = dir.join(format!("{id:08}.eml"));
        crate::files::write_private(&path, &bytes)?;
        Ok(path)
    })
    .await
    .map_err(std::io::Error::other)?
}

/// The message of an outbox row sent at `date`; its Message-ID depends only on the
/// row, so a message sent twice after a crash is recognisably one. Marked
/// `Auto-Submitted` (RFC 3834) so that auto-responders do not answer it.
fn build(mailer: &Mailer, batch: &Batch, r: &OutboxRow, date: DateTime<Utc>) -> anyhow::Result<Message> {
    use lettre::message::header::{HeaderName, HeaderValue};
    let name = if r.lang.starts_with("en") { &batch.names.1 } else { &batch.names.0 };
    let to: Mailbox = r.address.parse()?;
    let hash = Sha256::digest(r.dedupe_key.as_bytes());
    let tag: String = hash.iter().take(6).map(|b| format!("{b:02x}")).collect();
    let auto = HeaderValue::new(HeaderName::new_from_ascii_str("Auto-Submitted"), "auto-generated".into());
    let digest = matches!(r.kind.as_str(), "digest" | "lead_digest");
    let builder = Message::builder()
        .from(Mailbox::new(Some(name.clone()), mailer.from.clone()))
        .to(to)
        .subject(&r.subject)
        .message_id(Some(format!("<dutyday.{}.{tag}@{}>", r.id, mailer.domain)))
        .date(std::time::SystemTime::from(date))
        .raw_header(auto);
    // A digest can be turned off from the mail itself (RFC 2369, one click by RFC 8058).
    let builder = match (digest, r.recipient_id) {
        (true, Some(staff)) => {
            let token = super::admin::unsubscribe_token(&batch.unsubscribe_key, staff);
            let url = format!("<{}/digest/off?t={token}>", mailer.base.trim_end_matches('/'));
            builder.raw_header(HeaderValue::new(HeaderName::new_from_ascii_str("List-Unsubscribe"), url)).raw_header(
                HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                    "List-Unsubscribe=One-Click".into(),
                ),
            )
        }
        _ => builder,
    };
    Ok(builder.multipart(
        MultiPart::alternative()
            .singlepart(SinglePart::builder().header(ContentType::TEXT_PLAIN).body(r.body_text.clone()))
            .singlepart(SinglePart::builder().header(ContentType::TEXT_HTML).body(r.body_html.clone())),
    )?)
}

async fn post_hook(mailer: &Mailer, hook: &WebhookSpec, r: &OutboxRow, now: DateTime<Utc>) -> Outcome {
    let sent = mailer
        .http
        .post(&hook.url)
        .header("Content-Type", "application/json; charset=utf-8")
        .header("Idempotency-Key", &r.dedupe_key)
        .body(r.body_json.clone().unwrap_or_default())
        .send()
        .await;
    let resp = match sent {
        Ok(resp) => resp,
        // The URL carries the robot's token: never let it into the error text.
        Err(e) => return retry_or_fail(r, now, e.without_url().to_string()),
    };
    let status = resp.status().as_u16();
    let body = webhook::redact(&first_bytes(resp, 4096).await, &hook.url);
    match webhook::read_answer(hook.format, status, &body) {
        Answer::Accepted => Outcome::Sent,
        Answer::Transient(e) => retry_or_fail(r, now, e),
        Answer::Permanent(e) => Outcome::Failed(e),
    }
}
