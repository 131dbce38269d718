//! `map.svg`: every unit (or an evenly spaced sample of at most [`MAX_POINTS`]) placed on the first
//! two LSA dimensions and coloured by theme, unassigned units in grey. Themes that form their own
//! cloud are well separated in the reduced space; overlapping clouds share vocabulary. Only two of
//! the many dimensions k-means used are shown, so themes can overlap here and still be distinct.

use super::ThemeName;
use super::style::{
    self, AXIS, Canvas, FONT, GRID, HEADING_H, Legend, LegendItem, MAP_STYLES, MARGIN, MUTED,
    NOTE_PX, OTHER, SMALL_PX, Shape, UNASSIGNED, theme_color, theme_shape, truncate,
};
use crate::analysis::Analysis;
use crate::config::Lang;
use crate::corpus::ThemeId;
use crate::error::Result;
use plotters::prelude::*;
use std::ops::Range;

/// The file written.
pub const FILE: &str = "map.svg";

/// At most this many points are drawn; larger corpora are sampled evenly.
pub const MAX_POINTS: usize = 6000;

const PLOT_W: f64 = 820.0;
const PLOT_H: f64 = 600.0;
/// Longest theme name in the legend, in em (the unit count follows it).
const LEGEND_EM: f64 = 15.0;

/// One unit on the map.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MapPoint {
    /// First LSA dimension.
    pub x: f64,
    /// Second LSA dimension.
    pub y: f64,
    /// The unit's theme (None: unassigned).
    pub theme: Option<usize>,
}

/// What the map shows.
#[derive(Debug, Clone, PartialEq)]
pub struct MapData {
    /// The themes.
    pub themes: Vec<ThemeName>,
    /// Every unit.
    pub points: Vec<MapPoint>,
    /// The language of the chart's text.
    pub lang: Lang,
}

impl MapData {
    /// The units of an analysis on its first two reduced dimensions.
    pub fn from_analysis(analysis: &Analysis) -> MapData {
        let reduced = &analysis.reduced;
        let rows = reduced.nrows().min(analysis.placements.len());
        let at = |u: usize, d: usize| {
            if d < reduced.ncols() {
                f64::from(reduced[[u, d]])
            } else {
                0.0
            }
        };
        let points = (0..rows)
            .map(|u| MapPoint {
                x: at(u, 0),
                y: at(u, 1),
                theme: analysis.theme_of(u).map(ThemeId::index),
            })
            .collect();
        MapData {
            themes: ThemeName::of_analysis(analysis),
            points,
            lang: analysis.config.report.lang,
        }
    }
}

