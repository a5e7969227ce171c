//! On which dates a duty falls.
//!
//! A [`Schedule`] is a [`Recurrence`] (the nominal dates) plus a [`Shift`] (what
//! happens to a nominal date that is not a working day). Occurrences are computed
//! from the rule for each period on its own, never from the previous occurrence, so
//! "the 31st" clamps to 28 February and returns to 31 March without drifting.

use super::calendar::WorkCalendar;
use super::festival::Festival;
use chrono::{Datelike, Days, NaiveDate, Weekday};
use std::collections::BTreeSet;

/// The nominal dates of a schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recurrence {
    /// Every calendar day.
    Daily,
    /// Every working day of the work calendar.
    WorkingDays,
    /// On the given weekdays of every `interval`-th week, counted from the week of `anchor`.
    Weekly { weekdays: Vec<Weekday>, interval: u32, anchor: NaiveDate },
    /// On day `day` of the month, clamped to the month's last day.
    MonthlyDay { day: u32 },
    /// On the `nth` (1..=5) or last (-1) `weekday` of the month.
    MonthlyNthWeekday { nth: i32, weekday: Weekday },
    /// On the `nth` (1-based) or, when negative, n-th last working day of the month.
    MonthlyWorkingDay { nth: i32 },
    /// On day `day` (clamped) of the `month`-th (1..=3) month of every quarter.
    Quarterly { month: u32, day: u32 },
    /// On the `nth` (1..=5) or last (-1) `weekday` of the `month`-th month of every quarter.
    QuarterlyNthWeekday { month: u32, nth: i32, weekday: Weekday },
    /// Every year on `month`/`day`, clamped (29 February → 28 in common years).
    Yearly { month: u32, day: u32 },
    /// `offset_working_days` working days from each listed festival's date.
    Festival { festivals: Vec<Festival>, offset_working_days: i32 },
    /// The dates of an RFC 5545 RRULE (an escape hatch for what the others cannot say).
    Rule(RuleDates),
}

/// An RRULE and the date it counts from (its DTSTART).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleDates {
    /// The rule without `RRULE:` (`FREQ=MONTHLY;BYMONTH=1,4,7,10;BYDAY=2WE`).
    pub rule: String,
    pub anchor: NaiveDate,
}

impl RuleDates {
    fn set(&self) -> Result<rrule::RRuleSet, String> {
        let rule = self.rule.trim_start_matches("RRULE:");
        if rule.contains('\n') || rule.to_ascii_uppercase().contains("DTSTART") {
            return Err("give the rule only (FREQ=…); the start is `anchor`".into());
        }
        format!("DTSTART:{}T000000Z\nRRULE:{rule}", self.anchor.format("%Y%m%d"))
            .parse::<rrule::RRuleSet>()
            .map_err(|e| e.to_string())
    }

    /// Whether the rule parses and names dates (not times: the due time is `due`).
    pub fn check(&self) -> Result<(), String> {
        let set = self.set()?;
        match set.get_rrule().iter().find(|r| r.get_freq() > rrule::Frequency::Daily) {
            Some(_) => Err("FREQ must be YEARLY, MONTHLY, WEEKLY or DAILY; times of day go in `at` or `due`".into()),
            None => Ok(()),
        }
    }

    /// Its dates in `lo..=hi`.
    fn dates(&self, lo: NaiveDate, hi: NaiveDate) -> Vec<NaiveDate> {
        let Ok(set) = self.set() else { return Vec::new() };
        let utc = |d: NaiveDate| d.and_hms_opt(0, 0, 0).map(|t| t.and_utc().with_timezone(&rrule::Tz::UTC));
        let (Some(from), Some(to)) = (utc(lo), utc(hi)) else { return Vec::new() };
        set.after(from).before(to).all(u16::MAX).dates.into_iter().map(|d| d.date_naive()).collect()
    }
}

/// What to do with a nominal date that is not a working day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Shift {
    /// Move to the working day before.
    Previous,
    /// Move to the working day after.
    Next,
    /// Keep the date as it is.
    #[default]
    Keep,
    /// Drop the occurrence.
    Skip,
}

/// A recurrence and its shift rule: the dates a recurring duty is due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    pub recurrence: Recurrence,
    pub shift: Shift,
}

/// How far beyond a window to look for nominal dates that a shift may carry into it.
const SHIFT_MARGIN_DAYS: u64 = 31;

