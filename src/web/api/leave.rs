//! Leave: ask for it, answer it, record it, cancel it, and see it.

use crate::domain::leave::{HalfDay, LeaveStatus};
use crate::domain::task::StaffId;
use crate::error::{AppError, ErrorCode};
use crate::services::leave::{self, LeaveInput, LeaveView};
use crate::services::staffing::Reconciled;
use crate::web::auth::Authed;
use crate::web::error::{ApiError, ErrorBody};
use crate::web::{blocking, AppState};
use actix_web::{get, post, web, HttpResponse};
use serde::{Deserialize, Serialize};

/// A leave.
#[derive(Serialize, utoipa::ToSchema)]
pub struct LeaveJson {
    pub id: i64,
    pub staff_id: i64,
    pub name: String,
    pub from: chrono::NaiveDate,
    pub to: chrono::NaiveDate,
    /// `am` or `pm` for half of one day; none for whole days.
    pub half_day: Option<String>,
    pub reason: String,
    /// `requested`, `approved`, `declined` or `cancelled`.
    pub status: String,
    pub requested_at: Option<chrono::DateTime<chrono::Utc>>,
    pub decided_by: Option<String>,
    pub decided_at: Option<chrono::DateTime<chrono::Utc>>,
    pub answer: String,
    pub can_decide: bool,
    pub can_cancel: bool,
}

impl From<LeaveView> for LeaveJson {
    fn from(l: LeaveView) -> Self {
        LeaveJson {
            id: l.id,
            staff_id: l.staff.0,
            name: l.name,
            from: l.from,
            to: l.to,
            half_day: l.half_day.map(|h| h.as_str().to_string()),
            reason: l.reason,
            status: l.status.as_str().to_string(),
            requested_at: l.requested_at.map(|t| t.and_utc()),
            decided_by: l.decided_by,
            decided_at: l.decided_at.map(|t| t.and_utc()),
            answer: l.answer,
            can_decide: l.can_decide,
            can_cancel: l.can_cancel,
        }
    }
}

/// My leave, what waits for my answer, and my people's.
#[derive(Serialize, utoipa::ToSchema)]
pub struct LeaveBoardJson {
    pub mine: Vec<LeaveJson>,
    pub to_decide: Vec<LeaveJson>,
    pub team: Vec<LeaveJson>,
}

/// My leave (the last 90 days on), what waits for my answer, and the leave of the people
/// I answer for.
#[utoipa::path(get, path = "/api/v1/leave", tag = "leave", security(("bearer" = [])),
    responses((status = 200, body = LeaveBoardJson), (status = 401, body = ErrorBody)))]
#[get("/leave")]
async fn board(state: web::Data<AppState>, Authed(v): Authed) -> Result<HttpResponse, ApiError> {
    let b = blocking(move || leave::board(&state.pool, &v, state.clock.now())).await?;
    let conv = |l: Vec<LeaveView>| l.into_iter().map(LeaveJson::from).collect();
    Ok(HttpResponse::Ok().json(LeaveBoardJson { mine: conv(b.mine), to_decide: conv(b.to_decide), team: conv(b.team) }))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct LeaveBody {
    /// First day, YYYY-MM-DD.
    from: chrono::NaiveDate,
    /// Last day, YYYY-MM-DD.
    to: chrono::NaiveDate,
    /// `am` or `pm`: half of one day.
    #[schema(value_type = Option<super::shapes::HalfDay>)]
    half_day: Option<String>,
    #[serde(default)]
    reason: String,
}

impl LeaveBody {
    fn input(self) -> Result<LeaveInput, ApiError> {
        let half_day = match self.half_day.as_deref() {
            None | Some("") => None,
            Some(h) => Some(HalfDay::parse(h).ok_or_else(|| {
                ApiError(
                    AppError::invalid("half_day", ErrorCode::InvalidChoice).arg("value", h).arg("allowed", "am, pm"),
                )
            })?),
        };
        Ok(LeaveInput { from: self.from, to: self.to, half_day, reason: self.reason })
    }
}

/// A leave made.
#[derive(Serialize, utoipa::ToSchema)]
pub struct LeaveMade {
    pub id: i64,
    /// `requested` when asked for, `approved` when recorded.
    pub status: String,
    /// Open tasks handed to a cover.
    pub moved: usize,
}

/// Asks for leave for myself; my lead (else HR) is mailed.
#[utoipa::path(post, path = "/api/v1/leave", tag = "leave", security(("bearer" = [])), request_body = LeaveBody,
    responses((status = 201, body = LeaveMade), (status = 422, description = "Reversed, overlapping, or half a day over several", body = ErrorBody), (status = 401, body = ErrorBody)))]
