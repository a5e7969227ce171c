//! One table: every endpoint and page, for anonymous, the owner, another staff member,
//! the lead of another department, the lead of this department, and an admin.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{TestDb, PASSWORD};
use reqwest::{redirect, Client, Method};
use serde_json::{json, Value};

/// The six kinds of people, with the warehouse keeper's task as "this" task.
const ACTORS: [(&str, Option<&str>); 6] = [
    ("anonymous", None),
    ("owner", Some("xu.qiang@example.com")),
    ("other staff", Some("zhou.ting@example.com")),
    ("lead of another department", Some("li.na@example.com")),
    ("lead of this department", Some("wang.jianguo@example.com")),
    ("admin", Some("zhu.xiaoyan@example.com")),
];

/// A template body (valid, for a duty that exists) with this id.
fn spec(id: &str) -> Value {
    json!({"spec": {"id": id, "duty": "logistics.warehouse-keeper.2", "zh": "检查", "en": "Check",
        "schedule": {"every": "working_day"}, "due": {"time": "10:00"}, "completion": "tick"}})
}

/// (method, path, body, expected status per actor in the order of ACTORS).
/// `{T}` is the task. Acting with an empty body is 422 (it asks for a note) for those
/// allowed, so no row changes anything.
fn api_rows() -> Vec<(Method, &'static str, Option<Value>, [u16; 6])> {
    vec![
        (Method::GET, "/api/v1/me", None, [401, 200, 200, 200, 200, 200]),
        (Method::GET, "/api/v1/me/tasks", None, [401, 200, 200, 200, 200, 200]),
        (Method::GET, "/api/v1/tasks/{T}", None, [401, 200, 404, 404, 200, 200]),
        (Method::POST, "/api/v1/tasks/{T}/complete", Some(json!({})), [401, 422, 404, 404, 422, 422]),
        (Method::POST, "/api/v1/tasks/{T}/skip", Some(json!({})), [401, 422, 404, 404, 422, 422]),
        (Method::POST, "/api/v1/tasks/{T}/reopen", None, [401, 409, 404, 404, 409, 409]),
        (Method::POST, "/api/v1/events", Some(json!({"name": "no_such_event"})), [401, 403, 403, 422, 422, 422]),
        // Leads fire only events whose templates are all in departments they lead
        // (李娜 leads 运营部; new products are the design department's work), a year
        // either side of today at most.
        (
            Method::POST,
            "/api/v1/events",
            Some(json!({"name": "new_product", "subject": "authz"})),
            [401, 403, 403, 403, 201, 200],
        ),
        (
            Method::POST,
            "/api/v1/events",
            Some(json!({"name": "trending_event", "at": "1900-01-01"})),
            [401, 403, 403, 422, 422, 422],
        ),
        (
            Method::POST,
            "/api/v1/events",
            Some(json!({"name": "trending_event", "at": "+262142-12-31"})),
            [401, 403, 403, 422, 422, 422],
        ),
        (Method::GET, "/api/v1/auth/tokens", None, [401, 200, 200, 200, 200, 200]),
        (Method::GET, "/api/v1/positions", None, [401, 200, 200, 200, 200, 200]),
        (Method::GET, "/api/v1/templates", None, [401, 200, 200, 200, 200, 200]),
        (Method::GET, "/api/v1/templates/warehouse-stocktake", None, [401, 403, 403, 403, 403, 200]),
        (Method::POST, "/api/v1/templates/no-such/pause", None, [401, 403, 403, 403, 403, 404]),
        (Method::PUT, "/api/v1/templates/no-such", Some(spec("no-such")), [401, 403, 403, 403, 403, 404]),
        (Method::POST, "/api/v1/templates/preview", Some(spec("no-such")), [401, 403, 403, 403, 403, 200]),
        (Method::POST, "/api/v1/templates", Some(spec("warehouse-daily-check")), [401, 403, 403, 403, 403, 422]),
        (
            Method::POST,
            "/api/v1/templates/no-such/retire",
            Some(json!({"reason": "x"})),
            [401, 403, 403, 403, 403, 404],
        ),
        (Method::POST, "/api/v1/me/ical", None, [401, 201, 201, 201, 201, 201]),
        (Method::GET, "/api/v1/dashboard", None, [401, 403, 403, 200, 200, 200]),
        (Method::GET, "/api/v1/dashboard.csv?by=person", None, [401, 403, 403, 200, 200, 200]),
        (Method::GET, "/api/v1/dashboard?department=logistics", None, [401, 403, 403, 404, 200, 200]),
        (Method::GET, "/api/v1/outbox", None, [401, 403, 403, 403, 403, 200]),
        (Method::PUT, "/api/v1/me/digest", Some(json!({"enabled": true})), [401, 200, 200, 200, 200, 200]),
        (Method::POST, "/api/v1/people/999999/invitation", None, [401, 403, 403, 403, 403, 404]),
        // Leads see the people of the departments they lead (li.na: not the keeper).
        (Method::GET, "/api/v1/people", None, [401, 403, 403, 200, 200, 200]),
        (Method::GET, "/api/v1/people/{K}/holdings", None, [401, 200, 403, 403, 200, 200]),
        (
            Method::POST,
            "/api/v1/people/{K}/holdings",
            Some(json!({"position": "no.such", "from": "2026-12-02"})),
            [401, 403, 403, 403, 403, 422],
        ),
        (
            Method::POST,
            "/api/v1/people/{K}/holdings/end",
            Some(json!({"position": "no.such", "last_day": "2026-12-02"})),
            [401, 403, 403, 403, 403, 422],
        ),
        (
            Method::POST,
            "/api/v1/people/{K}/transfer",
            Some(json!({"from_position": "gm", "to_position": "gm", "on": "2026-12-02"})),
            [401, 403, 403, 403, 403, 422],
        ),
        (Method::POST, "/api/v1/people/import?dry_run=true", Some(json!({})), [401, 403, 403, 403, 403, 422]),
        (Method::GET, "/api/v1/leave", None, [401, 200, 200, 200, 200, 200]),
        (Method::GET, "/api/v1/one-offs", None, [401, 200, 200, 200, 200, 200]),
        // One-off work for the warehouse: its department's lead (the 总经理) and admins.
        (
            Method::POST,
            "/api/v1/one-offs",
            Some(
                json!({"title": " ", "position": "logistics.warehouse-keeper", "due": "2026-12-03T18:00", "completion": "tick"}),
            ),
            [401, 422, 422, 422, 422, 422],
        ),
        (
            Method::POST,
            "/api/v1/one-offs",
            Some(
                json!({"title": "x", "position": "logistics.warehouse-keeper", "due": "2026-11-03T18:00", "completion": "tick"}),
            ),
            [401, 403, 403, 403, 422, 422],
        ),
        (
            Method::POST,
            "/api/v1/leave",
            Some(json!({"from": "2026-12-03", "to": "2026-12-02"})),
            [401, 422, 422, 422, 422, 422],
        ),
        // Leave is recorded by the person's lead or HR, never by themselves.
        (
            Method::POST,
            "/api/v1/people/{K}/leave",
            Some(json!({"from": "2026-12-03", "to": "2026-12-02"})),
            [401, 403, 403, 403, 422, 422],
        ),
        (Method::POST, "/api/v1/leave/999999/approve", None, [401, 404, 404, 404, 404, 404]),
        (Method::POST, "/api/v1/leave/999999/decline", None, [401, 404, 404, 404, 404, 404]),
        (Method::POST, "/api/v1/leave/999999/cancel", None, [401, 404, 404, 404, 404, 404]),
        (
            Method::POST,
            "/api/v1/people",
            Some(json!({"name": " ", "email": "x@example.com", "start": "2026-12-02"})),
            [401, 403, 403, 403, 403, 422],
        ),
        (
            Method::PUT,
            "/api/v1/people/999999",
            Some(json!({"name": "x", "email": "x@example.com", "locale": "en"})),
            [401, 403, 403, 403, 403, 404],
        ),
        (
            Method::POST,
            "/api/v1/people/999999/deactivate",
            Some(json!({"last_day": "2026-12-01"})),
            [401, 403, 403, 403, 403, 404],
        ),
        (Method::GET, "/api/v1/audit", None, [401, 403, 403, 403, 403, 200]),
        (Method::GET, "/api/v1/audit.csv", None, [401, 403, 403, 403, 403, 200]),
        (
            Method::POST,
            "/api/v1/auth/password-reset",
            Some(json!({"email": "nobody@example.com"})),
            [202, 202, 202, 202, 202, 202],
        ),
        // Everyone may change their own password; a wrong current one changes nothing.
        (
            Method::POST,
            "/api/v1/me/password",
            Some(json!({"current": "wrong", "new": "x"})),
            [401, 422, 422, 422, 422, 422],
        ),
        // Last: it ends the actor's token (pages sign in afresh below).
        (Method::POST, "/api/v1/me/sign-out-everywhere", None, [401, 204, 204, 204, 204, 204]),
    ]
}

