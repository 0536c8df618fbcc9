//! Lookups that turn an id into its record or an error naming the id, and
//! the checks every change makes of names and references.

use super::Company;
use super::names::by_name;
use crate::catalog::Set;
use crate::{
    EntityKind, Error, Group, GroupId, Object, ObjectId, PermissionFlags, Principal, Project,
    ProjectId, Role, RoleId, User, UserId,
};

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

    /// A custom role, which may be edited, renamed or deleted (`action`).
    pub(crate) fn editable_role(
        &self,
        id: RoleId,
        action: &'static str,
    ) -> Result<&Role<P>, Error> {
        let role = self.live_role(id)?;
        match role.builtin {
            Some(builtin) => Err(Error::BuiltinRole {
                role: builtin.name(),
                action,
            }),
            None => Ok(role),
        }
    }

    pub(crate) fn check_users(&self, users: &[UserId]) -> Result<(), Error> {
        users
            .iter()
            .try_for_each(|&id| self.live_user(id).map(drop))
    }

    pub(crate) fn check_groups(&self, groups: &[GroupId]) -> Result<(), Error> {
        groups
            .iter()
            .try_for_each(|&id| self.live_group(id).map(drop))
    }

    pub(crate) fn check_roles(&self, roles: &[RoleId]) -> Result<(), Error> {
        roles
            .iter()
            .try_for_each(|&id| self.live_role(id).map(drop))
    }

    pub(crate) fn check_projects(&self, projects: &[ProjectId]) -> Result<(), Error> {
        projects
            .iter()
            .try_for_each(|&id| self.live_project(id).map(drop))
    }

    pub(crate) fn check_objects(&self, objects: &[ObjectId]) -> Result<(), Error> {
        objects
            .iter()
            .try_for_each(|&id| self.live_object(id).map(drop))
    }

    pub(crate) fn check_principals(&self, principals: &[Principal]) -> Result<(), Error> {
        principals
            .iter()
            .try_for_each(|&principal| match principal {
                Principal::User(id) => self.live_user(id).map(drop),
                Principal::Group(id) => self.live_group(id).map(drop),
            })
    }

    /// A valid name that no user, group, role or project has yet (object
    /// names are unique per kind: see `write::projects`).
    pub(crate) fn new_name(&self, kind: EntityKind, name: &str) -> Result<(), Error> {
        check_name(kind, name)?;
        let taken = match kind {
            EntityKind::User => self.user_names.find(&name, by_name(&self.users)).is_some(),
            EntityKind::Group => self
                .group_names
                .find(&name, by_name(&self.groups))
                .is_some(),
            EntityKind::Role => self.role_names.find(&name, by_name(&self.roles)).is_some(),
            EntityKind::Project => self
                .project_names
                .find(&name, by_name(&self.projects))
                .is_some(),
            EntityKind::Object => false,
        };
        if taken {
            return Err(duplicate(kind, name.to_owned()));
        }
        Ok(())
    }

    /// A valid new name for record `id`, whose current `owner` (if any) is
    /// `id` itself.
    pub(crate) fn rename_check<I: PartialEq>(
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
    pub(crate) fn describe_principals(&self, principals: &[Principal]) -> String {
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
}

/// Names must be non-blank, without surrounding white space or control
/// characters.
pub(crate) fn check_name(kind: EntityKind, name: &str) -> Result<(), Error> {
    if !valid_name(name) {
        Err(Error::InvalidName {
            kind,
            name: name.to_owned(),
        })
    } else {
        Ok(())
    }
}

/// Whether `name` is non-blank, without surrounding white space or control
/// characters. An ASCII name (most are) is read a byte at a time: its only
/// white space that is not a control character is the space.
fn valid_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    if bytes.is_ascii() {
        return !bytes.is_empty()
            && bytes.first() != Some(&b' ')
            && bytes.last() != Some(&b' ')
            && !bytes.iter().any(u8::is_ascii_control);
    }
    !name.is_empty() && name.trim() == name && !name.chars().any(char::is_control)
}

pub(crate) fn duplicate(kind: EntityKind, name: String) -> Error {
    Error::DuplicateName { kind, name }
}

pub(crate) fn last_admin(change: String) -> Error {
    Error::LastAdmin { change }
}

/// `permission` is one permission of the catalog.
pub(crate) fn single<P: PermissionFlags>(permission: P) -> Result<(), Error> {
    if permission.single().is_some() {
        Ok(())
    } else {
        Err(Error::NotSinglePermission {
            permissions: permission.names().to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::valid_name;

    /// The ASCII fast path says what the general rule says: every ASCII
    /// character alone, first, inside and last, and names beyond ASCII.
    #[test]
    fn an_ascii_name_is_checked_as_any_name() {
        let general = |name: &str| {
            !name.is_empty() && name.trim() == name && !name.chars().any(char::is_control)
        };
        let mut names = vec![String::new(), "ann".to_owned(), "a b".to_owned()];
        for byte in 0u8..=0x7f {
            let c = char::from(byte);
            names.extend([
                c.to_string(),
                format!("{c}ab"),
                format!("a{c}b"),
                format!("ab{c}"),
            ]);
        }
        names.extend(["\u{a0}ann", "ann\u{2003}", "é", "a\u{85}b", "a\u{200b}b"].map(String::from));
        for name in &names {
            assert_eq!(valid_name(name), general(name), "{name:?}");
        }
    }
}
