//! What a planned change will do to whom: the [`ChangeReport`], worked out
//! before anything is written.
//!
//! [`After`] reads the records as the delta would leave them: the company's
//! records, with the delta's links laid over them, its new record, its
//! deleted record and its role edits. The compiled rights of every user a
//! delta may touch are computed through it with the very function the
//! compile uses (`company::compile::rights`) and compared with the
//! snapshot, so the report is exactly what the commit will do.

use std::collections::{HashMap, HashSet};

use super::delta::{Delta, NewRecord, Removed};
use crate::Snapshot;
use crate::catalog::Set;
use crate::company::compile::{Reach, Records, reach_key, rights};
use crate::company::links::Link;
use crate::company::{Company, sorted};
use crate::policy::{ReachList, SharedReach, UserEntry, UserList};
use crate::{ChangeReport, GroupId, PermissionFlags, ProjectId, RoleId, SecurityMode, UserId};
use std::sync::Arc;

/// Deltas with more links than this get hash indexes; smaller ones are
/// scanned (most changes set one to three links).
const SCAN_LIMIT: usize = 16;

/// One direction of a link: from which record to which.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Side {
    UserRoles,
    UserGroups,
    UserProjects,
    GroupRoles,
    GroupMembers,
    GroupProjects,
    RoleUsers,
    RoleGroups,
    ProjectUsers,
    ProjectGroups,
    /// To `(project, role)` pairs, packed in one `u64`.
    UserProjectRoles,
    GroupProjectRoles,
    /// To `(user, project)` pairs.
    RoleProjectUsers,
    /// To `(group, project)` pairs.
    RoleProjectGroups,
}

/// Two ids as one, for the sides that run to pairs.
fn pair(a: u32, b: u32) -> u64 {
    (u64::from(a) << 32) | u64::from(b)
}

/// The ids of a [`pair`].
fn unpair(both: u64) -> (u32, u32) {
    // Both halves fit: a pair is made of two `u32`.
    ((both >> 32) as u32, both as u32)
}

impl Link {
    /// The link seen from `side`: `(from, to)` ids, if it runs that way
    /// (`to` a [`pair`] for the sides that run to pairs).
    #[rustfmt::skip]
    fn seen_from(self, side: Side) -> Option<(u32, u64)> {
        let one = |from: u32, to: u32| Some((from, u64::from(to)));
        match (self, side) {
            (Link::UserProjectRole(u, p, r), Side::UserProjectRoles) => Some((u.get(), pair(p.get(), r.get()))),
            (Link::UserProjectRole(u, p, r), Side::RoleProjectUsers) => Some((r.get(), pair(u.get(), p.get()))),
            (Link::GroupProjectRole(g, p, r), Side::GroupProjectRoles) => Some((g.get(), pair(p.get(), r.get()))),
            (Link::GroupProjectRole(g, p, r), Side::RoleProjectGroups) => Some((r.get(), pair(g.get(), p.get()))),
            _ => self.seen_from_single(side).and_then(|(from, to)| one(from, to)),
        }
    }

    /// The link seen from `side`, for links between two records.
    fn seen_from_single(self, side: Side) -> Option<(u32, u32)> {
        match (self, side) {
            (Link::UserRole(u, r), Side::UserRoles) => Some((u.get(), r.get())),
            (Link::UserRole(u, r), Side::RoleUsers) => Some((r.get(), u.get())),
            (Link::GroupRole(g, r), Side::GroupRoles) => Some((g.get(), r.get())),
            (Link::GroupRole(g, r), Side::RoleGroups) => Some((r.get(), g.get())),
            (Link::GroupMember(g, u), Side::GroupMembers) => Some((g.get(), u.get())),
            (Link::GroupMember(g, u), Side::UserGroups) => Some((u.get(), g.get())),
            (Link::UserProject(u, p), Side::UserProjects) => Some((u.get(), p.get())),
            (Link::UserProject(u, p), Side::ProjectUsers) => Some((p.get(), u.get())),
            (Link::GroupProject(g, p), Side::GroupProjects) => Some((g.get(), p.get())),
            (Link::GroupProject(g, p), Side::ProjectGroups) => Some((p.get(), g.get())),
            _ => None,
        }
    }

