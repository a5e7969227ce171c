//! The audit log: who changed what, when, and the values before and after.
//!
//! Every change to people's accounts and staffing writes an entry in the same
//! transaction as the change, through [`record`]; entries are never changed or
//! deleted. Admins read them at `/admin/audit` and `GET /api/v1/audit`, filtered by
//! period, action and person, and as CSV.

use super::{AppError, AppResult};
use crate::db::{self, AnyConn, DbPool};
use crate::domain::access::Viewer;
use crate::domain::task::StaffId;
use crate::error::ErrorCode;
use crate::i18n::Tr;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;

/// Who made a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// A signed-in person (page or API).
    Staff(StaffId),
    /// The operator at the command line, or the system acting on its own.
    Operator,
}

impl Actor {
    /// The person behind it, if any.
    pub fn staff(self) -> Option<StaffId> {
        match self {
            Actor::Staff(s) => Some(s),
            Actor::Operator => None,
        }
    }
}

impl From<&Viewer> for Actor {
    fn from(v: &Viewer) -> Self {
        Actor::Staff(v.id)
    }
}

/// Writes an entry in the caller's transaction: `action` such as `holding.add`, the
/// `subject` it concerns (`staff:7`, `position:logistics.warehouse-keeper`), and
/// what was there before and after.
pub fn record(
    conn: &mut AnyConn,
    actor: Actor,
    action: &str,
    subject: &str,
    before: Option<Value>,
    after: Option<Value>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let (before, after) = (before.map(|v| v.to_string()), after.map(|v| v.to_string()));
    db::audit::insert(
        conn,
        now.naive_utc(),
        actor.staff().map(|s| s.0),
        action,
        subject,
        before.as_deref(),
        after.as_deref(),
    )?;
    Ok(())
}

/// What to list.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// First day (UTC), default 30 days before `until`.
    pub from: Option<NaiveDate>,
    /// Last day (UTC, inclusive), default today.
    pub until: Option<NaiveDate>,
    /// Actions starting with this (`holding` gives `holding.add`, `holding.end`…).
    pub action: Option<String>,
    /// Only changes by this person.
    pub actor: Option<StaffId>,
    /// At most this many (1–1000, default 200).
    pub limit: Option<i64>,
}

/// An entry as admins read it.
#[derive(Debug, Clone, Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    /// The person's name, or empty for the operator.
    pub actor: String,
    pub action: String,
    pub subject: String,
    /// The subject as a person reads it: a staff member's name, else the subject.
    pub subject_name: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// The entries `filter` asks for, newest first; admins only.
pub fn list(pool: &DbPool, viewer: &Viewer, filter: &AuditFilter, now: DateTime<Utc>) -> AppResult<Vec<AuditEntry>> {
    if !viewer.admin {
        return Err(AppError::new(ErrorCode::AuditForbidden));
    }
    let limit = filter.limit.unwrap_or(200);
    if !(1..=1000).contains(&limit) {
        return Err(AppError::invalid("limit", ErrorCode::OutOfRange).arg("min", 1).arg("max", 1000));
    }
    let until = filter.until.unwrap_or(now.date_naive());
    let from = filter.from.unwrap_or(until - Duration::days(30));
    if from > until {
        return Err(AppError::invalid("until", ErrorCode::PeriodReversed));
    }
    let (start, end) =
        (from.and_time(chrono::NaiveTime::MIN), (until + Duration::days(1)).and_time(chrono::NaiveTime::MIN));
    let mut conn = pool.get()?;
    let conn = &mut conn.any();
    let rows = db::audit::list(conn, start, end, filter.action.as_deref(), filter.actor.map(|a| a.0), limit)?;
    let staff_subject = |s: &str| s.strip_prefix("staff:").and_then(|n| n.parse().ok()).map(StaffId);
    let people: Vec<StaffId> = rows
        .iter()
        .filter_map(|r| r.actor_id.map(StaffId))
        .chain(rows.iter().filter_map(|r| staff_subject(&r.subject)))
        .collect();
    let names: HashMap<StaffId, String> = db::staff::names(conn, &people)?.into_iter().collect();
    let json = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok());
    Ok(rows
        .into_iter()
        .map(|r| AuditEntry {
            id: r.id,
            at: r.at.and_utc(),
            actor_id: r.actor_id,
            actor: r.actor_id.and_then(|a| names.get(&StaffId(a)).cloned()).unwrap_or_default(),
            action: r.action,
            subject_name: staff_subject(&r.subject)
                .and_then(|s| names.get(&s).cloned())
                .unwrap_or_else(|| r.subject.clone()),
            subject: r.subject,
            before: json(r.before),
            after: json(r.after),
        })
        .collect())
}

/// A change's values as a person reads them: `名称：值` pairs in the reader's language.
pub fn describe(values: &Option<Value>, tr: Tr) -> String {
    let Some(Value::Object(map)) = values else { return String::new() };
    let sep = if tr.is_zh() { "：" } else { ": " };
    map.iter()
        .map(|(k, v)| {
            let v = match v {
                Value::String(s) => s.clone(),
                Value::Array(a) => a
                    .iter()
                    .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_string))
                    .collect::<Vec<_>>()
                    .join(", "),
                Value::Null => "-".into(),
                other => other.to_string(),
            };
            format!("{}{sep}{v}", tr.t(format!("audit_key_{k}")))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The entries as CSV, with headers in the reader's language.
pub fn to_csv(entries: &[AuditEntry], tr: Tr) -> String {
    let header =
        ["audit_at", "audit_actor", "audit_action", "audit_subject", "audit_before", "audit_after"].map(|k| tr.t(k));
    let text = |v: &Option<Value>| v.as_ref().map(Value::to_string).unwrap_or_default();
    let rows = entries.iter().map(|e| {
        let who = if e.actor.is_empty() { tr.t("audit_operator") } else { e.actor.clone() };
        vec![e.at.to_rfc3339(), who, e.action.clone(), e.subject.clone(), text(&e.before), text(&e.after)]
    });
    super::csv::table(&header, rows)
}
