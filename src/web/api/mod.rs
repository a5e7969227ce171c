//! The JSON API under `/api/v1`, and the health endpoints.

pub mod account;
pub mod audit;
pub mod dashboard;
pub mod docs;
pub mod events;
pub mod leave;
pub mod one_off;
pub mod outbox;
pub mod people;
pub mod staffing;
pub mod tasks;
pub mod views;

use super::auth::Authed;
use super::error::{ApiError, ErrorBody};
use super::AppState;
use crate::services;
use actix_web::{get, web, HttpResponse};
use serde_json::json;
use views::{PositionJson, TemplateJson};

/// Mounts the API routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.configure(docs::configure).service(healthz).service(readyz).service(
        web::scope("/api/v1")
            .service(positions)
            .service(templates)
            .service(template_detail)
            .service(template_pause)
            .configure(account::configure)
            .configure(tasks::configure)
            .configure(events::configure)
            .configure(dashboard::configure)
            .configure(outbox::configure)
            .configure(staffing::configure)
            .configure(people::configure)
            .configure(leave::configure)
            .configure(one_off::configure)
            .configure(audit::configure),
    );
}

/// Liveness: the process answers.
#[utoipa::path(get, path = "/healthz", tag = "health", responses((status = 200, body = Object)))]
#[get("/healthz")]
async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

/// Readiness: the database answers and the catalogue is loaded.
#[utoipa::path(get, path = "/readyz", tag = "health", responses((status = 200, body = Object), (status = 503, body = Object)))]
#[get("/readyz")]
async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let pool = state.pool.clone();
    let ready = super::blocking(move || services::auth::ready(&pool)).await;
    match ready {
        Ok(true) => Ok(HttpResponse::Ok().json(json!({"status": "ready", "database": state.pool.backend_name()}))),
        Ok(false) => Ok(HttpResponse::ServiceUnavailable().json(json!({"status": "no catalogue imported"}))),
        Err(e) => {
            tracing::warn!(error = %e.detail(), "not ready");
            Ok(HttpResponse::ServiceUnavailable().json(json!({"status": "database unavailable"})))
        }
    }
}

/// The positions, with department, headcount and today's holders.
#[utoipa::path(get, path = "/api/v1/positions", tag = "catalogue", security(("bearer" = [])), responses((status = 200, description = "`{positions: [...]}`", body = Vec<PositionJson>), (status = 500, body = ErrorBody)))]
#[get("/positions")]
async fn positions(state: web::Data<AppState>, _: Authed) -> Result<HttpResponse, ApiError> {
    let pool = state.pool.clone();
    let list = super::blocking(move || services::catalog_view::positions(&pool, state.clock.now())).await?;
    let list: Vec<PositionJson> = list.into_iter().map(PositionJson::from).collect();
    Ok(HttpResponse::Ok().json(json!({"positions": list})))
}

/// One template (admins): as written, its position and duty, whether it is paused,
/// and its next 10 due times (company zone) after holiday shifts.
#[utoipa::path(get, path = "/api/v1/templates/{id}", tag = "catalogue", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, description = "`{id, zh, en, position, duty_zh, duty_en, paused_at, next, spec}`", body = Object),
        (status = 404, body = ErrorBody), (status = 403, description = "Not an admin", body = ErrorBody), (status = 401, body = ErrorBody)))]
#[get("/templates/{id}")]
async fn template_detail(
    state: web::Data<AppState>,
    Authed(v): Authed,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let t =
        super::blocking(move || services::template_admin::detail(&state.pool, &v, &id, 10, state.clock.now())).await?;
    Ok(HttpResponse::Ok().json(json!({
        "id": t.item.spec.id, "zh": t.item.spec.zh, "en": t.item.spec.en, "position": t.item.position,
        "duty_zh": t.duty_zh, "duty_en": t.duty_en, "paused_at": t.item.paused_at, "next": t.next, "spec": t.item.spec,
    })))
}

/// Pauses (`pause`) or resumes (`resume`) a template (admins); audited.
#[utoipa::path(post, path = "/api/v1/templates/{id}/{verb}", tag = "catalogue", security(("bearer" = [])),
    params(("id" = String, Path), ("verb" = String, Path, description = "`pause` or `resume`")),
    responses((status = 204, description = "Done"), (status = 404, body = ErrorBody), (status = 403, description = "Not an admin", body = ErrorBody), (status = 401, body = ErrorBody)))]
#[actix_web::post("/templates/{id}/{verb}")]
async fn template_pause(
    state: web::Data<AppState>,
    Authed(v): Authed,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, verb) = path.into_inner();
    let pause = match verb.as_str() {
        "pause" => true,
        "resume" => false,
        _ => return Err(ApiError::new(crate::error::ErrorCode::NoSuchPage)),
    };
    super::blocking(move || services::template_admin::set_paused(&state.pool, &v, &id, pause, state.clock.now()))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The task templates as written in the catalogue.
#[utoipa::path(get, path = "/api/v1/templates", tag = "catalogue", security(("bearer" = [])), responses((status = 200, description = "`{templates: [...]}`", body = Vec<TemplateJson>)))]
#[get("/templates")]
async fn templates(state: web::Data<AppState>, _: Authed) -> Result<HttpResponse, ApiError> {
    let pool = state.pool.clone();
    let list = super::blocking(move || services::catalog_view::templates(&pool)).await?;
    let list: Vec<TemplateJson> = list.into_iter().map(TemplateJson::from).collect();
    Ok(HttpResponse::Ok().json(json!({"templates": list})))
}
