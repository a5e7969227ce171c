//! Reminder tests' company and mail set-up.

use super::{at, TestDb};
use chrono::{DateTime, Utc};
use diesel::RunQueryDsl;
use dutyday::config::{Settings, SmtpTls};
use dutyday::db::AnyConn;
use dutyday::services::generate::{self, Scope};
use dutyday::services::remind::{self, Mailer, PassReport};

/// Six templates due every working day, across three departments.
pub const DAILY_WORK: [&str; 6] = [
    "shipping-daily-report",
    "dispatch-list-signoff",
    "warehouse-daily-check",
    "after-sales-daily",
    "site-daily-check",
    "new-media-daily-posting",
];

/// Runs raw SQL (the same text on both backends).
pub fn exec(db: &TestDb, sql: &str) {
    let mut conn = db.pool().get().unwrap();
    match conn.any() {
        AnyConn::Sqlite(c) => diesel::sql_query(sql).execute(c).unwrap(),
        AnyConn::Postgres(c) => diesel::sql_query(sql).execute(c).unwrap(),
    };
}

/// The seed company with only `templates` active, tasks generated at `when` for 14 days.
pub fn company(db: &TestDb, templates: &[&str], when: &str) {
    db.seed();
    let keep = templates.iter().map(|t| format!("'{t}'")).collect::<Vec<_>>().join(",");
    exec(db, &format!("UPDATE templates SET active = FALSE WHERE id NOT IN ({keep})"));
    generate::run(db.pool(), at(when), None, 14, Scope::Full).unwrap();
}

pub fn settings(port: u16) -> Settings {
    Settings {
        smtp_host: "127.0.0.1".into(),
        smtp_port: port,
        smtp_tls: SmtpTls::None,
        mail_from: "duty@example.com".into(),
        base_url: "http://dutyday.test".into(),
        ..Settings::default()
    }
}

/// A mailer to `port`, built (and later dropped) inside the runtime, as the service does.
pub fn mailer(rt: &tokio::runtime::Runtime, port: u16) -> Mailer {
    let _inside = rt.enter();
    Mailer::from_settings(&settings(port)).unwrap()
}

pub fn pass(rt: &tokio::runtime::Runtime, db: &TestDb, mailer: &Mailer, now: DateTime<Utc>) -> PassReport {
    rt.block_on(remind::pass(db.pool(), mailer, "http://dutyday.test", now)).unwrap()
}

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

/// Queues an email to 孙丽 as the reminder pass would have left it (`status`, 20
/// attempts, queued 2026-12-01 10:00 in Shanghai); returns its id.
pub fn queue(db: &TestDb, key: &str, kind: &str, status: &str, body: &str, error: Option<&str>) -> i64 {
    let error = error.map_or("NULL".to_string(), |e| format!("'{e}'"));
    exec(
        db,
        &format!(
            "INSERT INTO outbox (dedupe_key, kind, level, channel, address, lang, subject, body_text, body_html, \
             status, attempts, next_attempt_at, last_error, created_at, items) VALUES ('{key}', '{kind}', 0, 'email', \
             'sun.li@example.com', 'zh-CN', '每日摘要：3 项待办', '{body}', '', '{status}', 20, \
             '2026-12-01 02:00:00', {error}, '2026-12-01 02:00:00', '')"
        ),
    );
    let mut conn = db.pool().get().unwrap();
    let all = dutyday::db::outbox::list(&mut conn.any(), None, 100).unwrap();
    all.into_iter().find(|m| m.dedupe_key == key).expect("queued").id
}
