//! The `create_*` shorthands: one change each, returning the new id.

use crate::company::Company;
use crate::{
    Change, EntityKind, Error, GroupId, ObjectId, PermissionFlags, ProjectId, RoleId, UserId,
};

/// Shorthands for the changes that create records.
impl<P: PermissionFlags> Company<P> {
    /// Creates a user: the shorthand for [`Change::CreateUser`] with no
    /// roles, groups or projects. The first user of a company gets the Admin
    /// role.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidName`] or [`Error::DuplicateName`] for the name.
    pub fn create_user(&mut self, name: impl Into<String>) -> Result<UserId, Error> {
        let id = UserId::new(self.next_id(EntityKind::User)?);
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
        let id = GroupId::new(self.next_id(EntityKind::Group)?);
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
        let id = RoleId::new(self.next_id(EntityKind::Role)?);
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
        let id = ProjectId::new(self.next_id(EntityKind::Project)?);
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
        let id = ObjectId::new(self.next_id(EntityKind::Object)?);
        self.apply(Change::CreateObject {
            kind,
            name: name.into(),
            projects: Vec::new(),
        })?;
        Ok(id)
    }
}
