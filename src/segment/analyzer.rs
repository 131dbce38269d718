//! The [`Analyzer`]: jieba with the lexicon, stop phrases blanked and quote marks dropped before
//! cutting, search mode rebuilt from the accurate cut, then the filter chain.

use super::*;
use crate::config::{CutMode, SegmentParams};
use crate::error::Result;
use crate::phrases::PhraseIndex;
use aho_corasick::{AhoCorasick, MatchKind};
use jieba_rs::Jieba;
use std::borrow::Cow;
use std::ops::Range;
use std::sync::LazyLock;

/// Quote marks and 、 removed before cutting, so `“八五”普法` and `谁执法、谁普法` stay one term.
pub(super) const QUOTES: [char; 9] = ['“', '”', '‘', '’', '"', '\'', '「', '」', '、'];
/// Finds the quote marks: a SIMD search (Teddy). About half of all units have one (、 most
/// often), and `str::replace` with a set of characters decodes every character. Leftmost-first
/// because aho-corasick uses Teddy only for the leftmost match kinds (with the default kind its
/// automaton stepped through every byte); for single characters every kind finds the same.
pub(super) static QUOTE_MARKS: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostFirst)
        .build(QUOTES.map(String::from))
        .expect("quote marks are strings")
});

/// Whether `c` is one of the quote marks removed before cutting (and before stop phrases are
/// looked for): `“”‘’"'「」` and `、`.
pub fn is_quote_mark(c: char) -> bool {
    QUOTES.contains(&c)
}

/// `text` without its quote marks ([`QUOTES`]).
pub(super) fn without_quotes(text: &str) -> Cow<'_, str> {
    replace_ranges(text, QUOTE_MARKS.find_iter(text).map(|m| m.range()), "")
}

/// `text` with the byte ranges `found` (in order, not overlapping) replaced by `with`: copied
/// at the first range, if there is one.
pub(super) fn replace_ranges<'a>(
    text: &'a str,
    found: impl IntoIterator<Item = Range<usize>>,
    with: &str,
) -> Cow<'a, str> {
    let mut out: Option<String> = None;
    let mut last = 0;
    for range in found {
        let o = out.get_or_insert_with(|| String::with_capacity(text.len()));
        o.push_str(&text[last..range.start]);
        o.push_str(with);
        last = range.end;
    }
    match out {
        Some(mut o) => {
            o.push_str(&text[last..]);
            Cow::Owned(o)
        }
        None => Cow::Borrowed(text),
    }
}

/// A segmenter with its lexicon, stop phrases and filter chain.
pub struct Analyzer {
    pub(super) jieba: Jieba,
    /// The stop phrases, quote marks removed, in the order given.
    stop_phrases: PhraseIndex,
    /// The stop phrases of the parameters' lists, before any added ones.
    listed_stop_phrases: PhraseIndex,
    filters: Vec<Box<dyn TokenFilter>>,
    mode: CutMode,
    hmm: bool,
    pos: Vec<String>,
}

impl Analyzer {
    /// Builds the analyzer from the segment parameters (reads the analyst's list files).
    pub fn new(params: &SegmentParams) -> Result<Analyzer> {
        let lists = resolve_lists(params)?;
        let mut jieba = Jieba::new();
        for entry in &lists.lexicon {
            let mut f = entry.split_whitespace();
            let Some(word) = f.next() else { continue };
            let freq = f.next().and_then(|n| n.parse().ok()).or(Some(20_000));
            jieba.add_word(&without_quotes(word), freq, f.next());
        }
        let mut analyzer = Analyzer {
            jieba,
            stop_phrases: PhraseIndex::new(Vec::<String>::new()),
            listed_stop_phrases: PhraseIndex::new(Vec::<String>::new()),
            filters: vec![
                Box::new(MinChars(params.min_chars)),
                Box::new(NoNumbersOrPunctuation),
                Box::new(StopWords::new(lists.stopwords)),
            ],
            mode: params.mode,
            hmm: params.hmm,
            pos: params.pos.clone(),
        };
        analyzer.add_stop_phrases(&lists.stop_phrases);
        analyzer.listed_stop_phrases = analyzer.stop_phrases.clone();
        Ok(analyzer)
    }

