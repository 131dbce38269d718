//! The analysis: everything a run or an `apply` found, the one value every writer (tables,
//! charts, page, model) takes, and the summary of the fit.

use crate::cluster::{self, KScore, Placement};
use crate::concrete::Concreteness;
use crate::config::{GroupBy, ValidConfig};
use crate::copies::Copies;
use crate::corpus::{ReportSummary, Skipped, ThemeId, Unit};
use crate::fitted::FittedModel;
use crate::label::Theme;
use crate::recurrence::Recurrence;
use crate::report::PendingWorkbook;
use crate::segment::TokenizedCorpus;
use crate::split::CharCounts;
use crate::stability::Stability;
use crate::tfidf::TfidfMatrix;
use ndarray::Array2;
use serde::{Serialize, Serializer};
use std::fmt;
use std::sync::Arc;

/// How the number of themes was set (written to `run.json` as the words of [`Self::as_str`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KChoiceMade {
    /// Given by `--k N` or `cluster.k`.
    Fixed,
    /// Chosen by the `--k auto` scan.
    Auto,
    /// The fitted model's (`apply`).
    Model,
}

impl KChoiceMade {
    /// The words `run.json` records.
    pub fn as_str(self) -> &'static str {
        match self {
            KChoiceMade::Fixed => "fixed",
            KChoiceMade::Auto => {
                "auto (silhouette: one-standard-error rule, or the knee of a steady rise)"
            }
            KChoiceMade::Model => "model",
        }
    }
}

impl Serialize for KChoiceMade {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// How the centres were found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FitMethod {
    /// Fitted here ([`cluster::Method`]).
    Fitted(cluster::Method),
    /// The fitted model's centres (`apply`).
    Model,
}

impl FitMethod {
    /// The word `run.json` and the page show: `kmeans`, `minibatch` or `model`.
    pub fn as_str(self) -> &'static str {
        match self {
            FitMethod::Fitted(m) => m.as_str(),
            FitMethod::Model => "model",
        }
    }
}

impl fmt::Display for FitMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for FitMethod {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Where the themes of an analysis come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ThemeSource {
    /// Fitted on this corpus (`run`).
    Fitted,
    /// Taken from a fitted model (`apply`).
    Applied,
}

/// What the run did to fit its themes: k, the scan, the fit's quality.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FitSummary {
    /// Number of themes.
    pub k: usize,
    /// How k was set.
    pub k_choice: KChoiceMade,
    /// The k scan, with `--k auto`.
    pub scan: Vec<KScore>,
    /// k-means variant, or the model's centres when applied.
    pub method: FitMethod,
    /// Sum of squared distances to the centres.
    pub inertia: f64,
    /// Dimensions of the reduced space.
    pub dims: usize,
    /// Share of TF-IDF variance the LSA dimensions explain.
    pub explained_variance: f64,
    /// Vocabulary size.
    pub terms: usize,
}

/// Everything a run found: the one value every writer takes.
#[derive(Debug, Clone)]
pub struct Analysis {
    /// The configuration in force.
    pub config: ValidConfig,
    /// Reports read, without their text once split and counted
    /// ([`crate::corpus::Report::into_summary`]).
    pub reports: Arc<Vec<ReportSummary>>,
    /// Files skipped, with reasons.
    pub skipped: Vec<Skipped>,
    /// Each report's characters by role (same order as `reports`).
    pub chars: Vec<CharCounts>,
    /// The units clustered, in report and text order.
    pub units: Arc<Vec<Unit>>,
    /// Each unit's theme and its similarity to the theme's centre; `None` when the unit has too
    /// few known terms (unassigned).
    pub placements: Arc<Vec<Option<Placement>>>,
    /// Each unit's next-nearest theme and its similarity to that theme's centre (None:
    /// unassigned, or one theme).
    pub second: Arc<Vec<Option<Placement>>>,
    /// The themes, largest first.
    pub themes: Arc<Vec<Theme>>,
    /// Recurrence across groups, kinds and years.
    pub recurrence: Recurrence,
    /// Near-duplicate units across and within reports, and each report's copied share.
    pub copies: Copies,
    /// How concrete each unit is: its quantities and slogan share (unit order).
    pub concreteness: Arc<Vec<Concreteness>>,
    /// Theme stability across refits, with `--stability N`.
    pub stability: Option<Stability>,
    /// The reduced, row-normalised matrix k-means ran on: with `--dump` all of it, otherwise
    /// its first [`MAP_DIMS`] columns, all the map draws.
    pub reduced: Array2<f32>,
    /// The tokens of every unit, kept only for `--dump`.
    pub tokens: Option<TokenizedCorpus>,
    /// The TF-IDF matrix, kept only for `--dump` (it is the largest thing after the text).
    pub tfidf_matrix: Option<TfidfMatrix>,
    /// The fit.
    pub fit: FitSummary,
    /// The model to save (and what `apply` used).
    pub model: FittedModel,
    /// Fitted here or applied from a model.
    pub source: ThemeSource,
    /// Seconds per stage, in order.
    pub timings: Vec<(String, f64)>,
    /// Peak resident memory (MiB) after each stage, where the system tells it (Linux).
    pub peak_memory: Vec<(String, f64)>,
    /// Warnings for `run.json` and the page.
    pub warnings: Vec<String>,
    /// Threads used.
    pub threads: usize,
    /// The workbook, its measures sheet written while copied text was found (none when the run
    /// writes no workbook, or an analysis made otherwise: the writer then begins it).
    pub workbook: PendingWorkbook,
}

impl Analysis {
    /// The number of units without a theme.
    pub fn unassigned(&self) -> usize {
        self.placements.iter().filter(|p| p.is_none()).count()
    }

    /// Unit `u`'s theme (None: unassigned).
    pub fn theme_of(&self, u: usize) -> Option<ThemeId> {
        self.placements[u].map(|p| p.theme)
    }

    /// Unit `u`'s similarity to its theme's centre (0 when unassigned).
    pub fn similarity(&self, u: usize) -> f64 {
        self.placements[u].map_or(0.0, |p| p.similarity)
    }

    /// What groups are.
    pub fn group_by(&self) -> GroupBy {
        self.config.report.group_by
    }
}

/// The theme id of units that could not be placed.
pub const UNASSIGNED: &str = "unassigned";

/// The dimensions of the reduced matrix the map draws (its x and y), all an analysis keeps of
/// it without `--dump`.
pub const MAP_DIMS: usize = 2;
