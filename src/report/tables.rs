//! The CSV tables: `measures.csv`, `reports.csv`, `themes.csv`, `group_theme.csv`.

use super::{csv_err, csv_writer};
use crate::analysis::{Analysis, UNASSIGNED};
use crate::corpus::{AdminLevel, ReportMeta, ThemeId};
use crate::error::Result;
use crate::recurrence::group_of;
use crate::split::BlockRole;
use rayon::prelude::*;
use std::fmt::Write as _;
use std::io::Write;

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(T::to_string).unwrap_or_default()
}

/// The columns of `measures.csv` (and of the workbook's measures sheet).
pub(crate) const MEASURES_HEADER: [&str; 21] = [
    "measure_id",
    "report_id",
    "file",
    "township",
    "county",
    "province",
    "year",
    "section_kind",
    "section_heading",
    "heading",
    "start",
    "end",
    "theme",
    "theme_label",
    "similarity",
    "label",
    "text",
    "theme2",
    "similarity2",
    "quantities",
    "slogan_share",
];

/// The columns of `reports.csv` (and of the workbook's reports sheet).
pub(crate) const REPORTS_HEADER: [&str; 19] = [
    "report_id",
    "file",
    "status",
    "reason",
    "encoding",
    "township",
    "county",
    "province",
    "year",
    "published",
    "units",
    "chars",
    "chrome_chars",
    "issuer",
    "level",
    "unit",
    "unit_source",
    "document_date",
    "copied_share",
];

/// Rows per parallel formatting task of the long tables (`measures.csv`, `copies.csv`).
const ROWS_PER_TASK: usize = 4096;
/// Tasks formatted at a time: what a long table holds in memory before writing (a few MB).
const TASKS_PER_WINDOW: usize = 8;

/// Writes rows `0..rows` of a long table to `out` after its header: `format(range)` gives the
/// bytes of a task's rows. Tasks are formatted in parallel, a bounded window of them at a time
/// while the window before is written, and written in order: the bytes do not depend on the
/// thread count.
fn write_rows<W: Write + Send>(
    out: &mut W,
    rows: usize,
    format: impl Fn(std::ops::Range<usize>) -> Vec<u8> + Sync,
) -> std::io::Result<()> {
    let window = ROWS_PER_TASK * TASKS_PER_WINDOW;
    let mut formatted: Vec<Vec<u8>> = Vec::new();
    for first in (0..rows).step_by(window) {
        let last = (first + window).min(rows);
        let (next, written) = rayon::join(
            || {
                (first..last)
                    .step_by(ROWS_PER_TASK)
                    .collect::<Vec<_>>()
                    .into_par_iter()
                    .map(|start| format(start..(start + ROWS_PER_TASK).min(last)))
                    .collect::<Vec<Vec<u8>>>()
            },
            || write_parts(out, &formatted),
        );
        written?;
        formatted = next;
    }
    write_parts(out, &formatted)?;
    out.flush()
}

/// The tables a streamed `apply` appends to, chunk by chunk: each written as its header
/// ([`Self::write_header`]) and then the rows of each chunk's analysis ([`Self::write_rows`]),
/// the same bytes as the whole table of one analysis of all the chunks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowTable {
    /// `measures.csv`.
    Measures,
    /// `reports.csv`.
    Reports,
    /// `copies.csv`.
    Copies,
}

