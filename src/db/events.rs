//! Fired events (a hire, an emergency, a new product …).

use super::schema::events;
use super::AnyConn;
use crate::with_conn;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = events)]
pub struct EventRow {
    pub id: i64,
    pub name: String,
    pub subject: String,
    pub subject_staff_id: Option<i64>,
    pub occurs_on: NaiveDate,
    pub fired_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = events)]
pub struct NewEvent {
    pub name: String,
    pub subject: String,
    pub subject_staff_id: Option<i64>,
    pub occurs_on: NaiveDate,
    pub fired_at: NaiveDateTime,
}

/// Records an event once: the same name, subject and date again returns the row
/// already there, so firing twice never doubles the work.
pub fn insert_once(conn: &mut AnyConn, e: &NewEvent) -> QueryResult<(EventRow, bool)> {
    with_conn!(conn, c => {
        let inserted = diesel::insert_into(events::table).values(e).on_conflict_do_nothing().execute(c)?;
        let row = events::table
            .filter(events::name.eq(&e.name))
            .filter(events::subject.eq(&e.subject))
            .filter(events::occurs_on.eq(e.occurs_on))
            .select(EventRow::as_select())
            .first(c)?;
        Ok((row, inserted > 0))
    })
}
