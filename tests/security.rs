//! What the security review found, each shown fixed: session keys from the
//! environment (rotating), owner-only files, formula-free CSV, bounded ranges,
//! response headers, `/lang` and logout only with their token, clean text, a
//! deadline for request bodies, and the client address behind a trusted proxy.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::web::{browser, browser_with_jar, call, get, log_in, post};
use common::{TestDb, PASSWORD};
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::os::unix::fs::PermissionsExt;

fn mode(path: &std::path::Path) -> u32 {
    std::fs::metadata(path).map(|m| m.permissions().mode() & 0o777).unwrap_or(0)
}

/// The SQLite file, its WAL and shared-memory files are the owner's only, even
/// under a permissive umask; a file left world-readable by an older version is
/// narrowed at start.
#[test]
fn the_database_files_are_owner_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data/dutyday.db");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, b"").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let pool = dutyday::db::DbPool::connect(&format!("sqlite://{}", path.display()), 2).unwrap();
    pool.migrate().unwrap();
    let mut conn = pool.get().unwrap();
    dutyday::db::org::company(&mut conn.any()).unwrap();
    for file in ["dutyday.db", "dutyday.db-wal", "dutyday.db-shm"] {
        let p = path.with_file_name(file);
        assert!(p.exists(), "{file} exists while open");
        assert_eq!(mode(&p), 0o600, "{file}");
    }
}

/// Session cookies are made under the first of `DUTYDAY_SECRET_KEY`'s keys and still
/// read under the others, so a key rotates without signing anyone out; a key that
/// is no longer listed reads nothing. With a key set, none is kept in the database.
fn session_keys_come_from_the_environment_and_rotate(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let (old, new) = ("o".repeat(40), "n".repeat(40));
        let with = |keys: String| move |s: &mut dutyday::config::Settings| s.secret_key = Some(keys);
        let first = common::serve_with(db, with(old.clone())).await;
        let (c, jar) = browser_with_jar();
        log_in(&c, &first, "xu.qiang@example.com").await;
        let cookie = common::web::cookie_header(&jar, &first);
        let rows: i64 = {
            use diesel::prelude::*;
            use dutyday::db::schema::secrets;
            let mut conn = db.pool().get().unwrap();
            let conn = &mut conn.any();
            dutyday::with_conn!(conn, c => secrets::table.filter(secrets::name.eq("session_key")).count().get_result(c))
                .unwrap()
        };
        assert_eq!(rows, 0, "no key is kept in the database");
        let today = |base: String, cookie: String| async move {
            let res = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap()
                .get(format!("{base}/today"))
                .header("cookie", cookie)
                .send()
                .await
                .unwrap();
            let set = res.headers().get("set-cookie").map(|v| v.to_str().unwrap().to_string());
            (res.status(), set)
        };
        // Rotated: the new key first, the old one still read; the cookie comes back
        // under the new key.
        let rotated = common::serve_with(db, with(format!("{new},{old}"))).await;
        let (s, set) = today(rotated.clone(), cookie.clone()).await;
        assert_eq!(s, StatusCode::OK);
        let renewed = set.expect("the cookie is handed back under the new key");
        let renewed = renewed.split(';').next().unwrap().to_string();
        assert!(renewed.starts_with("dutyday=") && renewed != cookie);
        // The old key retired: the renewed cookie works, the old one does not.
        let retired = common::serve_with(db, with(new.clone())).await;
        assert_eq!(today(retired.clone(), renewed).await.0, StatusCode::OK);
        assert_eq!(today(retired, cookie).await.0, StatusCode::SEE_OTHER);
    });
}

/// The shipping clerk's token and one of her open tasks.
async fn clerks_open_task(base: &str) -> (String, i64) {
    let clerk = common::web::api_token(base, "sun.li@example.com").await;
    let (_, list) = call(Method::GET, &format!("{base}/api/v1/me/tasks"), &clerk, None).await;
    let open = ["overdue", "today"]
        .iter()
        .flat_map(|k| list[*k].as_array().cloned().unwrap_or_default())
        .find(|t| t["status"] == "open")
        .unwrap();
    (clerk, open["id"].as_i64().unwrap())
}