impl RowTable {
    /// The file name.
    pub fn name(self) -> &'static str {
        match self {
            RowTable::Measures => "measures.csv",
            RowTable::Reports => "reports.csv",
            RowTable::Copies => "copies.csv",
        }
    }

    /// Writes the header row (after a BOM when `bom`).
    pub fn write_header<W: Write>(self, bom: bool, raw: bool, mut out: W) -> Result<()> {
        let name = self.name();
        let io = |e| crate::error::Error::io(name, e);
        let mut w = csv_writer(Vec::new(), bom, raw).map_err(io)?;
        let header: &[&str] = match self {
            RowTable::Measures => &MEASURES_HEADER,
            RowTable::Reports => &REPORTS_HEADER,
            RowTable::Copies => &COPIES_HEADER,
        };
        w.write_record(header).map_err(csv_err(name))?;
        out.write_all(&w.into_inner().map_err(io)?).map_err(io)
    }

    /// Writes the rows of `a`.
    pub fn write_rows<W: Write + Send>(self, a: &Analysis, mut out: W) -> Result<()> {
        let name = self.name();
        let io = |e| crate::error::Error::io(name, e);
        let raw = a.config.report.raw_csv;
        match self {
            RowTable::Measures => write_rows(&mut out, a.units.len(), |units| {
                measure_rows(a, units, !raw)
            })
            .map_err(io),
            RowTable::Reports => {
                let mut w = csv_writer(out, false, raw).map_err(io)?;
                for row in report_rows(a) {
                    w.write_record(&row).map_err(csv_err(name))?;
                }
                w.flush().map_err(io)
            }
            RowTable::Copies => write_copy_rows(a, out).map_err(io),
        }
    }

    /// Writes the whole table of `a`.
    pub fn write<W: Write + Send>(self, a: &Analysis, bom: bool, mut out: W) -> Result<()> {
        self.write_header(bom, a.config.report.raw_csv, &mut out)?;
        self.write_rows(a, out)
    }
}

/// `measures.csv`: one row per unit, formatted in parallel ([`write_rows`]).
pub fn write_measures<W: Write + Send>(a: &Analysis, bom: bool, out: W) -> Result<()> {
    RowTable::Measures.write(a, bom, out)
}

/// Writes `parts` to `out`, in order.
fn write_parts(out: &mut impl Write, parts: &[Vec<u8>]) -> std::io::Result<()> {
    parts.iter().try_for_each(|bytes| out.write_all(bytes))
}

/// The `measures.csv` rows of the units `units`, as CSV bytes: the bytes csv's writer would
/// give (a test compares them), written by csv-core ([`Records`]) because csv's buffered
/// per-field machinery was most of the write stage's longest task (5.3 million fields on
/// laws). Text cells are guarded against formula injection when `guard` ([`super::guard`]).
fn measure_rows(a: &Analysis, units: std::ops::Range<usize>, guard: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let mut records = Records::new(guard);
    let theme_ids: Vec<String> = ThemeId::all(a.themes.len())
        .map(|t| t.to_string())
        .collect();
    // A row's numbers are formatted into buffers kept from row to row: four allocations a row
    // otherwise, 1.2 million on laws.
    let [
        mut year,
        mut start,
        mut end,
        mut similarity,
        mut similarity2,
        mut quantities,
    ] = [(); 6].map(|_| String::new());
    let put = |buf: &mut String, value: std::fmt::Arguments| {
        buf.clear();
        buf.write_fmt(value).expect("a String takes any text");
    };
    for u in units {
        let unit = &a.units[u];
        let report = &a.reports[unit.report];
        let (theme, theme_label) = match a.theme_of(u) {
            Some(t) => (
                theme_ids[t.index()].as_str(),
                a.themes[t.index()].label.as_str(),
            ),
            None => (UNASSIGNED, ""),
        };
        year.clear();
        if let Some(y) = unit.meta.year {
            put(&mut year, format_args!("{y}"));
        }
        put(&mut start, format_args!("{}", unit.chars.start));
        put(&mut end, format_args!("{}", unit.chars.end));
        put(&mut similarity, format_args!("{:.4}", a.similarity(u)));
        let theme2 = match a.second[u] {
            Some(second) => {
                put(&mut similarity2, format_args!("{:.4}", second.similarity));
                theme_ids[second.theme.index()].as_str()
            }
            None => {
                similarity2.clear();
                ""
            }
        };
        let concrete = &a.concreteness[u];
        put(
            &mut quantities,
            format_args!("{}", concrete.quantities.len()),
        );
        let slogan_share = four_places(concrete.slogan_share);
        let fields = [
            unit.id.as_str(),
            report.id.as_str(),
            report.file.as_str(),
            unit.meta.township.as_deref().unwrap_or(""),
            unit.meta.county.as_deref().unwrap_or(""),
            unit.meta.province.as_deref().unwrap_or(""),
            &year,
            unit.section_kind.as_str(),
            &unit.section_heading,
            &unit.heading,
            &start,
            &end,
            theme,
            theme_label,
            &similarity,
            unit.label.as_deref().unwrap_or(""),
            &unit.text,
            theme2,
            &similarity2,
            &quantities,
            &slogan_share,
        ];
        records.push(&mut out, &fields);
    }
    out
}

