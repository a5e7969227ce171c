//! Templates for admins: one with its next due times and versions; pause, resume,
//! retire; a change or a new template from a date, with a preview first. The same
//! service, checks and audit as the pages and `dutyday catalog apply`.

use super::views::TemplateJson;
use crate::domain::template::TemplateSpec;
use crate::error::ErrorCode;
use crate::services::{template_admin, template_edit};
use crate::web::auth::Authed;
use crate::web::error::{ApiError, ErrorBody};
use crate::web::{blocking, AppState};
use actix_web::{get, post, put, web, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// Mounts the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(list).service(add).service(preview).service(retire).service(detail).service(change).service(pause);
}

/// A template as written, and from when it applies.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct TemplateBody {
    /// As in `templates.toml` (`id`, `duty`, `zh`, `en`, `schedule` or `trigger`, `due`, …).
    spec: TemplateSpec,
    /// The first date it applies to (default: today; not before today).
    #[schema(value_type = Option<String>, format = Date)]
    effective: Option<NaiveDate>,
    /// Why, shown on the tasks it cancels.
    #[serde(default)]
    reason: String,
}

/// Retiring a template.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RetireBody {
    #[schema(value_type = Option<String>, format = Date)]
    effective: Option<NaiveDate>,
    /// Shown to the people whose open tasks it cancels.
    reason: String,
}

/// What a change did.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Saved {
    pub version: i32,
    /// Open tasks from the date moved to the new version.
    pub revised: usize,
    /// Open tasks from the date no longer an occurrence, cancelled.
    pub cancelled: usize,
    /// Tasks made for the new version.
    pub created: usize,
}

/// What retiring did.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Retired {
    pub cancelled: usize,
}

/// A template as it would be.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PreviewJson {
    pub spec: TemplateSpec,
    /// The next 10 due times (company zone, RFC 3339) from the effective date.
    pub next: Vec<String>,
}

/// The task templates as written in the catalogue.
#[utoipa::path(get, path = "/api/v1/templates", tag = "catalogue", security(("bearer" = [])), responses((status = 200, body = super::shapes::Templates)))]
#[get("/templates")]
async fn list(state: web::Data<AppState>, _: Authed) -> Result<HttpResponse, ApiError> {
    let pool = state.pool.clone();
    let list = blocking(move || crate::services::catalog_view::templates(&pool)).await?;
    let list: Vec<TemplateJson> = list.into_iter().map(TemplateJson::from).collect();
    Ok(HttpResponse::Ok().json(json!({"templates": list})))
}

/// One template (admins): as written, its position and duty, whether it is paused or
/// retired, its next 10 due times (company zone) after holiday shifts, and its versions.
#[utoipa::path(get, path = "/api/v1/templates/{id}", tag = "catalogue", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = super::shapes::TemplateDetail),
        (status = 404, body = ErrorBody), (status = 403, description = "Not an admin", body = ErrorBody), (status = 401, body = ErrorBody)))]
#[get("/templates/{id}")]
async fn detail(
    state: web::Data<AppState>,
    Authed(v): Authed,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let t = blocking(move || template_admin::detail(&state.pool, &v, &id, 10, state.clock.now())).await?;
    Ok(HttpResponse::Ok().json(json!({
        "id": t.item.spec.id, "zh": t.item.spec.zh, "en": t.item.spec.en, "position": t.item.position,
        "duty_zh": t.duty_zh, "duty_en": t.duty_en, "paused_at": t.item.paused_at.map(|t| t.and_utc()), "retired_on": t.item.retired_on,
        "retire_reason": t.item.retire_reason, "version": t.item.version, "versions": t.versions, "next": t.next,
        "spec": t.item.spec,
    })))
}

/// Pauses (`pause`) or resumes (`resume`) a template (admins); audited.
#[utoipa::path(post, path = "/api/v1/templates/{id}/{verb}", tag = "catalogue", security(("bearer" = [])),
    params(("id" = String, Path), ("verb" = String, Path, description = "`pause` or `resume`")),
    responses((status = 204, description = "Done"), (status = 404, body = ErrorBody), (status = 403, description = "Not an admin", body = ErrorBody), (status = 401, body = ErrorBody)))]
