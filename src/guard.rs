//! Guarded changes: who may make a change, and what they may hand out.
//!
//! A change made through [`Company::apply_as`] is first authorized here:
//!
//! 1. the session must be current (not ended by a change);
//! 2. the actor needs the permission that governs the change (see
//!    [`Change::governing_permissions`]);
//! 3. no escalation: whatever the change grants (a role's permissions, a role
//!    given to someone, a group that carries roles) must already be held by
//!    the actor (the Kubernetes RBAC rule), and for as long as the change
//!    gives it (DOMAIN rule 24: a role the actor holds until a time counts
//!    only for grants that end by then; see `guard/outlast.rs`);
//! 4. in enhanced mode, projects and objects hidden from the actor are
//!    refused as unknown ids: they do not exist for the actor.
//!
//! The checks made for every caller (unknown ids, built-in roles, the last
//! Admin, ...) follow in `Company::apply`.

mod outlast;

use crate::catalog::{Kind, Set};
use crate::{
    Change, Company, EntityKind, Error, ObjectId, PermissionFlags, ProjectId, RoleId, Session,
};

impl<P: PermissionFlags> Change<P> {
    /// The permissions an actor needs to make this change, whatever it
    /// grants: `users.manage` for users, `groups.manage` for groups,
    /// `roles.manage` for roles, assignments and section switches,
    /// `projects.manage` for projects, their members and objects and the
    /// roles given within them (held company-wide or within that project),
    /// `security.manage` for the security mode, and the kind's manage
    /// permission (`queues.manage`, ...) to register, rename or delete an
    /// object or to record the objects it uses. Creating a user with roles,
    /// groups or projects also needs the permission that governs each of
    /// those. Declaring or dropping a duty constraint (DOMAIN rule 25) needs
    /// `security.manage` (the product's
    /// [`LibraryPermission::SecurityManage`](crate::LibraryPermission)) and
    /// both permissions of the pair: an actor keeps apart, or lets meet,
    /// only duties they hold.
    #[must_use]
    pub fn governing_permissions(&self, company: &Company<P>) -> P {
        let required = P::catalog().required;
        P::of(match self {
            Change::CreateUser {
                roles,
                groups,
                projects,
                ..
            } => {
                let mut needed = required.users_manage;
                if !roles.is_empty() {
                    needed |= required.roles_manage;
                }
                if !groups.is_empty() {
                    needed |= required.groups_manage;
                }
                if !projects.is_empty() {
                    needed |= required.projects_manage;
                }
                needed
            }
            Change::RenameUser { .. } | Change::DeleteUser { .. } => required.users_manage,
            Change::CreateGroup { .. }
            | Change::RenameGroup { .. }
            | Change::DeleteGroup { .. }
            | Change::AddGroupMembers { .. }
            | Change::RemoveGroupMembers { .. } => required.groups_manage,
            Change::CreateRole { .. }
            | Change::EditRole { .. }
            | Change::DeleteRole { .. }
            | Change::AssignRole { .. }
            | Change::AssignRoleUntil { .. }
            | Change::UnassignRole { .. }
            | Change::SetSectionAccess { .. }
            | Change::ExpireGrants { .. } => required.roles_manage,
            Change::SetSecurityMode { .. } => required.security_manage,
            Change::CreateProject { .. }
            | Change::EditProject { .. }
            | Change::DeleteProject { .. }
            | Change::AddProjectMembers { .. }
            | Change::RemoveProjectMembers { .. }
            | Change::AddProjectObjects { .. }
            | Change::RemoveProjectObjects { .. }
            | Change::AssignProjectRole { .. }
            | Change::AssignProjectRoleUntil { .. }
            | Change::UnassignProjectRole { .. } => required.projects_manage,
            Change::CreateObject { kind, projects, .. } => {
                let mut needed = P::catalog().kind_manage(kind.index());
                if !projects.is_empty() {
                    needed |= required.projects_manage;
                }
                needed
            }
            Change::RenameObject { object, .. }
            | Change::DeleteObject { object }
            | Change::SetObjectReferences { object, .. } => company
                .object(*object)
                .map_or(0, |o| P::catalog().kind_manage(o.kind().index())),
            Change::DeclareDutyConstraint { first, second }
            | Change::DropDutyConstraint { first, second } => {
                let side = |duty: &crate::Duty<P>| match duty {
                    crate::Duty::Permission(permission) => permission.close().bits128(),
                    crate::Duty::Role(_) => 0,
                };
                required.security_manage | side(first) | side(second)
            }
        })
    }

