//! Roles within projects in the stored document (DOMAIN rules 20-22):
//! `projects[i].memberRoles`, one entry per member given any role within
//! the project (users then groups, by id), its roles sorted. They
//! round-trip byte for byte, and bad ones are refused with their path.
#![cfg(feature = "serde")]

mod common;
#[path = "support_document/mod.rs"]
mod support;

use callgate::{Change, Company, Document, Error, Permissions, Resource, RoleId, SecurityMode};
use common::{Clients, TestResult, add_role, add_user, give_within};
use serde_json::{Value, json};
use support::edit::{Case, assert_every_case_refused};
use support::load_json;

/// Clients with roles given within Acme and Globex.
///
/// Ids: users ann 0, tess 1, gil 2 (in Leads), bob 3, dan 4; group Leads 0;
/// roles Admin 0, Supervisor 1, Operator 2, Agent 3, Keeper 4, Temp 5
/// (deleted); projects Default 0, Acme Bank 1, Globex 2. Within Acme: tess
/// Operator and Keeper, dan Agent, Leads Agent; within Globex: tess
/// Supervisor. Bob is in Globex with no role; Default has none.
fn company() -> Result<Company, Error> {
    let mut c = Clients::new(SecurityMode::Enhanced)?;
    let agent = add_role(&mut c.company, "Agent", Permissions::QUEUES_VIEW, &[])?;
    let keeper = add_role(&mut c.company, "Keeper", Permissions::PROJECTS_MANAGE, &[])?;
    let temp = add_role(&mut c.company, "Temp", Permissions::LISTS_VIEW, &[])?;
    let dan = add_user(&mut c.company, "dan", &[], &[c.acme])?;
    // Given out of order: the document sorts them.
    give_within(&mut c.company, c.acme, agent, &[c.leads.into(), dan.into()])?;
    give_within(&mut c.company, c.acme, keeper, &[c.tess.into()])?;
    give_within(&mut c.company, c.acme, temp, &[c.tess.into()])?;
    c.company.apply(Change::AddProjectMembers {
        project: c.acme,
        principals: vec![c.tess.into()],
        roles: vec![RoleId::OPERATOR],
    })?;
    c.company.apply(Change::AddProjectMembers {
        project: c.globex,
        principals: vec![c.tess.into(), c.bob.into()],
        roles: vec![],
    })?;
    give_within(
        &mut c.company,
        c.globex,
        RoleId::SUPERVISOR,
        &[c.tess.into()],
    )?;
    c.company.apply(Change::DeleteRole { role: temp })?;
    Ok(c.company)
}

fn document_value(company: &Company) -> Result<Value, serde_json::Error> {
    serde_json::to_value(company.to_document())
}

