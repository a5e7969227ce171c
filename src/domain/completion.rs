//! What completing, skipping and reopening a task needs, and which moves are allowed.
//!
//! A template says what completion asks for (a tick, a note, a sign-off, or typed
//! figures); [`check_completion`] turns a person's input into the values stored, or
//! names the field that is wrong. [`transition`] holds the task state machine.

use super::task::TaskStatus;
use super::template::{CompletionMode, FigureType, TemplateSpec};
use crate::error::ErrorCode;
use chrono::{Duration, NaiveDateTime};
use serde_json::{Map, Number, Value};

/// A bad input at `field` (`note`, `reason`, `signoff`, `figures.parcels_shipped`):
/// what is wrong as an error code, and the longest length where that is the problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub code: ErrorCode,
    pub max: Option<usize>,
}

fn bad<T>(field: impl Into<String>, code: ErrorCode) -> Result<T, FieldError> {
    Err(FieldError { field: field.into(), code, max: None })
}

fn too_long<T>(field: impl Into<String>, max: usize) -> Result<T, FieldError> {
    Err(FieldError { field: field.into(), code: ErrorCode::TooLong, max: Some(max) })
}

/// Longest note or reason kept.
pub const MAX_NOTE: usize = 2000;
/// Longest text figure kept.
pub const MAX_TEXT_FIGURE: usize = 500;
/// How long the person who finished a task may undo it.
pub const UNDO_MINUTES: i64 = 10;

/// What a completion stores.
#[derive(Debug, Clone, PartialEq)]
pub struct Completion {
    pub note: Option<String>,
    /// Typed figures by key, as JSON.
    pub figures: Option<Map<String, Value>>,
}

/// Input to completing a task, from the API or a page form.
#[derive(Debug, Clone, Default)]
pub struct CompletionInput {
    pub note: Option<String>,
    /// Figure values by key: JSON numbers, strings, booleans (forms send strings).
    pub figures: Map<String, Value>,
    pub signoff: bool,
}

/// Checks `input` against what `spec` asks for; the first problem when there are
/// several (see [`completion_problems`] for all of them).
pub fn check_completion(spec: &TemplateSpec, input: &CompletionInput) -> Result<Completion, FieldError> {
    checked(spec, input).map_err(|mut all| all.swap_remove(0))
}

/// Every problem with `input`, in the order of the form (note, sign-off, then each
/// figure as the template asks for it); empty when it would be accepted.
pub fn completion_problems(spec: &TemplateSpec, input: &CompletionInput) -> Vec<FieldError> {
    checked(spec, input).err().unwrap_or_default()
}

fn checked(spec: &TemplateSpec, input: &CompletionInput) -> Result<Completion, Vec<FieldError>> {
    let mut problems = Vec::new();
    let note = clean_text(input.note.as_deref(), "note", MAX_NOTE).unwrap_or_else(|e| {
        problems.push(e);
        None
    });
    match spec.completion {
        CompletionMode::Note if note.is_none() && problems.is_empty() => {
            problems.extend(bad::<()>("note", ErrorCode::NoteRequired).err())
        }
        CompletionMode::Signoff if !input.signoff => {
            problems.extend(bad::<()>("signoff", ErrorCode::SignoffRequired).err())
        }
        _ => {}
    }
    for key in input.figures.keys().filter(|k| !spec.figures.iter().any(|f| &f.key == *k)) {
        problems.extend(bad::<()>(format!("figures.{key}"), ErrorCode::FigureUnknown).err());
    }
    let mut out = Map::new();
    for f in &spec.figures {
        let field = format!("figures.{}", f.key);
        match input.figures.get(&f.key).filter(|v| !is_blank(v)) {
            None if f.required => problems.extend(bad::<()>(field, ErrorCode::FigureRequired).err()),
            None => {}
            Some(value) => match typed(f.kind, value, &field) {
                Ok(v) => {
                    out.insert(f.key.clone(), v);
                }
                Err(e) => problems.push(e),
            },
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Completion { note, figures: (!spec.figures.is_empty()).then_some(out) })
}

fn is_blank(v: &Value) -> bool {
    v.is_null() || v.as_str().is_some_and(|s| s.trim().is_empty())
}

/// A number as people type it: full-width digits and signs (a Chinese keyboard's
/// `１２０`), and thousands grouped with commas (`1,000`, `１，０００`), made plain.
/// Commas that do not group thousands are left, so the number stays unreadable.
fn numeral(t: &str) -> String {
    let plain: String = t
        .trim()
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '．' | '。' => '.',
            '，' => ',',
            '－' => '-',
            '＋' => '+',
            other => other,
        })
        .collect();
    let (int, frac) = plain.split_once('.').map_or((plain.as_str(), None), |(i, f)| (i, Some(f)));
    let digits = int.trim_start_matches(['-', '+']);
    let groups: Vec<&str> = digits.split(',').collect();
    let grouped = groups.len() > 1
        && (1..=3).contains(&groups[0].len())
        && groups[1..].iter().all(|g| g.len() == 3)
        && groups.iter().all(|g| g.chars().all(|c| c.is_ascii_digit()));
    match (grouped, frac) {
        (true, Some(f)) => format!("{}.{f}", int.replace(',', "")),
        (true, None) => int.replace(',', ""),
        (false, _) => plain,
    }
}

