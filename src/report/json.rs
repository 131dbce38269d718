//! `themes.json`, `run.json` and the `--dump` files (`tokens.json`, `tfidf.json`, `reduced.csv`,
//! `centroids.csv`) of DESIGN.md §5.

use crate::analysis::Analysis;
use crate::config::{DfBound, Norm};
use crate::split::BlockRole;
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::fmt::Write;

fn pretty(v: &Value) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(v).expect("JSON values serialize");
    bytes.push(b'\n');
    bytes
}

/// `themes.json`: every theme with full term weights, example texts and its mix by section kind.
pub fn render_themes(a: &Analysis) -> Vec<u8> {
    let concrete = theme_concreteness(a);
    let themes: Vec<Value> = a
        .themes
        .iter()
        .enumerate()
        .map(|(t, theme)| {
            let by_kind: BTreeMap<&str, usize> =
                a.recurrence.by_kind.iter().filter(|(_, c)| c[t] > 0).map(|(k, c)| (k.as_str(), c[t])).collect();
            json!({
                "theme": theme.id,
                "label": theme.label,
                "name": theme.name,
                "signature": theme.signature,
                "size": theme.size,
                "groups": a.recurrence.theme_groups[t],
                "recurrence": a.recurrence.recurrence[t],
                "top_terms": theme.top_terms.iter().map(|(term, w)| json!({"term": term, "weight": w})).collect::<Vec<_>>(),
                "examples": theme.examples.iter().map(|u| {
                    let u = u.index();
                    let unit = &a.units[u];
                    json!({
                        "measure_id": unit.id,
                        "township": unit.meta.township,
                        "section_kind": unit.section_kind,
                        "similarity": a.similarity(u),
                        "text": unit.text,
                        "quantities": a.concreteness[u].quantities.iter().map(|q| &q.text).collect::<Vec<_>>(),
                        "slogan_share": a.concreteness[u].slogan_share,
                    })
                }).collect::<Vec<_>>(),
                "concreteness": concrete[t].json(theme.size),
                "by_section_kind": by_kind,
                "stability": a.stability.as_ref().map(|s| s.per_theme[t]),
                "codebook": theme.codebook,
                "codebook_similarity": theme.codebook_similarity,
            })
        })
        .collect();
    pretty(&json!({ "source": a.source, "k": a.fit.k, "themes": themes }))
}

/// How concrete one theme's units are, summed over them.
#[derive(Default)]
struct ThemeConcreteness<'a> {
    /// Units with at least one quantity.
    with_quantity: usize,
    /// Quantities in all.
    quantities: usize,
    /// Quantities by unit word.
    by_unit: BTreeMap<&'static str, usize>,
    /// The first quantities found, in unit order (at most [`QUANTITY_EXAMPLES`]).
    examples: Vec<&'a str>,
}

/// Quantities listed per theme in `themes.json`.
const QUANTITY_EXAMPLES: usize = 20;

impl ThemeConcreteness<'_> {
    fn json(&self, size: usize) -> Value {
        json!({
            "with_quantity": self.with_quantity,
            "share": if size == 0 { 0.0 } else { self.with_quantity as f64 / size as f64 },
            "quantities": self.quantities,
            "by_unit_word": self.by_unit,
            "examples": self.examples,
        })
    }
}

/// Each theme's quantities: units with one, their number, by unit word, the first few.
fn theme_concreteness(a: &Analysis) -> Vec<ThemeConcreteness<'_>> {
    let mut out: Vec<ThemeConcreteness> = (0..a.themes.len()).map(|_| Default::default()).collect();
    for (placement, c) in a.placements.iter().zip(a.concreteness.iter()) {
        let Some(t) = placement.map(|p| p.theme.index()) else {
            continue;
        };
        let entry = &mut out[t];
        entry.with_quantity += usize::from(!c.quantities.is_empty());
        entry.quantities += c.quantities.len();
        for q in &c.quantities {
            *entry.by_unit.entry(q.unit).or_default() += 1;
            if entry.examples.len() < QUANTITY_EXAMPLES {
                entry.examples.push(&q.text);
            }
        }
    }
    out
}

/// The counts `run.json` gives: of one analysis ([`RunCounts::of`]), or added up over the
/// chunks of a streamed `apply` ([`RunCounts::add`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RunCounts {
    /// Input files, read or skipped.
    pub files: usize,
    /// Reports read.
    pub reports: usize,
    /// Files skipped.
    pub skipped: usize,
    /// Units.
    pub units: usize,
    /// Units without a theme.
    pub unassigned: usize,
    /// Units per section kind.
    pub units_by_kind: BTreeMap<&'static str, usize>,
    /// Themes.
    pub themes: usize,
    /// Groups.
    pub groups: usize,
    /// Copied-text pairs.
    pub copy_pairs: usize,
    /// Candidate pairs checked for copied text.
    pub copy_candidates: usize,
    /// Quantities found.
    pub quantities: usize,
    /// Vocabulary size.
    pub terms: usize,
    /// Non-blank characters per role (every character of the reports accounted for).
    pub nonblank_chars_by_role: BTreeMap<&'static str, usize>,
}