impl Schedule {
    /// The occurrence dates in `from..=to`, sorted, each once.
    pub fn occurrences(&self, from: NaiveDate, to: NaiveDate, cal: &WorkCalendar) -> Vec<NaiveDate> {
        if from > to {
            return Vec::new();
        }
        let lo = from.checked_sub_days(Days::new(SHIFT_MARGIN_DAYS)).unwrap_or(from);
        let hi = to.checked_add_days(Days::new(SHIFT_MARGIN_DAYS)).unwrap_or(to);
        let mut out = BTreeSet::new();
        for nominal in self.recurrence.nominal(lo, hi, cal) {
            let shifted = match (cal.is_working_day(nominal), self.shift) {
                (true, _) | (false, Shift::Keep) => Some(nominal),
                (false, Shift::Previous) => Some(cal.on_or_before(nominal)),
                (false, Shift::Next) => Some(cal.on_or_after(nominal)),
                (false, Shift::Skip) => None,
            };
            if let Some(d) = shifted.filter(|d| *d >= from && *d <= to) {
                out.insert(d);
            }
        }
        out.into_iter().collect()
    }

    /// The first `count` occurrences on or after `from`, looking at most 100 years ahead
    /// (a window of about two months at a time, so nothing far ahead is computed needlessly).
    pub fn next_n(&self, from: NaiveDate, count: usize, cal: &WorkCalendar) -> Vec<NaiveDate> {
        let mut out = Vec::with_capacity(count);
        let mut start = from;
        for _ in 0..600 {
            if out.len() >= count {
                break;
            }
            let end = start.checked_add_days(Days::new(61)).unwrap_or(start);
            out.extend(self.occurrences(start, end, cal));
            start = match end.checked_add_days(Days::new(1)) {
                Some(d) => d,
                None => break,
            };
        }
        out.truncate(count);
        out
    }
}

impl Recurrence {
    /// Nominal (unshifted) dates in `lo..=hi`.
    fn nominal(&self, lo: NaiveDate, hi: NaiveDate, cal: &WorkCalendar) -> Vec<NaiveDate> {
        if let Recurrence::Festival { festivals, offset_working_days } = self {
            return festival_dates(festivals, *offset_working_days, lo, hi, cal);
        }
        if let Recurrence::Rule(r) = self {
            return r.dates(lo, hi);
        }
        lo.iter_days().take_while(|d| *d <= hi).filter(|d| self.matches(*d, cal)).collect()
    }

    /// Whether `d` is a nominal date of this (non-festival) recurrence.
    fn matches(&self, d: NaiveDate, cal: &WorkCalendar) -> bool {
        match self {
            Recurrence::Daily => true,
            Recurrence::WorkingDays => cal.is_working_day(d),
            Recurrence::Weekly { weekdays, interval, anchor } => {
                let weeks = (week_start(d) - week_start(*anchor)).num_weeks();
                weekdays.contains(&d.weekday()) && weeks.rem_euclid(i64::from((*interval).max(1))) == 0
            }
            Recurrence::MonthlyDay { day } => d.day() == clamp_day(d.year(), d.month(), *day),
            Recurrence::MonthlyNthWeekday { nth, weekday } => d.weekday() == *weekday && nth_weekday_matches(d, *nth),
            Recurrence::MonthlyWorkingDay { nth } => cal.nth_working_day(d.year(), d.month(), *nth) == Some(d),
            Recurrence::Quarterly { month, day } => {
                (d.month() - 1) % 3 + 1 == *month && d.day() == clamp_day(d.year(), d.month(), *day)
            }
            Recurrence::QuarterlyNthWeekday { month, nth, weekday } => {
                (d.month() - 1) % 3 + 1 == *month && d.weekday() == *weekday && nth_weekday_matches(d, *nth)
            }
            Recurrence::Yearly { month, day } => d.month() == *month && d.day() == clamp_day(d.year(), *month, *day),
            Recurrence::Festival { .. } | Recurrence::Rule(_) => false,
        }
    }
}

fn festival_dates(
    festivals: &[Festival],
    offset: i32,
    lo: NaiveDate,
    hi: NaiveDate,
    cal: &WorkCalendar,
) -> Vec<NaiveDate> {
    // A large offset can move a festival of the next or previous year into the window.
    let mut out = Vec::new();
    for year in lo.year() - 1..=hi.year() + 1 {
        for f in festivals {
            // Skip festivals too far away to reach the window, without asking the
            // calendar about years that do not matter.
            let reach = Days::new(u64::from(offset.unsigned_abs()) * 2 + 14);
            let near = |d: NaiveDate| {
                d.checked_add_days(reach).is_some_and(|e| e >= lo) && d.checked_sub_days(reach).is_some_and(|s| s <= hi)
            };
            if let Some(date) = f.date_in(year).filter(|d| near(*d)) {
                let d = cal.add_working_days(date, offset);
                if d >= lo && d <= hi {
                    out.push(d);
                }
            }
        }
    }
    out.sort();
    out
}