#[post("/leave")]
async fn ask(
    state: web::Data<AppState>,
    Authed(v): Authed,
    body: super::body::Json<LeaveBody>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner().input()?;
    let id =
        blocking(move || leave::request(&state.pool, &v, &input, &state.settings.base_url, state.clock.now())).await?;
    Ok(HttpResponse::Created().json(LeaveMade { id, status: LeaveStatus::Requested.as_str().into(), moved: 0 }))
}

/// Records approved leave for a person (their lead, HR or an admin).
#[utoipa::path(post, path = "/api/v1/people/{id}/leave", tag = "leave", security(("bearer" = [])), params(("id" = i64, Path)), request_body = LeaveBody,
    responses((status = 201, body = LeaveMade), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody), (status = 401, body = ErrorBody)))]
#[post("/people/{id}/leave")]
async fn record(
    state: web::Data<AppState>,
    Authed(v): Authed,
    id: web::Path<i64>,
    body: super::body::Json<LeaveBody>,
) -> Result<HttpResponse, ApiError> {
    let (staff, input) = (StaffId(id.into_inner()), body.into_inner().input()?);
    let (id, r) = blocking(move || leave::record(&state.pool, &v, staff, &input, state.clock.now())).await?;
    Ok(HttpResponse::Created().json(LeaveMade { id, status: LeaveStatus::Approved.as_str().into(), moved: r.moved }))
}

#[derive(Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct AnswerBody {
    #[serde(default)]
    answer: String,
}

/// What answering or cancelling did to open tasks.
#[derive(Serialize, utoipa::ToSchema)]
pub struct LeaveChanged {
    pub status: String,
    pub moved: usize,
}

fn changed(status: LeaveStatus, r: Reconciled) -> HttpResponse {
    HttpResponse::Ok().json(LeaveChanged { status: status.as_str().into(), moved: r.moved })
}

/// Approves asked-for leave: the person's open tasks in it go to their cover.
#[utoipa::path(post, path = "/api/v1/leave/{id}/approve", tag = "leave", security(("bearer" = [])), params(("id" = i64, Path)), request_body = AnswerBody,
    responses((status = 200, body = LeaveChanged), (status = 409, description = "Already answered", body = ErrorBody), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody), (status = 401, body = ErrorBody)))]
#[post("/leave/{id}/approve")]
async fn approve(
    state: web::Data<AppState>,
    Authed(v): Authed,
    id: web::Path<i64>,
    body: Option<super::body::Json<AnswerBody>>,
) -> Result<HttpResponse, ApiError> {
    answer(state, v, id.into_inner(), true, body.map(|b| b.into_inner().answer).unwrap_or_default()).await
}

/// Declines asked-for leave.
#[utoipa::path(post, path = "/api/v1/leave/{id}/decline", tag = "leave", security(("bearer" = [])), params(("id" = i64, Path)), request_body = AnswerBody,
    responses((status = 200, body = LeaveChanged), (status = 409, body = ErrorBody), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody), (status = 401, body = ErrorBody)))]
#[post("/leave/{id}/decline")]
async fn decline(
    state: web::Data<AppState>,
    Authed(v): Authed,
    id: web::Path<i64>,
    body: Option<super::body::Json<AnswerBody>>,
) -> Result<HttpResponse, ApiError> {
    answer(state, v, id.into_inner(), false, body.map(|b| b.into_inner().answer).unwrap_or_default()).await
}

async fn answer(
    state: web::Data<AppState>,
    v: crate::domain::access::Viewer,
    id: i64,
    yes: bool,
    text: String,
) -> Result<HttpResponse, ApiError> {
    let r =
        blocking(move || leave::decide(&state.pool, &v, id, yes, &text, &state.settings.base_url, state.clock.now()))
            .await?;
    Ok(changed(if yes { LeaveStatus::Approved } else { LeaveStatus::Declined }, r))
}

/// Cancels leave asked for or approved (the person, their lead, HR or an admin); tasks
/// still open come back.
#[utoipa::path(post, path = "/api/v1/leave/{id}/cancel", tag = "leave", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = LeaveChanged), (status = 409, body = ErrorBody), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody), (status = 401, body = ErrorBody)))]
#[post("/leave/{id}/cancel")]
async fn cancel(state: web::Data<AppState>, Authed(v): Authed, id: web::Path<i64>) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let r = blocking(move || leave::cancel(&state.pool, &v, id, state.clock.now())).await?;
    Ok(changed(LeaveStatus::Cancelled, r))
}

/// Mounts these routes (inside `/api/v1`).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(board).service(ask).service(record).service(approve).service(decline).service(cancel);
}
