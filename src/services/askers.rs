//! Who is asking, from bearer tokens or page sessions, in one statement however many
//! ask at once: the person, the positions they hold today, the catalogue version and
//! their list's stamp, with the rest (who leads what, who is HR) from the process's
//! [`Directory`]. Requests meet in [`super::asking`].

use super::auth::digest;
use super::directory::{Cache, Directory};
use super::list_cache::ListStamp;
use super::{AppError, AppResult};
use crate::db::askers::AskerRow;
use crate::db::{self, AnyConn};
use crate::domain::access::Viewer;
use chrono::{DateTime, NaiveDate, Utc};
use diesel::QueryResult;
use std::collections::HashMap;
use std::sync::Arc;

/// A person asking, and the directory their request reads.
pub type Asker = (Viewer, Arc<Directory>);

/// What [`find_asker`] found: the rows, the directory at their version, the day.
type Rows = (Vec<AskerRow>, Arc<Directory>, NaiveDate);

/// Runs `find` for the company's today, and brings the directory to the version it
/// read. Should the company's time zone have changed since, it asks again for the
/// day it is there.
fn find_asker(
    conn: &mut AnyConn,
    cache: &Cache,
    now: DateTime<Utc>,
    find: impl Fn(&mut AnyConn, NaiveDate) -> QueryResult<Vec<AskerRow>>,
) -> AppResult<Option<Rows>> {
    let mut tz = cache.any(conn)?.tz;
    for _ in 0..2 {
        let today = now.with_timezone(&tz).date_naive();
        let rows = find(conn, today)?;
        let Some(first) = rows.first() else { return Ok(None) };
        let dir = cache.at(conn, first.catalog_version)?;
        if dir.tz == tz {
            return Ok(Some((rows, dir, today)));
        }
        tz = dir.tz;
    }
    Err(AppError::corrupt("the company's time zone keeps changing"))
}

/// Which secret a request carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Secret {
    /// A bearer token (the API, the calendar feed).
    Token,
    /// A page session's secret.
    Session,
}

/// Who is asking and what their list was last changed under; `None` for a secret
/// that is unknown, revoked or expired, or whose person has left.
pub type Found = Option<(Asker, ListStamp)>;

/// Who is asking, for each of `hashes` (digests of secrets of one kind) in their
/// order: one statement for all of them. A token's use is noted at most once a
/// minute (in one more statement for all the tokens due), so that reading through
/// the API stays one statement.
pub fn find_all(
    conn: &mut AnyConn,
    cache: &Cache,
    kind: Secret,
    hashes: &[String],
    now: DateTime<Utc>,
) -> AppResult<Vec<Found>> {
    let at = now.naive_utc();
    let find = |c: &mut AnyConn, day| match kind {
        Secret::Token => db::askers::by_tokens(c, hashes, day),
        Secret::Session => db::askers::by_sessions(c, hashes, at, day),
    };
    let Some((rows, dir, today)) = find_asker(conn, cache, now, find)? else {
        return Ok(hashes.iter().map(|_| None).collect());
    };
    let mut by_key: HashMap<&str, Vec<AskerRow>> = HashMap::new();
    for row in &rows {
        by_key.entry(row.key.as_str()).or_default().push(row.clone());
    }
    let mut used = Vec::new();
    let found = hashes
        .iter()
        .map(|hash| {
            let rows = by_key.get(hash.as_str())?;
            let viewer = dir.viewer(rows, today)?;
            let first = &rows[0];
            if let Some(id) = first.token_id {
                if first.token_used_at.is_none_or(|t| at - t > chrono::Duration::minutes(1)) && !used.contains(&id) {
                    used.push(id);
                }
            }
            Some(((viewer, dir.clone()), ListStamp::of(rows)))
        })
        .collect();
    if !used.is_empty() {
        db::accounts::touch_tokens(conn, &used, at)?;
    }
    Ok(found)
}

/// The owner of a live bearer token; `None` for an unknown or revoked token or a
/// person who has left.
pub fn by_token(conn: &mut AnyConn, cache: &Cache, token: &str, now: DateTime<Utc>) -> AppResult<Option<Asker>> {
    Ok(by_token_stamped(conn, cache, token, now)?.map(|(asker, _)| asker))
}

/// [`by_token`], with what the person's list was last changed under.
pub fn by_token_stamped(conn: &mut AnyConn, cache: &Cache, token: &str, now: DateTime<Utc>) -> AppResult<Found> {
    Ok(find_all(conn, cache, Secret::Token, &[digest(token)], now)?.pop().flatten())
}
