//! The charts of an analysis, drawn with plotters' SVG backend: `heatmap.svg` (theme share per
//! group), `recurrence.svg` (in how many groups each theme recurs), `terms.svg` (top terms per
//! theme), `map.svg` (units on the first two LSA dimensions), `sections.svg` (theme mix per section
//! kind), `copies.svg` (copy links between groups, when copies are found), `concreteness.svg` (share of units with a
//! quantity per group and theme), `k.svg` (the k scan, with `--k auto`), `years.svg` (theme
//! shares per year, with ≥ 2 years) and `stability.svg` (with `--stability N`).
//!
//! Each chart is a function from plain data (e.g. [`heatmap::HeatmapData`]) to SVG text, with an
//! adapter from [`Analysis`]; [`render_all`] draws them all and writes the files. Labels are laid
//! out with our own width estimate for Chinese text, every bar and heatmap cell carries a `<title>`
//! tooltip, and the same analysis always gives the same bytes. Every chart's text is in the
//! report's language (`--lang zh|en`): Chinese only, or English only.

pub mod copies;
pub mod heatmap;
pub mod k;
pub mod map;
pub mod recurrence;
pub mod sections;
pub mod stability;
mod style;
pub mod terms;
pub mod years;

use crate::analysis::Analysis;
use crate::config::GroupBy;
use crate::corpus::ThemeId;
use crate::error::{Error, Result};
use std::path::Path;

/// A theme as the charts name it: `T01` and its label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThemeName {
    /// The theme id, `T01`.
    pub id: String,
    /// The short label, `调解·纠纷`.
    pub label: String,
}

impl ThemeName {
    /// `T01 调解·纠纷`.
    pub fn full(&self) -> String {
        if self.label.is_empty() {
            self.id.clone()
        } else {
            format!("{} {}", self.id, self.label)
        }
    }

    /// The names of the analysis's themes, one per column of the recurrence counts.
    pub fn of_analysis(analysis: &Analysis) -> Vec<ThemeName> {
        (0..analysis.recurrence.theme_groups.len())
            .map(|t| match analysis.themes.get(t) {
                Some(theme) => ThemeName {
                    id: theme.id.clone(),
                    label: theme.label.clone(),
                },
                None => ThemeName {
                    id: ThemeId::new(t).to_string(),
                    label: String::new(),
                },
            })
            .collect()
    }
}

/// What a group is, in Chinese and English, for titles and tooltips (each chart picks by its
/// `lang`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupNoun {
    /// `乡镇`.
    pub zh: &'static str,
    /// `township`.
    pub en: &'static str,
    /// `townships`.
    pub en_plural: &'static str,
}

impl GroupNoun {
    /// The noun for groups made by `by`.
    pub fn of(by: GroupBy) -> GroupNoun {
        let (zh, en, en_plural) = match by {
            GroupBy::Unit => ("单位", "unit", "units"),
            GroupBy::Township => ("乡镇", "township", "townships"),
            GroupBy::County => ("县市", "county", "counties"),
            GroupBy::Province => ("省份", "province", "provinces"),
            GroupBy::Year => ("年份", "year", "years"),
        };
        GroupNoun { zh, en, en_plural }
    }

    /// The noun in `lang` (the plural in English).
    pub fn pick(&self, lang: crate::config::Lang) -> &'static str {
        lang.pick(self.zh, self.en_plural)
    }
}

/// Writes every chart of the analysis into `out`; returns the file names written, in order.
pub fn render_all(analysis: &Analysis, out: &Path) -> Result<Vec<&'static str>> {
    let mut charts: Vec<(&'static str, String)> = vec![
        (
            heatmap::FILE,
            heatmap::render(&heatmap::HeatmapData::from_analysis(analysis))?,
        ),
        (
            recurrence::FILE,
            recurrence::render(&recurrence::RecurrenceData::from_analysis(analysis))?,
        ),
        (
            terms::FILE,
            terms::render(&terms::TermsData::from_analysis(analysis))?,
        ),
        (
            map::FILE,
            map::render(&map::MapData::from_analysis(analysis))?,
        ),
        (
            sections::FILE,
            sections::render(&sections::SectionsData::from_analysis(analysis))?,
        ),
    ];
    if !analysis.copies.pairs.is_empty() {
        charts.push((
            copies::FILE,
            copies::render(&copies::CopiesData::from_analysis(analysis))?,
        ));
    }
    charts.push((
        heatmap::CONCRETENESS_FILE,
        heatmap::render(&heatmap::HeatmapData::concreteness(analysis))?,
    ));
    if !analysis.fit.scan.is_empty() {
        charts.push((k::FILE, k::render(&k::KData::from_analysis(analysis))?));
    }
    if let Some(data) = stability::StabilityData::from_analysis(analysis) {
        charts.push((stability::FILE, stability::render(&data)?));
    }
    if analysis.recurrence.by_year.len() >= 2 {
        charts.push((
            years::FILE,
            years::render(&years::YearsData::from_analysis(analysis))?,
        ));
    }
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    let mut names = Vec::with_capacity(charts.len());
    for (name, svg) in charts {
        let path = out.join(name);
        std::fs::write(&path, svg).map_err(|e| Error::io(path, e))?;
        names.push(name);
    }
    Ok(names)
}

