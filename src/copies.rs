//! Stage 9: units → copied text (template diffusion). Townships copy their county's work plan
//! and each other's reports; this stage finds the units whose text nearly repeats another's,
//! across reports and within one.
//!
//! Each unit's text is reduced to its letters and digits (spacing and punctuation edits do not
//! hide a copy) and cut into character shingles (`copies.shingle`, 5 by default). Each shingle
//! set is summarised by a MinHash signature of `bands × rows` seeded hashes, and LSH banding
//! proposes as candidates only the pairs whose signatures agree on a whole band; every candidate
//! is then checked by the exact Jaccard similarity of the two shingle sets, and kept at
//! `copies.threshold` (0.6) or more. All pairs are never compared: the work grows with the
//! units and the candidates. With 20 bands of 4 rows a pair at Jaccard 0.6 is proposed with
//! probability 1 − (1 − 0.6⁴)²⁰ ≈ 0.94, at 0.7 with 0.996, and at 0.3 with 0.15.
//!
//! Hand-written rather than taken from a crate: the MinHash-LSH crates (gaoya, lsh-rs) build a
//! query index of hash maps and answer one query at a time, so a batch over every unit would
//! query n times and deduplicate the answers; here each band is one sort of (band hash, unit),
//! a pair is checked only in the first band where the two agree (no set of seen pairs), and
//! nothing depends on hash-map or thread order.
//!
//! Cost: a signature per distinct text (in parallel; a text repeated across reports is
//! shingled and hashed once), one sort per band, the candidates (bands and buckets in parallel),
//! and the shingles again of the texts that meet another in a candidate pair (the sets are not
//! held in between: memory, not time, bounds this stage on a large corpus). A bucket of more than
//! `copies.max_bucket` units (boilerplate repeated hundreds of times) pairs each unit with the
//! next `max_bucket` ones in unit order only, so it costs linear, not quadratic, time.
//! Deterministic at any thread count: the hashes are seeded constants and the pairs are sorted.

use crate::config::{CopyParams, Valid};
use crate::corpus::{Unit, UnitIdx};
use multiversion::multiversion;
use rayon::prelude::*;
use serde::Serialize;

/// Two near-duplicate units (`a < b`, unit indices of the run).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CopyPair {
    /// The first unit.
    pub a: UnitIdx,
    /// The second unit.
    pub b: UnitIdx,
    /// Jaccard similarity of their shingle sets.
    pub similarity: f64,
}

/// What the copy stage found.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Copies {
    /// The pairs at or above the threshold, sorted by `(a, b)`.
    pub pairs: Vec<CopyPair>,
    /// Per report (run order): characters of its units that have a copy in another report,
    /// over the characters of all its units (0 for a report without units).
    pub copied_share: Vec<f64>,
    /// Candidate pairs checked by exact Jaccard.
    pub candidates: usize,
    /// Buckets larger than `copies.max_bucket`, whose units were paired with neighbours only.
    pub capped_buckets: usize,
}

impl Copies {
    /// Per unit (in unit order): whether it has a copy in another report.
    pub fn copied_elsewhere(&self, units: &[Unit]) -> Vec<bool> {
        let mut copied = vec![false; units.len()];
        for p in &self.pairs {
            let (a, b) = (p.a.index(), p.b.index());
            if units[a].report != units[b].report {
                copied[a] = true;
                copied[b] = true;
            }
        }
        copied
    }
}

/// The characters a unit's text is compared on: letters and digits, ASCII lower-cased
/// (Chinese characters, nearly all of the text, on a fast path).
fn compared_chars(text: &str) -> impl Iterator<Item = char> + '_ {
    text.chars().filter_map(|c| {
        if crate::text::is_han(c) {
            Some(c)
        } else if c.is_ascii() {
            c.is_ascii_alphanumeric().then(|| c.to_ascii_lowercase())
        } else {
            c.is_alphanumeric().then_some(c)
        }
    })
}

