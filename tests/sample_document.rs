//! The sample document of the command-line example,
//! `examples/data/callcenter.json`, is built here, so it cannot rot.
//!
//! When the sample or the stored format changes on purpose, rewrite the file
//! with `CALLGATE_BLESS=1 cargo test --test sample_document` and review the
//! diff. `.ci/run` asks the example questions about this document; the last
//! test pins those answers, so a change here that would break CI fails first.
#![cfg(feature = "serde")]

use callgate::{
    Change, Company, Created, Decision, DenyReason, EntityKind, ObjectKind, Permissions, ProjectId,
    Resource, RoleId, SecurityMode, UserId,
};

const SAMPLE: &str = "examples/data/callcenter.json";

/// Northwind Contact, an outsourcing call center in enhanced security.
///
/// - `olga` opened the company (Admin); `tom`, a technician with a custom
///   role, came before the switch to enhanced security, so the `Default`
///   project holds both of them, the `Main trunk` SIP provider and the
///   `Office hours` schedule.
/// - Two clients, each a project with its own queue, call script and list:
///   `Acme Bank` (inbound support) and `Globex Telecom` (sales, with an
///   autodialer). Globex also dials out through `Main trunk`, which sits in
///   two projects.
/// - One supervisor per client (`sara` for Acme, `sam` for Globex) and the
///   operators through their team: `Acme team` (`anna`, `alex`) and
///   `Globex team` (`gina`, `greg`) hold Operator and are members of their
///   client's project.
/// - `quinn` holds the custom `QA` role and checks the calls of both clients.
fn callcenter() -> Result<Company, callgate::Error> {
    // A fixed id, so that the stored document does not change at each run.
    let mut company = Company::new().with_id(callgate::CompanyId::new(0xca11));
    let _olga = company.create_user("olga")?; // the first user: Admin
    let trunk = company.create_object(ObjectKind::SipProvider, "Main trunk")?;
    let _hours = company.create_object(ObjectKind::Schedule, "Office hours")?;
    let technician = company.create_role(
        "Technician",
        "Integrations, SIP providers and network settings",
        Permissions::INTEGRATIONS_MANAGE
            | Permissions::NETWORK_MANAGE
            | Permissions::SIP_PROVIDERS_MANAGE,
    )?;
    create_user(&mut company, "tom", &[technician], &[])?;

    // The first switch to enhanced makes `Default` with everyone and
    // everything so far.
    company.apply(Change::SetSecurityMode {
        mode: SecurityMode::Enhanced,
    })?;

    let mut clients = Vec::new();
    for (project, description, team, supervisor, operators, objects) in [
        (
            "Acme Bank",
            "Inbound support for Acme Bank",
            "Acme team",
            "sara",
            ["anna", "alex"],
            [
                (ObjectKind::Queue, "Acme inbound"),
                (ObjectKind::CallScript, "Acme card blocking"),
                (ObjectKind::List, "Acme callbacks"),
            ],
        ),
        (
            "Globex Telecom",
            "Sales campaigns for Globex Telecom",
            "Globex team",
            "sam",
            ["gina", "greg"],
            [
                (ObjectKind::Queue, "Globex sales"),
                (ObjectKind::Autodialer, "Globex spring campaign"),
                (ObjectKind::CallScript, "Globex upsell"),
            ],
        ),
    ] {
        let project = company.create_project(project, description)?;
        let mut created = Vec::new();
        for (kind, name) in objects {
            created.push(company.create_object(kind, name)?);
        }
        company.apply(Change::AddProjectObjects {
            project,
            objects: created,
        })?;
        create_user(&mut company, supervisor, &[RoleId::SUPERVISOR], &[project])?;
        // Operators hold Operator and join the project through their team.
        let mut members = Vec::new();
        for operator in operators {
            members.push(create_user(&mut company, operator, &[], &[])?);
        }
        let team = company.create_group(team, &members)?;
        company.apply(Change::AssignRole {
            role: RoleId::OPERATOR,
            principals: vec![team.into()],
        })?;
        company.apply(Change::AddProjectMembers {
            project,
            principals: vec![team.into()],
            roles: vec![],
        })?;
        clients.push(project);
    }
    // Globex dials out through the company's main trunk too.
    if let Some(&globex) = clients.last() {
        company.apply(Change::AddProjectObjects {
            project: globex,
            objects: vec![trunk],
        })?;
    }

    let qa = company.create_role(
        "QA",
        "Evaluates the calls and chats of every client",
        Permissions::QA_SHEETS_MANAGE
            | Permissions::QA_CHECKS_MANAGE
            | Permissions::CALL_JOURNAL_VIEW
            | Permissions::RECORDINGS_LISTEN_ALL
            | Permissions::REPORTS_VIEW
            | Permissions::QUEUES_VIEW,
    )?;
    create_user(&mut company, "quinn", &[qa], &clients)?;
    Ok(company)
}

