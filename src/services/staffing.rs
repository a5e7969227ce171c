//! Changes of who holds a position, and leave, with the open tasks that follow them.
//!
//! After any such change the tasks of the affected positions that are not yet due
//! are reconciled with the staffing rules of [`crate::domain::staffing`]. An open
//! task keeps its slot when the slot still exists (only its assignee or cover
//! changes), moves to a slot that now has no task (the new holder's), or is removed
//! when its work is no longer anyone's (a second holder left). A task already done
//! or skipped keeps who did it, but takes over the slot its work now stands for, so
//! the new holder is not asked to do the same occurrence again. Tasks already due
//! are history and never move.

use super::audit::{self, Actor};
use super::context::Context;
use super::{AppError, AppResult};
use crate::db::staff::NewHolder;
use crate::db::{self, AnyConn, DbPool};
use crate::domain::task::{PositionId, StaffId, TaskStatus};
use crate::error::ErrorCode;
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;
use std::collections::{BTreeSet, HashMap};

/// How many open tasks a change moved or removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Reconciled {
    pub moved: usize,
    pub removed: usize,
    pub created: usize,
}

fn staff_exists(conn: &mut AnyConn, id: StaffId) -> AppResult<()> {
    if db::staff::exists(conn, id)? {
        Ok(())
    } else {
        Err(AppError::new(ErrorCode::StaffNotFound).arg("id", id))
    }
}

/// `staff` starts holding `position` (or deputising for it) on `from`.
#[tracing::instrument(level = "debug", skip(pool, by))]
pub fn add_holding(
    pool: &DbPool,
    by: Actor,
    staff: StaffId,
    position: &PositionId,
    deputy: bool,
    from: NaiveDate,
    now: DateTime<Utc>,
) -> AppResult<Reconciled> {
    let mut conn = pool.get()?;
    conn.transaction(|conn| {
        add_holding_in(conn, by, staff, position, deputy, from, now)?;
        reconcile(conn, &[position.to_string()], now)
    })
}

/// [`add_holding`] in the caller's transaction, without reconciling tasks.
pub(crate) fn add_holding_in(
    conn: &mut AnyConn,
    by: Actor,
    staff: StaffId,
    position: &PositionId,
    deputy: bool,
    from: NaiveDate,
    now: DateTime<Utc>,
) -> AppResult<()> {
    staff_exists(conn, staff)?;
    // A position retired by then takes no holder.
    let pos = db::org::position(conn, position.as_str())?
        .filter(|p| p.retired_on.is_none_or(|r| from < r))
        .ok_or_else(|| AppError::invalid("position", ErrorCode::UnknownPosition).arg("position", position))?;
    // Seats are the headcount: a holder beyond it is refused, naming the position.
    if !deputy && db::staff::holders_from(conn, position, from)? >= i64::from(pos.headcount) {
        return Err(AppError::invalid("position", ErrorCode::HeadcountFull)
            .arg("position", position)
            .arg("headcount", pos.headcount));
    }
    db::staff::insert_holder(
        conn,
        &NewHolder { staff_id: staff.0, position_id: position.to_string(), deputy, valid_from: from, valid_to: None },
    )
    .map_err(|_| AppError::invalid("position", ErrorCode::UnknownPosition).arg("position", position))?;
    let after = json!({"staff": staff, "position": position, "deputy": deputy, "from": from});
    audit::record(conn, by, "holding.add", &format!("staff:{staff}"), None, Some(after), now)?;
    Ok(())
}

/// `old` hands `position` over to `new`, who holds it from `effective` on; open tasks
/// from then on move to `new`.
#[tracing::instrument(level = "debug", skip(pool, by))]
pub fn change_holder(
    pool: &DbPool,
    by: Actor,
    position: &PositionId,
    old: StaffId,
    new: StaffId,
    effective: NaiveDate,
    now: DateTime<Utc>,
) -> AppResult<Reconciled> {
    let mut conn = pool.get()?;
    conn.transaction(|conn| {
        staff_exists(conn, new)?;
        let last_day = effective.pred_opt().unwrap_or(effective);
        if db::staff::end_holding(conn, old, position, last_day)? == 0 {
            return Err(AppError::invalid("old", ErrorCode::NotHolder)
                .arg("staff", old)
                .arg("position", position)
                .arg("date", effective));
        }
        db::staff::insert_holder(
            conn,
            &NewHolder {
                staff_id: new.0,
                position_id: position.to_string(),
                deputy: false,
                valid_from: effective,
                valid_to: None,
            },
        )?;
        let (before, after) = (json!({"holder": old}), json!({"holder": new, "from": effective}));
        audit::record(conn, by, "holding.change", &format!("position:{position}"), Some(before), Some(after), now)?;
        reconcile(conn, &[position.to_string()], now)
    })
}

