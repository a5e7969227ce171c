//! Completion dashboards: the counting rules of [`crate::domain::stats`] applied to a
//! period, grouped by department, position, person or duty template, within what the
//! person asking leads.

use super::{AppError, AppResult};
use crate::db::{self, DbPool};
use crate::domain::access::Viewer;
use crate::domain::stats::{contribution, Counts, TaskFacts};
use crate::domain::task::StaffId;
use crate::error::ErrorCode;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

mod lists;
mod period;
pub use period::Period;
mod rollup;
pub use lists::{duty_tasks, overdue, skipped, Overdue, ReminderSent};
use rollup::department_table;
pub use rollup::{by_day_and_department, check_period, overview};

/// What rows are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum By {
    Department,
    Position,
    Person,
    Template,
}

impl By {
    /// Its spelling: `department`, `position`, `person` or `template`.
    pub fn as_str(self) -> &'static str {
        match self {
            By::Department => "department",
            By::Position => "position",
            By::Person => "person",
            By::Template => "template",
        }
    }

    /// Parses `department`, `position`, `person` or `template`.
    pub fn parse(s: &str) -> Option<By> {
        match s {
            "department" => Some(By::Department),
            "position" => Some(By::Position),
            "person" => Some(By::Person),
            "template" => Some(By::Template),
            _ => None,
        }
    }
}

/// One row: what it is and its counts.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Row {
    pub key: String,
    pub name: String,
    pub due: u64,
    pub done: u64,
    pub on_time: u64,
    pub overdue: u64,
    pub skipped: u64,
    pub missed: u64,
}

impl Row {
    fn new(key: String, name: String, c: Counts) -> Row {
        Row {
            key,
            name,
            due: c.due,
            done: c.done,
            on_time: c.on_time,
            overdue: c.overdue,
            skipped: c.skipped,
            missed: c.missed,
        }
    }
}

/// A dashboard: rows in catalogue (or name) order, and the period's totals.
#[derive(Debug, Clone, Serialize)]
pub struct Dashboard {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub by: By,
    /// The departments counted.
    pub departments: Vec<String>,
    pub rows: Vec<Row>,
    pub total: Row,
}

/// Narrowing a dashboard down: one department, one position, one person.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub department: Option<String>,
    pub position: Option<String>,
    /// Tasks assigned to or completed by this person.
    pub person: Option<StaffId>,
}

/// Longest period a dashboard covers.
pub const MAX_DAYS: i64 = 366;

/// The dashboard for `viewer` over `from..=to`, optionally one department only.
pub fn dashboard(
    pool: &DbPool,
    viewer: &Viewer,
    from: NaiveDate,
    to: NaiveDate,
    by: By,
    filter: &Filter,
    now: DateTime<Utc>,
) -> AppResult<Dashboard> {
    check_period(from, to)?;
    let mut conn = pool.get()?;
    let conn = &mut conn.any();
    let departments = departments_in_scope(conn, viewer, filter.department.as_deref())?;
    if by == By::Department && filter.uses_rollup() {
        let cells = by_day_and_department(conn, from, to, &departments, now)?;
        return department_table(conn, viewer, (from, to), departments, &cells);
    }
    let rows: Vec<db::tasks::CountRow> = db::tasks::for_counting(conn, from, to, &departments)?
        .into_iter()
        .filter(|r| filter.keeps(&r.position_id, r.assignee_id, r.done_by))
        .collect();
    let now = now.naive_utc();
    let mut counts: BTreeMap<String, Counts> = BTreeMap::new();
    let mut total = Counts::default();
    for r in &rows {
        let c = contribution(TaskFacts { status: r.status, due_at: r.due_at, done_at: r.done_at }, now);
        if c == Default::default() {
            continue; // not due yet: no row counts it
        }
        total.add(&c.against);
        let key = match by {
            By::Department => r.department_id.clone(),
            By::Position => r.position_id.clone(),
            By::Template => r.template_id.clone(),
            By::Person => {
                // Owed by the assignee, credited to the completer.
                let owed = Counts { done: 0, on_time: 0, ..c.against };
                counts.entry(person_key(r.assignee_id)).or_default().add(&owed);
                if let Some(p) = r.done_by {
                    counts.entry(person_key(Some(p))).or_default().add(&c.credit);
                }
                continue;
            }
        };
        counts.entry(key).or_default().add(&c.against);
    }
    let names = names(conn, by, &viewer.locale, &counts)?;
    let out = rows_of(counts, &names);
    let total_name = if viewer.locale == "en" { "Total" } else { "合计" };
    Ok(Dashboard { from, to, by, departments, rows: out, total: Row::new("total".into(), total_name.into(), total) })
}