fn typed(kind: FigureType, v: &Value, field: &str) -> Result<Value, FieldError> {
    let plain = v.as_str().map(numeral);
    let number = plain.as_deref();
    let text = v.as_str().map(str::trim);
    match kind {
        FigureType::Integer => {
            let n = v.as_i64().or_else(|| number.and_then(|t| t.parse::<i64>().ok()));
            match n {
                Some(n) if n >= 0 => Ok(Value::from(n)),
                Some(_) => bad(field, ErrorCode::NotNegative),
                None => bad(field, ErrorCode::NotInteger),
            }
        }
        FigureType::Decimal => {
            let n = v.as_f64().or_else(|| number.and_then(|t| t.parse::<f64>().ok())).filter(|n| n.is_finite());
            match n.and_then(Number::from_f64) {
                Some(num) if n.is_some_and(|n| n >= 0.0) => Ok(Value::Number(num)),
                Some(_) => bad(field, ErrorCode::NotNegative),
                None => bad(field, ErrorCode::NotNumber),
            }
        }
        FigureType::Text => match text {
            Some(t) if t.chars().count() > MAX_TEXT_FIGURE => too_long(field, MAX_TEXT_FIGURE),
            Some(t) if super::text::has_control(t) => bad(field, ErrorCode::ControlCharacter),
            Some(t) => Ok(Value::from(t)),
            None => bad(field, ErrorCode::NotText),
        },
        FigureType::Bool => match (v.as_bool(), text) {
            (Some(b), _) => Ok(Value::from(b)),
            (None, Some("true" | "yes" | "on" | "1" | "是")) => Ok(Value::from(true)),
            (None, Some("false" | "no" | "off" | "0" | "否")) => Ok(Value::from(false)),
            _ => bad(field, ErrorCode::NotYesNo),
        },
    }
}

fn clean_text(s: Option<&str>, field: &str, max: usize) -> Result<Option<String>, FieldError> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        Some(t) if t.chars().count() > max => too_long(field, max),
        Some(t) if super::text::has_control(t) => bad(field, ErrorCode::ControlCharacter),
        Some(t) => Ok(Some(t.to_string())),
        None => Ok(None),
    }
}

/// A skip's reason: required, trimmed, bounded.
pub fn check_reason(reason: Option<&str>) -> Result<String, FieldError> {
    clean_text(reason, "reason", MAX_NOTE)?.map_or_else(|| bad("reason", ErrorCode::ReasonRequired), Ok)
}

/// What a person asks to do with a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Complete,
    Skip,
    Reopen,
}

impl Action {
    /// How a task's history names it (`action_<verb>` is its translation key).
    pub fn log_verb(self) -> &'static str {
        match self {
            Action::Complete => "completed",
            Action::Skip => "skipped",
            Action::Reopen => "reopened",
        }
    }
}

/// Why a move is refused: the task is not in a state that allows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused(pub ErrorCode);

