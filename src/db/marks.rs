//! Which reminder steps of each task have been decided (see `domain::marks`): read
//! with the reminder pass's candidates, written in the transaction that queues them.

use super::schema::{reminder_marks, tasks};
use super::tasks::BriefTask;
use super::{AnyConn, INSERT_CHUNK};
use crate::domain::task::TaskStatus;
use crate::with_conn;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::upsert::excluded;

/// The steps decided for a task, and the assignee they were decided for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Insertable)]
#[diesel(table_name = reminder_marks, treat_none_as_default_value = false)]
pub struct Mark {
    pub task_id: i64,
    pub assignee_id: Option<i64>,
    pub steps: i64,
}

/// A candidate of the reminder pass: the task, and what was decided for it so far.
pub type Candidate = (BriefTask, Option<(Option<i64>, i64)>);

/// Open tasks due in `from..=to`, oldest first, each with its mark if it has one.
pub fn candidates(conn: &mut AnyConn, from: NaiveDateTime, to: NaiveDateTime) -> QueryResult<Vec<Candidate>> {
    with_conn!(conn, c => tasks::table
        .left_join(reminder_marks::table)
        .filter(tasks::status.eq(TaskStatus::Open.as_str()))
        .filter(tasks::due_at.between(from, to))
        .order((tasks::due_at, tasks::id))
        .select((BriefTask::as_select(), (reminder_marks::assignee_id, reminder_marks::steps).nullable()))
        .load(c))
}

/// Makes concurrent decide passes take turns: on PostgreSQL a transaction-scoped
/// advisory lock, so a second instance reads the marks the first one committed. On
/// SQLite the write transaction already does.
pub fn serialize_deciders(conn: &mut AnyConn) -> QueryResult<()> {
    if let AnyConn::Postgres(c) = conn {
        diesel::sql_query("SELECT pg_advisory_xact_lock(7305001)").execute(*c)?;
    }
    Ok(())
}

/// Forgets the marks of tasks the pass will never look at again: below `below` (the
/// oldest candidate's id, so only a few ids each pass) and either gone or due before
/// `due_before` (past the longest give-up). Keeps the table to about the tasks of the
/// reminder window instead of every task ever reminded.
pub fn prune(conn: &mut AnyConn, below: i64, due_before: NaiveDateTime) -> QueryResult<usize> {
    let live = tasks::table.filter(tasks::id.eq(reminder_marks::task_id)).filter(tasks::due_at.ge(due_before));
    with_conn!(conn, c => diesel::delete(
        reminder_marks::table
            .filter(reminder_marks::task_id.lt(below))
            .filter(diesel::dsl::not(diesel::dsl::exists(live))),
    )
    .execute(c))
}

/// Records the marks of tasks that had none (`fresh`) and replaces those of tasks
/// that had one (`changed`). On PostgreSQL the fresh ones go with a binary `COPY`
/// (a sweep after downtime marks a hundred thousand tasks), the changed ones with an
/// `unnest` upsert.
pub fn save(conn: &mut AnyConn, fresh: &[Mark], changed: &[Mark]) -> QueryResult<()> {
    match conn {
        AnyConn::Postgres(c) => {
            use diesel::sql_types::{Array, BigInt, Nullable};
            if !fresh.is_empty() {
                diesel::copy_from(reminder_marks::table).from_insertable(fresh).execute(*c)?;
            }
            for chunk in changed.chunks(50_000) {
                diesel::sql_query(
                    "INSERT INTO reminder_marks (task_id, assignee_id, steps) \
                     SELECT * FROM unnest($1::int8[], $2::int8[], $3::int8[]) \
                     ON CONFLICT (task_id) DO UPDATE SET assignee_id = excluded.assignee_id, steps = excluded.steps",
                )
                .bind::<Array<BigInt>, _>(chunk.iter().map(|m| m.task_id).collect::<Vec<_>>())
                .bind::<Array<Nullable<BigInt>>, _>(chunk.iter().map(|m| m.assignee_id).collect::<Vec<_>>())
                .bind::<Array<BigInt>, _>(chunk.iter().map(|m| m.steps).collect::<Vec<_>>())
                .execute(*c)?;
            }
        }
        AnyConn::Sqlite(c) => {
            for chunk in fresh.chunks(INSERT_CHUNK) {
                diesel::insert_into(reminder_marks::table).values(chunk).execute(*c)?;
            }
            for chunk in changed.chunks(INSERT_CHUNK) {
                diesel::insert_into(reminder_marks::table)
                    .values(chunk)
                    .on_conflict(reminder_marks::task_id)
                    .do_update()
                    .set((
                        reminder_marks::assignee_id.eq(excluded(reminder_marks::assignee_id)),
                        reminder_marks::steps.eq(excluded(reminder_marks::steps)),
                    ))
                    .execute(*c)?;
            }
        }
    }
    Ok(())
}
