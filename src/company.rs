//! [`Company`]: one tenant's users, groups, roles, projects and objects.

use indexmap::{IndexMap, IndexSet};

use crate::catalog::{Kind, Set};
use crate::change::{Change, ChangeReport, Created, LogEntry};
use crate::policy::{CompiledUser, VisibleObjects};
use crate::{
    BuiltinRole, Decision, EntityKind, Error, Group, GroupId, Object, ObjectId, PermissionFlags,
    Permissions, Principal, Project, ProjectId, Resource, Role, RoleId, SecurityMode, Session,
    Snapshot, User, UserId,
};

/// The name of the project made by the first switch to enhanced mode.
pub const DEFAULT_PROJECT_NAME: &str = "Default";

/// One company (one tenant): its users, groups, roles, projects, project-scoped
/// objects and security mode, and the compiled [`Snapshot`] that answers
/// checks.
///
/// Every edit is a [`Change`] given to [`Company::apply`]; the `create_*`
/// methods are shorthands that return the new id. A change is all-or-nothing:
/// a refused change returns an [`Error`] and leaves the company exactly as it
/// was. An accepted change advances the [revision](Company::revision) and
/// recompiles only the snapshot entries it touched.
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
#[derive(Debug, Clone)]
pub struct Company<P: PermissionFlags = Permissions> {
    mode: SecurityMode,
    revision: u64,
    default_project: Option<ProjectId>,
    // INVARIANT (dense): index = id; `None` marks a deleted record. Ids are
    // never reused, so tables only grow.
    pub(crate) users: Vec<Option<User>>,
    pub(crate) groups: Vec<Option<Group>>,
    pub(crate) roles: Vec<Option<Role<P>>>,
    pub(crate) projects: Vec<Option<Project>>,
    pub(crate) objects: Vec<Option<Object<P>>>,
    // INVARIANT (names): each maps the name of every live record to its id.
    user_names: IndexMap<String, UserId>,
    group_names: IndexMap<String, GroupId>,
    role_names: IndexMap<String, RoleId>,
    project_names: IndexMap<String, ProjectId>,
    object_names: IndexMap<(P::Kind, String), ObjectId>,
    // INVARIANT (compiled): equal to what `compile_*` gives for every record.
    snapshot: Snapshot<P>,
}

impl<P: PermissionFlags> Default for Company<P> {
    fn default() -> Self {
        Self::with_catalog()
    }
}

