//! Stage 1a: paths → decoded reports (and the files skipped, with their reasons).
//!
//! Files are listed (folders recursively, in sorted order), read and decoded in parallel with
//! rayon, and returned in that order, so ids do not depend on thread timing. Decoding: a BOM
//! (UTF-8, UTF-16LE/BE) wins; else valid UTF-8; else chardetng's guess (GBK/GB18030, Big5, …),
//! refused if it does not decode cleanly; UTF-16 without a BOM is told by its NUL bytes.
//! `.html`/`.htm` give one line per text block, scripts, styles and navigation dropped, in time
//! linear in the page ([`crate::html`]). `.jsonl`/`.csv` tables with a `text` field
//! are pre-split units. Page chrome is recognised here ([`find_chrome`]) and recorded as spans,
//! never deleted, so splitting can account for every character. Metadata comes from [`crate::meta`].
//!
//! A file that cannot be used is not an error: it becomes a [`Skipped`] with a one-line reason.

use crate::config::ReadParams;
use crate::corpus::{PresplitUnit, Report, ReportMeta, SectionKind, Skipped, Span};
use crate::error::{Error, Result};
use crate::meta::{self, Manifest};
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

mod docx;
pub mod pdf;

/// Extensions read when walking a folder.
const EXTENSIONS: [&str; 11] = [
    "txt", "md", "html", "htm", "jsonl", "csv", "text", "docx", "pdf", "doc", "wps",
];

/// The result of reading: the usable reports and the skipped files, each in input order.
#[derive(Debug, Clone, Default)]
pub struct ReadOutput {
    /// Decoded reports.
    pub reports: Vec<Report>,
    /// Files not used, with reasons.
    pub skipped: Vec<Skipped>,
}

/// An input found under the given paths: a file to read, or an entry the walk passed over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// The path as given, or found under a given folder.
    pub path: PathBuf,
    /// Why it cannot be read, when the walk already knows (an unreadable folder, a link loop,
    /// a device, FIFO or socket); it is then skipped without being opened.
    pub skip: Option<String>,
}

impl Found {
    /// A file to read.
    pub fn file(path: impl Into<PathBuf>) -> Found {
        Found {
            path: path.into(),
            skip: None,
        }
    }
}

/// Lists the inputs under `paths`: folders walked recursively (links followed, a link back to
/// a folder above it named as a loop), entries sorted by file name, so files come in the sorted
/// order of their paths; files given by name are kept whatever their extension. A folder that
/// holds a policy-themes output (its marker, [`crate::output::MARKER`]) or is a run's work folder
/// is not entered, so an output inside an input folder is never read back. Unreadable folders,
/// loops and entries that are not regular files are listed with the reason they are skipped. A
/// path that does not exist is an error.
pub fn list_files(paths: &[PathBuf]) -> Result<Vec<Found>> {
    let mut files = Vec::new();
    for path in paths {
        match std::fs::metadata(path) {
            Ok(m) if m.is_dir() => walk(path, &mut files),
            Ok(_) => files.push(Found::file(path)),
            Err(_) => return Err(Error::MissingPath(path.clone())),
        }
    }
    Ok(files)
}

fn walk(root: &Path, out: &mut Vec<Found>) {
    let entries = walkdir::WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            !e.file_type().is_dir()
                || !(e
                    .file_name()
                    .to_str()
                    .is_some_and(crate::output::is_work_folder_name)
                    || crate::output::is_output_folder(e.path()))
        });
    for entry in entries {
        match entry {
            Ok(e) if e.file_type().is_dir() || !has_extension(e.path(), &EXTENSIONS) => {}
            Ok(e) if e.file_type().is_file() => out.push(Found::file(e.into_path())),
            Ok(e) => out.push(Found {
                skip: Some(format!("not a regular file ({})", kind(e.file_type()))),
                path: e.into_path(),
            }),
            Err(e) => {
                let Some(path) = e.path().map(Path::to_path_buf) else {
                    continue;
                };
                let is_dir = std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir())
                    || std::fs::metadata(&path).is_ok_and(|m| m.is_dir());
                let reason = if let Some(ancestor) = e.loop_ancestor() {
                    format!(
                        "a symbolic link loop (back to {})",
                        crate::error::escaped(&ancestor.display().to_string())
                    )
                } else if is_dir {
                    format!("unreadable folder: {}", io_reason(e))
                } else if has_extension(&path, &EXTENSIONS) {
                    format!("unreadable: {}", io_reason(e))
                } else {
                    continue;
                };
                out.push(Found {
                    path,
                    skip: Some(reason),
                });
            }
        }
    }
}

