//! Finding a record of a document by id ([`Positions`]), and the links of a
//! list gathered by the record that stores their other side ([`Grouped`]):
//! what lets the loader check every reference without hashing an id, and
//! make each record once, with all its links.

/// Where each record of a document's list is, by id. `check_ids` proved
/// the ids sorted, each once, and below `nextIds`.
///
/// Memory grows with the records, not with the ids: a table by id when the
/// ids are dense enough (at most 4 per record, plus 64), otherwise a binary
/// search of the sorted ids.
#[derive(Default)]
pub(super) struct Positions {
    /// The sorted ids, when the table is not used.
    ids: Vec<u32>,
    /// By id: the position, or `u32::MAX` for an id without a record.
    by_id: Vec<u32>,
}

impl Positions {
    /// The positions of `ids`, sorted and each once, given in list order.
    pub(super) fn new(ids: Vec<u32>) -> Self {
        let span = ids.last().map_or(0, |&last| last as usize + 1);
        if span > ids.len().saturating_mul(4).saturating_add(64) {
            return Self {
                ids,
                by_id: Vec::new(),
            };
        }
        let mut by_id = vec![u32::MAX; span];
        for (position, &id) in ids.iter().enumerate() {
            if let (Some(slot), Ok(position)) = (by_id.get_mut(id as usize), position.try_into()) {
                *slot = position;
            }
        }
        Self {
            ids: Vec::new(),
            by_id,
        }
    }

    /// The position of the record with id `id`, if the list has one.
    #[inline]
    pub(super) fn of(&self, id: u32) -> Option<usize> {
        if self.ids.is_empty() {
            let position = *self.by_id.get(id as usize)?;
            (position != u32::MAX).then_some(position as usize)
        } else {
            self.ids.binary_search(&id).ok()
        }
    }
}

/// Items gathered by the position of the record they belong to: a
/// counting sort, stable, so each record's items keep the order they were
/// found in (the loader finds them in id order, so they come sorted).
pub(super) struct Grouped<T> {
    /// Where each record's items start in `items`; one more than records.
    starts: Vec<u32>,
    items: Vec<T>,
}

impl<T: Copy> Grouped<T> {
    /// `found` (record position, item) gathered for `records` records.
    /// Positions at or past `records` are left out (the loader never makes
    /// one).
    pub(super) fn new(records: usize, found: &[(u32, T)]) -> Self {
        let mut starts = vec![0u32; records + 1];
        for &(record, _) in found {
            if let Some(count) = starts.get_mut(record as usize + 1) {
                *count += 1;
            }
        }
        let mut total = 0;
        for start in &mut starts {
            total += *start;
            *start = total;
        }
        // `next[r]`: where record `r`'s next item goes; `order`: which item
        // of `found` goes at each place.
        let mut next = starts.clone();
        let mut order = vec![0u32; total as usize];
        for (i, &(record, _)) in found.iter().enumerate() {
            let Some(at) = next.get_mut(record as usize) else {
                continue;
            };
            if let Some(slot) = order.get_mut(*at as usize) {
                *slot = i as u32;
            }
            *at += 1;
        }
        let items = (order.iter())
            .filter_map(|&i| found.get(i as usize).map(|&(_, item)| item))
            .collect();
        Self { starts, items }
    }

    /// The items of the record at `position`, in the order found.
    pub(super) fn of(&self, position: usize) -> &[T] {
        let start = self.starts.get(position).copied().unwrap_or(0) as usize;
        let end = self.starts.get(position + 1).copied().unwrap_or(0) as usize;
        self.items.get(start..end).unwrap_or(&[])
    }
}

#[cfg(test)]
mod tests {
    use super::{Grouped, Positions};

    #[test]
    fn positions_by_table_and_by_search_agree() {
        let dense = Positions::new(vec![0, 2, 3, 7]);
        let sparse = Positions::new(vec![0, 2, 3, 7, 1_000_000]);
        assert!(sparse.by_id.is_empty(), "a far id is searched for");
        for positions in [&dense, &sparse] {
            assert_eq!(positions.of(0), Some(0));
            assert_eq!(positions.of(3), Some(2));
            assert_eq!(positions.of(7), Some(3));
            assert_eq!(positions.of(1), None);
            assert_eq!(positions.of(8), None);
            assert_eq!(positions.of(u32::MAX), None);
        }
        assert_eq!(sparse.of(1_000_000), Some(4));
        assert_eq!(Positions::new(Vec::new()).of(0), None);
    }

    #[test]
    fn grouped_items_keep_the_order_found() {
        let found = [(2, 'a'), (0, 'b'), (2, 'c'), (9, 'x'), (0, 'd')];
        let grouped = Grouped::new(3, &found);
        assert_eq!(grouped.of(0), ['b', 'd']);
        assert_eq!(grouped.of(1), [] as [char; 0]);
        assert_eq!(grouped.of(2), ['a', 'c']);
        assert_eq!(grouped.of(3), [] as [char; 0]);
    }
}
