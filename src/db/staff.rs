//! Staff, who holds which position when, and leave.

use super::schema::{leaves, position_holders, staff};
use super::AnyConn;
use crate::domain::leave::{HalfDay, LeaveStatus};
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
    /// The reason given.
    pub note: String,
    pub status: LeaveStatus,
    pub half_day: Option<HalfDay>,
    pub requested_at: Option<NaiveDateTime>,
    pub decided_by: Option<i64>,
    pub decided_at: Option<NaiveDateTime>,
    pub answer: String,
}

/// A leave to record.
#[derive(Debug, Clone)]
pub struct NewLeave<'a> {
    pub staff: StaffId,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub half_day: Option<HalfDay>,
    pub note: &'a str,
    pub status: LeaveStatus,
    /// When it was asked for (none when recorded directly).
    pub requested_at: Option<NaiveDateTime>,
    /// Who approved it when recorded directly.
    pub decided_by: Option<StaffId>,
    pub decided_at: Option<NaiveDateTime>,
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
    end_tenure(conn, staff, position, false, last_day)
}

/// Ends `staff`'s holding (or, with `deputy`, deputyship) of `position` on `last_day`.
pub fn end_tenure(
    conn: &mut AnyConn,
    staff: StaffId,
    position: &PositionId,
    deputy: bool,
    last_day: NaiveDate,
) -> QueryResult<usize> {
    with_conn!(conn, c => diesel::update(position_holders::table
            .filter(position_holders::staff_id.eq(staff.0))
            .filter(position_holders::position_id.eq(position.as_str()))
            .filter(position_holders::deputy.eq(deputy))
            .filter(position_holders::valid_to.is_null().or(position_holders::valid_to.gt(last_day))))
        .set(position_holders::valid_to.eq(Some(last_day)))
        .execute(c))
}

/// Records leave; returns its id.
pub fn insert_leave(conn: &mut AnyConn, l: &NewLeave<'_>) -> QueryResult<i64> {
    let row = (
        leaves::staff_id.eq(l.staff.0),
        leaves::starts_on.eq(l.from),
        leaves::ends_on.eq(l.to),
        leaves::note.eq(l.note),
        leaves::status.eq(l.status.as_str()),
        leaves::half_day.eq(l.half_day.map(HalfDay::as_str)),
        leaves::requested_at.eq(l.requested_at),
        leaves::decided_by.eq(l.decided_by.map(|s| s.0)),
        leaves::decided_at.eq(l.decided_at),
    );
    with_conn!(conn, c => diesel::insert_into(leaves::table).values(row).returning(leaves::id).get_result(c))
}

/// Approved whole-day leave that has not ended before `since`: the leave that hands
/// tasks to a cover.
pub fn leaves_since(conn: &mut AnyConn, since: NaiveDate) -> QueryResult<Vec<LeaveRow>> {
    with_conn!(conn, c => leaves::table
        .filter(leaves::ends_on.ge(since))
        .filter(leaves::status.eq(LeaveStatus::Approved.as_str()))
        .filter(leaves::half_day.is_null())
        .select(LeaveRow::as_select())
        .load(c))
}

/// A leave by id.
pub fn leave(conn: &mut AnyConn, id: i64) -> QueryResult<Option<LeaveRow>> {
    with_conn!(conn, c => leaves::table.find(id).select(LeaveRow::as_select()).first(c).optional())
}

/// Every leave of these people (all of them when `None`) that ends on or after `since`,
/// newest first.
pub fn leaves_of(conn: &mut AnyConn, people: Option<&[StaffId]>, since: NaiveDate) -> QueryResult<Vec<LeaveRow>> {
    let ids: Option<Vec<i64>> = people.map(|p| p.iter().map(|s| s.0).collect());
    with_conn!(conn, c => {
        let mut q = leaves::table.filter(leaves::ends_on.ge(since)).into_boxed();
        if let Some(ids) = &ids {
            q = q.filter(leaves::staff_id.eq_any(ids));
        }
        q.order((leaves::starts_on.desc(), leaves::id.desc())).select(LeaveRow::as_select()).load(c)
    })
}

/// Moves a leave from `from` to `to` with who decided and what they said; 0 when it
/// was no longer `from` (someone else answered first).
pub fn set_leave_status(
    conn: &mut AnyConn,
    id: i64,
    from: LeaveStatus,
    to: LeaveStatus,
    by: Option<StaffId>,
    answer: &str,
    at: NaiveDateTime,
) -> QueryResult<usize> {
    with_conn!(conn, c => diesel::update(leaves::table.find(id).filter(leaves::status.eq(from.as_str())))
        .set((
            leaves::status.eq(to.as_str()),
            leaves::decided_by.eq(by.map(|s| s.0)),
            leaves::decided_at.eq(Some(at)),
            leaves::answer.eq(answer),
        ))
        .execute(c))
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

/// The positions one person holds (not deputises) on `day`, each with whether it
/// manages people (HR).
pub fn positions_held_hr(conn: &mut AnyConn, staff: StaffId, day: NaiveDate) -> QueryResult<Vec<(String, bool)>> {
    use super::schema::positions;
    with_conn!(conn, c => position_holders::table
        .inner_join(positions::table)
        .filter(position_holders::staff_id.eq(staff.0))
        .filter(position_holders::deputy.eq(false))
        .filter(position_holders::valid_from.le(day))
        .filter(position_holders::valid_to.is_null().or(position_holders::valid_to.ge(day)))
        .select((position_holders::position_id, positions::manages_people))
        .load(c))
}

/// Turns a person's morning digests off or on.
pub fn set_digest_opt_out(conn: &mut AnyConn, id: StaffId, out: bool) -> QueryResult<usize> {
    with_conn!(conn, c => diesel::update(staff::table.find(id.0)).set(staff::digest_opt_out.eq(out)).execute(c))
}

/// The standing leave (asked for or approved) of `staff` that overlaps `from..=to`.
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
        .filter(leaves::status.eq_any([LeaveStatus::Requested.as_str(), LeaveStatus::Approved.as_str()]))
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
/// Lists name people, so every list kept is read again.
pub fn update_person(conn: &mut AnyConn, staff: StaffId, name: &str, email: &str, locale: &str) -> QueryResult<usize> {
    super::list_stamps::many_changed(conn)?;
    with_conn!(conn, c => diesel::update(staff::table.find(staff.0))
        .set((staff::name.eq(name), staff::email.eq(email), staff::locale.eq(locale)))
        .execute(c))
}

/// The first day of `staff`'s open tenure of `position` (as deputy or not), if any.
pub fn open_tenure_from(
    conn: &mut AnyConn,
    staff: StaffId,
    position: &PositionId,
    deputy: bool,
    after: NaiveDate,
) -> QueryResult<Option<NaiveDate>> {
    with_conn!(conn, c => position_holders::table
        .filter(position_holders::staff_id.eq(staff.0))
        .filter(position_holders::position_id.eq(position.as_str()))
        .filter(position_holders::deputy.eq(deputy))
        .filter(position_holders::valid_to.is_null().or(position_holders::valid_to.gt(after)))
        .select(position_holders::valid_from)
        .order(position_holders::valid_from.desc())
        .first(c)
        .optional())
}

/// Every tenure of `staff`, past ones too, newest first.
pub fn tenures_of(conn: &mut AnyConn, staff: StaffId) -> QueryResult<Vec<HolderRow>> {
    with_conn!(conn, c => position_holders::table
        .filter(position_holders::staff_id.eq(staff.0))
        .order((position_holders::valid_from.desc(), position_holders::id.desc()))
        .select(HolderRow::as_select())
        .load(c))
}
