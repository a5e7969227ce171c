//! Loading a later year's work calendar without a release.

use super::AppResult;
use crate::catalog::read_calendar;
use crate::db::{self, DbPool};
use chrono::{DateTime, Utc};
use std::path::Path;

/// Reads a calendar file and replaces the years it covers, in one transaction.
/// A bad file changes nothing and names its line.
pub fn load_file(pool: &DbPool, path: &Path, now: DateTime<Utc>) -> AppResult<(Vec<i32>, usize)> {
    let file = read_calendar(path)?;
    let mut conn = pool.get()?;
    let years = conn.transaction(|conn| {
        db::serialize_writers(conn)?;
        super::import::write_calendar(conn, &file.days, &path.display().to_string(), now)
    })?;
    Ok((years, file.days.len()))
}
