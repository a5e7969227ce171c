//! What every page's template may call: words for a task's completion, figures'
//! kinds, short times, and a form's values and problems when it was sent back.

use super::{cadence, Tr};

/// Small formatting helpers the templates call (askama calls them as methods).
pub trait Helpers {
    /// The translation key of what completion asks for.
    fn asks_key(&self, t: &crate::services::tasks::TaskView) -> &'static str {
        use crate::domain::template::CompletionMode;
        match t.completion {
            CompletionMode::Tick => "asks_tick",
            CompletionMode::Note => "asks_note",
            CompletionMode::Signoff => "asks_signoff",
            CompletionMode::Figures => "asks_figures",
        }
    }

    /// The button that opens a card's form: what to do to finish it.
    fn fill_key(&self, t: &crate::services::tasks::TaskView) -> &'static str {
        match t.completion {
            crate::domain::template::CompletionMode::Figures => "fill_figures",
            _ => "fill_note",
        }
    }

    /// The translation key of a history action.
    fn action_key(&self, action: &str) -> String {
        format!("action_{action}")
    }

    /// A figure's input kind.
    fn figure_kind(&self, f: &crate::domain::template::FigureSpec) -> &'static str {
        use crate::domain::template::FigureType;
        match f.kind {
            FigureType::Integer => "integer",
            FigureType::Decimal => "decimal",
            FigureType::Text => "text",
            FigureType::Bool => "bool",
        }
    }

    /// `2026-11-30T18:00:00+08:00` → `11-30 18:00`.
    fn short_time(&self, rfc3339: &str) -> String {
        match (rfc3339.get(5..10), rfc3339.get(11..16)) {
            (Some(d), Some(t)) => format!("{d} {t}"),
            _ => rfc3339.to_string(),
        }
    }

    /// What was typed into a form field before it was sent back with an error.
    fn prev_value(&self, _field: &str) -> String {
        String::new()
    }

    /// What is wrong with a field of a form sent back (empty: nothing).
    fn problem(&self, _field: &str) -> String {
        String::new()
    }

    /// Whether a card shows its whole form (a task's own page), or a report's or
    /// note's form waits behind a button (a list).
    fn form_open(&self) -> bool {
        false
    }

    /// A template's cadence in words.
    fn cadence(&self, t: &crate::domain::template::TemplateSpec, tr: &Tr) -> String {
        cadence::describe(t, *tr)
    }
}
