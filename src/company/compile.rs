//! Compiling records into the [`Snapshot`], from scratch or entry by entry.

use super::links::Touched;
use super::{Company, live, sorted};
use crate::catalog::Set;
use crate::policy::{
    CompiledUser, PushedReach, PushedUser, ReachList, StoredReaches, UserList, allocation_failed,
};
use crate::write::Recompiled;
use crate::{
    GroupId, ObjectId, PermissionFlags, ProjectId, RoleId, SecurityMode, Snapshot, UserId,
};
use std::collections::{HashMap, TryReserveError};
use std::sync::Arc;

/// The records a user's compiled entry is made of, read either from the
/// company as it is or as a planned change would leave it
/// (`write::impact::After`). [`rights`] reads through this trait, so the
/// compile and the report of a plan cannot drift apart.
pub(crate) trait Records<P: PermissionFlags> {
    /// Whether the user exists.
    fn user_live(&self, user: UserId) -> bool;
    /// The user's direct roles.
    fn user_roles(&self, user: UserId) -> impl Iterator<Item = RoleId>;
    /// The user's groups.
    fn user_groups(&self, user: UserId) -> impl Iterator<Item = GroupId>;
    /// The user's direct projects.
    fn user_projects(&self, user: UserId) -> impl Iterator<Item = ProjectId>;
    /// The group's roles.
    fn group_roles(&self, group: GroupId) -> impl Iterator<Item = RoleId>;
    /// The group's projects.
    fn group_projects(&self, group: GroupId) -> impl Iterator<Item = ProjectId>;
    /// The roles given to the user directly within projects.
    fn user_project_roles(&self, user: UserId) -> impl Iterator<Item = (ProjectId, RoleId)>;
    /// The roles given to the group within projects.
    fn group_project_roles(&self, group: GroupId) -> impl Iterator<Item = (ProjectId, RoleId)>;
    /// The role's permissions (none for a role that does not exist).
    fn role_permissions(&self, role: RoleId) -> P;
    /// How many links of the group [`rights`] reads (its roles, projects
    /// and roles within projects), or more: [`reach_key`] keys only the
    /// users whose groups weigh enough for sharing to pay.
    fn group_weight(&self, group: GroupId) -> usize;
}

/// Where a user's rights reach, as [`rights`] works it out: buffers kept
/// between calls, so compiling many users allocates little.
#[derive(Debug)]
pub(crate) struct Reach<P> {
    /// Every project the user belongs to, directly or through a group,
    /// sorted and without repeats.
    pub(crate) projects: Vec<u32>,
    /// Empty when the user was given no role within a project (or only
    /// roles without permissions); otherwise side by side with `projects`,
    /// the union of the permissions given within each (DOMAIN rule 21).
    pub(crate) within: Vec<P>,
    /// `(project, permissions)` of each role given within a project, as
    /// found.
    given: Vec<(u32, P)>,
}

impl<P> Default for Reach<P> {
    fn default() -> Self {
        Self {
            projects: Vec::new(),
            within: Vec::new(),
            given: Vec::new(),
        }
    }
}

/// A user's company-wide permissions (the union over their roles, direct
/// and through groups), with `reach` set to their projects and the
/// permissions given within them; `None` for a user that does not exist.
pub(crate) fn rights<P: PermissionFlags>(
    records: &impl Records<P>,
    user: UserId,
    reach: &mut Reach<P>,
) -> Option<P> {
    let Reach {
        projects,
        within,
        given,
    } = reach;
    projects.clear();
    within.clear();
    given.clear();
    if !records.user_live(user) {
        return None;
    }
    let permissions_within =
        |(project, role): (ProjectId, RoleId)| (project.get(), records.role_permissions(role));
    projects.extend(records.user_projects(user).map(|p| p.get()));
    given.extend(records.user_project_roles(user).map(permissions_within));
    let mut permissions = P::none();
    for role in records.user_roles(user) {
        permissions = permissions.or(records.role_permissions(role));
    }
    for group in records.user_groups(user) {
        for role in records.group_roles(group) {
            permissions = permissions.or(records.role_permissions(role));
        }
        projects.extend(records.group_projects(group).map(|p| p.get()));
        given.extend(records.group_project_roles(group).map(permissions_within));
    }
    projects.sort_unstable();
    projects.dedup();
    if given.iter().any(|(_, granted)| !granted.empty_set()) {
        within.resize(projects.len(), P::none());
        for &(project, granted) in given.iter() {
            // A role is given within a project only to its members, so the
            // project is in the list.
            let slot = projects
                .binary_search(&project)
                .ok()
                .and_then(|at| within.get_mut(at));
            if let Some(slot) = slot {
                *slot = slot.or(granted);
            }
        }
    }
    Some(permissions)
}

