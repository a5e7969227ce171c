//! `GET /metrics`: Prometheus text for whoever holds `DUTYDAY_METRICS_TOKEN` (a
//! bearer token); without the setting the route answers 404 like any unknown path.

use super::AppState;
use crate::error::ErrorCode;
use crate::services::AppError;
use actix_web::{web, HttpRequest, HttpResponse};
use prometheus::{Encoder, IntCounter, IntGauge, IntGaugeVec, Opts, Registry, TextEncoder};

/// The request metrics of this server (actix-web-prom's registry).
pub struct HttpRegistry(pub Registry);

/// Mounts `/metrics`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/metrics", web::get().to(metrics));
}

async fn metrics(
    state: web::Data<AppState>,
    http: Option<web::Data<HttpRegistry>>,
    req: HttpRequest,
) -> Result<HttpResponse, super::error::ApiError> {
    let Some(want) = state.settings.metrics_token.clone() else {
        return Err(AppError::new(ErrorCode::NoSuchPage).into());
    };
    let given = req
        .headers()
        .get("authorization")
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.strip_prefix("Bearer "))
        .unwrap_or("");
    if !bool::from(subtle::ConstantTimeEq::ct_eq(given.as_bytes(), want.as_bytes())) {
        return Err(AppError::new(ErrorCode::Unauthenticated).into());
    }
    let (pool, now) = (state.pool.clone(), state.clock.now());
    let store = super::blocking(move || {
        let mut conn = pool.get()?;
        let conn = &mut conn.any();
        let counts = crate::db::outbox::counts(conn)?;
        let oldest = crate::db::outbox::oldest_queued(conn)?;
        Ok((counts, oldest))
    })
    .await?;
    let scraped = scrape_time(&state, store, now).map_err(|e| AppError::internal(e.to_string()))?;
    let mut families = scraped.gather();
    families.extend(crate::metrics::get().map(|m| m.registry.gather()).unwrap_or_default());
    families.extend(http.map(|h| h.0.gather()).unwrap_or_default());
    let mut out = Vec::new();
    let encoder = TextEncoder::new();
    encoder.encode(&families, &mut out).map_err(|e| AppError::internal(e.to_string()))?;
    Ok(HttpResponse::Ok().content_type(encoder.format_type()).body(out))
}

type Store = (Vec<(String, i64)>, Option<chrono::NaiveDateTime>);

/// What is read when scraped: the outbox by status, the age of its oldest waiting
/// message, the pool's connections, the SQL statements run, and how requests met to
/// learn who is asking.
fn scrape_time(
    state: &AppState,
    (counts, oldest): Store,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Registry, prometheus::Error> {
    let r = Registry::new_custom(Some("dutyday".into()), None)?;
    let outbox = IntGaugeVec::new(Opts::new("outbox_messages", "Messages in the outbox, by status"), &["status"])?;
    for status in ["queued", "sending", "sent", "failed", "cancelled"] {
        let n = counts.iter().find(|(s, _)| s == status).map_or(0, |(_, n)| *n);
        outbox.with_label_values(&[status]).set(n);
    }
    let age = IntGauge::new("outbox_oldest_waiting_seconds", "Age of the oldest message still to be sent (0: none)")?;
    age.set(oldest.map_or(0, |t| (now.naive_utc() - t).num_seconds().max(0)));
    let (open, idle) = state.pool.state();
    let pool = IntGaugeVec::new(Opts::new("db_pool_connections", "Database connections, by state"), &["state"])?;
    pool.with_label_values(&["open"]).set(i64::from(open));
    pool.with_label_values(&["idle"]).set(i64::from(idle));
    let statements = IntCounter::new("sql_statements_total", "SQL statements run by this server's connections")?;
    statements.inc_by(state.pool.statements());
    let asked = state.asking.counts();
    let waiting = IntGauge::new("askers_waiting", "Requests waiting to learn who is asking")?;
    waiting.set(i64::try_from(asked.waiting).unwrap_or(i64::MAX));
    let answered = IntCounter::new("askers_answered_total", "Requests told who is asking")?;
    answered.inc_by(asked.answered);
    let batches = IntCounter::new("askers_batches_total", "Times everyone waiting was told who is asking at once")?;
    batches.inc_by(asked.batches);
    r.register(Box::new(statements))?;
    r.register(Box::new(waiting))?;
    r.register(Box::new(answered))?;
    r.register(Box::new(batches))?;
    r.register(Box::new(outbox))?;
    r.register(Box::new(age))?;
    r.register(Box::new(pool))?;
    Ok(r)
}
