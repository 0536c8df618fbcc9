//! Keeping a [`Snapshot`] up to date: the `pub(crate)` methods a `Company`
//! calls to store each compiled user, object, project and role, and to
//! build a snapshot from scratch in id order.

use super::Snapshot;
use super::layout::{IdList, NO_KIND, ObjectEntry, USER_INLINE, UserEntry};
use super::spill::allocation_failed;
use crate::catalog::Kind;
use crate::{ObjectId, PermissionFlags, ProjectId, RoleId, UserId};
use std::collections::TryReserveError;

/// Where a user's rights reach: every project the user belongs to,
/// directly or through a group, and the permissions given within them.
/// Compiled once for every user with the same links and shared by them
/// ([`SharedReach`]), so that U users in a group that sits in P projects
/// cost P ids, not U x P (issue 27).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct ReachList<P> {
    /// Sorted, without duplicates.
    pub(crate) projects: Vec<u32>,
    /// Empty when the user was given no role within a project; otherwise
    /// side by side with `projects`, the permissions given within each.
    pub(crate) within: Vec<P>,
}

/// A [`ReachList`] shared by the users it was compiled for.
pub(crate) type SharedReach<P> = std::sync::Arc<ReachList<P>>;

/// A user as `Company` compiles it, before it is stored in the snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CompiledUser<P> {
    pub(crate) permissions: P,
    pub(crate) sessions_from: u64,
    pub(crate) reach: SharedReach<P>,
}

/// The side-table slot each [`SharedReach`] was stored at while a batch of
/// users is stored ([`Snapshot::store_user`], as a commit does):
/// every user given the same shared list names the same slot. Keyed by the
/// list's address; the map holds the list, so the address is not reused.
pub(crate) struct StoredReaches<P: PermissionFlags> {
    slots: std::collections::HashMap<usize, (SharedReach<P>, IdList<USER_INLINE>)>,
}

impl<P: PermissionFlags> Default for StoredReaches<P> {
    fn default() -> Self {
        Self {
            slots: std::collections::HashMap::new(),
        }
    }
}

/// A user as the compile of a whole company pushes it
/// ([`Snapshot::push_user`]).
pub(crate) struct PushedUser<'a, P> {
    pub(crate) permissions: P,
    pub(crate) sessions_from: u64,
    pub(crate) reach: PushedReach<'a, P>,
}

/// Where a pushed user's rights reach.
pub(crate) enum PushedReach<'a, P> {
    /// The projects (sorted) and the permissions given within them (empty,
    /// or side by side), stored anew.
    New(&'a [u32], &'a [P]),
    /// The list of a user pushed before, with the same links: shared.
    Shared(IdList<USER_INLINE>),
}

/// Whether stored words and compiled permissions say the same.
pub(crate) fn same_words<P: PermissionFlags>(stored: &[P::Word], compiled: &[P]) -> bool {
    stored.len() == compiled.len() && stored.iter().zip(compiled).all(|(&w, p)| w == p.to_word())
}

impl<P: PermissionFlags> Snapshot<P> {
    /// Stores a user's compiled entry (`None`: deleted) and says whether
    /// what the user may do or see changed. A session ended by the change
    /// (`sessions_from`) is stored but does not count: it is reported in
    /// `ChangeReport::logged_out_users`, not as an affected user.
    #[cfg(test)]
    pub(crate) fn set_user(&mut self, user: UserId, compiled: Option<CompiledUser<P>>) -> bool {
        let Some(&old) = self.user_entry(user) else {
            self.store_user(user, compiled, &mut StoredReaches::default());
            return true;
        };
        let (same_rights, same_sessions) = match &compiled {
            Some(new) => (
                old.live()
                    && old.permissions == new.permissions.to_word()
                    && self.same_reach(&old, &new.reach),
                old.sessions_from == new.sessions_from,
            ),
            None => (!old.live(), true),
        };
        if same_rights && same_sessions {
            return false;
        }
        self.store_user(user, compiled, &mut StoredReaches::default());
        !same_rights
    }

