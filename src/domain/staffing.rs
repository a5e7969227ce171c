//! Who does a position's work on a given date.
//!
//! Tasks go to positions, not people: on each date the holders of a position get
//! its work. A holder on leave is covered by a deputy of the position, else by the
//! lead; a position nobody holds is covered by its department's lead, climbing the
//! reporting line to the general manager. The rules live here once, pure, so that
//! generation, reassignment and the pages all agree.

use super::org::{Department, Position};
use super::task::{Cover, StaffId};
use super::template::AssignMode;
use chrono::NaiveDate;
use std::collections::HashMap;

/// The slot of a task that every holder of its position shares (and sees).
pub const SHARED_SLOT: &str = "shared";

/// A person's tenure in a position, as holder or as deputy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holding {
    pub staff: StaffId,
    pub position: String,
    pub deputy: bool,
    pub from: NaiveDate,
    /// Last day held, inclusive; `None` while ongoing.
    pub to: Option<NaiveDate>,
}

impl Holding {
    fn covers(&self, date: NaiveDate) -> bool {
        self.from <= date && self.to.is_none_or(|to| date <= to)
    }
}

/// A period of leave, both ends inclusive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leave {
    pub staff: StaffId,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// Who a task is for and who does it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    /// Part of the task's unique key: `h<staff>` for a holder's own task, `shared` for
    /// a position's one task, `vacant` for a vacancy. It names whose work this is, so
    /// covering someone never creates a second task for the same work.
    pub slot: String,
    /// Who does it; `None` when nobody can be found up the whole reporting line.
    pub assignee: Option<StaffId>,
    pub cover: Cover,
    /// The holder being covered for, when on leave.
    pub covered: Option<StaffId>,
}

/// The organisation's staffing, loaded once per generation run.
#[derive(Debug, Default)]
pub struct Staffing {
    departments: HashMap<String, Department>,
    positions: HashMap<String, Position>,
    holdings: HashMap<String, Vec<Holding>>,
    leaves: HashMap<StaffId, Vec<Leave>>,
}

/// Longest reporting line followed before giving up (guards against a cycle).
const MAX_CHAIN: usize = 32;

impl Staffing {
    /// Indexes departments, positions, holdings and leaves.
    pub fn new(
        departments: Vec<Department>,
        positions: Vec<Position>,
        holdings: Vec<Holding>,
        leaves: Vec<Leave>,
    ) -> Self {
        let mut by_position: HashMap<String, Vec<Holding>> = HashMap::new();
        for h in holdings {
            by_position.entry(h.position.clone()).or_default().push(h);
        }
        for list in by_position.values_mut() {
            list.sort_by_key(|h| (h.from, h.staff));
        }
        let mut by_staff: HashMap<StaffId, Vec<Leave>> = HashMap::new();
        for l in leaves {
            by_staff.entry(l.staff).or_default().push(l);
        }
        Staffing {
            departments: departments.into_iter().map(|d| (d.id.clone(), d)).collect(),
            positions: positions.into_iter().map(|p| (p.id.clone(), p)).collect(),
            holdings: by_position,
            leaves: by_staff,
        }
    }

    /// The position, if it exists.
    pub fn position(&self, id: &str) -> Option<&Position> {
        self.positions.get(id)
    }

