//! 今天: my tasks, one task with its history, and the forms that act on them.

use super::{chrome, csrf_ok, flash, html, safe_back, see_other, signed_in, Chrome, Helpers};
use crate::db::AnyConn;
use crate::domain::completion::CompletionInput;
use crate::domain::task::{TaskId, TaskStatus};
use crate::domain::template::CompletionMode;
use crate::error::{AppError, Class, ErrorCode};
use crate::services::askers::Asker;
use crate::services::day_list;
use crate::services::list_cache::ListStamp;
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
    list: std::sync::Arc<DayList>,
    error: Option<String>,
    /// The company's today (the list may be of another day).
    today: NaiveDate,
}

impl TodayPage {
    /// The day before and the day after the list's, for the day navigator.
    fn prev(&self) -> NaiveDate {
        self.list.date.pred_opt().unwrap_or(self.list.date)
    }

    fn next(&self) -> NaiveDate {
        self.list.date.succ_opt().unwrap_or(self.list.date)
    }
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
    /// What is wrong with each rejected field (`note`, `signoff`, `fig.<key>`).
    problems: HashMap<String, String>,
    /// Where the back link goes: the page this one was opened from, else /today.
    return_to: String,
}

impl Helpers for TodayPage {}
impl Helpers for TaskPage {
    fn prev_value(&self, field: &str) -> String {
        self.prev.get(&form_field(field)).cloned().unwrap_or_default()
    }

    fn problem(&self, field: &str) -> String {
        self.problems.get(&form_field(field)).cloned().unwrap_or_default()
    }

    fn form_open(&self) -> bool {
        true
    }
}

/// A form's field for a figure key, `note` or `signoff`.
fn form_field(field: &str) -> String {
    match field {
        "note" | "signoff" | "reason" => field.to_string(),
        key => format!("fig.{key}"),
    }
}

/// A form sent back: the error, the fields as sent, and every problem with them.
struct Rejected {
    error: AppError,
    form: HashMap<String, String>,
    problems: Vec<AppError>,
}

