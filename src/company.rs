//! [`Company`]: one tenant's users, groups, roles, projects and objects.

pub(crate) mod compile;
pub(crate) mod ends;
pub(crate) mod links;
mod memory;
pub(crate) mod names;
mod queries;
pub(crate) mod validate;

use crate::catalog::Set;
use crate::chunked::Nested;
use crate::{
    BuiltinRole, CompanyId, Decision, EntityKind, Error, Group, GroupId, Object, ObjectId,
    PermissionFlags, Permissions, Project, ProjectId, Resource, Role, RoleId, SecurityMode,
    Snapshot, User, UserId,
};
use names::{NameIndex, by_kind_and_name, by_name};

/// A table of records indexed by id, in chunks of 64.
pub(crate) type Records<T> = Nested<Option<T>, 6>;

/// A table of records that may own long lists (a project's objects, a
/// role's users) or several short ones (a user's roles, groups and
/// projects), in chunks of 8: a change copies the lists of fewer records.
/// A bulk change that reaches scattered users (ending 1% of L's grants)
/// copies a chunk per user: 8 records each, not 64 (5.6 ms instead of 16).
pub(crate) type FewRecords<T> = Nested<Option<T>, 3>;

/// The largest revision a company reaches: `i64::MAX`, which also fits the
/// signed 64-bit columns hosts often store revisions in. A company at it
/// refuses every change ([`Error::RevisionsExhausted`]), and a document past
/// it does not load, so a company's own document always loads again.
pub const MAX_REVISION: u64 = i64::MAX as u64;

/// The name of the project made by the first switch to enhanced mode.
pub const DEFAULT_PROJECT_NAME: &str = "Default";

/// One company (one tenant): its users, groups, roles, projects, project-scoped
/// objects and security mode, and the compiled [`Snapshot`] that answers
/// checks.
///
/// Every edit is a [`Change`](crate::Change), in two phases:
/// [`Company::plan`] validates it and tells what it will do without changing
/// anything, and [`Company::commit`] carries it out (the host stores the
/// plan's log entry in between; see "Storing changes" in the README).
/// [`Company::apply`] does both; the `create_*` methods are shorthands that
/// return the new id. A refused change returns an [`Error`] and leaves the
/// company exactly as it was. An accepted change advances the
/// [revision](Company::revision) and recompiles only the snapshot entries it
/// touched.
///
/// # Example: an Admin, an operator and a check
///
/// ```
/// use callgate::{Change, Company, Decision, DenyReason, Permissions, Resource, RoleId};
///
/// let mut company = Company::new();
/// let ann = company.create_user("ann")?; // the first user becomes Admin
/// let bob = company.create_user("bob")?;
/// company.apply(Change::AssignRole { role: RoleId::OPERATOR, principals: vec![bob.into()] })?;
///
/// assert!(company.check(ann, Permissions::SECURITY_MANAGE, Resource::Company).is_allowed());
/// assert!(company.check(bob, Permissions::CALL_JOURNAL_VIEW, Resource::Company).is_allowed());
/// assert_eq!(
///     company.check(bob, Permissions::BILLING_VIEW, Resource::Company),
///     Decision::Deny(DenyReason::MissingPermission),
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Company<P: PermissionFlags = Permissions> {
    /// Names the state the records are in, so that a plan commits only to
    /// the state it was made from (see `new_state`).
    pub(crate) state: u64,
    /// Which company this is: sessions and log entries carry it.
    pub(crate) id: CompanyId,
    /// How many ids of each kind the company may give out.
    pub(crate) limits: crate::Limits,
    pub(crate) mode: SecurityMode,
    pub(crate) revision: u64,
    pub(crate) default_project: Option<ProjectId>,
    // INVARIANT (dense): index = id; `None` marks a deleted record. Ids are
    // never reused, so tables only grow.
    // Tables in shared chunks (`Chunked`): a clone (a published view) shares
    // every chunk a later change does not touch.
    pub(crate) users: FewRecords<User>,
    pub(crate) groups: Records<Group>,
    pub(crate) roles: FewRecords<Role<P>>,
    pub(crate) projects: FewRecords<Project>,
    pub(crate) objects: Records<Object<P>>,
    // INVARIANT (names): each maps the name of every live record to its id.
    // (`object_names` by kind and name.)
    pub(crate) user_names: NameIndex,
    pub(crate) group_names: NameIndex,
    pub(crate) role_names: NameIndex,
    pub(crate) project_names: NameIndex,
    pub(crate) object_names: NameIndex,
    // INVARIANT (heap): the heap bytes every user and object record owns
    // (`User::heap_bytes`, `Object::heap_bytes`), summed; kept by every
    // change (write/delta.rs, `Company::set_links`) and by the loader.
    pub(crate) records_heap: usize,
    // INVARIANT (ends): every grant with an end is present (company/ends.rs).
    pub(crate) ends: ends::GrantEnds,
    // INVARIANT (compiled): equal to what `compile_*` gives for every record.
    pub(crate) snapshot: Snapshot<P>,
    // INVARIANT (duties): each constraint normalized (`write/duties.rs`:
    // a permission closed, a role live and not Admin in a role pair), none
    // twice, and no user or custom role breaks one. Shared: a clone (each
    // publish) copies a pointer.
    pub(crate) duties: std::sync::Arc<[crate::DutyConstraint<P>]>,
    // INVARIANT (chain): the digest of the last entry committed
    // (`EntryDigest::GENESIS` at revision 0), `None` when unknown (see
    // chain.rs).
    pub(crate) chain: Option<crate::EntryDigest>,
}

