//! `index.html`: one self-contained page (charts inline, no network): summary, every chart with a
//! caption saying how to read it, the themes table with examples, the group table, skipped files.
//!
//! The page is the askama template `templates/index.html` (with `caption.html`, `page.css` and
//! `page.js`), which escapes every value it writes; this module gathers the values.

use crate::analysis::{Analysis, ThemeSource};
use crate::chart::sections::kind_name;
use crate::config::Lang;
use crate::corpus::{SectionKind, Skipped};
use crate::error::{Error, Result};
use askama::Template;
use std::path::Path;

/// The page: every value it shows, escaped by the template when written.
#[derive(Template)]
#[template(path = "index.html")]
struct Index<'a> {
    /// The page's language.
    lang: Lang,
    /// Whether the language is Chinese (for prose kept whole in the template).
    zh: bool,
    /// Reports read.
    reports: usize,
    /// Files skipped, with the reason.
    skipped: &'a [Skipped],
    /// Units in all.
    units: usize,
    /// Units in no theme.
    unassigned: usize,
    /// Number of themes.
    k: usize,
    /// How k was chosen.
    k_how: String,
    /// Number of groups.
    groups: usize,
    /// What the groups are (townships, years, …).
    group_by: &'a str,
    /// The model line.
    model: String,
    /// The stability line.
    stability: String,
    /// The program's version.
    version: &'a str,
    /// Units embedded in the page's data.
    embedded: usize,
    /// Whether `workbook.xlsx` holds every measure (written, and not past its limit).
    workbook_measures: bool,
    /// The charts, in order.
    figures: Vec<Figure<'a>>,
    /// The themes table.
    themes: Vec<ThemeRow<'a>>,
    /// The groups table.
    group_rows: Vec<GroupRow<'a>>,
    /// The change between the first and last years, if two years have enough units.
    change: Option<Change<'a>>,
    /// Plans followed, per township, year and theme.
    followed: Vec<FollowedRow<'a>>,
    /// The copied-text section.
    copies: Copies<'a>,
    /// The concreteness section.
    concreteness: Concreteness<'a>,
    /// The promises table.
    promises: Vec<PromiseRow<'a>>,
    /// The run's warnings.
    warnings: &'a [String],
    /// The page's data, JSON made safe inside `<script>` by [`script_safe`].
    data: String,
}

/// A chart inlined in the page.
struct Figure<'a> {
    /// Its file name.
    file: &'a str,
    /// Its heading.
    title: &'static str,
    /// The SVG as the chart module wrote it, without its XML declaration.
    svg: String,
}

impl Figure<'_> {
    /// Whether this is the chart in file `name` (the caption template picks its text by it).
    fn is(&self, name: &str) -> bool {
        self.file == name
    }
}

/// The start of a unit's text.
struct Excerpt<'a> {
    /// The first characters.
    cut: &'a str,
    /// `…` when the text was cut, else empty.
    more: &'static str,
}

/// `text` cut to `n` characters, with `…` when cut.
fn excerpt(text: &str, n: usize) -> Excerpt<'_> {
    let end = text.char_indices().nth(n).map_or(text.len(), |(i, _)| i);
    Excerpt {
        cut: &text[..end],
        more: if end < text.len() { "…" } else { "" },
    }
}

/// An example of a theme, with its footer fields (none empty).
struct Example<'a> {
    /// The start of its text.
    excerpt: Excerpt<'a>,
    /// Unit id, township and section kind, the empty ones left out.
    footer: Vec<&'a str>,
}

/// A row of the themes table.
struct ThemeRow<'a> {
    /// Theme id.
    id: &'a str,
    /// Theme label.
    label: &'a str,
    /// Distinctive terms, best first.
    terms: Vec<&'a str>,
    /// Units in the theme.
    size: usize,
    /// Groups the theme recurs in.
    groups: usize,
    /// Recurrence, to 4 decimals (sort key).
    recurrence: String,
    /// Recurrence as a percentage.
    recurrence_pct: String,
    /// Stability (sort key; -1 when not measured).
    stability_v: String,
    /// Stability as shown.
    stability: String,
    /// Example units.
    examples: Vec<Example<'a>>,
}

