//! Lines recovered inside a line that runs on: paragraph breaks lost by scraping (runs of U+3000
//! or NBSP), headings after a sentence end or run into a short heading, clause series long enough
//! to be paragraphs, and paragraph openers; with cheap tests on the bytes so that lined text pays
//! little for them.

use super::*;

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
    FORMULAS.iter().any(|f| rest.starts_with(f))
        || (rest.len() < 400 && may_be_signature(rest) && SIGNATURE.is_match(rest))
}

/// Whether `rest` may be what the signature regex of [`is_closing_start`] matches: a date whose
/// `年` follows a name of four or more characters and a year of four, with a `日` after it, and
/// no `。` anywhere (none of its parts admits one). Cheap tests that spare most sentences the
/// regex, and a report without a signature the building of it.
fn may_be_signature(rest: &str) -> bool {
    !rest.contains('。') && rest.contains('日') && rest.chars().skip(8).any(|c| c == '年')
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

/// Past the blanks at `from` that the scan of [`breaks_in`] passes over (U+3000, NBSP, space,
/// tab): where they end, and how many of them are U+3000 or NBSP.
fn skip_blanks(bytes: &[u8], from: usize) -> (usize, usize) {
    let (mut at, mut wide) = (from, 0);
    loop {
        match bytes.get(at..) {
            Some([b' ' | b'\t', ..]) => at += 1,
            Some([0xE3, 0x80, 0x80, ..]) => (at, wide) = (at + 3, wide + 1),
            Some([0xC2, 0xA0, ..]) => (at, wide) = (at + 2, wide + 1),
            _ => return (at, wide),
        }
    }
}

/// Calls `f` with the offset of every byte of `haystack` that is one of `needles`, in order
/// (repeat a needle to look for fewer bytes). By memchr's AVX2 searcher when the CPU has it,
/// used directly: `memchr3_iter` looks the searcher up and builds it anew at every match, which
/// cost a third of the search in Chinese text, where punctuation comes every dozen characters.
pub(super) fn for_each_of(haystack: &[u8], needles: [u8; 3], f: impl FnMut(usize)) {
    let [a, b, c] = needles;
    #[cfg(target_arch = "x86_64")]
    if let Some(avx2) = memchr::arch::x86_64::avx2::memchr::Three::new(a, b, c) {
        return avx2.iter(haystack).for_each(f);
    }
    memchr::memchr3_iter(a, b, c, haystack).for_each(f)
}

/// Where a heading marker may stand inside a line of running text, by byte offset in `text`
/// (ascending): a character that may open one ([`may_open_marker_at`]) right after a sentence end
/// (`。；！？：` or `:;!?`) and any blanks, or after a run of blanks holding two or more U+3000
/// or NBSP. The scan of [`breaks_in`] takes a heading nowhere else, but in the first characters
/// of a line that opens with a marker ([`marker_in_heading_window`]): so a line with neither
/// (most lines of lined text) need not be scanned.
///
/// One pass over the whole text by memchr's vector search for the lead bytes of the wide
/// sentence ends and blanks: E3 (`。` E3 80 82, U+3000 E3 80 80), EF (`；` `！` `：` `？`, EF BC
/// 9B/81/9A/9F) and C2 (NBSP, C2 A0); the next bytes tell them from the other characters with
/// these lead bytes (`、` `，` `（`…). Then two passes for the ASCII sentence ends.
pub(super) fn run_in_marker_starts(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut starts = Vec::new();
    // `at`: past a sentence end or at a run of blanks. Returns where the blanks end.
    let mut take = |at: usize, needs_wide: usize| {
        let (end, wide) = skip_blanks(bytes, at);
        if wide >= needs_wide && may_open_marker_at(&bytes[end..]) {
            starts.push(end);
        }
        end
    };
    // A match before `past` is one of the blanks already passed (so a long run is read once).
    let mut past = 0;
    for_each_of(bytes, [0xE3, 0xEF, 0xC2], |at| {
        past = match bytes[at..] {
            _ if at < past => past,
            [0xE3, 0x80, 0x82, ..] | [0xEF, 0xBC, 0x9B | 0x81 | 0x9A | 0x9F, ..] => take(at + 3, 0),
            [0xE3, 0x80, 0x80, ..] | [0xC2, 0xA0, ..] => take(at, 2),
            _ => past,
        }
    });
    for stops in [[b':', b';', b'!'], [b'?'; 3]] {
        for_each_of(bytes, stops, |at| {
            take(at + 1, 0);
        });
    }
    starts.sort_unstable();
    starts.dedup();
    starts
}

/// What a character's lead byte tells [`marker_in_heading_window`]: the character's length in
/// bytes (the low bits), and whether it may open a marker ([`WINDOW_OPENS`]: `#`, `(`, digits,
/// E2 `①`–`⑳`, EF `（`, E4 and E5 the Han numerals) or be `。` or a blank ([`WINDOW_STOP_OR_BLANK`]:
/// E3 `。` U+3000, C2 NBSP, space, tab). Most characters are neither, and are passed over on
/// this alone.
static WINDOW_LEADS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut lead = 0;
    while lead < 256 {
        table[lead] = match lead {
            0..=0x7F => 1,
            0x80..=0xDF => 2,
            0xE0..=0xEF => 3,
            _ => 4,
        };
        lead += 1;
    }
    let opens = *b"#(0123456789\xE2\xEF\xE4\xE5";
    let mut n = 0;
    while n < opens.len() {
        table[opens[n] as usize] |= WINDOW_OPENS;
        n += 1;
    }
    let stops_or_blanks = [0xE3, 0xC2, b' ', b'\t'];
    let mut n = 0;
    while n < stops_or_blanks.len() {
        table[stops_or_blanks[n] as usize] |= WINDOW_STOP_OR_BLANK;
        n += 1;
    }
    table
};
const WINDOW_OPENS: u8 = 0x10;
const WINDOW_STOP_OR_BLANK: u8 = 0x20;