#[test]
fn member_roles_are_stored_sorted_users_then_groups() -> TestResult {
    let company = company()?;
    let document = document_value(&company)?;

    assert_eq!(document["format"], json!(2));
    assert_eq!(
        document["projects"][1]["memberRoles"],
        json!([
            {"member": {"user": 1}, "roles": [2, 4]},
            {"member": {"user": 4}, "roles": [3]},
            {"member": {"group": 0}, "roles": [3]},
        ])
    );
    assert_eq!(
        document["projects"][2]["memberRoles"],
        json!([{"member": {"user": 1}, "roles": [1]}])
    );
    // No key for a project without any, nor an entry for bob in Globex.
    assert_eq!(document["projects"][0].get("memberRoles"), None);
    assert_eq!(document["projects"][0]["name"], json!("Default"));
    let json = serde_json::to_string(&company.to_document())?;
    assert!(
        json.contains(r#""memberRoles":[{"member":{"user":1},"roles":[2,4]},{"member":{"user":4},"roles":[3]},{"member":{"group":0},"roles":[3]}]"#),
        "{json}"
    );
    // The typed record says the same.
    let typed = company.to_document();
    let acme = &typed.projects[1];
    assert_eq!(acme.member_roles.len(), 3);
    assert_eq!(
        acme.member_roles[2].member,
        callgate::Principal::Group(callgate::GroupId::new(0))
    );
    assert_eq!(acme.member_roles[2].roles, vec![RoleId::new(3)]);
    Ok(())
}

#[test]
fn member_roles_round_trip_byte_for_byte() -> TestResult {
    let company = company()?;
    let json = serde_json::to_string(&company.to_document())?;
    let pretty = serde_json::to_string_pretty(&company.to_document())?;

    let loaded = load_json(&json)?;
    let from_pretty = load_json(&pretty)?;
    let from_document = Company::from_document(serde_json::from_str::<Document>(&json)?)?;

    for other in [&loaded, &from_pretty, &from_document] {
        assert_eq!(other.to_document(), company.to_document());
        assert_eq!(serde_json::to_string(&other.to_document())?, json);
        assert_eq!(serde_json::to_string_pretty(&other.to_document())?, pretty);
        for (project, _) in company.projects() {
            assert_eq!(
                other.project_member_roles(project)?,
                company.project_member_roles(project)?
            );
        }
        // And they mean the same: every check and every holder agrees.
        let queues: Vec<_> = company.objects().map(|(id, _)| id).collect();
        let projects: Vec<_> = company.projects().map(|(id, _)| id).collect();
        for (user, _) in company.users() {
            for &project in &projects {
                assert_eq!(
                    other.permissions_in_project(user, project)?,
                    company.permissions_in_project(user, project)?
                );
            }
            for info in callgate::CATALOG {
                let resources = queues
                    .iter()
                    .map(|&o| Resource::Object(o))
                    .chain(projects.iter().map(|&p| Resource::Project(p)));
                for resource in resources {
                    assert_eq!(
                        other.check(user, info.flag, resource),
                        company.check(user, info.flag, resource),
                        "user {user}, {}, {resource:?}",
                        info.name
                    );
                }
            }
        }
        for (role, record) in company.roles() {
            let mut expected: Vec<_> = record.project_users().collect();
            expected.sort();
            let mut got: Vec<_> = other
                .role(role)
                .map(|r| r.project_users().collect())
                .unwrap_or_default();
            got.sort();
            assert_eq!(got, expected, "role {role}");
        }
    }
    // The roles within projects survived: tess still keeps Acme.
    let tess = loaded.user_by_name("tess").ok_or("no tess")?;
    let acme = loaded.project_by_name("Acme Bank").ok_or("no Acme")?;
    assert_eq!(
        loaded.check(tess, Permissions::PROJECTS_MANAGE, Resource::Project(acme)),
        callgate::Decision::Allow
    );
    Ok(())
}

#[test]
fn a_document_without_member_roles_still_loads() -> TestResult {
    let mut document = document_value(&company()?)?;
    for project in document["projects"].as_array_mut().ok_or("no projects")? {
        project
            .as_object_mut()
            .ok_or("not a map")?
            .remove("memberRoles");
    }
    let loaded = load_json(&document.to_string())?;
    let acme = loaded.project_by_name("Acme Bank").ok_or("no Acme")?;
    assert!(
        loaded
            .project_member_roles(acme)?
            .iter()
            .all(|(_, roles)| roles.is_empty())
    );
    // The canonical form leaves an empty list out: written out, it is
    // refused, naming the field.
    document["projects"][1]["memberRoles"] = json!([]);
    let error = load_json(&document.to_string()).expect_err("an empty list written out");
    assert!(
        error.to_string().starts_with(
            "projects[1].memberRoles: the canonical form leaves out a field at its default value"
        ),
        "{error}"
    );
    Ok(())
}

#[rustfmt::skip]
const CASES: &[Case] = &[
    Case {
        what: "a user in no project",
        mutate: |d| d["projects"][1]["memberRoles"][0]["member"] = json!({"user": 3}),
        path: "projects[1].memberRoles[0].member",
        message: "user id `3` is not a member of project `Acme Bank`",
    },
    Case {
        what: "a user who is a member only through a group",
        mutate: |d| d["projects"][1]["memberRoles"][1]["member"] = json!({"user": 2}),
        path: "projects[1].memberRoles[1].member",
        message: "user id `2` is not a member of project `Acme Bank`",
    },
    Case {
        what: "a group that is a member of another project",
        mutate: |d| d["projects"][2]["memberRoles"] = json!([{"member": {"group": 0}, "roles": [2]}]),
        path: "projects[2].memberRoles[0].member",
        message: "group id `0` is not a member of project `Globex`",
    },
    Case {
        what: "a user that does not exist",
        mutate: |d| d["projects"][2]["memberRoles"][0]["member"] = json!({"user": 9}),
        path: "projects[2].memberRoles[0].member",
        message: "user id `9` is not a member of project `Globex`",
    },
    Case {
        what: "a member who left the project",
        mutate: |d| d["projects"][1]["users"] = json!([4]),
        path: "projects[1].memberRoles[0].member",
        message: "user id `1` is not a member of project `Acme Bank`",
    },
    Case {
        what: "a role that was never created",
        mutate: |d| d["projects"][1]["memberRoles"][0]["roles"][1] = json!(99),
        path: "projects[1].memberRoles[0].roles[1]",
        message: "unknown role id `99`",
    },
    Case {
        what: "a role that was deleted",
        mutate: |d| d["projects"][1]["memberRoles"][2]["roles"][0] = json!(5),
        path: "projects[1].memberRoles[2].roles[0]",
        message: "unknown role id `5`",
    },
    Case {
        what: "Admin within a project",
        mutate: |d| d["projects"][2]["memberRoles"][0]["roles"][0] = json!(0),
        path: "projects[2].memberRoles[0].roles[0]",
        message: "role `Admin` cannot be held within a project",
    },
    Case {
        what: "a role list out of order",
        mutate: |d| d["projects"][1]["memberRoles"][0]["roles"] = json!([2, 0]),
        path: "projects[1].memberRoles[0].roles[1]",
        message: "role id `0` comes after `2`: the list is sorted by id",
    },
    Case {
        what: "a role holding projects.all",
        mutate: |d| d["roles"][3]["permissions"] = json!(["projects.all", "queues.view"]),
        path: "projects[1].memberRoles[1].roles[0]",
        message: "role `Agent` cannot be held within a project",
    },
    Case {
        what: "a member given no role list",
        mutate: |d| d["projects"][1]["memberRoles"][0] = json!({"member": {"user": 1}}),
        path: "projects[1].memberRoles[0]",
        message: "missing field `roles`",
    },
    Case {
        what: "a member that is neither a user nor a group",
        mutate: |d| d["projects"][1]["memberRoles"][0]["member"] = json!({"role": 1}),
        path: "projects[1].memberRoles[0].member",
        message: "unknown variant `role`",
    },
];

#[test]
fn bad_member_roles_are_refused_with_their_path() -> TestResult {
    assert_every_case_refused(&document_value(&company()?)?, CASES);
    Ok(())
}

#[test]
fn the_error_names_the_path_in_its_message() -> TestResult {
    let mut document = document_value(&company()?)?;
    document["projects"][2]["memberRoles"][0]["roles"][0] = json!(0);

    let error = load_json(&document.to_string()).err().ok_or("loaded")?;

    assert_eq!(
        error.to_string(),
        "projects[2].memberRoles[0].roles[0]: role `Admin` cannot be held within a project: \
         Admin and `projects.all` apply company-wide only"
    );
    Ok(())
}

#[test]
fn changes_that_give_roles_within_projects_go_through_json() -> TestResult {
    let (project, role) = (callgate::ProjectId::new(1), RoleId::new(3));
    let cases = [
        (
            Change::AssignProjectRole {
                project,
                role,
                principals: vec![
                    callgate::UserId::new(1).into(),
                    callgate::GroupId::new(0).into(),
                ],
            },
            r#"{"op":"assign_project_role","project":1,"role":3,"principals":[{"user":1},{"group":0}]}"#,
        ),
        (
            Change::UnassignProjectRole {
                project,
                role,
                principals: vec![callgate::UserId::new(1).into()],
            },
            r#"{"op":"unassign_project_role","project":1,"role":3,"principals":[{"user":1}]}"#,
        ),
        (
            Change::AddProjectMembers {
                project,
                principals: vec![callgate::UserId::new(4).into()],
                roles: vec![RoleId::OPERATOR, role],
            },
            r#"{"op":"add_project_members","project":1,"principals":[{"user":4}],"roles":[2,3]}"#,
        ),
    ];
    for (change, json) in cases {
        assert_eq!(serde_json::to_string(&change)?, json);
        assert_eq!(serde_json::from_str::<Change>(json)?, change);
    }
    // A change stored before roles within projects: no roles.
    let old = r#"{"op":"add_project_members","project":1,"principals":[{"user":4}]}"#;
    assert_eq!(
        serde_json::from_str::<Change>(old)?,
        Change::AddProjectMembers {
            project,
            principals: vec![callgate::UserId::new(4).into()],
            roles: vec![],
        }
    );
    Ok(())
}

#[test]
fn a_replica_replaying_the_changes_as_json_ends_up_with_the_same_document() -> TestResult {
    // The same changes, applied to one company directly and to another
    // after a trip through JSON, give byte-identical documents.
    let mut direct = Company::new();
    let mut replica = Company::new().with_id(direct.id());
    let changes = vec![
        Change::CreateUser {
            name: "ann".into(),
            roles: vec![],
            groups: vec![],
            projects: vec![],
        },
        Change::CreateUser {
            name: "tess".into(),
            roles: vec![],
            groups: vec![],
            projects: vec![],
        },
        Change::SetSecurityMode {
            mode: SecurityMode::Enhanced,
        },
        Change::CreateProject {
            name: "Acme Bank".into(),
            description: String::new(),
            principals: vec![],
            objects: vec![],
        },
        Change::AddProjectMembers {
            project: callgate::ProjectId::new(1),
            principals: vec![callgate::UserId::new(1).into()],
            roles: vec![RoleId::OPERATOR],
        },
        Change::AssignProjectRole {
            project: callgate::ProjectId::new(1),
            role: RoleId::SUPERVISOR,
            principals: vec![callgate::UserId::new(1).into()],
        },
        Change::UnassignProjectRole {
            project: callgate::ProjectId::new(1),
            role: RoleId::OPERATOR,
            principals: vec![callgate::UserId::new(1).into()],
        },
    ];
    for change in changes {
        let json = serde_json::to_string(&change)?;
        direct.apply(change)?;
        replica.apply(serde_json::from_str::<Change>(&json)?)?;
    }
    let document = serde_json::to_string(&direct.to_document())?;
    assert_eq!(serde_json::to_string(&replica.to_document())?, document);
    assert!(
        document.contains(r#""memberRoles":[{"member":{"user":1},"roles":[1]}]"#),
        "{document}"
    );
    Ok(())
}
