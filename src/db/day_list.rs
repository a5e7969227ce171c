//! A person's daily list in one statement: the tasks with the names of whoever they
//! are assigned to, cover for and were done by.

use super::schema::{staff, tasks};
use super::tasks::TaskRow;
use super::AnyConn;
use crate::domain::task::{StaffId, TaskStatus};
use crate::with_conn;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

/// A task of the list with the people it names.
#[derive(Debug, Clone, Queryable)]
pub struct ListedTask {
    pub task: TaskRow,
    pub assignee_name: Option<String>,
    pub covered_name: Option<String>,
    pub done_by_name: Option<String>,
}

/// `staff`'s own tasks and their `positions`' shared ones that are dated
/// `from..=to` or open past their due time at `now`, by due time.
pub fn list_named(
    conn: &mut AnyConn,
    staff_id: StaffId,
    positions: &[String],
    from: NaiveDate,
    to: NaiveDate,
    now: NaiveDateTime,
) -> QueryResult<Vec<ListedTask>> {
    let (assignee, covered, doer) =
        diesel::alias!(staff as assignee_staff, staff as covered_staff, staff as doer_staff);
    // Four narrow branches, each one index range (see the list_indexes migration).
    let shared = || tasks::slot.eq("shared").and(tasks::position_id.eq_any(positions));
    let overdue = || tasks::status.eq(TaskStatus::Open.as_str()).and(tasks::due_at.lt(now));
    let dated = || tasks::occurs_on.between(from, to);
    let wanted = || {
        tasks::assignee_id
            .eq(staff_id.0)
            .and(dated())
            .or(tasks::assignee_id.eq(staff_id.0).and(overdue()))
            .or(shared().and(dated()))
            .or(shared().and(overdue()))
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
