//! The demo company's history. On the first start of a demo catalogue the service
//! makes the last [`HISTORY_WORKING_DAYS`] working days as a company would have left
//! them (most work done on time, some late, some skipped with a reason, some still
//! open and overdue; work due later stays open) and today's tasks open, however late in the day it starts, so
//! the dashboards are worth a look at once. A real company's first start makes
//! nothing before today (see [`super::generate`]).
//!
//! Outcomes are drawn from a generator seeded by each task's id: the same start makes
//! the same history on SQLite and PostgreSQL. Every settled task is written as a
//! completion would be (status, rollups, the task's log), by its assignee.

use super::context::{company_today, Context};
use super::generate::task_rows;
use super::AppResult;
use crate::db::tasks::{StatusChange, Unsettled};
use crate::db::{self, AnyConn, DbPool};
use crate::domain::completion::{check_completion, Action, CompletionInput};
use crate::domain::task::TaskStatus;
use crate::domain::template::{CompletionMode, FigureSpec, FigureType, Plan, TemplateSpec};
use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// How many working days of history a demo starts with.
pub const HISTORY_WORKING_DAYS: i32 = 30;

/// What [`seed_history`] made.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DemoHistory {
    /// Tasks made, today's included.
    pub tasks: usize,
    pub on_time: usize,
    pub late: usize,
    pub skipped: usize,
    /// Past tasks left open: the overdue list's.
    pub open: usize,
}

/// Makes the demo's history up to today, once: on a database where no template has
/// generated anything yet. Afterwards generation goes on from tomorrow as usual.
pub fn seed_history(pool: &DbPool, now: DateTime<Utc>) -> AppResult<DemoHistory> {
    let mut conn = pool.get()?;
    conn.transaction(|conn| {
        db::serialize_writers(conn)?;
        if !db::org::generated_through(conn)?.is_empty() {
            return Ok(DemoHistory::default());
        }
        let (_, today) = company_today(conn, now)?;
        let start = history_start(&Context::load(conn, today)?, today);
        let ctx = Context::load(conn, start)?;
        let mut rows = Vec::new();
        let mut scheduled = Vec::new();
        for t in ctx.templates.iter().filter(|t| !t.paused) {
            let Plan::Schedule(schedule) = &t.plan else { continue };
            scheduled.push(t.spec.id.as_str());
            let Some((from, to)) = t.clamp(start, today) else { continue };
            let calendar = ctx.calendar_of_position(&t.position);
            for date in schedule.occurrences(from, to, calendar) {
                // Made the evening before, as the scheduler would have.
                let made = date.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc() - Duration::hours(12);
                for (key, rule) in t.occurrences_on(date) {
                    let assignments = ctx.staffing.assign(&t.position, t.spec.assign, date);
                    rows.extend(task_rows(&ctx, t, &key, date, &rule, &assignments, TaskStatus::Open, None, made)?);
                }
            }
        }
        let mut made = DemoHistory { tasks: db::tasks::insert_missing(conn, &rows)?, ..DemoHistory::default() };
        let specs: HashMap<(String, i32), TemplateSpec> =
            ctx.templates.iter().map(|t| ((t.spec.id.clone(), t.version), t.spec.clone())).collect();
        for task in db::tasks::open_before(conn, today, now.naive_utc())? {
            settle(conn, &task, specs.get(&(task.1.clone(), task.2)), now.naive_utc(), &mut made)?;
        }
        scheduled.sort_unstable();
        scheduled.dedup();
        db::org::advance_generated_through(conn, &scheduled, today)?;
        Ok(made)
    })
}

/// Draws one past task's outcome and writes it.
fn settle(
    conn: &mut AnyConn,
    (id, _, _, due, assignee): &Unsettled,
    spec: Option<&TemplateSpec>,
    now: NaiveDateTime,
    made: &mut DemoHistory,
) -> AppResult<()> {
    let (Some(by), Some(spec)) = (assignee, spec) else {
        made.open += 1; // a vacancy's task waits for a holder
        return Ok(());
    };
    let mut rng = StdRng::seed_from_u64(id.0.unsigned_abs());
    let draw = rng.random_range(0..100);
    let (status, at, note, figures) = match draw {
        0..78 => {
            let at = *due - Duration::minutes(rng.random_range(10..300));
            let (note, figures) = completion(spec, &mut rng);
            (TaskStatus::Done, at, note, figures)
        }
        78..87 => {
            let at = (*due + Duration::minutes(rng.random_range(40..1500))).min(now);
            let (note, figures) = completion(spec, &mut rng);
            (TaskStatus::Done, at, note, figures)
        }
        87..93 => {
            let reasons = ["当天无此项工作", "系统故障，改日处理", "已合并到次日处理"];
            let reason = reasons[rng.random_range(0..reasons.len())];
            (TaskStatus::Skipped, *due - Duration::minutes(30), Some(reason.to_string()), None)
        }
        _ => {
            made.open += 1;
            return Ok(());
        }
    };
    let action = if status == TaskStatus::Skipped { Action::Skip } else { Action::Complete };
    match (status, at <= *due) {
        (TaskStatus::Skipped, _) => made.skipped += 1,
        (_, true) => made.on_time += 1,
        (_, false) => made.late += 1,
    }
    let detail = figures.clone().or_else(|| note.clone());
    let change = StatusChange { status, done_at: Some(at), done_by: Some(*by), note, figures };
    db::tasks::set_status(conn, *id, TaskStatus::Open, &change, at)?;
    db::tasks::log(conn, *id, at, Some(*by), action.log_verb(), detail.as_deref())?;
    Ok(())
}

/// A completion's note and figures (as JSON text), checked as a person's would be.
fn completion(spec: &TemplateSpec, rng: &mut StdRng) -> (Option<String>, Option<String>) {
    let note = match spec.completion {
        CompletionMode::Note => Some(["已完成，无异常", "已处理，详见共享表格", "按计划完成"][rng.random_range(0..3)]),
        _ if rng.random_range(0..5) == 0 => Some("正常"),
        _ => None,
    };
    let figures: Map<String, Value> = spec.figures.iter().map(|f| (f.key.clone(), figure(f, rng))).collect();
    let input = CompletionInput { note: note.map(str::to_string), figures, signoff: true };
    match check_completion(spec, &input) {
        Ok(c) => (c.note, c.figures.map(|f| Value::Object(f).to_string())),
        Err(_) => (note.map(str::to_string), None),
    }
}

/// A plausible value of one figure: counts of trouble are small, rates are percents.
fn figure(f: &FigureSpec, rng: &mut StdRng) -> Value {
    let small = ["mis_shipments", "missed_shipments", "discrepancies", "address_problems", "hazards_found", "refunds"];
    match f.kind {
        FigureType::Integer if small.contains(&f.key.as_str()) => Value::from(rng.random_range(0..4)),
        FigureType::Integer => Value::from(rng.random_range(40..400)),
        FigureType::Decimal if f.key.ends_with("_rate") => Value::from(f64::from(rng.random_range(20..600)) / 10.0),
        FigureType::Decimal => Value::from(f64::from(rng.random_range(5_000..90_000))),
        FigureType::Bool => Value::from(rng.random_range(0..10) > 0),
        FigureType::Text => Value::from(["无", "正常", "已跟进", "见附表"][rng.random_range(0..4)]),
    }
}

/// The first day of the history a demo started on `today` has.
pub fn history_start(ctx: &Context, today: NaiveDate) -> NaiveDate {
    ctx.calendar.add_working_days(today, -HISTORY_WORKING_DAYS)
}