/// What a change touched, to recompile afterwards.
#[derive(Default)]
struct Touched {
    users: Vec<UserId>,
    objects: Vec<ObjectId>,
    projects: Vec<ProjectId>,
    /// Roles whose permissions were created, changed or deleted.
    roles: Vec<RoleId>,
    /// Users whose visible objects changed without their own entry changing.
    visibility: Vec<UserId>,
    mode: bool,
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
        let role_names = BuiltinRole::ALL
            .iter()
            .map(|role| (role.name().to_owned(), role.id()))
            .collect();
        Self {
            mode: SecurityMode::Simple,
            revision: 0,
            default_project: None,
            users: Vec::new(),
            groups: Vec::new(),
            roles,
            projects: Vec::new(),
            objects: Vec::new(),
            user_names: IndexMap::new(),
            group_names: IndexMap::new(),
            role_names,
            project_names: IndexMap::new(),
            object_names: IndexMap::new(),
            snapshot: {
                let mut snapshot = Snapshot::default();
                for role in BuiltinRole::ALL {
                    snapshot.set_role(role.id(), Some(role.permissions_in()));
                }
                snapshot
            },
        }
    }

    /// The security mode.
    #[must_use]
    pub fn mode(&self) -> SecurityMode {
        self.mode
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

    /// Gives back memory the snapshot holds in reserve after many changes
    /// (its tables grow like `Vec`s). Loading a company from a document
    /// already builds the snapshot at its exact size.
    ///
    /// Computes in **O(size of the snapshot)**; checks are unaffected.
    pub fn shrink_to_fit(&mut self) {
        self.snapshot.shrink_to_fit();
    }

    /// The compiled, checkable state. Clone it to share it across threads.
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
        self.user_names.get(name).copied()
    }

    /// The group with this name.
    #[must_use]
    pub fn group_by_name(&self, name: &str) -> Option<GroupId> {
        self.group_names.get(name).copied()
    }

    /// The role with this name.
    #[must_use]
    pub fn role_by_name(&self, name: &str) -> Option<RoleId> {
        self.role_names.get(name).copied()
    }

    /// The project with this name.
    #[must_use]
    pub fn project_by_name(&self, name: &str) -> Option<ProjectId> {
        self.project_names.get(name).copied()
    }

    /// The object of this kind with this name.
    #[must_use]
    pub fn object_by_name(&self, kind: P::Kind, name: &str) -> Option<ObjectId> {
        self.object_names.get(&(kind, name.to_owned())).copied()
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

/// Fallible routines: queries that take ids, and changes.
impl<P: PermissionFlags> Company<P> {
    /// Applies one change, all or nothing.
    ///
    /// # Errors
    ///
    /// Refuses, naming what is wrong and changing nothing:
    /// - an id that names nothing ([`Error::UnknownId`]);
    /// - a blank or taken name ([`Error::InvalidName`], [`Error::DuplicateName`]);
    /// - an edit, rename or deletion of a built-in role ([`Error::BuiltinRole`]);
    /// - a rename or deletion of the `Default` project ([`Error::DefaultProject`]);
    /// - a section switch on something that is not one permission
    ///   ([`Error::NotSinglePermission`]);
    /// - a change that would leave users without any Admin
    ///   ([`Error::LastAdmin`]), by deleting a user, taking the role, taking
    ///   a user out of a group that carries it, or deleting such a group.
    ///
    /// # Example: a custom QA role, assigned in bulk
    ///
    /// ```
    /// use callgate::{Change, Company, Created, Permissions, Resource};
    ///
    /// let mut company = Company::new();
    /// let _admin = company.create_user("ann")?;
    /// let kim = company.create_user("kim")?;
    /// let lee = company.create_user("lee")?;
    /// let report = company.apply(Change::CreateRole {
    ///     name: "QA".into(),
    ///     description: "Evaluation sheets and checks".into(),
    ///     permissions: Permissions::QA_SHEETS_MANAGE | Permissions::QA_CHECKS_MANAGE,
    ///     principals: vec![kim.into(), lee.into()],
    ///     put_users_offline: false,
    /// })?;
    /// assert!(matches!(report.created, Some(Created::Role(_))));
    /// assert_eq!(report.affected_users, vec![kim, lee]);
    /// assert!(company.check(lee, Permissions::QA_CHECKS_MANAGE, Resource::Company).is_allowed());
    ///
    /// // A second role with the same name is refused, and nothing changes.
    /// let before = company.revision();
    /// let err = company.create_role("QA", "", Permissions::empty()).unwrap_err();
    /// assert_eq!(err.to_string(), "role name `QA` is already taken");
    /// assert_eq!(company.revision(), before);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn apply(&mut self, change: Change<P>) -> Result<ChangeReport, Error> {
        // DOMAIN rule 7: saving a role with "put its users offline" ends the
        // sessions of everyone who held it before or holds it after.
        let saved_role = match &change {
            Change::EditRole { role, .. }
            | Change::DeleteRole { role }
            | Change::AssignRole { role, .. }
            | Change::UnassignRole { role, .. }
            | Change::SetSectionAccess { role, .. } => Some(*role),
            _ => None,
        };
        let offline_before = saved_role
            .and_then(|role| self.role(role))
            .is_some_and(|role| role.put_users_offline);
        let turns_offline_on = matches!(
            &change,
            Change::EditRole {
                put_users_offline: Some(true),
                ..
            }
        );
        // Only needed when the role puts its users offline: skip the walk
        // over its holders otherwise.
        let held_before = match saved_role {
            Some(role) if offline_before || turns_offline_on => self.role_holders_unsorted(role),
            _ => Vec::new(),
        };
        let deleted_user = match &change {
            Change::DeleteUser { user } => Some(*user),
            _ => None,
        };
        let mut touched = Touched::default();
        let adds = matches!(
            change,
            Change::AddProjectMembers { .. } | Change::AddProjectObjects { .. }
        );
        // Each arm validates everything first and commits only after its last
        // `?`, so a refused change leaves `self` untouched.
        let created = match change {
            Change::CreateUser {
                name,
                roles,
                groups,
                projects,
            } => {
                self.new_name(EntityKind::User, &name)?;
                self.check_roles(&roles)?;
                self.check_groups(&groups)?;
                self.check_projects(&projects)?;
                let id = UserId::new(next_id(&self.users, EntityKind::User)?);
                // DOMAIN rule 3: the first user of a company gets Admin.
                let first = self.user_names.is_empty();
                self.users.push(Some(User::new(name.clone())));
                self.user_names.insert(name, id);
                touched.users.push(id);
                let admin = first.then_some(RoleId::ADMIN);
                for role in admin.into_iter().chain(roles) {
                    self.set_link(Link::UserRole(id, role), true, &mut touched);
                }
                for group in groups {
                    self.set_link(Link::GroupMember(group, id), true, &mut touched);
                }
                for project in projects {
                    self.set_link(Link::UserProject(id, project), true, &mut touched);
                }
                Some(Created::User(id))
            }
            Change::RenameUser { user, name } => {
                self.live_user(user)?;
                self.rename_check(EntityKind::User, &name, self.user_by_name(&name), user)?;
                if let Some(record) = record(&mut self.users, user.index()) {
                    let old = std::mem::replace(&mut record.name, name.clone());
                    self.user_names.swap_remove(&old);
                    self.user_names.insert(name, user);
                }
                None
            }
            Change::DeleteUser { user } => {
                let name = &self.live_user(user)?.name;
                if !self.admin_remains(&Removal::User(user)) {
                    return Err(last_admin(format!("deleting user `{name}`")));
                }
                let links = self.user(user).map(|u| {
                    let roles = u.roles.iter().map(|&r| Link::UserRole(user, r));
                    let groups = u.groups.iter().map(|&g| Link::GroupMember(g, user));
                    let projects = u.projects.iter().map(|&p| Link::UserProject(user, p));
                    roles.chain(groups).chain(projects).collect::<Vec<_>>()
                });
                self.unlink_all(links, &mut touched);
                if let Some(record) = self.users.get_mut(user.index()).and_then(Option::take) {
                    self.user_names.swap_remove(&record.name);
                }
                // Recompiled even without links, so its entry becomes a tombstone.
                touched.users.push(user);
                None
            }
            Change::CreateGroup { name, members } => {
                self.new_name(EntityKind::Group, &name)?;
                self.check_users(&members)?;
                let id = GroupId::new(next_id(&self.groups, EntityKind::Group)?);
                self.groups.push(Some(Group::new(name.clone())));
                self.group_names.insert(name, id);
                for user in members {
                    self.set_link(Link::GroupMember(id, user), true, &mut touched);
                }
                Some(Created::Group(id))
            }
            Change::RenameGroup { group, name } => {
                self.live_group(group)?;
                self.rename_check(EntityKind::Group, &name, self.group_by_name(&name), group)?;
                if let Some(record) = record(&mut self.groups, group.index()) {
                    let old = std::mem::replace(&mut record.name, name.clone());
                    self.group_names.swap_remove(&old);
                    self.group_names.insert(name, group);
                }
                None
            }
            Change::DeleteGroup { group } => {
                let name = &self.live_group(group)?.name;
                if !self.admin_remains(&Removal::Group(group)) {
                    return Err(last_admin(format!("deleting group `{name}`")));
                }
                let links = self.group(group).map(|g| {
                    let members = g.members.iter().map(|&u| Link::GroupMember(group, u));
                    let roles = g.roles.iter().map(|&r| Link::GroupRole(group, r));
                    let projects = g.projects.iter().map(|&p| Link::GroupProject(group, p));
                    members.chain(roles).chain(projects).collect::<Vec<_>>()
                });
                self.unlink_all(links, &mut touched);
                if let Some(record) = self.groups.get_mut(group.index()).and_then(Option::take) {
                    self.group_names.swap_remove(&record.name);
                }
                None
            }
            Change::AddGroupMembers { group, users } => {
                self.live_group(group)?;
                self.check_users(&users)?;
                for user in users {
                    self.set_link(Link::GroupMember(group, user), true, &mut touched);
                }
                None
            }
            Change::RemoveGroupMembers { group, users } => {
                let name = &self.live_group(group)?.name;
                self.check_users(&users)?;
                if !self.admin_remains(&Removal::Members(group, &users)) {
                    let users: Vec<Principal> = users.iter().map(|&u| u.into()).collect();
                    return Err(last_admin(format!(
                        "removing {} from group `{name}`",
                        self.describe_principals(&users)
                    )));
                }
                for user in users {
                    self.set_link(Link::GroupMember(group, user), false, &mut touched);
                }
                None
            }
            Change::CreateRole {
                name,
                description,
                permissions,
                principals,
                put_users_offline,
            } => {
                self.new_name(EntityKind::Role, &name)?;
                self.check_principals(&principals)?;
                let id = RoleId::new(next_id(&self.roles, EntityKind::Role)?);
                self.roles.push(Some(Role {
                    name: name.clone(),
                    description,
                    permissions: permissions.close(),
                    builtin: None,
                    put_users_offline,
                    users: IndexSet::new(),
                    groups: IndexSet::new(),
                }));
                self.role_names.insert(name, id);
                for principal in principals {
                    self.set_link(Link::role(principal, id), true, &mut touched);
                }
                Some(Created::Role(id))
            }
            Change::EditRole {
                role,
                name,
                description,
                permissions,
                put_users_offline,
            } => {
                let only_renames = name.is_some()
                    && description.is_none()
                    && permissions.is_none()
                    && put_users_offline.is_none();
                self.editable_role(role, if only_renames { "renamed" } else { "edited" })?;
                if let Some(name) = &name {
                    self.rename_check(EntityKind::Role, name, self.role_by_name(name), role)?;
                }
                if permissions.is_some() {
                    touched.users.extend(self.role_holders_unsorted(role));
                }
                if let Some(record) = record(&mut self.roles, role.index()) {
                    if let Some(name) = name {
                        let old = std::mem::replace(&mut record.name, name.clone());
                        self.role_names.swap_remove(&old);
                        self.role_names.insert(name, role);
                    }
                    if let Some(description) = description {
                        record.description = description;
                    }
                    if let Some(permissions) = permissions {
                        record.permissions = permissions.close();
                    }
                    if let Some(put_users_offline) = put_users_offline {
                        record.put_users_offline = put_users_offline;
                    }
                }
                None
            }
            Change::DeleteRole { role } => {
                self.editable_role(role, "deleted")?;
                let links = self.role(role).map(|r| {
                    let users = r.users.iter().map(|&u| Link::UserRole(u, role));
                    let groups = r.groups.iter().map(|&g| Link::GroupRole(g, role));
                    users.chain(groups).collect::<Vec<_>>()
                });
                self.unlink_all(links, &mut touched);
                if let Some(record) = self.roles.get_mut(role.index()).and_then(Option::take) {
                    self.role_names.swap_remove(&record.name);
                }
                None
            }
            Change::AssignRole { role, principals } => {
                self.live_role(role)?;
                self.check_principals(&principals)?;
                for principal in principals {
                    self.set_link(Link::role(principal, role), true, &mut touched);
                }
                None
            }
            Change::UnassignRole { role, principals } => {
                self.live_role(role)?;
                self.check_principals(&principals)?;
                if role == RoleId::ADMIN && !self.admin_remains(&Removal::Unassign(&principals)) {
                    return Err(last_admin(format!(
                        "taking the Admin role from {}",
                        self.describe_principals(&principals)
                    )));
                }
                for principal in principals {
                    self.set_link(Link::role(principal, role), false, &mut touched);
                }
                None
            }
            Change::SetSectionAccess {
                role,
                permission,
                allowed,
            } => {
                self.editable_role(role, "edited")?;
                single(permission)?;
                if let Some(record) = record(&mut self.roles, role.index()) {
                    record.permissions = if allowed {
                        record.permissions.or(permission).close()
                    } else {
                        record.permissions.take_away(permission)
                    };
                    touched.users.extend(self.role_holders_unsorted(role));
                }
                None
            }
            Change::SetSecurityMode { mode } => self.set_mode(mode, &mut touched)?,
            Change::CreateProject {
                name,
                description,
                principals,
                objects,
            } => {
                self.new_name(EntityKind::Project, &name)?;
                self.check_principals(&principals)?;
                self.check_objects(&objects)?;
                let id = self.push_project(name, description, &mut touched)?;
                for principal in principals {
                    self.set_link(Link::project(principal, id), true, &mut touched);
                }
                for object in objects {
                    self.set_link(Link::ObjectProject(object, id), true, &mut touched);
                }
                Some(Created::Project(id))
            }
            Change::EditProject {
                project,
                name,
                description,
            } => {
                self.live_project(project)?;
                if let Some(name) = &name {
                    let owner = self.project_by_name(name);
                    self.rename_check(EntityKind::Project, name, owner, project)?;
                    if owner.is_none() && Some(project) == self.default_project {
                        return Err(Error::DefaultProject { action: "renamed" });
                    }
                }
                if let Some(record) = record(&mut self.projects, project.index()) {
                    if let Some(name) = name {
                        let old = std::mem::replace(&mut record.name, name.clone());
                        self.project_names.swap_remove(&old);
                        self.project_names.insert(name, project);
                    }
                    if let Some(description) = description {
                        record.description = description;
                    }
                }
                None
            }
            Change::DeleteProject { project } => {
                self.live_project(project)?;
                if Some(project) == self.default_project {
                    return Err(Error::DefaultProject { action: "deleted" });
                }
                let links = self.project(project).map(|p| {
                    let users = p.users.iter().map(|&u| Link::UserProject(u, project));
                    let groups = p.groups.iter().map(|&g| Link::GroupProject(g, project));
                    let objects = p.objects.iter().map(|&o| Link::ObjectProject(o, project));
                    users.chain(groups).chain(objects).collect::<Vec<_>>()
                });
                self.unlink_all(links, &mut touched);
                if let Some(record) = self
                    .projects
                    .get_mut(project.index())
                    .and_then(Option::take)
                {
                    self.project_names.swap_remove(&record.name);
                }
                touched.projects.push(project);
                None
            }
            Change::AddProjectMembers {
                project,
                principals,
            }
            | Change::RemoveProjectMembers {
                project,
                principals,
            } => {
                let present = adds;
                self.live_project(project)?;
                self.check_principals(&principals)?;
                for principal in principals {
                    self.set_link(Link::project(principal, project), present, &mut touched);
                }
                None
            }
            Change::AddProjectObjects { project, objects }
            | Change::RemoveProjectObjects { project, objects } => {
                let present = adds;
                self.live_project(project)?;
                self.check_objects(&objects)?;
                for object in objects {
                    self.set_link(Link::ObjectProject(object, project), present, &mut touched);
                }
                None
            }
            Change::CreateObject {
                kind,
                name,
                projects,
            } => {
                check_name(EntityKind::Object, &name)?;
                if kind.index() >= P::catalog().kinds().len() {
                    return Err(Error::UnknownObjectKind {
                        name: format!("{kind:?}"),
                    });
                }
                let key = (kind, name);
                if self.object_names.contains_key(&key) {
                    return Err(duplicate(EntityKind::Object, key.1));
                }
                self.check_projects(&projects)?;
                let id = ObjectId::new(next_id(&self.objects, EntityKind::Object)?);
                self.objects.push(Some(Object {
                    kind,
                    name: key.1.clone(),
                    projects: IndexSet::new(),
                }));
                self.object_names.insert(key, id);
                touched.objects.push(id);
                for project in projects {
                    self.set_link(Link::ObjectProject(id, project), true, &mut touched);
                }
                Some(Created::Object(id))
            }
            Change::RenameObject { object, name } => {
                let kind = self.live_object(object)?.kind;
                let owner = self.object_by_name(kind, &name);
                self.rename_check(EntityKind::Object, &name, owner, object)?;
                if let Some(record) = record(&mut self.objects, object.index()) {
                    let old = std::mem::replace(&mut record.name, name.clone());
                    self.object_names.swap_remove(&(kind, old));
                    self.object_names.insert((kind, name), object);
                }
                None
            }
            Change::DeleteObject { object } => {
                self.live_object(object)?;
                let links = self.object(object).map(|o| {
                    let projects = o.projects.iter().map(|&p| Link::ObjectProject(object, p));
                    projects.collect::<Vec<_>>()
                });
                self.unlink_all(links, &mut touched);
                if let Some(record) = self.objects.get_mut(object.index()).and_then(Option::take) {
                    self.object_names.swap_remove(&(record.kind, record.name));
                }
                touched.objects.push(object);
                None
            }
        };
        self.revision += 1;
        let mut logged_out = Vec::new();
        if let Some(role) = saved_role {
            touched.roles.push(role);
            // A deleted role keeps the setting it had.
            let offline = self
                .role(role)
                .map_or(offline_before, |r| r.put_users_offline);
            if offline {
                logged_out = held_before;
                logged_out.extend(self.role_holders_unsorted(role));
            }
        }
        if let Some(Created::Role(role)) = created {
            touched.roles.push(role);
        }
        let mut logged_out = sorted(logged_out);
        for &user in &logged_out {
            if let Some(record) = record(&mut self.users, user.index()) {
                record.sessions_from = self.revision;
                touched.users.push(user);
            }
        }
        if let Some(user) = deleted_user {
            logged_out.push(user);
            logged_out.sort_unstable();
        }
        let affected_users = self.recompile(touched);
        Ok(ChangeReport {
            revision: self.revision,
            created,
            affected_users,
            logged_out_users: logged_out,
        })
    }

    /// Applies a change made by the user behind `session`, all or nothing.
    ///
    /// Before the checks [`Company::apply`] makes for every caller, the
    /// actor must be allowed to make it: the session is current, it holds
    /// the change's [governing permissions](Change::governing_permissions),
    /// the change hands out nothing the actor does not hold (no escalation,
    /// through a role edit, an assignment, a section switch or a group that
    /// carries roles), and in enhanced mode it names no project or object
    /// hidden from the actor. A testing session acts with the role under
    /// test.
    ///
    /// # Errors
    ///
    /// [`Error::SessionEnded`], [`Error::Forbidden`], [`Error::Escalation`],
    /// [`Error::UnknownId`] (also for hidden projects and objects), and every
    /// error of [`Company::apply`].
    ///
    /// # Example: a supervisor may not hand out finance
    ///
    /// ```
    /// use callgate::{Change, Company, Error, Permissions, RoleId};
    ///
    /// let mut company = Company::new();
    /// let _admin = company.create_user("ann")?;
    /// let sam = company.create_user("sam")?;
    /// company.apply(Change::AssignRole { role: RoleId::SUPERVISOR, principals: vec![sam.into()] })?;
    /// let session = company.login(sam)?;
    ///
    /// let qa = Change::CreateRole {
    ///     name: "QA".into(), description: String::new(),
    ///     permissions: Permissions::QA_CHECKS_MANAGE, principals: vec![], put_users_offline: false,
    /// };
    /// company.apply_as(&session, qa)?; // fine: sam holds qa_checks.manage
    ///
    /// let cashier = Change::CreateRole {
    ///     name: "Cashier".into(), description: String::new(),
    ///     permissions: Permissions::PAYMENTS_MANAGE, principals: vec![], put_users_offline: false,
    /// };
    /// let err = company.apply_as(&session, cashier).unwrap_err();
    /// assert!(matches!(err, Error::Escalation { .. }));
    /// assert_eq!(
    ///     err.to_string(),
    ///     "user `sam` may not create role `Cashier`: it grants `payments.manage`, which they do not hold",
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn apply_as(
        &mut self,
        session: &Session,
        change: Change<P>,
    ) -> Result<ChangeReport, Error> {
        self.authorize(session, &change)?;
        self.apply(change)
    }

    /// The report `change` would produce, without applying it: who would be
    /// affected and whose sessions would end (the "impact before save" of an
    /// admin page).
    ///
    /// Works on a copy of the company, so it costs **O(size of the company)**.
    ///
    /// # Errors
    ///
    /// Every error [`Company::apply`] would return.
    pub fn preview(&self, change: Change<P>) -> Result<ChangeReport, Error> {
        self.clone().apply(change)
    }

    /// [`Company::preview`] for a change made by the user behind `session`:
    /// the report [`Company::apply_as`] would produce, without applying it.
    ///
    /// # Errors
    ///
    /// Every error [`Company::apply_as`] would return.
    pub fn preview_as(&self, session: &Session, change: Change<P>) -> Result<ChangeReport, Error> {
        self.authorize(session, &change)?;
        self.preview(change)
    }

    /// Creates a user: the shorthand for [`Change::CreateUser`] with no
    /// roles, groups or projects. The first user of a company gets the Admin
    /// role.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidName`] or [`Error::DuplicateName`] for the name.
    pub fn create_user(&mut self, name: impl Into<String>) -> Result<UserId, Error> {
        let id = UserId::new(next_id(&self.users, EntityKind::User)?);
        self.apply(Change::CreateUser {
            name: name.into(),
            roles: Vec::new(),
            groups: Vec::new(),
            projects: Vec::new(),
        })?;
        Ok(id)
    }

    /// Creates a group of `members`: the shorthand for [`Change::CreateGroup`].
    ///
    /// # Errors
    ///
    /// A bad or taken name, or an unknown member.
    pub fn create_group(
        &mut self,
        name: impl Into<String>,
        members: &[UserId],
    ) -> Result<GroupId, Error> {
        let id = GroupId::new(next_id(&self.groups, EntityKind::Group)?);
        self.apply(Change::CreateGroup {
            name: name.into(),
            members: members.to_vec(),
        })?;
        Ok(id)
    }

    /// Creates a custom role held by nobody yet: the shorthand for
    /// [`Change::CreateRole`].
    ///
    /// # Errors
    ///
    /// [`Error::InvalidName`] or [`Error::DuplicateName`] for the name.
    pub fn create_role(
        &mut self,
        name: impl Into<String>,
        description: impl Into<String>,
        permissions: P,
    ) -> Result<RoleId, Error> {
        let id = RoleId::new(next_id(&self.roles, EntityKind::Role)?);
        self.apply(Change::CreateRole {
            name: name.into(),
            description: description.into(),
            permissions,
            principals: Vec::new(),
            put_users_offline: false,
        })?;
        Ok(id)
    }

    /// Creates an empty project: the shorthand for [`Change::CreateProject`].
    ///
    /// # Errors
    ///
    /// [`Error::InvalidName`] or [`Error::DuplicateName`] for the name.
    pub fn create_project(
        &mut self,
        name: impl Into<String>,
        description: impl Into<String>,
    ) -> Result<ProjectId, Error> {
        let id = ProjectId::new(next_id(&self.projects, EntityKind::Project)?);
        self.apply(Change::CreateProject {
            name: name.into(),
            description: description.into(),
            principals: Vec::new(),
            objects: Vec::new(),
        })?;
        Ok(id)
    }

    /// Registers an object in no project: the shorthand for
    /// [`Change::CreateObject`].
    ///
    /// # Errors
    ///
    /// [`Error::InvalidName`], or [`Error::DuplicateName`] when another
    /// object of the same kind has the name.
    pub fn create_object(
        &mut self,
        kind: P::Kind,
        name: impl Into<String>,
    ) -> Result<ObjectId, Error> {
        let id = ObjectId::new(next_id(&self.objects, EntityKind::Object)?);
        self.apply(Change::CreateObject {
            kind,
            name: name.into(),
            projects: Vec::new(),
        })?;
        Ok(id)
    }

    /// The effective permissions of a user: the union over every role they
    /// hold, directly or through a group.
    ///
    /// Computes in **O(1)** (read from the snapshot).
    ///
    /// # Errors
    ///
    /// [`Error::UnknownId`] for an unknown user.
    pub fn effective_permissions(&self, user: UserId) -> Result<P, Error> {
        self.snapshot
            .permissions_of(user)
            .ok_or_else(|| Error::unknown_id(EntityKind::User, user.get()))
    }

    /// The objects of `kind` the user can see: those on which some check of
    /// a permission of the kind is allowed (in the standard catalog, the
    /// kind's view permission, which its manage permission implies). The
    /// user holds one of the kind's permissions and, in enhanced mode,
    /// shares a project with the object or holds `projects.all`.
    ///
    /// The iterator's cost follows the length of its answer, not the number
    /// of objects in the company.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownId`] for an unknown user.
    ///
    /// # Example
    ///
    /// ```
    /// use callgate::{Company, ObjectKind};
    ///
    /// let mut company = Company::new();
    /// let ann = company.create_user("ann")?;
    /// let sales = company.create_object(ObjectKind::Queue, "Sales")?;
    /// let visible: Vec<_> = company.visible_objects(ann, ObjectKind::Queue)?.collect();
    /// assert_eq!(visible, vec![sales]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn visible_objects(
        &self,
        user: UserId,
        kind: P::Kind,
    ) -> Result<VisibleObjects<'_>, Error> {
        let entry = self
            .snapshot
            .user(user)
            .ok_or_else(|| Error::unknown_id(EntityKind::User, user.get()))?;
        let permissions = entry.permissions::<P>();
        Ok(if sees_kind(permissions, kind) {
            self.snapshot.objects_reachable(entry, permissions, kind)
        } else {
            VisibleObjects::nothing()
        })
    }

    /// The objects of `kind` on which the user may do `action`: exactly
    /// those for which [`Company::check`] with [`Resource::Object`] allows
    /// it. Nothing when the action does not apply to the kind or no role of
    /// the user grants it.
    ///
    /// The iterator's cost follows the length of its answer.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownId`] for an unknown user.
    ///
    /// # Example: the queues a supervisor may manage
    ///
    /// ```
    /// use callgate::{Company, ObjectKind, Permissions, RoleId};
    ///
    /// let mut company = Company::new();
    /// let _admin = company.create_user("ann")?;
    /// let sara = company.create_user("sara")?;
    /// company.apply(callgate::Change::AssignRole { role: RoleId::OPERATOR, principals: vec![sara.into()] })?;
    /// let sales = company.create_object(ObjectKind::Queue, "Sales")?;
    /// assert_eq!(company.allowed_objects(sara, Permissions::QUEUES_MANAGE, ObjectKind::Queue)?.count(), 0);
    /// company.apply(callgate::Change::AssignRole { role: RoleId::SUPERVISOR, principals: vec![sara.into()] })?;
    /// let managed: Vec<_> = company.allowed_objects(sara, Permissions::QUEUES_MANAGE, ObjectKind::Queue)?.collect();
    /// assert_eq!(managed, vec![sales]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn allowed_objects(
        &self,
        user: UserId,
        action: P,
        kind: P::Kind,
    ) -> Result<VisibleObjects<'_>, Error> {
        let entry = self
            .snapshot
            .user(user)
            .ok_or_else(|| Error::unknown_id(EntityKind::User, user.get()))?;
        let permissions = entry.permissions::<P>();
        Ok(if may_act_on_kind(permissions, action, kind) {
            self.snapshot.objects_reachable(entry, permissions, kind)
        } else {
            VisibleObjects::nothing()
        })
    }

    /// [`Company::visible_objects`] for the user behind `session`: with the
    /// permissions the session acts with (in a testing session, the role
    /// under test's). An ended session sees nothing.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownId`] for a deleted user.
    pub fn visible_objects_as(
        &self,
        session: &Session,
        kind: P::Kind,
    ) -> Result<VisibleObjects<'_>, Error> {
        match self.snapshot.session_permissions(session) {
            Ok((entry, permissions)) if sees_kind(permissions, kind) => {
                Ok(self.snapshot.objects_reachable(entry, permissions, kind))
            }
            Ok(_) | Err(crate::DenyReason::SessionEnded) => Ok(VisibleObjects::nothing()),
            Err(_) => Err(Error::unknown_id(EntityKind::User, session.user().get())),
        }
    }

    /// The projects the user can view (`projects.view`, and in enhanced mode
    /// membership or `projects.all`), in id order.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownId`] for an unknown user.
    pub fn visible_projects(&self, user: UserId) -> Result<Vec<ProjectId>, Error> {
        self.live_user(user)?;
        // The `projects.view` bit alone: what it implies need not apply to
        // projects.
        let view = P::catalog()
            .permission("projects.view")
            .map_or(P::none(), |p| P::of(1 << p.bit()));
        Ok(self
            .projects()
            .map(|(id, _)| id)
            .filter(|&id| self.check(user, view, Resource::Project(id)).is_allowed())
            .collect())
    }

    /// Every user who holds the role, directly or through a group, sorted by
    /// id, each once.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownId`] for an unknown role.
    pub fn role_holders(&self, role: RoleId) -> Result<Vec<UserId>, Error> {
        self.live_role(role)?;
        Ok(sorted(self.role_holders_unsorted(role)))
    }

    /// Every member of the project, directly or through a group, sorted by
    /// id, each once.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownId`] for an unknown project.
    pub fn project_members(&self, project: ProjectId) -> Result<Vec<UserId>, Error> {
        self.live_project(project)?;
        Ok(sorted(self.project_members_unsorted(project)))
    }
}