/// Refuses to end a tenure before the day it starts.
pub(crate) fn not_before_start(
    conn: &mut AnyConn,
    staff: StaffId,
    position: &PositionId,
    deputy: bool,
    last_day: NaiveDate,
    field: &str,
) -> AppResult<()> {
    match db::staff::open_tenure_from(conn, staff, position, deputy, last_day)? {
        Some(start) if last_day < start => {
            Err(AppError::invalid(field, ErrorCode::EndBeforeStart).arg("start", start).arg("date", last_day))
        }
        _ => Ok(()),
    }
}

/// `staff` stops holding `position` after `last_day`. When that leaves the position
/// with nobody in post, `position_vacant` fires by itself (HR's recruiting duty).
#[tracing::instrument(level = "debug", skip(pool, by))]
pub fn end_holding(
    pool: &DbPool,
    by: Actor,
    staff: StaffId,
    position: &PositionId,
    last_day: NaiveDate,
    now: DateTime<Utc>,
) -> AppResult<Reconciled> {
    let mut conn = pool.get()?;
    conn.transaction(|conn| {
        not_before_start(conn, staff, position, false, last_day, "last_day")?;
        if db::staff::end_holding(conn, staff, position, last_day)? == 0 {
            return Err(AppError::invalid("position", ErrorCode::NotHolder)
                .arg("staff", staff)
                .arg("position", position)
                .arg("date", last_day));
        }
        let (before, after) = (json!({"position": position}), json!({"position": position, "last_day": last_day}));
        audit::record(conn, by, "holding.end", &format!("staff:{staff}"), Some(before), Some(after), now)?;
        let out = reconcile(conn, &[position.to_string()], now)?;
        let first_vacant = last_day.succ_opt().unwrap_or(last_day);
        let ctx = Context::load(conn, first_vacant)?;
        if ctx.staffing.holders(position.as_str(), first_vacant).is_empty()
            && super::events::known_events(&ctx).contains(VACANT)
        {
            let name = ctx
                .staffing
                .position(position.as_str())
                .map_or(position.to_string(), |p| format!("{} ({})", p.zh, p.id));
            super::events::fire_in(conn, VACANT, &name, Some(first_vacant), now)?;
        }
        Ok(out)
    })
}

/// The event fired when a position is left with nobody in post.
pub const VACANT: &str = "position_vacant";

/// Records approved leave from `from` to `to` (inclusive) as `by`; the open tasks it
/// touches go to the cover. (People and their leads go through [`super::leave`].)
pub fn add_leave(
    pool: &DbPool,
    by: Actor,
    staff: StaffId,
    from: NaiveDate,
    to: NaiveDate,
    note: &str,
    now: DateTime<Utc>,
) -> AppResult<Reconciled> {
    let input = super::leave::LeaveInput { from, to, half_day: None, reason: note.to_string() };
    let mut conn = pool.get()?;
    conn.transaction(|conn| super::leave::record_in(conn, by, staff, &input, now).map(|(_, r)| r))
}

/// Brings the not-yet-due tasks of `positions` in line with current staffing, then
/// creates what the new staffing needs in the already-generated range (an added
/// holder's own tasks, say).
pub fn reconcile(conn: &mut AnyConn, positions: &[String], now: DateTime<Utc>) -> AppResult<Reconciled> {
    reconcile_from(conn, positions, None, now)
}