    fn people(&self, position: &str, date: NaiveDate, deputy: bool) -> Vec<StaffId> {
        let mut out: Vec<StaffId> = self
            .holdings
            .get(position)
            .into_iter()
            .flatten()
            .filter(|h| h.deputy == deputy && h.covers(date))
            .map(|h| h.staff)
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The holders of `position` on `date`, by id.
    pub fn holders(&self, position: &str, date: NaiveDate) -> Vec<StaffId> {
        self.people(position, date, false)
    }

    /// Whether `staff` is on leave on `date`.
    pub fn on_leave(&self, staff: StaffId, date: NaiveDate) -> bool {
        self.leaves.get(&staff).is_some_and(|ls| ls.iter().any(|l| l.from <= date && date <= l.to))
    }

    fn available(&self, staff: &[StaffId], date: NaiveDate, except: Option<StaffId>) -> Option<StaffId> {
        staff.iter().copied().find(|s| Some(*s) != except && !self.on_leave(*s, date))
    }

    /// The person who leads the work of `position` on `date`: the holder of its
    /// department's lead position (never the position itself), else the lead of the
    /// department it reports to, up to the top. Leads on leave are passed over.
    pub fn lead_for(&self, position: &str, date: NaiveDate) -> Option<StaffId> {
        let mut dept = self.departments.get(&self.positions.get(position)?.department)?;
        for _ in 0..MAX_CHAIN {
            if let Some(lp) = dept.lead_position.as_deref().filter(|lp| *lp != position) {
                if let Some(s) = self.available(&self.holders(lp, date), date, None) {
                    return Some(s);
                }
            }
            dept = self.departments.get(dept.reports_to.as_deref()?)?;
        }
        None
    }

    /// The available holder of the top department's lead position (the 总经理).
    pub fn head(&self, date: NaiveDate) -> Option<StaffId> {
        let top = self.departments.values().find(|d| d.reports_to.is_none())?;
        self.available(&self.holders(top.lead_position.as_deref()?, date), date, None)
    }

    /// Who covers `holder` of `position` while on leave: a deputy, else the lead.
    fn leave_cover(&self, position: &str, holder: StaffId, date: NaiveDate) -> Option<StaffId> {
        self.available(&self.people(position, date, true), date, Some(holder)).or_else(|| self.lead_for(position, date))
    }

    /// How many of `position`'s seats nobody holds on `date`.
    pub fn vacant_seats(&self, position: &str, date: NaiveDate) -> usize {
        let seats = self.position(position).map_or(1, |p| p.headcount.max(1)) as usize;
        seats.saturating_sub(self.holders(position, date).len())
    }

    /// The tasks one occurrence of a template for `position` makes on `date`. Its
    /// headcount is its seats: an `each` template makes a task per seat, a held seat's
    /// for its holder and an empty seat's by the vacancy rule (the department's lead, up
    /// to the 总经理), marked as covering a vacancy.
    pub fn assign(&self, position: &str, mode: AssignMode, date: NaiveDate) -> Vec<Assignment> {
        let holders = self.holders(position, date);
        let seats = self.position(position).map_or(1, |p| p.headcount.max(1)) as usize;
        let vacancy = |k: usize| Assignment {
            slot: vacant_slot(k),
            assignee: self.lead_for(position, date),
            cover: Cover::Vacancy,
            covered: None,
        };
        if holders.is_empty() {
            return match mode {
                AssignMode::Each => (1..=seats).map(vacancy).collect(),
                AssignMode::Shared => vec![vacancy(1)],
            };
        }
        let own = |slot: String, h: StaffId| {
            if self.on_leave(h, date) {
                Assignment {
                    slot,
                    assignee: self.leave_cover(position, h, date),
                    cover: Cover::Leave,
                    covered: Some(h),
                }
            } else {
                Assignment { slot, assignee: Some(h), cover: Cover::None, covered: None }
            }
        };
        match mode {
            AssignMode::Each => {
                let empty = seats.saturating_sub(holders.len());
                holders.iter().map(|h| own(format!("h{h}"), *h)).chain((1..=empty).map(vacancy)).collect()
            }
            AssignMode::Shared => {
                let first = self.available(&holders, date, None).unwrap_or(holders[0]);
                vec![own(SHARED_SLOT.into(), first)]
            }
        }
    }
}

/// The slot of the `k`th empty seat: `vacant`, then `vacant2`, `vacant3`… (the first
/// keeps the name a wholly vacant position's task always had).
fn vacant_slot(k: usize) -> String {
    if k <= 1 {
        "vacant".into()
    } else {
        format!("vacant{k}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn org(holdings: Vec<Holding>, leaves: Vec<Leave>) -> Staffing {
        let dept = |id: &str, lead: Option<&str>, up: Option<&str>| Department {
            id: id.into(),
            zh: id.into(),
            en: id.into(),
            lead_position: lead.map(Into::into),
            reports_to: up.map(Into::into),
            calendar: None,
        };
        let pos = |id: &str, dept: &str| Position {
            id: id.into(),
            department: dept.into(),
            zh: id.into(),
            en: id.into(),
            headcount: if id == "keeper" { 2 } else { 1 },
            manages_people: false,
        };
        Staffing::new(
            vec![dept("gm", Some("gm"), None), dept("ops", Some("lead"), Some("gm")), dept("wh", None, Some("gm"))],
            vec![pos("gm", "gm"), pos("lead", "ops"), pos("analyst", "ops"), pos("keeper", "wh")],
            holdings,
            leaves,
        )
    }

    fn hold(staff: i64, position: &str, deputy: bool) -> Holding {
        Holding { staff: StaffId(staff), position: position.into(), deputy, from: d("2026-01-01"), to: None }
    }

    #[test]
    fn vacancy_goes_to_the_department_lead_or_the_gm() {
        let s = org(vec![hold(1, "gm", false), hold(2, "lead", false)], vec![]);
        let a = s.assign("analyst", AssignMode::Each, d("2026-03-02"));
        assert_eq!(
            a,
            vec![Assignment {
                slot: "vacant".into(),
                assignee: Some(StaffId(2)),
                cover: Cover::Vacancy,
                covered: None
            }]
        );
        // The warehouse has no lead of its own: the GM covers.
        assert_eq!(s.assign("keeper", AssignMode::Each, d("2026-03-02"))[0].assignee, Some(StaffId(1)));
        // A vacant lead position is covered by the GM, not by itself.
        let s = org(vec![hold(1, "gm", false)], vec![]);
        assert_eq!(s.assign("lead", AssignMode::Each, d("2026-03-02"))[0].assignee, Some(StaffId(1)));
    }

    #[test]
    fn leave_goes_to_the_deputy_then_the_lead() {
        let leave = Leave { staff: StaffId(3), from: d("2026-03-01"), to: d("2026-03-05") };
        let s = org(
            vec![hold(1, "gm", false), hold(2, "lead", false), hold(3, "analyst", false), hold(4, "analyst", true)],
            vec![leave.clone()],
        );
        let a = &s.assign("analyst", AssignMode::Each, d("2026-03-02"))[0];
        assert_eq!(
            (a.slot.as_str(), a.assignee, a.cover, a.covered),
            ("h3", Some(StaffId(4)), Cover::Leave, Some(StaffId(3)))
        );
        assert_eq!(s.assign("analyst", AssignMode::Each, d("2026-03-06"))[0].assignee, Some(StaffId(3)));
        let s = org(vec![hold(1, "gm", false), hold(2, "lead", false), hold(3, "analyst", false)], vec![leave]);
        assert_eq!(s.assign("analyst", AssignMode::Each, d("2026-03-02"))[0].assignee, Some(StaffId(2)));
    }

    #[test]
    fn several_holders_each_or_shared() {
        let s = org(
            vec![hold(1, "gm", false), hold(5, "keeper", false), hold(6, "keeper", false)],
            vec![Leave { staff: StaffId(5), from: d("2026-03-02"), to: d("2026-03-02") }],
        );
        let each = s.assign("keeper", AssignMode::Each, d("2026-03-02"));
        assert_eq!(each.iter().map(|a| a.slot.as_str()).collect::<Vec<_>>(), vec!["h5", "h6"]);
        let shared = s.assign("keeper", AssignMode::Shared, d("2026-03-02"));
        assert_eq!((shared.len(), shared[0].assignee, shared[0].cover), (1, Some(StaffId(6)), Cover::None));
    }

    #[test]
    fn each_seat_of_the_headcount_gets_a_task_and_empty_ones_go_by_the_vacancy_rule() {
        // Two keeper seats, one held: the holder's task and the empty seat's, the GM's.
        let s = org(vec![hold(1, "gm", false), hold(5, "keeper", false)], vec![]);
        let each = s.assign("keeper", AssignMode::Each, d("2026-03-02"));
        let got: Vec<_> = each.iter().map(|a| (a.slot.as_str(), a.assignee, a.cover)).collect();
        assert_eq!(got, [("h5", Some(StaffId(5)), Cover::None), ("vacant", Some(StaffId(1)), Cover::Vacancy)]);
        assert_eq!(s.vacant_seats("keeper", d("2026-03-02")), 1);
        // A shared task is the position's, not a seat's: one, the holder's.
        let shared = s.assign("keeper", AssignMode::Shared, d("2026-03-02"));
        assert_eq!((shared.len(), shared[0].assignee), (1, Some(StaffId(5))));
        // Nobody in post: a task per seat.
        let s = org(vec![hold(1, "gm", false)], vec![]);
        let slots: Vec<_> = s.assign("keeper", AssignMode::Each, d("2026-03-02")).into_iter().map(|a| a.slot).collect();
        assert_eq!(slots, ["vacant", "vacant2"]);
        assert_eq!(s.vacant_seats("keeper", d("2026-03-02")), 2);
    }

    #[test]
    fn tenure_dates_decide_who_holds() {
        let mut old = hold(7, "keeper", false);
        old.to = Some(d("2026-03-31"));
        let mut new = hold(8, "keeper", false);
        new.from = d("2026-04-01");
        let s = org(vec![hold(1, "gm", false), old, new], vec![]);
        assert_eq!(s.holders("keeper", d("2026-03-31")), vec![StaffId(7)]);
        assert_eq!(s.holders("keeper", d("2026-04-01")), vec![StaffId(8)]);
    }
}
