//! The configuration: `[run]` (the seed and the run's policy, [`RunParams`]) and one TOML table
//! per stage, each deserialized into the parameters that stage owns, with defaults documented on
//! `Default`. Precedence: defaults < `--config FILE` < flags.
//! Each stage's parameters check their own rules ([`Check`], linfa's `ParamGuard`: unchecked
//! parameters → `check()` → [`Valid`] parameters), with the tests of each rule beside them;
//! [`Config::validate`] checks them all and yields a [`ValidConfig`]. Stages accept only
//! `&Valid<…>` parameters.

use crate::corpus::{SectionKind, UnitLevel};
use crate::error::ConfigError;
use crate::seed::Seeds;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The whole configuration, as read from TOML.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// The run's seed and policy (a fitted model keeps only the seed).
    pub run: RunParams,
    /// Reading and decoding.
    pub read: ReadParams,
    /// Splitting into sections and units.
    pub split: SplitParams,
    /// Segmentation and token filters.
    pub segment: SegmentParams,
    /// Vocabulary and TF-IDF weighting.
    pub tfidf: TfidfParams,
    /// LSA reduction.
    pub reduce: ReduceParams,
    /// k-means.
    pub cluster: ClusterParams,
    /// Theme labels.
    pub label: LabelParams,
    /// Recurrence and output.
    pub report: ReportParams,
    /// Copied text between and within reports.
    pub copies: CopyParams,
}

/// `[run]`: what belongs to one run rather than to the themes it fits: the seed every stage's
/// seed is derived from, and the run's policy. A fitted model keeps the seed it was fitted with,
/// never the policy: `apply` follows its own flags.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RunParams {
    /// The run's seed (default 42): every random choice of the run (the SVD's start, k-means,
    /// samples) is seeded by a seed derived from it in one place ([`Seeds`]).
    pub seed: u64,
    /// Exit 1 when any input is skipped (default false).
    pub strict: bool,
    /// Write `tokens.json`, `tfidf.json`, `reduced.csv` and `centroids.csv` (default false).
    pub dump: bool,
}

impl Default for RunParams {
    fn default() -> Self {
        RunParams {
            seed: Seeds::default().run(),
            strict: false,
            dump: false,
        }
    }
}

impl RunParams {
    /// The run's seed and every stage's seed derived from it ([`Seeds`]).
    pub fn seeds(&self) -> Seeds {
        Seeds::new(self.seed)
    }
}

/// The keys that moved to `[run]`, by the table they were in: still read (with a warning in a
/// configuration file; in a model's `model.json`, where the old layout is kept).
pub(crate) const MOVED_TO_RUN: [(&str, &str); 3] =
    [("cluster", "seed"), ("read", "strict"), ("report", "dump")];

/// `[read]`: how input files are read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReadParams {
    /// Files larger than this many megabytes are skipped (default 20).
    pub max_file_mb: f64,
}

impl Default for ReadParams {
    fn default() -> Self {
        ReadParams { max_file_mb: 20.0 }
    }
}

/// `[split]`: what a unit is and which sections give units.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SplitParams {
    /// `measure` (default), `clause` or `paragraph`.
    pub unit: UnitLevel,
    /// Section kinds whose units are clustered (default: measures, leadership, shortcomings, plans).
    pub sections: Vec<SectionKind>,
    /// Units with fewer Han characters than this are kept in the accounting but not clustered
    /// (default 8).
    pub min_han_chars: usize,
}

impl Default for SplitParams {
    fn default() -> Self {
        SplitParams {
            unit: UnitLevel::Measure,
            sections: SectionKind::SUBSTANTIVE.to_vec(),
            min_han_chars: 8,
        }
    }
}

