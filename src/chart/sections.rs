//! `sections.svg`: one 100% stacked bar per section kind (measures taken, the leaders' duties,
//! shortcomings admitted, next year's plans, …), split by the themes of its units. Compare the
//! bars to see which themes reports present as achievements and which they admit as lacking or plan
//! for. Segments are coloured as in the legend (and as in `map.svg`); hover one for its counts.

use super::ThemeName;
use super::style::{
    self, Along, Canvas, HEADING_H, LABEL_PX, MARGIN, MUTED, NOTE, NOTE_PX, SMALL_PX, Stack, Txt,
    percent_axis, stacked_bar, text_width, theme_legend,
};
use crate::analysis::Analysis;
use crate::config::Lang;
use crate::corpus::SectionKind;
use crate::error::Result;

/// The file written.
pub const FILE: &str = "sections.svg";

const ROW_H: f64 = 46.0;
const BAR_H: f64 = 28.0;
const BAR_W: f64 = 640.0;

/// What the sections chart shows.
#[derive(Debug, Clone, PartialEq)]
pub struct SectionsData {
    /// The themes.
    pub themes: Vec<ThemeName>,
    /// Theme counts per section kind, in the order to draw.
    pub kinds: Vec<(SectionKind, Vec<usize>)>,
    /// A bar with fewer units is marked as resting on small numbers (its count in orange).
    pub min_units: usize,
    /// The language of the chart's text.
    pub lang: Lang,
}

impl SectionsData {
    /// The theme mix per section kind of an analysis.
    pub fn from_analysis(analysis: &Analysis) -> SectionsData {
        SectionsData {
            themes: ThemeName::of_analysis(analysis),
            kinds: analysis.recurrence.by_kind.clone(),
            min_units: analysis.config.report.min_units,
            lang: analysis.config.report.lang,
        }
    }
}

/// A section kind's Chinese and English names: `(举措成效, measures)`.
pub fn kind_names(kind: SectionKind) -> (&'static str, &'static str) {
    let zh = match kind {
        SectionKind::Measures => "举措成效",
        SectionKind::Leadership => "第一责任人",
        SectionKind::Shortcomings => "不足问题",
        SectionKind::Plans => "下年计划",
        SectionKind::Preamble => "前言",
        SectionKind::Other => "其他",
    };
    (zh, kind.as_str())
}

/// A section kind's name in `lang`.
pub fn kind_name(kind: SectionKind, lang: Lang) -> &'static str {
    let (zh, en) = kind_names(kind);
    lang.pick(zh, en)
}

