//! 我的账号: change my password, sign out everywhere.

use super::{chrome, csrf_ok, flash, html, see_other, signed_in, Chrome};
use crate::error::{AppError, Class, ErrorCode};
use crate::services::account::{self, MIN_PASSWORD_CHARS};
use crate::web::{blocking, error, AppState};
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "pages/password.html")]
struct AccountPage {
    c: Chrome,
    min: usize,
    error: Option<String>,
}

async fn page(state: web::Data<AppState>, session: Session) -> HttpResponse {
    let v = match signed_in(&state, &session).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let c = chrome(&session, &v, "/me/account");
    html(StatusCode::OK, &AccountPage { c, min: MIN_PASSWORD_CHARS, error: None })
}

#[derive(Deserialize)]
struct PasswordForm {
    csrf: Option<String>,
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
}

/// Changes my password; every session ends, this one too, so the next page is the login.
async fn change(state: web::Data<AppState>, session: Session, form: web::Form<PasswordForm>) -> HttpResponse {
    let v = match signed_in(&state, &session).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let c = chrome(&session, &v, "/me/account");
    if !csrf_ok(&session, form.csrf.as_deref()) {
        return error::page(c, &AppError::new(ErrorCode::CsrfExpired));
    }
    let form = form.into_inner();
    let (pool, now, viewer) = (state.pool.clone(), state.clock.now(), v.clone());
    match blocking(move || account::change_password(&pool, &viewer, &form.current, &form.new, now)).await {
        Ok(()) => {
            let done = c.tr.t("password_changed");
            // The server already ended this session; a fresh cookie carries the message.
            session.clear();
            session.renew();
            flash(&session, done);
            see_other("/login")
        }
        // A wrong current password or a weak new one: the form again, saying which.
        Err(e) if e.class() == Class::Invalid => {
            let field = e.field.as_deref().map(|f| if f == "current" { "current_password" } else { "new_password" });
            let text = e.message(c.tr.0);
            let text = match field {
                Some(key) => format!("{}: {text}", c.tr.t(key)),
                None => text,
            };
            let page = AccountPage { c, min: MIN_PASSWORD_CHARS, error: Some(text) };
            html(error::status(&e), &page)
        }
        Err(e) => error::page(c, &e),
    }
}

#[derive(Deserialize)]
struct CsrfForm {
    csrf: Option<String>,
}

/// Ends every session and API token of mine, this one included.
async fn everywhere(state: web::Data<AppState>, session: Session, form: web::Form<CsrfForm>) -> HttpResponse {
    let v = match signed_in(&state, &session).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let c = chrome(&session, &v, "/me/account");
    if !csrf_ok(&session, form.csrf.as_deref()) {
        return error::page(c, &AppError::new(ErrorCode::CsrfExpired));
    }
    let (pool, now) = (state.pool.clone(), state.clock.now());
    match blocking(move || account::sign_out_everywhere(&pool, v.id, now)).await {
        Ok(()) => {
            let done = c.tr.t("signed_out_everywhere");
            // The server already ended this session; a fresh cookie carries the message.
            session.clear();
            session.renew();
            flash(&session, done);
            see_other("/login")
        }
        Err(e) => error::page(c, &e),
    }
}

/// Mounts these routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/me/account", web::get().to(page))
        .route("/me/password", web::post().to(change))
        .route("/me/sign-out-everywhere", web::post().to(everywhere));
}
