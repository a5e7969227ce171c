//! Everything generation and assignment need, loaded from the database at once (the
//! catalogue a page of templates at a time, so a large one is never all JSON at once).

use super::{AppError, AppResult};
use crate::db::{self, AnyConn};
use crate::domain::calendar::{CalendarSpec, WorkCalendar};
use crate::domain::festival::{Festival, FestivalSpec};
use crate::domain::org::{Department, Position};
use crate::domain::staffing::{Holding, Leave, Staffing};
use crate::domain::template::{Template, TemplateSpec};
use crate::error::ErrorCode;
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use std::collections::HashMap;

/// The origin of a catalogue's templates (one-off tasks' are made by their lead).
const CATALOGUE: &str = "catalogue";

/// The company as generation sees it.
pub struct Context {
    pub tz: Tz,
    /// The company's calendar; a department may have its own (see [`Context::calendar_of`]).
    pub calendar: WorkCalendar,
    /// Department calendars by name.
    pub named_calendars: HashMap<String, WorkCalendar>,
    /// The calendar name of each department that has its own.
    pub department_calendar: HashMap<String, String>,
    pub festivals: Vec<Festival>,
    pub departments: Vec<Department>,
    pub positions: Vec<Position>,
    /// Active templates, in catalogue order.
    pub templates: Vec<Template>,
    pub staffing: Staffing,
}

impl Context {
    /// Loads the company, with holdings and leave relevant from `since` on.
    pub fn load(conn: &mut AnyConn, since: NaiveDate) -> AppResult<Context> {
        Context::load_paged(conn, since, db::versions::TEMPLATES_PER_READ)
    }

    /// [`Context::load`] reading `per_read` templates a statement (tested against
    /// other page sizes: the result does not depend on it).
    pub fn load_paged(conn: &mut AnyConn, since: NaiveDate, per_read: i64) -> AppResult<Context> {
        let company = db::org::company(conn)?.ok_or_else(|| AppError::new(ErrorCode::NotImported))?;
        let tz: Tz =
            company.timezone.parse().map_err(|_| AppError::corrupt(format!("time zone `{}`", company.timezone)))?;
        let specs: Vec<FestivalSpec> =
            serde_json::from_str(&company.festivals).map_err(|e| AppError::corrupt(format!("festivals: {e}")))?;
        let festivals = specs
            .iter()
            .map(|f| f.parse().map_err(|(k, m)| AppError::corrupt(format!("festival {}.{k}: {m}", f.id))))
            .collect::<Result<Vec<_>, _>>()?;
        let (calendar, named_calendars) = calendars(conn, &company.calendars)?;
        let org = db::org::load_without_templates(conn)?;
        let departments: Vec<Department> = org.departments.into_iter().map(Department::from).collect();
        let department_calendar =
            departments.iter().filter_map(|d| d.calendar.clone().map(|c| (d.id.clone(), c))).collect();
        let positions: Vec<Position> = org.positions.into_iter().map(Position::from).collect();
        let duty_position: HashMap<String, String> = org.duties.into_iter().map(|d| (d.id, d.position_id)).collect();
        let imported_on = company.imported_at.date();
        let parse = |id: &str, spec: &str, position: &str| -> AppResult<Template> {
            let spec: TemplateSpec =
                serde_json::from_str(spec).map_err(|e| AppError::corrupt(format!("template {id}: {e}")))?;
            let pos = duty_position.get(&spec.duty).map(String::as_str).unwrap_or(position);
            spec.parse(pos, &festivals)
                .map_err(|e| AppError::corrupt(format!("template {id}: {}: {}", e.key, e.message)))
        };
        // A page of templates at a time (a start-up that catches up would otherwise
        // keep the peak of a large catalogue's JSON for good); then in catalogue order.
        let mut templates: Vec<(i32, Template)> = Vec::new();
        db::versions::template_pages(conn, per_read, |page, mut versions| -> AppResult<()> {
            for row in page.into_iter().filter(|t| t.active && t.origin == CATALOGUE) {
                let paused = row.paused_at.is_some();
                match versions.remove(&row.id) {
                    // Each version for the dates from its own until the next one's.
                    Some(vs) => {
                        for (i, v) in vs.iter().enumerate() {
                            let until = vs.get(i + 1).map(|n| n.effective_from).or(row.retired_on);
                            // What was there at import has always been; what came later
                            // starts on its date.
                            let from = (i > 0 || v.effective_from > imported_on).then_some(v.effective_from);
                            if matches!((from, until), (Some(f), Some(u)) if f >= u) {
                                continue; // replaced on the day it took effect
                            }
                            let mut t = parse(&row.id, &v.spec, &v.position_id)?;
                            (t.paused, t.version, t.from, t.until) = (paused, v.version, from, until);
                            templates.push((row.sort_order, t));
                        }
                    }
                    None => {
                        let mut t = parse(&row.id, &row.spec, &row.position_id)?;
                        (t.paused, t.version, t.until) = (paused, row.version, row.retired_on);
                        templates.push((row.sort_order, t));
                    }
                }
            }
            Ok(())
        })?;
        templates.sort_by_key(|(order, _)| *order);
        let templates: Vec<Template> = templates.into_iter().map(|(_, t)| t).collect();
        let holdings = db::staff::holders_since(conn, since)?
            .into_iter()
            .map(|h| Holding {
                staff: h.staff_id,
                position: h.position_id,
                deputy: h.deputy,
                from: h.valid_from,
                to: h.valid_to,
            })
            .collect();
        let leaves = db::staff::leaves_since(conn, since)?
            .into_iter()
            .map(|l| Leave { staff: l.staff_id, from: l.starts_on, to: l.ends_on })
            .collect();
        let staffing = Staffing::new(departments.clone(), positions.clone(), holdings, leaves);
        Ok(Context {
            tz,
            calendar,
            named_calendars,
            department_calendar,
            festivals,
            departments,
            positions,
            templates,
            staffing,
        })
    }