    /// A short description for messages: ``assign role `QA` ``.
    pub(crate) fn describe(&self, company: &Company<P>) -> String {
        let role_name = |role: &RoleId| {
            company
                .role(*role)
                .map_or_else(|| role.to_string(), |r| r.name().to_owned())
        };
        match self {
            Change::CreateUser { name, .. } => format!("create user `{name}`"),
            Change::RenameUser { user, .. } => {
                format!("rename user `{}`", company.user_label(*user))
            }
            Change::DeleteUser { user } => format!("delete user `{}`", company.user_label(*user)),
            Change::CreateGroup { name, .. } => format!("create group `{name}`"),
            Change::RenameGroup { .. } => "rename a group".to_owned(),
            Change::DeleteGroup { .. } => "delete a group".to_owned(),
            Change::AddGroupMembers { .. } => "add members to a group".to_owned(),
            Change::RemoveGroupMembers { .. } => "remove members from a group".to_owned(),
            Change::CreateRole { name, .. } => format!("create role `{name}`"),
            Change::EditRole { role, .. } => format!("edit role `{}`", role_name(role)),
            Change::DeleteRole { role } => format!("delete role `{}`", role_name(role)),
            Change::AssignRole { role, .. } => format!("assign role `{}`", role_name(role)),
            Change::UnassignRole { role, .. } => format!("unassign role `{}`", role_name(role)),
            Change::SetSectionAccess { role, .. } => {
                format!("switch a section of role `{}`", role_name(role))
            }
            Change::SetSecurityMode { .. } => "switch the security mode".to_owned(),
            Change::CreateProject { name, .. } => format!("create project `{name}`"),
            Change::EditProject { .. } => "edit a project".to_owned(),
            Change::DeleteProject { .. } => "delete a project".to_owned(),
            Change::AddProjectMembers { .. } => "add members to a project".to_owned(),
            Change::AssignProjectRole { role, project, .. } => format!(
                "give role `{}` within project `{}`",
                role_name(role),
                company.project_label(*project)
            ),
            Change::UnassignProjectRole { role, project, .. } => format!(
                "take role `{}` within project `{}`",
                role_name(role),
                company.project_label(*project)
            ),
            Change::RemoveProjectMembers { .. } => "remove members from a project".to_owned(),
            Change::AddProjectObjects { .. } => "add objects to a project".to_owned(),
            Change::RemoveProjectObjects { .. } => "remove objects from a project".to_owned(),
            Change::CreateObject { kind, name, .. } => {
                format!("create {} `{name}`", crate::kind_label::<P>(*kind))
            }
            Change::RenameObject { .. } => "rename an object".to_owned(),
            Change::DeleteObject { .. } => "delete an object".to_owned(),
            Change::AssignRoleUntil { role, until, .. } => {
                format!("assign role `{}` until {until}", role_name(role))
            }
            Change::AssignProjectRoleUntil {
                role,
                project,
                until,
                ..
            } => format!(
                "give role `{}` within project `{}` until {until}",
                role_name(role),
                company.project_label(*project)
            ),
            Change::ExpireGrants { now } => format!("end the grants due by {now}"),
            Change::SetObjectReferences { .. } => "record the objects an object uses".to_owned(),
            Change::DeclareDutyConstraint { .. } => "declare a duty constraint".to_owned(),
            Change::DropDutyConstraint { .. } => "drop a duty constraint".to_owned(),
        }
    }
}

