//! 看板: completion by department → position → person → duty for a period, a trend
//! chart, the overdue list, and the same table as CSV.

use super::i18n::Tr;
use super::{chart, chrome, html, signed_in, Chrome, Helpers};
use crate::domain::stats::Counts;
use crate::domain::task::StaffId;
use crate::services::dashboard::{self, By, Dashboard, Filter, Overdue, Period};
use crate::services::{AppError, AppResult};
use crate::web::{blocking, error, AppState};
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;

/// The page's query: a period preset (or custom dates), the grouping and a drill path.
#[derive(Debug, Clone, Deserialize, serde::Serialize, Default)]
pub struct Query {
    #[serde(skip_serializing_if = "Option::is_none")]
    period: Option<String>,
    /// As typed: a date that does not parse is refused on the page, not by the router.
    #[serde(skip_serializing_if = "Option::is_none")]
    from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    to: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    department: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    position: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    person: Option<i64>,
    /// The duty level opened: this template's tasks (`/dashboard/tasks`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) template: Option<String>,
}

impl Query {
    fn by(&self) -> By {
        self.by.as_deref().and_then(By::parse).unwrap_or(By::Department)
    }

    pub(super) fn filter(&self) -> Filter {
        Filter {
            department: self.department.clone(),
            position: self.position.clone(),
            person: self.person.map(StaffId),
        }
    }

    /// The typed dates, checked.
    pub(super) fn dates(&self) -> AppResult<(Option<NaiveDate>, Option<NaiveDate>)> {
        Ok((super::date_param("from", self.from.as_deref())?, super::date_param("to", self.to.as_deref())?))
    }

    fn custom(&self) -> bool {
        self.period.as_deref() == Some("custom")
    }

    /// The preset the page shows selected.
    fn preset(&self) -> &str {
        self.period.as_deref().unwrap_or("30")
    }

    /// The first and last day asked for. The form sends the preset with the dates it
    /// shows; dates changed while a preset stayed selected (the form cannot switch
    /// it without a script) win, and the query becomes a custom one.
    fn resolve(&mut self, pool: &crate::db::DbPool, now: DateTime<Utc>) -> AppResult<(NaiveDate, NaiveDate)> {
        let (from, to) = self.dates()?;
        let asked = Period::parse(self.period.as_deref(), from, to);
        let days = asked.resolve(pool, now)?;
        if self.custom() || (from.is_none() && to.is_none()) {
            return Ok(days);
        }
        let typed = (from.unwrap_or(days.0), to.unwrap_or(days.1));
        if typed == days {
            return Ok(days);
        }
        self.period = Some("custom".into());
        Period::Custom { from: Some(typed.0), to: Some(typed.1) }.resolve(pool, now)
    }

    /// This query's parameters with some replaced, as a URL query string.
    fn link(&self, by: &str, department: Option<&str>, position: Option<&str>, person: Option<&str>) -> String {
        let mut parts = vec![format!("period={}", self.preset()), format!("by={by}")];
        if self.custom() {
            if let Ok((from, to)) = self.dates() {
                parts.extend(from.map(|d| format!("from={d}")));
                parts.extend(to.map(|d| format!("to={d}")));
            }
        }
        parts.extend(department.map(|d| format!("department={d}")));
        parts.extend(position.map(|p| format!("position={p}")));
        parts.extend(person.map(|p| format!("person={p}")));
        parts.join("&")
    }
}

#[derive(Template)]
#[template(path = "pages/dashboard.html")]
struct DashboardPage {
    c: Chrome,
    q: Query,
    d: Dashboard,
    chart: String,
    overdue: Vec<Overdue>,
    /// Templates that record figures: (id, zh, en).
    reports: Vec<(String, String, String)>,
    /// Skipped tasks of the period, with their reasons.
    skipped: Vec<crate::services::tasks::TaskView>,
    /// The month heatmap per person (the month the period ends in).
    heatmap: String,
    /// Where this drill-down is: (name, link), the top first, this level last.
    crumbs: Vec<(String, String)>,
}

impl Helpers for DashboardPage {}

impl DashboardPage {
    /// Where a row leads one level down, if anywhere.
    fn drill(&self, key: impl AsRef<str>) -> Option<String> {
        let key = key.as_ref();
        let dept = self.q.department.as_deref();
        let link = match self.d.by {
            By::Department => self.q.link("position", Some(key), None, None),
            By::Position => self.q.link("person", dept, Some(key), None),
            By::Person if key != "unassigned" => self.q.link("template", dept, self.q.position.as_deref(), Some(key)),
            // The duty level opens to its tasks of the period, in the same scope.
            By::Template => {
                let mut link = format!("/dashboard/tasks?template={key}&from={}&to={}", self.d.from, self.d.to);
                link.extend(dept.map(|d| format!("&department={d}")));
                link.extend(self.q.position.as_deref().map(|p| format!("&position={p}")));
                link.extend(self.q.person.map(|p| format!("&person={p}")));
                return Some(link);
            }
            _ => return None,
        };
        Some(format!("/dashboard?{link}"))
    }

