//! A person's tasks: the daily list, one task with its history, and completing,
//! skipping and reopening. Pages and the API both call these, so the rules exist once.

use super::{AppError, AppResult};
use crate::db::tasks::{LogRow, StatusChange, TaskRow};
use crate::db::{self, AnyConn, DbPool};
use crate::domain::access::{TaskScope, Viewer};
use crate::domain::completion::{check_completion, check_reason, transition, Action, CompletionInput};
use crate::domain::stats::{contribution, Counts, TaskFacts};
use crate::domain::task::{StaffId, TaskId, TaskStatus};
use crate::domain::template::{CompletionMode, FigureSpec, TemplateSpec};
use crate::error::ErrorCode;
use chrono::{DateTime, Days, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::HashMap;

/// A task as people see it.
#[derive(Debug, Clone, Serialize)]
pub struct TaskView {
    pub id: TaskId,
    pub template_id: String,
    pub title_zh: String,
    pub title_en: String,
    pub duty_id: String,
    pub duty_zh: String,
    pub duty_en: String,
    pub position_id: String,
    pub position_zh: String,
    pub position_en: String,
    pub department_id: String,
    pub occurs_on: NaiveDate,
    /// Due time in the company's zone, RFC 3339.
    pub due_at: String,
    /// `open`, `done`, `skipped` or `missed`.
    pub status: TaskStatus,
    /// Open and past its due time.
    pub overdue: bool,
    /// Open and due within [`DUE_SOON_HOURS`].
    pub due_soon: bool,
    pub assignee_id: Option<StaffId>,
    pub assignee_name: Option<String>,
    /// `none`, `vacancy` or `leave`.
    pub cover: String,
    pub covered_name: Option<String>,
    /// `tick`, `note`, `signoff` or `figures`.
    pub completion: CompletionMode,
    /// The figures completion asks for: `{key, type, zh, en, required}`.
    pub figures_asked: Vec<FigureSpec>,
    /// What to do, for a one-off task (none for the catalogue's).
    pub description: Option<String>,
    pub note: Option<String>,
    pub figures: Option<Value>,
    pub done_at: Option<String>,
    pub done_by_name: Option<String>,
    /// Whether the person asking may reopen it now (within 10 minutes, or as lead/admin).
    pub can_reopen: bool,
}

impl TaskView {
    /// Roughly the bytes it takes, its text included (what a kept list weighs).
    pub fn weight(&self) -> usize {
        let text = [&self.template_id, &self.title_zh, &self.title_en, &self.duty_id, &self.duty_zh, &self.duty_en]
            .into_iter()
            .chain([&self.position_id, &self.position_zh, &self.position_en, &self.department_id, &self.due_at])
            .map(String::len)
            .sum::<usize>();
        let maybe = [&self.assignee_name, &self.covered_name, &self.description, &self.note, &self.done_at]
            .into_iter()
            .chain([&self.done_by_name])
            .map(|s| s.as_ref().map_or(0, String::len))
            .sum::<usize>();
        // A figure asked for, or one filed, takes some 100 bytes.
        let asked = (self.figures_asked.len() + self.figures.as_ref().map_or(0, |_| self.figures_asked.len())) * 100;
        std::mem::size_of::<TaskView>() + text + maybe + self.cover.len() + asked
    }
}

/// A person's list for a day: overdue work first, then the day, then the week after.
#[derive(Debug, Clone, Serialize)]
pub struct DayList {
    pub date: NaiveDate,
    /// Open tasks of earlier days whose due time has passed.
    pub overdue: Vec<TaskView>,
    /// The day's open tasks.
    pub today: Vec<TaskView>,
    /// The day's tasks already done or skipped (undo is offered for 10 minutes).
    pub finished: Vec<TaskView>,
    pub upcoming: Vec<TaskView>,
}

pub(super) fn scope(t: &TaskRow) -> TaskScope<'_> {
    TaskScope {
        assignee: t.assignee_id,
        department: &t.department_id,
        position: &t.position_id,
        shared: t.slot == crate::domain::staffing::SHARED_SLOT,
    }
}

