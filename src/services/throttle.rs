//! Login throttling, counted per (account, address) pair, per account and per
//! address.
//!
//! - The pair is what a guesser at one account from one place uses: from its 5th
//!   attempt within an hour each attempt locks the pair for 30 seconds, from the
//!   10th for 15 minutes. Somebody else's guesses never lock a person out from
//!   their own address.
//! - The account alone has a wider limit (20, then 50) against guesses spread over
//!   many addresses; the address alone the same, against one place trying many
//!   accounts.
//!
//! An attempt is counted *before* its password is checked, in one statement per key
//! (an upsert that refuses while the key is locked), so parallel guesses cannot all
//! be checked before the first failure is recorded, on either database and from
//! any number of instances. A right password takes its attempt back.

use super::{AppError, AppResult};
use crate::db::accounts::{self, Limits};
use crate::db::AnyConn;
use crate::error::ErrorCode;
use chrono::{DateTime, Duration, Utc};

const WINDOW: Duration = Duration::hours(1);
const SLOW_LOCK: Duration = Duration::seconds(30);
const LONG_LOCK: Duration = Duration::minutes(15);

/// One key of an attempt and its limits (slow after, refuse after).
#[derive(Debug, Clone)]
pub struct Key {
    pub name: String,
    slow_after: i32,
    refuse_after: i32,
}

/// The keys an attempt at `email` from `client` counts against.
pub fn keys(email: &str, client: Option<&str>) -> Vec<Key> {
    let key = |name: String, slow_after, refuse_after| Key { name, slow_after, refuse_after };
    let mut keys =
        vec![key(format!("pair:{email}|{}", client.unwrap_or("-")), 5, 10), key(format!("email:{email}"), 20, 50)];
    keys.extend(client.map(|c| key(format!("ip:{c}"), 20, 50)));
    keys
}

/// Counts an attempt against every key; refused (with the seconds to wait) when one
/// of them is locked, and then nothing stays counted.
pub fn reserve(conn: &mut AnyConn, keys: &[Key], now: DateTime<Utc>) -> AppResult<()> {
    let at = now.naive_utc();
    for (i, k) in keys.iter().enumerate() {
        let limits = Limits {
            window_start: at - WINDOW,
            now: at,
            slow_after: k.slow_after,
            slow_until: at + SLOW_LOCK,
            refuse_after: k.refuse_after,
            refuse_until: at + LONG_LOCK,
        };
        if accounts::reserve_attempt(conn, &k.name, &limits)?.is_none() {
            give_back(conn, &keys[..i])?;
            let until = accounts::throttle(conn, &k.name)?.and_then(|t| t.locked_until).unwrap_or(at);
            let secs = (until - at).num_seconds().max(1);
            return Err(AppError {
                retry_after: Some(secs),
                ..AppError::new(ErrorCode::Throttled).arg("seconds", secs)
            });
        }
    }
    Ok(())
}

/// After a right password: the pair starts afresh; the account and address take
/// their attempt back.
pub fn succeeded(conn: &mut AnyConn, keys: &[Key]) -> AppResult<()> {
    if let Some((pair, rest)) = keys.split_first() {
        accounts::clear_throttle(conn, &pair.name)?;
        give_back(conn, rest)?;
    }
    Ok(())
}

fn give_back(conn: &mut AnyConn, keys: &[Key]) -> AppResult<()> {
    for k in keys {
        accounts::give_back_attempt(conn, &k.name)?;
    }
    Ok(())
}
