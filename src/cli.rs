//! The command line (DESIGN.md §3): clap definitions, flags folded over the configuration
//! (defaults < `--config FILE` < flags), and the four modes. `main` only calls [`main`].

use crate::config::{Config, DfBound, GroupBy, KChoice, KRange, Lang, ValidConfig};
use crate::corpus::{SectionKind, UnitLevel};
use crate::error::{ConfigError, Error, Result};
use crate::fitted::FittedModel;
use crate::label::ThemeNames;
use crate::meta::Manifest;
use crate::output::OutputDir;
use crate::pipeline::{self, RunInput};
use crate::read;
use crate::split::{self, BlockRole};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

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
    pub group_by: Option<GroupBy>,
    /// The language of the page, chart notes and section-kind names [default: zh].
    #[arg(long, value_enum, value_name = "LANG")]
    pub lang: Option<Lang>,
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
    /// Output, grouping, threads and error handling.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// The bundled sample: `data/sample` in the working directory, else beside the sources.
fn sample_dir() -> PathBuf {
    let local = PathBuf::from("data/sample");
    if local.is_dir() {
        local
    } else {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sample")
    }
}

/// Parses the command line, runs it, prints any error on one line; returns the exit code.
///
/// A failed write is an error like any other: SIGXFSZ is ignored, so a write past the file-size
/// limit (`ulimit -f`) returns EFBIG and is reported instead of killing the process. A panic (a
/// bug) is reported on one line too, and exits with status 1.
pub fn main() -> i32 {
    // SAFETY: setting a signal's disposition to SIG_IGN installs no handler code; nothing else
    // in the program handles SIGXFSZ.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
    let full = std::env::var_os("RUST_BACKTRACE").is_some();
    let standard = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        // A panic of a library that is caught and becomes an error (a PDF parser on a broken
        // file, the workbook writer on a full disk) is said by that error.
        if crate::error::in_contained() {
            return;
        }
        if full {
            return standard(info);
        }
        let payload = info.payload();
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        eprintln!("{}", panic_line(&message, info.location()));
    }));
    let cli = Cli::parse();
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        match cli.command.unwrap_or(Command::Run(Box::default())) {
            Command::Run(args) => run(*args),
            Command::Split(args) => split_cmd(args),
            Command::Text(args) => text_cmd(&args.file),
            Command::Apply(args) => apply(args),
            Command::PrintConfig => {
                print!("{}", Config::default().to_toml());
                Ok(())
            }
        }
    }));
    match outcome {
        Ok(Ok(())) => 0,
        Ok(Err(e)) => {
            eprintln!(
                "policy-themes: error: {}",
                crate::error::escaped(&e.to_string())
            );
            e.exit_code()
        }
        // The hook has said what happened.
        Err(_) => 1,
    }
}

/// The one line a panic prints (unless `RUST_BACKTRACE` asks for the full report).
fn panic_line(message: &str, location: Option<&std::panic::Location>) -> String {
    let at = location.map_or(String::new(), |l| format!(" at {}:{}", l.file(), l.line()));
    format!(
        "policy-themes: internal error (a bug, please report it; RUST_BACKTRACE=1 shows more): {}{at}",
        crate::error::escaped(message)
    )
}

/// Threads allowed per core: more only adds contention (and memory per thread).
const THREADS_PER_CORE: usize = 4;

impl RunArgs {
    /// The configuration: defaults, then `--config`, then flags.
    pub fn config(&self) -> Result<ValidConfig, ConfigError> {
        let mut c = match &self.config {
            Some(path) => Config::from_file(path)?,
            None => Config::default(),
        };
        if let Some(k) = &self.k {
            c.cluster.k = KChoice::parse(k)?;
        }
        if let Some(r) = &self.k_range {
            c.cluster.k_range = KRange::parse(r)?;
        }
        if let Some(s) = self.seed {
            c.cluster.seed = s;
        }
        if let Some(u) = self.unit {
            c.split.unit = unit_level(u);
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
        self.output.apply(&mut c);
        if self.dump {
            c.report.dump = true;
        }
        c.validate()
    }
}

impl OutputArgs {
    fn apply(&self, c: &mut Config) {
        if let Some(g) = self.group_by {
            c.report.group_by = g;
        }
        if let Some(lang) = self.lang {
            c.report.lang = lang;
        }
        if self.no_bom {
            c.report.bom = false;
        }
        if self.raw_csv {
            c.report.raw_csv = true;
        }
        if self.no_xlsx {
            c.report.xlsx = false;
        }
        if self.strict {
            c.read.strict = true;
        }
    }

