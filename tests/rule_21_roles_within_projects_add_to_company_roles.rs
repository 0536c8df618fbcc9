//! DOMAIN rule 21: "On a scoped object, a user may do what their
//! company-wide roles grant plus what the roles given to them (or to their
//! groups) within any project that holds the object grant. Removing a member
//! from a project removes the roles they were given within it."
//!
//! On a project, the roles given within that project add to the
//! company-wide ones; on the company, nothing is added. Deleting the role,
//! the project, the user or the group removes the roles given within too.
//! Every query agrees with the check, and a testing session holds only the
//! role under test, company-wide.

mod common;

use callgate::{
    Change, Decision, DenyReason, EntityKind, Error, ObjectKind, Permissions, Principal, Resource,
    RoleId, SecurityMode,
};
use common::{
    Clients, TestResult, add_object, add_role, assert_visible_agrees_with_check, give_within,
    visible,
};

const MODES: [SecurityMode; 2] = [SecurityMode::Simple, SecurityMode::Enhanced];

const MISSING: Decision = Decision::Deny(DenyReason::MissingPermission);

#[test]
fn on_an_object_every_project_that_holds_it_adds_its_roles() -> TestResult {
    for mode in MODES {
        let mut c = Clients::new(mode)?;
        let tess = c.tess;
        // Company-wide: schedules only. Within Acme: viewing queues. Within
        // Globex, through a group: managing them.
        let planner = add_role(
            &mut c.company,
            "Planner",
            Permissions::SCHEDULES_VIEW,
            &[tess.into()],
        )?;
        let viewer = add_role(
            &mut c.company,
            "Queue viewer",
            Permissions::QUEUES_VIEW,
            &[],
        )?;
        let keeper = add_role(
            &mut c.company,
            "Queue keeper",
            Permissions::QUEUES_MANAGE,
            &[],
        )?;
        let globex_team = c.company.create_group("Globex team", &[tess])?;
        c.company.apply(Change::AddProjectMembers {
            project: c.globex,
            principals: vec![globex_team.into()],
            roles: vec![keeper],
        })?;
        give_within(&mut c.company, c.acme, viewer, &[tess.into()])?;
        let acme_schedule = add_object(
            &mut c.company,
            ObjectKind::Schedule,
            "Acme hours",
            &[c.acme],
        )?;
        let check = |action, object| c.company.check(tess, action, Resource::Object(object));

        // In Acme only: what Acme gives, plus company-wide.
        assert_eq!(
            check(Permissions::QUEUES_VIEW, c.acme_queue),
            Decision::Allow,
            "{mode:?}"
        );
        assert_eq!(
            check(Permissions::QUEUES_MANAGE, c.acme_queue),
            MISSING,
            "{mode:?}"
        );
        assert_eq!(
            check(Permissions::SCHEDULES_VIEW, acme_schedule),
            Decision::Allow,
            "{mode:?}"
        );
        assert_eq!(
            check(Permissions::SCHEDULES_MANAGE, acme_schedule),
            MISSING,
            "{mode:?}"
        );
        // In Globex only: what the group was given within Globex.
        assert_eq!(
            check(Permissions::QUEUES_MANAGE, c.globex_queue),
            Decision::Allow,
            "{mode:?}"
        );
        // In both: the union.
        assert_eq!(
            check(Permissions::QUEUES_MANAGE, c.shared_queue),
            Decision::Allow,
            "{mode:?}"
        );

        let why = c.company.explain(
            tess,
            Permissions::QUEUES_MANAGE,
            Resource::Object(c.shared_queue),
        );
        let mut grants: Vec<_> = why
            .grants()
            .iter()
            .map(|g| (g.role, g.via, g.project, g.granted))
            .collect();
        grants.sort();
        let mut expected = vec![
            (viewer, None, Some(c.acme), Permissions::QUEUES_VIEW),
            (
                keeper,
                Some(globex_team),
                Some(c.globex),
                Permissions::QUEUES_MANAGE,
            ),
        ];
        expected.sort();
        assert_eq!(grants, expected, "{mode:?}");
        assert!(why.grants().iter().all(|g| g.role != planner));

        // Leaving the group takes Globex's role away, and with it managing
        // the shared queue; Acme's role stays.
        c.company.apply(Change::RemoveGroupMembers {
            group: globex_team,
            users: vec![tess],
        })?;
        let check = |action, object| c.company.check(tess, action, Resource::Object(object));
        assert_eq!(
            check(Permissions::QUEUES_MANAGE, c.shared_queue),
            MISSING,
            "{mode:?}"
        );
        assert_eq!(
            check(Permissions::QUEUES_VIEW, c.shared_queue),
            Decision::Allow,
            "{mode:?}"
        );
    }
    Ok(())
}

