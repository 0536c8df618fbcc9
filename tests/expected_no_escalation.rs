//! A rule every user of such a system expects (DOMAIN.md): "No escalation:
//! whoever edits a role or assigns one cannot hand out a permission they do
//! not hold themselves."
//!
//! Every path that hands out permissions is covered: creating a role, editing
//! its permissions, switching a section on, assigning a role, creating a user
//! with roles or groups, adding members to a group that carries a role, and
//! testing a role. Each refusal leaves the company exactly as it was; the
//! same changes within the actor's own permissions are accepted.

#[path = "support_sessions/mod.rs"]
mod support;

use callgate::{Change, Company, Error, GroupId, Permissions, RoleId, Session, UserId};
use support::{
    TestResult, accepted, company_with_admin, new_role, refused_as, set_role_permissions,
    user_holding, user_with_permissions,
};

/// A company where sam holds Supervisor (no finance, KPI, security or
/// `projects.all`), with a group "Owners" that carries Admin, a group
/// "Agents" that carries Operator, a custom role "Cashier" with finance and a
/// plain user bob.
struct Fixture {
    company: Company,
    sam: UserId,
    session: Session,
    bob: UserId,
    owners: GroupId,
    agents: GroupId,
    cashier: RoleId,
}

fn fixture() -> Result<Fixture, Error> {
    let (mut company, ann) = company_with_admin()?;
    let sam = user_holding(&mut company, "sam", RoleId::SUPERVISOR)?;
    let bob = company.create_user("bob")?;
    let owners = company.create_group("Owners", &[ann])?;
    let agents = company.create_group("Agents", &[])?;
    company.apply(Change::AssignRole {
        role: RoleId::ADMIN,
        principals: vec![owners.into()],
    })?;
    company.apply(Change::AssignRole {
        role: RoleId::OPERATOR,
        principals: vec![agents.into()],
    })?;
    let cashier = company.create_role("Cashier", "", Permissions::PAYMENTS_MANAGE)?;
    let session = company.login(sam)?;
    Ok(Fixture {
        company,
        sam,
        session,
        bob,
        owners,
        agents,
        cashier,
    })
}

/// Asserts that sam's change is refused as an escalation naming exactly
/// `permissions`, with the company unchanged.
#[track_caller]
fn assert_escalation(f: &mut Fixture, change: Change, describes: &str, permissions: &str) {
    let session = f.session;
    let error = refused_as(&mut f.company, &session, change);
    assert_eq!(
        error,
        Error::Escalation {
            user: "sam".into(),
            change: describes.into(),
            permissions: permissions.into(),
        }
    );
}

/// Asserts that sam's change is accepted.
#[track_caller]
fn assert_allowed(f: &mut Fixture, change: Change) {
    let session = f.session;
    let description = format!("{change:?}");
    if let Err(error) = f.company.apply_as(&session, change) {
        panic!("`{description}` was refused: {error}");
    }
}

#[test]
fn creating_a_role_cannot_grant_what_the_actor_lacks() -> TestResult {
    let mut f = fixture()?;
    assert_escalation(
        &mut f,
        new_role(
            "Accountant",
            Permissions::BILLING_VIEW | Permissions::REPORTS_VIEW,
        ),
        "create role `Accountant`",
        "billing.view",
    );
    assert_escalation(
        &mut f,
        new_role("Project lead", Permissions::PROJECTS_ALL),
        "create role `Project lead`",
        "projects.all",
    );
    // Manage brings view: both are named, as the manage permission.
    assert_escalation(
        &mut f,
        new_role("Treasurer", Permissions::PAYMENTS_MANAGE),
        "create role `Treasurer`",
        "payments.manage",
    );
    assert_allowed(&mut f, new_role("Reporter", Permissions::REPORTS_MANAGE));
    assert_allowed(&mut f, new_role("Deputy", Permissions::SUPERVISOR));
    Ok(())
}

#[test]
fn editing_a_roles_permissions_cannot_grant_what_the_actor_lacks() -> TestResult {
    let mut f = fixture()?;
    let reporter = f
        .company
        .create_role("Reporter", "", Permissions::REPORTS_VIEW)?;
    assert_escalation(
        &mut f,
        set_role_permissions(reporter, Permissions::REPORTS_VIEW | Permissions::KPI_VIEW),
        "edit role `Reporter`",
        "kpi.view",
    );
    assert_allowed(
        &mut f,
        set_role_permissions(
            reporter,
            Permissions::REPORTS_MANAGE | Permissions::SHIFTS_VIEW,
        ),
    );
    Ok(())
}

/// Engine's choice: an edit that replaces the permission set is judged on
/// the whole new set (as Kubernetes RBAC does), so an actor cannot resave a
/// role that keeps a permission they lack. Switching sections off still
/// works, and renaming does not touch permissions.
#[test]
fn replacing_the_permissions_of_a_role_is_judged_on_the_whole_new_set() -> TestResult {
    let mut f = fixture()?;
    let cashier = f.cashier;
    assert_escalation(
        &mut f,
        set_role_permissions(
            cashier,
            Permissions::PAYMENTS_MANAGE | Permissions::REPORTS_VIEW,
        ),
        "edit role `Cashier`",
        "payments.manage",
    );
    assert_allowed(&mut f, support::rename_role(cashier, "Payments"));
    assert_allowed(
        &mut f,
        Change::SetSectionAccess {
            role: cashier,
            permission: Permissions::PAYMENTS_MANAGE,
            allowed: false,
        },
    );
    Ok(())
}

