//! People in bulk from a CSV file, as Excel and WPS save it (UTF-8 with or without a
//! BOM, or GB18030 from "CSV (逗号分隔)"), with a dry run that lists what would change.
//!
//! The first row names the columns, in English or Chinese: `name`/`姓名`,
//! `email`/`邮箱` (required), `locale`/`语言`, `start`/`入职日期` (required for a new
//! person), `positions`/`岗位` (ids or names, separated by `;`, `；` or `、`), and
//! `last_day`/`离职日期`. A row whose email is new adds the person (invited to set a
//! password); a known email updates name and language, adds the positions listed that
//! they do not hold (from today, or a later start), and with a last day deactivates
//! them. Positions they hold and the file does not list are left alone.
//!
//! Every row is checked first and every problem listed; then all rows are applied in
//! one transaction (a dry run rolls it back), so a file changes everything or nothing.

use super::audit::Actor;
use super::people::{self, NewPerson};
use super::{staffing, AppError, AppResult};
use crate::db::{self, AnyConn, DbPool};
use crate::domain::access::Viewer;
use crate::domain::task::PositionId;
use crate::error::ErrorCode;
use crate::i18n::{Lang, Tr};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use std::collections::HashSet;

/// The largest file taken (some 2 500 people; the web's default body limit).
pub const MAX_BYTES: usize = 256 * 1024;

/// What a row does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RowAction {
    Add,
    Update,
    Unchanged,
}

/// One row of the plan.
#[derive(Debug, Clone, Serialize)]
pub struct PlannedRow {
    /// The line in the file (the header is line 1).
    pub row: usize,
    pub email: String,
    pub name: String,
    pub action: RowAction,
    /// What changes, in the reader's language.
    pub changes: Vec<String>,
}

/// A problem with one row.
#[derive(Debug, Clone, Serialize)]
pub struct RowProblem {
    pub row: usize,
    pub field: Option<String>,
    pub code: &'static str,
    pub message: String,
}

/// What an import did, or would do.
#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    pub rows: Vec<PlannedRow>,
    /// Whether the changes were made (false for a dry run or when a row is wrong).
    pub applied: bool,
    pub problems: Vec<RowProblem>,
}

#[derive(Debug, Clone, Default)]
struct Row {
    line: usize,
    name: String,
    email: String,
    locale: Option<String>,
    start: Option<NaiveDate>,
    positions: Vec<PositionId>,
    last_day: Option<NaiveDate>,
}

const COLUMNS: [(&str, &[&str]); 6] = [
    ("name", &["name", "姓名"]),
    ("email", &["email", "邮箱", "电子邮件", "e-mail"]),
    ("locale", &["locale", "language", "语言"]),
    ("start", &["start", "first_day", "入职日期"]),
    ("positions", &["positions", "position", "岗位"]),
    ("last_day", &["last_day", "离职日期"]),
];

/// The file's text: UTF-8 (a BOM dropped), else GB18030 as Chinese Excel saves it.
pub fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::GB18030.decode(bytes).0.into_owned(),
    }
}

/// `2026-12-01`, `2026/12/1`, `2026.12.1` or `2026年12月1日`.
fn date(s: &str) -> Option<NaiveDate> {
    let t: String = s.trim().replace(['/', '.', '年', '月'], "-").replace('日', "");
    NaiveDate::parse_from_str(&t, "%Y-%m-%d").ok()
}

fn locale(s: &str) -> Option<String> {
    match s.trim().to_lowercase().as_str() {
        "" => None,
        "zh-cn" | "zh" | "中文" | "简体中文" => Some("zh-CN".into()),
        "en" | "english" | "英文" | "英语" => Some("en".into()),
        other => Some(other.to_string()), // refused by the person checks, naming it
    }
}

struct Problems<'a> {
    tr: Tr,
    list: &'a mut Vec<RowProblem>,
}

impl Problems<'_> {
    fn add(&mut self, line: usize, e: &AppError) {
        let message =
            self.tr.args(&ErrorCode::CsvRow.key(), &[("row", &line.to_string()), ("problem", &e.message(self.tr.0))]);
        self.list.push(RowProblem { row: line, field: e.field.clone(), code: e.code.as_str(), message });
    }
}

