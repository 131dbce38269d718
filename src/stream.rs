//! Applying a fitted model to a corpus larger than memory (`apply --stream`): the inputs are
//! read, split, segmented, projected and assigned a chunk at a time, and each chunk's rows are
//! appended to `measures.csv`, `reports.csv` and `copies.csv` before the next chunk is read.
//! What the summary tables need of the units is added up as the chunks pass: the group × theme
//! counts ([`recurrence::Tally`]), the theme sizes and the examples nearest each centre.
//!
//! Memory is bounded by the chunk, not the corpus: about 7 bytes per byte of a chunk's input
//! at its peak (laws, 58 MB: 0.42 GB for a whole `run`), plus jieba's dictionary and the model,
//! plus what grows with the corpus's size in files and groups but not its text: each report's
//! hash and path (for duplicates and `run.json`, about 0.2 KB a file) and a row of theme
//! counts per group.
//!
//! Each chunk is placed as `apply` places a corpus, with one difference: a chunk's reports
//! lend their place names to the stop phrases of that chunk only (`apply` lends those of all
//! its reports), and copied text is found between units of the same chunk only. A chunk that
//! holds the whole corpus gives the tables `apply` gives.

use crate::analysis::Analysis;
use crate::cluster::Placement;
use crate::concrete::Concreteness;
use crate::config::{ReportParams, ValidConfig};
use crate::corpus::{ReportMeta, ReportSummary, Skipped, Unit, UnitIdx};
use crate::error::{ConfigError, Error, Result};
use crate::fitted::FittedModel;
use crate::meta;
use crate::pipeline::{self, RunInput};
use crate::read::{self, Found};
use crate::recurrence::Tally;
use crate::report::{self, RowTable, RunCounts};
use crate::runtime::{Progress, Stages};
use crate::segment::Analyzer;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::ops::Range;
use std::path::Path;

/// The size of a chunk: input bytes read at a time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StreamParams {
    /// Megabytes of input files per chunk (a chunk holds at least one file).
    pub chunk_mb: f64,
}

impl StreamParams {
    /// The default chunk: 64 MB of input, about 0.5 GB of memory at its peak.
    pub const DEFAULT_CHUNK_MB: f64 = 64.0;

    /// Checks the chunk size: a positive number of megabytes.
    pub fn validate(self) -> Result<StreamParams> {
        if self.chunk_mb.is_finite() && self.chunk_mb > 0.0 {
            Ok(self)
        } else {
            Err(ConfigError::OutOfRange {
                key: "--chunk-mb",
                rule: "must be a number of megabytes > 0",
                got: self.chunk_mb.to_string(),
            }
            .into())
        }
    }

    /// The chunk size in bytes.
    fn chunk_bytes(self) -> u64 {
        (self.chunk_mb * 1024.0 * 1024.0) as u64
    }
}

impl Default for StreamParams {
    fn default() -> StreamParams {
        StreamParams {
            chunk_mb: StreamParams::DEFAULT_CHUNK_MB,
        }
    }
}

/// What a streamed `apply` did: the summary the tables were written from, and its counts.
#[derive(Debug, Clone)]
pub struct Streamed {
    /// The summary: every input (without its metadata), the themes with their sizes and
    /// examples over the whole corpus, the recurrence of all the units; its `units` are the
    /// examples only.
    pub summary: Analysis,
    /// The counts over all the chunks.
    pub counts: RunCounts,
    /// The number of chunks read.
    pub chunks: usize,
    /// The files written into the output folder.
    pub written: Vec<String>,
}