    /// Whether a stored entry reaches the projects of `reach`, with the same
    /// permissions within them.
    pub(crate) fn same_reach(&self, old: &UserEntry<P::Word>, reach: &ReachList<P>) -> bool {
        old.projects.get(&self.spill) == reach.projects.as_slice()
            && same_words(old.projects.within(&self.spill), &reach.within)
    }

    /// The entry of `user`, growing the table to hold it.
    #[cfg(test)]
    fn user_entry(&mut self, user: UserId) -> Option<&UserEntry<P::Word>> {
        self.users.grow_to(user.index() + 1);
        self.users.get(user.index())
    }

    /// Stores a user's compiled entry (`None`: deleted), giving back the
    /// side-table slot of the entry it replaces. Users given the same
    /// [`SharedReach`] within one batch (`stored`) share its slot.
    pub(crate) fn store_user(
        &mut self,
        user: UserId,
        compiled: Option<CompiledUser<P>>,
        stored: &mut StoredReaches<P>,
    ) {
        let index = user.index();
        self.users.grow_to(index + 1);
        let Some(&old) = self.users.get(index) else {
            return;
        };
        // Give back the old list's slot (or one reference to it) first.
        self.spill.store(old.projects, &[], &[]);
        let entry = match compiled {
            Some(new) => {
                let list = self.store_reach(&new.reach, stored);
                let list = list.unwrap_or_else(|_| allocation_failed(new.reach.projects.len()));
                UserEntry::new(new.permissions.to_word(), new.sessions_from, list)
            }
            None => UserEntry::absent(),
        };
        if let Some(slot) = self.users.get_mut(index) {
            *slot = entry;
        }
    }

    /// Ends the sessions of `user` that logged in before `sessions_from`,
    /// leaving the rest of the entry as it is.
    pub(crate) fn set_sessions_from(&mut self, user: UserId, sessions_from: u64) {
        let live = self.users.get(user.index()).is_some_and(UserEntry::live);
        if let Some(entry) = self.users.get_mut(user.index()).filter(|_| live) {
            entry.sessions_from = sessions_from;
        }
    }

    /// The list of `reach`, stored as a new entry's: inline, or in a side
    /// table where every user of the same shared list names one slot.
    fn store_reach(
        &mut self,
        reach: &SharedReach<P>,
        stored: &mut StoredReaches<P>,
    ) -> Result<IdList<USER_INLINE>, TryReserveError> {
        let key = std::sync::Arc::as_ptr(reach) as usize;
        if let Some(&(_, list)) = stored.slots.get(&key) {
            return Ok(self.spill.share(list));
        }
        let list = self.store_list(&reach.projects, &reach.within)?;
        if list.stored_at().is_some() {
            stored
                .slots
                .insert(key, (std::sync::Arc::clone(reach), list));
        }
        Ok(list)
    }

    /// A new entry's list of `projects` (and the permissions given within
    /// them), asked for with `try_reserve`.
    fn store_list(
        &mut self,
        projects: &[u32],
        within: &[P],
    ) -> Result<IdList<USER_INLINE>, TryReserveError> {
        let mut words = Vec::new();
        words.try_reserve_exact(within.len())?;
        words.extend(within.iter().map(|p| p.to_word()));
        self.spill.try_store(IdList::default(), projects, &words)
    }

