//! DOMAIN rule 5: "**Custom roles**: created with a name (unique in the
//! company), an optional description, a chosen set of permissions, and
//! chosen users/groups. Typical ones: QA (evaluation sheets and checks),
//! technical specialist (integrations, SIP, network settings), sales
//! manager."

mod common;

use callgate::{Change, Created, Decision, DenyReason, EntityKind, Error, Permissions, Resource};
use common::{CallCenter, TestResult, add_role, add_user, refuse};

#[test]
fn a_custom_role_is_created_with_name_description_permissions_and_holders() -> TestResult {
    let mut center = CallCenter::new()?;
    let company = &mut center.company;
    let kim = company.create_user("kim")?;
    let lee = company.create_user("lee")?;
    let qa_team = company.create_group("QA team", &[lee])?;

    let report = company.apply(Change::CreateRole {
        name: "QA".into(),
        description: "Evaluation sheets and checks".into(),
        permissions: Permissions::QA_SHEETS_MANAGE | Permissions::QA_CHECKS_MANAGE,
        principals: vec![kim.into(), qa_team.into()],
        put_users_offline: false,
    })?;

    let Some(Created::Role(qa)) = report.created else {
        return Err(format!("created {:?}", report.created).into());
    };
    let role = company.role(qa).ok_or("QA is gone")?;
    assert_eq!(role.name(), "QA");
    assert_eq!(role.description(), "Evaluation sheets and checks");
    assert!(!role.is_builtin());
    assert_eq!(report.affected_users, vec![kim, lee]);
    for user in [kim, lee] {
        assert!(
            company
                .check(user, Permissions::QA_SHEETS_MANAGE, Resource::Company)
                .is_allowed()
        );
    }
    Ok(())
}

#[test]
fn typical_custom_roles_grant_exactly_what_they_list() -> TestResult {
    let roles: [(&str, &[&str]); 3] = [
        ("QA", &["qa_sheets.manage", "qa_checks.manage"]),
        (
            "Technical specialist",
            &[
                "integrations.manage",
                "sip_providers.manage",
                "network.manage",
            ],
        ),
        (
            "Sales manager",
            &["lists.manage", "autodialers.manage", "reports.view"],
        ),
    ];
    let mut center = CallCenter::new()?;
    for (name, listed) in roles {
        let permissions = listed.join(" | ").parse::<Permissions>()?;
        let role = center.company.create_role(name, "", permissions)?;
        let holder = add_user(&mut center.company, &format!("{name} holder"), &[role], &[])?;
        for info in callgate::CATALOG {
            // A listed permission, or the view that a listed manage brings.
            let expected = listed.iter().any(|&granted| {
                granted == info.name
                    || granted.strip_suffix(".manage").map(|s| format!("{s}.view"))
                        == Some(info.name.to_owned())
            });
            let decision = center.company.check(holder, info.flag, Resource::Company);
            assert_eq!(
                decision.is_allowed(),
                expected,
                "{name} and `{}`",
                info.name
            );
        }
    }
    Ok(())
}

#[test]
fn the_description_is_optional() -> TestResult {
    let mut center = CallCenter::new()?;
    let role = center
        .company
        .create_role("Night shift", "", Permissions::SHIFTS_VIEW)?;
    assert_eq!(center.company.role(role).ok_or("gone")?.description(), "");
    Ok(())
}

#[test]
fn role_names_are_unique_in_the_company_including_builtin_names() -> TestResult {
    let mut center = CallCenter::new()?;
    let _qa = center
        .company
        .create_role("QA", "", Permissions::QA_CHECKS_VIEW)?;
    let sales = center
        .company
        .create_role("Sales", "", Permissions::LISTS_VIEW)?;

    for name in ["QA", "Admin", "Supervisor", "Operator"] {
        let error = refuse(
            &mut center.company,
            Change::CreateRole {
                name: name.into(),
                description: String::new(),
                permissions: Permissions::REPORTS_VIEW,
                principals: Vec::new(),
                put_users_offline: false,
            },
        );
        assert_eq!(
            error,
            Error::DuplicateName {
                kind: EntityKind::Role,
                name: name.into()
            }
        );
    }
    let error = refuse(
        &mut center.company,
        Change::EditRole {
            role: sales,
            name: Some("QA".into()),
            description: None,
            permissions: None,
            put_users_offline: None,
        },
    );
    assert!(matches!(error, Error::DuplicateName { .. }), "{error}");
    Ok(())
}

