//! A fixed set of phrases found in text by their first two characters: the gazetteer's place
//! names (read) and the stop phrases (segment).
//!
//! Written here rather than left to `aho-corasick`, whose automaton steps through every byte of
//! the text: on laws (57 MB) its scans took about a quarter of the reading stage's CPU and an
//! eighth of the segmentation's. Phrases here are words of two characters or more, and few
//! pairs of characters start one, so a 128-kbit filter on the pair at each character (16 KB,
//! in L1 cache) passes over nearly every position, and the rare candidates are checked against
//! the phrases that start with their pair. Same matches as the automaton, for any phrases.

use fixedbitset::FixedBitSet;
use rustc_hash::FxHashMap;

/// log₂ of the filter's size in bits.
const FILTER_BITS: u32 = 17;

/// The key of a phrase: the UTF-8 bytes of its first two characters (at most 8), little-endian,
/// and whether it has only one.
type Start = (u64, bool);

/// The phrases, indexed by their first two characters.
#[derive(Debug, Clone)]
pub struct PhraseIndex {
    phrases: Vec<Box<str>>,
    /// Bit [`slot`] of every key some phrase starts with.
    filter: FixedBitSet,
    /// Phrase ids by key, longest phrase first (then in the order given).
    by_start: FxHashMap<Start, Vec<u32>>,
    /// Whether some phrase has a single character (a second filter test per position).
    has_single: bool,
}

/// The filter bit of a key (multiplicative hashing).
#[inline(always)]
fn slot((bytes, single): Start) -> usize {
    let h = (bytes ^ u64::from(single)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    (h >> (64 - FILTER_BITS)) as usize
}

/// The length of the UTF-8 character that starts with byte `lead`, by its high four bits
/// (a table, not branches: Chinese text mixes 1- and 3-byte characters).
#[inline(always)]
fn char_len(lead: u8) -> usize {
    const BY_HIGH_BITS: [u8; 16] = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4];
    BY_HIGH_BITS[usize::from(lead >> 4)] as usize
}

/// `bytes[at..at + len]` (1 ≤ len ≤ 8) as a little-endian number.
#[inline(always)]
fn packed(bytes: &[u8], at: usize, len: usize) -> u64 {
    let value = match bytes[at..].first_chunk::<8>() {
        Some(eight) => u64::from_le_bytes(*eight),
        None => bytes[at..]
            .iter()
            .rev()
            .fold(0, |word, &b| word << 8 | u64::from(b)),
    };
    value & (u64::MAX >> (64 - 8 * len))
}

impl PhraseIndex {
    /// Indexes `phrases` (ids in the order given); empty phrases never match.
    pub fn new<S: AsRef<str>>(phrases: impl IntoIterator<Item = S>) -> PhraseIndex {
        let phrases: Vec<Box<str>> = phrases.into_iter().map(|p| p.as_ref().into()).collect();
        let mut filter = FixedBitSet::with_capacity(1 << FILTER_BITS);
        let mut by_start: FxHashMap<Start, Vec<u32>> = FxHashMap::default();
        let mut has_single = false;
        for (id, phrase) in phrases.iter().enumerate() {
            let bytes = phrase.as_bytes();
            let Some(&lead) = bytes.first() else { continue };
            let first = char_len(lead);
            let key = match bytes.get(first) {
                Some(&next) => (packed(bytes, 0, first + char_len(next)), false),
                None => (packed(bytes, 0, first), true),
            };
            has_single |= key.1;
            filter.insert(slot(key));
            by_start.entry(key).or_default().push(id as u32);
        }
        for ids in by_start.values_mut() {
            ids.sort_by_key(|&id| (std::cmp::Reverse(phrases[id as usize].len()), id));
        }
        PhraseIndex {
            phrases,
            filter,
            by_start,
            has_single,
        }
    }

    /// Whether there are no phrases.
    pub fn is_empty(&self) -> bool {
        self.by_start.is_empty()
    }

    /// The phrase with id `id`.
    pub fn phrase(&self, id: usize) -> &str {
        &self.phrases[id]
    }

    /// Every phrase, in id order.
    pub fn phrases(&self) -> impl Iterator<Item = &str> {
        self.phrases.iter().map(|p| &**p)
    }

    /// The ids starting with `key` if it passes the filter (none otherwise).
    #[inline(always)]
    fn candidates(&self, key: Start) -> &[u32] {
        if !self.filter.contains(slot(key)) {
            return &[];
        }
        self.by_start.get(&key).map_or(&[], Vec::as_slice)
    }