    /// The sides a link can be seen from (objects are not read through
    /// `After`: none).
    fn sides(self) -> &'static [Side] {
        match self {
            Link::UserRole(..) => &[Side::UserRoles, Side::RoleUsers],
            Link::GroupRole(..) => &[Side::GroupRoles, Side::RoleGroups],
            Link::GroupMember(..) => &[Side::GroupMembers, Side::UserGroups],
            Link::UserProject(..) => &[Side::UserProjects, Side::ProjectUsers],
            Link::GroupProject(..) => &[Side::GroupProjects, Side::ProjectGroups],
            Link::UserProjectRole(..) => &[Side::UserProjectRoles, Side::RoleProjectUsers],
            Link::GroupProjectRole(..) => &[Side::GroupProjectRoles, Side::RoleProjectGroups],
            Link::ObjectProject(..) | Link::ObjectUses(..) => &[],
        }
    }
}

/// The delta's links, indexed when there are many of them.
struct Overlay<'a> {
    links: &'a [(Link, bool)],
    /// `(side, from, to)` of every removed link (large deltas only).
    removed: HashSet<(Side, u32, u64)>,
    /// `(side, from)` to the `to` ids of added links (large deltas only).
    added: HashMap<(Side, u32), Vec<u64>>,
}

impl<'a> Overlay<'a> {
    fn new(links: &'a [(Link, bool)]) -> Self {
        let mut overlay = Self {
            links,
            removed: HashSet::new(),
            added: HashMap::new(),
        };
        if links.len() > SCAN_LIMIT {
            for &(link, present) in links {
                for &side in link.sides() {
                    let Some((from, to)) = link.seen_from(side) else {
                        continue;
                    };
                    if present {
                        overlay.added.entry((side, from)).or_default().push(to);
                    } else {
                        overlay.removed.insert((side, from, to));
                    }
                }
            }
        }
        overlay
    }

    fn indexed(&self) -> bool {
        self.links.len() > SCAN_LIMIT
    }

    /// Whether the delta removes the link `from -> to` seen from `side`.
    fn removes(&self, side: Side, from: u32, to: u64) -> bool {
        if self.indexed() {
            return self.removed.contains(&(side, from, to));
        }
        self.links
            .iter()
            .any(|&(link, present)| !present && link.seen_from(side) == Some((from, to)))
    }

    /// The ids the delta links to `from`, seen from `side`.
    fn adds(&self, side: Side, from: u32) -> impl Iterator<Item = u64> + '_ {
        let scanned = (!self.indexed()).then(|| {
            self.links
                .iter()
                .filter(|&&(_, present)| present)
                .filter_map(move |&(link, _)| link.seen_from(side))
                .filter(move |&(f, _)| f == from)
                .map(|(_, to)| to)
        });
        let indexed = self.added.get(&(side, from)).map(|ids| ids.iter().copied());
        scanned
            .into_iter()
            .flatten()
            .chain(indexed.into_iter().flatten())
    }

    /// `base` seen from `side` of `from`, with the delta's links laid over.
    fn over<'s>(
        &'s self,
        side: Side,
        from: u32,
        base: impl Iterator<Item = u32> + 's,
    ) -> impl Iterator<Item = u32> + 's {
        self.over_pairs(side, from, base.map(u64::from))
            .filter_map(|to| u32::try_from(to).ok())
    }

    /// [`over`](Self::over) for the sides that run to pairs.
    fn over_pairs<'s>(
        &'s self,
        side: Side,
        from: u32,
        base: impl Iterator<Item = u64> + 's,
    ) -> impl Iterator<Item = u64> + 's {
        base.filter(move |&to| !self.removes(side, from, to))
            .chain(self.adds(side, from))
    }
}

/// The company as a delta would leave it (records only; not compiled).
pub(crate) struct After<'a, P: PermissionFlags> {
    pub(super) company: &'a Company<P>,
    pub(super) delta: &'a Delta<P>,
    overlay: Overlay<'a>,
}

impl<'a, P: PermissionFlags> After<'a, P> {
    pub(crate) fn new(company: &'a Company<P>, delta: &'a Delta<P>) -> Self {
        Self {
            company,
            delta,
            overlay: Overlay::new(&delta.links),
        }
    }

