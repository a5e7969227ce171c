//! One-off tasks: a lead hands out a piece of work once; they see what they handed out.

use super::views::TaskJson;
use crate::domain::task::{PositionId, StaffId};
use crate::domain::template::CompletionMode;
use crate::error::ErrorCode;
use crate::services::one_off::{self, OneOff};
use crate::web::auth::Authed;
use crate::web::error::{ApiError, ErrorBody};
use crate::web::{blocking, AppState};
use actix_web::{get, post, web, HttpResponse};
use serde::{Deserialize, Serialize};

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct OneOffBody {
    title: String,
    /// What to do.
    #[serde(default)]
    description: String,
    /// The position whose holder does it.
    position: String,
    /// A person who holds the position (else the position's holder, shared).
    person_id: Option<i64>,
    /// Local date and time in the company's zone, `YYYY-MM-DDTHH:MM`.
    #[schema(example = "2026-12-03T18:00")]
    due: String,
    /// `tick`, `note`, `signoff` or `figures`.
    completion: CompletionMode,
    /// With `figures`: what to report, as in a template (`key`, `type` integer |
    /// decimal | text | bool, `zh`, `en`, `required`).
    #[serde(default)]
    figures: Vec<crate::domain::template::FigureSpec>,
}

/// A one-off task made.
#[derive(Serialize, utoipa::ToSchema)]
pub struct OneOffMade {
    pub task_id: i64,
}

/// Assigns a one-off task to a position or a person in a department I lead (admins: any).
#[utoipa::path(post, path = "/api/v1/one-offs", tag = "tasks", security(("bearer" = [])), request_body = OneOffBody,
    responses((status = 201, body = OneOffMade), (status = 422, description = "No title, an unknown position, a person who does not hold it, a due time passed", body = ErrorBody),
        (status = 403, description = "Not the lead of that department", body = ErrorBody), (status = 401, body = ErrorBody)))]
#[post("/one-offs")]
async fn assign(
    state: web::Data<AppState>,
    Authed(v): Authed,
    body: super::body::Json<OneOffBody>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let due = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|f| chrono::NaiveDateTime::parse_from_str(b.due.trim(), f).ok())
        .ok_or_else(|| ApiError::invalid("due", ErrorCode::InvalidDate))?;
    let o = OneOff {
        title: b.title,
        description: b.description,
        position: PositionId(b.position),
        person: b.person_id.map(StaffId),
        due,
        completion: b.completion,
        figures: b.figures,
    };
    let id = blocking(move || one_off::assign(&state.pool, &v, &o, state.clock.now())).await?;
    Ok(HttpResponse::Created().json(OneOffMade { task_id: id.0 }))
}

/// The one-off tasks I assigned.
#[derive(Serialize, utoipa::ToSchema)]
pub struct OneOffs {
    pub tasks: Vec<TaskJson>,
}

/// The one-off tasks I assigned, with their state, newest due first.
#[utoipa::path(get, path = "/api/v1/one-offs", tag = "tasks", security(("bearer" = [])),
    responses((status = 200, body = OneOffs), (status = 401, body = ErrorBody)))]
#[get("/one-offs")]
async fn mine(state: web::Data<AppState>, Authed(v): Authed) -> Result<HttpResponse, ApiError> {
    let list = blocking(move || one_off::mine(&state.pool, &v, state.clock.now())).await?;
    Ok(HttpResponse::Ok().json(OneOffs { tasks: list.into_iter().map(TaskJson::from).collect() }))
}

/// Mounts these routes (inside `/api/v1`).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(assign).service(mine);
}
