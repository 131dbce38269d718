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

use crate::config::SplitParams;
use crate::corpus::{CharIndex, Report, SectionKind, Span, Unit, UnitLevel};
use crate::text::{is_blank, trim_blank};
use serde::Serialize;
use std::sync::Arc;

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

/// A report's characters by role: what reports.csv and run.json account for, kept once the
/// report's text and blocks are released.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CharCounts {
    /// Every character of the report's text, blank ones included.
    pub total: usize,
    /// Non-blank characters in the blocks of each role, in the order of [`BlockRole::ALL`].
    pub nonblank: [usize; 5],
}

impl CharCounts {
    /// Counts the characters of `split`, a split of `text`.
    pub fn of_split(split: &Split, text: &str) -> CharCounts {
        let mut nonblank = [0; 5];
        for b in &split.blocks {
            nonblank[b.role as usize] += crate::text::count_nonblank(b.span.of(text));
        }
        CharCounts {
            total: text.chars().count(),
            nonblank,
        }
    }

    /// Non-blank characters in blocks of `role`.
    pub fn nonblank(&self, role: BlockRole) -> usize {
        self.nonblank[role as usize]
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
    pub span: Span,
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

/// The shape of a heading marker, which decides levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// `一、` `1、`
    Dun,
    /// `1.` `1．`
    Dot,
    /// `（一）` `(1)` `(七）`
    Paren,
    /// `①`
    Circled,
    /// Markdown `#` headings.
    Hash,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Numeral {
    Han,
    Arabic,
    Other,
}

/// A heading marker at the start of a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Marker {
    shape: Shape,
    numeral: Numeral,
    ordinal: u32,
    /// Bytes of the marker and the blanks after it.
    len: usize,
}

fn han_number(s: &str) -> Option<u32> {
    let digit = |c: char| "零一二三四五六七八九".find(c).map(|i| (i / 3) as u32);
    let chars: Vec<char> = s.chars().collect();
    match chars.as_slice() {
        [c] if *c == '十' => Some(10),
        [c] => digit(*c),
        ['十', d] => Some(10 + digit(*d)?),
        [t, '十'] => Some(digit(*t)? * 10),
        [t, '十', d] => Some(digit(*t)? * 10 + digit(*d)?),
        _ => None,
    }
}

/// Reads a heading marker at the start of `s`, if any.
fn parse_marker(s: &str) -> Option<Marker> {
    let blanks_after =
        |at: usize| at + (s[at..].len() - s[at..].trim_start_matches(is_blank).len());
    if let Some(rest) = s.strip_prefix('#') {
        let hashes = 1 + rest.len() - rest.trim_start_matches('#').len();
        return Some(Marker {
            shape: Shape::Hash,
            numeral: Numeral::Other,
            ordinal: hashes as u32,
            len: blanks_after(hashes),
        });
    }
    if let Some(c) = s.chars().next()
        && ('①'..='⑳').contains(&c)
    {
        let ordinal = c as u32 - '①' as u32 + 1;
        return Some(Marker {
            shape: Shape::Circled,
            numeral: Numeral::Other,
            ordinal,
            len: blanks_after(c.len_utf8()),
        });
    }
    let open = s.starts_with(['（', '(']);
    let body_start = if open {
        s.chars().next().map_or(0, char::len_utf8)
    } else {
        0
    };
    let body = s[body_start..].trim_start_matches(is_blank);
    let body_start = s.len() - body.len();
    let han_len: usize = body
        .chars()
        .take_while(|&c| is_han_digit(c))
        .map(char::len_utf8)
        .sum();
    let arabic_len = body.bytes().take_while(u8::is_ascii_digit).count();
    let (numeral, num_len) = if han_len > 0 {
        (Numeral::Han, han_len)
    } else if arabic_len > 0 && arabic_len <= 2 {
        (Numeral::Arabic, arabic_len)
    } else {
        return None;
    };
    let ordinal = match numeral {
        Numeral::Han => han_number(&body[..num_len])?,
        _ => body[..num_len].parse().ok()?,
    };
    if ordinal == 0 || ordinal > 60 {
        return None;
    }
    let after_num = body[num_len..].trim_start_matches([' ', '\u{a0}']);
    let after_at = s.len() - after_num.len();
    let delim = after_num.chars().next()?;
    let shape = if open {
        if !matches!(delim, '）' | ')') {
            return None;
        }
        Shape::Paren
    } else {
        match delim {
            '、' => Shape::Dun,
            '.' | '．' if numeral == Numeral::Arabic => {
                // `1.5亿元` is a number, not a heading.
                if after_num[delim.len_utf8()..].starts_with(|c: char| c.is_ascii_digit()) {
                    return None;
                }
                Shape::Dot
            }
            '.' | '．' | '，' | ',' if numeral == Numeral::Han => Shape::Dun,
            _ => return None,
        }
    };
    let _ = body_start;
    Some(Marker {
        shape,
        numeral,
        ordinal,
        len: blanks_after(after_at + delim.len_utf8()),
    })
}

/// Whether `line` opens with a heading marker (`一、`, `（一）`, `1.`, `①`…), blanks before it
/// aside: what the PDF reader asks to know where a paragraph begins.
pub fn starts_with_marker(line: &str) -> bool {
    parse_marker(crate::text::trim_blank_start(line)).is_some()
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
    /// A sub-heading's marker right after a short heading inside a line (`一、主要举措（一）…`).
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

/// One non-blank line of the report (its content, blanks and chrome excluded).
#[derive(Debug, Clone, Copy)]
struct Line {
    span: Span,
    marker: Option<Marker>,
    /// End of the heading text within the line (== span.start when there is none).
    heading_end: usize,
    /// Why the line begins here.
    start: LineStart,
}

/// The last ordinal met of each marker shape, to tell a heading run into the text (`…成效。
/// （二）…` after `（一）`) from a number that happens to follow a sentence. Numeral styles are
/// pooled, as the level rules pool them (`（七）` then `（8）`).
#[derive(Debug, Default, Clone, Copy)]
struct Numbering {
    /// By [`Shape`] (its discriminant).
    last: [Option<u32>; 5],
}

impl Numbering {
    fn last(&self, m: Marker) -> Option<u32> {
        self.last[m.shape as usize]
    }

    /// Whether `m` plausibly continues the report's numbering: a first item, the next one, a
    /// repeated one (broken numbering), or a section marker in Han numerals (`三、`).
    fn continues(&self, m: Marker) -> bool {
        let last = self.last(m);
        m.ordinal == 1
            || last.is_some_and(|n| m.ordinal == n + 1 || m.ordinal == n)
            || (m.shape == Shape::Dun && m.numeral == Numeral::Han)
    }

    /// Whether `m` opens a sub-level or continues one (for a marker right after a heading).
    fn opens_or_follows(&self, m: Marker) -> bool {
        m.ordinal == 1 || self.last(m).is_some_and(|n| m.ordinal == n + 1)
    }

    fn see(&mut self, m: Marker) {
        self.last[m.shape as usize] = Some(m.ordinal);
    }
}

/// Whether running text goes on with the report's closing: a closing formula or paragraph
/// (`特此报告`, `总之`, `法治政府建设关系…`), or the signature block (a short name, then the date
/// the text ends with).
fn is_closing_start(rest: &str) -> bool {
    const FORMULAS: [&str; 9] = [
        "特此报告",
        "以上报告",
        "专此报告",
        "总之",
        "综上",
        "新的一年",
        "法治政府建设关系",
        "展望未来",
        "在新的",
    ];
    static SIGNATURE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"^[^。，,；]{4,80}?(?:\d{4}|二〇[〇一二三四五六七八九]{2})\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日[^。]{0,20}$")
            .expect("valid regex")
    });
    FORMULAS.iter().any(|f| rest.starts_with(f)) || (rest.len() < 400 && SIGNATURE.is_match(rest))
}

