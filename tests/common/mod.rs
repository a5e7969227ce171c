//! Shared test support: a database of its own per test, on SQLite always and on
//! PostgreSQL when `DUTYDAY_TEST_DATABASE_URL` points at a server.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod mail;
pub mod remind;
pub mod web;

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use dutyday::catalog::Catalog;
use dutyday::db::DbPool;
use dutyday::services::import;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

/// Declares `mod NAME { fn sqlite(); fn postgres(); }`, each running `NAME(&TestDb)`.
/// Without `DUTYDAY_TEST_DATABASE_URL` the PostgreSQL one says it was skipped.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[test]
            fn sqlite() {
                super::$name(&$crate::common::TestDb::sqlite());
            }
            #[test]
            fn postgres() {
                match $crate::common::TestDb::postgres() {
                    Some(db) => super::$name(&db),
                    None => eprintln!("skipped on PostgreSQL: DUTYDAY_TEST_DATABASE_URL is not set"),
                }
            }
        }
    )*};
}

/// A database that exists for one test and is removed after it.
pub struct TestDb {
    pub url: String,
    pool: Option<DbPool>,
    _dir: Option<tempfile::TempDir>,
    pg: Option<(String, String)>,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

impl TestDb {
    /// A migrated SQLite file in a temporary folder.
    pub fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("test.db").display());
        let pool = DbPool::connect(&url, 4).expect("open sqlite");
        pool.migrate().expect("migrate sqlite");
        TestDb { url, pool: Some(pool), _dir: Some(dir), pg: None }
    }

    /// A migrated PostgreSQL database of its own, if a server is configured.
    pub fn postgres() -> Option<TestDb> {
        let admin = std::env::var("DUTYDAY_TEST_DATABASE_URL").ok().filter(|u| !u.is_empty())?;
        let name = format!(
            "dutyday_t{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst),
            Utc::now().timestamp_subsec_nanos()
        );
        let mut conn = PgConnection::establish(&admin).expect("connect to DUTYDAY_TEST_DATABASE_URL");
        diesel::sql_query(format!("CREATE DATABASE {name}")).execute(&mut conn).expect("create test database");
        let url = with_database(&admin, &name);
        let pool = DbPool::connect(&url, 4).expect("open postgres");
        pool.migrate().expect("migrate postgres");
        Some(TestDb { url, pool: Some(pool), _dir: None, pg: Some((admin, name)) })
    }

    pub fn pool(&self) -> &DbPool {
        self.pool.as_ref().expect("pool")
    }

    /// Imports the seed catalogue of `config/`.
    pub fn seed(&self) -> &TestDb {
        let catalog = Catalog::load(&config_dir()).expect("seed catalogue");
        import::import_if_empty(self.pool(), &catalog, None, at("2026-01-01T00:00:00Z")).expect("import");
        self
    }

    pub fn is_postgres(&self) -> bool {
        self.pg.is_some()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        self.pool.take();
        if let Some((admin, name)) = &self.pg {
            if let Ok(mut conn) = PgConnection::establish(admin) {
                let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut conn);
            }
        }
    }
}

/// `url` with its database name replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let cut = base.rfind('/').filter(|i| *i > base.find("://").map_or(0, |s| s + 2)).unwrap_or(base.len());
    let mut out = format!("{}/{}", &base[..cut], name);
    if let Some(q) = query {
        out = format!("{out}?{q}");
    }
    out
}

/// The repository's `config/` folder.
pub fn config_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("config")
}

/// An instant from RFC 3339 text.
pub fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).expect("rfc3339").with_timezone(&Utc)
}

/// A date from `YYYY-MM-DD`.
pub fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

/// A staff member's id by name.
pub fn staff_id(db: &TestDb, name: &str) -> dutyday::domain::task::StaffId {
    let mut conn = db.pool().get().expect("conn");
    dutyday::db::staff::by_name(&mut conn.any(), name).expect("query").expect("staff exists").id
}

/// Every task, oldest first.
pub fn tasks(db: &TestDb) -> Vec<dutyday::db::tasks::TaskRow> {
    let mut conn = db.pool().get().expect("conn");
    dutyday::db::tasks::all(&mut conn.any()).expect("tasks")
}

/// The path of the built `dutyday` binary.
pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_dutyday")
}

/// A `dutyday` command on `db_url` and the repository's config (`--config` overrides it).
pub fn command(db_url: &str) -> std::process::Command {
    let mut cmd = std::process::Command::new(bin());
    cmd.env("DUTYDAY_CONFIG", config_dir())
        .env_remove("DUTYDAY_DEMO_PASSWORD")
        .env("DUTYDAY_DATABASE_URL", db_url)
        .env("RUST_LOG", "warn");
    cmd
}

