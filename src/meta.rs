//! Stage 1b: a report's text → who and when: township, county or city, province, year reported
//! on, publication date, issuer and title. A `--manifest` table overrides any of them.
//!
//! Rules, in order of trust: the title line; the page's 发布日期/发布时间/发文日期; the addressee and
//! signature blocks; then counts over the body. County and province come from a bundled gazetteer
//! (`data/gazetteer.tsv`: the 34 provincial units, prefecture-level units and county-level units)
//! matched against the text.

use crate::corpus::{ReportMeta, Span};
use crate::error::{Error, Result};
use crate::phrases::PhraseIndex;
use crate::read::trim_blank;
use regex::Regex;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::LazyLock;

/// Administrative level of a gazetteer entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level {
    Province,
    Prefecture,
    County,
}

/// One gazetteer row.
#[derive(Debug, Clone)]
struct Place {
    name: String,
    short: String,
    level: Level,
    province: String,
}

static GAZETTEER: LazyLock<Vec<Place>> = LazyLock::new(|| {
    include_str!("../data/gazetteer.tsv")
        .lines()
        .skip(1)
        .filter_map(|line| {
            let mut f = line.split('\t');
            let (name, short, level, province) = (f.next()?, f.next()?, f.next()?, f.next()?);
            let level = match level {
                "province" => Level::Province,
                "prefecture" => Level::Prefecture,
                "county" => Level::County,
                _ => return None,
            };
            Some(Place {
                name: name.to_string(),
                short: short.to_string(),
                level,
                province: province.trim().to_string(),
            })
        })
        .collect()
});

static YEAR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(20[0-4]\d|19[89]\d)\s*年").expect("valid regex"));
static DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(发布日期|发布时间|发文日期|成文日期)\s*[:：]?\s*(\d{4})\s*[-/年.]\s*(\d{1,2})\s*[-/月.]\s*(\d{1,2})")
        .expect("valid regex")
});
static SIGN_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$").expect("valid regex")
});
static TOWNSHIP: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\p{Han}{2,4}?(街道办事处|街道|镇|乡)").expect("valid regex"));
/// What every [`TOWNSHIP`] match contains, as fast substring searchers.
static SUFFIXES: LazyLock<[memchr::memmem::Finder<'static>; 3]> =
    LazyLock::new(|| ["街道", "镇", "乡"].map(|s| memchr::memmem::Finder::new(s.as_bytes())));

/// Words ending in 镇/乡/街道 that are not place names.
const NOT_TOWNSHIPS: [&str; 24] = [
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
];
/// Characters that do not begin a township name (they end a preceding word or unit).
const NOT_NAME_START: &str =
    "县市区省州的在我本全各该和与及对为是了等个镇乡村委府共中于从向到将把被由";

/// Finds the metadata of a report from its text; `chrome` holds the page-chrome spans.
pub fn find_meta(text: &str, chrome: &[Span]) -> ReportMeta {
    let lines = content_lines(text, chrome);
    let title = find_title(&lines);
    let published = find_published(text, chrome).or_else(|| signature_date(&lines));
    let township = find_township(text, title.as_deref(), &lines);
    let year = find_year(text, chrome, title.as_deref(), published.as_deref());
    let (county, province) = find_places(text, township.as_deref());
    ReportMeta {
        township,
        county,
        province,
        year,
        published,
        issuer: find_issuer(&lines),
        title,
    }
}

/// Non-blank lines that are not whole-line chrome, trimmed.
fn content_lines<'a>(text: &'a str, chrome: &[Span]) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let t = trim_blank(line);
        let start = offset + (line.len() - line.trim_start_matches(crate::read::is_blank).len());
        offset += line.len();
        let whole_chrome = chrome
            .iter()
            .any(|s| s.start == start && s.end == start + t.len());
        if !t.is_empty() && !whole_chrome {
            out.push(t);
        }
    }
    out
}

