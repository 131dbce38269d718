//! `.docx` (Office Open XML, as Word, WPS and LibreOffice save it) → text: the main document
//! part in reading order, one line per paragraph, a table row per line (cells separated by a
//! tab, a cell's paragraphs by a space), text boxes as lines of their own, and Word's list
//! numbering rendered as the reader sees it: a heading numbered by a list style has its marker
//! (`一、`, `（一）`, `1.`) only in `numbering.xml`, so it is put back in front of the text.
//!
//! Left out, as a reader of the page does not see them in the text: footnotes, endnotes and
//! comments (other parts, only their reference marks are in the body), headers and footers,
//! deleted and moved-away revisions, field codes, hidden runs, and the fallback copy of content
//! that Word also stores in a newer form (`mc:Fallback`).
//!
//! A `.docx` is a zip archive: every part is inflated through a cap ([`MAX_PART`], and at most
//! [`MAX_RATIO`] times its compressed size), so a zip bomb is refused after a bounded read.

use super::limited;
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use std::collections::{HashMap, HashSet};
use std::io::Cursor;

/// The most bytes one part of the archive may inflate to.
const MAX_PART: u64 = 256 * 1024 * 1024;
/// The most a part may inflate per compressed byte: Word's XML compresses 5 to 20 times, a zip
/// bomb hundreds or thousands of times.
const MAX_RATIO: u64 = 200;
/// Slack for small parts, whose ratio means little.
const RATIO_SLACK: u64 = 1024 * 1024;
/// The deepest list level Word defines.
const LEVELS: usize = 9;

/// The text of a `.docx` file, or a one-line reason it cannot be read.
pub fn extract(bytes: &[u8]) -> Result<String, String> {
    if bytes.starts_with(&super::OLE_MAGIC) {
        return Err(
            "not a .docx but an OLE file (an old .doc or .wps, or a password-protected document): \
             save it as .docx without a password"
                .to_string(),
        );
    }
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| format!("corrupt .docx: not a readable zip archive ({e})"))?;
    let rels = part(&mut archive, "_rels/.rels")?;
    let main = rels
        .as_deref()
        .and_then(|x| relationship(x, "/officeDocument"))
        .map(|t| t.trim_start_matches('/').to_string())
        .unwrap_or_else(|| "word/document.xml".to_string());
    let Some(document) = part(&mut archive, &main)? else {
        return Err(format!("corrupt .docx: no {main} in the archive"));
    };
    let folder = main.rsplit_once('/').map_or("", |(f, _)| f);
    let doc_rels = part(&mut archive, &rels_path(&main))?;
    let linked = |kind: &str| {
        let target = doc_rels.as_deref().and_then(|x| relationship(x, kind));
        match target {
            Some(t) if t.starts_with('/') => t.trim_start_matches('/').to_string(),
            Some(t) if folder.is_empty() => t,
            Some(t) => format!("{folder}/{t}"),
            None => format!("{folder}/{}.xml", kind.trim_start_matches('/')),
        }
    };
    let styles = part(&mut archive, &linked("/styles"))?
        .map(|x| Styles::parse(&x))
        .transpose()?
        .unwrap_or_default();
    let numbering = part(&mut archive, &linked("/numbering"))?
        .map(|x| Numbering::parse(&x))
        .transpose()?
        .unwrap_or_default();
    body_text(&document, &styles, numbering)
}

/// The relationships part of `part` (`word/document.xml` → `word/_rels/document.xml.rels`).
fn rels_path(part: &str) -> String {
    match part.rsplit_once('/') {
        Some((folder, name)) => format!("{folder}/_rels/{name}.rels"),
        None => format!("_rels/{part}.rels"),
    }
}

/// A part of the archive as text, `None` if the archive has no such part; inflated through the
/// caps, so a zip bomb is refused after a bounded read.
fn part(
    archive: &mut zip::ZipArchive<Cursor<&[u8]>>,
    name: &str,
) -> Result<Option<String>, String> {
    let file = match archive.by_name(name) {
        Ok(f) => f,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => return Err(format!("corrupt .docx: {name}: {e}")),
    };
    let cap = MAX_PART.min(file.compressed_size().saturating_mul(MAX_RATIO) + RATIO_SLACK);
    let bytes = limited(file, cap).map_err(|e| match e {
        None => format!(
            "corrupt .docx: {name} inflates to more than {} MB (a zip bomb?)",
            cap / (1024 * 1024)
        ),
        Some(e) => format!("corrupt .docx: {name}: {e}"),
    })?;
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|_| format!("corrupt .docx: {name} is not UTF-8 XML"))
}

