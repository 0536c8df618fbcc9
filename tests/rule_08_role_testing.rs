//! DOMAIN rule 8: "An administrator can press **Test** on a role: from then
//! on, in that session, they hold **only that role** and see exactly what a
//! holder of it would see. Testing ends when they log out and log in again."
//!
//! In enhanced security the tester keeps their own project memberships: they
//! see the objects a holder of the role in their projects would see.

#[path = "support_sessions/mod.rs"]
mod support;

use callgate::{
    CATALOG, Change, Company, DenyReason, Error, ObjectId, ObjectKind, Permissions, ProjectId,
    Resource, RoleId, SecurityMode, Session,
};
use support::{
    TestResult, accepted, allowed_through, company_with_admin, may, new_role, object_in,
    refused_as, set_role_permissions, user_holding,
};

#[test]
fn a_testing_session_holds_exactly_the_tested_roles_permissions() -> TestResult {
    let (mut company, ann) = company_with_admin()?;
    let qa = company.create_role(
        "QA",
        "",
        Permissions::QA_SHEETS_MANAGE | Permissions::QA_CHECKS_VIEW | Permissions::REPORTS_VIEW,
    )?;
    for role in [qa, RoleId::OPERATOR, RoleId::SUPERVISOR, RoleId::ADMIN] {
        let testing = company.start_testing(company.login(ann)?, role)?;
        let expected = company.role(role).map(callgate::Role::permissions);

        assert_eq!(testing.testing(), Some(role));
        assert_eq!(testing.user(), ann);
        assert_eq!(
            Some(allowed_through(&company, &testing)),
            expected,
            "role {role}"
        );
        assert_eq!(Some(company.session_permissions(&testing)?), expected);
        for info in CATALOG {
            let decision = company.check_session(&testing, info.flag, Resource::Company);
            if !decision.is_allowed() {
                assert_eq!(
                    decision.deny_reason(),
                    Some(DenyReason::MissingPermission),
                    "role {role}, {}",
                    info.name
                );
            }
        }
    }
    Ok(())
}

#[test]
fn a_testing_session_answers_like_a_real_holder_of_the_role() -> TestResult {
    let (mut company, ann) = company_with_admin()?;
    let oli = user_holding(&mut company, "oli", RoleId::OPERATOR)?;
    let testing = company.start_testing(company.login(ann)?, RoleId::OPERATOR)?;
    let queue = company.create_object(ObjectKind::Queue, "Sales")?;
    let project = company.create_project("Client A", "")?;

    for info in CATALOG {
        for resource in [
            Resource::Company,
            Resource::Object(queue),
            Resource::Project(project),
        ] {
            assert_eq!(
                company
                    .check_session(&testing, info.flag, resource)
                    .decision,
                company.check(oli, info.flag, resource),
                "{} on {resource:?}",
                info.name
            );
        }
    }
    Ok(())
}

/// An enhanced-mode company: ann (Admin, so `projects.all`) is a member of
/// Default and "Client A" but not of "Client B"; each holds one queue, and
/// one queue is in no project.
struct Projects {
    company: Company,
    ann: callgate::UserId,
    client_a: ProjectId,
    client_b: ProjectId,
    default_queue: ObjectId,
    queue_a: ObjectId,
    queue_b: ObjectId,
    orphan: ObjectId,
    /// Queues and projects, viewing and managing.
    dispatcher: RoleId,
}

fn projects() -> Result<Projects, Error> {
    let (mut company, ann) = company_with_admin()?;
    let default_queue = company.create_object(ObjectKind::Queue, "Front desk")?;
    company.apply(Change::SetSecurityMode {
        mode: SecurityMode::Enhanced,
    })?;
    let client_a = company.create_project("Client A", "")?;
    let client_b = company.create_project("Client B", "")?;
    let queue_a = object_in(
        &mut company,
        ObjectKind::Queue,
        "Client A line",
        vec![client_a],
    )?;
    let queue_b = object_in(
        &mut company,
        ObjectKind::Queue,
        "Client B line",
        vec![client_b],
    )?;
    let orphan = object_in(&mut company, ObjectKind::Queue, "Unfiled", vec![])?;
    company.apply(Change::AddProjectMembers {
        project: client_a,
        principals: vec![ann.into()],
        roles: vec![],
    })?;
    let dispatcher = company.create_role(
        "Dispatcher",
        "",
        Permissions::QUEUES_MANAGE | Permissions::PROJECTS_VIEW,
    )?;
    Ok(Projects {
        company,
        ann,
        client_a,
        client_b,
        default_queue,
        queue_a,
        queue_b,
        orphan,
        dispatcher,
    })
}

