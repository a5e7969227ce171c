//! 今天: my tasks, one task with its history, and the forms that act on them.

use super::i18n::Tr;
use super::{chrome, csrf_ok, html, message, safe_back, see_other, signed_in, Chrome, Helpers};
use crate::domain::completion::CompletionInput;
use crate::domain::template::CompletionMode;
use crate::services::tasks::{self, Act, DayList, LogView, TaskView};
use crate::services::ServiceError;
use crate::web::AppState;
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::{NaiveDate, Utc};
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
    match web::block(move || tasks::day_list(&pool, &v, date, Utc::now())).await {
        Ok(Ok(list)) => html(StatusCode::OK, &TodayPage { c, list, error: None }),
        _ => {
            let (title, msg) = (c.tr.t("error"), c.tr.t("error"));
            message(StatusCode::INTERNAL_SERVER_ERROR, c, title, msg)
        }
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

/// A page error: the field it concerns (if any) and the message.
type PageError = (Option<String>, String);

async fn show_task(
    state: &web::Data<AppState>,
    c: Chrome,
    v: crate::domain::access::Viewer,
    id: i64,
    status: StatusCode,
    error: Option<PageError>,
    prev: HashMap<String, String>,
) -> HttpResponse {
    let pool = state.pool.clone();
    match web::block(move || tasks::get(&pool, &v, id, Utc::now())).await {
        Ok(Ok((task, history))) => {
            // Name a figure by its label, in the reader's language.
            let error = error.map(|(field, text)| match field {
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
        Ok(Err(ServiceError::NotFound(_))) => {
            let (title, msg) = (c.tr.t("not_found"), c.tr.t("not_found"));
            message(StatusCode::NOT_FOUND, c, title, msg)
        }
        _ => {
            let (title, msg) = (c.tr.t("error"), c.tr.t("error"));
            message(StatusCode::INTERNAL_SERVER_ERROR, c, title, msg)
        }
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
        let (title, msg) = (c.tr.t("error"), c.tr.t("csrf"));
        return message(StatusCode::FORBIDDEN, c, title, msg);
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
        _ => {
            let (title, msg) = (c.tr.t("not_found"), c.tr.t("not_found"));
            return message(StatusCode::NOT_FOUND, c, title, msg);
        }
    };
    let (pool, viewer) = (state.pool.clone(), v.clone());
    match web::block(move || tasks::act(&pool, &viewer, id, act, Utc::now())).await {
        Ok(Ok(task)) => {
            let title = if c.tr.is_zh() { task.title_zh.clone() } else { task.title_en.clone() };
            let key = match task.status.as_str() {
                "done" => "saved_done",
                "skipped" => "saved_skipped",
                _ => "saved_open",
            };
            let _ = session.insert("flash", c.tr.with(key, "title", &title));
            see_other(&back)
        }
        Ok(Err(e)) => {
            let (status, field, text) = page_error(c.tr, &e);
            show_task(&state, c, v, id, status, Some((field, text)), form).await
        }
        Err(_) => {
            let (title, msg) = (c.tr.t("error"), c.tr.t("error"));
            message(StatusCode::INTERNAL_SERVER_ERROR, c, title, msg)
        }
    }
}

/// A service error as a page shows it, in the reader's language.
fn page_error(tr: Tr, e: &ServiceError) -> (StatusCode, Option<String>, String) {
    match e {
        ServiceError::Invalid { field, message } => {
            (StatusCode::UNPROCESSABLE_ENTITY, Some(field.clone()), tr.message(message))
        }
        ServiceError::Conflict(m) => (StatusCode::CONFLICT, None, tr.message(m)),
        ServiceError::NotFound(_) => (StatusCode::NOT_FOUND, None, tr.t("not_found")),
        _ => (StatusCode::INTERNAL_SERVER_ERROR, None, tr.t("error")),
    }
}

/// Mounts these routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/today", web::get().to(today))
        .route("/tasks/{id}", web::get().to(task_page))
        .route("/tasks/{id}/{action}", web::post().to(act));
}
