//! The shared data model: reports as read, the units (policy measures) split from them, the
//! section kinds, and the typed indices ([`UnitIdx`], [`ThemeId`]) stages hand each other. Every
//! later stage takes these as plain owned data.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;

/// The kind of a report section (§1 step 2 of DESIGN.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SectionKind {
    /// Measures taken and their results (举措/成效/情况/做法).
    Measures,
    /// The leaders' own duties (党政主要负责人/第一责任人).
    Leadership,
    /// Shortcomings admitted (不足/问题/差距/原因).
    Shortcomings,
    /// Next year's plans (下一年度/下一步/安排/计划/思路/打算/改进措施).
    Plans,
    /// Title, addressee and opening paragraph.
    Preamble,
    /// Closing paragraph, signature and anything else that is not a measure.
    Other,
}

impl SectionKind {
    /// All kinds, in the order reports usually give them.
    pub const ALL: [SectionKind; 6] = [
        SectionKind::Measures,
        SectionKind::Leadership,
        SectionKind::Shortcomings,
        SectionKind::Plans,
        SectionKind::Preamble,
        SectionKind::Other,
    ];

    /// The kinds that hold policy measures and become units by default.
    pub const SUBSTANTIVE: [SectionKind; 4] = [
        SectionKind::Measures,
        SectionKind::Leadership,
        SectionKind::Shortcomings,
        SectionKind::Plans,
    ];

    /// The lower-case name used in every output.
    pub fn as_str(self) -> &'static str {
        match self {
            SectionKind::Measures => "measures",
            SectionKind::Leadership => "leadership",
            SectionKind::Shortcomings => "shortcomings",
            SectionKind::Plans => "plans",
            SectionKind::Preamble => "preamble",
            SectionKind::Other => "other",
        }
    }

    /// Parses a kind from its output name.
    pub fn parse(name: &str) -> Option<SectionKind> {
        SectionKind::ALL
            .into_iter()
            .find(|k| k.as_str() == name.trim())
    }
}

impl fmt::Display for SectionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A half-open byte range `[start, end)` into a report's decoded text: what slices it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ByteSpan {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl ByteSpan {
    /// A span from `start` to `end`.
    pub fn new(start: usize, end: usize) -> ByteSpan {
        debug_assert!(start <= end);
        ByteSpan { start, end }
    }

    /// The text the span covers.
    pub fn of(self, text: &str) -> &str {
        &text[self.start..self.end]
    }

    /// Whether the span is empty.
    pub fn is_empty(self) -> bool {
        self.start == self.end
    }
}

/// A half-open code-point range `[start, end)` into a report's decoded text: the contract's
/// `start` and `end` (a reader counts characters, not UTF-8 bytes). It slices no `str`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct CharSpan {
    /// First code point.
    pub start: usize,
    /// One past the last code point.
    pub end: usize,
}

impl CharSpan {
    /// A span from code point `start` to `end`.
    pub fn new(start: usize, end: usize) -> CharSpan {
        debug_assert!(start <= end);
        CharSpan { start, end }
    }
}

/// Where a report comes from and who it is about.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReportMeta {
    /// The township, street office or town (镇/乡/街道), canonical form, e.g. `江湾镇`.
    pub township: Option<String>,
    /// The county, county-level city or district above it.
    pub county: Option<String>,
    /// The provincial unit.
    pub province: Option<String>,
    /// The year reported on.
    pub year: Option<u16>,
    /// The publication date as written in the page (`YYYY-MM-DD`).
    pub published: Option<String>,
    /// The issuing body from the signature block.
    pub issuer: Option<String>,
    /// The report's title line.
    pub title: Option<String>,
    /// The level of the reporting unit; `None` when it could not be found.
    pub level: Option<AdminLevel>,
    /// The reporting unit's name at its own level (`坡子街街道`, `岳阳县`, `湖北省司法厅`).
    pub unit: Option<String>,
    /// Where the reporting unit was found.
    pub unit_source: Option<UnitSource>,
    /// Whether the unit is a guess from a name's suffix, the gazetteer knowing no such unit.
    pub unit_guessed: bool,
    /// The date the report is signed with (`YYYY-MM-DD`), from its signature block.
    pub document_date: Option<String>,
    /// What names the report where a grouping value is unknown: its title, else its file's
    /// stem (so it is a group of its own, not pooled with other unknowns).
    pub stand_in: Option<String>,
}

