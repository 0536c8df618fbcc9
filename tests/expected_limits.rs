//! Limits (issue 14): a host caps how many ids of each kind a company may
//! give out, so that no tenant, through changes or a stored document, makes
//! the process hold more than the host planned for. 0.1 had no limit but
//! `u32::MAX`.

mod common;

use callgate::{Change, Company, EntityKind, Error, Limits, ObjectKind, Permissions, SecurityMode};
use common::TestResult;

/// Limits of `n` ids of every kind (the three built-in roles count among
/// the roles).
fn limits(n: u32) -> Limits {
    let mut limits = Limits::DEFAULT;
    limits.users = n;
    limits.groups = n;
    limits.roles = n + 3;
    limits.projects = n;
    limits.objects = n;
    limits
}

#[test]
fn every_kind_stops_at_its_limit_and_the_company_stays_as_it_was() -> TestResult {
    let mut company = Company::new();
    company.set_limits(limits(2));
    assert_eq!(company.limits(), limits(2));
    company.create_user("ann")?;
    company.create_user("bob")?;
    company.create_group("A", &[])?;
    company.create_group("B", &[])?;
    company.create_role("QA", "", Permissions::QA_CHECKS_VIEW)?;
    company.create_role("KPI", "", Permissions::KPI_VIEW)?;
    company.create_object(ObjectKind::Queue, "Sales")?;
    company.create_object(ObjectKind::Queue, "Support")?;
    company.apply(Change::SetSecurityMode {
        mode: SecurityMode::Enhanced,
    })?; // makes the Default project
    company.create_project("Acme", "")?;
    let before = format!("{company:?}");

    let refusals = [
        (company.create_user("cid").map(drop), EntityKind::User, 2),
        (
            company.create_group("C", &[]).map(drop),
            EntityKind::Group,
            2,
        ),
        (
            company
                .create_role("Ops", "", Permissions::empty())
                .map(drop),
            EntityKind::Role,
            5,
        ),
        (
            company.create_project("Globex", "").map(drop),
            EntityKind::Project,
            2,
        ),
        (
            company.create_object(ObjectKind::Queue, "Night").map(drop),
            EntityKind::Object,
            2,
        ),
    ];

    for (refused, kind, limit) in refusals {
        assert_eq!(refused, Err(Error::LimitReached { kind, limit }));
    }
    assert_eq!(format!("{company:?}"), before);
    Ok(())
}

#[test]
fn deleted_records_keep_their_ids_taken() -> TestResult {
    let mut company = Company::new();
    company.set_limits(limits(2));
    company.create_user("ann")?;
    let bob = company.create_user("bob")?;
    company.apply(Change::DeleteUser { user: bob })?;

    let refused = company.apply(Change::CreateUser {
        name: "cid".into(),
        roles: vec![],
        groups: vec![],
        projects: vec![],
    });

    assert_eq!(
        refused.map(drop),
        Err(Error::LimitReached {
            kind: EntityKind::User,
            limit: 2
        })
    );
    // Raising the limit lets the company go on.
    company.set_limits(limits(3));
    company.create_user("cid")?;
    Ok(())
}

/// The first switch to enhanced mode makes the Default project: with no
/// project id left, the switch is refused and the mode stays.
#[test]
fn the_default_project_counts_against_the_limit() -> TestResult {
    let mut company = Company::new();
    company.set_limits(limits(0));
    let refused = company.apply(Change::SetSecurityMode {
        mode: SecurityMode::Enhanced,
    });
    assert_eq!(
        refused.map(drop),
        Err(Error::LimitReached {
            kind: EntityKind::Project,
            limit: 0
        })
    );
    assert_eq!(company.mode(), SecurityMode::Simple);
    Ok(())
}

/// Loading reads within the loading bound (each kind's limit or default,
/// whichever is higher) and keeps the limits as the quota for new
/// records: tests/lowered_limits.rs pins a company whose quota was cut.
#[cfg(feature = "serde")]
#[test]
fn loading_refuses_a_document_past_the_bound_and_keeps_the_limits() -> TestResult {
    let mut company = Company::new();
    company.create_user("ann")?;
    company.create_user("bob")?;
    company.create_object(ObjectKind::Queue, "Sales")?;
    let json = serde_json::to_string(&company.to_document())?;
    let load = |limits: Limits| {
        Company::load_with_limits(&mut serde_json::Deserializer::from_str(&json), limits)
    };

    let mut tight = Limits::DEFAULT;
    tight.objects = 0;
    let mut loaded = load(tight)?;
    assert_eq!(loaded.limits(), tight);
    assert_eq!(
        loaded.create_object(ObjectKind::Queue, "Night").map(drop),
        Err(Error::LimitReached {
            kind: EntityKind::Object,
            limit: 0
        })
    );

    let loaded = load(limits(2))?;
    assert_eq!(loaded.limits(), limits(2));
    assert_eq!(loaded.to_document(), company.to_document());
    let mut loaded = loaded;
    assert_eq!(
        loaded.create_user("cid").map(drop),
        Err(Error::LimitReached {
            kind: EntityKind::User,
            limit: 2
        })
    );
    // `load` and `from_document` use the defaults.
    let plain: Company = Company::load(&mut serde_json::Deserializer::from_str(&json))?;
    assert_eq!(plain.limits(), Limits::DEFAULT);
    let document = company.to_document();
    let mut next = document.next_ids;
    next.users = Limits::DEFAULT.users + 1;
    let mut too_many = document;
    too_many.next_ids = next;
    too_many.revision = u64::from(next.users) + 10;
    let refused = Company::from_document(too_many.clone())
        .err()
        .ok_or("loaded")?;
    assert_eq!(
        refused.to_string(),
        "nextIds.users: 16777217 user ids are more than the limit of 16777216"
    );
    // A quota lowered below the defaults does not lower the bound; one
    // raised above them raises it.
    let refused = Company::from_document_with_limits(too_many.clone(), limits(2));
    assert_eq!(
        refused.err().ok_or("loaded")?.to_string(),
        "nextIds.users: 16777217 user ids are more than the limit of 16777216"
    );
    let mut raised = Limits::DEFAULT;
    raised.users = Limits::DEFAULT.users + 1;
    Company::from_document_with_limits(too_many, raised)?;
    Ok(())
}
