//! Staff, who holds which position when, and leave.

use super::schema::{leaves, position_holders, staff};
use super::AnyConn;
use crate::domain::task::{PositionId, StaffId};
use crate::with_conn;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = staff)]
pub struct StaffRow {
    pub id: StaffId,
    pub email: String,
    pub name: String,
    pub password_hash: Option<String>,
    pub is_admin: bool,
    pub locale: String,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub digest_opt_out: bool,
    /// Their last day, once they leave.
    pub left_on: Option<NaiveDate>,
}

impl StaffRow {
    /// Whether they may sign in and work on `day`.
    pub fn active_on(&self, day: NaiveDate) -> bool {
        self.active && self.left_on.is_none_or(|last| day <= last)
    }
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = staff)]
pub struct NewStaff {
    pub email: String,
    pub name: String,
    pub password_hash: Option<String>,
    pub is_admin: bool,
    pub locale: String,
    pub active: bool,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = position_holders)]
pub struct HolderRow {
    pub id: i64,
    pub staff_id: StaffId,
    pub position_id: String,
    pub deputy: bool,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = position_holders)]
pub struct NewHolder {
    pub staff_id: i64,
    pub position_id: String,
    pub deputy: bool,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = leaves)]
pub struct LeaveRow {
    pub id: i64,
    pub staff_id: StaffId,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub note: String,
}

/// Inserts a person and returns their id.
pub fn insert(conn: &mut AnyConn, person: &NewStaff) -> QueryResult<i64> {
    with_conn!(conn, c => diesel::insert_into(staff::table).values(person).returning(staff::id).get_result(c))
}

/// A person by email.
pub fn by_email(conn: &mut AnyConn, email: &str) -> QueryResult<Option<StaffRow>> {
    with_conn!(conn, c => staff::table.filter(staff::email.eq(email)).select(StaffRow::as_select()).first(c).optional())
}

/// A person by name (the first, if two share it).
pub fn by_name(conn: &mut AnyConn, name: &str) -> QueryResult<Option<StaffRow>> {
    with_conn!(conn, c => staff::table.filter(staff::name.eq(name)).order(staff::id).select(StaffRow::as_select()).first(c).optional())
}

/// How many people there are.
pub fn count(conn: &mut AnyConn) -> QueryResult<i64> {
    with_conn!(conn, c => staff::table.count().get_result(c))
}

/// Records a tenure (holder or deputy).
pub fn insert_holder(conn: &mut AnyConn, h: &NewHolder) -> QueryResult<i64> {
    with_conn!(conn, c => diesel::insert_into(position_holders::table).values(h).returning(position_holders::id).get_result(c))
}

/// Every tenure that has not ended before `since`.
pub fn holders_since(conn: &mut AnyConn, since: NaiveDate) -> QueryResult<Vec<HolderRow>> {
    with_conn!(conn, c => position_holders::table
        .filter(position_holders::valid_to.is_null().or(position_holders::valid_to.ge(since)))
        .select(HolderRow::as_select())
        .load(c))
}

/// Ends `staff`'s holding of `position` on `last_day` (inclusive).
pub fn end_holding(
    conn: &mut AnyConn,
    staff: StaffId,
    position: &PositionId,
    last_day: NaiveDate,
) -> QueryResult<usize> {
    with_conn!(conn, c => diesel::update(position_holders::table
            .filter(position_holders::staff_id.eq(staff.0))
            .filter(position_holders::position_id.eq(position.as_str()))
            .filter(position_holders::deputy.eq(false))
            .filter(position_holders::valid_to.is_null().or(position_holders::valid_to.gt(last_day))))
        .set(position_holders::valid_to.eq(Some(last_day)))
        .execute(c))
}

/// Records leave.
pub fn insert_leave(
    conn: &mut AnyConn,
    staff: StaffId,
    from: NaiveDate,
    to: NaiveDate,
    note: &str,
) -> QueryResult<i64> {
    with_conn!(conn, c => diesel::insert_into(leaves::table)
        .values((leaves::staff_id.eq(staff.0), leaves::starts_on.eq(from), leaves::ends_on.eq(to), leaves::note.eq(note)))
        .returning(leaves::id)
        .get_result(c))
}

/// Leave that has not ended before `since`.
pub fn leaves_since(conn: &mut AnyConn, since: NaiveDate) -> QueryResult<Vec<LeaveRow>> {
    with_conn!(conn, c => leaves::table.filter(leaves::ends_on.ge(since)).select(LeaveRow::as_select()).load(c))
}

/// Sets every password hash at once (the demo staff's shared password).
pub fn set_all_password_hashes(conn: &mut AnyConn, hash: &str) -> QueryResult<usize> {
    with_conn!(conn, c => diesel::update(staff::table).set(staff::password_hash.eq(Some(hash))).execute(c))
}

