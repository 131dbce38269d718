//! Items and paragraphs made into unit blocks at the unit level asked for (measure, paragraph,
//! clause), and unit blocks into [`Unit`]s with their ids, headings and spans.

use super::*;
use crate::corpus::{CharIndex, CharSpan};
use std::sync::Arc;

/// Whether `s` has at least `n` Han characters (read only as far as the `n`th).
pub fn has_han_chars(s: &str, n: usize) -> bool {
    n == 0
        || s.chars()
            .filter(|&c| crate::text::is_han(c))
            .nth(n - 1)
            .is_some()
}

/// Turns items and paragraphs into blocks, at the unit level asked for.
pub(super) struct UnitBuilder<'a> {
    pub(super) text: &'a str,
    pub(super) chrome: &'a [ByteSpan],
    pub(super) unit: UnitLevel,
    pub(super) min_han: usize,
    pub(super) blocks: &'a mut Vec<Block>,
}

impl UnitBuilder<'_> {
    pub(super) fn push(
        &mut self,
        role: BlockRole,
        kind: SectionKind,
        span: ByteSpan,
        level: usize,
    ) {
        let text = span.of(self.text);
        let role = if role == BlockRole::Unit && !has_han_chars(text, self.min_han) {
            BlockRole::Other
        } else {
            role
        };
        self.blocks.push(Block {
            role,
            kind,
            span,
            level,
        });
    }

    pub(super) fn heading(&mut self, line: Line, kind: SectionKind, level: usize) {
        self.push(
            BlockRole::Heading,
            kind,
            ByteSpan::new(line.span.start, line.heading_end),
            level,
        );
        if line.heading_end < line.span.end {
            let rest = ByteSpan::new(
                line.heading_end
                    + (self.text[line.heading_end..line.span.end].len()
                        - self.text[line.heading_end..line.span.end]
                            .trim_start_matches(is_blank)
                            .len()),
                line.span.end,
            );
            self.paragraph(
                Line {
                    span: rest,
                    marker: None,
                    heading_end: rest.start,
                    start: line.start,
                },
                kind,
                level,
            );
        }
    }

    /// A paragraph that is not inside a numbered item.
    pub(super) fn paragraph(&mut self, line: Line, kind: SectionKind, level: usize) {
        let text = line.span.of(self.text);
        if is_lead_in(text) {
            self.push(BlockRole::Other, kind, line.span, level);
        } else if self.unit == UnitLevel::Clause {
            self.clauses(line.span, kind, level);
        } else {
            self.push(BlockRole::Unit, kind, line.span, level);
        }
    }

    /// A numbered item: its lines from the marker to the next item.
    pub(super) fn item(&mut self, lines: &[Line], kind: SectionKind, level: usize) {
        match self.unit {
            UnitLevel::Measure => {
                for run in self.runs(lines) {
                    self.push(BlockRole::Unit, kind, run, level);
                }
            }
            UnitLevel::Paragraph => {
                // A heading alone on its line joins the paragraph after it (unless chrome parts them).
                let first = lines[0];
                let joins = lines.len() > 1
                    && first.heading_end == first.span.end
                    && self.runs(&lines[..2]).len() == 1;
                let mut start = first.span.start;
                for (n, line) in lines.iter().enumerate() {
                    if n == 0 && joins {
                        continue;
                    }
                    self.push(
                        BlockRole::Unit,
                        kind,
                        ByteSpan::new(start.min(line.span.start), line.span.end),
                        level,
                    );
                    start = usize::MAX;
                }
            }
            UnitLevel::Clause => {
                for run in self.runs(lines) {
                    self.clauses(run, kind, level);
                }
            }
        }
    }

    /// Spans of consecutive lines not separated by chrome (chrome never sits inside a unit).
    pub(super) fn runs(&self, lines: &[Line]) -> Vec<ByteSpan> {
        let mut runs: Vec<ByteSpan> = Vec::new();
        for line in lines {
            match runs.last_mut() {
                Some(run)
                    if !self
                        .chrome
                        .iter()
                        .any(|c| c.start >= run.end && c.end <= line.span.start) =>
                {
                    run.end = line.span.end
                }
                _ => runs.push(line.span),
            }
        }
        runs
    }

    /// Splits a span at enumerated clauses (一是…二是…, 一要…二要…).
    pub(super) fn clauses(&mut self, span: ByteSpan, kind: SectionKind, level: usize) {
        let text = span.of(self.text);
        let mut cuts = clause_starts(text);
        if cuts.first() != Some(&0) {
            // The lead before 一是 is a unit if it says something, else it joins the first clause.
            let lead = &text[..cuts.first().copied().unwrap_or(text.len())];
            if !has_han_chars(lead, self.min_han) && !cuts.is_empty() {
                cuts[0] = 0;
            } else {
                cuts.insert(0, 0);
            }
        }
        for (n, &cut) in cuts.iter().enumerate() {
            let end = cuts.get(n + 1).copied().unwrap_or(text.len());
            let piece = &text[cut..end];
            let lead = piece.len() - trim_blank_start(piece).len();
            let trail = piece.len() - trim_blank_end(piece).len();
            if cut + lead < end - trail {
                self.push(
                    BlockRole::Unit,
                    kind,
                    ByteSpan::new(span.start + cut + lead, span.start + end - trail),
                    level,
                );
            }
        }
    }
}

