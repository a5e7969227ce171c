//! Reminders and escalation against a real SMTP server in the test process, with a
//! chosen `now`, on both databases.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::Duration;
use common::mail::{free_port, SmtpServer};
use common::remind::{company, mailer, pass, runtime, DAILY_WORK};
use common::{at, day, staff_id, tasks, TestDb};
use dutyday::domain::completion::CompletionInput;
use dutyday::services::remind::{self, PassReport};
use dutyday::services::tasks::{self as task_service, Act};

/// The shipping report of 2026-11-30 (a Monday), due 18:00 Beijing time.
fn shipping_task(db: &TestDb) -> dutyday::domain::task::TaskId {
    tasks(db).iter().find(|t| t.template_id == "shipping-daily-report" && t.occurs_on == day("2026-11-30")).unwrap().id
}

fn overdue_task_mails_exactly_once_in_the_recipients_language(db: &TestDb) {
    company(db, &["shipping-daily-report"], "2026-11-30T08:00:00+08:00");
    let clerk = staff_id(db, "孙丽");
    dutyday::db::staff::set_locale(&mut db.pool().get().unwrap().any(), clerk, "en").unwrap();
    let smtp = SmtpServer::start();
    let rt = runtime();
    let mailer = mailer(&rt, smtp.port);
    let id = shipping_task(db);

    // 16:30: due in an hour and a half.
    let r = pass(&rt, db, &mailer, at("2026-11-30T16:30:00+08:00"));
    assert_eq!((r.queued, r.sent.sent), (1, 1), "{r}");
    let soon = &smtp.received()[0];
    assert_eq!(soon.to, vec!["sun.li@example.com".to_string()]);
    assert_eq!(soon.header("Subject"), "[Due in 1.5 h] Daily sales shipping report 11-30");

    // 18:05: overdue, once, however often the pass runs.
    let r = pass(&rt, db, &mailer, at("2026-11-30T18:05:00+08:00"));
    assert_eq!((r.queued, r.sent.sent), (1, 1), "{r}");
    for minute in [10, 20, 40] {
        let r = pass(&rt, db, &mailer, at(&format!("2026-11-30T18:{minute}:00+08:00")));
        assert_eq!(r, PassReport::default(), "nothing new at 18:{minute}");
    }
    let mails = smtp.received();
    assert_eq!(mails.len(), 2);
    let m = &mails[1];
    assert_eq!(m.to, vec!["sun.li@example.com".to_string()]);
    assert_eq!(m.header("Subject"), "[Overdue 5 min] Daily sales shipping report 11-30");
    assert_eq!(m.header("From"), "Example E-commerce Co., Ltd. <duty@example.com>");
    assert!(m.header("Message-ID").starts_with("<dutyday."), "{}", m.header("Message-ID"));
    let text = m.part("text/plain");
    assert!(text.contains("Hello 孙丽,") && text.contains(&format!("http://dutyday.test/tasks/{id}")), "{text}");
    assert!(text.contains("Due: 2026-11-30 18:00"), "{text}");
    let html = m.part("text/html");
    assert!(html.contains(&format!("href=\"http://dutyday.test/tasks/{id}\"")) && html.contains("lang=\"en\""));

    // The next working morning brings the first repeat; the 总经理 (the warehouse has no
    // lead of its own) hears of it after four working hours, in Chinese.
    pass(&rt, db, &mailer, at("2026-12-01T08:30:00+08:00"));
    pass(&rt, db, &mailer, at("2026-12-01T13:00:00+08:00"));
    let mails = smtp.received();
    let subjects: Vec<String> = mails.iter().map(|m| m.header("Subject")).collect();
    assert!(
        subjects.contains(&"[Still open, 14.5 h overdue] Daily sales shipping report 11-30".to_string()),
        "{subjects:?}"
    );
    let to_gm =
        |m: &&common::mail::Received| m.to[0].contains("wang.jianguo") && m.header("Subject").starts_with("【升级");
    let gm = mails.iter().find(to_gm).expect("escalated");
    assert_eq!(gm.header("Subject"), "【升级 · 孙丽 逾期 19 小时】销售发货日报表 11-30");
    assert!(gm.part("text/plain").starts_with("王建国，你好："));
    assert_eq!(gm.header("From"), "示例电商有限公司 <duty@example.com>");
    // Each (task, kind, level, recipient) at most once: no two mails share a key.
    let keys: Vec<(String, String)> = mails.iter().map(|m| (m.to.join(","), m.header("Subject"))).collect();
    let mut unique = keys.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), keys.len(), "{keys:?}");
}

