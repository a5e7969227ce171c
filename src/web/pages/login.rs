//! Logging in and out, and switching language.

use super::i18n::{Lang, Tr};
use super::{csrf_ok, csrf_token, html, safe_back, see_other, Chrome};
use crate::services::{self, ServiceError};
use crate::web::AppState;
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::Utc;
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

fn anonymous(session: &Session, lang: Lang) -> Chrome {
    Chrome {
        tr: Tr(lang),
        manager: false,
        admin: false,
        csrf: csrf_token(session),
        user: None,
        flash: None,
        back: "/login".into(),
    }
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
    let tr = Tr(lang);
    let again = |status, error: String| {
        html(status, &LoginPage { c: anonymous(&session, lang), error: Some(error), email: form.email.clone() })
    };
    if !csrf_ok(&session, form.csrf.as_deref()) {
        return again(StatusCode::FORBIDDEN, tr.t("csrf"));
    }
    let client = req.peer_addr().map(|a| a.ip().to_string());
    let (pool, email, password) = (state.pool.clone(), form.email.clone(), form.password.clone());
    let result =
        web::block(move || services::auth::login(&pool, &email, &password, client.as_deref(), Utc::now())).await;
    match result {
        Ok(Ok(id)) => {
            session.renew();
            let _ = session.insert("staff", id);
            let _ = session.remove("csrf");
            see_other("/today")
        }
        Ok(Err(ServiceError::Unauthenticated(_))) => again(StatusCode::UNAUTHORIZED, tr.t("login_failed")),
        Ok(Err(e @ ServiceError::Throttled { .. })) => again(StatusCode::TOO_MANY_REQUESTS, e.to_string()),
        _ => again(StatusCode::INTERNAL_SERVER_ERROR, tr.t("error")),
    }
}

#[derive(Deserialize)]
struct CsrfForm {
    csrf: Option<String>,
}

async fn logout(session: Session, form: web::Form<CsrfForm>) -> HttpResponse {
    if csrf_ok(&session, form.csrf.as_deref()) {
        session.purge();
    }
    see_other("/login")
}

#[derive(Deserialize)]
struct LangForm {
    csrf: Option<String>,
    lang: String,
    back: Option<String>,
}

/// Switches the page language and remembers it for this person.
async fn switch_lang(state: web::Data<AppState>, session: Session, form: web::Form<LangForm>) -> HttpResponse {
    let back = safe_back(form.back.as_deref());
    let Ok(Some(id)) = session.get::<i64>("staff") else { return see_other("/login") };
    if !csrf_ok(&session, form.csrf.as_deref()) {
        return see_other(&back);
    }
    let locale = Lang::from_locale(&form.lang).locale();
    let pool = state.pool.clone();
    let _ = web::block(move || {
        crate::db::staff::set_locale(&mut pool.get()?.any(), id, locale).map_err(crate::db::DbError::from)
    })
    .await;
    see_other(&back)
}

/// Mounts these routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(|| async { see_other("/today") }))
        .route("/login", web::get().to(login_form))
        .route("/login", web::post().to(login))
        .route("/logout", web::post().to(logout))
        .route("/lang", web::post().to(switch_lang));
}
