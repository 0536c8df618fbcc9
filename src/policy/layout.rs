//! The compiled entries a [`Snapshot`](super::Snapshot) is made of: the
//! per-user, per-object and per-project entries, their inline-or-spilled
//! project lists ([`IdList`], [`Spill`]) and the sorted-list intersection.
//!
//! A user given roles within projects (DOMAIN rule 20) has its list in a
//! side table with, next to each project, the permissions given within it
//! (`GRANTED`: one [`Granted`](super::spill::Granted) record of one cache
//! line for up to four projects; `GRANTED_SPILLED` for more). The inline
//! fast path is the same for everyone else; such a user takes the branch to
//! the side table, which is compared without branches too.

use super::spill::{Spill, shared_with_words};
use crate::catalog::Word;
use crate::{DenyReason, PermissionFlags};

/// How many project ids a user entry keeps inline.
pub(super) const USER_INLINE: usize = 3;
/// How many project ids an object entry keeps inline.
const OBJECT_INLINE: usize = 2;

/// A sorted, duplicate-free list of project ids: up to `N` inline, longer
/// lists in the snapshot's [`Spill`] table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct IdList<const N: usize> {
    // INVARIANT (shape): `tag` is one of
    // * `0..=N`: the list is inline, `ids[..tag]` sorted; the unused
    //   `ids[tag..]` repeat `ids[0]`, or hold `Self::EMPTY` when the list is
    //   empty (an id no project has, different for user and object lists),
    //   so that comparing every pair of slots needs no mask and no test of
    //   emptiness;
    // * `SPILLED`: `ids[0]` is the slot in `Spill::lists` of the sorted list;
    // * `GRANTED` (user entries only): `ids[0]` is the slot in
    //   `Spill::granted` of up to `GRANTED_INLINE` projects with the
    //   permissions given within each;
    // * `GRANTED_SPILLED` (user entries only): as `SPILLED`, and
    //   `Spill::words` at the same slot holds those permissions;
    // * `ABSENT` (user entries only): there is no user with this id.
    tag: u32,
    pub(super) ids: [u32; N],
}

impl<const N: usize> IdList<N> {
    /// The padding of an empty inline list: no project has this id
    /// (project ids stay below `u32::MAX - 1`, `Company::next_id`), and
    /// a user list's differs from an object list's, so two empty lists
    /// share nothing.
    const EMPTY: u32 = if N == USER_INLINE {
        u32::MAX
    } else {
        u32::MAX - 1
    };

    /// An inline list of up to `N` sorted ids, padded as the shape
    /// invariant says.
    pub(super) fn inline(ids: &[u32]) -> Self {
        let mut inline = [ids.first().copied().unwrap_or(Self::EMPTY); N];
        if let Some(prefix) = inline.get_mut(..ids.len()) {
            prefix.copy_from_slice(ids);
        }
        Self {
            tag: ids.len().min(N) as u32,
            ids: inline,
        }
    }

    /// A list stored in a side table under `tag`, at `slot`.
    pub(super) fn stored(tag: u32, slot: u32) -> Self {
        Self {
            tag,
            ids: [slot; N],
        }
    }

    /// Where the list is stored, and its slot there (`None` when inline or
    /// absent).
    pub(super) fn stored_at(&self) -> Option<(u32, u32)> {
        matches!(self.tag, SPILLED | GRANTED | GRANTED_SPILLED)
            .then(|| self.ids.first().map(|&slot| (self.tag, slot)))
            .flatten()
    }
}

/// [`IdList::tag`] of a short list with the permissions given within each
/// of its projects, in `Spill::granted`.
pub(super) const GRANTED: u32 = u32::MAX - 3;
/// [`IdList::tag`] of a long list with the permissions given within each
/// of its projects, in `Spill::lists` and `Spill::words`.
pub(super) const GRANTED_SPILLED: u32 = u32::MAX - 2;
/// [`IdList::tag`] of a list stored in `Spill::lists`.
pub(super) const SPILLED: u32 = u32::MAX - 1;
/// [`IdList::tag`] of the entry of a user id never made, or deleted.
const ABSENT: u32 = u32::MAX;

