//! DOMAIN rule 18: "A **product declares its catalog** once, in code: its
//! sections; its permissions, each with a stable lowercase name, the section
//! it belongs to, what it applies to (the company, projects, or one or more
//! kinds of scoped object) and what it implies; its kinds of scoped object
//! (the manual's nine, or more: chat channels, IVR flows...); and what each
//! built-in role holds, in its own terms (Admin: everything, always,
//! including every project; Supervisor: everything but the product's
//! finance, KPI and security sections; Operator: the abilities the product
//! names). The manual's call center is the **standard catalog** and the
//! default: code and stored data written for it keep working."
//!
//! The product is the example one, "Acme contact center"
//! (`examples/product/mod.rs`). Expected sets are written out by stable
//! name, so that a wrong declaration fails here.

#[path = "../examples/product/mod.rs"]
mod product;

use callgate::{
    AppliesTo, BuiltinRole, Catalog, CatalogError, Change, Company, Decision, DenyReason, Error,
    Holds, PermissionFlags, Permissions, Resource, RoleId, STANDARD, SecurityMode,
};
use product::{AcmeKind, AcmePermissions as Acme, catalog};

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// What Supervisor does not hold: the Finance, KPI and Security sections,
/// and "all projects".
const NOT_FOR_SUPERVISOR: [&str; 10] = [
    "finance.view",
    "finance.manage",
    "autodialers.view_costs",
    "sip_providers.view_billing",
    "kpi.view",
    "kpi.manage",
    "queues.set_kpi_targets",
    "security.view",
    "security.manage",
    "projects.all",
];

/// Exactly what Operator holds: what the product names, and `queues.view`,
/// which `queues.pause` implies.
const OPERATOR: [&str; 7] = [
    "workplace.softphone",
    "workplace.chats",
    "queues.view",
    "queues.pause",
    "queues.resume",
    "lists.view",
    "chat_channels.view",
];

/// Exactly these permissions, by name, without what they imply.
fn exactly(names: &[&str]) -> Result<Acme, String> {
    names.iter().try_fold(Acme::empty(), |set, name| {
        let permission = catalog().permission(name).ok_or(format!("no `{name}`"))?;
        Ok(set | Acme::from_bits_retain(1 << permission.bit()))
    })
}

/// A company of the product with its first user, `olga` (Admin).
fn acme() -> Result<(Company<Acme>, callgate::UserId), Error> {
    let mut company = Company::<Acme>::with_catalog();
    let olga = company.create_user("olga")?;
    Ok((company, olga))
}

#[test]
fn the_products_catalog_is_declared_once_in_code() {
    assert_eq!(catalog().name(), "acme-contact-center");
    assert_eq!(catalog().version(), 1);
    assert_eq!(
        catalog().sections(),
        [
            "Administration",
            "Projects",
            "Workplace",
            "Reports",
            "Finance",
            "KPI",
            "Security",
            "Queues",
            "Schedules",
            "SIP providers",
            "Call scripts",
            "Autodialers",
            "Lists",
            "Notification templates",
            "Dialog scenarios",
            "Contact fields",
            "Chat channels",
        ]
    );
    let kinds: Vec<&str> = catalog().kinds().iter().map(|k| k.name()).collect();
    assert_eq!(
        kinds,
        [
            "queue",
            "schedule",
            "sip_provider",
            "call_script",
            "autodialer",
            "list",
            "notification_template",
            "dialog_scenario",
            "contact_field",
            "chat_channel",
        ]
    );
    let chat = catalog()
        .kinds()
        .get(9)
        .map(|k| (k.label(), k.manage_permission_name()));
    assert_eq!(chat, Some(("chat channel", "chat_channels.manage")));

    // Section, what it applies to and what it implies, per permission.
    let pause = catalog().permission("queues.pause");
    assert_eq!(pause.map(|p| p.section()), Some("Queues"));
    assert_eq!(
        pause.map(|p| p.applies_to()),
        Some(AppliesTo::Kinds(&["queue"]))
    );
    assert_eq!(pause.map(|p| p.implied_names()), Some(&["queues.view"][..]));
    let costs = catalog().permission("autodialers.view_costs");
    assert_eq!(costs.map(|p| p.section()), Some("Finance"));
    assert_eq!(
        costs.map(|p| p.applies_to()),
        Some(AppliesTo::Kinds(&["autodialer"]))
    );
    assert_eq!(
        catalog()
            .permission("projects.manage")
            .map(|p| p.applies_to()),
        Some(AppliesTo::Projects)
    );
    assert_eq!(
        catalog().permission("finance.view").map(|p| p.applies_to()),
        Some(AppliesTo::Company)
    );
    assert_eq!(catalog().permission("queues.manage"), None);
}

