//! People's accounts: invitations, and reset links asked for by email.

use crate::domain::task::StaffId;
use crate::services::links;
use crate::web::auth::Authed;
use crate::web::error::{ApiError, ErrorBody};
use crate::web::{blocking, AppState};
use actix_web::{post, web, HttpResponse};
use serde::{Deserialize, Serialize};

/// When an invitation's link stops working.
#[derive(Serialize, utoipa::ToSchema)]
pub struct InvitationSent {
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// Mails person `id` a link to set their password, valid for 72 hours (admins only).
#[utoipa::path(post, path = "/api/v1/people/{id}/invitation", tag = "people", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 201, description = "Queued in the outbox", body = InvitationSent), (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such person", body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody)))]
#[post("/people/{id}/invitation")]
async fn invite(state: web::Data<AppState>, Authed(v): Authed, id: web::Path<i64>) -> Result<HttpResponse, ApiError> {
    let staff = StaffId(id.into_inner());
    let expires_at =
        blocking(move || links::invite(&state.pool, &v, staff, &state.settings.base_url, state.clock.now())).await?;
    Ok(HttpResponse::Created().json(InvitationSent { expires_at }))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ResetRequest {
    email: String,
}

/// Mails a reset link (valid for 1 hour) if the address has an account. The answer is
/// the same either way, so it tells nobody which addresses exist.
#[utoipa::path(post, path = "/api/v1/auth/password-reset", tag = "auth", request_body = ResetRequest,
    responses((status = 202, description = "A link is on its way if the address has an account")))]
#[post("/auth/password-reset")]
async fn reset(state: web::Data<AppState>, body: web::Json<ResetRequest>) -> Result<HttpResponse, ApiError> {
    let email = body.into_inner().email;
    blocking(move || links::request_reset(&state.pool, &email, &state.settings.base_url, state.clock.now())).await?;
    Ok(HttpResponse::Accepted().finish())
}

/// Mounts these routes (inside `/api/v1`).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(invite).service(reset);
}
