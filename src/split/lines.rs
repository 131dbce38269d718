//! The content lines of a report (chrome cut out, recovered breaks applied), the heading text of
//! each marked line, and the levels of the headings decided by the report's own structure.

use super::*;

/// One non-blank line of the report (its content, blanks and chrome excluded).
#[derive(Debug, Clone, Copy)]
pub(super) struct Line {
    pub(super) span: ByteSpan,
    pub(super) marker: Option<Marker>,
    /// End of the heading text within the line (== span.start when there is none).
    pub(super) heading_end: usize,
    /// Why the line begins here.
    pub(super) start: LineStart,
}

/// Splits the text into content lines (blanks trimmed), cutting chrome out: whole-line chrome, a
/// docx artefact before a heading, or chrome inside a line (which splits the line in two). Every
/// chrome span becomes a chrome block. A line that runs on is cut where [`breaks_in`] finds
/// paragraphs and headings in it.
pub(super) fn content_lines(text: &str, chrome: &[ByteSpan], blocks: &mut Vec<Block>) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut chrome = chrome.iter().copied().peekable();
    let mut numbering = Numbering::default();
    let mut offset = 0;
    // Buffers reused from line to line.
    let mut pieces = Vec::new();
    let mut cuts = Vec::new();
    let mut run_in = run_in_marker_starts(text).into_iter().peekable();
    // The ends of the lines (past their `\n`, as `split_inclusive` cuts), found by memchr's
    // vector search.
    let line_ends = memchr::memchr_iter(b'\n', text.as_bytes())
        .map(|at| at + 1)
        .chain((!text.is_empty() && !text.ends_with('\n')).then_some(text.len()));
    for line_end in line_ends {
        pieces.clear();
        let mut from = offset;
        while let Some(c) = chrome.peek().copied().filter(|c| c.start < line_end) {
            pieces.push(ByteSpan::new(from, c.start.max(from)));
            blocks.push(Block {
                role: BlockRole::Chrome,
                kind: SectionKind::Other,
                span: c,
                level: 0,
            });
            from = from.max(c.end);
            chrome.next();
        }
        pieces.push(ByteSpan::new(from.min(line_end), line_end));
        offset = line_end;
        let mut first = true;
        for &piece in &pieces {
            let raw = piece.of(text);
            // Only the line's first piece can open with a heading marker, or a piece after chrome
            // that follows a sentence end or a run of blanks (a flattened line's docx artefact).
            let may_mark = first || {
                let before = text[..piece.start].trim_end_matches(|c: char| {
                    c != '\n' && !c.is_alphanumeric() && !matches!(c, '。' | '；' | '！' | '？')
                });
                text[before.len()..piece.start].contains(['\u{3000}', '\u{a0}'])
                    || before.ends_with(['。', '；', '！', '？'])
            };
            cuts.clear();
            cuts.push((0, LineStart::Line, may_mark));
            let content = trim_blank_start(raw);
            let lead = raw.len() - content.len();
            let lead_marker = parse_marker(content);
            let marked = lead_marker.inspect(|&m| numbering.see(m)).is_some();
            // Only where a marker may stand in running text, or in a marked line's first
            // characters, can the scan find a heading: other pieces (most lines of lined text)
            // are passed over.
            let content_start = piece.start + lead;
            while run_in.next_if(|&at| at <= content_start).is_some() {}
            if run_in.peek().is_some_and(|&at| at < piece.end)
                || (marked && marker_in_heading_window(content))
            {
                cuts.extend(
                    breaks_in(content, marked, &mut numbering)
                        .into_iter()
                        .map(|(at, why)| (lead + at, why, true)),
                );
            }
            // An empty piece (chrome at the line's start) leaves the next piece first.
            first &= raw.chars().all(is_blank);
            for (n, &(at, why, may_mark)) in cuts.iter().enumerate() {
                let until = cuts.get(n + 1).map_or(raw.len(), |c| c.0);
                let part = &raw[at..until];
                let start = piece.start + at + (part.len() - trim_blank_start(part).len());
                let end = piece.start + at + trim_blank_end(part).len();
                if start >= end {
                    continue;
                }
                let content = &text[start..end];
                let marker = match may_mark {
                    false => None,
                    // A piece that is one line has the marker read above, on its text with the
                    // blanks after it, which the marker's length may run into.
                    true if cuts.len() == 1 => lead_marker.map(|m| Marker {
                        len: m.len.min(content.len()),
                        ..m
                    }),
                    true => parse_marker(content),
                };
                // A heading recovered in running text that stood on a line of its own before the
                // page was flattened (`一、基本情况黄泥塘镇位于…`): its paragraph is a line again.
                let flattened_heading = marker
                    .filter(|_| why != LineStart::Line)
                    .and_then(|m| flattened_heading_len(content, m));
                let heading_end = match flattened_heading {
                    Some(len) => start + len,
                    None => marker.map_or(start, |m| start + heading_len(content, m)),
                };
                let heading_line_end = flattened_heading.map_or(end, |_| heading_end);
                lines.push(Line {
                    span: ByteSpan::new(start, heading_line_end),
                    marker,
                    heading_end,
                    start: why,
                });
                if flattened_heading.is_some() {
                    lines.push(Line {
                        span: ByteSpan::new(heading_end, end),
                        marker: None,
                        heading_end,
                        start: LineStart::Heading,
                    });
                }
            }
        }
    }
    lines
}

