//! Logging in, API tokens, login throttling, and who the person asking is.
//!
//! Throttling counts failures per account and per client address: from the 5th
//! failure within an hour each further failure locks that key for 30 seconds (slowed
//! down); from the 10th, for 15 minutes (refused for a while). A success clears the
//! account's count. Tokens and feed secrets are random; only their SHA-256 is stored.

use super::{AppError, AppResult};
use crate::db::accounts::{ThrottleRow, TokenRow};
use crate::db::{self, AnyConn, DbPool};
use crate::domain::access::{departments_led, Viewer};
use crate::domain::org::Department;
use crate::domain::task::StaffId;
use crate::error::ErrorCode;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;

/// Failures before each further failure locks the key briefly.
const SLOW_AFTER: i32 = 5;
/// Failures before the key is locked for long.
const REFUSE_AFTER: i32 = 10;
const SLOW_LOCK: Duration = Duration::seconds(30);
const LONG_LOCK: Duration = Duration::minutes(15);
const WINDOW: Duration = Duration::hours(1);

/// The hex SHA-256 of a secret, as stored.
pub fn digest(secret: &str) -> String {
    Sha256::digest(secret.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// A fresh random secret with a readable prefix.
pub fn new_secret(prefix: &str) -> String {
    use rand::distr::{Alphanumeric, SampleString};
    format!("{prefix}{}", Alphanumeric.sample_string(&mut rand::rng(), 40))
}

/// Checks an email and password, throttled per account and per `client` address.
/// Returns the person's id.
#[tracing::instrument(level = "debug", skip_all)]
pub fn login(
    pool: &DbPool,
    email: &str,
    password: &str,
    client: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<StaffId> {
    let email = email.trim().to_lowercase();
    let keys: Vec<String> =
        std::iter::once(format!("email:{email}")).chain(client.map(|c| format!("ip:{c}"))).collect();
    let mut conn = pool.get()?;
    let conn = &mut conn.any();
    for key in &keys {
        if let Some(until) =
            db::accounts::throttle(conn, key)?.and_then(|t| t.locked_until).filter(|u| *u > now.naive_utc())
        {
            let secs = (until - now.naive_utc()).num_seconds().max(1);
            return Err(AppError {
                retry_after: Some(secs),
                ..AppError::new(ErrorCode::Throttled).arg("seconds", secs)
            });
        }
    }
    let (_, today) = super::context::company_today(conn, now)?;
    let person = db::staff::by_email(conn, &email)?.filter(|p| p.active_on(today));
    let ok = person.as_ref().and_then(|p| p.password_hash.as_deref()).is_some_and(|h| verify(password, h));
    match (ok, person) {
        (true, Some(p)) => {
            db::accounts::clear_throttle(conn, &keys[0])?;
            Ok(p.id)
        }
        _ => {
            for key in &keys {
                record_failure(conn, key, now)?;
            }
            Err(AppError::new(ErrorCode::WrongCredentials))
        }
    }
}

pub(crate) fn verify(password: &str, hash: &str) -> bool {
    use argon2::PasswordVerifier;
    argon2::PasswordHash::new(hash)
        .is_ok_and(|h| argon2::Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

fn record_failure(conn: &mut AnyConn, key: &str, now: DateTime<Utc>) -> AppResult<()> {
    let now = now.naive_utc();
    let mut row = db::accounts::throttle(conn, key)?
        .filter(|t| now - t.first_failure_at < WINDOW)
        .unwrap_or(ThrottleRow { key: key.to_string(), failures: 0, first_failure_at: now, locked_until: None });
    row.failures += 1;
    row.locked_until = match row.failures {
        n if n >= REFUSE_AFTER => Some(now + LONG_LOCK),
        n if n >= SLOW_AFTER => Some(now + SLOW_LOCK),
        _ => None,
    };
    db::accounts::put_throttle(conn, &row)?;
    Ok(())
}

/// Logs in and issues a bearer token named `name`; the token is shown only now.
#[tracing::instrument(level = "debug", skip_all)]
pub fn issue_token(
    pool: &DbPool,
    email: &str,
    password: &str,
    name: Option<&str>,
    client: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<(String, TokenInfo)> {
    let staff = login(pool, email, password, client, now)?;
    let name = name.map(str::trim).filter(|n| !n.is_empty()).unwrap_or("api").chars().take(100).collect::<String>();
    let token = new_secret("dd_");
    let mut conn = pool.get()?;
    let conn = &mut conn.any();
    let id = db::accounts::insert_token(conn, staff, &name, &digest(&token), now.naive_utc())?;
    let row = db::accounts::tokens_of(conn, staff)?
        .into_iter()
        .find(|t| t.id == id)
        .ok_or_else(|| AppError::corrupt("token vanished"))?;
    Ok((token, TokenInfo::from(row)))
}

/// An API token as its owner sees it: never its secret or hash.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TokenInfo {
    pub id: i64,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

impl From<TokenRow> for TokenInfo {
    fn from(t: TokenRow) -> Self {
        TokenInfo {
            id: t.id,
            name: t.name,
            created_at: t.created_at.and_utc(),
            last_used_at: t.last_used_at.map(|x| x.and_utc()),
        }
    }
}

/// The person a bearer token belongs to, if it is live; its last use is noted.
fn token_owner(conn: &mut AnyConn, token: &str, now: DateTime<Utc>) -> AppResult<Option<StaffId>> {
    let Some(row) = db::accounts::token_by_hash(conn, &digest(token))? else { return Ok(None) };
    // Note the use at most once a minute, so reading through the API stays a read.
    if row.last_used_at.is_none_or(|t| now.naive_utc() - t > chrono::Duration::minutes(1)) {
        db::accounts::touch_token(conn, row.id, now.naive_utc())?;
    }
    Ok(Some(row.staff_id))
}

/// A person's live tokens.
pub fn tokens(pool: &DbPool, staff: StaffId) -> AppResult<Vec<TokenInfo>> {
    Ok(db::accounts::tokens_of(&mut pool.get()?.any(), staff)?.into_iter().map(TokenInfo::from).collect())
}

/// Revokes one of the person's own tokens.
pub fn revoke(pool: &DbPool, staff: StaffId, id: i64, now: DateTime<Utc>) -> AppResult<()> {
    match db::accounts::revoke_token(&mut pool.get()?.any(), staff, id, now.naive_utc())? {
        0 => Err(AppError::new(ErrorCode::TokenNotFound).arg("id", id)),
        _ => Ok(()),
    }
}

/// The person with id `staff`, with what they hold and lead on `today`.
pub fn viewer(conn: &mut AnyConn, staff: StaffId, today: NaiveDate) -> AppResult<Viewer> {
    let person = db::staff::by_id(conn, staff)?
        .filter(|p| p.active_on(today))
        .ok_or_else(|| AppError::new(ErrorCode::Unauthenticated))?;
    let held = db::staff::positions_held_hr(conn, staff, today)?;
    let hr = held.iter().any(|(_, people)| *people);
    let positions: BTreeSet<String> = held.into_iter().map(|(p, _)| p).collect();
    let departments: Vec<Department> = db::org::departments(conn)?.into_iter().map(Department::from).collect();
    let leads = departments_led(&departments, &positions);
    Ok(Viewer { id: person.id, name: person.name, admin: person.is_admin, hr, locale: person.locale, positions, leads })
}

/// Remembers the page language a person chose.
pub fn set_locale(pool: &DbPool, staff: StaffId, locale: &str) -> AppResult<()> {
    db::staff::set_locale(&mut pool.get()?.any(), staff, locale)?;
    Ok(())
}

/// The person a bearer token belongs to, with what they hold and lead today; `None`
/// for an unknown, revoked or expired token.
pub fn token_viewer(pool: &DbPool, token: &str, now: DateTime<Utc>) -> AppResult<Option<Viewer>> {
    let mut conn = pool.get()?;
    let conn = &mut conn.any();
    let Some(id) = token_owner(conn, token, now)? else { return Ok(None) };
    staff_viewer(conn, id, now).map(Some)
}

/// Staff member `id` with what they hold and lead on the company's today at `now`;
/// `unauthenticated` when there is no such active person.
pub(crate) fn staff_viewer(conn: &mut AnyConn, id: StaffId, now: DateTime<Utc>) -> AppResult<Viewer> {
    let (_, today) = super::context::company_today(conn, now)?;
    viewer(conn, id, today)
}

/// Whether the service can answer: the database responds and holds a catalogue.
pub fn ready(pool: &DbPool) -> AppResult<bool> {
    let mut conn = pool.get()?;
    conn.ping().map_err(db::DbError::from)?;
    Ok(db::org::company(&mut conn.any())?.is_some())
}