/// Lead bytes of what may end a sentence or make a blank before a heading: `。` and U+3000
/// (0xE3), full-width `；！？：` (0xEF), NBSP (0xC2), ASCII `:;!?` and white space.
static MAY_STOP: [bool; 256] = {
    let mut table = [false; 256];
    let bytes = [0xE3u8, 0xEF, 0xC2, b':', b';', b'!', b'?', b' ', b'\t'];
    let mut n = 0;
    while n < bytes.len() {
        table[bytes[n] as usize] = true;
        n += 1;
    }
    table
};

/// Whether a paragraph that lost its break begins at `rest`, after the sentence that `before`
/// ends: a paragraph led by a dash (`。——我们…`), the address to the audience (`各位代表！`), or
/// whatever follows a lead-in that announces a list (`…主要做了以下工作。`, `…报告如下：`).
fn opens_paragraph(before: &str, rest: &str) -> bool {
    if rest.starts_with("——") || rest.starts_with("各位代表") {
        return true;
    }
    // A lead-in's 以下/如下 stands within its last 12 characters and the stop (≤ 39 bytes).
    let tail = &before[before.floor_char_boundary(before.len().saturating_sub(39))..];
    if !(tail.contains("以下") || tail.contains("如下")) {
        return false;
    }
    let last_sentence = before
        .trim_end_matches(['。', '！', '？'])
        .rfind(['。', '！', '？', '：'])
        .map_or(0, |at| at + '。'.len_utf8());
    let sentence = &before[last_sentence..];
    sentence.chars().count() <= 40
        && ["以下", "如下"].iter().any(|w| {
            sentence
                .rfind(w)
                .is_some_and(|at| sentence[at..].chars().count() <= 12)
        })
}

