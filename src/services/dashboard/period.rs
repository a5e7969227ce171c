//! Which days a dashboard covers: a preset counted back from the company's today, or
//! dates typed by the reader. Resolved here, so that no handler works out "today".

use crate::db::DbPool;
use crate::error::{AppError, AppResult, ErrorCode};
use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};

/// A period as asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Today,
    /// Monday of this week to today.
    Week,
    /// The 1st of this month to today.
    Month,
    /// The last N days, today included.
    Last(u64),
    /// Typed dates: `to` defaults to today, `from` to 29 days before `to`.
    Custom {
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    },
}

impl Period {
    /// From the page's `period` parameter (`today`, `week`, `month`, `30`, `90`,
    /// `custom`; the last 30 days by default) and its dates.
    pub fn parse(preset: Option<&str>, from: Option<NaiveDate>, to: Option<NaiveDate>) -> Period {
        match preset.unwrap_or("30") {
            "today" => Period::Today,
            "week" => Period::Week,
            "month" => Period::Month,
            "90" => Period::Last(90),
            "custom" => Period::Custom { from, to },
            _ => Period::Last(30),
        }
    }

    /// The first and last day on `today`. Typed dates the wrong way round are refused.
    pub fn days(self, today: NaiveDate) -> AppResult<(NaiveDate, NaiveDate)> {
        let back = |n: u64, from: NaiveDate| from.checked_sub_days(Days::new(n)).unwrap_or(from);
        let days = match self {
            Period::Today => (today, today),
            Period::Week => (back(u64::from(today.weekday().num_days_from_monday()), today), today),
            Period::Month => (today.with_day(1).unwrap_or(today), today),
            Period::Last(n) => (back(n.saturating_sub(1), today), today),
            Period::Custom { from, to } => {
                let to = to.unwrap_or(today);
                (from.unwrap_or_else(|| back(29, to)), to)
            }
        };
        if days.0 > days.1 {
            return Err(AppError::invalid("to", ErrorCode::PeriodReversed));
        }
        Ok(days)
    }

    /// The first and last day at `now`, in the company's zone.
    pub fn resolve(self, pool: &DbPool, now: DateTime<Utc>) -> AppResult<(NaiveDate, NaiveDate)> {
        let (_, today) = crate::services::context::company_today(&mut pool.get()?.any(), now)?;
        self.days(today)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("a date")
    }

    #[test]
    fn presets_count_back_from_today_and_typed_dates_must_be_in_order() {
        let today = d("2026-12-03"); // a Thursday
        assert_eq!(Period::parse(None, None, None).days(today).ok(), Some((d("2026-11-04"), today)));
        assert_eq!(Period::parse(Some("week"), None, None).days(today).ok(), Some((d("2026-11-30"), today)));
        assert_eq!(Period::parse(Some("month"), None, None).days(today).ok(), Some((d("2026-12-01"), today)));
        assert_eq!(Period::parse(Some("90"), None, None).days(today).ok(), Some((d("2026-09-05"), today)));
        let typed = Period::parse(Some("custom"), Some(d("2026-11-02")), Some(d("2026-11-06")));
        assert_eq!(typed.days(today).ok(), Some((d("2026-11-02"), d("2026-11-06"))));
        let reversed = Period::parse(Some("custom"), Some(d("2026-11-06")), Some(d("2026-11-02")));
        assert_eq!(reversed.days(today).map_err(|e| e.code).err(), Some(ErrorCode::PeriodReversed));
    }
}
