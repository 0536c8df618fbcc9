//! Tests of [`Chunked`] and [`Nested`]: order, sharing, growth and
//! shrinking.

use super::{Chunked, Nested};

#[test]
fn entries_read_back_in_order_across_chunks() {
    let table: Chunked<u32, 4> = (0..11).collect();
    assert_eq!(table.len(), 11);
    assert_eq!(
        table.iter().copied().collect::<Vec<_>>(),
        (0..11).collect::<Vec<_>>()
    );
    assert_eq!(table.get(10), Some(&10));
    assert_eq!(table.get(11), None);
    let mut pushed: Chunked<u32, 4> = Chunked::default();
    for i in 0..11 {
        pushed.push(i);
    }
    assert_eq!(pushed, table);
    assert_eq!(pushed.get(11), None, "padding is never returned");
}

#[test]
fn tables_compare_and_show_their_entries_only() {
    let table: Chunked<u32, 4> = (0..6).collect();
    let mut other = table.clone();
    assert_eq!(format!("{table:?}"), "[0, 1, 2, 3, 4, 5]");
    *other.get_mut(5).expect("in range") = 9;
    assert_ne!(table, other);
    let shorter: Chunked<u32, 4> = (0..5).collect();
    assert_ne!(table, shorter);
    let mut padded = shorter.clone();
    padded.push(5);
    assert_eq!(padded, table, "padding and chunk sizes do not count");
    let nested: Nested<u32, 1> = (0..3).collect();
    assert_eq!(format!("{nested:?}"), "[0, 1, 2]");
    assert_ne!(nested, (0..4).collect::<Nested<u32, 1>>());
    assert_ne!(nested, [0, 1, 7].into_iter().collect::<Nested<u32, 1>>());
}

#[test]
fn a_clone_shares_the_chunks_a_change_does_not_touch() {
    let mut writer: Chunked<u32, 4> = (0..16).collect();
    let reader = writer.clone();
    assert_eq!(writer.shared_chunks(&reader), 4);
    *writer.get_mut(5).expect("in range") = 50;
    assert_eq!(writer.shared_chunks(&reader), 3, "only chunk 1 was copied");
    assert_eq!(reader.get(5), Some(&5), "the older copy keeps its entry");
    assert_eq!(writer.get(5), Some(&50));
    assert_eq!(writer.get_mut(16), None);
}

#[test]
fn a_nested_clone_shares_all_but_the_changed_chunk() {
    let mut writer: Nested<u32, 1> = (0..300).collect();
    assert_eq!(writer.len(), 300);
    let reader = writer.clone();
    *writer.get_mut(200).expect("in range") = 7;
    assert_eq!(reader.get(200), Some(&200));
    assert_eq!(writer.get(200), Some(&7));
    assert_eq!(writer.get(300), None);
    assert_eq!(writer.iter().filter(|&&v| v == 7).count(), 2);
    assert_eq!(
        writer.shared_chunks(&reader),
        writer.chunks() - 1,
        "one chunk was copied"
    );
    let mut pushed: Nested<u32, 1> = Nested::default();
    for i in 0..300 {
        pushed.push(i);
    }
    assert_eq!(pushed, (0..300).collect::<Nested<u32, 1>>());
}

#[test]
fn a_small_table_grows_by_doubling_and_shrinks_to_fit() {
    let mut table: Chunked<u64, 16> = Chunked::default();
    for i in 0..5 {
        table.push(i);
    }
    // One slice of 1, 2, 4, then 8 slots: its counters and 8 slots of
    // 8 bytes, no chunk pointer.
    use std::mem::size_of;
    let counters = 2 * size_of::<usize>();
    assert_eq!(table.bytes(), counters + 8 * 8);
    let mut table: Chunked<u64, 16> = Chunked::default();
    table.grow_to(3);
    assert_eq!(table.iter().count(), 3);
    assert!(table.bytes() < Chunked::<u64, 16>::from_iter(0..16).bytes());
    table.push(7);
    table.push(8);
    table.shrink_to_fit();
    // Its counters and the 5 slots in use.
    assert_eq!(table.bytes(), counters + 5 * 8);
    assert_eq!(table.iter().copied().collect::<Vec<_>>(), [0, 0, 0, 7, 8]);
    assert_eq!(table.get_or_padding(5), None, "no padding left");
    table.grow_to(2);
    assert_eq!(table.len(), 5, "grow_to never shrinks");
    // Past `N` entries every chunk is whole: the last keeps its padding,
    // read as defaults.
    let mut full: Chunked<u64, 4> = (0..9).collect();
    full.shrink_to_fit();
    assert_eq!(
        full.iter().copied().collect::<Vec<_>>(),
        (0..9).collect::<Vec<_>>()
    );
    assert_eq!(full.chunks(), 3);
    assert_eq!(full.get(9), None);
    assert_eq!(full.get_or_padding(11), Some(&0));
    assert_eq!(full.get_or_padding(12), None);
    let pointers = full.chunks.capacity() * size_of::<usize>();
    assert_eq!(full.bytes(), pointers + 3 * (counters + 4 * 8));
}

