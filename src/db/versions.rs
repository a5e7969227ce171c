//! Catalogue changes as stored: template versions, retirement, the catalogue's change
//! counter, and what a change does to the tasks already made.

use super::org::{DepartmentRow, DutyRow, PositionRow, TemplateRow};
use super::schema::{company, departments, duties, positions, tasks, template_versions, templates};
use super::tasks::TaskRow;
use super::AnyConn;
use crate::domain::task::TaskStatus;
use crate::with_conn;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use std::collections::HashMap;

/// One version of a catalogue template.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = template_versions)]
pub struct VersionRow {
    pub template_id: String,
    pub version: i32,
    /// The first occurrence date it applies to.
    pub effective_from: NaiveDate,
    pub duty_id: String,
    pub position_id: String,
    pub zh: String,
    pub en: String,
    pub spec: String,
    pub created_at: NaiveDateTime,
    pub created_by: Option<i64>,
    /// Why it was made, in the words of whoever made it.
    pub reason: String,
}

/// Stores a version.
pub fn insert(conn: &mut AnyConn, rows: &[VersionRow]) -> QueryResult<()> {
    for chunk in rows.chunks(super::INSERT_CHUNK) {
        with_conn!(conn, c => diesel::insert_into(template_versions::table).values(chunk).execute(c))?;
    }
    Ok(())
}

/// A template's versions, oldest first.
pub fn of_template(conn: &mut AnyConn, id: &str) -> QueryResult<Vec<VersionRow>> {
    with_conn!(conn, c => template_versions::table
        .filter(template_versions::template_id.eq(id))
        .order(template_versions::version)
        .select(VersionRow::as_select())
        .load(c))
}

/// Templates read by one statement when the whole catalogue is read a page at a time.
pub const TEMPLATES_PER_READ: i64 = 1_000;

/// Every template (one-off tasks' too), by id, `per_read` at a time, each page given
/// to `each` with its templates' versions (oldest first, by template id): two
/// statements a page, so that a large catalogue's JSON is never all in memory at once.
pub fn template_pages<E: From<diesel::result::Error>>(
    conn: &mut AnyConn,
    per_read: i64,
    mut each: impl FnMut(Vec<TemplateRow>, HashMap<String, Vec<VersionRow>>) -> Result<(), E>,
) -> Result<(), E> {
    let mut after = String::new();
    loop {
        let page = super::org::templates_after(conn, &after, per_read)?;
        let (Some(first), Some(last)) = (page.first(), page.last()) else { return Ok(()) };
        let mut versions: HashMap<String, Vec<VersionRow>> = HashMap::new();
        for v in of_ids_between(conn, &first.id, &last.id)? {
            versions.entry(v.template_id.clone()).or_default().push(v);
        }
        after = last.id.clone();
        let full = page.len() as i64 == per_read;
        each(page, versions)?;
        if !full {
            return Ok(());
        }
    }
}

/// The versions of the templates with ids from `first` to `last`, oldest first.
fn of_ids_between(conn: &mut AnyConn, first: &str, last: &str) -> QueryResult<Vec<VersionRow>> {
    with_conn!(conn, c => template_versions::table
        .filter(template_versions::template_id.between(first, last))
        .order((template_versions::template_id, template_versions::version))
        .select(VersionRow::as_select())
        .load(c))
}

/// The specs of these (template, version) pairs, for tasks made under an earlier version.
pub fn specs(conn: &mut AnyConn, wanted: &[(String, i32)]) -> QueryResult<Vec<(String, i32, String)>> {
    let ids: Vec<&str> = wanted.iter().map(|(t, _)| t.as_str()).collect();
    let rows: Vec<(String, i32, String)> = with_conn!(conn, c => template_versions::table
        .filter(template_versions::template_id.eq_any(&ids))
        .select((template_versions::template_id, template_versions::version, template_versions::spec))
        .load(c))?;
    Ok(rows.into_iter().filter(|(t, v, _)| wanted.iter().any(|(wt, wv)| wt == t && wv == v)).collect())
}

/// Replaces a template row (its latest version), or adds it.
pub fn put_template(conn: &mut AnyConn, row: &TemplateRow) -> QueryResult<()> {
    with_conn!(conn, c => {
        diesel::insert_into(templates::table)
            .values(row)
            .on_conflict(templates::id)
            .do_update()
            .set((
                templates::duty_id.eq(&row.duty_id),
                templates::position_id.eq(&row.position_id),
                templates::zh.eq(&row.zh),
                templates::en.eq(&row.en),
                templates::spec.eq(&row.spec),
                templates::active.eq(row.active),
                templates::sort_order.eq(row.sort_order),
                templates::version.eq(row.version),
                templates::retired_on.eq(row.retired_on),
                templates::retire_reason.eq(&row.retire_reason),
            ))
            .execute(c)
    })?;
    Ok(())
}

/// Retires a template from `on`; 0 when there is none.
pub fn retire_template(conn: &mut AnyConn, id: &str, on: NaiveDate, reason: &str) -> QueryResult<usize> {
    with_conn!(conn, c => diesel::update(templates::table.find(id))
        .set((templates::retired_on.eq(Some(on)), templates::retire_reason.eq(reason)))
        .execute(c))
}