/// `[segment]`: jieba-rs and the token filters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SegmentParams {
    /// How jieba cuts (default `search`).
    pub mode: CutMode,
    /// Use jieba's HMM for unknown words (default false: faster, and no worse on the labelled
    /// sets, reports/QUALITY.md).
    pub hmm: bool,
    /// Use the bundled policy lexicon, stop words and stop phrases (default true).
    pub bundled_lists: bool,
    /// Extra lexicon files (`word [freq [tag]]` per line).
    pub lexicon_files: Vec<String>,
    /// Extra lexicon entries (`word [freq [tag]]`).
    pub lexicon: Vec<String>,
    /// Extra stop-word files (one per line).
    pub stopword_files: Vec<String>,
    /// Extra stop words.
    pub stopwords: Vec<String>,
    /// Extra stop phrases (removed from the text before segmenting).
    pub stop_phrases: Vec<String>,
    /// Tokens shorter than this many characters are dropped (default 2).
    pub min_chars: usize,
    /// Keep only these part-of-speech tag prefixes (e.g. `["n", "v"]`); empty keeps all.
    pub pos: Vec<String>,
    /// Times a measure's own heading is cut again beside its text, to weigh its words more
    /// (default 0: on the hand-coded sets 2 gave +0.006 and −0.003 NMI, reports/QUALITY.md).
    pub heading_weight: usize,
    /// Times its section's heading is cut beside the text (default 0).
    pub section_heading_weight: usize,
}

impl Default for SegmentParams {
    fn default() -> Self {
        SegmentParams {
            mode: CutMode::Search,
            hmm: false,
            bundled_lists: true,
            lexicon_files: Vec::new(),
            lexicon: Vec::new(),
            stopword_files: Vec::new(),
            stopwords: Vec::new(),
            stop_phrases: Vec::new(),
            min_chars: 2,
            pos: Vec::new(),
            heading_weight: 0,
            section_heading_weight: 0,
        }
    }
}

/// jieba's cutting modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CutMode {
    /// One best path through the dictionary (jieba's 精确模式): 行政执法 stays one token.
    Accurate,
    /// The best path plus the dictionary words of two and three characters inside each longer
    /// token (jieba's search-engine mode): 行政执法 also gives 行政 and 执法, so units that
    /// share a theme but word it differently share terms. NMI on the labelled sets rises by
    /// 0.03–0.05 (reports/QUALITY.md).
    Search,
}

/// A document-frequency bound with scikit-learn's meaning: an integer is a count of documents,
/// a float a proportion of them (so `1` and `1.0` differ).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum DfBound {
    /// A number of documents.
    Count(u64),
    /// A proportion of documents in `[0, 1]`.
    Fraction(f64),
}

impl DfBound {
    /// Parses `2` as a count and `0.5`, `1.0` or `1e-2` as a proportion.
    pub fn parse(key: &'static str, s: &str) -> Result<DfBound, ConfigError> {
        let s = s.trim();
        let bad = || ConfigError::Parse {
            key,
            got: s.to_string(),
            expected: "an integer count or a decimal proportion",
        };
        if s.contains(['.', 'e', 'E']) {
            s.parse().map(DfBound::Fraction).map_err(|_| bad())
        } else {
            s.parse().map(DfBound::Count).map_err(|_| bad())
        }
    }

    /// The bound as a document count for a corpus of `n_docs` (compared as a float, no rounding).
    pub fn to_count(self, n_docs: usize) -> f64 {
        match self {
            DfBound::Count(c) => c as f64,
            DfBound::Fraction(f) => f * n_docs as f64,
        }
    }
}

/// How TF-IDF rows are normalised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Norm {
    /// Unit Euclidean length (default).
    L2,
    /// Unit sum of absolute values.
    L1,
    /// No normalisation.
    None,
}

/// `[tfidf]`: vocabulary and weighting, with scikit-learn's `TfidfVectorizer` meaning.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TfidfParams {
    /// Drop terms in fewer documents (default 2).
    pub min_df: DfBound,
    /// Drop terms in more documents (default 0.5).
    pub max_df: DfBound,
    /// Keep only the most frequent terms (default: all).
    pub max_features: Option<usize>,
    /// `1 + ln(tf)` instead of tf (default true).
    pub sublinear_tf: bool,
    /// `ln((1+n)/(1+df)) + 1` instead of `ln(n/df) + 1` (default true).
    pub smooth_idf: bool,
    /// Weight by idf (default true).
    pub use_idf: bool,
    /// Row normalisation (default l2).
    pub norm: Norm,
}

impl Default for TfidfParams {
    fn default() -> Self {
        TfidfParams {
            min_df: DfBound::Count(2),
            max_df: DfBound::Fraction(0.5),
            max_features: None,
            sublinear_tf: true,
            smooth_idf: true,
            use_idf: true,
            norm: Norm::L2,
        }
    }
}

