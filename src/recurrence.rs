//! Stage 7: theme assignments → recurrence: the group × theme matrix (group = township, county,
//! province or year), how many groups each theme recurs in, the themes distinctive of each group
//! (lift), and theme counts by section kind and by year.

use crate::cluster::Placement;
use crate::concrete::Concreteness;
use crate::config::GroupBy;
use crate::corpus::{ReportMeta, SectionKind, ThemeId, Unit};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The group name used when a unit's report does not say.
pub const UNKNOWN_GROUP: &str = "（未知）";

/// Recurrence of themes across groups, section kinds and years.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recurrence {
    /// Group names, sorted.
    pub groups: Vec<String>,
    /// `counts[g][t]`: units of group g in theme t.
    pub counts: Vec<Vec<usize>>,
    /// Units per group (assigned or not).
    pub group_totals: Vec<usize>,
    /// Number of groups with at least one unit in each theme.
    pub theme_groups: Vec<usize>,
    /// `theme_groups / groups`.
    pub recurrence: Vec<f64>,
    /// `lift[g][t]`: the theme's share in the group over its share overall.
    pub lift: Vec<Vec<f64>>,
    /// `with_quantity[g][t]`: units of group g in theme t that give at least one quantity.
    pub with_quantity: Vec<Vec<usize>>,
    /// Theme counts per section kind (kinds with units only).
    pub by_kind: Vec<(SectionKind, Vec<usize>)>,
    /// Theme counts per year (years with units only).
    pub by_year: Vec<(u16, Vec<usize>)>,
}

impl Recurrence {
    /// The units without a theme: those in the groups beyond those counted under a theme.
    pub fn unassigned(&self) -> usize {
        self.group_totals.iter().sum::<usize>() - self.counts.iter().flatten().sum::<usize>()
    }
}

/// The group a unit belongs to. A report without the value is a group of its own, named by
/// its title or file (`（未知：…）`), never pooled with other reports that lack it.
pub fn group_of(meta: &ReportMeta, by: GroupBy) -> String {
    let value = match by {
        GroupBy::Unit => meta
            .unit
            .clone()
            .or_else(|| meta.township.clone())
            .or_else(|| meta.county.clone())
            .or_else(|| meta.province.clone()),
        GroupBy::Township => meta.township.clone(),
        GroupBy::County => meta.county.clone(),
        GroupBy::Province => meta.province.clone(),
        GroupBy::Year => meta.year.map(|y| y.to_string()),
    };
    value.unwrap_or_else(|| match &meta.stand_in {
        Some(name) => format!("（未知：{name}）"),
        None => UNKNOWN_GROUP.to_string(),
    })
}

/// Counts themes by group, kind and year. `placements[u]` is None for unassigned units;
/// `concreteness[u]` says whether unit `u` gives a quantity.
pub fn measure(
    units: &[Unit],
    placements: &[Option<Placement>],
    concreteness: &[Concreteness],
    k: usize,
    by: GroupBy,
) -> Recurrence {
    let mut tally = Tally::new(k, by);
    tally.add(units, placements, concreteness);
    tally.finish()
}

/// Theme counts by group, kind and year, added up over any number of batches of units (the
/// chunks of a streamed `apply`) and then finished into a [`Recurrence`]: the same as
/// [`measure`] over all the units at once.
#[derive(Debug, Clone)]
pub struct Tally {
    k: usize,
    by: GroupBy,
    /// Per group: units per theme, units in all, units with a quantity per theme.
    per_group: BTreeMap<String, GroupTally>,
    per_kind: BTreeMap<SectionKind, Vec<usize>>,
    per_year: BTreeMap<u16, Vec<usize>>,
    overall: Vec<usize>,
}

/// One group's counts in a [`Tally`].
#[derive(Debug, Clone)]
struct GroupTally {
    themes: Vec<usize>,
    units: usize,
    with_quantity: Vec<usize>,
}

impl Tally {
    /// No units yet, for `k` themes and groups as `by` makes them.
    pub fn new(k: usize, by: GroupBy) -> Tally {
        Tally {
            k,
            by,
            per_group: BTreeMap::new(),
            per_kind: BTreeMap::new(),
            per_year: BTreeMap::new(),
            overall: vec![0; k],
        }
    }

