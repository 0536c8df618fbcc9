//! The side tables of a [`Snapshot`](super::Snapshot)'s project lists
//! ([`Spill`]): lists too long to sit inline in their entry, and the lists of
//! users given roles within projects with the permissions given within each
//! project ([`Granted`]).

use super::layout::{GRANTED, GRANTED_SPILLED, IdList, SPILLED};
use crate::catalog::Word;
use crate::chunked::Chunked;
use std::collections::TryReserveError;

/// How many projects a [`Granted`] record holds.
pub(super) const GRANTED_INLINE: usize = 4;

/// A user given roles within projects, in up to [`GRANTED_INLINE`]
/// projects: the sorted project ids and, side by side, the permissions given
/// within each. One cache line with a 64-bit catalog word, so the check
/// reads it in one go. Unused slots repeat the first project and its
/// permissions, so comparing every slot needs no mask.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[repr(align(64))]
pub(crate) struct Granted<W> {
    ids: [u32; GRANTED_INLINE],
    len: u32,
    words: [W; GRANTED_INLINE],
}

impl<W: Word> Granted<W> {
    /// The record of `ids` (sorted, 1 to [`GRANTED_INLINE`] of them) and
    /// `words` side by side.
    fn new(ids: &[u32], words: &[W]) -> Self {
        let mut record = Self {
            ids: [ids.first().copied().unwrap_or(0); GRANTED_INLINE],
            len: ids.len().min(GRANTED_INLINE) as u32,
            words: [words.first().copied().unwrap_or_default(); GRANTED_INLINE],
        };
        for (slot, &id) in record.ids.iter_mut().zip(ids) {
            *slot = id;
        }
        for (slot, &word) in record.words.iter_mut().zip(words) {
            *slot = word;
        }
        record
    }

    fn ids(&self) -> &[u32] {
        self.ids.get(..self.len as usize).unwrap_or(&[])
    }

    fn words(&self) -> &[W] {
        self.words.get(..self.len as usize).unwrap_or(&[])
    }

    /// Whether the user shares a project with an inline list `other`
    /// (padded as [`IdList`] pads), and the union of the permissions given
    /// within the shared projects. Compares every pair of slots without a
    /// branch: which projects match differs from question to question.
    #[inline(always)]
    pub(super) fn reach<const M: usize>(
        &self,
        other: &[u32; M],
        other_nonempty: bool,
    ) -> (bool, W) {
        let none = W::default();
        let mut shared = false;
        let mut within = none;
        for (&id, &word) in self.ids.iter().zip(&self.words) {
            let mut hit = other_nonempty;
            let mut any = false;
            for &theirs in other {
                any |= id == theirs;
            }
            hit &= any;
            shared |= hit;
            // All ones when `hit`, else none: no branch on it.
            let mask = if hit { !none } else { none };
            within = within | (word & mask);
        }
        (shared, within)
    }
}

/// The side tables of the project lists. Slots are reused after a list
/// shrinks back inline, so the tables do not grow with churn.
///
/// A long list is shared by every user whose rights reach the same
/// projects through the same links (issue 27: U users in a group that sits
/// in P projects hold one list of P ids, not U of them): `refs` counts the
/// entries that name a slot, and the slot is freed when the last lets go.
#[derive(Debug, Clone)]
pub(crate) struct Spill<W> {
    /// Lists too long to sit inline (`SPILLED`, `GRANTED_SPILLED`).
    pub(super) lists: Chunked<Box<[u32]>, 64>,
    /// Side by side with `lists`: the permissions given within each project
    /// of a `GRANTED_SPILLED` list; empty for the others.
    pub(super) words: Chunked<Box<[W]>, 64>,
    /// Side by side with `lists`: how many entries name each slot (0 for a
    /// free slot).
    pub(super) refs: Chunked<u32, 64>,
    pub(super) free: Vec<u32>,
    /// Users given roles within up to [`GRANTED_INLINE`] projects
    /// (`GRANTED`).
    pub(super) granted: Chunked<Granted<W>, 256>,
    pub(super) granted_free: Vec<u32>,
}

impl<W> Default for Spill<W> {
    fn default() -> Self {
        Self {
            lists: Chunked::default(),
            words: Chunked::default(),
            refs: Chunked::default(),
            free: Vec::new(),
            granted: Chunked::default(),
            granted_free: Vec::new(),
        }
    }
}

