//! Stage 5: the reduced matrix → themes, by linfa-clustering's k-means.
//!
//! k-means++ starts from a seeded `Xoshiro256Plus`, `n_runs` restarts keep the best inertia.
//! Above `minibatch_above` units the fit is linfa's incremental mini-batch k-means (`fit_with`)
//! over seeded shuffled batches, then every unit is assigned. Members are counted from
//! `predict`, never from `cluster_count()` (which counts the last run, not the best). Never
//! `KMeansPara`, which is not reproducible.
//!
//! `--k auto` scans `k_range` (capped at one theme per five units) on a seeded sample of at most
//! `silhouette_sample` units and picks the k of highest mean silhouette (Euclidean distance on the unit-length LSA rows, i.e. a monotone
//! function of cosine distance); the pairwise distances are computed once, in parallel.
//!
//! Themes are renumbered by size, largest first (ties: the earlier first unit), so ids are stable.

use crate::config::{ClusterParams, KChoice, Valid};
use crate::error::{Error, Result};
use linfa::DatasetBase;
use linfa::traits::{Fit, FitWith, Predict};
use linfa_clustering::{IncrKMeansError, KMeans, KMeansInit};
use linfa_nn::distance::Distance;
use ndarray::{Array1, Array2, ArrayView, ArrayView1, ArrayView2, Axis, Dimension};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
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

/// Squared Euclidean distance for linfa's k-means, summed in eight lanes that the compiler
/// turns into SIMD. linfa's `L2Dist` sums one element after another (ndarray-stats'
/// `sq_l2_dist`, a sequential fold), and k-means spends most of its time here. The lanes are
/// fixed, so the result does not depend on the thread count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct LanesL2;

impl Distance<f32> for LanesL2 {
    fn distance<D: Dimension>(&self, a: ArrayView<f32, D>, b: ArrayView<f32, D>) -> f32 {
        self.rdistance(a, b).sqrt()
    }

    fn rdistance<D: Dimension>(&self, a: ArrayView<f32, D>, b: ArrayView<f32, D>) -> f32 {
        match (a.as_slice(), b.as_slice()) {
            (Some(a), Some(b)) => lanes_squared_distance(a, b),
            _ => a.iter().zip(b.iter()).map(|(x, y)| (x - y) * (x - y)).sum(),
        }
    }

    fn rdist_to_dist(&self, rdist: f32) -> f32 {
        rdist.sqrt()
    }

    fn dist_to_rdist(&self, dist: f32) -> f32 {
        dist * dist
    }
}

/// Σ (aᵢ − bᵢ)² over slices of equal length, in eight running sums added at the end; compiled
/// for AVX2 when the CPU has it (one register for the eight sums, same bits as the baseline).
fn lanes_squared_distance(a: &[f32], b: &[f32]) -> f32 {
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2, checked just above.
        return unsafe { lanes_squared_distance_avx2(a, b) };
    }
    lanes_squared_distance_baseline(a, b)
}

/// [`lanes_squared_distance_baseline`] compiled for AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn lanes_squared_distance_avx2(a: &[f32], b: &[f32]) -> f32 {
    lanes_squared_distance_baseline(a, b)
}

/// The body of [`lanes_squared_distance`].
#[inline(always)]
fn lanes_squared_distance_baseline(a: &[f32], b: &[f32]) -> f32 {
    lanes_sum(a, b, |x, y| (x - y) * (x - y))
}

/// Σ term(aᵢ, bᵢ) over slices of equal length, in eight running sums added at the end: one
/// running sum is a chain of dependent additions the CPU cannot overlap, eight vectorise. The
/// lanes are fixed, so the result depends on neither the thread count nor the SIMD width.
#[inline(always)]
fn lanes_sum<T>(a: &[f32], b: &[f32], term: impl Fn(f32, f32) -> T) -> T
where
    T: Copy + Default + std::ops::AddAssign + std::iter::Sum,
{
    const LANES: usize = 8;
    let mut sums = [T::default(); LANES];
    let (a_chunks, b_chunks) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let tail: T = a_chunks
        .remainder()
        .iter()
        .zip(b_chunks.remainder())
        .map(|(&x, &y)| term(x, y))
        .sum();
    for (x, y) in a_chunks.zip(b_chunks) {
        for k in 0..LANES {
            sums[k] += term(x[k], y[k]);
        }
    }
    let mut total: T = sums.into_iter().sum();
    total += tail;
    total
}

/// Rows per parallel chunk of [`nearest_centres`].
const NEAREST_CHUNK: usize = 2048;

