//! `heatmap.svg`: groups (rows) × themes (columns). Each cell is the share of the group's units
//! that fall in the theme, written in the cell and coloured on a reversed viridis scale (yellow =
//! a small share, dark purple = a large one, light grey = none). Columns run from the theme found in
//! the most groups to the rarest; rows are ordered by their main theme, so groups with a similar
//! mix sit together. Hover a cell for the counts and up to three example measures.
//!
//! The same drawing gives `concreteness.svg` ([`ShareOf::ThemeUnits`]): a cell is then the share
//! of the group's units in the theme that report a quantity.

use super::style::{
    self, Canvas, EMPTY, HEADING_H, LABEL_PX, MARGIN, MUTED, NOTE, NOTE_PX, SMALL_PX, Txt,
    label_column_width, pct, share, text_on, text_width, truncate, viridis, wrap,
};
use super::{GroupNoun, ThemeName};
use crate::analysis::Analysis;
use crate::config::Lang;
use crate::corpus::ThemeId;
use crate::error::Result;
use crate::recurrence::group_of;

/// The file written.
pub const FILE: &str = "heatmap.svg";

/// At most this many groups (rows) are drawn: those with the most units.
pub const MAX_ROWS: usize = 60;

/// Example measures named per cell's tooltip.
const EXAMPLES: usize = 3;
const CELL_H: f64 = 22.0;
const HEAD_LINE: f64 = 14.0;
const HEAD_LINES: usize = 3;
/// Cells resting on fewer than `min_units` units.
const SMALL_CELL: plotters::style::RGBColor = plotters::style::RGBColor(0xDD, 0xDD, 0xDD);
const ROW_LABEL_EM: f64 = 14.0;
const UNITS_W: f64 = 52.0;
const SCALE_W: f64 = 240.0;

/// What the heatmap shows.
#[derive(Debug, Clone, PartialEq)]
pub struct HeatmapData {
    /// What a group is.
    pub noun: GroupNoun,
    /// Group names.
    pub groups: Vec<String>,
    /// Units per group, assigned or not (the denominator of each share).
    pub group_totals: Vec<usize>,
    /// The themes.
    pub themes: Vec<ThemeName>,
    /// Number of groups each theme occurs in (orders the columns).
    pub theme_groups: Vec<usize>,
    /// `counts[g][t]`: units of group g in theme t.
    pub counts: Vec<Vec<usize>>,
    /// `examples[g][t]`: ids of up to three of the group's measures in the theme (may be empty).
    pub examples: Vec<Vec<Vec<String>>>,
    /// What a cell's share is of.
    pub share_of: ShareOf,
    /// A cell whose denominator is smaller is a small number: drawn grey, `count/total` written.
    pub min_units: usize,
    /// The language of the chart's text.
    pub lang: Lang,
}

/// What a heatmap cell's share is of, and so which chart it is.
#[derive(Debug, Clone, PartialEq)]
pub enum ShareOf {
    /// `counts[g][t]` over the group's units: the theme mix (`heatmap.svg`).
    GroupUnits,
    /// `counts[g][t]` (units with a quantity) over `units[g][t]` (the group's units in the
    /// theme): how concrete each group is on each theme (`concreteness.svg`).
    ThemeUnits {
        /// The group's units in each theme.
        units: Vec<Vec<usize>>,
    },
}

/// The file of the concreteness heatmap.
pub const CONCRETENESS_FILE: &str = "concreteness.svg";

