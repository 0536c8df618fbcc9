//! Faults with real processes: writers racing, killed before or after
//! storing, a database connection ended under a follower, a corrupt row
//! under a replica process, and a read-only or full SQLite file.
//!
//! Each test runs on SQLite and, with `CALLGATE_POSTGRES_URL` set, on
//! PostgreSQL, unless its name says one database.

#[path = "../../tests/support/mod.rs"]
mod support;

mod drill;

use std::collections::BTreeMap;

use callgate_store::{DatabaseErrorKind, StoreError, StoredEntry, Writer};
use drill::{Drill, PATIENCE, count_from_env};
use support::{Place, create_user, document, each_store};

/// How many changes each racing writer process applies, unless
/// `CALLGATE_DRILL_RACE_CHANGES` says otherwise.
const RACE_CHANGES: u64 = 1_000;

fn writer(place: &Place) -> Writer {
    Writer::open(place.open(), "acme").expect("the writer opens")
}

fn write_users(writer: &mut Writer, names: &[&str]) {
    for name in names {
        writer.apply(create_user(name)).expect("stored");
    }
}

#[test]
fn two_writer_processes_racing_store_each_change_once_and_end_on_one_document() {
    let changes = count_from_env("CALLGATE_DRILL_RACE_CHANGES", RACE_CHANGES);
    each_store(|place| {
        let count = changes.to_string();
        // Both create the tenant too, racing: they must end on one company.
        // With the default attempts: a writer that lost a race plans under
        // the company's write lock, so neither starves. Once done, each
        // catches up with the other and prints the document it holds.
        let total = (2 * changes).to_string();
        let racers = ["a", "b"].map(|prefix| {
            let args = ["write", &count, "--prefix", prefix];
            Drill::start(place, "acme", &[&args[..], &["--settle", &total]].concat())
        });
        let (mut revisions, mut settled) = (Vec::new(), Vec::new());
        for racer in racers {
            let mut lines = racer.succeed(PATIENCE);
            settled.push(lines.pop().expect("the racer's document"));
            assert_eq!(
                lines.len() as u64,
                changes,
                "{}: one line per change",
                place.name()
            );
            revisions.extend(lines.iter().map(|line| committed(line)));
        }
        revisions.sort_unstable();
        let all: Vec<u64> = (1..=2 * changes).collect();
        assert!(
            revisions == all,
            "{}: each revision committed once",
            place.name()
        );

        let writer = writer(place);
        assert_eq!(writer.revision(), 2 * changes);
        assert_each_change_stored_once(place, &writer, changes);
        let expected = document(writer.company());
        for (racer, printed) in settled.iter().enumerate() {
            assert!(
                printed == &expected,
                "{}: racer {racer} ends elsewhere",
                place.name()
            );
        }
        let printed = Drill::start(place, "acme", &["document"]).succeed(PATIENCE);
        assert!(
            printed == [expected],
            "{}: the document drill",
            place.name()
        );
    });
}

/// The revision of a `committed <revision>` line.
#[track_caller]
fn committed(line: &str) -> u64 {
    line.strip_prefix("committed ")
        .and_then(|rev| rev.parse().ok())
        .unwrap_or_else(|| panic!("expected `committed N`, got `{line}`"))
}

/// The log holds exactly the changes `a-0`... and `b-0`... (by the label
/// each drill entry carries in its context), each once.
#[track_caller]
fn assert_each_change_stored_once(place: &Place, writer: &Writer, changes: u64) {
    let mut store = place.open();
    let rows = store
        .read_log(writer.id(), 0, usize::MAX)
        .expect("the log reads");
    let mut stored: BTreeMap<String, u32> = BTreeMap::new();
    for row in &rows {
        let context: BTreeMap<String, String> =
            serde_json::from_str(&row.context).expect("a drill's context");
        let label = context.get("drill").expect("a drill's label").clone();
        *stored.entry(label).or_default() += 1;
    }
    let duplicates: Vec<_> = stored.iter().filter(|(_, n)| **n > 1).collect();
    assert!(
        duplicates.is_empty(),
        "{}: stored twice: {duplicates:?}",
        place.name()
    );
    for prefix in ["a", "b"] {
        let missing: Vec<String> = (0..changes)
            .map(|i| format!("{prefix}-{i}"))
            .filter(|label| !stored.contains_key(label))
            .collect();
        assert!(missing.is_empty(), "{}: lost: {missing:?}", place.name());
    }
    assert_eq!(
        rows.len() as u64,
        2 * changes,
        "{}: nothing else",
        place.name()
    );
}

