//! DOMAIN rule 19: "Everything that shows or stores permissions uses the
//! product's catalog: names in text and stored data, the section view and
//! the matrix (by the product's sections: standing in "Finance", every
//! Finance switch of every role), explanations, who-can, the guards. A
//! stored document says which catalog it was written with; loading it with
//! a catalog that lacks one of its permissions or kinds is refused with the
//! path. A catalog may grow: documents written before a permission was
//! added still load."
//!
//! The product is the example one, "Acme contact center"
//! (`examples/product/mod.rs`).

#[path = "../examples/product/mod.rs"]
mod product;

use callgate::{
    Change, Company, Error, ObjectId, Resource, RoleId, SectionSwitch, SecurityMode, UserId,
};
use product::{AcmeKind, AcmePermissions as Acme};

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// An Acme company in enhanced mode: `olga` (Admin), `sara` (Supervisor)
/// and `anna` (Operator) in the `Acme Bank` project with its `Inbound`
/// queue and `Web chat` channel, and `fiona` holding the custom
/// `Accountant` role (role 3: `finance.view`, `autodialers.view_costs`).
struct Acme1 {
    company: Company<Acme>,
    olga: UserId,
    sara: UserId,
    anna: UserId,
    fiona: UserId,
    accountant: RoleId,
    inbound: ObjectId,
    web_chat: ObjectId,
}

impl Acme1 {
    fn new() -> Result<Self, Error> {
        let mut company = Company::<Acme>::with_catalog();
        let olga = company.create_user("olga")?;
        company.apply(Change::SetSecurityMode {
            mode: SecurityMode::Enhanced,
        })?;
        let project = company.create_project("Acme Bank", "")?;
        let inbound = company.create_object(AcmeKind::Queue, "Inbound")?;
        let web_chat = company.create_object(AcmeKind::ChatChannel, "Web chat")?;
        company.apply(Change::AddProjectObjects {
            project,
            objects: vec![inbound, web_chat],
        })?;
        let accountant = company.create_role(
            "Accountant",
            "",
            Acme::FINANCE_VIEW | Acme::AUTODIALERS_VIEW_COSTS,
        )?;
        let mut user = |name: &str, role: RoleId| -> Result<UserId, Error> {
            company.apply(Change::CreateUser {
                name: name.into(),
                roles: vec![role],
                groups: Vec::new(),
                projects: vec![project],
            })?;
            company.user_by_name(name).ok_or(Error::UnknownName {
                kind: callgate::EntityKind::User,
                name: name.into(),
            })
        };
        let sara = user("sara", RoleId::SUPERVISOR)?;
        let anna = user("anna", RoleId::OPERATOR)?;
        let fiona = user("fiona", accountant)?;
        Ok(Self {
            company,
            olga,
            sara,
            anna,
            fiona,
            accountant,
            inbound,
            web_chat,
        })
    }
}

#[test]
fn text_uses_the_products_stable_names() -> TestResult {
    let set = Acme::QUEUES_PAUSE | Acme::QUEUES_VIEW | Acme::LISTS_VIEW;
    assert_eq!(set.to_string(), "queues.pause | lists.view");
    assert_eq!(Acme::empty().to_string(), "none");
    assert_eq!("queues.pause | lists.view".parse::<Acme>()?, set);
    assert_eq!(" queues.pause,lists.view ".parse::<Acme>()?, set);
    assert_eq!("none".parse::<Acme>()?, Acme::empty());
    // The standard catalog's names are not the product's.
    let error = "queues.manage".parse::<Acme>().err();
    assert_eq!(
        error,
        Some(Error::UnknownPermission {
            name: "queues.manage".into()
        })
    );
    assert_eq!(
        error.map(|e| e.to_string()).as_deref(),
        Some("unknown permission `queues.manage`")
    );
    for kind in AcmeKind::ALL {
        assert_eq!(kind.to_string().parse::<AcmeKind>()?, kind);
    }
    assert_eq!(AcmeKind::ChatChannel.to_string(), "chat_channel");
    assert_eq!(
        "ivr_flow".parse::<AcmeKind>().err(),
        Some(Error::UnknownObjectKind {
            name: "ivr_flow".into()
        })
    );
    // The standard catalog keeps its own names.
    assert_eq!(
        callgate::Permissions::QUEUES_MANAGE.to_string(),
        "queues.manage"
    );
    Ok(())
}

