//! Stage 1b: a report's text → who and when: the reporting unit at its own level (township,
//! county, prefecture, province or department), the township, county and province it belongs
//! to, the year reported on, the publication and signature dates, issuer and title. A
//! `--manifest` table overrides any of them.
//!
//! Place names come from the national gazetteer ([`gazetteer`]), matched as words. The unit a
//! report is about is looked for where a reader looks, in order of trust: the title line; the
//! page's 发布机构 / 来源 / 信息来源; the signature block; the body's opening and its
//! self-references (我镇, 全县, 我市); the file's name; the addressee (the level above) only
//! when nothing else names a unit. Duplicate names (many 城关镇) are resolved by the county,
//! prefecture and province the text names, and the hierarchy is the gazetteer's. Only where the
//! gazetteer knows no unit is a name guessed from its suffix (镇/乡/街道), and marked as a guess.
//! Pages in traditional characters are matched after conversion to simplified.

mod gazetteer;

use crate::corpus::{AdminLevel, ByteSpan, ReportMeta, ReportSummary, UnitSource};
use crate::error::{Error, Result};
use crate::text::trim_blank;
use gazetteer::{Found, GAZETTEER, Level};
use regex::Regex;
use rustc_hash::FxHashMap;
use std::collections::HashMap;
use std::path::Path;
use std::sync::LazyLock;

static YEAR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(20[0-4]\d|19[89]\d)\s*年").expect("valid regex"));
/// A labelled publication date: every label pages use, with `:`, `：`, brackets or spaces.
static DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:发布日期|发布时间|发文日期|成文日期|更新时间|时间|日期)[\s\]】|:：]*(\d{4})\s*[-/年.]\s*(\d{1,2})\s*[-/月.]\s*(\d{1,2})",
    )
    .expect("valid regex")
});
/// A date with a time of day, as pages stamp their publication (`2025-02-24 15:59`).
static STAMP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\d{4})-(\d{1,2})-(\d{1,2})\s+\d{1,2}:\d{2}").expect("valid regex")
});
/// The year a report's body opens with (`2022年，`, `2024年以来`).
static OPENING_YEAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\D{0,8}?(20[0-4]\d)\s*年(?:度)?(?:[,，]|以来|是|我|在)").expect("valid regex")
});
/// Parts of an opening sentence that name other units than the subject: titles of documents,
/// quotations, `在…领导下` and `根据…`.
static NOT_SUBJECT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"《[^》]*》|“[^”]*”|在[^，,。]{0,60}?(?:领导|指导|支持|监督|关心|部署|带领)[^，,。]{0,10}?下|根据[^，,。]*|按照[^，,。]*")
        .expect("valid regex")
});
static SIGN_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\d{4}|二〇[〇一二三四五六七八九]{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*$")
        .expect("valid regex")
});
/// A year a body opens on (`2020年，`, `2020年度,`, `2020年以来`, `今年以来，`), anywhere in a
/// line.
static YEAR_OPENER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"20[0-4]\d\s*年(?:度)?(?:[,，]|以来)|(?:今年|一年)以?来[,，]").expect("valid regex")
});
/// The page's label for who published it, and the name after it.
static ISSUER_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:发布机构|发文机关|发布单位|发文单位|信息来源|来源单位|来源|作者)\s*[:：]?\s*([^\s:：|，,。]{2,40})")
        .expect("valid regex")
});
/// A development zone's name, where the gazetteer knows none: a place's name (two to twelve
/// characters) and a zone's suffix ([`ZONE_SUFFIX`]).
static ZONE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\p{Han}{2,12}?(?:经济技术开发区|高新技术产业开发区|经济开发区|高新技术开发区|工业园区|产业园区|高新区|经开区|开发区|保税区)")
        .expect("valid regex")
});
/// A development zone's suffix, at the end of a name [`ZONE`] found.
static ZONE_SUFFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:经济技术开发区|高新技术产业开发区|经济开发区|高新技术开发区|工业园区|产业园区|高新区|经开区|开发区|保税区)$")
        .expect("valid regex")
});
/// A township name guessed from its suffix, where the gazetteer knows none.
static TOWNSHIP_GUESS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\p{Han}{2,4}?(街道办事处|街道|镇|乡)").expect("valid regex"));
/// A department after its place: 司法厅, 市场监管局, 卫生健康委员会.
static DEPARTMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\p{Han}{1,12}?(厅|局|委员会|委|办公室|中心|署|院|支队|大队)")
        .expect("valid regex")
});
/// A department named without its place at the start of the body: 省司法厅, 市市场监管局.
static OPENING_DEPARTMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:\d{4}\s*年(?:度|以来)?\s*[,，、]?\s*)?(省|市|州|县|区)(\p{Han}{1,12}?(?:厅|局|委员会|办公室))")
        .expect("valid regex")
});

/// Words ending in 镇/乡/街道 that are not place names (for the suffix guess).
const NOT_TOWNSHIPS: [&str; 26] = [
    "城镇",
    "乡镇",
    "村镇",
    "集镇",
    "全镇",
    "我镇",
    "本镇",
    "该镇",
    "各镇",
    "城乡",
    "家乡",
    "下乡",
    "返乡",
    "故乡",
    "各乡",
    "全乡",
    "本乡",
    "我乡",
    "各街道",
    "全街道",
    "本街道",
    "我街道",
    "该街道",
    "城市街道",
    "专业镇",
    "民族乡",
];
/// Characters that do not begin a guessed township name (they end a preceding word or unit).
const NOT_NAME_START: &str =
    "县市区省州的在我本全各该和与及对为是了等个镇乡村委府共中于从向到将把被由进大治或者年度入";
/// Words a township's name does not hold: a suffix guess holding one is a phrase that runs into
/// 镇/乡 (`将习近平法治思想纳入镇党委`, `组织镇村干部`), not a name.
const NOT_IN_NAME: [&str; 15] = [
    "纳入", "列入", "融入", "深入", "进入", "思想", "法治", "学习", "工作", "推进", "落实", "开展",
    "组织", "干部", "精神",
];
/// Times a name guessed from the whole body must occur there: once may be any phrase ending in
/// 镇 (`审查后报镇党委会`); a report that never names itself but once or twice in passing
/// (`我镇…在下太镇落地生根…列入下太镇委党校`) repeats its name.
const BODY_GUESS_REPEATS: usize = 2;
/// What follows a unit's name in a title or signature when the unit is a department's or the
/// government's own body rather than a department (人民政府 is the government itself).
const GOVERNMENT_BODIES: [&str; 8] = [
    "人民政府",
    "政府",
    "党委",
    "党工委",
    "委员会",
    "工作委员会",
    "街道办事处",
    "办事处",
];
/// Self-references in a report's body and the level they point to.
const SELF_REFERENCES: [(&str, AdminLevel); 18] = [
    ("我镇", AdminLevel::Township),
    ("全镇", AdminLevel::Township),
    ("本镇", AdminLevel::Township),
    ("我乡", AdminLevel::Township),
    ("全乡", AdminLevel::Township),
    ("我街道", AdminLevel::Township),
    ("全街道", AdminLevel::Township),
    ("我街", AdminLevel::Township),
    ("我县", AdminLevel::County),
    ("全县", AdminLevel::County),
    ("本县", AdminLevel::County),
    ("我区", AdminLevel::County),
    ("全区", AdminLevel::County),
    ("我市", AdminLevel::Prefecture),
    ("全市", AdminLevel::Prefecture),
    ("我州", AdminLevel::Prefecture),
    ("全省", AdminLevel::Province),
    ("我省", AdminLevel::Province),
];
/// Characters found in traditional but not in simplified text: a page with a few of them is
/// converted before its names are matched.
const TRADITIONAL_ONLY: &str = "縣鎮鄉區國會說為與們這個時來對學發經關裡後點體開長問機構設員門當議實現務處報導領黨習從應將進業產據組織為對內專書";

