//! Pages for people who are not signed in: ask for a reset link, and set a password
//! from an invitation or reset link.

use super::i18n::Lang;
use super::{anonymous, csrf_ok, flash, html, see_other, Chrome};
use crate::error::{AppError, Class, ErrorCode};
use crate::services::account::MIN_PASSWORD_CHARS;
use crate::services::links;
use crate::web::{blocking, error, AppState};
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "pages/forgot.html")]
struct ForgotPage {
    c: Chrome,
    sent: bool,
}

#[derive(Template)]
#[template(path = "pages/set_password.html")]
struct SetPage {
    c: Chrome,
    name: String,
    token: String,
    min: usize,
    error: Option<String>,
}

#[derive(Deserialize)]
struct LangQuery {
    lang: Option<String>,
}

fn lang_of(s: Option<&str>) -> Lang {
    Lang::from_locale(s.unwrap_or("zh-CN"))
}

async fn forgot_form(session: Session, q: web::Query<LangQuery>) -> HttpResponse {
    let c = anonymous(&session, lang_of(q.lang.as_deref()));
    html(StatusCode::OK, &ForgotPage { c, sent: false })
}

#[derive(Deserialize)]
struct ForgotForm {
    csrf: Option<String>,
    lang: Option<String>,
    #[serde(default)]
    email: String,
}

/// Mails a reset link if the address has an account; the answer is the same either way.
async fn forgot(state: web::Data<AppState>, session: Session, form: web::Form<ForgotForm>) -> HttpResponse {
    let c = anonymous(&session, lang_of(form.lang.as_deref()));
    if !csrf_ok(&session, form.csrf.as_deref()) {
        return error::page(c, &AppError::new(ErrorCode::CsrfExpired));
    }
    let (pool, now, email) = (state.pool.clone(), state.clock.now(), form.email.clone());
    match blocking(move || links::request_reset(&pool, &email, &state.settings.base_url, now)).await {
        Ok(()) => html(StatusCode::OK, &ForgotPage { c, sent: true }),
        Err(e) => error::page(c, &e),
    }
}

#[derive(Deserialize)]
struct LinkQuery {
    #[serde(default)]
    t: String,
    lang: Option<String>,
}

async fn set_form(state: web::Data<AppState>, session: Session, q: web::Query<LinkQuery>) -> HttpResponse {
    let q = q.into_inner();
    let c = anonymous(&session, lang_of(q.lang.as_deref()));
    let (pool, now, token) = (state.pool.clone(), state.clock.now(), q.t.clone());
    match blocking(move || links::link_owner(&pool, &token, now)).await {
        Ok(name) => html(StatusCode::OK, &SetPage { c, name, token: q.t, min: MIN_PASSWORD_CHARS, error: None }),
        Err(e) => error::page(c, &e),
    }
}

#[derive(Deserialize)]
struct SetForm {
    csrf: Option<String>,
    lang: Option<String>,
    #[serde(default)]
    t: String,
    #[serde(default)]
    new: String,
}

/// Sets the password once; then the login page, saying so.
async fn set(state: web::Data<AppState>, session: Session, form: web::Form<SetForm>) -> HttpResponse {
    let form = form.into_inner();
    let c = anonymous(&session, lang_of(form.lang.as_deref()));
    if !csrf_ok(&session, form.csrf.as_deref()) {
        return error::page(c, &AppError::new(ErrorCode::CsrfExpired));
    }
    let (pool, now, token, new) = (state.pool.clone(), state.clock.now(), form.t.clone(), form.new);
    match blocking(move || links::set_password(&pool, &token, &new, now)).await {
        Ok(_) => {
            flash(&session, c.tr.t("password_set"));
            see_other("/login")
        }
        // A weak password: the form again, saying why; the link still works.
        Err(e) if e.class() == Class::Invalid => {
            let (pool, token) = (state.pool.clone(), form.t.clone());
            let name = blocking(move || links::link_owner(&pool, &token, now)).await.unwrap_or_default();
            let text = format!("{}: {}", c.tr.t("new_password"), e.message(c.tr.0));
            let page = SetPage { c, name, token: form.t, min: MIN_PASSWORD_CHARS, error: Some(text) };
            html(error::status(&e), &page)
        }
        Err(e) => error::page(c, &e),
    }
}

/// Mounts these routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/password/forgot", web::get().to(forgot_form))
        .route("/password/forgot", web::post().to(forgot))
        .route("/password/set", web::get().to(set_form))
        .route("/password/set", web::post().to(set));
}
