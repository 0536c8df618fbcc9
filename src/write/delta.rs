//! A validated change as the edits it makes ([`Delta`]), and the commit
//! that carries them out.

use crate::company::links::{Link, Touched};
use crate::company::names::{by_kind_and_name, by_name};
use crate::company::{Company, record};
use crate::name::Name;
use crate::{
    Assignment, Created, Group, GroupId, Object, ObjectId, PermissionFlags, Project, ProjectId,
    Role, RoleId, SecurityMode, Timestamp, User, UserId,
};

/// A record a change creates. Its id is the next of its table, as it was
/// when the change was planned (a plan commits only at that revision).
#[derive(Debug, Clone)]
pub(crate) enum NewRecord<P: PermissionFlags> {
    User(UserId, User),
    Group(GroupId, Group),
    Role(RoleId, Role<P>),
    Project(ProjectId, Project),
    Object(ObjectId, Object<P>),
}

/// An edit of a record's own fields.
#[derive(Debug, Clone)]
pub(crate) enum Edit<P: PermissionFlags> {
    RenameUser(UserId, String),
    RenameGroup(GroupId, String),
    RenameRole(RoleId, String),
    RenameProject(ProjectId, String),
    RenameObject(ObjectId, String),
    RoleDescription(RoleId, String),
    ProjectDescription(ProjectId, String),
    /// The role's new permissions, closed under implication.
    RolePermissions(RoleId, P),
    RoleOffline(RoleId, bool),
    Mode(SecurityMode),
    /// The project just created is the `Default` project.
    DefaultProject(ProjectId),
}

/// A record a change deletes, once its links are gone.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Removed {
    User(UserId),
    Group(GroupId),
    Role(RoleId),
    Project(ProjectId),
    Object(ObjectId),
}

/// What a validated change does, in the order the commit does it: create
/// a record, edit fields, set links, delete a record. Every link in
/// `links` changes something (a link already present is not added again)
/// and appears once, so the commit's cost follows the change.
#[derive(Debug, Clone)]
pub(crate) struct Delta<P: PermissionFlags> {
    pub(crate) create: Option<NewRecord<P>>,
    pub(crate) edits: Vec<Edit<P>>,
    pub(crate) links: Vec<(Link, bool)>,
    pub(crate) delete: Option<Removed>,
    /// The role the change saves (DOMAIN rule 7): with "put its users
    /// offline", the sessions of everyone who held it before or holds it
    /// after end.
    pub(crate) saved_role: Option<RoleId>,
    /// New ends of grants that stay (DOMAIN rule 24; `None`: lasting), set
    /// after the links. A grant the links take away loses its end anyway.
    pub(crate) ends: Vec<(Assignment, Option<Timestamp>)>,
    /// Users whose sessions end besides those `saved_role` names: the
    /// holders of ended grants of roles with "put its users offline".
    pub(crate) offline: Vec<UserId>,
    /// The company's duty constraints after the change, if it changes them.
    pub(crate) duties: Option<std::sync::Arc<[crate::DutyConstraint<P>]>>,
}

impl<P: PermissionFlags> Default for Delta<P> {
    fn default() -> Self {
        Self {
            create: None,
            edits: Vec::new(),
            links: Vec::new(),
            delete: None,
            saved_role: None,
            ends: Vec::new(),
            offline: Vec::new(),
            duties: None,
        }
    }
}

impl<P: PermissionFlags> Delta<P> {
    /// What the change creates.
    pub(crate) fn created(&self) -> Option<Created> {
        Some(match self.create.as_ref()? {
            NewRecord::User(id, _) => Created::User(*id),
            NewRecord::Group(id, _) => Created::Group(*id),
            NewRecord::Role(id, _) => Created::Role(*id),
            NewRecord::Project(id, _) => Created::Project(*id),
            NewRecord::Object(id, _) => Created::Object(*id),
        })
    }

    /// Sets `link` to `present`, if that changes anything in `company`.
    /// The caller passes each link once (see `distinct`).
    pub(crate) fn link(&mut self, company: &Company<P>, link: Link, present: bool) {
        if company.linked(link) != present {
            self.links.push((link, present));
        }
    }