/// `[reduce]`: LSA by randomized truncated SVD.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReduceParams {
    /// Target dimensions (default 100; clamped to the data).
    pub dims: usize,
    /// Extra random directions beyond `dims` (default 10).
    pub oversample: usize,
    /// Power iterations (default 3: the best NMI of 2–5 on the labelled sets, measured in
    /// reports/QUALITY.md; scikit-learn's `TruncatedSVD` uses 5).
    pub power_iterations: usize,
}

impl Default for ReduceParams {
    fn default() -> Self {
        ReduceParams {
            dims: 100,
            oversample: 10,
            power_iterations: 3,
        }
    }
}

/// The number of themes: fixed, or chosen by a scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KChoice {
    /// Exactly this many.
    Fixed(usize),
    /// Scan `k_range` and choose by silhouette.
    Auto,
}

impl KChoice {
    /// Parses `12` or `auto`.
    pub fn parse(s: &str) -> Result<KChoice, ConfigError> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("auto") {
            return Ok(KChoice::Auto);
        }
        s.parse()
            .map(KChoice::Fixed)
            .map_err(|_| ConfigError::Parse {
                key: "cluster.k",
                got: s.to_string(),
                expected: "a number of themes or `auto`",
            })
    }
}

impl Serialize for KChoice {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            KChoice::Fixed(k) => s.serialize_u64(*k as u64),
            KChoice::Auto => s.serialize_str("auto"),
        }
    }
}

impl<'de> Deserialize<'de> for KChoice {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            N(u64),
            S(String),
        }
        match Raw::deserialize(d)? {
            Raw::N(n) => Ok(KChoice::Fixed(n as usize)),
            Raw::S(s) => KChoice::parse(&s).map_err(serde::de::Error::custom),
        }
    }
}

/// An inclusive range of k to scan, written `5..30`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KRange {
    /// Smallest k tried.
    pub min: usize,
    /// Largest k tried.
    pub max: usize,
}

impl KRange {
    /// Parses `A..B` (inclusive) or `A..=B`.
    pub fn parse(s: &str) -> Result<KRange, ConfigError> {
        let bad = || ConfigError::Parse {
            key: "cluster.k_range",
            got: s.to_string(),
            expected: "a range like 5..30",
        };
        let (a, b) = s.trim().split_once("..").ok_or_else(bad)?;
        let b = b.trim_start_matches('=');
        Ok(KRange {
            min: a.trim().parse().map_err(|_| bad())?,
            max: b.trim().parse().map_err(|_| bad())?,
        })
    }
}

impl Serialize for KRange {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("{}..{}", self.min, self.max))
    }
}

impl<'de> Deserialize<'de> for KRange {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        KRange::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// `[cluster]`: k-means with linfa-clustering.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClusterParams {
    /// Number of themes, or `auto` (default 10).
    pub k: KChoice,
    /// The range `--k auto` scans (default 5..30).
    pub k_range: KRange,
    /// k-means++ restarts; the best by inertia is kept (default 3).
    pub n_runs: usize,
    /// Iteration cap per run (default 300).
    pub max_iterations: u64,
    /// Convergence tolerance on centroid movement (default 1e-4).
    pub tolerance: f64,
    /// Above this many units, fit by seeded mini-batches then assign all (default 50,000).
    pub minibatch_above: usize,
    /// Mini-batch size (default 4,096).
    pub batch_size: usize,
    /// Mini-batches fed at most (default 100, about 400,000 rows: past that the centres barely
    /// move, measured in reports/BENCHMARKS.md).
    pub max_batches: u64,
    /// Units sampled for the silhouette of each k in a scan (default 5,000).
    pub silhouette_sample: usize,
    /// Units with fewer vocabulary terms than this are left unassigned (default 1).
    pub min_known_terms: usize,
    /// Refits with other seeds and on bootstrap samples to measure each theme's stability
    /// (default 0: not measured).
    pub stability: usize,
    /// A codebook that guides the themes: `gangyao` (the built-in 纲要 chapters) or a TOML file
    /// (default none: free themes; themes are named after the built-in codebook either way).
    pub codebook: Option<String>,
    /// A codebook entry guides a theme when at least this share of the units per theme
    /// (units / k) lie nearest to it with at least `codebook_min_cosine` (default 0.25).
    pub codebook_min_support: f64,
    /// Cosine of a unit to an entry that counts as support (default 0.2).
    pub codebook_min_cosine: f64,
}