#[test]
fn in_enhanced_mode_a_tester_sees_only_their_own_projects_objects() -> TestResult {
    let p = projects()?;
    let normal = p.company.login(p.ann)?;
    let testing = p.company.start_testing(normal, p.dispatcher)?;
    let check = |session: &Session, object| {
        p.company
            .check_session(session, Permissions::QUEUES_VIEW, Resource::Object(object))
            .decision
    };

    // As herself, ann holds `projects.all` and sees every queue.
    let all: Vec<ObjectId> = p
        .company
        .visible_objects_as(&normal, ObjectKind::Queue)?
        .collect();
    assert_eq!(all, vec![p.default_queue, p.queue_a, p.queue_b, p.orphan]);
    // Testing Dispatcher, which lacks `projects.all`, only her projects'.
    let mut seen: Vec<ObjectId> = p
        .company
        .visible_objects_as(&testing, ObjectKind::Queue)?
        .collect();
    seen.sort_unstable();
    assert_eq!(seen, vec![p.default_queue, p.queue_a]);
    assert!(check(&testing, p.queue_a).is_allowed());
    for hidden in [p.queue_b, p.orphan] {
        assert_eq!(
            check(&testing, hidden).deny_reason(),
            Some(DenyReason::HiddenByProjects)
        );
        assert!(check(&normal, hidden).is_allowed());
    }
    let project_b = |session: &Session| {
        p.company
            .check_session(
                session,
                Permissions::PROJECTS_VIEW,
                Resource::Project(p.client_b),
            )
            .deny_reason()
    };
    assert_eq!(project_b(&testing), Some(DenyReason::HiddenByProjects));
    assert_eq!(project_b(&normal), None);
    Ok(())
}

#[test]
fn in_enhanced_mode_a_tester_sees_what_a_holder_in_the_same_projects_sees() -> TestResult {
    let mut p = projects()?;
    let default = p.company.default_project().ok_or("no Default project")?;
    // dora holds Dispatcher and is in the same projects as ann.
    let dora = user_holding(&mut p.company, "dora", p.dispatcher)?;
    accepted(
        &mut p.company,
        Change::AddProjectMembers {
            project: p.client_a,
            principals: vec![dora.into()],
            roles: vec![],
        },
    );
    accepted(
        &mut p.company,
        Change::AddProjectMembers {
            project: default,
            principals: vec![dora.into()],
            roles: vec![],
        },
    );
    let testing = p
        .company
        .start_testing(p.company.login(p.ann)?, p.dispatcher)?;

    for object in [p.default_queue, p.queue_a, p.queue_b, p.orphan] {
        for action in [Permissions::QUEUES_VIEW, Permissions::QUEUES_MANAGE] {
            assert_eq!(
                p.company
                    .check_session(&testing, action, Resource::Object(object))
                    .decision,
                p.company.check(dora, action, Resource::Object(object)),
                "{action} on object {object}"
            );
        }
    }
    let as_tester: Vec<_> = p
        .company
        .visible_objects_as(&testing, ObjectKind::Queue)?
        .collect();
    let as_dora: Vec<_> = p
        .company
        .visible_objects(dora, ObjectKind::Queue)?
        .collect();
    assert_eq!(as_tester, as_dora);
    Ok(())
}

#[test]
fn a_testers_project_membership_changes_apply_to_the_testing_session_at_once() -> TestResult {
    let mut p = projects()?;
    let testing = p
        .company
        .start_testing(p.company.login(p.ann)?, p.dispatcher)?;
    let sees_b = |company: &Company| {
        company
            .check_session(
                &testing,
                Permissions::QUEUES_VIEW,
                Resource::Object(p.queue_b),
            )
            .is_allowed()
    };
    assert!(!sees_b(&p.company));

    accepted(
        &mut p.company,
        Change::AddProjectMembers {
            project: p.client_b,
            principals: vec![p.ann.into()],
            roles: vec![],
        },
    );

    assert!(sees_b(&p.company));
    Ok(())
}

