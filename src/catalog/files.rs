//! The catalogue's files as written, and reading them with errors that name the key.

use super::CatalogError;
use crate::domain::festival::FestivalSpec;
use crate::domain::org::DutyKind;
use crate::domain::remind::PolicySpec;
use crate::domain::template::TemplateSpec;
use crate::domain::webhook::WebhookSpec;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// `company.toml`.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CompanyFile {
    pub name: String,
    pub name_en: String,
    #[serde(default = "default_timezone")]
    pub timezone: String,
    /// A demo company: its staff share one printed password at first import.
    #[serde(default)]
    pub demo: bool,
    #[serde(default)]
    pub festival: Vec<FestivalSpec>,
    #[serde(default)]
    pub reminders: PolicySpec,
    #[serde(default)]
    pub webhook: Vec<WebhookSpec>,
    /// Calendars of their own for some departments.
    #[serde(default)]
    pub calendar: Vec<crate::domain::calendar::CalendarSpec>,
}

fn default_timezone() -> String {
    "Asia/Shanghai".into()
}

/// `org.toml`.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct OrgFile {
    pub department: Vec<DepartmentEntry>,
    pub position: Vec<PositionEntry>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DepartmentEntry {
    pub id: String,
    pub zh: String,
    pub en: String,
    pub lead: Option<String>,
    pub reports_to: Option<String>,
    /// A `[[calendar]]` of company.toml; default the company's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calendar: Option<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PositionEntry {
    pub id: String,
    pub department: String,
    pub zh: String,
    pub en: String,
    pub headcount: u32,
    /// Its holder manages people, holdings and leave (HR).
    #[serde(default)]
    pub manages_people: bool,
}

/// `duties.toml`.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DutiesFile {
    pub duty: Vec<DutyEntry>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DutyEntry {
    pub id: String,
    pub position: String,
    pub kind: DutyKind,
    pub zh: String,
    pub en: String,
    pub source: String,
    /// "Carry out what superiors assign": one-off tasks of the position go under it.
    #[serde(default)]
    pub assigned: bool,
}

/// `templates.toml`.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TemplatesFile {
    pub template: Vec<TemplateSpec>,
}

/// `staff.toml`: the people to load into an empty database.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct StaffFile {
    pub staff: Vec<StaffEntry>,
}

/// One person of `staff.toml`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct StaffEntry {
    pub email: String,
    pub name: String,
    #[serde(default)]
    pub positions: Vec<String>,
    #[serde(default)]
    pub deputy_for: Vec<String>,
    #[serde(default)]
    pub admin: bool,
    /// `YYYY-MM-DD`: since when the positions are held.
    pub since: String,
    #[serde(default = "default_locale")]
    pub locale: String,
}

fn default_locale() -> String {
    "zh-CN".into()
}

/// A catalogue file's text. A file that cannot be read is named; one that is not
/// UTF-8 (saved as GBK, say) is named with the line of its first bad byte.
pub fn read_text(path: &Path) -> Result<String, CatalogError> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| CatalogError {
        file: file.clone(),
        key: "-".into(),
        message: e.to_string(),
    })?;
    String::from_utf8(bytes).map_err(|e| {
        let good = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = good.iter().filter(|b| **b == b'\n').count() + 1;
        CatalogError { file, key: format!("line {line}"), message: "not UTF-8 text: save the file as UTF-8".into() }
    })
}

/// Reads and deserializes a TOML file; any failure is one [`CatalogError`].
pub fn read_toml<T: DeserializeOwned>(path: &Path) -> Result<T, CatalogError> {
    let file = path.display().to_string();
    let text = read_text(path)?;
    let de = toml::Deserializer::new(&text);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let key = if path == "." || path.is_empty() {
            let line = inner.span().map(|s| text[..s.start.min(text.len())].lines().count().max(1)).unwrap_or(1);
            format!("line {line}")
        } else {
            named_key(&path, &text)
        };
        let message = inner.message().lines().next().unwrap_or("invalid").trim().to_string();
        CatalogError { file, key, message }
    })
}

/// Turns `template[3].due.time` into `template[shipping-daily-report].due.time`, using
/// the entry's `id` (or `email`), so the key can be found by searching the file.
fn named_key(path: &str, text: &str) -> String {
    let Some((head, rest)) = path.split_once(']') else { return path.to_string() };
    let Some((array, index)) = head.split_once('[') else { return path.to_string() };
    let name = toml::from_str::<toml::Table>(text).ok().and_then(|t| {
        let entry = t.get(array)?.as_array()?.get(index.parse::<usize>().ok()?)?.as_table()?.clone();
        entry.get("id").or_else(|| entry.get("email"))?.as_str().map(str::to_string)
    });
    match name {
        Some(n) => format!("{array}[{n}]{rest}"),
        None => path.to_string(),
    }
}

/// A short display of a catalogue file path for error lines.
pub fn shown(dir: &Path, name: &str) -> String {
    dir.join(name).display().to_string()
}
