//! Stage 10: units → how concrete each is: the quantities it reports (a number with a unit
//! word: 120余起, 三百多家, 1.2万人, 百分之九十) and the share of its characters in slogans
//! (the stop phrases in force: 习近平法治思想, 两个维护, 营造良好氛围…).
//!
//! Numbers are Arabic (full-width too, with decimals and thousands commas) or Chinese numerals,
//! optionally with a magnitude (万, 亿, 千, 百) and an approximation (余, 多), followed by a unit
//! word ([`UNIT_WORDS`]). Not quantities: ordinals and article numbers (第三, 第12条, 1.5条),
//! years and dates (年, 月 and 日 are no unit words), durations (3个月), a lone 一 (一起, 一次性,
//! 一个), a bare magnitude without 余/多 or 近/上/数 before it (千家万户), and numbers inside a set
//! phrase: a stop phrase (两个维护, 二十大) or a lexicon term (三项制度, 八项规定, 一支队伍管执法).
//!
//! Both measures use the text as [`crate::segment`] sees it for its stop phrases (quote marks
//! and 、 removed), so a phrase matches here exactly when it is blanked there. One linear pass
//! per unit; units in parallel; the result does not depend on the thread count.

use crate::corpus::Unit;
use crate::phrases::PhraseIndex;
use crate::segment::is_quote_mark;
use rayon::prelude::*;
use serde::Serialize;
use std::borrow::Cow;

/// The unit words a number must be followed by to count as a quantity, longest first where one
/// begins another.
pub const UNIT_WORDS: [&str; 30] = [
    "个百分点",
    "场次",
    "人次",
    "户次",
    "件次",
    "%",
    "％",
    "次",
    "场",
    "起",
    "件",
    "个",
    "人",
    "户",
    "家",
    "份",
    "名",
    "位",
    "项",
    "条",
    "篇",
    "期",
    "批",
    "处",
    "所",
    "元",
    "册",
    "支",
    "座",
    "台",
];

/// After `个`, these make a duration, not a count (3个月, 5个工作日).
const DURATIONS: [&str; 4] = ["月", "工作日", "小时", "星期"];

/// Chinese numeral characters.
fn is_chinese_digit(c: char) -> bool {
    matches!(
        c,
        '零' | '〇' | '一' | '二' | '两' | '三' | '四' | '五' | '六' | '七' | '八' | '九' | '十'
    )
}

/// Chinese magnitude characters.
fn is_magnitude(c: char) -> bool {
    matches!(c, '百' | '千' | '万' | '亿')
}

fn is_chinese_numeral(c: char) -> bool {
    is_chinese_digit(c) || is_magnitude(c)
}

fn is_arabic_digit(c: char) -> bool {
    c.is_ascii_digit() || ('０'..='９').contains(&c)
}

/// A quantity found in a unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Quantity {
    /// The text matched, e.g. `一百余次`.
    pub text: String,
    /// Its unit word, e.g. `次` (`%` for 百分之…).
    pub unit: &'static str,
}

/// What is concrete about one unit.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Concreteness {
    /// The quantities it reports, in text order.
    pub quantities: Vec<Quantity>,
    /// Share of its characters (quote marks and white space not counted) inside stop phrases.
    pub slogan_share: f64,
}

/// The phrases concreteness is measured with.
#[derive(Debug, Clone)]
pub struct Phrases {
    /// The stop phrases in force (slogans and set formulas).
    slogans: PhraseIndex,
    /// The lexicon terms in force (a number inside one is part of a name: 三项制度).
    terms: PhraseIndex,
}

impl Phrases {
    /// The phrases from the lists in force; quote marks are removed from them as from the text.
    pub fn new(stop_phrases: &[String], lexicon: &[String]) -> Phrases {
        let unquoted = |p: &str| p.chars().filter(|&c| !is_quote_mark(c)).collect::<String>();
        Phrases {
            slogans: PhraseIndex::new(stop_phrases.iter().map(|p| unquoted(p))),
            terms: PhraseIndex::new(
                lexicon
                    .iter()
                    .filter_map(|entry| entry.split_whitespace().next())
                    .map(unquoted),
            ),
        }
    }