/// The administrative level of a reporting unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AdminLevel {
    /// A township-level unit: 镇, 乡, 街道, 苏木.
    Township,
    /// A county-level unit: 县, 区, 县级市, 旗.
    County,
    /// A prefecture-level unit: 地级市, 自治州, 地区, 盟.
    Prefecture,
    /// A provincial unit: 省, 自治区, 直辖市.
    Province,
    /// A government department at any level (厅, 局, 委…).
    Department,
}

impl AdminLevel {
    /// The name used in `reports.csv`.
    pub fn as_str(self) -> &'static str {
        match self {
            AdminLevel::Township => "township",
            AdminLevel::County => "county",
            AdminLevel::Prefecture => "prefecture",
            AdminLevel::Province => "province",
            AdminLevel::Department => "department",
        }
    }
}

/// Where a report's unit was found, most trusted first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UnitSource {
    /// The analyst's `--manifest`.
    Manifest,
    /// The title line.
    Title,
    /// The page's 发布机构 / 来源 / 信息来源 labels.
    Issuer,
    /// The signature block at the end.
    Signature,
    /// The addressee line (the level above, so only its own unit when nothing else names one).
    Addressee,
    /// Mentions in the opening of the body.
    Body,
    /// The file's name.
    File,
}

impl UnitSource {
    /// The name used in `reports.csv`.
    pub fn as_str(self) -> &'static str {
        match self {
            UnitSource::Manifest => "manifest",
            UnitSource::Title => "title",
            UnitSource::Issuer => "issuer",
            UnitSource::Signature => "signature",
            UnitSource::Addressee => "addressee",
            UnitSource::Body => "body",
            UnitSource::File => "file",
        }
    }
}

/// One input file, decoded, with its chrome marked and its metadata found.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// Stable id, `r` + the file's position among the sorted inputs.
    pub id: String,
    /// The path as given (or found under a given folder).
    pub file: String,
    /// SHA-256 of the file's bytes, lower-case hex.
    pub sha256: String,
    /// The encoding the bytes were decoded from (`UTF-8`, `GBK`, `UTF-16LE`, …).
    pub encoding: String,
    /// The decoded text; every span of this report indexes into it.
    pub text: String,
    /// Page chrome recognised in the text (breadcrumbs, 发布日期, 打印, …), in order.
    pub chrome: Vec<ByteSpan>,
    /// Township, county, province, year, publication date, issuer, title.
    pub meta: ReportMeta,
    /// Units given ready-made by a `.jsonl`/`.csv` input; `None` for reports to be split.
    pub presplit: Option<Vec<PresplitUnit>>,
}

impl Report {
    /// What is kept of the report once it is split and its characters counted: all but its
    /// text, chrome and ready-made units. On a large corpus the texts are a tenth of a run's
    /// memory, and nothing after splitting reads them.
    pub fn into_summary(self) -> ReportSummary {
        let Report {
            id,
            file,
            sha256,
            encoding,
            meta,
            ..
        } = self;
        ReportSummary {
            id,
            file,
            sha256,
            encoding,
            meta,
        }
    }
}

/// A report after splitting ([`Report::into_summary`]): what the later stages and the outputs
/// read of it. It has no text, so nothing can read a released text as an empty one.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportSummary {
    /// Stable id, as the report's.
    pub id: String,
    /// The path as given (or found under a given folder).
    pub file: String,
    /// SHA-256 of the file's bytes, lower-case hex.
    pub sha256: String,
    /// The encoding the bytes were decoded from.
    pub encoding: String,
    /// Township, county, province, year, publication date, issuer, title.
    pub meta: ReportMeta,
}

/// A unit given ready-made in a table input.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PresplitUnit {
    /// The row's own id, if the table has an `id` column.
    pub id: Option<String>,
    /// The text.
    pub text: String,
    /// Per-row metadata; `None` fields fall back to the report's.
    pub meta: ReportMeta,
    /// The section kind, if given.
    pub section_kind: Option<SectionKind>,
    /// A gold label carried through to `measures.csv`.
    pub label: Option<String>,
}

