//! `stability.svg` (with `--stability N`): one horizontal bar per theme, as long as the mean
//! best-match Jaccard overlap of its members across the refits (other seeds and bootstrap
//! samples), most stable first. A theme near 100% keeps the same units whatever the seed or
//! sample; one below about 50% is an artefact of this particular fit. Hover a bar for the figures.

use super::ThemeName;
use super::style::{Bar, bar_chart, theme_color};
use crate::analysis::Analysis;
use crate::error::Result;

/// The file written.
pub const FILE: &str = "stability.svg";

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
    let bars: Vec<Bar> = data
        .order()
        .into_iter()
        .map(|t| {
            let value = data.overlap[t].clamp(0.0, 1.0);
            Bar {
                label: data.themes[t].full(),
                value,
                value_text: format!("{:.0}%", value * 100.0),
                color: theme_color(t),
                tip: format!(
                    "{}\nmean overlap {:.2} over {} refits",
                    data.themes[t].full(),
                    value,
                    2 * data.refits
                ),
                drill: Some(format!("theme:{t}")),
            }
        })
        .collect();
    let subtitle = format!(
        "Mean overlap of a theme's units with its best match over {} reseeded and {} bootstrap refits (ARI {:.2} and {:.2}).",
        data.refits, data.refits, data.ari.0, data.ari.1
    );
    bar_chart(
        FILE,
        "主题稳定性 · How stable each theme is",
        &subtitle,
        "mean best-match Jaccard overlap of members (100% = always the same units)",
        &bars,
    )
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
