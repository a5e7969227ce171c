//! The rules a catalogue must meet, checked file by file in dependency order.

use super::files::{read_toml, shown, CompanyFile, DutiesFile, OrgFile, StaffFile, TemplatesFile};
use super::{read_calendar, Catalog, CatalogError, Company};
use crate::domain::org::{Department, Duty, DutyKind, Position};
use crate::domain::recurrence::Recurrence;
use crate::domain::template::{Plan, Template};
use chrono::NaiveDate;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

fn fail<T>(file: &str, key: impl Into<String>, message: impl Into<String>) -> Result<T, CatalogError> {
    Err(CatalogError { file: file.to_string(), key: key.into(), message: message.into() })
}

pub(super) fn load(dir: &Path) -> Result<Catalog, CatalogError> {
    let co_dir = dir.join("company");
    if !co_dir.is_dir() {
        return fail(&co_dir.display().to_string(), "-", "no such folder (expected company/ in the config folder)");
    }
    let company = company(&co_dir)?;
    let (departments, positions) = org(&co_dir)?;
    if let Some(w) = company.webhooks.iter().find(|w| !departments.iter().any(|d| d.id == w.department)) {
        let file = shown(&co_dir, "company.toml");
        return fail(&file, format!("webhook[{}].department", w.id), format!("no department `{}`", w.department));
    }
    let duties = duties(&co_dir, &positions)?;
    let templates = templates(&co_dir, &positions, &duties, &company)?;
    let staff = read_toml::<StaffFile>(&co_dir.join("staff.toml"))?.staff;
    check_staff(&shown(&co_dir, "staff.toml"), &staff, &positions)?;
    let names: Vec<String> = company.calendars.iter().map(|c| c.name.clone()).collect();
    let co_file = shown(&co_dir, "company.toml");
    if let Some(d) = departments.iter().find(|d| d.calendar.as_ref().is_some_and(|c| !names.contains(c))) {
        let key = format!("department[{}].calendar", d.id);
        return fail(&shown(&co_dir, "org.toml"), key, "no such [[calendar]] in company.toml");
    }
    for (i, c) in company.calendars.iter().enumerate() {
        let key = format!("calendar[{}]", c.name);
        let ok = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_';
        if c.name.is_empty() || !c.name.bytes().all(ok) || names[..i].contains(&c.name) {
            return fail(&co_file, key + ".name", "a unique name of lower-case letters, digits and `_`");
        }
        match c.week() {
            Err(day) => return fail(&co_file, key + ".workdays", format!("`{day}` is not a day (mon … sun)")),
            Ok(w) if !w.contains(&true) => return fail(&co_file, key + ".workdays", "name at least one day"),
            Ok(_) => {}
        }
    }
    let mut calendars = Vec::new();
    let cal_dir = dir.join("calendars");
    if let Ok(entries) = std::fs::read_dir(&cal_dir) {
        let mut paths: Vec<_> =
            entries.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "tsv")).collect();
        paths.sort();
        for p in paths {
            let mut cal = read_calendar(&p)?;
            cal.calendar = super::calendar_of_file(&p, &names);
            // One calendar, one file a year: two would each say something of that year.
            for year in cal.years() {
                let same = |c: &&super::CalendarFile| c.calendar == cal.calendar && c.years().contains(&year);
                if let Some(other) = calendars.iter().find(same) {
                    let other = other.path.file_name().map(|f| f.to_string_lossy().to_string()).unwrap_or_default();
                    return fail(
                        &p.display().to_string(),
                        "-",
                        format!("{year} is already in {other}: one file a year"),
                    );
                }
            }
            calendars.push(cal);
        }
    }
    Ok(Catalog { company, departments, positions, duties, templates, staff, calendars })
}

fn company(dir: &Path) -> Result<Company, CatalogError> {
    let file = shown(dir, "company.toml");
    let raw: CompanyFile = read_toml(&dir.join("company.toml"))?;
    let Ok(timezone) = raw.timezone.parse::<chrono_tz::Tz>() else {
        return fail(
            &file,
            "timezone",
            format!("unknown time zone `{}` (an IANA name such as Asia/Shanghai)", raw.timezone),
        );
    };
    let mut festivals = Vec::new();
    let mut seen = BTreeSet::new();
    for f in &raw.festival {
        if !seen.insert(f.id.as_str()) {
            return fail(&file, format!("festival[{}]", f.id), "duplicate id");
        }
        festivals.push(f.parse().or_else(|(k, m)| fail(&file, format!("festival[{}].{k}", f.id), m))?);
    }
    raw.reminders.check(true).or_else(|(k, m)| fail(&file, format!("reminders.{k}"), m))?;
    let mut hooks = BTreeSet::new();
    for w in &raw.webhook {
        if !crate::domain::template::valid_name(&w.id) || !hooks.insert(w.id.as_str()) {
            return fail(&file, format!("webhook[{}].id", w.id), "empty, not a-z/0-9/_ or used twice");
        }
        w.check().or_else(|(k, m)| fail(&file, format!("webhook[{}].{k}", w.id), m))?;
    }
    Ok(Company {
        name: raw.name,
        name_en: raw.name_en,
        demo: raw.demo,
        timezone,
        festivals,
        festival_specs: raw.festival,
        reminders: raw.reminders,
        webhooks: raw.webhook,
        calendars: raw.calendar,
    })
}