/// Turns rows into views with two queries in all (templates, people), nothing per row;
/// `viewer` decides `can_reopen`.
pub fn views(
    conn: &mut AnyConn,
    tz: Tz,
    rows: Vec<TaskRow>,
    viewer: Option<&Viewer>,
    now: DateTime<Utc>,
) -> AppResult<Vec<TaskView>> {
    let mut ids: Vec<String> = rows.iter().map(|t| t.template_id.clone()).collect();
    ids.sort();
    ids.dedup();
    let named: HashMap<String, _> =
        db::org::templates_named(conn, &ids)?.into_iter().map(|(t, d, p)| (t.id.clone(), (t, d, p))).collect();
    let mut people: Vec<StaffId> =
        rows.iter().flat_map(|t| [t.assignee_id, t.covered_staff_id, t.done_by]).flatten().collect();
    people.sort_unstable();
    people.dedup();
    let names: HashMap<StaffId, String> = db::staff::names(conn, &people)?.into_iter().collect();
    let local = |t: chrono::NaiveDateTime| t.and_utc().with_timezone(&tz).to_rfc3339();
    // A task asks for what its own version asked for (an earlier one, after a change).
    let mut older: Vec<(String, i32)> = rows
        .iter()
        .filter(|t| named.get(&t.template_id).is_some_and(|(tpl, _, _)| tpl.version != t.template_version))
        .map(|t| (t.template_id.clone(), t.template_version))
        .collect();
    older.sort();
    older.dedup();
    let mut specs: HashMap<(String, i32), TemplateSpec> = HashMap::new();
    if !older.is_empty() {
        for (id, version, spec) in db::versions::specs(conn, &older)? {
            specs.insert((id, version), serde_json::from_str(&spec).map_err(|e| AppError::corrupt(e.to_string()))?);
        }
    }
    let mut out = Vec::with_capacity(rows.len());
    for t in rows {
        let (tpl, duty, pos) =
            named.get(&t.template_id).ok_or_else(|| AppError::corrupt(format!("template {}", t.template_id)))?;
        let own = (tpl.id.clone(), t.template_version);
        let key = if specs.contains_key(&own) { own } else { (tpl.id.clone(), tpl.version) };
        if !specs.contains_key(&key) {
            let spec: TemplateSpec = serde_json::from_str(&tpl.spec).map_err(|e| AppError::corrupt(e.to_string()))?;
            specs.insert(key.clone(), spec);
        }
        let spec = &specs[&key];
        let can_reopen = viewer.is_some_and(|v| {
            transition(t.status, Action::Reopen, t.done_at, now.naive_utc(), v.manages(scope(&t))).is_ok()
        });
        out.push(TaskView {
            can_reopen,
            id: t.id,
            template_id: t.template_id.clone(),
            title_zh: tpl.zh.clone(),
            title_en: tpl.en.clone(),
            duty_id: duty.id.clone(),
            duty_zh: duty.zh.clone(),
            duty_en: duty.en.clone(),
            position_id: t.position_id.clone(),
            position_zh: pos.zh.clone(),
            position_en: pos.en.clone(),
            department_id: t.department_id.clone(),
            occurs_on: t.occurs_on,
            due_at: local(t.due_at),
            overdue: t.status == TaskStatus::Open && t.due_at < now.naive_utc(),
            due_soon: due_soon(t.status, t.due_at, now.naive_utc()),
            assignee_id: t.assignee_id,
            assignee_name: t.assignee_id.and_then(|i| names.get(&i).cloned()),
            cover: t.cover.clone(),
            covered_name: t.covered_staff_id.and_then(|i| names.get(&i).cloned()),
            completion: spec.completion,
            figures_asked: spec.figures.clone(),
            description: spec.description.clone(),
            note: t.note.clone(),
            figures: t.figures.as_deref().and_then(|f| serde_json::from_str(f).ok()),
            done_at: t.done_at.map(local),
            done_by_name: t.done_by.and_then(|i| names.get(&i).cloned()),
            status: t.status,
        });
    }
    Ok(out)
}

/// One line of a task's history as shown.
#[derive(Debug, Clone, Serialize)]
pub struct LogView {
    pub at: String,
    pub actor_name: Option<String>,
    pub action: String,
    pub detail: Option<String>,
}