#[test]
fn a_role_within_a_project_does_not_reach_its_objects_through_another_project() -> TestResult {
    // Globex's role within Globex does not follow the shared queue into
    // Acme: taking the queue out of Globex takes it away.
    let mut c = Clients::new(SecurityMode::Enhanced)?;
    give_within(
        &mut c.company,
        c.globex,
        RoleId::SUPERVISOR,
        &[c.tess.into()],
    )?;
    let action = Permissions::QUEUES_MANAGE;
    assert_eq!(
        c.company
            .check(c.tess, action, Resource::Object(c.shared_queue)),
        Decision::Allow
    );

    let report = c.company.apply(Change::RemoveProjectObjects {
        project: c.globex,
        objects: vec![c.shared_queue],
    })?;

    assert!(report.affected_users.contains(&c.tess), "{report:?}");
    assert_eq!(
        c.company
            .check(c.tess, action, Resource::Object(c.shared_queue)),
        MISSING
    );
    // Putting an Acme object into Globex brings it under Globex's roles.
    c.company.apply(Change::AddProjectObjects {
        project: c.globex,
        objects: vec![c.acme_queue],
    })?;
    assert_eq!(
        c.company
            .check(c.tess, action, Resource::Object(c.acme_queue)),
        Decision::Allow
    );
    Ok(())
}

#[test]
fn on_a_project_only_the_roles_given_within_it_add() -> TestResult {
    for mode in MODES {
        let mut c = Clients::new(mode)?;
        let tess = c.tess;
        add_role(
            &mut c.company,
            "Project viewer",
            Permissions::PROJECTS_VIEW,
            &[tess.into()],
        )?;
        let keeper = add_role(
            &mut c.company,
            "Project keeper",
            Permissions::PROJECTS_MANAGE,
            &[],
        )?;
        give_within(&mut c.company, c.acme, keeper, &[tess.into()])?;

        let on = |project| {
            c.company.check(
                tess,
                Permissions::PROJECTS_MANAGE,
                Resource::Project(project),
            )
        };
        assert_eq!(on(c.acme), Decision::Allow, "{mode:?}");
        assert_eq!(on(c.globex), MISSING, "{mode:?}");
        for project in [c.acme, c.globex] {
            assert_eq!(
                c.company
                    .check(tess, Permissions::PROJECTS_VIEW, Resource::Project(project)),
                Decision::Allow,
                "{mode:?}"
            );
        }
        // Not company-wide: creating a project needs it company-wide.
        assert_eq!(
            c.company
                .check(tess, Permissions::PROJECTS_MANAGE, Resource::Company),
            MISSING,
            "{mode:?}"
        );
        assert_eq!(
            c.company.effective_permissions(tess)?,
            Permissions::PROJECTS_VIEW
        );
        assert_eq!(
            c.company.permissions_in_project(tess, c.acme)?,
            Permissions::PROJECTS_MANAGE | Permissions::PROJECTS_VIEW
        );
        assert_eq!(
            c.company.permissions_in_project(tess, c.globex)?,
            Permissions::PROJECTS_VIEW
        );
    }
    Ok(())
}