/// Records appended to a byte buffer by csv-core's writer with csv's defaults (fields joined by
/// commas, records ended by LF, a field quoted when it holds a comma, a quote, CR or LF, and its
/// quotes doubled): the bytes csv's writer gives, without its buffered writer per field. With
/// `guard`, a field that would be taken for a formula gets a `'` first (one byte looked at for
/// almost every field).
struct Records {
    csv: csv_core::Writer,
    guard: bool,
}

impl Records {
    /// A writer of records, guarded or not.
    fn new(guard: bool) -> Records {
        Records {
            csv: csv_core::Writer::new(),
            guard,
        }
    }

    /// Appends one record of `fields` to `out`.
    fn push(&mut self, out: &mut Vec<u8>, fields: &[&str]) {
        let csv = &mut self.csv;
        for (i, &field) in fields.iter().enumerate() {
            if i > 0 {
                append(out, 2, |room| csv.delimiter(room));
            }
            let field = super::guard::guarded(field, self.guard);
            let mut input = field.as_bytes();
            append(out, input.len() + 2, |room| {
                let (result, read, wrote) = csv.field(input, room);
                input = &input[read..];
                (result, wrote)
            });
        }
        append(out, 3, |room| csv.terminator(room));
    }
}

/// Appends to `out` what `write` puts into the room it is given (`room` bytes at first, twice
/// as many each time it reports the room full), until it has written all it had.
fn append(
    out: &mut Vec<u8>,
    mut room: usize,
    mut write: impl FnMut(&mut [u8]) -> (csv_core::WriteResult, usize),
) {
    loop {
        let at = out.len();
        out.resize(at + room, 0);
        let (result, wrote) = write(&mut out[at..]);
        out.truncate(at + wrote);
        if result == csv_core::WriteResult::InputEmpty {
            return;
        }
        room *= 2;
    }
}

/// `reports.csv`: one row per input file, read or skipped, in input order.
pub fn write_reports<W: Write + Send>(a: &Analysis, bom: bool, out: W) -> Result<()> {
    RowTable::Reports.write(a, bom, out)
}

