//! A policy codebook: named themes with seed terms, which guide k-means (`--codebook`) and name
//! the fitted themes after their nearest entry in every run.
//!
//! The built-in codebook, `gangyao` (`data/codebook/gangyao.toml`), follows the chapters of the
//! national 法治政府建设实施纲要（2021－2025年） and adds 普法, 基层依法治理 and 学法, which
//! township reports number as measures of their own. An entry becomes a document of its terms,
//! cut, weighted and projected exactly as a unit is, so it lives in the space k-means runs in.

use crate::error::{ConfigError, Result};
use ndarray::{Array2, ArrayView2, Axis};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The built-in codebook's TOML.
const GANGYAO: &str = include_str!("../data/codebook/gangyao.toml");

/// One theme of a codebook.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Short ASCII id (`enforcement`).
    pub id: String,
    /// The analyst's label (`行政执法`).
    pub name: String,
    /// The chapter of the 纲要 it stands for, or empty.
    #[serde(default)]
    pub chapter: String,
    /// What belongs to it.
    #[serde(default)]
    pub description: String,
    /// Seed terms: words as the reports use them for this theme.
    pub terms: Vec<String>,
}

/// A codebook and whether it guides the clustering.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Codebook {
    /// Where it comes from: `gangyao` or the file's path.
    pub source: String,
    /// Its entries, in file order.
    #[serde(rename = "theme")]
    pub entries: Vec<Entry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CodebookFile {
    theme: Vec<Entry>,
}

impl Codebook {
    /// The built-in 纲要 codebook.
    pub fn gangyao() -> Codebook {
        Codebook::parse(GANGYAO, "gangyao").expect("the built-in codebook is valid")
    }

    /// `gangyao`, or a TOML file of `[[theme]]` tables (`id`, `name`, `terms`, and optional
    /// `chapter` and `description`).
    pub fn from_arg(arg: &str) -> Result<Codebook> {
        if arg == "gangyao" {
            return Ok(Codebook::gangyao());
        }
        let path = Path::new(arg);
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::File {
            path: arg.to_string(),
            message: e.to_string(),
        })?;
        Codebook::parse(&text, arg)
    }

    fn parse(text: &str, source: &str) -> Result<Codebook> {
        let bad = |message: String| ConfigError::File {
            path: source.to_string(),
            message,
        };
        let file: CodebookFile =
            toml::from_str(text).map_err(|e| bad(e.to_string().replace('\n', " ")))?;
        if file.theme.is_empty() {
            return Err(bad("no [[theme]] entries".to_string()).into());
        }
        let mut ids: Vec<&str> = file.theme.iter().map(|e| e.id.as_str()).collect();
        ids.sort_unstable();
        if let Some(w) = ids.windows(2).find(|w| w[0] == w[1]) {
            return Err(bad(format!("theme id {:?} appears twice", w[0])).into());
        }
        if let Some(e) = file.theme.iter().find(|e| e.terms.is_empty()) {
            return Err(bad(format!("theme {:?} has no terms", e.id)).into());
        }
        Ok(Codebook {
            source: source.to_string(),
            entries: file.theme,
        })
    }

    /// Each entry as a text to cut: its terms, one clause each.
    pub fn texts(&self) -> Vec<String> {
        self.entries.iter().map(|e| e.terms.join("，")).collect()
    }
}

/// A codebook in the reduced space: one unit-length row per entry (zero for an entry none of
/// whose terms is in the vocabulary).
#[derive(Debug, Clone)]
pub struct Projected {
    /// Rows, one per entry.
    pub rows: Array2<f32>,
}

impl Projected {
    /// Normalises projected rows to unit length.
    pub fn new(mut rows: Array2<f32>) -> Projected {
        for mut row in rows.axis_iter_mut(Axis(0)) {
            let norm = row.iter().map(|v| v * v).sum::<f32>().sqrt();
            if norm > 0.0 {
                row.mapv_inplace(|v| v / norm);
            }
        }
        Projected { rows }
    }

    /// The nearest entry of a vector (by cosine) and the cosine; `None` when every entry is
    /// zero or the vector is.
    pub fn nearest(&self, v: ndarray::ArrayView1<f32>) -> Option<(usize, f64)> {
        let norm = v.iter().map(|x| f64::from(*x).powi(2)).sum::<f64>().sqrt();
        if norm == 0.0 {
            return None;
        }
        self.rows
            .axis_iter(Axis(0))
            .enumerate()
            .map(|(i, r)| {
                let dot: f64 = r
                    .iter()
                    .zip(v)
                    .map(|(a, b)| f64::from(*a) * f64::from(*b))
                    .sum();
                (i, dot / norm)
            })
            .filter(|&(i, _)| self.rows.row(i).iter().any(|x| *x != 0.0))
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
    }

    /// The entries the corpus supports, most supported first: an entry is supported by the
    /// units whose nearest entry it is with a cosine of at least `min_cosine`, and kept when it
    /// has at least `min_units` of them. Entries without support give way to free themes.
    pub fn supported(&self, x: ArrayView2<f32>, min_cosine: f64, min_units: usize) -> Vec<usize> {
        let mut support = vec![0usize; self.rows.nrows()];
        for row in x.axis_iter(Axis(0)) {
            if let Some((e, cos)) = self.nearest(row)
                && cos >= min_cosine
            {
                support[e] += 1;
            }
        }
        let mut kept: Vec<usize> = (0..support.len())
            .filter(|&e| support[e] >= min_units.max(1))
            .collect();
        kept.sort_by_key(|&e| (std::cmp::Reverse(support[e]), e));
        kept
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn the_built_in_codebook_follows_the_gangyao_chapters() {
        let c = Codebook::gangyao();
        assert_eq!(c.entries.len(), 12);
        assert!(
            c.entries
                .iter()
                .any(|e| e.id == "enforcement" && e.name == "行政执法")
        );
        assert!(c.entries.iter().all(|e| e.terms.len() >= 15));
    }

    #[test]
    fn bad_codebooks_are_refused_in_one_line() {
        for (text, why) in [
            ("", "theme"),
            (
                "[[theme]]\nid='a'\nname='甲'\nterms=['x']\n[[theme]]\nid='a'\nname='乙'\nterms=['y']\n",
                "twice",
            ),
            ("[[theme]]\nid='a'\nname='甲'\nterms=[]\n", "no terms"),
            (
                "[[theme]]\nid='a'\nname='甲'\nterms=['x']\nweight=2\n",
                "unknown field",
            ),
        ] {
            let e = Codebook::parse(text, "cb.toml").unwrap_err().to_string();
            assert!(e.contains(why) && !e.contains('\n'), "{e}");
        }
    }

    #[test]
    fn supported_entries_are_those_units_fall_near() {
        let p = Projected::new(array![[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]]);
        let x = array![[0.9f32, 0.1], [1.0, 0.0], [0.8, 0.2], [0.1, 0.9]];
        assert_eq!(p.supported(x.view(), 0.5, 2), vec![0]);
        assert_eq!(p.supported(x.view(), 0.5, 1), vec![0, 1]);
        assert_eq!(p.nearest(x.row(3)).map(|(e, _)| e), Some(1));
    }
}
