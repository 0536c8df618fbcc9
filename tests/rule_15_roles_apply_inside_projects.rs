//! DOMAIN rule 15: "Roles still apply inside projects: a member of a project
//! can do to its objects only what their roles allow."
//!
//! And only the object's own kind of permission applies to it:
//! `autodialers.manage` on a queue is `NotApplicable`, whoever asks.

mod common;

use callgate::{Change, Decision, DenyReason, ObjectKind, Permissions, Reach, Resource, RoleId};
use common::{Outsourcer, TestResult, add_object, add_role, add_user, one_of_each_kind};

#[test]
fn a_member_may_do_to_the_projects_objects_only_what_their_roles_allow() -> TestResult {
    let mut o = Outsourcer::new()?;
    let viewer = o.company.create_role("Viewer", "", Permissions::empty())?;
    let editor = o.company.create_role("Editor", "", Permissions::empty())?;
    let nobody = add_user(&mut o.company, "nia", &[], &[o.acme])?;
    let reader = add_user(&mut o.company, "ray", &[viewer], &[o.acme])?;
    let writer = add_user(&mut o.company, "wes", &[editor], &[o.acme])?;
    for kind in ObjectKind::ALL {
        o.company
            .set_section_access(viewer, kind.view_permission(), true)?;
        o.company
            .set_section_access(editor, kind.manage_permission(), true)?;
        let object = add_object(&mut o.company, kind, &format!("Acme {kind}"), &[o.acme])?;
        let on = Resource::Object(object);
        let (view, manage) = (kind.view_permission(), kind.manage_permission());
        let missing = Decision::Deny(DenyReason::MissingPermission);

        assert_eq!(o.company.check(nobody, view, on), missing, "{kind}");
        assert_eq!(o.company.check(reader, view, on), Decision::Allow, "{kind}");
        assert_eq!(o.company.check(reader, manage, on), missing, "{kind}");
        assert_eq!(o.company.check(writer, view, on), Decision::Allow, "{kind}");
        assert_eq!(
            o.company.check(writer, manage, on),
            Decision::Allow,
            "{kind}"
        );
    }
    Ok(())
}

#[test]
fn an_action_of_another_kind_does_not_apply_to_an_object() -> TestResult {
    let mut o = Outsourcer::new()?;
    let objects = one_of_each_kind(&mut o.company, "Acme", &[o.acme])?;
    for (&kind, &object) in ObjectKind::ALL.iter().zip(&objects) {
        for other in ObjectKind::ALL.into_iter().filter(|&k| k != kind) {
            for action in [other.view_permission(), other.manage_permission()] {
                for user in [o.admin, o.acme_agent] {
                    assert_eq!(
                        o.company.check(user, action, Resource::Object(object)),
                        Decision::Deny(DenyReason::NotApplicable),
                        "`{action}` on a {kind}"
                    );
                }
            }
        }
        // Nor does a company-wide action, or a mix with the right kind.
        for action in [
            Permissions::REPORTS_VIEW,
            Permissions::PROJECTS_ALL,
            kind.view_permission() | Permissions::CALL_JOURNAL_VIEW,
        ] {
            assert_eq!(
                o.company.check(o.admin, action, Resource::Object(object)),
                Decision::Deny(DenyReason::NotApplicable),
                "`{action}` on a {kind}"
            );
        }
    }
    assert_eq!(
        o.company.check(
            o.admin,
            Permissions::AUTODIALERS_MANAGE,
            Resource::Object(o.acme_queue)
        ),
        Decision::Deny(DenyReason::NotApplicable),
    );
    Ok(())
}