#[test]
fn permissions_in_project_counts_groups_and_refuses_unknown_ids() -> TestResult {
    let mut c = Clients::new(SecurityMode::Enhanced)?;
    add_role(
        &mut c.company,
        "Reporter",
        Permissions::REPORTS_VIEW,
        &[c.gil.into()],
    )?;
    give_within(&mut c.company, c.acme, RoleId::OPERATOR, &[c.leads.into()])?;

    assert_eq!(
        c.company.permissions_in_project(c.gil, c.acme)?,
        Permissions::REPORTS_VIEW | Permissions::OPERATOR
    );
    // Not a member of Globex, given nothing there: company-wide only.
    assert_eq!(
        c.company.permissions_in_project(c.gil, c.globex)?,
        Permissions::REPORTS_VIEW
    );
    assert_eq!(
        c.company.effective_permissions(c.gil)?,
        Permissions::REPORTS_VIEW
    );
    // Admin holds everything in every project.
    assert_eq!(
        c.company.permissions_in_project(c.admin, c.globex)?,
        Permissions::all()
    );
    assert_eq!(
        c.company
            .permissions_in_project(callgate::UserId::new(99), c.acme),
        Err(Error::UnknownId {
            kind: EntityKind::User,
            id: 99
        })
    );
    assert_eq!(
        c.company
            .permissions_in_project(c.gil, callgate::ProjectId::new(99)),
        Err(Error::UnknownId {
            kind: EntityKind::Project,
            id: 99
        })
    );
    Ok(())
}

/// Each change that takes away the role given within Acme to tess
/// (directly) and to Leads (so to gil), applied to a fresh company.
#[test]
fn removing_the_member_the_role_the_project_the_user_or_the_group_removes_the_roles_given_within()
-> TestResult {
    struct Removal {
        what: &'static str,
        change: fn(&Clients, RoleId) -> Change,
        /// Whether tess, Leads and gil no longer hold the role within Acme.
        loses: (bool, bool, bool),
    }
    let removals = [
        Removal {
            what: "remove tess from Acme",
            change: |c, _| Change::RemoveProjectMembers {
                project: c.acme,
                principals: vec![c.tess.into()],
            },
            loses: (true, false, false),
        },
        Removal {
            what: "remove Leads from Acme",
            change: |c, _| Change::RemoveProjectMembers {
                project: c.acme,
                principals: vec![c.leads.into()],
            },
            loses: (false, true, true),
        },
        Removal {
            what: "delete the role",
            change: |_, role| Change::DeleteRole { role },
            loses: (true, true, true),
        },
        Removal {
            what: "delete the project",
            change: |c, _| Change::DeleteProject { project: c.acme },
            loses: (true, true, true),
        },
        Removal {
            what: "delete the group",
            change: |c, _| Change::DeleteGroup { group: c.leads },
            loses: (false, true, true),
        },
        Removal {
            what: "delete tess",
            change: |c, _| Change::DeleteUser { user: c.tess },
            loses: (true, false, false),
        },
        Removal {
            what: "remove gil from Leads",
            change: |c, _| Change::RemoveGroupMembers {
                group: c.leads,
                users: vec![c.gil],
            },
            loses: (false, false, true),
        },
    ];
    for Removal {
        what,
        change,
        loses: (tess_loses, leads_lose, gil_loses),
    } in removals
    {
        let mut c = Clients::new(SecurityMode::Enhanced)?;
        let keeper = add_role(
            &mut c.company,
            "Queue keeper",
            Permissions::QUEUES_MANAGE,
            &[],
        )?;
        give_within(
            &mut c.company,
            c.acme,
            keeper,
            &[c.tess.into(), c.leads.into()],
        )?;
        let (tess, gil, leads) = (c.tess, c.gil, c.leads);
        let manage = |c: &Clients, user| {
            c.company.check(
                user,
                Permissions::QUEUES_MANAGE,
                Resource::Object(c.acme_queue),
            )
        };
        assert_eq!(manage(&c, tess), Decision::Allow, "{what}");
        assert_eq!(manage(&c, gil), Decision::Allow, "{what}");

        let report = c.company.apply(change(&c, keeper))?;

        assert_eq!(manage(&c, tess) != Decision::Allow, tess_loses, "{what}");
        assert_eq!(manage(&c, gil) != Decision::Allow, gil_loses, "{what}");
        assert_eq!(
            report.affected_users.contains(&gil),
            gil_loses,
            "{what}: {report:?}"
        );
        // The records, both ways.
        let holds = |c: &Clients, member: Principal| {
            let by_member = match member {
                Principal::User(u) => c
                    .company
                    .user(u)
                    .is_some_and(|u| u.project_roles().any(|pr| pr == (c.acme, keeper))),
                Principal::Group(g) => c
                    .company
                    .group(g)
                    .is_some_and(|g| g.project_roles().any(|pr| pr == (c.acme, keeper))),
            };
            let by_role = c.company.role(keeper).is_some_and(|r| match member {
                Principal::User(u) => r.project_users().any(|up| up == (u, c.acme)),
                Principal::Group(g) => r.project_groups().any(|gp| gp == (g, c.acme)),
            });
            let listed = c.company.project_member_roles(c.acme).is_ok_and(|members| {
                members
                    .iter()
                    .any(|(m, roles)| *m == member && roles.contains(&keeper))
            });
            assert_eq!(by_member, by_role, "{what}: {member:?}");
            assert_eq!(by_member, listed, "{what}: {member:?}");
            by_member
        };
        assert_eq!(holds(&c, tess.into()), !tess_loses, "{what}");
        assert_eq!(holds(&c, leads.into()), !leads_lose, "{what}");
    }
    Ok(())
}

