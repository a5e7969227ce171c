//! Reminders at the edges: department webhooks against a local HTTP receiver, the
//! `dutyday remind` command and its `.eml` files, the outbox over HTTP, and mail
//! settings that are wrong at start.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::mail::HookServer;
use common::remind::exec;
use common::{at, TestDb};
use dutyday::config::Settings;
use dutyday::services::generate::{self, Scope};
use dutyday::services::remind::{self, Mailer};
use serde_json::{json, Value};

fn answer(path: &str) -> (u16, &'static str) {
    match path.split('?').next().unwrap_or("") {
        "/dingtalk" | "/wecom" => (200, r#"{"errcode":0,"errmsg":"ok"}"#),
        "/feishu" => (200, r#"{"code":0,"msg":"success"}"#),
        "/down" => (503, "busy"),
        "/echo" => (502, "bad gateway: POST {PATH} failed"),
        "/refuse" => (200, r#"{"errcode":310000,"errmsg":"keywords not in content"}"#),
        _ => (204, ""),
    }
}

fn webhooks_get_each_format_once_and_never_leak_their_token(db: &TestDb) {
    db.seed();
    exec(db, "UPDATE templates SET active = FALSE WHERE id <> 'shipping-daily-report'");
    generate::run(db.pool(), at("2026-11-30T08:00:00+08:00"), None, 7, Scope::Full).unwrap();
    let hooks = HookServer::start(answer);
    let url = |path: &str| format!("http://127.0.0.1:{}/{path}?access_token=SECRET-TOKEN", hooks.port);
    let list = json!([
        {"id": "generic", "department": "logistics", "format": "generic", "url": url("generic"), "kinds": ["overdue"]},
        {"id": "ding", "department": "logistics", "format": "dingtalk", "url": url("dingtalk"), "kinds": ["overdue"]},
        {"id": "wecom", "department": "logistics", "format": "wecom", "url": url("wecom"), "kinds": ["overdue"], "lang": "en"},
        {"id": "feishu", "department": "logistics", "format": "feishu", "url": url("feishu"), "kinds": ["overdue"]},
        {"id": "down", "department": "logistics", "format": "generic", "url": url("down"), "kinds": ["overdue"]},
        {"id": "echo", "department": "logistics", "format": "generic", "url": url("echo"), "kinds": ["overdue"]},
        {"id": "refuse", "department": "logistics", "format": "dingtalk", "url": url("refuse"), "kinds": ["overdue"]},
        {"id": "other", "department": "ops", "format": "generic", "url": url("other"), "kinds": ["overdue"]},
    ]);
    exec(db, &format!("UPDATE company SET webhooks = '{list}'"));
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let mailer = {
        let _inside = rt.enter();
        let dir = tempfile::tempdir().unwrap();
        let base_url = "http://dutyday.test".to_string();
        Mailer::from_settings(&Settings { mail_dir: dir.keep(), base_url, ..Settings::default() }).unwrap()
    };
    let now = at("2026-11-30T18:05:00+08:00");
    let r = rt.block_on(remind::pass(db.pool(), &mailer, "http://dutyday.test", now)).unwrap();
    // One mail to 孙丽, and seven posts: the ops webhook hears nothing of logistics.
    assert_eq!((r.queued, r.sent.sent, r.sent.retried, r.sent.failed), (8, 5, 2, 1), "{r}");
    let got = hooks.got();
    let body = |p: &str| got.iter().find(|h| h.path.starts_with(p)).map(|h| h.body.clone()).unwrap();
    let generic = body("/generic");
    assert_eq!(generic["event"], "overdue");
    assert_eq!(generic["subject"], "【已逾期 5 分钟】销售发货日报表 11-30");
    assert!(generic["url"].as_str().unwrap().starts_with("http://dutyday.test/tasks/"));
    let ding = body("/dingtalk");
    assert_eq!(ding["msgtype"], "text");
    assert!(ding["text"]["content"].as_str().unwrap().starts_with("【已逾期 5 分钟】销售发货日报表 11-30\n孙丽"));
    assert!(body("/wecom")["text"]["content"].as_str().unwrap().starts_with("[Overdue 5 min] Daily sales shipping"));
    assert_eq!(body("/feishu")["msg_type"], "text");
    assert!(body("/feishu")["content"]["text"].as_str().unwrap().contains("销售发货日报表"));
    assert!(!got.iter().any(|h| h.path.starts_with("/other")));

    // Later passes: the 503 one is tried again, nothing else is posted twice.
    let later =
        rt.block_on(remind::pass(db.pool(), &mailer, "http://dutyday.test", now + chrono::Duration::minutes(2)));
    assert_eq!(later.unwrap().sent.retried, 2);
    let count = |p: &str| hooks.got().iter().filter(|h| h.path.starts_with(p)).count();
    assert_eq!((count("/dingtalk"), count("/down"), count("/refuse")), (1, 2, 1));
    let rows = dutyday::db::outbox::list(&mut db.pool().get().unwrap().any(), None, 50).unwrap();
    let refused = rows.iter().find(|r| r.address == "refuse").unwrap();
    assert_eq!(refused.status, "failed");
    assert!(refused.last_error.as_deref().unwrap().contains("310000"));
    // A gateway that echoed the request (token and all) is kept without the token.
    let echoed = rows.iter().find(|r| r.address == "echo").unwrap().last_error.clone().unwrap();
    assert!(echoed.starts_with("HTTP 502: bad gateway: POST") && echoed.contains("***"), "{echoed}");
    for r in &rows {
        let text = format!("{} {:?} {} {:?}", r.address, r.last_error, r.body_html, r.body_json);
        assert!(!text.contains("SECRET-TOKEN"), "the robot's token leaked: {text}");
    }
}

/// A number of `dutyday remind`'s line, e.g. `messages` of `… messages=3`.
fn field(line: &str, name: &str) -> usize {
    let prefix = format!("{name}=");
    line.split_whitespace().find_map(|w| w.strip_prefix(&prefix)).unwrap().parse().unwrap()
}

fn remind_command_prints_counts_and_writes_eml_files(db: &TestDb) {
    let gen = common::command(&db.url)
        .args(["generate", "--through", "2026-12-04", "--now", "2026-11-30T08:00:00+08:00"])
        .output()
        .unwrap();
    assert!(gen.status.success(), "{}", String::from_utf8_lossy(&gen.stderr));
    let dir = tempfile::tempdir().unwrap();
    let run = |now: &str| {
        common::command(&db.url).env("DUTYDAY_MAIL_DIR", dir.path()).args(["remind", "--now", now]).output().unwrap()
    };
    let out = run("2026-11-30T18:05:00+08:00");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let line = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let n: usize = line.strip_prefix("queued=").unwrap().split(' ').next().unwrap().parse().unwrap();
    assert!(n > 0, "{line}");
    assert!(line.starts_with(&format!("queued={n} sent={n} failed=0")), "{line}");
    // One file per message; escalations to one person travel in one message.
    let files: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().collect();
    assert_eq!(files.len(), field(&line, "messages"), "{line}");
    // Messages hold names and links: only their owner reads them.
    for f in &files {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(f.metadata().unwrap().permissions().mode() & 0o777, 0o600, "{:?}", f.path());
    }
    let eml = std::fs::read(files[0].path()).unwrap();
    let parsed = mailparse::parse_mail(&eml).unwrap();
    assert_eq!(parsed.ctype.mimetype, "multipart/alternative");
    // Run again at the same moment: nothing new, nothing resent.
    let again = String::from_utf8_lossy(&run("2026-11-30T18:05:00+08:00").stdout).trim().to_string();
    assert!(again.starts_with("queued=0 sent=0 failed=0"), "{again}");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), files.len());
}

#[test]
fn wrong_mail_settings_stop_the_start_with_one_line() {
    for (key, value, words) in [
        ("DUTYDAY_SMTP_TLS", "sometimes", "smtp_tls"),
        ("DUTYDAY_MAIL_FROM", "not an address", "mail_from"),
        ("DUTYDAY_SMTP_HOST", "mail server.example.com", "smtp_host"),
        ("DUTYDAY_SMTP_USERNAME", "robot", "smtp_password"),
        ("DUTYDAY_REMIND_CRON", "*/5 * * * *", "remind_cron"),
    ] {
        let out = common::command("sqlite::memory:")
            .env("DUTYDAY_SMTP_HOST", "mail.example.com")
            .env(key, value)
            .args(["remind"])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{key}: {err}");
        assert!(err.contains(words) && err.trim().lines().count() == 1, "{key}: {err}");
    }
    // A password in a file is refused: secrets come from the environment.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("default.toml"), "smtp_password = \"hunter2\"\n").unwrap();
    let out =
        common::command("sqlite::memory:").args(["--config", dir.path().to_str().unwrap(), "remind"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("smtp_password") && err.contains("DUTYDAY_SMTP_PASSWORD") && !err.contains("hunter2"),
        "{err}"
    );
}

use common::web::api_token as token;

fn outbox_is_for_admins_and_digests_can_be_turned_off(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let base = common::serve(db).await;
        let row = dutyday::db::outbox::NewOutbox {
            dedupe_key: "t1:overdue:0:s1".into(),
            kind: "overdue".into(),
            level: 0,
            task_id: None,
            task_assignee_id: None,
            recipient_id: None,
            channel: "email".into(),
            address: "someone@example.com".into(),
            lang: "zh-CN".into(),
            subject: "【已逾期 1 小时】测试".into(),
            body_text: "t".into(),
            body_html: "h".into(),
            status: "failed".into(),
            next_attempt_at: chrono::Utc::now().naive_utc(),
            created_at: chrono::Utc::now().naive_utc(),
            items: "41:7:overdue:0,42:7:repeat:2".into(),
            body_json: None,
        };
        dutyday::db::outbox::insert(&mut db.pool().get().unwrap().any(), &[row]).unwrap();
        let client = reqwest::Client::new();
        let admin = token(&base, "zhu.xiaoyan@example.com").await;
        let res = client.get(format!("{base}/api/v1/outbox?status=failed")).bearer_auth(&admin).send().await.unwrap();
        assert_eq!(res.status(), 200);
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["counts"]["failed"], 1);
        assert_eq!(body["messages"][0]["subject"], "【已逾期 1 小时】测试");
        assert_eq!(body["messages"][0]["tasks"], serde_json::json!([41, 42]), "the tasks it carries");
        let bad = client.get(format!("{base}/api/v1/outbox?status=lost")).bearer_auth(&admin).send().await.unwrap();
        assert_eq!(bad.status(), 422);
        let body: Value = bad.json().await.unwrap();
        assert_eq!(body["error"]["field"], "status");
        let clerk = token(&base, "sun.li@example.com").await;
        let res = client.get(format!("{base}/api/v1/outbox")).bearer_auth(&clerk).send().await.unwrap();
        assert_eq!(res.status(), 403);
        let res = client
            .put(format!("{base}/api/v1/me/digest"))
            .bearer_auth(&clerk)
            .json(&json!({"enabled": false}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let id = common::staff_id(db, "孙丽");
        assert!(!remind::admin::wants_digest(db.pool(), id).unwrap());
        let res = client
            .put(format!("{base}/api/v1/me/digest"))
            .bearer_auth(&clerk)
            .json(&json!({"enabled": "no"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400);
        assert!(!remind::admin::wants_digest(db.pool(), id).unwrap(), "a bad body changes nothing");
    });
}

/// A staffing change may remove an open task that already has a reminder queued (the
/// due-soon one, say): the removal goes through, and the sender cancels the reminder.
fn a_task_removed_by_a_staffing_change_cancels_its_queued_reminder(db: &TestDb) {
    db.seed();
    exec(db, "UPDATE templates SET active = FALSE WHERE id <> 'shipping-daily-report'");
    generate::run(db.pool(), at("2026-11-30T08:00:00+08:00"), None, 7, Scope::Full).unwrap();
    let task = common::tasks(db).into_iter().find(|t| t.occurs_on == common::day("2026-11-30")).unwrap();
    let now = at("2026-11-30T16:05:00+08:00");
    assert_eq!(remind::decide(db.pool(), "http://dutyday.test", now).unwrap(), 1, "the due-soon reminder");
    // What a staffing change does to a task it makes redundant, in one transaction.
    let mut conn = db.pool().get().unwrap();
    let removed = conn
        .transaction(|c| -> dutyday::services::AppResult<usize> {
            dutyday::db::tasks::delete_log(c, task.id)?;
            Ok(dutyday::db::tasks::delete_open(c, task.id)?)
        })
        .unwrap();
    assert_eq!(removed, 1);
    drop(conn);
    let dir = tempfile::tempdir().unwrap();
    let settings = Settings { mail_dir: dir.path().to_path_buf(), ..Settings::default() };
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let mailer = {
        let _inside = rt.enter();
        Mailer::from_settings(&settings).unwrap()
    };
    let report = rt.block_on(remind::deliver(db.pool(), &mailer, now + chrono::Duration::minutes(1))).unwrap();
    assert_eq!((report.sent, report.cancelled), (0, 1), "{report:?}");
    let rows = dutyday::db::outbox::list(&mut db.pool().get().unwrap().any(), Some("cancelled"), 10).unwrap();
    assert_eq!(rows[0].last_error.as_deref(), Some("task no longer exists"));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "no mail was written");
}

/// A digest's unsubscribe link: a GET only asks, a POST (as a mail client's one
/// click) turns the digests off without signing in; a forged token is not found.
fn the_unsubscribe_link_turns_digests_off_with_one_click(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let base = common::serve(db).await;
        let id = common::staff_id(db, "徐强");
        let key = remind::admin::unsubscribe_key(&mut db.pool().get().unwrap().any()).unwrap();
        let token = remind::admin::unsubscribe_token(&key, id.0);
        let url = format!("{base}/digest/off?t={token}");
        let page = reqwest::get(&url).await.unwrap();
        assert_eq!(page.status(), reqwest::StatusCode::OK);
        assert!(page.text().await.unwrap().contains("<form method=\"post\""));
        assert!(remind::admin::wants_digest(db.pool(), id).unwrap(), "a GET changes nothing");
        let client = reqwest::Client::new();
        let res = client.post(&url).form(&[("List-Unsubscribe", "One-Click")]).send().await.unwrap();
        assert_eq!(res.status(), reqwest::StatusCode::OK);
        assert!(!remind::admin::wants_digest(db.pool(), id).unwrap());
        let bad = client.post(format!("{base}/digest/off?t={id}.00", id = id.0)).send().await.unwrap();
        assert_eq!(bad.status(), reqwest::StatusCode::NOT_FOUND);
    });
}

