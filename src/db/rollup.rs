//! The per-day, per-department rollups: finished work (done, on time, skipped,
//! missed) and open tasks by due date, changed in the transaction of every change to
//! the tasks they count. What a task adds is `domain::stats::settled`.

use super::schema::{day_rollup, tasks};
use super::AnyConn;
use crate::domain::task::TaskStatus;
use crate::with_conn;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::upsert::excluded;
use std::collections::BTreeMap;

/// Finished counts of a day and department (signed: a change adds a difference).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Finished {
    pub done: i64,
    pub on_time: i64,
    pub skipped: i64,
    pub missed: i64,
}

impl Finished {
    fn is_zero(self) -> bool {
        self == Finished::default()
    }
}

impl std::ops::Sub for Finished {
    type Output = Finished;

    fn sub(self, o: Finished) -> Finished {
        Finished {
            done: self.done - o.done,
            on_time: self.on_time - o.on_time,
            skipped: self.skipped - o.skipped,
            missed: self.missed - o.missed,
        }
    }
}

impl std::ops::AddAssign for Finished {
    fn add_assign(&mut self, o: Finished) {
        self.done += o.done;
        self.on_time += o.on_time;
        self.skipped += o.skipped;
        self.missed += o.missed;
    }
}

/// What one task adds to its day's finished counts: the domain's definition
/// ([`crate::domain::stats::settled`]) in the rollup's columns.
pub fn of_task(status: TaskStatus, due_at: NaiveDateTime, done_at: Option<NaiveDateTime>) -> Finished {
    let c = crate::domain::stats::settled(crate::domain::stats::TaskFacts { status, due_at, done_at });
    let n = |x: u64| i64::try_from(x).unwrap_or(i64::MAX);
    Finished { done: n(c.done), on_time: n(c.on_time), skipped: n(c.skipped), missed: n(c.missed) }
}

/// Adds `delta` (which may be negative) to the counts of (`day`, `department`).
pub fn add(conn: &mut AnyConn, day: NaiveDate, department: &str, delta: Finished) -> QueryResult<()> {
    if delta.is_zero() {
        return Ok(());
    }
    let row = (
        day_rollup::day.eq(day),
        day_rollup::department_id.eq(department),
        day_rollup::done.eq(delta.done),
        day_rollup::on_time.eq(delta.on_time),
        day_rollup::skipped.eq(delta.skipped),
        day_rollup::missed.eq(delta.missed),
    );
    with_conn!(conn, c => diesel::insert_into(day_rollup::table)
        .values(row)
        .on_conflict((day_rollup::day, day_rollup::department_id))
        .do_update()
        .set((
            day_rollup::done.eq(day_rollup::done + excluded(day_rollup::done)),
            day_rollup::on_time.eq(day_rollup::on_time + excluded(day_rollup::on_time)),
            day_rollup::skipped.eq(day_rollup::skipped + excluded(day_rollup::skipped)),
            day_rollup::missed.eq(day_rollup::missed + excluded(day_rollup::missed)),
        ))
        .execute(c))?;
    Ok(())
}

/// Adds many tasks' counts, one statement per (day, department).
pub fn add_all<'a>(
    conn: &mut AnyConn,
    tasks: impl IntoIterator<Item = (NaiveDate, &'a str, Finished)>,
) -> QueryResult<()> {
    let mut sums: BTreeMap<(NaiveDate, &str), Finished> = BTreeMap::new();
    for (day, dept, f) in tasks {
        *sums.entry((day, dept)).or_default() += f;
    }
    for ((day, dept), f) in sums {
        add(conn, day, dept, f)?;
    }
    Ok(())
}

/// The rollup of `from..=to` in `departments`: (day, department, counts).
pub fn load(
    conn: &mut AnyConn,
    from: NaiveDate,
    to: NaiveDate,
    departments: &[String],
) -> QueryResult<Vec<(NaiveDate, String, Finished)>> {
    select(conn, Some((from, to, departments)))
}

type RollupRow = (NaiveDate, String, i64, i64, i64, i64);

fn select(
    conn: &mut AnyConn,
    only: Option<(NaiveDate, NaiveDate, &[String])>,
) -> QueryResult<Vec<(NaiveDate, String, Finished)>> {
    let rows: Vec<RollupRow> = with_conn!(conn, c => {
        let mut q = day_rollup::table
            .select((day_rollup::day, day_rollup::department_id, day_rollup::done, day_rollup::on_time, day_rollup::skipped, day_rollup::missed))
            .into_boxed();
        if let Some((from, to, departments)) = only {
            q = q.filter(day_rollup::day.between(from, to)).filter(day_rollup::department_id.eq_any(departments));
        }
        q.load(c)
    })?;
    Ok(rows
        .into_iter()
        .map(|(d, dep, done, on_time, skipped, missed)| (d, dep, Finished { done, on_time, skipped, missed }))
        .collect())
}

