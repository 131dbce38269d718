//! `years.svg` (only with two years or more): one 100% stacked column per year reported on, split
//! by the themes of that year's units. A theme whose segment grows from year to year takes a larger
//! part of what reports say; colours follow the legend (and `map.svg`), and segments tall enough
//! name their theme. With more than [`MAX_COLUMNS`] years, the columns are bins of 2, 5, 10, …
//! years (`1990–1994`), so the chart stays at most about 1,300 px wide. A column resting on
//! fewer than `report.min_units` units has its count written in orange (the subtitle then says
//! what orange means). Hover a segment for counts.

use super::ThemeName;
use super::style::{
    self, Along, Canvas, GRID, HEADING_H, LABEL_PX, MARGIN, MUTED, NOTE, SMALL_PX, Stack, Txt,
    stacked_bar, theme_legend,
};
use crate::analysis::Analysis;
use crate::config::Lang;
use crate::error::Result;

/// The file written.
pub const FILE: &str = "years.svg";

/// At most this many columns: with more years, each column is a bin of several years.
pub const MAX_COLUMNS: usize = 15;

const PLOT_H: f64 = 320.0;
const AXIS_W: f64 = 44.0;
const BAR_W: f64 = 48.0;
const SLOT_W: f64 = 76.0;

/// What the years chart shows.
#[derive(Debug, Clone, PartialEq)]
pub struct YearsData {
    /// The themes.
    pub themes: Vec<ThemeName>,
    /// Theme counts per year, in year order.
    pub years: Vec<(u16, Vec<usize>)>,
    /// A column with fewer units is marked as resting on small numbers.
    pub min_units: usize,
    /// The language of the chart's text.
    pub lang: Lang,
}

impl YearsData {
    /// The theme counts per year of an analysis.
    pub fn from_analysis(analysis: &Analysis) -> YearsData {
        YearsData {
            themes: ThemeName::of_analysis(analysis),
            years: analysis.recurrence.by_year.clone(),
            min_units: analysis.config.report.min_units,
            lang: analysis.config.report.lang,
        }
    }
}

/// One column: the years `from..=to` and their theme counts summed.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// The first year in the column.
    pub from: u16,
    /// The last year in the column (`from` for a single year).
    pub to: u16,
    /// Units per theme.
    pub counts: Vec<usize>,
}

impl Column {
    /// `2021`, or `1990–1994` for a bin.
    pub fn label(&self) -> String {
        if self.from == self.to {
            self.from.to_string()
        } else {
            format!("{}–{}", self.from, self.to)
        }
    }

    /// The drill key without its theme: `year:2021`, or `year:1990-1994` for a bin.
    fn drill(&self) -> String {
        if self.from == self.to {
            format!("year:{}", self.from)
        } else {
            format!("year:{}-{}", self.from, self.to)
        }
    }
}

/// The years per column for `years` (in year order): 1 when there are at most
/// [`MAX_COLUMNS`] years, else the smallest of 2, 5, 10, 20, 50, 100, … that leaves at most
/// [`MAX_COLUMNS`] bins (aligned to multiples of it) with units.
pub fn bin_width(years: &[(u16, Vec<usize>)]) -> u32 {
    let bins = |w: u32| {
        let mut keys: Vec<u32> = years.iter().map(|(y, _)| u32::from(*y) / w).collect();
        keys.dedup();
        keys.len()
    };
    let steps = [2u32, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000];
    std::iter::once(1)
        .chain(steps)
        .find(|&w| bins(w) <= MAX_COLUMNS)
        .unwrap_or(65536)
}

/// The columns to draw for `years` (in year order), [`bin_width`] years each. A bin is named
/// by the years it spans, cut to the first and last year with units (`1990–1994`, then
/// `2025–2026` when 2026 is the last).
pub fn columns(years: &[(u16, Vec<usize>)], k: usize) -> Vec<Column> {
    let w = bin_width(years);
    let (first, last) = match (years.first(), years.last()) {
        (Some(f), Some(l)) => (f.0, l.0),
        _ => return Vec::new(),
    };
    let mut out: Vec<Column> = Vec::new();
    for (year, counts) in years {
        let start = u32::from(*year) / w * w;
        let from = (start.max(u32::from(first))) as u16;
        let to = ((start + w - 1).min(u32::from(last))) as u16;
        if out.last().is_none_or(|c| c.from != from) {
            out.push(Column {
                from,
                to,
                counts: vec![0; k],
            });
        }
        let column = out.last_mut().expect("pushed above");
        for (sum, n) in column.counts.iter_mut().zip(counts) {
            *sum += n;
        }
    }
    out
}