    /// The calendar of a department: its own, or the company's.
    pub fn calendar_of(&self, department: &str) -> &WorkCalendar {
        self.department_calendar.get(department).and_then(|n| self.named_calendars.get(n)).unwrap_or(&self.calendar)
    }

    /// The calendar of a position's department.
    pub fn calendar_of_position(&self, position: &str) -> &WorkCalendar {
        self.staffing.position(position).map_or(&self.calendar, |p| self.calendar_of(&p.department))
    }

    /// The version of template `id` in force on `date`, if any.
    pub fn template_on(&self, id: &str, date: NaiveDate) -> Option<&Template> {
        self.templates.iter().find(|t| t.spec.id == id && t.in_force(date))
    }

    /// The company's local date at `now`.
    pub fn today(&self, now: DateTime<Utc>) -> NaiveDate {
        now.with_timezone(&self.tz).date_naive()
    }

    /// The department of a position.
    pub fn department_of(&self, position: &str) -> AppResult<&str> {
        self.staffing
            .position(position)
            .map(|p| p.department.as_str())
            .ok_or_else(|| AppError::corrupt(format!("unknown position `{position}`")))
    }
}

/// The company's calendar and the departments' own by name, from the database and
/// the company's `calendars` (JSON: names and usual working days).
pub fn calendars(conn: &mut AnyConn, specs: &str) -> AppResult<(WorkCalendar, HashMap<String, WorkCalendar>)> {
    let specs: Vec<CalendarSpec> =
        serde_json::from_str(specs).map_err(|e| AppError::corrupt(format!("calendars: {e}")))?;
    let mut stored = db::calendar::load_all(conn)?;
    let company = stored.remove("").unwrap_or_default();
    let mut named = HashMap::new();
    for spec in specs {
        let week = spec.week().map_err(|d| AppError::corrupt(format!("calendar {}: day `{d}`", spec.name)))?;
        let own = stored.remove(&spec.name).unwrap_or_default();
        named.insert(spec.name, WorkCalendar::new(own.days, own.years).with_week(week));
    }
    Ok((WorkCalendar::new(company.days, company.years), named))
}

/// The company's local date at `now`, read from the stored time zone.
pub fn company_today(conn: &mut AnyConn, now: DateTime<Utc>) -> AppResult<(Tz, NaiveDate)> {
    let tz = company_zone(conn)?;
    Ok((tz, now.with_timezone(&tz).date_naive()))
}

/// The company's time zone.
pub fn company_zone(conn: &mut AnyConn) -> AppResult<Tz> {
    let company = db::org::company(conn)?.ok_or_else(|| AppError::new(ErrorCode::NotImported))?;
    company.timezone.parse().map_err(|_| AppError::corrupt(format!("time zone `{}`", company.timezone)))
}
