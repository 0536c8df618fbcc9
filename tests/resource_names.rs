//! Resources by name: `company`, `project:NAME` and `KIND:NAME` read and
//! written by `ResourceName` (a round trip), and looked up in a company by
//! its catalog's kind names and its records' names. An unknown kind or name
//! is an error that names it, never a made-up id.

#[path = "../examples/product/mod.rs"]
mod product;

use callgate::{
    Change, Company, EntityKind, Error, ObjectKind, Permissions, Resource, ResourceName, STANDARD,
    SecurityMode, parse_kind,
};
use product::{AcmeKind, AcmePermissions as Acme};
use proptest::prelude::*;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn object(kind: &str, name: &str) -> ResourceName {
    ResourceName::Object {
        kind: kind.to_owned(),
        name: name.to_owned(),
    }
}

fn project(name: &str) -> ResourceName {
    ResourceName::Project(name.to_owned())
}

/// Text and what it reads as; each prints back as the same text.
fn valid() -> Vec<(&'static str, ResourceName)> {
    vec![
        ("company", ResourceName::Company),
        ("project:Acme Bank", project("Acme Bank")),
        ("project:Default", project("Default")),
        ("queue:Acme inbound", object("queue", "Acme inbound")),
        (
            "sip_provider:Main trunk",
            object("sip_provider", "Main trunk"),
        ),
        (
            "chat_channel:Acme web chat",
            object("chat_channel", "Acme web chat"),
        ),
        // Split at the first `:`: names keep theirs.
        (
            "queue:Support: night shift",
            object("queue", "Support: night shift"),
        ),
        ("project:a:b:c", project("a:b:c")),
        ("queue::", object("queue", ":")),
        // Nothing is trimmed: the spaces are part of the name.
        ("queue: Acme ", object("queue", " Acme ")),
        ("project:Ünïcode 🚀", project("Ünïcode 🚀")),
        // Only the exact text `company` is the company; with a name it is a
        // kind (which the catalog will refuse, or know).
        ("company:x", object("company", "x")),
        ("Queue:x", object("Queue", "x")),
    ]
}

#[test]
fn every_form_reads_and_prints_back() -> TestResult {
    for (text, expected) in valid() {
        let name: ResourceName = text.parse()?;
        assert_eq!(name, expected, "{text}");
        assert_eq!(name.to_string(), text);
        assert_eq!(name.to_string().parse::<ResourceName>()?, name);
    }
    Ok(())
}

#[test]
fn malformed_text_is_refused_naming_it() {
    for text in [
        "",
        "Company",
        " company",
        "company ",
        "queue",
        "project",
        "project:",
        "queue:",
        ":x",
        ":",
        "acme inbound",
    ] {
        let error = text.parse::<ResourceName>().unwrap_err();
        assert_eq!(
            error,
            Error::InvalidResource {
                text: text.to_owned()
            }
        );
        assert_eq!(
            error.to_string(),
            format!("invalid resource `{text}`: expected `company`, `project:NAME` or `KIND:NAME`")
        );
    }
}

/// An outsourcing call center in enhanced security: two clients, an object
/// of every standard kind.
fn callcenter() -> Result<Company, Error> {
    let mut company = Company::new();
    let _olga = company.create_user("olga")?;
    company.apply(Change::SetSecurityMode {
        mode: SecurityMode::Enhanced,
    })?;
    company.create_project("Acme Bank", "Inbound support")?;
    company.create_project("Globex: sales", "Outbound")?;
    for kind in STANDARD.kinds() {
        let kind = parse_kind::<Permissions>(kind.name())?;
        company.create_object(kind, format!("Acme {kind}"))?;
    }
    company.create_object(ObjectKind::Queue, "Support: night shift")?;
    Ok(company)
}