fn escalation_climbs_over_working_days_and_waits_out_quiet_hours(db: &TestDb) {
    // The weekly traffic analysis (张伟, 运营部 led by 李娜), due Friday 2026-12-04 18:00.
    company(db, &["site-traffic-analysis"], "2026-11-30T08:00:00+08:00");
    let smtp = SmtpServer::start();
    let rt = runtime();
    let mailer = mailer(&rt, smtp.port);
    let mut log = Vec::new();
    let mut now = at("2026-12-04T12:00:00+08:00");
    while now <= at("2026-12-09T20:00:00+08:00") {
        let before = smtp.received().len();
        let r = pass(&rt, db, &mailer, now);
        assert_eq!(r.sent.failed + r.sent.retried, 0, "{r}");
        for m in &smtp.received()[before..] {
            let local = now.with_timezone(&chrono_tz::Asia::Shanghai).format("%a %m-%d %H:%M").to_string();
            log.push((local, m.to[0].clone(), m.header("Subject")));
        }
        now += Duration::minutes(30);
    }
    let line = |to: &str, prefix: &str| {
        log.iter()
            .find(|(_, t, s)| t.contains(to) && s.starts_with(prefix))
            .map(|(when, _, _)| when.clone())
            .unwrap_or_else(|| panic!("no mail to {to} starting {prefix}: {log:#?}"))
    };
    assert_eq!(line("zhang.wei", "【2 小时后到期】"), "Fri 12-04 16:00");
    // Not at the due minute itself ("overdue 1 minute" would not be true): the next pass.
    assert_eq!(line("zhang.wei", "【已逾期"), "Fri 12-04 18:30");
    // Nothing at the weekend or at night: the first repeat waits for Monday 08:30.
    assert_eq!(line("zhang.wei", "【仍未完成"), "Mon 12-07 08:30");
    // Four working hours late: Monday 09:00–13:00.
    assert_eq!(line("li.na", "【升级"), "Mon 12-07 13:00");
    // Eighteen working hours late: Monday and Tuesday, 9 each, so Tuesday 18:00.
    assert_eq!(line("wang.jianguo", "【升级"), "Tue 12-08 18:00");
    for (when, _, _) in &log {
        let (wd, time) = (&when[..3], &when[10..]);
        assert!(wd != "Sat" && wd != "Sun", "sent at the weekend: {when}");
        assert!(("08:30".."20:00").contains(&time), "sent in quiet hours: {when}");
    }
    // The three repeats, then no more.
    let repeats = log.iter().filter(|(_, t, s)| t.contains("zhang.wei") && s.starts_with("【仍未完成")).count();
    assert_eq!(repeats, 3, "{log:#?}");
}

fn mail_server_down_for_an_hour_loses_nothing_and_sends_once(db: &TestDb) {
    company(
        db,
        &["shipping-daily-report", "dispatch-list-signoff", "warehouse-daily-check"],
        "2026-11-30T08:00:00+08:00",
    );
    let port = free_port();
    let rt = runtime();
    let mailer = mailer(&rt, port);
    assert!(rt.block_on(mailer.check_connection()).is_err(), "the start-up check sees the server is down");
    let first = pass(&rt, db, &mailer, at("2026-11-30T18:30:00+08:00"));
    assert!(first.queued >= 2, "{first}");
    assert_eq!((first.sent.sent, first.sent.retried), (0, first.queued), "{first}");
    // Still down a minute and a few minutes later: retried with growing waits.
    let again = pass(&rt, db, &mailer, at("2026-11-30T18:31:00+08:00"));
    assert_eq!((again.queued, again.sent.sent), (0, 0));
    let smtp = SmtpServer::start_at(port);
    assert_eq!(rt.block_on(mailer.check_connection()), Ok(()));
    // Back at 21:00, in quiet hours: the retries wait for the morning too.
    let quiet = pass(&rt, db, &mailer, at("2026-11-30T21:00:00+08:00"));
    assert_eq!(quiet, PassReport::default(), "nothing goes in quiet hours");
    assert!(smtp.received().is_empty());
    let back = pass(&rt, db, &mailer, at("2026-12-01T08:30:00+08:00"));
    // The held reminders went in the morning, together with the morning's own.
    let rows = dutyday::db::outbox::list(&mut db.pool().get().unwrap().any(), None, 100).unwrap();
    let evening = at("2026-11-30T18:30:00+08:00").naive_utc();
    let held: Vec<_> = rows.iter().filter(|r| r.created_at == evening).collect();
    let carried: usize = held.iter().map(|r| dutyday::domain::marks::decode(&r.items).unwrap().len()).sum();
    assert_eq!(carried, first.queued, "every reminder of the evening was held: {held:?}");
    assert!(held.iter().all(|r| r.status == "sent" && r.attempts == 3), "{held:?}");
    assert!(back.sent.sent >= first.queued, "{back}");
    pass(&rt, db, &mailer, at("2026-12-01T08:45:00+08:00"));
    let received = smtp.received();
    assert_eq!(received.len(), back.sent.messages, "nothing sent twice");
    let mut ids: Vec<String> = received.iter().map(|m| m.header("Message-ID")).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), received.len(), "each message once");
}

