//! DOMAIN rule 11: "Switching to enhanced creates, the first time, a project
//! named **Default** holding every existing queue (and other project-scoped
//! object) and every existing user."
//!
//! Design decisions: a user or object created later joins no project unless
//! the change lists some; Default cannot be deleted or renamed; an existing
//! project named `Default` refuses the first switch with a duplicate-name
//! error.

mod common;

use callgate::{
    Change, Company, Created, DEFAULT_PROJECT_NAME, Decision, DenyReason, EntityKind, Error,
    ObjectId, ObjectKind, Permissions, Resource, RoleId, SecurityMode, UserId,
};
use common::{
    CallCenter, TestResult, add_object, add_user, every_kind_view, one_of_each_kind, refuse,
    set_mode,
};

/// The call center with one object of each of the nine kinds, in no project.
fn with_every_kind() -> Result<(CallCenter, Vec<ObjectId>), Error> {
    let mut center = CallCenter::new()?;
    let objects = one_of_each_kind(&mut center.company, "First", &[])?;
    Ok((center, objects))
}

#[test]
fn the_first_switch_makes_default_with_every_user_and_every_object() -> TestResult {
    let (mut center, objects) = with_every_kind()?;
    let kim = center.company.create_user("kim")?;
    let team = center.company.create_group("Team", &[kim])?;

    let report = center.company.apply(Change::SetSecurityMode {
        mode: SecurityMode::Enhanced,
    })?;

    let company = &center.company;
    let default = company.default_project().ok_or("no Default project")?;
    assert_eq!(report.created, Some(Created::Project(default)));
    assert_eq!(company.project_by_name(DEFAULT_PROJECT_NAME), Some(default));
    let project = company.project(default).ok_or("Default is gone")?;
    assert_eq!(project.name(), "Default");
    assert_eq!(
        company.project_members(default)?,
        vec![center.admin, center.supervisor, center.operator, kim]
    );
    assert_eq!(project.objects().collect::<Vec<_>>(), objects);
    // Users are members themselves, not through their groups.
    assert_eq!(project.groups().count(), 0);
    assert_eq!(company.group(team).ok_or("gone")?.projects().count(), 0);
    Ok(())
}

/// Every user's view decision on every object, in order.
fn view_decisions(company: &Company, users: &[UserId], objects: &[ObjectId]) -> Vec<Decision> {
    let mut decisions = Vec::new();
    for &user in users {
        for (object, record) in objects
            .iter()
            .filter_map(|&o| Some((o, company.object(o)?)))
        {
            let action = record.kind().view_permission();
            decisions.push(company.check(user, action, Resource::Object(object)));
        }
    }
    decisions
}

#[test]
fn after_the_first_switch_everyone_still_sees_what_they_saw() -> TestResult {
    let (mut center, objects) = with_every_kind()?;
    let role = center
        .company
        .create_role("Viewer", "", every_kind_view())?;
    let viewer = add_user(&mut center.company, "vic", &[role], &[])?;
    let users = [center.admin, center.supervisor, center.operator, viewer];
    let before = view_decisions(&center.company, &users, &objects);
    assert_eq!(before.len(), users.len() * ObjectKind::ALL.len());
    assert!(before.contains(&Decision::Allow));

    set_mode(&mut center.company, SecurityMode::Enhanced)?;

    assert_eq!(view_decisions(&center.company, &users, &objects), before);
    Ok(())
}

#[test]
fn a_user_created_later_joins_no_project_unless_the_change_lists_one() -> TestResult {
    let (mut center, objects) = with_every_kind()?;
    set_mode(&mut center.company, SecurityMode::Enhanced)?;
    let default = center.company.default_project().ok_or("no Default")?;
    let queue = objects[0];

    let outsider = add_user(&mut center.company, "oz", &[RoleId::SUPERVISOR], &[])?;
    let insider = add_user(
        &mut center.company,
        "ida",
        &[RoleId::SUPERVISOR],
        &[default],
    )?;

    let company = &center.company;
    assert_eq!(company.user(outsider).ok_or("gone")?.projects().count(), 0);
    assert!(!company.project_members(default)?.contains(&outsider));
    assert_eq!(
        company.check(outsider, Permissions::QUEUES_VIEW, Resource::Object(queue)),
        Decision::Deny(DenyReason::HiddenByProjects),
    );
    assert!(company.project_members(default)?.contains(&insider));
    assert_eq!(
        company.check(insider, Permissions::QUEUES_VIEW, Resource::Object(queue)),
        Decision::Allow,
    );
    Ok(())
}

