//! The one error type of every fallible operation.

use std::fmt;

mod codes;

pub use self::codes::ErrorCategory;

/// The kinds of things a company is made of, as named in error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
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
///
/// # Codes and categories
///
/// A service maps an error without matching on it: [`Error::code`] is a
/// stable snake_case code per kind of error, for clients and logs, and
/// [`Error::category`] is one of a few coarse categories, for the status of
/// the answer ([`ErrorCategory::http_status`] suggests one). The message
/// ([`Display`](fmt::Display)) is for people and may be reworded in any
/// release; the codes may not.
///
/// | Variant | Code | Category | Suggested HTTP status |
/// |---|---|---|---|
/// | [`UnknownId`](Self::UnknownId) | `unknown_id` | `not_found` | 404 |
/// | [`UnknownName`](Self::UnknownName) | `unknown_name` | `not_found` | 404 |
/// | [`DuplicateName`](Self::DuplicateName) | `duplicate_name` | `conflict` | 409 |
/// | [`InvalidName`](Self::InvalidName) | `invalid_name` | `invalid` | 422 |
/// | [`UnknownPermission`](Self::UnknownPermission) | `unknown_permission` | `invalid` | 422 |
/// | [`UnknownObjectKind`](Self::UnknownObjectKind) | `unknown_object_kind` | `invalid` | 422 |
/// | [`UnknownSection`](Self::UnknownSection) | `unknown_section` | `invalid` | 422 |
/// | [`NotSinglePermission`](Self::NotSinglePermission) | `not_single_permission` | `invalid` | 422 |
/// | [`BuiltinRole`](Self::BuiltinRole) | `builtin_role` | `invalid` | 422 |
/// | [`DefaultProject`](Self::DefaultProject) | `default_project` | `invalid` | 422 |
/// | [`CapacityExceeded`](Self::CapacityExceeded) | `capacity_exceeded` | `exhausted` | 507 |
/// | [`LimitReached`](Self::LimitReached) | `limit_reached` | `exhausted` | 507 |
/// | [`RevisionsExhausted`](Self::RevisionsExhausted) | `revisions_exhausted` | `exhausted` | 507 |
/// | [`SessionEnded`](Self::SessionEnded) | `session_ended` | `unauthenticated` | 401 |
/// | [`Forbidden`](Self::Forbidden) | `forbidden` | `forbidden` | 403 |
/// | [`Escalation`](Self::Escalation) | `escalation` | `forbidden` | 403 |
/// | [`OtherCompany`](Self::OtherCompany) | `other_company` | `forbidden` | 403 |
/// | [`NotProjectMember`](Self::NotProjectMember) | `not_project_member` | `conflict` | 409 |
/// | [`CompanyWideRole`](Self::CompanyWideRole) | `company_wide_role` | `invalid` | 422 |
/// | [`Document`](Self::Document) | `document` | `invalid` | 422 |
/// | [`RevisionMismatch`](Self::RevisionMismatch) | `revision_mismatch` | `conflict` | 409 |
/// | [`ForeignPlan`](Self::ForeignPlan) | `foreign_plan` | `conflict` | 409 |
/// | [`LastAdmin`](Self::LastAdmin) | `last_admin` | `conflict` | 409 |
/// | [`InvalidResource`](Self::InvalidResource) | `invalid_resource` | `invalid` | 422 |
/// | [`SelfReference`](Self::SelfReference) | `self_reference` | `invalid` | 422 |
/// | [`ReferenceCrossesProjects`](Self::ReferenceCrossesProjects) | `reference_crosses_projects` | `conflict` | 409 |
/// | [`ObjectInUse`](Self::ObjectInUse) | `object_in_use` | `conflict` | 409 |
/// | [`DutiesSeparated`](Self::DutiesSeparated) | `duties_separated` | `conflict` | 409 |
/// | [`DutyConstraintBroken`](Self::DutyConstraintBroken) | `duty_constraint_broken` | `conflict` | 409 |
/// | [`InvalidDutyConstraint`](Self::InvalidDutyConstraint) | `invalid_duty_constraint` | `invalid` | 422 |
/// | [`LogDiverged`](Self::LogDiverged) | `log_diverged` | `conflict` | 409 |
///
/// **Codes never change once released.** A code is its variant's name in
/// snake_case as of the release that added it; renaming a variant keeps its
/// code, and a new variant gets a new code. A variant may move to another
/// category only in a breaking release.
///
/// The categories, by what the caller can do about the refusal:
///
/// - `not_found`: an id or a name of the company's own records (users,
///   groups, roles, projects, objects) names nothing: never created, or
///   deleted.
/// - `unauthenticated`: the caller's session has ended (a change put its
///   users offline, or the role under test was deleted): they must sign in
///   again, and then may succeed. (Before 0.3 an ended session was
///   `forbidden`.)
/// - `forbidden`: the actor may not do it (a missing permission, an
///   escalation), or the session or log entry is another company's;
///   another actor could.
/// - `conflict`: the request is well formed but collides with the company's
///   current state: a taken name, a stale revision or another company's
///   plan, the last Admin, a principal that is not (yet) a member of the
///   project, a reference between objects that would share no project, an
///   object that others still use, two duties kept apart (DOMAIN rule 25).
///   Reading the state again, or changing it first, can make it succeed.
/// - `invalid`: the request can never succeed as written: a malformed name,
///   a permission, kind or section the catalog lacks (the catalog is fixed
///   by the product, so that is a mistake in the request rather than a
///   missing record), a set that is not one permission, an edit of a
///   built-in role or of the `Default` project, Admin or `projects.all`
///   within a project, a stored document that cannot be loaded, text that
///   is not a resource name.
/// - `exhausted`: a table has given out every id it can, or the host's
///   [`Limits`](crate::Limits) allow; or the company has reached the
///   largest revision. No request will create more of that kind. That is
///   the service's problem, not the caller's.
///
/// # Serialization
///
/// With the `serde` feature, an error serializes (it does not deserialize)
/// as its code, its category, its message and its fields under `details`,
/// by the names they have here:
///
/// ```json
/// {
///   "code": "unknown_id",
///   "category": "not_found",
///   "message": "unknown user id `7`",
///   "details": { "kind": "user", "id": 7 }
/// }
/// ```
///
/// A [`Document`](Self::Document) error's `details.message` is the message
/// shown, without the reader's position, which comes as
/// `"position": { "line": 1, "column": 118 }` when the reader gave one.
///
/// # Example: mapping an error to an answer
///
/// ```
/// use callgate::{Change, Company, RoleId, UserId};
///
/// let mut company = Company::new();
/// let ann = company.create_user("ann")?;
///
/// // Taking Admin from the only Admin is refused: the company keeps one.
/// let error = company
///     .apply(Change::UnassignRole { role: RoleId::ADMIN, principals: vec![ann.into()] })
///     .unwrap_err();
/// assert_eq!(error.code(), "last_admin");
/// assert_eq!(error.category().to_string(), "conflict");
/// assert_eq!(error.category().http_status(), 409);
///
/// // A user that was never created.
/// let error = company.login(UserId::new(7)).unwrap_err();
/// assert_eq!((error.code(), error.category().http_status()), ("unknown_id", 404));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
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
    /// A name that names nothing. (A check by names,
    /// [`Company::check_by_name`](crate::Company::check_by_name), denies an
    /// unknown name instead, as a check denies an unknown id.)
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
    #[error(
        "invalid {kind} name `{name}`: a name must be non-empty, without control characters or surrounding white space"
    )]
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
    /// An attempt to edit, rename or delete a built-in role, or to give
    /// Admin until a time.
    #[error("built-in role `{role}` cannot be {action}")]
    BuiltinRole {
        /// The built-in role's name.
        role: &'static str,
        /// What was attempted: `renamed`, `edited`, `deleted` or `given
        /// until a time`.
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
    /// A table reached the host's [`Limits`](crate::Limits) for its kind
    /// ([`Company::set_limits`](crate::Company::set_limits)).
    #[error("too many {kind}s: the company's limit is {limit} {kind} ids")]
    LimitReached {
        /// The kind of record that could not be created.
        kind: EntityKind,
        /// The limit: how many ids of the kind the company may give out.
        limit: u32,
    },
    /// The company is at the largest revision there is (`i64::MAX`, which
    /// fits the signed 64-bit columns hosts store revisions in): it takes no
    /// more changes, so that its document always loads again.
    #[error(
        "the company is at revision {revision}, the largest there is: it takes no more changes"
    )]
    RevisionsExhausted {
        /// The company's revision.
        revision: u64,
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
    /// A session, log entry or document of one company used with another
    /// (see [`CompanyId`](crate::CompanyId) and `Company::load_expecting`):
    /// a host mixed up its tenants. Nothing was done.
    #[error("a {what} of company {of} was used with company {used_with}")]
    OtherCompany {
        /// What was used: `session`, `log entry` or `document`.
        what: &'static str,
        /// The company that made it.
        of: crate::CompanyId,
        /// The company it was used with.
        used_with: crate::CompanyId,
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
    #[error(
        "role `{role}` cannot be held within project `{project}`: Admin and `projects.all` apply company-wide only"
    )]
    CompanyWideRole {
        /// The role's name.
        role: String,
        /// The project's name.
        project: String,
    },
    /// A stored document that cannot be loaded; `path` says where
    /// (`roles[3].permissions[1]`).
    ///
    /// A text reader (serde_json) ends its messages with where it stopped,
    /// ` at line 1 column 118`: that position is kept in `message` as the
    /// reader wrote it and returned as data by [`Error::position`], but the
    /// message shown ([`Display`](fmt::Display), and `message` when
    /// serialized) leaves it out: the path says where (`document` for the
    /// whole document, `entry` for a whole log entry), and a line and
    /// column mean little to a host that read the document from a database
    /// column.
    #[error("{path}: {}", split_position(.message).0)]
    Document {
        /// Where in the document, e.g. `users[2].roles[0]`.
        path: String,
        /// What is wrong there, as the reader said it (possibly ending in
        /// its position: see the variant's documentation).
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
    /// Text that is not a resource name: `company`, `project:NAME` or
    /// `KIND:NAME` ([`ResourceName`](crate::ResourceName)).
    #[error("invalid resource `{text}`: expected `company`, `project:NAME` or `KIND:NAME`")]
    InvalidResource {
        /// The text as given.
        text: String,
    },
    /// An object listed among the objects it uses (DOMAIN rule 26).
    #[error("an object cannot use itself: {object}")]
    SelfReference {
        /// The object, in words (``autodialer `Spring` (id 3)``).
        object: String,
    },
    /// In enhanced mode, a reference between two objects that share no
    /// project (DOMAIN rule 26): recording it, or a change that would leave
    /// it so (taking an object out of a project, deleting a project,
    /// switching back to enhanced mode). A reference is whole while the two
    /// objects share at least one project.
    ///
    /// The message names the first such reference; `references` lists
    /// every one the change would leave crossing, so that a
    /// [`preview`](crate::Company::preview) of the change shows them all.
    #[error(
        "a reference would cross projects: {reference}, but the two share no project{}",
        and_more(.references.len())
    )]
    ReferenceCrossesProjects {
        /// The first reference, in words (``autodialer `Spring` (id 3) uses
        /// list `Leads` (id 5)``).
        reference: String,
        /// Every reference that would cross, the first one first, each as
        /// (the object that uses, the object used).
        references: Vec<(crate::ObjectId, crate::ObjectId)>,
    },
    /// Deleting an object that other objects use (DOMAIN rule 26, in
    /// either mode): their references must go first.
    #[error("cannot delete {object}: it is used by {used_by}; remove those references first")]
    ObjectInUse {
        /// The object, in words (``list `Leads` (id 5)``).
        object: String,
        /// The objects that use it, in words, in id order
        /// (``autodialer `Spring` (id 3), autodialer `Fall` (id 4)``).
        used_by: String,
        /// The ids of the objects that use it, in id order.
        used_by_ids: Vec<crate::ObjectId>,
    },
    /// A change that would let one user (or one custom role, or a testing
    /// session) hold both duties of a declared
    /// [`DutyConstraint`](crate::DutyConstraint) (DOMAIN rule 25). Names
    /// the holder and the grant that gives each duty: the role, and whether
    /// it is given directly or through which group, company-wide or within
    /// which project.
    #[error("{holder} would hold both {first} and {second}, which are kept apart")]
    DutiesSeparated {
        /// Who would hold both, in words (``user `ann` ``, ``role `QA` ``).
        holder: String,
        /// The grant of the first duty, in words (`` `payments.manage` from
        /// role `Cashier` (through group `Finance`, within project `Acme`) ``).
        first: String,
        /// The grant of the second duty, in words.
        second: String,
    },
    /// A duty constraint declared while someone already holds both duties
    /// (DOMAIN rule 25): the users, and custom roles holding both
    /// permissions of a pair, are listed (the first ten, by id).
    #[error(
        "{first} and {second} cannot be kept apart: {count} already hold both ({}{})",
        .holders.join(", "),
        if *.count > .holders.len() { ", ..." } else { "" }
    )]
    DutyConstraintBroken {
        /// The first duty, in words.
        first: String,
        /// The second duty, in words.
        second: String,
        /// The first ten who hold both, in words (``user `ann` ``,
        /// ``role `QA` ``).
        holders: Vec<String>,
        /// How many hold both.
        count: usize,
    },
    /// A duty constraint that can never hold (DOMAIN rule 25): a duty with
    /// itself or with a permission it implies, or a pair of roles naming
    /// Admin (Admin holds everything, and the last Admin cannot go).
    #[error("{first} and {second} cannot be kept apart: {reason}")]
    InvalidDutyConstraint {
        /// The first duty, in words.
        first: String,
        /// The second duty, in words.
        second: String,
        /// Why not.
        reason: &'static str,
    },
    /// A change log that says something else than what the company applied
    /// ([`Company::catch_up`](crate::Company::catch_up)): an entry whose
    /// [`previous`](crate::LogEntry::previous) digest is not the digest of
    /// the entry before it, or an entry already applied whose digest is not
    /// the company's. Two histories under one company (a restored backup,
    /// a second writer, a row rewritten): nothing of the entry is applied.
    /// A replica that meets it reloads from a checkpoint of the history it
    /// should follow.
    #[error(
        "the log diverged at revision {revision}: {}",
        if *applied {
            "the entry there is not the one this company applied"
        } else {
            "the entry there does not follow the one this company applied before it"
        }
    )]
    LogDiverged {
        /// The revision of the entry that does not match.
        revision: u64,
        /// Whether the company had already applied an entry at that
        /// revision (the log was rewritten), or the entry is new to it
        /// (it follows another history).
        applied: bool,
    },
}

