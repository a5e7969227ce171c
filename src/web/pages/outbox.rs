//! The admins' outbox page, and the form that turns a person's digests on or off.

use super::{chrome, csrf_ok, flash, html, see_other, signed_in, Chrome, Helpers};
use crate::error::{AppError, ErrorCode};
use crate::services::remind::admin::{self, Message, Outbox, STATUSES};
use crate::web::{blocking, error, AppState};
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "pages/outbox.html")]
struct OutboxPage {
    c: Chrome,
    o: Outbox,
    status: String,
    statuses: [&'static str; 5],
}

impl Helpers for OutboxPage {}

#[derive(Template)]
#[template(path = "pages/outbox_message.html")]
struct MessagePage {
    c: Chrome,
    m: Message,
}

impl Helpers for MessagePage {}

impl OutboxPage {
    fn is_current(&self, status: &&str) -> bool {
        self.status == *status
    }

    fn count(&self, status: &&str) -> i64 {
        self.o.counts.get(*status).copied().unwrap_or(0)
    }
}

#[derive(Deserialize)]
struct OutboxQuery {
    status: Option<String>,
}

async fn page(state: web::Data<AppState>, session: Session, q: web::Query<OutboxQuery>) -> HttpResponse {
    let v = match signed_in(&state, &session).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let c = chrome(&session, &v, "/admin/outbox");
    let status = q.into_inner().status.filter(|s| !s.is_empty());
    let (pool, filter) = (state.pool.clone(), status.clone());
    match blocking(move || admin::outbox(&pool, &v, filter.as_deref(), 200)).await {
        Ok(o) => html(StatusCode::OK, &OutboxPage { c, o, status: status.unwrap_or_default(), statuses: STATUSES }),
        Err(e) => error::page(c, &e),
    }
}

async fn message(state: web::Data<AppState>, session: Session, id: web::Path<i64>) -> HttpResponse {
    let v = match signed_in(&state, &session).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let id = id.into_inner();
    let c = chrome(&session, &v, &format!("/admin/outbox/{id}"));
    let pool = state.pool.clone();
    match blocking(move || admin::message(&pool, &v, id)).await {
        Ok(m) => html(StatusCode::OK, &MessagePage { c, m }),
        Err(e) => error::page(c, &e),
    }
}

#[derive(Deserialize)]
struct CsrfForm {
    csrf: Option<String>,
}

async fn retry(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<i64>,
    form: web::Form<CsrfForm>,
) -> HttpResponse {
    let v = match signed_in(&state, &session).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let id = id.into_inner();
    let c = chrome(&session, &v, &format!("/admin/outbox/{id}"));
    if !csrf_ok(&session, form.csrf.as_deref()) {
        return error::page(c, &AppError::new(ErrorCode::CsrfExpired));
    }
    let (pool, now) = (state.pool.clone(), state.clock.now());
    match blocking(move || admin::retry(&pool, &v, id, now)).await {
        Ok(()) => {
            flash(&session, c.tr.with("retried", "id", &id.to_string()));
            see_other(&format!("/admin/outbox/{id}"))
        }
        Err(e) => error::page(c, &e),
    }
}

#[derive(Deserialize)]
struct DigestForm {
    csrf: Option<String>,
    enabled: String,
}

async fn digest(state: web::Data<AppState>, session: Session, form: web::Form<DigestForm>) -> HttpResponse {
    let v = match signed_in(&state, &session).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    if !csrf_ok(&session, form.csrf.as_deref()) {
        return see_other("/history");
    }
    let c = chrome(&session, &v, "/history");
    let (pool, wanted) = (state.pool.clone(), form.enabled == "true");
    match blocking(move || admin::set_digest(&pool, v.id, wanted)).await {
        Ok(()) => {
            flash(&session, c.tr.t("digest_saved"));
            see_other("/history")
        }
        Err(e) => error::page(c, &e),
    }
}

#[derive(Template)]
#[template(path = "pages/unsubscribe.html")]
struct UnsubscribePage {
    c: Chrome,
    token: String,
    done: bool,
}

#[derive(Deserialize)]
struct Token {
    t: String,
}

/// A digest's unsubscribe link: the token in it is the permission (no sign-in, no
/// CSRF token: mail clients post to it with one click, RFC 8058). A GET only asks, so
/// a mail scanner that opens links changes nothing.
async fn unsubscribe(
    state: web::Data<AppState>,
    session: Session,
    req: actix_web::HttpRequest,
    q: web::Query<Token>,
) -> HttpResponse {
    let accept = req.headers().get("accept-language").and_then(|h| h.to_str().ok());
    let c = super::anonymous(&session, super::i18n::Lang::from_accept(accept, super::i18n::Lang::Zh));
    let token = q.into_inner().t;
    if req.method() == actix_web::http::Method::GET {
        return html(StatusCode::OK, &UnsubscribePage { c, token, done: false });
    }
    let pool = state.pool.clone();
    let t = token.clone();
    match blocking(move || admin::unsubscribe(&pool, &t)).await {
        Ok(_) => html(StatusCode::OK, &UnsubscribePage { c, token, done: true }),
        Err(e) => error::page(c, &e),
    }
}

/// Mounts these routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/outbox", web::get().to(page))
        .route("/admin/outbox/{id:\\d+}", web::get().to(message))
        .route("/admin/outbox/{id:\\d+}/retry", web::post().to(retry))
        .route("/me/digest", web::post().to(digest))
        .route("/digest/off", web::get().to(unsubscribe))
        .route("/digest/off", web::post().to(unsubscribe));
}
