//! Company, departments, positions, duties and templates.

use super::schema::{company, departments, duties, positions, template_state, templates};
use super::AnyConn;
use crate::with_conn;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

/// The single company row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = company)]
pub struct CompanyRow {
    pub id: i32,
    pub name: String,
    pub name_en: String,
    pub timezone: String,
    /// The festivals as JSON.
    pub festivals: String,
    pub imported_at: NaiveDateTime,
    /// The reminder policy and sending window as JSON.
    pub reminders: String,
    /// The department webhooks as JSON.
    pub webhooks: String,
    /// Bumped by every catalogue change, so another instance can see one happened.
    pub catalog_version: i64,
    /// The departments' calendars (`[[calendar]]`) as JSON.
    pub calendars: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = departments)]
pub struct DepartmentRow {
    pub id: String,
    pub zh: String,
    pub en: String,
    pub lead_position_id: Option<String>,
    pub reports_to: Option<String>,
    pub sort_order: i32,
    /// From this date it is gone (kept for the history that names it).
    pub retired_on: Option<NaiveDate>,
    /// Its own calendar's name; none: the company's.
    pub calendar: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = positions)]
pub struct PositionRow {
    pub id: String,
    pub department_id: String,
    pub zh: String,
    pub en: String,
    pub headcount: i32,
    pub sort_order: i32,
    pub manages_people: bool,
    /// From this date it is gone (kept for the history that names it).
    pub retired_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = duties)]
pub struct DutyRow {
    pub id: String,
    pub position_id: String,
    pub kind: String,
    pub zh: String,
    pub en: String,
    pub source: String,
    pub sort_order: i32,
    /// Receives one-off tasks ("carry out what superiors assign").
    pub assigned: bool,
    /// From this date it is gone (kept for the history that names it).
    pub retired_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = templates)]
pub struct TemplateRow {
    pub id: String,
    pub duty_id: String,
    pub position_id: String,
    pub zh: String,
    pub en: String,
    /// The [`crate::domain::template::TemplateSpec`] as JSON.
    pub spec: String,
    pub active: bool,
    pub sort_order: i32,
    /// `catalogue`, or `one_off` for a lead's one-off task.
    pub origin: String,
    /// When it was paused; none while it runs.
    pub paused_at: Option<NaiveDateTime>,
    /// The latest version (see `template_versions`).
    pub version: i32,
    /// It makes nothing from this date on.
    pub retired_on: Option<NaiveDate>,
    /// Why it was retired, shown on the tasks it cancelled.
    pub retire_reason: String,
}

/// The whole organisation and catalogue, as stored.
#[derive(Debug, Clone)]
pub struct OrgRows {
    pub departments: Vec<DepartmentRow>,
    pub positions: Vec<PositionRow>,
    pub duties: Vec<DutyRow>,
    pub templates: Vec<TemplateRow>,
}

/// The company row, if the catalogue has been imported.
pub fn company(conn: &mut AnyConn) -> QueryResult<Option<CompanyRow>> {
    with_conn!(conn, c => company::table.select(CompanyRow::as_select()).first(c).optional())
}

/// Writes a whole catalogue (into an empty database).
pub fn insert_all(conn: &mut AnyConn, co: &CompanyRow, org: &OrgRows) -> QueryResult<()> {
    with_conn!(conn, c => {
        diesel::insert_into(company::table).values(co).execute(c)?;
        // Departments first without their lead and parent, which point at rows not yet there.
        let bare: Vec<DepartmentRow> = org.departments.iter().map(|d| DepartmentRow { lead_position_id: None, reports_to: None, ..d.clone() }).collect();
        // In slices: PostgreSQL takes at most 65,535 parameters per statement.
        for chunk in bare.chunks(super::INSERT_CHUNK) {
            diesel::insert_into(departments::table).values(chunk).execute(c)?;
        }
        for chunk in org.positions.chunks(super::INSERT_CHUNK) {
            diesel::insert_into(positions::table).values(chunk).execute(c)?;
        }
        for d in &org.departments {
            diesel::update(departments::table.find(&d.id))
                .set((departments::lead_position_id.eq(&d.lead_position_id), departments::reports_to.eq(&d.reports_to)))
                .execute(c)?;
        }
        for chunk in org.duties.chunks(super::INSERT_CHUNK) {
            diesel::insert_into(duties::table).values(chunk).execute(c)?;
        }
        for chunk in org.templates.chunks(super::INSERT_CHUNK) {
            diesel::insert_into(templates::table).values(chunk).execute(c)?;
        }
        Ok(())
    })
}

/// Everything of [`OrgRows`], in catalogue order.
pub fn load(conn: &mut AnyConn) -> QueryResult<OrgRows> {
    with_conn!(conn, c => Ok(OrgRows {
        departments: departments::table.order(departments::sort_order).select(DepartmentRow::as_select()).load(c)?,
        positions: positions::table.order(positions::sort_order).select(PositionRow::as_select()).load(c)?,
        duties: duties::table.order(duties::sort_order).select(DutyRow::as_select()).load(c)?,
        templates: templates::table
            .filter(templates::origin.eq("catalogue"))
            .order(templates::sort_order)
            .select(TemplateRow::as_select())
            .load(c)?,
    }))
}