/// The number of `name` elements in an SVG document, read as XML: a test that counts them also
/// fails on markup that is not well formed.
#[cfg(test)]
pub(crate) fn elements(svg: &str, name: &str) -> usize {
    roxmltree::Document::parse(svg)
        .expect("well-formed SVG")
        .descendants()
        .filter(|n| n.tag_name().name() == name)
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Lang;
    use crate::corpus::SectionKind;

    /// Writes every chart from made-up data at the sizes that stress the layout (30 themes with
    /// long labels, 75 townships, 8,000 points) into /tmp/chart-preview, to look at in a browser:
    /// `cargo test --lib chart::tests::write_previews -- --ignored`.
    #[test]
    #[ignore = "writes preview files to /tmp/chart-preview"]
    fn write_previews() {
        let k = 30;
        let words = [
            "调解",
            "纠纷",
            "普法",
            "宣传",
            "执法",
            "监督",
            "行政复议",
            "法律顾问",
            "合法性审查",
            "公共法律服务",
        ];
        let themes: Vec<ThemeName> = (0..k)
            .map(|t| ThemeName {
                id: ThemeId::new(t).to_string(),
                label: (0..2 + t % 3)
                    .map(|i| words[(t + 3 * i) % words.len()])
                    .collect::<Vec<_>>()
                    .join("·"),
            })
            .collect();
        let groups: Vec<String> = (0..75)
            .map(|g| {
                format!(
                    "{}镇",
                    ["江湾", "濮院", "乌镇", "新塍街道办事处", "某某县某某乡"][g % 5]
                        .repeat(1 + g % 2)
                )
            })
            .collect();
        let counts: Vec<Vec<usize>> = (0..75)
            .map(|g| {
                (0..k)
                    .map(|t| (g * 7 + t * t) % 6 * usize::from((g + t) % 4 != 0))
                    .collect()
            })
            .collect();
        let dir = Path::new("/tmp/chart-preview");
        std::fs::create_dir_all(dir).unwrap();
        let write = |name: &str, svg: String| std::fs::write(dir.join(name), svg).unwrap();
        let theme_groups: Vec<usize> = (0..k)
            .map(|t| counts.iter().filter(|c| c[t] > 0).count())
            .collect();
        write(
            heatmap::FILE,
            heatmap::render(&heatmap::HeatmapData {
                noun: GroupNoun::of(GroupBy::Township),
                group_totals: counts.iter().map(|c| c.iter().sum::<usize>() + 2).collect(),
                groups,
                themes: themes.clone(),
                theme_groups: theme_groups.clone(),
                counts: counts.clone(),
                examples: Vec::new(),
                share_of: heatmap::ShareOf::GroupUnits,
                min_units: 5,
                lang: Lang::Zh,
            })
            .unwrap(),
        );
        write(
            recurrence::FILE,
            recurrence::render(&recurrence::RecurrenceData {
                noun: GroupNoun::of(GroupBy::Township),
                themes: themes.clone(),
                theme_groups,
                sizes: (0..k).map(|t| 100 - t).collect(),
                groups: 75,
                lang: Lang::Zh,
            })
            .unwrap(),
        );
        let terms = (0..k)
            .map(|t| {
                (0..10)
                    .map(|i| {
                        (
                            words[(t + i) % words.len()].to_string(),
                            0.3 / (i + t + 1) as f64,
                        )
                    })
                    .collect()
            })
            .collect();
        write(
            terms::FILE,
            terms::render(&terms::TermsData {
                themes: themes.clone(),
                terms,
                lang: Lang::Zh,
            })
            .unwrap(),
        );
        let points = (0..8000)
            .map(|i| {
                let t = i % (k + 1);
                let a = t as f64 * 0.7 + (i as f64 * 0.013).sin();
                map::MapPoint {
                    x: a.cos() * (0.3 + 0.01 * (i % 17) as f64),
                    y: a.sin() * 0.4,
                    theme: (t < k).then_some(t),
                }
            })
            .collect();
        write(
            map::FILE,
            map::render(&map::MapData {
                themes: themes.clone(),
                points,
                lang: Lang::Zh,
            })
            .unwrap(),
        );
        let kinds = SectionKind::ALL
            .iter()
            .enumerate()
            .map(|(i, &kind)| (kind, counts[i * 3].clone()))
            .collect();
        write(
            sections::FILE,
            sections::render(&sections::SectionsData {
                themes: themes.clone(),
                kinds,
                min_units: 5,
                lang: Lang::Zh,
            })
            .unwrap(),
        );
        let scan = (2..=24)
            .map(|k| {
                (
                    k,
                    0.05 + 0.1 * ((k as f64) / 6.0).sin().abs() / (1.0 + k as f64 / 10.0),
                )
            })
            .collect();
        write(
            k::FILE,
            k::render(&k::KData {
                scan,
                chosen: 9,
                lang: Lang::Zh,
            })
            .unwrap(),
        );
        let years = (0..48)
            .map(|y| (1979 + y as u16, counts[y].clone()))
            .collect();
        write(
            years::FILE,
            years::render(&years::YearsData {
                themes,
                years,
                min_units: 5,
                lang: Lang::Zh,
            })
            .unwrap(),
        );
    }
}
