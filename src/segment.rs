//! Stage 3: unit texts → token ids over a sorted vocabulary, with jieba-rs.
//!
//! One shared [`Analyzer`]: a `jieba_rs::Jieba` loaded with the bundled policy lexicon (and the
//! analyst's), a stop-phrase pass that blanks slogans before cutting (习近平法治思想, 两个确立…),
//! quote marks dropped so `“八五”普法` stays one term, then a chain of token filters in tantivy's
//! style ([`TokenFilter`]): minimum length, no digits or punctuation, stop words, optional POS.
//!
//! Search mode is jieba's `cut_for_search` rebuilt from the accurate cut: the words it adds
//! inside a word depend on that word alone, so each distinct word is expanded and looked up once.
//!
//! Parallelism and determinism: units are cut in fixed-size chunks with rayon; each worker thread
//! keeps a local vocabulary; the local vocabularies are merged into one sorted in code-point order
//! (the order scikit-learn uses), and local ids are remapped. Ids and order never depend on
//! threads.

use crate::config::{CutMode, SegmentParams};
use crate::error::{ConfigError, Result};
use crate::phrases::PhraseIndex;
use aho_corasick::{AhoCorasick, MatchKind};
use jieba_rs::Jieba;
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use std::borrow::Cow;
use std::ops::Range;
use std::sync::{Arc, LazyLock, Mutex};

/// The bundled policy lexicon (`word freq tag` per line).
pub const BUNDLED_LEXICON: &str = include_str!("../data/lexicon.txt");
/// The bundled stop words.
pub const BUNDLED_STOPWORDS: &str = include_str!("../data/stopwords.txt");
/// The bundled stop phrases (slogans).
pub const BUNDLED_STOP_PHRASES: &str = include_str!("../data/stop_phrases.txt");

/// Quote marks and 、 removed before cutting, so `“八五”普法` and `谁执法、谁普法` stay one term.
const QUOTES: [char; 9] = ['“', '”', '‘', '’', '"', '\'', '「', '」', '、'];
/// Finds the quote marks: a SIMD search (Teddy). About half of all units have one (、 most
/// often), and `str::replace` with a set of characters decodes every character. Leftmost-first
/// because aho-corasick uses Teddy only for the leftmost match kinds (with the default kind its
/// automaton stepped through every byte); for single characters every kind finds the same.
static QUOTE_MARKS: LazyLock<AhoCorasick> = LazyLock::new(|| {
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
fn without_quotes(text: &str) -> Cow<'_, str> {
    replace_ranges(text, QUOTE_MARKS.find_iter(text).map(|m| m.range()), "")
}

/// `text` with the byte ranges `found` (in order, not overlapping) replaced by `with`: copied
/// at the first range, if there is one.
fn replace_ranges<'a>(
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

/// Units per parallel chunk (fixed, so results do not depend on the thread count).
const CHUNK: usize = 512;

/// One step of the token filter chain: `false` drops the token.
pub trait TokenFilter: Send + Sync {
    /// Whether to keep `token`.
    fn keep(&self, token: &str) -> bool;
}

/// Drops tokens shorter than `n` characters.
///
/// ```
/// use policy_themes::segment::{MinChars, TokenFilter};
/// assert!(!MinChars(2).keep("镇"));
/// assert!(MinChars(2).keep("普法"));
/// ```
pub struct MinChars(pub usize);

impl TokenFilter for MinChars {
    fn keep(&self, token: &str) -> bool {
        self.0 == 0 || token.chars().nth(self.0 - 1).is_some()
    }
}

/// Drops numbers, dates and punctuation: a token must have a letter or Han character and must not
/// start with a digit (`2023年`, `120余人`).
///
/// ```
/// use policy_themes::segment::{NoNumbersOrPunctuation, TokenFilter};
/// let f = NoNumbersOrPunctuation;
/// assert!(!f.keep("2023年") && !f.keep("，") && f.keep("网格员"));
/// ```
pub struct NoNumbersOrPunctuation;

impl TokenFilter for NoNumbersOrPunctuation {
    fn keep(&self, token: &str) -> bool {
        let Some(first) = token.chars().next() else {
            return false;
        };
        // Most tokens start with a common Han character: a letter and not a number, decided
        // without the Unicode tables.
        crate::text::is_han(first)
            || (!first.is_numeric() && token.chars().any(char::is_alphabetic))
    }
}

/// Drops stop words; the set is shared between clones.
///
/// ```
/// use policy_themes::segment::{StopWords, TokenFilter};
/// let f = StopWords::new(["进一步".to_string()]);
/// assert!(!f.keep("进一步") && f.keep("调解"));
/// ```
pub struct StopWords(Arc<FxHashSet<String>>);

impl StopWords {
    /// A filter dropping `words`.
    pub fn new(words: impl IntoIterator<Item = String>) -> Self {
        StopWords(Arc::new(words.into_iter().collect()))
    }
}

impl TokenFilter for StopWords {
    fn keep(&self, token: &str) -> bool {
        !self.0.contains(token)
    }
}

/// A segmenter with its lexicon, stop phrases and filter chain.
pub struct Analyzer {
    jieba: Jieba,
    /// The stop phrases, quote marks removed, in the order given.
    stop_phrases: PhraseIndex,
    filters: Vec<Box<dyn TokenFilter>>,
    mode: CutMode,
    hmm: bool,
    pos: Vec<String>,
}

/// Reads a word list: one entry per line (first field), `#` comments and blank lines ignored.
pub fn parse_list(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_whitespace().next())
}

