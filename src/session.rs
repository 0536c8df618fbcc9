//! Sessions: a logged-in user, possibly testing a role (DOMAIN rules 7-9).

use std::fmt;

use crate::catalog::Set;
use crate::{CompanyId, Decision, DenyReason, EntityKind, Error, PermissionFlags, RoleId, UserId};

/// A logged-in user, as the host keeps it between requests: small and `Copy`.
///
/// A session remembers the company [revision](crate::Company::revision) at
/// login. A later change that "puts users offline" ends it: checks through it
/// are then denied with [`DenyReason::SessionEnded`] and the host sends the
/// user to log in again. Every other change applies to it at once, so a
/// revocation is never delayed.
///
/// A session may be *testing* a role (DOMAIN rule 8): its checks then use
/// only that role's permissions, never more than the tester holds, with the
/// tester's own project memberships. Testing ends when the user logs out:
/// a new [`login`](crate::Company::login) gives a normal session.
///
/// Sessions are made by [`Company::login`](crate::Company::login) and
/// [`Company::start_testing`](crate::Company::start_testing). A host that
/// stores them (with the `serde` feature) is trusted like any other caller:
/// the library cannot tell a stored session from a forged one.
///
/// A session carries the [id](crate::CompanyId) of the company it was made
/// by. Used with any other company it opens nothing: checks are denied with
/// [`DenyReason::OtherCompany`], changes and role testing refused with
/// [`Error::OtherCompany`]. The user ids of two companies overlap (each
/// counts from 0), so without it user 0 of one tenant would be the Admin of
/// every other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    feature = "serde",
    serde(into = "SessionRecord", try_from = "SessionRecord")
)]
pub struct Session {
    login_revision: u64,
    company: CompanyId,
    user: UserId,
    /// The number of the role under test, or `NOT_TESTING`: no role has that
    /// number (ids are table indices, below `u32::MAX`). Kept as a plain
    /// number so that the session is 24 bytes, not 32.
    testing: u32,
}

/// [`Session::testing`] of a session that tests no role.
const NOT_TESTING: u32 = u32::MAX;

impl Session {
    pub(crate) const fn new(company: CompanyId, user: UserId, login_revision: u64) -> Self {
        Self {
            login_revision,
            company,
            user,
            testing: NOT_TESTING,
        }
    }

    /// The real user behind the session (the tester, when testing).
    #[inline]
    #[must_use]
    pub const fn user(&self) -> UserId {
        self.user
    }

    /// The company the user logged in to: checks through the session with
    /// any other are denied
    /// ([`DenyReason::OtherCompany`](crate::DenyReason::OtherCompany)).
    #[inline]
    #[must_use]
    pub const fn company(&self) -> CompanyId {
        self.company
    }

    /// The company revision at login.
    #[inline]
    #[must_use]
    pub const fn login_revision(&self) -> u64 {
        self.login_revision
    }

    /// The role under test, if the session is testing one.
    #[inline]
    #[must_use]
    pub const fn testing(&self) -> Option<RoleId> {
        match self.testing {
            NOT_TESTING => None,
            role => Some(RoleId::new(role)),
        }
    }

    pub(crate) const fn with_testing(self, role: RoleId) -> Self {
        Self {
            testing: role.get(),
            ..self
        }
    }
}

/// How a [`Session`] is stored: `{"company": "5f3a9c0e12ab34cd", "user": 3,
/// "loginRevision": 12, "testing": null}`.
#[cfg(feature = "serde")]
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SessionRecord {
    company: CompanyId,
    user: UserId,
    login_revision: u64,
    testing: Option<RoleId>,
}

#[cfg(feature = "serde")]
impl From<Session> for SessionRecord {
    fn from(session: Session) -> Self {
        Self {
            company: session.company(),
            user: session.user(),
            login_revision: session.login_revision(),
            testing: session.testing(),
        }
    }
}

#[cfg(feature = "serde")]
impl TryFrom<SessionRecord> for Session {
    type Error = String;

    fn try_from(record: SessionRecord) -> Result<Self, String> {
        let session = Self::new(record.company, record.user, record.login_revision);
        match record.testing {
            None => Ok(session),
            // No role can have this id: a company has fewer than
            // `u32::MAX` of them.
            Some(role) if role.get() == NOT_TESTING => {
                Err(format!("no role can have the id {role}"))
            }
            Some(role) => Ok(session.with_testing(role)),
        }
    }
}