    /// The query string of this page, for the list downloads.
    fn here(&self) -> String {
        let by = format!("{:?}", self.d.by).to_lowercase();
        self.q.link(
            &by,
            self.q.department.as_deref(),
            self.q.position.as_deref(),
            self.q.person.map(|p| p.to_string()).as_deref(),
        )
    }

    fn csv_link(&self) -> String {
        let by = format!("{:?}", self.d.by).to_lowercase();
        format!(
            "/dashboard.csv?{}",
            self.q.link(
                &by,
                self.q.department.as_deref(),
                self.q.position.as_deref(),
                self.q.person.map(|p| p.to_string()).as_deref()
            )
        )
    }

    fn reminders(&self, o: &Overdue) -> String {
        reminders_line(&self.c.tr, &o.reminders)
    }

    fn pct(&self, done: &u64, due: &u64) -> String {
        format!("{:.0}%", Counts { done: *done, due: *due, ..Counts::default() }.completion_pct())
    }

    fn on_time(&self, on_time: &u64, due: &u64) -> String {
        format!("{:.0}%", Counts { on_time: *on_time, due: *due, ..Counts::default() }.on_time_pct())
    }

    fn label(&self, prefix: &str, name: impl AsRef<str>) -> String {
        format!("{prefix}_{}", name.as_ref())
    }

    fn by_name(&self) -> String {
        format!("{:?}", self.d.by).to_lowercase()
    }

    /// How late, in the words the reminders use ("33 小时", "2 天").
    fn late(&self, h: &f64) -> String {
        crate::services::remind::messages::span(&self.c.tr, chrono::Duration::minutes((h * 60.0).round() as i64))
    }

    fn preset(&self, p: &str) -> bool {
        self.q.preset() == p
    }
}

/// The drill-down's path by name, each level a link: the whole company, the
/// department, the position, the person.
fn crumbs(
    q: &Query,
    positions: &[crate::services::catalog_view::PositionView],
    pool: &crate::db::DbPool,
    v: &crate::domain::access::Viewer,
    tr: Tr,
    now: DateTime<Utc>,
) -> AppResult<Vec<(String, String)>> {
    let zh = tr.is_zh();
    let dept = q.department.as_deref();
    let pos = q.position.as_deref();
    let mut out = vec![(tr.t("dashboard_top"), format!("/dashboard?{}", q.link("department", None, None, None)))];
    if let Some(d) = dept {
        let name = positions.iter().find(|p| p.department_id == d);
        let name =
            name.map_or_else(|| d.to_string(), |p| if zh { p.department_zh.clone() } else { p.department_en.clone() });
        out.push((name, format!("/dashboard?{}", q.link("position", Some(d), None, None))));
    }
    if let Some(p) = pos {
        let name = positions.iter().find(|x| x.id == p);
        let name = name.map_or_else(|| p.to_string(), |x| if zh { x.zh.clone() } else { x.en.clone() });
        out.push((name, format!("/dashboard?{}", q.link("person", dept, Some(p), None))));
    }
    if let Some(person) = q.person {
        let name = crate::services::people::one(pool, v, StaffId(person), now)?.name;
        let id = person.to_string();
        out.push((name, format!("/dashboard?{}", q.link("template", dept, pos, Some(&id)))));
    }
    Ok(out)
}

async fn page(state: web::Data<AppState>, session: Session, q: web::Query<Query>) -> HttpResponse {
    let v = match signed_in(&state, &session).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let c = chrome(&session, &v, "/dashboard");
    let label = c.tr.t("rate_completion");
    let pool = state.pool.clone();
    let mut query = q.into_inner();
    let tr = c.tr;
    let result = blocking(move || {
        let now = state.clock.now();
        let (from, to) = query.resolve(&pool, now)?;
        let filter = query.filter();
        let (d, days) = dashboard::overview(&pool, &v, from, to, query.by(), &filter, now)?;
        let overdue = dashboard::overdue(&pool, &v, Some((from, to)), &filter, now)?;
        let skipped = dashboard::skipped(&pool, &v, from, to, &filter, now)?;
        let (_, people) = dashboard::month_by_person(&pool, &v, to, &filter, now)?;
        let legend = chart::HeatmapLegend {
            title: tr.t("heatmap"),
            none_due: tr.t("heatmap_none_due"),
            none_done: tr.t("heatmap_none_done"),
            all_done: tr.t("heatmap_all_done"),
        };
        let heatmap = chart::heatmap_svg(&people, &legend);
        let positions = crate::services::catalog_view::positions(&pool, now)?;
        let crumbs = crumbs(&query, &positions, &pool, &v, tr, now)?;
        // Only reports of the departments this dashboard covers: a lead's own.
        let department: std::collections::HashMap<String, String> =
            positions.into_iter().map(|p| (p.id, p.department_id)).collect();
        let in_scope = |position: &str| department.get(position).is_some_and(|dep| d.departments.contains(dep));
        let reports = crate::services::catalog_view::templates(&pool)?
            .into_iter()
            .filter(|t| !t.spec.figures.is_empty() && in_scope(&t.position))
            .map(|t| (t.spec.id, t.spec.zh, t.spec.en))
            .collect();
        Ok::<_, AppError>((d, days, overdue, reports, skipped, heatmap, query, crumbs))
    })
    .await;
    match result {
        Ok((d, days, overdue, reports, skipped, heatmap, q, crumbs)) => {
            let chart = chart::trend_svg(&days, &label);
            html(StatusCode::OK, &DashboardPage { c, q, d, chart, overdue, reports, skipped, heatmap, crumbs })
        }
        Err(e) => error::page(c, &e),
    }
}

