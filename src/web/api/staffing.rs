//! Who holds which position: a person's tenures, assigning and ending holdings and
//! deputyships, transfers, and people in bulk from a CSV file (admins and HR).

use crate::domain::task::{PositionId, StaffId};
use crate::i18n::Lang;
use crate::services::holdings::NewTenure;
use crate::services::staffing::Reconciled;
use crate::services::{holdings, people_import};
use crate::web::auth::Authed;
use crate::web::error::{ApiError, ErrorBody};
use crate::web::{blocking, AppState};
use actix_web::http::header;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// One tenure: a position held (or deputised for) from a day, until a day.
#[derive(Serialize, utoipa::ToSchema)]
pub struct TenureJson {
    pub position: String,
    pub position_zh: String,
    pub position_en: String,
    pub deputy: bool,
    pub from: chrono::NaiveDate,
    /// The last day; none while it lasts.
    pub to: Option<chrono::NaiveDate>,
    /// Whether it has not ended before today.
    pub current: bool,
}

/// A person's tenures, newest first.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Tenures {
    pub holdings: Vec<TenureJson>,
}

/// What a staffing change did to open tasks.
#[derive(Serialize, utoipa::ToSchema)]
pub struct TasksMoved {
    /// Open tasks that went to someone else.
    pub moved: usize,
    /// Open tasks that no longer exist.
    pub removed: usize,
    /// Tasks created for the new staffing.
    pub created: usize,
}

impl From<Reconciled> for TasksMoved {
    fn from(r: Reconciled) -> Self {
        TasksMoved { moved: r.moved, removed: r.removed, created: r.created }
    }
}

/// A person's positions, past and present (admins, HR, their leads, themselves).
#[utoipa::path(get, path = "/api/v1/people/{id}/holdings", tag = "people", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Tenures), (status = 403, body = ErrorBody), (status = 401, body = ErrorBody)))]
#[get("/people/{id}/holdings")]
async fn list(state: web::Data<AppState>, Authed(v): Authed, id: web::Path<i64>) -> Result<HttpResponse, ApiError> {
    let staff = StaffId(id.into_inner());
    let list = blocking(move || holdings::tenures(&state.pool, &v, staff, state.clock.now())).await?;
    let holdings = list
        .into_iter()
        .map(|t| TenureJson {
            position: t.position,
            position_zh: t.position_zh,
            position_en: t.position_en,
            deputy: t.deputy,
            from: t.from,
            to: t.to,
            current: t.current,
        })
        .collect();
    Ok(HttpResponse::Ok().json(Tenures { holdings }))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AssignBody {
    position: String,
    /// First day, YYYY-MM-DD.
    from: chrono::NaiveDate,
    /// Deputise for the position instead of holding it.
    #[serde(default)]
    deputy: bool,
}

/// The person holds (or deputises for) a position from a day; a new holder is mailed
/// the position's duties (admins and HR).
#[utoipa::path(post, path = "/api/v1/people/{id}/holdings", tag = "people", security(("bearer" = [])), params(("id" = i64, Path)), request_body = AssignBody,
    responses((status = 201, body = TasksMoved), (status = 422, description = "Unknown or full position", body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 401, body = ErrorBody)))]
#[post("/people/{id}/holdings")]
async fn assign(
    state: web::Data<AppState>,
    Authed(v): Authed,
    id: web::Path<i64>,
    body: super::body::Json<AssignBody>,
) -> Result<HttpResponse, ApiError> {
    let (staff, b) = (StaffId(id.into_inner()), body.into_inner());
    let r = blocking(move || {
        let tenure = NewTenure { position: PositionId(b.position), deputy: b.deputy, from: b.from };
        holdings::assign(&state.pool, &v, staff, &tenure, &state.settings.base_url, state.clock.now())
    })
    .await?;
    Ok(HttpResponse::Created().json(TasksMoved::from(r)))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct EndBody {
    position: String,
    /// Last day, YYYY-MM-DD.
    last_day: chrono::NaiveDate,
    /// End a deputyship instead of a holding.
    #[serde(default)]
    deputy: bool,
}

/// The person stops holding (or deputising for) a position after a day (admins and HR).
#[utoipa::path(post, path = "/api/v1/people/{id}/holdings/end", tag = "people", security(("bearer" = [])), params(("id" = i64, Path)), request_body = EndBody,
    responses((status = 200, body = TasksMoved), (status = 422, description = "They do not hold it", body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 401, body = ErrorBody)))]