#[test]
fn switching_a_section_on_cannot_grant_what_the_actor_lacks() -> TestResult {
    let mut f = fixture()?;
    let reporter = f
        .company
        .create_role("Reporter", "", Permissions::REPORTS_VIEW)?;
    assert_escalation(
        &mut f,
        Change::SetSectionAccess {
            role: reporter,
            permission: Permissions::SECURITY_MANAGE,
            allowed: true,
        },
        "switch a section of role `Reporter`",
        "security.manage",
    );
    assert_allowed(
        &mut f,
        Change::SetSectionAccess {
            role: reporter,
            permission: Permissions::SHIFTS_MANAGE,
            allowed: true,
        },
    );
    Ok(())
}

#[test]
fn switching_a_section_off_is_never_an_escalation() -> TestResult {
    let mut f = fixture()?;
    let cashier = f.cashier;
    // sam holds no finance permission, yet may take one away.
    assert_allowed(
        &mut f,
        Change::SetSectionAccess {
            role: cashier,
            permission: Permissions::PAYMENTS_VIEW,
            allowed: false,
        },
    );
    assert_eq!(
        f.company.role(cashier).map(callgate::Role::permissions),
        Some(Permissions::empty())
    );
    Ok(())
}

#[test]
fn assigning_a_role_cannot_hand_out_what_the_actor_lacks() -> TestResult {
    let mut f = fixture()?;
    let (sam, bob, agents, cashier) = (f.sam, f.bob, f.agents, f.cashier);
    // Not to someone else, not to a group, not to themselves.
    for principal in [bob.into(), agents.into(), sam.into()] {
        assert_escalation(
            &mut f,
            Change::AssignRole {
                role: RoleId::ADMIN,
                principals: vec![principal],
            },
            "assign role `Admin`",
            "kpi.manage | balance.view | billing.manage | payments.manage | security.manage | \
             projects.all",
        );
        assert_escalation(
            &mut f,
            Change::AssignRole {
                role: cashier,
                principals: vec![principal],
            },
            "assign role `Cashier`",
            "payments.manage",
        );
    }
    assert_allowed(
        &mut f,
        Change::AssignRole {
            role: RoleId::OPERATOR,
            principals: vec![bob.into()],
        },
    );
    assert_allowed(
        &mut f,
        Change::AssignRole {
            role: RoleId::SUPERVISOR,
            principals: vec![bob.into(), agents.into()],
        },
    );
    Ok(())
}

#[test]
fn taking_a_role_away_is_never_an_escalation() -> TestResult {
    let mut f = fixture()?;
    let owners = f.owners;
    let cashier = f.cashier;
    let bob = f.bob;
    accepted(
        &mut f.company,
        Change::AssignRole {
            role: cashier,
            principals: vec![bob.into()],
        },
    );
    assert_allowed(
        &mut f,
        Change::UnassignRole {
            role: cashier,
            principals: vec![bob.into()],
        },
    );
    // ann still holds Admin directly, so Owners may lose it.
    assert_allowed(
        &mut f,
        Change::UnassignRole {
            role: RoleId::ADMIN,
            principals: vec![owners.into()],
        },
    );
    Ok(())
}

#[test]
fn creating_a_user_cannot_hand_out_roles_the_actor_lacks() -> TestResult {
    let mut f = fixture()?;
    let (owners, agents, cashier) = (f.owners, f.agents, f.cashier);
    let create = |roles: Vec<RoleId>, groups: Vec<GroupId>| Change::CreateUser {
        name: "cid".into(),
        roles,
        groups,
        projects: vec![],
    };
    assert_escalation(
        &mut f,
        create(vec![RoleId::OPERATOR, cashier], vec![]),
        "create user `cid`",
        "payments.manage",
    );
    assert_escalation(
        &mut f,
        create(vec![], vec![agents, owners]),
        "create user `cid`",
        "kpi.manage | balance.view | billing.manage | payments.manage | security.manage | \
         projects.all",
    );
    assert_allowed(&mut f, create(vec![RoleId::SUPERVISOR], vec![agents]));
    Ok(())
}