/// One of a group's most distinctive themes.
struct Top<'a> {
    /// Theme id.
    id: &'a str,
    /// Theme label.
    label: &'a str,
    /// Lift, its interval and count, in parentheses.
    figures: String,
}

/// A row of the groups table.
struct GroupRow<'a> {
    /// Group name.
    name: &'a str,
    /// Whether the group has fewer units than the minimum.
    small: bool,
    /// Units in the group.
    total: usize,
    /// Its most distinctive themes.
    tops: Vec<Top<'a>>,
}

/// The change between the first and last years with enough units.
struct Change<'a> {
    /// First year.
    first: u16,
    /// Last year.
    last: u16,
    /// The fewest units a year compared has.
    min: usize,
    /// Whether the two years come from different groups.
    disjoint: bool,
    /// The themes that grew and shrank most.
    rows: Vec<ChangeRow<'a>>,
}

/// A row of the change table.
struct ChangeRow<'a> {
    /// Theme number.
    theme: usize,
    /// Theme id.
    id: &'a str,
    /// Theme label.
    label: &'a str,
    /// Units in the first and last years.
    counts: String,
    /// Shares in the first and last years.
    shares: String,
    /// Change in points, to 4 decimals (sort key).
    points_v: String,
    /// Change in points, signed.
    points: String,
}

/// A row of the plans-followed table.
struct FollowedRow<'a> {
    /// The township.
    township: &'a str,
    /// The year of the plan.
    year: u16,
    /// Theme id.
    id: &'a str,
    /// Theme label.
    label: &'a str,
    /// Plan units of the theme.
    planned: usize,
    /// Measures of the theme the next year.
    measures_next_year: usize,
}

/// The copied-text section.
struct Copies<'a> {
    /// Near-duplicate pairs.
    pairs: usize,
    /// Pairs between reports.
    across: usize,
    /// Pairs within one report.
    within: usize,
    /// The Jaccard threshold.
    threshold: f64,
    /// Shingle length.
    shingle: usize,
    /// Candidate pairs from LSH.
    candidates: usize,
    /// Reports by copied share.
    reports: Vec<CopyingReport<'a>>,
    /// The largest copied passages.
    passages: Vec<Passage<'a>>,
}

/// A report with copied text.
struct CopyingReport<'a> {
    /// Report id.
    id: &'a str,
    /// Its group.
    group: String,
    /// Its file.
    file: &'a str,
    /// Copied share, to 4 decimals (sort key).
    share_v: String,
    /// Copied share as a percentage.
    share: String,
}

/// A copied passage with its copies in other reports.
struct Passage<'a> {
    /// The start of its text.
    excerpt: Excerpt<'a>,
    /// Unit id.
    id: &'a str,
    /// Its group.
    group: String,
    /// Its length in characters.
    chars: usize,
    /// Its copies, most similar first.
    copies: Vec<PassageCopy<'a>>,
}

/// A copy of a passage.
struct PassageCopy<'a> {
    /// Unit id.
    id: &'a str,
    /// Its group.
    group: String,
    /// Similarity, to 2 decimals.
    similarity: String,
}

/// The concreteness section.
struct Concreteness<'a> {
    /// The three most concrete themes.
    most: Vec<ThemeShare<'a>>,
    /// The three least concrete themes.
    least: Vec<ThemeShare<'a>>,
    /// Every theme with units, most concrete first.
    rows: Vec<ConcreteRow<'a>>,
}

/// A theme with its share of concrete measures.
struct ThemeShare<'a> {
    /// Theme id.
    id: &'a str,
    /// Theme label.
    label: &'a str,
    /// Share as a percentage.
    share: String,
}

/// A row of the concreteness table.
struct ConcreteRow<'a> {
    /// Theme number.
    theme: usize,
    /// Theme id.
    id: &'a str,
    /// Theme label.
    label: &'a str,
    /// Units in the theme.
    size: usize,
    /// Units with a quantity.
    with: usize,
    /// Their share, to 4 decimals (sort key).
    share_v: String,
    /// Their share as a percentage.
    share: String,
    /// Quantities found.
    quantities: usize,
    /// Mean slogan share, to 4 decimals (sort key).
    slogans_v: String,
    /// Mean slogan share as a percentage.
    slogans: String,
}

