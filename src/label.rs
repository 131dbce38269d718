//! Stage 6: themes → labels: distinctive terms by class-based TF-IDF, the units nearest each
//! centre as examples, a short label from the top terms, and the analyst's own names.
//!
//! c-TF-IDF (Grootendorst 2022): each theme's units are pooled into one document; the weight of
//! term t in theme c is tf(t, c) / |c| × ln(1 + A / f(t)), where |c| is the number of words in the
//! theme, A the mean number of words per theme and f(t) the frequency of t over all themes.

use crate::cluster::Placement;
use crate::config::{LabelParams, Valid};
use crate::corpus::{ThemeId, UnitIdx};
use crate::error::{ConfigError, Result};
use crate::segment::TokenizedCorpus;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// A labelled theme.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Theme {
    /// Stable id, `T01`, `T02`, … (largest theme first; [`ThemeId`] as shown).
    pub id: String,
    /// The label shown: the analyst's name if given, else the top terms joined by `·`.
    pub label: String,
    /// The analyst's name, if the labels file gives one.
    pub name: Option<String>,
    /// Top terms joined by `+`: a signature that survives renumbering between runs.
    pub signature: String,
    /// Number of units in the theme.
    pub size: usize,
    /// Distinctive terms with their c-TF-IDF weights, best first.
    pub top_terms: Vec<(String, f64)>,
    /// Indices of the example units (nearest the centre first).
    pub examples: Vec<UnitIdx>,
    /// The nearest codebook entry's name (the codebook in force, the built-in 纲要 by default).
    #[serde(default)]
    pub codebook: Option<String>,
    /// Cosine of the theme's centre to that entry.
    #[serde(default)]
    pub codebook_similarity: Option<f64>,
}

/// An analyst's labels file: names for themes, and themes to fold into one. Keys are theme
/// ids (`T03`) or signatures (`调解+纠纷+矛盾`).
///
/// ```toml
/// [names]
/// T03 = "矛盾纠纷化解"
/// [merge]
/// "学法用法" = ["T02", "T07", "学习+理论+中心组"]   # one theme, named 学法用法
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThemeNames {
    /// Key → name.
    #[serde(default)]
    pub names: BTreeMap<String, String>,
    /// Name → the themes (ids or signatures of the run without merges) folded into one theme of
    /// that name, before labelling.
    #[serde(default)]
    pub merge: BTreeMap<String, Vec<String>>,
}

/// The merges of a labels file resolved against a run's themes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Merges {
    /// Themes folded together, with the merged theme's name; disjoint, two or more each.
    pub groups: Vec<(Vec<ThemeId>, String)>,
    /// Why an entry or a key was left out (a key that names no theme, a theme merged twice).
    pub warnings: Vec<String>,
}

impl ThemeNames {
    /// Reads a labels file (`[names]` table of TOML).
    pub fn from_file(path: &Path) -> Result<ThemeNames> {
        let bad = |message: String| ConfigError::File {
            path: path.display().to_string(),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| bad(e.to_string()))?;
        Ok(toml::from_str(&text).map_err(|e| bad(crate::config::toml_error(&text, &e)))?)
    }

    /// The keys that name none of `themes` (by id or signature), sorted.
    pub fn unmatched(&self, themes: &[Theme]) -> Vec<&str> {
        self.names
            .keys()
            .filter(|k| !themes.iter().any(|t| &t.id == *k || &t.signature == *k))
            .map(String::as_str)
            .collect()
    }

    /// The name for a theme: by signature first (it survives renumbering), then by id.
    pub fn name_for(&self, id: &str, signature: &str) -> Option<String> {
        self.names
            .get(signature)
            .or_else(|| self.names.get(id))
            .cloned()
    }

