//! Who holds which position, as HR and admins change it: assign a holder or a deputy
//! from a date, end a holding or a deputyship, transfer a person from one position to
//! another. Each is one transaction with its audit entry and the scoped generation
//! pass ([`super::staffing`]); a new holder gets a mail naming the position and its
//! duties, with the link to its job description.

use super::audit::{self, Actor};
use super::remind::messages::{self, Notice};
use super::staffing::{self, Reconciled};
use super::{AppError, AppResult};
use crate::db::{self, AnyConn, DbPool};
use crate::domain::access::Viewer;
use crate::domain::task::{PositionId, StaffId};
use crate::error::ErrorCode;
use crate::i18n::{Lang, Tr};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::json;

/// One tenure of a person, as their page lists it.
#[derive(Debug, Clone, Serialize)]
pub struct TenureView {
    pub position: String,
    pub position_zh: String,
    pub position_en: String,
    pub deputy: bool,
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
    /// Whether it has not ended before today.
    pub current: bool,
}

/// A person's tenures, newest first.
pub fn tenures(pool: &DbPool, viewer: &Viewer, staff: StaffId, now: DateTime<Utc>) -> AppResult<Vec<TenureView>> {
    let mut conn = pool.get()?;
    let conn = &mut conn.any();
    super::people::may_see_person(conn, viewer, staff, now)?;
    let (_, today) = super::context::company_today(conn, now)?;
    let positions = db::org::load(conn)?.positions;
    let out = db::staff::tenures_of(conn, staff)?
        .into_iter()
        .map(|h| {
            let p = positions.iter().find(|p| p.id == h.position_id);
            TenureView {
                position_zh: p.map_or_else(|| h.position_id.clone(), |p| p.zh.clone()),
                position_en: p.map_or_else(|| h.position_id.clone(), |p| p.en.clone()),
                position: h.position_id,
                deputy: h.deputy,
                from: h.valid_from,
                current: h.valid_to.is_none_or(|t| t >= today),
                to: h.valid_to,
            }
        })
        .collect();
    Ok(out)
}

/// A tenure to begin.
#[derive(Debug, Clone)]
pub struct NewTenure {
    pub position: PositionId,
    /// Deputise for the position instead of holding it.
    pub deputy: bool,
    pub from: NaiveDate,
}

/// `staff` holds the position (or deputises for it) from the tenure's first day.
#[tracing::instrument(level = "debug", skip(pool, base_url), fields(by = viewer.id.0))]
pub fn assign(
    pool: &DbPool,
    viewer: &Viewer,
    staff: StaffId,
    tenure: &NewTenure,
    base_url: &str,
    now: DateTime<Utc>,
) -> AppResult<Reconciled> {
    super::people::may_manage_people(viewer)?;
    let NewTenure { position, deputy, from } = tenure;
    let (position, deputy, from) = (position, *deputy, *from);
    let mut conn = pool.get()?;
    conn.transaction(|conn| {
        staffing::add_holding_in(conn, Actor::from(viewer), staff, position, deputy, from, now)?;
        let out = staffing::reconcile_from(conn, &[position.to_string()], Some(from), now)?;
        if !deputy {
            tell_new_holder(conn, staff, position, from, base_url, now)?;
        }
        Ok(out)
    })
}

/// `staff` stops holding (or deputising for) `position` after `last_day`.
#[tracing::instrument(level = "debug", skip(pool), fields(by = viewer.id.0))]
pub fn end(
    pool: &DbPool,
    viewer: &Viewer,
    staff: StaffId,
    position: &PositionId,
    deputy: bool,
    last_day: NaiveDate,
    now: DateTime<Utc>,
) -> AppResult<Reconciled> {
    super::people::may_manage_people(viewer)?;
    if !deputy {
        return staffing::end_holding(pool, Actor::from(viewer), staff, position, last_day, now);
    }
    let mut conn = pool.get()?;
    conn.transaction(|conn| {
        staffing::not_before_start(conn, staff, position, true, last_day, "last_day")?;
        if db::staff::end_tenure(conn, staff, position, true, last_day)? == 0 {
            return Err(AppError::invalid("position", ErrorCode::NotHolder)
                .arg("staff", staff)
                .arg("position", position)
                .arg("date", last_day));
        }
        let after = json!({"position": position, "deputy": true, "last_day": last_day});
        audit::record(conn, Actor::from(viewer), "holding.end", &format!("staff:{staff}"), None, Some(after), now)?;
        staffing::reconcile(conn, &[position.to_string()], now)
    })
}

