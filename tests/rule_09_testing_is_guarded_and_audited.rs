//! DOMAIN rule 9: "What users expect beyond the manual: only someone allowed
//! to manage roles can test one; testing can never give more than the tester
//! already has (no escalation through testing); every decision made in a
//! testing session still knows the real user behind it (for audit)."
//!
//! "Allowed to manage roles" is `roles.manage` together with `roles.test`.

#[path = "support_sessions/mod.rs"]
mod support;

use callgate::{CATALOG, Change, Decision, DenyReason, Error, Permissions, Resource, RoleId};
use support::{
    TestResult, accepted, allowed_through, company_with_admin, rename_role, set_role_permissions,
    user_holding, user_with_permissions,
};

#[test]
fn only_holders_of_roles_manage_and_roles_test_may_test_a_role() -> TestResult {
    // (the tester's permissions besides the Operator role's, what is missing)
    let cases = [
        (Permissions::empty(), Some("roles.manage | roles.test")),
        (Permissions::ROLES_MANAGE, Some("roles.test")),
        (Permissions::ROLES_TEST, Some("roles.manage")),
        (
            Permissions::ROLES_VIEW | Permissions::ROLES_TEST,
            Some("roles.manage"),
        ),
        (Permissions::ROLES_MANAGE | Permissions::ROLES_TEST, None),
    ];
    for (i, (extra, missing)) in cases.into_iter().enumerate() {
        let (mut company, _) = company_with_admin()?;
        let (tess, _) = user_with_permissions(
            &mut company,
            &format!("tess{i}"),
            Permissions::OPERATOR | extra,
        )?;
        let session = company.login(tess)?;

        let result = company.start_testing(session, RoleId::OPERATOR);

        match missing {
            Some(missing) => assert_eq!(
                result,
                Err(Error::Forbidden {
                    user: format!("tess{i}"),
                    change: "test role `Operator`".into(),
                    missing: missing.into(),
                }),
                "with {extra}"
            ),
            None => assert_eq!(result?.testing(), Some(RoleId::OPERATOR), "with {extra}"),
        }
    }
    Ok(())
}

#[test]
fn a_supervisor_may_test_operator_but_not_admin() -> TestResult {
    let (mut company, _) = company_with_admin()?;
    let sam = user_holding(&mut company, "sam", RoleId::SUPERVISOR)?;
    let session = company.login(sam)?;

    assert_eq!(
        company.start_testing(session, RoleId::OPERATOR)?.testing(),
        Some(RoleId::OPERATOR)
    );
    let error = company
        .start_testing(session, RoleId::ADMIN)
        .expect_err("a supervisor may not test Admin");
    assert_eq!(
        error.to_string(),
        "user `sam` may not test role `Admin`: it grants `kpi.manage | balance.view | \
         billing.manage | payments.manage | security.manage | projects.all`, which they do not hold"
    );
    Ok(())
}

#[test]
fn no_one_may_test_a_role_with_a_permission_they_do_not_hold() -> TestResult {
    let (mut company, _) = company_with_admin()?;
    let (tess, _) = user_with_permissions(
        &mut company,
        "tess",
        Permissions::ROLES_MANAGE | Permissions::ROLES_TEST | Permissions::QA_CHECKS_MANAGE,
    )?;
    let auditor = company.create_role(
        "Auditor",
        "",
        Permissions::QA_CHECKS_VIEW | Permissions::BILLING_VIEW,
    )?;
    let checker = company.create_role("Checker", "", Permissions::QA_CHECKS_VIEW)?;
    let session = company.login(tess)?;

    assert_eq!(
        company.start_testing(session, auditor),
        Err(Error::Escalation {
            user: "tess".into(),
            change: "test role `Auditor`".into(),
            permissions: "billing.view".into(),
        })
    );
    assert!(company.start_testing(session, checker).is_ok());
    assert!(matches!(
        company.start_testing(session, RoleId::new(99)),
        Err(Error::UnknownId { id: 99, .. })
    ));
    Ok(())
}