#[test]
fn a_writer_killed_after_storing_has_its_change_applied_on_restart() {
    each_store(|place| {
        let mut before = writer(place);
        write_users(&mut before, &["ann", "bob", "cid"]);
        drop(before);

        let mut hung = Drill::start(place, "acme", &["store-then-hang"]);
        assert_eq!(hung.number_after("stored", PATIENCE), 3);
        assert_eq!(
            place.log_rows(),
            4,
            "{}: stored before the kill",
            place.name()
        );
        assert!(hung.is_running(), "{}: {}", place.name(), hung.stderr());
        hung.kill();

        let restarted = writer(place);
        assert_eq!(restarted.revision(), 4, "{}", place.name());
        assert!(restarted.company().user_by_name("hung").is_some());
        assert_eq!(place.log_rows(), 4);
    });
}

#[test]
fn a_writer_killed_before_storing_changed_nothing() {
    each_store(|place| {
        let mut before = writer(place);
        write_users(&mut before, &["ann", "bob", "cid"]);
        let expected = document(before.company());
        drop(before);

        let mut hung = Drill::start(place, "acme", &["hang-before-store"]);
        assert_eq!(hung.number_after("storing", PATIENCE), 3);
        assert!(hung.is_running(), "{}: {}", place.name(), hung.stderr());
        hung.kill();

        let restarted = writer(place);
        assert_eq!(restarted.revision(), 3, "{}", place.name());
        assert!(restarted.company().user_by_name("hung").is_none());
        assert_eq!(document(restarted.company()), expected);
        assert_eq!(place.log_rows(), 3);
    });
}

