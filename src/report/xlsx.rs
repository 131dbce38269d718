//! `workbook.xlsx`: the tables an analyst opens in Excel or WPS, written with `rust_xlsxwriter`.
//! Sheets `measures`, `themes` (the top terms and their weights in columns of their own),
//! `group_theme` (unit counts per group and theme, then each theme's share of the group's units:
//! a ready pivot) and `reports`. Every sheet has its header row frozen, an autofilter and
//! column widths from its content; numbers are numbers; text cells are guarded as in the CSVs
//! ([`super::guard`]) unless `--raw-csv`.
//!
//! More measures than one sheet holds (Excel's 1,048,576 rows with the header) are left out,
//! and a `notes` sheet says so in their place: they are all in `measures.csv`. Any other sheet
//! longer than Excel's rows goes on in `name_2`, `name_3`, … (each with its header). A cell
//! longer than Excel's 32,767 characters is cut, saying so in the cell; the CSV has the whole
//! text.
//!
//! The bytes depend only on the analysis: the document's creation time is fixed (Excel would
//! show the run's time otherwise), and the zip entries carry no time. The measures sheet is
//! written in constant-memory mode, streamed through a temporary file, and begun as soon as the
//! units have their themes and concreteness: on a thread of its own ([`start_workbook`], from
//! the pipeline) that shares the analysis's per-unit data and goes on while copied text is found
//! and the other outputs are written; the workbook's writer waits for it only to add the small
//! sheets and zip the whole. The sheet (about 2 s of one core on laws by paragraph, and 0.7 s
//! more to deflate its 300 MB of XML) is the longest serial task of a run: it starts when the
//! themes are known and ends the run.

use super::guard::guarded;
use super::tables::{MEASURES_HEADER, REPORTS_HEADER, report_rows};
use crate::analysis::{Analysis, UNASSIGNED};
use crate::cluster::Placement;
use crate::concrete::Concreteness;
use crate::config::{Lang, ValidConfig};
use crate::corpus::{ReportSummary, ThemeId, Unit};
use crate::error::{Error, Result};
use crate::label::Theme;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};
use std::borrow::Cow;
use std::path::Path;
use std::sync::{Arc, Mutex};

/// Rows of a sheet, the header included (Excel's limit).
pub const MAX_ROWS: usize = 1_048_576;
/// The most measures the workbook holds: one sheet's rows below its header. A national corpus
/// of millions of measures would make gigabytes of sheets no spreadsheet opens, written on one
/// core for a minute (laws ×20, 5.7 million measures: 1.5 GB); above it the workbook says it
/// leaves them out, and `measures.csv` has them all.
pub const MAX_MEASURES: usize = MAX_ROWS - 1;

/// Whether a workbook of a run of `units` measures holds them ([`MAX_MEASURES`]).
pub fn holds_measures(units: usize) -> bool {
    units <= MAX_MEASURES
}
/// Characters of a cell (Excel's limit).
const MAX_CELL_CHARS: usize = 32_767;
/// Rows looked at to size the columns.
const WIDTH_SAMPLE: usize = 1_000;

