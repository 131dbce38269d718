//! Page chrome: the lines a web site or a converter wraps around a report (breadcrumbs,
//! 发布日期, 来源, 打印, 分享到, docx artefacts such as `[bookmark: _GoBack]`), found as spans and
//! never deleted, so that splitting can account for every character.

use crate::corpus::ByteSpan;
use crate::text::{trim_blank, trim_blank_end, trim_blank_start};
use aho_corasick::AhoCorasick;
use std::sync::LazyLock;

/// Labels that open a line of page chrome (publication data, sharing, attachments, indexing).
const CHROME_LABELS: [&str; 31] = [
    "当前位置",
    "您的位置",
    "您现在的位置",
    "所在位置",
    "发布日期",
    "发布时间",
    "发文日期",
    "成文日期",
    "来源",
    "信息来源",
    "点击数",
    "点击量",
    "点击率",
    "浏览次数",
    "阅读次数",
    "访问量",
    "打印",
    "分享到",
    "分享",
    "相关附件",
    "相关信息",
    "相关链接",
    "索引号",
    "发布机构",
    "公开方式",
    "组配分类",
    "文件编号",
    "发文字号",
    "字号",
    "关闭窗口",
    "扫一扫",
];

/// Finds page chrome: whole lines of breadcrumbs and page labels, and inline docx artefacts such
/// as `[bookmark: _GoBack]`. Returns ascending, disjoint byte spans (lines without their newline).
pub fn find_chrome(text: &str) -> Vec<ByteSpan> {
    let mut spans = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        let lead = body.len() - trim_blank_start(body).len();
        let content = trim_blank(body);
        if !content.is_empty() && is_chrome_line(content) {
            spans.push(ByteSpan::new(offset + lead, offset + lead + content.len()));
        } else {
            let head = flattened_head_chrome(body);
            let mut from = head.last().map_or(0, |s| s.end);
            spans.extend(
                head.into_iter()
                    .map(|s| ByteSpan::new(offset + s.start, offset + s.end)),
            );
            while let Some(pos) = BOOKMARK.find(&body.as_bytes()[from..]) {
                let start = from + pos;
                let Some(close) = body[start..].find(']') else {
                    break;
                };
                let end = start + close + 1;
                spans.push(ByteSpan::new(offset + start, offset + end));
                from = end;
            }
            let tail = trim_blank(&body[from..]);
            if let Some(at) = trailing_chrome(tail) {
                let start = offset + (tail.as_ptr() as usize - body.as_ptr() as usize) + at;
                spans.push(ByteSpan::new(start, start + tail.len() - at));
            }
        }
        offset += line.len();
    }
    spans
}

/// The chrome at the head of a flattened page: before its first sentence, the pieces of `line`
/// between runs of two or more U+3000/NBSP (paragraph breaks the scraping flattened) that are
/// chrome lines of their own (`您现在所在的位置：　　首页 > … > 年度报告　　2025年，…`). Spans
/// relative to `line`, ascending.
fn flattened_head_chrome(line: &str) -> Vec<ByteSpan> {
    let mut spans = Vec::new();
    let runs = crate::text::wide_blank_runs(line);
    // Only a run inside the line's content (not its indent or its end) flattened a break.
    let start = line.len() - trim_blank_start(line).len();
    let end = trim_blank_end(line).len();
    if runs.iter().all(|&(from, to)| to <= start || from >= end) {
        return spans;
    }
    let mut piece_start = 0;
    for (run_start, run_end) in runs.into_iter().chain([(line.len(), line.len())]) {
        let piece = &line[piece_start..run_start];
        let content = trim_blank(piece);
        if PERIOD.find(content.as_bytes()).is_some() {
            break;
        }
        if !content.is_empty() && is_chrome_line(content) {
            let start = piece_start + (piece.len() - trim_blank_start(piece).len());
            spans.push(ByteSpan::new(start, start + content.len()));
        }
        piece_start = run_end;
    }
    spans
}

/// Where page labels begin inside the head of a page flattened without any mark
/// (`索引号:…|发布日期:2025-02-14发布机构:…`): each label of [`CHROME_LABELS`] followed by a
/// colon or `|`, past the text's start and before its first sentence, and not inside a longer
/// label found there (来源 in 信息来源). Byte offsets into `head`, ascending.
pub fn run_in_labels(head: &str) -> Vec<usize> {
    let head = &head[..PERIOD.find(head.as_bytes()).unwrap_or(head.len())];
    let mut found: Vec<(usize, usize)> = CHROME_LABELS
        .iter()
        .flat_map(|label| {
            head.match_indices(label).filter_map(|(at, _)| {
                let rest = head[at + label.len()..].trim_start_matches([' ', '\u{3000}', '\u{a0}']);
                rest.starts_with([':', '：', '|'])
                    .then_some((at, at + label.len()))
            })
        })
        .collect();
    // Longest first at a start, so that a label inside one before it is dropped.
    found.sort_unstable_by_key(|&(start, end)| (start, std::cmp::Reverse(end)));
    let mut starts = Vec::new();
    let mut covered = 0;
    for (start, end) in found {
        if start >= covered && start > 0 {
            starts.push(start);
        }
        covered = covered.max(end);
    }
    starts
}

