//! DOMAIN rule 20: "A member of a project (a user or a group) can be given
//! roles within that project. They apply to that project's objects and to
//! the project itself, and to nothing else: not to other projects, not to
//! company-wide sections, reports or settings. Membership without roles
//! works as before (the member's company-wide roles apply inside the
//! project, rule 15)."
//!
//! Roles within projects apply in both security modes: the mode only
//! decides what is hidden.

mod common;

use callgate::{
    Change, Decision, DenyReason, EntityKind, Error, Permissions, Principal, Resource, RoleId,
    SecurityMode,
};
use common::{Clients, TestResult, add_role, add_user, give_within, refuse};

const MODES: [SecurityMode; 2] = [SecurityMode::Simple, SecurityMode::Enhanced];

const MISSING: Decision = Decision::Deny(DenyReason::MissingPermission);

#[test]
fn a_role_given_within_a_project_applies_to_its_objects_and_the_project_itself() -> TestResult {
    for mode in MODES {
        let mut c = Clients::new(mode)?;
        let tess = c.tess;
        let manage = Permissions::QUEUES_MANAGE;
        assert_eq!(
            c.company
                .check(tess, manage, Resource::Object(c.acme_queue)),
            MISSING,
            "{mode:?}: before"
        );

        give_within(&mut c.company, c.acme, RoleId::SUPERVISOR, &[tess.into()])?;

        let check = |action, resource| c.company.check(tess, action, resource);
        // Acme's objects and Acme itself.
        assert_eq!(
            check(manage, Resource::Object(c.acme_queue)),
            Decision::Allow,
            "{mode:?}"
        );
        assert_eq!(
            check(manage, Resource::Object(c.shared_queue)),
            Decision::Allow,
            "{mode:?}"
        );
        assert_eq!(
            check(Permissions::PROJECTS_MANAGE, Resource::Project(c.acme)),
            Decision::Allow,
            "{mode:?}"
        );
        // Not Globex, whose member she is too, nor its objects.
        assert_eq!(
            check(manage, Resource::Object(c.globex_queue)),
            MISSING,
            "{mode:?}"
        );
        assert_eq!(
            check(Permissions::QUEUES_VIEW, Resource::Object(c.globex_queue)),
            MISSING,
            "{mode:?}"
        );
        assert_eq!(
            check(Permissions::PROJECTS_VIEW, Resource::Project(c.globex)),
            MISSING,
            "{mode:?}"
        );
        // Nor anything company-wide: sections, reports, settings, or
        // creating a queue.
        for action in [
            Permissions::REPORTS_VIEW,
            Permissions::CALL_JOURNAL_VIEW,
            Permissions::COMPANY_MANAGE,
            Permissions::USERS_MANAGE,
            Permissions::ROLES_MANAGE,
            Permissions::QUEUES_MANAGE,
            Permissions::PROJECTS_VIEW,
        ] {
            assert_eq!(
                check(action, Resource::Company),
                MISSING,
                "{mode:?}: {action}"
            );
        }
        assert_eq!(c.company.effective_permissions(tess)?, Permissions::empty());
    }
    Ok(())
}