impl<P: PermissionFlags> Company<P> {
    /// Refuses `change` if the actor behind `session` may not make it.
    pub(crate) fn authorize(&self, session: &Session, change: &Change<P>) -> Result<(), Error> {
        let company_wide = self.session_permissions(session)?;
        // DOMAIN rules 20 and 22: on a project, or an object, what the
        // actor holds within it counts too.
        let held = company_wide.or(self.held_within_target(session, change));
        let missing = change.governing_permissions(self).minus(held);
        if !missing.empty_set() {
            return Err(Error::Forbidden {
                user: self.user_label(session.user()),
                change: change.describe(self),
                missing: missing.names().to_string(),
            });
        }
        self.check_visibility(session, company_wide, change)?;
        let granted = self.granted_by(change)?;
        let beyond = granted.minus(held);
        if !beyond.empty_set() {
            return Err(self.escalation(session, change, beyond));
        }
        let outlasting = self.outlasting(session.user(), change, granted);
        if !outlasting.empty_set() {
            return Err(self.escalation(session, change, outlasting));
        }
        self.check_groups_within(session, company_wide, change)
    }

    fn escalation(&self, session: &Session, change: &Change<P>, beyond: P) -> Error {
        Error::Escalation {
            user: self.user_label(session.user()),
            change: change.describe(self),
            permissions: beyond.names().to_string(),
        }
    }

    /// What the actor holds within the project a change is about, or within
    /// the projects that hold the object it is about (none in a testing
    /// session: a role under test is tested company-wide).
    fn held_within_target(&self, session: &Session, change: &Change<P>) -> P {
        let Some(actor) = self.snapshot().user(session.user()) else {
            return P::none();
        };
        if session.testing().is_some() {
            return P::none();
        }
        match change {
            Change::EditProject { project, .. }
            | Change::DeleteProject { project }
            | Change::AddProjectMembers { project, .. }
            | Change::RemoveProjectMembers { project, .. }
            | Change::AddProjectObjects { project, .. }
            | Change::RemoveProjectObjects { project, .. }
            | Change::AssignProjectRole { project, .. }
            | Change::AssignProjectRoleUntil { project, .. }
            | Change::UnassignProjectRole { project, .. } => {
                self.snapshot().within_project(actor, *project)
            }
            Change::RenameObject { object, .. }
            | Change::DeleteObject { object }
            | Change::SetObjectReferences { object, .. } => {
                self.snapshot().within_object(actor, *object)
            }
            _ => P::none(),
        }
    }

    /// Putting users in groups gives them the roles the groups hold within
    /// projects: each must be held by the actor company-wide or within
    /// that same project (rule 22).
    fn check_groups_within(
        &self,
        session: &Session,
        company_wide: P,
        change: &Change<P>,
    ) -> Result<(), Error> {
        let groups: &[crate::GroupId] = match change {
            Change::CreateUser { groups, .. } => groups,
            Change::AddGroupMembers { group, .. } => std::slice::from_ref(group),
            _ => return Ok(()),
        };
        let actor = self.snapshot().user(session.user());
        let testing = session.testing().is_some();
        for group in groups.iter().filter_map(|&g| self.group(g)) {
            for &(project, role) in group.project_roles.iter() {
                let within = match actor {
                    Some(actor) if !testing => self.snapshot().within_project(actor, project),
                    _ => P::none(),
                };
                let granted = self.role(role).map_or(P::none(), |r| r.permissions());
                let beyond = granted.minus(company_wide.or(within));
                if !beyond.empty_set() {
                    return Err(self.escalation(session, change, beyond));
                }
            }
        }
        Ok(())
    }

    /// What a change hands out: the permissions someone may gain by it.
    fn granted_by(&self, change: &Change<P>) -> Result<P, Error> {
        let role_permissions =
            |role: RoleId| -> Result<P, Error> { Ok(self.live_role(role)?.permissions()) };
        let group_permissions = |group: crate::GroupId| -> Result<P, Error> {
            let group = self.live_group(group)?;
            group
                .roles()
                .try_fold(P::none(), |all, role| Ok(all.or(role_permissions(role)?)))
        };
        Ok(match change {
            Change::CreateUser { roles, groups, .. } => {
                let roles = roles.iter().try_fold(P::none(), |all, &r| {
                    Ok::<_, Error>(all.or(role_permissions(r)?))
                })?;
                let groups = groups.iter().try_fold(P::none(), |all, &g| {
                    Ok::<_, Error>(all.or(group_permissions(g)?))
                })?;
                roles.or(groups)
            }
            Change::AddGroupMembers { group, .. } => group_permissions(*group)?,
            Change::CreateRole { permissions, .. } => permissions.close(),
            Change::EditRole {
                permissions: Some(permissions),
                ..
            } => permissions.close(),
            Change::AssignRole { role, .. }
            | Change::AssignRoleUntil { role, .. }
            | Change::AssignProjectRole { role, .. }
            | Change::AssignProjectRoleUntil { role, .. } => role_permissions(*role)?,
            Change::AddProjectMembers { roles, .. } => {
                roles.iter().try_fold(P::none(), |all, &r| {
                    Ok::<_, Error>(all.or(role_permissions(r)?))
                })?
            }
            Change::SetSectionAccess {
                permission,
                allowed: true,
                ..
            } => permission.close(),
            _ => P::none(),
        })
    }

