//! Leave as it is asked for and answered.
//!
//! A person asks for leave (`requested`); a lead of one of their departments, HR or an
//! admin approves or declines it; the person may cancel it while it is asked for or
//! approved. Only approved leave counts: a whole-day leave hands the person's tasks in
//! its range to a cover. Half a day (morning or afternoon of one day) is recorded and
//! shown, and the person keeps that day's tasks.

use serde::Serialize;

/// Where a leave stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LeaveStatus {
    Requested,
    Approved,
    Declined,
    Cancelled,
}

impl LeaveStatus {
    /// The spelling stored in the database (and the JSON value).
    pub fn as_str(self) -> &'static str {
        match self {
            LeaveStatus::Requested => "requested",
            LeaveStatus::Approved => "approved",
            LeaveStatus::Declined => "declined",
            LeaveStatus::Cancelled => "cancelled",
        }
    }

    /// Parses the spelling of [`LeaveStatus::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "requested" => Some(LeaveStatus::Requested),
            "approved" => Some(LeaveStatus::Approved),
            "declined" => Some(LeaveStatus::Declined),
            "cancelled" => Some(LeaveStatus::Cancelled),
            _ => None,
        }
    }

    /// Whether it still stands (asked for or approved), so that another leave may not
    /// overlap it.
    pub fn standing(self) -> bool {
        matches!(self, LeaveStatus::Requested | LeaveStatus::Approved)
    }

    /// The translation key of its name.
    pub fn key(self) -> &'static str {
        match self {
            LeaveStatus::Requested => "leave_requested",
            LeaveStatus::Approved => "leave_approved",
            LeaveStatus::Declined => "leave_declined",
            LeaveStatus::Cancelled => "leave_cancelled",
        }
    }
}

/// Which half of a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HalfDay {
    Am,
    Pm,
}

impl HalfDay {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            HalfDay::Am => "am",
            HalfDay::Pm => "pm",
        }
    }

    /// Parses `am` or `pm`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "am" => Some(HalfDay::Am),
            "pm" => Some(HalfDay::Pm),
            _ => None,
        }
    }

    /// The translation key of its name.
    pub fn key(self) -> &'static str {
        match self {
            HalfDay::Am => "half_day_am",
            HalfDay::Pm => "half_day_pm",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_round_trip_and_only_live_leave_stands() {
        for s in [LeaveStatus::Requested, LeaveStatus::Approved, LeaveStatus::Declined, LeaveStatus::Cancelled] {
            assert_eq!(LeaveStatus::parse(s.as_str()), Some(s));
        }
        assert!(LeaveStatus::Requested.standing() && LeaveStatus::Approved.standing());
        assert!(!LeaveStatus::Declined.standing() && !LeaveStatus::Cancelled.standing());
        assert_eq!(LeaveStatus::parse("ok"), None);
        assert_eq!(HalfDay::parse("pm"), Some(HalfDay::Pm));
        assert_eq!(HalfDay::parse("noon"), None);
    }
}