/// Revision-checked changes: optimistic concurrency and change logs.
impl<P: PermissionFlags> Company<P> {
    /// Applies a change only if the company is at `expected_revision`: the
    /// optimistic concurrency check that keeps two administrators' edits from
    /// silently overwriting each other.
    ///
    /// # Errors
    ///
    /// [`Error::RevisionMismatch`] when the company has moved on (or is
    /// behind), and every error of [`Company::apply`].
    pub fn apply_expecting(
        &mut self,
        expected_revision: u64,
        change: Change<P>,
    ) -> Result<crate::ChangeReport, Error> {
        self.expect_revision(expected_revision)?;
        self.apply(change)
    }

    /// Brings a replica up to date from a change log: entries older than the
    /// company's revision are skipped (already applied), the entry at its
    /// revision is applied, and so on in order. Returns how many entries
    /// were applied.
    ///
    /// Each entry is all-or-nothing; a refused entry stops the catch-up
    /// there, with the company at that entry's revision.
    ///
    /// # Errors
    ///
    /// [`Error::RevisionMismatch`] when the log has a gap (an entry for a
    /// later revision than the company's), or the error of the refused entry.
    pub fn catch_up<'a>(
        &mut self,
        log: impl IntoIterator<Item = &'a LogEntry<P>>,
    ) -> Result<usize, Error> {
        let mut applied = 0;
        for entry in log {
            if entry.revision < self.revision() {
                continue;
            }
            self.apply_expecting(entry.revision, entry.change.clone())?;
            applied += 1;
        }
        Ok(applied)
    }

    fn expect_revision(&self, expected: u64) -> Result<(), Error> {
        if expected == self.revision() {
            Ok(())
        } else {
            Err(Error::RevisionMismatch {
                expected,
                actual: self.revision(),
            })
        }
    }
}