/// The byte offset of the next character at or after `from` that ends a sentence (`。；！？：`
/// and their ASCII forms) or is blank (U+3000, NBSP, space, tab): lead bytes are found by
/// [`MAY_STOP`] and the rest checked on the bytes, so commas and other punctuation that share a
/// lead byte are passed over without decoding.
fn next_stop(bytes: &[u8], from: usize) -> Option<usize> {
    let mut at = from;
    loop {
        at += bytes[at..].iter().position(|&b| MAY_STOP[usize::from(b)])?;
        let stop = match bytes[at] {
            0xE3 => matches!(bytes.get(at + 1..at + 3), Some([0x80, 0x80 | 0x82])),
            0xEF => matches!(
                bytes.get(at + 1..at + 3),
                Some([0xBC, 0x81 | 0x9A | 0x9B | 0x9F])
            ),
            0xC2 => bytes.get(at + 1) == Some(&0xA0),
            _ => true,
        };
        if stop {
            return Some(at);
        }
        at += 1;
    }
}

/// Whether `c` is a Han numeral digit of a heading marker (一 to 十).
fn is_han_digit(c: char) -> bool {
    matches!(
        c,
        '一' | '二' | '三' | '四' | '五' | '六' | '七' | '八' | '九' | '十'
    )
}

/// Whether `c` can begin a marker, a clause opener or a closing formula (a cheap test before
/// parsing).
fn may_open(c: char) -> bool {
    c.is_ascii_digit()
        || matches!(
            c,
            '（' | '(' | '#' | '①'
                ..='⑳'
                    | '一'
                    | '二'
                    | '三'
                    | '四'
                    | '五'
                    | '六'
                    | '七'
                    | '八'
                    | '九'
                    | '十'
                    | '特'
                    | '以'
                    | '专'
                    | '总'
                    | '综'
                    | '新'
                    | '法'
                    | '展'
                    | '在'
        )
}

/// The ordinal of a clause opener (`一是` → 1, `三要` → 3) at the start of `s`.
fn clause_opener(s: &str) -> Option<u32> {
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some(c), Some('是' | '要')) => "一二三四五六七八九十"
            .chars()
            .position(|n| n == c)
            .map(|n| n as u32 + 1),
        _ => None,
    }
}