    /// Adds units with their placements and concreteness (all three in unit order).
    pub fn add(
        &mut self,
        units: &[Unit],
        placements: &[Option<Placement>],
        concreteness: &[Concreteness],
    ) {
        let k = self.k;
        // The units of a report share its metadata, so its group is named once per run of them.
        let mut first = 0;
        for run in units.chunk_by(|a, b| Arc::ptr_eq(&a.meta, &b.meta)) {
            let range = first..first + run.len();
            first += run.len();
            let entry = self
                .per_group
                .entry(group_of(&run[0].meta, self.by))
                .or_insert_with(|| GroupTally {
                    themes: vec![0; k],
                    units: 0,
                    with_quantity: vec![0; k],
                });
            entry.units += run.len();
            for ((unit, placement), measured) in run
                .iter()
                .zip(&placements[range.clone()])
                .zip(&concreteness[range])
            {
                let Some(t) = placement.map(|p| p.theme.index()) else {
                    continue;
                };
                entry.themes[t] += 1;
                if !measured.quantities.is_empty() {
                    entry.with_quantity[t] += 1;
                }
                self.overall[t] += 1;
                self.per_kind
                    .entry(unit.section_kind)
                    .or_insert_with(|| vec![0; k])[t] += 1;
                if let Some(y) = unit.meta.year {
                    self.per_year.entry(y).or_insert_with(|| vec![0; k])[t] += 1;
                }
            }
        }
    }

    /// The recurrence of all the units added.
    pub fn finish(self) -> Recurrence {
        let Tally {
            k,
            per_group,
            per_kind,
            per_year,
            overall,
            ..
        } = self;
        let assigned: usize = overall.iter().sum();
        let groups: Vec<String> = per_group.keys().cloned().collect();
        let group_totals: Vec<usize> = per_group.values().map(|g| g.units).collect();
        let (counts, with_quantity): (Vec<Vec<usize>>, Vec<Vec<usize>>) = per_group
            .into_values()
            .map(|g| (g.themes, g.with_quantity))
            .unzip();
        let theme_groups: Vec<usize> = (0..k)
            .map(|t| counts.iter().filter(|c| c[t] > 0).count())
            .collect();
        let n_groups = groups.len().max(1) as f64;
        let recurrence = theme_groups.iter().map(|&g| g as f64 / n_groups).collect();
        let lift = counts
            .iter()
            .map(|c| {
                let in_group: usize = c.iter().sum();
                (0..k)
                    .map(|t| {
                        if in_group == 0 || overall[t] == 0 {
                            0.0
                        } else {
                            (c[t] as f64 / in_group as f64) / (overall[t] as f64 / assigned as f64)
                        }
                    })
                    .collect()
            })
            .collect();
        Recurrence {
            groups,
            counts,
            group_totals,
            theme_groups,
            recurrence,
            lift,
            with_quantity,
            by_kind: per_kind.into_iter().collect(),
            by_year: per_year.into_iter().collect(),
        }
    }
}

/// The Wilson score interval at 95% for `count` successes of `n`, as shares; `(0, 1)` for n = 0.
pub fn wilson(count: usize, n: usize) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    const Z: f64 = 1.959_963_984_540_054;
    let (n, p) = (n as f64, count as f64 / n as f64);
    let z2 = Z * Z;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = Z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / (1.0 + z2 / n);
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

/// How a theme's share moved between the first and the last year of the corpus.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThemeChange {
    /// The theme.
    pub theme: ThemeId,
    /// Units in the first year.
    pub first_count: usize,
    /// Units in the last year.
    pub last_count: usize,
    /// Share of the first year's assigned units.
    pub first_share: f64,
    /// Share of the last year's assigned units.
    pub last_share: f64,
}

impl ThemeChange {
    /// Change in share, in percentage points.
    pub fn points(&self) -> f64 {
        (self.last_share - self.first_share) * 100.0
    }
}

/// Themes ordered from the most grown to the most shrunk between the first and last year with
/// at least `min_units` assigned units, or `None` without two such years.
pub fn year_change(r: &Recurrence, min_units: usize) -> Option<(u16, u16, Vec<ThemeChange>)> {
    let mut years = r
        .by_year
        .iter()
        .filter(|(_, counts)| counts.iter().sum::<usize>() >= min_units);
    let (first_year, first) = years.next()?;
    let (last_year, last) = years.next_back()?;
    if first_year == last_year {
        return None;
    }
    let (nf, nl) = (
        first.iter().sum::<usize>().max(1) as f64,
        last.iter().sum::<usize>().max(1) as f64,
    );
    let mut rows: Vec<ThemeChange> = ThemeId::all(first.len())
        .map(|theme| {
            let t = theme.index();
            ThemeChange {
                theme,
                first_count: first[t],
                last_count: last[t],
                first_share: first[t] as f64 / nf,
                last_share: last[t] as f64 / nl,
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        b.points()
            .total_cmp(&a.points())
            .then(a.theme.cmp(&b.theme))
    });
    Some((*first_year, *last_year, rows))
}

/// A theme a township planned in one year, and whether its measures the next year took it up.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanFollowed {
    /// The township.
    pub township: String,
    /// The year of the plan.
    pub year: u16,
    /// The theme planned.
    pub theme: ThemeId,
    /// Plan units of that theme in that year.
    pub planned: usize,
    /// Measure units of that theme the next year (0 = not followed).
    pub measures_next_year: usize,
}

