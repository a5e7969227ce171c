//! Loading the catalogue into an empty database, all or nothing.

use super::{AppError, AppResult};
use crate::catalog::Catalog;
use crate::db::org::{CompanyRow, DepartmentRow, DutyRow, OrgRows, PositionRow, TemplateRow};
use crate::db::staff::{NewHolder, NewStaff};
use crate::db::versions::VersionRow;
use crate::db::{self, AnyConn, DbPool};
use crate::domain::calendar::CalendarDay;
use crate::error::ErrorCode;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use std::collections::BTreeMap;

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReport {
    /// False when the database already had a company and nothing was written.
    pub imported: bool,
    pub staff: usize,
    pub calendar_years: Vec<i32>,
}

/// Imports `catalog` when the database has no company yet, in one transaction;
/// instances starting together take turns, and only the first imports. Demo staff
/// get `demo_password` (hashed with argon2) when one is given.
#[tracing::instrument(level = "debug", skip_all)]
pub fn import_if_empty(
    pool: &DbPool,
    catalog: &Catalog,
    demo_password: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<ImportReport> {
    let hash = demo_password.map(super::password::hash).transpose()?;
    let mut conn = pool.get()?;
    conn.transaction(|conn| {
        db::serialize_writers(conn)?;
        if db::org::company(conn)?.is_some() {
            return Ok(ImportReport { imported: false, staff: 0, calendar_years: vec![] });
        }
        write_org(conn, catalog, now)?;
        let staff = write_staff(conn, catalog, hash.as_deref(), now)?;
        let mut years = Vec::new();
        for file in &catalog.calendars {
            years.extend(write_calendar(conn, &file.calendar, &file.days, &file.path.display().to_string(), now)?);
        }
        Ok(ImportReport { imported: true, staff, calendar_years: years })
    })
}

fn write_org(conn: &mut AnyConn, c: &Catalog, now: DateTime<Utc>) -> AppResult<()> {
    let (company, rows) = rows_of(c, now)?;
    db::org::insert_all(conn, &company, &rows)?;
    // Each template's first version, in force since the import.
    let first: Vec<VersionRow> = rows
        .templates
        .iter()
        .map(|t| VersionRow {
            template_id: t.id.clone(),
            version: 1,
            effective_from: now.date_naive(),
            duty_id: t.duty_id.clone(),
            position_id: t.position_id.clone(),
            zh: t.zh.clone(),
            en: t.en.clone(),
            spec: t.spec.clone(),
            created_at: now.naive_utc(),
            created_by: None,
            reason: String::new(),
        })
        .collect();
    db::versions::insert(conn, &first)?;
    Ok(())
}

/// The row of a catalogue template (its first version, running).
pub(super) fn template_row(t: &crate::domain::template::Template, sort_order: i32) -> AppResult<TemplateRow> {
    Ok(TemplateRow {
        id: t.spec.id.clone(),
        duty_id: t.spec.duty.clone(),
        position_id: t.position.clone(),
        zh: t.spec.zh.clone(),
        en: t.spec.en.clone(),
        spec: serde_json::to_string(&t.spec).map_err(|e| AppError::corrupt(e.to_string()))?,
        active: true,
        origin: "catalogue".into(),
        paused_at: None,
        sort_order,
        version: 1,
        retired_on: None,
        retire_reason: String::new(),
    })
}

/// The database rows of a catalogue's company and organisation (what import writes,
/// and what `catalog diff` compares with the database).
pub fn rows_of(c: &Catalog, now: DateTime<Utc>) -> AppResult<(CompanyRow, OrgRows)> {
    let order = |i: usize| i32::try_from(i).unwrap_or(i32::MAX);
    let festivals = serde_json::to_string(&c.company.festival_specs).map_err(|e| AppError::corrupt(e.to_string()))?;
    let company = CompanyRow {
        id: 1,
        name: c.company.name.clone(),
        name_en: c.company.name_en.clone(),
        timezone: c.company.timezone.name().to_string(),
        festivals,
        imported_at: now.naive_utc(),
        reminders: serde_json::to_string(&c.company.reminders).map_err(|e| AppError::corrupt(e.to_string()))?,
        webhooks: serde_json::to_string(&c.company.webhooks).map_err(|e| AppError::corrupt(e.to_string()))?,
        catalog_version: 1,
        calendars: serde_json::to_string(&c.company.calendars).map_err(|e| AppError::corrupt(e.to_string()))?,
    };
    let mut templates = Vec::new();
    for (i, t) in c.templates.iter().enumerate() {
        templates.push(template_row(t, order(i))?);
    }
    let rows = OrgRows {
        departments: c
            .departments
            .iter()
            .enumerate()
            .map(|(i, d)| DepartmentRow {
                id: d.id.clone(),
                zh: d.zh.clone(),
                en: d.en.clone(),
                lead_position_id: d.lead_position.clone(),
                reports_to: d.reports_to.clone(),
                sort_order: order(i),
                retired_on: None,
                calendar: d.calendar.clone(),
            })
            .collect(),
        positions: c
            .positions
            .iter()
            .enumerate()
            .map(|(i, p)| PositionRow {
                id: p.id.clone(),
                department_id: p.department.clone(),
                zh: p.zh.clone(),
                en: p.en.clone(),
                headcount: i32::try_from(p.headcount).unwrap_or(i32::MAX),
                sort_order: order(i),
                manages_people: p.manages_people,
                retired_on: None,
            })
            .collect(),
        duties: c
            .duties
            .iter()
            .enumerate()
            .map(|(i, d)| DutyRow {
                id: d.id.clone(),
                position_id: d.position.clone(),
                kind: d.kind.as_str().to_string(),
                zh: d.zh.clone(),
                en: d.en.clone(),
                source: d.source.clone(),
                assigned: d.assigned,
                sort_order: order(i),
                retired_on: None,
            })
            .collect(),
        templates,
    };
    Ok((company, rows))
}

fn write_staff(conn: &mut AnyConn, c: &Catalog, hash: Option<&str>, now: DateTime<Utc>) -> AppResult<usize> {
    for s in &c.staff {
        let since = NaiveDate::parse_from_str(&s.since, "%Y-%m-%d")
            .map_err(|_| AppError::invalid("since", ErrorCode::InvalidDate))?;
        let id = db::staff::insert(
            conn,
            &NewStaff {
                email: s.email.clone(),
                name: s.name.clone(),
                password_hash: hash.map(str::to_string),
                is_admin: s.admin,
                locale: s.locale.clone(),
                active: true,
                created_at: now.naive_utc(),
            },
        )?;
        let tenures = s.positions.iter().map(|p| (p, false)).chain(s.deputy_for.iter().map(|p| (p, true)));
        for (position, deputy) in tenures {
            db::staff::insert_holder(
                conn,
                &NewHolder { staff_id: id, position_id: position.clone(), deputy, valid_from: since, valid_to: None },
            )?;
        }
    }
    Ok(c.staff.len())
}

/// Writes calendar days grouped by year, replacing what those years had.
pub(super) fn write_calendar(
    conn: &mut AnyConn,
    calendar: &str,
    days: &[CalendarDay],
    source: &str,
    now: DateTime<Utc>,
) -> AppResult<Vec<i32>> {
    let mut by_year: BTreeMap<i32, Vec<CalendarDay>> = BTreeMap::new();
    for d in days {
        by_year.entry(d.date.year()).or_default().push(d.clone());
    }
    for (year, list) in &by_year {
        db::calendar::replace_year(conn, calendar, *year, list, source, now.naive_utc())?;
    }
    Ok(by_year.into_keys().collect())
}
