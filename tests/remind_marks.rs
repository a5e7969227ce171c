//! One message per person and step, not one per task: what a person receives after
//! downtime, what the sender leaves out when a task moved on meanwhile, where the
//! dashboard finds what was sent, and deciders running at once.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::mail::SmtpServer;
use common::remind::{company, mailer, runtime, DAILY_WORK};
use common::{at, day, staff_id, tasks, TestDb};
use dutyday::db::outbox::OutboxRow;
use dutyday::domain::completion::CompletionInput;
use dutyday::domain::marks::{self, Item};
use dutyday::services::dashboard::{self, Filter};
use dutyday::services::remind;
use dutyday::services::tasks::{self as task_service, Act};
use std::collections::HashSet;

const BASE: &str = "http://dutyday.test";

fn outbox(db: &TestDb) -> Vec<OutboxRow> {
    dutyday::db::outbox::list(&mut db.pool().get().unwrap().any(), None, 1000).unwrap()
}

fn items(r: &OutboxRow) -> Vec<Item> {
    marks::decode(&r.items).unwrap()
}

fn after_downtime_a_persons_reminders_come_in_one_message_without_the_finished_task(db: &TestDb) {
    company(db, &["shipping-daily-report", "dispatch-list-signoff"], "2026-11-30T08:00:00+08:00");
    // Nothing ran on Monday or Tuesday: on Wednesday morning four tasks of 孙丽 are late.
    let now = at("2026-12-02T09:00:00+08:00");
    let queued = remind::decide(db.pool(), BASE, now).unwrap();
    let rows = outbox(db);
    let to_clerk: Vec<&OutboxRow> =
        rows.iter().filter(|r| r.address == "sun.li@example.com" && !r.items.is_empty()).collect();
    assert_eq!(to_clerk.len(), 1, "one message to 孙丽: {rows:?}");
    let carried = items(to_clerk[0]);
    assert_eq!(carried.len(), 4, "{carried:?}");
    // Monday's are at their second repeat, Tuesday's at their first; the message is
    // filed under the most pressing.
    let levels: HashSet<i32> = carried.iter().map(|i| i.level).collect();
    assert_eq!(levels, HashSet::from([1, 2]));
    assert_eq!((to_clerk[0].kind.as_str(), to_clerk[0].level), ("repeat", 2));
    assert_eq!(
        queued,
        rows.iter().map(|r| items(r).len().max(1)).sum::<usize>(),
        "queued counts reminders and digests"
    );
    assert!(rows.len() < queued, "fewer messages ({}) than reminders ({queued})", rows.len());

    // Monday's report is filed before the sender runs.
    let clerk = staff_id(db, "孙丽");
    let monday = tasks(db)
        .into_iter()
        .find(|t| t.template_id == "shipping-daily-report" && t.occurs_on == day("2026-11-30"))
        .unwrap();
    let v = dutyday::services::auth::viewer(&mut db.pool().get().unwrap().any(), clerk, day("2026-12-02")).unwrap();
    let figures = serde_json::json!({"parcels_shipped": 80, "mis_shipments": 0, "missed_shipments": 0});
    let input = CompletionInput { note: None, figures: figures.as_object().unwrap().clone(), signoff: false };
    task_service::act(db.pool(), &v, monday.id, Act::Complete(input), now).unwrap();
    let about_monday = rows.iter().flat_map(items).filter(|i| i.task_id == monday.id.0).count();
    assert!(about_monday >= 2, "its repeat and its escalation");

    let smtp = SmtpServer::start();
    let rt = runtime();
    let mailer = mailer(&rt, smtp.port);
    let report = rt.block_on(remind::deliver(db.pool(), &mailer, now)).unwrap();
    assert_eq!(report.cancelled, about_monday, "{report:?}");
    assert_eq!(report.sent + report.cancelled, queued, "{report:?}");
    let received = smtp.received();
    let mine: Vec<_> = received
        .iter()
        .filter(|m| m.to[0] == "sun.li@example.com" && m.header("Subject").starts_with("【提醒】"))
        .collect();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].header("Subject"), "【提醒】你有 3 项任务待处理，其中 3 项已逾期");
    let text = mine[0].part("text/plain");
    let links = |id: i64| text.lines().any(|l| l.trim() == format!("{BASE}/tasks/{id}"));
    assert!(!links(monday.id.0), "the filed report is left out: {text}");
    for i in carried.iter().filter(|i| i.task_id != monday.id.0) {
        assert!(links(i.task_id), "{text}");
    }
    assert!(text.contains("【仍未完成 · 已逾期"), "each line says what it alone would have: {text}");
    // The row keeps what it delivered, and the subject it went with.
    let row = outbox(db).into_iter().find(|r| r.id == to_clerk[0].id).unwrap();
    assert_eq!((row.status.as_str(), row.subject.as_str()), ("sent", mine[0].header("Subject").as_str()));
    assert!(items(&row).iter().all(|i| i.task_id != monday.id.0) && items(&row).len() == 3);

    // The dashboard's overdue list shows, for each late task, the reminders mailed about it.
    let gm = staff_id(db, "王建国");
    let v = dutyday::services::auth::viewer(&mut db.pool().get().unwrap().any(), gm, day("2026-12-02")).unwrap();
    let late = dashboard::overdue(db.pool(), &v, None, &Filter::default(), now).unwrap();
    assert_eq!(late.len(), 3);
    for o in &late {
        let kinds: Vec<(&str, &str)> = o.reminders.iter().map(|r| (r.kind.as_str(), r.to.as_str())).collect();
        assert!(kinds.contains(&("repeat", "孙丽")), "{}: {kinds:?}", o.task.id);
    }
    // Nothing is owed again a minute later.
    assert_eq!(remind::decide(db.pool(), BASE, now + chrono::Duration::minutes(1)).unwrap(), 0);
}

