//! A report's figures over a period: table, sums, averages, chart and CSV.

use super::{chart, chrome, html, signed_in, Chrome, Helpers};
use crate::domain::task::TemplateId;
use crate::domain::template::FigureType;
use crate::error::{AppError, ErrorCode};
use crate::services::dashboard::Period;
use crate::services::figures::{self, FigureReport};
use crate::web::{blocking, error, AppState};
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
struct Query {
    /// Missing or mistyped values are refused on the page, not by the router.
    template: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

#[derive(Template)]
#[template(path = "pages/figures.html")]
struct FiguresPage {
    c: Chrome,
    r: FigureReport,
    from: NaiveDate,
    to: NaiveDate,
    chart: String,
}

impl Helpers for FiguresPage {}

impl FiguresPage {
    /// The sum of the `i`th figure (an integer's without decimals).
    fn sum(&self, i: usize, v: &Option<f64>) -> String {
        self.r.figures.get(i).map(|f| figures::sum_text(f.kind, *v)).unwrap_or_default()
    }

    fn average(&self, v: &Option<f64>) -> String {
        figures::average_text(*v)
    }
}

async fn load(
    state: &web::Data<AppState>,
    session: &Session,
    q: Query,
) -> Result<(Chrome, FigureReport, NaiveDate, NaiveDate), HttpResponse> {
    let v = signed_in(state, session).await?;
    let c = chrome(session, &v, "/dashboard");
    let (pool, now) = (state.pool.clone(), state.clock.now());
    let result = blocking(move || {
        let template = q.template.filter(|t| !t.trim().is_empty());
        let template = template.ok_or_else(|| AppError::invalid("template", ErrorCode::Required))?;
        let (from, to) = (super::date_param("from", q.from.as_deref())?, super::date_param("to", q.to.as_deref())?);
        let (from, to) = Period::Custom { from, to }.resolve(&pool, now)?;
        figures::report(&pool, &v, &TemplateId(template), from, to).map(|r| (r, from, to))
    })
    .await;
    match result {
        Ok((r, from, to)) => Ok((c, r, from, to)),
        Err(e) => Err(error::page(c, &e)),
    }
}

async fn page(state: web::Data<AppState>, session: Session, q: web::Query<Query>) -> HttpResponse {
    let (c, r, from, to) = match load(&state, &session, q.into_inner()).await {
        Ok(x) => x,
        Err(resp) => return resp,
    };
    let dates: Vec<NaiveDate> = r.rows.iter().map(|x| x.date).collect();
    let series: Vec<(String, Vec<Option<f64>>)> = r
        .figures
        .iter()
        .enumerate()
        .filter(|(_, f)| matches!(f.kind, FigureType::Integer | FigureType::Decimal))
        .map(|(i, f)| {
            let name = if c.tr.is_zh() { f.zh.clone() } else { f.en.clone() };
            (name, r.rows.iter().map(|row| row.values[i].parse::<f64>().ok()).collect())
        })
        .collect();
    let chart = chart::figures_svg(&dates, &series);
    html(StatusCode::OK, &FiguresPage { c, r, from, to, chart })
}

async fn csv(state: web::Data<AppState>, session: Session, q: web::Query<Query>) -> HttpResponse {
    let (c, r, from, to) = match load(&state, &session, q.into_inner()).await {
        Ok(x) => x,
        Err(resp) => return resp,
    };
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"dutyday-{}-{from}-{to}.csv\"", r.template_id),
        ))
        .body(figures::to_csv(&r, c.tr.is_zh()))
}

/// Mounts these routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/dashboard/figures", web::get().to(page)).route("/dashboard/figures.csv", web::get().to(csv));
}
