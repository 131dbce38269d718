//! Stage 2: a report → its sections and units (policy measures), each with its section kind and
//! its span in the decoded text; nothing lost.
//!
//! Headings come in many shapes, mixed and broken within one report (`一、` `1、` `1.` `1．` `（一）`
//! `(一)` `(七）` `（8）`, run-in or alone on a line). Levels are decided by the report's own
//! structure, not by a fixed ranking of markers: the first marker shape met opens level 1, a new
//! shape met inside it opens the next level, and a marker of another numeral style (`2、` then
//! `三、`, `（2）` then `（三）`) joins an open level of its shape when it continues that level's
//! numbering. The top level gives sections; a section's kind comes from its heading words, and a
//! short sub-heading can change it (`六、存在问题及改进措施` → `（一）存在问题`, `（二）改进措施`).
//!
//! Accounting: every non-blank character of the report lies in exactly one [`Block`]: a unit, a
//! heading, the preamble (title, addressee, opening), other (lead-ins, closing, signature, scraps)
//! or page chrome. [`Split::blocks`] lists them in text order; [`Split::units`] are the unit blocks
//! made into [`Unit`]s.
//!
//! Cost: linear in the text; one pass over the lines, no backtracking. Reports are split in parallel
//! by the caller.

mod accounting;
mod kind;
mod lines;
mod marker;
mod running;
mod units;

use crate::config::SplitParams;
use crate::corpus::{ByteSpan, Report, SectionKind, Unit, UnitLevel};
use crate::text::{is_blank, trim_blank, trim_blank_end, trim_blank_start};
use serde::Serialize;

pub use accounting::{CharCounts, accounting_errors};
use kind::*;
use lines::*;
pub use marker::starts_with_marker;
use marker::*;
use running::*;
use units::*;
pub use units::{clause_starts, has_han_chars};

/// What a block of text is, for the accounting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BlockRole {
    /// A unit that is segmented and clustered.
    Unit,
    /// A section or sub-section heading that is not part of a unit.
    Heading,
    /// Title, addressee line, opening paragraph.
    Preamble,
    /// Lead-in lines, closing paragraph, signature, scraps too short to be a measure.
    Other,
    /// Page chrome found by the reader.
    Chrome,
}

impl BlockRole {
    /// Every role, in the order of [`CharCounts::nonblank`].
    pub const ALL: [BlockRole; 5] = [
        BlockRole::Unit,
        BlockRole::Heading,
        BlockRole::Preamble,
        BlockRole::Other,
        BlockRole::Chrome,
    ];

    /// The role's name in outputs (`unit`, `heading`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            BlockRole::Unit => "unit",
            BlockRole::Heading => "heading",
            BlockRole::Preamble => "preamble",
            BlockRole::Other => "other",
            BlockRole::Chrome => "chrome",
        }
    }
}

/// A contiguous piece of a report with its role.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Block {
    /// What it is.
    pub role: BlockRole,
    /// The kind of the section it sits in.
    pub kind: SectionKind,
    /// Byte span in the report text.
    pub span: ByteSpan,
    /// Nesting level of the heading or unit (1 = section), 0 outside sections.
    pub level: usize,
}

/// A report split into blocks and units.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Split {
    /// Every block in text order; together they cover every non-blank character once.
    pub blocks: Vec<Block>,
    /// The units, in text order.
    pub units: Vec<Unit>,
    /// Where a line was recovered inside a line of the text, and why (a flattened paragraph
    /// break, a heading after a sentence end or after a short heading), by byte offset.
    pub recovered: Vec<(usize, LineStart)>,
}

/// Why a line of the split begins where it does: a line of the text, or a break recovered in
/// a line that runs on (paragraphs flattened by scraping, headings run into the text).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LineStart {
    /// The start of a line of the text (or of the text after chrome inside a line).
    Line,
    /// After a run of two or more U+3000 or NBSP inside a line: a flattened paragraph break.
    Indent,
    /// A heading marker after a sentence end (。；！？：) inside a line.
    Sentence,
    /// Right after a short heading inside a line: a sub-heading's marker (`一、主要举措（一）…`),
    /// or the heading's paragraph where the heading ends on a heading word (`一、基本情况黄泥塘镇…`).
    Heading,
}

