//! What every user expects (DOMAIN, "Rules every user of such a system
//! expects"): "No lock-out: the last Admin cannot be removed."
//!
//! Every path is closed: deleting the last Admin user, taking the Admin role
//! from the last holder (directly or from the group they hold it through),
//! taking the last holder out of a group that carries Admin, and deleting
//! such a group. With two Admins, either may go.

mod common;

use callgate::{Change, Company, Error, GroupId, Permissions, Resource, RoleId, UserId};
use common::{TestResult, add_user, refuse};

#[track_caller]
fn assert_last_admin(error: &Error) {
    assert!(matches!(error, Error::LastAdmin { .. }), "{error}");
}

/// A company whose only Admin is `ann`, holding the role directly; `bob`
/// holds Operator.
fn lone_admin() -> Result<(Company, UserId, UserId), Error> {
    let mut company = Company::new();
    let ann = company.create_user("ann")?;
    let bob = add_user(&mut company, "bob", &[RoleId::OPERATOR], &[])?;
    Ok((company, ann, bob))
}

/// A company whose only Admin is `ann`, holding the role only through the
/// group `Admins` (of which she is the only member); `bob` holds Operator.
fn admin_through_group() -> Result<(Company, UserId, GroupId), Error> {
    let (mut company, ann, _) = lone_admin()?;
    let admins = company.create_group("Admins", &[ann])?;
    company.apply(Change::AssignRole {
        role: RoleId::ADMIN,
        principals: vec![admins.into()],
    })?;
    company.apply(Change::UnassignRole {
        role: RoleId::ADMIN,
        principals: vec![ann.into()],
    })?;
    Ok((company, ann, admins))
}

#[test]
fn the_last_admin_user_cannot_be_deleted() -> TestResult {
    let (mut company, ann, _) = lone_admin()?;
    assert_last_admin(&refuse(&mut company, Change::DeleteUser { user: ann }));

    let (mut company, ann, _) = admin_through_group()?;
    assert_last_admin(&refuse(&mut company, Change::DeleteUser { user: ann }));
    Ok(())
}

#[test]
fn the_only_user_cannot_be_deleted() -> TestResult {
    let mut company = Company::new();
    let ann = company.create_user("ann")?;
    assert_last_admin(&refuse(&mut company, Change::DeleteUser { user: ann }));
    Ok(())
}

#[test]
fn admin_cannot_be_taken_from_its_last_holder() -> TestResult {
    let (mut company, ann, bob) = lone_admin()?;
    let error = refuse(
        &mut company,
        Change::UnassignRole {
            role: RoleId::ADMIN,
            principals: vec![bob.into(), ann.into()],
        },
    );
    assert_last_admin(&error);
    assert!(
        company
            .check(ann, Permissions::SECURITY_MANAGE, Resource::Company)
            .is_allowed()
    );
    Ok(())
}

#[test]
fn admin_cannot_be_taken_from_the_group_that_is_the_last_way_to_hold_it() -> TestResult {
    let (mut company, _, admins) = admin_through_group()?;
    let error = refuse(
        &mut company,
        Change::UnassignRole {
            role: RoleId::ADMIN,
            principals: vec![admins.into()],
        },
    );
    assert_last_admin(&error);
    Ok(())
}

#[test]
fn the_last_admin_cannot_leave_the_group_that_carries_admin() -> TestResult {
    let (mut company, ann, admins) = admin_through_group()?;
    let error = refuse(
        &mut company,
        Change::RemoveGroupMembers {
            group: admins,
            users: vec![ann],
        },
    );
    assert_last_admin(&error);
    Ok(())
}

#[test]
fn the_group_that_carries_the_last_admin_cannot_be_deleted() -> TestResult {
    let (mut company, _, admins) = admin_through_group()?;
    let error = refuse(&mut company, Change::DeleteGroup { group: admins });
    assert_last_admin(&error);
    Ok(())
}

