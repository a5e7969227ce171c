//! API tokens, login throttling and the calendar feed's secret.

use super::schema::{api_tokens, login_throttle, staff};
use super::AnyConn;
use crate::domain::task::StaffId;
use crate::with_conn;
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// A stored API token (only its hash is kept).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = api_tokens)]
pub struct TokenRow {
    pub id: i64,
    pub staff_id: StaffId,
    pub name: String,
    pub token_hash: String,
    pub created_at: NaiveDateTime,
    pub last_used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}

/// Stores a new token's hash and returns its id.
pub fn insert_token(
    conn: &mut AnyConn,
    staff: StaffId,
    name: &str,
    hash: &str,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    with_conn!(conn, c => diesel::insert_into(api_tokens::table)
        .values((
            api_tokens::staff_id.eq(staff.0),
            api_tokens::name.eq(name),
            api_tokens::token_hash.eq(hash),
            api_tokens::created_at.eq(now),
        ))
        .returning(api_tokens::id)
        .get_result(c))
}

/// The live token with this hash.
pub fn token_by_hash(conn: &mut AnyConn, hash: &str) -> QueryResult<Option<TokenRow>> {
    with_conn!(conn, c => api_tokens::table
        .filter(api_tokens::token_hash.eq(hash))
        .filter(api_tokens::revoked_at.is_null())
        .select(TokenRow::as_select())
        .first(c)
        .optional())
}

/// Notes when these tokens were last used.
pub fn touch_tokens(conn: &mut AnyConn, ids: &[i64], now: NaiveDateTime) -> QueryResult<usize> {
    with_conn!(conn, c => diesel::update(api_tokens::table.filter(api_tokens::id.eq_any(ids)))
        .set(api_tokens::last_used_at.eq(now))
        .execute(c))
}

/// A person's live tokens, newest first.
pub fn tokens_of(conn: &mut AnyConn, staff: StaffId) -> QueryResult<Vec<TokenRow>> {
    with_conn!(conn, c => api_tokens::table
        .filter(api_tokens::staff_id.eq(staff.0))
        .filter(api_tokens::revoked_at.is_null())
        .order(api_tokens::id.desc())
        .select(TokenRow::as_select())
        .load(c))
}

/// Revokes one of a person's tokens; 0 when there is no such live token of theirs.
pub fn revoke_token(conn: &mut AnyConn, staff: StaffId, id: i64, now: NaiveDateTime) -> QueryResult<usize> {
    with_conn!(conn, c => diesel::update(api_tokens::table
            .find(id)
            .filter(api_tokens::staff_id.eq(staff.0))
            .filter(api_tokens::revoked_at.is_null()))
        .set(api_tokens::revoked_at.eq(Some(now)))
        .execute(c))
}

/// A throttle entry: failures since `first_failure_at`, and a lock, if any.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = login_throttle)]
pub struct ThrottleRow {
    pub key: String,
    pub failures: i32,
    pub first_failure_at: NaiveDateTime,
    pub locked_until: Option<NaiveDateTime>,
}

/// The throttle entry for `key` (`pair:…`, `email:…` or `ip:…`).
pub fn throttle(conn: &mut AnyConn, key: &str) -> QueryResult<Option<ThrottleRow>> {
    with_conn!(conn, c => login_throttle::table.find(key).select(ThrottleRow::as_select()).first(c).optional())
}

/// How one key is throttled: the counting window, and after how many attempts in it
/// a short or a long lock follows each further attempt.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub window_start: NaiveDateTime,
    pub now: NaiveDateTime,
    pub slow_after: i32,
    pub slow_until: NaiveDateTime,
    pub refuse_after: i32,
    pub refuse_until: NaiveDateTime,
}

#[derive(QueryableByName)]
struct Counted {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    failures: i32,
}