#[test]
fn names_resolve_against_the_company() -> TestResult {
    let company = callcenter()?;
    let acme = company.project_by_name("Acme Bank").ok_or("no project")?;
    let queue = company
        .object_by_name(ObjectKind::Queue, "Acme queue")
        .ok_or("no queue")?;
    let night = company
        .object_by_name(ObjectKind::Queue, "Support: night shift")
        .ok_or("no queue")?;
    let trunk = company
        .object_by_name(ObjectKind::SipProvider, "Acme sip_provider")
        .ok_or("no trunk")?;

    assert_eq!(company.resource(&ResourceName::Company)?, Resource::Company);
    assert_eq!(
        company.resource(&project("Acme Bank"))?,
        Resource::Project(acme)
    );
    assert_eq!(company.resource_by_name("company")?, Resource::Company);
    assert_eq!(
        company.resource_by_name("queue:Acme queue")?,
        Resource::Object(queue)
    );
    assert_eq!(
        company.resource_by_name("queue:Support: night shift")?,
        Resource::Object(night)
    );
    assert_eq!(
        company
            .resource_by_name("sip_provider:Main trunk")
            .unwrap_err(),
        Error::UnknownName {
            kind: EntityKind::Object,
            name: "sip_provider:Main trunk".into()
        }
    );
    assert_eq!(
        company.resource_by_name("sip_provider:Acme sip_provider")?,
        Resource::Object(trunk)
    );
    assert!(company.resource_by_name("project:Globex: sales").is_ok());
    Ok(())
}

