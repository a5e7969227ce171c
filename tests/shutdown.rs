//! Graceful shutdown: SIGTERM to a serving `dutyday` under parallel load resets no
//! one (every request is answered in full or its connection refused outright), a
//! request in flight is finished, and a scheduled pass that is sending mail runs
//! to its end before the scheduler lets go.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::mail::SmtpServer;
use common::TestDb;
use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What became of the load's requests.
#[derive(Default)]
struct Tally {
    answered: AtomicUsize,
    refused: AtomicUsize,
    /// Reset, or closed with the request unanswered: what a shutdown must never do.
    dropped: AtomicUsize,
}

/// Reads one whole response of `/healthz` (its JSON body ends in `}`); whether the
/// server closes the connection after it.
fn read_response(s: &mut TcpStream) -> std::io::Result<bool> {
    let mut data = Vec::new();
    let mut buf = [0u8; 2048];
    loop {
        let n = s.read(&mut buf)?;
        if n == 0 {
            return Err(std::io::Error::new(ErrorKind::UnexpectedEof, "closed before the answer"));
        }
        data.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&data).to_lowercase();
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            if body.ends_with('}') {
                assert!(head.starts_with("http/1.1 200"), "{head}");
                return Ok(head.contains("connection: close"));
            }
        }
    }
}