/// The status after `action`, or why not. `finished_at` is when the task was done or
/// skipped; `may_reopen_late` is true for leads and admins, who may reopen any time.
pub fn transition(
    status: TaskStatus,
    action: Action,
    finished_at: Option<NaiveDateTime>,
    now: NaiveDateTime,
    may_reopen_late: bool,
) -> Result<TaskStatus, Refused> {
    use TaskStatus::*;
    match (status, action) {
        (Cancelled, _) => Err(Refused(ErrorCode::TaskCancelled)),
        (Open | Missed, Action::Complete) => Ok(Done),
        (Open | Missed, Action::Skip) => Ok(Skipped),
        (Done, Action::Complete) => Err(Refused(ErrorCode::AlreadyDone)),
        (Skipped, Action::Complete | Action::Skip) => Err(Refused(ErrorCode::SkippedReopenFirst)),
        (Done, Action::Skip) => Err(Refused(ErrorCode::DoneReopenFirst)),
        (Open | Missed, Action::Reopen) => Err(Refused(ErrorCode::NotFinished)),
        (Done | Skipped, Action::Reopen) => {
            let in_time = finished_at.is_some_and(|t| now - t <= Duration::minutes(UNDO_MINUTES));
            if in_time || may_reopen_late {
                Ok(Open)
            } else {
                Err(Refused(ErrorCode::UndoExpired))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::template::{DueSpec, FigureSpec};
    use serde_json::json;

    fn spec(completion: CompletionMode, figures: Vec<FigureSpec>) -> TemplateSpec {
        TemplateSpec {
            id: "t".into(),
            duty: "d".into(),
            zh: String::new(),
            en: String::new(),
            position: None,
            schedule: None,
            trigger: None,
            shift: Default::default(),
            due: DueSpec { time: "18:00".into(), working_days: 0, days: None, hours: None },
            assign: Default::default(),
            assign_to: Default::default(),
            catch_up: Default::default(),
            completion,
            figures,
            reminders: None,
            description: None,
        }
    }

    fn fig(key: &str, kind: FigureType, required: bool) -> FigureSpec {
        FigureSpec { key: key.into(), kind, zh: key.into(), en: key.into(), required }
    }

    fn input(figures: Value) -> CompletionInput {
        CompletionInput { figures: figures.as_object().cloned().unwrap_or_default(), ..Default::default() }
    }

    #[test]
    fn figures_are_typed_and_named_when_wrong() {
        let s = spec(
            CompletionMode::Figures,
            vec![
                fig("parcels", FigureType::Integer, true),
                fig("rate", FigureType::Decimal, true),
                fig("ok", FigureType::Bool, false),
            ],
        );
        let done = check_completion(&s, &input(json!({"parcels": "120", "rate": 3.5, "ok": "yes"}))).unwrap();
        assert_eq!(Value::Object(done.figures.unwrap()), json!({"parcels": 120, "rate": 3.5, "ok": true}));
        let e = check_completion(&s, &input(json!({"parcels": "12a", "rate": 1}))).unwrap_err();
        assert_eq!((e.field.as_str(), e.code), ("figures.parcels", ErrorCode::NotInteger));
        // As a Chinese keyboard types them, and with thousands grouped.
        for (typed_in, want) in [("１２０", 120), ("1,000", 1000), ("１，２５０", 1250), (" 12 ", 12)] {
            let got = typed(FigureType::Integer, &Value::from(typed_in), "f").unwrap();
            assert_eq!(got, Value::from(want), "{typed_in}");
        }
        assert_eq!(typed(FigureType::Decimal, &Value::from("１２．５"), "f").unwrap(), Value::from(12.5));
        assert_eq!(typed(FigureType::Decimal, &Value::from("1,234.5"), "f").unwrap(), Value::from(1234.5));
        for wrong in ["1,5", "12,34", "1,,000", "abc"] {
            assert!(typed(FigureType::Integer, &Value::from(wrong), "f").is_err(), "{wrong}");
        }
        let e = check_completion(&s, &input(json!({"parcels": 1}))).unwrap_err();
        assert_eq!(e.field, "figures.rate");
        // Every problem at once, in the form's order; none for a good input.
        let all = completion_problems(&s, &input(json!({"parcels": "12a", "ok": "maybe", "extra": 1})));
        let got: Vec<_> = all.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(
            got,
            [
                ("figures.extra", ErrorCode::FigureUnknown),
                ("figures.parcels", ErrorCode::NotInteger),
                ("figures.rate", ErrorCode::FigureRequired),
                ("figures.ok", ErrorCode::NotYesNo),
            ]
        );
        assert!(completion_problems(&s, &input(json!({"parcels": 1, "rate": 2}))).is_empty());
        let e = check_completion(&s, &input(json!({"parcels": -1, "rate": 1}))).unwrap_err();
        assert_eq!(e.code, ErrorCode::NotNegative);
        let e = check_completion(&s, &input(json!({"parcels": 1, "rate": 1, "extra": 2}))).unwrap_err();
        assert_eq!(e.field, "figures.extra");
    }

    #[test]
    fn notes_and_signoffs_are_asked_for() {
        let e = check_completion(&spec(CompletionMode::Note, vec![]), &input(json!({}))).unwrap_err();
        assert_eq!(e.field, "note");
        let e = check_completion(&spec(CompletionMode::Signoff, vec![]), &input(json!({}))).unwrap_err();
        assert_eq!(e.field, "signoff");
        let ok = CompletionInput { signoff: true, ..Default::default() };
        assert!(check_completion(&spec(CompletionMode::Signoff, vec![]), &ok).is_ok());
        assert_eq!(check_reason(Some("  ")).unwrap_err().field, "reason");
    }

    #[test]
    fn undo_within_ten_minutes_or_by_a_lead() {
        let t0 = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap().and_hms_opt(10, 0, 0).unwrap();
        let soon = t0 + Duration::minutes(9);
        let late = t0 + Duration::minutes(11);
        assert_eq!(transition(TaskStatus::Done, Action::Reopen, Some(t0), soon, false), Ok(TaskStatus::Open));
        assert!(transition(TaskStatus::Done, Action::Reopen, Some(t0), late, false).is_err());
        assert_eq!(transition(TaskStatus::Done, Action::Reopen, Some(t0), late, true), Ok(TaskStatus::Open));
        assert!(transition(TaskStatus::Done, Action::Complete, Some(t0), soon, true).is_err());
        assert_eq!(transition(TaskStatus::Missed, Action::Complete, None, soon, false), Ok(TaskStatus::Done));
    }
}
