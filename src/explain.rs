//! [`Explanation`]: a check answered with its full reasons; [`DecisionRecord`]:
//! a session's decision with names.

use std::fmt;
use std::marker::PhantomData;

mod record;
#[cfg(feature = "serde")]
mod serialize;

pub use self::record::DecisionRecord;

use crate::catalog::{Kind, Set, kind_label};
use crate::{
    Company, Decision, GroupId, PermissionFlags, Permissions, Principal, ProjectId, Resource,
    RoleId, SecurityMode, Session, Timestamp, UserId,
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
    /// When the grant ends (DOMAIN rule 24), or `None` for a grant
    /// without an end.
    pub until: Option<Timestamp>,
}

/// How the user reaches the resource, as far as projects are concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
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
/// `Display` writes it for people, one reason a line, by names: a record
/// that no longer exists is written by its id (`user #7`).
///
/// # As JSON
///
/// With the `serde` feature an explanation serializes by names, as an
/// answer a service can send:
///
/// ```json
/// {
///   "decision": {"deny": "hidden_by_projects"},
///   "user": "sam",
///   "action": ["queues.view"],
///   "resource": "queue:Globex sales",
///   "grants": [{"role": "Supervisor", "granted": ["queues.view"]}],
///   "missing": [],
///   "reach": "hidden"
/// }
/// ```
///
/// - `decision`: as [`Decision`](crate::Decision) serializes: `"allow"` or
///   `{"deny": REASON}`, the reason in snake_case (`missing_permission`).
/// - `user`: the user's name. `testing`: the name of the role under test,
///   present only for a testing session.
/// - `action`, and each grant's `granted`, and `missing`: permission names,
///   as stored documents write sets (the fewest names that say it).
/// - `resource`: its [`ResourceName`](crate::ResourceName) text:
///   `"company"`, `"project:Acme Bank"`, `"queue:Acme inbound"`.
/// - `grants`: one per way the user holds a role that grants part of the
///   action ([`Explanation::grants`]): `role`, then `via` (the group) and
///   `project` (the project it was given within) when there is one, and
///   `until` (when the grant ends, in seconds since the Unix epoch) for a
///   grant with an end.
/// - `reach` ([`Reach`]): `"not_scoped"`, `"simple_mode"`,
///   `"all_projects"`, `"hidden"`, `"not_reached"`, or
///   `{"project": {"name": "Acme Bank", "via": "Night shift"}}` (`via` only
///   for a membership through a group).
///
/// A name is `null` where its record no longer exists (a deleted user, a
/// deleted role under test, an object id that names nothing): the decision
/// then says why (`unknown_user`, `session_ended`, `unknown_object`...).
/// Fields are never renamed; new ones may be added.
#[derive(Debug, Clone)]
pub struct Explanation<'c, P: PermissionFlags = Permissions> {
    company: &'c Company<P>,
    question: Question<P>,
    decision: Decision,
    grants: Vec<Grant<P>>,
    reach: Reach,
}

/// What was asked, and by whom.
#[derive(Debug, Clone, Copy)]
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
            // Another company's session: its user id names nobody here.
            _ if decision == Decision::Deny(crate::DenyReason::OtherCompany) => Vec::new(),
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
                        until: None,
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
        Self {
            company,
            question,
            decision,
            grants,
            reach: reach(
                company,
                question.user,
                permissions,
                question.resource,
                decision,
            ),
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
        self.question.user
    }

    /// The action asked about.
    #[must_use]
    pub fn action(&self) -> P {
        self.question.action
    }

    /// The resource asked about.
    #[must_use]
    pub fn resource(&self) -> Resource {
        self.question.resource
    }

    /// The role under test, when the question came through a testing
    /// session.
    #[must_use]
    pub fn testing(&self) -> Option<RoleId> {
        self.question.testing
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
        self.question.action.minus(granted)
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
            let holder = via.map_or(Principal::User(user), Principal::Group);
            let until = company.grant_end(crate::Assignment {
                principal: holder,
                role,
                project,
            });
            (!granted.empty_set()).then_some(Grant {
                role,
                via,
                project,
                granted,
                until,
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
    use crate::DenyReason::{
        OtherCompany, SessionEnded, UnknownObject, UnknownProject, UnknownUser,
    };
    if let Decision::Deny(
        UnknownUser | UnknownObject | UnknownProject | SessionEnded | OtherCompany,
    ) = decision
    {
        return Reach::NotReached;
    }
    let projects: Vec<ProjectId> = match resource {
        Resource::Company => return Reach::NotScoped,
        _ if company.mode() == SecurityMode::Simple => return Reach::SimpleMode,
        _ if permissions.has(P::of(P::catalog().required.projects_all)) => {
            return Reach::AllProjects;
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

/// The names of a company's records, `None` for a record that is gone:
/// what `Display` and `Serialize` of explanations and decision records write.
#[derive(Clone, Copy)]
struct Lookup<'c, P: PermissionFlags>(&'c Company<P>);

impl<'c, P: PermissionFlags> Lookup<'c, P> {
    fn user(self, user: UserId) -> Option<&'c str> {
        self.0.user(user).map(|u| u.name())
    }

    fn role(self, role: RoleId) -> Option<&'c str> {
        self.0.role(role).map(|r| r.name())
    }

    fn group(self, group: GroupId) -> Option<&'c str> {
        self.0.group(group).map(|g| g.name())
    }

    fn project(self, project: ProjectId) -> Option<&'c str> {
        self.0.project(project).map(|p| p.name())
    }
}

