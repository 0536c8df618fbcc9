//! Helpers shared by the rule tests: two small call centers and a few
//! assertions. Each test binary uses only some of them.
#![allow(dead_code)]

use callgate::{
    Change, Company, Created, Error, GroupId, ObjectId, ObjectKind, Permissions, Principal,
    ProjectId, Resource, RoleId, SecurityMode, UserId,
};

/// What every test returns, so that `?` works on any error.
pub(crate) type TestResult = Result<(), Box<dyn std::error::Error>>;

/// Creates a user with these roles and projects, in one change.
pub(crate) fn add_user(
    company: &mut Company,
    name: &str,
    roles: &[RoleId],
    projects: &[ProjectId],
) -> Result<UserId, Error> {
    let report = company.apply(Change::CreateUser {
        name: name.to_owned(),
        roles: roles.to_vec(),
        groups: Vec::new(),
        projects: projects.to_vec(),
    })?;
    let Some(Created::User(id)) = report.created else {
        panic!("creating user `{name}` reported {:?}", report.created);
    };
    Ok(id)
}

/// Creates a custom role held by these users and groups, in one change.
pub(crate) fn add_role(
    company: &mut Company,
    name: &str,
    permissions: Permissions,
    principals: &[Principal],
) -> Result<RoleId, Error> {
    let report = company.apply(Change::CreateRole {
        name: name.to_owned(),
        description: String::new(),
        permissions,
        principals: principals.to_vec(),
        put_users_offline: false,
    })?;
    let Some(Created::Role(id)) = report.created else {
        panic!("creating role `{name}` reported {:?}", report.created);
    };
    Ok(id)
}

/// Creates an object held by these projects, in one change.
pub(crate) fn add_object(
    company: &mut Company,
    kind: ObjectKind,
    name: &str,
    projects: &[ProjectId],
) -> Result<ObjectId, Error> {
    let report = company.apply(Change::CreateObject {
        kind,
        name: name.to_owned(),
        projects: projects.to_vec(),
    })?;
    let Some(Created::Object(id)) = report.created else {
        panic!("creating object `{name}` reported {:?}", report.created);
    };
    Ok(id)
}

/// Creates one object of each of the nine kinds, named `{prefix} {kind}`,
/// held by these projects; returns them in [`ObjectKind::ALL`] order.
pub(crate) fn one_of_each_kind(
    company: &mut Company,
    prefix: &str,
    projects: &[ProjectId],
) -> Result<Vec<ObjectId>, Error> {
    ObjectKind::ALL
        .iter()
        .map(|&kind| add_object(company, kind, &format!("{prefix} {kind}"), projects))
        .collect()
}

/// Switches the security mode.
pub(crate) fn set_mode(company: &mut Company, mode: SecurityMode) -> Result<(), Error> {
    company.apply(Change::SetSecurityMode { mode }).map(drop)
}

/// Every view permission of the nine kinds of project-scoped object.
pub(crate) fn every_kind_view() -> Permissions {
    ObjectKind::ALL
        .iter()
        .fold(Permissions::empty(), |all, kind| {
            all | kind.view_permission()
        })
}

/// The objects of `kind` that `user` can see, in the order listed.
pub(crate) fn visible(
    company: &Company,
    user: UserId,
    kind: ObjectKind,
) -> Result<Vec<ObjectId>, Error> {
    Ok(company.visible_objects(user, kind)?.collect())
}

/// Asserts that `visible_objects` lists exactly the objects of `kind` for
/// which a view check is allowed, each once.
#[track_caller]
pub(crate) fn assert_visible_agrees_with_check(
    company: &Company,
    user: UserId,
    kind: ObjectKind,
) -> Result<(), Error> {
    let mut listed = visible(company, user, kind)?;
    listed.sort();
    let count = listed.len();
    listed.dedup();
    assert_eq!(listed.len(), count, "an object was listed twice");
    let allowed: Vec<ObjectId> = company
        .objects()
        .filter(|(_, object)| object.kind() == kind)
        .map(|(id, _)| id)
        .filter(|&id| {
            company
                .check(user, kind.view_permission(), Resource::Object(id))
                .is_allowed()
        })
        .collect();
    assert_eq!(
        listed, allowed,
        "visible objects of user {user}, kind {kind}"
    );
    Ok(())
}

