//! Stage 4a: token ids → a sparse TF-IDF matrix (CSR, via sprs), exactly as scikit-learn's
//! `TfidfVectorizer` computes it on the same tokens and options.
//!
//! - df(t) = documents containing t; keep t iff `df >= min_df` and `df <= max_df` (an integer is
//!   a count, a float a proportion of documents, compared as floats), then the `max_features`
//!   most frequent (by total count; ties keep code-point order).
//! - idf(t) = ln((1+n)/(1+df)) + 1 (smooth) or ln(n/df) + 1; tf = count, or 1 + ln(count) when
//!   sublinear; rows normalised (l2, l1 or none); all-zero rows stay zero.
//!
//! Parallel with rayon over documents; document frequencies are integer sums and every row is
//! computed on its own, so every value is independent of the thread count.

use crate::config::{Norm, TfidfParams, Valid};
use crate::error::{Error, Result};
use crate::segment::TokenizedCorpus;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sprs::CsMatI;

/// A TF-IDF matrix: CSR, one row per document; f64 values (scikit-learn's) and u32 column
/// indices (a vocabulary never nears 2³² terms, and the indices are a third of the matrix).
pub type TfidfMatrix = CsMatI<f64, u32, usize>;

/// The fitted vocabulary and idf: what is needed to weight new documents the same way.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TfidfModel {
    /// Kept terms, in code-point order (the matrix's columns).
    pub vocabulary: Vec<String>,
    /// Document frequency of each kept term.
    pub df: Vec<u64>,
    /// Inverse document frequency of each kept term (1 when idf is off).
    pub idf: Vec<f64>,
    /// Documents the model was fitted on.
    pub n_docs: usize,
    /// The options used.
    pub params: TfidfParams,
}

/// A weighted corpus: the model and the matrix of its documents.
#[derive(Debug, Clone)]
pub struct Tfidf {
    /// Vocabulary and idf.
    pub model: TfidfModel,
    /// One row per document, one column per kept term.
    pub matrix: TfidfMatrix,
    /// For each term id of the tokenized corpus, its column, if kept.
    pub columns: Vec<Option<u32>>,
}

/// Rows per parallel task when weighting.
const ROWS_PER_CHUNK: usize = 4096;

/// Document frequency of every term of the corpus: each fold counts a term once per document,
/// marking the last document it counted it in (no sorting of each document's ids).
fn document_frequencies(corpus: &TokenizedCorpus) -> Vec<u64> {
    let n_terms = corpus.terms().len();
    (0..corpus.len())
        .into_par_iter()
        .fold(
            || (vec![0u64; n_terms], vec![usize::MAX; n_terms]),
            |(mut df, mut last): (Vec<u64>, Vec<usize>), d| {
                for &t in corpus.doc(d) {
                    let t = t as usize;
                    if last[t] != d {
                        last[t] = d;
                        df[t] += 1;
                    }
                }
                (df, last)
            },
        )
        .map(|(df, _)| df)
        .reduce(
            || vec![0u64; n_terms],
            |mut a, b| {
                a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
                a
            },
        )
}

/// Fits the vocabulary and idf on `corpus` and weights it.
pub fn fit_transform(corpus: &TokenizedCorpus, params: &Valid<TfidfParams>) -> Result<Tfidf> {
    let df = document_frequencies(corpus);
    let totals = || {
        let mut total = vec![0u64; df.len()];
        for &t in corpus.ids() {
            total[t as usize] += 1;
        }
        total
    };
    // The corpus's terms are in code-point order, so their ids order them as the vocabulary.
    let model = model_of(corpus.terms(), &df, totals, corpus.len(), params)?;
    let columns = columns_for(corpus, &model);
    let matrix = weight_rows(corpus, &columns, &model);
    Ok(Tfidf {
        model,
        matrix,
        columns,
    })
}

