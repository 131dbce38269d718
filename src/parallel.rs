//! Moving data between stages in parallel: what rayon's `collect` does not do without a copy.

use rayon::prelude::*;

/// The items of `lists`, in order, moved into one `Vec` sized from the lists' lengths, each list
/// copied in parallel into its place (rayon's `par_extend` of an indexed iterator writes into
/// the spare capacity). rayon's `collect` of a flattened iterator gathers per-thread vectors and
/// appends them on one thread (a second, sequential copy); this writes every item once (laws:
/// 312,184 units, 55 MB; 5.7 million TF-IDF entries, 68 MB).
pub fn concat<T: Send>(lists: Vec<Vec<T>>) -> Vec<T> {
    let mut out = Vec::with_capacity(lists.iter().map(Vec::len).sum());
    for list in lists {
        out.par_extend(list);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concat_keeps_the_order_of_the_lists_and_their_items() {
        let lists = vec![vec![1, 2, 3], vec![], vec![4, 5], vec![6]];
        assert_eq!(concat(lists), vec![1, 2, 3, 4, 5, 6]);
        // Owned items (heap data) are moved, not copied.
        let words: Vec<Vec<String>> = (0..300)
            .map(|i| (0..i % 7).map(|j| format!("{i}-{j}")).collect())
            .collect();
        let flat: Vec<String> = words.iter().flatten().cloned().collect();
        assert_eq!(concat(words), flat);
        assert!(concat(Vec::<Vec<u8>>::new()).is_empty());
    }
}