/// Applies a change that must be refused, asserts that the company is
/// exactly as it was (same state, same revision), and returns the error.
#[track_caller]
pub(crate) fn refuse(company: &mut Company, change: Change) -> Error {
    let before = format!("{company:?}");
    let revision = company.revision();
    let error = match company.apply(change.clone()) {
        Ok(report) => panic!("{change:?} was accepted: {report:?}"),
        Err(error) => error,
    };
    assert_eq!(
        company.revision(),
        revision,
        "{change:?} moved the revision"
    );
    // Not `assert_eq!`: the two dumps are long, the change is what matters.
    assert!(
        format!("{company:?}") == before,
        "{change:?} was refused ({error}) but changed the company"
    );
    error
}

/// A call center in simple mode with one holder of each built-in role.
pub(crate) struct CallCenter {
    pub(crate) company: Company,
    /// `ann`, the first user: Admin.
    pub(crate) admin: UserId,
    /// `sam`: Supervisor.
    pub(crate) supervisor: UserId,
    /// `olga`: Operator.
    pub(crate) operator: UserId,
}

impl CallCenter {
    pub(crate) fn new() -> Result<Self, Error> {
        let mut company = Company::new();
        let admin = company.create_user("ann")?;
        let supervisor = add_user(&mut company, "sam", &[RoleId::SUPERVISOR], &[])?;
        let operator = add_user(&mut company, "olga", &[RoleId::OPERATOR], &[])?;
        Ok(Self {
            company,
            admin,
            supervisor,
            operator,
        })
    }
}

/// An outsourcing call center in enhanced mode running two clients, each a
/// project with its own queue and staff. `ann` (Admin) is the only member of
/// `Default`, which holds no object.
pub(crate) struct Outsourcer {
    pub(crate) company: Company,
    /// `ann`, the first user: Admin, in `Default` only.
    pub(crate) admin: UserId,
    /// `Agent`: `queues.view`, `projects.view` and every workplace widget.
    pub(crate) agent_role: RoleId,
    pub(crate) acme: ProjectId,
    pub(crate) globex: ProjectId,
    /// `Acme inbound`, in Acme only.
    pub(crate) acme_queue: ObjectId,
    /// `Globex inbound`, in Globex only.
    pub(crate) globex_queue: ObjectId,
    /// `alice`: Agent, member of Acme directly.
    pub(crate) acme_agent: UserId,
    /// `Globex team`: holds Agent and is a member of Globex.
    pub(crate) globex_team: GroupId,
    /// `gus`: in the Globex team, nothing of his own.
    pub(crate) globex_agent: UserId,
}

impl Outsourcer {
    pub(crate) fn new() -> Result<Self, Error> {
        let mut company = Company::new();
        let admin = company.create_user("ann")?;
        set_mode(&mut company, SecurityMode::Enhanced)?;
        let agent_role = company.create_role(
            "Agent",
            "Answers one client's calls",
            Permissions::QUEUES_VIEW | Permissions::PROJECTS_VIEW | Permissions::WORKPLACE,
        )?;
        let acme = company.create_project("Acme", "Client Acme")?;
        let globex = company.create_project("Globex", "Client Globex")?;
        let acme_queue = add_object(&mut company, ObjectKind::Queue, "Acme inbound", &[acme])?;
        let globex_queue =
            add_object(&mut company, ObjectKind::Queue, "Globex inbound", &[globex])?;
        let acme_agent = add_user(&mut company, "alice", &[agent_role], &[acme])?;
        let globex_agent = company.create_user("gus")?;
        let globex_team = company.create_group("Globex team", &[globex_agent])?;
        company.apply(Change::AssignRole {
            role: agent_role,
            principals: vec![globex_team.into()],
        })?;
        company.apply(Change::AddProjectMembers {
            project: globex,
            principals: vec![globex_team.into()],
            roles: vec![],
        })?;
        Ok(Self {
            company,
            admin,
            agent_role,
            acme,
            globex,
            acme_queue,
            globex_queue,
            acme_agent,
            globex_team,
            globex_agent,
        })
    }
}

