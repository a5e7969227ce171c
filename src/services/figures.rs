//! The figures that reports record (parcels shipped, mis-shipments, promotion spend …)
//! over a period: every filed report, and the sum and average of each number.

use super::{AppError, AppResult};
use crate::db::{self, DbPool};
use crate::domain::access::Viewer;
use crate::domain::task::{StaffId, TemplateId};
use crate::domain::template::{FigureSpec, FigureType, TemplateSpec};
use crate::error::ErrorCode;
use chrono::NaiveDate;
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;

/// One filed report.
#[derive(Debug, Clone, Serialize)]
pub struct Filed {
    pub task_id: i64,
    pub date: NaiveDate,
    pub by: String,
    /// Values in the order of [`FigureReport::figures`], as shown.
    pub values: Vec<String>,
}

/// A template's figures over a period.
#[derive(Debug, Clone, Serialize)]
pub struct FigureReport {
    pub template_id: String,
    pub title_zh: String,
    pub title_en: String,
    pub figures: Vec<FigureSpec>,
    pub rows: Vec<Filed>,
    /// Per figure: the sum and average of numeric figures (`None` for text and yes/no).
    pub sums: Vec<Option<f64>>,
    pub averages: Vec<Option<f64>>,
}

/// The figures filed for `template` in `from..=to`, within the departments `viewer` leads.
pub fn report(
    pool: &DbPool,
    viewer: &Viewer,
    template: &TemplateId,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<FigureReport> {
    super::dashboard::check_period(from, to)?;
    let mut conn = pool.get()?;
    let conn = &mut conn.any();
    let departments = super::dashboard::departments_in_scope(conn, viewer, None)?;
    let (tpl, _, _) = db::org::templates_named(conn, &[template.to_string()])?
        .into_iter()
        .next()
        .ok_or_else(|| AppError::new(ErrorCode::TemplateNotFound).arg("template", template))?;
    let spec: TemplateSpec = serde_json::from_str(&tpl.spec).map_err(|e| AppError::corrupt(e.to_string()))?;
    if spec.figures.is_empty() {
        return Err(AppError::invalid("template", ErrorCode::NoFigures));
    }
    let tasks = db::tasks::with_figures(conn, template, from, to, &departments)?;
    let people: Vec<StaffId> = tasks.iter().filter_map(|t| t.done_by).collect();
    let names: HashMap<StaffId, String> = db::staff::names(conn, &people)?.into_iter().collect();
    let mut sums: Vec<Option<f64>> = spec
        .figures
        .iter()
        .map(|f| matches!(f.kind, FigureType::Integer | FigureType::Decimal).then_some(0.0))
        .collect();
    let mut counts = vec![0u32; spec.figures.len()];
    let mut rows = Vec::new();
    for t in tasks {
        let values: serde_json::Map<String, Value> =
            t.figures.as_deref().and_then(|f| serde_json::from_str(f).ok()).unwrap_or_default();
        let mut shown = Vec::new();
        for (i, f) in spec.figures.iter().enumerate() {
            let v = values.get(&f.key);
            if let (Some(sum), Some(n)) = (sums[i].as_mut(), v.and_then(Value::as_f64)) {
                *sum += n;
                counts[i] += 1;
            }
            shown.push(match v {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Bool(b)) => {
                    if *b {
                        "✓".into()
                    } else {
                        "✗".into()
                    }
                }
                Some(other) => other.to_string(),
                None => String::new(),
            });
        }
        rows.push(Filed {
            task_id: t.id.0,
            date: t.occurs_on,
            by: t.done_by.and_then(|p| names.get(&p).cloned()).unwrap_or_default(),
            values: shown,
        });
    }
    let averages = sums.iter().zip(&counts).map(|(s, n)| s.and_then(|s| (*n > 0).then(|| s / f64::from(*n)))).collect();
    Ok(FigureReport {
        template_id: tpl.id,
        title_zh: tpl.zh,
        title_en: tpl.en,
        figures: spec.figures,
        rows,
        sums,
        averages,
    })
}

/// A figure's sum as people write it: an integer figure's without decimals.
pub fn sum_text(kind: FigureType, v: Option<f64>) -> String {
    match (kind, v) {
        (_, None) => String::new(),
        (FigureType::Integer, Some(x)) if x.fract() == 0.0 && x.abs() < 1e15 => format!("{}", x as i64),
        (_, Some(x)) => format!("{x:.2}"),
    }
}

/// A figure's average: two decimals.
pub fn average_text(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.2}")).unwrap_or_default()
}

/// The report as CSV: date, who, then each figure; then sums and averages.
pub fn to_csv(r: &FigureReport, zh: bool) -> String {
    let mut header =
        vec![(if zh { "日期" } else { "date" }).to_string(), (if zh { "填报人" } else { "by" }).to_string()];
    header.extend(r.figures.iter().map(|f| if zh { f.zh.clone() } else { f.en.clone() }));
    let filed = r.rows.iter().map(|row| {
        let mut cells = vec![row.date.to_string(), row.by.clone()];
        cells.extend(row.values.iter().cloned());
        cells
    });
    let mut sums = vec![(if zh { "合计" } else { "sum" }).to_string(), String::new()];
    sums.extend(r.figures.iter().zip(&r.sums).map(|(f, v)| sum_text(f.kind, *v)));
    let mut averages = vec![(if zh { "平均" } else { "average" }).to_string(), String::new()];
    averages.extend(r.averages.iter().map(|v| average_text(*v)));
    let summary = [sums, averages];
    super::csv::table(&header, filed.chain(summary))
}
