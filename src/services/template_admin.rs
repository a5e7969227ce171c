//! Templates as admins look after them: the list with a search, one template with its
//! next due dates after holiday shifts, and pausing and resuming it. A paused template
//! makes nothing (not on schedule, not on its event); its generation mark stays where
//! it was, so on resume the occurrences it missed are dealt with by its catch-up
//! policy, as after downtime. Every pause and resume is audited.

use super::audit::{self, Actor};
use super::context::Context;
use super::{AppError, AppResult};
use crate::db::{self, DbPool};
use crate::domain::access::Viewer;
use crate::domain::task::StaffId;
use crate::domain::template::{Plan, Template, TemplateSpec};
use crate::error::ErrorCode;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::Serialize;
use serde_json::json;

/// A template in the admins' list.
#[derive(Debug, Clone, Serialize)]
pub struct TemplateItem {
    pub spec: TemplateSpec,
    pub position: String,
    pub position_zh: String,
    pub position_en: String,
    pub department: String,
    pub paused_at: Option<NaiveDateTime>,
    /// Its latest version.
    pub version: i32,
    /// It makes nothing from this date on.
    pub retired_on: Option<NaiveDate>,
    pub retire_reason: String,
}

/// One version of a template, for its page.
#[derive(Debug, Clone, Serialize)]
pub struct VersionInfo {
    pub version: i32,
    pub effective_from: NaiveDate,
    pub created_at: NaiveDateTime,
    /// Who made it (none: the catalogue files, from the command line).
    pub created_by: Option<String>,
    pub reason: String,
}

/// One template with what comes next.
#[derive(Debug, Clone, Serialize)]
pub struct TemplateDetail {
    pub item: TemplateItem,
    pub duty_zh: String,
    pub duty_en: String,
    /// The next due instants in the company's zone (RFC 3339), holiday shifts applied;
    /// none for an event's template, or while paused.
    pub next: Vec<String>,
    /// Oldest first.
    pub versions: Vec<VersionInfo>,
}

fn admin(viewer: &Viewer) -> AppResult<()> {
    if viewer.admin {
        Ok(())
    } else {
        Err(AppError::new(ErrorCode::CatalogueForbidden))
    }
}

/// The templates whose id, Chinese or English title, duty or position contains `q`
/// (all when empty), in catalogue order.
pub fn list(pool: &DbPool, viewer: &Viewer, q: &str) -> AppResult<Vec<TemplateItem>> {
    admin(viewer)?;
    let mut conn = pool.get()?;
    let org = db::org::load(&mut conn.any())?;
    let q = q.trim().to_lowercase();
    let mut out = Vec::new();
    for t in &org.templates {
        let spec: TemplateSpec =
            serde_json::from_str(&t.spec).map_err(|e| AppError::corrupt(format!("template {}: {e}", t.id)))?;
        let pos = org.positions.iter().find(|p| p.id == t.position_id);
        let item = TemplateItem {
            position: t.position_id.clone(),
            position_zh: pos.map_or_else(String::new, |p| p.zh.clone()),
            position_en: pos.map_or_else(String::new, |p| p.en.clone()),
            department: pos.map_or_else(String::new, |p| p.department_id.clone()),
            paused_at: t.paused_at,
            version: t.version,
            retired_on: t.retired_on,
            retire_reason: t.retire_reason.clone(),
            spec,
        };
        let hay = [&item.spec.id, &item.spec.zh, &item.spec.en, &item.spec.duty, &item.position_zh, &item.position]
            .map(|s| s.to_lowercase());
        if q.is_empty() || hay.iter().any(|h| h.contains(&q)) {
            out.push(item);
        }
    }
    Ok(out)
}

/// One template, with its next `count` due instants.
pub fn detail(pool: &DbPool, viewer: &Viewer, id: &str, count: usize, now: DateTime<Utc>) -> AppResult<TemplateDetail> {
    let item = list(pool, viewer, "")?
        .into_iter()
        .find(|t| t.spec.id == id)
        .ok_or_else(|| AppError::new(ErrorCode::TemplateNotFound).arg("template", id))?;
    let mut conn = pool.get()?;
    let conn = &mut conn.any();
    let org = db::org::load(conn)?;
    let duty = org.duties.iter().find(|d| d.id == item.spec.duty);
    let (duty_zh, duty_en) = duty.map_or_else(Default::default, |d| (d.zh.clone(), d.en.clone()));
    let (_, today) = super::context::company_today(conn, now)?;
    let ctx = Context::load(conn, today)?;
    let in_force: Vec<&Template> = ctx.templates.iter().filter(|t| t.spec.id == id && !t.paused).collect();
    let next = next_due(&in_force, &ctx, today, now, count).iter().map(|at| at.to_rfc3339()).collect();
    let rows = db::versions::of_template(conn, id)?;
    let by: Vec<StaffId> = rows.iter().filter_map(|v| v.created_by.map(StaffId)).collect();
    let names: std::collections::HashMap<StaffId, String> = db::staff::names(conn, &by)?.into_iter().collect();
    let versions = rows
        .into_iter()
        .map(|v| VersionInfo {
            version: v.version,
            effective_from: v.effective_from,
            created_at: v.created_at,
            created_by: v.created_by.and_then(|b| names.get(&StaffId(b)).cloned()),
            reason: v.reason,
        })
        .collect();
    Ok(TemplateDetail { item, duty_zh, duty_en, next, versions })
}

/// The next `count` due times after `now` of a template's versions (each on the dates
/// it is in force), in the company's zone.
pub(super) fn next_due(
    versions: &[&Template],
    ctx: &Context,
    today: NaiveDate,
    now: DateTime<Utc>,
    count: usize,
) -> Vec<DateTime<chrono_tz::Tz>> {
    let mut next = Vec::new();
    for t in versions {
        let Plan::Schedule(schedule) = &t.plan else { continue };
        let start = t.from.map_or(today, |f| f.max(today));
        let cal = ctx.calendar_of_position(&t.position);
        for d in schedule.next_n(start, count, cal).into_iter().filter(|d| t.in_force(*d)) {
            for (_, rule) in t.occurrences_on(d) {
                let at = rule.due_at(d, cal, ctx.tz);
                if at > now {
                    next.push(at.with_timezone(&ctx.tz));
                }
            }
        }
    }
    next.sort();
    next.truncate(count);
    next
}

/// Pauses (`pause`) or resumes a template.
#[tracing::instrument(level = "debug", skip(pool), fields(by = viewer.id.0))]
pub fn set_paused(pool: &DbPool, viewer: &Viewer, id: &str, pause: bool, now: DateTime<Utc>) -> AppResult<()> {
    admin(viewer)?;
    let mut conn = pool.get()?;
    conn.transaction(|conn| {
        db::serialize_writers(conn)?;
        let at = pause.then_some(now.naive_utc());
        if db::org::set_paused(conn, id, at)? == 0 {
            return Err(AppError::new(ErrorCode::TemplateNotFound).arg("template", id));
        }
        let action = if pause { "template.pause" } else { "template.resume" };
        let after = json!({"paused": pause});
        audit::record(conn, Actor::from(viewer), action, &format!("template:{id}"), None, Some(after), now)
    })
}
