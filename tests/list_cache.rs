//! Lists kept in the process (#18): a list that has not changed costs the one
//! statement that finds who is asking, and a kept list is never served once a task
//! on it changed (through any instance) or one of its due times passed.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::web::{api_token, tasks_of};
use common::TestDb;
use dutyday::services::list_cache::ListCache;
use dutyday::services::{askers, day_list};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use std::sync::Arc;

const KEEPER: &str = "xu.qiang@example.com";
const PACKER: &str = "ma.chao@example.com";
const ADMIN: &str = "zhu.xiaoyan@example.com";

/// The list at `url` with `tok`, and the statements `state`'s pool ran for it.
async fn list(url: &str, tok: &str, state: &Arc<dutyday::services::AppState>) -> (u64, Value) {
    let before = state.pool.statements();
    let res = Client::new().get(url).bearer_auth(tok).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    (state.pool.statements() - before, body)
}

fn find(list: &Value, id: &Value) -> Value {
    tasks_of(list).into_iter().find(|t| t["id"] == *id).unwrap_or_else(|| panic!("task {id} in {list}"))
}

async fn post(url: String, tok: &str, body: Value) {
    let res = Client::new().post(url).bearer_auth(tok).json(&body).send().await.unwrap();
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
}

/// One instance keeps the keeper's list; another changes tasks on it: a task of
/// their own, and a shared task of a position they hold that someone else is given.
fn a_change_anywhere_ends_a_kept_list(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let (a, _) = common::serve_app(db, |_| {}).await;
        let (b, b_state) = common::serve_app(db, |_| {}).await;
        {
            // A second seat for the packing lead's position (the seed has one).
            use diesel::prelude::*;
            use dutyday::db::schema::positions;
            let packing = positions::table.filter(positions::id.eq("logistics.packing-lead"));
            let mut conn = db.pool().get().unwrap();
            dutyday::with_conn!(&mut conn.any(), c => diesel::update(packing).set(positions::headcount.eq(2)).execute(c))
                .unwrap();
        }
        let admin = api_token(&a, ADMIN).await;
        let keeper = api_token(&b, KEEPER).await;
        let me: Value = Client::new()
            .get(format!("{b}/api/v1/me"))
            .bearer_auth(&keeper)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        // The keeper also holds the packing lead's position, whose packing is shared:
        // one of the two is given it, the other sees it through the position.
        let holding = json!({"position": "logistics.packing-lead", "from": "2026-11-30"});
        post(format!("{a}/api/v1/people/{}/holdings", me["id"]), &admin, holding).await;
        let url = format!("{b}/api/v1/me/tasks");
        let packer = api_token(&b, PACKER).await;
        let (_, first) = list(&url, &keeper, &b_state).await;
        let packing = tasks_of(&first)
            .into_iter()
            .find(|t| t["template_id"] == "daily-packing" && t["status"] == "open" && t["occurs_on"] == "2026-12-01")
            .expect("the shared packing on the keeper's list");
        let (given, watcher) = match packing["assignee_id"] == me["id"] {
            true => (&keeper, &packer),
            false => (&packer, &keeper),
        };
        let (_, first) = list(&url, watcher, &b_state).await;
        assert_ne!(find(&first, &packing["id"])["assignee_id"], Value::Null);
        let (spent, again) = list(&url, watcher, &b_state).await;
        assert_eq!((spent, &again), (1, &first), "a kept list costs the one statement that finds who asks");

        // Whoever was given the packing finishes it through A.
        let done = json!({"figures": {"parcels_packed": 120}});
        post(format!("{a}/api/v1/tasks/{}/complete", packing["id"]), given, done).await;
        let (spent, after) = list(&url, watcher, &b_state).await;
        assert_eq!(find(&after, &packing["id"])["status"], "done", "{after}");
        assert_eq!(spent, 2, "read again once");
        assert_eq!(list(&url, watcher, &b_state).await.0, 1, "then kept again");

        // The keeper's own task, skipped through A.
        let (_, mine) = list(&url, &keeper, &b_state).await;
        let own = tasks_of(&mine)
            .into_iter()
            .find(|t| t["status"] == "open" && t["assignee_id"] == me["id"] && t["occurs_on"].as_str() >= Some("2026-12-01"))
            .expect("an open task of the keeper's own");
        post(format!("{a}/api/v1/tasks/{}/skip", own["id"]), &keeper, json!({"reason": "停电"})).await;
        let (_, after) = list(&url, &keeper, &b_state).await;
        assert_eq!(find(&after, &own["id"])["status"], "skipped");

        // Another day's list is its own.
        let (spent, other) = list(&format!("{url}?date=2026-12-02"), &keeper, &b_state).await;
        assert_eq!((spent, other["date"].as_str()), (2, Some("2026-12-02")));
    });
}