#[test]
fn coming_back_to_a_project_does_not_bring_back_the_roles_given_within() -> TestResult {
    let mut c = Clients::new(SecurityMode::Enhanced)?;
    give_within(&mut c.company, c.acme, RoleId::SUPERVISOR, &[c.tess.into()])?;
    c.company.apply(Change::RemoveProjectMembers {
        project: c.acme,
        principals: vec![c.tess.into()],
    })?;

    c.company.apply(Change::AddProjectMembers {
        project: c.acme,
        principals: vec![c.tess.into()],
        roles: vec![],
    })?;

    assert_eq!(
        c.company.check(
            c.tess,
            Permissions::QUEUES_VIEW,
            Resource::Object(c.acme_queue)
        ),
        MISSING
    );
    assert_eq!(
        c.company.permissions_in_project(c.tess, c.acme)?,
        Permissions::empty()
    );
    assert_eq!(
        c.company.project_member_roles(c.acme)?.first(),
        Some(&(c.tess.into(), vec![]))
    );
    Ok(())
}

#[test]
fn who_can_counts_roles_given_within_projects() -> TestResult {
    for mode in MODES {
        let mut c = Clients::new(mode)?;
        let (admin, tess, gil) = (c.admin, c.tess, c.gil);
        give_within(
            &mut c.company,
            c.acme,
            RoleId::SUPERVISOR,
            &[c.leads.into()],
        )?;
        give_within(&mut c.company, c.globex, RoleId::SUPERVISOR, &[tess.into()])?;
        let manage = Permissions::QUEUES_MANAGE;

        assert_eq!(
            c.company.who_can(manage, Resource::Object(c.acme_queue)),
            vec![admin, gil],
            "{mode:?}"
        );
        assert_eq!(
            c.company.who_can(manage, Resource::Object(c.globex_queue)),
            vec![admin, tess],
            "{mode:?}"
        );
        assert_eq!(
            c.company.who_can(manage, Resource::Object(c.shared_queue)),
            vec![admin, tess, gil],
            "{mode:?}"
        );
        assert_eq!(
            c.company
                .who_can(Permissions::PROJECTS_MANAGE, Resource::Project(c.acme)),
            vec![admin, gil],
            "{mode:?}"
        );
        assert_eq!(
            c.company.who_can(manage, Resource::Company),
            vec![admin],
            "{mode:?}"
        );
        assert!(
            c.company
                .who_can(manage, Resource::Object(callgate::ObjectId::new(99)))
                .is_empty()
        );
        // Exactly the users the check allows.
        for resource in [
            Resource::Company,
            Resource::Object(c.acme_queue),
            Resource::Object(c.globex_queue),
            Resource::Object(c.shared_queue),
        ] {
            let allowed: Vec<_> = c
                .company
                .users()
                .map(|(id, _)| id)
                .filter(|&u| c.company.check(u, manage, resource).is_allowed())
                .collect();
            assert_eq!(
                c.company.who_can(manage, resource),
                allowed,
                "{mode:?}: {resource:?}"
            );
        }
    }
    Ok(())
}

