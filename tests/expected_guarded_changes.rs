//! Rules every user of such a system expects (DOMAIN.md), as they apply to
//! changes made by someone: "Deny by default", "No lock-out: the last Admin
//! cannot be removed" and "Every change is all-or-nothing: a rejected change
//! leaves the state exactly as it was, and says why."
//!
//! A change made through a session (`apply_as`) needs the permission that
//! governs it; in enhanced security, projects and objects hidden from the
//! actor are unknown ids to them. A change made by the host (`apply`) skips
//! those actor checks, but never the checks made for every caller: unknown
//! ids, built-in roles and the last Admin.

#[path = "support_sessions/mod.rs"]
mod support;

use callgate::{
    Change, Company, Duty, EntityKind, Error, GroupId, ObjectId, ObjectKind, Permissions,
    Principal, ProjectId, RoleId, SecurityMode, Session, UserId,
};
use support::{
    TestResult, accepted, company_with_admin, new_role, object_in, refused, refused_as,
    rename_role, user_holding, user_with_permissions,
};

/// A company with one of everything a change can name.
struct Fixture {
    company: Company,
    bob: UserId,
    team: GroupId,
    qa: RoleId,
    clients: ProjectId,
    queue: ObjectId,
    list: ObjectId,
}

/// ann (Admin); bob, in group "Team" and holding QA; project "Clients"
/// with member "Team", holding queue "Sales"; list "Leads" in no project. Simple security.
fn fixture() -> Result<Fixture, Error> {
    let (mut company, _ann) = company_with_admin()?;
    let bob = company.create_user("bob")?;
    let team = company.create_group("Team", &[bob])?;
    let qa = company.create_role("QA", "", Permissions::QA_CHECKS_MANAGE)?;
    company.apply(Change::AssignRole {
        role: qa,
        principals: vec![bob.into()],
    })?;
    let clients = company.create_project("Clients", "")?;
    company.apply(Change::AddProjectMembers {
        project: clients,
        principals: vec![team.into()],
        roles: vec![],
    })?;
    let queue = object_in(&mut company, ObjectKind::Queue, "Sales", vec![clients])?;
    let list = object_in(&mut company, ObjectKind::List, "Leads", vec![])?;
    Ok(Fixture {
        company,
        bob,
        team,
        qa,
        clients,
        queue,
        list,
    })
}