impl HeatmapData {
    /// The heatmap of an analysis; each cell's examples are the group's measures in the theme
    /// nearest the theme's centre.
    pub fn from_analysis(analysis: &Analysis) -> HeatmapData {
        let r = &analysis.recurrence;
        let themes = ThemeName::of_analysis(analysis);
        let by = analysis.group_by();
        let mut best: Vec<Vec<Vec<usize>>> = vec![vec![Vec::new(); themes.len()]; r.groups.len()];
        let similarity = |u: usize| analysis.similarity(u);
        for (u, unit) in analysis.units.iter().enumerate() {
            let Some(t) = analysis.theme_of(u).map(ThemeId::index) else {
                continue;
            };
            let Ok(g) = r.groups.binary_search(&group_of(&unit.meta, by)) else {
                continue;
            };
            let Some(cell) = best[g].get_mut(t) else {
                continue;
            };
            let at = cell.partition_point(|&v| similarity(v).total_cmp(&similarity(u)).is_ge());
            if at < EXAMPLES {
                cell.insert(at, u);
                cell.truncate(EXAMPLES);
            }
        }
        let examples = best
            .into_iter()
            .map(|row| {
                row.into_iter()
                    .map(|cell| {
                        cell.into_iter()
                            .map(|u| analysis.units[u].id.clone())
                            .collect()
                    })
                    .collect()
            })
            .collect();
        HeatmapData {
            noun: GroupNoun::of(by),
            groups: r.groups.clone(),
            group_totals: r.group_totals.clone(),
            themes,
            theme_groups: r.theme_groups.clone(),
            counts: r.counts.clone(),
            examples,
            share_of: ShareOf::GroupUnits,
            min_units: analysis.config.report.min_units,
            lang: analysis.config.report.lang,
        }
    }

    /// The concreteness heatmap of an analysis: per group and theme, the share of the units
    /// that report at least one quantity.
    pub fn concreteness(analysis: &Analysis) -> HeatmapData {
        let r = &analysis.recurrence;
        HeatmapData {
            noun: GroupNoun::of(analysis.group_by()),
            groups: r.groups.clone(),
            group_totals: r.group_totals.clone(),
            themes: ThemeName::of_analysis(analysis),
            theme_groups: r.theme_groups.clone(),
            counts: r.with_quantity.clone(),
            examples: Vec::new(),
            share_of: ShareOf::ThemeUnits {
                units: r.counts.clone(),
            },
            min_units: analysis.config.report.min_units,
            lang: analysis.config.report.lang,
        }
    }

    /// The file this heatmap is written to.
    pub fn file(&self) -> &'static str {
        match self.share_of {
            ShareOf::GroupUnits => FILE,
            ShareOf::ThemeUnits { .. } => CONCRETENESS_FILE,
        }
    }

    /// The denominator of cell `(g, t)`.
    fn of(&self, g: usize, t: usize) -> usize {
        match &self.share_of {
            ShareOf::GroupUnits => self.group_totals.get(g).copied().unwrap_or(0),
            ShareOf::ThemeUnits { units } => units
                .get(g)
                .and_then(|row| row.get(t))
                .copied()
                .unwrap_or(0),
        }
    }

    fn count(&self, g: usize, t: usize) -> usize {
        self.counts
            .get(g)
            .and_then(|row| row.get(t))
            .copied()
            .unwrap_or(0)
    }

    fn share(&self, g: usize, t: usize) -> f64 {
        share(self.count(g, t), self.of(g, t))
    }

    /// Columns: themes by the number of groups they occur in, most first.
    fn column_order(&self) -> Vec<usize> {
        let groups = |t: usize| self.theme_groups.get(t).copied().unwrap_or(0);
        let mut cols: Vec<usize> = (0..self.themes.len()).collect();
        cols.sort_by(|&a, &b| groups(b).cmp(&groups(a)).then(a.cmp(&b)));
        cols
    }

    /// Rows: the [`MAX_ROWS`] groups with the most units, ordered by their main theme (in column
    /// order), then by that theme's share, largest first.
    fn row_order(&self, cols: &[usize]) -> Vec<usize> {
        let mut rows: Vec<usize> = (0..self.groups.len()).collect();
        if rows.len() > MAX_ROWS {
            rows.sort_by(|&a, &b| {
                self.group_totals[b]
                    .cmp(&self.group_totals[a])
                    .then(a.cmp(&b))
            });
            rows.truncate(MAX_ROWS);
        }
        let main = |g: usize| {
            let mut best: (usize, f64) = (usize::MAX, 0.0);
            for (pos, &t) in cols.iter().enumerate() {
                let s = self.share(g, t);
                if s > best.1 {
                    best = (pos, s);
                }
            }
            best
        };
        rows.sort_by(|&a, &b| {
            let (pa, sa) = main(a);
            let (pb, sb) = main(b);
            pa.cmp(&pb).then(sb.total_cmp(&sa)).then(a.cmp(&b))
        });
        rows
    }

    fn tooltip(&self, g: usize, t: usize) -> String {
        let total = self.of(g, t);
        let count = self.count(g, t);
        let (group, theme, share) = (
            &self.groups[g],
            self.themes[t].full(),
            pct(self.share(g, t)),
        );
        let mut tip = match (&self.share_of, self.lang) {
            (ShareOf::GroupUnits, Lang::Zh) => {
                format!("{group} · {theme}\n{total} 条中的 {count} 条（{share}）")
            }
            (ShareOf::GroupUnits, Lang::En) => {
                format!("{group} · {theme}\n{count} of {total} units ({share})")
            }
            (ShareOf::ThemeUnits { .. }, Lang::Zh) => {
                format!("{group} · {theme}\n该主题 {total} 条中有 {count} 条报告了数量（{share}）")
            }
            (ShareOf::ThemeUnits { .. }, Lang::En) => format!(
                "{group} · {theme}\n{count} of {total} units in the theme report a quantity ({share})"
            ),
        };
        let examples = self
            .examples
            .get(g)
            .and_then(|row| row.get(t))
            .filter(|e| !e.is_empty());
        if let Some(examples) = examples {
            tip.push_str(self.lang.pick("\n举措示例：", "\nexamples: "));
            tip.push_str(
                &examples
                    .iter()
                    .take(EXAMPLES)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", "),
            );
        }
        tip
    }
}

