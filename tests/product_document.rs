//! The example product's sample document, `examples/data/acme.json`, is
//! built here, so it cannot rot: a company of the `acme-contact-center`
//! catalog (`examples/product/mod.rs`) that the command-line example
//! answers questions about in the product's names.
//!
//! When the sample, the product's catalog or the stored format changes on
//! purpose, rewrite the file with
//! `CALLGATE_BLESS=1 cargo test --test product_document` and review the
//! diff. `.ci/run` asks the example questions about this document; the last
//! test pins those answers, so a change here that would break CI fails first.
#![cfg(feature = "serde")]

#[path = "../examples/product/mod.rs"]
mod product;

use callgate::{
    Change, Company, Created, Decision, DenyReason, EntityKind, ProjectId, Resource, RoleId,
    SecurityMode, UserId,
};
use product::{AcmeKind, AcmePermissions as Acme};

const SAMPLE: &str = "examples/data/acme.json";

/// Acme contact center, hosting two clients in enhanced security.
///
/// - `olga` opened the company (Admin). The `Main trunk` SIP provider and
///   the `Office hours` schedule came before the switch to enhanced
///   security, so the `Default` project holds them (and `olga`).
/// - `Acme Bank` (inbound support) holds the `Acme inbound` queue, the
///   `Acme web chat` chat channel and the `Acme callbacks` list;
///   `Globex Telecom` (sales) the `Globex sales` queue, the `Globex spring`
///   autodialer and, to dial out, `Main trunk`.
/// - `sara` supervises Acme Bank; its operators `anna` and `alex` hold
///   Operator through the `Acme team` group, a member of the project.
/// - `mike` holds the custom `Queue monitor` role (pause and resume queues,
///   never edit them) in both clients; `fiona` the custom `Accountant` role
///   (finance, campaign costs, trunk billing) for Globex.
fn acme() -> Result<Company<Acme>, callgate::Error> {
    // A fixed id, so that the stored document does not change at each run.
    let mut company = Company::<Acme>::with_catalog().with_id(callgate::CompanyId::new(0xac3e));
    let _olga = company.create_user("olga")?; // the first user: Admin
    let trunk = company.create_object(AcmeKind::SipProvider, "Main trunk")?;
    let _hours = company.create_object(AcmeKind::Schedule, "Office hours")?;
    company.apply(Change::SetSecurityMode {
        mode: SecurityMode::Enhanced,
    })?;

    let acme_bank = company.create_project("Acme Bank", "Inbound support for Acme Bank")?;
    let globex = company.create_project("Globex Telecom", "Sales campaigns for Globex Telecom")?;
    for (project, kind, name) in [
        (acme_bank, AcmeKind::Queue, "Acme inbound"),
        (acme_bank, AcmeKind::ChatChannel, "Acme web chat"),
        (acme_bank, AcmeKind::List, "Acme callbacks"),
        (globex, AcmeKind::Queue, "Globex sales"),
        (globex, AcmeKind::Autodialer, "Globex spring"),
    ] {
        company.apply(Change::CreateObject {
            kind,
            name: name.into(),
            projects: vec![project],
        })?;
    }
    company.apply(Change::AddProjectObjects {
        project: globex,
        objects: vec![trunk],
    })?;

    create_user(&mut company, "sara", &[RoleId::SUPERVISOR], &[acme_bank])?;
    let anna = create_user(&mut company, "anna", &[], &[])?;
    let alex = create_user(&mut company, "alex", &[], &[])?;
    let team = company.create_group("Acme team", &[anna, alex])?;
    company.apply(Change::AssignRole {
        role: RoleId::OPERATOR,
        principals: vec![team.into()],
    })?;
    company.apply(Change::AddProjectMembers {
        project: acme_bank,
        principals: vec![team.into()],
        roles: vec![],
    })?;

    let monitor = company.create_role(
        "Queue monitor",
        "Pauses and resumes queues when agents are short; never edits them",
        Acme::QUEUES_PAUSE | Acme::QUEUES_RESUME,
    )?;
    create_user(&mut company, "mike", &[monitor], &[acme_bank, globex])?;
    let accountant = company.create_role(
        "Accountant",
        "Invoices, campaign costs and trunk billing",
        Acme::FINANCE_VIEW | Acme::AUTODIALERS_VIEW_COSTS | Acme::SIP_PROVIDERS_VIEW_BILLING,
    )?;
    create_user(&mut company, "fiona", &[accountant], &[globex])?;
    Ok(company)
}

/// Creates a user holding `roles`, a member of `projects`.
fn create_user(
    company: &mut Company<Acme>,
    name: &str,
    roles: &[RoleId],
    projects: &[ProjectId],
) -> Result<UserId, callgate::Error> {
    let report = company.apply(Change::CreateUser {
        name: name.into(),
        roles: roles.to_vec(),
        groups: Vec::new(),
        projects: projects.to_vec(),
    })?;
    match report.created {
        Some(Created::User(user)) => Ok(user),
        _ => Err(callgate::Error::UnknownName {
            kind: EntityKind::User,
            name: name.into(),
        }),
    }
}

fn load_sample() -> Result<Company<Acme>, Box<dyn std::error::Error>> {
    let text = std::fs::read_to_string(SAMPLE)?;
    Ok(Company::load_for(&mut serde_json::Deserializer::from_str(
        &text,
    ))?)
}