/// Rows in the catalogue's order (the org chart's departments and positions, the
/// templates as listed), then by name (people, one-off tasks).
fn rows_of(counts: BTreeMap<String, Counts>, names: &HashMap<String, (usize, String)>) -> Vec<Row> {
    let mut out: Vec<(usize, Row)> = counts
        .into_iter()
        .map(|(k, c)| {
            let (rank, name) = names.get(&k).cloned().unwrap_or_else(|| (usize::MAX, k.clone()));
            (rank, Row::new(k, name, c))
        })
        .collect();
    out.sort_by(|(ra, a), (rb, b)| ra.cmp(rb).then(a.name.cmp(&b.name)).then(a.key.cmp(&b.key)));
    out.into_iter().map(|(_, r)| r).collect()
}

impl Filter {
    /// Whether the counts need nothing finer than day and department.
    fn uses_rollup(&self) -> bool {
        self.position.is_none() && self.person.is_none()
    }

    /// Whether a task of `position`, assigned to `assignee` and completed by `done_by`, is kept.
    fn keeps(&self, position: &str, assignee: Option<StaffId>, done_by: Option<StaffId>) -> bool {
        self.position.as_deref().is_none_or(|p| position == p)
            && self.person.is_none_or(|p| assignee == Some(p) || done_by == Some(p))
    }
}

/// The departments `viewer` may see (narrowed to `only`), or why not.
pub(super) fn departments_in_scope(
    conn: &mut db::AnyConn,
    viewer: &Viewer,
    only: Option<&str>,
) -> AppResult<Vec<String>> {
    let scope: BTreeSet<String> = db::org::departments(conn)?
        .into_iter()
        .filter(|d| viewer.admin || viewer.leads.contains(&d.id))
        .map(|d| d.id)
        .collect();
    if scope.is_empty() {
        return Err(AppError::new(ErrorCode::DashboardForbidden));
    }
    match only {
        Some(d) if scope.contains(d) => Ok(vec![d.to_string()]),
        Some(d) => Err(AppError::new(ErrorCode::DepartmentNotFound).arg("department", d)),
        None => Ok(scope.into_iter().collect()),
    }
}

/// Counts per day of the period (for the trend chart), same rules and filter.
pub fn daily(
    pool: &DbPool,
    viewer: &Viewer,
    from: NaiveDate,
    to: NaiveDate,
    filter: &Filter,
    now: DateTime<Utc>,
) -> AppResult<Vec<(NaiveDate, Counts)>> {
    let mut conn = pool.get()?;
    let conn = &mut conn.any();
    let departments = departments_in_scope(conn, viewer, filter.department.as_deref())?;
    let mut days: BTreeMap<NaiveDate, Counts> =
        from.iter_days().take_while(|d| *d <= to).map(|d| (d, Counts::default())).collect();
    if filter.uses_rollup() {
        for ((day, _), c) in by_day_and_department(conn, from, to, &departments, now)? {
            days.entry(day).or_default().add(&c);
        }
        return Ok(days.into_iter().collect());
    }
    let rows = db::tasks::for_counting(conn, from, to, &departments)?;
    for r in rows.iter().filter(|r| filter.keeps(&r.position_id, r.assignee_id, r.done_by)) {
        let c = contribution(TaskFacts { status: r.status, due_at: r.due_at, done_at: r.done_at }, now.naive_utc());
        days.entry(r.occurs_on).or_default().add(&c.against);
    }
    Ok(days.into_iter().collect())
}

/// One person's month: counts per day of the month, owed by them.
#[derive(Debug, Clone, Serialize)]
pub struct PersonMonth {
    pub name: String,
    pub days: Vec<Counts>,
}

