//! What `policy-themes split` prints: the blocks found in each report (headings, units, chrome,
//! the accounting), with their character spans and why a line was opened, as an indented table
//! for reading, one JSON object per report, or one CSV row per block. Made here, not in the
//! binary, so that it is tested.

use crate::corpus::{CharIndex, Report, Unit};
use crate::split::{self, Block, BlockRole, Split};
use std::io::{self, Write};

/// How the outline is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutlineFormat {
    /// An indented outline for reading.
    Table,
    /// One JSON object per report, a line each.
    Json,
    /// One CSV row per block, under one header row.
    Csv,
}

/// The CSV columns.
const CSV_HEADER: [&str; 10] = [
    "file", "role", "kind", "level", "start", "end", "unit_id", "heading", "text", "opened",
];

/// Writes the outlines of reports one after the other. The CSV rows are gathered and written by
/// [`Outline::finish`] (one header for all reports); the table and JSON go out report by report.
pub struct Outline<W: Write> {
    out: W,
    format: OutlineFormat,
    csv: Option<csv::Writer<Vec<u8>>>,
}

/// One block of a report, with its code-point span and its unit.
struct Row<'a> {
    role: String,
    block: &'a Block,
    start: usize,
    end: usize,
    unit: Option<&'a Unit>,
}

impl<W: Write> Outline<W> {
    /// An outline in `format` written to `out`.
    pub fn new(out: W, format: OutlineFormat) -> io::Result<Outline<W>> {
        let csv = match format {
            OutlineFormat::Csv => {
                let mut c = csv::Writer::from_writer(Vec::new());
                c.write_record(CSV_HEADER).map_err(csv_io)?;
                Some(c)
            }
            _ => None,
        };
        Ok(Outline { out, format, csv })
    }

    /// Writes the outline of `report`, split into `split`.
    pub fn write(&mut self, report: &Report, split: &Split) -> io::Result<()> {
        let text = &report.text;
        let mut index = CharIndex::new(text);
        let mut units = split.units.iter();
        let rows: Vec<Row> = split
            .blocks
            .iter()
            .map(|b| Row {
                role: format!("{:?}", b.role).to_lowercase(),
                block: b,
                start: index.at(b.span.start),
                end: index.at(b.span.end),
                unit: if b.role == BlockRole::Unit {
                    units.next()
                } else {
                    None
                },
            })
            .collect();
        match self.format {
            OutlineFormat::Table => self.table(report, split, &rows),
            OutlineFormat::Json => {
                let blocks: Vec<serde_json::Value> = rows
                    .iter()
                    .map(|r| {
                        serde_json::json!({"role": r.role, "kind": r.block.kind, "level": r.block.level, "start": r.start, "end": r.end,
                            "unit_id": r.unit.map(|u| &u.id), "heading": r.unit.map(|u| &u.heading), "text": r.block.span.of(text),
                            "opened": split.line_start_at(r.block.span.start)})
                    })
                    .collect();
                let v = serde_json::json!({"file": report.file, "encoding": report.encoding, "meta": report.meta, "blocks": blocks});
                writeln!(self.out, "{v}")
            }
            OutlineFormat::Csv => {
                let c = self.csv.as_mut().expect("a CSV outline has its writer");
                for r in &rows {
                    c.write_record([
                        report.file.as_str(),
                        &r.role,
                        r.block.kind.as_str(),
                        &r.block.level.to_string(),
                        &r.start.to_string(),
                        &r.end.to_string(),
                        r.unit.map_or("", |u| u.id.as_str()),
                        r.unit.map_or("", |u| u.heading.as_str()),
                        r.block.span.of(text),
                        split.line_start_at(r.block.span.start).as_str(),
                    ])
                    .map_err(csv_io)?;
                }
                Ok(())
            }
        }
    }

