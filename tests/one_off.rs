//! One-off tasks: a lead hands out work once; it is a task like any other, the lead
//! hears when it is done, and it does not stay with someone who left. Both databases.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::web::{api_token, call};
use common::{staff_id, TestDb};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

fn a_lead_hands_out_work_and_hears_when_it_is_done(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let base = common::serve(db).await;
        let (keeper, clerk) = (staff_id(db, "徐强"), staff_id(db, "孙丽"));
        let boss = api_token(&base, "wang.jianguo@example.com").await;
        let url = format!("{base}/api/v1/one-offs");
        let job = json!({"title": "整理退货区", "description": "把上周的退货按店铺分开放", "position": "logistics.warehouse-keeper",
            "person_id": keeper.0, "due": "2026-12-03T18:00", "completion": "note"});
        // Only a lead of the department (or an admin) hands out its work.
        let ops_lead = api_token(&base, "li.na@example.com").await;
        assert_eq!(call(Method::POST, &url, &ops_lead, Some(job.clone())).await.0, StatusCode::FORBIDDEN);
        let staff = api_token(&base, "xu.qiang@example.com").await;
        assert_eq!(call(Method::POST, &url, &staff, Some(job.clone())).await.0, StatusCode::FORBIDDEN);
        // Bad input names the field and makes nothing.
        let with = |k: &str, v: Value| {
            let mut j = job.clone();
            j[k] = v;
            j
        };
        let bad = [
            (with("title", json!(" ")), "title", "required"),
            (with("position", json!("no.such")), "position", "unknown_position"),
            (with("person_id", json!(clerk.0)), "person", "not_holder"),
            (with("due", json!("2026-11-30T18:00")), "due", "due_in_past"),
            (with("completion", json!("figures")), "figures", "catalog"),
        ];
        for (body, field, code) in bad {
            let (s, e) = call(Method::POST, &url, &boss, Some(body)).await;
            assert_eq!((s, e["error"]["field"].as_str(), e["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some(field), Some(code)), "{e}");
        }
        assert_eq!(call(Method::GET, &url, &boss, None).await.1["tasks"], json!([]));
        let (s, made) = call(Method::POST, &url, &boss, Some(job)).await;
        assert_eq!(s, StatusCode::CREATED, "{made}");
        let id = made["task_id"].as_i64().unwrap();
        // On his list for that day, with what to do; not in the catalogue.
        let (_, day) = call(Method::GET, &format!("{base}/api/v1/me/tasks?date=2026-12-03"), &staff, None).await;
        let mine = day["today"].as_array().unwrap().iter().find(|t| t["id"] == id).cloned().unwrap_or_default();
        assert_eq!((mine["title_zh"].as_str(), mine["description"].as_str()), (Some("整理退货区"), Some("把上周的退货按店铺分开放")), "{day}");
        assert_eq!(mine["duty_id"], "logistics.warehouse-keeper.5", "under the duty of assigned work");
        assert_eq!(mine["due_at"], "2026-12-03T18:00:00+08:00");
        let (_, templates) = call(Method::GET, &format!("{base}/api/v1/templates"), &boss, None).await;
        assert!(templates["templates"].as_array().unwrap().iter().all(|t| t["id"] != mine["template_id"]));
        // Done: the lead sees it and is mailed.
        let (s, _) = call(Method::POST, &format!("{base}/api/v1/tasks/{id}/complete"), &staff, Some(json!({"note": "已分好"}))).await;
        assert_eq!(s, StatusCode::OK);
        let (_, list) = call(Method::GET, &url, &boss, None).await;
        assert_eq!((list["tasks"][0]["id"].as_i64(), list["tasks"][0]["status"].as_str()), (Some(id), Some("done")));
        // Counted on the dashboard under its own title.
        let dash = format!("{base}/api/v1/dashboard?by=template&period=custom&from=2026-12-01&to=2026-12-07");
        let (s, d) = call(Method::GET, &dash, &boss, None).await;
        assert_eq!(s, StatusCode::OK, "{d}");
        let row = d["rows"].as_array().unwrap().iter().find(|r| r["key"] == mine["template_id"]).cloned().unwrap_or_default();
        assert_eq!((row["name"].as_str(), row["done"].as_i64()), (Some("整理退货区"), Some(1)), "{d}");
        let rows = dutyday::db::outbox::list(&mut db.pool().get().unwrap().any(), None, 500).unwrap();
        let told = rows.iter().find(|r| r.kind == "one_off_done").unwrap();
        assert_eq!(told.address, "wang.jianguo@example.com");
        assert!(told.subject.contains("整理退货区") && told.subject.contains("徐强"), "{}", told.subject);
        // A second job for the position, then he leaves before it: it moves on.
        let job2 = json!({"title": "盘点消防器材", "position": "logistics.warehouse-keeper", "due": "2026-12-04T12:00", "completion": "tick"});
        let (_, made2) = call(Method::POST, &url, &boss, Some(job2)).await;
        let id2 = dutyday::domain::task::TaskId(made2["task_id"].as_i64().unwrap());
        let before = common::tasks(db).into_iter().find(|t| t.id == id2).unwrap();
        assert_eq!(before.assignee_id, Some(keeper));
        let hr = api_token(&base, "zhu.xiaoyan@example.com").await;
        let gone = format!("{base}/api/v1/people/{}/deactivate", keeper.0);
        assert_eq!(call(Method::POST, &gone, &hr, Some(json!({"last_day": "2026-12-02"}))).await.0, StatusCode::OK);
        let after = common::tasks(db).into_iter().find(|t| t.id == id2).unwrap();
        assert!(after.assignee_id.is_some() && after.assignee_id != Some(keeper), "{after:?}");
    });
}

/// On the pages: the 总经理 hands out work on 交办, the keeper finds it on his list
/// with what to do, and the 总经理 sees where it stands.
fn one_off_work_on_the_pages(db: &TestDb) {
    use common::web::{browser, get, log_in, post};
    actix_web::rt::System::new().block_on(async {
        let base = common::serve(db).await;
        let keeper = staff_id(db, "徐强");
        let boss = browser();
        log_in(&boss, &base, "wang.jianguo@example.com").await;
        let (s, page) = get(&boss, &format!("{base}/assign")).await;
        assert_eq!(s, StatusCode::OK);
        let to = format!("logistics.warehouse-keeper@{}", keeper.0);
        assert!(page.contains(&format!("value=\"{to}\"")), "the keeper can be picked");
        let csrf = common::csrf(&page);
        let form = [
            ("csrf", csrf.as_str()),
            ("title", "整理退货区"),
            ("description", "按店铺分开放"),
            ("to", to.as_str()),
            ("date", "2026-12-03"),
            ("time", "17:30"),
            ("completion", "note"),
        ];
        let (s, at, _) = post(&boss, &format!("{base}/assign"), &form).await;
        assert_eq!((s, at.as_str()), (StatusCode::SEE_OTHER, "/assign"));
        let (_, page) = get(&boss, &format!("{base}/assign")).await;
        assert!(
            page.contains("role=\"status\"") && page.contains("整理退货区") && page.contains("12-03 17:30"),
            "{page}"
        );
        let him = browser();
        log_in(&him, &base, "xu.qiang@example.com").await;
        let (_, list) = get(&him, &format!("{base}/today?date=2026-12-03")).await;
        assert!(list.contains("整理退货区") && list.contains("按店铺分开放"), "on his list with what to do");
        // The keeper is no lead: the page is not his.
        assert_eq!(get(&him, &format!("{base}/assign")).await.0, StatusCode::FORBIDDEN);
        // A one-off asking for figures, typed one a line on the form.
        let form = [
            ("csrf", csrf.as_str()),
            ("title", "回访差评客户"),
            ("to", to.as_str()),
            ("date", "2026-12-03"),
            ("time", "18:00"),
            ("completion", "figures"),
            ("figures", "已联系客户数|整数\n情况说明|文字\n"),
        ];
        let (s, at, _) = post(&boss, &format!("{base}/assign"), &form).await;
        assert_eq!((s, at.as_str()), (StatusCode::SEE_OTHER, "/assign"));
        let token = common::web::api_token(&base, "xu.qiang@example.com").await;
        let (_, day) = call(Method::GET, &format!("{base}/api/v1/me/tasks?date=2026-12-03"), &token, None).await;
        let job = day["today"].as_array().unwrap().iter().find(|t| t["title_zh"] == "回访差评客户").cloned().unwrap();
        let asked: Vec<(&str, &str)> = job["figures_asked"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| (f["zh"].as_str().unwrap(), f["type"].as_str().unwrap()))
            .collect();
        assert_eq!(asked, [("已联系客户数", "integer"), ("情况说明", "text")], "{job}");
        let done = format!("{base}/api/v1/tasks/{}/complete", job["id"]);
        let (s, e) = call(Method::POST, &done, &token, Some(json!({"figures": {"f1": "many"}}))).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        let (s, t) = call(Method::POST, &done, &token, Some(json!({"figures": {"f1": 7, "f2": "都已回复"}}))).await;
        assert_eq!((s, t["task"]["status"].as_str()), (StatusCode::OK, Some("done")), "{t}");
    });
}

on_both_databases!(a_lead_hands_out_work_and_hears_when_it_is_done, one_off_work_on_the_pages);
