//! `k.svg` (only with `--k auto`): the mean silhouette of each number of themes k that was tried,
//! as a line with points, and the k chosen marked by a dashed line. Higher silhouette means units
//! sit closer to their own theme than to the next; a flat curve means no k is clearly better.

use super::style::{
    self, AXIS, Canvas, FONT, GRID, HEADING_H, MARGIN, MUTED, NOTE, NOTE_PX, SMALL_PX, Txt,
};
use crate::analysis::Analysis;
use crate::config::Lang;
use crate::error::Result;
use plotters::prelude::*;

/// The file written.
pub const FILE: &str = "k.svg";

const PLOT_W: f64 = 720.0;
const PLOT_H: f64 = 400.0;
const LINE: RGBColor = RGBColor(0x4E, 0x79, 0xA7);

/// What the k chart shows.
#[derive(Debug, Clone, PartialEq)]
pub struct KData {
    /// `(k, silhouette)` for each k tried.
    pub scan: Vec<(usize, f64)>,
    /// The k chosen.
    pub chosen: usize,
    /// The language of the chart's text.
    pub lang: Lang,
}

impl KData {
    /// The k scan of an analysis.
    pub fn from_analysis(analysis: &Analysis) -> KData {
        KData {
            scan: analysis
                .fit
                .scan
                .iter()
                .map(|s| (s.k, s.silhouette))
                .collect(),
            chosen: analysis.fit.k,
            lang: analysis.config.report.lang,
        }
    }
}

/// Draws the scan.
pub fn render(data: &KData) -> Result<String> {
    let mut scan: Vec<(i32, f64)> = data
        .scan
        .iter()
        .filter(|(_, s)| s.is_finite())
        .map(|&(k, s)| (k as i32, s))
        .collect();
    scan.sort_by_key(|&(k, _)| k);
    let chosen = data.chosen as i32;
    let ks = scan.iter().map(|&(k, _)| k).chain([chosen]);
    let (k_lo, k_hi) = ks.fold((chosen, chosen), |(lo, hi), k| (lo.min(k), hi.max(k)));
    let (s_lo, s_hi) = scan
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &(_, s)| {
            (lo.min(s), hi.max(s))
        });
    let (s_lo, s_hi) = if s_lo > s_hi {
        (0.0, 1.0)
    } else {
        (s_lo, s_hi)
    };
    let pad = if s_hi > s_lo {
        (s_hi - s_lo) * 0.15
    } else {
        0.05
    };
    let ys = (s_lo - pad)..(s_hi + pad);
    let best = scan.iter().find(|&&(k, _)| k == chosen).map(|&(_, s)| s);
    let lang = data.lang;
    let title = lang
        .pick("主题数 k 的选择", "Choosing the number of themes k")
        .to_string();
    let subtitle = match lang {
        Lang::Zh => format!(
            "每个候选 k 在固定种子样本上的平均轮廓系数（越高分得越开）；选定 k = {}。",
            data.chosen
        ),
        Lang::En => format!(
            "Mean silhouette on a seeded sample for each k tried (higher = better separated); k = {} was chosen.",
            data.chosen
        ),
    };
    let width = (PLOT_W + 2.0 * MARGIN).max(style::heading_width(&title, &subtitle));
    let top = MARGIN + HEADING_H;
    let height = top + PLOT_H + MARGIN;

    style::render(FILE, (width, height), |c: &mut Canvas| {
        c.heading(&title, &subtitle)?;
        let plot = c
            .area()
            .clone()
            .shrink((MARGIN as i32, top as i32), (PLOT_W as i32, PLOT_H as i32));
        let mut chart = ChartBuilder::on(&plot)
            .x_label_area_size(44)
            .y_label_area_size(60)
            .margin_right(12)
            .margin_top(8)
            .build_cartesian_2d((k_lo - 1)..(k_hi + 1), ys.clone())
            .map_err(|e| c.error(e))?;
        chart
            .configure_mesh()
            // Not max_light_lines(0): on an integer axis plotters then overflows looking for ticks.
            .light_line_style(TRANSPARENT)
            .bold_line_style(GRID)
            .axis_style(AXIS)
            .label_style((FONT, SMALL_PX * 1.24).into_font().color(&MUTED))
            .axis_desc_style((FONT, NOTE_PX * 1.24).into_font().color(&MUTED))
            .x_desc(lang.pick("k（主题数）", "k (number of themes)"))
            .y_desc(lang.pick("平均轮廓系数", "mean silhouette"))
            .y_label_formatter(&|v| format!("{v:.3}"))
            .draw()
            .map_err(|e| c.error(e))?;
        let dashes = [(chosen, ys.start), (chosen, ys.end)];
        chart
            .draw_series(DashedLineSeries::new(dashes, 6, 4, NOTE.stroke_width(1)))
            .map_err(|e| c.error(e))?;
        chart
            .draw_series(LineSeries::new(scan.iter().copied(), LINE.stroke_width(2)).point_size(4))
            .map_err(|e| c.error(e))?;
        let (x, y) = chart.backend_coord(&(chosen, ys.end));
        let label = match (best, lang) {
            (Some(s), Lang::Zh) => format!("选定 k = {}（轮廓系数 {s:.3}）", data.chosen),
            (None, Lang::Zh) => format!("选定 k = {}", data.chosen),
            (Some(s), Lang::En) => format!("chosen k = {} (silhouette {s:.3})", data.chosen),
            (None, Lang::En) => format!("chosen k = {}", data.chosen),
        };
        let txt = if chosen > (k_lo + k_hi) / 2 {
            Txt::new(NOTE_PX).right()
        } else {
            Txt::new(NOTE_PX)
        };
        let dx = if chosen > (k_lo + k_hi) / 2 {
            -6.0
        } else {
            6.0
        };
        c.text(
            &label,
            (x as f64 + dx, y as f64 + 10.0),
            txt.color(NOTE).top(),
        )?;
        if let Some(s) = best {
            c.marker(
                chart.backend_coord(&(chosen, s)),
                style::Shape::Circle,
                7,
                NOTE.stroke_width(2),
            )?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::style::tests::assert_well_formed;

    #[test]
    fn draws_the_scan_and_marks_the_choice() {
        let data = KData {
            scan: vec![(4, 0.08), (2, 0.05), (6, 0.11), (8, 0.09)],
            chosen: 6,
            lang: Lang::En,
        };
        let svg = render(&data).unwrap();
        assert_well_formed(&svg);
        assert!(svg.contains("chosen k = 6 (silhouette 0.110)"));
        assert!(svg.contains("mean silhouette"));
        assert_eq!(svg, render(&data).unwrap());
        let zh = render(&KData {
            lang: Lang::Zh,
            ..data
        })
        .unwrap();
        assert!(zh.contains("选定 k = 6（轮廓系数 0.110）") && zh.contains("平均轮廓系数"));
        assert!(!zh.contains("chosen") && !zh.contains("silhouette"));
        assert_well_formed(
            &render(&KData {
                scan: Vec::new(),
                chosen: 3,
                lang: Lang::Zh,
            })
            .unwrap(),
        );
    }
}
