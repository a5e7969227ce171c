//! The staff API over real HTTP: tokens, the daily list, task actions, authorization.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{TestDb, PASSWORD};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

use common::web::api_token as token;

async fn call(method: reqwest::Method, url: &str, token: Option<&str>, body: Option<Value>) -> (StatusCode, Value) {
    let mut req = Client::new().request(method, url);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// The id of `email`'s first task of `template` in their list (today, upcoming or overdue).
async fn find_task(base: &str, tok: &str, template: &str) -> i64 {
    let (_, list) = call(reqwest::Method::GET, &format!("{base}/api/v1/me/tasks"), Some(tok), None).await;
    ["overdue", "today", "upcoming"]
        .iter()
        .flat_map(|k| list[*k].as_array().cloned().unwrap_or_default())
        .find(|t| t["template_id"] == template && t["status"] == "open")
        .unwrap_or_else(|| panic!("no open {template} in {list}"))["id"]
        .as_i64()
        .unwrap()
}

fn tokens_login_and_throttling(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let base = common::serve(db).await;
        let tok = token(&base, "xu.qiang@example.com").await;
        let (s, me) = call(reqwest::Method::GET, &format!("{base}/api/v1/me"), Some(&tok), None).await;
        assert_eq!((s, me["name"].as_str()), (StatusCode::OK, Some("徐强")));
        assert_eq!(me["positions"], json!(["logistics.warehouse-keeper"]));
        let (s, body) = call(reqwest::Method::GET, &format!("{base}/api/v1/me"), None, None).await;
        assert_eq!((s, body["error"]["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("unauthenticated")));
        // List and revoke: the revoked token stops working.
        let (_, list) = call(reqwest::Method::GET, &format!("{base}/api/v1/auth/tokens"), Some(&tok), None).await;
        let id = list["tokens"][0]["id"].as_i64().unwrap();
        assert!(list["tokens"][0]["last_used_at"].is_string(), "its use is noted: {list}");
        assert!(list.to_string().find(&tok).is_none(), "secrets are never listed");
        let (s, _) = call(reqwest::Method::DELETE, &format!("{base}/api/v1/auth/tokens/{id}"), Some(&tok), None).await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        let (s, _) = call(reqwest::Method::GET, &format!("{base}/api/v1/me"), Some(&tok), None).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        // Wrong passwords: refused, then locked even for the right one.
        let wrong = json!({"email": "sun.li@example.com", "password": "nope"});
        for _ in 0..5 {
            let (s, b) =
                call(reqwest::Method::POST, &format!("{base}/api/v1/auth/token"), None, Some(wrong.clone())).await;
            assert_eq!(
                (s, b["error"]["message"].as_str()),
                (StatusCode::UNAUTHORIZED, Some("wrong email or password"))
            );
        }
        let right = json!({"email": "sun.li@example.com", "password": PASSWORD});
        let res = Client::new().post(format!("{base}/api/v1/auth/token")).json(&right).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(res.headers().get("retry-after").is_some());
        // Malformed JSON and unknown fields are 400s with the JSON error body.
        let res = Client::new()
            .post(format!("{base}/api/v1/auth/token"))
            .header("content-type", "application/json")
            .body("{")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        assert_eq!(res.json::<Value>().await.unwrap()["error"]["code"], "malformed");
    });
}

fn completing_skipping_and_reopening(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let base = common::serve(db).await;
        let clerk = token(&base, "sun.li@example.com").await;
        let id = find_task(&base, &clerk, "shipping-daily-report").await;
        let url = |a: &str| format!("{base}/api/v1/tasks/{id}/{a}");
        let post = |a: &'static str, body: Value| {
            let (u, t) = (url(a), clerk.clone());
            async move { call(reqwest::Method::POST, &u, Some(&t), Some(body)).await }
        };
        let (s, e) = post(
            "complete",
            json!({"figures": {"parcels_shipped": "lots", "mis_shipments": 0, "missed_shipments": 0}}),
        )
        .await;
        assert_eq!(
            (s, e["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("figures.parcels_shipped"))
        );
        let (s, e) = post("complete", json!({"figures": {"parcels_shipped": 120}})).await;
        assert_eq!(
            (s, e["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("figures.mis_shipments"))
        );
        let (_, t) = call(reqwest::Method::GET, &format!("{base}/api/v1/tasks/{id}"), Some(&clerk), None).await;
        assert_eq!(t["task"]["status"], "open", "a bad figure changes nothing");
        let figures = json!({"parcels_shipped": 120, "mis_shipments": 1, "missed_shipments": 0});
        let (s, t) = post("complete", json!({"figures": figures, "note": "顺丰晚到"})).await;
        assert_eq!((s, t["task"]["status"].as_str()), (StatusCode::OK, Some("done")));
        assert_eq!(t["task"]["figures"], figures);
        let (s, e) = post("complete", json!({})).await;
        assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("already_done")));
        let (s, t) = post("reopen", json!({})).await;
        assert_eq!((s, t["task"]["status"].as_str()), (StatusCode::OK, Some("open")));
        let (s, e) = post("skip", json!({})).await;
        assert_eq!((s, e["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("reason")));
        let (s, t) = post("skip", json!({"reason": "仓库停电"})).await;
        assert_eq!((s, t["task"]["note"].as_str()), (StatusCode::OK, Some("仓库停电")));
        let (_, t) = call(reqwest::Method::GET, &format!("{base}/api/v1/tasks/{id}"), Some(&clerk), None).await;
        let actions: Vec<&str> =
            t["history"].as_array().unwrap().iter().map(|h| h["action"].as_str().unwrap()).collect();
        assert_eq!(actions, ["completed", "reopened", "skipped"]);
        assert!(t["history"].as_array().unwrap().iter().all(|h| h["actor_name"] == "孙丽"));
        // The sign-off template asks for the sign-off itself.
        let signoff = find_task(&base, &clerk, "dispatch-list-signoff").await;
        let (s, e) = call(
            reqwest::Method::POST,
            &format!("{base}/api/v1/tasks/{signoff}/complete"),
            Some(&clerk),
            Some(json!({})),
        )
        .await;
        assert_eq!((s, e["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("signoff")));
        let (s, _) = call(
            reqwest::Method::POST,
            &format!("{base}/api/v1/tasks/{signoff}/complete"),
            Some(&clerk),
            Some(json!({"signoff": true})),
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        // A body over 64 KiB is refused whole.
        let big = json!({"note": "x".repeat(70 * 1024)});
        let (s, e) =
            call(reqwest::Method::POST, &format!("{base}/api/v1/tasks/{signoff}/complete"), Some(&clerk), Some(big))
                .await;
        assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::PAYLOAD_TOO_LARGE, Some("too_large")));
    });
}

fn who_may_see_and_change_a_task(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let base = common::serve(db).await;
        let owner = token(&base, "xu.qiang@example.com").await;
        let id = find_task(&base, &owner, "warehouse-daily-check").await;
        // (who, may see it): another staff member and another department's lead get 404.
        let table: [(Option<&str>, StatusCode); 6] = [
            (None, StatusCode::UNAUTHORIZED),
            (Some("xu.qiang@example.com"), StatusCode::OK),
            (Some("zhou.ting@example.com"), StatusCode::NOT_FOUND),
            (Some("li.na@example.com"), StatusCode::NOT_FOUND),
            (Some("wang.jianguo@example.com"), StatusCode::OK),
            (Some("zhu.xiaoyan@example.com"), StatusCode::OK),
        ];
        for (who, want) in table {
            let tok = match who {
                Some(e) => Some(token(&base, e).await),
                None => None,
            };
            let (s, _) = call(reqwest::Method::GET, &format!("{base}/api/v1/tasks/{id}"), tok.as_deref(), None).await;
            assert_eq!(s, want, "GET as {who:?}");
            // Acting: an empty complete of a note task is 422 for those who may, 404/401 for the rest.
            let (s, _) = call(
                reqwest::Method::POST,
                &format!("{base}/api/v1/tasks/{id}/complete"),
                tok.as_deref(),
                Some(json!({})),
            )
            .await;
            let acting = if want == StatusCode::OK { StatusCode::UNPROCESSABLE_ENTITY } else { want };
            assert_eq!(s, acting, "complete as {who:?}");
            let (s, _) =
                call(reqwest::Method::POST, &format!("{base}/api/v1/tasks/{id}/skip"), tok.as_deref(), Some(json!({})))
                    .await;
            assert_eq!(s, acting, "skip as {who:?}");
            let (s, _) =
                call(reqwest::Method::POST, &format!("{base}/api/v1/tasks/{id}/reopen"), tok.as_deref(), None).await;
            let reopening = if want == StatusCode::OK { StatusCode::CONFLICT } else { want };
            assert_eq!(s, reopening, "reopen as {who:?}");
            // Events: leads and admins only.
            let (s, _) = call(
                reqwest::Method::POST,
                &format!("{base}/api/v1/events"),
                tok.as_deref(),
                Some(json!({"name": "no_such_event"})),
            )
            .await;
            let firing = match who {
                None => StatusCode::UNAUTHORIZED,
                Some("xu.qiang@example.com" | "zhou.ting@example.com") => StatusCode::FORBIDDEN,
                Some(_) => StatusCode::UNPROCESSABLE_ENTITY,
            };
            assert_eq!(s, firing, "events as {who:?}");
        }
        let (s, _) = call(reqwest::Method::GET, &format!("{base}/api/v1/tasks/999999"), Some(&owner), None).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let gm = token(&base, "wang.jianguo@example.com").await;
        let (s, r) = call(
            reqwest::Method::POST,
            &format!("{base}/api/v1/events"),
            Some(&gm),
            Some(json!({"name": "new_product", "subject": "保温杯"})),
        )
        .await;
        assert_eq!((s, r["created"].as_u64()), (StatusCode::CREATED, Some(4)));
    });
}

fn the_calendar_feed_is_valid_secret_and_rotatable(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let base = common::serve(db).await;
        let tok = token(&base, "sun.li@example.com").await;
        let (s, r) = call(reqwest::Method::POST, &format!("{base}/api/v1/me/ical"), Some(&tok), None).await;
        assert_eq!(s, StatusCode::CREATED);
        let url = r["url"].as_str().unwrap().to_string();
        let path = &url[url.find("/ical/").unwrap()..];
        let res = Client::new().get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/calendar"));
        let body = res.text().await.unwrap();
        assert!(body.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") && body.ends_with("END:VCALENDAR\r\n"));
        assert!(!body.replace("\r\n", "").contains('\n'), "every line ends in CRLF");
        assert!(body.split("\r\n").all(|l| l.len() <= 75), "folded at 75 octets");
        let unfolded = body.replace("\r\n ", "");
        assert!(unfolded.contains("SUMMARY:销售发货日报表") && unfolded.contains("STATUS:NEEDS-ACTION"));
        let uids = unfolded.lines().filter(|l| l.starts_with("UID:task-")).count();
        assert_eq!(uids, unfolded.matches("BEGIN:VTODO").count());
        assert!(unfolded.lines().any(|l| l.starts_with("DUE:") && l.ends_with('Z')));
        // Rotating retires the old address.
        call(reqwest::Method::POST, &format!("{base}/api/v1/me/ical"), Some(&tok), None).await;
        let old = Client::new().get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(old.status(), StatusCode::NOT_FOUND);
    });
}

/// A status the code does not know is an error (logged, 500), never an open task.
fn an_unknown_stored_status_is_an_error_not_an_open_task(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let base = common::serve(db).await;
        let clerk = token(&base, "sun.li@example.com").await;
        let id = find_task(&base, &clerk, "shipping-daily-report").await;
        common::remind::exec(db, &format!("UPDATE tasks SET status = 'paused' WHERE id = {id}"));
        let (s, e) = call(reqwest::Method::GET, &format!("{base}/api/v1/tasks/{id}"), Some(&clerk), None).await;
        assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::INTERNAL_SERVER_ERROR, Some("internal")), "{e}");
        common::remind::exec(db, &format!("UPDATE tasks SET status = 'open' WHERE id = {id}"));
        let (s, t) = call(reqwest::Method::GET, &format!("{base}/api/v1/tasks/{id}"), Some(&clerk), None).await;
        assert_eq!((s, t["task"]["status"].as_str()), (StatusCode::OK, Some("open")));
    });
}