    /// The indented table of one report.
    fn table(&mut self, report: &Report, split: &Split, rows: &[Row]) -> io::Result<()> {
        let m = &report.meta;
        let w = &mut self.out;
        writeln!(
            w,
            "== {} [{}] township={} county={} province={} year={} published={}",
            report.file,
            report.encoding,
            m.township.as_deref().unwrap_or("?"),
            m.county.as_deref().unwrap_or("?"),
            m.province.as_deref().unwrap_or("?"),
            m.year.map_or("?".to_string(), |y| y.to_string()),
            m.published.as_deref().unwrap_or("?")
        )?;
        for r in rows {
            let snippet: String = r
                .block
                .span
                .of(&report.text)
                .chars()
                .filter(|c| *c != '\n')
                .take(40)
                .collect();
            let id = r.unit.map_or(String::new(), |u| u.id.clone());
            // A line recovered inside a line of the text says why it begins there.
            let opened = match split.line_start_at(r.block.span.start) {
                split::LineStart::Line => String::new(),
                why => format!("[{}] ", why.as_str()),
            };
            writeln!(
                w,
                "{:indent$}{:<8} {:<12} {:>6}..{:<6} {id:<10} {opened}{snippet}",
                "",
                r.role,
                r.block.kind.as_str(),
                r.start,
                r.end,
                indent = 2 * r.block.level
            )?;
        }
        Ok(())
    }

    /// Writes what is gathered (the CSV) and flushes; returns the writer.
    pub fn finish(mut self) -> io::Result<W> {
        if let Some(c) = self.csv.take() {
            let bytes = c
                .into_inner()
                .map_err(|e| io::Error::other(e.to_string()))?;
            self.out.write_all(&bytes)?;
        }
        self.out.flush()?;
        Ok(self.out)
    }
}

fn csv_io(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{ReadParams, SplitParams};
    use crate::meta::Manifest;

    fn outline(format: OutlineFormat) -> String {
        let path = std::path::Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/data/sample/000_befa4e22df0f3e2b.txt"
        ));
        let report =
            crate::read::read_one("r0000", path, &ReadParams::default(), &Manifest::default())
                .expect("a sample report");
        let split = split::split_report(&report, 0, &SplitParams::default());
        let mut o = Outline::new(Vec::new(), format).unwrap();
        o.write(&report, &split).unwrap();
        o.write(&report, &split).unwrap();
        String::from_utf8(o.finish().unwrap()).unwrap()
    }

    #[test]
    fn the_table_heads_each_report_and_indents_its_blocks() {
        let t = outline(OutlineFormat::Table);
        assert_eq!(
            t.matches("\n== ").count() + t.starts_with("== ") as usize,
            2,
            "{t}"
        );
        assert!(
            t.lines().any(|l| l.trim_start().starts_with("unit ")),
            "{t}"
        );
        assert!(t.lines().any(|l| l.starts_with("  ")), "{t}");
    }

    #[test]
    fn json_is_an_object_per_report_whose_blocks_cover_the_units() {
        let j = outline(OutlineFormat::Json);
        let lines: Vec<serde_json::Value> = j
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        let blocks = lines[0]["blocks"].as_array().unwrap();
        assert!(
            blocks
                .iter()
                .any(|b| b["role"] == "unit" && b["unit_id"].is_string())
        );
        assert!(
            blocks
                .windows(2)
                .all(|w| w[0]["end"].as_u64() <= w[1]["start"].as_u64())
        );
    }

    #[test]
    fn csv_has_one_header_and_a_row_per_block() {
        let c = outline(OutlineFormat::Csv);
        let mut r = csv::Reader::from_reader(c.as_bytes());
        assert_eq!(r.headers().unwrap(), CSV_HEADER.as_slice());
        let rows: Vec<csv::StringRecord> = r.records().map(|r| r.unwrap()).collect();
        assert!(!rows.is_empty() && rows.len().is_multiple_of(2));
        assert!(rows.iter().all(|r| r.len() == CSV_HEADER.len()));
    }

    #[test]
    fn a_failed_write_is_an_error() {
        struct Full;
        impl Write for Full {
            fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                Err(io::Error::from(io::ErrorKind::StorageFull))
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let path = std::path::Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/data/sample/000_befa4e22df0f3e2b.txt"
        ));
        let report =
            crate::read::read_one("r0000", path, &ReadParams::default(), &Manifest::default())
                .unwrap();
        let split = split::split_report(&report, 0, &SplitParams::default());
        for format in [
            OutlineFormat::Table,
            OutlineFormat::Json,
            OutlineFormat::Csv,
        ] {
            let mut o = Outline::new(Full, format).unwrap();
            let wrote = o
                .write(&report, &split)
                .and_then(|()| o.finish().map(|_| ()));
            assert!(wrote.is_err(), "{format:?}");
        }
    }
}
