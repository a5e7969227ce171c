//! People: list, add (invited to set their password), edit, and deactivate on their
//! last day. Admins and HR (a position with `manages_people = true`). Each change is one transaction with its audit entry
//! and the scoped pass that moves the tasks concerned.

use super::audit::{self, Actor};
use super::staffing::{self, Reconciled};
use super::{AppError, AppResult};
use crate::db::org::PositionRow;
use crate::db::staff::NewStaff;
use crate::db::{self, AnyConn, DbPool};
use crate::domain::access::Viewer;
use crate::domain::task::{PositionId, StaffId};
use crate::error::ErrorCode;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::json;

/// A person as admins see them.
#[derive(Debug, Clone, Serialize)]
pub struct PersonView {
    pub id: StaffId,
    pub name: String,
    pub email: String,
    pub locale: String,
    /// Whether they may sign in today.
    pub active: bool,
    pub left_on: Option<NaiveDate>,
    /// Whether they have set a password (else they are still to accept an invitation).
    pub has_password: bool,
    /// Positions held today.
    pub positions: Vec<String>,
}

/// What a new person needs.
#[derive(Debug, Clone)]
pub struct NewPerson {
    pub name: String,
    pub email: String,
    /// `zh-CN` (default) or `en`.
    pub locale: Option<String>,
    /// Their first day.
    pub start: NaiveDate,
    /// Positions they hold from `start`.
    pub positions: Vec<PositionId>,
}

/// Admins and HR (the holder of a position marked `manages_people`) manage people.
pub(crate) fn may_manage_people(viewer: &Viewer) -> AppResult<()> {
    if viewer.manages_people() {
        Ok(())
    } else {
        Err(AppError::new(ErrorCode::PeopleForbidden))
    }
}

/// The departments of the positions `staff` holds or deputises for, from 30 days
/// before `today` on (a lead still sees someone who just moved or left).
fn departments_of(
    conn: &mut AnyConn,
    positions: &[PositionRow],
    staff: StaffId,
    today: NaiveDate,
) -> AppResult<Vec<String>> {
    let since = today - chrono::Duration::days(30);
    Ok(db::staff::tenures_of(conn, staff)?
        .into_iter()
        .filter(|h| h.valid_to.is_none_or(|t| t >= since))
        .filter_map(|h| positions.iter().find(|p| p.id == h.position_id).map(|p| p.department_id.clone()))
        .collect())
}

/// Whether `viewer` may see `staff`'s page: themselves, admins and HR, and the leads
/// of the departments they work in.
pub(crate) fn may_see_person(conn: &mut AnyConn, viewer: &Viewer, staff: StaffId, now: DateTime<Utc>) -> AppResult<()> {
    if viewer.id == staff || may_manage_people(viewer).is_ok() {
        return Ok(());
    }
    let (_, today) = super::context::company_today(conn, now)?;
    let positions = db::org::load(conn)?.positions;
    if viewer.is_lead() && departments_of(conn, &positions, staff, today)?.iter().any(|d| viewer.leads.contains(d)) {
        Ok(())
    } else {
        Err(AppError::new(ErrorCode::PeopleForbidden))
    }
}

/// One person, for their page (themselves, admins, HR and their leads).
pub fn one(pool: &DbPool, viewer: &Viewer, staff: StaffId, now: DateTime<Utc>) -> AppResult<PersonView> {
    let mut conn = pool.get()?;
    let conn = &mut conn.any();
    let p = db::staff::by_id(conn, staff)?.ok_or_else(|| AppError::new(ErrorCode::StaffNotFound).arg("id", staff))?;
    may_see_person(conn, viewer, staff, now)?;
    let (_, today) = super::context::company_today(conn, now)?;
    let positions = db::staff::positions_held(conn, p.id, today)?;
    Ok(view(p, today, positions))
}

/// A few people to sign in as, for the start-up message of a demo: an admin, the
/// head of the organisation and someone who holds an ordinary position, each with
/// what they are (their first position's Chinese name, or "admin").
pub fn sign_in_examples(pool: &DbPool, now: DateTime<Utc>) -> AppResult<Vec<(String, String)>> {
    let mut conn = pool.get()?;
    let conn = &mut conn.any();
    let (_, today) = super::context::company_today(conn, now)?;
    let org = db::org::load(conn)?;
    let name = |id: &str| org.positions.iter().find(|p| p.id == id).map_or(id.to_string(), |p| p.zh.clone());
    let leads: Vec<&str> = org.departments.iter().filter_map(|d| d.lead_position_id.as_deref()).collect();
    let mut out: Vec<(String, String)> = Vec::new();
    let people: Vec<_> = db::staff::all(conn)?.into_iter().filter(|p| p.active_on(today)).collect();
    let mut held = Vec::new();
    for p in &people {
        held.push(db::staff::positions_held(conn, p.id, today)?);
    }
    let ordinary = people.iter().zip(&held).find(|(_, h)| h.iter().any(|x| !leads.contains(&x.as_str())));
    let head = org.departments.iter().find(|d| d.reports_to.is_none()).and_then(|d| d.lead_position_id.clone());
    let top = people.iter().zip(&held).find(|(_, h)| head.as_ref().is_some_and(|x| h.contains(x)));
    for (p, h) in ordinary.into_iter().chain(top) {
        out.push((p.email.clone(), h.first().map_or_else(String::new, |x| name(x))));
    }
    if let Some(a) = people.iter().find(|p| p.is_admin) {
        out.push((a.email.clone(), "admin".into()));
    }
    out.dedup_by(|a, b| a.0 == b.0);
    Ok(out)
}