/// Counts an attempt against `key` before its password is checked, in one statement
/// (so parallel attempts cannot all slip under the limit), and locks the key when
/// this attempt reaches a limit. `None`, and nothing counted, when the key is locked.
pub fn reserve_attempt(conn: &mut AnyConn, key: &str, l: &Limits) -> QueryResult<Option<i32>> {
    use diesel::sql_types::{Integer, Text, Timestamp};
    const SQL: &str = r#"INSERT INTO login_throttle ("key", failures, first_failure_at, locked_until) VALUES (?, 1, ?, NULL)
        ON CONFLICT ("key") DO UPDATE SET
          failures = CASE WHEN login_throttle.first_failure_at < ? THEN 1 ELSE login_throttle.failures + 1 END,
          first_failure_at = CASE WHEN login_throttle.first_failure_at < ? THEN ? ELSE login_throttle.first_failure_at END,
          locked_until = CASE WHEN login_throttle.first_failure_at < ? THEN NULL
                              WHEN login_throttle.failures + 1 >= ? THEN ?
                              WHEN login_throttle.failures + 1 >= ? THEN ?
                              ELSE NULL END
        WHERE login_throttle.locked_until IS NULL OR login_throttle.locked_until <= ?
        RETURNING failures"#;
    macro_rules! run {
        ($c:expr, $sql:expr) => {
            diesel::sql_query($sql)
                .bind::<Text, _>(key)
                .bind::<Timestamp, _>(l.now)
                .bind::<Timestamp, _>(l.window_start)
                .bind::<Timestamp, _>(l.window_start)
                .bind::<Timestamp, _>(l.now)
                .bind::<Timestamp, _>(l.window_start)
                .bind::<Integer, _>(l.refuse_after)
                .bind::<Timestamp, _>(l.refuse_until)
                .bind::<Integer, _>(l.slow_after)
                .bind::<Timestamp, _>(l.slow_until)
                .bind::<Timestamp, _>(l.now)
                .get_result::<Counted>($c)
                .optional()
                .map(|r| r.map(|r| r.failures))
        };
    }
    match conn {
        AnyConn::Sqlite(c) => run!(&mut **c, SQL),
        AnyConn::Postgres(c) => run!(&mut **c, super::numbered(SQL)),
    }
}

/// Takes back an attempt counted by [`reserve_attempt`] that turned out not to be a
/// failure (the password was right, or another key refused it), with the lock it
/// set: while a key is locked no other attempt is counted, so the lock is its own.
pub fn give_back_attempt(conn: &mut AnyConn, key: &str) -> QueryResult<usize> {
    let t = login_throttle::table.find(key).filter(login_throttle::failures.gt(0));
    with_conn!(conn, c => diesel::update(t)
        .set((login_throttle::failures.eq(login_throttle::failures - 1), login_throttle::locked_until.eq(None::<NaiveDateTime>)))
        .execute(c))
}

/// Forgets the failures of `key` after a successful login.
pub fn clear_throttle(conn: &mut AnyConn, key: &str) -> QueryResult<usize> {
    with_conn!(conn, c => diesel::delete(login_throttle::table.find(key)).execute(c))
}

/// Sets a person's calendar-feed secret (its hash).
pub fn set_ical_hash(conn: &mut AnyConn, staff_id: StaffId, hash: &str) -> QueryResult<usize> {
    with_conn!(conn, c => diesel::update(staff::table.find(staff_id.0)).set(staff::ical_token_hash.eq(Some(hash))).execute(c))
}

/// The person whose calendar-feed secret hashes to `hash`.
pub fn staff_by_ical_hash(conn: &mut AnyConn, hash: &str) -> QueryResult<Option<StaffId>> {
    with_conn!(conn, c => staff::table.filter(staff::ical_token_hash.eq(hash)).select(staff::id).first(c).optional())
}

/// The shared secret `name`, created with `fresh` by whichever instance asks first.
pub fn shared_secret(conn: &mut AnyConn, name: &str, fresh: &str, now: NaiveDateTime) -> QueryResult<String> {
    use super::schema::secrets;
    with_conn!(conn, c => {
        diesel::insert_into(secrets::table)
            .values((secrets::name.eq(name), secrets::value.eq(fresh), secrets::created_at.eq(now)))
            .on_conflict_do_nothing()
            .execute(c)?;
        secrets::table.find(name).select(secrets::value).first(c)
    })
}

