//! The company's work calendar: which dates are working days.
//!
//! Mainland China moves working days around public holidays (调休): a holiday can
//! fall on a weekday and a Saturday can be a make-up working day. A calendar holds
//! those exceptions for the years it was loaded for; any other date is a working
//! day exactly when it is Monday to Friday. A date in a year with no calendar loaded
//! falls back to Monday–Friday, and the first such lookup per year logs a warning.

use chrono::{Datelike, Days, NaiveDate, Weekday};
use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;

/// What a calendar entry says about its date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayKind {
    /// A day off that would otherwise be a working day (or a weekend inside a holiday).
    Holiday,
    /// A Saturday or Sunday that is a working day (调休上班).
    Workday,
}

impl DayKind {
    /// The spelling used in calendar files and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            DayKind::Holiday => "holiday",
            DayKind::Workday => "workday",
        }
    }

    /// Parses `holiday` or `workday`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "holiday" => Some(DayKind::Holiday),
            "workday" => Some(DayKind::Workday),
            _ => None,
        }
    }
}

/// One exception to the Monday–Friday rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarDay {
    pub date: NaiveDate,
    pub kind: DayKind,
    pub name: String,
}

/// A parse failure in a calendar file, with its 1-based line number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct CalendarParseError {
    pub line: usize,
    pub message: String,
}

/// Parses the `date<TAB>kind<TAB>name` format of `shared/calendar/cn-2026.tsv`.
/// A header line starting with `date` and lines starting with `#` are skipped.
pub fn parse_tsv(text: &str) -> Result<Vec<CalendarDay>, CalendarParseError> {
    let mut days = Vec::new();
    let mut seen = BTreeSet::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim_end_matches('\r');
        let err = |message: String| CalendarParseError { line: i + 1, message };
        if line.trim().is_empty() || line.starts_with('#') || (i == 0 && line.starts_with("date")) {
            continue;
        }
        let mut cols = line.split('\t');
        let (Some(d), Some(k)) = (cols.next(), cols.next()) else {
            return Err(err("expected `date<TAB>kind<TAB>name`".into()));
        };
        let date = NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d")
            .map_err(|_| err(format!("`{d}` is not a date (YYYY-MM-DD)")))?;
        let kind =
            DayKind::parse(k.trim()).ok_or_else(|| err(format!("kind `{k}` is neither `holiday` nor `workday`")))?;
        if !seen.insert(date) {
            return Err(err(format!("{date} is listed twice")));
        }
        let name = cols.next().unwrap_or("").trim().to_string();
        days.push(CalendarDay { date, kind, name });
    }
    if days.is_empty() {
        return Err(CalendarParseError { line: 1, message: "no calendar days in the file".into() });
    }
    Ok(days)
}

/// A calendar of its own for part of the company (`[[calendar]]` in company.toml):
/// its name, which its files start with (`stores-2026.tsv`), and its usual working
/// days of the week.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarSpec {
    pub name: String,
    /// `mon` … `sun`; default Monday to Friday.
    #[serde(default = "monday_to_friday")]
    pub workdays: Vec<String>,
}

fn monday_to_friday() -> Vec<String> {
    ["mon", "tue", "wed", "thu", "fri"].map(String::from).to_vec()
}

impl CalendarSpec {
    /// The working days of the week, Monday first; the name of a bad day when there is one.
    pub fn week(&self) -> Result<[bool; 7], String> {
        let mut week = [false; 7];
        for d in &self.workdays {
            let day: Weekday = d.parse().map_err(|_| d.clone())?;
            week[day.num_days_from_monday() as usize] = true;
        }
        Ok(week)
    }
}

/// The working-day calendar used by every schedule and due-time computation.
#[derive(Debug)]
pub struct WorkCalendar {
    exceptions: HashMap<NaiveDate, DayKind>,
    years: BTreeSet<i32>,
    /// The usual working days, Monday first.
    week: [bool; 7],
}

impl Default for WorkCalendar {
    fn default() -> Self {
        WorkCalendar { exceptions: HashMap::new(), years: BTreeSet::new(), week: MONDAY_TO_FRIDAY }
    }
}

const MONDAY_TO_FRIDAY: [bool; 7] = [true, true, true, true, true, false, false];

/// Years already warned about, process-wide: each generation run builds a calendar
/// anew, and the warning is worth reading once, not every five minutes.
static WARNED: Mutex<BTreeSet<i32>> = Mutex::new(BTreeSet::new());

impl WorkCalendar {
    /// A calendar covering `years`, with `days` as its exceptions.
    pub fn new(days: impl IntoIterator<Item = CalendarDay>, years: impl IntoIterator<Item = i32>) -> Self {
        WorkCalendar {
            exceptions: days.into_iter().map(|d| (d.date, d.kind)).collect(),
            years: years.into_iter().collect(),
            week: MONDAY_TO_FRIDAY,
        }
    }

    /// The same calendar with other usual working days (Monday first).
    pub fn with_week(mut self, week: [bool; 7]) -> Self {
        self.week = week;
        self
    }

    /// A calendar from loaded days; the years covered are those the days fall in.
    pub fn from_days(days: Vec<CalendarDay>) -> Self {
        let years: Vec<i32> = days.iter().map(|d| d.date.year()).collect();
        Self::new(days, years)
    }