    /// Putting someone in a group puts them in the group's projects: an actor
    /// who cannot see one of those projects may not do it (it would reveal
    /// the project's objects to whoever they add, themselves included).
    fn group_projects_visible(
        &self,
        session: &Session,
        group: crate::GroupId,
        actor_projects: &[u32],
    ) -> Result<(), Error> {
        let group = self.live_group(group)?;
        let hidden = group
            .projects()
            .any(|p| actor_projects.binary_search(&p.get()).is_err());
        if hidden {
            return Err(Error::Forbidden {
                user: self.user_label(session.user()),
                change: format!("add members to group `{}`", group.name()),
                missing: P::of(P::catalog().required.projects_all)
                    .names()
                    .to_string(),
            });
        }
        Ok(())
    }

    /// In enhanced mode, an actor without `projects.all` cannot name a
    /// project or object that no project of theirs holds: for them it does
    /// not exist.
    fn check_visibility(
        &self,
        session: &Session,
        held: P,
        change: &Change<P>,
    ) -> Result<(), Error> {
        if self.snapshot().sees_every_project(held) {
            return Ok(());
        }
        let Some(actor) = self.snapshot().user(session.user()) else {
            return Err(Error::unknown_id(EntityKind::User, session.user().get()));
        };
        let snapshot = self.snapshot();
        let actor_projects = snapshot.user_projects(actor);
        let project_visible = |project: ProjectId| -> Result<(), Error> {
            if actor_projects.binary_search(&project.get()).is_ok() {
                Ok(())
            } else {
                Err(Error::unknown_id(EntityKind::Project, project.get()))
            }
        };
        let object_visible = |object: ObjectId| -> Result<(), Error> {
            let shared = snapshot.objects.get(object.index()).is_some_and(|entry| {
                crate::policy::shares_project(actor_projects, snapshot.object_projects(entry))
            });
            if shared {
                Ok(())
            } else {
                Err(Error::unknown_id(EntityKind::Object, object.get()))
            }
        };
        match change {
            Change::CreateUser {
                projects, groups, ..
            } => {
                projects.iter().try_for_each(|&p| project_visible(p))?;
                groups
                    .iter()
                    .try_for_each(|&g| self.group_projects_visible(session, g, actor_projects))
            }
            Change::AddGroupMembers { group, .. } => {
                self.group_projects_visible(session, *group, actor_projects)
            }
            Change::CreateObject { projects, .. } => {
                projects.iter().try_for_each(|&p| project_visible(p))
            }
            Change::EditProject { project, .. }
            | Change::DeleteProject { project }
            | Change::AddProjectMembers { project, .. }
            | Change::RemoveProjectMembers { project, .. }
            | Change::AssignProjectRole { project, .. }
            | Change::AssignProjectRoleUntil { project, .. }
            | Change::UnassignProjectRole { project, .. } => project_visible(*project),
            Change::AddProjectObjects { project, objects }
            | Change::RemoveProjectObjects { project, objects } => {
                project_visible(*project)?;
                objects.iter().try_for_each(|&o| object_visible(o))
            }
            Change::CreateProject { objects, .. } => {
                objects.iter().try_for_each(|&o| object_visible(o))
            }
            Change::RenameObject { object, .. } | Change::DeleteObject { object } => {
                object_visible(*object)
            }
            // DOMAIN rule 26: the actor sees both ends of every reference.
            Change::SetObjectReferences { object, uses } => {
                object_visible(*object)?;
                uses.iter().try_for_each(|&o| object_visible(o))
            }
            _ => Ok(()),
        }
    }
}
