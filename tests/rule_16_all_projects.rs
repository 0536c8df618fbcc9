//! DOMAIN rule 16: "Someone must be able to set projects up: Admin sees every
//! project and every scoped object, member or not. Model that as a
//! permission ("all projects") that Admin holds and a custom role may be
//! given; Supervisor and Operator do not hold it."

mod common;

use callgate::{Change, Decision, DenyReason, ObjectKind, Permissions, Reach, Resource, RoleId};
use common::{
    Outsourcer, TestResult, add_role, add_user, assert_visible_agrees_with_check, every_kind_view,
    one_of_each_kind, visible,
};

#[test]
fn admin_sees_every_project_and_every_object_without_being_a_member() -> TestResult {
    let mut o = Outsourcer::new()?;
    let objects = one_of_each_kind(&mut o.company, "Globex", &[o.globex])?;
    let admin = o.admin;
    let new_queue = objects[0];
    assert!(
        o.company
            .project_members(o.globex)?
            .iter()
            .all(|&u| u != admin)
    );

    for (kind, object) in ObjectKind::ALL.into_iter().zip(objects) {
        let why = o
            .company
            .explain(admin, kind.manage_permission(), Resource::Object(object));
        assert_eq!(why.decision(), Decision::Allow, "{kind}");
        assert_eq!(why.reach(), Reach::AllProjects, "{kind}");
        assert!(
            visible(&o.company, admin, kind)?.contains(&object),
            "{kind}"
        );
    }
    assert_eq!(
        visible(&o.company, admin, ObjectKind::Queue)?,
        vec![o.acme_queue, o.globex_queue, new_queue]
    );
    let all_projects: Vec<_> = o.company.projects().map(|(id, _)| id).collect();
    assert_eq!(o.company.visible_projects(admin)?, all_projects);
    assert_eq!(
        o.company.check(
            admin,
            Permissions::PROJECTS_MANAGE,
            Resource::Project(o.acme)
        ),
        Decision::Allow,
    );
    Ok(())
}

#[test]
fn supervisor_and_operator_do_not_hold_all_projects() -> TestResult {
    let mut o = Outsourcer::new()?;
    let sam = add_user(&mut o.company, "sam", &[RoleId::SUPERVISOR], &[o.acme])?;
    let olga = add_user(&mut o.company, "olga", &[RoleId::OPERATOR], &[o.acme])?;

    for (user, role) in [(sam, RoleId::SUPERVISOR), (olga, RoleId::OPERATOR)] {
        let permissions = o.company.role(role).ok_or("gone")?.permissions();
        assert!(!permissions.contains(Permissions::PROJECTS_ALL));
        assert_eq!(
            o.company
                .check(user, Permissions::PROJECTS_ALL, Resource::Company),
            Decision::Deny(DenyReason::MissingPermission),
        );
    }
    assert_eq!(
        o.company.check(
            sam,
            Permissions::QUEUES_VIEW,
            Resource::Object(o.globex_queue)
        ),
        Decision::Deny(DenyReason::HiddenByProjects),
    );
    assert_eq!(o.company.visible_projects(sam)?, vec![o.acme]);
    assert_eq!(
        o.company
            .holders(Permissions::PROJECTS_ALL)
            .collect::<Vec<_>>(),
        vec![o.admin]
    );
    Ok(())
}

#[test]
fn a_custom_role_can_be_given_all_projects() -> TestResult {
    let mut o = Outsourcer::new()?;
    let setup = add_role(
        &mut o.company,
        "Project setup",
        Permissions::PROJECTS_ALL | Permissions::PROJECTS_MANAGE | every_kind_view(),
        &[],
    )?;
    let pat = add_user(&mut o.company, "pat", &[setup], &[])?;

    for queue in [o.acme_queue, o.globex_queue] {
        assert_eq!(
            o.company
                .check(pat, Permissions::QUEUES_VIEW, Resource::Object(queue)),
            Decision::Allow,
        );
    }
    let all_projects: Vec<_> = o.company.projects().map(|(id, _)| id).collect();
    assert_eq!(o.company.visible_projects(pat)?, all_projects);
    assert_eq!(
        o.company
            .holders(Permissions::PROJECTS_ALL)
            .collect::<Vec<_>>(),
        vec![o.admin, pat]
    );
    assert_visible_agrees_with_check(&o.company, pat, ObjectKind::Queue)?;
    Ok(())
}

#[test]
fn all_projects_through_a_group_works_and_ends_when_leaving_the_group() -> TestResult {
    let mut o = Outsourcer::new()?;
    let pat = o.company.create_user("pat")?;
    let setup_team = o.company.create_group("Setup team", &[pat])?;
    add_role(
        &mut o.company,
        "Project setup",
        Permissions::PROJECTS_ALL | Permissions::QUEUES_VIEW,
        &[setup_team.into()],
    )?;
    let action = Permissions::QUEUES_VIEW;
    assert!(
        o.company
            .check(pat, action, Resource::Object(o.globex_queue))
            .is_allowed()
    );

    let report = o.company.apply(Change::RemoveGroupMembers {
        group: setup_team,
        users: vec![pat],
    })?;

    assert_eq!(report.affected_users, vec![pat]);
    // Out of the group, pat holds no role at all; hiding comes first.
    assert_eq!(
        o.company
            .check(pat, action, Resource::Object(o.globex_queue)),
        Decision::Deny(DenyReason::HiddenByProjects),
    );
    Ok(())
}

#[test]
fn all_projects_shows_objects_but_grants_nothing_on_them() -> TestResult {
    let mut o = Outsourcer::new()?;
    let seer = add_role(&mut o.company, "Seer", Permissions::PROJECTS_ALL, &[])?;
    let pat = add_user(&mut o.company, "pat", &[seer], &[])?;

    let why = o.company.explain(
        pat,
        Permissions::QUEUES_VIEW,
        Resource::Object(o.globex_queue),
    );

    assert_eq!(
        why.decision(),
        Decision::Deny(DenyReason::MissingPermission)
    );
    assert_eq!(why.reach(), Reach::AllProjects);
    assert!(visible(&o.company, pat, ObjectKind::Queue)?.is_empty());
    // Nor may pat view projects without `projects.view`.
    assert!(o.company.visible_projects(pat)?.is_empty());
    Ok(())
}

#[test]
fn losing_all_projects_hides_other_projects_at_once() -> TestResult {
    let mut o = Outsourcer::new()?;
    let setup = add_role(
        &mut o.company,
        "Project setup",
        Permissions::PROJECTS_ALL | Permissions::QUEUES_VIEW,
        &[],
    )?;
    let pat = add_user(&mut o.company, "pat", &[setup], &[o.acme])?;

    o.company
        .set_section_access(setup, Permissions::PROJECTS_ALL, false)?;

    assert_eq!(
        o.company.check(
            pat,
            Permissions::QUEUES_VIEW,
            Resource::Object(o.globex_queue)
        ),
        Decision::Deny(DenyReason::HiddenByProjects),
    );
    assert_eq!(
        visible(&o.company, pat, ObjectKind::Queue)?,
        vec![o.acme_queue]
    );
    assert_visible_agrees_with_check(&o.company, pat, ObjectKind::Queue)?;
    Ok(())
}