#[test]
fn adding_members_with_roles_makes_them_members_and_gives_the_roles() -> TestResult {
    for mode in MODES {
        let mut c = Clients::new(mode)?;
        let agent = add_role(
            &mut c.company,
            "Agent",
            Permissions::QUEUES_VIEW | Permissions::PROJECTS_VIEW,
            &[],
        )?;
        let pauser = add_role(
            &mut c.company,
            "Queue keeper",
            Permissions::QUEUES_MANAGE,
            &[],
        )?;
        let dora = c.company.create_user("dora")?;
        let night = c.company.create_group("Night shift", &[dora])?;
        let bob = c.bob;
        assert_eq!(
            c.company.check(
                bob,
                Permissions::QUEUES_VIEW,
                Resource::Object(c.globex_queue)
            ),
            if mode == SecurityMode::Enhanced {
                Decision::Deny(DenyReason::HiddenByProjects)
            } else {
                MISSING
            },
        );

        let report = c.company.apply(Change::AddProjectMembers {
            project: c.globex,
            principals: vec![bob.into(), night.into()],
            roles: vec![pauser, agent],
        })?;

        assert_eq!(report.affected_users, vec![bob, dora], "{mode:?}");
        let globex = c.company.project(c.globex).ok_or("Globex is gone")?;
        assert!(globex.users().any(|u| u == bob), "{mode:?}");
        assert!(globex.groups().any(|g| g == night), "{mode:?}");
        let both = if agent < pauser {
            vec![agent, pauser]
        } else {
            vec![pauser, agent]
        };
        let members = c.company.project_member_roles(c.globex)?;
        assert!(
            members.contains(&(Principal::User(bob), both.clone())),
            "{mode:?}: {members:?}"
        );
        assert!(
            members.contains(&(Principal::Group(night), both.clone())),
            "{mode:?}: {members:?}"
        );
        for user in [bob, dora] {
            for action in [Permissions::QUEUES_MANAGE, Permissions::QUEUES_VIEW] {
                assert_eq!(
                    c.company
                        .check(user, action, Resource::Object(c.globex_queue)),
                    Decision::Allow,
                    "{mode:?}: user {user}, {action}"
                );
            }
            assert_eq!(
                c.company.check(
                    user,
                    Permissions::PROJECTS_VIEW,
                    Resource::Project(c.globex)
                ),
                Decision::Allow,
                "{mode:?}"
            );
            // Globex only.
            assert_ne!(
                c.company.check(
                    user,
                    Permissions::QUEUES_VIEW,
                    Resource::Object(c.acme_queue)
                ),
                Decision::Allow,
                "{mode:?}"
            );
            assert_eq!(
                c.company
                    .check(user, Permissions::QUEUES_VIEW, Resource::Company),
                MISSING,
                "{mode:?}"
            );
        }

        // Members already there just get the roles.
        let tess = c.tess;
        c.company.apply(Change::AddProjectMembers {
            project: c.globex,
            principals: vec![tess.into()],
            roles: vec![agent],
        })?;
        assert_eq!(
            c.company.project(c.globex).map(|p| p.users().count()),
            Some(2),
            "{mode:?}"
        );
        assert_eq!(
            c.company.user(tess).map(|u| u.project_roles().collect()),
            Some(vec![(c.globex, agent)]),
            "{mode:?}"
        );
    }
    Ok(())
}

#[test]
fn a_role_given_to_a_group_within_a_project_applies_to_its_members_there_only() -> TestResult {
    for mode in MODES {
        let mut c = Clients::new(mode)?;
        let gil = c.gil;

        let report = give_within(
            &mut c.company,
            c.acme,
            RoleId::SUPERVISOR,
            &[c.leads.into()],
        )?;

        assert_eq!(report.affected_users, vec![gil], "{mode:?}");
        let check = |action, resource| c.company.check(gil, action, resource);
        assert_eq!(
            check(Permissions::QUEUES_MANAGE, Resource::Object(c.acme_queue)),
            Decision::Allow,
            "{mode:?}"
        );
        assert_eq!(
            check(Permissions::PROJECTS_MANAGE, Resource::Project(c.acme)),
            Decision::Allow,
            "{mode:?}"
        );
        assert_eq!(
            check(Permissions::REPORTS_VIEW, Resource::Company),
            MISSING,
            "{mode:?}"
        );
        let elsewhere = check(Permissions::QUEUES_VIEW, Resource::Object(c.globex_queue));
        assert_eq!(
            elsewhere,
            if mode == SecurityMode::Enhanced {
                Decision::Deny(DenyReason::HiddenByProjects)
            } else {
                MISSING
            },
            "{mode:?}"
        );
        // The group's role within Acme is not a company-wide role of the
        // group, nor a role of gil's own.
        assert_eq!(c.company.group(c.leads).map(|g| g.roles().count()), Some(0));
        assert_eq!(
            c.company.user(gil).map(|u| u.project_roles().count()),
            Some(0)
        );
        assert_eq!(c.company.effective_permissions(gil)?, Permissions::empty());
    }
    Ok(())
}

