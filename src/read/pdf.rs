//! `.pdf` with a text layer → text: glyphs from `pdf-extract` (fonts, CID encodings and
//! ToUnicode maps) with their positions, built here into lines by baseline and into paragraphs
//! by layout, as a reader sees them:
//!
//! - **Lines**: glyphs on one baseline, in content order. A space is put between two glyphs only
//!   where the gap is wide and neither side is Chinese, so `2024年` stays whole (a space between
//!   Han and a digit or letter, which PDF exports often carry, is dropped).
//! - **Paragraphs**: a line ends its paragraph when it ends with 。！？ (or one and a closing
//!   quote), stops short of the right margin, or is followed by a wider gap, an indented line,
//!   a line of another size, or a line opening with a heading marker (`一、`, `（一）`, `1.`).
//!   The lines of a paragraph are joined without a break (with a space between Latin words).
//! - **Page furniture**: the first and last lines of a page that are a page number (`- 3 -`,
//!   `第3页`, `3/12`, `第 3 页 共 12 页`) or repeat on most pages (a running header or footer)
//!   become lines of their own after the paragraph they interrupt, recorded as chrome.
//!
//! A PDF without a text layer (a scan) is refused, as are encrypted PDFs that need a password,
//! PDFs of more than [`MAX_PAGES`] pages, and any whose compressed streams inflate beyond
//! [`MAX_STREAM`] (or [`MAX_INFLATED`] in all): they are checked, through capped decoders,
//! before the parser inflates them without a limit.

use crate::corpus::ByteSpan;
use crate::text::is_han;
use lopdf::Document;
use pdf_extract::{MediaBox, OutputDev, OutputError, Transform};

/// The most pages read: more is not a report.
pub const MAX_PAGES: usize = 2_000;
/// The most bytes one stream may inflate to.
const MAX_STREAM: u64 = 64 * 1024 * 1024;
/// The most bytes all streams together may inflate to.
const MAX_INFLATED: u64 = 512 * 1024 * 1024;
/// The reason given for a PDF without text.
pub const NO_TEXT: &str = "no text layer (scanned PDF: OCR it first)";

/// Runs the parser with its panics caught: `pdf-extract` and `lopdf` index and unwrap freely,
/// and a hostile or broken PDF makes them panic. They keep no state across calls, and the
/// document is dropped after a failure.
fn contained<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    crate::error::contained(f)
        .map_err(|message| format!("corrupt PDF: the parser failed ({message})"))
}

/// The text of a PDF and its page furniture as chrome spans, or a one-line reason it cannot be
/// read.
pub fn extract(bytes: &[u8]) -> Result<(String, Vec<ByteSpan>), String> {
    let head = &bytes[..bytes.len().min(1024)];
    if memchr::memmem::find(head, b"%PDF-").is_none() {
        return Err("not a PDF (no %PDF- header)".to_string());
    }
    check_streams(bytes)?;
    let doc = contained(|| Document::load_mem(bytes))?.map_err(|e| match e {
        lopdf::Error::InvalidPassword | lopdf::Error::Decryption(_) => encrypted(),
        e => format!("corrupt PDF: {e}"),
    })?;
    if doc.is_encrypted() {
        return Err(encrypted());
    }
    let pages = contained(|| doc.get_pages().len())?;
    if pages > MAX_PAGES {
        return Err(format!("too many pages ({pages} > {MAX_PAGES})"));
    }
    if pages == 0 {
        return Err("corrupt PDF: no pages".to_string());
    }
    if doc.was_encrypted() {
        // Encrypted streams could not be checked before they were decrypted.
        let mut total = 0;
        for object in doc.objects.values() {
            if let lopdf::Object::Stream(s) = object {
                total += inflated_size(&s.content, &filters(&s.dict), total)?;
            }
        }
    }
    let mut glyphs = Glyphs::default();
    contained(|| pdf_extract::output_doc(&doc, &mut glyphs))?
        .map_err(|e| format!("corrupt PDF: {e}"))?;
    let lines = glyphs.into_lines();
    let (text, chrome) = layout(&lines);
    let body: usize = text.chars().filter(|c| !crate::text::is_blank(*c)).count();
    let chrome_chars: usize = chrome
        .iter()
        .map(|s| {
            s.of(&text)
                .chars()
                .filter(|c| !crate::text::is_blank(*c))
                .count()
        })
        .sum();
    if body == chrome_chars {
        return Err(NO_TEXT.to_string());
    }
    Ok((text, chrome))
}

