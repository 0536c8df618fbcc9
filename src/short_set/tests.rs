//! The bulk operations of [`ShortSet`] against one-by-one inserts and
//! removals, which they must match exactly (order included).

use proptest::prelude::*;

use super::ShortSet;

/// The set `held` makes, inserted one by one (sorted or not).
fn made_of(held: &[u16], sorted: bool) -> ShortSet<u16> {
    let mut set = ShortSet::new();
    for &item in held {
        if sorted {
            set.insert_sorted(item);
        } else {
            set.insert(item);
        }
    }
    set
}

fn items(set: &ShortSet<u16>) -> Vec<u16> {
    set.iter().copied().collect()
}

/// The heap bytes of a set of `len` items at its exact capacity: the
/// header and the items, nothing when empty.
fn exact(len: usize) -> usize {
    match len {
        0 => 0,
        n => 2 * std::mem::size_of::<usize>() + n * std::mem::size_of::<u16>(),
    }
}

/// Small sets and batches take the searched path, larger ones the sorted
/// one; ids repeat often (a narrow range) so repeats and overlaps occur.
fn lists() -> impl Strategy<Value = (Vec<u16>, Vec<u16>)> {
    let list = prop_oneof![
        prop::collection::vec(0u16..20, 0..12),
        prop::collection::vec(0u16..400, 0..300),
    ];
    (list.clone(), list)
}

proptest! {
    #[test]
    fn extend_from_is_insert_one_by_one((held, batch) in lists()) {
        let mut bulk = made_of(&held, false);
        let mut one_by_one = bulk.clone();
        let added = bulk.extend_from(&batch);
        let inserted = batch.iter().filter(|&&item| one_by_one.insert(item)).count();
        prop_assert_eq!(items(&bulk), items(&one_by_one));
        prop_assert_eq!(added, inserted);
        prop_assert_eq!(bulk.heap_bytes(), one_by_one.heap_bytes());
        prop_assert_eq!(bulk.heap_bytes(), exact(bulk.iter().len()));
    }

    #[test]
    fn extend_sorted_is_insert_sorted_one_by_one((held, batch) in lists()) {
        let mut bulk = made_of(&held, true);
        let mut one_by_one = bulk.clone();
        let added = bulk.extend_sorted(&batch);
        let inserted = batch.iter().filter(|&&item| one_by_one.insert_sorted(item)).count();
        prop_assert_eq!(items(&bulk), items(&one_by_one));
        prop_assert!(items(&bulk).windows(2).all(|w| w[0] < w[1]));
        prop_assert_eq!(added, inserted);
        prop_assert_eq!(bulk.heap_bytes(), exact(bulk.iter().len()));
        prop_assert_eq!(one_by_one.heap_bytes(), exact(one_by_one.iter().len()));
    }

    #[test]
    fn remove_all_is_shift_remove_one_by_one((held, batch) in lists(), sorted: bool) {
        let mut bulk = made_of(&held, sorted);
        let mut one_by_one = bulk.clone();
        let removed = bulk.remove_all(&batch);
        let shifted = batch.iter().filter(|&item| one_by_one.shift_remove(item)).count();
        prop_assert_eq!(items(&bulk), items(&one_by_one));
        prop_assert_eq!(removed, shifted);
        prop_assert_eq!(bulk.heap_bytes(), exact(bulk.iter().len()));
        prop_assert_eq!(one_by_one.heap_bytes(), exact(one_by_one.iter().len()));
    }
}

#[test]
fn a_batch_of_20k_ids_with_repeats_is_added_once_each_in_the_order_given() {
    let batch: Vec<u32> = (0..20_000).rev().chain(0..20_000).collect();
    let mut set = ShortSet::new();
    set.insert(7);
    assert_eq!(set.extend_from(&batch), 19_999);
    let expected: Vec<u32> = std::iter::once(7)
        .chain((0..20_000).rev().filter(|&id| id != 7))
        .collect();
    assert_eq!(set.iter().copied().collect::<Vec<_>>(), expected);
    assert_eq!(set.remove_all(&batch), 20_000);
    assert_eq!(set.iter().count(), 0);
    assert_eq!(set.heap_bytes(), 0, "an emptied set holds no allocation");
}