    /// Sets the thread count, locks and checks the output folder, reads the manifest.
    fn prepare(&self, default_out: &str) -> Result<(OutputDir, Manifest)> {
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

    fn progress(&self) -> bool {
        !self.quiet && std::io::stderr().is_terminal()
    }
}

fn unit_level(u: UnitArg) -> UnitLevel {
    match u {
        UnitArg::Measure => UnitLevel::Measure,
        UnitArg::Clause => UnitLevel::Clause,
        UnitArg::Paragraph => UnitLevel::Paragraph,
    }
}

fn run(args: RunArgs) -> Result<()> {
    let config = args.config()?;
    let default_out = if args.paths.is_empty() {
        "reports/sample"
    } else {
        "policy-themes-out"
    };
    let (out, manifest) = args.output.prepare(default_out)?;
    let names = match &args.labels {
        Some(p) => ThemeNames::from_file(p)?,
        None => ThemeNames::default(),
    };
    let paths = if args.paths.is_empty() {
        vec![sample_dir()]
    } else {
        args.paths.clone()
    };
    let input = RunInput {
        paths,
        manifest,
        names,
        progress: args.output.progress(),
    };
    let analysis = pipeline::run(config, &input)?;
    let result = finish(&analysis, out, &args.output);
    // The process ends next: returning the memory of hundreds of thousands of small allocations
    // one by one would only delay the exit (a tenth of a second on a large corpus).
    std::mem::forget(analysis);
    result
}

fn apply(args: ApplyArgs) -> Result<()> {
    let (out, manifest) = args.output.prepare("policy-themes-out")?;
    let model = FittedModel::load(&args.model)?;
    let mut report = model.config.report.clone();
    report.dump = false;
    let mut scratch = model.config.clone();
    args.output.apply(&mut scratch);
    report.group_by = scratch.report.group_by;
    report.lang = scratch.report.lang;
    report.bom = scratch.report.bom;
    report.raw_csv = scratch.report.raw_csv;
    report.xlsx = scratch.report.xlsx;
    let input = RunInput {
        paths: args.paths.clone(),
        manifest,
        names: ThemeNames::default(),
        progress: args.output.progress(),
    };
    let mut analysis = pipeline::apply(model, report, &input)?;
    analysis.config = {
        let mut c = analysis.config.inner().clone();
        c.read.strict = scratch.read.strict;
        c.validate()?
    };
    finish(&analysis, out, &args.output)
}

/// Writes the outputs into the new folder, switches it in, prints a summary, applies `--strict`.
fn finish(analysis: &crate::analysis::Analysis, out: OutputDir, flags: &OutputArgs) -> Result<()> {
    crate::report::write_all(analysis, out.staging())?;
    let path = out.path().to_path_buf();
    for warning in analysis.warnings.iter().cloned().chain(out.commit()?) {
        eprintln!("policy-themes: warning: {warning}");
    }
    if !flags.quiet {
        eprintln!(
            "policy-themes: {} report(s), {} skipped, {} units, {} themes over {} groups → {}",
            analysis.reports.len(),
            analysis.skipped.len(),
            analysis.units.len(),
            analysis.themes.len(),
            analysis.recurrence.groups.len(),
            path.display()
        );
    }
    if analysis.config.read.strict && !analysis.skipped.is_empty() {
        return Err(Error::Strict(analysis.skipped.len()));
    }
    Ok(())
}

/// Prints exactly the text a report's spans index (as read by `run`, chrome included).
fn text_cmd(file: &Path) -> Result<()> {
    let params = crate::config::ReadParams::default();
    let report = read::read_one("r0000", file, &params, &Manifest::default()).map_err(|s| {
        eprintln!("policy-themes: skipped {}", s.message());
        Error::EmptyCorpus("the file could not be read".to_string())
    })?;
    let mut out = std::io::stdout().lock();
    out.write_all(report.text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| Error::io("stdout", e))
}

fn split_cmd(args: SplitArgs) -> Result<()> {
    let mut params = crate::config::SplitParams::default();
    if let Some(u) = args.unit {
        params.unit = unit_level(u);
    }
    let read_params = crate::config::ReadParams::default();
    let stdout = std::io::stdout();
    let mut w = stdout.lock();
    let mut csv_out = matches!(args.format, SplitFormat::Csv).then(|| {
        let mut c = csv::Writer::from_writer(Vec::new());
        let _ = c.write_record([
            "file", "role", "kind", "level", "start", "end", "unit_id", "heading", "text", "opened",
        ]);
        c
    });
    let mut failed = 0;
    for (i, file) in args.files.iter().enumerate() {
        let report = match read::read_one(
            &format!("r{i:04}"),
            file,
            &read_params,
            &Manifest::default(),
        ) {
            Ok(r) => r,
            Err(s) => {
                eprintln!("policy-themes: skipped {}", s.message());
                failed += 1;
                continue;
            }
        };
        let split = split::split_report(&report, 0, &params);
        let text = &report.text;
        let mut index = crate::corpus::CharIndex::new(text);
        let mut unit_iter = split.units.iter();
        let rows: Vec<(
            String,
            &split::Block,
            usize,
            usize,
            Option<&crate::corpus::Unit>,
        )> = split
            .blocks
            .iter()
            .map(|b| {
                let role = format!("{:?}", b.role).to_lowercase();
                let unit = if b.role == BlockRole::Unit {
                    unit_iter.next()
                } else {
                    None
                };
                (role, b, index.at(b.span.start), index.at(b.span.end), unit)
            })
            .collect();
        match args.format {
            SplitFormat::Table => {
                let m = &report.meta;
                let _ = writeln!(
                    w,
                    "== {} [{}] township={} county={} province={} year={} published={}",
                    report.file,
                    report.encoding,
                    m.township.as_deref().unwrap_or("?"),
                    m.county.as_deref().unwrap_or("?"),
                    m.province.as_deref().unwrap_or("?"),
                    m.year.map_or("?".to_string(), |y| y.to_string()),
                    m.published.as_deref().unwrap_or("?")
                );
                for (role, b, start, end, unit) in &rows {
                    let snippet: String = b
                        .span
                        .of(text)
                        .chars()
                        .filter(|c| *c != '\n')
                        .take(40)
                        .collect();
                    let id = unit.map_or(String::new(), |u| u.id.clone());
                    // A line recovered inside a line of the text says why it begins there.
                    let opened = match split.line_start_at(b.span.start) {
                        split::LineStart::Line => String::new(),
                        why => format!("[{}] ", why.as_str()),
                    };
                    let _ = writeln!(
                        w,
                        "{:indent$}{role:<8} {:<12} {start:>6}..{end:<6} {id:<10} {opened}{snippet}",
                        "",
                        b.kind.as_str(),
                        indent = 2 * b.level
                    );
                }
            }
            SplitFormat::Json => {
                let blocks: Vec<serde_json::Value> = rows
                    .iter()
                    .map(|(role, b, start, end, unit)| {
                        serde_json::json!({"role": role, "kind": b.kind, "level": b.level, "start": start, "end": end,
                            "unit_id": unit.map(|u| &u.id), "heading": unit.map(|u| &u.heading), "text": b.span.of(text),
                            "opened": split.line_start_at(b.span.start)})
                    })
                    .collect();
                let v = serde_json::json!({"file": report.file, "encoding": report.encoding, "meta": report.meta, "blocks": blocks});
                let _ = writeln!(w, "{v}");
            }
            SplitFormat::Csv => {
                if let Some(c) = csv_out.as_mut() {
                    for (role, b, start, end, unit) in &rows {
                        let _ = c.write_record([
                            report.file.as_str(),
                            role,
                            b.kind.as_str(),
                            &b.level.to_string(),
                            &start.to_string(),
                            &end.to_string(),
                            unit.map_or("", |u| u.id.as_str()),
                            unit.map_or("", |u| u.heading.as_str()),
                            b.span.of(text),
                            split.line_start_at(b.span.start).as_str(),
                        ]);
                    }
                }
            }
        }
    }
    if let Some(c) = csv_out {
        let bytes = c
            .into_inner()
            .map_err(|e| Error::io("stdout", std::io::Error::other(e.to_string())))?;
        w.write_all(&bytes).map_err(|e| Error::io("stdout", e))?;
    }
    if failed == args.files.len() {
        return Err(Error::EmptyCorpus(format!(
            "none of the {failed} file(s) could be read"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_is_one_line_with_where_it_happened() {
        let line = panic_line("index out of bounds\nsecond line", None);
        assert!(!line.contains('\n'), "{line}");
        assert!(
            line.ends_with("index out of bounds\\nsecond line"),
            "{line}"
        );
        let here = std::panic::Location::caller();
        let line = panic_line("boom", Some(here));
        assert!(line.contains(&format!(" at {}:{}", here.file(), here.line())));
    }
}