/// A row of the promises table.
struct PromiseRow<'a> {
    /// Theme number.
    theme: usize,
    /// Theme id.
    id: &'a str,
    /// Theme label.
    label: &'a str,
    /// Townships that planned it.
    planned: usize,
    /// Of those, townships that followed it.
    followed: usize,
    /// Their share, to 4 decimals (sort key).
    share_v: String,
    /// Their share as a percentage.
    share: String,
    /// Township-years that planned it.
    plans: usize,
    /// Of those, the ones followed.
    plans_followed: usize,
}

/// Each chart's heading, in the page's language (its caption is in `templates/caption.html`).
fn title(chart: &str, lang: Lang) -> &'static str {
    let (zh, en) = match chart {
        "heatmap.svg" => ("主题 × 分组", "Themes by group"),
        "recurrence.svg" => ("主题复现", "Recurrence"),
        "terms.svg" => ("区分性词语", "Distinctive terms"),
        "map.svg" => ("举措分布图", "Map of measures"),
        "sections.svg" => ("各章节的主题构成", "Themes by section kind"),
        "k.svg" => ("选择主题数 k", "Choosing k"),
        "copies.svg" => ("分组间的复制文本", "Copied text between groups"),
        "concreteness.svg" => ("各组各主题的具体程度", "Concreteness by group and theme"),
        "years.svg" => ("各年度的主题", "Themes by year"),
        "stability.svg" => ("主题稳定性", "Theme stability"),
        _ => ("图", "Chart"),
    };
    lang.pick(zh, en)
}

/// A measure is shown as mixed when its next-nearest theme is this close: similarity2 ≥
/// `MIXED` × similarity (issue 24).
const MIXED: f64 = 0.9;

/// `x` rounded to 4 decimals, as the tables write it.
fn round4(x: f64) -> f64 {
    (x * 1e4).round() / 1e4
}

/// The measures and names the page's script works on, as JSON safe inside `<script>`: every
/// `<`, `>` and `&` and U+2028/2029 is written as a `\u` escape, so no text can close the
/// element or open a comment. The first `report.page_limit` units are embedded.
fn page_data(a: &Analysis) -> String {
    let lang = a.config.report.lang;
    let by = a.group_by();
    let index: std::collections::HashMap<&str, usize> = a
        .recurrence
        .groups
        .iter()
        .enumerate()
        .map(|(g, name)| (name.as_str(), g))
        .collect();
    let kinds: Vec<SectionKind> = SectionKind::ALL.to_vec();
    let limit = a.config.report.page_limit.min(a.units.len());
    let units: Vec<serde_json::Value> = a.units[..limit]
        .iter()
        .enumerate()
        .map(|(u, unit)| {
            let group = crate::recurrence::group_of(&unit.meta, by);
            let theme = a.theme_of(u).map_or(-1, |t| t.index() as i64);
            let (theme2, sim2) =
                a.second[u].map_or((-1, 0.0), |p| (p.theme.index() as i64, p.similarity));
            let mixed = theme >= 0 && theme2 >= 0 && sim2 >= MIXED * a.similarity(u);
            serde_json::json!([
                unit.id,
                index.get(group.as_str()).copied().unwrap_or(0),
                theme,
                theme2,
                round4(a.similarity(u)),
                round4(sim2),
                kinds
                    .iter()
                    .position(|k| *k == unit.section_kind)
                    .unwrap_or(0),
                unit.meta.year.unwrap_or(0),
                unit.heading,
                unit.section_heading,
                unit.text,
                unit.report,
                unit.chars.start,
                unit.chars.end,
                unit.meta.township.as_deref().unwrap_or(""),
                u8::from(mixed),
            ])
        })
        .collect();
    let mut years: Vec<u16> = a.recurrence.by_year.iter().map(|(y, _)| *y).collect();
    years.dedup();
    let data = serde_json::json!({
        "themes": a.themes.iter().map(|t| [t.id.as_str(), t.label.as_str()]).collect::<Vec<_>>(),
        "groups": a.recurrence.groups,
        "kinds": kinds.iter().map(|&k| [k.as_str(), kind_name(k, lang)]).collect::<Vec<_>>(),
        "years": years,
        "files": a.reports.iter().map(|r| r.file.as_str()).collect::<Vec<_>>(),
        "units": units,
        "text": {
            "unassigned": lang.pick("未归类", "unassigned"),
            "similarity": lang.pick("相似度", "similarity"),
            "theme2": lang.pick("次近主题", "next theme"),
            "mixed": lang.pick("混合", "mixed"),
            "group": lang.pick("分组", "group"),
            "found": lang.pick("找到 {n} 条举措", "{n} measures"),
            "prompt": lang.pick("点击热力图格子、条形、章节色段或表格行，或搜索、筛选，列出举措。", "Click a heatmap cell, a bar, a section segment or a table row, or search and filter, to list measures."),
            "more": lang.pick("再显示 {n} 条", "Show {n} more"),
        },
    });
    script_safe(&data.to_string())
}