fn find_title(lines: &[&str]) -> Option<String> {
    lines
        .iter()
        .take(12)
        .find(|l| {
            l.contains("报告")
                && l.chars().count() <= 80
                && !l.contains('。')
                && !l.ends_with(['：', ':'])
        })
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
}

fn find_published(text: &str, chrome: &[Span]) -> Option<String> {
    chrome.iter().find_map(|s| {
        let c = DATE.captures(s.of(text))?;
        Some(format!("{}-{:0>2}-{:0>2}", &c[2], &c[3], &c[4]))
    })
}

fn signature_date(lines: &[&str]) -> Option<String> {
    lines.iter().rev().take(4).find_map(|l| {
        let c = SIGN_DATE.captures(l)?;
        Some(format!("{}-{:0>2}-{:0>2}", &c[1], &c[2], &c[3]))
    })
}

fn find_township(text: &str, title: Option<&str>, lines: &[&str]) -> Option<String> {
    let candidates = |s: &str| -> Vec<String> {
        let mut out = Vec::new();
        for m in TOWNSHIP.find_iter(s) {
            // 乡村, 乡镇: 乡 opens a word here, it does not close a name.
            if m.as_str().ends_with('乡')
                && s[m.end()..].starts_with(['村', '镇', '土', '亲', '情'])
            {
                continue;
            }
            // Try every start inside the match so `中共渠县渠南街道` yields `渠南街道`.
            let chars: Vec<(usize, char)> = m.as_str().char_indices().collect();
            for &(i, c) in &chars {
                let name = &m.as_str()[i..];
                let stem = name.trim_end_matches("办事处");
                let stem_len = stem
                    .chars()
                    .count()
                    .saturating_sub(if stem.ends_with("街道") { 2 } else { 1 });
                if !(2..=4).contains(&stem_len)
                    || NOT_NAME_START.contains(c)
                    || NOT_TOWNSHIPS.iter().any(|n| stem.ends_with(n))
                {
                    continue;
                }
                out.push(stem.to_string());
            }
        }
        out
    };
    let count = |name: &str| memchr::memmem::find_iter(text.as_bytes(), name.as_bytes()).count();
    // Prefer the shortest candidate that occurs about as often as the longer ones containing it.
    // Each distinct candidate is counted once: the body of a long report names hundreds.
    let best = |mut cands: Vec<String>| -> Option<String> {
        cands.sort_unstable();
        cands.dedup();
        cands
            .into_iter()
            .map(|c| (count(&c), usize::MAX - c.chars().count(), c))
            .max()
            .map(|(_, _, c)| c)
    };
    // The signature block: the last short lines without sentence punctuation.
    let signature: Vec<String> = lines
        .iter()
        .rev()
        .take(4)
        .filter(|l| l.chars().count() <= 40 && !l.contains(['。', '，', ',']))
        .flat_map(|l| candidates(l))
        .collect();
    title
        .and_then(|t| best(candidates(t)))
        .or_else(|| best(signature))
        // In the body alone a name must recur: a provincial report mentions many towns once.
        // No match crosses a line, so only the lines with a township suffix are searched.
        .or_else(|| {
            let body = text
                .lines()
                .filter(|l| SUFFIXES.iter().any(|s| s.find(l.as_bytes()).is_some()))
                .flat_map(candidates)
                .collect();
            best(body).filter(|name| count(name) >= 3)
        })
}