/// What staff type reaches the leads' CSV as text, never as a formula.
fn csv_cells_never_start_a_formula(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let base = common::serve(db).await;
        let (clerk, id) = clerks_open_task(&base).await;
        let evil = "=cmd|' /C calc'!A0";
        let (s, _) =
            call(Method::POST, &format!("{base}/api/v1/tasks/{id}/skip"), &clerk, Some(json!({"reason": evil}))).await;
        assert_eq!(s, StatusCode::OK);
        let gm = browser();
        log_in(&gm, &base, "wang.jianguo@example.com").await;
        let q = "period=custom&from=2026-11-01&to=2026-12-31";
        let (s, csv) = get(&gm, &format!("{base}/dashboard/skipped.csv?{q}")).await;
        assert_eq!(s, StatusCode::OK);
        assert!(csv.contains(&format!("'{evil}")), "{csv}");
        assert!(!csv.lines().any(|l| l.split(',').any(|cell| cell.trim_matches('"').starts_with('='))), "{csv}");
    });
}

/// Lists, reports and downloads take at most a year, like the dashboard.
fn every_period_is_bounded(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let base = common::serve(db).await;
        let gm = browser();
        log_in(&gm, &base, "wang.jianguo@example.com").await;
        let long = "period=custom&from=2020-01-01&to=2026-12-31";
        for path in [
            format!("/dashboard/skipped.csv?{long}"),
            format!("/dashboard/figures?template=shipping-daily-report&{long}"),
            format!("/dashboard/figures.csv?template=shipping-daily-report&{long}"),
        ] {
            let (s, body) = get(&gm, &format!("{base}{path}")).await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {body}");
            assert!(body.contains("366"), "{path}: {body}");
        }
    });
}

/// Every answer says how it may be kept and shown; HTML carries a policy, Swagger
/// UI's included, and Swagger UI sends the document nowhere.
fn responses_carry_security_headers(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let base = common::serve(db).await;
        let c = browser();
        log_in(&c, &base, "xu.qiang@example.com").await;
        let tok = common::web::api_token(&base, "xu.qiang@example.com").await;
        let head = |path: &str, auth: bool| {
            let req = c.get(format!("{base}{path}"));
            let req = if auth { req.bearer_auth(&tok) } else { req };
            async move { req.send().await.unwrap().headers().clone() }
        };
        for (path, auth, html) in [
            ("/today", false, true),
            ("/login", false, true),
            ("/no-such-page", false, false),
            ("/api/v1/me/tasks", true, false),
            ("/api/docs/", false, true),
        ] {
            let h = head(path, auth).await;
            let get = |k: &str| h.get(k).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
            assert_eq!(get("referrer-policy"), "same-origin", "{path}");
            assert_eq!(get("cache-control"), "no-store", "{path}");
            assert_eq!(get("x-content-type-options"), "nosniff", "{path}");
            assert_eq!(get("content-security-policy").contains("frame-ancestors 'none'"), html, "{path}");
            assert!(get("strict-transport-security").is_empty(), "{path}: no HSTS over plain HTTP");
        }
        let css = head("/static/app.css", false).await;
        assert!(css["cache-control"].to_str().unwrap().starts_with("public"), "the stylesheet may be kept");
        let (_, init) = get(&c, &format!("{base}/api/docs/swagger-initializer.js")).await;
        assert!(init.contains(r#""validatorUrl": "none""#), "{init}");
        let https = common::serve_with(db, |s| s.base_url = "https://duty.example.com".into()).await;
        let h = reqwest::get(format!("{https}/login")).await.unwrap();
        assert!(h.headers()["strict-transport-security"].to_str().unwrap().starts_with("max-age="));
    });
}

/// `/lang` checks its token before anything and goes back only to a path on this
/// site; logout with a stale token ends nothing and says so, with a working button.
fn lang_and_logout_need_their_token(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let base = common::serve(db).await;
        let c = browser();
        log_in(&c, &base, "xu.qiang@example.com").await;
        let (_, page) = get(&c, &format!("{base}/today")).await;
        let token = common::csrf(&page);
        for back in ["/\t/evil.example", "/\n/evil.example", "//evil.example", "/\\evil.example"] {
            let (s, to, _) =
                post(&c, &format!("{base}/lang"), &[("csrf", &token), ("lang", "zh"), ("back", back)]).await;
            assert_eq!((s, to.as_str()), (StatusCode::SEE_OTHER, "/today"), "{back:?}");
        }
        let (s, to, body) =
            post(&c, &format!("{base}/lang"), &[("csrf", "stale"), ("lang", "en"), ("back", "//evil.example")]).await;
        assert_eq!((s, to.as_str()), (StatusCode::FORBIDDEN, ""), "{body}");
        let (_, page) = get(&c, &format!("{base}/today")).await;
        assert!(page.contains("lang=\"zh-CN\""), "the language did not change");
        // Logout: a stale token answers 403 and the session stays; the page's own
        // button then signs out.
        let (s, _, body) = post(&c, &format!("{base}/logout"), &[("csrf", "stale")]).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        assert_eq!(get(&c, &format!("{base}/today")).await.0, StatusCode::OK, "still signed in, and told so");
        let (s, to, _) = post(&c, &format!("{base}/logout"), &[("csrf", &common::csrf(&body))]).await;
        assert_eq!((s, to.as_str()), (StatusCode::SEE_OTHER, "/login"));
        assert_eq!(get(&c, &format!("{base}/today")).await.0, StatusCode::SEE_OTHER);
    });
}

