//! CSV for Excel: UTF-8 with a byte-order mark (so Chinese opens correctly), CRLF line
//! ends, and fields quoted by RFC 4180 when they need it. Every download uses this.

/// A whole CSV document of a header and rows.
pub fn table<S: AsRef<str>>(header: &[S], rows: impl IntoIterator<Item = Vec<String>>) -> String {
    let mut out = String::from("\u{feff}");
    push_line(&mut out, header.iter().map(AsRef::as_ref));
    for row in rows {
        push_line(&mut out, row.iter().map(String::as_str));
    }
    out
}

fn push_line<'a>(out: &mut String, cells: impl Iterator<Item = &'a str>) {
    let line: Vec<String> = cells.map(field).collect();
    out.push_str(&line.join(","));
    out.push_str("\r\n");
}

/// Quotes a field when it holds a comma, quote or line break.
fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn bom_crlf_and_quoting() {
        let csv = super::table(&["a", "b"], vec![vec!["1,5".to_string(), "say \"hi\"".to_string()]]);
        assert_eq!(csv, "\u{feff}a,b\r\n\"1,5\",\"say \"\"hi\"\"\"\r\n");
    }
}
