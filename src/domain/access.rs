//! Who may see and change which tasks.
//!
//! Staff see and change their own tasks (and a position's shared task when they hold
//! the position); a lead those of the departments they lead; admins everything.
//! A person leads a department when they hold its lead position or that of any
//! department above it, so the 总经理 leads every department.

use super::org::Department;
use super::task::StaffId;
use std::collections::{BTreeSet, HashMap};

/// The person asking, with what they hold and lead today.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Viewer {
    pub id: StaffId,
    pub name: String,
    pub admin: bool,
    /// Whether they hold a position that manages people (人事行政: HR).
    pub hr: bool,
    pub locale: String,
    /// Positions held today.
    pub positions: BTreeSet<String>,
    /// Departments led today.
    pub leads: BTreeSet<String>,
}

/// The parts of a task that decide who may see it.
#[derive(Debug, Clone, Copy)]
pub struct TaskScope<'a> {
    pub assignee: Option<StaffId>,
    pub department: &'a str,
    pub position: &'a str,
    pub shared: bool,
}

impl Viewer {
    /// Whether this person may manage people, holdings and leave: an admin, or HR
    /// (the holder of a position marked `manages_people`).
    pub fn manages_people(&self) -> bool {
        self.admin || self.hr
    }

    /// Whether this person leads any department.
    pub fn is_lead(&self) -> bool {
        !self.leads.is_empty()
    }

    /// Whether the task is this person's own work.
    pub fn owns(&self, t: TaskScope<'_>) -> bool {
        t.assignee == Some(self.id) || (t.shared && self.positions.contains(t.position))
    }

    /// Whether this person manages the task: an admin, or a lead of its department.
    pub fn manages(&self, t: TaskScope<'_>) -> bool {
        self.admin || self.leads.contains(t.department)
    }

    /// Whether this person may see (and act on) the task at all.
    pub fn can_see(&self, t: TaskScope<'_>) -> bool {
        self.owns(t) || self.manages(t)
    }
}

/// The departments led by whoever holds `held` positions.
pub fn departments_led(departments: &[Department], held: &BTreeSet<String>) -> BTreeSet<String> {
    let parent: HashMap<&str, Option<&str>> =
        departments.iter().map(|d| (d.id.as_str(), d.reports_to.as_deref())).collect();
    let lead: HashMap<&str, Option<&str>> =
        departments.iter().map(|d| (d.id.as_str(), d.lead_position.as_deref())).collect();
    let mut out = BTreeSet::new();
    for d in departments {
        let mut cur = Some(d.id.as_str());
        for _ in 0..=departments.len() {
            let Some(id) = cur else { break };
            if lead.get(id).copied().flatten().is_some_and(|p| held.contains(p)) {
                out.insert(d.id.clone());
                break;
            }
            cur = parent.get(id).copied().flatten();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dept(id: &str, lead: Option<&str>, up: Option<&str>) -> Department {
        Department {
            id: id.into(),
            zh: id.into(),
            en: id.into(),
            lead_position: lead.map(Into::into),
            reports_to: up.map(Into::into),
            calendar: None,
        }
    }

    #[test]
    fn the_gm_leads_all_and_a_department_lead_their_own() {
        let ds =
            vec![dept("gm", Some("gm"), None), dept("ops", Some("ops.lead"), Some("gm")), dept("wh", None, Some("gm"))];
        let held = |p: &str| BTreeSet::from([p.to_string()]);
        assert_eq!(departments_led(&ds, &held("gm")).len(), 3);
        assert_eq!(departments_led(&ds, &held("ops.lead")), BTreeSet::from(["ops".to_string()]));
        assert!(departments_led(&ds, &held("wh.keeper")).is_empty());
    }
}
