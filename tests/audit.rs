//! The audit log: staffing and account changes are recorded with who, when, before
//! and after, and admins read them as JSON, CSV and a page; on both databases.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::web::{api_token, browser, get, log_in};
use common::{at, day, staff_id, TestDb, NOW};
use dutyday::services::audit::Actor;
use dutyday::services::staffing;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

async fn audit(base: &str, token: &str, query: &str) -> (StatusCode, Value) {
    let res = Client::new().get(format!("{base}/api/v1/audit{query}")).bearer_auth(token).send().await.unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

fn changes_are_recorded_and_admins_read_them(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let base = common::serve(db).await;
        let (admin_id, clerk) = (staff_id(db, "朱晓燕"), staff_id(db, "孙丽"));
        // An admin records leave; the operator ends a holding; an admin invites someone.
        staffing::add_leave(
            db.pool(),
            Actor::Staff(admin_id),
            clerk,
            day("2026-12-03"),
            day("2026-12-04"),
            "病假",
            at(NOW),
        )
        .unwrap();
        let analyst = staff_id(db, "张伟");
        staffing::end_holding(
            db.pool(),
            Actor::Operator,
            analyst,
            &"ops.data-analyst".into(),
            day("2026-12-10"),
            at(NOW),
        )
        .unwrap();
        let admin = api_token(&base, "zhu.xiaoyan@example.com").await;
        let res = Client::new()
            .post(format!("{base}/api/v1/people/{}/invitation", clerk.0))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::CREATED);
        // Refused changes leave no entry.
        let overlap =
            staffing::add_leave(db.pool(), Actor::Operator, clerk, day("2026-12-04"), day("2026-12-05"), "", at(NOW));
        assert!(overlap.is_err());

        let (s, log) = audit(&base, &admin, "").await;
        assert_eq!(s, StatusCode::OK, "{log}");
        let entries = log["entries"].as_array().unwrap();
        let actions: Vec<&str> = entries.iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert_eq!(actions, ["account.invite", "holding.end", "leave.add"], "newest first, refusals absent");
        let leave = &entries[2];
        assert_eq!(
            (leave["actor"].as_str(), leave["subject"].as_str()),
            (Some("朱晓燕"), Some(format!("staff:{}", clerk.0).as_str()))
        );
        assert_eq!(
            leave["after"],
            json!({"from": "2026-12-03", "to": "2026-12-04", "half_day": null, "reason": "病假"})
        );
        let end = &entries[1];
        assert_eq!((end["actor"].as_str(), end["actor_id"].as_i64()), (Some(""), None), "the operator has no name");
        assert_eq!(end["after"]["last_day"], "2026-12-10");
        // Filters: by action prefix, and by person.
        let (_, only) = audit(&base, &admin, "?action=holding").await;
        assert_eq!(only["entries"].as_array().unwrap().len(), 1);
        let (_, by) = audit(&base, &admin, &format!("?actor={}", admin_id.0)).await;
        assert_eq!(by["entries"].as_array().unwrap().len(), 2);
        let (s, e) = audit(&base, &admin, "?from=2026-12-05&until=2026-12-01").await;
        assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("period_reversed")));
        // Only admins.
        let lead = api_token(&base, "wang.jianguo@example.com").await;
        assert_eq!(audit(&base, &lead, "").await.0, StatusCode::FORBIDDEN);
        // CSV in the reader's language.
        let csv = |lang: &'static str| {
            let (base, admin) = (base.clone(), admin.clone());
            async move {
                let res = Client::new()
                    .get(format!("{base}/api/v1/audit.csv"))
                    .bearer_auth(&admin)
                    .header("Accept-Language", lang)
                    .send()
                    .await
                    .unwrap();
                res.text().await.unwrap()
            }
        };
        let zh = csv("zh-CN").await;
        assert!(zh.starts_with("\u{feff}时间,操作人,操作,对象,之前,之后\r\n"), "{zh}");
        assert!(zh.contains("命令行/系统,holding.end"), "{zh}");
        assert!(csv("en").await.starts_with("\u{feff}When,Who,Action,Subject,Before,After\r\n"));
        // The page.
        let c = browser();
        log_in(&c, &base, "zhu.xiaoyan@example.com").await;
        let (s, page) = get(&c, &format!("{base}/admin/audit")).await;
        assert_eq!(s, StatusCode::OK);
        assert!(page.contains("审计日志") && page.contains("leave.add") && page.contains("病假"), "{page}");
    });
}

fn account_changes_are_recorded_too(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let base = common::serve(db).await;
        let clerk = api_token(&base, "sun.li@example.com").await;
        let res = Client::new()
            .post(format!("{base}/api/v1/me/password"))
            .bearer_auth(&clerk)
            .json(&json!({"current": common::PASSWORD, "new": "correct horse battery staple"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        let admin = api_token(&base, "zhu.xiaoyan@example.com").await;
        let (_, log) = audit(&base, &admin, "?action=account").await;
        let e = &log["entries"][0];
        assert_eq!((e["action"].as_str(), e["actor"].as_str()), (Some("account.change_password"), Some("孙丽")));
        assert!(e["before"].is_null() && e["after"].is_null(), "no password, not even hashed, in the log");
    });
}

on_both_databases!(changes_are_recorded_and_admins_read_them, account_changes_are_recorded_too);