/// A file that could not be used, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Skipped {
    /// Stable id, as for a report.
    pub id: String,
    /// The path.
    pub file: String,
    /// Why it was skipped, one line.
    pub reason: String,
    /// SHA-256 of the bytes, when they could be read.
    pub sha256: Option<String>,
}

impl Skipped {
    /// `FILE: REASON` on one line, control characters of both escaped (a file name may hold a
    /// line break).
    pub fn message(&self) -> String {
        format!(
            "{}: {}",
            crate::error::escaped(&self.file),
            crate::error::escaped(&self.reason)
        )
    }
}

/// How a unit was delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UnitLevel {
    /// A numbered measure (or a paragraph where a section has none).
    Measure,
    /// An enumerated clause (一是…二是…).
    Clause,
    /// A paragraph.
    Paragraph,
}

/// One policy measure (政策措施): the unit that is segmented, vectorized and clustered.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unit {
    /// Stable id: `{report_id}-{ordinal:03}`, or the input's own id for table input.
    pub id: String,
    /// Index of the report in the run's report list.
    pub report: usize,
    /// The kind of section the unit sits in.
    pub section_kind: SectionKind,
    /// The heading of the top-level section it sits in, shared by the section's units.
    pub section_heading: Arc<str>,
    /// The unit's own heading (run-in or on its line), empty if it has none.
    pub heading: String,
    /// Byte span in the report text.
    pub span: ByteSpan,
    /// Code-point span in the report text (the contract's `start`/`end`).
    pub chars: CharSpan,
    /// The unit text (the span's text, trimmed).
    pub text: String,
    /// The gold label from table input, if any.
    pub label: Option<String>,
    /// Township, county, province and year of the report (or the row), shared between its units.
    pub meta: Arc<ReportMeta>,
}

/// A unit's place in the run's unit list (`Analysis::units`), as later stages keep it (theme
/// members and examples, copy pairs, the rows clustered). Serialized as the plain number; 32
/// bits, as a run holds fewer than 2³² units.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct UnitIdx(u32);

impl UnitIdx {
    /// The unit at position `u` of the unit list.
    ///
    /// # Panics
    /// If `u` does not fit in 32 bits.
    pub fn new(u: usize) -> UnitIdx {
        UnitIdx(u32::try_from(u).expect("a run holds fewer than 2^32 units"))
    }

    /// The position in the unit list.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

impl From<u32> for UnitIdx {
    fn from(u: u32) -> UnitIdx {
        UnitIdx(u)
    }
}

impl From<UnitIdx> for usize {
    fn from(u: UnitIdx) -> usize {
        u.index()
    }
}

/// A theme's number among the run's themes (0-based, largest theme first). Serialized as the
/// plain number; shown ([`fmt::Display`]) as the theme's id, `T01`, `T02`, ….
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct ThemeId(usize);

impl ThemeId {
    /// The theme number `t`.
    pub fn new(t: usize) -> ThemeId {
        ThemeId(t)
    }

    /// The theme's number, to index what is kept per theme.
    pub fn index(self) -> usize {
        self.0
    }

    /// The first `k` themes, in order.
    pub fn all(k: usize) -> impl DoubleEndedIterator<Item = ThemeId> + ExactSizeIterator {
        (0..k).map(ThemeId)
    }
}

impl From<usize> for ThemeId {
    fn from(t: usize) -> ThemeId {
        ThemeId(t)
    }
}

impl From<ThemeId> for usize {
    fn from(t: ThemeId) -> usize {
        t.index()
    }
}

impl fmt::Display for ThemeId {
    /// The theme's id: `T01` for theme 0.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "T{:02}", self.0 + 1)
    }
}

/// Converts byte offsets in `text` to code-point offsets; offsets must be ascending.
pub struct CharIndex<'a> {
    text: &'a str,
    byte: usize,
    chars: usize,
}

impl<'a> CharIndex<'a> {
    /// Starts at the beginning of `text`.
    pub fn new(text: &'a str) -> Self {
        CharIndex {
            text,
            byte: 0,
            chars: 0,
        }
    }

    /// The code-point offset of byte offset `byte` (at or after the previous one asked).
    pub fn at(&mut self, byte: usize) -> usize {
        if byte < self.byte {
            self.byte = 0;
            self.chars = 0;
        }
        self.chars += self.text[self.byte..byte].chars().count();
        self.byte = byte;
        self.chars
    }
}
