//! Provisioning from a template (issue 27, "A template shares its
//! identity"): two tenants loaded from one document shared its
//! `CompanyId`, so a session of one was allowed by the other. Loaded as a
//! template, each gets its own id; loaded where the host expects a given
//! id, a document of another company is refused, naming both.

use callgate::{
    Change, Company, CompanyId, DenyReason, Document, Error, Permissions, Resource, RoleId,
};

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// A template: an Admin (user 0) and an operator (user 1).
fn template() -> Result<Company, Error> {
    let mut company = Company::new().with_id(CompanyId::new(0x7e));
    company.create_user("admin")?;
    let operator = company.create_user("operator")?;
    company.apply(Change::AssignRole {
        role: RoleId::OPERATOR,
        principals: vec![operator.into()],
    })?;
    Ok(company)
}

#[test]
fn tenants_loaded_as_templates_refuse_each_others_sessions() -> TestResult {
    let template = template()?;
    let json = serde_json::to_string(&template.to_document())?;
    let read = || serde_json::Deserializer::from_str(&json);
    let mut acme = Company::load_template(&mut read())?;
    let mut globex = Company::load_template(&mut read())?;
    assert_ne!(acme.id(), globex.id());
    assert_ne!(acme.id(), template.id());

    let admin = acme.user_by_name("admin").ok_or("no admin")?;
    let at_acme = acme.login(admin)?;
    assert!(
        acme.check_session(&at_acme, Permissions::USERS_MANAGE, Resource::Company)
            .is_allowed()
    );
    let decision = globex.check_session(&at_acme, Permissions::USERS_MANAGE, Resource::Company);
    assert_eq!(decision.deny_reason(), Some(DenyReason::OtherCompany));
    let refused = globex.apply_as(
        &at_acme,
        Change::CreateGroup {
            name: "x".into(),
            members: vec![],
        },
    );
    assert!(
        matches!(refused, Err(Error::OtherCompany { .. })),
        "{refused:?}"
    );

    // Nor does the template's own session open either tenant.
    let at_template = template.login(admin)?;
    let decision = acme.check_session(&at_template, Permissions::USERS_MANAGE, Resource::Company);
    assert_eq!(decision.deny_reason(), Some(DenyReason::OtherCompany));

    // A log entry of one is refused by the other.
    let plan = acme.plan(Change::CreateGroup {
        name: "Night".into(),
        members: vec![],
    })?;
    let entry = plan.entry().clone();
    acme.commit(plan)?;
    assert!(matches!(
        globex.catch_up([entry]),
        Err(Error::OtherCompany { .. })
    ));
    Ok(())
}

#[test]
fn a_template_keeps_everything_but_its_identity() -> TestResult {
    let template = template()?;
    let tenant = Company::from_template(template.to_document())?;
    assert_ne!(tenant.id(), template.id());
    let mut expected: Document = template.to_document();
    expected.company = Some(tenant.id());
    assert_eq!(tenant.to_document(), expected);
    Ok(())
}

#[test]
fn a_document_of_another_company_is_refused_naming_both_ids() -> TestResult {
    let template = template()?;
    let json = serde_json::to_string(&template.to_document())?;
    let read = || serde_json::Deserializer::from_str(&json);

    let own = Company::load_expecting(&mut read(), CompanyId::new(0x7e))?;
    assert_eq!(own.id(), CompanyId::new(0x7e));
    assert_eq!(own.to_document(), template.to_document());

    let refused = Company::load_expecting(&mut read(), CompanyId::new(0xac))
        .err()
        .ok_or("loaded another company's document")?;
    assert_eq!(
        refused,
        Error::OtherCompany {
            what: "document",
            of: CompanyId::new(0x7e),
            used_with: CompanyId::new(0xac),
        }
    );
    assert_eq!(
        refused.to_string(),
        "a document of company 000000000000007e was used with company 00000000000000ac"
    );
    let refused = Company::from_document_expecting(template.to_document(), CompanyId::new(1));
    assert!(matches!(refused, Err(Error::OtherCompany { .. })));
    Ok(())
}

#[test]
fn a_document_without_an_id_takes_the_one_expected() -> TestResult {
    let mut document = template()?.to_document();
    document.format = 1;
    document.catalog = None;
    document.company = None;
    let company = Company::from_document_expecting(document, CompanyId::new(0x42))?;
    assert_eq!(company.id(), CompanyId::new(0x42));
    Ok(())
}
