//! A corpus larger than memory, a chunk of input files at a time.
//!
//! - `apply --stream` ([`apply`]) reads, splits, segments, projects and assigns one chunk,
//!   appends its rows to `measures.csv`, `reports.csv` and `copies.csv`, and drops it before
//!   reading the next. What the summary tables need of the units is added up as the chunks
//!   pass: the group × theme counts ([`Tally`]), the theme sizes and the examples nearest
//!   each centre.
//! - `run --stream` ([`run`]) makes two passes. The first reads, splits and segments each chunk,
//!   counts its terms ([`TermCounts`]: the vocabulary and idf are the whole corpus's) and keeps
//!   an even sample of the units (bottom-k by a hash of the unit id and the seed, so the sample
//!   does not depend on the chunks). The themes are fitted on the sample, whose own outputs go
//!   to `sample/`; the second pass places every chunk on them as `apply --stream` does.
//!
//! Memory is bounded by the chunk and the sample, not the corpus. Measured peaks: laws (58 MB,
//! 280,021 units) by `apply --stream` 0.50 GB in one chunk, 0.18 GB in chunks of 8 MB; laws
//! ×20 (1.2 GB, 4.8 million units) by `run --stream` 0.8 GiB with the defaults (64 MB chunks,
//! a 200,000-unit sample). What grows with the corpus is its count of files, terms and groups,
//! not its text: each report's hash and path (about 0.2 KB a file, for duplicates and
//! `run.json`), each distinct term's counts, and a row of theme counts per group.
//!
//! A chunk is placed as `apply` places a corpus, with two differences: its reports lend their
//! place names to the stop phrases of that chunk only (`apply` lends those of all its
//! reports), and copied text is found between units of the same chunk only. A chunk that holds
//! the whole corpus gives the tables `apply` gives.

use crate::analysis::Analysis;
use crate::cluster::Placement;
use crate::concrete::Concreteness;
use crate::config::{ReportParams, ValidConfig};
use crate::corpus::{ReportMeta, ReportSummary, Skipped, Unit, UnitIdx};
use crate::error::{ConfigError, Error, Result};
use crate::fitted::FittedModel;
use crate::meta::{self, Manifest};
use crate::pipeline::{self, RunInput};
use crate::read::{self, Found};
use crate::recurrence::Tally;
use crate::report::{self, RowTable, RunCounts};
use crate::runtime::{Progress, Stages};
use crate::segment::Analyzer;
use crate::segment::TokenizedCorpus;
use crate::split::CharCounts;
use crate::tfidf::TermCounts;
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

/// How a corpus is streamed: the input bytes read at a time, and (`run --stream`) the units the
/// themes are fitted on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StreamParams {
    /// Megabytes of input files per chunk (a chunk holds at least one file).
    pub chunk_mb: f64,
    /// The most units `run --stream` fits the themes on: a sample drawn evenly from the whole
    /// corpus (all of them when there are no more).
    pub sample_units: usize,
}

impl StreamParams {
    /// The default chunk: 64 MB of input, about 0.5 GB of memory at its peak.
    pub const DEFAULT_CHUNK_MB: f64 = 64.0;
    /// The default sample: 200,000 units, about as many as laws by paragraph (a fit of 0.4 GB).
    pub const DEFAULT_SAMPLE_UNITS: usize = 200_000;

