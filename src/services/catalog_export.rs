//! The database's catalogue written back as files that `dutyday check` accepts, so a
//! company can keep its catalogue in git and review every change with `catalog diff`:
//! `company/{company,org,duties,templates,staff}.toml`, `company/duties.tsv` and
//! `calendars/<name>-<year>.tsv`. The staff file holds today's people and positions,
//! never passwords.

use super::{AppError, AppResult};
use crate::catalog::files::{
    CompanyFile, DepartmentEntry, DutiesFile, DutyEntry, OrgFile, PositionEntry, StaffEntry, StaffFile, TemplatesFile,
};
use crate::db::{self, DbPool};
use crate::domain::org::DutyKind;
use crate::domain::template::TemplateSpec;
use chrono::{DateTime, Datelike, Utc};
use std::collections::BTreeMap;
use std::path::Path;

fn corrupt(what: &str, e: impl std::fmt::Display) -> AppError {
    AppError::corrupt(format!("{what}: {e}"))
}

fn write(path: &Path, text: &str) -> AppResult<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| AppError::internal(format!("{}: {e}", dir.display())))?;
    }
    std::fs::write(path, text).map_err(|e| AppError::internal(format!("{}: {e}", path.display())))
}

fn toml_of(what: &str, value: &impl serde::Serialize) -> AppResult<String> {
    toml::to_string(value).map_err(|e| corrupt(what, e))
}

/// Writes the catalogue to `dir`; returns the files written.
pub fn export(pool: &DbPool, dir: &Path, now: DateTime<Utc>) -> AppResult<Vec<String>> {
    let mut conn = pool.get()?;
    let conn = &mut conn.any();
    let company = db::org::company(conn)?.ok_or_else(|| AppError::new(crate::error::ErrorCode::NotImported))?;
    let org = db::org::load(conn)?;
    let (_, today) = super::context::company_today(conn, now)?;
    let mut files = BTreeMap::new();
    let company_file = CompanyFile {
        name: company.name.clone(),
        name_en: company.name_en.clone(),
        timezone: company.timezone.clone(),
        demo: false,
        festival: serde_json::from_str(&company.festivals).map_err(|e| corrupt("festivals", e))?,
        reminders: serde_json::from_str(&company.reminders).map_err(|e| corrupt("reminders", e))?,
        webhook: serde_json::from_str(&company.webhooks).map_err(|e| corrupt("webhooks", e))?,
        calendar: serde_json::from_str(&company.calendars).map_err(|e| corrupt("calendars", e))?,
    };
    files.insert("company/company.toml".to_string(), toml_of("company", &company_file)?);
    let org_file = OrgFile {
        department: org
            .departments
            .iter()
            .map(|d| DepartmentEntry {
                id: d.id.clone(),
                zh: d.zh.clone(),
                en: d.en.clone(),
                lead: d.lead_position_id.clone(),
                reports_to: d.reports_to.clone(),
                calendar: d.calendar.clone(),
            })
            .collect(),
        position: org
            .positions
            .iter()
            .map(|p| PositionEntry {
                id: p.id.clone(),
                department: p.department_id.clone(),
                zh: p.zh.clone(),
                en: p.en.clone(),
                headcount: u32::try_from(p.headcount).unwrap_or(1),
                manages_people: p.manages_people,
            })
            .collect(),
    };
    files.insert("company/org.toml".to_string(), toml_of("org", &org_file)?);
    // A catch-all duty made for one-off work is the database's own, not the catalogue's.
    let duties: Vec<_> = org.duties.iter().filter(|d| !(d.assigned && d.source.is_empty())).collect();
    let mut duty_file = DutiesFile { duty: Vec::new() };
    let mut tsv = String::from("id\tdepartment\tposition\tn\tduty\n");
    let mut nth: BTreeMap<&str, usize> = BTreeMap::new();
    for d in &duties {
        let kind = DutyKind::parse(&d.kind).ok_or_else(|| corrupt("duty kind", &d.kind))?;
        duty_file.duty.push(DutyEntry {
            id: d.id.clone(),
            position: d.position_id.clone(),
            kind,
            zh: d.zh.clone(),
            en: d.en.clone(),
            source: d.source.clone(),
            assigned: d.assigned,
        });
        let pos = org.positions.iter().find(|p| p.id == d.position_id);
        let dept = pos.and_then(|p| org.departments.iter().find(|x| x.id == p.department_id));
        let n = nth.entry(d.position_id.as_str()).or_default();
        *n += 1;
        tsv.push_str(&format!(
            "{}\t{}\t{}\t{n}\t{}\n",
            d.id,
            dept.map_or("", |x| x.zh.as_str()),
            pos.map_or("", |p| p.zh.as_str()),
            d.source.replace(['\t', '\n'], " ")
        ));
    }
    files.insert("company/duties.toml".to_string(), toml_of("duties", &duty_file)?);
    files.insert("company/duties.tsv".to_string(), tsv);
    let template: Vec<TemplateSpec> = org
        .templates
        .iter()
        .map(|t| serde_json::from_str(&t.spec).map_err(|e| corrupt(&format!("template {}", t.id), e)))
        .collect::<AppResult<_>>()?;
    files.insert("company/templates.toml".to_string(), toml_of("templates", &TemplatesFile { template })?);
    let mut staff = Vec::new();
    for p in db::staff::all(conn)?.into_iter().filter(|p| p.active_on(today)) {
        let tenures = db::staff::tenures_of(conn, p.id)?;
        let now_held = |deputy: bool| -> Vec<String> {
            tenures
                .iter()
                .filter(|h| h.deputy == deputy && h.valid_from <= today && h.valid_to.is_none_or(|t| t >= today))
                .map(|h| h.position_id.clone())
                .collect()
        };
        let since = tenures.iter().map(|h| h.valid_from).min().unwrap_or(today);
        staff.push(StaffEntry {
            email: p.email.clone(),
            name: p.name.clone(),
            positions: now_held(false),
            deputy_for: now_held(true),
            admin: p.is_admin,
            since: since.to_string(),
            locale: p.locale.clone(),
        });
    }
    files.insert("company/staff.toml".to_string(), toml_of("staff", &StaffFile { staff })?);
    // The company's calendar as calendar-YYYY.tsv, a department's as NAME-YYYY.tsv.
    for (name, cal) in db::calendar::load_all(conn)? {
        let mut years: BTreeMap<i32, String> = BTreeMap::new();
        for d in cal.days {
            let text = years.entry(d.date.year()).or_insert_with(|| "date\tkind\tname\n".to_string());
            text.push_str(&format!("{}\t{}\t{}\n", d.date, d.kind.as_str(), d.name));
        }
        let prefix = if name.is_empty() { "calendar" } else { name.as_str() };
        for (year, text) in years {
            files.insert(format!("calendars/{prefix}-{year}.tsv"), text);
        }
    }
    for (name, text) in &files {
        write(&dir.join(name), text)?;
    }
    Ok(files.into_keys().collect())
}
