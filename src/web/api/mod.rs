//! The JSON API under `/api/v1`, and the health endpoints.

pub mod account;
pub mod audit;
pub mod body;
pub mod contract;
pub mod dashboard;
pub mod docs;
pub mod events;
pub mod leave;
pub mod one_off;
pub mod outbox;
pub mod people;
pub mod shapes;
pub mod staffing;
pub mod tasks;
pub mod templates;
pub mod views;

use super::auth::Authed;
use super::error::ApiError;
use super::AppState;
use crate::services;
use actix_web::{get, web, HttpResponse};
use serde_json::json;
use views::PositionJson;

/// Mounts the API routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.configure(docs::configure).service(healthz).service(readyz).service(
        web::scope("/api/v1")
            .service(positions)
            .configure(templates::configure)
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
#[utoipa::path(get, path = "/healthz", tag = "health", responses((status = 200, body = shapes::Health)))]
#[get("/healthz")]
async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

/// Readiness: the database answers and the catalogue is loaded.
#[utoipa::path(get, path = "/readyz", tag = "health", responses((status = 200, body = shapes::Readiness), (status = 503, body = shapes::Readiness)))]
#[get("/readyz")]
async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    if state.draining.load(std::sync::atomic::Ordering::Relaxed) {
        return Ok(HttpResponse::ServiceUnavailable().json(json!({"status": "shutting down"})));
    }
    let (pool, now) = (state.pool.clone(), state.clock.now());
    let ready = super::blocking(move || services::auth::ready(&pool, now)).await;
    match ready {
        Ok(true) => Ok(HttpResponse::Ok().json(json!({"status": "ready", "database": state.pool.backend_name()}))),
        Ok(false) => Ok(HttpResponse::ServiceUnavailable().json(json!({"status": "no catalogue imported"}))),
        Err(e) => {
            tracing::warn!(error = %e.detail(), "not ready");
            Ok(HttpResponse::ServiceUnavailable().json(json!({"status": "database unavailable or not writable"})))
        }
    }
}

/// The positions, with department, headcount and today's holders.
#[utoipa::path(get, path = "/api/v1/positions", tag = "catalogue", security(("bearer" = [])), responses((status = 200, body = shapes::Positions)))]
#[get("/positions")]
async fn positions(state: web::Data<AppState>, _: Authed) -> Result<HttpResponse, ApiError> {
    let pool = state.pool.clone();
    let list = super::blocking(move || services::catalog_view::positions(&pool, state.clock.now())).await?;
    let list: Vec<PositionJson> = list.into_iter().map(PositionJson::from).collect();
    Ok(HttpResponse::Ok().json(json!({"positions": list})))
}
