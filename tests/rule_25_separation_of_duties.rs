//! DOMAIN rule 25: "Separation of duties: an administrator can declare that
//! two permissions (or two roles) must never be held by one person, however
//! they are reached: directly, through a group, within a project or
//! company-wide. [...] A change that would break a declared constraint is
//! refused, with the user and both grants named, and changes nothing.
//! Declaring a constraint that the present state already breaks is
//! refused, with the people who break it listed. A stored document that
//! breaks one is refused with the path."
//!
//! "Evaluates calls" is `qa_checks.manage`, "answers calls" the softphone
//! widget; "edits payouts" is `payments.manage`, "approves payouts"
//! `billing.manage`. Every refusal leaves the company exactly as it was
//! (`common::refuse` and `common::refuse_as` compare its `Debug` dump).

mod common;

use callgate::{
    Change, Company, Duty, DutyConstraint, EntityKind, Error, Permissions, RoleId, SecurityMode,
};
use common::{Clients, TestResult, add_role, add_user, give_within, refuse, refuse_as};

const EVALUATES: Permissions = Permissions::QA_CHECKS_MANAGE;
const ANSWERS: Permissions = Permissions::WORKPLACE_SOFTPHONE;

fn declare(company: &mut Company, first: Duty, second: Duty) -> Result<(), Error> {
    company.apply(Change::DeclareDutyConstraint { first, second })?;
    Ok(())
}

/// Evaluating and answering calls kept apart, with a role for each.
fn qa_and_agents(company: &mut Company) -> Result<(RoleId, RoleId), Error> {
    let qa = add_role(company, "QA", EVALUATES, &[])?;
    let agents = add_role(company, "Agents", ANSWERS, &[])?;
    declare(
        company,
        Duty::Permission(EVALUATES),
        Duty::Permission(ANSWERS),
    )?;
    Ok((qa, agents))
}

#[test]
fn rule_25_a_direct_assignment_is_refused_naming_the_user_and_both_grants() -> TestResult {
    let mut company = Company::new();
    let _ann = company.create_user("ann")?;
    let kim = company.create_user("kim")?;
    let (qa, agents) = qa_and_agents(&mut company)?;
    company.apply(Change::AssignRole {
        role: qa,
        principals: vec![kim.into()],
    })?;

    let error = refuse(
        &mut company,
        Change::AssignRole {
            role: agents,
            principals: vec![kim.into()],
        },
    );
    assert_eq!(
        error,
        Error::DutiesSeparated {
            holder: "user `kim`".into(),
            first: "`qa_checks.manage` from role `QA` (given directly, company-wide)".into(),
            second: "`workplace.softphone` from role `Agents` (given directly, company-wide)"
                .into(),
        }
    );
    assert_eq!(error.code(), "duties_separated");
    assert_eq!(error.category().http_status(), 409);
    Ok(())
}

#[test]
fn rule_25_a_user_added_to_a_group_is_refused_naming_the_group() -> TestResult {
    let mut company = Company::new();
    let _ann = company.create_user("ann")?;
    let kim = company.create_user("kim")?;
    let (qa, agents) = qa_and_agents(&mut company)?;
    let floor = company.create_group("Floor", &[])?;
    company.apply(Change::AssignRole {
        role: agents,
        principals: vec![floor.into()],
    })?;
    company.apply(Change::AssignRole {
        role: qa,
        principals: vec![kim.into()],
    })?;

    let error = refuse(
        &mut company,
        Change::AddGroupMembers {
            group: floor,
            users: vec![kim],
        },
    );
    assert_eq!(
        error.to_string(),
        "user `kim` would hold both `qa_checks.manage` from role `QA` (given directly, \
         company-wide) and `workplace.softphone` from role `Agents` (through group `Floor`, \
         company-wide), which are kept apart"
    );
    // The group's role given to a group holding kim: refused the same way.
    let both = company.create_group("Both", &[kim])?;
    let error = refuse(
        &mut company,
        Change::AssignRole {
            role: agents,
            principals: vec![both.into()],
        },
    );
    assert!(matches!(error, Error::DutiesSeparated { .. }), "{error}");
    // A new user with both, through roles and groups at creation.
    let error = refuse(
        &mut company,
        Change::CreateUser {
            name: "lee".into(),
            roles: vec![qa],
            groups: vec![floor],
            projects: vec![],
        },
    );
    assert!(
        error.to_string().starts_with("user `lee` would hold both"),
        "{error}"
    );
    Ok(())
}

