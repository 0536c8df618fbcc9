//! What only the PostgreSQL store has: migrations under concurrent connects,
//! typed conflicts from the server, lost sessions, `LISTEN`/`NOTIFY` scoped
//! to a schema, quoted schema names.
//!
//! Runs when `CALLGATE_POSTGRES_URL` names a server (each test in a fresh
//! schema of its own, dropped at the end) and passes without running
//! otherwise.

#![cfg(feature = "postgres")]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use callgate::CompanyId;
use callgate_store::{
    Checkpoint, DatabaseErrorKind, PostgresOptions, PostgresStore, Store, StoreError, StoredEntry,
    Wakeup,
};

/// The variable naming the PostgreSQL server of the tests.
const POSTGRES_URL: &str = "CALLGATE_POSTGRES_URL";

/// The server's URL, or `None` (the test then passes without running).
fn url() -> Option<String> {
    match std::env::var(POSTGRES_URL) {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            eprintln!("note: {POSTGRES_URL} is not set: skipped");
            None
        }
    }
}

/// A schema of the test's own, dropped (with its tables) when dropped.
struct Schema {
    url: String,
    name: String,
}

impl Schema {
    fn new(url: &str) -> Self {
        Self::named(url, unique_name("callgate_pgonly"))
    }

    fn named(url: &str, name: String) -> Self {
        Self {
            url: url.to_owned(),
            name,
        }
    }

    fn options(&self) -> PostgresOptions {
        PostgresOptions::default().schema(self.name.clone())
    }

    fn connect(&self) -> PostgresStore {
        PostgresStore::connect_with(&self.url, self.options()).expect("the store connects")
    }

    fn quoted(&self) -> String {
        format!("\"{}\"", self.name.replace('"', "\"\""))
    }
}

impl Drop for Schema {
    fn drop(&mut self) {
        let mut client = admin(&self.url);
        let drop = format!("DROP SCHEMA IF EXISTS {} CASCADE", self.quoted());
        if let Err(error) = client.batch_execute(&drop) {
            eprintln!("could not drop schema `{}`: {error}", self.name);
        }
    }
}

/// A plain connection of the test's own.
fn admin(url: &str) -> postgres::Client {
    postgres::Client::connect(url, postgres::NoTls).expect("the test connects")
}

/// A name no other test of any process uses.
fn unique_name(prefix: &str) -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!(
        "{prefix}_{}_{}_{nanos}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

fn entry(company: CompanyId, revision: u64, change: &str) -> StoredEntry {
    StoredEntry::new(
        company,
        revision,
        change.to_owned(),
        Some(r#"{"user":"ann"}"#.to_owned()),
        "{}".to_owned(),
    )
}

/// A new tenant `acme` with its first checkpoint, in `store`.
fn new_company(store: &mut PostgresStore) -> CompanyId {
    let company = CompanyId::random();
    let first = Checkpoint::new(company, 0, r#"{"doc":0}"#.to_owned());
    assert_eq!(store.create_tenant("acme", &first).unwrap(), company);
    company
}

/// Waits on `store` until it reports `company` at `revision`, with every
/// `Changed` on the way naming only `company`.
fn wait_until_changed(store: &mut PostgresStore, company: CompanyId, revision: u64) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        assert!(
            Instant::now() < deadline,
            "no notice of revision {revision}"
        );
        match store.wait(Duration::from_secs(1)).unwrap() {
            Wakeup::Changed(changed) => {
                assert!(changed.iter().all(|(c, _)| *c == company), "{changed:?}");
                if changed.contains(&(company, revision)) {
                    return;
                }
            }
            other => panic!("expected a notice, got {other:?}"),
        }
    }
}

#[test]
fn concurrent_connects_migrate_the_schema_once() {
    let Some(url) = url() else { return };
    let schema = Schema::new(&url);
    let barrier = Arc::new(Barrier::new(8));
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let (url, options, barrier) = (url.clone(), schema.options(), barrier.clone());
            thread::spawn(move || {
                barrier.wait();
                PostgresStore::connect_with(&url, options).map(drop)
            })
        })
        .collect();
    for thread in threads {
        // A second run of the migration would fail: its tables exist.
        thread.join().unwrap().expect("every connect succeeds");
    }
    let mut client = admin(&url);
    let versions = client
        .query(
            &format!(
                "SELECT version FROM {}.callgate_schema_version",
                schema.quoted()
            ),
            &[],
        )
        .unwrap();
    let versions: Vec<i64> = versions.iter().map(|row| row.get(0)).collect();
    assert_eq!(versions, [3]);
    let tables: i64 = client
        .query_one(
            "SELECT count(*) FROM pg_tables WHERE schemaname = $1 AND tablename LIKE 'callgate_%'",
            &[&schema.name],
        )
        .unwrap()
        .get(0);
    assert_eq!(tables, 4);
    // Connecting again changes nothing.
    schema.connect();
}

