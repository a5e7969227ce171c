//! The `dutyday` command line. Exit codes: 0 success, 2 bad input, 1 anything else.

use crate::catalog::Catalog;
use crate::config::Settings;
use crate::domain::template::Plan;
use crate::services::{self, AppError};
use crate::startup::{self, Application, StartOptions};
use chrono::{DateTime, NaiveDate, Utc};
use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// dutyday: an organisation's written duties, as everyone's daily work.
#[derive(Debug, Parser)]
#[command(name = "dutyday", version, about)]
pub struct Cli {
    /// The config folder (company/, calendars/, default.toml).
    #[arg(long, global = true, value_name = "DIR")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the service (the default): migrate, import an empty database, schedule, serve.
    Serve,
    /// Validate the catalogue and print its counts.
    Check,
    /// Print the next due times of a template, one RFC 3339 timestamp per line.
    Preview {
        template: String,
        #[arg(long, value_name = "YYYY-MM-DD")]
        from: NaiveDate,
        #[arg(long, default_value_t = 10)]
        count: usize,
    },
    /// Materialise tasks up to a date.
    Generate {
        #[arg(long, value_name = "YYYY-MM-DD")]
        through: NaiveDate,
        /// The time to generate as of (default: now).
        #[arg(long, value_name = "RFC3339")]
        now: Option<DateTime<Utc>>,
    },
    /// Fire a named event, such as employee_hired.
    Event {
        name: String,
        #[arg(long)]
        subject: Option<String>,
        #[arg(long, value_name = "YYYY-MM-DD")]
        at: Option<NaiveDate>,
        #[arg(long, value_name = "RFC3339")]
        now: Option<DateTime<Utc>>,
    },
    /// Work calendars.
    Calendar {
        #[command(subcommand)]
        action: CalendarAction,
    },
    /// The catalogue files against the database's catalogue.
    Catalog {
        #[command(subcommand)]
        action: CatalogAction,
    },
    /// Apply database migrations and import the catalogue into an empty database.
    Migrate,
    /// People's accounts.
    People {
        #[command(subcommand)]
        action: PeopleAction,
    },
    /// Copy the SQLite database to FILE, consistently, also while the service runs
    /// (on PostgreSQL: use pg_dump).
    Backup { file: PathBuf },
    /// Replace the SQLite database with the backup FILE, after checking it; stop the
    /// service first (on PostgreSQL: use pg_restore).
    Restore {
        file: PathBuf,
        /// Overwrite an existing database.
        #[arg(long)]
        replace: bool,
    },
    /// Decide the reminders owed now and send everything due; prints `queued=N sent=M failed=K`.
    Remind {
        /// The time to decide and send as of (default: now).
        #[arg(long, value_name = "RFC3339")]
        now: Option<DateTime<Utc>>,
    },
}