#[test]
fn chunks_read_back_as_slices_cut_at_the_length() {
    let empty: Chunked<u64, 4> = Chunked::default();
    assert_eq!(empty.chunk(0), None);
    let small: Chunked<u64, 4> = (0..3).collect();
    assert_eq!(small.chunk(0), Some(&[0, 1, 2][..]));
    assert_eq!(small.chunk(1), None);
    let large: Chunked<u64, 4> = (0..10).collect();
    let slices: Vec<&[u64]> = (0..).map_while(|at| large.chunk(at)).collect();
    assert_eq!(slices, [&[0, 1, 2, 3][..], &[4, 5, 6, 7], &[8, 9]]);
    assert_eq!(large.chunk(usize::MAX), None);
    let mut whole: Chunked<u64, 4> = (0..8).collect();
    assert_eq!(whole.chunk(1), Some(&[4, 5, 6, 7][..]));
    assert_eq!(whole.chunk(2), None);
    whole.grow_to(9);
    assert_eq!(whole.chunk(2), Some(&[0][..]));
}

#[test]
fn shrinking_a_slice_without_padding_keeps_it_shared() {
    // A slice of exactly its entries has nothing to give back: a clone
    // still shares it after the shrink, rather than holding a copy.
    let mut table: Chunked<u64, 16> = (0..4).collect();
    assert_eq!(table.bytes(), 2 * std::mem::size_of::<usize>() + 4 * 8);
    let clone = table.clone();
    table.shrink_to_fit();
    assert_eq!(table.shared_chunks(&clone), 1);
    assert_eq!(table, clone);
}

#[test]
fn growing_to_n_entries_keeps_one_slice_and_no_chunk_pointer() {
    // `N` entries still fit the small slice: growing to them asks for no
    // chunk pointer, and growing a full slice to its own length leaves it
    // where it is, shared with a clone.
    let counters = 2 * std::mem::size_of::<usize>();
    let mut grown: Chunked<u64, 4> = Chunked::default();
    grown.grow_to(4);
    assert_eq!(grown.bytes(), counters + 4 * 8);
    let mut full: Chunked<u64, 4> = (0..4).collect();
    let clone = full.clone();
    full.grow_to(4);
    assert_eq!(full.shared_chunks(&clone), 1);
    assert_eq!(full.bytes(), counters + 4 * 8);
}

#[test]
fn growing_over_whole_chunks_shares_one_chunk_of_defaults() {
    let mut table: Chunked<u64, 16> = (1..=3).collect();
    table.grow_to(16 * 1000 + 5);
    assert_eq!(table.len(), 16 * 1000 + 5);
    assert_eq!(table.get(2), Some(&3));
    assert_eq!(table.get(3), Some(&0));
    assert_eq!(table.get(16 * 500), Some(&0));
    assert_eq!(table.get(16 * 1000 + 5), None);
    // The first chunk (filled one by one), 999 pointers to one shared
    // chunk, and a last chunk of 5 entries padded to 16.
    let counters = 2 * std::mem::size_of::<usize>();
    let pointers = table.chunks.capacity() * std::mem::size_of::<usize>();
    assert_eq!(table.bytes(), pointers + 3 * (counters + 16 * 8));
    // Writing to a shared chunk copies it; the others still share.
    let before = table.clone();
    if let Some(entry) = table.get_mut(16 * 500) {
        *entry = 9;
    }
    assert_eq!(table.get(16 * 500), Some(&9));
    assert_eq!(before.get(16 * 500), Some(&0));
    assert_eq!(table.get(16 * 501), Some(&0));
    assert_eq!(table.iter().filter(|&&e| e != 0).count(), 4);
    assert_eq!(table.shared_chunks(&before), table.chunks() - 1);
    let mut other: Chunked<u64, 16> = Chunked::default();
    assert!(other.try_grow_with(40, 7).is_ok());
    assert_eq!(other.iter().copied().collect::<Vec<_>>(), vec![7; 40]);
    assert!(other.try_grow_with(usize::MAX, 7).is_err());
    assert_eq!(other.len(), 40, "a refused growth changes nothing");
}

