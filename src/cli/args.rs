//! The command line's definition (clap) and how its flags fold over the configuration:
//! defaults < `--config FILE` < flags. Core code never sees a flag: it gets a validated
//! configuration.

use clap::{Args, Parser, Subcommand, ValueEnum};
use policy_themes::config::{
    Config, DfBound, GroupBy, KChoice, KRange, Lang, ReportParams, ValidConfig,
};
use policy_themes::corpus::{SectionKind, UnitLevel};
use policy_themes::error::{ConfigError, Result};
use policy_themes::meta::Manifest;
use policy_themes::output::OutputDir;
use policy_themes::report::outline::OutlineFormat;
use policy_themes::stream::StreamParams;
use std::io::IsTerminal;
use std::path::PathBuf;

/// Which policy themes recur across Chinese township reports on rule-of-law government.
///
/// With no command, runs the whole pipeline on the bundled sample and writes reports/sample/.
#[derive(Debug, Parser)]
#[command(name = "policy-themes", version, about, long_about)]
pub struct Cli {
    /// What to do (default: `run` on the bundled sample).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The modes.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read, split, segment, vectorize, cluster and report a corpus.
    Run(Box<RunArgs>),
    /// Show the sections and units found in reports, and why.
    Split(SplitArgs),
    /// Print the decoded or extracted text of a report: what `start` and `end` index.
    Text(TextArgs),
    /// Place new reports on the themes of a fitted model.
    Apply(ApplyArgs),
    /// Print the default configuration as TOML.
    PrintConfig,
}

/// Flags shared by `run` and `apply`.
#[derive(Debug, Args, Default)]
pub struct OutputArgs {
    /// Output folder [default: reports/sample for the bundled sample, else policy-themes-out].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// What a group is in the group × theme matrix.
    #[arg(long, value_enum, value_name = "BY")]
    pub group_by: Option<GroupByArg>,
    /// The language of the page, chart notes and section-kind names [default: zh].
    #[arg(long, value_enum, value_name = "LANG")]
    pub lang: Option<LangArg>,
    /// CSV metadata overrides per file: file, township, county, province, year (or JSONL).
    #[arg(long, value_name = "CSV")]
    pub manifest: Option<PathBuf>,
    /// Worker threads [default: all cores]. Outputs do not depend on it.
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Write CSV files without the UTF-8 byte-order mark (which Excel and WPS want).
    #[arg(long)]
    pub no_bom: bool,
    /// Write CSV text cells as they are: no `'` before a cell that starts with = + - @ (which
    /// Excel and WPS would run as a formula).
    #[arg(long)]
    pub raw_csv: bool,
    /// Do not write workbook.xlsx (the tables as an Excel workbook).
    #[arg(long)]
    pub no_xlsx: bool,
    /// If another run is writing into --out, wait for it instead of exiting with status 1.
    #[arg(long)]
    pub wait: bool,
    /// Exit with status 1 if any input file was skipped.
    #[arg(long)]
    pub strict: bool,
    /// No progress bars or summary on stderr.
    #[arg(long, short)]
    pub quiet: bool,
}

/// `run`'s flags.
#[derive(Debug, Args, Default)]
pub struct RunArgs {
    /// Report files or folders (.txt .md .html .jsonl .csv) [default: the bundled sample].
    #[arg(value_name = "PATHS")]
    pub paths: Vec<PathBuf>,
    /// Output, grouping, threads and error handling.
    #[command(flatten)]
    pub output: OutputArgs,
    /// Streaming: a corpus larger than memory.
    #[command(flatten)]
    pub streaming: StreamArgs,
    /// Number of themes, or `auto` to choose by silhouette over --k-range.
    #[arg(long, value_name = "N|auto")]
    pub k: Option<String>,
    /// Range of k scanned by --k auto, e.g. 5..30 (inclusive).
    #[arg(long, value_name = "A..B")]
    pub k_range: Option<String>,
    /// Seed of every random choice (SVD test matrix, k-means++, samples).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// What a unit is: a numbered measure, an enumerated clause (一是…) or a paragraph.
    #[arg(long, value_enum, value_name = "UNIT")]
    pub unit: Option<UnitArg>,
    /// Section kinds to cluster, comma-separated (measures,leadership,shortcomings,plans,preamble,other).
    #[arg(long, value_name = "KINDS")]
    pub sections: Option<String>,
    /// Drop terms in fewer units: an integer count, or a decimal proportion of units.
    #[arg(long, value_name = "N|F")]
    pub min_df: Option<String>,
    /// Drop terms in more units: an integer count, or a decimal proportion of units.
    #[arg(long, value_name = "N|F")]
    pub max_df: Option<String>,
    /// Keep only the N most frequent terms.
    #[arg(long, value_name = "N")]
    pub max_features: Option<usize>,
    /// LSA dimensions k-means runs on (clamped to the data).
    #[arg(long, value_name = "N")]
    pub dims: Option<usize>,
    /// Refit N times with other seeds and on N bootstrap samples; report each theme's stability.
    #[arg(long, value_name = "N")]
    pub stability: Option<usize>,
    /// Guide the themes by a codebook: `gangyao` (the 纲要 chapters, built in) or a TOML file.
    #[arg(long, value_name = "FILE|gangyao")]
    pub codebook: Option<String>,
    /// TOML configuration file (see `print-config`); flags override it.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Analyst names for themes: TOML `[names]` of theme id or top-terms signature → name.
    #[arg(long, value_name = "FILE")]
    pub labels: Option<PathBuf>,
    /// Also write tokens.json, tfidf.json, reduced.csv and centroids.csv (to check the numbers).
    #[arg(long)]
    pub dump: bool,
}

