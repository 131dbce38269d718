//! `stability.svg` (with `--stability N`): one horizontal bar per theme, as long as the mean
//! best-match Jaccard overlap of its members across the refits (other seeds and bootstrap
//! samples), most stable first. A theme near 100% keeps the same units whatever the seed or
//! sample; one below about 50% is an artefact of this particular fit. Hover a bar for the figures.

use super::ThemeName;
use super::style::{
    self, Canvas, HEADING_H, LABEL_PX, MARGIN, MUTED, NOTE_PX, SMALL_PX, Txt, percent_axis,
    text_width, theme_color, truncate,
};
use crate::error::Result;
use crate::pipeline::Analysis;

/// The file written.
pub const FILE: &str = "stability.svg";

const ROW_H: f64 = 24.0;
const BAR_H: f64 = 16.0;
const BAR_W: f64 = 420.0;
const LABEL_EM: f64 = 20.0;

/// What the stability chart shows.
#[derive(Debug, Clone, PartialEq)]
pub struct StabilityData {
    /// The themes.
    pub themes: Vec<ThemeName>,
    /// Mean best-match Jaccard overlap per theme, in [0, 1].
    pub overlap: Vec<f64>,
    /// Refits of each kind.
    pub refits: usize,
    /// Mean adjusted Rand index with the reseeded and the bootstrap refits.
    pub ari: (f64, f64),
}

impl StabilityData {
    /// The stability of an analysis's themes, if it was measured.
    pub fn from_analysis(analysis: &Analysis) -> Option<StabilityData> {
        let s = analysis.stability.as_ref()?;
        Some(StabilityData {
            themes: ThemeName::of_analysis(analysis),
            overlap: s.per_theme.clone(),
            refits: s.refits,
            ari: (s.ari_seeds, s.ari_bootstrap),
        })
    }

    /// Themes from the most to the least stable.
    fn order(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.overlap.len().min(self.themes.len())).collect();
        order.sort_by(|&a, &b| self.overlap[b].total_cmp(&self.overlap[a]).then(a.cmp(&b)));
        order
    }
}

/// Draws the stability chart.
pub fn render(data: &StabilityData) -> Result<String> {
    let order = data.order();
    let labels: Vec<String> = order
        .iter()
        .map(|&t| truncate(&data.themes[t].full(), LABEL_EM * LABEL_PX, LABEL_PX))
        .collect();
    let left_w = labels
        .iter()
        .map(|l| text_width(l, LABEL_PX))
        .fold(40.0, f64::max)
        + 12.0;
    let title = "主题稳定性 · How stable each theme is".to_string();
    let subtitle = format!(
        "Mean overlap of a theme's units with its best match over {} reseeded and {} bootstrap refits (ARI {:.2} and {:.2}).",
        data.refits, data.refits, data.ari.0, data.ari.1
    );
    let bars_x = MARGIN + left_w;
    let top = MARGIN + HEADING_H;
    let bottom = top + order.len() as f64 * ROW_H;
    let value_w = text_width("100%", SMALL_PX) + 12.0;
    let width = (bars_x + BAR_W + value_w + MARGIN).max(style::heading_width(&title, &subtitle));
    let height = bottom + 16.0 + NOTE_PX * 1.8 + NOTE_PX + MARGIN;
    style::render(FILE, (width, height), |c: &mut Canvas| {
        c.heading(&title, &subtitle)?;
        percent_axis(c, (bars_x, bars_x + BAR_W), (top, bottom))?;
        c.text(
            "mean best-match Jaccard overlap of members (100% = always the same units)",
            (bars_x + BAR_W / 2.0, bottom + 18.0),
            Txt::new(NOTE_PX).color(MUTED).center().top(),
        )?;
        for (r, &t) in order.iter().enumerate() {
            let y0 = top + r as f64 * ROW_H + (ROW_H - BAR_H) / 2.0;
            let mid = y0 + BAR_H / 2.0;
            let value = data.overlap[t].clamp(0.0, 1.0);
            let x1 = bars_x + BAR_W * value;
            let tip = format!(
                "{}\nmean overlap {:.2} over {} refits",
                data.themes[t].full(),
                value,
                2 * data.refits
            );
            c.text(&labels[r], (bars_x - 8.0, mid), Txt::new(LABEL_PX).right())?;
            c.rect(
                (bars_x, y0),
                (x1.max(bars_x + 1.0), y0 + BAR_H),
                theme_color(t),
                Some(tip),
            )?;
            c.text(
                &format!("{:.0}%", value * 100.0),
                (x1 + 6.0, mid),
                Txt::new(SMALL_PX).color(MUTED),
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
    fn bars_sorted_by_stability_with_tooltips() {
        let name = |id: &str, label: &str| ThemeName {
            id: id.into(),
            label: label.into(),
        };
        let d = StabilityData {
            themes: vec![name("T01", "调解·纠纷"), name("T02", "普法·宣传")],
            overlap: vec![0.4, 0.9],
            refits: 3,
            ari: (0.7, 0.6),
        };
        assert_eq!(d.order(), [1, 0]);
        let svg = render(&d).unwrap();
        assert_well_formed(&svg);
        assert_eq!(svg.matches("<title>").count(), 2);
        assert!(svg.contains("90%") && svg.contains("40%"));
        assert!(svg.find("T02 普法·宣传").unwrap() < svg.find("T01 调解·纠纷").unwrap());
    }
}
