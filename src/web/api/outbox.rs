//! `GET /api/v1/outbox` for admins, and `PUT /api/v1/me/digest` for everyone.

use super::views::OutboxJson;
use crate::services::remind::admin;
use crate::web::auth::Authed;
use crate::web::error::{ApiError, ErrorBody};
use crate::web::{blocking, AppState};
use actix_web::{get, put, web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize, utoipa::IntoParams)]
pub(crate) struct OutboxQuery {
    /// Only messages in this status: queued, sending, sent, failed, cancelled.
    #[param(value_type = Option<super::shapes::OutboxStatus>)]
    status: Option<String>,
    /// How many of the newest (default 100, at most 1000).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<i64>,
}

/// The outbox: the newest messages with their status and the server's last answer.
#[utoipa::path(get, path = "/api/v1/outbox", tag = "reminders", security(("bearer" = [])), params(OutboxQuery),
    responses((status = 200, body = OutboxJson), (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 401, body = ErrorBody)))]
#[get("/outbox")]
async fn list(
    state: web::Data<AppState>,
    Authed(v): Authed,
    q: web::Query<OutboxQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let out = blocking(move || admin::outbox(&state.pool, &v, q.status.as_deref(), q.limit.unwrap_or(100))).await?;
    Ok(HttpResponse::Ok().json(OutboxJson::from(out)))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct DigestBody {
    /// Whether to receive the morning digests.
    enabled: bool,
}

/// Turns my morning digests on or off (escalations cannot be turned off).
#[utoipa::path(put, path = "/api/v1/me/digest", tag = "reminders", security(("bearer" = [])), request_body = DigestBody,
    responses((status = 200, body = super::shapes::DigestSetting), (status = 401, body = ErrorBody)))]
#[put("/me/digest")]
async fn digest(
    state: web::Data<AppState>,
    Authed(v): Authed,
    body: super::body::Json<DigestBody>,
) -> Result<HttpResponse, ApiError> {
    let enabled = body.into_inner().enabled;
    blocking(move || admin::set_digest(&state.pool, v.id, enabled)).await?;
    Ok(HttpResponse::Ok().json(json!({"enabled": enabled})))
}

/// Mounts these routes (inside `/api/v1`).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(list).service(digest);
}
