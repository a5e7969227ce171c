//! Tasks: one occurrence of a template for one person (or one position).

use serde::Serialize;

/// The database id of a staff member.
pub type StaffId = i64;

/// Where a task stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    /// To do (overdue once its due time has passed).
    Open,
    /// Completed.
    Done,
    /// Deliberately not done, with a reason.
    Skipped,
    /// Its due time passed while the service was not generating tasks.
    Missed,
}

impl TaskStatus {
    /// The spelling stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Open => "open",
            TaskStatus::Done => "done",
            TaskStatus::Skipped => "skipped",
            TaskStatus::Missed => "missed",
        }
    }

    /// Parses the spelling of [`TaskStatus::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "open" => Some(TaskStatus::Open),
            "done" => Some(TaskStatus::Done),
            "skipped" => Some(TaskStatus::Skipped),
            "missed" => Some(TaskStatus::Missed),
            _ => None,
        }
    }
}

/// Why a task went to someone other than a holder of its position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Cover {
    /// A holder of the position does it.
    None,
    /// Nobody holds the position: the department's lead (or the GM) covers it.
    Vacancy,
    /// The holder is on leave: a deputy or the lead covers it.
    Leave,
}

impl Cover {
    /// The spelling stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Cover::None => "none",
            Cover::Vacancy => "vacancy",
            Cover::Leave => "leave",
        }
    }

    /// Parses the spelling of [`Cover::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "none" => Some(Cover::None),
            "vacancy" => Some(Cover::Vacancy),
            "leave" => Some(Cover::Leave),
            _ => None,
        }
    }
}