    fn group_members(&self, group: GroupId) -> impl Iterator<Item = UserId> + '_ {
        let base = self.company.members_of(group).map(|u| u.get());
        self.overlay
            .over(Side::GroupMembers, group.get(), base)
            .map(UserId::new)
    }

    /// Every holder of `role` after the change, company-wide or within a
    /// project, with repeats.
    fn role_holders(&self, role: RoleId) -> Vec<UserId> {
        let record = self.company.role(role);
        let users = record
            .into_iter()
            .flat_map(|r| r.users.iter().map(|u| u.get()));
        let groups = record
            .into_iter()
            .flat_map(|r| r.groups.iter().map(|g| g.get()));
        let mut holders = self.users_and_groups(
            (Side::RoleUsers, Side::RoleGroups),
            role.get(),
            users,
            groups,
        );
        let within = |side: Side, base: Vec<u64>| -> Vec<u32> {
            (self.overlay.over_pairs(side, role.get(), base.into_iter()))
                .map(|both| unpair(both).0)
                .collect()
        };
        let users = record.into_iter().flat_map(|r| r.project_users.iter());
        let users = users.map(|&(u, p)| pair(u.get(), p.get())).collect();
        holders.extend(
            within(Side::RoleProjectUsers, users)
                .into_iter()
                .map(UserId::new),
        );
        let groups = record.into_iter().flat_map(|r| r.project_groups.iter());
        let groups = groups.map(|&(g, p)| pair(g.get(), p.get())).collect();
        for group in sorted(within(Side::RoleProjectGroups, groups)) {
            holders.extend(self.group_members(GroupId::new(group)));
        }
        holders
    }

    /// Every member of `project` after the change, with repeats.
    fn project_members(&self, project: ProjectId) -> Vec<UserId> {
        let record = self.company.project(project);
        let users = record
            .into_iter()
            .flat_map(|p| p.users.iter().map(|u| u.get()));
        let groups = record
            .into_iter()
            .flat_map(|p| p.groups.iter().map(|g| g.get()));
        let sides = (Side::ProjectUsers, Side::ProjectGroups);
        self.users_and_groups(sides, project.get(), users, groups)
    }

    /// The users a record reaches after the change, directly (`users`,
    /// seen from the first side) and through its groups (`groups`, seen
    /// from the second), with repeats.
    fn users_and_groups(
        &self,
        (users_side, groups_side): (Side, Side),
        from: u32,
        users: impl Iterator<Item = u32>,
        groups: impl Iterator<Item = u32>,
    ) -> Vec<UserId> {
        let mut reached: Vec<UserId> = self
            .overlay
            .over(users_side, from, users)
            .map(UserId::new)
            .collect();
        let groups: Vec<u32> = self.overlay.over(groups_side, from, groups).collect();
        for group in groups {
            reached.extend(self.group_members(GroupId::new(group)));
        }
        reached
    }
}

impl<P: PermissionFlags> Records<P> for After<'_, P> {
    fn user_live(&self, user: UserId) -> bool {
        match (&self.delta.create, self.delta.delete) {
            (Some(NewRecord::User(id, _)), _) if *id == user => true,
            (_, Some(Removed::User(id))) if id == user => false,
            _ => self.company.user(user).is_some(),
        }
    }

    fn user_roles(&self, user: UserId) -> impl Iterator<Item = RoleId> {
        let base = self.company.user_roles(user).map(|r| r.get());
        self.overlay
            .over(Side::UserRoles, user.get(), base)
            .map(RoleId::new)
    }

    fn user_groups(&self, user: UserId) -> impl Iterator<Item = GroupId> {
        let base = self.company.user_groups(user).map(|g| g.get());
        self.overlay
            .over(Side::UserGroups, user.get(), base)
            .map(GroupId::new)
    }

    fn user_projects(&self, user: UserId) -> impl Iterator<Item = ProjectId> {
        let base = self.company.user_projects(user).map(|p| p.get());
        self.overlay
            .over(Side::UserProjects, user.get(), base)
            .map(ProjectId::new)
    }

    fn group_roles(&self, group: GroupId) -> impl Iterator<Item = RoleId> {
        let base = self.company.group_roles(group).map(|r| r.get());
        self.overlay
            .over(Side::GroupRoles, group.get(), base)
            .map(RoleId::new)
    }

    fn group_projects(&self, group: GroupId) -> impl Iterator<Item = ProjectId> {
        let base = self.company.group_projects(group).map(|p| p.get());
        self.overlay
            .over(Side::GroupProjects, group.get(), base)
            .map(ProjectId::new)
    }

    fn user_project_roles(&self, user: UserId) -> impl Iterator<Item = (ProjectId, RoleId)> {
        let base = (self.company.user_project_roles(user)).map(|(p, r)| pair(p.get(), r.get()));
        self.overlay
            .over_pairs(Side::UserProjectRoles, user.get(), base)
            .map(unpair)
            .map(|(p, r)| (ProjectId::new(p), RoleId::new(r)))
    }

    fn group_project_roles(&self, group: GroupId) -> impl Iterator<Item = (ProjectId, RoleId)> {
        let base = (self.company.group_project_roles(group)).map(|(p, r)| pair(p.get(), r.get()));
        self.overlay
            .over_pairs(Side::GroupProjectRoles, group.get(), base)
            .map(unpair)
            .map(|(p, r)| (ProjectId::new(p), RoleId::new(r)))
    }

    fn role_permissions(&self, role: RoleId) -> P {
        match self.delta.role_permissions(role) {
            Some(permissions) => permissions.unwrap_or(P::none()),
            None => self.company.role_permissions(role),
        }
    }

    /// The group's weight before the change, plus every link the change
    /// makes: a bound, found without reading the change's links.
    fn group_weight(&self, group: GroupId) -> usize {
        self.company.group_weight(group) + self.delta.links.len()
    }
}

