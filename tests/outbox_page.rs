//! The admins' outbox page: when each message was queued and sent, a message opened
//! (its text, unless it is worded when sent or carries an account link), a failed one
//! sent again (audited), and an empty outbox that says so.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::remind::queue;
use common::web::{browser, get, log_in, post};
use common::TestDb;
use reqwest::StatusCode;

fn messages_open_and_a_failed_one_goes_again(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let base = common::serve(db).await;
        let admin = browser();
        log_in(&admin, &base, "zhu.xiaoyan@example.com").await;
        let (s, page) = get(&admin, &format!("{base}/admin/outbox")).await;
        assert_eq!(s, StatusCode::OK);
        assert!(page.contains("id=\"outbox-empty\"") && page.contains("发件箱里还没有消息"), "{page}");
        let failed = queue(
            db,
            "digest:1",
            "digest",
            "failed",
            "早上好，孙丽：今天有 3 项待办。",
            Some("550 mailbox unavailable"),
        );
        let invite = common::remind::queue(
            db,
            "invite:1",
            "invitation",
            "queued",
            "设置密码：http://x/password/set?t=secret123",
            None,
        );
        let (_, page) = get(&admin, &format!("{base}/admin/outbox")).await;
        // Queued at 10:00 in Shanghai (02:00 UTC), its status on one line, opened by its number.
        assert!(page.contains("<td class=\"nowrap\">12-01 10:00</td>"), "{page}");
        assert!(page.contains("<td class=\"nowrap\">发送失败</td>"));
        assert!(page.contains(&format!("href=\"/admin/outbox/{failed}\"")));
        // The failed message: its text, its error, and a way to send it again.
        let (s, msg) = get(&admin, &format!("{base}/admin/outbox/{failed}")).await;
        assert_eq!(s, StatusCode::OK);
        assert!(msg.contains("早上好，孙丽：今天有 3 项待办。") && msg.contains("550 mailbox unavailable"), "{msg}");
        assert!(msg.contains("id=\"retry-form\""));
        let (s, to, _) =
            post(&admin, &format!("{base}/admin/outbox/{failed}/retry"), &[("csrf", &common::csrf(&msg))]).await;
        assert_eq!((s, to.as_str()), (StatusCode::SEE_OTHER, format!("/admin/outbox/{failed}").as_str()));
        let mut conn = db.pool().get().unwrap();
        let row = dutyday::db::outbox::get(&mut conn.any(), failed).unwrap().unwrap();
        assert_eq!((row.status.as_str(), row.attempts), ("queued", 0), "queued again, attempts afresh");
        let (_, msg) = get(&admin, &format!("{base}/admin/outbox/{failed}")).await;
        assert!(msg.contains(&format!("已放回队列：消息 #{failed}")) && !msg.contains("id=\"retry-form\""), "{msg}");
        let (_, audit) = get(&admin, &format!("{base}/admin/audit")).await;
        assert!(audit.contains("重新发送消息"), "the retry is in the audit log");
        // Again: it is no longer failed, and that is said, changing nothing.
        let (s, _, again) =
            post(&admin, &format!("{base}/admin/outbox/{failed}/retry"), &[("csrf", &common::csrf(&msg))]).await;
        assert_eq!(s, StatusCode::CONFLICT);
        assert!(again.contains("只有发送失败的消息可以重发"), "{again}");
        // An account mail's text carries a one-time link: never shown.
        let (_, msg) = get(&admin, &format!("{base}/admin/outbox/{invite}")).await;
        assert!(msg.contains("id=\"message-withheld\"") && !msg.contains("secret123"), "{msg}");
        // A reminder still waiting is worded when it goes (several tasks' ones too).
        let waiting = queue(db, "remind:1", "overdue", "queued", "", None);
        let (_, msg) = get(&admin, &format!("{base}/admin/outbox/{waiting}")).await;
        assert!(msg.contains("任务提醒在发送时才生成正文"), "{msg}");
        // Others may not open it; an unknown number is a page that says so.
        let (s, _) = get(&admin, &format!("{base}/admin/outbox/999999")).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let clerk = browser();
        log_in(&clerk, &base, "sun.li@example.com").await;
        let (s, _) = get(&clerk, &format!("{base}/admin/outbox/{failed}")).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _, _) =
            post(&clerk, &format!("{base}/admin/outbox/{invite}/retry"), &[("csrf", &common::csrf(&msg))]).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
    });
}

on_both_databases!(messages_open_and_a_failed_one_goes_again);
