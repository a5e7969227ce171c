//! `/me`, `/me/tasks`, `/tasks/{id}` and the actions on a task.

use super::views::{DayListJson, LogJson, TaskChanged, TaskWithHistory};
use crate::domain::completion::CompletionInput;
use crate::domain::task::TaskId;
use crate::error::ErrorCode;
use crate::services::askers::Secret;
use crate::services::tasks::{self, Act};
use crate::services::{asking, day_list};
use crate::web::auth::Authed;
use crate::web::auth::{bearer, unauthenticated};
use crate::web::error::{ApiError, ErrorBody};
use crate::web::etag;
use crate::web::{blocking, AppState};
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::{json, Value};

/// The signed-in person.
#[utoipa::path(get, path = "/api/v1/me", tag = "me", security(("bearer" = [])),
    responses((status = 200, description = "Who I am", body = super::shapes::Me), (status = 401, description = "Not signed in", body = ErrorBody)))]
#[get("/me")]
async fn me(Authed(v): Authed) -> HttpResponse {
    HttpResponse::Ok().json(json!({
        "id": v.id, "name": v.name, "admin": v.admin, "locale": v.locale,
        "positions": v.positions, "leads": v.leads,
    }))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub(crate) struct DayQuery {
    /// YYYY-MM-DD; default today in the company's zone.
    #[param(value_type = Option<String>, format = Date)]
    date: Option<String>,
}

/// My tasks for a day (default today): overdue ones, the day's, the next 7 days.
/// Gzipped (`Content-Encoding: gzip`) when `Accept-Encoding` takes gzip.
#[utoipa::path(get, path = "/api/v1/me/tasks", tag = "tasks", security(("bearer" = [])), params(DayQuery),
    responses((status = 200, body = DayListJson, headers(("ETag" = String, description = "Send it back in If-None-Match: an unchanged list is then 304"))),
        (status = 304, description = "Unchanged since the ETag given in If-None-Match"),
        (status = 422, description = "Bad date", body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody)))]
#[get("/me/tasks")]
async fn my_tasks(
    state: web::Data<AppState>,
    req: HttpRequest,
    q: web::Query<DayQuery>,
) -> Result<HttpResponse, ApiError> {
    // Who is asking: one statement shared with whoever else asks at the moment
    // (`services::asking`). Their list: as the process keeps it when it has not
    // changed (`list_cache`), else read in one more statement, one hop off the async
    // workers (`services::day_list`).
    let token = bearer(&req).ok_or_else(unauthenticated)?;
    let date = q.into_inner().date.map(|d| {
        NaiveDate::parse_from_str(&d, "%Y-%m-%d").map_err(|_| ApiError::invalid("date", ErrorCode::InvalidDate))
    });
    let (found, now) = asking::ask(&state, Secret::Token, &token).await?;
    let (asker, stamp) = found.ok_or_else(unauthenticated)?;
    let date = date.transpose()?;
    let gzip = etag::takes_gzip(&req);
    let list = match day_list::json_if_kept(&state.lists, (&asker.0, &asker.1), &stamp, date, now, gzip)? {
        Some(kept) => kept,
        None => {
            blocking(move || {
                let conn = &mut state.pool.get()?;
                day_list::json_kept(&mut conn.any(), &state.lists, asker, stamp, date, now, (etag::tag_of, gzip))
            })
            .await?
        }
    };
    Ok(etag::respond_tagged(&req, "application/json", list.body, &list.tag, list.gzipped))
}

/// One task with its history.
#[utoipa::path(get, path = "/api/v1/tasks/{id}", tag = "tasks", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = TaskWithHistory), (status = 404, description = "No such task, or not yours to see", body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody)))]
#[get("/tasks/{id}")]
async fn one_task(state: web::Data<AppState>, Authed(v): Authed, id: web::Path<i64>) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let (task, history) = blocking(move || tasks::get(&state.pool, &v, TaskId(id), state.clock.now())).await?;
    let history = history.into_iter().map(LogJson::from).collect();
    Ok(HttpResponse::Ok().json(TaskWithHistory { task: task.into(), history }))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CompleteBody {
    note: Option<String>,
    /// Figure values by key, as the template asks for them.
    #[schema(value_type = Option<Object>)]
    figures: Option<Value>,
    #[serde(default)]
    signoff: bool,
}

/// Completes a task with what its template asks for (a JSON object; `{}` for a tick).
#[utoipa::path(post, path = "/api/v1/tasks/{id}/complete", tag = "tasks", security(("bearer" = [])), params(("id" = i64, Path)), request_body = CompleteBody,
    responses((status = 200, body = TaskChanged), (status = 409, description = "Already done or skipped", body = ErrorBody),
        (status = 422, description = "A missing or ill-typed figure, note or sign-off", body = ErrorBody), (status = 404, body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody)))]
#[post("/tasks/{id}/complete")]
async fn complete(
    state: web::Data<AppState>,
    Authed(v): Authed,
    id: web::Path<i64>,
    body: super::body::Json<CompleteBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let figures = tasks::figures_from_json(body.figures)?;
    let input = CompletionInput { note: body.note, figures, signoff: body.signoff };
    run(state, v, id.into_inner(), Act::Complete(input)).await
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SkipBody {
    reason: Option<String>,
}

/// Skips a task, with a reason.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/skip", tag = "tasks", security(("bearer" = [])), params(("id" = i64, Path)), request_body = SkipBody,
    responses((status = 200, body = TaskChanged), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody)))]
#[post("/tasks/{id}/skip")]
async fn skip(
    state: web::Data<AppState>,
    Authed(v): Authed,
    id: web::Path<i64>,
    body: super::body::Json<SkipBody>,
) -> Result<HttpResponse, ApiError> {
    run(state, v, id.into_inner(), Act::Skip { reason: body.into_inner().reason }).await
}

/// Reopens a done or skipped task (within 10 minutes, or by a lead or admin).
#[utoipa::path(post, path = "/api/v1/tasks/{id}/reopen", tag = "tasks", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = TaskChanged), (status = 409, body = ErrorBody), (status = 404, body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody)))]
#[post("/tasks/{id}/reopen")]
async fn reopen(state: web::Data<AppState>, Authed(v): Authed, id: web::Path<i64>) -> Result<HttpResponse, ApiError> {
    run(state, v, id.into_inner(), Act::Reopen).await
}

async fn run(
    state: web::Data<AppState>,
    v: crate::domain::access::Viewer,
    id: i64,
    act: Act,
) -> Result<HttpResponse, ApiError> {
    let task =
        blocking(move || tasks::act_at(&state.pool, &v, TaskId(id), act, &state.settings.base_url, state.clock.now()))
            .await?;
    Ok(HttpResponse::Ok().json(TaskChanged { task: task.into() }))
}

/// Mounts these routes (inside `/api/v1`).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(me).service(my_tasks).service(one_task).service(complete).service(skip).service(reopen);
}