/// A cell: text, a number (with its number format), or nothing.
enum Cell<'a> {
    Text(Cow<'a, str>),
    Number(f64, &'static str),
    Empty,
}

/// A number cell, or an empty one for a missing value.
fn number(value: Option<f64>, format: &'static str) -> Cell<'static> {
    value.map_or(Cell::Empty, |v| Cell::Number(v, format))
}

/// Integers as written in the tables.
const INTEGER: &str = "0";
/// Similarities and weights as written in the tables.
const DECIMAL: &str = "0.0000";
/// Shares.
const PERCENT: &str = "0.0%";

/// What the measures sheet reads of an analysis: all known once the units have their themes
/// and concreteness, before copied text is found. Shared with the analysis it becomes part of,
/// so that the sheet can be written on a thread of its own while the run goes on
/// ([`start_workbook`]).
#[derive(Debug, Clone)]
pub struct MeasureData {
    /// The configuration (the guard and the language).
    pub config: ValidConfig,
    /// The units.
    pub units: Arc<Vec<Unit>>,
    /// The reports the units index.
    pub reports: Arc<Vec<ReportSummary>>,
    /// Each unit's theme.
    pub placements: Arc<Vec<Option<Placement>>>,
    /// Each unit's next-nearest theme.
    pub second: Arc<Vec<Option<Placement>>>,
    /// The themes.
    pub themes: Arc<Vec<Theme>>,
    /// Each unit's concreteness.
    pub concreteness: Arc<Vec<Concreteness>>,
}

/// [`MeasureData`], borrowed.
#[derive(Debug, Clone, Copy)]
struct MeasureView<'a> {
    config: &'a ValidConfig,
    units: &'a [Unit],
    reports: &'a [ReportSummary],
    placements: &'a [Option<Placement>],
    second: &'a [Option<Placement>],
    themes: &'a [Theme],
    concreteness: &'a [Concreteness],
}

impl MeasureData {
    /// The data of a whole analysis, shared with it.
    fn of(a: &Analysis) -> MeasureData {
        MeasureData {
            config: a.config.clone(),
            units: Arc::clone(&a.units),
            reports: Arc::clone(&a.reports),
            placements: Arc::clone(&a.placements),
            second: Arc::clone(&a.second),
            themes: Arc::clone(&a.themes),
            concreteness: Arc::clone(&a.concreteness),
        }
    }

    /// The data borrowed.
    fn view(&self) -> MeasureView<'_> {
        MeasureView {
            config: &self.config,
            units: &self.units,
            reports: &self.reports,
            placements: &self.placements,
            second: &self.second,
            themes: &self.themes,
            concreteness: &self.concreteness,
        }
    }
}

/// The thread writing a workbook's first sheet, and the workbook it gives back.
type SheetThread = std::thread::JoinHandle<Result<Workbook>>;

/// A workbook whose first sheet (the measures, or the note that leaves them out) is being
/// written, into its temporary file, on a thread of its own while the run goes on
/// ([`start_workbook`]); [`write_workbook`] waits for it and writes the rest. Clones share it;
/// it is taken once.
#[derive(Clone, Default)]
pub struct PendingWorkbook(Arc<Mutex<Option<SheetThread>>>);

impl PendingWorkbook {
    /// The workbook once its first sheet is written, if one was begun and not yet taken.
    fn take(&self) -> Option<Result<Workbook>> {
        let thread = self.0.lock().unwrap_or_else(|e| e.into_inner()).take()?;
        Some(
            thread
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
        )
    }
}

impl std::fmt::Debug for PendingWorkbook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PendingWorkbook")
    }
}

/// Begins the workbook of `data` on a thread of its own: its first sheet, the measures (most
/// of its work, and all on one core), written while copied text is found and the other outputs
/// are written (`workbook.xlsx` is named when it fails). When no thread can be started, the
/// writer begins the workbook itself.
pub fn start_workbook(data: MeasureData) -> PendingWorkbook {
    let path = Path::new("workbook.xlsx");
    let begin = move || {
        contain(path, || {
            let fail = xlsx_error(path);
            let mut book = new_book(data.units.len()).map_err(fail)?;
            first_sheet(&mut book, data.view()).map_err(fail)?;
            Ok(book)
        })
    };
    let thread = std::thread::Builder::new()
        .name("workbook".to_string())
        .spawn(begin)
        .ok();
    PendingWorkbook(Arc::new(Mutex::new(thread)))
}

/// Writes `workbook.xlsx` into `out`: the workbook begun with the analysis, or a new one.
pub fn write_workbook(a: &Analysis, out: &Path) -> Result<()> {
    let path = out.join("workbook.xlsx");
    contain(&path, || write_book(a, &path))
}

/// Runs `write`, a panic in it an I/O error on `path`: in constant-memory mode rust_xlsxwriter
/// panics when its temporary file cannot be written (a full disk, `ulimit -f`).
fn contain<T>(path: &Path, write: impl FnOnce() -> Result<T>) -> Result<T> {
    crate::error::contained(write)
        .unwrap_or_else(|message| Err(Error::io(path, std::io::Error::other(message))))
}

