//! Stage 4b: the sparse TF-IDF matrix → a small dense matrix by LSA (truncated SVD), rows
//! L2-normalised, on which k-means runs.
//!
//! The SVD is randomized (Halko, Martinsson & Tropp 2011, algorithms 4.4 and 5.1, in the
//! subspace-iteration form on AᵀA): a seeded random start Z (terms × l, l = dims + oversampling),
//! `q + 1` products Z ← orth(AᵀA·Z), then Rayleigh–Ritz on the l × l matrix Zᵀ(AᵀA)Z. The
//! products are fused ([`gram_times`]) and run in parallel with rayon over fixed panels of
//! columns, each summed over the rows in order, so results do not depend on the thread count;
//! the power iterations form nothing of size units × l. Rayleigh–Ritz forms AZ once (f32), and the reduced rows are AZ
//! times the small matrix of Ritz vectors, written over AZ's own buffer. The small dense steps
//! use faer, run sequentially for the same reason.
//! Orthonormalisation is CholeskyQR2 (two rounds of Gram matrix + Cholesky), falling back to
//! Householder QR when the Gram matrix is singular.
//!
//! The fitted [`Lsa`] keeps V (terms × dims): a document's reduced row is its TF-IDF row times V,
//! for the corpus and for new documents alike.

use crate::config::ReduceParams;
use crate::error::{Error, Result};
use crate::tfidf::TfidfMatrix;
use ndarray::Array2;
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256Plus;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Rows per parallel chunk when summing Gram matrices (fixed, for determinism).
const GRAM_CHUNK: usize = 4096;

/// A fitted LSA projection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lsa {
    /// Right singular vectors V, terms × dims, row-major.
    pub components: Vec<f64>,
    /// Number of terms (rows of V).
    pub n_terms: usize,
    /// Number of dimensions (columns of V).
    pub dims: usize,
    /// Singular values, largest first.
    pub singular_values: Vec<f64>,
    /// Share of the TF-IDF matrix's total variance along each dimension (scikit-learn's
    /// `explained_variance_ratio_`).
    pub explained_variance_ratio: Vec<f64>,
}

impl Lsa {
    /// The reduced rows of `matrix` (documents × dims), each scaled to unit length.
    pub fn transform(&self, matrix: &TfidfMatrix) -> Array2<f32> {
        let mut x = self.project(matrix);
        normalize_rows(&mut x);
        x
    }

    /// A · V, not normalised.
    fn project(&self, matrix: &TfidfMatrix) -> Array2<f32> {
        let data = sparse_times_dense(matrix, &self.components, self.dims);
        Array2::from_shape_vec((matrix.rows(), self.dims), data).expect("rows × dims")
    }

    /// Total explained variance ratio.
    pub fn explained_variance(&self) -> f64 {
        self.explained_variance_ratio.iter().sum()
    }
}

/// Scales each row to unit Euclidean length (the length summed in f64); zero rows stay zero.
pub fn normalize_rows(x: &mut Array2<f32>) {
    x.axis_iter_mut(ndarray::Axis(0))
        .into_par_iter()
        .for_each(|mut row| normalize_row(row.as_slice_mut().expect("a row of a standard layout")));
}

/// Scales one row to unit Euclidean length (the length summed in f64); a zero row stays zero.
fn normalize_row(row: &mut [f32]) {
    let norm = row
        .iter()
        .map(|&v| f64::from(v) * f64::from(v))
        .sum::<f64>()
        .sqrt();
    if norm > 0.0 {
        row.iter_mut()
            .for_each(|v| *v = (f64::from(*v) / norm) as f32);
    }
}

/// A (CSR, n × m) times D (m × l, row-major) → n × l row-major, parallel over rows. Each row is
/// summed in f64 and stored in f32: the reduced matrix is the largest array of a run, and k-means
/// on unit-length rows needs no more than f32's seven digits.
fn sparse_times_dense(a: &TfidfMatrix, d: &[f64], l: usize) -> Vec<f32> {
    let mut out = vec![0.0; a.rows() * l];
    // Rows in chunks of 256, so the AVX2 check and the task overhead are paid per chunk.
    out.par_chunks_mut(256 * l.max(1))
        .enumerate()
        .for_each(|(c, rows)| {
            rows_times_dense_fastest(a, d, l, c * 256, rows);
        });
    out
}