/// Adds or replaces a department (its lead and parent as given).
pub fn put_department(conn: &mut AnyConn, row: &DepartmentRow) -> QueryResult<()> {
    with_conn!(conn, c => diesel::insert_into(departments::table)
        .values(row)
        .on_conflict(departments::id)
        .do_update()
        .set((
            departments::zh.eq(&row.zh),
            departments::en.eq(&row.en),
            departments::lead_position_id.eq(&row.lead_position_id),
            departments::reports_to.eq(&row.reports_to),
            departments::sort_order.eq(row.sort_order),
            departments::retired_on.eq(row.retired_on),
            departments::calendar.eq(&row.calendar),
        ))
        .execute(c))?;
    Ok(())
}

/// Adds or replaces a position.
pub fn put_position(conn: &mut AnyConn, row: &PositionRow) -> QueryResult<()> {
    with_conn!(conn, c => diesel::insert_into(positions::table)
        .values(row)
        .on_conflict(positions::id)
        .do_update()
        .set((
            positions::department_id.eq(&row.department_id),
            positions::zh.eq(&row.zh),
            positions::en.eq(&row.en),
            positions::headcount.eq(row.headcount),
            positions::sort_order.eq(row.sort_order),
            positions::manages_people.eq(row.manages_people),
            positions::retired_on.eq(row.retired_on),
        ))
        .execute(c))?;
    Ok(())
}

/// Adds or replaces a duty.
pub fn put_duty(conn: &mut AnyConn, row: &DutyRow) -> QueryResult<()> {
    with_conn!(conn, c => diesel::insert_into(duties::table)
        .values(row)
        .on_conflict(duties::id)
        .do_update()
        .set((
            duties::position_id.eq(&row.position_id),
            duties::kind.eq(&row.kind),
            duties::zh.eq(&row.zh),
            duties::en.eq(&row.en),
            duties::source.eq(&row.source),
            duties::sort_order.eq(row.sort_order),
            duties::assigned.eq(row.assigned),
            duties::retired_on.eq(row.retired_on),
        ))
        .execute(c))?;
    Ok(())
}

/// Counts one more catalogue change; returns the new count.
pub fn bump(conn: &mut AnyConn) -> QueryResult<i64> {
    with_conn!(conn, c => diesel::update(company::table)
        .set(company::catalog_version.eq(company::catalog_version + 1))
        .returning(company::catalog_version)
        .get_result(c))
}

/// How many catalogue changes there have been (one cheap read).
pub fn current(conn: &mut AnyConn) -> QueryResult<Option<i64>> {
    with_conn!(conn, c => company::table.select(company::catalog_version).first(c).optional())
}

/// A template's open tasks dated `from` on: the ones a change from that date replaces.
pub fn open_from(conn: &mut AnyConn, template: &str, from: NaiveDate) -> QueryResult<Vec<TaskRow>> {
    with_conn!(conn, c => tasks::table
        .filter(tasks::template_id.eq(template))
        .filter(tasks::occurs_on.ge(from))
        .filter(tasks::status.eq(TaskStatus::Open.as_str()))
        .order(tasks::id)
        .select(TaskRow::as_select())
        .load(c))
}

/// Cancels an open task, the reason (in the words of whoever gave it; none when none
/// was given, and the status says it) in its note; the open rollup follows.
pub fn cancel(conn: &mut AnyConn, task: &TaskRow, reason: &str, now: NaiveDateTime) -> QueryResult<usize> {
    let note = (!reason.is_empty()).then_some(reason);
    super::list_stamps::many_changed(conn)?;
    let n = with_conn!(conn, c => diesel::update(tasks::table.find(task.id.0).filter(tasks::status.eq(TaskStatus::Open.as_str())))
        .set((tasks::status.eq(TaskStatus::Cancelled.as_str()), tasks::note.eq(note), tasks::updated_at.eq(now)))
        .execute(c))?;
    if n == 1 {
        super::rollup::add_open(conn, task.occurs_on, &task.department_id, task.due_at.date(), -1)?;
    }
    Ok(n)
}

/// Moves an open task to a new version: its due time, position and department
/// (`place`) may change; the open rollup follows.
pub fn revise(
    conn: &mut AnyConn,
    task: &TaskRow,
    version: i32,
    due_at: NaiveDateTime,
    place: (&str, &str),
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let (position, department) = place;
    super::list_stamps::many_changed(conn)?;
    let n = with_conn!(conn, c => diesel::update(tasks::table.find(task.id.0).filter(tasks::status.eq(TaskStatus::Open.as_str())))
        .set((
            tasks::template_version.eq(version),
            tasks::due_at.eq(due_at),
            tasks::position_id.eq(position),
            tasks::department_id.eq(department),
            tasks::updated_at.eq(now),
        ))
        .execute(c))?;
    if n == 1 && (due_at.date() != task.due_at.date() || department != task.department_id) {
        super::rollup::add_open(conn, task.occurs_on, &task.department_id, task.due_at.date(), -1)?;
        super::rollup::add_open(conn, task.occurs_on, department, due_at.date(), 1)?;
    }
    Ok(n)
}

/// Updates the company's own settings (names, zone, festivals, reminders, webhooks).
pub fn put_company(conn: &mut AnyConn, row: &super::org::CompanyRow) -> QueryResult<()> {
    with_conn!(conn, c => diesel::update(company::table)
        .set((
            company::name.eq(&row.name),
            company::name_en.eq(&row.name_en),
            company::timezone.eq(&row.timezone),
            company::festivals.eq(&row.festivals),
            company::reminders.eq(&row.reminders),
            company::webhooks.eq(&row.webhooks),
            company::calendars.eq(&row.calendars),
        ))
        .execute(c))?;
    Ok(())
}