/// A client asking `/healthz` until the server is gone: on one connection after
/// another (`keep_alive` false) or reusing each as long as the server allows.
fn client(port: u16, keep_alive: bool, until: Instant, tally: &Tally) {
    let mut conn: Option<TcpStream> = None;
    while Instant::now() < until {
        let s = match conn.take() {
            Some(s) => s,
            None => match TcpStream::connect(("127.0.0.1", port)) {
                Ok(s) => s,
                Err(e) if e.kind() == ErrorKind::ConnectionRefused => {
                    tally.refused.fetch_add(1, Ordering::Relaxed);
                    return;
                }
                Err(e) => panic!("connect: {e}"),
            },
        };
        let mut s = s;
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let close = if keep_alive { "" } else { "Connection: close\r\n" };
        let asked = s.write_all(format!("GET /healthz HTTP/1.1\r\nHost: t\r\n{close}\r\n").as_bytes());
        match asked.and_then(|()| read_response(&mut s)) {
            Ok(closing) => {
                tally.answered.fetch_add(1, Ordering::Relaxed);
                if keep_alive && !closing {
                    conn = Some(s);
                }
            }
            Err(e) => {
                eprintln!("dropped ({}): {e}", if keep_alive { "keep-alive" } else { "new connection" });
                tally.dropped.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

fn sigterm_under_parallel_load_resets_no_one(db: &TestDb) {
    let mut child = common::command(&db.url)
        .arg("serve")
        .env("DUTYDAY_BIND", "127.0.0.1:0")
        .env("DUTYDAY_DEMO_PASSWORD", common::PASSWORD)
        .env("DUTYDAY_SHUTDOWN_DRAIN_MS", "300")
        .env("DUTYDAY_SHUTDOWN_GRACE_SECS", "20")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    let port: u16 = loop {
        line.clear();
        assert!(out.read_line(&mut line).unwrap() > 0, "serve stopped before it listened");
        if let Some(rest) = line.split("running at http://127.0.0.1:").nth(1) {
            break rest.split_whitespace().next().unwrap().parse().unwrap();
        }
    };
    // In flight across the whole shutdown: a sign-in form whose body arrives slowly.
    let body = "email=nobody%40example.com&password=wrong&csrf=x";
    let mut slow = TcpStream::connect(("127.0.0.1", port)).unwrap();
    slow.write_all(
        format!(
            "POST /login HTTP/1.1\r\nHost: t\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{}",
            body.len(),
            &body[..10]
        )
        .as_bytes(),
    )
    .unwrap();
    let tally = Arc::new(Tally::default());
    let until = Instant::now() + Duration::from_secs(30);
    let clients: Vec<_> = (0..8)
        .map(|i| {
            let tally = tally.clone();
            std::thread::spawn(move || client(port, i % 2 == 0, until, &tally))
        })
        .collect();
    std::thread::sleep(Duration::from_millis(700));
    let before = tally.answered.load(Ordering::Relaxed);
    let signalled = Instant::now();
    let kill = std::process::Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(kill.success());
    // The rest of the slow request's body comes well after the listener has closed.
    std::thread::sleep(Duration::from_millis(1500));
    let finishing = AtomicBool::new(child.try_wait().unwrap().is_none());
    slow.write_all(&body.as_bytes()[10..]).unwrap();
    let mut answer = String::new();
    slow.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let _ = slow.read_to_string(&mut answer);
    let status = child.wait().unwrap();
    let took = signalled.elapsed();
    for c in clients {
        c.join().unwrap();
    }
    let (answered, refused, dropped) = (
        tally.answered.load(Ordering::Relaxed),
        tally.refused.load(Ordering::Relaxed),
        tally.dropped.load(Ordering::Relaxed),
    );
    assert!(status.success(), "a graceful stop exits 0: {status:?}");
    assert!(before > 100 && answered > before, "the load ran before and after the signal: {before}, {answered}");
    assert_eq!(dropped, 0, "no request reset or left unanswered ({answered} answered, {refused} refused)");
    assert_eq!(refused, 8, "every client ends refused once the service has stopped listening");
    assert!(finishing.load(Ordering::Relaxed), "the service waited for the request in flight");
    assert!(answer.starts_with("HTTP/1.1 "), "the request in flight was answered in full: {answer:?}");
    assert!(answer.to_lowercase().contains("connection: close"), "{answer}");
    assert!(took < Duration::from_secs(10), "well within the grace: {took:?}");
}

/// A pass sending to a slow mail server when the service stops is waited for:
/// nothing it claimed is left half-sent.
fn a_running_reminder_pass_is_finished_before_the_scheduler_lets_go(db: &TestDb) {
    let gen = common::command(&db.url)
        .args(["generate", "--through", "2026-12-04", "--now", "2026-11-30T08:00:00+08:00"])
        .output()
        .unwrap();
    assert!(gen.status.success(), "{}", String::from_utf8_lossy(&gen.stderr));
    let nobody = common::mail::free_port().to_string();
    let decided = common::command(&db.url)
        .env("DUTYDAY_SMTP_HOST", "127.0.0.1")
        .env("DUTYDAY_SMTP_PORT", &nobody)
        .env("DUTYDAY_SMTP_TLS", "none")
        .args(["remind", "--now", "2026-11-30T18:05:00+08:00"])
        .output()
        .unwrap();
    assert!(decided.status.success(), "{}", String::from_utf8_lossy(&decided.stderr));
    common::remind::exec(db, "UPDATE outbox SET next_attempt_at = '2026-11-30 10:00:00', attempts = 0");
    let smtp = SmtpServer::slow(Duration::from_millis(250));
    let rt = common::remind::runtime();
    rt.block_on(async {
        let settings = dutyday::config::Settings {
            database_url: db.url.clone(),
            remind_cron: "* * * * * *".into(),
            generate_cron: "0 0 0 1 1 *".into(),
            smtp_pool: 1,
            ..common::remind::settings(smtp.port)
        };
        let mailer = dutyday::services::remind::Mailer::from_settings(&settings).unwrap();
        let state = Arc::new(dutyday::services::AppState {
            pool: db.pool().clone(),
            settings,
            mailer,
            // Inside the sending window (18:10 on a working Monday in Shanghai), whatever
            // the hour the test runs at: after 20:00 the pass would rightly wait.
            clock: dutyday::services::Clock::Fixed(common::at("2026-11-30T10:10:00Z")),
            draining: Default::default(),
            directory: Default::default(),
            lists: Default::default(),
            pages: Default::default(),
            asking: Default::default(),
        });
        let sched = dutyday::jobs::start(state).await.unwrap();
        let started = Instant::now();
        while smtp.received().is_empty() {
            assert!(started.elapsed() < Duration::from_secs(20), "the pass began sending");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(sched.finish(Duration::from_secs(30)).await, "the pass ended within the grace");
    });
    let rows = dutyday::db::outbox::list(&mut db.pool().get().unwrap().any(), None, 1000).unwrap();
    let unsent: Vec<_> = rows.iter().filter(|r| r.status != "sent").map(|r| r.status.clone()).collect();
    assert!(rows.len() >= 4, "enough mail for a long pass: {}", rows.len());
    assert!(unsent.is_empty(), "nothing claimed was left half-sent: {unsent:?}");
    assert_eq!(smtp.received().len(), rows.len(), "each message sent once");
}

on_both_databases!(
    sigterm_under_parallel_load_resets_no_one,
    a_running_reminder_pass_is_finished_before_the_scheduler_lets_go,
);