/// The I/O error inside a walk error, as a reason.
fn io_reason(e: walkdir::Error) -> String {
    match e.into_io_error() {
        Some(io) => io.to_string(),
        None => "cannot be walked".to_string(),
    }
}

/// What kind of entry a file type is, for a reason.
fn kind(t: std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if t.is_dir() {
        "a folder"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_fifo() {
        "a FIFO"
    } else if t.is_socket() {
        "a socket"
    } else {
        "not a file"
    }
}

fn has_extension(path: &Path, exts: &[&str]) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| exts.iter().any(|x| x.eq_ignore_ascii_case(e)))
}

/// Reads and decodes every file; duplicates (same SHA-256) are kept once, the rest skipped, as
/// are the entries the walk passed over.
pub fn read_files(files: &[Found], params: &ReadParams, manifest: &Manifest) -> ReadOutput {
    read_files_with_progress(files, params, manifest, &|| {})
}

/// As [`read_files`], calling `progress()` after each file is read or skipped.
pub fn read_files_with_progress(
    files: &[Found],
    params: &ReadParams,
    manifest: &Manifest,
    progress: &(dyn Fn() + Sync),
) -> ReadOutput {
    let width = files.len().to_string().len().max(4);
    let results: Vec<std::result::Result<Report, Skipped>> = files
        .par_iter()
        .enumerate()
        .map(|(i, found)| {
            let id = format!("r{i:0width$}");
            let result = match &found.skip {
                Some(reason) => Err(Skipped {
                    id,
                    file: found.path.display().to_string(),
                    reason: reason.clone(),
                    sha256: None,
                }),
                None => read_one(&id, &found.path, params, manifest),
            };
            progress();
            result
        })
        .collect();
    let mut out = ReadOutput::default();
    let mut seen: HashMap<String, String> = HashMap::new();
    for result in results {
        match result {
            Ok(report) => {
                if let Some(first) = seen.get(&report.sha256) {
                    out.skipped.push(Skipped {
                        id: report.id,
                        reason: format!("duplicate of {first} (same SHA-256)"),
                        file: report.file,
                        sha256: Some(report.sha256),
                    });
                } else {
                    seen.insert(report.sha256.clone(), report.file.clone());
                    out.reports.push(report);
                }
            }
            Err(skipped) => out.skipped.push(skipped),
        }
    }
    out
}

/// Reads one file into a report, or says why it cannot be used.
pub fn read_one(
    id: &str,
    path: &Path,
    params: &ReadParams,
    manifest: &Manifest,
) -> std::result::Result<Report, Skipped> {
    let file = path.display().to_string();
    let skip = |reason: String, sha256: Option<String>| Skipped {
        id: id.to_string(),
        file: file.clone(),
        reason,
        sha256,
    };
    let limit = (params.max_file_mb * 1024.0 * 1024.0) as u64;
    let too_large = |size: String| {
        skip(
            format!(
                "too large ({size} MB > read.max_file_mb = {})",
                params.max_file_mb
            ),
            None,
        )
    };
    let bytes = read_regular(path, limit).map_err(|e| match e {
        ReadFailure::Irregular(kind) => skip(format!("not a regular file ({kind})"), None),
        ReadFailure::Stat(len) => too_large(format!("{:.1}", len as f64 / 1048576.0)),
        ReadFailure::Read(limit) => too_large(format!("more than {:.1}", limit as f64 / 1048576.0)),
        ReadFailure::Io(e) => skip(format!("unreadable: {e}"), None),
    })?;
    let sha256 = hex(&Sha256::digest(&bytes));
    let Extracted {
        text,
        encoding,
        chrome,
        presplit,
    } = extract(path, bytes).map_err(|r| skip(r, Some(sha256.clone())))?;
    let mut report = Report {
        id: id.to_string(),
        file,
        sha256,
        encoding: encoding.to_string(),
        text,
        chrome,
        meta: ReportMeta::default(),
        presplit,
    };
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy())
        .unwrap_or_default();
    if report.presplit.is_none() {
        report.meta = meta::find_meta(&report.text, &report.chrome, &stem);
    } else {
        report.meta.stand_in = Some(stem.to_string());
    }
    manifest.apply(path, &mut report.meta);
    Ok(report)
}