/// A corrupt row under a replica process.
///
/// The process keeps following and reports (`error corrupt_entry ...`)
/// rather than exiting: that is what a [`Follower`](callgate_store::Follower)
/// does, and what a service wants. It keeps answering from its last good
/// state, and picks up the mended row without a restart, whereas a
/// restarted replica would not even open (a start replays the log, and
/// refuses the same row).
#[test]
fn a_replica_process_reports_a_corrupt_row_keeps_its_state_and_takes_the_mended_row() {
    each_store(|place| {
        let mut writer = writer(place);
        write_users(&mut writer, &["ann", "bob", "cid"]);
        let replica = Drill::start(
            place,
            "acme",
            &["replica", "--until", "6", "--check-tokens"],
        );
        replica.send("token 3");
        assert_eq!(replica.number_after("view", PATIENCE), 3);

        // A row that does not decode, stored as another process would.
        let bad = StoredEntry::new(writer.id(), 3, r#"{"op":"fly"}"#.into(), None, "{}".into());
        place
            .open()
            .append(&bad, None)
            .expect("the store keeps any text");
        let error = replica.line(PATIENCE);
        assert!(
            error.starts_with("error corrupt_entry "),
            "{}: {error}",
            place.name()
        );
        assert!(
            error.contains("log entry at revision 3: column `change`"),
            "{error}"
        );

        replica.send("token 3");
        assert_eq!(
            replica.number_after("view", PATIENCE),
            3,
            "the last good state"
        );

        place.execute(
            r#"UPDATE callgate_log SET change = '{"op":"create_user","name":"mended"}'
               WHERE revision = 3"#,
        );
        writer.catch_up().expect("the mended row applies");
        write_users(&mut writer, &["dan", "eve"]);
        let lines = replica.succeed(PATIENCE);
        assert_eq!(
            lines.last(),
            Some(&document(writer.company())),
            "{}",
            place.name()
        );
        assert!(writer.company().user_by_name("mended").is_some());
    });
}

#[test]
fn sqlite_a_read_only_file_refuses_a_write_with_a_typed_error_and_changes_nothing() {
    let place = Place::sqlite();
    let mut writer = writer(&place);
    write_users(&mut writer, &["ann", "bob"]);
    let path = place.sqlite_path().expect("a file");
    let store = callgate_store::SqliteStore::open_read_only(&path).expect("opens");
    let mut read_only = Writer::open(store, "acme").expect("a writer loads read-only");
    let before = document(read_only.company());

    let error = read_only.apply(create_user("cid")).expect_err("read-only");
    assert_eq!(
        error.database_kind(),
        Some(DatabaseErrorKind::ReadOnly),
        "{error}"
    );
    assert_eq!(error.code(), "database_read_only");
    assert_eq!(
        document(read_only.company()),
        before,
        "the company is unchanged"
    );
    assert_eq!(read_only.revision(), 2);
    assert_eq!(place.log_rows(), 2, "nothing stored");

    writer
        .apply(create_user("cid"))
        .expect("the read-write writer still writes");
    assert!(
        read_only.catch_up().is_ok_and(|n| n == 1),
        "and reading still works"
    );
}

#[test]
fn sqlite_a_full_file_refuses_a_write_and_the_same_writer_writes_once_it_has_room() {
    let place = Place::sqlite();
    let path = place.sqlite_path().expect("a file");
    let store = shared::Shared::new(callgate_store::SqliteStore::open(&path).expect("opens"));
    let mut writer = Writer::open(store.clone(), "acme").expect("the writer opens");
    write_users(&mut writer, &["ann", "bob"]);
    // A little room left: some writes fit, then the file is full.
    let pages: u64 = store.pragma("page_count", "").parse().expect("a count");
    store.pragma("max_page_count", &(pages + 4).to_string());

    // Long names fill the last pages fast.
    let name = |n: u32| format!("{n}-{}", "x".repeat(2_000));
    let (error, n) = (0..1_000)
        .find_map(|n| {
            let (before, rows) = (document(writer.company()), place.log_rows());
            let error = writer.apply(create_user(&name(n))).err()?;
            assert_eq!(
                document(writer.company()),
                before,
                "unchanged by the failed write"
            );
            assert_eq!(place.log_rows(), rows, "nothing stored");
            Some((error, n))
        })
        .expect("the file fills up");
    assert!(
        matches!(
            &error,
            StoreError::Database {
                kind: DatabaseErrorKind::Full,
                ..
            }
        ),
        "{error}"
    );
    assert_eq!(error.code(), "database_full");

    store.pragma("max_page_count", "1000000");
    let revision = writer.revision();
    writer.apply(create_user(&name(n))).expect("room again");
    assert_eq!(writer.revision(), revision + 1);
    assert_eq!(
        document(writer.company()),
        document(Writer::open(place.open(), "acme").expect("opens").company())
    );
}

/// A store the test shares with the writer that owns it, to set the
/// connection's pragmas under the writer.
mod shared {
    use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
    use std::time::Duration;

    use callgate::CompanyId;
    use callgate_store::{Checkpoint, SqliteStore, Store, StoreError, StoredEntry, Wakeup};

    #[derive(Clone)]
    pub(crate) struct Shared(Arc<Mutex<SqliteStore>>);

    impl Shared {
        pub(crate) fn new(store: SqliteStore) -> Self {
            Self(Arc::new(Mutex::new(store)))
        }

        fn lock(&self) -> MutexGuard<'_, SqliteStore> {
            self.0.lock().unwrap_or_else(PoisonError::into_inner)
        }

        /// Runs `PRAGMA name` (or `PRAGMA name = value`) on the connection,
        /// and returns what it says.
        pub(crate) fn pragma(&self, name: &str, value: &str) -> String {
            let sql = if value.is_empty() {
                format!("PRAGMA {name}")
            } else {
                format!("PRAGMA {name} = {value}")
            };
            let store = self.lock();
            let said: i64 = store
                .connection()
                .query_row(&sql, [], |row| row.get(0))
                .expect("the pragma runs");
            said.to_string()
        }
    }

    impl Store for Shared {
        fn company_of(&mut self, tenant: &str) -> Result<Option<CompanyId>, StoreError> {
            self.lock().company_of(tenant)
        }
        fn create_tenant(
            &mut self,
            tenant: &str,
            checkpoint: &Checkpoint,
        ) -> Result<CompanyId, StoreError> {
            self.lock().create_tenant(tenant, checkpoint)
        }
        fn tenants(&mut self) -> Result<Vec<(String, CompanyId)>, StoreError> {
            self.lock().tenants()
        }
        fn append(
            &mut self,
            entry: &StoredEntry,
            checkpoint: Option<&Checkpoint>,
        ) -> Result<(), StoreError> {
            self.lock().append(entry, checkpoint)
        }
        fn append_batch(
            &mut self,
            entries: &[StoredEntry],
            checkpoint: Option<&Checkpoint>,
        ) -> Result<(), StoreError> {
            self.lock().append_batch(entries, checkpoint)
        }
        fn read_log(
            &mut self,
            company: CompanyId,
            from: u64,
            limit: usize,
        ) -> Result<Vec<StoredEntry>, StoreError> {
            self.lock().read_log(company, from, limit)
        }
        fn checkpoint(&mut self, company: CompanyId) -> Result<Option<Checkpoint>, StoreError> {
            self.lock().checkpoint(company)
        }
        fn put_checkpoint(&mut self, checkpoint: &Checkpoint) -> Result<(), StoreError> {
            self.lock().put_checkpoint(checkpoint)
        }
        fn compact(&mut self, company: CompanyId) -> Result<u64, StoreError> {
            self.lock().compact(company)
        }
        fn wait(&mut self, timeout: Duration) -> Result<Wakeup, StoreError> {
            self.lock().wait(timeout)
        }
        fn reconnect(&mut self) -> Result<(), StoreError> {
            self.lock().reconnect()
        }
    }
}