/// The vocabulary and idf of terms `terms` (in code-point order) with document frequencies
/// `df` over `n` documents: the terms `min_df`, `max_df` and `max_features` keep
/// (`totals()` gives each term's count over all documents, read only for `max_features`).
fn model_of(
    terms: &[String],
    df: &[u64],
    totals: impl FnOnce() -> Vec<u64>,
    n: usize,
    params: &Valid<TfidfParams>,
) -> Result<TfidfModel> {
    let low = params.min_df.to_count(n);
    let high = params.max_df.to_count(n);
    let mut kept: Vec<u32> = (0..df.len() as u32)
        .filter(|&t| {
            let d = df[t as usize] as f64;
            d >= low && d <= high
        })
        .collect();
    if let Some(limit) = params.max_features.filter(|&m| m < kept.len()) {
        let total = totals();
        kept.sort_by_key(|&t| (std::cmp::Reverse(total[t as usize]), t));
        kept.truncate(limit);
        kept.sort_unstable();
    }
    if kept.is_empty() {
        return Err(Error::EmptyCorpus(format!(
            "no term is left after min_df = {:?} and max_df = {:?} over {n} units; lower tfidf.min_df or raise tfidf.max_df",
            params.min_df, params.max_df
        )));
    }
    let kept_df: Vec<u64> = kept.iter().map(|&t| df[t as usize]).collect();
    let idf = kept_df.iter().map(|&d| idf_of(d, n, params)).collect();
    Ok(TfidfModel {
        vocabulary: kept.iter().map(|&t| terms[t as usize].clone()).collect(),
        df: kept_df,
        idf,
        n_docs: n,
        params: (**params).clone(),
    })
}

/// Document frequencies and counts of every term over a corpus cut a chunk at a time (`run
/// --stream`): what [`fit_transform`] counts over a corpus held whole, added up chunk by chunk,
/// so that the vocabulary and idf are those of the whole corpus. It holds each distinct term
/// once (a few million at most on a national corpus: some hundred megabytes).
#[derive(Debug, Clone, Default)]
pub struct TermCounts {
    index: rustc_hash::FxHashMap<String, u32>,
    terms: Vec<String>,
    df: Vec<u64>,
    total: Vec<u64>,
    docs: usize,
}

impl TermCounts {
    /// Adds the documents of `corpus`; returns, for each of its term ids, the term's id here
    /// ([`Self::term`]).
    pub fn add(&mut self, corpus: &TokenizedCorpus) -> Vec<u32> {
        let df = document_frequencies(corpus);
        let ids: Vec<u32> = corpus
            .terms()
            .iter()
            .map(|term| match self.index.get(term.as_str()) {
                Some(&id) => id,
                None => {
                    let id = self.terms.len() as u32;
                    self.index.insert(term.clone(), id);
                    self.terms.push(term.clone());
                    self.df.push(0);
                    self.total.push(0);
                    id
                }
            })
            .collect();
        for (local, &id) in ids.iter().enumerate() {
            self.df[id as usize] += df[local];
        }
        for &t in corpus.ids() {
            self.total[ids[t as usize] as usize] += 1;
        }
        self.docs += corpus.len();
        ids
    }

    /// The term of id `id`.
    pub fn term(&self, id: u32) -> &str {
        &self.terms[id as usize]
    }

    /// The documents added.
    pub fn docs(&self) -> usize {
        self.docs
    }

    /// The vocabulary and idf of all the documents added, as [`fit_transform`] fits them.
    pub fn model(&self, params: &Valid<TfidfParams>) -> Result<TfidfModel> {
        // The terms in code-point order, as a corpus held whole numbers them.
        let mut order: Vec<u32> = (0..self.terms.len() as u32).collect();
        order.par_sort_unstable_by(|&a, &b| self.terms[a as usize].cmp(&self.terms[b as usize]));
        let terms: Vec<String> = order
            .iter()
            .map(|&t| self.terms[t as usize].clone())
            .collect();
        let df: Vec<u64> = order.iter().map(|&t| self.df[t as usize]).collect();
        let totals = || order.iter().map(|&t| self.total[t as usize]).collect();
        model_of(&terms, &df, totals, self.docs, params)
    }
}