// ---- Roles within projects (DOMAIN rules 20-23) -----------------------------

/// Applies a change through `session` that must be refused, asserts that
/// the company is exactly as it was (same state, same revision), and
/// returns the error.
#[track_caller]
pub(crate) fn refuse_as(
    company: &mut Company,
    session: &callgate::Session,
    change: Change,
) -> Error {
    let before = format!("{company:?}");
    let revision = company.revision();
    let error = match company.apply_as(session, change.clone()) {
        Ok(report) => panic!("{change:?} was accepted: {report:?}"),
        Err(error) => error,
    };
    assert_eq!(
        company.revision(),
        revision,
        "{change:?} moved the revision"
    );
    assert!(
        format!("{company:?}") == before,
        "{change:?} was refused ({error}) but changed the company"
    );
    error
}

/// Gives `role` within `project` to these members, in one change.
pub(crate) fn give_within(
    company: &mut Company,
    project: ProjectId,
    role: RoleId,
    principals: &[Principal],
) -> Result<callgate::ChangeReport, Error> {
    company.apply(Change::AssignProjectRole {
        project,
        role,
        principals: principals.to_vec(),
    })
}

/// Two clients of an outsourcing call center, `Acme Bank` and `Globex`,
/// whose staff holds no company-wide role: what they may do comes from the
/// roles given to them within the projects (DOMAIN rules 20-23).
pub(crate) struct Clients {
    pub(crate) company: Company,
    /// `ann`, the first user: Admin (in `Default` only, in enhanced mode).
    pub(crate) admin: UserId,
    pub(crate) acme: ProjectId,
    pub(crate) globex: ProjectId,
    /// Queue `Acme inbound`, in Acme only.
    pub(crate) acme_queue: ObjectId,
    /// Queue `Globex inbound`, in Globex only.
    pub(crate) globex_queue: ObjectId,
    /// Queue `Overflow`, in both Acme and Globex.
    pub(crate) shared_queue: ObjectId,
    /// `tess`: a direct member of Acme and Globex, no role.
    pub(crate) tess: UserId,
    /// `Leads`: a group that is a member of Acme, no role.
    pub(crate) leads: GroupId,
    /// `gil`: in `Leads` (so a member of Acme only through it), no role.
    pub(crate) gil: UserId,
    /// `bob`: in no project, no role.
    pub(crate) bob: UserId,
}

impl Clients {
    pub(crate) fn new(mode: SecurityMode) -> Result<Self, Error> {
        let mut company = Company::new();
        let admin = company.create_user("ann")?;
        set_mode(&mut company, mode)?;
        let acme = company.create_project("Acme Bank", "Client Acme Bank")?;
        let globex = company.create_project("Globex", "Client Globex")?;
        let acme_queue = add_object(&mut company, ObjectKind::Queue, "Acme inbound", &[acme])?;
        let globex_queue =
            add_object(&mut company, ObjectKind::Queue, "Globex inbound", &[globex])?;
        let shared_queue =
            add_object(&mut company, ObjectKind::Queue, "Overflow", &[acme, globex])?;
        let tess = add_user(&mut company, "tess", &[], &[acme, globex])?;
        let gil = company.create_user("gil")?;
        let leads = company.create_group("Leads", &[gil])?;
        company.apply(Change::AddProjectMembers {
            project: acme,
            principals: vec![leads.into()],
            roles: vec![],
        })?;
        let bob = company.create_user("bob")?;
        Ok(Self {
            company,
            admin,
            acme,
            globex,
            acme_queue,
            globex_queue,
            shared_queue,
            tess,
            leads,
            gil,
            bob,
        })
    }
}
