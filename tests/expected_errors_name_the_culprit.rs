//! What every user expects (DOMAIN, "Rules every user of such a system
//! expects"): "Every change is all-or-nothing: a rejected change leaves the
//! state exactly as it was, and says why." and "Bad stored data is refused
//! with an error that names what is wrong and where."
//!
//! House style (STYLE.md, Errors): messages start lowercase, have no trailing
//! period and put user input in backticks.

mod common;

use callgate::{
    Change, Error, GroupId, ObjectId, ObjectKind, Permissions, ProjectId, RoleId, UserId,
};
use common::{Outsourcer, TestResult, refuse};

#[track_caller]
fn assert_house_style(message: &str) {
    assert!(
        message.starts_with(|c: char| c.is_lowercase() || c == '`'),
        "{message:?} does not start lowercase"
    );
    assert!(!message.ends_with('.'), "{message:?} ends with a period");
}

/// Refuses `change` and returns its message, checked for house style.
#[track_caller]
fn message(o: &mut Outsourcer, change: Change) -> String {
    let message = refuse(&mut o.company, change).to_string();
    assert_house_style(&message);
    message
}

#[test]
fn an_unknown_id_is_named_with_its_kind() -> TestResult {
    let mut o = Outsourcer::new()?;
    let cases = [
        (
            Change::DeleteUser {
                user: UserId::new(41),
            },
            "unknown user id `41`",
        ),
        (
            Change::DeleteGroup {
                group: GroupId::new(42),
            },
            "unknown group id `42`",
        ),
        (
            Change::DeleteRole {
                role: RoleId::new(43),
            },
            "unknown role id `43`",
        ),
        (
            Change::DeleteProject {
                project: ProjectId::new(44),
            },
            "unknown project id `44`",
        ),
        (
            Change::DeleteObject {
                object: ObjectId::new(45),
            },
            "unknown object id `45`",
        ),
        // In a bulk list, the bad one is named, not the good ones.
        (
            Change::AddGroupMembers {
                group: o.globex_team,
                users: vec![o.acme_agent, UserId::new(46)],
            },
            "unknown user id `46`",
        ),
    ];
    for (change, expected) in cases {
        assert_eq!(message(&mut o, change), expected);
    }
    Ok(())
}

#[test]
fn a_taken_name_is_named_with_its_kind() -> TestResult {
    let mut o = Outsourcer::new()?;
    let cases = [
        (
            Change::CreateUser {
                name: "alice".into(),
                roles: vec![],
                groups: vec![],
                projects: vec![],
            },
            "user name `alice` is already taken",
        ),
        (
            Change::CreateGroup {
                name: "Globex team".into(),
                members: vec![],
            },
            "group name `Globex team` is already taken",
        ),
        (
            Change::EditRole {
                role: o.agent_role,
                name: Some("Supervisor".into()),
                description: None,
                permissions: None,
                put_users_offline: None,
            },
            "role name `Supervisor` is already taken",
        ),
        (
            Change::EditProject {
                project: o.globex,
                name: Some("Acme".into()),
                description: None,
            },
            "project name `Acme` is already taken",
        ),
        (
            Change::RenameObject {
                object: o.globex_queue,
                name: "Acme inbound".into(),
            },
            "object name `Acme inbound` is already taken",
        ),
    ];
    for (change, expected) in cases {
        assert_eq!(message(&mut o, change), expected);
    }
    Ok(())
}

#[test]
fn an_invalid_name_is_quoted_as_given() -> TestResult {
    let mut o = Outsourcer::new()?;
    let change = Change::RenameGroup {
        group: o.globex_team,
        name: " Globex ".into(),
    };
    let text = message(&mut o, change);
    assert!(text.starts_with("invalid group name ` Globex `"), "{text}");
    Ok(())
}