#[test]
fn testing_ends_at_a_new_login() -> TestResult {
    let (company, ann) = company_with_admin()?;
    let testing = company.start_testing(company.login(ann)?, RoleId::OPERATOR)?;
    assert!(!may(&company, &testing, Permissions::BILLING_VIEW));

    let again = company.login(ann)?;

    assert_eq!(again.testing(), None);
    assert_eq!(allowed_through(&company, &again), Permissions::ADMIN);
    Ok(())
}

#[test]
fn deleting_the_role_under_test_ends_the_testing_session() -> TestResult {
    let (mut company, ann) = company_with_admin()?;
    let qa = company.create_role("QA", "", Permissions::QA_CHECKS_MANAGE)?;
    let normal = company.login(ann)?;
    let testing = company.start_testing(normal, qa)?;
    assert!(may(&company, &testing, Permissions::QA_CHECKS_MANAGE));

    let report = accepted(&mut company, Change::DeleteRole { role: qa });
    // Role ids are never reused: a new role does not revive the session.
    company.create_role("QA", "", Permissions::QA_CHECKS_MANAGE)?;

    assert!(report.logged_out_users.is_empty(), "ann never held QA");
    let decision = company.check_session(&testing, Permissions::QA_CHECKS_VIEW, Resource::Company);
    assert_eq!(decision.deny_reason(), Some(DenyReason::SessionEnded));
    assert_eq!((decision.user, decision.testing), (ann, Some(qa)));
    assert!(matches!(
        company.session_permissions(&testing),
        Err(Error::SessionEnded { .. })
    ));
    let error = refused_as(
        &mut company,
        &testing,
        new_role("Sales", Permissions::empty()),
    );
    assert!(matches!(error, Error::SessionEnded { .. }), "{error}");
    assert!(
        company
            .visible_objects_as(&testing, ObjectKind::Queue)?
            .next()
            .is_none()
    );
    // Her own session is untouched.
    assert!(may(&company, &normal, Permissions::QA_CHECKS_MANAGE));
    Ok(())
}

#[test]
fn an_edit_of_the_role_under_test_applies_to_the_testing_session_at_once() -> TestResult {
    let (mut company, ann) = company_with_admin()?;
    let qa = company.create_role("QA", "", Permissions::QA_CHECKS_VIEW)?;
    let testing = company.start_testing(company.login(ann)?, qa)?;

    accepted(
        &mut company,
        set_role_permissions(qa, Permissions::REPORTS_VIEW),
    );

    assert_eq!(
        allowed_through(&company, &testing),
        Permissions::REPORTS_VIEW
    );
    Ok(())
}

#[test]
fn a_testing_session_acts_with_the_tested_roles_permissions_only() -> TestResult {
    let (mut company, ann) = company_with_admin()?;
    let testing_operator = company.start_testing(company.login(ann)?, RoleId::OPERATOR)?;

    // Operator may not manage roles, although ann may.
    let error = refused_as(
        &mut company,
        &testing_operator,
        new_role("Sales", Permissions::REPORTS_VIEW),
    );
    assert_eq!(
        error,
        Error::Forbidden {
            user: "ann".into(),
            change: "create role `Sales`".into(),
            missing: "roles.manage".into(),
        }
    );
    assert_eq!(
        company.preview_as(
            &testing_operator,
            new_role("Sales", Permissions::REPORTS_VIEW)
        ),
        Err(error)
    );

    // A role that may manage roles acts within its own permissions only.
    let lead = company.create_role(
        "Team lead",
        "",
        Permissions::ROLES_MANAGE | Permissions::ROLES_TEST | Permissions::QA_CHECKS_MANAGE,
    )?;
    let testing_lead = company.start_testing(company.login(ann)?, lead)?;
    company.apply_as(&testing_lead, new_role("QA", Permissions::QA_CHECKS_VIEW))?;
    let error = refused_as(
        &mut company,
        &testing_lead,
        new_role("Cashier", Permissions::BILLING_VIEW),
    );
    assert_eq!(
        error,
        Error::Escalation {
            user: "ann".into(),
            change: "create role `Cashier`".into(),
            permissions: "billing.view".into(),
        }
    );
    let error = refused_as(
        &mut company,
        &testing_lead,
        Change::AssignRole {
            role: RoleId::OPERATOR,
            principals: vec![ann.into()],
        },
    );
    assert!(matches!(error, Error::Escalation { .. }), "{error}");
    Ok(())
}