/// Lookups that turn an id into its record, or an error naming the id.
impl<P: PermissionFlags> Company<P> {
    pub(crate) fn live_user(&self, id: UserId) -> Result<&User, Error> {
        self.user(id)
            .ok_or_else(|| Error::unknown_id(EntityKind::User, id.get()))
    }

    pub(crate) fn live_group(&self, id: GroupId) -> Result<&Group, Error> {
        self.group(id)
            .ok_or_else(|| Error::unknown_id(EntityKind::Group, id.get()))
    }

    pub(crate) fn live_role(&self, id: RoleId) -> Result<&Role<P>, Error> {
        self.role(id)
            .ok_or_else(|| Error::unknown_id(EntityKind::Role, id.get()))
    }

    pub(crate) fn live_project(&self, id: ProjectId) -> Result<&Project, Error> {
        self.project(id)
            .ok_or_else(|| Error::unknown_id(EntityKind::Project, id.get()))
    }

    pub(crate) fn live_object(&self, id: ObjectId) -> Result<&Object<P>, Error> {
        self.object(id)
            .ok_or_else(|| Error::unknown_id(EntityKind::Object, id.get()))
    }

    fn editable_role(&self, id: RoleId, action: &'static str) -> Result<&Role<P>, Error> {
        let role = self.live_role(id)?;
        match role.builtin {
            Some(builtin) => Err(Error::BuiltinRole {
                role: builtin.name(),
                action,
            }),
            None => Ok(role),
        }
    }

