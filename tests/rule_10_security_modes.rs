//! DOMAIN rule 10: "A company runs in **simple** security (the default:
//! roles alone decide) or **enhanced** security (roles and projects
//! decide). The switch is made in company settings and is **reversible**."

mod common;

use callgate::{
    Change, Company, Decision, DenyReason, Error, ObjectId, ObjectKind, Permissions, Resource,
    SecurityMode,
};
use common::{CallCenter, TestResult, add_object, assert_visible_agrees_with_check, set_mode};

/// The call center in simple mode with a queue `Sales` in project `Acme`,
/// of which nobody is a member. The company went through enhanced mode once
/// before the queue existed, so `Default` (which the first switch fills with
/// every object, rule 11) does not hold the queue.
fn with_project_queue() -> Result<(CallCenter, ObjectId), Error> {
    let mut center = CallCenter::new()?;
    set_mode(&mut center.company, SecurityMode::Enhanced)?;
    set_mode(&mut center.company, SecurityMode::Simple)?;
    let acme = center.company.create_project("Acme", "")?;
    let queue = add_object(&mut center.company, ObjectKind::Queue, "Sales", &[acme])?;
    Ok((center, queue))
}

#[test]
fn a_new_company_runs_in_simple_mode() {
    let company = Company::new();
    assert_eq!(company.mode(), SecurityMode::Simple);
    assert_eq!(SecurityMode::default(), SecurityMode::Simple);
    assert_eq!(company.default_project(), None);
}

#[test]
fn in_simple_mode_roles_alone_decide() -> TestResult {
    let (center, queue) = with_project_queue()?;
    let company = &center.company;

    // Not a member of Acme, yet allowed: projects do not count.
    assert_eq!(
        company.check(
            center.supervisor,
            Permissions::QUEUES_MANAGE,
            Resource::Object(queue)
        ),
        Decision::Allow,
    );
    // The operator's roles do not grant queues.
    assert_eq!(
        company.check(
            center.operator,
            Permissions::QUEUES_VIEW,
            Resource::Object(queue)
        ),
        Decision::Deny(DenyReason::MissingPermission),
    );
    assert_visible_agrees_with_check(company, center.supervisor, ObjectKind::Queue)?;
    Ok(())
}

#[test]
fn in_enhanced_mode_projects_decide_as_well() -> TestResult {
    let (mut center, queue) = with_project_queue()?;

    set_mode(&mut center.company, SecurityMode::Enhanced)?;

    let company = &center.company;
    assert_eq!(company.mode(), SecurityMode::Enhanced);
    assert_eq!(
        company.check(
            center.supervisor,
            Permissions::QUEUES_MANAGE,
            Resource::Object(queue)
        ),
        Decision::Deny(DenyReason::HiddenByProjects),
    );
    assert!(
        company
            .visible_objects(center.supervisor, ObjectKind::Queue)?
            .next()
            .is_none()
    );
    Ok(())
}

#[test]
fn the_switch_is_reversible() -> TestResult {
    let (mut center, queue) = with_project_queue()?;
    set_mode(&mut center.company, SecurityMode::Enhanced)?;

    set_mode(&mut center.company, SecurityMode::Simple)?;

    let company = &center.company;
    assert_eq!(company.mode(), SecurityMode::Simple);
    assert_eq!(
        company.check(
            center.supervisor,
            Permissions::QUEUES_MANAGE,
            Resource::Object(queue)
        ),
        Decision::Allow,
    );
    assert_eq!(
        company
            .visible_objects(center.supervisor, ObjectKind::Queue)?
            .collect::<Vec<_>>(),
        vec![queue]
    );
    Ok(())
}

#[test]
fn the_switch_is_a_change_like_any_other() -> TestResult {
    let (mut center, _) = with_project_queue()?;
    let revision = center.company.revision();

    let report = center.company.apply(Change::SetSecurityMode {
        mode: SecurityMode::Enhanced,
    })?;

    assert_eq!(report.revision, revision + 1);
    assert_eq!(center.company.snapshot().revision(), revision + 1);
    // The supervisor lost sight of the queue: the host must refresh them.
    assert!(report.affected_users.contains(&center.supervisor));
    Ok(())
}

#[test]
fn switching_to_the_mode_in_force_changes_nothing() -> TestResult {
    let (mut center, queue) = with_project_queue()?;

    let report = center.company.apply(Change::SetSecurityMode {
        mode: SecurityMode::Simple,
    })?;

    assert_eq!(report.created, None);
    assert!(report.affected_users.is_empty());
    assert_eq!(center.company.projects().count(), 2);
    assert!(
        center
            .company
            .check(
                center.supervisor,
                Permissions::QUEUES_VIEW,
                Resource::Object(queue)
            )
            .is_allowed()
    );
    Ok(())
}
