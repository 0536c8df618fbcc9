//! Where a drill stores: `sqlite:PATH` or `postgres:SCHEMA@URL`.

use std::path::PathBuf;

use callgate_store::{SqliteOptions, SqliteStore, Store};

use crate::Result;

/// A database and the place in it, as the tests' harness names it.
#[derive(Debug)]
pub(crate) enum Address {
    /// A SQLite file.
    Sqlite(PathBuf),
    /// A schema of a PostgreSQL database.
    Postgres {
        /// The schema the store's tables are in.
        schema: String,
        /// The server's URL.
        url: String,
    },
}

impl Address {
    /// The address in `text`.
    pub(crate) fn parse(text: &str) -> Result<Self> {
        if let Some(path) = text.strip_prefix("sqlite:") {
            return Ok(Self::Sqlite(PathBuf::from(path)));
        }
        // Schema names have no `@`; the URL may have one (`user@host`).
        let postgres = text
            .strip_prefix("postgres:")
            .and_then(|s| s.split_once('@'));
        match postgres {
            Some((schema, url)) if !schema.is_empty() && !url.is_empty() => Ok(Self::Postgres {
                schema: schema.to_owned(),
                url: url.to_owned(),
            }),
            _ => Err(format!("`{text}` is not `sqlite:PATH` or `postgres:SCHEMA@URL`").into()),
        }
    }

    /// A read-write connection, for a writer.
    pub(crate) fn open(&self) -> Result<Box<dyn Store>> {
        match self {
            Self::Sqlite(path) => Ok(Box::new(SqliteStore::open_with(path, sqlite_options())?)),
            Self::Postgres { schema, url } => postgres(schema, url, true),
        }
    }

    /// A connection for a replica: read-only on SQLite.
    pub(crate) fn open_read_only(&self) -> Result<Box<dyn Store>> {
        match self {
            Self::Sqlite(path) => Ok(Box::new(SqliteStore::open_read_only(path)?)),
            Self::Postgres { schema, url } => postgres(schema, url, false),
        }
    }
}

/// The drills' SQLite options: not `durable`.
///
/// A drill kills processes, not machines: a transaction committed in WAL
/// mode survives a killed process at `synchronous = NORMAL` as it does at
/// `FULL`. What `FULL` adds, an fsync per commit (about 6 ms here), would
/// make a 10,000-change drill wait on the disk for a minute instead of
/// testing the store. A writer's PostgreSQL session likewise commits with
/// `synchronous_commit = off` (see [`postgres`]).
///
/// Racing writers wait up to a minute for the file's lock: SQLite does not
/// serve waiters in turn, and a loaded CI machine can keep one waiting past
/// the default 5 s.
fn sqlite_options() -> SqliteOptions {
    SqliteOptions::default()
        .durable(false)
        .busy_timeout(std::time::Duration::from_secs(60))
}

/// A connection to `schema` at `url`; a `writer`'s session commits without
/// waiting for the server's disk (`synchronous_commit = off`).
///
/// As with SQLite's `durable` (see [`sqlite_options`]): a commit is seen by
/// every other session, and survives a killed client, all the same; only a
/// crash of the server could lose the last ones, which no drill does. A
/// reconnected session is back at the server's default, which is only
/// slower.
#[cfg(feature = "postgres")]
fn postgres(schema: &str, url: &str, writer: bool) -> Result<Box<dyn Store>> {
    use callgate_store::{PostgresOptions, PostgresStore};

    let options = PostgresOptions::default().schema(schema);
    let mut store = PostgresStore::connect_with(url, options)?;
    if writer {
        store
            .client()
            .batch_execute("SET synchronous_commit TO off")?;
    }
    Ok(Box::new(store))
}

#[cfg(not(feature = "postgres"))]
fn postgres(_schema: &str, _url: &str, _writer: bool) -> Result<Box<dyn Store>> {
    Err("this drill was built without the `postgres` feature".into())
}
