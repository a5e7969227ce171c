//! When an occurrence is due, in the company's zone and in UTC.
//!
//! Due times are wall-clock times in the company's time zone. Converting them to
//! UTC goes through chrono-tz for each date, so a zone with daylight saving keeps
//! "09:00" at nine o'clock local time on both sides of a switch.

use super::calendar::WorkCalendar;
use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;

/// The due time of an occurrence: `working_days` working days after its date, at `time`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DueRule {
    pub time: NaiveTime,
    pub working_days: u32,
}

impl DueRule {
    /// The local due date and time of an occurrence on `date`.
    pub fn due_local(&self, date: NaiveDate, cal: &WorkCalendar) -> NaiveDateTime {
        let day = cal.add_working_days(date, i32::try_from(self.working_days).unwrap_or(i32::MAX));
        day.and_time(self.time)
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
    fn a_repeated_hour_takes_the_first() {
        let ny: Tz = "America/New_York".parse().unwrap();
        let local = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap().and_hms_opt(1, 30, 0).unwrap();
        assert_eq!(local_to_utc(ny, local).to_rfc3339(), "2026-11-01T05:30:00+00:00");
    }
}