/// ` (and 2 more references)` after the first of `count` references;
/// nothing for one.
fn and_more(count: usize) -> String {
    match count {
        0 | 1 => String::new(),
        2 => " (and 1 more reference)".to_owned(),
        count => format!(" (and {} more references)", count - 1),
    }
}

/// Where a text reader stopped in a stored document: the line and the
/// column, counted from 1, as the reader reported them. See
/// [`Error::position`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct TextPosition {
    /// The line, from 1.
    pub line: usize,
    /// The column, from 1.
    pub column: usize,
}

impl fmt::Display for TextPosition {
    /// `line 1 column 118`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {} column {}", self.line, self.column)
    }
}

/// `message` without a reader's trailing ` at line L column C`, and that
/// position; the message as it is when it has none. (The message shown at
/// the path: a position adds nothing a host can use.)
fn split_position(message: &str) -> (&str, Option<TextPosition>) {
    let number = |text: &str| {
        if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        text.parse::<usize>().ok()
    };
    let Some((text, tail)) = message.rsplit_once(" at line ") else {
        return (message, None);
    };
    let position = tail.split_once(" column ").and_then(|(line, column)| {
        Some(TextPosition {
            line: number(line)?,
            column: number(column)?,
        })
    });
    match position {
        Some(position) => (text, Some(position)),
        None => (message, None),
    }
}

