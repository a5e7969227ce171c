//! `/metrics` for the operator: only with its token, in Prometheus' text format,
//! with requests by route, generation runs, reminders, the outbox and the pool; and
//! JSON logs on request.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::mail::SmtpServer;
use common::TestDb;
use dutyday::services::{AppState, Clock};
use reqwest::StatusCode;

/// The value of the first sample line starting with `prefix`.
fn sample(text: &str, prefix: &str) -> f64 {
    text.lines()
        .find(|l| l.starts_with(prefix))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no `{prefix}` in\n{text}"))
}

fn metrics_for_the_operator_only(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let base = common::serve_with(db, |s| s.metrics_token = Some("scrape-me".into())).await;
        let client = reqwest::Client::new();
        let get = |token: Option<&'static str>| {
            let mut req = client.get(format!("{base}/metrics"));
            if let Some(t) = token {
                req = req.bearer_auth(t);
            }
            async move {
                let res = req.send().await.unwrap();
                (res.status(), res.text().await.unwrap())
            }
        };
        assert_eq!(get(None).await.0, StatusCode::UNAUTHORIZED);
        assert_eq!(get(Some("guess")).await.0, StatusCode::UNAUTHORIZED);
        let tok = common::web::api_token(&base, "xu.qiang@example.com").await;
        common::web::call(reqwest::Method::GET, &format!("{base}/api/v1/me/tasks"), &tok, None).await;
        // A reminder pass as the scheduler runs it, into a real SMTP server.
        let smtp = SmtpServer::start();
        let settings =
            dutyday::config::Settings { database_url: db.url.clone(), ..common::remind::settings(smtp.port) };
        let mailer = dutyday::services::remind::Mailer::from_settings(&settings).unwrap();
        let state = AppState {
            pool: db.pool().clone(),
            settings,
            mailer,
            clock: Clock::Fixed(common::at("2026-12-01T10:05:00Z")),
            draining: Default::default(),
            directory: Default::default(),
            lists: Default::default(),
            pages: Default::default(),
            asking: Default::default(),
        };
        let r = dutyday::jobs::remind_once(&state, state.clock.now()).await.unwrap();
        assert!(r.queued > 0, "{r}");
        let (s, text) = get(Some("scrape-me")).await;
        assert_eq!(s, StatusCode::OK);
        let route = r#"dutyday_http_requests_total{endpoint="/api/v1/me/tasks",method="GET",status="200"}"#;
        assert!(sample(&text, route) >= 1.0, "{text}");
        assert!(sample(&text, "dutyday_http_requests_duration_seconds_count{endpoint=\"/api/v1/me/tasks\"") >= 1.0);
        assert!(sample(&text, r#"dutyday_generation_runs_total{outcome="ok"}"#) >= 1.0);
        assert!(sample(&text, r#"dutyday_reminders_total{outcome="queued"}"#) >= r.queued as f64);
        assert!(sample(&text, r#"dutyday_outbox_messages{status="sent"}"#) >= 1.0);
        assert!(sample(&text, "dutyday_outbox_oldest_waiting_seconds") >= 0.0);
        assert!(sample(&text, "dutyday_db_pool_wait_seconds_count") >= 1.0);
        assert!(sample(&text, r#"dutyday_db_pool_connections{state="open"}"#) >= 1.0);
        // The list's request learnt who was asking, in a batch of its own.
        assert!(sample(&text, "dutyday_askers_answered_total") >= 1.0, "{text}");
        assert!(sample(&text, "dutyday_askers_batches_total") >= 1.0);
        assert_eq!(sample(&text, "dutyday_askers_waiting"), 0.0);
        // Without the setting there is no such page.
        let plain = common::serve(db).await;
        assert_eq!(reqwest::get(format!("{plain}/metrics")).await.unwrap().status(), StatusCode::NOT_FOUND);
    });
}

on_both_databases!(metrics_for_the_operator_only);

/// `DUTYDAY_LOG_FORMAT=json`: every log line is a JSON object.
#[test]
fn logs_can_be_json() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("logs.db").display());
    let out = common::command(&url)
        .env("DUTYDAY_LOG_FORMAT", "json")
        .env("DUTYDAY_DEMO_PASSWORD", common::PASSWORD)
        .env("RUST_LOG", "info")
        .args(["generate", "--through", "2026-12-01"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    let logged: Vec<&str> = err.lines().filter(|l| l.starts_with('{')).collect();
    assert!(!logged.is_empty(), "{err}");
    for line in logged {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(v["level"].is_string() && v["fields"].is_object(), "{line}");
    }
}