#[derive(Debug, Subcommand)]
pub enum PeopleAction {
    /// Mail a person a link to set their password (valid for 72 hours); it goes with
    /// the next reminder tick, or `dutyday remind`.
    Invite { email: String },
    /// List everyone: id, email, name, active, positions held today.
    List,
    /// Add and update people from a CSV file (UTF-8 with or without BOM, or GB18030):
    /// columns name/姓名, email/邮箱, locale/语言, start/入职日期, positions/岗位,
    /// last_day/离职日期. New people are invited. Any bad row changes nothing.
    Import {
        file: PathBuf,
        /// Print what would change, and change nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// A person leaves after their last day (YYYY-MM-DD): their holdings end, open
    /// tasks after it move on, they cannot sign in from the next day.
    Deactivate {
        email: String,
        #[arg(long, value_name = "YYYY-MM-DD")]
        last_day: chrono::NaiveDate,
    },
}

#[derive(Debug, Subcommand)]
pub enum CatalogAction {
    /// Print what the files would change: items added, changed (with the fields) and
    /// retired, one a line; exits 0 (2 when the files do not validate).
    Diff,
    /// Apply the files to the database from a date, in one transaction: templates
    /// changed get a new version (open tasks from that date follow it), retired ones
    /// stop; tasks before the date are not touched.
    Apply {
        /// The first date the change applies to (default: today; not before today).
        #[arg(long, value_name = "YYYY-MM-DD")]
        effective: Option<chrono::NaiveDate>,
        /// Report what would change, and change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Shown on the tasks it cancels.
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// Write the database's catalogue as files that `check` accepts (company/*.toml,
    /// company/duties.tsv, calendars/*.tsv; staff as of today, no passwords).
    Export { dir: PathBuf },
}

#[derive(Debug, Subcommand)]
pub enum CalendarAction {
    /// Load a calendar file (date, kind, name), replacing the years it covers.
    Load { file: PathBuf },
}

/// A failure and the exit code it earns.
pub struct Failure {
    pub code: u8,
    pub message: String,
}

impl From<AppError> for Failure {
    fn from(e: AppError) -> Self {
        let message = if e.is_bad_input() { e.to_string() } else { e.detail() };
        Failure { code: e.class().exit_code(), message }
    }
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        let code = match (e.downcast_ref::<crate::catalog::CatalogError>(), e.downcast_ref::<AppError>()) {
            (Some(_), _) => 2,
            (None, Some(app)) => app.class().exit_code(),
            (None, None) => 1,
        };
        Failure { code, message: format!("{e:#}") }
    }
}

fn backup_failure(e: crate::db::backup::BackupError) -> Failure {
    let code = match e {
        crate::db::backup::BackupError::Refused(_) => 2,
        crate::db::backup::BackupError::Failed(_) => 1,
    };
    Failure { code, message: e.to_string() }
}

fn bad(message: String) -> Failure {
    Failure { code: 2, message }
}

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> Result<(), Failure> {
    let settings = Settings::load(cli.config.as_deref()).map_err(|e| bad(e.to_string()))?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(settings).await,
        Command::Backup { file } => {
            crate::db::backup::backup(&settings.database_url, &file).map_err(backup_failure)?;
            println!("backed up to {}", file.display());
            Ok(())
        }
        Command::Restore { file, replace } => {
            crate::db::backup::restore(&settings.database_url, &file, replace).map_err(backup_failure)?;
            println!("restored from {}", file.display());
            Ok(())
        }
        Command::Check => {
            let catalog = Catalog::load(&settings.config).map_err(|e| bad(e.to_string()))?;
            println!("{}", catalog.summary());
            Ok(())
        }
        Command::Preview { template, from, count } => preview(&settings, &template, from, count),
        Command::Generate { through, now } => {
            off_thread(move || {
                let pool = ready_database(&settings)?;
                let r = services::generate::run(
                    &pool,
                    now.unwrap_or_else(Utc::now),
                    Some(through),
                    settings.horizon_days,
                    services::generate::Scope::Full,
                )?;
                println!("created={} existing={}", r.created, r.existing);
                Ok(())
            })
            .await
        }
        Command::Event { name, subject, at, now } => {
            off_thread(move || {
                let pool = ready_database(&settings)?;
                let r = services::events::fire(
                    &pool,
                    services::events::FiredBy::Anyone,
                    &name,
                    subject.as_deref(),
                    at,
                    now.unwrap_or_else(Utc::now),
                )?;
                if let Some(w) = &r.warning {
                    eprintln!("warning: {w}");
                }
                println!("event={} id={} created={} existing={}", name, r.event_id, r.created, r.existing);
                Ok(())
            })
            .await
        }
        Command::Calendar { action: CalendarAction::Load { file } } => {
            off_thread(move || {
                let pool = ready_database(&settings)?;
                let (years, days) = services::calendar::load_file(&pool, &file, Utc::now())?;
                let years: Vec<String> = years.iter().map(i32::to_string).collect();
                println!("loaded years={} days={}", years.join(","), days);
                Ok(())
            })
            .await
        }
        Command::Catalog { action: CatalogAction::Diff } => {
            off_thread(move || {
                let catalog = Catalog::load(&settings.config).map_err(|e| bad(e.to_string()))?;
                let pool = ready_database(&settings)?;
                let changes = services::catalog_diff::diff(&pool, &catalog)?;
                for c in &changes {
                    let fields = if c.fields.is_empty() { String::new() } else { format!(": {}", c.fields.join(", ")) };
                    println!("{:<8}{}{fields}", c.what, c.item);
                }
                println!("{} changes", changes.len());
                Ok(())
            })
            .await
        }
        Command::Catalog { action: CatalogAction::Apply { effective, dry_run, reason } } => {
            off_thread(move || {
                let catalog = Catalog::load(&settings.config).map_err(|e| bad(e.to_string()))?;
                let pool = ready_database(&settings)?;
                let opts = services::catalog_apply::ApplyOptions {
                    effective,
                    dry_run,
                    reason,
                    horizon_days: settings.horizon_days,
                };
                let actor = services::audit::Actor::Operator;
                let a = services::catalog_apply::apply(&pool, actor, &catalog, &opts, Utc::now())?;
                for c in &a.changes {
                    let fields = if c.fields.is_empty() { String::new() } else { format!(": {}", c.fields.join(", ")) };
                    println!("{:<8}{}{fields}", c.what, c.item);
                }
                let verb = if a.applied { "applied" } else { "dry run, nothing changed:" };
                println!(
                    "{verb} {} changes from {}; open tasks revised={} cancelled={}; created={}",
                    a.changes.len(),
                    a.effective,
                    a.tasks.revised,
                    a.tasks.cancelled,
                    a.created
                );
                Ok(())
            })
            .await
        }
        Command::Catalog { action: CatalogAction::Export { dir } } => {
            off_thread(move || {
                let pool = ready_database(&settings)?;
                let files = services::catalog_export::export(&pool, &dir, Utc::now())?;
                println!("wrote {} files to {}", files.len(), dir.display());
                Ok(())
            })
            .await
        }
        Command::Migrate => off_thread(move || ready_database(&settings).map(|_| ())).await,
        Command::People { action: PeopleAction::Invite { email } } => {
            off_thread(move || {
                let pool = ready_database(&settings)?;
                let until = services::links::invite_by_email(&pool, &email, &settings.base_url, Utc::now())?;
                println!("invitation queued for {email}; the link works until {}", until.to_rfc3339());
                Ok(())
            })
            .await
        }
        Command::People { action: PeopleAction::List } => {
            off_thread(move || {
                let pool = ready_database(&settings)?;
                for p in services::people::list_as_operator(&pool, Utc::now())? {
                    let state = if p.active { "active" } else { "left" };
                    println!("{}\t{}\t{}\t{state}\t{}", p.id, p.email, p.name, p.positions.join(","));
                }
                Ok(())
            })
            .await
        }
        Command::People { action: PeopleAction::Import { file, dry_run } } => {
            off_thread(move || {
                let bytes = std::fs::read(&file).map_err(|e| bad(format!("{}: {e}", file.display())))?;
                let pool = ready_database(&settings)?;
                let lang = crate::i18n::Lang::En;
                let r = services::people_import::import_as(
                    &pool,
                    services::audit::Actor::Operator,
                    &bytes,
                    dry_run,
                    lang,
                    &settings.base_url,
                    Utc::now(),
                )
                .map_err(|e| {
                    let f = Failure::from(e);
                    Failure { code: f.code, message: format!("{}: {}", file.display(), f.message) }
                })?;
                if !r.problems.is_empty() {
                    let lines: Vec<String> =
                        r.problems.iter().map(|p| format!("{}: {}", file.display(), p.message)).collect();
                    return Err(bad(lines.join("\n")));
                }
                for row in &r.rows {
                    println!(
                        "row {}\t{:?}\t{}\t{}\t{}",
                        row.row,
                        row.action,
                        row.email,
                        row.name,
                        row.changes.join("; ")
                    );
                }
                let verb = if r.applied { "applied" } else { "dry run: nothing changed" };
                println!("{} rows, {verb}", r.rows.len());
                Ok(())
            })
            .await
        }
        Command::People { action: PeopleAction::Deactivate { email, last_day } } => {
            off_thread(move || {
                let pool = ready_database(&settings)?;
                let r = services::people::deactivate_by_email(&pool, &email, last_day, Utc::now())?;
                println!("{email} leaves after {last_day}; {} open tasks moved, {} removed", r.moved, r.removed);
                Ok(())
            })
            .await
        }
        Command::Remind { now } => {
            let mailer = crate::notify::Mailer::from_settings(&settings).map_err(|e| bad(format!("{e:#}")))?;
            let s = settings.clone();
            let pool = tokio::task::spawn_blocking(move || ready_database(&s))
                .await
                .map_err(|e| Failure { code: 1, message: e.to_string() })??;
            let report =
                services::remind::pass(&pool, &mailer, &settings.base_url, now.unwrap_or_else(Utc::now)).await?;
            println!("{report}");
            Ok(())
        }
    }
}

