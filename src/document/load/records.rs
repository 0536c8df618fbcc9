//! Loading the records of a document, kind by kind: names, references
//! (each list sorted, each id once), built-in roles as the code has them,
//! and links both ways.

use std::collections::{BTreeSet, HashSet};

use super::{document_error, in_order, name_ok, place, reference, At, Loader};
use crate::catalog::Set;
use crate::company::compile::Tables;
use crate::document::{Document, RoleRecord};
use crate::short_set::ManySet;
use crate::{
    BuiltinRole, Company, EntityKind, Error, Group, GroupId, Object, ObjectId, PermissionFlags,
    Project, Role, RoleId, SecurityMode, User, UserId, DEFAULT_PROJECT_NAME,
};

impl Loader {
    /// Checks the roles (names, built-in roles as the code has them, custom
    /// roles off the built-in ids) and stores them; every built-in role must
    /// be there.
    pub(super) fn load_roles<P: PermissionFlags>(
        &self,
        document: &Document<P>,
        tables: &mut Tables<P>,
    ) -> Result<(), Error> {
        let mut seen = HashSet::new();
        let mut builtins_found = BTreeSet::new();
        for (i, record) in document.roles.iter().enumerate() {
            let path = At::new("roles", i);
            name_ok(path, crate::EntityKind::Role, &record.name, &mut seen)?;
            let role = match (BuiltinRole::from_id(record.id), record.builtin) {
                (Some(builtin), true) => {
                    let role = builtin_role(path, record, builtin)?;
                    builtins_found.insert(record.id);
                    role
                }
                (None, true) => {
                    return Err(document_error(
                        format!("{path}.builtin"),
                        format_args!("role id `{}` is not a built-in role", record.id),
                    ))
                }
                (Some(builtin), false) => {
                    return Err(document_error(
                        format!("{path}.id"),
                        format_args!(
                            "role id `{}` belongs to built-in role `{}`",
                            record.id,
                            builtin.name()
                        ),
                    ))
                }
                (None, false) => Role {
                    name: record.name.as_str().into(),
                    description: record.description.clone(),
                    permissions: record
                        .permissions
                        .ok_or_else(|| {
                            document_error(
                                format!("{path}.permissions"),
                                "missing: a custom role lists its permissions (`[]` for none)",
                            )
                        })?
                        .close(),
                    builtin: None,
                    put_users_offline: record.put_users_offline,
                    users: ManySet::new(),
                    groups: ManySet::new(),
                    project_users: ManySet::new(),
                    project_groups: ManySet::new(),
                },
            };
            place(&mut tables.roles, record.id.index(), role, EntityKind::Role)?;
        }
        for builtin in BuiltinRole::ALL {
            if !builtins_found.contains(&builtin.id()) {
                return Err(document_error(
                    "roles".into(),
                    format_args!("built-in role `{}` is missing", builtin.name()),
                ));
            }
        }
        Ok(())
    }

    /// Checks the users (names, session revisions, references to roles) and
    /// links each to its roles, both ways.
    pub(super) fn load_users<P: PermissionFlags>(
        &self,
        document: &Document<P>,
        tables: &mut Tables<P>,
    ) -> Result<(), Error> {
        let mut seen = HashSet::new();
        for (i, record) in document.users.iter().enumerate() {
            let path = At::new("users", i);
            name_ok(path, crate::EntityKind::User, &record.name, &mut seen)?;
            if record.sessions_valid_from > document.revision {
                return Err(document_error(
                    format!("{path}.sessionsValidFrom"),
                    format_args!(
                        "revision {} is past the document's revision {}",
                        record.sessions_valid_from, document.revision
                    ),
                ));
            }
            let mut user = User::new(record.name.clone());
            user.sessions_from = record.sessions_valid_from;
            self.roles_listed(path, "roles", &record.roles)?;
            for &role in &record.roles {
                user.roles.insert(role);
                if let Some(Some(r)) = tables.roles.get_mut(role.index()) {
                    r.users.insert(record.id);
                }
            }
            place(&mut tables.users, record.id.index(), user, EntityKind::User)?;
        }
        Ok(())
    }

