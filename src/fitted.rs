//! Stage 8b: the fitted model: everything `apply` needs to place new text on the same themes.
//!
//! Format (version [`FORMAT_VERSION`]), one folder:
//! - `model.json` — format and program versions, the configuration, every segmentation list in
//!   force (lexicon, stop words, stop phrases, including the corpus's place names), the vocabulary
//!   with df and idf, the LSA singular values, the theme labels and analyst names;
//! - `components.npy` — the LSA projection V (terms × dims, f64, NumPy format);
//! - `kmeans.json` — linfa's fitted `KMeans` (centroids) and the renumbering into themes.
//!
//! A model of another format version is refused with a message naming both versions.

use crate::cluster::Themes;
use crate::config::{Config, SegmentParams, ValidConfig};
use crate::error::{Error, Result};
use crate::label::Theme;
use crate::reduce::Lsa;
use crate::segment::resolve_lists;
use crate::tfidf::TfidfModel;
use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The model format this program writes and reads.
pub const FORMAT_VERSION: u32 = 2;

/// A fitted model.
#[derive(Debug, Clone, PartialEq)]
pub struct FittedModel {
    /// The program version that fitted it.
    pub program_version: String,
    /// The configuration of the fit.
    pub config: Config,
    /// Segmentation with every list spelled out.
    pub segment: SegmentParams,
    /// Vocabulary, df, idf and weighting options.
    pub tfidf: TfidfModel,
    /// The LSA projection.
    pub lsa: Lsa,
    /// The k-means model and theme numbering.
    pub themes: Themes,
    /// Theme labels, terms and analyst names (no examples: those belong to a corpus).
    pub labels: Vec<Theme>,
    /// Where a loaded model came from (None for a model fitted in this process).
    pub origin: Option<ModelOrigin>,
}

/// The folder a model was loaded from and when it was fitted, for the page of `apply`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelOrigin {
    /// The model folder as given.
    pub path: String,
    /// When `model.json` was written (UTC, `2026-12-07 03:58 UTC`), or `unknown`.
    pub fitted: String,
}

impl ModelOrigin {
    /// The origin of the model in `dir`: its path and the modification time of its `model.json`.
    fn of(dir: &Path) -> ModelOrigin {
        let fitted = std::fs::metadata(dir.join("model.json"))
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or("unknown".to_string(), |d| utc(d.as_secs()));
        ModelOrigin {
            path: dir.display().to_string(),
            fitted,
        }
    }
}

/// Seconds since 1970 as `YYYY-MM-DD HH:MM UTC` (the proleptic Gregorian calendar; Howard
/// Hinnant's `civil_from_days`).
fn utc(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let (hour, minute) = (secs % 86_400 / 3_600, secs % 3_600 / 60);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02} {hour:02}:{minute:02} UTC")
}

/// `model.json`: everything but the two matrices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ModelJson {
    format_version: u32,
    program_version: String,
    config: Config,
    segment: SegmentParams,
    tfidf: TfidfModel,
    lsa: LsaSummary,
    labels: Vec<Theme>,
}

/// The small part of the LSA projection kept in `model.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct LsaSummary {
    n_terms: usize,
    dims: usize,
    singular_values: Vec<f64>,
    explained_variance_ratio: Vec<f64>,
}

impl FittedModel {
    /// Bundles a run's fitted parts. `segment` is the segmentation in force (with place names).
    pub fn new(
        config: &ValidConfig,
        segment: SegmentParams,
        tfidf: TfidfModel,
        lsa: Lsa,
        themes: Themes,
        labels: Vec<Theme>,
    ) -> Result<FittedModel> {
        Ok(FittedModel {
            program_version: crate::VERSION.to_string(),
            config: config.to_config(),
            segment: resolve_lists(&segment)?,
            tfidf,
            lsa,
            themes,
            labels: labels
                .into_iter()
                .map(|t| Theme {
                    examples: Vec::new(),
                    ..t
                })
                .collect(),
            origin: None,
        })
    }