#[test]
fn rule_25_roles_within_projects_count_however_they_are_reached() -> TestResult {
    let mut c = Clients::new(SecurityMode::Enhanced)?;
    let (qa, agents) = qa_and_agents(&mut c.company)?;
    // Tess evaluates calls for Acme...
    give_within(&mut c.company, c.acme, qa, &[c.tess.into()])?;
    // ...so she may not answer them for Globex,
    let error = refuse(
        &mut c.company,
        Change::AssignProjectRole {
            project: c.globex,
            role: agents,
            principals: vec![c.tess.into()],
        },
    );
    assert_eq!(
        error.to_string(),
        "user `tess` would hold both `qa_checks.manage` from role `QA` (given directly, within \
         project `Acme Bank`) and `workplace.softphone` from role `Agents` (given directly, \
         within project `Globex`), which are kept apart"
    );
    // nor company-wide,
    let error = refuse(
        &mut c.company,
        Change::AssignRole {
            role: agents,
            principals: vec![c.tess.into()],
        },
    );
    assert!(
        error.to_string().contains("(given directly, company-wide)"),
        "{error}"
    );
    // nor through a group given the role within a project.
    give_within(&mut c.company, c.acme, agents, &[c.leads.into()])?;
    let error = refuse(
        &mut c.company,
        Change::AddGroupMembers {
            group: c.leads,
            users: vec![c.tess],
        },
    );
    assert!(
        error
            .to_string()
            .contains("from role `Agents` (through group `Leads`, within project `Acme Bank`)"),
        "{error}"
    );
    // Adding members with roles at once is refused too.
    let error = refuse(
        &mut c.company,
        Change::add_project_members_with_roles(c.globex, [c.gil.into()], [qa]),
    );
    assert!(
        error.to_string().starts_with("user `gil` would hold both"),
        "{error}"
    );
    // Taking QA within Acme away frees her to answer calls.
    c.company.apply(Change::UnassignProjectRole {
        project: c.acme,
        role: qa,
        principals: vec![c.tess.into()],
    })?;
    give_within(&mut c.company, c.globex, agents, &[c.tess.into()])?;
    Ok(())
}

#[test]
fn rule_25_role_pairs_are_kept_apart_too() -> TestResult {
    let mut c = Clients::new(SecurityMode::Enhanced)?;
    let auditor = add_role(&mut c.company, "Auditor", Permissions::REPORTS_VIEW, &[])?;
    let cashier = add_role(&mut c.company, "Cashier", Permissions::REPORTS_VIEW, &[])?;
    declare(&mut c.company, Duty::Role(auditor), Duty::Role(cashier))?;
    give_within(&mut c.company, c.acme, auditor, &[c.leads.into()])?;
    let error = refuse(
        &mut c.company,
        Change::AssignRole {
            role: cashier,
            principals: vec![c.gil.into()],
        },
    );
    assert_eq!(
        error.to_string(),
        "user `gil` would hold both role `Auditor` (through group `Leads`, within project \
         `Acme Bank`) and role `Cashier` (given directly, company-wide), which are kept apart"
    );
    // The same permissions through two other roles are no concern of this pair.
    c.company.apply(Change::AssignRole {
        role: RoleId::OPERATOR,
        principals: vec![c.gil.into()],
    })?;
    // Admin cannot be one of a pair; nor can a role be kept from itself.
    for (first, second) in [
        (Duty::Role(RoleId::ADMIN), Duty::Role(cashier)),
        (Duty::Role(cashier), Duty::Role(cashier)),
        (Duty::Role(RoleId::ADMIN), Duty::Permission(ANSWERS)),
    ] {
        let error = refuse(
            &mut c.company,
            Change::DeclareDutyConstraint { first, second },
        );
        assert_eq!(error.code(), "invalid_duty_constraint", "{error}");
    }
    let error = refuse(
        &mut c.company,
        Change::DeclareDutyConstraint {
            first: Duty::Role(RoleId::new(99)),
            second: Duty::Role(cashier),
        },
    );
    assert_eq!(
        error,
        Error::UnknownId {
            kind: EntityKind::Role,
            id: 99
        }
    );
    Ok(())
}

