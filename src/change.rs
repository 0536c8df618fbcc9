//! Every edit of a company as one value: [`Change`], applied by
//! [`Company::apply`](crate::Company::apply), answered by a [`ChangeReport`].

use indexmap::IndexMap;

mod build;
#[cfg(feature = "serde")]
mod entry_serde;
#[cfg(feature = "serde")]
mod legacy;
mod new_user;
mod op;

pub use new_user::NewUser;

use crate::{
    GroupId, ObjectId, PermissionFlags, Permissions, Principal, ProjectId, RoleId, SecurityMode,
    Session, Timestamp, UserId,
};

/// One edit of a company's configuration.
///
/// Changes are plain data: a host can log them, replay them on another
/// replica, or ship them between services. Applying the same changes in the
/// same order to two new companies gives identical companies, ids included.
///
/// Lists of principals or objects are bulk operations (tick many users, save
/// once): adding something already there, or removing something that is not,
/// is accepted and changes nothing; an unknown id refuses the whole change.
///
/// A struct literal names every field, so it stops compiling when a later
/// version adds one (0.2 added `roles` to [`Change::AddProjectMembers`]).
/// The constructors leave the optional fields at their defaults and keep
/// compiling: [`Change::add_project_members`],
/// [`Change::add_project_members_with_roles`] and [`Change::create_user`]
/// (with a [`NewUser`](crate::NewUser)). What a change created is read with
/// [`ChangeReport::created_user`] and its siblings.
///
/// # Example: a change as JSON
///
/// ```
/// # #[cfg(feature = "serde")] {
/// use callgate::{Change, Permissions, Principal, UserId};
///
/// let change = Change::CreateRole {
///     name: "QA".into(),
///     description: "Evaluates calls".into(),
///     permissions: Permissions::QA_SHEETS_MANAGE | Permissions::QA_CHECKS_MANAGE,
///     principals: vec![Principal::User(UserId::new(4))],
///     put_users_offline: false,
/// };
/// let json = serde_json::to_string(&change).unwrap();
/// assert_eq!(
///     json,
///     r#"{"op":"create_role","name":"QA","description":"Evaluates calls","permissions":["qa_sheets.manage","qa_checks.manage"],"principals":[{"user":4}],"putUsersOffline":false}"#,
/// );
/// assert_eq!(serde_json::from_str::<Change>(&json).unwrap(), change);
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    feature = "serde",
    serde(
        tag = "op",
        rename_all = "snake_case",
        rename_all_fields = "camelCase",
        deny_unknown_fields,
        bound = ""
    )
)]
#[non_exhaustive]
pub enum Change<P: PermissionFlags = Permissions> {
    /// Creates a user. The first user of a company is given the Admin role
    /// as well as `roles`. Creates [`Created::User`].
    CreateUser {
        /// A unique, non-blank name.
        name: String,
        /// Roles to give the user at creation.
        #[cfg_attr(feature = "serde", serde(default))]
        roles: Vec<RoleId>,
        /// Groups to put the user in.
        #[cfg_attr(feature = "serde", serde(default))]
        groups: Vec<GroupId>,
        /// Projects to make the user a member of (none by default: a new
        /// user sees no project-scoped object in enhanced mode until added).
        #[cfg_attr(feature = "serde", serde(default))]
        projects: Vec<ProjectId>,
    },
    /// Renames a user.
    RenameUser {
        /// The user.
        user: UserId,
        /// The new unique name.
        name: String,
    },
    /// Deletes a user, with every role, group and project membership. Its id
    /// is never reused. Refused for the last holder of Admin.
    DeleteUser {
        /// The user.
        user: UserId,
    },
    /// Creates a group. Creates [`Created::Group`].
    CreateGroup {
        /// A unique, non-blank name.
        name: String,
        /// The first members.
        #[cfg_attr(feature = "serde", serde(default))]
        members: Vec<UserId>,
    },
    /// Renames a group.
    RenameGroup {
        /// The group.
        group: GroupId,
        /// The new unique name.
        name: String,
    },
    /// Deletes a group, with its roles and project memberships.
    DeleteGroup {
        /// The group.
        group: GroupId,
    },
    /// Adds users to a group.
    AddGroupMembers {
        /// The group.
        group: GroupId,
        /// The users to add.
        users: Vec<UserId>,
    },
    /// Removes users from a group.
    RemoveGroupMembers {
        /// The group.
        group: GroupId,
        /// The users to remove.
        users: Vec<UserId>,
    },
    /// Creates a custom role. Creates [`Created::Role`].
    CreateRole {
        /// A unique, non-blank name.
        name: String,
        /// A description (may be empty).
        #[cfg_attr(feature = "serde", serde(default))]
        description: String,
        /// The permissions granted (closed: manage brings view).
        #[cfg_attr(feature = "serde", serde(with = "crate::catalog::serde_names"))]
        permissions: P,
        /// Users and groups to give the role to.
        #[cfg_attr(feature = "serde", serde(default))]
        principals: Vec<Principal>,
        /// The role's "put its users offline" setting: when set, every later
        /// save of the role ends the sessions of everyone who holds it.
        #[cfg_attr(feature = "serde", serde(default))]
        put_users_offline: bool,
    },
    /// Edits a custom role: each `Some` field replaces the current value.
    /// Refused for built-in roles.
    EditRole {
        /// The role.
        role: RoleId,
        /// A new unique name.
        #[cfg_attr(feature = "serde", serde(default))]
        name: Option<String>,
        /// A new description.
        #[cfg_attr(feature = "serde", serde(default))]
        description: Option<String>,
        /// A new permission set (closed: manage brings view).
        #[cfg_attr(
            feature = "serde",
            serde(default, with = "crate::catalog::serde_names::option")
        )]
        permissions: Option<P>,
        /// A new "put its users offline" setting.
        #[cfg_attr(feature = "serde", serde(default))]
        put_users_offline: Option<bool>,
    },
    /// Deletes a custom role; its holders lose it. Refused for built-in roles.
    DeleteRole {
        /// The role.
        role: RoleId,
    },
    /// Gives a role to many users and groups at once.
    AssignRole {
        /// The role.
        role: RoleId,
        /// The users and groups.
        principals: Vec<Principal>,
    },
    /// Takes a role from many users and groups at once.
    UnassignRole {
        /// The role.
        role: RoleId,
        /// The users and groups.
        principals: Vec<Principal>,
    },
    /// Switches one section (one permission) on or off for one role, as seen
    /// from inside the section. Switching a view permission off also switches
    /// off the manage permission that implies it. Refused for built-in roles.
    SetSectionAccess {
        /// The role.
        role: RoleId,
        /// One catalog permission.
        #[cfg_attr(feature = "serde", serde(with = "crate::catalog::serde_names"))]
        permission: P,
        /// On or off.
        allowed: bool,
    },
    /// Switches the security mode. The first switch to enhanced creates the
    /// `Default` project with every existing user and object. A later switch
    /// back to enhanced is refused while a reference recorded in simple mode
    /// crosses projects
    /// ([`Error::ReferenceCrossesProjects`](crate::Error::ReferenceCrossesProjects)).
    SetSecurityMode {
        /// The new mode.
        mode: SecurityMode,
    },
    /// Creates a project. Creates [`Created::Project`].
    CreateProject {
        /// A unique, non-blank name.
        name: String,
        /// A description (may be empty).
        #[cfg_attr(feature = "serde", serde(default))]
        description: String,
        /// The first members.
        #[cfg_attr(feature = "serde", serde(default))]
        principals: Vec<Principal>,
        /// The first objects.
        #[cfg_attr(feature = "serde", serde(default))]
        objects: Vec<ObjectId>,
    },
    /// Edits a project's name or description. The `Default` project cannot
    /// be renamed.
    EditProject {
        /// The project.
        project: ProjectId,
        /// A new unique name.
        #[cfg_attr(feature = "serde", serde(default))]
        name: Option<String>,
        /// A new description.
        #[cfg_attr(feature = "serde", serde(default))]
        description: Option<String>,
    },
    /// Deletes a project; its objects stay, in their other projects. The
    /// `Default` project cannot be deleted; in enhanced mode, neither can a
    /// project whose deletion would leave a reference crossing projects
    /// ([`Error::ReferenceCrossesProjects`](crate::Error::ReferenceCrossesProjects)).
    DeleteProject {
        /// The project.
        project: ProjectId,
    },
    /// Adds users and groups to a project, and gives each of them `roles`
    /// within it (DOMAIN rule 20; members already there just get the
    /// roles).
    AddProjectMembers {
        /// The project.
        project: ProjectId,
        /// The users and groups.
        principals: Vec<Principal>,
        /// Roles to give each of them within the project (none by
        /// default). Admin, and any role holding `projects.all`, are
        /// company-wide only: giving them within a project is refused
        /// ([`Error::CompanyWideRole`](crate::Error::CompanyWideRole)).
        #[cfg_attr(feature = "serde", serde(default))]
        roles: Vec<RoleId>,
    },
    /// Gives a role within a project to some of its members, in bulk
    /// (DOMAIN rule 20): it applies to the project's objects and to the
    /// project itself, nothing else. Each principal must be a direct member
    /// (a user in the project, or a group in it;
    /// [`Error::NotProjectMember`](crate::Error::NotProjectMember)
    /// otherwise). It applies at once; it is not a save of the role, so a
    /// role's "put its users offline" setting ends no session here (it
    /// does when the role itself is saved, for every holder: rule 23).
    AssignProjectRole {
        /// The project.
        project: ProjectId,
        /// The role.
        role: RoleId,
        /// The members to give it to.
        principals: Vec<Principal>,
    },
    /// Takes a role given within a project from users and groups (those
    /// without it are left as they are).
    UnassignProjectRole {
        /// The project.
        project: ProjectId,
        /// The role.
        role: RoleId,
        /// The users and groups to take it from.
        principals: Vec<Principal>,
    },
    /// Removes users and groups from a project, with the roles they were
    /// given within it.
    RemoveProjectMembers {
        /// The project.
        project: ProjectId,
        /// The users and groups.
        principals: Vec<Principal>,
    },
    /// Puts objects into a project (an object may sit in several).
    AddProjectObjects {
        /// The project.
        project: ProjectId,
        /// The objects.
        objects: Vec<ObjectId>,
    },
    /// Takes objects out of a project. In enhanced mode, refused when a
    /// reference of theirs would then cross projects
    /// ([`Error::ReferenceCrossesProjects`](crate::Error::ReferenceCrossesProjects),
    /// listing every such reference).
    RemoveProjectObjects {
        /// The project.
        project: ProjectId,
        /// The objects.
        objects: Vec<ObjectId>,
    },
    /// Registers a project-scoped object the host has made. Creates
    /// [`Created::Object`].
    CreateObject {
        /// The object's kind.
        #[cfg_attr(
            feature = "serde",
            serde(
                serialize_with = "crate::catalog::serde_names::kind::serialize::<P, _>",
                deserialize_with = "crate::catalog::serde_names::kind::deserialize::<P, _>"
            )
        )]
        kind: P::Kind,
        /// A name unique among objects of this kind.
        name: String,
        /// The projects that hold it (none by default: in enhanced mode only
        /// holders of `projects.all` see it until it is added to one).
        #[cfg_attr(feature = "serde", serde(default))]
        projects: Vec<ProjectId>,
    },
    /// Renames an object.
    RenameObject {
        /// The object.
        object: ObjectId,
        /// The new name, unique among objects of its kind.
        name: String,
    },
    /// Deletes an object, taking it out of every project and dropping the
    /// references it records to the objects it uses. Refused while other
    /// objects use it ([`Error::ObjectInUse`](crate::Error::ObjectInUse)),
    /// in either mode.
    DeleteObject {
        /// The object.
        object: ObjectId,
    },
    /// Gives a role to many users and groups until a time (DOMAIN rule 24):
    /// an ordinary grant until [`Change::ExpireGrants`] at or past `until`
    /// takes it away. A principal who holds the role already keeps it,
    /// with this end instead of the one it had (or of none):
    /// [`Change::AssignRole`] makes it lasting again. Guarded as
    /// `AssignRole` is: nobody gives a role for a time who could not give
    /// it at all. Admin is given without an end
    /// ([`Error::BuiltinRole`](crate::Error::BuiltinRole)), so that no
    /// expiry takes the last Admin away.
    AssignRoleUntil {
        /// The role.
        role: RoleId,
        /// The users and groups.
        principals: Vec<Principal>,
        /// When the grant ends.
        until: Timestamp,
    },
    /// Gives a role within a project to some of its members until a time
    /// (DOMAIN rules 20 and 24), as [`Change::AssignProjectRole`] does;
    /// ends as [`Change::AssignRoleUntil`] says.
    AssignProjectRoleUntil {
        /// The project.
        project: ProjectId,
        /// The role.
        role: RoleId,
        /// The members to give it to.
        principals: Vec<Principal>,
        /// When the grant ends.
        until: Timestamp,
    },
    /// Ends every grant whose end is at or before `now` (DOMAIN rule 24):
    /// the host says what time it is, since the library keeps no clock.
    /// Logged and replayed like any other change, so every replica ends the
    /// same grants at the same revision. The holders of an ended grant of a
    /// role saved with "put its users offline" lose their sessions (rule
    /// 23). With nothing due it changes nothing but the revision;
    /// [`Company::next_expiry`](crate::Company::next_expiry) says when one
    /// is.
    ExpireGrants {
        /// What time it is.
        now: Timestamp,
    },
    /// Records which objects `object` uses (DOMAIN rule 26: an autodialer
    /// dials a list through a SIP provider, with a call script and a
    /// schedule), replacing what was recorded before: an empty list clears
    /// its references. Read back with [`Object::uses`](crate::Object::uses)
    /// and [`Object::used_by`](crate::Object::used_by).
    ///
    /// In [enhanced](SecurityMode::Enhanced) mode each object used must
    /// share at least one project with `object`
    /// ([`Error::ReferenceCrossesProjects`](crate::Error::ReferenceCrossesProjects));
    /// in simple mode any reference is recorded, and checked when the
    /// company switches back to enhanced. An object cannot use itself
    /// ([`Error::SelfReference`](crate::Error::SelfReference)).
    SetObjectReferences {
        /// The object that uses the others.
        object: ObjectId,
        /// The objects it uses, in any order; one listed twice is
        /// recorded once.
        uses: Vec<ObjectId>,
    },
    /// Declares that no one may hold both duties (DOMAIN rule 25; see
    /// [`DutyConstraint`](crate::DutyConstraint) for what "held" means and
    /// how Admin is treated). Refused when someone already holds both, or a
    /// custom role holds both permissions of the pair
    /// ([`Error::DutyConstraintBroken`](crate::Error::DutyConstraintBroken),
    /// listing them), for an unknown role or a set that is not one
    /// permission, and for a pair that can never be kept apart (a duty
    /// with itself or with what it implies, a role with Admin:
    /// [`Error::InvalidDutyConstraint`](crate::Error::InvalidDutyConstraint)).
    /// Declaring a constraint already declared (in either order) changes
    /// nothing.
    DeclareDutyConstraint {
        /// One duty.
        first: crate::Duty<P>,
        /// The duty kept apart from it.
        second: crate::Duty<P>,
    },
    /// Drops the constraint keeping the two duties apart, named by its
    /// duties in either order. Dropping a constraint that is not declared
    /// changes nothing, as unassigning a role no one holds does; a set that
    /// is not one permission is refused ([`Error::NotSinglePermission`](crate::Error::NotSinglePermission)).
    /// (Deleting a role drops the constraints that name it.)
    DropDutyConstraint {
        /// One duty.
        first: crate::Duty<P>,
        /// The other duty.
        second: crate::Duty<P>,
    },
}