/// Reads and checks every row; the problems of all rows at once.
fn parse(conn: &mut AnyConn, text: &str, problems: &mut Problems<'_>) -> AppResult<Vec<Row>> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| AppError::invalid("csv", ErrorCode::Malformed).arg("problem", e.to_string()))?
        .clone();
    let index = |col: &str| {
        let names = COLUMNS.iter().find(|(c, _)| *c == col).map_or(&[][..], |(_, n)| *n);
        headers.iter().position(|h| names.iter().any(|n| h.trim().eq_ignore_ascii_case(n)))
    };
    let all = COLUMNS.map(|(c, _)| c).join(", ");
    let need = |col: &str| {
        index(col).ok_or_else(|| AppError::invalid("csv", ErrorCode::CsvHeader).arg("column", col).arg("columns", &all))
    };
    let (name_at, email_at) = (need("name")?, need("email")?);
    let (locale_at, start_at, positions_at, last_at) =
        (index("locale"), index("start"), index("positions"), index("last_day"));
    let known: Vec<_> = db::org::load(conn)?.positions.into_iter().filter(|p| p.retired_on.is_none()).collect();
    let mut seen = HashSet::new();
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                problems.add(line, &AppError::invalid("csv", ErrorCode::Malformed).arg("problem", e.to_string()));
                continue;
            }
        };
        let cell = |at: Option<usize>| at.and_then(|a| record.get(a)).unwrap_or("").trim().to_string();
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let mut row = Row {
            line,
            name: cell(Some(name_at)),
            email: cell(Some(email_at)).to_lowercase(),
            locale: locale(&cell(locale_at)),
            ..Row::default()
        };
        let mut bad = |field: &'static str, code: ErrorCode, value: &str| {
            problems.add(line, &AppError::invalid(field, code).arg("value", value).arg("email", value));
        };
        if !crate::catalog::valid_email(&row.email) {
            bad("email", ErrorCode::BadEmail, &row.email);
        } else if !seen.insert(row.email.clone()) {
            bad("email", ErrorCode::EmailTaken, &row.email);
        }
        for (at, field, slot) in [(start_at, "start", &mut row.start), (last_at, "last_day", &mut row.last_day)] {
            let v = cell(at);
            if !v.is_empty() {
                match date(&v) {
                    Some(d) => *slot = Some(d),
                    None => bad(field, ErrorCode::InvalidDate, &v),
                }
            }
        }
        for p in cell(positions_at).split([';', '；', '、', '|']).map(str::trim).filter(|p| !p.is_empty()) {
            match known.iter().find(|k| k.id == p || k.zh == p || k.en.eq_ignore_ascii_case(p)) {
                Some(k) => row.positions.push(PositionId(k.id.clone())),
                None => {
                    problems.add(line, &AppError::invalid("positions", ErrorCode::UnknownPosition).arg("position", p))
                }
            }
        }
        rows.push(row);
    }
    Ok(rows)
}

enum Tx {
    App(AppError),
    DryRun,
}

impl From<diesel::result::Error> for Tx {
    fn from(e: diesel::result::Error) -> Self {
        Tx::App(e.into())
    }
}

/// Imports (or, with `dry_run`, plans) the people of a CSV file as `by`; the plan's
/// words are in `lang`. Problems come back in the report, with nothing changed.
#[allow(clippy::too_many_arguments)]
pub fn import_as(
    pool: &DbPool,
    by: Actor,
    bytes: &[u8],
    dry_run: bool,
    lang: Lang,
    base_url: &str,
    now: DateTime<Utc>,
) -> AppResult<ImportReport> {
    if bytes.len() > MAX_BYTES {
        return Err(AppError::new(ErrorCode::TooLarge));
    }
    let tr = Tr(lang);
    let text = decode(bytes);
    let mut list = Vec::new();
    let mut conn = pool.get()?;
    let rows = parse(&mut conn.any(), &text, &mut Problems { tr, list: &mut list })?;
    if !list.is_empty() {
        return Ok(ImportReport { rows: vec![], applied: false, problems: list });
    }
    let mut planned = Vec::new();
    let result = conn.transaction(|conn| {
        for row in &rows {
            match apply(conn, by, row, tr, base_url, now) {
                Ok(p) => planned.push(p),
                Err(e) => {
                    Problems { tr, list: &mut list }.add(row.line, &e);
                    return Err(Tx::DryRun);
                }
            }
        }
        if dry_run {
            Err(Tx::DryRun)
        } else {
            Ok(())
        }
    });
    match result {
        Ok(()) => Ok(ImportReport { rows: planned, applied: true, problems: vec![] }),
        Err(Tx::DryRun) if list.is_empty() => Ok(ImportReport { rows: planned, applied: false, problems: vec![] }),
        Err(Tx::DryRun) => Ok(ImportReport { rows: vec![], applied: false, problems: list }),
        Err(Tx::App(e)) => Err(e),
    }
}

