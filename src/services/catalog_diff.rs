//! What the catalogue files would change in the database: items added, changed (with
//! the fields) and retired. `dutyday catalog diff` prints it; `serve` says at start
//! when the files differ from (or no longer validate against) what the database holds.

use super::AppResult;
use crate::catalog::Catalog;
use crate::db::org::{CompanyRow, OrgRows};
use crate::db::{self, AnyConn, DbPool};
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashSet};

/// One difference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// `added`, `changed` or `retired`.
    pub what: &'static str,
    /// `template[warehouse-stocktake]`, `position[cs.agent]`, `company`.
    pub item: String,
    /// For a change, the fields that differ.
    pub fields: Vec<String>,
}

/// Hands each item to `f` by key, as JSON: the parts of a catalogue that are
/// compared. The rows are consumed as they go, so a large catalogue is never held as
/// JSON all at once.
fn each_item(company: &CompanyRow, org: OrgRows, mut f: impl FnMut(String, Value)) {
    let parse = |s: &str| serde_json::from_str::<Value>(s).unwrap_or(Value::String(s.to_string()));
    f(
        "company".to_string(),
        json!({"name": company.name, "name_en": company.name_en, "timezone": company.timezone,
            "festivals": parse(&company.festivals), "reminders": parse(&company.reminders), "webhooks": parse(&company.webhooks), "calendars": parse(&company.calendars)}),
    );
    // What was retired is gone from the catalogue (and the files may bring it back).
    for d in org.departments.into_iter().filter(|d| d.retired_on.is_none()) {
        f(
            format!("department[{}]", d.id),
            json!({"zh": d.zh, "en": d.en, "lead": d.lead_position_id, "reports_to": d.reports_to, "calendar": d.calendar}),
        );
    }
    for p in org.positions.into_iter().filter(|p| p.retired_on.is_none()) {
        f(
            format!("position[{}]", p.id),
            json!({"department": p.department_id, "zh": p.zh, "en": p.en, "headcount": p.headcount, "manages_people": p.manages_people}),
        );
    }
    // A catch-all duty made for one-off work is the database's own, not the files'.
    for d in org.duties.into_iter().filter(|d| !(d.assigned && d.source.is_empty()) && d.retired_on.is_none()) {
        f(
            format!("duty[{}]", d.id),
            json!({"position": d.position_id, "kind": d.kind, "zh": d.zh, "en": d.en, "source": d.source, "assigned": d.assigned}),
        );
    }
    for t in org.templates.into_iter().filter(|t| t.retired_on.is_none()) {
        f(format!("template[{}]", t.id), parse(&t.spec));
    }
}

/// The fields of two JSON objects that differ, sorted.
fn fields(a: &Value, b: &Value) -> Vec<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            keys.into_iter().filter(|k| x.get(*k) != y.get(*k)).cloned().collect()
        }
        _ => vec![],
    }
}

/// What loading `catalog` would change in the database's catalogue.
pub fn diff(pool: &DbPool, catalog: &Catalog) -> AppResult<Vec<Change>> {
    let mut conn = pool.get()?;
    diff_in(&mut conn.any(), catalog)
}

/// [`diff`] on the caller's connection (inside a change's transaction).
pub fn diff_in(conn: &mut AnyConn, catalog: &Catalog) -> AppResult<Vec<Change>> {
    let Some(company) = db::org::company(conn)? else {
        return Ok(vec![Change { what: "added", item: "company".into(), fields: vec![] }]);
    };
    let (file_company, file_org) = super::import::rows_of(catalog, chrono::Utc::now())?;
    let mut files = BTreeMap::new();
    each_item(&file_company, file_org, |key, value| {
        files.insert(key, value);
    });
    // The database's items one at a time against the files' (at 20,000 templates,
    // holding both sides as JSON took some 90 MB at every start).
    let (mut seen, mut changed, mut retired) = (HashSet::new(), BTreeMap::new(), Vec::new());
    each_item(&company, db::org::load(conn)?, |key, old| match files.get(&key) {
        None => retired.push(key),
        Some(value) => {
            if old != *value {
                changed.insert(key.clone(), fields(&old, value));
            }
            seen.insert(key);
        }
    });
    let mut out = Vec::new();
    for key in files.keys() {
        if let Some(fields) = changed.remove(key) {
            out.push(Change { what: "changed", item: key.clone(), fields });
        } else if !seen.contains(key) {
            out.push(Change { what: "added", item: key.clone(), fields: vec![] });
        }
    }
    retired.sort();
    out.extend(retired.into_iter().map(|item| Change { what: "retired", item, fields: vec![] }));
    out.extend(calendar_changes(conn, catalog)?);
    Ok(out)
}

/// `calendar[2027]` (the company's) or `calendar[stores:2027]`.
pub fn calendar_item(calendar: &str, year: i32) -> String {
    if calendar.is_empty() {
        format!("calendar[{year}]")
    } else {
        format!("calendar[{calendar}:{year}]")
    }
}

/// The years of the calendar files that are not loaded, or loaded with other days.
/// A loaded year without a file is left alone (it may have come by `calendar load`).
fn calendar_changes(conn: &mut AnyConn, catalog: &Catalog) -> AppResult<Vec<Change>> {
    use chrono::Datelike;
    let stored = db::calendar::load_all(conn)?;
    let mut out = Vec::new();
    for file in &catalog.calendars {
        let have = stored.get(&file.calendar);
        for year in file.years() {
            let days = |list: &[crate::domain::calendar::CalendarDay]| {
                let mut v: Vec<_> = list
                    .iter()
                    .filter(|d| d.date.year() == year)
                    .map(|d| (d.date, d.kind.as_str(), d.name.clone()))
                    .collect();
                v.sort();
                v
            };
            let what = match have {
                Some(h) if h.years.contains(&year) && days(&h.days) == days(&file.days) => continue,
                Some(h) if h.years.contains(&year) => "changed",
                _ => "added",
            };
            out.push(Change { what, item: calendar_item(&file.calendar, year), fields: vec![] });
        }
    }
    Ok(out)
}