/// The target of the first relationship whose type ends with `kind` in a `.rels` part.
fn relationship(rels: &str, kind: &str) -> Option<String> {
    let mut reader = Reader::from_str(rels);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e))
                if e.local_name().as_ref() == "Relationship"
                    && attr(&e, "Type").is_some_and(|t| t.ends_with(kind)) =>
            {
                return attr(&e, "Target");
            }
            Ok(Event::Eof) | Err(_) => return None,
            _ => {}
        }
    }
}

/// An attribute's unescaped value, by its local name (`w:val` and `val` alike).
fn attr(e: &BytesStart, local: &str) -> Option<String> {
    e.attributes().flatten().find_map(|a| {
        (a.key.local_name().as_ref() == local)
            .then(|| {
                a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                    .ok()
                    .map(|v| v.into_owned())
            })
            .flatten()
    })
}

/// A numeric attribute.
fn attr_num(e: &BytesStart, local: &str) -> Option<u32> {
    attr(e, local).and_then(|v| v.trim().parse().ok())
}

/// A `w:` element's local name, or `None` for elements of other namespaces.
fn w_name<'a>(e: &'a BytesStart) -> Option<&'a str> {
    e.name().into_inner().strip_prefix("w:")
}

/// Whether a toggle property (`<w:vanish/>`, `<w:vanish w:val="false"/>`) is on.
fn toggle_on(e: &BytesStart) -> bool {
    !matches!(attr(e, "val").as_deref(), Some("0" | "false" | "off"))
}

/// A reason for malformed XML in `name`.
fn bad_xml(name: &str, e: quick_xml::Error) -> String {
    format!("corrupt .docx: {name} is not well-formed XML ({e})")
}

/// The list numbering a paragraph style carries, by style id, with the style it is based on.
#[derive(Debug, Default)]
struct Styles {
    styles: HashMap<String, StyleNum>,
}

#[derive(Debug, Default, Clone)]
struct StyleNum {
    num_id: Option<u32>,
    ilvl: Option<u32>,
    based_on: Option<String>,
}

