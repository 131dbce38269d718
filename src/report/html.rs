//! `index.html`: one self-contained page (charts inline, no network): summary, every chart with a
//! caption saying how to read it, the themes table with examples, the group table, skipped files.

use crate::analysis::{Analysis, ThemeSource};
use crate::config::Lang;
use crate::corpus::SectionKind;
use crate::error::{Error, Result};
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

/// What each chart shows and how to read it, in the page's language.
fn caption(chart: &str, lang: Lang) -> (&'static str, &'static str) {
    let (zh, en) = match chart {
        "heatmap.svg" => (
            (
                "主题 × 分组",
                "每格是该组举措落在该主题的比例，颜色越深比例越大；灰格的单位数少于最低数（格内写 数量/总数）。点击格子列出其中的举措。",
            ),
            (
                "Themes by group",
                "Each cell is the share of a group's measures that fall in a theme; darker means a larger share. Grey cells rest on fewer units than the minimum (count/total written). Click a cell to list its measures.",
            ),
        ),
        "recurrence.svg" => (
            (
                "主题复现",
                "按出现的分组数排序：长条为各地共有的主题，短条为地方性主题。点击条形列出该主题的举措。",
            ),
            (
                "Recurrence",
                "Themes sorted by the number of groups they recur in: long bars are shared across townships, short ones are local. Click a bar for its measures.",
            ),
        ),
        "terms.svg" => (
            ("区分性词语", "区分各主题的词语（类别 TF-IDF 权重）。"),
            (
                "Distinctive terms",
                "The terms that set each theme apart from the others (class-based TF-IDF weight).",
            ),
        ),
        "map.svg" => (
            (
                "举措分布图",
                "每点为一条举措，位于前两个 LSA 维度上，按主题着色；相近的点用词相近。",
            ),
            (
                "Map of measures",
                "Each dot is a measure on the first two LSA dimensions, coloured by theme; nearby dots use similar words.",
            ),
        ),
        "sections.svg" => (
            (
                "各章节的主题构成",
                "举措成效、第一责任人、不足问题与下年计划各自的主题构成。点击色段列出其举措。",
            ),
            (
                "Themes by section kind",
                "The theme mix of what townships did (measures), the leaders' duties, the shortcomings they admit and what they plan. Click a segment for its measures.",
            ),
        ),
        "k.svg" => (
            (
                "选择主题数 k",
                "样本上各 k 的平均轮廓系数；标出的 k 为所选。",
            ),
            (
                "Choosing k",
                "Mean silhouette for each number of themes tried on a sample; the marked k was chosen.",
            ),
        ),
        "copies.svg" => (
            (
                "分组间的复制文本",
                "每格为一组举措与另一组举措近乎重复的数量（5 字片段 Jaccard ≥ 阈值）；对角线为组内复制。",
            ),
            (
                "Copied text between groups",
                "Each cell counts the measures of one group that nearly repeat a measure of another (Jaccard ≥ the threshold on 5-character shingles); the diagonal counts copies within a group. Numbers on the axis name the rows. Hover a cell for the most similar pair.",
            ),
        ),
        "concreteness.svg" => (
            (
                "各组各主题的具体程度",
                "每格为该组该主题举措中报告了数量（带单位的数字：120余起、三百多家、98%）的比例；– 表示该组无此主题。",
            ),
            (
                "Concreteness by group and theme",
                "Each cell is the share of a group's measures in a theme that report at least one quantity (a number with a unit word: 120余起, 三百多家, 98%). – marks a theme the group has no measures in.",
            ),
        ),
        "years.svg" => (
            (
                "各年度的主题",
                "各主题占每年举措的比例。点击色段列出其举措。",
            ),
            (
                "Themes by year",
                "Each theme's share of the measures reported for each year. Click a segment for its measures.",
            ),
        ),
        "stability.svg" => (
            (
                "主题稳定性",
                "各主题在换种子与自助重抽样重拟合中与最佳匹配的平均重合度。",
            ),
            (
                "Theme stability",
                "Mean overlap of each theme's units with its best match over refits with other seeds and bootstrap samples.",
            ),
        ),
        _ => (("图", ""), ("Chart", "")),
    };
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
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
            let theme = a.assignments[u].map_or(-1, |t| t as i64);
            let (theme2, sim2) = a.second[u].map_or((-1, 0.0), |(t, s)| (t as i64, s));
            let mixed = theme >= 0 && theme2 >= 0 && sim2 >= MIXED * a.similarity[u];
            serde_json::json!([
                unit.id,
                index.get(group.as_str()).copied().unwrap_or(0),
                theme,
                theme2,
                round4(a.similarity[u]),
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

/// A section kind's name in the page's language (举措成效, 第一责任人, 不足问题, 下年计划…).
fn kind_name(kind: SectionKind, lang: Lang) -> &'static str {
    let (zh, en) = crate::chart::sections::kind_names(kind);
    lang.pick(zh, en)
}

/// `parts` that are not empty, joined by `, `: a footer never shows an empty field.
fn footer(parts: &[&str]) -> String {
    parts
        .iter()
        .filter(|p| !p.trim().is_empty())
        .map(|p| esc(p))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Renders the page; the charts are read back from `out` and inlined.
pub fn render_index(a: &Analysis, out: &Path, charts: &[&str]) -> Result<String> {
    let lang = a.config.report.lang;
    let l = |zh: &'static str, en: &'static str| lang.pick(zh, en);
    let mut h = String::new();
    let groups = a.recurrence.groups.len();
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
    let embedded = a.config.report.page_limit.min(a.units.len());
    let _ = write!(
        h,
        r#"<!DOCTYPE html>
<html lang="{html_lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>policy-themes — {title}</title>
<style>
{css}</style></head><body>
<h1>{title}</h1>
<dl class="summary">
<dt>{l_reports}</dt><dd>{reports} {l_read}, {skipped} {l_skipped}</dd>
<dt>{l_units}</dt><dd>{units} ({unassigned} {l_unassigned})</dd>
<dt>{l_themes}</dt><dd>k = {k}, {k_how}</dd>
<dt>{l_groups}</dt><dd>{groups} ({group_by})</dd>
<dt>{l_model}</dt><dd>{model}</dd>
<dt>{l_stability}</dt><dd>{stability}</dd>
<dt>{l_version}</dt><dd>policy-themes {version}</dd>
</dl>
"#,
        html_lang = l("zh-CN", "en"),
        title = l("政策主题", "Policy themes"),
        css = include_str!("page.css"),
        l_reports = l("报告", "Reports"),
        l_read = l("份已读", "read"),
        l_skipped = l("份跳过", "skipped"),
        l_units = l("举措", "Measures"),
        l_unassigned = l("条未归类", "unassigned"),
        l_themes = l("主题", "Themes"),
        l_groups = l("分组", "Groups"),
        l_model = l("模型", "Model"),
        l_stability = l("稳定性", "Stability"),
        l_version = l("版本", "Version"),
        reports = a.reports.len(),
        skipped = a.skipped.len(),
        units = a.units.len(),
        unassigned = a.unassigned(),
        k = a.fit.k,
        group_by = crate::chart::GroupNoun::of(a.group_by()).pick(lang),
        model = model_line(a),
        version = crate::VERSION,
        stability = a.stability.as_ref().map_or(
            l(
                "未测（用 --stability N 运行）",
                "not measured (run with --stability N)"
            )
            .to_string(),
            |st| format!(
                "{} {} (ARI {:.2}), {} {} (ARI {:.2})",
                st.refits,
                l("次换种子重拟合", "refits with other seeds"),
                st.ari_seeds,
                st.refits,
                l("次自助重抽样", "on bootstrap samples"),
                st.ari_bootstrap
            )
        ),
    );
    drill_section(a, embedded, &mut h);
    for chart in charts {
        let path = out.join(chart);
        let svg = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        let svg = svg.trim_start_matches(|c| c != '<');
        let svg = if svg.starts_with("<?xml") {
            &svg[svg.find("?>").map_or(0, |p| p + 2)..]
        } else {
            svg
        };
        let (title, how) = caption(chart, lang);
        let _ = write!(
            h,
            "<h2>{title}</h2>\n<figure>{svg}\n<figcaption>{how} (<a href=\"{chart}\">{chart}</a>)</figcaption></figure>\n"
        );
    }
    themes_table(a, &mut h);
    groups_table(a, &mut h);
    year_change_section(a, &mut h);
    let followed = crate::recurrence::plans_followed(&a.units, &a.assignments);
    if !followed.is_empty() {
        let _ = writeln!(
            h,
            "<h2>{}</h2>\n<p>{}</p>",
            l("计划的落实", "Plans followed"),
            l(
                "有连续年度报告的乡镇：某年计划的各主题，及其次年的举措（plans_followed.csv）。",
                "For townships with reports for consecutive years: each theme planned in a year, and its measures the next year (plans_followed.csv)."
            )
        );
        let _ = writeln!(
            h,
            "<table class=\"sortable\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
            l("乡镇", "township"),
            l("年份", "year"),
            l("计划的主题", "theme planned"),
            l("计划条数", "plan units"),
            l("次年举措", "measures next year")
        );
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
                    l("无", "none").to_string()
                }
            );
        }
        h.push_str("</tbody></table>\n");
    }
    copies_section(a, &mut h);
    concreteness_section(a, &mut h);
    promises_section(a, &followed, &mut h);
    let _ = writeln!(h, "<h2>{}</h2>", l("跳过的文件", "Skipped files"));
    if a.skipped.is_empty() {
        let _ = writeln!(
            h,
            "<p>{}</p>",
            l(
                "无：每个输入文件都已读取。",
                "None: every input file was read."
            )
        );
    } else {
        let _ = writeln!(
            h,
            "<table class=\"sortable\"><thead><tr><th>{}</th><th>{}</th></tr></thead><tbody>",
            l("文件", "file"),
            l("原因", "reason")
        );
        for s in &a.skipped {
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{}</td></tr>",
                esc(&s.file),
                esc(&s.reason)
            );
        }
        h.push_str("</tbody></table>\n");
    }
    if !a.warnings.is_empty() {
        let _ = writeln!(h, "<h2>{}</h2>\n<ul>", l("警告", "Warnings"));
        for w in &a.warnings {
            let _ = writeln!(h, "<li>{}</li>", esc(w));
        }
        h.push_str("</ul>\n");
    }
    let _ = writeln!(
        h,
        "<p class=\"meta\">{}</p>\n<script type=\"application/json\" id=\"pt-data\">{}</script>\n<script>\n{}</script>\n</body></html>",
        l(
            "表格：measures.csv、reports.csv、themes.csv、group_theme.csv、copies.csv、concreteness.csv、themes.json；运行详情见 run.json；拟合的模型在 model/。",
            "Tables: measures.csv, reports.csv, themes.csv, group_theme.csv, copies.csv, concreteness.csv, themes.json; run details in run.json; the fitted model in model/."
        ),
        page_data(a),
        include_str!("page.js")
    );
    Ok(h)
}