/// Pages: anonymous visitors are sent to the login page (303).
fn page_rows() -> Vec<(Method, &'static str, [u16; 6])> {
    vec![
        (Method::GET, "/today", [303, 200, 200, 200, 200, 200]),
        (Method::GET, "/tasks/{T}", [303, 200, 404, 404, 200, 200]),
        (Method::POST, "/tasks/{T}/complete", [303, 422, 404, 404, 422, 422]),
        (Method::POST, "/tasks/{T}/skip", [303, 422, 404, 404, 422, 422]),
        (Method::POST, "/tasks/{T}/reopen", [303, 409, 404, 404, 409, 409]),
        (Method::GET, "/history", [303, 200, 200, 200, 200, 200]),
        (Method::GET, "/org", [303, 200, 200, 200, 200, 200]),
        (Method::GET, "/positions/logistics.warehouse-keeper", [303, 200, 200, 200, 200, 200]),
        (Method::GET, "/admin/outbox", [303, 403, 403, 403, 403, 200]),
        (Method::GET, "/admin/outbox/999999", [303, 403, 403, 403, 403, 404]),
        (Method::GET, "/me/account", [303, 200, 200, 200, 200, 200]),
        (Method::GET, "/me/calendar", [303, 200, 200, 200, 200, 200]),
        (Method::GET, "/week", [303, 200, 200, 200, 200, 200]),
        (Method::GET, "/dashboard/tasks?template=warehouse-daily-check", [303, 403, 403, 200, 200, 200]),
        (Method::GET, "/password/forgot", [200, 200, 200, 200, 200, 200]),
        (Method::GET, "/admin/audit", [303, 403, 403, 403, 403, 200]),
        (Method::GET, "/admin/audit.csv", [303, 403, 403, 403, 403, 200]),
        (Method::GET, "/password/set?t=not-a-link", [404, 404, 404, 404, 404, 404]),
        (Method::POST, "/me/password", [303, 422, 422, 422, 422, 422]),
        (Method::GET, "/leave", [303, 200, 200, 200, 200, 200]),
        (Method::GET, "/assign", [303, 403, 403, 200, 200, 200]),
        (Method::GET, "/admin/templates", [303, 403, 403, 403, 403, 200]),
        (Method::GET, "/admin/templates/warehouse-stocktake", [303, 403, 403, 403, 403, 200]),
        (Method::POST, "/admin/templates/no-such/pause", [303, 403, 403, 403, 403, 404]),
        (Method::GET, "/admin/templates/warehouse-stocktake/edit", [303, 403, 403, 403, 403, 200]),
        (Method::GET, "/admin/templates/new", [303, 403, 403, 403, 403, 200]),
        (Method::GET, "/admin/calendar", [303, 403, 403, 403, 403, 200]),
        // Without a template the form comes back (422) for admins; a retirement without
        // a reason goes back with an alert.
        (Method::POST, "/admin/templates/no-such/edit", [303, 403, 403, 403, 403, 422]),
        (Method::POST, "/admin/templates/no-such/retire", [303, 403, 403, 403, 403, 303]),
        (Method::POST, "/assign", [303, 303, 303, 303, 303, 303]),
        // A form without its values comes back with an alert (303) for those allowed.
        (Method::POST, "/leave", [303, 303, 303, 303, 303, 303]),
        (Method::POST, "/leave/999999/approve", [303, 404, 404, 404, 404, 404]),
        (Method::POST, "/leave/999999/cancel", [303, 404, 404, 404, 404, 404]),
        (Method::GET, "/admin/people", [303, 403, 403, 200, 200, 200]),
        (Method::GET, "/admin/people/{K}", [303, 200, 403, 403, 200, 200]),
        (Method::GET, "/admin/people/import", [303, 403, 403, 403, 403, 200]),
        (Method::POST, "/admin/people", [303, 403, 403, 403, 403, 303]),
        (Method::POST, "/admin/people/{K}/holdings", [303, 403, 403, 403, 403, 303]),
        (Method::POST, "/admin/people/{K}/holdings/end", [303, 403, 403, 403, 403, 303]),
        (Method::POST, "/admin/people/{K}/transfer", [303, 403, 403, 403, 403, 303]),
        (Method::POST, "/admin/people/{K}/deactivate", [303, 403, 403, 403, 403, 303]),
        (Method::POST, "/admin/people/{K}/edit", [303, 403, 403, 403, 403, 303]),
        // Last: it ends the actor's session, and says so on the login page.
        (Method::POST, "/me/sign-out-everywhere", [303, 303, 303, 303, 303, 303]),
    ]
}