/// What a file gives: its text, the name of its encoding or format, its chrome spans, and for a
/// table its units.
struct Extracted {
    text: String,
    encoding: &'static str,
    chrome: Vec<Span>,
    presplit: Option<Vec<PresplitUnit>>,
}

/// The text of a file's bytes by its kind (a table, HTML, a Word document, a PDF, plain text),
/// with the chrome found in it; the error is a one-line reason.
fn extract(path: &Path, bytes: Vec<u8>) -> std::result::Result<Extracted, String> {
    let document = |text: String, encoding, mut chrome: Vec<Span>| {
        if trim_blank(&text).is_empty() {
            return Err("empty: no text".to_string());
        }
        chrome.extend(find_chrome(&text));
        Ok(Extracted {
            chrome: merge_spans(chrome),
            text,
            encoding,
            presplit: None,
        })
    };
    let zipped = bytes.starts_with(b"PK\x03\x04");
    if has_extension(path, &["docx"]) || (has_extension(path, &["doc", "wps"]) && zipped) {
        return document(docx::extract(&bytes)?, "docx", Vec::new());
    }
    if has_extension(path, &["doc", "wps"]) {
        return Err(
            "an old Word or WPS document (.doc/.wps, not readable here): save it as .docx"
                .to_string(),
        );
    }
    if has_extension(path, &["pdf"]) {
        let (text, chrome) = pdf::extract(&bytes)?;
        return document(text, "pdf", chrome);
    }
    let (decoded, encoding) = decode(bytes)?;
    if decoded.trim().is_empty() {
        return Err("empty: no text".to_string());
    }
    if has_extension(path, &["jsonl", "csv"]) {
        let units = if has_extension(path, &["jsonl"]) {
            parse_jsonl(&decoded)
        } else {
            parse_csv(&decoded)
        }?;
        let text = units
            .iter()
            .map(|u| u.text.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        return Ok(Extracted {
            text,
            encoding,
            chrome: Vec::new(),
            presplit: Some(units),
        });
    }
    let text = if has_extension(path, &["html", "htm"]) {
        html_to_text(&decoded)
    } else {
        decoded
    };
    let chrome = find_chrome(&text);
    Ok(Extracted {
        text,
        encoding,
        chrome,
        presplit: None,
    })
}

/// Spans sorted, and any that overlap one kept before them dropped (a line a reader marked as
/// chrome may also be found by [`find_chrome`]).
fn merge_spans(mut spans: Vec<Span>) -> Vec<Span> {
    spans.sort();
    let mut out: Vec<Span> = Vec::with_capacity(spans.len());
    for s in spans {
        if out.last().is_none_or(|last| s.start >= last.end) {
            out.push(s);
        }
    }
    out
}

/// The first bytes of an OLE compound file: old `.doc` and `.wps` files, and Office documents
/// saved with a password.
const OLE_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// At most `cap` bytes read from `source`: `Err(None)` if it has more, `Err(Some(e))` if
/// reading fails. Memory is bounded by the cap, whatever the source claims its size is.
fn limited(
    source: impl std::io::Read,
    cap: u64,
) -> std::result::Result<Vec<u8>, Option<std::io::Error>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    source
        .take(cap.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(Some)?;
    if bytes.len() as u64 > cap {
        return Err(None);
    }
    Ok(bytes)
}

/// Why a file's bytes were not read.
enum ReadFailure {
    /// Not a regular file (a device, FIFO, socket or folder): never read.
    Irregular(&'static str),
    /// Its size as the system gives it is over the limit.
    Stat(u64),
    /// More than the limit came out of it (a file that grew, or that reports no size).
    Read(u64),
    /// Opening or reading failed.
    Io(std::io::Error),
}

/// The bytes of a regular file, at most `limit`: a device, FIFO or socket is refused before it
/// is opened (and checked again on the open file, which may have been swapped meanwhile, opened
/// without blocking so a FIFO cannot hang the run); at most `limit + 1` bytes are read, so a
/// file that grows or reports no size cannot exhaust memory.
fn read_regular(path: &Path, limit: u64) -> std::result::Result<Vec<u8>, ReadFailure> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    let meta = std::fs::metadata(path).map_err(ReadFailure::Io)?;
    if !meta.is_file() {
        return Err(ReadFailure::Irregular(kind(meta.file_type())));
    }
    if meta.len() > limit {
        return Err(ReadFailure::Stat(meta.len()));
    }
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .map_err(ReadFailure::Io)?;
    let opened = file.metadata().map_err(ReadFailure::Io)?;
    if !opened.is_file() {
        return Err(ReadFailure::Irregular(kind(opened.file_type())));
    }
    let mut bytes = Vec::with_capacity(opened.len().min(limit) as usize + 1);
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(ReadFailure::Io)?;
    if bytes.len() as u64 > limit {
        return Err(ReadFailure::Read(limit));
    }
    Ok(bytes)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Decodes bytes to text and names the encoding; the error is a one-line reason.
pub fn decode(bytes: Vec<u8>) -> std::result::Result<(String, &'static str), String> {
    if let Some((encoding, bom_len)) = encoding_rs::Encoding::for_bom(&bytes) {
        let (text, had_errors) = encoding.decode_without_bom_handling(&bytes[bom_len..]);
        if had_errors {
            return Err(format!(
                "undecodable: invalid {} after its BOM",
                encoding.name()
            ));
        }
        return Ok((text.into_owned(), encoding.name()));
    }
    let binary = || "binary: contains NUL bytes".to_string();
    // UTF-8 is taken as it is, without a copy.
    let bytes = match String::from_utf8(bytes) {
        Ok(text) if text.contains('\0') => {
            return utf16_without_bom(text.as_bytes()).ok_or_else(binary);
        }
        Ok(text) => return Ok((text, "UTF-8")),
        Err(e) => e.into_bytes(),
    };
    let bytes = bytes.as_slice();
    if bytes.contains(&0) {
        return utf16_without_bom(bytes).ok_or_else(binary);
    }
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(bytes, true);
    let encoding = detector.guess(Some(b"cn"), true);
    let (text, had_errors) = encoding.decode_without_bom_handling(bytes);
    if had_errors {
        return Err(format!(
            "undecodable: neither UTF-8 nor clean {}",
            encoding.name()
        ));
    }
    // Any byte string decodes as some single-byte code page; a Chinese report decodes to Han text.
    if !text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)) {
        return Err(format!(
            "undecodable: not UTF-8, UTF-16 or a Chinese encoding (best guess {}, no Chinese text)",
            encoding.name()
        ));
    }
    Ok((text.into_owned(), encoding.name()))
}

