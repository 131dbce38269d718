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
use ndarray::{Array2, ArrayView2};
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
            config: config.inner().clone(),
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

    /// Reads a model folder, refusing another format version.
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
                "format version {} but this program (policy-themes {}) reads version {FORMAT_VERSION}; refit with `run`",
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
        let v: Array2<f64> = ndarray_npy::read_npy(dir.join("components.npy"))
            .map_err(|e| bad(format!("components.npy: {e}")))?;
        let (n_terms, dims) = v.dim();
        if n_terms != json.tfidf.vocabulary.len()
            || dims != json.lsa.dims
            || themes.model.centroids().ncols() != dims
        {
            return Err(bad(format!(
                "components.npy is {n_terms} × {dims}, but the vocabulary has {} terms and LSA {} dims",
                json.tfidf.vocabulary.len(),
                json.lsa.dims
            )));
        }
        let components = v.as_standard_layout().iter().copied().collect();
        Ok(FittedModel {
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
        })
    }
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
