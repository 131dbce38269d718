//! `--k auto`: each k of the range scored by mean silhouette on a seeded sample, and the choice
//! (the one-standard-error rule, or the knee of a steady rise).

use super::*;
use crate::config::ClusterParams;
use crate::error::Result;
use crate::seed::Seeds;
use linfa::traits::Predict;
use ndarray::{ArrayView2, Axis};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_xoshiro::Xoshiro256Plus;
use rayon::prelude::*;
use serde::Serialize;

/// The mean silhouette of one k in a scan.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct KScore {
    /// Number of themes tried.
    pub k: usize,
    /// Mean silhouette on the sample.
    pub silhouette: f64,
    /// Standard error of that mean (the units' silhouettes' standard deviation / √m).
    pub silhouette_se: f64,
    /// Sum of squared distances to the centres, on the sample.
    pub inertia: f64,
}

/// Scores each k of the range on a seeded sample by mean silhouette.
pub(super) fn scan_k(
    x: ArrayView2<f32>,
    params: &ClusterParams,
    seeds: Seeds,
    progress: Progress,
) -> Result<Vec<KScore>> {
    let n = x.nrows();
    let mut rng = Xoshiro256Plus::seed_from_u64(seeds.k_scan_sample());
    let mut idx: Vec<usize> = (0..n).collect();
    if n > params.silhouette_sample {
        idx.shuffle(&mut rng);
        idx.truncate(params.silhouette_sample);
        idx.sort_unstable();
    }
    let sample = x.select(Axis(0), &idx);
    let m = sample.nrows();
    let dist = pairwise_distances(sample.view());
    // At least five units per theme on average: silhouette keeps rising with k on small corpora
    // (k = 30 for 69 units), which gives themes of two units.
    // A range above the cap is scanned at the cap (the pipeline says so).
    let max_k = params
        .k_range
        .max
        .min(m.saturating_sub(1))
        .min(m / 5)
        .max(2);
    let first = params.k_range.min.min(max_k);
    // The ks in parallel: a fit on a sample of a few thousand rows leaves a core idle in its
    // serial steps (the centres' update), and the fits are independent and seeded alike.
    let fitted = std::sync::atomic::AtomicUsize::new(0);
    (first..=max_k)
        .into_par_iter()
        .map(|k| {
            let model = fit_full(sample.view(), k, params, seeds, params.n_runs.min(2), None)?;
            let done = fitted.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            progress(done, max_k - first + 1);
            let labels: Vec<usize> = model.predict(&sample).to_vec();
            let (silhouette, silhouette_se) = silhouette(&dist, m, &labels, k);
            Ok(KScore {
                k,
                silhouette,
                silhouette_se,
                inertia: inertia(sample.view(), model.centroids(), &labels),
            })
        })
        .collect()
}

/// Euclidean distances between all rows, m × m row-major. Each pair is computed once, the
/// upper triangle's rows in parallel, and mirrored: the distance from b to a is the same bits
/// as from a to b (the differences only change sign, which rounding does not see).
pub(super) fn pairwise_distances(x: ArrayView2<f32>) -> Vec<f64> {
    let m = x.nrows();
    let mut d = vec![0.0; m * m];
    d.par_chunks_mut(m).enumerate().for_each(|(i, row)| {
        let xi = x.row(i);
        for (j, v) in row.iter_mut().enumerate().skip(i + 1) {
            *v = squared_distance(xi, x.row(j)).sqrt();
        }
    });
    // The lower triangle by blocks, so each block's rows and columns stay in cache.
    const BLOCK: usize = 64;
    for block_i in (0..m).step_by(BLOCK) {
        for block_j in (0..=block_i).step_by(BLOCK) {
            for i in block_i..(block_i + BLOCK).min(m) {
                for j in block_j..(block_j + BLOCK).min(i) {
                    d[i * m + j] = d[j * m + i];
                }
            }
        }
    }
    d
}

