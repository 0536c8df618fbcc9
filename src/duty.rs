//! Separation of duties (DOMAIN rule 25): two permissions, or two roles,
//! that no one may hold together.
//!
//! An administrator declares a [`DutyConstraint`] with
//! [`Change::DeclareDutyConstraint`](crate::Change::DeclareDutyConstraint)
//! and drops it with [`Change::DropDutyConstraint`](crate::Change::DropDutyConstraint).
//! From then on every change that would let one user hold both
//! [`Duty`]s is refused ([`Error::DutiesSeparated`](crate::Error::DutiesSeparated)),
//! naming the user and the two grants, and changes nothing.
//!
//! # What "held" means
//!
//! A user holds a permission when one of their roles holds it (a
//! permission implied by one held counts too), and a role when they hold
//! it, however the role reaches them: given to them or to one of their
//! groups, company-wide or within any project (DOMAIN rules 20-21; roles
//! given within projects count in simple mode too, since switching back to
//! enhanced restores them).
//!
//! # Admin, built-in roles and role testing
//!
//! - **Admin is exempt from permission pairs.** Admin holds every
//!   permission, always (DOMAIN rule 2), and the last Admin cannot be
//!   removed: a pair of permissions would otherwise be broken by the first
//!   user of every company. A user who holds Admin company-wide is not
//!   checked against permission pairs. A pair of roles may not name Admin
//!   ([`Error::InvalidDutyConstraint`](crate::Error::InvalidDutyConstraint)).
//! - **A custom role may not hold both permissions of a pair**: creating
//!   or editing one so is refused, and so is declaring a pair that a custom
//!   role already holds both of (the role is listed among the breakers).
//!   Supervisor and Operator cannot be edited, so they may hold both
//!   permissions of a pair: then whoever would hold them breaks it.
//! - **Role testing cannot combine duties.** A testing session holds only
//!   the tested role, and only what the tester already holds, so it reaches
//!   no pair its tester could not. The one way round is an Admin (exempt)
//!   testing a built-in role that holds both permissions of a pair: that
//!   testing is refused.
//!
//! # Example: payouts are edited by one person and approved by another
//!
//! ```
//! use callgate::{Change, Company, Duty, Error, Permissions};
//!
//! let mut company = Company::new();
//! let _admin = company.create_user("ann")?;
//! let kim = company.create_user("kim")?;
//! let editors = company.create_role("Payout editors", "", Permissions::PAYMENTS_MANAGE)?;
//! let approvers = company.create_role("Payout approvers", "", Permissions::BILLING_MANAGE)?;
//!
//! company.apply(Change::DeclareDutyConstraint {
//!     first: Duty::Permission(Permissions::PAYMENTS_MANAGE),
//!     second: Duty::Permission(Permissions::BILLING_MANAGE),
//! })?;
//! company.apply(Change::AssignRole { role: editors, principals: vec![kim.into()] })?;
//!
//! let refused = company
//!     .apply(Change::AssignRole { role: approvers, principals: vec![kim.into()] })
//!     .unwrap_err();
//! assert!(matches!(refused, Error::DutiesSeparated { .. }));
//! assert_eq!(
//!     refused.to_string(),
//!     "user `kim` would hold both `payments.manage` from role `Payout editors` (given directly, \
//!      company-wide) and `billing.manage` from role `Payout approvers` (given directly, \
//!      company-wide), which are kept apart",
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;

use crate::catalog::Set;
use crate::{PermissionFlags, Permissions, RoleId};

/// One side of a [`DutyConstraint`]: one catalog permission, or one role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    feature = "serde",
    serde(rename_all = "snake_case", deny_unknown_fields, bound = "")
)]
pub enum Duty<P: PermissionFlags = Permissions> {
    /// One catalog permission (stored by name, like every permission).
    /// Held by whoever holds it or a permission that implies it.
    Permission(#[cfg_attr(feature = "serde", serde(with = "crate::catalog::serde_names"))] P),
    /// One role, held directly, through a group, company-wide or within a
    /// project.
    Role(RoleId),
}

/// Two duties that no one may hold together (DOMAIN rule 25), declared
/// with [`Change::DeclareDutyConstraint`](crate::Change::DeclareDutyConstraint)
/// and listed by [`Company::duty_constraints`](crate::Company::duty_constraints).
///
/// The order of the two sides does not matter: `(a, b)` and `(b, a)` are
/// the same constraint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    feature = "serde",
    serde(
        rename_all = "camelCase",
        deny_unknown_fields,
        expecting = "a duty constraint",
        bound = ""
    )
)]
pub struct DutyConstraint<P: PermissionFlags = Permissions> {
    /// One duty.
    pub first: Duty<P>,
    /// The duty kept apart from it.
    pub second: Duty<P>,
}

impl<P: PermissionFlags> DutyConstraint<P> {
    /// The constraint keeping `first` and `second` apart.
    #[must_use]
    pub const fn new(first: Duty<P>, second: Duty<P>) -> Self {
        Self { first, second }
    }

    /// Whether `other` keeps the same two duties apart, in either order.
    #[must_use]
    pub fn same_as(&self, other: &Self) -> bool {
        (self.first == other.first && self.second == other.second)
            || (self.first == other.second && self.second == other.first)
    }

    /// Whether the constraint names `role` on either side.
    #[must_use]
    pub fn names_role(&self, role: RoleId) -> bool {
        self.first == Duty::Role(role) || self.second == Duty::Role(role)
    }
}

impl<P: PermissionFlags> Duty<P> {
    /// Whether a role with these permissions gives the duty: it is the
    /// role, or it holds the permission.
    pub(crate) fn given_by(self, role: RoleId, permissions: P) -> bool {
        match self {
            Self::Permission(permission) => role != RoleId::ADMIN && permissions.has(permission),
            Self::Role(duty) => duty == role,
        }
    }
}

/// A duty in words, for messages: `` `payments.manage` `` or
/// ``role `QA` `` (`role` names the role).
pub(crate) struct DutyText<'a, P: PermissionFlags> {
    pub(crate) duty: Duty<P>,
    pub(crate) role: &'a dyn Fn(RoleId) -> String,
}

impl<P: PermissionFlags> fmt::Display for DutyText<'_, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.duty {
            Duty::Permission(permission) => write!(f, "`{}`", permission.names()),
            Duty::Role(role) => write!(f, "role `{}`", (self.role)(role)),
        }
    }
}
