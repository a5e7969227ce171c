//! Leave: asked for by the person, answered by a lead of one of their departments,
//! HR or an admin, or recorded directly by them; cancelled by the person or by whoever
//! may answer it. Approving (or recording) whole-day leave hands the person's open
//! tasks in its range to the position's deputy, else the lead, tasks already generated
//! and already due included; cancelling hands the ones still open back. Each change
//! is one transaction with its audit entry, the tasks it moves and its mails.

use super::audit::{self, Actor};
use super::context::Context;
use super::remind::messages::{self, Notice};
use super::staffing::{self, Reconciled};
use super::{AppError, AppResult};
use crate::db::staff::{LeaveRow, NewLeave, StaffRow};
use crate::db::{self, AnyConn, DbPool};
use crate::domain::access::Viewer;
use crate::domain::leave::{HalfDay, LeaveStatus};
use crate::domain::task::StaffId;
use crate::error::ErrorCode;
use crate::i18n::{Lang, Tr};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::Serialize;
use serde_json::json;
use std::collections::BTreeSet;

/// The longest reason or answer kept.
const MAX_TEXT: usize = 500;

/// What is asked for or recorded.
#[derive(Debug, Clone)]
pub struct LeaveInput {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Half of one day, else whole days.
    pub half_day: Option<HalfDay>,
    pub reason: String,
}

impl LeaveInput {
    fn checked(&self) -> AppResult<()> {
        if self.to < self.from {
            return Err(AppError::invalid("to", ErrorCode::LeaveReversed));
        }
        if self.half_day.is_some() && self.to != self.from {
            return Err(AppError::invalid("half_day", ErrorCode::HalfDayOneDay));
        }
        if (self.to - self.from).num_days() > 366 {
            return Err(AppError::invalid("to", ErrorCode::LeaveTooLong).arg("days", 366));
        }
        text(&self.reason, "reason")
    }
}

fn text(s: &str, field: &'static str) -> AppResult<()> {
    if s.chars().count() > MAX_TEXT {
        return Err(AppError::invalid(field, ErrorCode::TooLong).arg("max", MAX_TEXT));
    }
    if crate::domain::text::has_control(s) {
        return Err(AppError::invalid(field, ErrorCode::ControlCharacter));
    }
    Ok(())
}

/// A leave as its person and their approvers see it.
#[derive(Debug, Clone, Serialize)]
pub struct LeaveView {
    pub id: i64,
    pub staff: StaffId,
    pub name: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub half_day: Option<HalfDay>,
    pub reason: String,
    pub status: LeaveStatus,
    pub requested_at: Option<NaiveDateTime>,
    /// Who approved, declined or recorded it.
    pub decided_by: Option<String>,
    pub decided_at: Option<NaiveDateTime>,
    pub answer: String,
    /// Whether the viewer may approve or decline it now.
    pub can_decide: bool,
    /// Whether the viewer may cancel it now.
    pub can_cancel: bool,
}

/// The leave page: mine, what waits for my answer, and my people's.
#[derive(Debug, Clone, Serialize, Default)]
pub struct LeaveBoard {
    pub mine: Vec<LeaveView>,
    /// Asked for, and mine to answer.
    pub to_decide: Vec<LeaveView>,
    /// Other leave of the people I answer for (approved, declined, cancelled), from today.
    pub team: Vec<LeaveView>,
}

/// Whether `viewer` may answer for `staff`'s leave on `day`: an admin or HR, or a lead
/// of a department where `staff` holds a position (never for their own leave).
fn may_answer(ctx: &Context, viewer: &Viewer, staff: StaffId, day: NaiveDate) -> bool {
    if viewer.id == staff {
        return false;
    }
    viewer.manages_people()
        || positions_of(ctx, staff, day).iter().any(|p| ctx.department_of(p).is_ok_and(|d| viewer.leads.contains(d)))
}

/// The positions `staff` holds on `day`.
fn positions_of(ctx: &Context, staff: StaffId, day: NaiveDate) -> Vec<String> {
    ctx.positions.iter().filter(|p| ctx.staffing.holders(&p.id, day).contains(&staff)).map(|p| p.id.clone()).collect()
}

/// The day whose holdings decide who answers: the leave's first, or today if it has
/// passed (they may have moved since).
fn deciding_day(from: NaiveDate, today: NaiveDate) -> NaiveDate {
    from.max(today)
}

fn person(conn: &mut AnyConn, id: StaffId) -> AppResult<StaffRow> {
    db::staff::by_id(conn, id)?.ok_or_else(|| AppError::new(ErrorCode::StaffNotFound).arg("id", id))
}