/// Draws the columns.
pub fn render(data: &YearsData) -> Result<String> {
    let lang = data.lang;
    let k = data.themes.len();
    let columns = columns(&data.years, k);
    let span = bin_width(&data.years);
    let binned = span > 1;
    let title = lang.pick("主题占比的年度变化", "Theme shares by year");
    let mut subtitle = lang
        .pick(
            "每一列把该年已归类的举措按主题分开。",
            "Each column splits a year's assigned units by theme.",
        )
        .to_string();
    if binned {
        let (first, last) = (data.years[0].0, data.years[data.years.len() - 1].0);
        subtitle.push_str(&match lang {
            Lang::Zh => format!(
                " {first}–{last} 年共 {} 个年份，按每 {span} 年合为一列。",
                data.years.len()
            ),
            Lang::En => format!(
                " {} years from {first} to {last}, in bins of {span} years.",
                data.years.len()
            ),
        });
    }
    let small = |c: &Column| c.counts.iter().sum::<usize>() < data.min_units;
    if columns.iter().any(small) {
        subtitle.push_str(&match lang {
            Lang::Zh => format!(" 橙色数字：少于 {} 条，比例不可靠。", data.min_units),
            Lang::En => format!(
                " Orange counts: fewer than {} units, shares unreliable.",
                data.min_units
            ),
        });
    }
    let plot_x = MARGIN + AXIS_W;
    let plot_w = columns.len().max(1) as f64 * SLOT_W;
    let width = (plot_x + plot_w + MARGIN)
        .max(style::heading_width(title, &subtitle))
        .max(560.0);
    let legend = theme_legend(&data.themes, width - 2.0 * MARGIN, lang);
    let top = MARGIN + HEADING_H + 6.0;
    let bottom = top + PLOT_H;
    let legend_y = bottom + 48.0;
    let height = legend_y + legend.height() + MARGIN;

    style::render(FILE, (width, height), |c: &mut Canvas| {
        c.heading(title, &subtitle)?;
        for i in 0..=4 {
            let y = bottom - PLOT_H * i as f64 / 4.0;
            c.line(
                &[(plot_x, y), (plot_x + plot_w, y)],
                if i == 0 { style::AXIS } else { GRID },
                1,
            )?;
            c.text(
                &format!("{}%", i * 25),
                (plot_x - 6.0, y),
                Txt::new(SMALL_PX).color(MUTED).right(),
            )?;
        }
        for (i, column) in columns.iter().enumerate() {
            let total: usize = column.counts.iter().sum();
            let x0 = plot_x + i as f64 * SLOT_W + (SLOT_W - BAR_W) / 2.0;
            let cx = x0 + BAR_W / 2.0;
            let label = column.label();
            let px = if binned { SMALL_PX } else { LABEL_PX };
            c.text(&label, (cx, bottom + 6.0), Txt::new(px).center().top())?;
            let units = match lang {
                Lang::Zh => format!("{total} 条"),
                Lang::En => format!("{total} units"),
            };
            let colour = if total < data.min_units { NOTE } else { MUTED };
            c.text(
                &units,
                (cx, bottom + 24.0),
                Txt::new(SMALL_PX).color(colour).center().top(),
            )?;
            let stack = Stack {
                themes: &data.themes,
                counts: &column.counts,
                name: &label,
                drill: &column.drill(),
                lang,
            };
            stacked_bar(c, (x0, top), (x0 + BAR_W, bottom), Along::Up, &stack)?;
        }
        legend.draw(c, (MARGIN, legend_y))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::style::tests::{assert_well_formed, fills_by_theme};

    fn themes(k: usize) -> Vec<ThemeName> {
        (0..k)
            .map(|t| ThemeName {
                id: format!("T{:02}", t + 1),
                label: "普法·宣传".into(),
            })
            .collect()
    }

    #[test]
    fn one_column_per_year_with_tooltips() {
        let data = YearsData {
            themes: themes(3),
            years: vec![
                (2021, vec![3, 1, 0]),
                (2022, vec![2, 2, 4]),
                (2023, vec![0, 0, 0]),
            ],
            min_units: 5,
            lang: Lang::En,
        };
        let svg = render(&data).unwrap();
        assert_well_formed(&svg);
        assert_eq!(crate::chart::elements(&svg, "title"), 5);
        assert!(svg.contains("2022 · T03 普法·宣传\n4 of 8 units (50%)"));
        assert!(svg.contains(">\n2023\n</text>"));
        assert!(svg.contains("data-drill=\"year:2022:2\""));
        assert!(
            svg.contains("fill=\"#A63C00\">\n4 units"),
            "a small column is marked"
        );
        assert!(svg.contains("Orange counts: fewer than 5 units"));
        let big = YearsData {
            min_units: 0,
            ..data.clone()
        };
        assert!(
            !render(&big).unwrap().contains("Orange counts"),
            "said only when a column is small"
        );
        assert_eq!(svg, render(&data).unwrap());
    }

    #[test]
    fn many_years_are_binned_and_the_width_bounded() {
        let k = 30;
        let years: Vec<(u16, Vec<usize>)> = (1979..=2026)
            .map(|y| (y, (0..k).map(|t| (y as usize + t) % 7).collect()))
            .collect();
        let data = YearsData {
            themes: themes(k),
            years: years.clone(),
            min_units: 5,
            lang: Lang::Zh,
        };
        let cols = columns(&years, k);
        assert_eq!(bin_width(&years), 5);
        assert_eq!(cols.len(), 11);
        assert_eq!((cols[0].from, cols[0].to), (1979, 1979));
        assert_eq!(cols[0].counts, years[0].1);
        assert_eq!((cols[1].from, cols[1].to), (1980, 1984));
        assert_eq!((cols[10].from, cols[10].to), (2025, 2026));
        assert_eq!(
            cols.iter()
                .map(|c| c.counts.iter().sum::<usize>())
                .sum::<usize>(),
            years
                .iter()
                .map(|(_, c)| c.iter().sum::<usize>())
                .sum::<usize>()
        );
        let svg = render(&data).unwrap();
        assert_well_formed(&svg);
        let width: f64 = svg["<svg width=\"".len()..]
            .split('"')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(width <= 1400.0, "{width}");
        assert!(svg.contains(">\n1980–1984\n</text>"));
        assert!(svg.contains("data-drill=\"year:1980-1984:0\""));
        assert!(svg.contains("按每 5 年合为一列"));
        assert_eq!(fills_by_theme(&svg).len(), k);
        // At most MAX_COLUMNS single years: one column each.
        assert_eq!(columns(&years[..15], k).len(), 15);
        assert_eq!(columns(&years[..16], k).len(), 9);
    }
}
