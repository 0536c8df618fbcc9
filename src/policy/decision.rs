//! The answer to a check: [`Decision`], and the [`DenyReason`] of a deny.

/// Why a check was denied.
///
/// The enum is exhaustive on purpose, unlike the crate's other growing
/// enums: a host's `match` that maps reasons to answers (HTTP statuses, audit
/// records, "sign in again") must not silently send a new reason down a
/// wildcard arm. So a new reason is a breaking change: it comes only in a
/// release that may break (a new minor version before 1.0, a new major one
/// after), with a migration line in the changelog, as 0.2's `OtherCompany`
/// did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum DenyReason {
    /// The user id names no user (never created, or deleted).
    UnknownUser,
    /// The object id names no object (never created, or deleted).
    UnknownObject,
    /// The project id names no project (never created, or deleted).
    UnknownProject,
    /// Enhanced mode: the user shares no project with the object (or is not a
    /// member of the project) and does not hold `projects.all`. To the user,
    /// the object does not exist: show it as [`UnknownObject`](Self::UnknownObject).
    HiddenByProjects,
    /// The action does not apply to the resource: it is empty, or it holds a
    /// permission of another kind of object (`autodialers.manage` on a queue).
    NotApplicable,
    /// No role of the user grants the action.
    MissingPermission,
    /// The check came through a session that a later change ended (a role
    /// with "put its users offline" was saved, or the role under test was
    /// deleted): the user must log in again. (A deleted user's sessions are
    /// [`UnknownUser`](Self::UnknownUser).)
    SessionEnded,
    /// The check came through a session of another company (another
    /// [`CompanyId`](crate::CompanyId)): a host mixed up its tenants' sessions. Nothing of this
    /// company is open to it.
    OtherCompany,
}

impl DenyReason {
    /// A short lowercase description, as used by [`Decision`]'s `Display`.
    #[must_use]
    pub const fn describe(self) -> &'static str {
        match self {
            Self::UnknownUser => "unknown user",
            Self::UnknownObject => "unknown object",
            Self::UnknownProject => "unknown project",
            Self::NotApplicable => "action does not apply to this resource",
            Self::HiddenByProjects => "hidden by projects",
            Self::MissingPermission => "missing permission",
            Self::SessionEnded => "session ended: log in again",
            Self::OtherCompany => "session of another company",
        }
    }
}

/// The [description](DenyReason::describe): `hidden by projects`.
///
/// ```
/// use callgate::DenyReason;
///
/// assert_eq!(DenyReason::HiddenByProjects.to_string(), "hidden by projects");
/// ```
impl std::fmt::Display for DenyReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.describe())
    }
}

/// The answer to a check: allow, or deny with the reason.
///
/// Small and `Copy` (one byte). Anything the engine cannot vouch for is a
/// deny: there is no error a caller could mistake for "allowed".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Decision {
    /// The user may do the action to the resource.
    Allow,
    /// The user may not, for this reason.
    Deny(DenyReason),
}

impl Decision {
    /// Whether the decision is [`Decision::Allow`].
    #[inline]
    #[must_use]
    pub const fn is_allowed(self) -> bool {
        matches!(self, Self::Allow)
    }

    /// The deny reason, or `None` when allowed.
    #[inline]
    #[must_use]
    pub const fn deny_reason(self) -> Option<DenyReason> {
        match self {
            Self::Allow => None,
            Self::Deny(reason) => Some(reason),
        }
    }
}

impl std::fmt::Display for Decision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Allow => f.write_str("allow"),
            Self::Deny(reason) => write!(f, "deny ({})", reason.describe()),
        }
    }
}