/// Where the lines that a piece of running text holds begin, after its first: paragraph
/// breaks recovered from runs of two or more U+3000/NBSP, and headings where they stand in
/// running text: after a sentence end, after such a run, or right after a short heading.
/// Numbers inside sentences (`第1.5条`, `（2021-2025年）`, `1.2万人`, `2.0版本`, `二是` after `；`)
/// are not headings. Offsets are relative to `piece`.
fn breaks_in(piece: &str, numbering: &mut Numbering) -> Vec<(usize, LineStart)> {
    let mut out = Vec::new();
    // The current line's start, whether it opened with a marker, and whether it holds a `。`.
    let mut line_start = 0;
    let mut line_marked = parse_marker(piece).inspect(|&m| numbering.see(m)).is_some();
    let saved = *numbering;
    let mut found_heading = false;
    // Clause openers after a stop or at the piece's start, decided after the scan.
    let mut openers = vec![];
    if let Some(ordinal) = clause_opener(piece) {
        openers.push(ClauseOpener {
            at: 0,
            ordinal,
            after_full_stop: true,
        });
    }
    let mut prev: Option<char> = None;
    let mut blank_run = 0;
    let mut chars_in_line = 0usize;
    let mut sentence_in_line = false;
    let bytes = piece.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        // Past a marked line's first characters and away from a sentence end or a blank, no
        // line can begin: jump to the next byte that may end a sentence or start a blank.
        let in_heading_window = line_marked && chars_in_line <= 50;
        let after_stop = matches!(
            prev,
            Some('。' | '；' | '！' | '？' | '：' | ':' | ';' | '!' | '?')
        );
        if !in_heading_window && !after_stop && blank_run == 0 {
            match next_stop(bytes, i).map(|at| at - i) {
                Some(skip) if skip > 0 => {
                    i += skip;
                    chars_in_line = chars_in_line.max(51);
                    prev = None;
                }
                Some(_) => {}
                None => break,
            }
        }
        let c = piece[i..].chars().next().expect("a char boundary");
        let width = c.len_utf8();
        if matches!(c, '\u{3000}' | '\u{a0}') {
            blank_run += 1;
            i += width;
            continue;
        }
        if c == ' ' || c == '\t' {
            i += width;
            continue;
        }
        let after_run = blank_run >= 2;
        blank_run = 0;
        let at_sentence_end = matches!(
            prev,
            Some('。' | '；' | '！' | '？' | '：' | ':' | ';' | '!' | '?')
        );
        let at_full_stop = matches!(prev, Some('。' | '！' | '？'));
        let mut start = None;
        // Only these characters begin a marker, a clause opener or a closing.
        // A signature may begin with any character, but only near the end of a flattened
        // report (a long line).
        let near_end = bytes.len() > 1200 && bytes.len() - i < 400;
        let may_start = (after_run || at_sentence_end || line_marked) && i > line_start;
        if may_start && !(may_open(c) || near_end || after_run) {
            // Only a paragraph opener can stand here.
            if at_full_stop && opens_paragraph(&piece[..i], &piece[i..]) {
                start = Some((LineStart::Sentence, None));
            }
        } else if may_start {
            let rest = &piece[i..];
            if let Some(m) = parse_marker(rest) {
                let short_heading = line_marked && chars_in_line <= 50 && !sentence_in_line;
                if (after_run || at_sentence_end) && numbering.continues(m) {
                    start = Some((
                        if after_run {
                            LineStart::Indent
                        } else {
                            LineStart::Sentence
                        },
                        Some(m),
                    ));
                } else if short_heading && !at_sentence_end && numbering.opens_or_follows(m) {
                    start = Some((LineStart::Heading, Some(m)));
                }
            } else if after_run {
                start = Some((LineStart::Indent, None));
            } else if line_marked
                && chars_in_line <= 50
                && !sentence_in_line
                && rest.starts_with("一是")
            {
                // `二、存在的不足和原因一是…`: the heading ends where its first clause begins.
                start = Some((LineStart::Heading, None));
                openers.push(ClauseOpener {
                    at: i,
                    ordinal: 1,
                    after_full_stop: true,
                });
            } else if let Some(ordinal) = clause_opener(rest).filter(|_| at_sentence_end) {
                openers.push(ClauseOpener {
                    at: i,
                    ordinal,
                    after_full_stop: at_full_stop || matches!(prev, Some('：' | ':')),
                });
            } else if at_full_stop && (is_closing_start(rest) || opens_paragraph(&piece[..i], rest))
            {
                start = Some((LineStart::Sentence, None));
            }
        }
        if let Some((why, marker)) = start {
            found_heading |= marker.is_some();
            out.push((i, why));
            line_start = i;
            line_marked = marker.is_some();
            if let Some(m) = marker {
                numbering.see(m);
            }
            chars_in_line = 0;
            sentence_in_line = false;
        }
        chars_in_line += 1;
        sentence_in_line |= c == '。';
        prev = Some(c);
        i += width;
    }
    // A line that holds no heading is a paragraph as written: its sentences and clauses stay
    // together, and runs of blanks inside it (a signature's two names) do not cut it.
    if !found_heading {
        *numbering = saved;
        out.clear();
    }
    // Where runs of blanks mark the paragraphs, they are the paragraphs: a clause opener after a
    // sentence only stands in for a lost paragraph break when nothing else marks them.
    else if !out.iter().any(|&(_, why)| why == LineStart::Indent) {
        let lines: Vec<usize> = out.iter().map(|&(at, _)| at).collect();
        out.extend(
            clause_paragraphs(piece, &openers, &lines)
                .into_iter()
                .map(|at| (at, LineStart::Sentence)),
        );
        out.sort_unstable_by_key(|&(at, _)| at);
        out.dedup_by_key(|&mut (at, _)| at);
    }
    out
}

/// A clause opener (`一是`, `二要`) met after a stop in running text.
#[derive(Debug, Clone, Copy)]
struct ClauseOpener {
    /// Byte offset in the piece.
    at: usize,
    /// Its ordinal (`三是` → 3).
    ordinal: u32,
    /// Whether it follows a full stop or colon (`。！？：`) or begins a paragraph, rather than a
    /// `；` inside a sentence.
    after_full_stop: bool,
}

/// Mean length in characters from which the clauses of a series are paragraphs of their own:
/// in the lined reports of the shared corpus, a paragraph that begins with `一是` has a median
/// length of 113–361 characters (seeds, provincial reports, openings), a clause inside a
/// paragraph 57–105.
const CLAUSE_PARAGRAPH_CHARS: usize = 120;