#[test]
fn allowed_and_visible_objects_agree_with_the_check() -> TestResult {
    for mode in MODES {
        let mut c = Clients::new(mode)?;
        let (tess, gil, bob) = (c.tess, c.gil, c.bob);
        let viewer = add_role(
            &mut c.company,
            "Queue viewer",
            Permissions::QUEUES_VIEW,
            &[],
        )?;
        give_within(&mut c.company, c.acme, viewer, &[tess.into()])?;
        give_within(&mut c.company, c.globex, RoleId::SUPERVISOR, &[tess.into()])?;
        give_within(
            &mut c.company,
            c.acme,
            RoleId::SUPERVISOR,
            &[c.leads.into()],
        )?;
        let loose = c.company.create_object(ObjectKind::Queue, "Loose")?;
        let acme_list = add_object(&mut c.company, ObjectKind::List, "Acme leads", &[c.acme])?;

        let allowed = |user, action| -> Result<Vec<_>, Error> {
            let mut objects: Vec<_> = c
                .company
                .allowed_objects(user, action, ObjectKind::Queue)?
                .collect();
            objects.sort();
            Ok(objects)
        };
        // Without any company-wide role, the roles within projects decide.
        assert_eq!(
            allowed(tess, Permissions::QUEUES_MANAGE)?,
            vec![c.globex_queue, c.shared_queue],
            "{mode:?}"
        );
        assert_eq!(
            allowed(tess, Permissions::QUEUES_VIEW)?,
            vec![c.acme_queue, c.globex_queue, c.shared_queue],
            "{mode:?}"
        );
        assert_eq!(
            allowed(gil, Permissions::QUEUES_MANAGE)?,
            vec![c.acme_queue, c.shared_queue],
            "{mode:?}"
        );
        let mut seen = visible(&c.company, gil, ObjectKind::Queue)?;
        seen.sort();
        assert_eq!(seen, vec![c.acme_queue, c.shared_queue], "{mode:?}");
        assert_eq!(
            visible(&c.company, gil, ObjectKind::List)?,
            vec![acme_list],
            "{mode:?}"
        );
        assert!(
            visible(&c.company, bob, ObjectKind::Queue)?.is_empty(),
            "{mode:?}"
        );
        assert!(!allowed(tess, Permissions::QUEUES_VIEW)?.contains(&loose));

        for user in c.company.users().map(|(id, _)| id).collect::<Vec<_>>() {
            for kind in [ObjectKind::Queue, ObjectKind::List] {
                assert_visible_agrees_with_check(&c.company, user, kind)?;
                for action in [kind.view_permission(), kind.manage_permission()] {
                    let mut listed: Vec<_> =
                        c.company.allowed_objects(user, action, kind)?.collect();
                    listed.sort();
                    let checked: Vec<_> = c
                        .company
                        .objects()
                        .filter(|(_, o)| o.kind() == kind)
                        .map(|(id, _)| id)
                        .filter(|&o| {
                            c.company
                                .check(user, action, Resource::Object(o))
                                .is_allowed()
                        })
                        .collect();
                    assert_eq!(listed, checked, "{mode:?}: user {user}, {action}");
                }
            }
        }
    }
    Ok(())
}

