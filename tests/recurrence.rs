//! Recurrence on the real 2026 calendar: the cases of the foundation issue.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{NaiveDate, NaiveTime, Weekday};
use chrono_tz::Tz;
use common::day;
use dutyday::domain::calendar::{parse_tsv, WorkCalendar};
use dutyday::domain::due::DueRule;
use dutyday::domain::recurrence::{Recurrence, Schedule, Shift};

fn cn2026() -> WorkCalendar {
    let text = std::fs::read_to_string(common::config_dir().join("calendars/cn-2026.tsv")).unwrap();
    WorkCalendar::from_days(parse_tsv(&text).unwrap())
}

fn dates(s: &Schedule, from: &str, to: &str, cal: &WorkCalendar) -> Vec<String> {
    s.occurrences(day(from), day(to), cal).iter().map(NaiveDate::to_string).collect()
}

fn keep(recurrence: Recurrence) -> Schedule {
    Schedule { recurrence, shift: Shift::Keep }
}

#[test]
fn month_end_clamps_over_a_whole_year_without_drifting() {
    let got = dates(&keep(Recurrence::MonthlyDay { day: 31 }), "2026-01-01", "2026-12-31", &cn2026());
    assert_eq!(
        got,
        [
            "2026-01-31",
            "2026-02-28",
            "2026-03-31",
            "2026-04-30",
            "2026-05-31",
            "2026-06-30",
            "2026-07-31",
            "2026-08-31",
            "2026-09-30",
            "2026-10-31",
            "2026-11-30",
            "2026-12-31"
        ]
    );
}

#[test]
fn second_tuesday_and_last_friday() {
    let cal = cn2026();
    let tue2 = keep(Recurrence::MonthlyNthWeekday { nth: 2, weekday: Weekday::Tue });
    assert_eq!(
        dates(&tue2, "2026-01-01", "2026-04-30", &cal),
        ["2026-01-13", "2026-02-10", "2026-03-10", "2026-04-14"]
    );
    let last_fri = keep(Recurrence::MonthlyNthWeekday { nth: -1, weekday: Weekday::Fri });
    assert_eq!(
        dates(&last_fri, "2026-07-01", "2026-10-31", &cal),
        ["2026-07-31", "2026-08-28", "2026-09-25", "2026-10-30"]
    );
}

#[test]
fn last_working_day_of_september_and_october_2026() {
    let s = keep(Recurrence::MonthlyWorkingDay { nth: -1 });
    // September ends on a Wednesday that is a working day (the holiday starts 10-01);
    // October's last working day is Friday 10-30. The make-up Saturday 10-10 counts as
    // a working day of October without changing its end.
    assert_eq!(dates(&s, "2026-09-01", "2026-10-31", &cn2026()), ["2026-09-30", "2026-10-30"]);
    let first = keep(Recurrence::MonthlyWorkingDay { nth: 1 });
    assert_eq!(dates(&first, "2026-10-01", "2026-10-31", &cn2026()), ["2026-10-08"]);
    let fifth = keep(Recurrence::MonthlyWorkingDay { nth: 3 });
    assert_eq!(dates(&fifth, "2026-10-01", "2026-10-31", &cn2026()), ["2026-10-10"]);
}

#[test]
fn every_working_day_across_the_2026_spring_festival() {
    let s = keep(Recurrence::WorkingDays);
    assert_eq!(
        dates(&s, "2026-02-09", "2026-03-03", &cn2026()),
        [
            "2026-02-09",
            "2026-02-10",
            "2026-02-11",
            "2026-02-12",
            "2026-02-13",
            "2026-02-14", // make-up Saturday
            "2026-02-24",
            "2026-02-25",
            "2026-02-26",
            "2026-02-27",
            "2026-02-28", // make-up Saturday
            "2026-03-02",
            "2026-03-03"
        ]
    );
}