#[test]
fn rule_25_a_role_may_not_give_both_permissions_of_a_pair() -> TestResult {
    let mut company = Company::new();
    let ann = company.create_user("ann")?;
    let kim = company.create_user("kim")?;
    let (qa, agents) = qa_and_agents(&mut company)?;
    company.apply(Change::AssignRole {
        role: qa,
        principals: vec![kim.into()],
    })?;
    company.apply(Change::AssignRole {
        role: agents,
        principals: vec![ann.into()],
    })?;
    // Adding answering to QA, held by kim, is refused...
    let error = refuse(
        &mut company,
        Change::SetSectionAccess {
            role: qa,
            permission: ANSWERS,
            allowed: true,
        },
    );
    assert_eq!(
        error.to_string(),
        "role `QA` would hold both `qa_checks.manage` from role `QA` and `workplace.softphone` \
         from role `QA`, which are kept apart"
    );
    // ...and so is evaluating added to Agents, held by the Admin alone.
    let error = refuse(
        &mut company,
        Change::EditRole {
            role: agents,
            name: None,
            description: None,
            permissions: Some(ANSWERS | EVALUATES),
            put_users_offline: None,
        },
    );
    assert!(
        error
            .to_string()
            .starts_with("role `Agents` would hold both"),
        "{error}"
    );
    // A new role held by no one is refused too.
    let error = refuse(
        &mut company,
        Change::CreateRole {
            name: "Everything QA".into(),
            description: String::new(),
            permissions: ANSWERS | Permissions::QA_CHECKS_MANAGE,
            principals: vec![],
            put_users_offline: false,
        },
    );
    assert!(matches!(error, Error::DutiesSeparated { .. }));
    // Adding evaluating to a role kim holds: kim would hold both.
    let listener = add_role(
        &mut company,
        "Listener",
        Permissions::RECORDINGS_LISTEN_ALL,
        &[],
    )?;
    company.apply(Change::AssignRole {
        role: listener,
        principals: vec![kim.into()],
    })?;
    let error = refuse(
        &mut company,
        Change::SetSectionAccess {
            role: listener,
            permission: ANSWERS,
            allowed: true,
        },
    );
    assert!(
        error.to_string().starts_with("user `kim` would hold both"),
        "{error}"
    );
    Ok(())
}

#[test]
fn rule_25_admin_is_exempt_from_permission_pairs() -> TestResult {
    let mut company = Company::new();
    let ann = company.create_user("ann")?;
    // Admin holds every permission: the pair is declared all the same.
    let (qa, agents) = qa_and_agents(&mut company)?;
    // And she may hold both roles: Admin is everything, always.
    for role in [qa, agents] {
        company.apply(Change::AssignRole {
            role,
            principals: vec![ann.into()],
        })?;
    }
    // A permission with itself or with what it implies is never kept apart.
    let error = refuse(
        &mut company,
        Change::DeclareDutyConstraint {
            first: Duty::Permission(Permissions::QUEUES_MANAGE),
            second: Duty::Permission(Permissions::QUEUES_VIEW),
        },
    );
    assert_eq!(
        error.to_string(),
        "`queues.manage` and `queues.view` cannot be kept apart: whoever holds the one holds the \
         other"
    );
    let error = refuse(
        &mut company,
        Change::DeclareDutyConstraint {
            first: Duty::Permission(Permissions::QUEUES_VIEW | Permissions::LISTS_VIEW),
            second: Duty::Permission(ANSWERS),
        },
    );
    assert_eq!(error.code(), "not_single_permission");
    Ok(())
}

