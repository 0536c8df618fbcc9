//! [`NewUser`]: a user to create, with the roles, groups and projects to
//! give them at creation, named one by one.

use std::borrow::Cow;
use std::collections::BTreeSet;

use crate::{Change, GroupId, PermissionFlags, ProjectId, RoleId};

/// A user to create: a name, and the roles, groups and projects to give
/// them at creation (DOMAIN rule 4: "a new user can be given roles at
/// creation").
///
/// A name alone converts into a `NewUser`, so
/// [`Company::create_user`](crate::Company::create_user) takes either:
/// `company.create_user("kim")` or
/// `company.create_user(NewUser::new("kim").role(qa))`. It also converts
/// into [`Change::CreateUser`], for [`Company::plan`](crate::Company::plan)
/// and the change log ([`Change::create_user`]).
///
/// Each builder method adds to what is there; an id given twice is given
/// once. Unknown ids are refused when the change is planned, as for
/// [`Change::CreateUser`].
///
/// # Example: a QA evaluator in one project, from the first day
///
/// ```
/// use callgate::{Company, NewUser, Permissions, Resource};
///
/// let mut company = Company::new();
/// let _admin = company.create_user("ann")?;
/// let qa = company.create_role("QA", "", Permissions::QA_CHECKS_MANAGE)?;
/// let acme = company.create_project("Acme", "")?;
///
/// let kim = company.create_user(NewUser::new("kim").role(qa).project(acme))?;
/// assert!(company.check(kim, Permissions::QA_CHECKS_MANAGE, Resource::Company).is_allowed());
/// assert!(company.project(acme).is_some_and(|project| project.users().any(|user| user == kim)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "a new user is created only when given to `create_user` or planned as a change"]
pub struct NewUser {
    name: String,
    roles: Vec<RoleId>,
    groups: Vec<GroupId>,
    projects: Vec<ProjectId>,
}

impl NewUser {
    /// A user named `name`, with no roles, groups or projects yet.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            roles: Vec::new(),
            groups: Vec::new(),
            projects: Vec::new(),
        }
    }

    /// Gives the user `role` company-wide at creation.
    pub fn role(mut self, role: RoleId) -> Self {
        push_new(&mut self.roles, role);
        self
    }

    /// Gives the user each of `roles` company-wide at creation.
    ///
    /// Computes in **O((n + m) log(n + m))** time for `n` roles given
    /// before and `m` now.
    pub fn roles(mut self, roles: impl IntoIterator<Item = RoleId>) -> Self {
        extend_new(&mut self.roles, roles);
        self
    }

    /// Puts the user in `group` at creation (with the roles the group
    /// holds).
    pub fn group(mut self, group: GroupId) -> Self {
        push_new(&mut self.groups, group);
        self
    }

    /// Puts the user in each of `groups` at creation.
    ///
    /// Computes in **O((n + m) log(n + m))** time for `n` groups given
    /// before and `m` now: a user put in 40,000 groups at once is not
    /// quadratic.
    pub fn groups(mut self, groups: impl IntoIterator<Item = GroupId>) -> Self {
        extend_new(&mut self.groups, groups);
        self
    }

    /// Makes the user a member of `project` at creation (without roles
    /// within it: see [`Change::AssignProjectRole`] for those).
    pub fn project(mut self, project: ProjectId) -> Self {
        push_new(&mut self.projects, project);
        self
    }

    /// Makes the user a member of each of `projects` at creation.
    ///
    /// Computes in **O((n + m) log(n + m))** time for `n` projects given
    /// before and `m` now.
    pub fn projects(mut self, projects: impl IntoIterator<Item = ProjectId>) -> Self {
        extend_new(&mut self.projects, projects);
        self
    }

    /// The name the user will have.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// Adds `item` unless it is there (one id: a search of the list).
fn push_new<T: PartialEq>(items: &mut Vec<T>, item: T) {
    if !items.contains(&item) {
        items.push(item);
    }
}

/// Adds each of `more` that is not there yet, in order, each once: one
/// sorted copy of what is there and a set of what was added, so a long
/// list costs `O((n + m) log(n + m))`, not a search per id.
fn extend_new<T: Copy + Ord>(items: &mut Vec<T>, more: impl IntoIterator<Item = T>) {
    let mut seen: BTreeSet<T> = items.iter().copied().collect();
    items.extend(more.into_iter().filter(|&item| seen.insert(item)));
}

/// [`Change::CreateUser`] with the user's name, roles, groups and projects.
impl<P: PermissionFlags> From<NewUser> for Change<P> {
    fn from(user: NewUser) -> Self {
        Change::CreateUser {
            name: user.name,
            roles: user.roles,
            groups: user.groups,
            projects: user.projects,
        }
    }
}

/// A user with this name and nothing else.
impl From<&str> for NewUser {
    fn from(name: &str) -> Self {
        Self::new(name)
    }
}

/// A user with this name and nothing else.
impl From<&String> for NewUser {
    fn from(name: &String) -> Self {
        Self::new(name.as_str())
    }
}

/// A user with this name and nothing else.
impl From<String> for NewUser {
    fn from(name: String) -> Self {
        Self::new(name)
    }
}

/// A user with this name and nothing else.
impl From<&mut str> for NewUser {
    fn from(name: &mut str) -> Self {
        Self::new(&*name)
    }
}

/// A user with this name and nothing else.
impl From<Box<str>> for NewUser {
    fn from(name: Box<str>) -> Self {
        Self::new(name)
    }
}

/// A user with this name and nothing else.
impl From<Cow<'_, str>> for NewUser {
    fn from(name: Cow<'_, str>) -> Self {
        Self::new(name)
    }
}

/// A user with this name and nothing else.
impl From<char> for NewUser {
    fn from(name: char) -> Self {
        Self::new(name)
    }
}
