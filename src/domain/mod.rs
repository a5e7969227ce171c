//! The pure core: calendars, schedules, templates, staffing rules, task states.
//! Nothing here touches a database, the network or the wall clock.

pub mod access;
pub mod calendar;
pub mod completion;
pub mod due;
pub mod festival;
pub mod ical;
pub mod leave;
pub mod marks;
pub mod org;
pub mod recurrence;
pub mod remind;
pub mod staffing;
pub mod stats;
pub mod task;
pub mod template;
pub mod text;
pub mod webhook;