/// [`import_as`] for a signed-in admin or HR.
pub fn import(
    pool: &DbPool,
    viewer: &Viewer,
    bytes: &[u8],
    dry_run: bool,
    lang: Lang,
    base_url: &str,
    now: DateTime<Utc>,
) -> AppResult<ImportReport> {
    people::may_manage_people(viewer)?;
    import_as(pool, Actor::from(viewer), bytes, dry_run, lang, base_url, now)
}

fn apply(
    conn: &mut AnyConn,
    by: Actor,
    row: &Row,
    tr: Tr,
    base_url: &str,
    now: DateTime<Utc>,
) -> AppResult<PlannedRow> {
    let (_, today) = super::context::company_today(conn, now)?;
    let mut changes = Vec::new();
    let names: Vec<&str> = row.positions.iter().map(PositionId::as_str).collect();
    let Some(old) = db::staff::by_email(conn, &row.email)? else {
        let start = row.start.ok_or_else(|| AppError::invalid("start", ErrorCode::Required))?;
        let person = NewPerson {
            name: row.name.clone(),
            email: row.email.clone(),
            locale: row.locale.clone(),
            start,
            positions: row.positions.clone(),
        };
        people::add_in(conn, by, &person, base_url, now)?;
        changes.push(tr.args("import_starts", &[("date", &start.to_string())]));
        if !names.is_empty() {
            changes.push(tr.args("import_holds", &[("positions", &names.join("、"))]));
        }
        changes.push(tr.t("import_invited"));
        if let Some(last) = row.last_day {
            let id = db::staff::by_email(conn, &row.email)?.map(|p| p.id);
            if let Some(id) = id {
                people::deactivate_in(conn, by, id, last, now)?;
                changes.push(tr.args("import_leaves", &[("date", &last.to_string())]));
            }
        }
        return Ok(PlannedRow {
            row: row.line,
            email: row.email.clone(),
            name: row.name.clone(),
            action: RowAction::Add,
            changes,
        });
    };
    let name = if row.name.is_empty() { old.name.clone() } else { row.name.clone() };
    let locale = row.locale.clone().unwrap_or_else(|| old.locale.clone());
    if name != old.name || locale != old.locale {
        people::edit_in(conn, by, old.id, &name, &old.email, &locale, now)?;
        if name != old.name {
            changes.push(format!("{}: {} → {name}", tr.t("name"), old.name));
        }
        if locale != old.locale {
            changes.push(format!("{}: {} → {locale}", tr.t("language"), old.locale));
        }
    }
    let held = db::staff::positions_held(conn, old.id, today)?;
    let from = row.start.map_or(today, |s| s.max(today));
    let new: Vec<&PositionId> = row.positions.iter().filter(|p| !held.iter().any(|h| h == p.as_str())).collect();
    for p in &new {
        staffing::add_holding_in(conn, by, old.id, p, false, from, now).map_err(|e| e.at("positions"))?;
        changes.push(tr.args("import_now_holds", &[("position", p.as_str()), ("date", &from.to_string())]));
    }
    if !new.is_empty() {
        let positions: Vec<String> = new.iter().map(ToString::to_string).collect();
        staffing::reconcile_from(conn, &positions, Some(from), now)?;
    }
    if let Some(last) = row.last_day.filter(|l| old.left_on != Some(*l)) {
        people::deactivate_in(conn, by, old.id, last, now)?;
        changes.push(tr.args("import_leaves", &[("date", &last.to_string())]));
    }
    let action = if changes.is_empty() { RowAction::Unchanged } else { RowAction::Update };
    Ok(PlannedRow { row: row.line, email: row.email.clone(), name, action, changes })
}