/// The compiled rights (permissions, sorted projects and the permissions
/// given within them; `None`: deleted)
/// of the users whose rights a delta changes, in id order: the commit stores
/// them as they are.
pub(crate) type Recompiled<P> = Vec<(UserId, Option<Rights<P>>)>;

/// A user's company-wide permissions and where they reach.
pub(crate) type Rights<P> = (P, SharedReach<P>);

/// What a plan keeps between the users it reaches: the buffers of
/// [`rights`], the rights of every key already worked out
/// ([`reach_key`]), and whether a stored list says the same as a shared
/// reach. U users in a group that sits in P projects then cost one list of
/// P and U lookups, not U x P (issue 27).
struct PlanMemo<P: PermissionFlags> {
    reach: Reach<P>,
    key: Vec<u32>,
    known: HashMap<Box<[u32]>, Option<Rights<P>>>,
    compared: HashMap<(UserList, usize), bool>,
}

impl<P: PermissionFlags> PlanMemo<P> {
    fn new() -> Self {
        Self {
            reach: Reach::default(),
            key: Vec::new(),
            known: HashMap::new(),
            compared: HashMap::new(),
        }
    }

    /// The rights of `user` after the change (`None`: gone), shared with
    /// every user of the same links.
    fn rights(&mut self, after: &After<'_, P>, user: UserId) -> Option<Rights<P>> {
        let keyed = reach_key(after, user, &mut self.key);
        if let Some(known) = self.known.get(self.key.as_slice()).filter(|_| keyed) {
            return known.clone();
        }
        let rights = rights(after, user, &mut self.reach).map(|permissions| {
            // Moved, not copied: `rights` starts from empty lists anyway, and
            // most plans reach one user.
            let reach = ReachList {
                projects: std::mem::take(&mut self.reach.projects),
                within: std::mem::take(&mut self.reach.within),
            };
            (permissions, Arc::new(reach))
        });
        if keyed {
            self.known
                .insert(self.key.as_slice().into(), rights.clone());
        }
        rights
    }

    /// Whether `old`, as the snapshot stores it, reaches what `new` does.
    fn same_reach(
        &mut self,
        snapshot: &Snapshot<P>,
        old: &UserEntry<P::Word>,
        new: &SharedReach<P>,
    ) -> bool {
        let key = (old.list(), Arc::as_ptr(new) as usize);
        if let Some(&same) = self.compared.get(&key) {
            return same;
        }
        let same = snapshot.same_reach(old, new);
        if Arc::strong_count(new) > 1 {
            // Shared: other users will ask the same.
            self.compared.insert(key, same);
        }
        same
    }
}

/// The report of committing `delta` to `company` (who is affected and whose
/// sessions end) and the users' new rights. Reads only; costs in proportion
/// to the users the delta reaches.
///
/// # Errors
///
/// [`Error::DutiesSeparated`](crate::Error::DutiesSeparated) when a user the
/// delta reaches, or a role it sets, would break a duty constraint
/// (duties.rs): the refusal is worked out on the same overlay.
pub(crate) fn report<P: PermissionFlags>(
    company: &Company<P>,
    delta: &Delta<P>,
) -> Result<(ChangeReport, Recompiled<P>), crate::Error> {
    let after = After::new(company, delta);
    let candidates = candidates(company, &after);
    super::duties::check(&after, &candidates)?;
    let mode = delta.mode().unwrap_or(company.mode());
    let mut affected = Vec::new();
    // The rights of every user the delta reaches, after it, in id order:
    // the others keep what the snapshot says.
    let mut reached: Vec<(UserId, Option<P>)> = Vec::new();
    let mut recompiled = Vec::new();
    let mut memo = PlanMemo::new();
    let snapshot = company.snapshot();
    for user in candidates {
        let new = memo.rights(&after, user);
        let changed = match (snapshot.user(user), &new) {
            (None, None) => false,
            (Some(old), Some((permissions, reach))) => {
                old.permissions::<P>() != *permissions || !memo.same_reach(snapshot, old, reach)
            }
            _ => true,
        };
        let permissions = new.as_ref().map(|(permissions, _)| *permissions);
        if changed {
            affected.push(user);
            recompiled.push((user, new));
        }
        reached.push((user, permissions));
    }
    let permissions_after = |user: UserId| match reached.binary_search_by_key(&user, |r| r.0) {
        Ok(at) => reached.get(at).and_then(|r| r.1),
        Err(_) => snapshot.user(user).map(|entry| entry.permissions::<P>()),
    };
    affected.extend(seeing_differently(company, &after, mode, permissions_after));
    let report = ChangeReport {
        revision: company.revision() + 1,
        created: delta.created(),
        affected_users: sorted(affected),
        logged_out_users: logged_out(company, &after),
    };
    Ok((report, recompiled))
}

