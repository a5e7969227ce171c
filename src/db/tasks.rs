//! Tasks as stored, with the set-based insert that makes generation exactly-once.

use super::schema::tasks;
use super::{AnyConn, INSERT_CHUNK};
use crate::with_conn;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

/// A task to be created. `(template_id, occurrence, slot)` is unique in the table.
#[derive(Debug, Clone, PartialEq, Eq, Insertable)]
#[diesel(table_name = tasks, treat_none_as_default_value = false)]
pub struct NewTask {
    pub template_id: String,
    /// The occurrence's date (`2026-11-30`) or its event (`e42`).
    pub occurrence: String,
    pub slot: String,
    pub occurs_on: NaiveDate,
    pub due_at: NaiveDateTime,
    pub position_id: String,
    pub department_id: String,
    pub assignee_id: Option<i64>,
    pub cover: String,
    pub covered_staff_id: Option<i64>,
    pub event_id: Option<i64>,
    pub status: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A stored task.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = tasks)]
pub struct TaskRow {
    pub id: i64,
    pub template_id: String,
    pub occurrence: String,
    pub slot: String,
    pub occurs_on: NaiveDate,
    pub due_at: NaiveDateTime,
    pub position_id: String,
    pub department_id: String,
    pub assignee_id: Option<i64>,
    pub cover: String,
    pub covered_staff_id: Option<i64>,
    pub event_id: Option<i64>,
    pub status: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub done_at: Option<NaiveDateTime>,
    pub done_by: Option<i64>,
    pub note: Option<String>,
    pub figures: Option<String>,
}

/// Inserts the rows that do not exist yet, in multi-row statements, and returns how
/// many were new. Rows whose key exists (made earlier, or by another instance at the
/// same moment) are left as they are.
pub fn insert_missing(conn: &mut AnyConn, rows: &[NewTask]) -> QueryResult<usize> {
    let mut created = 0;
    for chunk in rows.chunks(INSERT_CHUNK) {
        created +=
            with_conn!(conn, c => diesel::insert_into(tasks::table).values(chunk).on_conflict_do_nothing().execute(c))?;
    }
    Ok(created)
}

/// All tasks, oldest first (tests and small tools only).
pub fn all(conn: &mut AnyConn) -> QueryResult<Vec<TaskRow>> {
    with_conn!(conn, c => tasks::table.order(tasks::id).select(TaskRow::as_select()).load(c))
}

/// How many tasks there are.
pub fn count(conn: &mut AnyConn) -> QueryResult<i64> {
    with_conn!(conn, c => tasks::table.count().get_result(c))
}

/// Tasks of these positions not yet due at `now`, the ones a staffing change concerns.
pub fn not_due(conn: &mut AnyConn, positions: &[String], now: NaiveDateTime) -> QueryResult<Vec<TaskRow>> {
    with_conn!(conn, c => tasks::table
        .filter(tasks::position_id.eq_any(positions))
        .filter(tasks::due_at.gt(now))
        .order(tasks::id)
        .select(TaskRow::as_select())
        .load(c))
}

/// The slots taken for one occurrence of a template.
pub fn slots_of(conn: &mut AnyConn, template: &str, occurrence: &str) -> QueryResult<Vec<String>> {
    with_conn!(conn, c => tasks::table
        .filter(tasks::template_id.eq(template))
        .filter(tasks::occurrence.eq(occurrence))
        .select(tasks::slot)
        .load(c))
}

/// Moves a finished task to another slot, leaving who did it untouched.
pub fn reslot(conn: &mut AnyConn, id: i64, slot: &str, now: NaiveDateTime) -> QueryResult<usize> {
    with_conn!(conn, c => diesel::update(tasks::table.find(id)).set((tasks::slot.eq(slot), tasks::updated_at.eq(now))).execute(c))
}

/// Gives a task to someone else (or to another slot), stamping `now`.
pub fn reassign(
    conn: &mut AnyConn,
    id: i64,
    slot: &str,
    assignee: Option<i64>,
    cover: &str,
    covered: Option<i64>,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    with_conn!(conn, c => diesel::update(tasks::table.find(id))
        .set((
            tasks::slot.eq(slot),
            tasks::assignee_id.eq(assignee),
            tasks::cover.eq(cover),
            tasks::covered_staff_id.eq(covered),
            tasks::updated_at.eq(now),
        ))
        .execute(c))
}

/// Removes an open task whose work a staffing change made redundant.
pub fn delete_open(conn: &mut AnyConn, id: i64) -> QueryResult<usize> {
    with_conn!(conn, c => diesel::delete(tasks::table.find(id).filter(tasks::status.eq("open"))).execute(c))
}
