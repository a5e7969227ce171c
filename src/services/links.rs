//! One-time links to set a password: an invitation for a new person (72 hours) and a
//! reset for someone who forgot theirs (1 hour).
//!
//! The secret travels only in the mail (queued in the outbox like every message, and
//! sent at any hour: account mails do not wait for the reminders' sending window; once
//! sent, their body is forgotten). The database keeps its SHA-256. A link is used
//! once; using it sets the password, uses up every other open link of the person, and
//! ends their sessions and API tokens.

use super::audit::{self, Actor};
use super::auth::{digest, new_secret};
use super::remind::messages::{self, AccountMail};
use super::{AppError, AppResult};
use crate::db::{self, AnyConn, DbPool};
use crate::domain::access::Viewer;
use crate::domain::task::StaffId;
use crate::error::ErrorCode;
use crate::i18n::Lang;
use chrono::{DateTime, Duration, Utc};

/// How long an invitation works.
pub const INVITE_HOURS: i64 = 72;
/// How long a reset link works.
pub const RESET_HOURS: i64 = 1;
/// How long after a reset mail another is not sent (a mailbox is not to be flooded).
const RESET_SPACING: Duration = Duration::minutes(5);
/// The outbox kinds of account mails: sent at any hour.
pub const MAIL_KINDS: [&str; 2] = ["invitation", "password_reset"];

/// Invites `staff` to set their password (admins only); returns when the link expires.
#[tracing::instrument(level = "debug", skip(pool, base_url), fields(by = admin.id.0))]
pub fn invite(
    pool: &DbPool,
    admin: &Viewer,
    staff: StaffId,
    base_url: &str,
    now: DateTime<Utc>,
) -> AppResult<DateTime<Utc>> {
    super::people::may_manage_people(admin)?;
    send_invitation(pool, Actor::from(admin), staff, base_url, now)
}

/// Invites the person with this email, as the operator (the command line).
pub fn invite_by_email(pool: &DbPool, email: &str, base_url: &str, now: DateTime<Utc>) -> AppResult<DateTime<Utc>> {
    let mut conn = pool.get()?;
    let conn = &mut conn.any();
    let today = today(conn, now)?;
    let person = db::staff::by_email(conn, &email.trim().to_lowercase())?
        .filter(|p| p.active_on(today))
        .ok_or_else(|| AppError::invalid("email", ErrorCode::NoSuchEmail).arg("email", email))?;
    send_invitation(pool, Actor::Operator, person.id, base_url, now)
}

fn send_invitation(
    pool: &DbPool,
    by: Actor,
    staff: StaffId,
    base_url: &str,
    now: DateTime<Utc>,
) -> AppResult<DateTime<Utc>> {
    let mut conn = pool.get()?;
    conn.transaction(|conn| invite_in(conn, by, staff, base_url, now))
}

/// Invites `staff` in the caller's transaction; returns when the link expires.
pub(crate) fn invite_in(
    conn: &mut AnyConn,
    by: Actor,
    staff: StaffId,
    base_url: &str,
    now: DateTime<Utc>,
) -> AppResult<DateTime<Utc>> {
    let until = send_link(conn, staff, AccountMail::Invitation, base_url, now)?;
    let after = serde_json::json!({"expires_at": until});
    audit::record(conn, by, "account.invite", &format!("staff:{staff}"), None, Some(after), now)?;
    Ok(until)
}

/// Mails a reset link to the active person with this email. Answers the same whether
/// or not there is one, so that the answer does not tell which addresses exist.
#[tracing::instrument(level = "debug", skip_all)]
pub fn request_reset(pool: &DbPool, email: &str, base_url: &str, now: DateTime<Utc>) -> AppResult<()> {
    let mut conn = pool.get()?;
    let email = email.trim().to_lowercase();
    conn.transaction(|conn| {
        let today = today(conn, now)?;
        match db::staff::by_email(conn, &email)?.filter(|p| p.active_on(today)) {
            // One reset mail per person per few minutes, however often it is asked for.
            Some(p) if db::links::sent_since(conn, p.id, "reset", (now - RESET_SPACING).naive_utc())? => Ok(()),
            Some(p) => send_link(conn, p.id, AccountMail::Reset, base_url, now).map(|_| ()),
            None => Ok(()),
        }
    })
}