    /// Checks the chunk size (a positive number of megabytes) and the sample (at least one
    /// unit).
    pub fn validate(self) -> Result<StreamParams> {
        if !(self.chunk_mb.is_finite() && self.chunk_mb > 0.0) {
            return Err(ConfigError::OutOfRange {
                key: "--chunk-mb",
                rule: "must be a number of megabytes > 0",
                got: self.chunk_mb.to_string(),
            }
            .into());
        }
        if self.sample_units == 0 {
            return Err(ConfigError::OutOfRange {
                key: "--sample-units",
                rule: "must be >= 1",
                got: "0".into(),
            }
            .into());
        }
        Ok(self)
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
            sample_units: StreamParams::DEFAULT_SAMPLE_UNITS,
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
    let config = placing_config(&model, report, strict)?;
    let (inputs, warnings) = Inputs::list(input, params)?;
    let placed = place(model, &config, &inputs, out, progress)?;
    placed.write(out, warnings, Vec::new(), started)
}

/// The configuration chunks are placed with: `apply`'s ([`pipeline::applied_config`]), without
/// the workbook (one of all the units would not fit in a sheet; `run --stream` writes the
/// sample's).
fn placing_config(model: &FittedModel, report: ReportParams, strict: bool) -> Result<ValidConfig> {
    let report = ReportParams {
        xlsx: false,
        ..report
    };
    pipeline::applied_config(model, report, strict)
}

/// Runs the whole pipeline on a corpus larger than memory, in two passes over its chunks.
/// The first reads, splits and segments each chunk, counts its terms (the vocabulary and idf
/// are those of the whole corpus) and keeps an even sample of at most `sample_units` units
/// (by a hash of their ids and the seed, whatever the chunks); the themes are fitted on the
/// sample, whose own outputs (page, charts, workbook…) go to `out/sample`. The second pass
/// places every chunk on the fitted themes as [`apply`] does, writing the tables of all the
/// units into `out`.
pub fn run(
    config: ValidConfig,
    input: &RunInput,
    params: StreamParams,
    out: &Path,
    progress: &dyn Progress,
) -> Result<Streamed> {
    let started = std::time::Instant::now();
    let params = params.validate()?;
    if config.run.dump {
        return Err(ConfigError::OutOfRange {
            key: "--dump",
            rule: "cannot be used with --stream (the dump holds every unit's tokens and rows)",
            got: "on".into(),
        }
        .into());
    }
    let (inputs, warnings) = Inputs::list(input, params)?;
    let codebook = pipeline::codebook_of(&config)?;
    let counted = count(&config, &inputs, params.sample_units, &codebook, progress)?;
    let sampled = counted.sample.units.len();
    let note = format!(
        "run --stream: the themes were fitted on a sample of {sampled} of the {} units, the \
         vocabulary and idf counted over all of them; every unit was then placed on the themes \
         a chunk at a time ({} chunk(s) of {} MB of input)",
        counted.units,
        inputs.chunks.len(),
        params.chunk_mb
    );
    let counting = std::time::Instant::now();
    let vocabulary = counted.terms.model(&config.tfidf)?;
    let mut stages = Stages::new(progress);
    let prepared = counted.into_prepared(warnings.clone(), &mut stages);
    let vocabulary_seconds = counting.elapsed().as_secs_f64();
    let mut fitted = pipeline::fit_prepared(
        config.clone(),
        prepared,
        &codebook,
        &input.names,
        Some(vocabulary),
        stages,
    )?;
    fitted.warnings.insert(0, format!("{note}; this folder shows the sample, and its parent folder has the tables of all the units"));
    let writing = std::time::Instant::now();
    report::write_all(&fitted, &out.join("sample"))?;
    // The fit's stages (the first pass's added up over the chunks) and the sample's outputs.
    let fit_seconds: Vec<(String, f64)> = fitted
        .timings
        .iter()
        .filter(|(stage, _)| stage != "total")
        .cloned()
        .chain([
            ("vocabulary".to_string(), vocabulary_seconds),
            ("write".to_string(), writing.elapsed().as_secs_f64()),
        ])
        .map(|(stage, seconds)| (format!("fit.{stage}"), seconds))
        .collect();
    // The sample's analysis is dropped before the second pass; its model and fit are kept.
    let Analysis {
        model,
        fit,
        source,
        stability,
        warnings: fit_warnings,
        ..
    } = fitted;
    let fitted = SampleFit {
        fit,
        source,
        stability,
        warnings: fit_warnings,
    };
    let applied = placing_config(&model, (*config.report).clone(), config.run.strict)?;
    let placed = place(model, &applied, &inputs, out, progress)?;
    let mut streamed = placed.write_fitted(out, warnings, note, fitted, fit_seconds, started)?;
    streamed.written.push("sample/".to_string());
    Ok(streamed)
}

/// What the summary of [`run`] tells of the fit on the sample, kept once the sample's own
/// analysis is written and dropped.
struct SampleFit {
    fit: crate::analysis::FitSummary,
    source: crate::analysis::ThemeSource,
    stability: Option<crate::stability::Stability>,
    warnings: Vec<String>,
}

/// What the first pass of [`run`] found: the terms of every unit and a sample of the units.
struct Counted {
    terms: TermCounts,
    sample: Sample,
    /// The place names of every report.
    place_names: std::collections::BTreeSet<String>,
    /// The entries of the codebook, cut as the units are.
    codebook_tokens: TokenizedCorpus,
    /// Units read.
    units: usize,
}

/// The first pass of [`run`]: reads, splits and segments every chunk, counting its terms and
/// sampling its units.
fn count(
    config: &ValidConfig,
    inputs: &Inputs<'_>,
    sample_units: usize,
    codebook: &crate::codebook::Codebook,
    progress: &dyn Progress,
) -> Result<Counted> {
    let (analyzer, ()) = rayon::join(|| Analyzer::new(&config.segment), meta::load_gazetteer);
    let mut analyzer = analyzer?;
    let mut reader = read::Reader::new(inputs.files.len(), &config.read, inputs.manifest);
    let mut terms = TermCounts::default();
    let mut sample = Sample::new(sample_units, config.run.seed);
    let mut place_names = std::collections::BTreeSet::new();
    let mut counts = RunCounts::default();
    for c in 0..inputs.chunks.len() {
        let mut stages = Stages::new(progress);
        let batch = inputs.read(c, config, &mut reader, &mut stages);
        let names = meta::place_names(&batch.reports);
        analyzer.replace_added_stop_phrases(&names);
        place_names.extend(names);
        let tokens = stages.run("segment", batch.units.len(), |bar| {
            pipeline::segment_units(&analyzer, &batch.units, &config.segment, &|n| {
                bar.advance(n)
            })
        });
        let ids = terms.add(&tokens);
        counts.reports += batch.reports.len();
        counts.skipped += batch.skipped.len();
        counts.units += batch.units.len();
        // The chunks' stages are added up; their totals are the whole run's.
        let (mut timings, _) = stages.finish();
        timings.retain(|(stage, _)| stage != "total");
        sample.offer(batch, &tokens, &ids, timings);
    }
    Inputs::check_units(&counts, config)?;
    let all: Vec<String> = place_names.iter().cloned().collect();
    analyzer.replace_added_stop_phrases(&all);
    let codebook_tokens = crate::segment::segment(&analyzer, &codebook.texts());
    Ok(Counted {
        terms,
        sample,
        place_names,
        codebook_tokens,
        units: counts.units,
    })
}

impl Counted {
    /// The sample as a prepared corpus: its units in corpus order, with their reports and
    /// tokens. The first pass's stage times are added to `stages`.
    fn into_prepared(self, warnings: Vec<String>, stages: &mut Stages<'_>) -> pipeline::Prepared {
        let Counted {
            terms,
            sample,
            place_names,
            codebook_tokens,
            ..
        } = self;
        stages.record(&sample.timings);
        let mut kept = sample.units.into_vec();
        kept.sort_unstable_by_key(|s| s.order);
        // The reports of the sampled units, in corpus order, and each unit's place among them.
        let mut reports = Vec::new();
        let mut chars = Vec::new();
        let mut units = Vec::with_capacity(kept.len());
        let mut docs = Vec::with_capacity(kept.len());
        let mut report_of: BTreeMap<usize, usize> = BTreeMap::new();
        for s in kept {
            let Sampled {
                mut unit,
                report,
                tokens,
                inner,
                ..
            } = s;
            let at = *report_of.entry(report.order).or_insert_with(|| {
                reports.push(report.summary.clone());
                chars.push(report.chars);
                reports.len() - 1
            });
            unit.report = at;
            units.push(unit);
            docs.push(
                tokens
                    .iter()
                    .zip(&inner)
                    .map(|(&t, &i)| (terms.term(t), i))
                    .collect::<Vec<_>>(),
            );
        }
        let tokens = TokenizedCorpus::from_marked_docs(&docs);
        pipeline::Prepared {
            warnings,
            corpus: pipeline::Corpus {
                reports,
                skipped: Vec::new(),
                chars,
                units,
                tokens,
            },
            extra_tokens: codebook_tokens,
            place_names: place_names.into_iter().collect(),
        }
    }
}

/// A report some sampled unit belongs to.
#[derive(Debug)]
struct SampledReport {
    /// Its place among all the reports read.
    order: usize,
    summary: ReportSummary,
    chars: CharCounts,
}

/// A sampled unit with its tokens (ids of the [`TermCounts`]).
#[derive(Debug)]
struct Sampled {
    /// The sampling key: the hash of the unit's id and the seed.
    key: u64,
    /// The unit's place among all the units read.
    order: usize,
    unit: Unit,
    report: std::sync::Arc<SampledReport>,
    tokens: Vec<u32>,
    inner: Vec<bool>,
}

impl PartialEq for Sampled {
    fn eq(&self, other: &Sampled) -> bool {
        (self.key, self.order) == (other.key, other.order)
    }
}

impl Eq for Sampled {}

impl PartialOrd for Sampled {
    fn partial_cmp(&self, other: &Sampled) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Sampled {
    fn cmp(&self, other: &Sampled) -> std::cmp::Ordering {
        (self.key, self.order).cmp(&(other.key, other.order))
    }
}

/// The units of least key: a sample of the corpus that does not depend on how it is chunked
/// (bottom-k sampling by a hash of each unit's id and the seed).
struct Sample {
    size: usize,
    seed: u64,
    /// The kept units, the greatest key on top.
    units: std::collections::BinaryHeap<Sampled>,
    units_before: usize,
    reports_before: usize,
    /// The first pass's seconds per stage, added up over the chunks.
    timings: Vec<(String, f64)>,
}

impl Sample {
    fn new(size: usize, seed: u64) -> Sample {
        Sample {
            size,
            seed,
            units: std::collections::BinaryHeap::with_capacity(size + 1),
            units_before: 0,
            reports_before: 0,
            timings: Vec::new(),
        }
    }