/// Open tasks of `from..=to` in `departments` already due at `now`, per day and department.
pub fn open_due(
    conn: &mut AnyConn,
    from: NaiveDate,
    to: NaiveDate,
    departments: &[String],
    now: NaiveDateTime,
) -> QueryResult<Vec<(NaiveDate, String, i64)>> {
    with_conn!(conn, c => tasks::table
        .filter(tasks::status.eq(TaskStatus::Open.as_str()))
        .filter(tasks::occurs_on.between(from, to))
        .filter(tasks::department_id.eq_any(departments))
        .filter(tasks::due_at.le(now))
        .group_by((tasks::occurs_on, tasks::department_id))
        .select((tasks::occurs_on, tasks::department_id, diesel::dsl::count_star()))
        .load(c))
}

/// The rollup as it should be, recounted from the task table (tests and repair).
pub fn recount(conn: &mut AnyConn) -> QueryResult<BTreeMap<(NaiveDate, String), Finished>> {
    let settled = [TaskStatus::Done, TaskStatus::Skipped, TaskStatus::Missed].map(TaskStatus::as_str);
    let rows: Vec<(NaiveDate, String, TaskStatus, NaiveDateTime, Option<NaiveDateTime>)> = with_conn!(conn, c => tasks::table
        .filter(tasks::status.eq_any(settled))
        .select((tasks::occurs_on, tasks::department_id, tasks::status, tasks::due_at, tasks::done_at))
        .load(c))?;
    let mut out: BTreeMap<(NaiveDate, String), Finished> = BTreeMap::new();
    for (day, dept, status, due, done) in rows {
        *out.entry((day, dept)).or_default() += of_task(status, due, done);
    }
    Ok(out)
}

/// Every rollup row that counts something.
pub fn all(conn: &mut AnyConn) -> QueryResult<BTreeMap<(NaiveDate, String), Finished>> {
    let rows = select(conn, None)?;
    Ok(rows.into_iter().filter(|(_, _, f)| !f.is_zero()).map(|(d, dep, f)| ((d, dep), f)).collect())
}

/// Recounts the whole rollup from the task table, in one statement (after bulk
/// changes made outside dutyday, such as a data import).
pub fn rebuild(conn: &mut AnyConn) -> QueryResult<()> {
    use diesel::connection::SimpleConnection;
    let due_on = match conn {
        AnyConn::Sqlite(_) => "date(due_at)",
        AnyConn::Postgres(_) => "CAST(due_at AS DATE)",
    };
    let open = format!(
        "DELETE FROM open_rollup;
        INSERT INTO open_rollup (day, department_id, due_on, n)
        SELECT occurs_on, department_id, {due_on}, COUNT(*) FROM tasks WHERE status = '{open}'
        GROUP BY occurs_on, department_id, {due_on};",
        open = TaskStatus::Open
    );
    // domain::stats::settled in SQL, for millions of rows at once: each settled status
    // feeds its own column, and a done task is on time when done by its due time.
    // The random-changes test checks that this equals the rollup kept through `of_task`.
    let (done, skipped, missed) = (TaskStatus::Done, TaskStatus::Skipped, TaskStatus::Missed);
    let sql = format!(
        "DELETE FROM day_rollup;
        INSERT INTO day_rollup (day, department_id, done, on_time, skipped, missed)
        SELECT occurs_on, department_id,
               SUM(CASE WHEN status = '{done}' THEN 1 ELSE 0 END),
               SUM(CASE WHEN status = '{done}' AND done_at <= due_at THEN 1 ELSE 0 END),
               SUM(CASE WHEN status = '{skipped}' THEN 1 ELSE 0 END),
               SUM(CASE WHEN status = '{missed}' THEN 1 ELSE 0 END)
        FROM tasks WHERE status IN ('{done}', '{skipped}', '{missed}')
        GROUP BY occurs_on, department_id;"
    );
    match conn {
        AnyConn::Sqlite(c) => c.batch_execute(&format!("{sql}\n{open}")),
        AnyConn::Postgres(c) => c.batch_execute(&format!("{sql}\n{open}")),
    }
}