#[test]
fn a_testing_session_gets_no_permission_within_projects() -> TestResult {
    let mut c = Clients::new(SecurityMode::Enhanced)?;
    let tess = c.tess;
    // Company-wide she may test roles and view queues; within Acme she is
    // a Supervisor.
    add_role(
        &mut c.company,
        "Role tester",
        Permissions::ROLES_MANAGE | Permissions::ROLES_TEST | Permissions::QUEUES_VIEW,
        &[tess.into()],
    )?;
    let viewer = add_role(
        &mut c.company,
        "Queue viewer",
        Permissions::QUEUES_VIEW,
        &[],
    )?;
    give_within(&mut c.company, c.acme, RoleId::SUPERVISOR, &[tess.into()])?;
    let acme_hours = add_object(
        &mut c.company,
        ObjectKind::Schedule,
        "Acme hours",
        &[c.acme],
    )?;
    let own = c.company.login(tess)?;
    let testing = c.company.start_testing(own, viewer)?;
    let ask =
        |session, action, resource| c.company.check_session(session, action, resource).decision;
    let queue = Resource::Object(c.acme_queue);

    // Her own session: Supervisor within Acme applies.
    assert_eq!(
        ask(&own, Permissions::QUEUES_MANAGE, queue),
        Decision::Allow
    );
    assert_eq!(
        ask(
            &own,
            Permissions::PROJECTS_MANAGE,
            Resource::Project(c.acme)
        ),
        Decision::Allow
    );
    assert_eq!(
        ask(
            &own,
            Permissions::SCHEDULES_VIEW,
            Resource::Object(acme_hours)
        ),
        Decision::Allow
    );
    // Testing: the tested role only, company-wide.
    assert_eq!(
        ask(&testing, Permissions::QUEUES_VIEW, queue),
        Decision::Allow
    );
    assert_eq!(ask(&testing, Permissions::QUEUES_MANAGE, queue), MISSING);
    assert_eq!(
        ask(
            &testing,
            Permissions::PROJECTS_MANAGE,
            Resource::Project(c.acme)
        ),
        MISSING
    );
    assert_eq!(
        ask(
            &testing,
            Permissions::SCHEDULES_VIEW,
            Resource::Object(acme_hours)
        ),
        MISSING
    );
    // The listings agree.
    assert_eq!(
        c.company
            .visible_objects_as(&own, ObjectKind::Schedule)?
            .collect::<Vec<_>>(),
        vec![acme_hours]
    );
    assert_eq!(
        c.company
            .visible_objects_as(&testing, ObjectKind::Schedule)?
            .count(),
        0
    );
    // The explanation of a testing session names no grant within a project.
    let why = c
        .company
        .explain_session(&testing, Permissions::QUEUES_MANAGE, queue);
    assert_eq!(why.decision(), MISSING);
    assert!(why.grants().iter().all(|g| g.project.is_none()), "{why}");
    let why = c
        .company
        .explain_session(&own, Permissions::QUEUES_MANAGE, queue);
    assert_eq!(why.decision(), Decision::Allow);
    assert!(
        why.grants().iter().any(|g| g.project == Some(c.acme)),
        "{why}"
    );
    // Nor may a testing session act with them (rule 22).
    let error = common::refuse_as(
        &mut c.company,
        &testing,
        Change::EditProject {
            project: c.acme,
            name: None,
            description: Some("Testing".into()),
        },
    );
    assert!(matches!(error, Error::Forbidden { .. }), "{error:?}");
    c.company.apply_as(
        &own,
        Change::EditProject {
            project: c.acme,
            name: None,
            description: Some("Own".into()),
        },
    )?;
    Ok(())
}

/// What the records say a user may do to an object: company-wide roles,
/// plus the roles given within each project that holds the object and that
/// the user belongs to, directly or through a group (SPEC: the check).
fn expected_on_object(
    company: &callgate::Company,
    user: callgate::UserId,
    object: callgate::ObjectId,
) -> Permissions {
    let Some(record) = company.user(user) else {
        return Permissions::empty();
    };
    let Some(object) = company.object(object) else {
        return Permissions::empty();
    };
    let permissions = |role| {
        company
            .role(role)
            .map_or(Permissions::empty(), |r| r.permissions())
    };
    let mut granted = company.effective_permissions(user).unwrap_or_default();
    let groups: Vec<_> = record.groups().filter_map(|g| company.group(g)).collect();
    for project in object.projects() {
        let member = record.projects().any(|p| p == project)
            || groups.iter().any(|g| g.projects().any(|p| p == project));
        if !member {
            continue;
        }
        let within = record
            .project_roles()
            .chain(groups.iter().flat_map(|g| g.project_roles()))
            .filter(|&(p, _)| p == project);
        for (_, role) in within {
            granted |= permissions(role);
        }
    }
    granted
}