/// An error of rust_xlsxwriter as an I/O error on `path`.
fn xlsx_error(path: &Path) -> impl Fn(XlsxError) -> Error + Copy + '_ {
    move |e| Error::io(path, std::io::Error::other(e.to_string()))
}

/// A new workbook of `units` measures, its document properties fixed.
fn new_book(units: usize) -> std::result::Result<Workbook, XlsxError> {
    let mut book = Workbook::new();
    let fixed = ExcelDateTime::from_ymd(2000, 1, 1)?;
    book.set_properties(&DocProperties::new().set_creation_datetime(&fixed));
    // Deflate's fastest level: the measures sheet is most of a run's output, and level 6 took
    // as long as the rest of the run on the laws corpus for a file a fifth smaller.
    book.set_zip_compression_level(1);
    // A sheet of a million rows can pass zip's 4 GB limit.
    book.use_zip_large_file(units > MAX_ROWS / 2);
    Ok(book)
}

/// How the sheets of a run are written: guarded unless `--raw-csv`, Excel's rows per sheet.
fn sheets_of(config: &ValidConfig) -> Sheets {
    Sheets {
        guard: !config.report.raw_csv,
        rows_per_sheet: MAX_ROWS - 1,
    }
}

/// Writes the first sheet: the measures, or the note that leaves them out.
fn first_sheet(book: &mut Workbook, view: MeasureView<'_>) -> std::result::Result<(), XlsxError> {
    let sheets = sheets_of(view.config);
    let units = view.units.len();
    if holds_measures(units) {
        sheets.write(book, "measures", &MEASURES_HEADER, units, |u| {
            measure_row(view, u)
        })
    } else {
        let note = left_out_note(units, view.config.report.lang);
        sheets.write(book, "notes", &["note"], 1, |_| {
            vec![Cell::Text(Cow::Borrowed(note.as_str()))]
        })
    }
}

/// Writes the workbook to `path`.
fn write_book(a: &Analysis, path: &Path) -> Result<()> {
    let fail = xlsx_error(path);
    let mut book = match a.workbook.take() {
        Some(book) => book?,
        None => {
            let mut book = new_book(a.units.len()).map_err(fail)?;
            first_sheet(&mut book, MeasureData::of(a).view()).map_err(fail)?;
            book
        }
    };
    let sheets = sheets_of(&a.config);
    let (header, rows) = themes(a);
    sheets
        .write(&mut book, "themes", &header, rows.len(), |i| {
            rows[i].iter().map(copy).collect()
        })
        .map_err(fail)?;
    let (header, rows) = group_theme(a);
    sheets
        .write(&mut book, "group_theme", &header, rows.len(), |i| {
            rows[i].iter().map(copy).collect()
        })
        .map_err(fail)?;
    let rows = report_rows(a);
    sheets
        .write(&mut book, "reports", &REPORTS_HEADER, rows.len(), |i| {
            rows[i]
                .iter()
                .zip(REPORTS_HEADER)
                .map(|(cell, column)| match column {
                    "year" | "units" | "chars" | "chrome_chars" => {
                        number(cell.parse().ok(), INTEGER)
                    }
                    "copied_share" => number(cell.parse().ok(), DECIMAL),
                    _ => Cell::Text(Cow::Borrowed(cell.as_str())),
                })
                .collect()
        })
        .map_err(fail)?;
    book.save(path).map_err(fail)
}

/// What the workbook says in place of `measures` measures past [`MAX_MEASURES`].
fn left_out_note(measures: usize, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!(
            "本工作簿未收举措：共 {measures} 条，多于一张工作表的 {MAX_MEASURES} 行；全部举措见 measures.csv。"
        ),
        Lang::En => format!(
            "This workbook leaves out the measures: {measures} of them, more than the {MAX_MEASURES} rows of a sheet; all of them are in measures.csv."
        ),
    }
}

