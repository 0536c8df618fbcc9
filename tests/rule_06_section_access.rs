//! DOMAIN rule 6: "**Access from inside a section**: standing on a page,
//! report or section, an administrator sees every role with a switch next to
//! it and can allow or deny that section for each role. This is the same
//! data as the role's permissions, seen from the section's side (a column of
//! the role x permission matrix); switching it edits the role. Built-in
//! roles' switches are read-only."

mod common;

use callgate::{
    CATALOG, Change, Decision, DenyReason, EntityKind, Error, Permissions, Resource, RoleId,
    SectionSwitch,
};
use common::{CallCenter, TestResult, add_role, refuse};

/// Every role's switch for one permission: its row in the view from inside
/// its section.
fn column(
    company: &callgate::Company,
    permission: Permissions,
) -> Result<Vec<SectionSwitch>, Error> {
    let section = company.section_of(permission)?;
    let row = section
        .row(permission)
        .expect("a permission is a row of its own section");
    Ok(row.switches().collect())
}

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

    let switches = column(&center.company, Permissions::CALL_JOURNAL_VIEW)?;

    let expected = |role, allowed, read_only| SectionSwitch::new(role, allowed, read_only);
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
        let switches = column(company, info.flag)?;
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
    assert!(
        company
            .role(qa)
            .ok_or("gone")?
            .permissions()
            .contains(Permissions::REPORTS_VIEW)
    );
    assert_eq!(
        company.matrix().allowed(qa, Permissions::REPORTS_VIEW),
        Some(true)
    );
    assert!(
        company
            .check(
                center.operator,
                Permissions::REPORTS_VIEW,
                Resource::Company
            )
            .is_allowed()
    );
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
    let switch = column(company, Permissions::QA_CHECKS_MANAGE)?
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

    let switches = column(&center.company, Permissions::SHIFTS_VIEW)?;
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
            .section_of(permission)
            .err()
            .ok_or("a section for several permissions")?;
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

// ---- The view from inside a section (issue 24, point 6) ---------------------

/// Standing in each section: a row per permission of the section, in
/// catalog order, each the product's flag with every role's switch, and
/// the switch is the role's permissions seen from the section's side.
#[test]
fn a_section_view_is_every_switch_of_its_section() -> TestResult {
    let (center, qa) = with_qa_role()?;
    let company = &center.company;
    let mut sections: Vec<&str> = CATALOG.iter().map(|info| info.section).collect();
    sections.dedup();
    let mut rows_seen = 0;
    for name in sections {
        let view = company.section(name)?;
        assert_eq!(view.name(), name);
        let expected: Vec<_> = CATALOG.iter().filter(|info| info.section == name).collect();
        let rows: Vec<_> = view.rows().collect();
        assert_eq!(rows.len(), expected.len(), "{name}");
        for (row, info) in rows.iter().zip(expected) {
            // The row is the product's flag, usable as it is.
            assert_eq!(row.permission(), info.flag, "{name}");
            assert_eq!(row.name(), info.name);
            assert_eq!(row.def().section(), name);
            assert_eq!(view.row(info.flag).map(|r| r.name()), Some(info.name));
            let switches: Vec<SectionSwitch> = row.switches().collect();
            assert_eq!(switches, column(company, info.flag)?);
            assert_eq!(
                switches.iter().map(|s| s.role).collect::<Vec<_>>(),
                view.roles().collect::<Vec<_>>()
            );
            for switch in switches {
                let role = company.role(switch.role).ok_or("role is gone")?;
                assert_eq!(switch.allowed, role.permissions().contains(info.flag));
                assert_eq!(switch.read_only, role.is_builtin());
                assert_eq!(
                    view.allowed(switch.role, row.permission()),
                    Some(switch.allowed)
                );
                assert_eq!(row.switch(switch.role), Some(switch));
            }
            rows_seen += 1;
        }
    }
    assert_eq!(rows_seen, CATALOG.len());
    // QA's own switch is on, and not read-only.
    let qa_checks = company.section_of(Permissions::QA_CHECKS_MANAGE)?;
    let row = qa_checks
        .row(Permissions::QA_CHECKS_MANAGE)
        .ok_or("no row")?;
    assert_eq!(row.switch(qa), Some(SectionSwitch::new(qa, true, false)));
    assert_eq!(row.switch(RoleId::new(77)), None);
    Ok(())
}

