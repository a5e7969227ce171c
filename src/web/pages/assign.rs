//! 交办: a lead hands out a one-off task to a position or a person of the departments
//! they lead, and sees what they handed out and where it stands.

use super::{act, chrome, html, signed_in, Chrome, Helpers};
use crate::domain::task::{PositionId, StaffId};
use crate::domain::template::{CompletionMode, FigureSpec, FigureType};
use crate::error::{AppError, ErrorCode};
use crate::services::catalog_view::{self, PositionView};
use crate::services::one_off::{self, OneOff};
use crate::services::tasks::TaskView;
use crate::web::{blocking, error, AppState};
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "pages/assign.html")]
struct AssignPage {
    c: Chrome,
    /// The positions of the departments I lead (all for admins).
    positions: Vec<PositionView>,
    mine: Vec<TaskView>,
    tomorrow: String,
}

impl Helpers for AssignPage {}

async fn page(state: web::Data<AppState>, session: Session) -> HttpResponse {
    let v = match signed_in(&state, &session).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let c = chrome(&session, &v, "/assign");
    if !v.admin && !v.is_lead() {
        return error::page(c, &AppError::new(ErrorCode::OneOffForbidden));
    }
    let (pool, now) = (state.pool.clone(), state.clock.now());
    let loaded = blocking(move || {
        let positions = catalog_view::positions(&pool, now)?
            .into_iter()
            .filter(|p| v.admin || v.leads.contains(&p.department_id))
            .collect::<Vec<_>>();
        let today = super::people::company_today(&pool, now)?;
        Ok((positions, one_off::mine(&pool, &v, now)?, today))
    })
    .await;
    match loaded {
        Ok((positions, mine, today)) => {
            let tomorrow = chrono::NaiveDate::parse_from_str(&today, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.succ_opt())
                .map_or(today, |d| d.to_string());
            html(StatusCode::OK, &AssignPage { c, positions, mine, tomorrow })
        }
        Err(e) => error::page(c, &e),
    }
}

#[derive(Deserialize)]
struct AssignForm {
    csrf: Option<String>,
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    /// `position` or `position@staff-id`.
    #[serde(default)]
    to: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    time: String,
    #[serde(default)]
    completion: String,
    /// With `figures`: one a line, `name` or `name|type` (整数/小数/文字/是否, or
    /// integer/decimal/text/bool).
    #[serde(default)]
    figures: String,
}

/// The figures typed on the form, one a line: a name, and after `|` its type.
fn figures_of(text: &str) -> Vec<FigureSpec> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .enumerate()
        .map(|(i, line)| {
            let (name, kind) = line.split_once(['|', '｜']).map_or((line, ""), |(n, k)| (n.trim(), k.trim()));
            let kind = match kind.to_lowercase().as_str() {
                "小数" | "decimal" => FigureType::Decimal,
                "文字" | "text" => FigureType::Text,
                "是否" | "bool" | "yes/no" => FigureType::Bool,
                _ => FigureType::Integer,
            };
            FigureSpec { key: format!("f{}", i + 1), kind, zh: name.into(), en: name.into(), required: true }
        })
        .collect()
}

async fn assign(state: web::Data<AppState>, session: Session, form: web::Form<AssignForm>) -> HttpResponse {
    let f = form.into_inner();
    let csrf = f.csrf.clone();
    act(
        &state,
        &session,
        csrf.as_deref(),
        "/assign",
        move |st, v| {
            let (position, person) = match f.to.split_once('@') {
                Some((p, s)) => (p.to_string(), s.parse::<i64>().ok().map(StaffId)),
                None => (f.to.clone(), None),
            };
            let due = chrono::NaiveDateTime::parse_from_str(
                &format!("{} {}", f.date.trim(), f.time.trim()),
                "%Y-%m-%d %H:%M",
            )
            .map_err(|_| AppError::invalid("due", ErrorCode::InvalidDate))?;
            let completion = match f.completion.as_str() {
                "note" => CompletionMode::Note,
                "signoff" => CompletionMode::Signoff,
                "figures" => CompletionMode::Figures,
                _ => CompletionMode::Tick,
            };
            let o = OneOff {
                title: f.title,
                description: f.description,
                position: PositionId(position),
                person,
                due,
                completion,
                figures: if completion == CompletionMode::Figures { figures_of(&f.figures) } else { vec![] },
            };
            one_off::assign(&st.pool, &v, &o, st.clock.now())
        },
        |tr, _| tr.t("one_off_assigned"),
    )
    .await
}

/// Mounts these routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/assign", web::get().to(page)).route("/assign", web::post().to(assign));
}
