//! [`DecisionRecord`]: a session's decision with the names of who asked,
//! what and where.

use std::fmt;

use super::Question;
use crate::{
    Company, Decision, PermissionFlags, Permissions, Resource, RoleId, SessionDecision, UserId,
};

/// A [`SessionDecision`] with names: who asked (and which role they were
/// testing), the action and the resource, for an audit line or an answer a
/// service sends. Made by [`Company::describe_decision`].
///
/// A `SessionDecision` holds ids only: it is `Copy` and comes from the hot
/// path. The record borrows the company to write names when it is shown or
/// serialized, and allocates nothing until then. It is the first line of
/// the [`Explanation`](crate::Explanation) of the same question, without
/// the reasons.
///
/// `Display` writes names (``allow: user `sam` testing role `Operator` may
/// `tickets.create` in the company``); a record that no longer exists is
/// written by its id (`user #7`), and its reason says so
/// (`deny (unknown user)`).
///
/// With the `serde` feature it serializes as
/// `{"decision", "user", "testing", "action", "resource"}`, by names, as
/// the first fields of an explanation: see "As JSON" in
/// [`Explanation`](crate::Explanation)'s documentation.
///
/// # Example: an audit line of a testing session
///
/// ```
/// use callgate::{Company, DenyReason, Permissions, Resource, RoleId};
///
/// let mut company = Company::new();
/// let ann = company.create_user("ann")?; // Admin
/// let testing = company.start_testing(company.login(ann)?, RoleId::OPERATOR)?;
///
/// let decision = company.check_session(&testing, Permissions::BILLING_VIEW, Resource::Company);
/// let record = company.describe_decision(decision, Permissions::BILLING_VIEW, Resource::Company);
/// assert_eq!(
///     record.to_string(),
///     "deny (missing permission): user `ann` testing role `Operator` may not `billing.view` in the company",
/// );
/// // The ids stay at hand.
/// assert_eq!(record.decision().deny_reason(), Some(DenyReason::MissingPermission));
/// assert_eq!((record.user(), record.testing()), (ann, Some(RoleId::OPERATOR)));
/// assert_eq!((record.action(), record.resource()), (Permissions::BILLING_VIEW, Resource::Company));
/// assert_eq!(record.session_decision(), decision);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct DecisionRecord<'c, P: PermissionFlags = Permissions> {
    pub(super) company: &'c Company<P>,
    pub(super) question: Question<P>,
    pub(super) decision: Decision,
}

impl<P: PermissionFlags> DecisionRecord<'_, P> {
    /// The decision.
    #[must_use]
    pub fn decision(&self) -> Decision {
        self.decision
    }

    /// The real user behind the session (the tester, when testing).
    #[must_use]
    pub fn user(&self) -> UserId {
        self.question.user
    }

    /// The role under test, when the session was testing one.
    #[must_use]
    pub fn testing(&self) -> Option<RoleId> {
        self.question.testing
    }

    /// The action that was checked.
    #[must_use]
    pub fn action(&self) -> P {
        self.question.action
    }

    /// The resource it was checked on.
    #[must_use]
    pub fn resource(&self) -> Resource {
        self.question.resource
    }

    /// The decision as the check gave it, ids only.
    #[must_use]
    pub fn session_decision(&self) -> SessionDecision {
        SessionDecision {
            decision: self.decision,
            user: self.question.user,
            testing: self.question.testing,
        }
    }
}

/// ``deny (hidden by projects): user `sam` may not `queues.view` on queue `Globex sales` ``.
impl<P: PermissionFlags> fmt::Display for DecisionRecord<'_, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.question.write(self.company, self.decision, f)
    }
}

impl<P: PermissionFlags> Company<P> {
    /// `decision`, the answer of [`Company::check_session`] (or of
    /// [`Snapshot::check_session`](crate::Snapshot::check_session)) to
    /// `action` on `resource`, with names: for an audit line or an answer to
    /// send.
    ///
    /// The record takes the decision as given: pass the action and resource
    /// that were checked. A check made without a session is described by a
    /// `SessionDecision { decision, user, testing: None }`. For the reasons
    /// behind a decision, see [`Company::explain_session`].
    ///
    /// Computes in **O(1)**; names are looked up when the record is written.
    ///
    /// # Example: a decision sent as JSON, by names
    ///
    /// ```
    /// # #[cfg(feature = "serde")] {
    /// use callgate::{Change, Company, Permissions, Resource, RoleId};
    ///
    /// let mut company = Company::new();
    /// let _ann = company.create_user("ann")?; // Admin
    /// let sam = company.create_user("sam")?;
    /// company.apply(Change::AssignRole { role: RoleId::SUPERVISOR, principals: vec![sam.into()] })?;
    ///
    /// let session = company.login(sam)?;
    /// let action = Permissions::CALL_JOURNAL_VIEW;
    /// let decision = company.check_session(&session, action, Resource::Company);
    /// let record = company.describe_decision(decision, action, Resource::Company);
    /// assert_eq!(record.to_string(), "allow: user `sam` may `call_journal.view` in the company");
    /// assert_eq!(
    ///     serde_json::to_string(&record)?,
    ///     r#"{"decision":"allow","user":"sam","action":["call_journal.view"],"resource":"company"}"#,
    /// );
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn describe_decision(
        &self,
        decision: SessionDecision,
        action: P,
        resource: Resource,
    ) -> DecisionRecord<'_, P> {
        DecisionRecord {
            company: self,
            question: Question {
                user: decision.user,
                action,
                resource,
                testing: decision.testing,
            },
            decision: decision.decision,
        }
    }
}
