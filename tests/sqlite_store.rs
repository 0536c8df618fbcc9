//! Pins the SQLite store of `examples/sqlite_store.rs`, which this test
//! includes as a module: a write that SQLite refuses leaves the company
//! unchanged, a restart gives the same document byte for byte, a replica
//! reaches the writer's document, a corrupt row is refused by its revision
//! and applies nothing of its batch, and actor and context round-trip.
//!
//! Each test works on a file of its own in the temp dir, removed at the end.

#[allow(dead_code)] // the example's story (`main` and its steps)
#[path = "../examples/sqlite_store.rs"]
mod sqlite_store;

use std::path::{Path, PathBuf};

use callgate::{Actor, Change, Company, RoleId, UserId};
use rusqlite::{Connection, ErrorCode, OpenFlags};
use sqlite_store::{Replica, Store, StoreError, Writer};

/// A database path of its own for one test; the file is removed on drop,
/// even when the test fails.
struct TempDb(PathBuf);

impl TempDb {
    fn new(test: &str) -> Self {
        let name = format!("callgate-sqlite-test-{}-{test}.db", std::process::id());
        let path = std::env::temp_dir().join(name);
        let _ = std::fs::remove_file(&path);
        Self(path)
    }

    fn path(&self) -> &Path {
        &self.0
    }

    /// A connection of another process: neither the writer's nor a replica's.
    fn other_connection(&self) -> Connection {
        Connection::open(self.path()).unwrap()
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn document(company: &Company) -> String {
    serde_json::to_string(&company.to_document()).unwrap()
}

fn create_user(name: &str) -> Change {
    Change::CreateUser {
        name: name.into(),
        roles: vec![],
        groups: vec![],
        projects: vec![],
    }
}

/// Writes `count` changes as the host: users and groups in turn, each
/// group with user 0 (the Admin) in it, each with a request id.
fn write_changes(writer: &mut Writer, count: u64) {
    for _ in 0..count {
        let revision = writer.company().revision();
        let change = if revision % 2 == 0 {
            create_user(&format!("user-{revision}"))
        } else {
            Change::CreateGroup {
                name: format!("group-{revision}"),
                members: vec![UserId::new(0)],
            }
        };
        let context = [("requestId", format!("r-{revision}"))];
        writer.write(change, context).unwrap();
    }
}

fn log_rows(db: &TempDb) -> u64 {
    let sql = "SELECT COUNT(*) FROM change_log";
    db.other_connection()
        .query_row(sql, [], |row| row.get(0))
        .unwrap()
}

#[test]
fn a_write_on_a_taken_revision_leaves_the_company_unchanged() {
    let db = TempDb::new("taken");
    let mut writer = Writer::open_with(Store::open(db.path()).unwrap(), 3).unwrap();
    write_changes(&mut writer, 3);
    let (revision, before) = (writer.company().revision(), document(writer.company()));

    // Another writer stores a change at revision 3 first.
    db.other_connection()
        .execute(
            "INSERT INTO change_log (revision, company, change, actor, context)
             VALUES (?1, ?2, ?3, NULL, '{}')",
            rusqlite::params![
                revision,
                writer.company().id().to_string(),
                r#"{"op":"create_user","name":"zed"}"#
            ],
        )
        .unwrap();

    let error = writer
        .write(create_user("amy"), [("requestId", "r-x")])
        .unwrap_err();
    assert!(
        matches!(error, StoreError::RevisionTaken { revision: 3 }),
        "{error:?}"
    );
    assert!(error
        .to_string()
        .contains("revision 3 is already in the change log"));
    assert_eq!(writer.company().revision(), revision);
    assert_eq!(document(writer.company()), before);
    // The checkpoint due at revision 3 went with the refused row: the one
    // the first writer took when it created the company stays.
    assert_eq!(writer.store().checkpoint_revision().unwrap(), Some(0));
    let stored = writer.store().read_log(3).unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].change, create_user("zed"));
}

