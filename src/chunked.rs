//! [`Chunked`]: a table indexed by dense ids, in fixed-size shared chunks,
//! so that a copy of a company shares every chunk a change did not touch.

// How it works
// ============
//
// A table of up to `N` entries is one slice (`small`), which grows by
// doubling, so a small company pays for the entries it has. Past `N`
// entries the table is a list of chunks of exactly `N` entries each, the
// last padded with `T::default()`: `Arc<[T; N]>`, whose length the compiler
// knows. A lookup in a large table is then one bounds test (the chunk
// number against the number of chunks), one load of the chunk's (thin)
// pointer and one load of the entry; the offset in the chunk needs no test.
// A lookup that finds no chunk falls to the slice, empty in a large table:
// a small table pays that one test more.

use std::sync::Arc;

/// A growable table of `T` indexed like a `Vec`, stored as chunks of `N`
/// entries (a power of two) behind `Arc`s.
///
/// Cloning copies the list of chunk pointers, not the entries: a company
/// published to readers and the writer's own copy share every chunk until
/// the writer changes an entry in it, which copies that one chunk. A reader
/// holding the older copy keeps its chunks.
///
/// Up to `N` entries sit in one slice that grows by doubling; past that
/// every chunk is whole, the last padded. The slots past `len` hold
/// `T::default()` and are never returned by [`get`](Self::get).
///
/// `N` is chosen per table: large for the check's small `Copy` entries
/// (fewer chunks to share, one memory copy to change one), small for records
/// that own heap data (a change clones the records of one chunk).
#[derive(Clone)]
pub(crate) struct Chunked<T, const N: usize> {
    // INVARIANT (shape): when `len > N`, `chunks` holds every entry, `N` to
    // a chunk (the last padded with `T::default()`), and `small` is empty;
    // otherwise `chunks` is empty and `small` holds the `len` entries
    // (padded with `T::default()` up to its length, at most `N`).
    chunks: Vec<Arc<[T; N]>>,
    small: Arc<[T]>,
    len: usize,
}

impl<T, const N: usize> Default for Chunked<T, N> {
    fn default() -> Self {
        Self {
            chunks: Vec::new(),
            small: Arc::default(),
            len: 0,
        }
    }
}

impl<T: std::fmt::Debug, const N: usize> std::fmt::Debug for Chunked<T, N> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<T: PartialEq, const N: usize> PartialEq for Chunked<T, N> {
    fn eq(&self, other: &Self) -> bool {
        self.len == other.len && self.iter().eq(other.iter())
    }
}

impl<T: Eq, const N: usize> Eq for Chunked<T, N> {}

impl<T, const N: usize> Chunked<T, N> {
    const POWER_OF_TWO: () = assert!(N.is_power_of_two());

    /// The number of entries.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The entry at `index`, or `None` past the end.
    #[inline(always)]
    pub(crate) fn get(&self, index: usize) -> Option<&T> {
        if index >= self.len {
            return None;
        }
        self.get_or_padding(index)
    }

    /// The entry at `index`, or `T::default()` in the padding just past the
    /// end, or `None` further on: one comparison less than [`get`](Self::get),
    /// for tables whose default entry means "no such id" (the check's).
    #[inline(always)]
    pub(crate) fn get_or_padding(&self, index: usize) -> Option<&T> {
        let () = Self::POWER_OF_TWO;
        match self.chunks.get(index / N) {
            // `N` is known: no bounds test on the offset.
            Some(chunk) => chunk.get(index % N),
            None => self.small.get(index),
        }
    }

    /// The entries of chunk `at` (`N` to a chunk, the last cut at
    /// [`len`](Self::len); a small table is chunk 0), or `None` past the
    /// last: a walk of the table one slice at a time.
    pub(crate) fn chunk(&self, at: usize) -> Option<&[T]> {
        let start = at.checked_mul(N)?;
        let end = self.len.min(start.saturating_add(N));
        if start >= end {
            return None;
        }
        match self.chunks.get(at) {
            Some(chunk) => chunk.get(..end - start),
            None => self.small.get(start..end),
        }
    }

