//! Changing one template from a date: a new version, or its retirement. The tasks
//! already made follow, in the caller's transaction:
//!
//! * dated before the effective date: untouched (past dashboards keep every number);
//! * done, skipped or missed: untouched, whatever their date;
//! * open and dated from the effective date: moved to the new version when it still
//!   has that occurrence (its due time follows the new rule; the task keeps its id,
//!   history and reminders), else cancelled with the reason in the task's note.
//!
//! The new version's occurrences that do not exist yet are made by the generation pass
//! the caller runs afterwards. Both catalogue files (`dutyday catalog apply`) and the
//! admins' template pages come through here.

use super::audit::{self, Actor};
use super::context::Context;
use super::{AppError, AppResult};
use crate::db::org::TemplateRow;
use crate::db::versions::{self, VersionRow};
use crate::db::{self, AnyConn};
use crate::domain::template::Plan;
use crate::error::ErrorCode;
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;

/// What a change did to the tasks already made.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct TaskEffect {
    /// Open tasks moved to the new version.
    pub revised: usize,
    /// Open tasks cancelled (retired, or no longer an occurrence).
    pub cancelled: usize,
}

impl std::ops::AddAssign for TaskEffect {
    fn add_assign(&mut self, o: TaskEffect) {
        self.revised += o.revised;
        self.cancelled += o.cancelled;
    }
}

/// The earliest date a change may take effect: today (history is not rewritten).
pub fn check_effective(effective: NaiveDate, today: NaiveDate) -> AppResult<()> {
    if effective < today {
        return Err(AppError::invalid("effective", ErrorCode::EffectiveInPast).arg("today", today));
    }
    Ok(())
}

/// Makes `row` (a template's new content) its latest version from `effective`, and
/// moves the open tasks from then on to it. A template not seen before is added.
pub fn put(
    conn: &mut AnyConn,
    actor: Actor,
    row: &TemplateRow,
    effective: NaiveDate,
    reason: &str,
    now: DateTime<Utc>,
) -> AppResult<TaskEffect> {
    let before = versions::of_template(conn, &row.id)?;
    let version = before.last().map_or(1, |v| v.version + 1);
    let old_position = before.last().map(|v| v.position_id.clone());
    // The template row first: its versions point at it.
    let latest = TemplateRow { version, retired_on: None, retire_reason: String::new(), ..row.clone() };
    versions::put_template(conn, &latest)?;
    versions::insert(
        conn,
        &[VersionRow {
            template_id: row.id.clone(),
            version,
            effective_from: effective,
            duty_id: row.duty_id.clone(),
            position_id: row.position_id.clone(),
            zh: row.zh.clone(),
            en: row.en.clone(),
            spec: row.spec.clone(),
            created_at: now.naive_utc(),
            created_by: actor.staff().map(|s| s.0),
            reason: reason.to_string(),
        }],
    )?;
    let effect = follow(conn, &row.id, effective, reason, now)?;
    if old_position.as_ref().is_some_and(|p| *p != row.position_id) {
        super::staffing::reconcile(conn, std::slice::from_ref(&row.position_id), now)?;
    }
    let action = if before.is_empty() { "template.add" } else { "template.change" };
    let after = json!({"version": version, "effective": effective, "reason": reason, "tasks": effect});
    let before = before.last().map(|v| json!({"version": v.version, "spec": v.spec}));
    audit::record(conn, actor, action, &format!("template:{}", row.id), before, Some(after), now)?;
    Ok(effect)
}

/// Retires template `id` from `effective`: it makes nothing from then on, and its open
/// tasks from that date are cancelled with `reason`.
pub fn retire(
    conn: &mut AnyConn,
    actor: Actor,
    id: &str,
    effective: NaiveDate,
    reason: &str,
    now: DateTime<Utc>,
) -> AppResult<TaskEffect> {
    if versions::retire_template(conn, id, effective, reason)? == 0 {
        return Err(AppError::new(ErrorCode::TemplateNotFound).arg("template", id));
    }
    let mut effect = TaskEffect::default();
    for task in versions::open_from(conn, id, effective)? {
        effect.cancelled += versions::cancel(conn, &task, reason, now.naive_utc())?;
    }
    let after = json!({"effective": effective, "reason": reason, "tasks": effect});
    audit::record(conn, actor, "template.retire", &format!("template:{id}"), None, Some(after), now)?;
    Ok(effect)
}

/// Moves template `id`'s open tasks from `effective` on to the version in force on
/// their date, or cancels them when that version has no such occurrence.
fn follow(
    conn: &mut AnyConn,
    id: &str,
    effective: NaiveDate,
    reason: &str,
    now: DateTime<Utc>,
) -> AppResult<TaskEffect> {
    let open = versions::open_from(conn, id, effective)?;
    let mut effect = TaskEffect::default();
    if open.is_empty() {
        return Ok(effect);
    }
    let ctx = Context::load(conn, effective)?;
    for task in open {
        let Some(t) = ctx.template_on(id, task.occurs_on) else {
            effect.cancelled += versions::cancel(conn, &task, reason, now.naive_utc())?;
            continue;
        };
        let still = match &t.plan {
            // An event's task stays its event's; the new rule sets its due time.
            Plan::Trigger { .. } => t.occurrences_on(task.occurs_on).into_iter().next(),
            Plan::Schedule(s) => {
                let cal = ctx.calendar_of_position(&t.position);
                let on = s.occurrences(task.occurs_on, task.occurs_on, cal).contains(&task.occurs_on);
                t.occurrences_on(task.occurs_on).into_iter().find(|(key, _)| on && *key == task.occurrence)
            }
        };
        match still {
            Some((_, rule)) => {
                let due = rule.due_at(task.occurs_on, ctx.calendar_of_position(&t.position), ctx.tz).naive_utc();
                let department = ctx.department_of(&t.position)?.to_string();
                let place = (t.position.as_str(), department.as_str());
                effect.revised += versions::revise(conn, &task, t.version, due, place, now.naive_utc())?;
            }
            None => effect.cancelled += versions::cancel(conn, &task, reason, now.naive_utc())?,
        }
    }
    Ok(effect)
}

/// The template rows of the database's catalogue by id (retired ones included).
pub fn stored(conn: &mut AnyConn) -> AppResult<std::collections::HashMap<String, TemplateRow>> {
    Ok(db::org::load(conn)?.templates.into_iter().map(|t| (t.id.clone(), t)).collect())
}