/// Everyone, for the operator at the command line.
pub fn list_as_operator(pool: &DbPool, now: DateTime<Utc>) -> AppResult<Vec<PersonView>> {
    people_where(pool, now, |_, _| Ok(true))
}

/// Everyone `keep` keeps (given their id and today), with what they hold today.
fn people_where(
    pool: &DbPool,
    now: DateTime<Utc>,
    mut keep: impl FnMut(&mut AnyConn, StaffId) -> AppResult<bool>,
) -> AppResult<Vec<PersonView>> {
    let mut conn = pool.get()?;
    let conn = &mut conn.any();
    let (_, today) = super::context::company_today(conn, now)?;
    let mut out = Vec::new();
    for p in db::staff::all(conn)? {
        if keep(conn, p.id)? {
            let positions = db::staff::positions_held(conn, p.id, today)?;
            out.push(view(p, today, positions));
        }
    }
    Ok(out)
}

fn view(p: db::staff::StaffRow, today: NaiveDate, positions: Vec<String>) -> PersonView {
    PersonView {
        id: p.id,
        active: p.active_on(today),
        has_password: p.password_hash.is_some(),
        name: p.name,
        email: p.email,
        locale: p.locale,
        left_on: p.left_on,
        positions,
    }
}

/// [`deactivate`] by email, as the operator at the command line.
pub fn deactivate_by_email(
    pool: &DbPool,
    email: &str,
    last_day: NaiveDate,
    now: DateTime<Utc>,
) -> AppResult<Reconciled> {
    let mut conn = pool.get()?;
    conn.transaction(|conn| {
        let person = db::staff::by_email(conn, &email.trim().to_lowercase())?
            .ok_or_else(|| AppError::invalid("email", ErrorCode::NoSuchEmail).arg("email", email))?;
        deactivate_in(conn, Actor::Operator, person.id, last_day, now)
    })
}

/// Everyone (admins and HR), or the people of the departments a lead leads, with
/// what they hold today.
pub fn list(pool: &DbPool, viewer: &Viewer, now: DateTime<Utc>) -> AppResult<Vec<PersonView>> {
    let all = may_manage_people(viewer).is_ok();
    if !all && !viewer.is_lead() {
        return Err(AppError::new(ErrorCode::PeopleForbidden));
    }
    let mut positions = None;
    people_where(pool, now, |conn, id| {
        if all {
            return Ok(true);
        }
        let (_, today) = super::context::company_today(conn, now)?;
        if positions.is_none() {
            positions = Some(db::org::load(conn)?.positions);
        }
        let known = positions.as_deref().unwrap_or_default();
        Ok(departments_of(conn, known, id, today)?.iter().any(|d| viewer.leads.contains(d)))
    })
}

/// Checks a name, an email and a language; returns them cleaned.
fn checked(name: &str, email: &str, locale: Option<&str>) -> AppResult<(String, String, String)> {
    let name = name.trim();
    if name.is_empty() {
        return Err(AppError::invalid("name", ErrorCode::Required));
    }
    if name.chars().count() > 100 {
        return Err(AppError::invalid("name", ErrorCode::TooLong).arg("max", 100));
    }
    if crate::domain::text::has_control(name) {
        return Err(AppError::invalid("name", ErrorCode::ControlCharacter));
    }
    let email = email.trim().to_lowercase();
    if !crate::catalog::valid_email(&email) {
        return Err(AppError::invalid("email", ErrorCode::BadEmail).arg("email", &email));
    }
    let locale = match locale.unwrap_or("zh-CN") {
        l @ ("zh-CN" | "en") => l.to_string(),
        other => {
            return Err(AppError::invalid("locale", ErrorCode::InvalidChoice)
                .arg("value", other)
                .arg("allowed", "zh-CN, en"))
        }
    };
    Ok((name.to_string(), email, locale))
}

/// Adds a person without a password, holding `positions` from `start`, and mails
/// them an invitation. A taken email, an unknown or full position changes nothing.
#[tracing::instrument(level = "debug", skip(pool, person, base_url), fields(by = viewer.id.0))]
pub fn add(
    pool: &DbPool,
    viewer: &Viewer,
    person: &NewPerson,
    base_url: &str,
    now: DateTime<Utc>,
) -> AppResult<(StaffId, DateTime<Utc>)> {
    may_manage_people(viewer)?;
    let mut conn = pool.get()?;
    conn.transaction(|conn| add_in(conn, Actor::from(viewer), person, base_url, now))
}