fn idf_of(df: u64, n: usize, params: &TfidfParams) -> f64 {
    match (params.use_idf, params.smooth_idf) {
        (false, _) => 1.0,
        (true, true) => ((n as f64 + 1.0) / (df as f64 + 1.0)).ln() + 1.0,
        (true, false) => (n as f64 / df as f64).ln() + 1.0,
    }
}

/// Weights the documents of `corpus` with a fitted model; `columns` maps corpus term ids to the
/// model's columns.
///
/// Two passes over fixed chunks of rows, in parallel: the first counts each row's distinct
/// columns, so the matrix's arrays are allocated once at their size; the second writes each
/// chunk's rows into its own part of them. (Rows built per chunk and then moved into place
/// touched the 68 MB of entries on laws twice, in fresh memory each time.)
pub fn weight_rows(
    corpus: &TokenizedCorpus,
    columns: &[Option<u32>],
    model: &TfidfModel,
) -> TfidfMatrix {
    let params = &model.params;
    let n_cols = model.vocabulary.len();
    let firsts: Vec<usize> = (0..corpus.len()).step_by(ROWS_PER_CHUNK).collect();
    let chunk_docs = |first: usize| first..(first + ROWS_PER_CHUNK).min(corpus.len());
    // Distinct columns per row, each marked with the last row it was counted in.
    let lens: Vec<Vec<usize>> = firsts
        .par_iter()
        .map_init(
            || vec![usize::MAX; n_cols],
            |last, &first| {
                chunk_docs(first)
                    .map(|d| {
                        let mut len = 0;
                        for c in corpus.doc(d).iter().filter_map(|&t| columns[t as usize]) {
                            if last[c as usize] != d {
                                last[c as usize] = d;
                                len += 1;
                            }
                        }
                        len
                    })
                    .collect()
            },
        )
        .collect();
    let mut indptr = Vec::with_capacity(corpus.len() + 1);
    indptr.push(0);
    for len in lens.iter().flatten() {
        indptr.push(indptr.last().expect("starts with 0") + len);
    }
    let nnz = *indptr.last().expect("starts with 0");
    let (mut indices, mut data) = (vec![0u32; nnz], vec![0.0f64; nnz]);
    // Each chunk's part of the entries, cut off in order.
    let mut parts = Vec::with_capacity(firsts.len());
    let (mut rest_indices, mut rest_data) = (indices.as_mut_slice(), data.as_mut_slice());
    for &first in &firsts {
        let len = indptr[chunk_docs(first).end] - indptr[first];
        let (i, rest_i) = std::mem::take(&mut rest_indices).split_at_mut(len);
        let (d, rest_d) = std::mem::take(&mut rest_data).split_at_mut(len);
        (rest_indices, rest_data) = (rest_i, rest_d);
        parts.push((first, i, d));
    }
    // One scratch list of a row's columns per task rather than an allocation per row.
    parts
        .into_par_iter()
        .for_each_init(Vec::new, |cols, (first, indices, data)| {
            let mut at = 0;
            for d in chunk_docs(first) {
                cols.clear();
                cols.extend(corpus.doc(d).iter().filter_map(|&t| columns[t as usize]));
                cols.sort_unstable();
                let row_start = at;
                let mut i = 0;
                while i < cols.len() {
                    let c = cols[i];
                    let run = cols[i..].iter().take_while(|&&x| x == c).count();
                    let tf = if params.sublinear_tf {
                        1.0 + (run as f64).ln()
                    } else {
                        run as f64
                    };
                    indices[at] = c;
                    data[at] = tf * model.idf[c as usize];
                    at += 1;
                    i += run;
                }
                let row = &mut data[row_start..at];
                let norm = match params.norm {
                    Norm::L2 => row.iter().map(|v| v * v).sum::<f64>().sqrt(),
                    Norm::L1 => row.iter().map(|v: &f64| v.abs()).sum::<f64>(),
                    Norm::None => 1.0,
                };
                if norm > 0.0 {
                    row.iter_mut().for_each(|v| *v /= norm);
                }
            }
        });
    TfidfMatrix::new((corpus.len(), n_cols), indptr, indices, data)
}

