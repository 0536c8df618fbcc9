//! DOMAIN rule 14: "Project membership changes take effect without a new
//! login (the user only refreshes the page)."
//!
//! So the very next check sees the change, and the change's report names the
//! users whose page needs a refresh.
//!
//! Design decision: adding a member or object already there, or removing one
//! that is not, is accepted as a no-op.

mod common;

use callgate::{Change, Created, Decision, DenyReason, ObjectKind, Permissions, Resource};
use common::{Outsourcer, TestResult, add_user, assert_visible_agrees_with_check, visible};

#[test]
fn a_user_added_to_a_project_sees_its_objects_at_once() -> TestResult {
    let mut o = Outsourcer::new()?;
    let action = Permissions::QUEUES_VIEW;
    assert_eq!(
        o.company
            .check(o.acme_agent, action, Resource::Object(o.globex_queue)),
        Decision::Deny(DenyReason::HiddenByProjects),
    );

    let report = o.company.apply(Change::AddProjectMembers {
        project: o.globex,
        principals: vec![o.acme_agent.into()],
        roles: vec![],
    })?;

    assert_eq!(report.affected_users, vec![o.acme_agent]);
    assert_eq!(o.company.snapshot().revision(), report.revision);
    assert_eq!(
        o.company
            .check(o.acme_agent, action, Resource::Object(o.globex_queue)),
        Decision::Allow,
    );
    assert_visible_agrees_with_check(&o.company, o.acme_agent, ObjectKind::Queue)?;
    Ok(())
}

#[test]
fn a_user_removed_from_a_project_loses_its_objects_at_once() -> TestResult {
    let mut o = Outsourcer::new()?;

    let report = o.company.apply(Change::RemoveProjectMembers {
        project: o.acme,
        principals: vec![o.acme_agent.into()],
    })?;

    assert_eq!(report.affected_users, vec![o.acme_agent]);
    assert_eq!(
        o.company.check(
            o.acme_agent,
            Permissions::QUEUES_VIEW,
            Resource::Object(o.acme_queue)
        ),
        Decision::Deny(DenyReason::HiddenByProjects),
    );
    assert!(visible(&o.company, o.acme_agent, ObjectKind::Queue)?.is_empty());
    Ok(())
}

#[test]
fn a_group_added_to_a_project_brings_every_member_in_at_once() -> TestResult {
    let mut o = Outsourcer::new()?;
    let kim = add_user(&mut o.company, "kim", &[o.agent_role], &[])?;
    let lee = add_user(&mut o.company, "lee", &[o.agent_role], &[])?;
    let night = o.company.create_group("Acme night", &[kim, lee])?;

    let report = o.company.apply(Change::AddProjectMembers {
        project: o.acme,
        principals: vec![night.into()],
        roles: vec![],
    })?;

    assert_eq!(report.affected_users, vec![kim, lee]);
    for user in [kim, lee] {
        assert!(
            o.company
                .check(
                    user,
                    Permissions::QUEUES_VIEW,
                    Resource::Object(o.acme_queue)
                )
                .is_allowed()
        );
    }

    let report = o.company.apply(Change::RemoveProjectMembers {
        project: o.acme,
        principals: vec![night.into()],
    })?;

    assert_eq!(report.affected_users, vec![kim, lee]);
    for user in [kim, lee] {
        assert_eq!(
            o.company.check(
                user,
                Permissions::QUEUES_VIEW,
                Resource::Object(o.acme_queue)
            ),
            Decision::Deny(DenyReason::HiddenByProjects),
        );
    }
    Ok(())
}

#[test]
fn joining_and_leaving_a_member_group_applies_at_once() -> TestResult {
    let mut o = Outsourcer::new()?;
    let kim = o.company.create_user("kim")?;

    let report = o.company.apply(Change::AddGroupMembers {
        group: o.globex_team,
        users: vec![kim],
    })?;
    assert_eq!(report.affected_users, vec![kim]);
    assert_eq!(
        visible(&o.company, kim, ObjectKind::Queue)?,
        vec![o.globex_queue]
    );

    let report = o.company.apply(Change::RemoveGroupMembers {
        group: o.globex_team,
        users: vec![kim, o.globex_agent],
    })?;
    assert_eq!(report.affected_users, vec![o.globex_agent, kim]);
    for user in [kim, o.globex_agent] {
        assert!(visible(&o.company, user, ObjectKind::Queue)?.is_empty());
        assert_visible_agrees_with_check(&o.company, user, ObjectKind::Queue)?;
    }
    Ok(())
}

