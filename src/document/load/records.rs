//! Checking the records of a document, kind by kind: names, references
//! (each list sorted, each id once), built-in roles as the code has them;
//! and noting each link for the record that stores its other side.

use super::ids::Positions;
use super::{At, Loader, document_error, in_order, name_ok, reference};
use crate::catalog::Set;
use crate::company::names::NameIndex;
use crate::document::{Document, RoleRecord};
use crate::short_set::ManySet;
use crate::{
    BuiltinRole, Company, DEFAULT_PROJECT_NAME, EntityKind, Error, PermissionFlags, Role, RoleId,
    SecurityMode,
};

/// The name of the record at `id` of a list, found through `positions`.
macro_rules! name_of {
    ($list:expr, $positions:expr) => {
        |id: u32| Some($list.get($positions.of(id)?)?.name.as_str())
    };
}

impl<P: PermissionFlags> Loader<P> {
    /// Checks the roles (names, built-in roles as the code has them, custom
    /// roles off the built-in ids) and makes them, without their links;
    /// every built-in role must be there.
    pub(super) fn check_roles(&mut self, document: &Document<P>) -> Result<(), Error> {
        let Self {
            roles,
            names,
            built_roles,
            ..
        } = self;
        names.roles = NameIndex::with_capacity(document.roles.len());
        let mut builtins_found = [false; BuiltinRole::ALL.len()];
        built_roles.reserve(document.roles.len());
        for (i, record) in document.roles.iter().enumerate() {
            let path = At::new("roles", i);
            let (id, name) = (record.id.get(), record.name.as_str());
            let name_of = name_of!(document.roles, roles);
            name_ok(path, EntityKind::Role, id, name, &mut names.roles, name_of)?;
            let role = match (BuiltinRole::from_id(record.id), record.builtin) {
                (Some(builtin), true) => {
                    let role = builtin_role(path, record, builtin)?;
                    if let Some(found) = builtins_found.get_mut(record.id.index()) {
                        *found = true;
                    }
                    role
                }
                (None, true) => {
                    return Err(document_error(
                        format!("{path}.builtin"),
                        format_args!("role id `{}` is not a built-in role", record.id),
                    ));
                }
                (Some(builtin), false) => {
                    return Err(document_error(
                        format!("{path}.id"),
                        format_args!(
                            "role id `{}` belongs to built-in role `{}`",
                            record.id,
                            builtin.name()
                        ),
                    ));
                }
                (None, false) => custom_role(path, record)?,
            };
            built_roles.push((record.id, role));
        }
        for (builtin, found) in BuiltinRole::ALL.into_iter().zip(builtins_found) {
            if !found {
                return Err(document_error(
                    "roles".into(),
                    format_args!("built-in role `{}` is missing", builtin.name()),
                ));
            }
        }
        Ok(())
    }

    /// Checks the users (names, session revisions, references to roles)
    /// and notes each role's users.
    pub(super) fn check_users(&mut self, document: &Document<P>) -> Result<(), Error> {
        let Self {
            users,
            roles,
            names,
            links,
            ..
        } = self;
        names.users = NameIndex::with_capacity(document.users.len());
        for (i, record) in document.users.iter().enumerate() {
            let path = At::new("users", i);
            let (id, name) = (record.id.get(), record.name.as_str());
            let name_of = name_of!(document.users, users);
            name_ok(path, EntityKind::User, id, name, &mut names.users, name_of)?;
            if record.sessions_valid_from > document.revision {
                return Err(document_error(
                    format!("{path}.sessionsValidFrom"),
                    format_args!(
                        "revision {} is past the document's revision {}",
                        record.sessions_valid_from, document.revision
                    ),
                ));
            }
            listed(path, "roles", "role", &record.roles, roles, |role| {
                links.role_users.push((role, record.id));
            })?;
        }
        Ok(())
    }

    /// Checks the groups (names, references to members and roles) and notes
    /// each user's groups and each role's groups.
    pub(super) fn check_groups(&mut self, document: &Document<P>) -> Result<(), Error> {
        let Self {
            users,
            groups,
            roles,
            names,
            links,
            ..
        } = self;
        names.groups = NameIndex::with_capacity(document.groups.len());
        for (i, record) in document.groups.iter().enumerate() {
            let path = At::new("groups", i);
            let (id, name) = (record.id.get(), record.name.as_str());
            let name_of = name_of!(document.groups, groups);
            name_ok(
                path,
                EntityKind::Group,
                id,
                name,
                &mut names.groups,
                name_of,
            )?;
            listed(path, "members", "user", &record.members, users, |user| {
                links.user_groups.push((user, record.id));
            })?;
            listed(path, "roles", "role", &record.roles, roles, |role| {
                links.role_groups.push((role, record.id));
            })?;
        }
        Ok(())
    }

