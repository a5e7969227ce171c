//! The service over real HTTP on a random port, on both databases.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{config_dir, TestDb};
use dutyday::config::Settings;
use dutyday::startup::{Application, StartOptions};
use serde_json::Value;

fn settings(db: &TestDb) -> Settings {
    Settings {
        database_url: db.url.clone(),
        bind: "127.0.0.1:0".into(),
        config: config_dir(),
        demo_password: Some("demo-pass-1".into()),
        ..Settings::default()
    }
}

fn serves_health_positions_and_templates(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let app = Application::build(
            settings(db),
            StartOptions { scheduler: false, clock: Default::default(), demo_history: false },
        )
        .await
        .unwrap();
        let report = app.import.clone().expect("the empty database was imported");
        assert_eq!((report.staff, report.calendar_years.clone()), (14, vec![2026]));
        assert!(app.generated_password.is_none(), "the configured password is used");
        let base = format!("http://127.0.0.1:{}", app.port);
        actix_web::rt::spawn(app.server);
        let client = reqwest::Client::new();
        assert_eq!(
            client.get(format!("{base}/api/v1/positions")).send().await.unwrap().status(),
            401,
            "names are not public"
        );
        let login = serde_json::json!({"email": "zhu.xiaoyan@example.com", "password": "demo-pass-1"});
        let token: Value =
            client.post(format!("{base}/api/v1/auth/token")).json(&login).send().await.unwrap().json().await.unwrap();
        let token = token["token"].as_str().unwrap().to_string();
        let get = |path: &str| client.get(format!("{base}{path}")).bearer_auth(&token).send();

        assert_eq!(get("/healthz").await.unwrap().status(), 200);
        let ready: Value = get("/readyz").await.unwrap().json().await.unwrap();
        assert_eq!(ready["status"], "ready");

        let positions: Value = get("/api/v1/positions").await.unwrap().json().await.unwrap();
        let list = positions["positions"].as_array().unwrap();
        assert_eq!(list.len(), 14);
        let clerk = list.iter().find(|p| p["id"] == "logistics.shipping-clerk").unwrap();
        assert_eq!((clerk["zh"].as_str(), clerk["department_zh"].as_str()), (Some("审单发货员"), Some("物流部")));
        assert_eq!(clerk["holders"][0]["name"], "孙丽");
        assert_eq!(clerk["deputies"][0]["name"], "马超");
        assert_eq!((clerk["vacant"].as_bool(), clerk["duties"].as_u64()), (Some(false), Some(4)));
        for p in list {
            let empty = p["headcount"].as_u64().unwrap() - p["holders"].as_array().unwrap().len() as u64;
            assert_eq!(p["vacant_seats"].as_u64(), Some(empty), "{p}");
            assert_eq!(p["vacant"].as_bool(), Some(empty > 0), "{p}");
        }

        let templates: Value = get("/api/v1/templates").await.unwrap().json().await.unwrap();
        let list = templates["templates"].as_array().unwrap();
        assert_eq!(list.len(), 49);
        let daily = list.iter().find(|t| t["id"] == "shipping-daily-report").unwrap();
        assert_eq!(daily["schedule"]["every"], "working_day");
        assert_eq!(daily["figures"][0]["key"], "parcels_shipped");
        assert_eq!(daily["position"], "logistics.shipping-clerk");

        let csv = get("/api/v1/dashboard.csv?by=position").await.unwrap();
        assert_eq!(csv.status(), 200);
        assert!(csv.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
        assert!(csv.headers()["content-disposition"].to_str().unwrap().contains("attachment"));
        let bytes = csv.bytes().await.unwrap();
        assert_eq!(&bytes[..3], b"\xEF\xBB\xBF", "UTF-8 BOM for Excel");
        let bad = get("/api/v1/dashboard?by=mood").await.unwrap();
        assert_eq!(bad.status(), 422);
        assert_eq!(bad.json::<Value>().await.unwrap()["error"]["field"], "by");

        let missing = get("/api/v1/nothing-here").await.unwrap();
        assert_eq!(missing.status(), 404);
        let body: Value = missing.json().await.unwrap();
        assert_eq!(body["error"]["code"], "no_such_page");
        assert_eq!(body["error"]["message"], "no such page or endpoint");
        // The same error in the language the client asks for.
        let zh = reqwest::Client::new()
            .get(format!("{base}/api/v1/nothing-here"))
            .header("Accept-Language", "zh-CN,zh;q=0.9,en;q=0.8")
            .send()
            .await
            .unwrap();
        assert_eq!(zh.status(), 404);
        let body: Value = zh.json().await.unwrap();
        assert_eq!(
            (body["error"]["code"].as_str(), body["error"]["message"].as_str()),
            (Some("no_such_page"), Some("没有这个页面或接口。"))
        );

        // Starting again on the same database imports nothing and keeps the people.
        let again = Application::build(
            settings(db),
            StartOptions { scheduler: false, clock: Default::default(), demo_history: false },
        )
        .await
        .unwrap();
        assert!(again.import.is_none());
        let mut conn = db.pool().get().unwrap();
        assert_eq!(dutyday::db::staff::count(&mut conn.any()).unwrap(), 14);
        let hash = dutyday::db::staff::by_email(&mut conn.any(), "xu.qiang@example.com")
            .unwrap()
            .unwrap()
            .password_hash
            .unwrap();
        assert!(hash.starts_with("$argon2") && !hash.contains("demo-pass-1"));
        // The start generated today's horizon of tasks.
        assert!(dutyday::db::tasks::count(&mut conn.any()).unwrap() > 0);
    });
}