/// [`rows_times_dense`], compiled for AVX2 when the CPU has it.
fn rows_times_dense_fastest<T: Scalar>(
    a: &TfidfMatrix,
    d: &[f64],
    l: usize,
    first: usize,
    out: &mut [T],
) {
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2, checked just above.
        return unsafe { rows_times_dense_avx2(a, d, l, first, out) };
    }
    rows_times_dense(a, d, l, first, out)
}

/// Rows `first..` of A times D into `out` (as many rows as `out` holds), each row summed in f64.
#[inline(always)]
fn rows_times_dense<T: Scalar>(a: &TfidfMatrix, d: &[f64], l: usize, first: usize, out: &mut [T]) {
    let mut sum = vec![0.0f64; l];
    for (k, row) in out.chunks_mut(l.max(1)).enumerate() {
        sum.fill(0.0);
        if let Some(v) = a.outer_view(first + k) {
            for (j, &x) in v.iter() {
                sum.iter_mut()
                    .zip(&d[j * l..(j + 1) * l])
                    .for_each(|(r, &y)| *r += x * y);
            }
        }
        row.iter_mut().zip(&sum).for_each(|(o, &v)| *o = T::of(v));
    }
}

/// [`rows_times_dense`] compiled for AVX2 (same bits as the baseline build: no FMA).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn rows_times_dense_avx2<T: Scalar>(
    a: &TfidfMatrix,
    d: &[f64],
    l: usize,
    first: usize,
    out: &mut [T],
) {
    rows_times_dense(a, d, l, first, out)
}

/// YᵀY for Y (rows × l, row-major), summed over fixed row chunks in order.
fn gram(y: &[f64], l: usize) -> Vec<f64> {
    sum_in_order(
        y.par_chunks(GRAM_CHUNK * l)
            .map(|chunk| chunk_gram(chunk, l))
            .collect(),
        l * l,
    )
}

/// YᵀY for one chunk of rows (row-major, so its slice is Yᵀ column-major), by faer's matrix
/// product on one thread.
fn chunk_gram(chunk: &[f64], l: usize) -> Vec<f64> {
    let yt = faer::MatRef::from_column_major_slice(chunk, l, chunk.len() / l);
    let g = yt * yt.transpose();
    (0..l * l).map(|k| g[(k / l, k % l)]).collect()
}

/// The element-wise sum of `parts` (each of length `len`), in their order.
fn sum_in_order(parts: Vec<Vec<f64>>, len: usize) -> Vec<f64> {
    let mut total = vec![0.0; len];
    for p in parts {
        total.iter_mut().zip(p).for_each(|(x, y)| *x += y);
    }
    total
}

/// Y = AZ (n × l, row-major, stored in f32) and Zᵀ(AᵀA)Z = YᵀY (l × l) for Z (m × l,
/// row-major): each fixed chunk of rows of A gives its rows of Y, summed in f64, and their Gram
/// matrix in f64; the Gram matrices are summed in chunk order.
fn projected_gram(a: &TfidfMatrix, z: &[f64], l: usize) -> (Vec<f32>, Vec<f64>) {
    let mut y32 = vec![0.0f32; a.rows() * l];
    let parts = y32
        .par_chunks_mut(GRAM_CHUNK * l)
        .enumerate()
        .map(|(c, out)| {
            let first = c * GRAM_CHUNK;
            let mut y = vec![0.0f64; out.len()];
            rows_times_dense_fastest(a, z, l, first, &mut y);
            out.iter_mut().zip(&y).for_each(|(o, &v)| *o = v as f32);
            chunk_gram(&y, l)
        })
        .collect();
    (y32, sum_in_order(parts, l * l))
}

/// Chunks of rows computed at once by [`reduced_rows`]: what it holds beside AZ (8 × 4,096 rows).
const CHUNKS_PER_WAVE: usize = 8;

