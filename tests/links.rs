//! Invitations and password resets end to end: the mail through the outbox and a real
//! SMTP server, its link opened, a password set once; on both databases.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::mail::SmtpServer;
use common::web::{api_token, browser, get, log_in_with, post};
use common::{at, TestDb, NOW, PASSWORD};
use dutyday::error::ErrorCode;
use dutyday::notify::Mailer;
use dutyday::services::{links, remind};
use reqwest::{Client, StatusCode};

/// Sends what the outbox holds at `now` (a reminder pass) and returns the one-time
/// link's secret from the only mail that went to `to`.
async fn mailed_secret(db: &TestDb, smtp: &SmtpServer, now: &str, to: &str) -> String {
    let mailer = Mailer::from_settings(&common::remind::settings(smtp.port)).unwrap();
    remind::pass(db.pool(), &mailer, "http://dutyday.test", at(now)).await.unwrap();
    let mails: Vec<_> = smtp.received().into_iter().filter(|m| m.to.iter().any(|t| t.contains(to))).collect();
    assert_eq!(mails.len(), 1, "one mail to {to}");
    let text = mails[0].part("text/plain");
    let i = text.find("/password/set?t=").expect("a link") + "/password/set?t=".len();
    text[i..].split_whitespace().next().unwrap().to_string()
}

fn a_forgotten_password_is_reset_once_by_mail_at_any_hour(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let base = common::serve(db).await;
        let smtp = SmtpServer::start();
        let old = browser();
        log_in_with(&old, &base, "sun.li@example.com", PASSWORD).await;
        let c = browser();
        let (_, login) = get(&c, &format!("{base}/login")).await;
        assert!(login.contains("/password/forgot"), "the login page offers it");
        let (s, page) = get(&c, &format!("{base}/password/forgot")).await;
        assert_eq!(s, StatusCode::OK);
        let csrf = common::csrf(&page);
        // Known and unknown addresses get the same answer.
        let url = format!("{base}/password/forgot");
        let (s1, _, known) = post(&c, &url, &[("csrf", &csrf), ("email", "Sun.Li@example.com")]).await;
        let (s2, _, unknown) = post(&c, &url, &[("csrf", &csrf), ("email", "nobody@example.com")]).await;
        assert_eq!((s1, s2), (StatusCode::OK, StatusCode::OK));
        assert!(known.contains("重置链接已经发出") && known == unknown, "the same answer either way");
        // 23:00 in Shanghai: reminders wait for the morning, a reset link does not.
        let secret = mailed_secret(db, &smtp, "2026-12-01T15:00:00Z", "sun.li@example.com").await;
        let rows = dutyday::db::outbox::list(&mut db.pool().get().unwrap().any(), None, 1000).unwrap();
        let sent = rows.iter().find(|r| r.kind == "password_reset").unwrap();
        assert_eq!((sent.status.as_str(), sent.body_text.as_str()), ("sent", ""), "the link is forgotten once sent");
        // The link opens a form; a weak password is refused and the link still works.
        let link = format!("{base}/password/set?t={secret}");
        let (s, form) = get(&c, &link).await;
        assert!(s == StatusCode::OK && form.contains("孙丽"), "{form}");
        let csrf = common::csrf(&form);
        let set = format!("{base}/password/set");
        let (s, _, body) = post(&c, &set, &[("csrf", &csrf), ("t", &secret), ("new", "password123")]).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("太容易被猜到"), "{body}");
        let new = "发货前再核对一遍地址";
        let (s, to, _) = post(&c, &set, &[("csrf", &csrf), ("t", &secret), ("new", new)]).await;
        assert_eq!((s, to.as_str()), (StatusCode::SEE_OTHER, "/login"));
        let (_, login) = get(&c, &format!("{base}/login")).await;
        assert!(login.contains("密码已设置"), "{login}");
        // Once: the link is used up; the old session ended; the new password works.
        let (s, page) = get(&c, &link).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        assert!(page.contains("此链接已过期或已使用"), "{page}");
        assert_eq!(get(&old, &format!("{base}/today")).await.0, StatusCode::SEE_OTHER);
        log_in_with(&c, &base, "sun.li@example.com", new).await;
    });
}

fn an_admin_invites_a_new_person_who_sets_a_first_password(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let base = common::serve(db).await;
        let smtp = SmtpServer::start();
        let newcomer = common::add_person(db, "he.ping@example.com", "何平");
        let url = format!("{base}/api/v1/people/{}/invitation", newcomer.0);
        let staff = api_token(&base, "xu.qiang@example.com").await;
        let res = Client::new().post(&url).bearer_auth(&staff).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "staff do not invite");
        let admin = api_token(&base, "zhu.xiaoyan@example.com").await;
        let res = Client::new().post(&url).bearer_auth(&admin).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::CREATED);
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["expires_at"], "2026-12-04T02:00:00Z", "72 hours from now");
        let secret = mailed_secret(db, &smtp, NOW, "he.ping@example.com").await;
        let mail = smtp.received().into_iter().find(|m| m.to[0].contains("he.ping")).unwrap();
        assert!(mail.header("Subject").contains("邀请你使用"), "{}", mail.header("Subject"));
        // 73 hours later the link no longer works.
        let late = at(NOW) + chrono::Duration::hours(73);
        let e = links::set_password(db.pool(), &secret, "发货前再核对一遍地址", late).unwrap_err();
        assert_eq!(e.code, ErrorCode::LinkInvalid);
        let c = browser();
        let (_, form) = get(&c, &format!("{base}/password/set?t={secret}")).await;
        let csrf = common::csrf(&form);
        let first = "新同事的第一个密码要够长";
        let (s, _, _) =
            post(&c, &format!("{base}/password/set"), &[("csrf", &csrf), ("t", &secret), ("new", first)]).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        log_in_with(&c, &base, "he.ping@example.com", first).await;
    });
}

fn the_api_takes_reset_requests_without_telling_who_exists(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let base = common::serve(db).await;
        let url = format!("{base}/api/v1/auth/password-reset");
        for email in ["sun.li@example.com", "nobody@example.com"] {
            let res = Client::new().post(&url).json(&serde_json::json!({"email": email})).send().await.unwrap();
            assert_eq!(res.status(), StatusCode::ACCEPTED, "{email}");
        }
        // Asked again at once: no second mail floods the mailbox.
        let res =
            Client::new().post(&url).json(&serde_json::json!({"email": "sun.li@example.com"})).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::ACCEPTED);
        let rows = dutyday::db::outbox::list(&mut db.pool().get().unwrap().any(), None, 1000).unwrap();
        let resets: Vec<_> = rows.iter().filter(|r| r.kind == "password_reset").collect();
        assert_eq!(resets.len(), 1);
        assert_eq!(resets[0].address, "sun.li@example.com");
    });
}

on_both_databases!(
    a_forgotten_password_is_reset_once_by_mail_at_any_hour,
    an_admin_invites_a_new_person_who_sets_a_first_password,
    the_api_takes_reset_requests_without_telling_who_exists,
);
