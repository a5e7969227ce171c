//! A person's week: Monday to Sunday of any date, each day's tasks whatever their
//! status, and whether it is a working day on their department's calendar.

use super::directory::Directory;
use super::tasks::TaskView;
use super::{day_list, AppResult};
use crate::db::AnyConn;
use crate::domain::access::Viewer;
use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};
use std::sync::Arc;

/// One day of a week.
#[derive(Debug, Clone)]
pub struct WeekDay {
    pub date: NaiveDate,
    /// A working day on the person's calendar (a make-up Saturday is one).
    pub working: bool,
    pub tasks: Vec<TaskView>,
}

/// The week that holds a date.
#[derive(Debug, Clone)]
pub struct Week {
    pub monday: NaiveDate,
    pub days: Vec<WeekDay>,
}

/// The Monday of `date`'s week.
pub fn monday_of(date: NaiveDate) -> NaiveDate {
    date.checked_sub_days(Days::new(u64::from(date.weekday().num_days_from_monday()))).unwrap_or(date)
}

/// `viewer`'s week holding `date`.
pub fn read(
    conn: &mut AnyConn,
    dir: Arc<Directory>,
    viewer: Viewer,
    date: NaiveDate,
    now: DateTime<Utc>,
) -> AppResult<Week> {
    let monday = monday_of(date);
    let sunday = monday.checked_add_days(Days::new(6)).unwrap_or(monday);
    let calendar = dir.calendar_of(&viewer);
    let working: Vec<bool> = monday.iter_days().take(7).map(|d| calendar.is_working_day(d)).collect();
    let mut tasks = day_list::read_span(conn, dir, viewer, monday, sunday, now)?.dated_views();
    let days = monday
        .iter_days()
        .zip(working)
        .map(|(date, working)| {
            let (on, rest) = std::mem::take(&mut tasks).into_iter().partition(|t| t.occurs_on == date);
            tasks = rest;
            WeekDay { date, working, tasks: on }
        })
        .collect();
    Ok(Week { monday, days })
}