/// Shows the records and the snapshot: two companies with the
/// same content show the same (the number that keeps plans of one company
/// from committing to another is left out).
impl<P: PermissionFlags> std::fmt::Debug for Company<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Company")
            .field("id", &self.id)
            .field("mode", &self.mode)
            .field("revision", &self.revision)
            .field("default_project", &self.default_project)
            .field("users", &self.users)
            .field("groups", &self.groups)
            .field("roles", &self.roles)
            .field("projects", &self.projects)
            .field("objects", &self.objects)
            .field("ends", &self.ends)
            .field("snapshot", &self.snapshot)
            .field("duties", &self.duties)
            .finish_non_exhaustive()
    }
}

impl<P: PermissionFlags> Default for Company<P> {
    fn default() -> Self {
        Self::with_catalog()
    }
}

/// Infallible routines: constructors, lookups and checks.
/// Companies of the standard catalog.
impl Company {
    /// A new company of the standard catalog ([`Permissions`],
    /// [`ObjectKind`](crate::ObjectKind)) in simple mode, with the three
    /// built-in roles and nothing else.
    ///
    /// A product with its own catalog makes its companies with
    /// [`Company::with_catalog`].
    #[must_use]
    pub fn new() -> Self {
        Self::with_catalog()
    }
}

impl<P: PermissionFlags> Company<P> {
    /// A new company of the catalog of `P` in simple mode, with the three
    /// built-in roles (holding what the catalog gives them) and nothing
    /// else: `Company::<MyPermissions>::with_catalog()`.
    #[must_use]
    pub fn with_catalog() -> Self {
        let roles = BuiltinRole::ALL
            .map(|role| Some(Role::builtin(role)))
            .to_vec();
        let roles: FewRecords<Role<P>> = roles.into_iter().collect();
        let mut role_names = NameIndex::default();
        for role in BuiltinRole::ALL {
            role_names.insert(role.id().get(), by_name(&roles));
        }
        let id = CompanyId::random();
        Self {
            state: new_state(),
            id,
            limits: crate::Limits::DEFAULT,
            mode: SecurityMode::Simple,
            revision: 0,
            default_project: None,
            users: Nested::default(),
            groups: Nested::default(),
            roles,
            projects: Nested::default(),
            objects: Nested::default(),
            user_names: NameIndex::default(),
            group_names: NameIndex::default(),
            role_names,
            project_names: NameIndex::default(),
            object_names: NameIndex::default(),
            records_heap: 0,
            ends: ends::GrantEnds::default(),
            snapshot: {
                let mut snapshot = Snapshot::empty(id, 0, false);
                for role in BuiltinRole::ALL {
                    snapshot.set_role(role.id(), Some(role.permissions_in()));
                }
                snapshot
            },
            duties: std::sync::Arc::default(),
            chain: Some(crate::EntryDigest::GENESIS),
        }
    }