#[test]
fn a_builtin_role_is_named_with_what_was_attempted() -> TestResult {
    let mut o = Outsourcer::new()?;
    assert_eq!(
        message(
            &mut o,
            Change::DeleteRole {
                role: RoleId::SUPERVISOR
            }
        ),
        "built-in role `Supervisor` cannot be deleted"
    );
    assert_eq!(
        message(
            &mut o,
            Change::SetSectionAccess {
                role: RoleId::OPERATOR,
                permission: Permissions::KPI_VIEW,
                allowed: true,
            }
        ),
        "built-in role `Operator` cannot be edited"
    );
    Ok(())
}

#[test]
fn the_default_project_is_named() -> TestResult {
    let mut o = Outsourcer::new()?;
    let default = o.company.default_project().ok_or("no Default")?;
    assert_eq!(
        message(&mut o, Change::DeleteProject { project: default }),
        "the `Default` project cannot be deleted"
    );
    assert_eq!(
        message(
            &mut o,
            Change::EditProject {
                project: default,
                name: Some("Main".into()),
                description: None,
            }
        ),
        "the `Default` project cannot be renamed"
    );
    Ok(())
}

#[test]
fn a_set_of_permissions_where_one_is_expected_is_named_by_its_names() -> TestResult {
    let mut o = Outsourcer::new()?;
    let change = |permission| Change::SetSectionAccess {
        role: o.agent_role,
        permission,
        allowed: true,
    };
    let (two, none) = (
        change(Permissions::QUEUES_VIEW | Permissions::LISTS_MANAGE),
        change(Permissions::empty()),
    );
    assert_eq!(
        message(&mut o, two),
        "`queues.view | lists.manage` is not a single permission"
    );
    assert_eq!(message(&mut o, none), "`none` is not a single permission");
    Ok(())
}

#[test]
fn a_lock_out_names_the_user_or_group_it_would_remove() -> TestResult {
    let mut o = Outsourcer::new()?;
    let ann = o.admin;
    assert_eq!(
        message(&mut o, Change::DeleteUser { user: ann }),
        "deleting user `ann` would leave the company without an Admin"
    );
    assert_eq!(
        message(
            &mut o,
            Change::UnassignRole {
                role: RoleId::ADMIN,
                principals: vec![ann.into()],
            }
        ),
        "taking the Admin role from user `ann` would leave the company without an Admin"
    );

    // Now only through a group.
    let admins = o.company.create_group("Admins", &[ann])?;
    o.company.apply(Change::AssignRole {
        role: RoleId::ADMIN,
        principals: vec![admins.into()],
    })?;
    o.company.apply(Change::UnassignRole {
        role: RoleId::ADMIN,
        principals: vec![ann.into()],
    })?;
    assert!(message(&mut o, Change::DeleteGroup { group: admins }).contains("group `Admins`"));
    let text = message(
        &mut o,
        Change::RemoveGroupMembers {
            group: admins,
            users: vec![ann],
        },
    );
    assert!(text.contains("group `Admins`"), "{text}");
    Ok(())
}

#[test]
fn a_separation_of_duties_names_the_user_and_both_grants() -> TestResult {
    // DOMAIN rule 25, in the outsourcer: Globex's agents (a group holding
    // the agent role within Globex) may not also evaluate calls.
    let mut o = Outsourcer::new()?;
    let qa = o
        .company
        .create_role("QA", "", Permissions::QA_CHECKS_MANAGE)?;
    o.company.apply(Change::DeclareDutyConstraint {
        first: callgate::Duty::Permission(Permissions::QA_CHECKS_MANAGE),
        second: callgate::Duty::Permission(Permissions::WORKPLACE_SOFTPHONE),
    })?;
    let (gus, agent) = (o.globex_agent, o.agent_role);
    let text = message(
        &mut o,
        Change::AssignRole {
            role: qa,
            principals: vec![gus.into()],
        },
    );
    assert_eq!(
        text,
        "user `gus` would hold both `qa_checks.manage` from role `QA` (given directly, \
         company-wide) and `workplace.softphone` from role `Agent` (through group `Globex team`, \
         company-wide), which are kept apart"
    );
    // Declaring a pair the company breaks names who breaks it.
    o.company.apply(Change::DropDutyConstraint {
        first: callgate::Duty::Permission(Permissions::QA_CHECKS_MANAGE),
        second: callgate::Duty::Permission(Permissions::WORKPLACE_SOFTPHONE),
    })?;
    o.company.apply(Change::AssignRole {
        role: qa,
        principals: vec![o.acme_agent.into()],
    })?;
    let text = message(
        &mut o,
        Change::DeclareDutyConstraint {
            first: callgate::Duty::Role(qa),
            second: callgate::Duty::Role(agent),
        },
    );
    assert_eq!(
        text,
        "role `QA` and role `Agent` cannot be kept apart: 1 already hold both (user `alice`)"
    );
    Ok(())
}

