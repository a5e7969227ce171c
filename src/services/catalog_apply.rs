//! `dutyday catalog apply`: the catalogue files into a running database, from a date,
//! in one transaction. What `catalog diff` lists is what changes:
//!
//! * departments, positions and duties added or changed are written; retired ones are
//!   kept (history names them) with the date they went; a position is retired only
//!   once nobody holds it from that date (move them first);
//! * templates added or changed get a new version from the effective date, retired
//!   ones stop from it, and their tasks follow (see [`super::template_change`]);
//! * then a generation pass makes what the new versions need, and the catalogue's
//!   change counter moves so every instance sees the change.
//!
//! A dry run does all of it and rolls back, so its report is what the real run does.

use super::audit::Actor;
use super::catalog_diff::{self, Change};
use super::template_change::{self, TaskEffect};
use super::{AppError, AppResult};
use crate::catalog::Catalog;
use crate::db::org::{DepartmentRow, OrgRows};
use crate::db::{self, versions, AnyConn, DbPool};
use crate::error::ErrorCode;
use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};
use serde::Serialize;
use serde_json::json;

/// What an apply did (or, dry, would do).
#[derive(Debug, Clone, Serialize)]
pub struct Applied {
    pub effective: NaiveDate,
    pub changes: Vec<Change>,
    pub tasks: TaskEffect,
    /// Tasks the generation pass made for new versions.
    pub created: usize,
    /// False for a dry run.
    pub applied: bool,
}

/// How to apply.
#[derive(Debug, Clone, Default)]
pub struct ApplyOptions {
    /// Default: today in the company's zone.
    pub effective: Option<NaiveDate>,
    pub dry_run: bool,
    /// Shown on tasks a change cancels, as written (none: the status says it).
    pub reason: String,
    /// How far ahead generation runs (the service's setting).
    pub horizon_days: u32,
}

enum Tx {
    App(AppError),
    DryRun(Applied),
}

impl From<diesel::result::Error> for Tx {
    fn from(e: diesel::result::Error) -> Self {
        Tx::App(e.into())
    }
}

impl From<AppError> for Tx {
    fn from(e: AppError) -> Self {
        Tx::App(e)
    }
}

/// Applies `catalog` as `actor`.
#[tracing::instrument(level = "debug", skip(pool, catalog))]
pub fn apply(
    pool: &DbPool,
    actor: Actor,
    catalog: &Catalog,
    opts: &ApplyOptions,
    now: DateTime<Utc>,
) -> AppResult<Applied> {
    let mut conn = pool.get()?;
    let out = conn.transaction::<Applied, Tx>(|conn| {
        let applied = apply_in(conn, actor, catalog, opts, now)?;
        if opts.dry_run {
            return Err(Tx::DryRun(Applied { applied: false, ..applied }));
        }
        Ok(applied)
    });
    match out {
        Ok(a) => Ok(a),
        Err(Tx::DryRun(a)) => Ok(a),
        Err(Tx::App(e)) => Err(e),
    }
}

