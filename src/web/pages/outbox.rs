//! The admins' outbox page, and the form that turns a person's digests on or off.

use super::{chrome, csrf_ok, html, message, see_other, signed_in, Chrome};
use crate::services::remind::admin::{self, Outbox, STATUSES};
use crate::services::ServiceError;
use crate::web::AppState;
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
    match web::block(move || admin::outbox(&pool, &v, filter.as_deref(), 200)).await {
        Ok(Ok(o)) => html(StatusCode::OK, &OutboxPage { c, o, status: status.unwrap_or_default(), statuses: STATUSES }),
        Ok(Err(ServiceError::Forbidden(_))) => {
            let (t, m) = (c.tr.t("forbidden"), c.tr.t("forbidden"));
            message(StatusCode::FORBIDDEN, c, t, m)
        }
        Ok(Err(e @ ServiceError::Invalid { .. })) => {
            let (t, m) = (c.tr.t("error"), c.tr.message(&e.to_string()));
            message(StatusCode::UNPROCESSABLE_ENTITY, c, t, m)
        }
        _ => {
            let (t, m) = (c.tr.t("error"), c.tr.t("error"));
            message(StatusCode::INTERNAL_SERVER_ERROR, c, t, m)
        }
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
    if let Ok(Ok(())) = web::block(move || admin::set_digest(&pool, v.id, wanted)).await {
        let _ = session.insert("flash", c.tr.t("digest_saved"));
    }
    see_other("/history")
}

/// Mounts these routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/outbox", web::get().to(page)).route("/me/digest", web::post().to(digest));
}