    /// Writes the model folder.
    pub fn save(&self, dir: &Path) -> Result<()> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let json = ModelJson {
            format_version: FORMAT_VERSION,
            program_version: self.program_version.clone(),
            config: self.config.clone(),
            segment: self.segment.clone(),
            tfidf: self.tfidf.clone(),
            lsa: LsaSummary {
                n_terms: self.lsa.n_terms,
                dims: self.lsa.dims,
                singular_values: self.lsa.singular_values.clone(),
                explained_variance_ratio: self.lsa.explained_variance_ratio.clone(),
            },
            labels: self.labels.clone(),
        };
        write_json(&dir.join("model.json"), &json)?;
        write_json(&dir.join("kmeans.json"), &self.themes)?;
        let v = ArrayView2::from_shape((self.lsa.n_terms, self.lsa.dims), &self.lsa.components)
            .expect("terms × dims");
        let path = dir.join("components.npy");
        ndarray_npy::write_npy(&path, &v).map_err(|e| Error::Model {
            path: path.clone(),
            message: e.to_string(),
        })
    }

    /// Reads a model folder, refusing another format version and any model whose parts do not
    /// fit together ([`FittedModel::validate`]): the error names the file and the problem.
    pub fn load(dir: &Path) -> Result<FittedModel> {
        let bad = |message: String| Error::Model {
            path: dir.to_path_buf(),
            message,
        };
        let text = std::fs::read_to_string(dir.join("model.json"))
            .map_err(|e| bad(format!("cannot read model.json: {e}")))?;
        let raw: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| bad(format!("model.json: {e}")))?;
        let version = raw.get("format_version").and_then(|v| v.as_u64());
        if version != Some(FORMAT_VERSION as u64) {
            return Err(bad(format!(
                "model.json: format version {} but this program (policy-themes {}) reads version {FORMAT_VERSION}; refit with `run`",
                version.map_or("missing".to_string(), |v| v.to_string()),
                crate::VERSION
            )));
        }
        let json: ModelJson =
            serde_json::from_value(raw).map_err(|e| bad(format!("model.json: {e}")))?;
        let kmeans = std::fs::read_to_string(dir.join("kmeans.json"))
            .map_err(|e| bad(format!("cannot read kmeans.json: {e}")))?;
        let themes: Themes =
            serde_json::from_str(&kmeans).map_err(|e| bad(format!("kmeans.json: {e}")))?;
        let (components, n_terms, dims) = read_components(&dir.join("components.npy"))
            .map_err(|e| bad(format!("components.npy: {e}")))?;
        let model = FittedModel {
            program_version: json.program_version,
            config: json.config,
            segment: json.segment,
            tfidf: json.tfidf,
            lsa: Lsa {
                components,
                n_terms,
                dims,
                singular_values: json.lsa.singular_values,
                explained_variance_ratio: json.lsa.explained_variance_ratio,
            },
            themes,
            labels: json.labels,
            origin: Some(ModelOrigin::of(dir)),
        };
        if json.lsa.n_terms != n_terms || json.lsa.dims != dims {
            return Err(bad(format!(
                "components.npy is {n_terms} × {dims}, but model.json says {} × {}",
                json.lsa.n_terms, json.lsa.dims
            )));
        }
        model.validate().map_err(bad)?;
        Ok(model)
    }

    /// Checks that the parts of a model fit together, so that placing new text on it cannot
    /// fail half-way or give garbage: a valid configuration; as many df and idf values as
    /// vocabulary terms, the terms in order and unique, idf finite and positive; an LSA
    /// projection of vocabulary × dims, finite, with a singular value and variance ratio per
    /// dimension; at least one centre, each of dims finite coordinates; one theme number per
    /// centre, the numbers a permutation, and one label per theme. The error names the file.
    pub fn validate(&self) -> std::result::Result<(), String> {
        self.config
            .clone()
            .validate()
            .map_err(|e| format!("model.json: configuration: {e}"))?;
        let tfidf = &self.tfidf;
        let terms = tfidf.vocabulary.len();
        if tfidf.df.len() != terms || tfidf.idf.len() != terms {
            return Err(format!(
                "model.json: {terms} vocabulary terms but {} df and {} idf values",
                tfidf.df.len(),
                tfidf.idf.len()
            ));
        }
        if let Some(i) = (1..terms).find(|&i| tfidf.vocabulary[i - 1] >= tfidf.vocabulary[i]) {
            return Err(format!(
                "model.json: the vocabulary is not in order at term {i} ({:?})",
                tfidf.vocabulary[i]
            ));
        }
        if let Some(i) = tfidf.idf.iter().position(|v| !(v.is_finite() && *v > 0.0)) {
            return Err(format!(
                "model.json: idf of term {i} is {} (not a positive number)",
                tfidf.idf[i]
            ));
        }
        let lsa = &self.lsa;
        if lsa.n_terms != terms || lsa.components.len() != terms * lsa.dims {
            return Err(format!(
                "components.npy: {} × {} for a vocabulary of {terms} terms",
                lsa.n_terms, lsa.dims
            ));
        }
        if lsa.dims == 0 {
            return Err("components.npy: no dimensions".to_string());
        }
        if let Some(i) = lsa.components.iter().position(|v| !v.is_finite()) {
            return Err(format!(
                "components.npy: entry ({}, {}) is {}",
                i / lsa.dims,
                i % lsa.dims,
                lsa.components[i]
            ));
        }
        if lsa.singular_values.len() != lsa.dims || lsa.explained_variance_ratio.len() != lsa.dims {
            return Err(format!(
                "model.json: {} singular values and {} variance ratios for {} dimensions",
                lsa.singular_values.len(),
                lsa.explained_variance_ratio.len(),
                lsa.dims
            ));
        }
        if !lsa
            .singular_values
            .iter()
            .chain(&lsa.explained_variance_ratio)
            .all(|v| v.is_finite())
        {
            return Err("model.json: a singular value or variance ratio is not finite".into());
        }
        let centroids = self.themes.model.centroids();
        let (k, width) = centroids.dim();
        if k == 0 || width != lsa.dims {
            return Err(format!(
                "kmeans.json: {k} centres of {width} coordinates, but the LSA has {} dimensions",
                lsa.dims
            ));
        }
        if centroids.iter().any(|v| !v.is_finite()) {
            return Err("kmeans.json: a centre has a coordinate that is not finite".to_string());
        }
        // One theme number per centre, every number 0..themes taken (merged themes share one).
        let rank = &self.themes.rank;
        let themes = self.themes.len();
        let mut seen = vec![false; themes];
        for &r in rank {
            seen[r] = true;
        }
        if rank.len() != k || !seen.iter().all(|&s| s) {
            return Err(format!(
                "kmeans.json: the theme numbers {rank:?} are not a numbering of the {k} centres"
            ));
        }
        if self.labels.len() != themes {
            return Err(format!(
                "model.json: {} theme labels for {themes} themes in kmeans.json",
                self.labels.len()
            ));
        }
        Ok(())
    }
}

