//! Moving data between stages in parallel: what rayon's `collect` does not do without a copy.

use rayon::prelude::*;

/// The items of `lists`, in order, moved into one `Vec` with the lists copied in parallel, each
/// into its own place. rayon's `collect` of a flattened iterator gathers per-thread vectors and
/// appends them on one thread (a second, sequential copy); sized from the lists' lengths, this
/// writes every item once (laws: 312,184 units, 55 MB; 5.7 million TF-IDF entries, 68 MB).
pub fn concat<T: Send>(lists: Vec<Vec<T>>) -> Vec<T> {
    let total = lists.iter().map(Vec::len).sum();
    let mut out = Vec::with_capacity(total);
    let mut places = Vec::with_capacity(lists.len());
    let mut rest = &mut out.spare_capacity_mut()[..total];
    for list in &lists {
        let (place, tail) = rest.split_at_mut(list.len());
        places.push(place);
        rest = tail;
    }
    places.into_par_iter().zip(lists).for_each(|(place, list)| {
        for (slot, item) in place.iter_mut().zip(list) {
            slot.write(item);
        }
    });
    // SAFETY: the places tile the first `total` slots, each as long as its list, and each task
    // wrote one item per slot of its place. Had a task panicked, `for_each` would have
    // propagated the panic before this line, leaking the items written, never reading a slot.
    unsafe { out.set_len(total) };
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
