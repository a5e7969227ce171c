//! Building the whole service on any port: pool, migrations, first import, the
//! scheduler and the HTTP server. Tests start exactly this on port 0.

use crate::catalog::Catalog;
use crate::config::Settings;
use crate::db::DbPool;
use crate::services::import::{self, ImportReport};
use crate::web::{self, AppState};
use actix_web::dev::Server;
use actix_web::{App, HttpServer};
use anyhow::Context as _;
use chrono::Utc;
use std::net::TcpListener;
use std::sync::Arc;

/// A built, not yet awaited, service.
pub struct Application {
    pub port: u16,
    pub server: Server,
    pub state: Arc<AppState>,
    /// The listening socket, to stop new connections gracefully at shutdown.
    pub door: crate::shutdown::Door,
    /// Kept alive for the scheduler's ticks.
    pub scheduler: Option<crate::jobs::Scheduled>,
    /// Set on the start that imported the catalogue.
    pub import: Option<ImportReport>,
    /// The demo password generated at that start, to print once.
    pub generated_password: Option<String>,
    /// Where mail goes, for the start-up message.
    pub mailer_line: String,
    /// Whether the catalogue is a demo's (its staff share a password).
    pub demo: bool,
    /// Said at start when the catalogue files differ from the database's catalogue or
    /// no longer validate.
    pub catalogue_note: Option<String>,
}

/// Options the binary and tests set differently.
#[derive(Debug, Clone, Copy)]
pub struct StartOptions {
    /// Run the generation job on its cron schedule.
    pub scheduler: bool,
    /// Where handlers take "now" from (the system clock but in tests).
    pub clock: crate::services::Clock,
    /// On the first start of a demo catalogue, make its last 30 working days of
    /// history (`services::demo`).
    pub demo_history: bool,
}

impl StartOptions {
    /// The service as it runs in production: scheduler on, system clock.
    pub fn serving() -> Self {
        StartOptions { scheduler: true, clock: crate::services::Clock::System, demo_history: true }
    }
}

/// Connects to the database (failing with its real error) and migrates it. When
/// there is no database yet, the catalogue files must validate first: a bad one
/// stops here, before a file is made or a migration runs.
pub fn open_database(settings: &Settings) -> anyhow::Result<DbPool> {
    if let Err(e) = Catalog::load(&settings.config) {
        if crate::db::is_new(&settings.database_url)? {
            return Err(e.into());
        }
    }
    let pool = DbPool::connect(&settings.database_url, settings.pool_size())?;
    pool.migrate()?;
    Ok(pool)
}

/// Imports `config/company` when the database is empty; returns the report and the
/// demo password generated for it, if none was configured.
pub fn import_catalogue(pool: &DbPool, settings: &Settings) -> anyhow::Result<(ImportReport, Option<String>)> {
    let mut conn = pool.get()?;
    if crate::db::org::company(&mut conn.any())?.is_some() {
        return Ok((ImportReport { imported: false, staff: 0, calendar_years: vec![] }, None));
    }
    drop(conn);
    let catalog = Catalog::load(&settings.config)?;
    // Only a demo company's staff share a password; a real company's are invited.
    let demo = catalog.company.demo;
    let generated = (demo && settings.demo_password.is_none()).then(random_password);
    let password = if demo { settings.demo_password.as_deref().or(generated.as_deref()) } else { None };
    let report = import::import_if_empty(pool, &catalog, password, Utc::now())?;
    Ok((report.clone(), generated.filter(|_| report.imported)))
}

/// The keys that sign session cookies, newest first: `DUTYDAY_SECRET_KEY` when set.
/// Without it, a demo company makes one key once and keeps it in the database, so
/// every instance (and every restart) accepts the same cookies; any other company
/// must set the variable, since whoever reads the database could read that key.
/// When the catalogue files cannot say whether the company is a demo (`None`), a key
/// the database already keeps is used, but none is made.
fn session_keys(pool: &DbPool, settings: &Settings, demo: Option<bool>) -> anyhow::Result<Vec<actix_web::cookie::Key>> {
    use rand::distr::{Alphanumeric, SampleString};
    let mut keys = settings.session_keys().map_err(|m| anyhow::anyhow!("DUTYDAY_SECRET_KEY: {m}"))?;
    if keys.is_empty() {
        let conn = &mut pool.get()?;
        let kept = match demo {
            Some(true) => {
                let fresh = Alphanumeric.sample_string(&mut rand::rng(), 64);
                Some(crate::db::accounts::shared_secret(
                    &mut conn.any(),
                    "session_key",
                    &fresh,
                    Utc::now().naive_utc(),
                )?)
            }
            _ => crate::db::accounts::existing_secret(&mut conn.any(), "session_key")?,
        };
        keys.push(kept.ok_or_else(|| anyhow::anyhow!(NO_KEY))?);
    }
    Ok(keys.iter().map(|k| actix_web::cookie::Key::derive_from(k.as_bytes())).collect())
}