/// [`reconcile`], also moving the open tasks dated from `open_from` on that are already
/// due (a leaver's), not only those still to come.
pub fn reconcile_from(
    conn: &mut AnyConn,
    positions: &[String],
    open_from: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> AppResult<Reconciled> {
    // Waits for a generation pass under way elsewhere, then sees the tasks it wrote.
    db::serialize_writers(conn)?;
    let mut out = move_tasks(conn, positions, open_from, now)?;
    let scope = super::generate::Scope::Positions(positions.to_vec());
    out.created = super::generate::run_in(conn, now, chrono::NaiveDate::MAX, &scope)?.created;
    Ok(out)
}

fn move_tasks(
    conn: &mut AnyConn,
    positions: &[String],
    open_from: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> AppResult<Reconciled> {
    let tasks = match open_from {
        Some(from) => db::tasks::not_due_or_open_from(conn, positions, now.naive_utc(), from)?,
        None => db::tasks::not_due(conn, positions, now.naive_utc())?,
    };
    let Some(since) = tasks.iter().map(|t| t.occurs_on).min() else { return Ok(Reconciled::default()) };
    let ctx = Context::load(conn, since)?;
    let mut out = Reconciled::default();
    let mut taken: HashMap<(String, String), BTreeSet<String>> = HashMap::new();
    // Finished tasks claim their slots first, then open ones in id order.
    let mut ordered = tasks;
    ordered.sort_by_key(|t| (t.status == TaskStatus::Open, t.id));
    for task in ordered {
        let Some(t) = ctx.template_on(&task.template_id, task.occurs_on) else {
            // A one-off stays with its person while they hold the position and are
            // at work; else it goes where the position's shared work goes.
            if task.occurrence == "o" && task.status == TaskStatus::Open {
                out.moved += move_one_off(conn, &ctx, &task, now)?;
            }
            continue;
        };
        if task.slot == "lead" {
            continue; // an event subject's lead: not the position's work
        }
        let key = (task.template_id.clone(), task.occurrence.clone());
        if !taken.contains_key(&key) {
            let slots = db::tasks::slots_of(conn, &task.template_id, &task.occurrence)?;
            taken.insert(key.clone(), slots.into_iter().collect());
        }
        let wanted = ctx.staffing.assign(&t.position, t.spec.assign, task.occurs_on);
        let slots = taken.entry(key).or_default();
        if task.status != TaskStatus::Open {
            if !wanted.iter().any(|a| a.slot == task.slot) {
                if let Some(free) = wanted.iter().find(|a| !slots.contains(&a.slot)) {
                    slots.remove(&task.slot);
                    slots.insert(free.slot.clone());
                    db::tasks::reslot(conn, task.id, &free.slot, now.naive_utc())?;
                }
            }
            continue;
        }
        let target =
            wanted.iter().find(|a| a.slot == task.slot).or_else(|| wanted.iter().find(|a| !slots.contains(&a.slot)));
        match target {
            Some(a)
                if a.slot == task.slot
                    && a.assignee == task.assignee_id
                    && a.cover.as_str() == task.cover
                    && a.covered == task.covered_staff_id => {}
            Some(a) => {
                slots.remove(&task.slot);
                slots.insert(a.slot.clone());
                db::tasks::reassign(conn, task.id, &a.slot, a.assignee, a.cover.as_str(), a.covered, now.naive_utc())?;
                let detail = format!("{:?} -> {:?} ({})", task.assignee_id, a.assignee, a.cover.as_str());
                db::tasks::log(conn, task.id, now.naive_utc(), None, "reassigned", Some(&detail))?;
                out.moved += 1;
            }
            None => {
                slots.remove(&task.slot);
                db::tasks::delete_log(conn, task.id)?;
                out.removed += db::tasks::delete_open(conn, task.id)?;
            }
        }
    }
    Ok(out)
}

/// Moves an open one-off task whose person no longer holds its position, or is on
/// leave that day, to whoever the position's shared work goes to; 1 if it moved.
fn move_one_off(conn: &mut AnyConn, ctx: &Context, task: &db::tasks::TaskRow, now: DateTime<Utc>) -> AppResult<usize> {
    let (position, day) = (task.position_id.as_str(), task.occurs_on);
    let at_work = |s: StaffId| ctx.staffing.holders(position, day).contains(&s) && !ctx.staffing.on_leave(s, day);
    if task.assignee_id.is_some_and(at_work) {
        return Ok(0);
    }
    let wanted = ctx.staffing.assign(position, crate::domain::template::AssignMode::Shared, day);
    let Some(a) = wanted.first().filter(|a| a.assignee != task.assignee_id) else { return Ok(0) };
    db::tasks::reassign(conn, task.id, &task.slot, a.assignee, a.cover.as_str(), a.covered, now.naive_utc())?;
    let detail = format!("{:?} -> {:?} ({})", task.assignee_id, a.assignee, a.cover.as_str());
    db::tasks::log(conn, task.id, now.naive_utc(), None, "reassigned", Some(&detail))?;
    Ok(1)
}
