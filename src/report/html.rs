//! `index.html`: one self-contained page (charts inline, no network): summary, every chart with a
//! caption saying how to read it, the themes table with examples, the group table, skipped files.

use crate::error::{Error, Result};
use crate::pipeline::{Analysis, ThemeSource};
use std::fmt::Write;
use std::path::Path;

/// Escapes text for HTML.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

/// What each chart shows and how to read it.
fn caption(chart: &str) -> (&'static str, &'static str) {
    match chart {
        "heatmap.svg" => (
            "Themes by group",
            "Each cell is the share of a group's measures that fall in a theme; darker means a larger share. Hover a cell for counts and example measures.",
        ),
        "recurrence.svg" => (
            "Recurrence",
            "Themes sorted by the number of groups they recur in: long bars are shared across townships, short ones are local.",
        ),
        "terms.svg" => (
            "Distinctive terms",
            "The terms that set each theme apart from the others (class-based TF-IDF weight).",
        ),
        "map.svg" => (
            "Map of measures",
            "Each dot is a measure on the first two LSA dimensions, coloured by theme; nearby dots use similar words.",
        ),
        "sections.svg" => (
            "Themes by section kind",
            "The theme mix of what townships did (measures), the leaders' duties, the shortcomings they admit and what they plan.",
        ),
        "k.svg" => (
            "Choosing k",
            "Mean silhouette for each number of themes tried on a sample; the marked k was chosen.",
        ),
        "copies.svg" => (
            "Copied text between groups",
            "Each cell counts the measures of one group that nearly repeat a measure of another (Jaccard ≥ the threshold on 5-character shingles); the diagonal counts copies within a group. Numbers on the axis name the rows. Hover a cell for the most similar pair.",
        ),
        "concreteness.svg" => (
            "Concreteness by group and theme",
            "Each cell is the share of a group's measures in a theme that report at least one quantity (a number with a unit word: 120余起, 三百多家, 98%). – marks a theme the group has no measures in.",
        ),
        "years.svg" => (
            "Themes by year",
            "Each theme's share of the measures reported for each year.",
        ),
        _ => ("Chart", ""),
    }
}

