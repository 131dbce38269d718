//! How solid each theme is: the themes are refitted with other seeds and on bootstrap samples of
//! the units, and each theme's members are matched to the refit's most similar theme (best-match
//! Jaccard overlap of member sets). A theme that keeps its members across refits is one an analyst
//! can trust; the adjusted Rand index between the run and each refit summarises the whole.
//!
//! Method: for i in 1..=N, (a) refit on all units with seed + i; (b) refit on a bootstrap sample
//! (n units drawn with replacement, seeded) and assign every unit to the refit's nearest centre.
//! Per theme: the mean over the 2N refits of max over refit themes of |A∩B| / |A∪B|.

use crate::cluster;
use crate::config::{ClusterParams, Valid};
use crate::error::Result;
use crate::seed::Seeds;
use ndarray::{ArrayView2, Axis};
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256Plus;
use serde::Serialize;

/// Stability of a run's themes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stability {
    /// Refits of each kind (other seeds, bootstrap samples).
    pub refits: usize,
    /// Per theme, the mean best-match Jaccard overlap of its members (1 = always the same units).
    pub per_theme: Vec<f64>,
    /// Mean adjusted Rand index between the run and the refits with other seeds.
    pub ari_seeds: f64,
    /// Mean adjusted Rand index between the run and the bootstrap refits.
    pub ari_bootstrap: f64,
}

/// The refits a stability measure makes.
#[derive(Debug, Clone, Copy)]
pub struct Refits<'a> {
    /// The run's k-means parameters (k is fixed at the run's).
    pub params: &'a Valid<ClusterParams>,
    /// The run's seeds, from which each refit's is derived.
    pub seeds: Seeds,
    /// Refits of each kind.
    pub count: usize,
}

/// Refits `refits.count` times each way and compares with `base` (the run's theme of each row
/// of `x`, of `k` themes). Refits are guided by `guides` as the run was; `progress(i, 2 ×
/// count)` is called after each.
pub fn measure(
    x: ArrayView2<f32>,
    base: &[usize],
    k: usize,
    refits: Refits<'_>,
    guides: Option<ArrayView2<f32>>,
    progress: cluster::Progress,
) -> Result<Stability> {
    let Refits {
        params,
        seeds,
        count: refits,
    } = refits;
    let params = params.refit(k);
    let n = x.nrows();
    let mut jaccard_sums = vec![0.0; k];
    let (mut ari_seeds, mut ari_boot) = (0.0, 0.0);
    let mut rng = Xoshiro256Plus::seed_from_u64(seeds.bootstrap_samples());
    for i in 1..=refits as u64 {
        let reseeded = cluster::cluster(x, &params, seeds.refit(i), guides)?;
        progress(2 * i as usize - 1, 2 * refits);
        ari_seeds += adjusted_rand_index(base, &reseeded.assignments);
        add_best_jaccard(base, &reseeded.assignments, k, &mut jaccard_sums);
        let sample: Vec<usize> = (0..n).map(|_| rng.gen_range(0..n)).collect();
        let rows = x.select(Axis(0), &sample);
        let boot = cluster::cluster(rows.view(), &params, seeds.bootstrap_refit(i), guides)?;
        progress(2 * i as usize, 2 * refits);
        let assigned = boot.themes.assign(x);
        ari_boot += adjusted_rand_index(base, &assigned);
        add_best_jaccard(base, &assigned, k, &mut jaccard_sums);
    }
    let runs = (2 * refits).max(1) as f64;
    Ok(Stability {
        refits,
        per_theme: jaccard_sums.iter().map(|s| s / runs).collect(),
        ari_seeds: ari_seeds / refits.max(1) as f64,
        ari_bootstrap: ari_boot / refits.max(1) as f64,
    })
}

/// Adds, for each theme of `a`, its best Jaccard overlap with a theme of `b`.
fn add_best_jaccard(a: &[usize], b: &[usize], k: usize, sums: &mut [f64]) {
    let kb = b.iter().copied().max().map_or(0, |m| m + 1);
    let mut both = vec![vec![0usize; kb]; k];
    let mut size_a = vec![0usize; k];
    let mut size_b = vec![0usize; kb];
    for (&x, &y) in a.iter().zip(b) {
        both[x][y] += 1;
        size_a[x] += 1;
        size_b[y] += 1;
    }
    for t in 0..k {
        let best = (0..kb)
            .map(|u| {
                let union = size_a[t] + size_b[u] - both[t][u];
                if union == 0 {
                    0.0
                } else {
                    both[t][u] as f64 / union as f64
                }
            })
            .fold(0.0, f64::max);
        sums[t] += best;
    }
}