impl LineStart {
    /// The name shown by `split`.
    pub fn as_str(self) -> &'static str {
        match self {
            LineStart::Line => "line",
            LineStart::Indent => "indent",
            LineStart::Sentence => "sentence",
            LineStart::Heading => "heading",
        }
    }
}

/// Where the splitter breaks the lines of `text` that run on: the starts of the lines it
/// recovers inside them (a paragraph break from a run of U+3000/NBSP, a heading run into the
/// text, a heading's paragraph, a paragraph opener or a signature after a sentence end) — what a
/// flattened report has left of its lines. Byte offsets, ascending; `chrome` holds the
/// page-chrome spans within `text`, as [`Report::chrome`] does.
pub fn recovered_breaks(text: &str, chrome: &[ByteSpan]) -> Vec<usize> {
    content_lines(text, chrome, &mut Vec::new())
        .into_iter()
        .filter(|line| line.start != LineStart::Line)
        .map(|line| line.span.start)
        .collect()
}

/// Splits one report into blocks and units.
pub fn split_report(report: &Report, report_index: usize, params: &SplitParams) -> Split {
    let mut blocks = Vec::new();
    if let Some(rows) = &report.presplit {
        return split_presplit(report, report_index, rows);
    }
    let lines = content_lines(&report.text, &report.chrome, &mut blocks);
    let levels = assign_levels(&lines);

    // The tail: signature, date and closing formulas at the end.
    let mut body_end = lines.len();
    while body_end > 0
        && levels[body_end - 1].is_none()
        && is_closing(lines[body_end - 1].span.of(&report.text))
    {
        body_end -= 1;
    }
    // The preamble: everything before the first marked line (or, without any, the title lines).
    let first_marked = levels.iter().position(Option::is_some);
    let preamble_end = match first_marked {
        Some(i) => i,
        None => lines
            .iter()
            .take_while(|l| is_title_like(l.span.of(&report.text)))
            .count(),
    }
    .min(body_end);
    for line in &lines[..preamble_end] {
        blocks.push(Block {
            role: BlockRole::Preamble,
            kind: SectionKind::Preamble,
            span: line.span,
            level: 0,
        });
    }

    let mut builder = UnitBuilder {
        text: &report.text,
        chrome: &report.chrome,
        unit: params.unit,
        min_han: params.min_han_chars,
        blocks: &mut blocks,
    };
    let flat = levels[preamble_end..body_end]
        .iter()
        .all(|l| l.is_none_or(|l| l == 1))
        && levels[preamble_end..body_end].iter().flatten().count() > 0;
    // Each unnumbered line's switch of kind, once (item extents look ahead over them).
    let switches: Vec<Option<SectionKind>> = lines
        .iter()
        .zip(&levels)
        .map(|(l, level)| match level {
            Some(_) => None,
            None => switch_kind(l.span.of(&report.text), report.meta.year),
        })
        .collect();
    let mut i = preamble_end;
    let mut section_kind = SectionKind::Measures;
    let mut mixed = false;
    // The kind an unnumbered heading or a plans section switched to, which later sections that
    // name no kind keep.
    let mut switched: Option<SectionKind> = None;
    // Kind of each open level, so a sub-heading's kind lasts until its siblings.
    let mut level_kinds: Vec<SectionKind> = Vec::new();
    while i < body_end {
        let line = lines[i];
        let Some(level) = levels[i] else {
            // An unnumbered heading line that names a kind (`2025年重点工作`) switches it.
            if let Some(kind) = switches[i] {
                section_kind = kind;
                switched = Some(kind);
                level_kinds.clear();
                level_kinds.push(kind);
                builder.blocks.push(Block {
                    role: BlockRole::Heading,
                    kind,
                    span: line.span,
                    level: 0,
                });
                i += 1;
                continue;
            }
            // Paragraphs outside any item: units of the current section.
            let kind = *level_kinds.last().unwrap_or(&section_kind);
            builder.paragraph(line, kind, level_kinds.len());
            i += 1;
            continue;
        };
        // The extent of this item: up to the next line at the same or a higher level.
        let next = (i + 1..body_end)
            .find(|&j| match levels[j] {
                Some(l) => l <= level,
                None => switches[j].is_some(),
            })
            .unwrap_or(body_end);
        let has_children = (i + 1..next).any(|j| levels[j].is_some());
        let heading_words =
            &report.text[line.span.start + line.marker.map_or(0, |m| m.len)..line.heading_end];
        // A heading run into its text with no stop (`二、…第一责任人职责情况我镇…`) names its kind
        // in its first words.
        let heading_words = if heading_words.is_empty() && line.start != LineStart::Line {
            let rest =
                &report.text[line.span.start + line.marker.map_or(0, |m| m.len)..line.span.end];
            let end = rest.char_indices().nth(30).map_or(rest.len(), |(i, _)| i);
            &rest[..end]
        } else {
            heading_words
        };
        let run_in = line.heading_end < line.span.end;
        if level == 1 {
            let opens_report = || {
                let body: String = lines[i..next]
                    .iter()
                    .map(|l| l.span.of(&report.text))
                    .collect();
                is_opening(&body)
            };
            mixed = is_mixed(heading_words);
            section_kind = if line.marker.is_some_and(|m| m.shape == Shape::Hash) {
                SectionKind::Measures
            } else if first_marked == Some(i)
                && opens_report()
                && kind_of(heading_words, false).is_none()
            {
                SectionKind::Preamble
            } else if let Some(kind) = explicit_kind(heading_words, report.meta.year) {
                switched = (kind == SectionKind::Plans).then_some(kind);
                kind
            } else {
                // After a plans section, a section naming no kind goes on with the plans
                // (`三、全面加强政府自身建设` in a government work report).
                switched.unwrap_or_else(|| {
                    kind_of(heading_words, false).unwrap_or(SectionKind::Measures)
                })
            };
            level_kinds.clear();
            level_kinds.push(section_kind);
            if section_kind == SectionKind::Preamble {
                for l in &lines[i..next] {
                    builder.blocks.push(Block {
                        role: BlockRole::Preamble,
                        kind: SectionKind::Preamble,
                        span: l.span,
                        level: 0,
                    });
                }
                i = next;
                continue;
            }
            if flat && run_in {
                // A report of numbered measures without sections: each item is a unit.
                builder.item(&lines[i..next], section_kind, 1);
                i = next;
                continue;
            }
            builder.heading(line, section_kind, 1);
            i += 1;
            continue;
        }
        level_kinds.truncate(level - 1);
        let inherited = *level_kinds.last().unwrap_or(&section_kind);
        // Only a heading naming two kinds hands the choice to its sub-headings: elsewhere a short
        // item like `（三）推动解决问题情况` is a measure, not a shortcoming.
        let own = if mixed {
            kind_of(heading_words, true)
        } else {
            None
        };
        let kind = own.unwrap_or(inherited);
        level_kinds.push(kind);
        // A Markdown heading is a heading, whatever its depth: its paragraphs are the units
        // (`### 第一章  一般规定` over its articles), not one item.
        if has_children || line.marker.is_some_and(|m| m.shape == Shape::Hash) {
            builder.heading(line, kind, level);
            i += 1;
            continue;
        }
        builder.item(&lines[i..next], kind, level);
        i = next;
    }
    for line in &lines[body_end..] {
        blocks.push(Block {
            role: BlockRole::Other,
            kind: SectionKind::Other,
            span: line.span,
            level: 0,
        });
    }
    blocks.sort_by_key(|b| b.span);
    let units = make_units(report, report_index, &blocks, &lines);
    let recovered = lines
        .iter()
        .filter(|l| l.start != LineStart::Line)
        .map(|l| (l.span.start, l.start))
        .collect();
    Split {
        blocks,
        units,
        recovered,
    }
}