#[test]
fn rule_25_declaring_against_a_breaking_state_lists_who_breaks_it() -> TestResult {
    let mut company = Company::new();
    let _ann = company.create_user("ann")?;
    let both = add_role(&mut company, "Both", EVALUATES | ANSWERS, &[])?;
    let qa = add_role(&mut company, "QA", EVALUATES, &[])?;
    for i in 0..12 {
        add_user(
            &mut company,
            &format!("agent{i:02}"),
            &[qa, RoleId::OPERATOR],
            &[],
        )?;
    }
    let error = refuse(
        &mut company,
        Change::DeclareDutyConstraint {
            first: Duty::Permission(EVALUATES),
            second: Duty::Permission(ANSWERS),
        },
    );
    let Error::DutyConstraintBroken { holders, count, .. } = &error else {
        panic!("{error:?}");
    };
    assert_eq!(*count, 13, "12 users and the role `Both`");
    assert_eq!(holders.len(), 10);
    assert_eq!(holders[0], "user `agent00`");
    assert_eq!(
        error.to_string(),
        "`qa_checks.manage` and `workplace.softphone` cannot be kept apart: 13 already hold both \
         (user `agent00`, user `agent01`, user `agent02`, user `agent03`, user `agent04`, user \
         `agent05`, user `agent06`, user `agent07`, user `agent08`, user `agent09`, ...)"
    );
    assert_eq!(error.code(), "duty_constraint_broken");
    // The role alone, held by no one, still breaks it.
    for user in 1..13 {
        company.apply(Change::DeleteUser {
            user: callgate::UserId::new(user),
        })?;
    }
    let error = refuse(
        &mut company,
        Change::DeclareDutyConstraint {
            first: Duty::Permission(ANSWERS),
            second: Duty::Permission(EVALUATES),
        },
    );
    assert_eq!(
        error.to_string(),
        "`workplace.softphone` and `qa_checks.manage` cannot be kept apart: 1 already hold both \
         (role `Both`)"
    );
    company.apply(Change::DeleteRole { role: both })?;
    declare(
        &mut company,
        Duty::Permission(ANSWERS),
        Duty::Permission(EVALUATES),
    )?;
    Ok(())
}

#[test]
fn rule_25_refused_changes_leave_the_company_exactly_as_it_was() -> TestResult {
    let mut c = Clients::new(SecurityMode::Enhanced)?;
    let (qa, agents) = qa_and_agents(&mut c.company)?;
    give_within(&mut c.company, c.acme, qa, &[c.leads.into()])?;
    let before = c.company.to_document();
    let revision = c.company.revision();
    for change in [
        Change::AssignRole {
            role: agents,
            principals: vec![c.leads.into()],
        },
        Change::AssignProjectRole {
            project: c.acme,
            role: agents,
            principals: vec![c.leads.into()],
        },
        Change::SetSectionAccess {
            role: qa,
            permission: ANSWERS,
            allowed: true,
        },
    ] {
        assert!(c.company.apply(change).is_err());
        assert_eq!(c.company.to_document(), before);
        assert_eq!(c.company.revision(), revision);
    }
    Ok(())
}

#[test]
fn rule_25_preview_reports_the_refusal() -> TestResult {
    let mut company = Company::new();
    let _ann = company.create_user("ann")?;
    let kim = company.create_user("kim")?;
    let (qa, agents) = qa_and_agents(&mut company)?;
    company.apply(Change::AssignRole {
        role: qa,
        principals: vec![kim.into()],
    })?;
    let change = Change::AssignRole {
        role: agents,
        principals: vec![kim.into()],
    };
    let previewed = company.preview(change.clone()).unwrap_err();
    assert_eq!(previewed, company.apply(change).unwrap_err());
    assert_eq!(previewed.code(), "duties_separated");
    Ok(())
}

#[test]
fn rule_25_role_testing_cannot_get_around_a_constraint() -> TestResult {
    let mut company = Company::new();
    let ann = company.create_user("ann")?;
    let sam = company.create_user("sam")?;
    // Supervisor evaluates and answers calls: declared while no one holds it.
    declare(
        &mut company,
        Duty::Permission(EVALUATES),
        Duty::Permission(ANSWERS),
    )?;
    let error = refuse(
        &mut company,
        Change::AssignRole {
            role: RoleId::SUPERVISOR,
            principals: vec![sam.into()],
        },
    );
    assert!(
        error.to_string().starts_with("user `sam` would hold both"),
        "{error}"
    );
    // Ann, an Admin, is exempt; testing Supervisor would hand her session
    // both duties, and is refused.
    let error = company
        .start_testing(company.login(ann)?, RoleId::SUPERVISOR)
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "user `ann` testing role `Supervisor` would hold both `qa_checks.manage` from role \
         `Supervisor` and `workplace.softphone` from role `Supervisor`, which are kept apart"
    );
    // Operator answers calls only: testing it is fine.
    company.start_testing(company.login(ann)?, RoleId::OPERATOR)?;
    Ok(())
}

