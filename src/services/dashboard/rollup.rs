//! The department × day view read from the rollups: finished work from `day_rollup`,
//! open work from `open_rollup`, and only the tasks falling due today counted live.

use super::{daily, dashboard, departments_in_scope, names, rows_of, By, Dashboard, Filter, Row, MAX_DAYS};
use crate::db::{self, DbPool};
use crate::domain::access::Viewer;
use crate::domain::stats::Counts;
use crate::error::ErrorCode;
use crate::services::{AppError, AppResult};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::BTreeMap;

/// Refuses a period that ends before it starts or is longer than [`MAX_DAYS`]: every
/// dashboard, list, report and download is bounded alike.
pub fn check_period(from: NaiveDate, to: NaiveDate) -> AppResult<()> {
    if to < from {
        return Err(AppError::invalid("to", ErrorCode::PeriodReversed));
    }
    if (to - from).num_days() >= MAX_DAYS {
        return Err(AppError::invalid("to", ErrorCode::PeriodTooLong).arg("max", MAX_DAYS));
    }
    Ok(())
}

/// Counts per day and department.
pub(super) type Cells = BTreeMap<(NaiveDate, String), Counts>;

/// The by-department table from the cells of [`by_day_and_department`].
pub(super) fn department_table(
    conn: &mut db::AnyConn,
    viewer: &Viewer,
    (from, to): (NaiveDate, NaiveDate),
    departments: Vec<String>,
    cells: &Cells,
) -> AppResult<Dashboard> {
    // Every department in scope has its row, one with nothing due in the period too.
    let mut counts: BTreeMap<String, Counts> = departments.iter().map(|d| (d.clone(), Counts::default())).collect();
    let mut total = Counts::default();
    for ((_, dept), c) in cells {
        total.add(c);
        counts.entry(dept.clone()).or_default().add(c);
    }
    let names = names(conn, By::Department, &viewer.locale, &counts)?;
    let total_name = if viewer.locale == "en" { "Total" } else { "合计" };
    let total = Row::new("total".into(), total_name.into(), total);
    Ok(Dashboard { from, to, by: By::Department, departments, rows: rows_of(counts, &names), total })
}

/// The table and the per-day trend together, as the dashboard page shows them: read
/// once from the rollup when nothing narrower than a department is asked for.
pub fn overview(
    pool: &DbPool,
    viewer: &Viewer,
    from: NaiveDate,
    to: NaiveDate,
    by: By,
    filter: &Filter,
    now: DateTime<Utc>,
) -> AppResult<(Dashboard, Vec<(NaiveDate, Counts)>)> {
    if by != By::Department || !filter.uses_rollup() {
        return Ok((dashboard(pool, viewer, from, to, by, filter, now)?, daily(pool, viewer, from, to, filter, now)?));
    }
    check_period(from, to)?;
    let mut conn = pool.get()?;
    let conn = &mut conn.any();
    let departments = departments_in_scope(conn, viewer, filter.department.as_deref())?;
    let cells = by_day_and_department(conn, from, to, &departments, now)?;
    let mut days: BTreeMap<NaiveDate, Counts> =
        from.iter_days().take_while(|d| *d <= to).map(|d| (d, Counts::default())).collect();
    for ((day, _), c) in &cells {
        days.entry(*day).or_default().add(c);
    }
    let table = department_table(conn, viewer, (from, to), departments, &cells)?;
    Ok((table, days.into_iter().collect()))
}

/// Counts per day and department without reading finished tasks: their counts come
/// from the day rollup, open ones from the open rollup by due date, and only the open
/// tasks falling due today are counted live (whether they are due yet depends on `now`).
/// The same numbers as applying [`contribution`] to every task.
pub fn by_day_and_department(
    conn: &mut db::AnyConn,
    from: NaiveDate,
    to: NaiveDate,
    departments: &[String],
    now: DateTime<Utc>,
) -> AppResult<Cells> {
    let n = |x: i64| u64::try_from(x).unwrap_or(0);
    let mut out: BTreeMap<(NaiveDate, String), Counts> = BTreeMap::new();
    for (day, dept, db::rollup::Finished { done, on_time, skipped, missed }) in
        db::rollup::load(conn, from, to, departments)?
    {
        let c = Counts {
            due: n(done + skipped + missed),
            done: n(done),
            on_time: n(on_time),
            overdue: 0,
            skipped: n(skipped),
            missed: n(missed),
        };
        out.entry((day, dept)).or_default().add(&c);
    }
    for (day, dept, open) in db::rollup::open_due_fast(conn, from, to, departments, now.naive_utc())? {
        out.entry((day, dept)).or_default().add(&Counts { due: n(open), overdue: n(open), ..Counts::default() });
    }
    out.retain(|_, c| *c != Counts::default());
    Ok(out)
}
