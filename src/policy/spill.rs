//! The side tables of a [`Snapshot`](super::Snapshot)'s project lists
//! ([`Spill`]): lists too long to sit inline in their entry, and the lists of
//! users given roles within projects with the permissions given within each
//! project ([`Granted`]).

use super::layout::{GRANTED, GRANTED_SPILLED, IdList, SPILLED};
use crate::catalog::Word;
use crate::chunked::Chunked;

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
#[derive(Debug, Clone)]
pub(crate) struct Spill<W> {
    /// Lists too long to sit inline (`SPILLED`, `GRANTED_SPILLED`).
    pub(super) lists: Chunked<Box<[u32]>, 64>,
    /// Side by side with `lists`: the permissions given within each project
    /// of a `GRANTED_SPILLED` list; empty for the others.
    pub(super) words: Chunked<Box<[W]>, 64>,
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
        if let Some((tag, slot)) = old.stored_at() {
            self.release(tag, slot);
        }
        if within.is_empty() {
            if ids.len() <= N {
                return IdList::inline(ids);
            }
            return IdList::stored(SPILLED, self.store_list(ids, &[]));
        }
        if ids.len() <= GRANTED_INLINE {
            let record = Granted::new(ids, within);
            let slot = match self.granted_free.pop() {
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
            };
            return IdList::stored(GRANTED, slot);
        }
        IdList::stored(GRANTED_SPILLED, self.store_list(ids, within))
    }

    /// Stores a long list (and its permissions) in a free or new slot.
    fn store_list(&mut self, ids: &[u32], within: &[W]) -> u32 {
        let slot = self.free.pop();
        match slot.and_then(|s| Some((self.lists.get_mut(s as usize)?, s))) {
            Some((list, slot)) => {
                *list = ids.into();
                if let Some(words) = self.words.get_mut(slot as usize) {
                    *words = within.into();
                }
                slot
            }
            None => {
                self.lists.push(ids.into());
                self.words.push(within.into());
                slot_of(self.lists.len())
            }
        }
    }

    fn release(&mut self, tag: u32, slot: u32) {
        if tag == GRANTED {
            if self.granted.get(slot as usize).is_some() {
                self.granted_free.push(slot);
            }
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
        self.free.shrink_to_fit();
        self.granted.shrink_to_fit();
        self.granted_free.shrink_to_fit();
    }

    pub(super) fn bytes(&self) -> usize {
        use std::mem::size_of;
        self.lists.bytes()
            + self.words.bytes()
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

/// The slot of the last entry of a table of `len` entries.
fn slot_of(len: usize) -> u32 {
    u32::try_from(len.saturating_sub(1)).unwrap_or(u32::MAX)
}

/// Whether sorted `a` and `b` share an id, and the union of `a_within`
/// (empty, or side by side with `a`) over the shared ids: a merge walk,
/// O(a + b).
#[inline]
pub(super) fn shared_with_words<W: Word>(a: &[u32], a_within: &[W], b: &[u32]) -> (bool, W) {
    let (mut i, mut j) = (0, 0);
    let (mut shared, mut within) = (false, W::default());
    while let (Some(&x), Some(&y)) = (a.get(i), b.get(j)) {
        match x.cmp(&y) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                shared = true;
                if let Some(&word) = a_within.get(i) {
                    within = within | word;
                }
                i += 1;
                j += 1;
            }
        }
    }
    (shared, within)
}