/// UTF-16 without a byte-order mark, for bytes with NULs that are not UTF-8: an ASCII
/// character (a digit, a line break) has a zero byte in UTF-16, which binary data has too, so
/// both byte orders are decoded and the one that reads as text is taken: it decodes cleanly,
/// has no NUL character, has Chinese in it, and at least 90% of its characters are Chinese,
/// ASCII or the punctuation Chinese text uses. Binary data decoded as UTF-16 is a scatter over
/// the whole range (a third of which is Han), as is text decoded in the wrong byte order.
fn utf16_without_bom(bytes: &[u8]) -> Option<(String, &'static str)> {
    if !bytes.len().is_multiple_of(2) {
        return None;
    }
    let textlike = |c: char| {
        c.is_ascii_graphic()
            || matches!(c, ' ' | '\n' | '\r' | '\t')
            || matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3000}'..='\u{303f}' | '\u{ff00}'..='\u{ffef}' | '\u{2000}'..='\u{206f}')
    };
    [encoding_rs::UTF_16LE, encoding_rs::UTF_16BE]
        .into_iter()
        .filter_map(|encoding| {
            let (text, had_errors) = encoding.decode_without_bom_handling(bytes);
            let chars = text.chars().count().max(1);
            let share = text.chars().filter(|&c| textlike(c)).count() as f64 / chars as f64;
            let chinese = text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
            (!had_errors && chinese && !text.contains('\0') && share >= 0.9)
                .then(|| (share, text.into_owned(), encoding.name()))
        })
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, text, name)| (text, name))
}

pub use crate::html::html_to_text;

/// Labels that open a line of page chrome (publication data, sharing, attachments, indexing).
const CHROME_LABELS: [&str; 30] = [
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
    "字号",
    "关闭窗口",
    "扫一扫",
];

