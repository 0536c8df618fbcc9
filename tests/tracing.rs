//! The `tracing` feature: spans around plan, commit, catch-up, load and
//! publish, naming the company, the revision and the change's `op`, and
//! events for refusals carrying the error's code.

use std::fmt::{self, Write as _};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use callgate::{Change, Company, Permissions, Publisher};
use tracing::field::{Field, Visit};
use tracing::{Event, Metadata, Subscriber, span};

/// Records every span as it opens and every event, as one line each:
/// `span plan company=... revision=2 op=create_user`.
#[derive(Clone, Default)]
struct Recorder {
    lines: Arc<Mutex<Vec<String>>>,
    next_id: Arc<AtomicU64>,
}

struct Line(String);

impl Visit for Line {
    fn record_str(&mut self, field: &Field, value: &str) {
        let _ = write!(self.0, " {}={value}", field.name());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        let _ = write!(self.0, " {}={value:?}", field.name());
    }
}

impl Recorder {
    fn push(&self, line: Line) {
        self.lines.lock().expect("not poisoned").push(line.0);
    }

    /// The lines recorded while `run` ran.
    fn during(run: impl FnOnce()) -> Vec<String> {
        let recorder = Self::default();
        tracing::subscriber::with_default(recorder.clone(), run);
        let lines = recorder.lines.lock().expect("not poisoned").clone();
        lines
    }
}

impl Subscriber for Recorder {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, attributes: &span::Attributes<'_>) -> span::Id {
        let mut line = Line(format!("span {}", attributes.metadata().name()));
        attributes.record(&mut line);
        self.push(line);
        span::Id::from_u64(self.next_id.fetch_add(1, Ordering::Relaxed) + 1)
    }

    fn record(&self, _: &span::Id, _: &span::Record<'_>) {}

    fn record_follows_from(&self, _: &span::Id, _: &span::Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut line = Line("event".to_owned());
        event.record(&mut line);
        self.push(line);
    }

    fn enter(&self, _: &span::Id) {}

    fn exit(&self, _: &span::Id) {}
}

fn has(lines: &[String], start: &str, parts: &[&str]) -> bool {
    lines
        .iter()
        .any(|line| line.starts_with(start) && parts.iter().all(|part| line.contains(part)))
}

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