#[test]
fn the_flags_type_and_the_catalog_agree_bit_for_bit() -> Result<(), &'static str> {
    assert_eq!(catalog().permissions().len(), 46);
    let mut seen = 0;
    for declared in <Acme as bitflags::Flags>::FLAGS {
        let (const_name, flag) = (declared.name(), *declared.value());
        let permission = catalog()
            .permissions()
            .iter()
            .find(|p| p.name().replace('.', "_").to_uppercase() == const_name);
        let permission = permission.ok_or(const_name)?;
        // The constant holds the permission's own bit and what it implies:
        // exactly what its stable name reads as.
        assert_ne!(
            flag.bits() & (1u128 << permission.bit()),
            0,
            "`{const_name}`"
        );
        assert_eq!(
            Some(flag),
            permission.name().parse::<Acme>().ok(),
            "`{const_name}`"
        );
        seen += 1;
    }
    assert_eq!(seen, catalog().permissions().len());
    for kind in AcmeKind::ALL {
        assert_eq!(kind.to_string(), catalog().kinds()[kind as usize].name());
    }
    Ok(())
}

#[test]
fn a_bad_declaration_is_refused_naming_the_culprit() {
    let refused = |definition| Catalog::<u128>::new(definition).err();
    assert_eq!(
        refused(product::DEFINITION.operator(Holds::Only(&["queues.fly"]))),
        Some(CatalogError::UnknownBuiltinPermission {
            role: "Operator",
            name: "queues.fly",
        })
    );
    assert_eq!(
        refused(product::DEFINITION.supervisor(Holds::Only(&["projects.all"]))),
        Some(CatalogError::BuiltinAllProjects { role: "Supervisor" })
    );
    let error = refused(product::DEFINITION.kinds(&[])).map(|e| e.to_string());
    assert_eq!(
        error.as_deref(),
        Some("permission `autodialers.view_costs` applies to unknown object kind `autodialer`")
    );
    assert_eq!(Catalog::<u128>::new(product::DEFINITION).err(), None);
}

#[test]
fn the_products_verbs_are_checked() -> TestResult {
    let (mut company, _) = acme()?;
    let inbound = company.create_object(AcmeKind::Queue, "Inbound")?;
    let monitor = company.create_role("Queue monitor", "", Acme::QUEUES_PAUSE)?;
    let mike = company.create_user("mike")?;
    company.apply(Change::AssignRole {
        role: monitor,
        principals: vec![mike.into()],
    })?;
    let on_queue = Resource::Object(inbound);
    assert_eq!(
        company.check(mike, Acme::QUEUES_PAUSE, on_queue),
        Decision::Allow
    );
    for verb in [
        Acme::QUEUES_EDIT,
        Acme::QUEUES_RESUME,
        Acme::QUEUES_SET_KPI_TARGETS,
    ] {
        assert_eq!(
            company.check(mike, verb, on_queue),
            Decision::Deny(DenyReason::MissingPermission),
            "{verb}"
        );
    }
    // Every permission applies to the company too: "may mike pause queues?"
    assert!(
        company
            .check(mike, Acme::QUEUES_PAUSE, Resource::Company)
            .is_allowed()
    );
    Ok(())
}

#[test]
fn implications_follow_the_declaration() -> TestResult {
    let (mut company, _) = acme()?;
    let list = company.create_object(AcmeKind::List, "Callbacks")?;
    let dialer = company.create_object(AcmeKind::Autodialer, "Spring")?;
    let role = company.create_role(
        "Analyst",
        "",
        Acme::QUEUES_PAUSE | Acme::LISTS_EXPORT_PII | Acme::AUTODIALERS_VIEW_COSTS,
    )?;
    let held = company.role(role).ok_or("role")?.permissions();
    // Implied permissions are held, within a section and across sections.
    assert!(held.contains(Acme::QUEUES_VIEW | Acme::LISTS_VIEW | Acme::AUTODIALERS_VIEW));
    // Implication goes one way.
    assert!(!held.contains(Acme::QUEUES_RESUME));
    assert!(!held.contains(Acme::LISTS_EDIT));
    let ann = company.create_user("ann")?;
    company.apply(Change::AssignRole {
        role,
        principals: vec![ann.into()],
    })?;
    assert!(
        company
            .check(ann, Acme::LISTS_VIEW, Resource::Object(list))
            .is_allowed()
    );
    assert!(
        company
            .check(ann, Acme::AUTODIALERS_VIEW, Resource::Object(dialer))
            .is_allowed()
    );
    assert!(
        !company
            .check(ann, Acme::AUTODIALERS_START, Resource::Object(dialer))
            .is_allowed()
    );

    // Parsing brings what a name implies; switching a view off takes away
    // what implies it.
    assert_eq!(
        "queues.pause".parse::<Acme>()?,
        Acme::QUEUES_PAUSE | Acme::QUEUES_VIEW
    );
    company.set_section_access(role, Acme::QUEUES_VIEW, false)?;
    let held = company.role(role).ok_or("role")?.permissions();
    assert!(!held.intersects(Acme::QUEUES_VIEW | Acme::QUEUES_PAUSE));
    assert!(held.contains(Acme::LISTS_EXPORT_PII));
    Ok(())
}

