//! Admins loading a work calendar from a page: the loaded years of the company's and
//! the departments' calendars, and a file's days compared with what is loaded (added,
//! changed, removed) before anything changes. Loading replaces the file's years, in
//! one transaction, audited; tasks already made keep their dates.

use super::audit::{self, Actor};
use super::{AppError, AppResult};
use crate::db::{self, calendar::LoadedYear, DbPool};
use crate::domain::access::Viewer;
use crate::domain::calendar::{parse_tsv, CalendarDay};
use crate::error::ErrorCode;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::Serialize;
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};

/// The calendars there are and their loaded years.
#[derive(Debug, Clone)]
pub struct Overview {
    /// The departments' calendar names ('' is the company's and always there).
    pub names: Vec<String>,
    pub years: Vec<LoadedYear>,
}

/// One date a file changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DayChange {
    pub date: NaiveDate,
    /// `holiday` or `workday` and its name, as loaded; none when it is a usual day.
    pub before: Option<(String, String)>,
    /// As the file has it.
    pub after: Option<(String, String)>,
}

/// What loading a file would do.
#[derive(Debug, Clone, Serialize)]
pub struct CalendarPlan {
    pub calendar: String,
    pub years: Vec<i32>,
    /// Of those, the years not loaded before.
    pub new_years: Vec<i32>,
    pub changes: Vec<DayChange>,
    /// Days in the file.
    pub days: usize,
}

fn admin(viewer: &Viewer) -> AppResult<()> {
    if viewer.admin {
        Ok(())
    } else {
        Err(AppError::new(ErrorCode::CatalogueForbidden))
    }
}

/// The calendars and their loaded years.
pub fn overview(pool: &DbPool, viewer: &Viewer) -> AppResult<Overview> {
    admin(viewer)?;
    let mut conn = pool.get()?;
    let conn = &mut conn.any();
    Ok(Overview { names: super::calendar::calendar_names(conn)?, years: db::calendar::years(conn)? })
}

fn parse(text: &str) -> AppResult<Vec<CalendarDay>> {
    parse_tsv(text).map_err(|e| AppError::invalid("tsv", ErrorCode::Catalog).arg("problem", e.to_string()))
}

fn plan_in(conn: &mut db::AnyConn, calendar: &str, text: &str) -> AppResult<(CalendarPlan, Vec<CalendarDay>)> {
    if !calendar.is_empty() && !super::calendar::calendar_names(conn)?.iter().any(|n| n == calendar) {
        return Err(AppError::invalid("calendar", ErrorCode::InvalidChoice)
            .arg("value", calendar)
            .arg("allowed", "'' or a [[calendar]] name"));
    }
    let days = parse(text)?;
    let years: BTreeSet<i32> = days.iter().map(|d| d.date.year()).collect();
    let stored = db::calendar::load_all(conn)?.remove(calendar).unwrap_or_default();
    let of = |list: &[CalendarDay]| -> BTreeMap<NaiveDate, (String, String)> {
        list.iter()
            .filter(|d| years.contains(&d.date.year()))
            .map(|d| (d.date, (d.kind.as_str().to_string(), d.name.clone())))
            .collect()
    };
    let (before, after) = (of(&stored.days), of(&days));
    let dates: BTreeSet<NaiveDate> = before.keys().chain(after.keys()).copied().collect();
    let changes = dates
        .into_iter()
        .filter(|d| before.get(d) != after.get(d))
        .map(|d| DayChange { date: d, before: before.get(&d).cloned(), after: after.get(&d).cloned() })
        .collect();
    let new_years = years.iter().copied().filter(|y| !stored.years.contains(y)).collect();
    let plan = CalendarPlan {
        calendar: calendar.into(),
        years: years.into_iter().collect(),
        new_years,
        changes,
        days: days.len(),
    };
    Ok((plan, days))
}

/// What loading `text` (a calendar file) into `calendar` would change; nothing is written.
pub fn plan(pool: &DbPool, viewer: &Viewer, calendar: &str, text: &str) -> AppResult<CalendarPlan> {
    admin(viewer)?;
    Ok(plan_in(&mut pool.get()?.any(), calendar, text)?.0)
}

/// Loads `text` into `calendar`, replacing the years it covers; audited.
pub fn load(pool: &DbPool, viewer: &Viewer, calendar: &str, text: &str, now: DateTime<Utc>) -> AppResult<CalendarPlan> {
    admin(viewer)?;
    let mut conn = pool.get()?;
    conn.transaction(|conn| {
        db::serialize_writers(conn)?;
        let (plan, days) = plan_in(conn, calendar, text)?;
        let source = format!("page, by {}", viewer.id);
        super::import::write_calendar(conn, calendar, &days, &source, now)?;
        db::versions::bump(conn)?;
        let after = json!({"years": plan.years, "changes": plan.changes.len(), "days": plan.days});
        let subject = format!("calendar:{}", if calendar.is_empty() { "company" } else { calendar });
        audit::record(conn, Actor::from(viewer), "calendar.load", &subject, None, Some(after), now)?;
        Ok(plan)
    })
}
