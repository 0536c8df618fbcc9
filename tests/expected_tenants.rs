//! Tenants (issue 14): one company's session, log entry or plan never opens
//! another's. A hosted service keeps thousands of companies in one process;
//! their user ids overlap (each counts from 0), so a session store mix-up
//! must end in a deny or a refusal, never in an allow.
//!
//! Each test here was allowed on 0.1, where a session named only a user id
//! and a revision, and a log entry only a revision.

mod common;

use callgate::{
    Change, Company, CompanyId, DenyReason, Error, ObjectKind, Permissions, Publisher, Resource,
    RoleId, SecurityMode,
};
use common::TestResult;

/// Two tenants built the same way: Acme's and Globex's Admins are both
/// user 0, and each has an operator, user 1.
fn tenants() -> Result<(Company, Company), Error> {
    let mut acme = Company::new().with_id(CompanyId::new(0xac));
    let mut globex = Company::new().with_id(CompanyId::new(0x91));
    for company in [&mut acme, &mut globex] {
        company.create_user("admin")?;
        let operator = company.create_user("operator")?;
        company.apply(Change::AssignRole {
            role: RoleId::OPERATOR,
            principals: vec![operator.into()],
        })?;
    }
    Ok((acme, globex))
}

#[test]
fn a_session_of_another_company_is_denied_every_check() -> TestResult {
    let (acme, globex) = tenants()?;
    let admin = acme.user_by_name("admin").ok_or("no admin")?;
    let session = acme.login(admin)?;

    for info in callgate::CATALOG {
        let at_globex = globex.check_session(&session, info.flag, Resource::Company);
        assert_eq!(
            at_globex.deny_reason(),
            Some(DenyReason::OtherCompany),
            "{}",
            info.name
        );
    }
    // Through the snapshot, a view and a reader alike.
    let action = Permissions::ROLES_MANAGE;
    assert!(
        acme.check_session(&session, action, Resource::Company)
            .is_allowed()
    );
    let snapshot = globex
        .snapshot()
        .check_session(&session, action, Resource::Company);
    assert_eq!(snapshot.deny_reason(), Some(DenyReason::OtherCompany));
    let reader = Publisher::new(globex.clone()).reader();
    let decision = reader.check_session(&session, action, Resource::Company);
    assert_eq!(decision.deny_reason(), Some(DenyReason::OtherCompany));
    assert_eq!(
        DenyReason::OtherCompany.to_string(),
        "session of another company"
    );
    Ok(())
}

#[test]
fn a_session_of_another_company_changes_nothing() -> TestResult {
    let (acme, mut globex) = tenants()?;
    let session = acme.login(acme.user_by_name("admin").ok_or("no admin")?)?;
    let before = format!("{globex:?}");
    let change = Change::CreateUser {
        name: "mallory".into(),
        roles: vec![RoleId::ADMIN],
        groups: vec![],
        projects: vec![],
    };

    let refused = globex.apply_as(&session, change.clone());

    let expected = Error::OtherCompany {
        what: "session",
        of: acme.id(),
        used_with: globex.id(),
    };
    assert_eq!(refused, Err(expected.clone()));
    assert_eq!(
        expected.to_string(),
        "a session of company 00000000000000ac was used with company 0000000000000091"
    );
    assert_eq!(expected.code(), "other_company");
    assert_eq!(
        globex.preview_as(&session, change.clone()),
        Err(expected.clone())
    );
    assert_eq!(
        globex.plan_as(&session, change).err(),
        Some(expected.clone())
    );
    assert_eq!(
        globex.start_testing(session, RoleId::OPERATOR),
        Err(expected.clone())
    );
    assert_eq!(globex.session_permissions(&session), Err(expected.clone()));
    let kind = ObjectKind::Queue;
    assert_eq!(
        globex.visible_objects_as(&session, kind).err(),
        Some(expected)
    );
    assert_eq!(format!("{globex:?}"), before);
    Ok(())
}