/// The Monday of `d`'s week.
fn week_start(d: NaiveDate) -> NaiveDate {
    d.checked_sub_days(Days::new(u64::from(d.weekday().num_days_from_monday()))).unwrap_or(d)
}

/// The number of days in a month.
pub fn days_in_month(year: i32, month: u32) -> u32 {
    let (ny, nm) = if month == 12 { (year + 1, 1) } else { (year, month + 1) };
    NaiveDate::from_ymd_opt(ny, nm, 1).and_then(|d| d.pred_opt()).map(|d| d.day()).unwrap_or(28)
}

fn clamp_day(year: i32, month: u32, day: u32) -> u32 {
    day.min(days_in_month(year, month))
}

fn nth_weekday_matches(d: NaiveDate, nth: i32) -> bool {
    if nth > 0 {
        (d.day() - 1) / 7 + 1 == nth as u32
    } else {
        let from_end = (days_in_month(d.year(), d.month()) - d.day()) / 7 + 1;
        from_end == nth.unsigned_abs()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn plain() -> WorkCalendar {
        WorkCalendar::new(vec![], vec![2026])
    }

    fn sched(recurrence: Recurrence) -> Schedule {
        Schedule { recurrence, shift: Shift::Keep }
    }

    #[test]
    fn monthly_31st_clamps_without_drifting() {
        let got = sched(Recurrence::MonthlyDay { day: 31 }).occurrences(d("2026-01-01"), d("2026-04-30"), &plain());
        assert_eq!(got, vec![d("2026-01-31"), d("2026-02-28"), d("2026-03-31"), d("2026-04-30")]);
    }

    #[test]
    fn nth_and_last_weekday() {
        let tue2 = sched(Recurrence::MonthlyNthWeekday { nth: 2, weekday: Weekday::Tue });
        assert_eq!(
            tue2.occurrences(d("2026-03-01"), d("2026-04-30"), &plain()),
            vec![d("2026-03-10"), d("2026-04-14")]
        );
        let last_fri = sched(Recurrence::MonthlyNthWeekday { nth: -1, weekday: Weekday::Fri });
        assert_eq!(
            last_fri.occurrences(d("2026-01-01"), d("2026-02-28"), &plain()),
            vec![d("2026-01-30"), d("2026-02-27")]
        );
    }

    #[test]
    fn every_other_week_counts_from_the_anchor_week() {
        let s = sched(Recurrence::Weekly { weekdays: vec![Weekday::Wed], interval: 2, anchor: d("2026-01-05") });
        let got = s.occurrences(d("2026-01-01"), d("2026-02-05"), &plain());
        assert_eq!(got, vec![d("2026-01-07"), d("2026-01-21"), d("2026-02-04")]);
    }

    #[test]
    fn shift_rules_on_a_weekend_date() {
        // 2026-02-28 is a Saturday; with no calendar exceptions it is not a working day.
        let base = Recurrence::MonthlyDay { day: 28 };
        let range = (d("2026-02-01"), d("2026-03-10"));
        let with = |shift| Schedule { recurrence: base.clone(), shift }.occurrences(range.0, range.1, &plain());
        assert_eq!(with(Shift::Previous), vec![d("2026-02-27")]);
        assert_eq!(with(Shift::Next), vec![d("2026-03-02")]);
        assert_eq!(with(Shift::Keep), vec![d("2026-02-28")]);
        assert_eq!(with(Shift::Skip), Vec::<NaiveDate>::new());
    }

    #[test]
    fn yearly_and_quarterly_clamp() {
        let y = sched(Recurrence::Yearly { month: 2, day: 29 });
        assert_eq!(y.next_n(d("2026-01-01"), 3, &plain()), vec![d("2026-02-28"), d("2027-02-28"), d("2028-02-29")]);
        let q = sched(Recurrence::Quarterly { month: 3, day: 31 });
        assert_eq!(
            q.next_n(d("2026-01-01"), 4, &plain()),
            vec![d("2026-03-31"), d("2026-06-30"), d("2026-09-30"), d("2026-12-31")]
        );
    }

    #[test]
    fn next_n_is_bounded_for_rules_that_never_fire() {
        let s = sched(Recurrence::MonthlyNthWeekday { nth: 5, weekday: Weekday::Mon });
        assert_eq!(s.next_n(d("2026-01-01"), 2, &plain()), vec![d("2026-03-30"), d("2026-06-29")]);
        let never = sched(Recurrence::Festival { festivals: vec![], offset_working_days: 0 });
        assert!(never.next_n(d("2026-01-01"), 1, &plain()).is_empty());
    }
}