#[test]
fn admin_holds_everything_including_every_project() -> TestResult {
    let (mut company, olga) = acme()?;
    assert_eq!(
        company.role(RoleId::ADMIN).map(|r| r.permissions()),
        Some(Acme::all())
    );
    assert_eq!(BuiltinRole::Admin.permissions_in::<Acme>(), Acme::all());
    company.apply(Change::SetSecurityMode {
        mode: SecurityMode::Enhanced,
    })?;
    // An object no project holds: only `projects.all` reaches it.
    let chat = company.create_object(AcmeKind::ChatChannel, "Web chat")?;
    for permission in catalog().permissions() {
        let flag = Acme::from_bits_retain(1 << permission.bit());
        assert!(
            company.check(olga, flag, Resource::Company).is_allowed(),
            "{}",
            permission.name()
        );
    }
    assert!(
        company
            .check(olga, Acme::CHAT_CHANNELS_MANAGE, Resource::Object(chat))
            .is_allowed()
    );
    Ok(())
}

#[test]
fn supervisor_holds_everything_but_finance_kpi_and_security() -> TestResult {
    let (company, _) = acme()?;
    let supervisor = company
        .role(RoleId::SUPERVISOR)
        .ok_or("Supervisor")?
        .permissions();
    let left_out = exactly(&NOT_FOR_SUPERVISOR)?;
    assert_eq!(supervisor, Acme::all().difference(left_out));
    assert_eq!(BuiltinRole::Supervisor.permissions_in::<Acme>(), supervisor);
    for section in ["Finance", "KPI", "Security"] {
        for permission in catalog().section_permissions(section) {
            assert!(!supervisor.contains(Acme::from_bits_retain(1 << permission.bit())));
        }
    }
    Ok(())
}

#[test]
fn operator_holds_exactly_what_the_product_names() -> TestResult {
    let (mut company, _) = acme()?;
    let operator = company
        .role(RoleId::OPERATOR)
        .ok_or("Operator")?
        .permissions();
    assert_eq!(operator.iter_names().count(), OPERATOR.len());
    assert_eq!(operator, exactly(&OPERATOR)?);
    assert_eq!(BuiltinRole::Operator.permissions_in::<Acme>(), operator);
    // Built-in roles stay templates in a product's catalog too.
    let edit = company.apply(Change::EditRole {
        role: RoleId::OPERATOR,
        name: None,
        description: None,
        permissions: Some(Acme::LISTS_EDIT),
        put_users_offline: None,
    });
    assert_eq!(
        edit.err().map(|e| e.to_string()).as_deref(),
        Some("built-in role `Operator` cannot be edited")
    );
    Ok(())
}

#[test]
fn the_standard_catalog_stays_the_default() -> TestResult {
    // `Company` without a type argument is a company of the standard catalog.
    let mut company: Company = Company::default();
    let ann = company.create_user("ann")?;
    assert!(
        company
            .check(ann, Permissions::QA_CHECKS_MANAGE, Resource::Company)
            .is_allowed()
    );
    let new = Company::new();
    for (builtin, composite) in [
        (BuiltinRole::Admin, Permissions::ADMIN),
        (BuiltinRole::Supervisor, Permissions::SUPERVISOR),
        (BuiltinRole::Operator, Permissions::OPERATOR),
    ] {
        assert_eq!(builtin.permissions(), composite);
        assert_eq!(builtin.permissions_in::<Permissions>(), composite);
        assert_eq!(
            new.role(builtin.id()).map(|r| r.permissions()),
            Some(composite)
        );
    }
    assert_eq!(Permissions::ADMIN, Permissions::all());
    let standard = <Permissions as PermissionFlags>::catalog();
    assert_eq!((standard.name(), standard.version()), ("standard", 1));
    assert_eq!(standard.definition(), STANDARD.definition());
    assert_eq!(Permissions::QUEUES_MANAGE.to_string(), "queues.manage");
    Ok(())
}