const NO_KEY: &str = "DUTYDAY_SECRET_KEY: not set; a company that is not a demo needs a key of 32 characters or more to sign session cookies (e.g. `openssl rand -base64 48`)";

/// Refuses, before any database is made, to start a company that is not a demo
/// without `DUTYDAY_SECRET_KEY`.
fn check_session_keys(settings: &Settings, demo: Option<bool>) -> anyhow::Result<()> {
    let keys = settings.session_keys().map_err(|m| anyhow::anyhow!("DUTYDAY_SECRET_KEY: {m}"))?;
    anyhow::ensure!(demo != Some(false) || !keys.is_empty(), NO_KEY);
    Ok(())
}

/// Where a generated demo password is kept: beside the SQLite database, or in the
/// working folder for PostgreSQL.
pub fn demo_password_file(settings: &Settings) -> std::path::PathBuf {
    let dir = match crate::db::Backend::from_url(&settings.database_url) {
        crate::db::Backend::Sqlite(path) => std::path::Path::new(&path).parent().map(std::path::Path::to_path_buf),
        crate::db::Backend::Postgres(_) => None,
    };
    dir.filter(|d| !d.as_os_str().is_empty()).unwrap_or_default().join("dutyday-demo-password.txt")
}

/// A generated demo password goes only where the operator alone reads it: an
/// owner-only file, and the terminal when `out` is one, never a log file.
pub fn demo_password_line(settings: &Settings, password: &str, out: impl std::io::IsTerminal) -> String {
    let file = demo_password_file(settings);
    let kept = crate::files::write_private(&file, format!("{password}\n").as_bytes());
    match (kept, out.is_terminal()) {
        (Ok(()), true) => format!("demo password (generated now; also in {}): {password}", file.display()),
        (Ok(()), false) => format!("demo password: generated now, in {} (readable only by you)", file.display()),
        (Err(e), true) => format!("demo password (generated now, shown once; {}: {e}): {password}", file.display()),
        (Err(e), false) => format!(
            "demo password: generated now, but {} could not be written ({e}); set DUTYDAY_DEMO_PASSWORD on an empty database",
            file.display()
        ),
    }
}

fn random_password() -> String {
    use rand::distr::{Alphanumeric, SampleString};
    Alphanumeric.sample_string(&mut rand::rng(), 12)
}

