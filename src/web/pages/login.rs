//! Logging in and out, and switching language.

use super::i18n::Lang;
use super::{anonymous, csrf_ok, html, remember, safe_back, see_other, signed_in, Chrome, SESSION_KEY};
use crate::error::{AppError, ErrorCode};
use crate::services;
use crate::web::{blocking, error, AppState};
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "pages/login.html")]
struct LoginPage {
    c: Chrome,
    error: Option<String>,
    email: String,
}

#[derive(Deserialize)]
struct LangQuery {
    lang: Option<String>,
}

async fn login_form(session: Session, q: web::Query<LangQuery>) -> HttpResponse {
    let lang = Lang::from_locale(q.lang.as_deref().unwrap_or("zh-CN"));
    html(StatusCode::OK, &LoginPage { c: anonymous(&session, lang), error: None, email: String::new() })
}

#[derive(Deserialize)]
struct LoginForm {
    csrf: Option<String>,
    email: String,
    password: String,
    lang: Option<String>,
}

async fn login(
    state: web::Data<AppState>,
    session: Session,
    req: HttpRequest,
    form: web::Form<LoginForm>,
) -> HttpResponse {
    let form = form.into_inner();
    let lang = Lang::from_locale(form.lang.as_deref().unwrap_or("zh-CN"));
    let again = |status, error: String| {
        html(status, &LoginPage { c: anonymous(&session, lang), error: Some(error), email: form.email.clone() })
    };
    if !csrf_ok(&session, form.csrf.as_deref()) {
        return again(StatusCode::FORBIDDEN, AppError::new(ErrorCode::CsrfExpired).message(lang));
    }
    let client = crate::web::auth::client_addr(&req, &state.settings);
    let (pool, email, password) = (state.pool.clone(), form.email.clone(), form.password.clone());
    let result = blocking(move || {
        let now = state.clock.now();
        let staff = services::auth::login(&pool, &email, &password, client.as_deref(), now)?;
        services::account::start_session(&pool, staff, now)
    })
    .await;
    match result {
        Ok(secret) => {
            session.renew();
            remember(&session, SESSION_KEY, &secret);
            session.remove("csrf");
            see_other("/today")
        }
        Err(e) => {
            error::log(&e);
            again(error::status(&e), e.message(lang))
        }
    }
}

#[derive(Deserialize)]
struct CsrfForm {
    csrf: Option<String>,
}

/// Ends this session on the server too: the cookie is worthless afterwards.
/// A form without this session's token (a stale page, or another site's form) ends
/// nothing: it answers with the expired-form page, whose own sign-out button works.
async fn logout(state: web::Data<AppState>, session: Session, form: web::Form<CsrfForm>) -> HttpResponse {
    if !csrf_ok(&session, form.csrf.as_deref()) {
        let c = match signed_in(&state, &session).await {
            Ok(v) => super::chrome(&session, &v, "/today"),
            Err(r) => return r,
        };
        return error::page(c, &AppError::new(ErrorCode::CsrfExpired));
    }
    if let Ok(Some(secret)) = session.get::<String>(SESSION_KEY) {
        let pool = state.pool.clone();
        if let Err(e) = blocking(move || services::account::end_session(&pool, &secret)).await {
            return error::page(anonymous(&session, Lang::Zh), &e);
        }
    }
    session.purge();
    see_other("/login")
}

#[derive(Deserialize)]
struct LangForm {
    csrf: Option<String>,
    lang: String,
    back: Option<String>,
}

/// Switches the page language and remembers it for this person.
/// The token is checked before anything else, the page to go back to included.
async fn switch_lang(state: web::Data<AppState>, session: Session, form: web::Form<LangForm>) -> HttpResponse {
    let v = match signed_in(&state, &session).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    if !csrf_ok(&session, form.csrf.as_deref()) {
        return error::page(super::chrome(&session, &v, "/today"), &AppError::new(ErrorCode::CsrfExpired));
    }
    let back = safe_back(form.back.as_deref());
    let lang = Lang::from_locale(&form.lang);
    let pool = state.pool.clone();
    match blocking(move || services::auth::set_locale(&pool, v.id, lang.locale())).await {
        Ok(()) => see_other(&back),
        Err(e) => error::page(anonymous(&session, lang), &e),
    }
}

/// Mounts these routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(|| async { see_other("/today") }))
        .route("/login", web::get().to(login_form))
        .route("/login", web::post().to(login))
        .route("/logout", web::post().to(logout))
        .route("/lang", web::post().to(switch_lang));
}
