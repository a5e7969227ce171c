//! A person's daily list in one statement: the tasks with the names of whoever they
//! are assigned to, cover for and were done by.

use super::schema::{staff, tasks};
use super::tasks::TaskRow;
use super::AnyConn;
use crate::domain::task::{StaffId, TaskStatus};
use crate::with_conn;
use chrono::NaiveDate;
use diesel::prelude::*;

/// A task of the list with the people it names.
#[derive(Debug, Clone, Queryable)]
pub struct ListedTask {
    pub task: TaskRow,
    pub assignee_name: Option<String>,
    pub covered_name: Option<String>,
    pub done_by_name: Option<String>,
}

/// Positions one list statement names. A fixed number keeps the statement's text
/// the same for everyone, so both backends prepare it once per connection (SQLite
/// would re-plan an `IN` list of varying length on every request).
const POSITIONS_PER_STATEMENT: usize = 4;

/// `staff`'s own tasks and their `positions`' shared ones that are dated
/// `from..=to` or still open (whenever dated), by due time. One statement for up to
/// four positions held (one more per four beyond). What it reads does not depend on
/// the time of day, so a list read once stays true until a task on it changes or
/// one of its due times passes.
pub fn list_named(
    conn: &mut AnyConn,
    staff_id: StaffId,
    positions: &[String],
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Vec<ListedTask>> {
    let mut chunks = positions.chunks(POSITIONS_PER_STATEMENT);
    let mut out = four_positions(conn, staff_id, chunks.next().unwrap_or_default(), from, to)?;
    let mut more = false;
    for chunk in chunks {
        out.extend(four_positions(conn, staff_id, chunk, from, to)?);
        more = true;
    }
    if more {
        out.sort_by_key(|l| (l.task.due_at, l.task.id));
        out.dedup_by_key(|l| l.task.id);
    }
    Ok(out)
}

/// [`list_named`] for at most [`POSITIONS_PER_STATEMENT`] positions.
fn four_positions(
    conn: &mut AnyConn,
    staff_id: StaffId,
    positions: &[String],
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Vec<ListedTask>> {
    // An empty id names no position.
    let p = |i: usize| positions.get(i).map_or("", String::as_str);
    let (p0, p1, p2, p3) = (p(0), p(1), p(2), p(3));
    let (assignee, covered, doer) =
        diesel::alias!(staff as assignee_staff, staff as covered_staff, staff as doer_staff);
    // Four narrow branches, each one index range (see the list_indexes migration).
    let held = || {
        tasks::position_id
            .eq(p0)
            .or(tasks::position_id.eq(p1))
            .or(tasks::position_id.eq(p2))
            .or(tasks::position_id.eq(p3))
    };
    let shared = || tasks::slot.eq(crate::domain::staffing::SHARED_SLOT).and(held());
    let open = || tasks::status.eq(TaskStatus::Open.as_str());
    let dated = || tasks::occurs_on.between(from, to);
    let wanted = || {
        tasks::assignee_id
            .eq(staff_id.0)
            .and(dated())
            .or(tasks::assignee_id.eq(staff_id.0).and(open()))
            .or(shared().and(dated()))
            .or(shared().and(open()))
    };
    with_conn!(conn, c => tasks::table
        .left_join(assignee.on(tasks::assignee_id.eq(assignee.field(staff::id).nullable())))
        .left_join(covered.on(tasks::covered_staff_id.eq(covered.field(staff::id).nullable())))
        .left_join(doer.on(tasks::done_by.eq(doer.field(staff::id).nullable())))
        .filter(wanted())
        .order((tasks::due_at, tasks::id))
        .select((
            TaskRow::as_select(),
            assignee.field(staff::name).nullable(),
            covered.field(staff::name).nullable(),
            doer.field(staff::name).nullable(),
        ))
        .load(c))
}
