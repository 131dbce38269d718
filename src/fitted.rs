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
//!
//! The configuration in `model.json` keeps the layout of format 2, from before `[run]`: the
//! seed in `cluster`, and `read.strict` and `report.dump` (written false: a model keeps no run
//! policy). [`ConfigV2`] writes it and [`config_from_v2`] reads it.

use crate::cluster::Themes;
use crate::config::{
    Config, CopyParams, LabelParams, MOVED_TO_RUN, ReduceParams, RunParams, SegmentParams,
    SplitParams, TfidfParams, ValidConfig,
};
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
    /// The configuration of the fit: its `run` holds the fit's seed and the default policy (a
    /// model keeps no run policy; `apply` follows its own flags).
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

/// `model.json`: everything but the two matrices; `config` is written as [`ConfigV2`] and read
/// as JSON for [`config_from_v2`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ModelJson<C> {
    format_version: u32,
    program_version: String,
    config: C,
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

/// The configuration as format 2 lays it out (see the module's documentation). A test checks
/// that it has every key of [`Config`], so a new one cannot be left out unnoticed.
#[derive(Serialize)]
struct ConfigV2<'a> {
    read: ReadV2<'a>,
    split: &'a SplitParams,
    segment: &'a SegmentParams,
    tfidf: &'a TfidfParams,
    reduce: &'a ReduceParams,
    cluster: ClusterV2<'a>,
    label: &'a LabelParams,
    report: ReportV2<'a>,
    copies: &'a CopyParams,
}

/// `read` of format 2.
#[derive(Serialize)]
struct ReadV2<'a> {
    max_file_mb: &'a f64,
    strict: bool,
}

/// `cluster` of format 2: with the seed.
#[derive(Serialize)]
struct ClusterV2<'a> {
    k: &'a crate::config::KChoice,
    k_range: &'a crate::config::KRange,
    seed: &'a u64,
    n_runs: &'a usize,
    max_iterations: &'a u64,
    tolerance: &'a f64,
    minibatch_above: &'a usize,
    batch_size: &'a usize,
    max_batches: &'a u64,
    silhouette_sample: &'a usize,
    min_known_terms: &'a usize,
    stability: &'a usize,
    codebook: &'a Option<String>,
    codebook_min_support: &'a f64,
    codebook_min_cosine: &'a f64,
}

/// `report` of format 2.
#[derive(Serialize)]
struct ReportV2<'a> {
    group_by: &'a crate::config::GroupBy,
    bom: &'a bool,
    raw_csv: &'a bool,
    xlsx: &'a bool,
    dump: bool,
    lang: &'a crate::config::Lang,
    min_units: &'a usize,
    page_limit: &'a usize,
}