    /// The entries in order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &T> + '_ {
        self.chunks
            .iter()
            .flat_map(|chunk| chunk.iter())
            .chain(self.small.iter())
            .take(self.len)
    }

    /// The bytes the table holds: its chunk pointers and every slot of its
    /// chunks (chunks shared with clones included; a run of pointers to one
    /// chunk, as [`grow_to`](Self::grow_to) makes, counted once), not what
    /// the entries own.
    pub(crate) fn bytes(&self) -> usize {
        // Each `Arc` allocation also holds its two counters.
        let counters = 2 * std::mem::size_of::<usize>();
        let mut previous: Option<&Arc<[T; N]>> = None;
        let mut slots = 0;
        for chunk in &self.chunks {
            if !previous.is_some_and(|p| Arc::ptr_eq(p, chunk)) {
                slots += counters + std::mem::size_of::<[T; N]>();
            }
            previous = Some(chunk);
        }
        if !self.small.is_empty() {
            slots += counters + std::mem::size_of_val::<[T]>(&self.small);
        }
        self.chunks.capacity() * std::mem::size_of::<Arc<[T; N]>>() + slots
    }

    /// The number of chunks (a small table's slice counts as one).
    #[cfg(test)]
    pub(crate) fn chunks(&self) -> usize {
        self.chunks.len() + usize::from(!self.small.is_empty())
    }

    /// How many chunks this table shares with `other` (the same allocation):
    /// for tests of structural sharing.
    #[cfg(test)]
    pub(crate) fn shared_chunks(&self, other: &Self) -> usize {
        let small = !self.small.is_empty() && Arc::ptr_eq(&self.small, &other.small);
        self.chunks
            .iter()
            .zip(&other.chunks)
            .filter(|(a, b)| Arc::ptr_eq(a, b))
            .count()
            + usize::from(small)
    }
}

impl<T: Clone + Default, const N: usize> Chunked<T, N> {
    /// The entry at `index` for writing, or `None` past the end. Copies its
    /// chunk first when a clone of the table shares it.
    #[inline]
    pub(crate) fn get_mut(&mut self, index: usize) -> Option<&mut T> {
        if index >= self.len {
            return None;
        }
        match self.chunks.get_mut(index / N) {
            Some(chunk) => unshare(chunk).get_mut(index % N),
            None => Arc::make_mut(&mut self.small).get_mut(index),
        }
    }

    /// Adds `value` at the end.
    pub(crate) fn push(&mut self, value: T) {
        if self.len < N {
            put_in_last(&mut self.small, self.len, N, value);
            self.len += 1;
            return;
        }
        self.promote();
        if self.len % N == 0 {
            self.chunks.push(whole(Vec::new()));
        }
        let offset = self.len % N;
        if let Some(slot) = self
            .chunks
            .last_mut()
            .and_then(|c| unshare(c).get_mut(offset))
        {
            *slot = value;
        }
        self.len += 1;
    }

    /// Makes the slice of a full small table (`N` entries) its first whole
    /// chunk, before entries are added past it.
    fn promote(&mut self) {
        if self.chunks.is_empty() && self.len == N {
            let small = std::mem::take(&mut self.small);
            self.chunks.push(whole(small.iter().cloned().collect()));
        }
    }

    /// Grows the table to `len` entries with `T::default()`; never shrinks.
    /// Whole chunks of defaults share one allocation, so that ids never
    /// used cost one pointer per chunk.
    pub(crate) fn grow_to(&mut self, len: usize) {
        self.chunks.reserve(Self::chunks_to_add(self.len, len));
        self.extend_with(len, T::default());
    }

    /// [`grow_to`](Self::grow_to) with `value`, asking for the chunk
    /// pointers with `try_reserve`: for sizes read from input.
    #[cfg(any(feature = "serde", test))] // the document loader's
    pub(crate) fn try_grow_with(
        &mut self,
        len: usize,
        value: T,
    ) -> Result<(), std::collections::TryReserveError> {
        self.try_reserve_to(len)?;
        self.extend_with(len, value);
        Ok(())
    }