/// Creates a user holding `roles`, a member of `projects`.
fn create_user(
    company: &mut Company,
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

fn load_sample() -> Result<Company, Box<dyn std::error::Error>> {
    let text = std::fs::read_to_string(SAMPLE)?;
    Ok(Company::load(&mut serde_json::Deserializer::from_str(
        &text,
    ))?)
}

#[test]
fn the_sample_document_is_up_to_date() -> Result<(), Box<dyn std::error::Error>> {
    let written = serde_json::to_string_pretty(&callcenter()?.to_document())? + "\n";
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
fn the_sample_document_loads() -> Result<(), Box<dyn std::error::Error>> {
    let loaded = load_sample()?;
    assert_eq!(loaded.to_document(), callcenter()?.to_document());
    assert_eq!(loaded.mode(), SecurityMode::Enhanced);
    Ok(())
}

/// The answers `.ci/run` expects from the command-line example.
#[test]
fn the_sample_answers_what_ci_asks() -> Result<(), Box<dyn std::error::Error>> {
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
    let acme_inbound = object(ObjectKind::Queue, "Acme inbound")?;
    let globex_sales = object(ObjectKind::Queue, "Globex sales")?;
    let trunk = object(ObjectKind::SipProvider, "Main trunk")?;
    for (name, action, resource, decision) in [
        (
            "sara",
            Permissions::QUEUES_MANAGE,
            acme_inbound,
            Decision::Allow,
        ),
        (
            "sara",
            Permissions::QUEUES_VIEW,
            globex_sales,
            Decision::Deny(DenyReason::HiddenByProjects),
        ),
        (
            "sam",
            Permissions::SIP_PROVIDERS_VIEW,
            trunk,
            Decision::Allow,
        ),
        (
            "sara",
            Permissions::SIP_PROVIDERS_VIEW,
            trunk,
            Decision::Deny(DenyReason::HiddenByProjects),
        ),
        (
            "olga",
            Permissions::QUEUES_MANAGE,
            globex_sales,
            Decision::Allow,
        ),
        (
            "quinn",
            Permissions::QUEUES_VIEW,
            globex_sales,
            Decision::Allow,
        ),
        (
            "quinn",
            Permissions::QUEUES_MANAGE,
            acme_inbound,
            Decision::Deny(DenyReason::MissingPermission),
        ),
        (
            "anna",
            Permissions::CALL_JOURNAL_VIEW,
            Resource::Company,
            Decision::Allow,
        ),
        (
            "anna",
            Permissions::BILLING_VIEW,
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

    let names = |ids: Vec<UserId>| -> Vec<String> {
        ids.into_iter()
            .filter_map(|id| company.user(id).map(|u| u.name().to_owned()))
            .collect()
    };
    assert_eq!(
        names(company.holders(Permissions::QA_CHECKS_MANAGE).collect()),
        ["olga", "sara", "sam", "quinn"]
    );
    let who_can = |action, resource| -> Vec<UserId> {
        company
            .users()
            .map(|(id, _)| id)
            .filter(|&id| company.check(id, action, resource).is_allowed())
            .collect()
    };
    assert_eq!(
        names(who_can(Permissions::QUEUES_VIEW, acme_inbound)),
        ["olga", "sara", "quinn"]
    );
    let visible = |name: &str, kind| -> Result<Vec<String>, Box<dyn std::error::Error>> {
        Ok(company
            .visible_objects(user(name)?, kind)?
            .filter_map(|id| company.object(id).map(|o| o.name().to_owned()))
            .collect())
    };
    assert_eq!(visible("sara", ObjectKind::Queue)?, ["Acme inbound"]);
    assert_eq!(
        visible("quinn", ObjectKind::Queue)?,
        ["Acme inbound", "Globex sales"]
    );
    assert_eq!(visible("tom", ObjectKind::SipProvider)?, ["Main trunk"]);
    Ok(())
}
