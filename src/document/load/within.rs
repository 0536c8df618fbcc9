//! Checking the roles given within a project (DOMAIN rules 20-22): each
//! member must be a direct member of the project, and each role known and
//! allowed within a project.

use super::{Loader, document_error, in_order};
use crate::document::ProjectRecord;
use crate::write::may_hold_within_project;
use crate::{Error, PermissionFlags, Principal, ProjectId, RoleId};

impl<P: PermissionFlags> Loader<P> {
    /// Checks `record.member_roles` (the project at `index`, whose members
    /// are checked) and notes each link of a member to a role within the
    /// project, for both records.
    pub(super) fn check_member_roles(
        &mut self,
        index: usize,
        record: &ProjectRecord,
    ) -> Result<(), Error> {
        let project = record.id;
        let mut previous = None;
        for (j, given) in record.member_roles.iter().enumerate() {
            let path = format!("projects[{index}].memberRoles[{j}]");
            // Canonical: users then groups, each in id order, each once,
            // with at least one role.
            if previous.is_some_and(|p| p >= given.member) {
                return Err(document_error(
                    format!("{path}.member"),
                    "members are listed once each, users then groups, in id order",
                ));
            }
            previous = Some(given.member);
            if given.roles.is_empty() {
                return Err(document_error(
                    format!("{path}.roles"),
                    "a member is listed only with the roles given to it",
                ));
            }
            // The member lists are checked sorted.
            let (member, position) = match given.member {
                Principal::User(user) => (
                    record.users.binary_search(&user).is_ok(),
                    self.users.of(user.get()),
                ),
                Principal::Group(group) => (
                    record.groups.binary_search(&group).is_ok(),
                    self.groups.of(group.get()),
                ),
            };
            let (true, Some(position)) = (member, position) else {
                let who = match given.member {
                    Principal::User(user) => format!("user id `{user}`"),
                    Principal::Group(group) => format!("group id `{group}`"),
                };
                return Err(document_error(
                    format!("{path}.member"),
                    format_args!("{who} is not a member of project `{}`", record.name),
                ));
            };
            let mut previous_role = None;
            for (k, &role) in given.roles.iter().enumerate() {
                let path = format!("{path}.roles[{k}]");
                in_order(previous_role, role.get(), || path.clone(), "role", role)?;
                previous_role = Some(role.get());
                self.give_within(path, given.member, position, project, role)?;
            }
        }
        Ok(())
    }

    /// Checks that `role` (at `path`) may be held within a project, and
    /// notes it given to `member` (at `position` of its list) within
    /// `project`, for both records.
    fn give_within(
        &mut self,
        path: String,
        member: Principal,
        position: usize,
        project: ProjectId,
        role: RoleId,
    ) -> Result<(), Error> {
        let stored = self.roles.of(role.get()).and_then(|at| {
            let (_, stored) = self.built_roles.get(at)?;
            Some((at, stored))
        });
        let Some((at, stored)) = stored else {
            return Err(document_error(
                path,
                format_args!("unknown role id `{role}`"),
            ));
        };
        if !may_hold_within_project(stored) {
            return Err(document_error(
                path,
                format_args!(
                    "role `{}` cannot be held within a project: Admin and \
                     `projects.all` apply company-wide only",
                    stored.name()
                ),
            ));
        }
        let (member_at, role_at) = (position as u32, at as u32);
        let links = &mut self.links;
        match member {
            Principal::User(user) => {
                links.user_project_roles.push((member_at, (project, role)));
                links.role_project_users.push((role_at, (user, project)));
            }
            Principal::Group(group) => {
                links.group_project_roles.push((member_at, (project, role)));
                links.role_project_groups.push((role_at, (group, project)));
            }
        }
        Ok(())
    }
}