    /// Years for which holidays are known.
    pub fn years(&self) -> impl Iterator<Item = i32> + '_ {
        self.years.iter().copied()
    }

    /// Whether `year` has a calendar loaded (otherwise Monday–Friday applies).
    pub fn covers(&self, year: i32) -> bool {
        self.years.contains(&year)
    }

    /// Whether `date` is a working day.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        if !self.covers(date.year()) {
            warn_once(date.year());
        }
        match self.exceptions.get(&date) {
            Some(DayKind::Holiday) => false,
            Some(DayKind::Workday) => true,
            None => self.week[date.weekday().num_days_from_monday() as usize],
        }
    }

    /// `date` moved by `n` working days: `n > 0` is the n-th working day after it,
    /// `n < 0` the n-th before it, and `0` the date itself.
    pub fn add_working_days(&self, date: NaiveDate, n: i32) -> NaiveDate {
        let mut d = date;
        let mut left = n.unsigned_abs();
        while left > 0 {
            d = if n > 0 { next_day(d) } else { prev_day(d) };
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        d
    }

    /// How many working days fall after `from`, up to and including `to`.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        let mut n = 0;
        let mut d = from;
        while d < to {
            d = next_day(d);
            n += u32::from(self.is_working_day(d));
        }
        n
    }

    /// The first working day on or after `date`.
    pub fn on_or_after(&self, date: NaiveDate) -> NaiveDate {
        let mut d = date;
        while !self.is_working_day(d) {
            d = next_day(d);
        }
        d
    }

    /// The last working day on or before `date`.
    pub fn on_or_before(&self, date: NaiveDate) -> NaiveDate {
        let mut d = date;
        while !self.is_working_day(d) {
            d = prev_day(d);
        }
        d
    }

    /// The `nth` working day of a month (1-based), or counted from the end when
    /// negative (-1 is the last). `None` when the month has fewer working days.
    pub fn nth_working_day(&self, year: i32, month: u32, nth: i32) -> Option<NaiveDate> {
        let first = NaiveDate::from_ymd_opt(year, month, 1)?;
        let working: Vec<NaiveDate> =
            first.iter_days().take_while(|d| d.month() == month).filter(|d| self.is_working_day(*d)).collect();
        let idx = if nth > 0 { nth as usize - 1 } else { working.len().checked_sub(nth.unsigned_abs() as usize)? };
        working.get(idx).copied()
    }
}

/// Logs the fallback to Monday–Friday for `year`, once per process.
fn warn_once(year: i32) {
    if let Ok(mut warned) = WARNED.lock() {
        if warned.insert(year) {
            tracing::warn!(year, "no work calendar loaded for this year; using Monday to Friday");
        }
    }
}

fn next_day(d: NaiveDate) -> NaiveDate {
    d.checked_add_days(Days::new(1)).unwrap_or(d)
}

fn prev_day(d: NaiveDate) -> NaiveDate {
    d.checked_sub_days(Days::new(1)).unwrap_or(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn cn2026() -> WorkCalendar {
        let text = include_str!("../../config/calendars/cn-2026.tsv");
        WorkCalendar::from_days(parse_tsv(text).unwrap())
    }

    #[test]
    fn make_up_saturday_is_working_and_holiday_weekday_is_not() {
        let cal = cn2026();
        assert!(cal.is_working_day(d("2026-10-10")));
        assert!(cal.is_working_day(d("2026-10-08")));
        assert!(!cal.is_working_day(d("2026-10-01")));
        assert!(cal.is_working_day(d("2026-10-09")));
        assert!(!cal.is_working_day(d("2026-10-11")));
    }

    #[test]
    fn working_day_arithmetic_skips_holidays() {
        let cal = cn2026();
        // 2026-09-30 (Wed) + 1 working day jumps the National Day week to Thu 10-08.
        assert_eq!(cal.add_working_days(d("2026-09-30"), 1), d("2026-10-08"));
        assert_eq!(cal.add_working_days(d("2026-10-08"), -1), d("2026-09-30"));
        assert_eq!(cal.add_working_days(d("2026-10-01"), 0), d("2026-10-01"));
        assert_eq!(cal.on_or_after(d("2026-10-01")), d("2026-10-08"));
        assert_eq!(cal.on_or_before(d("2026-10-01")), d("2026-09-30"));
    }

    #[test]
    fn unloaded_year_falls_back_to_monday_to_friday() {
        let cal = cn2026();
        assert!(!cal.covers(2027));
        assert!(cal.is_working_day(d("2027-10-01"))); // a Friday, holiday unknown
        assert!(!cal.is_working_day(d("2027-10-02")));
    }

    #[test]
    fn bad_lines_name_their_line() {
        let e = parse_tsv("date\tkind\tname\n2026-01-01\tholiday\tx\n2026-13-01\tholiday\ty\n").unwrap_err();
        assert_eq!(e.line, 3);
        let e = parse_tsv("2026-01-01\tvacation\tx\n").unwrap_err();
        assert!(e.message.contains("vacation"), "{e}");
        let e = parse_tsv("2026-01-01\tholiday\tx\n2026-01-01\tworkday\tx\n").unwrap_err();
        assert!(e.message.contains("twice"), "{e}");
    }
}
