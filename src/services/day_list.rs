//! A person's daily list from one statement: the rows come with the people they
//! name (see [`crate::db::day_list`]), everything else from the [`Directory`]. The
//! API serialises it straight from the rows; pages take [`TaskView`]s.

use super::directory::{Asks, Cache, Directory, Named};
use super::list_cache::{ListCache, ListStamp, Weigh, Written};
use super::tasks::{scope, DayList, TaskView};
use super::{AppError, AppResult};
use crate::db::day_list::ListedTask;
use crate::db::{self, AnyConn, DbPool};
use crate::domain::access::Viewer;
use crate::domain::completion::{transition, Action};
use crate::domain::task::TaskStatus;
use crate::domain::template::{CompletionMode, FigureSpec};
use chrono::{DateTime, Days, NaiveDate, NaiveDateTime, TimeZone, Utc};
use serde::ser::{SerializeStruct, Serializer};
use serde::Serialize;
use serde_json::value::RawValue;
use std::sync::Arc;

/// Where a task of the list belongs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Overdue,
    Today,
    Finished,
    Upcoming,
}

/// The list for one person and day, as read.
pub struct Listed {
    pub date: NaiveDate,
    rows: Vec<(Part, ListedTask, Arc<Named>)>,
    dir: Arc<Directory>,
    now: DateTime<Utc>,
    viewer: Viewer,
    /// See [`Listed::true_until`].
    until: DateTime<Utc>,
}

