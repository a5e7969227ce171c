//! `POST /events`: leads and admins fire a named event.

use crate::error::ErrorCode;
use crate::services::{events, AppError};
use crate::web::auth::Authed;
use crate::web::error::{ApiError, ErrorBody};
use crate::web::{blocking, AppState};
use actix_web::{post, web, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct EventBody {
    /// The event's name, as a template's `trigger.event` (`hire`, `campaign-618`…).
    name: String,
    /// Whom or what it is about (a person's name for `hire`).
    subject: Option<String>,
    /// Its date, YYYY-MM-DD (default today; at most a year from today).
    #[schema(value_type = Option<String>, format = Date)]
    at: Option<String>,
}

/// Fires an event; the same name, subject and date again creates nothing. A lead
/// fires only events whose templates all belong to departments they lead; `at` is
/// at most a year from today.
#[utoipa::path(post, path = "/api/v1/events", tag = "events", security(("bearer" = [])), request_body = EventBody,
    responses((status = 201, description = "Fired", body = super::shapes::Fired), (status = 200, description = "Fired before; nothing new", body = super::shapes::Fired),
        (status = 403, description = "Not a lead or admin, or a lead firing an event that makes work for a department they do not lead", body = ErrorBody), (status = 422, body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody)))]
#[post("/events")]
async fn fire(
    state: web::Data<AppState>,
    Authed(v): Authed,
    body: super::body::Json<EventBody>,
) -> Result<HttpResponse, ApiError> {
    if !(v.admin || v.is_lead()) {
        return Err(AppError::new(ErrorCode::EventsForbidden).into());
    }
    let b = body.into_inner();
    let at = match b.at.as_deref() {
        Some(s) => Some(
            NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| ApiError::invalid("at", ErrorCode::InvalidDate))?,
        ),
        None => None,
    };
    let r = blocking(move || {
        let by = if v.admin { events::FiredBy::Anyone } else { events::FiredBy::LeadOf(&v.leads) };
        events::fire(&state.pool, by, &b.name, b.subject.as_deref(), at, state.clock.now())
    })
    .await?;
    let status = if r.new_event { actix_web::http::StatusCode::CREATED } else { actix_web::http::StatusCode::OK };
    Ok(HttpResponse::build(status).json(json!({
        "event_id": r.event_id, "new_event": r.new_event, "created": r.created, "existing": r.existing, "warning": r.warning,
    })))
}

/// Mounts this route (inside `/api/v1`).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(fire);
}