/// A cell borrowed from one kept in a table.
fn copy<'a>(cell: &'a Cell<'a>) -> Cell<'a> {
    match cell {
        Cell::Text(t) => Cell::Text(Cow::Borrowed(t.as_ref())),
        Cell::Number(v, f) => Cell::Number(*v, f),
        Cell::Empty => Cell::Empty,
    }
}

/// The cells of unit `u`, as in `measures.csv`.
fn measure_row<'a>(a: MeasureView<'a>, u: usize) -> Vec<Cell<'a>> {
    fn text(s: &str) -> Cell<'_> {
        Cell::Text(Cow::Borrowed(s))
    }
    let unit = &a.units[u];
    let report = &a.reports[unit.report];
    let placement = a.placements[u];
    let (theme, label) = match placement.map(|p| p.theme) {
        Some(t) => (
            Cow::Owned(t.to_string()),
            a.themes[t.index()].label.as_str(),
        ),
        None => (Cow::Borrowed(UNASSIGNED), ""),
    };
    let (theme2, similarity2) = match a.second[u] {
        Some(second) => (
            Cell::Text(Cow::Owned(second.theme.to_string())),
            Cell::Number(second.similarity, DECIMAL),
        ),
        None => (Cell::Empty, Cell::Empty),
    };
    vec![
        text(&unit.id),
        text(&report.id),
        text(&report.file),
        text(unit.meta.township.as_deref().unwrap_or("")),
        text(unit.meta.county.as_deref().unwrap_or("")),
        text(unit.meta.province.as_deref().unwrap_or("")),
        number(unit.meta.year.map(f64::from), INTEGER),
        text(unit.section_kind.as_str()),
        text(&unit.section_heading),
        text(&unit.heading),
        Cell::Number(unit.chars.start as f64, INTEGER),
        Cell::Number(unit.chars.end as f64, INTEGER),
        Cell::Text(theme),
        text(label),
        Cell::Number(placement.map_or(0.0, |p| p.similarity), DECIMAL),
        text(unit.label.as_deref().unwrap_or("")),
        text(&unit.text),
        theme2,
        similarity2,
        Cell::Number(a.concreteness[u].quantities.len() as f64, INTEGER),
        Cell::Number(a.concreteness[u].slogan_share, DECIMAL),
    ]
}

/// The themes sheet: as `themes.csv`, with each top term and its weight in columns of their
/// own (`term_1`, `weight_1`, …).
fn themes(a: &Analysis) -> (Vec<String>, Vec<Vec<Cell<'_>>>) {
    let terms = a
        .themes
        .iter()
        .map(|t| t.top_terms.len())
        .max()
        .unwrap_or(0);
    let mut header: Vec<String> = [
        "theme",
        "label",
        "size",
        "groups",
        "recurrence",
        "examples",
        "stability",
        "codebook",
        "codebook_similarity",
    ]
    .map(String::from)
    .to_vec();
    for i in 1..=terms {
        header.push(format!("term_{i}"));
        header.push(format!("weight_{i}"));
    }
    let rows = a
        .themes
        .iter()
        .enumerate()
        .map(|(t, theme)| {
            let examples = theme
                .examples
                .iter()
                .map(|u| a.units[u.index()].id.as_str())
                .collect::<Vec<_>>()
                .join(";");
            let mut row = vec![
                Cell::Text(Cow::Borrowed(theme.id.as_str())),
                Cell::Text(Cow::Borrowed(theme.label.as_str())),
                Cell::Number(theme.size as f64, INTEGER),
                Cell::Number(a.recurrence.theme_groups[t] as f64, INTEGER),
                Cell::Number(a.recurrence.recurrence[t], PERCENT),
                Cell::Text(Cow::Owned(examples)),
                number(a.stability.as_ref().map(|s| s.per_theme[t]), DECIMAL),
                Cell::Text(Cow::Borrowed(theme.codebook.as_deref().unwrap_or(""))),
                number(theme.codebook_similarity, DECIMAL),
            ];
            for (term, weight) in &theme.top_terms {
                row.push(Cell::Text(Cow::Borrowed(term.as_str())));
                row.push(Cell::Number(*weight, DECIMAL));
            }
            row
        })
        .collect();
    (header, rows)
}