/// A kept list is true until a due time on it passes: then the task is overdue.
fn a_kept_list_ends_when_a_due_time_passes(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let (base, state) = common::serve_app(db, |_| {}).await;
        let token = api_token(&base, KEEPER).await;
        let lists = ListCache::default();
        let read = |now: &str| {
            let mut conn = state.pool.get().unwrap();
            let conn = &mut conn.any();
            let (before, now) = (state.pool.statements(), common::at(now));
            let (asker, stamp) = askers::by_token_stamped(conn, &state.directory, &token, now).unwrap().unwrap();
            let written =
                day_list::json_kept(conn, &lists, asker, stamp, None, now, (|b: &[u8]| b.len().to_string(), false))
                    .unwrap();
            (state.pool.statements() - before, serde_json::from_slice::<Value>(&written.body).unwrap())
        };
        // 09:00 in Shanghai: today's tasks are not due yet.
        let (_, morning) = read("2026-12-01T01:00:00Z");
        let first = tasks_of(&morning)
            .into_iter()
            .filter(|t| t["status"] == "open" && t["occurs_on"] == "2026-12-01" && t["overdue"] == false)
            .min_by_key(|t| t["due_at"].as_str().unwrap().to_string())
            .expect("a task due later today");
        let due = chrono::DateTime::parse_from_rfc3339(first["due_at"].as_str().unwrap())
            .unwrap()
            .with_timezone(&chrono::Utc);
        // Seconds around it (the token's use is noted at most once a minute, here at -40).
        let at = |seconds: i64| (due + chrono::Duration::seconds(seconds)).to_rfc3339();
        assert_eq!(read(&at(-40)).1, morning);
        assert_eq!(read(&at(-10)), (1, morning.clone()), "kept before the first due time");
        assert_eq!(read(&at(0)), (1, morning), "and at it");
        let (spent, after) = read(&at(10));
        assert_eq!(find(&after, &first["id"])["overdue"], true, "{after}");
        assert_eq!(spent, 2, "read again once it passed");
    });
}

/// Open work dated on an earlier day and not yet due is today's work: the campaign
/// posters dated Monday, due three working days later, are on the designer's Tuesday,
/// not on Wednesday's list looked at on Tuesday. A list kept for Wednesday is read
/// again at midnight, when Wednesday becomes today and the posters join it.
fn open_work_of_earlier_days_is_today(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let (base, state) = common::serve_app(db, |_| {}).await;
        let designer = api_token(&base, "yang.jing@example.com").await;
        let (_, tuesday) = list(&format!("{base}/api/v1/me/tasks"), &designer, &state).await;
        assert_eq!(tuesday["date"], "2026-12-01");
        let posters = |list: &Value, k: &str| {
            list[k]
                .as_array()
                .unwrap()
                .iter()
                .any(|t| t["template_id"] == "campaign-posters" && t["occurs_on"] == "2026-11-30")
        };
        assert!(posters(&tuesday, "today") && !posters(&tuesday, "overdue"), "{tuesday}");
        let (_, wednesday) = list(&format!("{base}/api/v1/me/tasks?date=2026-12-02"), &designer, &state).await;
        let earlier = |list: &Value| {
            tasks_of(list)
                .into_iter()
                .filter(|t| t["occurs_on"].as_str() < Some("2026-12-02") && t["overdue"] == false)
                .count()
        };
        assert_eq!(earlier(&wednesday), 0, "only overdue work of earlier days is on a later day's list: {wednesday}");

        let lists = ListCache::default();
        let wednesday = chrono::NaiveDate::from_ymd_opt(2026, 12, 2);
        let read = |now: &str| {
            let mut conn = state.pool.get().unwrap();
            let conn = &mut conn.any();
            let now = common::at(now);
            let (asker, stamp) = askers::by_token_stamped(conn, &state.directory, &designer, now).unwrap().unwrap();
            let written = day_list::json_kept(
                conn,
                &lists,
                asker,
                stamp,
                wednesday,
                now,
                (|b: &[u8]| b.len().to_string(), false),
            )
            .unwrap();
            serde_json::from_slice::<Value>(&written.body).unwrap()
        };
        // 23:59:30 and 00:00:01 in Shanghai.
        let late = read("2026-12-01T15:59:30Z");
        assert!(!posters(&late, "today") && earlier(&late) == 0, "{late}");
        let midnight = read("2026-12-01T16:00:01Z");
        assert!(posters(&midnight, "today"), "read again at midnight: {midnight}");
    });
}

