//! Read-only views of the catalogue for the API: positions and templates.

use super::AppResult;
use crate::db::{self, DbPool};
use crate::domain::task::{PositionId, StaffId};
use crate::domain::template::TemplateSpec;
use crate::error::ErrorCode;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::HashMap;

/// A person in a position.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PersonRef {
    pub id: StaffId,
    pub name: String,
}

/// A position with its department, headcount and who holds it today.
#[derive(Debug, Clone, Serialize)]
pub struct PositionView {
    pub id: String,
    pub zh: String,
    pub en: String,
    pub department_id: String,
    pub department_zh: String,
    pub department_en: String,
    pub headcount: i32,
    pub holders: Vec<PersonRef>,
    pub deputies: Vec<PersonRef>,
    /// Whether a seat is empty.
    pub vacant: bool,
    /// How many seats of the headcount nobody holds today.
    pub vacant_seats: usize,
    pub duties: usize,
    pub templates: usize,
}

/// Every position in catalogue order, staffed as of the company's today at `now`.
pub fn positions(pool: &DbPool, now: DateTime<Utc>) -> AppResult<Vec<PositionView>> {
    let mut conn = pool.get()?;
    let conn = &mut conn.any();
    let (_, on) = super::context::company_today(conn, now)?;
    let org = db::org::load(conn)?;
    let people: HashMap<StaffId, String> = db::staff::all(conn)?.into_iter().map(|s| (s.id, s.name)).collect();
    let holdings: Vec<_> = db::staff::holders_since(conn, on)?.into_iter().filter(|h| h.valid_from <= on).collect();
    let depts: HashMap<&str, _> = org.departments.iter().map(|d| (d.id.as_str(), d)).collect();
    let mut out = Vec::new();
    // What is retired by today is history only: not on the org chart or the lists.
    let current = |r: Option<chrono::NaiveDate>| r.is_none_or(|r| on < r);
    for p in org.positions.iter().filter(|p| current(p.retired_on)) {
        let refs = |deputy: bool| -> Vec<PersonRef> {
            holdings
                .iter()
                .filter(|h| h.position_id == p.id && h.deputy == deputy)
                .map(|h| PersonRef { id: h.staff_id, name: people.get(&h.staff_id).cloned().unwrap_or_default() })
                .collect()
        };
        let holders = refs(false);
        let vacant_seats = usize::try_from(p.headcount.max(1)).unwrap_or(1).saturating_sub(holders.len());
        let dept = depts.get(p.department_id.as_str());
        out.push(PositionView {
            id: p.id.clone(),
            zh: p.zh.clone(),
            en: p.en.clone(),
            department_id: p.department_id.clone(),
            department_zh: dept.map(|d| d.zh.clone()).unwrap_or_default(),
            department_en: dept.map(|d| d.en.clone()).unwrap_or_default(),
            headcount: p.headcount,
            vacant: vacant_seats > 0,
            vacant_seats,
            holders,
            deputies: refs(true),
            duties: org.duties.iter().filter(|d| d.position_id == p.id).count(),
            templates: org.templates.iter().filter(|t| t.position_id == p.id).count(),
        });
    }
    Ok(out)
}

/// A template as the API shows it: its written form plus where it sits.
#[derive(Debug, Clone, Serialize)]
pub struct TemplateView {
    pub position: String,
    pub active: bool,
    /// The template as written in `templates.toml` (id, duty, zh, en, schedule or
    /// trigger, shift, due, assign, assign_to, catch_up, completion, figures).
    #[serde(flatten)]
    pub spec: TemplateSpec,
}

/// Every template in catalogue order.
pub fn templates(pool: &DbPool) -> AppResult<Vec<TemplateView>> {
    let mut conn = pool.get()?;
    let org = db::org::load(&mut conn.any())?;
    org.templates
        .into_iter()
        .map(|t| {
            let spec: TemplateSpec = serde_json::from_str(&t.spec)
                .map_err(|e| super::AppError::corrupt(format!("template {}: {e}", t.id)))?;
            Ok(TemplateView { position: t.position_id, active: t.active, spec })
        })
        .collect()
}

/// A department as the org chart shows it.
#[derive(Debug, Clone, Serialize)]
pub struct DepartmentView {
    pub id: String,
    pub zh: String,
    pub en: String,
    pub lead_position: Option<String>,
    pub reports_to: Option<String>,
    pub positions: Vec<PositionView>,
}

/// The org chart: departments in order, each with its positions staffed today.
pub fn org_chart(pool: &DbPool, now: DateTime<Utc>) -> AppResult<Vec<DepartmentView>> {
    let positions = positions(pool, now)?;
    let org = db::org::load(&mut pool.get()?.any())?;
    let (_, today) = super::context::company_today(&mut pool.get()?.any(), now)?;
    Ok(org
        .departments
        .into_iter()
        .filter(|d| d.retired_on.is_none_or(|r| today < r))
        .map(|d| DepartmentView {
            positions: positions.iter().filter(|p| p.department_id == d.id).cloned().collect(),
            id: d.id,
            zh: d.zh,
            en: d.en,
            lead_position: d.lead_position_id,
            reports_to: d.reports_to,
        })
        .collect())
}

/// One duty of a job description with the templates that make it work.
#[derive(Debug, Clone, Serialize)]
pub struct DutyView {
    pub id: String,
    pub kind: String,
    pub zh: String,
    pub en: String,
    pub templates: Vec<TemplateSpec>,
}

/// A position's job description (岗位说明书), generated from the catalogue.
#[derive(Debug, Clone, Serialize)]
pub struct JobDescription {
    pub position: PositionView,
    pub duties: Vec<DutyView>,
}

/// The job description of `position`, staffed as of today.
pub fn job_description(pool: &DbPool, position: &PositionId, now: DateTime<Utc>) -> AppResult<JobDescription> {
    let pos = positions(pool, now)?
        .into_iter()
        .find(|p| p.id == position.as_str())
        .ok_or_else(|| super::AppError::new(ErrorCode::PositionNotFound).arg("position", position))?;
    let org = db::org::load(&mut pool.get()?.any())?;
    let mut duties = Vec::new();
    for d in org.duties.into_iter().filter(|d| d.position_id == position.as_str()) {
        let mut templates = Vec::new();
        for t in org.templates.iter().filter(|t| t.duty_id == d.id) {
            templates.push(serde_json::from_str(&t.spec).map_err(|e| super::AppError::corrupt(e.to_string()))?);
        }
        duties.push(DutyView { id: d.id, kind: d.kind, zh: d.zh, en: d.en, templates });
    }
    Ok(JobDescription { position: pos, duties })
}
