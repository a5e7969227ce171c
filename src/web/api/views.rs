//! What the JSON API answers, and its OpenAPI schemas: the web's own types, made from
//! the services' views, so that the services know nothing of HTTP or OpenAPI.

use crate::domain::template::{CompletionMode, FigureSpec, TemplateSpec};
use crate::services::catalog_view::{PersonRef, PositionView, TemplateView};
use crate::services::dashboard::{Dashboard, Row};
use crate::services::remind::admin::{Outbox, OutboxView};
use crate::services::tasks::{LogView, TaskView};
use chrono::NaiveDate;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// A task as people see it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = TaskView)]
pub struct TaskJson {
    pub id: i64,
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
    #[schema(example = "open")]
    pub status: String,
    /// Open and past its due time.
    pub overdue: bool,
    pub assignee_id: Option<i64>,
    pub assignee_name: Option<String>,
    /// `none`, `vacancy` or `leave`.
    pub cover: String,
    pub covered_name: Option<String>,
    /// `tick`, `note`, `signoff` or `figures`.
    #[schema(value_type = String)]
    pub completion: CompletionMode,
    /// The figures completion asks for: `{key, type, zh, en, required}`.
    #[schema(value_type = Vec<Object>)]
    pub figures_asked: Vec<FigureSpec>,
    /// What to do, for a one-off task.
    pub description: Option<String>,
    pub note: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub figures: Option<Value>,
    pub done_at: Option<String>,
    pub done_by_name: Option<String>,
    /// Whether the person asking may reopen it now (within 10 minutes, or as lead/admin).
    pub can_reopen: bool,
}

impl From<TaskView> for TaskJson {
    fn from(t: TaskView) -> Self {
        TaskJson {
            id: t.id.0,
            template_id: t.template_id,
            title_zh: t.title_zh,
            title_en: t.title_en,
            duty_id: t.duty_id,
            duty_zh: t.duty_zh,
            duty_en: t.duty_en,
            position_id: t.position_id,
            position_zh: t.position_zh,
            position_en: t.position_en,
            department_id: t.department_id,
            occurs_on: t.occurs_on,
            due_at: t.due_at,
            status: t.status.as_str().to_string(),
            overdue: t.overdue,
            assignee_id: t.assignee_id.map(|s| s.0),
            assignee_name: t.assignee_name,
            cover: t.cover,
            covered_name: t.covered_name,
            completion: t.completion,
            figures_asked: t.figures_asked,
            description: t.description,
            note: t.note,
            figures: t.figures,
            done_at: t.done_at,
            done_by_name: t.done_by_name,
            can_reopen: t.can_reopen,
        }
    }
}

/// A person's list for a day: overdue work first, then the day, then the week after.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = DayList)]
pub struct DayListJson {
    pub date: NaiveDate,
    /// Open tasks of earlier days whose due time has passed.
    pub overdue: Vec<TaskJson>,
    /// The day's open tasks.
    pub today: Vec<TaskJson>,
    /// The day's tasks already done or skipped (undo is offered for 10 minutes).
    pub finished: Vec<TaskJson>,
    pub upcoming: Vec<TaskJson>,
}

/// One line of a task's history as shown.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = LogView)]
pub struct LogJson {
    pub at: String,
    pub actor_name: Option<String>,
    pub action: String,
    pub detail: Option<String>,
}

impl From<LogView> for LogJson {
    fn from(l: LogView) -> Self {
        LogJson { at: l.at, actor_name: l.actor_name, action: l.action, detail: l.detail }
    }
}

/// A task with its history.
#[derive(Debug, Serialize, ToSchema)]
pub struct TaskWithHistory {
    pub task: TaskJson,
    pub history: Vec<LogJson>,
}

/// A task after a change.
#[derive(Debug, Serialize, ToSchema)]
pub struct TaskChanged {
    pub task: TaskJson,
}

/// A person in a position.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = PersonRef)]
pub struct PersonJson {
    pub id: i64,
    pub name: String,
}

impl From<PersonRef> for PersonJson {
    fn from(p: PersonRef) -> Self {
        PersonJson { id: p.id.0, name: p.name }
    }
}

/// A position with its department, headcount and who holds it today.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = PositionView)]
pub struct PositionJson {
    pub id: String,
    pub zh: String,
    pub en: String,
    pub department_id: String,
    pub department_zh: String,
    pub department_en: String,
    pub headcount: i32,
    pub holders: Vec<PersonJson>,
    pub deputies: Vec<PersonJson>,
    /// Whether a seat of the headcount is empty.
    pub vacant: bool,
    /// How many seats of the headcount nobody holds today.
    pub vacant_seats: usize,
    pub duties: usize,
    pub templates: usize,
}