/// Promise tracking: for every township with reports for year t and t + 1, each theme of its
/// `plans` units in t, with the number of its `measures` units in that theme in t + 1.
pub fn plans_followed(units: &[Unit], placements: &[Option<Placement>]) -> Vec<PlanFollowed> {
    let mut plans: BTreeMap<(String, u16, ThemeId), usize> = BTreeMap::new();
    let mut measures: BTreeMap<(String, u16, ThemeId), usize> = BTreeMap::new();
    let mut years: BTreeMap<(String, u16), bool> = BTreeMap::new();
    for (unit, placement) in units.iter().zip(placements) {
        let (Some(township), Some(year)) = (unit.meta.township.clone(), unit.meta.year) else {
            continue;
        };
        years.insert((township.clone(), year), true);
        let Some(t) = placement.map(|p| p.theme) else {
            continue;
        };
        match unit.section_kind {
            SectionKind::Plans => *plans.entry((township, year, t)).or_default() += 1,
            SectionKind::Measures => *measures.entry((township, year, t)).or_default() += 1,
            _ => {}
        }
    }
    plans
        .into_iter()
        .filter(|((town, year, _), _)| years.contains_key(&(town.clone(), year + 1)))
        .map(|((township, year, theme), planned)| PlanFollowed {
            measures_next_year: measures
                .get(&(township.clone(), year + 1, theme))
                .copied()
                .unwrap_or(0),
            township,
            year,
            theme,
            planned,
        })
        .collect()
}

/// One theme's promises across the corpus: the townships that planned it in a year t for which
/// the corpus also has their report for t + 1, and those whose measures in t + 1 include it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Promise {
    /// The theme.
    pub theme: ThemeId,
    /// Townships that planned the theme in some trackable year.
    pub townships_planned: usize,
    /// Of those, the townships whose next year's measures took it up at least once.
    pub townships_followed: usize,
    /// Township-years that planned the theme (a township planning it in two years counts twice).
    pub plans: usize,
    /// Of those, the township-years followed by measures in the theme the next year.
    pub plans_followed: usize,
}

impl Promise {
    /// Share of the planning townships that followed the plan (0 when none planned).
    pub fn share_followed(&self) -> f64 {
        if self.townships_planned == 0 {
            0.0
        } else {
            self.townships_followed as f64 / self.townships_planned as f64
        }
    }
}