/// Labels of the page chrome that a flattened page runs into the end of its text (`…建设。相关
/// 附件:相关信息`, `…2025年1月20日分享到:`).
const TRAILING_CHROME_LABELS: [&str; 8] = [
    "分享到",
    "相关附件",
    "相关信息",
    "相关链接",
    "【打印】",
    "打印本页",
    "关闭窗口",
    "扫一扫",
];

/// The bytes of the shortest of [`TRAILING_CHROME_LABELS`].
const SHORTEST_TRAILING_LABEL: usize = {
    let mut shortest = usize::MAX;
    let mut i = 0;
    while i < TRAILING_CHROME_LABELS.len() {
        if TRAILING_CHROME_LABELS[i].len() < shortest {
            shortest = TRAILING_CHROME_LABELS[i].len();
        }
        i += 1;
    }
    shortest
};

/// Finds [`TRAILING_CHROME_LABELS`] in one pass over a tail (searching for each label in turn
/// built a searcher per label and line: a sixth of the chrome stage).
static TRAILING_LABELS: LazyLock<AhoCorasick> =
    LazyLock::new(|| AhoCorasick::new(TRAILING_CHROME_LABELS).expect("fixed labels build"));

/// Where page chrome begins in the tail of a line of text, after its last sentence: a chrome
/// label followed by a delimiter or nothing, and at most 80 characters of no sentence from
/// there to the end.
fn trailing_chrome(line: &str) -> Option<usize> {
    // Only the last 80 characters can hold it: look no further back than 320 bytes.
    let window = line.floor_char_boundary(line.len().saturating_sub(320));
    let last_sentence = window
        + line[window..]
            .char_indices()
            .rfind(|&(_, c)| matches!(c, '。' | '！' | '？' | '!' | '?'))
            .map_or(0, |(at, c)| at + c.len_utf8());
    let tail = line.get(last_sentence..)?;
    // Most lines end in a sentence: nothing is left to search.
    if tail.len() < SHORTEST_TRAILING_LABEL {
        return None;
    }
    // Each label's first place in the tail, all found in one pass.
    let mut first = [None; TRAILING_CHROME_LABELS.len()];
    for found in TRAILING_LABELS.find_overlapping_iter(tail) {
        first[found.pattern().as_usize()].get_or_insert(found.start());
    }
    TRAILING_CHROME_LABELS
        .iter()
        .zip(first)
        .filter_map(|(label, at)| {
            let at = at?;
            let rest = &tail[at + label.len()..];
            let delimited = rest.is_empty()
                || label.ends_with('】')
                || rest.starts_with([':', '：', ' ', '\u{a0}', '\u{3000}', '|']);
            (delimited && tail[at..].chars().count() <= 80).then_some(last_sentence + at)
        })
        .min()
}

/// Finds `[bookmark:`, a docx artefact, once per line without building a searcher each time.
static BOOKMARK: LazyLock<memchr::memmem::Finder<'static>> =
    LazyLock::new(|| memchr::memmem::Finder::new(b"[bookmark:"));

/// Finds the full stop 。 (a SIMD search; `str::contains('。')` stops at every byte 0x82, which
/// is common inside Chinese characters).
static PERIOD: LazyLock<memchr::memmem::Finder<'static>> =
    LazyLock::new(|| memchr::memmem::Finder::new("。".as_bytes()));

/// The number of breadcrumb arrows (`>`, `＞`, `»`, `›`) in `line`, counted on bytes: in UTF-8,
/// an arrow's last byte preceded by the arrow's other bytes can only be that arrow (a lead byte
/// never continues another character). Matching characters instead would decode every one.
fn count_arrows(line: &str) -> usize {
    let b = line.as_bytes();
    (0..b.len())
        .filter(|&i| match b[i] {
            b'>' => true,
            0x9E => b[..i].ends_with(&[0xEF, 0xBC]),
            0xBB => b[..i].ends_with(&[0xC2]),
            0xBA => b[..i].ends_with(&[0xE2, 0x80]),
            _ => false,
        })
        .count()
}