/// The length in bytes of the heading text at the start of a marked line: the whole line when it
/// is short (a heading alone on its line), else up to the first `。` (a run-in heading), else
/// just the marker.
fn heading_len(content: &str, marker: Marker) -> usize {
    let rest = &content[marker.len..];
    let first_stop = rest.find('。');
    let inner_stop =
        first_stop.is_some_and(|at| at < rest.trim_end_matches(['。', '；', ';', '：', ':']).len());
    // At most 50 characters: 200 bytes hold 50 at least (4 bytes a character at most).
    let short = rest.len() <= 200 && rest.chars().count() <= 50;
    if marker.shape == Shape::Hash || (short && !inner_stop) {
        return content.len();
    }
    // A `。` among the first 60 characters ends the heading.
    if let Some(at) = first_stop
        && rest[..at].chars().count() < 60
    {
        return marker.len + at + '。'.len_utf8();
    }
    heading_word_end(rest)
        // A stop right after the heading word ends the heading (`…整改情况；`).
        .map(|end| {
            end + rest[end..]
                .chars()
                .next()
                .filter(|c| matches!(c, '；' | ';' | '：' | ':'))
                .map_or(0, char::len_utf8)
        })
        .map_or(marker.len, |end| marker.len + end)
}

/// The length in bytes of a heading recovered in running text that ends on a heading word with
/// a clause right after it (eight characters at least before a stop or comma), as a heading
/// alone on its line leaves it when the page is flattened (`一、基本情况黄泥塘镇位于…，`); not for
/// a short tail, which is the heading's own (`二、…第一责任人职责压紧压实。`).
fn flattened_heading_len(content: &str, marker: Marker) -> Option<usize> {
    let rest = &content[marker.len..];
    let end = heading_word_end(rest).filter(|_| marker.shape != Shape::Hash)?;
    let tail = &rest[end..];
    let clause = tail.starts_with(char::is_alphanumeric)
        && tail
            .chars()
            .take_while(|c| !matches!(c, '。' | '；' | ';' | '：' | ':' | '，' | ','))
            .nth(7)
            .is_some();
    clause.then_some(marker.len + end)
}

/// Where a heading run into its text without a stop ends, as flattened text leaves it (`推动学习
/// 宣传情况党政主要负责人…` after its marker): after the last word that ends headings in its
/// first 45 characters, if that leaves four characters at least and some text after it. The
/// window ends at the first stop, or at a comma that does not follow a heading word
/// (`…第一责任人职责，加强法治政府建设的有关情况` is one heading).
fn heading_word_end(rest: &str) -> Option<usize> {
    let ends_heading = |at: usize| HEADING_ENDINGS.iter().any(|w| rest[..at].ends_with(w));
    let window = rest
        .char_indices()
        .take(45)
        .find(|&(i, c)| {
            matches!(c, '。' | '；' | ';' | '：' | ':')
                || (matches!(c, '，' | ',') && !ends_heading(i))
        })
        .map(|(i, _)| i)
        .or_else(|| rest.char_indices().nth(45).map(|(i, _)| i))
        .unwrap_or(rest.len());
    // The end of the last heading word in the window, found from its end back a character at a
    // time (a search for each word cost more).
    rest[..window]
        .char_indices()
        .rev()
        .map(|(i, c)| i + c.len_utf8())
        .find(|&end| ends_heading(end))
        .filter(|&end| rest[..end].chars().count() >= 4 && end < rest.len())
}

/// Words that end a section or measure heading (`…主要举措和成效`, `…职责情况`, `…主要安排`).
const HEADING_ENDINGS: [&str; 14] = [
    "情况", "成效", "举措", "措施", "职责", "思路", "安排", "计划", "打算", "原因", "问题", "不足",
    "任务", "回顾",
];

/// An open heading level while reading the report.
#[derive(Debug, Clone)]
struct OpenLevel {
    shape: Shape,
    numerals: Vec<Numeral>,
    last: u32,
}

/// Assigns a level (1 = top) to every marked line, from the report's own structure.
pub(super) fn assign_levels(lines: &[Line]) -> Vec<Option<usize>> {
    // A Markdown document's title, its one `#` heading standing before any other marker, is no
    // level: its `##` headings are the sections (`# 某某条例` then `## 第一章  总则`).
    let is_title = |l: &Line| {
        l.marker
            .is_some_and(|m| m.shape == Shape::Hash && m.ordinal == 1)
    };
    let title = lines
        .iter()
        .position(|l| l.marker.is_some())
        .filter(|&i| is_title(&lines[i]) && lines.iter().filter(|l| is_title(l)).count() == 1);
    let mut stack: Vec<OpenLevel> = Vec::new();
    lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            if title == Some(i) {
                return None;
            }
            let m = line.marker?;
            let same = stack
                .iter()
                .rposition(|l| l.shape == m.shape && l.numerals.contains(&m.numeral));
            let continuing = || {
                stack.iter().rposition(|l| {
                    l.shape == m.shape && (m.ordinal == l.last + 1 || m.ordinal == l.last)
                })
            };
            let depth = match same.or_else(continuing) {
                Some(d) if m.shape != Shape::Hash || stack[d].last == m.ordinal => d,
                _ => {
                    // A new level; a Markdown heading opens under any deeper-numbered heading.
                    let d = if m.shape == Shape::Hash {
                        stack
                            .iter()
                            .position(|l| l.shape == Shape::Hash && l.last > m.ordinal)
                            .unwrap_or(stack.len())
                    } else {
                        stack.len()
                    };
                    stack.truncate(d);
                    stack.push(OpenLevel {
                        shape: m.shape,
                        numerals: vec![m.numeral],
                        last: m.ordinal,
                    });
                    d
                }
            };
            stack.truncate(depth + 1);
            let level = &mut stack[depth];
            level.last = m.ordinal;
            if !level.numerals.contains(&m.numeral) {
                level.numerals.push(m.numeral);
            }
            Some(depth + 1)
        })
        .collect()
}