    /// Stores an object's kind and sorted projects (`None`: deleted), keeping
    /// the per-kind and per-project lists in step.
    pub(crate) fn set_object(&mut self, object: ObjectId, compiled: Option<(P::Kind, Vec<u32>)>) {
        let index = object.index();
        self.objects.grow_to(index + 1);
        let Some(&old) = self.objects.get(index) else {
            return;
        };
        let old_projects = old.projects.get(&self.spill).to_vec();
        let (new_kind, new_projects) = match compiled {
            Some((kind, projects)) => (kind_slot::<P>(kind), projects),
            None => (NO_KIND, Vec::new()),
        };
        let same_kind = old.kind == new_kind;
        // Only the lists that change are touched: a list is sorted, so an
        // insertion or removal moves its tail.
        if let Some(kind) = old.kind_index() {
            for &p in old_projects
                .iter()
                .filter(|p| !same_kind || !new_projects.contains(p))
            {
                if let Some(list) = self.project_list_mut(p, kind) {
                    remove_sorted(list, object);
                }
            }
        }
        if new_kind != NO_KIND {
            let kind = usize::from(new_kind);
            for &p in new_projects
                .iter()
                .filter(|p| !same_kind || !old_projects.contains(p))
            {
                if let Some(list) = self.project_list_mut(p, kind) {
                    insert_sorted(list, object);
                }
            }
        }
        let entry = ObjectEntry {
            projects: self.spill.store(old.projects, &new_projects, &[]),
            kind: new_kind,
        };
        if let Some(slot) = self.objects.get_mut(index) {
            *slot = entry;
        }
    }

    /// Marks a project live or deleted; a deleted project's lists are
    /// emptied (its objects have left it through `set_object`).
    pub(crate) fn set_project(&mut self, project: ProjectId, live: bool) {
        let index = project.index();
        let kinds = P::catalog().kinds().len();
        self.projects.grow_to(index + 1);
        self.project_objects.grow_to((index + 1) * kinds);
        if let Some(entry) = self.projects.get_mut(index) {
            entry.live = live;
        }
        if !live {
            for at in index * kinds..(index + 1) * kinds {
                if let Some(list) = self.project_objects.get_mut(at) {
                    *list = Vec::new();
                }
            }
        }
    }

    /// The list of project `project`'s objects of kind `kind`.
    fn project_list_mut(&mut self, project: u32, kind: usize) -> Option<&mut Vec<ObjectId>> {
        let at = project as usize * P::catalog().kinds().len() + kind;
        self.project_objects.get_mut(at)
    }

    /// An empty snapshot, ready for [`set_role`](Self::set_role),
    /// [`set_project`](Self::set_project), then
    /// [`push_user`](Self::push_user) and [`push_object`](Self::push_object)
    /// in id order, with [`skip_users_to`](Self::skip_users_to) and
    /// [`skip_objects_to`](Self::skip_objects_to) over the ids in between.
    pub(crate) fn empty(company: crate::CompanyId, revision: u64, enhanced: bool) -> Self {
        let mut snapshot = Self {
            company,
            revision,
            ..Self::default()
        };
        snapshot.set_enhanced(enhanced);
        snapshot
    }

    /// Asks for the chunk pointers of every table for the given numbers of
    /// ids with `try_reserve`, so that growing them allocates
    /// no more of them.
    #[cfg(feature = "serde")] // used by the document loader
    pub(crate) fn try_reserve(
        &mut self,
        users: usize,
        objects: usize,
        roles: usize,
        projects: usize,
    ) -> Result<(), std::collections::TryReserveError> {
        self.users.try_reserve_to(users)?;
        self.objects.try_reserve_to(objects)?;
        self.roles.try_reserve_to(roles)?;
        self.projects.try_reserve_to(projects)?;
        self.project_objects
            .try_reserve_to(projects.saturating_mul(P::catalog().kinds().len()))
    }

    /// Grows the role and project tables to the given numbers of ids, the
    /// ids not set absent. Whole chunks of them share one allocation.
    pub(crate) fn grow_roles_and_projects(&mut self, roles: usize, projects: usize) {
        self.roles.grow_to(roles);
        self.projects.grow_to(projects);
        self.project_objects
            .grow_to(projects.saturating_mul(P::catalog().kinds().len()));
    }

    /// Appends absent user entries up to `len` ids: the ids between two
    /// records, or past the last. Whole chunks share one allocation.
    pub(crate) fn skip_users_to(&mut self, len: usize) {
        self.users.grow_to(len);
    }

