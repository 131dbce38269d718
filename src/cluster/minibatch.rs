//! Mini-batch k-means above `cluster.minibatch_above` units: linfa's `fit_with` over seeded,
//! shuffled batches, at most `max_batches`.

use super::*;
use crate::config::ClusterParams;
use crate::error::{Error, Result};
use crate::seed::Seeds;
use linfa::DatasetBase;
use linfa::traits::FitWith;
use linfa_clustering::{IncrKMeansError, KMeans, KMeansInit};
use ndarray::ArrayView2;
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_xoshiro::Xoshiro256Plus;

/// Mini-batch k-means: seeded shuffles of the rows, batches fed to linfa's `fit_with` until it
/// converges or `max_batches` batches have been seen. The start is the best (least potential) of
/// `n_runs` greedy k-means++ starts on the first batch: linfa's own start would run its
/// k-means++ ten times over, at O(batch × k²) each.
pub(super) fn fit_minibatch(
    x: ArrayView2<f32>,
    k: usize,
    params: &ClusterParams,
    seeds: Seeds,
    guides: Option<ArrayView2<f32>>,
) -> Result<KMeans<f32, LanesL2>> {
    let mut rng = Xoshiro256Plus::seed_from_u64(seeds.kmeans());
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