/// The section of the 今天 page `html` that holds task `id`, if any.
fn section_of(html: &str, id: &Value) -> Option<&'static str> {
    let at = html.find(&format!("id=\"task-{id}\""))?;
    ["overdue", "today", "finished", "upcoming"]
        .into_iter()
        .filter_map(|s| html.find(&format!("<section class=\"{s}\">")).map(|p| (p, s)))
        .filter(|(p, _)| *p < at)
        .max()
        .map(|(_, s)| s)
}

/// The 今天 page keeps its list the same way: seen again unchanged it costs the one
/// statement that finds whose session it is; a change through another instance, or
/// a task coming due within two hours, shows on the next view.
fn the_page_keeps_its_list_too(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let (a, _) = common::serve_app(db, |_| {}).await;
        let (b, b_state) = common::serve_app(db, |_| {}).await;
        let keeper = api_token(&a, KEEPER).await;
        let c = common::web::browser();
        common::web::log_in(&c, &b, KEEPER).await;
        let page = || async {
            let before = b_state.pool.statements();
            let (status, html) = common::web::get(&c, &format!("{b}/today")).await;
            assert_eq!(status, StatusCode::OK);
            (b_state.pool.statements() - before, html)
        };
        let (_, first) = page().await;
        let (spent, again) = page().await;
        assert_eq!(spent, 1, "a kept page's list costs the one statement that finds the session");
        assert_eq!(strip_csrf(&again), strip_csrf(&first));

        let (_, mine) = list(&format!("{a}/api/v1/me/tasks"), &keeper, &b_state).await;
        let open = tasks_of(&mine)
            .into_iter()
            .find(|t| t["status"] == "open" && t["occurs_on"] == "2026-12-01" && t["completion"] != "figures")
            .unwrap_or_else(|| panic!("a task of today's that a note completes: {mine}"));
        assert_eq!(section_of(&again, &open["id"]), Some("today"));
        post(format!("{a}/api/v1/tasks/{}/complete", open["id"]), &keeper, json!({"note": "货架整洁"})).await;
        let (spent, after) = page().await;
        assert_eq!(section_of(&after, &open["id"]), Some("finished"), "done through A, seen at B");
        assert!(spent >= 2, "read again");
    });
}

/// A page's list kept before a task comes due within two hours is read again when
/// it does: the card is then marked due soon.
fn a_kept_page_list_ends_when_a_task_comes_due_soon(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let (base, state) = common::serve_app(db, |_| {}).await;
        let token = api_token(&base, KEEPER).await;
        let pages = dutyday::services::list_cache::ListCache::default();
        let spent = std::cell::Cell::new(0);
        let read = |now: chrono::DateTime<chrono::Utc>| {
            let mut conn = state.pool.get().unwrap();
            let conn = &mut conn.any();
            let before = state.pool.statements();
            let (asker, stamp) = askers::by_token_stamped(conn, &state.directory, &token, now).unwrap().unwrap();
            let day = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
            let list = day_list::views_kept(conn, &pages, asker, stamp, day, now).unwrap();
            spent.set(state.pool.statements() - before);
            list
        };
        // 07:00 in Shanghai: the daily check is due at 10:00.
        let morning = read(common::at("2026-11-30T23:00:00Z"));
        let due = |t: &dutyday::services::tasks::TaskView| {
            chrono::DateTime::parse_from_rfc3339(&t.due_at).unwrap().with_timezone(&chrono::Utc)
        };
        // A task coming due soon when no other task's due time is near.
        let all: Vec<_> = [&morning.overdue, &morning.today, &morning.upcoming].into_iter().flatten().collect();
        let alone = |soon: chrono::DateTime<chrono::Utc>| all.iter().all(|t| (due(t) - soon).num_seconds().abs() > 60);
        let first = morning
            .today
            .iter()
            .filter(|t| !t.due_soon && alone(due(t) - chrono::Duration::hours(2)))
            .min_by_key(|t| due(t))
            .expect("a task due later");
        let soon = due(first) - chrono::Duration::hours(2);
        let at = |s: i64| soon + chrono::Duration::seconds(s);
        // The token's use is noted at most once a minute: note it first.
        read(at(-50));
        assert!(!read(at(-10)).today.iter().any(|t| t.id == first.id && t.due_soon));
        assert_eq!(spent.get(), 1, "kept until then");
        let later = read(at(10));
        assert!(later.today.iter().any(|t| t.id == first.id && t.due_soon), "due soon two hours before");
        assert_eq!(spent.get(), 2, "read again");
    });
}