/// The reduced rows from Y = AZ (n × l, row-major) and W (l × dims, row-major): X = YW, written
/// over Y's own buffer (row r of X lies at or before row r of Y, so a chunk's output only covers
/// rows of chunks already done), then each row scaled to unit length. Chunks are computed in
/// parallel a wave at a time. Also returns, per column, Σx and Σx² of X before scaling (in f64,
/// summed in chunk order): the explained variance. The reduced matrix, the largest array of a
/// run, never exists beside AZ.
fn reduced_rows(mut y: Vec<f32>, l: usize, w: &[f32], dims: usize) -> ReducedRows {
    let n = y.len() / l;
    let wt = faer::MatRef::from_column_major_slice(w, dims, l);
    let firsts: Vec<usize> = (0..n).step_by(GRAM_CHUNK).collect();
    let mut sums = vec![0.0f64; dims];
    let mut squares = vec![0.0f64; dims];
    for wave in firsts.chunks(CHUNKS_PER_WAVE) {
        let done: Vec<(Vec<f32>, Vec<f64>, Vec<f64>)> = wave
            .par_iter()
            .map(|&first| {
                let rows = GRAM_CHUNK.min(n - first);
                let mut x = vec![0.0f32; rows * dims];
                // Row-major chunks are column-major transposes: Xᵀ = Wᵀ Yᵀ.
                let yt = faer::MatRef::from_column_major_slice(
                    &y[first * l..(first + rows) * l],
                    l,
                    rows,
                );
                faer::linalg::matmul::matmul(
                    faer::MatMut::from_column_major_slice_mut(&mut x, dims, rows),
                    faer::Accum::Replace,
                    wt,
                    yt,
                    1.0,
                    faer::Par::Seq,
                );
                let mut sums = vec![0.0f64; dims];
                let mut squares = vec![0.0f64; dims];
                for row in x.chunks_exact_mut(dims) {
                    for ((s, q), &v) in sums.iter_mut().zip(squares.iter_mut()).zip(row.iter()) {
                        *s += f64::from(v);
                        *q += f64::from(v) * f64::from(v);
                    }
                    normalize_row(row);
                }
                (x, sums, squares)
            })
            .collect();
        for (&first, (x, chunk_sums, chunk_squares)) in wave.iter().zip(done) {
            y[first * dims..first * dims + x.len()].copy_from_slice(&x);
            sums.iter_mut().zip(chunk_sums).for_each(|(a, b)| *a += b);
            squares
                .iter_mut()
                .zip(chunk_squares)
                .for_each(|(a, b)| *a += b);
        }
    }
    y.truncate(n * dims);
    y.shrink_to_fit();
    ReducedRows {
        rows: Array2::from_shape_vec((n, dims), y).expect("rows × dims"),
        sums,
        squares,
    }
}

/// What [`reduced_rows`] returns.
struct ReducedRows {
    /// The reduced rows, each of unit length (or zero).
    rows: Array2<f32>,
    /// Per column, Σx over the rows before scaling.
    sums: Vec<f64>,
    /// Per column, Σx² over the rows before scaling.
    squares: Vec<f64>,
}

/// Orthonormalises the columns of Y (rows × l, row-major) in place.
fn orthonormalize(y: &mut [f64], l: usize) {
    for _ in 0..2 {
        if !cholesky_qr_step(y, l) {
            householder_qr(y, l);
            return;
        }
    }
}

/// One CholeskyQR round: G = YᵀY = LLᵀ, Y ← Y L⁻ᵀ. Returns false if G is not positive definite.
fn cholesky_qr_step(y: &mut [f64], l: usize) -> bool {
    let g = gram(y, l);
    let gm = faer::Mat::<f64>::from_fn(l, l, |i, j| g[i * l + j]);
    let Ok(llt) = gm.llt(faer::Side::Lower) else {
        return false;
    };
    let lower = llt.L();
    let diag_min = (0..l).map(|i| lower[(i, i)]).fold(f64::INFINITY, f64::min);
    let diag_max = (0..l).map(|i| lower[(i, i)]).fold(0.0, f64::max);
    // Also false for NaN: a Gram matrix that is not clearly positive definite falls back.
    if diag_min.partial_cmp(&(diag_max * 1e-7)) != Some(std::cmp::Ordering::Greater) {
        return false;
    }
    // Y L⁻ᵀ = (L⁻¹ Yᵀ)ᵀ, and a chunk of rows of Y (row-major) is a block of columns of Yᵀ
    // (column-major): faer solves each block in place, the blocks in parallel.
    y.par_chunks_mut(GRAM_CHUNK * l).for_each(|chunk| {
        let cols = chunk.len() / l;
        let yt = faer::MatMut::from_column_major_slice_mut(chunk, l, cols);
        faer::linalg::triangular_solve::solve_lower_triangular_in_place(lower, yt, faer::Par::Seq);
    });
    true
}