/// The model line of the summary: terms, LSA, method and seed; for `apply`, the model used and
/// when it was fitted.
fn model_line(a: &Analysis) -> String {
    let lang = a.config.report.lang;
    let fit = format!(
        "{} {}, LSA {} {} ({:.0}%), {}, seed {}",
        a.fit.terms,
        lang.pick("个词", "terms"),
        a.fit.dims,
        lang.pick("维", "dims"),
        a.fit.explained_variance * 100.0,
        a.fit.method,
        a.config.cluster.seed,
    );
    match (&a.source, &a.model.origin) {
        (ThemeSource::Applied, Some(origin)) => format!(
            "{} {} ({} {}, policy-themes {}); {fit}",
            lang.pick("已拟合的模型", "fitted model"),
            esc(&origin.path),
            lang.pick("拟合于", "fitted"),
            esc(&origin.fitted),
            esc(&a.model.program_version),
        ),
        _ => fit,
    }
}

/// The search box, the filters and `<section id="drill">`, where the script lists measures.
fn drill_section(a: &Analysis, embedded: usize, h: &mut String) {
    let lang = a.config.report.lang;
    let l = |zh: &'static str, en: &'static str| lang.pick(zh, en);
    let _ = writeln!(
        h,
        r#"<section id="drill" data-count="0"><h2>{title}</h2>
<form id="search" role="search"><input id="q" type="search" placeholder="{ph}" aria-label="{ph}"> <button type="submit">{search}</button>
<label>{group} <select id="f-group"><option value="">{all}</option></select></label>
<label>{theme} <select id="f-theme"><option value="">{all}</option></select></label>
<label>{kind} <select id="f-kind"><option value="">{all}</option></select></label>
<label>{year} <select id="f-year"><option value="">{all}</option></select></label>
<button type="button" id="drill-clear">{clear}</button></form>
<p id="drill-status" class="meta"></p>"#,
        title = l("举措", "Measures"),
        ph = l("搜索正文与标题", "Search text and headings"),
        search = l("搜索", "Search"),
        group = l("分组", "Group"),
        theme = l("主题", "Theme"),
        kind = l("章节", "Section"),
        year = l("年份", "Year"),
        all = l("全部", "all"),
        clear = l("清除", "Clear"),
    );
    if embedded < a.units.len() {
        let _ = writeln!(
            h,
            "<p class=\"note\">{} {embedded} / {} {}</p>",
            l("本页只嵌入前", "This page embeds the first"),
            a.units.len(),
            l(
                "条举措（report.page_limit）；全部举措见 measures.csv 与 workbook.xlsx。",
                "measures (report.page_limit); all of them are in measures.csv and workbook.xlsx."
            )
        );
    }
    h.push_str("<ol id=\"drill-list\"></ol>\n<button type=\"button\" id=\"drill-more\" hidden></button>\n</section>\n");
}