fn find_year(
    text: &str,
    chrome: &[Span],
    title: Option<&str>,
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

/// Every gazetteer name and short form, indexed: pattern 2i is place i's full name,
/// 2i + 1 its short form (or the full name again when the short form is not used).
static PLACE_NAMES: LazyLock<PhraseIndex> = LazyLock::new(|| {
    let patterns = GAZETTEER.iter().flat_map(|p| {
        let short = if p.short.chars().count() >= 2 && p.short != p.name {
            &p.short
        } else {
            &p.name
        };
        [p.name.as_str(), short.as_str()]
    });
    PhraseIndex::new(patterns)
});

/// County (or, failing one, the prefecture-level city) and province named in the text: the most
/// mentioned of each level, a full name counting twice a short form. One pass over the text.
fn find_places(text: &str, township: Option<&str>) -> (Option<String>, Option<String>) {
    let search: Cow<str> = match township {
        Some(t) => Cow::Owned(text.replace(t, " ")),
        None => Cow::Borrowed(text),
    };
    let search = search.as_ref();
    // Counts by place, in gazetteer order: a report names a handful of the 2,236 places (a zeroed
    // count for every place, per report, was 18 KB of fresh pages read and then written).
    let mut counts: BTreeMap<usize, usize> = BTreeMap::new();
    PLACE_NAMES.for_each_overlapping(search, |start, pattern| {
        let (place, is_short) = (pattern / 2, pattern % 2 == 1);
        let p = &GAZETTEER[place];
        let end = start + PLACE_NAMES.phrase(pattern).len();
        if !is_short {
            if full_name_stands(p, search, start, end) {
                *counts.entry(place).or_default() += 2;
            }
        } else if p.short != p.name
            && p.short.chars().count() >= 2
            && marks_place(search, start, end)
        {
            *counts.entry(place).or_default() += 1;
        }
    });
    let mut best: [Option<(usize, &Place)>; 3] = [None, None, None];
    for (place, n) in counts.into_iter().map(|(i, n)| (&GAZETTEER[i], n)) {
        let slot = &mut best[place.level as usize];
        if n > 0 && slot.is_none_or(|(m, _)| n > m) {
            *slot = Some((n, place));
        }
    }
    let [province, prefecture, county] = best;
    let county_or_city = county.or(prefecture);
    let province = province
        .map(|(_, p)| p.province.clone())
        .or_else(|| county_or_city.map(|(_, p)| p.province.clone()));
    (county_or_city.map(|(_, p)| p.name.clone()), province)
}

/// Whether a full place name at `start..end` is the place, not part of a longer word: `合作市`
/// inside `合作市场`, or a two-character name such as `和县` inside `农村和县城`, is not.
fn full_name_stands(place: &Place, text: &str, start: usize, end: usize) -> bool {
    let after = text[end..].chars().next();
    if place.name.ends_with('市') && matches!(after, Some('场' | '民' | '值' | '面')) {
        return false;
    }
    if place.name.chars().count() > 2 {
        return true;
    }
    let before = text[..start].chars().next_back();
    let is_han = |c: char| ('\u{4e00}'..='\u{9fff}').contains(&c);
    before.is_none_or(|c| !is_han(c) || "共在于".contains(c))
        || after.is_some_and(|c| !is_han(c) || "委人政党县".contains(c))
}

/// Whether a short place name (`桐乡`) at `start..end` is marked as a place: before an
/// administrative suffix or after 法治/平安/“. Many short forms are also everyday words (合作, 和平).
fn marks_place(text: &str, start: usize, end: usize) -> bool {
    let after = &text[end..];
    (after.starts_with(['县', '市', '区', '委', '州', '旗', '盟'])
        && !["市场", "市民", "区域", "区别"]
            .iter()
            .any(|w| after.starts_with(w)))
        || ["法治", "平安", "“", "全"]
            .iter()
            .any(|p| text[..start].ends_with(p))
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

fn find_issuer(lines: &[&str]) -> Option<String> {
    lines
        .iter()
        .rev()
        .take(4)
        .filter(|l| SIGN_DATE.captures(l).is_none())
        .find(|l| {
            l.chars().count() <= 60
                && !l.contains(['。', '，', ','])
                && SIGNATURE_ENDINGS.iter().any(|b| l.ends_with(b))
        })
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// Per-file metadata given by the analyst (`--manifest`), keyed by path and by file name.
#[derive(Debug, Clone, Default)]
pub struct Manifest {
    rows: HashMap<String, ReportMeta>,
}

impl Manifest {
    /// Reads a CSV (`file, township, county, province, year`) or JSONL manifest.
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
                Some(serde_json::Value::String(s)) if !s.trim().is_empty() => {
                    Some(s.trim().to_string())
                }
                Some(serde_json::Value::Number(n)) => Some(n.to_string()),
                _ => None,
            };
            let file = get("file").ok_or_else(|| bad("every row needs a `file`".to_string()))?;
            let year = match get("year") {
                Some(y) => Some(
                    y.parse()
                        .map_err(|_| bad(format!("{file}: year {y:?} is not a year")))?,
                ),
                None => None,
            };
            let meta = ReportMeta {
                township: get("township"),
                county: get("county"),
                province: get("province").map(|p| canonical_province(&p)),
                year,
                ..ReportMeta::default()
            };
            rows.insert(file, meta);
        }
        Ok(Manifest { rows })
    }

    /// Overrides the fields the manifest gives for `path` (matched by path, then by file name).
    pub fn apply(&self, path: &Path, meta: &mut ReportMeta) {
        let by_name = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| self.rows.get(n));
        let Some(row) = self.rows.get(&path.display().to_string()).or(by_name) else {
            return;
        };
        macro_rules! take {
            ($($f:ident),*) => {$(if row.$f.is_some() { meta.$f = row.$f.clone(); })*};
        }
        take!(township, county, province, year);
    }

    /// Whether the manifest has no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// The full name of a provincial unit given by its short form (`上海` → `上海市`), or as given.