/// The month of `day` per person in scope: what each person owed each day and how it
/// went (a task completed by a colleague still counts as done for the day).
pub fn month_by_person(
    pool: &DbPool,
    viewer: &Viewer,
    day: NaiveDate,
    filter: &Filter,
    now: DateTime<Utc>,
) -> AppResult<(NaiveDate, Vec<PersonMonth>)> {
    use chrono::Datelike;
    let first = day.with_day(1).unwrap_or(day);
    let len = crate::domain::recurrence::days_in_month(first.year(), first.month());
    let last = first.with_day(len).unwrap_or(first);
    let mut conn = pool.get()?;
    let conn = &mut conn.any();
    let departments = departments_in_scope(conn, viewer, filter.department.as_deref())?;
    let mut grid: BTreeMap<StaffId, Vec<Counts>> = BTreeMap::new();
    let rows = db::tasks::for_counting(conn, first, last, &departments)?;
    for r in rows.iter().filter(|r| filter.keeps(&r.position_id, r.assignee_id, r.done_by)) {
        let Some(who) = r.assignee_id else { continue };
        let c = contribution(TaskFacts { status: r.status, due_at: r.due_at, done_at: r.done_at }, now.naive_utc());
        let days = grid.entry(who).or_insert_with(|| vec![Counts::default(); len as usize]);
        if let Some(cell) = days.get_mut(r.occurs_on.day0() as usize) {
            cell.add(&c.against);
        }
    }
    let ids: Vec<StaffId> = grid.keys().copied().collect();
    let names: HashMap<StaffId, String> = db::staff::names(conn, &ids)?.into_iter().collect();
    let mut people: Vec<PersonMonth> = grid
        .into_iter()
        .map(|(id, days)| PersonMonth { name: names.get(&id).cloned().unwrap_or_default(), days })
        .collect();
    people.sort_by(|a, b| a.name.cmp(&b.name));
    Ok((first, people))
}

fn person_key(id: Option<StaffId>) -> String {
    id.map_or_else(|| "unassigned".into(), |i| i.to_string())
}

/// Display names of the row keys, in the reader's language.
fn names(
    conn: &mut db::AnyConn,
    by: By,
    locale: &str,
    counts: &BTreeMap<String, Counts>,
) -> AppResult<HashMap<String, (usize, String)>> {
    let en = locale == "en";
    let ranked = |items: Vec<(String, String)>| -> HashMap<String, (usize, String)> {
        items.into_iter().enumerate().map(|(rank, (id, name))| (id, (rank, name))).collect()
    };
    Ok(match by {
        By::Person => {
            let ids: Vec<StaffId> = counts.keys().filter_map(|k| k.parse().ok()).map(StaffId).collect();
            let mut m: HashMap<String, (usize, String)> =
                db::staff::names(conn, &ids)?.into_iter().map(|(i, n)| (i.to_string(), (0, n))).collect();
            m.insert("unassigned".into(), (1, if en { "(unassigned)".into() } else { "（无人负责）".into() }));
            m
        }
        By::Department => {
            ranked(db::org::departments(conn)?.into_iter().map(|d| (d.id, if en { d.en } else { d.zh })).collect())
        }
        By::Position | By::Template => {
            let org = db::org::load(conn)?;
            if by == By::Position {
                ranked(org.positions.into_iter().map(|p| (p.id, if en { p.en } else { p.zh })).collect())
            } else {
                let mut m = ranked(org.templates.into_iter().map(|t| (t.id, if en { t.en } else { t.zh })).collect());
                // One-off tasks are templates of their own, outside the catalogue: after it.
                let others: Vec<String> = counts.keys().filter(|k| !m.contains_key(*k)).cloned().collect();
                for (t, _, _) in db::org::templates_named(conn, &others)? {
                    m.insert(t.id, (usize::MAX - 1, if en { t.en } else { t.zh }));
                }
                m
            }
        }
    })
}

/// The dashboard as CSV: a row per key and the total.
pub fn to_csv(d: &Dashboard, tr: crate::i18n::Tr) -> String {
    let header = [
        "csv_key",
        "csv_name",
        "csv_due",
        "csv_done",
        "csv_on_time",
        "csv_overdue",
        "csv_skipped",
        "csv_missed",
        "csv_completion_pct",
        "csv_on_time_pct",
    ]
    .map(|k| tr.t(k));
    let rows = d.rows.iter().chain(std::iter::once(&d.total)).map(|r| {
        let c = Counts {
            due: r.due,
            done: r.done,
            on_time: r.on_time,
            overdue: r.overdue,
            skipped: r.skipped,
            missed: r.missed,
        };
        let n = [r.due, r.done, r.on_time, r.overdue, r.skipped, r.missed].map(|x| x.to_string());
        let mut row = vec![r.key.clone(), r.name.clone()];
        row.extend(n);
        row.extend([format!("{:.1}", c.completion_pct()), format!("{:.1}", c.on_time_pct())]);
        row
    });
    super::csv::table(&header, rows)
}