/// What a change created, if anything: [`ChangeReport::created`].
///
/// [`ChangeReport::created_user`] (and `created_group`, `created_role`,
/// `created_project`, `created_object`) give the typed id without a
/// `match`; so do [`Created::user`] and its siblings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase"))]
#[non_exhaustive]
pub enum Created {
    /// A user, by [`Change::CreateUser`].
    User(UserId),
    /// A group, by [`Change::CreateGroup`].
    Group(GroupId),
    /// A role, by [`Change::CreateRole`].
    Role(RoleId),
    /// A project, by [`Change::CreateProject`] (or the `Default` project, by
    /// the first [`Change::SetSecurityMode`] to enhanced).
    Project(ProjectId),
    /// An object, by [`Change::CreateObject`].
    Object(ObjectId),
}

/// What an accepted change did.
///
/// Made by the library only ([`Company::apply`](crate::Company::apply),
/// [`Plan::report`](crate::Plan::report)): it is `#[non_exhaustive]`, so a
/// later version can report more. Read its fields; to compare reports, compare
/// the fields you care about.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase"))]
#[non_exhaustive]
pub struct ChangeReport {
    /// The company's revision after the change. Every accepted change
    /// advances it by one.
    pub revision: u64,
    /// What the change created, if anything.
    pub created: Option<Created>,
    /// The users whose effective permissions or project memberships changed,
    /// sorted by id. A host uses it to refresh those users' pages.
    pub affected_users: Vec<UserId>,
    /// The users whose sessions the change ended, sorted by id: it saved a
    /// role with the "put its users offline" setting, or deleted the user.
    /// Checks through their older sessions are denied with
    /// [`DenyReason::SessionEnded`](crate::DenyReason::SessionEnded) (for a
    /// deleted user, [`DenyReason::UnknownUser`](crate::DenyReason::UnknownUser));
    /// the host sends them to log in again.
    pub logged_out_users: Vec<UserId>,
}

