//! Loading a later year's work calendar without a release.

use super::AppResult;
use crate::catalog::read_calendar;
use crate::db::{self, DbPool};
use chrono::{DateTime, Utc};
use std::path::Path;

/// Reads a calendar file and replaces the years it covers, in one transaction: the
/// company's, or a department calendar's when the file's name starts with its name
/// (`stores-2027.tsv`). A bad file changes nothing and names its line.
pub fn load_file(pool: &DbPool, path: &Path, now: DateTime<Utc>) -> AppResult<(Vec<i32>, usize)> {
    let file = read_calendar(path)?;
    let mut conn = pool.get()?;
    let years = conn.transaction(|conn| -> AppResult<Vec<i32>> {
        db::serialize_writers(conn)?;
        let name = crate::catalog::calendar_of_file(path, &calendar_names(conn)?);
        let years = super::import::write_calendar(conn, &name, &file.days, &path.display().to_string(), now)?;
        db::versions::bump(conn)?;
        Ok(years)
    })?;
    Ok((years, file.days.len()))
}

/// The names of the company's department calendars.
pub fn calendar_names(conn: &mut crate::db::AnyConn) -> AppResult<Vec<String>> {
    let company = db::org::company(conn)?.ok_or_else(|| super::AppError::new(crate::error::ErrorCode::NotImported))?;
    let specs: Vec<crate::domain::calendar::CalendarSpec> =
        serde_json::from_str(&company.calendars).map_err(|e| super::AppError::corrupt(format!("calendars: {e}")))?;
    Ok(specs.into_iter().map(|c| c.name).collect())
}

/// From November on, while next year's work calendar is not loaded, each admin gets
/// one mail (once a year) saying so and how to load it. Returns how many were queued.
pub fn remind_next_year(pool: &DbPool, base_url: &str, now: DateTime<Utc>) -> AppResult<usize> {
    use chrono::Datelike;
    let mut conn = pool.get()?;
    conn.transaction(|conn| {
        let Some(_) = db::org::company(conn)? else { return Ok(0) };
        let (_, today) = super::context::company_today(conn, now)?;
        let next = today.year() + 1;
        if today.month() < 11 || db::calendar::load(conn)?.1.contains(&next) {
            return Ok(0);
        }
        let epoch = chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default().and_time(chrono::NaiveTime::MIN);
        let sent = db::outbox::keys_since(conn, &["calendar_missing"], epoch)?;
        let mut queued = 0;
        for admin in db::staff::all(conn)?.into_iter().filter(|p| p.is_admin && p.active_on(today)) {
            let key = format!("cal:{next}:{}", admin.id);
            if sent.contains(&key) {
                continue;
            }
            let lang = crate::i18n::Lang::from_locale(&admin.locale);
            let tr = crate::i18n::Tr(lang);
            let year = next.to_string();
            let m = super::remind::messages::notice(
                lang,
                super::remind::messages::Notice {
                    subject: tr.args("mail_calendar_missing_subject", &[("year", &year)]),
                    recipient: admin.name.clone(),
                    lead: tr.args("mail_calendar_missing_lead", &[("year", &year)]),
                    facts: vec![],
                    items: vec![],
                    link: Some((tr.t("mail_open_org"), format!("{}/admin/calendar", base_url.trim_end_matches('/')))),
                },
            );
            super::notices::queue(conn, &admin, "calendar_missing", key, m, now)?;
            queued += 1;
        }
        Ok(queued)
    })
}