fn a_task_finished_or_reassigned_before_sending_is_not_mailed(db: &TestDb) {
    company(db, &["shipping-daily-report", "dispatch-list-signoff"], "2026-11-30T08:00:00+08:00");
    let smtp = SmtpServer::start();
    let rt = runtime();
    let mailer = mailer(&rt, smtp.port);
    let now = at("2026-11-30T18:05:00+08:00");
    let queued = remind::decide(db.pool(), "http://dutyday.test", now).unwrap();
    assert_eq!(queued, 2);
    // The report is filed, and the sign-off moved to someone else, before the sender runs.
    let clerk = staff_id(db, "孙丽");
    let v = dutyday::services::auth::viewer(&mut db.pool().get().unwrap().any(), clerk, day("2026-11-30")).unwrap();
    let figures = serde_json::json!({"parcels_shipped": 120, "mis_shipments": 0, "missed_shipments": 0})
        .as_object()
        .unwrap()
        .clone();
    let input = CompletionInput { note: None, figures, signoff: false };
    task_service::act(db.pool(), &v, shipping_task(db), Act::Complete(input), now).unwrap();
    let signoff =
        tasks(db).into_iter().find(|t| t.template_id == "dispatch-list-signoff" && t.occurs_on == day("2026-11-30"));
    let other = staff_id(db, "马超");
    let mut conn = db.pool().get().unwrap();
    dutyday::db::tasks::reassign(
        &mut conn.any(),
        signoff.unwrap().id,
        "h0",
        Some(other),
        "leave",
        Some(clerk),
        now.naive_utc(),
    )
    .unwrap();
    drop(conn);
    let report = rt.block_on(remind::deliver(db.pool(), &mailer, now + Duration::minutes(1))).unwrap();
    assert_eq!((report.sent, report.cancelled), (0, 2), "{report:?}");
    assert!(smtp.received().is_empty());
    let rows = dutyday::db::outbox::list(&mut db.pool().get().unwrap().any(), Some("cancelled"), 10).unwrap();
    // Both reminders went in one message to 孙丽; it is cancelled, saying why for each.
    assert_eq!(rows.len(), 1, "{rows:?}");
    let mut why: Vec<&str> = rows[0].last_error.as_deref().unwrap_or("").split("; ").collect();
    why.sort();
    assert_eq!(why, ["task is done", "task was reassigned"]);
}

fn two_senders_at_once_send_each_message_once(db: &TestDb) {
    company(db, &DAILY_WORK, "2026-11-23T08:00:00+08:00");
    let now = at("2026-11-30T18:30:00+08:00");
    // A week of open work: due-soon is past, so each overdue task and its escalations.
    let queued = remind::decide(db.pool(), "http://dutyday.test", now).unwrap();
    assert!(queued >= 20, "queued {queued}");
    let smtp = SmtpServer::start();
    let rt = runtime();
    let (a, b) = (mailer(&rt, smtp.port), mailer(&rt, smtp.port));
    let (ra, rb) =
        rt.block_on(async { tokio::join!(remind::deliver(db.pool(), &a, now), remind::deliver(db.pool(), &b, now)) });
    let (ra, rb) = (ra.unwrap(), rb.unwrap());
    assert_eq!(ra.sent + rb.sent, queued, "every row delivered: {ra:?} {rb:?}");
    let received = smtp.received();
    assert_eq!(received.len(), ra.messages + rb.messages);
    let mut ids: Vec<String> = received.iter().map(|m| m.header("Message-ID")).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), received.len(), "no message sent twice");
    // A lead with several late tasks at once gets them in one message, not one each.
    let grouped: Vec<_> = received.iter().filter(|m| m.header("Subject").starts_with("【升级】")).collect();
    assert!(!grouped.is_empty(), "escalations to one person travel together");
    let text = grouped[0].part("text/plain");
    assert!(text.matches("【升级 · ").count() >= 2, "{text}");
    assert!(received.len() < queued, "{} messages for {queued} rows", received.len());
}

fn a_permanent_refusal_is_marked_failed_with_the_servers_answer(db: &TestDb) {
    company(db, &["shipping-daily-report"], "2026-11-30T08:00:00+08:00");
    let smtp = SmtpServer::rejecting(550, "5.1.1 mailbox unavailable");
    let rt = runtime();
    let mailer = mailer(&rt, smtp.port);
    let r = pass(&rt, db, &mailer, at("2026-11-30T18:05:00+08:00"));
    assert_eq!((r.sent.sent, r.sent.failed), (0, 1), "{r}");
    let rows = dutyday::db::outbox::list(&mut db.pool().get().unwrap().any(), Some("failed"), 10).unwrap();
    assert!(rows[0].last_error.as_deref().unwrap_or("").contains("mailbox unavailable"), "{:?}", rows[0].last_error);
    // Failed stays failed: later passes do not resend it.
    let later = pass(&rt, db, &mailer, at("2026-11-30T19:05:00+08:00"));
    assert_eq!(later.sent.failed, 0);
}