fn encrypted() -> String {
    "encrypted PDF: it needs a password to open (save a copy without one)".to_string()
}

/// The filter names of a stream dictionary, in decoding order.
fn filters(dict: &lopdf::Dictionary) -> Vec<Vec<u8>> {
    match dict.get(b"Filter") {
        Ok(lopdf::Object::Name(n)) => vec![n.clone()],
        Ok(lopdf::Object::Array(a)) => a
            .iter()
            .filter_map(|o| o.as_name().ok().map(<[u8]>::to_vec))
            .collect(),
        _ => Vec::new(),
    }
}

/// Checks every stream of the raw file before the parser inflates them without a limit: each
/// compressed stream (`/FlateDecode`, `/LZWDecode`) is inflated through a capped decoder, and a
/// cross-reference stream's field widths (which the parser allocates) must be sane. The
/// stream's dictionary is the text between the `obj` keyword before it and `stream`.
fn check_streams(bytes: &[u8]) -> Result<(), String> {
    let mut total = 0u64;
    let mut from = 0;
    while let Some(at) = memchr::memmem::find(&bytes[from..], b"stream") {
        let start = from + at;
        from = start + 6;
        // `endstream` and words ending in `stream` are not stream starts.
        if start > 0 && bytes[start - 1].is_ascii_alphabetic() {
            continue;
        }
        let data = match bytes.get(from..) {
            Some([b'\r', b'\n', rest @ ..]) | Some([b'\n', rest @ ..]) => rest,
            _ => continue,
        };
        let window = &bytes[start.saturating_sub(4096)..start];
        let dict = match memchr::memmem::rfind(window, b"obj") {
            Some(obj) => &window[obj..],
            None => window,
        };
        if let Some(w) = memchr::memmem::find(dict, b"/W") {
            let widths = dict[w + 2..]
                .split(|b| !b.is_ascii_digit())
                .filter(|d| !d.is_empty())
                .take(3)
                .filter_map(|d| std::str::from_utf8(d).ok()?.parse::<u64>().ok());
            if dict[w + 2..].trim_ascii_start().starts_with(b"[") && widths.clone().any(|w| w > 8) {
                return Err(
                    "corrupt PDF: a cross-reference stream with absurd field widths".into(),
                );
            }
        }
        let named = |name: &[u8]| memchr::memmem::find(dict, name).is_some();
        let filter: Vec<Vec<u8>> = if named(b"/FlateDecode") || named(b"/Fl ") || named(b"/Fl/") {
            vec![b"FlateDecode".to_vec()]
        } else if named(b"/LZWDecode") {
            vec![b"LZWDecode".to_vec()]
        } else {
            continue;
        };
        total += inflated_size(data, &filter, total)?;
    }
    Ok(())
}

/// How many bytes a stream's first filter inflates `data` to (0 for filters that do not
/// inflate; as far as it decodes for data that does not: the parser reports that), or the
/// reason it is refused: more than [`MAX_STREAM`], or more than [`MAX_INFLATED`] with `so_far`.
fn inflated_size(data: &[u8], filters: &[Vec<u8>], so_far: u64) -> Result<u64, String> {
    let cap = MAX_STREAM.min(MAX_INFLATED.saturating_sub(so_far));
    let mut sink = CappedSink { len: 0, cap };
    // A decoding error (or the sink refusing more) ends the decoding; the length tells which.
    match filters.first().map(Vec::as_slice) {
        Some(b"FlateDecode" | b"Fl") => {
            let _ = std::io::copy(&mut flate2::read::ZlibDecoder::new(data), &mut sink);
        }
        Some(b"LZWDecode" | b"LZW") => {
            let mut decoder =
                weezl::decode::Decoder::with_tiff_size_switch(weezl::BitOrder::Msb, 8);
            let _ = decoder.into_stream(&mut sink).decode_all(data).status;
        }
        _ => return Ok(0),
    }
    if sink.len <= cap {
        Ok(sink.len)
    } else if cap < MAX_STREAM {
        Err(format!(
            "corrupt PDF: its streams inflate to more than {} MB in all",
            MAX_INFLATED >> 20
        ))
    } else {
        Err(format!(
            "corrupt PDF: a stream inflates to more than {} MB",
            MAX_STREAM >> 20
        ))
    }
}

/// A writer that only counts, and fails past its cap.
struct CappedSink {
    len: u64,
    cap: u64,
}