    /// Asks for the chunk pointers `len` entries need with `try_reserve`,
    /// adding no entry.
    #[cfg(any(feature = "serde", test))] // the document loader's
    pub(crate) fn try_reserve_to(
        &mut self,
        len: usize,
    ) -> Result<(), std::collections::TryReserveError> {
        self.chunks.try_reserve(Self::chunks_to_add(self.len, len))
    }

    /// How many more chunk pointers `len` entries need.
    fn chunks_to_add(from: usize, len: usize) -> usize {
        let chunks = |len: usize| if len > N { len.div_ceil(N) } else { 0 };
        chunks(len).saturating_sub(chunks(from))
    }

    /// Appends copies of `value` up to `len` entries: one at a time up to a
    /// chunk boundary, then whole chunks sharing one allocation, then the
    /// rest one at a time.
    fn extend_with(&mut self, len: usize, value: T) {
        while self.len < len && (self.len % N != 0 || self.len == 0) {
            self.push(value.clone());
        }
        let whole_chunks = len.saturating_sub(self.len) / N;
        if whole_chunks > 0 {
            self.promote();
            let shared: Arc<[T; N]> = whole(vec![value.clone(); N]);
            self.chunks
                .extend(std::iter::repeat_with(|| Arc::clone(&shared)).take(whole_chunks));
            self.len += whole_chunks * N;
        }
        while self.len < len {
            self.push(value.clone());
        }
    }

    /// Gives back the padding of a small table's slice, and spare chunk
    /// pointers (the last whole chunk keeps its padding).
    pub(crate) fn shrink_to_fit(&mut self) {
        if self.small.len() > self.len {
            self.small = self.small.iter().take(self.len).cloned().collect();
        }
        self.chunks.shrink_to_fit();
    }
}

impl<T: Clone + Default, const N: usize> FromIterator<T> for Chunked<T, N> {
    fn from_iter<I: IntoIterator<Item = T>>(entries: I) -> Self {
        let mut table = Self::default();
        for entry in entries {
            table.push(entry);
        }
        table
    }
}

/// `entries` padded with `T::default()` (or cut) to `N`, as one whole chunk.
fn whole<T: Default, const N: usize>(mut entries: Vec<T>) -> Arc<[T; N]> {
    entries.resize_with(N, T::default);
    let chunk: Arc<[T]> = Arc::from(entries);
    // The length is `N`: the conversion cannot fail.
    Arc::<[T; N]>::try_from(chunk)
        .unwrap_or_else(|_| Arc::new(std::array::from_fn(|_| T::default())))
}

/// The chunk for writing: copied first when a clone of the table shares it
/// (through the heap, never a copy of the whole array on the stack).
///
/// Every write of a table comes here, so a chunk the table owns alone costs
/// one atomic exchange (`make_mut`'s), not two: whether it is shared is
/// read from its count. A count of 1 cannot rise while this table holds the
/// only pointer (a chunk is never pointed at weakly), so `make_mut` then
/// finds it unique; a count read too high (a clone dropped meanwhile) only
/// copies the chunk.
fn unshare<T: Clone + Default, const N: usize>(chunk: &mut Arc<[T; N]>) -> &mut [T; N] {
    if Arc::strong_count(chunk) != 1 {
        *chunk = whole(chunk.to_vec());
    }
    Arc::make_mut(chunk)
}

/// A [`Chunked`] table of chunks: for tables of records, whose chunks are
/// small (a change clones the records of one chunk, with what they own) and
/// therefore many. A clone copies one pointer per `64 << BITS` entries; a
/// change copies one group of 64 chunk pointers and one chunk of records.
/// A lookup reads the group's chunk, the chunk's pointer, then the entry.
#[derive(Clone, Default)]
pub(crate) struct Nested<T, const BITS: u32> {
    // INVARIANT: chunk `i` is `groups[i]`; every chunk but the last holds
    // `1 << BITS` entries, the last at least the rest (padded with
    // `T::default()`); `len` entries are in use. `None` only past the end.
    groups: Chunked<Option<Arc<[T]>>, 64>,
    len: usize,
    /// The chunk of defaults that every chunk added by
    /// [`try_grow_to`](Self::try_grow_to) shares, if any: [`present`](Self::present)
    /// skips it.
    blank: Option<Arc<[T]>>,
}