/// How much of a report is searched for who and when: its head and its last lines (a long
/// report names itself in its title and opening, and signs at its end).
const HEAD_BYTES: usize = 2560;
const TAIL_LINES: usize = 6;
const TAIL_LINE_BYTES: usize = 400;

/// Finds the metadata of a report from its text; `chrome` holds the page-chrome spans and
/// `file_stem` is the file's name without its extension.
pub fn find_meta(text: &str, chrome: &[ByteSpan], file_stem: &str) -> ReportMeta {
    let view = View::of(text, chrome);
    let title = find_title(&view.content);
    let published = find_published(&view.all);
    let document_date = view.tail.iter().rev().find_map(|l| signed_date(l));
    let opening = view.opening();
    let year = find_year(
        text,
        chrome,
        title.as_deref(),
        opening.as_deref(),
        published.as_deref(),
    );
    let mut meta = ReportMeta {
        year,
        published,
        document_date,
        issuer: find_issuer(&view.tail),
        title: title.clone(),
        ..ReportMeta::default()
    };
    meta.stand_in = Some(
        meta.title
            .clone()
            .map(|t| prefix_within(&t, 60).to_string())
            .unwrap_or_else(|| file_stem.to_string()),
    );
    let context = Context::of(&view);
    let zones: [(UnitSource, Vec<String>); 3] = [
        (UnitSource::Title, title.into_iter().collect()),
        (UnitSource::Issuer, issuer_labels(&view.all)),
        (UnitSource::Signature, signature_lines(&view.tail)),
    ];
    let file = [file_stem.to_string()];
    let addressee = || {
        view.content
            .iter()
            .take(4)
            .find(|l| is_addressee(l))
            .cloned()
    };
    // Each zone in order of trust: the gazetteer's units first, then a guess from a suffix.
    let found = zones
        .iter()
        .find_map(|(source, lines)| Some((unit_or_guess(lines, &context)?, *source)))
        .or_else(|| unit_in_body(&view, &context).map(|u| (u, UnitSource::Body)))
        .or_else(|| Some((unit_or_guess(&file, &context)?, UnitSource::File)))
        .or_else(|| {
            let line = [addressee()?];
            Some((
                Unit::Found(unit_in_lines(&line, &context)?),
                UnitSource::Addressee,
            ))
        });
    if let Some((unit, source)) = found {
        meta.unit_source = Some(source);
        match unit {
            Unit::Found(unit) => unit.fill(&mut meta),
            Unit::Zone(zone) => zone.fill(&mut meta, &context),
            Unit::Guessed(name) => {
                meta.township = Some(name.clone());
                meta.unit = Some(name);
                meta.level = Some(AdminLevel::Township);
                meta.unit_guessed = true;
                if let Some(place) = context
                    .most_mentioned(Level::County)
                    .or_else(|| context.most_mentioned(Level::Prefecture))
                    .or_else(|| context.most_mentioned(Level::Province))
                {
                    let township = meta.township.take();
                    fill_lineage(&mut meta, place);
                    meta.township = township;
                }
            }
        }
    }
    meta
}

/// The part of a report searched for metadata, in simplified characters.
struct View {
    /// The head's lines that are not whole-line chrome, trimmed.
    content: Vec<String>,
    /// Every line of the head, chrome included (the page's labels live there).
    all: Vec<String>,
    /// The last non-blank lines (for a flattened report, the end of its one line).
    tail: Vec<String>,
}

impl View {
    fn of(text: &str, chrome: &[ByteSpan]) -> View {
        let mut content = Vec::new();
        let mut all = Vec::new();
        let mut head_left = HEAD_BYTES;
        let head_end = Self::head_end(text);
        let mut run_in = crate::chrome::run_in_labels(&text[..head_end]);
        run_in.extend(opening_years(&text[..head_end]));
        run_in.extend(title_ends(&text[..head_end]));
        run_in.extend(
            crate::text::wide_blank_runs(&text[..head_end])
                .into_iter()
                .map(|(_, end)| end),
        );
        for (at, line) in Self::lines(text, chrome, 0, head_end, &run_in) {
            let t = trim_blank(line);
            if t.is_empty() {
                continue;
            }
            let lead = line.len() - line.trim_start_matches(crate::text::is_blank).len();
            // A piece of a line cut above may be a chrome line of its own (a flattened
            // breadcrumb): the test find_chrome makes of whole lines.
            let whole_chrome = crate::chrome::is_chrome_line(t)
                || chrome
                    .iter()
                    .any(|s| s.start <= at + lead && at + lead + t.len() <= s.end);
            let cut = prefix_within(t, head_left);
            head_left -= cut.len();
            if !whole_chrome {
                content.push(cut.to_string());
            }
            all.push(cut.to_string());
            if head_left == 0 {
                break;
            }
        }
        let tail_lines = Self::lines(text, chrome, Self::tail_start(text), text.len(), &[]);
        let mut tail: Vec<String> = tail_lines
            .iter()
            .rev()
            .map(|(_, l)| trim_blank(l))
            .filter(|l| !l.is_empty())
            .take(TAIL_LINES)
            .map(|l| suffix_within(l, TAIL_LINE_BYTES).to_string())
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        // A flattened report signs at the end of its one line: what follows its last sentence.
        if let Some(last) = tail.last()
            && let Some((_, after)) = last.rsplit_once('。')
            && after.chars().count() <= 80
            && (signed_date(after).is_some()
                || SIGNATURE_ENDINGS
                    .iter()
                    .any(|e| trim_blank(after).ends_with(e)))
        {
            let after = trim_blank(after).to_string();
            tail.push(after);
        }
        let mut view = View { content, all, tail };
        if view.looks_traditional() {
            let convert = |lines: &mut Vec<String>| {
                lines.iter_mut().for_each(|l| *l = to_simplified(l));
            };
            convert(&mut view.content);
            convert(&mut view.all);
            convert(&mut view.tail);
        }
        view
    }

    /// Where the head ends: at the end of the line where [`HEAD_BYTES`] of content are reached,
    /// and within `4 × HEAD_BYTES` (a flattened report is one long line).
    fn head_end(text: &str) -> usize {
        let mut left = HEAD_BYTES;
        let mut end = 0;
        for line in text.split_inclusive('\n') {
            end += line.len();
            left = left.saturating_sub(trim_blank(line).len());
            if left == 0 {
                break;
            }
        }
        text.floor_char_boundary(end.min(4 * HEAD_BYTES))
    }

    /// Where the tail's text begins: at the [`TAIL_LINES`]th non-blank line from the end, and
    /// within `2 × TAIL_LINES × TAIL_LINE_BYTES` of the end.
    fn tail_start(text: &str) -> usize {
        let mut start = text.len();
        let mut lines = 0;
        while start > 0 && lines < TAIL_LINES {
            // The line that ends at `start`, its `\n` left out.
            let end = start - usize::from(text[..start].ends_with('\n'));
            let begin = text[..end].rfind('\n').map_or(0, |i| i + 1);
            lines += usize::from(!trim_blank(&text[begin..end]).is_empty());
            start = begin;
        }
        let window = text.len().saturating_sub(2 * TAIL_LINES * TAIL_LINE_BYTES);
        text.ceil_char_boundary(start.max(window))
    }