/// The theme-level view of [`plans_followed`]: one [`Promise`] per theme planned at least
/// once, in theme order.
pub fn promises(followed: &[PlanFollowed]) -> Vec<Promise> {
    // (theme, township) → (plans, plans followed)
    let mut by_theme: BTreeMap<(ThemeId, &str), (usize, usize)> = BTreeMap::new();
    for p in followed {
        let entry = by_theme.entry((p.theme, &p.township)).or_default();
        entry.0 += 1;
        entry.1 += usize::from(p.measures_next_year > 0);
    }
    let mut out: Vec<Promise> = Vec::new();
    for ((theme, _), (plans, kept)) in by_theme {
        if out.last().is_none_or(|p| p.theme != theme) {
            out.push(Promise {
                theme,
                townships_planned: 0,
                townships_followed: 0,
                plans: 0,
                plans_followed: 0,
            });
        }
        let promise = out.last_mut().expect("pushed above");
        promise.townships_planned += 1;
        promise.townships_followed += usize::from(kept > 0);
        promise.plans += plans;
        promise.plans_followed += kept;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::{ByteSpan, CharSpan};

    /// Units placed on `themes` (None: unassigned).
    fn placed(themes: &[Option<usize>]) -> Vec<Option<Placement>> {
        themes
            .iter()
            .map(|t| {
                t.map(|theme| Placement {
                    theme: ThemeId::new(theme),
                    similarity: 1.0,
                })
            })
            .collect()
    }

    fn unit(township: &str, kind: SectionKind, year: u16) -> Unit {
        Unit {
            id: String::new(),
            report: 0,
            section_kind: kind,
            section_heading: std::sync::Arc::from(""),
            heading: String::new(),
            span: ByteSpan::new(0, 0),
            chars: CharSpan::new(0, 0),
            text: String::new(),
            label: None,
            meta: std::sync::Arc::new(ReportMeta {
                township: Some(township.to_string()),
                year: Some(year),
                ..ReportMeta::default()
            }),
        }
    }

    #[test]
    fn counts_recurrence_and_lift() {
        let units = vec![
            unit("江湾镇", SectionKind::Measures, 2023),
            unit("江湾镇", SectionKind::Plans, 2023),
            unit("濮院镇", SectionKind::Measures, 2022),
            unit("濮院镇", SectionKind::Measures, 2022),
        ];
        let placements = placed(&[Some(0), Some(1), Some(0), None]);
        let mut concreteness = vec![Concreteness::default(); 4];
        concreteness[2].quantities.push(crate::concrete::Quantity {
            text: "3次".into(),
            unit: "次",
        });
        let r = measure(&units, &placements, &concreteness, 2, GroupBy::Township);
        // Added up in two batches (a report's units split between them), the same.
        let mut tally = Tally::new(2, GroupBy::Township);
        tally.add(&units[..3], &placements[..3], &concreteness[..3]);
        tally.add(&units[3..], &placements[3..], &concreteness[3..]);
        assert_eq!(tally.finish(), r);
        assert_eq!(r.unassigned(), 1);
        assert_eq!(r.with_quantity, vec![vec![0, 0], vec![1, 0]]);
        assert_eq!(r.groups, ["江湾镇", "濮院镇"]);
        assert_eq!(r.counts, vec![vec![1, 1], vec![1, 0]]);
        assert_eq!(r.group_totals, [2, 2]);
        assert_eq!(r.theme_groups, [2, 1]);
        assert_eq!(r.recurrence, [1.0, 0.5]);
        assert!((r.lift[0][1] - 1.5).abs() < 1e-12);
        assert_eq!(
            r.by_kind,
            vec![
                (SectionKind::Measures, vec![2, 0]),
                (SectionKind::Plans, vec![0, 1])
            ]
        );
        assert_eq!(r.by_year, vec![(2022, vec![1, 0]), (2023, vec![1, 1])]);
        let (first, last, change) = year_change(&r, 1).unwrap();
        assert_eq!((first, last), (2022, 2023));
        assert_eq!(change[0].theme, ThemeId::new(1));
        assert!((change[0].points() - 50.0).abs() < 1e-9);
    }

    #[test]
    fn plans_are_followed_by_next_year_measures() {
        let units = vec![
            unit("江湾镇", SectionKind::Plans, 2022),
            unit("江湾镇", SectionKind::Plans, 2022),
            unit("江湾镇", SectionKind::Measures, 2023),
            unit("濮院镇", SectionKind::Plans, 2022),
        ];
        let got = plans_followed(&units, &placed(&[Some(0), Some(1), Some(0), Some(0)]));
        // 濮院镇 has no 2023 report: its plan cannot be tracked.
        assert_eq!(got.len(), 2);
        assert_eq!((got[0].theme.index(), got[0].measures_next_year), (0, 1));
        assert_eq!((got[1].theme.index(), got[1].measures_next_year), (1, 0));
    }

    #[test]
    fn wilson_interval_is_wide_for_small_counts() {
        let (lo, hi) = wilson(1, 2);
        assert!((lo - 0.0945).abs() < 1e-3 && (hi - 0.9055).abs() < 1e-3);
        let (lo, hi) = wilson(50, 100);
        assert!(hi - lo < 0.2 && lo < 0.5 && hi > 0.5);
        assert_eq!(wilson(0, 0), (0.0, 1.0));
    }

    #[test]
    fn promises_count_townships_per_theme() {
        let units = vec![
            unit("江湾镇", SectionKind::Plans, 2022),
            unit("江湾镇", SectionKind::Plans, 2022),
            unit("江湾镇", SectionKind::Measures, 2023),
            unit("江湾镇", SectionKind::Plans, 2023),
            unit("江湾镇", SectionKind::Measures, 2024),
            unit("濮院镇", SectionKind::Plans, 2022),
            unit("濮院镇", SectionKind::Measures, 2023),
        ];
        let placements = placed(&[0, 1, 0, 0, 1, 0, 1].map(Some));
        let got = promises(&plans_followed(&units, &placements));
        // Theme 0: 江湾镇 planned it in 2022 (kept in 2023) and 2023 (not kept in 2024);
        // 濮院镇 planned it in 2022 and did not keep it.
        assert_eq!(got[0].theme, ThemeId::new(0));
        assert_eq!(
            (got[0].townships_planned, got[0].townships_followed),
            (2, 1)
        );
        assert_eq!((got[0].plans, got[0].plans_followed), (3, 1));
        assert_eq!(got[0].share_followed(), 0.5);
        // Theme 1: planned by 江湾镇 in 2022, no measures in it in 2023.
        assert_eq!(
            (
                got[1].theme.index(),
                got[1].townships_planned,
                got[1].townships_followed
            ),
            (1, 1, 0)
        );
        assert_eq!(got.len(), 2);
    }
}