/// A view has rows for its own permissions only, one at a time.
#[test]
fn a_section_view_has_no_row_for_another_section_or_a_set() -> TestResult {
    let (center, _) = with_qa_role()?;
    let finance = center.company.section("Finance")?;
    assert!(finance.row(Permissions::BILLING_VIEW).is_some());
    for permission in [
        Permissions::CALL_JOURNAL_VIEW,
        Permissions::FINANCE,
        Permissions::BILLING_VIEW | Permissions::PAYMENTS_VIEW,
        Permissions::empty(),
    ] {
        assert!(finance.row(permission).is_none(), "{permission:?}");
    }
    let error = center
        .company
        .section("Finances")
        .err()
        .ok_or("an unknown section")?;
    assert!(matches!(error, Error::UnknownSection { .. }), "{error}");
    Ok(())
}

/// A switch is read-only exactly when flipping it is refused for being a
/// built-in role's; every other switch can be flipped.
#[test]
fn read_only_switches_are_the_ones_that_cannot_be_flipped() -> TestResult {
    let (center, _) = with_qa_role()?;
    let company = &center.company;
    for info in CATALOG {
        let section = company.section_of(info.flag)?;
        let row = section.row(info.flag).ok_or("no row")?;
        for switch in row.switches() {
            let flipped = company.plan(Change::SetSectionAccess {
                role: switch.role,
                permission: row.permission(),
                allowed: !switch.allowed,
            });
            match flipped {
                Err(Error::BuiltinRole { .. }) => assert!(switch.read_only, "{}", info.name),
                Err(other) => return Err(other.into()),
                Ok(_) => assert!(!switch.read_only, "{}", info.name),
            }
        }
    }
    Ok(())
}

/// The view draws its section of the matrix: its rows, every role, the
/// read-only roles marked.
#[test]
fn a_section_view_draws_its_part_of_the_matrix() -> TestResult {
    let (center, _) = with_qa_role()?;
    let text = center.company.section("Finance")?.to_string();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines
            .first()
            .map(|l| l.split_whitespace().collect::<Vec<_>>()),
        Some(vec![
            "permission",
            "Admin*",
            "Supervisor*",
            "Operator*",
            "QA"
        ])
    );
    assert_eq!(lines.get(1), Some(&"Finance"));
    assert_eq!(lines.len(), 2 + 5, "{text}");
    let matrix = center.company.matrix().to_string();
    for line in &lines[2..] {
        let cells: Vec<&str> = line.split_whitespace().collect();
        let in_matrix = matrix
            .lines()
            .map(|l| l.split_whitespace().collect::<Vec<_>>())
            .find(|c| c.first() == cells.first())
            .ok_or("row not in the matrix")?;
        assert_eq!(cells, in_matrix, "{text}");
    }
    Ok(())
}

/// 0.2's forms still work, deprecated: `section_access`, a section's
/// `permissions()` and `section()`.
#[test]
#[allow(deprecated)]
fn the_0_2_forms_still_work() -> TestResult {
    let (center, _) = with_qa_role()?;
    let company = &center.company;
    for info in CATALOG {
        assert_eq!(
            company.section_access(info.flag)?,
            column(company, info.flag)?
        );
    }
    let error = company
        .section_access(Permissions::FINANCE)
        .err()
        .ok_or("not one permission")?;
    assert!(
        matches!(error, Error::NotSinglePermission { .. }),
        "{error}"
    );
    let finance = company.section("Finance")?;
    assert_eq!(finance.section(), Some("Finance"));
    let names: Vec<&str> = finance.permissions().map(|p| p.name()).collect();
    let rows: Vec<&str> = finance.rows().map(|r| r.name()).collect();
    assert_eq!(names, rows);
    assert_eq!(company.matrix().section(), None);
    Ok(())
}
