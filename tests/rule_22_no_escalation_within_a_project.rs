//! DOMAIN rule 22: "No escalation within a project: whoever gives a role
//! within a project must see that project and hold every permission of the
//! role, company-wide or within that same project. Admin and "all
//! projects" are company-wide only: giving them within a project is
//! refused."
//!
//! Changes made through a session (`apply_as`): what the actor holds within
//! a project counts for that project, and only for it. Every refusal leaves
//! the company exactly as it was (`common::refuse` and `common::refuse_as`
//! compare its `Debug` dump and revision).

mod common;

use callgate::{Change, EntityKind, Error, Permissions, Principal, RoleId, SecurityMode, names};
use common::{Clients, TestResult, add_role, add_user, give_within, refuse, refuse_as};

/// A role that manages a project's setup and members, nothing else.
fn project_keeper(c: &mut Clients) -> Result<RoleId, Error> {
    add_role(
        &mut c.company,
        "Project keeper",
        Permissions::PROJECTS_MANAGE,
        &[],
    )
}

#[test]
fn a_supervisor_within_acme_may_give_operator_within_acme_but_not_within_globex() -> TestResult {
    let mut c = Clients::new(SecurityMode::Enhanced)?;
    let tess = c.tess;
    give_within(&mut c.company, c.acme, RoleId::SUPERVISOR, &[tess.into()])?;
    let dan = add_user(&mut c.company, "dan", &[], &[c.globex])?;
    let session = c.company.login(tess)?;

    c.company.apply_as(
        &session,
        Change::AssignProjectRole {
            project: c.acme,
            role: RoleId::OPERATOR,
            principals: vec![c.leads.into()],
        },
    )?;
    assert!(
        c.company
            .permissions_in_project(c.gil, c.acme)?
            .contains(Permissions::OPERATOR)
    );

    // Within Globex she holds nothing: she may not even manage its members.
    let error = refuse_as(
        &mut c.company,
        &session,
        Change::AssignProjectRole {
            project: c.globex,
            role: RoleId::OPERATOR,
            principals: vec![dan.into()],
        },
    );
    assert_eq!(
        error,
        Error::Forbidden {
            user: "tess".into(),
            change: "give role `Operator` within project `Globex`".into(),
            missing: "projects.manage".into(),
        }
    );

    // Managing Globex's members is not holding Operator's permissions there.
    let keeper = project_keeper(&mut c)?;
    give_within(&mut c.company, c.globex, keeper, &[tess.into()])?;
    let error = refuse_as(
        &mut c.company,
        &session,
        Change::AssignProjectRole {
            project: c.globex,
            role: RoleId::OPERATOR,
            principals: vec![dan.into()],
        },
    );
    assert_eq!(
        error,
        Error::Escalation {
            user: "tess".into(),
            change: "give role `Operator` within project `Globex`".into(),
            permissions: names(Permissions::OPERATOR).to_string(),
        }
    );
    let error = refuse_as(
        &mut c.company,
        &session,
        Change::AddProjectMembers {
            project: c.globex,
            principals: vec![c.bob.into()],
            roles: vec![RoleId::OPERATOR],
        },
    );
    assert!(matches!(error, Error::Escalation { .. }), "{error:?}");
    // Without roles, adding a member to Globex is hers to do now.
    c.company.apply_as(
        &session,
        Change::AddProjectMembers {
            project: c.globex,
            principals: vec![c.bob.into()],
            roles: vec![],
        },
    )?;
    Ok(())
}