#[test]
fn roles_within_a_project_are_given_and_taken_in_bulk() -> TestResult {
    let mut c = Clients::new(SecurityMode::Enhanced)?;
    let dan = add_user(&mut c.company, "dan", &[], &[c.acme])?;
    let (tess, gil) = (c.tess, c.gil);
    let action = Permissions::QUEUES_MANAGE;
    let on = Resource::Object(c.acme_queue);

    let given = give_within(
        &mut c.company,
        c.acme,
        RoleId::SUPERVISOR,
        &[tess.into(), c.leads.into(), dan.into()],
    )?;

    assert_eq!(given.affected_users, vec![tess, gil, dan]);
    for user in [tess, gil, dan] {
        assert_eq!(c.company.check(user, action, on), Decision::Allow, "{user}");
    }
    let holders = c.company.role(RoleId::SUPERVISOR).ok_or("gone")?;
    let mut users: Vec<_> = holders.project_users().collect();
    users.sort();
    assert_eq!(users, vec![(tess, c.acme), (dan, c.acme)]);
    assert_eq!(
        holders.project_groups().collect::<Vec<_>>(),
        vec![(c.leads, c.acme)]
    );

    // Giving it again is accepted and changes nothing.
    let revision = c.company.revision();
    let again = give_within(&mut c.company, c.acme, RoleId::SUPERVISOR, &[tess.into()])?;
    assert_eq!(again.revision, revision + 1);
    assert!(again.affected_users.is_empty());

    let taken = c.company.apply(Change::UnassignProjectRole {
        project: c.acme,
        role: RoleId::SUPERVISOR,
        principals: vec![tess.into(), c.leads.into()],
    })?;

    assert_eq!(taken.affected_users, vec![tess, gil]);
    assert_eq!(c.company.check(tess, action, on), MISSING);
    assert_eq!(c.company.check(gil, action, on), MISSING);
    assert_eq!(c.company.check(dan, action, on), Decision::Allow);
    // Still members: only the roles went.
    let acme = c.company.project(c.acme).ok_or("gone")?;
    assert!(acme.users().any(|u| u == tess));
    assert!(acme.groups().any(|g| g == c.leads));
    assert_eq!(
        c.company.role(RoleId::SUPERVISOR).map(|r| (
            r.project_users().collect::<Vec<_>>(),
            r.project_groups().count()
        )),
        Some((vec![(dan, c.acme)], 0))
    );

    // Taking it from someone without it, member or not, changes nothing.
    let noop = c.company.apply(Change::UnassignProjectRole {
        project: c.acme,
        role: RoleId::SUPERVISOR,
        principals: vec![tess.into(), c.bob.into()],
    })?;
    assert!(noop.affected_users.is_empty());
    assert_eq!(c.company.check(dan, action, on), Decision::Allow);
    Ok(())
}

#[test]
fn membership_without_roles_works_as_before() -> TestResult {
    for mode in MODES {
        let mut c = Clients::new(mode)?;
        let viewer = add_role(&mut c.company, "Viewer", Permissions::QUEUES_VIEW, &[])?;
        let vic = add_user(&mut c.company, "vic", &[viewer], &[])?;

        c.company.apply(Change::AddProjectMembers {
            project: c.acme,
            principals: vec![vic.into()],
            roles: vec![],
        })?;

        // Her company-wide role applies inside the project (rule 15).
        assert_eq!(
            c.company.check(
                vic,
                Permissions::QUEUES_VIEW,
                Resource::Object(c.acme_queue)
            ),
            Decision::Allow,
            "{mode:?}"
        );
        assert_eq!(
            c.company.check(
                vic,
                Permissions::QUEUES_MANAGE,
                Resource::Object(c.acme_queue)
            ),
            MISSING,
            "{mode:?}"
        );
        assert_eq!(
            c.company.permissions_in_project(vic, c.acme)?,
            Permissions::QUEUES_VIEW
        );
        assert_eq!(
            c.company.user(vic).map(|u| u.project_roles().count()),
            Some(0)
        );
        let members = c.company.project_member_roles(c.acme)?;
        assert!(
            members.contains(&(Principal::User(vic), vec![])),
            "{mode:?}: {members:?}"
        );
    }
    Ok(())
}