/// JSON text made safe inside a `<script>` element: `<`, `>`, `&`, U+2028 and U+2029 written as
/// `\u` escapes (they occur in JSON only inside strings, where the escape means the same).
fn script_safe(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// Renders the page; the charts are read back from `out` and inlined.
pub fn render_index(a: &Analysis, out: &Path, charts: &[&str]) -> Result<String> {
    let lang = a.config.report.lang;
    let l = |zh: &'static str, en: &'static str| lang.pick(zh, en);
    let k_how = match a.source {
        ThemeSource::Applied => l("来自已拟合的模型", "from a fitted model").to_string(),
        ThemeSource::Fitted if a.fit.scan.is_empty() => l("固定", "fixed").to_string(),
        ThemeSource::Fitted => format!(
            "{} k = {}..{}",
            l("按轮廓系数选自", "chosen by silhouette over"),
            a.fit.scan[0].k,
            a.fit.scan[a.fit.scan.len() - 1].k
        ),
    };
    let stability = a.stability.as_ref().map_or(
        l(
            "未测（用 --stability N 运行）",
            "not measured (run with --stability N)",
        )
        .to_string(),
        |st| {
            format!(
                "{} {} (ARI {:.2}), {} {} (ARI {:.2})",
                st.refits,
                l("次换种子重拟合", "refits with other seeds"),
                st.ari_seeds,
                st.refits,
                l("次自助重抽样", "on bootstrap samples"),
                st.ari_bootstrap
            )
        },
    );
    let mut figures = Vec::with_capacity(charts.len());
    for &chart in charts {
        let path = out.join(chart);
        let svg = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        let svg = svg.trim_start_matches(|c| c != '<');
        let svg = if svg.starts_with("<?xml") {
            &svg[svg.find("?>").map_or(0, |p| p + 2)..]
        } else {
            svg
        };
        figures.push(Figure {
            file: chart,
            title: title(chart, lang),
            svg: svg.to_string(),
        });
    }
    let followed = crate::recurrence::plans_followed(&a.units, &a.placements);
    let page = Index {
        lang,
        zh: lang == Lang::Zh,
        reports: a.reports.len(),
        skipped: &a.skipped,
        units: a.units.len(),
        unassigned: a.unassigned(),
        k: a.fit.k,
        k_how,
        groups: a.recurrence.groups.len(),
        group_by: crate::chart::GroupNoun::of(a.group_by()).pick(lang),
        model: model_line(a),
        stability,
        version: crate::VERSION,
        embedded: a.config.report.page_limit.min(a.units.len()),
        workbook_measures: a.config.report.xlsx && super::holds_measures(a.units.len()),
        figures,
        themes: theme_rows(a),
        group_rows: group_rows(a),
        change: change(a),
        followed: followed
            .iter()
            .map(|p| FollowedRow {
                township: &p.township,
                year: p.year,
                id: &a.themes[p.theme.index()].id,
                label: &a.themes[p.theme.index()].label,
                planned: p.planned,
                measures_next_year: p.measures_next_year,
            })
            .collect(),
        copies: copies(a),
        concreteness: concreteness(a),
        promises: promise_rows(a, &followed),
        warnings: &a.warnings,
        data: page_data(a),
    };
    Ok(page.render()?)
}

/// The model line of the summary: terms, LSA, method and seed; for `apply`, the model used and
/// when it was fitted.
fn model_line(a: &Analysis) -> String {
    let lang = a.config.report.lang;
    let fit = format!(
        "{} {}, LSA {} {} ({:.0}%), {}, {} {}",
        a.fit.terms,
        lang.pick("个词", "terms"),
        a.fit.dims,
        lang.pick("维", "dims"),
        a.fit.explained_variance * 100.0,
        a.fit.method,
        lang.pick("种子", "seed"),
        a.config.run.seed,
    );
    match (&a.source, &a.model.origin) {
        (ThemeSource::Applied, Some(origin)) => format!(
            "{} {} ({} {}, policy-themes {}); {fit}",
            lang.pick("已拟合的模型", "fitted model"),
            origin.path,
            lang.pick("拟合于", "fitted"),
            origin.fitted,
            a.model.program_version,
        ),
        _ => fit,
    }
}

/// The themes with their terms, sizes, recurrence, stability and examples.
fn theme_rows(a: &Analysis) -> Vec<ThemeRow<'_>> {
    let lang = a.config.report.lang;
    a.themes
        .iter()
        .enumerate()
        .map(|(t, theme)| {
            let stability = a.stability.as_ref().map(|st| st.per_theme[t]);
            ThemeRow {
                id: &theme.id,
                label: &theme.label,
                terms: theme
                    .top_terms
                    .iter()
                    .map(|(term, _)| term.as_str())
                    .collect(),
                size: theme.size,
                groups: a.recurrence.theme_groups[t],
                recurrence: format!("{:.4}", a.recurrence.recurrence[t]),
                recurrence_pct: format!("{:.0}%", a.recurrence.recurrence[t] * 100.0),
                stability_v: stability.unwrap_or(-1.0).to_string(),
                stability: stability.map_or("–".to_string(), |s| format!("{s:.2}")),
                examples: theme
                    .examples
                    .iter()
                    .map(|u| {
                        let unit = &a.units[u.index()];
                        Example {
                            excerpt: excerpt(&unit.text, 120),
                            footer: [
                                unit.id.as_str(),
                                unit.meta.township.as_deref().unwrap_or(""),
                                kind_name(unit.section_kind, lang),
                            ]
                            .into_iter()
                            .filter(|p| !p.trim().is_empty())
                            .collect(),
                        }
                    })
                    .collect(),
            }
        })
        .collect()
}

