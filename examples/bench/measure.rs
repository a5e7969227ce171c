//! The measurements: each prints the product's figure, the ceiling measured beside it
//! in the same run where there is one, and how they compare with the goal.

use super::load;
use anyhow::Context as _;
use chrono::{DateTime, Days, NaiveDate, Utc};
use diesel::prelude::*;
use dutyday::db::schema::{outbox, reminder_marks, tasks, template_state};
use dutyday::db::tasks::NewTask;
use dutyday::db::{AnyConn, DbPool, INSERT_CHUNK};
use dutyday::services::dashboard::{self, By, Filter};
use dutyday::services::generate::{self, Scope};
use dutyday::with_conn;
use std::time::{Duration, Instant};

/// One line of the report.
pub struct Line {
    pub workload: String,
    pub product: String,
    pub ceiling: String,
    pub ratio: String,
    pub goal: &'static str,
    pub met: bool,
}

impl Line {
    pub fn print(&self) {
        let mark = if self.met { "met" } else { "MISSED" };
        println!(
            "| {} | {} | {} | {} | {} | {} |",
            self.workload, self.product, self.ceiling, self.ratio, self.goal, mark
        );
    }
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

/// Generation of one new working day against a plain batched INSERT of the same rows.
pub fn generation(pool: &DbPool, last: NaiveDate) -> anyhow::Result<Line> {
    let day = last.checked_add_days(Days::new(3)).context("day")?; // the Monday after the Friday
    let mut conn = pool.get()?;
    let forget = |conn: &mut AnyConn| -> anyhow::Result<()> {
        with_conn!(conn, c => {
            diesel::delete(outbox::table.filter(outbox::task_id.eq_any(tasks::table.filter(tasks::occurs_on.gt(last)).select(tasks::id.nullable())))).execute(c)?;
            diesel::delete(tasks::table.filter(tasks::occurs_on.gt(last))).execute(c)?;
            diesel::update(template_state::table).set(template_state::generated_through.eq(last)).execute(c)
        })?;
        Ok(())
    };
    forget(&mut conn.any())?;
    let now: DateTime<Utc> = day.and_hms_opt(0, 0, 0).context("midnight")?.and_utc() - chrono::Duration::hours(8);
    let t = Instant::now();
    let report = generate::run(pool, now, Some(day), 1, Scope::Incremental)?;
    let product = t.elapsed();
    let rows: Vec<NewTask> = with_conn!(&mut conn.any(), c => tasks::table
        .filter(tasks::occurs_on.gt(last))
        .select((tasks::template_id, tasks::occurrence, tasks::slot, tasks::occurs_on, tasks::due_at, tasks::position_id,
            tasks::department_id, tasks::assignee_id, tasks::cover, tasks::covered_staff_id, tasks::event_id, tasks::status,
            tasks::created_at, tasks::updated_at))
        .load::<(String, String, String, NaiveDate, chrono::NaiveDateTime, String, String, Option<i64>, String, Option<i64>, Option<i64>, String, chrono::NaiveDateTime, chrono::NaiveDateTime)>(c))?
        .into_iter()
        .map(|r| NewTask { template_id: r.0, occurrence: r.1, slot: r.2, occurs_on: r.3, due_at: r.4, position_id: r.5,
            department_id: r.6, assignee_id: r.7, cover: r.8, covered_staff_id: r.9, event_id: r.10, status: r.11,
            created_at: r.12, updated_at: r.13, template_version: 1 })
        .collect();
    forget(&mut conn.any())?;
    let t = Instant::now();
    conn.transaction(|conn| -> anyhow::Result<()> {
        for chunk in rows.chunks(INSERT_CHUNK) {
            with_conn!(conn, c => diesel::insert_into(tasks::table).values(chunk).execute(c))?;
        }
        Ok(())
    })?;
    let ceiling = t.elapsed();
    let ratio = secs(product) / secs(ceiling).max(1e-9);
    Ok(Line {
        workload: format!("generation of one day ({} tasks, {day})", report.created),
        product: format!("{:.2} s ({:.0} tasks/s)", secs(product), report.created as f64 / secs(product)),
        ceiling: format!("{:.2} s plain batched INSERT", secs(ceiling)),
        ratio: format!("{ratio:.2}×"),
        goal: "≤ 2.0×",
        met: ratio <= 2.0,
    })
}

/// The department × day dashboard over 90 days, as the admin (who leads everything) sees it.
pub fn dashboard(pool: &DbPool, last: NaiveDate, now: DateTime<Utc>, runs: usize) -> anyhow::Result<Line> {
    let mut conn = pool.get()?;
    let admin: i64 = with_conn!(&mut conn.any(), c => dutyday::db::schema::staff::table
        .filter(dutyday::db::schema::staff::is_admin.eq(true))
        .select(dutyday::db::schema::staff::id)
        .first(c))?;
    let viewer = dutyday::services::auth::viewer(&mut conn.any(), dutyday::domain::task::StaffId(admin), last)?;
    drop(conn);
    let from = last.checked_sub_days(Days::new(89)).context("from")?;
    let mut lat = Vec::new();
    let mut departments = 0;
    for i in 0..runs + 3 {
        let t = Instant::now();
        let (d, days) = dashboard::overview(pool, &viewer, from, last, By::Department, &Filter::default(), now)?;
        if i >= 3 {
            lat.push(t.elapsed().as_micros() as u64);
        }
        departments = d.rows.len();
        assert_eq!(days.len(), 90);
    }
    lat.sort_unstable();
    let p95 = load::percentile(&lat, 0.95);
    Ok(Line {
        workload: format!("dashboard, department × day, 90 days ({departments} departments; table + trend)"),
        product: format!("p50 {:.1} ms, p95 {p95:.1} ms ({runs} runs)", load::percentile(&lat, 0.5)),
        ceiling: "—".into(),
        ratio: "—".into(),
        goal: "p95 < 50 ms",
        met: p95 < 50.0,
    })
}

/// An outbox that has never been swept: emptied, and on PostgreSQL truncated so the
/// dead rows of earlier runs do not weigh on its indexes.
fn empty_outbox(conn: &mut AnyConn) -> diesel::QueryResult<()> {
    match conn {
        AnyConn::Postgres(c) => diesel::sql_query("TRUNCATE outbox, reminder_marks").execute(*c).map(drop),
        AnyConn::Sqlite(c) => {
            diesel::delete(outbox::table).execute(*c)?;
            diesel::delete(reminder_marks::table).execute(*c).map(drop)
        }
    }
}

/// The overdue sweep from an empty outbox, beside its ceiling: a plain `INSERT … SELECT`
/// of the very messages and marks it wrote, copied from temporary tables (what the tables and their
/// indexes cost, before any deciding). Then the pass a minute later, which finds every
/// reminder already queued: what the job costs each minute while the work stays late.
pub fn sweep(pool: &DbPool, now: DateTime<Utc>) -> anyhow::Result<(Vec<Line>, usize)> {
    let mut conn = pool.get()?;
    empty_outbox(&mut conn.any())?;
    let overdue: i64 = with_conn!(&mut conn.any(), c => {
        tasks::table.filter(tasks::status.eq("open")).filter(tasks::due_at.lt(now.naive_utc())).count().get_result(c)
    })?;
    let t = Instant::now();
    let queued = dutyday::services::remind::decide(pool, "http://bench.example.com", now)?;
    let took = t.elapsed();
    let messages: i64 = with_conn!(&mut conn.any(), c => outbox::table.count().get_result(c))?;
    with_conn!(&mut conn.any(), c => {
        diesel::sql_query("CREATE TEMP TABLE bench_outbox AS SELECT * FROM outbox").execute(c)?;
        diesel::sql_query("CREATE TEMP TABLE bench_marks AS SELECT * FROM reminder_marks").execute(c)?;
        Ok::<_, diesel::result::Error>(())
    })?;
    empty_outbox(&mut conn.any())?;
    let plain: Duration = with_conn!(&mut conn.any(), c => {
        let t = Instant::now();
        c.transaction(|c| {
            diesel::sql_query("INSERT INTO reminder_marks SELECT * FROM bench_marks").execute(c)?;
            diesel::sql_query("INSERT INTO outbox SELECT * FROM bench_outbox").execute(c)
        })?;
        let took = t.elapsed();
        diesel::sql_query("DROP TABLE bench_outbox").execute(c)?;
        diesel::sql_query("DROP TABLE bench_marks").execute(c)?;
        Ok::<_, diesel::result::Error>(took)
    })?;
    drop(conn);
    let t = Instant::now();
    let again =
        dutyday::services::remind::decide(pool, "http://bench.example.com", now + chrono::Duration::minutes(1))?;
    let steady = t.elapsed();
    let lines = vec![
        Line {
            workload: format!(
                "overdue sweep ({overdue} overdue → {queued} reminders in {messages} messages queued), against a plain INSERT of those rows and marks"
            ),
            product: format!("{:.2} s", secs(took)),
            ceiling: format!("{:.2} s", secs(plain)),
            ratio: format!("{:.2}×", secs(took) / secs(plain)),
            goal: "< 2 s",
            met: secs(took) < 2.0,
        },
        Line {
            workload: format!("the next minute's pass (all already queued; {again} new)"),
            product: format!("{:.2} s", secs(steady)),
            ceiling: "—".into(),
            ratio: "—".into(),
            goal: "—",
            met: true,
        },
    ];
    Ok((lines, messages as usize))
}

/// Sends `n` of the queued messages to a real SMTP server on loopback.
pub async fn mail(pool: &DbPool, smtp_port: u16, n: usize, now: DateTime<Utc>) -> anyhow::Result<Line> {
    let mut conn = pool.get()?;
    let first: Option<i64> =
        with_conn!(&mut conn.any(), c => outbox::table.select(diesel::dsl::min(outbox::id)).first(c))?;
    let keep_below = first.unwrap_or(0) + n as i64;
    let later = (now + chrono::Duration::days(3650)).naive_utc();
    with_conn!(&mut conn.any(), c => diesel::update(outbox::table.filter(outbox::id.ge(keep_below)))
        .set(outbox::next_attempt_at.eq(later))
        .execute(c))?;
    drop(conn);
    let settings = dutyday::config::Settings {
        smtp_host: "127.0.0.1".into(),
        smtp_port,
        smtp_tls: dutyday::config::SmtpTls::None,
        smtp_pool: 16,
        mail_from: "bench@example.com".into(),
        ..dutyday::config::Settings::default()
    };
    let mailer = dutyday::services::remind::Mailer::from_settings(&settings)?;
    let t = Instant::now();
    let r = dutyday::services::remind::deliver(pool, &mailer, now).await?;
    let took = t.elapsed();
    let rate = r.messages as f64 / secs(took);
    Ok(Line {
        workload: format!(
            "mails to a local SMTP server ({} messages delivering {} reminders, {} failed)",
            r.messages,
            r.sent,
            r.failed + r.retried
        ),
        product: format!("{rate:.0} /s"),
        ceiling: "—".into(),
        ratio: "—".into(),
        goal: "≥ 300 /s",
        met: rate >= 300.0 && r.failed == 0 && r.retried == 0,
    })
}
