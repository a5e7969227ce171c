//! People: list, add, edit, deactivate (admins), invitations, and reset links asked
//! for by email.

use crate::domain::task::{PositionId, StaffId};
use crate::services::links;
use crate::services::people::{self, NewPerson, PersonView};
use crate::web::auth::Authed;
use crate::web::error::{ApiError, ErrorBody};
use crate::web::{blocking, AppState};
use actix_web::{get, post, put, web, HttpResponse};
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
async fn reset(state: web::Data<AppState>, body: super::body::Json<ResetRequest>) -> Result<HttpResponse, ApiError> {
    let email = body.into_inner().email;
    blocking(move || links::request_reset(&state.pool, &email, &state.settings.base_url, state.clock.now())).await?;
    Ok(HttpResponse::Accepted().finish())
}

/// A person as admins see them.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PersonJson {
    pub id: i64,
    pub name: String,
    pub email: String,
    /// `zh-CN` or `en`.
    pub locale: String,
    /// Whether they may sign in today.
    pub active: bool,
    /// Their last day, once they leave.
    pub left_on: Option<chrono::NaiveDate>,
    /// Whether they have set a password (else an invitation is pending).
    pub has_password: bool,
    /// Positions held today.
    pub positions: Vec<String>,
}

impl From<PersonView> for PersonJson {
    fn from(p: PersonView) -> Self {
        PersonJson {
            id: p.id.0,
            name: p.name,
            email: p.email,
            locale: p.locale,
            active: p.active,
            left_on: p.left_on,
            has_password: p.has_password,
            positions: p.positions,
        }
    }
}

/// Everyone.
#[derive(Serialize, utoipa::ToSchema)]
pub struct People {
    pub people: Vec<PersonJson>,
}

/// Everyone, with the positions they hold today (admins only).
#[utoipa::path(get, path = "/api/v1/people", tag = "people", security(("bearer" = [])),
    responses((status = 200, body = People), (status = 403, description = "Not an admin", body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody)))]
#[get("/people")]
async fn list(state: web::Data<AppState>, Authed(v): Authed) -> Result<HttpResponse, ApiError> {
    let list = blocking(move || people::list(&state.pool, &v, state.clock.now())).await?;
    Ok(HttpResponse::Ok().json(People { people: list.into_iter().map(PersonJson::from).collect() }))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PersonBody {
    name: String,
    email: String,
    /// `zh-CN` (default) or `en`.
    locale: Option<String>,
    /// Their first day, YYYY-MM-DD.
    start: chrono::NaiveDate,
    /// Positions held from `start`.
    #[serde(default)]
    positions: Vec<String>,
}

/// A person added, and when their invitation's link stops working.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PersonAdded {
    pub id: i64,
    pub invitation_expires_at: chrono::DateTime<chrono::Utc>,
}

/// Adds a person without a password, holding positions from their first day, and
/// mails them an invitation (admins only).
#[utoipa::path(post, path = "/api/v1/people", tag = "people", security(("bearer" = [])), request_body = PersonBody,
    responses((status = 201, body = PersonAdded), (status = 422, description = "A bad or taken email, an unknown or full position", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody)))]
#[post("/people")]
async fn add(
    state: web::Data<AppState>,
    Authed(v): Authed,
    body: super::body::Json<PersonBody>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let person = NewPerson {
        name: b.name,
        email: b.email,
        locale: b.locale,
        start: b.start,
        positions: b.positions.iter().map(|p| PositionId(p.clone())).collect(),
    };
    let (id, until) =
        blocking(move || people::add(&state.pool, &v, &person, &state.settings.base_url, state.clock.now())).await?;
    Ok(HttpResponse::Created().json(PersonAdded { id: id.0, invitation_expires_at: until }))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct EditBody {
    name: String,
    email: String,
    locale: String,
}

/// Changes a person's name, email and language (admins only).
#[utoipa::path(put, path = "/api/v1/people/{id}", tag = "people", security(("bearer" = [])), params(("id" = i64, Path)), request_body = EditBody,
    responses((status = 204, description = "Changed"), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody)))]
#[put("/people/{id}")]
async fn edit(
    state: web::Data<AppState>,
    Authed(v): Authed,
    id: web::Path<i64>,
    body: super::body::Json<EditBody>,
) -> Result<HttpResponse, ApiError> {
    let (staff, b) = (StaffId(id.into_inner()), body.into_inner());
    blocking(move || people::edit(&state.pool, &v, staff, &b.name, &b.email, &b.locale, state.clock.now())).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct DeactivateBody {
    /// Their last day, YYYY-MM-DD.
    last_day: chrono::NaiveDate,
}

/// What leaving did to the tasks.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Deactivated {
    /// Open tasks after the last day that went to someone else.
    pub moved: usize,
    /// Open tasks that no longer exist (a shared task another holder already has).
    pub removed: usize,
}

/// A person leaves after their last day: holdings end, their open tasks after it
/// move by the vacancy rule, and they cannot sign in from the next day (admins only).
#[utoipa::path(post, path = "/api/v1/people/{id}/deactivate", tag = "people", security(("bearer" = [])), params(("id" = i64, Path)), request_body = DeactivateBody,
    responses((status = 200, body = Deactivated), (status = 404, body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody)))]
#[post("/people/{id}/deactivate")]
async fn deactivate(
    state: web::Data<AppState>,
    Authed(v): Authed,
    id: web::Path<i64>,
    body: super::body::Json<DeactivateBody>,
) -> Result<HttpResponse, ApiError> {
    let (staff, last_day) = (StaffId(id.into_inner()), body.into_inner().last_day);
    let r = blocking(move || people::deactivate(&state.pool, &v, staff, last_day, state.clock.now())).await?;
    Ok(HttpResponse::Ok().json(Deactivated { moved: r.moved, removed: r.removed }))
}

/// Mounts these routes (inside `/api/v1`).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(list).service(add).service(edit).service(deactivate).service(invite).service(reset);
}