/// One entry of a change log: a change, the revision it applies to (the
/// company's revision just before it), who made it and the host's context.
/// [`Plan::entry`](crate::Plan::entry) gives the entry of a planned change,
/// and [`CompanyId::entry`](crate::CompanyId::entry) makes one from its parts
/// (`company.entry(revision, change)`); replicas apply entries in revision order with
/// [`Company::catch_up`](crate::Company::catch_up).
///
/// An entry carries the [id](crate::CompanyId) of the company that planned
/// it: [`Company::catch_up`](crate::Company::catch_up) refuses an entry of
/// another company ([`Error::OtherCompany`](crate::Error::OtherCompany)),
/// even at a matching revision.
///
/// As JSON: `{"revision": 7, "company": "5f3a9c0e12ab34cd", "change": {...},
/// "actor": {"user": 3}, "context": {"requestId": "r-42"}}`; `actor` and
/// `context` are left out when empty. Entries written by 0.1 name no
/// company and are refused; [`LogEntry::migrate_0_1`] reads them, given
/// the id of the company whose log they are.
///
/// A stored entry that does not decode is refused with its revision named
/// (`log entry at revision 7: field `actor`: ...`), as long as `revision`
/// comes first, as the library writes it.
///
/// # Example: an entry that round-trips, and one that does not decode
///
/// ```
/// # #[cfg(feature = "serde")] {
/// use callgate::{Change, CompanyId, LogEntry, UserId};
///
/// let company = CompanyId::new(0x5f3a_9c0e_12ab_34cd);
/// let entry = company.entry(7, Change::DeleteUser { user: UserId::new(1) })
///     .with_context("requestId", "r-42");
/// let json = serde_json::to_string(&entry).unwrap();
/// assert_eq!(
///     json,
///     r#"{"revision":7,"company":"5f3a9c0e12ab34cd","change":{"op":"delete_user","user":1},"context":{"requestId":"r-42"}}"#,
/// );
/// assert_eq!(serde_json::from_str::<LogEntry>(&json).unwrap(), entry);
///
/// let stored = r#"{"revision":7,"company":"5f3a9c0e12ab34cd","change":{"op":"delete_user","user":1},"actor":{"user":"x"}}"#;
/// let err = serde_json::from_str::<LogEntry>(stored).unwrap_err();
/// assert!(err.to_string().starts_with("log entry at revision 7: field `actor`: invalid type"));
///
/// let from_0_1 = r#"{"revision":7,"change":{"op":"delete_user","user":1}}"#;
/// let err = serde_json::from_str::<LogEntry>(from_0_1).unwrap_err();
/// assert!(err.to_string().starts_with(
///     "log entry at revision 7: field `company`: missing: an entry written by 0.1 names no company: \
///      migrate it with `LogEntry::migrate_0_1`"
/// ));
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase", bound = ""))]
#[non_exhaustive]
pub struct LogEntry<P: PermissionFlags = Permissions> {
    /// The revision the change applies to.
    pub revision: u64,
    /// The company that planned the change: no other applies it.
    pub company: crate::CompanyId,
    /// The [digest](LogEntry::digest) of the entry before it, as the
    /// company that planned it had committed it
    /// ([`EntryDigest::GENESIS`](crate::EntryDigest::GENESIS) for the first
    /// entry): [`Company::catch_up`](crate::Company::catch_up) refuses an
    /// entry that does not follow what the replica applied. `None` in
    /// entries written before 0.4, and in entries a company planned while
    /// it did not know its chain (loaded from such a document, or built
    /// without the `serde` feature): those are applied unchecked.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub previous: Option<crate::EntryDigest>,
    /// The change.
    pub change: Change<P>,
    /// Who made the change through a session ([`Company::plan_as`](crate::Company::plan_as));
    /// `None` for a change the host made itself ([`Company::plan`](crate::Company::plan)).
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub actor: Option<Actor>,
    /// The host's own data about the change (a timestamp, a request id...):
    /// stored, shipped and replayed, never read by the library.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "IndexMap::is_empty"))]
    pub context: IndexMap<String, String>,
}