fn read_list_file(key: &'static str, path: &str) -> Result<String> {
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
fn entries(text: &str) -> impl Iterator<Item = String> + '_ {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(String::from)
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
    fn for_each_cut(&self, text: &str, mut f: impl FnMut(&str, bool)) {
        self.for_each_word(&self.normalize(text), |word| {
            self.for_each_inner_word(word, |inner| f(inner, true));
            f(word, false);
        });
    }

    /// Calls `f` with each word of a [normalized](Analyzer::normalize) text as cut: jieba's
    /// accurate cut, or its tagged words with a wanted part of speech.
    fn for_each_word(&self, text: &str, mut f: impl FnMut(&str)) {
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
    fn for_each_inner_word<'w>(&self, word: &'w str, mut f: impl FnMut(&'w str)) {
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

/// Every unit's tokens as ids into one sorted vocabulary, stored flat.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TokenizedCorpus {
    /// All distinct tokens, sorted by code point.
    pub terms: Vec<String>,
    /// Token ids of all documents, concatenated.
    pub ids: Vec<u32>,
    /// Document `d` is `ids[offsets[d]..offsets[d + 1]]`.
    pub offsets: Vec<usize>,
    /// Bit `i % 64` of `inner[i / 64]` is set when token `i` is a word found inside a longer
    /// token (search mode: 作者 inside 工作者): a feature for clustering, but not a word of the
    /// text as cut, so labels leave it out. Bits past the end are unset.
    pub inner: Vec<u64>,
}

impl TokenizedCorpus {
    /// The number of documents.
    pub fn len(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    /// Whether there are no documents.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The token ids of document `d`.
    pub fn doc(&self, d: usize) -> &[u32] {
        &self.ids[self.offsets[d]..self.offsets[d + 1]]
    }

    /// Whether token `i` (an index into `ids`) is a word found inside a longer token.
    pub fn is_inner(&self, i: usize) -> bool {
        self.inner
            .get(i / 64)
            .is_some_and(|w| w >> (i % 64) & 1 == 1)
    }

    /// The token ids of document `d` that are words of the text as cut (inner words left out):
    /// what labels are drawn from.
    pub fn doc_words(&self, d: usize) -> impl Iterator<Item = u32> + '_ {
        (self.offsets[d]..self.offsets[d + 1])
            .filter(|&i| !self.is_inner(i))
            .map(|i| self.ids[i])
    }

    /// The tokens of document `d` as strings.
    pub fn doc_terms(&self, d: usize) -> impl Iterator<Item = &str> {
        self.doc(d).iter().map(|&t| self.terms[t as usize].as_str())
    }
}

/// The local id of a word the filter chain drops.
const DROPPED: u32 = u32::MAX;

/// One chunk's kept tokens, as ids over the local vocabulary of the thread that cut it.
struct LocalChunk {
    /// The chunk's place among all chunks.
    index: usize,
    ids: Vec<u32>,
    inner: Vec<bool>,
    lens: Vec<usize>,
}

/// A word a thread has met: its local id, or [`DROPPED`] — so the filter chain runs once per
/// distinct word — and, once it has been met as a word of the text as cut, the range in
/// `LocalVocabulary::cut_tokens` of the kept tokens it stands for (the words inside it, then
/// itself; [`NOT_CUT`] for a word met only inside others).
struct LocalWord {
    id: u32,
    tokens: Range<u32>,
}

/// The token range of a word not yet met as a word of the text as cut.
const NOT_CUT: Range<u32> = u32::MAX..u32::MAX;

/// One worker thread's state over the chunks of texts it cut: every distinct word it has met
/// ([`LocalWord`]), so each word of a text costs one hash lookup, and those chunks. Local ids
/// depend on which thread took which chunk; the merge maps them onto the sorted vocabulary, whose
/// ids do not.
#[derive(Default)]
struct LocalVocabulary {
    words: FxHashMap<Box<str>, LocalWord>,
    kept: u32,
    /// The kept tokens of the words met as words of the text as cut: local id shifted left by
    /// one, the inner-word mark in the lowest bit.
    cut_tokens: Vec<u32>,
    chunks: Vec<LocalChunk>,
}

impl LocalVocabulary {
    /// Cuts the texts of chunk `index` and records their kept tokens.
    fn cut<S: AsRef<str>>(&mut self, analyzer: &Analyzer, index: usize, texts: &[S]) {
        let mut chunk = LocalChunk {
            index,
            ids: Vec::new(),
            inner: Vec::new(),
            lens: Vec::with_capacity(texts.len()),
        };
        for text in texts {
            let before = chunk.ids.len();
            analyzer.for_each_word(&analyzer.normalize(text.as_ref()), |word| {
                let range = match self.words.get(word) {
                    Some(w) if w.tokens != NOT_CUT => w.tokens.clone(),
                    _ => self.add_cut_word(analyzer, word),
                };
                for &token in &self.cut_tokens[range.start as usize..range.end as usize] {
                    chunk.ids.push(token >> 1);
                    chunk.inner.push(token & 1 == 1);
                }
            });
            chunk.lens.push(chunk.ids.len() - before);
        }
        self.chunks.push(chunk);
    }

    /// Records the kept tokens of a word met as a word of the text as cut for the first time
    /// (the words inside it, then itself), appended to `cut_tokens`, and returns their range.
    fn add_cut_word(&mut self, analyzer: &Analyzer, word: &str) -> Range<u32> {
        let start = self.cut_tokens.len() as u32;
        let push = |vocabulary: &mut LocalVocabulary, w: &str, is_inner: bool| {
            let id = vocabulary.word(analyzer, w).id;
            if id != DROPPED {
                vocabulary.cut_tokens.push(id << 1 | u32::from(is_inner));
            }
        };
        analyzer.for_each_inner_word(word, |inner| push(self, inner, true));
        push(self, word, false);
        let range = start..self.cut_tokens.len() as u32;
        self.word(analyzer, word).tokens = range.clone();
        range
    }

    /// The entry of `word`, added (its id given by the filter chain) if it is new.
    fn word(&mut self, analyzer: &Analyzer, word: &str) -> &mut LocalWord {
        if !self.words.contains_key(word) {
            let id = if analyzer.keep(word) {
                self.kept += 1;
                self.kept - 1
            } else {
                DROPPED
            };
            self.words.insert(
                word.into(),
                LocalWord {
                    id,
                    tokens: NOT_CUT,
                },
            );
        }
        self.words.get_mut(word).expect("present or just added")
    }

    /// The kept words, by local id.
    fn kept_words(&self) -> impl Iterator<Item = (&str, u32)> {
        self.words
            .iter()
            .filter(|(_, w)| w.id != DROPPED)
            .map(|(word, w)| (&**word, w.id))
    }
}

/// Segments every text in parallel into a [`TokenizedCorpus`].
pub fn segment<S: AsRef<str> + Sync>(analyzer: &Analyzer, texts: &[S]) -> TokenizedCorpus {
    segment_with_progress(analyzer, texts, &|_| {})
}

/// As [`segment`], calling `progress(n)` after each chunk of `n` texts.
pub fn segment_with_progress<S: AsRef<str> + Sync>(
    analyzer: &Analyzer,
    texts: &[S],
    progress: &(dyn Fn(usize) + Sync),
) -> TokenizedCorpus {
    // One vocabulary per worker thread, each chunk cut by whichever thread takes it. A rayon
    // fold would keep one per piece of the split, and rayon stops splitting at a quarter of the
    // work on two threads unless a piece is stolen: the last piece ran on one core while the
    // other idled (~0.1 s on laws). Chunks one by one balance to the last chunk; the lock is
    // only ever taken by its own thread.
    let threads = rayon::current_num_threads().max(1);
    let vocabularies: Vec<Mutex<LocalVocabulary>> =
        (0..threads).map(|_| Mutex::default()).collect();
    texts
        .par_chunks(CHUNK)
        .with_max_len(1)
        .enumerate()
        .for_each(|(index, chunk)| {
            let thread = rayon::current_thread_index().unwrap_or(0) % threads;
            let mut vocabulary = vocabularies[thread]
                .lock()
                .expect("poisoned only by a panic, which rayon passes on");
            vocabulary.cut(analyzer, index, chunk);
            progress(chunk.len());
        });
    let mut vocabularies: Vec<LocalVocabulary> = vocabularies
        .into_iter()
        .map(|v| {
            v.into_inner()
                .expect("poisoned only by a panic, which rayon passes on")
        })
        .collect();
    // The merged vocabulary: the threads' kept words (their lists overlap heavily) sorted once,
    // then each thread's local ids mapped through a hash index.
    let distinct: FxHashSet<&str> = vocabularies
        .iter()
        .flat_map(|v| v.kept_words().map(|(w, _)| w))
        .collect();
    let mut sorted: Vec<&str> = distinct.into_iter().collect();
    sorted.par_sort_unstable();
    let index: FxHashMap<&str, u32> = sorted
        .iter()
        .enumerate()
        .map(|(i, &t)| (t, i as u32))
        .collect();
    let maps: Vec<Vec<u32>> = vocabularies
        .par_iter()
        .map(|v| {
            let mut map = vec![0; v.kept as usize];
            v.kept_words()
                .for_each(|(w, id)| map[id as usize] = index[w]);
            map
        })
        .collect();
    let terms: Vec<String> = sorted.into_iter().map(String::from).collect();
    drop(index);
    let mut chunks: Vec<(LocalChunk, &[u32])> = vocabularies
        .iter_mut()
        .zip(&maps)
        .flat_map(|(v, map)| {
            std::mem::take(&mut v.chunks)
                .into_iter()
                .map(move |c| (c, map.as_slice()))
        })
        .collect();
    // The threads' vocabularies are a few hundred thousand small allocations: freed in parallel.
    vocabularies.into_par_iter().for_each(drop);
    chunks.sort_unstable_by_key(|(c, _)| c.index);
    let mut offsets = Vec::with_capacity(texts.len() + 1);
    offsets.push(0);
    for len in chunks.iter().flat_map(|(c, _)| &c.lens) {
        offsets.push(offsets.last().expect("starts with 0") + len);
    }
    // Each chunk's tokens mapped onto the sorted vocabulary in place, the chunks in parallel;
    // then the chunks laid end to end, and the inner-word marks packed 64 to a word.
    chunks
        .par_iter_mut()
        .for_each(|(chunk, map)| chunk.ids.iter_mut().for_each(|id| *id = map[*id as usize]));
    let (ids, inner_marks): (Vec<Vec<u32>>, Vec<Vec<bool>>) =
        chunks.into_iter().map(|(c, _)| (c.ids, c.inner)).unzip();
    let (ids, inner_marks) = rayon::join(
        || crate::parallel::concat(ids),
        || crate::parallel::concat(inner_marks),
    );
    let inner: Vec<u64> = inner_marks
        .par_chunks(64)
        .map(|marks| {
            marks
                .iter()
                .enumerate()
                .fold(0u64, |word, (i, &m)| word | u64::from(m) << i)
        })
        .collect();
    TokenizedCorpus {
        terms,
        ids,
        offsets,
        inner,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn analyzer() -> Analyzer {
        Analyzer::new(&SegmentParams::default()).unwrap()
    }

    #[test]
    fn stop_phrases_added_later_cut_as_listed_ones() {
        let text = "江湾镇坚持“谁执法、谁普法”，江湾镇司法所开展矛盾纠纷排查。";
        let listed = Analyzer::new(&SegmentParams {
            stop_phrases: vec!["江湾镇".to_string(), "江湾".to_string()],
            ..SegmentParams::default()
        })
        .unwrap();
        let mut added = analyzer();
        assert!(added.tokens(text).iter().any(|t| t.contains("江湾")));
        added.add_stop_phrases(&["江湾镇".to_string(), "江湾".to_string()]);
        let tokens = added.tokens(text);
        assert_eq!(tokens, listed.tokens(text));
        assert!(!tokens.iter().any(|t| t.contains("江湾")), "{tokens:?}");
        assert!(tokens.iter().any(|t| t == "司法所"), "{tokens:?}");
    }

    #[test]
    fn lexicon_terms_stay_whole_and_quoted_terms_join() {
        let a = analyzer();
        let t = a.tokens(
            "深入开展“八五”普法,落实谁执法谁普法责任制,培育法律明白人,坚持发展新时代枫桥经验。",
        );
        for term in ["八五普法", "谁执法谁普法", "法律明白人"] {
            assert!(t.iter().any(|x| x == term), "{term} missing from {t:?}");
        }
    }

    #[test]
    fn slogans_numbers_and_single_characters_are_dropped() {
        let a = analyzer();
        let t = a.tokens("深入学习贯彻习近平法治思想,2023年开展矛盾纠纷排查120余次。");
        assert!(
            !t.iter()
                .any(|x| x.contains("习近平") || x.contains("2023") || x.chars().count() < 2),
            "{t:?}"
        );
        assert!(t.iter().any(|x| x.contains("矛盾纠纷")), "{t:?}");
    }

    #[test]
    fn search_mode_adds_the_words_inside_a_word_and_marks_them_inner() {
        let a = analyzer();
        let mut seen = Vec::new();
        a.for_each_token(
            "加强综合行政执法队伍建设,关心基层工作者",
            |t, inner| seen.push((t.to_string(), inner)),
        );
        let has = |word: &str, inner: bool| seen.iter().any(|(t, i)| t == word && *i == inner);
        assert!(has("综合行政执法", false), "{seen:?}");
        assert!(has("行政", true) && has("执法", true), "{seen:?}");
        // 作者 (author) is a dictionary word inside 工作者 (worker): a feature, never a label word.
        assert!(has("工作者", false) && !has("作者", false), "{seen:?}");
        let accurate = Analyzer::new(&SegmentParams {
            mode: CutMode::Accurate,
            ..SegmentParams::default()
        })
        .unwrap();
        let words = accurate.tokens("加强综合行政执法队伍建设");
        assert!(!words.iter().any(|w| w == "执法"), "{words:?}");
    }

    /// Every nonblank line of the seeds and the provincial reports, and of every 25th law.
    fn shared_corpus_lines() -> Vec<String> {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus");
        let mut lines = Vec::new();
        for (folder, step) in [("seeds", 1), ("provincial-2025", 1), ("laws", 25)] {
            let mut files: Vec<_> = std::fs::read_dir(format!("{root}/{folder}"))
                .expect("../shared/corpus beside the repository")
                .map(|e| e.expect("a folder entry").path())
                .filter(|p| p.extension().is_some_and(|e| e == "txt"))
                .collect();
            files.sort();
            for file in files.iter().step_by(step) {
                let text = std::fs::read_to_string(file).expect("UTF-8 text");
                lines.extend(
                    text.lines()
                        .filter(|l| !l.trim().is_empty())
                        .map(String::from),
                );
            }
        }
        lines
    }

    #[test]
    #[ignore = "reads ../shared/corpus beside the repository (.ci/run runs it)"]
    fn search_mode_cuts_as_jiebas_cut_for_search_on_the_shared_corpus() {
        let lines = shared_corpus_lines();
        assert!(lines.len() > 10_000, "{}", lines.len());
        for hmm in [false, true] {
            let a = Analyzer::new(&SegmentParams {
                hmm,
                ..SegmentParams::default()
            })
            .unwrap();
            for line in &lines {
                // jieba puts the words inside a token just before it: scanning backwards, a
                // token within the span of the last whole token seen is one of its inner words.
                let text = a.normalize(line);
                let tokens = a.jieba.cut_for_search(&text, hmm);
                let mut expected = Vec::with_capacity(tokens.len());
                let mut whole = (0, 0);
                for t in tokens.iter().rev() {
                    let span = (t.start, t.end);
                    let inner = span.0 >= whole.0 && span.1 <= whole.1 && span != whole;
                    if !inner {
                        whole = span;
                    }
                    expected.push((t.word, inner));
                }
                expected.reverse();
                let mut cut = Vec::with_capacity(tokens.len());
                a.for_each_cut(line, |w, inner| cut.push((w.to_string(), inner)));
                let cut: Vec<(&str, bool)> = cut.iter().map(|(w, i)| (w.as_str(), *i)).collect();
                assert_eq!(cut, expected, "{line}");
            }
            // Segmenting with the threads' caches gives each text's tokens as cut alone.
            let corpus = segment(&a, &lines);
            for (d, line) in lines.iter().enumerate() {
                let mut tokens = Vec::new();
                a.for_each_token(line, |t, inner| tokens.push((t.to_string(), inner)));
                let ours: Vec<(String, bool)> = corpus
                    .doc_terms(d)
                    .zip(corpus.offsets[d]..)
                    .map(|(t, i)| (t.to_string(), corpus.is_inner(i)))
                    .collect();
                assert_eq!(ours, tokens, "{line}");
            }
        }
    }

    #[test]
    fn vocabulary_is_sorted_and_independent_of_chunking() {
        let a = analyzer();
        let texts: Vec<String> = (0..1200)
            .map(|i| format!("第{i}村开展人民调解和法治宣传,网格员排查矛盾纠纷"))
            .collect();
        let corpus = segment(&a, &texts);
        assert!(corpus.terms.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(corpus.len(), texts.len());
        let one = segment(&a, &texts[..1]);
        assert_eq!(
            corpus.doc_terms(0).collect::<Vec<_>>(),
            one.doc_terms(0).collect::<Vec<_>>()
        );
        // The inner-word marks travel with the tokens across chunks.
        let last = texts.len() - 1;
        let words = |c: &TokenizedCorpus, d: usize| -> Vec<String> {
            c.doc_words(d)
                .map(|t| c.terms[t as usize].clone())
                .collect()
        };
        assert_eq!(words(&corpus, last), words(&segment(&a, &texts[last..]), 0));
        assert!(words(&corpus, last).len() < corpus.doc(last).len());
    }
}
