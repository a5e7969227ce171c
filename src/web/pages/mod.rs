//! Server-rendered pages for phones and desks: zh-CN first, English by a switch that
//! is remembered per person, usable without JavaScript, nothing loaded from outside.
//!
//! Sessions are signed cookies (HttpOnly, SameSite=Lax, Secure when the base URL is
//! HTTPS, 12 hours); every form carries a per-session CSRF token.

mod assign;
pub mod cadence;
mod chart;
mod dashboard;
mod duty_tasks;
mod figures;
mod helpers;
pub use crate::i18n;
mod account;
mod audit;
mod calendar;
mod import;
mod info;
mod leave;
mod login;
mod my_calendar;
mod outbox;
mod password;
mod people;
mod template_edit;
mod templates;
mod today;
mod week;

use super::{blocking, AppState};
use crate::domain::access::Viewer;
use crate::error::ErrorCode;
use crate::services;
use crate::services::askers::Secret;
use actix_session::config::PersistentSession;
use actix_session::storage::CookieSessionStore;
use actix_session::{Session, SessionMiddleware};
use actix_web::cookie::{Key, SameSite};
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};
use askama::Template;
pub use helpers::Helpers;
use i18n::{Lang, Tr};

/// The session cookie middleware, keyed by the secret all instances share.
pub fn session_middleware(key: Key, secure: bool) -> SessionMiddleware<CookieSessionStore> {
    SessionMiddleware::builder(CookieSessionStore::default(), key)
        .cookie_name(crate::web::guard::COOKIE.into())
        .cookie_http_only(true)
        .cookie_same_site(SameSite::Lax)
        .cookie_secure(secure)
        .session_lifecycle(PersistentSession::default().session_ttl(actix_web::cookie::time::Duration::hours(12)))
        .build()
}

/// Mounts the pages.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/static/app.css", web::get().to(css));
    login::configure(cfg);
    assign::configure(cfg);
    account::configure(cfg);
    my_calendar::configure(cfg);
    audit::configure(cfg);
    password::configure(cfg);
    import::configure(cfg);
    people::configure(cfg);
    calendar::configure(cfg);
    template_edit::configure(cfg);
    templates::configure(cfg);
    today::configure(cfg);
    week::configure(cfg);
    info::configure(cfg);
    leave::configure(cfg);
    dashboard::configure(cfg);
    duty_tasks::configure(cfg);
    figures::configure(cfg);
    outbox::configure(cfg);
}

async fn css() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .body(include_str!("../../../templates/static/app.css"))
}

/// What every page's layout needs.
#[derive(Clone)]
pub struct Chrome {
    pub tr: Tr,
    /// Whether the dashboard link is shown (leads and admins).
    pub manager: bool,
    /// Whether the outbox link is shown.
    pub admin: bool,
    /// Whether the people link is shown (admins, HR and leads).
    pub people: bool,
    pub csrf: String,
    pub user: Option<String>,
    pub flash: Option<String>,
    /// A refused change's message, shown on the page it came back to.
    pub alert: Option<String>,
    pub back: String,
    /// The task just finished, whose flash offers to undo it (the card itself may
    /// have left the page: an overdue task finished is no longer listed).
    pub undo: Option<i64>,
}

/// The CSRF token of this session, made on first use.
pub fn csrf_token(session: &Session) -> String {
    if let Ok(Some(t)) = session.get::<String>("csrf") {
        return t;
    }
    let t = services::auth::new_secret("");
    remember(session, "csrf", &t);
    t
}

/// Stores `value` in the session cookie. Only a value that cannot be serialised
/// fails, which would be a bug: it is logged, and the page goes on without it.
pub fn remember(session: &Session, key: &str, value: &(impl serde::Serialize + ?Sized)) {
    if let Err(e) = session.insert(key, value) {
        tracing::error!(key, error = %e, "cannot store a session value");
    }
}

/// A one-line message shown on the next page.
pub fn flash(session: &Session, text: String) {
    remember(session, "flash", &text);
}

/// Runs a form's change as the signed-in person: on success flashes what `done`
/// says and goes to `to`; a refused value goes back to `to` with the message (and the
/// field's name) as an alert; anything else is an error page. A form without this
/// session's CSRF token changes nothing.
pub async fn act<T: Send + 'static>(
    state: &web::Data<AppState>,
    session: &Session,
    csrf: Option<&str>,
    to: &str,
    change: impl FnOnce(&AppState, Viewer) -> services::AppResult<T> + Send + 'static,
    done: impl FnOnce(Tr, T) -> String,
) -> HttpResponse {
    let v = match signed_in(state, session).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let c = chrome(session, &v, to);
    if !csrf_ok(session, csrf) {
        return super::error::page(c, &crate::error::AppError::new(ErrorCode::CsrfExpired));
    }
    let st = state.clone();
    match blocking(move || change(&st, v)).await {
        Ok(out) => {
            flash(session, done(c.tr, out));
            see_other(to)
        }
        Err(e) if e.is_bad_input() && e.class() == crate::error::Class::Invalid => {
            remember(session, "alert", &refusal(c.tr, &e));
            see_other(to)
        }
        Err(e) => super::error::page(c, &e),
    }
}