/// `viewer`'s list for `date` (default today): overdue open tasks, that day's, and
/// the 7 days after. One statement.
pub fn read(
    conn: &mut AnyConn,
    dir: Arc<Directory>,
    viewer: Viewer,
    date: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> AppResult<Listed> {
    let date = date.unwrap_or_else(|| now.with_timezone(&dir.tz).date_naive());
    let end = date.checked_add_days(Days::new(7)).unwrap_or(date);
    read_span(conn, dir, viewer, date, end, now)
}

/// A list's JSON as a response carries it: gzipped or plain, with the entity tag of
/// the plain body.
pub struct JsonList {
    pub body: Vec<u8>,
    pub gzipped: bool,
    pub tag: Arc<str>,
}

/// [`read`] as JSON, from `lists` when they keep it under `stamp` and it is still
/// true at `now`; otherwise read, written (its entity tag by `tag`) and kept.
/// Gzipped when the caller takes it so (`gzip`), as it is kept.
#[allow(clippy::too_many_arguments)]
pub fn json_kept(
    conn: &mut AnyConn,
    lists: &ListCache,
    (viewer, dir): (Viewer, Arc<Directory>),
    stamp: ListStamp,
    date: Option<NaiveDate>,
    now: DateTime<Utc>,
    (tag, gzip): (impl Fn(&[u8]) -> String, bool),
) -> AppResult<JsonList> {
    if let Some(kept) = json_if_kept(lists, (&viewer, &dir), &stamp, date, now, gzip)? {
        return Ok(kept);
    }
    let date = date.unwrap_or_else(|| now.with_timezone(&dir.tz).date_naive());
    let person = viewer.id;
    let listed = read(conn, dir, viewer, Some(date), now)?;
    let body = listed.to_json()?;
    let written = Written::of(&body, tag(&body)).map_err(unzip)?;
    let tag = written.tag.clone();
    let out = if gzip { written.gzipped.to_vec() } else { body };
    lists.put(person, date, stamp, listed.true_until(), written);
    Ok(JsonList { body: out, gzipped: gzip, tag })
}

/// The list [`json_kept`] would answer when `lists` keeps it under `stamp` and it is
/// still true at `now`; `None` when it must be read.
pub fn json_if_kept(
    lists: &ListCache,
    (viewer, dir): (&Viewer, &Directory),
    stamp: &ListStamp,
    date: Option<NaiveDate>,
    now: DateTime<Utc>,
    gzip: bool,
) -> AppResult<Option<JsonList>> {
    let date = date.unwrap_or_else(|| now.with_timezone(&dir.tz).date_naive());
    let Some(kept) = lists.get(viewer.id, date, stamp, now) else { return Ok(None) };
    let body = if gzip { kept.gzipped.to_vec() } else { kept.plain().map_err(unzip)? };
    Ok(Some(JsonList { body, gzipped: gzip, tag: kept.tag }))
}

/// A kept list that does not unzip.
fn unzip(e: std::io::Error) -> AppError {
    AppError::internal(format!("a kept list: {e}"))
}

/// [`read`] as pages show it, from `pages` when they keep it under `stamp` and it is
/// still true at `now`; otherwise read and kept.
pub fn views_kept(
    conn: &mut AnyConn,
    pages: &ListCache<Arc<DayList>>,
    (viewer, dir): (Viewer, Arc<Directory>),
    stamp: ListStamp,
    date: NaiveDate,
    now: DateTime<Utc>,
) -> AppResult<Arc<DayList>> {
    let person = viewer.id;
    if let Some(kept) = pages.get(person, date, &stamp, now) {
        return Ok(kept);
    }
    let listed = read(conn, dir, viewer, Some(date), now)?;
    let views = Arc::new(listed.views()?);
    pages.put(person, date, stamp, listed.true_until(), views.clone());
    Ok(views)
}

impl Weigh for Arc<DayList> {
    /// The views and the text they hold.
    fn weight(&self) -> usize {
        let parts = [&self.overdue, &self.today, &self.finished, &self.upcoming];
        parts.iter().flat_map(|p| p.iter()).map(TaskView::weight).sum()
    }
}

/// [`read`] of the days `date..=end` (a week, for the week view).
pub fn read_span(
    conn: &mut AnyConn,
    dir: Arc<Directory>,
    viewer: Viewer,
    date: NaiveDate,
    end: NaiveDate,
    now: DateTime<Utc>,
) -> AppResult<Listed> {
    let positions: Vec<String> = viewer.positions.iter().cloned().collect();
    let now_utc = now.naive_utc();
    let today = now.with_timezone(&dir.tz).date_naive();
    let mut found = db::day_list::list_named(conn, viewer.id, &positions, date, end)?;
    found.retain(|l| l.task.occurs_on <= end);
    let mut unknown: Vec<String> = found
        .iter()
        .filter(|l| dir.template(&l.task.template_id).is_none())
        .map(|l| l.task.template_id.clone())
        .collect();
    if !unknown.is_empty() {
        unknown.sort();
        unknown.dedup();
        dir.learn(conn, &unknown)?;
    }
    let mut rows = Vec::with_capacity(found.len());
    let mut until = last_instant(&dir, today);
    for l in found {
        until = turn(&l, now_utc).map_or(until, |t| until.min(t.and_utc()));
        let named = dir
            .template(&l.task.template_id)
            .ok_or_else(|| AppError::corrupt(format!("template {}", l.task.template_id)))?;
        named
            .asks(l.task.template_version)
            .ok_or_else(|| AppError::corrupt(format!("template {} has no words", l.task.template_id)))?;
        rows.extend(part(&l, date, today, now_utc).map(|p| (p, l, named)));
    }
    Ok(Listed { date, rows, dir, now, viewer, until })
}

/// Where a task belongs on the list of `date` (`today` being the company's date at
/// `now`), if on it at all. Open work from an earlier day is overdue once its due
/// time has passed; before that it is still running, so on today's list, not on a
/// later day's.
fn part(l: &ListedTask, date: NaiveDate, today: NaiveDate, now: NaiveDateTime) -> Option<Part> {
    let t = &l.task;
    let open = t.status.actionable();
    Some(match (t.occurs_on.cmp(&date), open) {
        (std::cmp::Ordering::Greater, _) => Part::Upcoming,
        (std::cmp::Ordering::Less, true) if overdue(t.status, t.due_at, now) => Part::Overdue,
        (std::cmp::Ordering::Less, true) if date > today => return None,
        (_, true) => Part::Today,
        (std::cmp::Ordering::Equal, false) => Part::Finished,
        (std::cmp::Ordering::Less, false) => return None,
    })
}

/// The list of a person already known, as pages show it, on a connection of its own.
pub fn views_for(
    pool: &DbPool,
    cache: &Cache,
    viewer: &Viewer,
    date: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> AppResult<DayList> {
    let mut conn = pool.get()?;
    let conn = &mut conn.any();
    let dir = cache.current(conn)?;
    read(conn, dir, viewer.clone(), date, now)?.views()
}

/// When what `l` shows next changes by the clock alone, if still to come at `now`:
/// an open task is due soon, then overdue; a finished one can no longer be taken
/// back by whoever finished it.
fn turn(l: &ListedTask, now: NaiveDateTime) -> Option<NaiveDateTime> {
    let t = &l.task;
    let undo = chrono::Duration::minutes(crate::domain::completion::UNDO_MINUTES);
    let soon = chrono::Duration::hours(super::tasks::DUE_SOON_HOURS);
    let at = match t.status.actionable() {
        true => [t.due_at.checked_sub_signed(soon), Some(t.due_at)],
        false => [t.done_at.and_then(|d| d.checked_add_signed(undo)), None],
    };
    at.into_iter().flatten().filter(|at| *at >= now).min()
}

/// The last instant of `today` in the company's time zone.
fn last_instant(dir: &Directory, today: NaiveDate) -> DateTime<Utc> {
    let next = today.succ_opt().unwrap_or(today).and_time(chrono::NaiveTime::MIN);
    let midnight = dir.tz.from_local_datetime(&next).earliest();
    midnight.map_or(DateTime::<Utc>::MAX_UTC, |t| t.with_timezone(&Utc) - chrono::Duration::nanoseconds(1))
}

fn overdue(status: TaskStatus, due_at: NaiveDateTime, now: NaiveDateTime) -> bool {
    status == TaskStatus::Open && due_at < now
}

impl Listed {
    /// The tasks of one part, each with its template and what its version asks for
    /// (checked present when read).
    fn parts(&self, part: Part) -> impl Iterator<Item = (&ListedTask, &Named, &Asks)> {
        self.rows
            .iter()
            .filter(move |(p, _, _)| *p == part)
            .filter_map(|(_, l, n)| n.asks(l.task.template_version).map(|a| (l, n.as_ref(), a)))
    }

    /// Until when (inclusive) the list as read stays true if no task read for it
    /// changes: the first due time still to pass (a task is overdue after it, and
    /// earlier work may join the list) or to come within two hours (due soon), the
    /// last moment a finished task can still be taken back by whoever finished it,
    /// or the company's midnight (what is today's moves), whichever comes first.
    pub fn true_until(&self) -> DateTime<Utc> {
        self.until
    }

    fn can_reopen(&self, l: &ListedTask) -> bool {
        let t = &l.task;
        transition(t.status, Action::Reopen, t.done_at, self.now.naive_utc(), self.viewer.manages(scope(t))).is_ok()
    }

    fn local(&self, t: NaiveDateTime) -> String {
        t.and_utc().with_timezone(&self.dir.tz).to_rfc3339()
    }

    /// The tasks of the days read, whatever their status, by due time: the week
    /// view's (the overdue ones of earlier days left out).
    pub fn dated_views(&self) -> Vec<TaskView> {
        let dated = self.rows.iter().filter(|(_, l, _)| l.task.occurs_on >= self.date);
        dated.filter_map(|(_, l, n)| n.asks(l.task.template_version).map(|a| self.view(l, n, a))).collect()
    }

    /// The list as pages show it.
    pub fn views(&self) -> AppResult<DayList> {
        let views = |part| self.parts(part).map(|(l, n, a)| self.view(l, n, a)).collect();
        Ok(DayList {
            date: self.date,
            overdue: views(Part::Overdue),
            today: views(Part::Today),
            finished: views(Part::Finished),
            upcoming: views(Part::Upcoming),
        })
    }

    fn view(&self, l: &ListedTask, named: &Named, asks: &Asks) -> TaskView {
        let t = &l.task;
        TaskView {
            can_reopen: self.can_reopen(l),
            id: t.id,
            template_id: t.template_id.clone(),
            title_zh: named.zh.clone(),
            title_en: named.en.clone(),
            duty_id: named.duty.id.clone(),
            duty_zh: named.duty.zh.clone(),
            duty_en: named.duty.en.clone(),
            position_id: t.position_id.clone(),
            position_zh: named.position.zh.clone(),
            position_en: named.position.en.clone(),
            department_id: t.department_id.clone(),
            occurs_on: t.occurs_on,
            due_at: self.local(t.due_at),
            status: t.status,
            overdue: overdue(t.status, t.due_at, self.now.naive_utc()),
            due_soon: super::tasks::due_soon(t.status, t.due_at, self.now.naive_utc()),
            assignee_id: t.assignee_id,
            assignee_name: l.assignee_name.clone(),
            cover: t.cover.clone(),
            covered_name: l.covered_name.clone(),
            completion: asks.completion,
            figures_asked: asks.figures.clone(),
            description: asks.description.clone(),
            note: t.note.clone(),
            figures: t.figures.as_deref().and_then(|f| serde_json::from_str(f).ok()),
            done_at: t.done_at.map(|d| self.local(d)),
            done_by_name: l.done_by_name.clone(),
        }
    }

    /// The list as JSON (the API's `DayList`), written straight from the rows.
    pub fn to_json(&self) -> AppResult<Vec<u8>> {
        let mut out = Vec::with_capacity(512 + self.rows.len() * 900);
        serde_json::to_writer(&mut out, self).map_err(|e| AppError::internal(e.to_string()))?;
        Ok(out)
    }
}

impl Serialize for Listed {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_struct("DayList", 5)?;
        m.serialize_field("date", &self.date)?;
        m.serialize_field("overdue", &Section(self, Part::Overdue))?;
        m.serialize_field("today", &Section(self, Part::Today))?;
        m.serialize_field("finished", &Section(self, Part::Finished))?;
        m.serialize_field("upcoming", &Section(self, Part::Upcoming))?;
        m.end()
    }
}

struct Section<'a>(&'a Listed, Part);

