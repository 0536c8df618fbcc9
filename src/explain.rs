//! [`Explanation`]: a check answered with its full reasons.

use std::fmt;
use std::marker::PhantomData;

use crate::catalog::{kind_label, Kind, Set};
use crate::{
    Company, Decision, GroupId, PermissionFlags, Permissions, ProjectId, Resource, RoleId,
    SecurityMode, Session, UserId,
};

/// A role that grants (part of) the action, and how the user holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Grant<P: PermissionFlags = Permissions> {
    /// The role.
    pub role: RoleId,
    /// The group the user holds the role through, or `None` when the role is
    /// assigned to the user directly.
    pub via: Option<GroupId>,
    /// The project within which the role was given (DOMAIN rule 23), or
    /// `None` for a role held company-wide.
    pub project: Option<ProjectId>,
    /// The flags of the action this role grants.
    pub granted: P,
}

/// How the user reaches the resource, as far as projects are concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reach {
    /// The resource is company-wide: projects do not apply.
    NotScoped,
    /// The company is in simple mode: projects do not apply.
    SimpleMode,
    /// The user holds `projects.all` and sees every project and object.
    AllProjects,
    /// The user is a member of this project, which holds the object (or is
    /// the project asked about).
    Project {
        /// The project.
        project: ProjectId,
        /// The group the user is a member through, or `None` when a member
        /// directly.
        via: Option<GroupId>,
    },
    /// Enhanced mode, and no project links the user to the resource.
    Hidden,
    /// The user, object or project is unknown, or the action does not apply:
    /// the question never reached projects.
    NotReached,
}

/// A check answered with its reasons: which roles grant the action (and
/// through which groups), which project links the user to the object, and
/// what is missing. Made by [`Company::explain`].
///
/// `Display` writes it for people, one reason a line.
#[derive(Debug, Clone)]
pub struct Explanation<'c, P: PermissionFlags = Permissions> {
    company: &'c Company<P>,
    user: UserId,
    action: P,
    resource: Resource,
    testing: Option<RoleId>,
    decision: Decision,
    grants: Vec<Grant<P>>,
    reach: Reach,
}

/// What was asked, and by whom.
struct Question<P> {
    user: UserId,
    action: P,
    resource: Resource,
    testing: Option<RoleId>,
}

impl<'c, P: PermissionFlags> Explanation<'c, P> {
    pub(crate) fn new(
        company: &'c Company<P>,
        user: UserId,
        action: P,
        resource: Resource,
    ) -> Self {
        let decision = company.check(user, action, resource);
        let permissions = company.effective_permissions(user).unwrap_or_default();
        let question = Question {
            user,
            action,
            resource,
            testing: None,
        };
        Self::build(
            company,
            question,
            decision,
            permissions,
            grants(company, user, action, resource),
        )
    }

    pub(crate) fn for_session(
        company: &'c Company<P>,
        session: &Session,
        action: P,
        resource: Resource,
    ) -> Self {
        let user = session.user();
        let decision = company.check_session(session, action, resource).decision;
        let permissions = company.session_permissions(session).unwrap_or_default();
        let grants = match session.testing() {
            None => grants(company, user, action, resource),
            // Testing: the role under test is the only grant, never beyond
            // what the tester holds.
            Some(role) => {
                let granted = permissions.and(action);
                (!granted.empty_set())
                    .then_some(Grant {
                        role,
                        via: None,
                        project: None,
                        granted,
                    })
                    .into_iter()
                    .collect()
            }
        };
        let question = Question {
            user,
            action,
            resource,
            testing: session.testing(),
        };
        Self::build(company, question, decision, permissions, grants)
    }

    fn build(
        company: &'c Company<P>,
        question: Question<P>,
        decision: Decision,
        permissions: P,
        grants: Vec<Grant<P>>,
    ) -> Self {
        let Question {
            user,
            action,
            resource,
            testing,
        } = question;
        Self {
            company,
            user,
            action,
            resource,
            testing,
            decision,
            grants,
            reach: reach(company, user, permissions, resource, decision),
        }
    }

    /// The decision, the same as [`Company::check`] gives.
    #[must_use]
    pub fn decision(&self) -> Decision {
        self.decision
    }

    /// The user asked about.
    #[must_use]
    pub fn user(&self) -> UserId {
        self.user
    }

    /// The action asked about.
    #[must_use]
    pub fn action(&self) -> P {
        self.action
    }

    /// The resource asked about.
    #[must_use]
    pub fn resource(&self) -> Resource {
        self.resource
    }

    /// The role under test, when the question came through a testing
    /// session.
    #[must_use]
    pub fn testing(&self) -> Option<RoleId> {
        self.testing
    }

    /// Every role of the user that grants at least one flag of the action,
    /// once per way the user holds it: company-wide or within a project
    /// that holds the resource, directly or through each group.
    #[must_use]
    pub fn grants(&self) -> &[Grant<P>] {
        &self.grants
    }

    /// The flags of the action that no role of the user grants.
    #[must_use]
    pub fn missing(&self) -> P {
        let granted = self
            .grants
            .iter()
            .fold(P::none(), |all, grant| all.or(grant.granted));
        self.action.minus(granted)
    }