fn org(dir: &Path) -> Result<(Vec<Department>, Vec<Position>), CatalogError> {
    let file = shown(dir, "org.toml");
    let raw: OrgFile = read_toml(&dir.join("org.toml"))?;
    let mut dept_ids = BTreeSet::new();
    for d in &raw.department {
        if !dept_ids.insert(d.id.as_str()) {
            return fail(&file, format!("department[{}]", d.id), "duplicate id");
        }
    }
    let mut positions = Vec::new();
    let mut pos_dept = HashMap::new();
    for p in &raw.position {
        let key = format!("position[{}]", p.id);
        if pos_dept.insert(p.id.as_str(), p.department.as_str()).is_some() {
            return fail(&file, key, "duplicate id");
        }
        if !dept_ids.contains(p.department.as_str()) {
            return fail(&file, key + ".department", format!("unknown department `{}`", p.department));
        }
        if p.headcount == 0 {
            return fail(&file, key + ".headcount", "must be at least 1");
        }
        positions.push(Position {
            id: p.id.clone(),
            department: p.department.clone(),
            zh: p.zh.clone(),
            en: p.en.clone(),
            headcount: p.headcount,
            manages_people: p.manages_people,
        });
    }
    let mut departments = Vec::new();
    for d in &raw.department {
        let key = format!("department[{}]", d.id);
        if let Some(lead) = &d.lead {
            if pos_dept.get(lead.as_str()) != Some(&d.id.as_str()) {
                return fail(&file, key + ".lead", format!("`{lead}` is not a position of this department"));
            }
        }
        if let Some(up) = &d.reports_to {
            if !dept_ids.contains(up.as_str()) || up == &d.id {
                return fail(&file, key + ".reports_to", format!("unknown department `{up}`"));
            }
        }
        departments.push(Department {
            id: d.id.clone(),
            zh: d.zh.clone(),
            en: d.en.clone(),
            lead_position: d.lead.clone(),
            reports_to: d.reports_to.clone(),
            calendar: d.calendar.clone(),
        });
    }
    check_reporting_line(&file, &departments)?;
    Ok((departments, positions))
}

/// Exactly one department is at the top, it leads itself, and every line reaches it.
fn check_reporting_line(file: &str, departments: &[Department]) -> Result<(), CatalogError> {
    let tops: Vec<&Department> = departments.iter().filter(|d| d.reports_to.is_none()).collect();
    let [top] = tops.as_slice() else {
        return fail(
            file,
            "department",
            format!("exactly one department must have no `reports_to`; found {}", tops.len()),
        );
    };
    if top.lead_position.is_none() {
        return fail(file, format!("department[{}].lead", top.id), "the top department needs a lead position");
    }
    let parent: HashMap<&str, Option<&str>> =
        departments.iter().map(|d| (d.id.as_str(), d.reports_to.as_deref())).collect();
    for d in departments {
        let mut cur = d.id.as_str();
        for _ in 0..=departments.len() {
            match parent.get(cur).copied().flatten() {
                Some(up) => cur = up,
                None => break,
            }
        }
        if parent.get(cur).copied().flatten().is_some() {
            return fail(file, format!("department[{}].reports_to", d.id), "the reporting line goes round in a circle");
        }
    }
    Ok(())
}

fn duties(dir: &Path, positions: &[Position]) -> Result<Vec<Duty>, CatalogError> {
    let file = shown(dir, "duties.toml");
    let raw: DutiesFile = read_toml(&dir.join("duties.toml"))?;
    let source = source_duties(dir)?;
    let known: BTreeSet<&str> = positions.iter().map(|p| p.id.as_str()).collect();
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for d in raw.duty {
        let key = format!("duty[{}]", d.id);
        if !seen.insert(d.id.clone()) {
            return fail(&file, key, "duplicate id");
        }
        if !known.contains(d.position.as_str()) {
            return fail(&file, key + ".position", format!("unknown position `{}`", d.position));
        }
        if !source.contains_key(&d.id) {
            return fail(&file, key, "not a duty of duties.tsv (ids are the source document's)");
        }
        if d.assigned && d.kind != DutyKind::Standing {
            return fail(&file, key + ".assigned", "only a standing duty receives assigned one-off work");
        }
        out.push(Duty {
            id: d.id,
            position: d.position,
            kind: d.kind,
            zh: d.zh,
            en: d.en,
            source: d.source,
            assigned: d.assigned,
        });
    }
    if let Some(missing) = source.keys().find(|id| !seen.contains(*id)) {
        return fail(&file, format!("duty[{missing}]"), "this duty of duties.tsv is missing");
    }
    Ok(out)
}

