//! The order of the stages: read → split → segment → TF-IDF → LSA → k-means → labels →
//! recurrence, giving one [`Analysis`] that every writer takes. Only this module knows the order.

use crate::analysis::{Analysis, FitMethod, FitSummary, KChoiceMade, MAP_DIMS, ThemeSource};
use crate::cluster::{self, KScore, KeptRows, Placement};
use crate::codebook::{self, Codebook};
use crate::concrete::{self, Concreteness};
use crate::config::{ReportParams, RunParams, SegmentParams, ValidConfig};
use crate::copies;
use crate::corpus::{Report, ReportSummary, Skipped, ThemeId, Unit, UnitIdx};
use crate::error::{Error, Result};
use crate::fitted::FittedModel;
use crate::label::{self, Theme, ThemeNames};
use crate::meta::{self, Manifest};
use crate::read;
use crate::recurrence;
use crate::reduce;
use crate::report::{self, MeasureData, PendingWorkbook};
use crate::runtime::{self, Progress, Stages};
use crate::segment::{self, Analyzer, TokenizedCorpus};
use crate::split::{self, CharCounts};
use crate::stability::{self, Stability};
use crate::tfidf::{self, TfidfMatrix};
use ndarray::Array2;
use rayon::prelude::*;
use std::path::PathBuf;
use std::sync::Arc;

/// Inputs of a run besides the configuration.
#[derive(Debug, Clone, Default)]
pub struct RunInput {
    /// Files and folders to read.
    pub paths: Vec<PathBuf>,
    /// Metadata overrides.
    pub manifest: Manifest,
    /// Analyst names for themes.
    pub names: ThemeNames,
}

/// Read, split and segment: the stages `run` and `apply` share.
pub(crate) struct Prepared {
    /// What the reading found worth saying (the manifest's rows that match nothing…).
    pub warnings: Vec<String>,
    /// The reports, their units and tokens.
    pub corpus: Corpus,
    /// The extra texts given to [`prepare`] (a codebook's entries), cut the same way.
    pub extra_tokens: TokenizedCorpus,
    /// The corpus's place names, added to the stop phrases.
    pub place_names: Vec<String>,
}

/// Reads, splits and segments the input, cutting with `segment`'s lists and the corpus's place
/// names as stop phrases (a township's name is not a theme). jieba's dictionary loads on its own
/// thread while the files are read and split.
pub(crate) fn prepare(
    config: &ValidConfig,
    input: &RunInput,
    stages: &mut Stages<'_>,
    segment: &SegmentParams,
    extra: &[String],
) -> Result<Prepared> {
    std::thread::scope(|scope| {
        // The gazetteer is built while the files are listed and opened, not by the first report.
        scope.spawn(meta::load_gazetteer);
        let loading = scope.spawn(|| Analyzer::new(segment));
        prepare_with(config, input, stages, segment, extra, || {
            loading
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        })
    })
}

/// [`prepare`], with `analyzer` waiting for the segmenter once the texts are split.
fn prepare_with(
    config: &ValidConfig,
    input: &RunInput,
    stages: &mut Stages<'_>,
    segment: &SegmentParams,
    extra: &[String],
    analyzer: impl FnOnce() -> Result<Analyzer>,
) -> Result<Prepared> {
    let (files, warnings) = list_inputs(input)?;
    let mut reader = read::Reader::new(files.len(), &config.read, &input.manifest);
    let split = read_and_split(config, &files, 0, &mut reader, stages);
    if split.units.is_empty() {
        return Err(no_units(split.reports.len(), split.skipped.len(), config));
    }
    let place_names = meta::place_names(&split.reports);
    let (tokens, extra_tokens) = stages.run("segment", split.units.len(), |bar| -> Result<_> {
        let mut analyzer = analyzer()?;
        analyzer.add_stop_phrases(&place_names);
        let tokens = segment_units(&analyzer, &split.units, segment, &|n| bar.advance(n));
        let extra_tokens = segment::segment_with_progress(&analyzer, extra, &|_| {});
        Ok((tokens, extra_tokens))
    })?;
    Ok(Prepared {
        warnings,
        corpus: split.with_tokens(tokens),
        extra_tokens,
        place_names,
    })
}

