//! Tasks: one occurrence of a template for one person (or one position).

use serde::Serialize;

/// The id of a staff member: a type of its own, so that it cannot be passed where a
/// task's id is meant (both are numbers in the database).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct StaffId(pub i64);

/// The id of a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct TaskId(pub i64);

macro_rules! id_display {
    ($($t:ty),*) => {$(
        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}
id_display!(StaffId, TaskId);

macro_rules! name_id {
    ($($(#[$m:meta])* $t:ident),*) => {$(
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $t(pub String);

        impl $t {
            /// The id as written in the catalogue.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl From<&str> for $t {
            fn from(s: &str) -> Self {
                $t(s.to_string())
            }
        }

        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    )*};
}
name_id!(
    /// The id of a position (`logistics.warehouse-keeper`): a type of its own, so that
    /// it cannot be passed where a template's id is meant (both are text).
    PositionId,
    /// The id of a task template (`warehouse-daily-check`).
    TemplateId
);

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
    /// Its template was retired or changed so that this occurrence no longer exists;
    /// the reason is in its note. It counts nowhere.
    Cancelled,
}

impl TaskStatus {
    /// The spelling stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Open => "open",
            TaskStatus::Done => "done",
            TaskStatus::Skipped => "skipped",
            TaskStatus::Missed => "missed",
            TaskStatus::Cancelled => "cancelled",
        }
    }

    /// Parses the spelling of [`TaskStatus::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "open" => Some(TaskStatus::Open),
            "done" => Some(TaskStatus::Done),
            "skipped" => Some(TaskStatus::Skipped),
            "missed" => Some(TaskStatus::Missed),
            "cancelled" => Some(TaskStatus::Cancelled),
            _ => None,
        }
    }

    /// Whether someone can still complete or skip it: open, or missed while the
    /// service was down.
    pub fn actionable(self) -> bool {
        matches!(self, TaskStatus::Open | TaskStatus::Missed)
    }

    /// Whether its outcome is known (done, skipped or missed), so that it counts even
    /// before its due time.
    pub fn settled(self) -> bool {
        self != TaskStatus::Open
    }

    /// The translation key of its name.
    pub fn key(self) -> &'static str {
        match self {
            TaskStatus::Open => "status_open",
            TaskStatus::Done => "status_done",
            TaskStatus::Skipped => "status_skipped",
            TaskStatus::Missed => "status_missed",
            TaskStatus::Cancelled => "status_cancelled",
        }
    }
}

impl std::fmt::Display for TaskStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
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