/// The ids and texts of `duties.tsv`, the source document's list.
fn source_duties(dir: &Path) -> Result<BTreeMap<String, String>, CatalogError> {
    let path = dir.join("duties.tsv");
    let file = path.display().to_string();
    let text = super::files::read_text(&path)?;
    let mut out = BTreeMap::new();
    for (i, line) in text.lines().enumerate().skip(1).filter(|(_, l)| !l.trim().is_empty()) {
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() < 5 {
            return fail(&file, format!("line {}", i + 1), "expected id, department, position, n, duty");
        }
        out.insert(cols[0].to_string(), cols[4].to_string());
    }
    Ok(out)
}

fn templates(
    dir: &Path,
    positions: &[Position],
    duties: &[Duty],
    company: &Company,
) -> Result<Vec<Template>, CatalogError> {
    let file = shown(dir, "templates.toml");
    let raw: TemplatesFile = read_toml(&dir.join("templates.toml"))?;
    let known: BTreeSet<&str> = positions.iter().map(|p| p.id.as_str()).collect();
    let by_id: HashMap<&str, &Duty> = duties.iter().map(|d| (d.id.as_str(), d)).collect();
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for spec in raw.template {
        if !seen.insert(spec.id.clone()) {
            return fail(&file, format!("template[{}]", spec.id), "duplicate id");
        }
        out.push(check_template(&file, spec, &known, &by_id, &company.festivals)?);
    }
    let covered: BTreeSet<&str> = out.iter().map(|t| t.spec.duty.as_str()).collect();
    if let Some(d) = duties.iter().find(|d| d.kind != DutyKind::Standing && !covered.contains(d.id.as_str())) {
        return fail(&file, "template", format!("{} duty `{}` has no template", d.kind.as_str(), d.id));
    }
    Ok(out)
}

/// One template against the duties, positions and festivals it names: the same
/// checks (and words) for a file and for the admins' edit form.
pub fn check_template(
    file: &str,
    spec: crate::domain::template::TemplateSpec,
    positions: &BTreeSet<&str>,
    duties: &HashMap<&str, &Duty>,
    festivals: &[crate::domain::festival::Festival],
) -> Result<Template, CatalogError> {
    let key = format!("template[{}]", spec.id);
    let id_ok = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-._".contains(&b);
    if spec.id.is_empty() || spec.id.len() > 64 || !spec.id.bytes().all(id_ok) {
        return fail(file, key + ".id", "use 1 to 64 lower-case letters, digits, `-`, `_` and `.`");
    }
    let Some(duty) = duties.get(spec.duty.as_str()) else {
        return fail(file, key + ".duty", format!("unknown duty `{}`", spec.duty));
    };
    if let Some(p) = spec.position.as_deref().filter(|p| !positions.contains(p)) {
        return fail(file, key + ".position", format!("unknown position `{p}`"));
    }
    let t = spec.parse(&duty.position, festivals).or_else(|e| fail(file, format!("{key}.{}", e.key), e.message))?;
    let festival = matches!(&t.plan, Plan::Schedule(s) if matches!(s.recurrence, Recurrence::Festival { .. }));
    match (duty.kind, &t.plan) {
        (DutyKind::Standing, _) => {
            fail(file, key + ".duty", format!("duty `{}` is standing: it produces no task", duty.id))
        }
        (DutyKind::Recurring, Plan::Trigger { .. }) => {
            fail(file, key + ".trigger", format!("duty `{}` is recurring: give the template a schedule", duty.id))
        }
        (DutyKind::Event, Plan::Schedule(_)) if !festival => fail(
            file,
            key + ".schedule",
            format!("duty `{}` is an event: use a trigger or a festival schedule", duty.id),
        ),
        _ => Ok(t),
    }
}

fn check_staff(file: &str, staff: &[super::StaffEntry], positions: &[Position]) -> Result<(), CatalogError> {
    let known: BTreeSet<&str> = positions.iter().map(|p| p.id.as_str()).collect();
    let mut emails = BTreeSet::new();
    for s in staff {
        let key = format!("staff[{}]", s.email);
        if !valid_email(&s.email) {
            return fail(file, key + ".email", "not an email address");
        }
        if !emails.insert(s.email.to_lowercase()) {
            return fail(file, key, "duplicate email");
        }
        if s.name.trim().is_empty() {
            return fail(file, key + ".name", "must not be empty");
        }
        for (field, list) in [("positions", &s.positions), ("deputy_for", &s.deputy_for)] {
            if let Some(p) = list.iter().find(|p| !known.contains(p.as_str())) {
                return fail(file, format!("{key}.{field}"), format!("unknown position `{p}`"));
            }
        }
        if NaiveDate::parse_from_str(&s.since, "%Y-%m-%d").is_err() {
            return fail(file, key + ".since", format!("`{}` is not a date (YYYY-MM-DD)", s.since));
        }
        if !matches!(s.locale.as_str(), "zh-CN" | "en") {
            return fail(file, key + ".locale", format!("`{}` is not zh-CN or en", s.locale));
        }
    }
    Ok(())
}

/// An address lettre can send to, on a domain with a dot.
pub fn valid_email(s: &str) -> bool {
    // lettre's parser is the one that will send to it; a company address also needs
    // a domain with a dot.
    s.parse::<lettre::Address>().is_ok_and(|a| a.domain().contains('.') && !a.domain().ends_with('.'))
}
