//! The word lists in force: the bundled lexicon, stop words and stop phrases, the analyst's
//! files and entries, resolved into one spelled-out list each (what a fitted model stores).

use crate::config::SegmentParams;
use crate::error::{ConfigError, Result};

/// The bundled policy lexicon (`word freq tag` per line).
pub const BUNDLED_LEXICON: &str = include_str!("../../data/lexicon.txt");
/// The bundled stop words.
pub const BUNDLED_STOPWORDS: &str = include_str!("../../data/stopwords.txt");
/// The bundled stop phrases (slogans).
pub const BUNDLED_STOP_PHRASES: &str = include_str!("../../data/stop_phrases.txt");

/// Reads a word list: one entry per line (first field), `#` comments and blank lines ignored.
pub fn parse_list(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_whitespace().next())
}

pub(super) fn read_list_file(key: &'static str, path: &str) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| {
        ConfigError::File {
            path: path.to_string(),
            message: format!("{key}: {e}"),
        }
        .into()
    })
}

/// Every list in force, spelled out: what a fitted model stores so that `apply` cuts new text
/// exactly as the run did, whatever lists a later version bundles.
pub fn resolve_lists(params: &SegmentParams) -> Result<SegmentParams> {
    let mut lexicon: Vec<String> = Vec::new();
    let mut stopwords: Vec<String> = Vec::new();
    let mut stop_phrases: Vec<String> = Vec::new();
    if params.bundled_lists {
        lexicon.extend(entries(BUNDLED_LEXICON));
        stopwords.extend(parse_list(BUNDLED_STOPWORDS).map(String::from));
        stop_phrases.extend(parse_list(BUNDLED_STOP_PHRASES).map(String::from));
    }
    for path in &params.lexicon_files {
        lexicon.extend(entries(&read_list_file("segment.lexicon_files", path)?));
    }
    for path in &params.stopword_files {
        stopwords
            .extend(parse_list(&read_list_file("segment.stopword_files", path)?).map(String::from));
    }
    lexicon.extend(params.lexicon.iter().cloned());
    stopwords.extend(params.stopwords.iter().cloned());
    stop_phrases.extend(params.stop_phrases.iter().cloned());
    Ok(SegmentParams {
        bundled_lists: false,
        lexicon_files: Vec::new(),
        stopword_files: Vec::new(),
        lexicon,
        stopwords,
        stop_phrases,
        ..params.clone()
    })
}

/// Lexicon entries (`word [freq [tag]]`), comments and blank lines dropped.
pub(super) fn entries(text: &str) -> impl Iterator<Item = String> + '_ {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(String::from)
}
