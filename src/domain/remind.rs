//! Reminder policy, and which reminders an open task is owed at a given moment.
//!
//! A task is owed, in order: a due-soon reminder shortly before its due time; an
//! overdue reminder at the due time, then a repeat on each working morning while it
//! stays overdue (at most `repeat_max`); an escalation to the lead of its position
//! after `escalate_lead_hours` working hours late, and to the 总经理 after
//! `escalate_head_hours`. Messages only go out inside the sending window on working
//! days (quiet hours are the rest): the pass that runs in quiet time decides nothing,
//! so a reminder that falls in them goes at the next working morning. After downtime
//! only the latest repeat is owed, never a burst of the ones missed.

use super::calendar::WorkCalendar;
use super::due::working_hours_between;
use chrono::{DateTime, Duration, NaiveTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// A policy as written: company defaults in `company.toml`'s `[reminders]`, and any
/// subset of the first six keys per template. Unset keys take the company's value.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicySpec {
    /// Hours before the due time for a due-soon reminder; 0 turns it off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_soon_hours: Option<f64>,
    /// Whether the assignee is told when the due time passes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overdue: Option<bool>,
    /// Repeats on working mornings while overdue; 0 turns them off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeat_max: Option<u32>,
    /// Working hours late before the position's lead is told; 0 turns it off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalate_lead_hours: Option<f64>,
    /// Working hours late before the 总经理 is told; 0 turns it off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalate_head_hours: Option<f64>,
    /// Tasks overdue for more calendar days than this are no longer chased.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub give_up_days: Option<u32>,
    /// Company only: start of the sending window on working days (HH:MM).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_from: Option<String>,
    /// Company only: end of the sending window (HH:MM).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_until: Option<String>,
    /// Company only: the last time of day at which the morning digests still go.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest_until: Option<String>,
}

/// The effective policy of one template.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Policy {
    pub due_soon: Option<Duration>,
    pub overdue: bool,
    pub repeat_max: u32,
    pub lead_after: Option<f64>,
    pub head_after: Option<f64>,
    pub give_up_days: u32,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            due_soon: Some(Duration::hours(2)),
            overdue: true,
            repeat_max: 3,
            lead_after: Some(4.0),
            head_after: Some(18.0),
            give_up_days: 14,
        }
    }
}

fn positive(h: f64) -> Option<f64> {
    (h > 0.0).then_some(h)
}

impl Policy {
    /// This policy with the keys `spec` sets replaced.
    pub fn with(&self, spec: &PolicySpec) -> Policy {
        Policy {
            due_soon: spec
                .due_soon_hours
                .map_or(self.due_soon, |h| positive(h).map(|h| Duration::minutes((h * 60.0).round() as i64))),
            overdue: spec.overdue.unwrap_or(self.overdue),
            repeat_max: spec.repeat_max.unwrap_or(self.repeat_max),
            lead_after: spec.escalate_lead_hours.map_or(self.lead_after, positive),
            head_after: spec.escalate_head_hours.map_or(self.head_after, positive),
            give_up_days: spec.give_up_days.unwrap_or(self.give_up_days),
        }
    }
}

/// When messages may go: working days, from `from` until `until`, local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub from: NaiveTime,
    pub until: NaiveTime,
    pub digest_until: NaiveTime,
}

impl Default for Window {
    fn default() -> Self {
        let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap_or(NaiveTime::MIN);
        Window { from: t(8, 30), until: t(20, 0), digest_until: t(12, 0) }
    }
}

/// A problem with a policy, at `key`.
pub type PolicyError = (String, String);

fn time(key: &str, v: &Option<String>, default: NaiveTime) -> Result<NaiveTime, PolicyError> {
    match v {
        None => Ok(default),
        Some(s) => {
            NaiveTime::parse_from_str(s, "%H:%M").map_err(|_| (key.into(), format!("`{s}` is not a time HH:MM")))
        }
    }
}

impl PolicySpec {
    /// Checks the numbers; `company` allows the window keys.
    pub fn check(&self, company: bool) -> Result<(), PolicyError> {
        for (key, v) in [
            ("due_soon_hours", self.due_soon_hours),
            ("escalate_lead_hours", self.escalate_lead_hours),
            ("escalate_head_hours", self.escalate_head_hours),
        ] {
            if let Some(h) = v {
                if !(0.0..=1000.0).contains(&h) || h.is_nan() {
                    return Err((key.into(), format!("{h} is outside 0..=1000 hours")));
                }
            }
        }
        if self.repeat_max.is_some_and(|n| n > 30) {
            return Err(("repeat_max".into(), "at most 30 repeats".into()));
        }
        if !company {
            for (key, v) in
                [("send_from", &self.send_from), ("send_until", &self.send_until), ("digest_until", &self.digest_until)]
            {
                if v.is_some() {
                    return Err((key.into(), "is set for the whole company, in company.toml".into()));
                }
            }
            return Ok(());
        }
        self.window().map(|_| ())
    }

    /// The company's sending window.
    pub fn window(&self) -> Result<Window, PolicyError> {
        let d = Window::default();
        let w = Window {
            from: time("send_from", &self.send_from, d.from)?,
            until: time("send_until", &self.send_until, d.until)?,
            digest_until: time("digest_until", &self.digest_until, d.digest_until)?,
        };
        if w.from >= w.until {
            return Err(("send_until".into(), "must be later than send_from".into()));
        }
        Ok(w)
    }
}

