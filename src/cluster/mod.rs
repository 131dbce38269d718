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

mod init;
mod kernels;
mod minibatch;
mod rows;
mod scan;

use init::*;
pub use kernels::LanesL2;
use kernels::*;
use minibatch::*;
pub use rows::{KeptRows, with_rows};
pub use scan::KScore;
use scan::*;

use crate::config::{ClusterParams, KChoice, Valid};
use crate::corpus::ThemeId;
use crate::error::{Error, Result};
use crate::seed::Seeds;
use linfa_clustering::KMeans;
use ndarray::{Array2, ArrayView2};
use rayon::prelude::*;
use serde::Serialize;

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
    /// centres, as themes are assigned), with the row's cosine to its centre; `None` with one
    /// theme.
    pub fn second_nearest(
        &self,
        x: ArrayView2<f32>,
        assignments: &[usize],
    ) -> Vec<Option<Placement>> {
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
                Some(Placement {
                    theme: ThemeId::new(t),
                    similarity: cosine(row, centroids.row(t), norms[t]),
                })
            })
            .collect()
    }
}

/// Where a unit lies among the themes: a theme and the unit's cosine similarity to its centre.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placement {
    /// The theme.
    pub theme: ThemeId,
    /// Cosine similarity of the unit to the theme's centre.
    pub similarity: f64,
}

/// Fits the themes of the rows of `x` (unit-length, or zero for units without terms). With
/// `guides` (rows in the same space: a codebook's supported entries), the first centres of every
/// start are those rows (as many as k allows) and the rest are chosen by greedy k-means++ from
/// the data, so guided themes and free themes are fitted together.
pub fn cluster(
    x: ArrayView2<f32>,
    params: &Valid<ClusterParams>,
    seeds: Seeds,
    guides: Option<ArrayView2<f32>>,
) -> Result<Clustering> {
    cluster_with_progress(x, params, seeds, guides, &|_, _| {})
}

/// Progress of a loop: `(done, of)` after each step.
pub type Progress<'a> = &'a (dyn Fn(usize, usize) + Sync);

/// As [`cluster`], calling `progress(i, n)` after the i-th of the n values of k scanned.
pub fn cluster_with_progress(
    x: ArrayView2<f32>,
    params: &Valid<ClusterParams>,
    seeds: Seeds,
    guides: Option<ArrayView2<f32>>,
    progress: Progress,
) -> Result<Clustering> {
    let n = x.nrows();
    let (k, scan) = match params.k {
        KChoice::Fixed(k) => (k, Vec::new()),
        KChoice::Auto => {
            let scan = scan_k(x, params, seeds, progress)?;
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
        (
            fit_minibatch(x, k, params, seeds, guides)?,
            Method::MiniBatch,
        )
    } else {
        (
            fit_full(x, k, params, seeds, params.n_runs, guides)?,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Check;
    use crate::corpus::UnitIdx;
    use linfa::DatasetBase;
    use linfa::traits::{Fit, Predict};
    use linfa_clustering::KMeansInit;
    use linfa_nn::distance::Distance;
    use ndarray::{ArrayView1, Axis};
    use rand::{Rng, SeedableRng};
    use rand_xoshiro::Xoshiro256Plus;

    #[test]
    fn with_rows_shows_the_kept_rows_and_puts_every_row_back() {
        let x0 = Array2::from_shape_fn((6, 3), |(i, j)| (10 * i + j) as f32);
        let mut x = x0.clone();
        let keep = [1, 2, 4].map(UnitIdx::new);
        let seen = with_rows(&mut x, &keep, |v| v.to_owned());
        assert_eq!(seen, x0.select(ndarray::Axis(0), &[1, 2, 4]));
        // Rows left out are not zero rows here (as with cluster.min_known_terms > 1): each
        // comes back as it was.
        assert_eq!(x, x0);
        let every: Vec<UnitIdx> = (0..6).map(UnitIdx::new).collect();
        let all = with_rows(&mut x, &every, |v| v.to_owned());
        assert_eq!(all, x0);
    }
    use crate::config::KRange;
    use ndarray::array;

    #[test]
    fn pairwise_distances_are_each_pair_computed_both_ways() {
        // 150 rows: the mirrored blocks end inside a block.
        let mut rng = Xoshiro256Plus::seed_from_u64(3);
        let x = Array2::from_shape_fn((150, 37), |_| rng.gen_range(-1.0f32..1.0));
        let d = scan::pairwise_distances(x.view());
        for i in 0..150 {
            for j in 0..150 {
                let both_ways = kernels::squared_distance(x.row(i), x.row(j)).sqrt();
                assert_eq!(d[i * 150 + j].to_bits(), both_ways.to_bits(), "({i}, {j})");
            }
        }
    }

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
        let c = cluster(x.view(), &params, Seeds::default(), None).unwrap();
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
        let c = cluster(blobs().view(), &params, Seeds::default(), None).unwrap();
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
        let c = cluster(x.view(), &params, Seeds::default(), Some(guides.view())).unwrap();
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
        let c = cluster(blobs().view(), &params, Seeds::default(), None).unwrap();
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
            cluster(x.view(), &params, Seeds::default(), None),
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
        let fitted = cluster(x.view(), &params, Seeds::default(), None).unwrap();
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
