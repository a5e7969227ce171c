//! One-time account links (invitations and password resets): only their hashes.

use super::schema::account_links;
use super::AnyConn;
use crate::domain::task::StaffId;
use crate::with_conn;
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// A stored link.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = account_links)]
pub struct LinkRow {
    pub secret_hash: String,
    pub staff_id: StaffId,
    /// `invite` or `reset`.
    pub purpose: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
}

/// Stores a new link.
pub fn insert(
    conn: &mut AnyConn,
    hash: &str,
    staff: StaffId,
    purpose: &str,
    now: NaiveDateTime,
    expires: NaiveDateTime,
) -> QueryResult<usize> {
    with_conn!(conn, c => diesel::insert_into(account_links::table)
        .values((
            account_links::secret_hash.eq(hash),
            account_links::staff_id.eq(staff.0),
            account_links::purpose.eq(purpose),
            account_links::created_at.eq(now),
            account_links::expires_at.eq(expires),
        ))
        .execute(c))
}

/// The unused, unexpired link with this hash.
pub fn live(conn: &mut AnyConn, hash: &str, now: NaiveDateTime) -> QueryResult<Option<LinkRow>> {
    with_conn!(conn, c => account_links::table
        .filter(account_links::secret_hash.eq(hash))
        .filter(account_links::used_at.is_null())
        .filter(account_links::expires_at.gt(now))
        .select(LinkRow::as_select())
        .first(c)
        .optional())
}

/// Whether `staff` was sent a link for `purpose` after `since`.
pub fn sent_since(conn: &mut AnyConn, staff: StaffId, purpose: &str, since: NaiveDateTime) -> QueryResult<bool> {
    with_conn!(conn, c => diesel::select(diesel::dsl::exists(account_links::table
        .filter(account_links::staff_id.eq(staff.0))
        .filter(account_links::purpose.eq(purpose))
        .filter(account_links::created_at.gt(since))))
        .get_result(c))
}

/// Uses up every open link of a person (the one just used, and any older ones);
/// returns how many were open.
pub fn use_all_of(conn: &mut AnyConn, staff: StaffId, now: NaiveDateTime) -> QueryResult<usize> {
    with_conn!(conn, c => diesel::update(account_links::table
            .filter(account_links::staff_id.eq(staff.0))
            .filter(account_links::used_at.is_null()))
        .set(account_links::used_at.eq(Some(now)))
        .execute(c))
}