pub fn canonical_province(name: &str) -> String {
    GAZETTEER
        .iter()
        .find(|p| p.level == Level::Province && (p.short == name || p.name == name))
        .map(|p| p.name.clone())
        .unwrap_or_else(|| name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::find_chrome;

    fn meta_of(text: &str) -> ReportMeta {
        find_meta(text, &find_chrome(text))
    }

    #[test]
    fn title_gives_township_and_year_page_gives_published() {
        let m = meta_of(
            "当前位置:首页 > 江湾镇\n\n江湾镇2023年法治政府建设情况年度报告\n\n发布日期:2024-01-24 09:55:00 来源:本网\n打印\n贯彻《法治韶关建设规划》。江湾镇召开会议。\n",
        );
        assert_eq!(m.township.as_deref(), Some("江湾镇"));
        assert_eq!(m.year, Some(2023));
        assert_eq!(m.published.as_deref(), Some("2024-01-24"));
        assert_eq!(m.province.as_deref(), Some("广东省"));
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
    fn a_provincial_report_has_no_township_and_words_are_not_places() {
        let m = meta_of(
            "2025年上海市政府工作报告\n加快建设沉街镇等特色小镇，发展农村和县城经济，规范合作市场秩序。上海市人民政府。\n",
        );
        assert_eq!(m.township, None);
        assert_eq!(m.county, None);
        assert_eq!(m.province.as_deref(), Some("上海市"));
    }

    #[test]
    fn without_title_or_signature_a_township_named_three_times_in_the_body_wins() {
        // CRLF lines, the name on different lines, another town named only twice.
        let body = "关于2023年工作情况\r\n今年,青山镇开展普法活动,与白水镇交流。\r\n青山镇司法所调解纠纷,白水镇来访。\r\n全年青山镇排查矛盾纠纷。\r\n";
        assert_eq!(meta_of(body).township.as_deref(), Some("青山镇"));
        let twice = body.replace("全年青山镇", "全年本镇");
        assert_eq!(meta_of(&twice).township, None);
    }

    #[test]
    fn without_title_signature_names_township_and_body_year_wins() {
        let m = meta_of(
            "雷州市依法行政工作领导小组办公室:\n2019年以来,我镇深入学习。依照《雷州市2019年依法行政工作要点》。\n一、强化组织领导\n2020年,我镇将继续努力。\n覃斗镇人民政府\n2020年4月13日\n",
        );
        assert_eq!(m.township.as_deref(), Some("覃斗镇"));
        assert_eq!(m.year, Some(2019));
        assert_eq!(m.county.as_deref(), Some("雷州市"));
        assert_eq!(m.issuer.as_deref(), Some("覃斗镇人民政府"));
        assert_eq!(m.published.as_deref(), Some("2020-04-13"));
    }
}