    /// Checks the groups (names, references to members and roles) and links
    /// each to its members and roles, both ways.
    pub(super) fn load_groups<P: PermissionFlags>(
        &self,
        document: &Document<P>,
        tables: &mut Tables<P>,
    ) -> Result<(), Error> {
        let mut seen = HashSet::new();
        for (i, record) in document.groups.iter().enumerate() {
            let path = At::new("groups", i);
            name_ok(path, crate::EntityKind::Group, &record.name, &mut seen)?;
            let mut group = Group::new(record.name.clone());
            self.users_listed(path, "members", &record.members)?;
            for &user in &record.members {
                group.members.insert(user);
                if let Some(Some(u)) = tables.users.get_mut(user.index()) {
                    u.groups.insert(record.id);
                }
            }
            self.roles_listed(path, "roles", &record.roles)?;
            for &role in &record.roles {
                group.roles.insert(role);
                if let Some(Some(r)) = tables.roles.get_mut(role.index()) {
                    r.groups.insert(record.id);
                }
            }
            place(
                &mut tables.groups,
                record.id.index(),
                group,
                EntityKind::Group,
            )?;
        }
        Ok(())
    }

    /// Checks the projects (names, references to users, groups and objects)
    /// and links each to its members and objects, both ways.
    pub(super) fn load_projects<P: PermissionFlags>(
        &self,
        document: &Document<P>,
        tables: &mut Tables<P>,
    ) -> Result<(), Error> {
        let mut seen = HashSet::new();
        for (i, record) in document.projects.iter().enumerate() {
            let path = At::new("projects", i);
            name_ok(path, crate::EntityKind::Project, &record.name, &mut seen)?;
            let mut project = Project::new(record.name.clone(), record.description.clone());
            self.users_listed(path, "users", &record.users)?;
            for &user in &record.users {
                project.users.insert(user);
                if let Some(Some(u)) = tables.users.get_mut(user.index()) {
                    u.projects.insert(record.id);
                }
            }
            self.groups_listed(path, "groups", &record.groups)?;
            for &group in &record.groups {
                project.groups.insert(group);
                if let Some(Some(g)) = tables.groups.get_mut(group.index()) {
                    g.projects.insert(record.id);
                }
            }
            self.objects_listed(path, "objects", &record.objects)?;
            for &object in &record.objects {
                project.objects.insert(object);
                if let Some(Some(o)) = tables.objects.get_mut(object.index()) {
                    o.projects.insert(record.id);
                }
            }
            self.load_member_roles(i, record, &project, tables)?;
            place(
                &mut tables.projects,
                record.id.index(),
                project,
                EntityKind::Project,
            )?;
        }
        Ok(())
    }

    pub(super) fn check_default_project<P: PermissionFlags>(
        &self,
        document: &Document<P>,
    ) -> Result<(), Error> {
        match document.default_project {
            Some(id) => {
                let record = document.projects.iter().find(|p| p.id == id);
                match record {
                    None => Err(document_error(
                        "defaultProject".into(),
                        format_args!("unknown project id `{id}`"),
                    )),
                    Some(p) if p.name != DEFAULT_PROJECT_NAME => Err(document_error(
                        "defaultProject".into(),
                        format_args!("project `{}` is not named `{DEFAULT_PROJECT_NAME}`", p.name),
                    )),
                    Some(_) => Ok(()),
                }
            }
            None if document.mode == SecurityMode::Enhanced => Err(document_error(
                "defaultProject".into(),
                "enhanced mode needs the Default project",
            )),
            None => Ok(()),
        }
    }

    fn users_listed(&self, path: At, list: &'static str, ids: &[UserId]) -> Result<(), Error> {
        listed(path, list, "user", ids, |id| {
            (id.get(), self.user_ids.contains(&id))
        })
    }

    fn groups_listed(&self, path: At, list: &'static str, ids: &[GroupId]) -> Result<(), Error> {
        listed(path, list, "group", ids, |id| {
            (id.get(), self.group_ids.contains(&id))
        })
    }

    fn roles_listed(&self, path: At, list: &'static str, ids: &[RoleId]) -> Result<(), Error> {
        listed(path, list, "role", ids, |id| {
            (id.get(), self.role_ids.contains(&id))
        })
    }