    /// Adds stop phrases (blanked before cutting), e.g. the corpus's place names once they are
    /// known: the same as listing them in the parameters after the others.
    pub fn add_stop_phrases(&mut self, phrases: &[String]) {
        let added = phrases
            .iter()
            .map(|p| without_quotes(p))
            .filter(|p| !p.is_empty());
        let all: Vec<Cow<str>> = self
            .stop_phrases
            .phrases()
            .map(Cow::Borrowed)
            .chain(added)
            .collect();
        self.stop_phrases = PhraseIndex::new(all);
    }

    /// Drops the stop phrases added since the analyzer was built, then adds `phrases`: a
    /// streamed `apply` cuts each chunk with the place names of its own reports.
    pub fn replace_added_stop_phrases(&mut self, phrases: &[String]) {
        self.stop_phrases = self.listed_stop_phrases.clone();
        self.add_stop_phrases(phrases);
    }

    /// The text as it is cut: quote marks removed, stop phrases blanked.
    pub fn normalize<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let unquoted = without_quotes(text);
        let found = self.stop_phrases.leftmost_longest(&unquoted);
        if found.is_empty() {
            return unquoted;
        }
        Cow::Owned(replace_ranges(&unquoted, found, " ").into_owned())
    }

    /// Whether `word` passes the filter chain (a word's verdict does not depend on its context,
    /// so callers may cache it).
    pub fn keep(&self, word: &str) -> bool {
        self.filters.iter().all(|filter| filter.keep(word))
    }

    /// Calls `f(token, inner)` with every token of `text` that passes the filters, in order;
    /// `inner` marks a word found inside a longer token (search mode), not a word of the text as
    /// cut.
    pub fn for_each_token(&self, text: &str, mut f: impl FnMut(&str, bool)) {
        self.for_each_cut(text, |w, inner| {
            if self.keep(w) {
                f(w, inner);
            }
        });
    }

    /// As [`Analyzer::for_each_token`] before the filter chain (the POS filter, which depends on
    /// the context, already applied): each word of the text as cut, after the words found inside
    /// it — jieba's search mode ([`Jieba::cut_for_search`]), whose order this keeps.
    pub(super) fn for_each_cut(&self, text: &str, mut f: impl FnMut(&str, bool)) {
        self.for_each_word(&self.normalize(text), |word| {
            self.for_each_inner_word(word, |inner| f(inner, true));
            f(word, false);
        });
    }

    /// Calls `f` with each word of a [normalized](Analyzer::normalize) text as cut: jieba's
    /// accurate cut, or its tagged words with a wanted part of speech.
    pub(super) fn for_each_word(&self, text: &str, mut f: impl FnMut(&str)) {
        if self.pos.is_empty() {
            self.jieba
                .cut(text, self.hmm)
                .into_iter()
                .for_each(|token| f(token.word));
        } else {
            for tag in self.jieba.tag(text, self.hmm) {
                if self.pos.iter().any(|p| tag.tag.starts_with(p.as_str())) {
                    f(tag.word);
                }
            }
        }
    }

    /// In search mode (and without a POS filter), calls `f` with each word search mode finds
    /// inside `word`, a word of the text as cut, in the order [`Jieba::cut_for_search`] puts them
    /// before it: the parts of an alphanumeric word joined by `.`, `_` or `-` (of two bytes or
    /// more, with a letter), then its dictionary words of two characters, then of three. They
    /// depend on the word alone, so callers may cache them; a test checks them against
    /// `cut_for_search` on the shared corpus.
    pub(super) fn for_each_inner_word<'w>(&self, word: &'w str, mut f: impl FnMut(&'w str)) {
        if self.mode != CutMode::Search || !self.pos.is_empty() {
            return;
        }
        if word.contains(['.', '_', '-']) {
            word.split(['.', '_', '-'])
                .filter(|part| part.len() >= 2 && part.bytes().any(|b| b.is_ascii_alphabetic()))
                .for_each(&mut f);
        }
        let mut bounds: Vec<usize> = word.char_indices().map(|(i, _)| i).collect();
        bounds.push(word.len());
        let chars = bounds.len() - 1;
        for len in [2, 3] {
            if chars > len {
                for gram in bounds.windows(len + 1) {
                    let gram = &word[gram[0]..gram[len]];
                    if self.jieba.has_word(gram) {
                        f(gram);
                    }
                }
            }
        }
    }

    /// The kept tokens of `text`, inner words included.
    pub fn tokens(&self, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        self.for_each_token(text, |t, _| out.push(t.to_string()));
        out
    }
}
