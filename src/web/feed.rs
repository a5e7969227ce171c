//! `GET /ical/{secret}.ics` and `POST /api/v1/me/ical` (rotate).

use super::auth::Authed;
use super::error::{ApiError, ErrorBody};
use super::{blocking, etag, AppState};
use crate::domain::ical::Kind;
use crate::error::ErrorCode;
use crate::services::feed;
use actix_web::http::header;
use actix_web::{post, route, web, HttpRequest, HttpResponse};
use serde_json::json;

/// The calendar feed: `<secret>.ics` carries to-dos, `<secret>-events.ics` the same
/// tasks as events (what Google Calendar, Apple Calendar and Outlook show). Unknown
/// or rotated secrets are 404. With `ETag` and `Last-Modified`, so an unchanged feed
/// is a bodiless 304; HEAD answers the headers alone.
#[utoipa::path(get, path = "/ical/{file}", tag = "me", params(("file" = String, Path, description = "`<secret>.ics` (VTODO) or `<secret>-events.ics` (VEVENT)")),
    responses((status = 200, description = "RFC 5545 tasks of the next 30 days and overdue ones", content_type = "text/calendar"),
        (status = 304, description = "Unchanged since the ETag or date given"), (status = 404, body = ErrorBody)))]
#[route("/ical/{file}", method = "GET", method = "HEAD")]
async fn ics(state: web::Data<AppState>, req: HttpRequest, file: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let not_found = || ApiError::new(ErrorCode::FeedNotFound);
    let file = file.into_inner();
    let (secret, kind) = match file.strip_suffix("-events.ics") {
        Some(s) => (s.to_string(), Kind::Events),
        None => (file.strip_suffix(".ics").ok_or_else(not_found)?.to_string(), Kind::Todos),
    };
    let feed = blocking(move || feed::render(&state.pool, &secret, &state.settings.base_url, kind, state.clock.now()))
        .await?
        .ok_or_else(not_found)?;
    let tag = etag::tag_of(feed.body.as_bytes());
    let modified = feed.last_modified.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
    // If-Modified-Since counts only without If-None-Match (RFC 9110, 13.1.3).
    let unchanged = match req.headers().contains_key(header::IF_NONE_MATCH) {
        true => etag::matches(&req, &tag),
        false => req
            .headers()
            .get(header::IF_MODIFIED_SINCE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| chrono::DateTime::parse_from_rfc2822(v).ok())
            .is_some_and(|since| feed.last_modified.timestamp() <= since.timestamp()),
    };
    let mut res = match unchanged {
        true => HttpResponse::NotModified(),
        false => HttpResponse::Ok(),
    };
    res.insert_header((header::ETAG, tag))
        .insert_header((header::LAST_MODIFIED, modified))
        .insert_header((header::CACHE_CONTROL, "private, max-age=300"));
    Ok(match unchanged {
        true => res.finish(),
        false => res.content_type("text/calendar; charset=utf-8").body(feed.body),
    })
}

/// Makes a new feed secret for me; the old URL stops working. The URL is shown only now.
#[utoipa::path(post, path = "/api/v1/me/ical", tag = "me", security(("bearer" = [])), responses((status = 201, body = crate::web::api::shapes::FeedUrl), (status = 401, description = "Not signed in", body = ErrorBody)))]
#[post("/api/v1/me/ical")]
async fn rotate(state: web::Data<AppState>, Authed(v): Authed) -> Result<HttpResponse, ApiError> {
    let base = state.settings.base_url.trim_end_matches('/').to_string();
    let secret = blocking(move || feed::rotate(&state.pool, v.id)).await?;
    Ok(HttpResponse::Created().json(json!({"url": format!("{base}/ical/{secret}.ics")})))
}

/// Mounts these routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(ics).service(rotate);
}
