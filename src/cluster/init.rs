//! Full k-means from greedy k-means++ starts (guided by a codebook's rows when given),
//! `n_runs` restarts keeping the best inertia.

use super::*;
use crate::config::ClusterParams;
use crate::error::{Error, Result};
use crate::seed::Seeds;
use linfa::DatasetBase;
use linfa::traits::Fit;
use linfa_clustering::{KMeans, KMeansInit};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis};
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256Plus;
use rayon::prelude::*;

/// Full k-means: `n_runs` starts by greedy k-means++, each refined by linfa's k-means; the run of
/// least inertia is kept.
pub(super) fn fit_full(
    x: ArrayView2<f32>,
    k: usize,
    params: &ClusterParams,
    seeds: Seeds,
    n_runs: usize,
    guides: Option<ArrayView2<f32>>,
) -> Result<KMeans<f32, LanesL2>> {
    let mut rng = Xoshiro256Plus::seed_from_u64(seeds.kmeans());
    let mut best: Option<KMeans<f32, LanesL2>> = None;
    for _ in 0..n_runs {
        let (start, _) = start_centres(x, k, &mut rng, guides);
        let model = KMeans::params_with(k, rng.clone(), LanesL2)
            .n_runs(1)
            .max_n_iterations(params.max_iterations)
            .tolerance(params.tolerance as f32)
            .init_method(KMeansInit::Precomputed(start))
            .fit(&DatasetBase::from(x))
            .map_err(|e| Error::Cluster(e.to_string()))?;
        if best.as_ref().is_none_or(|b| model.inertia() < b.inertia()) {
            best = Some(model);
        }
    }
    best.ok_or_else(|| Error::Cluster("cluster.n_runs must be >= 1".to_string()))
}

/// Greedy k-means++ (Arthur & Vassilvitskii 2007, with scikit-learn's 2 + ln k local trials per
/// centre): each new centre is the best of a few D²-weighted candidates by the potential it
/// leaves. linfa's k-means++ draws one candidate per centre; the greedy start gives lower inertia
/// with many clusters. Written here because linfa offers no greedy variant; distances are computed
/// in parallel per point and summed in order, so the start does not depend on the thread count.
/// Returns the centres and their potential (the sum of squared distances to the nearest centre).
pub(super) fn greedy_kmeans_plus_plus(
    x: ArrayView2<f32>,
    k: usize,
    rng: &mut Xoshiro256Plus,
) -> (Array2<f32>, f64) {
    let n = x.nrows();
    let trials = 2 + (k as f64).ln() as usize;
    // Squared distances of every row to each of `centres`, chunks of rows in parallel.
    let distances_to = |centres: &[usize]| -> Vec<Vec<f64>> {
        let t = centres.len();
        let mut flat = vec![0.0f64; n * t];
        flat.par_chunks_mut(256 * t)
            .enumerate()
            .for_each(|(chunk, out)| distances_from_simd(x, chunk * 256, centres, out));
        (0..t)
            .map(|c| flat.iter().skip(c).step_by(t).copied().collect())
            .collect()
    };
    let mut centers = vec![rng.gen_range(0..n)];
    let mut closest = distances_to(&centers).remove(0);
    let mut potential: f64 = closest.iter().sum();
    while centers.len() < k {
        let mut cumulative = Vec::with_capacity(n);
        let mut acc = 0.0;
        for d in &closest {
            acc += d;
            cumulative.push(acc);
        }
        // The candidates depend only on the draws, so their distances are computed together.
        let candidates: Vec<usize> = (0..trials)
            .map(|_| {
                let target = rng.gen_range(0.0..1.0) * potential;
                cumulative.partition_point(|&c| c < target).min(n - 1)
            })
            .collect();
        let mut chosen: Option<(f64, usize, Vec<f64>)> = None;
        let distances = distances_to(&candidates);
        for (candidate, d) in candidates.into_iter().zip(distances) {
            let merged: Vec<f64> = closest.iter().zip(&d).map(|(a, b)| a.min(*b)).collect();
            let pot: f64 = merged.iter().sum();
            if chosen.as_ref().is_none_or(|(p, _, _)| pot < *p) {
                chosen = Some((pot, candidate, merged));
            }
        }
        let (pot, candidate, merged) = chosen.expect("at least two trials");
        centers.push(candidate);
        closest = merged;
        potential = pot;
    }
    (x.select(Axis(0), &centers), potential)
}

/// The start of one k-means run: greedy k-means++, or with `guides` those rows first and greedy
/// k-means++ for the rest (each new centre the best of a few D²-weighted candidates, D the
/// distance to the nearest centre so far, guides included).
pub(super) fn start_centres(
    x: ArrayView2<f32>,
    k: usize,
    rng: &mut Xoshiro256Plus,
    guides: Option<ArrayView2<f32>>,
) -> (Array2<f32>, f64) {
    let Some(guides) = guides.filter(|g| g.nrows() > 0) else {
        return greedy_kmeans_plus_plus(x, k, rng);
    };
    let n = x.nrows();
    let to_row = |c: ArrayView1<f32>| -> Vec<f64> {
        (0..n)
            .into_par_iter()
            .map(|i| squared_distance(x.row(i), c))
            .collect()
    };
    let mut closest: Vec<f64> = vec![f64::INFINITY; n];
    for g in guides.axis_iter(Axis(0)) {
        for (c, d) in closest.iter_mut().zip(to_row(g)) {
            *c = c.min(d);
        }
    }
    let mut centres: Vec<Array1<f32>> = guides.axis_iter(Axis(0)).map(|g| g.to_owned()).collect();
    let trials = 2 + (k as f64).ln() as usize;
    while centres.len() < k {
        let potential: f64 = closest.iter().sum();
        let mut cumulative = Vec::with_capacity(n);
        let mut acc = 0.0;
        for d in &closest {
            acc += d;
            cumulative.push(acc);
        }
        let mut chosen: Option<(f64, usize, Vec<f64>)> = None;
        for _ in 0..trials {
            let target = rng.gen_range(0.0..1.0) * potential;
            let candidate = cumulative.partition_point(|&c| c < target).min(n - 1);
            let merged: Vec<f64> = closest
                .iter()
                .zip(to_row(x.row(candidate)))
                .map(|(a, b)| a.min(b))
                .collect();
            let pot: f64 = merged.iter().sum();
            if chosen.as_ref().is_none_or(|(p, _, _)| pot < *p) {
                chosen = Some((pot, candidate, merged));
            }
        }
        let (_, candidate, merged) = chosen.expect("at least two trials");
        centres.push(x.row(candidate).to_owned());
        closest = merged;
    }
    let views: Vec<ArrayView1<f32>> = centres.iter().map(|c| c.view()).collect();
    let start = ndarray::stack(Axis(0), &views).expect("rows of one width");
    (start, closest.iter().sum())
}

/// The rows `indices` of `x`, copied row by row (ndarray's `select` concatenates one view per
/// index: a third of the mini-batch loop's time).
pub(super) fn gather_rows(x: ArrayView2<f32>, indices: &[usize]) -> Array2<f32> {
    let mut data = Vec::with_capacity(indices.len() * x.ncols());
    for &i in indices {
        match x.row(i).to_slice() {
            Some(row) => data.extend_from_slice(row),
            None => data.extend(x.row(i).iter()),
        }
    }
    Array2::from_shape_vec((indices.len(), x.ncols()), data).expect("rows × columns")
}