#[test]
fn rule_25_declaring_and_dropping_are_guarded() -> TestResult {
    let mut company = Company::new();
    let ann = company.create_user("ann")?;
    let sam = company.create_user("sam")?;
    let sec = company.create_user("sec")?;
    company.apply(Change::AssignRole {
        role: RoleId::SUPERVISOR,
        principals: vec![sam.into()],
    })?;
    add_role(
        &mut company,
        "Security officer",
        Permissions::SECURITY_MANAGE | Permissions::PAYMENTS_MANAGE,
        &[sec.into()],
    )?;
    let payouts = Change::DeclareDutyConstraint {
        first: Duty::Permission(Permissions::PAYMENTS_MANAGE),
        second: Duty::Permission(Permissions::BILLING_MANAGE),
    };
    // A supervisor lacks security settings.
    let session = company.login(sam)?;
    let error = refuse_as(&mut company, &session, payouts.clone());
    assert_eq!(
        error.to_string(),
        "user `sam` may not declare a duty constraint: missing permission `billing.manage | payments.manage | \
         security.manage`"
    );
    // The security officer lacks one side of the pair.
    let session = company.login(sec)?;
    let error = refuse_as(&mut company, &session, payouts.clone());
    assert_eq!(error.code(), "forbidden");
    assert!(
        error
            .to_string()
            .ends_with("missing permission `billing.manage`"),
        "{error}"
    );
    // The Admin holds everything.
    let session = company.login(ann)?;
    company.apply_as(&session, payouts.clone())?;
    let drop = Change::DropDutyConstraint {
        first: Duty::Permission(Permissions::BILLING_MANAGE),
        second: Duty::Permission(Permissions::PAYMENTS_MANAGE),
    };
    let session = company.login(sec)?;
    assert_eq!(
        refuse_as(&mut company, &session, drop.clone()).code(),
        "forbidden"
    );
    let plan = company.plan_as(&company.login(ann)?, drop)?;
    assert_eq!(plan.entry().change.op(), "drop_duty_constraint");
    company.commit(plan)?;
    assert!(company.duty_constraints().is_empty());
    Ok(())
}

#[test]
fn rule_25_dropping_a_constraint_or_deleting_its_role_lifts_it() -> TestResult {
    let mut company = Company::new();
    let _ann = company.create_user("ann")?;
    let kim = company.create_user("kim")?;
    let (qa, agents) = qa_and_agents(&mut company)?;
    declare(&mut company, Duty::Role(qa), Duty::Role(RoleId::OPERATOR))?;
    // Declared twice (in either order): nothing changes but the revision.
    declare(
        &mut company,
        Duty::Permission(ANSWERS),
        Duty::Permission(EVALUATES),
    )?;
    assert_eq!(
        company.duty_constraints(),
        [
            DutyConstraint::new(Duty::Permission(EVALUATES), Duty::Permission(ANSWERS)),
            DutyConstraint::new(Duty::Role(qa), Duty::Role(RoleId::OPERATOR)),
        ]
    );
    company.apply(Change::DropDutyConstraint {
        first: Duty::Permission(ANSWERS),
        second: Duty::Permission(EVALUATES),
    })?;
    for role in [qa, agents] {
        company.apply(Change::AssignRole {
            role,
            principals: vec![kim.into()],
        })?;
    }
    // The role pair still holds...
    let error = refuse(
        &mut company,
        Change::AssignRole {
            role: RoleId::OPERATOR,
            principals: vec![kim.into()],
        },
    );
    assert!(error.to_string().contains("role `Operator`"), "{error}");
    // ...until QA is deleted, which drops it.
    company.apply(Change::DeleteRole { role: qa })?;
    assert!(company.duty_constraints().is_empty());
    company.apply(Change::AssignRole {
        role: RoleId::OPERATOR,
        principals: vec![kim.into()],
    })?;
    Ok(())
}