/// Adds a person who holds nothing yet, and returns their id.
pub fn add_person(db: &TestDb, email: &str, name: &str) -> dutyday::domain::task::StaffId {
    let person = dutyday::db::staff::NewStaff {
        email: email.into(),
        name: name.into(),
        password_hash: None,
        is_admin: false,
        locale: "zh-CN".into(),
        active: true,
        created_at: Utc::now().naive_utc(),
    };
    let mut conn = db.pool().get().expect("conn");
    dutyday::domain::task::StaffId(dutyday::db::staff::insert(&mut conn.any(), &person).expect("insert person"))
}

/// The demo staff's password in tests.
pub const PASSWORD: &str = "demo-pass-1";

/// The instant the served app lives at: Tuesday 1 December 2026, 10:00 in Shanghai,
/// so that what page tests see does not depend on the day they run.
pub const NOW: &str = "2026-12-01T02:00:00Z";

/// The working day after [`NOW`]'s, by the catalogue's own work calendar.
pub fn next_working_day() -> NaiveDate {
    let catalog = dutyday::catalog::Catalog::load(&config_dir()).expect("the seed catalogue");
    let cal = dutyday::domain::calendar::WorkCalendar::from_days(
        catalog.calendars.iter().flat_map(|c| c.days.clone()).collect(),
    );
    cal.add_working_days(day("2026-12-01"), 1)
}

/// The whole service on a random port over `db` (its catalogue imported on start),
/// its clock fixed at [`NOW`], with tasks generated from three days before, so some
/// are overdue. Returns the base URL.
pub async fn serve(db: &TestDb) -> String {
    serve_with(db, |_| {}).await
}

/// [`serve`] with some settings changed.
pub async fn serve_with(db: &TestDb, change: impl FnOnce(&mut dutyday::config::Settings)) -> String {
    serve_app(db, change).await.0
}

/// [`serve_with`], also returning the served app's state (its pool counts the
/// statements it runs).
pub async fn serve_app(
    db: &TestDb,
    change: impl FnOnce(&mut dutyday::config::Settings),
) -> (String, std::sync::Arc<dutyday::services::AppState>) {
    let mut settings = dutyday::config::Settings {
        database_url: db.url.clone(),
        bind: "127.0.0.1:0".into(),
        config: config_dir(),
        demo_password: Some(PASSWORD.into()),
        ..dutyday::config::Settings::default()
    };
    change(&mut settings);
    let app = dutyday::startup::Application::build(
        settings,
        dutyday::startup::StartOptions {
            scheduler: false,
            clock: dutyday::services::Clock::Fixed(at(NOW)),
            demo_history: false,
        },
    )
    .await
    .expect("build the app");
    let base = format!("http://127.0.0.1:{}", app.port);
    let state = std::sync::Arc::clone(&app.state);
    actix_web::rt::spawn(app.server);
    let pool = db.pool().clone();
    let since = at(NOW) - chrono::Duration::days(3);
    actix_web::web::block(move || {
        dutyday::services::generate::run(&pool, since, None, 14, dutyday::services::generate::Scope::Full)
    })
    .await
    .expect("generate")
    .expect("generate");
    (base, state)
}

/// The CSRF token of the first form on a page.
pub fn csrf(html: &str) -> String {
    let i = html.find("name=\"csrf\" value=\"").expect("a csrf field") + 19;
    html[i..i + html[i..].find('"').expect("end of value")].to_string()
}

/// A copy of `config/` in a temporary folder, with `edit` applied to `file` (which it
/// must change).
pub fn edited_config(file: &str, edit: impl Fn(&str) -> String) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_dir(&config_dir(), dir.path());
    let path = dir.path().join(file);
    let text = std::fs::read_to_string(&path).expect("read");
    let changed = edit(&text);
    assert_ne!(changed, text, "the edit must change {file}");
    std::fs::write(&path, changed).expect("write");
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read dir").flatten() {
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).expect("copy");
        }
    }
}

/// The viewer of a staff member (by name) on `today`.
pub fn viewer_of(db: &TestDb, name: &str, today: NaiveDate) -> dutyday::domain::access::Viewer {
    let id = staff_id(db, name);
    let mut conn = db.pool().get().expect("conn");
    dutyday::services::auth::viewer(&mut conn.any(), id, today).expect("viewer")
}
