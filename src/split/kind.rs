//! Section kinds from heading words (measures, leadership, shortcomings, plans), and the
//! paragraphs that open, lead in to or close a report.

use super::*;
use aho_corasick::{AhoCorasick, MatchKind};
use std::sync::LazyLock;

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
            "目标任务",
        ],
    ),
    (
        SectionKind::Measures,
        &[
            "举措", "成效", "情况", "做法", "成绩", "措施", "工作", "开展", "推进",
        ],
    ),
];

/// The keywords of [`KIND_WORDS`] as automata: headings are matched against all of them at
/// every section and sub-section, and a `find` per keyword cost more than the rest of the split.
struct KindWords {
    /// Leadership, shortcomings and plans words, leftmost-first: the first word in a heading
    /// wins, and at one position the kind listed first (as a search word by word gave).
    named: AhoCorasick,
    /// The same words, for overlapping search ([`is_mixed`]).
    named_overlapping: AhoCorasick,
    /// The kind of each pattern of `named`.
    kinds: Vec<SectionKind>,
    /// The measures words.
    measures: AhoCorasick,
}

static KIND_AUTOMATA: LazyLock<KindWords> = LazyLock::new(|| {
    let (kinds, words): (Vec<SectionKind>, Vec<&str>) = KIND_WORDS[..3]
        .iter()
        .flat_map(|(kind, words)| words.iter().map(|w| (*kind, *w)))
        .unzip();
    let build = |kind, words: &[&str]| {
        AhoCorasick::builder()
            .match_kind(kind)
            .build(words)
            .expect("valid keywords")
    };
    KindWords {
        named: build(MatchKind::LeftmostFirst, &words),
        named_overlapping: build(MatchKind::Standard, &words),
        kinds,
        measures: build(MatchKind::LeftmostFirst, KIND_WORDS[3].1),
    }
});

/// The kind a heading names, if any; `strict` (for sub-headings) only accepts a short heading
/// that is about the kind itself (`（一）存在问题`), not a measure that mentions a problem.
pub(super) fn kind_of(heading: &str, strict: bool) -> Option<SectionKind> {
    let heading = heading.trim_end_matches(['。', '；', ';', '：', ':', ' ']);
    // The words of a document's title (`修改《关于…若干问题的解释》`) are not the heading's.
    let untitled;
    let heading = if heading.contains('《') {
        untitled = without_titles(heading);
        untitled.as_str()
    } else {
        heading
    };
    if strict && heading.chars().count() > 12 {
        return None;
    }
    let words = &*KIND_AUTOMATA;
    match words.named.find(heading) {
        Some(m) => Some(words.kinds[m.pattern().as_usize()]),
        None if !strict && words.measures.is_match(heading) => Some(SectionKind::Measures),
        None => None,
    }
}

/// `heading` without the titles of documents it quotes (`《…》`, nested `〈…〉` inside).
fn without_titles(heading: &str) -> String {
    let mut out = String::with_capacity(heading.len());
    let mut depth = 0usize;
    for c in heading.chars() {
        match c {
            '《' => depth += 1,
            '》' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// The kind a heading names outright, for headings that switch the section's kind in reports
/// beyond the township template: a year after the report's (`2025年主要任务` in a report on
/// 2024) or a plans word opens plans; `工作回顾` / `主要成效` open measures; else the kinds of
/// leadership, shortcomings and plans by their words.
pub(super) fn explicit_kind(heading: &str, report_year: Option<u16>) -> Option<SectionKind> {
    let names_later_year = report_year.is_some_and(|y| {
        heading
            .match_indices('年')
            // A date (`2021年1月1日 施行`) names a day, not a year's work.
            .filter(|&(at, _)| {
                let after = &heading[at + '年'.len_utf8()..];
                let digits =
                    after.len() - after.trim_start_matches(|c: char| c.is_ascii_digit()).len();
                !(digits > 0 && after[digits..].starts_with('月'))
            })
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
pub(super) fn switch_kind(line: &str, report_year: Option<u16>) -> Option<SectionKind> {
    (line.len() <= 30 * 4
        && line.chars().count() <= 30
        && !line.contains(['。', '，', ',', '：', ':']))
    .then(|| explicit_kind(line, report_year))
    .flatten()
}

/// Whether a heading names more than one kind (`存在问题及改进措施`), so its sub-headings decide.
pub(super) fn is_mixed(heading: &str) -> bool {
    let words = &*KIND_AUTOMATA;
    let mut kinds = words
        .named_overlapping
        .find_overlapping_iter(heading)
        .map(|m| words.kinds[m.pattern().as_usize()]);
    kinds
        .next()
        .is_some_and(|first| kinds.any(|kind| kind != first))
}

/// A paragraph that introduces what follows (`…从以下几个方面：`) rather than stating a measure.
pub(super) fn is_lead_in(text: &str) -> bool {
    let t = trim_blank_end(text);
    // Under 80 characters: a text of 320 bytes has 80 at least (4 bytes a character at most),
    // and a shorter one is counted by the bytes that begin characters.
    let short = t.len() < 320 && t.chars().count() < 80;
    t.ends_with(['：', ':']) || (short && (t.contains("如下") || t.contains("以下几个方面")))
}

/// A paragraph that reads like the report's opening (`现将…报告如下`).
pub(super) fn is_opening(text: &str) -> bool {
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
pub(super) fn is_closing(text: &str) -> bool {
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

pub(super) fn is_title_like(line: &str) -> bool {
    line.chars().count() <= 80
        && !line.contains('。')
        && (line.contains("报告") || line.ends_with(['：', ':']) || line.starts_with('#'))
}