#[test]
fn the_finance_section_lists_every_finance_switch_of_every_role() -> TestResult {
    let mut acme = Acme1::new()?;
    let finance = acme.company.section("Finance")?;
    assert_eq!(finance.name(), "Finance");
    let names: Vec<&str> = finance.rows().map(|row| row.name()).collect();
    // Each row is the product's flag (with what it implies), named by its
    // own name and usable wherever the product's flags go.
    for row in finance.rows() {
        assert_eq!(callgate::names(row.permission()).to_string(), row.name());
        let parsed: Acme = callgate::parse_permissions(row.name())?;
        assert!(row.permission().contains(parsed));
        assert_eq!(finance.allowed(RoleId::ADMIN, row.permission()), Some(true));
    }
    assert_eq!(
        names,
        [
            "finance.view",
            "finance.manage",
            "autodialers.view_costs",
            "sip_providers.view_billing",
        ]
    );
    let roles: Vec<RoleId> = finance.roles().collect();
    assert_eq!(
        roles,
        [
            RoleId::ADMIN,
            RoleId::SUPERVISOR,
            RoleId::OPERATOR,
            acme.accountant
        ]
    );
    assert_eq!(
        finance.to_string(),
        "\
permission                    Admin*  Supervisor*  Operator*  Accountant
Finance
  finance.view                  x          .           .          x
  finance.manage                x          .           .          .
  autodialers.view_costs        x          .           .          x
  sip_providers.view_billing    x          .           .          .
"
    );
    assert_eq!(
        finance.allowed(acme.accountant, Acme::AUTODIALERS_VIEW_COSTS),
        Some(true)
    );
    assert_eq!(
        finance.allowed(RoleId::SUPERVISOR, Acme::FINANCE_VIEW),
        Some(false)
    );

    // One switch, seen from the section's side, and flipped.
    let switches: Vec<SectionSwitch> = finance
        .row(Acme::SIP_PROVIDERS_VIEW_BILLING)
        .ok_or("a Finance switch")?
        .switches()
        .collect();
    let switch = |role, allowed, read_only| SectionSwitch::new(role, allowed, read_only);
    assert_eq!(
        switches,
        [
            switch(RoleId::ADMIN, true, true),
            switch(RoleId::SUPERVISOR, false, true),
            switch(RoleId::OPERATOR, false, true),
            switch(acme.accountant, false, false),
        ]
    );
    acme.company
        .set_section_access(acme.accountant, Acme::SIP_PROVIDERS_VIEW_BILLING, true)?;
    let finance = acme.company.section("Finance")?;
    assert_eq!(
        finance.allowed(acme.accountant, Acme::SIP_PROVIDERS_VIEW_BILLING),
        Some(true)
    );

    // Sections are the product's: the standard catalog's are unknown here.
    for unknown in ["Finances", "Call journal", "Security settings"] {
        assert_eq!(
            acme.company.section(unknown).err(),
            Some(Error::UnknownSection {
                name: unknown.into()
            })
        );
    }
    Ok(())
}

#[test]
fn the_matrix_shows_the_products_sections() -> TestResult {
    let acme = Acme1::new()?;
    let matrix = acme.company.matrix();
    assert_eq!(matrix.permissions().count(), product::PERMISSIONS.len());
    assert_eq!(matrix.rows().count(), product::PERMISSIONS.len());
    let text = matrix.to_string();
    let headings: Vec<&str> = text
        .lines()
        .skip(1)
        .filter(|line| !line.starts_with(' '))
        .collect();
    assert_eq!(headings, product::SECTIONS);
    assert!(text.starts_with("permission "));
    assert!(text.contains("\n  chat_channels.manage"));
    assert!(!text.contains("call_journal.view"));
    Ok(())
}

#[test]
fn explanations_use_the_products_names() -> TestResult {
    let acme = Acme1::new()?;
    let company = &acme.company;
    assert_eq!(
        company
            .explain(
                acme.anna,
                Acme::CHAT_CHANNELS_VIEW,
                Resource::Object(acme.web_chat)
            )
            .to_string(),
        "allow: user `anna` may `chat_channels.view` on chat channel `Web chat`\n  \
         - role `Operator` grants `chat_channels.view` (assigned directly)\n  \
         - reached through project `Acme Bank` (member directly)"
    );
    assert_eq!(
        company
            .explain(acme.sara, Acme::FINANCE_VIEW, Resource::Company)
            .to_string(),
        "deny (missing permission): user `sara` may not `finance.view` in the company\n  \
         - no role of theirs grants `finance.view`"
    );
    let not_applicable = company
        .explain(
            acme.sara,
            Acme::AUTODIALERS_START,
            Resource::Object(acme.inbound),
        )
        .to_string();
    assert!(
        not_applicable.starts_with(
            "deny (action does not apply to this resource): \
             user `sara` may not `autodialers.start` on queue `Inbound`\n"
        ),
        "{not_applicable}"
    );
    assert!(
        not_applicable.contains("\n  - `autodialers.start` does not apply to a queue (only `"),
        "{not_applicable}"
    );
    assert!(not_applicable.contains("queues.pause"), "{not_applicable}");
    assert!(
        !not_applicable.contains("chat_channels"),
        "{not_applicable}"
    );
    Ok(())
}