    fn check_users(&self, users: &[UserId]) -> Result<(), Error> {
        users
            .iter()
            .try_for_each(|&id| self.live_user(id).map(drop))
    }

    fn check_objects(&self, objects: &[ObjectId]) -> Result<(), Error> {
        objects
            .iter()
            .try_for_each(|&id| self.live_object(id).map(drop))
    }

    fn check_projects(&self, projects: &[ProjectId]) -> Result<(), Error> {
        projects
            .iter()
            .try_for_each(|&id| self.live_project(id).map(drop))
    }

    fn check_groups(&self, groups: &[GroupId]) -> Result<(), Error> {
        groups
            .iter()
            .try_for_each(|&id| self.live_group(id).map(drop))
    }

    /// A valid name that no record of `kind` has yet.
    fn new_name(&self, kind: EntityKind, name: &str) -> Result<(), Error> {
        check_name(kind, name)?;
        let taken = match kind {
            EntityKind::User => self.user_names.contains_key(name),
            EntityKind::Group => self.group_names.contains_key(name),
            EntityKind::Role => self.role_names.contains_key(name),
            EntityKind::Project => self.project_names.contains_key(name),
            // Object names are unique per kind; checked by the caller.
            EntityKind::Object => false,
        };
        if taken {
            return Err(duplicate(kind, name.to_owned()));
        }
        Ok(())
    }