/// The nearest centre of each row, exactly as linfa's `predict` finds it with [`LanesL2`] (the
/// same distances in the same order, the first of equal ones kept), with the distance loop
/// compiled for AVX2 once per chunk of rows rather than dispatched for each of the n × k
/// distances (laws, 312,184 rows × 30 centres: 36 ms against `predict`'s 47).
fn nearest_centres(model: &KMeans<f32, LanesL2>, x: ArrayView2<f32>) -> Vec<usize> {
    let centroids = model.centroids();
    let d = x.ncols();
    let (Some(rows), Some(centres)) = (x.as_slice(), centroids.as_slice()) else {
        return model.predict(&x).to_vec();
    };
    let mut labels = vec![0; x.nrows()];
    if d == 0 || centroids.nrows() == 0 {
        return labels;
    }
    labels
        .par_chunks_mut(NEAREST_CHUNK)
        .zip(rows.par_chunks(NEAREST_CHUNK * d))
        .for_each(|(labels, rows)| {
            #[cfg(target_arch = "x86_64")]
            if std::is_x86_feature_detected!("avx2") {
                // SAFETY: the CPU has AVX2, checked just above.
                return unsafe { nearest_in_chunk_avx2(rows, centres, d, labels) };
            }
            nearest_in_chunk(rows, centres, d, labels)
        });
    labels
}

/// The body of [`nearest_centres`] for one chunk of rows (linfa's `closest_centroid`: the first
/// of equal distances wins).
#[inline(always)]
fn nearest_in_chunk(rows: &[f32], centres: &[f32], d: usize, labels: &mut [usize]) {
    for (row, label) in rows.chunks_exact(d).zip(labels) {
        let mut closest = (0, lanes_squared_distance_baseline(&centres[..d], row));
        for (c, centre) in centres.chunks_exact(d).enumerate().skip(1) {
            let distance = lanes_squared_distance_baseline(centre, row);
            if distance < closest.1 {
                closest = (c, distance);
            }
        }
        *label = closest.0;
    }
}

/// [`nearest_in_chunk`] compiled for AVX2 (same bits: no FMA).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn nearest_in_chunk_avx2(rows: &[f32], centres: &[f32], d: usize, labels: &mut [usize]) {
    nearest_in_chunk(rows, centres, d, labels)
}

/// The fitted themes.
#[derive(Debug, Clone, PartialEq)]
pub struct Clustering {
    /// Number of themes.
    pub k: usize,
    /// Centres, k × dims, in theme order (largest theme first).
    pub centroids: Array2<f32>,
    /// Theme of each unit.
    pub assignments: Vec<usize>,
    /// Cosine similarity of each unit to its theme's centre.
    pub similarity: Vec<f64>,
    /// Sum of squared distances of the units to their centres (scikit-learn's inertia).
    pub inertia: f64,
    /// How the centres were fitted.
    pub method: Method,
    /// The k scan, when k was chosen automatically.
    pub scan: Vec<KScore>,
    /// The fitted linfa model, which assigns new rows ([`Themes::assign`]).
    pub themes: Themes,
}

/// linfa's fitted k-means and the renumbering of its clusters into themes (largest first).
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Themes {
    /// The linfa model.
    pub model: KMeans<f32, LanesL2>,
    /// Theme number of each of the model's clusters.
    pub rank: Vec<usize>,
}

impl Themes {
    /// The theme of each row: the nearest centre, as linfa's `predict` finds it, renumbered.
    pub fn assign(&self, x: ArrayView2<f32>) -> Vec<usize> {
        nearest_centres(&self.model, x)
            .iter()
            .map(|&c| self.rank[c])
            .collect()
    }

    /// Number of themes: the model's clusters, less those folded together by a merge.
    pub fn len(&self) -> usize {
        self.rank.iter().max().map_or(0, |&r| r + 1)
    }

    /// Whether there is no theme (never, for a fitted model).
    pub fn is_empty(&self) -> bool {
        self.rank.is_empty()
    }

    /// The centres in theme order: a theme's cluster centre, or the mean of the centres of the
    /// clusters a merge folded into it.
    pub fn centroids(&self) -> Array2<f32> {
        let centres = self.model.centroids();
        let mut out = Array2::<f32>::zeros((self.len(), centres.ncols()));
        for (t, mut row) in out.rows_mut().into_iter().enumerate() {
            let members: Vec<usize> = (0..self.rank.len())
                .filter(|&c| self.rank[c] == t)
                .collect();
            if let [c] = members[..] {
                row.assign(&centres.row(c));
            } else {
                for &c in &members {
                    row.zip_mut_with(&centres.row(c), |s, &v| *s += v);
                }
                row.mapv_inplace(|v| v / members.len() as f32);
            }
        }
        out
    }

    /// The centres in theme order with their lengths.
    fn centroids_and_norms(&self) -> (Array2<f32>, Vec<f64>) {
        let centroids = self.centroids();
        let norms = centroids
            .rows()
            .into_iter()
            .map(|c| dot(c, c).sqrt())
            .collect();
        (centroids, norms)
    }

