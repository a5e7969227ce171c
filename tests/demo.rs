//! The demo company's first start: 30 working days of history and today's tasks, even
//! when it is first started late in the evening; the dashboards have figures at once.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{at, TestDb, PASSWORD};
use dutyday::domain::task::TaskStatus;
use dutyday::services::Clock;
use dutyday::startup::{Application, StartOptions};
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};

/// 20:30 in Shanghai: every task of the day is past its due time.
const EVENING: &str = "2026-12-01T12:30:00Z";

async fn start(db: &TestDb, history: bool) -> Application {
    let settings = dutyday::config::Settings {
        database_url: db.url.clone(),
        bind: "127.0.0.1:0".into(),
        config: common::config_dir(),
        demo_password: Some(PASSWORD.into()),
        ..dutyday::config::Settings::default()
    };
    let opts = StartOptions { scheduler: false, clock: Clock::Fixed(at(EVENING)), demo_history: history };
    Application::build(settings, opts).await.expect("build the app")
}

fn a_demo_started_in_the_evening_has_history_and_today(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let app = start(db, true).await;
        let today = common::day("2026-12-01");
        let tasks = common::tasks(db);
        // The daily check: one a working day, 30 before today, and today's, still open.
        let checks: Vec<_> = tasks.iter().filter(|t| t.template_id == "warehouse-daily-check").collect();
        let days: BTreeSet<_> = checks.iter().map(|t| t.occurs_on).filter(|d| *d < today).collect();
        assert_eq!(days.len(), 30, "30 working days of history: {days:?}");
        assert!(days.iter().all(|d| !matches!(d.format("%a").to_string().as_str(), "Sun")), "no Sundays: {days:?}");
        let todays = checks.iter().find(|t| t.occurs_on == today).expect("today's check, made in the evening");
        assert_eq!(todays.status, TaskStatus::Open);
        assert!(todays.due_at < at(EVENING).naive_utc(), "already past due, and still there to do");
        assert!(tasks.iter().any(|t| t.occurs_on > today), "generation goes on after today");
        // A plausible mix of outcomes in the past, each written as its assignee's act.
        let past: Vec<_> = tasks.iter().filter(|t| t.occurs_on < today).collect();
        let count = |f: &dyn Fn(&&&dutyday::db::tasks::TaskRow) -> bool| past.iter().filter(f).count();
        let on_time = count(&|t| t.status == TaskStatus::Done && t.done_at.unwrap() <= t.due_at);
        let late = count(&|t| t.status == TaskStatus::Done && t.done_at.unwrap() > t.due_at);
        let skipped = count(&|t| t.status == TaskStatus::Skipped);
        let open = count(&|t| t.status == TaskStatus::Open && t.due_at < at(EVENING).naive_utc());
        let ahead = count(&|t| t.status == TaskStatus::Open && t.due_at >= at(EVENING).naive_utc());
        assert_eq!(on_time + late + skipped + open + ahead, past.len(), "nothing else");
        assert!(past.len() > 300, "{} past tasks", past.len());
        let share = |n: usize| n * 100 / past.len();
        assert!((60..=90).contains(&share(on_time)), "on time {on_time} of {}", past.len());
        assert!(
            (3..=20).contains(&share(late)) && (2..=12).contains(&share(skipped)),
            "{late} late, {skipped} skipped"
        );
        assert!((2..=15).contains(&share(open)), "{open} left open");
        for t in past.iter().filter(|t| t.status != TaskStatus::Open) {
            assert_eq!(t.done_by, t.assignee_id, "task {} settled by its assignee", t.id.0);
            assert!(t.done_at.unwrap() <= at(EVENING).naive_utc(), "nothing done in the future");
        }
        // A report's figures are all there, as numbers.
        let report = past
            .iter()
            .find(|t| t.template_id == "shipping-daily-report" && t.status == TaskStatus::Done)
            .expect("a filed shipping report");
        let figures: Value = serde_json::from_str(report.figures.as_deref().expect("figures")).unwrap();
        for key in ["parcels_shipped", "mis_shipments", "missed_shipments"] {
            assert!(figures[key].is_i64(), "{key} in {figures}");
        }
        // The dashboards have figures at once: the GM's last 30 days.
        let base = format!("http://127.0.0.1:{}", app.port);
        let port = app.port;
        actix_web::rt::spawn(app.server);
        let token = common::web::api_token(&base, "wang.jianguo@example.com").await;
        let url = format!("http://127.0.0.1:{port}/api/v1/dashboard?from=2026-11-01&to=2026-11-30");
        let d: Value = reqwest::Client::new().get(url).bearer_auth(token).send().await.unwrap().json().await.unwrap();
        let total = &d["total"];
        let due = total["due"].as_u64().unwrap();
        assert!(due > 150 && total["on_time"].as_u64().unwrap() > due / 2, "{d}");
        assert!(total["overdue"].as_u64().unwrap() > 0 && total["skipped"].as_u64().unwrap() > 0, "{d}");
        // A settled task has its entry in the task's log, an open one none.
        let mut conn = db.pool().get().unwrap();
        for t in past.iter().step_by(7) {
            let log = dutyday::db::tasks::log_of(&mut conn.any(), t.id).unwrap();
            assert_eq!(log.len(), usize::from(t.status != TaskStatus::Open), "the log of task {}", t.id.0);
        }
    });
}

fn history_is_made_once_and_the_same_each_time(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        drop(start(db, true).await);
        let first: HashMap<_, _> =
            common::tasks(db).into_iter().map(|t| ((t.template_id, t.occurrence, t.slot), t.status)).collect();
        // A second start of the same database makes no more history.
        drop(start(db, true).await);
        assert_eq!(common::tasks(db).len(), first.len());
        let again = dutyday::services::demo::seed_history(db.pool(), at(EVENING)).unwrap();
        assert_eq!(again, Default::default(), "only on a database that has generated nothing");
        // Another database started at the same moment gets the same history.
        let other = if db.is_postgres() { TestDb::postgres().unwrap() } else { TestDb::sqlite() };
        drop(start(&other, true).await);
        let second: HashMap<_, _> =
            common::tasks(&other).into_iter().map(|t| ((t.template_id, t.occurrence, t.slot), t.status)).collect();
        assert_eq!(first, second);
    });
}

fn without_history_a_first_start_begins_today(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        drop(start(db, false).await);
        let today = common::day("2026-12-01");
        assert!(common::tasks(db).iter().all(|t| t.occurs_on >= today), "no backlog for a real company");
    });
}

on_both_databases!(
    a_demo_started_in_the_evening_has_history_and_today,
    history_is_made_once_and_the_same_each_time,
    without_history_a_first_start_begins_today
);
