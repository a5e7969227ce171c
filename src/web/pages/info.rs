//! My history, the org chart (组织架构) and job descriptions (岗位说明书).

use super::{chrome, html, signed_in, Chrome, Helpers};
use crate::domain::task::PositionId;
use crate::services::catalog_view::{self, DepartmentView, JobDescription};
use crate::services::tasks::{self, History};
use crate::services::AppError;
use crate::web::{blocking, error, AppState};
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;

#[derive(Template)]
#[template(path = "pages/history.html")]
struct HistoryPage {
    c: Chrome,
    h: History,
    /// Whether this person receives the morning digests.
    digest: bool,
}

#[derive(Template)]
#[template(path = "pages/org.html")]
struct OrgPage {
    c: Chrome,
    departments: Vec<DepartmentView>,
}

#[derive(Template)]
#[template(path = "pages/position.html")]
struct PositionPage {
    c: Chrome,
    jd: JobDescription,
}

impl Helpers for HistoryPage {}
impl Helpers for PositionPage {}

/// Renders a page from a service result, or the error page in the reader's language.
fn render<T: Template>(c: Chrome, result: Result<T, AppError>) -> HttpResponse {
    match result {
        Ok(page) => html(StatusCode::OK, &page),
        Err(e) => error::page(c, &e),
    }
}

async fn history(state: web::Data<AppState>, session: Session) -> HttpResponse {
    let v = match signed_in(&state, &session).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let c = chrome(&session, &v, "/history");
    let c2 = c.clone();
    let pool = state.pool.clone();
    let result = blocking(move || {
        let digest = crate::services::remind::admin::wants_digest(&pool, v.id)?;
        tasks::history(&pool, &v, state.clock.now()).map(|h| HistoryPage { c: c2, h, digest })
    })
    .await;
    render(c, result)
}

async fn org(state: web::Data<AppState>, session: Session) -> HttpResponse {
    let v = match signed_in(&state, &session).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let c = chrome(&session, &v, "/org");
    let c2 = c.clone();
    let pool = state.pool.clone();
    let result = blocking(move || {
        catalog_view::org_chart(&pool, state.clock.now()).map(|departments| OrgPage { c: c2, departments })
    })
    .await;
    render(c, result)
}

async fn position(state: web::Data<AppState>, session: Session, id: web::Path<String>) -> HttpResponse {
    let v = match signed_in(&state, &session).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let id = id.into_inner();
    let back = format!("/positions/{id}");
    let c = chrome(&session, &v, &back);
    let c2 = c.clone();
    let pool = state.pool.clone();
    let result = blocking(move || {
        catalog_view::job_description(&pool, &PositionId(id), state.clock.now()).map(|jd| PositionPage { c: c2, jd })
    })
    .await;
    render(c, result)
}

/// Mounts these routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/history", web::get().to(history))
        .route("/org", web::get().to(org))
        .route("/positions/{id}", web::get().to(position));
}
