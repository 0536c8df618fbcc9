//! What every user expects (DOMAIN, "Rules every user of such a system
//! expects"): "Every change is all-or-nothing: a rejected change leaves the
//! state exactly as it was, and says why."
//!
//! "Exactly as it was" is checked on the whole company, compiled snapshot
//! included (`format!("{:?}")` before and after), and on the revision. Bulk
//! changes put their bad id last, after good ones, so a change that applied
//! its list item by item would be caught.

mod common;

use callgate::{
    Change, Company, GroupId, ObjectId, ObjectKind, Permissions, Principal, ProjectId, RoleId,
    SecurityMode, UserId,
};
use common::{CallCenter, Outsourcer, TestResult, refuse};

const NO_USER: UserId = UserId::new(99);
const NO_GROUP: GroupId = GroupId::new(99);
const NO_ROLE: RoleId = RoleId::new(99);
const NO_PROJECT: ProjectId = ProjectId::new(99);
const NO_OBJECT: ObjectId = ObjectId::new(99);

/// Every kind of change, refused, each with a part of the reason it gives.
fn refused_changes(o: &Outsourcer, default: ProjectId) -> Vec<(Change, &'static str)> {
    let create_user = |name: &str, roles, groups, projects| Change::CreateUser {
        name: name.into(),
        roles,
        groups,
        projects,
    };
    let create_role = |name: &str, principals| Change::CreateRole {
        name: name.into(),
        description: "new".into(),
        permissions: Permissions::REPORTS_VIEW,
        principals,
        put_users_offline: false,
    };
    let edit_role = |role, name: Option<&str>, permissions| Change::EditRole {
        role,
        name: name.map(Into::into),
        description: Some("edited".into()),
        permissions,
        put_users_offline: None,
    };
    let create_project = |name: &str, principals, objects| Change::CreateProject {
        name: name.into(),
        description: "new".into(),
        principals,
        objects,
    };
    let edit_project = |project, name: &str| Change::EditProject {
        project,
        name: Some(name.into()),
        description: Some("edited".into()),
    };
    let create_object = |name: &str, projects| Change::CreateObject {
        kind: ObjectKind::Queue,
        name: name.into(),
        projects,
    };
    let (alice, gus, team, agent) = (o.acme_agent, o.globex_agent, o.globex_team, o.agent_role);
    let (acme, globex, queue) = (o.acme, o.globex, o.acme_queue);
    let user = Principal::User;
    let group = Principal::Group;
    vec![
        // Users.
        (create_user("alice", vec![], vec![], vec![]), "`alice`"),
        (
            create_user(" ", vec![], vec![], vec![]),
            "invalid user name",
        ),
        (
            create_user("kim", vec![agent, NO_ROLE], vec![team], vec![acme]),
            "role id `99`",
        ),
        (
            create_user("kim", vec![agent], vec![team, NO_GROUP], vec![acme]),
            "group id `99`",
        ),
        (
            create_user("kim", vec![agent], vec![team], vec![acme, NO_PROJECT]),
            "project id `99`",
        ),
        (
            Change::RenameUser {
                user: alice,
                name: "gus".into(),
            },
            "`gus`",
        ),
        (
            Change::RenameUser {
                user: NO_USER,
                name: "kim".into(),
            },
            "user id `99`",
        ),
        (Change::DeleteUser { user: o.admin }, "without an Admin"),
        (Change::DeleteUser { user: NO_USER }, "user id `99`"),
        // Groups.
        (
            Change::CreateGroup {
                name: "Globex team".into(),
                members: vec![],
            },
            "`Globex team`",
        ),
        (
            Change::CreateGroup {
                name: "New".into(),
                members: vec![alice, NO_USER],
            },
            "user id `99`",
        ),
        (
            Change::RenameGroup {
                group: team,
                name: "".into(),
            },
            "invalid group name",
        ),
        (Change::DeleteGroup { group: NO_GROUP }, "group id `99`"),
        (
            Change::AddGroupMembers {
                group: team,
                users: vec![alice, NO_USER],
            },
            "user id `99`",
        ),
        (
            Change::RemoveGroupMembers {
                group: team,
                users: vec![gus, NO_USER],
            },
            "user id `99`",
        ),
        (
            Change::AddGroupMembers {
                group: NO_GROUP,
                users: vec![alice],
            },
            "group id `99`",
        ),
        // Roles.
        (create_role("Agent", vec![]), "`Agent`"),
        (
            create_role("New", vec![user(alice), group(NO_GROUP)]),
            "group id `99`",
        ),
        (
            edit_role(agent, Some("Admin"), Some(Permissions::ADMIN)),
            "`Admin`",
        ),
        (edit_role(agent, Some("\tAgent"), None), "invalid role name"),
        (
            edit_role(RoleId::ADMIN, None, Some(Permissions::empty())),
            "`Admin`",
        ),
        (
            edit_role(RoleId::OPERATOR, Some("Agent 2"), None),
            "`Operator`",
        ),
        (edit_role(NO_ROLE, None, None), "role id `99`"),
        (
            Change::DeleteRole {
                role: RoleId::SUPERVISOR,
            },
            "`Supervisor`",
        ),
        (Change::DeleteRole { role: NO_ROLE }, "role id `99`"),
        (
            Change::AssignRole {
                role: agent,
                principals: vec![user(alice), user(NO_USER)],
            },
            "user id `99`",
        ),
        (
            Change::AssignRole {
                role: NO_ROLE,
                principals: vec![user(alice)],
            },
            "role id `99`",
        ),
        (
            Change::UnassignRole {
                role: RoleId::ADMIN,
                principals: vec![user(o.admin)],
            },
            "`ann`",
        ),
        (
            Change::UnassignRole {
                role: agent,
                principals: vec![group(team), group(NO_GROUP)],
            },
            "group id `99`",
        ),
        (
            Change::SetSectionAccess {
                role: RoleId::OPERATOR,
                permission: Permissions::KPI_VIEW,
                allowed: true,
            },
            "`Operator`",
        ),
        (
            Change::SetSectionAccess {
                role: agent,
                permission: Permissions::FINANCE,
                allowed: true,
            },
            "not a single permission",
        ),
        (
            Change::SetSectionAccess {
                role: NO_ROLE,
                permission: Permissions::KPI_VIEW,
                allowed: true,
            },
            "role id `99`",
        ),
        // Projects.
        (create_project("Acme", vec![], vec![]), "`Acme`"),
        (
            create_project("New", vec![user(alice), user(NO_USER)], vec![queue]),
            "user id `99`",
        ),
        (
            create_project("New", vec![user(alice)], vec![queue, NO_OBJECT]),
            "object id `99`",
        ),
        (edit_project(default, "Everyone"), "`Default`"),
        (edit_project(acme, "Globex"), "`Globex`"),
        (edit_project(NO_PROJECT, "New"), "project id `99`"),
        (Change::DeleteProject { project: default }, "`Default`"),
        (
            Change::DeleteProject {
                project: NO_PROJECT,
            },
            "project id `99`",
        ),
        (
            Change::AddProjectMembers {
                project: acme,
                principals: vec![group(team), group(NO_GROUP)],
                roles: vec![],
            },
            "group id `99`",
        ),
        (
            Change::RemoveProjectMembers {
                project: acme,
                principals: vec![user(alice), user(NO_USER)],
            },
            "user id `99`",
        ),
        (
            Change::AddProjectMembers {
                project: NO_PROJECT,
                principals: vec![user(alice)],
                roles: vec![],
            },
            "project id `99`",
        ),
        (
            Change::AddProjectObjects {
                project: globex,
                objects: vec![queue, NO_OBJECT],
            },
            "object id `99`",
        ),
        (
            Change::RemoveProjectObjects {
                project: acme,
                objects: vec![queue, NO_OBJECT],
            },
            "object id `99`",
        ),
        // Objects.
        (
            create_object("Globex inbound", vec![acme]),
            "`Globex inbound`",
        ),
        (create_object("", vec![acme]), "invalid object name"),
        (
            create_object("New", vec![acme, NO_PROJECT]),
            "project id `99`",
        ),
        (
            Change::RenameObject {
                object: queue,
                name: "Globex inbound".into(),
            },
            "`Globex inbound`",
        ),
        (
            Change::RenameObject {
                object: NO_OBJECT,
                name: "New".into(),
            },
            "object id `99`",
        ),
        (Change::DeleteObject { object: NO_OBJECT }, "object id `99`"),
    ]
}