/// The error of a corpus of `reports` reports read and `skipped` skipped that holds no unit.
pub(crate) fn no_units(reports: usize, skipped: usize, config: &ValidConfig) -> Error {
    Error::EmptyCorpus(format!(
        "{reports} file(s) read, {skipped} skipped, and no unit found in sections {:?}",
        config
            .split
            .sections
            .iter()
            .map(|k| k.as_str())
            .collect::<Vec<_>>()
    ))
}

/// The files a run reads, with what the listing found worth saying (the manifest's rows that
/// match nothing…); an error when there are none.
pub(crate) fn list_inputs(input: &RunInput) -> Result<(Vec<read::Found>, Vec<String>)> {
    let mut warnings = Vec::new();
    let mut files = read::list_files(&input.paths)?;
    if let Some(at) = files
        .iter()
        .position(|f| input.manifest.is_own_file(&f.path))
    {
        let own = files.remove(at);
        warnings.push(format!(
            "{} is the --manifest: not read as a report",
            crate::error::escaped(&own.path.display().to_string())
        ));
    }
    let paths: Vec<std::path::PathBuf> = files.iter().map(|f| f.path.clone()).collect();
    let unmatched = input.manifest.unmatched(&paths);
    if !unmatched.is_empty() {
        warnings.push(format!(
            "{} manifest row(s) match no input file: {}",
            unmatched.len(),
            unmatched.join(", ")
        ));
    }
    if files.is_empty() {
        return Err(Error::EmptyCorpus(format!(
            "no .txt/.md/.html/.jsonl/.csv files under {}",
            input
                .paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    Ok((files, warnings))
}

/// A batch of reports read and split, before segmentation.
pub(crate) struct SplitBatch {
    /// The reports, without their text.
    pub reports: Vec<ReportSummary>,
    /// The files skipped.
    pub skipped: Vec<Skipped>,
    /// Each report's characters by role.
    pub chars: Vec<CharCounts>,
    /// The units of the sections kept, in report and text order.
    pub units: Vec<Unit>,
}

impl SplitBatch {
    /// The batch with its units' tokens: a corpus.
    pub fn with_tokens(self, tokens: TokenizedCorpus) -> Corpus {
        Corpus {
            reports: self.reports,
            skipped: self.skipped,
            chars: self.chars,
            units: self.units,
            tokens,
        }
    }
}

/// Reads and splits `files`, the inputs from position `first` on, keeping the units of the
/// sections `split.sections` names.
pub(crate) fn read_and_split(
    config: &ValidConfig,
    files: &[read::Found],
    first: usize,
    reader: &mut read::Reader<'_>,
    stages: &mut Stages<'_>,
) -> SplitBatch {
    let read = stages.run("read", files.len(), |bar| {
        reader.read(files, first, &|| bar.advance(1))
    });
    for s in &read.skipped {
        stages.progress().skipped(s);
    }
    // Each report is split and its characters counted by role in one task, while its text is
    // in cache: past this point only the counts of the text and blocks are read.
    let (chars, mut unit_lists): (Vec<CharCounts>, Vec<Vec<Unit>>) = stages.run("split", 0, |_| {
        read.reports
            .par_iter()
            .enumerate()
            .map(|(i, r)| {
                let split = split::split_report(r, i, &config.split);
                (CharCounts::of_split(&split, &r.text), split.units)
            })
            .unzip()
    });
    unit_lists
        .par_iter_mut()
        .for_each(|list| list.retain(|u| config.split.sections.contains(&u.section_kind)));
    let units = crate::parallel::concat(unit_lists);
    let reports: Vec<ReportSummary> = read.reports.into_iter().map(Report::into_summary).collect();
    runtime::release_free_memory();
    SplitBatch {
        reports,
        skipped: read.skipped,
        chars,
        units,
    }
}

/// The tokens of `units`, cut by `analyzer` from their weighted texts ([`weighted_text`]);
/// `advance(n)` after each `n` units.
pub(crate) fn segment_units(
    analyzer: &Analyzer,
    units: &[Unit],
    segment: &SegmentParams,
    advance: &(dyn Fn(usize) + Sync),
) -> TokenizedCorpus {
    let texts: Vec<std::borrow::Cow<str>> = units
        .par_iter()
        .map(|u| weighted_text(u, segment))
        .collect();
    let texts: Vec<&str> = texts.iter().map(|t| t.as_ref()).collect();
    segment::segment_with_progress(analyzer, &texts, advance)
}

/// What is cut for a unit: its text, with its heading and its section's heading repeated as
/// `segment` weighs them (the text itself when both weights are 0 or the headings are empty).
fn weighted_text<'u>(unit: &'u Unit, segment: &SegmentParams) -> std::borrow::Cow<'u, str> {
    let heading = unit.heading.trim();
    let section = unit.section_heading.trim();
    let extra = (!heading.is_empty()) as usize * segment.heading_weight
        + (!section.is_empty()) as usize * segment.section_heading_weight;
    if extra == 0 {
        return std::borrow::Cow::Borrowed(&unit.text);
    }
    let mut text = String::with_capacity(unit.text.len() + extra * (heading.len() + 1));
    text.push_str(&unit.text);
    for (part, times) in [
        (section, segment.section_heading_weight),
        (heading, segment.heading_weight),
    ] {
        if !part.is_empty() {
            for _ in 0..times {
                text.push('\n');
                text.push_str(part);
            }
        }
    }
    std::borrow::Cow::Owned(text)
}

/// The concreteness of every unit, as a stage of its own ([`concrete::measure`], with the stop
/// phrases and lexicon of `segment`).
fn concreteness(
    units: &[Unit],
    segment: &SegmentParams,
    stages: &mut Stages<'_>,
) -> Result<Vec<Concreteness>> {
    // Freed memory of the stages before (tokens, the reduced rows but two) handed back, so that
    // the copies' signatures do not rise on top of it: laws by paragraph, 476 → 462 MiB peak.
    runtime::release_free_memory();
    let lists = segment::resolve_lists(segment)?;
    let phrases = concrete::Phrases::new(&lists.stop_phrases, &lists.lexicon);
    Ok(stages.run("concrete", 0, |_| concrete::measure(units, &phrases)))
}

/// Runs the whole pipeline and fits the themes, telling `progress` where it is.
pub fn run(config: ValidConfig, input: &RunInput, progress: &dyn Progress) -> Result<Analysis> {
    let mut stages = Stages::new(progress);
    let codebook = codebook_of(&config)?;
    let prepared = prepare(
        &config,
        input,
        &mut stages,
        &config.segment,
        &codebook.texts(),
    )?;
    fit_prepared(config, prepared, &codebook, &input.names, None, stages)
}

/// The codebook in force: the analyst's, or the built-in 纲要.
pub(crate) fn codebook_of(config: &ValidConfig) -> Result<Codebook> {
    match &config.cluster.codebook {
        Some(arg) => Codebook::from_arg(arg),
        None => Ok(Codebook::gangyao()),
    }
}

/// [`run`] past segmentation: fits the themes of the corpus `prepared` (its extra texts the
/// entries of `codebook`), named by `names`; the vocabulary and idf are fitted on the corpus,
/// or are `vocabulary` when given (`run --stream` counts them over more units than it fits on).
pub(crate) fn fit_prepared(
    config: ValidConfig,
    prepared: Prepared,
    codebook: &Codebook,
    names: &ThemeNames,
    vocabulary: Option<tfidf::TfidfModel>,
    mut stages: Stages<'_>,
) -> Result<Analysis> {
    let guided = config.cluster.codebook.is_some();
    let Prepared {
        mut warnings,
        corpus,
        extra_tokens: codebook_tokens,
        place_names,
    } = prepared;
    let Corpus { tokens, .. } = &corpus;
    let mut segment_params = (*config.segment).clone();
    segment_params.stop_phrases.extend(place_names);
    let tfidf::Tfidf {
        model: tfidf_model,
        matrix,
        columns,
    } = stages.run("tfidf", 0, |_| match vocabulary {
        Some(model) => {
            let columns = tfidf::columns_for(tokens, &model);
            let matrix = tfidf::weight_rows(tokens, &columns, &model);
            Ok(tfidf::Tfidf {
                model,
                matrix,
                columns,
            })
        }
        None => tfidf::fit_transform(tokens, &config.tfidf),
    })?;
    let (lsa, mut reduced) = stages.run("reduce", 0, |_| {
        reduce::fit(&matrix, &config.reduce, config.seeds().svd())
    })?;
    let tfidf_matrix = config.run.dump.then_some(matrix);
    if lsa.dims < config.reduce.dims {
        warnings.push(format!(
            "reduce.dims = {} clamped to {} by the size of the data",
            config.reduce.dims, lsa.dims
        ));
    }
    let kept = units_with_terms(
        tokens,
        &columns,
        config.cluster.min_known_terms,
        &mut warnings,
    );
    // The codebook's entries, weighted and projected as units are.
    let projected = {
        let columns = tfidf::columns_for(&codebook_tokens, &tfidf_model);
        let matrix = tfidf::weight_rows(&codebook_tokens, &columns, &tfidf_model);
        codebook::Projected::new(lsa.transform(&matrix))
    };
    let (clustering, guides, second_kept) = stages.run("cluster", 0, |bar| {
        kept.with_rows(&mut reduced, |x| -> Result<_> {
            let k_for_support = match config.cluster.k {
                crate::config::KChoice::Fixed(k) => k,
                crate::config::KChoice::Auto => config.cluster.k_range.min,
            };
            let guides = guided.then(|| {
                let min_units = (config.cluster.codebook_min_support * x.nrows() as f64
                    / k_for_support.max(1) as f64)
                    .ceil() as usize;
                let kept = projected.supported(x, config.cluster.codebook_min_cosine, min_units);
                projected.rows.select(ndarray::Axis(0), &kept)
            });
            let clustering = cluster::cluster_with_progress(
                x,
                &config.cluster,
                config.seeds(),
                guides.as_ref().map(|g| g.view()),
                &|i, n| bar.message(&format!("k {i}/{n}")),
            )?;
            let second = clustering.themes.second_nearest(x, &clustering.assignments);
            Ok((clustering, guides, second))
        })
    })?;
    if let Some(g) = &guides {
        let unsupported = codebook.entries.len() - g.nrows();
        if unsupported > 0 {
            warnings.push(format!(
                "{unsupported} of the {} codebook entries have too little support in this corpus: free themes take their place",
                codebook.entries.len()
            ));
        }
    }
    warnings.extend(scan_warnings(
        &clustering.scan,
        clustering.k,
        &config.cluster,
    ));
    let label = |clustering: &cluster::Clustering, names: &ThemeNames| {
        let placements = kept.spread_themes(&clustering.assignments, &clustering.similarity);
        let themes = label::label_themes(
            label::Labelled {
                corpus: tokens,
                columns: &columns,
                vocabulary: &tfidf_model.vocabulary,
                placements: &placements,
                k: clustering.k,
            },
            &config.label,
            names,
        );
        (placements, themes)
    };
    let (mut clustering, mut second_kept) = (clustering, second_kept);
    let (mut placements, mut themes) = stages.run("label", 0, |_| label(&clustering, names));
    // The analyst's merges fold themes together and the themes are labelled again; names and
    // merges refer to the themes of the run without merges.
    let unnamed = names.unmatched(&themes);
    if !unnamed.is_empty() {
        warnings.push(format!(
            "{} name(s) of --labels match no theme: {}",
            unnamed.len(),
            unnamed.join(", ")
        ));
    }
    let merges = names.merges(&themes);
    warnings.extend(merges.warnings);
    if !merges.groups.is_empty() {
        let before = clustering.themes.rank.clone();
        let groups: Vec<Vec<usize>> = merges
            .groups
            .iter()
            .map(|(g, _)| g.iter().map(|t| t.index()).collect())
            .collect();
        (clustering, second_kept) = kept.with_rows(&mut reduced, |x| {
            let merged = clustering.merge(x, &groups);
            let second = merged.themes.second_nearest(x, &merged.assignments);
            (merged, second)
        });
        let unmerged = themes;
        (placements, themes) =
            stages.run("label", 0, |_| label(&clustering, &ThemeNames::default()));
        for (cluster, &was) in before.iter().enumerate() {
            let name = merges
                .groups
                .iter()
                .find(|(group, _)| group.contains(&ThemeId::new(was)))
                .map(|(_, name)| name)
                .or(unmerged[was].name.as_ref());
            if let Some(name) = name {
                let theme = &mut themes[clustering.themes.rank[cluster]];
                theme.label.clone_from(name);
                theme.name = Some(name.clone());
            }
        }
    }
    let stability = match config.cluster.stability {
        0 => None,
        n => Some(stages.run("stability", 0, |bar| {
            kept.with_rows(&mut reduced, |x| {
                stability::measure(
                    x,
                    &clustering.assignments,
                    clustering.k,
                    stability::Refits {
                        params: &config.cluster,
                        seeds: config.seeds(),
                        count: n,
                    },
                    guides.as_ref().map(|g| g.view()),
                    &|i, of| bar.message(&format!("refit {i}/{of}")),
                )
            })
        })?),
    };
    if let Some(s) = &stability
        && (s.ari_seeds + s.ari_bootstrap) / 2.0 < 0.5
    {
        warnings.push(format!(
            "the themes are unstable: mean adjusted Rand index {:.2} with the refits (below 0.5); read them as one partition of many",
            (s.ari_seeds + s.ari_bootstrap) / 2.0
        ));
    }
    let second = kept.spread(second_kept);
    for (theme, centre) in themes.iter_mut().zip(clustering.centroids.rows()) {
        if let Some((e, cos)) = projected.nearest(centre) {
            theme.codebook = Some(codebook.entries[e].name.clone());
            theme.codebook_similarity = Some(cos);
        }
    }
    for (i, j, cos) in label::near_duplicates(&themes, 0.3) {
        warnings.push(format!(
            "themes {} ({}) and {} ({}) share their distinctive terms (cosine {cos:.2}): perhaps one subject; name them alike or refit with a smaller k",
            themes[i].id, themes[i].label, themes[j].id, themes[j].label
        ));
    }
    let fit = FitSummary {
        k: clustering.k,
        k_choice: if clustering.scan.is_empty() {
            KChoiceMade::Fixed
        } else {
            KChoiceMade::Auto
        },
        scan: clustering.scan.clone(),
        method: FitMethod::Fitted(clustering.method),
        inertia: clustering.inertia,
        dims: lsa.dims,
        explained_variance: lsa.explained_variance(),
        terms: tfidf_model.vocabulary.len(),
    };
    let model = FittedModel::new(
        &config,
        segment_params,
        tfidf_model,
        lsa,
        clustering.themes.clone(),
        themes.clone(),
    )?;
    let lists = (*config.segment).clone();
    assemble(
        config,
        corpus,
        Placed {
            placements,
            second,
            themes,
            stability,
            fit,
            model,
            source: ThemeSource::Fitted,
        },
        reduced,
        tfidf_matrix,
        &lists,
        warnings,
        stages,
    )
}

/// The corpus as read, split and cut.
pub(crate) struct Corpus {
    /// Reports read, without their text once split and counted.
    pub reports: Vec<ReportSummary>,
    /// Files skipped, with reasons.
    pub skipped: Vec<Skipped>,
    /// Each report's characters by role.
    pub chars: Vec<CharCounts>,
    /// The units, in report and text order.
    pub units: Vec<Unit>,
    /// The tokens of every unit.
    pub tokens: TokenizedCorpus,
}

/// The themes and where each unit lies among them, fitted (`run`) or applied (`apply`).
struct Placed {
    placements: Vec<Option<Placement>>,
    second: Vec<Option<Placement>>,
    themes: Vec<Theme>,
    stability: Option<Stability>,
    fit: FitSummary,
    model: FittedModel,
    source: ThemeSource,
}

/// The stages after the themes, shared by `run` and `apply`: concreteness (with the stop phrases
/// and lexicon of `lists`), copied text and recurrence across groups, while the workbook's
/// measures sheet is begun ([`report::start_workbook`]); then the analysis.
#[allow(clippy::too_many_arguments)]
fn assemble(
    config: ValidConfig,
    corpus: Corpus,
    placed: Placed,
    reduced: Array2<f32>,
    tfidf_matrix: Option<TfidfMatrix>,
    lists: &SegmentParams,
    mut warnings: Vec<String>,
    mut stages: Stages<'_>,
) -> Result<Analysis> {
    let Corpus {
        reports,
        skipped,
        chars,
        units,
        tokens,
    } = corpus;
    // What only `--dump` reads goes before the signals, the run's peak: all but the two
    // dimensions the map draws (on laws ×20, 5.7 million units × 100 dimensions: 2.3 GB) and
    // the tokens (0.9 GB).
    let dump = config.run.dump;
    let reduced = if dump {
        reduced
    } else {
        // A copy: a slice of the whole would keep the whole allocation.
        let kept = reduced.ncols().min(MAP_DIMS);
        reduced.slice(ndarray::s![.., ..kept]).to_owned()
    };
    let tokens = dump.then_some(tokens);
    let units = Arc::new(units);
    let concreteness = Arc::new(concreteness(&units, lists, &mut stages)?);
    let (reports, placements, second, themes) = (
        Arc::new(reports),
        Arc::new(placed.placements),
        Arc::new(placed.second),
        Arc::new(placed.themes),
    );
    // The workbook's measures sheet, most of the workbook's work and all on one core, is begun
    // now on a thread of its own: it goes on while copied text is found and the other outputs
    // are written, and the workbook's writer waits for it.
    let workbook = match config.report.xlsx {
        true => report::start_workbook(MeasureData {
            config: config.clone(),
            units: Arc::clone(&units),
            reports: Arc::clone(&reports),
            placements: Arc::clone(&placements),
            second: Arc::clone(&second),
            themes: Arc::clone(&themes),
            concreteness: Arc::clone(&concreteness),
        }),
        false => PendingWorkbook::default(),
    };
    let copies = stages.run("copies", 0, |_| {
        copies::find(&units, reports.len(), &config.copies)
    });
    let recurrence = recurrence::measure(
        &units,
        &placements,
        &concreteness,
        placed.fit.k,
        config.report.group_by,
    );
    if config.report.xlsx && !crate::report::holds_measures(units.len()) {
        warnings.push(format!(
            "workbook.xlsx leaves out the measures: {} of them, more than one sheet's {} rows \
             (they are all in measures.csv)",
            units.len(),
            crate::report::MAX_MEASURES
        ));
    }
    if copies.capped_buckets > 0 {
        warnings.push(copy_cap_warning(copies.capped_buckets, &config));
    }
    let (timings, peak_memory) = stages.finish();
    Ok(Analysis {
        config,
        reports,
        skipped,
        chars,
        units,
        placements,
        second,
        themes,
        recurrence,
        copies,
        concreteness,
        stability: placed.stability,
        reduced,
        tokens,
        tfidf_matrix,
        fit: placed.fit,
        model: placed.model,
        source: placed.source,
        timings,
        peak_memory,
        warnings,
        threads: rayon::current_num_threads(),
        workbook,
    })
}

/// Says that boilerplate filled `capped` LSH buckets past `copies.max_bucket`.
pub(crate) fn copy_cap_warning(capped: usize, config: &ValidConfig) -> String {
    format!(
        "{capped} LSH bucket(s) held more than copies.max_bucket = {} units (text repeated that often): their units were compared with their {} next neighbours only",
        config.copies.max_bucket, config.copies.max_bucket
    )
}

/// Says that `n` units have fewer than `min_known` vocabulary terms.
pub(crate) fn unassigned_warning(n: usize, min_known: usize) -> String {
    format!(
        "{n} unit(s) have fewer than cluster.min_known_terms = {min_known} vocabulary terms and are unassigned"
    )
}

/// The units with at least `min_known` vocabulary terms; a warning counts the others.
fn units_with_terms(
    tokens: &TokenizedCorpus,
    columns: &[Option<u32>],
    min_known: usize,
    warnings: &mut Vec<String>,
) -> KeptRows {
    let known = |d: usize| {
        tokens
            .doc(d)
            .iter()
            .filter(|&&t| columns[t as usize].is_some())
            .count()
    };
    let with: Vec<UnitIdx> = (0..tokens.len())
        .into_par_iter()
        .filter(|&d| known(d) >= min_known)
        .map(UnitIdx::new)
        .collect();
    if with.len() < tokens.len() {
        warnings.push(unassigned_warning(tokens.len() - with.len(), min_known));
    }
    KeptRows::new(tokens.len(), with)
}

/// Places a new corpus on the themes of a fitted model: reads and splits as the fit did, cuts with
/// the lists the fit used, weights with its vocabulary and idf, projects with its LSA and assigns
/// each unit to the nearest centre (linfa's `predict`). `report` replaces the model's output
/// options; `strict` is this run's (a skipped input fails it).
pub fn apply(
    model: FittedModel,
    report: ReportParams,
    strict: bool,
    input: &RunInput,
    progress: &dyn Progress,
) -> Result<Analysis> {
    let config = applied_config(&model, report, strict)?;
    let mut stages = Stages::new(progress);
    let prepared = prepare(&config, input, &mut stages, &model.segment, &[])?;
    apply_prepared(model, config, prepared.corpus, prepared.warnings, stages)
}

/// The configuration `apply` runs with: the model's, with `report` for its output options and
/// `strict` for its policy.
pub(crate) fn applied_config(
    model: &FittedModel,
    report: ReportParams,
    strict: bool,
) -> Result<ValidConfig> {
    let mut config = model.config.clone();
    config.report = report;
    // The fit's seed, shown beside its themes; the policy is this run's (no dump: apply fits
    // nothing).
    config.run = RunParams {
        seed: config.run.seed,
        strict,
        dump: false,
    };
    Ok(config.validate()?)
}

/// [`apply`] past segmentation: `corpus` placed on the model's themes with `config` (the
/// model's, with this run's output options and policy).
pub(crate) fn apply_prepared(
    model: FittedModel,
    config: ValidConfig,
    corpus: Corpus,
    mut warnings: Vec<String>,
    mut stages: Stages<'_>,
) -> Result<Analysis> {
    let Corpus { tokens, .. } = &corpus;
    let columns = tfidf::columns_for(tokens, &model.tfidf);
    let matrix = stages.run("tfidf", 0, |_| {
        tfidf::weight_rows(tokens, &columns, &model.tfidf)
    });
    let mut reduced = stages.run("reduce", 0, |_| model.lsa.transform(&matrix));
    let kept = units_with_terms(
        tokens,
        &columns,
        config.cluster.min_known_terms,
        &mut warnings,
    );
    let centroids = model.themes.centroids();
    let (placements, second, inertia) = stages.run("cluster", 0, |_| {
        kept.with_rows(&mut reduced, |x| {
            let themes = model.themes.assign(x);
            let sims = model.themes.similarity(x, &themes);
            let inertia = cluster::inertia(x, &centroids, &themes);
            let second = model.themes.second_nearest(x, &themes);
            (
                kept.spread_themes(&themes, &sims),
                kept.spread(second),
                inertia,
            )
        })
    });
    let k = model.labels.len();
    let members = label::members_by_theme(&placements, k);
    let themes: Vec<Theme> = model
        .labels
        .iter()
        .zip(&members)
        .map(|(theme, units)| Theme {
            size: units.len(),
            examples: label::nearest(units, &placements, config.label.examples),
            ..theme.clone()
        })
        .collect();
    // Concreteness is measured with the lists of the fit's configuration, as `run` measured it:
    // the model's own lists also hold the fitted corpus's place names, which are no slogans.
    // They are the fallback when the analyst's list files are gone.
    let lists = match segment::resolve_lists(&config.segment) {
        Ok(_) => (*config.segment).clone(),
        Err(e) => {
            warnings.push(format!(
                "slogan_share and quantities use the model's lists ({e}): the fitted corpus's place names count as stop phrases"
            ));
            model.segment.clone()
        }
    };
    let fit = FitSummary {
        k,
        k_choice: KChoiceMade::Model,
        scan: Vec::new(),
        method: FitMethod::Model,
        inertia,
        dims: model.lsa.dims,
        explained_variance: model.lsa.explained_variance(),
        terms: model.tfidf.vocabulary.len(),
    };
    let tfidf_matrix = config.run.dump.then_some(matrix);
    assemble(
        config,
        corpus,
        Placed {
            placements,
            second,
            themes,
            stability: None,
            fit,
            model,
            source: ThemeSource::Applied,
        },
        reduced,
        tfidf_matrix,
        &lists,
        warnings,
        stages,
    )
}

/// What an analyst should know about a `--k auto` scan: a choice at an edge of the range, a
/// scan too flat to choose by, a range cut by the one-theme-per-five-units cap.
fn scan_warnings(scan: &[KScore], k: usize, params: &crate::config::ClusterParams) -> Vec<String> {
    let (Some(first), Some(last)) = (scan.first(), scan.last()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if last.k < params.k_range.max {
        out.push(format!(
            "--k-range {}..{} scanned only {}..{}: at most one theme per five units",
            params.k_range.min, params.k_range.max, first.k, last.k
        ));
    }
    if scan.len() > 1 && (k == first.k || k == last.k) {
        out.push(format!(
            "k = {k} lies at an edge of the scanned range {}..{}: widen --k-range to see past it",
            first.k, last.k
        ));
    }
    let (lo, hi) = scan
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), s| {
            (lo.min(s.silhouette), hi.max(s.silhouette))
        });
    let se = scan.iter().map(|s| s.silhouette_se).fold(0.0, f64::max);
    let best = scan
        .iter()
        .map(|s| s.silhouette)
        .fold(f64::NEG_INFINITY, f64::max);
    if k != last.k && last.silhouette >= best {
        out.push(format!(
            "k = {k} is the knee of a silhouette that rises to the top of the range ({lo:.3}..{hi:.3}): no k stands out; compare the themes at nearby k or set --k"
        ));
    }
    if scan.len() > 1 && hi - lo < 2.0 * se {
        out.push(format!(
            "the k scan is flat (silhouette {lo:.3}..{hi:.3}, standard error {se:.3}): no k fits clearly better; choose k by reading the themes"
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A knee below the top of a rising scan is named as a soft choice; an edge as an edge.
    #[test]
    fn scan_warnings_name_a_knee_and_an_edge() {
        let scan: Vec<KScore> = (5..=10)
            .map(|k| KScore {
                k,
                silhouette: 0.01 * k as f64,
                silhouette_se: 0.001,
                inertia: 0.0,
            })
            .collect();
        let params = crate::config::ClusterParams::default();
        let knee = scan_warnings(&scan, 7, &params);
        assert!(knee.iter().any(|w| w.contains("knee")), "{knee:?}");
        let edge = scan_warnings(&scan, 10, &params);
        assert!(edge.iter().any(|w| w.contains("edge")), "{edge:?}");
        assert!(!edge.iter().any(|w| w.contains("knee")), "{edge:?}");
    }
}