#[test]
fn a_role_needs_a_real_name() -> TestResult {
    let mut center = CallCenter::new()?;
    for name in ["", "   ", " QA", "QA\n", "Q\tA"] {
        let error = refuse(
            &mut center.company,
            Change::CreateRole {
                name: name.into(),
                description: String::new(),
                permissions: Permissions::REPORTS_VIEW,
                principals: Vec::new(),
                put_users_offline: false,
            },
        );
        assert!(
            matches!(
                error,
                Error::InvalidName {
                    kind: EntityKind::Role,
                    ..
                }
            ),
            "{name:?}: {error}"
        );
    }
    Ok(())
}

#[test]
fn a_manage_permission_brings_its_view_permission() -> TestResult {
    let mut center = CallCenter::new()?;
    let role = add_role(
        &mut center.company,
        "Queue editor",
        Permissions::QUEUES_MANAGE,
        &[center.operator.into()],
    )?;
    assert!(
        center
            .company
            .role(role)
            .ok_or("gone")?
            .permissions()
            .contains(Permissions::QUEUES_VIEW)
    );
    assert!(
        center
            .company
            .check(center.operator, Permissions::QUEUES_VIEW, Resource::Company)
            .is_allowed()
    );
    Ok(())
}

#[test]
fn a_custom_role_can_be_renamed_redescribed_and_given_new_permissions() -> TestResult {
    let mut center = CallCenter::new()?;
    let company = &mut center.company;
    let kim = company.create_user("kim")?;
    let role = add_role(company, "QA", Permissions::QA_CHECKS_VIEW, &[kim.into()])?;

    let report = company.apply(Change::EditRole {
        role,
        name: Some("Quality".into()),
        description: Some("Listens and scores".into()),
        permissions: Some(Permissions::QA_CHECKS_MANAGE | Permissions::RECORDINGS_LISTEN_ALL),
        put_users_offline: None,
    })?;

    let record = company.role(role).ok_or("gone")?;
    assert_eq!(record.name(), "Quality");
    assert_eq!(record.description(), "Listens and scores");
    assert_eq!(company.role_by_name("Quality"), Some(role));
    assert_eq!(company.role_by_name("QA"), None);
    assert_eq!(report.affected_users, vec![kim]);
    assert!(
        company
            .check(kim, Permissions::RECORDINGS_LISTEN_ALL, Resource::Company)
            .is_allowed()
    );
    // The old name is free again.
    company.create_role("QA", "", Permissions::QA_SHEETS_VIEW)?;
    Ok(())
}

#[test]
fn taking_permissions_out_of_a_role_takes_them_from_its_holders() -> TestResult {
    let mut center = CallCenter::new()?;
    let role = add_role(
        &mut center.company,
        "Reporting",
        Permissions::REPORTS_MANAGE | Permissions::KPI_VIEW,
        &[center.operator.into()],
    )?;

    center.company.apply(Change::EditRole {
        role,
        name: None,
        description: None,
        permissions: Some(Permissions::REPORTS_VIEW),
        put_users_offline: None,
    })?;

    let company = &center.company;
    assert!(
        company
            .check(
                center.operator,
                Permissions::REPORTS_VIEW,
                Resource::Company
            )
            .is_allowed()
    );
    for lost in [Permissions::REPORTS_MANAGE, Permissions::KPI_VIEW] {
        assert_eq!(
            company.check(center.operator, lost, Resource::Company),
            Decision::Deny(DenyReason::MissingPermission),
        );
    }
    Ok(())
}

#[test]
fn deleting_a_custom_role_takes_it_from_users_and_groups() -> TestResult {
    let mut center = CallCenter::new()?;
    let company = &mut center.company;
    let kim = company.create_user("kim")?;
    let lee = company.create_user("lee")?;
    let team = company.create_group("Sales team", &[lee])?;
    let sales = add_role(
        company,
        "Sales",
        Permissions::LISTS_MANAGE,
        &[kim.into(), team.into()],
    )?;

    let report = company.apply(Change::DeleteRole { role: sales })?;

    assert_eq!(report.affected_users, vec![kim, lee]);
    assert!(company.role(sales).is_none());
    assert_eq!(company.role_by_name("Sales"), None);
    assert_eq!(company.group(team).ok_or("gone")?.roles().count(), 0);
    for user in [kim, lee] {
        assert_eq!(
            company.check(user, Permissions::LISTS_VIEW, Resource::Company),
            Decision::Deny(DenyReason::MissingPermission),
        );
    }
    let error = refuse(
        company,
        Change::AssignRole {
            role: sales,
            principals: vec![kim.into()],
        },
    );
    assert!(matches!(
        error,
        Error::UnknownId {
            kind: EntityKind::Role,
            ..
        }
    ));
    // Ids are never reused: a new role gets a new id.
    let again = company.create_role("Sales", "", Permissions::LISTS_VIEW)?;
    assert_ne!(again, sales);
    Ok(())
}