    /// The lines of `text[from..to]` with their offsets: its own lines, cut again where the
    /// splitter breaks one ([`crate::split::recovered_breaks`]) and around
    /// chrome inside one, and at `more_cuts` (offsets into `text`), so that a flattened report's
    /// title, labels, opening and signature stand on lines of their own.
    fn lines<'t>(
        text: &'t str,
        chrome: &[ByteSpan],
        from: usize,
        to: usize,
        more_cuts: &[usize],
    ) -> Vec<(usize, &'t str)> {
        let part = &text[from..to];
        let within: Vec<ByteSpan> = chrome
            .iter()
            .filter(|s| s.end > from && s.start < to)
            .map(|s| ByteSpan::new(s.start.max(from) - from, s.end.min(to) - from))
            .collect();
        let mut cuts = crate::split::recovered_breaks(part, &within);
        cuts.extend(within.iter().flat_map(|s| [s.start, s.end]));
        cuts.extend(more_cuts.iter().map(|&c| c - from));
        cuts.sort_unstable();
        let mut cuts = cuts.into_iter().peekable();
        let mut lines = Vec::new();
        let mut offset = 0;
        for line in part.split_inclusive('\n') {
            let end = offset + line.len();
            let mut start = offset;
            while let Some(cut) = cuts.next_if(|&c| c < end) {
                if cut > start {
                    lines.push((from + start, &part[start..cut]));
                    start = cut;
                }
            }
            lines.push((from + start, &part[start..end]));
            offset = end;
        }
        lines
    }

    /// The body's first sentence-bearing line.
    fn opening(&self) -> Option<String> {
        self.content
            .iter()
            .find(|l| l.contains(['，', ',', '。']))
            .cloned()
    }

    /// Whether the head holds several characters only traditional text uses.
    fn looks_traditional(&self) -> bool {
        static SORTED: LazyLock<Vec<char>> = LazyLock::new(|| {
            let mut chars: Vec<char> = TRADITIONAL_ONLY.chars().collect();
            chars.sort_unstable();
            chars
        });
        let n = self
            .all
            .iter()
            .flat_map(|l| l.chars())
            .filter(|c| *c >= '\u{4e00}' && SORTED.binary_search(c).is_ok())
            .take(3)
            .count();
        n >= 3
    }
}

/// Where a body opens on its year inside the head of a report flattened without any mark
/// (`…情况报告2020年，罗店镇在…`): `2020年，`, `2020年度，`, `2020年以来`, `今年以来，` after a
/// character that is not a digit, before the first sentence. Byte offsets, ascending.
fn opening_years(head: &str) -> Vec<usize> {
    let head = &head[..head.find('。').unwrap_or(head.len())];
    YEAR_OPENER
        .find_iter(head)
        .map(|m| m.start())
        .filter(|&at| at > 0 && !head[..at].ends_with(|c: char| c.is_ascii_digit()))
        .collect()
}

/// Where a title ends inside a line too long to be one, as a report flattened without any
/// mark leaves it (`…年报重庆市梁平区聚奎镇人民政府关于2021年度法治政府建设情况的报告日期:…`):
/// after 报告 or 总结 followed by a Han character or a digit, before the line's first sentence.
/// Byte offsets into `head`, ascending.
fn title_ends(head: &str) -> Vec<usize> {
    let mut ends = Vec::new();
    let mut offset = 0;
    for line in head.split_inclusive('\n') {
        let before_sentence = &line[..line.find('。').unwrap_or(line.len())];
        if line.chars().count() > 90 {
            for word in ["报告", "总结"] {
                ends.extend(
                    before_sentence
                        .match_indices(word)
                        .map(|(at, _)| at + word.len())
                        .filter(|&end| {
                            before_sentence[end..]
                                .chars()
                                .next()
                                .is_some_and(|c| crate::text::is_han(c) || c.is_ascii_digit())
                        })
                        .map(|end| offset + end),
                );
            }
        }
        offset += line.len();
    }
    ends
}

/// Simplified characters for traditional ones (OpenCC's T2S dictionaries).
fn to_simplified(text: &str) -> String {
    static CONVERTER: LazyLock<Option<ferrous_opencc::OpenCC>> = LazyLock::new(|| {
        ferrous_opencc::OpenCC::from_config(ferrous_opencc::config::BuiltinConfig::T2s).ok()
    });
    match &*CONVERTER {
        Some(cc) => cc.convert(text),
        None => text.to_string(),
    }
}