impl Application {
    /// Builds everything and binds `settings.bind` (port 0 picks a free port).
    pub async fn build(settings: Settings, opts: StartOptions) -> anyhow::Result<Application> {
        let mailer = crate::notify::Mailer::from_settings(&settings).context("mail settings")?;
        let mailer_line = mailer.describe(&settings);
        let files = Catalog::load(&settings.config);
        // Before a database is made: a real company's cookies need a key of its own.
        let files_demo = files.as_ref().ok().map(|c| c.company.demo);
        let demo = files_demo == Some(true);
        check_session_keys(&settings, files_demo)?;
        let pool = open_database(&settings)?;
        let (report, generated_password) = import_catalogue(&pool, &settings)?;
        let catalogue_note = match (&files, report.imported) {
            (_, true) => None,
            (Err(e), false) => Some(format!("the catalogue files do not validate ({e}); the database's catalogue is in use")),
            (Ok(c), false) => match crate::services::catalog_diff::diff(&pool, c) {
                Ok(d) if d.is_empty() => None,
                Ok(d) => Some(format!(
                    "the catalogue files differ from the database in {} items; see `dutyday catalog diff` (the database's catalogue is in use)",
                    d.len()
                )),
                Err(e) => Some(format!("the catalogue files could not be compared with the database: {e}")),
            },
        };
        // A large catalogue's files take megabytes: give them back before the
        // directory below is read, so that it can use the same memory.
        drop(files);
        if let Some(note) = &catalogue_note {
            tracing::warn!("{note}");
        }
        let list_cache_bytes = settings.list_cache_kb.saturating_mul(1024);
        let asking = crate::services::asking::Asking::for_pool(settings.pool_size());
        let state = Arc::new(AppState {
            pool,
            settings,
            mailer,
            clock: opts.clock,
            draining: Default::default(),
            directory: Default::default(),
            lists: crate::services::list_cache::ListCache::with_budget(list_cache_bytes),
            pages: crate::services::list_cache::ListCache::with_budget(list_cache_bytes),
            asking,
        });
        if opts.scheduler {
            // Told at start, not at the first reminder; the outbox keeps mail until it answers.
            let probe = state.clone();
            tokio::spawn(async move {
                if let Err(e) = probe.mailer.check_connection().await {
                    tracing::error!(error = %e, "the SMTP server cannot be reached; mail waits in the outbox");
                }
            });
        }
        if demo && report.imported && opts.demo_history {
            let made = crate::services::demo::seed_history(&state.pool, state.clock.now())
                .context("making the demo's history")?;
            tracing::info!(
                tasks = made.tasks,
                on_time = made.on_time,
                late = made.late,
                skipped = made.skipped,
                open = made.open,
                "the demo company starts with {} working days of history",
                crate::services::demo::HISTORY_WORKING_DAYS
            );
        }
        crate::jobs::log_run(&crate::jobs::run_once(&state, state.clock.now()));
        // The directory every list reads, read now: the first request does not wait
        // for it, and on this thread it reuses the memory the catalogue comparison
        // above gave back instead of taking more in a worker's allocator arena.
        let warmed = state
            .pool
            .get()
            .map_err(crate::error::AppError::from)
            .and_then(|mut c| state.directory.current(&mut c.any()));
        if let Err(e) = warmed {
            tracing::warn!(error = %e, "the directory could not be read at start; the first request will read it");
        }
        let scheduler = if opts.scheduler {
            Some(crate::jobs::start(state.clone()).await.context("starting the scheduler")?)
        } else {
            None
        };
        let listener = TcpListener::bind(&state.settings.bind)
            .with_context(|| format!("cannot listen on {}", state.settings.bind))?;
        let port = listener.local_addr()?.port();
        let door = crate::shutdown::Door::of(&listener)?;
        let secure = state.settings.base_url.starts_with("https://");
        let keys = session_keys(&state.pool, &state.settings, files_demo)?;
        let key = keys[0].clone();
        let rekey = actix_web::web::Data::new(web::guard::SessionKeys { keys, secure });
        let data = actix_web::web::Data::from(state.clone());
        // Blocking work waits for a database connection anyway: more threads than
        // connections only add memory (each thread's allocator arena) and contention.
        let workers = std::thread::available_parallelism().map_or(2, usize::from);
        let blocking = (state.settings.pool_size() as usize).div_ceil(workers).max(2);
        let body_timeout = std::time::Duration::from_secs(state.settings.body_timeout_secs);
        // Requests by route; unknown paths are counted under one label, and Swagger
        // UI's catch-all route is left out (its pattern cannot be a label).
        let prom = actix_web_prom::PrometheusMetricsBuilder::new("dutyday")
            .mask_unmatched_patterns("UNKNOWN")
            .exclude("/metrics")
            .exclude_regex("^/api/docs")
            .build()
            .map_err(|e| anyhow::anyhow!("request metrics: {e}"))?;
        let http_registry = actix_web::web::Data::new(web::metrics::HttpRegistry(prom.registry.clone()));
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .app_data(rekey.clone())
                .app_data(http_registry.clone())
                .wrap(actix_web::middleware::from_fn(web::error::localize))
                .wrap(web::pages::session_middleware(key.clone(), secure))
                .wrap(actix_web::middleware::from_fn(web::guard::rekey))
                .wrap(actix_web::middleware::from_fn(web::guard::headers))
                .wrap(actix_web::middleware::from_fn(move |req, next| {
                    web::guard::body_deadline(body_timeout, req, next)
                }))
                .wrap(prom.clone())
                // Outermost: every request gets an id and a span that the rest logs under.
                .wrap(tracing_actix_web::TracingLogger::default())
                .configure(web::configure)
        })
        .workers(workers)
        .worker_max_blocking_threads(blocking)
        // Signals are `run_until_stopped`'s: it drains before it stops the server.
        .disable_signals()
        .shutdown_timeout(state.settings.shutdown_grace_secs)
        .listen(listener)?
        .run();
        Ok(Application {
            port,
            server,
            door,
            state,
            scheduler,
            import: report.imported.then_some(report),
            generated_password,
            mailer_line,
            demo,
            catalogue_note,
        })
    }
}
