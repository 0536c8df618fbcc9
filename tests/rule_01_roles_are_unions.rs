//! DOMAIN rule 1: "A role is a named set of permissions with an optional
//! description and the users (and groups) that hold it. A user may hold
//! several roles; what they may do is the union."

mod common;

use callgate::{Change, Company, Decision, DenyReason, Permissions, Principal, Resource, RoleId};
use common::{TestResult, add_role, add_user};

const QA: Permissions = Permissions::QA_CHECKS_MANAGE.union(Permissions::REPORTS_VIEW);
const SALES: Permissions = Permissions::LISTS_MANAGE.union(Permissions::REPORTS_VIEW);

#[test]
fn a_role_has_a_name_a_description_permissions_and_holders() -> TestResult {
    let mut company = Company::new();
    let _admin = company.create_user("ann")?;
    let kim = company.create_user("kim")?;
    let lee = company.create_user("lee")?;
    let team = company.create_group("QA team", &[lee])?;
    company.apply(Change::CreateRole {
        name: "QA".into(),
        description: "Evaluates calls".into(),
        permissions: QA,
        principals: vec![kim.into(), team.into()],
        put_users_offline: false,
    })?;

    let id = company.role_by_name("QA").ok_or("no role named QA")?;
    let role = company.role(id).ok_or("the role is gone")?;
    assert_eq!(role.name(), "QA");
    assert_eq!(role.description(), "Evaluates calls");
    assert_eq!(role.permissions(), QA);
    assert_eq!(role.users().collect::<Vec<_>>(), vec![kim]);
    assert_eq!(role.groups().collect::<Vec<_>>(), vec![team]);
    assert_eq!(company.role_holders(id)?, vec![kim, lee]);
    Ok(())
}

#[test]
fn a_user_with_two_roles_may_do_what_either_grants() -> TestResult {
    let mut company = Company::new();
    let _admin = company.create_user("ann")?;
    let qa = company.create_role("QA", "", QA)?;
    let sales = company.create_role("Sales", "", SALES)?;
    let both = add_user(&mut company, "kim", &[qa, sales], &[])?;
    let qa_only = add_user(&mut company, "lee", &[qa], &[])?;

    assert_eq!(company.effective_permissions(both)?, QA | SALES);
    for action in [
        Permissions::QA_CHECKS_MANAGE,
        Permissions::LISTS_MANAGE,
        Permissions::REPORTS_VIEW,
    ] {
        assert_eq!(
            company.check(both, action, Resource::Company),
            Decision::Allow,
            "{action}"
        );
    }
    assert_eq!(
        company.check(qa_only, Permissions::LISTS_MANAGE, Resource::Company),
        Decision::Deny(DenyReason::MissingPermission),
    );
    // Nothing beyond the union.
    assert_eq!(
        company.check(both, Permissions::BILLING_VIEW, Resource::Company),
        Decision::Deny(DenyReason::MissingPermission),
    );
    Ok(())
}

#[test]
fn an_action_of_several_flags_needs_every_one_of_them() -> TestResult {
    let mut company = Company::new();
    let _admin = company.create_user("ann")?;
    let qa = company.create_role("QA", "", QA)?;
    let sales = company.create_role("Sales", "", SALES)?;
    let kim = add_user(&mut company, "kim", &[qa], &[])?;
    let action = Permissions::QA_CHECKS_MANAGE | Permissions::LISTS_MANAGE;

    assert_eq!(
        company.check(kim, action, Resource::Company),
        Decision::Deny(DenyReason::MissingPermission),
    );
    let why = company.explain(kim, action, Resource::Company);
    assert_eq!(why.missing(), Permissions::LISTS_MANAGE);

    company.apply(Change::AssignRole {
        role: sales,
        principals: vec![kim.into()],
    })?;
    assert_eq!(
        company.check(kim, action, Resource::Company),
        Decision::Allow
    );
    assert!(
        company
            .explain(kim, action, Resource::Company)
            .missing()
            .is_empty()
    );
    Ok(())
}

