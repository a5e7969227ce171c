//! People through the API: adding a hire (invited, holding a seat), editing, and a
//! leaver whose tasks move and whose sessions end; on both databases.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::web::{api_token, browser, call, get, log_in};
use common::{day, staff_id, tasks, TestDb};
use reqwest::{Client, Method, StatusCode};
use serde_json::json;

fn a_hire_is_added_invited_and_takes_an_empty_seat(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let base = common::serve(db).await;
        common::remind::exec(db, "UPDATE positions SET headcount = 2 WHERE id = 'logistics.warehouse-keeper'");
        let admin = api_token(&base, "zhu.xiaoyan@example.com").await;
        let url = format!("{base}/api/v1/people");
        let hire = json!({"name": "何平", "email": "He.Ping@example.com", "start": "2026-12-02",
            "positions": ["logistics.warehouse-keeper"]});
        let staff = api_token(&base, "xu.qiang@example.com").await;
        assert_eq!(call(Method::POST, &url, &staff, Some(hire.clone())).await.0, StatusCode::FORBIDDEN);
        let before = call(Method::GET, &url, &admin, None).await.1["people"].as_array().unwrap().len();
        // Bad input names the field and changes nothing.
        let bad = [
            (json!({"name": "何平", "email": "xu.qiang@example.com", "start": "2026-12-02"}), "email", "email_taken"),
            (json!({"name": "何平", "email": "not-an-address", "start": "2026-12-02"}), "email", "bad_email"),
            (json!({"name": " ", "email": "a@example.com", "start": "2026-12-02"}), "name", "required"),
            (json!({"name": "何平", "email": "a@example.com", "start": "2026-12-02", "positions": ["no.such"]}), "positions", "unknown_position"),
            (json!({"name": "何平", "email": "a@example.com", "start": "2026-12-02", "positions": ["logistics.shipping-clerk"]}), "positions", "headcount_full"),
        ];
        for (body, field, code) in bad {
            let (s, e) = call(Method::POST, &url, &admin, Some(body)).await;
            assert_eq!((s, e["error"]["field"].as_str(), e["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some(field), Some(code)));
        }
        assert_eq!(call(Method::GET, &url, &admin, None).await.1["people"].as_array().unwrap().len(), before);
        // The hire: added without a password, invited, holding the empty seat from 12-02.
        let (s, added) = call(Method::POST, &url, &admin, Some(hire)).await;
        assert_eq!(s, StatusCode::CREATED, "{added}");
        let id = added["id"].as_i64().unwrap();
        let (_, list) = call(Method::GET, &url, &admin, None).await;
        let he = list["people"].as_array().unwrap().iter().find(|p| p["id"] == id).unwrap().clone();
        assert_eq!((he["email"].as_str(), he["has_password"].as_bool()), (Some("he.ping@example.com"), Some(false)));
        let rows = dutyday::db::outbox::list(&mut db.pool().get().unwrap().any(), None, 100).unwrap();
        assert!(rows.iter().any(|r| r.kind == "invitation" && r.address == "he.ping@example.com"));
        let checks: Vec<_> = tasks(db)
            .into_iter()
            .filter(|t| t.template_id == "warehouse-daily-check" && t.occurs_on == day("2026-12-03"))
            .map(|t| t.assignee_id.map(|a| a.0))
            .collect();
        assert!(checks.contains(&Some(id)), "the hire has their daily check: {checks:?}");
        // Editing: the name changes; the audit log says from what.
        let (s, _) = call(Method::PUT, &format!("{url}/{id}"), &admin, Some(json!({"name": "何萍", "email": "he.ping@example.com", "locale": "en"}))).await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        let (_, log) = call(Method::GET, &format!("{base}/api/v1/audit?action=person"), &admin, None).await;
        let edit = &log["entries"][0];
        assert_eq!((edit["action"].as_str(), edit["before"]["name"].as_str(), edit["after"]["name"].as_str()), (Some("person.edit"), Some("何平"), Some("何萍")));
    });
}

fn a_leaver_hands_on_open_work_and_is_signed_out(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let base = common::serve(db).await;
        let admin = api_token(&base, "zhu.xiaoyan@example.com").await;
        let keeper = staff_id(db, "徐强");
        let token = api_token(&base, "xu.qiang@example.com").await;
        let page = browser();
        log_in(&page, &base, "xu.qiang@example.com").await;
        let url = format!("{base}/api/v1/people/{}/deactivate", keeper.0);
        // A last day ahead: still at work today.
        let (s, _) = call(Method::POST, &url, &admin, Some(json!({"last_day": "2026-12-04"}))).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(call(Method::GET, &format!("{base}/api/v1/me"), &token, None).await.0, StatusCode::OK);
        let after: Vec<_> = tasks(db)
            .into_iter()
            .filter(|t| t.template_id == "warehouse-daily-check" && t.occurs_on >= day("2026-12-07"))
            .collect();
        assert!(
            !after.is_empty() && after.iter().all(|t| t.assignee_id != Some(keeper) && t.cover == "vacancy"),
            "{after:?}"
        );
        // Yesterday as the last day: signed out at once; today's open work moves on.
        let (s, r) = call(Method::POST, &url, &admin, Some(json!({"last_day": "2026-11-30"}))).await;
        assert_eq!(s, StatusCode::OK, "{r}");
        assert_eq!(call(Method::GET, &format!("{base}/api/v1/me"), &token, None).await.0, StatusCode::UNAUTHORIZED);
        assert_eq!(get(&page, &format!("{base}/today")).await.0, StatusCode::SEE_OTHER);
        // Nor can they sign in again, or have a reset link mailed.
        let res = Client::new()
            .post(format!("{base}/api/v1/auth/token"))
            .json(&json!({"email": "xu.qiang@example.com", "password": common::PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        let reset = json!({"email": "xu.qiang@example.com"});
        let res = Client::new().post(format!("{base}/api/v1/auth/password-reset")).json(&reset).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::ACCEPTED);
        let rows = dutyday::db::outbox::list(&mut db.pool().get().unwrap().any(), None, 100).unwrap();
        assert!(!rows.iter().any(|r| r.kind == "password_reset"), "no link for a leaver");
        let all = tasks(db);
        let today: Vec<_> = all
            .iter()
            .filter(|t| t.template_id == "warehouse-daily-check" && t.occurs_on == day("2026-12-01"))
            .collect();
        assert!(today.iter().all(|t| t.assignee_id != Some(keeper)), "{today:?}");
        // History stays: the list still names him on his earlier tasks.
        assert!(all.iter().any(|t| t.assignee_id == Some(keeper) && t.occurs_on <= day("2026-11-30")));
        let (_, list) = call(Method::GET, &format!("{base}/api/v1/people"), &admin, None).await;
        let he = list["people"].as_array().unwrap().iter().find(|p| p["id"] == keeper.0).unwrap().clone();
        assert_eq!((he["active"].as_bool(), he["left_on"].as_str()), (Some(false), Some("2026-11-30")));
        assert_eq!(he["positions"], json!([]));
    });
}

/// HR (the holder of 人事行政, `manages_people = true`) manages people without being an
/// admin; the audit log and the outbox stay the admins'.
fn hr_manages_people_without_being_an_admin(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let base = common::serve(db).await;
        common::remind::exec(db, "UPDATE staff SET is_admin = FALSE WHERE email = 'zhu.xiaoyan@example.com'");
        let hr = api_token(&base, "zhu.xiaoyan@example.com").await;
        let (s, list) = call(Method::GET, &format!("{base}/api/v1/people"), &hr, None).await;
        assert_eq!(s, StatusCode::OK, "{list}");
        let clerk = staff_id(db, "孙丽");
        let (s, _) = call(Method::POST, &format!("{base}/api/v1/people/{}/invitation", clerk.0), &hr, None).await;
        assert_eq!(s, StatusCode::CREATED);
        assert_eq!(call(Method::GET, &format!("{base}/api/v1/audit"), &hr, None).await.0, StatusCode::FORBIDDEN);
        assert_eq!(call(Method::GET, &format!("{base}/api/v1/outbox"), &hr, None).await.0, StatusCode::FORBIDDEN);
        let staff = api_token(&base, "zhou.ting@example.com").await;
        assert_eq!(call(Method::GET, &format!("{base}/api/v1/people"), &staff, None).await.0, StatusCode::FORBIDDEN);
    });
}

/// The start-up message names people of this catalogue, not the seed's.
fn sign_in_examples_come_from_the_staff_imported(db: &TestDb) {
    db.seed();
    let now = common::at(common::NOW);
    let got = dutyday::services::people::sign_in_examples(db.pool(), now).unwrap();
    let want = [
        ("zhang.wei@example.com", "数据分析师"),
        ("wang.jianguo@example.com", "总经理"),
        ("zhu.xiaoyan@example.com", "admin"),
    ];
    assert_eq!(got, want.map(|(a, b)| (a.to_string(), b.to_string())));
    common::remind::exec(
        db,
        "UPDATE staff SET email = 'boss@restaurant.example' WHERE email = 'wang.jianguo@example.com'",
    );
    let got = dutyday::services::people::sign_in_examples(db.pool(), now).unwrap();
    assert_eq!(got[1].0, "boss@restaurant.example");
}

on_both_databases!(
    sign_in_examples_come_from_the_staff_imported,
    hr_manages_people_without_being_an_admin,
    a_hire_is_added_invited_and_takes_an_empty_seat,
    a_leaver_hands_on_open_work_and_is_signed_out
);
