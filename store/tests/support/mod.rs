//! What the store's tests share: a fresh place to store in, on every
//! database this machine has.
//!
//! Each test runs its body once per database through [`each_store`]: on
//! SQLite (a new file in a temporary folder) and, when
//! `CALLGATE_POSTGRES_URL` is set, on PostgreSQL (a new schema of its own,
//! dropped at the end). Without the variable the PostgreSQL runs are skipped
//! with one line on standard error.

#![allow(dead_code)] // each test binary uses its own part
#![allow(unreachable_pub)] // shared by test binaries, not exported

use std::io::Write as _;
use std::path::PathBuf;
use std::sync::Once;
use std::sync::atomic::{AtomicU64, Ordering};

use callgate_store::{SqliteStore, Store};

/// The variable naming the PostgreSQL server of the tests.
pub const POSTGRES_URL: &str = "CALLGATE_POSTGRES_URL";

/// A fresh, empty place to store companies in, on one database.
pub enum Place {
    /// A new SQLite file.
    Sqlite {
        /// Removed when the place is dropped.
        dir: tempfile::TempDir,
    },
    /// A new schema in the test database.
    Postgres {
        /// The server's URL.
        url: String,
        /// The schema, dropped when the place is dropped.
        schema: String,
    },
}

impl Place {
    /// A new SQLite place.
    pub fn sqlite() -> Self {
        Place::Sqlite {
            dir: tempfile::tempdir().expect("a temporary folder"),
        }
    }

    /// A new PostgreSQL place, if the tests have a server.
    pub fn postgres() -> Option<Self> {
        if !cfg!(feature = "postgres") {
            return None;
        }
        let url = postgres_url()?;
        Some(Place::Postgres {
            schema: unique_schema(),
            url,
        })
    }

    /// Which database: `sqlite` or `postgres`.
    pub fn name(&self) -> &'static str {
        match self {
            Place::Sqlite { .. } => "sqlite",
            Place::Postgres { .. } => "postgres",
        }
    }

    /// The SQLite file's path (`None` on PostgreSQL).
    pub fn sqlite_path(&self) -> Option<PathBuf> {
        match self {
            Place::Sqlite { dir } => Some(dir.path().join("callgate.db")),
            Place::Postgres { .. } => None,
        }
    }

    /// What a drill process is given to open this place:
    /// `sqlite:PATH` or `postgres:SCHEMA@URL`.
    pub fn address(&self) -> String {
        match self {
            Place::Sqlite { dir } => format!("sqlite:{}", dir.path().join("callgate.db").display()),
            Place::Postgres { url, schema } => format!("postgres:{schema}@{url}"),
        }
    }

    /// A new read-write connection.
    pub fn open(&self) -> Box<dyn Store> {
        self.try_open().expect("the store opens")
    }

    /// A new read-write connection, or the error.
    pub fn try_open(&self) -> Result<Box<dyn Store>, callgate_store::StoreError> {
        match self {
            Place::Sqlite { dir } => {
                Ok(Box::new(SqliteStore::open(dir.path().join("callgate.db"))?))
            }
            #[cfg(feature = "postgres")]
            Place::Postgres { url, schema } => postgres::open(url, schema),
            #[cfg(not(feature = "postgres"))]
            Place::Postgres { .. } => unreachable!("no PostgreSQL place without the feature"),
        }
    }

    /// A new connection for a replica: read-only on SQLite.
    pub fn open_read_only(&self) -> Box<dyn Store> {
        match self {
            Place::Sqlite { dir } => Box::new(
                SqliteStore::open_read_only(dir.path().join("callgate.db"))
                    .expect("the store opens"),
            ),
            Place::Postgres { .. } => self.open(),
        }
    }
}

impl Drop for Place {
    fn drop(&mut self) {
        #[cfg(feature = "postgres")]
        if let Place::Postgres { url, schema } = self {
            postgres::drop_schema(url, schema);
        }
    }
}

/// Runs `test` on a fresh place of every database this machine has.
pub fn each_store(test: impl Fn(&Place)) {
    test(&Place::sqlite());
    if let Some(place) = Place::postgres() {
        test(&place);
    }
}