/// Writes into `key` every link of `user` that [`rights`] reads (direct
/// roles, groups, direct projects, roles given within projects), each part
/// sorted: users with the same key have the same rights. Says whether the
/// user got a key: a user whose groups weigh less than [`KEYED_FROM`]
/// links gets none, as their rights cost about as much as the key.
///
/// Users in the same groups share what [`rights`] works out once, so that U
/// users in a group that sits in P projects cost U keys and one list of P,
/// not U x P (issue 27).
pub(crate) fn reach_key<P: PermissionFlags>(
    records: &impl Records<P>,
    user: UserId,
    key: &mut Vec<u32>,
) -> bool {
    /// Ends each part of the key; no id is `u32::MAX`.
    const END: u32 = u32::MAX;
    fn part(key: &mut Vec<u32>, ids: impl Iterator<Item = u32>) {
        let start = key.len();
        key.extend(ids);
        if let Some(part) = key.get_mut(start..) {
            part.sort_unstable();
        }
        key.push(END);
    }
    key.clear();
    let weight: usize = (records.user_groups(user))
        .map(|group| records.group_weight(group))
        .sum();
    if weight < KEYED_FROM {
        return false;
    }
    part(key, records.user_groups(user).map(GroupId::get));
    part(key, records.user_roles(user).map(RoleId::get));
    part(key, records.user_projects(user).map(ProjectId::get));
    let mut pairs: Vec<u64> = (records.user_project_roles(user))
        .map(|(project, role)| u64::from(project.get()) << 32 | u64::from(role.get()))
        .collect();
    pairs.sort_unstable();
    key.extend(
        pairs
            .iter()
            .flat_map(|&both| [(both >> 32) as u32, both as u32]),
    );
    true
}

/// The weight of a user's groups ([`Records::group_weight`]) from which
/// [`reach_key`] keys the user.
const KEYED_FROM: usize = 16;

/// What the compile of a whole company keeps between users: the buffers of
/// [`rights`], and the permissions and stored list of every key already
/// compiled ([`reach_key`]).
struct CompileMemo<P: PermissionFlags> {
    reach: Reach<P>,
    key: Vec<u32>,
    known: HashMap<Box<[u32]>, (P, UserList)>,
}

impl<P: PermissionFlags> Records<P> for Company<P> {
    fn user_live(&self, user: UserId) -> bool {
        self.user(user).is_some()
    }

    fn user_roles(&self, user: UserId) -> impl Iterator<Item = RoleId> {
        self.user(user)
            .into_iter()
            .flat_map(|u| u.roles.iter().copied())
    }

    fn user_groups(&self, user: UserId) -> impl Iterator<Item = GroupId> {
        self.user(user)
            .into_iter()
            .flat_map(|u| u.groups.iter().copied())
    }

    fn user_projects(&self, user: UserId) -> impl Iterator<Item = ProjectId> {
        self.user(user)
            .into_iter()
            .flat_map(|u| u.projects.iter().copied())
    }

    fn group_roles(&self, group: GroupId) -> impl Iterator<Item = RoleId> {
        self.group(group)
            .into_iter()
            .flat_map(|g| g.roles.iter().copied())
    }

    fn group_projects(&self, group: GroupId) -> impl Iterator<Item = ProjectId> {
        self.group(group)
            .into_iter()
            .flat_map(|g| g.projects.iter().copied())
    }

    fn role_permissions(&self, role: RoleId) -> P {
        self.role(role).map_or(P::none(), |r| r.permissions)
    }

    fn user_project_roles(&self, user: UserId) -> impl Iterator<Item = (ProjectId, RoleId)> {
        self.user(user)
            .into_iter()
            .flat_map(|u| u.project_roles.iter().copied())
    }

    fn group_project_roles(&self, group: GroupId) -> impl Iterator<Item = (ProjectId, RoleId)> {
        self.group(group)
            .into_iter()
            .flat_map(|g| g.project_roles.iter().copied())
    }

    fn group_weight(&self, group: GroupId) -> usize {
        self.group(group).map_or(0, |g| {
            g.roles.as_slice().len()
                + g.projects.as_slice().len()
                + g.project_roles.as_slice().len()
        })
    }
}

impl<P: PermissionFlags> Company<P> {
    fn compile_user(&self, id: UserId) -> Option<CompiledUser<P>> {
        let mut reach = Reach::default();
        let permissions = rights(self, id, &mut reach)?;
        Some(CompiledUser {
            permissions,
            sessions_from: self.user(id)?.sessions_from,
            reach: Arc::new(ReachList {
                projects: reach.projects,
                within: reach.within,
            }),
        })
    }

