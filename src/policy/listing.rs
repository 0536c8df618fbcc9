//! Listing the objects a user can see: [`VisibleObjects`], the k-way merge
//! of the sorted object lists of the user's projects behind it, and
//! [`Snapshot::objects_reachable`] that starts it.

use super::Snapshot;
use super::layout::{NO_KIND, ObjectEntry, UserEntry};
use crate::catalog::{Kind, Set};
use crate::chunked::Chunked;
use crate::{ObjectId, PermissionFlags};

impl<P: PermissionFlags> Snapshot<P> {
    /// Project `project`'s sorted objects of kind `kind`.
    #[inline]
    fn project_list(&self, project: u32, kind: usize) -> &[ObjectId] {
        let at = project as usize * P::catalog().kinds().len() + kind;
        self.project_objects.get(at).map_or(&[], Vec::as_slice)
    }

    /// The objects of `kind` that `user` may view, without the permission
    /// test (the caller has made it).
    pub(crate) fn objects_reachable<'a>(
        &'a self,
        user: &'a UserEntry<P::Word>,
        permissions: P,
        kind: P::Kind,
    ) -> VisibleObjects<'a> {
        let kind = kind.index();
        VisibleObjects {
            inner: if self.sees_every_project(permissions) {
                Walk::OfKind {
                    objects: &self.objects,
                    chunk: 0,
                    entries: self.objects.chunk(0).unwrap_or(&[]),
                    start: 0,
                    kind: u8::try_from(kind).unwrap_or(NO_KIND),
                }
            } else {
                let lists = self
                    .user_projects(user)
                    .iter()
                    .map(|&project| self.project_list(project, kind));
                Walk::merge(lists)
            },
        }
    }
}

impl<P: PermissionFlags> Snapshot<P> {
    /// The objects of `kind` for which `granted` holds of the user's
    /// company-wide `permissions` plus those given within the projects the
    /// user shares with the object (DOMAIN rule 21), when the company-wide
    /// permissions alone do not pass: only the objects of the projects
    /// within which the user was given roles are read, so the cost follows
    /// those projects, not the company.
    pub(crate) fn objects_granted_within<'a>(
        &'a self,
        user: &'a UserEntry<P::Word>,
        permissions: P,
        kind: P::Kind,
        granted: impl Fn(P) -> bool,
    ) -> VisibleObjects<'a> {
        let within = self.user_within(user);
        if within.is_empty() {
            return VisibleObjects::nothing();
        }
        let projects = self.user_projects(user).iter().zip(within);
        let mut found: Vec<ObjectId> = projects
            .filter(|&(_, &word)| word != P::Word::default())
            .flat_map(|(&project, _)| self.project_list(project, kind.index()))
            .copied()
            .collect();
        found.sort_unstable();
        found.dedup();
        found.retain(|&object| granted(permissions.or(self.within_object(user, object))));
        VisibleObjects {
            inner: Walk::Gathered(found.into_iter()),
        }
    }
}

/// How many project lists [`VisibleObjects`] merges in place; a user in more
/// projects gets their objects gathered and sorted once.
pub(super) const MERGE_INLINE: usize = 8;

/// The objects of one kind a user can see, in id order, each once. In
/// enhanced mode its cost follows the length of its answer, not the number
/// of objects in the company; for a holder of `projects.all`, and in simple
/// mode, where the answer is every object of the kind, it reads the object
/// table (16 bytes an object). Made by
/// [`Company::visible_objects`](crate::Company::visible_objects).
///
/// In enhanced mode it merges the sorted object lists of the user's
/// projects; it reads no object entries and, for a user in up to eight
/// projects, allocates nothing.
#[derive(Debug, Clone)]
pub struct VisibleObjects<'a> {
    pub(super) inner: Walk<'a>,
}

