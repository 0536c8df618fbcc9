//! DOMAIN rule 3: "The **first user created** in a company gets the Admin
//! role automatically."

mod common;

use callgate::{
    Change, Company, Decision, DenyReason, Error, GroupId, Permissions, Resource, RoleId,
    SecurityMode,
};
use common::{TestResult, add_user, refuse, set_mode};

#[test]
fn the_first_user_gets_the_admin_role() -> TestResult {
    let mut company = Company::new();
    let ann = company.create_user("ann")?;

    let user = company.user(ann).ok_or("ann is gone")?;
    assert_eq!(user.roles().collect::<Vec<_>>(), vec![RoleId::ADMIN]);
    assert_eq!(company.role_holders(RoleId::ADMIN)?, vec![ann]);
    assert_eq!(
        company.check(ann, Permissions::SECURITY_MANAGE, Resource::Company),
        Decision::Allow,
    );
    Ok(())
}

#[test]
fn users_after_the_first_get_no_role() -> TestResult {
    let mut company = Company::new();
    let _ann = company.create_user("ann")?;
    let bob = company.create_user("bob")?;

    assert_eq!(company.user(bob).ok_or("bob is gone")?.roles().count(), 0);
    assert_eq!(company.effective_permissions(bob)?, Permissions::empty());
    assert_eq!(
        company.check(bob, Permissions::CALL_JOURNAL_VIEW, Resource::Company),
        Decision::Deny(DenyReason::MissingPermission),
    );
    Ok(())
}

#[test]
fn the_first_user_keeps_the_roles_asked_for_besides_admin() -> TestResult {
    let mut company = Company::new();
    let ann = add_user(&mut company, "ann", &[RoleId::OPERATOR], &[])?;

    let mut roles: Vec<RoleId> = company.user(ann).ok_or("ann is gone")?.roles().collect();
    roles.sort();
    assert_eq!(roles, vec![RoleId::ADMIN, RoleId::OPERATOR]);
    Ok(())
}

#[test]
fn a_refused_first_user_does_not_use_up_the_admin_role() -> TestResult {
    let mut company = Company::new();
    let error = refuse(
        &mut company,
        Change::CreateUser {
            name: "ann".into(),
            roles: Vec::new(),
            groups: vec![GroupId::new(7)],
            projects: Vec::new(),
        },
    );
    assert!(matches!(error, Error::UnknownId { .. }), "{error}");

    let bob = company.create_user("bob")?;
    assert_eq!(company.role_holders(RoleId::ADMIN)?, vec![bob]);
    Ok(())
}

#[test]
fn a_user_created_after_the_first_one_left_does_not_get_admin() -> TestResult {
    let mut company = Company::new();
    let ann = company.create_user("ann")?;
    let bob = add_user(&mut company, "bob", &[RoleId::ADMIN], &[])?;
    company.apply(Change::DeleteUser { user: ann })?;

    let carl = company.create_user("carl")?;

    assert_eq!(company.role_holders(RoleId::ADMIN)?, vec![bob]);
    assert_eq!(company.effective_permissions(carl)?, Permissions::empty());
    Ok(())
}

#[test]
fn the_first_user_of_an_enhanced_company_is_admin_and_sees_every_project() -> TestResult {
    let mut company = Company::new();
    set_mode(&mut company, SecurityMode::Enhanced)?;
    let acme = company.create_project("Acme", "")?;

    let ann = company.create_user("ann")?;

    assert_eq!(company.role_holders(RoleId::ADMIN)?, vec![ann]);
    assert_eq!(
        company.user(ann).ok_or("ann is gone")?.projects().count(),
        0
    );
    assert_eq!(
        company.check(ann, Permissions::PROJECTS_MANAGE, Resource::Project(acme)),
        Decision::Allow,
    );
    Ok(())
}
