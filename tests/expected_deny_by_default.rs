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
    CATALOG, Change, Decision, DenyReason, EntityKind, Error, ObjectId, ObjectKind, Permissions,
    ProjectId, Reach, Resource, RoleId, UserId,
};
use common::{Outsourcer, TestResult, add_user};

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

// ---- Checks by names (issue 24, point 8) ------------------------------------

/// A user by id (`None`: the name names nothing) and by name, and a
/// resource likewise.
type Named = (Option<UserId>, &'static str, Option<Resource>, &'static str);

/// Every user and resource of the outsourcer, by id and by name, paired
/// with each other and with names that name nothing.
fn by_names(o: &Outsourcer) -> Vec<Named> {
    let users = [
        (Some(o.admin), "ann"),
        (Some(o.acme_agent), "alice"),
        (Some(o.globex_agent), "gus"),
        (None, "zoe"),
        (None, "Ann"),
    ];
    let resources = [
        (Some(Resource::Company), "company"),
        (Some(Resource::Project(o.acme)), "project:Acme"),
        (Some(Resource::Project(o.globex)), "project:Globex"),
        (Some(Resource::Object(o.acme_queue)), "queue:Acme inbound"),
        (
            Some(Resource::Object(o.globex_queue)),
            "queue:Globex inbound",
        ),
        (None, "project:Initech"),
        (None, "queue:Initech inbound"),
        // The right name, the wrong kind: no such object.
        (None, "autodialer:Acme inbound"),
        // A kind the catalog lacks names no object either.
        (None, "spaceship:Acme inbound"),
    ];
    let mut pairs = Vec::new();
    for (user, user_name) in users {
        for (resource, text) in resources {
            pairs.push((user, user_name, resource, text));
        }
    }
    pairs
}

/// A name that names nothing is denied with the reason an id that names
/// nothing gets; a name that names something is checked as its id.
#[test]
fn a_check_by_names_denies_unknown_names_as_unknown_ids() -> TestResult {
    let o = Outsourcer::new()?;
    let ghost_user = UserId::new(999);
    let actions = [
        Permissions::QUEUES_VIEW,
        Permissions::PROJECTS_VIEW,
        Permissions::BILLING_MANAGE,
        Permissions::empty(),
    ];
    let mut allowed = 0;
    for (user, user_name, resource, text) in by_names(&o) {
        let name: callgate::ResourceName = text.parse()?;
        for action in actions {
            // The same question by ids, with an id that names nothing where
            // the name names nothing.
            let expected = match (user, resource) {
                (None, _) => {
                    o.company
                        .check(ghost_user, action, resource.unwrap_or(Resource::Company))
                }
                (Some(user), Some(resource)) => o.company.check(user, action, resource),
                (Some(user), None) if text.starts_with("project:") => {
                    o.company
                        .check(user, action, Resource::Project(ProjectId::new(999)))
                }
                (Some(user), None) => {
                    o.company
                        .check(user, action, Resource::Object(ObjectId::new(999)))
                }
            };
            let by_name = o.company.check_by_name(user_name, action, text)?;
            assert_eq!(by_name, expected, "{user_name} {action:?} {text}");
            assert_eq!(o.company.check_named(user_name, action, &name), expected);
            allowed += usize::from(expected.is_allowed());
        }
    }
    assert!(allowed > 0, "some pair is allowed");
    // The reasons themselves.
    let deny = |reason| Decision::Deny(reason);
    let check = |user, text| {
        o.company
            .check_by_name(user, Permissions::QUEUES_VIEW, text)
    };
    assert_eq!(
        check("zoe", "queue:Acme inbound")?,
        deny(DenyReason::UnknownUser)
    );
    assert_eq!(
        check("zoe", "project:Initech")?,
        deny(DenyReason::UnknownUser)
    );
    assert_eq!(
        check("ann", "project:Initech")?,
        deny(DenyReason::UnknownProject)
    );
    assert_eq!(
        check("ann", "queue:Initech inbound")?,
        deny(DenyReason::UnknownObject)
    );
    assert_eq!(
        check("ann", "spaceship:X")?,
        deny(DenyReason::UnknownObject)
    );
    assert_eq!(check("ann", "queue:Acme inbound")?, Decision::Allow);
    assert_eq!(
        check("gus", "queue:Acme inbound")?,
        deny(DenyReason::HiddenByProjects)
    );
    Ok(())
}

/// Deleted users, objects and projects are unknown by name as by id.
#[test]
fn a_check_by_names_denies_deleted_names() -> TestResult {
    let mut o = Outsourcer::new()?;
    o.company.apply(Change::DeleteUser { user: o.acme_agent })?;
    o.company.apply(Change::DeleteObject {
        object: o.globex_queue,
    })?;
    o.company.apply(Change::DeleteProject { project: o.acme })?;
    let check = |user, text| {
        o.company
            .check_by_name(user, Permissions::QUEUES_VIEW, text)
    };
    assert_eq!(check("alice", "company")?, UNKNOWN_USER);
    assert_eq!(
        check("ann", "queue:Globex inbound")?,
        Decision::Deny(DenyReason::UnknownObject)
    );
    assert_eq!(
        o.company
            .check_by_name("ann", Permissions::PROJECTS_VIEW, "project:Acme")?,
        Decision::Deny(DenyReason::UnknownProject)
    );
    Ok(())
}

/// Only malformed text is an error: it is a bad request, not a name.
#[test]
fn a_check_by_names_refuses_only_malformed_text() -> TestResult {
    let o = Outsourcer::new()?;
    for text in ["queue", "queue:", ":Acme", "", "Company"] {
        for user in ["ann", "zoe"] {
            let error = o
                .company
                .check_by_name(user, Permissions::QUEUES_VIEW, text)
                .expect_err(text);
            assert!(matches!(error, Error::InvalidResource { .. }), "{error}");
        }
    }
    Ok(())
}

/// The read side answers by names alike, from the latest published view.
#[test]
fn a_reader_checks_by_names() -> TestResult {
    let o = Outsourcer::new()?;
    let expected: Vec<_> = by_names(&o)
        .into_iter()
        .map(|(_, user, _, text)| {
            let decision = o
                .company
                .check_by_name(user, Permissions::QUEUES_VIEW, text);
            (user, text, decision)
        })
        .collect();
    let publisher = callgate::Publisher::new(o.company);
    let reader = publisher.reader();
    let view = reader.view();
    for (user, text, decision) in expected {
        let name: callgate::ResourceName = text.parse()?;
        let decision = decision?;
        assert_eq!(
            reader.check_by_name(user, Permissions::QUEUES_VIEW, text)?,
            decision
        );
        assert_eq!(
            reader.check_named(user, Permissions::QUEUES_VIEW, &name),
            decision
        );
        assert_eq!(
            view.check_named(user, Permissions::QUEUES_VIEW, &name),
            decision
        );
    }
    assert!(
        reader
            .check_by_name("ann", Permissions::QUEUES_VIEW, "queue")
            .is_err()
    );
    Ok(())
}