/// Whether a line (blanks trimmed) is page chrome: a breadcrumb, a page label, a lone 打印.
pub fn is_chrome_line(line: &str) -> bool {
    let chars = line.chars().count();
    // Most lines are sentences: the tests are ordered so that a sentence is rejected after a
    // count and one substring search, before its arrows are counted.
    let sentence = || PERIOD.find(line.as_bytes()).is_some();
    // Breadcrumbs: 首页 > 政务公开 > …, or a line that is just `首页>` or `> … > …`.
    if (line.starts_with("首页") || line.starts_with('>') || line.starts_with('＞'))
        && chars < 200
        && count_arrows(line) >= 1
    {
        return true;
    }
    let short_phrase = chars <= 160 && !sentence();
    if short_phrase && chars < 120 && count_arrows(line) >= 2 {
        return true;
    }
    if matches!(
        line,
        "打印"
            | "关闭"
            | "【打印】"
            | "【关闭】"
            | "分享到:"
            | "分享到："
            | "相关附件:"
            | "相关附件："
    ) {
        return true;
    }
    if !short_phrase {
        return false;
    }
    let line = line.trim_start_matches(['【', '[']);
    CHROME_LABELS.iter().any(|label| {
        line.strip_prefix(label).is_some_and(|rest| {
            rest.is_empty()
                || rest.starts_with([':', '：', ' ', '\u{a0}', '\u{3000}', '】', ']', '|'])
        })
    }) || line.contains("【大 中 小】")
        || line.contains("【大中小】")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chrome_run_into_the_end_of_a_flattened_page_is_found() {
        let text = "全面推进法治政府建设。相关附件:相关信息\n某镇人民政府2025年1月20日分享到:\n第五条 打印机的采购依照本办法。\n";
        let found: Vec<&str> = find_chrome(text).iter().map(|s| s.of(text)).collect();
        assert_eq!(found, ["相关附件:相关信息", "分享到:"]);
    }

    #[test]
    fn chrome_at_the_head_of_a_flattened_page_is_found() {
        // Paragraphs joined by two U+3000: the breadcrumb and the labels before the first
        // sentence are chrome; a label inside the body is not.
        let text = "您现在所在的位置 :\u{3000}\u{3000}首页 > 海丰县人民政府门户网站 > 专题专栏\u{3000}\u{3000}发布日期:2025-02-24\u{3000}\u{3000}2025年,在县委、县政府的正确领导下,平东镇持续推进法治建设。\u{3000}\u{3000}来源:本网\u{3000}\u{3000}一、主要措施";
        let found: Vec<&str> = find_chrome(text).iter().map(|s| s.of(text)).collect();
        assert_eq!(
            found,
            [
                "首页 > 海丰县人民政府门户网站 > 专题专栏",
                "发布日期:2025-02-24"
            ]
        );
        // Joined by nothing: where the labels begin, not inside a longer label.
        let head = "索 引 号:hd/2025-0012|公开目录:法治|成文日期:2025-02-14发布机构:河东区汤头街道信息来源:本网2024年,汤头街道在区委领导下。来源:本网";
        let labels: Vec<&str> = run_in_labels(head)
            .iter()
            .map(|&at| &head[at..at + 12])
            .collect();
        assert_eq!(labels, ["成文日期", "发布机构", "信息来源"]);
    }

    #[test]
    fn chrome_lines_and_docx_artefacts_are_found_not_deleted() {
        let text = "当前位置:首页 > 江湾镇\n江湾镇2023年报告\n发布日期:2024-01-24 09:55:00 来源:本网\n打印\n[bookmark: _GoBack]（一）加强组织领导。\n来源于群众的意见得到落实。\n";
        let spans = find_chrome(text);
        let found: Vec<&str> = spans.iter().map(|s| s.of(text)).collect();
        assert_eq!(
            found,
            [
                "当前位置:首页 > 江湾镇",
                "发布日期:2024-01-24 09:55:00 来源:本网",
                "打印",
                "[bookmark: _GoBack]"
            ]
        );
    }

    #[test]
    fn arrows_counted_on_bytes_are_the_arrow_characters() {
        let seed = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/data/sample/000_befa4e22df0f3e2b.txt"
        ))
        .expect("a seed report");
        let crafted = "首页 > 政务公开 ＞ 乡镇动态 » 详情 › 正文 —— “引号” 》《 ≥ ﹥";
        for line in seed.lines().chain([crafted]) {
            assert_eq!(
                count_arrows(line),
                line.matches(['>', '＞', '»', '›']).count(),
                "{line}"
            );
        }
        assert_eq!(count_arrows(crafted), 4);
        // A breadcrumb of full-width arrows without 首页 is chrome; a sentence with arrows is not.
        assert!(is_chrome_line("政务公开 ＞ 乡镇动态 ＞ 正文"));
        assert!(!is_chrome_line("政务公开 ＞ 乡镇动态 ＞ 正文。"));
    }
}