/// PostgreSQL only: the server ends a follower's session
/// (`pg_terminate_backend` on the backend pid its connection reported
/// before the replica took it); the follower reports the lost connection,
/// reconnects and catches up.
///
/// The test holds the log's table locked meanwhile, so the follower's new
/// connection waits (preparing its statements) and its error stays for the
/// test to see, instead of lasting a few milliseconds.
#[cfg(feature = "postgres")]
#[test]
fn postgres_a_follower_whose_session_is_ended_reconnects_and_catches_up() {
    use callgate_store::{PostgresOptions, PostgresStore, Replica};

    let Some(place) = Place::postgres() else {
        return; // said once on stderr by the harness
    };
    let Place::Postgres { url, schema } = &place else {
        unreachable!("a PostgreSQL place")
    };
    let mut writer = writer(&place);
    write_users(&mut writer, &["ann", "bob", "cid"]);
    let options = PostgresOptions::default().schema(schema.clone());
    let mut store = PostgresStore::connect_with(url, options).expect("the store connects");
    let pid: i32 = store
        .client()
        .query_one("SELECT pg_backend_pid()", &[])
        .expect("the server answers")
        .get(0);
    let follower = Replica::open(store, "acme").expect("opens").follow();
    follower.wait_for(3, PATIENCE).expect("reached");

    let mut admin = postgres::Client::connect(url, postgres::NoTls).expect("the test connects");
    let mut lock = admin.transaction().expect("begins");
    let table = format!("\"{schema}\".callgate_log");
    lock.batch_execute(&format!("LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE"))
        .expect("locks");
    postgres_admin::terminate(url, pid);
    let error = postgres_admin::wait_for_error(&follower);
    assert!(error.is_connection_lost(), "{}", error);
    assert_eq!(follower.reader().view().revision(), 3, "serving meanwhile");
    lock.commit().expect("unlocks");

    write_users(&mut writer, &["dan", "eve"]);
    let view = follower
        .wait_for(5, PATIENCE)
        .expect("caught up after reconnecting");
    assert!(view.user_by_name("eve").is_some());
    assert!(follower.last_error().is_none(), "recovered: no error left");
}

#[cfg(feature = "postgres")]
mod postgres_admin {
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    use callgate_store::{Follower, StoreError};

    use crate::PATIENCE;

    /// Ends the session of backend `pid` from a connection of the test's
    /// own, and waits until it is gone.
    pub(crate) fn terminate(url: &str, pid: i32) {
        let mut admin = postgres::Client::connect(url, postgres::NoTls).expect("the test connects");
        let ended: bool = admin
            .query_one("SELECT pg_terminate_backend($1)", &[&pid])
            .expect("the server answers")
            .get(0);
        assert!(ended, "backend {pid} was there to end");
        let start = Instant::now();
        loop {
            let left: i64 = admin
                .query_one(
                    "SELECT count(*) FROM pg_stat_activity WHERE pid = $1",
                    &[&pid],
                )
                .expect("the server answers")
                .get(0);
            if left == 0 {
                return;
            }
            assert!(start.elapsed() < PATIENCE, "backend {pid} did not end");
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// The error the follower reports, waited for.
    pub(crate) fn wait_for_error(follower: &Follower) -> Arc<StoreError> {
        let start = Instant::now();
        loop {
            if let Some(error) = follower.last_error() {
                return error;
            }
            assert!(start.elapsed() < PATIENCE, "no error reported");
            std::thread::sleep(Duration::from_millis(2));
        }
    }
}
