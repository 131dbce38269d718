//! The distance kernels k-means spends its time in: squared Euclidean distance in eight fixed
//! lanes (so the sum never depends on threads), nearest centres by chunks of rows, cosine and
//! dot products; compiled for AVX2 where the CPU has it, with the same bits as the baseline.

use linfa::traits::Predict;
use linfa_clustering::KMeans;
use linfa_nn::distance::Distance;
use multiversion::multiversion;
use ndarray::{ArrayView, ArrayView1, ArrayView2, Dimension};
use rayon::prelude::*;
use serde::Serialize;

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
pub(super) fn lanes_squared_distance(a: &[f32], b: &[f32]) -> f32 {
    lanes_squared_distance_simd(a, b)
}

/// [`lanes_squared_distance_baseline`] compiled for AVX2.
#[multiversion(targets("x86_64+avx2"))]
pub(super) fn lanes_squared_distance_simd(a: &[f32], b: &[f32]) -> f32 {
    lanes_squared_distance_baseline(a, b)
}

/// The body of [`lanes_squared_distance`].
#[inline(always)]
pub(super) fn lanes_squared_distance_baseline(a: &[f32], b: &[f32]) -> f32 {
    lanes_sum(a, b, |x, y| (x - y) * (x - y))
}

/// Σ term(aᵢ, bᵢ) over slices of equal length, in eight running sums added at the end: one
/// running sum is a chain of dependent additions the CPU cannot overlap, eight vectorise. The
/// lanes are fixed, so the result depends on neither the thread count nor the SIMD width.
#[inline(always)]
pub(super) fn lanes_sum<T>(a: &[f32], b: &[f32], term: impl Fn(f32, f32) -> T) -> T
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
pub(super) const NEAREST_CHUNK: usize = 2048;

/// The nearest centre of each row, exactly as linfa's `predict` finds it with [`LanesL2`] (the
/// same distances in the same order, the first of equal ones kept), with the distance loop
/// compiled for AVX2 once per chunk of rows rather than dispatched for each of the n × k
/// distances (laws, 312,184 rows × 30 centres: 36 ms against `predict`'s 47).
pub(super) fn nearest_centres(model: &KMeans<f32, LanesL2>, x: ArrayView2<f32>) -> Vec<usize> {
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
        .for_each(|(labels, rows)| nearest_in_chunk_simd(rows, centres, d, labels));
    labels
}

/// The body of [`nearest_centres`] for one chunk of rows (linfa's `closest_centroid`: the first
/// of equal distances wins).
#[inline(always)]
pub(super) fn nearest_in_chunk(rows: &[f32], centres: &[f32], d: usize, labels: &mut [usize]) {
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

/// [`nearest_in_chunk`] compiled for AVX2 too and chosen at run time by multiversion (same bits: no FMA).
#[multiversion(targets("x86_64+avx2"))]
pub(super) fn nearest_in_chunk_simd(rows: &[f32], centres: &[f32], d: usize, labels: &mut [usize]) {
    nearest_in_chunk(rows, centres, d, labels)
}

/// The cosine of a unit-length row to a centre of length `norm` (0 for a zero centre).
pub(super) fn cosine(row: ArrayView1<f32>, centre: ArrayView1<f32>, norm: f64) -> f64 {
    if norm > 0.0 {
        dot(row, centre) / norm
    } else {
        0.0
    }
}

/// Σ term(aᵢ, bᵢ) over two f32 rows, in f64 ([`lanes_sum`] when both rows are contiguous).
#[inline(always)]
pub(super) fn lanes_sum_f64(
    a: ArrayView1<f32>,
    b: ArrayView1<f32>,
    term: impl Fn(f64, f64) -> f64,
) -> f64 {
    let term = |x: f32, y: f32| term(f64::from(x), f64::from(y));
    match (a.as_slice(), b.as_slice()) {
        (Some(a), Some(b)) => lanes_sum(a, b, term),
        _ => a.iter().zip(b).map(|(&x, &y)| term(x, y)).sum(),
    }
}

/// The dot product of two f32 rows, summed in f64.
pub(super) fn dot(a: ArrayView1<f32>, b: ArrayView1<f32>) -> f64 {
    lanes_sum_f64(a, b, |x, y| x * y)
}

/// The squared Euclidean distance between two f32 rows, summed in f64.
#[inline(always)]
pub(super) fn squared_distance(a: ArrayView1<f32>, b: ArrayView1<f32>) -> f64 {
    lanes_sum_f64(a, b, |x, y| (x - y) * (x - y))
}

/// Squared distances (in f64) of rows `first..` of `x` to the rows `centres`, into `out` (one
/// row of `centres.len()` per row of `x`, as many as `out` holds).
#[inline(always)]
pub(super) fn distances_from(x: ArrayView2<f32>, first: usize, centres: &[usize], out: &mut [f64]) {
    for (r, row) in out.chunks_mut(centres.len()).enumerate() {
        for (o, &c) in row.iter_mut().zip(centres) {
            *o = squared_distance(x.row(first + r), x.row(c));
        }
    }
}

/// [`distances_from`] compiled for AVX2 too and chosen at run time by multiversion (same bits: no FMA), once per chunk of rows.
#[multiversion(targets("x86_64+avx2"))]
pub(super) fn distances_from_simd(
    x: ArrayView2<f32>,
    first: usize,
    centres: &[usize],
    out: &mut [f64],
) {
    distances_from(x, first, centres, out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    /// The same-output-anywhere promise: the AVX2 builds of the k-means kernels (chosen at run
    /// time where the CPU has it) give the baseline build's bits (no FMA, the same lanes).
    #[test]
    fn simd_kernels_give_the_baseline_bits() {
        #[cfg(target_arch = "x86_64")]
        if !std::is_x86_feature_detected!("avx2") {
            eprintln!("no AVX2 on this CPU: both sides run the baseline");
        }
        let d = 23;
        let rows: Vec<f32> = (0..37 * d as u64)
            .map(|i| (i * 2_654_435_761 % 1000) as f32 / 499.5 - 1.0)
            .collect();
        for (a, b) in rows.chunks_exact(d).zip(rows.chunks_exact(d).skip(1)) {
            assert_eq!(
                lanes_squared_distance(a, b).to_bits(),
                lanes_squared_distance_baseline(a, b).to_bits()
            );
        }
        let centres = &rows[..5 * d];
        let (mut simd, mut base) = (vec![0; 37], vec![0; 37]);
        nearest_in_chunk_simd(&rows, centres, d, &mut simd);
        nearest_in_chunk(&rows, centres, d, &mut base);
        assert_eq!(simd, base);
        let x = Array2::from_shape_vec((37, d), rows.clone()).expect("37 rows of d");
        let centres = [0, 5, 11];
        let (mut simd, mut base) = (vec![0.0; 30 * 3], vec![0.0; 30 * 3]);
        distances_from_simd(x.view(), 2, &centres, &mut simd);
        distances_from(x.view(), 2, &centres, &mut base);
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&simd), bits(&base));
    }
}