/// Draws the heatmap.
pub fn render(data: &HeatmapData) -> Result<String> {
    let noun = data.noun;
    let cols = data.column_order();
    let rows = data.row_order(&cols);
    // Cells wide enough for the longest word of a label (labels break only between words:
    // never 综合行政执 / 法), within bounds.
    let longest_word = cols
        .iter()
        .flat_map(|&t| data.themes[t].label.split(['·', '、', '/', ' ']))
        .map(|w| text_width(w, NOTE_PX))
        .fold(0.0, f64::max);
    let narrow: f64 = if cols.len() <= 24 { 64.0 } else { 54.0 };
    let cell_w = (longest_word + 10.0).clamp(narrow, 120.0).ceil();
    let heads: Vec<Vec<String>> = cols
        .iter()
        .map(|&t| wrap(&data.themes[t].label, cell_w - 8.0, NOTE_PX, HEAD_LINES))
        .collect();
    let head_h = (1 + heads.iter().map(Vec::len).max().unwrap_or(0)) as f64 * HEAD_LINE + 8.0;
    let labels: Vec<String> = rows
        .iter()
        .map(|&g| truncate(&data.groups[g], ROW_LABEL_EM * LABEL_PX, LABEL_PX))
        .collect();
    let left_w = label_column_width(&labels);

    let lang = data.lang;
    let min = data.min_units;
    let (title, subtitle, scale) = match (&data.share_of, lang) {
        (ShareOf::GroupUnits, Lang::Zh) => (
            format!("各{}主题占比", noun.zh),
            format!(
                "每格为该{}举措落在该主题的比例。列：分布最广的主题在前；行：按主要主题排列。灰格的单位数少于 {min}（格内写 数量/总数）。",
                noun.zh
            ),
            "占该组举措的比例",
        ),
        (ShareOf::GroupUnits, Lang::En) => (
            format!("Theme share per {}", noun.en),
            format!(
                "Cell = share of a {}'s units in the theme. Columns: most widespread theme first; rows grouped by main theme. Grey cells rest on fewer than {min} units (count/total written).",
                noun.en
            ),
            "share of the group's units",
        ),
        (ShareOf::ThemeUnits { .. }, Lang::Zh) => (
            format!("各{}各主题的量化程度", noun.zh),
            format!(
                "每格为该{}该主题举措中报告了数量（120余起、三百多家、98%）的比例；– 表示无此主题的举措。灰格的单位数少于 {min}（格内写 数量/总数）。",
                noun.zh
            ),
            "含数量的举措比例",
        ),
        (ShareOf::ThemeUnits { .. }, Lang::En) => (
            format!("How concrete each {} is per theme", noun.en),
            format!(
                "Cell = share of a {}'s units in the theme that report a quantity (120余起, 三百多家, 98%); – = no units. Grey cells rest on fewer than {min} units (count/total written).",
                noun.en
            ),
            "share with a quantity",
        ),
    };
    let note = (rows.len() < data.groups.len()).then(|| match lang {
        Lang::Zh => format!(
            "只显示举措最多的 {} 个{}（共 {} 个）；全部见 group_theme.csv",
            rows.len(),
            noun.zh,
            data.groups.len()
        ),
        Lang::En => format!(
            "showing {} of {} {} with the most units; see group_theme.csv",
            rows.len(),
            data.groups.len(),
            noun.en_plural
        ),
    });
    let vmax = rows
        .iter()
        .flat_map(|&g| cols.iter().map(move |&t| data.share(g, t)))
        .fold(0.0, f64::max);
    let vmax = ((vmax * 10.0).ceil() / 10.0).clamp(0.1, 1.0);
    let fill = |s: f64| {
        if s > 0.0 {
            viridis(1.0 - s / vmax)
        } else {
            EMPTY
        }
    };

    let grid_x = MARGIN + left_w;
    let grid_w = cols.len() as f64 * cell_w;
    let legend_w = SCALE_W + 150.0;
    let width = (grid_x + grid_w + UNITS_W + MARGIN)
        .max(style::heading_width(&title, &subtitle))
        .max(2.0 * MARGIN + note.as_deref().map_or(0.0, |n| text_width(n, NOTE_PX)))
        .max(2.0 * MARGIN + legend_w);
    let top = MARGIN + HEADING_H + if note.is_some() { NOTE_PX * 1.8 } else { 0.0 };
    let grid_y = top + head_h;
    let legend_y = grid_y + rows.len() as f64 * CELL_H + 16.0;
    let height = legend_y + 12.0 * 1.6 + 12.0 + 18.0 + MARGIN;

    style::render(data.file(), (width, height), |c: &mut Canvas| {
        c.heading(&title, &subtitle)?;
        if let Some(note) = &note {
            c.text(
                note,
                (MARGIN, MARGIN + HEADING_H),
                Txt::new(NOTE_PX).color(NOTE).top(),
            )?;
        }
        // Column heads: the id in bold, the label wrapped below it.
        for (i, &t) in cols.iter().enumerate() {
            let x = grid_x + (i as f64 + 0.5) * cell_w;
            c.text(
                &data.themes[t].id,
                (x, top),
                Txt::new(NOTE_PX).bold().center().top(),
            )?;
            for (l, line) in heads[i].iter().enumerate() {
                c.text(
                    line,
                    (x, top + (l + 1) as f64 * HEAD_LINE),
                    Txt::new(NOTE_PX).center().top(),
                )?;
            }
        }
        let units_x = grid_x + grid_w + 8.0;
        c.text(
            lang.pick("举措数", "units"),
            (units_x, grid_y - 4.0),
            Txt::new(SMALL_PX).color(MUTED),
        )?;
        for (r, &g) in rows.iter().enumerate() {
            let y0 = grid_y + r as f64 * CELL_H;
            let mid = y0 + (CELL_H - 1.0) / 2.0;
            c.text(&labels[r], (grid_x - 8.0, mid), Txt::new(LABEL_PX).right())?;
            for (i, &t) in cols.iter().enumerate() {
                let x0 = grid_x + i as f64 * cell_w;
                let s = data.share(g, t);
                let of = data.of(g, t);
                let small = of > 0 && of < data.min_units;
                let colour = if small { SMALL_CELL } else { fill(s) };
                c.rect(
                    (x0, y0),
                    (x0 + cell_w - 1.0, y0 + CELL_H - 1.0),
                    colour,
                    Some(data.tooltip(g, t)),
                )?;
                c.drill(format!("cell:{g}:{t}"));
                let (value, ink) = if small {
                    (format!("{}/{of}", data.count(g, t)), style::INK)
                } else if s > 0.0 {
                    (pct(s), text_on(colour))
                } else if data.of(g, t) == 0 && data.share_of != ShareOf::GroupUnits {
                    ("–".to_string(), MUTED)
                } else {
                    ("0".to_string(), MUTED)
                };
                c.text(
                    &value,
                    (x0 + (cell_w - 1.0) / 2.0, mid),
                    Txt::new(SMALL_PX).color(ink).center(),
                )?;
            }
            let total = data.group_totals.get(g).copied().unwrap_or(0);
            c.text(
                &total.to_string(),
                (units_x, mid),
                Txt::new(SMALL_PX).color(MUTED),
            )?;
        }
        draw_scale(
            c,
            (MARGIN.max(grid_x - left_w), legend_y),
            scale,
            vmax,
            fill,
            lang,
        )
    })
}