#[test]
fn only_project_permissions_apply_to_a_project() -> TestResult {
    let o = Outsourcer::new()?;
    for action in [
        Permissions::QUEUES_VIEW,
        Permissions::REPORTS_VIEW,
        Permissions::PROJECTS_VIEW | Permissions::QUEUES_VIEW,
    ] {
        assert_eq!(
            o.company.check(o.admin, action, Resource::Project(o.acme)),
            Decision::Deny(DenyReason::NotApplicable),
            "`{action}`"
        );
    }
    assert_eq!(
        o.company.check(
            o.admin,
            Permissions::PROJECTS_MANAGE,
            Resource::Project(o.acme)
        ),
        Decision::Allow,
    );
    // A member may view the project but not edit it without the role.
    assert_eq!(
        o.company.check(
            o.acme_agent,
            Permissions::PROJECTS_VIEW,
            Resource::Project(o.acme)
        ),
        Decision::Allow,
    );
    assert_eq!(
        o.company.check(
            o.acme_agent,
            Permissions::PROJECTS_MANAGE,
            Resource::Project(o.acme)
        ),
        Decision::Deny(DenyReason::MissingPermission),
    );
    Ok(())
}

#[test]
fn a_supervisor_manages_their_projects_objects_and_nothing_of_other_projects() -> TestResult {
    let mut o = Outsourcer::new()?;
    let sam = add_user(&mut o.company, "sam", &[RoleId::SUPERVISOR], &[o.acme])?;

    assert_eq!(
        o.company.check(
            sam,
            Permissions::QUEUES_MANAGE,
            Resource::Object(o.acme_queue)
        ),
        Decision::Allow,
    );
    assert_eq!(
        o.company.check(
            sam,
            Permissions::QUEUES_MANAGE,
            Resource::Object(o.globex_queue)
        ),
        Decision::Deny(DenyReason::HiddenByProjects),
    );
    Ok(())
}

#[test]
fn an_operator_member_still_cannot_open_queues() -> TestResult {
    let mut o = Outsourcer::new()?;
    let olga = add_user(&mut o.company, "olga", &[RoleId::OPERATOR], &[o.acme])?;

    let why = o.company.explain(
        olga,
        Permissions::QUEUES_VIEW,
        Resource::Object(o.acme_queue),
    );

    assert_eq!(
        why.decision(),
        Decision::Deny(DenyReason::MissingPermission)
    );
    assert_eq!(why.missing(), Permissions::QUEUES_VIEW);
    assert_eq!(
        why.reach(),
        Reach::Project {
            project: o.acme,
            via: None
        }
    );
    Ok(())
}

#[test]
fn editing_a_members_role_changes_what_they_may_do_in_the_project_at_once() -> TestResult {
    let mut o = Outsourcer::new()?;
    let action = Permissions::QUEUES_MANAGE;
    let queue = Resource::Object(o.globex_queue);
    assert_eq!(
        o.company.check(o.globex_agent, action, queue),
        Decision::Deny(DenyReason::MissingPermission),
    );

    o.company.apply(Change::SetSectionAccess {
        role: o.agent_role,
        permission: action,
        allowed: true,
    })?;

    assert_eq!(
        o.company.check(o.globex_agent, action, queue),
        Decision::Allow
    );
    // Still nothing outside the project.
    assert_eq!(
        o.company
            .check(o.globex_agent, action, Resource::Object(o.acme_queue)),
        Decision::Deny(DenyReason::HiddenByProjects),
    );
    Ok(())
}

#[test]
fn company_wide_sections_do_not_depend_on_projects() -> TestResult {
    let mut o = Outsourcer::new()?;
    let analyst = add_role(&mut o.company, "Analyst", Permissions::REPORTS_VIEW, &[])?;
    let outsider = add_user(&mut o.company, "oz", &[analyst], &[])?;

    let why = o
        .company
        .explain(outsider, Permissions::REPORTS_VIEW, Resource::Company);

    assert_eq!(why.decision(), Decision::Allow);
    assert_eq!(why.reach(), Reach::NotScoped);
    // Creating a queue is a company-wide action too: a Supervisor in no
    // project may do it.
    let sam = add_user(&mut o.company, "sam", &[RoleId::SUPERVISOR], &[])?;
    assert_eq!(
        o.company
            .check(sam, Permissions::QUEUES_MANAGE, Resource::Company),
        Decision::Allow,
    );
    Ok(())
}
