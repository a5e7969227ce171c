//! Changing a template from a page (admins): its TOML with a preview of the next due
//! dates before saving (server-rendered, no script needed), a new template for a
//! duty, and retirement. A refused draft comes back with the message and what was
//! typed.

use super::{act, chrome, csrf_ok, flash, html, see_other, signed_in, Chrome, Helpers};
use crate::error::AppError;
use crate::services::template_edit::{self, Preview};
use crate::web::{blocking, error, AppState};
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "pages/template_edit.html")]
struct EditPage {
    c: Chrome,
    /// The template being changed; none for a new one.
    id: Option<String>,
    toml: String,
    effective: String,
    reason: String,
    preview: Option<Preview>,
    problem: Option<String>,
}

impl Helpers for EditPage {}

impl EditPage {
    fn words(&self, p: &Preview) -> String {
        super::cadence::describe(&p.spec, self.c.tr)
    }

    fn action(&self) -> String {
        match &self.id {
            Some(id) => format!("/admin/templates/{id}/edit"),
            None => "/admin/templates/new".into(),
        }
    }
}

#[derive(Deserialize)]
struct NewQuery {
    duty: Option<String>,
}

#[derive(Deserialize)]
struct Draft {
    csrf: Option<String>,
    #[serde(default)]
    toml: String,
    #[serde(default)]
    effective: String,
    #[serde(default)]
    reason: String,
    /// `preview` or `save`.
    #[serde(default)]
    op: String,
}

fn today(state: &AppState) -> String {
    let now = state.clock.now();
    let mut conn = match state.pool.get() {
        Ok(c) => c,
        Err(_) => return now.date_naive().to_string(),
    };
    crate::services::context::company_today(&mut conn.any(), now)
        .map_or_else(|_| now.date_naive().to_string(), |(_, d)| d.to_string())
}

async fn edit(state: web::Data<AppState>, session: Session, id: web::Path<String>) -> HttpResponse {
    let v = match signed_in(&state, &session).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let id = id.into_inner();
    let c = chrome(&session, &v, &format!("/admin/templates/{id}/edit"));
    let (st, tid) = (state.clone(), id.clone());
    match blocking(move || Ok((template_edit::source(&st.pool, &v, &tid)?, today(&st)))).await {
        Ok((toml, effective)) => {
            let page =
                EditPage { c, id: Some(id), toml, effective, reason: String::new(), preview: None, problem: None };
            html(StatusCode::OK, &page)
        }
        Err(e) => error::page(c, &e),
    }
}

async fn new(state: web::Data<AppState>, session: Session, q: web::Query<NewQuery>) -> HttpResponse {
    let v = match signed_in(&state, &session).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let c = chrome(&session, &v, "/admin/templates/new");
    if !v.admin {
        return error::page(c, &AppError::new(crate::error::ErrorCode::CatalogueForbidden));
    }
    let duty = q.into_inner().duty.unwrap_or_default().replace(['"', '\\', '\n', '\r'], "");
    let toml = format!(
        "id = \"\"\nduty = \"{duty}\"\nzh = \"\"\nen = \"\"\nschedule = {{ every = \"working_day\" }}\ndue = {{ time = \"18:00\" }}\ncompletion = \"tick\"\n"
    );
    let st = state.clone();
    let effective = blocking(move || Ok(today(&st))).await.unwrap_or_default();
    html(
        StatusCode::OK,
        &EditPage { c, id: None, toml, effective, reason: String::new(), preview: None, problem: None },
    )
}

