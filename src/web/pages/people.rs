//! 员工 under `/admin/people`: the list (HR and admins see everyone, leads their
//! departments), a hire, a person's page with their positions and the forms that
//! change them (edit, assign, end, transfer, leave, last day, invitation).

use super::leave::LeaveForm;
use super::{act, chrome, html, signed_in, Chrome};
use crate::domain::access::Viewer;
use crate::domain::task::{PositionId, StaffId};
use crate::error::{AppError, ErrorCode};
use crate::i18n::Tr;
use crate::services::catalog_view::{self, PositionView};
use crate::services::holdings::{self, NewTenure, TenureView};
use crate::services::people::{self, NewPerson, PersonView};
use crate::services::{leave, links, AppResult};
use crate::web::{blocking, error, AppState};
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "pages/people.html")]
struct PeoplePage {
    c: Chrome,
    people: Vec<PersonView>,
    positions: Vec<PositionView>,
    /// Whether the viewer may add and change people (admins and HR).
    manage: bool,
    today: String,
}

#[derive(Template)]
#[template(path = "pages/person.html")]
struct PersonPage {
    c: Chrome,
    p: PersonView,
    tenures: Vec<TenureView>,
    positions: Vec<PositionView>,
    manage: bool,
    /// Whether the viewer may record this person's leave.
    record_leave: bool,
    today: String,
}

/// A position's name in the reader's language.
trait Named {
    fn pos_name(&self, tr: &Tr, zh: &str, en: &str) -> String {
        if tr.is_zh() { zh } else { en }.to_string()
    }
}
impl Named for PeoplePage {}
impl Named for PersonPage {}

async fn list(state: web::Data<AppState>, session: Session) -> HttpResponse {
    let v = match signed_in(&state, &session).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let c = chrome(&session, &v, "/admin/people");
    let (pool, now, manage) = (state.pool.clone(), state.clock.now(), v.manages_people());
    let loaded = blocking(move || {
        let people = people::list(&pool, &v, now)?;
        Ok((people, catalog_view::positions(&pool, now)?, company_today(&pool, now)?))
    })
    .await;
    match loaded {
        Ok((people, positions, today)) => html(StatusCode::OK, &PeoplePage { c, people, positions, manage, today }),
        Err(e) => error::page(c, &e),
    }
}

async fn person(state: web::Data<AppState>, session: Session, id: web::Path<i64>) -> HttpResponse {
    let v = match signed_in(&state, &session).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let staff = StaffId(id.into_inner());
    let c = chrome(&session, &v, &format!("/admin/people/{staff}"));
    let (pool, now) = (state.pool.clone(), state.clock.now());
    let manage = v.manages_people();
    let record_leave = v.id != staff && (manage || v.is_lead());
    let loaded = blocking(move || {
        let p = people::one(&pool, &v, staff, now)?;
        let tenures = holdings::tenures(&pool, &v, staff, now)?;
        Ok((p, tenures, catalog_view::positions(&pool, now)?, company_today(&pool, now)?))
    })
    .await;
    match loaded {
        Ok((p, tenures, positions, today)) => {
            html(StatusCode::OK, &PersonPage { c, p, tenures, positions, manage, record_leave, today })
        }
        Err(e) => error::page(c, &e),
    }
}

/// The company's date at `now` (the forms' default day), as `YYYY-MM-DD`.
pub(super) fn company_today(pool: &crate::db::DbPool, now: chrono::DateTime<chrono::Utc>) -> AppResult<String> {
    Ok(crate::services::context::company_today(&mut pool.get()?.any(), now)?.1.to_string())
}

fn date(s: &str, field: &str) -> AppResult<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| AppError::invalid(field, ErrorCode::InvalidDate))
}

/// The add form: positions come as repeated `positions` fields.
async fn add(state: web::Data<AppState>, session: Session, body: web::Bytes) -> HttpResponse {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let positions: Vec<PositionId> =
        pairs.iter().filter(|(n, v)| n == "positions" && !v.is_empty()).map(|(_, v)| PositionId(v.clone())).collect();
    let (name, email, locale, start, csrf) = (get("name"), get("email"), get("locale"), get("start"), get("csrf"));
    act(
        &state,
        &session,
        Some(&csrf),
        "/admin/people",
        move |st, v| {
            people::may_manage_people(&v)?;
            let person = NewPerson { name, email, locale: Some(locale), start: date(&start, "start")?, positions };
            people::add(&st.pool, &v, &person, &st.settings.base_url, st.clock.now())
        },
        |tr, (_, until)| tr.with("person_added", "until", &until.format("%Y-%m-%d %H:%M UTC").to_string()),
    )
    .await
}

/// Runs a change made on person `id`'s page and comes back to it (see [`act`]).
async fn on_person<T: Send + 'static>(
    state: &web::Data<AppState>,
    session: &Session,
    id: i64,
    csrf: Option<String>,
    change: impl FnOnce(&AppState, Viewer, StaffId) -> AppResult<T> + Send + 'static,
    done: impl FnOnce(Tr, T) -> String,
) -> HttpResponse {
    let staff = StaffId(id);
    let to = format!("/admin/people/{staff}");
    act(state, session, csrf.as_deref(), &to, move |st, v| change(st, v, staff), done).await
}

