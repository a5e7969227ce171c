//! 任务模板 for admins: the list with a search, one template (its cadence in words,
//! its next due dates after holiday shifts), pause and resume.

use super::{act, cadence, chrome, html, signed_in, Chrome, Helpers};
use crate::services::template_admin::{self, TemplateDetail, TemplateItem};
use crate::web::{blocking, error, AppState};
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "pages/templates.html")]
struct ListPage {
    c: Chrome,
    items: Vec<TemplateItem>,
    q: String,
}

#[derive(Template)]
#[template(path = "pages/template.html")]
struct DetailPage {
    c: Chrome,
    t: TemplateDetail,
}

impl Helpers for DetailPage {}
impl Helpers for ListPage {}

impl ListPage {
    fn words(&self, t: &TemplateItem) -> String {
        cadence::describe(&t.spec, self.c.tr)
    }
}

impl DetailPage {
    fn words(&self) -> String {
        cadence::describe(&self.t.item.spec, self.c.tr)
    }
}

#[derive(Deserialize)]
struct Query {
    q: Option<String>,
}

async fn list(state: web::Data<AppState>, session: Session, q: web::Query<Query>) -> HttpResponse {
    let v = match signed_in(&state, &session).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let c = chrome(&session, &v, "/admin/templates");
    let q = q.into_inner().q.unwrap_or_default();
    let (pool, query) = (state.pool.clone(), q.clone());
    match blocking(move || template_admin::list(&pool, &v, &query)).await {
        Ok(items) => html(StatusCode::OK, &ListPage { c, items, q }),
        Err(e) => error::page(c, &e),
    }
}

async fn detail(state: web::Data<AppState>, session: Session, id: web::Path<String>) -> HttpResponse {
    let v = match signed_in(&state, &session).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let id = id.into_inner();
    let c = chrome(&session, &v, &format!("/admin/templates/{id}"));
    let (pool, now) = (state.pool.clone(), state.clock.now());
    match blocking(move || template_admin::detail(&pool, &v, &id, 10, now)).await {
        Ok(t) => html(StatusCode::OK, &DetailPage { c, t }),
        Err(e) => error::page(c, &e),
    }
}

#[derive(Deserialize)]
struct CsrfForm {
    csrf: Option<String>,
}

async fn pause(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<(String, String)>,
    form: web::Form<CsrfForm>,
) -> HttpResponse {
    let (id, verb) = path.into_inner();
    let on = match verb.as_str() {
        "pause" => true,
        "resume" => false,
        _ => return HttpResponse::NotFound().finish(),
    };
    let to = format!("/admin/templates/{id}");
    act(
        &state,
        &session,
        form.csrf.as_deref(),
        &to,
        move |st, v| template_admin::set_paused(&st.pool, &v, &id, on, st.clock.now()),
        move |tr, ()| tr.t(if on { "template_paused" } else { "template_resumed" }),
    )
    .await
}

/// Mounts these routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/templates", web::get().to(list))
        .route("/admin/templates/{id}", web::get().to(detail))
        .route("/admin/templates/{id}/{verb}", web::post().to(pause));
}