#[test]
fn who_can_uses_the_products_permissions() -> TestResult {
    let acme = Acme1::new()?;
    let company = &acme.company;
    let holders: Vec<UserId> = company.holders(Acme::FINANCE_VIEW).collect();
    assert_eq!(holders, [acme.olga, acme.fiona]);
    let holders: Vec<UserId> = company.holders(Acme::QUEUES_PAUSE).collect();
    assert_eq!(holders, [acme.olga, acme.sara, acme.anna]);
    let may = |user| {
        company
            .check(
                user,
                Acme::CHAT_CHANNELS_MANAGE,
                Resource::Object(acme.web_chat),
            )
            .is_allowed()
    };
    let who_can: Vec<UserId> = company
        .users()
        .map(|(id, _)| id)
        .filter(|&id| may(id))
        .collect();
    assert_eq!(who_can, [acme.olga, acme.sara]);
    Ok(())
}

#[test]
fn guards_use_the_products_permissions() -> TestResult {
    let mut acme = Acme1::new()?;
    let company = &acme.company;
    let create = |kind| Change::CreateObject {
        kind,
        name: "New".into(),
        projects: Vec::new(),
    };
    // The kind's governing permission, as the catalog declares it.
    for (kind, governing) in [
        (AcmeKind::ChatChannel, Acme::CHAT_CHANNELS_MANAGE),
        (AcmeKind::Queue, Acme::QUEUES_EDIT),
        (AcmeKind::SipProvider, Acme::SIP_PROVIDERS_EDIT),
    ] {
        assert!(
            create(kind)
                .governing_permissions(company)
                .contains(governing)
        );
    }
    let switch = Change::SetSecurityMode {
        mode: SecurityMode::Simple,
    };
    assert!(
        switch
            .governing_permissions(company)
            .contains(Acme::SECURITY_MANAGE)
    );

    // Forbidden and Escalation, in the product's names.
    let anna = company.login(acme.anna)?;
    let refused = acme.company.apply_as(
        &anna,
        Change::CreateObject {
            kind: AcmeKind::ChatChannel,
            name: "Support chat".into(),
            projects: Vec::new(),
        },
    );
    assert_eq!(
        refused.err().map(|e| e.to_string()).as_deref(),
        Some(
            "user `anna` may not create chat channel `Support chat`: \
             missing permission `chat_channels.manage`"
        )
    );
    let sara = acme.company.login(acme.sara)?;
    let refused = acme.company.apply_as(&sara, switch);
    assert_eq!(
        refused.err().map(|e| e.to_string()).as_deref(),
        Some("user `sara` may not switch the security mode: missing permission `security.manage`")
    );
    let cashier = Change::CreateRole {
        name: "Cashier".into(),
        description: String::new(),
        permissions: Acme::FINANCE_VIEW | Acme::QUEUES_PAUSE,
        principals: Vec::new(),
        put_users_offline: false,
    };
    let refused = acme.company.apply_as(&sara, cashier);
    assert_eq!(
        refused.err().map(|e| e.to_string()).as_deref(),
        Some(
            "user `sara` may not create role `Cashier`: \
             it grants `finance.view`, which they do not hold"
        )
    );
    // What sara holds, she may hand out; and she may register a chat channel.
    let monitor = Change::CreateRole {
        name: "Queue monitor".into(),
        description: String::new(),
        permissions: Acme::QUEUES_PAUSE | Acme::QUEUES_RESUME,
        principals: vec![acme.anna.into()],
        put_users_offline: false,
    };
    acme.company.apply_as(&sara, monitor)?;
    acme.company
        .apply_as(&sara, create(AcmeKind::ChatChannel))?;
    // A set that is not one switch is named by its names.
    assert_eq!(
        acme.company
            .section_of(Acme::QUEUES_PAUSE | Acme::LISTS_VIEW)
            .err()
            .map(|e| e.to_string())
            .as_deref(),
        Some("`queues.pause | lists.view` is not a single permission")
    );
    Ok(())
}

