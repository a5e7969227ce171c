//! Backing up and restoring an SQLite database. A backup is SQLite's own consistent
//! copy (`VACUUM INTO`), taken in one read transaction, so it may run while the
//! service serves and writes: it holds the database as of one moment, in pages of
//! [`super::SQLITE_PAGE_SIZE`] whatever the original's. A restore
//! checks the copy (SQLite's integrity check, dutyday's tables) before it replaces
//! anything. PostgreSQL has pg_dump and pg_restore for this (see README).

use super::Backend;
use diesel::connection::SimpleConnection;
use diesel::{Connection, SqliteConnection};
use std::path::{Path, PathBuf};

/// Why a backup or restore did not happen.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// A request that cannot be done as asked (exit code 2).
    #[error("{0}")]
    Refused(String),
    /// The database or the file system failed (exit code 1).
    #[error("{0}")]
    Failed(String),
}

fn sqlite_path(url: &str) -> Result<String, BackupError> {
    match Backend::from_url(url) {
        Backend::Sqlite(path) if path != ":memory:" => Ok(path),
        Backend::Sqlite(_) => Err(BackupError::Refused("an in-memory database has nothing to back up".into())),
        Backend::Postgres(_) => Err(BackupError::Refused(
            "on PostgreSQL use its own tools: pg_dump -Fc -f dutyday.dump DATABASE_URL, and pg_restore --clean --if-exists -d DATABASE_URL dutyday.dump"
                .into(),
        )),
    }
}

fn failed(what: &str) -> impl Fn(String) -> BackupError + '_ {
    move |e| BackupError::Failed(format!("{what}: {e}"))
}

/// Copies the database at `url` to `to` (a new file, readable only by its owner).
pub fn backup(url: &str, to: &Path) -> Result<(), BackupError> {
    let path = sqlite_path(url)?;
    if !Path::new(&path).is_file() {
        return Err(BackupError::Refused(format!("{path}: no such database")));
    }
    if to.exists() {
        return Err(BackupError::Refused(format!("{}: already exists; choose a new file", to.display())));
    }
    let mut c = SqliteConnection::establish(&path).map_err(|e| failed(&path)(e.to_string()))?;
    // A backup is written with the current page size, so restoring it moves an
    // older database to that size too.
    c.batch_execute(&format!("PRAGMA busy_timeout = 15000; PRAGMA page_size = {}", super::SQLITE_PAGE_SIZE))
        .map_err(|e| failed(&path)(e.to_string()))?;
    let target = to.display().to_string().replace('\'', "''");
    c.batch_execute(&format!("VACUUM INTO '{target}'")).map_err(|e| failed(&path)(e.to_string()))?;
    crate::files::private_file(to).map_err(|e| failed(&target)(e.to_string()))
}

/// Replaces the database at `url` with the backup `from`, after checking it. An
/// existing database is replaced only when `replace` is set; the service must be
/// stopped meanwhile.
pub fn restore(url: &str, from: &Path, replace: bool) -> Result<(), BackupError> {
    let path = sqlite_path(url)?;
    check(from)?;
    let live = PathBuf::from(&path);
    if live.exists() && !replace {
        return Err(BackupError::Refused(format!(
            "{path}: a database is there; stop the service and add --replace to overwrite it"
        )));
    }
    let staged = live.with_file_name(format!(
        ".{}.restore",
        live.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
    ));
    std::fs::copy(from, &staged).map_err(|e| failed(&path)(e.to_string()))?;
    crate::files::private_file(&staged).map_err(|e| failed(&path)(e.to_string()))?;
    for side in ["-wal", "-shm"] {
        let f = PathBuf::from(format!("{path}{side}"));
        if f.exists() {
            std::fs::remove_file(&f).map_err(|e| failed(&path)(e.to_string()))?;
        }
    }
    std::fs::rename(&staged, &live).map_err(|e| failed(&path)(e.to_string()))
}

/// A backup is whole (SQLite's integrity check) and is dutyday's (it has run the
/// migrations).
fn check(file: &Path) -> Result<(), BackupError> {
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Line {
        #[diesel(sql_type = diesel::sql_types::Text)]
        integrity_check: String,
    }
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let name = file.display().to_string();
    let bad = |m: String| BackupError::Refused(format!("{name}: {m}"));
    if !file.is_file() {
        return Err(bad("no such file".into()));
    }
    let mut c = SqliteConnection::establish(&name).map_err(|e| bad(format!("not an SQLite database ({e})")))?;
    let lines: Vec<Line> = diesel::sql_query("PRAGMA integrity_check")
        .load(&mut c)
        .map_err(|e| bad(format!("not an SQLite database ({e})")))?;
    if lines.iter().map(|l| l.integrity_check.as_str()).ne(["ok"]) {
        return Err(bad(format!("damaged: {}", lines.first().map_or("", |l| l.integrity_check.as_str()))));
    }
    let sql = "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name IN ('__diesel_schema_migrations', 'company', 'tasks')";
    let found = diesel::sql_query(sql).get_result::<Count>(&mut c).map_err(|e| bad(e.to_string()))?;
    if found.n != 3 {
        return Err(bad("not a dutyday database".into()));
    }
    Ok(())
}