impl Styles {
    fn parse(xml: &str) -> Result<Styles, String> {
        let mut styles = HashMap::new();
        let mut reader = Reader::from_str(xml);
        let mut current: Option<(String, StyleNum)> = None;
        loop {
            let event = reader.read_event().map_err(|e| bad_xml("styles.xml", e))?;
            match &event {
                Event::Start(e) | Event::Empty(e) => match w_name(e) {
                    Some("style") => {
                        current = attr(e, "styleId").map(|id| (id, StyleNum::default()));
                    }
                    Some("basedOn") => {
                        if let Some((_, s)) = current.as_mut() {
                            s.based_on = attr(e, "val");
                        }
                    }
                    Some("numId") => {
                        if let Some((_, s)) = current.as_mut() {
                            s.num_id = attr_num(e, "val");
                        }
                    }
                    Some("ilvl") => {
                        if let Some((_, s)) = current.as_mut() {
                            s.ilvl = attr_num(e, "val");
                        }
                    }
                    _ => {}
                },
                Event::End(e) if e.name().as_ref() == "w:style" => {
                    if let Some((id, s)) = current.take() {
                        styles.insert(id, s);
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
        Ok(Styles { styles })
    }

    /// The numbering of style `id`, following `basedOn` (a bounded number of steps: a loop of
    /// styles is possible in a hostile file).
    fn numbering(&self, id: &str) -> (Option<u32>, Option<u32>) {
        let (mut num_id, mut ilvl) = (None, None);
        let mut id = Some(id);
        for _ in 0..16 {
            let Some(style) = id.and_then(|i| self.styles.get(i)) else {
                break;
            };
            num_id = num_id.or(style.num_id);
            ilvl = ilvl.or(style.ilvl);
            id = style.based_on.as_deref();
        }
        (num_id, ilvl)
    }
}

/// One level of a list definition (`w:lvl`).
#[derive(Debug, Clone)]
struct Level {
    start: u32,
    format: String,
    text: String,
    /// `w:lvlRestart`: restart after a level at or above this one (1-based); 0 = never.
    restart: Option<u32>,
    /// `w:isLgl`: every number in the marker in Arabic digits.
    legal: bool,
    suffix: &'static str,
}

impl Default for Level {
    fn default() -> Level {
        Level {
            start: 1,
            format: "decimal".to_string(),
            text: String::new(),
            restart: None,
            legal: false,
            suffix: "\t",
        }
    }
}

/// A list (`w:num`): the definition it uses and its start overrides per level.
type List = (u32, Vec<(usize, u32)>);

/// `numbering.xml`: list definitions, the lists that use them, and the counters as the
/// document is read.
#[derive(Debug, Default)]
struct Numbering {
    /// `w:abstractNum` by id: its levels, or the style it links to (`w:numStyleLink`).
    abstracts: HashMap<u32, (Vec<Level>, Option<String>)>,
    /// `w:num` by id.
    nums: HashMap<u32, List>,
    /// The current number per definition and level (`None` before the first).
    counters: HashMap<u32, [Option<u32>; LEVELS]>,
    /// Lists whose start overrides have been applied.
    started: HashSet<u32>,
}

impl Numbering {
    fn parse(xml: &str) -> Result<Numbering, String> {
        let mut n = Numbering::default();
        let mut reader = Reader::from_str(xml);
        let mut abstract_id: Option<u32> = None;
        let mut levels: Vec<Level> = Vec::new();
        let mut link: Option<String> = None;
        let mut level: Option<(usize, Level)> = None;
        let mut num: Option<(u32, List)> = None;
        let mut override_level: Option<usize> = None;
        loop {
            let event = reader
                .read_event()
                .map_err(|e| bad_xml("numbering.xml", e))?;
            match &event {
                Event::Start(e) | Event::Empty(e) => match w_name(e) {
                    Some("abstractNum") => {
                        abstract_id = attr_num(e, "abstractNumId");
                        levels.clear();
                        link = None;
                    }
                    Some("numStyleLink") => link = attr(e, "val"),
                    Some("lvl") if num.is_none() => {
                        let ilvl = attr_num(e, "ilvl").unwrap_or(0) as usize;
                        level = (ilvl < LEVELS).then(|| (ilvl, Level::default()));
                    }
                    Some("lvl") => override_level = attr_num(e, "ilvl").map(|l| l as usize),
                    Some("start") => {
                        if let Some((_, l)) = level.as_mut() {
                            l.start = attr_num(e, "val").unwrap_or(1);
                        }
                    }
                    Some("numFmt") => {
                        if let Some((_, l)) = level.as_mut() {
                            l.format = attr(e, "val").unwrap_or_default();
                        }
                    }
                    Some("lvlText") => {
                        if let Some((_, l)) = level.as_mut() {
                            l.text = attr(e, "val").unwrap_or_default();
                        }
                    }
                    Some("lvlRestart") => {
                        if let Some((_, l)) = level.as_mut() {
                            l.restart = attr_num(e, "val");
                        }
                    }
                    Some("isLgl") => {
                        if let Some((_, l)) = level.as_mut() {
                            l.legal = toggle_on(e);
                        }
                    }
                    Some("suff") => {
                        if let Some((_, l)) = level.as_mut() {
                            l.suffix = match attr(e, "val").as_deref() {
                                Some("space") => " ",
                                Some("nothing") => "",
                                _ => "\t",
                            };
                        }
                    }
                    Some("num") => {
                        num = attr_num(e, "numId").map(|id| (id, (u32::MAX, Vec::new())));
                    }
                    Some("abstractNumId") => {
                        if let Some((_, list)) = num.as_mut() {
                            list.0 = attr_num(e, "val").unwrap_or(u32::MAX);
                        }
                    }
                    Some("lvlOverride") => {
                        override_level = attr_num(e, "ilvl").map(|l| l as usize);
                    }
                    Some("startOverride") => {
                        if let (Some((_, list)), Some(l)) = (num.as_mut(), override_level) {
                            list.1.push((l, attr_num(e, "val").unwrap_or(1)));
                        }
                    }
                    _ => {}
                },
                Event::End(e) => match e.name().as_ref() {
                    "w:lvl" => {
                        if let Some((ilvl, l)) = level.take() {
                            if levels.len() <= ilvl {
                                levels.resize(ilvl + 1, Level::default());
                            }
                            levels[ilvl] = l;
                        }
                    }
                    "w:abstractNum" => {
                        if let Some(id) = abstract_id.take() {
                            n.abstracts
                                .insert(id, (std::mem::take(&mut levels), link.take()));
                        }
                    }
                    "w:num" => {
                        if let Some((id, list)) = num.take() {
                            n.nums.insert(id, list);
                        }
                    }
                    _ => {}
                },
                Event::Eof => break,
                _ => {}
            }
        }
        Ok(n)
    }

    /// The definition list `num_id` uses, following a link to a numbering style once.
    fn definition(&self, num_id: u32, styles: &Styles) -> Option<u32> {
        let (abstract_id, _) = self.nums.get(&num_id)?;
        let (_, link) = self.abstracts.get(abstract_id)?;
        match link {
            Some(style) => {
                let (linked, _) = styles.numbering(style);
                let linked = self.nums.get(&linked?)?.0;
                self.abstracts.contains_key(&linked).then_some(linked)
            }
            None => Some(*abstract_id),
        }
    }

    /// The marker of the next paragraph of list `num_id` at level `ilvl` (with its suffix),
    /// counting it: deeper levels restart, as Word restarts them.
    fn next_marker(&mut self, num_id: u32, ilvl: usize, styles: &Styles) -> Option<String> {
        if num_id == 0 || ilvl >= LEVELS {
            return None;
        }
        let id = self.definition(num_id, styles)?;
        let levels = self.abstracts.get(&id)?.0.clone();
        let counters = self.counters.entry(id).or_insert([None; LEVELS]);
        if self.started.insert(num_id)
            && let Some((_, overrides)) = self.nums.get(&num_id)
        {
            for &(l, start) in overrides {
                if l < LEVELS {
                    counters[l] = Some(start.saturating_sub(1));
                }
            }
        }
        let level = levels.get(ilvl).cloned().unwrap_or_default();
        counters[ilvl] = Some(match counters[ilvl] {
            Some(n) => n.saturating_add(1),
            None => level.start,
        });
        for (deeper, counter) in counters.iter_mut().enumerate().skip(ilvl + 1) {
            let restart = levels.get(deeper).and_then(|l| l.restart);
            if restart.is_none_or(|r| r as usize > ilvl) {
                *counter = None;
            }
        }
        let counters = *counters;
        let mut marker = String::new();
        let mut chars = level.text.chars().peekable();
        while let Some(c) = chars.next() {
            let digit = chars.peek().and_then(|d| d.to_digit(10));
            match digit {
                Some(d @ 1..=9) if c == '%' => {
                    chars.next();
                    let l = d as usize - 1;
                    let of = levels.get(l).cloned().unwrap_or_default();
                    let value = counters[l].unwrap_or(of.start);
                    let format = if level.legal && l != ilvl {
                        "decimal"
                    } else {
                        of.format.as_str()
                    };
                    marker.push_str(&format_number(value, format));
                }
                _ => marker.push(bullet(c, &level.format)),
            }
        }
        if marker.is_empty() {
            return None;
        }
        marker.push_str(level.suffix);
        Some(marker)
    }
}

/// A bullet as shown: symbol-font characters (private use area) become `•`.
fn bullet(c: char, format: &str) -> char {
    if format == "bullet" && ('\u{e000}'..='\u{f8ff}').contains(&c) {
        '•'
    } else {
        c
    }
}

/// `n` in a Word number format (`w:numFmt`); unknown formats in Arabic digits.
fn format_number(n: u32, format: &str) -> String {
    const CIRCLED: &str = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳";
    const TIANGAN: &str = "甲乙丙丁戊己庚辛壬癸";
    const DIZHI: &str = "子丑寅卯辰巳午未申酉戌亥";
    let nth = |set: &str| {
        let i = n.checked_sub(1)? as usize;
        set.chars().nth(i).map(String::from)
    };
    let rendered = match format {
        "none" | "bullet" => Some(String::new()),
        "decimalZero" if n < 10 => Some(format!("0{n}")),
        "chineseCounting"
        | "chineseCountingThousand"
        | "japaneseCounting"
        | "taiwaneseCounting"
        | "ideographDigital"
        | "chineseLegalSimplified" => {
            let han = han_number(n);
            Some(if format == "chineseLegalSimplified" {
                han.chars()
                    .map(|c| {
                        let plain = "〇一二三四五六七八九十百千";
                        let legal = "零壹贰叁肆伍陆柒捌玖拾佰仟";
                        plain
                            .chars()
                            .position(|p| p == c)
                            .and_then(|i| legal.chars().nth(i))
                            .unwrap_or(c)
                    })
                    .collect()
            } else {
                han
            })
        }
        "ideographTraditional" => nth(TIANGAN),
        "ideographZodiac" => nth(DIZHI),
        "decimalEnclosedCircle" | "decimalEnclosedCircleChinese" => nth(CIRCLED),
        "decimalEnclosedParen" => Some(format!("({n})")),
        "decimalFullWidth" | "decimalFullWidth2" => Some(
            n.to_string()
                .chars()
                .filter_map(|d| char::from_u32(d as u32 - '0' as u32 + '０' as u32))
                .collect(),
        ),
        "upperLetter" | "lowerLetter" if n > 0 => {
            let letter = (b'A' + ((n - 1) % 26) as u8) as char;
            let s: String = std::iter::repeat_n(letter, (n as usize - 1) / 26 + 1).collect();
            Some(if format == "lowerLetter" {
                s.to_lowercase()
            } else {
                s
            })
        }
        "upperRoman" | "lowerRoman" if (1..4000).contains(&n) => {
            let r = roman(n);
            Some(if format == "lowerRoman" {
                r.to_lowercase()
            } else {
                r
            })
        }
        _ => None,
    };
    rendered.unwrap_or_else(|| n.to_string())
}

/// `n` in Chinese numerals as Word counts (`一`, `十`, `十一`, `二十`, `一百零一`).
fn han_number(n: u32) -> String {
    const DIGITS: [char; 10] = ['〇', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
    if n == 0 {
        return "〇".to_string();
    }
    if n >= 10_000 {
        return n.to_string();
    }
    let mut out = String::new();
    let mut zero = false;
    for (unit, name) in [(1000, "千"), (100, "百"), (10, "十"), (1, "")] {
        let d = (n / unit % 10) as usize;
        if d == 0 {
            zero = !out.is_empty();
            continue;
        }
        if zero {
            out.push('〇');
            zero = false;
        }
        if !(unit == 10 && d == 1 && out.is_empty()) {
            out.push(DIGITS[d]);
        }
        out.push_str(name);
    }
    out
}

/// `n` in Roman numerals.
fn roman(mut n: u32) -> String {
    const TABLE: [(u32, &str); 13] = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut out = String::new();
    for (value, digits) in TABLE {
        while n >= value {
            out.push_str(digits);
            n -= value;
        }
    }
    out
}

/// A paragraph being read.
#[derive(Debug, Default)]
struct Paragraph {
    text: String,
    style: Option<String>,
    num_id: Option<u32>,
    ilvl: Option<u32>,
}

/// A table being read: the cells of its current row, and the current cell.
#[derive(Debug, Default)]
struct Table {
    cells: Vec<String>,
    cell: String,
}

/// Appends `piece` to `to`, a space between them when both are non-empty.
fn join(to: &mut String, piece: &str) {
    if !to.is_empty() && !piece.is_empty() {
        to.push(' ');
    }
    to.push_str(piece);
}

/// Elements whose content is not shown: deleted and moved-away revisions, field codes, and the
/// fallback copy of alternate content.
fn skipped(name: &str) -> bool {
    matches!(
        name,
        "w:del" | "w:moveFrom" | "w:delText" | "w:instrText" | "mc:Fallback"
    )
}

/// The text of the main document part: lines of paragraphs and table rows.
fn body_text(xml: &str, styles: &Styles, mut numbering: Numbering) -> Result<String, String> {
    let mut reader = Reader::from_str(xml);
    let mut lines: Vec<String> = Vec::new();
    let mut paragraphs: Vec<Paragraph> = Vec::new();
    let mut tables: Vec<Table> = Vec::new();
    let (mut in_run, mut hidden, mut in_text, mut in_ppr) = (false, false, false, false);
    let bad = |e| bad_xml("document.xml", e);
    loop {
        let event = reader.read_event().map_err(bad)?;
        match &event {
            Event::Start(e) if skipped(e.name().as_ref()) => {
                reader.read_to_end(e.name()).map_err(bad)?;
            }
            Event::Start(e) | Event::Empty(e) => {
                let empty = matches!(event, Event::Empty(_));
                let Some(name) = w_name(e) else { continue };
                let para = paragraphs.last_mut();
                match (name, para) {
                    ("p", _) if !empty => paragraphs.push(Paragraph::default()),
                    ("pPr", _) => in_ppr = !empty,
                    ("pStyle", Some(p)) if in_ppr => p.style = attr(e, "val"),
                    ("numId", Some(p)) if in_ppr => p.num_id = attr_num(e, "val"),
                    ("ilvl", Some(p)) if in_ppr => p.ilvl = attr_num(e, "val"),
                    ("r", _) if !empty => (in_run, hidden) = (true, false),
                    ("vanish" | "webHidden", _) if in_run => hidden |= toggle_on(e),
                    ("t", _) if !empty => in_text = true,
                    ("tab", Some(p)) if in_run && !hidden => p.text.push('\t'),
                    ("br" | "cr", Some(p)) if in_run && !hidden => p.text.push('\n'),
                    ("noBreakHyphen", Some(p)) if in_run && !hidden => p.text.push('-'),
                    ("tbl", _) if !empty => tables.push(Table::default()),
                    ("tc", _) if !empty => {
                        if let Some(t) = tables.last_mut() {
                            t.cell.clear();
                        }
                    }
                    _ => {}
                }
            }
            Event::Text(t) if in_text && !hidden => {
                if let Some(p) = paragraphs.last_mut() {
                    p.text.push_str(&t.xml10_content());
                }
            }
            Event::CData(t) if in_text && !hidden => {
                if let Some(p) = paragraphs.last_mut() {
                    p.text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) if in_text && !hidden => {
                let c = match r.resolve_char_ref() {
                    Ok(Some(c)) => Some(c),
                    _ => match r.as_ref() {
                        "lt" => Some('<'),
                        "gt" => Some('>'),
                        "amp" => Some('&'),
                        "quot" => Some('"'),
                        "apos" => Some('\''),
                        _ => None,
                    },
                };
                if let (Some(c), Some(p)) = (c, paragraphs.last_mut()) {
                    p.text.push(c);
                }
            }
            Event::End(e) => match e.name().as_ref() {
                "w:t" => in_text = false,
                "w:r" => (in_run, hidden) = (false, false),
                "w:pPr" => in_ppr = false,
                "w:p" => {
                    let Some(p) = paragraphs.pop() else { continue };
                    let (style_num, style_lvl) = p
                        .style
                        .as_deref()
                        .map_or((None, None), |s| styles.numbering(s));
                    let marker = p.num_id.or(style_num).and_then(|num_id| {
                        let ilvl = p.ilvl.or(style_lvl).unwrap_or(0) as usize;
                        numbering.next_marker(num_id, ilvl, styles)
                    });
                    let line = marker.unwrap_or_default() + &p.text;
                    match tables.last_mut() {
                        Some(t) => join(&mut t.cell, &line.replace('\n', " ")),
                        None => lines.push(line),
                    }
                }
                "w:tc" => {
                    if let Some(t) = tables.last_mut() {
                        let cell = std::mem::take(&mut t.cell);
                        t.cells.push(cell);
                    }
                }
                "w:tr" => {
                    if let Some(t) = tables.last_mut() {
                        let row = std::mem::take(&mut t.cells).join("\t");
                        match tables.len() {
                            1 => lines.push(row),
                            n => join(&mut tables[n - 2].cell, &row),
                        }
                    }
                }
                "w:tbl" => {
                    tables.pop();
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    let mut text = lines.join("\n");
    text.push('\n');
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    const W: &str = "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" \
                     xmlns:mc=\"http://schemas.openxmlformats.org/markup-compatibility/2006\"";

    /// A `.docx` of the given parts (name, content).
    pub(crate) fn docx(parts: &[(&str, &str)]) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default();
        for (name, content) in parts {
            zip.start_file(*name, options).unwrap();
            zip.write_all(content.as_bytes()).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    fn document(body: &str) -> String {
        format!("<?xml version=\"1.0\"?><w:document {W}><w:body>{body}</w:body></w:document>")
    }

    #[test]
    fn paragraphs_tables_and_revisions_read_as_the_page_shows_them() {
        let body = "<w:p><w:r><w:t>江湾镇2023年</w:t></w:r><w:r><w:t xml:space=\"preserve\">法治&amp;报告 </w:t></w:r>\
            <w:r><w:footnoteReference w:id=\"1\"/></w:r></w:p>\
            <w:p><w:r><w:t>一是</w:t></w:r><w:del><w:r><w:delText>删去</w:delText></w:r></w:del>\
            <w:r><w:rPr><w:vanish/></w:rPr><w:t>隐藏</w:t></w:r>\
            <w:r><w:fldChar w:fldCharType=\"begin\"/></w:r><w:r><w:instrText>PAGE</w:instrText></w:r>\
            <w:r><w:t>加强领导</w:t><w:tab/><w:t>。</w:t></w:r></w:p>\
            <w:tbl><w:tr><w:tc><w:p><w:r><w:t>项目</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>数量</w:t></w:r></w:p>\
            <w:p><w:r><w:t>（件）</w:t></w:r></w:p></w:tc></w:tr>\
            <w:tr><w:tc><w:p><w:r><w:t>复议</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>3</w:t></w:r></w:p></w:tc></w:tr></w:tbl>\
            <w:p><w:r><mc:AlternateContent><mc:Choice Requires=\"wps\"><w:drawing><w:txbxContent><w:p><w:r><w:t>框内</w:t></w:r></w:p></w:txbxContent></w:drawing></mc:Choice>\
            <mc:Fallback><w:pict><w:txbxContent><w:p><w:r><w:t>框内</w:t></w:r></w:p></w:txbxContent></w:pict></mc:Fallback></mc:AlternateContent></w:r><w:r><w:t>正文</w:t></w:r></w:p>";
        let bytes = docx(&[("word/document.xml", &document(body))]);
        assert_eq!(
            extract(&bytes).unwrap(),
            "江湾镇2023年法治&报告 \n一是加强领导\t。\n项目\t数量 （件）\n复议\t3\n框内\n正文\n"
        );
    }

    #[test]
    fn list_numbering_is_rendered_as_word_shows_it() {
        let numbering = format!(
            "<w:numbering {W}><w:abstractNum w:abstractNumId=\"7\">\
             <w:lvl w:ilvl=\"0\"><w:start w:val=\"1\"/><w:numFmt w:val=\"chineseCounting\"/><w:lvlText w:val=\"%1、\"/><w:suff w:val=\"nothing\"/></w:lvl>\
             <w:lvl w:ilvl=\"1\"><w:start w:val=\"1\"/><w:numFmt w:val=\"chineseCounting\"/><w:lvlText w:val=\"（%2）\"/><w:suff w:val=\"nothing\"/></w:lvl>\
             <w:lvl w:ilvl=\"2\"><w:start w:val=\"1\"/><w:numFmt w:val=\"decimal\"/><w:lvlText w:val=\"%3.\"/></w:lvl>\
             </w:abstractNum><w:num w:numId=\"3\"><w:abstractNumId w:val=\"7\"/></w:num></w:numbering>"
        );
        let styles = format!(
            "<w:styles {W}><w:style w:type=\"paragraph\" w:styleId=\"H1\"><w:pPr><w:numPr><w:numId w:val=\"3\"/></w:numPr></w:pPr></w:style>\
             <w:style w:type=\"paragraph\" w:styleId=\"H1b\"><w:basedOn w:val=\"H1\"/></w:style></w:styles>"
        );
        let p = |style: &str, ilvl: Option<u32>, text: &str| {
            let num = ilvl.map_or(String::new(), |l| {
                format!("<w:numPr><w:ilvl w:val=\"{l}\"/><w:numId w:val=\"3\"/></w:numPr>")
            });
            let style = if style.is_empty() {
                String::new()
            } else {
                format!("<w:pStyle w:val=\"{style}\"/>")
            };
            format!("<w:p><w:pPr>{style}{num}</w:pPr><w:r><w:t>{text}</w:t></w:r></w:p>")
        };
        let body = [
            p("H1", None, "主要举措"),
            p("", Some(1), "加强领导"),
            p("", Some(1), "完善制度"),
            p("", Some(2), "细则"),
            p("H1b", None, "存在问题"),
            p("", Some(1), "短板"),
        ]
        .concat();
        let rels = "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
            <Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering\" Target=\"numbering.xml\"/>\
            <Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/></Relationships>";
        let bytes = docx(&[
            ("word/document.xml", &document(&body)),
            ("word/_rels/document.xml.rels", rels),
            ("word/numbering.xml", &numbering),
            ("word/styles.xml", &styles),
        ]);
        assert_eq!(
            extract(&bytes).unwrap(),
            "一、主要举措\n（一）加强领导\n（二）完善制度\n1.\t细则\n二、存在问题\n（一）短板\n"
        );
    }

    #[test]
    fn numbers_in_word_formats() {
        let han: Vec<String> = [1, 10, 11, 20, 21, 99, 100, 101, 110, 1005]
            .iter()
            .map(|&n| format_number(n, "chineseCounting"))
            .collect();
        assert_eq!(
            han,
            [
                "一",
                "十",
                "十一",
                "二十",
                "二十一",
                "九十九",
                "一百",
                "一百〇一",
                "一百一十",
                "一千〇五"
            ]
        );
        assert_eq!(format_number(3, "ideographTraditional"), "丙");
        assert_eq!(format_number(12, "chineseLegalSimplified"), "拾贰");
        assert_eq!(format_number(4, "decimalEnclosedCircle"), "④");
        assert_eq!(format_number(14, "upperRoman"), "XIV");
        assert_eq!(format_number(28, "lowerLetter"), "bb");
        assert_eq!(format_number(12, "decimalFullWidth"), "１２");
        assert_eq!(format_number(7, "somethingNew"), "7");
    }

    #[test]
    fn bad_archives_are_refused_with_a_reason() {
        let reason = |bytes: &[u8]| extract(bytes).unwrap_err();
        assert!(reason(b"PK\x03\x04 truncated").starts_with("corrupt .docx: not a readable zip"));
        let no_document = docx(&[("word/styles.xml", "<w:styles/>")]);
        assert_eq!(
            reason(&no_document),
            "corrupt .docx: no word/document.xml in the archive"
        );
        let mut ole = super::super::OLE_MAGIC.to_vec();
        ole.extend_from_slice(&[0; 504]);
        assert!(reason(&ole).contains("save it as .docx"));
        let broken = docx(&[("word/document.xml", "<w:document><w:body></w:p>")]);
        assert!(
            reason(&broken).contains("not well-formed XML"),
            "{}",
            reason(&broken)
        );
    }

    #[test]
    fn a_zip_bomb_is_refused_after_a_bounded_read() {
        // 64 MB of one character deflates to about 64 KB: a ratio of about 1,000.
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("word/document.xml", options).unwrap();
        let block = vec![b' '; 1 << 20];
        for _ in 0..64 {
            zip.write_all(&block).unwrap();
        }
        let bytes = zip.finish().unwrap().into_inner();
        assert!(bytes.len() < 1 << 20, "{}", bytes.len());
        let reason = extract(&bytes).unwrap_err();
        assert!(reason.contains("a zip bomb?"), "{reason}");
    }
}