    /// Cosine similarity of each row to the centre of its theme.
    pub fn similarity(&self, x: ArrayView2<f32>, assignments: &[usize]) -> Vec<f64> {
        let (centroids, norms) = self.centroids_and_norms();
        assignments
            .par_iter()
            .enumerate()
            .map(|(i, &c)| cosine(x.row(i), centroids.row(c), norms[c]))
            .collect()
    }

    /// Each row's next-nearest theme after its own `assignments[i]` (by distance to the
    /// centres, as themes are assigned) and the row's cosine to its centre; `None` with one
    /// theme.
    pub fn second_nearest(
        &self,
        x: ArrayView2<f32>,
        assignments: &[usize],
    ) -> Vec<Option<(usize, f64)>> {
        let (centroids, norms) = self.centroids_and_norms();
        let centres: Vec<Vec<f32>> = centroids.rows().into_iter().map(|c| c.to_vec()).collect();
        assignments
            .par_iter()
            .enumerate()
            .map(|(i, &own)| {
                let row = x.row(i);
                let owned;
                let slice = match row.as_slice() {
                    Some(s) => s,
                    None => {
                        owned = row.to_vec();
                        &owned
                    }
                };
                let (t, _) = (0..centres.len())
                    .filter(|&t| t != own)
                    .map(|t| (t, lanes_squared_distance(slice, &centres[t])))
                    .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)))?;
                Some((t, cosine(row, centroids.row(t), norms[t])))
            })
            .collect()
    }
}

/// The cosine of a unit-length row to a centre of length `norm` (0 for a zero centre).
fn cosine(row: ArrayView1<f32>, centre: ArrayView1<f32>, norm: f64) -> f64 {
    if norm > 0.0 {
        dot(row, centre) / norm
    } else {
        0.0
    }
}

/// Fits the themes of the rows of `x` (unit-length, or zero for units without terms). With
/// `guides` (rows in the same space: a codebook's supported entries), the first centres of every
/// start are those rows (as many as k allows) and the rest are chosen by greedy k-means++ from
/// the data, so guided themes and free themes are fitted together.
pub fn cluster(
    x: ArrayView2<f32>,
    params: &Valid<ClusterParams>,
    guides: Option<ArrayView2<f32>>,
) -> Result<Clustering> {
    cluster_with_progress(x, params, guides, &|_, _| {})
}

/// Progress of a loop: `(done, of)` after each step.
pub type Progress<'a> = &'a (dyn Fn(usize, usize) + Sync);

/// As [`cluster`], calling `progress(i, n)` after the i-th of the n values of k scanned.
pub fn cluster_with_progress(
    x: ArrayView2<f32>,
    params: &Valid<ClusterParams>,
    guides: Option<ArrayView2<f32>>,
    progress: Progress,
) -> Result<Clustering> {
    let n = x.nrows();
    let (k, scan) = match params.k {
        KChoice::Fixed(k) => (k, Vec::new()),
        KChoice::Auto => {
            let scan = scan_k(x, params, progress)?;
            let best = choose_k(&scan).map(|s| s.k).ok_or_else(|| {
                Error::Cluster("the k range is empty for this corpus".to_string())
            })?;
            (best, scan)
        }
    };
    if k > n {
        return Err(Error::TooFewUnits { k, units: n });
    }
    let guides = guides.map(|g| {
        let rows = g.nrows().min(k);
        g.slice_move(ndarray::s![..rows, ..])
    });
    let (model, method) = if n > params.minibatch_above {
        (fit_minibatch(x, k, params, guides)?, Method::MiniBatch)
    } else {
        (
            fit_full(x, k, params, params.n_runs, guides)?,
            Method::KMeans,
        )
    };
    Ok(finish(x, model, method, scan))
}

/// Assigns every row with `predict` and renumbers the themes by size.
fn finish(
    x: ArrayView2<f32>,
    model: KMeans<f32, LanesL2>,
    method: Method,
    scan: Vec<KScore>,
) -> Clustering {
    let clusters: Vec<usize> = (0..model.centroids().nrows()).collect();
    ranked(x, model, &clusters, method, scan)
}

/// Assigns every row to its nearest cluster, takes each cluster to its group (`group_of`, a
/// map onto `0..groups`), and numbers the groups as themes by size (largest first; ties by
/// their first unit).
fn ranked(
    x: ArrayView2<f32>,
    model: KMeans<f32, LanesL2>,
    group_of: &[usize],
    method: Method,
    scan: Vec<KScore>,
) -> Clustering {
    let k = group_of.iter().max().map_or(0, |&g| g + 1);
    let labels: Vec<usize> = nearest_centres(&model, x)
        .iter()
        .map(|&c| group_of[c])
        .collect();
    let mut sizes = vec![(0usize, usize::MAX); k];
    for (i, &g) in labels.iter().enumerate() {
        sizes[g].0 += 1;
        sizes[g].1 = sizes[g].1.min(i);
    }
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by_key(|&g| (std::cmp::Reverse(sizes[g].0), sizes[g].1, g));
    let mut theme_of_group = vec![0; k];
    for (r, &g) in order.iter().enumerate() {
        theme_of_group[g] = r;
    }
    let rank = group_of.iter().map(|&g| theme_of_group[g]).collect();
    let themes = Themes { model, rank };
    let assignments: Vec<usize> = labels.iter().map(|&g| theme_of_group[g]).collect();
    let centroids = themes.centroids();
    let similarity = themes.similarity(x, &assignments);
    let inertia = inertia(x, &centroids, &assignments);
    Clustering {
        k,
        centroids,
        assignments,
        similarity,
        inertia,
        method,
        scan,
        themes,
    }
}