async fn csv(state: web::Data<AppState>, session: Session, q: web::Query<Query>) -> HttpResponse {
    let v = match signed_in(&state, &session).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let mut q = q.into_inner();
    let c = chrome(&session, &v, "/dashboard");
    let pool = state.pool.clone();
    let result = blocking(move || {
        let now = state.clock.now();
        let (from, to) = q.resolve(&pool, now)?;
        dashboard::dashboard(&pool, &v, from, to, q.by(), &q.filter(), now)
    })
    .await;
    match result {
        Ok(d) => {
            let name = format!("dutyday-{}-{}-{:?}.csv", d.from, d.to, d.by).to_lowercase();
            HttpResponse::Ok()
                .content_type("text/csv; charset=utf-8")
                .insert_header(("Content-Disposition", format!("attachment; filename=\"{name}\"")))
                .body(dashboard::to_csv(&d, c.tr))
        }
        Err(e) => error::page(c, &e),
    }
}

/// The overdue or skipped list as CSV, for the same query as the page.
async fn list_csv(
    state: web::Data<AppState>,
    session: Session,
    which: web::Path<String>,
    q: web::Query<Query>,
) -> HttpResponse {
    let v = match signed_in(&state, &session).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let (which, mut q) = (which.into_inner(), q.into_inner());
    let c = chrome(&session, &v, "/dashboard");
    let tr = c.tr;
    let pool = state.pool.clone();
    let kind = which.clone();
    let result = blocking(move || {
        let now = state.clock.now();
        let (from, to) = q.resolve(&pool, now)?;
        let title =
            |t: &crate::services::tasks::TaskView| if tr.is_zh() { t.title_zh.clone() } else { t.title_en.clone() };
        let position = |t: &crate::services::tasks::TaskView| {
            if tr.is_zh() {
                t.position_zh.clone()
            } else {
                t.position_en.clone()
            }
        };
        Ok::<_, AppError>(if kind == "overdue" {
            let header = [
                tr.t("due"),
                tr.t("duty"),
                tr.t("assignee"),
                tr.t("position"),
                tr.t("working_hours_late"),
                tr.t("reminders_sent"),
            ];
            let rows = dashboard::overdue(&pool, &v, Some((from, to)), &q.filter(), now)?.into_iter().map(|o| {
                vec![
                    o.task.due_at.clone(),
                    title(&o.task),
                    o.task.assignee_name.clone().unwrap_or_default(),
                    position(&o.task),
                    format!("{:.1}", o.hours_late),
                    reminders_line(&tr, &o.reminders),
                ]
            });
            crate::services::csv::table(&header, rows)
        } else {
            let header = [tr.t("date"), tr.t("duty"), tr.t("filed_by"), tr.t("position"), tr.t("reason")];
            let rows = dashboard::skipped(&pool, &v, from, to, &q.filter(), now)?.into_iter().map(|t| {
                vec![
                    t.occurs_on.to_string(),
                    title(&t),
                    t.done_by_name.clone().unwrap_or_default(),
                    position(&t),
                    t.note.clone().unwrap_or_default(),
                ]
            });
            crate::services::csv::table(&header, rows)
        })
    })
    .await;
    match result {
        Ok(body) => HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header(("Content-Disposition", format!("attachment; filename=\"dutyday-{which}.csv\"")))
            .body(body),
        Err(e) => error::page(c, &e),
    }
}

/// Mounts these routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/dashboard", web::get().to(page))
        .route("/dashboard.csv", web::get().to(csv))
        .route("/dashboard/{which:overdue|skipped}.csv", web::get().to(list_csv));
}

/// "逾期 → 王五 11-30 18:05; 升级 → 李四 12-01 09:00": the reminders sent about a task.
fn reminders_line(tr: &Tr, sent: &[crate::services::dashboard::ReminderSent]) -> String {
    sent.iter()
        .map(|r| format!("{} → {} {}", tr.t(format!("rk_{}", r.kind)), r.to, r.at))
        .collect::<Vec<_>>()
        .join("; ")
}