    fn compile_object(&self, id: ObjectId) -> Option<(P::Kind, Vec<u32>)> {
        let object = self.object(id)?;
        let mut projects: Vec<u32> = object.projects.iter().map(|p| p.get()).collect();
        projects.sort_unstable();
        Some((object.kind, projects))
    }

    #[cfg(feature = "serde")] // used by the document loader
    /// A company from validated records and their name indexes: the
    /// snapshot is compiled from the tables. The caller guarantees the
    /// invariants (dense ids, two-way links, unique names, each indexed),
    /// as the document loader checks.
    ///
    /// # Errors
    ///
    /// The snapshot's tables need more memory than the machine can give.
    pub(crate) fn from_tables(
        tables: Tables<P>,
    ) -> Result<Self, std::collections::TryReserveError> {
        let Tables {
            id,
            limits,
            mode,
            revision,
            chain,
            default_project,
            users,
            groups,
            roles,
            projects,
            objects,
            names,
            records_heap,
        } = tables;
        let mut company = Self {
            state: super::new_state(),
            id,
            limits,
            mode,
            revision,
            default_project,
            user_names: names.users,
            group_names: names.groups,
            role_names: names.roles,
            project_names: names.projects,
            object_names: names.objects,
            records_heap,
            users,
            groups,
            roles,
            projects,
            objects,
            ends: super::ends::GrantEnds::default(),
            snapshot: Snapshot::default(),
            duties: std::sync::Arc::default(),
            chain,
        };
        company.shrink_tables();
        company.snapshot = company.try_compile()?;
        Ok(company)
    }

