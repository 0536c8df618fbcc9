//! A product with its own permission catalog: `cargo run --example own_catalog`.
//!
//! "Acme contact center" (`examples/product/mod.rs`) embeds callgate with
//! its own sections, verbs (`queues.pause`, `autodialers.start`,
//! `lists.export_pii`, ...) and a tenth kind of scoped object, the chat
//! channel (DOMAIN rule 18). Everything that shows or stores permissions
//! then speaks Acme's names (rule 19): checks and their explanations, the
//! section view, errors, and the stored document, which names its catalog
//! so that a program with another catalog refuses it.

#[path = "product/mod.rs"]
mod product;

use callgate::{
    Change, Company, Decision, DenyReason, Error, NewUser, ObjectId, Resource, RoleId,
    SecurityMode, UserId,
};
use product::{AcmeKind, AcmePermissions as Acme};

type Result<T, E = Box<dyn std::error::Error>> = std::result::Result<T, E>;

fn main() -> Result<()> {
    heading("1. An Acme company: two clients in enhanced security");
    let mut company = Company::<Acme>::with_catalog();
    let olga = company.create_user("olga")?; // the first user: Admin
    company.apply(Change::SetSecurityMode {
        mode: SecurityMode::Enhanced,
    })?;
    let acme = company.create_project("Acme Bank", "Inbound support")?;
    let globex = company.create_project("Globex Telecom", "Sales campaigns")?;
    let inbound = create_object(&mut company, AcmeKind::Queue, "Acme inbound", acme)?;
    let web_chat = create_object(&mut company, AcmeKind::ChatChannel, "Acme web chat", acme)?;
    let callbacks = create_object(&mut company, AcmeKind::List, "Acme callbacks", acme)?;
    let sales = create_object(&mut company, AcmeKind::Queue, "Globex sales", globex)?;
    let campaign = create_object(&mut company, AcmeKind::Autodialer, "Globex spring", globex)?;

    // A custom role in Acme's terms: it may pause and resume queues, but
    // not edit them.
    let monitor = company.create_role(
        "Queue monitor",
        "Pauses queues when agents are short",
        Acme::QUEUES_PAUSE | Acme::QUEUES_RESUME,
    )?;
    let accountant = company.create_role(
        "Accountant",
        "Campaign costs and invoices",
        Acme::FINANCE_VIEW | Acme::AUTODIALERS_VIEW_COSTS,
    )?;
    let sara = create_user(&mut company, "sara", RoleId::SUPERVISOR, acme)?;
    let anna = create_user(&mut company, "anna", RoleId::OPERATOR, acme)?;
    let mike = create_user(&mut company, "mike", monitor, acme)?;
    let fiona = create_user(&mut company, "fiona", accountant, globex)?;
    println!(
        "catalog `{}` version {}: {} permissions in {} sections, {} kinds of object",
        product::catalog().name(),
        product::catalog().version(),
        product::catalog().permissions().len(),
        product::catalog().sections().len(),
        product::catalog().kinds().len(),
    );
    // Roles by the product's names: the fewest that say the set, or, for
    // the big built-in ones, what they leave out.
    for (_, role) in company.roles() {
        let held = role.permissions();
        let left_out = Acme::all().difference(held);
        if left_out.is_empty() {
            println!("role `{}`: every permission", role.name());
        } else if left_out.bits().count_ones() < held.bits().count_ones() {
            println!(
                "role `{}`: every permission but {}",
                role.name(),
                each(left_out)
            );
        } else {
            println!("role `{}`: {held}", role.name());
        }
    }

    heading("2. Checks, with their reasons");
    let [inbound, web_chat, callbacks, sales, campaign] =
        [inbound, web_chat, callbacks, sales, campaign].map(Resource::Object);
    let company_wide = Resource::Company;
    let allow = Decision::Allow;
    let [missing, hidden, not_applicable] = [
        DenyReason::MissingPermission,
        DenyReason::HiddenByProjects,
        DenyReason::NotApplicable,
    ]
    .map(Decision::Deny);
    let questions = [
        (mike, Acme::QUEUES_PAUSE, inbound, allow),
        (mike, Acme::QUEUES_EDIT, inbound, missing),
        (mike, Acme::QUEUES_PAUSE, sales, hidden),
        (anna, Acme::QUEUES_RESUME, inbound, allow),
        (anna, Acme::CHAT_CHANNELS_VIEW, web_chat, allow),
        (anna, Acme::CHAT_CHANNELS_MANAGE, web_chat, missing),
        (sara, Acme::AUTODIALERS_START, inbound, not_applicable),
        (sara, Acme::QUEUES_SET_KPI_TARGETS, inbound, missing),
        (sara, Acme::LISTS_EXPORT_PII, callbacks, allow),
        (fiona, Acme::AUTODIALERS_VIEW_COSTS, campaign, allow),
        (fiona, Acme::FINANCE_MANAGE, company_wide, missing),
        (olga, Acme::QUEUES_EDIT, sales, allow),
        (sara, Acme::SECURITY_MANAGE, company_wide, missing),
    ];
    for (user, action, resource, expected) in questions {
        let explanation = company.explain(user, action, resource);
        println!("{explanation}");
        ensure(
            explanation.decision() == expected,
            "a check gave an unexpected answer",
        )?;
    }
    let pausable: Vec<&str> = company
        .allowed_objects(mike, Acme::QUEUES_PAUSE, AcmeKind::Queue)?
        .filter_map(|id| company.object(id).map(|o| o.name()))
        .collect();
    println!("queues mike may pause: {}", pausable.join(", "));
    ensure(
        pausable == ["Acme inbound"],
        "mike pauses Acme's queue only",
    )?;

    heading("3. Guarded changes speak Acme's names too");
    let session = company.login(sara)?;
    let cashier = Change::CreateRole {
        name: "Cashier".into(),
        description: String::new(),
        permissions: Acme::FINANCE_MANAGE,
        principals: Vec::new(),
        put_users_offline: false,
    };
    match company.apply_as(&session, cashier) {
        Err(error @ Error::Escalation { .. }) => println!("refused: {error}"),
        other => return Err(format!("expected an escalation, got {other:?}").into()),
    }

    heading("4. Standing in the Queues section");
    print!("{}", company.section("Queues")?);

    heading("5. Stored, and loaded back");
    let document = company.to_document();
    let json = serde_json::to_string_pretty(&document)?;
    println!("catalog: {}", serde_json::to_string(&document.catalog)?);
    let stored_monitor = document.roles.iter().find(|r| r.id == monitor);
    println!("a role: {}", serde_json::to_string(&stored_monitor)?);
    let loaded = Company::<Acme>::load_for(&mut serde_json::Deserializer::from_str(&json))?;
    ensure(
        loaded.to_document() == document,
        "the loaded company equals the stored one",
    )?;
    println!(
        "loaded back: {} users, {} roles",
        loaded.users().count(),
        loaded.roles().count()
    );
    // A program of the standard catalog refuses the document at `catalog`.
    let as_standard: Result<Company, Error> =
        Company::load(&mut serde_json::Deserializer::from_str(&json));
    match as_standard {
        Err(error) => println!("as a standard company: {error}"),
        Ok(_) => return Err("a standard company must refuse an Acme document".into()),
    }
    Ok(())
}