/// Places the corpus of `input` on the themes of `model` chunk by chunk, writing into `out`:
/// `measures.csv`, `reports.csv`, `copies.csv` (pairs within a chunk), `themes.csv`,
/// `group_theme.csv`, `concreteness.csv`, `run.json` and the model. `report` and `strict` are
/// as for [`pipeline::apply`].
pub fn apply(
    model: FittedModel,
    report: ReportParams,
    strict: bool,
    input: &RunInput,
    params: StreamParams,
    out: &Path,
    progress: &dyn Progress,
) -> Result<Streamed> {
    let started = std::time::Instant::now();
    let params = params.validate()?;
    let config = pipeline::applied_config(&model, report, strict)?;
    let (files, mut warnings) = pipeline::list_inputs(input)?;
    let chunks = chunks_of(&files, params.chunk_bytes());
    let (analyzer, ()) = rayon::join(|| Analyzer::new(&model.segment), meta::load_gazetteer);
    let mut analyzer = analyzer?;
    let mut reader = read::Reader::new(files.len(), &config.read, &input.manifest);
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    let mut tables = Tables::create(out, &config)?;
    let k = model.labels.len();
    let mut sums = Sums::new(k, &config);
    let mut model = Some(model);
    let mut last = None;
    for (i, range) in chunks.iter().enumerate() {
        let mut stages = Stages::new(progress);
        let batch = pipeline::read_and_split(
            &config,
            &files[range.clone()],
            range.start,
            &mut reader,
            &mut stages,
        );
        let applied = model.take().expect("each chunk hands the model on");
        analyzer.replace_added_stop_phrases(&meta::place_names(&batch.reports));
        let tokens = stages.run("segment", batch.units.len(), |bar| {
            pipeline::segment_units(&analyzer, &batch.units, &applied.segment, &|n| {
                bar.advance(n)
            })
        });
        let chunk = pipeline::apply_prepared(
            applied,
            config.clone(),
            batch.with_tokens(tokens),
            Vec::new(),
            stages,
        )?;
        tables.append(&chunk)?;
        sums.add(&chunk);
        // Only the last chunk is kept (for the summary); the others hand their model on.
        if i + 1 == chunks.len() {
            last = Some(chunk);
        } else {
            model = Some(chunk.model);
        }
    }
    let Some(last) = last else {
        unreachable!("list_inputs gives at least one file, so there is a chunk")
    };
    if sums.counts.units == 0 {
        return Err(Error::EmptyCorpus(format!(
            "{} file(s) read, {} skipped, and no unit found in sections {:?}",
            sums.counts.reports,
            sums.counts.skipped,
            config
                .split
                .sections
                .iter()
                .map(|kind| kind.as_str())
                .collect::<Vec<_>>()
        )));
    }
    let mut written = tables.finish()?;
    warnings.append(&mut sums.warnings);
    let (summary, counts) = sums.finish(last, warnings);
    written.extend(write_summary(&summary, out)?);
    let path = out.join("run.json");
    let run = report::render_run(
        &summary,
        &counts,
        &written,
        started.elapsed().as_secs_f64() - summary_seconds(&summary),
    );
    std::fs::write(&path, run).map_err(|e| Error::io(&path, e))?;
    written.push("run.json".to_string());
    Ok(Streamed {
        summary,
        counts,
        chunks: chunks.len(),
        written,
    })
}

/// The stage seconds of the chunks, added up (the rest of the run's time is writing).
fn summary_seconds(summary: &Analysis) -> f64 {
    summary
        .timings
        .iter()
        .find(|(stage, _)| stage == "total")
        .map_or(0.0, |(_, s)| *s)
}

/// Consecutive ranges of `files` of about `bytes` input bytes each (by the files' sizes; a
/// file that cannot be measured counts as empty and is skipped with its reason when read).
fn chunks_of(files: &[Found], bytes: u64) -> Vec<Range<usize>> {
    let mut chunks = Vec::new();
    let mut start = 0;
    let mut size = 0u64;
    for (i, file) in files.iter().enumerate() {
        size += std::fs::metadata(&file.path).map_or(0, |m| m.len());
        if size >= bytes {
            chunks.push(start..i + 1);
            start = i + 1;
            size = 0;
        }
    }
    if start < files.len() {
        chunks.push(start..files.len());
    }
    chunks
}

/// The tables appended to chunk by chunk.
struct Tables {
    open: Vec<(RowTable, BufWriter<File>)>,
    out: std::path::PathBuf,
}

impl Tables {
    /// Creates the tables in `out` with their headers.
    fn create(out: &Path, config: &ValidConfig) -> Result<Tables> {
        let mut open = Vec::new();
        for table in [RowTable::Measures, RowTable::Reports, RowTable::Copies] {
            let path = out.join(table.name());
            let mut file = BufWriter::new(File::create(&path).map_err(|e| Error::io(&path, e))?);
            table.write_header(config.report.bom, config.report.raw_csv, &mut file)?;
            open.push((table, file));
        }
        Ok(Tables {
            open,
            out: out.to_path_buf(),
        })
    }

    /// Appends the rows of a chunk.
    fn append(&mut self, chunk: &Analysis) -> Result<()> {
        for (table, file) in &mut self.open {
            table.write_rows(chunk, &mut *file)?;
        }
        Ok(())
    }

    /// Flushes the tables; returns their names.
    fn finish(self) -> Result<Vec<String>> {
        let mut names = Vec::new();
        for (table, mut file) in self.open {
            let path = self.out.join(table.name());
            file.flush().map_err(|e| Error::io(&path, e))?;
            names.push(table.name().to_string());
        }
        Ok(names)
    }
}

/// An example unit kept across chunks: one of the nearest to its theme's centre so far.
#[derive(Debug, Clone)]
struct Example {
    unit: Unit,
    placement: Placement,
    concreteness: Concreteness,
    /// The unit's place among all the units read (ties go to the earlier, as in
    /// [`crate::label::nearest`]).
    order: usize,
}

/// What the summary needs of the chunks, added up as they pass.
struct Sums {
    tally: Tally,
    counts: RunCounts,
    sizes: Vec<usize>,
    examples: Vec<Vec<Example>>,
    /// Examples per theme.
    keep: usize,
    /// Units of the chunks before.
    units_before: usize,
    inputs: Vec<ReportSummary>,
    skipped: Vec<Skipped>,
    timings: Vec<(String, f64)>,
    peaks: Vec<(String, f64)>,
    inertia: f64,
    warnings: Vec<String>,
}

