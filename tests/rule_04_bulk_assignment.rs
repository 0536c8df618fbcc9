//! DOMAIN rule 4: "Roles can be assigned in bulk: open a role, tick many
//! users (or groups), save. A new user can be given roles at creation."
//!
//! Design decision: adding something already there, or removing something
//! absent, is accepted as a no-op; an unknown id refuses the whole change.

mod common;

use callgate::{
    Change, Company, Decision, DenyReason, EntityKind, Error, GroupId, Permissions, Principal,
    Resource, RoleId, UserId,
};
use common::{TestResult, add_role, refuse};

const QA: Permissions = Permissions::QA_SHEETS_MANAGE.union(Permissions::QA_CHECKS_MANAGE);

/// A company with `ann` (Admin), `kim` and `lee`, the group `Night shift`
/// holding `max` and `ned`, and a `QA` role held by nobody.
struct Team {
    company: Company,
    kim: UserId,
    lee: UserId,
    night_shift: GroupId,
    max: UserId,
    ned: UserId,
    qa: RoleId,
}

fn team() -> Result<Team, Error> {
    let mut company = Company::new();
    let _ann = company.create_user("ann")?;
    let kim = company.create_user("kim")?;
    let lee = company.create_user("lee")?;
    let max = company.create_user("max")?;
    let ned = company.create_user("ned")?;
    let night_shift = company.create_group("Night shift", &[max, ned])?;
    let qa = company.create_role("QA", "", QA)?;
    Ok(Team {
        company,
        kim,
        lee,
        night_shift,
        max,
        ned,
        qa,
    })
}

#[test]
fn one_change_gives_a_role_to_many_users_and_groups() -> TestResult {
    let Team {
        mut company,
        kim,
        lee,
        night_shift,
        max,
        ned,
        qa,
    } = team()?;

    let report = company.apply(Change::AssignRole {
        role: qa,
        principals: vec![kim.into(), lee.into(), night_shift.into()],
    })?;

    assert_eq!(report.affected_users, vec![kim, lee, max, ned]);
    assert_eq!(company.role_holders(qa)?, vec![kim, lee, max, ned]);
    for user in [kim, lee, max, ned] {
        assert!(
            company
                .check(user, Permissions::QA_CHECKS_MANAGE, Resource::Company)
                .is_allowed()
        );
    }
    Ok(())
}

#[test]
fn one_change_takes_a_role_from_many_users_and_groups() -> TestResult {
    let Team {
        mut company,
        kim,
        lee,
        night_shift,
        max,
        ned,
        qa,
    } = team()?;
    company.apply(Change::AssignRole {
        role: qa,
        principals: vec![kim.into(), lee.into(), night_shift.into()],
    })?;

    let report = company.apply(Change::UnassignRole {
        role: qa,
        principals: vec![kim.into(), night_shift.into()],
    })?;

    assert_eq!(report.affected_users, vec![kim, max, ned]);
    assert_eq!(company.role_holders(qa)?, vec![lee]);
    for user in [kim, max, ned] {
        assert_eq!(
            company.check(user, Permissions::QA_CHECKS_MANAGE, Resource::Company),
            Decision::Deny(DenyReason::MissingPermission),
        );
    }
    Ok(())
}

#[test]
fn a_new_user_can_be_given_roles_and_groups_at_creation() -> TestResult {
    let Team {
        mut company,
        night_shift,
        qa,
        ..
    } = team()?;
    add_role(
        &mut company,
        "Night reports",
        Permissions::REPORTS_VIEW,
        &[night_shift.into()],
    )?;

    company.apply(Change::CreateUser {
        name: "oda".into(),
        roles: vec![RoleId::OPERATOR, qa],
        groups: vec![night_shift],
        projects: Vec::new(),
    })?;

    let oda = company.user_by_name("oda").ok_or("oda was not created")?;
    assert_eq!(
        company.effective_permissions(oda)?,
        Permissions::OPERATOR | QA | Permissions::REPORTS_VIEW
    );
    assert!(company.role_holders(qa)?.contains(&oda));
    Ok(())
}

#[test]
fn assigning_a_role_to_someone_who_holds_it_is_an_accepted_no_op() -> TestResult {
    let Team {
        mut company,
        kim,
        qa,
        ..
    } = team()?;
    company.apply(Change::AssignRole {
        role: qa,
        principals: vec![kim.into()],
    })?;
    let revision = company.revision();

    let report = company.apply(Change::AssignRole {
        role: qa,
        principals: vec![kim.into(), kim.into()],
    })?;

    assert_eq!(report.revision, revision + 1);
    assert!(report.affected_users.is_empty());
    assert_eq!(company.role_holders(qa)?, vec![kim]);
    Ok(())
}

#[test]
fn unassigning_a_role_from_someone_who_lacks_it_is_an_accepted_no_op() -> TestResult {
    let Team {
        mut company,
        kim,
        night_shift,
        qa,
        ..
    } = team()?;
    let revision = company.revision();

    let report = company.apply(Change::UnassignRole {
        role: qa,
        principals: vec![kim.into(), night_shift.into()],
    })?;

    assert_eq!(report.revision, revision + 1);
    assert!(report.affected_users.is_empty());
    assert!(company.role_holders(qa)?.is_empty());
    Ok(())
}

#[test]
fn affected_users_are_only_those_whose_permissions_changed() -> TestResult {
    let Team {
        mut company, kim, ..
    } = team()?;
    let ann = company.user_by_name("ann").ok_or("no ann")?;

    // Admin already has everything Operator grants.
    let report = company.apply(Change::AssignRole {
        role: RoleId::OPERATOR,
        principals: vec![ann.into(), kim.into()],
    })?;

    assert_eq!(report.affected_users, vec![kim]);
    Ok(())
}

#[test]
fn an_unknown_user_or_group_refuses_the_whole_bulk_change() -> TestResult {
    let Team {
        mut company,
        kim,
        lee,
        night_shift,
        qa,
        ..
    } = team()?;
    let unknown_user = Principal::User(UserId::new(99));
    let unknown_group = Principal::Group(GroupId::new(99));

    let error = refuse(
        &mut company,
        Change::AssignRole {
            role: qa,
            principals: vec![kim.into(), night_shift.into(), unknown_user],
        },
    );
    assert_eq!(
        error,
        Error::UnknownId {
            kind: EntityKind::User,
            id: 99
        }
    );

    let error = refuse(
        &mut company,
        Change::AssignRole {
            role: qa,
            principals: vec![lee.into(), unknown_group],
        },
    );
    assert_eq!(
        error,
        Error::UnknownId {
            kind: EntityKind::Group,
            id: 99
        }
    );
    assert!(company.role_holders(qa)?.is_empty());
    Ok(())
}

#[test]
fn an_unknown_role_refuses_the_bulk_change() -> TestResult {
    let Team {
        mut company, kim, ..
    } = team()?;
    for change in [
        Change::AssignRole {
            role: RoleId::new(42),
            principals: vec![kim.into()],
        },
        Change::UnassignRole {
            role: RoleId::new(42),
            principals: vec![kim.into()],
        },
    ] {
        let error = refuse(&mut company, change);
        assert_eq!(
            error,
            Error::UnknownId {
                kind: EntityKind::Role,
                id: 42
            }
        );
    }
    Ok(())
}
