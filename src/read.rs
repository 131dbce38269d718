//! Stage 1a: paths → decoded reports (and the files skipped, with their reasons).
//!
//! Files are listed (folders recursively, in sorted order), read and decoded ([`crate::decode`])
//! in parallel with rayon, and returned in that order, so ids do not depend on thread timing.
//! `.html`/`.htm` give one line per text block, scripts, styles and navigation dropped, in time
//! linear in the page ([`crate::html`]). `.jsonl`/`.csv` tables with a `text` field
//! are pre-split units. Page chrome is recognised here ([`crate::chrome`]) and recorded as spans,
//! never deleted, so splitting can account for every character. Metadata comes from [`crate::meta`].
//!
//! A file that cannot be used is not an error: it becomes a [`Skipped`] with a one-line reason.

use crate::chrome::find_chrome;
use crate::config::ReadParams;
use crate::corpus::{ByteSpan, PresplitUnit, Report, ReportMeta, SectionKind, Skipped};
use crate::decode::decode;
use crate::error::{Error, Result};
use crate::meta::{self, Manifest};
use crate::text::trim_blank;
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

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
    Reader::new(files.len(), params, manifest).read(files, 0, progress)
}

/// Reads the inputs of a run in batches (a streamed `apply` reads a chunk at a time): ids are
/// positions among all the inputs, and a file with the bytes of one read in an earlier batch
/// is a duplicate of it. It keeps each report's hash and path (about 150 bytes a report).
pub struct Reader<'a> {
    params: &'a ReadParams,
    manifest: &'a Manifest,
    /// Digits of the ids (at least four): those of the number of inputs.
    width: usize,
    /// The files read so far, by SHA-256.
    seen: HashMap<String, String>,
}

impl<'a> Reader<'a> {
    /// A reader of `inputs` files in all.
    pub fn new(inputs: usize, params: &'a ReadParams, manifest: &'a Manifest) -> Reader<'a> {
        Reader {
            params,
            manifest,
            width: inputs.to_string().len().max(4),
            seen: HashMap::new(),
        }
    }

    /// Reads and decodes `files`, the inputs from position `first` on, in parallel; duplicates
    /// (same SHA-256 as a file read before) are kept once, the rest skipped, as are the entries
    /// the walk passed over. Calls `progress()` after each file.
    pub fn read(
        &mut self,
        files: &[Found],
        first: usize,
        progress: &(dyn Fn() + Sync),
    ) -> ReadOutput {
        let width = self.width;
        let results: Vec<std::result::Result<Report, Skipped>> = files
            .par_iter()
            .enumerate()
            .map(|(i, found)| {
                let id = format!("r{:0width$}", first + i);
                let result = match &found.skip {
                    Some(reason) => Err(Skipped {
                        id,
                        file: found.path.display().to_string(),
                        reason: reason.clone(),
                        sha256: None,
                    }),
                    None => read_one(&id, &found.path, self.params, self.manifest),
                };
                progress();
                result
            })
            .collect();
        let mut out = ReadOutput::default();
        for result in results {
            match result {
                Ok(report) => {
                    if let Some(first) = self.seen.get(&report.sha256) {
                        out.skipped.push(Skipped {
                            id: report.id,
                            reason: format!("duplicate of {first} (same SHA-256)"),
                            file: report.file,
                            sha256: Some(report.sha256),
                        });
                    } else {
                        self.seen.insert(report.sha256.clone(), report.file.clone());
                        out.reports.push(report);
                    }
                }
                Err(skipped) => out.skipped.push(skipped),
            }
        }
        out
    }
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
    let sha256 = format!("{:x}", Sha256::digest(&bytes));
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
    chrome: Vec<ByteSpan>,
    presplit: Option<Vec<PresplitUnit>>,
}

/// The text of a file's bytes by its kind (a table, HTML, a Word document, a PDF, plain text),
/// with the chrome found in it; the error is a one-line reason.
fn extract(path: &Path, bytes: Vec<u8>) -> std::result::Result<Extracted, String> {
    let document = |text: String, encoding, mut chrome: Vec<ByteSpan>| {
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
fn merge_spans(mut spans: Vec<ByteSpan>) -> Vec<ByteSpan> {
    spans.sort();
    let mut out: Vec<ByteSpan> = Vec::with_capacity(spans.len());
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

pub use crate::html::html_to_text;

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