#[derive(Debug, Clone)]
pub(super) enum Walk<'a> {
    Nothing,
    All(std::slice::Iter<'a, ObjectId>),
    /// Every live object of one kind: the object table, read in order a
    /// chunk at a time. `entries` is what is left of chunk `chunk`, whose
    /// first entry is object `start`.
    OfKind {
        objects: &'a Chunked<ObjectEntry, 4096>,
        chunk: usize,
        entries: &'a [ObjectEntry],
        start: usize,
        kind: u8,
    },
    /// Each project's sorted list and how far it has been read; `count`
    /// are in use.
    Merge {
        lists: [&'a [ObjectId]; MERGE_INLINE],
        read: [usize; MERGE_INLINE],
        count: usize,
    },
    /// More projects than fit: gathered, sorted and deduplicated once.
    Gathered(std::vec::IntoIter<ObjectId>),
}

impl<'a> Walk<'a> {
    pub(super) fn merge(lists: impl ExactSizeIterator<Item = &'a [ObjectId]>) -> Self {
        if lists.len() > MERGE_INLINE {
            let mut all: Vec<ObjectId> = lists.flatten().copied().collect();
            all.sort_unstable();
            all.dedup();
            return Walk::Gathered(all.into_iter());
        }
        let mut merged: [&'a [ObjectId]; MERGE_INLINE] = [&[]; MERGE_INLINE];
        let mut count = 0;
        for (slot, list) in merged.iter_mut().zip(lists) {
            *slot = list;
            count += 1;
        }
        match merged.get(..count) {
            // One project (the common case): its list is the answer.
            Some([only]) => Walk::All(only.iter()),
            _ => Walk::Merge {
                lists: merged,
                read: [0; MERGE_INLINE],
                count,
            },
        }
    }
}

impl VisibleObjects<'_> {
    pub(crate) fn nothing() -> Self {
        Self {
            inner: Walk::Nothing,
        }
    }
}

impl Iterator for VisibleObjects<'_> {
    type Item = ObjectId;

    #[inline]
    fn next(&mut self) -> Option<ObjectId> {
        match &mut self.inner {
            Walk::Nothing => None,
            Walk::All(iter) => iter.next().copied(),
            Walk::OfKind {
                objects,
                chunk,
                entries,
                start,
                kind,
            } => of_kind(objects, chunk, entries, start, *kind),
            Walk::Gathered(iter) => iter.next(),
            Walk::Merge { lists, read, count } => match *count {
                // Two and three projects are by far the most common: fixed
                // sizes let the compiler unroll the step.
                2 => merge_step::<2>(lists, read),
                3 => merge_step::<3>(lists, read),
                4 => merge_step::<4>(lists, read),
                _ => merge_step::<MERGE_INLINE>(lists, read),
            },
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match &self.inner {
            Walk::Nothing => (0, Some(0)),
            Walk::All(iter) => iter.size_hint(),
            Walk::OfKind { objects, start, .. } => (0, Some(objects.len().saturating_sub(*start))),
            Walk::Gathered(iter) => iter.size_hint(),
            Walk::Merge { lists, read, count } => {
                let lists = lists.get(..*count).unwrap_or(&[]);
                let left = lists
                    .iter()
                    .zip(read)
                    .map(|(l, &at)| l.len().saturating_sub(at));
                let longest = left.clone().max().unwrap_or(0);
                (longest, Some(left.sum()))
            }
        }
    }
}

impl std::iter::FusedIterator for VisibleObjects<'_> {}

/// The next object of `kind` in the object table, from what is left of the
/// current chunk (`entries`, starting at object `start`) on: a search of
/// each chunk's slice, with no lookup per entry. At the end it stays at the
/// last chunk, with nothing left.
#[inline]
fn of_kind<'a, const N: usize>(
    objects: &'a Chunked<ObjectEntry, N>,
    chunk: &mut usize,
    entries: &mut &'a [ObjectEntry],
    start: &mut usize,
    kind: u8,
) -> Option<ObjectId> {
    loop {
        if let Some(at) = entries.iter().position(|entry| entry.kind == kind) {
            *entries = entries.get(at + 1..).unwrap_or(&[]);
            let id = *start + at;
            *start = id + 1;
            return u32::try_from(id).ok().map(ObjectId::new);
        }
        *entries = &[];
        let next = objects.chunk(*chunk + 1)?;
        *chunk += 1;
        *start = *chunk * N;
        *entries = next;
    }
}

/// One step of the k-way merge over the first `N` lists: the smallest head is
/// next, and every list that starts with it moves on, so an object in several
/// projects comes once. Lists past the ones in use are empty, so `N` may be
/// larger than their count. Written without data-dependent branches (an
/// exhausted list reads as a head past every id): which list holds the next
/// object is random, and branches on it would mispredict.
#[inline]
fn merge_step<const N: usize>(
    lists: &[&[ObjectId]; MERGE_INLINE],
    read: &mut [usize; MERGE_INLINE],
) -> Option<ObjectId> {
    let (Some(lists), Some(read)) = (lists.first_chunk::<N>(), read.first_chunk_mut::<N>()) else {
        return None;
    };
    let head = |list: &[ObjectId], at: usize| list.get(at).map_or(u64::MAX, |o| u64::from(o.get()));
    let mut next = u64::MAX;
    for (list, &at) in lists.iter().zip(read.iter()) {
        next = next.min(head(list, at));
    }
    if next == u64::MAX {
        return None;
    }
    for (list, at) in lists.iter().zip(read.iter_mut()) {
        *at += usize::from(head(list, *at) == next);
    }
    u32::try_from(next).ok().map(ObjectId::new)
}