/// Reads the LSA projection (terms × dims, f64) from a `.npy` file: the whole file is read
/// (its real size, never a size its header declares) and viewed in place, so a header that
/// declares more data than the file has is refused before anything of that size is allocated.
fn read_components(path: &Path) -> std::result::Result<(Vec<f64>, usize, usize), String> {
    use ndarray_npy::ViewNpyExt;
    use std::io::Read;
    let mut file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let len = file.metadata().map_err(|e| e.to_string())?.len() as usize;
    // Read into u64 words, so the data (64-byte aligned in a well-formed file) can be viewed
    // as f64 without a copy.
    let mut words = vec![0u64; len.div_ceil(8)];
    let bytes = &mut bytemuck::cast_slice_mut::<u64, u8>(&mut words)[..len];
    file.read_exact(bytes).map_err(|e| e.to_string())?;
    let bytes = &bytemuck::cast_slice::<u64, u8>(&words)[..len];
    let v = ArrayView2::<f64>::view_npy(bytes).map_err(|e| e.to_string())?;
    let (n_terms, dims) = v.dim();
    Ok((v.iter().copied().collect(), n_terms, dims))
}

fn write_json<T: Serialize + ?Sized>(path: &Path, value: &T) -> Result<()> {
    let file = std::fs::File::create(path).map_err(|e| Error::io(path, e))?;
    let mut w = std::io::BufWriter::new(file);
    serde_json::to_writer(&mut w, value).map_err(|e| Error::Json {
        path: path.to_path_buf(),
        source: e,
    })?;
    std::io::Write::flush(&mut w).map_err(|e| Error::io(path, e))
}

#[cfg(test)]
mod tests {
    #[test]
    fn utc_dates() {
        assert_eq!(super::utc(0), "1970-01-01 00:00 UTC");
        assert_eq!(super::utc(1_796_615_880), "2026-12-07 03:58 UTC");
        assert_eq!(super::utc(951_782_400), "2000-02-29 00:00 UTC");
    }
}