/// The themes with their terms, sizes, recurrence, stability and examples; a row lists its
/// measures when clicked.
fn themes_table(a: &Analysis, h: &mut String) {
    let lang = a.config.report.lang;
    let l = |zh: &'static str, en: &'static str| lang.pick(zh, en);
    let _ = writeln!(
        h,
        "<h2>{}</h2>\n<table class=\"sortable\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        l("主题", "Themes"),
        l("主题", "theme"),
        l("名称", "label"),
        l("主要词语", "top terms"),
        l("举措数", "size"),
        l("分组数", "groups"),
        l("复现率", "recurrence"),
        l("稳定性", "stability"),
        l("示例", "examples"),
    );
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
            let _ = write!(
                examples,
                "<div class=\"ex\">{} <span class=\"meta\">— {}</span></div>",
                excerpt(&unit.text, 120),
                footer(&[
                    &unit.id,
                    unit.meta.township.as_deref().unwrap_or(""),
                    kind_name(unit.section_kind, lang)
                ]),
            );
        }
        let stability = a.stability.as_ref().map(|st| st.per_theme[t]);
        let _ = writeln!(
            h,
            "<tr data-drill=\"theme:{t}\"><td>{}</td><td>{}</td><td>{}</td><td class=\"n\" data-v=\"{}\">{}</td><td class=\"n\" data-v=\"{}\">{}</td><td class=\"n\" data-v=\"{:.4}\">{:.0}%</td><td class=\"n\" data-v=\"{}\">{}</td><td>{}</td></tr>",
            theme.id,
            esc(&theme.label),
            terms,
            theme.size,
            theme.size,
            a.recurrence.theme_groups[t],
            a.recurrence.theme_groups[t],
            a.recurrence.recurrence[t],
            a.recurrence.recurrence[t] * 100.0,
            stability.unwrap_or(-1.0),
            stability.map_or("–".to_string(), |s| format!("{s:.2}")),
            examples
        );
    }
    h.push_str("</tbody></table>\n");
}