/// The groups with their units and most distinctive themes: lift with its 95% Wilson interval,
/// groups with fewer than `report.min_units` units marked as small numbers.
fn group_rows(a: &Analysis) -> Vec<GroupRow<'_>> {
    let min = a.config.report.min_units;
    let r = &a.recurrence;
    let k = a.themes.len();
    let overall: Vec<usize> = (0..k)
        .map(|t| r.counts.iter().map(|c| c[t]).sum())
        .collect();
    let assigned: usize = overall.iter().sum::<usize>().max(1);
    r.groups
        .iter()
        .enumerate()
        .map(|(g, group)| {
            let in_group: usize = r.counts[g].iter().sum();
            let mut tops: Vec<usize> = (0..k).filter(|&t| r.counts[g][t] > 0).collect();
            tops.sort_by(|&x, &y| r.lift[g][y].total_cmp(&r.lift[g][x]).then(x.cmp(&y)));
            let tops = tops
                .iter()
                .take(3)
                .map(|&t| {
                    let base = overall[t] as f64 / assigned as f64;
                    let (lo, hi) = crate::recurrence::wilson(r.counts[g][t], in_group);
                    Top {
                        id: &a.themes[t].id,
                        label: &a.themes[t].label,
                        figures: format!(
                            "({:.1}× [{:.1}–{:.1}], n = {})",
                            r.lift[g][t],
                            lo / base,
                            hi / base,
                            r.counts[g][t]
                        ),
                    }
                })
                .collect();
            GroupRow {
                name: group,
                small: r.group_totals[g] < min,
                total: r.group_totals[g],
                tops,
            }
        })
        .collect()
}