    /// Compiles a fresh [`Snapshot`] from the records, from scratch, in one
    /// pass: what loading a company does, and what a host can use to check
    /// that the incrementally kept snapshot is right (the two are equal).
    ///
    /// Computes in **O(users + objects + links)**, allocating only the
    /// snapshot's own tables; see the README's performance table for
    /// numbers.
    ///
    /// # Example
    ///
    /// ```
    /// use callgate::{Company, ObjectKind};
    ///
    /// let mut company = Company::new();
    /// company.create_user("ann")?;
    /// company.create_object(ObjectKind::Queue, "Sales")?;
    /// assert_eq!(&company.compile(), company.snapshot());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn compile(&self) -> Snapshot<P> {
        let snapshot = Snapshot::empty(self.id, self.revision, self.mode == SecurityMode::Enhanced);
        self.compile_into(snapshot)
            .unwrap_or_else(|_| allocation_failed(self.projects.len()))
    }

    /// [`compile`](Self::compile), asking for the chunk pointers of every
    /// table and for every long project list with `try_reserve`: for the
    /// loader, whose table sizes come from input.
    #[cfg(feature = "serde")] // used by the document loader
    pub(crate) fn try_compile(&self) -> Result<Snapshot<P>, TryReserveError> {
        let mut snapshot =
            Snapshot::empty(self.id, self.revision, self.mode == SecurityMode::Enhanced);
        let (users, objects) = (self.users.len(), self.objects.len());
        snapshot.try_reserve(users, objects, self.roles.len(), self.projects.len())?;
        self.compile_into(snapshot)
    }

    /// Fills an empty snapshot from the records.
    fn compile_into(&self, mut snapshot: Snapshot<P>) -> Result<Snapshot<P>, TryReserveError> {
        // Only the chunks with records are read: ids never used (a document
        // may name many) cost the snapshot one pointer per chunk.
        for (index, role) in live(&self.roles) {
            snapshot.set_role(RoleId::new(index), Some(role.permissions));
        }
        for (index, _) in live(&self.projects) {
            snapshot.set_project(ProjectId::new(index), true);
        }
        let (roles, projects) = (self.roles.len(), self.projects.len());
        snapshot.grow_roles_and_projects(roles, projects);
        let mut memo = CompileMemo {
            reach: Reach::default(),
            key: Vec::new(),
            known: HashMap::new(),
        };
        for (index, user) in self.users.present() {
            snapshot.skip_users_to(index);
            match (user, u32::try_from(index)) {
                (Some(user), Ok(id)) => {
                    let id = UserId::new(id);
                    self.push_user(&mut snapshot, id, user.sessions_from, &mut memo)?;
                }
                _ => {
                    snapshot.push_user(None)?;
                }
            }
        }
        snapshot.skip_users_to(self.users.len());
        let mut projects_of: Vec<u32> = Vec::new();
        for (index, object) in self.objects.present() {
            snapshot.skip_objects_to(index);
            let Some(object) = object else {
                snapshot.push_object(None);
                continue;
            };
            projects_of.clear();
            projects_of.extend(object.projects.iter().map(|p| p.get()));
            projects_of.sort_unstable();
            snapshot.push_object(Some((object.kind, &projects_of)));
        }
        snapshot.skip_objects_to(self.objects.len());
        snapshot.shrink_to_fit();
        Ok(snapshot)
    }

    /// Pushes the entry of `user`, sharing the list of an earlier user with
    /// the same links ([`reach_key`]).
    fn push_user(
        &self,
        snapshot: &mut Snapshot<P>,
        user: UserId,
        sessions_from: u64,
        memo: &mut CompileMemo<P>,
    ) -> Result<(), TryReserveError> {
        let keyed = reach_key(self, user, &mut memo.key);
        if let Some(&(permissions, list)) = memo.known.get(memo.key.as_slice()).filter(|_| keyed) {
            let reach = PushedReach::Shared(list);
            snapshot.push_user(Some(PushedUser {
                permissions,
                sessions_from,
                reach,
            }))?;
            return Ok(());
        }
        let Some(permissions) = rights(self, user, &mut memo.reach) else {
            snapshot.push_user(None)?;
            return Ok(());
        };
        let reach = PushedReach::New(&memo.reach.projects, &memo.reach.within);
        let list = snapshot.push_user(Some(PushedUser {
            permissions,
            sessions_from,
            reach,
        }))?;
        if keyed {
            memo.known
                .insert(memo.key.as_slice().into(), (permissions, list));
        }
        Ok(())
    }

    /// Brings the snapshot up to date after a commit: the roles, projects and
    /// objects it `touched` are compiled again; the users whose rights the
    /// plan found changed get the rights it compiled (`users`); users whose
    /// sessions ended get their new `sessions_from`.
    ///
    /// Debug builds then compile every touched user afresh and assert that
    /// the snapshot says the same: the plan's reading of the change through
    /// its overlay and the commit's own bookkeeping are held together.
    pub(crate) fn refresh(
        &mut self,
        touched: Touched,
        users: Recompiled<P>,
        logged_out: &[UserId],
    ) {
        self.snapshot.revision = self.revision;
        self.snapshot
            .set_enhanced(self.mode == SecurityMode::Enhanced);
        for role in sorted(touched.roles) {
            let permissions = self.role(role).map(|r| r.permissions);
            self.snapshot.set_role(role, permissions);
        }
        for project in sorted(touched.projects) {
            let live = self.project(project).is_some();
            self.snapshot.set_project(project, live);
        }
        for object in sorted(touched.objects) {
            let compiled = self.compile_object(object);
            self.snapshot.set_object(object, compiled);
        }
        let mut stored = StoredReaches::default();
        for (user, rights) in users {
            let sessions_from = self.user(user).map_or(0, |u| u.sessions_from);
            let compiled = rights.map(|(permissions, reach)| CompiledUser {
                permissions,
                sessions_from,
                reach,
            });
            self.snapshot.store_user(user, compiled, &mut stored);
        }
        for &user in logged_out {
            if let Some(record) = self.user(user) {
                self.snapshot.set_sessions_from(user, record.sessions_from);
            }
        }
        if cfg!(debug_assertions) {
            for user in sorted(touched.users) {
                let compiled = self.compile_user(user);
                let stored = self.snapshot.user(user).map(|entry| CompiledUser {
                    permissions: entry.permissions::<P>(),
                    sessions_from: entry.sessions_from,
                    reach: Arc::new(ReachList {
                        projects: self.snapshot.user_projects(entry).to_vec(),
                        within: (self.snapshot.user_within(entry).iter())
                            .map(|&word| P::from_word(word))
                            .collect(),
                    }),
                });
                debug_assert_eq!(compiled, stored, "user {user} compiled by the plan");
            }
        }
    }
}

#[cfg(feature = "serde")] // used by the document loader
/// The record tables of a company, for [`Company::from_tables`].
pub(crate) struct Tables<P: PermissionFlags> {
    pub(crate) id: crate::CompanyId,
    pub(crate) limits: crate::Limits,
    pub(crate) mode: SecurityMode,
    pub(crate) revision: u64,
    /// The digest of the last entry committed, if known (`Company`'s
    /// invariant (chain)).
    pub(crate) chain: Option<crate::EntryDigest>,
    pub(crate) default_project: Option<ProjectId>,
    pub(crate) users: super::FewRecords<crate::User>,
    pub(crate) groups: super::Records<crate::Group>,
    pub(crate) roles: super::FewRecords<crate::Role<P>>,
    pub(crate) projects: super::FewRecords<crate::Project>,
    pub(crate) objects: super::Records<crate::Object<P>>,
    /// The name index of each table.
    pub(crate) names: super::names::Names,
    /// The heap bytes the user and object records own (`Company`'s
    /// invariant (heap)).
    pub(crate) records_heap: usize,
}
