//! dutyday at the scale of a large company: 10,000 staff in 1,000 positions across 50
//! departments, 20 templates per position, a year of history (about 10M tasks).
//!
//! ```sh
//! cargo run --release --example bench -- --scale full                      # SQLite
//! cargo run --release --example bench -- --scale full --database-url postgres://postgres@127.0.0.1/dutyday_bench
//! cargo run --example bench -- --scale tiny                                # the CI smoke run
//! ```
//!
//! The company and its history are built once per database and kept; later runs only
//! measure. Each measurement prints the product's figure, the ceiling measured in the
//! same run where there is one, the ratio and the goal, as a Markdown table.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod company;
mod load;
mod measure;

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use clap::Parser;
use dutyday::db::DbPool;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Debug, Parser)]
struct Args {
    /// `tiny` (a smoke run: 36 staff, four weeks), `full` (10,000 staff, a year) or
    /// `peer` (Kanboard's shape: 200 staff, 500 tasks each over a year, 100 done).
    #[arg(long, default_value = "tiny")]
    scale: String,
    /// Default: a SQLite file under target/bench/.
    #[arg(long)]
    database_url: Option<String>,
    /// Seconds of HTTP load per endpoint (default: 30 at full scale, 2 at tiny).
    #[arg(long)]
    seconds: Option<u64>,
    /// Concurrent connections of the HTTP load.
    #[arg(long, default_value_t = 64)]
    connections: usize,
    /// Only these workloads, comma-separated: generation, dashboard, sweep, mail, http.
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// Internal: serve the database on this port (the load runs against a child process).
    #[arg(long, hide = true)]
    serve: Option<u16>,
    /// Database connections of the served child (default: the product's, 8).
    #[arg(long)]
    pool_size: Option<u32>,
}

const PASSWORD: &str = "bench-pass-1";
const METRICS_TOKEN: &str = "bench-metrics";

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let scale = match args.scale.as_str() {
        "tiny" => company::TINY,
        "full" => company::FULL,
        "peer" => company::PEER,
        s => anyhow::bail!("--scale: `{s}` is not tiny, full or peer"),
    };
    let url = args.database_url.clone().unwrap_or_else(|| {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/target/bench");
        let _ = std::fs::create_dir_all(dir);
        format!("sqlite://{dir}/{}.db", scale.name)
    });
    if let Some(port) = args.serve {
        return serve(&url, port, args.pool_size);
    }
    ensure_database(&url)?;
    let pool = DbPool::connect(&url, 8)?;
    pool.migrate()?;
    if !company::ready(&pool)? {
        eprintln!(
            "building the {} company in {} (kept for later runs)…",
            scale.name,
            dutyday::config::redact_url(&url)
        );
        let t = Instant::now();
        company::build(&pool, scale, PASSWORD)?;
        eprintln!("built in {:.0} s", t.elapsed().as_secs_f64());
    }
    let tasks = dutyday::db::tasks::count(&mut pool.get()?.any())?;
    let last = company::today();
    // Monday 09:00 after the last day of history: a working morning, in the sending window.
    let now: DateTime<Utc> = "2026-11-30T01:00:00Z".parse()?;
    println!("\n## {} scale on {} ({tasks} tasks)\n", scale.name, pool.backend_name());
    println!("| workload | dutyday | ceiling (same run) | ratio | goal | |\n| --- | --- | --- | --- | --- | --- |");
    let wanted = |w: &str| args.only.is_empty() || args.only.iter().any(|o| o == w);
    if wanted("generation") {
        measure::generation(&pool, last)?.print();
    }
    if wanted("dashboard") {
        let runs = if scale.name == "full" { 100 } else { 20 };
        measure::dashboard(&pool, last, now, runs)?.print();
    }
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    if wanted("sweep") || wanted("mail") {
        let (lines, messages) = measure::sweep(&pool, now)?;
        lines.iter().for_each(measure::Line::print);
        if wanted("mail") {
            let smtp = start_smtp()?;
            let n = messages.min(if scale.name == "full" { 5000 } else { 200 });
            rt.block_on(async { measure::mail(&pool, smtp, n, now).await })?.print();
        }
    }
    if wanted("http") {
        let seconds = args.seconds.unwrap_or(if scale.name == "tiny" { 2 } else { 30 });
        let load =
            Load { connections: args.connections, duration: Duration::from_secs(seconds), pool_size: args.pool_size };
        for line in rt.block_on(http(&pool, &url, load))? {
            line.print();
        }
    }
    Ok(())
}