#[test]
fn a_weekly_friday_duty_shifts_to_the_previous_working_day() {
    let s = Schedule {
        recurrence: Recurrence::Weekly { weekdays: vec![Weekday::Fri], interval: 1, anchor: day("2026-01-05") },
        shift: Shift::Previous,
    };
    let cal = cn2026();
    // Fri 02-20 (春节) → the make-up Saturday 02-14; Fri 09-25 (中秋) → Thu 09-24;
    // Fri 10-02 (国庆) → Wed 09-30.
    assert_eq!(dates(&s, "2026-02-09", "2026-02-27", &cal), ["2026-02-13", "2026-02-14", "2026-02-27"]);
    assert_eq!(dates(&s, "2026-09-21", "2026-10-16", &cal), ["2026-09-24", "2026-09-30", "2026-10-09", "2026-10-16"]);
    let next = Schedule { shift: Shift::Next, ..s.clone() };
    assert_eq!(
        dates(&next, "2026-09-21", "2026-10-16", &cal),
        ["2026-09-28", "2026-10-08", "2026-10-09", "2026-10-16"]
    );
    let skip = Schedule { shift: Shift::Skip, ..s };
    assert_eq!(dates(&skip, "2026-09-21", "2026-10-16", &cal), ["2026-10-09", "2026-10-16"]);
}

#[test]
fn a_daily_0900_duty_in_new_york_keeps_its_wall_clock_across_both_2026_switches() {
    let ny: Tz = "America/New_York".parse().unwrap();
    let cal = WorkCalendar::new(vec![], vec![2026]);
    let due = DueRule::working_days(NaiveTime::from_hms_opt(9, 0, 0).unwrap(), 0);
    let s = keep(Recurrence::Daily);
    let instants = |from: &str, to: &str| -> Vec<String> {
        s.occurrences(day(from), day(to), &cal).into_iter().map(|d| due.due_at(d, &cal, ny).to_rfc3339()).collect()
    };
    // Clocks go forward on Sunday 03-08 and back on Sunday 11-01.
    assert_eq!(
        instants("2026-03-07", "2026-03-09"),
        ["2026-03-07T14:00:00+00:00", "2026-03-08T13:00:00+00:00", "2026-03-09T13:00:00+00:00"]
    );
    assert_eq!(
        instants("2026-10-31", "2026-11-02"),
        ["2026-10-31T13:00:00+00:00", "2026-11-01T14:00:00+00:00", "2026-11-02T14:00:00+00:00"]
    );
    let local: Vec<String> = s
        .occurrences(day("2026-03-01"), day("2026-11-30"), &cal)
        .into_iter()
        .map(|d| due.due_at(d, &cal, ny).with_timezone(&ny).format("%H:%M").to_string())
        .collect();
    assert!(local.iter().all(|t| t == "09:00"), "every day at 09:00 local");
}

#[test]
fn due_within_working_days_skips_the_national_day_week() {
    let cal = cn2026();
    let due = DueRule::working_days(NaiveTime::from_hms_opt(18, 0, 0).unwrap(), 3);
    let sh: Tz = "Asia/Shanghai".parse().unwrap();
    // Three working days after Tue 09-29: 09-30, 10-08, 10-09.
    assert_eq!(due.due_at(day("2026-09-29"), &cal, sh).with_timezone(&sh).to_rfc3339(), "2026-10-09T18:00:00+08:00");
}

#[test]
fn a_fire_drill_on_the_second_wednesday_of_each_quarter() {
    let drill = keep(Recurrence::QuarterlyNthWeekday { month: 1, nth: 2, weekday: Weekday::Wed });
    assert_eq!(
        dates(&drill, "2026-01-01", "2026-12-31", &cn2026()),
        ["2026-01-14", "2026-04-08", "2026-07-08", "2026-10-14"]
    );
    // The last Friday of each quarter's last month.
    let close = keep(Recurrence::QuarterlyNthWeekday { month: 3, nth: -1, weekday: Weekday::Fri });
    assert_eq!(
        dates(&close, "2026-01-01", "2026-12-31", &cn2026()),
        ["2026-03-27", "2026-06-26", "2026-09-25", "2026-12-25"]
    );
}

