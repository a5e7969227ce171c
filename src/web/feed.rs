//! `GET /ical/{secret}.ics` and `POST /api/v1/me/ical` (rotate).

use super::auth::Authed;
use super::error::{ApiError, ErrorBody};
use super::{blocking, AppState};
use crate::error::ErrorCode;
use crate::services::feed;
use actix_web::{get, post, web, HttpResponse};
use serde_json::json;

/// The calendar feed. Unknown or rotated secrets are 404.
#[utoipa::path(get, path = "/ical/{file}", tag = "me", params(("file" = String, Path, description = "`<secret>.ics`")),
    responses((status = 200, description = "RFC 5545 VTODOs of the next 30 days", content_type = "text/calendar"), (status = 404, body = ErrorBody)))]
#[get("/ical/{file}")]
async fn ics(state: web::Data<AppState>, file: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let not_found = || ApiError::new(ErrorCode::FeedNotFound);
    let secret = file.into_inner().strip_suffix(".ics").map(str::to_string).ok_or_else(not_found)?;
    let body =
        blocking(move || feed::render(&state.pool, &secret, &state.settings.base_url, state.clock.now())).await?;
    let body = body.ok_or_else(not_found)?;
    Ok(HttpResponse::Ok()
        .content_type("text/calendar; charset=utf-8")
        .insert_header(("Cache-Control", "private, max-age=300"))
        .body(body))
}

/// Makes a new feed secret for me; the old URL stops working. The URL is shown only now.
#[utoipa::path(post, path = "/api/v1/me/ical", tag = "me", security(("bearer" = [])), responses((status = 201, body = crate::web::api::shapes::FeedUrl), (status = 401, description = "Not signed in", body = ErrorBody)))]
#[post("/api/v1/me/ical")]
async fn rotate(state: web::Data<AppState>, Authed(v): Authed) -> Result<HttpResponse, ApiError> {
    let base = state.settings.base_url.trim_end_matches('/').to_string();
    let secret = blocking(move || feed::rotate(&state.pool, v.id)).await?;
    Ok(HttpResponse::Created().json(json!({"url": format!("{base}/ical/{secret}.ics")})))
}

/// Mounts these routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(ics).service(rotate);
}