fn leave_row(conn: &mut AnyConn, id: i64) -> AppResult<LeaveRow> {
    db::staff::leave(conn, id)?.ok_or_else(|| AppError::new(ErrorCode::LeaveNotFound).arg("id", id))
}

/// Refuses leave that overlaps standing leave of the same person.
fn no_overlap(conn: &mut AnyConn, staff: StaffId, from: NaiveDate, to: NaiveDate) -> AppResult<()> {
    match db::staff::leave_overlapping(conn, staff, from, to)? {
        Some(l) => {
            Err(AppError::invalid("from", ErrorCode::LeaveOverlaps).arg("from", l.starts_on).arg("to", l.ends_on))
        }
        None => Ok(()),
    }
}

/// Moves the open tasks of `staff`'s positions from `from` on, after a change of
/// their leave.
fn hand_over(conn: &mut AnyConn, staff: StaffId, from: NaiveDate, now: DateTime<Utc>) -> AppResult<Reconciled> {
    let positions: BTreeSet<String> = db::staff::holders_since(conn, from)?
        .into_iter()
        .filter(|h| h.staff_id == staff)
        .map(|h| h.position_id)
        .collect();
    staffing::reconcile_from(conn, &positions.into_iter().collect::<Vec<_>>(), Some(from), now)
}

/// Asks for leave for oneself; the people who answer it get a mail.
#[tracing::instrument(level = "debug", skip(pool, input, base_url), fields(by = viewer.id.0))]
pub fn request(
    pool: &DbPool,
    viewer: &Viewer,
    input: &LeaveInput,
    base_url: &str,
    now: DateTime<Utc>,
) -> AppResult<i64> {
    input.checked()?;
    let mut conn = pool.get()?;
    conn.transaction(|conn| {
        no_overlap(conn, viewer.id, input.from, input.to)?;
        let id = db::staff::insert_leave(
            conn,
            &NewLeave {
                staff: viewer.id,
                from: input.from,
                to: input.to,
                half_day: input.half_day,
                note: input.reason.trim(),
                status: LeaveStatus::Requested,
                requested_at: Some(now.naive_utc()),
                decided_by: None,
                decided_at: None,
            },
        )?;
        let after =
            json!({"from": input.from, "to": input.to, "half_day": input.half_day, "reason": input.reason.trim()});
        audit::record(
            conn,
            Actor::from(viewer),
            "leave.request",
            &format!("staff:{}", viewer.id),
            None,
            Some(after),
            now,
        )?;
        let me = person(conn, viewer.id)?;
        for approver in approvers(conn, viewer.id, input.from, now)? {
            let lang = Lang::from_locale(&approver.locale);
            let tr = Tr(lang);
            let dates = dates(tr, input.from, input.to, input.half_day);
            let m = messages::notice(
                lang,
                Notice {
                    subject: tr.args("mail_leave_request_subject", &[("name", &me.name), ("dates", &dates)]),
                    recipient: approver.name.clone(),
                    lead: tr.args("mail_leave_request_lead", &[("name", &me.name)]),
                    facts: facts(tr, &dates, input.reason.trim(), ""),
                    items: vec![],
                    link: Some((tr.t("mail_open_leave"), leave_url(base_url))),
                },
            );
            super::notices::queue(conn, &approver, "leave_request", format!("l:{id}:ask:{}", approver.id), m, now)?;
        }
        Ok(id)
    })
}

/// Who gets the mail about a request: the leads of the person's positions (not the
/// person), else HR, else the admins.
fn approvers(conn: &mut AnyConn, staff: StaffId, from: NaiveDate, now: DateTime<Utc>) -> AppResult<Vec<StaffRow>> {
    let (_, today) = super::context::company_today(conn, now)?;
    let day = deciding_day(from, today);
    let ctx = Context::load(conn, today.min(from))?;
    let mut ids: BTreeSet<StaffId> =
        positions_of(&ctx, staff, day).iter().filter_map(|p| ctx.staffing.lead_for(p, day)).collect();
    if ids.is_empty() {
        ids = db::org::people_positions(conn)?.iter().flat_map(|p| ctx.staffing.holders(p, day)).collect();
    }
    ids.remove(&staff);
    let mut out = Vec::new();
    for id in ids {
        out.extend(db::staff::by_id(conn, id)?.filter(|p| p.active_on(day)));
    }
    if out.is_empty() {
        out = db::staff::all(conn)?.into_iter().filter(|p| p.is_admin && p.id != staff && p.active_on(today)).collect();
    }
    Ok(out)
}