/// Every user whose compiled entry the delta may change, with repeats.
fn candidates<P: PermissionFlags>(company: &Company<P>, after: &After<'_, P>) -> Vec<UserId> {
    let delta = after.delta;
    let mut users = Vec::new();
    if let Some(NewRecord::User(id, _)) = &delta.create {
        users.push(*id);
    }
    if let Some(Removed::User(id)) = delta.delete {
        users.push(id);
    }
    let mut groups = Vec::new();
    for &(link, _) in &delta.links {
        match link {
            Link::UserRole(user, _)
            | Link::GroupMember(_, user)
            | Link::UserProject(user, _)
            | Link::UserProjectRole(user, ..) => users.push(user),
            Link::GroupRole(group, _)
            | Link::GroupProject(group, _)
            | Link::GroupProjectRole(group, ..) => groups.push(group),
            Link::ObjectProject(..) | Link::ObjectUses(..) => {}
        }
    }
    for group in sorted(groups) {
        users.extend(company.members_of(group));
        users.extend(after.group_members(group));
    }
    for edit in &delta.edits {
        if let super::delta::Edit::RolePermissions(role, _) = edit {
            users.extend(company.role_holders_anywhere_unsorted(*role));
            users.extend(after.role_holders(*role));
        }
    }
    sorted(users)
}

/// The users who see differently without their own entry changing: members
/// of the projects objects join or leave, everyone when the mode changes;
/// not those who see every project anyway, unless they were given roles
/// within a project whose objects change. `permissions_after` gives a
/// user's permissions after the change (`None`: the user is gone).
fn seeing_differently<P: PermissionFlags>(
    company: &Company<P>,
    after: &After<'_, P>,
    mode: SecurityMode,
    permissions_after: impl Fn(UserId) -> Option<P>,
) -> Vec<UserId> {
    let mode_changed = mode != company.mode();
    let mut granted = Vec::new();
    let mut users: Vec<UserId> = if mode_changed {
        let created = match &after.delta.create {
            Some(NewRecord::User(id, _)) => Some(*id),
            _ => None,
        };
        company.users().map(|(id, _)| id).chain(created).collect()
    } else {
        let moved = after
            .delta
            .links
            .iter()
            .filter_map(|&(link, _)| match link {
                Link::ObjectProject(_, project) => Some(project),
                _ => None,
            });
        let moved = sorted(moved.collect());
        let snapshot = company.snapshot();
        let mut users = Vec::new();
        for project in moved {
            for user in after.project_members(project) {
                // Rule 21: roles given within the project now reach other
                // objects, whatever the user sees.
                let within = snapshot
                    .user(user)
                    .is_some_and(|entry| !snapshot.within_project(entry, project).empty_set());
                if within {
                    granted.push(user);
                } else {
                    users.push(user);
                }
            }
        }
        users
    };
    let all_projects = P::of(P::catalog().required.projects_all);
    users.retain(|&user| match permissions_after(user) {
        None => false,
        Some(_) if mode_changed => true,
        Some(permissions) => mode == SecurityMode::Enhanced && !permissions.has(all_projects),
    });
    granted.retain(|&user| permissions_after(user).is_some());
    users.extend(granted);
    users
}

/// The users whose sessions the change ends, sorted: the holders of a role
/// saved with "put its users offline" (before and after), the holders of
/// ended grants of such roles, and a deleted user.
fn logged_out<P: PermissionFlags>(company: &Company<P>, after: &After<'_, P>) -> Vec<UserId> {
    let delta = after.delta;
    let mut users = Vec::new();
    if let Some(role) = delta.saved_role {
        let offline = delta
            .role_offline(role)
            .or_else(|| company.role(role).map(|r| r.put_users_offline))
            .unwrap_or(false);
        if offline {
            users.extend(company.role_holders_anywhere_unsorted(role));
            users.extend(after.role_holders(role));
        }
    }
    if let Some(Removed::User(id)) = delta.delete {
        users.push(id);
    }
    users.extend_from_slice(&delta.offline);
    sorted(users)
}