impl TaskPage {
    /// Reported figures as (label, value) in the reader's language, in the order the
    /// template asks for them; a figure it no longer asks for keeps its key.
    fn figure_lines(&self, figures: &serde_json::Value) -> Vec<(String, String)> {
        let Some(map) = figures.as_object() else { return Vec::new() };
        let zh = self.c.tr.is_zh();
        let label = |key: &str| {
            let asked = self.task.figures_asked.iter().find(|f| f.key == key);
            asked.map_or_else(|| key.to_string(), |f| if zh { f.zh.clone() } else { f.en.clone() })
        };
        let value = |v: &serde_json::Value| match v {
            serde_json::Value::Bool(b) => self.c.tr.t(if *b { "yes" } else { "no" }),
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let order = |k: &str| self.task.figures_asked.iter().position(|f| f.key == k).unwrap_or(usize::MAX);
        let mut keys: Vec<&String> = map.keys().collect();
        keys.sort_by_key(|k| order(k));
        keys.into_iter().map(|k| (label(k), value(&map[k]))).collect()
    }

    /// A history entry's detail: reported figures as labelled values, else as written.
    fn detail_text(&self, detail: &str) -> String {
        match serde_json::from_str::<serde_json::Value>(detail) {
            Ok(v @ serde_json::Value::Object(_)) => {
                let (colon, comma) = if self.c.tr.is_zh() { ("：", "，") } else { (": ", ", ") };
                let lines = self.figure_lines(&v).into_iter().map(|(k, v)| format!("{k}{colon}{v}"));
                lines.collect::<Vec<_>>().join(comma)
            }
            _ => detail.to_string(),
        }
    }
}

/// The figures (or note) of the completion that the latest history entry undid, as
/// form fields; empty unless the task was last reopened.
fn undone(history: &[LogView]) -> HashMap<String, String> {
    let reopened = history.last().is_some_and(|h| h.action == "reopened");
    let Some(detail) = history.iter().rev().find(|h| h.action == "completed").and_then(|h| h.detail.as_deref()) else {
        return HashMap::new();
    };
    if !reopened {
        return HashMap::new();
    }
    match serde_json::from_str::<serde_json::Value>(detail) {
        Ok(serde_json::Value::Object(map)) => map
            .into_iter()
            .map(|(k, v)| {
                let text = match v {
                    serde_json::Value::Bool(b) => (if b { "yes" } else { "no" }).to_string(),
                    serde_json::Value::String(s) => s,
                    other => other.to_string(),
                };
                (format!("fig.{k}"), text)
            })
            .collect(),
        _ => HashMap::from([("note".to_string(), detail.to_string())]),
    }
}

/// The page a request was opened from, when it is one of this site's pages other
/// than `own`: the path and query of a same-origin `Referer`.
fn came_from(req: &actix_web::HttpRequest, own: &str) -> Option<String> {
    let referer = req.headers().get(actix_web::http::header::REFERER)?.to_str().ok()?;
    let host = req.headers().get(actix_web::http::header::HOST)?.to_str().ok()?;
    let rest = referer.strip_prefix("http://").or_else(|| referer.strip_prefix("https://"))?;
    let path = rest.strip_prefix(host)?;
    let path = super::safe_back(Some(path));
    let page = path.split('?').next().unwrap_or_default();
    (page != own && page != "/login").then_some(path)
}

#[derive(Deserialize)]
struct DayQuery {
    date: Option<String>,
}

async fn today(state: web::Data<AppState>, session: Session, q: web::Query<DayQuery>) -> HttpResponse {
    let pages = state.clone().into_inner();
    let kept = |(viewer, _): &Asker, stamp: &ListStamp, date, now| state.pages.get(viewer.id, date, stamp, now);
    let read = move |conn: &mut AnyConn, asker, stamp, date, now| {
        day_list::views_kept(conn, &pages.pages, asker, stamp, date, now)
    };
    let show = |c, today, list| html(StatusCode::OK, &TodayPage { c, list, error: None, today });
    super::week::dated_page(&state, &session, "/today", q.date.as_deref(), kept, read, show).await
}

#[derive(Deserialize)]
struct TaskQuery {
    /// The page it was opened from, carried through its forms.
    from: Option<String>,
}

async fn task_page(
    state: web::Data<AppState>,
    session: Session,
    req: actix_web::HttpRequest,
    id: web::Path<i64>,
    q: web::Query<TaskQuery>,
) -> HttpResponse {
    let v = match signed_in(&state, &session).await {
        Ok(v) => v,
        Err(redirect) => return redirect,
    };
    let id = id.into_inner();
    let own = format!("/tasks/{id}");
    let carried = q.into_inner().from.filter(|f| !f.is_empty()).map(|f| super::safe_back(Some(&f)));
    let return_to = carried.or_else(|| came_from(&req, &own)).unwrap_or_else(|| "/today".into());
    // Its forms come back here, still knowing the way back.
    let here = match return_to.as_str() {
        "/today" => own,
        other => format!("{own}?{}", serde_urlencoded::to_string([("from", other)]).unwrap_or_default()),
    };
    let c = chrome(&session, &v, &here);
    show_task(&state, c, v, id, None, return_to).await
}

async fn show_task(
    state: &web::Data<AppState>,
    c: Chrome,
    v: crate::domain::access::Viewer,
    id: i64,
    rejected: Option<Rejected>,
    return_to: String,
) -> HttpResponse {
    let status = rejected.as_ref().map_or(StatusCode::OK, |r| error::status(&r.error));
    let (pool, now) = (state.pool.clone(), state.clock.now());
    match blocking(move || tasks::get(&pool, &v, TaskId(id), now)).await {
        Ok((task, history)) => {
            // A figure is named by its label, in the reader's language.
            let label = |field: &str| {
                let key = field.strip_prefix("figures.").unwrap_or(field);
                let asked = task.figures_asked.iter().find(|x| x.key == key);
                asked.map_or_else(|| c.tr.t(key), |x| if c.tr.is_zh() { x.zh.clone() } else { x.en.clone() })
            };
            let said = |e: &AppError| match &e.field {
                Some(f) => format!("{}: {}", label(f), e.message(c.tr.0)),
                None => e.message(c.tr.0),
            };
            let (error, prev, problems) = match rejected {
                None => {
                    (None, undone(&history).into_iter().filter(|_| task.status.actionable()).collect(), HashMap::new())
                }
                Some(r) => {
                    // Every bad field at once, at the top and at each field.
                    let top = if r.problems.is_empty() {
                        said(&r.error)
                    } else {
                        r.problems.iter().map(&said).collect::<Vec<_>>().join(if c.tr.is_zh() { "；" } else { "; " })
                    };
                    let at = r.problems.iter().filter_map(|e| {
                        let field = e.field.as_deref()?;
                        Some((form_field(field.strip_prefix("figures.").unwrap_or(field)), e.message(c.tr.0)))
                    });
                    let mut problems: HashMap<String, String> = at.collect();
                    if let (true, Some(f)) = (problems.is_empty(), r.error.field.as_deref()) {
                        problems.insert(form_field(f.strip_prefix("figures.").unwrap_or(f)), r.error.message(c.tr.0));
                    }
                    (Some(top), r.form, problems)
                }
            };
            html(status, &TaskPage { c, task, history, error, prev, problems, return_to })
        }
        Err(e) => error::page(c, &e),
    }
}

/// `POST /tasks/{id}/{action}`.
async fn act(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<(i64, String)>,
    form: web::Form<HashMap<String, String>>,
) -> HttpResponse {
    let (id, action) = path.into_inner();
    act_on(state, session, id, action, form.into_inner()).await
}

/// `POST /tasks/{id}` with the action in the field `act`: the task's own address, so
/// a form sent back with its problems is at the task page's URL.
async fn act_here(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<i64>,
    form: web::Form<HashMap<String, String>>,
) -> HttpResponse {
    let form = form.into_inner();
    let action = form.get("act").cloned().unwrap_or_default();
    act_on(state, session, id.into_inner(), action, form).await
}

/// Form fields: `csrf`, `back`, `note`, `reason`, `signoff`, and `fig.<key>` per figure.
async fn act_on(
    state: web::Data<AppState>,
    session: Session,
    id: i64,
    action: String,
    form: HashMap<String, String>,
) -> HttpResponse {
    let v = match signed_in(&state, &session).await {
        Ok(v) => v,
        Err(redirect) => return redirect,
    };
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
    let input = match &act {
        Act::Complete(input) => Some(input.clone()),
        _ => None,
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
            if task.can_reopen {
                let _ = session.insert("undo", id);
            }
            // Undoing a report opens it where its figures wait in the form.
            let asks = !task.figures_asked.is_empty() || task.completion == CompletionMode::Note;
            if action == "reopen" && asks && !back.starts_with(&format!("/tasks/{id}")) {
                return see_other(&format!("/tasks/{id}"));
            }
            see_other(&back)
        }
        // A bad value or a refused move: the task page again, with the message.
        Err(e) if matches!(e.class(), Class::Invalid | Class::Conflict) => {
            // The task page's own `back` carries where it was opened from; a card's
            // is the list it was sent from.
            let return_to = if back.starts_with("/tasks/") {
                let query = back.split_once('?').map(|(_, q)| q).unwrap_or_default();
                let from: HashMap<String, String> = serde_urlencoded::from_str(query).unwrap_or_default();
                super::safe_back(from.get("from").map(String::as_str))
            } else {
                back.clone()
            };
            let problems = match (e.class(), input) {
                (Class::Invalid, Some(input)) => {
                    let (pool, viewer) = (state.pool.clone(), v.clone());
                    blocking(move || tasks::completion_problems(&pool, &viewer, TaskId(id), &input))
                        .await
                        .unwrap_or_default()
                }
                _ => Vec::new(),
            };
            show_task(&state, c, v, id, Some(Rejected { error: e, form, problems }), return_to).await
        }
        Err(e) => error::page(c, &e),
    }
}

/// Mounts these routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/today", web::get().to(today))
        .route("/tasks/{id:\\d+}", web::get().to(task_page))
        .route("/tasks/{id:\\d+}", web::post().to(act_here))
        .route("/tasks/{id:\\d+}/{action}", web::post().to(act));
}