    /// How the user reaches the resource through projects.
    #[must_use]
    pub fn reach(&self) -> Reach {
        self.reach
    }
}

/// Every way `user` holds a role that grants part of `action` on
/// `resource`: company-wide, then within the projects that hold the
/// resource (DOMAIN rule 21), each directly or through a group.
fn grants<P: PermissionFlags>(
    company: &Company<P>,
    user: UserId,
    action: P,
    resource: Resource,
) -> Vec<Grant<P>> {
    let Some(record) = company.user(user) else {
        return Vec::new();
    };
    let projects: Vec<ProjectId> = match resource {
        Resource::Company => Vec::new(),
        Resource::Object(object) => company
            .object(object)
            .map(|o| o.projects().collect())
            .unwrap_or_default(),
        Resource::Project(project) => vec![project],
    };
    let applies = |project: &ProjectId| projects.contains(project);
    let direct = record.roles().map(|role| (role, None, None));
    let groups = || record.groups().filter_map(|g| Some((g, company.group(g)?)));
    let through_groups = groups().flat_map(|(id, g)| g.roles().map(move |r| (r, Some(id), None)));
    let within = (record.project_roles())
        .filter(|(project, _)| applies(project))
        .map(|(project, role)| (role, None, Some(project)));
    let within_groups = groups().flat_map(|(id, g)| {
        (g.project_roles())
            .filter(|(project, _)| applies(project))
            .map(move |(project, role)| (role, Some(id), Some(project)))
    });
    direct
        .chain(through_groups)
        .chain(within)
        .chain(within_groups)
        .filter_map(|(role, via, project)| {
            let granted = company.role(role)?.permissions().and(action);
            (!granted.empty_set()).then_some(Grant {
                role,
                via,
                project,
                granted,
            })
        })
        .collect()
}

fn reach<P: PermissionFlags>(
    company: &Company<P>,
    user: UserId,
    permissions: P,
    resource: Resource,
    decision: Decision,
) -> Reach {
    use crate::DenyReason::{SessionEnded, UnknownObject, UnknownProject, UnknownUser};
    if let Decision::Deny(UnknownUser | UnknownObject | UnknownProject | SessionEnded) = decision {
        return Reach::NotReached;
    }
    let projects: Vec<ProjectId> = match resource {
        Resource::Company => return Reach::NotScoped,
        _ if company.mode() == SecurityMode::Simple => return Reach::SimpleMode,
        _ if permissions.has(P::of(P::catalog().required.projects_all)) => {
            return Reach::AllProjects
        }
        Resource::Object(object) => company
            .object(object)
            .map(|o| o.projects().collect())
            .unwrap_or_default(),
        Resource::Project(project) => vec![project],
    };
    let Some(record) = company.user(user) else {
        return Reach::NotReached;
    };
    for project in projects {
        if record.projects().any(|p| p == project) {
            return Reach::Project { project, via: None };
        }
        let via = record.groups().find(|&group| {
            company
                .group(group)
                .is_some_and(|g| g.projects().any(|p| p == project))
        });
        if via.is_some() {
            return Reach::Project { project, via };
        }
    }
    Reach::Hidden
}

/// Writes every permission of a mask by name, in catalog order, implied
/// ones too: what applies to a resource, where each one counts.
struct Every<P>(u128, PhantomData<P>);

impl<P: PermissionFlags> fmt::Display for Every<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names = P::catalog().entries(self.0).map(|p| p.name());
        if let Some(first) = names.next() {
            f.write_str(first)?;
        }
        names.try_for_each(|name| write!(f, " | {name}"))
    }
}

/// Writes a name from a lookup, or the id when the record is gone.
struct Named<'a>(Option<&'a str>, u32);

impl fmt::Display for Named<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(name) => write!(f, "`{name}`"),
            None => write!(f, "#{}", self.1),
        }
    }
}

impl<P: PermissionFlags> Explanation<'_, P> {
    fn user_name(&self) -> Named<'_> {
        Named(
            self.company.user(self.user).map(|u| u.name()),
            self.user.get(),
        )
    }

    fn role_name(&self, role: RoleId) -> Named<'_> {
        Named(self.company.role(role).map(|r| r.name()), role.get())
    }

    fn group_name(&self, group: GroupId) -> Named<'_> {
        Named(self.company.group(group).map(|g| g.name()), group.get())
    }

    fn project_name(&self, project: ProjectId) -> Named<'_> {
        Named(
            self.company.project(project).map(|p| p.name()),
            project.get(),
        )
    }
}

