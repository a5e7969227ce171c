//! API tokens: issue with email and password, list, revoke.

use crate::services::{account, auth};
use crate::web::auth::Authed;
use crate::web::error::{ApiError, ErrorBody};
use crate::web::{blocking, AppState};
use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct TokenRequest {
    email: String,
    password: String,
    name: Option<String>,
}

/// Exchanges an email and password for a bearer token (shown only in this answer).
#[utoipa::path(post, path = "/api/v1/auth/token", tag = "auth", request_body = TokenRequest,
    responses((status = 201, body = super::shapes::IssuedToken), (status = 401, body = ErrorBody),
        (status = 429, description = "Too many failed logins; see Retry-After", body = ErrorBody)))]
#[post("/auth/token")]
async fn issue(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: super::body::Json<TokenRequest>,
) -> Result<HttpResponse, ApiError> {
    let client = crate::web::auth::client_addr(&req, &state.settings);
    let b = body.into_inner();
    let (token, info) = blocking(move || {
        auth::issue_token(&state.pool, &b.email, &b.password, b.name.as_deref(), client.as_deref(), state.clock.now())
    })
    .await?;
    Ok(HttpResponse::Created()
        .json(json!({"token": token, "id": info.id, "name": info.name, "created_at": info.created_at})))
}

/// My live tokens (never the secrets themselves).
#[utoipa::path(get, path = "/api/v1/auth/tokens", tag = "auth", security(("bearer" = [])), responses((status = 200, body = super::shapes::Tokens), (status = 401, description = "Not signed in", body = ErrorBody)))]
#[get("/auth/tokens")]
async fn list(state: web::Data<AppState>, Authed(v): Authed) -> Result<HttpResponse, ApiError> {
    let tokens = blocking(move || auth::tokens(&state.pool, v.id)).await?;
    Ok(HttpResponse::Ok().json(json!({"tokens": tokens})))
}

/// Revokes one of my tokens.
#[utoipa::path(delete, path = "/api/v1/auth/tokens/{id}", tag = "auth", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 204, description = "Revoked"), (status = 404, body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody)))]
#[delete("/auth/tokens/{id}")]
async fn revoke(state: web::Data<AppState>, Authed(v): Authed, id: web::Path<i64>) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    blocking(move || auth::revoke(&state.pool, v.id, id, state.clock.now())).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PasswordChange {
    current: String,
    new: String,
}

/// Changes my password. Every page session and API token of mine ends, the one used
/// for this request included: sign in again with the new password.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "me", security(("bearer" = [])), request_body = PasswordChange,
    responses((status = 204, description = "Changed; every session and token of mine has ended"),
        (status = 422, description = "`current` is wrong, or `new` fails the policy", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody)))]
#[post("/me/password")]
async fn change_password(
    state: web::Data<AppState>,
    Authed(v): Authed,
    body: super::body::Json<PasswordChange>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    blocking(move || account::change_password(&state.pool, &v, &b.current, &b.new, state.clock.now())).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Ends every page session and API token of mine, the one used here included.
#[utoipa::path(post, path = "/api/v1/me/sign-out-everywhere", tag = "me", security(("bearer" = [])),
    responses((status = 204, description = "Every session and token of mine has ended"), (status = 401, description = "Not signed in", body = ErrorBody)))]
#[post("/me/sign-out-everywhere")]
async fn sign_out_everywhere(state: web::Data<AppState>, Authed(v): Authed) -> Result<HttpResponse, ApiError> {
    blocking(move || account::sign_out_everywhere(&state.pool, v.id, state.clock.now())).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Mounts these routes (inside `/api/v1`).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(issue).service(list).service(revoke).service(change_password).service(sign_out_everywhere);
}