/// Adds `delta` open tasks of (`day`, `department`) falling due on `due_on` (UTC date).
pub fn add_open(
    conn: &mut AnyConn,
    day: NaiveDate,
    department: &str,
    due_on: NaiveDate,
    delta: i64,
) -> QueryResult<()> {
    use super::schema::open_rollup;
    if delta == 0 {
        return Ok(());
    }
    let row = (
        open_rollup::day.eq(day),
        open_rollup::department_id.eq(department),
        open_rollup::due_on.eq(due_on),
        open_rollup::n.eq(delta),
    );
    with_conn!(conn, c => diesel::insert_into(open_rollup::table)
        .values(row)
        .on_conflict((open_rollup::day, open_rollup::department_id, open_rollup::due_on))
        .do_update()
        .set(open_rollup::n.eq(open_rollup::n + excluded(open_rollup::n)))
        .execute(c))?;
    Ok(())
}

/// Adds many open tasks, one statement per (day, department, due date).
pub fn add_open_all<'a>(
    conn: &mut AnyConn,
    tasks: impl IntoIterator<Item = (NaiveDate, &'a str, NaiveDateTime)>,
) -> QueryResult<()> {
    let mut sums: BTreeMap<(NaiveDate, &str, NaiveDate), i64> = BTreeMap::new();
    for (day, dept, due) in tasks {
        *sums.entry((day, dept, due.date())).or_default() += 1;
    }
    for ((day, dept, due_on), n) in sums {
        add_open(conn, day, dept, due_on, n)?;
    }
    Ok(())
}

/// Open tasks of `from..=to` in `departments` already due at `now`, per day and
/// department: from the open rollup for tasks due before today (UTC), and counted
/// live only for those due today.
pub fn open_due_fast(
    conn: &mut AnyConn,
    from: NaiveDate,
    to: NaiveDate,
    departments: &[String],
    now: NaiveDateTime,
) -> QueryResult<Vec<(NaiveDate, String, i64)>> {
    use super::schema::open_rollup;
    let today = now.date();
    let kept: Vec<(NaiveDate, String, i64)> = with_conn!(conn, c => open_rollup::table
        .filter(open_rollup::day.between(from, to))
        .filter(open_rollup::department_id.eq_any(departments))
        .filter(open_rollup::due_on.lt(today))
        .select((open_rollup::day, open_rollup::department_id, open_rollup::n))
        .load(c))?;
    let midnight = today.and_hms_opt(0, 0, 0).unwrap_or(now);
    let live: Vec<(NaiveDate, String, i64)> = with_conn!(conn, c => tasks::table
        .filter(tasks::status.eq(TaskStatus::Open.as_str()))
        .filter(tasks::due_at.between(midnight, now))
        .filter(tasks::occurs_on.between(from, to))
        .filter(tasks::department_id.eq_any(departments))
        .group_by((tasks::occurs_on, tasks::department_id))
        .select((tasks::occurs_on, tasks::department_id, diesel::dsl::count_star()))
        .load(c))?;
    let mut out: BTreeMap<(NaiveDate, String), i64> = BTreeMap::new();
    for (day, dept, n) in kept.into_iter().chain(live) {
        *out.entry((day, dept)).or_default() += n;
    }
    Ok(out.into_iter().filter(|(_, n)| *n != 0).map(|((d, dep), n)| (d, dep, n)).collect())
}

/// The open rollup (non-zero rows) and the same recounted from the task table.
#[allow(clippy::type_complexity)]
pub fn open_kept_and_recounted(
    conn: &mut AnyConn,
) -> QueryResult<(BTreeMap<(NaiveDate, String, NaiveDate), i64>, BTreeMap<(NaiveDate, String, NaiveDate), i64>)> {
    use super::schema::open_rollup;
    let kept: Vec<(NaiveDate, String, NaiveDate, i64)> = with_conn!(conn, c => open_rollup::table
        .select((open_rollup::day, open_rollup::department_id, open_rollup::due_on, open_rollup::n))
        .load(c))?;
    let rows: Vec<(NaiveDate, String, NaiveDateTime)> = with_conn!(conn, c => tasks::table
        .filter(tasks::status.eq(TaskStatus::Open.as_str()))
        .select((tasks::occurs_on, tasks::department_id, tasks::due_at))
        .load(c))?;
    let mut recounted: BTreeMap<(NaiveDate, String, NaiveDate), i64> = BTreeMap::new();
    for (day, dept, due) in rows {
        *recounted.entry((day, dept, due.date())).or_default() += 1;
    }
    let kept = kept.into_iter().filter(|r| r.3 != 0).map(|(d, dep, due, n)| ((d, dep, due), n)).collect();
    Ok((kept, recounted))
}
