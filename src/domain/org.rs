//! The organisation: departments, positions and the duties written for them.

use serde::{Deserialize, Serialize};

/// A department and where it sits in the reporting line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Department {
    pub id: String,
    pub zh: String,
    pub en: String,
    /// The position whose holder leads this department, if it names one.
    pub lead_position: Option<String>,
    /// The department this one reports to; `None` only at the top.
    pub reports_to: Option<String>,
    /// Its own work calendar (`[[calendar]]` of company.toml); none: the company's.
    pub calendar: Option<String>,
}

/// A position (岗位) with its headcount (定员).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Position {
    pub id: String,
    pub department: String,
    pub zh: String,
    pub en: String,
    pub headcount: u32,
    /// Its holder manages people, holdings and leave (HR).
    pub manages_people: bool,
}

/// How a duty turns into work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DutyKind {
    /// Repeats on a calendar schedule.
    Recurring,
    /// Happens when something happens: a hire, an emergency, a festival.
    Event,
    /// A responsibility that produces no task.
    Standing,
}

impl DutyKind {
    /// The spelling in catalogue files and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            DutyKind::Recurring => "recurring",
            DutyKind::Event => "event",
            DutyKind::Standing => "standing",
        }
    }

    /// Parses the spelling of [`DutyKind::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "recurring" => Some(DutyKind::Recurring),
            "event" => Some(DutyKind::Event),
            "standing" => Some(DutyKind::Standing),
            _ => None,
        }
    }
}

/// One numbered duty of the source document, in corrected wording.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Duty {
    /// The stable id of `shared/seed/duties.tsv`, e.g. `logistics.shipping-clerk.4`.
    pub id: String,
    pub position: String,
    pub kind: DutyKind,
    pub zh: String,
    pub en: String,
    /// The original wording, kept verbatim.
    pub source: String,
    /// "Carry out what superiors assign": one-off tasks of the position go under it.
    pub assigned: bool,
}