/// Creates the PostgreSQL database named in `url` if it does not exist.
fn ensure_database(url: &str) -> anyhow::Result<()> {
    use diesel::{Connection, PgConnection, RunQueryDsl};
    if !url.starts_with("postgres") {
        return Ok(());
    }
    let (base, name) = url.rsplit_once('/').context("a database name in the URL")?;
    let mut admin = PgConnection::establish(&format!("{base}/postgres"))?;
    let exists: i64 = diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(&format!(
        "(SELECT count(*) FROM pg_database WHERE datname = '{name}')"
    )))
    .get_result(&mut admin)?;
    if exists == 0 {
        diesel::sql_query(format!("CREATE DATABASE {name}")).execute(&mut admin)?;
    }
    Ok(())
}

/// The server, in this process (the child the load runs against).
fn serve(url: &str, port: u16, pool_size: Option<u32>) -> anyhow::Result<()> {
    let defaults = dutyday::config::Settings::default();
    let settings = dutyday::config::Settings {
        pool_size: pool_size.or(defaults.pool_size),
        database_url: url.into(),
        bind: format!("127.0.0.1:{port}"),
        demo_password: Some(PASSWORD.into()),
        metrics_token: Some(METRICS_TOKEN.into()),
        ..defaults
    };
    actix_web::rt::System::new().block_on(async move {
        let app = dutyday::startup::Application::build(
            settings,
            dutyday::startup::StartOptions { scheduler: false, clock: Default::default(), demo_history: false },
        )
        .await?;
        app.server.await?;
        Ok(())
    })
}

/// A real SMTP server on loopback that accepts everything.
fn start_smtp() -> anyhow::Result<u16> {
    #[derive(Clone)]
    struct Sink;
    impl mailin_embedded::Handler for Sink {}
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    let mut server = mailin_embedded::Server::new(Sink);
    server
        .with_name("bench.local")
        .with_ssl(mailin_embedded::SslConfig::None)
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .with_num_threads(64)
        .with_tcp_listener(listener);
    std::thread::spawn(move || {
        let _ = server.serve();
    });
    Ok(port)
}

/// How the HTTP workloads load the server.
struct Load {
    connections: usize,
    duration: Duration,
    pool_size: Option<u32>,
}