/// Finds page chrome: whole lines of breadcrumbs and page labels, and inline docx artefacts such
/// as `[bookmark: _GoBack]`. Returns ascending, disjoint byte spans (lines without their newline).
pub fn find_chrome(text: &str) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        let lead = body.len() - trim_blank_start(body).len();
        let content = trim_blank(body);
        if !content.is_empty() && is_chrome_line(content) {
            spans.push(Span::new(offset + lead, offset + lead + content.len()));
        } else {
            let mut from = 0;
            while let Some(pos) = BOOKMARK.find(&body.as_bytes()[from..]) {
                let start = from + pos;
                let Some(close) = body[start..].find(']') else {
                    break;
                };
                let end = start + close + 1;
                spans.push(Span::new(offset + start, offset + end));
                from = end;
            }
            let tail = trim_blank(&body[from..]);
            if let Some(at) = trailing_chrome(tail) {
                let start = offset + (tail.as_ptr() as usize - body.as_ptr() as usize) + at;
                spans.push(Span::new(start, start + tail.len() - at));
            }
        }
        offset += line.len();
    }
    spans
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
    TRAILING_CHROME_LABELS
        .iter()
        .filter_map(|label| {
            let at = tail.find(label)?;
            let rest = &tail[at + label.len()..];
            let delimited = rest.is_empty()
                || label.ends_with('】')
                || rest.starts_with([':', '：', ' ', '\u{a0}', '\u{3000}', '|']);
            (delimited && tail[at..].chars().count() <= 80).then_some(last_sentence + at)
        })
        .min()
}

/// Whether a character is blank for accounting: white space, NBSP, U+3000 and zero-width marks.
pub fn is_blank(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{a0}' | '\u{3000}' | '\u{200b}' | '\u{feff}')
}

/// The number of characters of `s` that are not blank ([`is_blank`]). Every blank character is
/// ASCII or one of a few byte sequences (U+0085 and U+00A0 are C2 85 and C2 A0, U+1680 E1 9A 80,
/// U+2000–U+205F E2 80 or E2 81 then a byte, U+3000 E3 80 80, U+FEFF EF BB BF), so characters
/// are told by their bytes and only the E2 80/81 ones decoded: a report's text is counted at
/// memory speed rather than a character at a time (E3 and EF also lead the common Chinese
/// punctuation, which a test on the lead byte alone would decode).
pub fn count_nonblank(s: &str) -> usize {
    let b = s.as_bytes();
    let blank = (0..b.len())
        .filter(|&i| match b[i] {
            b'\t'..=b'\r' | b' ' => true,
            0xC2 => matches!(b.get(i + 1), Some(0x85 | 0xA0)),
            0xE1 => b[i + 1..].starts_with(&[0x9A, 0x80]),
            0xE2 => {
                matches!(b.get(i + 1), Some(0x80 | 0x81))
                    && s[i..].chars().next().is_some_and(is_blank)
            }
            0xE3 => b[i + 1..].starts_with(&[0x80, 0x80]),
            0xEF => b[i + 1..].starts_with(&[0xBB, 0xBF]),
            _ => false,
        })
        .count();
    s.chars().count() - blank
}

/// `s` without leading blanks.
pub fn trim_blank_start(s: &str) -> &str {
    s.trim_start_matches(is_blank)
}