    /// Removes every link in `links` (all present).
    pub(crate) fn unlink_all(&mut self, links: Vec<Link>) {
        self.links
            .extend(links.into_iter().map(|link| (link, false)));
    }

    /// The new permissions of the role, if the change sets them.
    pub(crate) fn role_permissions(&self, role: RoleId) -> Option<Option<P>> {
        if let Some(NewRecord::Role(id, record)) = &self.create {
            if *id == role {
                return Some(Some(record.permissions));
            }
        }
        if matches!(self.delete, Some(Removed::Role(id)) if id == role) {
            return Some(None);
        }
        self.edits.iter().rev().find_map(|edit| match edit {
            Edit::RolePermissions(id, permissions) if *id == role => Some(Some(*permissions)),
            _ => None,
        })
    }

    /// The role's "put its users offline" setting after the change, if the
    /// change sets it.
    pub(crate) fn role_offline(&self, role: RoleId) -> Option<bool> {
        self.edits.iter().rev().find_map(|edit| match edit {
            Edit::RoleOffline(id, offline) if *id == role => Some(*offline),
            _ => None,
        })
    }

    /// The security mode after the change, if the change sets it.
    pub(crate) fn mode(&self) -> Option<SecurityMode> {
        self.edits.iter().rev().find_map(|edit| match edit {
            Edit::Mode(mode) => Some(*mode),
            _ => None,
        })
    }
}

/// Carrying out a delta: never fails, since the plan checked everything.
impl<P: PermissionFlags> Company<P> {
    /// Carries out `delta` on the records and notes what to recompile.
    pub(crate) fn execute(&mut self, delta: Delta<P>) -> Touched {
        let mut touched = Touched::default();
        if let Some(new) = delta.create {
            self.push_record(new, &mut touched);
        }
        for edit in delta.edits {
            self.edit(edit, &mut touched);
        }
        self.set_links(&delta.links, &mut touched);
        self.ends.forget_removed(&delta.links);
        for (grant, end) in delta.ends {
            self.ends.set(grant, end);
        }
        if let Some(removed) = delta.delete {
            self.take_record(removed, &mut touched);
        }
        if let Some(role) = delta.saved_role {
            touched.roles.push(role);
        }
        if let Some(duties) = delta.duties {
            self.duties = duties;
        }
        touched
    }

    fn push_record(&mut self, new: NewRecord<P>, touched: &mut Touched) {
        match new {
            NewRecord::User(id, user) => {
                self.records_heap += user.heap_bytes();
                self.users.push(Some(user));
                self.user_names.insert(id.get(), by_name(&self.users));
                touched.users([id]);
            }
            NewRecord::Group(id, group) => {
                self.groups.push(Some(group));
                self.group_names.insert(id.get(), by_name(&self.groups));
            }
            NewRecord::Role(id, role) => {
                self.roles.push(Some(role));
                self.role_names.insert(id.get(), by_name(&self.roles));
                touched.roles.push(id);
            }
            NewRecord::Project(id, project) => {
                self.projects.push(Some(project));
                self.project_names.insert(id.get(), by_name(&self.projects));
                touched.projects.push(id);
            }
            NewRecord::Object(id, object) => {
                self.records_heap += object.heap_bytes();
                self.objects.push(Some(object));
                self.object_names
                    .insert(id.get(), by_kind_and_name(&self.objects));
                touched.objects.push(id);
            }
        }
    }