/// `/healthz` (the ceiling), then `/api/v1/me/tasks` and the `/today` page for random
/// staff, against a child process: throughput, latency, SQL statements per request
/// (from the child's `/metrics`) and the child's peak resident memory.
async fn http(pool: &DbPool, url: &str, load: Load) -> anyhow::Result<Vec<measure::Line>> {
    let Load { connections, duration, pool_size } = load;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let mut command = std::process::Command::new(std::env::current_exe()?);
    command.args(["--database-url", url, "--serve", &port.to_string()]);
    if let Some(n) = pool_size {
        command.args(["--pool-size", &n.to_string()]);
    }
    let mut child = command
        .env("RUST_LOG", "warn")
        // As the Dockerfile runs it: glibc's per-thread malloc arenas otherwise keep
        // memory that a few worker threads do not need.
        .env("MALLOC_ARENA_MAX", "2")
        .spawn()?;
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let started = Instant::now();
    while client.get(format!("{base}/healthz")).send().await.is_err() {
        anyhow::ensure!(started.elapsed() < Duration::from_secs(60), "the server did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let started_kb = status_kb(child.id(), "VmRSS:");
    let secrets = tokens(pool, 1000)?;
    let floor_us = list_floor(pool, &secrets)? * 1e6;
    let tokens: Vec<load::Credential> = secrets.into_iter().map(|t| ("authorization", format!("Bearer {t}"))).collect();
    let users = tokens.len();
    let sessions = sessions(pool, &base, 100).await?;
    let signed_in = sessions.len();
    let signed_in_kb = status_kb(child.id(), "VmRSS:");
    // The first list request reads the directory (every template's names) into the
    // process: part of starting, like the start-up's generation of the coming week.
    let (_, first) = tokens.first().context("a token")?;
    client.get(format!("{base}/api/v1/me/tasks")).header("authorization", first).send().await?.error_for_status()?;
    // The start-up has its own peak; reset the high-water mark so the figure below is
    // the list load's.
    let directory_kb = status_kb(child.id(), "VmRSS:");
    let startup_kb = peak_kb(child.id());
    let _ = std::fs::write(format!("/proc/{}/clear_refs", child.id()), "5");
    let health = load::run(&format!("{base}/healthz"), (Arc::new(vec![]), &[]), connections, duration).await;
    // The same server answering a constant body of about the list's size (its
    // stylesheet, through the same middleware): what HTTP alone costs.
    let constant = load::run(&format!("{base}/static/app.css"), (Arc::new(vec![]), &[]), connections, duration).await;
    let before = counted(&base).await?;
    // As phones and browsers ask: a kept list is sent as it is kept, gzipped.
    let gzip: &[(&str, &str)] = &[("accept-encoding", "gzip")];
    let list = load::run(&format!("{base}/api/v1/me/tasks"), (Arc::new(tokens), gzip), connections, duration).await;
    let per_list = counted(&base).await?.since(before, list.requests);
    let peak_kb = peak_kb(child.id());
    let (anon_kb, file_kb) = (status_kb(child.id(), "RssAnon:"), status_kb(child.id(), "RssFile:"));
    let before = counted(&base).await?;
    let page = load::run(&format!("{base}/today"), (Arc::new(sessions), &[]), connections, duration).await;
    let per_page = counted(&base).await?.since(before, page.requests);
    // The pages' kept lists come on top of the API's (their own budget, see list_cache_kb).
    let after_pages_kb = status_kb(child.id(), "VmRSS:");
    let _ = child.kill();
    let _ = child.wait();
    let share = list.per_sec / health.per_sec.max(1e-9);
    let line = |what: &str, r: &load::LoadResult, (per, met): (f64, f64)| {
        format!(
            "{:.0} req/s ({} requests), p50 {:.1} ms, p99 {:.1} ms, {} errors; {per:.2} SQL statements per request, {met:.1} requests per statement finding who asks{what}",
            r.per_sec, r.requests, r.p50_ms, r.p99_ms, r.errors
        )
    };
    Ok(vec![
        measure::Line {
            workload: format!(
                "GET /api/v1/me/tasks (gzip accepted), {users} users in turn, {connections} connections, {} s",
                duration.as_secs()
            ),
            product: line("", &list, per_list),
            ceiling: format!(
                "/healthz {:.0} req/s, p99 {:.1} ms; a constant {} KB body {:.0} req/s, p99 {:.1} ms; the two statements and the JSON in a loop on one connection: {floor_us:.0} µs a list",
                health.per_sec, health.p99_ms, css_kb(), constant.per_sec, constant.p99_ms
            ),
            ratio: format!("{:.0} %", share * 100.0),
            goal: "≥ 25 %, p99 < 20 ms",
            met: share >= 0.25 && list.p99_ms < 20.0 && list.errors == 0,
        },
        measure::Line {
            workload: format!(
                "GET /today (the page), {signed_in} signed-in users in turn, {connections} connections, {} s",
                duration.as_secs()
            ),
            product: line("", &page, per_page),
            ceiling: format!("/healthz {:.0} req/s", health.per_sec),
            ratio: format!("{:.0} %", page.per_sec / health.per_sec.max(1e-9) * 100.0),
            goal: "p99 < 30 ms",
            met: page.p99_ms < 30.0 && page.errors == 0,
        },
        measure::Line {
            workload: "peak resident memory of the server under the list load".into(),
            product: format!(
                "{:.0} MB (start-up, generating the coming week and reading the directory: {:.0} MB; resident after start {:.0} MB, after {signed_in} sign-ins {:.0} MB, after reading the directory {:.0} MB; after the load {:.0} MB of the heap and stacks, {:.0} MB of the program's own pages and files; resident after the page load {:.0} MB)",
                peak_kb / 1024.0,
                startup_kb / 1024.0,
                started_kb / 1024.0,
                signed_in_kb / 1024.0,
                directory_kb / 1024.0,
                anon_kb / 1024.0,
                file_kb / 1024.0,
                after_pages_kb / 1024.0
            ),
            ceiling: "—".into(),
            ratio: "—".into(),
            goal: "< 64 MB",
            met: peak_kb > 0.0 && peak_kb / 1024.0 < 64.0,
        },
    ])
}

/// The size of the stylesheet the constant-body load fetches, in KB.
fn css_kb() -> usize {
    std::fs::metadata(concat!(env!("CARGO_MANIFEST_DIR"), "/templates/static/app.css"))
        .map_or(0, |m| m.len() as usize / 1000)
}

/// Seconds per list with no HTTP: who is asking and their list (the two statements)
/// and its JSON, for each of `tokens` in turn on one connection, after a pass that
/// warms the directory and notes each token's use.
fn list_floor(pool: &DbPool, tokens: &[String]) -> anyhow::Result<f64> {
    use dutyday::services::{askers, day_list, directory::Cache};
    let (cache, now) = (Cache::default(), Utc::now());
    let mut conn = pool.get()?;
    let mut one = |token: &str| -> anyhow::Result<usize> {
        let (viewer, dir) = askers::by_token(&mut conn.any(), &cache, token, now)?.context("a live token")?;
        Ok(day_list::read(&mut conn.any(), dir, viewer, None, now)?.to_json()?.len())
    };
    for t in tokens {
        one(t)?;
    }
    let started = Instant::now();
    let mut bytes = 0;
    for t in tokens {
        bytes += one(t)?;
    }
    std::hint::black_box(bytes);
    Ok(started.elapsed().as_secs_f64() / tokens.len().max(1) as f64)
}

/// What the child's `/metrics` counts (each scrape runs one statement of its own).
#[derive(Clone, Copy)]
struct Counted {
    /// `dutyday_sql_statements_total`.
    statements: f64,
    /// `dutyday_askers_answered_total` and `dutyday_askers_batches_total`: requests
    /// told who is asking, and the batches they were told in.
    answered: f64,
    batches: f64,
}

impl Counted {
    /// Statements per request of `requests` since `before`, and requests per batch
    /// that found who is asking.
    fn since(self, before: Counted, requests: usize) -> (f64, f64) {
        let statements = (self.statements - before.statements - 1.0) / requests.max(1) as f64;
        (statements, (self.answered - before.answered) / (self.batches - before.batches).max(1.0))
    }
}

async fn counted(base: &str) -> anyhow::Result<Counted> {
    let text =
        reqwest::Client::new().get(format!("{base}/metrics")).bearer_auth(METRICS_TOKEN).send().await?.text().await?;
    let read = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name).and_then(|v| v.strip_prefix(' ')))
            .and_then(|v| v.trim().parse().ok())
            .with_context(|| format!("{name} in /metrics"))
    };
    Ok(Counted {
        statements: read("dutyday_sql_statements_total")?,
        answered: read("dutyday_askers_answered_total")?,
        batches: read("dutyday_askers_batches_total")?,
    })
}