impl Window {
    /// Whether a message may go at `now`.
    pub fn allows(&self, cal: &WorkCalendar, tz: Tz, now: DateTime<Utc>) -> bool {
        let local = now.with_timezone(&tz).naive_local();
        cal.is_working_day(local.date()) && self.from <= local.time() && local.time() < self.until
    }

    /// Whether the morning digests may go at `now`.
    pub fn digest_time(&self, cal: &WorkCalendar, tz: Tz, now: DateTime<Utc>) -> bool {
        self.allows(cal, tz, now) && now.with_timezone(&tz).time() < self.digest_until
    }
}

/// What a reminder is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    DueSoon,
    Overdue,
    Repeat,
    Escalation,
    Digest,
    LeadDigest,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::DueSoon => "due_soon",
            Kind::Overdue => "overdue",
            Kind::Repeat => "repeat",
            Kind::Escalation => "escalation",
            Kind::Digest => "digest",
            Kind::LeadDigest => "lead_digest",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        [Kind::DueSoon, Kind::Overdue, Kind::Repeat, Kind::Escalation, Kind::Digest, Kind::LeadDigest]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// Who a reminder is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Assignee,
    /// The lead of the task's position.
    Lead,
    /// The 总经理.
    Head,
}

/// One reminder a task is owed now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Owed {
    pub kind: Kind,
    /// 0 for due-soon and overdue, the repeat's number, or 1 (lead) / 2 (head).
    pub level: i32,
    pub audience: Audience,
}

/// A task is overdue from a whole minute after its due time: at the due minute
/// itself nobody is told "1 minute overdue".
pub fn is_overdue(late: chrono::Duration) -> bool {
    late >= chrono::Duration::minutes(1)
}

/// The reminders an open task due at `due_at` is owed at `now` (inside the window).
pub fn owed(policy: &Policy, cal: &WorkCalendar, tz: Tz, due_at: DateTime<Utc>, now: DateTime<Utc>) -> Vec<Owed> {
    let mut out = Vec::new();
    if !is_overdue(now - due_at) {
        if now < due_at && policy.due_soon.is_some_and(|lead| now >= due_at - lead) {
            out.push(Owed { kind: Kind::DueSoon, level: 0, audience: Audience::Assignee });
        }
        return out;
    }
    let (due_day, today) = (due_at.with_timezone(&tz).date_naive(), now.with_timezone(&tz).date_naive());
    if (today - due_day).num_days() > i64::from(policy.give_up_days) {
        return out;
    }
    // Working mornings since the due day, today included (the window has opened).
    let mornings = cal.working_days_between(due_day, today);
    let level = mornings.min(policy.repeat_max);
    if level > 0 {
        out.push(Owed { kind: Kind::Repeat, level: level as i32, audience: Audience::Assignee });
    } else if policy.overdue {
        out.push(Owed { kind: Kind::Overdue, level: 0, audience: Audience::Assignee });
    }
    let late = working_hours_between(cal, tz, due_at, now);
    if policy.lead_after.is_some_and(|h| late >= h) {
        out.push(Owed { kind: Kind::Escalation, level: 1, audience: Audience::Lead });
    }
    if policy.head_after.is_some_and(|h| late >= h) {
        out.push(Owed { kind: Kind::Escalation, level: 2, audience: Audience::Head });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn local(s: &str) -> DateTime<Utc> {
        let naive = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        chrono_tz::Asia::Shanghai.from_local_datetime(&naive).unwrap().with_timezone(&Utc)
    }

    fn cal() -> WorkCalendar {
        WorkCalendar::new(vec![], vec![2026])
    }

    #[test]
    fn after_downtime_only_the_latest_repeat_is_owed() {
        let (p, due) = (Policy::default(), local("2026-11-30 18:00"));
        let tz = chrono_tz::Asia::Shanghai;
        // Thursday morning, three working mornings later: repeat 3 only, not 1 and 2.
        let o = owed(&p, &cal(), tz, due, local("2026-12-03 09:00"));
        assert_eq!(o[0], Owed { kind: Kind::Repeat, level: 3, audience: Audience::Assignee });
        // Later still, the repeat stays at its maximum (so it is never sent again).
        assert_eq!(owed(&p, &cal(), tz, due, local("2026-12-08 09:00"))[0].level, 3);
        // Two weeks and more: given up.
        assert!(owed(&p, &cal(), tz, due, local("2026-12-15 09:00")).is_empty());
    }

    #[test]
    fn overdue_starts_a_whole_minute_after_the_due_time() {
        let (p, due) = (Policy::default(), local("2026-11-30 18:00"));
        let tz = chrono_tz::Asia::Shanghai;
        assert!(owed(&p, &cal(), tz, due, due).is_empty(), "at the due minute: neither soon nor overdue");
        assert!(owed(&p, &cal(), tz, due, due + chrono::Duration::seconds(59)).is_empty());
        let late = owed(&p, &cal(), tz, due, local("2026-11-30 18:01"));
        assert_eq!(late[0].kind, Kind::Overdue);
    }

    #[test]
    fn policies_merge_and_zero_turns_a_step_off() {
        let spec = PolicySpec { due_soon_hours: Some(0.0), escalate_head_hours: Some(0.0), ..PolicySpec::default() };
        let p = Policy::default().with(&spec);
        assert_eq!((p.due_soon, p.head_after, p.lead_after), (None, None, Some(4.0)));
        let bad = PolicySpec { send_from: Some("21:00".into()), ..PolicySpec::default() };
        assert!(bad.check(true).is_err(), "the window must open before it closes");
        assert!(bad.check(false).is_err(), "templates cannot set the window");
    }
}
