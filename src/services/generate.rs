//! Materialising recurring tasks, exactly once.
//!
//! Rows are computed template by template and written [`BATCH_ROWS`] at a time (so a
//! start-up that generates a week for a large company stays small in memory), with
//! multi-row `INSERT … ON CONFLICT DO NOTHING` against the unique key (template,
//! occurrence, slot). Running it again, from another instance at the same moment, or
//! after a crash half-way, therefore never duplicates a task. Each template remembers
//! how far it was generated (`template_state`); the dates after that mark that are
//! already past due are the ones missed during downtime, and the template's catch-up
//! policy decides what becomes of them:
//!
//! * `all` (default): created with status `missed`, so the gap is visible;
//! * `latest`: only the most recent one is created, open (overdue), to still be done;
//! * `none`: not created.
//!
//! On a template's first run nothing before `now` is created: a new installation does
//! not start with a backlog. A [`Scope::Full`] pass also looks at dates up to the mark
//! again, creating only occurrences not yet due (a new holder's upcoming tasks, say).

use super::context::Context;
use super::AppResult;
use crate::db::tasks::NewTask;
use crate::db::{self, AnyConn, DbPool};
use crate::domain::due::DueRule;
use crate::domain::staffing::Assignment;
use crate::domain::task::TaskStatus;
use crate::domain::template::{CatchUp, Plan, Template};
use chrono::{DateTime, Days, NaiveDate, Utc};
use std::collections::HashMap;

/// What a generation run did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GenerateReport {
    /// Tasks inserted by this run.
    pub created: usize,
    /// Tasks this run would have made that were already there.
    pub existing: usize,
    /// Of the created tasks, those marked `missed`.
    pub missed: usize,
}

/// How far back already-generated dates are revisited by a full pass.
const REVISIT_DAYS: u64 = 14;

/// How much of the calendar a run looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Only dates after each template's mark: the scheduler's tick. Once the horizon
    /// is generated a tick writes nothing until the next day comes into it.
    Incremental,
    /// Also the already-generated dates from two weeks back, creating what is missing
    /// and not yet due (and counting what exists): `dutyday generate`.
    Full,
    /// A full pass over these positions' templates only, without moving any mark:
    /// after a staffing change, so an added holder gets their upcoming tasks.
    Positions(Vec<String>),
    /// The same for these templates: after a catalogue change, so a new version's
    /// occurrences up to the mark exist.
    Templates(Vec<String>),
}

/// Generates every active template's tasks up to `through` (default: today plus
/// `horizon_days` in the company's zone).
#[tracing::instrument(level = "debug", skip(pool))]
pub fn run(
    pool: &DbPool,
    now: DateTime<Utc>,
    through: Option<NaiveDate>,
    horizon_days: u32,
    scope: Scope,
) -> AppResult<GenerateReport> {
    let mut conn = pool.get()?;
    conn.transaction(|conn| {
        let (_, today) = super::context::company_today(conn, now)?;
        let through =
            through.unwrap_or_else(|| today.checked_add_days(Days::new(u64::from(horizon_days))).unwrap_or(today));
        run_in(conn, now, through, &scope)
    })
}

/// [`run`] inside the caller's transaction.
pub(super) fn run_in(
    conn: &mut AnyConn,
    now: DateTime<Utc>,
    through: NaiveDate,
    scope: &Scope,
) -> AppResult<GenerateReport> {
    // One writer of tasks at a time across instances (re-entrant within a transaction):
    // a staffing change and a generation pass each see the other's result, never a
    // staffing snapshot from before a change they then write tasks after.
    db::serialize_writers(conn)?;
    let marks: HashMap<String, NaiveDate> = db::org::generated_through(conn)?.into_iter().collect();
    let (_, today) = super::context::company_today(conn, now)?;
    let revisit = today.checked_sub_days(Days::new(REVISIT_DAYS)).unwrap_or(today);
    let fresh_from = |id: &str| marks.get(id).and_then(|m| m.succ_opt()).unwrap_or(today);
    if *scope == Scope::Incremental && !marks.is_empty() && marks.values().all(|m| *m >= through) {
        return Ok(GenerateReport::default()); // the usual tick: nothing new in the horizon
    }
    let earliest = marks.values().map(|m| m.succ_opt().unwrap_or(*m)).min().unwrap_or(today).min(revisit);
    let ctx = Context::load(conn, earliest)?;
    let mut rows = Batch::default();
    let mut advanced = Vec::new();
    for t in &ctx.templates {
        let Plan::Schedule(schedule) = &t.plan else { continue };
        if t.paused {
            continue; // its mark stays: on resume, the gap is caught up by its policy
        }
        let fresh = fresh_from(&t.spec.id);
        let (start, end) = match scope {
            Scope::Templates(ids) if ids.contains(&t.spec.id) => {
                (revisit, marks.get(&t.spec.id).copied().unwrap_or(today))
            }
            Scope::Templates(_) => continue,
            Scope::Incremental => (fresh, through),
            Scope::Full => (fresh.min(revisit), through),
            Scope::Positions(ps) if ps.contains(&t.position) => {
                (revisit, marks.get(&t.spec.id).copied().unwrap_or(today))
            }
            Scope::Positions(_) => continue,
        };
        let moves_mark = !matches!(scope, Scope::Positions(_) | Scope::Templates(_));
        if moves_mark {
            advanced.push(t.spec.id.as_str());
        }
        // A version makes only the dates it is in force (a change from a date).
        let Some((start, end)) = t.clamp(start, end) else { continue };
        let dates = schedule.occurrences(start, end, ctx.calendar_of_position(&t.position));
        let items: Vec<Occurrence> = dates
            .iter()
            .flat_map(|d| t.occurrences_on(*d).into_iter().map(move |(key, rule)| Occurrence { date: *d, key, rule }))
            .collect();
        for (o, status) in plan_dates(t, &ctx, items, marks.get(&t.spec.id).copied(), fresh, now) {
            let assignments = ctx.staffing.assign(&t.position, t.spec.assign, o.date);
            let new = task_rows(&ctx, t, &o.key, o.date, &o.rule, &assignments, status, None, now)?;
            rows.add(conn, new)?;
        }
    }
    advanced.sort_unstable();
    advanced.dedup();
    let report = rows.finish(conn)?;
    db::org::advance_generated_through(conn, &advanced, through)?;
    Ok(report)
}

