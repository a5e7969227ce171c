//! `GET /api/v1/dashboard` and `GET /api/v1/dashboard.csv` for leads and admins.

use super::views::DashboardJson;
use crate::domain::access::Viewer;
use crate::domain::task::StaffId;
use crate::error::ErrorCode;
use crate::services::dashboard::{self, By, Dashboard, Filter, Period};
use crate::services::AppError;
use crate::web::auth::Authed;
use crate::web::error::{ApiError, ErrorBody};
use crate::web::{blocking, AppState};
use actix_web::{get, web, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;

#[derive(Deserialize, utoipa::IntoParams)]
pub(crate) struct DashboardQuery {
    /// First day, YYYY-MM-DD (default: 29 days before `to`).
    #[param(value_type = Option<String>, format = Date)]
    from: Option<String>,
    /// Last day, YYYY-MM-DD (default: today in the company's zone).
    #[param(value_type = Option<String>, format = Date)]
    to: Option<String>,
    /// `department` (default), `position`, `person` or `template`.
    #[param(value_type = Option<super::shapes::GroupBy>)]
    by: Option<String>,
    /// Only this department.
    department: Option<String>,
    /// Only this position.
    position: Option<String>,
    /// Only tasks assigned to or completed by this person (staff id).
    person: Option<i64>,
}

fn date(field: &str, s: Option<&str>) -> Result<Option<NaiveDate>, ApiError> {
    s.map(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| ApiError::invalid(field, ErrorCode::InvalidDate)))
        .transpose()
}

async fn load(state: web::Data<AppState>, v: Viewer, q: DashboardQuery) -> Result<Dashboard, ApiError> {
    let by = match q.by.as_deref() {
        None => By::Department,
        Some(s) => By::parse(s).ok_or_else(|| {
            ApiError(
                AppError::invalid("by", ErrorCode::InvalidChoice)
                    .arg("value", s)
                    .arg("allowed", "department, position, person, template"),
            )
        })?,
    };
    let (from, to) = (date("from", q.from.as_deref())?, date("to", q.to.as_deref())?);
    blocking(move || {
        let now = state.clock.now();
        let (from, to) = Period::Custom { from, to }.resolve(&state.pool, now)?;
        let filter = Filter { department: q.department, position: q.position, person: q.person.map(StaffId) };
        dashboard::dashboard(&state.pool, &v, from, to, by, &filter, now)
    })
    .await
    .map_err(ApiError)
}

/// Completion figures of a period, one row per department, position, person or template.
#[utoipa::path(get, path = "/api/v1/dashboard", tag = "dashboard", security(("bearer" = [])), params(DashboardQuery),
    responses((status = 200, body = DashboardJson), (status = 403, description = "Not a lead or admin", body = ErrorBody),
        (status = 404, description = "A department you do not lead", body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 401, body = ErrorBody)))]
#[get("/dashboard")]
async fn json(
    state: web::Data<AppState>,
    Authed(v): Authed,
    q: web::Query<DashboardQuery>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(DashboardJson::from(load(state, v, q.into_inner()).await?)))
}

/// The same as CSV (UTF-8 with a BOM, so Excel reads Chinese correctly).
#[utoipa::path(get, path = "/api/v1/dashboard.csv", tag = "dashboard", security(("bearer" = [])), params(DashboardQuery),
    responses((status = 200, content_type = "text/csv", body = String), (status = 403, body = ErrorBody), (status = 404, description = "No such department, position or person of yours", body = ErrorBody), (status = 401, body = ErrorBody)))]
#[get("/dashboard.csv")]
async fn csv(
    state: web::Data<AppState>,
    req: actix_web::HttpRequest,
    Authed(v): Authed,
    q: web::Query<DashboardQuery>,
) -> Result<HttpResponse, ApiError> {
    // Column names in the reader's language, as the audit CSV's.
    let accept = req.headers().get(actix_web::http::header::ACCEPT_LANGUAGE).and_then(|h| h.to_str().ok());
    let tr = crate::i18n::Tr(crate::i18n::Lang::from_accept(accept, crate::i18n::Lang::Zh));
    let d = load(state, v, q.into_inner()).await?;
    let name = format!("dutyday-{}-{}-{:?}.csv", d.from, d.to, d.by).to_lowercase();
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(("Content-Disposition", format!("attachment; filename=\"{name}\"")))
        .body(dashboard::to_csv(&d, tr)))
}

/// Mounts these routes (inside `/api/v1`).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(csv).service(json);
}