/// The change between the first and last years with enough units, with a note when the two
/// years come from different groups (then the change is a group difference, not a time effect).
fn change(a: &Analysis) -> Option<Change<'_>> {
    let min = a.config.report.min_units;
    let (first, last, change) = crate::recurrence::year_change(&a.recurrence, min)?;
    let groups_in = |year: u16| -> std::collections::BTreeSet<String> {
        a.units
            .iter()
            .filter(|u| u.meta.year == Some(year))
            .map(|u| crate::recurrence::group_of(&u.meta, a.group_by()))
            .collect()
    };
    let n = change.len();
    let rows = change
        .iter()
        .take(5)
        .chain(change.iter().skip(5.max(n.saturating_sub(5))))
        .map(|c| ChangeRow {
            theme: c.theme.index(),
            id: &a.themes[c.theme.index()].id,
            label: &a.themes[c.theme.index()].label,
            counts: format!("{} → {}", c.first_count, c.last_count),
            shares: format!(
                "{:.0}% → {:.0}%",
                c.first_share * 100.0,
                c.last_share * 100.0
            ),
            points_v: format!("{:.4}", c.points()),
            points: format!("{:+.1}", c.points()),
        })
        .collect();
    Some(Change {
        first,
        last,
        min,
        disjoint: groups_in(first).is_disjoint(&groups_in(last)),
        rows,
    })
}

/// Copied passages listed on the page.
const PASSAGES: usize = 10;
/// Reports listed by copied share.
const COPYING_REPORTS: usize = 20;

/// Copied text: the pairs found, the reports by copied share, the largest copied passages.
fn copies(a: &Analysis) -> Copies<'_> {
    let group = |u: usize| crate::recurrence::group_of(&a.units[u].meta, a.group_by());
    let across = a
        .copies
        .pairs
        .iter()
        .filter(|p| a.units[p.a.index()].report != a.units[p.b.index()].report)
        .count();
    let pairs = a.copies.pairs.len();
    let mut reports: Vec<usize> = (0..a.reports.len())
        .filter(|&r| a.copies.copied_share[r] > 0.0)
        .collect();
    reports.sort_by(|&x, &y| {
        a.copies.copied_share[y]
            .total_cmp(&a.copies.copied_share[x])
            .then(x.cmp(&y))
    });
    Copies {
        pairs,
        across,
        within: pairs - across,
        threshold: a.config.copies.threshold,
        shingle: a.config.copies.shingle,
        candidates: a.copies.candidates,
        reports: reports
            .iter()
            .take(COPYING_REPORTS)
            .map(|&r| {
                let report = &a.reports[r];
                let copied = a.copies.copied_share[r];
                CopyingReport {
                    id: &report.id,
                    group: crate::recurrence::group_of(&report.meta, a.group_by()),
                    file: &report.file,
                    share_v: format!("{copied:.4}"),
                    share: format!("{:.0}%", copied * 100.0),
                }
            })
            .collect(),
        passages: largest_passages(a)
            .into_iter()
            .map(|(u, copies)| {
                let unit = &a.units[u];
                Passage {
                    excerpt: excerpt(&unit.text, 160),
                    id: &unit.id,
                    group: group(u),
                    chars: unit.text.chars().count(),
                    copies: copies
                        .iter()
                        .map(|&(v, sim)| PassageCopy {
                            id: &a.units[v].id,
                            group: group(v),
                            similarity: format!("{sim:.2}"),
                        })
                        .collect(),
                }
            })
            .collect(),
    }
}

