//! Read-only views of the catalogue for the API: positions and templates.

use super::ServiceResult;
use crate::db::{self, DbPool};
use crate::domain::template::TemplateSpec;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::HashMap;

/// A person in a position.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PersonRef {
    pub id: i64,
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
    pub vacant: bool,
    pub duties: usize,
    pub templates: usize,
}

/// Every position in catalogue order, staffed as of `on`.
pub fn positions(pool: &DbPool, on: NaiveDate) -> ServiceResult<Vec<PositionView>> {
    let mut conn = pool.get()?;
    let conn = &mut conn.any();
    let org = db::org::load(conn)?;
    let people: HashMap<i64, String> = db::staff::all(conn)?.into_iter().map(|s| (s.id, s.name)).collect();
    let holdings: Vec<_> = db::staff::holders_since(conn, on)?.into_iter().filter(|h| h.valid_from <= on).collect();
    let depts: HashMap<&str, _> = org.departments.iter().map(|d| (d.id.as_str(), d)).collect();
    let mut out = Vec::new();
    for p in &org.positions {
        let refs = |deputy: bool| -> Vec<PersonRef> {
            holdings
                .iter()
                .filter(|h| h.position_id == p.id && h.deputy == deputy)
                .map(|h| PersonRef { id: h.staff_id, name: people.get(&h.staff_id).cloned().unwrap_or_default() })
                .collect()
        };
        let holders = refs(false);
        let dept = depts.get(p.department_id.as_str());
        out.push(PositionView {
            id: p.id.clone(),
            zh: p.zh.clone(),
            en: p.en.clone(),
            department_id: p.department_id.clone(),
            department_zh: dept.map(|d| d.zh.clone()).unwrap_or_default(),
            department_en: dept.map(|d| d.en.clone()).unwrap_or_default(),
            headcount: p.headcount,
            vacant: holders.is_empty(),
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
    #[serde(flatten)]
    pub spec: TemplateSpec,
}

/// Every template in catalogue order.
pub fn templates(pool: &DbPool) -> ServiceResult<Vec<TemplateView>> {
    let mut conn = pool.get()?;
    let org = db::org::load(&mut conn.any())?;
    org.templates
        .into_iter()
        .map(|t| {
            let spec: TemplateSpec = serde_json::from_str(&t.spec)
                .map_err(|e| super::ServiceError::Corrupt(format!("template {}: {e}", t.id)))?;
            Ok(TemplateView { position: t.position_id, active: t.active, spec })
        })
        .collect()
}
