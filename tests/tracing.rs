//! The `tracing` feature: spans around plan, commit, catch-up, load and
//! publish, naming the company, the revision and the change's `op`, and
//! events for refusals carrying the error's code.

#[path = "support_tracing/mod.rs"]
mod support_tracing;

use callgate::{Change, Company, Permissions, Publisher};
use support_tracing::{Recorder, has};

#[test]
fn a_change_is_traced_as_a_plan_and_a_commit() {
    let mut company = Company::new();
    let id = company.id().to_string();
    let lines = Recorder::during(|| {
        company.create_user("ann").expect("a new name");
    });
    let company_field = format!("company={id}");
    assert!(
        has(
            &lines,
            "span plan",
            &[&company_field, "revision=0", "op=create_user"]
        ),
        "{lines:#?}"
    );
    assert!(
        has(
            &lines,
            "span commit",
            &[&company_field, "revision=0", "op=create_user"]
        ),
        "{lines:#?}"
    );
    assert!(
        !lines.iter().any(|line| line.starts_with("event")),
        "{lines:#?}"
    );
}

#[test]
fn a_refused_change_is_an_event_with_its_code() {
    let mut company = Company::new();
    company
        .create_role("QA", "", Permissions::empty())
        .expect("new");
    let mut refusal = None;
    let lines = Recorder::during(|| {
        refusal = company.create_role("QA", "", Permissions::empty()).err();
    });
    let error = refusal.expect("a taken name is refused");
    let code = format!("code={}", error.code());
    assert!(
        has(
            &lines,
            "event",
            &[&code, "change refused", "is already taken"]
        ),
        "{lines:#?}"
    );
    assert!(!has(&lines, "span commit", &[]), "{lines:#?}");
}

#[test]
fn publishing_loading_and_catching_up_are_traced() {
    let mut publisher = Publisher::new(Company::new());
    let mut log = Vec::new();
    let lines = Recorder::during(|| {
        let plan = publisher.plan(Change::create_user("ann")).expect("plan");
        log.push(plan.entry().clone());
        publisher.commit(plan).expect("commit");
    });
    assert!(has(&lines, "span publish", &["revision=1"]), "{lines:#?}");

    let document = serde_json::to_string(&publisher.company().to_document()).expect("json");
    let lines = Recorder::during(|| {
        Company::load(&mut serde_json::Deserializer::from_str(&document)).expect("loads");
        let broken = document.replace("\"format\":2", "\"format\":99");
        Company::load(&mut serde_json::Deserializer::from_str(&broken)).expect_err("refused");
    });
    assert!(has(&lines, "span load", &["from=json"]), "{lines:#?}");
    assert!(
        has(&lines, "event", &["loaded", "revision=1"]),
        "{lines:#?}"
    );
    assert!(
        has(&lines, "event", &["document refused", "code="]),
        "{lines:#?}"
    );

    let mut replica = Company::new().with_id(publisher.company().id());
    let lines = Recorder::during(|| {
        assert_eq!(replica.catch_up(&log).expect("replays"), 1);
    });
    assert!(has(&lines, "span catch_up", &["revision=0"]), "{lines:#?}");
    assert!(
        has(&lines, "event", &["caught up", "applied=1", "revision=1"]),
        "{lines:#?}"
    );
}

#[test]
fn every_change_is_named_by_its_stored_op() {
    let changes: Vec<Change> = vec![
        Change::create_user("ann"),
        Change::AssignRole {
            role: callgate::RoleId::SUPERVISOR,
            principals: vec![],
        },
        Change::SetSecurityMode {
            mode: callgate::SecurityMode::Enhanced,
        },
    ];
    for change in changes {
        let stored = serde_json::to_value(&change).expect("json");
        assert_eq!(stored["op"], change.op(), "{stored}");
    }
}