#[test]
fn all_admins_cannot_go_in_one_change() -> TestResult {
    let (mut company, ann, bob) = lone_admin()?;
    let admins = company.create_group("Admins", &[ann, bob])?;
    company.apply(Change::AssignRole {
        role: RoleId::ADMIN,
        principals: vec![admins.into(), bob.into()],
    })?;

    let error = refuse(
        &mut company,
        Change::UnassignRole {
            role: RoleId::ADMIN,
            principals: vec![ann.into(), bob.into(), admins.into()],
        },
    );
    assert_last_admin(&error);
    // Taking only the direct assignments leaves both Admins through the
    // group, so it is accepted...
    company.apply(Change::UnassignRole {
        role: RoleId::ADMIN,
        principals: vec![ann.into(), bob.into()],
    })?;
    // ...but then emptying the group in one change is not.
    let error = refuse(
        &mut company,
        Change::RemoveGroupMembers {
            group: admins,
            users: vec![ann, bob],
        },
    );
    assert_last_admin(&error);
    assert_eq!(company.role_holders(RoleId::ADMIN)?, vec![ann, bob]);
    Ok(())
}

#[test]
fn with_two_admins_one_can_be_deleted() -> TestResult {
    let (mut company, ann, bob) = lone_admin()?;
    company.apply(Change::AssignRole {
        role: RoleId::ADMIN,
        principals: vec![bob.into()],
    })?;

    company.apply(Change::DeleteUser { user: ann })?;

    assert_eq!(company.role_holders(RoleId::ADMIN)?, vec![bob]);
    assert_last_admin(&refuse(&mut company, Change::DeleteUser { user: bob }));
    Ok(())
}

#[test]
fn with_two_admins_one_can_lose_the_role() -> TestResult {
    let (mut company, ann, bob) = lone_admin()?;
    company.apply(Change::AssignRole {
        role: RoleId::ADMIN,
        principals: vec![bob.into()],
    })?;

    company.apply(Change::UnassignRole {
        role: RoleId::ADMIN,
        principals: vec![ann.into()],
    })?;

    assert_eq!(company.role_holders(RoleId::ADMIN)?, vec![bob]);
    Ok(())
}

#[test]
fn with_two_admins_in_the_group_one_can_leave_it() -> TestResult {
    let (mut company, ann, admins) = admin_through_group()?;
    let bob = company.user_by_name("bob").ok_or("no bob")?;
    company.apply(Change::AddGroupMembers {
        group: admins,
        users: vec![bob],
    })?;

    company.apply(Change::RemoveGroupMembers {
        group: admins,
        users: vec![ann],
    })?;

    assert_eq!(company.role_holders(RoleId::ADMIN)?, vec![bob]);
    let error = refuse(
        &mut company,
        Change::RemoveGroupMembers {
            group: admins,
            users: vec![bob],
        },
    );
    assert_last_admin(&error);
    Ok(())
}

#[test]
fn with_another_admin_the_admin_group_can_be_deleted() -> TestResult {
    let (mut company, ann, admins) = admin_through_group()?;
    let bob = company.user_by_name("bob").ok_or("no bob")?;
    company.apply(Change::AssignRole {
        role: RoleId::ADMIN,
        principals: vec![bob.into()],
    })?;

    company.apply(Change::DeleteGroup { group: admins })?;

    assert_eq!(company.role_holders(RoleId::ADMIN)?, vec![bob]);
    assert!(
        !company
            .check(ann, Permissions::SECURITY_MANAGE, Resource::Company)
            .is_allowed()
    );
    Ok(())
}

#[test]
fn an_admin_holding_the_role_twice_may_lose_one_way_of_holding_it() -> TestResult {
    let (mut company, ann, admins) = admin_through_group()?;
    company.apply(Change::AssignRole {
        role: RoleId::ADMIN,
        principals: vec![ann.into()],
    })?;

    // Still Admin through the group afterwards.
    company.apply(Change::UnassignRole {
        role: RoleId::ADMIN,
        principals: vec![ann.into()],
    })?;
    assert_eq!(company.role_holders(RoleId::ADMIN)?, vec![ann]);

    // And back: still Admin directly after leaving the group.
    company.apply(Change::AssignRole {
        role: RoleId::ADMIN,
        principals: vec![ann.into()],
    })?;
    company.apply(Change::RemoveGroupMembers {
        group: admins,
        users: vec![ann],
    })?;
    assert_eq!(company.role_holders(RoleId::ADMIN)?, vec![ann]);
    Ok(())
}
