//! Festivals: e-commerce campaign dates that recur every year.
//!
//! Most fall on a fixed month and day (618 is 18 June); 年货节 follows the lunar
//! Spring Festival, so its dates are listed per year.

use chrono::{Datelike, NaiveDate};

/// When a festival falls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FestivalDates {
    /// Every year on this month and day.
    Annual { month: u32, day: u32 },
    /// On these dates, one per year at most.
    Listed(Vec<NaiveDate>),
}

/// A named festival that campaign templates count working days from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Festival {
    pub id: String,
    pub zh: String,
    pub en: String,
    pub dates: FestivalDates,
}

impl Festival {
    /// The festival's date in `year`, if it has one that year.
    pub fn date_in(&self, year: i32) -> Option<NaiveDate> {
        match &self.dates {
            FestivalDates::Annual { month, day } => NaiveDate::from_ymd_opt(year, *month, *day),
            FestivalDates::Listed(dates) => dates.iter().copied().find(|d| d.year() == year),
        }
    }
}

/// A festival as written in `company.toml` and stored as JSON.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FestivalSpec {
    pub id: String,
    pub zh: String,
    pub en: String,
    /// `MM-DD`, every year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Listed dates, for festivals that move.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dates: Option<Vec<String>>,
}

impl FestivalSpec {
    /// The typed festival, or the key and problem that prevent it.
    pub fn parse(&self) -> Result<Festival, (String, String)> {
        let dates = match (&self.date, &self.dates) {
            (Some(md), None) => {
                let parsed = md
                    .split_once('-')
                    .and_then(|(m, d)| Some((m.parse::<u32>().ok()?, d.parse::<u32>().ok()?)))
                    .filter(|(m, d)| NaiveDate::from_ymd_opt(2024, *m, *d).is_some());
                match parsed {
                    Some((month, day)) => FestivalDates::Annual { month, day },
                    None => return Err(("date".into(), format!("`{md}` is not a month and day (MM-DD)"))),
                }
            }
            (None, Some(list)) if !list.is_empty() => {
                let mut out = Vec::new();
                for s in list {
                    match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
                        Ok(d) if out.iter().any(|o: &NaiveDate| o.year() == d.year()) => {
                            return Err((
                                "dates".into(),
                                format!("two dates in {} (a festival has one a year)", d.year()),
                            ))
                        }
                        Ok(d) => out.push(d),
                        Err(_) => return Err(("dates".into(), format!("`{s}` is not a date (YYYY-MM-DD)"))),
                    }
                }
                FestivalDates::Listed(out)
            }
            _ => return Err(("date".into(), "give either `date` (MM-DD) or a non-empty `dates` list".into())),
        };
        Ok(Festival { id: self.id.clone(), zh: self.zh.clone(), en: self.en.clone(), dates })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::calendar::{parse_tsv, WorkCalendar};
    use crate::domain::recurrence::{Recurrence, Schedule, Shift};

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn campaign_planning_fires_working_days_before_each_festival_every_year() {
        let cal = WorkCalendar::from_days(parse_tsv(include_str!("../../config/calendars/cn-2026.tsv")).unwrap());
        let f618 = Festival {
            id: "618".into(),
            zh: "618".into(),
            en: "618".into(),
            dates: FestivalDates::Annual { month: 6, day: 18 },
        };
        let s = Schedule {
            recurrence: Recurrence::Festival { festivals: vec![f618], offset_working_days: -5 },
            shift: Shift::Keep,
        };
        // 2026-06-18 is a Thursday; five working days earlier is Thursday 06-11.
        assert_eq!(s.occurrences(d("2026-01-01"), d("2027-12-31"), &cal), vec![d("2026-06-11"), d("2027-06-11")]);
    }

    #[test]
    fn listed_dates_pick_the_year() {
        let f = Festival {
            id: "nianhuo".into(),
            zh: String::new(),
            en: String::new(),
            dates: FestivalDates::Listed(vec![d("2026-01-20"), d("2027-01-10")]),
        };
        assert_eq!(f.date_in(2027), Some(d("2027-01-10")));
        assert_eq!(f.date_in(2028), None);
    }
}