/// Data of a stored document's refusal.
impl Error {
    /// Where the text reader stopped, for an [`Error::Document`] it
    /// reported (a JSON syntax or shape error, or a name the catalog lacks,
    /// found while reading); `None` for every other error, and for problems
    /// found after reading (a reference to a missing record), which only
    /// the path locates.
    ///
    /// Computes in **O(length of the message)**; allocates nothing.
    ///
    /// # Example: a misspelt permission
    ///
    /// ```
    /// use callgate::{Company, Permissions, TextPosition};
    ///
    /// let json = r#"{"format":1,"mode":"simple","revision":1,
    ///   "nextIds":{"users":0,"groups":0,"roles":4,"projects":0,"objects":0},
    ///   "users":[],"groups":[],"projects":[],"objects":[],
    ///   "roles":[{"id":0,"name":"Admin","builtin":true},{"id":1,"name":"Supervisor","builtin":true},
    ///            {"id":2,"name":"Operator","builtin":true},
    ///            {"id":3,"name":"QA","permissions":["qa_checks.view","queue.fly"]}]}"#;
    /// let error = Company::<Permissions>::load(&mut serde_json::Deserializer::from_str(json)).unwrap_err();
    /// // The path says where; the message does not add the reader's position...
    /// assert_eq!(error.to_string(), "roles[3].permissions[1]: unknown permission `queue.fly`");
    /// // ...which is still there as data.
    /// assert_eq!(error.position(), Some(TextPosition { line: 6, column: 75 }));
    /// ```
    #[must_use]
    pub fn position(&self) -> Option<TextPosition> {
        match self {
            Self::Document { message, .. } => split_position(message).1,
            _ => None,
        }
    }
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