    /// A valid new name for record `id`, whose current `owner` (if any) is
    /// `id` itself.
    fn rename_check<I: PartialEq>(
        &self,
        kind: EntityKind,
        name: &str,
        owner: Option<I>,
        id: I,
    ) -> Result<(), Error> {
        check_name(kind, name)?;
        match owner {
            Some(owner) if owner != id => Err(duplicate(kind, name.to_owned())),
            _ => Ok(()),
        }
    }

    /// ``user `ann`, group `Team A` ``, for messages.
    fn describe_principals(&self, principals: &[Principal]) -> String {
        let names: Vec<String> = principals
            .iter()
            .map(|&principal| match principal {
                Principal::User(id) => match self.user(id) {
                    Some(user) => format!("user `{}`", user.name),
                    None => format!("user `{id}`"),
                },
                Principal::Group(id) => match self.group(id) {
                    Some(group) => format!("group `{}`", group.name),
                    None => format!("group `{id}`"),
                },
            })
            .collect();
        names.join(", ")
    }

    fn check_roles(&self, roles: &[RoleId]) -> Result<(), Error> {
        roles
            .iter()
            .try_for_each(|&id| self.live_role(id).map(drop))
    }

    fn check_principals(&self, principals: &[Principal]) -> Result<(), Error> {
        principals
            .iter()
            .try_for_each(|&principal| match principal {
                Principal::User(id) => self.live_user(id).map(drop),
                Principal::Group(id) => self.live_group(id).map(drop),
            })
    }
}