impl Default for ClusterParams {
    fn default() -> Self {
        ClusterParams {
            k: KChoice::Fixed(10),
            k_range: KRange { min: 5, max: 30 },
            n_runs: 3,
            max_iterations: 300,
            tolerance: 1e-4,
            minibatch_above: 50_000,
            batch_size: 4_096,
            max_batches: 100,
            silhouette_sample: 5_000,
            min_known_terms: 1,
            stability: 0,
            codebook: None,
            codebook_min_support: 0.25,
            codebook_min_cosine: 0.2,
        }
    }
}

/// `[label]`: how themes are labelled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LabelParams {
    /// Distinctive terms kept per theme (default 10).
    pub top_terms: usize,
    /// Example units per theme (default 3).
    pub examples: usize,
    /// Terms joined into the short label (default 3).
    pub label_terms: usize,
}

impl Default for LabelParams {
    fn default() -> Self {
        LabelParams {
            top_terms: 10,
            examples: 3,
            label_terms: 3,
        }
    }
}

/// What a group is in the group × theme matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GroupBy {
    /// Each report's own reporting unit, at its level (default).
    Unit,
    /// The township.
    Township,
    /// The county or city.
    County,
    /// The province.
    Province,
    /// The year reported on.
    Year,
}

/// `[report]`: recurrence and output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReportParams {
    /// What a group is (default: the reporting unit).
    pub group_by: GroupBy,
    /// Write a UTF-8 BOM at the start of every CSV (default true, for Excel and WPS).
    pub bom: bool,
    /// Write CSV text cells as they are (default false: a cell that starts with `=`, `+`, `-`,
    /// `@`, tab or CR and is not a number gets a `'` first, so Excel and WPS show it as text
    /// instead of running it as a formula).
    pub raw_csv: bool,
    /// Write `workbook.xlsx` beside the CSVs (default true; `--no-xlsx` turns it off).
    pub xlsx: bool,
    /// The language of the page's text (default zh; CSV headers never change).
    pub lang: Lang,
    /// Cells, lifts and years resting on fewer units are marked as small numbers (default 5).
    pub min_units: usize,
    /// At most this many measures are embedded in `index.html` (default 20,000); the page says
    /// where the rest are (measures.csv, workbook.xlsx).
    pub page_limit: usize,
}

/// The language of the page (`--lang`, `report.lang`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Chinese (default).
    Zh,
    /// English.
    En,
}

impl Lang {
    /// The Chinese or the English text, by language.
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

impl Default for ReportParams {
    fn default() -> Self {
        ReportParams {
            group_by: GroupBy::Unit,
            bom: true,
            raw_csv: false,
            xlsx: true,
            lang: Lang::Zh,
            min_units: 5,
            page_limit: 20_000,
        }
    }
}

/// `[copies]`: near-duplicate units by character shingles, MinHash and LSH banding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CopyParams {
    /// Two units are copies at this Jaccard similarity of their shingle sets or more
    /// (default 0.6).
    pub threshold: f64,
    /// Characters per shingle, counting letters and digits only (default 5).
    pub shingle: usize,
    /// LSH bands (default 20); more bands find pairs of lower similarity, at more candidates.
    pub bands: usize,
    /// MinHash values per band (default 4); more rows propose fewer dissimilar pairs.
    pub rows: usize,
    /// Units with fewer letters and digits are not compared (default 20: a short line such as
    /// 加强组织领导 repeats everywhere without being copied).
    pub min_chars: usize,
    /// A bucket of more units (boilerplate repeated hundreds of times) pairs each only with the
    /// next this many in unit order (default 100).
    pub max_bucket: usize,
}

impl Default for CopyParams {
    fn default() -> Self {
        CopyParams {
            threshold: 0.6,
            shingle: 5,
            bands: 20,
            rows: 4,
            min_chars: 20,
            max_bucket: 100,
        }
    }
}