/// [`add`] in the caller's transaction, for whoever has been allowed.
pub(crate) fn add_in(
    conn: &mut AnyConn,
    by: Actor,
    person: &NewPerson,
    base_url: &str,
    now: DateTime<Utc>,
) -> AppResult<(StaffId, DateTime<Utc>)> {
    let (name, email, locale) = checked(&person.name, &person.email, person.locale.as_deref())?;
    if db::staff::by_email(conn, &email)?.is_some() {
        return Err(AppError::invalid("email", ErrorCode::EmailTaken).arg("email", &email));
    }
    let row = NewStaff {
        email: email.clone(),
        name: name.clone(),
        password_hash: None,
        is_admin: false,
        locale: locale.clone(),
        active: true,
        created_at: now.naive_utc(),
    };
    let id = StaffId(db::staff::insert(conn, &row)?);
    let after = json!({"name": name, "email": email, "locale": locale, "start": person.start});
    audit::record(conn, by, "person.add", &format!("staff:{id}"), None, Some(after), now)?;
    for p in &person.positions {
        staffing::add_holding_in(conn, by, id, p, false, person.start, now).map_err(|e| e.at("positions"))?;
    }
    let positions: Vec<String> = person.positions.iter().map(ToString::to_string).collect();
    staffing::reconcile(conn, &positions, now)?;
    let until = super::links::invite_in(conn, by, id, base_url, now)?;
    for p in &person.positions {
        super::holdings::tell_new_holder(conn, id, p, person.start, base_url, now)?;
    }
    Ok((id, until))
}

/// Changes a person's name, email or language.
pub fn edit(
    pool: &DbPool,
    viewer: &Viewer,
    staff: StaffId,
    name: &str,
    email: &str,
    locale: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    may_manage_people(viewer)?;
    let mut conn = pool.get()?;
    conn.transaction(|conn| edit_in(conn, Actor::from(viewer), staff, name, email, locale, now))
}

/// [`edit`] in the caller's transaction.
pub(crate) fn edit_in(
    conn: &mut AnyConn,
    by: Actor,
    staff: StaffId,
    name: &str,
    email: &str,
    locale: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let (name, email, locale) = checked(name, email, Some(locale))?;
    let old = db::staff::by_id(conn, staff)?.ok_or_else(|| AppError::new(ErrorCode::StaffNotFound).arg("id", staff))?;
    if db::staff::by_email(conn, &email)?.is_some_and(|p| p.id != staff) {
        return Err(AppError::invalid("email", ErrorCode::EmailTaken).arg("email", &email));
    }
    db::staff::update_person(conn, staff, &name, &email, &locale)?;
    let before = json!({"name": old.name, "email": old.email, "locale": old.locale});
    let after = json!({"name": name, "email": email, "locale": locale});
    audit::record(conn, by, "person.edit", &format!("staff:{staff}"), Some(before), Some(after), now)
}

/// A person leaves after `last_day`: every holding and deputyship ends that day, their
/// open tasks after it follow the vacancy rule (or go to the remaining holders), and
/// from the next day they cannot sign in and their API tokens stop working. Their
/// history stays under their name.
#[tracing::instrument(level = "debug", skip(pool), fields(by = viewer.id.0))]
pub fn deactivate(
    pool: &DbPool,
    viewer: &Viewer,
    staff: StaffId,
    last_day: NaiveDate,
    now: DateTime<Utc>,
) -> AppResult<Reconciled> {
    may_manage_people(viewer)?;
    let mut conn = pool.get()?;
    conn.transaction(|conn| deactivate_in(conn, Actor::from(viewer), staff, last_day, now))
}

/// [`deactivate`] in the caller's transaction.
pub(crate) fn deactivate_in(
    conn: &mut AnyConn,
    by: Actor,
    staff: StaffId,
    last_day: NaiveDate,
    now: DateTime<Utc>,
) -> AppResult<Reconciled> {
    let person =
        db::staff::by_id(conn, staff)?.ok_or_else(|| AppError::new(ErrorCode::StaffNotFound).arg("id", staff))?;
    let positions = db::staff::end_all_holdings(conn, staff, last_day)?;
    db::staff::set_left_on(conn, staff, last_day)?;
    let before = json!({"left_on": person.left_on, "positions": positions});
    let after = json!({"left_on": last_day});
    audit::record(conn, by, "person.deactivate", &format!("staff:{staff}"), Some(before), Some(after), now)?;
    // Their own sessions and tokens end once the last day is over (the viewer
    // check); a leaver whose last day has passed is signed out at once.
    let (_, today) = super::context::company_today(conn, now)?;
    if last_day < today {
        db::accounts::delete_sessions_of(conn, staff, now.naive_utc())?;
        db::accounts::revoke_all_tokens(conn, staff, now.naive_utc())?;
    }
    staffing::reconcile_from(conn, &positions, last_day.succ_opt(), now)
}