#[test]
fn an_object_created_later_sits_in_no_project_unless_the_change_lists_one() -> TestResult {
    let (mut center, _) = with_every_kind()?;
    set_mode(&mut center.company, SecurityMode::Enhanced)?;
    let default = center.company.default_project().ok_or("no Default")?;

    let loose = center.company.create_object(ObjectKind::Queue, "Loose")?;
    let placed = add_object(&mut center.company, ObjectKind::Queue, "Placed", &[default])?;

    let company = &center.company;
    assert_eq!(company.object(loose).ok_or("gone")?.projects().count(), 0);
    assert_eq!(
        company
            .object(placed)
            .ok_or("gone")?
            .projects()
            .collect::<Vec<_>>(),
        vec![default]
    );
    assert_eq!(
        company.check(
            center.supervisor,
            Permissions::QUEUES_VIEW,
            Resource::Object(loose)
        ),
        Decision::Deny(DenyReason::HiddenByProjects),
    );
    assert_eq!(
        company.check(
            center.supervisor,
            Permissions::QUEUES_VIEW,
            Resource::Object(placed)
        ),
        Decision::Allow,
    );
    Ok(())
}

#[test]
fn default_cannot_be_deleted_or_renamed_but_its_description_can_change() -> TestResult {
    let (mut center, _) = with_every_kind()?;
    set_mode(&mut center.company, SecurityMode::Enhanced)?;
    let default = center.company.default_project().ok_or("no Default")?;

    let error = refuse(
        &mut center.company,
        Change::DeleteProject { project: default },
    );
    assert_eq!(error, Error::DefaultProject { action: "deleted" });
    let error = refuse(
        &mut center.company,
        Change::EditProject {
            project: default,
            name: Some("Everyone".into()),
            description: Some("Renamed".into()),
        },
    );
    assert_eq!(error, Error::DefaultProject { action: "renamed" });

    center.company.apply(Change::EditProject {
        project: default,
        name: None,
        description: Some("Our own line".into()),
    })?;
    let project = center.company.project(default).ok_or("gone")?;
    assert_eq!(project.name(), "Default");
    assert_eq!(project.description(), "Our own line");
    Ok(())
}

#[test]
fn a_project_already_named_default_refuses_the_first_switch() -> TestResult {
    let mut center = CallCenter::new()?;
    let squatter = center.company.create_project("Default", "made by hand")?;

    let error = refuse(
        &mut center.company,
        Change::SetSecurityMode {
            mode: SecurityMode::Enhanced,
        },
    );

    assert_eq!(
        error,
        Error::DuplicateName {
            kind: EntityKind::Project,
            name: "Default".into()
        }
    );
    assert_eq!(center.company.mode(), SecurityMode::Simple);

    // Renamed out of the way, the switch goes through and makes a new Default.
    center.company.apply(Change::EditProject {
        project: squatter,
        name: Some("Old default".into()),
        description: None,
    })?;
    set_mode(&mut center.company, SecurityMode::Enhanced)?;
    let default = center.company.default_project().ok_or("no Default")?;
    assert_ne!(default, squatter);
    assert_eq!(center.company.project_by_name("Default"), Some(default));
    Ok(())
}

#[test]
fn no_other_project_can_take_the_name_default() -> TestResult {
    let (mut center, _) = with_every_kind()?;
    set_mode(&mut center.company, SecurityMode::Enhanced)?;
    let acme = center.company.create_project("Acme", "")?;

    let error = refuse(
        &mut center.company,
        Change::EditProject {
            project: acme,
            name: Some("Default".into()),
            description: None,
        },
    );
    assert!(matches!(error, Error::DuplicateName { .. }), "{error}");
    Ok(())
}