fn leave_url(base_url: &str) -> String {
    format!("{}/leave", base_url.trim_end_matches('/'))
}

/// `2026-12-03 至 2026-12-05`, `2026-12-03 上午`.
pub fn dates(tr: Tr, from: NaiveDate, to: NaiveDate, half: Option<HalfDay>) -> String {
    match half {
        Some(h) => format!("{from} {}", tr.t(h.key())),
        None if from == to => from.to_string(),
        None => tr.args("leave_range", &[("from", &from.to_string()), ("to", &to.to_string())]),
    }
}

fn facts(tr: Tr, dates: &str, reason: &str, answer: &str) -> Vec<(String, String)> {
    let mut out = vec![(tr.t("leave_dates"), dates.to_string())];
    if !reason.is_empty() {
        out.push((tr.t("leave_reason"), reason.to_string()));
    }
    if !answer.is_empty() {
        out.push((tr.t("leave_answer"), answer.to_string()));
    }
    out
}

/// Records approved leave for `staff` directly (HR, an admin, or their lead).
#[tracing::instrument(level = "debug", skip(pool, input), fields(by = viewer.id.0))]
pub fn record(
    pool: &DbPool,
    viewer: &Viewer,
    staff: StaffId,
    input: &LeaveInput,
    now: DateTime<Utc>,
) -> AppResult<(i64, Reconciled)> {
    let mut conn = pool.get()?;
    conn.transaction(|conn| {
        person(conn, staff)?;
        let (_, today) = super::context::company_today(conn, now)?;
        let ctx = Context::load(conn, today.min(input.from))?;
        if !may_answer(&ctx, viewer, staff, deciding_day(input.from, today)) {
            return Err(AppError::new(ErrorCode::LeaveForbidden));
        }
        record_in(conn, Actor::from(viewer), staff, input, now)
    })
}

/// [`record`] in the caller's transaction, for whoever has been allowed.
pub(crate) fn record_in(
    conn: &mut AnyConn,
    by: Actor,
    staff: StaffId,
    input: &LeaveInput,
    now: DateTime<Utc>,
) -> AppResult<(i64, Reconciled)> {
    input.checked()?;
    person(conn, staff)?;
    no_overlap(conn, staff, input.from, input.to)?;
    let id = db::staff::insert_leave(
        conn,
        &NewLeave {
            staff,
            from: input.from,
            to: input.to,
            half_day: input.half_day,
            note: input.reason.trim(),
            status: LeaveStatus::Approved,
            requested_at: None,
            decided_by: by.staff(),
            decided_at: Some(now.naive_utc()),
        },
    )?;
    let after = json!({"from": input.from, "to": input.to, "half_day": input.half_day, "reason": input.reason.trim()});
    audit::record(conn, by, "leave.add", &format!("staff:{staff}"), None, Some(after), now)?;
    Ok((id, hand_over(conn, staff, input.from, now)?))
}

/// Approves or declines asked-for leave; the person gets a mail with the answer.
#[tracing::instrument(level = "debug", skip(pool, answer, base_url), fields(by = viewer.id.0))]
pub fn decide(
    pool: &DbPool,
    viewer: &Viewer,
    id: i64,
    approve: bool,
    answer: &str,
    base_url: &str,
    now: DateTime<Utc>,
) -> AppResult<Reconciled> {
    text(answer, "answer")?;
    let answer = answer.trim();
    let mut conn = pool.get()?;
    conn.transaction(|conn| {
        let l = leave_row(conn, id)?;
        let (_, today) = super::context::company_today(conn, now)?;
        let ctx = Context::load(conn, today.min(l.starts_on))?;
        if !may_answer(&ctx, viewer, l.staff_id, deciding_day(l.starts_on, today)) {
            return Err(AppError::new(ErrorCode::LeaveForbidden));
        }
        let to = if approve { LeaveStatus::Approved } else { LeaveStatus::Declined };
        if db::staff::set_leave_status(conn, id, LeaveStatus::Requested, to, Some(viewer.id), answer, now.naive_utc())?
            == 0
        {
            return Err(AppError::new(ErrorCode::LeaveAnswered).arg("status", l.status.as_str()));
        }
        let (before, after) = (json!({"status": l.status}), json!({"status": to, "answer": answer}));
        let action = if approve { "leave.approve" } else { "leave.decline" };
        audit::record(
            conn,
            Actor::from(viewer),
            action,
            &format!("staff:{}", l.staff_id),
            Some(before),
            Some(after),
            now,
        )?;
        let out = if approve { hand_over(conn, l.staff_id, l.starts_on, now)? } else { Reconciled::default() };
        let who = person(conn, l.staff_id)?;
        let lang = Lang::from_locale(&who.locale);
        let tr = Tr(lang);
        let dates = dates(tr, l.starts_on, l.ends_on, l.half_day);
        let (subject, lead) = if approve {
            ("mail_leave_approved_subject", "mail_leave_approved_lead")
        } else {
            ("mail_leave_declined_subject", "mail_leave_declined_lead")
        };
        let m = messages::notice(
            lang,
            Notice {
                subject: tr.args(subject, &[("dates", &dates)]),
                recipient: who.name.clone(),
                lead: tr.args(lead, &[("name", &viewer.name)]),
                facts: facts(tr, &dates, &l.note, answer),
                items: vec![],
                link: Some((tr.t("mail_open_leave"), leave_url(base_url))),
            },
        );
        super::notices::queue(conn, &who, "leave_answer", format!("l:{id}:answer"), m, now)?;
        Ok(out)
    })
}