impl<T: std::fmt::Debug, const BITS: u32> std::fmt::Debug for Nested<T, BITS> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<T: PartialEq, const BITS: u32> PartialEq for Nested<T, BITS> {
    fn eq(&self, other: &Self) -> bool {
        self.len == other.len && self.iter().eq(other.iter())
    }
}

impl<T: Eq, const BITS: u32> Eq for Nested<T, BITS> {}

impl<T, const BITS: u32> Nested<T, BITS> {
    const MASK: usize = (1 << BITS) - 1;

    /// The number of entries.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The entry at `index`, or `None` past the end.
    #[inline]
    pub(crate) fn get(&self, index: usize) -> Option<&T> {
        if index >= self.len {
            return None;
        }
        self.groups
            .get(index >> BITS)?
            .as_ref()?
            .get(index & Self::MASK)
    }

    /// The entries in order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &T> + '_ {
        self.groups
            .iter()
            .flatten()
            .flat_map(|chunk| chunk.iter())
            .take(self.len)
    }

    /// The entries with their indices, in order, leaving out the chunks of
    /// defaults [`try_grow_to`](Self::try_grow_to) added (and not written
    /// since): what a scan of live records needs, in time proportional to
    /// the records rather than to the ids.
    pub(crate) fn present(&self) -> impl Iterator<Item = (usize, &T)> + '_ {
        self.groups
            .iter()
            .enumerate()
            .filter_map(|(at, chunk)| {
                let chunk = chunk.as_ref()?;
                let blank = self.blank.as_ref().is_some_and(|b| Arc::ptr_eq(b, chunk));
                (!blank).then_some((at << BITS, chunk))
            })
            .flat_map(|(start, chunk)| chunk.iter().enumerate().map(move |(i, e)| (start + i, e)))
            .take_while(|&(index, _)| index < self.len)
    }

    /// The bytes the table holds: its chunk pointers and every slot of its
    /// chunks (the chunk of defaults that growth shares counted once), not
    /// what the entries own. Computes in O(chunks).
    pub(crate) fn bytes(&self) -> usize {
        let counters = 2 * std::mem::size_of::<usize>();
        let chunk = |chunk: &Arc<[T]>| counters + std::mem::size_of_val::<[T]>(chunk);
        let blank = self.blank.as_ref();
        let chunks = (self.groups.iter().flatten())
            .filter(|c| !blank.is_some_and(|b| Arc::ptr_eq(b, c)))
            .map(chunk)
            .sum::<usize>();
        self.groups.bytes() + chunks + blank.map_or(0, chunk)
    }

    /// How many chunks of entries this table shares with `other`: for tests
    /// of structural sharing.
    #[cfg(test)]
    pub(crate) fn shared_chunks(&self, other: &Self) -> usize {
        self.groups
            .iter()
            .zip(other.groups.iter())
            .filter(|(a, b)| match (a, b) {
                (Some(a), Some(b)) => Arc::ptr_eq(a, b),
                _ => false,
            })
            .count()
    }

    /// The number of chunks of entries.
    #[cfg(test)]
    pub(crate) fn chunks(&self) -> usize {
        self.groups.iter().flatten().count()
    }
}

impl<T: Clone + Default, const BITS: u32> Nested<T, BITS> {
    /// The entry at `index` for writing, copying the group of chunk pointers
    /// and the chunk a clone shares.
    pub(crate) fn get_mut(&mut self, index: usize) -> Option<&mut T> {
        if index >= self.len {
            return None;
        }
        let chunk = self.groups.get_mut(index >> BITS)?.as_mut()?;
        Arc::make_mut(chunk).get_mut(index & Self::MASK)
    }

    /// Adds `value` at the end.
    pub(crate) fn push(&mut self, value: T) {
        let (at, offset) = (self.len >> BITS, self.len & Self::MASK);
        if at == self.groups.len() {
            self.groups.push(None);
        }
        let Some(slot) = self.groups.get_mut(at) else {
            return;
        };
        let chunk = slot.get_or_insert_with(|| padded(Vec::new(), 1));
        if put_in_last(chunk, offset, 1 << BITS, value) {
            self.len += 1;
        }
    }