/// Rows written this many at a time: two chunks of `INSERT`, about a megabyte in memory.
pub const BATCH_ROWS: usize = 2_000;

/// Rows made and not yet written, and what the written ones came to.
#[derive(Default)]
struct Batch {
    rows: Vec<NewTask>,
    report: GenerateReport,
}

impl Batch {
    /// Adds rows, writing the batch once it is full.
    fn add(&mut self, conn: &mut AnyConn, rows: Vec<NewTask>) -> AppResult<()> {
        self.rows.extend(rows);
        if self.rows.len() >= BATCH_ROWS {
            self.write(conn)?;
        }
        Ok(())
    }

    fn write(&mut self, conn: &mut AnyConn) -> AppResult<()> {
        let (missed, open): (Vec<NewTask>, Vec<NewTask>) =
            self.rows.drain(..).partition(|r| r.status == TaskStatus::Missed.as_str());
        let made_missed = db::tasks::insert_missing(conn, &missed)?;
        let made = made_missed + db::tasks::insert_missing(conn, &open)?;
        self.report.created += made;
        self.report.missed += made_missed;
        self.report.existing += missed.len() + open.len() - made;
        Ok(())
    }

    /// Writes what is left; the whole run's report.
    fn finish(mut self, conn: &mut AnyConn) -> AppResult<GenerateReport> {
        self.write(conn)?;
        Ok(self.report)
    }
}

/// One occurrence of a schedule: its date, key (the date, or `date HH:MM` for one of
/// several a day) and due rule.
struct Occurrence {
    date: NaiveDate,
    key: String,
    rule: DueRule,
}

/// Which of a template's occurrences to create, and with what status.
fn plan_dates(
    t: &Template,
    ctx: &Context,
    items: Vec<Occurrence>,
    mark: Option<NaiveDate>,
    fresh_from: NaiveDate,
    now: DateTime<Utc>,
) -> Vec<(Occurrence, TaskStatus)> {
    let mut out = Vec::new();
    let mut past_fresh = Vec::new();
    for o in items {
        if o.rule.due_at(o.date, ctx.calendar_of_position(&t.position), ctx.tz) > now {
            out.push((o, TaskStatus::Open));
        } else if o.date >= fresh_from && mark.is_some() {
            past_fresh.push(o);
        }
    }
    match t.spec.catch_up {
        CatchUp::All => out.extend(past_fresh.into_iter().map(|o| (o, TaskStatus::Missed))),
        CatchUp::Latest => out.extend(past_fresh.pop().map(|o| (o, TaskStatus::Open))),
        CatchUp::None => {}
    }
    out
}

/// The rows one occurrence makes, one per assignment.
#[allow(clippy::too_many_arguments)]
pub(super) fn task_rows(
    ctx: &Context,
    t: &Template,
    occurrence: &str,
    date: NaiveDate,
    rule: &DueRule,
    assignments: &[Assignment],
    status: TaskStatus,
    event: Option<i64>,
    now: DateTime<Utc>,
) -> AppResult<Vec<NewTask>> {
    let department = ctx.department_of(&t.position)?.to_string();
    let due_at = rule.due_at(date, ctx.calendar_of(&department), ctx.tz).naive_utc();
    let now = now.naive_utc();
    Ok(assignments
        .iter()
        .map(|a| NewTask {
            template_id: t.spec.id.clone(),
            occurrence: occurrence.to_string(),
            slot: a.slot.clone(),
            occurs_on: date,
            due_at,
            position_id: t.position.clone(),
            department_id: department.clone(),
            assignee_id: a.assignee.map(|s| s.0),
            cover: a.cover.as_str().to_string(),
            covered_staff_id: a.covered.map(|s| s.0),
            event_id: event,
            status: status.as_str().to_string(),
            created_at: now,
            updated_at: now,
            template_version: t.version,
        })
        .collect())
}
