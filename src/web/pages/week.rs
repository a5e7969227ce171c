//! 本周: a person's week, Monday to Sunday, each day's tasks and whether it is worked.

use super::{chrome, html, see_other, Chrome, Helpers};
use crate::db::AnyConn;
use crate::error::AppResult;
use crate::services::askers::{Asker, Secret};
use crate::services::asking;
use crate::services::list_cache::ListStamp;
use crate::services::week::{self, Week, WeekDay};
use crate::web::{blocking, error, AppState};
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "pages/week.html")]
struct WeekPage {
    c: Chrome,
    week: Week,
    /// The company's today, marked in the week.
    today: NaiveDate,
}

impl Helpers for WeekPage {}

impl WeekPage {
    fn prev(&self) -> NaiveDate {
        self.week.monday.checked_sub_days(Days::new(7)).unwrap_or(self.week.monday)
    }

    fn next(&self) -> NaiveDate {
        self.week.monday.checked_add_days(Days::new(7)).unwrap_or(self.week.monday)
    }

    fn sunday(&self) -> NaiveDate {
        self.week.days.last().map_or(self.week.monday, |d| d.date)
    }

    fn holds_today(&self) -> bool {
        self.week.days.iter().any(|d| d.date == self.today)
    }

    /// `周一 12-07` or `Mon 12-07`.
    fn day_name(&self, day: &WeekDay) -> String {
        let i = day.date.weekday().num_days_from_monday() as usize;
        let names = if self.c.tr.is_zh() {
            ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]
        } else {
            ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        };
        format!("{} {}", names[i], day.date.format("%m-%d"))
    }

    /// `18:00` of a due time in the company's zone.
    fn clock(&self, rfc3339: &str) -> String {
        rfc3339.get(11..16).unwrap_or(rfc3339).to_string()
    }
}

#[derive(Deserialize)]
struct WeekQuery {
    date: Option<String>,
}

/// A page of one day or week of the person signed in. The `date` parameter is
/// checked; who is asking comes from one statement shared with whoever else asks
/// at the moment (`services::asking`); then what `kept` finds in the process
/// without the database, or else what `read` makes of it (given the company's
/// today) in one blocking hop; `show` renders it, or the error page does. Signed
/// out, or no longer allowed in: the login page.
pub(super) async fn dated_page<T: Send + 'static>(
    state: &web::Data<AppState>,
    session: &Session,
    path: &str,
    date: Option<&str>,
    kept: impl FnOnce(&Asker, &ListStamp, NaiveDate, DateTime<Utc>) -> Option<T>,
    read: impl FnOnce(&mut AnyConn, Asker, ListStamp, NaiveDate, DateTime<Utc>) -> AppResult<T> + Send + 'static,
    show: impl FnOnce(Chrome, NaiveDate, T) -> HttpResponse,
) -> HttpResponse {
    let Ok(Some(secret)) = session.get::<String>(super::SESSION_KEY) else { return see_other("/login") };
    let (date, bad) = match super::date_param("date", date) {
        Ok(d) => (d, None),
        Err(e) => (None, Some(e)),
    };
    let (asker, stamp, now) = match asking::ask(state, Secret::Session, &secret).await {
        Ok((Some((asker, stamp)), now)) => (asker, stamp, now),
        Ok((None, _)) => {
            session.purge();
            return see_other("/login");
        }
        Err(e) => return error::page(super::anonymous(session, super::i18n::Lang::Zh), &e),
    };
    let today = now.with_timezone(&asker.1.tz).date_naive();
    let back = date.map_or_else(|| path.to_string(), |d| format!("{path}?date={d}"));
    let c = chrome(session, &asker.0, &back);
    if let Some(e) = bad {
        return error::page(c, &e);
    }
    let day = date.unwrap_or(today);
    let made = match kept(&asker, &stamp, day, now) {
        Some(made) => Ok(made),
        None => {
            let st = state.clone();
            blocking(move || {
                let conn = &mut st.pool.get()?;
                read(&mut conn.any(), asker, stamp, day, now)
            })
            .await
        }
    };
    match made {
        Ok(made) => show(c, today, made),
        Err(e) => error::page(c, &e),
    }
}

async fn week_page(state: web::Data<AppState>, session: Session, q: web::Query<WeekQuery>) -> HttpResponse {
    let read = |conn: &mut AnyConn, (viewer, dir): Asker, _, date, now| week::read(conn, dir, viewer, date, now);
    let show = |c, today, week| html(StatusCode::OK, &WeekPage { c, week, today });
    dated_page(&state, &session, "/week", q.date.as_deref(), |_, _, _, _| None, read, show).await
}

/// Mounts this route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/week", web::get().to(week_page));
}