/// Byte offsets where enumerated clauses start: `一是`/`二是`… or `一要`/`二要`… at the start or after
/// punctuation, in sequence from 一.
pub fn clause_starts(text: &str) -> Vec<usize> {
    const NUMS: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];
    let mut starts = Vec::new();
    for verb in ["是", "要", "抓", "强化"] {
        let mut expected = 0;
        let mut from = 0;
        while expected < NUMS.len() {
            let needle = format!("{}{}", NUMS[expected], verb);
            let Some(pos) = text[from..].find(&needle).map(|p| p + from) else {
                break;
            };
            let before = trim_blank_end(&text[..pos]);
            if before.is_empty()
                || before.ends_with(['。', '；', ';', '，', ',', '：', ':', '\n', '）', ')'])
            {
                starts.push(pos);
                expected += 1;
            }
            from = pos + needle.len();
        }
        if starts.len() >= 2 {
            return starts;
        }
        starts.clear();
    }
    starts
}

/// Units for a table input: one per row, spans into the rows joined by newlines.
pub(super) fn split_presplit(
    report: &Report,
    report_index: usize,
    rows: &[crate::corpus::PresplitUnit],
) -> Split {
    let mut blocks = Vec::with_capacity(rows.len());
    let mut units = Vec::with_capacity(rows.len());
    let mut offset = 0;
    let mut chars = 0;
    for (n, row) in rows.iter().enumerate() {
        let span = ByteSpan::new(offset, offset + row.text.len());
        let nchars = row.text.chars().count();
        let kind = row.section_kind.unwrap_or(SectionKind::Measures);
        if !trim_blank(&row.text).is_empty() {
            blocks.push(Block {
                role: BlockRole::Unit,
                kind,
                span,
                level: 1,
            });
            let mut meta = row.meta.clone();
            for (slot, fallback) in [
                (&mut meta.township, &report.meta.township),
                (&mut meta.county, &report.meta.county),
                (&mut meta.province, &report.meta.province),
                (&mut meta.stand_in, &report.meta.stand_in),
            ] {
                if slot.is_none() {
                    slot.clone_from(fallback);
                }
            }
            meta.year = meta.year.or(report.meta.year);
            units.push(Unit {
                id: row.id.clone().unwrap_or_else(|| unit_id(&report.id, n + 1)),
                report: report_index,
                section_kind: kind,
                section_heading: Arc::from(""),
                heading: String::new(),
                span,
                chars: CharSpan::new(chars, chars + nchars),
                text: row.text.clone(),
                label: row.label.clone(),
                meta: Arc::new(meta),
            });
        }
        offset = span.end + 1;
        chars += nchars + 1;
    }
    Split {
        blocks,
        units,
        recovered: Vec::new(),
    }
}

/// The id of a report's `n`th unit, `{report}-{n:03}` (`012-007`), made without `format!`.
fn unit_id(report: &str, n: usize) -> String {
    let mut id = String::with_capacity(report.len() + 5);
    id.push_str(report);
    id.push('-');
    let digits = n.max(1).ilog10() + 1;
    for _ in digits..3 {
        id.push('0');
    }
    // The digits, most significant first: `write!` went through the formatting machinery,
    // which cost as much again as the rest of the unit.
    for place in (0..digits).rev() {
        id.push(char::from(b'0' + (n / 10usize.pow(place) % 10) as u8));
    }
    id
}

pub(super) fn make_units(
    report: &Report,
    report_index: usize,
    blocks: &[Block],
    lines: &[Line],
) -> Vec<Unit> {
    let text = &report.text;
    let mut index = CharIndex::new(text);
    let mut section_heading: Arc<str> = Arc::from("");
    let meta = Arc::new(report.meta.clone());
    let mut units = Vec::with_capacity(blocks.iter().filter(|b| b.role == BlockRole::Unit).count());
    // Lines and blocks are both in text order: the line a unit starts on is found by moving
    // forward (a search from the first line for every unit was quadratic in a long report).
    let mut lines = lines.iter().peekable();
    for block in blocks {
        if block.role == BlockRole::Heading && block.level == 1 {
            section_heading = Arc::from(trim_blank(block.span.of(text)));
        }
        if block.role != BlockRole::Unit {
            continue;
        }
        while lines.next_if(|l| l.span.start < block.span.start).is_some() {}
        let heading = lines
            .peek()
            .filter(|l| l.span.start == block.span.start && l.heading_end > l.span.start)
            .map(|l| trim_blank(&text[l.span.start..l.heading_end.min(block.span.end)]).to_string())
            .unwrap_or_default();
        let start = index.at(block.span.start);
        let end = index.at(block.span.end);
        // The block's non-blank lines, trimmed, one per line (the line ends found by memchr's
        // vector search, which costs a fraction of `str::lines` here).
        let mut body = String::with_capacity(block.span.end - block.span.start);
        let span_text = block.span.of(text);
        let mut from = 0;
        let ends = memchr::memchr_iter(b'\n', span_text.as_bytes()).chain([span_text.len()]);
        for end in ends {
            let line = trim_blank(&span_text[from..end]);
            from = (end + 1).min(span_text.len());
            if !line.is_empty() {
                if !body.is_empty() {
                    body.push('\n');
                }
                body.push_str(line);
            }
        }
        units.push(Unit {
            id: unit_id(&report.id, units.len() + 1),
            report: report_index,
            section_kind: block.kind,
            section_heading: Arc::clone(&section_heading),
            heading,
            span: block.span,
            chars: CharSpan::new(start, end),
            text: body,
            label: None,
            meta: Arc::clone(&meta),
        });
    }
    units
}
