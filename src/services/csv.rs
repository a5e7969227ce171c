//! CSV for Excel: UTF-8 with a byte-order mark (so Chinese opens correctly), CRLF line
//! ends, fields quoted by the `csv` crate when they need it. Every download uses this.
//!
//! What staff type (skip reasons, notes, text figures) reaches the leads' spreadsheets,
//! so a cell that a spreadsheet would read as a formula (starting with `=`, `+`, `-`,
//! `@`, a tab or a carriage return) is neutralised with a leading `'`, as OWASP's
//! "CSV injection" advice says. Numbers, negative ones included, stay numbers.

/// A whole CSV document of a header and rows.
pub fn table<S: AsRef<str>>(header: &[S], rows: impl IntoIterator<Item = Vec<String>>) -> String {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).flexible(true).from_writer(Vec::new());
    let mut write = |cells: Vec<String>| {
        // Writing to a Vec fails only on invalid UTF-8, which a String cannot hold.
        if let Err(e) = w.write_record(cells) {
            tracing::error!(error = %e, "a CSV row could not be written");
        }
    };
    write(header.iter().map(|h| safe(h.as_ref())).collect());
    for row in rows {
        write(row.iter().map(|c| safe(c)).collect());
    }
    let bytes = w.into_inner().unwrap_or_else(|e| e.into_inner().get_ref().clone());
    format!("\u{feff}{}", String::from_utf8_lossy(&bytes))
}

/// A cell as it may be written: one a spreadsheet would run as a formula gets a
/// leading apostrophe; a number, and the lone dash that stands for nothing, are
/// left alone.
pub fn safe(cell: &str) -> String {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && cell != "-" && cell.parse::<f64>().is_err() {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn bom_crlf_and_quoting() {
        let csv = super::table(&["a", "b"], vec![vec!["1,5".to_string(), "say \"hi\"".to_string()]]);
        assert_eq!(csv, "\u{feff}a,b\r\n\"1,5\",\"say \"\"hi\"\"\"\r\n");
    }

    #[test]
    fn formulas_are_neutralised_and_numbers_kept() {
        for (cell, out) in [
            ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
            ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
            ("+1+cmd|x", "'+1+cmd|x"),
            ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
            ("\tcalc", "'\tcalc"),
            ("\r=1", "'\r=1"),
            ("-12.5", "-12.5"),
            ("+3", "+3"),
            ("1250", "1250"),
            ("-", "-"),
            ("包装 = 3 箱", "包装 = 3 箱"),
        ] {
            assert_eq!(super::safe(cell), out, "{cell:?}");
        }
        let csv = super::table(&["h"], vec![vec!["=1+1".to_string()]]);
        assert_eq!(csv, "\u{feff}h\r\n'=1+1\r\n");
    }
}