/// The adjusted Rand index of two labellings (Hubert & Arabie 1985).
pub fn adjusted_rand_index(a: &[usize], b: &[usize]) -> f64 {
    let pairs = |c: usize| (c * c.saturating_sub(1)) as f64 / 2.0;
    let ka = a.iter().copied().max().map_or(0, |m| m + 1);
    let kb = b.iter().copied().max().map_or(0, |m| m + 1);
    let mut table = vec![0usize; ka * kb];
    let (mut ra, mut rb) = (vec![0usize; ka], vec![0usize; kb]);
    for (&x, &y) in a.iter().zip(b) {
        table[x * kb + y] += 1;
        ra[x] += 1;
        rb[y] += 1;
    }
    let index: f64 = table.iter().map(|&c| pairs(c)).sum();
    let (sa, sb): (f64, f64) = (
        ra.iter().map(|&c| pairs(c)).sum(),
        rb.iter().map(|&c| pairs(c)).sum(),
    );
    let total = pairs(a.len());
    let expected = if total > 0.0 { sa * sb / total } else { 0.0 };
    let max = (sa + sb) / 2.0;
    if (max - expected).abs() < f64::EPSILON {
        1.0
    } else {
        (index - expected) / (max - expected)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Check;
    use ndarray::Array2;

    #[test]
    fn ari_is_one_for_relabelled_partitions_and_near_zero_for_unrelated() {
        assert!(
            (adjusted_rand_index(&[0, 0, 1, 1, 2, 2], &[2, 2, 0, 0, 1, 1]) - 1.0).abs() < 1e-12
        );
        let a: Vec<usize> = (0..1000).map(|i| i % 4).collect();
        let b: Vec<usize> = (0..1000).map(|i| (i / 7) % 4).collect();
        assert!(adjusted_rand_index(&a, &b).abs() < 0.05);
    }

    fn points(groups: &[(f64, usize)], jitter: f64, seed: u64) -> Array2<f32> {
        let mut rng = Xoshiro256Plus::seed_from_u64(seed);
        let mut rows = Vec::new();
        for &(angle, count) in groups {
            for _ in 0..count {
                let a = angle + rng.gen_range(-jitter..=jitter);
                rows.push([a.cos() as f32, a.sin() as f32]);
            }
        }
        Array2::from_shape_vec((rows.len(), 2), rows.concat()).unwrap()
    }

    #[test]
    fn well_separated_duplicates_are_perfectly_stable_and_noise_is_not() {
        let params = ClusterParams {
            k: crate::config::KChoice::Fixed(3),
            ..ClusterParams::default()
        }
        .check()
        .unwrap();
        // Exact duplicates of three well separated points.
        let clean = points(&[(0.0, 30), (2.1, 30), (4.2, 30)], 0.0, 1);
        let fit = cluster::cluster(clean.view(), &params, Seeds::default(), None).unwrap();
        let s = measure(
            clean.view(),
            &fit.assignments,
            3,
            Refits {
                params: &params,
                seeds: Seeds::default(),
                count: 3,
            },
            None,
            &|_, _| {},
        )
        .unwrap();
        assert!(
            s.per_theme.iter().all(|&j| (j - 1.0).abs() < 1e-12),
            "{:?}",
            s.per_theme
        );
        assert!((s.ari_seeds - 1.0).abs() < 1e-12);
        // Uniform noise on the circle: no theme survives refits intact.
        let pi = std::f64::consts::PI;
        let noise = points(&[(pi, 300)], pi, 2);
        let fit = cluster::cluster(noise.view(), &params, Seeds::default(), None).unwrap();
        let s = measure(
            noise.view(),
            &fit.assignments,
            3,
            Refits {
                params: &params,
                seeds: Seeds::default(),
                count: 3,
            },
            None,
            &|_, _| {},
        )
        .unwrap();
        let mean = s.per_theme.iter().sum::<f64>() / 3.0;
        assert!(mean < 0.95, "{:?}", s.per_theme);
    }
}