/// The most refits `cluster.stability` (`--stability`) may ask for.
pub const MAX_STABILITY: usize = 100;

/// A TOML error on one line: `line L, column C: message` (the parser's own text quotes the
/// source over several lines).
pub fn toml_error(text: &str, e: &toml::de::Error) -> String {
    let message = e
        .message()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ");
    match e.span() {
        Some(span) => {
            let before = text.get(..span.start).unwrap_or(text);
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            format!("line {line}, column {column}: {message}")
        }
        None => message,
    }
}

/// A configuration whose rules all hold: each stage's parameters checked ([`Valid`]). Built
/// only by [`Config::validate`]; serializes as the [`Config`] it came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValidConfig {
    /// The run's seed and policy.
    pub run: RunParams,
    /// Reading and decoding.
    pub read: Valid<ReadParams>,
    /// Splitting into sections and units.
    pub split: Valid<SplitParams>,
    /// Segmentation and token filters.
    pub segment: Valid<SegmentParams>,
    /// Vocabulary and TF-IDF weighting.
    pub tfidf: Valid<TfidfParams>,
    /// LSA reduction.
    pub reduce: Valid<ReduceParams>,
    /// k-means.
    pub cluster: Valid<ClusterParams>,
    /// Theme labels.
    pub label: Valid<LabelParams>,
    /// Recurrence and output.
    pub report: Valid<ReportParams>,
    /// Copied text between and within reports.
    pub copies: Valid<CopyParams>,
}

impl Config {
    /// Reads a TOML file; an unknown key is an error that names it. Returns the configuration
    /// and a warning for each key still read at its old place ([`Config::from_toml`]).
    pub fn from_file(path: &Path) -> Result<(Config, Vec<String>), ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::File {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        Config::from_toml(&text).map_err(|message| ConfigError::File {
            path: path.display().to_string(),
            message,
        })
    }

    /// Parses TOML text; the error is the parser's message, on one line ([`toml_error`]). A key
    /// that moved to `[run]` (`cluster.seed`, `read.strict`, `report.dump`) is read as its new
    /// key, with a warning that says so; set at both places, it is an error.
    pub fn from_toml(text: &str) -> Result<(Config, Vec<String>), String> {
        let mut table: toml::Table = toml::from_str(text).map_err(|e| toml_error(text, &e))?;
        let mut warnings = Vec::new();
        for (old, key) in MOVED_TO_RUN {
            let Some(value) = table
                .get_mut(old)
                .and_then(toml::Value::as_table_mut)
                .and_then(|t| t.remove(key))
            else {
                continue;
            };
            let run = table
                .entry("run")
                .or_insert_with(|| toml::Table::new().into())
                .as_table_mut()
                .ok_or("run: must be a table")?;
            if run.contains_key(key) {
                return Err(format!(
                    "{old}.{key} and run.{key} are both set: keep run.{key}"
                ));
            }
            run.insert(key.to_string(), value);
            warnings.push(format!("{old}.{key} is now run.{key}: write it there"));
        }
        // The text itself where nothing moved, so that an error says where it is.
        let config = if warnings.is_empty() {
            toml::from_str(text)
        } else {
            table.try_into()
        };
        Ok((config.map_err(|e| toml_error(text, &e))?, warnings))
    }

    /// The configuration as TOML, as `print-config` shows it.
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).expect("a Config always serializes to TOML")
    }

    /// Checks every stage's rules ([`Check`]), in stage order; the error names the key.
    pub fn validate(self) -> Result<ValidConfig, ConfigError> {
        let Config {
            run,
            read,
            split,
            segment,
            tfidf,
            reduce,
            cluster,
            label,
            report,
            copies,
        } = self;
        // The order in which a configuration with several faults names the first.
        read.check_ref()?;
        report.check_ref()?;
        Ok(ValidConfig {
            run,
            read: Valid(read),
            split: split.check()?,
            segment: segment.check()?,
            tfidf: tfidf.check()?,
            reduce: reduce.check()?,
            cluster: cluster.check()?,
            label: label.check()?,
            report: Valid(report),
            copies: copies.check()?,
        })
    }
}

/// Parameters whose rules hold: made only by [`Check::check`], so a stage that takes
/// `&Valid<P>` never sees a bad value. Serializes as the parameters themselves.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Valid<P>(P);

