//! A company stored in SQLite with `callgate-store`: a writer, a replica
//! following the log on its own thread, a revision token, two writers racing
//! for one revision, and a restart.
//!
//! Run it with `cargo run -p callgate-store --example sqlite_store`.

use std::error::Error;
use std::time::Duration;

use callgate::{Change, Permissions, Resource, RoleId, UserId};
use callgate_store::{CheckpointPolicy, Replica, SqliteStore, Write, Writer};

fn main() -> Result<(), Box<dyn Error>> {
    let dir = std::env::temp_dir().join(format!("callgate-sqlite-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let result = story(&dir.join("callgate.db"));
    std::fs::remove_dir_all(&dir)?;
    result
}

fn story(path: &std::path::Path) -> Result<(), Box<dyn Error>> {
    // The store glue of a service: one constructor call per tenant...
    let mut writer = Writer::open(SqliteStore::open(path)?, "acme")?
        .with_checkpoints(CheckpointPolicy::default().every_entries(5));
    let follower = Replica::open(SqliteStore::open_read_only(path)?, "acme")?.follow();
    println!("[writer] tenant `acme` is company {}", writer.id());

    // ...and one call per change: planned, stored, then committed.
    let ann = create_user(&mut writer, "ann")?; // the first user: Admin
    let sam = create_user(&mut writer, "sam")?;
    let session = writer.company().login(ann)?;
    let assign = Change::AssignRole {
        role: RoleId::SUPERVISOR,
        principals: vec![sam.into()],
    };
    let report = writer.write(
        Write::new(assign)
            .by(&session)
            .with_context("requestId", "r-42"),
    )?;
    let token = report.revision; // what a client keeps

    // The replica answers at the token or later, never older.
    let view = follower.wait_for(token, Duration::from_secs(5))?;
    let allowed = view.check(sam, Permissions::QUEUES_MANAGE, Resource::Company);
    println!(
        "[replica] at revision {}: may sam manage queues? {allowed}",
        view.revision()
    );

    // A second writer of the same tenant, behind by a few changes: it loses
    // the race for its revision, catches up and plans its change again.
    let mut second = Writer::open(SqliteStore::open(path)?, "acme")?;
    create_user(&mut writer, "bob")?;
    let group = Change::CreateGroup {
        name: "Night shift".into(),
        members: vec![sam_of(&second)?],
    };
    let report = second.apply(group)?;
    println!(
        "[writer 2] caught up and stored its change at revision {}",
        report.revision - 1
    );
    writer.catch_up()?;

    // A restart replays the checkpoint and the log: the same document.
    let before = serde_json::to_string(&writer.company().to_document())?;
    drop((writer, second));
    let writer = Writer::open(SqliteStore::open(path)?, "acme")?;
    let after = serde_json::to_string(&writer.company().to_document())?;
    println!(
        "[restart] revision {}, same document byte for byte: {}",
        writer.revision(),
        before == after
    );
    if before != after {
        return Err("the restart gave another document".into());
    }
    Ok(())
}

/// sam, as the second writer knows him.
fn sam_of(writer: &Writer) -> Result<UserId, Box<dyn Error>> {
    writer
        .company()
        .user_by_name("sam")
        .ok_or_else(|| "no sam".into())
}

fn create_user(writer: &mut Writer, name: &str) -> Result<UserId, Box<dyn Error>> {
    let report = writer.apply(Change::create_user(name))?;
    report
        .created_user()
        .ok_or_else(|| format!("expected a new user, got {:?}", report.created).into())
}