#[post("/people/{id}/holdings/end")]
async fn end(
    state: web::Data<AppState>,
    Authed(v): Authed,
    id: web::Path<i64>,
    body: super::body::Json<EndBody>,
) -> Result<HttpResponse, ApiError> {
    let (staff, b) = (StaffId(id.into_inner()), body.into_inner());
    let r = blocking(move || {
        let p = PositionId(b.position);
        holdings::end(&state.pool, &v, staff, &p, b.deputy, b.last_day, state.clock.now())
    })
    .await?;
    Ok(HttpResponse::Ok().json(TasksMoved::from(r)))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct TransferBody {
    from_position: String,
    to_position: String,
    /// First day in the new position, YYYY-MM-DD.
    on: chrono::NaiveDate,
}

/// Moves the person from one position to another on a day; open tasks of both follow
/// (admins and HR).
#[utoipa::path(post, path = "/api/v1/people/{id}/transfer", tag = "people", security(("bearer" = [])), params(("id" = i64, Path)), request_body = TransferBody,
    responses((status = 200, body = TasksMoved), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody), (status = 401, body = ErrorBody)))]
#[post("/people/{id}/transfer")]
async fn transfer(
    state: web::Data<AppState>,
    Authed(v): Authed,
    id: web::Path<i64>,
    body: super::body::Json<TransferBody>,
) -> Result<HttpResponse, ApiError> {
    let (staff, b) = (StaffId(id.into_inner()), body.into_inner());
    let r = blocking(move || {
        let (from, to) = (PositionId(b.from_position), PositionId(b.to_position));
        holdings::transfer(&state.pool, &v, staff, &from, &to, b.on, &state.settings.base_url, state.clock.now())
    })
    .await?;
    Ok(HttpResponse::Ok().json(TasksMoved::from(r)))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub(crate) struct ImportQuery {
    /// List what would change, and change nothing.
    #[serde(default)]
    dry_run: bool,
}

/// People from a CSV file (UTF-8 with or without BOM, or GB18030) as the body: the plan
/// with `dry_run=true`, else applied. Any bad row changes nothing; every problem is
/// listed under `problems` (admins and HR).
#[utoipa::path(post, path = "/api/v1/people/import", tag = "people", security(("bearer" = [])), params(ImportQuery),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = super::shapes::ImportPlan),
        (status = 422, description = "`{error, problems: [{row, field, code, message}]}`", body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 401, body = ErrorBody)))]
#[post("/people/import")]
async fn import(
    state: web::Data<AppState>,
    Authed(v): Authed,
    req: HttpRequest,
    query: web::Query<ImportQuery>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let accept = req.headers().get(header::ACCEPT_LANGUAGE).and_then(|h| h.to_str().ok());
    let lang = Lang::from_accept(accept, Lang::En);
    let dry = query.dry_run;
    let report = blocking(move || {
        people_import::import(&state.pool, &v, &body, dry, lang, &state.settings.base_url, state.clock.now())
    })
    .await?;
    if let Some(first) = report.problems.first() {
        let error = json!({"code": "csv_row", "message": first.message, "field": first.field});
        return Ok(HttpResponse::UnprocessableEntity().json(json!({"error": error, "problems": report.problems})));
    }
    Ok(HttpResponse::Ok().json(json!({"applied": report.applied, "rows": report.rows})))
}

/// Mounts these routes (inside `/api/v1`), before `/people/{id}`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(import).service(list).service(assign).service(end).service(transfer);
}