/// The longest prefix of `s` of at most `max` bytes ending on a character boundary.
fn prefix_within(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// The longest suffix of `s` of at most `max` bytes starting on a character boundary.
fn suffix_within(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut start = s.len() - max;
    while !s.is_char_boundary(start) {
        start += 1;
    }
    &s[start..]
}

/// Mentions of gazetteer units over the searched part of a report, to resolve duplicate names
/// and to place a unit whose parents the gazetteer gives.
struct Context {
    /// Weighted mentions per unit (a name of several units counts for each).
    mentions: FxHashMap<u32, u32>,
    /// The searched lines, joined.
    text: String,
}

impl Context {
    fn of(view: &View) -> Context {
        let mut mentions: FxHashMap<u32, u32> = FxHashMap::default();
        let mut text = String::new();
        for line in view.all.iter().chain(&view.tail) {
            text.push_str(line);
            text.push('\n');
            for f in GAZETTEER.find(line) {
                for &(unit, _) in &f.units {
                    *mentions.entry(unit).or_default() += 1;
                }
            }
        }
        Context { mentions, text }
    }

    /// How much the text supports unit `i` being where the gazetteer puts it: mentions of its
    /// parents, the nearer counting more.
    fn support(&self, i: u32) -> u32 {
        GAZETTEER
            .lineage(i)
            .skip(1)
            .zip([4, 2, 1])
            .map(|(j, w)| w * self.mentions.get(&j).copied().unwrap_or(0))
            .sum()
    }

    /// Of the units a name stands for, the one the text supports best; with no support at all,
    /// the first unit of that name only if it is the name's only unit.
    fn resolve(&self, units: &[(u32, gazetteer::Form)], level: Level) -> Option<u32> {
        let at_level: Vec<u32> = units
            .iter()
            .map(|&(i, _)| i)
            .filter(|&i| GAZETTEER.division(i).level == level)
            .collect();
        let best = at_level
            .iter()
            .copied()
            .max_by_key(|&i| (self.support(i), std::cmp::Reverse(i)))?;
        let ambiguous = at_level.len() > 1 && self.support(best) == 0;
        Some(best).filter(|_| !ambiguous).or_else(|| {
            // Unplaced: keep the name, with the parents all its units share.
            at_level.first().copied()
        })
    }

    /// The most mentioned unit at `level`, if any is mentioned.
    fn most_mentioned(&self, level: Level) -> Option<u32> {
        self.mentions
            .iter()
            .filter(|&(&i, _)| GAZETTEER.division(i).level == level)
            .max_by_key(|&(&i, &n)| (n, std::cmp::Reverse(i)))
            .map(|(&i, _)| i)
    }

    /// Whether the name's units are several and nothing in the text tells them apart.
    fn is_ambiguous(&self, units: &[(u32, gazetteer::Form)], level: Level) -> bool {
        let at_level: Vec<u32> = units
            .iter()
            .map(|&(i, _)| i)
            .filter(|&i| GAZETTEER.division(i).level == level)
            .collect();
        at_level.len() > 1 && at_level.iter().all(|&i| self.support(i) == 0)
    }
}

/// A reporting unit: found in the gazetteer, or guessed from a suffix: a township's name, or a
/// development zone's.
enum Unit {
    Found(FoundUnit),
    Guessed(String),
    Zone(GuessedZone),
}

/// The unit `lines` name, from the gazetteer or else guessed.
fn unit_or_guess(lines: &[String], context: &Context) -> Option<Unit> {
    unit_in_lines(lines, context)
        .map(Unit::Found)
        .or_else(|| guess_township(lines, &context.text, 1).map(Unit::Guessed))
        .or_else(|| guess_zone(lines, context).map(Unit::Zone))
}

/// A development zone the gazetteer does not list (长沙经济技术开发区, 合肥高新区), or a
/// department of one (合肥高新区市场监管局), guessed from the zone's suffix.
struct GuessedZone {
    /// The zone's name as written.
    name: String,
    /// The department's own name after the zone's, for a department.
    department: Option<String>,
    /// The prefecture or province the zone's name opens with (长沙 → 长沙市).
    place: Option<u32>,
}

impl GuessedZone {
    /// Writes the zone as the unit, at county level (a department of it at department level),
    /// with the parents its name or the text gives.
    fn fill(self, meta: &mut ReportMeta, context: &Context) {
        if let Some(place) = self.place.or_else(|| {
            context
                .most_mentioned(Level::Prefecture)
                .or_else(|| context.most_mentioned(Level::Province))
        }) {
            fill_lineage(meta, place);
        }
        meta.township = None;
        meta.county = Some(self.name.clone());
        meta.level = Some(match self.department {
            Some(_) => AdminLevel::Department,
            None => AdminLevel::County,
        });
        meta.unit = Some(self.name + self.department.as_deref().unwrap_or(""));
        meta.unit_guessed = true;
    }
}

/// The development zone the first of `lines` that names one names, with the department after
/// it, if any (its management committee is the zone itself).
fn guess_zone(lines: &[String], context: &Context) -> Option<GuessedZone> {
    lines.iter().find_map(|line| {
        let m = ZONE.find(line)?;
        let suffix = ZONE_SUFFIX.find(m.as_str())?.len();
        let prefix = &line[m.start()..m.end() - suffix];
        // The name begins at the first place its prefix names (`关于长沙经济技术开发区`), else
        // past what does not begin a name.
        let found = GAZETTEER.find(prefix);
        let start = m.start()
            + found.first().map_or_else(
                || {
                    let p = prefix.strip_prefix("关于").unwrap_or(prefix);
                    prefix.len() - p.trim_start_matches(|c| NOT_NAME_START.contains(c)).len()
                },
                |f| f.start,
            );
        let name = &line[start..m.end()];
        if name.chars().count() < 4 {
            return None;
        }
        let rest = &line[m.end()..];
        let own_body = ["管理委员会", "管委会", "党工委", "工委"]
            .iter()
            .any(|b| rest.starts_with(b));
        let department = (!own_body).then(|| department_after(rest)).flatten();
        // The last place of the prefix is the nearest (湖南长沙 → 长沙市).
        let place = found.into_iter().rev().find_map(|f| {
            let level = top_level(&f)?;
            matches!(level, Level::Prefecture | Level::Province)
                .then(|| context.resolve(&f.units, level))
                .flatten()
        });
        Some(GuessedZone {
            name: name.to_string(),
            department,
            place,
        })
    })
}

/// A reporting unit found: a gazetteer unit, or a department of one.
struct FoundUnit {
    /// The gazetteer unit (the department's place for a department).
    division: u32,
    /// Whether the name's units could not be told apart (the parents are then left out).
    unplaced: bool,
    /// The department's own name after its place (`司法厅`), for a department.
    department: Option<String>,
}

impl FoundUnit {
    /// Writes the unit, its level and its parents into `meta`.
    fn fill(self, meta: &mut ReportMeta) {
        let d = GAZETTEER.division(self.division);
        let name = d.name.to_string();
        if let Some(department) = self.department {
            meta.unit = Some(format!("{name}{department}"));
            meta.level = Some(AdminLevel::Department);
        } else {
            meta.unit = Some(name.clone());
            meta.level = Some(match d.level {
                Level::Township => AdminLevel::Township,
                Level::County => AdminLevel::County,
                Level::Prefecture => AdminLevel::Prefecture,
                Level::Province => AdminLevel::Province,
            });
        }
        if self.unplaced {
            if d.level == Level::Township && meta.level == Some(AdminLevel::Township) {
                meta.township = Some(name);
            }
            return;
        }
        fill_lineage(meta, self.division);
        if meta.level == Some(AdminLevel::Department) {
            meta.township = None;
        }
    }
}

/// Sets the township, county and province of `meta` from unit `i` and its parents.
fn fill_lineage(meta: &mut ReportMeta, i: u32) {
    let name = |l: Level| {
        GAZETTEER
            .ancestor_at(i, l)
            .map(|j| GAZETTEER.division(j).name.to_string())
    };
    meta.township = name(Level::Township);
    meta.county = name(Level::County);
    meta.province = name(Level::Province);
}

/// The rank of a level for "the most specific unit named".
fn specificity(level: Level) -> u8 {
    match level {
        Level::Township => 3,
        Level::County => 2,
        Level::Prefecture => 1,
        Level::Province => 0,
    }
}

/// The unit a title, label or signature names: its most specific place, or a department
/// after its place (`湖北省司法厅`).
fn unit_in_lines(lines: &[String], context: &Context) -> Option<FoundUnit> {
    lines.iter().find_map(|line| {
        let found = GAZETTEER.find(line);
        let best = found
            .iter()
            .filter_map(|f| Some((f, top_level(f)?)))
            .max_by_key(|&(f, level)| (specificity(level), std::cmp::Reverse(f.start)))?;
        let (f, level) = best;
        let division = context.resolve(&f.units, level)?;
        let department = (level != Level::Township)
            .then(|| department_after(&line[f.end..]))
            .flatten();
        Some(FoundUnit {
            division,
            unplaced: context.is_ambiguous(&f.units, level),
            department,
        })
    })
}

/// The most specific level a found name stands for.
fn top_level(f: &Found) -> Option<Level> {
    f.units
        .iter()
        .map(|&(i, _)| GAZETTEER.division(i).level)
        .max_by_key(|&l| specificity(l))
}

/// A department's name right after a place name (`司法厅2023年…`), not the government itself.
fn department_after(rest: &str) -> Option<String> {
    if GOVERNMENT_BODIES.iter().any(|b| rest.starts_with(b)) {
        return None;
    }
    let m = DEPARTMENT.find(rest)?;
    let name = m.as_str();
    let tail = &rest[m.end()..];
    // 委 alone ends a department only as its last character (发展改革委), not inside 委员会 text.
    if name.ends_with('委') && tail.starts_with('员') {
        return None;
    }
    Some(name.to_string())
}

/// The unit a report's body is about: the subject of its opening sentence (`2023年，荆州市认真
/// 贯彻…`, past `在区委、区政府的领导下`), else the level its self-references point to (现将我镇,
/// 全县) and at that level the unit it names most.
fn unit_in_body(view: &View, context: &Context) -> Option<Unit> {
    let body: String = view.content.join("\n");
    let opening = first_sentence_start(&body);
    // The first two sentences: a report may open on the year (`2021年是“十四五”开局之年。`).
    let sentence: String = body[opening..]
        .split_inclusive(['。', '\n'])
        .take(2)
        .collect();
    if let Some(unit) = department_in_opening(&sentence, context) {
        return Some(Unit::Found(unit));
    }
    let subject = NOT_SUBJECT.replace_all(&sentence, "，");
    // A subject that is a self-reference (我镇政府以…) names no unit here.
    let self_at = SELF_REFERENCES
        .iter()
        .filter_map(|(w, _)| subject.find(w))
        .min()
        .unwrap_or(usize::MAX);
    let named = |text: &str, wanted: &dyn Fn(Level) -> bool| {
        GAZETTEER
            .find(text)
            .into_iter()
            .filter_map(|f| Some((top_level(&f)?, f)))
            .filter(|(level, _)| wanted(*level))
            .collect::<Vec<_>>()
    };
    if let Some((level, f)) = named(&subject, &|_| true).into_iter().next()
        && f.start < self_at
    {
        return Some(Unit::Found(FoundUnit {
            division: context.resolve(&f.units, level)?,
            unplaced: context.is_ambiguous(&f.units, level),
            department: None,
        }));
    }
    if let Some(name) = guess_township(
        &[subject[..self_at.min(subject.len())].to_string()],
        &context.text,
        1,
    ) {
        return Some(Unit::Guessed(name));
    }
    let hint = self_reference_level(&body)?;
    let wanted = |level: Level| match hint {
        AdminLevel::Township => level == Level::Township,
        AdminLevel::County => level == Level::County,
        AdminLevel::Prefecture => matches!(level, Level::Prefecture | Level::County),
        AdminLevel::Province | AdminLevel::Department => level == Level::Province,
    };
    let mut counts: Vec<(String, usize, Level, Found)> = Vec::new();
    for (level, f) in named(&body, &wanted) {
        let name = &body[f.start..f.end];
        match counts.iter_mut().find(|c| c.0 == name) {
            Some(c) => c.1 += 1,
            None => counts.push((name.to_string(), 1, level, f)),
        }
    }
    // A township's report that names no township the gazetteer knows: the name it repeats.
    if counts.is_empty() && hint == AdminLevel::Township {
        return guess_township(&view.content, &body, BODY_GUESS_REPEATS).map(Unit::Guessed);
    }
    let (_, _, level, f) = counts
        .into_iter()
        .enumerate()
        .max_by_key(|(i, c)| (c.1, std::cmp::Reverse(*i)))
        .map(|(_, c)| c)?;
    Some(Unit::Found(FoundUnit {
        division: context.resolve(&f.units, level)?,
        unplaced: context.is_ambiguous(&f.units, level),
        department: None,
    }))
}

/// The level a report's body refers to itself at: `现将我镇…报告如下` counts most, then 我镇,
/// 全县, 我市 and the like.
fn self_reference_level(body: &str) -> Option<AdminLevel> {
    let mut counts: FxHashMap<AdminLevel, usize> = FxHashMap::default();
    for &(word, level) in &SELF_REFERENCES {
        let n = memchr::memmem::find_iter(body.as_bytes(), word).count();
        *counts.entry(level).or_default() += n;
    }
    for (at, _) in body.match_indices("现将") {
        let rest = &body[at + "现将".len()..];
        let rest = rest.strip_prefix(['我', '本']).unwrap_or(rest);
        let level = match rest.chars().next() {
            Some('镇' | '乡') => AdminLevel::Township,
            _ if rest.starts_with("街道") => AdminLevel::Township,
            Some('县' | '区') => AdminLevel::County,
            Some('市' | '州') => AdminLevel::Prefecture,
            Some('省') => AdminLevel::Province,
            _ => continue,
        };
        *counts.entry(level).or_default() += 10;
    }
    counts
        .into_iter()
        .filter(|&(_, n)| n > 0)
        .max_by_key(|&(l, n)| (n, std::cmp::Reverse(l)))
        .map(|(l, _)| l)
}

/// Where the body's first sentence begins: past leading lines that are not sentences (a title,
/// a heading, a file name).
fn first_sentence_start(body: &str) -> usize {
    let mut at = 0;
    for line in body.split_inclusive('\n') {
        if line.contains(['，', ',', '。']) {
            break;
        }
        at += line.len();
    }
    if at >= body.len() { 0 } else { at }
}

/// A department that opens the body without its place (`2023年，省司法厅坚持…`), placed by the
/// unit of that level the text names most.
fn department_in_opening(opening: &str, context: &Context) -> Option<FoundUnit> {
    let c = OPENING_DEPARTMENT.captures(opening)?;
    let level = match &c[1] {
        "省" => Level::Province,
        "市" | "州" => Level::Prefecture,
        _ => Level::County,
    };
    let name = c[2].to_string();
    if GOVERNMENT_BODIES.iter().any(|b| name.starts_with(b)) {
        return None;
    }
    let place = context
        .mentions
        .iter()
        .filter(|&(&i, _)| GAZETTEER.division(i).level == level)
        .max_by_key(|&(&i, &n)| (n, std::cmp::Reverse(i)))
        .map(|(&i, _)| i)?;
    let prefix = &c[1];
    let place_name = &GAZETTEER.division(place).name;
    // 市市场监管局 of 绍兴市 is 绍兴市市场监管局; 省司法厅 of 湖北省 is 湖北省司法厅.
    let department = if place_name.ends_with(prefix) {
        name
    } else {
        format!("{prefix}{name}")
    };
    Some(FoundUnit {
        division: place,
        unplaced: false,
        department: Some(department),
    })
}

/// Whether a line is an addressee (`中共XX县委、XX县人民政府：`).
fn is_addressee(line: &str) -> bool {
    line.chars().count() <= 40
        && line.ends_with([':', '：'])
        && ["委", "政府", "办", "院", "局"]
            .iter()
            .any(|w| line.contains(w))
}

/// The title: among the head's first lines, one about a report, short, not a sentence.
fn find_title(lines: &[String]) -> Option<String> {
    lines
        .iter()
        .take(12)
        .find(|l| {
            ["报告", "总结", "情况"].iter().any(|w| l.contains(w))
                && l.chars().count() <= 90
                && !l.contains('。')
                && !l.ends_with(['：', ':'])
        })
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// The page's labelled publication date, `YYYY-MM-DD`, else a date stamped with a time of day
/// in the page's head.
fn find_published(lines: &[String]) -> Option<String> {
    let head = || lines.iter().take(40);
    head()
        .find_map(|l| {
            let c = DATE.captures(l)?;
            date(&c[1], &c[2], &c[3])
        })
        .or_else(|| {
            head().find_map(|l| {
                let c = STAMP.captures(l)?;
                date(&c[1], &c[2], &c[3])
            })
        })
}

/// A date from its parts, if they make one.
fn date(year: &str, month: &str, day: &str) -> Option<String> {
    let (m, d): (u8, u8) = (month.parse().ok()?, day.parse().ok()?);
    ((1..=12).contains(&m) && (1..=31).contains(&d)).then(|| format!("{year}-{m:02}-{d:02}"))
}

/// The date a line ends with when it is a signature date (`2020年4月13日`, `二〇二四年…`).
fn signed_date(line: &str) -> Option<String> {
    let c = SIGN_DATE.captures(line)?;
    let year = if c[1].starts_with('二') {
        c[1].chars()
            .map(|ch| match ch {
                '〇' => '0',
                '一' => '1',
                '二' => '2',
                '三' => '3',
                '四' => '4',
                '五' => '5',
                '六' => '6',
                '七' => '7',
                '八' => '8',
                '九' => '9',
                _ => ch,
            })
            .collect()
    } else {
        c[1].to_string()
    };
    date(&year, &c[2], &c[3])
}

/// The names the page gives after its publisher labels (发布机构 湖北省司法厅).
fn issuer_labels(lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .take(40)
        .flat_map(|l| ISSUER_LABEL.captures_iter(l).map(|c| c[1].to_string()))
        .collect()
}

/// The signature block: the last short lines without sentence punctuation, last first.
fn signature_lines(tail: &[String]) -> Vec<String> {
    tail.iter()
        .rev()
        .take(4)
        .filter(|l| l.chars().count() <= 40 && !l.contains(['。', '，', ',']))
        .cloned()
        .collect()
}

/// A township name guessed from its suffix in the first of `lines` that has one. Of the
/// names a match may begin with (`以来洪山镇`, `来洪山镇`, `洪山镇`), the one the lines repeat
/// most, the longest on a tie (`银杏大街街道` over 大街街道), of those `all` (the searched text)
/// holds at least `repeats` times.
fn guess_township(lines: &[String], all: &str, repeats: usize) -> Option<String> {
    lines.iter().find_map(|line| {
        TOWNSHIP_GUESS.find_iter(line).find_map(|m| {
            let s = m.as_str();
            if s.ends_with('乡') && line[m.end()..].starts_with(['村', '镇', '土', '亲', '情'])
            {
                return None;
            }
            s.char_indices()
                .filter_map(|(i, c)| {
                    let stem = s[i..].trim_end_matches("办事处");
                    let n = stem
                        .chars()
                        .count()
                        .saturating_sub(if stem.ends_with("街道") { 2 } else { 1 });
                    ((2..=4).contains(&n)
                        && !NOT_NAME_START.contains(c)
                        && !NOT_TOWNSHIPS.iter().any(|w| stem.ends_with(w))
                        && !NOT_IN_NAME.iter().any(|w| stem.contains(w)))
                    .then_some(stem)
                })
                .map(|stem| (all.matches(stem).count(), stem))
                .filter(|&(times, _)| times >= repeats)
                .max_by_key(|&(times, stem)| (times, stem.len()))
                .map(|(_, stem)| stem.to_string())
        })
    })
}

/// The year reported on: the title's, else the year the body opens with, else the year the
/// body names most (outside chrome), bounded by the publication date.
fn find_year(
    text: &str,
    chrome: &[ByteSpan],
    title: Option<&str>,
    opening: Option<&str>,
    published: Option<&str>,
) -> Option<u16> {
    let max_year: Option<u16> = published.and_then(|p| p.get(..4)?.parse().ok());
    let ok = |y: u16| max_year.is_none_or(|m| y <= m);
    if let Some(y) = title
        .and_then(|t| YEAR.captures(t))
        .and_then(|c| c[1].parse().ok())
        .filter(|y| ok(*y))
    {
        return Some(y);
    }
    // The year the body opens with: `2022年，清河县人民政府坚持…`.
    if let Some(y) = opening
        .and_then(|o| OPENING_YEAR.captures(o))
        .and_then(|c| c[1].parse().ok())
        .filter(|y| ok(*y))
    {
        return Some(y);
    }
    // The year most mentioned in the body (outside chrome), the earlier on a tie: a report on 2019
    // mentions 2019 throughout and 2020 only in its plans.
    let mut counts: HashMap<u16, usize> = HashMap::new();
    for m in YEAR.captures_iter(text) {
        let at = m.get(0).expect("group 0").start();
        if chrome.iter().any(|s| s.start <= at && at < s.end) {
            continue;
        }
        if let Ok(y) = m[1].parse::<u16>()
            && ok(y)
        {
            *counts.entry(y).or_default() += 1;
        }
    }
    counts
        .into_iter()
        .max_by_key(|&(y, n)| (n, std::cmp::Reverse(y)))
        .map(|(y, _)| y)
}

/// How the name of an issuing body ends, in a report's signature block.
pub(crate) const SIGNATURE_ENDINGS: [&str; 9] = [
    "人民政府",
    "委员会",
    "办事处",
    "办公室",
    "党委",
    "政府",
    "镇",
    "乡",
    "街道",
];

fn find_issuer(tail: &[String]) -> Option<String> {
    tail.iter()
        .rev()
        .take(4)
        .filter(|l| signed_date(l).is_none())
        .find(|l| {
            l.chars().count() <= 60
                && !l.contains(['。', '，', ','])
                && SIGNATURE_ENDINGS.iter().any(|b| l.ends_with(b))
        })
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// One manifest cell: keep what was detected (empty), clear it (`-`), or set it.
#[derive(Debug, Clone, PartialEq)]
enum Cell<T> {
    Keep,
    Clear,
    Set(T),
}

impl<T: Clone> Cell<T> {
    fn apply(&self, slot: &mut Option<T>) {
        match self {
            Cell::Keep => {}
            Cell::Clear => *slot = None,
            Cell::Set(v) => *slot = Some(v.clone()),
        }
    }
}

/// The overrides of one manifest row.
#[derive(Debug, Clone)]
struct ManifestRow {
    unit: Cell<String>,
    township: Cell<String>,
    county: Cell<String>,
    province: Cell<String>,
    year: Cell<u16>,
}

/// Per-file metadata given by the analyst (`--manifest`), keyed by path and by file name. An
/// empty cell keeps the detected value, `-` clears it, anything else replaces it.
#[derive(Debug, Clone, Default)]
pub struct Manifest {
    rows: HashMap<String, ManifestRow>,
    /// The manifest's own file, which is never read as a report.
    path: Option<std::path::PathBuf>,
}

impl Manifest {
    /// Reads a CSV (`file, unit, township, county, province, year`) or JSONL manifest.
    pub fn from_file(path: &Path) -> Result<Manifest> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let bad = |message: String| {
            Error::Config(crate::error::ConfigError::File {
                path: path.display().to_string(),
                message,
            })
        };
        let mut rows = HashMap::new();
        let is_jsonl = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("jsonl"));
        let records: Vec<HashMap<String, serde_json::Value>> = if is_jsonl {
            text.lines()
                .filter(|l| !l.trim().is_empty())
                .enumerate()
                .map(|(i, l)| {
                    serde_json::from_str(l).map_err(|e| bad(format!("line {}: {e}", i + 1)))
                })
                .collect::<Result<_>>()?
        } else {
            let mut reader =
                csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
            let headers = reader.headers().map_err(|e| bad(e.to_string()))?.clone();
            reader
                .records()
                .map(|r| {
                    let r = r.map_err(|e| bad(e.to_string()))?;
                    Ok(headers
                        .iter()
                        .zip(r.iter())
                        .map(|(h, v)| {
                            (
                                h.trim().to_string(),
                                serde_json::Value::String(v.to_string()),
                            )
                        })
                        .collect())
                })
                .collect::<Result<_>>()?
        };
        for rec in records {
            let get = |k: &str| match rec.get(k) {
                Some(serde_json::Value::String(s)) if s.trim() == "-" => Cell::Clear,
                Some(serde_json::Value::String(s)) if !s.trim().is_empty() => {
                    Cell::Set(s.trim().to_string())
                }
                Some(serde_json::Value::Number(n)) => Cell::Set(n.to_string()),
                _ => Cell::Keep,
            };
            let Cell::Set(file) = get("file") else {
                return Err(bad("every row needs a `file`".to_string()));
            };
            let year = match get("year") {
                Cell::Set(y) => Cell::Set(
                    y.parse()
                        .map_err(|_| bad(format!("{file}: year {y:?} is not a year")))?,
                ),
                Cell::Clear => Cell::Clear,
                Cell::Keep => Cell::Keep,
            };
            let province = match get("province") {
                Cell::Set(p) => Cell::Set(canonical_province(&p)),
                other => other,
            };
            let row = ManifestRow {
                unit: get("unit"),
                township: get("township"),
                county: get("county"),
                province,
                year,
            };
            rows.insert(file, row);
        }
        Ok(Manifest {
            rows,
            path: Some(path.to_path_buf()),
        })
    }

    /// The row for `path`, matched by path, then by file name.
    fn row(&self, path: &Path) -> Option<&ManifestRow> {
        let by_name = || {
            path.file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| self.rows.get(n))
        };
        self.rows.get(&path.display().to_string()).or_else(by_name)
    }

    /// Overrides the fields the manifest gives for `path`; a unit it sets is marked as the
    /// manifest's.
    pub fn apply(&self, path: &Path, meta: &mut ReportMeta) {
        let Some(row) = self.row(path) else {
            return;
        };
        row.township.apply(&mut meta.township);
        row.county.apply(&mut meta.county);
        row.province.apply(&mut meta.province);
        row.year.apply(&mut meta.year);
        if row.unit != Cell::Keep {
            row.unit.apply(&mut meta.unit);
            meta.unit_source = meta.unit.as_ref().map(|_| UnitSource::Manifest);
            meta.unit_guessed = false;
            if row.unit == Cell::Clear {
                meta.level = None;
            }
        }
    }

    /// Whether the manifest has no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Whether `path` is the manifest's own file.
    pub fn is_own_file(&self, path: &Path) -> bool {
        let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
            (Ok(a), Ok(b)) => a == b,
            _ => a == b,
        };
        self.path.as_deref().is_some_and(|own| same(own, path))
    }

    /// The rows that name none of `files` (by path or by file name), sorted.
    pub fn unmatched(&self, files: &[std::path::PathBuf]) -> Vec<&str> {
        let mut keys: std::collections::HashSet<String> = std::collections::HashSet::new();
        for f in files {
            keys.insert(f.display().to_string());
            if let Some(n) = f.file_name().and_then(|n| n.to_str()) {
                keys.insert(n.to_string());
            }
        }
        let mut out: Vec<&str> = self
            .rows
            .keys()
            .filter(|k| !keys.contains(*k))
            .map(String::as_str)
            .collect();
        out.sort_unstable();
        out
    }
}
/// Township, county and province names of the corpus's reports, with their stems (江湾镇 →
/// 江湾): the stop phrases a corpus adds, for a township's name is not a theme. (The rows of a
/// table input with metadata of their own add none: their names were never read here, the
/// ready-made units being released before, and the outputs are made so.)
pub fn place_names(reports: &[ReportSummary]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for m in reports.iter().map(|r| &r.meta) {
        for name in [&m.township, &m.county, &m.province].into_iter().flatten() {
            names.push(name.clone());
            let stem = name
                .trim_end_matches("街道办事处")
                .trim_end_matches(['镇', '乡', '县', '市', '区', '省'])
                .trim_end_matches("街道");
            if stem.chars().count() >= 2 {
                names.push(stem.to_string());
            }
        }
    }
    names.sort();
    names.dedup();
    names
}

