//! One seed for a run, and every stage's seed derived from it here, in one place: the SVD's test
//! matrix, k-means++ starts and mini-batches, the k scan's silhouette sample, and the stability
//! refits and their bootstrap samples. The derivations are fixed: changing one changes every
//! output fitted with it.

/// The run's seed (`--seed`, `run.seed`), from which each stage's is derived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seeds(u64);

impl Default for Seeds {
    /// The seed of a run that names none: 42.
    fn default() -> Seeds {
        Seeds(42)
    }
}

impl Seeds {
    /// The seeds of a run seeded with `seed`.
    pub fn new(seed: u64) -> Seeds {
        Seeds(seed)
    }

    /// The run's seed itself, as recorded in `run.json`.
    pub fn run(self) -> u64 {
        self.0
    }

    /// The random test matrix of the randomized SVD (LSA).
    pub fn svd(self) -> u64 {
        self.0 ^ 0x15A_5EED
    }

    /// k-means: the k-means++ starts of every run and the mini-batches' order.
    pub fn kmeans(self) -> u64 {
        self.0
    }

    /// The sample of units the `--k auto` scan scores by silhouette.
    pub fn k_scan_sample(self) -> u64 {
        self.0 ^ 0x5CA7
    }

    /// The bootstrap samples of the stability refits.
    pub fn bootstrap_samples(self) -> u64 {
        self.0 ^ 0xB007
    }

    /// The run seed of stability refit `i` (1-based) on all units.
    pub fn refit(self, i: u64) -> Seeds {
        Seeds(self.0.wrapping_add(i))
    }

    /// The run seed of stability refit `i` (1-based) on a bootstrap sample.
    pub fn bootstrap_refit(self, i: u64) -> Seeds {
        Seeds(self.0.wrapping_add(1000 + i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The derivations are part of the output: these are the values every run so far used.
    #[test]
    fn derived_seeds_are_the_ones_outputs_were_made_with() {
        let s = Seeds::new(42);
        assert_eq!(s.svd(), 42 ^ 0x15A_5EED);
        assert_eq!(s.kmeans(), 42);
        assert_eq!(s.k_scan_sample(), 42 ^ 0x5CA7);
        assert_eq!(s.bootstrap_samples(), 42 ^ 0xB007);
        assert_eq!(s.refit(3).run(), 45);
        assert_eq!(s.bootstrap_refit(3).run(), 1045);
        assert_eq!(Seeds::new(u64::MAX).refit(1).run(), 0);
    }

    #[test]
    fn stage_seeds_differ_from_each_other() {
        let s = Seeds::new(7);
        let all = [
            s.svd(),
            s.kmeans(),
            s.k_scan_sample(),
            s.bootstrap_samples(),
        ];
        for (i, a) in all.iter().enumerate() {
            assert!(all[i + 1..].iter().all(|b| a != b));
        }
    }
}
