//! DOMAIN rule 17: "A scoped object that no project holds, in enhanced mode,
//! is visible only to holders of "all projects". Switching back to simple
//! keeps the projects, so switching to enhanced again restores them (Default
//! is not made twice)."

mod common;

use callgate::{
    Change, Decision, DenyReason, ObjectKind, Permissions, Resource, RoleId, SecurityMode,
};
use common::{
    Outsourcer, TestResult, add_role, add_user, assert_visible_agrees_with_check, set_mode, visible,
};

#[test]
fn an_object_in_no_project_is_seen_only_by_holders_of_all_projects() -> TestResult {
    let mut o = Outsourcer::new()?;
    let sam = add_user(
        &mut o.company,
        "sam",
        &[RoleId::SUPERVISOR],
        &[o.acme, o.globex],
    )?;
    let setup = add_role(
        &mut o.company,
        "Project setup",
        Permissions::PROJECTS_ALL | Permissions::QUEUES_VIEW,
        &[],
    )?;
    let pat = add_user(&mut o.company, "pat", &[setup], &[])?;
    let loose = o.company.create_object(ObjectKind::Queue, "Loose")?;
    let on = Resource::Object(loose);

    assert_eq!(
        o.company.check(o.admin, Permissions::QUEUES_VIEW, on),
        Decision::Allow
    );
    assert_eq!(
        o.company.check(pat, Permissions::QUEUES_VIEW, on),
        Decision::Allow
    );
    for user in [sam, o.acme_agent, o.globex_agent] {
        assert_eq!(
            o.company.check(user, Permissions::QUEUES_VIEW, on),
            Decision::Deny(DenyReason::HiddenByProjects),
        );
        assert!(!visible(&o.company, user, ObjectKind::Queue)?.contains(&loose));
    }
    for user in [o.admin, pat, sam] {
        assert_visible_agrees_with_check(&o.company, user, ObjectKind::Queue)?;
    }
    Ok(())
}

#[test]
fn an_object_taken_out_of_its_last_project_becomes_unscoped() -> TestResult {
    let mut o = Outsourcer::new()?;
    o.company.apply(Change::AddProjectObjects {
        project: o.globex,
        objects: vec![o.acme_queue],
    })?;

    o.company.apply(Change::RemoveProjectObjects {
        project: o.acme,
        objects: vec![o.acme_queue],
    })?;
    let on = Resource::Object(o.acme_queue);
    assert!(
        o.company
            .check(o.globex_agent, Permissions::QUEUES_VIEW, on)
            .is_allowed()
    );

    o.company.apply(Change::RemoveProjectObjects {
        project: o.globex,
        objects: vec![o.acme_queue],
    })?;
    assert_eq!(
        o.company
            .object(o.acme_queue)
            .ok_or("gone")?
            .projects()
            .count(),
        0
    );
    assert_eq!(
        o.company
            .check(o.globex_agent, Permissions::QUEUES_VIEW, on),
        Decision::Deny(DenyReason::HiddenByProjects),
    );
    assert_eq!(
        o.company.check(o.admin, Permissions::QUEUES_VIEW, on),
        Decision::Allow
    );
    Ok(())
}

#[test]
fn in_simple_mode_an_unscoped_object_is_seen_by_everyone_whose_roles_allow() -> TestResult {
    let mut o = Outsourcer::new()?;
    let loose = o.company.create_object(ObjectKind::Queue, "Loose")?;

    set_mode(&mut o.company, SecurityMode::Simple)?;

    for user in [o.acme_agent, o.globex_agent] {
        assert_eq!(
            o.company
                .check(user, Permissions::QUEUES_VIEW, Resource::Object(loose)),
            Decision::Allow,
        );
        assert_visible_agrees_with_check(&o.company, user, ObjectKind::Queue)?;
    }
    Ok(())
}

#[test]
fn switching_back_to_simple_keeps_the_projects() -> TestResult {
    let mut o = Outsourcer::new()?;
    let projects_before = format!("{:?}", o.company.projects().collect::<Vec<_>>());
    let default = o.company.default_project();

    set_mode(&mut o.company, SecurityMode::Simple)?;

    assert_eq!(
        format!("{:?}", o.company.projects().collect::<Vec<_>>()),
        projects_before
    );
    assert_eq!(o.company.default_project(), default);
    assert_eq!(o.company.project_members(o.acme)?, vec![o.acme_agent]);
    // Simple mode: the projects are kept but do not hide anything.
    assert!(
        o.company
            .check(
                o.acme_agent,
                Permissions::QUEUES_VIEW,
                Resource::Object(o.globex_queue)
            )
            .is_allowed()
    );
    Ok(())
}

#[test]
fn switching_to_enhanced_again_restores_the_projects_without_a_second_default() -> TestResult {
    let mut o = Outsourcer::new()?;
    let default = o.company.default_project().ok_or("no Default")?;
    let projects_before = format!("{:?}", o.company.projects().collect::<Vec<_>>());
    set_mode(&mut o.company, SecurityMode::Simple)?;

    let report = o.company.apply(Change::SetSecurityMode {
        mode: SecurityMode::Enhanced,
    })?;

    assert_eq!(report.created, None);
    assert_eq!(o.company.default_project(), Some(default));
    assert_eq!(
        format!("{:?}", o.company.projects().collect::<Vec<_>>()),
        projects_before
    );
    assert_eq!(
        o.company
            .projects()
            .filter(|(_, p)| p.name() == "Default")
            .count(),
        1
    );
    assert_eq!(
        o.company.check(
            o.acme_agent,
            Permissions::QUEUES_VIEW,
            Resource::Object(o.globex_queue)
        ),
        Decision::Deny(DenyReason::HiddenByProjects),
    );
    assert_eq!(
        visible(&o.company, o.acme_agent, ObjectKind::Queue)?,
        vec![o.acme_queue]
    );
    Ok(())
}

#[test]
fn project_changes_made_in_simple_mode_count_when_enhanced_again() -> TestResult {
    let mut o = Outsourcer::new()?;
    set_mode(&mut o.company, SecurityMode::Simple)?;
    o.company.apply(Change::AddProjectMembers {
        project: o.globex,
        principals: vec![o.acme_agent.into()],
        roles: vec![],
    })?;
    o.company.apply(Change::RemoveProjectMembers {
        project: o.globex,
        principals: vec![o.globex_team.into()],
    })?;

    set_mode(&mut o.company, SecurityMode::Enhanced)?;

    let on = Resource::Object(o.globex_queue);
    assert_eq!(
        o.company.check(o.acme_agent, Permissions::QUEUES_VIEW, on),
        Decision::Allow
    );
    assert_eq!(
        o.company
            .check(o.globex_agent, Permissions::QUEUES_VIEW, on),
        Decision::Deny(DenyReason::HiddenByProjects),
    );
    for user in [o.acme_agent, o.globex_agent] {
        assert_visible_agrees_with_check(&o.company, user, ObjectKind::Queue)?;
    }
    Ok(())
}
