//! The `tracing` feature of the store: a tenant's writes and loads open
//! spans naming the tenant, the core's plan, commit and publish open inside
//! them, and a refused write is an event with the error's code.

use std::fmt::{self, Write as _};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use callgate::{Change, Company};
use callgate_store::{SqliteStore, Tenants, Write, Writer};
use tracing::field::{Field, Visit};
use tracing::{Event, Metadata, Subscriber, span};

/// Records every span as it opens and every event, one line each.
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
    fn during(run: impl FnOnce()) -> Vec<String> {
        let recorder = Self::default();
        tracing::subscriber::with_default(recorder.clone(), run);
        recorder.lines.lock().expect("not poisoned").clone()
    }

    fn push(&self, line: Line) {
        self.lines.lock().expect("not poisoned").push(line.0);
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

/// The position of the first line that starts with `start` and holds every
/// part.
fn find(lines: &[String], start: &str, parts: &[&str]) -> Option<usize> {
    lines
        .iter()
        .position(|line| line.starts_with(start) && parts.iter().all(|part| line.contains(part)))
}

#[test]
fn a_write_is_a_span_of_the_tenant_holding_the_cores() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let mut writer = Writer::open(SqliteStore::open(dir.path().join("t.db"))?, "acme")?;
    let mut refusal = None;
    let lines = Recorder::during(|| {
        writer
            .write(Write::new(Change::create_user("ann")))
            .expect("a new user");
        refusal = writer.write(Write::new(Change::create_user("ann"))).err();
    });
    let write = find(&lines, "span write", &["tenant=acme", "op=create_user"]);
    let plan = find(&lines, "span plan", &["op=create_user"]);
    let publish = find(&lines, "span publish", &["revision=1"]);
    assert!(
        write.is_some() && write < plan && plan < publish,
        "{lines:#?}"
    );
    let code = format!("code={}", refusal.ok_or("a taken name is refused")?.code());
    assert!(
        find(&lines, "event", &[&code, "write refused"]).is_some(),
        "{lines:#?}"
    );
    Ok(())
}

#[test]
fn a_tenant_loaded_on_demand_is_a_span() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("t.db");
    let tenants = Tenants::builder(move || SqliteStore::open(&path)).build()?;
    tenants.create("acme", Company::new())?;
    tenants.evict("acme");
    let mut unknown = None;
    let lines = Recorder::during(|| {
        tenants.view("acme").expect("loads");
        unknown = tenants.view("nobody").err();
    });
    assert!(
        find(&lines, "span tenant_load", &["tenant=acme"]).is_some(),
        "{lines:#?}"
    );
    assert!(find(&lines, "span load", &[]).is_some(), "{lines:#?}");
    let code = format!(
        "code={}",
        unknown.ok_or("an unknown tenant is refused")?.code()
    );
    assert!(
        find(&lines, "event", &[&code, "tenant not loaded"]).is_some(),
        "{lines:#?}"
    );
    Ok(())
}
