//! Cutting a corpus in parallel into token ids over one sorted vocabulary: fixed chunks of
//! units, a local vocabulary per thread, merged and sorted so ids never depend on threads.

use super::*;
use fixedbitset::FixedBitSet;
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use std::cell::RefCell;
use std::ops::Range;
use thread_local::ThreadLocal;

/// Units per parallel chunk (fixed, so results do not depend on the thread count).
pub(super) const CHUNK: usize = 512;

/// Every unit's tokens as ids into one sorted vocabulary, stored flat. Made by [`segment`] or
/// [`TokenizedCorpus::from_docs`], which keep its invariants: the terms sorted and distinct,
/// every id a term's, the documents' offsets ascending from 0 to the number of tokens.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenizedCorpus {
    /// All distinct tokens, sorted by code point.
    terms: Vec<String>,
    /// Token ids of all documents, concatenated.
    ids: Vec<u32>,
    /// Document `d` is `ids[offsets[d]..offsets[d + 1]]`.
    offsets: Vec<usize>,
    /// Bit `i` is set when token `i` is a word found inside a longer token (search mode: 作者
    /// inside 工作者): a feature for clustering, but not a word of the text as cut, so labels
    /// leave it out.
    inner: FixedBitSet,
}

impl TokenizedCorpus {
    /// The corpus of documents given as their tokens, none of them a word inside another: the
    /// vocabulary is their distinct tokens, sorted. ([`segment`] cuts texts into one.)
    pub fn from_docs<D: AsRef<[S]>, S: AsRef<str>>(docs: &[D]) -> TokenizedCorpus {
        let marked: Vec<Vec<(&str, bool)>> = docs
            .iter()
            .map(|d| d.as_ref().iter().map(|t| (t.as_ref(), false)).collect())
            .collect();
        TokenizedCorpus::from_marked_docs(&marked)
    }

    /// The corpus of documents given as their tokens, each marked when it is a word found
    /// inside a longer token ([`Self::doc_inner`]).
    pub fn from_marked_docs(docs: &[Vec<(&str, bool)>]) -> TokenizedCorpus {
        let distinct: FxHashSet<&str> = docs
            .iter()
            .flat_map(|d| d.iter().map(|&(t, _)| t))
            .collect();
        let mut terms: Vec<String> = distinct.into_iter().map(String::from).collect();
        terms.sort_unstable();
        let index: FxHashMap<&str, u32> = terms
            .iter()
            .enumerate()
            .map(|(i, t)| (t.as_str(), i as u32))
            .collect();
        let mut ids = Vec::new();
        let mut inner = FixedBitSet::with_capacity(docs.iter().map(Vec::len).sum());
        let mut offsets = vec![0];
        for doc in docs {
            for &(t, is_inner) in doc {
                inner.set(ids.len(), is_inner);
                ids.push(index[t]);
            }
            offsets.push(ids.len());
        }
        TokenizedCorpus {
            terms,
            inner,
            ids,
            offsets,
        }
    }

    /// Document `d`'s tokens, each marked when it is a word inside a longer token: what
    /// [`Self::from_marked_docs`] takes.
    pub fn doc_marked(&self, d: usize) -> impl Iterator<Item = (&str, bool)> {
        self.doc_terms(d).zip(self.doc_inner(d))
    }

    /// All distinct tokens, sorted by code point: token id `t` is `terms()[t]`.
    pub fn terms(&self) -> &[String] {
        &self.terms
    }

    /// The token ids of all documents, one after another.
    pub fn ids(&self) -> &[u32] {
        &self.ids
    }

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
    fn is_inner(&self, i: usize) -> bool {
        self.inner.contains(i)
    }

    /// Whether each token of document `d` is a word found inside a longer token.
    pub fn doc_inner(&self, d: usize) -> impl Iterator<Item = bool> + '_ {
        (self.offsets[d]..self.offsets[d + 1]).map(|i| self.is_inner(i))
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
pub(super) const DROPPED: u32 = u32::MAX;

/// One chunk's kept tokens, as ids over the local vocabulary of the thread that cut it.
pub(super) struct LocalChunk {
    /// The chunk's place among all chunks.
    index: usize,
    ids: Vec<u32>,
    /// Which of `ids` are words found inside a longer token.
    inner: FixedBitSet,
    lens: Vec<usize>,
}

/// A word a thread has met: its local id, or [`DROPPED`] — so the filter chain runs once per
/// distinct word — and, once it has been met as a word of the text as cut, the range in
/// `LocalVocabulary::cut_tokens` of the kept tokens it stands for (the words inside it, then
/// itself; [`NOT_CUT`] for a word met only inside others).
pub(super) struct LocalWord {
    id: u32,
    tokens: Range<u32>,
}

/// The token range of a word not yet met as a word of the text as cut.
pub(super) const NOT_CUT: Range<u32> = u32::MAX..u32::MAX;

/// One worker thread's state over the chunks of texts it cut: every distinct word it has met
/// ([`LocalWord`]), so each word of a text costs one hash lookup, and those chunks. Local ids
/// depend on which thread took which chunk; the merge maps them onto the sorted vocabulary, whose
/// ids do not.
#[derive(Default)]
pub(super) struct LocalVocabulary {
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
            inner: FixedBitSet::new(),
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
                    if token & 1 == 1 {
                        chunk.inner.grow_and_insert(chunk.ids.len());
                    }
                    chunk.ids.push(token >> 1);
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
    // other idled (~0.1 s on laws). Chunks one by one balance to the last chunk. The merge below
    // does not depend on which thread cut what, or in which order the vocabularies come.
    let vocabularies: ThreadLocal<RefCell<LocalVocabulary>> = ThreadLocal::new();
    texts
        .par_chunks(CHUNK)
        .with_max_len(1)
        .enumerate()
        .for_each(|(index, chunk)| {
            vocabularies
                .get_or_default()
                .borrow_mut()
                .cut(analyzer, index, chunk);
            progress(chunk.len());
        });
    let mut vocabularies: Vec<LocalVocabulary> =
        vocabularies.into_iter().map(RefCell::into_inner).collect();
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
    // then the chunks laid end to end, their inner-word marks shifted to the chunk's place.
    chunks
        .par_iter_mut()
        .for_each(|(chunk, map)| chunk.ids.iter_mut().for_each(|id| *id = map[*id as usize]));
    let mut inner = FixedBitSet::with_capacity(chunks.iter().map(|(c, _)| c.ids.len()).sum());
    let mut start = 0;
    for (chunk, _) in &chunks {
        chunk.inner.ones().for_each(|i| inner.insert(start + i));
        start += chunk.ids.len();
    }
    let ids = crate::parallel::concat(chunks.into_iter().map(|(c, _)| c.ids).collect());
    TokenizedCorpus {
        terms,
        ids,
        offsets,
        inner,
    }
}
