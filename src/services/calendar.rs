//! Loading a later year's work calendar without a release.

use super::AppResult;
use crate::catalog::read_calendar;
use crate::db::{self, DbPool};
use chrono::{DateTime, Utc};
use std::path::Path;

/// Reads a calendar file and replaces the years it covers, in one transaction.
/// A bad file changes nothing and names its line.
pub fn load_file(pool: &DbPool, path: &Path, now: DateTime<Utc>) -> AppResult<(Vec<i32>, usize)> {
    let file = read_calendar(path)?;
    let mut conn = pool.get()?;
    let years = conn.transaction(|conn| {
        db::serialize_writers(conn)?;
        super::import::write_calendar(conn, &file.days, &path.display().to_string(), now)
    })?;
    Ok((years, file.days.len()))
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
                    link: Some((tr.t("mail_open_org"), format!("{}/org", base_url.trim_end_matches('/')))),
                },
            );
            super::notices::queue(conn, &admin, "calendar_missing", key, m, now)?;
            queued += 1;
        }
        Ok(queued)
    })
}