/// The groups with their units and most distinctive themes: lift with its 95% Wilson interval,
/// groups with fewer than `report.min_units` units marked as small numbers.
fn groups_table(a: &Analysis, h: &mut String) {
    let lang = a.config.report.lang;
    let l = |zh: &'static str, en: &'static str| lang.pick(zh, en);
    let min = a.config.report.min_units;
    let r = &a.recurrence;
    let k = a.themes.len();
    let overall: Vec<usize> = (0..k)
        .map(|t| r.counts.iter().map(|c| c[t]).sum())
        .collect();
    let assigned: usize = overall.iter().sum::<usize>().max(1);
    let _ = writeln!(
        h,
        "<h2>{}</h2>\n<p>{}</p>\n<table class=\"sortable\"><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        l("分组", "Groups"),
        l(
            "提升度 = 该主题在组内的比例 ÷ 在全部举措中的比例，括号内为 95% Wilson 区间；单位数少于最低数的组标为小样本（灰色，写出 n）。点击一行列出该组的举措。",
            "Lift = the theme's share in the group ÷ its share overall, with its 95% Wilson interval; groups with fewer units than the minimum are marked as small numbers (grey, n shown). Click a row for the group's measures."
        ),
        l("分组", "group"),
        l("举措数", "units"),
        l("最具区分性的主题（提升度）", "top themes (lift)"),
    );
    for (g, group) in r.groups.iter().enumerate() {
        let in_group: usize = r.counts[g].iter().sum();
        let mut tops: Vec<usize> = (0..k).filter(|&t| r.counts[g][t] > 0).collect();
        tops.sort_by(|&x, &y| r.lift[g][y].total_cmp(&r.lift[g][x]).then(x.cmp(&y)));
        let tops = tops
            .iter()
            .take(3)
            .map(|&t| {
                let base = overall[t] as f64 / assigned as f64;
                let (lo, hi) = crate::recurrence::wilson(r.counts[g][t], in_group);
                format!(
                    "{} {} ({:.1}× [{:.1}–{:.1}], n = {})",
                    a.themes[t].id,
                    esc(&a.themes[t].label),
                    r.lift[g][t],
                    lo / base,
                    hi / base,
                    r.counts[g][t]
                )
            })
            .collect::<Vec<_>>()
            .join("; ");
        let small = r.group_totals[g] < min;
        let _ = writeln!(
            h,
            "<tr data-drill=\"group:{g}\"{}><td>{}{}</td><td class=\"n\" data-v=\"{}\">{}</td><td>{}</td></tr>",
            if small { " class=\"small\"" } else { "" },
            esc(group),
            if small {
                format!(
                    " <span class=\"badge\">{} n = {}</span>",
                    l("小样本", "small"),
                    r.group_totals[g]
                )
            } else {
                String::new()
            },
            r.group_totals[g],
            r.group_totals[g],
            tops
        );
    }
    h.push_str("</tbody></table>\n");
}