/// Moves `staff` from `from_position` to `to_position` on `on`: the old holding ends
/// the day before, the new one starts that day, and the open tasks of both positions
/// from `on` follow (the old one's to its other holders or by the vacancy rule).
#[tracing::instrument(level = "debug", skip(pool, base_url), fields(by = viewer.id.0))]
#[allow(clippy::too_many_arguments)]
pub fn transfer(
    pool: &DbPool,
    viewer: &Viewer,
    staff: StaffId,
    from_position: &PositionId,
    to_position: &PositionId,
    on: NaiveDate,
    base_url: &str,
    now: DateTime<Utc>,
) -> AppResult<Reconciled> {
    super::people::may_manage_people(viewer)?;
    if from_position == to_position {
        return Err(AppError::invalid("to_position", ErrorCode::TransferSame));
    }
    let by = Actor::from(viewer);
    let mut conn = pool.get()?;
    conn.transaction(|conn| {
        let last_day = on.pred_opt().unwrap_or(on);
        staffing::not_before_start(conn, staff, from_position, false, last_day, "on")?;
        if db::staff::end_holding(conn, staff, from_position, last_day)? == 0 {
            return Err(AppError::invalid("from_position", ErrorCode::NotHolder)
                .arg("staff", staff)
                .arg("position", from_position)
                .arg("date", on));
        }
        staffing::add_holding_in(conn, by, staff, to_position, false, on, now).map_err(|e| e.at("to_position"))?;
        let (before, after) = (json!({"position": from_position}), json!({"position": to_position, "from": on}));
        audit::record(conn, by, "holding.transfer", &format!("staff:{staff}"), Some(before), Some(after), now)?;
        let positions = [from_position.to_string(), to_position.to_string()];
        let out = staffing::reconcile_from(conn, &positions, Some(on), now)?;
        tell_new_holder(conn, staff, to_position, on, base_url, now)?;
        Ok(out)
    })
}

/// Mails `staff` that they hold `position` from `from`, with its duties.
pub(crate) fn tell_new_holder(
    conn: &mut AnyConn,
    staff: StaffId,
    position: &PositionId,
    from: NaiveDate,
    base_url: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let Some(person) = db::staff::by_id(conn, staff)? else { return Ok(()) };
    let org = db::org::load(conn)?;
    let Some(pos) = org.positions.iter().find(|p| p.id == position.as_str()) else { return Ok(()) };
    let lang = Lang::from_locale(&person.locale);
    let tr = Tr(lang);
    let name = if lang == Lang::En { &pos.en } else { &pos.zh };
    let url = format!("{}/positions/{}", base_url.trim_end_matches('/'), pos.id);
    let items = org
        .duties
        .iter()
        .filter(|d| d.position_id == pos.id)
        .map(|d| (if lang == Lang::En { d.en.clone() } else { d.zh.clone() }, format!("{url}#{}", d.id)))
        .collect();
    let m = messages::notice(
        lang,
        Notice {
            subject: tr.args("mail_position_subject", &[("position", name)]),
            recipient: person.name.clone(),
            lead: tr.args("mail_position_lead", &[("position", name), ("from", &from.to_string())]),
            facts: vec![],
            items,
            link: Some((tr.t("mail_position_link"), url)),
        },
    );
    let key = format!("p:{staff}:{}:{from}", pos.id);
    super::notices::queue(conn, &person, "position_assigned", key, m, now)
}