#[test]
fn roles_held_through_a_group_add_to_roles_held_directly() -> TestResult {
    let mut company = Company::new();
    let _admin = company.create_user("ann")?;
    let qa = company.create_role("QA", "", QA)?;
    let kim = add_user(&mut company, "kim", &[qa], &[])?;
    let sales_team = company.create_group("Sales team", &[kim])?;
    let sales = add_role(&mut company, "Sales", SALES, &[sales_team.into()])?;

    assert_eq!(company.effective_permissions(kim)?, QA | SALES);
    assert!(
        company
            .check(kim, Permissions::LISTS_MANAGE, Resource::Company)
            .is_allowed()
    );

    let why = company.explain(kim, Permissions::REPORTS_VIEW, Resource::Company);
    let grants: Vec<_> = (why.grants().iter())
        .map(|g| (g.role, g.via, g.project, g.granted))
        .collect();
    assert_eq!(
        grants,
        [
            (qa, None, None, Permissions::REPORTS_VIEW),
            (sales, Some(sales_team), None, Permissions::REPORTS_VIEW),
        ],
    );
    Ok(())
}

#[test]
fn losing_one_role_keeps_what_another_role_still_grants() -> TestResult {
    let mut company = Company::new();
    let _admin = company.create_user("ann")?;
    let qa = company.create_role("QA", "", QA)?;
    let sales = company.create_role("Sales", "", SALES)?;
    let kim = add_user(&mut company, "kim", &[qa, sales], &[])?;

    company.apply(Change::UnassignRole {
        role: qa,
        principals: vec![kim.into()],
    })?;

    assert_eq!(company.effective_permissions(kim)?, SALES);
    assert_eq!(
        company.check(kim, Permissions::QA_CHECKS_MANAGE, Resource::Company),
        Decision::Deny(DenyReason::MissingPermission),
    );
    // Both roles granted `reports.view`: the one left still does.
    assert!(
        company
            .check(kim, Permissions::REPORTS_VIEW, Resource::Company)
            .is_allowed()
    );
    Ok(())
}

#[test]
fn leaving_a_group_takes_away_only_the_groups_roles() -> TestResult {
    let mut company = Company::new();
    let _admin = company.create_user("ann")?;
    let kim = add_user(&mut company, "kim", &[RoleId::OPERATOR], &[])?;
    let qa_team = company.create_group("QA team", &[kim])?;
    add_role(&mut company, "QA", QA, &[Principal::Group(qa_team)])?;
    assert!(
        company
            .check(kim, Permissions::QA_CHECKS_MANAGE, Resource::Company)
            .is_allowed()
    );

    company.apply(Change::RemoveGroupMembers {
        group: qa_team,
        users: vec![kim],
    })?;

    assert_eq!(company.effective_permissions(kim)?, Permissions::OPERATOR);
    assert_eq!(
        company.check(kim, Permissions::QA_CHECKS_MANAGE, Resource::Company),
        Decision::Deny(DenyReason::MissingPermission),
    );
    Ok(())
}

#[test]
fn a_user_holding_a_role_twice_is_listed_once() -> TestResult {
    let mut company = Company::new();
    let admin = company.create_user("ann")?;
    let qa = company.create_role("QA", "", QA)?;
    let kim = add_user(&mut company, "kim", &[qa], &[])?;
    let lee = company.create_user("lee")?;
    let team = company.create_group("QA team", &[kim, lee])?;
    company.apply(Change::AssignRole {
        role: qa,
        principals: vec![team.into()],
    })?;

    assert_eq!(company.role_holders(qa)?, vec![kim, lee]);
    assert_eq!(
        company.holders(QA).collect::<Vec<_>>(),
        vec![admin, kim, lee]
    );
    Ok(())
}
