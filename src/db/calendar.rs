//! The work calendar as stored: exceptions per date and the years they cover.

use super::schema::{calendar_days, calendar_years};
use super::AnyConn;
use crate::domain::calendar::{CalendarDay, DayKind};
use crate::with_conn;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

/// Replaces `year`'s calendar with `days` (all of which fall in `year`).
pub fn replace_year(
    conn: &mut AnyConn,
    year: i32,
    days: &[CalendarDay],
    source: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let (Some(first), Some(last)) = (NaiveDate::from_ymd_opt(year, 1, 1), NaiveDate::from_ymd_opt(year, 12, 31)) else {
        return Err(diesel::result::Error::NotFound);
    };
    let rows: Vec<_> = days
        .iter()
        .map(|d| {
            (
                calendar_days::day.eq(d.date),
                calendar_days::kind.eq(d.kind.as_str()),
                calendar_days::name.eq(d.name.as_str()),
            )
        })
        .collect();
    with_conn!(conn, c => {
        diesel::delete(calendar_days::table.filter(calendar_days::day.between(first, last))).execute(c)?;
        diesel::insert_into(calendar_days::table).values(&rows).execute(c)?;
        diesel::delete(calendar_years::table.find(year)).execute(c)?;
        diesel::insert_into(calendar_years::table)
            .values((calendar_years::year.eq(year), calendar_years::source.eq(source), calendar_years::loaded_at.eq(now)))
            .execute(c)?;
        Ok(())
    })
}

/// Every stored exception and the covered years.
pub fn load(conn: &mut AnyConn) -> QueryResult<(Vec<CalendarDay>, Vec<i32>)> {
    with_conn!(conn, c => {
        let days: Vec<(NaiveDate, String, String)> = calendar_days::table
            .select((calendar_days::day, calendar_days::kind, calendar_days::name))
            .load(c)?;
        let years: Vec<i32> = calendar_years::table.select(calendar_years::year).order(calendar_years::year).load(c)?;
        let days = days
            .into_iter()
            .filter_map(|(date, kind, name)| DayKind::parse(&kind).map(|kind| CalendarDay { date, kind, name }))
            .collect();
        Ok((days, years))
    })
}
