//! DOMAIN rule 12: "A **project** has a name, a description, members (users
//! and groups) and objects of the nine kinds above. Projects are
//! independent: in enhanced mode a user sees and acts on a scoped object only
//! if they are a member of a project that holds it. Everything else is
//! hidden, as if it did not exist (an outsourcing call center runs each
//! client as a project, hidden from the other clients' staff)."

mod common;

use callgate::{
    Change, Decision, DenyReason, EntityKind, Error, ObjectKind, Permissions, Reach, Resource,
};
use common::{
    Outsourcer, TestResult, add_object, add_role, assert_visible_agrees_with_check,
    every_kind_view, one_of_each_kind, refuse, visible,
};

#[test]
fn a_project_has_a_name_a_description_members_and_objects() -> TestResult {
    let o = Outsourcer::new()?;
    let project = o.company.project(o.globex).ok_or("Globex is gone")?;

    assert_eq!(project.name(), "Globex");
    assert_eq!(project.description(), "Client Globex");
    assert_eq!(project.users().count(), 0);
    assert_eq!(project.groups().collect::<Vec<_>>(), vec![o.globex_team]);
    assert_eq!(project.objects().collect::<Vec<_>>(), vec![o.globex_queue]);
    assert_eq!(o.company.project_members(o.globex)?, vec![o.globex_agent]);
    Ok(())
}

#[test]
fn each_clients_staff_sees_only_that_clients_queue() -> TestResult {
    let o = Outsourcer::new()?;
    let view = |user, queue| {
        o.company
            .check(user, Permissions::QUEUES_VIEW, Resource::Object(queue))
    };

    assert_eq!(view(o.acme_agent, o.acme_queue), Decision::Allow);
    assert_eq!(
        view(o.acme_agent, o.globex_queue),
        Decision::Deny(DenyReason::HiddenByProjects)
    );
    // Gus is a member (and an Agent) only through his group.
    assert_eq!(view(o.globex_agent, o.globex_queue), Decision::Allow);
    assert_eq!(
        view(o.globex_agent, o.acme_queue),
        Decision::Deny(DenyReason::HiddenByProjects)
    );

    assert_eq!(
        visible(&o.company, o.acme_agent, ObjectKind::Queue)?,
        vec![o.acme_queue]
    );
    assert_eq!(
        visible(&o.company, o.globex_agent, ObjectKind::Queue)?,
        vec![o.globex_queue]
    );
    for user in [o.admin, o.acme_agent, o.globex_agent] {
        assert_visible_agrees_with_check(&o.company, user, ObjectKind::Queue)?;
    }
    Ok(())
}

#[test]
fn objects_of_every_kind_are_hidden_from_other_clients() -> TestResult {
    let mut o = Outsourcer::new()?;
    add_role(
        &mut o.company,
        "Viewer",
        every_kind_view(),
        &[o.acme_agent.into(), o.globex_team.into()],
    )?;
    let objects = one_of_each_kind(&mut o.company, "Acme", &[o.acme])?;
    for (kind, object) in ObjectKind::ALL.into_iter().zip(objects) {
        let view = kind.view_permission();

        assert_eq!(
            o.company
                .check(o.acme_agent, view, Resource::Object(object)),
            Decision::Allow,
            "{kind}"
        );
        assert_eq!(
            o.company
                .check(o.globex_agent, view, Resource::Object(object)),
            Decision::Deny(DenyReason::HiddenByProjects),
            "{kind}"
        );
        assert!(visible(&o.company, o.acme_agent, kind)?.contains(&object));
        assert!(!visible(&o.company, o.globex_agent, kind)?.contains(&object));
        for user in [o.acme_agent, o.globex_agent] {
            assert_visible_agrees_with_check(&o.company, user, kind)?;
        }
    }
    Ok(())
}