impl<W: Word> Spill<W> {
    /// The record at a `GRANTED` slot.
    #[inline(always)]
    pub(super) fn granted(&self, slot: u32) -> Option<&Granted<W>> {
        self.granted.get(slot as usize)
    }

    /// The ids of the list stored under `tag` at `slot`.
    #[inline]
    pub(super) fn ids(&self, tag: u32, slot: u32) -> &[u32] {
        if tag == GRANTED {
            return self.granted(slot).map_or(&[], Granted::ids);
        }
        self.lists.get(slot as usize).map_or(&[], |list| list)
    }

    /// The permissions side by side with [`ids`](Self::ids).
    #[inline]
    pub(super) fn words(&self, tag: u32, slot: u32) -> &[W] {
        match tag {
            GRANTED => self.granted(slot).map_or(&[], Granted::words),
            GRANTED_SPILLED => self.words.get(slot as usize).map_or(&[], |words| words),
            _ => &[],
        }
    }

    /// Stores sorted `ids` as a list, giving back the side-table slot `old`
    /// had, if any. `within` is empty, or holds the permissions given within
    /// each project of `ids`: then the list goes to a side table even when
    /// it is short.
    pub(super) fn store<const N: usize>(
        &mut self,
        old: IdList<N>,
        ids: &[u32],
        within: &[W],
    ) -> IdList<N> {
        self.try_store(old, ids, within)
            .unwrap_or_else(|_| allocation_failed(ids.len()))
    }

    /// [`store`](Self::store), asking for a long list's memory with
    /// `try_reserve`: for the loader, whose lists are sized from input.
    /// `old`'s slot is given back first, as by `store`.
    pub(super) fn try_store<const N: usize>(
        &mut self,
        old: IdList<N>,
        ids: &[u32],
        within: &[W],
    ) -> Result<IdList<N>, TryReserveError> {
        if let Some((tag, slot)) = old.stored_at() {
            self.release(tag, slot);
        }
        let list = if within.is_empty() {
            if ids.len() <= N {
                IdList::inline(ids)
            } else {
                IdList::stored(SPILLED, self.store_list(ids, &[])?)
            }
        } else if ids.len() <= GRANTED_INLINE {
            IdList::stored(GRANTED, self.store_granted(Granted::new(ids, within)))
        } else {
            IdList::stored(GRANTED_SPILLED, self.store_list(ids, within)?)
        };
        Ok(list)
    }

    /// Stores a long list (and its permissions) in a free or new slot,
    /// named by one entry.
    fn store_list(&mut self, ids: &[u32], within: &[W]) -> Result<u32, TryReserveError> {
        let (ids, within) = (boxed(ids)?, boxed(within)?);
        let slot = self.free.pop();
        Ok(
            match slot.and_then(|s| Some((self.lists.get_mut(s as usize)?, s))) {
                Some((list, slot)) => {
                    *list = ids;
                    if let Some(words) = self.words.get_mut(slot as usize) {
                        *words = within;
                    }
                    if let Some(refs) = self.refs.get_mut(slot as usize) {
                        *refs = 1;
                    }
                    slot
                }
                None => {
                    self.lists.push(ids);
                    self.words.push(within);
                    self.refs.push(1);
                    slot_of(self.lists.len())
                }
            },
        )
    }

    /// `list` named by one more entry: a list in `lists` is shared (its
    /// slot counts one more reference), a `GRANTED` record is copied (it is
    /// one cache line), an inline list is its own copy.
    pub(super) fn share<const N: usize>(&mut self, list: IdList<N>) -> IdList<N> {
        match list.stored_at() {
            Some((GRANTED, slot)) => {
                let record = self.granted(slot).copied().unwrap_or_default();
                IdList::stored(GRANTED, self.store_granted(record))
            }
            Some((_, slot)) => {
                if let Some(refs) = self.refs.get_mut(slot as usize) {
                    *refs = refs.saturating_add(1);
                }
                list
            }
            None => list,
        }
    }

