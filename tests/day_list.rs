//! The daily list at the limit (#18): who is asking and their list in at most two
//! statements, the cached directory kept true across instances, and 304 for a list
//! that has not changed.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::web::{api_token, browser, get, log_in, tasks_of};
use common::TestDb;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use std::sync::Arc;

const KEEPER: &str = "xu.qiang@example.com";
const ADMIN: &str = "zhu.xiaoyan@example.com";

/// `GET path` with a bearer token and optional `If-None-Match`: status, ETag, body.
async fn fetch(url: &str, tok: &str, tag: Option<&str>) -> (StatusCode, Option<String>, String) {
    let mut req = Client::new().get(url).bearer_auth(tok);
    if let Some(t) = tag {
        req = req.header("If-None-Match", t);
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    let etag = res.headers().get("etag").map(|v| v.to_str().unwrap().to_string());
    (status, etag, res.text().await.unwrap())
}

/// The statements `state`'s pool runs while `f` runs.
async fn statements<F: std::future::Future<Output = T>, T>(
    state: &Arc<dutyday::services::AppState>,
    f: impl FnOnce() -> F,
) -> (u64, T) {
    let before = state.pool.statements();
    let out = f().await;
    (state.pool.statements() - before, out)
}

fn two_statements_a_list(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let (base, state) = common::serve_app(db, |_| {}).await;
        let tok = api_token(&base, KEEPER).await;
        let url = format!("{base}/api/v1/me/tasks");
        // The first request reads the directory and notes the token's use.
        let (status, _, first) = fetch(&url, &tok, None).await;
        assert_eq!(status, StatusCode::OK, "{first}");
        let (spent, (_, _, again)) = statements(&state, || fetch(&url, &tok, None)).await;
        assert!(spent <= 2, "the list took {spent} statements");
        assert_eq!(first, again);
        let list: Value = serde_json::from_str(&again).unwrap();
        let tasks = tasks_of(&list);
        assert!(!list["overdue"].as_array().unwrap().is_empty(), "some are overdue: {list}");
        // The names that come from the cache and from the joined rows are there.
        let t = &tasks[0];
        for key in ["title_zh", "title_en", "duty_zh", "position_zh", "assignee_name", "due_at"] {
            assert!(t[key].as_str().is_some_and(|s| !s.is_empty()), "{key} in {t}");
        }
        assert_eq!(t["assignee_name"], "徐强");
        // Another day costs the same.
        let week = format!("{url}?date=2026-12-07");
        let (spent, (status, _, _)) = statements(&state, || fetch(&week, &tok, None)).await;
        assert_eq!((status, spent <= 2), (StatusCode::OK, true), "{spent} statements");
        // The page does the same work.
        let c = browser();
        log_in(&c, &base, KEEPER).await;
        let today = format!("{base}/today");
        let (status, page) = get(&c, &today).await;
        assert_eq!(status, StatusCode::OK);
        let (spent, (status, again)) = statements(&state, || get(&c, &today)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(spent <= 2, "the page took {spent} statements");
        let title = t["title_zh"].as_str().unwrap();
        assert!(page.contains(title) && again.contains(title), "{title} on the page");
        // So does the week, its days off from the cached calendars included.
        let week = format!("{base}/week");
        let (spent, (status, week)) = statements(&state, || get(&c, &week)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(spent <= 2, "the week took {spent} statements");
        assert!(week.contains(title) && week.contains("休息日"), "{title} and the weekend on the week");
    });
}

fn unchanged_lists_are_304(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let base = common::serve(db).await;
        let tok = api_token(&base, KEEPER).await;
        let url = format!("{base}/api/v1/me/tasks");
        let (status, tag, body) = fetch(&url, &tok, None).await;
        assert_eq!(status, StatusCode::OK);
        let tag = tag.expect("an ETag");
        let (status, same, empty) = fetch(&url, &tok, Some(&tag)).await;
        assert_eq!((status, same.as_deref(), empty.as_str()), (StatusCode::NOT_MODIFIED, Some(tag.as_str()), ""));
        let (status, _, _) = fetch(&url, &tok, Some(&format!("\"other\", W/{tag}"))).await;
        assert_eq!(status, StatusCode::NOT_MODIFIED, "a weak or listed tag matches too");
        // Someone else's list is not the same list.
        let other = api_token(&base, "sun.li@example.com").await;
        assert_eq!(fetch(&url, &other, Some(&tag)).await.0, StatusCode::OK);
        // Skipped: the list changed, so the old tag gets the new list.
        let list: Value = serde_json::from_str(&body).unwrap();
        let open = tasks_of(&list).into_iter().find(|t| t["status"] == "open");
        let id = open.expect("an open task")["id"].as_i64().unwrap();
        let res = Client::new()
            .post(format!("{base}/api/v1/tasks/{id}/skip"))
            .bearer_auth(&tok)
            .json(&json!({"reason": "今天停电"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let (status, newer, _) = fetch(&url, &tok, Some(&tag)).await;
        assert_eq!(status, StatusCode::OK);
        assert_ne!(newer.unwrap(), tag);
        // A bad token is still 401, with or without a tag.
        assert_eq!(fetch(&url, "nope", Some(&tag)).await.0, StatusCode::UNAUTHORIZED);
    });
}

fn one_instance_sees_another_change(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let (a, _) = common::serve_app(db, |_| {}).await;
        let (b, b_state) = common::serve_app(db, |_| {}).await;
        let keeper = api_token(&b, KEEPER).await;
        let url = format!("{b}/api/v1/me/tasks");
        let (_, _, body) = fetch(&url, &keeper, None).await;
        let before: Value = serde_json::from_str(&body).unwrap();
        let task = tasks_of(&before).into_iter().find(|t| t["status"] == "open").expect("an open task");
        let template = task["template_id"].as_str().unwrap().to_string();
        // An admin renames the template through instance A.
        let admin = api_token(&a, ADMIN).await;
        let c = Client::new();
        let detail: Value = c
            .get(format!("{a}/api/v1/templates/{template}"))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let mut spec = detail["spec"].clone();
        spec["zh"] = json!("改过名的任务");
        let res = c
            .put(format!("{a}/api/v1/templates/{template}"))
            .bearer_auth(&admin)
            .json(&json!({"spec": spec, "effective": "2026-12-02", "reason": "改名"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
        // B's next request sees it: it reads the new version once, then is back to two.
        let (spent, (_, _, body)) = statements(&b_state, || fetch(&url, &keeper, None)).await;
        assert!(spent > 2, "B read the changed directory ({spent} statements)");
        let after: Value = serde_json::from_str(&body).unwrap();
        let renamed: Vec<Value> = tasks_of(&after).into_iter().filter(|t| t["template_id"] == template).collect();
        assert!(!renamed.is_empty() && renamed.iter().all(|t| t["title_zh"] == "改过名的任务"), "{after}");
        let (spent, _) = statements(&b_state, || fetch(&url, &keeper, None)).await;
        assert!(spent <= 2, "{spent}");
        // A lead's one-off task made through A is on the keeper's list at B, named.
        let one_off = json!({"title": "盘点样品", "position": "logistics.warehouse-keeper", "due": "2026-12-03T18:00",
            "completion": "tick"});
        let res = c.post(format!("{a}/api/v1/one-offs")).bearer_auth(&admin).json(&one_off).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::CREATED, "{}", res.text().await.unwrap());
        let (_, _, body) = fetch(&url, &keeper, None).await;
        let list: Value = serde_json::from_str(&body).unwrap();
        assert!(tasks_of(&list).iter().any(|t| t["title_zh"] == "盘点样品"), "{list}");
        let (spent, _) = statements(&b_state, || fetch(&url, &keeper, None)).await;
        assert!(spent <= 2, "a learnt one-off costs nothing more ({spent})");
        // People are never cached: a rename through A shows at B on its next request.
        let id = task["assignee_id"].as_i64().expect("the keeper's own task");
        let person = json!({"name": "徐强强", "email": KEEPER, "locale": "zh-CN"});
        let res = c.put(format!("{a}/api/v1/people/{id}")).bearer_auth(&admin).json(&person).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NO_CONTENT, "{}", res.text().await.unwrap());
        let (spent, (_, _, body)) = statements(&b_state, || fetch(&url, &keeper, None)).await;
        let list: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(tasks_of(&list).iter().find(|t| t["id"] == task["id"]).unwrap()["assignee_name"], "徐强强");
        assert!(spent <= 2, "{spent}");
    });
}

/// A person holding more positions than one statement names still gets every
/// position's shared tasks, once each and in due order.
fn many_positions_many_statements(db: &TestDb) {
    db.seed();
    let mut conn = db.pool().get().unwrap();
    let org = dutyday::db::org::load(&mut conn.any()).unwrap();
    let mut positions: Vec<String> = Vec::new();
    let mut rows = Vec::new();
    let day = common::day("2026-12-01");
    for t in &org.templates {
        if positions.contains(&t.position_id) || positions.len() == 6 {
            continue;
        }
        positions.push(t.position_id.clone());
        let department = org.positions.iter().find(|p| p.id == t.position_id).unwrap().department_id.clone();
        let n = u32::try_from(positions.len()).unwrap();
        let created = common::at("2026-11-30T00:00:00Z").naive_utc();
        rows.push(dutyday::db::tasks::NewTask {
            template_id: t.id.clone(),
            occurrence: "2026-12-01".into(),
            slot: "shared".into(),
            occurs_on: day,
            // Due in the reverse order of the positions, to see the merge sort them.
            due_at: day.and_hms_opt(10 - n, 0, 0).unwrap(),
            position_id: t.position_id.clone(),
            department_id: department,
            assignee_id: None,
            cover: "none".into(),
            covered_staff_id: None,
            event_id: None,
            status: "open".into(),
            created_at: created,
            updated_at: created,
            template_version: 1,
        });
    }
    dutyday::db::tasks::insert_missing(&mut conn.any(), &rows).unwrap();
    let nobody = dutyday::domain::task::StaffId(-1);
    let list = dutyday::db::day_list::list_named(&mut conn.any(), nobody, &positions, day, day).unwrap();
    let got: Vec<&str> = list.iter().map(|l| l.task.position_id.as_str()).collect();
    let want: Vec<&str> = positions.iter().rev().map(String::as_str).collect();
    assert_eq!(got, want, "all six positions' tasks, once, by due time");
}

/// 今天 for any day: the day before and after, a date picker, the way back.
fn any_day_from_the_page(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let base = common::serve(db).await;
        let c = browser();
        log_in(&c, &base, KEEPER).await;
        let (_, today) = get(&c, &format!("{base}/today")).await;
        for want in
            ["href=\"/today?date=2026-11-30\"", "href=\"/today?date=2026-12-02\"", "value=\"2026-12-01\"", "今天的任务"]
        {
            assert!(today.contains(want), "{want} on today's page");
        }
        assert!(!today.contains("id=\"day-today\""), "no way back to where one is");
        // The picker is a GET form: its answer is the same address as the links.
        let (status, other) = get(&c, &format!("{base}/today?date=2026-12-03")).await;
        assert_eq!(status, StatusCode::OK);
        for want in [
            "href=\"/today?date=2026-12-02\"",
            "href=\"/today?date=2026-12-04\"",
            "value=\"2026-12-03\"",
            "这一天的任务",
            "回到今天",
        ] {
            assert!(other.contains(want), "{want} on another day's page");
        }
    });
}

on_both_databases!(
    two_statements_a_list,
    unchanged_lists_are_304,
    one_instance_sees_another_change,
    many_positions_many_statements,
    any_day_from_the_page
);
