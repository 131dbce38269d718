//! `terms.svg`: small multiples, one panel per theme, each listing the theme's most distinctive
//! terms (class-based TF-IDF, up to 10) as horizontal bars with their weights. Bars are scaled
//! within each panel (the top term fills the panel), so compare the order of terms within a theme,
//! not bar lengths across themes. Hover a bar for the exact weight.

use super::ThemeName;
use super::style::{
    self, Canvas, HEADING_H, LABEL_PX, MARGIN, MUTED, NOTE_PX, SMALL_PX, Txt, text_width,
    theme_color, truncate, weight,
};
use crate::analysis::Analysis;
use crate::config::Lang;
use crate::error::Result;

/// The file written.
pub const FILE: &str = "terms.svg";

/// Terms drawn per theme.
pub const MAX_TERMS: usize = 10;

const TERM_PX: f64 = NOTE_PX;
const TERM_EM: f64 = 7.0;
const ROW_H: f64 = 17.0;
const BAR_H: f64 = 12.0;
const BAR_W: f64 = 120.0;
const VALUE_W: f64 = 44.0;
const GAP: f64 = 28.0;
const PANEL_HEAD: f64 = 24.0;

/// What the terms chart shows.
#[derive(Debug, Clone, PartialEq)]
pub struct TermsData {
    /// The themes.
    pub themes: Vec<ThemeName>,
    /// `terms[t]`: theme t's terms with their weights, best first.
    pub terms: Vec<Vec<(String, f64)>>,
    /// The language of the chart's text.
    pub lang: Lang,
}

impl TermsData {
    /// The top terms of an analysis's themes.
    pub fn from_analysis(analysis: &Analysis) -> TermsData {
        let themes = ThemeName::of_analysis(analysis);
        let terms = (0..themes.len())
            .map(|t| {
                analysis
                    .themes
                    .get(t)
                    .map_or_else(Vec::new, |th| th.top_terms.clone())
            })
            .collect();
        TermsData {
            themes,
            terms,
            lang: analysis.config.report.lang,
        }
    }

    fn terms(&self, t: usize) -> &[(String, f64)] {
        let terms = self.terms.get(t).map_or(&[][..], Vec::as_slice);
        &terms[..terms.len().min(MAX_TERMS)]
    }
}

/// Draws the panels.
pub fn render(data: &TermsData) -> Result<String> {
    let n = data.themes.len();
    let per_row = match n {
        0..=4 => n.max(1),
        5..=9 => 3,
        _ => 4,
    };
    let term_labels: Vec<Vec<String>> = (0..n)
        .map(|t| {
            data.terms(t)
                .iter()
                .map(|(term, _)| truncate(term, TERM_EM * TERM_PX, TERM_PX))
                .collect()
        })
        .collect();
    let term_w = term_labels
        .iter()
        .flatten()
        .map(|l| text_width(l, TERM_PX))
        .fold(2.0 * TERM_PX, f64::max);
    let panel_w = term_w + 6.0 + BAR_W + VALUE_W + GAP;
    let rows_per_panel = (0..n)
        .map(|t| data.terms(t).len())
        .max()
        .unwrap_or(0)
        .max(1);
    let panel_h = PANEL_HEAD + rows_per_panel as f64 * ROW_H + 18.0;
    let title = data
        .lang
        .pick("各主题的特征词", "Top terms per theme")
        .to_string();
    let subtitle = data
        .lang
        .pick(
            "按类别 TF-IDF 权重选出的区分性词语；条长按各主题的首个词语缩放。",
            "Distinctive terms by class-based TF-IDF; bars are scaled to each theme's top term.",
        )
        .to_string();
    let top = MARGIN + HEADING_H;
    let panel_rows = n.div_ceil(per_row);
    let width = (2.0 * MARGIN + per_row as f64 * panel_w - GAP)
        .max(style::heading_width(&title, &subtitle));
    let height = top + panel_rows as f64 * panel_h + MARGIN;

    style::render(FILE, (width, height), |c: &mut Canvas| {
        c.heading(&title, &subtitle)?;
        for (t, labels) in term_labels.iter().enumerate() {
            let x = MARGIN + (t % per_row) as f64 * panel_w;
            let y = top + (t / per_row) as f64 * panel_h;
            let head = truncate(&data.themes[t].full(), panel_w - GAP, LABEL_PX);
            c.text(&head, (x, y), Txt::new(LABEL_PX).bold().top())?;
            let terms = data.terms(t);
            if terms.is_empty() {
                c.text(
                    data.lang.pick("（无词语）", "(no terms)"),
                    (x, y + PANEL_HEAD + ROW_H / 2.0),
                    Txt::new(SMALL_PX).color(MUTED),
                )?;
                continue;
            }
            let max = terms.iter().map(|(_, w)| *w).fold(0.0, f64::max);
            let bar_x = x + term_w + 6.0;
            for (r, (term, w)) in terms.iter().enumerate() {
                let y0 = y + PANEL_HEAD + r as f64 * ROW_H;
                let mid = y0 + BAR_H / 2.0;
                let len = if max > 0.0 {
                    (BAR_W * w / max).max(1.0)
                } else {
                    1.0
                };
                let tip = format!("{}\n{term}: {}", data.themes[t].full(), weight(*w));
                c.text(&labels[r], (bar_x - 5.0, mid), Txt::new(TERM_PX).right())?;
                c.rect(
                    (bar_x, y0),
                    (bar_x + len, y0 + BAR_H),
                    theme_color(t),
                    Some(tip),
                )?;
                c.text(
                    &weight(*w),
                    (bar_x + len + 4.0, mid),
                    Txt::new(SMALL_PX - 1.0).color(MUTED),
                )?;
            }
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::style::tests::assert_well_formed;

    #[test]
    fn one_bar_per_term_with_tooltips() {
        let terms: Vec<(String, f64)> = [
            "调解",
            "纠纷",
            "矛盾",
            "人民调解委员会",
            "化解",
            "排查",
            "诉源",
            "治理",
            "网格",
            "信访",
            "第十一个",
        ]
        .iter()
        .enumerate()
        .map(|(i, t)| (t.to_string(), 0.05 / (i + 1) as f64))
        .collect();
        let data = TermsData {
            themes: (0..5)
                .map(|t| ThemeName {
                    id: format!("T{:02}", t + 1),
                    label: "调解·纠纷".into(),
                })
                .collect(),
            terms: vec![
                terms.clone(),
                terms.clone(),
                terms.clone(),
                terms[..3].to_vec(),
                Vec::new(),
            ],
            lang: Lang::En,
        };
        let svg = render(&data).unwrap();
        assert_well_formed(&svg);
        assert_eq!(crate::chart::elements(&svg, "title"), 10 * 3 + 3);
        assert!(svg.contains(">\n调解\n</text>"));
        assert!(
            !svg.contains("第十一个"),
            "only the first 10 terms are drawn"
        );
        assert!(svg.contains("调解: 0.0500"));
        assert!(svg.contains("(no terms)"));
        assert_eq!(svg, render(&data).unwrap());
        let zh = render(&TermsData {
            lang: Lang::Zh,
            ..data
        })
        .unwrap();
        assert!(zh.contains("各主题的特征词") && zh.contains("（无词语）"));
        assert!(!zh.contains("terms") && !zh.contains("Top"));
    }
}