    /// Resolves the `[merge]` table against `themes` (labelled without merges): each key by
    /// signature, then by id. A key that names no theme, or a theme already in an earlier
    /// entry, is left out with a warning; an entry left with fewer than two themes merges
    /// nothing.
    pub fn merges(&self, themes: &[Theme]) -> Merges {
        let mut out = Merges::default();
        let mut taken = vec![false; themes.len()];
        for (name, keys) in &self.merge {
            let mut group = Vec::new();
            for key in keys {
                let found = themes
                    .iter()
                    .position(|t| &t.signature == key)
                    .or_else(|| themes.iter().position(|t| &t.id == key));
                match found {
                    None => out
                        .warnings
                        .push(format!("[merge] {name:?}: {key:?} names no theme")),
                    Some(t) if taken[t] => out.warnings.push(format!(
                        "[merge] {name:?}: {key:?} is already merged elsewhere; left out"
                    )),
                    Some(t) => {
                        taken[t] = true;
                        group.push(ThemeId::new(t));
                    }
                }
            }
            if group.len() >= 2 {
                group.sort_unstable();
                out.groups.push((group, name.clone()));
            } else {
                out.warnings.push(format!(
                    "[merge] {name:?}: fewer than two themes found; nothing merged"
                ));
            }
        }
        out
    }
}

/// What themes are labelled from: the units' words, the vocabulary, and where each unit lies.
#[derive(Debug, Clone, Copy)]
pub struct Labelled<'a> {
    /// Every unit's tokens.
    pub corpus: &'a TokenizedCorpus,
    /// The corpus's term ids → vocabulary columns (None: not in the vocabulary).
    pub columns: &'a [Option<u32>],
    /// The vocabulary, by column.
    pub vocabulary: &'a [String],
    /// Where unit u lies (None: unassigned).
    pub placements: &'a [Option<Placement>],
    /// The number of themes.
    pub k: usize,
}

/// Labels the themes of `units`, named by `names` where the analyst gave names.
pub fn label_themes(
    units: Labelled<'_>,
    params: &Valid<LabelParams>,
    names: &ThemeNames,
) -> Vec<Theme> {
    let Labelled {
        corpus,
        columns,
        vocabulary,
        placements,
        k,
    } = units;
    let v = vocabulary.len();
    let members = members_by_theme(placements, k);
    // Each theme's term counts, the themes in parallel.
    let tf: Vec<Vec<u64>> = members
        .par_iter()
        .map(|units| {
            let mut counts = vec![0u64; v];
            for &u in units {
                for t in corpus.doc_words(u.index()) {
                    if let Some(col) = columns[t as usize] {
                        counts[col as usize] += 1;
                    }
                }
            }
            counts
        })
        .collect();
    let words: Vec<u64> = tf.iter().map(|row| row.iter().sum()).collect();
    let mean_words = words.iter().sum::<u64>() as f64 / k.max(1) as f64;
    let mut freq = vec![0u64; v];
    for row in &tf {
        for (f, &x) in freq.iter_mut().zip(row) {
            *f += x;
        }
    }
    // Place names and bare numbers (渝北区, 二十) name no theme.
    let not_theme_terms: Vec<bool> = vocabulary
        .par_iter()
        .map(|t| crate::meta::is_place_name(t) || is_numeral(t))
        .collect();
    (0..k)
        .into_par_iter()
        .map(|c| {
            let mut weights: Vec<(usize, f64)> = (0..v)
                .filter(|&t| tf[c][t] > 0 && !not_theme_terms[t])
                .map(|t| {
                    (
                        t,
                        tf[c][t] as f64 / words[c] as f64
                            * (1.0 + mean_words / freq[t] as f64).ln(),
                    )
                })
                .collect();
            weights.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            weights.truncate(params.top_terms);
            let top_terms: Vec<(String, f64)> = weights
                .iter()
                .map(|&(t, w)| (vocabulary[t].clone(), w))
                .collect();
            let id = ThemeId::new(c).to_string();
            let signature = top_terms
                .iter()
                .take(params.label_terms)
                .map(|(t, _)| t.as_str())
                .collect::<Vec<_>>()
                .join("+");
            let auto = label_words(&top_terms, params.label_terms).join("·");
            let name = names.name_for(&id, &signature);
            Theme {
                label: name.clone().unwrap_or(auto),
                name,
                id,
                signature,
                size: members[c].len(),
                top_terms,
                examples: nearest(&members[c], placements, params.examples),
                codebook: None,
                codebook_similarity: None,
            }
        })
        .collect()
}