/// The PostgreSQL URL of the tests, or `None` (said once per test binary).
pub fn postgres_url() -> Option<String> {
    static SKIPPED: Once = Once::new();
    match std::env::var(POSTGRES_URL) {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            SKIPPED.call_once(|| {
                // Straight to the process's stderr, past the test harness's
                // capture, so the skip is seen.
                let _ = writeln!(
                    std::io::stderr(),
                    "note: {POSTGRES_URL} is not set: the PostgreSQL runs of these tests are skipped"
                );
            });
            None
        }
    }
}

/// A schema name no other test of any process uses.
fn unique_schema() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!(
        "callgate_test_{}_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed),
        nanos
    )
}

#[cfg(feature = "postgres")]
mod postgres {
    use callgate_store::{PostgresOptions, PostgresStore, Store, StoreError};

    pub(super) fn open(url: &str, schema: &str) -> Result<Box<dyn Store>, StoreError> {
        let options = PostgresOptions::default().schema(schema);
        Ok(Box::new(PostgresStore::connect_with(url, options)?))
    }

    pub(super) fn drop_schema(url: &str, schema: &str) {
        if let Ok(mut client) = ::postgres::Client::connect(url, ::postgres::NoTls) {
            let _ = client.batch_execute(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"));
        }
    }
}

impl Place {
    /// Runs `sql` on a connection of the host's own (to corrupt or mend a
    /// row, as an operator would).
    pub fn execute(&self, sql: &str) {
        match self {
            Place::Sqlite { dir } => {
                let conn = rusqlite::Connection::open(dir.path().join("callgate.db"))
                    .expect("the file opens");
                conn.execute_batch(sql).expect("the statement runs");
            }
            #[cfg(feature = "postgres")]
            Place::Postgres { url, schema } => {
                let mut client = ::postgres::Client::connect(url, ::postgres::NoTls)
                    .expect("the server answers");
                client
                    .batch_execute(&format!("SET search_path TO \"{schema}\"; {sql}"))
                    .expect("the statement runs");
            }
            #[cfg(not(feature = "postgres"))]
            Place::Postgres { .. } => unreachable!("no PostgreSQL place without the feature"),
        }
    }

    /// How many log rows the place holds, over every company.
    pub fn log_rows(&self) -> u64 {
        let mut store = self.open();
        store
            .tenants()
            .expect("the tenants read")
            .into_iter()
            .map(|(_, company)| {
                store
                    .read_log(company, 0, usize::MAX)
                    .expect("the log reads")
                    .len() as u64
            })
            .sum()
    }
}

/// A change that creates a user named `name`.
pub fn create_user(name: &str) -> callgate::Change {
    callgate::Change::CreateUser {
        name: name.into(),
        roles: vec![],
        groups: vec![],
        projects: vec![],
    }
}

/// A change that creates a group named `name`.
pub fn create_group(name: &str) -> callgate::Change {
    callgate::Change::CreateGroup {
        name: name.into(),
        members: vec![],
    }
}

/// The company's document as JSON: equal states, equal bytes.
pub fn document<P: callgate::PermissionFlags>(company: &callgate::Company<P>) -> String {
    serde_json::to_string(&company.to_document()).expect("the document encodes")
}

impl Place {
    /// A function that opens a new read-write connection to this place, for
    /// a registry's pool: it outlives the borrow of the place.
    pub fn opener(
        &self,
    ) -> impl Fn() -> Result<Box<dyn Store>, callgate_store::StoreError> + Send + Sync + 'static
    {
        let place = match self {
            Place::Sqlite { dir } => Opener::Sqlite(dir.path().join("callgate.db")),
            Place::Postgres { url, schema } => Opener::Postgres(url.clone(), schema.clone()),
        };
        move || place.open()
    }
}

/// What [`Place::opener`] keeps: where to connect, without the place.
enum Opener {
    Sqlite(PathBuf),
    Postgres(String, String),
}

impl Opener {
    fn open(&self) -> Result<Box<dyn Store>, callgate_store::StoreError> {
        match self {
            Opener::Sqlite(path) => Ok(Box::new(SqliteStore::open(path)?)),
            #[cfg(feature = "postgres")]
            Opener::Postgres(url, schema) => postgres::open(url, schema),
            #[cfg(not(feature = "postgres"))]
            Opener::Postgres(..) => unreachable!("no PostgreSQL place without the feature"),
        }
    }
}
