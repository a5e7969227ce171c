//! Who is asking, from a bearer token or a page session, in one statement: the
//! person, the positions they hold today and the catalogue version, with the rest
//! (who leads what, who is HR) from the process's [`Directory`].

use super::auth::digest;
use super::directory::{Cache, Directory};
use super::list_cache::ListStamp;
use super::{AppError, AppResult};
use crate::db::askers::AskerRow;
use crate::db::{self, AnyConn, DbPool};
use crate::domain::access::Viewer;
use crate::error::ErrorCode;
use chrono::{DateTime, NaiveDate, Utc};
use diesel::QueryResult;
use std::sync::Arc;

/// A person asking, and the directory their request reads.
pub type Asker = (Viewer, Arc<Directory>);

/// What [`find_asker`] found: the rows, the directory at their version, the day.
type Found = (Vec<AskerRow>, Arc<Directory>, NaiveDate);

/// Runs `find` for the company's today, and brings the directory to the version it
/// read. Should the company's time zone have changed since, it asks again for the
/// day it is there.
fn find_asker(
    conn: &mut AnyConn,
    cache: &Cache,
    now: DateTime<Utc>,
    find: impl Fn(&mut AnyConn, NaiveDate) -> QueryResult<Vec<AskerRow>>,
) -> AppResult<Option<Found>> {
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

/// The owner of a live bearer token; `None` for an unknown or revoked token or a
/// person who has left. Its use is noted at most once a minute, so reading through
/// the API stays one statement.
pub fn by_token(conn: &mut AnyConn, cache: &Cache, token: &str, now: DateTime<Utc>) -> AppResult<Option<Asker>> {
    Ok(by_token_stamped(conn, cache, token, now)?.map(|(asker, _)| asker))
}

/// [`by_token`], with what the person's list was last changed under.
pub fn by_token_stamped(
    conn: &mut AnyConn,
    cache: &Cache,
    token: &str,
    now: DateTime<Utc>,
) -> AppResult<Option<(Asker, ListStamp)>> {
    let hash = digest(token);
    let Some((rows, dir, today)) = find_asker(conn, cache, now, |c, day| db::askers::by_token(c, &hash, day))? else {
        return Ok(None);
    };
    let Some(viewer) = dir.viewer(&rows, today) else { return Ok(None) };
    let stamp = ListStamp::of(&rows);
    let first = &rows[0];
    if let Some(id) = first.token_id {
        if first.token_used_at.is_none_or(|t| now.naive_utc() - t > chrono::Duration::minutes(1)) {
            db::accounts::touch_token(conn, id, now.naive_utc())?;
        }
    }
    Ok(Some(((viewer, dir), stamp)))
}

/// The person of a live page session; `unauthenticated` when the session ended,
/// expired or never was, or its person has left.
pub fn by_session(conn: &mut AnyConn, cache: &Cache, secret: &str, now: DateTime<Utc>) -> AppResult<Asker> {
    Ok(by_session_stamped(conn, cache, secret, now)?.0)
}

/// [`by_session`], with what the person's list was last changed under.
pub fn by_session_stamped(
    conn: &mut AnyConn,
    cache: &Cache,
    secret: &str,
    now: DateTime<Utc>,
) -> AppResult<(Asker, ListStamp)> {
    let hash = digest(secret);
    let at = now.naive_utc();
    find_asker(conn, cache, now, |c, day| db::askers::by_session(c, &hash, at, day))?
        .and_then(|(rows, dir, today)| dir.viewer(&rows, today).map(|v| ((v, dir), ListStamp::of(&rows))))
        .ok_or_else(|| AppError::new(ErrorCode::Unauthenticated))
}

/// [`by_token`] on a connection of its own.
pub fn token_viewer(pool: &DbPool, cache: &Cache, token: &str, now: DateTime<Utc>) -> AppResult<Option<Viewer>> {
    Ok(by_token(&mut pool.get()?.any(), cache, token, now)?.map(|(v, _)| v))
}

/// [`by_session`] on a connection of its own.
pub fn session_viewer(pool: &DbPool, cache: &Cache, secret: &str, now: DateTime<Utc>) -> AppResult<Viewer> {
    Ok(by_session(&mut pool.get()?.any(), cache, secret, now)?.0)
}
