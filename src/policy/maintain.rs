//! Keeping a [`Snapshot`] up to date: the `pub(crate)` methods a `Company`
//! calls to store each compiled user, object, project and role, and to
//! build a snapshot from scratch in id order.

use super::Snapshot;
use super::layout::{IdList, NO_KIND, ObjectEntry, UserEntry};
use crate::catalog::Kind;
use crate::{ObjectId, PermissionFlags, ProjectId, RoleId, UserId};

/// A user as `Company` compiles it, before it is stored in the snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CompiledUser<P> {
    pub(crate) permissions: P,
    pub(crate) sessions_from: u64,
    /// Sorted, without duplicates.
    pub(crate) projects: Vec<u32>,
    /// Empty when the user was given no role within a project; otherwise
    /// side by side with `projects`, the permissions given within each.
    pub(crate) within: Vec<P>,
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
    pub(crate) fn set_user(&mut self, user: UserId, compiled: Option<CompiledUser<P>>) -> bool {
        let index = user.index();
        self.users.grow_to(index + 1);
        let Some(&old) = self.users.get(index) else {
            return false;
        };
        let (same_rights, same_sessions) = match &compiled {
            Some(new) => (
                old.live()
                    && old.permissions == new.permissions.to_word()
                    && old.projects.get(&self.spill) == new.projects.as_slice()
                    && same_words(old.projects.within(&self.spill), &new.within),
                old.sessions_from == new.sessions_from,
            ),
            None => (!old.live(), true),
        };
        if same_rights && same_sessions {
            return false;
        }
        let entry = match &compiled {
            Some(new) => {
                let within: Vec<P::Word> = new.within.iter().map(|p| p.to_word()).collect();
                UserEntry::new(
                    new.permissions.to_word(),
                    new.sessions_from,
                    self.spill.store(old.projects, &new.projects, &within),
                )
            }
            None => {
                // Give back a spilled list's slot.
                self.spill.store(old.projects, &[], &[]);
                UserEntry::absent()
            }
        };
        if let Some(slot) = self.users.get_mut(index) {
            *slot = entry;
        }
        !same_rights
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
        Self {
            company,
            revision,
            enhanced,
            ..Self::default()
        }
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

    /// Appends the entry of the next user id (`None`: deleted).
    /// `within` is empty or, side by side with `projects`, the permissions
    /// given within each.
    pub(crate) fn push_user(&mut self, compiled: Option<(P, u64, &[u32], &[P])>) {
        let entry = match compiled {
            Some((permissions, sessions_from, projects, within)) => {
                let within: Vec<P::Word> = within.iter().map(|p| p.to_word()).collect();
                UserEntry::new(
                    permissions.to_word(),
                    sessions_from,
                    self.spill.store(IdList::default(), projects, &within),
                )
            }
            None => UserEntry::absent(),
        };
        self.users.push(entry);
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