impl std::io::Write for CappedSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.len += buf.len() as u64;
        if self.len > self.cap {
            return Err(std::io::Error::other("over the cap"));
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// One glyph as drawn: its text, where it starts and ends on its baseline, and its size (in
/// points, y growing down the page).
#[derive(Debug, Clone)]
struct Glyph {
    text: String,
    x: f64,
    end: f64,
    y: f64,
    size: f64,
}

/// A line of a page: glyphs on one baseline.
#[derive(Debug, Clone, Default)]
struct Line {
    text: String,
    x0: f64,
    x1: f64,
    y: f64,
    size: f64,
    page: u32,
    /// The width of the line's leading run of Latin letters, digits, quotes and brackets, which a line
    /// break cannot split (`(2021-2025` before `年`): the line before may stop short by that much
    /// without ending its paragraph.
    lead: f64,
}

/// The glyphs of every page, as `pdf-extract` draws them ([`OutputDev`]).
#[derive(Debug, Default)]
struct Glyphs {
    pages: Vec<Vec<Glyph>>,
    flip: Option<Transform>,
}

impl OutputDev for Glyphs {
    fn begin_page(
        &mut self,
        _page: u32,
        media_box: &MediaBox,
        _art_box: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), OutputError> {
        self.flip = Some(Transform::row_major(
            1.,
            0.,
            0.,
            -1.,
            0.,
            media_box.ury - media_box.lly,
        ));
        self.pages.push(Vec::new());
        Ok(())
    }

    fn end_page(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn output_character(
        &mut self,
        trm: &Transform,
        width: f64,
        _spacing: f64,
        font_size: f64,
        text: &str,
    ) -> Result<(), OutputError> {
        let (Some(flip), Some(page)) = (self.flip, self.pages.last_mut()) else {
            return Ok(());
        };
        let at = trm.post_transform(&flip);
        let scaled = trm.transform_vector(euclid::vec2(font_size, font_size));
        let size = (scaled.x * scaled.y).abs().sqrt();
        let text: String = text
            .chars()
            .filter(|c| !c.is_control())
            .map(normal)
            .collect();
        if text.is_empty() || !size.is_finite() || !at.m31.is_finite() || !at.m32.is_finite() {
            return Ok(());
        }
        page.push(Glyph {
            text,
            x: at.m31,
            end: at.m31 + width * size,
            y: at.m32,
            size,
        });
        Ok(())
    }

    fn begin_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn end_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn end_line(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
}

/// A character as text wants it: the Kangxi radicals and compatibility ideographs that some
/// fonts map their Han glyphs to (`⼀` U+2F00 for `一`) become the ideographs they look like.
fn normal(c: char) -> char {
    use unicode_normalization::UnicodeNormalization;
    if matches!(c, '\u{2e80}'..='\u{2fdf}' | '\u{f900}'..='\u{faff}') {
        let mut n = std::iter::once(c).nfkc();
        match (n.next(), n.next()) {
            (Some(one), None) => one,
            _ => c,
        }
    } else {
        c
    }
}

/// Whether `c` is Chinese for spacing: Han, or full-width and CJK punctuation.
fn is_cjk(c: char) -> bool {
    is_han(c)
        || matches!(c, '\u{3000}'..='\u{303f}' | '\u{ff00}'..='\u{ffef}' | '\u{2014}'..='\u{201f}')
}

impl Glyphs {
    /// The lines of every page: a glyph off the current baseline by more than half its size
    /// starts a new line. A space is put where the gap is wider than a third of the size and
    /// neither side is Chinese; a space drawn between Chinese and a Latin letter or digit is
    /// dropped.
    fn into_lines(self) -> Vec<Line> {
        let mut lines = Vec::new();
        for (page, glyphs) in self.pages.into_iter().enumerate() {
            let mut line: Option<Line> = None;
            for g in glyphs {
                let same = line
                    .as_ref()
                    .is_some_and(|l| (g.y - l.y).abs() <= 0.5 * g.size.max(l.size));
                if !same {
                    lines.extend(line.take());
                    line = Some(Line {
                        x0: g.x,
                        x1: g.x,
                        y: g.y,
                        size: g.size,
                        page: page as u32,
                        text: String::new(),
                        lead: 0.0,
                    });
                }
                let Some(l) = line.as_mut() else { continue };
                let last = l.text.chars().next_back();
                let first = g.text.chars().next();
                if let (Some(a), Some(b)) = (last, first)
                    && g.x - l.x1 > g.size / 3.0
                    && !is_cjk(a)
                    && !is_cjk(b)
                    && a != ' '
                    && b != ' '
                {
                    l.text.push(' ');
                }
                if l.lead == l.x1 - l.x0 && !g.text.chars().any(is_han) {
                    l.lead = g.end - l.x0;
                }
                l.text.push_str(&g.text);
                l.x1 = l.x1.max(g.end);
                l.size = l.size.max(g.size);
            }
            lines.extend(line);
        }
        for l in &mut lines {
            l.text = drop_mixed_spaces(&l.text);
        }
        lines.retain(|l| !l.text.trim().is_empty());
        lines
    }
}

/// `s` without the spaces between a Chinese character and a Latin letter or digit.
fn drop_mixed_spaces(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    for (i, &c) in chars.iter().enumerate() {
        if c == ' ' && i > 0 {
            let before = chars[..i].iter().rev().find(|&&p| p != ' ');
            let after = chars[i + 1..].iter().find(|&&n| n != ' ');
            if let (Some(&a), Some(&b)) = (before, after)
                && ((is_cjk(a) && b.is_ascii_alphanumeric())
                    || (a.is_ascii_alphanumeric() && is_cjk(b))
                    || (is_cjk(a) && is_cjk(b)))
            {
                continue;
            }
        }
        out.push(c);
    }
    out
}

/// Whether a line is a page number: `3`, `- 3 -`, `—3—`, `第3页`, `第 3 页 共 12 页`, `3/12`,
/// `共12页 第3页`, `Page 3 of 12`.
fn is_page_number(line: &str) -> bool {
    static PAGE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"(?i)^(?:[-－—–_·•]*\d{1,4}[-－—–_·•]*|(?:第\d{1,4}页|page\d{1,4}|\d{1,4})(?:[/／]\d{1,4}|[/／,，]?共\d{1,4}页|of\d{1,4})?|共\d{1,4}页[,，]?第\d{1,4}页)$",
        )
        .expect("a valid pattern")
    });
    let s: String = line
        .chars()
        .filter(|c| !crate::text::is_blank(*c))
        .collect();
    PAGE.is_match(&s)
}

