//! 审计日志 for admins: the changes to people, holdings, leave and accounts, and CSV.

use super::{chrome, html, signed_in, Chrome};
use crate::services::audit::{self, AuditEntry, AuditFilter};
use crate::web::{blocking, error, AppState};
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "pages/audit.html")]
struct AuditPage {
    c: Chrome,
    entries: Vec<AuditEntry>,
    from: String,
    until: String,
    action: String,
}

#[derive(Deserialize, Clone)]
struct Query {
    from: Option<NaiveDate>,
    until: Option<NaiveDate>,
    action: Option<String>,
}

impl Query {
    fn filter(&self) -> AuditFilter {
        let action = self.action.clone().filter(|a| !a.trim().is_empty());
        AuditFilter { from: self.from, until: self.until, action, ..AuditFilter::default() }
    }
}

impl AuditPage {
    /// A change's values in the reader's words.
    fn describe(&self, values: &Option<serde_json::Value>) -> String {
        audit::describe(values, self.c.tr)
    }
}

async fn load(
    state: &web::Data<AppState>,
    session: &Session,
    q: &Query,
) -> Result<(Chrome, Vec<AuditEntry>), HttpResponse> {
    let v = signed_in(state, session).await?;
    let c = chrome(session, &v, "/admin/audit");
    let (pool, now, filter) = (state.pool.clone(), state.clock.now(), q.filter());
    match blocking(move || audit::list(&pool, &v, &filter, now)).await {
        Ok(entries) => Ok((c, entries)),
        Err(e) => Err(error::page(c, &e)),
    }
}

async fn page(state: web::Data<AppState>, session: Session, q: web::Query<Query>) -> HttpResponse {
    let q = q.into_inner();
    match load(&state, &session, &q).await {
        Ok((c, entries)) => {
            let show = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
            let page = AuditPage {
                c,
                entries,
                from: show(q.from),
                until: show(q.until),
                action: q.action.unwrap_or_default(),
            };
            html(StatusCode::OK, &page)
        }
        Err(r) => r,
    }
}

async fn csv(state: web::Data<AppState>, session: Session, q: web::Query<Query>) -> HttpResponse {
    match load(&state, &session, &q.into_inner()).await {
        Ok((c, entries)) => HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header(("Content-Disposition", "attachment; filename=\"dutyday-audit.csv\""))
            .insert_header(("Cache-Control", "no-store"))
            .body(audit::to_csv(&entries, c.tr)),
        Err(r) => r,
    }
}

/// Mounts these routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/audit", web::get().to(page)).route("/admin/audit.csv", web::get().to(csv));
}