/// Entries of the standard catalog.
impl LogEntry {
    /// An entry of `company` for `change` at `revision`, with no actor and
    /// no context: the same as [`company.entry(revision, change)`](crate::CompanyId::entry),
    /// which reads in the order a log is read (whose entry, which revision,
    /// what change).
    #[must_use]
    #[deprecated(
        note = "use `company.entry(revision, change)` (`CompanyId::entry`), or `entry_for` for a product's catalog"
    )]
    pub fn new(company: crate::CompanyId, revision: u64, change: Change) -> Self {
        company.entry(revision, change)
    }
}

/// Making log entries: an entry belongs to one company
/// ([`Company::catch_up`](crate::Company::catch_up) refuses another's), so
/// it is made from that company's id.
///
/// Why a method of the id, not `LogEntry::new(company, revision, change)`:
/// `company.entry(7, change)` reads as "the company's entry at revision 7",
/// and cannot be confused with the `(revision, change)` order of 0.1. A
/// [`Plan`](crate::Plan) makes its own entry ([`Plan::entry`](crate::Plan::entry));
/// these are for a host that reads entries back from its own store or
/// writes them in tests.
impl crate::CompanyId {
    /// The log entry of this company for `change` at `revision` (the
    /// company's revision just before the change), with no actor and no
    /// context; [`LogEntry::with_actor`] and [`LogEntry::with_context`] add
    /// them. For the standard catalog: a change read with serde needs no
    /// type annotation. A product's changes use [`CompanyId::entry_for`](crate::CompanyId::entry_for).
    ///
    /// # Example: an entry read back from a host's own store
    ///
    /// ```
    /// # #[cfg(feature = "serde")] {
    /// use callgate::{Company, CompanyId};
    ///
    /// let mut replica = Company::new().with_id(CompanyId::new(42));
    /// let (revision, stored) = (0, r#"{"op":"create_user","name":"ann"}"#);
    ///
    /// let entry = replica.id().entry(revision, serde_json::from_str(stored)?);
    /// assert_eq!(replica.catch_up([entry])?, 1);
    /// assert!(replica.user_by_name("ann").is_some());
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn entry(self, revision: u64, change: Change) -> LogEntry {
        self.entry_for(revision, change)
    }

