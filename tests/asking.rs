//! Requests meet to learn who is asking (#18): those that ask while a statement is
//! out are all found by the next one, each as themselves, and a change committed
//! before a request asked is seen by it, whichever instance made it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::web::{api_token, call};
use common::TestDb;
use diesel::prelude::*;
use dutyday::db::schema::api_tokens;
use dutyday::domain::task::StaffId;
use dutyday::services::askers::Secret;
use dutyday::services::{asking, auth, AppState};
use reqwest::{Client, Method, StatusCode};
use std::future::Future;
use std::sync::Arc;

const PEOPLE: [&str; 4] =
    ["xu.qiang@example.com", "ma.chao@example.com", "yang.jing@example.com", "zhu.xiaoyan@example.com"];

/// Revokes the token `tok` in the database, as any instance would.
fn revoke(db: &TestDb, tok: &str) {
    let hash = auth::digest(tok);
    let mut conn = db.pool().get().unwrap();
    let now = common::at(common::NOW).naive_utc();
    let target = api_tokens::table.filter(api_tokens::token_hash.eq(hash));
    dutyday::with_conn!(&mut conn.any(), c => diesel::update(target).set(api_tokens::revoked_at.eq(now)).execute(c))
        .unwrap();
}

/// Waits (looking again each millisecond, not a fixed time) until `done` holds of
/// how requests stand.
async fn until(state: &AppState, done: impl Fn(asking::Counts) -> bool) {
    for _ in 0..10_000 {
        if done(state.asking.counts()) {
            return;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(1)).await;
    }
    panic!("requests stand at {:?}", state.asking.counts());
}

/// The id of the person signing in as `email`.
fn id_of(db: &TestDb, email: &str) -> StaffId {
    let mut conn = db.pool().get().unwrap();
    dutyday::db::staff::by_email(&mut conn.any(), email).unwrap().expect("such a person").id
}

/// Asks who `tok` is, on a task of its own.
fn ask(state: &Arc<AppState>, tok: &str) -> actix_web::rt::task::JoinHandle<Option<StaffId>> {
    let (state, tok) = (state.clone(), tok.to_string());
    actix_web::rt::spawn(async move {
        let (who, _) = asking::ask(&state, Secret::Token, &tok).await.unwrap();
        who.map(|((viewer, _), _)| viewer.id)
    })
}

/// With the pool's one connection taken, the one runner takes the first request and
/// waits for the connection; the requests after it wait for the runner. Given the
/// connection back, it answers the first, then finds all the others in one
/// statement, each as the person they are, and no one for a revoked or unknown token.
fn requests_asking_together_share_a_statement(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let (base, state) = common::serve_app(db, |s| s.pool_size = Some(1)).await;
        let mut tokens = Vec::new();
        for email in PEOPLE {
            tokens.push(api_token(&base, email).await);
        }
        let revoked = api_token(&base, PEOPLE[1]).await;
        revoke(db, &revoked);
        // Used within the minute, so that finding them notes nothing.
        for tok in &tokens {
            let res = Client::new().get(format!("{base}/api/v1/me")).bearer_auth(tok).send().await.unwrap();
            assert_eq!(res.status(), StatusCode::OK);
        }
        let mut later: Vec<String> = tokens.iter().chain(tokens.iter()).cloned().collect();
        later.insert(3, revoked);
        later.insert(5, "no such token".into());

        let held = state.pool.get().unwrap();
        let before = (state.pool.statements(), state.asking.counts());
        let first = ask(&state, &tokens[2]);
        until(&state, |c| c.answered == before.1.answered + 1 && c.waiting == 0).await;
        let waiting: Vec<_> = later.iter().map(|tok| ask(&state, tok)).collect();
        until(&state, |c| c.waiting == later.len()).await;
        drop(held);
        assert_eq!(first.await.unwrap(), Some(id_of(db, PEOPLE[2])));
        let mut found = Vec::new();
        for w in waiting {
            found.push(w.await.unwrap());
        }
        let after = (state.pool.statements(), state.asking.counts());

        let mut expected: Vec<_> = PEOPLE.iter().chain(PEOPLE.iter()).map(|e| Some(id_of(db, e))).collect();
        expected.insert(3, None);
        expected.insert(5, None);
        assert_eq!(found, expected, "each request as the person it is");
        assert_eq!(after.1.answered - before.1.answered, later.len() as u64 + 1);
        assert_eq!(after.1.batches - before.1.batches, 2, "the first alone, then all the others");
        assert_eq!(after.0 - before.0, 2, "one statement a batch");
    });
}

/// A token revoked through one instance is refused by another on its next request.
fn a_revocation_anywhere_is_seen_at_once(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let (a, _) = common::serve_app(db, |_| {}).await;
        let (b, b_state) = common::serve_app(db, |_| {}).await;
        let tok = api_token(&a, PEOPLE[0]).await;
        let list = format!("{b}/api/v1/me/tasks");
        assert_eq!(call(Method::GET, &list, &tok, None).await.0, StatusCode::OK);
        let (_, tokens) = call(Method::GET, &format!("{a}/api/v1/auth/tokens"), &tok, None).await;
        let id = tokens["tokens"][0]["id"].as_i64().unwrap();
        let (revoked, _) = call(Method::DELETE, &format!("{a}/api/v1/auth/tokens/{id}"), &tok, None).await;
        assert!(revoked.is_success(), "{revoked}");
        let refused = call(Method::GET, &list, &tok, None).await.0;
        assert_eq!(refused, StatusCode::UNAUTHORIZED, "revoked through a, asked of b");
        let asked = b_state.asking.counts();
        assert_eq!(asked.waiting, 0);
        assert!(asked.answered >= 2 && asked.batches >= 1, "{asked:?}");
    });
}

/// A runner whose task is dropped before it runs (its runtime shutting down, as an
/// HTTP worker's does) gives its place back: the next request is answered.
fn a_runner_that_never_ran_gives_its_place_back(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let (base, state) = common::serve_app(db, |s| s.pool_size = Some(1)).await;
        let tok = api_token(&base, PEOPLE[0]).await;
        let gone = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let handle = gone.handle().clone();
        gone.shutdown_background();
        {
            let _in_gone = handle.enter();
            let mut stranded = std::pin::pin!(asking::ask(&state, Secret::Token, &tok));
            let waker = std::task::Waker::noop();
            let polled = stranded.as_mut().poll(&mut std::task::Context::from_waker(waker));
            assert!(polled.is_pending(), "its runner was never started");
        }
        let next = actix_web::rt::time::timeout(std::time::Duration::from_secs(30), ask(&state, &tok)).await;
        assert_eq!(next.expect("answered").unwrap(), Some(id_of(db, PEOPLE[0])));
    });
}

on_both_databases!(
    requests_asking_together_share_a_statement,
    a_revocation_anywhere_is_seen_at_once,
    a_runner_that_never_ran_gives_its_place_back
);
