//! Task templates: the catalogue's description of how a duty becomes tasks.
//!
//! [`TemplateSpec`] is the written form (TOML in `config/company/templates.toml`,
//! JSON in the database); [`TemplateSpec::parse`] turns it into a [`Template`] whose
//! schedule and due rule are typed, reporting the first problem with the key it is at.

use super::due::{DueAfter, DueRule};
use super::festival::Festival;
use super::recurrence::{Schedule, Shift};
use super::remind::PolicySpec;
use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

/// Whether every holder gets a task or the position gets one that any holder may complete.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AssignMode {
    #[default]
    Each,
    Shared,
}

/// Whose task an occurrence is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AssignTo {
    /// The holders of the template's position.
    #[default]
    Position,
    /// The lead of the event's subject (the new hire's lead, say).
    SubjectLead,
}

/// What generation does with occurrences that fell due while it was not running.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CompletionMode {
    Tick,
    Note,
    Signoff,
    Figures,
}

/// The type of a figure a completion records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FigureType {
    Integer,
    Decimal,
    Text,
    Bool,
}

/// One figure a report asks for, such as parcels shipped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
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
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
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
    /// With `every = "rrule"`: an RFC 5545 RRULE (`FREQ=MONTHLY;BYDAY=2WE`), counted
    /// from `anchor` (default 2024-01-01); the work calendar's shift applies to its dates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// Several times a day ("08:00", "15:00"): one task at each, due at that time (or
    /// `due.hours` after it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<Vec<String>>,
}

/// An event trigger as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TriggerSpec {
    pub event: String,
    #[serde(default)]
    pub offset_working_days: i32,
}

/// A due rule as written: `{ time = "18:00", working_days = 3 }`, or N calendar
/// `days` after the date at `time`, or N `hours` after the date's `time`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DueSpec {
    /// Required, except with `schedule.at` (each time is then its own due time).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub time: String,
    #[serde(default)]
    pub working_days: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<u32>,
}

/// A template as written in the catalogue and stored in the database.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
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
    #[serde(default)]
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
    /// What to do, in the words of whoever assigned a one-off task.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

mod schedule;
use schedule::parse_schedule;

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
    /// The times of day of its occurrences when it has several (`schedule.at`), sorted.
    pub times: Vec<NaiveTime>,
    /// Paused by an admin: it makes no tasks until resumed.
    pub paused: bool,
    /// Which version of the template this is (1 for the first).
    pub version: i32,
    /// The first date this version makes tasks for (none: since always).
    pub from: Option<NaiveDate>,
    /// The date from which it makes nothing, when a later version or retirement
    /// took over (none: open-ended).
    pub until: Option<NaiveDate>,
}

impl Template {
    /// Whether this version makes the occurrences of `date`.
    pub fn in_force(&self, date: NaiveDate) -> bool {
        self.from.is_none_or(|f| f <= date) && self.until.is_none_or(|u| date < u)
    }

    /// `start..=end` narrowed to the dates this version is in force, if any are left.
    pub fn clamp(&self, start: NaiveDate, end: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
        let start = self.from.map_or(start, |f| start.max(f));
        let end = match self.until.and_then(|u| u.pred_opt()) {
            Some(last) => end.min(last),
            None => end,
        };
        (start <= end).then_some((start, end))
    }

    /// The occurrences on `date`: each one's key and due rule. One a day, keyed by the
    /// date, or one per `schedule.at` time, keyed `date HH:MM` and due at that time.
    pub fn occurrences_on(&self, date: NaiveDate) -> Vec<(String, DueRule)> {
        if self.times.is_empty() {
            return vec![(date.to_string(), self.due)];
        }
        self.times.iter().map(|t| (format!("{date} {}", t.format("%H:%M")), DueRule { time: *t, ..self.due })).collect()
    }
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
        let times = times_of_day(self.schedule.as_ref().and_then(|s| s.at.as_ref()))?;
        let time = match (times.first(), self.due.time.as_str()) {
            (Some(first), "") => *first,
            (Some(_), _) => {
                return err("due.time", "with `schedule.at` each time is its own due time; leave out `due.time`")
            }
            (None, "") => return err("due.time", "missing: give `time = \"HH:MM\"`"),
            (None, t) => NaiveTime::parse_from_str(t, "%H:%M")
                .or_else(|_| err("due.time", format!("`{t}` is not a time of day (HH:MM)")))?,
        };
        if !times.is_empty() && (self.due.working_days > 0 || self.due.days.is_some()) {
            return err("due", "with `schedule.at` a task is due at its time, or `hours` after it");
        }
        if self.due.working_days > 250 {
            return err("due.working_days", "must be at most 250");
        }
        let after = match (self.due.working_days, self.due.days, self.due.hours) {
            (n, None, None) => DueAfter::WorkingDays(n),
            (0, Some(d), None) if d <= 366 => DueAfter::Days(d),
            (0, Some(_), None) => return err("due.days", "must be at most 366"),
            (0, None, Some(h)) if (1..=720).contains(&h) => DueAfter::Hours(h),
            (0, None, Some(_)) => return err("due.hours", "must be 1..=720"),
            _ => return err("due", "give one of `working_days`, `days` (calendar days) or `hours`"),
        };
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
            due: DueRule { time, after },
            times,
            paused: false,
            version: 1,
            from: None,
            until: None,
        })
    }
}

/// The sorted times of `schedule.at`: 1 to 24 distinct HH:MM.
fn times_of_day(at: Option<&Vec<String>>) -> Result<Vec<NaiveTime>, SpecError> {
    let Some(list) = at else { return Ok(Vec::new()) };
    let mut out = Vec::new();
    for t in list {
        let parsed = NaiveTime::parse_from_str(t, "%H:%M")
            .or_else(|_| err("schedule.at", format!("`{t}` is not a time of day (HH:MM)")))?;
        if out.contains(&parsed) {
            return err("schedule.at", format!("`{t}` is listed twice"));
        }
        out.push(parsed);
    }
    if out.is_empty() || out.len() > 24 {
        return err("schedule.at", "give 1 to 24 times of day");
    }
    out.sort();
    Ok(out)
}

/// Whether `s` is a lowercase identifier: event names and figure keys.
pub fn valid_name(s: &str) -> bool {
    !s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}