#[test]
fn due_in_calendar_days_or_hours_counts_weekends_and_holidays() {
    use dutyday::domain::due::DueAfter;
    let cal = cn2026();
    let sh: Tz = "Asia/Shanghai".parse().unwrap();
    let at = |h: u32| NaiveTime::from_hms_opt(h, 0, 0).unwrap();
    let local = |rule: DueRule, d: &str| rule.due_at(day(d), &cal, sh).with_timezone(&sh).to_rfc3339();
    // A store incident on Saturday 10-03 (National Day week): a calendar day later, not the
    // 10-08 that the office's working days give.
    assert_eq!(local(DueRule { time: at(23), after: DueAfter::Days(1) }, "2026-10-03"), "2026-10-04T23:00:00+08:00");
    assert_eq!(local(DueRule::working_days(at(23), 1), "2026-10-03"), "2026-10-08T23:00:00+08:00");
    // Within 4 hours of 20:00 runs past midnight.
    assert_eq!(local(DueRule { time: at(20), after: DueAfter::Hours(4) }, "2026-10-03"), "2026-10-04T00:00:00+08:00");
}

/// An RFC 5545 RRULE as the escape hatch: the fire drill again as a rule, a yearly
/// 1 October moved past the National Day week by the shift, and what is refused.
#[test]
fn rrule_dates_with_the_work_calendars_shift() {
    use dutyday::domain::template::TemplateSpec;
    let spec = |schedule: &str, shift: &str| -> Result<dutyday::domain::template::Template, String> {
        let text = format!(
            "id = \"t\"\nduty = \"d\"\nzh = \"t\"\nen = \"t\"\nschedule = {schedule}\nshift = \"{shift}\"\ndue = {{ time = \"10:00\" }}\ncompletion = \"tick\"\n"
        );
        let spec: TemplateSpec = toml::from_str(&text).map_err(|e| e.to_string())?;
        spec.parse("p", &[]).map_err(|e| format!("{}: {}", e.key, e.message))
    };
    let schedule = |t: dutyday::domain::template::Template| match t.plan {
        dutyday::domain::template::Plan::Schedule(s) => s,
        _ => panic!("a schedule"),
    };
    let drill =
        schedule(spec(r#"{ every = "rrule", rule = "FREQ=MONTHLY;BYMONTH=1,4,7,10;BYDAY=2WE" }"#, "next").unwrap());
    assert_eq!(
        dates(&drill, "2026-01-01", "2026-12-31", &cn2026()),
        ["2026-01-14", "2026-04-08", "2026-07-08", "2026-10-14"]
    );
    let oct = schedule(spec(r#"{ every = "rrule", rule = "FREQ=YEARLY;BYMONTH=10;BYMONTHDAY=1" }"#, "next").unwrap());
    assert_eq!(dates(&oct, "2026-01-01", "2026-12-31", &cn2026()), ["2026-10-08"], "shifted past the holiday");
    // Every second week from an anchor: its phase is the anchor's.
    let fortnight =
        spec(r#"{ every = "rrule", rule = "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO", anchor = "2026-11-30" }"#, "keep");
    assert_eq!(
        dates(&schedule(fortnight.unwrap()), "2026-12-01", "2026-12-31", &cn2026()),
        ["2026-12-14", "2026-12-28"]
    );
    for (bad, key) in [
        (r#"{ every = "rrule", rule = "FREQ=HOURLY" }"#, "schedule.rule"),
        (r#"{ every = "rrule", rule = "FREQ=SOMETIMES" }"#, "schedule.rule"),
        (r#"{ every = "rrule" }"#, "schedule.rule"),
        (r#"{ every = "rrule", rule = "FREQ=DAILY", day = 3 }"#, "schedule.day"),
        (r#"{ every = "month", day = 3, rule = "FREQ=DAILY" }"#, "schedule.rule"),
    ] {
        let e = spec(bad, "keep").unwrap_err();
        assert!(e.starts_with(key), "{bad}: {e}");
    }
}