/// Where paragraphs that lost their breaks begin at clause openers, in a piece whose lines
/// begin at `lines` (sorted byte offsets): before a series (`一是…二是…`) that follows another
/// series in one line, and before each clause of a series whose clauses run long enough to be
/// paragraphs (`重点抓好以下几点：一是…。二是…`, each a paragraph of 150 characters). Short
/// clauses belong to their paragraph (`主要表现在：一是…。二是…`), and clauses after `；` to their
/// sentence.
fn clause_paragraphs(piece: &str, openers: &[ClauseOpener], lines: &[usize]) -> Vec<usize> {
    let line_of = |at: usize| lines.partition_point(|&l| l <= at);
    // Series: runs of consecutive ordinals within one line.
    let mut series: Vec<&[ClauseOpener]> = Vec::new();
    let mut from = 0;
    for n in 1..=openers.len() {
        let ends = openers.get(n).is_none_or(|o| {
            let last = openers[n - 1];
            o.ordinal != last.ordinal + 1 || line_of(o.at) != line_of(last.at)
        });
        if ends {
            series.push(&openers[from..n]);
            from = n;
        }
    }
    let mut cuts = Vec::new();
    for (n, run) in series.iter().enumerate() {
        let first = run[0];
        if first.ordinal != 1 || !first.after_full_stop {
            continue;
        }
        let follows_series = n > 0 && line_of(series[n - 1][0].at) == line_of(first.at);
        if follows_series {
            cuts.push(first.at);
        }
        let clause_chars: Vec<usize> = run
            .windows(2)
            .map(|w| piece[w[0].at..w[1].at].chars().count())
            .collect();
        let long = !clause_chars.is_empty()
            && clause_chars.iter().sum::<usize>() / clause_chars.len() >= CLAUSE_PARAGRAPH_CHARS;
        if long {
            cuts.extend(run.iter().filter(|o| o.after_full_stop).map(|o| o.at));
        }
    }
    cuts.retain(|&at| at > 0 && !lines.contains(&at));
    cuts
}