    /// The [digest](crate::LogEntry::digest) of the last log entry the
    /// company committed, which its next plan's entry carries as
    /// [`previous`](crate::LogEntry::previous):
    /// [`EntryDigest::GENESIS`](crate::EntryDigest::GENESIS) at revision 0,
    /// `None` when unknown (loaded at a later revision from a document
    /// written before 0.4, or just after catching up with an entry that
    /// named no digest; built without the `serde` feature, always after the
    /// first change). Two replicas at one revision of one log have the same
    /// chain when both know it.
    #[must_use]
    pub fn chain(&self) -> Option<crate::EntryDigest> {
        self.chain
    }

    /// The company's identity ([`CompanyId`]): random when the company was
    /// made, unless the host gave one with [`Company::with_id`]; kept in its
    /// document, so its replicas share it.
    #[must_use]
    pub fn id(&self) -> CompanyId {
        self.id
    }

    /// The company with the identity `id`, for a host that names its
    /// tenants itself: `Company::new().with_id(CompanyId::new(42))`.
    ///
    /// Meant for a new company. Sessions and log entries made before carry
    /// the old id: from now on the sessions are denied
    /// ([`DenyReason::OtherCompany`](crate::DenyReason::OtherCompany)), the
    /// entries and plans refused.
    ///
    /// # Example: two tenants, one session store
    ///
    /// ```
    /// use callgate::{Company, CompanyId, DenyReason, Permissions, Resource};
    ///
    /// let mut acme = Company::new().with_id(CompanyId::new(1));
    /// let mut globex = Company::new().with_id(CompanyId::new(2));
    /// let ann = acme.create_user("ann")?; // Admin of Acme
    /// let _gus = globex.create_user("gus")?; // Admin of Globex, also user 0
    ///
    /// let session = acme.login(ann)?;
    /// let at_acme = acme.check_session(&session, Permissions::ROLES_MANAGE, Resource::Company);
    /// let at_globex = globex.check_session(&session, Permissions::ROLES_MANAGE, Resource::Company);
    /// assert!(at_acme.is_allowed());
    /// assert_eq!(at_globex.deny_reason(), Some(DenyReason::OtherCompany));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn with_id(mut self, id: CompanyId) -> Self {
        self.id = id;
        self.snapshot.company = id;
        self.state = new_state();
        self
    }

    /// How many ids of each kind the company may give out:
    /// [`Limits::DEFAULT`](crate::Limits::DEFAULT) unless the host set others.
    #[must_use]
    pub fn limits(&self) -> crate::Limits {
        self.limits
    }

    /// Sets how many ids of each kind the company may give out: from now
    /// on, a change that would create a record past its kind's limit is
    /// refused ([`Error::LimitReached`]). Limits below what the company
    /// already holds keep its records and stop new ones; they are the
    /// host's setting, not stored in the document (give them again with
    /// [`Company::load_with_limits`](crate::Company::load_with_limits)).
    ///
    /// They are a quota for new records only: the company still loads from
    /// its own document and its replicas still replay its log under them
    /// (both read within [`Limits::loading_bound`](crate::Limits::loading_bound)).
    pub fn set_limits(&mut self, limits: crate::Limits) {
        self.limits = limits;
    }

    /// The id the next record of `kind` gets.
    ///
    /// # Errors
    ///
    /// [`Error::LimitReached`] past the host's limits,
    /// [`Error::CapacityExceeded`] when no `u32` id is left.
    pub(crate) fn next_id(&self, kind: EntityKind) -> Result<u32, Error> {
        let given_out = match kind {
            EntityKind::User => self.users.len(),
            EntityKind::Group => self.groups.len(),
            EntityKind::Role => self.roles.len(),
            EntityKind::Project => self.projects.len(),
            EntityKind::Object => self.objects.len(),
        };
        // Project ids stay below `u32::MAX - 1`: the snapshot pads empty
        // project lists with the two ids above (`IdList::EMPTY`).
        let ceiling = u32::MAX - u32::from(kind == EntityKind::Project);
        let id = u32::try_from(given_out)
            .ok()
            .filter(|&id| id < ceiling)
            .ok_or(Error::CapacityExceeded { kind })?;
        let limit = self.limits.of(kind);
        if id >= limit {
            return Err(Error::LimitReached { kind, limit });
        }
        Ok(id)
    }

    /// The security mode.
    #[must_use]
    pub fn mode(&self) -> SecurityMode {
        self.mode
    }

    /// The declared separation-of-duties constraints (DOMAIN rule 25), in
    /// the order they were declared. See [`DutyConstraint`](crate::DutyConstraint).
    #[must_use]
    pub fn duty_constraints(&self) -> &[crate::DutyConstraint<P>] {
        &self.duties
    }

    /// The number of changes accepted since the company was created.
    #[must_use]
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// The `Default` project, once the company has first switched to
    /// enhanced mode.
    #[must_use]
    pub fn default_project(&self) -> Option<ProjectId> {
        self.default_project
    }

    /// Gives back memory the snapshot and the record tables hold in reserve
    /// after changes (their tables grow like `Vec`s). Loading a company
    /// from a document already builds both at their exact size.
    ///
    /// Computes in **O(size of the snapshot)**; checks are unaffected.
    pub fn shrink_to_fit(&mut self) {
        self.snapshot.shrink_to_fit();
        self.shrink_tables();
    }

    /// Gives back the slots past the last record of each table (and the
    /// spare chunk pointers).
    pub(crate) fn shrink_tables(&mut self) {
        self.users.shrink_to_fit();
        self.groups.shrink_to_fit();
        self.roles.shrink_to_fit();
        self.projects.shrink_to_fit();
        self.objects.shrink_to_fit();
    }

    /// The compiled, checkable state. A clone shares its chunks with the
    /// company; for request threads, [`Company::view`] or a
    /// [`Publisher`](crate::Publisher) gives them names and explanations too.
    #[must_use]
    pub fn snapshot(&self) -> &Snapshot<P> {
        &self.snapshot
    }

    /// May `user` do `action` to `resource`? The same as
    /// [`Snapshot::check`] on [`Company::snapshot`]; see there for the rules.
    #[inline]
    #[must_use]
    pub fn check(&self, user: UserId, action: P, resource: Resource) -> Decision {
        self.snapshot.check(user, action, resource)
    }

    /// A user by id, or `None` if unknown.
    #[must_use]
    pub fn user(&self, id: UserId) -> Option<&User> {
        self.users.get(id.index())?.as_ref()
    }

    /// A group by id, or `None` if unknown.
    #[must_use]
    pub fn group(&self, id: GroupId) -> Option<&Group> {
        self.groups.get(id.index())?.as_ref()
    }

    /// A role by id, or `None` if unknown.
    #[must_use]
    pub fn role(&self, id: RoleId) -> Option<&Role<P>> {
        self.roles.get(id.index())?.as_ref()
    }

    /// A project by id, or `None` if unknown.
    #[must_use]
    pub fn project(&self, id: ProjectId) -> Option<&Project> {
        self.projects.get(id.index())?.as_ref()
    }

    /// An object by id, or `None` if unknown.
    #[must_use]
    pub fn object(&self, id: ObjectId) -> Option<&Object<P>> {
        self.objects.get(id.index())?.as_ref()
    }

    /// Every user, in id order.
    pub fn users(&self) -> impl Iterator<Item = (UserId, &User)> + '_ {
        live(&self.users).map(|(i, user)| (UserId::new(i), user))
    }

    /// Every group, in id order.
    pub fn groups(&self) -> impl Iterator<Item = (GroupId, &Group)> + '_ {
        live(&self.groups).map(|(i, group)| (GroupId::new(i), group))
    }

    /// Every role, in id order (the built-in roles first).
    pub fn roles(&self) -> impl Iterator<Item = (RoleId, &Role<P>)> + '_ {
        live(&self.roles).map(|(i, role)| (RoleId::new(i), role))
    }

    /// Every project, in id order.
    pub fn projects(&self) -> impl Iterator<Item = (ProjectId, &Project)> + '_ {
        live(&self.projects).map(|(i, project)| (ProjectId::new(i), project))
    }

    /// Every object, in id order.
    pub fn objects(&self) -> impl Iterator<Item = (ObjectId, &Object<P>)> + '_ {
        live(&self.objects).map(|(i, object)| (ObjectId::new(i), object))
    }

    /// The user with this name.
    #[must_use]
    pub fn user_by_name(&self, name: &str) -> Option<UserId> {
        self.user_names
            .find(&name, by_name(&self.users))
            .map(UserId::new)
    }

    /// The group with this name.
    #[must_use]
    pub fn group_by_name(&self, name: &str) -> Option<GroupId> {
        self.group_names
            .find(&name, by_name(&self.groups))
            .map(GroupId::new)
    }

    /// The role with this name.
    #[must_use]
    pub fn role_by_name(&self, name: &str) -> Option<RoleId> {
        self.role_names
            .find(&name, by_name(&self.roles))
            .map(RoleId::new)
    }

    /// The project with this name.
    #[must_use]
    pub fn project_by_name(&self, name: &str) -> Option<ProjectId> {
        self.project_names
            .find(&name, by_name(&self.projects))
            .map(ProjectId::new)
    }

    /// The object of this kind with this name.
    #[must_use]
    pub fn object_by_name(&self, kind: P::Kind, name: &str) -> Option<ObjectId> {
        self.object_names
            .find(&(kind, name), by_kind_and_name(&self.objects))
            .map(ObjectId::new)
    }

    /// The users whose effective permissions contain every flag of
    /// `permissions`, in id order.
    ///
    /// Computes in **O(users)**.
    pub fn holders(&self, permissions: P) -> impl Iterator<Item = UserId> + '_ {
        self.snapshot
            .users
            .iter()
            .enumerate()
            .filter(move |(_, entry)| entry.live() && entry.permissions::<P>().has(permissions))
            .filter_map(|(i, _)| u32::try_from(i).ok().map(UserId::new))
    }
}

/// The record at `index` of a table, if it is live.
pub(crate) fn record<T: Clone, const BITS: u32>(
    table: &mut Nested<Option<T>, BITS>,
    index: usize,
) -> Option<&mut T> {
    table.get_mut(index)?.as_mut()
}

/// The live records of a table, with their ids.
pub(crate) fn live<T, const BITS: u32>(
    table: &Nested<Option<T>, BITS>,
) -> impl Iterator<Item = (u32, &T)> + '_ {
    table
        .present()
        .filter_map(|(i, record)| Some((u32::try_from(i).ok()?, record.as_ref()?)))
}

/// The items sorted, each once.
pub(crate) fn sorted<T: Ord>(mut items: Vec<T>) -> Vec<T> {
    items.sort_unstable();
    items.dedup();
    items
}

/// A number that names a company's state. A company draws a new one when
/// it is made or loaded and at every commit; a clone shares its original's
/// until either of them commits. A plan remembers the number of the state it
/// was made from, so it never commits to another company, nor to a clone
/// that has since gone its own way, even at the same revision.
pub(crate) fn new_state() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    // Each `RandomState` is keyed afresh, so the hash of nothing differs.
    std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish()
}
