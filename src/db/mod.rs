//! Persistence on SQLite (embedded default) or PostgreSQL (production), one code path.
//!
//! The backend is chosen from the URL scheme. Each query is written once in diesel's
//! DSL inside [`with_conn!`], which compiles it for both backends; unlike diesel's
//! `MultiConnection`, this keeps real multi-row `INSERT … ON CONFLICT DO NOTHING`
//! on both, which exactly-once generation at scale depends on.

pub mod accounts;
pub mod askers;
pub mod audit;
pub mod backup;
pub mod calendar;
pub mod day_list;
pub mod events;
pub mod links;
pub mod list_stamps;
pub mod marks;
pub mod org;
pub mod outbox;
pub mod rollup;
pub mod schema;
pub mod staff;
pub mod task_reads;
pub mod tasks;
pub mod types;
pub mod versions;

use diesel::connection::{InstrumentationEvent, SimpleConnection};
use diesel::pg::PgConnection;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool, PooledConnection};
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, QueryResult};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// SQLite migrations; `migrations/postgres` carries the same names.
pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
/// PostgreSQL migrations.
pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Which database a URL points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    /// A file path (or `:memory:`).
    Sqlite(String),
    /// A libpq connection URL.
    Postgres(String),
}

/// Why the database could not be reached or prepared.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("cannot open the database: {0}")]
    Connect(String),
    #[error("database migrations failed: {0}")]
    Migrate(String),
    #[error("no free database connection: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
    #[error(transparent)]
    Query(#[from] diesel::result::Error),
}

impl Backend {
    /// `postgres://…`/`postgresql://…` is PostgreSQL; `sqlite://PATH`, `sqlite:PATH`
    /// or a plain path is SQLite.
    pub fn from_url(url: &str) -> Backend {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres(url.to_string())
        } else {
            let path = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(url);
            Backend::Sqlite(path.to_string())
        }
    }

    /// A short name for logs.
    pub fn name(&self) -> &'static str {
        match self {
            Backend::Sqlite(_) => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }
}

/// Sets each new connection up: SQLite's for concurrent use by the web server and
/// jobs; on both, the statements it runs from then on are counted (see
/// [`DbPool::statements`]).
#[derive(Debug, Clone)]
struct Customizer {
    statements: Arc<AtomicU64>,
}

impl Customizer {
    fn count<C: Connection>(&self, conn: &mut C) {
        let statements = Arc::clone(&self.statements);
        conn.set_instrumentation(move |event: InstrumentationEvent<'_>| {
            if let InstrumentationEvent::StartQuery { .. } = event {
                statements.fetch_add(1, Ordering::Relaxed);
            }
        });
    }
}

impl CustomizeConnection<SqliteConnection, diesel::r2d2::Error> for Customizer {
    fn on_acquire(&self, conn: &mut SqliteConnection) -> Result<(), diesel::r2d2::Error> {
        // WAL is a property of the file, set once in `connect`; these are per connection,
        // and the busy timeout comes first so nothing before it can fail on a lock.
        let pragmas = format!(
            "PRAGMA busy_timeout = 15000; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; \
             PRAGMA cache_size = -{SQLITE_CACHE_KIB};"
        );
        conn.batch_execute(&pragmas).map_err(diesel::r2d2::Error::QueryError)?;
        self.count(conn);
        Ok(())
    }
}

impl CustomizeConnection<PgConnection, diesel::r2d2::Error> for Customizer {
    fn on_acquire(&self, conn: &mut PgConnection) -> Result<(), diesel::r2d2::Error> {
        self.count(conn);
        Ok(())
    }
}

/// A pool of connections to one backend, counting the statements its connections run.
#[derive(Clone)]
pub struct DbPool {
    kind: PoolKind,
    statements: Arc<AtomicU64>,
}

#[derive(Clone)]
enum PoolKind {
    Sqlite(Pool<ConnectionManager<SqliteConnection>>),
    Postgres(Pool<ConnectionManager<PgConnection>>),
}

/// A connection checked out of a [`DbPool`].
pub enum DbConn {
    Sqlite(PooledConnection<ConnectionManager<SqliteConnection>>),
    Postgres(PooledConnection<ConnectionManager<PgConnection>>),
}