/// A session of Acme says nothing about Globex's "put users offline": it is
/// denied there before and after, and stays valid at Acme.
#[test]
fn another_companys_put_users_offline_neither_ends_nor_opens_a_session() -> TestResult {
    let (acme, mut globex) = tenants()?;
    let operator = acme.user_by_name("operator").ok_or("no operator")?;
    let session = acme.login(operator)?;
    let journal = Permissions::CALL_JOURNAL_VIEW;
    let role = globex.create_role("Night", "", journal)?;
    globex.apply(Change::AssignRole {
        role,
        principals: vec![operator.into()],
    })?;
    globex.apply(Change::EditRole {
        role,
        name: None,
        description: None,
        permissions: None,
        put_users_offline: Some(true),
    })?;

    let at_globex = globex.check_session(&session, journal, Resource::Company);
    assert_eq!(at_globex.deny_reason(), Some(DenyReason::OtherCompany));
    assert!(
        acme.check_session(&session, journal, Resource::Company)
            .is_allowed()
    );
    Ok(())
}

#[test]
fn another_companys_log_entry_is_refused_at_a_matching_revision() -> TestResult {
    let (mut acme, mut globex) = tenants()?;
    assert_eq!(acme.revision(), globex.revision());
    let plan = acme.plan(Change::CreateUser {
        name: "mallory".into(),
        roles: vec![RoleId::ADMIN],
        groups: vec![],
        projects: vec![],
    })?;
    let entry = plan.entry().clone();
    let before = format!("{globex:?}");

    let refused = globex.catch_up([&entry]);

    assert_eq!(
        refused,
        Err(Error::OtherCompany {
            what: "log entry",
            of: acme.id(),
            used_with: globex.id(),
        })
    );
    // Acme's plan never commits to Globex either.
    assert_eq!(globex.commit(plan.clone()), Err(Error::ForeignPlan));
    assert_eq!(format!("{globex:?}"), before);
    // An older entry of another company is refused too, not skipped.
    acme.commit(plan)?;
    acme.apply(Change::SetSecurityMode {
        mode: SecurityMode::Enhanced,
    })?;
    let old = acme.id().entry(0, entry.change);
    assert!(matches!(
        globex.catch_up([old]),
        Err(Error::OtherCompany { .. })
    ));
    assert_eq!(format!("{globex:?}"), before);
    Ok(())
}

/// A replica shares its writer's id through the document, so it takes the
/// writer's log; a company with the same content but its own id does not.
#[cfg(feature = "serde")]
#[test]
fn replicas_share_the_id_through_the_document() -> TestResult {
    let (mut acme, _) = tenants()?;
    let json = serde_json::to_string(&acme.to_document())?;
    let mut replica = Company::load(&mut serde_json::Deserializer::from_str(&json))?;
    assert_eq!(replica.id(), acme.id());
    let plan = acme.plan(Change::CreateGroup {
        name: "Night".into(),
        members: vec![],
    })?;
    let entry = plan.entry().clone();
    acme.commit(plan)?;
    assert_eq!(replica.catch_up([&entry])?, 1);
    let session = acme.login(acme.user_by_name("admin").ok_or("no admin")?)?;
    let manage = Permissions::ROLES_MANAGE;
    assert!(
        replica
            .check_session(&session, manage, Resource::Company)
            .is_allowed()
    );

    let stranger = Company::new();
    let mut copy = replica.clone().with_id(stranger.id());
    assert!(matches!(
        copy.catch_up([&entry]),
        Err(Error::OtherCompany { .. })
    ));
    let denied = copy.check_session(&session, manage, Resource::Company);
    assert_eq!(denied.deny_reason(), Some(DenyReason::OtherCompany));
    Ok(())
}

/// The audit line of a decision denied for another company names nobody of
/// this one: the session's user id is another company's.
#[test]
fn the_record_of_another_companys_session_names_nobody_here() -> TestResult {
    let (acme, globex) = tenants()?;
    let session = acme.login(acme.user_by_name("operator").ok_or("no operator")?)?;
    let action = Permissions::BILLING_VIEW;
    let decision = globex.check_session(&session, action, Resource::Company);

    let record = globex.describe_decision(decision, action, Resource::Company);

    assert_eq!(
        record.to_string(),
        "deny (session of another company): user #1 may not `billing.view` in the company"
    );
    // The explanation neither: no grant of Globex's user 1 (an operator
    // there too) is shown as the session's.
    let journal = Permissions::CALL_JOURNAL_VIEW;
    let explanation = globex.explain_session(&session, journal, Resource::Company);
    assert_eq!(
        explanation.decision().deny_reason(),
        Some(DenyReason::OtherCompany)
    );
    assert!(explanation.grants().is_empty());
    assert!(explanation.to_string().contains("user #1"), "{explanation}");
    Ok(())
}