/// Who a live link is for (the set-password page greets them); `link_invalid` when it
/// expired, was used, or never was.
pub fn link_owner(pool: &DbPool, secret: &str, now: DateTime<Utc>) -> AppResult<String> {
    let mut conn = pool.get()?;
    let conn = &mut conn.any();
    let link = db::links::live(conn, &digest(secret), now.naive_utc())?
        .ok_or_else(|| AppError::new(ErrorCode::LinkInvalid))?;
    let person = db::staff::by_id(conn, link.staff_id)?.ok_or_else(|| AppError::new(ErrorCode::LinkInvalid))?;
    Ok(person.name)
}

/// Sets the password of a live link's person, once.
#[tracing::instrument(level = "debug", skip_all)]
pub fn set_password(pool: &DbPool, secret: &str, new: &str, now: DateTime<Utc>) -> AppResult<StaffId> {
    let mut conn = pool.get()?;
    conn.transaction(|conn| {
        let link = db::links::live(conn, &digest(secret), now.naive_utc())?
            .ok_or_else(|| AppError::new(ErrorCode::LinkInvalid))?;
        let today = today(conn, now)?;
        let person = db::staff::by_id(conn, link.staff_id)?
            .filter(|p| p.active_on(today))
            .ok_or_else(|| AppError::new(ErrorCode::LinkInvalid))?;
        super::account::check_password(new, &person.email, &person.name)?;
        let hash = super::password::hash(new)?;
        db::accounts::set_password_hash(conn, person.id, &hash)?;
        db::links::use_all_of(conn, person.id, now.naive_utc())?;
        db::accounts::delete_sessions_of(conn, person.id, now.naive_utc())?;
        db::accounts::revoke_all_tokens(conn, person.id, now.naive_utc())?;
        let subject = format!("staff:{}", person.id);
        audit::record(conn, Actor::Staff(person.id), "account.set_password", &subject, None, None, now)?;
        Ok(person.id)
    })
}

/// The company's today at `now`.
fn today(conn: &mut AnyConn, now: DateTime<Utc>) -> AppResult<chrono::NaiveDate> {
    Ok(super::context::company_today(conn, now)?.1)
}

/// Stores a link for `staff` and queues its mail, in the caller's transaction.
fn send_link(
    conn: &mut AnyConn,
    staff: StaffId,
    what: AccountMail,
    base_url: &str,
    now: DateTime<Utc>,
) -> AppResult<DateTime<Utc>> {
    let today = today(conn, now)?;
    let person = db::staff::by_id(conn, staff)?
        .filter(|p| p.active_on(today))
        .ok_or_else(|| AppError::new(ErrorCode::StaffNotFound).arg("id", staff))?;
    let (purpose, kind, hours) = match what {
        AccountMail::Invitation => ("invite", "invitation", INVITE_HOURS),
        AccountMail::Reset => ("reset", "password_reset", RESET_HOURS),
    };
    let secret = new_secret("");
    let expires = now + Duration::hours(hours);
    db::links::insert(conn, &digest(&secret), staff, purpose, now.naive_utc(), expires.naive_utc())?;
    let lang = Lang::from_locale(&person.locale);
    let name = super::notices::company_name(conn, lang)?;
    let url = format!("{}/password/set?t={secret}", base_url.trim_end_matches('/'));
    let m = messages::account_link(lang, what, &person.name, &name, &url, hours);
    // Unique per link: the key names the link's hash, never the secret.
    let key = format!("a:{}:{}", purpose, &digest(&secret)[..16]);
    super::notices::queue(conn, &person, kind, key, m, now)?;
    Ok(expires)
}