/// A control character in a note, a reason or a title is refused and nothing is kept.
fn control_characters_are_refused(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let base = common::serve(db).await;
        let (clerk, id) = clerks_open_task(&base).await;
        let (s, e) =
            call(Method::POST, &format!("{base}/api/v1/tasks/{id}/skip"), &clerk, Some(json!({"reason": "a\u{2}b"})))
                .await;
        assert_eq!(
            (s, e["error"]["code"].as_str(), e["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("control_character"), Some("reason"))
        );
        let (_, after) = call(Method::GET, &format!("{base}/api/v1/tasks/{id}"), &clerk, None).await;
        assert_eq!(after["task"]["status"], "open");
        // Line breaks and tabs are text.
        let (s, _) = call(
            Method::POST,
            &format!("{base}/api/v1/tasks/{id}/skip"),
            &clerk,
            Some(json!({"reason": "两行\r\n\t第二行"})),
        )
        .await;
        assert_eq!(s, StatusCode::OK);
    });
}

/// A client that drips its body is cut off when the deadline passes, instead of
/// holding the connection open.
fn a_dripping_body_is_cut_off(db: &TestDb) {
    use std::io::{Read, Write};
    actix_web::rt::System::new().block_on(async {
        let base = common::serve_with(db, |s| s.body_timeout_secs = 1).await;
        let addr = base.trim_start_matches("http://").to_string();
        let answer = actix_web::web::block(move || {
            let mut s = std::net::TcpStream::connect(addr).unwrap();
            s.set_read_timeout(Some(std::time::Duration::from_secs(8))).unwrap();
            let head = "POST /api/v1/auth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"em";
            s.write_all(head.as_bytes()).unwrap();
            let mut got = Vec::new();
            let read = s.read_to_end(&mut got);
            (read.is_ok(), String::from_utf8_lossy(&got).to_string())
        })
        .await
        .unwrap();
        assert!(answer.0, "the server closed the connection in time: {}", answer.1);
        assert!(answer.1.starts_with("HTTP/1.1 4"), "{}", answer.1);
    });
}

/// Behind a trusted proxy each client is counted by its own address; anyone else's
/// `X-Forwarded-For` is ignored.
fn the_client_behind_a_trusted_proxy_is_throttled_alone(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let attempt = |base: String, from: &'static str, password: &'static str| async move {
            let res = reqwest::Client::new()
                .post(format!("{base}/api/v1/auth/token"))
                .header("x-forwarded-for", format!("198.51.100.9, {from}"))
                .json(&json!({"email": "sun.li@example.com", "password": password}))
                .send()
                .await
                .unwrap();
            res.status()
        };
        let proxied = common::serve_with(db, |s| s.trusted_proxies = "127.0.0.1/32".into()).await;
        for _ in 0..5 {
            assert_eq!(attempt(proxied.clone(), "203.0.113.5", "wrong").await, StatusCode::UNAUTHORIZED);
        }
        assert_eq!(attempt(proxied.clone(), "203.0.113.5", PASSWORD).await, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(attempt(proxied.clone(), "203.0.113.6", PASSWORD).await, StatusCode::CREATED, "another client");
        // Without the setting the header is the client's own word: not believed.
        let direct = common::serve(db).await;
        for _ in 0..5 {
            assert_eq!(attempt(direct.clone(), "203.0.113.7", "wrong").await, StatusCode::UNAUTHORIZED);
        }
        assert_eq!(attempt(direct, "203.0.113.8", PASSWORD).await, StatusCode::TOO_MANY_REQUESTS);
    });
}

on_both_databases!(
    session_keys_come_from_the_environment_and_rotate,
    csv_cells_never_start_a_formula,
    every_period_is_bounded,
    responses_carry_security_headers,
    lang_and_logout_need_their_token,
    control_characters_are_refused,
    a_dripping_body_is_cut_off,
    the_client_behind_a_trusted_proxy_is_throttled_alone,
);