    /// Stores a `GRANTED` record in a free or new slot.
    fn store_granted(&mut self, record: Granted<W>) -> u32 {
        match self.granted_free.pop() {
            Some(slot) => {
                if let Some(at) = self.granted.get_mut(slot as usize) {
                    *at = record;
                }
                slot
            }
            None => {
                self.granted.push(record);
                slot_of(self.granted.len())
            }
        }
    }

    /// One entry lets go of the list at `slot`: the slot is freed when no
    /// entry names it any more.
    fn release(&mut self, tag: u32, slot: u32) {
        if tag == GRANTED {
            if self.granted.get(slot as usize).is_some() {
                self.granted_free.push(slot);
            }
            return;
        }
        let Some(refs) = self.refs.get_mut(slot as usize) else {
            return;
        };
        *refs = refs.saturating_sub(1);
        if *refs > 0 {
            return;
        }
        if let (Some(list), Some(words)) = (
            self.lists.get_mut(slot as usize),
            self.words.get_mut(slot as usize),
        ) {
            *list = Box::default();
            *words = Box::default();
            self.free.push(slot);
        }
    }

    /// Gives back spare capacity.
    pub(super) fn shrink_to_fit(&mut self) {
        self.lists.shrink_to_fit();
        self.words.shrink_to_fit();
        self.refs.shrink_to_fit();
        self.free.shrink_to_fit();
        self.granted.shrink_to_fit();
        self.granted_free.shrink_to_fit();
    }

    pub(super) fn bytes(&self) -> usize {
        use std::mem::size_of;
        self.lists.bytes()
            + self.words.bytes()
            + self.refs.bytes()
            + (self.free.capacity() + self.granted_free.capacity()) * size_of::<u32>()
            + self.granted.bytes()
            + self
                .lists
                .iter()
                .map(|l| l.len() * size_of::<u32>())
                .sum::<usize>()
            + self
                .words
                .iter()
                .map(|w| w.len() * size_of::<W>())
                .sum::<usize>()
    }
}

/// Ends the process as the standard collections do when the allocator
/// cannot give a list of `len` ids: for the paths that are not the
/// loader's, whose allocations are the standard collections' anyway.
pub(crate) fn allocation_failed(len: usize) -> ! {
    let layout = std::alloc::Layout::array::<u32>(len);
    std::alloc::handle_alloc_error(layout.unwrap_or(std::alloc::Layout::new::<u32>()))
}

/// A copy of `items` in memory asked for with `try_reserve`.
fn boxed<T: Copy>(items: &[T]) -> Result<Box<[T]>, TryReserveError> {
    let mut copy = Vec::new();
    copy.try_reserve_exact(items.len())?;
    copy.extend_from_slice(items);
    Ok(copy.into_boxed_slice())
}

/// The slot of the last entry of a table of `len` entries.
fn slot_of(len: usize) -> u32 {
    u32::try_from(len.saturating_sub(1)).unwrap_or(u32::MAX)
}

/// Whether sorted `a` and `b` share an id, and the union of `a_within`
/// (empty, or side by side with `a`) over the shared ids: a merge walk,
/// O(a + b), or, when one list is many times longer than the other (a user
/// reaching thousands of projects, an object in one or two), a binary
/// search of the longer for each id of the shorter, O(short * log long).
#[inline]
pub(super) fn shared_with_words<W: Word>(a: &[u32], a_within: &[W], b: &[u32]) -> (bool, W) {
    let (mut shared, mut within) = (false, W::default());
    let mut hit = |at: usize| {
        shared = true;
        if let Some(&word) = a_within.get(at) {
            within = within | word;
        }
    };
    if a.len() > SEARCH_FACTOR * b.len() {
        for y in b {
            if let Ok(at) = a.binary_search(y) {
                hit(at);
            }
        }
    } else if b.len() > SEARCH_FACTOR * a.len() {
        for (at, x) in a.iter().enumerate() {
            if b.binary_search(x).is_ok() {
                hit(at);
            }
        }
    } else {
        let (mut i, mut j) = (0, 0);
        while let (Some(&x), Some(&y)) = (a.get(i), b.get(j)) {
            match x.cmp(&y) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    hit(i);
                    i += 1;
                    j += 1;
                }
            }
        }
    }
    (shared, within)
}

/// How many times longer than the other a list must be for
/// [`shared_with_words`] to search it rather than walk both.
pub(super) const SEARCH_FACTOR: usize = 16;
