//! Task templates: the catalogue's description of how a duty becomes tasks.
//!
//! [`TemplateSpec`] is the written form (TOML in `config/company/templates.toml`,
//! JSON in the database); [`TemplateSpec::parse`] turns it into a [`Template`] whose
//! schedule and due rule are typed, reporting the first problem with the key it is at.

use super::due::DueRule;
use super::festival::Festival;
use super::recurrence::{Recurrence, Schedule, Shift};
use super::remind::PolicySpec;
use chrono::{NaiveDate, NaiveTime, Weekday};
use serde::{Deserialize, Serialize};

/// Whether every holder gets a task or the position gets one that any holder may complete.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssignMode {
    #[default]
    Each,
    Shared,
}

/// Whose task an occurrence is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssignTo {
    /// The holders of the template's position.
    #[default]
    Position,
    /// The lead of the event's subject (the new hire's lead, say).
    SubjectLead,
}

/// What generation does with occurrences that fell due while it was not running.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CatchUp {
    /// Create every missed occurrence; those already past due are marked `missed`.
    #[default]
    All,
    /// Create only the latest past-due occurrence, open, so it still gets done.
    Latest,
    /// Create none of them.
    None,
}

/// What completing a task asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CompletionMode {
    Tick,
    Note,
    Signoff,
    Figures,
}

/// The type of a figure a completion records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FigureType {
    Integer,
    Decimal,
    Text,
    Bool,
}

/// One figure a report asks for, such as parcels shipped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FigureSpec {
    pub key: String,
    #[serde(rename = "type")]
    pub kind: FigureType,
    pub zh: String,
    pub en: String,
    #[serde(default = "yes")]
    pub required: bool,
}

/// A schedule as written; exactly one shape of `every` is valid per template.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleSpec {
    pub every: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weekdays: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anchor: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub day: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nth: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weekday: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub working_day: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub month: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub festivals: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset_working_days: Option<i32>,
}

/// An event trigger as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TriggerSpec {
    pub event: String,
    #[serde(default)]
    pub offset_working_days: i32,
}

/// A due rule as written: `{ time = "18:00", working_days = 3 }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DueSpec {
    pub time: String,
    #[serde(default)]
    pub working_days: u32,
}

/// A template as written in the catalogue and stored in the database.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateSpec {
    pub id: String,
    pub duty: String,
    pub zh: String,
    pub en: String,
    /// Defaults to the duty's position.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<ScheduleSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trigger: Option<TriggerSpec>,
    #[serde(default)]
    pub shift: Shift,
    pub due: DueSpec,
    #[serde(default)]
    pub assign: AssignMode,
    #[serde(default)]
    pub assign_to: AssignTo,
    #[serde(default)]
    pub catch_up: CatchUp,
    pub completion: CompletionMode,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub figures: Vec<FigureSpec>,
    /// This template's reminders, where they differ from the company's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reminders: Option<PolicySpec>,
}

fn yes() -> bool {
    true
}

/// What starts an occurrence of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// Dates from a calendar schedule (festival schedules included).
    Schedule(Schedule),
    /// A named event fired by a person or a program, `offset_working_days` after its date.
    Trigger { event: String, offset_working_days: i32 },
}

/// A validated template, ready for generation.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    pub spec: TemplateSpec,
    /// The position whose holders do it.
    pub position: String,
    pub plan: Plan,
    pub due: DueRule,
}

/// A problem in a template, at `key` relative to the template (e.g. `schedule.day`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    pub key: String,
    pub message: String,
}

fn err<T>(key: &str, message: impl Into<String>) -> Result<T, SpecError> {
    Err(SpecError { key: key.to_string(), message: message.into() })
}

impl TemplateSpec {
    /// Checks the template against the duty's position and the known festivals.
    pub fn parse(&self, duty_position: &str, festivals: &[Festival]) -> Result<Template, SpecError> {
        let plan = match (&self.schedule, &self.trigger) {
            (Some(s), None) => {
                Plan::Schedule(Schedule { recurrence: parse_schedule(s, festivals)?, shift: self.shift })
            }
            (None, Some(t)) if valid_name(&t.event) => {
                Plan::Trigger { event: t.event.clone(), offset_working_days: t.offset_working_days }
            }
            (None, Some(t)) => {
                return err("trigger.event", format!("`{}` is not an event name (a-z, 0-9, _)", t.event))
            }
            (Some(_), Some(_)) => return err("schedule", "a template has a schedule or a trigger, not both"),
            (None, None) => return err("schedule", "a template needs a schedule or a trigger"),
        };
        let time = NaiveTime::parse_from_str(&self.due.time, "%H:%M")
            .or_else(|_| err("due.time", format!("`{}` is not a time of day (HH:MM)", self.due.time)))?;
        if self.due.working_days > 250 {
            return err("due.working_days", "must be at most 250");
        }
        if self.assign_to == AssignTo::SubjectLead && !matches!(plan, Plan::Trigger { .. }) {
            return err("assign_to", "`subject_lead` needs an event trigger");
        }
        let mut keys = std::collections::BTreeSet::new();
        for (i, f) in self.figures.iter().enumerate() {
            if !valid_name(&f.key) || !keys.insert(f.key.as_str()) {
                return err(&format!("figures[{i}].key"), format!("`{}` is empty, not a-z/0-9/_ or used twice", f.key));
            }
        }
        match (self.completion, self.figures.is_empty()) {
            (CompletionMode::Figures, true) => return err("figures", "completion `figures` needs at least one figure"),
            (CompletionMode::Figures, false) | (_, true) => {}
            (_, false) => return err("figures", "figures are only asked for with completion = \"figures\""),
        }
        if let Some(r) = &self.reminders {
            r.check(false).map_err(|(k, m)| SpecError { key: format!("reminders.{k}"), message: m })?;
        }
        Ok(Template {
            spec: self.clone(),
            position: self.position.clone().unwrap_or_else(|| duty_position.to_string()),
            plan,
            due: DueRule { time, working_days: self.due.working_days },
        })
    }
}

/// Whether `s` is a lowercase identifier: event names and figure keys.
pub fn valid_name(s: &str) -> bool {
    !s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn parse_weekday(key: &str, s: &str) -> Result<Weekday, SpecError> {
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

fn parse_schedule(s: &ScheduleSpec, festivals: &[Festival]) -> Result<Recurrence, SpecError> {
    let every = s.every.as_str();
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
        "quarter" => Recurrence::Quarterly {
            month: check_range(need(s.month, "month", every)?, 1, 3, "month")?,
            day: check_range(need(s.day, "day", every)?, 1, 31, "day")?,
        },
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
        other => {
            return err(
                "schedule.every",
                format!("unknown cadence `{other}` (day, working_day, week, month, quarter, year, festival)"),
            )
        }
    })
}