#[test]
fn nobody_gives_within_a_project_a_permission_they_lack() -> TestResult {
    let mut c = Clients::new(SecurityMode::Enhanced)?;
    let tess = c.tess;
    give_within(&mut c.company, c.acme, RoleId::SUPERVISOR, &[tess.into()])?;
    let biller = add_role(
        &mut c.company,
        "Biller",
        Permissions::BILLING_VIEW | Permissions::QUEUES_VIEW,
        &[],
    )?;
    let session = c.company.login(tess)?;

    for change in [
        Change::AssignProjectRole {
            project: c.acme,
            role: biller,
            principals: vec![c.leads.into()],
        },
        Change::AddProjectMembers {
            project: c.acme,
            principals: vec![c.bob.into()],
            roles: vec![RoleId::OPERATOR, biller],
        },
    ] {
        let error = refuse_as(&mut c.company, &session, change);
        assert!(
            matches!(&error, Error::Escalation { user, permissions, .. }
                if user == "tess" && permissions == "billing.view"),
            "{error:?}"
        );
    }
    // Held company-wide, it may be given.
    add_role(
        &mut c.company,
        "Finance reader",
        Permissions::BILLING_VIEW,
        &[tess.into()],
    )?;
    let session = c.company.login(tess)?;
    c.company.apply_as(
        &session,
        Change::AddProjectMembers {
            project: c.acme,
            principals: vec![c.bob.into()],
            roles: vec![RoleId::OPERATOR, biller],
        },
    )?;
    assert_eq!(
        c.company
            .project_member_roles(c.acme)?
            .iter()
            .find(|(m, _)| *m == c.bob.into()),
        Some(&(Principal::User(c.bob), vec![RoleId::OPERATOR, biller]))
    );
    Ok(())
}

#[test]
fn the_giver_must_see_the_project() -> TestResult {
    // sam is a Supervisor company-wide, and a member of Acme only.
    for mode in [SecurityMode::Enhanced, SecurityMode::Simple] {
        let mut c = Clients::new(mode)?;
        let sam = add_user(&mut c.company, "sam", &[RoleId::SUPERVISOR], &[c.acme])?;
        let session = c.company.login(sam)?;
        let changes = [
            Change::AssignProjectRole {
                project: c.globex,
                role: RoleId::OPERATOR,
                principals: vec![c.tess.into()],
            },
            Change::AddProjectMembers {
                project: c.globex,
                principals: vec![c.bob.into()],
                roles: vec![RoleId::OPERATOR],
            },
            Change::UnassignProjectRole {
                project: c.globex,
                role: RoleId::OPERATOR,
                principals: vec![c.tess.into()],
            },
        ];
        for change in changes {
            if mode == SecurityMode::Enhanced {
                let error = refuse_as(&mut c.company, &session, change);
                assert_eq!(
                    error,
                    Error::UnknownId {
                        kind: EntityKind::Project,
                        id: c.globex.get()
                    }
                );
            } else {
                // In simple mode every project is in sight.
                c.company.apply_as(&session, change)?;
            }
        }
        // Acme, where sam is a member, is his to staff in both modes.
        c.company.apply_as(
            &session,
            Change::AssignProjectRole {
                project: c.acme,
                role: RoleId::OPERATOR,
                principals: vec![c.tess.into()],
            },
        )?;
    }
    // Admin sees every project without being a member.
    let mut c = Clients::new(SecurityMode::Enhanced)?;
    let session = c.company.login(c.admin)?;
    c.company.apply_as(
        &session,
        Change::AssignProjectRole {
            project: c.globex,
            role: RoleId::SUPERVISOR,
            principals: vec![c.tess.into()],
        },
    )?;
    Ok(())
}