impl<'a> ConfigV2<'a> {
    /// `config` in the layout of format 2.
    fn new(config: &'a Config) -> ConfigV2<'a> {
        let (c, r) = (&config.cluster, &config.report);
        ConfigV2 {
            read: ReadV2 {
                max_file_mb: &config.read.max_file_mb,
                strict: false,
            },
            split: &config.split,
            segment: &config.segment,
            tfidf: &config.tfidf,
            reduce: &config.reduce,
            cluster: ClusterV2 {
                k: &c.k,
                k_range: &c.k_range,
                seed: &config.run.seed,
                n_runs: &c.n_runs,
                max_iterations: &c.max_iterations,
                tolerance: &c.tolerance,
                minibatch_above: &c.minibatch_above,
                batch_size: &c.batch_size,
                max_batches: &c.max_batches,
                silhouette_sample: &c.silhouette_sample,
                min_known_terms: &c.min_known_terms,
                stability: &c.stability,
                codebook: &c.codebook,
                codebook_min_support: &c.codebook_min_support,
                codebook_min_cosine: &c.codebook_min_cosine,
            },
            label: &config.label,
            report: ReportV2 {
                group_by: &r.group_by,
                bom: &r.bom,
                raw_csv: &r.raw_csv,
                xlsx: &r.xlsx,
                dump: false,
                lang: &r.lang,
                min_units: &r.min_units,
                page_limit: &r.page_limit,
            },
            copies: &config.copies,
        }
    }
}

/// The configuration of a `model.json` of format 2: the keys moved to `[run]` are read there,
/// and of them only the seed is kept.
fn config_from_v2(mut json: serde_json::Value) -> std::result::Result<Config, String> {
    let mut seed = None;
    for (table, key) in MOVED_TO_RUN {
        let moved = json
            .get_mut(table)
            .and_then(serde_json::Value::as_object_mut)
            .and_then(|t| t.remove(key));
        if key == "seed" {
            seed = moved;
        }
    }
    let mut config: Config = serde_json::from_value(json).map_err(|e| e.to_string())?;
    let seed = seed.ok_or("no cluster.seed")?;
    config.run = RunParams {
        seed: serde_json::from_value(seed).map_err(|e| format!("cluster.seed: {e}"))?,
        ..RunParams::default()
    };
    Ok(config)
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
            config: Config {
                run: RunParams {
                    seed: config.run.seed,
                    ..RunParams::default()
                },
                ..config.to_config()
            },
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
            config: ConfigV2::new(&self.config),
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
        let json: ModelJson<serde_json::Value> =
            serde_json::from_value(raw).map_err(|e| bad(format!("model.json: {e}")))?;
        let config =
            config_from_v2(json.config).map_err(|e| bad(format!("model.json: config: {e}")))?;
        let kmeans = std::fs::read_to_string(dir.join("kmeans.json"))
            .map_err(|e| bad(format!("cannot read kmeans.json: {e}")))?;
        let themes: Themes =
            serde_json::from_str(&kmeans).map_err(|e| bad(format!("kmeans.json: {e}")))?;
        let (components, n_terms, dims) = read_components(&dir.join("components.npy"))
            .map_err(|e| bad(format!("components.npy: {e}")))?;
        let model = FittedModel {
            program_version: json.program_version,
            config,
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
    use super::*;

    /// The configuration of `model.json` as the program wrote it before `[run]`, defaults.
    const DEFAULT_V2: &str = r#"{"read":{"max_file_mb":20.0,"strict":false},"split":{"unit":"measure","sections":["measures","leadership","shortcomings","plans"],"min_han_chars":8},"segment":{"mode":"search","hmm":false,"bundled_lists":true,"lexicon_files":[],"lexicon":[],"stopword_files":[],"stopwords":[],"stop_phrases":[],"min_chars":2,"pos":[],"heading_weight":0,"section_heading_weight":0},"tfidf":{"min_df":2,"max_df":0.5,"max_features":null,"sublinear_tf":true,"smooth_idf":true,"use_idf":true,"norm":"l2"},"reduce":{"dims":100,"oversample":10,"power_iterations":3},"cluster":{"k":10,"k_range":"5..30","seed":42,"n_runs":3,"max_iterations":300,"tolerance":0.0001,"minibatch_above":50000,"batch_size":4096,"max_batches":100,"silhouette_sample":5000,"min_known_terms":1,"stability":0,"codebook":null,"codebook_min_support":0.25,"codebook_min_cosine":0.2},"label":{"top_terms":10,"examples":3,"label_terms":3},"report":{"group_by":"unit","bom":true,"raw_csv":false,"xlsx":true,"dump":false,"lang":"zh","min_units":5,"page_limit":20000},"copies":{"threshold":0.6,"shingle":5,"bands":20,"rows":4,"min_chars":20,"max_bucket":100}}"#;

    #[test]
    fn the_configuration_keeps_the_layout_of_format_2() {
        let config = Config::default();
        let written = serde_json::to_string(&ConfigV2::new(&config)).unwrap();
        assert_eq!(written, DEFAULT_V2);
        let read = config_from_v2(serde_json::from_str(DEFAULT_V2).unwrap()).unwrap();
        assert_eq!(read, config);
        // A model fitted with the run's policy on keeps only its seed.
        let old = DEFAULT_V2
            .replace(r#""strict":false"#, r#""strict":true"#)
            .replace(r#""seed":42"#, r#""seed":7"#);
        let read = config_from_v2(serde_json::from_str(&old).unwrap()).unwrap();
        assert_eq!(
            read.run,
            RunParams {
                seed: 7,
                ..RunParams::default()
            }
        );
    }

    #[test]
    fn the_layout_of_format_2_has_every_key_of_the_configuration() {
        let config = Config::default();
        let mut v2 = serde_json::to_value(ConfigV2::new(&config)).unwrap();
        let mut now = serde_json::to_value(&config).unwrap();
        let run = now.as_object_mut().unwrap().remove("run").unwrap();
        for (table, key) in MOVED_TO_RUN {
            let moved = v2[table].as_object_mut().unwrap().remove(key).unwrap();
            assert!(run.get(key).is_some(), "{key}");
            if key == "seed" {
                assert_eq!(moved, run[key]);
            }
        }
        assert_eq!(v2, now);
    }

    #[test]
    fn utc_dates() {
        assert_eq!(super::utc(0), "1970-01-01 00:00 UTC");
        assert_eq!(super::utc(1_796_615_880), "2026-12-07 03:58 UTC");
        assert_eq!(super::utc(951_782_400), "2000-02-29 00:00 UTC");
    }
}
