//! `recurrence.svg`: one horizontal bar per theme, as long as the share of groups (townships by
//! default) with at least one unit in the theme, sorted from the most widespread theme to the most
//! local. Each bar is labelled `n groups (xx%)`; hover it for the theme's size.

use super::style::{Bar, bar_chart, pct, share, theme_color};
use super::{GroupNoun, ThemeName};
use crate::analysis::Analysis;
use crate::error::Result;

/// The file written.
pub const FILE: &str = "recurrence.svg";

/// What the recurrence chart shows.
#[derive(Debug, Clone, PartialEq)]
pub struct RecurrenceData {
    /// What a group is.
    pub noun: GroupNoun,
    /// The themes.
    pub themes: Vec<ThemeName>,
    /// Number of groups with at least one unit in each theme.
    pub theme_groups: Vec<usize>,
    /// Units per theme.
    pub sizes: Vec<usize>,
    /// Number of groups in all.
    pub groups: usize,
}

impl RecurrenceData {
    /// The recurrence of an analysis's themes.
    pub fn from_analysis(analysis: &Analysis) -> RecurrenceData {
        let themes = ThemeName::of_analysis(analysis);
        RecurrenceData {
            noun: GroupNoun::of(analysis.group_by()),
            sizes: (0..themes.len())
                .map(|t| analysis.themes.get(t).map_or(0, |th| th.size))
                .collect(),
            themes,
            theme_groups: analysis.recurrence.theme_groups.clone(),
            groups: analysis.recurrence.groups.len(),
        }
    }

    fn in_groups(&self, t: usize) -> usize {
        self.theme_groups.get(t).copied().unwrap_or(0)
    }

    /// Themes by the number of groups they occur in, then by size, most first.
    fn order(&self) -> Vec<usize> {
        let size = |t: usize| self.sizes.get(t).copied().unwrap_or(0);
        let mut order: Vec<usize> = (0..self.themes.len()).collect();
        order.sort_by(|&a, &b| {
            self.in_groups(b)
                .cmp(&self.in_groups(a))
                .then(size(b).cmp(&size(a)))
                .then(a.cmp(&b))
        });
        order
    }

    /// `3 townships (60%)`.
    fn groups_text(&self, n: usize) -> String {
        let noun = if n == 1 {
            self.noun.en
        } else {
            self.noun.en_plural
        };
        format!("{n} {noun} ({})", pct(share(n, self.groups)))
    }
}

/// Draws the recurrence chart.
pub fn render(data: &RecurrenceData) -> Result<String> {
    let noun = data.noun;
    let bars: Vec<Bar> = data
        .order()
        .into_iter()
        .map(|t| {
            let n = data.in_groups(t);
            let size = data.sizes.get(t).copied().unwrap_or(0);
            Bar {
                label: data.themes[t].full(),
                value: share(n, data.groups),
                value_text: data.groups_text(n),
                color: theme_color(t),
                tip: format!(
                    "{}\nin {} of {}\n{size} units",
                    data.themes[t].full(),
                    data.groups_text(n),
                    data.groups
                ),
                drill: Some(format!("theme:{t}")),
            }
        })
        .collect();
    let title = format!(
        "主题在{}间的复现 · In how many {} each theme recurs",
        noun.zh, noun.en_plural
    );
    let subtitle = format!(
        "{} {} in all; bar = share of them with at least one unit in the theme, most widespread first.",
        data.groups, noun.en_plural
    );
    let caption = format!("share of {} with the theme", noun.en_plural);
    bar_chart(FILE, &title, &subtitle, &caption, &bars)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::style::tests::assert_well_formed;
    use crate::config::GroupBy;

    fn data() -> RecurrenceData {
        RecurrenceData {
            noun: GroupNoun::of(GroupBy::Township),
            themes: vec![
                ThemeName {
                    id: "T01".into(),
                    label: "调解·纠纷".into(),
                },
                ThemeName {
                    id: "T02".into(),
                    label: "普法·宣传".into(),
                },
                ThemeName {
                    id: "T03".into(),
                    label: "执法·监督·行政·程序·规范·案卷·评查·复议·诉讼·应诉·备案".into(),
                },
            ],
            theme_groups: vec![3, 5, 1],
            sizes: vec![40, 30, 2],
            groups: 5,
        }
    }

    #[test]
    fn bars_are_sorted_labelled_and_carry_tooltips() {
        let d = data();
        assert_eq!(d.order(), [1, 0, 2]);
        let svg = render(&d).unwrap();
        assert_well_formed(&svg);
        assert_eq!(svg.matches("<title>").count(), 3);
        assert!(svg.contains("T02 普法·宣传"));
        assert!(svg.contains("5 townships (100%)"));
        assert!(svg.contains("1 township (20%)"));
        assert!(svg.find("T02 普法·宣传").unwrap() < svg.find("T01 调解·纠纷").unwrap());
        assert!(svg.contains("…\n</text>"), "the long label is cut");
        assert_eq!(svg, render(&d).unwrap());
    }
}
