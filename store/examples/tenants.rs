//! Many companies in one process: a registry of tenants on SQLite, checks by
//! name, a change per tenant, an eviction under the memory budget, and a
//! reload.
//!
//! Run it with `cargo run -p callgate-store --example tenants`.

use std::error::Error;

use callgate::{Change, Company, NewUser, Permissions, Resource, RoleId};
use callgate_store::{SqliteStore, Tenants};

fn main() -> Result<(), Box<dyn Error>> {
    let dir = std::env::temp_dir().join(format!("callgate-tenants-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let result = story(dir.join("callgate.db"));
    std::fs::remove_dir_all(&dir)?;
    result
}

fn story(path: std::path::PathBuf) -> Result<(), Box<dyn Error>> {
    // Each tenant is a company of its own; the host's key names it.
    let setup = Tenants::builder({
        let path = path.clone();
        move || SqliteStore::open(&path)
    })
    .build()?;
    for (tenant, supervisor) in [("acme", "sara"), ("globex", "greg"), ("initech", "ivy")] {
        setup.create(tenant, Company::new())?;
        setup.apply(tenant, user("admin", vec![]))?;
        setup.apply(tenant, user(supervisor, vec![RoleId::SUPERVISOR]))?;
    }
    let one_tenant = setup.resident()[0].bytes;
    drop(setup);

    // A service process: a budget that holds two of these tenants.
    let tenants = Tenants::builder(move || SqliteStore::open(&path))
        .budget(one_tenant * 2 + one_tenant / 2)
        .build()?;
    for (tenant, name) in [("acme", "sara"), ("globex", "greg"), ("globex", "sara")] {
        let view = tenants.view(tenant)?; // loaded on first use
        let answer = match view.user_by_name(name) {
            Some(user) => view
                .check(user, Permissions::QUEUES_MANAGE, Resource::Company)
                .to_string(),
            None => "deny (no such user in this tenant)".to_owned(),
        };
        println!("[{tenant}] may {name} manage queues? {answer}");
    }

    // A change per tenant, each through that tenant's own writer.
    tenants.apply("acme", user("olga", vec![RoleId::OPERATOR]))?;
    tenants.apply("globex", user("olga", vec![RoleId::OPERATOR]))?;
    let acme = tenants.view("acme")?;
    println!("[acme] at revision {} after its change", acme.revision());

    // A third tenant passes the budget: the registry keeps two of the three.
    // moka's policy (TinyLFU) picks which, by how often and how recently
    // each was used: a newcomer used once may be the one to go.
    tenants.view("initech")?;
    let stats = tenants.stats();
    println!(
        "[registry] {} resident, {} bytes of {} budgeted, {} evicted, {} loads",
        stats.resident,
        stats.bytes,
        one_tenant * 2 + one_tenant / 2,
        stats.evictions,
        stats.loads
    );
    for info in tenants.resident() {
        println!(
            "  {} (company {}): revision {}, {} bytes",
            info.tenant, info.company, info.revision, info.bytes
        );
    }

    // An evicted tenant reloads from the store as it was; a view taken
    // before the eviction is still valid.
    tenants.evict("acme");
    let reloaded = tenants.view("acme")?;
    println!(
        "[acme] reloaded at revision {} (the old view still answers at {})",
        reloaded.revision(),
        acme.revision()
    );
    if reloaded.revision() != acme.revision() || stats.evictions == 0 || stats.resident > 2 {
        return Err("the eviction or the reload went wrong".into());
    }
    match tenants.view("umbrella") {
        Err(error) => println!("[registry] {error}"),
        Ok(_) => return Err("an unknown tenant was answered".into()),
    }
    Ok(())
}

fn user(name: &str, roles: Vec<RoleId>) -> Change {
    Change::create_user(NewUser::new(name).roles(roles))
}