/// Cancels leave that is asked for or approved: the person themselves, or whoever may
/// answer for them. Tasks it handed over and still open come back.
#[tracing::instrument(level = "debug", skip(pool), fields(by = viewer.id.0))]
pub fn cancel(pool: &DbPool, viewer: &Viewer, id: i64, now: DateTime<Utc>) -> AppResult<Reconciled> {
    let mut conn = pool.get()?;
    conn.transaction(|conn| {
        let l = leave_row(conn, id)?;
        let (_, today) = super::context::company_today(conn, now)?;
        let ctx = Context::load(conn, today.min(l.starts_on))?;
        if l.staff_id != viewer.id && !may_answer(&ctx, viewer, l.staff_id, deciding_day(l.starts_on, today)) {
            return Err(AppError::new(ErrorCode::LeaveForbidden));
        }
        if l.ends_on < today {
            return Err(AppError::new(ErrorCode::LeaveOver).arg("to", l.ends_on));
        }
        if !l.status.standing()
            || db::staff::set_leave_status(
                conn,
                id,
                l.status,
                LeaveStatus::Cancelled,
                Some(viewer.id),
                "",
                now.naive_utc(),
            )? == 0
        {
            return Err(AppError::new(ErrorCode::LeaveAnswered).arg("status", l.status.as_str()));
        }
        let (before, after) = (json!({"status": l.status}), json!({"status": LeaveStatus::Cancelled}));
        audit::record(
            conn,
            Actor::from(viewer),
            "leave.cancel",
            &format!("staff:{}", l.staff_id),
            Some(before),
            Some(after),
            now,
        )?;
        if l.status == LeaveStatus::Approved {
            hand_over(conn, l.staff_id, l.starts_on, now)
        } else {
            Ok(Reconciled::default())
        }
    })
}

/// My leave, what waits for my answer, and my people's leave from today on.
pub fn board(pool: &DbPool, viewer: &Viewer, now: DateTime<Utc>) -> AppResult<LeaveBoard> {
    let mut conn = pool.get()?;
    let conn = &mut conn.any();
    let (_, today) = super::context::company_today(conn, now)?;
    let since = today - chrono::Duration::days(90);
    let ctx = Context::load(conn, since)?;
    let names: std::collections::HashMap<StaffId, String> =
        db::staff::all(conn)?.into_iter().map(|p| (p.id, p.name)).collect();
    let mut out = LeaveBoard::default();
    for l in db::staff::leaves_of(conn, None, since)? {
        let answers = may_answer(&ctx, viewer, l.staff_id, deciding_day(l.starts_on, today));
        let mine = l.staff_id == viewer.id;
        if !mine && !answers {
            continue;
        }
        let view = LeaveView {
            id: l.id,
            staff: l.staff_id,
            name: names.get(&l.staff_id).cloned().unwrap_or_default(),
            from: l.starts_on,
            to: l.ends_on,
            half_day: l.half_day,
            reason: l.note,
            status: l.status,
            requested_at: l.requested_at,
            decided_by: l.decided_by.and_then(|d| names.get(&StaffId(d)).cloned()),
            decided_at: l.decided_at,
            answer: l.answer,
            can_decide: answers && l.status == LeaveStatus::Requested,
            can_cancel: (mine || answers) && l.status.standing() && l.ends_on >= today,
        };
        if mine {
            out.mine.push(view);
        } else if view.can_decide {
            out.to_decide.push(view);
        } else if l.ends_on >= today {
            out.team.push(view);
        }
    }
    Ok(out)
}