/// The group × theme sheet: units per group and theme (and unassigned), the total, then each
/// theme's share of the group's units.
fn group_theme(a: &Analysis) -> (Vec<String>, Vec<Vec<Cell<'_>>>) {
    let k = a.themes.len();
    let (mut header, with_unassigned) = super::tables::group_theme_header(a);
    header.extend(ThemeId::all(k).map(|t| format!("{t} share")));
    let r = &a.recurrence;
    let rows = r
        .groups
        .iter()
        .enumerate()
        .map(|(g, group)| {
            let total = r.group_totals[g];
            let mut row = vec![Cell::Text(Cow::Borrowed(group.as_str()))];
            row.extend(r.counts[g].iter().map(|&c| Cell::Number(c as f64, INTEGER)));
            if with_unassigned {
                let assigned: usize = r.counts[g].iter().sum();
                row.push(Cell::Number((total - assigned) as f64, INTEGER));
            }
            row.push(Cell::Number(total as f64, INTEGER));
            row.extend(
                r.counts[g]
                    .iter()
                    .map(|&c| Cell::Number(c as f64 / total.max(1) as f64, PERCENT)),
            );
            row
        })
        .collect();
    (header, rows)
}

/// Writes tables into sheets with one way of guarding text.
struct Sheets {
    guard: bool,
    /// Rows of a sheet below its header: a longer table goes on in another sheet.
    rows_per_sheet: usize,
}