/// Who would be left without the Admin role by a change.
enum Removal<'a> {
    User(UserId),
    Group(GroupId),
    Members(GroupId, &'a [UserId]),
    Unassign(&'a [Principal]),
}

/// One two-way link between records; [`Company::set_link`] keeps both
/// sides in step.
#[derive(Debug, Clone, Copy)]
enum Link {
    UserRole(UserId, RoleId),
    GroupRole(GroupId, RoleId),
    GroupMember(GroupId, UserId),
    UserProject(UserId, ProjectId),
    GroupProject(GroupId, ProjectId),
    ObjectProject(ObjectId, ProjectId),
}

impl Link {
    fn role(principal: Principal, role: RoleId) -> Self {
        match principal {
            Principal::User(user) => Self::UserRole(user, role),
            Principal::Group(group) => Self::GroupRole(group, role),
        }
    }

    fn project(principal: Principal, project: ProjectId) -> Self {
        match principal {
            Principal::User(user) => Self::UserProject(user, project),
            Principal::Group(group) => Self::GroupProject(group, project),
        }
    }
}

/// Adds or removes `item` in a set that may be missing.
fn toggle<T: std::hash::Hash + Eq>(set: Option<&mut IndexSet<T>>, item: T, present: bool) {
    if let Some(set) = set {
        if present {
            set.insert(item);
        } else {
            set.shift_remove(&item);
        }
    }
}

fn record<T>(table: &mut [Option<T>], index: usize) -> Option<&mut T> {
    table.get_mut(index)?.as_mut()
}

/// The commit half of changes: called only after validation, never fails.
impl<P: PermissionFlags> Company<P> {
    /// Makes a two-way link present or absent on both sides, and notes the
    /// users and objects whose compiled entries it changes.
    fn set_link(&mut self, link: Link, present: bool, touched: &mut Touched) {
        match link {
            Link::UserRole(user, role) => {
                toggle(
                    record(&mut self.users, user.index()).map(|u| &mut u.roles),
                    role,
                    present,
                );
                toggle(
                    record(&mut self.roles, role.index()).map(|r| &mut r.users),
                    user,
                    present,
                );
                touched.users.push(user);
            }
            Link::GroupRole(group, role) => {
                toggle(
                    record(&mut self.groups, group.index()).map(|g| &mut g.roles),
                    role,
                    present,
                );
                toggle(
                    record(&mut self.roles, role.index()).map(|r| &mut r.groups),
                    group,
                    present,
                );
                touched.users.extend(self.members_of(group));
            }
            Link::GroupMember(group, user) => {
                toggle(
                    record(&mut self.groups, group.index()).map(|g| &mut g.members),
                    user,
                    present,
                );
                toggle(
                    record(&mut self.users, user.index()).map(|u| &mut u.groups),
                    group,
                    present,
                );
                touched.users.push(user);
            }
            Link::UserProject(user, project) => {
                toggle(
                    record(&mut self.users, user.index()).map(|u| &mut u.projects),
                    project,
                    present,
                );
                toggle(
                    record(&mut self.projects, project.index()).map(|p| &mut p.users),
                    user,
                    present,
                );
                touched.users.push(user);
            }
            Link::GroupProject(group, project) => {
                toggle(
                    record(&mut self.groups, group.index()).map(|g| &mut g.projects),
                    project,
                    present,
                );
                toggle(
                    record(&mut self.projects, project.index()).map(|p| &mut p.groups),
                    group,
                    present,
                );
                touched.users.extend(self.members_of(group));
            }
            Link::ObjectProject(object, project) => {
                toggle(
                    record(&mut self.objects, object.index()).map(|o| &mut o.projects),
                    project,
                    present,
                );
                toggle(
                    record(&mut self.projects, project.index()).map(|p| &mut p.objects),
                    object,
                    present,
                );
                touched.objects.push(object);
            }
        }
    }

    fn members_of(&self, group: GroupId) -> impl Iterator<Item = UserId> + '_ {
        self.group(group)
            .into_iter()
            .flat_map(|g| g.members.iter().copied())
    }

    fn unlink_all(&mut self, links: Option<Vec<Link>>, touched: &mut Touched) {
        for link in links.into_iter().flatten() {
            self.set_link(link, false, touched);
        }
    }

    fn push_project(
        &mut self,
        name: String,
        description: String,
        touched: &mut Touched,
    ) -> Result<ProjectId, Error> {
        let id = ProjectId::new(next_id(&self.projects, EntityKind::Project)?);
        self.projects
            .push(Some(Project::new(name.clone(), description)));
        self.project_names.insert(name, id);
        touched.projects.push(id);
        Ok(id)
    }

    fn set_mode(
        &mut self,
        mode: SecurityMode,
        touched: &mut Touched,
    ) -> Result<Option<Created>, Error> {
        let make_default = mode == SecurityMode::Enhanced && self.default_project.is_none();
        if make_default && self.project_names.contains_key(DEFAULT_PROJECT_NAME) {
            return Err(duplicate(
                EntityKind::Project,
                DEFAULT_PROJECT_NAME.to_owned(),
            ));
        }
        // Checked up front so that nothing below can fail after a mutation.
        if make_default {
            next_id(&self.projects, EntityKind::Project)?;
        }
        touched.mode |= mode != self.mode;
        self.mode = mode;
        if !make_default {
            return Ok(None);
        }
        // DOMAIN rule 11: the first switch makes Default with every user and
        // every object; rule 17: never again.
        let id = self.push_project(
            DEFAULT_PROJECT_NAME.to_owned(),
            "Every user and object that existed when enhanced security was first enabled"
                .to_owned(),
            touched,
        )?;
        self.default_project = Some(id);
        let users: Vec<UserId> = self.users().map(|(user, _)| user).collect();
        let objects: Vec<ObjectId> = self.objects().map(|(object, _)| object).collect();
        for user in users {
            self.set_link(Link::UserProject(user, id), true, touched);
        }
        for object in objects {
            self.set_link(Link::ObjectProject(object, id), true, touched);
        }
        Ok(Some(Created::Project(id)))
    }

    /// Whether some user still holds Admin after `removal`. A company with
    /// no users yet has no Admin to lose; once users exist, taking Admin from
    /// its last holder is a lock-out, even when it leaves no user at all.
    fn admin_remains(&self, removal: &Removal<'_>) -> bool {
        if self.user_names.is_empty() {
            return true;
        }
        let Some(admin) = self.role(RoleId::ADMIN) else {
            return false;
        };
        let direct = admin.users.iter().copied().filter(|&user| match removal {
            Removal::User(gone) => user != *gone,
            Removal::Unassign(principals) => !principals.contains(&Principal::User(user)),
            Removal::Group(_) | Removal::Members(..) => true,
        });
        let through_groups = admin
            .groups
            .iter()
            .copied()
            .filter(|&group| match removal {
                Removal::Group(gone) => group != *gone,
                Removal::Unassign(principals) => !principals.contains(&Principal::Group(group)),
                Removal::User(_) | Removal::Members(..) => true,
            })
            .filter_map(|group| Some((group, self.group(group)?)))
            .flat_map(|(group, record)| {
                record
                    .members
                    .iter()
                    .copied()
                    .filter(move |&user| match removal {
                        Removal::User(gone) => user != *gone,
                        Removal::Members(from, users) => group != *from || !users.contains(&user),
                        Removal::Group(_) | Removal::Unassign(_) => true,
                    })
            });
        direct.chain(through_groups).next().is_some()
    }

    /// Every user holding `role`, directly or through a group, unsorted, with
    /// repeats.
    fn role_holders_unsorted(&self, role: RoleId) -> Vec<UserId> {
        let Some(record) = self.role(role) else {
            return Vec::new();
        };
        let mut users: Vec<UserId> = record.users.iter().copied().collect();
        for group in record.groups.iter().filter_map(|&g| self.group(g)) {
            users.extend(group.members.iter().copied());
        }
        users
    }

    /// Every member of `project`, directly or through a group, unsorted,
    /// with repeats.
    fn project_members_unsorted(&self, project: ProjectId) -> Vec<UserId> {
        let Some(record) = self.project(project) else {
            return Vec::new();
        };
        let mut users: Vec<UserId> = record.users.iter().copied().collect();
        for group in record.groups.iter().filter_map(|&g| self.group(g)) {
            users.extend(group.members.iter().copied());
        }
        users
    }
}

/// Compiling records into the snapshot.
impl<P: PermissionFlags> Company<P> {
    /// A user's effective permissions (the union over their roles, direct
    /// and through groups), with `projects` set to every project they belong
    /// to, directly or through a group, sorted and without repeats. Shared by
    /// the incremental and the from-scratch compile, so the two cannot drift.
    fn effective_rights(&self, user: &User, projects: &mut Vec<u32>) -> P {
        projects.clear();
        projects.extend(user.projects.iter().map(|p| p.get()));
        let mut permissions = P::none();
        for role in user.roles.iter().filter_map(|&r| self.role(r)) {
            permissions = permissions.or(role.permissions);
        }
        for group in user.groups.iter().filter_map(|&g| self.group(g)) {
            for role in group.roles.iter().filter_map(|&r| self.role(r)) {
                permissions = permissions.or(role.permissions);
            }
            projects.extend(group.projects.iter().map(|p| p.get()));
        }
        projects.sort_unstable();
        projects.dedup();
        permissions
    }

    fn compile_user(&self, id: UserId) -> Option<CompiledUser<P>> {
        let user = self.user(id)?;
        let mut projects = Vec::new();
        let permissions = self.effective_rights(user, &mut projects);
        Some(CompiledUser {
            permissions,
            sessions_from: user.sessions_from,
            projects,
        })
    }

    fn compile_object(&self, id: ObjectId) -> Option<(P::Kind, Vec<u32>)> {
        let object = self.object(id)?;
        let mut projects: Vec<u32> = object.projects.iter().map(|p| p.get()).collect();
        projects.sort_unstable();
        Some((object.kind, projects))
    }

    #[cfg(feature = "serde")] // used by the document loader
    /// A company from validated records: name maps and the snapshot are
    /// derived from the tables. The caller guarantees the invariants (dense
    /// ids, two-way links, unique names), as the document loader checks.
    pub(crate) fn from_tables(tables: Tables<P>) -> Self {
        let Tables {
            mode,
            revision,
            default_project,
            users,
            groups,
            roles,
            projects,
            objects,
        } = tables;
        let mut company = Self {
            mode,
            revision,
            default_project,
            user_names: names(&users, |u| u.name.clone(), UserId::new),
            group_names: names(&groups, |g| g.name.clone(), GroupId::new),
            role_names: names(&roles, |r| r.name.clone(), RoleId::new),
            project_names: names(&projects, |p| p.name.clone(), ProjectId::new),
            object_names: names(&objects, |o| (o.kind, o.name.clone()), ObjectId::new),
            users,
            groups,
            roles,
            projects,
            objects,
            snapshot: Snapshot::default(),
        };
        company.compile_all();
        company
    }

