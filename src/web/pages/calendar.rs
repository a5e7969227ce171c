//! 工作日历 for admins: the loaded years of each calendar, and a file (uploaded or
//! pasted) shown against what is loaded before it is loaded.

use super::{chrome, csrf_ok, flash, html, see_other, signed_in, Chrome, Helpers};
use crate::error::{AppError, ErrorCode};
use crate::services::calendar_admin::{self, CalendarPlan, Overview};
use crate::web::{blocking, error, AppState};
use actix_multipart::form::{bytes::Bytes, text::Text, MultipartForm};
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;

#[derive(Template)]
#[template(path = "pages/calendar.html")]
struct CalendarPage {
    c: Chrome,
    overview: Overview,
    plan: Option<CalendarPlan>,
    /// The chosen calendar ('' the company's) and the file's text, carried to loading.
    calendar: String,
    tsv: String,
}

impl Helpers for CalendarPage {}

impl CalendarPage {
    fn name_of(&self, calendar: &str) -> String {
        if calendar.is_empty() {
            self.c.tr.t("calendar_company")
        } else {
            calendar.to_string()
        }
    }

    /// A loaded file's name without its folder (the page says who loaded the others).
    fn file_name(&self, source: &str) -> String {
        source.rsplit(['/', '\\']).next().unwrap_or(source).to_string()
    }

    fn day(&self, d: &Option<(String, String)>) -> String {
        match d {
            Some((kind, name)) => format!("{} {name}", self.c.tr.t(format!("calendar_{kind}"))),
            None => self.c.tr.t("calendar_usual"),
        }
    }
}

async fn overview(state: &AppState, v: crate::domain::access::Viewer) -> Result<Overview, AppError> {
    let st = state.pool.clone();
    blocking(move || calendar_admin::overview(&st, &v)).await
}

async fn page(state: web::Data<AppState>, session: Session) -> HttpResponse {
    let v = match signed_in(&state, &session).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let c = chrome(&session, &v, "/admin/calendar");
    match overview(&state, v).await {
        Ok(overview) => {
            html(StatusCode::OK, &CalendarPage { c, overview, plan: None, calendar: String::new(), tsv: String::new() })
        }
        Err(e) => error::page(c, &e),
    }
}

#[derive(MultipartForm)]
struct Upload {
    csrf: Option<Text<String>>,
    calendar: Option<Text<String>>,
    file: Option<Bytes>,
    tsv: Option<Text<String>>,
    /// Present when the shown plan is to be loaded.
    apply: Option<Text<String>>,
}

async fn upload(state: web::Data<AppState>, session: Session, MultipartForm(f): MultipartForm<Upload>) -> HttpResponse {
    let v = match signed_in(&state, &session).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let c = chrome(&session, &v, "/admin/calendar");
    if !csrf_ok(&session, f.csrf.as_ref().map(|t| t.as_str())) {
        return error::page(c, &AppError::new(ErrorCode::CsrfExpired));
    }
    let calendar = f.calendar.map(|t| t.into_inner()).unwrap_or_default();
    let tsv = match (f.tsv.map(|t| t.into_inner()), f.file) {
        (Some(t), _) if !t.trim().is_empty() => t,
        (_, Some(file)) if !file.data.is_empty() => String::from_utf8_lossy(&file.data).into_owned(),
        _ => String::new(),
    };
    let (st, viewer, cal, text, load) = (state.clone(), v.clone(), calendar.clone(), tsv.clone(), f.apply.is_some());
    let run = blocking(move || {
        if text.trim().is_empty() {
            return Err(AppError::invalid("tsv", ErrorCode::Required));
        }
        if load {
            calendar_admin::load(&st.pool, &viewer, &cal, &text, st.clock.now())
        } else {
            calendar_admin::plan(&st.pool, &viewer, &cal, &text)
        }
    })
    .await;
    let years = |p: &CalendarPlan| p.years.iter().map(i32::to_string).collect::<Vec<_>>().join(", ");
    match run {
        Ok(p) if load => {
            flash(&session, c.tr.with("calendar_loaded", "years", &years(&p)));
            see_other("/admin/calendar")
        }
        Ok(p) => match overview(&state, v).await {
            Ok(overview) => html(StatusCode::OK, &CalendarPage { c, overview, plan: Some(p), calendar, tsv }),
            Err(e) => error::page(c, &e),
        },
        Err(e) if e.is_bad_input() => {
            let alert = super::refusal(c.tr, &e);
            match overview(&state, v).await {
                Ok(overview) => {
                    let page =
                        CalendarPage { c: Chrome { alert: Some(alert), ..c }, overview, plan: None, calendar, tsv };
                    html(error::status(&e), &page)
                }
                Err(e) => error::page(c, &e),
            }
        }
        Err(e) => error::page(c, &e),
    }
}

/// Mounts these routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/calendar", web::get().to(page)).route("/admin/calendar", web::post().to(upload));
}