on_both_databases!(
    the_unsubscribe_link_turns_digests_off_with_one_click,
    webhooks_get_each_format_once_and_never_leak_their_token,
    remind_command_prints_counts_and_writes_eml_files,
    outbox_is_for_admins_and_digests_can_be_turned_off,
    a_task_removed_by_a_staffing_change_cancels_its_queued_reminder,
);

/// The compose file's mail settings, as the composed app reads them (mailpit's SMTP).
fn compose_mail_env() -> Vec<(String, String)> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docker-compose.yml")).unwrap();
    text.lines()
        .filter_map(|l| l.trim().split_once(": "))
        .filter(|(k, _)| k.starts_with("DUTYDAY_SMTP_") || *k == "DUTYDAY_MAIL_FROM")
        .map(|(k, v)| (k.to_string(), v.trim_matches('"').to_string()))
        .collect()
}

#[test]
fn the_composed_apps_mail_settings_deliver_over_plain_smtp() {
    let env = compose_mail_env();
    let get = |k: &str| env.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone()).unwrap();
    // mailpit is the `mail` service, listening for SMTP on 1025 without TLS.
    assert_eq!((get("DUTYDAY_SMTP_HOST").as_str(), get("DUTYDAY_SMTP_PORT").as_str()), ("mail", "1025"));
    // The same settings, with the host and port of a real SMTP server on loopback.
    let smtp = common::mail::SmtpServer::start();
    let db = TestDb::sqlite();
    let gen = common::command(&db.url)
        .args(["generate", "--through", "2026-12-04", "--now", "2026-11-30T08:00:00+08:00"])
        .output()
        .unwrap();
    assert!(gen.status.success());
    let mut cmd = common::command(&db.url);
    for (k, v) in &env {
        cmd.env(k, v);
    }
    let out = cmd
        .env("DUTYDAY_SMTP_HOST", "127.0.0.1")
        .env("DUTYDAY_SMTP_PORT", smtp.port.to_string())
        .args(["remind", "--now", "2026-11-30T18:05:00+08:00"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let line = String::from_utf8_lossy(&out.stdout).to_string();
    let received = smtp.received();
    assert!(!received.is_empty() && received.len() == field(&line, "messages"), "{line}");
    assert_eq!(field(&line, "queued"), field(&line, "sent"), "{line}");
    assert!(received[0].header("From").ends_with("<dutyday@example.com>"));
}