/// The longest units with a copy in another report, each with its copies there (unit and
/// similarity, most similar first); a unit already listed as a copy is not listed again.
fn largest_passages(a: &Analysis) -> Vec<(usize, Vec<(usize, f64)>)> {
    let mut copies: std::collections::BTreeMap<usize, Vec<(usize, f64)>> = Default::default();
    for p in &a.copies.pairs {
        let (x, y) = (p.a.index(), p.b.index());
        if a.units[x].report != a.units[y].report {
            copies.entry(x).or_default().push((y, p.similarity));
            copies.entry(y).or_default().push((x, p.similarity));
        }
    }
    // Longest first: each length counted once (a sort's comparisons would count each unit's
    // characters again and again, most of the write stage on millions of copy pairs).
    let mut order: Vec<usize> = copies.keys().copied().collect();
    order.sort_by_cached_key(|&u| (std::cmp::Reverse(a.units[u].text.chars().count()), u));
    let mut shown = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for u in order {
        if out.len() == PASSAGES {
            break;
        }
        if shown.contains(&u) {
            continue;
        }
        let mut list = copies.remove(&u).unwrap_or_default();
        list.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
        shown.insert(u);
        shown.extend(list.iter().map(|&(v, _)| v));
        out.push((u, list));
    }
    out
}

/// Concreteness: the most and least concrete themes, and a table of every theme.
fn concreteness(a: &Analysis) -> Concreteness<'_> {
    let k = a.themes.len();
    let (mut with, mut quantities, mut slogan) = (vec![0usize; k], vec![0usize; k], vec![0.0; k]);
    for (placement, c) in a.placements.iter().zip(a.concreteness.iter()) {
        let Some(t) = placement.map(|p| p.theme.index()) else {
            continue;
        };
        with[t] += usize::from(!c.quantities.is_empty());
        quantities[t] += c.quantities.len();
        slogan[t] += c.slogan_share;
    }
    let share = |t: usize| with[t] as f64 / a.themes[t].size.max(1) as f64;
    let mut order: Vec<usize> = (0..k).filter(|&t| a.themes[t].size > 0).collect();
    order.sort_by(|&x, &y| share(y).total_cmp(&share(x)).then(x.cmp(&y)));
    let name = |&t: &usize| ThemeShare {
        id: &a.themes[t].id,
        label: &a.themes[t].label,
        share: format!("{:.0}%", share(t) * 100.0),
    };
    Concreteness {
        most: order.iter().take(3).map(name).collect(),
        least: order.iter().rev().take(3).map(name).collect(),
        rows: order
            .iter()
            .map(|&t| {
                let size = a.themes[t].size;
                let slogans = slogan[t] / size.max(1) as f64;
                ConcreteRow {
                    theme: t,
                    id: &a.themes[t].id,
                    label: &a.themes[t].label,
                    size,
                    with: with[t],
                    share_v: format!("{:.4}", share(t)),
                    share: format!("{:.0}%", share(t) * 100.0),
                    quantities: quantities[t],
                    slogans_v: format!("{slogans:.4}"),
                    slogans: format!("{:.0}%", slogans * 100.0),
                }
            })
            .collect(),
    }
}

/// Promises across the corpus: per theme, the townships that planned it and followed it up.
fn promise_rows<'a>(
    a: &'a Analysis,
    followed: &[crate::recurrence::PlanFollowed],
) -> Vec<PromiseRow<'a>> {
    crate::recurrence::promises(followed)
        .iter()
        .map(|p| PromiseRow {
            theme: p.theme.index(),
            id: &a.themes[p.theme.index()].id,
            label: &a.themes[p.theme.index()].label,
            planned: p.townships_planned,
            followed: p.townships_followed,
            share_v: format!("{:.4}", p.share_followed()),
            share: format!("{:.0}%", p.share_followed() * 100.0),
            plans: p.plans,
            plans_followed: p.plans_followed,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_json_cannot_close_its_script_and_reads_back_the_same() {
        let hostile =
            "</script><script>alert(1)</script><!--<img src=x onerror=alert(2)>\u{2028}\u{2029}&";
        let json = serde_json::json!({ "text": hostile }).to_string();
        let safe = script_safe(&json);
        for bad in ["<", ">", "\u{2028}", "\u{2029}", "&"] {
            assert!(!safe.contains(bad), "{bad:?} left in {safe}");
        }
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back["text"], hostile);
    }

    #[test]
    fn excerpts_cut_at_characters() {
        let e = excerpt("一二三四", 2);
        assert_eq!((e.cut, e.more), ("一二", "…"));
        let e = excerpt("一二", 2);
        assert_eq!((e.cut, e.more), ("一二", ""));
    }
}
