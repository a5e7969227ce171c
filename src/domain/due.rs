//! When an occurrence is due, in the company's zone and in UTC.
//!
//! Due times are wall-clock times in the company's time zone. Converting them to
//! UTC goes through chrono-tz for each date, so a zone with daylight saving keeps
//! "09:00" at nine o'clock local time on both sides of a switch.

use super::calendar::WorkCalendar;
use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;

/// How long after its date an occurrence is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DueAfter {
    /// This many working days of the calendar later, at the rule's time (0: that day).
    WorkingDays(u32),
    /// This many calendar days later, at the rule's time (weekends and holidays count).
    Days(u32),
    /// This many hours after the rule's time on the date itself.
    Hours(u32),
}

/// The due time of an occurrence: at `time` on its date, moved on by `after`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DueRule {
    pub time: NaiveTime,
    pub after: DueAfter,
}

impl DueRule {
    /// At `time`, `working_days` working days after the date.
    pub fn working_days(time: NaiveTime, working_days: u32) -> DueRule {
        DueRule { time, after: DueAfter::WorkingDays(working_days) }
    }

    /// The local due date and time of an occurrence on `date`.
    pub fn due_local(&self, date: NaiveDate, cal: &WorkCalendar) -> NaiveDateTime {
        match self.after {
            DueAfter::WorkingDays(n) => {
                cal.add_working_days(date, i32::try_from(n).unwrap_or(i32::MAX)).and_time(self.time)
            }
            DueAfter::Days(n) => (date + Duration::days(i64::from(n))).and_time(self.time),
            DueAfter::Hours(h) => date.and_time(self.time) + Duration::hours(i64::from(h)),
        }
    }

    /// The due instant of an occurrence on `date`.
    pub fn due_at(&self, date: NaiveDate, cal: &WorkCalendar, tz: Tz) -> DateTime<Utc> {
        local_to_utc(tz, self.due_local(date, cal))
    }
}

/// A local wall-clock time as an instant. In a repeated hour (clocks going back) the
/// earlier instant is taken; a time inside a skipped hour (clocks going forward) is
/// moved forward by the length of the gap, as a person would set their watch.
pub fn local_to_utc(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    if let Some(dt) = tz.from_local_datetime(&local).earliest() {
        return dt.with_timezone(&Utc);
    }
    // Read the time with the offset in force just before the gap.
    for minutes in (15..=180).step_by(15) {
        if let Some(before) = tz.from_local_datetime(&(local - Duration::minutes(minutes))).earliest() {
            let offset = before.offset().fix();
            return Utc.from_utc_datetime(&(local - Duration::seconds(i64::from(offset.local_minus_utc()))));
        }
    }
    Utc.from_utc_datetime(&local)
}

/// The working day's hours in which lateness is counted.
pub const WORKDAY_START: u32 = 9;
/// End of the working day.
pub const WORKDAY_END: u32 = 18;

/// Working hours (09:00–18:00 local, on working days) from `from` to `to`.
pub fn working_hours_between(cal: &WorkCalendar, tz: Tz, from: DateTime<Utc>, to: DateTime<Utc>) -> f64 {
    if to <= from {
        return 0.0;
    }
    let (a, b) = (from.with_timezone(&tz).naive_local(), to.with_timezone(&tz).naive_local());
    let mut minutes = 0i64;
    let mut day = a.date();
    while day <= b.date() {
        if cal.is_working_day(day) {
            let (open, close) = (day.and_hms_opt(WORKDAY_START, 0, 0), day.and_hms_opt(WORKDAY_END, 0, 0));
            if let (Some(open), Some(close)) = (open, close) {
                let (s, e) = (open.max(a), close.min(b));
                if e > s {
                    minutes += (e - s).num_minutes();
                }
            }
        }
        match day.succ_opt() {
            Some(d) => day = d,
            None => break,
        }
    }
    minutes as f64 / 60.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_time_in_the_spring_gap_moves_forward() {
        let ny: Tz = "America/New_York".parse().unwrap();
        let local = NaiveDate::from_ymd_opt(2026, 3, 8).unwrap().and_hms_opt(2, 30, 0).unwrap();
        assert_eq!(local_to_utc(ny, local).to_rfc3339(), "2026-03-08T07:30:00+00:00");
    }

    #[test]
    fn lateness_counts_working_hours_only() {
        let sh: Tz = "Asia/Shanghai".parse().unwrap();
        let cal = WorkCalendar::new(vec![], vec![2026]);
        let utc = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        // Due Friday 17:00, now Monday 10:00: one hour on Friday, one on Monday.
        let h = working_hours_between(&cal, sh, utc("2026-11-27T17:00:00+08:00"), utc("2026-11-30T10:00:00+08:00"));
        assert_eq!(h, 2.0);
        assert_eq!(
            working_hours_between(&cal, sh, utc("2026-11-30T10:00:00+08:00"), utc("2026-11-30T09:00:00+08:00")),
            0.0
        );
    }

    #[test]
    fn a_repeated_hour_takes_the_first() {
        let ny: Tz = "America/New_York".parse().unwrap();
        let local = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap().and_hms_opt(1, 30, 0).unwrap();
        assert_eq!(local_to_utc(ny, local).to_rfc3339(), "2026-11-01T05:30:00+00:00");
    }
}