/// Writes the time of a readiness check (a row of `secrets` no one reads), so that a
/// database that cannot be written fails the check.
pub fn note_ready(conn: &mut AnyConn, now: NaiveDateTime) -> QueryResult<usize> {
    use super::schema::secrets;
    let row = (secrets::name.eq("ready_check"), secrets::value.eq(now.to_string()), secrets::created_at.eq(now));
    with_conn!(conn, c => diesel::insert_into(secrets::table)
        .values(row)
        .on_conflict(secrets::name)
        .do_update()
        .set((secrets::value.eq(now.to_string()), secrets::created_at.eq(now)))
        .execute(c))
}

/// The shared secret `name`, if one was made.
pub fn existing_secret(conn: &mut AnyConn, name: &str) -> QueryResult<Option<String>> {
    use super::schema::secrets;
    with_conn!(conn, c => secrets::table.find(name).select(secrets::value).first(c).optional())
}

/// Starts a page session: its secret's hash, its owner and when it ends.
pub fn insert_session(
    conn: &mut AnyConn,
    hash: &str,
    staff: StaffId,
    now: NaiveDateTime,
    expires: NaiveDateTime,
) -> QueryResult<usize> {
    use super::schema::sessions;
    with_conn!(conn, c => diesel::insert_into(sessions::table)
        .values((
            sessions::secret_hash.eq(hash),
            sessions::staff_id.eq(staff.0),
            sessions::created_at.eq(now),
            sessions::expires_at.eq(expires),
        ))
        .execute(c))
}

/// Forgets sessions that have ended by themselves.
pub fn delete_expired_sessions(conn: &mut AnyConn, now: NaiveDateTime) -> QueryResult<usize> {
    use super::schema::sessions;
    with_conn!(conn, c => diesel::delete(sessions::table.filter(sessions::expires_at.le(now))).execute(c))
}

/// The owner of the live session whose secret hashes to `hash`.
pub fn session_owner(conn: &mut AnyConn, hash: &str, now: NaiveDateTime) -> QueryResult<Option<StaffId>> {
    use super::schema::sessions;
    with_conn!(conn, c => sessions::table
        .filter(sessions::secret_hash.eq(hash))
        .filter(sessions::expires_at.gt(now))
        .select(sessions::staff_id)
        .first(c)
        .optional())
}

/// Ends one session.
pub fn delete_session(conn: &mut AnyConn, hash: &str) -> QueryResult<usize> {
    use super::schema::sessions;
    with_conn!(conn, c => diesel::delete(sessions::table.find(hash)).execute(c))
}

/// Ends every session of a person, and the expired sessions of anyone.
pub fn delete_sessions_of(conn: &mut AnyConn, staff: StaffId, now: NaiveDateTime) -> QueryResult<usize> {
    use super::schema::sessions;
    with_conn!(conn, c => diesel::delete(sessions::table.filter(sessions::staff_id.eq(staff.0).or(sessions::expires_at.le(now)))).execute(c))
}

/// Revokes every live API token of a person.
pub fn revoke_all_tokens(conn: &mut AnyConn, staff: StaffId, now: NaiveDateTime) -> QueryResult<usize> {
    with_conn!(conn, c => diesel::update(api_tokens::table
            .filter(api_tokens::staff_id.eq(staff.0))
            .filter(api_tokens::revoked_at.is_null()))
        .set(api_tokens::revoked_at.eq(Some(now)))
        .execute(c))
}

/// Sets one person's password hash.
pub fn set_password_hash(conn: &mut AnyConn, staff: StaffId, hash: &str) -> QueryResult<usize> {
    with_conn!(conn, c => diesel::update(staff::table.find(staff.0)).set(staff::password_hash.eq(Some(hash))).execute(c))
}
