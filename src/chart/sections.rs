//! `sections.svg`: one 100% stacked bar per section kind (measures taken, the leaders' duties,
//! shortcomings admitted, next year's plans, …), split by the themes of its units. Compare the
//! bars to see which themes reports present as achievements and which they admit as lacking or plan
//! for. Segments are coloured as in the legend (and as in `map.svg`); hover one for its counts.

use super::ThemeName;
use super::style::{
    self, AXIS, Canvas, HEADING_H, LABEL_PX, Legend, LegendItem, MARGIN, MUTED, NOTE_PX, SMALL_PX,
    Shape, Txt, pct, percent_axis, share, text_on, text_width, theme_color,
};
use crate::analysis::Analysis;
use crate::corpus::SectionKind;
use crate::error::Result;

/// The file written.
pub const FILE: &str = "sections.svg";

const ROW_H: f64 = 46.0;
const BAR_H: f64 = 28.0;
const BAR_W: f64 = 640.0;
/// Narrower segments get no percentage written in them.
const MIN_LABELLED: f64 = 30.0;

/// What the sections chart shows.
#[derive(Debug, Clone, PartialEq)]
pub struct SectionsData {
    /// The themes.
    pub themes: Vec<ThemeName>,
    /// Theme counts per section kind, in the order to draw.
    pub kinds: Vec<(SectionKind, Vec<usize>)>,
}

impl SectionsData {
    /// The theme mix per section kind of an analysis.
    pub fn from_analysis(analysis: &Analysis) -> SectionsData {
        SectionsData {
            themes: ThemeName::of_analysis(analysis),
            kinds: analysis.recurrence.by_kind.clone(),
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

/// Draws the stacked bars.
pub fn render(data: &SectionsData) -> Result<String> {
    let k = data.themes.len();
    let rows: Vec<(String, String, &[usize], usize)> = data
        .kinds
        .iter()
        .map(|(kind, counts)| {
            let (zh, en) = kind_names(*kind);
            let counts = &counts[..counts.len().min(k)];
            let total: usize = counts.iter().sum();
            (
                format!("{zh} {en}"),
                format!("{total} units"),
                counts,
                total,
            )
        })
        .collect();
    let left_w = rows
        .iter()
        .map(|(name, units, _, _)| text_width(name, LABEL_PX).max(text_width(units, SMALL_PX)))
        .fold(40.0, f64::max)
        + 14.0;
    let title = "各章节的主题构成 · Theme mix per section kind".to_string();
    let subtitle =
        "Each bar splits a kind of section's assigned units by theme: what was done, admitted lacking, planned.".to_string();
    let bars_x = MARGIN + left_w;
    let width = (bars_x + BAR_W + MARGIN).max(style::heading_width(&title, &subtitle));
    let items = (0..k)
        .map(|t| LegendItem {
            label: data.themes[t].full(),
            color: theme_color(t),
            shape: Shape::Square,
        })
        .collect();
    let legend = Legend::new(items, width - 2.0 * MARGIN);
    let top = MARGIN + HEADING_H;
    let bottom = top + rows.len().max(1) as f64 * ROW_H;
    let legend_y = bottom + 34.0;
    let height = legend_y + legend.height() + MARGIN;

    style::render(FILE, (width, height), |c: &mut Canvas| {
        c.heading(&title, &subtitle)?;
        percent_axis(c, (bars_x, bars_x + BAR_W), (top, bottom))?;
        if rows.is_empty() {
            c.text(
                "no assigned units",
                (bars_x + 8.0, top + ROW_H / 2.0),
                Txt::new(NOTE_PX).color(MUTED),
            )?;
        }
        for (r, (name, units, counts, total)) in rows.iter().enumerate() {
            let y0 = top + r as f64 * ROW_H + (ROW_H - BAR_H) / 2.0;
            let mid = y0 + BAR_H / 2.0;
            c.text(name, (bars_x - 10.0, mid - 7.0), Txt::new(LABEL_PX).right())?;
            c.text(
                units,
                (bars_x - 10.0, mid + 8.0),
                Txt::new(SMALL_PX).color(MUTED).right(),
            )?;
            if *total == 0 {
                c.outline((bars_x, y0), (bars_x + BAR_W, y0 + BAR_H), AXIS)?;
                continue;
            }
            let mut done = 0;
            for (t, &count) in counts.iter().enumerate().filter(|(_, n)| **n > 0) {
                let x0 = bars_x + BAR_W * share(done, *total);
                done += count;
                let x1 = bars_x + BAR_W * share(done, *total);
                let colour = theme_color(t);
                let s = share(count, *total);
                let tip = format!(
                    "{name} · {}\n{count} of {total} units ({})",
                    data.themes[t].full(),
                    pct(s)
                );
                c.rect((x0, y0), (x1, y0 + BAR_H), colour, Some(tip))?;
                c.drill(format!("kind:{}:{t}", data.kinds[r].0.as_str()));
                if x1 - x0 >= MIN_LABELLED {
                    c.text(
                        &pct(s),
                        ((x0 + x1) / 2.0, mid),
                        Txt::new(SMALL_PX).color(text_on(colour)).center(),
                    )?;
                }
            }
        }
        legend.draw(c, (MARGIN, legend_y))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::style::tests::assert_well_formed;

    #[test]
    fn one_segment_per_non_empty_theme_with_tooltips() {
        let data = SectionsData {
            themes: (0..3)
                .map(|t| ThemeName {
                    id: format!("T{:02}", t + 1),
                    label: "普法·宣传".into(),
                })
                .collect(),
            kinds: vec![
                (SectionKind::Measures, vec![10, 5, 5]),
                (SectionKind::Shortcomings, vec![0, 3, 1]),
                (SectionKind::Plans, vec![0, 0, 0]),
            ],
        };
        let svg = render(&data).unwrap();
        assert_well_formed(&svg);
        assert_eq!(svg.matches("<title>").count(), 5);
        assert!(
            svg.contains("举措成效 measures")
                && svg.contains("不足问题 shortcomings")
                && svg.contains("下年计划 plans")
        );
        assert!(svg.contains("不足问题 shortcomings · T02 普法·宣传\n3 of 4 units (75%)"));
        assert!(svg.contains(">\n50%\n</text>"));
        assert!(svg.contains("T03 普法·宣传"), "legend");
        assert_eq!(svg, render(&data).unwrap());
    }

    #[test]
    fn no_kinds_still_draws() {
        assert_well_formed(
            &render(&SectionsData {
                themes: Vec::new(),
                kinds: Vec::new(),
            })
            .unwrap(),
        );
    }
}
