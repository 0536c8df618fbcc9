//! The one error type of every fallible operation.

use std::fmt;

/// The kinds of things a company is made of, as named in error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum EntityKind {
    /// A user.
    User,
    /// A group of users.
    Group,
    /// A role.
    Role,
    /// A project.
    Project,
    /// A project-scoped object (queue, autodialer, ...).
    Object,
}

impl fmt::Display for EntityKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::User => "user",
            Self::Group => "group",
            Self::Role => "role",
            Self::Project => "project",
            Self::Object => "object",
        })
    }
}

/// Why a change or a query was refused.
///
/// Every message names the offending id, name or permission. A refused change
/// leaves the [`Company`](crate::Company) exactly as it was.
///
/// The enum is `#[non_exhaustive]`: new kinds of refusal may be added in minor
/// releases, so a `match` on it needs a wildcard arm. Checks never return it:
/// [`Decision`](crate::Decision) is the check's answer, and its
/// [`DenyReason`](crate::DenyReason) is exhaustive on purpose.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An id that names nothing (never created, or deleted).
    #[error("unknown {kind} id `{id}`")]
    UnknownId {
        /// What the id was meant to name.
        kind: EntityKind,
        /// The id's number.
        id: u32,
    },
    /// A name that names nothing.
    #[error("unknown {kind} `{name}`")]
    UnknownName {
        /// What the name was meant to name.
        kind: EntityKind,
        /// The name as given.
        name: String,
    },
    /// A name that another thing of the same kind already has.
    #[error("{kind} name `{name}` is already taken")]
    DuplicateName {
        /// The kind of thing being named.
        kind: EntityKind,
        /// The name as given.
        name: String,
    },
    /// An empty or blank name, or one with control characters.
    #[error("invalid {kind} name `{name}`: a name must be non-empty, without control characters or surrounding white space")]
    InvalidName {
        /// The kind of thing being named.
        kind: EntityKind,
        /// The name as given.
        name: String,
    },
    /// A permission name that is not in the catalog.
    #[error("unknown permission `{name}`")]
    UnknownPermission {
        /// The name as given.
        name: String,
    },
    /// An object kind name that is not one of the nine.
    #[error("unknown object kind `{name}`")]
    UnknownObjectKind {
        /// The name as given.
        name: String,
    },
    /// A section name that the catalog does not have.
    #[error("unknown section `{name}`")]
    UnknownSection {
        /// The name as given.
        name: String,
    },
    /// A permission set where exactly one catalog entry was expected.
    #[error("`{permissions}` is not a single permission")]
    NotSinglePermission {
        /// The set as given, by names.
        permissions: String,
    },
    /// An attempt to edit, rename or delete a built-in role.
    #[error("built-in role `{role}` cannot be {action}")]
    BuiltinRole {
        /// The built-in role's name.
        role: &'static str,
        /// What was attempted: `renamed`, `edited` or `deleted`.
        action: &'static str,
    },
    /// An attempt to rename or delete the Default project.
    #[error("the `Default` project cannot be {action}")]
    DefaultProject {
        /// What was attempted: `renamed` or `deleted`.
        action: &'static str,
    },
    /// A table gave out every id it can (ids are `u32` numbers below
    /// `u32::MAX`).
    #[error("too many {kind}s: no id is left")]
    CapacityExceeded {
        /// The kind of record that could not be created.
        kind: EntityKind,
    },
    /// A session that a change ended (a role with "put its users offline"
    /// was saved) or whose role under test was deleted.
    #[error("the session of user `{user}` has ended: log in again")]
    SessionEnded {
        /// The user's name (or id, once deleted).
        user: String,
    },
    /// An actor lacks the permission that governs a change.
    #[error("user `{user}` may not {change}: missing permission `{missing}`")]
    Forbidden {
        /// The actor's name.
        user: String,
        /// The change, in words (``assign role `QA` ``).
        change: String,
        /// The permissions the actor lacks, by name.
        missing: String,
    },
    /// A change that would hand out a permission the actor does not hold.
    #[error("user `{user}` may not {change}: it grants `{permissions}`, which they do not hold")]
    Escalation {
        /// The actor's name.
        user: String,
        /// The change, in words.
        change: String,
        /// The permissions beyond the actor's own, by name.
        permissions: String,
    },
    /// A role given within a project to a user or group that is not a
    /// direct member of it (DOMAIN rule 20).
    #[error("{principal} is not a member of project `{project}`: add them to it first")]
    NotProjectMember {
        /// The user or group, in words (``user `ann` ``).
        principal: String,
        /// The project's name.
        project: String,
    },
    /// Admin, or a role holding `projects.all`, given within a project, or
    /// `projects.all` added to a role someone holds within a project: those
    /// apply company-wide only (DOMAIN rule 22).
    #[error("role `{role}` cannot be held within project `{project}`: Admin and `projects.all` apply company-wide only")]
    CompanyWideRole {
        /// The role's name.
        role: String,
        /// The project's name.
        project: String,
    },
    /// A stored document that cannot be loaded; `path` says where
    /// (`roles[3].permissions[1]`).
    #[error("{path}: {message}")]
    Document {
        /// Where in the document, e.g. `users[2].roles[0]`.
        path: String,
        /// What is wrong there.
        message: String,
    },
    /// A change that expected the company at another revision: someone else
    /// changed it first, or a change log has a gap.
    #[error("the change expects revision {expected}, but the company is at revision {actual}")]
    RevisionMismatch {
        /// The revision the change was made against.
        expected: u64,
        /// The company's revision.
        actual: u64,
    },
    /// A [`Plan`](crate::Plan) committed to a company other than the one
    /// that made it, or to a clone of it that has committed other changes
    /// since.
    #[error("the plan was made by another company")]
    ForeignPlan,
    /// A change that would leave a company with users but no Admin.
    #[error("{change} would leave the company without an Admin")]
    LastAdmin {
        /// The change, in words (``removing user `ann` ``).
        change: String,
    },
}

impl Error {
    pub(crate) fn unknown_id(kind: EntityKind, id: u32) -> Self {
        Self::UnknownId { kind, id }
    }

    pub(crate) fn unknown_permission(name: &str) -> Self {
        Self::UnknownPermission {
            name: name.to_owned(),
        }
    }
}