fn deciders_running_at_once_queue_each_reminder_once(db: &TestDb) {
    company(db, &DAILY_WORK, "2026-11-23T08:00:00+08:00");
    let now = at("2026-11-30T18:30:00+08:00");
    let start = std::sync::Barrier::new(2);
    let (a, b) = std::thread::scope(|s| {
        let run = || {
            start.wait();
            remind::decide(db.pool(), BASE, now).unwrap()
        };
        let (a, b) = (s.spawn(run), s.spawn(run));
        (a.join().unwrap(), b.join().unwrap())
    });
    assert!(a + b >= 20, "{a} + {b}");
    assert!(a == 0 || b == 0, "the second found everything decided: {a}, {b}");
    let mut seen = HashSet::new();
    for r in outbox(db) {
        for i in items(&r) {
            assert!(seen.insert((i.task_id, i.kind, i.level, r.address.clone())), "twice: {i:?} to {}", r.address);
        }
    }
    assert_eq!(seen.len(), a + b);
}

/// A service upgraded with reminders already sent must not send them again: the
/// migration turns each old row into a message of one reminder and a mark.
fn reminders_sent_before_the_upgrade_are_not_sent_again(db: &TestDb) {
    company(db, &["shipping-daily-report"], "2026-11-30T08:00:00+08:00");
    let id = tasks(db)
        .into_iter()
        .find(|t| t.template_id == "shipping-daily-report" && t.occurs_on == day("2026-11-30"))
        .unwrap()
        .id
        .0;
    let clerk = staff_id(db, "孙丽").0;
    revert_to(db, "2026-11-28-000008_outbox_unbound");
    for (kind, at) in [("due_soon", "2026-11-30 08:00:00"), ("overdue", "2026-11-30 10:05:00")] {
        common::remind::exec(
            db,
            &format!(
                "INSERT INTO outbox (dedupe_key, kind, level, task_id, task_assignee_id, recipient_id, channel, \
                 address, lang, subject, body_text, body_html, status, attempts, next_attempt_at, created_at, sent_at) \
                 VALUES ('t{id}:{kind}:0:s{clerk}', '{kind}', 0, {id}, {clerk}, {clerk}, 'email', \
                 'sun.li@example.com', 'zh-CN', 's', '', '', 'sent', 1, '{at}', '{at}', '{at}')"
            ),
        );
    }
    db.pool().migrate().unwrap();
    let rows = outbox(db);
    assert!(rows.iter().all(|r| items(r).len() == 1 && items(r)[0].task_id == id), "{rows:?}");
    // 18:30: the overdue reminder went before the upgrade; nothing else is owed yet.
    assert_eq!(remind::decide(db.pool(), BASE, at("2026-11-30T18:30:00+08:00")).unwrap(), 0);
    // The next morning's repeat is new, and goes.
    remind::decide(db.pool(), BASE, at("2026-12-01T08:30:00+08:00")).unwrap();
    let repeat = Item { task_id: id, assignee_id: Some(clerk), kind: dutyday::domain::remind::Kind::Repeat, level: 1 };
    assert!(outbox(db).iter().any(|r| items(r).contains(&repeat)));
}