#[test]
fn a_testing_session_cannot_start_testing_a_role_beyond_the_role_under_test() -> TestResult {
    let (mut company, ann) = company_with_admin()?;
    let lead = company.create_role(
        "Team lead",
        "",
        Permissions::ROLES_MANAGE | Permissions::ROLES_TEST | Permissions::QA_CHECKS_MANAGE,
    )?;
    let checker = company.create_role("Checker", "", Permissions::QA_CHECKS_VIEW)?;
    let admin = company.login(ann)?;

    // Operator holds neither roles.manage nor roles.test.
    let operator = company.start_testing(admin, RoleId::OPERATOR)?;
    assert!(matches!(
        company.start_testing(operator, checker),
        Err(Error::Forbidden { .. })
    ));
    // Team lead may test, but only within Team lead, whatever ann holds.
    let testing_lead = company.start_testing(admin, lead)?;
    for beyond in [RoleId::ADMIN, RoleId::OPERATOR] {
        assert!(matches!(
            company.start_testing(testing_lead, beyond),
            Err(Error::Escalation { .. })
        ));
    }
    let nested = company.start_testing(testing_lead, checker)?;
    assert_eq!((nested.user(), nested.testing()), (ann, Some(checker)));
    assert_eq!(
        allowed_through(&company, &nested),
        Permissions::QA_CHECKS_VIEW
    );
    Ok(())
}

#[test]
fn a_testers_later_loss_of_permissions_caps_the_testing_session() -> TestResult {
    let (mut company, _) = company_with_admin()?;
    let (tess, trainer) = user_with_permissions(
        &mut company,
        "tess",
        Permissions::ROLES_MANAGE
            | Permissions::ROLES_TEST
            | Permissions::QUEUES_MANAGE
            | Permissions::REPORTS_VIEW,
    )?;
    let dispatcher = company.create_role("Dispatcher", "", Permissions::QUEUES_MANAGE)?;
    let testing = company.start_testing(company.login(tess)?, dispatcher)?;
    assert_eq!(
        allowed_through(&company, &testing),
        Permissions::QUEUES_MANAGE
    );

    // tess loses queues.manage (keeping queues.view).
    accepted(
        &mut company,
        Change::SetSectionAccess {
            role: trainer,
            permission: Permissions::QUEUES_MANAGE,
            allowed: false,
        },
    );
    assert_eq!(
        allowed_through(&company, &testing),
        Permissions::QUEUES_VIEW
    );

    // The tested role later gains something tess holds, and something she
    // does not: only the first shows.
    accepted(
        &mut company,
        set_role_permissions(
            dispatcher,
            Permissions::QUEUES_MANAGE | Permissions::REPORTS_VIEW | Permissions::BILLING_VIEW,
        ),
    );
    assert_eq!(
        allowed_through(&company, &testing),
        Permissions::QUEUES_VIEW | Permissions::REPORTS_VIEW
    );
    assert_eq!(
        company
            .check_session(&testing, Permissions::BILLING_VIEW, Resource::Company)
            .deny_reason(),
        Some(DenyReason::MissingPermission)
    );

    // tess loses her role altogether: the testing session can do nothing.
    accepted(
        &mut company,
        Change::UnassignRole {
            role: trainer,
            principals: vec![tess.into()],
        },
    );
    assert_eq!(allowed_through(&company, &testing), Permissions::empty());
    assert_eq!(company.session_permissions(&testing)?, Permissions::empty());
    Ok(())
}

#[test]
fn every_decision_in_a_testing_session_names_the_real_user_and_the_role_under_test() -> TestResult {
    let (mut company, ann) = company_with_admin()?;
    let qa = company.create_role("QA", "", Permissions::QA_CHECKS_VIEW)?;
    let testing = company.start_testing(company.login(ann)?, qa)?;

    for info in CATALOG {
        let decision = company.check_session(&testing, info.flag, Resource::Company);
        assert_eq!(
            (decision.user, decision.testing),
            (ann, Some(qa)),
            "{}",
            info.name
        );
    }
    let allowed = company.check_session(&testing, Permissions::QA_CHECKS_VIEW, Resource::Company);
    let denied = company.check_session(&testing, Permissions::BILLING_VIEW, Resource::Company);
    assert_eq!(
        allowed.to_string(),
        format!("allow (user {ann} testing role {qa})")
    );
    assert_eq!(
        denied.to_string(),
        format!("deny (missing permission) (user {ann} testing role {qa})")
    );

    // Even once the session has ended.
    accepted(&mut company, Change::DeleteRole { role: qa });
    let ended = company.check_session(&testing, Permissions::QA_CHECKS_VIEW, Resource::Company);
    assert_eq!(ended.decision, Decision::Deny(DenyReason::SessionEnded));
    assert_eq!((ended.user, ended.testing), (ann, Some(qa)));
    Ok(())
}

