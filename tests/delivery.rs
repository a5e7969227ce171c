//! Delivery after a crash: `dutyday remind` killed (SIGKILL) at a random moment while
//! it sends to a slow real SMTP server, then run again once the claim's lease has
//! passed. Nothing is lost, and at most the messages in flight at the kill (the
//! transport's concurrency) arrive twice, with the same Message-ID.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::mail::SmtpServer;
use common::remind::exec;
use common::TestDb;
use std::collections::HashMap;
use std::time::Duration;

const TRIALS: usize = 20;
/// `DUTYDAY_SMTP_POOL=1`: two messages in flight at most.
const IN_FLIGHT: usize = 2;

fn remind(db: &TestDb, port: u16, now: &str) -> std::process::Command {
    let mut cmd = common::command(&db.url);
    cmd.env("DUTYDAY_SMTP_HOST", "127.0.0.1")
        .env("DUTYDAY_SMTP_PORT", port.to_string())
        .env("DUTYDAY_SMTP_TLS", "none")
        .env("DUTYDAY_SMTP_POOL", "1")
        .args(["remind", "--now", now]);
    cmd
}

fn statuses(db: &TestDb) -> HashMap<String, usize> {
    let rows = dutyday::db::outbox::list(&mut db.pool().get().unwrap().any(), None, 10_000).unwrap();
    rows.iter().fold(HashMap::new(), |mut m, r| {
        *m.entry(r.status.clone()).or_default() += 1;
        m
    })
}

fn a_crash_while_sending_repeats_at_most_what_was_in_flight(db: &TestDb) {
    let gen = common::command(&db.url)
        .args(["generate", "--through", "2026-12-04", "--now", "2026-11-30T08:00:00+08:00"])
        .output()
        .unwrap();
    assert!(gen.status.success(), "{}", String::from_utf8_lossy(&gen.stderr));
    // Decide the evening's reminders with no server listening: they wait queued.
    let decided = remind(db, common::mail::free_port(), "2026-11-30T18:05:00+08:00").output().unwrap();
    assert!(decided.status.success(), "{}", String::from_utf8_lossy(&decided.stderr));
    let total: usize = statuses(db).values().sum();
    assert!(total >= 6, "enough messages to be killed among: {total}");
    let mut killed_while_sending = 0;
    for trial in 0..TRIALS {
        exec(
            db,
            "UPDATE outbox SET status = 'queued', attempts = 0, claimed_until = NULL, sent_at = NULL, \
             last_error = NULL, next_attempt_at = '2026-11-30 10:00:00'",
        );
        let smtp = SmtpServer::slow(Duration::from_millis(40));
        let mut child =
            remind(db, smtp.port, "2026-11-30T18:06:00+08:00").stdout(std::process::Stdio::null()).spawn().unwrap();
        std::thread::sleep(Duration::from_millis(rand::random_range(0..600)));
        let _ = child.kill();
        let _ = child.wait();
        let before = smtp.received().len();
        if before > 0 && before < total {
            killed_while_sending += 1;
        }
        // The claim's lease (5 minutes) has passed: the rest goes, nothing twice more.
        let again = remind(db, smtp.port, "2026-11-30T18:12:00+08:00").output().unwrap();
        assert!(again.status.success(), "{}", String::from_utf8_lossy(&again.stderr));
        let s = statuses(db);
        assert_eq!(s.get("sent").copied().unwrap_or(0), s.values().sum::<usize>(), "trial {trial}: {s:?}");
        let mut ids: HashMap<String, usize> = HashMap::new();
        for m in smtp.received() {
            *ids.entry(m.header("Message-ID")).or_default() += 1;
            // Dated when sent (decided at 18:05, sent from 18:06), marked as automatic.
            let date = mailparse::dateparse(&m.header("Date")).unwrap();
            assert!(date >= common::at("2026-11-30T18:06:00+08:00").timestamp(), "{}", m.header("Date"));
            assert_eq!(m.header("Auto-Submitted"), "auto-generated");
        }
        let received = smtp.received().len();
        assert!(ids.len() >= total, "trial {trial}: none lost ({} of {total})", ids.len());
        assert!(
            received - ids.len() <= IN_FLIGHT,
            "trial {trial}: {} duplicates, killed after {before} of {total}",
            received - ids.len()
        );
    }
    assert!(killed_while_sending >= TRIALS / 4, "the kill landed mid-send in {killed_while_sending} trials");
}

on_both_databases!(a_crash_while_sending_repeats_at_most_what_was_in_flight);
