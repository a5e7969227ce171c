//! `dutyday backup` while the service serves and writes, and `dutyday restore`: the
//! copy is of one moment (its rollups agree with its tasks), and the restored
//! database equals it, table by table.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::web::call;
use common::TestDb;
use dutyday::db::DbPool;
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::path::Path;

/// Every table's row count, and the stored rollups.
fn snapshot(path: &Path) -> (Vec<(String, i64)>, String) {
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct Name {
        #[diesel(sql_type = diesel::sql_types::Text)]
        name: String,
    }
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut c = diesel::SqliteConnection::establish(&path.display().to_string()).unwrap();
    let tables: Vec<Name> =
        diesel::sql_query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").load(&mut c).unwrap();
    let counts = tables
        .into_iter()
        .map(|t| {
            let q = format!("SELECT COUNT(*) AS n FROM \"{}\"", t.name);
            (t.name, diesel::sql_query(q).get_result::<Count>(&mut c).unwrap().n)
        })
        .collect();
    let pool = DbPool::connect(&format!("sqlite://{}", path.display()), 1).unwrap();
    let mut conn = pool.get().unwrap();
    let stored = dutyday::db::rollup::all(&mut conn.any()).unwrap();
    let recounted = dutyday::db::rollup::recount(&mut conn.any()).unwrap();
    assert_eq!(stored, recounted, "{}: the rollups agree with the tasks", path.display());
    (counts, format!("{stored:?}"))
}

#[test]
fn a_serving_instance_is_backed_up_under_writes_and_restored_equal() {
    let db = TestDb::sqlite();
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("backup.db");
    actix_web::rt::System::new().block_on(async {
        let base = common::serve(&db).await;
        let clerk = common::web::api_token(&base, "sun.li@example.com").await;
        let (_, list) = call(Method::GET, &format!("{base}/api/v1/me/tasks"), &clerk, None).await;
        let id = list["today"].as_array().unwrap().iter().find(|t| t["status"] == "open").unwrap()["id"].clone();
        // Writes go on while the backup is taken: skip and undo, over and over.
        let writer = {
            let (base, clerk) = (base.clone(), clerk.clone());
            actix_web::rt::spawn(async move {
                let mut done = 0;
                for _ in 0..60 {
                    let skip = format!("{base}/api/v1/tasks/{id}/skip");
                    let (s, _) = call(Method::POST, &skip, &clerk, Some(json!({"reason": "备份中"}))).await;
                    let (r, _) = call(Method::POST, &format!("{base}/api/v1/tasks/{id}/reopen"), &clerk, None).await;
                    done += usize::from(s == StatusCode::OK && r == StatusCode::OK);
                }
                done
            })
        };
        let (url, to) = (db.url.clone(), copy.clone());
        let out = actix_web::web::block(move || common::command(&url).arg("backup").arg(&to).output().unwrap())
            .await
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(writer.await.unwrap() > 0, "the service kept writing");
    });
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&copy).unwrap().permissions().mode() & 0o777, 0o600);
    let before = snapshot(&copy);
    assert!(before.0.iter().any(|(t, n)| t == "tasks" && *n > 0), "{:?}", before.0);
    // Restore into a new place; an existing database is replaced only when asked.
    let target = dir.path().join("restored.db");
    let url = format!("sqlite://{}", target.display());
    let out = common::command(&url).arg("restore").arg(&copy).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(snapshot(&target), before, "the restored database equals the backup");
    let again = common::command(&url).arg("restore").arg(&copy).output().unwrap();
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("--replace"));
    // A file that is not a dutyday backup replaces nothing.
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, b"not a database").unwrap();
    let out = common::command(&url).args(["restore", "--replace"]).arg(&junk).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(snapshot(&target), before, "nothing was replaced");
    let out = common::command(&url).args(["restore", "--replace"]).arg(&copy).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// SQLite's page size as the file says it.
fn page_size(path: &Path) -> i64 {
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct Size {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        page_size: i64,
    }
    let mut c = diesel::SqliteConnection::establish(&path.display().to_string()).unwrap();
    diesel::sql_query("PRAGMA page_size").get_result::<Size>(&mut c).unwrap().page_size
}

#[test]
fn new_databases_and_backups_have_sixteen_kib_pages() {
    use diesel::connection::SimpleConnection;
    use diesel::Connection;
    let want = i64::from(dutyday::db::SQLITE_PAGE_SIZE);
    assert_eq!(want, 16_384);
    let dir = tempfile::tempdir().unwrap();
    // A database dutyday makes.
    let new = dir.path().join("new.db");
    DbPool::connect(&format!("sqlite://{}", new.display()), 1).unwrap().migrate().unwrap();
    assert_eq!(page_size(&new), want);
    // One made with SQLite's default by an older version keeps its pages while it
    // serves, and its backup (so a restore) has the new size.
    let old = dir.path().join("old.db");
    let mut c = diesel::SqliteConnection::establish(&old.display().to_string()).unwrap();
    c.batch_execute(
        "PRAGMA page_size = 4096; PRAGMA journal_mode = WAL; CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);",
    )
    .unwrap();
    drop(c);
    let url = format!("sqlite://{}", old.display());
    DbPool::connect(&url, 1).unwrap().migrate().unwrap();
    assert_eq!(page_size(&old), 4096);
    let copy = dir.path().join("copy.db");
    let out = common::command(&url).arg("backup").arg(&copy).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(page_size(&copy), want);
}

/// On PostgreSQL the command points at pg_dump and changes nothing.
#[test]
fn postgres_backups_are_pg_dumps() {
    let dir = tempfile::tempdir().unwrap();
    let out = common::command("postgres://postgres@127.0.0.1:5432/test")
        .arg("backup")
        .arg(dir.path().join("x.db"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("pg_dump"));
}
