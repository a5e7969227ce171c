//! The sender: claims due outbox rows and delivers them, by SMTP (lettre's async
//! transport with a connection pool), as `.eml` files when no server is set, or to
//! a department's webhook. Transient failures come back later with exponential
//! backoff; permanent ones (SMTP 5xx, HTTP 4xx) are marked failed with the answer.

use super::group::group_escalations;
use super::render::Lookup;
use crate::config::{Settings, SmtpTls};
use crate::db::outbox::{OutboxRow, Outcome};
use crate::db::{self, DbPool};
use crate::domain::webhook::{self, Answer, WebhookSpec};
use crate::services::ServiceResult;
use anyhow::Context as _;
use chrono::{DateTime, Duration, Utc};
use futures_util::StreamExt as _;
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::PoolConfig;
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::PathBuf;

/// lettre's pooled transport. Its pool spawns tasks when built and when dropped, so
/// it is built inside the Tokio runtime; dropped outside one (at process exit) it is
/// let go without the goodbye to the server instead of panicking.
pub struct SmtpPool(Option<AsyncSmtpTransport<Tokio1Executor>>);

impl Drop for SmtpPool {
    fn drop(&mut self) {
        if tokio::runtime::Handle::try_current().is_err() {
            std::mem::forget(self.0.take());
        }
    }
}

/// Where mail goes.
pub enum Transport {
    Smtp(SmtpPool),
    /// No SMTP server configured: each message becomes `<dir>/<id>.eml`.
    Files(PathBuf),
}

/// Everything the sender needs besides the database.
pub struct Mailer {
    pub transport: Transport,
    from: Address,
    /// Where people reach the service, for links.
    base: String,
    domain: String,
    http: reqwest::Client,
    concurrency: usize,
}

/// Sending attempts before a message is given up.
pub const MAX_ATTEMPTS: i32 = 20;
/// How long a claimed message is reserved for its sender.
const LEASE: Duration = Duration::minutes(5);
const BATCH: i64 = 200;

impl Mailer {
    /// Builds the transport from checked settings; a TLS or address problem fails here, at start.
    pub fn from_settings(s: &Settings) -> anyhow::Result<Mailer> {
        let from: Address = s.mail_from.parse().with_context(|| format!("mail_from `{}`", s.mail_from))?;
        let transport = if s.smtp_host.is_empty() {
            Transport::Files(s.mail_dir.clone())
        } else {
            let builder = match s.smtp_tls {
                SmtpTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&s.smtp_host),
                SmtpTls::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&s.smtp_host)
                    .with_context(|| format!("smtp_host `{}`: STARTTLS", s.smtp_host))?,
                SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&s.smtp_host)
                    .with_context(|| format!("smtp_host `{}`: TLS", s.smtp_host))?,
            };
            let mut builder = builder
                .port(s.smtp_port)
                .timeout(Some(std::time::Duration::from_secs(15)))
                .pool_config(PoolConfig::new().max_size(s.smtp_pool));
            if let (Some(user), Some(pass)) = (&s.smtp_username, &s.smtp_password) {
                builder = builder.credentials(Credentials::new(user.clone(), pass.clone()));
            }
            if tokio::runtime::Handle::try_current().is_err() {
                anyhow::bail!("the SMTP transport must be built inside the Tokio runtime");
            }
            Transport::Smtp(SmtpPool(Some(builder.build())))
        };
        let domain =
            s.base_url.split("://").nth(1).unwrap_or("localhost").split(['/', ':']).next().unwrap_or("localhost");
        let http = reqwest::Client::builder().timeout(std::time::Duration::from_secs(10)).build()?;
        let concurrency = s.smtp_pool as usize * 2;
        Ok(Mailer { transport, from, base: s.base_url.clone(), domain: domain.to_string(), http, concurrency })
    }

    /// Whether the SMTP server answers (and accepts the credentials); files always do.
    pub async fn check_connection(&self) -> Result<(), String> {
        match &self.transport {
            Transport::Smtp(SmtpPool(Some(t))) => match t.test_connection().await {
                Ok(true) => Ok(()),
                Ok(false) => Err("the server did not answer NOOP".into()),
                Err(e) => Err(e.to_string()),
            },
            Transport::Smtp(SmtpPool(None)) => Err("the SMTP transport is gone".into()),
            Transport::Files(_) => Ok(()),
        }
    }

    /// A line for the start-up log, without credentials.
    pub fn describe(&self, s: &Settings) -> String {
        match &self.transport {
            Transport::Smtp(_) => format!("SMTP {}:{} ({:?})", s.smtp_host, s.smtp_port, s.smtp_tls),
            Transport::Files(dir) => format!("no SMTP server set: messages are written to {}", dir.display()),
        }
    }
}

