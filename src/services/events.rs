//! Firing named events (a hire, an emergency, a new product) into tasks.

use super::context::Context;
use super::generate::task_rows;
use super::{AppError, AppResult};
use crate::db::events::NewEvent;
use crate::db::{self, AnyConn, DbPool};
use crate::domain::staffing::Assignment;
use crate::domain::task::{Cover, TaskStatus};
use crate::domain::template::{valid_name, AssignTo, Plan};
use crate::error::ErrorCode;
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::BTreeSet;

/// What firing an event did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FireReport {
    pub event_id: i64,
    /// False when the same event (name, subject, date) had been fired before.
    pub new_event: bool,
    pub created: usize,
    pub existing: usize,
    /// Set when the subject names nobody on the staff, so their lead is not known.
    pub warning: Option<String>,
}

/// The event names some active template listens to.
pub fn known_events(ctx: &Context) -> BTreeSet<String> {
    ctx.templates
        .iter()
        .filter_map(|t| match &t.plan {
            Plan::Trigger { event, .. } => Some(event.clone()),
            Plan::Schedule(_) => None,
        })
        .collect()
}

/// How far from today an event may be dated, either way.
pub const EVENT_REACH_DAYS: i64 = 366;

/// Who fires an event: an admin (or the command line) for any department, a lead
/// only for the departments they lead.
#[derive(Debug, Clone, Copy)]
pub enum FiredBy<'a> {
    Anyone,
    LeadOf(&'a BTreeSet<String>),
}

/// Fires `name` for `subject` (a person's email or name, or free text) on `at`
/// (default: today, and at most [`EVENT_REACH_DAYS`] from it). Firing the same
/// name, subject and date again creates nothing. A lead may fire only an event whose
/// every template belongs to a department they lead.
#[tracing::instrument(level = "debug", skip(pool, subject, by))]
pub fn fire(
    pool: &DbPool,
    by: FiredBy<'_>,
    name: &str,
    subject: Option<&str>,
    at: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> AppResult<FireReport> {
    if !valid_name(name) {
        return Err(AppError::invalid("name", ErrorCode::EventName).arg("name", name));
    }
    let subject = subject.map(str::trim).unwrap_or("").to_string();
    if subject.chars().count() > 200 {
        return Err(AppError::invalid("subject", ErrorCode::TooLong).arg("max", 200));
    }
    if crate::domain::text::has_control(&subject) {
        return Err(AppError::invalid("subject", ErrorCode::ControlCharacter));
    }
    let mut conn = pool.get()?;
    conn.transaction(|conn| {
        let (_, today) = super::context::company_today(conn, now)?;
        if let Some(at) = at.filter(|d| (*d - today).num_days().abs() > EVENT_REACH_DAYS) {
            return Err(AppError::invalid("at", ErrorCode::EventDateOutOfReach)
                .arg("at", at)
                .arg("days", EVENT_REACH_DAYS));
        }
        if let FiredBy::LeadOf(led) = by {
            let ctx = Context::load(conn, at.unwrap_or(today).min(today))?;
            let mut outside = BTreeSet::new();
            for t in ctx.templates.iter().filter(|t| matches!(&t.plan, Plan::Trigger { event, .. } if event == name)) {
                let dept = ctx.department_of(&t.position)?;
                if !led.contains(dept) {
                    outside.insert(dept.to_string());
                }
            }
            if !outside.is_empty() {
                let list = outside.into_iter().collect::<Vec<_>>().join(", ");
                return Err(AppError::new(ErrorCode::EventOutsideLead).arg("name", name).arg("departments", list));
            }
        }
        fire_in(conn, name, &subject, at, now)
    })
}

/// [`fire`] inside the caller's transaction.
pub(super) fn fire_in(
    conn: &mut AnyConn,
    name: &str,
    subject: &str,
    at: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> AppResult<FireReport> {
    let (_, today) = super::context::company_today(conn, now)?;
    let at = at.unwrap_or(today);
    let ctx = Context::load(conn, at.min(today))?;
    let known = known_events(&ctx);
    if !known.contains(name) {
        let list = known.into_iter().collect::<Vec<_>>().join(", ");
        return Err(AppError::invalid("name", ErrorCode::UnknownEvent).arg("name", name).arg("known", list));
    }
    let person = match subject {
        "" => None,
        s => db::staff::by_email(conn, s)?.or(db::staff::by_name(conn, s)?),
    };
    let (event, new_event) = db::events::insert_once(
        conn,
        &NewEvent {
            name: name.to_string(),
            subject: subject.to_string(),
            subject_staff_id: person.as_ref().map(|p| p.id.0),
            occurs_on: at,
            fired_at: now.naive_utc(),
        },
    )?;
    let subject_position = person.as_ref().and_then(|p| {
        db::staff::holders_since(conn, at)
            .ok()?
            .into_iter()
            .find(|h| h.staff_id == p.id && !h.deputy)
            .map(|h| h.position_id)
    });
    let mut warning = None;
    let mut rows = Vec::new();
    for t in ctx.templates.iter().filter(|t| !t.paused) {
        let Plan::Trigger { event: ev, offset_working_days } = &t.plan else { continue };
        if ev != name {
            continue;
        }
        let date = ctx.calendar_of_position(&t.position).add_working_days(at, *offset_working_days);
        if !t.in_force(date) {
            continue; // another version (or none, once retired) has that date
        }
        let assignments = match t.spec.assign_to {
            AssignTo::Position => ctx.staffing.assign(&t.position, t.spec.assign, date),
            AssignTo::SubjectLead => {
                let lead = match &subject_position {
                    Some(p) => ctx.staffing.lead_for(p, date),
                    None => {
                        warning = Some(format!("subject `{subject}` is not on the staff; their lead's task goes to the top of the org chart"));
                        ctx.staffing.head(date)
                    }
                };
                vec![Assignment { slot: "lead".into(), assignee: lead, cover: Cover::None, covered: None }]
            }
        };
        rows.extend(task_rows(
            &ctx,
            t,
            &format!("e{}", event.id),
            date,
            &t.due,
            &assignments,
            TaskStatus::Open,
            Some(event.id),
            now,
        )?);
    }
    let created = db::tasks::insert_missing(conn, &rows)?;
    Ok(FireReport { event_id: event.id, new_event, created, existing: rows.len() - created, warning })
}