#[test]
fn unknown_permission_and_kind_names_are_quoted() {
    let cases = [
        (
            "queues.view | queue.fly".parse::<Permissions>().err(),
            "unknown permission `queue.fly`",
        ),
        (
            Permissions::from_stable_name("Queues.View").err(),
            "unknown permission `Queues.View`",
        ),
        (
            "queueue".parse::<ObjectKind>().err(),
            "unknown object kind `queueue`",
        ),
    ];
    for (error, expected) in cases {
        let text = error.map(|e: Error| e.to_string());
        assert_eq!(text.as_deref(), Some(expected));
        assert_house_style(expected);
    }
}

#[cfg(feature = "serde")]
#[test]
fn bad_stored_changes_are_refused_naming_what_and_where() {
    let cases = [
        // The second permission of the list is unknown.
        (
            r#"{"op":"create_role","name":"QA","permissions":["qa_checks.view","qa_cheks.manage"]}"#,
            &["`qa_cheks.manage`"][..],
        ),
        (
            r#"{"op":"create_role","name":"QA","permissions":[],"colour":"red"}"#,
            &["`colour`"][..],
        ),
        (r#"{"op":"create_rol","name":"QA"}"#, &["`create_rol`"][..]),
        (
            r#"{"op":"create_object","kind":"queueue","name":"Sales"}"#,
            &["`queueue`"][..],
        ),
    ];
    for (json, named) in cases {
        let text = match serde_json::from_str::<Change>(json) {
            Ok(change) => panic!("{json} was read as {change:?}"),
            Err(error) => error.to_string(),
        };
        for part in named {
            assert!(text.contains(part), "{text:?} does not name {part}");
        }
    }
}

/// DOMAIN rule 26: a refused reference names both objects by kind, name
/// and id; a refused deletion names every object that uses the one
/// deleted. A kind whose label starts uppercase (`SIP provider`) keeps the
/// message lowercase.
#[test]
fn a_reference_refusal_names_both_objects() -> TestResult {
    let mut o = Outsourcer::new()?;
    let report = o.company.apply(Change::CreateObject {
        kind: ObjectKind::SipProvider,
        name: "Trunk".into(),
        projects: vec![o.globex],
    })?;
    let trunk = report.created_object().ok_or("created")?;
    let cases = [
        (
            Change::SetObjectReferences {
                object: trunk,
                uses: vec![o.acme_queue],
            },
            "a reference would cross projects: SIP provider `Trunk` (id 2) uses queue \
             `Acme inbound` (id 0), but the two share no project",
        ),
        (
            Change::SetObjectReferences {
                object: trunk,
                uses: vec![trunk],
            },
            "an object cannot use itself: SIP provider `Trunk` (id 2)",
        ),
    ];
    for (change, expected) in cases {
        assert_eq!(message(&mut o, change), expected);
    }
    o.company.apply(Change::SetObjectReferences {
        object: o.globex_queue,
        uses: vec![trunk],
    })?;
    assert_eq!(
        message(&mut o, Change::DeleteObject { object: trunk }),
        "cannot delete SIP provider `Trunk` (id 2): it is used by queue `Globex inbound` (id 1); \
         remove those references first"
    );
    let globex = o.globex;
    assert_eq!(
        message(
            &mut o,
            Change::RemoveProjectObjects {
                project: globex,
                objects: vec![trunk],
            }
        ),
        "a reference would cross projects: queue `Globex inbound` (id 1) uses SIP provider \
         `Trunk` (id 2), but the two share no project"
    );
    Ok(())
}