#[test]
fn adding_members_to_a_group_cannot_hand_out_its_roles_if_the_actor_lacks_them() -> TestResult {
    let mut f = fixture()?;
    let (sam, bob, owners, agents, cashier) = (f.sam, f.bob, f.owners, f.agents, f.cashier);
    for user in [bob, sam] {
        assert_escalation(
            &mut f,
            Change::AddGroupMembers {
                group: owners,
                users: vec![user],
            },
            "add members to a group",
            "kpi.manage | balance.view | billing.manage | payments.manage | security.manage | \
             projects.all",
        );
    }
    assert_allowed(
        &mut f,
        Change::AddGroupMembers {
            group: agents,
            users: vec![bob],
        },
    );
    // Once the group carries Cashier too, adding to it is an escalation.
    accepted(
        &mut f.company,
        Change::AssignRole {
            role: cashier,
            principals: vec![agents.into()],
        },
    );
    assert_escalation(
        &mut f,
        Change::AddGroupMembers {
            group: agents,
            users: vec![sam],
        },
        "add members to a group",
        "payments.manage",
    );
    Ok(())
}

#[test]
fn testing_cannot_give_more_than_the_tester_holds() -> TestResult {
    let mut f = fixture()?;
    let before = support::state(&f.company);
    assert!(matches!(
        f.company.start_testing(f.session, RoleId::ADMIN),
        Err(Error::Escalation { .. })
    ));
    assert_eq!(
        f.company.start_testing(f.session, f.cashier),
        Err(Error::Escalation {
            user: "sam".into(),
            change: "test role `Cashier`".into(),
            permissions: "payments.manage".into(),
        })
    );
    assert_eq!(support::state(&f.company), before);
    // And a testing session acts with no more than the role under test.
    let testing = f.company.start_testing(f.session, RoleId::OPERATOR)?;
    let error = refused_as(
        &mut f.company,
        &testing,
        Change::AssignRole {
            role: RoleId::OPERATOR,
            principals: vec![f.bob.into()],
        },
    );
    assert!(matches!(error, Error::Forbidden { .. }), "{error}");
    Ok(())
}

#[test]
fn a_permission_held_through_a_group_counts_as_held() -> TestResult {
    let (mut company, _) = company_with_admin()?;
    let (kim, _) = user_with_permissions(&mut company, "kim", Permissions::ROLES_MANAGE)?;
    let finance = company.create_group("Finance", &[kim])?;
    let cashier = company.create_role("Cashier", "", Permissions::PAYMENTS_MANAGE)?;
    company.apply(Change::AssignRole {
        role: cashier,
        principals: vec![finance.into()],
    })?;
    let session = company.login(kim)?;

    company.apply_as(&session, new_role("Teller", Permissions::PAYMENTS_VIEW))?;
    let error = refused_as(
        &mut company,
        &session,
        new_role(
            "Biller",
            Permissions::BILLING_VIEW | Permissions::PAYMENTS_VIEW,
        ),
    );
    assert!(matches!(error, Error::Escalation { .. }), "{error}");
    Ok(())
}

/// Roles that overlap are summed as a union, never "one or the other": a
/// permission two roles share is handed out once, and still counts. Here
/// `lists.view` is in both roles, and the actor holds only `queues.view`
/// (and what governs the change), so handing out both roles is an
/// escalation of `lists.manage`, whether through a new user's roles, a new
/// user's groups, or adding a member to a group that carries both.
#[test]
fn overlapping_roles_handed_out_together_are_judged_on_their_union() -> TestResult {
    let (mut company, _ann) = company_with_admin()?;
    let both = Permissions::LISTS_MANAGE;
    let first = company.create_role("Lists", "", both)?;
    let second = company.create_role("Lists and queues", "", both | Permissions::QUEUES_VIEW)?;
    let team = company.create_group("Team", &[])?;
    company.apply(Change::AssignRole {
        role: first,
        principals: vec![team.into()],
    })?;
    company.apply(Change::AssignRole {
        role: second,
        principals: vec![team.into()],
    })?;
    let held = Permissions::USERS_MANAGE
        | Permissions::ROLES_MANAGE
        | Permissions::GROUPS_MANAGE
        | Permissions::QUEUES_VIEW;
    let (actor, _) = user_with_permissions(&mut company, "actor", held)?;
    let session = company.login(actor)?;

    let escalation = |change: &str| Error::Escalation {
        user: "actor".into(),
        change: change.into(),
        permissions: "lists.manage".into(),
    };
    let with_roles = Change::CreateUser {
        name: "new".into(),
        roles: vec![first, second],
        groups: vec![],
        projects: vec![],
    };
    assert_eq!(
        refused_as(&mut company, &session, with_roles),
        escalation("create user `new`")
    );
    let with_group = Change::CreateUser {
        name: "new".into(),
        roles: vec![],
        groups: vec![team],
        projects: vec![],
    };
    assert_eq!(
        refused_as(&mut company, &session, with_group),
        escalation("create user `new`")
    );
    let bob = company.create_user("bob")?;
    let join = Change::AddGroupMembers {
        group: team,
        users: vec![bob],
    };
    assert_eq!(
        refused_as(&mut company, &session, join),
        escalation("add members to a group")
    );

    // A holder of both roles holds the shared permission.
    company.apply(Change::AddGroupMembers {
        group: team,
        users: vec![bob],
    })?;
    assert!(
        company
            .check(bob, Permissions::LISTS_MANAGE, callgate::Resource::Company)
            .is_allowed()
    );
    Ok(())
}