/// Signs `n` staff in through the login page; their session cookies.
async fn sessions(pool: &DbPool, base: &str, n: usize) -> anyhow::Result<Vec<load::Credential>> {
    use diesel::prelude::*;
    use dutyday::db::schema::staff;
    let emails: Vec<String> =
        dutyday::with_conn!(&mut pool.get()?.any(), c => staff::table.select(staff::email).order(staff::id).load(c))?;
    let step = (emails.len() / n).max(1);
    let mut out = Vec::new();
    for email in emails.iter().step_by(step).take(n) {
        let jar = Arc::new(reqwest::cookie::Jar::default());
        let c = reqwest::Client::builder()
            .cookie_provider(Arc::clone(&jar))
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        let page = c.get(format!("{base}/login")).send().await?.text().await?;
        let at = page.find("name=\"csrf\" value=\"").context("the login form")? + 19;
        let csrf = &page[at..at + page[at..].find('"').context("csrf")?];
        let form = [("csrf", csrf), ("email", email.as_str()), ("password", PASSWORD)];
        let res = c.post(format!("{base}/login")).form(&form).send().await?;
        anyhow::ensure!(res.status() == reqwest::StatusCode::SEE_OTHER, "{email} could not sign in");
        let url: reqwest::Url = base.parse()?;
        let cookie = reqwest::cookie::CookieStore::cookies(jar.as_ref(), &url).context("a session cookie")?;
        out.push(("cookie", cookie.to_str()?.to_string()));
    }
    Ok(out)
}

/// A process's peak resident memory (VmHWM) in KiB.
fn peak_kb(pid: u32) -> f64 {
    status_kb(pid, "VmHWM:")
}

/// A line of a process's `/proc/<pid>/status` given in KiB (`VmRSS:`, `VmHWM:`).
fn status_kb(pid: u32, key: &str) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with(key)).and_then(|l| l.split_whitespace().nth(1)?.parse().ok()))
        .unwrap_or(0.0)
}

/// Bearer tokens for `n` staff spread over the company.
fn tokens(pool: &DbPool, n: usize) -> anyhow::Result<Vec<String>> {
    use diesel::prelude::*;
    use dutyday::db::schema::staff;
    let mut conn = pool.get()?;
    let ids: Vec<i64> =
        dutyday::with_conn!(&mut conn.any(), c => staff::table.select(staff::id).order(staff::id).load(c))?;
    let step = (ids.len() / n).max(1);
    let now = Utc::now().naive_utc();
    let mut out = Vec::new();
    for id in ids.iter().step_by(step).take(n) {
        let secret = dutyday::services::auth::new_secret("bench_");
        dutyday::db::accounts::insert_token(
            &mut conn.any(),
            dutyday::domain::task::StaffId(*id),
            "bench",
            &dutyday::services::auth::digest(&secret),
            now,
        )?;
        out.push(secret);
    }
    Ok(out)
}