impl Clustering {
    /// Folds themes together (BERTopic's `merge_topics`): each of `groups` (theme numbers,
    /// disjoint) becomes one theme, whose centre is the mean of its clusters' centres; a unit
    /// keeps its nearest cluster and goes with it. Themes are numbered again by size.
    pub fn merge(self, x: ArrayView2<f32>, groups: &[Vec<usize>]) -> Clustering {
        let mut folded: Vec<usize> = (0..self.k).collect();
        for group in groups {
            let first = group.iter().copied().min().unwrap_or(0);
            for &t in group {
                folded[t] = first;
            }
        }
        // Number the folded themes 0.. in order of their first theme.
        let mut kept: Vec<usize> = folded.clone();
        kept.sort_unstable();
        kept.dedup();
        let group_of: Vec<usize> = self
            .themes
            .rank
            .iter()
            .map(|&t| kept.binary_search(&folded[t]).expect("a kept theme"))
            .collect();
        ranked(x, self.themes.model, &group_of, self.method, self.scan)
    }
}

/// Sum of squared distances of rows to their assigned centres (computed in parallel, summed in
/// row order).
pub fn inertia(x: ArrayView2<f32>, centroids: &Array2<f32>, assignments: &[usize]) -> f64 {
    let distances: Vec<f64> = assignments
        .par_iter()
        .enumerate()
        .map(|(i, &c)| squared_distance(x.row(i), centroids.row(c)))
        .collect();
    distances.iter().sum()
}

/// Σ term(aᵢ, bᵢ) over two f32 rows, in f64 ([`lanes_sum`] when both rows are contiguous).
#[inline(always)]
fn lanes_sum_f64(a: ArrayView1<f32>, b: ArrayView1<f32>, term: impl Fn(f64, f64) -> f64) -> f64 {
    let term = |x: f32, y: f32| term(f64::from(x), f64::from(y));
    match (a.as_slice(), b.as_slice()) {
        (Some(a), Some(b)) => lanes_sum(a, b, term),
        _ => a.iter().zip(b).map(|(&x, &y)| term(x, y)).sum(),
    }
}

/// The dot product of two f32 rows, summed in f64.
fn dot(a: ArrayView1<f32>, b: ArrayView1<f32>) -> f64 {
    lanes_sum_f64(a, b, |x, y| x * y)
}

/// The squared Euclidean distance between two f32 rows, summed in f64.
#[inline(always)]
fn squared_distance(a: ArrayView1<f32>, b: ArrayView1<f32>) -> f64 {
    lanes_sum_f64(a, b, |x, y| (x - y) * (x - y))
}