/// A borrowed connection of either backend, as queries take it (also inside transactions).
pub enum AnyConn<'a> {
    Sqlite(&'a mut SqliteConnection),
    Postgres(&'a mut PgConnection),
}

/// Runs `$body` with `$c` bound to the concrete connection of whichever backend `$conn` is.
#[macro_export]
macro_rules! with_conn {
    ($conn:expr, $c:ident => $body:expr) => {
        match $conn {
            $crate::db::AnyConn::Sqlite(inner) => {
                let $c: &mut ::diesel::sqlite::SqliteConnection = &mut **inner;
                $body
            }
            $crate::db::AnyConn::Postgres(inner) => {
                let $c: &mut ::diesel::pg::PgConnection = &mut **inner;
                $body
            }
        }
    };
}

/// `sql` written with `?` placeholders (SQLite's) numbered `$1, $2, …` for
/// PostgreSQL, so one raw statement serves both backends.
pub fn numbered(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    let mut n = 0;
    for ch in sql.chars() {
        if ch == '?' {
            n += 1;
            out.push_str(&format!("${n}"));
        } else {
            out.push(ch);
        }
    }
    out
}

/// Makes a SQLite database file owner-only before SQLite opens it (its WAL and
/// shared-memory files then take the same mode), and narrows those left by an older
/// version. An in-memory database has no file.
fn private_sqlite_files(path: &str) -> std::io::Result<()> {
    if path == ":memory:" || path.starts_with("file:") {
        return Ok(());
    }
    crate::files::private_file(std::path::Path::new(path))?;
    for suffix in ["-wal", "-shm", "-journal"] {
        let side = std::path::PathBuf::from(format!("{path}{suffix}"));
        if side.exists() {
            crate::files::private_file(&side)?;
        }
    }
    Ok(())
}

/// Whether the database at `url` has never been set up: no SQLite file (or an empty
/// one), or a PostgreSQL database without dutyday's tables. Asking creates nothing.
pub fn is_new(url: &str) -> Result<bool, DbError> {
    use diesel::{QueryableByName, RunQueryDsl};
    #[derive(QueryableByName)]
    struct Found {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        found: bool,
    }
    match Backend::from_url(url) {
        Backend::Sqlite(path) if path == ":memory:" || path.starts_with("file:") => Ok(true),
        Backend::Sqlite(path) => Ok(std::fs::metadata(&path).map_or(true, |m| m.len() == 0)),
        Backend::Postgres(url) => {
            let mut c = PgConnection::establish(&url)
                .map_err(|e| DbError::Connect(crate::config::redact_in(&e.to_string(), &url)))?;
            let q = diesel::sql_query("SELECT to_regclass('company') IS NOT NULL AS found");
            Ok(!q.get_result::<Found>(&mut c)?.found)
        }
    }
}

impl DbPool {
    /// Connects to `url`, failing at once with the database's own error message.
    pub fn connect(url: &str, max_size: u32) -> Result<DbPool, DbError> {
        let statements = Arc::new(AtomicU64::new(0));
        let customizer = Customizer { statements: Arc::clone(&statements) };
        let backend = Backend::from_url(url);
        match backend {
            Backend::Sqlite(path) => {
                if let Some(dir) = std::path::Path::new(&path).parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|e| DbError::Connect(format!("{}: {e}", dir.display())))?;
                }
                private_sqlite_files(&path).map_err(|e| DbError::Connect(format!("{path}: {e}")))?;
                let mut first =
                    SqliteConnection::establish(&path).map_err(|e| DbError::Connect(format!("{path}: {e}")))?;
                // The page size takes only on a new file (an older one moves to it through
                // `dutyday backup` and `restore`); see BENCHMARKS.md for what it bought.
                first
                    .batch_execute(&format!(
                        "PRAGMA busy_timeout = 15000; PRAGMA page_size = {SQLITE_PAGE_SIZE}; PRAGMA journal_mode = WAL;"
                    ))
                    .map_err(|e| DbError::Connect(format!("{path}: {e}")))?;
                let manager = ConnectionManager::<SqliteConnection>::new(path);
                let pool = Pool::builder()
                    .max_size(max_size)
                    .connection_timeout(Duration::from_secs(10))
                    // No `SELECT 1` before every use: a connection that failed is
                    // dropped by diesel's own broken check instead (see `DbError`).
                    .test_on_check_out(false)
                    .connection_customizer(Box::new(customizer.clone()))
                    .build(manager)?;
                Ok(DbPool { kind: PoolKind::Sqlite(pool), statements })
            }
            Backend::Postgres(url) => {
                PgConnection::establish(&url)
                    .map_err(|e| DbError::Connect(crate::config::redact_in(&e.to_string(), &url)))?;
                let pool = Pool::builder()
                    .max_size(max_size)
                    .connection_timeout(Duration::from_secs(10))
                    // No `SELECT 1` before every use: a connection that failed is
                    // dropped by diesel's own broken check instead (see `DbError`).
                    .test_on_check_out(false)
                    .connection_customizer(Box::new(customizer.clone()))
                    .build(ConnectionManager::<PgConnection>::new(url))?;
                Ok(DbPool { kind: PoolKind::Postgres(pool), statements })
            }
        }
    }

    /// A connection from the pool (the wait is measured for `/metrics`).
    pub fn get(&self) -> Result<DbConn, DbError> {
        let start = std::time::Instant::now();
        let conn = match &self.kind {
            PoolKind::Sqlite(p) => DbConn::Sqlite(p.get()?),
            PoolKind::Postgres(p) => DbConn::Postgres(p.get()?),
        };
        crate::metrics::pool_waited(start.elapsed().as_secs_f64());
        Ok(conn)
    }

    /// The pool's connections: (open, idle).
    pub fn state(&self) -> (u32, u32) {
        let s = match &self.kind {
            PoolKind::Sqlite(p) => p.state(),
            PoolKind::Postgres(p) => p.state(),
        };
        (s.connections, s.idle_connections)
    }

    /// The backend's name for logs.
    pub fn backend_name(&self) -> &'static str {
        match self.kind {
            PoolKind::Sqlite(_) => "sqlite",
            PoolKind::Postgres(_) => "postgres",
        }
    }

    /// How many SQL statements this pool's connections have run since it was made
    /// (what `/metrics` reports and the list's budget is tested against).
    pub fn statements(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }

    /// Applies pending migrations. On PostgreSQL an advisory lock makes instances
    /// that start together take turns.
    pub fn migrate(&self) -> Result<(), DbError> {
        let mut conn = self.get()?;
        let result = match &mut conn {
            DbConn::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|_| ()),
            DbConn::Postgres(c) => {
                c.batch_execute("SELECT pg_advisory_lock(7261001)")?;
                let r = c.run_pending_migrations(POSTGRES_MIGRATIONS).map(|_| ());
                c.batch_execute("SELECT pg_advisory_unlock(7261001)")?;
                r
            }
        };
        result.map_err(|e| DbError::Migrate(e.to_string()))
    }
}

