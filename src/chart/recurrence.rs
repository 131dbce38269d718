//! `recurrence.svg`: one horizontal bar per theme, as long as the share of groups (townships by
//! default) with at least one unit in the theme, sorted from the most widespread theme to the most
//! local. Each bar is labelled `n groups (xx%)`; hover it for the theme's size.

use super::style::{Bar, bar_chart, pct, share, theme_color};
use super::{GroupNoun, ThemeName};
use crate::analysis::Analysis;
use crate::config::Lang;
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
    /// The language of the chart's text.
    pub lang: Lang,
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
            lang: analysis.config.report.lang,
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

    /// `3 townships (60%)`, `3 个乡镇 (60%)`.
    fn groups_text(&self, n: usize) -> String {
        if self.lang == Lang::Zh {
            return format!("{n} 个{} ({})", self.noun.zh, pct(share(n, self.groups)));
        }
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
                tip: match data.lang {
                    Lang::Zh => format!(
                        "{}\n出现在 {}（共 {} 个{}）\n{size} 条举措",
                        data.themes[t].full(),
                        data.groups_text(n),
                        data.groups,
                        noun.zh,
                    ),
                    Lang::En => format!(
                        "{}\nin {} of {}\n{size} units",
                        data.themes[t].full(),
                        data.groups_text(n),
                        data.groups
                    ),
                },
                drill: Some(format!("theme:{t}")),
            }
        })
        .collect();
    let (title, subtitle, caption) = match data.lang {
        Lang::Zh => (
            format!("主题在{}间的复现", noun.zh),
            format!(
                "共 {} 个{}；条长 = 其中至少有一条举措属于该主题的比例，分布最广的在前。",
                data.groups, noun.zh
            ),
            format!("有该主题的{}比例", noun.zh),
        ),
        Lang::En => (
            format!("In how many {} each theme recurs", noun.en_plural),
            format!(
                "{} {} in all; bar = share of them with at least one unit in the theme, most widespread first.",
                data.groups, noun.en_plural
            ),
            format!("share of {} with the theme", noun.en_plural),
        ),
    };
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
            lang: Lang::En,
        }
    }

    #[test]
    fn bars_are_sorted_labelled_and_carry_tooltips() {
        let d = data();
        assert_eq!(d.order(), [1, 0, 2]);
        let svg = render(&d).unwrap();
        assert_well_formed(&svg);
        assert_eq!(crate::chart::elements(&svg, "title"), 3);
        assert!(svg.contains("T02 普法·宣传"));
        assert!(svg.contains("5 townships (100%)"));
        assert!(svg.contains("1 township (20%)"));
        assert!(svg.find("T02 普法·宣传").unwrap() < svg.find("T01 调解·纠纷").unwrap());
        assert!(svg.contains("…\n</text>"), "the long label is cut");
        assert_eq!(svg, render(&d).unwrap());
    }

    #[test]
    fn chinese_only_in_zh() {
        let svg = render(&RecurrenceData {
            lang: Lang::Zh,
            ..data()
        })
        .unwrap();
        assert!(svg.contains("主题在乡镇间的复现") && svg.contains("5 个乡镇 (100%)"));
        assert!(svg.contains("出现在 3 个乡镇 (60%)（共 5 个乡镇）\n40 条举措"));
        assert!(!svg.contains("township") && !svg.contains("units"));
    }
}