#[test]
fn the_check_agrees_with_the_records_for_users_in_many_projects() -> TestResult {
    for mode in MODES {
        let mut c = Clients::new(mode)?;
        let tess = c.tess;
        let kinds = [ObjectKind::Queue, ObjectKind::List, ObjectKind::Schedule];
        let roles = [
            add_role(&mut c.company, "Queues", Permissions::QUEUES_MANAGE, &[])?,
            add_role(&mut c.company, "Lists", Permissions::LISTS_VIEW, &[])?,
            add_role(
                &mut c.company,
                "Schedules",
                Permissions::SCHEDULES_MANAGE | Permissions::LISTS_MANAGE,
                &[],
            )?,
        ];
        let crew = c.company.create_group("Crew", &[tess, c.gil])?;
        // Nine more projects: tess a member of some directly, of some
        // through Crew, of some both ways; roles given within most.
        let mut projects = vec![c.acme, c.globex];
        for i in 0..9_usize {
            let project = c.company.create_project(format!("Client {i}"), "")?;
            projects.push(project);
            let mut principals = Vec::new();
            if i % 3 != 1 {
                principals.push(tess.into());
            }
            if i % 3 != 0 {
                principals.push(crew.into());
            }
            c.company.apply(Change::AddProjectMembers {
                project,
                principals: principals.clone(),
                roles: vec![],
            })?;
            for (j, &role) in roles.iter().enumerate() {
                if (i + j) % 2 == 0 {
                    if let Some(&member) = principals.get((i + j) % principals.len()) {
                        give_within(&mut c.company, project, role, &[member])?;
                    }
                }
            }
        }
        // Objects in one, two or three projects, or none.
        let mut objects = Vec::new();
        for (n, &kind) in (0..24_usize).zip(kinds.iter().cycle()) {
            let held: Vec<_> = (0..n % 4)
                .map(|k| projects[(n + 4 * k) % projects.len()])
                .collect();
            objects.push(add_object(
                &mut c.company,
                kind,
                &format!("Object {n}"),
                &held,
            )?);
        }
        let users: Vec<_> = c.company.users().map(|(id, _)| id).collect();
        let mut allowed_somewhere = 0;
        for &user in &users {
            for &object in &objects {
                let kind = c.company.object(object).ok_or("gone")?.kind();
                let expected = expected_on_object(&c.company, user, object);
                for action in [kind.view_permission(), kind.manage_permission()] {
                    let decision = c.company.check(user, action, Resource::Object(object));
                    if decision.is_allowed() {
                        allowed_somewhere += 1;
                    } else if decision == Decision::Deny(DenyReason::HiddenByProjects) {
                        continue;
                    }
                    assert_eq!(
                        decision.is_allowed(),
                        expected.contains(action),
                        "{mode:?}: user {user}, {action} on object {object}"
                    );
                }
            }
            for kind in kinds {
                assert_visible_agrees_with_check(&c.company, user, kind)?;
                for action in [kind.view_permission(), kind.manage_permission()] {
                    let mut listed: Vec<_> =
                        c.company.allowed_objects(user, action, kind)?.collect();
                    listed.sort();
                    let checked: Vec<_> = c
                        .company
                        .objects()
                        .filter(|(_, o)| o.kind() == kind)
                        .map(|(id, _)| id)
                        .filter(|&o| {
                            c.company
                                .check(user, action, Resource::Object(o))
                                .is_allowed()
                        })
                        .collect();
                    assert_eq!(listed, checked, "{mode:?}: user {user}, {action}");
                }
            }
            for &project in &projects {
                let mut expected = c.company.effective_permissions(user)?;
                let record = c.company.user(user).ok_or("gone")?;
                let given = record.project_roles().chain(
                    record
                        .groups()
                        .filter_map(|g| c.company.group(g))
                        .flat_map(|g| g.project_roles().collect::<Vec<_>>()),
                );
                for (p, role) in given {
                    if p == project {
                        expected |= c.company.role(role).ok_or("gone")?.permissions();
                    }
                }
                assert_eq!(
                    c.company.permissions_in_project(user, project)?,
                    expected,
                    "{mode:?}"
                );
            }
        }
        assert!(allowed_somewhere > 20, "{mode:?}: {allowed_somewhere}");
    }
    Ok(())
}

#[test]
fn roles_within_projects_survive_switching_the_security_mode() -> TestResult {
    let mut c = Clients::new(SecurityMode::Enhanced)?;
    give_within(&mut c.company, c.acme, RoleId::SUPERVISOR, &[c.tess.into()])?;
    let manage = |c: &Clients, object| {
        c.company
            .check(c.tess, Permissions::QUEUES_MANAGE, Resource::Object(object))
    };
    for mode in [SecurityMode::Simple, SecurityMode::Enhanced] {
        c.company.apply(Change::SetSecurityMode { mode })?;
        assert_eq!(manage(&c, c.acme_queue), Decision::Allow, "{mode:?}");
        assert_eq!(manage(&c, c.globex_queue), MISSING, "{mode:?}");
        assert_eq!(
            c.company.project_member_roles(c.acme)?.first(),
            Some(&(Principal::User(c.tess), vec![RoleId::SUPERVISOR])),
            "{mode:?}"
        );
    }
    Ok(())
}