    /// [`CompanyId::entry`](crate::CompanyId::entry) for a change of any
    /// catalog, `P` being the product's flags type (the standard catalog's
    /// [`Permissions`] included).
    #[must_use]
    pub fn entry_for<P: PermissionFlags>(self, revision: u64, change: Change<P>) -> LogEntry<P> {
        LogEntry {
            revision,
            company: self,
            previous: None,
            change,
            actor: None,
            context: IndexMap::new(),
        }
    }
}

impl<P: PermissionFlags> LogEntry<P> {
    /// The entry with `previous` as the digest of the entry before it: what
    /// a plan's entry carries ([`Company::chain`](crate::Company::chain)
    /// when it was planned).
    #[must_use]
    pub fn with_previous(mut self, previous: Option<crate::EntryDigest>) -> Self {
        self.previous = previous;
        self
    }

    /// The entry with `actor` as its actor.
    #[must_use]
    pub fn with_actor(mut self, actor: Actor) -> Self {
        self.actor = Some(actor);
        self
    }

    /// The entry with one more piece of context.
    #[must_use]
    pub fn with_context(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.context.insert(key.into(), value.into());
        self
    }
}

/// Who made a change: the user behind the session, and the role they were
/// testing if the session was a testing one (DOMAIN rule 9: tests are
/// audited).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    feature = "serde",
    serde(rename_all = "camelCase", deny_unknown_fields, expecting = "an actor")
)]
#[non_exhaustive]
pub struct Actor {
    /// The user who made the change.
    pub user: UserId,
    /// The role under test, when the change was made in a testing session.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub testing: Option<RoleId>,
}

impl Actor {
    /// The actor behind `session`.
    #[must_use]
    pub fn of(session: &Session) -> Self {
        Self {
            user: session.user(),
            testing: session.testing(),
        }
    }
}
