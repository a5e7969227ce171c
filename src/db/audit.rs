//! The audit log: appended to, never changed.

use super::schema::audit_log;
use super::AnyConn;
use crate::with_conn;
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// An entry as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_log)]
pub struct AuditRow {
    pub id: i64,
    pub at: NaiveDateTime,
    pub actor_id: Option<i64>,
    pub action: String,
    pub subject: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// Appends an entry.
pub fn insert(
    conn: &mut AnyConn,
    at: NaiveDateTime,
    actor: Option<i64>,
    action: &str,
    subject: &str,
    before: Option<&str>,
    after: Option<&str>,
) -> QueryResult<usize> {
    with_conn!(conn, c => diesel::insert_into(audit_log::table)
        .values((
            audit_log::at.eq(at),
            audit_log::actor_id.eq(actor),
            audit_log::action.eq(action),
            audit_log::subject.eq(subject),
            audit_log::before.eq(before),
            audit_log::after.eq(after),
        ))
        .execute(c))
}

/// Entries from `from` up to (not including) `until`, newest first, optionally of
/// actions starting with `action` and by `actor`.
pub fn list(
    conn: &mut AnyConn,
    from: NaiveDateTime,
    until: NaiveDateTime,
    action: Option<&str>,
    actor: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<AuditRow>> {
    with_conn!(conn, c => {
        let mut q = audit_log::table
            .filter(audit_log::at.ge(from))
            .filter(audit_log::at.lt(until))
            .order((audit_log::at.desc(), audit_log::id.desc()))
            .limit(limit)
            .select(AuditRow::as_select())
            .into_boxed();
        if let Some(a) = action {
            q = q.filter(audit_log::action.like(format!("{}%", a.replace('%', "").replace('_', "\\_"))).escape('\\'));
        }
        if let Some(who) = actor {
            q = q.filter(audit_log::actor_id.eq(who));
        }
        q.load(c)
    })
}