/// Draws the stacked bars.
pub fn render(data: &SectionsData) -> Result<String> {
    let lang = data.lang;
    let k = data.themes.len();
    let rows: Vec<(&str, String, &[usize], bool)> = data
        .kinds
        .iter()
        .map(|(kind, counts)| {
            let counts = &counts[..counts.len().min(k)];
            let total: usize = counts.iter().sum();
            let units = match lang {
                Lang::Zh => format!("{total} 条"),
                Lang::En => format!("{total} units"),
            };
            (
                kind_name(*kind, lang),
                units,
                counts,
                total < data.min_units,
            )
        })
        .collect();
    let left_w = rows
        .iter()
        .map(|(name, units, _, _)| text_width(name, LABEL_PX).max(text_width(units, SMALL_PX)))
        .fold(40.0, f64::max)
        + 14.0;
    let title = lang.pick("各章节的主题构成", "Theme mix per section kind");
    let mut subtitle = lang
        .pick(
            "每条横条把一类章节中已归类的举措按主题分开：做了什么、承认不足什么、计划什么。",
            "Each bar splits a kind of section's assigned units by theme: what was done, admitted lacking, planned.",
        )
        .to_string();
    if rows.iter().any(|r| r.3) {
        subtitle.push_str(&match lang {
            Lang::Zh => format!(" 橙色数字：少于 {} 条，比例不可靠。", data.min_units),
            Lang::En => format!(
                " Orange counts: fewer than {} units, shares unreliable.",
                data.min_units
            ),
        });
    }
    let subtitle = subtitle.as_str();
    let bars_x = MARGIN + left_w;
    let width = (bars_x + BAR_W + MARGIN).max(style::heading_width(title, subtitle));
    let legend = theme_legend(&data.themes, width - 2.0 * MARGIN, lang);
    let top = MARGIN + HEADING_H;
    let bottom = top + rows.len().max(1) as f64 * ROW_H;
    let legend_y = bottom + 34.0;
    let height = legend_y + legend.height() + MARGIN;

    style::render(FILE, (width, height), |c: &mut Canvas| {
        c.heading(title, subtitle)?;
        percent_axis(c, (bars_x, bars_x + BAR_W), (top, bottom))?;
        if rows.is_empty() {
            c.text(
                lang.pick("没有已归类的举措", "no assigned units"),
                (bars_x + 8.0, top + ROW_H / 2.0),
                Txt::new(NOTE_PX).color(MUTED),
            )?;
        }
        for (r, (name, units, counts, small)) in rows.iter().enumerate() {
            let y0 = top + r as f64 * ROW_H + (ROW_H - BAR_H) / 2.0;
            let mid = y0 + BAR_H / 2.0;
            c.text(name, (bars_x - 10.0, mid - 7.0), Txt::new(LABEL_PX).right())?;
            c.text(
                units,
                (bars_x - 10.0, mid + 8.0),
                Txt::new(SMALL_PX)
                    .color(if *small { NOTE } else { MUTED })
                    .right(),
            )?;
            let stack = Stack {
                themes: &data.themes,
                counts,
                name,
                drill: &format!("kind:{}", data.kinds[r].0.as_str()),
                lang,
            };
            stacked_bar(
                c,
                (bars_x, y0),
                (bars_x + BAR_W, y0 + BAR_H),
                Along::Right,
                &stack,
            )?;
        }
        legend.draw(c, (MARGIN, legend_y))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::style::tests::{assert_well_formed, fills_by_theme};

    fn data(k: usize, lang: Lang) -> SectionsData {
        SectionsData {
            themes: (0..k)
                .map(|t| ThemeName {
                    id: format!("T{:02}", t + 1),
                    label: "普法·宣传".into(),
                })
                .collect(),
            kinds: vec![
                (SectionKind::Measures, (0..k).map(|t| 10 + t % 3).collect()),
                (SectionKind::Shortcomings, (0..k).map(|t| t % 2).collect()),
                (SectionKind::Plans, vec![0; k]),
            ],
            min_units: 5,
            lang,
        }
    }

    #[test]
    fn one_segment_per_non_empty_theme_with_tooltips() {
        let mut d = data(3, Lang::En);
        d.kinds[0].1 = vec![10, 5, 5];
        d.kinds[1].1 = vec![0, 3, 1];
        let svg = render(&d).unwrap();
        assert_well_formed(&svg);
        assert_eq!(crate::chart::elements(&svg, "title"), 5);
        assert!(
            svg.contains(">\nmeasures\n</text>")
                && svg.contains(">\nshortcomings\n</text>")
                && svg.contains(">\nplans\n</text>")
        );
        assert!(svg.contains("shortcomings · T02 普法·宣传\n3 of 4 units (75%)"));
        assert!(svg.contains(">\nT01 50%\n</text>"), "direct label");
        assert!(
            svg.contains("fill=\"#A63C00\">\n4 units")
                && svg.contains("Orange counts: fewer than 5"),
            "a bar of 4 units is marked as small"
        );
        assert!(svg.contains("T03 普法·宣传"), "legend");
        assert!(!svg.contains("举措成效"), "English only");
        assert_eq!(svg, render(&d).unwrap());
    }

    #[test]
    fn chinese_names_in_zh() {
        let svg = render(&data(3, Lang::Zh)).unwrap();
        let seen = crate::chart::style::tests::visible_text(&svg);
        for name in [
            "各章节的主题构成",
            ">\n举措成效\n<",
            ">\n不足问题\n<",
            ">\n下年计划\n<",
            "33 条",
        ] {
            assert!(svg.contains(name), "{name}");
        }
        for english in ["measures", "Theme mix", "units"] {
            assert!(!seen.contains(english), "{english} in the zh chart");
        }
    }

    #[test]
    fn no_two_themes_share_a_fill_at_any_k() {
        for k in [10, 27, 30, 36, 45] {
            let svg = render(&data(k, Lang::Zh)).unwrap();
            assert_well_formed(&svg);
            let fills = fills_by_theme(&svg);
            assert_eq!(fills.len(), k.min(style::THEME_COLOURS), "k = {k}");
            if k > style::THEME_COLOURS {
                assert!(svg.contains(&format!("其他（{} 个主题）", k - style::THEME_COLOURS)));
            }
        }
    }

    #[test]
    fn no_kinds_still_draws() {
        assert_well_formed(
            &render(&SectionsData {
                themes: Vec::new(),
                kinds: Vec::new(),
                min_units: 5,
                lang: Lang::Zh,
            })
            .unwrap(),
        );
    }
}