#[test]
fn other_clients_projects_are_hidden_too() -> TestResult {
    let o = Outsourcer::new()?;
    let default = o.company.default_project().ok_or("no Default")?;

    assert_eq!(o.company.visible_projects(o.acme_agent)?, vec![o.acme]);
    assert_eq!(o.company.visible_projects(o.globex_agent)?, vec![o.globex]);
    assert_eq!(
        o.company.check(
            o.acme_agent,
            Permissions::PROJECTS_VIEW,
            Resource::Project(o.globex)
        ),
        Decision::Deny(DenyReason::HiddenByProjects),
    );
    // Admin, a member of Default only, sees them all (rule 16).
    assert_eq!(
        o.company.visible_projects(o.admin)?,
        vec![default, o.acme, o.globex]
    );
    Ok(())
}

#[test]
fn a_hidden_object_is_denied_as_hidden_even_when_a_permission_is_missing_too() -> TestResult {
    let o = Outsourcer::new()?;
    // Agents may view queues but not manage them.
    assert_eq!(
        o.company.check(
            o.globex_agent,
            Permissions::QUEUES_MANAGE,
            Resource::Object(o.acme_queue)
        ),
        Decision::Deny(DenyReason::HiddenByProjects),
    );
    assert_eq!(
        o.company.check(
            o.globex_agent,
            Permissions::QUEUES_MANAGE,
            Resource::Object(o.globex_queue)
        ),
        Decision::Deny(DenyReason::MissingPermission),
    );
    Ok(())
}

#[test]
fn an_object_in_two_projects_is_seen_from_both_and_listed_once() -> TestResult {
    let mut o = Outsourcer::new()?;
    o.company.apply(Change::AddProjectObjects {
        project: o.globex,
        objects: vec![o.acme_queue],
    })?;
    o.company.apply(Change::AddProjectMembers {
        project: o.globex,
        principals: vec![o.acme_agent.into()],
        roles: vec![],
    })?;

    assert!(
        o.company
            .check(
                o.globex_agent,
                Permissions::QUEUES_VIEW,
                Resource::Object(o.acme_queue)
            )
            .is_allowed()
    );
    let mut seen = visible(&o.company, o.acme_agent, ObjectKind::Queue)?;
    seen.sort();
    assert_eq!(seen, vec![o.acme_queue, o.globex_queue]);
    for user in [o.acme_agent, o.globex_agent] {
        assert_visible_agrees_with_check(&o.company, user, ObjectKind::Queue)?;
    }
    Ok(())
}

#[test]
fn explain_names_the_project_that_reaches_the_object() -> TestResult {
    let o = Outsourcer::new()?;
    let reach = |user, queue| {
        o.company
            .explain(user, Permissions::QUEUES_VIEW, Resource::Object(queue))
            .reach()
    };

    assert_eq!(
        reach(o.acme_agent, o.acme_queue),
        Reach::Project {
            project: o.acme,
            via: None
        }
    );
    assert_eq!(
        reach(o.globex_agent, o.globex_queue),
        Reach::Project {
            project: o.globex,
            via: Some(o.globex_team)
        }
    );
    assert_eq!(reach(o.acme_agent, o.globex_queue), Reach::Hidden);
    assert_eq!(reach(o.admin, o.globex_queue), Reach::AllProjects);
    Ok(())
}