    /// Grows the table to `len` entries of `T::default()`; never shrinks.
    /// Whole chunks of defaults share one allocation (one pointer each,
    /// which [`present`](Self::present) skips), and the pointers are asked
    /// for with `try_reserve`: a table sized from input costs one pointer
    /// (16 bytes) per `64 << BITS` unused ids, and a size the machine cannot
    /// hold is an error, not an abort.
    #[cfg(any(feature = "serde", test))] // the document loader's
    pub(crate) fn try_grow_to(
        &mut self,
        len: usize,
    ) -> Result<(), std::collections::TryReserveError> {
        while self.len < len && self.len & Self::MASK != 0 {
            self.push(T::default());
        }
        let whole = len.saturating_sub(self.len) >> BITS;
        if whole > 0 {
            let blank = Arc::clone(
                self.blank
                    .get_or_insert_with(|| vec![T::default(); 1 << BITS].into()),
            );
            let groups = (self.len >> BITS) + whole;
            self.groups.try_grow_with(groups, Some(blank))?;
            self.len += whole << BITS;
        }
        while self.len < len {
            self.push(T::default());
        }
        Ok(())
    }

    /// Gives back the padding of the last chunk (which growth doubles, as
    /// [`push`](Self::push) fills it) and of the list of chunk pointers:
    /// each slot then holds an entry. A chunk shared with a clone is copied
    /// (its entries cloned); one this table owns gives its entries up.
    pub(crate) fn shrink_to_fit(&mut self) {
        let used = self.len & Self::MASK;
        let at = self.len >> BITS;
        let padded = used != 0
            && self
                .groups
                .get(at)
                .and_then(Option::as_ref)
                .is_some_and(|c| c.len() > used);
        if padded {
            if let Some(Some(chunk)) = self.groups.get_mut(at) {
                let entries: Vec<T> = match Arc::get_mut(chunk) {
                    Some(own) => own.iter_mut().take(used).map(std::mem::take).collect(),
                    None => chunk.iter().take(used).cloned().collect(),
                };
                *chunk = Arc::from(entries);
            }
        }
        self.groups.shrink_to_fit();
    }
}

impl<T: Clone + Default, const BITS: u32> FromIterator<T> for Nested<T, BITS> {
    fn from_iter<I: IntoIterator<Item = T>>(entries: I) -> Self {
        let mut table = Self::default();
        let mut entries = entries.into_iter().peekable();
        while entries.peek().is_some() {
            let chunk: Vec<T> = entries.by_ref().take(1 << BITS).collect();
            table.len += chunk.len();
            table.groups.push(Some(Arc::from(chunk)));
        }
        table
    }
}

/// Writes `value` at `offset` of the last chunk of a table, first doubling
/// the chunk (up to `max` slots) when it is full; says whether it was
/// written (`offset` below `max`). The entries move to the doubled chunk
/// unless a clone of the table shares it: records that own heap data are
/// not copied as they load.
fn put_in_last<T: Clone + Default>(
    chunk: &mut Arc<[T]>,
    offset: usize,
    max: usize,
    value: T,
) -> bool {
    if chunk.len() <= offset {
        let grown = (chunk.len() * 2).clamp(offset + 1, max);
        let entries = match Arc::get_mut(chunk) {
            Some(own) => own.iter_mut().map(std::mem::take).collect(),
            None => chunk.iter().cloned().collect(),
        };
        *chunk = padded(entries, grown);
    }
    match Arc::make_mut(chunk).get_mut(offset) {
        Some(slot) => {
            *slot = value;
            true
        }
        None => false,
    }
}

/// `entries` followed by `T::default()` up to `len` slots, as one chunk.
fn padded<T: Default>(mut entries: Vec<T>, len: usize) -> Arc<[T]> {
    entries.resize_with(len.max(entries.len()), T::default);
    Arc::from(entries)
}

#[cfg(test)]
mod tests;