#[cfg(feature = "serde")]
#[test]
fn standard_documents_written_before_catalogs_still_load() -> TestResult {
    // A format 1 document names no catalog: it was written with the standard one.
    let text = std::fs::read_to_string("tests/golden/document_v1.json")?;
    let company: Company = Company::load(&mut serde_json::Deserializer::from_str(&text))?;
    let document = company.to_document();
    assert_eq!(document.format, callgate::FORMAT_VERSION);
    assert_eq!(
        document.catalog.map(|c| (c.name, c.version)),
        Some(("standard".to_owned(), 1))
    );
    Ok(())
}

#[test]
fn an_extra_kind_works_with_projects_in_enhanced_mode() -> TestResult {
    let (mut company, olga) = acme()?;
    let old_chat = company.create_object(AcmeKind::ChatChannel, "Old chat")?;
    let report = company.apply(Change::SetSecurityMode {
        mode: SecurityMode::Enhanced,
    })?;
    let Some(callgate::Created::Project(default)) = report.created else {
        return Err("the first switch to enhanced makes Default".into());
    };
    // Default holds the chat channel that existed, like any other object.
    assert!(
        company
            .project(default)
            .ok_or("Default")?
            .objects()
            .any(|o| o == old_chat)
    );

    let client = company.create_project("Client A", "")?;
    let web_chat = company.create_object(AcmeKind::ChatChannel, "Client A chat")?;
    company.apply(Change::AddProjectObjects {
        project: client,
        objects: vec![web_chat],
    })?;
    let mut operator = |name: &str, projects: Vec<callgate::ProjectId>| {
        company.apply(Change::CreateUser {
            name: name.into(),
            roles: vec![RoleId::OPERATOR],
            groups: Vec::new(),
            projects,
        })
    };
    operator("anna", vec![client])?;
    operator("bob", Vec::new())?;
    let anna = company.user_by_name("anna").ok_or("anna")?;
    let bob = company.user_by_name("bob").ok_or("bob")?;

    let on_chat = Resource::Object(web_chat);
    assert_eq!(
        company.check(anna, Acme::CHAT_CHANNELS_VIEW, on_chat),
        Decision::Allow
    );
    assert_eq!(
        company.check(bob, Acme::CHAT_CHANNELS_VIEW, on_chat),
        Decision::Deny(DenyReason::HiddenByProjects)
    );
    assert_eq!(
        company.check(olga, Acme::CHAT_CHANNELS_MANAGE, on_chat),
        Decision::Allow
    );
    let visible: Vec<_> = company
        .visible_objects(anna, AcmeKind::ChatChannel)?
        .collect();
    assert_eq!(visible, [web_chat]);
    assert_eq!(
        company.visible_objects(bob, AcmeKind::ChatChannel)?.count(),
        0
    );
    let allowed: Vec<_> = company
        .allowed_objects(anna, Acme::CHAT_CHANNELS_VIEW, AcmeKind::ChatChannel)?
        .collect();
    assert_eq!(allowed, [web_chat]);
    assert_eq!(
        company
            .allowed_objects(anna, Acme::CHAT_CHANNELS_MANAGE, AcmeKind::ChatChannel)?
            .count(),
        0
    );
    // Chat channels are a kind of their own: a queue of the same name is another object.
    let queue = company.create_object(AcmeKind::Queue, "Client A chat")?;
    assert_ne!(queue, web_chat);
    assert_eq!(
        company.object_by_name(AcmeKind::ChatChannel, "Client A chat"),
        Some(web_chat)
    );
    Ok(())
}

#[test]
fn a_verb_of_another_kind_does_not_apply() -> TestResult {
    let (mut company, olga) = acme()?;
    let queue = Resource::Object(company.create_object(AcmeKind::Queue, "Inbound")?);
    let chat = Resource::Object(company.create_object(AcmeKind::ChatChannel, "Web chat")?);
    let project = Resource::Project(company.create_project("Client A", "")?);
    let not_applicable = Decision::Deny(DenyReason::NotApplicable);
    // Admin holds every permission, so only applicability can deny.
    for (action, resource) in [
        (Acme::AUTODIALERS_START, queue),
        (Acme::CHAT_CHANNELS_VIEW, queue),
        (Acme::KPI_VIEW, queue),
        (Acme::QUEUES_PAUSE, chat),
        (Acme::QUEUES_PAUSE, project),
        (Acme::QUEUES_PAUSE | Acme::AUTODIALERS_START, queue),
        (Acme::empty(), queue),
    ] {
        assert_eq!(
            company.check(olga, action, resource),
            not_applicable,
            "{action} {resource:?}"
        );
    }
    // A verb declared in another section still applies to its kind.
    assert_eq!(
        company.check(olga, Acme::QUEUES_SET_KPI_TARGETS, queue),
        Decision::Allow
    );
    assert_eq!(
        company.check(olga, Acme::PROJECTS_MANAGE, project),
        Decision::Allow
    );
    Ok(())
}