/// One change of every kind (and the kinds that need more than one
/// permission), with the permissions that govern it.
fn every_change(f: &Fixture) -> Vec<(Change, Permissions)> {
    use Permissions as P;
    vec![
        (
            Change::CreateUser {
                name: "cid".into(),
                roles: vec![],
                groups: vec![],
                projects: vec![],
            },
            P::USERS_MANAGE,
        ),
        (
            Change::CreateUser {
                name: "cid".into(),
                roles: vec![f.qa],
                groups: vec![f.team],
                projects: vec![f.clients],
            },
            P::USERS_MANAGE | P::ROLES_MANAGE | P::GROUPS_MANAGE | P::PROJECTS_MANAGE,
        ),
        (
            Change::RenameUser {
                user: f.bob,
                name: "robert".into(),
            },
            P::USERS_MANAGE,
        ),
        (Change::DeleteUser { user: f.bob }, P::USERS_MANAGE),
        (
            Change::CreateGroup {
                name: "Night".into(),
                members: vec![f.bob],
            },
            P::GROUPS_MANAGE,
        ),
        (
            Change::RenameGroup {
                group: f.team,
                name: "Day".into(),
            },
            P::GROUPS_MANAGE,
        ),
        (Change::DeleteGroup { group: f.team }, P::GROUPS_MANAGE),
        (
            Change::AddGroupMembers {
                group: f.team,
                users: vec![UserId::new(0)],
            },
            P::GROUPS_MANAGE,
        ),
        (
            Change::RemoveGroupMembers {
                group: f.team,
                users: vec![f.bob],
            },
            P::GROUPS_MANAGE,
        ),
        (new_role("Sales", P::REPORTS_VIEW), P::ROLES_MANAGE),
        (rename_role(f.qa, "Quality"), P::ROLES_MANAGE),
        (Change::DeleteRole { role: f.qa }, P::ROLES_MANAGE),
        (
            Change::AssignRole {
                role: f.qa,
                principals: vec![f.team.into()],
            },
            P::ROLES_MANAGE,
        ),
        (
            Change::UnassignRole {
                role: f.qa,
                principals: vec![f.bob.into()],
            },
            P::ROLES_MANAGE,
        ),
        (
            Change::SetSectionAccess {
                role: f.qa,
                permission: P::REPORTS_VIEW,
                allowed: true,
            },
            P::ROLES_MANAGE,
        ),
        (
            Change::SetSecurityMode {
                mode: SecurityMode::Enhanced,
            },
            P::SECURITY_MANAGE,
        ),
        (
            Change::CreateProject {
                name: "Outsourcing".into(),
                description: String::new(),
                principals: vec![f.bob.into()],
                objects: vec![f.list],
            },
            P::PROJECTS_MANAGE,
        ),
        (
            Change::EditProject {
                project: f.clients,
                name: Some("Customers".into()),
                description: None,
            },
            P::PROJECTS_MANAGE,
        ),
        (
            Change::DeleteProject { project: f.clients },
            P::PROJECTS_MANAGE,
        ),
        (
            Change::AddProjectMembers {
                project: f.clients,
                principals: vec![f.team.into()],
                roles: vec![],
            },
            P::PROJECTS_MANAGE,
        ),
        (
            Change::AddProjectMembers {
                project: f.clients,
                principals: vec![f.bob.into()],
                roles: vec![f.qa],
            },
            P::PROJECTS_MANAGE,
        ),
        (
            Change::AssignProjectRole {
                project: f.clients,
                role: f.qa,
                principals: vec![f.team.into()],
            },
            P::PROJECTS_MANAGE,
        ),
        (
            Change::UnassignProjectRole {
                project: f.clients,
                role: f.qa,
                principals: vec![f.bob.into()],
            },
            P::PROJECTS_MANAGE,
        ),
        (
            Change::RemoveProjectMembers {
                project: f.clients,
                principals: vec![f.bob.into()],
            },
            P::PROJECTS_MANAGE,
        ),
        (
            Change::AddProjectObjects {
                project: f.clients,
                objects: vec![f.list],
            },
            P::PROJECTS_MANAGE,
        ),
        (
            Change::RemoveProjectObjects {
                project: f.clients,
                objects: vec![f.queue],
            },
            P::PROJECTS_MANAGE,
        ),
        (
            Change::CreateObject {
                kind: ObjectKind::Autodialer,
                name: "Spring campaign".into(),
                projects: vec![],
            },
            P::AUTODIALERS_MANAGE,
        ),
        (
            Change::CreateObject {
                kind: ObjectKind::Schedule,
                name: "Weekend".into(),
                projects: vec![f.clients],
            },
            P::SCHEDULES_MANAGE | P::PROJECTS_MANAGE,
        ),
        (
            Change::RenameObject {
                object: f.queue,
                name: "Support".into(),
            },
            P::QUEUES_MANAGE,
        ),
        (Change::DeleteObject { object: f.list }, P::LISTS_MANAGE),
        (
            Change::AssignRoleUntil {
                role: f.qa,
                principals: vec![f.bob.into()],
                until: callgate::Timestamp::from_unix_seconds(1_765_497_600),
            },
            P::ROLES_MANAGE,
        ),
        (
            Change::AssignProjectRoleUntil {
                project: f.clients,
                role: f.qa,
                principals: vec![f.team.into()],
                until: callgate::Timestamp::from_unix_seconds(1_765_497_600),
            },
            P::PROJECTS_MANAGE,
        ),
        (
            Change::ExpireGrants {
                now: callgate::Timestamp::from_unix_seconds(1_765_497_600),
            },
            P::ROLES_MANAGE,
        ),
        (
            Change::SetObjectReferences {
                object: f.queue,
                uses: vec![f.list],
            },
            P::QUEUES_MANAGE,
        ),
        (
            Change::DeclareDutyConstraint {
                first: Duty::Role(f.qa),
                second: Duty::Role(RoleId::OPERATOR),
            },
            P::SECURITY_MANAGE,
        ),
        (
            Change::DropDutyConstraint {
                first: Duty::Role(f.qa),
                second: Duty::Role(RoleId::OPERATOR),
            },
            P::SECURITY_MANAGE,
        ),
    ]
}