/// The unit levels, as flags.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum UnitArg {
    /// A numbered measure, or a paragraph where a section has none.
    Measure,
    /// An enumerated clause (一是…二是…).
    Clause,
    /// A paragraph.
    Paragraph,
}

/// `split`'s flags.
#[derive(Debug, Args)]
pub struct SplitArgs {
    /// Report files.
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: SplitFormat,
    /// What a unit is.
    #[arg(long, value_enum, value_name = "UNIT")]
    pub unit: Option<UnitArg>,
}

/// `text`'s argument.
#[derive(Debug, Args)]
pub struct TextArgs {
    /// A report file (.txt .md .html .docx .pdf .jsonl .csv).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

/// `split`'s output formats.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SplitFormat {
    /// An indented outline for reading.
    Table,
    /// One JSON object per report.
    Json,
    /// One CSV row per block.
    Csv,
}

/// `apply`'s flags.
#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// The `model/` folder written by `run`.
    #[arg(long, value_name = "DIR", required = true)]
    pub model: PathBuf,
    /// Report files or folders.
    #[arg(value_name = "PATHS", required = true)]
    pub paths: Vec<PathBuf>,
    /// Streaming: a corpus larger than memory.
    #[command(flatten)]
    pub streaming: StreamArgs,
    /// Output, grouping, threads and error handling.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// The streaming flags of `run` and `apply`.
#[derive(Debug, Args, Default)]
pub struct StreamArgs {
    /// Read, place and write the corpus a chunk at a time, in memory bounded by the chunk (a
    /// corpus larger than memory): writes the tables, run.json and the model, not the page,
    /// charts, workbook or themes.json of all the units; `run` fits on a sample of the units,
    /// whose own outputs it writes into sample/.
    #[arg(long)]
    pub stream: bool,
    /// Megabytes of input files per chunk with --stream [default: 64].
    #[arg(
        long,
        value_name = "MB",
        requires = "stream",
        allow_negative_numbers = true
    )]
    pub chunk_mb: Option<f64>,
    /// With `run --stream`: the most units the themes are fitted on, sampled evenly from the
    /// whole corpus [default: 200000].
    #[arg(long, value_name = "N", requires = "stream")]
    pub sample_units: Option<usize>,
}

impl StreamArgs {
    /// The streaming parameters, checked, if `--stream` is given.
    pub fn params(&self) -> Result<Option<StreamParams>> {
        self.stream
            .then(|| {
                StreamParams {
                    chunk_mb: self.chunk_mb.unwrap_or(StreamParams::DEFAULT_CHUNK_MB),
                    sample_units: self
                        .sample_units
                        .unwrap_or(StreamParams::DEFAULT_SAMPLE_UNITS),
                }
                .validate()
            })
            .transpose()
    }
}

