//! Stage 4b: the sparse TF-IDF matrix → a small dense matrix by LSA (truncated SVD), rows
//! L2-normalised, on which k-means runs.
//!
//! The SVD is randomized (Halko, Martinsson & Tropp 2011, algorithms 4.4 and 5.1, in the
//! subspace-iteration form on AᵀA): a seeded random start Z (terms × l, l = dims + oversampling),
//! `q + 1` products Z ← orth(AᵀA·Z), then Rayleigh–Ritz on the l × l matrix Zᵀ(AᵀA)Z. The
//! products are fused ([`GramPanels`]) and run in parallel with rayon over panels of columns,
//! each summed over the rows in order, so results do not depend on the thread count;
//! nothing of size units × l is ever formed. The products accumulate in f32 (the singular values
//! come out to f32's seven digits, plenty for clustering and for the analyst), and the small
//! dense steps in f64 with faer, run sequentially for the same reason. The power iterations
//! only have to find the subspace: each is followed by one round of CholeskyQR; the last basis,
//! on which Rayleigh–Ritz runs, by two (CholeskyQR2), falling back to Householder QR when a Gram
//! matrix is singular.
//!
//! The fitted [`Lsa`] keeps V (terms × dims): a document's reduced row is its TF-IDF row times V,
//! for the corpus and for new documents alike (one function, [`reduced_rows`], for both).

use crate::config::{ReduceParams, Valid};
use crate::error::{Error, Result};
use crate::tfidf::TfidfMatrix;
use multiversion::multiversion;
use ndarray::Array2;
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256Plus;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Rows per parallel chunk of the dense steps (fixed, for determinism).
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
        reduced_rows(matrix, &self.components, self.dims).rows
    }

    /// Total explained variance ratio.
    pub fn explained_variance(&self) -> f64 {
        self.explained_variance_ratio.iter().sum()
    }
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

/// The reduced rows X = AV (n × dims) for V (terms × dims, row-major), in parallel over fixed
/// chunks of rows, in f32 (the reduced matrix is the largest array of a run, and k-means on
/// unit-length rows needs no more than f32's seven digits; a row sums a few dozen terms), each
/// row then scaled to unit length. Also returns, per column, Σx and Σx² of X before scaling (in
/// f64, summed in chunk order): the explained variance.
fn reduced_rows(a: &TfidfMatrix, v: &[f64], dims: usize) -> ReducedRows {
    let v: Vec<f32> = v.iter().map(|&x| x as f32).collect();
    let mut x = vec![0.0f32; a.rows() * dims];
    let parts: Vec<(Vec<f64>, Vec<f64>)> = x
        .par_chunks_mut(GRAM_CHUNK * dims.max(1))
        .enumerate()
        .map(|(c, rows)| {
            rows_times_dense_fastest(a, &v, dims, c * GRAM_CHUNK, rows);
            let mut sums = vec![0.0f64; dims];
            let mut squares = vec![0.0f64; dims];
            for row in rows.chunks_exact_mut(dims.max(1)) {
                for ((s, q), &v) in sums.iter_mut().zip(squares.iter_mut()).zip(row.iter()) {
                    *s += f64::from(v);
                    *q += f64::from(v) * f64::from(v);
                }
                normalize_row(row);
            }
            (sums, squares)
        })
        .collect();
    let (sums, squares): (Vec<_>, Vec<_>) = parts.into_iter().unzip();
    ReducedRows {
        rows: Array2::from_shape_vec((a.rows(), dims), x).expect("rows × dims"),
        sums: sum_in_order(sums, dims),
        squares: sum_in_order(squares, dims),
    }
}

/// [`rows_times_dense`], compiled for AVX2 when the CPU has it.
fn rows_times_dense_fastest(a: &TfidfMatrix, d: &[f32], l: usize, first: usize, out: &mut [f32]) {
    rows_times_dense_simd(a, d, l, first, out)
}

/// Rows `first..` of A times D into `out` (as many rows as `out` holds). Each row is summed in a
/// scratch row and written once: `out` is freshly allocated, and reading a page before writing
/// it costs a second page fault.
#[inline(always)]
fn rows_times_dense(a: &TfidfMatrix, d: &[f32], l: usize, first: usize, out: &mut [f32]) {
    let mut sum = vec![0.0f32; l];
    for (k, row) in out.chunks_mut(l.max(1)).enumerate() {
        sum.fill(0.0);
        if let Some(v) = a.outer_view(first + k) {
            for (j, &x) in v.iter() {
                let x = x as f32;
                sum.iter_mut()
                    .zip(&d[j * l..(j + 1) * l])
                    .for_each(|(r, &y)| *r += x * y);
            }
        }
        row.copy_from_slice(&sum);
    }
}