impl<P: PermissionFlags> Question<P> {
    /// The names of who asked: the user and the role under test. A session
    /// of another company has ids that name nobody here, so it gets none and
    /// is written by ids.
    fn asker_names<'c>(
        &self,
        company: &'c Company<P>,
        decision: Decision,
    ) -> (Option<&'c str>, Option<&'c str>) {
        if decision == Decision::Deny(crate::DenyReason::OtherCompany) {
            return (None, None);
        }
        let names = Lookup(company);
        (
            names.user(self.user),
            self.testing.and_then(|r| names.role(r)),
        )
    }

    /// The decision and the question: who, testing what, may do what,
    /// where. The first line of an explanation, and all of a decision
    /// record.
    fn write(
        &self,
        company: &Company<P>,
        decision: Decision,
        f: &mut fmt::Formatter<'_>,
    ) -> fmt::Result {
        let names = Lookup(company);
        let verb = if decision.is_allowed() {
            "may"
        } else {
            "may not"
        };
        let (user_name, role_name) = self.asker_names(company, decision);
        let user = Named(user_name, self.user.get());
        write!(f, "{decision}: user {user} ")?;
        if let Some(role) = self.testing {
            write!(f, "testing role {} ", Named(role_name, role.get()))?;
        }
        write!(f, "{verb} `{}` ", self.action.names())?;
        match self.resource {
            Resource::Company => f.write_str("in the company")?,
            Resource::Object(object) => match company.object(object) {
                Some(o) => write!(f, "on {} `{}`", kind_label::<P>(o.kind()), o.name())?,
                None => write!(f, "on object #{object}")?,
            },
            Resource::Project(project) => {
                let name = Named(names.project(project), project.get());
                write!(f, "on project {name}")?;
            }
        }
        Ok(())
    }
}

impl<P: PermissionFlags> Explanation<'_, P> {
    fn role_name(&self, role: RoleId) -> Named<'_> {
        Named(Lookup(self.company).role(role), role.get())
    }

    fn group_name(&self, group: GroupId) -> Named<'_> {
        Named(Lookup(self.company).group(group), group.get())
    }

    fn project_name(&self, project: ProjectId) -> Named<'_> {
        Named(Lookup(self.company).project(project), project.get())
    }
}

/// The parts of an explanation's `Display`, in the order they are written:
/// the question on the first line, then one reason a line.
impl<P: PermissionFlags> Explanation<'_, P> {
    /// One line per role that grants (part of) the action, and how it is held.
    fn write_grants(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for grant in &self.grants {
            write!(f, "\n  - role {}", self.role_name(grant.role))?;
            if let Some(project) = grant.project {
                write!(f, " within project {}", self.project_name(project))?;
            }
            write!(f, " grants `{}`", grant.granted.names())?;
            match grant.via {
                None if self.question.testing.is_some() => f.write_str(" (under test)")?,
                None => f.write_str(" (assigned directly)")?,
                Some(group) => write!(f, " (through group {})", self.group_name(group))?,
            }
            if let Some(until) = grant.until {
                write!(f, " until {until}")?;
            }
        }
        Ok(())
    }

    /// Why the action does not apply to the resource, and what does.
    fn write_not_applicable(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let company = self.company;
        let Question {
            action, resource, ..
        } = self.question;
        let kind = match resource {
            Resource::Object(object) => company.object(object).map(|o| o.kind()),
            Resource::Company | Resource::Project(_) => None,
        };
        let catalog = P::catalog();
        match (resource, kind) {
            _ if action.empty_set() => f.write_str("\n  - an empty action applies to nothing")?,
            (Resource::Object(_), Some(kind)) => write!(
                f,
                "\n  - `{}` does not apply to a {} (only `{}` does)",
                action.names(),
                kind_label::<P>(kind),
                Every::<P>(catalog.kind_mask(kind.index()), PhantomData)
            )?,
            _ => write!(
                f,
                "\n  - `{}` does not apply to a project (only `{}` does)",
                action.names(),
                Every::<P>(catalog.project_mask, PhantomData)
            )?,
        }
        Ok(())
    }

    /// The flags of the action no role grants, for a known user.
    fn write_missing(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let company = self.company;
        let missing = self.missing();
        if !missing.empty_set() && company.user(self.question.user).is_some() {
            let missing = missing.names();
            match self.question.testing {
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
        self.question.write(self.company, self.decision, f)?;
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
