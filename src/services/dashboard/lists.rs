//! The dashboard's lists: every overdue task in scope with the reminders already
//! sent about it, and the period's skipped tasks with their reasons.

use super::{departments_in_scope, Filter};
use crate::db::{self, AnyConn, DbPool};
use crate::domain::access::Viewer;
use crate::domain::marks;
use crate::domain::task::{StaffId, TaskId};
use crate::services::AppResult;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// An overdue open task as the overdue list shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Overdue {
    pub task: crate::services::tasks::TaskView,
    /// Clock hours since it fell due (the unit the reminders use).
    pub hours_late: f64,
    /// The reminders and escalations already mailed about it, oldest first.
    pub reminders: Vec<ReminderSent>,
}

/// A reminder mailed about an overdue task.
#[derive(Debug, Clone, Serialize)]
pub struct ReminderSent {
    /// `due_soon`, `overdue`, `repeat` or `escalation`.
    pub kind: String,
    pub level: i32,
    pub to: String,
    /// Local time, `MM-DD HH:MM`.
    pub at: String,
}

/// Every overdue open task in scope (of the days `period` covers, if given), oldest first.
pub fn overdue(
    pool: &DbPool,
    viewer: &Viewer,
    period: Option<(NaiveDate, NaiveDate)>,
    filter: &Filter,
    now: DateTime<Utc>,
) -> AppResult<Vec<Overdue>> {
    let mut conn = pool.get()?;
    let conn = &mut conn.any();
    let departments = departments_in_scope(conn, viewer, filter.department.as_deref())?;
    // Counted as the dashboard's table counts them: by the day each task is for.
    let in_period = |d: NaiveDate| period.is_none_or(|(from, to)| from <= d && d <= to);
    let rows: Vec<_> = db::tasks::overdue_in(conn, &departments, now.naive_utc())?
        .into_iter()
        .filter(|t| in_period(t.occurs_on) && filter.keeps(&t.position_id, t.assignee_id, None))
        .collect();
    let (tz, _) = crate::services::context::company_today(conn, now)?;
    let mut sent = reminders_sent(conn, &rows, tz)?;
    let views = crate::services::tasks::views(conn, tz, rows, Some(viewer), now)?;
    Ok(views
        .into_iter()
        .map(|task| {
            let due = DateTime::parse_from_rfc3339(&task.due_at).map(|d| d.with_timezone(&Utc)).unwrap_or(now);
            // Clock time, as the reminders say it (README, "How late").
            let hours_late = (now - due).num_minutes().max(0) as f64 / 60.0;
            let reminders = sent.remove(&task.id).unwrap_or_default();
            Overdue { task, hours_late, reminders }
        })
        .collect())
}

/// The reminders mailed about these tasks, by task. A message may carry reminders
/// about several tasks, so the messages created while these tasks could be reminded
/// (from the longest due-soon lead before the first due time on) are read and sorted out.
fn reminders_sent(
    conn: &mut AnyConn,
    rows: &[crate::db::tasks::TaskRow],
    tz: chrono_tz::Tz,
) -> AppResult<HashMap<TaskId, Vec<ReminderSent>>> {
    let mut sent: HashMap<TaskId, Vec<ReminderSent>> = HashMap::new();
    let Some(first) = rows.iter().map(|t| t.due_at).min() else { return Ok(sent) };
    let wanted: HashSet<TaskId> = rows.iter().map(|t| t.id).collect();
    let from = first - chrono::Duration::hours(1000);
    let messages = db::outbox::sent_since(conn, from)?;
    let mut people: Vec<StaffId> = messages.iter().filter_map(|m| m.2.map(StaffId)).collect();
    people.sort_unstable();
    people.dedup();
    let names: HashMap<StaffId, String> = db::staff::names(conn, &people)?.into_iter().collect();
    for (_, _, to, at, items) in messages {
        let at = at.map(|a| a.and_utc().with_timezone(&tz).format("%m-%d %H:%M").to_string()).unwrap_or_default();
        let to = to.and_then(|id| names.get(&StaffId(id)).cloned()).unwrap_or_default();
        for item in
            marks::decode(&items).unwrap_or_default().into_iter().filter(|i| wanted.contains(&TaskId(i.task_id)))
        {
            let r = ReminderSent { kind: item.kind.as_str().into(), level: item.level, to: to.clone(), at: at.clone() };
            sent.entry(TaskId(item.task_id)).or_default().push(r);
        }
    }
    Ok(sent)
}

/// Skipped tasks of the period in scope, newest first; each view's `note` is the reason.
pub fn skipped(
    pool: &DbPool,
    viewer: &Viewer,
    from: NaiveDate,
    to: NaiveDate,
    filter: &Filter,
    now: DateTime<Utc>,
) -> AppResult<Vec<crate::services::tasks::TaskView>> {
    super::check_period(from, to)?;
    in_scope(pool, viewer, filter, now, |conn, departments| db::tasks::skipped_in(conn, departments, from, to))
}

/// The tasks `read` finds in the viewer's departments (narrowed by `filter`) that
/// the filter keeps, as views.
fn in_scope(
    pool: &DbPool,
    viewer: &Viewer,
    filter: &Filter,
    now: DateTime<Utc>,
    read: impl FnOnce(&mut AnyConn, &[String]) -> diesel::QueryResult<Vec<crate::db::tasks::TaskRow>>,
) -> AppResult<Vec<crate::services::tasks::TaskView>> {
    let mut conn = pool.get()?;
    let conn = &mut conn.any();
    let departments = departments_in_scope(conn, viewer, filter.department.as_deref())?;
    let rows: Vec<_> = read(conn, &departments)?
        .into_iter()
        .filter(|t| filter.keeps(&t.position_id, t.assignee_id, t.done_by))
        .collect();
    let (tz, _) = crate::services::context::company_today(conn, now)?;
    crate::services::tasks::views(conn, tz, rows, Some(viewer), now)
}

/// One duty's tasks of the period in scope (a person's, a position's or a
/// department's), newest day first: the dashboard's duty level opened.
pub fn duty_tasks(
    pool: &DbPool,
    viewer: &Viewer,
    template: &str,
    (from, to): (NaiveDate, NaiveDate),
    filter: &Filter,
    now: DateTime<Utc>,
) -> AppResult<Vec<crate::services::tasks::TaskView>> {
    super::check_period(from, to)?;
    in_scope(pool, viewer, filter, now, |conn, departments| {
        db::tasks::of_template_in(conn, template, departments, from, to)
    })
}