/// Mean silhouette (Rousseeuw 1987) from a distance matrix; a unit alone in its cluster scores 0.
pub(super) fn silhouette(dist: &[f64], m: usize, labels: &[usize], k: usize) -> (f64, f64) {
    let sizes = labels.iter().fold(vec![0usize; k], |mut s, &l| {
        s[l] += 1;
        s
    });
    // A unit's silhouette from its distance sums to each cluster.
    let score = |i: usize, sums: &[f64]| {
        let own = labels[i];
        if sizes[own] <= 1 {
            return 0.0;
        }
        let a = sums[own] / (sizes[own] - 1) as f64;
        let b = (0..k)
            .filter(|&c| c != own && sizes[c] > 0)
            .map(|c| sums[c] / sizes[c] as f64)
            .fold(f64::INFINITY, f64::min);
        if !b.is_finite() {
            0.0
        } else {
            (b - a) / a.max(b)
        }
    };
    // The sums of `ROWS` units at a time: one pass over the labels feeds their sums, chains of
    // additions the processor runs side by side (one unit's sums wait on each other). Each sum
    // still adds its distances in the order of j, so the bits are those of one unit at a time.
    const ROWS: usize = 4;
    let total: Vec<f64> = (0..m.div_ceil(ROWS))
        .into_par_iter()
        .flat_map_iter(|block| {
            let rows = block * ROWS..((block + 1) * ROWS).min(m);
            let mut sums = vec![0.0; ROWS * k];
            for (j, &label) in labels.iter().enumerate() {
                for (r, i) in rows.clone().enumerate() {
                    sums[r * k + label] += dist[i * m + j];
                }
            }
            rows.enumerate()
                .map(|(r, i)| score(i, &sums[r * k..(r + 1) * k]))
                .collect::<Vec<f64>>()
        })
        .collect();
    let mean = total.iter().sum::<f64>() / m as f64;
    let var = total.iter().map(|s| (s - mean).powi(2)).sum::<f64>() / (m.max(2) - 1) as f64;
    (mean, (var / m as f64).sqrt())
}

/// The k of a scan: the smallest whose silhouette is within one standard error of the best
/// (the one-standard-error rule of Breiman et al. 1984, as for choosing a tree's size). On
/// text the silhouette keeps creeping up with k by less than its own noise (0.03 → 0.09 over
/// 5..30), and the plain maximum drifts to the top of any range; the smallest k the data
/// cannot tell from the best does not. Where the standard errors are too small to hold the
/// curve back (large samples: laws rise steadily from 0.032 at k = 5 to 0.086 at 30, SE 0.001)
/// and the rule still takes the top of the range, the choice is the curve's knee instead
/// ([`knee`]): past it each theme adds less silhouette than the one before.
pub(super) fn choose_k(scan: &[KScore]) -> Option<&KScore> {
    let best = scan
        .iter()
        .max_by(|a, b| a.silhouette.total_cmp(&b.silhouette).then(b.k.cmp(&a.k)))?;
    let chosen = scan
        .iter()
        .filter(|s| s.silhouette >= best.silhouette - best.silhouette_se)
        .min_by_key(|s| s.k)?;
    let top = scan.iter().map(|s| s.k).max()?;
    if chosen.k == top && scan.len() >= 5 {
        return knee(scan).or(Some(chosen));
    }
    Some(chosen)
}

/// The knee of a rising curve (Kneedle, Satopää et al. 2011): with k and the silhouette each
/// scaled to 0..1 over the scan, the point farthest above the diagonal from the first point to
/// the last (the smallest k of equals); `None` when no point lies above it by at least 0.05 (a
/// straight or sagging curve has no knee).
pub(super) fn knee(scan: &[KScore]) -> Option<&KScore> {
    let (k0, k1) = (scan.first()?.k as f64, scan.last()?.k as f64);
    let (lo, hi) = scan
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), s| {
            (lo.min(s.silhouette), hi.max(s.silhouette))
        });
    if k1 <= k0 || hi <= lo {
        return None;
    }
    scan.iter()
        .map(|s| {
            let above = (s.silhouette - lo) / (hi - lo) - (s.k as f64 - k0) / (k1 - k0);
            (s, above)
        })
        .filter(|&(_, above)| above >= 0.05)
        .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.k.cmp(&a.0.k)))
        .map(|(s, _)| s)
}