    fn objects_listed(&self, path: At, list: &'static str, ids: &[ObjectId]) -> Result<(), Error> {
        listed(path, list, "object", ids, |id| {
            (id.get(), self.object_ids.contains(&id))
        })
    }
}

/// Checks a list of references at `path.list`: each to a record of the
/// document (`number_known` gives an id's number and whether it is), in id
/// order, each once.
fn listed<I: Copy + std::fmt::Display>(
    path: At,
    list: &'static str,
    kind: &str,
    ids: &[I],
    number_known: impl Fn(I) -> (u32, bool),
) -> Result<(), Error> {
    let mut previous = None;
    for (j, &id) in ids.iter().enumerate() {
        let at = path.item(list, j);
        let (number, known) = number_known(id);
        reference(at, kind, id, known)?;
        in_order(previous, number, || at.to_string(), kind, id)?;
        previous = Some(number);
    }
    Ok(())
}

/// Checks the objects (names, unique per kind) and stores them; projects
/// link to them later.
pub(super) fn load_objects<P: PermissionFlags>(
    document: &Document<P>,
    tables: &mut Tables<P>,
) -> Result<(), Error> {
    let mut seen = HashSet::new();
    for (i, record) in document.objects.iter().enumerate() {
        let path = At::new("objects", i);
        if !seen.insert((record.kind, record.name.as_str())) {
            return Err(document_error(
                format!("{path}.name"),
                format_args!(
                    "duplicate {} name `{}`",
                    crate::catalog::kind_name::<P>(record.kind),
                    record.name
                ),
            ));
        }
        name_ok(
            path,
            crate::EntityKind::Object,
            &record.name,
            &mut HashSet::new(),
        )?;
        let object = Object {
            kind: record.kind,
            name: record.name.as_str().into(),
            projects: crate::short_set::ShortSet::new(),
        };
        place(
            &mut tables.objects,
            record.id.index(),
            object,
            EntityKind::Object,
        )?;
    }
    Ok(())
}

/// A built-in role's record, checked against the code: its name, and no
/// other permissions, description or "put its users offline" setting.
fn builtin_role<P: PermissionFlags>(
    path: At,
    record: &RoleRecord<P>,
    builtin: BuiltinRole,
) -> Result<Role<P>, Error> {
    if record.name != builtin.name() {
        return Err(document_error(
            format!("{path}.name"),
            format_args!(
                "built-in role {} is `{}`, not `{}`",
                record.id,
                builtin.name(),
                record.name
            ),
        ));
    }
    let changed = |what: &str| {
        document_error(
            format!("{path}.{what}"),
            format_args!("built-in role `{}` cannot be changed", builtin.name()),
        )
    };
    // The code's own values are refused too: the canonical form stores a
    // built-in role by name only, so that an upgrade that widens it
    // reaches stored companies.
    let by_name_only = |what: &str, verb: &str| {
        document_error(
            format!("{path}.{what}"),
            format_args!(
                "built-in role `{}` is stored by name only: its {what} {verb} from the code",
                builtin.name()
            ),
        )
    };
    match record.permissions {
        Some(p) if p.close() != builtin.permissions_in::<P>() => {
            return Err(changed("permissions"))
        }
        Some(_) => return Err(by_name_only("permissions", "come")),
        None => {}
    }
    if !record.description.is_empty() {
        if record.description != builtin.description_in::<P>() {
            return Err(changed("description"));
        }
        return Err(by_name_only("description", "comes"));
    }
    if record.put_users_offline {
        return Err(changed("putUsersOffline"));
    }
    Ok(Role::builtin(builtin))
}

/// A company with users has someone holding the Admin role: otherwise it
/// would be locked out.
pub(super) fn check_admin_held<P: PermissionFlags>(
    company: &Company<P>,
    document: &Document<P>,
) -> Result<(), Error> {
    if company.users().next().is_some()
        && company
            .role_holders(RoleId::ADMIN)
            .map_or(true, |h| h.is_empty())
    {
        // The Admin record is there (checked by `load_roles`), though not
        // necessarily first.
        let admin = document
            .roles
            .iter()
            .position(|r| r.id == RoleId::ADMIN)
            .unwrap_or(0);
        return Err(document_error(
            format!("roles[{admin}]"),
            "no user holds the Admin role: the company would be locked out",
        ));
    }
    Ok(())
}