/// SplitMix64's finaliser: a bijective mix of 64 bits.
fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// The shingle hashes of `text` (`k` compared characters each), in text order with any
/// repeats: all a MinHash signature needs (the minima of a list are those of its set), without
/// the sort of [`shingles`]. Empty when the text has fewer than `min_chars` compared characters
/// (or fewer than `k`). 32-bit hashes: two sets of a few hundred shingles share a false one
/// with odds of about 10⁻⁵, and the sets of a large corpus take half the memory of 64-bit ones.
fn shingle_hashes(text: &str, k: usize, min_chars: usize) -> Vec<u32> {
    let chars: Vec<u64> = compared_chars(text).map(u64::from).collect();
    if chars.len() < k.max(min_chars) {
        return Vec::new();
    }
    chars
        .windows(k)
        .map(|w| {
            // Three 21-bit characters to a word, one mix per word.
            let h = w.chunks(3).fold(0x9e37_79b9_7f4a_7c15, |h, part| {
                mix(h ^ part.iter().fold(0, |word, &c| word << 21 | c))
            });
            (h >> 32) as u32
        })
        .collect()
}

/// The shingle set of `text`: its [`shingle_hashes`], sorted and deduplicated.
fn shingles(text: &str, k: usize, min_chars: usize) -> Vec<u32> {
    let mut set = shingle_hashes(text, k, min_chars);
    set.sort_unstable();
    set.dedup();
    set
}

/// The seeded hash functions of the signatures, `h(x) = a·x + b` modulo 2³² with `a` odd, as
/// the columns `(a, b)`: applied to shingle hashes that are already random, they give MinHash
/// estimates as theory says (checked: at Jaccard 0.6 the 80 minima agree on 0.600 of them, and
/// 20 bands of 4 propose 0.939 of such pairs against 0.938 in theory). 32-bit products are
/// about three times faster than 64-bit multiply-shift: the compiler vectorizes them.
fn hash_functions(n: usize) -> (Vec<u32>, Vec<u32>) {
    let mut state = 0x5eed_c0de_u64;
    let mut next = || {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        mix(state)
    };
    (0..n).map(|_| ((next() | 1) as u32, next() as u32)).unzip()
}

/// The band hashes of a shingle set (or of its hashes with repeats): the MinHash signature cut
/// into `bands` bands of `rows` values, each band hashed to 64 bits (two units share a band when their values agree there;
/// a false agreement of the hashes has odds of 2⁻⁶⁴).
fn band_hashes(set: &[u32], (a, b): (&[u32], &[u32]), rows: usize, out: &mut [u64]) {
    let mut minima = vec![u32::MAX; a.len()];
    signature_minima(set, a, b, &mut minima);
    for (band, values) in out.iter_mut().zip(minima.chunks_exact(rows)) {
        *band = values
            .iter()
            .fold(0x243f_6a88_85a3_08d3, |h, &v| mix(h ^ u64::from(v)));
    }
}

/// The MinHash minima of `set` under the hash functions `(a, b)`, into `minima`: most of this
/// stage's time. Compiled for AVX2 too and chosen at run time by multiversion: the x86-64
/// baseline has no 32-bit vector multiply (`pmulld` is SSE4.1), AVX2 multiplies eight lanes at
/// once; integer arithmetic, so the same bits either way.
#[multiversion(targets("x86_64+avx2"))]
fn signature_minima(set: &[u32], a: &[u32], b: &[u32], minima: &mut [u32]) {
    for &x in set {
        for ((m, &a), &b) in minima.iter_mut().zip(a).zip(b) {
            *m = (*m).min(a.wrapping_mul(x).wrapping_add(b));
        }
    }
}