    /// How concrete `text` is.
    pub fn measure(&self, text: &str) -> Concreteness {
        // The text as segmentation looks for stop phrases in it: without quote marks.
        let unquoted: Cow<str> = if text.chars().any(is_quote_mark) {
            Cow::Owned(text.chars().filter(|&c| !is_quote_mark(c)).collect())
        } else {
            Cow::Borrowed(text)
        };
        let chars: Vec<char> = unquoted.chars().collect();
        let slogans = self.slogans.leftmost_longest(&unquoted);
        let found = scan_quantities(&chars);
        let terms = match found.is_empty() {
            true => Vec::new(),
            false => self.terms.leftmost_longest(&unquoted),
        };
        // The characters inside a slogan or a term, worked out only when one matched.
        let mut slogan = 0;
        let mut in_phrase = Vec::new();
        if !slogans.is_empty() || !terms.is_empty() {
            // Byte offset in `unquoted` → character index (at character boundaries).
            let mut char_at = vec![0u32; unquoted.len() + 1];
            for (n, (byte, _)) in unquoted.char_indices().enumerate() {
                char_at[byte] = n as u32;
            }
            char_at[unquoted.len()] = chars.len() as u32;
            let chars_of =
                |r: std::ops::Range<usize>| char_at[r.start] as usize..char_at[r.end] as usize;
            in_phrase = vec![false; chars.len()];
            for range in slogans {
                let range = chars_of(range);
                slogan += range.len();
                in_phrase[range].fill(true);
            }
            for range in terms {
                in_phrase[chars_of(range)].fill(true);
            }
        }
        let counted = chars.iter().filter(|c| !c.is_whitespace()).count();
        let quantities = found
            .into_iter()
            .filter(|(range, _)| {
                !in_phrase
                    .get(range.clone())
                    .is_some_and(|inside| inside.contains(&true))
            })
            .map(|(range, unit)| Quantity {
                text: chars[range].iter().collect(),
                unit,
            })
            .collect();
        Concreteness {
            quantities,
            slogan_share: if counted == 0 {
                0.0
            } else {
                slogan as f64 / counted as f64
            },
        }
    }
}

/// Measures every unit, in parallel, in unit order.
pub fn measure(units: &[Unit], phrases: &Phrases) -> Vec<Concreteness> {
    units.par_iter().map(|u| phrases.measure(&u.text)).collect()
}

/// The unit word at `chars[at..]`, longest first.
fn unit_word_at(chars: &[char], at: usize) -> Option<&'static str> {
    UNIT_WORDS.into_iter().find(|w| starts_with(chars, at, w))
}

fn starts_with(chars: &[char], at: usize, word: &str) -> bool {
    (at..)
        .zip(word.chars())
        .all(|(i, c)| chars.get(i) == Some(&c))
}

/// The end of an Arabic number starting at `at` (digits, thousands commas before three digits,
/// one decimal part), and whether it has a decimal part.
fn arabic_end(chars: &[char], at: usize) -> (usize, bool) {
    let digits = |mut i: usize| {
        while chars.get(i).is_some_and(|&c| is_arabic_digit(c)) {
            i += 1;
        }
        i
    };
    let mut end = digits(at);
    while matches!(chars.get(end), Some(',' | '，'))
        && (1..=3).all(|d| chars.get(end + d).is_some_and(|&c| is_arabic_digit(c)))
        && !chars.get(end + 4).is_some_and(|&c| is_arabic_digit(c))
    {
        end += 4;
    }
    let decimal = matches!(chars.get(end), Some('.' | '．'))
        && chars.get(end + 1).is_some_and(|&c| is_arabic_digit(c));
    if decimal {
        end = digits(end + 1);
    }
    (end, decimal)
}

/// Every quantity of `chars` as (character range, unit word), before set phrases are taken out.
fn scan_quantities(chars: &[char]) -> Vec<(std::ops::Range<usize>, &'static str)> {
    let mut found = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let prev = i.checked_sub(1).map(|p| chars[p]);
        let starts_number = is_arabic_digit(c) || is_chinese_numeral(c);
        let continues = prev.is_some_and(|p| {
            is_arabic_digit(p) || is_chinese_numeral(p) || p.is_ascii_alphabetic() || p == '.'
        });
        if !starts_number || continues {
            i += 1;
            continue;
        }
        let ordinal = prev == Some('第');
        // 百分之 + a number: a percentage.
        if starts_with(chars, i, "百分之") {
            let after = i + 3;
            let end = match chars.get(after) {
                Some(&d) if is_arabic_digit(d) => Some(arabic_end(chars, after).0),
                Some(&d) if is_chinese_numeral(d) => Some(chinese_end(chars, after)),
                _ => None,
            };
            if let Some(end) = end {
                if !ordinal {
                    found.push((i..end, "%"));
                }
                i = end;
                continue;
            }
        }
        let (number_end, decimal, arabic) = if is_arabic_digit(c) {
            let (end, decimal) = arabic_end(chars, i);
            (end, decimal, true)
        } else {
            (chinese_end(chars, i), false, false)
        };
        let mut j = number_end;
        if arabic && chars.get(j).is_some_and(|&m| is_magnitude(m)) {
            j += 1;
        }
        let approx = matches!(chars.get(j), Some('余' | '多'));
        if approx {
            j += 1;
            if matches!(chars.get(j), Some('万' | '亿')) {
                j += 1;
            }
        }
        let numeral: String = chars[i..number_end].iter().collect();
        let bare_magnitude = !arabic
            && numeral.chars().all(is_magnitude)
            && !approx
            && !matches!(prev, Some('近' | '上' | '数' | '逾' | '超'));
        let counted = !ordinal && !bare_magnitude && numeral != "一";
        if let Some(unit) = unit_word_at(chars, j) {
            let end = j + unit.chars().count();
            let duration = unit == "个" && DURATIONS.iter().any(|d| starts_with(chars, end, d));
            let article = unit == "条" && decimal;
            if counted && !duration && !article {
                found.push((i..end, unit));
            }
            i = end;
        } else {
            i = number_end.max(i + 1);
        }
    }
    found
}