impl RunCounts {
    /// The counts of `a`.
    pub fn of(a: &Analysis) -> RunCounts {
        let mut accounting: BTreeMap<&'static str, usize> = BTreeMap::new();
        for counts in &a.chars {
            for role in BlockRole::ALL
                .into_iter()
                .filter(|&r| counts.nonblank(r) > 0)
            {
                *accounting.entry(role.as_str()).or_default() += counts.nonblank(role);
            }
        }
        let mut kinds: BTreeMap<&'static str, usize> = BTreeMap::new();
        for u in a.units.iter() {
            *kinds.entry(u.section_kind.as_str()).or_default() += 1;
        }
        RunCounts {
            files: a.reports.len() + a.skipped.len(),
            reports: a.reports.len(),
            skipped: a.skipped.len(),
            units: a.units.len(),
            unassigned: a.unassigned(),
            units_by_kind: kinds,
            themes: a.themes.len(),
            groups: a.recurrence.groups.len(),
            copy_pairs: a.copies.pairs.len(),
            copy_candidates: a.copies.candidates,
            quantities: a.concreteness.iter().map(|c| c.quantities.len()).sum(),
            terms: a.fit.terms,
            nonblank_chars_by_role: accounting,
        }
    }

    /// Adds the counts of another chunk of the same run: its themes and terms are the same;
    /// its groups are counted once the chunks are merged ([`Self::groups`] is set by the caller).
    pub fn add(&mut self, other: &RunCounts) {
        self.files += other.files;
        self.reports += other.reports;
        self.skipped += other.skipped;
        self.units += other.units;
        self.unassigned += other.unassigned;
        for (kind, n) in &other.units_by_kind {
            *self.units_by_kind.entry(kind).or_default() += n;
        }
        self.themes = other.themes;
        self.copy_pairs += other.copy_pairs;
        self.copy_candidates += other.copy_candidates;
        self.quantities += other.quantities;
        self.terms = other.terms;
        for (role, n) in &other.nonblank_chars_by_role {
            *self.nonblank_chars_by_role.entry(role).or_default() += n;
        }
    }
}

/// `run.json`: version, configuration, inputs with their hashes, counts, timings, warnings.
/// `write_seconds` is the time the other outputs took to write: a stage of its own (`write`),
/// counted in the total.
pub fn render_run(
    a: &Analysis,
    counts: &RunCounts,
    written: &[String],
    write_seconds: f64,
) -> Vec<u8> {
    let mut inputs: Vec<(String, Value)> = a
        .reports
        .iter()
        .map(|r| (r.id.clone(), json!({"report_id": r.id, "file": r.file, "sha256": r.sha256, "status": "ok", "encoding": r.encoding})))
        .chain(a.skipped.iter().map(|s| {
            (s.id.clone(), json!({"report_id": s.id, "file": s.file, "sha256": s.sha256, "status": "skipped", "reason": s.reason}))
        }))
        .collect();
    inputs.sort_by(|x, y| x.0.cmp(&y.0));
    let timings: serde_json::Map<String, Value> = a
        .timings
        .iter()
        .map(|(s, t)| match s.as_str() {
            "total" => (s.clone(), json!(t + write_seconds)),
            _ => (s.clone(), json!(t)),
        })
        .chain([("write".to_string(), json!(write_seconds))])
        .collect();
    pretty(&json!({
        "program": "policy-themes",
        "version": crate::VERSION,
        "theme_source": a.source,
        "seed": a.config.run.seed,
        "threads": a.threads,
        "config": &a.config,
        "inputs": inputs.into_iter().map(|(_, v)| v).collect::<Vec<_>>(),
        "counts": counts,
        "fit": a.fit,
        "stability": a.stability,
        "seconds": timings,
        "peak_memory_mib": a.peak_memory.iter().map(|(s, m)| (s.clone(), json!(m))).collect::<serde_json::Map<String, Value>>(),
        "warnings": a.warnings,
        "outputs": written,
    }))
}

/// The `--dump` files: tokens, TF-IDF triples, the reduced matrix and the centres.
pub fn render_dump(a: &Analysis) -> Vec<(&'static str, Vec<u8>)> {
    let p = &a.model.tfidf.params;
    let df = |b: DfBound| match b {
        DfBound::Count(c) => json!(c),
        DfBound::Fraction(f) => json!(f),
    };
    // The analysis keeps its tokens when the run dumps.
    let docs: Vec<Vec<&str>> = a
        .tokens
        .iter()
        .flat_map(|tokens| (0..tokens.len()).map(|d| tokens.doc_terms(d).collect()))
        .collect();
    let norm = match p.norm {
        Norm::L2 => json!("l2"),
        Norm::L1 => json!("l1"),
        Norm::None => Value::Null,
    };
    let tokens = json!({
        "docs": docs,
        "params": {"min_df": df(p.min_df), "max_df": df(p.max_df), "sublinear_tf": p.sublinear_tf,
                   "smooth_idf": p.smooth_idf, "norm": norm, "use_idf": p.use_idf},
    });
    let triples: Vec<Value> = a
        .tfidf_matrix
        .iter()
        .flat_map(|m| m.iter().map(|(&v, (i, j))| json!([i, j, v])))
        .collect();
    let tfidf = json!({"vocabulary": a.model.tfidf.vocabulary, "triples": triples});
    vec![
        (
            "tokens.json",
            serde_json::to_vec(&tokens).expect("serializes"),
        ),
        (
            "tfidf.json",
            serde_json::to_vec(&tfidf).expect("serializes"),
        ),
        (
            "reduced.csv",
            matrix_csv(a.reduced.rows().into_iter().map(|r| r.to_vec())),
        ),
        (
            "centroids.csv",
            matrix_csv(
                a.model
                    .themes
                    .centroids()
                    .rows()
                    .into_iter()
                    .map(|r| r.to_vec()),
            ),
        ),
    ]
}

/// Rows of numbers as CSV without a header, each value in shortest round-trip form.
fn matrix_csv<T: std::fmt::Debug>(rows: impl Iterator<Item = Vec<T>>) -> Vec<u8> {
    let mut out = String::new();
    for row in rows {
        let cells: Vec<String> = row.iter().map(|v| format!("{v:?}")).collect();
        let _ = writeln!(out, "{}", cells.join(","));
    }
    out.into_bytes()
}
