//! `years.svg` (only with two years or more): one 100% stacked column per year reported on, split
//! by the themes of that year's units. A theme whose segment grows from year to year takes a larger
//! part of what reports say; colours follow the legend (and `map.svg`). Hover a segment for counts.

use super::ThemeName;
use super::style::{
    self, AXIS, Canvas, GRID, HEADING_H, LABEL_PX, Legend, LegendItem, MARGIN, MUTED, SMALL_PX,
    Shape, Txt, pct, share, text_on, theme_color,
};
use crate::analysis::Analysis;
use crate::error::Result;

/// The file written.
pub const FILE: &str = "years.svg";

const PLOT_H: f64 = 320.0;
const AXIS_W: f64 = 44.0;
const BAR_W: f64 = 48.0;
const SLOT_W: f64 = 76.0;
/// Shorter segments get no percentage written in them.
const MIN_LABELLED: f64 = 14.0;

/// What the years chart shows.
#[derive(Debug, Clone, PartialEq)]
pub struct YearsData {
    /// The themes.
    pub themes: Vec<ThemeName>,
    /// Theme counts per year, in year order.
    pub years: Vec<(u16, Vec<usize>)>,
}

impl YearsData {
    /// The theme counts per year of an analysis.
    pub fn from_analysis(analysis: &Analysis) -> YearsData {
        YearsData {
            themes: ThemeName::of_analysis(analysis),
            years: analysis.recurrence.by_year.clone(),
        }
    }
}

/// Draws the columns.
pub fn render(data: &YearsData) -> Result<String> {
    let k = data.themes.len();
    let title = "主题占比的年度变化 · Theme shares by year".to_string();
    let subtitle = "Each column splits a year's assigned units by theme.".to_string();
    let plot_x = MARGIN + AXIS_W;
    let plot_w = data.years.len().max(1) as f64 * SLOT_W;
    let width = (plot_x + plot_w + MARGIN)
        .max(style::heading_width(&title, &subtitle))
        .max(560.0);
    let items = (0..k)
        .map(|t| LegendItem {
            label: data.themes[t].full(),
            color: theme_color(t),
            shape: Shape::Square,
        })
        .collect();
    let legend = Legend::new(items, width - 2.0 * MARGIN);
    let top = MARGIN + HEADING_H + 6.0;
    let bottom = top + PLOT_H;
    let legend_y = bottom + 48.0;
    let height = legend_y + legend.height() + MARGIN;

    style::render(FILE, (width, height), |c: &mut Canvas| {
        c.heading(&title, &subtitle)?;
        for i in 0..=4 {
            let y = bottom - PLOT_H * i as f64 / 4.0;
            c.line(
                &[(plot_x, y), (plot_x + plot_w, y)],
                if i == 0 { AXIS } else { GRID },
                1,
            )?;
            c.text(
                &format!("{}%", i * 25),
                (plot_x - 6.0, y),
                Txt::new(SMALL_PX).color(MUTED).right(),
            )?;
        }
        for (i, (year, counts)) in data.years.iter().enumerate() {
            let counts = &counts[..counts.len().min(k)];
            let total: usize = counts.iter().sum();
            let x0 = plot_x + i as f64 * SLOT_W + (SLOT_W - BAR_W) / 2.0;
            let cx = x0 + BAR_W / 2.0;
            c.text(
                &year.to_string(),
                (cx, bottom + 6.0),
                Txt::new(LABEL_PX).center().top(),
            )?;
            c.text(
                &format!("{total} units"),
                (cx, bottom + 24.0),
                Txt::new(SMALL_PX).color(MUTED).center().top(),
            )?;
            let mut done = 0;
            for (t, &count) in counts.iter().enumerate().filter(|(_, n)| **n > 0) {
                let y0 = bottom - PLOT_H * share(done, total);
                done += count;
                let y1 = bottom - PLOT_H * share(done, total);
                let colour = theme_color(t);
                let s = share(count, total);
                let tip = format!(
                    "{year} · {}\n{count} of {total} units ({})",
                    data.themes[t].full(),
                    pct(s)
                );
                c.rect((x0, y1), (x0 + BAR_W, y0), colour, Some(tip))?;
                c.drill(format!("year:{year}:{t}"));
                if y0 - y1 >= MIN_LABELLED {
                    c.text(
                        &pct(s),
                        (cx, (y0 + y1) / 2.0),
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
    fn one_column_per_year_with_tooltips() {
        let data = YearsData {
            themes: (0..3)
                .map(|t| ThemeName {
                    id: format!("T{:02}", t + 1),
                    label: "普法·宣传".into(),
                })
                .collect(),
            years: vec![
                (2021, vec![3, 1, 0]),
                (2022, vec![2, 2, 4]),
                (2023, vec![0, 0, 0]),
            ],
        };
        let svg = render(&data).unwrap();
        assert_well_formed(&svg);
        assert_eq!(svg.matches("<title>").count(), 5);
        assert!(svg.contains("2022 · T03 普法·宣传\n4 of 8 units (50%)"));
        assert!(svg.contains(">\n2023\n</text>"));
        assert_eq!(svg, render(&data).unwrap());
    }
}