impl<const N: usize> Default for IdList<N> {
    fn default() -> Self {
        Self::inline(&[])
    }
}

impl<const N: usize> IdList<N> {
    /// The entry of an id that names nothing.
    const ABSENT: Self = Self {
        tag: ABSENT,
        ids: [0; N],
    };

    /// Whether `self` and `other` share an id, and `base` with the union
    /// of the permissions given within the shared projects (`self`'s words:
    /// only a stored list has any, so an inline one hands back `base`
    /// itself, and the check's fast path merges nothing).
    ///
    /// When both lists are inline (nearly always), compares every pair of
    /// slots without a branch: the padding repeats a real id, or an id no
    /// project has in an empty list, so no pair needs a mask or a test. The
    /// answer differs from question to question, so branches would
    /// mispredict.
    #[inline(always)]
    pub(crate) fn reach<const M: usize, W: Word>(
        &self,
        other: &IdList<M>,
        spill: &Spill<W>,
        base: W,
    ) -> (bool, W) {
        const { assert!(N <= 3 && M <= 3) };
        // An inline tag is at most 3 (the length), a stored one far above
        // (`GRANTED` and up): one test of both tags.
        if (self.tag | other.tag) > 3 {
            let (shared, within) = self.reach_stored(other, spill);
            return (shared, base | within);
        }
        // Four lanes (the padding repeats `ids[0]`), so that the compiler
        // compares them as one vector per id of `other`.
        let first = self.ids.first().copied().unwrap_or(Self::EMPTY);
        let lanes: [u32; 4] = std::array::from_fn(|i| self.ids.get(i).copied().unwrap_or(first));
        let mut hit = false;
        for &b in &other.ids {
            let mut any = 0u32;
            for &a in &lanes {
                any |= u32::from(a == b);
            }
            hit |= any != 0;
        }
        (hit, base)
    }

    /// [`reach`](Self::reach) when either list is in a side table: a user
    /// given roles within up to four projects against an inline object
    /// list is compared without branches; anything longer is a merge walk.
    /// An absent user's list (tag `ABSENT`) is empty and reaches nothing.
    /// Out of line: the check's frame stays that of its fast path. The
    /// walk is out of line again, so that the record's compare (the users
    /// of M+pr) saves and restores no register.
    #[inline(never)]
    fn reach_stored<const M: usize, W: Word>(
        &self,
        other: &IdList<M>,
        spill: &Spill<W>,
    ) -> (bool, W) {
        if (self.tag == GRANTED) & (other.tag as usize <= M) {
            if let Some(granted) = self.ids.first().and_then(|&slot| spill.granted(slot)) {
                return granted.reach(&other.ids, other.tag != 0);
            }
        }
        self.walk_stored(other, spill)
    }

    /// [`reach_stored`](Self::reach_stored) by a merge walk of both lists.
    #[inline(never)]
    fn walk_stored<const M: usize, W: Word>(
        &self,
        other: &IdList<M>,
        spill: &Spill<W>,
    ) -> (bool, W) {
        shared_with_words(self.get(spill), self.within(spill), other.get(spill))
    }

    /// The ids, sorted.
    #[inline]
    pub(crate) fn get<'a, W: Word>(&'a self, spill: &'a Spill<W>) -> &'a [u32] {
        match self.stored_at() {
            Some((tag, slot)) => spill.ids(tag, slot),
            None => self.ids.get(..self.tag as usize).unwrap_or(&[]),
        }
    }

    /// The permissions given within each project of [`get`](Self::get),
    /// side by side with it; empty when none were given.
    #[inline]
    pub(crate) fn within<'a, W: Word>(&'a self, spill: &'a Spill<W>) -> &'a [W] {
        match self.stored_at() {
            Some((tag, slot)) => spill.words(tag, slot),
            None => &[],
        }
    }
}

/// Whether two sorted id lists share an element, as
/// [`shared_with_words`] finds it (a merge walk, or a search of the longer
/// list when one is many times longer).
#[inline]
pub(crate) fn shares_project(a: &[u32], b: &[u32]) -> bool {
    shared_with_words::<u64>(a, &[], b).0
}