/// A path or query the API cannot parse, or a method it does not take, gets the JSON
/// error body, not plain text.
fn unparsable_paths_queries_and_methods_get_the_json_error(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let base = common::serve(db).await;
        let admin = token(&base, "zhu.xiaoyan@example.com").await;
        for (path, status, code) in [
            ("/api/v1/tasks/99999999999999999999999", StatusCode::NOT_FOUND, "no_such_page"),
            ("/api/v1/tasks/abc", StatusCode::NOT_FOUND, "no_such_page"),
            ("/api/v1/outbox?limit=abc", StatusCode::BAD_REQUEST, "malformed"),
        ] {
            let res = Client::new().get(format!("{base}{path}")).bearer_auth(&admin).send().await.unwrap();
            assert_eq!(res.status(), status, "{path}");
            assert!(res.headers()["content-type"].to_str().unwrap().starts_with("application/json"), "{path}");
            assert_eq!(res.json::<Value>().await.unwrap()["error"]["code"], code, "{path}");
        }
        // A documented path asked with another method: 405, saying which it takes.
        for (method, path, allow) in [
            (reqwest::Method::DELETE, "/api/v1/me/tasks", "GET"),
            (reqwest::Method::GET, "/api/v1/tasks/1/complete", "POST"),
            (reqwest::Method::POST, "/api/v1/auth/tokens/7", "DELETE"),
            // A path documented as written is not also the `{id}` its shape fits.
            (reqwest::Method::PUT, "/api/v1/people/import", "POST"),
            (reqwest::Method::OPTIONS, "/api/v1/templates/preview", "POST"),
        ] {
            let res = Client::new().request(method, format!("{base}{path}")).bearer_auth(&admin).send().await.unwrap();
            assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED, "{path}");
            assert_eq!(res.headers()["allow"], allow, "{path}");
            assert_eq!(res.json::<Value>().await.unwrap()["error"]["code"], "method_not_allowed", "{path}");
        }
        let res = Client::new().get(format!("{base}/api/v1/no-such")).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "an undocumented path is not there at all");
    });
}

on_both_databases!(
    unparsable_paths_queries_and_methods_get_the_json_error,
    an_unknown_stored_status_is_an_error_not_an_open_task,
    the_calendar_feed_is_valid_secret_and_rotatable,
    tokens_login_and_throttling,
    completing_skipping_and_reopening,
    who_may_see_and_change_a_task
);