/// A refused value's message, naming the field in the reader's language.
pub fn refusal(tr: Tr, e: &crate::error::AppError) -> String {
    let text = e.message(tr.0);
    match e.field.as_deref() {
        Some(f) if i18n::has(tr.0, &format!("field_{f}")) => {
            let sep = if tr.is_zh() { "：" } else { ": " };
            format!("{}{sep}{text}", tr.t(format!("field_{f}")))
        }
        _ => text,
    }
}

/// The layout for someone not signed in.
pub fn anonymous(session: &Session, lang: Lang) -> Chrome {
    Chrome {
        tr: Tr(lang),
        manager: false,
        admin: false,
        people: false,
        csrf: csrf_token(session),
        user: None,
        flash: session.remove_as::<String>("flash").and_then(Result::ok),
        alert: session.remove_as::<String>("alert").and_then(Result::ok),
        back: "/login".into(),
        undo: None,
    }
}

/// Whether a submitted form carries this session's CSRF token.
/// The comparison takes the same time wherever the two differ.
pub fn csrf_ok(session: &Session, submitted: Option<&str>) -> bool {
    use subtle::ConstantTimeEq;
    matches!((session.get::<String>("csrf"), submitted),
        (Ok(Some(a)), Some(b)) if !a.is_empty() && bool::from(a.as_bytes().ct_eq(b.as_bytes())))
}

/// A path on this site to go back to, never another site: it starts with one `/`,
/// and holds no backslash and no control character (a browser drops a tab or line
/// break from a URL, so `/<TAB>/evil.example` would become `//evil.example`).
pub fn safe_back(back: Option<&str>) -> String {
    match back {
        Some(b)
            if b.starts_with('/')
                && !b.starts_with("//")
                && !b.contains(['\\'])
                && !b.chars().any(char::is_control) =>
        {
            b.to_string()
        }
        _ => "/today".into(),
    }
}

/// A 303 to `to`.
pub fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther().insert_header((header::LOCATION, to.to_string())).finish()
}

/// Renders a template as an HTML response with `status` (its security headers come
/// from [`crate::web::guard::headers`]).
pub fn html(status: StatusCode, page: &impl Template) -> HttpResponse {
    match page.render() {
        Ok(body) => HttpResponse::build(status).content_type("text/html; charset=utf-8").body(body),
        Err(e) => {
            tracing::error!(error = %e, "page render failed");
            HttpResponse::InternalServerError().body("page render failed")
        }
    }
}

/// The cookie's key for the session secret (see `services::account`).
pub const SESSION_KEY: &str = "sid";

/// The signed-in person of a page request, or a redirect to the login page. Only a
/// session or account that is gone ends the session; a database that is briefly unavailable
/// shows an error page and keeps the person signed in.
pub async fn signed_in(state: &web::Data<AppState>, session: &Session) -> Result<Viewer, HttpResponse> {
    let Ok(Some(secret)) = session.get::<String>(SESSION_KEY) else { return Err(see_other("/login")) };
    match services::asking::ask(state, Secret::Session, &secret).await {
        Ok((Some(((viewer, _), _)), _)) => Ok(viewer),
        Ok((None, _)) => {
            session.purge();
            Err(see_other("/login"))
        }
        Err(e) => Err(super::error::page(anonymous(session, Lang::Zh), &e)),
    }
}

/// A date typed into a page's form, `YYYY-MM-DD`; empty is none.
pub(crate) fn date_param(field: &str, s: Option<&str>) -> crate::error::AppResult<Option<chrono::NaiveDate>> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| crate::error::AppError::invalid(field, ErrorCode::InvalidDate)),
    }
}

/// The not-found page for a path no page has, in the reader's language and layout
/// (signed in or not).
pub async fn not_found(req: &actix_web::HttpRequest) -> HttpResponse {
    use actix_session::SessionExt;
    let session = req.get_session();
    let accept = req.headers().get(header::ACCEPT_LANGUAGE).and_then(|h| h.to_str().ok());
    let lang = Lang::from_accept(accept, Lang::Zh);
    let signed = match req.app_data::<web::Data<AppState>>() {
        Some(state) => signed_in(state, &session).await.ok(),
        None => None,
    };
    let c = match signed {
        Some(v) => chrome(&session, &v, "/today"),
        None => anonymous(&session, lang),
    };
    super::error::page(c, &crate::error::AppError::new(ErrorCode::NoSuchPage))
}

/// The layout values for a signed-in person.
pub fn chrome(session: &Session, v: &Viewer, back: &str) -> Chrome {
    let flash = session.remove_as::<String>("flash").and_then(Result::ok);
    // Offered with the flash that says what was done, and only then.
    let undo = session.remove_as::<i64>("undo").and_then(Result::ok).filter(|_| flash.is_some());
    Chrome {
        tr: Tr(Lang::from_locale(&v.locale)),
        manager: v.admin || v.is_lead(),
        admin: v.admin,
        people: v.manages_people() || v.is_lead(),
        csrf: csrf_token(session),
        user: Some(v.name.clone()),
        flash,
        alert: session.remove_as::<String>("alert").and_then(Result::ok),
        back: back.to_string(),
        undo,
    }
}

#[derive(Template)]
#[template(path = "pages/message.html")]
struct MessagePage {
    c: Chrome,
    title: String,
    message: String,
}

/// A page that only says something (not found, expired form).
pub fn message(status: StatusCode, c: Chrome, title: String, message: String) -> HttpResponse {
    html(status, &MessagePage { c, title, message })
}
