//! What every user expects (DOMAIN, "Rules every user of such a system
//! expects"): "Deny by default: an unknown user, role, object or action is
//! denied, never an error that a caller could mistake for "allowed"."
//!
//! Design decision: deny reasons come in a fixed order: UnknownUser, then
//! UnknownObject / UnknownProject, then NotApplicable, then HiddenByProjects
//! (before MissingPermission, so a deny does not reveal that a hidden object
//! exists), then MissingPermission.

mod common;

use callgate::{
    Change, Decision, DenyReason, EntityKind, Error, ObjectId, ObjectKind, Permissions, ProjectId,
    Reach, Resource, RoleId, UserId, CATALOG,
};
use common::{add_user, Outsourcer, TestResult};

const UNKNOWN_USER: Decision = Decision::Deny(DenyReason::UnknownUser);

#[test]
fn a_user_who_never_existed_is_denied_everywhere() -> TestResult {
    let o = Outsourcer::new()?;
    let ghost = UserId::new(999);
    for resource in [
        Resource::Company,
        Resource::Object(o.acme_queue),
        Resource::Project(o.acme),
        Resource::Object(ObjectId::new(999)),
    ] {
        assert_eq!(
            o.company.check(ghost, Permissions::QUEUES_VIEW, resource),
            UNKNOWN_USER
        );
        assert_eq!(
            o.company.check(ghost, Permissions::empty(), resource),
            UNKNOWN_USER
        );
    }
    Ok(())
}

#[test]
fn a_deleted_user_is_unknown_whatever_they_held() -> TestResult {
    let mut o = Outsourcer::new()?;
    // One user with a role and a project, one with nothing at all.
    let kim = o.company.create_user("kim")?;
    for user in [o.acme_agent, kim] {
        let report = o.company.apply(Change::DeleteUser { user })?;
        assert!(report.affected_users.contains(&user));

        for resource in [
            Resource::Company,
            Resource::Object(o.acme_queue),
            Resource::Project(o.acme),
        ] {
            assert_eq!(
                o.company.check(user, Permissions::QUEUES_VIEW, resource),
                UNKNOWN_USER
            );
        }
        let unknown = Error::UnknownId {
            kind: EntityKind::User,
            id: user.get(),
        };
        assert_eq!(o.company.effective_permissions(user), Err(unknown.clone()));
        assert_eq!(o.company.snapshot().permissions_of(user), None);
        assert_eq!(
            o.company.visible_objects(user, ObjectKind::Queue).err(),
            Some(unknown.clone())
        );
        assert_eq!(o.company.visible_projects(user), Err(unknown));
        assert!(!o.company.holders(Permissions::empty()).any(|u| u == user));
    }
    Ok(())
}

#[test]
fn unknown_and_deleted_objects_and_projects_are_denied_even_to_admin() -> TestResult {
    let mut o = Outsourcer::new()?;
    let gone_queue = o.company.create_object(ObjectKind::Queue, "Gone")?;
    o.company
        .apply(Change::DeleteObject { object: gone_queue })?;
    let gone_project = o.company.create_project("Gone", "")?;
    o.company.apply(Change::DeleteProject {
        project: gone_project,
    })?;

    for object in [gone_queue, ObjectId::new(999)] {
        for action in [Permissions::QUEUES_VIEW, Permissions::empty()] {
            assert_eq!(
                o.company.check(o.admin, action, Resource::Object(object)),
                Decision::Deny(DenyReason::UnknownObject),
            );
        }
    }
    for project in [gone_project, ProjectId::new(999)] {
        for action in [Permissions::PROJECTS_VIEW, Permissions::empty()] {
            assert_eq!(
                o.company.check(o.admin, action, Resource::Project(project)),
                Decision::Deny(DenyReason::UnknownProject),
            );
        }
    }
    Ok(())
}

#[test]
fn an_empty_action_is_never_allowed() -> TestResult {
    let o = Outsourcer::new()?;
    for resource in [
        Resource::Company,
        Resource::Object(o.acme_queue),
        Resource::Project(o.acme),
    ] {
        assert_eq!(
            o.company.check(o.admin, Permissions::empty(), resource),
            Decision::Deny(DenyReason::NotApplicable),
        );
    }
    Ok(())
}