#[test]
fn taking_an_object_out_of_the_project_hides_it_from_the_members() -> TestResult {
    let mut o = Outsourcer::new()?;

    o.company.apply(Change::RemoveProjectObjects {
        project: o.acme,
        objects: vec![o.acme_queue],
    })?;

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
fn deleting_a_project_hides_its_objects_from_its_former_members() -> TestResult {
    let mut o = Outsourcer::new()?;

    o.company.apply(Change::DeleteProject { project: o.acme })?;

    let company = &o.company;
    assert!(company.project(o.acme).is_none());
    assert_eq!(
        company.check(
            o.acme_agent,
            Permissions::QUEUES_VIEW,
            Resource::Object(o.acme_queue)
        ),
        Decision::Deny(DenyReason::HiddenByProjects),
    );
    assert_eq!(
        company.check(
            o.acme_agent,
            Permissions::PROJECTS_VIEW,
            Resource::Project(o.acme)
        ),
        Decision::Deny(DenyReason::UnknownProject),
    );
    // The object itself stays.
    assert!(company.object(o.acme_queue).is_some());
    assert!(
        company
            .check(
                o.admin,
                Permissions::QUEUES_VIEW,
                Resource::Object(o.acme_queue)
            )
            .is_allowed()
    );
    assert_visible_agrees_with_check(company, o.acme_agent, ObjectKind::Queue)?;
    Ok(())
}

#[test]
fn object_names_are_unique_within_a_kind_only() -> TestResult {
    let mut o = Outsourcer::new()?;

    let error = refuse(
        &mut o.company,
        Change::CreateObject {
            kind: ObjectKind::Queue,
            name: "Acme inbound".into(),
            projects: vec![o.acme],
        },
    );
    assert_eq!(
        error,
        Error::DuplicateName {
            kind: EntityKind::Object,
            name: "Acme inbound".into()
        }
    );

    let dialer = add_object(
        &mut o.company,
        ObjectKind::Autodialer,
        "Acme inbound",
        &[o.acme],
    )?;
    assert_eq!(
        o.company
            .object_by_name(ObjectKind::Autodialer, "Acme inbound"),
        Some(dialer)
    );
    assert_eq!(
        o.company.object_by_name(ObjectKind::Queue, "Acme inbound"),
        Some(o.acme_queue)
    );
    Ok(())
}

#[test]
fn project_names_are_unique() -> TestResult {
    let mut o = Outsourcer::new()?;
    let error = refuse(
        &mut o.company,
        Change::CreateProject {
            name: "Acme".into(),
            description: "again".into(),
            principals: Vec::new(),
            objects: Vec::new(),
        },
    );
    assert_eq!(
        error,
        Error::DuplicateName {
            kind: EntityKind::Project,
            name: "Acme".into()
        }
    );
    Ok(())
}

#[test]
fn a_member_of_many_projects_sees_each_of_their_objects_once() -> TestResult {
    let mut o = Outsourcer::new()?;
    let projects = ["Initech", "Umbrella", "Hooli", "Vandelay", "Wonka"]
        .iter()
        .map(|name| o.company.create_project(*name, ""))
        .collect::<Result<Vec<_>, _>>()?;
    o.company.apply(Change::AddProjectMembers {
        project: projects[4],
        principals: vec![o.acme_agent.into()],
        roles: vec![],
    })?;
    for &project in &projects[..4] {
        o.company.apply(Change::AddProjectMembers {
            project,
            principals: vec![o.globex_team.into()],
            roles: vec![],
        })?;
    }
    // Queues spread over the projects, some shared, one in none of Gus's.
    let shared = add_object(&mut o.company, ObjectKind::Queue, "Shared", &projects[1..])?;
    let pair = add_object(&mut o.company, ObjectKind::Queue, "Pair", &projects[2..4])?;
    let alone = add_object(&mut o.company, ObjectKind::Queue, "Alone", &projects[4..])?;

    let mut seen = visible(&o.company, o.globex_agent, ObjectKind::Queue)?;
    seen.sort();
    assert_eq!(seen, vec![o.globex_queue, shared, pair]);
    let mut seen = visible(&o.company, o.acme_agent, ObjectKind::Queue)?;
    seen.sort();
    assert_eq!(seen, vec![o.acme_queue, shared, alone]);
    for user in [o.acme_agent, o.globex_agent] {
        assert_visible_agrees_with_check(&o.company, user, ObjectKind::Queue)?;
    }
    Ok(())
}

#[test]
fn a_deleted_object_leaves_every_list_and_every_project() -> TestResult {
    let mut o = Outsourcer::new()?;
    o.company.apply(Change::AddProjectObjects {
        project: o.globex,
        objects: vec![o.acme_queue],
    })?;

    o.company.apply(Change::DeleteObject {
        object: o.acme_queue,
    })?;

    for project in [o.acme, o.globex] {
        let record = o.company.project(project).ok_or("project is gone")?;
        assert!(!record.objects().any(|object| object == o.acme_queue));
    }
    assert_eq!(
        o.company.object_by_name(ObjectKind::Queue, "Acme inbound"),
        None
    );
    for user in [o.admin, o.acme_agent, o.globex_agent] {
        assert!(!visible(&o.company, user, ObjectKind::Queue)?.contains(&o.acme_queue));
        assert_visible_agrees_with_check(&o.company, user, ObjectKind::Queue)?;
    }
    Ok(())
}