#[test]
fn present_entries_skip_the_chunks_growth_shares() {
    let mut table: Nested<Option<u32>, 2> = Nested::default();
    table.push(Some(1));
    assert!(table.try_grow_to(64 * 4 * 3 + 2).is_ok());
    table.push(Some(2));
    assert_eq!(table.len(), 64 * 4 * 3 + 3);
    assert_eq!(table.get(64 * 4 * 3 + 2), Some(&Some(2)));
    assert_eq!(table.get(100), Some(&None));
    assert_eq!(table.iter().count(), table.len());
    // Only the first chunk and the last are read.
    let present: Vec<(usize, Option<u32>)> = table.present().map(|(i, e)| (i, *e)).collect();
    assert_eq!(present.len(), 4 + 3);
    assert_eq!(present.first(), Some(&(0, Some(1))));
    assert_eq!(present.last(), Some(&(64 * 4 * 3 + 2, Some(2))));
    // A shared chunk written to is read again.
    if let Some(entry) = table.get_mut(400) {
        *entry = Some(3);
    }
    assert!(table.present().any(|(i, e)| (i, *e) == (400, Some(3))));
    assert_eq!(table.present().count(), 4 + 4 + 3);
    assert!(table.try_grow_to(usize::MAX).is_err());
}

#[test]
fn a_nested_table_shrinks_its_last_chunk_to_its_entries() {
    use std::mem::size_of;
    let counters = 2 * size_of::<usize>();
    // One group pointer (in a slice of its own), then the chunks.
    let group = counters + size_of::<Option<std::sync::Arc<[u64]>>>();
    let mut table: Nested<u64, 3> = Nested::default();
    for i in 0..11 {
        table.push(i);
    }
    // A whole chunk of 8, and a last one doubled to 4 slots for 3 entries.
    let groups = |n: usize| counters + n * size_of::<Option<std::sync::Arc<[u64]>>>();
    assert_eq!(table.bytes(), groups(2) + 2 * counters + (8 + 4) * 8);
    let reader = table.clone();
    table.shrink_to_fit();
    assert_eq!(table.bytes(), groups(2) + 2 * counters + (8 + 3) * 8);
    assert_eq!(table, reader, "the same entries");
    assert_eq!(table.get(11), None);
    assert_eq!(reader.bytes(), groups(2) + 2 * counters + (8 + 4) * 8);
    assert_eq!(table.shared_chunks(&reader), 1, "the whole chunk is shared");
    table.push(11);
    table.push(12);
    assert_eq!(
        table.iter().copied().collect::<Vec<_>>(),
        (0..13).collect::<Vec<_>>()
    );
    // A table of whole chunks has nothing to give back but spare pointers.
    let mut whole: Nested<u64, 3> = (0..16).collect();
    let before = whole.bytes();
    whole.shrink_to_fit();
    assert_eq!(whole.bytes(), before);
    let mut one: Nested<u64, 6> = Nested::default();
    for i in 0..50 {
        one.push(i);
    }
    one.shrink_to_fit();
    assert_eq!(one.bytes(), group + counters + 50 * 8);
    let mut empty: Nested<u64, 3> = Nested::default();
    empty.shrink_to_fit();
    assert_eq!(empty.len(), 0);
}

#[test]
fn growing_a_nested_table_adds_only_the_chunks_it_needs() {
    // Past a whole first chunk, growth adds one pointer per chunk, all to
    // the one chunk of defaults, which `bytes` counts once.
    let mut table: Nested<u64, 2> = (1..=4).collect();
    assert!(table.try_grow_to(4 + 4 * 5 + 2).is_ok());
    assert_eq!(table.len(), 26);
    assert_eq!(table.groups.len(), 7);
    assert_eq!(table.present().count(), 4 + 2);
    let counters = 2 * std::mem::size_of::<usize>();
    let blank = counters + 4 * 8;
    let last = table
        .groups
        .get(6)
        .and_then(Option::as_ref)
        .map_or(0, |c| counters + c.len() * 8);
    assert_eq!(
        table.bytes(),
        table.groups.bytes() + (counters + 4 * 8) + last + blank
    );
    // Growing to its own length changes nothing: no entry, no chunk of
    // defaults.
    let mut short: Nested<u64, 2> = (1..=3).collect();
    let before = short.bytes();
    assert!(short.try_grow_to(3).is_ok());
    assert_eq!(short.len(), 3);
    assert_eq!(short.bytes(), before);
    assert!(short.blank.is_none());
}

#[test]
fn shrinking_a_nested_table_twice_copies_nothing() {
    // Once its last chunk holds only its entries, a shrink leaves the chunk
    // shared with a clone.
    let mut table: Nested<u64, 2> = Nested::default();
    for i in 0..3 {
        table.push(i);
    }
    table.shrink_to_fit();
    let clone = table.clone();
    table.shrink_to_fit();
    assert_eq!(table.shared_chunks(&clone), 1);
    assert_eq!(table, clone);
}
