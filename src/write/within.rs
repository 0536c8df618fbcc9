//! Planning the roles given within projects (DOMAIN rules 20-22): giving
//! and taking them, adding members with roles, and the cascade when a
//! member leaves.

use super::delta::Delta;
use super::distinct;
use crate::catalog::Set;
use crate::company::Company;
use crate::company::links::Link;
use crate::{Error, PermissionFlags, Principal, Project, ProjectId, Role, RoleId};

impl<P: PermissionFlags> Company<P> {
    /// Adds members to a project and gives each of them `roles` within it.
    pub(super) fn plan_add_project_members(
        &self,
        project: ProjectId,
        principals: &[Principal],
        roles: &[RoleId],
    ) -> Result<Delta<P>, Error> {
        let record = self.live_project(project)?;
        self.check_principals(principals)?;
        for &role in roles {
            self.role_within(role, record)?;
        }
        let mut delta = Delta::default();
        for principal in distinct(principals) {
            delta.link(self, Link::project(principal, project), true);
            for role in distinct(roles) {
                delta.link(self, Link::project_role(principal, project, role), true);
            }
        }
        Ok(delta)
    }

    /// Takes members out of a project, with the roles given to them within
    /// it (rule 21).
    pub(super) fn plan_remove_project_members(
        &self,
        project: ProjectId,
        principals: &[Principal],
    ) -> Result<Delta<P>, Error> {
        self.live_project(project)?;
        self.check_principals(principals)?;
        let mut delta = Delta::default();
        for principal in distinct(principals) {
            delta.link(self, Link::project(principal, project), false);
            delta.unlink_all(self.roles_within(principal, project).collect());
        }
        Ok(delta)
    }

    /// Gives (`present`) or takes `role` within `project`.
    pub(super) fn plan_project_role(
        &self,
        project: ProjectId,
        role: RoleId,
        principals: &[Principal],
        present: bool,
    ) -> Result<Delta<P>, Error> {
        let record = self.live_project(project)?;
        self.check_principals(principals)?;
        if present {
            self.role_within(role, record)?;
            if let Some(&outsider) = principals
                .iter()
                .find(|&&principal| !self.linked(Link::project(principal, project)))
            {
                return Err(Error::NotProjectMember {
                    principal: self.describe_principals(&[outsider]),
                    project: record.name().to_owned(),
                });
            }
        } else {
            self.live_role(role)?;
        }
        let mut delta = Delta::default();
        for principal in distinct(principals) {
            delta.link(self, Link::project_role(principal, project, role), present);
        }
        Ok(delta)
    }

    /// The role, if it may be held within `project`: not Admin, and
    /// without `projects.all` (rule 22).
    fn role_within(&self, role: RoleId, project: &Project) -> Result<&Role<P>, Error> {
        let record = self.live_role(role)?;
        if !may_hold_within_project(record) {
            return Err(Error::CompanyWideRole {
                role: record.name().to_owned(),
                project: project.name().to_owned(),
            });
        }
        Ok(record)
    }

    /// Refuses to give `permissions` to `role` when someone holds the role
    /// within a project and the permissions include `projects.all`.
    pub(super) fn check_role_stays_within(
        &self,
        role: RoleId,
        permissions: P,
    ) -> Result<(), Error> {
        let Some(record) = self.role(role) else {
            return Ok(());
        };
        let all_projects = P::of(P::catalog().required.projects_all);
        if !permissions.has(all_projects) {
            return Ok(());
        }
        let users = record.project_users.iter().map(|&(_, p)| p);
        let held_in = users
            .chain(record.project_groups.iter().map(|&(_, p)| p))
            .next();
        match held_in.and_then(|project| self.project(project)) {
            Some(project) => Err(Error::CompanyWideRole {
                role: record.name().to_owned(),
                project: project.name().to_owned(),
            }),
            None => Ok(()),
        }
    }
}

/// Whether a role may be given within a project: Admin and roles holding
/// `projects.all` apply company-wide only.
pub(crate) fn may_hold_within_project<P: PermissionFlags>(role: &Role<P>) -> bool {
    let all_projects = P::of(P::catalog().required.projects_all);
    role.builtin_role() != Some(crate::BuiltinRole::Admin) && !role.permissions().has(all_projects)
}