/// What one send pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SendReport {
    /// Outbox rows delivered.
    pub sent: usize,
    /// Messages that carried them (escalations to one person travel together).
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
    rows: Vec<OutboxRow>,
    names: (String, String),
    hooks: HashMap<String, WebhookSpec>,
    cancelled: usize,
    /// Rows that could not be rendered, with why.
    broken: Vec<(i64, Outcome)>,
    /// Recipients' names, for messages that group rows.
    people: HashMap<i64, String>,
}

/// Claims a batch, cancelling (in the same transaction) rows whose task was finished
/// or reassigned since they were decided, and renders task reminders from their task
/// as it is now (keeping the subject on the row, for the outbox page).
fn claim(pool: &DbPool, base: &str, now: DateTime<Utc>) -> ServiceResult<Batch> {
    let mut conn = pool.get()?;
    conn.transaction(|conn| {
        let company = db::org::company(conn)?;
        let names = company.as_ref().map(|c| (c.name.clone(), c.name_en.clone())).unwrap_or_default();
        let hooks: Vec<WebhookSpec> =
            company.as_ref().and_then(|c| serde_json::from_str(&c.webhooks).ok()).unwrap_or_default();
        let rows = db::outbox::claim(conn, now.naive_utc(), (now + LEASE).naive_utc(), BATCH)?;
        let ids: Vec<i64> = rows.iter().filter_map(|r| r.task_id).collect();
        let states: HashMap<i64, (String, Option<i64>)> =
            db::outbox::task_states(conn, &ids)?.into_iter().map(|(id, s, a)| (id, (s, a))).collect();
        let (mut keep, mut cancelled) = (Vec::new(), 0);
        for r in rows {
            let stale = r.task_id.and_then(|id| match states.get(&id) {
                Some((s, _)) if s != "open" => Some(format!("task is {s}")),
                Some((_, a)) if *a != r.task_assignee_id => Some("task was reassigned".to_string()),
                None => Some("task no longer exists".to_string()),
                _ => None,
            });
            match stale {
                Some(why) => {
                    db::outbox::finish(conn, r.id, &Outcome::Cancelled(why), now.naive_utc())?;
                    cancelled += 1;
                }
                None => keep.push(r),
            }
        }
        let hooks: HashMap<String, WebhookSpec> = hooks.into_iter().map(|h| (h.id.clone(), h)).collect();
        let (lookup, tasks) = Lookup::load(conn, base, &keep, now)?;
        let (mut rows, mut broken) = (Vec::new(), Vec::new());
        for mut r in keep {
            let task = r.task_id.and_then(|id| tasks.get(&id));
            match task.map(|t| lookup.render(&r, t, &hooks, now)) {
                Some(Ok(m)) => {
                    db::outbox::set_subject(conn, r.id, &m.subject)?;
                    (r.subject, r.body_text, r.body_html) = (m.subject, m.text, m.html);
                    rows.push(r);
                }
                Some(Err(e)) => broken.push((r.id, Outcome::Failed(e.to_string()))),
                None => rows.push(r),
            }
        }
        Ok(Batch { rows, names, hooks, cancelled, broken, people: lookup.people })
    })
}