#[test]
fn projects_manage_held_within_a_project_manages_that_project_only() -> TestResult {
    let mut c = Clients::new(SecurityMode::Enhanced)?;
    let keeper = project_keeper(&mut c)?;
    let tess = c.tess;
    give_within(&mut c.company, c.acme, keeper, &[tess.into()])?;
    give_within(&mut c.company, c.acme, RoleId::OPERATOR, &[c.leads.into()])?;
    let session = c.company.login(tess)?;

    // Acme: its members, the roles given within it, its name.
    for change in [
        Change::AddProjectMembers {
            project: c.acme,
            principals: vec![c.bob.into()],
            roles: vec![],
        },
        Change::AssignProjectRole {
            project: c.acme,
            role: keeper,
            principals: vec![c.bob.into()],
        },
        Change::UnassignProjectRole {
            project: c.acme,
            role: RoleId::OPERATOR,
            principals: vec![c.leads.into()],
        },
        Change::RemoveProjectMembers {
            project: c.acme,
            principals: vec![c.bob.into()],
        },
        Change::EditProject {
            project: c.acme,
            name: None,
            description: Some("Acme Bank, retail".into()),
        },
    ] {
        c.company.apply_as(&session, change)?;
    }
    assert_eq!(
        c.company
            .project(c.acme)
            .map(|p| p.description().to_owned()),
        Some("Acme Bank, retail".to_owned())
    );
    assert_eq!(
        c.company.project_member_roles(c.acme)?,
        vec![
            (Principal::User(tess), vec![keeper]),
            (Principal::Group(c.leads), vec![]),
        ]
    );

    // Not Globex, whose member she is too, and nothing company-wide.
    for change in [
        Change::AddProjectMembers {
            project: c.globex,
            principals: vec![c.bob.into()],
            roles: vec![],
        },
        Change::EditProject {
            project: c.globex,
            name: None,
            description: Some("mine".into()),
        },
        Change::RemoveProjectMembers {
            project: c.globex,
            principals: vec![tess.into()],
        },
        Change::CreateProject {
            name: "Initech".into(),
            description: String::new(),
            principals: vec![],
            objects: vec![],
        },
    ] {
        let error = refuse_as(&mut c.company, &session, change);
        assert!(
            matches!(&error, Error::Forbidden { missing, .. } if missing == "projects.manage"),
            "{error:?}"
        );
    }
    // And at last the project itself.
    c.company
        .apply_as(&session, Change::DeleteProject { project: c.acme })?;
    assert!(c.company.project(c.acme).is_none());
    Ok(())
}

#[test]
fn an_objects_manage_permission_within_its_project_lets_one_rename_it() -> TestResult {
    let mut c = Clients::new(SecurityMode::Enhanced)?;
    give_within(&mut c.company, c.acme, RoleId::SUPERVISOR, &[c.tess.into()])?;
    let session = c.company.login(c.tess)?;

    for object in [c.acme_queue, c.shared_queue] {
        c.company.apply_as(
            &session,
            Change::RenameObject {
                object,
                name: format!("Renamed {object}"),
            },
        )?;
    }
    let error = refuse_as(
        &mut c.company,
        &session,
        Change::RenameObject {
            object: c.globex_queue,
            name: "Mine".into(),
        },
    );
    assert!(
        matches!(&error, Error::Forbidden { missing, .. } if missing == "queues.manage"),
        "{error:?}"
    );
    // Creating one is company-wide.
    let error = refuse_as(
        &mut c.company,
        &session,
        Change::CreateObject {
            kind: callgate::ObjectKind::Queue,
            name: "New".into(),
            projects: vec![],
        },
    );
    assert!(matches!(error, Error::Forbidden { .. }), "{error:?}");
    c.company.apply_as(
        &session,
        Change::DeleteObject {
            object: c.acme_queue,
        },
    )?;
    assert!(c.company.object(c.acme_queue).is_none());
    Ok(())
}

#[test]
fn admin_and_all_projects_roles_cannot_be_given_within_a_project() -> TestResult {
    let mut c = Clients::new(SecurityMode::Enhanced)?;
    let setup = add_role(
        &mut c.company,
        "Project setup",
        Permissions::PROJECTS_ALL | Permissions::QUEUES_VIEW,
        &[],
    )?;
    let admins_session = c.company.login(c.admin)?;
    for (role, name) in [(RoleId::ADMIN, "Admin"), (setup, "Project setup")] {
        let expected = Error::CompanyWideRole {
            role: name.into(),
            project: "Acme Bank".into(),
        };
        let changes = [
            Change::AssignProjectRole {
                project: c.acme,
                role,
                principals: vec![c.tess.into()],
            },
            Change::AddProjectMembers {
                project: c.acme,
                principals: vec![c.bob.into()],
                roles: vec![role],
            },
            Change::AddProjectMembers {
                project: c.acme,
                principals: vec![c.tess.into()],
                roles: vec![RoleId::OPERATOR, role],
            },
        ];
        for change in changes {
            // By the host, and by an Admin: not an escalation, a refusal.
            assert_eq!(refuse(&mut c.company, change.clone()), expected);
            assert_eq!(refuse_as(&mut c.company, &admins_session, change), expected);
        }
        assert_eq!(
            expected.to_string(),
            format!(
                "role `{name}` cannot be held within project `Acme Bank`: Admin and \
                 `projects.all` apply company-wide only"
            )
        );
    }
    // Bob was not added, tess was given nothing.
    assert!(
        c.company
            .project(c.acme)
            .is_some_and(|p| p.users().all(|u| u != c.bob))
    );
    assert_eq!(
        c.company.user(c.tess).map(|u| u.project_roles().len()),
        Some(0)
    );
    // The same roles company-wide are fine.
    c.company.apply(Change::AssignRole {
        role: setup,
        principals: vec![c.tess.into()],
    })?;
    Ok(())
}