/// A task and its history, if `viewer` may see it (otherwise: not found).
pub fn get(pool: &DbPool, viewer: &Viewer, id: TaskId, now: DateTime<Utc>) -> AppResult<(TaskView, Vec<LogView>)> {
    let mut conn = pool.get()?;
    let conn = &mut conn.any();
    let (tz, _) = super::context::company_today(conn, now)?;
    let row = visible(conn, viewer, id)?;
    let view = views(conn, tz, vec![row], Some(viewer), now)?.remove(0);
    let log: Vec<LogRow> = db::tasks::log_of(conn, id)?;
    let actors: Vec<StaffId> = log.iter().filter_map(|l| l.actor_id).collect();
    let names: HashMap<StaffId, String> = db::staff::names(conn, &actors)?.into_iter().collect();
    let log = log
        .into_iter()
        .map(|l| LogView {
            at: l.at.and_utc().with_timezone(&tz).to_rfc3339(),
            actor_name: l.actor_id.and_then(|a| names.get(&a).cloned()),
            action: l.action,
            detail: l.detail,
        })
        .collect();
    Ok((view, log))
}

fn visible(conn: &mut AnyConn, viewer: &Viewer, id: TaskId) -> AppResult<TaskRow> {
    db::tasks::get(conn, id)?
        .filter(|t| viewer.can_see(scope(t)))
        .ok_or_else(|| AppError::new(ErrorCode::TaskNotFound).arg("id", id))
}

/// What a person does to a task.
#[derive(Debug, Clone)]
pub enum Act {
    Complete(CompletionInput),
    Skip { reason: Option<String> },
    Reopen,
}

/// Completes, skips or reopens a task for `viewer`. Bad input or a refused move
/// changes nothing; two people acting at once cannot both succeed.
pub fn act(pool: &DbPool, viewer: &Viewer, id: TaskId, act: Act, now: DateTime<Utc>) -> AppResult<TaskView> {
    act_at(pool, viewer, id, act, "", now)
}

/// [`act`], with the service's address for the links of the mails it sends (the
/// assigner of a one-off task is told it is done).
#[tracing::instrument(level = "debug", skip(pool, viewer, act), fields(viewer = viewer.id.0))]
pub fn act_at(
    pool: &DbPool,
    viewer: &Viewer,
    id: TaskId,
    act: Act,
    base_url: &str,
    now: DateTime<Utc>,
) -> AppResult<TaskView> {
    let mut conn = pool.get()?;
    let (tz, _) = super::context::company_today(&mut conn.any(), now)?;
    conn.transaction(|conn| {
        let row = visible(conn, viewer, id)?;
        let status = row.status;
        let action = match &act {
            Act::Complete(_) => Action::Complete,
            Act::Skip { .. } => Action::Skip,
            Act::Reopen => Action::Reopen,
        };
        let managed = viewer.manages(scope(&row));
        let next = transition(status, action, row.done_at, now.naive_utc(), managed)?;
        let (change, detail) = match act {
            Act::Complete(input) => {
                let spec = template_spec(conn, &row.template_id, row.template_version)?;
                let c = check_completion(&spec, &input)?;
                let figures = c.figures.map(|f| Value::Object(f).to_string());
                let detail = figures.clone().or_else(|| c.note.clone());
                let change = StatusChange {
                    status: next,
                    done_at: Some(now.naive_utc()),
                    done_by: Some(viewer.id),
                    note: c.note,
                    figures,
                };
                (change, detail)
            }
            Act::Skip { reason } => {
                let reason = check_reason(reason.as_deref())?;
                let change = StatusChange {
                    status: next,
                    done_at: Some(now.naive_utc()),
                    done_by: Some(viewer.id),
                    note: Some(reason.clone()),
                    figures: None,
                };
                (change, Some(reason))
            }
            Act::Reopen => {
                (StatusChange { status: next, done_at: None, done_by: None, note: None, figures: None }, None)
            }
        };
        if db::tasks::set_status(conn, id, status, &change, now.naive_utc())? == 0 {
            return Err(AppError::new(ErrorCode::ChangedMeanwhile));
        }
        db::tasks::log(conn, id, now.naive_utc(), Some(viewer.id), action.log_verb(), detail.as_deref())?;
        let row = visible(conn, viewer, id)?;
        let view = views(conn, tz, vec![row], Some(viewer), now)?.remove(0);
        if action == Action::Complete {
            let title = (view.title_zh.as_str(), view.title_en.as_str());
            super::one_off::tell_assigner(conn, id, title, viewer, base_url, now)?;
        }
        Ok(view)
    })
}