/// The change between the first and last years with enough units, with a note when the two
/// years come from different groups (then the change is a group difference, not a time effect).
fn year_change_section(a: &Analysis, h: &mut String) {
    let lang = a.config.report.lang;
    let l = |zh: &'static str, en: &'static str| lang.pick(zh, en);
    let min = a.config.report.min_units;
    let Some((first, last, change)) = crate::recurrence::year_change(&a.recurrence, min) else {
        return;
    };
    let _ = writeln!(
        h,
        "<h2>{} {first} → {last}</h2>\n<p>{} {min} {}</p>",
        l("变化", "Change"),
        l(
            "增减最多的主题，以各年举措中所占比例的百分点计；只比较举措数不少于",
            "Themes that grew and shrank most, in share points of each year's measures; only years with at least"
        ),
        l("条的年份。", "units are compared."),
    );
    let groups_in = |year: u16| -> std::collections::BTreeSet<String> {
        a.units
            .iter()
            .filter(|u| u.meta.year == Some(year))
            .map(|u| crate::recurrence::group_of(&u.meta, a.group_by()))
            .collect()
    };
    if groups_in(first).is_disjoint(&groups_in(last)) {
        let _ = writeln!(
            h,
            "<p class=\"note\">{}</p>",
            l(
                "注意：这两年的举措来自不同的分组，变化反映的是分组之间的差异，而不是时间上的变化。",
                "Note: the two years come from different groups, so the change is a difference between groups, not a change over time."
            )
        );
    }
    let _ = writeln!(
        h,
        "<table class=\"sortable\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        l("主题", "theme"),
        l("名称", "label"),
        l("举措数", "units"),
        l("比例", "share"),
        l("变化", "change"),
    );
    let n = change.len();
    for c in change
        .iter()
        .take(5)
        .chain(change.iter().skip(5.max(n.saturating_sub(5))))
    {
        let _ = writeln!(
            h,
            "<tr data-drill=\"theme:{}\"><td>{}</td><td>{}</td><td class=\"n\">{} → {}</td><td class=\"n\">{:.0}% → {:.0}%</td><td class=\"n\" data-v=\"{:.4}\">{:+.1} {}</td></tr>",
            c.theme,
            a.themes[c.theme].id,
            esc(&a.themes[c.theme].label),
            c.first_count,
            c.last_count,
            c.first_share * 100.0,
            c.last_share * 100.0,
            c.points(),
            c.points(),
            l("个百分点", "pts"),
        );
    }
    h.push_str("</tbody></table>\n");
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
    fn footers_leave_out_empty_fields() {
        assert_eq!(footer(&["r0-001", "", "举措成效"]), "r0-001, 举措成效");
        assert_eq!(footer(&["a<b", " "]), "a&lt;b");
    }
}