#[derive(Deserialize)]
struct EditForm {
    csrf: Option<String>,
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    locale: String,
}

async fn edit(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<i64>,
    f: web::Form<EditForm>,
) -> HttpResponse {
    let f = f.into_inner();
    let csrf = f.csrf.clone();
    on_person(
        &state,
        &session,
        id.into_inner(),
        csrf,
        move |st, v, staff| people::edit(&st.pool, &v, staff, &f.name, &f.email, &f.locale, st.clock.now()),
        |tr, ()| tr.t("saved"),
    )
    .await
}

#[derive(Deserialize)]
struct HoldingForm {
    csrf: Option<String>,
    #[serde(default)]
    position: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    last_day: String,
    deputy: Option<String>,
}

async fn assign(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<i64>,
    f: web::Form<HoldingForm>,
) -> HttpResponse {
    let f = f.into_inner();
    let csrf = f.csrf.clone();
    on_person(
        &state,
        &session,
        id.into_inner(),
        csrf,
        move |st, v, staff| {
            people::may_manage_people(&v)?;
            let tenure = NewTenure {
                position: PositionId(f.position),
                deputy: f.deputy.is_some(),
                from: date(&f.from, "from")?,
            };
            holdings::assign(&st.pool, &v, staff, &tenure, &st.settings.base_url, st.clock.now())
        },
        |tr, r| tr.with("staffing_saved", "moved", &r.moved.to_string()),
    )
    .await
}

async fn end(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<i64>,
    f: web::Form<HoldingForm>,
) -> HttpResponse {
    let f = f.into_inner();
    let csrf = f.csrf.clone();
    on_person(
        &state,
        &session,
        id.into_inner(),
        csrf,
        move |st, v, staff| {
            people::may_manage_people(&v)?;
            let last = date(&f.last_day, "last_day")?;
            holdings::end(&st.pool, &v, staff, &PositionId(f.position), f.deputy.is_some(), last, st.clock.now())
        },
        |tr, r| tr.with("staffing_saved", "moved", &r.moved.to_string()),
    )
    .await
}

#[derive(Deserialize)]
struct TransferForm {
    csrf: Option<String>,
    #[serde(default)]
    from_position: String,
    #[serde(default)]
    to_position: String,
    #[serde(default)]
    on: String,
}

async fn transfer(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<i64>,
    f: web::Form<TransferForm>,
) -> HttpResponse {
    let f = f.into_inner();
    let csrf = f.csrf.clone();
    on_person(
        &state,
        &session,
        id.into_inner(),
        csrf,
        move |st, v, staff| {
            people::may_manage_people(&v)?;
            let (a, b) = (PositionId(f.from_position), PositionId(f.to_position));
            holdings::transfer(&st.pool, &v, staff, &a, &b, date(&f.on, "on")?, &st.settings.base_url, st.clock.now())
        },
        |tr, r| tr.with("staffing_saved", "moved", &r.moved.to_string()),
    )
    .await
}

async fn record_leave(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<i64>,
    f: web::Form<LeaveForm>,
) -> HttpResponse {
    let f = f.into_inner();
    let csrf = f.csrf.clone();
    on_person(
        &state,
        &session,
        id.into_inner(),
        csrf,
        move |st, v, staff| leave::record(&st.pool, &v, staff, &f.input()?, st.clock.now()),
        |tr, (_, r)| tr.with("leave_recorded", "moved", &r.moved.to_string()),
    )
    .await
}

#[derive(Deserialize)]
struct LastDayForm {
    csrf: Option<String>,
    #[serde(default)]
    last_day: String,
}

async fn deactivate(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<i64>,
    f: web::Form<LastDayForm>,
) -> HttpResponse {
    let f = f.into_inner();
    let csrf = f.csrf.clone();
    on_person(
        &state,
        &session,
        id.into_inner(),
        csrf,
        move |st, v, staff| {
            people::may_manage_people(&v)?;
            people::deactivate(&st.pool, &v, staff, date(&f.last_day, "last_day")?, st.clock.now())
        },
        |tr, r| tr.with("staffing_saved", "moved", &r.moved.to_string()),
    )
    .await
}

async fn invite(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<i64>,
    f: web::Form<LastDayForm>,
) -> HttpResponse {
    on_person(
        &state,
        &session,
        id.into_inner(),
        f.csrf.clone(),
        move |st, v, staff| links::invite(&st.pool, &v, staff, &st.settings.base_url, st.clock.now()),
        |tr, until| tr.with("person_invited", "until", &until.format("%Y-%m-%d %H:%M UTC").to_string()),
    )
    .await
}

/// Mounts these routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/people", web::get().to(list))
        .route("/admin/people", web::post().to(add))
        .route("/admin/people/{id:\\d+}", web::get().to(person))
        .route("/admin/people/{id:\\d+}/edit", web::post().to(edit))
        .route("/admin/people/{id:\\d+}/holdings", web::post().to(assign))
        .route("/admin/people/{id:\\d+}/holdings/end", web::post().to(end))
        .route("/admin/people/{id:\\d+}/transfer", web::post().to(transfer))
        .route("/admin/people/{id:\\d+}/leave", web::post().to(record_leave))
        .route("/admin/people/{id:\\d+}/deactivate", web::post().to(deactivate))
        .route("/admin/people/{id:\\d+}/invite", web::post().to(invite));
}
