//! Reading `config/company/` and `config/calendars/` into validated domain values.
//!
//! Everything is checked before anything is written anywhere: the first problem is
//! reported as one line naming the file, the key and what is wrong.

pub mod files;
mod validate;

use crate::domain::calendar::CalendarDay;
use crate::domain::festival::{Festival, FestivalSpec};
use crate::domain::org::{Department, Duty, Position};
use crate::domain::template::Template;
use chrono_tz::Tz;
pub use files::StaffEntry;
use std::path::{Path, PathBuf};
pub use validate::{check_template, valid_email};

/// A catalogue problem: `file: key: message`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {key}: {message}")]
pub struct CatalogError {
    pub file: String,
    pub key: String,
    pub message: String,
}

/// The company's own settings.
#[derive(Debug, Clone)]
pub struct Company {
    pub name: String,
    pub name_en: String,
    /// A demo company: its staff share one printed password at first import. A real
    /// company's people are imported without passwords and invited.
    pub demo: bool,
    pub timezone: Tz,
    pub festivals: Vec<Festival>,
    /// The festivals as written, for storing.
    pub festival_specs: Vec<FestivalSpec>,
    /// Company-wide reminder defaults and sending window.
    pub reminders: crate::domain::remind::PolicySpec,
    /// Department webhooks.
    pub webhooks: Vec<crate::domain::webhook::WebhookSpec>,
    /// Calendars of their own for some departments.
    pub calendars: Vec<crate::domain::calendar::CalendarSpec>,
}

/// One calendar file, parsed.
#[derive(Debug, Clone)]
pub struct CalendarFile {
    pub path: PathBuf,
    /// Whose: a `[[calendar]]` name when the file's name starts with it
    /// (`stores-2026.tsv`), else empty: the company's.
    pub calendar: String,
    pub days: Vec<CalendarDay>,
}

impl CalendarFile {
    /// The years the file has days of.
    pub fn years(&self) -> std::collections::BTreeSet<i32> {
        use chrono::Datelike;
        self.days.iter().map(|d| d.date.year()).collect()
    }
}

/// A whole validated catalogue.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub company: Company,
    pub departments: Vec<Department>,
    pub positions: Vec<Position>,
    pub duties: Vec<Duty>,
    pub templates: Vec<Template>,
    pub staff: Vec<StaffEntry>,
    pub calendars: Vec<CalendarFile>,
}

impl Catalog {
    /// Reads and validates the catalogue under `dir` (a folder with `company/` and `calendars/`).
    pub fn load(dir: &Path) -> Result<Catalog, CatalogError> {
        validate::load(dir)
    }

    /// The summary line of `dutyday check`.
    pub fn summary(&self) -> String {
        format!(
            "departments={} positions={} duties={} templates={}",
            self.departments.len(),
            self.positions.len(),
            self.duties.len(),
            self.templates.len()
        )
    }

    /// A template by id.
    pub fn template(&self, id: &str) -> Option<&Template> {
        self.templates.iter().find(|t| t.spec.id == id)
    }
}

/// Reads one calendar file (`date<TAB>kind<TAB>name`).
pub fn read_calendar(path: &Path) -> Result<CalendarFile, CatalogError> {
    let file = path.display().to_string();
    let text = files::read_text(path)?;
    let days = crate::domain::calendar::parse_tsv(&text).map_err(|e| CatalogError {
        file,
        key: format!("line {}", e.line),
        message: e.message,
    })?;
    Ok(CalendarFile { path: path.to_path_buf(), calendar: String::new(), days })
}

/// Whose calendar a file is: the `names` one its name starts with (`stores-2026.tsv`
/// is `stores`'s), else the company's (empty).
pub fn calendar_of_file(path: &Path, names: &[String]) -> String {
    let stem = path.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_default();
    let prefix = stem.rsplit_once('-').map_or(stem.as_str(), |(p, _)| p);
    names.iter().find(|n| n.as_str() == prefix).cloned().unwrap_or_default()
}

impl Catalog {
    /// The calendar of a department: its own days and week, or the company's.
    pub fn calendar_of(&self, department: &str) -> crate::domain::calendar::WorkCalendar {
        let name = self.departments.iter().find(|d| d.id == department).and_then(|d| d.calendar.clone());
        let name = name.unwrap_or_default();
        let days = self.calendars.iter().filter(|c| c.calendar == name).flat_map(|c| c.days.clone()).collect();
        let cal = crate::domain::calendar::WorkCalendar::from_days(days);
        match self.company.calendars.iter().find(|c| c.name == name).and_then(|c| c.week().ok()) {
            Some(week) => cal.with_week(week),
            None => cal,
        }
    }
}