/// [`rows_times_dense`] compiled for AVX2 too and chosen at run time by multiversion (same bits as the baseline build: no FMA).
#[multiversion(targets("x86_64+avx2"))]
fn rows_times_dense_simd(a: &TfidfMatrix, d: &[f32], l: usize, first: usize, out: &mut [f32]) {
    rows_times_dense(a, d, l, first, out)
}

/// XᵀY for X and Y (rows × l, row-major), summed over fixed row chunks in order.
fn cross_gram(x: &[f64], y: &[f64], l: usize) -> Vec<f64> {
    sum_in_order(
        x.par_chunks(GRAM_CHUNK * l)
            .zip(y.par_chunks(GRAM_CHUNK * l))
            .map(|(x, y)| chunk_cross_gram(x, y, l))
            .collect(),
        l * l,
    )
}

/// XᵀY for one chunk of rows (row-major, so a slice is the transpose, column-major), by faer's
/// matrix product on one thread.
fn chunk_cross_gram(x: &[f64], y: &[f64], l: usize) -> Vec<f64> {
    let xt = faer::MatRef::from_column_major_slice(x, l, x.len() / l);
    let yt = faer::MatRef::from_column_major_slice(y, l, y.len() / l);
    let g = xt * yt.transpose();
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

/// What [`reduced_rows`] returns.
struct ReducedRows {
    /// The reduced rows, each of unit length (or zero).
    rows: Array2<f32>,
    /// Per column, Σx over the rows before scaling.
    sums: Vec<f64>,
    /// Per column, Σx² over the rows before scaling.
    squares: Vec<f64>,
}

/// Orthonormalises the columns of Y (rows × l, row-major) in place by `rounds` rounds of
/// CholeskyQR (two make CholeskyQR2, orthonormal to working precision).
fn orthonormalize(y: &mut [f64], l: usize, rounds: usize) {
    for _ in 0..rounds {
        if !cholesky_qr_step(y, l) {
            householder_qr(y, l);
            return;
        }
    }
}

/// One CholeskyQR round: G = YᵀY = LLᵀ, Y ← Y L⁻ᵀ. Returns false if G is not positive definite.
fn cholesky_qr_step(y: &mut [f64], l: usize) -> bool {
    let g = cross_gram(y, y, l);
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

/// The widest panel (columns of Z) of the fused AᵀA·Z product: eight AVX2 registers of f32.
const MAX_PANEL: usize = 64;

/// The panel width for l columns on `threads` threads: as few panels as keep every thread busy
/// to the end (one each when l allows: each panel is one pass over A, and a wider panel does
/// more work per entry of A read), in whole AVX2 registers of 8 columns, at most [`MAX_PANEL`].
/// laws at l = 110 on 2 threads: two panels of 56 (the product 11–17% faster than seven of 16,
/// which left one thread a panel behind the other).
fn panel_width(l: usize, threads: usize) -> usize {
    let threads = threads.max(1);
    let panels = l.div_ceil(MAX_PANEL * threads).max(1) * threads;
    l.div_ceil(panels).next_multiple_of(8).clamp(8, MAX_PANEL)
}

/// The workspace of the fused product AᵀA·Z for Z (m × l, row-major), which never forms AZ
/// (n × l) and sums in f32: Z is cut into panels of columns ([`panel_width`]), and each panel,
/// on one thread, runs over every row of A accumulating aᵢᵀ(aᵢZₚ). A panel's Z and accumulator (terms × width) stay in cache where the
/// whole of Z and AᵀA·Z (terms × l) do not. Each output entry is one running sum over the rows in
/// order, and its column's lanes never meet another's, so neither the thread count nor the
/// panel width changes a bit.
///
/// The panels are kept from product to product and rewritten in place: fresh ones for each of
/// the fit's products were ~55 MB of new pages each on laws, a page fault per 4 KiB.
struct GramPanels<const W: usize> {
    panels: Vec<Panel<W>>,
}

/// One panel of [`GramPanels`], a row per term: its columns of Z, zero-padded to W, beside its
/// accumulator.
struct Panel<const W: usize> {
    rows: Vec<TermRow<W>>,
}

/// A term's row of a panel: Z's and the accumulator's side by side, so the two scattered
/// accesses of each entry of A (read Z, then add to the accumulator) fall on neighbouring cache
/// lines of one page rather than in two arrays.
#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct TermRow<const W: usize> {
    z: [f32; W],
    acc: [f32; W],
}

impl<const W: usize> GramPanels<W> {
    /// The panels for Z of `m` rows and `l` columns.
    fn new(m: usize, l: usize) -> GramPanels<W> {
        GramPanels {
            panels: (0..l.div_ceil(W))
                .map(|_| Panel {
                    rows: vec![
                        TermRow {
                            z: [0.0; W],
                            acc: [0.0; W],
                        };
                        m
                    ],
                })
                .collect(),
        }
    }

    /// AᵀA·Z into `out` (m × l, row-major), the panels in parallel.
    fn product(&mut self, a: &TfidfMatrix, z: &[f64], l: usize, out: &mut [f64]) {
        self.panels
            .par_iter_mut()
            .enumerate()
            .for_each(|(p, Panel { rows })| {
                let columns = p * W..((p + 1) * W).min(l);
                for (j, row) in rows.iter_mut().enumerate() {
                    row.z = [0.0; W];
                    row.z
                        .iter_mut()
                        .zip(&z[j * l + columns.start..j * l + columns.end])
                        .for_each(|(o, &v)| *o = v as f32);
                    row.acc = [0.0; W];
                }
                accumulate_panel_simd(a, rows);
            });
        let panels = &self.panels;
        out.par_chunks_mut(l.max(1))
            .enumerate()
            .for_each(|(j, row)| {
                for (cells, panel) in row.chunks_mut(W).zip(panels) {
                    cells
                        .iter_mut()
                        .zip(&panel.rows[j].acc)
                        .for_each(|(o, &v)| *o = f64::from(v));
                }
            });
    }
}

/// Adds aᵢᵀ(aᵢZₚ) for every row aᵢ of A into the panel's accumulator.
#[inline(always)]
fn accumulate_panel<const W: usize>(a: &TfidfMatrix, rows: &mut [TermRow<W>]) {
    for row in a.outer_iterator() {
        let mut y = [0.0f32; W];
        for (j, &x) in row.iter() {
            let x = x as f32;
            y.iter_mut()
                .zip(&rows[j].z)
                .for_each(|(v, &zj)| *v += x * zj);
        }
        for (j, &x) in row.iter() {
            let x = x as f32;
            rows[j]
                .acc
                .iter_mut()
                .zip(&y)
                .for_each(|(o, &v)| *o += x * v);
        }
    }
}

/// [`accumulate_panel`], compiled for AVX2 too and chosen at run time by multiversion: twice the SIMD lanes of the x86-64 baseline. Without
/// FMA the vectorised loops multiply then add element by element, exactly as the baseline build
/// does, so the results are the same bits on any x86-64 CPU.
#[multiversion(targets("x86_64+avx2"))]
fn accumulate_panel_simd<const W: usize>(a: &TfidfMatrix, rows: &mut [TermRow<W>]) {
    accumulate_panel(a, rows)
}

/// From the orthonormal start `z` (m × l, row-major), `power_iterations + 1` rounds of
/// Z ← orth(AᵀA·Z) on panels of `W` columns; returns the last basis Z and AᵀA·Z for
/// Rayleigh–Ritz. Two m × l buffers take turns as Z and the product.
fn subspace_iteration<const W: usize>(
    a: &TfidfMatrix,
    mut z: Vec<f64>,
    l: usize,
    power_iterations: usize,
) -> (Vec<f64>, Vec<f64>) {
    let mut panels = GramPanels::<W>::new(a.cols(), l);
    let mut y = vec![0.0; z.len()];
    for i in 0..=power_iterations {
        panels.product(a, &z, l, &mut y);
        std::mem::swap(&mut z, &mut y);
        // The last basis, on which Rayleigh–Ritz runs, orthonormal to working precision.
        let rounds = if i == power_iterations { 2 } else { 1 };
        orthonormalize(&mut z, l, rounds);
    }
    panels.product(a, &z, l, &mut y);
    (z, y)
}

/// Fits LSA on `matrix` and returns it with the reduced, row-normalised corpus; `seed` seeds the
/// random start (the run's [`crate::seed::Seeds::svd`]).
///
/// Subspace iteration on AᵀA from a seeded random start, `power_iterations + 1` fused products,
/// each followed by a round of CholeskyQR (two after the last), then Rayleigh–Ritz: with one
/// more product Y = AᵀA·Z, the eigenvectors W of the l × l matrix ZᵀY give V = ZW and the
/// singular values as the square roots of its eigenvalues; the reduced rows are AV.
pub fn fit(
    matrix: &TfidfMatrix,
    params: &Valid<ReduceParams>,
    seed: u64,
) -> Result<(Lsa, Array2<f32>)> {
    faer::set_global_parallelism(faer::Par::Seq);
    let (n, m) = (matrix.rows(), matrix.cols());
    let smaller = n.min(m);
    if smaller == 0 {
        return Err(Error::Reduce("the TF-IDF matrix is empty".to_string()));
    }
    let dims = params.dims.min(smaller.saturating_sub(1)).max(1);
    let l = (dims + params.oversample).min(smaller).max(dims);
    let mut rng = Xoshiro256Plus::seed_from_u64(seed);
    let mut z: Vec<f64> = (0..m * l).map(|_| rng.gen_range(-1.0..1.0)).collect();
    orthonormalize(&mut z, l, 1);
    let (z, y) = match panel_width(l, rayon::current_num_threads()) {
        8 => subspace_iteration::<8>(matrix, z, l, params.power_iterations),
        16 => subspace_iteration::<16>(matrix, z, l, params.power_iterations),
        24 => subspace_iteration::<24>(matrix, z, l, params.power_iterations),
        32 => subspace_iteration::<32>(matrix, z, l, params.power_iterations),
        40 => subspace_iteration::<40>(matrix, z, l, params.power_iterations),
        48 => subspace_iteration::<48>(matrix, z, l, params.power_iterations),
        56 => subspace_iteration::<56>(matrix, z, l, params.power_iterations),
        _ => subspace_iteration::<MAX_PANEL>(matrix, z, l, params.power_iterations),
    };
    // Rayleigh–Ritz: G = Zᵀ(AᵀA Z) = W Λ Wᵀ; V = ZW.
    let g = cross_gram(&z, &y, l);
    drop(y);
    let g = faer::Mat::<f64>::from_fn(l, l, |a, b| 0.5 * (g[a * l + b] + g[b * l + a]));
    let eig = g
        .self_adjoint_eigen(faer::Side::Lower)
        .map_err(|e| Error::Reduce(format!("{e:?}")))?;
    let (w, lambda) = (eig.U(), eig.S());
    let mut order: Vec<usize> = (0..l).collect();
    order.sort_by(|&x, &y| lambda[y].total_cmp(&lambda[x]).then(x.cmp(&y)));
    order.truncate(dims);
    let w_top = faer::Mat::<f64>::from_fn(l, dims, |a, c| w[(a, order[c])]);
    // V = ZW by fixed chunks of rows in parallel, each a sequential faer product (an entry is
    // the same sum whichever chunk holds its row).
    let mut components = vec![0.0f64; m * dims];
    components
        .par_chunks_mut(GRAM_CHUNK * dims)
        .zip(z.par_chunks(GRAM_CHUNK * l))
        .for_each(|(v, z)| {
            let rows = z.len() / l;
            faer::linalg::matmul::matmul(
                faer::MatMut::from_row_major_slice_mut(v, rows, dims),
                faer::Accum::Replace,
                faer::MatRef::from_row_major_slice(z, rows, l),
                w_top.as_ref(),
                1.0,
                faer::Par::Seq,
            );
        });
    drop(z);
    // Fix each vector's sign: its largest entry (the first, on a tie) is positive (stable across
    // library versions). One pass over the rows in order.
    let mut largest = vec![(0.0f64, 1.0f64); dims];
    for row in components.chunks_exact(dims) {
        for (best, &v) in largest.iter_mut().zip(row) {
            if v.abs() > best.0 {
                *best = (v.abs(), v.signum());
            }
        }
    }
    for row in components.chunks_exact_mut(dims) {
        for (v, &(_, sign)) in row.iter_mut().zip(&largest) {
            *v *= sign;
        }
    }
    let singular_values: Vec<f64> = order.iter().map(|&e| lambda[e].max(0.0).sqrt()).collect();
    // The power iterations' buffers are freed but still resident in the heap: hand them back
    // before the reduced rows, the largest array of the run, are written.
    crate::runtime::release_free_memory();
    let reduced = reduced_rows(matrix, &components, dims);
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
    use crate::config::Check;

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

    /// The same-output-anywhere promise: the AVX2 builds of the LSA products (chosen at run time
    /// where the CPU has it) give the baseline build's bits (no FMA, lanes in the same order).
    #[test]
    fn simd_products_give_the_baseline_bits() {
        #[cfg(target_arch = "x86_64")]
        if !std::is_x86_feature_detected!("avx2") {
            eprintln!("no AVX2 on this CPU: both sides run the baseline");
        }
        let a = random_sparse(70, 45, 5);
        let mut rng = Xoshiro256Plus::seed_from_u64(6);
        let l = 19;
        let d: Vec<f32> = (0..45 * l).map(|_| rng.gen_range(-1.0..1.0)).collect();
        let (mut simd, mut base) = (vec![0.0f32; 60 * l], vec![0.0f32; 60 * l]);
        rows_times_dense_simd(&a, &d, l, 10, &mut simd);
        rows_times_dense(&a, &d, l, 10, &mut base);
        let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&simd), bits(&base));
        let rows = |rng: &mut Xoshiro256Plus| -> Vec<TermRow<16>> {
            (0..45)
                .map(|_| TermRow {
                    z: std::array::from_fn(|_| rng.gen_range(-1.0..1.0)),
                    acc: [0.0; 16],
                })
                .collect()
        };
        let mut simd = rows(&mut Xoshiro256Plus::seed_from_u64(7));
        let mut base = rows(&mut Xoshiro256Plus::seed_from_u64(7));
        accumulate_panel_simd(&a, &mut simd);
        accumulate_panel(&a, &mut base);
        for (s, b) in simd.iter().zip(&base) {
            assert_eq!(bits(&s.acc), bits(&b.acc));
        }
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
        }
        .check()
        .unwrap();
        let (lsa, x) = fit(&a, &params, 1).unwrap();
        let dense = faer::Mat::<f64>::from_fn(60, 40, |i, j| *a.get(i, j).unwrap_or(&0.0));
        let exact = dense.singular_values().unwrap();
        // To f32's precision: the products accumulate in f32.
        for (got, want) in lsa.singular_values.iter().zip(exact.iter()) {
            assert!((got - want).abs() < 1e-6 * want, "{got} vs {want}");
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
        let params = ReduceParams::default().check().unwrap();
        let run = |threads| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| fit(&a, &params, 9).unwrap().1)
        };
        // Panels of 40, 40, 32 and 16 columns (l = 80).
        let one = run(1);
        for threads in [2, 3, 8] {
            assert_eq!(one, run(threads), "{threads} threads");
        }
    }

    #[test]
    fn neither_panel_width_nor_reuse_changes_a_bit_of_the_product() {
        let a = random_sparse(200, 70, 5);
        let l = 21;
        let mut rng = Xoshiro256Plus::seed_from_u64(2);
        let z: Vec<f64> = (0..70 * l).map(|_| rng.gen_range(-1.0..1.0)).collect();
        fn product<const W: usize>(
            panels: &mut GramPanels<W>,
            a: &TfidfMatrix,
            z: &[f64],
            l: usize,
        ) -> Vec<f64> {
            let mut out = vec![f64::NAN; z.len()];
            panels.product(a, z, l, &mut out);
            out
        }
        let mut narrow = GramPanels::<8>::new(70, l);
        let first = product(&mut narrow, &a, &z, l);
        assert!(first.iter().any(|&v| v != 0.0));
        assert_eq!(first, product(&mut GramPanels::<24>::new(70, l), &a, &z, l));
        assert_eq!(
            first,
            product(&mut GramPanels::<MAX_PANEL>::new(70, l), &a, &z, l)
        );
        // Kept panels start each product afresh: a product of other columns, then the first
        // again, gives the first's bits.
        let other: Vec<f64> = z.iter().map(|v| 1.0 - v).collect();
        assert_ne!(product(&mut narrow, &a, &other, l), first);
        assert_eq!(product(&mut narrow, &a, &z, l), first);
    }

    #[test]
    fn one_panel_per_thread_when_the_columns_allow() {
        assert_eq!(panel_width(110, 2), 56);
        assert_eq!(panel_width(110, 1), 56);
        assert_eq!(panel_width(110, 8), 16);
        assert_eq!(panel_width(310, 2), 56);
        assert_eq!(panel_width(3, 2), 8);
    }
}