/// Delivers every due message (several batches), recording each outcome.
pub async fn deliver(pool: &DbPool, mailer: &Mailer, now: DateTime<Utc>) -> ServiceResult<SendReport> {
    let mut report = SendReport::default();
    loop {
        let p = pool.clone();
        let base = mailer.base.clone();
        let batch = tokio::task::spawn_blocking(move || claim(&p, &base, now))
            .await
            .map_err(|e| crate::services::ServiceError::Corrupt(format!("sender task: {e}")))??;
        report.cancelled += batch.cancelled;
        if batch.rows.is_empty() && batch.cancelled == 0 && batch.broken.is_empty() {
            return Ok(report);
        }
        let units = group_escalations(&batch.rows, &batch.people, &mailer.base);
        let sends: Vec<_> = units.iter().map(|(r, _)| send_one(mailer, &batch, r, now)).collect();
        let results: Vec<Outcome> =
            futures_util::stream::iter(sends).buffered(mailer.concurrency.max(1)).collect().await;
        report.messages += results.iter().filter(|o| **o == Outcome::Sent).count();
        let mut outcomes: Vec<(i64, Outcome)> =
            units.iter().zip(results).flat_map(|((_, ids), o)| ids.iter().map(move |id| (*id, o.clone()))).collect();
        outcomes.extend(batch.broken.iter().cloned());
        for (_, o) in &outcomes {
            match o {
                Outcome::Sent => report.sent += 1,
                Outcome::Failed(_) => report.failed += 1,
                Outcome::Retry(..) => report.retried += 1,
                Outcome::Cancelled(_) => report.cancelled += 1,
            }
        }
        let p = pool.clone();
        tokio::task::spawn_blocking(move || -> ServiceResult<()> {
            let mut conn = p.get()?;
            conn.transaction(|conn| {
                for (id, o) in &outcomes {
                    db::outbox::finish(conn, *id, o, now.naive_utc())?;
                }
                Ok(())
            })
        })
        .await
        .map_err(|e| crate::services::ServiceError::Corrupt(format!("sender task: {e}")))??;
    }
}

fn retry_or_fail(r: &OutboxRow, now: DateTime<Utc>, error: String) -> Outcome {
    if r.attempts >= MAX_ATTEMPTS {
        Outcome::Failed(format!("gave up after {} attempts: {error}", r.attempts))
    } else {
        Outcome::Retry((now + backoff(r.attempts)).naive_utc(), error)
    }
}

async fn send_one(mailer: &Mailer, batch: &Batch, r: &OutboxRow, now: DateTime<Utc>) -> Outcome {
    if r.channel == "webhook" {
        let Some(hook) = batch.hooks.get(&r.address) else {
            return Outcome::Failed(format!("webhook `{}` is no longer configured", r.address));
        };
        return post_hook(mailer, hook, r, now).await;
    }
    let message = match build(mailer, batch, r) {
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

async fn write_eml(dir: &std::path::Path, id: i64, bytes: &[u8]) -> std::io::Result<PathBuf> {
    tokio::fs::create_dir_all(dir).await?;
    let path = dir.join(format!("{id:08}.eml"));
    let tmp = dir.join(format!(".{id:08}.eml.tmp"));
    tokio::fs::write(&tmp, bytes).await?;
    tokio::fs::rename(&tmp, &path).await?;
    Ok(path)
}

/// The message of an outbox row; its Message-ID depends only on the row.
fn build(mailer: &Mailer, batch: &Batch, r: &OutboxRow) -> anyhow::Result<Message> {
    let name = if r.lang.starts_with("en") { &batch.names.1 } else { &batch.names.0 };
    let to: Mailbox = r.address.parse()?;
    let hash = Sha256::digest(r.dedupe_key.as_bytes());
    let tag: String = hash.iter().take(6).map(|b| format!("{b:02x}")).collect();
    let created = std::time::SystemTime::from(r.created_at.and_utc());
    Ok(Message::builder()
        .from(Mailbox::new(Some(name.clone()), mailer.from.clone()))
        .to(to)
        .subject(&r.subject)
        .message_id(Some(format!("<dutyday.{}.{tag}@{}>", r.id, mailer.domain)))
        .date(created)
        .multipart(
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
        .body(r.body_html.clone())
        .send()
        .await;
    let resp = match sent {
        Ok(resp) => resp,
        // The URL carries the robot's token: never let it into the error text.
        Err(e) => return retry_or_fail(r, now, e.without_url().to_string()),
    };
    let status = resp.status().as_u16();
    let body = resp.text().await.unwrap_or_default();
    match webhook::read_answer(hook.format, status, &body) {
        Answer::Accepted => Outcome::Sent,
        Answer::Transient(e) => retry_or_fail(r, now, e),
        Answer::Permanent(e) => Outcome::Failed(e),
    }
}
