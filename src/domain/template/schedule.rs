//! Schedules as written, checked: each cadence's keys, ranges and shapes.

use super::{err, ScheduleSpec, SpecError};
use crate::domain::festival::Festival;
use crate::domain::recurrence::Recurrence;
use chrono::{NaiveDate, Weekday};

pub(super) fn parse_weekday(key: &str, s: &str) -> Result<Weekday, SpecError> {
    s.parse::<Weekday>().or_else(|_| err(key, format!("`{s}` is not a weekday (mon … sun)")))
}

fn need<T: Copy>(v: Option<T>, key: &str, every: &str) -> Result<T, SpecError> {
    v.map_or_else(|| err(&format!("schedule.{key}"), format!("`every = \"{every}\"` needs `{key}`")), Ok)
}

fn check_range(v: u32, lo: u32, hi: u32, key: &str) -> Result<u32, SpecError> {
    if (lo..=hi).contains(&v) {
        Ok(v)
    } else {
        err(&format!("schedule.{key}"), format!("{v} is outside {lo}..={hi}"))
    }
}

/// The keys each cadence reads; any other key given is refused, not ignored.
fn keys_apply(s: &ScheduleSpec) -> Result<(), SpecError> {
    let given = [
        ("weekdays", s.weekdays.is_some()),
        ("interval", s.interval.is_some()),
        ("anchor", s.anchor.is_some()),
        ("day", s.day.is_some()),
        ("nth", s.nth.is_some()),
        ("weekday", s.weekday.is_some()),
        ("working_day", s.working_day.is_some()),
        ("month", s.month.is_some()),
        ("festivals", s.festivals.is_some()),
        ("offset_working_days", s.offset_working_days.is_some()),
        ("rule", s.rule.is_some()),
    ];
    let allowed: &[&str] = match s.every.as_str() {
        "week" => &["weekdays", "interval", "anchor"],
        "month" => &["day", "nth", "weekday", "working_day"],
        "quarter" => &["month", "day", "nth", "weekday"],
        "year" => &["month", "day"],
        "festival" => &["festivals", "offset_working_days"],
        "rrule" => &["rule", "anchor"],
        _ => &[],
    };
    if s.weekday.is_some() && s.nth.is_none() && allowed.contains(&"nth") {
        return err("schedule.weekday", "`weekday` needs `nth` (which one of the month)");
    }
    match given.iter().find(|(k, set)| *set && !allowed.contains(k)) {
        Some((k, _)) => err(&format!("schedule.{k}"), format!("`{k}` does not apply to `every = \"{}\"`", s.every)),
        None => Ok(()),
    }
}

pub(super) fn parse_schedule(s: &ScheduleSpec, festivals: &[Festival]) -> Result<Recurrence, SpecError> {
    let every = s.every.as_str();
    if matches!(every, "day" | "working_day" | "week" | "month" | "quarter" | "year" | "festival" | "rrule") {
        keys_apply(s)?;
    }
    Ok(match every {
        "day" => Recurrence::Daily,
        "working_day" => Recurrence::WorkingDays,
        "week" => {
            let names = s.weekdays.clone().unwrap_or_default();
            if names.is_empty() {
                return err("schedule.weekdays", "`every = \"week\"` needs at least one weekday");
            }
            let weekdays =
                names.iter().map(|w| parse_weekday("schedule.weekdays", w)).collect::<Result<Vec<_>, _>>()?;
            let interval = check_range(s.interval.unwrap_or(1), 1, 52, "interval")?;
            let anchor = match &s.anchor {
                Some(a) => NaiveDate::parse_from_str(a, "%Y-%m-%d")
                    .or_else(|_| err("schedule.anchor", format!("`{a}` is not a date (YYYY-MM-DD)")))?,
                None if interval > 1 => return err("schedule.anchor", "every N weeks needs an `anchor` date"),
                None => NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default(),
            };
            Recurrence::Weekly { weekdays, interval, anchor }
        }
        "month" => match (s.day, s.nth, s.working_day) {
            (Some(day), None, None) => Recurrence::MonthlyDay { day: check_range(day, 1, 31, "day")? },
            (None, Some(nth), None) if (1..=5).contains(&nth) || nth == -1 => {
                let wd = s.weekday.as_deref().map_or_else(|| err("schedule.weekday", "`nth` needs a `weekday`"), Ok)?;
                Recurrence::MonthlyNthWeekday { nth, weekday: parse_weekday("schedule.weekday", wd)? }
            }
            (None, Some(nth), None) => return err("schedule.nth", format!("{nth} is not 1..=5 or -1 (last)")),
            (None, None, Some(n)) if n != 0 && (-23..=23).contains(&n) => Recurrence::MonthlyWorkingDay { nth: n },
            (None, None, Some(n)) => return err("schedule.working_day", format!("{n} is not 1..=23 or -1..=-23")),
            _ => {
                return err(
                    "schedule",
                    "`every = \"month\"` needs exactly one of `day`, `nth` + `weekday`, `working_day`",
                )
            }
        },
        "quarter" => {
            let month = check_range(need(s.month, "month", every)?, 1, 3, "month")?;
            match (s.day, s.nth) {
                (Some(day), None) => Recurrence::Quarterly { month, day: check_range(day, 1, 31, "day")? },
                (None, Some(nth)) if (1..=5).contains(&nth) || nth == -1 => {
                    let wd =
                        s.weekday.as_deref().map_or_else(|| err("schedule.weekday", "`nth` needs a `weekday`"), Ok)?;
                    Recurrence::QuarterlyNthWeekday { month, nth, weekday: parse_weekday("schedule.weekday", wd)? }
                }
                (None, Some(nth)) => return err("schedule.nth", format!("{nth} is not 1..=5 or -1 (last)")),
                _ => return err("schedule", "`every = \"quarter\"` needs `month` and one of `day`, `nth` + `weekday`"),
            }
        }
        "year" => Recurrence::Yearly {
            month: check_range(need(s.month, "month", every)?, 1, 12, "month")?,
            day: check_range(need(s.day, "day", every)?, 1, 31, "day")?,
        },
        "festival" => {
            let ids = s.festivals.clone().unwrap_or_default();
            if ids.is_empty() {
                return err("schedule.festivals", "`every = \"festival\"` needs at least one festival");
            }
            let mut picked = Vec::new();
            for id in &ids {
                match festivals.iter().find(|f| &f.id == id) {
                    Some(f) => picked.push(f.clone()),
                    None => return err("schedule.festivals", format!("unknown festival `{id}`")),
                }
            }
            Recurrence::Festival { festivals: picked, offset_working_days: s.offset_working_days.unwrap_or(0) }
        }
        "rrule" => {
            let rule = need(s.rule.as_deref(), "rule", every)?.trim().to_string();
            let anchor = match &s.anchor {
                Some(a) => NaiveDate::parse_from_str(a, "%Y-%m-%d")
                    .or_else(|_| err("schedule.anchor", format!("`{a}` is not a date (YYYY-MM-DD)")))?,
                None => NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default(),
            };
            let rec = crate::domain::recurrence::RuleDates { rule, anchor };
            rec.check().or_else(|m| err("schedule.rule", m))?;
            Recurrence::Rule(rec)
        }
        other => {
            return err(
                "schedule.every",
                format!("unknown cadence `{other}` (day, working_day, week, month, quarter, year, festival, rrule)"),
            )
        }
    })
}
