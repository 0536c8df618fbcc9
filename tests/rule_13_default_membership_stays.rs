//! DOMAIN rule 13: "Adding a user to a new project does not remove them from
//! Default; to confine an existing user to the new project they must also be
//! removed from Default."

mod common;

use callgate::{
    Change, Decision, DenyReason, GroupId, ObjectId, ObjectKind, Permissions, ProjectId, Resource,
    SecurityMode,
};
use common::{
    CallCenter, TestResult, add_object, assert_visible_agrees_with_check, set_mode, visible,
};

/// The call center after its first switch to enhanced mode: `Default` holds
/// everyone and the queue `Main line`; a new project `Acme` holds the queue
/// `Acme line`; the group `Acme team` holds the operator.
struct Moved {
    center: CallCenter,
    default: ProjectId,
    acme: ProjectId,
    main_line: ObjectId,
    acme_line: ObjectId,
    acme_team: GroupId,
}

fn moved() -> Result<Moved, Box<dyn std::error::Error>> {
    let mut center = CallCenter::new()?;
    let main_line = center
        .company
        .create_object(ObjectKind::Queue, "Main line")?;
    set_mode(&mut center.company, SecurityMode::Enhanced)?;
    let default = center
        .company
        .default_project()
        .ok_or("the first switch made no Default")?;
    let acme = center.company.create_project("Acme", "")?;
    let acme_line = add_object(&mut center.company, ObjectKind::Queue, "Acme line", &[acme])?;
    let acme_team = center
        .company
        .create_group("Acme team", &[center.operator])?;
    Ok(Moved {
        center,
        default,
        acme,
        main_line,
        acme_line,
        acme_team,
    })
}

#[test]
fn joining_a_new_project_keeps_the_user_in_default() -> TestResult {
    let Moved {
        mut center,
        default,
        acme,
        main_line,
        acme_line,
        ..
    } = moved()?;
    let sam = center.supervisor;

    center.company.apply(Change::AddProjectMembers {
        project: acme,
        principals: vec![sam.into()],
        roles: vec![],
    })?;

    let company = &center.company;
    assert!(company.project_members(default)?.contains(&sam));
    assert!(company.project_members(acme)?.contains(&sam));
    let mut seen = visible(company, sam, ObjectKind::Queue)?;
    seen.sort();
    assert_eq!(seen, vec![main_line, acme_line]);
    assert_visible_agrees_with_check(company, sam, ObjectKind::Queue)?;
    Ok(())
}

#[test]
fn leaving_default_confines_the_user_to_the_new_project() -> TestResult {
    let Moved {
        mut center,
        default,
        acme,
        main_line,
        acme_line,
        ..
    } = moved()?;
    let sam = center.supervisor;
    center.company.apply(Change::AddProjectMembers {
        project: acme,
        principals: vec![sam.into()],
        roles: vec![],
    })?;

    center.company.apply(Change::RemoveProjectMembers {
        project: default,
        principals: vec![sam.into()],
    })?;

    let company = &center.company;
    assert_eq!(visible(company, sam, ObjectKind::Queue)?, vec![acme_line]);
    assert_eq!(
        company.check(sam, Permissions::QUEUES_VIEW, Resource::Object(main_line)),
        Decision::Deny(DenyReason::HiddenByProjects),
    );
    assert_eq!(company.visible_projects(sam)?, vec![acme]);
    assert_visible_agrees_with_check(company, sam, ObjectKind::Queue)?;
    Ok(())
}

#[test]
fn a_group_joining_a_new_project_leaves_its_members_in_default() -> TestResult {
    let Moved {
        mut center,
        default,
        acme,
        main_line,
        acme_line,
        acme_team,
    } = moved()?;
    let olga = center.operator;
    let role = center
        .company
        .create_role("Queues", "", Permissions::QUEUES_VIEW)?;
    center.company.apply(Change::AssignRole {
        role,
        principals: vec![acme_team.into()],
    })?;

    center.company.apply(Change::AddProjectMembers {
        project: acme,
        principals: vec![acme_team.into()],
        roles: vec![],
    })?;
    let mut seen = visible(&center.company, olga, ObjectKind::Queue)?;
    seen.sort();
    assert_eq!(seen, vec![main_line, acme_line]);

    // To confine her, Olga herself must leave Default.
    center.company.apply(Change::RemoveProjectMembers {
        project: default,
        principals: vec![olga.into()],
    })?;
    let company = &center.company;
    assert_eq!(visible(company, olga, ObjectKind::Queue)?, vec![acme_line]);
    assert_eq!(
        company.check(olga, Permissions::QUEUES_VIEW, Resource::Object(main_line)),
        Decision::Deny(DenyReason::HiddenByProjects),
    );
    assert_visible_agrees_with_check(company, olga, ObjectKind::Queue)?;
    Ok(())
}

#[test]
fn leaving_default_alone_hides_everything_of_default() -> TestResult {
    let Moved {
        mut center,
        default,
        main_line,
        ..
    } = moved()?;
    let sam = center.supervisor;

    center.company.apply(Change::RemoveProjectMembers {
        project: default,
        principals: vec![sam.into()],
    })?;

    let company = &center.company;
    assert!(!company.project_members(default)?.contains(&sam));
    assert!(visible(company, sam, ObjectKind::Queue)?.is_empty());
    assert_eq!(
        company.check(sam, Permissions::QUEUES_MANAGE, Resource::Object(main_line)),
        Decision::Deny(DenyReason::HiddenByProjects),
    );
    Ok(())
}