impl Serialize for Section<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let list = self.0;
        s.collect_seq(list.parts(self.1).map(|(l, named, asks)| TaskOut::of(list, l, named, asks)))
    }
}

/// One task as the API writes it (the fields of `TaskJson`, borrowed).
#[derive(Serialize)]
struct TaskOut<'a> {
    id: i64,
    template_id: &'a str,
    title_zh: &'a str,
    title_en: &'a str,
    duty_id: &'a str,
    duty_zh: &'a str,
    duty_en: &'a str,
    position_id: &'a str,
    position_zh: &'a str,
    position_en: &'a str,
    department_id: &'a str,
    occurs_on: NaiveDate,
    due_at: String,
    status: &'static str,
    overdue: bool,
    assignee_id: Option<i64>,
    assignee_name: Option<&'a str>,
    cover: &'a str,
    covered_name: Option<&'a str>,
    completion: CompletionMode,
    figures_asked: &'a [FigureSpec],
    description: Option<&'a str>,
    note: Option<&'a str>,
    figures: Option<&'a RawValue>,
    done_at: Option<String>,
    done_by_name: Option<&'a str>,
    can_reopen: bool,
}

impl<'a> TaskOut<'a> {
    fn of(list: &'a Listed, l: &'a ListedTask, named: &'a Named, asks: &'a Asks) -> TaskOut<'a> {
        let t = &l.task;
        TaskOut {
            id: t.id.0,
            template_id: &t.template_id,
            title_zh: &named.zh,
            title_en: &named.en,
            duty_id: &named.duty.id,
            duty_zh: &named.duty.zh,
            duty_en: &named.duty.en,
            position_id: &t.position_id,
            position_zh: &named.position.zh,
            position_en: &named.position.en,
            department_id: &t.department_id,
            occurs_on: t.occurs_on,
            due_at: list.local(t.due_at),
            status: t.status.as_str(),
            overdue: overdue(t.status, t.due_at, list.now.naive_utc()),
            assignee_id: t.assignee_id.map(|a| a.0),
            assignee_name: l.assignee_name.as_deref(),
            cover: &t.cover,
            covered_name: l.covered_name.as_deref(),
            completion: asks.completion,
            figures_asked: &asks.figures,
            description: asks.description.as_deref(),
            note: t.note.as_deref(),
            figures: t.figures.as_deref().and_then(|f| serde_json::from_str(f).ok()),
            done_at: t.done_at.map(|d| list.local(d)),
            done_by_name: l.done_by_name.as_deref(),
            can_reopen: list.can_reopen(l),
        }
    }
}
