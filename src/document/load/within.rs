//! Loading the roles given within a project (DOMAIN rules 20-22): each
//! member must be a direct member of the project, and each role known and
//! allowed within a project.

use super::{document_error, in_order, Loader};
use crate::company::compile::Tables;
use crate::document::ProjectRecord;
use crate::write::may_hold_within_project;
use crate::{Error, PermissionFlags, Principal, Project};

impl Loader {
    /// Links each member of `record.member_roles` to its roles within the
    /// project, both ways. The roles, users and groups are loaded, and
    /// `loaded` holds the project's members.
    pub(super) fn load_member_roles<P: PermissionFlags>(
        &self,
        index: usize,
        record: &ProjectRecord,
        loaded: &Project,
        tables: &mut Tables<P>,
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

            let member = match given.member {
                Principal::User(user) => loaded.users.contains(&user),
                Principal::Group(group) => loaded.groups.contains(&group),
            };
            if !member {
                let who = match given.member {
                    Principal::User(user) => format!("user id `{user}`"),
                    Principal::Group(group) => format!("group id `{group}`"),
                };
                return Err(document_error(
                    format!("{path}.member"),
                    format_args!("{who} is not a member of project `{}`", record.name),
                ));
            }
            let mut previous_role = None;
            for (k, &role) in given.roles.iter().enumerate() {
                let path = format!("{path}.roles[{k}]");
                in_order(previous_role, role.get(), || path.clone(), "role", role)?;
                previous_role = Some(role.get());
                let Some(Some(stored)) = tables.roles.get(role.index()) else {
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
                link(tables, given.member, project, role);
            }
        }
        Ok(())
    }
}

/// Links a member to a role within a project, on both records.
fn link<P: PermissionFlags>(
    tables: &mut Tables<P>,
    member: Principal,
    project: crate::ProjectId,
    role: crate::RoleId,
) {
    match member {
        Principal::User(user) => {
            if let Some(Some(u)) = tables.users.get_mut(user.index()) {
                u.project_roles.insert_sorted((project, role));
            }
            if let Some(Some(r)) = tables.roles.get_mut(role.index()) {
                r.project_users.insert((user, project));
            }
        }
        Principal::Group(group) => {
            if let Some(Some(g)) = tables.groups.get_mut(group.index()) {
                g.project_roles.insert_sorted((project, role));
            }
            if let Some(Some(r)) = tables.roles.get_mut(role.index()) {
                r.project_groups.insert((group, project));
            }
        }
    }
}
