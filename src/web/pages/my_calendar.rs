//! 日历订阅 (`/me/calendar`): my task feeds for calendar apps, with how to add them
//! to Google Calendar, Apple Calendar and Outlook. A feed's address is a secret kept
//! only as a hash, so it is shown once, when made; making a new one retires the old.

use super::{chrome, csrf_ok, html, signed_in, Chrome};
use crate::error::{AppError, ErrorCode};
use crate::services::feed;
use crate::web::{blocking, error, AppState};
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

/// The addresses of a feed just made.
struct Links {
    /// `https://…/ical/<secret>-events.ics`: events, for calendar apps.
    events: String,
    /// The same as `webcal://`, which calendar apps open as a subscription.
    events_webcal: String,
    /// `…/ical/<secret>.ics`: to-dos, for task apps.
    todos: String,
}

#[derive(Template)]
#[template(path = "pages/my_calendar.html")]
struct CalendarPage {
    c: Chrome,
    links: Option<Links>,
}

async fn page(state: web::Data<AppState>, session: Session) -> HttpResponse {
    let v = match signed_in(&state, &session).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    html(StatusCode::OK, &CalendarPage { c: chrome(&session, &v, "/me/calendar"), links: None })
}

#[derive(Deserialize)]
struct Form {
    csrf: Option<String>,
}

/// Makes new feed addresses (the old ones stop working) and shows them.
async fn make(state: web::Data<AppState>, session: Session, form: web::Form<Form>) -> HttpResponse {
    let v = match signed_in(&state, &session).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let c = chrome(&session, &v, "/me/calendar");
    if !csrf_ok(&session, form.csrf.as_deref()) {
        return error::page(c, &AppError::new(ErrorCode::CsrfExpired));
    }
    let base = state.settings.base_url.trim_end_matches('/').to_string();
    let (pool, id) = (state.pool.clone(), v.id);
    match blocking(move || feed::rotate(&pool, id)).await {
        Ok(secret) => {
            let events = format!("{base}/ical/{secret}-events.ics");
            let host = events.split_once("://").map_or(events.as_str(), |(_, rest)| rest);
            let links =
                Links { events_webcal: format!("webcal://{host}"), todos: format!("{base}/ical/{secret}.ics"), events };
            html(StatusCode::OK, &CalendarPage { c, links: Some(links) })
        }
        Err(e) => error::page(c, &e),
    }
}

/// Mounts these routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/me/calendar", web::get().to(page)).route("/me/calendar", web::post().to(make));
}
