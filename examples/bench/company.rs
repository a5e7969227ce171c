//! The synthetic company and its year of history.
//!
//! The company is written as a catalogue folder (the same files a real company
//! writes) and imported through the product's own import; its history is made by
//! the product's generation, a month at a time, and then given a realistic mix of
//! outcomes with a few set-based updates. The database is kept between runs.

use anyhow::Context as _;
use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};
use dutyday::db::{AnyConn, DbPool};
use dutyday::services::generate::{self, Scope};
use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

/// How big the company is.
#[derive(Debug, Clone, Copy)]
pub struct Scale {
    pub name: &'static str,
    pub departments: usize,
    pub positions_per_department: usize,
    pub staff_per_position: usize,
    pub history_days: u64,
    /// Kanboard's data shape instead of generated history: 500 tasks per person over
    /// a year centred on the benchmark's now, 100 of them done (see [`build_peer`]).
    pub peer: bool,
}

pub const TINY: Scale = Scale {
    name: "tiny",
    departments: 3,
    positions_per_department: 3,
    staff_per_position: 4,
    history_days: 28,
    peer: false,
};
pub const FULL: Scale = Scale {
    name: "full",
    departments: 50,
    positions_per_department: 20,
    staff_per_position: 10,
    history_days: 365,
    peer: false,
};
/// 200 staff (2 departments × 10 positions × 10), as in the Kanboard measurement.
pub const PEER: Scale = Scale {
    name: "peer",
    departments: 2,
    positions_per_department: 10,
    staff_per_position: 10,
    history_days: 365,
    peer: true,
};

/// The last day of history; the benchmark's "now" is the next working morning.
pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 27).unwrap_or_default()
}

/// 20 templates per position, of mixed cadence: three every working day, one on each
/// weekday, six monthly on a date, two on the nth / last working day, two quarterly,
/// two yearly and two triggered by events (which make no tasks unless fired).
fn templates(out: &mut String, pos: &str, peer: bool) {
    let mut t = |i: usize, kind: &str, body: &str| {
        let _ = write!(
            out,
            "[[template]]\nid = \"{pos}.t{i}\"\nduty = \"{pos}.{i}\"\nzh = \"职责 {i}\"\nen = \"Duty {i}\"\n{body}\ncompletion = \"{kind}\"\n\n"
        );
    };
    if peer {
        // Tasks are written directly; templates only name them and make nothing.
        for i in 1..=20 {
            t(i, "tick", "trigger = { event = \"bench_review\" }\ndue = { time = \"18:00\" }");
        }
        return;
    }
    for i in 1..=3 {
        t(i, "tick", "schedule = { every = \"working_day\" }\ndue = { time = \"18:00\" }");
    }
    for (i, wd) in (4..=8).zip(["mon", "tue", "wed", "thu", "fri"]) {
        t(i, "note", &format!("schedule = {{ every = \"week\", weekdays = [\"{wd}\"] }}\nshift = \"next\"\ndue = {{ time = \"17:00\" }}"));
    }
    for (i, d) in (9..=14).zip([1, 5, 10, 15, 20, 25]) {
        t(i, "tick", &format!("schedule = {{ every = \"month\", day = {d} }}\nshift = \"next\"\ndue = {{ time = \"18:00\", working_days = 1 }}"));
    }
    t(15, "note", "schedule = { every = \"month\", working_day = 3 }\ndue = { time = \"18:00\" }");
    t(16, "note", "schedule = { every = \"month\", working_day = -1 }\ndue = { time = \"18:00\" }");
    t(17, "note", "schedule = { every = \"quarter\", month = 1, day = 10 }\nshift = \"next\"\ndue = { time = \"18:00\", working_days = 3 }");
    t(
        18,
        "note",
        "schedule = { every = \"year\", month = 6, day = 30 }\nshift = \"previous\"\ndue = { time = \"18:00\" }",
    );
    t(19, "note", "trigger = { event = \"bench_review\" }\ndue = { time = \"18:00\", working_days = 2 }");
    t(20, "note", "trigger = { event = \"bench_audit\" }\ndue = { time = \"18:00\", working_days = 5 }");
}

