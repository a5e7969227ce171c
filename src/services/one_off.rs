//! One-off tasks: a lead (or an admin) hands out a piece of work once, to a position
//! or a person in the departments they lead, with a title, what to do, a due time and
//! how it is completed. It is then a task like any other (today's list, the calendar
//! feed, reminders and escalation, dashboards, under the position's duty marked
//! `assigned`, else a catch-all duty of the position); the assigner sees it and gets a
//! mail when it is done.

use super::audit::{self, Actor};
use super::context::Context;
use super::remind::messages::{self, Notice};
use super::{AppError, AppResult};
use crate::db::org::{DutyRow, TemplateRow};
use crate::db::{self, AnyConn, DbPool};
use crate::domain::access::Viewer;
use crate::domain::due::local_to_utc;
use crate::domain::staffing::Assignment;
use crate::domain::task::{Cover, PositionId, StaffId, TaskId};
use crate::domain::template::{AssignMode, CompletionMode, DueSpec, FigureSpec, TemplateSpec, TriggerSpec};
use crate::error::ErrorCode;
use crate::i18n::{Lang, Tr};
use chrono::{DateTime, NaiveDateTime, Utc};
use serde_json::json;

/// The event name a one-off's template carries (never fired: one-offs are not events).
pub const ORIGIN: &str = "one_off";

/// A piece of work to hand out.
#[derive(Debug, Clone)]
pub struct OneOff {
    pub title: String,
    pub description: String,
    pub position: PositionId,
    /// A person who holds the position; else whoever holds it (one task, shared).
    pub person: Option<StaffId>,
    /// Local date and time in the company's zone.
    pub due: NaiveDateTime,
    pub completion: CompletionMode,
    /// What a `figures` completion asks for (at most 20).
    pub figures: Vec<FigureSpec>,
}

fn checked(o: &OneOff) -> AppResult<(String, String)> {
    let title = o.title.trim().to_string();
    if title.is_empty() {
        return Err(AppError::invalid("title", ErrorCode::Required));
    }
    if title.chars().count() > 200 {
        return Err(AppError::invalid("title", ErrorCode::TooLong).arg("max", 200));
    }
    let description = o.description.trim().to_string();
    if description.chars().count() > 2000 {
        return Err(AppError::invalid("description", ErrorCode::TooLong).arg("max", 2000));
    }
    for (field, text) in [("title", &title), ("description", &description)] {
        if crate::domain::text::has_control(text) {
            return Err(AppError::invalid(field, ErrorCode::ControlCharacter));
        }
    }
    if o.figures.len() > 20 {
        return Err(AppError::invalid("figures", ErrorCode::TooLong).arg("max", 20));
    }
    Ok((title, description))
}

/// The duty a position's one-offs count under: the one marked `assigned`, else a
/// catch-all duty of the position made on first use.
fn duty_for(conn: &mut AnyConn, position: &str) -> AppResult<String> {
    let org = db::org::load(conn)?;
    if let Some(d) = org.duties.iter().find(|d| d.position_id == position && d.assigned) {
        return Ok(d.id.clone());
    }
    let id = format!("{position}.assigned");
    let row = DutyRow {
        id: id.clone(),
        position_id: position.to_string(),
        kind: "standing".into(),
        zh: "完成上级交办的临时任务".into(),
        en: "One-off work assigned by superiors".into(),
        source: String::new(),
        sort_order: i32::MAX,
        assigned: true,
        retired_on: None,
    };
    db::org::insert_duty(conn, &row)?;
    Ok(id)
}

