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
}

impl StartOptions {
    /// The service as it runs in production: scheduler on, system clock.
    pub fn serving() -> Self {
        StartOptions { scheduler: true, clock: crate::services::Clock::System }
    }
}

/// Connects to the database (failing with its real error) and migrates it.
pub fn open_database(settings: &Settings) -> anyhow::Result<DbPool> {
    let pool = DbPool::connect(&settings.database_url, settings.pool_size)?;
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

/// The key that signs session cookies: made once and kept in the database, so every
/// instance (and every restart) accepts the same cookies.
fn session_key(pool: &DbPool) -> anyhow::Result<actix_web::cookie::Key> {
    use rand::distr::{Alphanumeric, SampleString};
    let fresh = Alphanumeric.sample_string(&mut rand::rng(), 64);
    let secret =
        crate::db::accounts::shared_secret(&mut pool.get()?.any(), "session_key", &fresh, Utc::now().naive_utc())?;
    Ok(actix_web::cookie::Key::derive_from(secret.as_bytes()))
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
        let pool = open_database(&settings)?;
        let (report, generated_password) = import_catalogue(&pool, &settings)?;
        let files = Catalog::load(&settings.config);
        let demo = files.as_ref().is_ok_and(|c| c.company.demo);
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
        if let Some(note) = &catalogue_note {
            tracing::warn!("{note}");
        }
        let state = Arc::new(AppState { pool, settings, mailer, clock: opts.clock });
        if opts.scheduler {
            // Told at start, not at the first reminder; the outbox keeps mail until it answers.
            let probe = state.clone();
            tokio::spawn(async move {
                if let Err(e) = probe.mailer.check_connection().await {
                    tracing::error!(error = %e, "the SMTP server cannot be reached; mail waits in the outbox");
                }
            });
        }
        crate::jobs::log_run(&crate::jobs::run_once(&state, state.clock.now()));
        let scheduler = if opts.scheduler {
            Some(crate::jobs::start(state.clone()).await.context("starting the scheduler")?)
        } else {
            None
        };
        let listener = TcpListener::bind(&state.settings.bind)
            .with_context(|| format!("cannot listen on {}", state.settings.bind))?;
        let port = listener.local_addr()?.port();
        let key = session_key(&state.pool)?;
        let secure = state.settings.base_url.starts_with("https://");
        let data = actix_web::web::Data::from(state.clone());
        // Blocking work waits for a database connection anyway: more threads than
        // connections only add memory (each thread's allocator arena) and contention.
        let workers = std::thread::available_parallelism().map_or(2, usize::from);
        let blocking = (state.settings.pool_size as usize).div_ceil(workers).max(2);
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .wrap(actix_web::middleware::from_fn(web::error::localize))
                .wrap(web::pages::session_middleware(key.clone(), secure))
                // Outermost: every request gets an id and a span that the rest logs under.
                .wrap(tracing_actix_web::TracingLogger::default())
                .configure(web::configure)
        })
        .workers(workers)
        .worker_max_blocking_threads(blocking)
        .listen(listener)?
        .run();
        Ok(Application {
            port,
            server,
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
