//! 今天: my tasks, one task with its history, and the forms that act on them.

use super::{chrome, csrf_ok, flash, html, safe_back, see_other, signed_in, Chrome, Helpers};
use crate::domain::completion::CompletionInput;
use crate::domain::task::{TaskId, TaskStatus};
use crate::domain::template::CompletionMode;
use crate::error::{AppError, Class, ErrorCode};
use crate::services::tasks::{self, Act, DayList, LogView, TaskView};
use crate::web::{blocking, error, AppState};
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Template)]
#[template(path = "pages/today.html")]
struct TodayPage {
    c: Chrome,
    list: DayList,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "pages/task.html")]
struct TaskPage {
    c: Chrome,
    task: TaskView,
    history: Vec<LogView>,
    error: Option<String>,
    /// The fields as sent, to fill the form again after an error.
    prev: HashMap<String, String>,
}

impl Helpers for TodayPage {}
impl Helpers for TaskPage {
    fn prev_value(&self, field: &str) -> String {
        let key = if field == "note" { field.to_string() } else { format!("fig.{field}") };
        self.prev.get(&key).cloned().unwrap_or_default()
    }
}

#[derive(Deserialize)]
struct DayQuery {
    date: Option<NaiveDate>,
}

async fn today(state: web::Data<AppState>, session: Session, q: web::Query<DayQuery>) -> HttpResponse {
    let v = match signed_in(&state, &session).await {
        Ok(v) => v,
        Err(redirect) => return redirect,
    };
    let date = q.date;
    let back = date.map_or_else(|| "/today".to_string(), |d| format!("/today?date={d}"));
    let c = chrome(&session, &v, &back);
    let pool = state.pool.clone();
    match blocking(move || tasks::day_list(&pool, &v, date, state.clock.now())).await {
        Ok(list) => html(StatusCode::OK, &TodayPage { c, list, error: None }),
        Err(e) => error::page(c, &e),
    }
}

async fn task_page(state: web::Data<AppState>, session: Session, id: web::Path<i64>) -> HttpResponse {
    let v = match signed_in(&state, &session).await {
        Ok(v) => v,
        Err(redirect) => return redirect,
    };
    let id = id.into_inner();
    let c = chrome(&session, &v, &format!("/tasks/{id}"));
    show_task(&state, c, v, id, StatusCode::OK, None, HashMap::new()).await
}

async fn show_task(
    state: &web::Data<AppState>,
    c: Chrome,
    v: crate::domain::access::Viewer,
    id: i64,
    status: StatusCode,
    error: Option<AppError>,
    prev: HashMap<String, String>,
) -> HttpResponse {
    let (pool, now) = (state.pool.clone(), state.clock.now());
    match blocking(move || tasks::get(&pool, &v, TaskId(id), now)).await {
        Ok((task, history)) => {
            // Name a figure by its label, in the reader's language.
            let error = error.map(|e| (e.field.clone(), e.message(c.tr.0))).map(|(field, text)| match field {
                Some(f) => {
                    let key = f.strip_prefix("figures.").unwrap_or(&f);
                    let label = task.figures_asked.iter().find(|x| x.key == key).map(|x| {
                        if c.tr.is_zh() {
                            x.zh.clone()
                        } else {
                            x.en.clone()
                        }
                    });
                    format!("{}: {text}", label.unwrap_or_else(|| c.tr.t(key)))
                }
                None => text,
            });
            html(status, &TaskPage { c, task, history, error, prev })
        }
        Err(e) => error::page(c, &e),
    }
}

/// Form fields: `csrf`, `back`, `note`, `reason`, `signoff`, and `fig.<key>` per figure.
async fn act(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<(i64, String)>,
    form: web::Form<HashMap<String, String>>,
) -> HttpResponse {
    let v = match signed_in(&state, &session).await {
        Ok(v) => v,
        Err(redirect) => return redirect,
    };
    let (id, action) = path.into_inner();
    let form = form.into_inner();
    let back = safe_back(form.get("back").map(String::as_str));
    let c = chrome(&session, &v, &back);
    if !csrf_ok(&session, form.get("csrf").map(String::as_str)) {
        return error::page(c, &AppError::new(ErrorCode::CsrfExpired));
    }
    let act = match action.as_str() {
        "complete" => Act::Complete(CompletionInput {
            note: form.get("note").cloned(),
            figures: form
                .iter()
                .filter_map(|(k, val)| k.strip_prefix("fig.").map(|k| (k.to_string(), val.clone().into())))
                .collect(),
            signoff: form.contains_key("signoff"),
        }),
        "skip" => Act::Skip { reason: form.get("reason").cloned() },
        "reopen" => Act::Reopen,
        _ => return error::page(c, &AppError::new(ErrorCode::NoSuchPage)),
    };
    let (st, viewer, now) = (state.clone(), v.clone(), state.clock.now());
    match blocking(move || tasks::act_at(&st.pool, &viewer, TaskId(id), act, &st.settings.base_url, now)).await {
        Ok(task) => {
            let title = if c.tr.is_zh() { task.title_zh.clone() } else { task.title_en.clone() };
            let key = match task.status {
                TaskStatus::Done => "saved_done",
                TaskStatus::Skipped => "saved_skipped",
                TaskStatus::Open | TaskStatus::Missed | TaskStatus::Cancelled => "saved_open",
            };
            flash(&session, c.tr.with(key, "title", &title));
            see_other(&back)
        }
        // A bad value or a refused move: the task page again, with the message.
        Err(e) if matches!(e.class(), Class::Invalid | Class::Conflict) => {
            let status = error::status(&e);
            show_task(&state, c, v, id, status, Some(e), form).await
        }
        Err(e) => error::page(c, &e),
    }
}

/// Mounts these routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/today", web::get().to(today))
        .route("/tasks/{id:\\d+}", web::get().to(task_page))
        .route("/tasks/{id:\\d+}/{action}", web::post().to(act));
}