#[test]
fn all_projects_cannot_be_added_to_a_role_held_within_a_project() -> TestResult {
    let mut c = Clients::new(SecurityMode::Enhanced)?;
    let agent = add_role(&mut c.company, "Agent", Permissions::QUEUES_VIEW, &[])?;
    let loner = add_role(
        &mut c.company,
        "Loner",
        Permissions::QUEUES_VIEW,
        &[c.bob.into()],
    )?;
    give_within(&mut c.company, c.acme, agent, &[c.leads.into()])?;
    let admins_session = c.company.login(c.admin)?;
    let with_all = Permissions::QUEUES_VIEW | Permissions::PROJECTS_ALL;
    let expected = Error::CompanyWideRole {
        role: "Agent".into(),
        project: "Acme Bank".into(),
    };
    let changes = |role| {
        [
            Change::EditRole {
                role,
                name: None,
                description: None,
                permissions: Some(with_all),
                put_users_offline: None,
            },
            Change::SetSectionAccess {
                role,
                permission: Permissions::PROJECTS_ALL,
                allowed: true,
            },
        ]
    };
    for change in changes(agent) {
        assert_eq!(refuse(&mut c.company, change.clone()), expected);
        assert_eq!(refuse_as(&mut c.company, &admins_session, change), expected);
    }
    // Held within Globex by a user directly: the same.
    give_within(&mut c.company, c.globex, loner, &[c.tess.into()])?;
    for change in changes(loner) {
        assert_eq!(
            refuse(&mut c.company, change),
            Error::CompanyWideRole {
                role: "Loner".into(),
                project: "Globex".into(),
            }
        );
    }
    // Other edits of the role are fine.
    c.company.apply(Change::SetSectionAccess {
        role: agent,
        permission: Permissions::QUEUES_MANAGE,
        allowed: true,
    })?;
    // Once nobody holds it within a project, it may get `projects.all`.
    c.company.apply(Change::UnassignProjectRole {
        project: c.acme,
        role: agent,
        principals: vec![c.leads.into()],
    })?;
    c.company.apply(changes(agent)[1].clone())?;
    assert!(
        c.company
            .role(agent)
            .is_some_and(|r| r.permissions().contains(Permissions::PROJECTS_ALL))
    );
    Ok(())
}

#[test]
fn putting_someone_in_a_group_gives_them_the_groups_roles_within_projects() -> TestResult {
    let mut c = Clients::new(SecurityMode::Enhanced)?;
    // The Leads group holds Supervisor within Acme.
    give_within(
        &mut c.company,
        c.acme,
        RoleId::SUPERVISOR,
        &[c.leads.into()],
    )?;
    // gwen may manage users and groups company-wide, and is in both
    // projects (she sees the group's project).
    let team_admin = add_role(
        &mut c.company,
        "Team admin",
        Permissions::USERS_MANAGE | Permissions::GROUPS_MANAGE,
        &[],
    )?;
    let gwen = add_user(&mut c.company, "gwen", &[team_admin], &[c.acme, c.globex])?;
    let session = c.company.login(gwen)?;
    let join = Change::AddGroupMembers {
        group: c.leads,
        users: vec![c.bob],
    };
    let create = Change::CreateUser {
        name: "newbie".into(),
        roles: vec![],
        groups: vec![c.leads],
        projects: vec![],
    };
    for change in [join.clone(), create.clone()] {
        let error = refuse_as(&mut c.company, &session, change);
        assert!(
            matches!(&error, Error::Escalation { user, permissions, .. }
                if user == "gwen" && permissions.contains("queues.manage")),
            "{error:?}"
        );
    }
    // Supervisor within Globex does not count for Acme.
    give_within(&mut c.company, c.globex, RoleId::SUPERVISOR, &[gwen.into()])?;
    let error = refuse_as(&mut c.company, &session, join.clone());
    assert!(matches!(error, Error::Escalation { .. }), "{error:?}");
    // Within Acme, it does.
    give_within(&mut c.company, c.acme, RoleId::SUPERVISOR, &[gwen.into()])?;
    c.company.apply_as(&session, join)?;
    c.company.apply_as(&session, create)?;
    assert!(
        c.company
            .permissions_in_project(c.bob, c.acme)?
            .contains(Permissions::SUPERVISOR)
    );
    Ok(())
}

