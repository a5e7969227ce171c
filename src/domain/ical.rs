//! Writing RFC 5545 calendars of to-dos: CRLF line ends, text escaped, and lines
//! folded at 75 octets without ever splitting a UTF-8 character.

use super::task::TaskStatus;
use chrono::{DateTime, Utc};

/// One to-do of a feed.
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

/// A whole VCALENDAR with these to-dos; times are in UTC, so no VTIMEZONE is needed.
pub fn calendar(name: &str, todos: &[Todo], now: DateTime<Utc>) -> String {
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
    for t in todos {
        line("BEGIN:VTODO".into());
        line(format!("UID:{}", escape(&t.uid)));
        line(format!("DTSTAMP:{}", stamp(now)));
        line(format!("LAST-MODIFIED:{}", stamp(t.last_modified)));
        line(format!("DUE:{}", stamp(t.due)));
        line(format!("STATUS:{}", t.status));
        line(format!("SUMMARY:{}", escape(&t.summary)));
        line(format!("DESCRIPTION:{}", escape(&t.description)));
        line(format!("URL:{}", t.url));
        line("END:VTODO".into());
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
    fn text_is_escaped() {
        assert_eq!(escape("盘点;复核,完成\n下一步\\"), "盘点\\;复核\\,完成\\n下一步\\\\");
    }
}
