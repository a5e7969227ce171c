//! Admins changing templates while dutyday runs: a template's TOML (as in
//! `templates.toml`) edited with a preview of its next due dates before saving, a new
//! template for a duty, and retirement. Each is checked by the same rules, with the
//! same words, as the catalogue files; each takes effect from a date, goes through
//! [`super::template_change`], and moves the catalogue's change counter.

use super::audit::Actor;
use super::context::Context;
use super::template_change::{self, TaskEffect};
use super::{AppError, AppResult};
use crate::db::org::TemplateRow;
use crate::db::{self, versions, AnyConn, DbPool};
use crate::domain::access::Viewer;
use crate::domain::org::{Duty, DutyKind};
use crate::domain::template::{Template, TemplateSpec};
use crate::error::ErrorCode;
use chrono::{DateTime, Days, NaiveDate, Utc};
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};

/// A template as it would be after an edit, with its next due times.
#[derive(Debug, Clone, Serialize)]
pub struct Preview {
    pub spec: TemplateSpec,
    /// RFC 3339 in the company's zone, holiday shifts applied, from the effective date.
    pub next: Vec<String>,
}

/// What saving did.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Saved {
    pub version: i32,
    pub tasks: TaskEffect,
    /// Tasks the generation pass made for the new version.
    pub created: usize,
}

/// Only admins change the catalogue.
pub fn admin(viewer: &Viewer) -> AppResult<()> {
    if viewer.admin {
        Ok(())
    } else {
        Err(AppError::new(ErrorCode::CatalogueForbidden))
    }
}

/// The TOML of a template as stored (what the edit form starts from).
pub fn source(pool: &DbPool, viewer: &Viewer, id: &str) -> AppResult<String> {
    admin(viewer)?;
    let row = stored(&mut pool.get()?.any(), id)?;
    let spec: TemplateSpec = serde_json::from_str(&row.spec).map_err(|e| AppError::corrupt(e.to_string()))?;
    toml::to_string(&spec).map_err(|e| AppError::corrupt(e.to_string()))
}

fn stored(conn: &mut AnyConn, id: &str) -> AppResult<TemplateRow> {
    db::org::load(conn)?
        .templates
        .into_iter()
        .find(|t| t.id == id)
        .ok_or_else(|| AppError::new(ErrorCode::TemplateNotFound).arg("template", id))
}

/// A template written in TOML, as in `templates.toml` (without `[[template]]`).
pub fn from_toml(text: &str) -> AppResult<TemplateSpec> {
    toml::from_str(text).map_err(|e| {
        let problem = e.message().trim().to_string();
        AppError::invalid("toml", ErrorCode::Catalog).arg("problem", format!("template: {problem}"))
    })
}

/// Checks `spec`. `id` is the template being edited (its id cannot change); none for
/// a new one, whose id must be free.
fn check(
    conn: &mut AnyConn,
    id: Option<&str>,
    spec: TemplateSpec,
    effective: NaiveDate,
) -> AppResult<(Template, Context)> {
    let ctx = Context::load(conn, effective)?;
    let org = db::org::load(conn)?;
    match id {
        Some(id) if id != spec.id => return Err(AppError::invalid("id", ErrorCode::TemplateIdFixed).arg("id", id)),
        None if org.templates.iter().any(|t| t.id == spec.id) => {
            return Err(AppError::invalid("id", ErrorCode::TemplateIdTaken).arg("id", &spec.id))
        }
        _ => {}
    }
    let positions: BTreeSet<&str> =
        org.positions.iter().filter(|p| p.retired_on.is_none()).map(|p| p.id.as_str()).collect();
    let duties: Vec<Duty> = org
        .duties
        .iter()
        .filter(|d| d.retired_on.is_none())
        .filter_map(|d| {
            Some(Duty {
                id: d.id.clone(),
                position: d.position_id.clone(),
                kind: DutyKind::parse(&d.kind)?,
                zh: d.zh.clone(),
                en: d.en.clone(),
                source: d.source.clone(),
                assigned: d.assigned,
            })
        })
        .collect();
    let by_id: HashMap<&str, &Duty> = duties.iter().map(|d| (d.id.as_str(), d)).collect();
    let t = crate::catalog::check_template("template", spec, &positions, &by_id, &ctx.festivals)?;
    Ok((t, ctx))
}

