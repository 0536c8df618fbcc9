//! Users and groups: the principals roles and projects are given to.

use crate::short_set::{ManySet, ShortSet};

use crate::id::define_id;
use crate::{ProjectId, RoleId};

define_id!(
    /// Identifies a [`User`] of a company.
    UserId
);

define_id!(
    /// Identifies a [`Group`] (a team) of users.
    GroupId
);

/// A user or a group: anything that can hold a role or join a project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase"))]
pub enum Principal {
    /// One user.
    User(UserId),
    /// Every member of a group.
    Group(GroupId),
}

impl From<UserId> for Principal {
    fn from(user: UserId) -> Self {
        Self::User(user)
    }
}

impl From<GroupId> for Principal {
    fn from(group: GroupId) -> Self {
        Self::Group(group)
    }
}

/// A user of the company, as configured: name, direct roles, groups and
/// direct project memberships.
///
/// What the user may do is derived from these: see
/// [`Company::effective_permissions`](crate::Company::effective_permissions).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub(crate) name: crate::name::Name,
    // INVARIANT (links): `r` is in `roles` exactly when this user is in
    // `Role::users` of `r`; likewise for `groups`/`Group::members` and
    // `projects`/`Project::users`. Upheld by `Company::apply`.
    pub(crate) roles: ShortSet<RoleId>,
    pub(crate) groups: ShortSet<GroupId>,
    pub(crate) projects: ShortSet<ProjectId>,
    // INVARIANT (links): `(p, r)` is here exactly when `(this user, p)` is in
    // `Role::project_users` of `r`, and then `p` is in `projects` (roles are
    // given within a project only to its direct members). Upheld by
    // `Company::apply`.
    pub(crate) project_roles: ShortSet<(ProjectId, RoleId)>,
    /// Sessions that logged in before this revision are ended.
    pub(crate) sessions_from: u64,
}

impl User {
    pub(crate) fn new(name: &str) -> Self {
        Self {
            name: name.into(),
            roles: ShortSet::new(),
            groups: ShortSet::new(),
            projects: ShortSet::new(),
            project_roles: ShortSet::new(),
            sessions_from: 0,
        }
    }

    /// Sessions that logged in before this revision have been ended by a
    /// change (0 when none has been).
    #[must_use]
    pub fn sessions_valid_from(&self) -> u64 {
        self.sessions_from
    }

    /// The user's unique name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The roles assigned to the user directly, in assignment order (roles
    /// held through groups are not listed here).
    pub fn roles(&self) -> impl ExactSizeIterator<Item = RoleId> + '_ {
        self.roles.iter().copied()
    }

    /// The groups the user is a member of.
    pub fn groups(&self) -> impl ExactSizeIterator<Item = GroupId> + '_ {
        self.groups.iter().copied()
    }

    /// The projects the user is a member of directly (memberships through
    /// groups are not listed here).
    pub fn projects(&self) -> impl ExactSizeIterator<Item = ProjectId> + '_ {
        self.projects.iter().copied()
    }

    /// The roles given to the user directly within projects (DOMAIN rule
    /// 20), as `(project, role)` pairs sorted by project, then role. Roles
    /// given to the user's groups within a project are not listed here.
    pub fn project_roles(&self) -> impl ExactSizeIterator<Item = (ProjectId, RoleId)> + '_ {
        self.project_roles.iter().copied()
    }
}

/// A group (a team) of users. A group can be used wherever a user can be
/// chosen: its members hold the group's roles and join the group's projects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub(crate) name: crate::name::Name,
    // INVARIANT (links): mirrored by `User::groups`, `Role::groups` and
    // `Project::groups`. Upheld by `Company::apply`.
    pub(crate) members: ManySet<UserId>,
    pub(crate) roles: ShortSet<RoleId>,
    pub(crate) projects: ShortSet<ProjectId>,
    // INVARIANT (links): mirrored by `Role::project_groups`; every project
    // here is in `projects`.
    pub(crate) project_roles: ShortSet<(ProjectId, RoleId)>,
}

impl Group {
    pub(crate) fn new(name: &str) -> Self {
        Self {
            name: name.into(),
            members: ManySet::new(),
            roles: ShortSet::new(),
            projects: ShortSet::new(),
            project_roles: ShortSet::new(),
        }
    }

    /// The group's unique name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The group's members, in id order.
    pub fn members(&self) -> impl ExactSizeIterator<Item = UserId> + '_ {
        self.members.iter().copied()
    }

    /// The roles assigned to the group.
    pub fn roles(&self) -> impl ExactSizeIterator<Item = RoleId> + '_ {
        self.roles.iter().copied()
    }

    /// The projects the group is a member of.
    pub fn projects(&self) -> impl ExactSizeIterator<Item = ProjectId> + '_ {
        self.projects.iter().copied()
    }

    /// The roles given to the group within projects (DOMAIN rule 20), as
    /// `(project, role)` pairs sorted by project, then role: every member
    /// holds them within that project.
    pub fn project_roles(&self) -> impl ExactSizeIterator<Item = (ProjectId, RoleId)> + '_ {
        self.project_roles.iter().copied()
    }
}