/// The rows of `reports.csv`, read and skipped files in input order (by report id).
pub(crate) fn report_rows(a: &Analysis) -> Vec<Vec<String>> {
    let mut units = vec![0usize; a.reports.len()];
    for unit in a.units.iter() {
        units[unit.report] += 1;
    }
    let mut rows: Vec<(String, Vec<String>)> = Vec::new();
    for (i, r) in a.reports.iter().enumerate() {
        rows.push((
            r.id.clone(),
            vec![
                r.id.clone(),
                r.file.clone(),
                "ok".into(),
                String::new(),
                r.encoding.clone(),
                opt(&r.meta.township),
                opt(&r.meta.county),
                opt(&r.meta.province),
                opt(&r.meta.year),
                opt(&r.meta.published),
                units[i].to_string(),
                a.chars[i].total.to_string(),
                a.chars[i].nonblank(BlockRole::Chrome).to_string(),
                opt(&r.meta.issuer),
                r.meta
                    .level
                    .map_or("unknown", AdminLevel::as_str)
                    .to_string(),
                opt(&r.meta.unit),
                unit_source(&r.meta),
                opt(&r.meta.document_date),
                format!("{:.4}", a.copies.copied_share[i]),
            ],
        ));
    }
    for s in &a.skipped {
        let mut row = vec![
            s.id.clone(),
            s.file.clone(),
            "skipped".into(),
            s.reason.clone(),
        ];
        row.extend(std::iter::repeat_n(String::new(), 6));
        row.extend(["0".to_string(), String::new(), String::new(), String::new()]);
        row.extend([
            "unknown".to_string(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ]);
        rows.push((s.id.clone(), row));
    }
    rows.sort_by(|x, y| x.0.cmp(&y.0));
    rows.into_iter().map(|(_, row)| row).collect()
}

/// Where a report's unit was found, `-guess` appended when it is a suffix guess.
fn unit_source(meta: &ReportMeta) -> String {
    match (meta.unit_source, meta.unit_guessed) {
        (Some(s), false) => s.as_str().to_string(),
        (Some(s), true) => format!("{}-guess", s.as_str()),
        (None, _) => String::new(),
    }
}

/// `themes.csv`: one row per theme (and one for unassigned units, if any).
pub fn write_themes_csv<W: Write>(a: &Analysis, bom: bool, out: W) -> Result<()> {
    let name = "themes.csv";
    let raw = a.config.report.raw_csv;
    let mut w = csv_writer(out, bom, raw).map_err(|e| crate::error::Error::io(name, e))?;
    w.write_record([
        "theme",
        "label",
        "size",
        "groups",
        "recurrence",
        "top_terms",
        "examples",
        "stability",
        "codebook",
        "codebook_similarity",
    ])
    .map_err(csv_err(name))?;
    for (t, theme) in a.themes.iter().enumerate() {
        let terms = theme
            .top_terms
            .iter()
            .map(|(term, weight)| format!("{term}:{weight:.4}"))
            .collect::<Vec<_>>()
            .join(";");
        let examples = theme
            .examples
            .iter()
            .map(|u| a.units[u.index()].id.as_str())
            .collect::<Vec<_>>()
            .join(";");
        w.write_record([
            theme.id.as_str(),
            &theme.label,
            &theme.size.to_string(),
            &a.recurrence.theme_groups[t].to_string(),
            &format!("{:.4}", a.recurrence.recurrence[t]),
            &terms,
            &examples,
            &a.stability
                .as_ref()
                .map_or(String::new(), |s| format!("{:.3}", s.per_theme[t])),
            theme.codebook.as_deref().unwrap_or(""),
            &theme
                .codebook_similarity
                .map_or(String::new(), |c| format!("{c:.4}")),
        ])
        .map_err(csv_err(name))?;
    }
    let unassigned = a.recurrence.unassigned();
    if unassigned > 0 {
        let groups = a.recurrence.counts.len() - unassigned_free_groups(a);
        let share = groups as f64 / a.recurrence.groups.len().max(1) as f64;
        w.write_record([
            UNASSIGNED,
            "（未归类：无词表词）",
            &unassigned.to_string(),
            &groups.to_string(),
            &format!("{share:.4}"),
            "",
            "",
            "",
            "",
            "",
        ])
        .map_err(csv_err(name))?;
    }
    w.flush().map_err(|e| crate::error::Error::io(name, e))
}

/// `plans_followed.csv`: per township and year, each planned theme and its measures next year.
pub fn write_plans_followed<W: Write>(a: &Analysis, bom: bool, out: W) -> Result<()> {
    let name = "plans_followed.csv";
    let raw = a.config.report.raw_csv;
    let mut w = csv_writer(out, bom, raw).map_err(|e| crate::error::Error::io(name, e))?;
    w.write_record([
        "township",
        "year",
        "theme",
        "theme_label",
        "planned_units",
        "next_year",
        "measures_next_year",
        "followed",
    ])
    .map_err(csv_err(name))?;
    for p in crate::recurrence::plans_followed(&a.units, &a.placements) {
        w.write_record([
            p.township.as_str(),
            &p.year.to_string(),
            &p.theme.to_string(),
            &a.themes[p.theme.index()].label,
            &p.planned.to_string(),
            &(p.year + 1).to_string(),
            &p.measures_next_year.to_string(),
            if p.measures_next_year > 0 {
                "yes"
            } else {
                "no"
            },
        ])
        .map_err(csv_err(name))?;
    }
    w.flush().map_err(|e| crate::error::Error::io(name, e))
}

/// A share or similarity as written, to four places. Exact 0 and 1 (most slogan shares, and
/// exact copies, most pairs of a corpus of copied text) are constants: formatting them to four
/// places takes the float formatter's slow exact path (a tenth of the write stage on laws ×4).
fn four_places(value: f64) -> std::borrow::Cow<'static, str> {
    if value.to_bits() == 0.0f64.to_bits() {
        std::borrow::Cow::Borrowed("0.0000")
    } else if value == 1.0 {
        std::borrow::Cow::Borrowed("1.0000")
    } else {
        std::borrow::Cow::Owned(format!("{value:.4}"))
    }
}