    fn edit(&mut self, edit: Edit<P>, touched: &mut Touched) {
        match edit {
            Edit::RenameUser(id, name) => {
                self.user_names.remove(id.get(), by_name(&self.users));
                if let Some(user) = record(&mut self.users, id.index()) {
                    let name = Name::from(name);
                    self.records_heap = (self.records_heap + name.heap_bytes())
                        .saturating_sub(user.name.heap_bytes());
                    user.name = name;
                }
                self.user_names.insert(id.get(), by_name(&self.users));
            }
            Edit::RenameGroup(id, name) => {
                self.group_names.remove(id.get(), by_name(&self.groups));
                if let Some(group) = record(&mut self.groups, id.index()) {
                    group.name = name.into();
                }
                self.group_names.insert(id.get(), by_name(&self.groups));
            }
            Edit::RenameRole(id, name) => {
                self.role_names.remove(id.get(), by_name(&self.roles));
                if let Some(role) = record(&mut self.roles, id.index()) {
                    role.name = name.into();
                }
                self.role_names.insert(id.get(), by_name(&self.roles));
            }
            Edit::RenameProject(id, name) => {
                self.project_names.remove(id.get(), by_name(&self.projects));
                if let Some(project) = record(&mut self.projects, id.index()) {
                    project.name = name.into();
                }
                self.project_names.insert(id.get(), by_name(&self.projects));
            }
            Edit::RenameObject(id, name) => {
                self.object_names
                    .remove(id.get(), by_kind_and_name(&self.objects));
                if let Some(object) = record(&mut self.objects, id.index()) {
                    let name = Name::from(name);
                    self.records_heap = (self.records_heap + name.heap_bytes())
                        .saturating_sub(object.name.heap_bytes());
                    object.name = name;
                }
                self.object_names
                    .insert(id.get(), by_kind_and_name(&self.objects));
            }
            other => self.edit_settings(other, touched),
        }
    }

    fn edit_settings(&mut self, edit: Edit<P>, touched: &mut Touched) {
        match edit {
            Edit::RoleDescription(id, description) => {
                if let Some(role) = record(&mut self.roles, id.index()) {
                    role.description = description;
                }
            }
            Edit::ProjectDescription(id, description) => {
                if let Some(project) = record(&mut self.projects, id.index()) {
                    project.description = description;
                }
            }
            Edit::RolePermissions(id, permissions) => {
                if let Some(role) = record(&mut self.roles, id.index()) {
                    role.permissions = permissions;
                }
                if cfg!(debug_assertions) {
                    touched.users(self.role_holders_anywhere_unsorted(id));
                }
            }
            Edit::RoleOffline(id, offline) => {
                if let Some(role) = record(&mut self.roles, id.index()) {
                    role.put_users_offline = offline;
                }
            }
            Edit::Mode(mode) => self.mode = mode,
            Edit::DefaultProject(id) => self.default_project = Some(id),
            Edit::RenameUser(..)
            | Edit::RenameGroup(..)
            | Edit::RenameRole(..)
            | Edit::RenameProject(..)
            | Edit::RenameObject(..) => {}
        }
    }

    fn take_record(&mut self, removed: Removed, touched: &mut Touched) {
        match removed {
            Removed::User(id) => {
                self.user_names.remove(id.get(), by_name(&self.users));
                if let Some(slot) = self.users.get_mut(id.index()) {
                    let owned = slot.take().map_or(0, |user| user.heap_bytes());
                    self.records_heap = self.records_heap.saturating_sub(owned);
                }
                // Recompiled even without links, so its entry becomes a tombstone.
                touched.users([id]);
            }
            Removed::Group(id) => {
                self.group_names.remove(id.get(), by_name(&self.groups));
                if let Some(slot) = self.groups.get_mut(id.index()) {
                    *slot = None;
                }
            }
            Removed::Role(id) => {
                self.role_names.remove(id.get(), by_name(&self.roles));
                if let Some(slot) = self.roles.get_mut(id.index()) {
                    *slot = None;
                }
            }
            Removed::Project(id) => {
                self.project_names.remove(id.get(), by_name(&self.projects));
                if let Some(slot) = self.projects.get_mut(id.index()) {
                    *slot = None;
                }
                touched.projects.push(id);
            }
            Removed::Object(id) => {
                self.object_names
                    .remove(id.get(), by_kind_and_name(&self.objects));
                if let Some(slot) = self.objects.get_mut(id.index()) {
                    let owned = slot.take().map_or(0, |object| object.heap_bytes());
                    self.records_heap = self.records_heap.saturating_sub(owned);
                }
                touched.objects.push(id);
            }
        }
    }
}