    #[cfg(feature = "serde")] // used by the document loader
    /// Replaces the snapshot with one compiled from scratch.
    fn compile_all(&mut self) {
        self.snapshot = self.compile();
    }

    /// Compiles a fresh [`Snapshot`] from the records, from scratch, in one
    /// pass: what loading a company does, and what a host can use to check
    /// that the incrementally kept snapshot is right (the two are equal).
    ///
    /// Computes in **O(users + objects + links)**, allocating only the
    /// snapshot's own tables; see the README's performance table for
    /// numbers.
    ///
    /// # Example
    ///
    /// ```
    /// use callgate::{Company, ObjectKind};
    ///
    /// let mut company = Company::new();
    /// company.create_user("ann")?;
    /// company.create_object(ObjectKind::Queue, "Sales")?;
    /// assert_eq!(&company.compile(), company.snapshot());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn compile(&self) -> Snapshot<P> {
        let mut snapshot = Snapshot::empty(
            self.revision,
            self.mode == SecurityMode::Enhanced,
            self.roles.iter().map(|r| r.as_ref().map(|r| r.permissions)),
            self.projects.iter().map(Option::is_some),
            self.users.len(),
            self.objects.len(),
        );
        let mut projects: Vec<u32> = Vec::new();
        for user in &self.users {
            let Some(user) = user else {
                snapshot.push_user(None);
                continue;
            };
            let permissions = self.effective_rights(user, &mut projects);
            snapshot.push_user(Some((permissions, user.sessions_from, &projects)));
        }
        for object in &self.objects {
            let Some(object) = object else {
                snapshot.push_object(None);
                continue;
            };
            projects.clear();
            projects.extend(object.projects.iter().map(|p| p.get()));
            projects.sort_unstable();
            snapshot.push_object(Some((object.kind, &projects)));
        }
        snapshot.shrink_to_fit();
        snapshot
    }

    /// Brings the snapshot up to date with what a change touched, and
    /// returns the users it affected, sorted.
    fn recompile(&mut self, touched: Touched) -> Vec<UserId> {
        let Touched {
            users,
            objects,
            projects,
            roles,
            mut visibility,
            mode,
        } = touched;
        self.snapshot.revision = self.revision;
        self.snapshot.enhanced = self.mode == SecurityMode::Enhanced;

        for role in sorted(roles) {
            let permissions = self.role(role).map(|r| r.permissions);
            self.snapshot.set_role(role, permissions);
        }
        for project in sorted(projects) {
            let live = self.project(project).is_some();
            self.snapshot.set_project(project, live);
        }
        for object in sorted(objects) {
            let compiled = self.compile_object(object);
            // Members of the projects that gained or lost the object see it
            // appear or disappear.
            for project in self.snapshot.set_object(object, compiled) {
                visibility.extend(self.project_members_unsorted(ProjectId::new(project)));
            }
        }
        let mut affected = Vec::new();
        for user in sorted(users) {
            let compiled = self.compile_user(user);
            if self.snapshot.set_user(user, compiled) {
                affected.push(user);
            }
        }

        if mode {
            visibility.extend(self.users().map(|(id, _)| id));
        }
        // Users who see every project (holders of `projects.all`, or anyone
        // in simple mode) are not affected by what the projects say, unless
        // the mode itself changed.
        affected.extend(visibility.into_iter().filter(|&user| {
            self.snapshot
                .user(user)
                .is_some_and(|entry| mode || !self.snapshot.sees_every_project(entry.permissions()))
        }));
        sorted(affected)
    }
}

#[cfg(feature = "serde")] // used by the document loader
/// The record tables of a company, for [`Company::from_tables`].
pub(crate) struct Tables<P: PermissionFlags> {
    pub(crate) mode: SecurityMode,
    pub(crate) revision: u64,
    pub(crate) default_project: Option<ProjectId>,
    pub(crate) users: Vec<Option<User>>,
    pub(crate) groups: Vec<Option<Group>>,
    pub(crate) roles: Vec<Option<Role<P>>>,
    pub(crate) projects: Vec<Option<Project>>,
    pub(crate) objects: Vec<Option<Object<P>>>,
}

#[cfg(feature = "serde")] // used by the document loader
/// The name map of a table.
fn names<T, K: std::hash::Hash + Eq, I>(
    table: &[Option<T>],
    key: impl Fn(&T) -> K,
    id: impl Fn(u32) -> I,
) -> IndexMap<K, I> {
    live(table)
        .map(|(i, record)| (key(record), id(i)))
        .collect()
}

/// The live records of a table, with their ids.
fn live<T>(table: &[Option<T>]) -> impl Iterator<Item = (u32, &T)> + '_ {
    table
        .iter()
        .enumerate()
        .filter_map(|(i, record)| Some((u32::try_from(i).ok()?, record.as_ref()?)))
}

/// The id the next record of a table gets.
/// The id of the next record of a table. Ids stay below `u32::MAX`, which
/// compiled tables and sessions keep free as a marker (`Session` stores "not
/// testing" as `u32::MAX`).
fn next_id<T>(table: &[Option<T>], kind: EntityKind) -> Result<u32, Error> {
    u32::try_from(table.len())
        .ok()
        .filter(|&id| id < u32::MAX)
        .ok_or(Error::CapacityExceeded { kind })
}

/// Whether someone with `permissions` holds a permission of `kind`.
fn sees_kind<P: PermissionFlags>(permissions: P, kind: P::Kind) -> bool {
    permissions.bits128() & P::catalog().kind_mask(kind.index()) != 0
}

/// Whether `action` applies to `kind` and `permissions` grant it.
fn may_act_on_kind<P: PermissionFlags>(permissions: P, action: P, kind: P::Kind) -> bool {
    let action = action.bits128();
    let scope = P::catalog().kind_mask(kind.index());
    action != 0 && action & !scope == 0 && action & !permissions.bits128() == 0
}

fn sorted<T: Ord>(mut items: Vec<T>) -> Vec<T> {
    items.sort_unstable();
    items.dedup();
    items
}

fn last_admin(change: String) -> Error {
    Error::LastAdmin { change }
}

fn duplicate(kind: EntityKind, name: String) -> Error {
    Error::DuplicateName { kind, name }
}

fn single<P: PermissionFlags>(permission: P) -> Result<(), Error> {
    if permission.single().is_some() {
        Ok(())
    } else {
        Err(Error::NotSinglePermission {
            permissions: permission.names().to_string(),
        })
    }
}

/// Names must be non-blank, without surrounding white space or control
/// characters.
pub(crate) fn check_name(kind: EntityKind, name: &str) -> Result<(), Error> {
    if name.is_empty() || name.trim() != name || name.chars().any(char::is_control) {
        Err(Error::InvalidName {
            kind,
            name: name.to_owned(),
        })
    } else {
        Ok(())
    }
}