    /// The sampling key of a unit id.
    fn key(&self, id: &str) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = rustc_hash::FxHasher::default();
        self.seed.hash(&mut h);
        id.hash(&mut h);
        h.finish()
    }

    /// Offers the units of a chunk (with `tokens`, their ids mapped by `ids` to the term
    /// counts'), keeping those of least key; `timings` are the chunk's stage times.
    fn offer(
        &mut self,
        batch: pipeline::SplitBatch,
        tokens: &TokenizedCorpus,
        ids: &[u32],
        timings: Vec<(String, f64)>,
    ) {
        add_timings(&mut self.timings, &timings);
        let reports: Vec<std::sync::Arc<SampledReport>> = batch
            .reports
            .into_iter()
            .zip(batch.chars)
            .enumerate()
            .map(|(i, (summary, chars))| {
                std::sync::Arc::new(SampledReport {
                    order: self.reports_before + i,
                    summary,
                    chars,
                })
            })
            .collect();
        for (u, unit) in batch.units.into_iter().enumerate() {
            let key = self.key(&unit.id);
            if self.units.len() == self.size && self.units.peek().is_some_and(|top| top.key <= key)
            {
                continue;
            }
            self.units.push(Sampled {
                key,
                order: self.units_before + u,
                report: std::sync::Arc::clone(&reports[unit.report]),
                tokens: tokens.doc(u).iter().map(|&t| ids[t as usize]).collect(),
                inner: tokens.doc_inner(u).collect(),
                unit,
            });
            if self.units.len() > self.size {
                self.units.pop();
            }
        }
        self.units_before += tokens.len();
        self.reports_before += reports.len();
    }
}

/// Adds `more` seconds per stage to `sums`, stage by stage.
fn add_timings(sums: &mut Vec<(String, f64)>, more: &[(String, f64)]) {
    for (stage, seconds) in more {
        match sums.iter_mut().find(|(s, _)| s == stage) {
            Some((_, sum)) => *sum += seconds,
            None => sums.push((stage.clone(), *seconds)),
        }
    }
}

/// The input files of a streamed run and their chunks.
struct Inputs<'a> {
    files: Vec<Found>,
    chunks: Vec<Range<usize>>,
    manifest: &'a Manifest,
}

