//! [`ShortSet`]: the links a record has few of.

use thin_vec::ThinVec;

/// The many-sided ends of links (a role's users, a project's members and
/// objects, a group's members): a persistent B-tree set, sorted. A clone is
/// one reference count, and a change copies the nodes on its path, so the
/// records that own these sets share them with published views; removing
/// 100,000 members costs 100,000 steps of `O(log n)`, not their square.
pub(crate) type ManySet<T> = imbl::OrdSet<T>;

/// A set kept as a list in insertion order, for the sides of links that
/// hold a few ids (a user's roles, groups and projects; a group's roles and
/// projects; an object's projects). Searching a handful of ids beats
/// hashing them, and an empty set allocates nothing. The many-sided ends
/// (a role's users, a project's members and objects) are [`ManySet`]s.
///
/// Stored as a [`ThinVec`]: one word in the record (a record holds several
/// of these, most of them empty), its length and capacity in front of the
/// items in the one allocation, none while empty. The capacity is kept
/// exact (every edit gives back what it does not use): these sets change
/// far less often than they are read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ShortSet<T>(ThinVec<T>);

/// The bytes in front of a [`ShortSet`]'s items in its allocation: the
/// length and capacity, a word each (the items here are ids, aligned to at
/// most a word, so no padding follows).
const HEADER: usize = 2 * std::mem::size_of::<usize>();

/// Up to how many comparisons a batch is searched, as one-by-one inserts
/// do, rather than sorted.
const SEARCHED: usize = 256;

impl<T> Default for ShortSet<T> {
    fn default() -> Self {
        Self(ThinVec::new())
    }
}

impl<T: Copy + PartialEq> ShortSet<T> {
    /// An empty set.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Changes the list in place, then gives back the capacity it does not
    /// use (all of it when the list is left empty).
    fn edit(&mut self, edit: impl FnOnce(&mut ThinVec<T>)) {
        edit(&mut self.0);
        self.0.shrink_to_fit();
    }

    /// Adds `item` at the end unless present; says whether it was added.
    pub(crate) fn insert(&mut self, item: T) -> bool {
        if self.0.contains(&item) {
            return false;
        }
        self.0.reserve_exact(1);
        self.0.push(item);
        true
    }

    /// Removes `item`, keeping the order of the rest; says whether it was
    /// there.
    pub(crate) fn shift_remove(&mut self, item: &T) -> bool {
        let Some(at) = self.0.iter().position(|x| x == item) else {
            return false;
        };
        self.edit(|items| {
            items.remove(at);
        });
        true
    }

    pub(crate) fn contains(&self, item: &T) -> bool {
        self.0.contains(item)
    }

    /// Adds `item` in order unless present, in a set kept sorted.
    pub(crate) fn insert_sorted(&mut self, item: T) -> bool
    where
        T: Ord,
    {
        match self.0.binary_search(&item) {
            Ok(_) => false,
            Err(at) => {
                self.0.reserve_exact(1);
                self.0.insert(at, item);
                true
            }
        }
    }

    /// Adds each of `items` that is not present, at the end, in the order
    /// given (a repeated item once, where it first appears); says how many
    /// were added. The list grows once, to its exact size.
    ///
    /// Computes in **O((n + m) log(n + m))** time for `n` items held and
    /// `m` given (a short batch on a short set is searched, as `insert`
    /// does), so giving a record `m` links at once is not quadratic.
    pub(crate) fn extend_from(&mut self, items: &[T]) -> usize
    where
        T: Ord,
    {
        // Searching costs up to `m x (n + m)` comparisons.
        let searched = items
            .len()
            .saturating_mul(self.0.len().saturating_add(items.len()));
        if searched <= SEARCHED {
            return self.extend_searched(items);
        }
        let fresh = self.absent_of(items);
        if fresh.is_empty() {
            return 0;
        }
        self.0.reserve_exact(fresh.len());
        self.0.extend_from_slice(&fresh);
        fresh.len()
    }