#[test]
fn a_decision_outside_testing_names_no_role_under_test() -> TestResult {
    let (company, ann) = company_with_admin()?;
    let session = company.login(ann)?;
    let decision = company.check_session(&session, Permissions::BILLING_VIEW, Resource::Company);
    assert_eq!((decision.user, decision.testing), (ann, None));
    assert_eq!(decision.to_string(), format!("allow (user {ann})"));
    let why = company.explain_session(&session, Permissions::BILLING_VIEW, Resource::Company);
    assert_eq!(why.testing(), None);
    assert!(!why.to_string().contains("testing"), "{why}");
    Ok(())
}

#[test]
fn an_explanation_in_a_testing_session_names_the_real_user_and_the_role_under_test() -> TestResult {
    let (company, ann) = company_with_admin()?;
    let testing = company.start_testing(company.login(ann)?, RoleId::OPERATOR)?;

    let allowed =
        company.explain_session(&testing, Permissions::CALL_JOURNAL_VIEW, Resource::Company);
    assert_eq!(
        (allowed.user(), allowed.testing()),
        (ann, Some(RoleId::OPERATOR))
    );
    assert!(allowed.decision().is_allowed());
    // The grant is the role under test, not ann's own Admin role.
    let grants: Vec<_> = (allowed.grants().iter())
        .map(|g| (g.role, g.via, g.project, g.granted))
        .collect();
    assert_eq!(
        grants,
        [(RoleId::OPERATOR, None, None, Permissions::CALL_JOURNAL_VIEW)]
    );
    assert_eq!(
        allowed.to_string(),
        "allow: user `ann` testing role `Operator` may `call_journal.view` in the company\n  \
         - role `Operator` grants `call_journal.view` (under test)"
    );

    let denied = company.explain_session(&testing, Permissions::BILLING_VIEW, Resource::Company);
    assert_eq!(
        (denied.user(), denied.testing()),
        (ann, Some(RoleId::OPERATOR))
    );
    assert!(
        denied.grants().is_empty(),
        "ann's Admin role must not be credited"
    );
    assert_eq!(denied.missing(), Permissions::BILLING_VIEW);
    assert_eq!(
        denied.to_string(),
        "deny (missing permission): user `ann` testing role `Operator` may not `billing.view` \
         in the company\n  \
         - role `Operator` under test does not grant `billing.view` (or the tester lacks it)"
    );
    Ok(())
}

#[test]
fn an_explanation_in_a_testing_session_agrees_with_the_check() -> TestResult {
    let (mut company, ann) = company_with_admin()?;
    let qa = company.create_role(
        "QA",
        "",
        Permissions::QA_CHECKS_MANAGE | Permissions::REPORTS_VIEW,
    )?;
    let testing = company.start_testing(company.login(ann)?, qa)?;
    // A rename is applied at once to the explanation too.
    accepted(&mut company, rename_role(qa, "Quality"));

    for info in CATALOG {
        let why = company.explain_session(&testing, info.flag, Resource::Company);
        let check = company.check_session(&testing, info.flag, Resource::Company);
        assert_eq!(why.decision(), check.decision, "{}", info.name);
        assert_eq!(
            why.missing().is_empty(),
            check.is_allowed(),
            "{}",
            info.name
        );
        assert!(
            why.to_string().starts_with(&format!(
                "{}: user `ann` testing role `Quality` ",
                check.decision
            )),
            "{why}"
        );
    }
    Ok(())
}

/// A host that stores sessions is trusted like any caller, but a stored
/// session that claims to test a role the user could never test still gets
/// no more than the user holds.
#[cfg(feature = "serde")]
#[test]
fn a_forged_testing_session_gives_no_more_than_the_user_holds() -> TestResult {
    let (mut company, _) = company_with_admin()?;
    let oli = user_holding(&mut company, "oli", RoleId::OPERATOR)?;
    let forged: callgate::Session = serde_json::from_str(&format!(
        r#"{{"company":"{}","user":{oli},"loginRevision":{},"testing":{}}}"#,
        company.id(),
        company.revision(),
        RoleId::ADMIN
    ))?;

    assert_eq!(
        (forged.user(), forged.testing()),
        (oli, Some(RoleId::ADMIN))
    );
    assert_eq!(allowed_through(&company, &forged), Permissions::OPERATOR);
    let error = company
        .apply_as(
            &forged,
            Change::DeleteRole {
                role: RoleId::new(9),
            },
        )
        .expect_err("an operator may not delete roles");
    assert!(matches!(error, Error::Forbidden { .. }), "{error}");
    Ok(())
}