/// Pairs of themes whose distinctive terms nearly coincide (cosine of their top-term weights
/// at least `min_cosine`), most alike first: one subject split in two, worth merging.
pub fn near_duplicates(themes: &[Theme], min_cosine: f64) -> Vec<(usize, usize, f64)> {
    let norm = |t: &Theme| t.top_terms.iter().map(|(_, w)| w * w).sum::<f64>().sqrt();
    let mut out = Vec::new();
    for i in 0..themes.len() {
        for j in i + 1..themes.len() {
            let dot: f64 = themes[i]
                .top_terms
                .iter()
                .filter_map(|(term, w)| {
                    let other = themes[j].top_terms.iter().find(|(t, _)| t == term)?;
                    Some(w * other.1)
                })
                .sum();
            let denominator = norm(&themes[i]) * norm(&themes[j]);
            if denominator > 0.0 && dot / denominator >= min_cosine {
                out.push((i, j, dot / denominator));
            }
        }
    }
    out.sort_by(|a, b| b.2.total_cmp(&a.2).then((a.0, a.1).cmp(&(b.0, b.1))));
    out
}

/// Whether a term is a number alone, in Arabic or Chinese numerals (`2023`, `二十`, `十四五`).
fn is_numeral(term: &str) -> bool {
    term.chars()
        .all(|c| c.is_ascii_digit() || "零一二三四五六七八九十百千万两".contains(c))
}

/// The words of a label: the top terms in order, leaving out a term that is a piece of one
/// already taken or holds one (执法 beside 综合行政执法), so a label names `n` different things.
fn label_words(top_terms: &[(String, f64)], n: usize) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::with_capacity(n);
    for (term, _) in top_terms {
        if out.len() == n {
            break;
        }
        if !out
            .iter()
            .any(|w| w.contains(term.as_str()) || term.contains(w))
        {
            out.push(term);
        }
    }
    out
}

/// The units of each of the `k` themes (indexed by [`ThemeId::index`]), in order.
pub fn members_by_theme(placements: &[Option<Placement>], k: usize) -> Vec<Vec<UnitIdx>> {
    let mut members = vec![Vec::new(); k];
    for (u, placement) in placements.iter().enumerate() {
        if let Some(p) = placement {
            members[p.theme.index()].push(UnitIdx::new(u));
        }
    }
    members
}

