//! Readiness that tells the truth: a database that answers but cannot be written is
//! not ready, a request that fails for storage is a 503 with the JSON error (not a
//! 500), and both recover by themselves once the storage does.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::web::call;
use common::TestDb;
use diesel::connection::SimpleConnection;
use dutyday::error::ErrorCode;
use reqwest::{Method, StatusCode};
use serde_json::json;

/// SQLite: a connection that may not write (as with a read-only file) fails the
/// check with "unavailable", and passes it again once it may.
#[test]
fn a_read_only_sqlite_database_is_not_ready() {
    let db = TestDb::sqlite();
    db.seed();
    let pool = dutyday::db::DbPool::connect(&db.url, 1).unwrap();
    let now = common::at(common::NOW);
    assert!(dutyday::services::auth::ready(&pool, now).unwrap());
    let set = |sql: &str| match &mut pool.get().unwrap() {
        dutyday::db::DbConn::Sqlite(c) => c.batch_execute(sql).unwrap(),
        dutyday::db::DbConn::Postgres(_) => unreachable!(),
    };
    set("PRAGMA query_only = ON");
    let e = dutyday::services::auth::ready(&pool, now).unwrap_err();
    assert_eq!(e.code, ErrorCode::Unavailable, "{}", e.detail());
    set("PRAGMA query_only = OFF");
    assert!(dutyday::services::auth::ready(&pool, now).unwrap(), "recovered without a restart");
}

/// PostgreSQL turned read-only under a running service (as after a fail-over to a
/// replica): `/readyz` says 503, a change gets the JSON error with 503, reads go
/// on; turned back, both recover without a restart.
#[test]
fn a_read_only_postgres_database_is_not_ready_and_changes_get_503() {
    let Some(db) = TestDb::postgres() else {
        eprintln!("skipped on PostgreSQL: DUTYDAY_TEST_DATABASE_URL is not set");
        return;
    };
    let name = db.url.rsplit('/').next().unwrap().to_string();
    let admin = std::env::var("DUTYDAY_TEST_DATABASE_URL").unwrap();
    let turn = |read_only: bool| {
        use diesel::Connection;
        let mut c = diesel::PgConnection::establish(&admin).unwrap();
        let flag = if read_only { "on" } else { "off" };
        c.batch_execute(&format!(
            "ALTER DATABASE {name} SET default_transaction_read_only = {flag}; \
             SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid();"
        ))
        .unwrap();
    };
    actix_web::rt::System::new().block_on(async {
        let base = common::serve(&db).await;
        let clerk = common::web::api_token(&base, "sun.li@example.com").await;
        let (_, list) = call(Method::GET, &format!("{base}/api/v1/me/tasks"), &clerk, None).await;
        let id = list["today"].as_array().unwrap().iter().find(|t| t["status"] == "open").unwrap()["id"].clone();
        let readyz = || async { reqwest::get(format!("{base}/readyz")).await.unwrap().status() };
        assert_eq!(readyz().await, StatusCode::OK);
        turn(true);
        // The pool's connections were cut: the first requests may find them gone.
        let mut status = readyz().await;
        for _ in 0..20 {
            if status == StatusCode::SERVICE_UNAVAILABLE {
                break;
            }
            status = readyz().await;
        }
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        let skip = format!("{base}/api/v1/tasks/{id}/skip");
        let (s, e) = call(Method::POST, &skip, &clerk, Some(json!({"reason": "停电"}))).await;
        assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::SERVICE_UNAVAILABLE, Some("unavailable")), "{e}");
        turn(false);
        let mut status = readyz().await;
        for _ in 0..20 {
            if status == StatusCode::OK {
                break;
            }
            status = readyz().await;
        }
        assert_eq!(status, StatusCode::OK, "recovered without a restart");
        let (s, _) = call(Method::POST, &skip, &clerk, Some(json!({"reason": "停电"}))).await;
        assert_eq!(s, StatusCode::OK);
    });
}