#[test]
fn an_action_outside_the_catalog_is_never_allowed() -> TestResult {
    let o = Outsourcer::new()?;
    let unknown = Permissions::from_bits_retain(1 << 100);
    for action in [unknown, unknown | Permissions::QUEUES_VIEW] {
        for resource in [
            Resource::Company,
            Resource::Object(o.acme_queue),
            Resource::Project(o.acme),
        ] {
            let decision = o.company.check(o.admin, action, resource);
            assert!(!decision.is_allowed(), "{action:?} on {resource:?}");
            assert!(decision.deny_reason().is_some());
        }
    }
    Ok(())
}

#[test]
fn a_user_without_roles_is_denied_every_permission() -> TestResult {
    let mut o = Outsourcer::new()?;
    let nia = add_user(&mut o.company, "nia", &[], &[o.acme])?;
    for info in CATALOG {
        assert_eq!(
            o.company.check(nia, info.flag, Resource::Company),
            Decision::Deny(DenyReason::MissingPermission),
            "`{}`",
            info.name
        );
    }
    for kind in ObjectKind::ALL {
        assert!(o.company.visible_objects(nia, kind)?.next().is_none());
    }
    assert!(o.company.visible_projects(nia)?.is_empty());
    Ok(())
}

#[test]
fn deny_reasons_come_in_a_fixed_order() -> TestResult {
    let o = Outsourcer::new()?;
    let ghost_user = UserId::new(999);
    let ghost_object = Resource::Object(ObjectId::new(999));
    let ghost_project = Resource::Project(ProjectId::new(999));
    let hidden = Resource::Object(o.globex_queue);
    let cases = [
        // Unknown user beats everything.
        (
            ghost_user,
            Permissions::empty(),
            ghost_object,
            DenyReason::UnknownUser,
        ),
        // Unknown object or project beats a wrong action.
        (
            o.acme_agent,
            Permissions::empty(),
            ghost_object,
            DenyReason::UnknownObject,
        ),
        (
            o.acme_agent,
            Permissions::REPORTS_VIEW,
            ghost_project,
            DenyReason::UnknownProject,
        ),
        // Hiding beats a wrong action: a denial must not reveal the kind of
        // an object the user cannot see.
        (
            o.acme_agent,
            Permissions::AUTODIALERS_MANAGE,
            hidden,
            DenyReason::HiddenByProjects,
        ),
        // On a visible object, a wrong action is not applicable.
        (
            o.acme_agent,
            Permissions::AUTODIALERS_MANAGE,
            Resource::Object(o.acme_queue),
            DenyReason::NotApplicable,
        ),
        // Hiding beats a missing permission (agents may not manage queues).
        (
            o.acme_agent,
            Permissions::QUEUES_MANAGE,
            hidden,
            DenyReason::HiddenByProjects,
        ),
        (
            o.acme_agent,
            Permissions::QUEUES_MANAGE,
            Resource::Object(o.acme_queue),
            DenyReason::MissingPermission,
        ),
    ];
    for (user, action, resource, reason) in cases {
        assert_eq!(
            o.company.check(user, action, resource),
            Decision::Deny(reason),
            "{action:?} on {resource:?}"
        );
    }
    Ok(())
}

#[test]
fn questions_about_unknown_ids_are_errors_not_empty_answers() -> TestResult {
    let o = Outsourcer::new()?;
    let unknown = |kind| Error::UnknownId { kind, id: 999 };
    let ghost = UserId::new(999);

    assert_eq!(
        o.company.effective_permissions(ghost),
        Err(unknown(EntityKind::User))
    );
    assert_eq!(
        o.company.visible_objects(ghost, ObjectKind::Queue).err(),
        Some(unknown(EntityKind::User))
    );
    assert_eq!(
        o.company.visible_projects(ghost),
        Err(unknown(EntityKind::User))
    );
    assert_eq!(
        o.company.role_holders(RoleId::new(999)),
        Err(unknown(EntityKind::Role))
    );
    assert_eq!(
        o.company.project_members(ProjectId::new(999)),
        Err(unknown(EntityKind::Project))
    );
    Ok(())
}

#[test]
fn explaining_a_check_on_an_unknown_user_grants_nothing() -> TestResult {
    let o = Outsourcer::new()?;
    let why = o.company.explain(
        UserId::new(999),
        Permissions::QUEUES_VIEW,
        Resource::Object(o.acme_queue),
    );
    assert_eq!(why.decision(), UNKNOWN_USER);
    assert!(why.grants().is_empty());
    assert_eq!(why.missing(), Permissions::QUEUES_VIEW);
    assert_eq!(why.reach(), Reach::NotReached);
    assert!(why.to_string().starts_with("deny (unknown user)"), "{why}");
    Ok(())
}