    /// [`extend_from`](Self::extend_from) of a short batch, searched: the
    /// new items are counted first, so the list grows once to its exact
    /// size and no list of them is made (most changes give a record one to
    /// three links).
    fn extend_searched(&mut self, items: &[T]) -> usize {
        let fresh = |(at, item): (usize, &T)| {
            !self.0.contains(item) && !items.get(..at).is_some_and(|before| before.contains(item))
        };
        let added = items
            .iter()
            .enumerate()
            .filter(|&entry| fresh(entry))
            .count();
        if added == 0 {
            return 0;
        }
        self.0.reserve_exact(added);
        for &item in items {
            // The items added so far are in the list: a repeat is found.
            if !self.0.contains(&item) {
                self.0.push(item);
            }
        }
        added
    }

    /// The items of `items` not in the set, each once, in the order they
    /// first appear: sorted with their positions, then put back in order.
    fn absent_of(&self, items: &[T]) -> Vec<T>
    where
        T: Ord,
    {
        let mut held = self.0.to_vec();
        held.sort_unstable();
        let mut batch: Vec<(T, usize)> = items.iter().copied().zip(0..).collect();
        // Sorted by item, then position: `dedup` keeps each item's first.
        batch.sort_unstable();
        batch.dedup_by(|later, first| later.0 == first.0);
        batch.retain(|(item, _)| held.binary_search(item).is_err());
        batch.sort_unstable_by_key(|&(_, at)| at);
        batch.into_iter().map(|(item, _)| item).collect()
    }

    /// Adds each of `items` in order, in a set kept sorted: the batch is
    /// sorted and merged with the set in one pass; says how many were
    /// added. Computes in **O(n + m log m)** time.
    pub(crate) fn extend_sorted(&mut self, items: &[T]) -> usize
    where
        T: Ord,
    {
        let mut batch = items.to_vec();
        batch.sort_unstable();
        batch.dedup();
        let before = self.0.len();
        let mut all = ThinVec::with_capacity(before + batch.len());
        let mut held = self.0.iter().copied().peekable();
        for item in batch {
            while let Some(&first) = held.peek().filter(|&&first| first < item) {
                all.push(first);
                held.next();
            }
            if held.peek() != Some(&item) {
                all.push(item);
            }
        }
        all.extend(held);
        let added = all.len() - before;
        if added > 0 {
            all.shrink_to_fit();
            self.0 = all;
        }
        added
    }

    /// Removes each of `items`, keeping the order of the rest; says how
    /// many were there. Computes in **O((n + m) log m)** time.
    pub(crate) fn remove_all(&mut self, items: &[T]) -> usize
    where
        T: Ord,
    {
        if self.0.len().saturating_mul(items.len()) <= SEARCHED {
            return items.iter().filter(|&item| self.shift_remove(item)).count();
        }
        let mut gone = items.to_vec();
        gone.sort_unstable();
        let before = self.0.len();
        self.edit(|held| held.retain(|item| gone.binary_search(item).is_err()));
        before - self.0.len()
    }

    pub(crate) fn iter(&self) -> std::slice::Iter<'_, T> {
        self.0.iter()
    }

    pub(crate) fn as_slice(&self) -> &[T] {
        &self.0
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The set of `items`, which hold each item once (in the order kept).
    #[cfg(feature = "serde")] // the document loader's
    pub(crate) fn from_distinct(items: &[T]) -> Self {
        // One allocation of the exact size (none when empty), the items
        // copied once: converting a `Vec` would allocate a second time to
        // put the header in front (2.5% of loading L).
        let mut set = ThinVec::with_capacity(items.len());
        set.extend_from_slice(items);
        Self(set)
    }

    /// The bytes the list holds on the heap: its header and the capacity
    /// for its items (which is their number), none when empty.
    pub(crate) fn heap_bytes(&self) -> usize {
        match self.0.capacity() {
            0 => 0,
            capacity => HEADER + capacity * std::mem::size_of::<T>(),
        }
    }
}

#[cfg(test)]
mod tests;