async fn off_thread(f: impl FnOnce() -> Result<(), Failure> + Send + 'static) -> Result<(), Failure> {
    tokio::task::spawn_blocking(f).await.map_err(|e| Failure { code: 1, message: e.to_string() })?
}

/// The database migrated and the catalogue imported, as every command needs it.
fn ready_database(settings: &Settings) -> Result<crate::db::DbPool, Failure> {
    let pool = startup::open_database(settings)?;
    let (report, generated) = startup::import_catalogue(&pool, settings)?;
    if report.imported {
        eprintln!("imported the catalogue: {} staff", report.staff);
        match generated {
            Some(p) => eprintln!("{}", startup::demo_password_line(settings, &p, std::io::stderr())),
            None if settings.demo_password.is_none() => {
                eprintln!("no passwords: invite people with `dutyday people invite EMAIL`")
            }
            None => {}
        }
    }
    Ok(pool)
}

fn preview(settings: &Settings, id: &str, from: NaiveDate, count: usize) -> Result<(), Failure> {
    let catalog = Catalog::load(&settings.config).map_err(|e| bad(e.to_string()))?;
    let Some(t) = catalog.template(id) else {
        return Err(bad(format!("no template `{id}` in {}", settings.config.join("company/templates.toml").display())));
    };
    let Plan::Schedule(schedule) = &t.plan else {
        return Err(bad(format!("template `{id}` is triggered by an event; it has no dates of its own")));
    };
    // The calendar of the template's department, as the running service reads it.
    let department = catalog.positions.iter().find(|p| p.id == t.position).map(|p| p.department.clone());
    let cal = catalog.calendar_of(&department.unwrap_or_default());
    let tz = catalog.company.timezone;
    let cal = &cal;
    let instants = schedule.next_n(from, count, cal).into_iter().flat_map(|d| {
        t.occurrences_on(d).into_iter().map(move |(_, rule)| rule.due_at(d, cal, tz)).collect::<Vec<_>>()
    });
    for at in instants.take(count) {
        println!("{}", at.with_timezone(&tz).to_rfc3339());
    }
    Ok(())
}