/// Stored documents: the catalog they name, the product's names in them,
/// and what loading refuses.
#[cfg(feature = "serde")]
mod documents {
    use super::*;
    use callgate::{
        Catalog, Decision, Definition, DenyReason, Holds, PermissionDef, PermissionFlags,
    };
    use serde_json::{Value, json};

    /// Loads JSON text as a company of `P`'s catalog, as a host would.
    fn load<P: PermissionFlags>(text: &str) -> Result<Company<P>, Error> {
        Company::load_for(&mut serde_json::Deserializer::from_str(text))
    }

    /// The error loading `value` as a company of `P`'s catalog gives.
    fn refusal<P: PermissionFlags>(value: &Value) -> Result<String, Box<dyn std::error::Error>> {
        match load::<P>(&serde_json::to_string_pretty(value)?) {
            Ok(_) => Err("the document should have been refused".into()),
            Err(error) => Ok(error.to_string()),
        }
    }

    fn stored(acme: &Acme1) -> Result<Value, serde_json::Error> {
        serde_json::to_value(acme.company.to_document())
    }

    #[test]
    fn a_stored_document_names_its_catalog_and_uses_the_products_names() -> TestResult {
        let acme = Acme1::new()?;
        let value = stored(&acme)?;
        assert_eq!(value["format"], 2);
        assert_eq!(
            value["catalog"],
            json!({"name": "acme-contact-center", "version": 1})
        );
        assert_eq!(
            value["roles"][3],
            json!({
                "id": 3,
                "name": "Accountant",
                "permissions": ["finance.view", "autodialers.view_costs"]
            })
        );
        assert_eq!(
            value["objects"],
            json!([
                {"id": 0, "kind": "queue", "name": "Inbound"},
                {"id": 1, "kind": "chat_channel", "name": "Web chat"}
            ])
        );
        let loaded = load::<Acme>(&serde_json::to_string(&value)?)?;
        assert_eq!(loaded.to_document(), acme.company.to_document());

        // Changes, as shipped between replicas, use the names too.
        let change: Change<Acme> = Change::CreateObject {
            kind: AcmeKind::ChatChannel,
            name: "Messenger".into(),
            projects: Vec::new(),
        };
        let json = serde_json::to_string(&change)?;
        assert_eq!(
            json,
            r#"{"op":"create_object","kind":"chat_channel","name":"Messenger","projects":[]}"#
        );
        assert_eq!(serde_json::from_str::<Change<Acme>>(&json)?, change);
        let switch: Change<Acme> = Change::SetSectionAccess {
            role: acme.accountant,
            permission: Acme::LISTS_EXPORT_PII,
            allowed: true,
        };
        let json = serde_json::to_string(&switch)?;
        assert_eq!(
            json,
            r#"{"op":"set_section_access","role":3,"permission":["lists.export_pii"],"allowed":true}"#
        );
        Ok(())
    }

    #[test]
    fn a_permission_or_kind_the_catalog_lacks_is_refused_with_its_path() -> TestResult {
        let acme = Acme1::new()?;
        let mut value = stored(&acme)?;
        value["roles"][3]["permissions"][0] = json!("queues.manage");
        let error = refusal::<Acme>(&value)?;
        assert!(
            error.starts_with("roles[3].permissions[0]: unknown permission `queues.manage`"),
            "{error}"
        );

        let mut value = stored(&acme)?;
        value["objects"][1]["kind"] = json!("ivr_flow");
        let error = refusal::<Acme>(&value)?;
        assert!(
            error.starts_with("objects[1].kind: unknown object kind `ivr_flow`"),
            "{error}"
        );
        Ok(())
    }

    #[test]
    fn a_document_of_another_catalog_is_refused_at_catalog() -> TestResult {
        let acme = Acme1::new()?;
        let error = refusal::<callgate::Permissions>(&stored(&acme)?)?;
        assert!(
            error.starts_with(
                "catalog: the document was written with catalog `acme-contact-center`, \
                 not `standard`"
            ),
            "{error}"
        );

        let mut standard = Company::new();
        standard.create_user("ann")?;
        standard.create_role("QA", "", callgate::Permissions::QA_CHECKS_MANAGE)?;
        let error = refusal::<Acme>(&serde_json::to_value(standard.to_document())?)?;
        assert!(
            error.starts_with(
                "catalog: the document was written with catalog `standard`, \
                 not `acme-contact-center`"
            ),
            "{error}"
        );

        // A newer version of the product's own catalog.
        let mut value = stored(&acme)?;
        value["catalog"]["version"] = json!(2);
        let error = refusal::<Acme>(&value)?;
        assert!(
            error.starts_with(
                "catalog: the document was written with version 2 of catalog \
                 `acme-contact-center`, newer than this program's 1"
            ),
            "{error}"
        );
        Ok(())
    }