/// The compiled entry of one user: 32 bytes with a `u64` catalog word (64
/// with `u128`), aligned so that it never straddles two cache lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(align(32))]
pub(crate) struct UserEntry<W: Word> {
    /// Union of the permissions of every role held, directly or through a
    /// group, in the catalog's word.
    pub(super) permissions: W,
    /// Sessions that logged in before this revision are ended; `u64::MAX`
    /// in an absent entry, which ends every session of an unknown user
    /// with the same test.
    pub(crate) sessions_from: u64,
    /// Every project the user belongs to, directly or through a group; its
    /// tag says `ABSENT` for ids never created or deleted.
    pub(super) projects: IdList<USER_INLINE>,
}

impl<W: Word> Default for UserEntry<W> {
    fn default() -> Self {
        Self::absent()
    }
}

impl<W: Word> UserEntry<W> {
    /// The entry of a user id never made, or deleted.
    pub(super) fn absent() -> Self {
        Self {
            permissions: W::default(),
            sessions_from: u64::MAX,
            projects: IdList::ABSENT,
        }
    }

    pub(super) fn new(permissions: W, sessions_from: u64, projects: IdList<USER_INLINE>) -> Self {
        Self {
            permissions,
            sessions_from,
            projects,
        }
    }

    /// The user's effective permissions.
    #[inline(always)]
    pub(crate) fn permissions<P: PermissionFlags<Word = W>>(&self) -> P {
        P::from_word(self.permissions)
    }

    /// The entry's project list, as it is stored: equal lists say the
    /// same (a stored one names its side-table slot).
    pub(crate) fn list(&self) -> IdList<USER_INLINE> {
        self.projects
    }

    /// `false` for ids never created or deleted.
    #[inline(always)]
    pub(crate) fn live(&self) -> bool {
        self.projects.tag != ABSENT
    }

    /// `reason`, or [`UnknownUser`](DenyReason::UnknownUser) when the
    /// entry is absent: an unknown user is named first.
    #[inline(always)]
    pub(crate) fn unknown_or(&self, reason: DenyReason) -> DenyReason {
        if self.live() {
            reason
        } else {
            DenyReason::UnknownUser
        }
    }
}

/// The compiled entry of one object: 16 bytes, aligned so that it never
/// straddles two cache lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(align(16))]
pub(crate) struct ObjectEntry {
    /// Every project that holds the object.
    pub(super) projects: IdList<OBJECT_INLINE>,
    /// The index of the object's kind in its catalog; `NO_KIND` for a
    /// deleted object.
    pub(crate) kind: u8,
}

/// [`ObjectEntry::kind`] of a deleted object (catalogs have at most 32
/// kinds).
pub(super) const NO_KIND: u8 = u8::MAX;

impl Default for ObjectEntry {
    fn default() -> Self {
        Self {
            projects: IdList::default(),
            kind: NO_KIND,
        }
    }
}

impl ObjectEntry {
    /// The kind's index, or `None` for a deleted object.
    #[inline(always)]
    pub(crate) fn kind_index(&self) -> Option<usize> {
        (self.kind != NO_KIND).then_some(self.kind as usize)
    }
}

// The memory budget (issue: at most 64 bytes per user and 16 per
// object-project link) rests on these sizes.
const _: () = assert!(std::mem::size_of::<UserEntry<u64>>() == 32);
const _: () = assert!(std::mem::size_of::<UserEntry<u128>>() == 64);
const _: () = assert!(std::mem::size_of::<ObjectEntry>() <= 16);
const _: () = assert!(crate::MAX_KINDS < NO_KIND as usize);
// The check reads a deleted object's kind mask without a test: the slot
// `NO_KIND` masks to is past every kind, hence empty.
const _: () = assert!(NO_KIND as usize & (crate::catalog::KIND_SLOTS - 1) >= crate::MAX_KINDS);

/// The compiled entry of one project. Its objects, per kind, are in
/// [`Snapshot::project_objects`](super::Snapshot::project_objects).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct ProjectEntry {
    pub(crate) live: bool,
}