/// Renders the page; the charts are read back from `out` and inlined.
pub fn render_index(a: &Analysis, out: &Path, charts: &[&str]) -> Result<String> {
    let mut h = String::new();
    let groups = a.recurrence.groups.len();
    let k_how = match a.source {
        ThemeSource::Applied => "from a fitted model".to_string(),
        ThemeSource::Fitted if a.fit.scan.is_empty() => "fixed".to_string(),
        ThemeSource::Fitted => format!(
            "chosen by silhouette over k = {}..{}",
            a.fit.scan[0].k,
            a.fit.scan[a.fit.scan.len() - 1].k
        ),
    };
    let _ = write!(
        h,
        r#"<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>policy-themes — 政策主题</title>
<style>
body{{font-family:"Noto Sans CJK SC","Source Han Sans SC","WenQuanYi Micro Hei","Microsoft YaHei","PingFang SC",sans-serif;margin:2em auto;max-width:1200px;padding:0 1em;color:#222;line-height:1.5}}
h1{{font-size:1.6em}} h2{{margin-top:2em;border-bottom:1px solid #ccc}}
table{{border-collapse:collapse;font-size:.9em;margin:.5em 0}} td,th{{border:1px solid #ddd;padding:.3em .5em;vertical-align:top;text-align:left}}
th{{background:#f4f4f4}} td.n{{text-align:right;font-variant-numeric:tabular-nums}}
figure{{margin:1.5em 0;overflow-x:auto}} figcaption{{color:#555;margin:.3em 0}} .ex{{color:#333;font-size:.92em}}
.meta{{color:#666;font-size:.85em}} dl.summary{{display:grid;grid-template-columns:max-content auto;gap:.2em 1.2em}} dt{{font-weight:bold}}
</style></head><body>
<h1>政策主题 · Policy themes</h1>
<dl class="summary">
<dt>Reports</dt><dd>{reports} read, {skipped} skipped</dd>
<dt>Measures</dt><dd>{units} units ({unassigned} unassigned)</dd>
<dt>Themes</dt><dd>k = {k}, {k_how}{source}</dd>
<dt>Groups</dt><dd>{groups} ({group_by:?})</dd>
<dt>Model</dt><dd>{terms} terms, LSA {dims} dims ({ev:.0}% of variance), {method}, seed {seed}</dd>
<dt>Stability</dt><dd>{stability}</dd>
<dt>Version</dt><dd>policy-themes {version}</dd>
</dl>
"#,
        reports = a.reports.len(),
        skipped = a.skipped.len(),
        units = a.units.len(),
        unassigned = a.unassigned(),
        k = a.fit.k,
        source = if a.source == ThemeSource::Applied { " — themes come from a fitted model" } else { "" },
        group_by = a.group_by(),
        terms = a.fit.terms,
        dims = a.fit.dims,
        ev = a.fit.explained_variance * 100.0,
        method = a.fit.method,
        seed = a.config.cluster.seed,
        version = crate::VERSION,
        stability = a.stability.as_ref().map_or("not measured (run with --stability N)".to_string(), |st| format!(
            "{} refits with other seeds (mean ARI {:.2}) and {} on bootstrap samples (mean ARI {:.2}); per theme in the table",
            st.refits, st.ari_seeds, st.refits, st.ari_bootstrap
        )),
    );
    for chart in charts {
        let path = out.join(chart);
        let svg = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        let svg = svg.trim_start_matches(|c| c != '<');
        let svg = if svg.starts_with("<?xml") {
            &svg[svg.find("?>").map_or(0, |p| p + 2)..]
        } else {
            svg
        };
        let (title, how) = caption(chart);
        let _ = write!(
            h,
            "<h2>{title}</h2>\n<figure>{svg}\n<figcaption>{how} (<a href=\"{chart}\">{chart}</a>)</figcaption></figure>\n"
        );
    }
    h.push_str("<h2>Themes</h2>\n<table><tr><th>theme</th><th>label</th><th>top terms</th><th>size</th><th>groups</th><th>recurrence</th><th>stability</th><th>examples</th></tr>\n");
    for (t, theme) in a.themes.iter().enumerate() {
        let terms = theme
            .top_terms
            .iter()
            .map(|(term, _)| esc(term))
            .collect::<Vec<_>>()
            .join("、");
        let mut examples = String::new();
        for &u in &theme.examples {
            let unit = &a.units[u];
            let text: String = unit.text.chars().take(120).collect();
            let more = if unit.text.chars().count() > 120 {
                "…"
            } else {
                ""
            };
            let _ = write!(
                examples,
                "<div class=\"ex\">{text}{more} <span class=\"meta\">— {id}, {town}, {kind}</span></div>",
                text = esc(&text),
                id = esc(&unit.id),
                town = esc(unit.meta.township.as_deref().unwrap_or("")),
                kind = unit.section_kind,
            );
        }
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{:.0}%</td><td class=\"n\">{}</td><td>{}</td></tr>",
            theme.id,
            esc(&theme.label),
            terms,
            theme.size,
            a.recurrence.theme_groups[t],
            a.recurrence.recurrence[t] * 100.0,
            a.stability
                .as_ref()
                .map_or("–".to_string(), |st| format!("{:.2}", st.per_theme[t])),
            examples
        );
    }
    h.push_str("</table>\n<h2>Groups</h2>\n<table><tr><th>group</th><th>units</th><th>top themes (lift)</th></tr>\n");
    for (g, group) in a.recurrence.groups.iter().enumerate() {
        let mut tops: Vec<usize> = (0..a.themes.len())
            .filter(|&t| a.recurrence.counts[g][t] > 0)
            .collect();
        tops.sort_by(|&x, &y| {
            a.recurrence.lift[g][y]
                .total_cmp(&a.recurrence.lift[g][x])
                .then(x.cmp(&y))
        });
        let tops = tops
            .iter()
            .take(3)
            .map(|&t| {
                format!(
                    "{} {} ({:.1}×)",
                    a.themes[t].id,
                    esc(&a.themes[t].label),
                    a.recurrence.lift[g][t]
                )
            })
            .collect::<Vec<_>>()
            .join("; ");
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
            esc(group),
            a.recurrence.group_totals[g],
            tops
        );
    }
    h.push_str("</table>\n");
    if let Some((first, last, change)) = crate::recurrence::year_change(&a.recurrence) {
        let _ = writeln!(
            h,
            "<h2>Change {first} → {last}</h2>\n<p>Themes that grew and shrank most, in share points of each year's measures.</p>"
        );
        h.push_str("<table><tr><th>theme</th><th>label</th><th>units</th><th>share</th><th>change</th></tr>\n");
        let n = change.len();
        for c in change
            .iter()
            .take(5)
            .chain(change.iter().skip(5.max(n.saturating_sub(5))))
        {
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{}</td><td class=\"n\">{} → {}</td><td class=\"n\">{:.0}% → {:.0}%</td><td class=\"n\">{:+.1} pts</td></tr>",
                a.themes[c.theme].id,
                esc(&a.themes[c.theme].label),
                c.first_count,
                c.last_count,
                c.first_share * 100.0,
                c.last_share * 100.0,
                c.points()
            );
        }
        h.push_str("</table>\n");
    }
    let followed = crate::recurrence::plans_followed(&a.units, &a.assignments);
    if !followed.is_empty() {
        h.push_str("<h2>Plans followed</h2>\n<p>For townships with reports for consecutive years: each theme planned in a year, and its measures the next year (plans_followed.csv).</p>\n");
        h.push_str("<table><tr><th>township</th><th>year</th><th>theme planned</th><th>plan units</th><th>measures next year</th></tr>\n");
        for p in &followed {
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{} {}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                esc(&p.township),
                p.year,
                a.themes[p.theme].id,
                esc(&a.themes[p.theme].label),
                p.planned,
                if p.measures_next_year > 0 {
                    p.measures_next_year.to_string()
                } else {
                    "none".to_string()
                }
            );
        }
        h.push_str("</table>\n");
    }
    copies_section(a, &mut h);
    concreteness_section(a, &mut h);
    promises_section(a, &followed, &mut h);
    h.push_str("<h2>Skipped files</h2>\n");
    if a.skipped.is_empty() {
        h.push_str("<p>None: every input file was read.</p>\n");
    } else {
        h.push_str("<table><tr><th>file</th><th>reason</th></tr>\n");
        for s in &a.skipped {
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{}</td></tr>",
                esc(&s.file),
                esc(&s.reason)
            );
        }
        h.push_str("</table>\n");
    }
    if !a.warnings.is_empty() {
        h.push_str("<h2>Warnings</h2>\n<ul>\n");
        for w in &a.warnings {
            let _ = writeln!(h, "<li>{}</li>", esc(w));
        }
        h.push_str("</ul>\n");
    }
    h.push_str("<p class=\"meta\">Tables: measures.csv, reports.csv, themes.csv, group_theme.csv, copies.csv, concreteness.csv, themes.json; run details in run.json; the fitted model in model/.</p>\n</body></html>\n");
    Ok(h)
}

/// Copied passages listed on the page.
const PASSAGES: usize = 10;
/// Reports listed by copied share.
const COPYING_REPORTS: usize = 20;

/// `text` cut to `n` characters, with `…` when cut, escaped.
fn excerpt(text: &str, n: usize) -> String {
    let cut: String = text.chars().take(n).collect();
    let more = if text.chars().count() > n { "…" } else { "" };
    format!("{}{more}", esc(&cut))
}

/// Copied text: the pairs found, the reports by copied share, the largest copied passages.
fn copies_section(a: &Analysis, h: &mut String) {
    let across = a
        .copies
        .pairs
        .iter()
        .filter(|p| a.units[p.a as usize].report != a.units[p.b as usize].report)
        .count();
    let _ = writeln!(
        h,
        "<h2>Copied text</h2>\n<p>{} near-duplicate measure pairs (Jaccard ≥ {} on {}-character shingles, found by MinHash and LSH from {} candidates): {across} between reports, {} within one (copies.csv). A report's <em>copied share</em> is the share of its measures' characters in measures with a copy in another report (reports.csv).</p>",
        a.copies.pairs.len(),
        a.config.copies.threshold,
        a.config.copies.shingle,
        a.copies.candidates,
        a.copies.pairs.len() - across,
    );
    let mut reports: Vec<usize> = (0..a.reports.len())
        .filter(|&r| a.copies.copied_share[r] > 0.0)
        .collect();
    reports.sort_by(|&x, &y| {
        a.copies.copied_share[y]
            .total_cmp(&a.copies.copied_share[x])
            .then(x.cmp(&y))
    });
    if !reports.is_empty() {
        h.push_str(
            "<table><tr><th>report</th><th>group</th><th>file</th><th>copied share</th></tr>\n",
        );
        for &r in reports.iter().take(COPYING_REPORTS) {
            let report = &a.reports[r];
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{:.0}%</td></tr>",
                esc(&report.id),
                esc(&crate::recurrence::group_of(&report.meta, a.group_by())),
                esc(&report.file),
                a.copies.copied_share[r] * 100.0
            );
        }
        h.push_str("</table>\n");
    }
    let passages = largest_passages(a);
    if passages.is_empty() {
        h.push_str("<p>No measure has a copy in another report.</p>\n");
        return;
    }
    h.push_str("<h3>Largest copied passages</h3>\n<table><tr><th>passage</th><th>copies in other reports</th></tr>\n");
    for (u, copies) in passages {
        let unit = &a.units[u];
        let group = |u: usize| crate::recurrence::group_of(&a.units[u].meta, a.group_by());
        let listed = copies
            .iter()
            .map(|&(v, sim)| format!("{} {} ({sim:.2})", esc(&a.units[v].id), esc(&group(v))))
            .collect::<Vec<_>>()
            .join("<br>");
        let _ = writeln!(
            h,
            "<tr><td><div class=\"ex\">{} <span class=\"meta\">— {}, {}, {} characters</span></div></td><td>{listed}</td></tr>",
            excerpt(&unit.text, 160),
            esc(&unit.id),
            esc(&group(u)),
            unit.text.chars().count()
        );
    }
    h.push_str("</table>\n");
}

/// The longest units with a copy in another report, each with its copies there (unit and
/// similarity, most similar first); a unit already listed as a copy is not listed again.
fn largest_passages(a: &Analysis) -> Vec<(usize, Vec<(usize, f64)>)> {
    let mut copies: std::collections::BTreeMap<usize, Vec<(usize, f64)>> = Default::default();
    for p in &a.copies.pairs {
        let (x, y) = (p.a as usize, p.b as usize);
        if a.units[x].report != a.units[y].report {
            copies.entry(x).or_default().push((y, p.similarity));
            copies.entry(y).or_default().push((x, p.similarity));
        }
    }
    let mut order: Vec<usize> = copies.keys().copied().collect();
    let len = |u: usize| a.units[u].text.chars().count();
    order.sort_by(|&x, &y| len(y).cmp(&len(x)).then(x.cmp(&y)));
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
fn concreteness_section(a: &Analysis, h: &mut String) {
    let k = a.themes.len();
    let (mut with, mut quantities, mut slogan) = (vec![0usize; k], vec![0usize; k], vec![0.0; k]);
    for (theme, c) in a.assignments.iter().zip(&a.concreteness) {
        let Some(t) = *theme else { continue };
        with[t] += usize::from(!c.quantities.is_empty());
        quantities[t] += c.quantities.len();
        slogan[t] += c.slogan_share;
    }
    let share = |t: usize| with[t] as f64 / a.themes[t].size.max(1) as f64;
    let mut order: Vec<usize> = (0..k).filter(|&t| a.themes[t].size > 0).collect();
    order.sort_by(|&x, &y| share(y).total_cmp(&share(x)).then(x.cmp(&y)));
    h.push_str("<h2>Concreteness</h2>\n");
    let name = |t: usize| {
        format!(
            "{} {} ({:.0}%)",
            a.themes[t].id,
            esc(&a.themes[t].label),
            share(t) * 100.0
        )
    };
    let most: Vec<String> = order.iter().take(3).map(|&t| name(t)).collect();
    let least: Vec<String> = order.iter().rev().take(3).map(|&t| name(t)).collect();
    let _ = writeln!(
        h,
        "<p>A measure is concrete when it reports a quantity: a number with a unit word (120余起, 三百多家, 1.2万人, 百分之九十), not a year, an ordinal or an article number. Most concrete themes: {}. Least concrete: {}. Shares per group and theme in concreteness.csv; each measure's count in measures.csv (<code>quantities</code>), with <code>slogan_share</code>, the share of its characters in stop phrases (slogans and set formulas).</p>",
        most.join("; "),
        least.join("; ")
    );
    h.push_str("<table><tr><th>theme</th><th>label</th><th>units</th><th>with a quantity</th><th>quantities</th><th>mean slogan share</th></tr>\n");
    for &t in &order {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{} ({:.0}%)</td><td class=\"n\">{}</td><td class=\"n\">{:.0}%</td></tr>",
            a.themes[t].id,
            esc(&a.themes[t].label),
            a.themes[t].size,
            with[t],
            share(t) * 100.0,
            quantities[t],
            slogan[t] / a.themes[t].size.max(1) as f64 * 100.0
        );
    }
    h.push_str("</table>\n");
}

/// Promises across the corpus: per theme, the townships that planned it and followed it up.
fn promises_section(a: &Analysis, followed: &[crate::recurrence::PlanFollowed], h: &mut String) {
    h.push_str("<h2>Promises kept across the corpus</h2>\n");
    let promises = crate::recurrence::promises(followed);
    if promises.is_empty() {
        h.push_str("<p>No township has reports for two consecutive years with plans: no promise can be followed.</p>\n");
        return;
    }
    h.push_str("<p>Per theme: the townships that planned it in a year t for which the corpus has their report for t + 1, and those whose measures in t + 1 include it (promises.csv).</p>\n");
    h.push_str("<table><tr><th>theme</th><th>label</th><th>townships planning</th><th>followed next year</th><th>plans (township-years)</th><th>followed</th></tr>\n");
    for p in &promises {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{} ({:.0}%)</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            a.themes[p.theme].id,
            esc(&a.themes[p.theme].label),
            p.townships_planned,
            p.townships_followed,
            p.share_followed() * 100.0,
            p.plans,
            p.plans_followed
        );
    }
    h.push_str("</table>\n");
}
