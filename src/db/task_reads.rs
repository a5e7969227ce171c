//! Reads of many tasks at once: what dashboards count and what reminders chase.
//! (`db::tasks` re-exports them.)

use super::schema::tasks;
use super::tasks::TaskRow;
use super::{AnyConn, INSERT_CHUNK};
use crate::domain::task::{StaffId, TaskStatus, TemplateId};
use crate::with_conn;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

/// What counting needs of each task dated `from..=to` in `departments`.
#[derive(Debug, Clone, Queryable)]
pub struct CountRow {
    pub template_id: String,
    pub department_id: String,
    pub position_id: String,
    pub assignee_id: Option<StaffId>,
    pub done_by: Option<StaffId>,
    pub status: TaskStatus,
    pub due_at: NaiveDateTime,
    pub done_at: Option<NaiveDateTime>,
    pub occurs_on: NaiveDate,
}

/// The facts to count for a period, restricted to some departments.
pub fn for_counting(
    conn: &mut AnyConn,
    from: NaiveDate,
    to: NaiveDate,
    departments: &[String],
) -> QueryResult<Vec<CountRow>> {
    with_conn!(conn, c => tasks::table
        .filter(tasks::occurs_on.between(from, to))
        .filter(tasks::department_id.eq_any(departments))
        .filter(tasks::status.ne(TaskStatus::Cancelled.as_str()))
        .select((
            tasks::template_id,
            tasks::department_id,
            tasks::position_id,
            tasks::assignee_id,
            tasks::done_by,
            tasks::status,
            tasks::due_at,
            tasks::done_at,
            tasks::occurs_on,
        ))
        .load(c))
}

/// Open tasks of these departments past their due time, oldest first.
pub fn overdue_in(conn: &mut AnyConn, departments: &[String], now: NaiveDateTime) -> QueryResult<Vec<TaskRow>> {
    with_conn!(conn, c => tasks::table
        .filter(tasks::status.eq(TaskStatus::Open.as_str()))
        .filter(tasks::due_at.lt(now))
        .filter(tasks::department_id.eq_any(departments))
        .order((tasks::due_at, tasks::id))
        .limit(1000)
        .select(TaskRow::as_select())
        .load(c))
}

/// Completed tasks of one template dated `from..=to` in `departments`, with figures.
pub fn with_figures(
    conn: &mut AnyConn,
    template: &TemplateId,
    from: NaiveDate,
    to: NaiveDate,
    departments: &[String],
) -> QueryResult<Vec<TaskRow>> {
    with_conn!(conn, c => tasks::table
        .filter(tasks::template_id.eq(template.as_str()))
        .filter(tasks::occurs_on.between(from, to))
        .filter(tasks::department_id.eq_any(departments))
        .filter(tasks::status.eq(TaskStatus::Done.as_str()))
        .filter(tasks::figures.is_not_null())
        .order((tasks::occurs_on, tasks::id))
        .select(TaskRow::as_select())
        .load(c))
}

/// Skipped tasks of these departments dated `from..=to`, newest first.
pub fn skipped_in(
    conn: &mut AnyConn,
    departments: &[String],
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Vec<TaskRow>> {
    with_conn!(conn, c => tasks::table
        .filter(tasks::status.eq(TaskStatus::Skipped.as_str()))
        .filter(tasks::occurs_on.between(from, to))
        .filter(tasks::department_id.eq_any(departments))
        .order((tasks::occurs_on.desc(), tasks::id))
        .limit(500)
        .select(TaskRow::as_select())
        .load(c))
}

/// What reminders need of a task: who, where and when (the sweep reads a hundred
/// thousand of these, so not the notes and figures).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = tasks)]
pub struct BriefTask {
    pub id: i64,
    pub template_id: String,
    pub occurs_on: NaiveDate,
    pub due_at: NaiveDateTime,
    pub position_id: String,
    pub department_id: String,
    pub assignee_id: Option<i64>,
}

/// Open tasks dated `day` (any due time), by due time: what the morning digest lists
/// as today's. Sorted here, not in SQL: asked to order by due time, SQLite walks every
/// open task in the (status, due_at) index instead of the day's few.
pub fn open_on(conn: &mut AnyConn, day: NaiveDate) -> QueryResult<Vec<BriefTask>> {
    let mut rows: Vec<BriefTask> = with_conn!(conn, c => tasks::table
        .filter(tasks::status.eq(TaskStatus::Open.as_str()))
        .filter(tasks::occurs_on.eq(day))
        .select(BriefTask::as_select())
        .load(c))?;
    rows.sort_by_key(|t| (t.due_at, t.id));
    Ok(rows)
}

/// These tasks, in no particular order.
pub fn by_ids(conn: &mut AnyConn, ids: &[i64]) -> QueryResult<Vec<BriefTask>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(INSERT_CHUNK) {
        out.extend(
            with_conn!(conn, c => tasks::table.filter(tasks::id.eq_any(chunk)).select(BriefTask::as_select()).load(c))?,
        );
    }
    Ok(out)
}

/// The tasks of one template dated `from..=to` in these departments, any status, by
/// day (the dashboard's duty level, down to its tasks).
pub fn of_template_in(
    conn: &mut AnyConn,
    template: &str,
    departments: &[String],
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Vec<TaskRow>> {
    with_conn!(conn, c => tasks::table
        .filter(tasks::template_id.eq(template))
        .filter(tasks::occurs_on.between(from, to))
        .filter(tasks::department_id.eq_any(departments))
        .order((tasks::occurs_on.desc(), tasks::due_at, tasks::id))
        .limit(1000)
        .select(TaskRow::as_select())
        .load(c))
}