impl Split {
    /// Why the block starting at byte `start` begins there: `line` unless a line was
    /// recovered there.
    pub fn line_start_at(&self, start: usize) -> LineStart {
        self.recovered
            .binary_search_by_key(&start, |&(at, _)| at)
            .map_or(LineStart::Line, |i| self.recovered[i].1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::ReportMeta;
    use proptest::prelude::*;

    fn report(text: &str) -> Report {
        Report {
            id: "r0000".into(),
            file: "t.txt".into(),
            sha256: String::new(),
            encoding: "UTF-8".into(),
            text: text.to_string(),
            chrome: crate::chrome::find_chrome(text),
            meta: ReportMeta::default(),
            presplit: None,
        }
    }

    fn split(text: &str, unit: UnitLevel) -> (Report, Split) {
        let r = report(text);
        let s = split_report(
            &r,
            0,
            &SplitParams {
                unit,
                ..SplitParams::default()
            },
        );
        (r, s)
    }

    fn kinds_and_heads(s: &Split) -> Vec<(SectionKind, String)> {
        s.units
            .iter()
            .map(|u| (u.section_kind, u.heading.clone()))
            .collect()
    }

    #[test]
    fn markers_of_every_shape_are_read() {
        let shape = |s: &str| parse_marker(s).map(|m| (m.shape, m.ordinal));
        assert_eq!(shape("一、总体情况"), Some((Shape::Dun, 1)));
        assert_eq!(shape("十二、其他"), Some((Shape::Dun, 12)));
        assert_eq!(shape("3、 加强"), Some((Shape::Dun, 3)));
        assert_eq!(shape("4．加强"), Some((Shape::Dot, 4)));
        assert_eq!(shape("（八）加强"), Some((Shape::Paren, 8)));
        assert_eq!(shape("(七）加强"), Some((Shape::Paren, 7)));
        assert_eq!(shape("（8） 健全"), Some((Shape::Paren, 8)));
        assert_eq!(shape("1.5亿元投入"), None);
        assert_eq!(shape("一是加强"), None);
        assert_eq!(shape("2023年以来"), None);
    }

    #[test]
    fn broken_numbering_keeps_levels_by_structure() {
        // Top sections numbered 1、 2、 三、 with （1）（2）（三） items under them.
        let text = "1、学习情况\n（一）加强学习。组织学习法律法规。\n（二）开展普法。开展宪法宣传活动。\n2、主要举措和成效\n（1） 深化执法。落实行政执法三项制度。\n（2） 化解纠纷。排查矛盾纠纷并调解到位。\n（三）公开政务。推进政务公开工作落实。\n三、存在的不足\n一是宣传不够深入广泛。二是队伍建设有待加强。\n四、下一步工作安排\n1.深化普法。继续开展法治宣传教育活动。\n";
        let (r, s) = split(text, UnitLevel::Measure);
        assert!(
            accounting_errors(&r, &s).is_empty(),
            "{:?}",
            accounting_errors(&r, &s)
        );
        let got = kinds_and_heads(&s);
        assert_eq!(got.len(), 7, "{got:?}");
        assert_eq!(
            got[2],
            (SectionKind::Measures, "（1） 深化执法。".to_string())
        );
        assert_eq!(got[4].1, "（三）公开政务。");
        assert_eq!(got[5].0, SectionKind::Shortcomings);
        assert_eq!(got[6], (SectionKind::Plans, "1.深化普法。".to_string()));
    }

    #[test]
    fn a_mixed_heading_lets_sub_headings_decide_the_kind() {
        let text = "六、存在问题及改进措施\n(一)存在问题。一是全镇依法行政工作不平衡。二是干部法治意识仍需提高。\n(二)改进措施。2020年我镇将继续建设法治政府。\n1.积极推动政府职能转变。简政放权优化服务。\n2.加强行政权力的监督。推进权力运行公开。\n";
        let (r, s) = split(text, UnitLevel::Measure);
        assert!(accounting_errors(&r, &s).is_empty());
        let kinds: Vec<SectionKind> = s.units.iter().map(|u| u.section_kind).collect();
        assert_eq!(
            kinds,
            [
                SectionKind::Shortcomings,
                SectionKind::Plans,
                SectionKind::Plans,
                SectionKind::Plans
            ]
        );
    }

    #[test]
    fn title_addressee_opening_and_signature_are_not_units() {
        let text = "某某镇2023年法治政府建设年度报告\n县人民政府：\n现将有关情况报告如下：\n一、主要举措和成效\n（一）加强领导。成立法治建设领导小组定期研究。\n特此报告。\n某某镇人民政府\n2024年1月5日\n";
        let (r, s) = split(text, UnitLevel::Measure);
        assert!(accounting_errors(&r, &s).is_empty());
        assert_eq!(s.units.len(), 1);
        let roles: Vec<BlockRole> = s.blocks.iter().map(|b| b.role).collect();
        assert_eq!(roles[..3], [BlockRole::Preamble; 3]);
        assert_eq!(roles[roles.len() - 3..], [BlockRole::Other; 3]);
    }

    #[test]
    fn clause_and_paragraph_units() {
        let text = "一、下一步打算\n（一）深化普法。一是开展宪法宣传周活动，二是培育法律明白人队伍，三是建设法治文化阵地。\n";
        let (r, s) = split(text, UnitLevel::Clause);
        assert!(accounting_errors(&r, &s).is_empty());
        let texts: Vec<&str> = s.units.iter().map(|u| u.text.as_str()).collect();
        assert_eq!(texts.len(), 3, "{texts:?}");
        assert!(texts[0].starts_with("（一）深化普法。一是") && texts[2].starts_with("三是"));
        let (r, s) = split(
            "一、举措\n第一段落讲述普法宣传工作。\n第二段落讲述矛盾纠纷调解。\n",
            UnitLevel::Paragraph,
        );
        assert!(accounting_errors(&r, &s).is_empty());
        assert_eq!(s.units.len(), 2);
    }

    #[test]
    fn spans_give_back_the_text_in_code_points() {
        let (r, s) = split(
            "　　一、举措\n\u{a0}（一）加强领导。成立领导小组。\n",
            UnitLevel::Measure,
        );
        let chars: Vec<char> = r.text.chars().collect();
        for u in &s.units {
            let back: String = chars[u.chars.start..u.chars.end].iter().collect();
            assert_eq!(back, u.span.of(&r.text));
        }
    }

    /// The units' texts (blanks removed) and kinds.
    fn unit_texts(s: &Split) -> Vec<(String, SectionKind)> {
        s.units
            .iter()
            .map(|u| {
                let t: String = u.text.chars().filter(|c| !is_blank(*c)).collect();
                (t, u.section_kind)
            })
            .collect()
    }

    #[test]
    fn headings_run_into_text_are_found_and_numbers_in_sentences_are_not() {
        let text = "现将情况报告如下：一、主要举措和成效（一）加强组织领导。成立领导小组，第1.5条规定的事项全部落实，（2021-2025年）规划完成，培训1.2万人，2.0版本上线。（二）推进普法宣传。一是宣传宪法；二是培育法律明白人。二、存在的不足和原因一是学习不够深入。二是队伍力量薄弱。三、2025年工作安排（一）深化依法行政。完善制度。";
        let (_, s) = split(text, UnitLevel::Measure);
        let units = unit_texts(&s);
        let heads: Vec<(SectionKind, &str)> = units
            .iter()
            .map(|(t, k)| {
                (
                    *k,
                    &t[..t.char_indices().nth(9).map_or(t.len(), |(i, _)| i)],
                )
            })
            .collect();
        assert_eq!(
            heads,
            [
                (SectionKind::Measures, "（一）加强组织领导"),
                (SectionKind::Measures, "（二）推进普法宣传"),
                (SectionKind::Shortcomings, "一是学习不够深入。"),
                (SectionKind::Plans, "（一）深化依法行政"),
            ],
            "{units:?}"
        );
        // The numbers inside the first measure's sentences did not cut it, nor short clauses
        // their paragraph.
        assert!(units[0].0.contains("2.0版本上线"));
        assert!(units[1].0.contains("二是培育法律明白人"));
        assert!(units[2].0.ends_with("二是队伍力量薄弱。"));
    }

    /// Clauses long enough to be paragraphs are cut where their breaks were lost, short ones
    /// stay in their paragraph, whether a full stop or a colon introduces them; a second series
    /// in one paragraph opens a paragraph of its own.
    #[test]
    fn flattened_clause_series_are_paragraphs_only_when_long() {
        let long = "完善制度，健全机制，落实责任，强化督查考核，推动工作落地见效。".repeat(5);
        let text = format!(
            "一、主要举措和成效（一）加强组织领导。成立领导小组。二、存在的不足主要表现在：一是学习不够深入。二是队伍力量薄弱。三、下一步工作安排重点抓好以下几点：一是深化依法行政。{long}二是推进普法宣传。{long}三是化解矛盾纠纷。{long}"
        );
        let (r, s) = split(&text, UnitLevel::Measure);
        assert!(accounting_errors(&r, &s).is_empty());
        let units = unit_texts(&s);
        let starts: Vec<(SectionKind, String)> = units
            .iter()
            .map(|(t, k)| (*k, t.chars().take(6).collect()))
            .collect();
        let expected = [
            (SectionKind::Measures, "（一）加强组"),
            (SectionKind::Shortcomings, "一是学习不够"),
            (SectionKind::Plans, "一是深化依法"),
            (SectionKind::Plans, "二是推进普法"),
            (SectionKind::Plans, "三是化解矛盾"),
        ]
        .map(|(k, t)| (k, t.to_string()));
        assert_eq!(starts, expected, "{units:?}");

        let text = "一、主要举措和成效（一）加强组织领导。成立领导小组。二、其他工作依法行政是核心。一是坚持民主集中制。二是坚持政务公开。一是完善维稳机制。二是坚持依法办事。";
        let (_, s) = split(text, UnitLevel::Measure);
        let units = unit_texts(&s);
        assert_eq!(units.len(), 3, "{units:?}");
        assert!(units[1].0.ends_with("二是坚持政务公开。"), "{units:?}");
        assert!(units[2].0.starts_with("一是完善维稳机制"), "{units:?}");
    }

    /// A heading runs on past a comma after a heading word and takes the stop after it; a
    /// dash, the address to the audience and what follows a lead-in open paragraphs.
    #[test]
    fn run_in_headings_and_paragraph_openers_in_flattened_text() {
        let text = "一、党政主要负责人履行第一责任人职责，加强法治政府建设的有关情况我镇主要负责人带头学法，全年学法12次，专题研究法治工作4次，听取汇报2次。二、存在的不足、原因和问题整改情况；今年我镇仍存在一些差距，学习不够深入，制度不够健全，队伍力量薄弱，执法不够规范，监督不够有力。三、主要做了以下工作。（一）加强组织领导。成立领导小组。各位代表！我们将继续努力。——我们坚持依法行政。今年要重点做好以下工作。加快建设法治政府。";
        let (r, s) = split(text, UnitLevel::Measure);
        assert!(accounting_errors(&r, &s).is_empty());
        let headings: Vec<&str> = s
            .blocks
            .iter()
            .filter(|b| b.role == BlockRole::Heading)
            .map(|b| b.span.of(text))
            .collect();
        assert_eq!(
            headings[..2],
            [
                "一、党政主要负责人履行第一责任人职责，加强法治政府建设的有关情况",
                "二、存在的不足、原因和问题整改情况；",
            ]
        );
        let units = unit_texts(&s);
        assert!(units[0].0.starts_with("我镇主要负责人"), "{units:?}");
        assert!(units[1].0.starts_with("今年我镇"), "{units:?}");
        let recovered: Vec<usize> = s.recovered.iter().map(|&(at, _)| at).collect();
        for opener in ["（一）加强", "各位代表！", "——我们", "加快建设"] {
            let at = text.find(opener).expect("in the text");
            assert!(recovered.contains(&at), "{opener}: {recovered:?}");
        }
    }

    #[test]
    fn a_marker_holds_no_marker_inside_it() {
        // `十一、` is not `十` then `一、`, nor `11.` and `21.` `1` then `1.`, lined or flattened.
        let text = "十、加强队伍建设\n（一）强化培训。组织培训。\n十一、完善制度体系\n（一）健全制度。完善规则。\n（二）推进公开。公开信息。\n十二、名词解释\n10．零碳园区：碳排放和吸收趋于平衡的园区。\n11.“编外校长”：各级领导干部挂联薄弱学校。\n12.“编外院长”：各级领导干部挂联薄弱医院。\n";
        for joined in [text.to_string(), text.replace('\n', "\u{3000}\u{3000}")] {
            let (r, s) = split(&joined, UnitLevel::Measure);
            assert!(accounting_errors(&r, &s).is_empty());
            let headings: Vec<String> = s
                .blocks
                .iter()
                .filter(|b| b.role == BlockRole::Heading)
                .map(|b| trim_blank(b.span.of(&joined)).to_string())
                .collect();
            assert_eq!(
                headings,
                ["十、加强队伍建设", "十一、完善制度体系", "十二、名词解释"]
            );
            let units: Vec<String> = unit_texts(&s).into_iter().map(|(t, _)| t).collect();
            assert_eq!(units.len(), 6, "{units:?}");
            assert!(units[4].starts_with("11.“编外校长”"), "{units:?}");
        }
        // In running text the numbering may skip the one item whose marker reads as a number.
        let text = "三、名词解释　　1.“两重”：国家重大战略实施和重点领域安全能力建设。2.“两新”：大规模设备更新和消费品以旧换新。3．10种有色金属：铜、铅、锌。4.“厅局长坐诊接诉”：省级部门负责同志接待企业。5.“2+3”园区：昆明承接产业转移园。";
        let (_, s) = split(text, UnitLevel::Measure);
        let units: Vec<String> = unit_texts(&s).into_iter().map(|(t, _)| t).collect();
        assert_eq!(units.len(), 4, "{units:?}");
        assert!(units[2].starts_with("4.“厅局长"), "{units:?}");
    }

    #[test]
    fn a_heading_line_flattened_into_its_paragraph_stays_a_heading() {
        // `一、基本情况` alone on its line is a section heading over its paragraph; joined to the
        // paragraph without a stop, it is still, where it ends on a heading word.
        let lined = "2022年，我镇认真贯彻落实法治政府建设各项部署，现将有关情况报告如下。\n一、基本情况\n黄泥塘镇位于大方县南部，距县城25公里，总面积223平方公里。\n二、主要举措\n（一）加强组织领导。成立领导小组，定期研究部署。\n（二）推进普法宣传。开展宪法宣传周活动。\n";
        let flat: String = lined.lines().collect();
        let (_, s) = split(lined, UnitLevel::Measure);
        let (r, f) = split(&flat, UnitLevel::Measure);
        assert!(accounting_errors(&r, &f).is_empty());
        assert_eq!(unit_texts(&f), unit_texts(&s));
        assert!(unit_texts(&s)[0].0.starts_with("黄泥塘镇"));
    }

    #[test]
    fn a_markdown_document_is_sections_of_headings_over_paragraphs() {
        // One `#` title before any marker is the preamble; `##` chapters are the sections,
        // `###` headings are headings at any depth, and their paragraphs are the units. A date
        // naming a later year opens no plans, and a quoted title's words name no kind.
        let text = "# 某省行政执法条例\n\n2020年5月14日 某省人民代表大会常务委员会通过\n\n2021年1月1日 施行\n\n## 第一章  总则\n\n第一条 为了规范行政执法行为，制定本条例。\n\n第二条 本省行政区域内的行政执法活动，适用本条例。\n\n## 第二章  修改《关于若干问题的决定》\n\n### 第一节  一般规定\n\n第三条 行政执法机关应当公开执法信息，接受社会监督。\n\n第四条 行政执法人员应当持证上岗，规范执法行为。\n";
        let (r, s) = split(text, UnitLevel::Measure);
        assert!(accounting_errors(&r, &s).is_empty());
        let preamble = s
            .blocks
            .iter()
            .filter(|b| b.role == BlockRole::Preamble)
            .count();
        assert_eq!(preamble, 3);
        let units = unit_texts(&s);
        let texts: Vec<&str> = units.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(texts.len(), 4, "{texts:?}");
        assert!(texts.iter().all(|t| t.starts_with('第')), "{texts:?}");
        assert!(
            units.iter().all(|(_, k)| *k == SectionKind::Measures),
            "{units:?}"
        );
    }

    #[test]
    fn lined_text_keeps_its_paragraphs_and_a_heading_free_line_is_not_cut() {
        let text = "一、主要举措\n依法行政是核心。一是坚持民主集中制。二是坚持政务公开。\n中共某镇委员会\u{3000}\u{3000}某镇人民政府\n";
        let (r, s) = split(text, UnitLevel::Paragraph);
        assert_eq!(s.units.len(), 1, "{:?}", unit_texts(&s));
        assert!(accounting_errors(&r, &s).is_empty());
    }

    #[test]
    fn a_later_year_or_an_unnumbered_plans_heading_opens_plans() {
        let mut r = report(
            "一、2024年工作回顾\n（一）稳住经济。增长5%，就业稳定，物价平稳。\n二、2025年主要任务\n（一）扩大内需。促进消费，扩大有效投资。\n三、加强政府自身建设\n（一）依法行政。严格规范公正文明执法。\n",
        );
        r.meta.year = Some(2024);
        let s = split_report(&r, 0, &SplitParams::default());
        let kinds: Vec<SectionKind> = s.units.iter().map(|u| u.section_kind).collect();
        assert_eq!(
            kinds,
            [
                SectionKind::Measures,
                SectionKind::Plans,
                SectionKind::Plans
            ]
        );
        // An unnumbered heading line switches the kind of the numbered items after it.
        let mut r = report(
            "各位代表：\n一年来主要做了以下工作：\n（一）稳住经济。增长5%，就业稳定，物价平稳，民生改善。\n2025年重点工作\n（二）扩大内需。促进消费，扩大投资，稳定外贸，提振信心。\n",
        );
        r.meta.year = Some(2024);
        let s = split_report(&r, 0, &SplitParams::default());
        let kinds: Vec<SectionKind> = s.units.iter().map(|u| u.section_kind).collect();
        assert_eq!(kinds.last(), Some(&SectionKind::Plans), "{kinds:?}");
        // A work report dated by its delivery year names the year's objectives and tasks
        // (目标任务) without a later year.
        let mut r = report(
            "一、2024年工作回顾\n（一）稳住经济。增长5%，就业稳定，物价平稳。\n二、2025年主要目标任务\n（一）扩大内需。促进消费，扩大有效投资。\n",
        );
        r.meta.year = Some(2025);
        let s = split_report(&r, 0, &SplitParams::default());
        let kinds: Vec<SectionKind> = s.units.iter().map(|u| u.section_kind).collect();
        assert_eq!(kinds, [SectionKind::Measures, SectionKind::Plans]);
    }

    /// The bundled seed reports, flattened as scraping flattens them, split into the units the
    /// lined files give, with the same section kinds: ≥ 95% joined by two U+3000 and joined by
    /// nothing (paragraph breaks without any mark cannot all be recovered).
    #[test]
    fn flattened_seeds_give_the_units_of_the_lined_files() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/data/sample");
        let mut found = [(0usize, 0usize); 2];
        for entry in std::fs::read_dir(dir).expect("data/sample") {
            let text = std::fs::read_to_string(entry.expect("entry").path()).expect("seed");
            let lined = unit_texts(&split(&text, UnitLevel::Measure).1);
            let lines: Vec<&str> = text
                .lines()
                .map(trim_blank)
                .filter(|l| !l.is_empty())
                .collect();
            for (n, joiner) in ["\u{3000}\u{3000}", ""].into_iter().enumerate() {
                let flat = lines.join(joiner);
                let (r, s) = split(&flat, UnitLevel::Measure);
                assert!(accounting_errors(&r, &s).is_empty());
                let got = unit_texts(&s);
                found[n].0 += lined.iter().filter(|u| got.contains(u)).count();
                found[n].1 += lined.len();
            }
        }
        let share = |(a, b): (usize, usize)| a as f64 / b as f64;
        assert!(share(found[0]) >= 0.95, "joined by U+3000: {:?}", found[0]);
        assert!(share(found[1]) >= 0.95, "joined by nothing: {:?}", found[1]);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Generated reports: any mix of markers, clauses, chrome and blank filler.
        #[test]
        fn every_generated_report_is_fully_accounted(lines in proptest::collection::vec(
            prop_oneof![
                Just("一、主要举措和成效".to_string()),
                Just("二、存在的不足和原因".to_string()),
                Just("三、下一年度工作安排".to_string()),
                Just("（一）加强组织领导。成立领导小组。".to_string()),
                Just("(二)推进普法。一是宣传宪法，二是培育法律明白人。".to_string()),
                Just("1.深化调解。排查矛盾纠纷。".to_string()),
                Just("（3） 规范执法".to_string()),
                Just("发布日期:2024-01-24 来源:本网".to_string()),
                Just("[bookmark: _GoBack]（四）政务公开。推进公开。".to_string()),
                Just("\u{a0}\u{3000} ".to_string()),
                Just("某某镇人民政府".to_string()),
                "[\\PC]{0,40}",
            ], 0..30)) {
            // As written, and flattened the two ways scraping flattens: joined by two U+3000
            // or by nothing.
            for joiner in ["\n", "\u{3000}\u{3000}", ""] {
                let text = lines.join(joiner);
                for unit in [UnitLevel::Measure, UnitLevel::Clause, UnitLevel::Paragraph] {
                    let (r, s) = split(&text, unit);
                    let errors = accounting_errors(&r, &s);
                    prop_assert!(errors.is_empty(), "{:?}\n{}", errors, text);
                }
            }
        }

        /// Arbitrary bytes never panic the reader or the splitter.
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            if let Ok((text, _)) = crate::decode::decode(bytes) {
                let (r, s) = split(&text, UnitLevel::Measure);
                prop_assert!(accounting_errors(&r, &s).is_empty());
            }
        }
    }
}