fn the_api_documents_itself_offline(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let app = Application::build(
            settings(db),
            StartOptions { scheduler: false, clock: Default::default(), demo_history: false },
        )
        .await
        .unwrap();
        let base = format!("http://127.0.0.1:{}", app.port);
        actix_web::rt::spawn(app.server);
        let doc: Value = reqwest::get(format!("{base}/api/openapi.json")).await.unwrap().json().await.unwrap();
        assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"), "{}", doc["openapi"]);
        let paths: Vec<&str> = doc["paths"].as_object().unwrap().keys().map(String::as_str).collect();
        for p in [
            "/api/v1/me",
            "/api/v1/me/tasks",
            "/api/v1/tasks/{id}",
            "/api/v1/tasks/{id}/complete",
            "/api/v1/tasks/{id}/skip",
            "/api/v1/tasks/{id}/reopen",
            "/api/v1/events",
            "/api/v1/auth/token",
            "/api/v1/auth/tokens",
            "/api/v1/me/ical",
            "/api/v1/positions",
            "/api/v1/templates",
        ] {
            assert!(paths.contains(&p), "{p} missing from {paths:?}");
        }
        assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
        assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
        let ui = reqwest::get(format!("{base}/api/docs")).await.unwrap();
        assert_eq!(ui.status(), 200);
        let html = ui.text().await.unwrap();
        assert!(
            html.contains("swagger") && !html.contains("src=\"http") && !html.contains("href=\"http"),
            "served locally"
        );
    });
}

fn the_scheduler_starts_with_the_configured_tick(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let mut s = settings(db);
        s.generate_cron = "0 0 3 * * *".into();
        let app =
            Application::build(s, StartOptions { scheduler: true, clock: Default::default(), demo_history: false })
                .await
                .unwrap();
        let mut sched = app.scheduler.expect("scheduler running");
        // Generation runs at the next 03:00:00 UTC, as configured, and not before.
        let next = sched.next_generation().await.unwrap().expect("generation is scheduled");
        let now = chrono::Utc::now();
        assert_eq!(next.format("%H:%M:%S").to_string(), "03:00:00", "{next}");
        assert!(next > now && next - now <= chrono::Duration::days(1), "{next} after {now}");
        // Reminders keep their own tick: second 30 of every minute.
        let remind = sched.next_reminders().await.unwrap().expect("reminders are scheduled");
        assert_eq!(remind.format("%S").to_string(), "30", "{remind}");
        sched.scheduler.shutdown().await.unwrap();
    });
}

/// Copies a folder tree (the config folder, to change one file of it).
fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A real company (no `demo = true`) gets no shared password, even with
/// `DUTYDAY_DEMO_PASSWORD` set: its people are invited to set their own.
fn a_real_company_is_imported_without_passwords(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let dir = tempfile::tempdir().unwrap();
        copy_tree(&config_dir(), dir.path());
        let company = dir.path().join("company/company.toml");
        let text = std::fs::read_to_string(&company).unwrap().replace("demo = true", "");
        std::fs::write(&company, text).unwrap();
        // Its session cookies need a key of its own: without one it does not start,
        // and no database is made.
        let s = Settings { config: dir.path().to_path_buf(), ..settings(db) };
        let refused = Application::build(
            s.clone(),
            StartOptions { scheduler: false, clock: Default::default(), demo_history: false },
        )
        .await;
        let e = refused.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.starts_with("DUTYDAY_SECRET_KEY: not set"), "{e}");
        assert!(dutyday::db::org::company(&mut db.pool().get().unwrap().any()).unwrap().is_none());
        let s = Settings { secret_key: Some("k".repeat(40)), ..s };
        let app =
            Application::build(s, StartOptions { scheduler: false, clock: Default::default(), demo_history: false })
                .await
                .unwrap();
        assert!(!app.demo && app.generated_password.is_none());
        let mut conn = db.pool().get().unwrap();
        let staff = dutyday::db::staff::all(&mut conn.any()).unwrap();
        assert_eq!(staff.len(), 14);
        assert!(staff.iter().all(|p| p.password_hash.is_none()), "nobody has a password yet");
        let e =
            dutyday::services::auth::login(db.pool(), "xu.qiang@example.com", "demo-pass-1", None, chrono::Utc::now());
        assert_eq!(e.unwrap_err().code, dutyday::error::ErrorCode::WrongCredentials);
    });
}

on_both_databases!(
    a_real_company_is_imported_without_passwords,
    serves_health_positions_and_templates,
    the_api_documents_itself_offline,
    the_scheduler_starts_with_the_configured_tick
);