#[test]
fn the_records_show_the_roles_given_within_projects() -> TestResult {
    let mut c = Clients::new(SecurityMode::Enhanced)?;
    let agent = add_role(&mut c.company, "Agent", Permissions::QUEUES_VIEW, &[])?;
    let (tess, leads) = (c.tess, c.leads);
    c.company.apply(Change::AddProjectMembers {
        project: c.globex,
        principals: vec![leads.into()],
        roles: vec![],
    })?;
    // Given in an order that is not the sorted one.
    give_within(&mut c.company, c.globex, agent, &[tess.into()])?;
    give_within(&mut c.company, c.acme, agent, &[tess.into(), leads.into()])?;
    give_within(&mut c.company, c.acme, RoleId::OPERATOR, &[tess.into()])?;
    give_within(
        &mut c.company,
        c.globex,
        RoleId::SUPERVISOR,
        &[leads.into()],
    )?;

    let user = c.company.user(tess).ok_or("tess is gone")?;
    let mut given: Vec<_> = user.project_roles().collect();
    given.sort();
    assert_eq!(
        given,
        vec![
            (c.acme, RoleId::OPERATOR),
            (c.acme, agent),
            (c.globex, agent)
        ]
    );
    assert_eq!(user.project_roles().len(), 3);
    assert_eq!(user.roles().count(), 0);
    let group = c.company.group(leads).ok_or("Leads is gone")?;
    let mut given: Vec<_> = group.project_roles().collect();
    given.sort();
    assert_eq!(given, vec![(c.acme, agent), (c.globex, RoleId::SUPERVISOR)]);
    // Only roles given directly: gil holds Agent within Acme through Leads.
    assert_eq!(
        c.company.user(c.gil).map(|u| u.project_roles().len()),
        Some(0)
    );

    let role = c.company.role(agent).ok_or("Agent is gone")?;
    let mut users: Vec<_> = role.project_users().collect();
    users.sort();
    assert_eq!(users, vec![(tess, c.acme), (tess, c.globex)]);
    assert_eq!(
        role.project_groups().collect::<Vec<_>>(),
        vec![(leads, c.acme)]
    );
    // Company-wide holders are a separate list.
    assert_eq!(role.users().count(), 0);
    assert_eq!(role.groups().count(), 0);
    assert_eq!(
        c.company
            .role(RoleId::OPERATOR)
            .map(|r| r.project_users().collect::<Vec<_>>()),
        Some(vec![(tess, c.acme)])
    );

    // Members by kind then id, each with its roles sorted by id; a member
    // given nothing is listed with no roles.
    let acme_roles = vec![RoleId::OPERATOR, agent];
    assert_eq!(
        c.company.project_member_roles(c.acme)?,
        vec![
            (Principal::User(tess), acme_roles),
            (Principal::Group(leads), vec![agent]),
        ]
    );
    let dan = add_user(&mut c.company, "dan", &[], &[c.globex])?;
    assert_eq!(
        c.company.project_member_roles(c.globex)?,
        vec![
            (Principal::User(tess), vec![agent]),
            (Principal::User(dan), vec![]),
            (Principal::Group(leads), vec![RoleId::SUPERVISOR]),
        ]
    );
    Ok(())
}

/// SPEC: `User::project_roles` and `Group::project_roles` list the pairs
/// "sorted by (project, role)", whatever order they were given in (as the
/// stored document does, so a loaded company lists them as the original).
#[test]
fn project_roles_are_listed_sorted_by_project_then_role() -> TestResult {
    let mut c = Clients::new(SecurityMode::Enhanced)?;
    let agent = add_role(&mut c.company, "Agent", Permissions::QUEUES_VIEW, &[])?;
    let (tess, leads) = (c.tess, c.leads);
    c.company.apply(Change::AddProjectMembers {
        project: c.globex,
        principals: vec![leads.into()],
        roles: vec![],
    })?;
    give_within(
        &mut c.company,
        c.globex,
        agent,
        &[tess.into(), leads.into()],
    )?;
    give_within(&mut c.company, c.acme, agent, &[tess.into(), leads.into()])?;
    give_within(
        &mut c.company,
        c.acme,
        RoleId::OPERATOR,
        &[tess.into(), leads.into()],
    )?;

    let sorted = vec![
        (c.acme, RoleId::OPERATOR),
        (c.acme, agent),
        (c.globex, agent),
    ];
    assert_eq!(
        c.company.user(tess).map(|u| u.project_roles().collect()),
        Some(sorted.clone())
    );
    assert_eq!(
        c.company.group(leads).map(|g| g.project_roles().collect()),
        Some(sorted)
    );
    Ok(())
}