impl<P> std::ops::Deref for Valid<P> {
    type Target = P;
    fn deref(&self) -> &P {
        &self.0
    }
}

impl<P> Valid<P> {
    /// The parameters, to change and check again.
    pub fn into_inner(self) -> P {
        self.0
    }
}

/// Parameters with rules (linfa's `ParamGuard`): each stage's parameters check their own, and
/// the tests of each rule sit beside it.
pub trait Check: Sized {
    /// Checks every rule; the error names the TOML key and the value.
    fn check_ref(&self) -> Result<(), ConfigError>;

    /// The parameters, checked.
    fn check(self) -> Result<Valid<Self>, ConfigError> {
        self.check_ref()?;
        Ok(Valid(self))
    }
}

/// `Ok` when `ok`, else the rule `key` breaks with `got`.
fn rule(
    ok: bool,
    key: &'static str,
    rule: &'static str,
    got: impl ToString,
) -> Result<(), ConfigError> {
    if ok {
        Ok(())
    } else {
        Err(ConfigError::OutOfRange {
            key,
            rule,
            got: got.to_string(),
        })
    }
}

impl Check for ReadParams {
    fn check_ref(&self) -> Result<(), ConfigError> {
        rule(
            self.max_file_mb > 0.0,
            "read.max_file_mb",
            "must be > 0",
            self.max_file_mb,
        )
    }
}

impl Check for ReportParams {
    fn check_ref(&self) -> Result<(), ConfigError> {
        rule(
            self.min_units >= 1,
            "report.min_units",
            "must be >= 1",
            self.min_units,
        )?;
        rule(
            self.page_limit >= 1,
            "report.page_limit",
            "must be >= 1",
            self.page_limit,
        )
    }
}

impl Check for SplitParams {
    fn check_ref(&self) -> Result<(), ConfigError> {
        rule(
            !self.sections.is_empty(),
            "split.sections",
            "must name at least one kind",
            "[]",
        )
    }
}

impl Check for SegmentParams {
    fn check_ref(&self) -> Result<(), ConfigError> {
        rule(
            self.min_chars >= 1,
            "segment.min_chars",
            "must be >= 1",
            self.min_chars,
        )?;
        rule(
            self.pos.is_empty() || self.mode == CutMode::Accurate,
            "segment.pos",
            "needs segment.mode = \"accurate\" (jieba tags only the accurate cut)",
            format!("{:?}", self.pos),
        )
    }
}

impl Check for TfidfParams {
    fn check_ref(&self) -> Result<(), ConfigError> {
        for (key, bound) in [("tfidf.min_df", self.min_df), ("tfidf.max_df", self.max_df)] {
            if let DfBound::Fraction(f) = bound {
                rule(
                    (0.0..=1.0).contains(&f),
                    key,
                    "as a proportion must be in [0, 1]",
                    f,
                )?;
            }
        }
        if let Some(m) = self.max_features {
            rule(m >= 1, "tfidf.max_features", "must be >= 1", m)?;
        }
        Ok(())
    }
}

impl Check for ReduceParams {
    fn check_ref(&self) -> Result<(), ConfigError> {
        rule(self.dims >= 1, "reduce.dims", "must be >= 1", self.dims)?;
        rule(
            self.power_iterations <= 20,
            "reduce.power_iterations",
            "must be <= 20",
            self.power_iterations,
        )
    }
}