fn apply_in(
    conn: &mut AnyConn,
    actor: Actor,
    catalog: &Catalog,
    opts: &ApplyOptions,
    now: DateTime<Utc>,
) -> AppResult<Applied> {
    db::serialize_writers(conn)?;
    let (_, today) = super::context::company_today(conn, now)?;
    let effective = opts.effective.unwrap_or(today);
    template_change::check_effective(effective, today)?;
    let reason = opts.reason.trim();
    let changes = catalog_diff::diff_in(conn, catalog)?;
    let (company, files) = super::import::rows_of(catalog, now)?;
    let stored = db::org::load(conn)?;
    let mut tasks = TaskEffect::default();
    // Departments first without lead and parent (they may name positions added below).
    for c in changes.iter().filter(|c| c.what != "retired") {
        if let Some(d) = find(&c.item, "department", &files.departments, |d| &d.id) {
            let known = stored.departments.iter().find(|s| s.id == d.id);
            let bare = DepartmentRow {
                lead_position_id: known.and_then(|k| k.lead_position_id.clone()),
                reports_to: known.and_then(|k| k.reports_to.clone()),
                retired_on: None,
                ..d.clone()
            };
            versions::put_department(conn, &bare)?;
        }
    }
    // Then positions, then their duties (each points at the one before).
    for c in changes.iter().filter(|c| c.what != "retired") {
        if c.item == "company" {
            versions::put_company(conn, &company)?;
        } else if let Some(p) = find(&c.item, "position", &files.positions, |p| &p.id) {
            versions::put_position(conn, p)?;
        }
    }
    for c in changes.iter().filter(|c| c.what != "retired") {
        if let Some(d) = find(&c.item, "duty", &files.duties, |d| &d.id) {
            versions::put_duty(conn, d)?;
        }
    }
    for c in changes.iter().filter(|c| c.what != "retired") {
        if let Some(d) = find(&c.item, "department", &files.departments, |d| &d.id) {
            versions::put_department(conn, d)?;
        } else if let Some(t) = find(&c.item, "template", &files.templates, |t| &t.id) {
            tasks += template_change::put(conn, actor, t, effective, reason, now)?;
        }
    }
    // Calendar years from the files, not loaded yet or loaded with other days.
    for file in &catalog.calendars {
        for year in file.years() {
            let item = catalog_diff::calendar_item(&file.calendar, year);
            if changes.iter().any(|c| c.item == item) {
                let days: Vec<_> = file.days.iter().filter(|d| d.date.year() == year).cloned().collect();
                let source = file.path.display().to_string();
                db::calendar::replace_year(conn, &file.calendar, year, &days, &source, now.naive_utc())?;
            }
        }
    }
    for c in changes.iter().filter(|c| c.what == "retired") {
        tasks += retire(conn, actor, &stored, &c.item, effective, reason, now)?;
    }
    for c in changes.iter().filter(|c| !c.item.starts_with("template[")) {
        let after = json!({"effective": effective, "fields": c.fields});
        super::audit::record(conn, actor, &format!("catalog.{}", c.what), &c.item, None, Some(after), now)?;
    }
    let mut created = 0;
    if !changes.is_empty() {
        versions::bump(conn)?;
        let through = today.checked_add_days(Days::new(u64::from(opts.horizon_days))).unwrap_or(today);
        created = super::generate::run_in(conn, now, through, &super::generate::Scope::Full)?.created;
    }
    Ok(Applied { effective, changes, tasks, created, applied: true })
}

/// The row of `item` (`kind[id]`) among `rows`.
fn find<'a, T>(item: &str, kind: &str, rows: &'a [T], id: impl Fn(&T) -> &String) -> Option<&'a T> {
    let key = item.strip_prefix(kind)?.strip_prefix('[')?.strip_suffix(']')?;
    rows.iter().find(|r| id(r) == key)
}

/// Retires one item from `effective`.
fn retire(
    conn: &mut AnyConn,
    actor: Actor,
    stored: &OrgRows,
    item: &str,
    effective: NaiveDate,
    reason: &str,
    now: DateTime<Utc>,
) -> AppResult<TaskEffect> {
    if let Some(t) = find(item, "template", &stored.templates, |t| &t.id) {
        return template_change::retire(conn, actor, &t.id, effective, reason, now);
    }
    if let Some(p) = find(item, "position", &stored.positions, |p| &p.id) {
        let holders = db::staff::holders_from(conn, &p.id.as_str().into(), effective)?;
        if holders > 0 {
            return Err(AppError::new(ErrorCode::PositionHasHolders).arg("position", &p.id).arg("from", effective));
        }
        versions::put_position(conn, &crate::db::org::PositionRow { retired_on: Some(effective), ..p.clone() })?;
    } else if let Some(d) = find(item, "duty", &stored.duties, |d| &d.id) {
        versions::put_duty(conn, &crate::db::org::DutyRow { retired_on: Some(effective), ..d.clone() })?;
    } else if let Some(d) = find(item, "department", &stored.departments, |d| &d.id) {
        versions::put_department(conn, &DepartmentRow { retired_on: Some(effective), ..d.clone() })?;
    }
    Ok(TaskEffect::default())
}