impl Sheets {
    /// Writes a table of `rows` rows (`row(i)` gives the cells of row `i`) as sheet `name`,
    /// going on in `name_2`, `name_3`, … past Excel's row limit.
    fn write<'a, H: AsRef<str>>(
        &self,
        book: &mut Workbook,
        name: &str,
        header: &[H],
        rows: usize,
        row: impl Fn(usize) -> Vec<Cell<'a>>,
    ) -> std::result::Result<(), XlsxError> {
        let per_sheet = self.rows_per_sheet;
        let widths = self.widths(header, rows.min(WIDTH_SAMPLE), &row);
        let bold = Format::new().set_bold();
        let formats: Vec<(&str, Format)> = [INTEGER, DECIMAL, PERCENT]
            .into_iter()
            .map(|f| (f, Format::new().set_num_format(f)))
            .collect();
        let sheets = rows.div_ceil(per_sheet).max(1);
        for part in 0..sheets {
            let sheet = book.add_worksheet_with_constant_memory()?;
            sheet.set_name(match part {
                0 => name.to_string(),
                n => format!("{name}_{}", n + 1),
            })?;
            for (c, width) in widths.iter().enumerate() {
                sheet.set_column_width(c as u16, *width)?;
            }
            for (c, h) in header.iter().enumerate() {
                sheet.write_string_with_format(0, c as u16, h.as_ref(), &bold)?;
            }
            let first = part * per_sheet;
            let last = (first + per_sheet).min(rows);
            for (r, i) in (first..last).enumerate() {
                self.put_row(sheet, r as u32 + 1, row(i), &formats)?;
            }
            sheet.set_freeze_panes(1, 0)?;
            let last_col = header.len().saturating_sub(1) as u16;
            sheet.autofilter(0, 0, (last - first) as u32, last_col)?;
        }
        Ok(())
    }

    /// Writes the cells of one row.
    fn put_row(
        &self,
        sheet: &mut Worksheet,
        r: u32,
        cells: Vec<Cell>,
        formats: &[(&str, Format)],
    ) -> std::result::Result<(), XlsxError> {
        for (c, cell) in cells.into_iter().enumerate() {
            let c = c as u16;
            match cell {
                Cell::Text(t) if !t.is_empty() => {
                    sheet.write_string(r, c, &*self.text(&t))?;
                }
                Cell::Number(v, format) if v.is_finite() => {
                    let f = formats.iter().find(|(name, _)| *name == format);
                    match f {
                        Some((_, f)) => sheet.write_number_with_format(r, c, v, f)?,
                        None => sheet.write_number(r, c, v)?,
                    };
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// A text cell as written: guarded, and cut to Excel's limit.
    fn text<'t>(&self, t: &'t str) -> Cow<'t, str> {
        let guarded = guarded(t, self.guard);
        if guarded.len() <= MAX_CELL_CHARS || guarded.chars().count() <= MAX_CELL_CHARS {
            return guarded;
        }
        const CUT: &str = "…（截断：全文见 CSV）";
        let keep = MAX_CELL_CHARS - CUT.chars().count();
        Cow::Owned(guarded.chars().take(keep).chain(CUT.chars()).collect())
    }

    /// Column widths (in characters, a Chinese character counting two) from the header and the
    /// first rows, between 6 and 60.
    fn widths<'a, H: AsRef<str>>(
        &self,
        header: &[H],
        sample: usize,
        row: &impl Fn(usize) -> Vec<Cell<'a>>,
    ) -> Vec<f64> {
        let wide = |s: &str| {
            s.chars()
                .take(80)
                .map(|c| if c.is_ascii() { 1.0 } else { 2.0 })
                .sum::<f64>()
        };
        let mut widths: Vec<f64> = header.iter().map(|h| wide(h.as_ref()) + 2.0).collect();
        for i in 0..sample {
            for (c, cell) in row(i).iter().enumerate() {
                let w = match cell {
                    Cell::Text(t) => wide(t),
                    Cell::Number(..) => 8.0,
                    Cell::Empty => 0.0,
                };
                if let Some(width) = widths.get_mut(c) {
                    *width = width.max(w + 1.0);
                }
            }
        }
        widths.iter().map(|w| w.clamp(6.0, 60.0)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    /// A part of a workbook's zip, as text.
    fn part(book: &[u8], name: &str) -> String {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(book)).unwrap();
        let mut text = String::new();
        zip.by_name(name)
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        text
    }

    #[test]
    fn a_long_table_goes_on_in_numbered_sheets_and_cells_are_guarded() {
        let sheets = Sheets {
            guard: true,
            rows_per_sheet: 3,
        };
        let mut book = Workbook::new();
        let cells = ["=1+2", "江湾镇", "-依法行政"];
        sheets
            .write(&mut book, "measures", &["text", "n"], 7, |i| {
                vec![
                    Cell::Text(Cow::Borrowed(cells[i % 3])),
                    Cell::Number(i as f64, INTEGER),
                ]
            })
            .unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let workbook = part(&bytes, "xl/workbook.xml");
        for name in ["\"measures\"", "\"measures_2\"", "\"measures_3\""] {
            assert!(workbook.contains(name), "{workbook}");
        }
        let first = part(&bytes, "xl/worksheets/sheet1.xml");
        assert!(
            first.contains("'=1+2") && first.contains("'-依法行政") && first.contains("江湾镇")
        );
        assert!(first.contains("<autoFilter ref=\"A1:B4\"/>"), "{first}");
        assert!(first.contains("ySplit=\"1\""), "{first}");
        let last = part(&bytes, "xl/worksheets/sheet3.xml");
        assert!(
            last.contains("<v>6</v>") && !last.contains("<v>5</v>"),
            "{last}"
        );
    }

    #[test]
    fn measures_past_one_sheet_are_left_out_saying_where_they_are() {
        assert!(holds_measures(1_048_575));
        assert!(!holds_measures(1_048_576));
        let zh = left_out_note(5_722_646, Lang::Zh);
        assert!(zh.contains("5722646") && zh.contains("1048575") && zh.ends_with("measures.csv。"));
        let en = left_out_note(5_722_646, Lang::En);
        assert!(en.contains("5722646 of them") && en.contains("in measures.csv"));
    }

    #[test]
    fn an_overlong_cell_is_cut_saying_so() {
        let sheets = Sheets {
            guard: false,
            rows_per_sheet: 10,
        };
        let long = "法".repeat(MAX_CELL_CHARS + 10);
        let cut = sheets.text(&long);
        assert_eq!(cut.chars().count(), MAX_CELL_CHARS);
        assert!(cut.ends_with("全文见 CSV）"));
        assert_eq!(sheets.text("短"), "短");
    }
}