/// The colour scale: a caption, a gradient bar from 0 to `vmax` with ticks, and the empty swatch.
fn draw_scale(
    c: &mut Canvas,
    (x, y): (f64, f64),
    caption: &str,
    vmax: f64,
    fill: impl Fn(f64) -> plotters::style::RGBColor,
    lang: Lang,
) -> Result<()> {
    c.text(caption, (x, y), Txt::new(NOTE_PX).color(MUTED).top())?;
    let bar_y = y + NOTE_PX * 1.6;
    const STEPS: usize = 48;
    let step = SCALE_W / STEPS as f64;
    for i in 0..STEPS {
        let s = vmax * (i as f64 + 0.5) / STEPS as f64;
        let x0 = x + i as f64 * step;
        c.rect((x0, bar_y), (x0 + step, bar_y + 12.0), fill(s), None)?;
    }
    for i in 0..=4 {
        let tx = x + SCALE_W * i as f64 / 4.0;
        c.line(&[(tx, bar_y + 12.0), (tx, bar_y + 15.0)], MUTED, 1)?;
        c.text(
            &pct(vmax * i as f64 / 4.0),
            (tx, bar_y + 16.0),
            Txt::new(SMALL_PX).color(MUTED).center().top(),
        )?;
    }
    let sx = x + SCALE_W + 24.0;
    c.rect((sx, bar_y), (sx + 12.0, bar_y + 12.0), EMPTY, None)?;
    c.text(
        lang.pick("0 = 无", "0 = none"),
        (sx + 18.0, bar_y + 6.0),
        Txt::new(SMALL_PX).color(MUTED),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::style::tests::assert_well_formed;
    use crate::config::GroupBy;

    fn themes(n: usize) -> Vec<ThemeName> {
        let labels = [
            "调解·纠纷",
            "普法·宣传·法律明白人",
            "执法·行政·监督·程序·规范·案卷",
        ];
        (0..n)
            .map(|t| ThemeName {
                id: format!("T{:02}", t + 1),
                label: labels[t % 3].to_string(),
            })
            .collect()
    }

    fn data(groups: usize, k: usize) -> HeatmapData {
        let counts: Vec<Vec<usize>> = (0..groups)
            .map(|g| (0..k).map(|t| (g * 7 + t * 3) % 5).collect())
            .collect();
        HeatmapData {
            noun: GroupNoun::of(GroupBy::Township),
            groups: (0..groups).map(|g| format!("第{g}镇")).collect(),
            group_totals: counts.iter().map(|c| c.iter().sum::<usize>() + 1).collect(),
            themes: themes(k),
            theme_groups: (0..k)
                .map(|t| counts.iter().filter(|c| c[t] > 0).count())
                .collect(),
            counts,
            examples: vec![vec![vec!["r001-001".to_string(), "r001-002".to_string()]; k]; groups],
            share_of: ShareOf::GroupUnits,
            min_units: 1,
            lang: Lang::En,
        }
    }

    #[test]
    fn small_cells_are_grey_with_count_and_total_and_cells_keep_their_drill_key() {
        let mut d = data(2, 2);
        d.counts = vec![vec![1, 0], vec![0, 2]];
        d.group_totals = vec![1, 20];
        d.min_units = 5;
        let svg = render(&d).unwrap();
        assert!(
            svg.contains(">\n1/1\n</text>"),
            "the small group's cell shows count/total"
        );
        assert!(svg.contains("fill=\"#DDDDDD\""));
        assert!(svg.contains("data-drill=\"cell:1:1\""));
    }

    #[test]
    fn heads_break_between_words_only() {
        let mut d = data(2, 2);
        d.themes[0].label = "综合行政执法·法律顾问".to_string();
        let svg = render(&d).unwrap();
        assert!(
            svg.contains(">\n综合行政执法\n</text>"),
            "the word is kept whole"
        );
    }

    #[test]
    fn concreteness_cells_are_shares_of_the_theme_units() {
        let mut d = data(2, 2);
        d.counts = vec![vec![1, 0], vec![0, 2]];
        d.share_of = ShareOf::ThemeUnits {
            units: vec![vec![4, 0], vec![3, 2]],
        };
        assert_eq!(d.file(), CONCRETENESS_FILE);
        assert_eq!(d.share(0, 0), 0.25);
        assert_eq!(d.share(1, 1), 1.0);
        let svg = render(&d).unwrap();
        assert_well_formed(&svg);
        assert!(svg.contains("1 of 4 units in the theme report a quantity (25%)"));
        assert!(svg.contains(">\n–\n</text>"), "a cell without units");
        assert!(svg.contains("share with a quantity"));
    }

    #[test]
    fn every_cell_has_a_tooltip_and_labels_are_written() {
        let d = data(4, 3);
        let svg = render(&d).unwrap();
        assert_well_formed(&svg);
        assert_eq!(crate::chart::elements(&svg, "title"), 12);
        assert!(svg.contains("第3镇"));
        assert!(svg.contains(">\nT02\n</text>"));
        assert!(svg.contains("调解·"));
        assert!(svg.contains("examples: r001-001, r001-002"));
        assert!(!svg.contains("showing"));
        assert_eq!(svg, render(&d).unwrap(), "same input, same bytes");
    }

    #[test]
    fn columns_follow_recurrence_and_rows_their_main_theme() {
        let mut d = data(3, 2);
        d.counts = vec![vec![1, 0], vec![0, 3], vec![1, 1]];
        d.group_totals = vec![1, 3, 4];
        d.theme_groups = vec![2, 3];
        let cols = d.column_order();
        assert_eq!(cols, [1, 0]);
        // Group 1 (all T02) and group 2 (T02 = T01, ties go to the first column) precede group 0.
        assert_eq!(d.row_order(&cols), [1, 2, 0]);
        let svg = render(&d).unwrap();
        assert!(svg.find(">\nT02\n<").unwrap() < svg.find(">\nT01\n<").unwrap());
        assert!(svg.contains("100%") && svg.contains("25%"));
    }

    #[test]
    fn long_group_names_are_cut() {
        let mut d = data(2, 2);
        let long = "某某省某某市某某县某某镇人民政府法治政府建设领导小组办公室";
        d.groups[0] = long.to_string();
        let svg = render(&d).unwrap();
        assert!(!svg.contains(&format!("\n{long}\n</text>")));
        assert!(svg.contains("…\n</text>"));
        assert!(
            svg.contains(&format!("{long} · T01")),
            "the tooltip keeps the full name"
        );
    }

    #[test]
    fn more_than_60_groups_keeps_the_largest_and_says_so() {
        let mut d = data(75, 3);
        d.group_totals[70] = 1000;
        let svg = render(&d).unwrap();
        assert_well_formed(&svg);
        assert!(
            svg.contains("showing 60 of 75 townships with the most units; see group_theme.csv")
        );
        assert_eq!(crate::chart::elements(&svg, "title"), 60 * 3);
        assert!(svg.contains("第70镇"));
    }

    #[test]
    fn empty_data_still_draws() {
        let svg = render(&data(0, 0)).unwrap();
        assert_well_formed(&svg);
    }

    #[test]
    fn chinese_only_in_zh() {
        let mut d = data(70, 3);
        d.lang = Lang::Zh;
        let svg = render(&d).unwrap();
        let seen = crate::chart::style::tests::visible_text(&svg);
        for zh in [
            "各乡镇主题占比",
            "举措示例：",
            "只显示举措最多的 60 个乡镇（共 70 个）",
            "举措数",
        ] {
            assert!(svg.contains(zh), "{zh}");
        }
        for en in ["Theme share", "units", "examples", "showing", "none"] {
            assert!(!seen.contains(en), "{en} in the zh chart");
        }
    }
}
