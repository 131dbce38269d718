//! The rows clustered out of all units (those with enough known terms): shown to k-means as one
//! contiguous view without copying the matrix, and the results spread back over all units.

use super::Placement;
use crate::corpus::{ThemeId, UnitIdx};
use ndarray::{Array2, ArrayView2};

/// The units that are clustered, out of all: those with at least `cluster.min_known_terms`
/// vocabulary terms. The reduced matrix keeps a row for every unit; the kept rows are shown to
/// k-means as one contiguous view ([`KeptRows::with_rows`]) and the per-row results spread back
/// over all units.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptRows {
    units: usize,
    kept: Vec<UnitIdx>,
}

impl KeptRows {
    /// The rows `kept` (ascending, each below `units`) of `units`.
    pub fn new(units: usize, kept: Vec<UnitIdx>) -> KeptRows {
        assert!(
            kept.windows(2).all(|w| w[0] < w[1]) && kept.last().is_none_or(|&l| l.index() < units),
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
    pub fn as_slice(&self) -> &[UnitIdx] {
        &self.kept
    }

    /// Calls `f` on the kept rows of `x` as one contiguous view (see [`with_rows`]).
    pub fn with_rows<T>(&self, x: &mut Array2<f32>, f: impl FnOnce(ArrayView2<f32>) -> T) -> T {
        with_rows(x, &self.kept, f)
    }

    /// Spreads the kept rows' placements (the i-th the kept row i's) over all units; the
    /// others have none.
    pub fn spread(
        &self,
        rows: impl IntoIterator<Item = Option<Placement>>,
    ) -> Vec<Option<Placement>> {
        let mut out = vec![None; self.units];
        for (&u, placement) in self.kept.iter().zip(rows) {
            out[u.index()] = placement;
        }
        out
    }

    /// Spreads the kept rows' themes (numbers among the themes) and their similarities over all
    /// units (see [`Self::spread`]).
    pub fn spread_themes(&self, themes: &[usize], sims: &[f64]) -> Vec<Option<Placement>> {
        self.spread(themes.iter().zip(sims).map(|(&theme, &similarity)| {
            Some(Placement {
                theme: ThemeId::new(theme),
                similarity,
            })
        }))
    }
}

/// Calls `f` on the rows `keep` (ascending) of `x` as one contiguous view, without copying the
/// matrix (a copy would double its memory): the kept rows are moved up in place and moved back
/// after, the rows left out (units under `cluster.min_known_terms`, few) set aside meanwhile and
/// put back as they were.
pub fn with_rows<T>(
    x: &mut Array2<f32>,
    keep: &[UnitIdx],
    f: impl FnOnce(ArrayView2<f32>) -> T,
) -> T {
    if keep.len() == x.nrows() {
        return f(x.view());
    }
    let (n, d) = x.dim();
    let mut kept = keep.iter().peekable();
    let left_out: Vec<usize> = (0..n)
        .filter(|&i| kept.next_if(|u| u.index() == i).is_none())
        .collect();
    let data = x
        .as_slice_mut()
        .expect("the reduced matrix is in standard layout");
    let set_aside: Vec<f32> = left_out
        .iter()
        .flat_map(|&i| &data[i * d..(i + 1) * d])
        .copied()
        .collect();
    for (dst, src) in keep.iter().map(|u| u.index()).enumerate() {
        if dst != src {
            data.copy_within(src * d..(src + 1) * d, dst * d);
        }
    }
    let out = f(x.slice(ndarray::s![..keep.len(), ..]));
    let data = x
        .as_slice_mut()
        .expect("the reduced matrix is in standard layout");
    for (dst, src) in keep.iter().map(|u| u.index()).enumerate().rev() {
        if dst != src {
            data.copy_within(dst * d..(dst + 1) * d, src * d);
        }
    }
    for (&i, row) in left_out.iter().zip(set_aside.chunks_exact(d.max(1))) {
        data[i * d..(i + 1) * d].copy_from_slice(row);
    }
    out
}