/// Kim evaluates calls; evaluating is kept from answering, and the role QA
/// from the role Auditor.
fn stored_company() -> Result<(Company, RoleId, RoleId, RoleId), Error> {
    let mut company = Company::new();
    let _ann = company.create_user("ann")?;
    let kim = company.create_user("kim")?;
    let (qa, agents) = qa_and_agents(&mut company)?;
    let auditor = add_role(&mut company, "Auditor", Permissions::REPORTS_VIEW, &[])?;
    declare(&mut company, Duty::Role(qa), Duty::Role(auditor))?;
    company.apply(Change::AssignRole {
        role: qa,
        principals: vec![kim.into()],
    })?;
    Ok((company, qa, agents, auditor))
}

#[test]
fn rule_25_constraints_round_trip_through_the_document_and_the_checkpoint() -> TestResult {
    let (company, qa, _, auditor) = stored_company()?;
    let json = serde_json::to_string(&company.to_document())?;
    assert!(
        json.ends_with(&format!(
            r#""dutyConstraints":[{{"first":{{"permission":["qa_checks.manage"]}},"second":{{"permission":["workplace.softphone"]}}}},{{"first":{{"role":{}}},"second":{{"role":{}}}}}]}}"#,
            qa.get(),
            auditor.get()
        )),
        "{json}"
    );
    let loaded = Company::load(&mut serde_json::Deserializer::from_str(&json))?;
    assert_eq!(loaded.duty_constraints(), company.duty_constraints());
    assert_eq!(serde_json::to_string(&loaded.to_document())?, json);

    let checkpoint = company.to_checkpoint();
    let loaded = Company::load_checkpoint(&checkpoint)?;
    assert_eq!(loaded.to_document(), company.to_document());
    assert_eq!(loaded.to_checkpoint(), checkpoint);
    // The change itself, as a log stores it.
    let change = Change::DeclareDutyConstraint {
        first: Duty::Permission(EVALUATES),
        second: Duty::Role(auditor),
    };
    let json = serde_json::to_string(&change)?;
    assert_eq!(
        json,
        format!(
            r#"{{"op":"declare_duty_constraint","first":{{"permission":["qa_checks.manage"]}},"second":{{"role":{}}}}}"#,
            auditor.get()
        )
    );
    assert_eq!(serde_json::from_str::<Change>(&json)?, change);
    assert_eq!(change.op(), "declare_duty_constraint");
    // A company without constraints writes no field at all (0.2's form).
    let plain = Company::new();
    let json = serde_json::to_string(&plain.to_document())?;
    assert!(!json.contains("dutyConstraints"), "{json}");
    Ok(())
}

#[test]
fn rule_25_a_stored_document_that_breaks_a_constraint_is_refused_with_the_path() -> TestResult {
    let (company, _, agents, auditor) = stored_company()?;
    let refused = |edit: &dyn Fn(&mut callgate::Document)| {
        let mut document = company.to_document();
        edit(&mut document);
        Company::from_document(document).unwrap_err().to_string()
    };
    // Kim also answers calls.
    assert_eq!(
        refused(&|d| d.users[1].roles.push(agents)),
        "dutyConstraints[0]: `qa_checks.manage` and `workplace.softphone` cannot be kept apart: \
         1 already hold both (user `kim`)"
    );
    // Kim is also an auditor.
    assert_eq!(
        refused(&|d| d.users[1].roles.push(auditor)),
        "dutyConstraints[1]: role `QA` and role `Auditor` cannot be kept apart: 1 already hold \
         both (user `kim`)"
    );
    assert_eq!(
        refused(&|d| d.duty_constraints[1].second = Duty::Role(RoleId::new(99))),
        "dutyConstraints[1]: unknown role id `99`"
    );
    assert_eq!(
        refused(&|d| {
            let again = d.duty_constraints[0];
            d.duty_constraints
                .push(DutyConstraint::new(again.second, again.first));
        }),
        "dutyConstraints[2]: `workplace.softphone` and `qa_checks.manage` cannot be kept apart: \
         the constraint is declared twice"
    );
    Ok(())
}
