//! CSV formula injection (OWASP): a text cell that starts with `=`, `+`, `-`, `@`, tab or CR
//! is run as a formula by Excel and WPS (`=HYPERLINK(…)`, `@SUM(…)`, `-2+3`), so such a cell
//! that is not a number gets a `'` first, which both show as text. `--raw-csv` turns it off.

use std::borrow::Cow;
use std::io::Write;

/// Whether a cell would be taken for a formula: it starts with `=`, `+`, `-`, `@`, tab or CR
/// and is not a number (`-0.25`, `+3`, `-1e-5` stay as they are). One byte is looked at for
/// almost every cell.
pub fn is_formula_like(cell: &[u8]) -> bool {
    matches!(
        cell.first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    ) && !is_number(cell)
}

/// A decimal number as the writers format them: sign, digits, point, exponent (no `inf`/`NaN`).
fn is_number(cell: &[u8]) -> bool {
    cell.iter()
        .all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b'e' | b'E'))
        && std::str::from_utf8(cell).is_ok_and(|s| s.parse::<f64>().is_ok())
}

/// The cell as written: with a `'` first when it would be taken for a formula and `guard` is on.
pub fn guarded(cell: &str, guard: bool) -> Cow<'_, str> {
    if guard && is_formula_like(cell.as_bytes()) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// A csv writer whose records pass through [`guarded`] (unless raw).
pub struct CsvOut<W: Write> {
    inner: csv::Writer<W>,
    guard: bool,
}

impl<W: Write> CsvOut<W> {
    /// Wraps `inner`; `raw` writes every cell as it is.
    pub fn new(inner: csv::Writer<W>, raw: bool) -> Self {
        CsvOut { inner, guard: !raw }
    }

    /// Writes one record, each text cell guarded.
    pub fn write_record<I, T>(&mut self, record: I) -> csv::Result<()>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<str>,
    {
        for cell in record {
            self.inner
                .write_field(guarded(cell.as_ref(), self.guard).as_bytes())?;
        }
        // An empty record ends the one written field by field.
        self.inner.write_record(None::<&[u8]>)
    }

    /// Flushes the underlying writer.
    pub fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }

    /// The underlying writer, flushed.
    pub fn into_inner(self) -> std::io::Result<W> {
        self.inner.into_inner().map_err(|e| e.into_error())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_prefixed_and_numbers_are_not() {
        for cell in [
            "=1+2",
            "=HYPERLINK(\"http://x\",\"y\")",
            "+86 10 1234",
            "-依法行政",
            "@SUM(A1)",
            "\tindent",
            "\rcr",
            "-",
            "-inf",
            "+NaN",
        ] {
            assert!(is_formula_like(cell.as_bytes()), "{cell:?}");
            assert_eq!(guarded(cell, true), format!("'{cell}"));
            assert_eq!(guarded(cell, false), cell);
        }
        for cell in [
            "-0.2737",
            "+3",
            "-1e-5",
            "1.0000",
            "",
            "江湾镇",
            "a=b",
            "T01",
            "'=x",
        ] {
            assert!(!is_formula_like(cell.as_bytes()), "{cell:?}");
            assert_eq!(guarded(cell, true), cell);
        }
    }

    #[test]
    fn guarded_records_are_valid_csv_that_reads_back_with_the_prefix() {
        let mut w = CsvOut::new(csv::Writer::from_writer(Vec::new()), false);
        w.write_record(["=cmd|' /C calc'!A0", "-0.5", "a,\"b\"", "\r\n"])
            .unwrap();
        w.write_record(["x", "", "y", "z"]).unwrap();
        let bytes = w.into_inner().unwrap();
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(bytes.as_slice());
        let rows: Vec<Vec<String>> = r
            .records()
            .map(|r| r.unwrap().iter().map(String::from).collect())
            .collect();
        assert_eq!(
            rows,
            [
                vec!["'=cmd|' /C calc'!A0", "-0.5", "a,\"b\"", "'\r\n"],
                vec!["x", "", "y", "z"]
            ]
        );
        let mut raw = CsvOut::new(csv::Writer::from_writer(Vec::new()), true);
        raw.write_record(["=1+2"]).unwrap();
        assert_eq!(raw.into_inner().unwrap(), b"=1+2\n");
    }
}