impl Inputs<'_> {
    /// The files of `input` in chunks of `params.chunk_mb`, with what the listing found worth
    /// saying.
    fn list(input: &RunInput, params: StreamParams) -> Result<(Inputs<'_>, Vec<String>)> {
        let (files, warnings) = pipeline::list_inputs(input)?;
        let chunks = chunks_of(&files, params.chunk_bytes());
        let inputs = Inputs {
            files,
            chunks,
            manifest: &input.manifest,
        };
        Ok((inputs, warnings))
    }

    /// Reads and splits chunk `c` (the first stages of `stages`).
    fn read(
        &self,
        c: usize,
        config: &ValidConfig,
        reader: &mut read::Reader<'_>,
        stages: &mut Stages<'_>,
    ) -> pipeline::SplitBatch {
        let range = self.chunks[c].clone();
        pipeline::read_and_split(
            config,
            &self.files[range.clone()],
            range.start,
            reader,
            stages,
        )
    }

    /// An error for a corpus without units, or nothing.
    fn check_units(counts: &RunCounts, config: &ValidConfig) -> Result<()> {
        if counts.units > 0 {
            return Ok(());
        }
        Err(pipeline::no_units(counts.reports, counts.skipped, config))
    }
}

/// The chunks placed and their rows written: what is left to write is the summary.
struct Placed {
    tables: Tables,
    sums: Sums,
    last: Analysis,
    chunks: usize,
}

