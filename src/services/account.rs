//! A person's own account: page sessions kept on the server, and their password.
//!
//! A page session is a random secret in the signed cookie; the database keeps its
//! SHA-256, its owner and when it ends (12 hours after sign-in). Logging out deletes
//! it, so a saved cookie is worth nothing afterwards. Changing one's password, or
//! "sign out everywhere", deletes every session of the person and revokes their API
//! tokens in the same transaction.

use super::audit::{self, Actor};
use super::auth::{digest, new_secret};
use super::{AppError, AppResult};
use crate::db::{self, DbPool};
use crate::domain::access::Viewer;
use crate::domain::task::StaffId;
use crate::error::ErrorCode;
use chrono::{DateTime, Duration, Utc};

/// How long a page session lasts.
pub const SESSION_HOURS: i64 = 12;
/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// The lowest zxcvbn score accepted (0–4): 3 is "safely unguessable" against an
/// online attack and most offline ones.
const MIN_STRENGTH: zxcvbn::Score = zxcvbn::Score::Three;

/// Starts a page session for `staff`; returns the secret the cookie keeps.
pub fn start_session(pool: &DbPool, staff: StaffId, now: DateTime<Utc>) -> AppResult<String> {
    let secret = new_secret("s_");
    let expires = now + Duration::hours(SESSION_HOURS);
    let mut conn = pool.get()?;
    conn.transaction(|conn| {
        // Sessions that ended by themselves go as new ones start.
        db::accounts::delete_expired_sessions(conn, now.naive_utc())?;
        db::accounts::insert_session(conn, &digest(&secret), staff, now.naive_utc(), expires.naive_utc())?;
        Ok(secret)
    })
}

/// Ends one session (logging out).
pub fn end_session(pool: &DbPool, secret: &str) -> AppResult<()> {
    db::accounts::delete_session(&mut pool.get()?.any(), &digest(secret))?;
    Ok(())
}

/// Ends every session and revokes every API token of `staff`.
pub fn sign_out_everywhere(pool: &DbPool, staff: StaffId, now: DateTime<Utc>) -> AppResult<()> {
    let mut conn = pool.get()?;
    conn.transaction(|conn| {
        db::accounts::delete_sessions_of(conn, staff, now.naive_utc())?;
        db::accounts::revoke_all_tokens(conn, staff, now.naive_utc())?;
        audit::record(
            conn,
            Actor::Staff(staff),
            "account.sign_out_everywhere",
            &format!("staff:{staff}"),
            None,
            None,
            now,
        )
    })
}

/// Changes `viewer`'s own password: the current one must be right and the new one
/// must pass [`check_password`]. Every session and API token of theirs ends.
#[tracing::instrument(level = "debug", skip_all, fields(staff = viewer.id.0))]
pub fn change_password(pool: &DbPool, viewer: &Viewer, current: &str, new: &str, now: DateTime<Utc>) -> AppResult<()> {
    let mut conn = pool.get()?;
    let person =
        db::staff::by_id(&mut conn.any(), viewer.id)?.ok_or_else(|| AppError::new(ErrorCode::Unauthenticated))?;
    if !person.password_hash.as_deref().is_some_and(|h| super::password::verify(current, h)) {
        return Err(AppError::invalid("current", ErrorCode::WrongPassword));
    }
    check_password(new, &person.email, &person.name)?;
    let hash = super::password::hash(new)?;
    conn.transaction(|conn| {
        db::accounts::set_password_hash(conn, viewer.id, &hash)?;
        db::accounts::delete_sessions_of(conn, viewer.id, now.naive_utc())?;
        db::accounts::revoke_all_tokens(conn, viewer.id, now.naive_utc())?;
        let subject = format!("staff:{}", viewer.id);
        audit::record(conn, Actor::from(viewer), "account.change_password", &subject, None, None, now)
    })
}

/// The password policy: at least [`MIN_PASSWORD_CHARS`] characters, not the email
/// or the name, and not guessable (zxcvbn, which knows common passwords, words and
/// keyboard patterns, and is told the person's email and name).
pub fn check_password(password: &str, email: &str, name: &str) -> AppResult<()> {
    let field = "new";
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AppError::invalid(field, ErrorCode::PasswordTooShort).arg("min", MIN_PASSWORD_CHARS));
    }
    let lower = password.to_lowercase();
    let local = email.split('@').next().unwrap_or(email).to_lowercase();
    if lower == email.to_lowercase() || (!local.is_empty() && lower.contains(&local)) || lower == name.to_lowercase() {
        return Err(AppError::invalid(field, ErrorCode::PasswordIsEmail));
    }
    if zxcvbn::zxcvbn(password, &[email, &local, name]).score() < MIN_STRENGTH {
        return Err(AppError::invalid(field, ErrorCode::PasswordWeak));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(p: &str) -> Option<ErrorCode> {
        check_password(p, "xu.qiang@example.com", "徐强").err().map(|e| e.code)
    }

    #[test]
    fn the_policy_wants_length_no_email_and_no_common_password() {
        assert_eq!(code("a"), Some(ErrorCode::PasswordTooShort));
        assert_eq!(code(""), Some(ErrorCode::PasswordTooShort));
        assert_eq!(code("xu.qiang@example.com"), Some(ErrorCode::PasswordIsEmail));
        assert_eq!(code("xu.qiang2026!"), Some(ErrorCode::PasswordIsEmail));
        assert_eq!(code("password123"), Some(ErrorCode::PasswordWeak));
        assert_eq!(code("qwertyuiop"), Some(ErrorCode::PasswordWeak));
        assert_eq!(code("1234567890"), Some(ErrorCode::PasswordWeak));
        assert_eq!(code("仓库每天九点盘点两次ok"), None);
        assert_eq!(code("correct horse battery staple"), None);
    }
}