/// `ChangeReport::affected_users` names the users whose permissions within
/// a project change, in simple mode too (where membership alone changes
/// nothing a user may do).
#[test]
fn affected_users_names_whose_permissions_within_projects_change() -> TestResult {
    type Make = fn(&Clients, RoleId) -> Change;
    type Affected = fn(&Clients) -> Vec<callgate::UserId>;
    // (what, the change, who is affected), on Clients where Leads (gil)
    // holds `Keeper` within Acme and tess holds it within Globex.
    let cases: [(&str, Make, Affected); 9] = [
        (
            "bob joins Leads",
            |c, _| Change::AddGroupMembers {
                group: c.leads,
                users: vec![c.bob],
            },
            |c| vec![c.bob],
        ),
        (
            "gil leaves Leads",
            |c, _| Change::RemoveGroupMembers {
                group: c.leads,
                users: vec![c.gil],
            },
            |c| vec![c.gil],
        ),
        (
            "a new user in Leads",
            |c, _| Change::CreateUser {
                name: "newbie".into(),
                roles: vec![],
                groups: vec![c.leads],
                projects: vec![],
            },
            |_| vec![callgate::UserId::new(4)],
        ),
        (
            "the role edited",
            |_, role| Change::SetSectionAccess {
                role,
                permission: Permissions::QUEUES_MANAGE,
                allowed: true,
            },
            |c| vec![c.tess, c.gil],
        ),
        (
            "the role deleted",
            |_, role| Change::DeleteRole { role },
            |c| vec![c.tess, c.gil],
        ),
        (
            "Leads deleted",
            |c, _| Change::DeleteGroup { group: c.leads },
            |c| vec![c.gil],
        ),
        (
            "Globex deleted",
            |c, _| Change::DeleteProject { project: c.globex },
            |c| vec![c.tess],
        ),
        (
            "Acme's queue put into Globex",
            |c, _| Change::AddProjectObjects {
                project: c.globex,
                objects: vec![c.acme_queue],
            },
            |c| vec![c.tess],
        ),
        (
            "Globex's queue taken out of Globex",
            |c, _| Change::RemoveProjectObjects {
                project: c.globex,
                objects: vec![c.globex_queue],
            },
            |c| vec![c.tess],
        ),
    ];
    for mode in MODES {
        for (what, make, affected) in cases {
            let mut c = Clients::new(mode)?;
            let keeper = add_role(&mut c.company, "Keeper", Permissions::QUEUES_VIEW, &[])?;
            give_within(&mut c.company, c.acme, keeper, &[c.leads.into()])?;
            give_within(&mut c.company, c.globex, keeper, &[c.tess.into()])?;
            let change = make(&c, keeper);

            let report = c.company.apply(change)?;

            let mut expected = affected(&c);
            expected.sort();
            assert_eq!(report.affected_users, expected, "{mode:?}: {what}");
        }
    }
    Ok(())
}

/// Editing a role held within a project changes what its holders may do
/// there at once, directly and through a group, and reports them.
#[test]
fn editing_a_role_held_within_a_project_reaches_its_holders() -> TestResult {
    let mut c = Clients::new(SecurityMode::Enhanced)?;
    let agent = add_role(&mut c.company, "Agent", Permissions::QUEUES_VIEW, &[])?;
    give_within(
        &mut c.company,
        c.acme,
        agent,
        &[c.tess.into(), c.leads.into()],
    )?;
    let acme_queue = Resource::Object(c.acme_queue);
    for user in [c.tess, c.gil] {
        assert!(
            !c.company
                .check(user, Permissions::QUEUES_MANAGE, acme_queue)
                .is_allowed()
        );
    }

    let report = c.company.apply(Change::EditRole {
        role: agent,
        name: None,
        description: None,
        permissions: Some(Permissions::QUEUES_MANAGE),
        put_users_offline: None,
    })?;

    for user in [c.tess, c.gil] {
        assert!(
            c.company
                .check(user, Permissions::QUEUES_MANAGE, acme_queue)
                .is_allowed()
        );
        assert!(report.affected_users.contains(&user), "{report:?}");
    }
    assert!(
        !c.company
            .check(
                c.tess,
                Permissions::QUEUES_MANAGE,
                Resource::Object(c.globex_queue)
            )
            .is_allowed()
    );
    assert_eq!(&c.company.compile(), c.company.snapshot());
    Ok(())
}