/// `url` with `token`, taking `encoding`, with `If-None-Match: tag` if any.
async fn get_as(url: &str, token: &str, encoding: &str, tag: Option<&str>) -> reqwest::Response {
    let mut req = Client::new().get(url).bearer_auth(token).header("accept-encoding", encoding);
    if let Some(t) = tag {
        req = req.header("if-none-match", t);
    }
    req.send().await.unwrap()
}

fn header(r: &reqwest::Response, h: &str) -> Option<String> {
    r.headers().get(h).map(|v| v.to_str().unwrap().to_string())
}

/// A caller that takes gzip gets the list as it is kept, gzipped, under a tag of its
/// own; the same list plain for one that does not; either tag answers 304. Both
/// ways, whichever way the list was first read (a fresh instance each time).
fn a_list_goes_gzipped_to_whoever_takes_it(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        for zipped_first in [false, true] {
            let (base, _) = common::serve_app(db, |_| {}).await;
            let token = api_token(&base, KEEPER).await;
            let url = format!("{base}/api/v1/me/tasks");
            let (plain, zipped) = match zipped_first {
                false => {
                    (get_as(&url, &token, "identity", None).await, get_as(&url, &token, "gzip, br;q=0.5", None).await)
                }
                true => {
                    let zipped = get_as(&url, &token, "gzip, br;q=0.5", None).await;
                    (get_as(&url, &token, "identity", None).await, zipped)
                }
            };
            assert_eq!(header(&plain, "content-encoding"), None);
            assert_eq!(header(&zipped, "content-encoding").as_deref(), Some("gzip"));
            assert_eq!(header(&zipped, "vary").as_deref(), Some("accept-encoding"));
            let (plain_tag, zipped_tag) = (header(&plain, "etag").unwrap(), header(&zipped, "etag").unwrap());
            assert_ne!(plain_tag, zipped_tag, "two representations, two tags");
            let plain = plain.bytes().await.unwrap();
            let zipped = zipped.bytes().await.unwrap();
            let mut unzipped = Vec::new();
            std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&zipped[..]), &mut unzipped).unwrap();
            assert_eq!(String::from_utf8(unzipped).unwrap(), String::from_utf8(plain.to_vec()).unwrap());
            assert!(zipped.len() * 4 < plain.len(), "{} bytes gzipped of {}", zipped.len(), plain.len());
            for (encoding, tag) in [("gzip", &plain_tag), ("gzip", &zipped_tag), ("identity", &zipped_tag)] {
                let res = get_as(&url, &token, encoding, Some(tag)).await;
                assert_eq!(res.status(), StatusCode::NOT_MODIFIED, "{encoding} {tag}");
            }
            for refusal in ["gzip;q=0", "gzip;q=0, *", "br", ""] {
                let refused = get_as(&url, &token, refusal, None).await;
                assert_eq!(header(&refused, "content-encoding"), None, "gzip not taken: {refusal}");
            }
            let any = get_as(&url, &token, "br;q=1, *;q=0.1", None).await;
            assert_eq!(header(&any, "content-encoding").as_deref(), Some("gzip"), "any coding taken");
        }
    });
}

/// The page without its per-session form tokens.
fn strip_csrf(html: &str) -> String {
    html.lines().filter(|l| !l.contains("name=\"csrf\"")).collect::<Vec<_>>().join("\n")
}

on_both_databases!(
    a_change_anywhere_ends_a_kept_list,
    a_kept_list_ends_when_a_due_time_passes,
    open_work_of_earlier_days_is_today,
    the_page_keeps_its_list_too,
    a_kept_page_list_ends_when_a_task_comes_due_soon,
    a_list_goes_gzipped_to_whoever_takes_it
);