// Hosts keep one per connection.
const _: () = assert!(std::mem::size_of::<Session>() == 24);

/// The answer to a check made through a [`Session`]: the decision, with the
/// real user and the role under test, so that an audit log written from it
/// alone is complete.
///
/// It holds ids only, to stay small and `Copy` on the hot path; its
/// `Display` writes them as numbers. For names, in text or (with the `serde`
/// feature) as JSON, describe it:
/// [`Company::describe_decision`](crate::Company::describe_decision) gives a
/// [`DecisionRecord`](crate::DecisionRecord).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase"))]
#[non_exhaustive]
pub struct SessionDecision {
    /// Allow, or deny with the reason.
    pub decision: Decision,
    /// The real user behind the session.
    pub user: UserId,
    /// The role under test, when the session is testing one.
    pub testing: Option<RoleId>,
}

impl SessionDecision {
    /// A decision for the real user `user`, made while testing `testing`
    /// (if any): what a host's test double or stored audit record builds.
    #[must_use]
    pub const fn new(decision: Decision, user: UserId, testing: Option<RoleId>) -> Self {
        Self {
            decision,
            user,
            testing,
        }
    }

    /// Whether the decision is [`Decision::Allow`].
    #[inline]
    #[must_use]
    pub const fn is_allowed(self) -> bool {
        self.decision.is_allowed()
    }

    /// The deny reason, or `None` when allowed.
    #[inline]
    #[must_use]
    pub const fn deny_reason(self) -> Option<DenyReason> {
        self.decision.deny_reason()
    }
}

impl fmt::Display for SessionDecision {
    /// `allow (user 3)` or `deny (missing permission) (user 3 testing role 2)`:
    /// ids, as the decision holds them. A
    /// [`DecisionRecord`](crate::DecisionRecord) writes names.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (user {}", self.decision, self.user)?;
        if let Some(role) = self.testing {
            write!(f, " testing role {role}")?;
        }
        f.write_str(")")
    }
}

