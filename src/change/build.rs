//! Constructors of the changes whose fields grow between versions, and the
//! typed ids of what a change created.
//!
//! A struct literal of a [`Change`] names every field, so a field added in
//! a later version breaks it (0.2 added `roles` to
//! [`Change::AddProjectMembers`]). These constructors take what the change
//! needs and leave the rest at its default, so they keep compiling when a
//! variant grows.

use crate::{
    Change, ChangeReport, Created, GroupId, NewUser, ObjectId, PermissionFlags, Principal,
    ProjectId, RoleId, UserId,
};

/// Constructors that leave the optional fields at their defaults.
impl<P: PermissionFlags> Change<P> {
    /// [`Change::CreateUser`] for `user`: a name (`"kim"`), or a
    /// [`NewUser`] with the roles, groups and projects to give at creation.
    ///
    /// # Example: plan a new user with a role, then read their id
    ///
    /// ```
    /// use callgate::{Change, Company, NewUser, RoleId};
    ///
    /// let mut company = Company::new();
    /// let _admin = company.create_user("ann")?;
    /// let plan = company.plan(Change::create_user(NewUser::new("kim").role(RoleId::OPERATOR)))?;
    /// let kim = plan.report().created_user().ok_or("a user is created")?;
    /// company.commit(plan)?;
    /// assert_eq!(company.user(kim).map(|user| user.name()), Some("kim"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn create_user(user: impl Into<NewUser>) -> Self {
        user.into().into()
    }

    /// [`Change::AddProjectMembers`] with no roles within the project: the
    /// members' company-wide roles apply inside it (DOMAIN rule 15).
    /// `principals` are users and groups, each `.into()` a [`Principal`]
    /// as in every other change.
    ///
    /// # Example: two operators join a client's project
    ///
    /// ```
    /// use callgate::{Change, Company};
    ///
    /// let mut company = Company::new();
    /// let _admin = company.create_user("ann")?;
    /// let (kim, lee) = (company.create_user("kim")?, company.create_user("lee")?);
    /// let acme = company.create_project("Acme", "")?;
    ///
    /// company.apply(Change::add_project_members(acme, [kim.into(), lee.into()]))?;
    /// assert_eq!(company.project(acme).map(|p| p.users().count()), Some(2));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn add_project_members(
        project: ProjectId,
        principals: impl IntoIterator<Item = Principal>,
    ) -> Self {
        Self::add_project_members_with_roles(project, principals, [])
    }

    /// [`Change::AddProjectMembers`] giving each member `roles` within the
    /// project (DOMAIN rule 20): they apply to the project and its objects,
    /// nothing else.
    ///
    /// # Example: a team lead who supervises one client only
    ///
    /// ```
    /// use callgate::{Change, Company, Permissions, Resource, RoleId, SecurityMode};
    ///
    /// let mut company = Company::new();
    /// let _admin = company.create_user("ann")?;
    /// let tess = company.create_user("tess")?;
    /// company.apply(Change::SetSecurityMode { mode: SecurityMode::Enhanced })?;
    /// let acme = company.create_project("Acme", "")?;
    ///
    /// company.apply(Change::add_project_members_with_roles(acme, [tess.into()], [RoleId::SUPERVISOR]))?;
    /// let in_acme = Resource::Project(acme);
    /// assert!(company.check(tess, Permissions::PROJECTS_MANAGE, in_acme).is_allowed());
    /// assert!(!company.check(tess, Permissions::PROJECTS_MANAGE, Resource::Company).is_allowed());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn add_project_members_with_roles(
        project: ProjectId,
        principals: impl IntoIterator<Item = Principal>,
        roles: impl IntoIterator<Item = RoleId>,
    ) -> Self {
        Change::AddProjectMembers {
            project,
            principals: principals.into_iter().collect(),
            roles: roles.into_iter().collect(),
        }
    }
}

/// The typed id of what was created.
impl Created {
    /// The user created, if this is one.
    #[must_use]
    pub fn user(self) -> Option<UserId> {
        match self {
            Self::User(id) => Some(id),
            _ => None,
        }
    }

    /// The group created, if this is one.
    #[must_use]
    pub fn group(self) -> Option<GroupId> {
        match self {
            Self::Group(id) => Some(id),
            _ => None,
        }
    }

    /// The role created, if this is one.
    #[must_use]
    pub fn role(self) -> Option<RoleId> {
        match self {
            Self::Role(id) => Some(id),
            _ => None,
        }
    }

    /// The project created, if this is one.
    #[must_use]
    pub fn project(self) -> Option<ProjectId> {
        match self {
            Self::Project(id) => Some(id),
            _ => None,
        }
    }

    /// The object created, if this is one.
    #[must_use]
    pub fn object(self) -> Option<ObjectId> {
        match self {
            Self::Object(id) => Some(id),
            _ => None,
        }
    }
}

/// The typed id of what the change created, without matching
/// [`ChangeReport::created`]. Each is `None` when the change created
/// nothing, or something of another kind.
///
/// # Example: the id of a new role, from a plan or from `apply`
///
/// ```
/// use callgate::{Change, Company, Permissions};
///
/// let mut company = Company::new();
/// let ann = company.create_user("ann")?;
/// let qa = Change::CreateRole {
///     name: "QA".into(),
///     description: String::new(),
///     permissions: Permissions::QA_CHECKS_MANAGE,
///     principals: vec![ann.into()],
///     put_users_offline: false,
/// };
/// let report = company.apply(qa)?;
/// let role = report.created_role().ok_or("a role is created")?;
/// assert_eq!(company.role(role).map(|role| role.name()), Some("QA"));
/// assert_eq!(report.created_user(), None);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
impl ChangeReport {
    /// The user the change created ([`Change::CreateUser`]).
    #[must_use]
    pub fn created_user(&self) -> Option<UserId> {
        self.created.and_then(Created::user)
    }

    /// The group the change created ([`Change::CreateGroup`]).
    #[must_use]
    pub fn created_group(&self) -> Option<GroupId> {
        self.created.and_then(Created::group)
    }

    /// The role the change created ([`Change::CreateRole`]).
    #[must_use]
    pub fn created_role(&self) -> Option<RoleId> {
        self.created.and_then(Created::role)
    }

    /// The project the change created ([`Change::CreateProject`], or the
    /// `Default` project made by the first switch to enhanced mode).
    #[must_use]
    pub fn created_project(&self) -> Option<ProjectId> {
        self.created.and_then(Created::project)
    }

    /// The object the change created ([`Change::CreateObject`]).
    #[must_use]
    pub fn created_object(&self) -> Option<ObjectId> {
        self.created.and_then(Created::object)
    }
}
