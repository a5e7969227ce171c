//! Tasks as stored, with the set-based insert that makes generation exactly-once.

use super::schema::tasks;
use super::{AnyConn, INSERT_CHUNK};
use crate::domain::task::{StaffId, TaskId, TaskStatus};
use crate::with_conn;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

pub use super::task_reads::{
    by_ids, for_counting, of_template_in, open_on, overdue_in, skipped_in, with_figures, BriefTask, CountRow,
};

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
    /// The template's version it was made under.
    pub template_version: i32,
}

/// A stored task.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = tasks)]
pub struct TaskRow {
    pub id: TaskId,
    pub template_id: String,
    pub occurrence: String,
    pub slot: String,
    pub occurs_on: NaiveDate,
    pub due_at: NaiveDateTime,
    pub position_id: String,
    pub department_id: String,
    pub assignee_id: Option<StaffId>,
    pub cover: String,
    pub covered_staff_id: Option<StaffId>,
    pub event_id: Option<i64>,
    pub status: TaskStatus,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub done_at: Option<NaiveDateTime>,
    pub done_by: Option<StaffId>,
    pub note: Option<String>,
    pub figures: Option<String>,
    /// The template's version it was made under.
    pub template_version: i32,
}

/// Inserts the rows that do not exist yet, in multi-row statements, and returns how
/// many were new. Rows whose key exists (made earlier, or by another instance at the
/// same moment) are left as they are.
/// The rollups (open tasks, and those inserted already `missed`) change in the same
/// transaction.
pub fn insert_missing(conn: &mut AnyConn, rows: &[NewTask]) -> QueryResult<usize> {
    if rows.is_empty() {
        return Ok(0);
    }
    super::list_stamps::many_changed(conn)?;
    let mut created = 0;
    for chunk in rows.chunks(INSERT_CHUNK) {
        let made: Vec<(NaiveDate, String, TaskStatus, NaiveDateTime)> = with_conn!(conn, c => diesel::insert_into(tasks::table)
            .values(chunk)
            .on_conflict_do_nothing()
            .returning((tasks::occurs_on, tasks::department_id, tasks::status, tasks::due_at))
            .get_results(c))?;
        created += made.len();
        let (open, finished): (Vec<_>, Vec<_>) = made.iter().partition(|m| m.2 == TaskStatus::Open);
        super::rollup::add_open_all(conn, open.iter().map(|(day, dept, _, due)| (*day, dept.as_str(), *due)))?;
        super::rollup::add_all(
            conn,
            finished
                .iter()
                .map(|(day, dept, status, due)| (*day, dept.as_str(), super::rollup::of_task(*status, *due, None))),
        )?;
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

/// The tasks of `positions` that are not yet due, and the open ones dated from `from`
/// on even when due already (a leaver's overdue work is not left with them).
pub fn not_due_or_open_from(
    conn: &mut AnyConn,
    positions: &[String],
    now: NaiveDateTime,
    from: NaiveDate,
) -> QueryResult<Vec<TaskRow>> {
    with_conn!(conn, c => tasks::table
        .filter(tasks::position_id.eq_any(positions))
        .filter(tasks::due_at.gt(now).or(tasks::status.eq(TaskStatus::Open.as_str()).and(tasks::occurs_on.ge(from))))
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
pub fn reslot(conn: &mut AnyConn, id: TaskId, slot: &str, now: NaiveDateTime) -> QueryResult<usize> {
    super::list_stamps::many_changed(conn)?;
    with_conn!(conn, c => diesel::update(tasks::table.find(id.0)).set((tasks::slot.eq(slot), tasks::updated_at.eq(now))).execute(c))
}

/// Gives a task to someone else (or to another slot), stamping `now`.
pub fn reassign(
    conn: &mut AnyConn,
    id: TaskId,
    slot: &str,
    assignee: Option<StaffId>,
    cover: &str,
    covered: Option<StaffId>,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    super::list_stamps::many_changed(conn)?;
    with_conn!(conn, c => diesel::update(tasks::table.find(id.0))
        .set((
            tasks::slot.eq(slot),
            tasks::assignee_id.eq(assignee.map(|s| s.0)),
            tasks::cover.eq(cover),
            tasks::covered_staff_id.eq(covered.map(|s| s.0)),
            tasks::updated_at.eq(now),
        ))
        .execute(c))
}

/// Removes an open task whose work a staffing change made redundant.
pub fn delete_open(conn: &mut AnyConn, id: TaskId) -> QueryResult<usize> {
    super::list_stamps::many_changed(conn)?;
    let gone: Vec<(NaiveDate, String, NaiveDateTime)> = with_conn!(conn, c => diesel::delete(tasks::table.find(id.0).filter(tasks::status.eq(TaskStatus::Open.as_str())))
        .returning((tasks::occurs_on, tasks::department_id, tasks::due_at))
        .get_results(c))?;
    for (day, dept, due) in &gone {
        super::rollup::add_open(conn, *day, dept, due.date(), -1)?;
    }
    Ok(gone.len())
}

/// One task by id.
pub fn get(conn: &mut AnyConn, id: TaskId) -> QueryResult<Option<TaskRow>> {
    with_conn!(conn, c => tasks::table.find(id.0).select(TaskRow::as_select()).first(c).optional())
}

/// A person's list: their tasks (and their positions' shared ones) dated `from..=to`,
/// plus every open task of theirs already due before `now`, in one query.
pub fn list_for(
    conn: &mut AnyConn,
    staff: StaffId,
    positions: &[String],
    from: NaiveDate,
    to: NaiveDate,
    now: NaiveDateTime,
) -> QueryResult<Vec<TaskRow>> {
    let listed = super::day_list::list_named(conn, staff, positions, from, to)?.into_iter().map(|l| l.task);
    let wanted = |t: &TaskRow| (from..=to).contains(&t.occurs_on) || (t.status == TaskStatus::Open && t.due_at < now);
    Ok(listed.filter(wanted).collect())
}

/// A person's tasks dated `from..=to`, any status (their history).
pub fn history_for(conn: &mut AnyConn, staff: StaffId, from: NaiveDate, to: NaiveDate) -> QueryResult<Vec<TaskRow>> {
    with_conn!(conn, c => tasks::table
        .filter(tasks::assignee_id.eq(staff.0).or(tasks::done_by.eq(staff.0)))
        .filter(tasks::occurs_on.between(from, to))
        .order((tasks::occurs_on.desc(), tasks::due_at.desc()))
        .select(TaskRow::as_select())
        .load(c))
}

/// The fields a status change writes.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusChange {
    pub status: TaskStatus,
    pub done_at: Option<NaiveDateTime>,
    pub done_by: Option<StaffId>,
    pub note: Option<String>,
    pub figures: Option<String>,
}

/// What [`set_status`] reads before it writes: the rollup's keys and the lists the
/// task is on.
type Before = ((NaiveDate, String, TaskStatus, NaiveDateTime, Option<NaiveDateTime>), (String, String, Option<i64>));

/// Writes a status change if the task is still in `expected` status (so two people
/// acting at once cannot both succeed); returns the rows changed. The day rollup
/// changes with it, in the caller's transaction.
pub fn set_status(
    conn: &mut AnyConn,
    id: TaskId,
    expected: TaskStatus,
    change: &StatusChange,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let before: Option<Before> = with_conn!(conn, c => tasks::table
        .find(id.0)
        .filter(tasks::status.eq(expected.as_str()))
        .select((
            (tasks::occurs_on, tasks::department_id, tasks::status, tasks::due_at, tasks::done_at),
            (tasks::slot, tasks::position_id, tasks::assignee_id),
        ))
        .first(c)
        .optional())?;
    let Some(((day, dept, old, due, old_done), (slot, position, assignee))) = before else { return Ok(0) };
    let changed = write_status(conn, id, expected, change, now)?;
    if changed == 1 {
        let moved = i64::from(change.status == TaskStatus::Open) - i64::from(old == TaskStatus::Open);
        super::rollup::add_open(conn, day, &dept, due.date(), moved)?;
        let (was, is) =
            (super::rollup::of_task(old, due, old_done), super::rollup::of_task(change.status, due, change.done_at));
        super::rollup::add(conn, day, &dept, is - was)?;
        let shared = (slot == crate::domain::staffing::SHARED_SLOT).then_some(position.as_str());
        super::list_stamps::one_changed(conn, shared, assignee)?;
    }
    Ok(changed)
}

fn write_status(
    conn: &mut AnyConn,
    id: TaskId,
    expected: TaskStatus,
    change: &StatusChange,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    with_conn!(conn, c => diesel::update(tasks::table.find(id.0).filter(tasks::status.eq(expected.as_str())))
        .set((
            tasks::status.eq(change.status.as_str()),
            tasks::done_at.eq(change.done_at),
            tasks::done_by.eq(change.done_by.map(|s| s.0)),
            tasks::note.eq(&change.note),
            tasks::figures.eq(&change.figures),
            tasks::updated_at.eq(now),
        ))
        .execute(c))
}

/// One line of a task's history.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = super::schema::task_log)]
pub struct LogRow {
    pub id: i64,
    pub task_id: TaskId,
    pub at: NaiveDateTime,
    pub actor_id: Option<StaffId>,
    pub action: String,
    pub detail: Option<String>,
}

/// Appends to a task's history.
pub fn log(
    conn: &mut AnyConn,
    task: TaskId,
    at: NaiveDateTime,
    actor: Option<StaffId>,
    action: &str,
    detail: Option<&str>,
) -> QueryResult<usize> {
    use super::schema::task_log;
    with_conn!(conn, c => diesel::insert_into(task_log::table)
        .values((
            task_log::task_id.eq(task.0),
            task_log::at.eq(at),
            task_log::actor_id.eq(actor.map(|a| a.0)),
            task_log::action.eq(action),
            task_log::detail.eq(detail),
        ))
        .execute(c))
}

/// A task's history, oldest first.
pub fn log_of(conn: &mut AnyConn, task: TaskId) -> QueryResult<Vec<LogRow>> {
    use super::schema::task_log;
    with_conn!(conn, c => task_log::table.filter(task_log::task_id.eq(task.0)).order(task_log::id).select(LogRow::as_select()).load(c))
}

/// Removes a task's history (before removing a redundant open task).
pub fn delete_log(conn: &mut AnyConn, task: TaskId) -> QueryResult<usize> {
    use super::schema::task_log;
    with_conn!(conn, c => diesel::delete(task_log::table.filter(task_log::task_id.eq(task.0))).execute(c))
}

/// Records who assigned a one-off task.
pub fn set_assigned_by(conn: &mut AnyConn, template: &str, by: StaffId) -> QueryResult<usize> {
    with_conn!(conn, c => diesel::update(tasks::table.filter(tasks::template_id.eq(template)))
        .set(tasks::assigned_by.eq(Some(by.0)))
        .execute(c))
}

/// Who assigned a task, if it is a one-off.
pub fn assigner(conn: &mut AnyConn, id: TaskId) -> QueryResult<Option<i64>> {
    with_conn!(conn, c => tasks::table.find(id.0).select(tasks::assigned_by).first::<Option<i64>>(c).optional())
        .map(Option::flatten)
}

/// The one-off tasks `by` assigned, newest due first (at most `limit`).
pub fn assigned_by(conn: &mut AnyConn, by: StaffId, limit: i64) -> QueryResult<Vec<TaskRow>> {
    with_conn!(conn, c => tasks::table
        .filter(tasks::assigned_by.eq(Some(by.0)))
        .order((tasks::due_at.desc(), tasks::id.desc()))
        .limit(limit)
        .select(TaskRow::as_select())
        .load(c))
}

/// The first task of a template (a one-off has one).
pub fn of_template(conn: &mut AnyConn, template: &str) -> QueryResult<Option<TaskId>> {
    with_conn!(conn, c => tasks::table
        .filter(tasks::template_id.eq(template))
        .order(tasks::id)
        .select(tasks::id)
        .first::<i64>(c)
        .optional())
    .map(|id| id.map(TaskId))
}

/// A task still open whose day is before `day`: its id, template and version, due
/// time and assignee (the demo's history settles these).
pub type Unsettled = (TaskId, String, i32, NaiveDateTime, Option<StaffId>);

/// The open tasks of days before `day` that were due before `due_before`, in id order.
pub fn open_before(conn: &mut AnyConn, day: NaiveDate, due_before: NaiveDateTime) -> QueryResult<Vec<Unsettled>> {
    with_conn!(conn, c => tasks::table
        .filter(tasks::status.eq(TaskStatus::Open.as_str()))
        .filter(tasks::occurs_on.lt(day))
        .filter(tasks::due_at.lt(due_before))
        .order(tasks::id)
        .select((tasks::id, tasks::template_id, tasks::template_version, tasks::due_at, tasks::assignee_id))
        .load(c))
}