impl<P: PermissionFlags> crate::Company<P> {
    /// Logs a user in: a session at the current revision.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownId`] for an unknown user.
    ///
    /// # Example: a session ended by a role saved with "put users offline"
    ///
    /// ```
    /// use callgate::{Change, Company, DenyReason, Permissions, Resource};
    ///
    /// let mut company = Company::new();
    /// let _admin = company.create_user("ann")?;
    /// let kim = company.create_user("kim")?;
    /// let qa = company.create_role("QA", "", Permissions::QA_CHECKS_MANAGE)?;
    /// company.apply(Change::AssignRole { role: qa, principals: vec![kim.into()] })?;
    ///
    /// let session = company.login(kim)?;
    /// let check = |c: &Company| c.check_session(&session, Permissions::QA_CHECKS_VIEW, Resource::Company);
    /// assert!(check(&company).is_allowed());
    ///
    /// // Turn the setting on and save: kim's session ends.
    /// let report = company.apply(Change::EditRole {
    ///     role: qa, name: None, description: None, permissions: None,
    ///     put_users_offline: Some(true),
    /// })?;
    /// assert_eq!(report.logged_out_users, vec![kim]);
    /// assert_eq!(check(&company).deny_reason(), Some(DenyReason::SessionEnded));
    ///
    /// // A new login works again.
    /// let session = company.login(kim)?;
    /// assert!(company.check_session(&session, Permissions::QA_CHECKS_VIEW, Resource::Company).is_allowed());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn login(&self, user: UserId) -> Result<Session, Error> {
        self.live_user(user)?;
        Ok(Session::new(self.id, user, self.revision()))
    }

    /// Starts testing `role` in `session` (DOMAIN rules 8-9): the returned
    /// session holds only that role, with the tester's own project
    /// memberships, until the user logs out.
    ///
    /// Only a user who may manage roles and test them (`roles.manage` and
    /// `roles.test`, through this session) may test, and only a role whose
    /// permissions they already hold: testing never gives more than the
    /// tester has.
    ///
    /// # Errors
    ///
    /// - [`Error::OtherCompany`] for a session of another company;
    /// - [`Error::SessionEnded`] when the session was ended by a change;
    /// - [`Error::UnknownId`] for an unknown user or role;
    /// - [`Error::Forbidden`] without `roles.manage` and `roles.test`;
    /// - [`Error::Escalation`] when the role grants something the tester
    ///   does not hold;
    /// - [`Error::DutiesSeparated`] when the role by itself gives both
    ///   duties of a declared [`DutyConstraint`](crate::DutyConstraint)
    ///   (only a built-in role can: an Admin, exempt from permission pairs,
    ///   could otherwise combine them by testing).
    ///
    /// # Example: an administrator tests Operator; a supervisor may not test Admin
    ///
    /// ```
    /// use callgate::{Change, Company, Error, Permissions, Resource, RoleId};
    ///
    /// let mut company = Company::new();
    /// let ann = company.create_user("ann")?; // Admin
    /// let sam = company.create_user("sam")?;
    /// company.apply(Change::AssignRole { role: RoleId::SUPERVISOR, principals: vec![sam.into()] })?;
    ///
    /// let testing = company.start_testing(company.login(ann)?, RoleId::OPERATOR)?;
    /// let journal = company.check_session(&testing, Permissions::CALL_JOURNAL_VIEW, Resource::Company);
    /// let billing = company.check_session(&testing, Permissions::BILLING_VIEW, Resource::Company);
    /// assert!(journal.is_allowed() && !billing.is_allowed());
    /// assert_eq!((billing.user, billing.testing), (ann, Some(RoleId::OPERATOR)));
    ///
    /// let refused = company.start_testing(company.login(sam)?, RoleId::ADMIN).unwrap_err();
    /// assert!(matches!(refused, Error::Escalation { .. }));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn start_testing(&self, session: Session, role: RoleId) -> Result<Session, Error> {
        let held = self.session_permissions(&session)?;
        let tested = self.live_role(role)?;
        let required = P::catalog().required;
        let needed = P::of(required.roles_manage | required.roles_test);
        if !held.has(needed) {
            return Err(Error::Forbidden {
                user: self.user_label(session.user()),
                change: format!("test role `{}`", tested.name()),
                missing: needed.minus(held).names().to_string(),
            });
        }
        let beyond = tested.permissions().minus(held);
        if !beyond.empty_set() {
            return Err(Error::Escalation {
                user: self.user_label(session.user()),
                change: format!("test role `{}`", tested.name()),
                permissions: beyond.names().to_string(),
            });
        }
        self.check_tested_role(session.user(), role)?;
        Ok(session.with_testing(role))
    }

    /// May the user of `session` do `action` to `resource`? The same as
    /// [`Snapshot::check_session`](crate::Snapshot::check_session) on
    /// [`Company::snapshot`](crate::Company::snapshot).
    #[inline]
    #[must_use]
    pub fn check_session(
        &self,
        session: &Session,
        action: P,
        resource: crate::Resource,
    ) -> SessionDecision {
        self.snapshot().check_session(session, action, resource)
    }

    /// The permissions `session` acts with: the user's own, or in a testing
    /// session the tested role's that the user also holds.
    ///
    /// # Errors
    ///
    /// [`Error::OtherCompany`] for a session of another company,
    /// [`Error::UnknownId`] for a deleted user, [`Error::SessionEnded`] for
    /// an ended session (or a deleted role under test).
    pub fn session_permissions(&self, session: &Session) -> Result<P, Error> {
        match self.snapshot().session_permissions(session) {
            Ok((_, permissions)) => Ok(permissions),
            Err(reason) => Err(self.session_error(session, reason)),
        }
    }

    /// The error for a session the snapshot turned away for `reason`.
    pub(crate) fn session_error(&self, session: &Session, reason: DenyReason) -> Error {
        match reason {
            DenyReason::UnknownUser => Error::unknown_id(EntityKind::User, session.user().get()),
            DenyReason::OtherCompany => Error::OtherCompany {
                what: "session",
                of: session.company(),
                used_with: self.id,
            },
            _ => Error::SessionEnded {
                user: self.user_label(session.user()),
            },
        }
    }

    /// `ann`, or the id when the user is gone, for messages.
    pub(crate) fn user_label(&self, user: UserId) -> String {
        self.user(user)
            .map_or_else(|| user.to_string(), |u| u.name().to_owned())
    }

    /// A project's name, or its id when it does not exist.
    pub(crate) fn project_label(&self, project: crate::ProjectId) -> String {
        self.project(project)
            .map_or_else(|| project.to_string(), |p| p.name().to_owned())
    }
}