impl Sums {
    fn new(k: usize, config: &ValidConfig) -> Sums {
        Sums {
            tally: Tally::new(k, config.report.group_by),
            counts: RunCounts::default(),
            sizes: vec![0; k],
            examples: vec![Vec::new(); k],
            keep: config.label.examples,
            units_before: 0,
            inputs: Vec::new(),
            skipped: Vec::new(),
            timings: Vec::new(),
            peaks: Vec::new(),
            inertia: 0.0,
            warnings: Vec::new(),
        }
    }

    /// Adds a chunk.
    fn add(&mut self, chunk: &Analysis) {
        self.tally
            .add(&chunk.units, &chunk.placements, &chunk.concreteness);
        self.counts.add(&RunCounts::of(chunk));
        for (t, theme) in chunk.themes.iter().enumerate() {
            self.sizes[t] += theme.size;
            let kept = &mut self.examples[t];
            kept.extend(theme.examples.iter().filter_map(|&u| {
                let u = u.index();
                Some(Example {
                    unit: chunk.units[u].clone(),
                    placement: chunk.placements[u]?,
                    concreteness: chunk.concreteness[u].clone(),
                    order: self.units_before + u,
                })
            }));
            kept.sort_by(|a, b| {
                (b.placement.similarity)
                    .total_cmp(&a.placement.similarity)
                    .then(a.order.cmp(&b.order))
            });
            kept.truncate(self.keep);
        }
        self.units_before += chunk.units.len();
        // What run.json lists of each input: its id, file, hash and encoding.
        self.inputs
            .extend(chunk.reports.iter().map(|r| ReportSummary {
                meta: ReportMeta::default(),
                ..r.clone()
            }));
        self.skipped.extend(chunk.skipped.iter().cloned());
        for (stage, seconds) in &chunk.timings {
            match self.timings.iter_mut().find(|(s, _)| s == stage) {
                Some((_, sum)) => *sum += seconds,
                None => self.timings.push((stage.clone(), *seconds)),
            }
        }
        for (stage, peak) in &chunk.peak_memory {
            match self.peaks.iter_mut().find(|(s, _)| s == stage) {
                Some((_, max)) => *max = max.max(*peak),
                None => self.peaks.push((stage.clone(), *peak)),
            }
        }
        self.inertia += chunk.fit.inertia;
        for w in &chunk.warnings {
            if !self.warnings.contains(w) {
                self.warnings.push(w.clone());
            }
        }
    }

    /// The summary analysis, from the last chunk's (its configuration, fit and model), and
    /// the counts over all the chunks.
    fn finish(self, last: Analysis, warnings: Vec<String>) -> (Analysis, RunCounts) {
        let recurrence = self.tally.finish();
        let mut counts = self.counts;
        counts.groups = recurrence.groups.len();
        let mut units = Vec::new();
        let mut placements = Vec::new();
        let mut concreteness = Vec::new();
        let mut themes = last.themes;
        for ((theme, size), examples) in themes.iter_mut().zip(self.sizes).zip(self.examples) {
            theme.size = size;
            theme.examples = examples
                .into_iter()
                .map(|e| {
                    units.push(e.unit);
                    placements.push(Some(e.placement));
                    concreteness.push(e.concreteness);
                    UnitIdx::new(units.len() - 1)
                })
                .collect();
        }
        let mut fit = last.fit;
        fit.inertia = self.inertia;
        let summary = Analysis {
            reports: self.inputs,
            skipped: self.skipped,
            chars: Vec::new(),
            second: vec![None; units.len()],
            units,
            placements,
            themes,
            recurrence,
            copies: Default::default(),
            concreteness,
            stability: None,
            reduced: ndarray::Array2::zeros((0, 0)),
            tokens: None,
            tfidf_matrix: None,
            fit,
            timings: self.timings,
            peak_memory: self.peaks,
            warnings,
            ..last
        };
        (summary, counts)
    }
}

/// Writes the tables of the summary: `themes.csv`, `group_theme.csv`, `concreteness.csv` and
/// the model; returns their names.
fn write_summary(summary: &Analysis, out: &Path) -> Result<Vec<String>> {
    let bom = summary.config.report.bom;
    let mut written = Vec::new();
    let mut table =
        |name: &str, write: &dyn Fn(&mut BufWriter<File>) -> Result<()>| -> Result<()> {
            report::write_table(out, name, write)?;
            written.push(name.to_string());
            Ok(())
        };
    table("themes.csv", &|w| report::write_themes_csv(summary, bom, w))?;
    table("group_theme.csv", &|w| {
        report::write_group_theme(summary, bom, w)
    })?;
    table("concreteness.csv", &|w| {
        report::write_concreteness(summary, bom, w)
    })?;
    summary.model.save(&out.join("model"))?;
    written.push("model/".to_string());
    Ok(written)
}