/// Splits the text into content lines (blanks trimmed), cutting chrome out: whole-line chrome, a
/// docx artefact before a heading, or chrome inside a line (which splits the line in two). Every
/// chrome span becomes a chrome block. A line that runs on is cut where [`breaks_in`] finds
/// paragraphs and headings in it.
fn content_lines(report: &Report, blocks: &mut Vec<Block>) -> Vec<Line> {
    let text = &report.text;
    let mut lines = Vec::new();
    let mut chrome = report.chrome.iter().copied().peekable();
    let mut numbering = Numbering::default();
    let mut offset = 0;
    // Buffers reused from line to line.
    let mut pieces = Vec::new();
    let mut cuts = Vec::new();
    for raw in text.split_inclusive('\n') {
        let line_end = offset + raw.len();
        pieces.clear();
        let mut from = offset;
        while let Some(c) = chrome.peek().copied().filter(|c| c.start < line_end) {
            pieces.push(Span::new(from, c.start.max(from)));
            blocks.push(Block {
                role: BlockRole::Chrome,
                kind: SectionKind::Other,
                span: c,
                level: 0,
            });
            from = from.max(c.end);
            chrome.next();
        }
        pieces.push(Span::new(from.min(line_end), line_end));
        offset = line_end;
        let mut first = true;
        for &piece in &pieces {
            let raw = piece.of(text);
            // Only the line's first piece can open with a heading marker, or a piece after chrome
            // that follows a sentence end or a run of blanks (a flattened line's docx artefact).
            let before = text[..piece.start].trim_end_matches(|c: char| {
                c != '\n' && !c.is_alphanumeric() && !"。；！？".contains(c)
            });
            let may_mark = first
                || text[before.len()..piece.start].contains(['\u{3000}', '\u{a0}'])
                || before.ends_with(['。', '；', '！', '？']);
            cuts.clear();
            cuts.push((0, LineStart::Line, may_mark));
            let content = raw.trim_start_matches(is_blank);
            let lead = raw.len() - content.len();
            cuts.extend(
                breaks_in(content, &mut numbering)
                    .into_iter()
                    .map(|(at, why)| (lead + at, why, true)),
            );
            // An empty piece (chrome at the line's start) leaves the next piece first.
            first &= raw.trim_matches(is_blank).is_empty();
            for (n, &(at, why, may_mark)) in cuts.iter().enumerate() {
                let until = cuts.get(n + 1).map_or(raw.len(), |c| c.0);
                let part = &raw[at..until];
                let start =
                    piece.start + at + (part.len() - part.trim_start_matches(is_blank).len());
                let end = piece.start + at + part.trim_end_matches(is_blank).len();
                if start >= end {
                    continue;
                }
                let content = &text[start..end];
                let marker = if may_mark {
                    parse_marker(content)
                } else {
                    None
                };
                let heading_end = marker.map_or(start, |m| start + heading_len(content, m));
                lines.push(Line {
                    span: Span::new(start, end),
                    marker,
                    heading_end,
                    start: why,
                });
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
    let chars = rest.chars().count();
    let inner_stop = rest
        .trim_end_matches(['。', '；', ';', '：', ':'])
        .contains('。');
    if marker.shape == Shape::Hash || (chars <= 50 && !inner_stop) {
        return content.len();
    }
    let mut seen = 0;
    for (i, c) in rest.char_indices() {
        seen += 1;
        if seen > 60 {
            break;
        }
        if c == '。' {
            return marker.len + i + c.len_utf8();
        }
    }
    // A heading run into its text without a stop, as flattened text leaves it (`（一）推动学习
    // 宣传情况党政主要负责人…`): it ends after the last word that ends headings in its first
    // 45 characters.
    // The window ends at the first stop, or at a comma that does not follow a heading word
    // (`…第一责任人职责，加强法治政府建设的有关情况` is one heading).
    let ends_heading = |at: usize| HEADING_ENDINGS.iter().any(|w| rest[..at].ends_with(w));
    let window = rest
        .char_indices()
        .take(45)
        .find(|&(i, c)| "。；;：:".contains(c) || ("，,".contains(c) && !ends_heading(i)))
        .map(|(i, _)| i)
        .or_else(|| rest.char_indices().nth(45).map(|(i, _)| i))
        .unwrap_or(rest.len());
    HEADING_ENDINGS
        .iter()
        .filter_map(|w| rest[..window].rfind(w).map(|at| at + w.len()))
        .max()
        .filter(|&end| rest[..end].chars().count() >= 4 && end < rest.len())
        // A stop right after the heading word ends the heading (`…整改情况；`).
        .map(|end| {
            end + rest[end..]
                .chars()
                .next()
                .filter(|c| "；;：:".contains(*c))
                .map_or(0, char::len_utf8)
        })
        .map_or(marker.len, |end| marker.len + end)
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
fn assign_levels(lines: &[Line]) -> Vec<Option<usize>> {
    let mut stack: Vec<OpenLevel> = Vec::new();
    lines
        .iter()
        .map(|line| {
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

/// Keywords of each kind. The kind whose keyword comes first in a heading wins; `measures` only
/// when no other matches.
const KIND_WORDS: [(SectionKind, &[&str]); 4] = [
    (
        SectionKind::Leadership,
        &[
            "第一责任人",
            "主要负责人",
            "党政负责人",
            "单位负责人",
            "主要领导",
            "一把手",
        ],
    ),
    (
        SectionKind::Shortcomings,
        &["不足", "问题", "差距", "短板", "原因", "薄弱"],
    ),
    (
        SectionKind::Plans,
        &[
            "下一年度",
            "下一步",
            "下步",
            "明年",
            "来年",
            "安排",
            "计划",
            "思路",
            "打算",
            "改进措施",
            "整改措施",
            "工作重点",
            "努力方向",
            "展望",
            "意见建议",
            "重点任务",
            "主要任务",
            "重点工作",
            "总体要求",
        ],
    ),
    (
        SectionKind::Measures,
        &[
            "举措", "成效", "情况", "做法", "成绩", "措施", "工作", "开展", "推进",
        ],
    ),
];

/// The kind a heading names, if any; `strict` (for sub-headings) only accepts a short heading
/// that is about the kind itself (`（一）存在问题`), not a measure that mentions a problem.
fn kind_of(heading: &str, strict: bool) -> Option<SectionKind> {
    let heading = heading.trim_end_matches(['。', '；', ';', '：', ':', ' ']);
    if strict && heading.chars().count() > 12 {
        return None;
    }
    let mut best: Option<(usize, SectionKind)> = None;
    for (kind, words) in KIND_WORDS.iter().take(3) {
        for w in words.iter() {
            if let Some(pos) = heading.find(w)
                && best.is_none_or(|(p, _)| pos < p)
            {
                best = Some((pos, *kind));
            }
        }
    }
    if best.is_none() && !strict && KIND_WORDS[3].1.iter().any(|w| heading.contains(w)) {
        return Some(SectionKind::Measures);
    }
    best.map(|(_, k)| k)
}

/// The kind a heading names outright, for headings that switch the section's kind in reports
/// beyond the township template: a year after the report's (`2025年主要任务` in a report on
/// 2024) or a plans word opens plans; `工作回顾` / `主要成效` open measures; else the kinds of
/// leadership, shortcomings and plans by their words.
fn explicit_kind(heading: &str, report_year: Option<u16>) -> Option<SectionKind> {
    let names_later_year = report_year.is_some_and(|y| {
        heading
            .match_indices('年')
            .filter_map(|(at, _)| {
                heading[..at]
                    .get(at.saturating_sub(4)..)?
                    .parse::<u16>()
                    .ok()
            })
            .any(|named| named > y)
    });
    if names_later_year {
        return Some(SectionKind::Plans);
    }
    if ["工作回顾", "主要成效", "主要成绩"]
        .iter()
        .any(|w| heading.contains(w))
    {
        return Some(SectionKind::Measures);
    }
    kind_of(heading, false).filter(|k| *k != SectionKind::Measures)
}

/// The kind an unnumbered line switches to when it is a heading naming one outright
/// (`2025年重点工作` alone on its line in a government work report).
fn switch_kind(line: &str, report_year: Option<u16>) -> Option<SectionKind> {
    (line.len() <= 30 * 4
        && line.chars().nth(30).is_none()
        && !line.contains(['。', '，', ',', '：', ':']))
    .then(|| explicit_kind(line, report_year))
    .flatten()
}

/// Whether a heading names more than one kind (`存在问题及改进措施`), so its sub-headings decide.
fn is_mixed(heading: &str) -> bool {
    KIND_WORDS
        .iter()
        .take(3)
        .filter(|(_, words)| words.iter().any(|w| heading.contains(w)))
        .count()
        > 1
}

/// A paragraph that introduces what follows (`…从以下几个方面：`) rather than stating a measure.
fn is_lead_in(text: &str) -> bool {
    let t = text.trim_end_matches(is_blank);
    t.ends_with(['：', ':'])
        || (t.chars().count() < 80 && (t.contains("如下") || t.contains("以下几个方面")))
}

/// A paragraph that reads like the report's opening (`现将…报告如下`).
fn is_opening(text: &str) -> bool {
    [
        "报告如下",
        "汇报如下",
        "总结如下",
        "现将",
        "作如下总结",
        "报告如下",
    ]
    .iter()
    .any(|w| text.contains(w))
}

/// Signature lines, dates and closing formulas at the very end of a report.
fn is_closing(text: &str) -> bool {
    let t = trim_blank(text);
    let short = t.chars().count() <= 40 && !t.contains('。');
    let signature = crate::meta::SIGNATURE_ENDINGS
        .iter()
        .any(|w| t.ends_with(w));
    let date = t.ends_with('日') && t.contains('年') && t.contains('月');
    let formula = ["特此报告", "以上报告", "专此报告"]
        .iter()
        .any(|w| t.starts_with(w));
    let closing_paragraph = [
        "总之",
        "综上",
        "在新的",
        "新的一年",
        "法治政府建设关系",
        "展望未来",
    ]
    .iter()
    .any(|w| t.starts_with(w));
    (short && (signature || date)) || formula || closing_paragraph
}

/// Whether `s` has at least `n` Han characters (read only as far as the `n`th).
pub fn has_han_chars(s: &str, n: usize) -> bool {
    n == 0
        || s.chars()
            .filter(|c| {
                ('\u{4e00}'..='\u{9fff}').contains(c) || ('\u{3400}'..='\u{4dbf}').contains(c)
            })
            .nth(n - 1)
            .is_some()
}

/// Splits one report into blocks and units.
pub fn split_report(report: &Report, report_index: usize, params: &SplitParams) -> Split {
    let mut blocks = Vec::new();
    if let Some(rows) = &report.presplit {
        return split_presplit(report, report_index, rows);
    }
    let lines = content_lines(report, &mut blocks);
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
            let body: String = lines[i..next]
                .iter()
                .map(|l| l.span.of(&report.text))
                .collect();
            mixed = is_mixed(heading_words);
            section_kind = if line.marker.is_some_and(|m| m.shape == Shape::Hash) {
                SectionKind::Measures
            } else if first_marked == Some(i)
                && is_opening(&body)
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
        if has_children {
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

/// Checks the accounting of a split: every non-blank character of the report lies in exactly one
/// block. Returns one message per violation (empty when the split accounts for everything).
pub fn accounting_errors(report: &Report, split: &Split) -> Vec<String> {
    let text = &report.text;
    let mut errors = Vec::new();
    let mut covered_to = 0;
    for b in &split.blocks {
        if b.span.start < covered_to {
            errors.push(format!(
                "{:?} block at byte {} overlaps the previous block (ends at {covered_to})",
                b.role, b.span.start
            ));
        }
        if let Some(gap) = text
            .get(covered_to..b.span.start)
            .filter(|g| g.chars().any(|c| !is_blank(c)))
        {
            errors.push(format!(
                "bytes {covered_to}..{} not in any block: {:?}",
                b.span.start,
                gap.chars().take(30).collect::<String>()
            ));
        }
        covered_to = covered_to.max(b.span.end);
    }
    if let Some(rest) = text
        .get(covered_to..)
        .filter(|g| g.chars().any(|c| !is_blank(c)))
    {
        errors.push(format!(
            "the text after byte {covered_to} is in no block: {:?}",
            rest.chars().take(30).collect::<String>()
        ));
    }
    errors
}

fn is_title_like(line: &str) -> bool {
    line.chars().count() <= 80
        && !line.contains('。')
        && (line.contains("报告") || line.ends_with(['：', ':']) || line.starts_with('#'))
}

/// Turns items and paragraphs into blocks, at the unit level asked for.
struct UnitBuilder<'a> {
    text: &'a str,
    chrome: &'a [Span],
    unit: UnitLevel,
    min_han: usize,
    blocks: &'a mut Vec<Block>,
}

impl UnitBuilder<'_> {
    fn push(&mut self, role: BlockRole, kind: SectionKind, span: Span, level: usize) {
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

    fn heading(&mut self, line: Line, kind: SectionKind, level: usize) {
        self.push(
            BlockRole::Heading,
            kind,
            Span::new(line.span.start, line.heading_end),
            level,
        );
        if line.heading_end < line.span.end {
            let rest = Span::new(
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
    fn paragraph(&mut self, line: Line, kind: SectionKind, level: usize) {
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
    fn item(&mut self, lines: &[Line], kind: SectionKind, level: usize) {
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
                        Span::new(start.min(line.span.start), line.span.end),
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
    fn runs(&self, lines: &[Line]) -> Vec<Span> {
        let mut runs: Vec<Span> = Vec::new();
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
    fn clauses(&mut self, span: Span, kind: SectionKind, level: usize) {
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
            let lead = piece.len() - piece.trim_start_matches(is_blank).len();
            let trail = piece.len() - piece.trim_end_matches(is_blank).len();
            if cut + lead < end - trail {
                self.push(
                    BlockRole::Unit,
                    kind,
                    Span::new(span.start + cut + lead, span.start + end - trail),
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
            let before = text[..pos].trim_end_matches(is_blank);
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
fn split_presplit(
    report: &Report,
    report_index: usize,
    rows: &[crate::corpus::PresplitUnit],
) -> Split {
    let mut blocks = Vec::with_capacity(rows.len());
    let mut units = Vec::with_capacity(rows.len());
    let mut offset = 0;
    let mut chars = 0;
    for (n, row) in rows.iter().enumerate() {
        let span = Span::new(offset, offset + row.text.len());
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
                id: row
                    .id
                    .clone()
                    .unwrap_or_else(|| format!("{}-{:03}", report.id, n + 1)),
                report: report_index,
                section_kind: kind,
                section_heading: String::new(),
                heading: String::new(),
                span,
                chars: Span::new(chars, chars + nchars),
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

fn make_units(report: &Report, report_index: usize, blocks: &[Block], lines: &[Line]) -> Vec<Unit> {
    let text = &report.text;
    let mut index = CharIndex::new(text);
    let mut section_heading = String::new();
    let meta = Arc::new(report.meta.clone());
    let mut units = Vec::new();
    // Lines and blocks are both in text order: the line a unit starts on is found by moving
    // forward (a search from the first line for every unit was quadratic in a long report).
    let mut lines = lines.iter().peekable();
    for block in blocks {
        if block.role == BlockRole::Heading && block.level == 1 {
            section_heading = trim_blank(block.span.of(text)).to_string();
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
        // The block's non-blank lines, trimmed, one per line.
        let mut body = String::with_capacity(block.span.end - block.span.start);
        for line in block.span.of(text).lines().map(trim_blank) {
            if !line.is_empty() {
                if !body.is_empty() {
                    body.push('\n');
                }
                body.push_str(line);
            }
        }
        units.push(Unit {
            id: format!("{}-{:03}", report.id, units.len() + 1),
            report: report_index,
            section_kind: block.kind,
            section_heading: section_heading.clone(),
            heading,
            span: block.span,
            chars: Span::new(start, end),
            text: body,
            label: None,
            meta: Arc::clone(&meta),
        });
    }
    units
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