/// The `n` of a theme's `units` nearest its centre (highest similarity; ties: the earlier), best
/// first: the theme's examples.
pub fn nearest(units: &[UnitIdx], placements: &[Option<Placement>], n: usize) -> Vec<UnitIdx> {
    let similarity = |u: UnitIdx| placements[u.index()].map_or(0.0, |p| p.similarity);
    let order =
        |&a: &UnitIdx, &b: &UnitIdx| similarity(b).total_cmp(&similarity(a)).then(a.cmp(&b));
    let mut best = units.to_vec();
    if n < best.len() {
        // Only the best n are sorted: a theme can hold a third of a million units.
        best.select_nth_unstable_by(n, order);
        best.truncate(n);
    }
    best.sort_by(order);
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Check;

    #[test]
    fn labels_name_different_things_and_no_numbers() {
        let terms: Vec<(String, f64)> = ["执法", "综合行政执法", "行政执法", "队伍", "培训"]
            .iter()
            .map(|t| (t.to_string(), 1.0))
            .collect();
        assert_eq!(label_words(&terms, 3), ["执法", "队伍", "培训"]);
        assert!(is_numeral("二十") && is_numeral("2023") && !is_numeral("二中全会"));
        assert!(crate::meta::is_place_name("渝北区") && crate::meta::is_place_name("广东"));
        assert!(!crate::meta::is_place_name("合作") && !crate::meta::is_place_name("调解"));
    }

    #[test]
    fn themes_that_share_their_terms_are_flagged() {
        let theme = |terms: &[(&str, f64)]| Theme {
            id: String::new(),
            label: String::new(),
            name: None,
            signature: String::new(),
            size: 1,
            top_terms: terms.iter().map(|&(t, w)| (t.to_string(), w)).collect(),
            examples: Vec::new(),
            codebook: None,
            codebook_similarity: None,
        };
        let themes = [
            theme(&[("学习", 0.3), ("理论", 0.2), ("干部", 0.1)]),
            theme(&[("调解", 0.3), ("纠纷", 0.2)]),
            theme(&[("学习", 0.2), ("思想", 0.2), ("理论", 0.1)]),
        ];
        let pairs = near_duplicates(&themes, 0.3);
        assert_eq!(
            pairs.iter().map(|p| (p.0, p.1)).collect::<Vec<_>>(),
            [(0, 2)]
        );
    }

    #[test]
    fn distinctive_terms_rank_above_shared_ones() {
        // Theme 0: 调解 ×2 + 工作; theme 1: 普法 ×2 + 工作.
        let corpus =
            TokenizedCorpus::from_docs(&[["调解", "调解", "工作"], ["普法", "普法", "工作"]]);
        let terms = corpus.terms().to_vec();
        let columns = vec![Some(0), Some(1), Some(2)];
        let names = ThemeNames {
            names: BTreeMap::from([("T02".to_string(), "普法宣传".to_string())]),
            ..ThemeNames::default()
        };
        let themes = label_themes(
            Labelled {
                corpus: &corpus,
                columns: &columns,
                vocabulary: &terms,
                placements: &[0, 1].map(|theme| {
                    Some(Placement {
                        theme: ThemeId::new(theme),
                        similarity: 1.0,
                    })
                }),
                k: 2,
            },
            &LabelParams::default().check().unwrap(),
            &names,
        );
        assert_eq!(themes[0].top_terms[0].0, "调解");
        assert_eq!(themes[1].top_terms[0].0, "普法");
        assert!(themes[0].top_terms[0].1 > themes[0].top_terms[1].1);
        assert_eq!(themes[1].label, "普法宣传");
        assert_eq!(themes[0].label, "调解·工作");
    }

    #[test]
    fn merges_resolve_by_signature_then_id_and_warn_about_the_rest() {
        let theme = |id: &str, signature: &str| Theme {
            id: id.to_string(),
            label: String::new(),
            name: None,
            signature: signature.to_string(),
            size: 1,
            top_terms: Vec::new(),
            examples: Vec::new(),
            codebook: None,
            codebook_similarity: None,
        };
        let themes = [
            theme("T01", "调解+纠纷"),
            theme("T02", "学习+理论"),
            theme("T03", "T01"),
            theme("T04", "执法+检查"),
        ];
        let names: ThemeNames = toml::from_str(
            "[merge]\n\"学法\" = [\"T02\", \"T01\", \"T09\"]\n\"调解\" = [\"T03\", \"调解+纠纷\"]\n\"执法\" = [\"T04\"]\n",
        )
        .expect("a labels file");
        let merges = names.merges(&themes);
        // Entries in key order (学法, 执法, 调解). A signature wins over an id: 学法's `T01` is
        // T03, whose signature it is. 执法 has one theme; 调解 finds T03 taken and keeps one.
        assert_eq!(
            merges.groups,
            [(vec![ThemeId::new(1), ThemeId::new(2)], "学法".to_string())]
        );
        assert_eq!(merges.warnings.len(), 4, "{:?}", merges.warnings);
        assert!(merges.warnings[0].contains("\"T09\" names no theme"));
        assert!(merges.warnings[1].contains("fewer than two"));
        assert!(merges.warnings[2].contains("already merged"));
    }
}