/// What a group is, as flags (`report.group_by`).
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum GroupByArg {
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

impl From<GroupByArg> for GroupBy {
    fn from(g: GroupByArg) -> GroupBy {
        match g {
            GroupByArg::Unit => GroupBy::Unit,
            GroupByArg::Township => GroupBy::Township,
            GroupByArg::County => GroupBy::County,
            GroupByArg::Province => GroupBy::Province,
            GroupByArg::Year => GroupBy::Year,
        }
    }
}

/// The language of the page, as flags (`report.lang`).
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LangArg {
    /// Chinese (default).
    Zh,
    /// English.
    En,
}

impl From<LangArg> for Lang {
    fn from(l: LangArg) -> Lang {
        match l {
            LangArg::Zh => Lang::Zh,
            LangArg::En => Lang::En,
        }
    }
}

impl From<UnitArg> for UnitLevel {
    fn from(u: UnitArg) -> UnitLevel {
        match u {
            UnitArg::Measure => UnitLevel::Measure,
            UnitArg::Clause => UnitLevel::Clause,
            UnitArg::Paragraph => UnitLevel::Paragraph,
        }
    }
}

impl From<SplitFormat> for OutlineFormat {
    fn from(f: SplitFormat) -> OutlineFormat {
        match f {
            SplitFormat::Table => OutlineFormat::Table,
            SplitFormat::Json => OutlineFormat::Json,
            SplitFormat::Csv => OutlineFormat::Csv,
        }
    }
}

/// Threads allowed per core: more only adds contention (and memory per thread).
const THREADS_PER_CORE: usize = 4;

impl RunArgs {
    /// The configuration: defaults, then `--config`, then flags. A key of the file read at its
    /// old place is named on stderr.
    pub fn config(&self) -> Result<ValidConfig, ConfigError> {
        let mut c = match &self.config {
            Some(path) => {
                let (config, warnings) = Config::from_file(path)?;
                for warning in warnings {
                    eprintln!("policy-themes: warning: {}: {warning}", path.display());
                }
                config
            }
            None => Config::default(),
        };
        if let Some(k) = &self.k {
            c.cluster.k = KChoice::parse(k)?;
        }
        if let Some(r) = &self.k_range {
            c.cluster.k_range = KRange::parse(r)?;
        }
        if let Some(s) = self.seed {
            c.run.seed = s;
        }
        if let Some(u) = self.unit {
            c.split.unit = u.into();
        }
        if let Some(s) = &self.sections {
            c.split.sections = s
                .split(',')
                .map(|k| {
                    SectionKind::parse(k).ok_or_else(|| ConfigError::Parse {
                        key: "--sections",
                        got: k.to_string(),
                        expected: "measures, leadership, shortcomings, plans, preamble or other",
                    })
                })
                .collect::<Result<_, _>>()?;
        }
        if let Some(v) = &self.min_df {
            c.tfidf.min_df = DfBound::parse("--min-df", v)?;
        }
        if let Some(v) = &self.max_df {
            c.tfidf.max_df = DfBound::parse("--max-df", v)?;
        }
        if self.max_features.is_some() {
            c.tfidf.max_features = self.max_features;
        }
        if let Some(d) = self.dims {
            c.reduce.dims = d;
        }
        if let Some(n) = self.stability {
            c.cluster.stability = n;
        }
        if let Some(cb) = &self.codebook {
            c.cluster.codebook = Some(cb.clone());
        }
        self.output.apply_report(&mut c.report);
        c.run.strict |= self.output.strict;
        c.run.dump |= self.dump;
        c.validate()
    }
}

impl OutputArgs {
    /// Sets the output options of `[report]` the flags give.
    pub fn apply_report(&self, report: &mut ReportParams) {
        let c = report;
        if let Some(g) = self.group_by {
            c.group_by = g.into();
        }
        if let Some(lang) = self.lang {
            c.lang = lang.into();
        }
        if self.no_bom {
            c.bom = false;
        }
        if self.raw_csv {
            c.raw_csv = true;
        }
        if self.no_xlsx {
            c.xlsx = false;
        }
    }

    /// Sets the thread count, locks and checks the output folder, reads the manifest.
    pub fn prepare(&self, default_out: &str) -> Result<(OutputDir, Manifest)> {
        if let Some(n) = self.threads {
            if n == 0 {
                return Err(ConfigError::OutOfRange {
                    key: "--threads",
                    rule: "must be >= 1",
                    got: "0".into(),
                }
                .into());
            }
            let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
            let cap = THREADS_PER_CORE * cores;
            if n > cap {
                eprintln!(
                    "policy-themes: warning: --threads {n} lowered to {cap} ({THREADS_PER_CORE} per core, {cores} cores)"
                );
            }
            // Fails only if the pool was already built, which the binary never does.
            let _ = rayon::ThreadPoolBuilder::new()
                .num_threads(n.min(cap))
                .build_global();
        }
        let out = self
            .out
            .clone()
            .unwrap_or_else(|| PathBuf::from(default_out));
        let out = OutputDir::prepare(&out, self.wait)?;
        let manifest = match &self.manifest {
            Some(p) => Manifest::from_file(p)?,
            None => Manifest::default(),
        };
        Ok((out, manifest))
    }

    pub fn progress(&self) -> bool {
        !self.quiet && std::io::stderr().is_terminal()
    }
}
