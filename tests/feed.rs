//! Calendar feeds that common apps show (#17): the /me/calendar page makes the
//! addresses; the events feed carries each task as a block ending at its due time;
//! both feeds answer HEAD, ETag and Last-Modified; Python's `icalendar` reads them.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::web::{browser, get, log_in, post};
use common::TestDb;
use reqwest::{Client, StatusCode};

/// The value of `<input … value="…" id="{id}">` on a page (askama escapes `&`).
fn input(page: &str, id: &str) -> String {
    let end = page.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("#{id} on {page}"));
    let start = page[..end].rfind("value=\"").expect("a value") + 7;
    page[start..start + page[start..].find('"').unwrap()].replace("&#38;", "&")
}

/// Parses a calendar with Python's `icalendar` and prints `NAME|UID|SUMMARY` per
/// component; `None` where Python or the module is missing (outside CI).
fn python_reads(body: &str) -> Option<String> {
    use std::io::Write;
    let script = "import sys, icalendar\n\
        cal = icalendar.Calendar.from_ical(sys.stdin.buffer.read())\n\
        for c in cal.walk():\n    print(c.name, c.get('uid', ''), c.get('summary', ''), sep='|')\n";
    let mut child = std::process::Command::new("python3")
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .ok()?;
    child.stdin.take().unwrap().write_all(body.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    if err.contains("No module named 'icalendar'") {
        assert!(std::env::var("DUTYDAY_E2E").is_err(), "icalendar is needed under DUTYDAY_E2E");
        eprintln!("skipped the icalendar check: pip install icalendar");
        return None;
    }
    assert!(out.status.success(), "icalendar refused the feed: {err}\n{body}");
    Some(String::from_utf8(out.stdout).unwrap())
}

fn feeds_for_calendar_apps(db: &TestDb) {
    actix_web::rt::System::new().block_on(async {
        let base = common::serve(db).await;
        let c = browser();
        log_in(&c, &base, "sun.li@example.com").await;
        let (s, page) = get(&c, &format!("{base}/me/calendar")).await;
        assert_eq!(s, StatusCode::OK);
        assert!(page.contains("Google") && page.contains("Outlook") && !page.contains("id=\"feed-links\""));
        let (s, _, made) = post(&c, &format!("{base}/me/calendar"), &[("csrf", &common::csrf(&page))]).await;
        assert_eq!(s, StatusCode::OK, "{made}");
        let (events, todos) = (input(&made, "feed-events"), input(&made, "feed-todos"));
        assert!(events.ends_with("-events.ics") && todos.ends_with(".ics"), "{events} {todos}");
        let webcal = made.split("id=\"feed-webcal\"").next().unwrap();
        assert!(webcal.contains(&format!("webcal://{}", events.split_once("://").unwrap().1)));
        // The address is the configured base URL's; the test server is elsewhere.
        let here = |u: &str| format!("{base}{}", &u[u.find("/ical/").unwrap()..]);
        let http = Client::new();
        let res = http.get(here(&events)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let tag = res.headers()["etag"].to_str().unwrap().to_string();
        let modified = res.headers()["last-modified"].to_str().unwrap().to_string();
        let body = res.text().await.unwrap();
        let unfolded = body.replace("\r\n ", "");
        let n = unfolded.matches("BEGIN:VEVENT").count();
        assert!(n > 0 && !unfolded.contains("VTODO"), "{body}");
        assert_eq!(unfolded.matches("DTSTART:").count(), n);
        assert!(unfolded.contains("SUMMARY:销售发货日报表"));
        // The same tasks as to-dos, under the same UIDs.
        let todo_body = http.get(here(&todos)).send().await.unwrap().text().await.unwrap();
        let uids = |b: &str| {
            let mut u: Vec<String> =
                b.replace("\r\n ", "").lines().filter(|l| l.starts_with("UID:")).map(String::from).collect();
            u.sort();
            u
        };
        assert_eq!(uids(&body), uids(&todo_body));
        // HEAD: the headers alone.
        let head = http.head(here(&events)).send().await.unwrap();
        assert_eq!((head.status(), head.headers()["etag"].to_str().unwrap()), (StatusCode::OK, tag.as_str()));
        assert!(head.text().await.unwrap().is_empty());
        // Unchanged: 304 by tag, and by date when no tag is sent.
        let again = http.get(here(&events)).header("If-None-Match", &tag).send().await.unwrap();
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
        let since = http.get(here(&events)).header("If-Modified-Since", &modified).send().await.unwrap();
        assert_eq!(since.status(), StatusCode::NOT_MODIFIED);
        let stale = http.get(here(&events)).header("If-None-Match", "\"old\"").send().await.unwrap();
        assert_eq!(stale.status(), StatusCode::OK);
        // Python's icalendar reads both, one component per task.
        if let Some(read) = python_reads(&body) {
            assert_eq!(read.lines().filter(|l| l.starts_with("VEVENT|task-")).count(), n, "{read}");
        }
        if let Some(read) = python_reads(&todo_body) {
            assert_eq!(read.lines().filter(|l| l.starts_with("VTODO|task-")).count(), n, "{read}");
        }
        // Making new addresses retires the old ones.
        let (_, page) = get(&c, &format!("{base}/me/calendar")).await;
        post(&c, &format!("{base}/me/calendar"), &[("csrf", &common::csrf(&page))]).await;
        assert_eq!(http.get(here(&events)).send().await.unwrap().status(), StatusCode::NOT_FOUND);
        assert_eq!(http.get(here(&todos)).send().await.unwrap().status(), StatusCode::NOT_FOUND);
    });
}

on_both_databases!(feeds_for_calendar_apps);
