//! The dashboard's duty level opened: one duty's tasks of a period, in the scope the
//! dashboard was looking at (a department, a position, a person).

use super::dashboard::Query;
use super::{chrome, html, signed_in, Chrome, Helpers};
use crate::error::{AppError, ErrorCode};
use crate::services::dashboard::{self, Period};
use crate::services::tasks::TaskView;
use crate::web::{blocking, error, AppState};
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::NaiveDate;

#[derive(Template)]
#[template(path = "pages/duty_tasks.html")]
struct DutyTasksPage {
    c: Chrome,
    /// The duty's name in Chinese and English.
    name: (String, String),
    from: NaiveDate,
    to: NaiveDate,
    tasks: Vec<TaskView>,
    /// The dashboard level this was opened from.
    up: String,
    /// This page, for the tasks' back links.
    here: String,
}

impl Helpers for DutyTasksPage {}

async fn page(state: web::Data<AppState>, session: Session, q: web::Query<Query>) -> HttpResponse {
    let v = match signed_in(&state, &session).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let q = q.into_inner();
    let here = format!("/dashboard/tasks?{}", serde_urlencoded::to_string(&q).unwrap_or_default());
    let c = chrome(&session, &v, &here);
    let (st, now) = (state.clone(), state.clock.now());
    let filter = q.filter();
    let found = blocking(move || {
        let template = q.template.clone().filter(|t| !t.trim().is_empty());
        let template = template.ok_or_else(|| AppError::invalid("template", ErrorCode::Required))?;
        let (from, to) = q.dates()?;
        let (from, to) = Period::Custom { from, to }.resolve(&st.pool, now)?;
        let dir = st.directory.current(&mut st.pool.get()?.any())?;
        let named = dir
            .template(&template)
            .ok_or_else(|| AppError::new(ErrorCode::TemplateNotFound).arg("template", &template))?;
        let tasks = dashboard::duty_tasks(&st.pool, &v, &template, (from, to), &filter, now)?;
        Ok(((named.zh.clone(), named.en.clone()), from, to, tasks))
    })
    .await;
    match found {
        Ok((name, from, to, tasks)) => {
            let up = here.replacen("/dashboard/tasks?", "/dashboard?by=template&period=custom&", 1);
            html(StatusCode::OK, &DutyTasksPage { c, name, from, to, tasks, up, here })
        }
        Err(e) => error::page(c, &e),
    }
}

/// Mounts this route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/dashboard/tasks", web::get().to(page));
}