/// Jaccard similarity of two sorted, deduplicated sets.
fn jaccard(x: &[u32], y: &[u32]) -> f64 {
    let (mut i, mut j, mut both) = (0, 0, 0usize);
    while i < x.len() && j < y.len() {
        match x[i].cmp(&y[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                both += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let union = x.len() + y.len() - both;
    if union == 0 {
        0.0
    } else {
        both as f64 / union as f64
    }
}

/// Finds the near-duplicate units of a run and each report's copied share (`reports`: the
/// number of reports, which unit `report` fields index).
pub fn find(units: &[Unit], reports: usize, params: &Valid<CopyParams>) -> Copies {
    let texts: Vec<&str> = units.iter().map(|u| u.text.as_str()).collect();
    let (pairs, candidates, capped_buckets) = near_duplicates(&texts, params);
    let mut copies = Copies {
        pairs,
        copied_share: Vec::new(),
        candidates,
        capped_buckets,
    };
    let copied = copies.copied_elsewhere(units);
    let mut chars = vec![(0usize, 0usize); reports];
    for (unit, copied) in units.iter().zip(copied) {
        let n = unit.text.chars().count();
        chars[unit.report].1 += n;
        if copied {
            chars[unit.report].0 += n;
        }
    }
    copies.copied_share = chars
        .into_iter()
        .map(|(copied, all)| {
            if all == 0 {
                0.0
            } else {
                copied as f64 / all as f64
            }
        })
        .collect();
    copies
}

/// The distinct texts of the units: a text repeated in many reports (boilerplate, a county's
/// plan copied by its townships) is shingled and hashed into a signature once. Texts are told
/// apart exactly (a hash map compares them), so units grouped here have one shingle set; two
/// different texts may still have one set, and are then compared as any two units are (their
/// Jaccard similarity is exactly 1).
struct Distinct {
    /// Per distinct text, in the order of the first unit holding it: that unit.
    first: Vec<u32>,
    /// Per unit, the index of its text in `first`.
    text_of: Vec<u32>,
}

impl Distinct {
    /// The distinct texts of `texts` (unit order).
    fn new(texts: &[&str]) -> Distinct {
        let mut index: rustc_hash::FxHashMap<&str, u32> = Default::default();
        let mut first = Vec::new();
        let text_of = texts
            .iter()
            .enumerate()
            .map(|(u, &text)| {
                *index.entry(text).or_insert_with(|| {
                    first.push(u as u32);
                    (first.len() - 1) as u32
                })
            })
            .collect();
        Distinct { first, text_of }
    }
}

/// The pairs of `texts` at Jaccard ≥ the threshold, sorted, with the number of candidates
/// checked and of capped buckets.
///
/// Memory is what bounds this stage on a large corpus, so no unit's shingle set is held longer
/// than it is needed: a distinct text's set is made for its signature and dropped, and made
/// again only if the text meets another in a candidate pair (on laws by paragraph, 30% of the
/// distinct texts, whose sets hold 17 of the 57 MB all sets would).
fn near_duplicates(texts: &[&str], params: &CopyParams) -> (Vec<CopyPair>, usize, usize) {
    let (bands, rows) = (params.bands, params.rows);
    let (mul, add) = hash_functions(bands * rows);
    let distinct = Distinct::new(texts);
    let text_at = |text: u32| texts[distinct.first[text as usize] as usize];
    // Band hashes, text-major: `signature[text * bands + band]`; a text too short to compare
    // has no shingles and is in no band.
    let mut signature = vec![0u64; distinct.first.len() * bands];
    let comparable: Vec<bool> = signature
        .par_chunks_mut(bands)
        .enumerate()
        .map(|(text, out)| {
            let hashes = shingle_hashes(text_at(text as u32), params.shingle, params.min_chars);
            if !hashes.is_empty() {
                band_hashes(&hashes, (&mul, &add), rows, out);
            }
            !hashes.is_empty()
        })
        .collect();
    let text_of = |u: u32| distinct.text_of[u as usize];
    let band_of = |u: u32, band: usize| signature[text_of(u) as usize * bands + band];
    // The candidate pairs of every band: those whose signatures agree there and in no earlier
    // band (each pair is proposed once), each unit paired with the next `max_bucket` of its
    // bucket at most.
    let proposed: Vec<(Vec<(u32, u32)>, usize)> = (0..bands)
        .into_par_iter()
        .map(|band| {
            let mut keyed: Vec<(u64, u32)> = (0..texts.len() as u32)
                .filter(|&u| comparable[text_of(u) as usize])
                .map(|u| (band_of(u, band), u))
                .collect();
            keyed.sort_unstable();
            let buckets: Vec<&[(u64, u32)]> = keyed
                .chunk_by(|x, y| x.0 == y.0)
                .filter(|b| b.len() > 1)
                .collect();
            let capped = buckets
                .iter()
                .filter(|b| b.len() > params.max_bucket)
                .count();
            let candidates = buckets
                .par_iter()
                .flat_map_iter(|bucket| {
                    bucket.iter().enumerate().flat_map(move |(i, &(_, a))| {
                        let reach = (i + 1 + params.max_bucket).min(bucket.len());
                        bucket[i + 1..reach]
                            .iter()
                            .map(move |&(_, b)| (a, b))
                            .filter(move |&(a, b)| {
                                (0..band).all(|earlier| band_of(a, earlier) != band_of(b, earlier))
                            })
                    })
                })
                .collect();
            (candidates, capped)
        })
        .collect();
    let capped = proposed.iter().map(|(_, k)| k).sum();
    let proposed: Vec<(u32, u32)> = proposed.into_iter().flat_map(|(c, _)| c).collect();
    // The sets of the texts that meet a different text in a candidate pair, made again.
    let mut needed = vec![false; distinct.first.len()];
    for &(a, b) in &proposed {
        if text_of(a) != text_of(b) {
            needed[text_of(a) as usize] = true;
            needed[text_of(b) as usize] = true;
        }
    }
    let sets: Vec<Vec<u32>> = needed
        .par_iter()
        .enumerate()
        .map(|(text, &needed)| match needed {
            true => shingles(text_at(text as u32), params.shingle, params.min_chars),
            false => Vec::new(),
        })
        .collect();
    // Units with one text are copies without a look at the sets (exactly 1 by `jaccard` too).
    let similarity = |a: u32, b: u32| match text_of(a) == text_of(b) {
        true => 1.0,
        false => jaccard(&sets[text_of(a) as usize], &sets[text_of(b) as usize]),
    };
    let mut pairs: Vec<CopyPair> = proposed
        .par_iter()
        .filter_map(|&(a, b)| {
            let similarity = similarity(a, b);
            (similarity >= params.threshold).then(|| CopyPair {
                a: a.into(),
                b: b.into(),
                similarity,
            })
        })
        .collect();
    pairs.par_sort_unstable_by_key(|p| (p.a, p.b));
    (pairs, proposed.len(), capped)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> CopyParams {
        CopyParams::default()
    }

    #[test]
    fn shingles_ignore_spacing_and_punctuation() {
        let a = shingles("坚持依法行政，推进法治政府建设。", 5, 5);
        let b = shingles("坚持依法行政 推进法治政府建设", 5, 5);
        assert_eq!(a, b);
        assert_eq!(a.len(), 14 - 4);
        assert!(shingles("依法行政", 5, 5).is_empty());
        assert!(shingles("坚持依法行政推进", 5, 20).is_empty());
    }

    #[test]
    fn repeated_texts_are_kept_once_in_first_seen_order() {
        let d = Distinct::new(&["甲", "", "乙", "甲", "", "丙"]);
        assert_eq!(d.first, vec![0, 1, 2, 5]);
        assert_eq!(d.text_of, vec![0, 1, 2, 0, 1, 3]);
    }

    #[test]
    fn jaccard_of_sorted_sets() {
        assert_eq!(jaccard(&[1, 2, 3], &[2, 3, 4]), 0.5);
        assert_eq!(jaccard(&[], &[]), 0.0);
        assert_eq!(jaccard(&[7], &[7]), 1.0);
    }

    #[test]
    fn finds_a_lightly_edited_copy_and_not_a_different_text() {
        let texts = [
            "深入推进矛盾纠纷多元化解，全年共排查化解各类矛盾纠纷120余起，调解成功率达98%，有效维护了社会和谐稳定。",
            "严格落实行政执法三项制度，全面推行行政执法公示、执法全过程记录和重大执法决定法制审核制度。",
            "深入推进矛盾纠纷多元化解，全年共排查化解各类矛盾纠纷120余起，调解成功率达97%，有效维护了辖区社会和谐稳定。",
            "加强法治宣传教育，组织开展民法典进农村、进社区、进学校活动二十余场次，发放宣传资料三千余份。",
        ];
        let (pairs, candidates, capped) = near_duplicates(&texts, &params());
        assert_eq!(pairs.len(), 1, "{pairs:?}");
        assert_eq!((pairs[0].a.index(), pairs[0].b.index()), (0, 2));
        assert!(pairs[0].similarity >= 0.6 && pairs[0].similarity < 1.0);
        assert!(candidates >= 1);
        assert_eq!(capped, 0);
    }

    #[test]
    fn a_large_bucket_is_paired_with_neighbours_only() {
        let text = "本条例自公布之日起施行，原有规定与本条例不一致的，以本条例为准。";
        let texts = vec![text; 50];
        let p = CopyParams {
            max_bucket: 3,
            ..params()
        };
        let (pairs, candidates, capped) = near_duplicates(&texts, &p);
        // Each unit meets the next three: 47 × 3 + 2 + 1 pairs, each checked once.
        assert_eq!(pairs.len(), 47 * 3 + 3);
        assert_eq!(candidates, pairs.len());
        assert_eq!(capped, p.bands);
        let all = near_duplicates(&texts, &params()).0;
        assert_eq!(all.len(), 50 * 49 / 2);
        assert!(all.iter().all(|p| p.similarity == 1.0));
    }
}
