//! Named schemas for the answers whose handlers build their JSON in place, so that
//! the API document names every body it returns. schemathesis checks in CI that
//! each answer matches its schema (`.ci/run`), which keeps these true.

#![allow(dead_code)] // Documentation only: never built, only described.

use super::views::{PositionJson, TemplateJson};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use utoipa::ToSchema;

/// How a dashboard groups its rows.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum GroupBy {
    Department,
    Position,
    Person,
    Template,
}

/// Where a message is in the outbox.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum OutboxStatus {
    Queued,
    Sending,
    Sent,
    Failed,
    Cancelled,
}

/// Half of one day of leave.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum HalfDay {
    Am,
    Pm,
}

/// `/healthz`: the process answers.
#[derive(ToSchema)]
pub struct Health {
    /// `ok`.
    status: String,
}

/// `/readyz`.
#[derive(ToSchema)]
pub struct Readiness {
    /// `ready`, or why not: `no catalogue imported`, `database unavailable or not
    /// writable`, `shutting down`.
    status: String,
    /// `sqlite` or `postgres`, when ready.
    database: Option<String>,
}

/// A new bearer token: the secret is shown only here.
#[derive(ToSchema)]
pub struct IssuedToken {
    token: String,
    id: i64,
    name: String,
    created_at: DateTime<Utc>,
}

/// One of my tokens, without its secret.
#[derive(ToSchema)]
pub struct TokenJson {
    id: i64,
    name: String,
    created_at: DateTime<Utc>,
    last_used_at: Option<DateTime<Utc>>,
}

/// My live tokens.
#[derive(ToSchema)]
pub struct Tokens {
    tokens: Vec<TokenJson>,
}

/// What firing an event did.
#[derive(ToSchema)]
pub struct Fired {
    event_id: i64,
    /// False when the same event (name, subject, date) had been fired before.
    new_event: bool,
    /// Tasks made now.
    created: i64,
    /// Tasks that already existed.
    existing: i64,
    /// Set when the subject names nobody on the staff.
    warning: Option<String>,
}

/// The signed-in person.
#[derive(ToSchema)]
pub struct Me {
    id: i64,
    name: String,
    admin: bool,
    /// `zh-CN` or `en`.
    locale: String,
    /// Position ids held today.
    positions: Vec<String>,
    /// Department ids led today.
    leads: Vec<String>,
}

/// Whether morning digests are sent to me.
#[derive(ToSchema)]
pub struct DigestSetting {
    enabled: bool,
}

/// My calendar feed's new address (the old one stops working).
#[derive(ToSchema)]
pub struct FeedUrl {
    url: String,
}

/// The positions.
#[derive(ToSchema)]
pub struct Positions {
    positions: Vec<PositionJson>,
}

/// The active templates.
#[derive(ToSchema)]
pub struct Templates {
    templates: Vec<TemplateJson>,
}

/// One version of a template.
#[derive(ToSchema)]
pub struct VersionJson {
    version: i32,
    effective_from: NaiveDate,
    /// UTC, without an offset.
    #[schema(value_type = String)]
    created_at: NaiveDateTime,
    /// Who made it (none: the catalogue files, from the command line).
    created_by: Option<String>,
    reason: String,
}

/// One template as an admin sees it.
#[derive(ToSchema)]
pub struct TemplateDetail {
    id: String,
    zh: String,
    en: String,
    position: String,
    duty_zh: String,
    duty_en: String,
    /// When it was paused.
    paused_at: Option<DateTime<Utc>>,
    retired_on: Option<NaiveDate>,
    /// Empty unless retired.
    retire_reason: String,
    version: i32,
    versions: Vec<VersionJson>,
    /// The next due times, in the company's zone (RFC 3339).
    next: Vec<String>,
    /// As written in `templates.toml`.
    spec: crate::domain::template::TemplateSpec,
}

/// What a row of a people import does.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum RowAction {
    Add,
    Update,
    Unchanged,
}

/// One row of a people import's plan.
#[derive(ToSchema)]
pub struct PlannedRow {
    /// The line in the file (the header is line 1).
    row: i64,
    email: String,
    name: String,
    action: RowAction,
    /// What changes, in the reader's language.
    changes: Vec<String>,
}

/// A people import's plan, and whether it was applied.
#[derive(ToSchema)]
pub struct ImportPlan {
    applied: bool,
    rows: Vec<PlannedRow>,
}