/// The text of a line with its digits blanked, to see it repeat from page to page.
fn shape(line: &str) -> String {
    line.chars()
        .filter(|c| !crate::text::is_blank(*c))
        .map(|c| if c.is_ascii_digit() { '#' } else { c })
        .collect()
}

/// Which lines are page furniture: among the first two and last two lines of each page, those
/// that are page numbers, or whose text (digits aside) is at the top or bottom of at least half
/// the pages (and two or more).
fn furniture(lines: &[Line]) -> Vec<bool> {
    let pages = lines.last().map_or(0, |l| l.page as usize + 1);
    // Lines come page by page: the first two and the last two of each.
    let mut ends: Vec<Vec<usize>> = vec![Vec::new(); pages];
    let mut first = 0;
    for page in lines.chunk_by(|a, b| a.page == b.page) {
        let n = page.len();
        ends[page[0].page as usize]
            .extend((first..first + n).filter(|i| i - first < 2 || i - first + 2 >= n));
        first += n;
    }
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for page in &ends {
        let shapes: std::collections::BTreeSet<String> =
            page.iter().map(|&i| shape(&lines[i].text)).collect();
        for s in shapes {
            *seen.entry(s).or_default() += 1;
        }
    }
    let mut marks = vec![false; lines.len()];
    for &i in ends.iter().flatten() {
        let repeats = seen[&shape(&lines[i].text)];
        marks[i] = is_page_number(&lines[i].text) || (repeats >= 2 && 2 * repeats >= pages);
    }
    marks
}

/// Whether a line ends a sentence: 。！？ last, or before closing quotes and brackets.
fn ends_sentence(text: &str) -> bool {
    text.trim_end_matches(|c: char| crate::text::is_blank(c) || "”’」』）)\"".contains(c))
        .ends_with(['。', '！', '？', '!', '?'])
}