fn every_endpoint_and_page_for_every_kind_of_person(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let base = common::serve(db).await;
        let keeper = common::staff_id(db, "徐强");
        let task = common::tasks(db)
            .into_iter()
            .find(|t| {
                t.template_id == "warehouse-daily-check"
                    && t.assignee_id == Some(keeper)
                    && t.status == dutyday::domain::task::TaskStatus::Open
            })
            .unwrap();
        let t = task.id.to_string();
        let k = keeper.0.to_string();

        for (i, (who, email)) in ACTORS.iter().enumerate() {
            // API with a bearer token.
            let token = match email {
                Some(e) => {
                    let r: Value = Client::new()
                        .post(format!("{base}/api/v1/auth/token"))
                        .json(&json!({"email": e, "password": PASSWORD}))
                        .send()
                        .await
                        .unwrap()
                        .json()
                        .await
                        .unwrap();
                    Some(r["token"].as_str().unwrap().to_string())
                }
                None => None,
            };
            for (method, path, body, want) in api_rows() {
                let mut req = Client::new()
                    .request(method.clone(), format!("{base}{}", path.replace("{T}", &t).replace("{K}", &k)));
                if let Some(tok) = &token {
                    req = req.bearer_auth(tok);
                }
                if let Some(b) = &body {
                    req = req.json(b);
                }
                let status = req.send().await.unwrap().status().as_u16();
                assert_eq!(status, want[i], "{method} {path} as {who}");
            }
            // Pages with a session.
            let browser = Client::builder().cookie_store(true).redirect(redirect::Policy::none()).build().unwrap();
            let login_page = browser.get(format!("{base}/login")).send().await.unwrap().text().await.unwrap();
            let mut token = common::csrf(&login_page);
            if let Some(e) = email {
                let form = [("csrf", token.as_str()), ("email", e), ("password", PASSWORD)];
                let r = browser.post(format!("{base}/login")).form(&form).send().await.unwrap();
                assert_eq!(r.status(), 303);
                let today = browser.get(format!("{base}/today")).send().await.unwrap().text().await.unwrap();
                token = common::csrf(&today);
            }
            for (method, path, want) in page_rows() {
                let url = format!("{base}{}", path.replace("{T}", &t).replace("{K}", &k));
                let req = if method == Method::POST {
                    browser.post(url).form(&[("csrf", token.as_str()), ("back", "/today")])
                } else {
                    browser.get(url)
                };
                let status = req.send().await.unwrap().status().as_u16();
                assert_eq!(status, want[i], "page {method} {path} as {who}");
            }
        }
        // Nobody changed the task.
        let after = common::tasks(db).into_iter().find(|x| x.id == task.id).unwrap();
        assert_eq!((after.status.as_str(), after.done_by, after.note), ("open", None, None));
        // And nothing was written to its history.
        let mut conn = db.pool().get().unwrap();
        assert!(dutyday::db::tasks::log_of(&mut conn.any(), task.id).unwrap().is_empty());
    });
}

on_both_databases!(every_endpoint_and_page_for_every_kind_of_person);