#[test]
fn deleting_a_member_group_hides_the_project_from_its_members_at_once() -> TestResult {
    let mut o = Outsourcer::new()?;

    let report = o.company.apply(Change::DeleteGroup {
        group: o.globex_team,
    })?;

    assert_eq!(report.affected_users, vec![o.globex_agent]);
    assert_eq!(
        o.company.check(
            o.globex_agent,
            Permissions::QUEUES_VIEW,
            Resource::Object(o.globex_queue)
        ),
        Decision::Deny(DenyReason::HiddenByProjects),
    );
    assert_eq!(
        o.company.project(o.globex).ok_or("gone")?.groups().count(),
        0
    );
    Ok(())
}

#[test]
fn an_object_added_to_a_project_reaches_its_members_at_once() -> TestResult {
    let mut o = Outsourcer::new()?;
    let queue = o
        .company
        .create_object(ObjectKind::Queue, "Acme overflow")?;

    let report = o.company.apply(Change::AddProjectObjects {
        project: o.acme,
        objects: vec![queue],
    })?;

    assert!(report.affected_users.contains(&o.acme_agent));
    assert!(!report.affected_users.contains(&o.globex_agent));
    assert!(
        o.company
            .check(
                o.acme_agent,
                Permissions::QUEUES_VIEW,
                Resource::Object(queue)
            )
            .is_allowed()
    );
    let mut seen = visible(&o.company, o.acme_agent, ObjectKind::Queue)?;
    seen.sort();
    assert_eq!(seen, vec![o.acme_queue, queue]);
    Ok(())
}

#[test]
fn a_project_created_with_a_group_reaches_its_members_at_once() -> TestResult {
    let mut o = Outsourcer::new()?;

    let report = o.company.apply(Change::CreateProject {
        name: "Initech".into(),
        description: String::new(),
        principals: vec![o.globex_team.into()],
        objects: vec![o.acme_queue],
    })?;

    assert_eq!(report.affected_users, vec![o.globex_agent]);
    let Some(Created::Project(initech)) = report.created else {
        return Err(format!("created {:?}", report.created).into());
    };
    assert_eq!(o.company.project_members(initech)?, vec![o.globex_agent]);
    assert!(
        o.company
            .check(
                o.globex_agent,
                Permissions::QUEUES_VIEW,
                Resource::Object(o.acme_queue)
            )
            .is_allowed()
    );
    Ok(())
}

#[test]
fn adding_what_is_there_or_removing_what_is_not_is_an_accepted_no_op() -> TestResult {
    let mut o = Outsourcer::new()?;
    let kim = o.company.create_user("kim")?;
    let before = visible(&o.company, o.acme_agent, ObjectKind::Queue)?;
    let changes = [
        Change::AddProjectMembers {
            project: o.acme,
            principals: vec![o.acme_agent.into()],
            roles: vec![],
        },
        Change::RemoveProjectMembers {
            project: o.acme,
            principals: vec![kim.into(), o.globex_team.into()],
        },
        Change::AddProjectObjects {
            project: o.acme,
            objects: vec![o.acme_queue],
        },
        Change::RemoveProjectObjects {
            project: o.acme,
            objects: vec![o.globex_queue],
        },
        Change::AddGroupMembers {
            group: o.globex_team,
            users: vec![o.globex_agent],
        },
        Change::RemoveGroupMembers {
            group: o.globex_team,
            users: vec![kim],
        },
    ];
    for change in changes {
        let label = format!("{change:?}");
        let revision = o.company.revision();
        let report = o.company.apply(change)?;
        assert_eq!(report.revision, revision + 1, "{label}");
        assert!(report.affected_users.is_empty(), "{label}");
    }
    assert_eq!(o.company.project_members(o.acme)?, vec![o.acme_agent]);
    assert_eq!(o.company.project_members(o.globex)?, vec![o.globex_agent]);
    assert_eq!(
        visible(&o.company, o.acme_agent, ObjectKind::Queue)?,
        before
    );
    Ok(())
}