/// Every problem with `input` as a completion of task `id` (empty when it would be
/// accepted): a rejected form marks all its bad fields at once.
pub fn completion_problems(
    pool: &DbPool,
    viewer: &Viewer,
    id: TaskId,
    input: &CompletionInput,
) -> AppResult<Vec<AppError>> {
    let mut conn = pool.get()?;
    let row = visible(&mut conn.any(), viewer, id)?;
    let spec = template_spec(&mut conn.any(), &row.template_id, row.template_version)?;
    Ok(crate::domain::completion::completion_problems(&spec, input).into_iter().map(AppError::from).collect())
}

/// How near its due time an open task is marked as due soon on the pages.
pub const DUE_SOON_HOURS: i64 = 2;

/// Open, not yet due, and due within [`DUE_SOON_HOURS`] of `now`.
pub fn due_soon(status: TaskStatus, due_at: chrono::NaiveDateTime, now: chrono::NaiveDateTime) -> bool {
    status == TaskStatus::Open && due_at >= now && due_at - now <= chrono::Duration::hours(DUE_SOON_HOURS)
}

/// What a task of template `id` made under `version` asks for on completion.
fn template_spec(conn: &mut AnyConn, id: &str, version: i32) -> AppResult<TemplateSpec> {
    let (tpl, _, _) = db::org::templates_named(conn, &[id.to_string()])?
        .into_iter()
        .next()
        .ok_or_else(|| AppError::corrupt(format!("template {id}")))?;
    let older = if tpl.version == version {
        None
    } else {
        db::versions::specs(conn, &[(id.to_string(), version)])?.into_iter().next().map(|(_, _, s)| s)
    };
    serde_json::from_str(older.as_deref().unwrap_or(&tpl.spec)).map_err(|e| AppError::corrupt(e.to_string()))
}

/// Parses figures sent as a JSON object.
pub fn figures_from_json(v: Option<Value>) -> AppResult<Map<String, Value>> {
    match v {
        None | Some(Value::Null) => Ok(Map::new()),
        Some(Value::Object(m)) => Ok(m),
        Some(_) => Err(AppError::invalid("figures", ErrorCode::FiguresNotObject)),
    }
}

/// My last 30 days, with my own rates.
#[derive(Debug, Clone, Serialize)]
pub struct History {
    pub tasks: Vec<TaskView>,
    /// Tasks already due (or finished) in the period: what the rates count.
    pub due: usize,
    pub done: usize,
    pub on_time: usize,
}

impl History {
    /// Done out of due, as a whole percentage (none due: 100).
    pub fn completion_pct(&self) -> u32 {
        pct(self.done, self.due)
    }

    /// Done by the due time out of due, as a whole percentage.
    pub fn on_time_pct(&self) -> u32 {
        pct(self.on_time, self.due)
    }
}

fn pct(part: usize, whole: usize) -> u32 {
    (part * 100).checked_div(whole).map_or(100, |p| u32::try_from(p).unwrap_or(100))
}

/// `viewer`'s tasks of the last 30 days and how they went. A task counts for the
/// person who completed it, and as due for the person it was assigned to.
pub fn history(pool: &DbPool, viewer: &Viewer, now: DateTime<Utc>) -> AppResult<History> {
    let mut conn = pool.get()?;
    let conn = &mut conn.any();
    let (tz, today) = super::context::company_today(conn, now)?;
    let from = today.checked_sub_days(Days::new(30)).unwrap_or(today);
    let rows = db::tasks::history_for(conn, viewer.id, from, today)?;
    // Counted as the dashboards count (domain::stats): due against the assignee,
    // done for whoever did it.
    let (mut owed, mut credit) = (Counts::default(), Counts::default());
    for t in &rows {
        let c = contribution(TaskFacts { status: t.status, due_at: t.due_at, done_at: t.done_at }, now.naive_utc());
        if t.assignee_id == Some(viewer.id) {
            owed.add(&c.against);
        }
        if t.done_by == Some(viewer.id) {
            credit.add(&c.credit);
        }
    }
    let (due, done, on_time) = (owed.due as usize, credit.done as usize, credit.on_time as usize);
    Ok(History { tasks: views(conn, tz, rows, Some(viewer), now)?, due, done, on_time })
}