    /// Calls `f(start, candidates)` at every character of `text` whose first two characters
    /// pass the filter, with the ids that start with them (longest first, pairs before single
    /// characters); `f` returns the byte where the scan resumes (past `start`). Characters are
    /// stepped over by their lead bytes, never decoded.
    fn scan(&self, text: &str, mut f: impl FnMut(usize, [&[u32]; 2]) -> usize) {
        let bytes = text.as_bytes();
        let mut start = 0;
        while start < bytes.len() {
            let first = char_len(bytes[start]);
            let pair = match bytes.get(start + first) {
                Some(&next) => {
                    self.candidates((packed(bytes, start, first + char_len(next)), false))
                }
                None => &[],
            };
            let single = match self.has_single {
                true => self.candidates((packed(bytes, start, first), true)),
                false => &[],
            };
            start = if pair.is_empty() && single.is_empty() {
                start + first
            } else {
                f(start, [pair, single])
            };
        }
    }

    /// Calls `f(start, id)` for every occurrence of every phrase in `text`, overlapping ones
    /// included (aho-corasick's overlapping search), by start, then longest first.
    pub fn for_each_overlapping(&self, text: &str, mut f: impl FnMut(usize, usize)) {
        if self.is_empty() {
            return;
        }
        self.scan(text, |start, candidates| {
            for &id in candidates.iter().copied().flatten() {
                if text[start..].starts_with(&*self.phrases[id as usize]) {
                    f(start, id as usize);
                }
            }
            start + char_len(text.as_bytes()[start])
        });
    }

    /// The byte ranges of the leftmost-longest, non-overlapping occurrences of the phrases in
    /// `text`, in order (aho-corasick's `MatchKind::LeftmostLongest`).
    pub fn leftmost_longest(&self, text: &str) -> Vec<std::ops::Range<usize>> {
        let mut found = Vec::new();
        if self.is_empty() {
            return found;
        }
        self.scan(text, |start, candidates| {
            let longest = candidates
                .iter()
                .copied()
                .flatten()
                .map(|&id| &*self.phrases[id as usize])
                .find(|phrase| text[start..].starts_with(phrase));
            match longest {
                Some(phrase) => {
                    found.push(start..start + phrase.len());
                    start + phrase.len()
                }
                None => start + char_len(text.as_bytes()[start]),
            }
        });
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aho_corasick::{AhoCorasick, MatchKind};
    use proptest::prelude::*;

    /// Phrases and texts over a small alphabet, so that phrases overlap, nest and repeat.
    fn phrases_and_text() -> impl Strategy<Value = (Vec<String>, String)> {
        let word = "[江湾镇乡法治a1 ]{1,4}";
        (
            proptest::collection::vec(word, 0..12),
            "[江湾镇乡法治a1 ]{0,60}",
        )
    }

    proptest! {
        #[test]
        fn overlapping_matches_are_aho_corasicks((phrases, text) in phrases_and_text()) {
            let index = PhraseIndex::new(&phrases);
            let mut ours = Vec::new();
            index.for_each_overlapping(&text, |start, id| ours.push((start, id)));
            let ac = AhoCorasick::new(&phrases).unwrap();
            let mut theirs: Vec<(usize, usize)> = ac
                .find_overlapping_iter(&text)
                .map(|m| (m.start(), m.pattern().as_usize()))
                .collect();
            ours.sort_unstable();
            theirs.sort_unstable();
            prop_assert_eq!(ours, theirs);
        }

        #[test]
        fn leftmost_longest_matches_are_aho_corasicks((phrases, text) in phrases_and_text()) {
            let index = PhraseIndex::new(&phrases);
            let ac = AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostLongest)
                .build(&phrases)
                .unwrap();
            let theirs: Vec<_> = ac.find_iter(&text).map(|m| m.range()).collect();
            prop_assert_eq!(index.leftmost_longest(&text), theirs);
        }
    }

    #[test]
    fn finds_place_names_in_a_report_line() {
        let index = PhraseIndex::new(["江湾镇", "江湾", "婺源县", "镇"]);
        let text = "婺源县江湾镇人民政府2023年法治政府建设工作报告";
        let mut found = Vec::new();
        index.for_each_overlapping(text, |start, id| found.push((start, index.phrase(id))));
        assert_eq!(
            found,
            [(0, "婺源县"), (9, "江湾镇"), (9, "江湾"), (15, "镇")]
        );
        assert_eq!(index.leftmost_longest(text), [0..9, 9..18]);
    }
}