#[test]
fn a_schema_a_newer_release_wrote_is_refused() {
    let Some(url) = url() else { return };
    let schema = Schema::new(&url);
    let mut store = schema.connect();
    store
        .client()
        .batch_execute("UPDATE callgate_schema_version SET version = 1000")
        .unwrap();
    drop(store);
    match PostgresStore::connect_with(&url, schema.options()) {
        Err(StoreError::SchemaTooNew { found, known }) => assert_eq!((found, known), (1000, 3)),
        other => panic!("expected SchemaTooNew, got {other:?}"),
    }
}

#[test]
fn a_revision_taken_by_another_connection_is_a_typed_conflict() {
    let Some(url) = url() else { return };
    let schema = Schema::new(&url);
    let (mut first, mut second) = (schema.connect(), schema.connect());
    let company = new_company(&mut first);
    first
        .append(&entry(company, 0, r#"{"a":1}"#), None)
        .unwrap();

    let late_checkpoint = Checkpoint::new(company, 1, r#"{"doc":"lost"}"#.to_owned());
    let error = second
        .append(&entry(company, 0, r#"{"b":2}"#), Some(&late_checkpoint))
        .unwrap_err();
    assert!(
        matches!(error, StoreError::Conflict { company: c, revision: 0 } if c == company),
        "{error:?}"
    );
    // Nothing of the losing append is stored: neither its entry nor its
    // checkpoint.
    let log = second.read_log(company, 0, 10).unwrap();
    assert_eq!(log, [entry(company, 0, r#"{"a":1}"#)]);
    let checkpoint = second.checkpoint(company).unwrap().unwrap();
    assert_eq!(
        (checkpoint.revision, checkpoint.document.as_str()),
        (0, r#"{"doc":0}"#)
    );
    // And the connection is usable after it.
    second
        .append(&entry(company, 1, r#"{"b":2}"#), None)
        .unwrap();
}

#[test]
fn racing_creators_of_a_tenant_agree_on_its_company() {
    let Some(url) = url() else { return };
    let schema = Schema::new(&url);
    drop(schema.connect()); // migrated before the race
    let barrier = Arc::new(Barrier::new(8));
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let mut store = schema.connect();
            let barrier = barrier.clone();
            thread::spawn(move || {
                let mine = CompanyId::random();
                barrier.wait();
                let kept = store
                    .create_tenant("acme", &Checkpoint::new(mine, 0, "{}".to_owned()))
                    .unwrap();
                (mine, kept)
            })
        })
        .collect();
    let results: Vec<_> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    let kept = results[0].1;
    assert!(results.iter().all(|(_, k)| *k == kept), "{results:?}");
    assert_eq!(results.iter().filter(|(mine, _)| *mine == kept).count(), 1);
    let mut store = schema.connect();
    assert_eq!(store.tenants().unwrap(), [("acme".to_owned(), kept)]);
    assert_eq!(store.checkpoint(kept).unwrap().map(|c| c.revision), Some(0));
    let losers = results.iter().filter(|(mine, _)| *mine != kept);
    for (mine, _) in losers {
        assert_eq!(store.checkpoint(*mine).unwrap(), None);
    }
}

#[test]
fn a_terminated_session_is_a_lost_connection_until_reconnected() {
    let Some(url) = url() else { return };
    let schema = Schema::new(&url);
    let mut store = schema.connect();
    let company = new_company(&mut store);
    store
        .append(&entry(company, 0, r#"{"a":1}"#), None)
        .unwrap();
    assert_eq!(store.wait(Duration::ZERO).unwrap(), Wakeup::Poll); // listening

    let terminate = |store: &mut PostgresStore| {
        let pid: i32 = store
            .client()
            .query_one("SELECT pg_backend_pid()", &[])
            .unwrap()
            .get(0);
        let ended: bool = admin(&url)
            .query_one("SELECT pg_terminate_backend($1, 5000)", &[&pid])
            .unwrap()
            .get(0);
        assert!(ended);
    };
    let lost = |result: Result<(), StoreError>| {
        let error = result.expect_err("the connection is gone");
        assert_eq!(
            error.database_kind(),
            Some(DatabaseErrorKind::ConnectionLost),
            "{error:?}"
        );
    };

    // While waiting for notices.
    terminate(&mut store);
    lost(store.wait(Duration::from_secs(5)).map(drop));
    lost(store.company_of("acme").map(drop));
    store.reconnect().unwrap();
    assert_eq!(store.read_log(company, 0, 10).unwrap().len(), 1);

    // Between calls: every call after it says so, and nothing panics.
    terminate(&mut store);
    lost(store.company_of("acme").map(drop));
    lost(store.append(&entry(company, 1, r#"{"b":2}"#), None));
    lost(store.read_log(company, 0, 10).map(drop));
    lost(store.wait(Duration::from_millis(10)).map(drop));
    store.reconnect().unwrap();

    // The data is intact, and the new connection works and listens again.
    assert_eq!(store.company_of("acme").unwrap(), Some(company));
    assert_eq!(
        store.read_log(company, 0, 10).unwrap(),
        [entry(company, 0, r#"{"a":1}"#)]
    );
    assert_eq!(store.wait(Duration::ZERO).unwrap(), Wakeup::Poll);
    let mut writer = schema.connect();
    writer
        .append(&entry(company, 1, r#"{"b":2}"#), None)
        .unwrap();
    wait_until_changed(&mut store, company, 2);
}

#[test]
fn wait_reports_what_another_connection_appended() {
    let Some(url) = url() else { return };
    let schema = Schema::new(&url);
    let (mut replica, mut writer) = (schema.connect(), schema.connect());
    // The first wait listens, and says to poll: notices before it are lost.
    assert_eq!(replica.wait(Duration::from_secs(5)).unwrap(), Wakeup::Poll);
    let start = Instant::now();
    assert_eq!(
        replica.wait(Duration::from_millis(100)).unwrap(),
        Wakeup::TimedOut
    );
    assert!(start.elapsed() >= Duration::from_millis(90));

    let company = new_company(&mut writer);
    writer
        .append(&entry(company, 0, r#"{"a":1}"#), None)
        .unwrap();
    assert_eq!(
        replica.wait(Duration::from_secs(5)).unwrap(),
        Wakeup::Changed(vec![(company, 1)])
    );
    assert_eq!(
        replica.wait(Duration::from_millis(50)).unwrap(),
        Wakeup::TimedOut
    );

    // A conflict notifies nobody; the next append does, with its checkpoint.
    assert!(writer.append(&entry(company, 0, "{}"), None).is_err());
    let checkpoint = Checkpoint::new(company, 1, r#"{"doc":1}"#.to_owned());
    writer
        .append(&entry(company, 1, r#"{"b":2}"#), Some(&checkpoint))
        .unwrap();
    assert_eq!(
        replica.wait(Duration::from_secs(5)).unwrap(),
        Wakeup::Changed(vec![(company, 2)])
    );
    writer
        .append(&entry(company, 2, r#"{"c":3}"#), None)
        .unwrap();
    writer
        .append(&entry(company, 3, r#"{"d":4}"#), None)
        .unwrap();
    wait_until_changed(&mut replica, company, 4);
}

#[test]
fn an_unreadable_notice_says_to_poll() {
    let Some(url) = url() else { return };
    let schema = Schema::new(&url);
    let mut replica = schema.connect();
    assert_eq!(replica.wait(Duration::ZERO).unwrap(), Wakeup::Poll);
    admin(&url)
        .execute(
            "SELECT pg_notify($1, 'not a notice')",
            &[&replica.channel()],
        )
        .unwrap();
    assert_eq!(replica.wait(Duration::from_secs(5)).unwrap(), Wakeup::Poll);
}

#[test]
fn appends_in_another_schema_do_not_wake_a_store() {
    let Some(url) = url() else { return };
    let (here, elsewhere) = (Schema::new(&url), Schema::new(&url));
    let mut replica = here.connect();
    let mut other = elsewhere.connect();
    assert_ne!(replica.channel(), other.channel());
    assert_eq!(replica.wait(Duration::ZERO).unwrap(), Wakeup::Poll);

    let company = new_company(&mut other);
    other.append(&entry(company, 0, "{}"), None).unwrap();
    assert_eq!(
        replica.wait(Duration::from_millis(300)).unwrap(),
        Wakeup::TimedOut
    );

    // Its own schema's appends still do.
    let mut writer = here.connect();
    let mine = new_company(&mut writer);
    writer.append(&entry(mine, 0, "{}"), None).unwrap();
    assert_eq!(
        replica.wait(Duration::from_secs(5)).unwrap(),
        Wakeup::Changed(vec![(mine, 1)])
    );
}

#[test]
fn schema_names_are_kept_as_given() {
    let Some(url) = url() else { return };
    // Quotes, spaces and capitals survive quoting.
    let odd = Schema::named(&url, unique_name("Callgate \"Odd\" Schema"));
    // 63 bytes, the most PostgreSQL keeps: its channel is hashed.
    let long_name = format!("{:x<63}", unique_name("callgate_long"));
    let long = Schema::named(&url, long_name);
    for schema in [&odd, &long] {
        let (mut replica, mut writer) = (schema.connect(), schema.connect());
        assert_eq!(replica.schema(), schema.name);
        assert!(replica.channel().len() <= 63, "{}", replica.channel());
        let tables: i64 = admin(&url)
            .query_one(
                "SELECT count(*) FROM pg_tables WHERE schemaname = $1",
                &[&schema.name],
            )
            .unwrap()
            .get(0);
        assert_eq!(tables, 4);
        assert_eq!(replica.wait(Duration::ZERO).unwrap(), Wakeup::Poll);
        let company = new_company(&mut writer);
        writer.append(&entry(company, 0, "{}"), None).unwrap();
        assert_eq!(
            replica.wait(Duration::from_secs(5)).unwrap(),
            Wakeup::Changed(vec![(company, 1)])
        );
    }

    // A name PostgreSQL would cut, or an empty one, is refused, not changed.
    let too_long = "x".repeat(64);
    for name in [too_long.clone(), String::new()] {
        let options = PostgresOptions::default().schema(name);
        let error = PostgresStore::connect_with(&url, options).unwrap_err();
        assert_eq!(
            error.database_kind(),
            Some(DatabaseErrorKind::Other),
            "{error}"
        );
    }
    let created: bool = admin(&url)
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)",
            &[&&too_long[..63]],
        )
        .unwrap()
        .get(0);
    assert!(!created);
}

#[test]
fn tenants_are_in_byte_order_whatever_the_collation() {
    let Some(url) = url() else { return };
    let schema = Schema::new(&url);
    let mut store = schema.connect();
    // A linguistic collation would put `_` and `a` before `B`.
    let icu: bool = store
        .client()
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_collation WHERE collname = 'en-x-icu')",
            &[],
        )
        .unwrap()
        .get(0);
    if icu {
        store
            .client()
            .batch_execute(
                "ALTER TABLE callgate_tenants ALTER COLUMN tenant TYPE text COLLATE \"en-x-icu\"",
            )
            .unwrap();
        store.reconnect().unwrap(); // statements prepared on the new column
    }
    for tenant in ["b", "a", "_", "B"] {
        let company = CompanyId::random();
        store
            .create_tenant(tenant, &Checkpoint::new(company, 0, "{}".to_owned()))
            .unwrap();
    }
    let tenants: Vec<String> = store
        .tenants()
        .unwrap()
        .into_iter()
        .map(|(t, _)| t)
        .collect();
    assert_eq!(tenants, ["B", "_", "a", "b"]);
}

#[test]
fn text_comes_back_byte_for_byte() {
    let Some(url) = url() else { return };
    let schema = Schema::new(&url);
    let mut store = schema.connect();
    let company = new_company(&mut store);
    // Key order and whitespace that `jsonb` would not keep.
    let change = "{ \"z\": 1,\n  \"a\" : [ 1.50 , \"é\\u0000\" ] }";
    let stored = StoredEntry::new(company, 0, change.to_owned(), None, " {} ".to_owned());
    store.append(&stored, None).unwrap();
    assert_eq!(store.read_log(company, 0, 1).unwrap(), [stored]);
    // Past the largest revision PostgreSQL keeps: nothing there, no error.
    assert_eq!(store.read_log(company, u64::MAX, 1).unwrap(), []);
}

#[test]
fn debug_never_shows_the_password() {
    let Some(url) = url() else { return };
    // A password the server (trust authentication) does not ask for.
    let Some(rest) = url.strip_prefix("postgres://") else {
        return;
    };
    let Some((user, host)) = rest.split_once('@') else {
        return;
    };
    if user.contains(':') {
        return;
    }
    let schema = Schema::new(&url);
    let with_password = format!("postgres://{user}:hunter2@{host}");
    let store = PostgresStore::connect_with(&with_password, schema.options()).unwrap();
    let debug = format!("{store:?}");
    assert!(!debug.contains("hunter2"), "{debug}");
    assert!(debug.contains(&schema.name), "{debug}");
}

#[test]
fn server_errors_are_sorted_by_kind() {
    let Some(url) = url() else { return };
    let schema = Schema::new(&url);
    let mut store = schema.connect();
    let company = new_company(&mut store);
    let kind = |result: Result<(), StoreError>| result.unwrap_err().database_kind();

    // 25006: a read-only session.
    store
        .client()
        .batch_execute("SET default_transaction_read_only = on")
        .unwrap();
    let append =
        |store: &mut PostgresStore, revision| store.append(&entry(company, revision, "{}"), None);
    assert_eq!(
        kind(append(&mut store, 0)),
        Some(DatabaseErrorKind::ReadOnly)
    );
    store
        .client()
        .batch_execute("SET default_transaction_read_only = off")
        .unwrap();

    // 55P03: a lock not granted in time.
    let mut locker = admin(&url);
    let mut lock = locker.transaction().unwrap();
    lock.batch_execute(&format!(
        "LOCK TABLE {}.callgate_log IN ACCESS EXCLUSIVE MODE",
        schema.quoted()
    ))
    .unwrap();
    store
        .client()
        .batch_execute("SET lock_timeout = '50ms'")
        .unwrap();
    assert_eq!(kind(append(&mut store, 0)), Some(DatabaseErrorKind::Busy));

    // 57P01: the session ended while its statement waited on the lock.
    store
        .client()
        .batch_execute("SET lock_timeout = 0")
        .unwrap();
    let pid: i32 = store
        .client()
        .query_one("SELECT pg_backend_pid()", &[])
        .unwrap()
        .get(0);
    let terminator = {
        let url = url.clone();
        thread::spawn(move || {
            let mut client = admin(&url);
            let waiting = "SELECT EXISTS (SELECT 1 FROM pg_stat_activity
                           WHERE pid = $1 AND wait_event_type = 'Lock')";
            while !client
                .query_one(waiting, &[&pid])
                .unwrap()
                .get::<_, bool>(0)
            {
                thread::sleep(Duration::from_millis(5));
            }
            client
                .execute("SELECT pg_terminate_backend($1, 5000)", &[&pid])
                .unwrap();
        })
    };
    let error = append(&mut store, 0).unwrap_err();
    terminator.join().unwrap();
    assert!(error.is_connection_lost(), "{error:?}");
    lock.rollback().unwrap();

    store.reconnect().unwrap();
    append(&mut store, 0).unwrap();
}

#[test]
fn a_refused_connection_says_what_the_server_said() {
    let Some(url) = url() else { return };
    let Some(rest) = url.split_once("://").map(|(_, rest)| rest) else {
        return;
    };
    let host = rest.split_once('@').map_or(rest, |(_, host)| host);
    let error = PostgresStore::connect(&format!("postgres://callgate_nobody@{host}"))
        .expect_err("no such role");
    let message = error.to_string();
    assert!(
        message.contains("role \"callgate_nobody\" does not exist"),
        "{message}"
    );
    assert!(
        message.starts_with("the database failed while connecting"),
        "{message}"
    );
}