#[test]
fn a_write_on_a_read_only_database_leaves_the_company_unchanged() {
    let db = TempDb::new("read-only");
    let mut writer = Writer::open_with(Store::open(db.path()).unwrap(), 3).unwrap();
    write_changes(&mut writer, 2);
    drop(writer);

    let conn = Connection::open_with_flags(db.path(), OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let mut writer = Writer::open_with(Store::from_connection(conn), 3).unwrap();
    let (revision, before) = (writer.company().revision(), document(writer.company()));
    assert_eq!(revision, 2);

    let error = writer
        .write(create_user("amy"), [("requestId", "r-x")])
        .unwrap_err();
    match &error {
        StoreError::Sqlite(sqlite) => {
            assert_eq!(
                sqlite.sqlite_error_code(),
                Some(ErrorCode::ReadOnly),
                "{sqlite}"
            );
        }
        other => panic!("expected SQLite's read-only error, got {other:?}"),
    }
    assert_eq!(writer.company().revision(), revision);
    assert_eq!(document(writer.company()), before);
    assert_eq!(log_rows(&db), 2);
}

#[test]
fn a_change_the_library_refuses_stores_nothing() {
    let db = TempDb::new("refused");
    let mut writer = Writer::open_with(Store::open(db.path()).unwrap(), 3).unwrap();
    write_changes(&mut writer, 1); // user-0
    let before = document(writer.company());

    let error = writer
        .write(create_user("user-0"), [("requestId", "r-x")])
        .unwrap_err();
    assert!(matches!(error, StoreError::Refused(_)), "{error:?}");
    assert_eq!(document(writer.company()), before);
    assert_eq!(log_rows(&db), 1);
}

#[test]
fn a_restart_from_the_log_alone_gives_a_byte_identical_document() {
    let db = TempDb::new("restart-log");
    let mut writer = Writer::open_with(Store::open(db.path()).unwrap(), 3).unwrap();
    write_changes(&mut writer, 3); // revisions 0, 1, 2: no checkpoint due yet
                                   // Only the new company's, taken when the first writer created it.
    assert_eq!(writer.store().checkpoint_revision().unwrap(), Some(0));
    let before = document(writer.company());
    drop(writer);

    let writer = Writer::open_with(Store::open(db.path()).unwrap(), 3).unwrap();
    assert_eq!(writer.company().revision(), 3);
    assert_eq!(document(writer.company()), before);
}

#[test]
fn a_restart_from_a_checkpoint_and_the_log_gives_a_byte_identical_document() {
    let db = TempDb::new("restart-checkpoint");
    let mut writer = Writer::open_with(Store::open(db.path()).unwrap(), 3).unwrap();
    write_changes(&mut writer, 11);
    // Checkpoints at revisions 3, 6 and 9; the last one stays.
    assert_eq!(writer.store().checkpoint_revision().unwrap(), Some(9));
    let before = document(writer.company());
    drop(writer);

    let writer = Writer::open_with(Store::open(db.path()).unwrap(), 3).unwrap();
    assert_eq!(writer.company().revision(), 11);
    assert_eq!(document(writer.company()), before);
    drop(writer);

    // The restart reads the checkpoint: the rows below it can go.
    let pruned = db
        .other_connection()
        .execute("DELETE FROM change_log WHERE revision < 9", [])
        .unwrap();
    assert_eq!(pruned, 9);
    let writer = Writer::open(Store::open(db.path()).unwrap()).unwrap();
    assert_eq!(document(writer.company()), before);
}

#[test]
fn a_replica_reaches_the_writers_document_and_a_second_poll_applies_nothing() {
    let db = TempDb::new("replica");
    let mut writer = Writer::open_with(Store::open(db.path()).unwrap(), 3).unwrap();
    let mut replica = Replica::open(Store::open_read_only(db.path()).unwrap()).unwrap();

    write_changes(&mut writer, 10);
    assert_eq!(replica.poll().unwrap(), 10);
    assert_eq!(replica.company().revision(), 10);
    assert_eq!(document(replica.company()), document(writer.company()));
    assert_eq!(replica.poll().unwrap(), 0);

    write_changes(&mut writer, 2);
    assert_eq!(replica.poll().unwrap(), 2);
    assert_eq!(document(replica.company()), document(writer.company()));

    // A replica opened now starts from the checkpoint (at 9) and the log.
    let late = Replica::open(Store::open_read_only(db.path()).unwrap()).unwrap();
    assert_eq!(document(late.company()), document(writer.company()));
}

/// Rows 0..=2 are polled; then rows 3..=6 are written, row 5 gets `value`
/// in `column`: the poll is refused naming revision 5, and applies none of
/// rows 3 and 4 either. A restart refuses the row as well.
fn corrupt_row_is_refused(test: &str, column: &str, value: &str) {
    let db = TempDb::new(test);
    let mut writer = Writer::open_with(Store::open(db.path()).unwrap(), 100).unwrap();
    write_changes(&mut writer, 3);
    let mut replica = Replica::open(Store::open_read_only(db.path()).unwrap()).unwrap();
    let before = document(replica.company());
    write_changes(&mut writer, 4);
    let sql = format!("UPDATE change_log SET {column} = ?1 WHERE revision = 5");
    let updated = db.other_connection().execute(&sql, [value]).unwrap();
    assert_eq!(updated, 1);

    let error = replica.poll().unwrap_err();
    match &error {
        StoreError::CorruptRow {
            revision: 5,
            column: named,
            ..
        } => assert_eq!(*named, column),
        other => panic!("expected a corrupt row at revision 5, got {other:?}"),
    }
    let text = error.to_string();
    assert!(text.contains("revision 5"), "{text}");
    assert!(text.contains(&format!("`{column}`")), "{text}");
    assert_eq!(replica.company().revision(), 3);
    assert_eq!(document(replica.company()), before);

    drop(writer);
    let restart = Writer::open(Store::open(db.path()).unwrap());
    assert!(matches!(
        restart,
        Err(StoreError::CorruptRow { revision: 5, .. })
    ));
}

#[test]
fn a_corrupt_change_is_refused_by_its_revision_and_applies_nothing() {
    corrupt_row_is_refused("corrupt-change", "change", r#"{"op":"fly"}"#);
}

#[test]
fn a_corrupt_actor_is_refused_by_its_revision_and_applies_nothing() {
    corrupt_row_is_refused("corrupt-actor", "actor", r#"{"user":"ann"}"#);
}

#[test]
fn a_corrupt_context_is_refused_by_its_revision_and_applies_nothing() {
    corrupt_row_is_refused("corrupt-context", "context", r#"{"requestId":42}"#);
}

#[test]
fn actor_and_context_round_trip_through_the_table() {
    let db = TempDb::new("actor-context");
    let mut writer = Writer::open_with(Store::open(db.path()).unwrap(), 3).unwrap();
    write_changes(&mut writer, 2); // user-0 (the Admin), then a group
    let bob = UserId::new(1);
    writer
        .write(create_user("bob"), [("requestId", "r-bob")])
        .unwrap();
    let session = writer.company().login(UserId::new(0)).unwrap();
    let change = Change::AssignRole {
        role: RoleId::SUPERVISOR,
        principals: vec![bob.into()],
    };
    let context = [("requestId", "r-7"), ("at", "2025-03-03T09:07:00Z")];
    let report = writer.write_as(&session, change.clone(), context).unwrap();
    let revision = report.revision - 1;

    let store = Store::open_read_only(db.path()).unwrap();
    let entry = store.read_log(revision).unwrap().remove(0);
    assert_eq!(entry.revision, revision);
    assert_eq!(entry.change, change);
    assert_eq!(entry.actor, Some(Actor::of(&session)));
    let pairs: Vec<(&str, &str)> = entry
        .context
        .iter()
        .map(|(key, value)| (key.as_str(), value.as_str()))
        .collect();
    assert_eq!(pairs, context);

    // As stored: JSON text, and no actor for a change the host made.
    let row = |revision: u64| -> (Option<String>, String) {
        let sql = "SELECT actor, context FROM change_log WHERE revision = ?1";
        db.other_connection()
            .query_row(sql, [revision], |row| Ok((row.get(0)?, row.get(1)?)))
            .unwrap()
    };
    assert_eq!(
        row(revision),
        (
            Some(r#"{"user":0}"#.to_owned()),
            r#"{"requestId":"r-7","at":"2025-03-03T09:07:00Z"}"#.to_owned()
        )
    );
    assert_eq!(row(2), (None, r#"{"requestId":"r-bob"}"#.to_owned()));
}

/// A replica that opened the file before any writer created the company
/// takes the company's id from the file at its first poll, then follows the
/// log.
#[test]
fn a_replica_opened_before_the_writer_takes_the_companys_id() {
    let db = TempDb::new("replica-first");
    drop(Store::open(db.path()).unwrap()); // creates the tables
    let mut replica = Replica::open(Store::open_read_only(db.path()).unwrap()).unwrap();
    let mut writer = Writer::open_with(Store::open(db.path()).unwrap(), 3).unwrap();
    write_changes(&mut writer, 4);

    assert_eq!(replica.poll().unwrap(), 4);
    assert_eq!(replica.company().id(), writer.company().id());
    assert_eq!(document(replica.company()), document(writer.company()));
    write_changes(&mut writer, 1);
    assert_eq!(replica.poll().unwrap(), 1);
    assert_eq!(document(replica.company()), document(writer.company()));
}