/// Writes the catalogue folder for `scale` into `dir`.
pub fn write_catalogue(dir: &Path, scale: Scale) -> anyhow::Result<()> {
    let co = dir.join("company");
    std::fs::create_dir_all(&co)?;
    std::fs::create_dir_all(dir.join("calendars"))?;
    let cal = concat!(env!("CARGO_MANIFEST_DIR"), "/config/calendars/cn-2026.tsv");
    std::fs::copy(cal, dir.join("calendars/cn-2026.tsv"))?;
    std::fs::write(
        co.join("company.toml"),
        "name = \"基准测试集团\"\nname_en = \"Benchmark Group\"\ntimezone = \"Asia/Shanghai\"\n",
    )?;
    let (mut org, mut duties, mut tsv, mut tpl, mut staff) = (
        String::new(),
        String::new(),
        String::from("id\tdepartment\tposition\tn\tduty\n"),
        String::new(),
        String::new(),
    );
    for d in 0..scale.departments {
        let (id, lead) = (format!("d{d:02}"), format!("d{d:02}.p00"));
        let up = if d == 0 { String::new() } else { "reports_to = \"d00\"\n".into() };
        let _ = write!(
            org,
            "[[department]]\nid = \"{id}\"\nzh = \"部门{d}\"\nen = \"Department {d}\"\nlead = \"{lead}\"\n{up}\n"
        );
        for p in 0..scale.positions_per_department {
            let pos = format!("{id}.p{p:02}");
            let _ = write!(org, "[[position]]\nid = \"{pos}\"\ndepartment = \"{id}\"\nzh = \"岗位{d}-{p}\"\nen = \"Position {d}-{p}\"\nheadcount = {}\n\n", scale.staff_per_position);
            for i in 1..=20 {
                let kind = if i >= 19 || scale.peer { "event" } else { "recurring" };
                let _ = write!(duties, "[[duty]]\nid = \"{pos}.{i}\"\nposition = \"{pos}\"\nkind = \"{kind}\"\nzh = \"职责 {i}\"\nen = \"Duty {i}\"\nsource = \"职责 {i}\"\n\n");
                let _ = writeln!(tsv, "{pos}.{i}\t部门{d}\t岗位{d}-{p}\t{i}\t职责 {i}");
            }
            templates(&mut tpl, &pos, scale.peer);
            for s in 0..scale.staff_per_position {
                let admin = if d == 0 && p == 0 && s == 0 { "admin = true\n" } else { "" };
                let _ = write!(staff, "[[staff]]\nemail = \"s{d}-{p}-{s}@bench.example.com\"\nname = \"员工{d}-{p}-{s}\"\npositions = [\"{pos}\"]\n{admin}since = \"2024-01-01\"\n\n");
            }
        }
    }
    std::fs::write(co.join("org.toml"), org)?;
    std::fs::write(co.join("duties.toml"), duties)?;
    std::fs::write(co.join("duties.tsv"), tsv)?;
    std::fs::write(co.join("templates.toml"), tpl)?;
    std::fs::write(co.join("staff.toml"), staff)?;
    Ok(())
}

/// Whether the database already holds this scale's company and history.
pub fn ready(pool: &DbPool) -> anyhow::Result<bool> {
    let mut conn = pool.get()?;
    let name = dutyday::db::org::company(&mut conn.any())?.map(|c| c.name);
    Ok(name.as_deref() == Some("基准测试集团") && dutyday::db::tasks::count(&mut conn.any())? > 0)
}

/// Imports the company, generates its history a month at a time, and mixes outcomes.
pub fn build(pool: &DbPool, scale: Scale, password: &str) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    write_catalogue(dir.path(), scale)?;
    let t = Instant::now();
    let catalog = dutyday::catalog::Catalog::load(dir.path()).map_err(|e| anyhow::anyhow!("{e}"))?;
    dutyday::services::import::import_if_empty(pool, &catalog, Some(password), Utc::now())?;
    eprintln!("  imported {} templates in {:.1} s", catalog.templates.len(), t.elapsed().as_secs_f64());
    if scale.peer {
        return build_peer(pool);
    }
    let start = today().checked_sub_days(Days::new(scale.history_days - 1)).context("start date")?;
    let mut from = start;
    while from <= today() {
        let month_end = NaiveDate::from_ymd_opt(from.year() + i32::from(from.month() == 12), from.month() % 12 + 1, 1)
            .and_then(|d| d.pred_opt())
            .context("month end")?
            .min(today());
        let now: DateTime<Utc> = from.and_hms_opt(0, 0, 0).context("midnight")?.and_utc() - chrono::Duration::hours(8);
        let t = Instant::now();
        let r = generate::run(pool, now, Some(month_end), 1, Scope::Incremental)?;
        eprintln!("  {from}..{month_end}: {} tasks in {:.1} s", r.created, t.elapsed().as_secs_f64());
        from = month_end.succ_opt().context("next day")?;
    }
    let t = Instant::now();
    mix_outcomes(&mut pool.get()?.any())?;
    eprintln!("  outcomes mixed and rollup rebuilt in {:.1} s", t.elapsed().as_secs_f64());
    Ok(())
}