#[test]
fn every_refused_change_leaves_the_company_exactly_as_it_was() -> TestResult {
    let mut o = Outsourcer::new()?;
    let default = o.company.default_project().ok_or("no Default")?;
    let changes = refused_changes(&o, default);
    let revision = o.company.revision();

    for (change, reason) in changes {
        let label = format!("{change:?}");
        let error = refuse(&mut o.company, change);
        assert!(
            error.to_string().contains(reason),
            "{label}: `{error}` does not say {reason:?}"
        );
    }

    // The company still works, and the next accepted change is the next
    // revision.
    let report = o.company.apply(Change::AddProjectMembers {
        project: o.acme,
        principals: vec![o.globex_agent.into()],
        roles: vec![],
    })?;
    assert_eq!(report.revision, revision + 1);
    Ok(())
}

#[test]
fn a_refused_first_switch_leaves_the_company_in_simple_mode_untouched() -> TestResult {
    let mut center = CallCenter::new()?;
    center.company.create_project("Default", "")?;
    let _queue = center.company.create_object(ObjectKind::Queue, "Sales")?;

    let error = refuse(
        &mut center.company,
        Change::SetSecurityMode {
            mode: SecurityMode::Enhanced,
        },
    );

    assert!(error.to_string().contains("`Default`"), "{error}");
    assert_eq!(center.company.mode(), SecurityMode::Simple);
    assert_eq!(center.company.default_project(), None);
    Ok(())
}

#[test]
fn a_refused_change_on_a_new_company_leaves_it_new() {
    let mut company = Company::new();
    let error = refuse(
        &mut company,
        Change::CreateUser {
            name: "ann".into(),
            roles: vec![RoleId::ADMIN, NO_ROLE],
            groups: Vec::new(),
            projects: Vec::new(),
        },
    );
    assert!(error.to_string().contains("`99`"), "{error}");
    assert_eq!(company.revision(), 0);
    let new = Company::new().with_id(company.id());
    assert_eq!(format!("{company:?}"), format!("{new:?}"));
}