/// `s` without leading or trailing blanks.
pub fn trim_blank(s: &str) -> &str {
    s.trim_matches(is_blank)
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

fn is_chrome_line(line: &str) -> bool {
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

/// Which field names a table may use.
#[derive(serde::Deserialize, Default)]
struct Row {
    id: Option<serde_json::Value>,
    text: Option<String>,
    township: Option<String>,
    county: Option<String>,
    province: Option<String>,
    year: Option<serde_json::Value>,
    section_kind: Option<String>,
    label: Option<serde_json::Value>,
}

fn value_string(v: &Option<serde_json::Value>) -> Option<String> {
    match v {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(s)) => Some(s.clone()),
        Some(other) => Some(other.to_string()),
    }
}

impl Row {
    fn into_unit(self) -> Option<PresplitUnit> {
        let text = self.text?;
        Some(PresplitUnit {
            id: value_string(&self.id),
            meta: ReportMeta {
                township: self.township.filter(|s| !s.is_empty()),
                county: self.county.filter(|s| !s.is_empty()),
                province: self.province.filter(|s| !s.is_empty()),
                year: value_string(&self.year).and_then(|y| y.trim().parse().ok()),
                ..ReportMeta::default()
            },
            section_kind: self.section_kind.as_deref().and_then(SectionKind::parse),
            label: value_string(&self.label).filter(|s| !s.is_empty()),
            // Row texts are joined by newlines into the report text, so fold any inside.
            text: text.replace(['\r', '\n'], " "),
        })
    }
}

/// Refuses a second row with the same id: ids name units in every output.
#[derive(Default)]
struct IdLines(HashMap<String, u64>);

impl IdLines {
    /// Notes that the unit on `line` has id `id` (if any); a repeated id is an error naming
    /// both lines.
    fn check(&mut self, unit: &PresplitUnit, line: u64) -> std::result::Result<(), String> {
        let Some(id) = &unit.id else {
            return Ok(());
        };
        match self.0.insert(id.clone(), line) {
            Some(first) => Err(format!("duplicate id {id:?} on lines {first} and {line}")),
            None => Ok(()),
        }
    }
}

fn parse_jsonl(text: &str) -> std::result::Result<Vec<PresplitUnit>, String> {
    let mut units = Vec::new();
    let mut ids = IdLines::default();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let row: Row =
            serde_json::from_str(line).map_err(|e| format!("bad JSON on line {}: {e}", i + 1))?;
        match row.into_unit() {
            Some(u) => {
                ids.check(&u, i as u64 + 1)?;
                units.push(u)
            }
            None => {
                return Err(format!(
                    "line {} has no `text` field (a manifest? pass it with --manifest)",
                    i + 1
                ));
            }
        }
    }
    if units.is_empty() {
        return Err("empty: no rows".to_string());
    }
    Ok(units)
}

