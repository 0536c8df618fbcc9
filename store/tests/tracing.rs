//! The `tracing` feature of the store: a tenant's writes and loads open
//! spans naming the tenant, the core's plan, commit and publish open inside
//! them, and a refused write is an event with the error's code.

#[path = "../../tests/support_tracing/mod.rs"]
mod support_tracing;

use callgate::{Change, Company};
use callgate_store::{SqliteStore, Tenants, Write, Writer};
use support_tracing::{Recorder, find};

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