/// Places every chunk of `inputs` on the themes of `model` (with `config`), appending their
/// rows to the tables in `out`.
fn place(
    model: FittedModel,
    config: &ValidConfig,
    inputs: &Inputs<'_>,
    out: &Path,
    progress: &dyn Progress,
) -> Result<Placed> {
    let (analyzer, ()) = rayon::join(|| Analyzer::new(&model.segment), meta::load_gazetteer);
    let mut analyzer = analyzer?;
    let mut reader = read::Reader::new(inputs.files.len(), &config.read, inputs.manifest);
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    let mut tables = Tables::create(out, config)?;
    let mut sums = Sums::new(model.labels.len(), config);
    let mut model = Some(model);
    let mut last = None;
    for c in 0..inputs.chunks.len() {
        let mut stages = Stages::new(progress);
        let batch = inputs.read(c, config, &mut reader, &mut stages);
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
        let rows = std::time::Instant::now();
        tables.append(&chunk)?;
        sums.add(&chunk);
        add_timings(
            &mut sums.timings,
            &[("rows".to_string(), rows.elapsed().as_secs_f64())],
        );
        // Only the last chunk is kept (for the summary); the others hand their model on.
        if c + 1 == inputs.chunks.len() {
            last = Some(chunk);
        } else {
            model = Some(chunk.model);
        }
    }
    let Some(last) = last else {
        unreachable!("list_inputs gives at least one file, so there is a chunk")
    };
    Inputs::check_units(&sums.counts, config)?;
    Ok(Placed {
        tables,
        sums,
        last,
        chunks: inputs.chunks.len(),
    })
}

impl Placed {
    /// As [`Self::write`], for [`run`]: the summary says the themes were fitted (on the sample
    /// `fitted`, whose fit it gives), and `note` says how.
    fn write_fitted(
        mut self,
        out: &Path,
        mut warnings: Vec<String>,
        note: String,
        fitted: SampleFit,
        fit_seconds: Vec<(String, f64)>,
        started: std::time::Instant,
    ) -> Result<Streamed> {
        warnings.insert(0, note);
        // The fit's own warnings (its first is the note), as about the sample.
        warnings.extend(
            fitted
                .warnings
                .into_iter()
                .skip(1)
                .map(|w| format!("in the sample: {w}")),
        );
        self.last.fit = fitted.fit;
        self.last.source = fitted.source;
        self.last.stability = fitted.stability;
        self.write(out, warnings, fit_seconds, started)
    }