/// Maps a tokenized corpus's term ids onto a fitted model's columns (for `apply`).
pub fn columns_for(corpus: &TokenizedCorpus, model: &TfidfModel) -> Vec<Option<u32>> {
    corpus
        .terms()
        .iter()
        .map(|t| model.vocabulary.binary_search(t).ok().map(|c| c as u32))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Check;
    use crate::config::DfBound;

    fn corpus(docs: &[&[&str]]) -> TokenizedCorpus {
        TokenizedCorpus::from_docs(docs)
    }

    #[test]
    fn matches_scikit_learn_on_a_small_corpus() {
        // sklearn: TfidfVectorizer(min_df=1, max_df=1.0, sublinear_tf=True) on these documents.
        let c = corpus(&[
            &["调解", "调解", "普法"],
            &["普法", "网格"],
            &["网格", "调解"],
        ]);
        let params = TfidfParams {
            min_df: DfBound::Count(1),
            max_df: DfBound::Fraction(1.0),
            ..TfidfParams::default()
        }
        .check()
        .unwrap();
        let t = fit_transform(&c, &params).unwrap();
        assert_eq!(t.model.vocabulary, ["普法", "网格", "调解"]);
        let idf = (4.0f64 / 3.0).ln() + 1.0;
        assert!(t.model.idf.iter().all(|&v| (v - idf).abs() < 1e-15));
        // Row 0: 调解 tf 1+ln2, 普法 tf 1 → normalised.
        let (a, b) = (1.0 + 2f64.ln(), 1.0);
        let norm = (a * a + b * b).sqrt();
        let row = t.matrix.outer_view(0).unwrap();
        assert!((row.get(2).unwrap() - a / norm).abs() < 1e-15);
        assert!((row.get(0).unwrap() - b / norm).abs() < 1e-15);
    }

    #[test]
    fn counts_added_chunk_by_chunk_fit_the_model_of_the_whole() {
        let docs: [&[&str]; 5] = [
            &["调解", "调解", "普法"],
            &["普法", "网格", "矛盾"],
            &["网格", "调解"],
            &["矛盾", "纠纷", "网格", "网格"],
            &["纠纷", "普法"],
        ];
        for (min_df, max_features) in [(1, None), (2, None), (1, Some(3))] {
            let params = TfidfParams {
                min_df: DfBound::Count(min_df),
                max_df: DfBound::Fraction(0.8),
                max_features,
                ..TfidfParams::default()
            }
            .check()
            .unwrap();
            let whole = fit_transform(&corpus(&docs), &params).unwrap().model;
            let mut counts = TermCounts::default();
            // Chunks whose terms come in another order than the whole's.
            counts.add(&corpus(&docs[3..]));
            counts.add(&corpus(&docs[..3]));
            assert_eq!(counts.docs(), 5);
            assert_eq!(
                counts.model(&params).unwrap(),
                whole,
                "{min_df} {max_features:?}"
            );
        }
    }

    #[test]
    fn min_and_max_df_prune_with_integer_and_fraction_meaning() {
        let c = corpus(&[&["甲乙", "丙丁"], &["甲乙", "戊己"], &["甲乙", "丙丁"]]);
        let t = fit_transform(
            &c,
            &TfidfParams {
                min_df: DfBound::Count(2),
                max_df: DfBound::Fraction(0.9),
                ..TfidfParams::default()
            }
            .check()
            .unwrap(),
        )
        .unwrap();
        assert_eq!(t.model.vocabulary, ["丙丁"]);
        let t = fit_transform(
            &c,
            &TfidfParams {
                min_df: DfBound::Count(1),
                max_df: DfBound::Count(3),
                max_features: Some(2),
                ..TfidfParams::default()
            }
            .check()
            .unwrap(),
        )
        .unwrap();
        assert_eq!(t.model.vocabulary, ["丙丁", "甲乙"]);
        assert!(
            fit_transform(
                &c,
                &TfidfParams {
                    min_df: DfBound::Count(4),
                    ..TfidfParams::default()
                }
                .check()
                .unwrap()
            )
            .is_err()
        );
    }
}