/// Kanboard's shape: for each person 500 tasks with due dates spread evenly over the
/// year centred on the benchmark's now (2026-11-30), one in five of them done.
fn build_peer(pool: &DbPool) -> anyhow::Result<()> {
    use diesel::prelude::*;
    use dutyday::db::schema::position_holders;
    let t = Instant::now();
    let mut conn = pool.get()?;
    let holders: Vec<(i64, String)> = dutyday::with_conn!(&mut conn.any(), c => position_holders::table
        .select((position_holders::staff_id, position_holders::position_id))
        .order(position_holders::staff_id)
        .load(c))?;
    let centre = NaiveDate::from_ymd_opt(2026, 11, 30).context("centre")?;
    let created = Utc::now().naive_utc();
    let mut rows = Vec::new();
    for (staff, position) in &holders {
        let department = position.split('.').next().unwrap_or_default().to_string();
        for n in 0..500u64 {
            let day = centre.checked_sub_days(Days::new(182)).context("start")? + Days::new(n * 365 / 500);
            rows.push(dutyday::db::tasks::NewTask {
                template_id: format!("{position}.t{}", n % 20 + 1),
                occurrence: format!("peer{n}"),
                slot: format!("h{staff}"),
                occurs_on: day,
                // 18:00 in Beijing.
                due_at: day.and_hms_opt(10, 0, 0).context("due")?,
                position_id: position.clone(),
                department_id: department.clone(),
                assignee_id: Some(*staff),
                cover: "none".into(),
                covered_staff_id: None,
                event_id: None,
                status: "open".into(),
                created_at: created,
                updated_at: created,
                template_version: 1,
            });
        }
    }
    let made = dutyday::db::tasks::insert_missing(&mut conn.any(), &rows)?;
    let done = "UPDATE tasks SET status = 'done', done_by = assignee_id, done_at = due_at
        WHERE CAST(substr(occurrence, 5) AS INTEGER) % 5 = 0;";
    match &mut conn.any() {
        AnyConn::Sqlite(c) => {
            diesel::connection::SimpleConnection::batch_execute(&mut **c, &format!("{done} ANALYZE;"))?
        }
        AnyConn::Postgres(c) => {
            diesel::connection::SimpleConnection::batch_execute(&mut **c, done)?;
            diesel::connection::SimpleConnection::batch_execute(&mut **c, "VACUUM ANALYZE tasks")?;
        }
    }
    dutyday::db::rollup::rebuild(&mut conn.any())?;
    eprintln!("  {made} tasks for {} people in {:.1} s", holders.len(), t.elapsed().as_secs_f64());
    Ok(())
}

/// Gives the history a realistic mix: of tasks older than two weeks, 80 % done on time,
/// 8 % late, 5 % skipped and 7 % missed; of the last two weeks' tasks, a quarter is still
/// open: about 100,000 overdue tasks, the backlog the reminders chase.
fn mix_outcomes(conn: &mut AnyConn) -> anyhow::Result<()> {
    use diesel::connection::SimpleConnection;
    let recent = today().checked_sub_days(Days::new(13)).context("recent")?;
    let (early, late) = match conn {
        AnyConn::Sqlite(_) => ("datetime(due_at, '-2 hours')", "datetime(due_at, '+5 hours')"),
        AnyConn::Postgres(_) => ("due_at - interval '2 hours'", "due_at + interval '5 hours'"),
    };
    let sql = format!(
        "UPDATE tasks SET status = CASE
            WHEN occurs_on < '{recent}' AND id % 100 < 88 THEN 'done'
            WHEN occurs_on < '{recent}' AND id % 100 < 93 THEN 'skipped'
            WHEN occurs_on < '{recent}' THEN 'missed'
            WHEN id % 4 <> 0 THEN 'done'
            ELSE 'open' END,
          done_at = CASE WHEN id % 100 < 80 OR occurs_on >= '{recent}' THEN {early} ELSE {late} END,
          done_by = assignee_id,
          note = CASE WHEN id % 100 BETWEEN 88 AND 92 THEN '不适用' ELSE NULL END;
         UPDATE tasks SET done_at = NULL, done_by = NULL WHERE status IN ('open', 'missed');
         UPDATE tasks SET done_by = NULL WHERE status = 'skipped' AND done_by IS NULL;"
    );
    match conn {
        AnyConn::Sqlite(c) => c.batch_execute(&sql)?,
        AnyConn::Postgres(c) => c.batch_execute(&sql)?,
    }
    dutyday::db::rollup::rebuild(conn)?;
    if let AnyConn::Postgres(c) = conn {
        // One statement per call: VACUUM cannot run inside the implicit transaction of a batch.
        c.batch_execute("VACUUM ANALYZE tasks")?;
        c.batch_execute("VACUUM ANALYZE day_rollup")?;
    } else if let AnyConn::Sqlite(c) = conn {
        // Without STAT4 samples, as dutyday's own databases are (it never runs
        // ANALYZE): with them SQLite re-plans every statement whose bound values meet
        // an indexed column, so the list was parsed and planned on every request.
        c.batch_execute("ANALYZE; DELETE FROM sqlite_stat4;")?;
    }
    Ok(())
}