/// Full k-means: `n_runs` starts by greedy k-means++, each refined by linfa's k-means; the run of
/// least inertia is kept.
fn fit_full(
    x: ArrayView2<f32>,
    k: usize,
    params: &ClusterParams,
    n_runs: usize,
    guides: Option<ArrayView2<f32>>,
) -> Result<KMeans<f32, LanesL2>> {
    let mut rng = Xoshiro256Plus::seed_from_u64(params.seeds().kmeans());
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
fn greedy_kmeans_plus_plus(
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
            .for_each(|(chunk, out)| {
                #[cfg(target_arch = "x86_64")]
                if std::is_x86_feature_detected!("avx2") {
                    // SAFETY: the CPU has AVX2, checked just above.
                    return unsafe { distances_from_avx2(x, chunk * 256, centres, out) };
                }
                distances_from(x, chunk * 256, centres, out)
            });
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
fn start_centres(
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

/// Squared distances (in f64) of rows `first..` of `x` to the rows `centres`, into `out` (one
/// row of `centres.len()` per row of `x`, as many as `out` holds).
#[inline(always)]
fn distances_from(x: ArrayView2<f32>, first: usize, centres: &[usize], out: &mut [f64]) {
    for (r, row) in out.chunks_mut(centres.len()).enumerate() {
        for (o, &c) in row.iter_mut().zip(centres) {
            *o = squared_distance(x.row(first + r), x.row(c));
        }
    }
}

/// [`distances_from`] compiled for AVX2 (same bits: no FMA), once per chunk of rows.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn distances_from_avx2(
    x: ArrayView2<f32>,
    first: usize,
    centres: &[usize],
    out: &mut [f64],
) {
    distances_from(x, first, centres, out)
}

/// The rows `indices` of `x`, copied row by row (ndarray's `select` concatenates one view per
/// index: a third of the mini-batch loop's time).
fn gather_rows(x: ArrayView2<f32>, indices: &[usize]) -> Array2<f32> {
    let mut data = Vec::with_capacity(indices.len() * x.ncols());
    for &i in indices {
        match x.row(i).to_slice() {
            Some(row) => data.extend_from_slice(row),
            None => data.extend(x.row(i).iter()),
        }
    }
    Array2::from_shape_vec((indices.len(), x.ncols()), data).expect("rows × columns")
}

/// Mini-batch k-means: seeded shuffles of the rows, batches fed to linfa's `fit_with` until it
/// converges or `max_batches` batches have been seen. The start is the best (least potential) of
/// `n_runs` greedy k-means++ starts on the first batch: linfa's own start would run its
/// k-means++ ten times over, at O(batch × k²) each.
fn fit_minibatch(
    x: ArrayView2<f32>,
    k: usize,
    params: &ClusterParams,
    guides: Option<ArrayView2<f32>>,
) -> Result<KMeans<f32, LanesL2>> {
    let mut rng = Xoshiro256Plus::seed_from_u64(params.seeds().kmeans());
    let mut order: Vec<usize> = (0..x.nrows()).collect();
    order.shuffle(&mut rng);
    let first = gather_rows(x, &order[..params.batch_size.min(order.len())]);
    let start = (0..params.n_runs.max(1))
        .map(|_| start_centres(first.view(), k, &mut rng, guides))
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(centres, _)| centres)
        .expect("at least one start");
    let clf = KMeans::params_with(k, rng.clone(), LanesL2)
        .tolerance(params.tolerance as f32)
        .init_method(KMeansInit::Precomputed(start));
    // The batches depend only on the shuffles, not on the fit: drawn first, then each batch's
    // rows gathered while the one before it is fitted.
    let mut batches: Vec<Vec<usize>> = Vec::new();
    'epochs: loop {
        let before = batches.len();
        for batch in order.chunks(params.batch_size).filter(|b| b.len() >= k) {
            batches.push(batch.to_vec());
            if batches.len() as u64 >= params.max_batches {
                break 'epochs;
            }
        }
        if batches.len() == before {
            break;
        }
        order.shuffle(&mut rng);
    }
    let mut model = None;
    // The first batch, when there is one, is the first chunk of rows, already gathered for the
    // start (a chunk too small to be a batch would make every chunk too small).
    let mut rows = batches.first().map(|b| {
        if b.len() == first.nrows() {
            first
        } else {
            gather_rows(x, b)
        }
    });
    for next in batches.iter().skip(1).map(Some).chain([None]) {
        let Some(current) = rows.take() else { break };
        let previous = model.take();
        let (fitted, next_rows) = rayon::join(
            // The fitted model, and whether it converged.
            || match clf.fit_with(previous, &DatasetBase::from(current)) {
                Ok(m) => Ok((m, true)),
                Err(IncrKMeansError::NotConverged(m)) => Ok((m, false)),
                Err(e) => Err(Error::Cluster(e.to_string())),
            },
            || next.map(|b| gather_rows(x, b)),
        );
        match fitted? {
            (m, true) => return Ok(m),
            (m, false) => model = Some(m),
        }
        rows = next_rows;
    }
    model.ok_or_else(|| Error::Cluster(format!("no batch of at least k = {k} units")))
}