/// Up to `limit` templates (one-off tasks' too) with ids after `after`, by id: the
/// directory reads a large catalogue a page at a time.
pub fn templates_after(conn: &mut AnyConn, after: &str, limit: i64) -> QueryResult<Vec<TemplateRow>> {
    with_conn!(conn, c => templates::table
        .filter(templates::id.gt(after))
        .order(templates::id)
        .limit(limit)
        .select(TemplateRow::as_select())
        .load(c))
}

/// The departments, positions and duties, without the templates.
pub fn load_without_templates(conn: &mut AnyConn) -> QueryResult<OrgRows> {
    with_conn!(conn, c => Ok(OrgRows {
        departments: departments::table.order(departments::sort_order).select(DepartmentRow::as_select()).load(c)?,
        positions: positions::table.order(positions::sort_order).select(PositionRow::as_select()).load(c)?,
        duties: duties::table.order(duties::sort_order).select(DutyRow::as_select()).load(c)?,
        templates: Vec::new(),
    }))
}

/// Stores a one-off task's template (origin `one_off`, never generated).
pub fn insert_template(conn: &mut AnyConn, row: &TemplateRow) -> QueryResult<usize> {
    with_conn!(conn, c => diesel::insert_into(templates::table).values(row).execute(c))
}

/// Stores a duty (a position's catch-all for assigned work).
pub fn insert_duty(conn: &mut AnyConn, row: &DutyRow) -> QueryResult<usize> {
    with_conn!(conn, c => diesel::insert_into(duties::table).values(row).on_conflict_do_nothing().execute(c))
}

/// How far each template has been generated.
pub fn generated_through(conn: &mut AnyConn) -> QueryResult<Vec<(String, NaiveDate)>> {
    with_conn!(conn, c => template_state::table.select((template_state::template_id, template_state::generated_through)).load(c))
}

/// Moves these templates' generation marks forward to `through`; never backward, even
/// when another instance got further meanwhile. Two statements per thousand templates.
pub fn advance_generated_through(conn: &mut AnyConn, templates: &[&str], through: NaiveDate) -> QueryResult<()> {
    for chunk in templates.chunks(super::INSERT_CHUNK) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|t| (template_state::template_id.eq(*t), template_state::generated_through.eq(through)))
            .collect();
        with_conn!(conn, c => {
            diesel::insert_into(template_state::table).values(&rows).on_conflict_do_nothing().execute(c)?;
            diesel::update(
                template_state::table
                    .filter(template_state::template_id.eq_any(chunk))
                    .filter(template_state::generated_through.lt(through)),
            )
            .set(template_state::generated_through.eq(through))
            .execute(c)?;
            QueryResult::Ok(())
        })?;
    }
    Ok(())
}

/// The templates with these ids, with their duty's and position's names.
pub fn templates_named(conn: &mut AnyConn, ids: &[String]) -> QueryResult<Vec<(TemplateRow, DutyRow, PositionRow)>> {
    with_conn!(conn, c => templates::table
        .inner_join(duties::table.on(duties::id.eq(templates::duty_id)))
        .inner_join(positions::table.on(positions::id.eq(templates::position_id)))
        .filter(templates::id.eq_any(ids))
        .select((TemplateRow::as_select(), DutyRow::as_select(), PositionRow::as_select()))
        .load(c))
}

/// The departments alone, in catalogue order (every request's access check needs them).
pub fn departments(conn: &mut AnyConn) -> QueryResult<Vec<DepartmentRow>> {
    with_conn!(conn, c => departments::table.order(departments::sort_order).select(DepartmentRow::as_select()).load(c))
}

impl From<DepartmentRow> for crate::domain::org::Department {
    fn from(d: DepartmentRow) -> Self {
        crate::domain::org::Department {
            id: d.id,
            zh: d.zh,
            en: d.en,
            lead_position: d.lead_position_id,
            reports_to: d.reports_to,
            calendar: d.calendar,
        }
    }
}

impl From<PositionRow> for crate::domain::org::Position {
    fn from(p: PositionRow) -> Self {
        crate::domain::org::Position {
            id: p.id,
            department: p.department_id,
            zh: p.zh,
            en: p.en,
            headcount: u32::try_from(p.headcount).unwrap_or(0),
            manages_people: p.manages_people,
        }
    }
}

/// One position, if it exists.
pub fn position(conn: &mut AnyConn, id: &str) -> QueryResult<Option<PositionRow>> {
    with_conn!(conn, c => positions::table.find(id).select(PositionRow::as_select()).first(c).optional())
}

/// The positions whose holders manage people (HR).
pub fn people_positions(conn: &mut AnyConn) -> QueryResult<Vec<String>> {
    with_conn!(conn, c => positions::table.filter(positions::manages_people.eq(true)).select(positions::id).load(c))
}

/// Pauses (`Some(when)`) or resumes (`None`) a catalogue template; 0 when there is none.
pub fn set_paused(conn: &mut AnyConn, id: &str, at: Option<NaiveDateTime>) -> QueryResult<usize> {
    with_conn!(conn, c => diesel::update(templates::table.find(id).filter(templates::origin.eq("catalogue")))
        .set(templates::paused_at.eq(at))
        .execute(c))
}