/// Hands out a one-off task; returns the task's id.
#[tracing::instrument(level = "debug", skip(pool, o), fields(by = viewer.id.0))]
pub fn assign(pool: &DbPool, viewer: &Viewer, o: &OneOff, now: DateTime<Utc>) -> AppResult<TaskId> {
    let (title, description) = checked(o)?;
    let mut conn = pool.get()?;
    conn.transaction(|conn| {
        db::serialize_writers(conn)?;
        let (tz, today) = super::context::company_today(conn, now)?;
        let ctx = Context::load(conn, today)?;
        let position = ctx
            .staffing
            .position(o.position.as_str())
            .ok_or_else(|| AppError::invalid("position", ErrorCode::UnknownPosition).arg("position", &o.position))?;
        if !viewer.admin && !viewer.leads.contains(&position.department) {
            return Err(AppError::new(ErrorCode::OneOffForbidden));
        }
        let due_at = local_to_utc(tz, o.due);
        if due_at <= now {
            return Err(AppError::invalid("due", ErrorCode::DueInPast));
        }
        let date = o.due.date();
        let assignments = match o.person {
            Some(p) if ctx.staffing.holders(o.position.as_str(), date).contains(&p) => {
                vec![Assignment { slot: "person".into(), assignee: Some(p), cover: Cover::None, covered: None }]
            }
            Some(p) => {
                return Err(AppError::invalid("person", ErrorCode::NotHolder)
                    .arg("staff", p)
                    .arg("position", &o.position)
                    .arg("date", date))
            }
            None => ctx.staffing.assign(o.position.as_str(), AssignMode::Shared, date),
        };
        let id = format!("one-off-{}-{:08x}", now.timestamp(), rand::random::<u32>());
        let spec = TemplateSpec {
            id: id.clone(),
            duty: duty_for(conn, o.position.as_str())?,
            zh: title.clone(),
            en: title.clone(),
            position: Some(o.position.to_string()),
            schedule: None,
            trigger: Some(TriggerSpec { event: ORIGIN.into(), offset_working_days: 0 }),
            shift: Default::default(),
            due: DueSpec { time: o.due.format("%H:%M").to_string(), working_days: 0, days: None, hours: None },
            assign: AssignMode::Shared,
            assign_to: Default::default(),
            catch_up: Default::default(),
            completion: o.completion,
            figures: o.figures.clone(),
            reminders: None,
            description: (!description.is_empty()).then_some(description),
        };
        // The figures asked for are checked as a template's are, with the same words.
        let template = spec.parse(o.position.as_str(), &[]).map_err(|e| {
            let field = e.key.split(['[', '.']).next().unwrap_or("figures").to_string();
            AppError::invalid(field, ErrorCode::Catalog).arg("problem", format!("{}: {}", e.key, e.message))
        })?;
        db::org::insert_template(
            conn,
            &TemplateRow {
                id: id.clone(),
                duty_id: spec.duty.clone(),
                position_id: o.position.to_string(),
                zh: title.clone(),
                en: title.clone(),
                spec: serde_json::to_string(&spec).map_err(|e| AppError::corrupt(e.to_string()))?,
                active: false,
                origin: ORIGIN.into(),
                paused_at: None,
                sort_order: i32::MAX,
                version: 1,
                retired_on: None,
                retire_reason: String::new(),
            },
        )?;
        let rows = super::generate::task_rows(
            &ctx,
            &template,
            "o",
            date,
            &template.due,
            &assignments,
            crate::domain::task::TaskStatus::Open,
            None,
            now,
        )?;
        db::tasks::insert_missing(conn, &rows)?;
        db::tasks::set_assigned_by(conn, &id, viewer.id)?;
        let after = json!({"title": title, "position": o.position, "person": o.person, "due": o.due});
        audit::record(conn, Actor::from(viewer), "task.assign", &format!("template:{id}"), None, Some(after), now)?;
        let task = db::tasks::of_template(conn, &id)?.ok_or_else(|| AppError::corrupt("one-off task not stored"))?;
        Ok(task)
    })
}

/// The one-off tasks I assigned, newest due first.
pub fn mine(pool: &DbPool, viewer: &Viewer, now: DateTime<Utc>) -> AppResult<Vec<super::tasks::TaskView>> {
    let mut conn = pool.get()?;
    let conn = &mut conn.any();
    let (tz, _) = super::context::company_today(conn, now)?;
    let rows = db::tasks::assigned_by(conn, viewer.id, 200)?;
    super::tasks::views(conn, tz, rows, Some(viewer), now)
}

/// Tells whoever assigned task `id` that `by` completed it, in the caller's transaction.
pub(crate) fn tell_assigner(
    conn: &mut AnyConn,
    id: TaskId,
    title: (&str, &str),
    by: &Viewer,
    base_url: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let Some(assigner) = db::tasks::assigner(conn, id)? else { return Ok(()) };
    if assigner == by.id.0 {
        return Ok(());
    }
    let Some(person) = db::staff::by_id(conn, StaffId(assigner))? else { return Ok(()) };
    let lang = Lang::from_locale(&person.locale);
    let tr = Tr(lang);
    let title = if lang == Lang::En { title.1 } else { title.0 };
    let url = format!("{}/tasks/{id}", base_url.trim_end_matches('/'));
    let m = messages::notice(
        lang,
        Notice {
            subject: tr.args("mail_one_off_done_subject", &[("title", title), ("name", &by.name)]),
            recipient: person.name.clone(),
            lead: tr.args("mail_one_off_done_lead", &[("title", title), ("name", &by.name)]),
            facts: vec![],
            items: vec![],
            link: Some((tr.t("mail_open_task"), url)),
        },
    );
    super::notices::queue(conn, &person, "one_off_done", format!("o:{id}:done:{}", now.timestamp()), m, now)
}