/// Whether a sub-heading may be run into the heading that a marked line opens with
/// (`一、主要举措（一）…`): [`breaks_in`] takes one there only in the first 50 characters
/// (blanks not counted), before any `。`. Read a character at a time by its lead byte
/// ([`WINDOW_LEADS`]).
pub(super) fn marker_in_heading_window(piece: &str) -> bool {
    let bytes = piece.as_bytes();
    let (mut at, mut counted) = (0, 0);
    while at < bytes.len() && counted <= 50 {
        let lead = WINDOW_LEADS[usize::from(bytes[at])];
        let width = usize::from(lead & 0x0F);
        if lead & WINDOW_STOP_OR_BLANK != 0 {
            match bytes[at..] {
                [0xE3, 0x80, 0x82, ..] => return false,
                // Blanks are not counted.
                [0xE3, 0x80, 0x80, ..] | [0xC2, 0xA0, ..] | [b' ' | b'\t', ..] => {
                    at += width;
                    continue;
                }
                _ => {}
            }
        } else if lead & WINDOW_OPENS != 0
            && at > 0
            && may_open_marker_at(&bytes[at..])
            && parse_marker(&piece[at..]).is_some()
        {
            return true;
        }
        counted += 1;
        at += width;
    }
    false
}

/// Lead bytes of what may open a marker (`（` `(` `#`, digits, circled numbers, Han numerals
/// `一`–`十`), end a sentence or be blank (see [`MAY_STOP`]).
static MAY_OPEN_OR_STOP: [bool; 256] = {
    let mut table = MAY_STOP;
    let bytes = [0xE2u8, 0xE4, 0xE5, b'(', b'#'];
    let mut n = 0;
    while n < bytes.len() {
        table[bytes[n] as usize] = true;
        n += 1;
    }
    let mut digit = b'0';
    while digit <= b'9' {
        table[digit as usize] = true;
        digit += 1;
    }
    table
};

/// The byte offset of the next character at or after `from` that may open a marker, end a
/// sentence or be blank (or the end): lead bytes are found by [`MAY_OPEN_OR_STOP`], and of the
/// common lead bytes E4 and E5 only the Han numerals' sequences are taken.
fn next_may_open_or_stop(bytes: &[u8], from: usize) -> usize {
    let mut at = from;
    while let Some(skip) = bytes[at..]
        .iter()
        .position(|&b| MAY_OPEN_OR_STOP[usize::from(b)])
    {
        at += skip;
        let opens = match bytes[at] {
            0xE4 | 0xE5 => is_han_digit_at(&bytes[at..]),
            _ => true,
        };
        if opens {
            return at;
        }
        at += 1;
    }
    bytes.len()
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
/// are not headings. Offsets are relative to `piece`; `marked` tells whether it opens with a
/// marker (which `numbering` has seen).
pub(super) fn breaks_in(
    piece: &str,
    marked: bool,
    numbering: &mut Numbering,
) -> Vec<(usize, LineStart)> {
    let mut out = Vec::new();
    // Where the current line's body begins (past its marker: the `一、` of `十一、` and the `1.`
    // of `11.` open no line), whether it opened with a marker, and whether it holds a `。`.
    let mut body_start = if marked {
        parse_marker(piece).map_or(1, |m| m.len.max(1))
    } else {
        1
    };
    let mut line_marked = marked;
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
        } else if !after_stop && blank_run == 0 {
            // In a heading's first characters a sub-heading may be run in without a stop: jump
            // to the next character that may open one, end a sentence or be blank, counting the
            // characters passed (the bytes that do not continue a character).
            let to = next_may_open_or_stop(bytes, i);
            if to > i {
                chars_in_line += bytes[i..to].iter().filter(|&&b| b & 0xC0 != 0x80).count();
                prev = None;
                i = to;
                if i == bytes.len() {
                    break;
                }
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
        // Inside a heading's first characters (the one place the scan goes character by
        // character), away from a stop, a run of blanks and a report's end, only a character
        // that may open a marker can begin a line: the others are passed over here.
        let near_end = bytes.len() > 1200 && bytes.len() - i < 400;
        if !after_stop && blank_run < 2 && !near_end && !may_open(c) {
            blank_run = 0;
            chars_in_line += 1;
            sentence_in_line |= c == '。';
            prev = Some(c);
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
        let may_start = (after_run || at_sentence_end || line_marked) && i >= body_start;
        if may_start && !(may_open(c) || near_end || after_run) {
            // Only a paragraph opener can stand here.
            if at_full_stop && opens_paragraph(&piece[..i], &piece[i..]) {
                start = Some((LineStart::Sentence, None));
            }
        } else if may_start {
            let rest = &piece[i..];
            if let Some(m) = parse_marker(rest) {
                let short_heading = line_marked && chars_in_line <= 50 && !sentence_in_line;
                // After a run of blanks (a paragraph break) a marker opens a line as it does at
                // a line's start; after a sentence end only where it goes on with the numbering.
                if after_run || (at_sentence_end && numbering.continues(m)) {
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
            body_start = i + marker.map_or(1, |m| m.len.max(1));
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
