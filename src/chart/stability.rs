//! `stability.svg` (with `--stability N`): one horizontal bar per theme, as long as the mean
//! best-match Jaccard overlap of its members across the refits (other seeds and bootstrap
//! samples), most stable first. A theme near 100% keeps the same units whatever the seed or
//! sample; one below about 50% is an artefact of this particular fit. Hover a bar for the figures.

use super::ThemeName;
use super::style::{Bar, bar_chart, theme_color};
use crate::analysis::Analysis;
use crate::config::Lang;
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
    /// The language of the chart's text.
    pub lang: Lang,
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
            lang: analysis.config.report.lang,
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
                tip: match data.lang {
                    Lang::Zh => format!(
                        "{}\n{} 次重拟合的平均重合度 {:.2}",
                        data.themes[t].full(),
                        2 * data.refits,
                        value
                    ),
                    Lang::En => format!(
                        "{}\nmean overlap {:.2} over {} refits",
                        data.themes[t].full(),
                        value,
                        2 * data.refits
                    ),
                },
                drill: Some(format!("theme:{t}")),
            }
        })
        .collect();
    let (r, (a, b)) = (data.refits, data.ari);
    let subtitle = match data.lang {
        Lang::Zh => format!(
            "各主题的举措与 {r} 次换种子、{r} 次自助重抽样重拟合中最佳匹配主题的平均重合度（ARI {a:.2} 与 {b:.2}）。"
        ),
        Lang::En => format!(
            "Mean overlap of a theme's units with its best match over {r} reseeded and {r} bootstrap refits (ARI {a:.2} and {b:.2})."
        ),
    };
    bar_chart(
        FILE,
        data.lang.pick("主题稳定性", "How stable each theme is"),
        &subtitle,
        data.lang.pick(
            "成员与最佳匹配的平均 Jaccard 重合度（100% = 总是同一批举措）",
            "mean best-match Jaccard overlap of members (100% = always the same units)",
        ),
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
            lang: Lang::En,
        };
        assert_eq!(d.order(), [1, 0]);
        let svg = render(&d).unwrap();
        assert_well_formed(&svg);
        assert_eq!(crate::chart::elements(&svg, "title"), 2);
        assert!(svg.contains("90%") && svg.contains("40%"));
        assert!(svg.find("T02 普法·宣传").unwrap() < svg.find("T01 调解·纠纷").unwrap());
        let zh = render(&StabilityData {
            lang: Lang::Zh,
            ..d
        })
        .unwrap();
        assert!(zh.contains("主题稳定性") && zh.contains("6 次重拟合的平均重合度 0.90"));
        assert!(!zh.contains("overlap") && !zh.contains("refits"));
    }
}