#[test]
fn the_last_admin_guard_is_unaffected_by_roles_within_projects() -> TestResult {
    let mut c = Clients::new(SecurityMode::Enhanced)?;
    let admin = c.admin;
    // Every project member holds Supervisor within every project; Admin
    // itself cannot be given there.
    give_within(
        &mut c.company,
        c.acme,
        RoleId::SUPERVISOR,
        &[c.tess.into(), c.leads.into()],
    )?;
    give_within(
        &mut c.company,
        c.globex,
        RoleId::SUPERVISOR,
        &[c.tess.into()],
    )?;
    assert!(matches!(
        refuse(
            &mut c.company,
            Change::AddProjectMembers {
                project: c.acme,
                principals: vec![c.tess.into()],
                roles: vec![RoleId::ADMIN],
            },
        ),
        Error::CompanyWideRole { .. }
    ));

    for change in [
        Change::UnassignRole {
            role: RoleId::ADMIN,
            principals: vec![admin.into()],
        },
        Change::DeleteUser { user: admin },
    ] {
        let error = refuse(&mut c.company, change);
        assert!(matches!(error, Error::LastAdmin { .. }), "{error:?}");
    }
    // ann may leave every project: Admin is company-wide.
    let default = c.company.default_project().ok_or("no Default project")?;
    c.company.apply(Change::RemoveProjectMembers {
        project: default,
        principals: vec![admin.into()],
    })?;
    assert_eq!(
        c.company
            .who_can(Permissions::PROJECTS_MANAGE, callgate::Resource::Company),
        vec![admin]
    );
    Ok(())
}

/// A testing session holds the role under test company-wide and nothing
/// within projects (rule 8): a tester who holds Supervisor within Acme may
/// not, while testing a team manager role, put someone in a group that
/// holds a queue role within Acme, though the same tester may out of the
/// test.
#[test]
fn a_testing_session_gives_nothing_it_holds_only_within_a_project() -> TestResult {
    let mut c = Clients::new(SecurityMode::Enhanced)?;
    let queue_lead = add_role(
        &mut c.company,
        "Queue lead",
        Permissions::QUEUES_MANAGE,
        &[],
    )?;
    give_within(&mut c.company, c.acme, queue_lead, &[c.leads.into()])?;
    let managers = Permissions::GROUPS_MANAGE | Permissions::ROLES_MANAGE | Permissions::ROLES_TEST;
    let team_manager = add_role(&mut c.company, "Team manager", managers, &[c.tess.into()])?;
    give_within(&mut c.company, c.acme, RoleId::SUPERVISOR, &[c.tess.into()])?;
    let add_bob = Change::AddGroupMembers {
        group: c.leads,
        users: vec![c.bob],
    };

    let session = c.company.login(c.tess)?;
    let testing = c.company.start_testing(session, team_manager)?;
    let error = refuse_as(&mut c.company, &testing, add_bob.clone());
    match error {
        Error::Escalation { permissions, .. } => assert_eq!(permissions, "queues.manage"),
        other => panic!("expected an escalation, got {other}"),
    }

    c.company.apply_as(&session, add_bob)?;
    assert!(
        c.company
            .group(c.leads)
            .is_some_and(|g| g.members().any(|u| u == c.bob))
    );
    Ok(())
}