async fn submit(state: web::Data<AppState>, session: Session, id: Option<String>, d: Draft) -> HttpResponse {
    let v = match signed_in(&state, &session).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let back = id.as_ref().map_or_else(|| "/admin/templates/new".to_string(), |i| format!("/admin/templates/{i}/edit"));
    let c = chrome(&session, &v, &back);
    if !csrf_ok(&session, d.csrf.as_deref()) {
        return error::page(c, &AppError::new(crate::error::ErrorCode::CsrfExpired));
    }
    let effective = match d.effective.trim() {
        "" => None,
        s => match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            Ok(day) => Some(day),
            Err(_) => return refused(c, id, d, &AppError::invalid("effective", crate::error::ErrorCode::InvalidDate)),
        },
    };
    let (st, tid, text, reason) = (state.clone(), id.clone(), d.toml.clone(), d.reason.clone());
    let (now, horizon, save) = (state.clock.now(), state.settings.horizon_days, d.op == "save");
    let out = blocking(move || {
        template_edit::admin(&v)?;
        let spec = template_edit::from_toml(&text)?;
        if save {
            let s = template_edit::save(&st.pool, &v, tid.as_deref(), spec, effective, &reason, horizon, now)?;
            Ok((None, Some(s)))
        } else {
            Ok((Some(template_edit::preview(&st.pool, &v, tid.as_deref(), spec, effective, now)?), None))
        }
    })
    .await;
    match out {
        Ok((_, Some(saved))) => {
            let (n, r, x) =
                (saved.version.to_string(), saved.tasks.revised.to_string(), saved.tasks.cancelled.to_string());
            flash(&session, c.tr.args("template_saved", &[("version", &n), ("revised", &r), ("cancelled", &x)]));
            let spec_id = template_edit::from_toml(&d.toml).map(|s| s.id).unwrap_or_default();
            see_other(&format!("/admin/templates/{}", id.unwrap_or(spec_id)))
        }
        Ok((preview, None)) => {
            let page =
                EditPage { c, id, toml: d.toml, effective: d.effective, reason: d.reason, preview, problem: None };
            html(StatusCode::OK, &page)
        }
        Err(e) if e.is_bad_input() => refused(c, id, d, &e),
        Err(e) => error::page(c, &e),
    }
}

/// The form again, as typed, with the problem named.
fn refused(c: Chrome, id: Option<String>, d: Draft, e: &AppError) -> HttpResponse {
    let problem = super::refusal(c.tr, e);
    let page = EditPage {
        c,
        id,
        toml: d.toml,
        effective: d.effective,
        reason: d.reason,
        preview: None,
        problem: Some(problem),
    };
    html(error::status(e), &page)
}

async fn save_existing(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<String>,
    d: web::Form<Draft>,
) -> HttpResponse {
    submit(state, session, Some(id.into_inner()), d.into_inner()).await
}

async fn save_new(state: web::Data<AppState>, session: Session, d: web::Form<Draft>) -> HttpResponse {
    submit(state, session, None, d.into_inner()).await
}

#[derive(Deserialize)]
struct RetireForm {
    csrf: Option<String>,
    #[serde(default)]
    effective: String,
    #[serde(default)]
    reason: String,
}

async fn retire(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<String>,
    form: web::Form<RetireForm>,
) -> HttpResponse {
    let (id, f) = (id.into_inner(), form.into_inner());
    let to = format!("/admin/templates/{id}");
    act(
        &state,
        &session,
        f.csrf.as_deref(),
        &to,
        move |st, v| {
            let effective = match f.effective.trim() {
                "" => None,
                s => Some(
                    NaiveDate::parse_from_str(s, "%Y-%m-%d")
                        .map_err(|_| AppError::invalid("effective", crate::error::ErrorCode::InvalidDate))?,
                ),
            };
            template_edit::retire(&st.pool, &v, &id, effective, &f.reason, st.clock.now())
        },
        |tr, e| tr.with("template_retired_done", "cancelled", &e.cancelled.to_string()),
    )
    .await
}

/// Mounts these routes (before the template page's own).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/templates/new", web::get().to(new))
        .route("/admin/templates/new", web::post().to(save_new))
        .route("/admin/templates/{id}/edit", web::get().to(edit))
        .route("/admin/templates/{id}/edit", web::post().to(save_existing))
        .route("/admin/templates/{id}/retire", web::post().to(retire));
}
