//! How completion is counted, defined once for dashboards, CSV and history pages.
//!
//! For a period of days (by each task's own date, in the company's zone), at `now`:
//!
//! * **due**: tasks that have fallen due by `now` (due time passed), plus those
//!   finished (done or skipped) before their due time. A task not yet due and not
//!   finished is not counted yet.
//! * **done**: due tasks completed; **on_time**: of those, completed by the due time.
//! * **overdue**: due tasks still open.
//! * **skipped**: due tasks skipped, with a reason; **missed**: tasks whose due time
//!   passed while dutyday was not running (catch-up policy `all`).
//! * Completion rate = done / due; on-time rate = on_time / due.
//!
//! Attribution: a task counts **against** its position and department (and the
//! person it is assigned to, who owes it), and a completion counts **for** whoever
//! completed it. So by person, `due`, `overdue`, `skipped` and `missed` follow the
//! assignee, while `done` and `on_time` follow the completer: covering for a
//! colleague shows as work done by the one who did it. A reopened task is open
//! again and counts as such; a task moved between holders counts for its current one.

use super::task::TaskStatus;
use chrono::NaiveDateTime;
use serde::Serialize;

/// The counters of one row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub due: u64,
    pub done: u64,
    pub on_time: u64,
    pub overdue: u64,
    pub skipped: u64,
    pub missed: u64,
}

impl Counts {
    /// Done out of due, in percent (100 when nothing is due).
    pub fn completion_pct(&self) -> f64 {
        ratio(self.done, self.due)
    }

    /// Done on time out of due, in percent.
    pub fn on_time_pct(&self) -> f64 {
        ratio(self.on_time, self.due)
    }

    /// Adds another row's counts.
    pub fn add(&mut self, o: &Counts) {
        self.due += o.due;
        self.done += o.done;
        self.on_time += o.on_time;
        self.overdue += o.overdue;
        self.skipped += o.skipped;
        self.missed += o.missed;
    }
}

fn ratio(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        100.0
    } else {
        (part as f64) * 100.0 / (whole as f64)
    }
}

/// The facts of one task that counting needs.
#[derive(Debug, Clone, Copy)]
pub struct TaskFacts {
    pub status: TaskStatus,
    pub due_at: NaiveDateTime,
    pub done_at: Option<NaiveDateTime>,
}

/// What one task adds: to the row it counts against, and to its completer's row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Contribution {
    /// For the task's assignee, position, department and template.
    pub against: Counts,
    /// For whoever completed it (by person only).
    pub credit: Counts,
}

/// How one task counts at `now` (times in UTC).
pub fn contribution(t: TaskFacts, now: NaiveDateTime) -> Contribution {
    // Missed tasks are past due by definition: they count whenever they are asked about.
    // A cancelled task never counts: its occurrence no longer exists.
    if t.status == TaskStatus::Cancelled || (t.due_at > now && !t.status.settled()) {
        return Contribution::default();
    }
    let outcome = settled(t);
    let against = Counts { due: 1, overdue: u64::from(t.status == TaskStatus::Open), ..outcome };
    let credit = Counts { done: outcome.done, on_time: outcome.on_time, ..Counts::default() };
    Contribution { against, credit }
}

/// What a task's outcome counts, whatever the time: done (and whether on time),
/// skipped or missed. An open task has no outcome yet. The stored day rollups are
/// sums of this.
pub fn settled(t: TaskFacts) -> Counts {
    match t.status {
        TaskStatus::Done => {
            let in_time = t.done_at.is_some_and(|d| d <= t.due_at);
            Counts { done: 1, on_time: u64::from(in_time), ..Counts::default() }
        }
        TaskStatus::Skipped => Counts { skipped: 1, ..Counts::default() },
        TaskStatus::Missed => Counts { missed: 1, ..Counts::default() },
        TaskStatus::Open | TaskStatus::Cancelled => Counts::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(h: u32) -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap().and_hms_opt(h, 0, 0).unwrap()
    }

    #[test]
    fn each_status_counts_once() {
        let now = at(12);
        use TaskStatus::{Done, Missed, Open, Skipped};
        let c = |status: TaskStatus, due: u32, done: Option<u32>| {
            contribution(TaskFacts { status, due_at: at(due), done_at: done.map(at) }, now)
        };
        assert_eq!(c(Open, 18, None), Contribution::default(), "not yet due");
        assert_eq!(c(Open, 10, None).against, Counts { due: 1, overdue: 1, ..Counts::default() });
        assert_eq!(c(Done, 10, Some(9)).against, Counts { due: 1, done: 1, on_time: 1, ..Counts::default() });
        assert_eq!(c(Done, 10, Some(11)).credit, Counts { done: 1, ..Counts::default() });
        assert_eq!(c(Done, 18, Some(11)).against.due, 1, "finished early counts");
        assert_eq!(c(Skipped, 10, Some(9)).against, Counts { due: 1, skipped: 1, ..Counts::default() });
        assert_eq!(c(Missed, 10, None).against, Counts { due: 1, missed: 1, ..Counts::default() });
        let total = Counts { due: 4, done: 3, on_time: 2, ..Counts::default() };
        assert_eq!((total.completion_pct(), total.on_time_pct()), (75.0, 50.0));
    }
}
