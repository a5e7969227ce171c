//! Logging in under attack: throttling per (account, address) pair, per account and
//! per address, counted before the password is checked, and no timing difference
//! between known and unknown emails.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::Duration;
use common::{TestDb, PASSWORD};

fn failed_logins_are_slowed_then_refused_for_a_while(db: &TestDb) {
    use dutyday::error::{AppError, ErrorCode};
    use dutyday::services::auth::login;
    db.seed();
    let pool = db.pool();
    // The seed import without a password: give the demo staff one.
    let hash = dutyday::services::password::hash(PASSWORD).unwrap();
    dutyday::db::staff::set_all_password_hashes(&mut pool.get().unwrap().any(), &hash).unwrap();
    let t0 = common::at("2026-12-01T02:00:00Z");
    let at = |secs: i64| t0 + Duration::seconds(secs);
    let locked = |r: Result<dutyday::domain::task::StaffId, AppError>| match r {
        Err(AppError { code: ErrorCode::Throttled, retry_after, .. }) => retry_after,
        _ => None,
    };
    for i in 0..4 {
        assert!(matches!(
            login(pool, "ma.chao@example.com", "wrong", Some("10.1.1.1"), at(i)),
            Err(AppError { code: ErrorCode::WrongCredentials, .. })
        ));
    }
    // The 5th failure slows that account *from that address* down: 30 s, even for
    // the right password.
    assert!(login(pool, "ma.chao@example.com", "wrong", Some("10.1.1.1"), at(4)).is_err());
    assert_eq!(locked(login(pool, "ma.chao@example.com", PASSWORD, Some("10.1.1.1"), at(10))), Some(24));
    // Nobody locks anybody out: the person from their own address gets in, and so
    // does another person from the guesser's address.
    assert!(login(pool, "ma.chao@example.com", PASSWORD, Some("10.1.1.2"), at(10)).is_ok());
    assert!(login(pool, "xu.qiang@example.com", PASSWORD, Some("10.1.1.1"), at(10)).is_ok());
    // After the 30 s, failures go on until the 10th, which refuses for 15 minutes.
    let mut t = 40;
    for _ in 5..10 {
        assert!(locked(login(pool, "ma.chao@example.com", "wrong", Some("10.1.1.1"), at(t))).is_none());
        t += 31;
    }
    assert_eq!(locked(login(pool, "ma.chao@example.com", PASSWORD, Some("10.1.1.1"), at(t))), Some(900 - 31));
    assert!(
        login(pool, "ma.chao@example.com", PASSWORD, Some("10.1.1.1"), at(t + 900)).is_ok(),
        "and then it lets them in"
    );
    // Guesses at one account from many addresses meet the account's wider limit:
    // from the 20th the account is slowed down from everywhere.
    for i in 0..20 {
        assert!(locked(login(pool, "zhou.ting@example.com", "wrong", Some(&format!("10.2.0.{i}")), at(2000))).is_none());
    }
    assert_eq!(locked(login(pool, "zhou.ting@example.com", PASSWORD, Some("10.3.0.1"), at(2010))), Some(20));
    assert!(login(pool, "zhou.ting@example.com", PASSWORD, Some("10.3.0.1"), at(2031)).is_ok());
}

/// A hundred guesses at once from one address at one account: five are checked,
/// the rest refused, on either database (the count is taken before the check).
fn parallel_guesses_are_counted_before_they_are_checked(db: &TestDb) {
    use dutyday::error::ErrorCode;
    db.seed();
    let pool = db.pool().clone();
    let now = common::at("2026-12-01T02:00:00Z");
    let outcomes: Vec<ErrorCode> = std::thread::scope(|s| {
        let runs: Vec<_> = (0..100)
            .map(|_| {
                let pool = pool.clone();
                s.spawn(move || {
                    let r =
                        dutyday::services::auth::login(&pool, "ma.chao@example.com", "guess", Some("10.4.4.4"), now);
                    r.err().map(|e| e.code)
                })
            })
            .collect();
        runs.into_iter().map(|h| h.join().unwrap().unwrap()).collect()
    });
    let checked = outcomes.iter().filter(|c| **c == ErrorCode::WrongCredentials).count();
    let refused = outcomes.iter().filter(|c| **c == ErrorCode::Throttled).count();
    assert_eq!((checked, refused), (5, 95));
}

/// An unknown email takes as long as a known one (the same hashing is done), so
/// the answer's time does not tell which emails exist.
fn unknown_emails_take_as_long_as_known_ones(db: &TestDb) {
    db.seed();
    let pool = db.pool();
    let hash = dutyday::services::password::hash(PASSWORD).unwrap();
    dutyday::db::staff::set_all_password_hashes(&mut pool.get().unwrap().any(), &hash).unwrap();
    let now = common::at("2026-12-01T02:00:00Z");
    let median = |email: &str, net: u8| {
        let mut times: Vec<std::time::Duration> = (0..5)
            .map(|i| {
                let start = std::time::Instant::now();
                let r = dutyday::services::auth::login(pool, email, "wrong", Some(&format!("10.{net}.0.{i}")), now);
                assert!(r.is_err());
                start.elapsed()
            })
            .collect();
        times.sort();
        times[2]
    };
    median("xu.qiang@example.com", 5); // warms the dummy hash up
    let (known, unknown) = (median("ma.chao@example.com", 6), median("nobody@example.com", 7));
    assert!(unknown * 2 > known, "unknown {unknown:?} against known {known:?}");
}

on_both_databases!(
    failed_logins_are_slowed_then_refused_for_a_while,
    parallel_guesses_are_counted_before_they_are_checked,
    unknown_emails_take_as_long_as_known_ones,
);