/// Whether a person with this id exists.
pub fn exists(conn: &mut AnyConn, id: StaffId) -> QueryResult<bool> {
    with_conn!(conn, c => diesel::select(diesel::dsl::exists(staff::table.find(id.0))).get_result(c))
}

/// Everyone, by id.
pub fn all(conn: &mut AnyConn) -> QueryResult<Vec<StaffRow>> {
    with_conn!(conn, c => staff::table.order(staff::id).select(StaffRow::as_select()).load(c))
}

/// A person by id.
pub fn by_id(conn: &mut AnyConn, id: StaffId) -> QueryResult<Option<StaffRow>> {
    with_conn!(conn, c => staff::table.find(id.0).select(StaffRow::as_select()).first(c).optional())
}

/// Names of the given people, by id.
pub fn names(conn: &mut AnyConn, ids: &[StaffId]) -> QueryResult<Vec<(StaffId, String)>> {
    let ids: Vec<i64> = ids.iter().map(|i| i.0).collect();
    with_conn!(conn, c => staff::table.filter(staff::id.eq_any(&ids)).select((staff::id, staff::name)).load(c))
}

/// Remembers a person's page language.
pub fn set_locale(conn: &mut AnyConn, id: StaffId, locale: &str) -> QueryResult<usize> {
    with_conn!(conn, c => diesel::update(staff::table.find(id.0)).set(staff::locale.eq(locale)).execute(c))
}

/// The positions one person holds (not deputises) on `day`.
pub fn positions_held(conn: &mut AnyConn, staff: StaffId, day: NaiveDate) -> QueryResult<Vec<String>> {
    with_conn!(conn, c => position_holders::table
        .filter(position_holders::staff_id.eq(staff.0))
        .filter(position_holders::deputy.eq(false))
        .filter(position_holders::valid_from.le(day))
        .filter(position_holders::valid_to.is_null().or(position_holders::valid_to.ge(day)))
        .select(position_holders::position_id)
        .load(c))
}

/// Turns a person's morning digests off or on.
pub fn set_digest_opt_out(conn: &mut AnyConn, id: StaffId, out: bool) -> QueryResult<usize> {
    with_conn!(conn, c => diesel::update(staff::table.find(id.0)).set(staff::digest_opt_out.eq(out)).execute(c))
}

/// The leave of `staff` that overlaps `from..=to`, if any.
pub fn leave_overlapping(
    conn: &mut AnyConn,
    staff: StaffId,
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Option<LeaveRow>> {
    with_conn!(conn, c => leaves::table
        .filter(leaves::staff_id.eq(staff.0))
        .filter(leaves::starts_on.le(to))
        .filter(leaves::ends_on.ge(from))
        .select(LeaveRow::as_select())
        .first(c)
        .optional())
}

/// How many people hold `position` (not as deputies) on some day from `from` on.
pub fn holders_from(conn: &mut AnyConn, position: &PositionId, from: NaiveDate) -> QueryResult<i64> {
    with_conn!(conn, c => position_holders::table
        .filter(position_holders::position_id.eq(position.as_str()))
        .filter(position_holders::deputy.eq(false))
        .filter(position_holders::valid_to.is_null().or(position_holders::valid_to.ge(from)))
        .count()
        .get_result(c))
}

/// Ends every holding and deputyship of `staff` after `last_day`; returns the
/// positions concerned.
pub fn end_all_holdings(conn: &mut AnyConn, staff: StaffId, last_day: NaiveDate) -> QueryResult<Vec<String>> {
    let open = position_holders::staff_id
        .eq(staff.0)
        .and(position_holders::valid_to.is_null().or(position_holders::valid_to.gt(last_day)));
    let positions: Vec<String> = with_conn!(conn, c => position_holders::table
        .filter(open)
        .select(position_holders::position_id)
        .load(c))?;
    with_conn!(conn, c => diesel::update(position_holders::table.filter(open))
        .set(position_holders::valid_to.eq(Some(last_day)))
        .execute(c))?;
    Ok(positions)
}

/// Sets a person's last day.
pub fn set_left_on(conn: &mut AnyConn, staff: StaffId, last_day: NaiveDate) -> QueryResult<usize> {
    with_conn!(conn, c => diesel::update(staff::table.find(staff.0)).set(staff::left_on.eq(Some(last_day))).execute(c))
}

/// Changes a person's name, email and language.
pub fn update_person(conn: &mut AnyConn, staff: StaffId, name: &str, email: &str, locale: &str) -> QueryResult<usize> {
    with_conn!(conn, c => diesel::update(staff::table.find(staff.0))
        .set((staff::name.eq(name), staff::email.eq(email), staff::locale.eq(locale)))
        .execute(c))
}