/// Householder thin QR with faer (sequential), replacing Y by Q.
fn householder_qr(y: &mut [f64], l: usize) {
    let rows = y.len() / l;
    let m = faer::Mat::<f64>::from_fn(rows, l, |i, j| y[i * l + j]);
    let q = m.qr().compute_thin_Q();
    for i in 0..rows {
        for j in 0..l {
            y[i * l + j] = if j < q.ncols() { q[(i, j)] } else { 0.0 };
        }
    }
}

/// The element type of a sparse × dense product's output: f32 for the reduced rows of new
/// documents (k-means needs no more than f32's seven digits); f64 for the Rayleigh–Ritz step,
/// whose precision the singular values inherit.
trait Scalar:
    Copy + Default + Send + Sync + std::ops::AddAssign + std::ops::Mul<Output = Self>
{
    fn of(x: f64) -> Self;
}

impl Scalar for f32 {
    fn of(x: f64) -> Self {
        x as f32
    }
}

impl Scalar for f64 {
    fn of(x: f64) -> Self {
        x
    }
}

/// Columns of Z per panel of the fused AᵀA·Z product: two AVX2 registers of f32.
const PANEL: usize = 16;

/// AᵀA·Z for Z (m × l, row-major) without forming AZ (n × l), in f32 (the power iterations only
/// need to find the subspace): Z is cut into panels of [`PANEL`] columns, and each panel, on
/// one thread, runs over every row of A accumulating aᵢᵀ(aᵢZₚ). A panel's Z and accumulator
/// (terms × 16) stay in cache where the whole of Z and AᵀA·Z (terms × l) do not; each output
/// entry is one running sum over the rows in order, so nothing depends on the thread count.
fn gram_times(a: &TfidfMatrix, z: &[f64], l: usize) -> Vec<f64> {
    let m = a.cols();
    let panels: Vec<Vec<[f32; PANEL]>> = (0..l.div_ceil(PANEL))
        .into_par_iter()
        .map(|p| {
            let columns = p * PANEL..((p + 1) * PANEL).min(l);
            // The panel of Z, zero-padded to PANEL columns.
            let zp: Vec<[f32; PANEL]> = (0..m)
                .map(|j| {
                    let mut row = [0.0f32; PANEL];
                    row.iter_mut()
                        .zip(&z[j * l + columns.start..j * l + columns.end])
                        .for_each(|(o, &v)| *o = v as f32);
                    row
                })
                .collect();
            let mut acc = vec![[0.0f32; PANEL]; m];
            #[cfg(target_arch = "x86_64")]
            if std::is_x86_feature_detected!("avx2") {
                // SAFETY: the CPU has AVX2, checked just above.
                unsafe { accumulate_panel_avx2(a, &zp, &mut acc) };
                return acc;
            }
            accumulate_panel(a, &zp, &mut acc);
            acc
        })
        .collect();
    let mut out = vec![0.0f64; m * l];
    out.par_chunks_mut(l.max(1))
        .enumerate()
        .for_each(|(j, row)| {
            for (p, cells) in row.chunks_mut(PANEL).enumerate() {
                cells
                    .iter_mut()
                    .zip(&panels[p][j])
                    .for_each(|(o, &v)| *o = f64::from(v));
            }
        });
    out
}

/// Adds aᵢᵀ(aᵢZₚ) for every row aᵢ of A into `acc` (terms × PANEL).
#[inline(always)]
fn accumulate_panel(a: &TfidfMatrix, zp: &[[f32; PANEL]], acc: &mut [[f32; PANEL]]) {
    for row in a.outer_iterator() {
        let mut y = [0.0f32; PANEL];
        for (j, &x) in row.iter() {
            let x = x as f32;
            y.iter_mut().zip(&zp[j]).for_each(|(v, &zj)| *v += x * zj);
        }
        for (j, &x) in row.iter() {
            let x = x as f32;
            acc[j].iter_mut().zip(&y).for_each(|(o, &v)| *o += x * v);
        }
    }
}