/// The `op` tag of a change, as stored.
#[cfg(feature = "serde")]
fn op(change: &Change) -> Result<String, serde_json::Error> {
    let value = serde_json::to_value(change)?;
    Ok(value["op"].as_str().unwrap_or_default().to_owned())
}

/// The table covers every kind of change: serde lists every variant when
/// asked for an unknown one, so a new variant fails this test until it is
/// added to the table.
#[cfg(feature = "serde")]
#[test]
fn the_table_of_changes_covers_every_kind_of_change() -> TestResult {
    let f = fixture()?;
    let error = serde_json::from_str::<Change>(r#"{"op":"no_such_change"}"#)
        .expect_err("an unknown op must be refused");
    let message = error.to_string();
    let (_, listed) = message
        .split_once("expected one of ")
        .ok_or_else(|| format!("unexpected message: {message}"))?;
    // `a`, `b`, ... `z` at line 1: the names are every other piece.
    let mut every: Vec<&str> = listed.split('`').skip(1).step_by(2).collect();
    every.sort_unstable();
    let mut covered = every_change(&f)
        .iter()
        .map(|(change, _)| op(change))
        .collect::<Result<Vec<_>, _>>()?;
    covered.sort_unstable();
    covered.dedup();

    assert_eq!(every.len(), 33, "{message}");
    assert_eq!(covered, every);
    Ok(())
}

#[test]
fn each_change_names_the_permissions_that_govern_it() -> TestResult {
    let f = fixture()?;
    for (change, governing) in every_change(&f) {
        assert_eq!(
            change.governing_permissions(&f.company),
            governing,
            "{change:?}"
        );
    }
    Ok(())
}

#[test]
fn an_actor_lacking_any_governing_permission_is_forbidden_and_nothing_changes() -> TestResult {
    let f = fixture()?;
    for (change, governing) in every_change(&f) {
        for needed in governing.minimal_entries() {
            let mut company = f.company.clone();
            // Everything but the one permission (its view stays).
            let (actor, _) = user_with_permissions(
                &mut company,
                "eve",
                Permissions::ADMIN.difference(needed.own_bit()),
            )?;
            let session = company.login(actor)?;

            let error = refused_as(&mut company, &session, change.clone());

            match error {
                Error::Forbidden { user, missing, .. } => {
                    assert_eq!(user, "eve");
                    assert_eq!(missing, needed.name, "{change:?}");
                }
                other => panic!("{change:?} without {}: {other}", needed.name),
            }
        }
    }
    Ok(())
}

#[test]
fn an_actor_holding_every_permission_may_make_each_change() -> TestResult {
    let f = fixture()?;
    for (change, _) in every_change(&f) {
        let mut company = f.company.clone();
        // Every permission through a custom role: not the Admin role.
        let (actor, _) = user_with_permissions(&mut company, "eve", Permissions::ADMIN)?;
        let session = company.login(actor)?;
        let expected = company.clone().apply(change.clone());

        let report = company.apply_as(&session, change.clone());

        assert!(report.is_ok(), "{change:?}: {report:?}");
        assert_eq!(report, expected, "{change:?}");
    }
    Ok(())
}

#[test]
fn an_actor_with_only_the_governing_permission_may_make_a_change_that_grants_nothing() -> TestResult
{
    let mut f = fixture()?;
    let (rita, _) = user_with_permissions(&mut f.company, "rita", Permissions::ROLES_MANAGE)?;
    let (gail, _) = user_with_permissions(&mut f.company, "gail", Permissions::GROUPS_MANAGE)?;
    let (quinn, _) = user_with_permissions(&mut f.company, "quinn", Permissions::QUEUES_MANAGE)?;
    let cases = [
        (rita, rename_role(f.qa, "Quality")),
        (
            gail,
            Change::RenameGroup {
                group: f.team,
                name: "Day".into(),
            },
        ),
        (
            quinn,
            Change::RenameObject {
                object: f.queue,
                name: "Support".into(),
            },
        ),
    ];
    for (actor, change) in cases {
        let session = f.company.login(actor)?;
        let description = format!("{change:?}");
        if let Err(error) = f.company.apply_as(&session, change) {
            panic!("{description}: {error}");
        }
    }
    Ok(())
}

/// Enhanced security: mia manages projects and every kind of object, but
/// without `projects.all`, and is a member of "Client A" only.
struct Hidden {
    company: Company,
    session: Session,
    client_a: ProjectId,
    client_b: ProjectId,
    queue_a: ObjectId,
    queue_b: ObjectId,
    orphan: ObjectId,
}

fn hidden() -> Result<Hidden, Error> {
    let (mut company, _) = company_with_admin()?;
    company.apply(Change::SetSecurityMode {
        mode: SecurityMode::Enhanced,
    })?;
    let client_a = company.create_project("Client A", "")?;
    let client_b = company.create_project("Client B", "")?;
    let queue_a = object_in(&mut company, ObjectKind::Queue, "A line", vec![client_a])?;
    let queue_b = object_in(&mut company, ObjectKind::Queue, "B line", vec![client_b])?;
    let orphan = object_in(&mut company, ObjectKind::Queue, "Unfiled", vec![])?;
    let (mia, _) = user_with_permissions(
        &mut company,
        "mia",
        Permissions::ADMIN.difference(Permissions::PROJECTS_ALL),
    )?;
    company.apply(Change::AddProjectMembers {
        project: client_a,
        principals: vec![mia.into()],
        roles: vec![],
    })?;
    let session = company.login(mia)?;
    Ok(Hidden {
        company,
        session,
        client_a,
        client_b,
        queue_a,
        queue_b,
        orphan,
    })
}

/// Every change that names a project or an object, naming `project` and
/// `object`; `visible` is a project the actor can see.
fn naming(project: ProjectId, object: ObjectId, visible: ProjectId) -> Vec<(Change, EntityKind)> {
    use EntityKind::{Object, Project};
    vec![
        (
            Change::CreateUser {
                name: "cid".into(),
                roles: vec![],
                groups: vec![],
                projects: vec![project],
            },
            Project,
        ),
        (
            Change::EditProject {
                project,
                name: None,
                description: Some("renamed".into()),
            },
            Project,
        ),
        (Change::DeleteProject { project }, Project),
        (
            Change::AddProjectMembers {
                project,
                principals: vec![Principal::User(UserId::new(0))],
                roles: vec![],
            },
            Project,
        ),
        (
            Change::RemoveProjectMembers {
                project,
                principals: vec![Principal::User(UserId::new(0))],
            },
            Project,
        ),
        (
            Change::AddProjectObjects {
                project,
                objects: vec![],
            },
            Project,
        ),
        (
            Change::RemoveProjectObjects {
                project,
                objects: vec![],
            },
            Project,
        ),
        (
            Change::AddProjectObjects {
                project: visible,
                objects: vec![object],
            },
            Object,
        ),
        (
            Change::RemoveProjectObjects {
                project: visible,
                objects: vec![object],
            },
            Object,
        ),
        (
            Change::CreateProject {
                name: "Client C".into(),
                description: String::new(),
                principals: vec![],
                objects: vec![object],
            },
            Object,
        ),
        (
            Change::CreateObject {
                kind: ObjectKind::List,
                name: "Leads".into(),
                projects: vec![project],
            },
            Project,
        ),
        (
            Change::RenameObject {
                object,
                name: "Renamed".into(),
            },
            Object,
        ),
        (Change::DeleteObject { object }, Object),
        (
            Change::SetObjectReferences {
                object,
                uses: vec![],
            },
            Object,
        ),
    ]
}

#[test]
fn in_enhanced_mode_hidden_projects_and_objects_are_unknown_ids_to_the_actor() -> TestResult {
    let mut h = hidden()?;
    for object in [h.queue_b, h.orphan] {
        for (change, kind) in naming(h.client_b, object, h.client_a) {
            let description = format!("{change:?}");
            let error = refused_as(&mut h.company, &h.session, change);
            let id = match kind {
                EntityKind::Project => h.client_b.get(),
                _ => object.get(),
            };
            assert_eq!(error, Error::UnknownId { kind, id }, "{description}");
        }
    }
    Ok(())
}

#[test]
fn a_hidden_id_is_refused_exactly_like_an_id_that_never_existed() -> TestResult {
    let mut h = hidden()?;
    let never_project = ProjectId::new(h.client_b.get() + 50);
    let never_object = ObjectId::new(h.orphan.get() + 50);
    for ((hidden, _), (never, _)) in naming(h.client_b, h.queue_b, h.client_a)
        .into_iter()
        .zip(naming(never_project, never_object, h.client_a))
    {
        let hidden_error = refused_as(&mut h.company, &h.session, hidden).to_string();
        let never_error = refused_as(&mut h.company, &h.session, never).to_string();
        let shown = |message: &str| {
            message
                .replace(&format!("`{}`", h.client_b.get()), "`ID`")
                .replace(&format!("`{}`", never_project.get()), "`ID`")
                .replace(&format!("`{}`", h.queue_b.get()), "`ID`")
                .replace(&format!("`{}`", never_object.get()), "`ID`")
        };
        assert_eq!(shown(&hidden_error), shown(&never_error));
    }
    Ok(())
}

#[test]
fn in_enhanced_mode_the_actors_own_projects_and_objects_can_be_changed() -> TestResult {
    let mut h = hidden()?;
    for (change, _) in naming(h.client_a, h.queue_a, h.client_a) {
        let mut company = h.company.clone();
        let description = format!("{change:?}");
        if let Err(error) = company.apply_as(&h.session, change) {
            panic!("{description}: {error}");
        }
    }
    // And in simple security nothing is hidden.
    accepted(
        &mut h.company,
        Change::SetSecurityMode {
            mode: SecurityMode::Simple,
        },
    );
    let session = h.company.login(h.session.user())?;
    for (change, _) in naming(h.client_b, h.queue_b, h.client_a) {
        let mut company = h.company.clone();
        let description = format!("{change:?}");
        if let Err(error) = company.apply_as(&session, change) {
            panic!("{description}: {error}");
        }
    }
    Ok(())
}

#[test]
fn the_host_bypasses_actor_checks() -> TestResult {
    let (mut company, _) = company_with_admin()?;
    let bob = company.create_user("bob")?;
    // Nobody acts: no governing permission, no escalation, nothing hidden.
    accepted(
        &mut company,
        Change::AssignRole {
            role: RoleId::ADMIN,
            principals: vec![bob.into()],
        },
    );
    accepted(&mut company, new_role("Everything", Permissions::ADMIN));
    accepted(
        &mut company,
        Change::SetSecurityMode {
            mode: SecurityMode::Enhanced,
        },
    );
    let hidden = company.create_project("Hidden", "")?;
    accepted(
        &mut company,
        Change::EditProject {
            project: hidden,
            name: Some("Seen".into()),
            description: None,
        },
    );
    Ok(())
}

#[test]
fn built_in_roles_cannot_be_edited_switched_or_deleted_by_anyone() -> TestResult {
    let (mut company, ann) = company_with_admin()?;
    let session = company.login(ann)?;
    for role in [RoleId::ADMIN, RoleId::SUPERVISOR, RoleId::OPERATOR] {
        let name = company
            .role(role)
            .map(|r| r.name().to_owned())
            .unwrap_or_default();
        let changes = [
            (rename_role(role, "Renamed"), "renamed"),
            (
                Change::EditRole {
                    role,
                    name: None,
                    description: Some("Changed".into()),
                    permissions: None,
                    put_users_offline: None,
                },
                "edited",
            ),
            (
                support::set_role_permissions(role, Permissions::empty()),
                "edited",
            ),
            (
                Change::EditRole {
                    role,
                    name: None,
                    description: None,
                    permissions: None,
                    put_users_offline: Some(true),
                },
                "edited",
            ),
            (
                Change::SetSectionAccess {
                    role,
                    permission: Permissions::TICKETS_CREATE,
                    allowed: false,
                },
                "edited",
            ),
            (Change::DeleteRole { role }, "deleted"),
        ];
        for (change, action) in changes {
            let as_host = refused(&mut company, change.clone());
            let as_admin = refused_as(&mut company, &session, change);
            for error in [as_host, as_admin] {
                match error {
                    Error::BuiltinRole {
                        role: named,
                        action: done,
                    } => {
                        assert_eq!((named, done), (name.as_str(), action));
                    }
                    other => panic!("{name}: {other}"),
                }
            }
        }
    }
    // Assigning and unassigning built-in roles is allowed.
    let bob = company.create_user("bob")?;
    for change in [
        Change::AssignRole {
            role: RoleId::OPERATOR,
            principals: vec![bob.into()],
        },
        Change::UnassignRole {
            role: RoleId::OPERATOR,
            principals: vec![bob.into()],
        },
    ] {
        company.apply_as(&session, change)?;
    }
    Ok(())
}

#[test]
fn unknown_ids_are_refused_for_the_host_and_for_actors() -> TestResult {
    let (mut company, ann) = company_with_admin()?;
    let session = company.login(ann)?;
    let cases = [
        (
            Change::RenameUser {
                user: UserId::new(7),
                name: "x".into(),
            },
            EntityKind::User,
            7,
        ),
        (
            Change::DeleteGroup {
                group: GroupId::new(3),
            },
            EntityKind::Group,
            3,
        ),
        (
            Change::AssignRole {
                role: RoleId::new(42),
                principals: vec![],
            },
            EntityKind::Role,
            42,
        ),
        (
            Change::AssignRole {
                role: RoleId::OPERATOR,
                principals: vec![Principal::User(UserId::new(9))],
            },
            EntityKind::User,
            9,
        ),
        (
            Change::DeleteProject {
                project: ProjectId::new(5),
            },
            EntityKind::Project,
            5,
        ),
        (
            Change::DeleteObject {
                object: ObjectId::new(6),
            },
            EntityKind::Object,
            6,
        ),
        (
            Change::SetObjectReferences {
                object: ObjectId::new(6),
                uses: vec![],
            },
            EntityKind::Object,
            6,
        ),
    ];
    for (change, kind, id) in cases {
        let expected = Error::UnknownId { kind, id };
        assert_eq!(refused(&mut company, change.clone()), expected);
        assert_eq!(refused_as(&mut company, &session, change), expected);
    }
    Ok(())
}

/// The Admin role held by ann only, through the group "Owners".
fn admin_through_a_group_only() -> Result<(Company, UserId, GroupId), Error> {
    let (mut company, ann) = company_with_admin()?;
    let owners = company.create_group("Owners", &[ann])?;
    company.apply(Change::AssignRole {
        role: RoleId::ADMIN,
        principals: vec![owners.into()],
    })?;
    company.apply(Change::UnassignRole {
        role: RoleId::ADMIN,
        principals: vec![ann.into()],
    })?;
    Ok((company, ann, owners))
}

#[test]
fn the_last_admin_cannot_be_removed_by_any_path() -> TestResult {
    let (mut direct, ann) = company_with_admin()?;
    let (mut grouped, ann_in_group, owners) = admin_through_a_group_only()?;
    assert_eq!(grouped.role_holders(RoleId::ADMIN)?, vec![ann_in_group]);

    let direct_cases = [
        (Change::DeleteUser { user: ann }, "deleting user `ann`"),
        (
            Change::UnassignRole {
                role: RoleId::ADMIN,
                principals: vec![ann.into()],
            },
            "taking the Admin role from user `ann`",
        ),
    ];
    let grouped_cases = [
        (
            Change::DeleteUser { user: ann_in_group },
            "deleting user `ann`",
        ),
        (
            Change::UnassignRole {
                role: RoleId::ADMIN,
                principals: vec![owners.into()],
            },
            "taking the Admin role from group `Owners`",
        ),
        (
            Change::RemoveGroupMembers {
                group: owners,
                users: vec![ann_in_group],
            },
            "removing user `ann` from group `Owners`",
        ),
        (
            Change::DeleteGroup { group: owners },
            "deleting group `Owners`",
        ),
    ];
    for (change, describes) in direct_cases {
        let error = refused(&mut direct, change.clone());
        assert_eq!(
            error,
            Error::LastAdmin {
                change: describes.into()
            }
        );
        // The Admin herself may not do it either.
        let session = direct.login(ann)?;
        assert_eq!(refused_as(&mut direct, &session, change), error);
    }
    for (change, describes) in grouped_cases {
        let error = refused(&mut grouped, change.clone());
        assert_eq!(
            error,
            Error::LastAdmin {
                change: describes.into()
            }
        );
        let session = grouped.login(ann_in_group)?;
        assert_eq!(refused_as(&mut grouped, &session, change), error);
    }
    Ok(())
}

#[test]
fn removing_every_admin_path_at_once_is_refused() -> TestResult {
    let (mut company, ann) = company_with_admin()?;
    let owners = company.create_group("Owners", &[ann])?;
    let bob = company.create_user("bob")?;
    company.apply(Change::AssignRole {
        role: RoleId::ADMIN,
        principals: vec![owners.into(), bob.into()],
    })?;

    let error = refused(
        &mut company,
        Change::UnassignRole {
            role: RoleId::ADMIN,
            principals: vec![ann.into(), owners.into(), bob.into()],
        },
    );
    assert!(matches!(error, Error::LastAdmin { .. }), "{error}");
    // Any two of the three may go.
    accepted(
        &mut company,
        Change::UnassignRole {
            role: RoleId::ADMIN,
            principals: vec![ann.into(), bob.into()],
        },
    );
    assert_eq!(company.role_holders(RoleId::ADMIN)?, vec![ann]);
    Ok(())
}

#[test]
fn an_admin_may_be_removed_while_another_remains() -> TestResult {
    // Each path, with bob holding Admin directly as well.
    let (mut company, ann, owners) = admin_through_a_group_only()?;
    let bob = user_holding(&mut company, "bob", RoleId::ADMIN)?;
    let changes = [
        Change::RemoveGroupMembers {
            group: owners,
            users: vec![ann],
        },
        Change::DeleteGroup { group: owners },
        Change::UnassignRole {
            role: RoleId::ADMIN,
            principals: vec![owners.into()],
        },
        Change::DeleteUser { user: ann },
    ];
    for change in changes {
        let mut copy = company.clone();
        accepted(&mut copy, change);
        assert_eq!(copy.role_holders(RoleId::ADMIN)?, vec![bob]);
    }
    // An empty group carrying Admin keeps no one in: bob is still the last.
    accepted(&mut company, Change::DeleteUser { user: ann });
    let error = refused(&mut company, Change::DeleteUser { user: bob });
    assert!(matches!(error, Error::LastAdmin { .. }), "{error}");
    Ok(())
}

#[test]
fn a_user_in_two_admin_groups_may_leave_one() -> TestResult {
    let (mut company, ann, owners) = admin_through_a_group_only()?;
    let board = company.create_group("Board", &[ann])?;
    accepted(
        &mut company,
        Change::AssignRole {
            role: RoleId::ADMIN,
            principals: vec![board.into()],
        },
    );
    accepted(
        &mut company,
        Change::RemoveGroupMembers {
            group: owners,
            users: vec![ann],
        },
    );
    let error = refused(&mut company, Change::DeleteGroup { group: board });
    assert!(matches!(error, Error::LastAdmin { .. }), "{error}");
    Ok(())
}

/// Deny by default: a stored session naming a user who never existed may
/// check nothing, test nothing and change nothing.
#[cfg(feature = "serde")]
#[test]
fn a_session_of_an_unknown_user_is_denied_everything() -> TestResult {
    let (mut company, _) = company_with_admin()?;
    let forged: Session = serde_json::from_str(&format!(
        r#"{{"company":"{}","user":99,"loginRevision":0,"testing":null}}"#,
        company.id()
    ))?;

    for info in callgate::CATALOG {
        assert_eq!(
            support::deny_reason(&company, &forged, info.flag),
            Some(callgate::DenyReason::UnknownUser),
            "{}",
            info.name
        );
    }
    let unknown = Error::UnknownId {
        kind: EntityKind::User,
        id: 99,
    };
    assert_eq!(
        company.start_testing(forged, RoleId::OPERATOR),
        Err(unknown.clone())
    );
    assert_eq!(
        refused_as(&mut company, &forged, new_role("QA", Permissions::empty())),
        unknown
    );
    assert_eq!(company.login(UserId::new(99)), Err(unknown));
    Ok(())
}

/// Putting someone in a group puts them in the group's projects: an actor who
/// cannot see one of those projects may not add members to the group (or
/// create a user in it), or they could reveal a hidden client's objects to
/// anyone, themselves included.
#[test]
fn group_membership_cannot_open_a_hidden_project() -> TestResult {
    let mut company = Company::new();
    let _admin = company.create_user("ann")?;
    let gus = company.create_user("gus")?;
    let manager = company.create_role(
        "Team lead",
        "",
        Permissions::GROUPS_MANAGE | Permissions::USERS_MANAGE,
    )?;
    company.apply(Change::AssignRole {
        role: manager,
        principals: vec![gus.into()],
    })?;
    company.apply(Change::SetSecurityMode {
        mode: SecurityMode::Enhanced,
    })?;
    let secret = company.create_project("Secret client", "")?;
    let queue = company.create_object(ObjectKind::Queue, "Secret queue")?;
    company.apply(Change::AddProjectObjects {
        project: secret,
        objects: vec![queue],
    })?;
    let insiders = company.create_group("Insiders", &[])?;
    company.apply(Change::AddProjectMembers {
        project: secret,
        principals: vec![insiders.into()],
        roles: vec![],
    })?;
    let open_team = company.create_group("Open team", &[])?;

    let session = company.login(gus)?;
    let before = format!("{company:?}");
    let refused = company
        .apply_as(
            &session,
            Change::AddGroupMembers {
                group: insiders,
                users: vec![gus],
            },
        )
        .expect_err("the group's project is hidden from gus");
    assert!(matches!(refused, Error::Forbidden { .. }), "{refused}");
    assert!(refused.to_string().contains("`projects.all`"), "{refused}");
    let refused = company
        .apply_as(
            &session,
            Change::CreateUser {
                name: "mole".into(),
                roles: vec![],
                groups: vec![insiders],
                projects: vec![],
            },
        )
        .expect_err("the group's project is hidden from gus");
    assert!(matches!(refused, Error::Forbidden { .. }), "{refused}");
    assert_eq!(format!("{company:?}"), before);

    // A group in no hidden project is fine.
    company.apply_as(
        &session,
        Change::AddGroupMembers {
            group: open_team,
            users: vec![gus],
        },
    )?;
    Ok(())
}