/// Lines → text: paragraphs one per line, page furniture on lines of its own after the
/// paragraph it interrupts, recorded as chrome spans.
fn layout(lines: &[Line]) -> (String, Vec<ByteSpan>) {
    let marks = furniture(lines);
    let body: Vec<&Line> = lines
        .iter()
        .zip(&marks)
        .filter(|(_, m)| !**m)
        .map(|(l, _)| l)
        .collect();
    // The body's right margin and left edge, and the usual distance between lines.
    let right = body.iter().map(|l| l.x1).fold(f64::MIN, f64::max);
    let left = body.iter().map(|l| l.x0).fold(f64::MAX, f64::min);
    let mut steps: Vec<f64> = body
        .windows(2)
        .filter(|w| w[0].page == w[1].page && w[1].y > w[0].y)
        .map(|w| w[1].y - w[0].y)
        .collect();
    steps.sort_by(f64::total_cmp);
    let step = steps.get(steps.len() / 2).copied().unwrap_or(f64::MAX);
    let mut text = String::new();
    let mut chrome = Vec::new();
    let mut pending: Vec<&Line> = Vec::new();
    let mut prev: Option<&Line> = None;
    let mut put_pending = |text: &mut String, pending: &mut Vec<&Line>| {
        for l in pending.drain(..) {
            let content = l.text.trim();
            let start = text.len();
            text.push_str(content);
            chrome.push(ByteSpan::new(start, text.len()));
            text.push('\n');
        }
    };
    let indented = |l: &Line| {
        l.text.starts_with(['\u{3000}', '\u{a0}'])
            || l.text.starts_with("  ")
            || l.x0 > left + 1.5 * l.size
    };
    // Where paragraphs open indented, a full line ending with 。 may go on in the next.
    let indents = body.iter().filter(|l| indented(l)).count() >= 3;
    for (line, &furniture) in lines.iter().zip(&marks) {
        if furniture {
            if prev.is_none() {
                put_pending(&mut text, &mut vec![line]);
            } else {
                pending.push(line);
            }
            continue;
        }
        if let Some(p) = prev {
            let room = right - p.x1;
            let short = room > (2.0 * p.size).max(line.lead + 1.5 * p.size);
            let gap = line.page == p.page && line.y - p.y > 1.6 * step;
            let breaks = short
                || gap
                || (ends_sentence(&p.text) && !indents)
                || indented(line)
                || (line.size - p.size).abs() > 0.15 * p.size
                || crate::split::starts_with_marker(&line.text);
            if breaks {
                text.push('\n');
                put_pending(&mut text, &mut pending);
                if gap {
                    // A blank line, as the page shows one.
                    text.push('\n');
                }
            } else {
                let (a, b) = (text.chars().next_back(), line.text.chars().next());
                if a.zip(b)
                    .is_some_and(|(a, b)| a.is_ascii_alphanumeric() && b.is_ascii_alphanumeric())
                {
                    text.push(' ');
                }
            }
        }
        text.push_str(&line.text);
        prev = Some(line);
    }
    if prev.is_some() {
        text.push('\n');
    }
    put_pending(&mut text, &mut pending);
    (text, chrome)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(text: &str, x0: f64, x1: f64, y: f64, page: u32) -> Line {
        Line {
            text: text.to_string(),
            x0,
            x1,
            y,
            size: 10.0,
            page,
            lead: 0.0,
        }
    }

    #[test]
    fn page_numbers_are_told_from_text() {
        for s in [
            "- 3 -",
            "—3—",
            "3",
            "第3页",
            "第 3 页 共 12 页",
            "3/12",
            "Page 3 of 12",
            "第3页/共12页",
            "共12页 第3页",
        ] {
            assert!(is_page_number(s), "{s}");
        }
        for s in ["2023年", "一、主要举措", "3.加强领导", "12345", "第三章"] {
            assert!(!is_page_number(s), "{s}");
        }
    }

    #[test]
    fn spaces_between_chinese_and_latin_are_dropped() {
        assert_eq!(
            drop_mixed_spaces("委员会 2024 年 工作 PDF file"),
            "委员会2024年工作PDF file"
        );
    }

    #[test]
    fn lines_become_paragraphs_and_furniture_moves_out_of_the_way() {
        let lines = [
            line("XX镇人民政府", 100.0, 160.0, 30.0, 0),
            line("一、加强组织领导", 100.0, 180.0, 100.0, 0),
            line(
                "我镇成立了以镇长为组长的工作领导小组，对法治建设各项工",
                100.0,
                400.0,
                115.0,
                0,
            ),
            line(
                "作做了具体的细化和分解，明确了任务目标，制定了工作计划",
                100.0,
                400.0,
                130.0,
                0,
            ),
            line("- 1 -", 240.0, 260.0, 800.0, 0),
            line("XX镇人民政府", 100.0, 160.0, 30.0, 1),
            line("，确保责任到位。", 100.0, 180.0, 100.0, 1),
            line("（一）完善制度", 100.0, 180.0, 115.0, 1),
            line("- 2 -", 240.0, 260.0, 800.0, 1),
        ];
        let (text, chrome) = layout(&lines);
        assert_eq!(
            text,
            "XX镇人民政府\n一、加强组织领导\n我镇成立了以镇长为组长的工作领导小组，对法治建设各项工作做了具体的细化和分解，明确了任务目标，制定了工作计划，确保责任到位。\n- 1 -\nXX镇人民政府\n（一）完善制度\n- 2 -\n"
        );
        let found: Vec<&str> = chrome.iter().map(|s| s.of(&text)).collect();
        assert_eq!(found, ["XX镇人民政府", "- 1 -", "XX镇人民政府", "- 2 -"]);
    }

    /// A PDF of the given objects (numbered from 1; the first is the catalog), with its
    /// cross-reference table.
    fn raw_pdf(objects: &[&str]) -> Vec<u8> {
        let mut pdf = b"%PDF-1.4\n".to_vec();
        let mut offsets = Vec::new();
        for (i, body) in objects.iter().enumerate() {
            offsets.push(pdf.len());
            pdf.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
        }
        let xref = pdf.len();
        pdf.extend_from_slice(
            format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
        );
        for o in offsets {
            pdf.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
        }
        pdf.extend_from_slice(
            format!(
                "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
                objects.len() + 1
            )
            .as_bytes(),
        );
        pdf
    }

    #[test]
    fn a_pdf_the_parser_panics_on_is_skipped_with_a_reason() {
        // pdf-extract expects every page to have a MediaBox, and panics without one.
        let content = "BT /F1 12 Tf 72 700 Td (Hello) Tj ET";
        let pdf = raw_pdf(&[
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
            &format!(
                "<< /Length {} >>\nstream\n{content}\nendstream",
                content.len()
            ),
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ]);
        let reason = extract(&pdf).unwrap_err();
        assert!(
            reason.starts_with("corrupt PDF: the parser failed (MediaBox"),
            "{reason}"
        );
        // The same page with its MediaBox reads.
        let pdf = raw_pdf(&[
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 595 842] >>",
            "<< /Type /Page /Parent 2 0 R /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
            &format!(
                "<< /Length {} >>\nstream\n{content}\nendstream",
                content.len()
            ),
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ]);
        assert_eq!(extract(&pdf).unwrap().0, "Hello\n");
    }

    #[test]
    fn an_absurd_page_count_is_refused() {
        let pages = MAX_PAGES + 1;
        let kids: Vec<String> = (0..pages).map(|i| format!("{} 0 R", i + 3)).collect();
        let pages_dict = format!(
            "<< /Type /Pages /Kids [{}] /Count {pages} /MediaBox [0 0 595 842] >>",
            kids.join(" ")
        );
        let mut objects = vec!["<< /Type /Catalog /Pages 2 0 R >>", pages_dict.as_str()];
        objects.extend(std::iter::repeat_n(
            "<< /Type /Page /Parent 2 0 R >>",
            pages,
        ));
        assert_eq!(
            extract(&raw_pdf(&objects)).unwrap_err(),
            format!("too many pages ({pages} > {MAX_PAGES})")
        );
    }

    #[test]
    fn streams_that_inflate_too_far_are_refused_before_parsing() {
        use std::io::Write;
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        let block = vec![0u8; 1 << 20];
        for _ in 0..(MAX_STREAM >> 20) + 1 {
            z.write_all(&block).unwrap();
        }
        let bomb = z.finish().unwrap();
        let mut pdf =
            b"%PDF-1.7\n1 0 obj\n<< /Length 10 /Filter /FlateDecode >>\nstream\n".to_vec();
        pdf.extend_from_slice(&bomb);
        pdf.extend_from_slice(b"\nendstream\nendobj\n%%EOF\n");
        assert_eq!(
            extract(&pdf).unwrap_err(),
            "corrupt PDF: a stream inflates to more than 64 MB"
        );
        let widths = b"%PDF-1.7\n1 0 obj\n<< /Type /XRef /W [1 99999999999 1] /Size 3 >>\nstream\nabc\nendstream\nendobj\n";
        assert!(extract(widths).unwrap_err().contains("absurd field widths"));
        assert_eq!(
            extract(b"hello").unwrap_err(),
            "not a PDF (no %PDF- header)"
        );
        assert!(
            extract(b"%PDF-1.4\ngarbage")
                .unwrap_err()
                .starts_with("corrupt PDF")
        );
    }
}