/// [`accumulate_panel`] compiled for AVX2: twice the SIMD lanes of the x86-64 baseline. Without
/// FMA the vectorised loops multiply then add element by element, exactly as the baseline build
/// does, so the results are the same bits on any x86-64 CPU.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn accumulate_panel_avx2(a: &TfidfMatrix, zp: &[[f32; PANEL]], acc: &mut [[f32; PANEL]]) {
    accumulate_panel(a, zp, acc)
}

/// Fits LSA on `matrix` and returns it with the reduced, row-normalised corpus.
///
/// Subspace iteration on AᵀA from a seeded random start, `power_iterations + 1` fused products
/// each followed by orthonormalisation on the small (terms × l) side, then Rayleigh–Ritz: the
/// eigenvectors W of the l × l matrix Zᵀ(AᵀA)Z give V = ZW and the singular values as the square
/// roots of its eigenvalues; the reduced rows are A V = (AZ) W. The one array of size units × l
/// is AZ, which becomes the result.
pub fn fit(matrix: &TfidfMatrix, params: &ReduceParams, seed: u64) -> Result<(Lsa, Array2<f32>)> {
    faer::set_global_parallelism(faer::Par::Seq);
    let (n, m) = (matrix.rows(), matrix.cols());
    let smaller = n.min(m);
    if smaller == 0 {
        return Err(Error::Reduce("the TF-IDF matrix is empty".to_string()));
    }
    let dims = params.dims.min(smaller.saturating_sub(1)).max(1);
    let l = (dims + params.oversample).min(smaller).max(dims);
    let mut rng = Xoshiro256Plus::seed_from_u64(seed ^ 0x15A_5EED);
    let mut z: Vec<f64> = (0..m * l).map(|_| rng.gen_range(-1.0..1.0)).collect();
    orthonormalize(&mut z, l);
    for _ in 0..=params.power_iterations {
        z = gram_times(matrix, &z, l);
        orthonormalize(&mut z, l);
    }
    // Rayleigh–Ritz: G = Zᵀ AᵀA Z = (AZ)ᵀ(AZ) = W Λ Wᵀ; V = ZW, and the reduced rows are
    // A V = (AZ) W. The power iterations' buffers are freed but still resident in the heap:
    // hand them back before AZ, the largest array of the run, is written.
    crate::pipeline::release_free_memory();
    let (az, g) = projected_gram(matrix, &z, l);
    let g = faer::Mat::<f64>::from_fn(l, l, |a, b| 0.5 * (g[a * l + b] + g[b * l + a]));
    let eig = g
        .self_adjoint_eigen(faer::Side::Lower)
        .map_err(|e| Error::Reduce(format!("{e:?}")))?;
    let (w, lambda) = (eig.U(), eig.S());
    let mut order: Vec<usize> = (0..l).collect();
    order.sort_by(|&x, &y| lambda[y].total_cmp(&lambda[x]).then(x.cmp(&y)));
    order.truncate(dims);
    let mut w_top = faer::Mat::<f64>::from_fn(l, dims, |a, c| w[(a, order[c])]);
    let mut components = vec![0.0f64; m * dims];
    faer::linalg::matmul::matmul(
        faer::MatMut::from_row_major_slice_mut(&mut components, m, dims),
        faer::Accum::Replace,
        faer::MatRef::from_row_major_slice(&z, m, l),
        w_top.as_ref(),
        1.0,
        faer::Par::Seq,
    );
    drop(z);
    // Fix each vector's sign: its largest entry is positive (stable across library versions).
    for c in 0..dims {
        let (mut best, mut sign) = (0.0f64, 1.0);
        for j in 0..m {
            let v = components[j * dims + c];
            if v.abs() > best {
                best = v.abs();
                sign = v.signum();
            }
        }
        if sign < 0.0 {
            (0..m).for_each(|j| components[j * dims + c] = -components[j * dims + c]);
            (0..l).for_each(|a| w_top[(a, c)] = -w_top[(a, c)]);
        }
    }
    let singular_values: Vec<f64> = order.iter().map(|&e| lambda[e].max(0.0).sqrt()).collect();
    let w32: Vec<f32> = (0..l * dims)
        .map(|k| w_top[(k / dims, k % dims)] as f32)
        .collect();
    let reduced = reduced_rows(az, l, &w32, dims);
    let explained_variance_ratio = explained_variance_ratio(matrix, &reduced);
    let x = reduced.rows;
    let lsa = Lsa {
        components,
        n_terms: m,
        dims,
        singular_values,
        explained_variance_ratio,
    };
    Ok((lsa, x))
}