impl Check for ClusterParams {
    fn check_ref(&self) -> Result<(), ConfigError> {
        let c = self;
        if let KChoice::Fixed(k) = c.k {
            rule(k >= 2, "cluster.k", "must be >= 2", k)?;
        }
        let kr = c.k_range;
        rule(
            kr.min >= 2 && kr.min <= kr.max,
            "cluster.k_range",
            "must be A..B with 2 <= A <= B",
            format!("{}..{}", kr.min, kr.max),
        )?;
        rule(c.n_runs >= 1, "cluster.n_runs", "must be >= 1", c.n_runs)?;
        rule(
            c.max_iterations >= 1,
            "cluster.max_iterations",
            "must be >= 1",
            c.max_iterations,
        )?;
        rule(
            c.tolerance > 0.0,
            "cluster.tolerance",
            "must be > 0",
            c.tolerance,
        )?;
        rule(
            c.max_batches >= 1,
            "cluster.max_batches",
            "must be >= 1",
            c.max_batches,
        )?;
        rule(
            c.batch_size >= 16,
            "cluster.batch_size",
            "must be >= 16",
            c.batch_size,
        )?;
        rule(
            c.silhouette_sample >= 10,
            "cluster.silhouette_sample",
            "must be >= 10",
            c.silhouette_sample,
        )?;
        rule(
            c.min_known_terms >= 1,
            "cluster.min_known_terms",
            "must be >= 1",
            c.min_known_terms,
        )?;
        rule(
            c.stability <= MAX_STABILITY,
            "cluster.stability",
            "must be <= 100 (each refit is a whole k-means fit, twice)",
            c.stability,
        )
    }
}

impl Check for LabelParams {
    fn check_ref(&self) -> Result<(), ConfigError> {
        rule(
            self.top_terms >= 1,
            "label.top_terms",
            "must be >= 1",
            self.top_terms,
        )?;
        rule(
            self.label_terms >= 1,
            "label.label_terms",
            "must be >= 1",
            self.label_terms,
        )
    }
}

impl Check for CopyParams {
    fn check_ref(&self) -> Result<(), ConfigError> {
        let p = self;
        rule(
            p.threshold > 0.0 && p.threshold <= 1.0,
            "copies.threshold",
            "must be in (0, 1]",
            p.threshold,
        )?;
        rule(
            (1..=32).contains(&p.shingle),
            "copies.shingle",
            "must be in 1..=32",
            p.shingle,
        )?;
        rule(
            p.bands >= 1 && p.rows >= 1 && p.bands * p.rows <= 1024,
            "copies.bands",
            "and copies.rows must be >= 1 with bands × rows <= 1024",
            format!("{} × {}", p.bands, p.rows),
        )?;
        rule(
            p.max_bucket >= 1,
            "copies.max_bucket",
            "must be >= 1",
            p.max_bucket,
        )
    }
}

impl Valid<ClusterParams> {
    /// The parameters of a refit (`--stability`): k fixed at the run's k (which the run has
    /// already fitted, whatever the rule on `cluster.k`).
    pub fn refit(&self, k: usize) -> Valid<ClusterParams> {
        Valid(ClusterParams {
            k: KChoice::Fixed(k),
            ..self.0.clone()
        })
    }
}

impl ValidConfig {
    /// The configuration, unchecked again (to store, or to change and validate anew).
    pub fn to_config(&self) -> Config {
        Config {
            run: self.run.clone(),
            read: (*self.read).clone(),
            split: (*self.split).clone(),
            segment: (*self.segment).clone(),
            tfidf: (*self.tfidf).clone(),
            reduce: (*self.reduce).clone(),
            cluster: (*self.cluster).clone(),
            label: (*self.label).clone(),
            report: (*self.report).clone(),
            copies: (*self.copies).clone(),
        }
    }

