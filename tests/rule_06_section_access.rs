//! DOMAIN rule 6: "**Access from inside a section**: standing on a page,
//! report or section, an administrator sees every role with a switch next to
//! it and can allow or deny that section for each role. This is the same
//! data as the role's permissions, seen from the section's side (a column of
//! the role x permission matrix); switching it edits the role. Built-in
//! roles' switches are read-only."

mod common;

use callgate::{
    Change, Decision, DenyReason, EntityKind, Error, Permissions, Resource, RoleId, SectionSwitch,
    CATALOG,
};
use common::{add_role, refuse, CallCenter, TestResult};

/// A call center with a `QA` role (`qa_checks.manage`) held by the operator.
fn with_qa_role() -> Result<(CallCenter, RoleId), Error> {
    let mut center = CallCenter::new()?;
    let qa = add_role(
        &mut center.company,
        "QA",
        Permissions::QA_CHECKS_MANAGE,
        &[center.operator.into()],
    )?;
    Ok((center, qa))
}

#[test]
fn a_section_shows_every_role_with_its_switch() -> TestResult {
    let (center, qa) = with_qa_role()?;

    let switches = center
        .company
        .section_access(Permissions::CALL_JOURNAL_VIEW)?;

    let expected = |role, allowed, read_only| SectionSwitch {
        role,
        allowed,
        read_only,
    };
    assert_eq!(
        switches,
        vec![
            expected(RoleId::ADMIN, true, true),
            expected(RoleId::SUPERVISOR, true, true),
            expected(RoleId::OPERATOR, true, true),
            expected(qa, false, false),
        ]
    );
    Ok(())
}

#[test]
fn every_section_column_is_the_matrix_column_and_the_roles_permissions() -> TestResult {
    let (center, _) = with_qa_role()?;
    let company = &center.company;
    let matrix = company.matrix();
    assert_eq!(matrix.permissions().count(), CATALOG.len());
    for info in CATALOG {
        let switches = company.section_access(info.flag)?;
        assert_eq!(
            switches.iter().map(|s| s.role).collect::<Vec<_>>(),
            matrix.roles().collect::<Vec<_>>()
        );
        for switch in switches {
            let role = company.role(switch.role).ok_or("role is gone")?;
            assert_eq!(
                matrix.allowed(switch.role, info.flag),
                Some(switch.allowed),
                "`{}` for `{}`",
                info.name,
                role.name()
            );
            assert_eq!(switch.allowed, role.permissions().contains(info.flag));
            assert_eq!(switch.read_only, role.is_builtin());
        }
    }
    Ok(())
}

#[test]
fn switching_a_section_on_edits_the_role_and_reaches_its_holders_at_once() -> TestResult {
    let (mut center, qa) = with_qa_role()?;

    let report = center
        .company
        .set_section_access(qa, Permissions::REPORTS_VIEW, true)?;

    assert_eq!(report.affected_users, vec![center.operator]);
    let company = &center.company;
    assert!(company
        .role(qa)
        .ok_or("gone")?
        .permissions()
        .contains(Permissions::REPORTS_VIEW));
    assert_eq!(
        company.matrix().allowed(qa, Permissions::REPORTS_VIEW),
        Some(true)
    );
    assert!(company
        .check(
            center.operator,
            Permissions::REPORTS_VIEW,
            Resource::Company
        )
        .is_allowed());
    Ok(())
}

#[test]
fn switching_a_section_off_edits_the_role_and_reaches_its_holders_at_once() -> TestResult {
    let (mut center, qa) = with_qa_role()?;

    center.company.apply(Change::SetSectionAccess {
        role: qa,
        permission: Permissions::QA_CHECKS_MANAGE,
        allowed: false,
    })?;

    let company = &center.company;
    let switch = company
        .section_access(Permissions::QA_CHECKS_MANAGE)?
        .into_iter()
        .find(|s| s.role == qa)
        .ok_or("no switch for QA")?;
    assert!(!switch.allowed);
    assert_eq!(
        company.check(
            center.operator,
            Permissions::QA_CHECKS_MANAGE,
            Resource::Company
        ),
        Decision::Deny(DenyReason::MissingPermission),
    );
    Ok(())
}

#[test]
fn switching_manage_off_keeps_view_and_switching_view_off_takes_manage_too() -> TestResult {
    let (mut center, qa) = with_qa_role()?;
    let company = &mut center.company;

    company.set_section_access(qa, Permissions::QA_CHECKS_MANAGE, false)?;
    assert_eq!(
        company.role(qa).ok_or("gone")?.permissions(),
        Permissions::QA_CHECKS_VIEW
    );

    company.set_section_access(qa, Permissions::QA_CHECKS_MANAGE, true)?;
    company.set_section_access(qa, Permissions::QA_CHECKS_VIEW, false)?;
    assert_eq!(
        company.role(qa).ok_or("gone")?.permissions(),
        Permissions::empty()
    );
    Ok(())
}

#[test]
fn switching_manage_on_also_switches_view_on() -> TestResult {
    let (mut center, qa) = with_qa_role()?;

    center
        .company
        .set_section_access(qa, Permissions::SHIFTS_MANAGE, true)?;

    let switches = center.company.section_access(Permissions::SHIFTS_VIEW)?;
    assert!(switches.iter().any(|s| s.role == qa && s.allowed));
    Ok(())
}

#[test]
fn builtin_switches_are_read_only() -> TestResult {
    let (mut center, _) = with_qa_role()?;
    for role in [RoleId::ADMIN, RoleId::SUPERVISOR, RoleId::OPERATOR] {
        for (permission, allowed) in [
            (Permissions::CALL_JOURNAL_VIEW, false),
            (Permissions::BILLING_MANAGE, true),
            (Permissions::SECURITY_VIEW, false),
        ] {
            let error = refuse(
                &mut center.company,
                Change::SetSectionAccess {
                    role,
                    permission,
                    allowed,
                },
            );
            assert!(
                matches!(
                    error,
                    Error::BuiltinRole {
                        action: "edited",
                        ..
                    }
                ),
                "{error}"
            );
        }
    }
    Ok(())
}

#[test]
fn a_section_is_exactly_one_permission() -> TestResult {
    let (mut center, qa) = with_qa_role()?;
    let not_single = [
        Permissions::empty(),
        Permissions::QUEUES_VIEW | Permissions::LISTS_VIEW,
        Permissions::WORKPLACE,
        Permissions::FINANCE,
    ];
    for permission in not_single {
        let error = center
            .company
            .section_access(permission)
            .err()
            .ok_or("a column for several permissions")?;
        assert!(
            matches!(error, Error::NotSinglePermission { .. }),
            "{error}"
        );
        let error = refuse(
            &mut center.company,
            Change::SetSectionAccess {
                role: qa,
                permission,
                allowed: true,
            },
        );
        assert!(
            matches!(error, Error::NotSinglePermission { .. }),
            "{error}"
        );
    }
    Ok(())
}

#[test]
fn an_unknown_role_has_no_switch() -> TestResult {
    let (mut center, _) = with_qa_role()?;
    let ghost = RoleId::new(77);

    assert_eq!(
        center
            .company
            .matrix()
            .allowed(ghost, Permissions::REPORTS_VIEW),
        None
    );
    let error = refuse(
        &mut center.company,
        Change::SetSectionAccess {
            role: ghost,
            permission: Permissions::REPORTS_VIEW,
            allowed: true,
        },
    );
    assert_eq!(
        error,
        Error::UnknownId {
            kind: EntityKind::Role,
            id: 77
        }
    );
    Ok(())
}
