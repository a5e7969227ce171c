//! Logging in (throttled by [`super::throttle`]), API tokens, and who the person
//! asking is. Tokens and feed secrets are random; only their SHA-256 is stored.

use super::{AppError, AppResult};
use crate::db::accounts::TokenRow;
use crate::db::{self, AnyConn, DbPool};
use crate::domain::access::{departments_led, Viewer};
use crate::domain::org::Department;
use crate::domain::task::StaffId;
use crate::error::ErrorCode;
use chrono::{DateTime, NaiveDate, Utc};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;

/// The hex SHA-256 of a secret, as stored.
pub fn digest(secret: &str) -> String {
    use std::fmt::Write as _;
    let mut hex = String::with_capacity(64);
    for b in Sha256::digest(secret.as_bytes()) {
        let _ = write!(hex, "{b:02x}");
    }
    hex
}

/// A fresh random secret with a readable prefix.
pub fn new_secret(prefix: &str) -> String {
    use rand::distr::{Alphanumeric, SampleString};
    format!("{prefix}{}", Alphanumeric.sample_string(&mut rand::rng(), 40))
}

/// Checks an email and password, throttled per account, per `client` address and per
/// pair of both (see [`super::throttle`]). An unknown or inactive email costs the
/// same password hashing as a known one, so the time taken does not tell which
/// emails exist. Returns the person's id.
#[tracing::instrument(level = "debug", skip_all)]
pub fn login(
    pool: &DbPool,
    email: &str,
    password: &str,
    client: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<StaffId> {
    let email = email.trim().to_lowercase();
    let keys = super::throttle::keys(&email, client);
    let mut conn = pool.get()?;
    let conn = &mut conn.any();
    super::throttle::reserve(conn, &keys, now)?;
    let (_, today) = super::context::company_today(conn, now)?;
    let person = db::staff::by_email(conn, &email)?.filter(|p| p.active_on(today));
    let hash = person.as_ref().and_then(|p| p.password_hash.as_deref());
    let ok = super::password::verify(password, hash.unwrap_or_else(|| dummy_hash())) && hash.is_some();
    match (ok, person) {
        (true, Some(p)) => {
            super::throttle::succeeded(conn, &keys)?;
            Ok(p.id)
        }
        _ => Err(AppError::new(ErrorCode::WrongCredentials)),
    }
}

/// A hash of a random password with the real hashes' parameters, to check against
/// when there is no real one.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| super::password::hash(&new_secret("")).unwrap_or_default())
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

/// Whether the service can answer: the database responds, can be written (a full
/// disk or a read-only file is an error here, not only at the next change), and
/// holds a catalogue.
pub fn ready(pool: &DbPool, now: DateTime<Utc>) -> AppResult<bool> {
    let mut conn = pool.get()?;
    conn.ping().map_err(db::DbError::from)?;
    let conn = &mut conn.any();
    db::accounts::note_ready(conn, now.naive_utc())?;
    Ok(db::org::company(conn)?.is_some())
}