/// The end of a run of Chinese numerals starting at `at`.
fn chinese_end(chars: &[char], at: usize) -> usize {
    let mut end = at;
    while chars.get(end).is_some_and(|&c| is_chinese_numeral(c)) {
        end += 1;
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::segment::{BUNDLED_LEXICON, BUNDLED_STOP_PHRASES, parse_list};

    fn phrases() -> Phrases {
        let list = |text: &str| parse_list(text).map(String::from).collect::<Vec<_>>();
        let lexicon: Vec<String> = BUNDLED_LEXICON
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .map(String::from)
            .collect();
        Phrases::new(&list(BUNDLED_STOP_PHRASES), &lexicon)
    }

    fn found(text: &str) -> Vec<String> {
        phrases()
            .measure(text)
            .quantities
            .into_iter()
            .map(|q| q.text)
            .collect()
    }

    #[test]
    fn every_numeral_form_counts() {
        for (text, quantity) in [
            ("开展普法活动一百余次", "一百余次"),
            ("走访企业三百多家", "三百多家"),
            ("覆盖群众1.2万人", "1.2万人"),
            ("举办讲座20余场", "20余场"),
            ("群众满意率达百分之九十", "百分之九十"),
            ("满意率达百分之95", "百分之95"),
            ("调解纠纷12次", "12次"),
            ("组织培训8场次", "8场次"),
            ("服务群众3600人次", "3600人次"),
            ("化解纠纷37起", "37起"),
            ("办理案件15件", "15件"),
            ("建成6个法治文化阵地", "6个"),
            ("培训网格员200人", "200人"),
            ("走访困难群众46户", "46户"),
            ("联系企业8家", "8家"),
            ("发放资料5000份", "5000份"),
            ("投入资金30万元", "30万元"),
            ("发放补助1,200元", "1,200元"),
            ("调解成功率98%", "98%"),
            ("办结率达１００％", "１００％"),
            ("开展巡查50余次", "50余次"),
            ("联系律所十多家", "十多家"),
            ("提高了3个百分点", "3个百分点"),
            ("投入二十余万元", "二十余万元"),
            ("举办培训两次", "两次"),
            ("参与群众近百人", "百人"),
        ] {
            assert_eq!(found(text), [quantity], "{text}");
        }
    }

    #[test]
    fn dates_ordinals_articles_and_set_phrases_do_not_count() {
        for text in [
            "2023年以来",
            "2023年12月31日前",
            "第三，加强学习",
            "依据第十二条规定",
            "依照第3次会议决定",
            "依据1.5条规定",
            "学习贯彻党的二十大精神",
            "千家万户",
            "做到两个维护",
            "严格落实行政执法三项制度",
            "大家一起参与",
            "实行一次性告知",
            "开展为期3个月的专项整治",
            "拨打12345热线",
            "落实八项规定精神",
        ] {
            assert!(found(text).is_empty(), "{text}: {:?}", found(text));
        }
    }

    #[test]
    fn several_quantities_and_their_units() {
        let c = phrases()
            .measure("全年共排查矛盾纠纷120余起，调解成功86起，成功率达98%，涉及金额300多万元。");
        let got: Vec<(&str, &str)> = c
            .quantities
            .iter()
            .map(|q| (q.text.as_str(), q.unit))
            .collect();
        assert_eq!(
            got,
            [
                ("120余起", "起"),
                ("86起", "起"),
                ("98%", "%"),
                ("300多万元", "元")
            ]
        );
        assert_eq!(c.slogan_share, 0.0);
    }

    #[test]
    fn slogan_share_counts_characters_in_stop_phrases() {
        // 习近平法治思想: 7 of 13 characters; the quote marks are not counted.
        let c = phrases().measure("深入学习“习近平法治思想”活动");
        assert!(
            (c.slogan_share - 7.0 / 13.0).abs() < 1e-9,
            "{}",
            c.slogan_share
        );
        assert_eq!(phrases().measure("").slogan_share, 0.0);
    }
}