/// The parts of an explanation's `Display`, in the order they are written:
/// the question on the first line, then one reason a line.
impl<P: PermissionFlags> Explanation<'_, P> {
    /// The decision and the question: who, testing what, may do what, where.
    fn write_question(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let company = self.company;
        let verb = if self.decision.is_allowed() {
            "may"
        } else {
            "may not"
        };
        write!(f, "{}: user {} ", self.decision, self.user_name())?;
        if let Some(role) = self.testing {
            write!(f, "testing role {} ", self.role_name(role))?;
        }
        write!(f, "{verb} `{}` ", self.action.names())?;
        match self.resource {
            Resource::Company => f.write_str("in the company")?,
            Resource::Object(object) => match company.object(object) {
                Some(o) => write!(f, "on {} `{}`", kind_label::<P>(o.kind()), o.name())?,
                None => write!(f, "on object #{object}")?,
            },
            Resource::Project(project) => write!(f, "on project {}", self.project_name(project))?,
        }
        Ok(())
    }

    /// One line per role that grants (part of) the action, and how it is held.
    fn write_grants(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for grant in &self.grants {
            write!(f, "\n  - role {}", self.role_name(grant.role))?;
            if let Some(project) = grant.project {
                write!(f, " within project {}", self.project_name(project))?;
            }
            write!(f, " grants `{}`", grant.granted.names())?;
            match grant.via {
                None if self.testing.is_some() => f.write_str(" (under test)")?,
                None => f.write_str(" (assigned directly)")?,
                Some(group) => write!(f, " (through group {})", self.group_name(group))?,
            }
        }
        Ok(())
    }

    /// Why the action does not apply to the resource, and what does.
    fn write_not_applicable(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let company = self.company;
        let kind = match self.resource {
            Resource::Object(object) => company.object(object).map(|o| o.kind()),
            Resource::Company | Resource::Project(_) => None,
        };
        let catalog = P::catalog();
        match (self.resource, kind) {
            _ if self.action.empty_set() => {
                f.write_str("\n  - an empty action applies to nothing")?
            }
            (Resource::Object(_), Some(kind)) => write!(
                f,
                "\n  - `{}` does not apply to a {} (only `{}` does)",
                self.action.names(),
                kind_label::<P>(kind),
                Every::<P>(catalog.kind_mask(kind.index()), PhantomData)
            )?,
            _ => write!(
                f,
                "\n  - `{}` does not apply to a project (only `{}` does)",
                self.action.names(),
                Every::<P>(catalog.project_mask, PhantomData)
            )?,
        }
        Ok(())
    }

    /// The flags of the action no role grants, for a known user.
    fn write_missing(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let company = self.company;
        let missing = self.missing();
        if !missing.empty_set() && company.user(self.user).is_some() {
            let missing = missing.names();
            match self.testing {
                Some(role) => write!(
                    f,
                    "\n  - role {} under test does not grant `{missing}` (or the tester lacks it)",
                    self.role_name(role)
                )?,
                None => write!(f, "\n  - no role of theirs grants `{missing}`")?,
            }
        }
        Ok(())
    }

    /// How projects let the user reach the resource, or hide it.
    fn write_reach(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.reach {
            Reach::NotScoped | Reach::NotReached => {}
            Reach::SimpleMode => f.write_str("\n  - simple security: projects do not apply")?,
            Reach::AllProjects => f.write_str("\n  - holds `projects.all`: sees every project")?,
            Reach::Project { project, via } => {
                write!(
                    f,
                    "\n  - reached through project {}",
                    self.project_name(project)
                )?;
                match via {
                    None => f.write_str(" (member directly)")?,
                    Some(group) => write!(f, " (member through group {})", self.group_name(group))?,
                }
            }
            Reach::Hidden => {
                f.write_str("\n  - hidden: no project of theirs holds it, and no `projects.all`")?;
            }
        }
        Ok(())
    }
}

impl<P: PermissionFlags> fmt::Display for Explanation<'_, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_question(f)?;
        self.write_grants(f)?;
        if self.decision == Decision::Deny(crate::DenyReason::NotApplicable) {
            self.write_not_applicable(f)?;
        }
        self.write_missing(f)?;
        self.write_reach(f)
    }
}

impl<P: PermissionFlags> Company<P> {
    /// The same question as [`Company::check`], answered with its reasons:
    /// the roles that grant the action and how the user holds them, how the
    /// user reaches the resource through projects, and what is missing.
    ///
    /// Slower than `check` (it walks the user's roles and groups and
    /// allocates a small list); meant for audit logs, support and admin
    /// pages, not for the hot path.
    ///
    /// # Example
    ///
    /// ```
    /// use callgate::{Company, Permissions, Resource};
    ///
    /// let mut company = Company::new();
    /// let ann = company.create_user("ann")?;
    /// let why = company.explain(ann, Permissions::ROLES_MANAGE, Resource::Company);
    /// assert!(why.decision().is_allowed());
    /// assert_eq!(
    ///     why.to_string(),
    ///     "allow: user `ann` may `roles.manage` in the company\n  \
    ///      - role `Admin` grants `roles.manage` (assigned directly)",
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn explain(&self, user: UserId, action: P, resource: Resource) -> Explanation<'_, P> {
        Explanation::new(self, user, action, resource)
    }

    /// [`Company::explain`] for a question asked through a session: the
    /// decision is [`Company::check_session`]'s, and in a testing session
    /// the explanation names both the real user and the role under test.
    #[must_use]
    pub fn explain_session(
        &self,
        session: &Session,
        action: P,
        resource: Resource,
    ) -> Explanation<'_, P> {
        Explanation::for_session(self, session, action, resource)
    }
}