/// The columns of `copies.csv`.
const COPIES_HEADER: [&str; 7] = [
    "measure_a",
    "measure_b",
    "similarity",
    "report_a",
    "report_b",
    "group_a",
    "group_b",
];

/// `copies.csv`: the near-duplicate unit pairs, across and within reports, by unit order.
pub fn write_copies<W: Write + Send>(a: &Analysis, bom: bool, out: W) -> Result<()> {
    RowTable::Copies.write(a, bom, out)
}

/// The rows of `copies.csv`.
fn write_copy_rows<W: Write + Send>(a: &Analysis, mut out: W) -> std::io::Result<()> {
    let raw = a.config.report.raw_csv;
    let by = a.group_by();
    // Millions of pairs on a large corpus of copied text: formatted in parallel like measures.
    write_rows(&mut out, a.copies.pairs.len(), |pairs| {
        let mut w = csv_writer(Vec::new(), false, raw).expect("writes to memory");
        for p in &a.copies.pairs[pairs] {
            let (x, y) = (&a.units[p.a.index()], &a.units[p.b.index()]);
            w.write_record([
                x.id.as_str(),
                &y.id,
                &four_places(p.similarity),
                &a.reports[x.report].id,
                &a.reports[y.report].id,
                &group_of(&x.meta, by),
                &group_of(&y.meta, by),
            ])
            .expect("writes to memory");
        }
        w.into_inner().expect("writes to memory")
    })
}

/// `concreteness.csv`: per group and theme, the units and those with at least one quantity.
pub fn write_concreteness<W: Write>(a: &Analysis, bom: bool, out: W) -> Result<()> {
    let name = "concreteness.csv";
    let raw = a.config.report.raw_csv;
    let mut w = csv_writer(out, bom, raw).map_err(|e| crate::error::Error::io(name, e))?;
    w.write_record([
        "group",
        "theme",
        "theme_label",
        "units",
        "with_quantity",
        "share",
    ])
    .map_err(csv_err(name))?;
    let concrete = &a.recurrence.with_quantity;
    for (g, group) in a.recurrence.groups.iter().enumerate() {
        for (t, theme) in a.themes.iter().enumerate() {
            let units = a.recurrence.counts[g][t];
            if units == 0 {
                continue;
            }
            w.write_record([
                group.as_str(),
                &theme.id,
                &theme.label,
                &units.to_string(),
                &concrete[g][t].to_string(),
                &format!("{:.4}", concrete[g][t] as f64 / units as f64),
            ])
            .map_err(csv_err(name))?;
        }
    }
    w.flush().map_err(|e| crate::error::Error::io(name, e))
}

/// `promises.csv`: per theme, the townships that planned it in a year t with a report for
/// t + 1, and those whose measures in t + 1 took it up.
pub fn write_promises<W: Write>(a: &Analysis, bom: bool, out: W) -> Result<()> {
    let name = "promises.csv";
    let raw = a.config.report.raw_csv;
    let mut w = csv_writer(out, bom, raw).map_err(|e| crate::error::Error::io(name, e))?;
    w.write_record([
        "theme",
        "theme_label",
        "townships_planned",
        "townships_followed",
        "share_followed",
        "plans",
        "plans_followed",
    ])
    .map_err(csv_err(name))?;
    let followed = crate::recurrence::plans_followed(&a.units, &a.placements);
    for p in crate::recurrence::promises(&followed) {
        w.write_record([
            p.theme.to_string().as_str(),
            &a.themes[p.theme.index()].label,
            &p.townships_planned.to_string(),
            &p.townships_followed.to_string(),
            &format!("{:.4}", p.share_followed()),
            &p.plans.to_string(),
            &p.plans_followed.to_string(),
        ])
        .map_err(csv_err(name))?;
    }
    w.flush().map_err(|e| crate::error::Error::io(name, e))
}