    /// The run's seed and every stage's seed derived from it.
    pub fn seeds(&self) -> Seeds {
        self.run.seeds()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_config_is_valid_and_round_trips_through_toml() {
        let c = Config::default();
        let text = c.to_toml();
        assert_eq!(Config::from_toml(&text).unwrap(), (c.clone(), Vec::new()));
        assert!(c.validate().is_ok());
    }

    #[test]
    fn unknown_key_is_named() {
        let err = Config::from_toml("[cluster]\nkay = 3\n").unwrap_err();
        assert!(err.contains("kay"), "{err}");
    }

    #[test]
    fn a_syntax_error_is_one_line_with_its_position() {
        let err = Config::from_toml("[cluster]\nk = \"x\"\n").unwrap_err();
        assert_eq!(
            err,
            "line 2, column 5: cluster.k: cannot read \"x\": a number of themes or `auto`"
        );
        let err = Config::from_toml("[cluster\nk = 3\n").unwrap_err();
        assert!(err.starts_with("line 1, column 9: "), "{err}");
        assert!(!err.contains('\n') && !err.contains(" | "), "{err}");
    }

    #[test]
    fn keys_moved_to_run_are_read_with_a_warning() {
        let (c, warnings) =
            Config::from_toml("[cluster]\nseed = 7\nk = 4\n[read]\nstrict = true\n").unwrap();
        assert_eq!((c.run.seed, c.run.strict, c.run.dump), (7, true, false));
        assert_eq!(c.cluster.k, KChoice::Fixed(4));
        assert_eq!(
            warnings,
            [
                "cluster.seed is now run.seed: write it there",
                "read.strict is now run.strict: write it there"
            ]
        );
        let (c, warnings) = Config::from_toml("[run]\nseed = 7\ndump = true\n").unwrap();
        assert_eq!((c.run.seed, c.run.dump, warnings.len()), (7, true, 0));
        let err = Config::from_toml("[run]\nseed = 1\n[cluster]\nseed = 2\n").unwrap_err();
        assert_eq!(err, "cluster.seed and run.seed are both set: keep run.seed");
        // An error in a file with a moved key is still named.
        let err = Config::from_toml("[report]\ndump = true\n[cluster]\nk = \"x\"\n").unwrap_err();
        assert!(err.contains("cluster.k"), "{err}");
    }

    #[test]
    fn stability_beyond_the_cap_is_rejected_with_the_key() {
        let mut c = Config::default();
        c.cluster.stability = MAX_STABILITY;
        assert!(c.clone().validate().is_ok());
        c.cluster.stability = 1_000_000;
        let err = c.validate().unwrap_err().to_string();
        assert!(err.starts_with("cluster.stability must be <= 100"), "{err}");
    }

    #[test]
    fn k_below_two_is_rejected_with_the_key() {
        let mut c = Config::default();
        c.cluster.k = KChoice::Fixed(1);
        let err = c.validate().unwrap_err().to_string();
        assert_eq!(err, "cluster.k must be >= 2 (got 1)");
    }

    #[test]
    fn df_bounds_follow_scikit_learn_int_float_meaning() {
        assert_eq!(
            DfBound::parse("tfidf.min_df", "1").unwrap(),
            DfBound::Count(1)
        );
        assert_eq!(
            DfBound::parse("tfidf.min_df", "1.0").unwrap(),
            DfBound::Fraction(1.0)
        );
        assert_eq!(DfBound::Fraction(0.5).to_count(9), 4.5);
        let c: Config = toml::from_str("[tfidf]\nmin_df = 3\nmax_df = 0.9\n").unwrap();
        assert_eq!(c.tfidf.min_df, DfBound::Count(3));
        assert_eq!(c.tfidf.max_df, DfBound::Fraction(0.9));
        let mut bad = Config::default();
        bad.tfidf.max_df = DfBound::Fraction(1.5);
        assert!(
            bad.validate()
                .unwrap_err()
                .to_string()
                .starts_with("tfidf.max_df")
        );
    }

    #[test]
    fn copy_parameters_are_checked_with_their_keys() {
        let mut c = Config::default();
        c.copies.threshold = 0.0;
        let err = c.clone().validate().unwrap_err().to_string();
        assert_eq!(err, "copies.threshold must be in (0, 1] (got 0)");
        c.copies.threshold = 0.8;
        c.copies.bands = 0;
        let err = c.clone().validate().unwrap_err().to_string();
        assert!(err.starts_with("copies.bands and copies.rows"), "{err}");
        c.copies.bands = 20;
        c.copies.shingle = 0;
        assert!(
            c.validate()
                .unwrap_err()
                .to_string()
                .starts_with("copies.shingle")
        );
        let c: Config = toml::from_str("[copies]\nthreshold = 0.8\n").unwrap();
        assert_eq!(c.copies.threshold, 0.8);
        assert_eq!(c.copies.shingle, 5);
    }

    #[test]
    fn k_choice_and_range_parse() {
        assert_eq!(KChoice::parse("auto").unwrap(), KChoice::Auto);
        assert_eq!(KChoice::parse("12").unwrap(), KChoice::Fixed(12));
        assert!(KChoice::parse("twelve").is_err());
        assert_eq!(KRange::parse("5..30").unwrap(), KRange { min: 5, max: 30 });
        let mut c = Config::default();
        c.cluster.k_range = KRange { min: 9, max: 4 };
        assert!(c.validate().is_err());
    }
}