/// Builds the gazetteer now (it is otherwise built by the first report that needs it).
pub fn load_gazetteer() {
    LazyLock::force(&GAZETTEER);
}

/// Whether a term is a place name of the gazetteer: a unit's full name (渝北区), a usual
/// abbreviation (海滨街) or a province's short form (广东). Prefectures' short forms are left out:
/// many are words (合作, 和平).
pub fn is_place_name(term: &str) -> bool {
    GAZETTEER.is_name(term)
}

/// The full name of a provincial unit given by its short form (`上海` → `上海市`), or as given.
pub fn canonical_province(name: &str) -> String {
    GAZETTEER
        .province(name)
        .map(|i| GAZETTEER.division(i).name.to_string())
        .unwrap_or_else(|| name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chrome::find_chrome;

    fn meta_of(text: &str) -> ReportMeta {
        find_meta(text, &find_chrome(text), "report")
    }

    fn unit_of(text: &str) -> (Option<String>, Option<AdminLevel>) {
        let m = meta_of(text);
        (m.unit, m.level)
    }

    #[test]
    fn title_gives_township_and_year_page_gives_published() {
        let m = meta_of(
            "当前位置:首页 > 江湾镇\n\n江湾镇2023年法治政府建设情况年度报告\n\n发布日期:2024-01-24 09:55:00 来源:本网\n打印\n贯彻《法治韶关建设规划》。江湾镇召开会议。\n",
        );
        assert_eq!(m.township.as_deref(), Some("江湾镇"));
        assert_eq!(m.unit.as_deref(), Some("江湾镇"));
        assert_eq!(m.level, Some(AdminLevel::Township));
        assert_eq!(m.unit_source, Some(UnitSource::Title));
        assert_eq!(m.county.as_deref(), Some("武江区"));
        assert_eq!(m.province.as_deref(), Some("广东省"));
        assert_eq!(m.year, Some(2023));
        assert_eq!(m.published.as_deref(), Some("2024-01-24"));
    }

    #[test]
    fn street_office_is_canonical_and_party_prefix_dropped() {
        let m = meta_of(
            "中共渠县渠南街道工作委员会 渠县人民政府渠南街道办事处关于2024年法治政府建设完成情况的报告\n中共渠县县委、渠县人民政府:\n渠南街道党工委根据渠县要求开展工作。\n",
        );
        assert_eq!(m.township.as_deref(), Some("渠南街道"));
        assert_eq!(m.county.as_deref(), Some("渠县"));
        assert_eq!(m.province.as_deref(), Some("四川省"));
        assert_eq!(m.year, Some(2024));
    }

    #[test]
    fn a_provincial_report_is_the_provinces_and_phrases_are_not_townships() {
        let m = meta_of(
            "2025年上海市政府工作报告\n加快建设百县千镇，发展专业镇，全面推进乡村振兴，加大镇级财力，发展农村和县城经济，规范合作市场秩序。\n",
        );
        assert_eq!(m.unit.as_deref(), Some("上海市"));
        assert_eq!(m.level, Some(AdminLevel::Province));
        assert_eq!(m.township, None);
        assert_eq!(m.county, None);
        assert_eq!(m.province.as_deref(), Some("上海市"));
        let xinjiang = meta_of("2025年新疆政府工作报告\n各位代表：\n");
        assert_eq!(xinjiang.unit.as_deref(), Some("新疆维吾尔自治区"));
    }

    #[test]
    fn three_character_names_are_not_cut_and_the_page_label_counts() {
        for name in ["坡子街街道", "中梁山街道", "黄桷坪街道"] {
            let (unit, _) = unit_of(&format!(
                "{name}2024年法治政府建设工作情况报告\n一年来，我街道坚持依法行政。\n"
            ));
            assert_eq!(unit.as_deref(), Some(name));
        }
        let m = meta_of(
            "首页 > 信息公开\n发布机构:茈湖口镇 发布日期:2024-02-01\n一年来，我镇坚持依法行政，在区委领导下推进工作。\n",
        );
        assert_eq!(m.unit.as_deref(), Some("茈湖口镇"));
        assert_eq!(m.unit_source, Some(UnitSource::Issuer));
        assert_eq!(m.county.as_deref(), Some("资阳区"));
    }

    #[test]
    fn departments_and_every_level_get_their_own_unit() {
        let m = meta_of(
            "【法治建设报告】湖北省司法厅2023年法治政府建设年度报告\n发文日期 2024-03-27\n2023年，省司法厅坚持以习近平新时代中国特色社会主义思想为指导。\n",
        );
        assert_eq!(m.unit.as_deref(), Some("湖北省司法厅"));
        assert_eq!(m.level, Some(AdminLevel::Department));
        assert_eq!(m.province.as_deref(), Some("湖北省"));
        assert_eq!(m.published.as_deref(), Some("2024-03-27"));
        let m = meta_of(
            "2023年，市市场监管局在市委市政府的坚强领导下，深入学习贯彻习近平法治思想。\n——“绍兴创新监管服务模式”获评最佳实践案例。\n",
        );
        assert_eq!(m.unit.as_deref(), Some("绍兴市市场监管局"));
        assert_eq!(m.level, Some(AdminLevel::Department));
        assert_eq!(
            unit_of(
                "2023年，荆州市认真贯彻落实习近平法治思想，以《法治政府建设实施纲要(2021—2025年)》为牵引。\n"
            ),
            (Some("荆州市".into()), Some(AdminLevel::Prefecture))
        );
        assert_eq!(
            unit_of("岳阳县2022年法治政府建设年度报告\n2022年，县委县政府高度重视。\n"),
            (Some("岳阳县".into()), Some(AdminLevel::County))
        );
        let m = meta_of(
            "2022年，在区委、区政府的坚强领导下，东城街道深入学习贯彻习近平法治思想，认真落实《清城区2022年法治政府建设工作要点》。现将我街道2022年法治政府建设的情况报告如下：\n",
        );
        assert_eq!(m.unit.as_deref(), Some("东城街道"));
        assert_eq!(m.unit_source, Some(UnitSource::Body));
        assert_eq!(
            m.county.as_deref(),
            Some("清城区"),
            "the duplicate placed by its county"
        );
    }

    #[test]
    fn county_short_names_inside_words_do_not_place_a_report() {
        let m = meta_of(
            "2024年度青山镇法治政府建设情况报告\n在党委领导和县委支持下，青山镇创建法治政府建设示范县，整合法治资源，会同有关部门，发展大城市、合作市场。\n",
        );
        assert_eq!(m.province, None, "{m:?}");
        assert_eq!(m.county, None, "{m:?}");
    }

    #[test]
    fn traditional_pages_are_matched_in_simplified_form() {
        let m = meta_of(
            "小龍門鄉2024年法治政府建設工作報告\n信息來源:辰溪縣小龍門鄉\n2024年，小龍門鄉在縣委、縣政府的領導下，堅持依法行政。\n",
        );
        assert_eq!(m.unit.as_deref(), Some("小龙门乡"));
        assert_eq!(m.county.as_deref(), Some("辰溪县"));
        assert_eq!(m.province.as_deref(), Some("湖南省"));
    }

    #[test]
    fn a_township_the_gazetteer_lacks_is_guessed_and_marked() {
        let m = meta_of(
            "2025年，银杏大街街道在文峰区委、区政府的正确领导下，紧紧围绕基层治理中心工作。银杏大街街道党工委高度重视。\n",
        );
        assert_eq!(m.unit.as_deref(), Some("银杏大街街道"));
        assert!(m.unit_guessed);
        assert_eq!(m.county.as_deref(), Some("文峰区"));
    }

    #[test]
    fn a_phrase_running_into_zhen_is_no_township() {
        // 037 of the openings: the report never names its town, and `纳入镇党委` is no name.
        let m = meta_of(
            "一、2025年主要工作及成效\n建立三级学习体系，将习近平法治思想纳入镇党委理论学习中心组学习计划。组织镇村干部参加培训，我镇备案率100%。\n",
        );
        assert_eq!(m.unit, None);
    }

    #[test]
    fn a_town_named_only_in_passing_is_the_one_its_body_repeats() {
        // 021 of the openings: 我镇 throughout, a town the gazetteer lacks named twice mid-text,
        // and a phrase ending in 镇 once.
        let body = "2022年,我镇坚持依法行政。现就我镇2022年度法治政府建设情况报告如下:\n\
            一、主要举措\n推动党的二十大精神在下太镇落地生根。二是把习近平法治思想列入下太镇委党校培训课程。\n\
            合法性审查后报镇党委会研究。\n";
        let m = meta_of(body);
        assert_eq!(m.unit.as_deref(), Some("下太镇"));
        assert!(m.unit_guessed);
        // Named once, it could be any phrase: no guess.
        let once = body.replace("在下太镇落地生根", "落地生根");
        assert_eq!(meta_of(&once).unit, None);
    }

    #[test]
    fn every_date_label_in_use_and_the_signed_date() {
        for line in [
            "时间:2025-02-14",
            "日期：2025年2月14日",
            "[ 发布日期 ] 2025-02-14",
            "发文日期: | 2025-02-14 |",
            "成文日期 2025.02.14",
            "来源:陕西日报 2025-02-14 08:15",
        ] {
            let m = meta_of(&format!("{line}\n2024年，我镇坚持依法行政。\n"));
            assert_eq!(m.published.as_deref(), Some("2025-02-14"), "{line}");
        }
        let m = meta_of("2019年以来,我镇深入学习。\n覃斗镇人民政府\n2020年4月13日\n");
        assert_eq!(m.published, None);
        assert_eq!(m.document_date.as_deref(), Some("2020-04-13"));
        assert_eq!(m.unit.as_deref(), Some("覃斗镇"));
        assert_eq!(m.unit_source, Some(UnitSource::Signature));
        assert_eq!(m.year, Some(2019));
    }

    #[test]
    fn a_development_zone_and_its_departments_are_guessed_from_their_suffix() {
        let m = meta_of(
            "长沙经济技术开发区管理委员会2023年法治政府建设年度报告\n2023年，经开区管委会坚持以习近平法治思想为指导，推进法治政府建设。\n",
        );
        assert_eq!(m.unit.as_deref(), Some("长沙经济技术开发区"));
        assert_eq!(m.level, Some(AdminLevel::County));
        assert_eq!(m.county.as_deref(), Some("长沙经济技术开发区"));
        assert_eq!(m.province.as_deref(), Some("湖南省"));
        assert!(m.unit_guessed);
        let m = meta_of(
            "关于合肥高新区市场监管局2022年度法治政府建设情况的报告\n2022年，我局坚持以习近平法治思想为指导，推进依法行政。\n",
        );
        assert_eq!(m.unit.as_deref(), Some("合肥高新区市场监管局"));
        assert_eq!(m.level, Some(AdminLevel::Department));
        assert_eq!(m.province.as_deref(), Some("安徽省"));
        // A zone the gazetteer lists is found there, not guessed.
        let m = meta_of("苏州工业园区2024年法治政府建设工作报告\n2024年，园区坚持依法行政。\n");
        assert_eq!(m.unit.as_deref(), Some("苏州工业园区"));
        assert!(!m.unit_guessed);
    }

    #[test]
    fn a_head_flattened_without_any_mark_is_read_as_its_lines() {
        // A watermark, the title and the opening run together: the title ends at 报告 and the
        // body opens on its year.
        let m = meta_of(
            "秘书之家—全网资源每日更新www.mishuzj.com湖北省人民政府关于2023年度法治政府建设情况的报告2023年,省政府坚持以习近平新时代中国特色社会主义思想为指导,全面贯彻落实党的二十大精神,深入学习贯彻习近平法治思想,坚持依法行政,推动依法行政制度体系更加完善。",
        );
        assert_eq!(m.unit.as_deref(), Some("湖北省"));
        assert_eq!(m.unit_source, Some(UnitSource::Title));
        assert_eq!(m.year, Some(2023));
        // Page labels run together before the opening, which names the street office.
        let m = meta_of(
            "索 引 号: | hedongquhd030801/2025-0000012 | 公开目录: | 法治政府建设 |成文日期: | 2025-02-14 | 发布日期: | 2025-02-14 |发布机构: | 河东区汤头街道 |2024年,汤头街道在区委、区政府的坚强领导下,紧密围绕区委中心工作大局,落实法治政府建设各项任务。一、主要举措(一)加强组织领导。",
        );
        assert_eq!(m.unit.as_deref(), Some("汤头街道"));
        assert_eq!(m.county.as_deref(), Some("河东区"));
        assert_eq!(m.published.as_deref(), Some("2025-02-14"));
        // Paragraphs joined by two U+3000: a breadcrumb with a report's name is chrome, not
        // the title.
        let m = meta_of(
            "您现在所在的位置 :\u{3000}\u{3000}首页 > 海丰县人民政府门户网站 > 专题专栏 > 海丰县法治政府建设年度报告公开 > 2025年\u{3000}\u{3000}2025年,在县委、县政府的正确领导下,平东镇持续以习近平新时代中国特色社会主义思想为指导,深入学习宣传贯彻习近平法治思想。\u{3000}\u{3000}一、法治建设工作情况及主要措施和成效",
        );
        assert_eq!(m.unit.as_deref(), Some("平东镇"));
        assert_eq!(m.county.as_deref(), Some("海丰县"));
    }

    #[test]
    fn flattened_seeds_keep_their_township() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/data/sample");
        let mut paths: Vec<_> = std::fs::read_dir(dir)
            .expect("data/sample")
            .map(|e| e.expect("entry").path())
            .collect();
        paths.sort();
        for path in paths {
            let text = std::fs::read_to_string(&path).expect("seed");
            let lined = meta_of(&text);
            let lines: Vec<&str> = text
                .lines()
                .map(trim_blank)
                .filter(|l| !l.is_empty())
                .collect();
            for joiner in ["\u{3000}\u{3000}", ""] {
                let flat = meta_of(&lines.join(joiner));
                assert_eq!(
                    flat.township, lined.township,
                    "{path:?} joined by {joiner:?}"
                );
                assert_eq!(flat.year, lined.year, "{path:?} joined by {joiner:?}");
            }
        }
    }
}
