//! Who is asking, in one statement for any number of requests: the owners of bearer
//! tokens or page sessions, the positions they hold on the day, the catalogue's
//! version (which tells a request whether the process's cached directory is still
//! true) and what their lists were last changed under.

use super::schema::{api_tokens, company, position_holders, position_list_stamps, sessions, staff, staff_list_stamps};
use super::AnyConn;
use crate::domain::task::StaffId;
use crate::with_conn;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

/// One row per position the owner holds on the day (a single row with none when
/// they hold none).
#[derive(Debug, Clone, Queryable)]
pub struct AskerRow {
    /// The hash the row was found by (a token's or a session's).
    pub key: String,
    /// The token's id (none for a session).
    pub token_id: Option<i64>,
    pub token_used_at: Option<NaiveDateTime>,
    pub staff_id: StaffId,
    pub name: String,
    pub is_admin: bool,
    pub locale: String,
    pub active: bool,
    pub left_on: Option<NaiveDate>,
    pub position_id: Option<String>,
    /// `company.catalog_version` (none before the first import).
    pub catalog_version: Option<i64>,
    /// What the person's list was last changed under: the company's epoch, their
    /// own count and this position's (see [`super::list_stamps`]).
    pub list_epoch: Option<i64>,
    pub staff_rev: Option<i64>,
    pub position_rev: Option<i64>,
}

impl AskerRow {
    /// Whether the person still works here on `day`.
    pub fn active_on(&self, day: NaiveDate) -> bool {
        self.active && self.left_on.is_none_or(|last| day <= last)
    }
}

macro_rules! holds_on {
    ($day:expr) => {
        position_holders::table.on(position_holders::staff_id
            .eq(staff::id)
            .and(position_holders::deputy.eq(false))
            .and(position_holders::valid_from.le($day))
            .and(position_holders::valid_to.is_null().or(position_holders::valid_to.ge($day))))
    };
}

/// The columns of an [`AskerRow`] after the token's.
macro_rules! asker {
    ($key:expr, $token_id:expr, $used:expr) => {
        (
            $key,
            $token_id,
            $used,
            staff::id,
            staff::name,
            staff::is_admin,
            staff::locale,
            staff::active,
            staff::left_on,
            position_holders::position_id.nullable(),
            company::table.select(company::catalog_version).single_value(),
            company::table.select(company::list_epoch).single_value(),
            staff_list_stamps::rev.nullable(),
            position_list_stamps::rev.nullable(),
        )
    };
}

/// The list counts of the person and of the position held, when there are any.
macro_rules! stamps {
    ($q:expr) => {
        $q.left_join(staff_list_stamps::table.on(staff_list_stamps::staff_id.eq(staff::id))).left_join(
            position_list_stamps::table
                .on(position_list_stamps::position_id.nullable().eq(position_holders::position_id.nullable())),
        )
    };
}

/// The live (unrevoked) tokens with these hashes, their owners and what they hold on
/// `day`; a hash with no such token has no rows.
pub fn by_tokens(conn: &mut AnyConn, hashes: &[String], day: NaiveDate) -> QueryResult<Vec<AskerRow>> {
    with_conn!(conn, c => stamps!(api_tokens::table
        .inner_join(staff::table.on(staff::id.eq(api_tokens::staff_id)))
        .left_join(holds_on!(day)))
        .filter(api_tokens::token_hash.eq_any(hashes))
        .filter(api_tokens::revoked_at.is_null())
        .select(asker!(api_tokens::token_hash, api_tokens::id.nullable(), api_tokens::last_used_at))
        .load(c))
}

/// The sessions with these hashes that have not expired at `now`, their owners and
/// what they hold on `day`.
pub fn by_sessions(
    conn: &mut AnyConn,
    hashes: &[String],
    now: NaiveDateTime,
    day: NaiveDate,
) -> QueryResult<Vec<AskerRow>> {
    with_conn!(conn, c => stamps!(sessions::table
        .inner_join(staff::table.on(staff::id.eq(sessions::staff_id)))
        .left_join(holds_on!(day)))
        .filter(sessions::secret_hash.eq_any(hashes))
        .filter(sessions::expires_at.gt(now))
        .select(asker!(
            sessions::secret_hash,
            None::<i64>.into_sql::<diesel::sql_types::Nullable<diesel::sql_types::BigInt>>(),
            None::<NaiveDateTime>.into_sql::<diesel::sql_types::Nullable<diesel::sql_types::Timestamp>>()
        ))
        .load(c))
}