    /// Writes the summary tables and `run.json` (with `warnings` before the chunks' own) into
    /// `out`, where the rows are.
    fn write(
        self,
        out: &Path,
        mut warnings: Vec<String>,
        before: Vec<(String, f64)>,
        started: std::time::Instant,
    ) -> Result<Streamed> {
        let writing = std::time::Instant::now();
        let Placed {
            tables,
            mut sums,
            last,
            chunks,
        } = self;
        let mut written = tables.finish()?;
        warnings.append(&mut sums.warnings);
        let (mut summary, counts) = sums.finish(last, warnings);
        // The stages of the run before the chunks were placed (`run --stream`'s fit), then the
        // chunks' added up, then the whole run's time up to the writing of the summary.
        summary.timings.retain(|(stage, _)| stage != "total");
        summary.timings.splice(0..0, before);
        summary.timings.push((
            "total".to_string(),
            writing.duration_since(started).as_secs_f64(),
        ));
        written.extend(write_summary(&summary, out)?);
        let path = out.join("run.json");
        let run = report::render_run(&summary, &counts, &written, writing.elapsed().as_secs_f64());
        std::fs::write(&path, run).map_err(|e| Error::io(&path, e))?;
        written.push("run.json".to_string());
        Ok(Streamed {
            summary,
            counts,
            chunks,
            written,
        })
    }
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
    /// LSH buckets capped, over the chunks.
    capped_buckets: usize,
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
            capped_buckets: 0,
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
        add_timings(&mut self.timings, &chunk.timings);
        for (stage, peak) in &chunk.peak_memory {
            match self.peaks.iter_mut().find(|(s, _)| s == stage) {
                Some((_, max)) => *max = max.max(*peak),
                None => self.peaks.push((stage.clone(), *peak)),
            }
        }
        self.inertia += chunk.fit.inertia;
        // The warnings that count units or buckets are said once for all the chunks
        // ([`Self::finish`]); the others once each.
        let counted = [
            pipeline::unassigned_warning(chunk.unassigned(), chunk.config.cluster.min_known_terms),
            pipeline::copy_cap_warning(chunk.copies.capped_buckets, &chunk.config),
        ];
        self.capped_buckets += chunk.copies.capped_buckets;
        for w in &chunk.warnings {
            if !counted.contains(w) && !self.warnings.contains(w) {
                self.warnings.push(w.clone());
            }
        }
    }

    /// The summary analysis, from the last chunk's (its configuration, fit and model), and
    /// the counts over all the chunks.
    fn finish(self, last: Analysis, mut warnings: Vec<String>) -> (Analysis, RunCounts) {
        let recurrence = self.tally.finish();
        let mut counts = self.counts;
        counts.groups = recurrence.groups.len();
        if counts.unassigned > 0 {
            warnings.push(pipeline::unassigned_warning(
                counts.unassigned,
                last.config.cluster.min_known_terms,
            ));
        }
        if self.capped_buckets > 0 {
            warnings.push(pipeline::copy_cap_warning(
                self.capped_buckets,
                &last.config,
            ));
        }
        let mut units = Vec::new();
        let mut placements = Vec::new();
        let mut concreteness = Vec::new();
        let mut themes = Arc::unwrap_or_clone(last.themes);
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
            reports: Arc::new(self.inputs),
            skipped: self.skipped,
            chars: Vec::new(),
            second: Arc::new(vec![None; units.len()]),
            units: Arc::new(units),
            placements: Arc::new(placements),
            themes: Arc::new(themes),
            recurrence,
            copies: Default::default(),
            concreteness: Arc::new(concreteness),
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