#[test]
fn the_product_document_is_up_to_date() -> Result<(), Box<dyn std::error::Error>> {
    let written = serde_json::to_string_pretty(&acme()?.to_document())? + "\n";
    if std::env::var_os("CALLGATE_BLESS").is_some() {
        std::fs::write(SAMPLE, &written)?;
    }
    let stored = std::fs::read_to_string(SAMPLE)?;
    assert_eq!(
        written, stored,
        "{SAMPLE} is out of date: bless it on purpose (see this file's header)"
    );
    Ok(())
}

#[test]
fn the_product_document_loads_and_names_its_catalog() -> Result<(), Box<dyn std::error::Error>> {
    let loaded = load_sample()?;
    assert_eq!(loaded.to_document(), acme()?.to_document());
    assert_eq!(loaded.mode(), SecurityMode::Enhanced);
    let value: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(SAMPLE)?)?;
    assert_eq!(
        value["catalog"],
        serde_json::json!({"name": "acme-contact-center", "version": 1})
    );
    // A program of the standard catalog refuses it.
    let text = std::fs::read_to_string(SAMPLE)?;
    let standard: Result<Company, _> =
        Company::load(&mut serde_json::Deserializer::from_str(&text));
    let error = standard
        .err()
        .ok_or("the standard catalog must refuse it")?;
    assert!(
        error.to_string().starts_with(
            "catalog: the document was written with catalog `acme-contact-center`, not `standard`"
        ),
        "{error}"
    );
    Ok(())
}

/// The answers `.ci/run` expects from the command-line example.
#[test]
fn the_product_document_answers_what_ci_asks() -> Result<(), Box<dyn std::error::Error>> {
    let company = load_sample()?;
    let user = |name: &str| {
        company
            .user_by_name(name)
            .ok_or(format!("no user `{name}`"))
    };
    let object = |kind, name: &str| {
        company
            .object_by_name(kind, name)
            .map(Resource::Object)
            .ok_or(format!("no object `{name}`"))
    };
    let acme_inbound = object(AcmeKind::Queue, "Acme inbound")?;
    let globex_sales = object(AcmeKind::Queue, "Globex sales")?;
    let web_chat = object(AcmeKind::ChatChannel, "Acme web chat")?;
    let trunk = object(AcmeKind::SipProvider, "Main trunk")?;
    for (name, action, resource, decision) in [
        ("mike", Acme::QUEUES_PAUSE, acme_inbound, Decision::Allow),
        (
            "mike",
            Acme::QUEUES_EDIT,
            acme_inbound,
            Decision::Deny(DenyReason::MissingPermission),
        ),
        (
            "sara",
            Acme::AUTODIALERS_START,
            acme_inbound,
            Decision::Deny(DenyReason::NotApplicable),
        ),
        (
            "sara",
            Acme::QUEUES_VIEW,
            globex_sales,
            Decision::Deny(DenyReason::HiddenByProjects),
        ),
        ("anna", Acme::CHAT_CHANNELS_VIEW, web_chat, Decision::Allow),
        (
            "fiona",
            Acme::SIP_PROVIDERS_VIEW_BILLING,
            trunk,
            Decision::Allow,
        ),
        (
            "sara",
            Acme::FINANCE_VIEW,
            Resource::Company,
            Decision::Deny(DenyReason::MissingPermission),
        ),
    ] {
        assert_eq!(
            company.check(user(name)?, action, resource),
            decision,
            "{name} {action} {resource:?}"
        );
    }
    assert_eq!(
        company
            .explain(user("anna")?, Acme::CHAT_CHANNELS_VIEW, web_chat)
            .to_string(),
        "allow: user `anna` may `chat_channels.view` on chat channel `Acme web chat`\n  \
         - role `Operator` grants `chat_channels.view` (through group `Acme team`)\n  \
         - reached through project `Acme Bank` (member through group `Acme team`)"
    );

    let names = |ids: Vec<UserId>| -> Vec<String> {
        ids.into_iter()
            .filter_map(|id| company.user(id).map(|u| u.name().to_owned()))
            .collect()
    };
    assert_eq!(
        names(company.holders(Acme::FINANCE_VIEW).collect()),
        ["olga", "fiona"]
    );
    let who_can = |action, resource| -> Vec<UserId> {
        company
            .users()
            .map(|(id, _)| id)
            .filter(|&id| company.check(id, action, resource).is_allowed())
            .collect()
    };
    assert_eq!(
        names(who_can(Acme::QUEUES_PAUSE, acme_inbound)),
        ["olga", "sara", "anna", "alex", "mike"]
    );
    let visible = |name: &str, kind| -> Result<Vec<String>, Box<dyn std::error::Error>> {
        Ok(company
            .visible_objects(user(name)?, kind)?
            .filter_map(|id| company.object(id).map(|o| o.name().to_owned()))
            .collect())
    };
    assert_eq!(visible("anna", AcmeKind::ChatChannel)?, ["Acme web chat"]);
    assert_eq!(
        visible("mike", AcmeKind::Queue)?,
        ["Acme inbound", "Globex sales"]
    );
    // `queues.manage` is the standard catalog's name, not Acme's: the CLI
    // answers 2 for it.
    assert!(callgate::parse_permissions::<Acme>("queues.manage").is_err());
    Ok(())
}