#[test]
fn a_role_within_a_project_is_only_given_to_its_direct_members() -> TestResult {
    for mode in MODES {
        let mut c = Clients::new(mode)?;
        let outsiders = c.company.create_group("Outsiders", &[c.bob])?;
        let cases: [(&str, Vec<Principal>, &str); 4] = [
            ("a user in no project", vec![c.bob.into()], "user `bob`"),
            (
                "a group that is not a member",
                vec![outsiders.into()],
                "group `Outsiders`",
            ),
            (
                "a member of the project only through a group",
                vec![c.gil.into()],
                "user `gil`",
            ),
            (
                "a member and a non-member at once",
                vec![c.tess.into(), c.bob.into()],
                "user `bob`",
            ),
        ];
        for (what, principals, who) in cases {
            let error = refuse(
                &mut c.company,
                Change::AssignProjectRole {
                    project: c.acme,
                    role: RoleId::OPERATOR,
                    principals,
                },
            );
            assert_eq!(
                error,
                Error::NotProjectMember {
                    principal: who.to_owned(),
                    project: "Acme Bank".to_owned(),
                },
                "{mode:?}: {what}"
            );
            assert_eq!(
                error.to_string(),
                format!("{who} is not a member of project `Acme Bank`: add them to it first")
            );
        }
        // A member of Acme is not a member of Globex.
        let error = refuse(
            &mut c.company,
            Change::AssignProjectRole {
                project: c.globex,
                role: RoleId::OPERATOR,
                principals: vec![c.leads.into()],
            },
        );
        assert!(
            matches!(error, Error::NotProjectMember { ref project, .. } if project == "Globex"),
            "{mode:?}: {error:?}"
        );
        // Nothing was given, not even to tess in the mixed change.
        assert_eq!(
            c.company.user(c.tess).map(|u| u.project_roles().len()),
            Some(0)
        );
        assert_eq!(
            c.company
                .role(RoleId::OPERATOR)
                .map(|r| r.project_users().len() + r.project_groups().len()),
            Some(0)
        );
    }
    Ok(())
}

#[test]
fn unknown_ids_are_refused_and_change_nothing() -> TestResult {
    let mut c = Clients::new(SecurityMode::Enhanced)?;
    let ghost_role = RoleId::new(99);
    let ghost_project = callgate::ProjectId::new(99);
    let ghost_user = callgate::UserId::new(99);
    let tess = c.tess.into();
    let cases = [
        (
            Change::AssignProjectRole {
                project: c.acme,
                role: ghost_role,
                principals: vec![tess],
            },
            EntityKind::Role,
        ),
        (
            Change::AssignProjectRole {
                project: ghost_project,
                role: RoleId::OPERATOR,
                principals: vec![tess],
            },
            EntityKind::Project,
        ),
        (
            Change::AssignProjectRole {
                project: c.acme,
                role: RoleId::OPERATOR,
                principals: vec![tess, ghost_user.into()],
            },
            EntityKind::User,
        ),
        (
            Change::UnassignProjectRole {
                project: c.acme,
                role: ghost_role,
                principals: vec![tess],
            },
            EntityKind::Role,
        ),
        (
            Change::UnassignProjectRole {
                project: c.acme,
                role: RoleId::OPERATOR,
                principals: vec![ghost_user.into()],
            },
            EntityKind::User,
        ),
        (
            Change::AddProjectMembers {
                project: c.acme,
                principals: vec![c.bob.into()],
                roles: vec![RoleId::OPERATOR, ghost_role],
            },
            EntityKind::Role,
        ),
    ];
    for (change, kind) in cases {
        let error = refuse(&mut c.company, change.clone());
        assert!(
            matches!(error, Error::UnknownId { kind: k, id: 99 } if k == kind),
            "{change:?}: {error:?}"
        );
    }
    Ok(())
}