fn parse_csv(text: &str) -> std::result::Result<Vec<PresplitUnit>, String> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| format!("bad CSV header: {e}"))?
        .clone();
    if !headers.iter().any(|h| h.trim() == "text") {
        return Err("no `text` column (a manifest? pass it with --manifest)".to_string());
    }
    let mut units = Vec::new();
    let mut ids = IdLines::default();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| format!("bad CSV row {}: {e}", i + 2))?;
        let line = record.position().map_or(i as u64 + 2, |p| p.line());
        let field = |name: &str| {
            headers
                .iter()
                .position(|h| h.trim() == name)
                .and_then(|p| record.get(p))
                .map(|s| s.to_string())
        };
        let row = Row {
            id: field("id").map(serde_json::Value::String),
            text: field("text"),
            township: field("township"),
            county: field("county"),
            province: field("province"),
            year: field("year").map(serde_json::Value::String),
            section_kind: field("section_kind"),
            label: field("label").map(serde_json::Value::String),
        };
        if let Some(unit) = row.into_unit() {
            ids.check(&unit, line)?;
            units.push(unit);
        }
    }
    if units.is_empty() {
        return Err("empty: no rows".to_string());
    }
    Ok(units)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_utf8_bom_utf16_and_gbk_to_the_same_text() {
        let text = "江湾镇2023年法治政府建设情况年度报告\n一、加强组织领导\n";
        let (plain, enc) = decode(text.into()).unwrap();
        assert_eq!((plain.as_str(), enc), (text, "UTF-8"));
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(text.as_bytes());
        assert_eq!(decode(bom).unwrap().0, text);
        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend(text.encode_utf16().flat_map(|u| u.to_le_bytes()));
        assert_eq!(decode(utf16).unwrap(), (text.to_string(), "UTF-16LE"));
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        let (back, enc) = decode(gbk.into_owned()).unwrap();
        assert_eq!(back, text);
        assert!(enc == "GBK" || enc == "gb18030", "{enc}");
    }

    #[test]
    fn nonblank_count_is_the_character_count() {
        let every_blank: String = (0..=0x10FFFFu32)
            .filter_map(char::from_u32)
            .filter(|&c| is_blank(c))
            .collect();
        let text = format!(
            "{every_blank}一、加强领导。\u{3000}（一）“八五”普法、调解\r\n2023年 ¡ ← ｜\u{feff}\u{2060}\u{1681}\u{fefe}\u{3001}"
        );
        let seed = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/data/sample/000_befa4e22df0f3e2b.txt"
        ))
        .expect("a seed report");
        for s in [text.as_str(), seed.as_str(), ""] {
            assert_eq!(
                count_nonblank(s),
                s.chars().filter(|&c| !is_blank(c)).count()
            );
        }
        assert_eq!(count_nonblank(&every_blank), 0);
    }

    #[test]
    fn utf16_without_a_bom_is_decoded_and_binary_is_not() {
        let text = "江湾镇2023年法治政府建设情况年度报告\n一、加强组织领导，进一步统一思想。\n";
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert_eq!(decode(le).unwrap(), (text.to_string(), "UTF-16LE"));
        assert_eq!(decode(be).unwrap(), (text.to_string(), "UTF-16BE"));
        let noise: Vec<u8> = (0u32..4096)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .chain([0, 0x41, 0, 0x42])
            .collect();
        assert!(decode(noise).unwrap_err().starts_with("binary"));
    }

    #[test]
    fn only_regular_files_are_read_and_at_most_the_limit() {
        let none = Manifest::default();
        let skipped =
            read_one("r0", Path::new("/dev/null"), &ReadParams::default(), &none).unwrap_err();
        assert_eq!(skipped.reason, "not a regular file (a character device)");
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe.txt");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.unwrap().success());
        // Refused before it is opened: opening a FIFO with no writer would block.
        let skipped = read_one("r0", &fifo, &ReadParams::default(), &none).unwrap_err();
        assert_eq!(skipped.reason, "not a regular file (a FIFO)");
        // /proc files report a size of 0 but have content: the limit applies to what is read.
        let tiny = ReadParams {
            max_file_mb: 0.0001,
            ..ReadParams::default()
        };
        let skipped = read_one("r0", Path::new("/proc/self/maps"), &tiny, &none).unwrap_err();
        assert!(
            skipped.reason.starts_with("too large (more than"),
            "{}",
            skipped.reason
        );
    }

    #[test]
    fn a_repeated_id_in_a_table_is_refused_with_its_lines() {
        let jsonl = "{\"id\": 7, \"text\": \"甲\"}\n\n{\"id\": 8, \"text\": \"乙\"}\n{\"id\": 7, \"text\": \"丙\"}\n";
        assert_eq!(
            parse_jsonl(jsonl).unwrap_err(),
            "duplicate id \"7\" on lines 1 and 4"
        );
        let csv = "id,text\na,\"甲\n甲\"\nb,乙\na,丙\n";
        assert_eq!(
            parse_csv(csv).unwrap_err(),
            "duplicate id \"a\" on lines 2 and 5"
        );
        // Rows without ids are fine.
        assert_eq!(parse_csv("text\n甲\n甲\n").unwrap().len(), 2);
    }

    #[test]
    fn binary_is_refused() {
        assert!(
            decode(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec())
                .unwrap_err()
                .starts_with("binary")
        );
    }

    #[test]
    fn chrome_run_into_the_end_of_a_flattened_page_is_found() {
        let text = "全面推进法治政府建设。相关附件:相关信息\n某镇人民政府2025年1月20日分享到:\n第五条 打印机的采购依照本办法。\n";
        let found: Vec<&str> = find_chrome(text).iter().map(|s| s.of(text)).collect();
        assert_eq!(found, ["相关附件:相关信息", "分享到:"]);
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

    #[test]
    fn html_blocks_become_lines_without_scripts() {
        let html = "<html><head><title>渠南街道报告</title><script>var x=1;</script></head><body><nav>首页 导航</nav><div><p>一、主要举措</p><p>（一）加强<b>领导</b>。</p></div></body></html>";
        assert_eq!(
            html_to_text(html),
            "渠南街道报告\n一、主要举措\n（一）加强领导。\n"
        );
    }

    #[test]
    fn jsonl_rows_become_presplit_units_with_labels() {
        let units =
            parse_jsonl("{\"id\": 7, \"text\": \"农村依然很重视土葬\", \"label\": \"news\"}\n")
                .unwrap();
        assert_eq!(units[0].id.as_deref(), Some("7"));
        assert_eq!(units[0].label.as_deref(), Some("news"));
        assert!(
            parse_jsonl("{\"file\": \"a.txt\"}\n")
                .unwrap_err()
                .contains("no `text`")
        );
    }
}