/// What `spec` would make of template `id` (none: a new one) from `effective`.
pub fn preview(
    pool: &DbPool,
    viewer: &Viewer,
    id: Option<&str>,
    spec: TemplateSpec,
    effective: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> AppResult<Preview> {
    admin(viewer)?;
    let mut conn = pool.get()?;
    let conn = &mut conn.any();
    let (_, today) = super::context::company_today(conn, now)?;
    let effective = effective.unwrap_or(today);
    template_change::check_effective(effective, today)?;
    let (mut t, ctx) = check(conn, id, spec, effective)?;
    t.from = Some(effective);
    let next = super::template_admin::next_due(&[&t], &ctx, today, now, 10);
    Ok(Preview { spec: t.spec, next: next.iter().map(|d| d.to_rfc3339()).collect() })
}

/// Saves `spec` as template `id`'s new version (or a new template) from `effective`.
#[allow(clippy::too_many_arguments)]
pub fn save(
    pool: &DbPool,
    viewer: &Viewer,
    id: Option<&str>,
    spec: TemplateSpec,
    effective: Option<NaiveDate>,
    reason: &str,
    horizon_days: u32,
    now: DateTime<Utc>,
) -> AppResult<Saved> {
    admin(viewer)?;
    plain_reason(reason)?;
    let mut conn = pool.get()?;
    conn.transaction(|conn| {
        db::serialize_writers(conn)?;
        let (_, today) = super::context::company_today(conn, now)?;
        let effective = effective.unwrap_or(today);
        template_change::check_effective(effective, today)?;
        let (t, _) = check(conn, id, spec, effective)?;
        let old = id.map(|id| stored(conn, id)).transpose()?;
        // A change keeps the template's place and its pause; a new one goes last.
        let row = TemplateRow {
            paused_at: old.as_ref().and_then(|o| o.paused_at),
            ..super::import::template_row(&t, old.as_ref().map_or(i32::MAX, |o| o.sort_order))?
        };
        let reason = reason.trim();
        let tasks = template_change::put(conn, Actor::from(viewer), &row, effective, reason, now)?;
        versions::bump(conn)?;
        let through = today.checked_add_days(Days::new(u64::from(horizon_days))).unwrap_or(today);
        let created = super::generate::run_in(conn, now, through, &super::generate::Scope::Full)?.created;
        let version = versions::of_template(conn, &row.id)?.last().map_or(1, |v| v.version);
        Ok(Saved { version, tasks, created })
    })
}

/// Retires template `id` from `effective`, cancelling its open tasks from then with `reason`.
pub fn retire(
    pool: &DbPool,
    viewer: &Viewer,
    id: &str,
    effective: Option<NaiveDate>,
    reason: &str,
    now: DateTime<Utc>,
) -> AppResult<TaskEffect> {
    admin(viewer)?;
    if reason.trim().is_empty() {
        return Err(AppError::invalid("reason", ErrorCode::ReasonRequired));
    }
    plain_reason(reason)?;
    let mut conn = pool.get()?;
    conn.transaction(|conn| {
        db::serialize_writers(conn)?;
        let (_, today) = super::context::company_today(conn, now)?;
        let effective = effective.unwrap_or(today);
        template_change::check_effective(effective, today)?;
        let effect = template_change::retire(conn, Actor::from(viewer), id, effective, reason.trim(), now)?;
        versions::bump(conn)?;
        Ok(effect)
    })
}

/// A change's reason is shown to the staff whose tasks it cancels: text only.
fn plain_reason(reason: &str) -> AppResult<()> {
    if crate::domain::text::has_control(reason) {
        return Err(AppError::invalid("reason", ErrorCode::ControlCharacter));
    }
    Ok(())
}
