//! The work calendars as stored: exceptions per date and the years they cover, for
//! the company's calendar (named '') and any department's own.

use super::schema::{calendar_days, calendar_years};
use super::AnyConn;
use crate::domain::calendar::{CalendarDay, DayKind};
use crate::with_conn;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use std::collections::BTreeMap;

/// Replaces `year` of calendar `calendar` with `days` (all of which fall in `year`).
pub fn replace_year(
    conn: &mut AnyConn,
    calendar: &str,
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
                calendar_days::calendar.eq(calendar),
                calendar_days::day.eq(d.date),
                calendar_days::kind.eq(d.kind.as_str()),
                calendar_days::name.eq(d.name.as_str()),
            )
        })
        .collect();
    with_conn!(conn, c => {
        diesel::delete(calendar_days::table.filter(calendar_days::calendar.eq(calendar)).filter(calendar_days::day.between(first, last)))
            .execute(c)?;
        diesel::insert_into(calendar_days::table).values(&rows).execute(c)?;
        diesel::delete(calendar_years::table.find((calendar, year))).execute(c)?;
        diesel::insert_into(calendar_years::table)
            .values((
                calendar_years::calendar.eq(calendar),
                calendar_years::year.eq(year),
                calendar_years::source.eq(source),
                calendar_years::loaded_at.eq(now),
            ))
            .execute(c)?;
        Ok(())
    })
}

/// One stored calendar: its exceptions and the years it covers.
#[derive(Debug, Clone, Default)]
pub struct StoredCalendar {
    pub days: Vec<CalendarDay>,
    pub years: Vec<i32>,
}

type DayRow = (String, NaiveDate, String, String);

/// Every stored calendar by name ('' is the company's).
pub fn load_all(conn: &mut AnyConn) -> QueryResult<BTreeMap<String, StoredCalendar>> {
    let (days, years): (Vec<DayRow>, Vec<(String, i32)>) = with_conn!(conn, c => {
        let days = calendar_days::table
            .select((calendar_days::calendar, calendar_days::day, calendar_days::kind, calendar_days::name))
            .load(c)?;
        let years = calendar_years::table
            .select((calendar_years::calendar, calendar_years::year))
            .order((calendar_years::calendar, calendar_years::year))
            .load(c)?;
        QueryResult::Ok((days, years))
    })?;
    let mut out: BTreeMap<String, StoredCalendar> = BTreeMap::new();
    out.entry(String::new()).or_default();
    for (cal, date, kind, name) in days {
        if let Some(kind) = DayKind::parse(&kind) {
            out.entry(cal).or_default().days.push(CalendarDay { date, kind, name });
        }
    }
    for (cal, year) in years {
        out.entry(cal).or_default().years.push(year);
    }
    Ok(out)
}

/// The company's calendar: its exceptions and the covered years.
pub fn load(conn: &mut AnyConn) -> QueryResult<(Vec<CalendarDay>, Vec<i32>)> {
    let mut all = load_all(conn)?;
    let company = all.remove("").unwrap_or_default();
    Ok((company.days, company.years))
}

/// One loaded year of a calendar: where it came from and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadedYear {
    pub calendar: String,
    pub year: i32,
    pub source: String,
    pub loaded_at: NaiveDateTime,
}

/// Every loaded year, by calendar and year.
pub fn years(conn: &mut AnyConn) -> QueryResult<Vec<LoadedYear>> {
    let rows: Vec<(String, i32, String, NaiveDateTime)> = with_conn!(conn, c => calendar_years::table
        .select((calendar_years::calendar, calendar_years::year, calendar_years::source, calendar_years::loaded_at))
        .order((calendar_years::calendar, calendar_years::year))
        .load(c))?;
    Ok(rows
        .into_iter()
        .map(|(calendar, year, source, loaded_at)| LoadedYear { calendar, year, source, loaded_at })
        .collect())
}
