//! 休假: ask for leave, see the answers, cancel; answer the requests of one's people.

use super::{act, chrome, html, signed_in, Chrome};
use crate::domain::leave::HalfDay;
use crate::services::leave::{self, LeaveBoard, LeaveInput, LeaveView};
use crate::web::{blocking, error, AppState};
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "pages/leave.html")]
struct LeavePage {
    c: Chrome,
    board: LeaveBoard,
}

impl LeavePage {
    fn dates(&self, l: &LeaveView) -> String {
        leave::dates(self.c.tr, l.from, l.to, l.half_day)
    }
}

async fn page(state: web::Data<AppState>, session: Session) -> HttpResponse {
    let v = match signed_in(&state, &session).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let c = chrome(&session, &v, "/leave");
    let (pool, now) = (state.pool.clone(), state.clock.now());
    match blocking(move || leave::board(&pool, &v, now)).await {
        Ok(board) => html(StatusCode::OK, &LeavePage { c, board }),
        Err(e) => error::page(c, &e),
    }
}

/// A leave form: dates, half a day, a reason.
#[derive(Deserialize)]
pub(super) struct LeaveForm {
    pub csrf: Option<String>,
    #[serde(default)]
    pub from: String,
    pub to: Option<String>,
    pub half_day: Option<String>,
    #[serde(default)]
    pub reason: String,
}

impl LeaveForm {
    /// The leave asked for; a missing last day is the first.
    pub fn input(&self) -> crate::services::AppResult<LeaveInput> {
        use crate::error::{AppError, ErrorCode};
        let date = |s: &str, field: &str| {
            NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
                .map_err(|_| AppError::invalid(field, ErrorCode::InvalidDate))
        };
        let from = date(&self.from, "from")?;
        let to = match self.to.as_deref().filter(|t| !t.trim().is_empty()) {
            Some(t) => date(t, "to")?,
            None => from,
        };
        let half_day = match self.half_day.as_deref().unwrap_or("") {
            "" => None,
            h => Some(HalfDay::parse(h).ok_or_else(|| {
                AppError::invalid("half_day", ErrorCode::InvalidChoice).arg("value", h).arg("allowed", "am, pm")
            })?),
        };
        Ok(LeaveInput { from, to, half_day, reason: self.reason.clone() })
    }
}

async fn ask(state: web::Data<AppState>, session: Session, form: web::Form<LeaveForm>) -> HttpResponse {
    let form = form.into_inner();
    let csrf = form.csrf.clone();
    act(
        &state,
        &session,
        csrf.as_deref(),
        "/leave",
        move |st, v| leave::request(&st.pool, &v, &form.input()?, &st.settings.base_url, st.clock.now()),
        |tr, _| tr.t("leave_asked"),
    )
    .await
}

#[derive(Deserialize)]
struct AnswerForm {
    csrf: Option<String>,
    #[serde(default)]
    answer: String,
}

async fn decide(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<(i64, String)>,
    form: web::Form<AnswerForm>,
) -> HttpResponse {
    let (id, verb) = path.into_inner();
    let yes = match verb.as_str() {
        "approve" => true,
        "decline" => false,
        _ => return HttpResponse::NotFound().finish(),
    };
    let form = form.into_inner();
    act(
        &state,
        &session,
        form.csrf.as_deref(),
        "/leave",
        move |st, v| leave::decide(&st.pool, &v, id, yes, &form.answer, &st.settings.base_url, st.clock.now()),
        move |tr, r| {
            if yes {
                tr.with("leave_done_approved", "moved", &r.moved.to_string())
            } else {
                tr.t("leave_done_declined")
            }
        },
    )
    .await
}

async fn cancel(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<i64>,
    form: web::Form<AnswerForm>,
) -> HttpResponse {
    let id = id.into_inner();
    act(
        &state,
        &session,
        form.csrf.as_deref(),
        "/leave",
        move |st, v| leave::cancel(&st.pool, &v, id, st.clock.now()),
        |tr, r| tr.with("leave_done_cancelled", "moved", &r.moved.to_string()),
    )
    .await
}

/// Mounts these routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/leave", web::get().to(page))
        .route("/leave", web::post().to(ask))
        .route("/leave/{id:\\d+}/cancel", web::post().to(cancel))
        .route("/leave/{id:\\d+}/{verb}", web::post().to(decide));
}