impl DbConn {
    /// This connection as queries take it.
    pub fn any(&mut self) -> AnyConn<'_> {
        match self {
            DbConn::Sqlite(c) => AnyConn::Sqlite(c),
            DbConn::Postgres(c) => AnyConn::Postgres(c),
        }
    }

    /// Runs `f` in one transaction (on SQLite an IMMEDIATE one, so writers queue
    /// instead of failing on lock upgrade), committing on `Ok` and rolling back on `Err`.
    pub fn transaction<T, E>(&mut self, f: impl FnOnce(&mut AnyConn<'_>) -> Result<T, E>) -> Result<T, E>
    where
        E: From<diesel::result::Error>,
    {
        match self {
            DbConn::Sqlite(c) => c.immediate_transaction(|c| f(&mut AnyConn::Sqlite(c))),
            DbConn::Postgres(c) => c.transaction(|c| f(&mut AnyConn::Postgres(c))),
        }
    }

    /// A trivial query, for readiness checks.
    pub fn ping(&mut self) -> QueryResult<()> {
        with_conn!(&mut self.any(), c => c.batch_execute("SELECT 1"))
    }
}

/// The page size of a new SQLite database: 16 KiB pages read a day's list with
/// fewer B-tree levels and fewer page fetches than SQLite's default 4 KiB.
pub const SQLITE_PAGE_SIZE: u32 = 16_384;

/// The page cache of each SQLite connection, in KiB (SQLite's default is 2,000).
/// Reads come through the operating system's cache of the file anyway; eight
/// connections' default caches took some 20 MB of the server's memory under the list
/// load for no throughput that could be measured, and generation and the sweep stay
/// within their goals (BENCHMARKS.md, "Memory met on SQLite").
pub const SQLITE_CACHE_KIB: u32 = 256;

/// Rows are inserted in chunks below both backends' bound-parameter limits.
pub const INSERT_CHUNK: usize = 1000;

/// Makes writers that must not interleave (imports, calendar loads, generation and
/// staffing changes) take turns: on
/// PostgreSQL a transaction-scoped advisory lock; SQLite's IMMEDIATE transactions
/// already serialise writers.
pub fn serialize_writers(conn: &mut AnyConn) -> QueryResult<()> {
    match conn {
        AnyConn::Sqlite(_) => Ok(()),
        AnyConn::Postgres(c) => c.batch_execute("SELECT pg_advisory_xact_lock(7261002)"),
    }
}
