//! Roles: named sets of permissions, three of them built in.

use crate::catalog::Set;
use crate::id::define_id;
use crate::short_set::ManySet;
use crate::{GroupId, PermissionFlags, Permissions, ProjectId, UserId};

define_id!(
    /// Identifies a [`Role`]. The built-in roles have fixed ids:
    /// [`RoleId::ADMIN`], [`RoleId::SUPERVISOR`] and [`RoleId::OPERATOR`].
    RoleId
);

impl RoleId {
    /// The built-in Admin role.
    pub const ADMIN: Self = Self::new(0);
    /// The built-in Supervisor role.
    pub const SUPERVISOR: Self = Self::new(1);
    /// The built-in Operator role.
    pub const OPERATOR: Self = Self::new(2);
}

/// The three roles every company has. They are templates: their name,
/// description and permissions can never be changed, and they cannot be
/// deleted. Users and groups can still be assigned to and removed from them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum BuiltinRole {
    /// Every permission in the company ([`Permissions::ADMIN`]).
    Admin,
    /// Admin, except finance, KPI, security settings and "all projects"
    /// ([`Permissions::SUPERVISOR`]).
    Supervisor,
    /// Support tickets, call and chat journals, listening to every user's
    /// calls and every operator-workplace widget ([`Permissions::OPERATOR`]).
    Operator,
}

impl BuiltinRole {
    /// The three built-in roles, in id order.
    pub const ALL: [Self; 3] = [Self::Admin, Self::Supervisor, Self::Operator];

    /// The role's fixed id.
    #[must_use]
    pub const fn id(self) -> RoleId {
        match self {
            Self::Admin => RoleId::ADMIN,
            Self::Supervisor => RoleId::SUPERVISOR,
            Self::Operator => RoleId::OPERATOR,
        }
    }

    /// The role's fixed name.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Admin => "Admin",
            Self::Supervisor => "Supervisor",
            Self::Operator => "Operator",
        }
    }

    /// The role's fixed description in a catalog: Admin's is always the
    /// same; Supervisor's and Operator's are the catalog's
    /// ([`Definition::describe_builtins`](crate::Definition::describe_builtins)).
    #[must_use]
    pub fn description_in<P: PermissionFlags>(self) -> &'static str {
        let [supervisor, operator] = P::catalog().definition().builtin_descriptions;
        match self {
            Self::Admin => self.description(),
            Self::Supervisor => supervisor,
            Self::Operator => operator,
        }
    }

    /// The role's fixed description in the standard catalog.
    #[must_use]
    pub const fn description(self) -> &'static str {
        match self {
            Self::Admin => "Every permission in the company",
            Self::Supervisor => {
                "Everything except finance, KPI, security settings and all projects"
            }
            Self::Operator => {
                "Support tickets, call and chat journals, all users' calls, every workplace widget"
            }
        }
    }

    /// The role's fixed permissions in a catalog: Admin holds every
    /// permission; Supervisor and Operator what the catalog's definition
    /// says.
    #[must_use]
    pub fn permissions_in<P: PermissionFlags>(self) -> P {
        let catalog = P::catalog();
        P::of(match self {
            Self::Admin => catalog.all_bits(),
            Self::Supervisor => catalog.supervisor,
            Self::Operator => catalog.operator,
        })
    }

    /// The role's fixed permissions in the standard catalog.
    #[must_use]
    pub const fn permissions(self) -> Permissions {
        match self {
            Self::Admin => Permissions::ADMIN,
            Self::Supervisor => Permissions::SUPERVISOR,
            Self::Operator => Permissions::OPERATOR,
        }
    }

    /// The built-in role with this id, if any.
    #[must_use]
    pub const fn from_id(id: RoleId) -> Option<Self> {
        match id.get() {
            0 => Some(Self::Admin),
            1 => Some(Self::Supervisor),
            2 => Some(Self::Operator),
            _ => None,
        }
    }
}

/// A role: a named set of permissions with an optional description, and the
/// users and groups that hold it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Role<P: PermissionFlags = Permissions> {
    pub(crate) name: crate::name::Name,
    pub(crate) description: String,
    // INVARIANT (closed): always `Permissions::closed`. Upheld by `Company::apply`.
    pub(crate) permissions: P,
    pub(crate) builtin: Option<BuiltinRole>,
    pub(crate) put_users_offline: bool,
    // INVARIANT (links): mirrored by `User::roles` and `Group::roles`.
    pub(crate) users: ManySet<UserId>,
    pub(crate) groups: ManySet<GroupId>,
    // INVARIANT (links): mirrored by `User::project_roles` and
    // `Group::project_roles`.
    pub(crate) project_users: ManySet<(UserId, ProjectId)>,
    pub(crate) project_groups: ManySet<(GroupId, ProjectId)>,
}

impl<P: PermissionFlags> Role<P> {
    pub(crate) fn builtin(role: BuiltinRole) -> Self {
        Self {
            name: role.name().into(),
            description: role.description_in::<P>().to_owned(),
            permissions: role.permissions_in(),
            builtin: Some(role),
            put_users_offline: false,
            users: ManySet::new(),
            groups: ManySet::new(),
            project_users: ManySet::new(),
            project_groups: ManySet::new(),
        }
    }

    /// The role's unique name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The role's description (empty when none was given).
    #[must_use]
    pub fn description(&self) -> &str {
        &self.description
    }

    /// The permissions the role grants (always [closed](Permissions::closed)).
    #[must_use]
    pub fn permissions(&self) -> P {
        self.permissions
    }

    /// Which built-in role this is, or `None` for a custom role.
    #[must_use]
    pub fn builtin_role(&self) -> Option<BuiltinRole> {
        self.builtin
    }

    /// The "put its users offline" setting: whether saving a change to the
    /// role ends the sessions of everyone who holds it, so that the change
    /// applies to them at once. Always `false` for built-in roles.
    #[must_use]
    pub fn puts_users_offline(&self) -> bool {
        self.put_users_offline
    }

    /// Whether this is a built-in, unchangeable role.
    #[must_use]
    pub fn is_builtin(&self) -> bool {
        self.builtin.is_some()
    }

    /// The users the role is assigned to directly, in id order.
    pub fn users(&self) -> impl ExactSizeIterator<Item = UserId> + '_ {
        self.users.iter().copied()
    }

    /// The groups the role is assigned to, in id order.
    pub fn groups(&self) -> impl ExactSizeIterator<Item = GroupId> + '_ {
        self.groups.iter().copied()
    }

    /// The users given the role within a project (DOMAIN rule 20), as
    /// `(user, project)` pairs in order.
    pub fn project_users(&self) -> impl ExactSizeIterator<Item = (UserId, ProjectId)> + '_ {
        self.project_users.iter().copied()
    }

    /// The groups given the role within a project, as `(group, project)`
    /// pairs in order.
    pub fn project_groups(&self) -> impl ExactSizeIterator<Item = (GroupId, ProjectId)> + '_ {
        self.project_groups.iter().copied()
    }
}
