//! The `create_*` shorthands: one change each, returning the new id.

use crate::company::Company;
use crate::{
    Change, EntityKind, Error, GroupId, NewUser, ObjectId, PermissionFlags, ProjectId, RoleId,
    UserId,
};

/// Shorthands for the changes that create records.
impl<P: PermissionFlags> Company<P> {
    /// Creates a user: the shorthand for [`Change::CreateUser`]. `user` is
    /// a name (`"kim"`: no roles, groups or projects) or a [`NewUser`] with
    /// the roles, groups and projects to give at creation. The first user
    /// of a company gets the Admin role as well.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidName`] or [`Error::DuplicateName`] for the name;
    /// [`Error::UnknownId`] for a role, group or project that does not
    /// exist. Nothing is created then.
    ///
    /// # Example: a name alone, or roles and a project from the first day
    ///
    /// ```
    /// use callgate::{Company, NewUser, Permissions, Resource, RoleId};
    ///
    /// let mut company = Company::new();
    /// let ann = company.create_user("ann")?; // the first user: Admin
    /// let acme = company.create_project("Acme", "")?;
    /// let kim = company.create_user(NewUser::new("kim").role(RoleId::OPERATOR).project(acme))?;
    ///
    /// assert!(company.check(kim, Permissions::CALL_JOURNAL_VIEW, Resource::Company).is_allowed());
    /// assert_eq!(company.user(kim).map(|kim| kim.projects().collect()), Some(vec![acme]));
    /// assert!(company.user(ann).is_some_and(|ann| ann.roles().any(|role| role == RoleId::ADMIN)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn create_user(&mut self, user: impl Into<NewUser>) -> Result<UserId, Error> {
        let id = UserId::new(self.next_id(EntityKind::User)?);
        self.apply(Change::create_user(user))?;
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