#[post("/templates/{id}/{verb}")]
async fn pause(
    state: web::Data<AppState>,
    Authed(v): Authed,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, verb) = path.into_inner();
    let pause = match verb.as_str() {
        "pause" => true,
        "resume" => false,
        _ => return Err(ApiError::new(ErrorCode::NoSuchPage)),
    };
    blocking(move || template_admin::set_paused(&state.pool, &v, &id, pause, state.clock.now())).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// What a template would be (a change when `id` names one, else a new one), with its
/// next 10 due times; nothing is saved. The same checks as saving.
#[utoipa::path(post, path = "/api/v1/templates/preview", tag = "catalogue", security(("bearer" = [])), request_body = TemplateBody,
    params(("id" = Option<String>, Query, description = "The template being changed")),
    responses((status = 200, body = PreviewJson), (status = 422, description = "The template does not validate (the same words as the files)", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody), (status = 401, body = ErrorBody)))]
#[post("/templates/preview")]
async fn preview(
    state: web::Data<AppState>,
    Authed(v): Authed,
    q: web::Query<std::collections::HashMap<String, String>>,
    body: super::body::Json<TemplateBody>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let effective = b.effective;
    let p = blocking(move || {
        template_edit::preview(&state.pool, &v, q.get("id").map(String::as_str), b.spec, effective, state.clock.now())
    })
    .await?;
    Ok(HttpResponse::Ok().json(PreviewJson { spec: p.spec, next: p.next }))
}

async fn save(
    state: web::Data<AppState>,
    v: crate::domain::access::Viewer,
    id: Option<String>,
    b: TemplateBody,
) -> Result<Saved, ApiError> {
    let effective = b.effective;
    let s = blocking(move || {
        let horizon = state.settings.horizon_days;
        template_edit::save(&state.pool, &v, id.as_deref(), b.spec, effective, &b.reason, horizon, state.clock.now())
    })
    .await?;
    Ok(Saved { version: s.version, revised: s.tasks.revised, cancelled: s.tasks.cancelled, created: s.created })
}

/// Changes a template from a date (admins): a new version; its open tasks from then
/// follow it (or are cancelled where it no longer has their occurrence); earlier ones
/// keep the version they were made under. Audited.
#[utoipa::path(put, path = "/api/v1/templates/{id}", tag = "catalogue", security(("bearer" = [])), params(("id" = String, Path)), request_body = TemplateBody,
    responses((status = 200, body = Saved), (status = 422, description = "Does not validate, a changed id, or a date in the past", body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 403, description = "Not an admin", body = ErrorBody), (status = 401, body = ErrorBody)))]
#[put("/templates/{id}")]
async fn change(
    state: web::Data<AppState>,
    Authed(v): Authed,
    id: web::Path<String>,
    body: super::body::Json<TemplateBody>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(save(state, v, Some(id.into_inner()), body.into_inner()).await?))
}

/// A new template for a duty (admins), from a date. Audited.
#[utoipa::path(post, path = "/api/v1/templates", tag = "catalogue", security(("bearer" = [])), request_body = TemplateBody,
    responses((status = 201, body = Saved), (status = 422, description = "Does not validate, a taken id, or a date in the past", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody), (status = 401, body = ErrorBody)))]
#[post("/templates")]
async fn add(
    state: web::Data<AppState>,
    Authed(v): Authed,
    body: super::body::Json<TemplateBody>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Created().json(save(state, v, None, body.into_inner()).await?))
}

/// Retires a template from a date (admins): it makes nothing from then on, and its
/// open tasks from that date are cancelled with the reason. Audited.
#[utoipa::path(post, path = "/api/v1/templates/{id}/retire", tag = "catalogue", security(("bearer" = [])), params(("id" = String, Path)), request_body = RetireBody,
    responses((status = 200, body = Retired), (status = 422, description = "No reason, or a date in the past", body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 403, description = "Not an admin", body = ErrorBody), (status = 401, body = ErrorBody)))]
#[post("/templates/{id}/retire")]
async fn retire(
    state: web::Data<AppState>,
    Authed(v): Authed,
    id: web::Path<String>,
    body: super::body::Json<RetireBody>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let effective = b.effective;
    let id = id.into_inner();
    let e =
        blocking(move || template_edit::retire(&state.pool, &v, &id, effective, &b.reason, state.clock.now())).await?;
    Ok(HttpResponse::Ok().json(Retired { cancelled: e.cancelled }))
}