fn morning_digests_for_staff_and_leads_and_the_opt_out(db: &TestDb) {
    company(db, &["site-traffic-analysis", "site-daily-check", "shipping-daily-report"], "2026-11-30T08:00:00+08:00");
    let smtp = SmtpServer::start();
    let rt = runtime();
    let mailer = mailer(&rt, smtp.port);
    dutyday::services::remind::admin::set_digest(db.pool(), staff_id(db, "孙丽"), false).unwrap();
    // Tuesday morning: yesterday's work is overdue for some.
    pass(&rt, db, &mailer, at("2026-12-01T08:45:00+08:00"));
    pass(&rt, db, &mailer, at("2026-12-01T09:15:00+08:00"));
    let digests: Vec<_> =
        smtp.received().into_iter().filter(|m| m.header("Subject").contains("（2026-12-01）")).collect();
    let to: Vec<String> = digests.iter().map(|m| m.to[0].clone()).collect();
    assert!(!to.iter().any(|t| t.contains("sun.li")), "孙丽 opted out: {to:?}");
    // 陈杰 checks the shop site every working day; 张伟's only task is on Fridays.
    assert!(!to.iter().any(|t| t.contains("zhang.wei")), "no digest without tasks: {to:?}");
    let own = digests.iter().find(|m| m.to[0].contains("chen.jie")).expect("陈杰's digest");
    assert!(own.header("Subject").starts_with("今天的任务（2026-12-01）"), "{}", own.header("Subject"));
    // The digest can be turned off from the mail itself, with one click.
    let link = own.header("List-Unsubscribe");
    assert!(link.starts_with("<http://dutyday.test/digest/off?t=") && link.ends_with('>'), "{link}");
    assert_eq!(own.header("List-Unsubscribe-Post"), "List-Unsubscribe=One-Click");
    let token = link.trim_end_matches('>').rsplit("t=").next().unwrap().to_string();
    let chen = staff_id(db, "陈杰");
    // Change the tag's last digit (to one it is not: '0' would leave a tag ending in '0' as it was).
    let last = if token.ends_with('0') { '1' } else { '0' };
    let forged = format!("{}{last}", &token[..token.len() - 1]);
    assert!(dutyday::services::remind::admin::unsubscribe(db.pool(), &forged).is_err(), "a forged token does nothing");
    let other = token.replacen(&format!("{}.", chen.0), &format!("{}.", staff_id(db, "李娜").0), 1);
    assert!(dutyday::services::remind::admin::unsubscribe(db.pool(), &other).is_err(), "nor someone else's id");
    assert!(dutyday::services::remind::admin::wants_digest(db.pool(), chen).unwrap());
    let lead_of = |who: &str| {
        digests.iter().find(|m| m.to[0].contains(who) && m.header("Subject").starts_with("部门逾期工作")).cloned()
    };
    // 李娜 leads 运营部, whose Monday site check is overdue.
    assert!(lead_of("li.na").expect("李娜's lead digest").part("text/plain").contains("店铺网站日常巡检"));
    let lead = lead_of("wang.jianguo").expect("the GM's lead digest");
    assert!(lead.part("text/plain").contains("销售发货日报表"), "the GM leads logistics through the reporting line");
    // Once a day: the 09:15 pass sent no second digest of either kind to anyone.
    let mut seen: Vec<String> = digests.iter().map(|m| format!("{} {}", m.to[0], &m.header("Subject")[..6])).collect();
    let to = seen.clone();
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), to.len(), "{to:?}");
    // After the morning, no digest for a day that missed it.
    let before = smtp.received().len();
    pass(&rt, db, &mailer, at("2026-12-02T13:00:00+08:00"));
    assert!(!smtp.received()[before..].iter().any(|m| m.header("Subject").contains("（2026-12-02）")));
}

on_both_databases!(
    overdue_task_mails_exactly_once_in_the_recipients_language,
    escalation_climbs_over_working_days_and_waits_out_quiet_hours,
    mail_server_down_for_an_hour_loses_nothing_and_sends_once,
    a_task_finished_or_reassigned_before_sending_is_not_mailed,
    two_senders_at_once_send_each_message_once,
    a_permanent_refusal_is_marked_failed_with_the_servers_answer,
    morning_digests_for_staff_and_leads_and_the_opt_out,
);