/// `lo..hi` padded by 5%, or a unit range around a single value.
fn padded(mut values: impl Iterator<Item = f64>) -> Range<f64> {
    let first = values.next().unwrap_or(0.0);
    let (lo, hi) = values.fold((first, first), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let pad = if hi > lo { (hi - lo) * 0.05 } else { 1.0 };
    (lo - pad)..(hi + pad)
}

/// A tick label without `-0.00`.
fn tick(v: &f64) -> String {
    let v = if v.abs() < 1e-9 { 0.0 } else { *v };
    format!("{v:.2}")
}

/// Draws the map.
pub fn render(data: &MapData) -> Result<String> {
    let lang = data.lang;
    let n = data.points.len();
    let sample: Vec<MapPoint> = if n <= MAX_POINTS {
        data.points.clone()
    } else {
        (0..MAX_POINTS)
            .map(|i| data.points[i * n / MAX_POINTS])
            .collect()
    };
    let sample: Vec<MapPoint> = sample
        .into_iter()
        .filter(|p| p.x.is_finite() && p.y.is_finite())
        .collect();
    let k = data.themes.len();
    let theme_of = |p: &MapPoint| p.theme.filter(|&t| t < k);
    let mut counts = vec![0usize; k];
    let mut unassigned = 0;
    for p in &data.points {
        match theme_of(p) {
            Some(t) => counts[t] += 1,
            None => unassigned += 1,
        }
    }
    let styled = k.min(MAP_STYLES);
    let mut items: Vec<LegendItem> = (0..styled)
        .map(|t| LegendItem {
            label: format!(
                "{} ({})",
                truncate(&data.themes[t].full(), LEGEND_EM * SMALL_PX, SMALL_PX),
                counts[t]
            ),
            color: theme_color(t),
            shape: theme_shape(t),
        })
        .collect();
    if k > styled {
        let rest: usize = counts[styled..].iter().sum();
        items.push(LegendItem {
            label: match lang {
                Lang::Zh => format!("其他 {} 个主题 ({rest})", k - styled),
                Lang::En => format!("{} other themes ({rest})", k - styled),
            },
            color: OTHER,
            shape: Shape::Circle,
        });
    }
    if unassigned > 0 {
        items.push(LegendItem {
            label: format!("{} ({unassigned})", lang.pick("未归类", "unassigned")),
            color: UNASSIGNED,
            shape: Shape::Circle,
        });
    }
    let title = lang.pick(
        "措施在语义空间中的分布",
        "Units on the first two LSA dimensions",
    );
    let subtitle = match (n > MAX_POINTS, lang) {
        (true, Lang::Zh) => format!(
            "共 {n} 条，均匀抽取 {} 条显示，按主题着色；灰色为未归类。",
            sample.len()
        ),
        (true, Lang::En) => format!(
            "Showing {} of {n} units (an evenly spaced sample), coloured by theme; grey = unassigned.",
            sample.len()
        ),
        (false, Lang::Zh) => {
            format!("{n} 条举措，按主题着色；灰色为未归类。只画出降维后的前 2 个维度。")
        }
        (false, Lang::En) => format!(
            "{n} units, coloured by theme; grey = unassigned. Only 2 of the reduced dimensions are shown."
        ),
    };
    let width = (PLOT_W + 2.0 * MARGIN).max(style::heading_width(title, &subtitle));
    let legend = Legend::new(items, width - 2.0 * MARGIN);
    let top = MARGIN + HEADING_H;
    let legend_y = top + PLOT_H + 12.0;
    let height = legend_y + legend.height() + MARGIN;
    let (xs, ys) = (
        padded(sample.iter().map(|p| p.x)),
        padded(sample.iter().map(|p| p.y)),
    );

    style::render(FILE, (width, height), |c: &mut Canvas| {
        c.heading(title, &subtitle)?;
        let plot = c
            .area()
            .clone()
            .shrink((MARGIN as i32, top as i32), (PLOT_W as i32, PLOT_H as i32));
        let mut chart = ChartBuilder::on(&plot)
            .x_label_area_size(44)
            .y_label_area_size(60)
            .margin_right(8)
            .build_cartesian_2d(xs.clone(), ys.clone())
            .map_err(|e| c.error(e))?;
        let label_style = (FONT, SMALL_PX * 1.24).into_font().color(&MUTED);
        chart
            .configure_mesh()
            .max_light_lines(0)
            .bold_line_style(GRID)
            .axis_style(AXIS)
            .label_style(label_style)
            .axis_desc_style((FONT, NOTE_PX * 1.24).into_font().color(&MUTED))
            .x_desc(lang.pick("LSA 第 1 维", "LSA dimension 1"))
            .y_desc(lang.pick("LSA 第 2 维", "LSA dimension 2"))
            .x_label_formatter(&tick)
            .y_label_formatter(&tick)
            .draw()
            .map_err(|e| c.error(e))?;
        // Unassigned units first, then themes from the largest, so small themes stay visible.
        let mut layers: Vec<Option<usize>> = vec![None];
        let mut by_size: Vec<usize> = (0..k).collect();
        by_size.sort_by(|&a, &b| counts[b].cmp(&counts[a]).then(a.cmp(&b)));
        layers.extend(by_size.into_iter().map(Some));
        for layer in layers {
            let (shape, r, style) = match layer {
                None => (Shape::Circle, 2, UNASSIGNED.mix(0.7).filled()),
                Some(t) if t >= MAP_STYLES => (Shape::Circle, 2, OTHER.mix(0.7).filled()),
                Some(t) => (theme_shape(t), 3, theme_color(t).mix(0.8).filled()),
            };
            for p in sample.iter().filter(|p| theme_of(p) == layer) {
                c.marker(chart.backend_coord(&(p.x, p.y)), shape, r, style)?;
            }
        }
        legend.draw(c, (MARGIN, legend_y))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::style::tests::assert_well_formed;

    fn data(n: usize) -> MapData {
        let themes = (0..12)
            .map(|t| ThemeName {
                id: format!("T{:02}", t + 1),
                label: "调解·纠纷".into(),
            })
            .collect();
        let points = (0..n)
            .map(|i| {
                let a = i as f64 * 0.37;
                MapPoint {
                    x: a.cos() * 0.5,
                    y: a.sin() * 0.3,
                    theme: if i % 13 == 0 { None } else { Some(i % 12) },
                }
            })
            .collect();
        MapData {
            themes,
            points,
            lang: Lang::En,
        }
    }

    #[test]
    fn draws_every_point_with_a_legend() {
        let d = data(200);
        let svg = render(&d).unwrap();
        assert_well_formed(&svg);
        let markers =
            crate::chart::elements(&svg, "circle") + crate::chart::elements(&svg, "polygon");
        assert_eq!(markers, 200 + 13, "points plus legend swatches");
        assert!(svg.contains("T12 调解·纠纷"));
        assert!(svg.contains("unassigned (16)"));
        assert!(svg.contains("LSA dimension 2"));
        assert_eq!(svg, render(&d).unwrap());
    }

    #[test]
    fn large_corpora_are_sampled() {
        let svg = render(&data(MAX_POINTS * 3 + 7)).unwrap();
        assert_well_formed(&svg);
        let markers =
            crate::chart::elements(&svg, "circle") + crate::chart::elements(&svg, "polygon");
        assert_eq!(markers, MAX_POINTS + 13);
        assert!(svg.contains(&format!(
            "Showing {MAX_POINTS} of {} units",
            MAX_POINTS * 3 + 7
        )));
    }

    #[test]
    fn empty_and_degenerate_maps_draw() {
        assert_well_formed(
            &render(&MapData {
                themes: Vec::new(),
                points: Vec::new(),
                lang: Lang::Zh,
            })
            .unwrap(),
        );
        let one = MapData {
            themes: Vec::new(),
            points: vec![MapPoint {
                x: f64::NAN,
                y: 0.0,
                theme: None,
            }],
            lang: Lang::En,
        };
        assert_well_formed(&render(&one).unwrap());
    }

    #[test]
    fn every_theme_has_its_own_colour_and_marker() {
        for k in [30, 45] {
            let points = (0..k * 4)
                .map(|i| MapPoint {
                    x: (i % 17) as f64,
                    y: (i / 17) as f64,
                    theme: Some(i % k),
                })
                .collect();
            let svg = render(&MapData {
                themes: (0..k)
                    .map(|t| ThemeName {
                        id: format!("T{:02}", t + 1),
                        label: String::new(),
                    })
                    .collect(),
                points,
                lang: Lang::Zh,
            })
            .unwrap();
            // A circle, triangle or square of one fill each: (element, points per marker, fill).
            let styles: std::collections::BTreeSet<(usize, String)> = svg
                .split('<')
                .filter(|t| t.starts_with("circle") || t.starts_with("polygon"))
                .map(|t| {
                    let corners = t.split("points=\"").nth(1).map_or(0, |p| {
                        p.split('"').next().unwrap().split_whitespace().count()
                    });
                    let fill = t
                        .split("fill=\"")
                        .nth(1)
                        .unwrap()
                        .split('"')
                        .next()
                        .unwrap();
                    (corners, fill.to_string())
                })
                .collect();
            assert_eq!(styles.len(), k, "k = {k}: {styles:?}");
            assert!(svg.contains("LSA 第 2 维") && !svg.contains("units"));
        }
    }
}