    /// A format 1 document names no catalog: it was written with the
    /// standard one, and a product refuses it.
    #[test]
    fn a_document_without_a_catalog_is_refused_by_a_product() -> TestResult {
        let text = std::fs::read_to_string("tests/golden/document_v1.json")?;
        let error = load::<Acme>(&text).err();
        assert!(
            matches!(error, Some(Error::Document { .. })),
            "a product must refuse a standard document: {error:?}"
        );
        Ok(())
    }

    /// ... and refuses it at `format`, before looking at any permission
    /// name, as it does a format 2 document of the standard catalog.
    #[test]
    fn a_document_without_a_catalog_is_refused_at_its_format() -> TestResult {
        let text = std::fs::read_to_string("tests/golden/document_v1.json")?;
        let error = load::<Acme>(&text).err().map(|e| e.to_string());
        let error = error.ok_or("a product must refuse a standard document")?;
        assert!(
            error.starts_with(
                "format: the document was written with catalog `standard`, \
                 not `acme-contact-center` (a format 1 document names no catalog: \
                 it is the standard one)"
            ),
            "{error}"
        );
        Ok(())
    }

    /// Version 2 of the product's catalog: version 1 and `queues.record`.
    const V2_PERMISSIONS: [PermissionDef; product::PERMISSIONS.len() + 1] = {
        let record = PermissionDef::new(46, "queues.record", "Queues")
            .on_kinds(&["queue"])
            .implies(&["queues.view"])
            .describe("Record a queue's calls");
        let mut all = [record; product::PERMISSIONS.len() + 1];
        let mut i = 0;
        while i < product::PERMISSIONS.len() {
            all[i] = product::PERMISSIONS[i];
            i += 1;
        }
        all
    };

    static V2: Catalog<u128> = match Catalog::new(
        Definition::new(product::NAME, 2)
            .sections(product::SECTIONS)
            .permissions(&V2_PERMISSIONS)
            .kinds(product::KINDS)
            .supervisor(product::SUPERVISOR)
            .operator(Holds::Only(product::OPERATOR)),
    ) {
        Ok(catalog) => catalog,
        Err(error) => error.fail(),
    };

    /// The flags of version 2 (a plain word: a flags type need not be made
    /// with `bitflags`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    struct AcmeV2(u128);

    impl PermissionFlags for AcmeV2 {
        type Word = u128;
        type Kind = AcmeKind;
        fn catalog() -> &'static Catalog<u128> {
            &V2
        }
        fn to_word(self) -> u128 {
            self.0
        }
        fn from_word(word: u128) -> Self {
            Self(word)
        }
    }

    #[test]
    fn a_catalog_may_grow_and_older_documents_still_load() -> TestResult {
        let acme = Acme1::new()?;
        let text = serde_json::to_string(&acme.company.to_document())?;
        let grown = load::<AcmeV2>(&text)?;
        let record: AcmeV2 = callgate::parse_permissions("queues.record")?;
        let pause: AcmeV2 = callgate::parse_permissions("queues.pause")?;
        let inbound = Resource::Object(acme.inbound);
        // The roles and their users came through; Admin holds the new permission.
        assert_eq!(grown.check(acme.anna, pause, inbound), Decision::Allow);
        assert_eq!(grown.check(acme.olga, record, inbound), Decision::Allow);
        assert_eq!(
            grown.check(acme.anna, record, inbound),
            Decision::Deny(DenyReason::MissingPermission)
        );
        let accountant = grown.role(acme.accountant).ok_or("Accountant")?;
        assert_eq!(
            callgate::names(accountant.permissions()).to_string(),
            "finance.view | autodialers.view_costs"
        );
        // Written again, it names version 2.
        let value = serde_json::to_value(grown.to_document())?;
        assert_eq!(
            value["catalog"],
            json!({"name": "acme-contact-center", "version": 2})
        );

        // Version 1 refuses a version 2 document, at `catalog`; and, were
        // its version rewritten, at the permission it lacks.
        let mut grown = grown;
        grown.create_role("Recorder", "", record)?;
        let mut value = serde_json::to_value(grown.to_document())?;
        let error = refusal::<Acme>(&value)?;
        assert!(error.starts_with("catalog: "), "{error}");
        value["catalog"]["version"] = json!(1);
        let error = refusal::<Acme>(&value)?;
        assert!(
            error.starts_with("roles[4].permissions[0]: unknown permission `queues.record`"),
            "{error}"
        );
        Ok(())
    }
}