/// Registers an object of `kind` in `project`.
fn create_object(
    company: &mut Company<Acme>,
    kind: AcmeKind,
    name: &str,
    project: callgate::ProjectId,
) -> Result<ObjectId> {
    let report = company.apply(Change::CreateObject {
        kind,
        name: name.into(),
        projects: vec![project],
    })?;
    report
        .created_object()
        .ok_or_else(|| format!("creating `{name}` made {:?}", report.created).into())
}

/// Creates a user holding `role`, a member of `project`.
fn create_user(
    company: &mut Company<Acme>,
    name: &str,
    role: RoleId,
    project: callgate::ProjectId,
) -> Result<UserId> {
    Ok(company.create_user(NewUser::new(name).role(role).project(project))?)
}

/// Every permission of a set by name, implied ones included (where
/// `Display` writes the fewest names that say it).
fn each(set: Acme) -> String {
    let names: Vec<&str> = product::catalog()
        .permissions()
        .iter()
        .filter(|p| set.contains(Acme::from_bits_retain(1 << p.bit())))
        .map(|p| p.name())
        .collect();
    names.join(", ")
}

/// Fails the example with `message` unless `condition` holds.
fn ensure(condition: bool, message: &str) -> Result<()> {
    if condition {
        Ok(())
    } else {
        Err(message.into())
    }
}

fn heading(text: &str) {
    println!("\n{text}\n{}", "-".repeat(text.chars().count()));
}