/// Groups where every unit has a theme.
fn unassigned_free_groups(a: &Analysis) -> usize {
    a.recurrence
        .counts
        .iter()
        .zip(&a.recurrence.group_totals)
        .filter(|(c, n)| c.iter().sum::<usize>() == **n)
        .count()
}

/// The group × theme table's columns: `group`, the theme ids, `unassigned` when some units
/// have no theme (then true), and `total`.
pub(crate) fn group_theme_header(a: &Analysis) -> (Vec<String>, bool) {
    let with_unassigned = a.recurrence.unassigned() > 0;
    let mut header = vec!["group".to_string()];
    header.extend(ThemeId::all(a.themes.len()).map(|t| t.to_string()));
    if with_unassigned {
        header.push(UNASSIGNED.to_string());
    }
    header.push("total".to_string());
    (header, with_unassigned)
}

/// `group_theme.csv`: units per group and theme.
pub fn write_group_theme<W: Write>(a: &Analysis, bom: bool, out: W) -> Result<()> {
    let name = "group_theme.csv";
    let raw = a.config.report.raw_csv;
    let mut w = csv_writer(out, bom, raw).map_err(|e| crate::error::Error::io(name, e))?;
    let (header, with_unassigned) = group_theme_header(a);
    w.write_record(&header).map_err(csv_err(name))?;
    let r = &a.recurrence;
    for (g, group) in r.groups.iter().enumerate() {
        let mut row = vec![group.clone()];
        row.extend(r.counts[g].iter().map(usize::to_string));
        if with_unassigned {
            row.push((r.group_totals[g] - r.counts[g].iter().sum::<usize>()).to_string());
        }
        row.push(r.group_totals[g].to_string());
        w.write_record(&row).map_err(csv_err(name))?;
    }
    w.flush().map_err(|e| crate::error::Error::io(name, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_are_written_to_four_places() {
        for v in [0.0, -0.0, 1.0, 0.6, 0.99995, 0.849999, 0.75, 1e-9] {
            assert_eq!(four_places(v), format!("{v:.4}"));
        }
    }

    #[test]
    fn records_are_the_bytes_csv_writes() {
        let fields = [
            "江湾镇",
            "",
            "a,b",
            "他说\"依法\"办事",
            "一行\n二行",
            "回车\r",
            "\r\n",
            "\"",
            ",",
            "1.0000",
            // Longer fields.
            "坚持依法行政，推进法治政府建设，全面落实行政执法责任制",
            "坚持依法行政、推进法治政府建设、全面落实行政执法责任制",
            "全面落实行政执法三项制度，规范行政执法行为\r",
            "全面落实行政执法三项制度,规范行政执法行为。",
            "坚持“谁执法谁普法”，落实\"谁执法谁普法\"普法责任制",
            "坚持依法行政推进法治政府建设\n全面落实行政执法责任制",
            // Cells a spreadsheet would run as formulas.
            "=HYPERLINK(\"http://x\",\"点击\")",
            "-0.1234",
            "@SUM(A1)",
            "\r\n=1+2,3",
            "-依法行政，推进法治政府建设，全面落实行政执法责任制",
        ];
        for guard in [false, true] {
            let mut ours = Vec::new();
            let mut records = Records::new(guard);
            records.push(&mut ours, &fields);
            records.push(&mut ours, &fields[..2]);
            let mut w = super::super::guard::CsvOut::new(
                csv::WriterBuilder::new()
                    .flexible(true)
                    .from_writer(Vec::new()),
                !guard,
            );
            w.write_record(fields).unwrap();
            w.write_record(&fields[..2]).unwrap();
            assert_eq!(
                String::from_utf8(ours).unwrap(),
                String::from_utf8(w.into_inner().unwrap()).unwrap()
            );
        }
    }
}