#[test]
fn unknown_kinds_and_names_are_errors_that_name_them() -> TestResult {
    let company = callcenter()?;
    let cases = [
        (
            "spaceship:Enterprise",
            Error::UnknownObjectKind {
                name: "spaceship".into(),
            },
        ),
        // Kinds are stable names: exact, lowercase.
        (
            "Queue:Acme queue",
            Error::UnknownObjectKind {
                name: "Queue".into(),
            },
        ),
        // `company:...` is not the company: a kind the catalog lacks.
        (
            "company:Acme",
            Error::UnknownObjectKind {
                name: "company".into(),
            },
        ),
        // The standard catalog has no chat channels.
        (
            "chat_channel:Acme web chat",
            Error::UnknownObjectKind {
                name: "chat_channel".into(),
            },
        ),
        (
            "project:Initech",
            Error::UnknownName {
                kind: EntityKind::Project,
                name: "Initech".into(),
            },
        ),
        // Names are exact: no trimming, no case folding.
        (
            "project:acme bank",
            Error::UnknownName {
                kind: EntityKind::Project,
                name: "acme bank".into(),
            },
        ),
        // A name of another kind's object.
        (
            "schedule:Acme queue",
            Error::UnknownName {
                kind: EntityKind::Object,
                name: "schedule:Acme queue".into(),
            },
        ),
        (
            "queue: Acme queue",
            Error::UnknownName {
                kind: EntityKind::Object,
                name: "queue: Acme queue".into(),
            },
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(
            company.resource_by_name(text).unwrap_err(),
            expected,
            "{text}"
        );
        assert_eq!(
            company.resource(&text.parse()?).unwrap_err(),
            expected,
            "{text}"
        );
    }
    assert_eq!(
        company
            .resource_by_name("queue:Acme outbound")
            .unwrap_err()
            .to_string(),
        "unknown object `queue:Acme outbound`"
    );
    assert_eq!(
        company
            .resource_by_name("project:Initech")
            .unwrap_err()
            .to_string(),
        "unknown project `Initech`"
    );
    Ok(())
}

#[test]
fn every_resource_prints_a_name_that_resolves_to_it() -> TestResult {
    let company = callcenter()?;
    let resources = std::iter::once(Resource::Company)
        .chain(company.projects().map(|(id, _)| Resource::Project(id)))
        .chain(company.objects().map(|(id, _)| Resource::Object(id)));
    let mut seen = 0;
    for resource in resources {
        let name = company.resource_name(resource).ok_or("no name")?;
        assert_eq!(company.resource(&name)?, resource, "{name}");
        assert_eq!(company.resource_by_name(&name.to_string())?, resource);
        seen += 1;
    }
    // The company, `Default`, two clients, nine kinds and the night queue.
    assert_eq!(seen, 1 + 3 + 9 + 1);
    Ok(())
}

#[test]
fn gone_records_have_no_name() -> TestResult {
    let mut company = callcenter()?;
    let queue = company.resource_by_name("queue:Acme queue")?;
    let Resource::Object(id) = queue else {
        return Err("not an object".into());
    };
    company.apply(Change::DeleteObject { object: id })?;
    assert_eq!(company.resource_name(queue), None);
    assert!(matches!(
        company.resource_by_name("queue:Acme queue"),
        Err(Error::UnknownName { .. })
    ));
    Ok(())
}

#[test]
fn a_products_kinds_are_its_own() -> TestResult {
    let mut company = Company::<Acme>::with_catalog();
    let olga = company.create_user("olga")?;
    let chat = company.create_object(AcmeKind::ChatChannel, "Acme web chat")?;
    let resource = company.resource_by_name("chat_channel:Acme web chat")?;
    assert_eq!(resource, Resource::Object(chat));
    assert_eq!(
        company.resource_name(resource),
        Some(object("chat_channel", "Acme web chat"))
    );
    assert!(
        company
            .check(olga, Acme::CHAT_CHANNELS_VIEW, resource)
            .is_allowed()
    );
    assert_eq!(
        company.resource_by_name("chat_channel:Globex chat"),
        Err(Error::UnknownName {
            kind: EntityKind::Object,
            name: "chat_channel:Globex chat".into()
        })
    );
    assert_eq!(
        company.resource_by_name("fax:Front desk"),
        Err(Error::UnknownObjectKind { name: "fax".into() })
    );
    Ok(())
}

#[cfg(feature = "serde")]
#[test]
fn a_name_is_a_string_in_json() -> TestResult {
    let name = object("queue", "Support: night shift");
    let json = serde_json::to_string(&name)?;
    assert_eq!(json, r#""queue:Support: night shift""#);
    assert_eq!(serde_json::from_str::<ResourceName>(&json)?, name);
    let error = serde_json::from_str::<ResourceName>(r#""queue""#).unwrap_err();
    assert!(
        error.to_string().starts_with("invalid resource `queue`"),
        "{error}"
    );
    assert!(serde_json::from_str::<ResourceName>("7").is_err());
    Ok(())
}

/// A stable kind name, as catalogs declare them: a lowercase letter, then
/// lowercase letters, digits and `_`; never `project`.
fn kind() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9_]{0,20}".prop_filter("`project:` names a project", |kind| kind != "project")
}

fn resource_name() -> impl Strategy<Value = ResourceName> {
    // Any non-empty name: spaces, `:`, any Unicode.
    let name = || any::<String>().prop_filter("names are not empty", |name| !name.is_empty());
    prop_oneof![
        Just(ResourceName::Company),
        name().prop_map(ResourceName::Project),
        (kind(), name()).prop_map(|(kind, name)| ResourceName::Object { kind, name }),
        // Names made of the separator itself.
        (kind(), "[: ]{1,4}").prop_map(|(kind, name)| ResourceName::Object { kind, name }),
    ]
}

proptest! {
    #[test]
    fn printing_then_parsing_gives_the_name_back(name in resource_name()) {
        let text = name.to_string();
        prop_assert_eq!(text.parse::<ResourceName>(), Ok(name));
    }

    #[test]
    fn parsing_then_printing_gives_the_text_back(text in "(company|project|queue|[a-z:]{0,3})(:[a-z: ]{0,6})?|.{0,12}") {
        match text.parse::<ResourceName>() {
            Ok(name) => prop_assert_eq!(name.to_string(), text),
            Err(error) => prop_assert_eq!(error, Error::InvalidResource { text }),
        }
    }
}