/// Variance of each reduced column over the total variance of the columns of `a`.
fn explained_variance_ratio(a: &TfidfMatrix, reduced: &ReducedRows) -> Vec<f64> {
    let n = a.rows() as f64;
    let mut sum = vec![0.0; a.cols()];
    let mut sum_sq = 0.0;
    for (&j, &v) in a.indices().iter().zip(a.data()) {
        sum[j as usize] += v;
        sum_sq += v * v;
    }
    let total = sum_sq / n - sum.iter().map(|s| (s / n) * (s / n)).sum::<f64>();
    reduced
        .sums
        .iter()
        .zip(&reduced.squares)
        .map(|(s, q)| {
            let var = q / n - (s / n) * (s / n);
            if total > 0.0 { var / total } else { 0.0 }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn random_sparse(n: usize, m: usize, seed: u64) -> TfidfMatrix {
        let mut rng = Xoshiro256Plus::seed_from_u64(seed);
        let mut tri = sprs::TriMatI::new((n, m));
        for i in 0..n {
            for j in 0..m {
                if rng.gen_range(0.0..1.0) < 0.3 {
                    tri.add_triplet(i, j, rng.gen_range(0.0..1.0));
                }
            }
        }
        tri.to_csr()
    }

    #[test]
    fn singular_values_match_a_dense_svd() {
        // Sparse noise plus a rank-8 part with decaying weights, like a corpus with topics.
        let noise = random_sparse(60, 40, 7);
        let mut rng = Xoshiro256Plus::seed_from_u64(11);
        let mut tri = sprs::TriMatI::new((60, 40));
        for (&v, (i, j)) in noise.iter() {
            tri.add_triplet(i as usize, j as usize, 0.05 * v);
        }
        for topic in 0..8 {
            let weight = 10.0 / (1 << topic) as f64;
            let rows: Vec<usize> = (0..60).filter(|_| rng.gen_range(0.0..1.0) < 0.3).collect();
            let cols: Vec<usize> = (0..40).filter(|_| rng.gen_range(0.0..1.0) < 0.2).collect();
            for &i in &rows {
                for &j in &cols {
                    tri.add_triplet(i, j, weight * rng.gen_range(0.5..1.0));
                }
            }
        }
        let a: TfidfMatrix = tri.to_csr();
        let params = ReduceParams {
            dims: 8,
            oversample: 10,
            power_iterations: 6,
        };
        let (lsa, x) = fit(&a, &params, 1).unwrap();
        let dense = faer::Mat::<f64>::from_fn(60, 40, |i, j| *a.get(i, j).unwrap_or(&0.0));
        let exact = dense.singular_values().unwrap();
        for (got, want) in lsa.singular_values.iter().zip(exact.iter()) {
            assert!((got - want).abs() < 1e-6, "{got} vs {want}");
        }
        assert_eq!(x.dim(), (60, 8));
        // Unit length to f32's precision (rows are stored in f32).
        for row in x.rows() {
            let squared: f64 = row.iter().map(|&v| f64::from(v) * f64::from(v)).sum();
            assert!((squared - 1.0).abs() < 1e-6, "{squared}");
        }
        let ev = lsa.explained_variance();
        assert!(ev > 0.0 && ev < 1.0, "{ev}");
    }

    #[test]
    fn same_seed_same_projection_at_any_thread_count() {
        let a = random_sparse(300, 80, 3);
        let params = ReduceParams::default();
        let run = |threads| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| fit(&a, &params, 9).unwrap().1)
        };
        assert_eq!(run(1), run(2));
    }
}
