//! Writing RFC 5545 calendars of tasks, as to-dos (VTODO) or as events (VEVENT:
//! Google Calendar, Apple Calendar and Outlook show no to-dos from a subscribed
//! calendar): CRLF line ends, text escaped, and lines folded at 75 octets without
//! ever splitting a UTF-8 character.

use super::task::TaskStatus;
use chrono::{DateTime, Utc};

/// How a feed carries tasks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// VTODOs with a due time (task apps, Thunderbird).
    Todos,
    /// VEVENTs: a half-hour block ending at the due time (calendar apps).
    Events,
}

/// How long an event block lasts before the task's due time.
pub const EVENT_MINUTES: i64 = 30;

/// One task of a feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Todo {
    /// Stable per task, so calendar apps update rather than duplicate.
    pub uid: String,
    pub due: DateTime<Utc>,
    /// `NEEDS-ACTION`, `COMPLETED` or `CANCELLED`.
    pub status: &'static str,
    pub summary: String,
    pub description: String,
    pub url: String,
    pub last_modified: DateTime<Utc>,
}

/// The RFC 5545 status of a task status.
pub fn todo_status(task_status: TaskStatus) -> &'static str {
    match task_status {
        TaskStatus::Done => "COMPLETED",
        TaskStatus::Skipped | TaskStatus::Missed | TaskStatus::Cancelled => "CANCELLED",
        TaskStatus::Open => "NEEDS-ACTION",
    }
}

/// A whole VCALENDAR with these tasks; times are in UTC, so no VTIMEZONE is needed.
/// `DTSTAMP` is each task's last change, so the same tasks give the same bytes (and
/// the same `ETag`).
pub fn calendar(name: &str, todos: &[Todo], kind: Kind) -> String {
    let mut out = String::new();
    let mut line = |s: String| {
        out.push_str(&fold(&s));
        out.push_str("\r\n");
    };
    line("BEGIN:VCALENDAR".into());
    line("VERSION:2.0".into());
    line("PRODID:-//dutyday//tasks//EN".into());
    line("CALSCALE:GREGORIAN".into());
    line(format!("X-WR-CALNAME:{}", escape(name)));
    let component = match kind {
        Kind::Todos => "VTODO",
        Kind::Events => "VEVENT",
    };
    for t in todos {
        line(format!("BEGIN:{component}"));
        line(format!("UID:{}", escape(&t.uid)));
        line(format!("DTSTAMP:{}", stamp(t.last_modified)));
        line(format!("LAST-MODIFIED:{}", stamp(t.last_modified)));
        match kind {
            Kind::Todos => {
                line(format!("DUE:{}", stamp(t.due)));
                line(format!("STATUS:{}", t.status));
                line(format!("SUMMARY:{}", escape(&t.summary)));
            }
            Kind::Events => {
                line(format!("DTSTART:{}", stamp(t.due - chrono::Duration::minutes(EVENT_MINUTES))));
                line(format!("DTEND:{}", stamp(t.due)));
                // Events have no "done": a done task keeps its block, marked ✓.
                let (status, mark) = match t.status {
                    "CANCELLED" => ("CANCELLED", ""),
                    "COMPLETED" => ("CONFIRMED", "✓ "),
                    _ => ("CONFIRMED", ""),
                };
                line(format!("STATUS:{status}"));
                line(format!("SUMMARY:{mark}{}", escape(&t.summary)));
                line("TRANSP:TRANSPARENT".into());
            }
        }
        line(format!("DESCRIPTION:{}", escape(&t.description)));
        line(format!("URL:{}", t.url));
        line(format!("END:{component}"));
    }
    line("END:VCALENDAR".into());
    out
}

fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// Escapes TEXT values: backslash, semicolon, comma and line breaks.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds a content line into pieces of at most 75 octets; continuation lines start
/// with one space, which counts towards their 75.
pub fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + line.len() / 70 * 3);
    let mut width = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_never_splits_a_character_and_keeps_75_octets() {
        let line = format!("SUMMARY:{}", "销售发货日报表，".repeat(12));
        let folded = fold(&line);
        for part in folded.split("\r\n") {
            assert!(part.len() <= 75, "{} octets: {part}", part.len());
        }
        assert_eq!(folded.replace("\r\n ", ""), line);
    }

    #[test]
    fn events_end_at_the_due_time_and_mark_what_is_done() {
        let due: DateTime<Utc> = "2026-12-01T10:00:00Z".parse().unwrap_or_default();
        let t = Todo {
            uid: "task-1@dutyday".into(),
            due,
            status: "COMPLETED",
            summary: "盘点".into(),
            description: String::new(),
            url: "http://x/tasks/1".into(),
            last_modified: due,
        };
        let cal = calendar("x", &[t], Kind::Events);
        for want in
            ["BEGIN:VEVENT", "DTSTART:20261201T093000Z", "DTEND:20261201T100000Z", "SUMMARY:✓ 盘点", "STATUS:CONFIRMED"]
        {
            assert!(cal.contains(want), "{want} in {cal}");
        }
        assert!(!cal.contains("VTODO") && !cal.contains("DUE:"));
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape("盘点;复核,完成\n下一步\\"), "盘点\\;复核\\,完成\\n下一步\\\\");
    }
}