    /// Checks the objects' names, unique per kind.
    pub(super) fn check_objects(&mut self, document: &Document<P>) -> Result<(), Error> {
        let Self { objects, names, .. } = self;
        names.objects = NameIndex::with_capacity(document.objects.len());
        let key_of = |id: u32| {
            let record = document.objects.get(objects.of(id)?)?;
            Some((record.kind, record.name.as_str()))
        };
        for (i, record) in document.objects.iter().enumerate() {
            let path = At::new("objects", i);
            let key = (record.kind, record.name.as_str());
            if crate::company::validate::check_name(EntityKind::Object, &record.name).is_err() {
                return Err(document_error(
                    format!("{path}.name"),
                    format_args!("invalid {} name `{}`", EntityKind::Object, record.name),
                ));
            }
            if names
                .objects
                .insert_unique(record.id.get(), &key, key_of)
                .is_err()
            {
                return Err(document_error(
                    format!("{path}.name"),
                    format_args!(
                        "duplicate {} name `{}`",
                        crate::catalog::kind_name::<P>(record.kind),
                        record.name
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Checks the projects (names, references to users, groups and
    /// objects, the roles given within them) and notes each user's, group's
    /// and object's projects.
    pub(super) fn check_projects(&mut self, document: &Document<P>) -> Result<(), Error> {
        self.names.projects = NameIndex::with_capacity(document.projects.len());
        for (i, record) in document.projects.iter().enumerate() {
            let path = At::new("projects", i);
            let (id, name) = (record.id.get(), record.name.as_str());
            let Self {
                users,
                groups,
                projects,
                objects,
                names,
                links,
                ..
            } = self;
            let name_of = name_of!(document.projects, projects);
            name_ok(
                path,
                EntityKind::Project,
                id,
                name,
                &mut names.projects,
                name_of,
            )?;
            listed(path, "users", "user", &record.users, users, |user| {
                links.user_projects.push((user, record.id));
            })?;
            listed(path, "groups", "group", &record.groups, groups, |group| {
                links.group_projects.push((group, record.id));
            })?;
            listed(
                path,
                "objects",
                "object",
                &record.objects,
                objects,
                |object| {
                    links.object_projects.push((object, record.id));
                },
            )?;
            self.check_member_roles(i, record)?;
        }
        Ok(())
    }
}

/// A custom role's record as a role, without its links.
fn custom_role<P: PermissionFlags>(path: At, record: &RoleRecord<P>) -> Result<Role<P>, Error> {
    let permissions = record.permissions.ok_or_else(|| {
        document_error(
            format!("{path}.permissions"),
            "missing: a custom role lists its permissions (`[]` for none)",
        )
    })?;
    Ok(Role {
        name: record.name.as_str().into(),
        description: record.description.clone(),
        permissions: permissions.close(),
        builtin: None,
        put_users_offline: record.put_users_offline,
        users: ManySet::new(),
        groups: ManySet::new(),
        project_users: ManySet::new(),
        project_groups: ManySet::new(),
    })
}

/// The default project, when named, is a project of the document named
/// `Default`; enhanced mode needs one.
pub(super) fn check_default_project<P: PermissionFlags>(
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

/// Checks a list of references at `path.list`: each to a record of the
/// document (found through `positions`), in id order, each once. Calls
/// `found` with the position of each record referred to.
pub(super) fn listed<I: Copy + std::fmt::Display + Number>(
    path: At,
    list: &'static str,
    kind: &str,
    ids: &[I],
    positions: &Positions,
    mut found: impl FnMut(u32),
) -> Result<(), Error> {
    let mut previous = None;
    for (j, &id) in ids.iter().enumerate() {
        let at = path.item(list, j);
        let number = id.number();
        let position = positions.of(number);
        reference(at, kind, id, position.is_some())?;
        in_order(previous, number, || at.to_string(), kind, id)?;
        previous = Some(number);
        if let Some(position) = position {
            found(position as u32);
        }
    }
    Ok(())
}

/// An id, as the number `Positions` finds.
pub(super) trait Number {
    fn number(self) -> u32;
}

macro_rules! number {
    ($($id:ty),*) => {
        $(impl Number for $id {
            fn number(self) -> u32 {
                self.get()
            }
        })*
    };
}

number!(
    crate::UserId,
    crate::GroupId,
    crate::RoleId,
    crate::ObjectId
);

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
            return Err(changed("permissions"));
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
/// would be locked out. `admin` is the position of the Admin record in the
/// document's roles.
pub(super) fn check_admin_held<P: PermissionFlags>(
    company: &Company<P>,
    admin: usize,
) -> Result<(), Error> {
    let held = company.role(RoleId::ADMIN).is_some_and(|role| {
        !role.users.is_empty()
            || (role.groups.iter())
                .any(|&group| company.group(group).is_some_and(|g| !g.members.is_empty()))
    });
    if company.users().next().is_some() && !held {
        return Err(document_error(
            format!("roles[{admin}]"),
            "no user holds the Admin role: the company would be locked out",
        ));
    }
    Ok(())
}
