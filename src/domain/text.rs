//! Free text people type: notes, reasons, titles, names.

/// Whether `s` holds a control character other than a tab or a line break. Such
/// characters are invisible where the text is shown, can break headers, logs and
/// spreadsheets, and are never typed on purpose, so input holding one is refused.
pub fn has_control(s: &str) -> bool {
    s.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
}

#[cfg(test)]
mod tests {
    #[test]
    fn control_characters_but_tabs_and_line_breaks() {
        assert!(super::has_control("ok\u{2}"));
        assert!(super::has_control("\u{7f}"));
        assert!(super::has_control("\u{85}"));
        assert!(!super::has_control("两行\r\n第二行\t完"));
    }
}