async fn serve(settings: Settings) -> Result<(), Failure> {
    let app = Application::build(settings, StartOptions::serving()).await?;
    let base = format!("http://{}", app.state.settings.bind.replace(":0", &format!(":{}", app.port)));
    if let Some(r) = &app.import {
        println!("Imported the company catalogue: {} staff, calendars for {:?}.", r.staff, r.calendar_years);
    }
    println!("dutyday is running at {base}  (backend: {})", app.state.pool.backend_name());
    if let Some(note) = &app.catalogue_note {
        println!("  note: {note}");
    }
    if app.demo {
        let pool = app.state.pool.clone();
        let examples = tokio::task::spawn_blocking(move || services::people::sign_in_examples(&pool, Utc::now()))
            .await
            .ok()
            .and_then(Result::ok)
            .unwrap_or_default();
        let list: Vec<String> = examples.iter().map(|(email, what)| format!("{email} ({what})")).collect();
        println!("  log in at {base}/login as any demo staff, e.g. {}", list.join(", "));
    } else {
        println!("  log in at {base}/login; people set their password from an invitation:");
        println!("  dutyday people invite EMAIL (or POST /api/v1/people/{{id}}/invitation as an admin)");
    }
    println!("  API docs: {base}/api/docs   health: {base}/healthz");
    println!("  mail: {}", app.mailer_line);
    match &app.generated_password {
        Some(p) => println!("  {}", startup::demo_password_line(&app.state.settings, p, std::io::stdout())),
        None if !app.demo => {}
        None if app.import.is_some() => println!("  demo password: the value of DUTYDAY_DEMO_PASSWORD"),
        None => println!(
            "  demo password: in {} since the first start (or DUTYDAY_DEMO_PASSWORD then)",
            startup::demo_password_file(&app.state.settings).display()
        ),
    }
    crate::shutdown::run_until_stopped(app).await.map_err(|e| Failure { code: 1, message: e.to_string() })
}