/// Scores each k of the range on a seeded sample by mean silhouette.
fn scan_k(x: ArrayView2<f32>, params: &ClusterParams, progress: Progress) -> Result<Vec<KScore>> {
    let n = x.nrows();
    let mut rng = Xoshiro256Plus::seed_from_u64(params.seeds().k_scan_sample());
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
    (first..=max_k)
        .map(|k| {
            let model = fit_full(sample.view(), k, params, params.n_runs.min(2), None)?;
            progress(k - first + 1, max_k - first + 1);
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

/// Euclidean distances between all rows, m × m row-major, in parallel.
fn pairwise_distances(x: ArrayView2<f32>) -> Vec<f64> {
    let m = x.nrows();
    let mut d = vec![0.0; m * m];
    d.par_chunks_mut(m).enumerate().for_each(|(i, row)| {
        let xi = x.row(i);
        for (j, v) in row.iter_mut().enumerate() {
            *v = squared_distance(xi, x.row(j)).sqrt();
        }
    });
    d
}

/// Mean silhouette (Rousseeuw 1987) from a distance matrix; a unit alone in its cluster scores 0.
fn silhouette(dist: &[f64], m: usize, labels: &[usize], k: usize) -> (f64, f64) {
    let sizes = labels.iter().fold(vec![0usize; k], |mut s, &l| {
        s[l] += 1;
        s
    });
    let total: Vec<f64> = (0..m)
        .into_par_iter()
        .map(|i| {
            let mut sums = vec![0.0; k];
            for j in 0..m {
                sums[labels[j]] += dist[i * m + j];
            }
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
        })
        .collect::<Vec<f64>>();
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
fn choose_k(scan: &[KScore]) -> Option<&KScore> {
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
fn knee(scan: &[KScore]) -> Option<&KScore> {
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

/// How the centres were fitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// linfa's k-means on all rows, `n_runs` restarts.
    KMeans,
    /// linfa's mini-batch `fit_with` (above `cluster.minibatch_above` units), then every row
    /// assigned.
    MiniBatch,
}

impl Method {
    /// The word `run.json` records: `kmeans` or `minibatch`.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::KMeans => "kmeans",
            Method::MiniBatch => "minibatch",
        }
    }
}

/// The units that are clustered, out of all: those with at least `cluster.min_known_terms`
/// vocabulary terms. The reduced matrix keeps a row for every unit; the kept rows are shown to
/// k-means as one contiguous view ([`KeptRows::with_rows`]) and the per-row results spread back
/// over all units.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptRows {
    units: usize,
    kept: Vec<usize>,
}

impl KeptRows {
    /// The rows `kept` (ascending, each below `units`) of `units`.
    pub fn new(units: usize, kept: Vec<usize>) -> KeptRows {
        assert!(
            kept.windows(2).all(|w| w[0] < w[1]) && kept.last().is_none_or(|&l| l < units),
            "kept rows ascend and lie below the number of units"
        );
        KeptRows { units, kept }
    }

    /// The number of units, kept or not.
    pub fn units(&self) -> usize {
        self.units
    }

    /// The number of rows kept.
    pub fn len(&self) -> usize {
        self.kept.len()
    }

    /// Whether no row is kept.
    pub fn is_empty(&self) -> bool {
        self.kept.is_empty()
    }

    /// Whether every row is kept.
    pub fn is_all(&self) -> bool {
        self.kept.len() == self.units
    }

    /// The units kept, ascending.
    pub fn as_slice(&self) -> &[usize] {
        &self.kept
    }

    /// Calls `f` on the kept rows of `x` as one contiguous view (see [`with_rows`]).
    pub fn with_rows<T>(&self, x: &mut Array2<f32>, f: impl FnOnce(ArrayView2<f32>) -> T) -> T {
        with_rows(x, &self.kept, f)
    }

    /// Each unit's next-nearest theme, from the kept rows' (`second[i]` is the kept row i's);
    /// the others have none.
    pub fn spread_second(&self, second: Vec<Option<(usize, f64)>>) -> Vec<Option<(usize, f64)>> {
        let mut out = vec![None; self.units];
        for (&u, s) in self.kept.iter().zip(second) {
            out[u] = s;
        }
        out
    }

    /// Spreads the kept rows' themes and similarities over all units (the others: no theme,
    /// similarity 0).
    pub fn spread(&self, themes: &[usize], sims: &[f64]) -> (Vec<Option<usize>>, Vec<f64>) {
        let mut assignments = vec![None; self.units];
        let mut similarity = vec![0.0; self.units];
        for (row, &u) in self.kept.iter().enumerate() {
            assignments[u] = Some(themes[row]);
            similarity[u] = sims[row];
        }
        (assignments, similarity)
    }
}

/// Calls `f` on the rows `keep` (ascending) of `x` as one contiguous view, without copying the
/// matrix (a copy would double its memory): the kept rows are moved up in place and moved back
/// after, the rows left out (units under `cluster.min_known_terms`, few) set aside meanwhile and
/// put back as they were.
pub fn with_rows<T>(
    x: &mut Array2<f32>,
    keep: &[usize],
    f: impl FnOnce(ArrayView2<f32>) -> T,
) -> T {
    if keep.len() == x.nrows() {
        return f(x.view());
    }
    let (n, d) = x.dim();
    let mut kept = keep.iter().peekable();
    let left_out: Vec<usize> = (0..n).filter(|&i| kept.next_if_eq(&&i).is_none()).collect();
    let data = x
        .as_slice_mut()
        .expect("the reduced matrix is in standard layout");
    let set_aside: Vec<f32> = left_out
        .iter()
        .flat_map(|&i| &data[i * d..(i + 1) * d])
        .copied()
        .collect();
    for (dst, &src) in keep.iter().enumerate() {
        if dst != src {
            data.copy_within(src * d..(src + 1) * d, dst * d);
        }
    }
    let out = f(x.slice(ndarray::s![..keep.len(), ..]));
    let data = x
        .as_slice_mut()
        .expect("the reduced matrix is in standard layout");
    for (dst, &src) in keep.iter().enumerate().rev() {
        if dst != src {
            data.copy_within(dst * d..(dst + 1) * d, src * d);
        }
    }
    for (&i, row) in left_out.iter().zip(set_aside.chunks_exact(d.max(1))) {
        data[i * d..(i + 1) * d].copy_from_slice(row);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Check;

    #[test]
    fn with_rows_shows_the_kept_rows_and_puts_every_row_back() {
        let x0 = Array2::from_shape_fn((6, 3), |(i, j)| (10 * i + j) as f32);
        let mut x = x0.clone();
        let keep = [1, 2, 4];
        let seen = with_rows(&mut x, &keep, |v| v.to_owned());
        assert_eq!(seen, x0.select(ndarray::Axis(0), &keep));
        // Rows left out are not zero rows here (as with cluster.min_known_terms > 1): each
        // comes back as it was.
        assert_eq!(x, x0);
        let all = with_rows(&mut x, &[0, 1, 2, 3, 4, 5], |v| v.to_owned());
        assert_eq!(all, x0);
    }
    use crate::config::KRange;
    use ndarray::array;

    fn blobs() -> Array2<f32> {
        // Three well separated directions on the unit circle, 20 points each.
        let mut rows = Vec::new();
        for (c, angle) in [0.0f64, 2.1, 4.2].iter().enumerate() {
            for i in 0..(20 + c) {
                let a = angle + (i as f64 - 10.0) * 0.01;
                rows.push([a.cos() as f32, a.sin() as f32]);
            }
        }
        Array2::from_shape_vec((rows.len(), 2), rows.concat()).unwrap()
    }

    #[test]
    fn nearest_centres_are_linfas_predict() {
        // Random rows of 21 columns (two whole lane groups and a tail).
        let mut rng = Xoshiro256Plus::seed_from_u64(4);
        let x = Array2::from_shape_fn((5000, 21), |_| rng.gen_range(-1.0f32..1.0));
        let centres = x.select(Axis(0), &[3, 9, 27, 81, 243, 729]);
        let model = KMeans::params_with(6, rng, LanesL2)
            .max_n_iterations(1)
            .init_method(KMeansInit::Precomputed(centres))
            .fit(&DatasetBase::from(x.clone()))
            .unwrap();
        let ours = nearest_centres(&model, x.view());
        assert_eq!(ours, model.predict(&x).to_vec());
        assert!((0..6).all(|c| ours.contains(&c)));
        // Two centres at the same point: the first wins, as in linfa.
        let mut labels = [9; 2];
        nearest_in_chunk(
            &[1.0, 0.0, 0.0, 1.0],
            &[0.0, 1.0, 1.0, 0.0, 1.0, 0.0],
            2,
            &mut labels,
        );
        assert_eq!(labels, [1, 0]);
    }

    #[test]
    fn finds_planted_clusters_numbered_by_size() {
        let x = blobs();
        let params = ClusterParams {
            k: KChoice::Fixed(3),
            ..ClusterParams::default()
        }
        .check()
        .unwrap();
        let c = cluster(x.view(), &params, None).unwrap();
        let sizes = c.assignments.iter().fold(vec![0; 3], |mut s, &a| {
            s[a] += 1;
            s
        });
        assert_eq!(sizes, [22, 21, 20]);
        assert!(c.similarity.iter().all(|&s| s > 0.99));
    }

    #[test]
    fn auto_k_picks_the_planted_number() {
        let params = ClusterParams {
            k: KChoice::Auto,
            k_range: KRange { min: 2, max: 6 },
            ..ClusterParams::default()
        }
        .check()
        .unwrap();
        let c = cluster(blobs().view(), &params, None).unwrap();
        assert_eq!(c.k, 3);
        assert_eq!(c.scan.len(), 5);
    }

    #[test]
    fn guides_are_the_first_centres_and_the_rest_come_from_the_data() {
        let x = blobs();
        let guides = array![[1.0f32, 0.0], [0.0, 1.0]];
        let mut rng = Xoshiro256Plus::seed_from_u64(7);
        let (start, _) = start_centres(x.view(), 3, &mut rng, Some(guides.view()));
        assert_eq!(start.slice(ndarray::s![..2, ..]), guides);
        assert!(x.rows().into_iter().any(|r| r == start.row(2)));
        // Guided themes are fitted: the centres move to the data.
        let params = ClusterParams {
            k: KChoice::Fixed(3),
            ..ClusterParams::default()
        }
        .check()
        .unwrap();
        let c = cluster(x.view(), &params, Some(guides.view())).unwrap();
        assert_eq!(c.k, 3);
        assert_eq!(
            c.themes
                .assign(x.view())
                .iter()
                .collect::<std::collections::BTreeSet<_>>()
                .len(),
            3
        );
    }

    #[test]
    fn the_one_standard_error_rule_takes_the_smallest_k_near_the_best() {
        let score = |k, silhouette, silhouette_se| KScore {
            k,
            silhouette,
            silhouette_se,
            inertia: 0.0,
        };
        let rising = [
            score(5, 0.030, 0.004),
            score(6, 0.036, 0.004),
            score(7, 0.037, 0.004),
            score(8, 0.039, 0.004),
        ];
        assert_eq!(choose_k(&rising).map(|s| s.k), Some(6));
        let sharp = [
            score(5, 0.03, 0.001),
            score(6, 0.10, 0.001),
            score(7, 0.05, 0.001),
        ];
        assert_eq!(choose_k(&sharp).map(|s| s.k), Some(6));
        // A steady rise with tiny errors (laws' scan): the knee, not the top of the range.
        let laws = [
            0.032, 0.034, 0.036, 0.037, 0.040, 0.044, 0.048, 0.051, 0.053, 0.051, 0.052, 0.053,
            0.057, 0.063, 0.061, 0.068, 0.069, 0.072, 0.074, 0.077, 0.079, 0.080, 0.082, 0.083,
            0.084, 0.086,
        ];
        let scan: Vec<KScore> = (5..).zip(laws).map(|(k, s)| score(k, s, 0.001)).collect();
        let k = choose_k(&scan).map(|s| s.k).unwrap();
        assert!((10..30).contains(&k), "{k}");
        // A straight line has no knee: the top stays.
        let line: Vec<KScore> = (5..12).map(|k| score(k, 0.01 * k as f64, 0.0001)).collect();
        assert_eq!(choose_k(&line).map(|s| s.k), Some(11));
    }

    #[test]
    fn minibatch_path_recovers_the_clusters_too() {
        let params = ClusterParams {
            k: KChoice::Fixed(3),
            minibatch_above: 10,
            batch_size: 16,
            ..ClusterParams::default()
        }
        .check()
        .unwrap();
        let c = cluster(blobs().view(), &params, None).unwrap();
        assert_eq!(c.method, Method::MiniBatch);
        assert!(c.similarity.iter().all(|&s| s > 0.99), "{:?}", c.similarity);
    }

    #[test]
    fn lanes_distance_is_the_squared_euclidean_distance() {
        for len in [0, 3, 8, 100, 101] {
            let a: Vec<f32> = (0..len).map(|i| (i as f32 * 0.37).sin()).collect();
            let b: Vec<f32> = (0..len).map(|i| (i as f32 * 0.11).cos()).collect();
            let exact: f64 = a
                .iter()
                .zip(&b)
                .map(|(&x, &y)| (f64::from(x) - f64::from(y)).powi(2))
                .sum();
            let got = LanesL2.rdistance(
                ArrayView1::from(a.as_slice()),
                ArrayView1::from(b.as_slice()),
            );
            assert!(
                (f64::from(got) - exact).abs() < 1e-5 * (1.0 + exact),
                "{len}: {got} vs {exact}"
            );
            // A strided view takes the plain path and agrees.
            let strided =
                ndarray::Array2::from_shape_fn((len, 2), |(i, j)| if j == 0 { a[i] } else { 0.0 });
            let plain = LanesL2.rdistance(strided.column(0), ArrayView1::from(b.as_slice()));
            assert!(
                (plain - got).abs() < 1e-4 * (1.0 + got),
                "{len}: {plain} vs {got}"
            );
        }
    }

    #[test]
    fn more_themes_than_units_is_an_error() {
        let x = array![[1.0f32, 0.0], [0.0, 1.0]];
        let params = ClusterParams {
            k: KChoice::Fixed(3),
            ..ClusterParams::default()
        }
        .check()
        .unwrap();
        assert!(matches!(
            cluster(x.view(), &params, None),
            Err(Error::TooFewUnits { k: 3, units: 2 })
        ));
    }

    /// Merged themes: one theme fewer, the units of both, the centre their clusters' mean, and
    /// the model assigns new rows to the merged theme.
    #[test]
    fn merging_themes_folds_their_units_and_centres() {
        let x = blobs();
        let params = ClusterParams {
            k: KChoice::Fixed(3),
            ..ClusterParams::default()
        }
        .check()
        .unwrap();
        let fitted = cluster(x.view(), &params, None).unwrap();
        let sizes = |c: &Clustering| {
            (0..c.k)
                .map(|t| c.assignments.iter().filter(|&&a| a == t).count())
                .collect::<Vec<_>>()
        };
        assert_eq!(sizes(&fitted), [22, 21, 20]);
        let together: Vec<bool> = fitted.assignments.iter().map(|&t| t != 0).collect();
        let mean = (&fitted.centroids.row(1) + &fitted.centroids.row(2)) / 2.0;
        let merged = fitted.clone().merge(x.view(), &[vec![1, 2]]);
        assert_eq!(merged.k, 2);
        assert_eq!(sizes(&merged), [41, 22]);
        let now: Vec<bool> = merged.assignments.iter().map(|&t| t == 0).collect();
        assert_eq!(now, together);
        assert_eq!(merged.centroids.row(0), mean);
        assert_eq!(merged.themes.len(), 2);
        assert_eq!(merged.themes.assign(x.view()), merged.assignments);
    }
}
