//! A report's figures over a period: table, sums, averages, chart and CSV.

use super::{chart, chrome, html, message, signed_in, Chrome, Helpers};
use crate::domain::template::FigureType;
use crate::services::figures::{self, FigureReport};
use crate::services::{context, ServiceError};
use crate::web::AppState;
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::{Days, NaiveDate, Utc};
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
struct Query {
    template: String,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
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
    fn num(&self, v: &Option<f64>) -> String {
        v.map(|x| format!("{x:.2}")).unwrap_or_default()
    }
}

async fn load(
    state: &web::Data<AppState>,
    session: &Session,
    q: Query,
) -> Result<(Chrome, FigureReport, NaiveDate, NaiveDate), HttpResponse> {
    let v = signed_in(state, session).await?;
    let c = chrome(session, &v, "/dashboard");
    let pool = state.pool.clone();
    let result = web::block(move || {
        let (_, today) = context::company_today(&mut pool.get()?.any(), Utc::now())?;
        let to = q.to.unwrap_or(today);
        let from = q.from.unwrap_or_else(|| to.checked_sub_days(Days::new(29)).unwrap_or(to));
        figures::report(&pool, &v, &q.template, from, to).map(|r| (r, from, to))
    })
    .await;
    match result {
        Ok(Ok((r, from, to))) => Ok((c, r, from, to)),
        Ok(Err(e)) => {
            let (status, text) = match &e {
                ServiceError::Forbidden(_) => (StatusCode::FORBIDDEN, c.tr.t("dashboard_forbidden")),
                ServiceError::NotFound(_) => (StatusCode::NOT_FOUND, c.tr.t("not_found")),
                ServiceError::Invalid { message, .. } => (StatusCode::UNPROCESSABLE_ENTITY, c.tr.message(message)),
                _ => (StatusCode::INTERNAL_SERVER_ERROR, c.tr.t("error")),
            };
            let title = c.tr.t("report_figures");
            Err(message(status, c, title, text))
        }
        Err(_) => Err(HttpResponse::InternalServerError().finish()),
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