impl From<PositionView> for PositionJson {
    fn from(p: PositionView) -> Self {
        PositionJson {
            id: p.id,
            zh: p.zh,
            en: p.en,
            department_id: p.department_id,
            department_zh: p.department_zh,
            department_en: p.department_en,
            headcount: p.headcount,
            holders: p.holders.into_iter().map(PersonJson::from).collect(),
            deputies: p.deputies.into_iter().map(PersonJson::from).collect(),
            vacant: p.vacant,
            vacant_seats: p.vacant_seats,
            duties: p.duties,
            templates: p.templates,
        }
    }
}

/// A template as the API shows it: its written form plus where it sits.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = TemplateView)]
pub struct TemplateJson {
    pub position: String,
    pub active: bool,
    /// The template as written in `templates.toml` (id, duty, zh, en, schedule or
    /// trigger, shift, due, assign, assign_to, catch_up, completion, figures).
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub spec: TemplateSpec,
}

impl From<TemplateView> for TemplateJson {
    fn from(t: TemplateView) -> Self {
        TemplateJson { position: t.position, active: t.active, spec: t.spec }
    }
}

/// One dashboard row: what it is and its counts.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Row)]
pub struct RowJson {
    pub key: String,
    pub name: String,
    pub due: u64,
    pub done: u64,
    pub on_time: u64,
    pub overdue: u64,
    pub skipped: u64,
    pub missed: u64,
}

impl From<Row> for RowJson {
    fn from(r: Row) -> Self {
        RowJson {
            key: r.key,
            name: r.name,
            due: r.due,
            done: r.done,
            on_time: r.on_time,
            overdue: r.overdue,
            skipped: r.skipped,
            missed: r.missed,
        }
    }
}

/// A dashboard: rows in catalogue (or name) order, and the period's totals.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Dashboard)]
pub struct DashboardJson {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// `department`, `position`, `person` or `template`.
    pub by: String,
    /// The departments counted.
    pub departments: Vec<String>,
    pub rows: Vec<RowJson>,
    pub total: RowJson,
}

impl From<Dashboard> for DashboardJson {
    fn from(d: Dashboard) -> Self {
        DashboardJson {
            from: d.from,
            to: d.to,
            by: d.by.as_str().to_string(),
            departments: d.departments,
            rows: d.rows.into_iter().map(RowJson::from).collect(),
            total: d.total.into(),
        }
    }
}

/// A message in the outbox, as admins see it (webhook URLs never appear).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = OutboxView)]
pub struct OutboxMessageJson {
    pub id: i64,
    /// `due_soon`, `overdue`, `repeat`, `escalation`, `digest` or `lead_digest`.
    pub kind: String,
    pub level: i32,
    /// `email` or `webhook`.
    pub channel: String,
    /// The email address, or the webhook's id.
    pub to: String,
    /// A task reminder's is empty until it is sent: they are worded when they go.
    pub subject: String,
    /// The task, when it is about one.
    pub task_id: Option<i64>,
    /// Every task whose reminder it carries (a person's reminders and escalations of
    /// one pass travel in one message); empty for digests.
    pub tasks: Vec<i64>,
    /// `queued`, `sending`, `sent`, `failed` or `cancelled`.
    pub status: String,
    pub attempts: i32,
    /// The server's answer to the last failed attempt, or why it was cancelled.
    pub last_error: Option<String>,
    pub created_at: String,
    pub next_attempt_at: String,
    pub sent_at: Option<String>,
}

impl From<OutboxView> for OutboxMessageJson {
    fn from(m: OutboxView) -> Self {
        OutboxMessageJson {
            id: m.id,
            kind: m.kind,
            level: m.level,
            channel: m.channel,
            to: m.to,
            subject: m.subject,
            task_id: m.task_id,
            tasks: m.tasks,
            status: m.status,
            attempts: m.attempts,
            last_error: m.last_error,
            created_at: m.created_at,
            next_attempt_at: m.next_attempt_at,
            sent_at: m.sent_at,
        }
    }
}

/// The outbox: the newest messages and the count in each status.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Outbox)]
pub struct OutboxJson {
    /// How many messages are in each status.
    pub counts: BTreeMap<String, i64>,
    pub messages: Vec<OutboxMessageJson>,
}

impl From<Outbox> for OutboxJson {
    fn from(o: Outbox) -> Self {
        OutboxJson { counts: o.counts, messages: o.messages.into_iter().map(OutboxMessageJson::from).collect() }
    }
}