    /// Appends absent object entries up to `len` ids, as
    /// [`skip_users_to`](Self::skip_users_to).
    pub(crate) fn skip_objects_to(&mut self, len: usize) {
        self.objects.grow_to(len);
    }

    /// Appends the entry of the next user id (`None`: deleted): its
    /// permissions, `sessions_from` and reach. A reach given as an entry
    /// already pushed (`Shared`) shares that entry's list.
    ///
    /// # Errors
    ///
    /// The memory of a long list cannot be had (`try_reserve`).
    pub(crate) fn push_user(
        &mut self,
        compiled: Option<PushedUser<'_, P>>,
    ) -> Result<IdList<USER_INLINE>, TryReserveError> {
        let entry = match compiled {
            Some(PushedUser {
                permissions,
                sessions_from,
                reach,
            }) => {
                let list = match reach {
                    PushedReach::Shared(list) => self.spill.share(list),
                    PushedReach::New(projects, within) => self.store_list(projects, within)?,
                };
                UserEntry::new(permissions.to_word(), sessions_from, list)
            }
            None => UserEntry::absent(),
        };
        self.users.push(entry);
        Ok(entry.projects)
    }

    /// Appends the entry of the next object id (`None`: deleted), with its
    /// sorted projects. Ids arrive in order, so every list stays sorted by
    /// pushing at its end.
    pub(crate) fn push_object(&mut self, compiled: Option<(P::Kind, &[u32])>) {
        let Ok(id) = u32::try_from(self.objects.len()) else {
            return;
        };
        let id = ObjectId::new(id);
        let entry = match compiled {
            Some((kind, projects)) => {
                let slot = kind_slot::<P>(kind);
                let kind = usize::from(slot);
                for &project in projects {
                    if let Some(list) = self.project_list_mut(project, kind) {
                        list.push(id);
                    }
                }
                ObjectEntry {
                    projects: self.spill.store(IdList::default(), projects, &[]),
                    kind: slot,
                }
            }
            None => ObjectEntry::default(),
        };
        self.objects.push(entry);
    }

    /// Gives back the spare capacity of every table and list.
    pub(crate) fn shrink_to_fit(&mut self) {
        self.users.shrink_to_fit();
        self.objects.shrink_to_fit();
        self.projects.shrink_to_fit();
        self.roles.shrink_to_fit();
        self.project_objects.shrink_to_fit();
        for at in 0..self.project_objects.len() {
            // Only lists with spare room are written (and their chunk
            // copied, when shared).
            let spare = self
                .project_objects
                .get(at)
                .is_some_and(|list| list.capacity() > list.len());
            if spare {
                if let Some(list) = self.project_objects.get_mut(at) {
                    list.shrink_to_fit();
                }
            }
        }
        self.spill.shrink_to_fit();
    }

    /// Stores a role's permissions (`None`: deleted).
    pub(crate) fn set_role(&mut self, role: RoleId, permissions: Option<P>) {
        let index = role.index();
        self.roles.grow_to(index + 1);
        if let Some(slot) = self.roles.get_mut(index) {
            *slot = permissions.map(P::to_word);
        }
    }
}

/// The index a kind is stored under: its position in the catalog, or
/// `NO_KIND` for a kind the catalog lacks (which `Company` refuses first).
fn kind_slot<P: PermissionFlags>(kind: P::Kind) -> u8 {
    let index = kind.index();
    if index < P::catalog().kinds().len() {
        u8::try_from(index).unwrap_or(NO_KIND)
    } else {
        NO_KIND
    }
}

fn insert_sorted(list: &mut Vec<ObjectId>, id: ObjectId) {
    if let Err(at) = list.binary_search(&id) {
        list.insert(at, id);
    }
}

fn remove_sorted(list: &mut Vec<ObjectId>, id: ObjectId) {
    if let Ok(at) = list.binary_search(&id) {
        list.remove(at);
    }
}