/// Reverts migrations, newest first, until `version` is the last one applied.
fn revert_to(db: &TestDb, version: &str) {
    use diesel_migrations::MigrationHarness;
    let target = version.split('_').next().unwrap().replace('-', "");
    let mut conn = db.pool().get().unwrap();
    loop {
        let applied = match conn.any() {
            dutyday::db::AnyConn::Sqlite(c) => c.applied_migrations().unwrap(),
            dutyday::db::AnyConn::Postgres(c) => c.applied_migrations().unwrap(),
        };
        let last = applied.iter().map(|v| v.to_string().replace('-', "")).max().unwrap_or_default();
        if last <= target {
            return;
        }
        match conn.any() {
            dutyday::db::AnyConn::Sqlite(c) => drop(c.revert_last_migration(dutyday::db::SQLITE_MIGRATIONS).unwrap()),
            dutyday::db::AnyConn::Postgres(c) => {
                drop(c.revert_last_migration(dutyday::db::POSTGRES_MIGRATIONS).unwrap())
            }
        }
    }
}

/// A webhook's JSON queued before it had a column of its own moves there on upgrade.
fn webhook_json_queued_before_the_upgrade_moves_to_its_column(db: &TestDb) {
    company(db, &["shipping-daily-report"], "2026-11-30T08:00:00+08:00");
    revert_to(db, "2026-11-28-000009_reminder_marks");
    common::remind::exec(
        db,
        "INSERT INTO outbox (dedupe_key, kind, level, channel, address, lang, subject, body_text, body_html, \
         status, attempts, next_attempt_at, created_at, items) \
         VALUES ('w1', 'lead_digest', 0, 'webhook', 'ops', 'zh-CN', 's', 't', '{\"msgtype\":\"text\"}', \
         'queued', 0, '2026-11-30 08:00:00', '2026-11-30 08:00:00', '')",
    );
    db.pool().migrate().unwrap();
    let row = outbox(db).into_iter().find(|r| r.dedupe_key == "w1").unwrap();
    assert_eq!((row.body_html.as_str(), row.body_json.as_deref()), ("", Some("{\"msgtype\":\"text\"}")));
}

fn marked(db: &TestDb) -> Vec<i64> {
    use diesel::prelude::*;
    use dutyday::db::schema::reminder_marks::dsl::*;
    let mut conn = db.pool().get().unwrap();
    let mut ids: Vec<i64> = match conn.any() {
        dutyday::db::AnyConn::Sqlite(c) => reminder_marks.select(task_id).load(c).unwrap(),
        dutyday::db::AnyConn::Postgres(c) => reminder_marks.select(task_id).load(c).unwrap(),
    };
    ids.sort_unstable();
    ids
}

/// Marks are kept while their task can still be reminded (due within the longest
/// give-up, 14 days here) and forgotten after, so the table stays about the window.
fn marks_are_forgotten_once_their_task_is_past_reminding(db: &TestDb) {
    company(db, &["shipping-daily-report"], "2026-11-30T08:00:00+08:00");
    let of = |d: &str| {
        tasks(db).into_iter().find(|t| t.template_id == "shipping-daily-report" && t.occurs_on == day(d)).unwrap().id.0
    };
    remind::decide(db.pool(), BASE, at("2026-11-30T18:05:00+08:00")).unwrap();
    remind::decide(db.pool(), BASE, at("2026-12-03T09:00:00+08:00")).unwrap();
    let (monday, wednesday) = (of("2026-11-30"), of("2026-12-02"));
    assert!(marked(db).contains(&monday) && marked(db).contains(&wednesday), "{:?}", marked(db));
    // Seventeen days on, Monday's and Tuesday's reports are past their last reminder.
    remind::decide(db.pool(), BASE, at("2026-12-17T09:00:00+08:00")).unwrap();
    let now = marked(db);
    assert!(!now.contains(&monday) && !now.contains(&of("2026-12-01")), "{now:?}");
    assert!(now.contains(&wednesday), "still within the window: {now:?}");
}

on_both_databases!(
    marks_are_forgotten_once_their_task_is_past_reminding,
    after_downtime_a_persons_reminders_come_in_one_message_without_the_finished_task,
    deciders_running_at_once_queue_each_reminder_once,
    reminders_sent_before_the_upgrade_are_not_sent_again,
    webhook_json_queued_before_the_upgrade_moves_to_its_column,
);
