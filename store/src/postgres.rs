//! [`PostgresStore`]: the store on a PostgreSQL database, for many machines.
//!
//! Tables, migrations and notices:
//!
//! - The store keeps four tables, all prefixed `callgate_`, in one schema:
//!   [`PostgresOptions::schema`], or else the connection's current schema
//!   (the first existing one of its `search_path`, usually `public`).
//! - The schema's versions ship with the crate as SQL files
//!   (`migrations/postgres/0001_init.sql`...), compiled in. Every connect
//!   reads the version in `callgate_schema_version`; when the schema is older
//!   (or missing), it applies the versions it lacks in one transaction,
//!   holding a transaction-scoped advisory lock keyed by the schema's name,
//!   so that many processes connecting at once migrate it once. A schema a
//!   newer release wrote is refused with [`StoreError::SchemaTooNew`].
//! - Every [`append`](Store::append) sends, in its transaction, a notice on
//!   the schema's channel (`callgate_log_<schema>`, or `callgate_log_` and a
//!   hash of the name when that is longer than PostgreSQL's 63-byte limit),
//!   with the payload `<company>:<revision + 1>`. PostgreSQL delivers it at
//!   commit to every connection that listens there: [`Store::wait`] listens,
//!   so replicas wake as soon as an entry is stored, and stores in other
//!   schemas of the database are not woken.

use std::fmt;
use std::time::{Duration, Instant};

use callgate::CompanyId;
use postgres::error::SqlState;
use postgres::fallible_iterator::FallibleIterator;
use postgres::{Client, Config, GenericClient, NoTls, Row, Statement};

use crate::{Checkpoint, DatabaseErrorKind, Store, StoreError, StoredEntry, Wakeup};

/// The schema's migrations, in order: version `i + 1` is `MIGRATIONS[i]`.
const MIGRATIONS: &[&str] = &[include_str!("../migrations/postgres/0001_init.sql")];

/// The longest identifier PostgreSQL keeps whole (`NAMEDATALEN - 1`): a
/// longer one is cut, so a schema name that long is refused and a channel
/// name that long is hashed.
const MAX_IDENTIFIER: usize = 63;

/// The name of the log's primary key (see `0001_init.sql`): a unique
/// violation on it is a [`StoreError::Conflict`].
const LOG_KEY: &str = "callgate_log_pkey";

/// The prefix of the schema's notice channel.
const CHANNEL_PREFIX: &str = "callgate_log_";

/// The longest [`Store::wait`] blocks in one go: longer waits are sliced.
const WAIT_SLICE: Duration = Duration::from_secs(3600);

/// Where a [`PostgresStore`] keeps its tables.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PostgresOptions {
    /// The schema of the tables, created if missing, and the connection's
    /// only `search_path` entry. `None` (the default): the connection's
    /// current schema, as its `search_path` gives it (usually `public`).
    pub schema: Option<String>,
}

impl PostgresOptions {
    /// The options with every table in `schema` (see the field). The name is
    /// taken as it is (quoted, so case and any character are kept); one
    /// that is empty or longer than 63 bytes is refused at connect.
    #[must_use]
    pub fn schema(mut self, schema: impl Into<String>) -> Self {
        self.schema = Some(schema.into());
        self
    }
}

/// The [`Store`] on a PostgreSQL database: every tenant's log and checkpoint
/// in three tables (`callgate_tenants`, `callgate_log`,
/// `callgate_checkpoints`) and the schema's version in a fourth
/// (`callgate_schema_version`), in one schema that the host's own tables
/// may share.
///
/// One value is one connection (the sync `postgres` client, without TLS).
/// Many processes may connect to one database: writers race on the log's
/// primary key (the loser gets [`StoreError::Conflict`]), and replicas are
/// woken by `LISTEN`/`NOTIFY`.
///
/// - **Migrations**: [`connect`](PostgresStore::connect) brings the schema
///   up to date with the SQL files the crate ships
///   (`migrations/postgres/`), in one transaction under an advisory lock,
///   so concurrent connects migrate once; a schema a newer release wrote is
///   refused with [`StoreError::SchemaTooNew`].
/// - **Notices**: each [`append`](Store::append) notifies, in its
///   transaction, the channel `callgate_log_<schema>` (the schema's name
///   hashed when it would pass 63 bytes) with `<company>:<revision + 1>`;
///   [`Store::wait`] listens on it and returns
///   [`Wakeup::Changed`] with what it read. Stores in other schemas use
///   other channels, so they do not wake each other.
/// - **Lost connections**: a closed connection, a network failure or an
///   ended session (`pg_terminate_backend`, a server shutdown) fails the
///   call with [`DatabaseErrorKind::ConnectionLost`];
///   [`reconnect`](Store::reconnect) opens a new one with the same URL and
///   options. Statements are prepared once per connection.
///
/// JSON columns are `text`, so they come back byte for byte; a text with a
/// NUL character (which no JSON encoder writes) cannot be stored.
///
/// # Example: a writer on PostgreSQL
///
/// ```no_run
/// use callgate::Change;
/// use callgate_store::{PostgresOptions, PostgresStore, Writer};
///
/// // Tables in the schema `callgate`; appends notify `callgate_log_callgate`.
/// let options = PostgresOptions::default().schema("callgate");
/// let store = PostgresStore::connect_with("postgres://app@db.internal:5432/app", options)?;
/// let mut writer = Writer::open(store, "acme")?;
/// let user = Change::CreateUser { name: "ann".into(), roles: vec![], groups: vec![], projects: vec![] };
/// writer.apply(user)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct PostgresStore {
    client: Client,
    /// The statements of the store, prepared on `client`.
    // INVARIANT: prepared on the current `client`; `reconnect` replaces both
    // together.
    statements: Statements,
    /// Parsed from the URL once; kept (with its password) to reconnect.
    config: Config,
    options: PostgresOptions,
    /// The schema of the tables: the option, or the connection's current
    /// schema at connect.
    schema: String,
    /// The schema's notice channel (see [`channel_name`]).
    channel: String,
    /// Whether this connection has issued `LISTEN`: false after every
    /// (re)connect, so the next [`Store::wait`] listens and says
    /// [`Wakeup::Poll`].
    listening: bool,
}

/// Never prints the password: only where the store connects.
impl fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostgresStore")
            .field("hosts", &self.config.get_hosts())
            .field("ports", &self.config.get_ports())
            .field("user", &self.config.get_user())
            .field("dbname", &self.config.get_dbname())
            .field("schema", &self.schema)
            .field("channel", &self.channel)
            .field("listening", &self.listening)
            .finish_non_exhaustive()
    }
}

impl PostgresStore {
    /// Connects to the database at `url` (`postgres://user@host:port/db`, or
    /// `host=... user=...`) with the default [`PostgresOptions`], bringing the
    /// schema up to date.
    ///
    /// # Errors
    ///
    /// [`StoreError::Database`] when the URL does not parse, the server
    /// cannot be reached ([`DatabaseErrorKind::ConnectionLost`]) or the
    /// schema cannot be written, and [`StoreError::SchemaTooNew`] when a
    /// newer release wrote it.
    pub fn connect(url: &str) -> Result<Self, StoreError> {
        Self::connect_with(url, PostgresOptions::default())
    }

    /// Connects to the database at `url` with `options`: in
    /// [`PostgresOptions::schema`], creates the schema if it is missing and
    /// sets the connection's `search_path` to it.
    ///
    /// # Errors
    ///
    /// As [`PostgresStore::connect`], and [`StoreError::Database`] when the
    /// schema's name is empty or longer than 63 bytes.
    pub fn connect_with(url: &str, options: PostgresOptions) -> Result<Self, StoreError> {
        let config: Config = url
            .parse()
            .map_err(|e| pg_error("reading the connection url", e))?;
        if let Some(schema) = &options.schema {
            check_schema_name(schema)?;
        }
        let mut client = open_client(&config, &options)?;
        let schema = match &options.schema {
            Some(schema) => schema.clone(),
            None => current_schema(&mut client)?,
        };
        migrate(&mut client, &schema, options.schema.is_some())?;
        let statements = Statements::prepare(&mut client)?;
        Ok(Self {
            client,
            statements,
            config,
            channel: channel_name(&schema),
            schema,
            options,
            listening: false,
        })
    }

    /// The connection, for the host's own queries on the same database (an
    /// audit page reading `callgate_log`, a test asking
    /// `SELECT pg_backend_pid()`). Leave its `search_path` as it is, and
    /// note that [`Store::wait`] takes every notice it receives.
    pub fn client(&mut self) -> &mut Client {
        &mut self.client
    }

    /// The schema of the tables.
    #[must_use]
    pub fn schema(&self) -> &str {
        &self.schema
    }

    /// The channel this store's appends notify and its waits listen on.
    #[must_use]
    pub fn channel(&self) -> &str {
        &self.channel
    }

    /// `result`, with a database failure on a connection that has closed
    /// counted as [`DatabaseErrorKind::ConnectionLost`], whatever the driver
    /// said.
    fn settle<T>(&self, result: Result<T, StoreError>) -> Result<T, StoreError> {
        match result {
            Err(StoreError::Database {
                operation, source, ..
            }) if self.client.is_closed() => Err(StoreError::Database {
                operation,
                kind: DatabaseErrorKind::ConnectionLost,
                source,
            }),
            other => other,
        }
    }
}

/// The statements of the store, prepared once per connection.
struct Statements {
    company_of: Statement,
    insert_tenant: Statement,
    insert_checkpoint: Statement,
    tenants: Statement,
    insert_entry: Statement,
    upsert_checkpoint: Statement,
    notify: Statement,
    read_log: Statement,
    checkpoint: Statement,
    compact: Statement,
}

impl Statements {
    fn prepare(client: &mut Client) -> Result<Self, StoreError> {
        let mut prepare = |sql: &str| {
            client
                .prepare(sql)
                .map_err(|e| pg_error("preparing the statements", e))
        };
        Ok(Self {
            company_of: prepare("SELECT company FROM callgate_tenants WHERE tenant = $1")?,
            insert_tenant: prepare(
                "INSERT INTO callgate_tenants (tenant, company) VALUES ($1, $2)
                 ON CONFLICT (tenant) DO NOTHING",
            )?,
            insert_checkpoint: prepare(
                "INSERT INTO callgate_checkpoints (company, revision, document)
                 VALUES ($1, $2, $3)",
            )?,
            // Byte order, as SQLite sorts, whatever the database's collation.
            tenants: prepare(
                "SELECT tenant, company FROM callgate_tenants ORDER BY tenant COLLATE \"C\"",
            )?,
            insert_entry: prepare(
                "INSERT INTO callgate_log (company, revision, change, actor, context)
                 VALUES ($1, $2, $3, $4, $5)",
            )?,
            upsert_checkpoint: prepare(
                "INSERT INTO callgate_checkpoints (company, revision, document)
                 VALUES ($1, $2, $3)
                 ON CONFLICT (company) DO UPDATE SET revision = excluded.revision,
                                                     document = excluded.document
                 WHERE excluded.revision > callgate_checkpoints.revision",
            )?,
            notify: prepare("SELECT pg_notify($1, $2)")?,
            read_log: prepare(
                "SELECT revision, change, actor, context FROM callgate_log
                 WHERE company = $1 AND revision >= $2 ORDER BY revision LIMIT $3",
            )?,
            checkpoint: prepare(
                "SELECT revision, document FROM callgate_checkpoints WHERE company = $1",
            )?,
            compact: prepare(
                "DELETE FROM callgate_log WHERE company = $1 AND revision <
                   (SELECT revision FROM callgate_checkpoints WHERE company = $1)",
            )?,
        })
    }
}

/// A new connection with `options` applied (its `search_path`).
fn open_client(config: &Config, options: &PostgresOptions) -> Result<Client, StoreError> {
    let mut client = config
        .connect(NoTls)
        .map_err(|e| pg_error("connecting to the database", e))?;
    if let Some(schema) = &options.schema {
        client
            .batch_execute(&format!("SET search_path TO {}", quote_identifier(schema)))
            .map_err(|e| pg_error("choosing the schema", e))?;
    }
    Ok(client)
}

/// The connection's current schema: where its `search_path` creates tables.
fn current_schema(client: &mut Client) -> Result<String, StoreError> {
    let fail = |e| pg_error("finding the current schema", e);
    let row = client
        .query_one("SELECT current_schema()", &[])
        .map_err(fail)?;
    let schema: Option<String> = row.try_get(0).map_err(fail)?;
    schema.ok_or_else(|| {
        StoreError::database(
            "finding the current schema",
            DatabaseErrorKind::Other,
            "the connection's search_path names no existing schema: give one in the options",
        )
    })
}

/// Refuses a schema name PostgreSQL would not keep as it is.
fn check_schema_name(schema: &str) -> Result<(), StoreError> {
    let problem = if schema.is_empty() {
        "is empty".to_owned()
    } else if schema.len() > MAX_IDENTIFIER {
        format!("is longer than {MAX_IDENTIFIER} bytes, which PostgreSQL would cut")
    } else if schema.contains('\0') {
        "has a NUL character".to_owned()
    } else {
        return Ok(());
    };
    Err(StoreError::database(
        "choosing the schema",
        DatabaseErrorKind::Other,
        format!("schema name `{}` {problem}", schema.escape_debug()),
    ))
}

/// `name` as a quoted SQL identifier: kept as it is, case included.
fn quote_identifier(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The notice channel of `schema`: `callgate_log_<schema>`, or
/// `callgate_log_<hash>` when that would be longer than an identifier may
/// be.
fn channel_name(schema: &str) -> String {
    let plain = format!("{CHANNEL_PREFIX}{schema}");
    if plain.len() <= MAX_IDENTIFIER {
        plain
    } else {
        format!("{CHANNEL_PREFIX}{:016x}", fnv1a(schema.as_bytes()))
    }
}

/// The advisory-lock key of `schema`'s migrations: the same in every
/// process and release.
fn migration_lock_key(schema: &str) -> i64 {
    let mut bytes = b"callgate-store migrations\0".to_vec();
    bytes.extend_from_slice(schema.as_bytes());
    i64::from_ne_bytes(fnv1a(&bytes).to_ne_bytes())
}

/// 64-bit FNV-1a: a hash that is stable across processes and releases.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The newest schema version this release knows.
fn known_version() -> i64 {
    i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX)
}

/// Brings `schema` up to date: a read when it is (no lock, no write, so a
/// read-only server will do), else the missing versions in one transaction
/// under the schema's advisory lock, creating the schema if `create` and it
/// is missing.
fn migrate(client: &mut Client, schema: &str, create: bool) -> Result<(), StoreError> {
    let fail = |e| pg_error("migrating the schema", e);
    let known = known_version();
    let too_new = |found| StoreError::SchemaTooNew { found, known };
    match schema_version(client).map_err(fail)? {
        Some(version) if version == known => return Ok(()),
        Some(version) if version > known => return Err(too_new(version)),
        _ => {}
    }
    let mut tx = client.transaction().map_err(fail)?;
    // Connects racing on this schema queue here; the first migrates, the
    // others find it done. Released at commit or rollback.
    tx.execute(
        "SELECT pg_advisory_xact_lock($1)",
        &[&migration_lock_key(schema)],
    )
    .map_err(fail)?;
    if create {
        let exists: bool = tx
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)",
                &[&schema],
            )
            .and_then(|row| row.try_get(0))
            .map_err(fail)?;
        if !exists {
            tx.batch_execute(&format!("CREATE SCHEMA {}", quote_identifier(schema)))
                .map_err(fail)?;
        }
    }
    let version = schema_version(&mut tx).map_err(fail)?.unwrap_or(0);
    if version > known {
        return Err(too_new(version));
    }
    if version == known {
        return Ok(()); // another connect migrated it; dropping `tx` ends it
    }
    let pending = MIGRATIONS
        .iter()
        .skip(usize::try_from(version).unwrap_or(usize::MAX));
    for sql in pending {
        tx.batch_execute(sql).map_err(fail)?;
    }
    tx.execute(
        "INSERT INTO callgate_schema_version (version) VALUES ($1)
         ON CONFLICT (only_row) DO UPDATE SET version = excluded.version",
        &[&known],
    )
    .map_err(fail)?;
    tx.commit().map_err(fail)
}

/// The schema's version, or `None` when it has no version table yet.
fn schema_version(client: &mut impl GenericClient) -> Result<Option<i64>, postgres::Error> {
    let exists: bool = client
        .query_one(
            "SELECT to_regclass('callgate_schema_version') IS NOT NULL",
            &[],
        )?
        .try_get(0)?;
    if !exists {
        return Ok(None);
    }
    let row = client.query_opt("SELECT version FROM callgate_schema_version", &[])?;
    Ok(Some(row.map(|row| row.try_get(0)).transpose()?.unwrap_or(0)))
}

/// A PostgreSQL failure while doing `operation`, sorted by kind.
fn pg_error(operation: &'static str, error: postgres::Error) -> StoreError {
    let kind = error_kind(&error);
    StoreError::database(operation, kind, error)
}

/// What kind of failure `error` is, by its SQLSTATE or else by its cause.
fn error_kind(error: &postgres::Error) -> DatabaseErrorKind {
    if let Some(code) = error.code() {
        return if *code == SqlState::READ_ONLY_SQL_TRANSACTION {
            DatabaseErrorKind::ReadOnly
        } else if *code == SqlState::DISK_FULL {
            DatabaseErrorKind::Full
        } else if [
            SqlState::T_R_SERIALIZATION_FAILURE,
            SqlState::T_R_DEADLOCK_DETECTED,
            SqlState::LOCK_NOT_AVAILABLE,
        ]
        .contains(code)
        {
            DatabaseErrorKind::Busy
        } else if code.code().starts_with("08")
            || [
                SqlState::ADMIN_SHUTDOWN,
                SqlState::CRASH_SHUTDOWN,
                SqlState::CANNOT_CONNECT_NOW,
            ]
            .contains(code)
        {
            // Class 08: connection exceptions. 57P01: the session was ended
            // (`pg_terminate_backend`, a fast shutdown); 57P02, 57P03: the
            // server crashed or is starting or stopping.
            DatabaseErrorKind::ConnectionLost
        } else {
            DatabaseErrorKind::Other
        };
    }
    if error.is_closed() || is_network_failure(error) {
        DatabaseErrorKind::ConnectionLost
    } else {
        DatabaseErrorKind::Other
    }
}

/// Whether an I/O error with the socket caused `error` (not a message that
/// did not parse, which the driver also reports as I/O).
fn is_network_failure(error: &postgres::Error) -> bool {
    let mut cause = std::error::Error::source(error);
    while let Some(error) = cause {
        if let Some(io) = error.downcast_ref::<std::io::Error>() {
            return !matches!(
                io.kind(),
                std::io::ErrorKind::InvalidInput | std::io::ErrorKind::InvalidData
            );
        }
        cause = error.source();
    }
    false
}

/// A revision as the database keeps it.
fn revision_to_db(operation: &'static str, revision: u64) -> Result<i64, StoreError> {
    i64::try_from(revision).map_err(|_| {
        StoreError::database(
            operation,
            DatabaseErrorKind::Other,
            format!("revision {revision} is past the largest PostgreSQL keeps"),
        )
    })
}

/// A revision read from column `revision` of `row`.
fn revision_column(operation: &'static str, row: &Row) -> Result<u64, StoreError> {
    let revision: i64 = row
        .try_get("revision")
        .map_err(|e| pg_error(operation, e))?;
    u64::try_from(revision).map_err(|_| {
        StoreError::database(
            operation,
            DatabaseErrorKind::Other,
            format!("column `revision` holds {revision}, below zero"),
        )
    })
}

/// A company id read from a column, or the column's row named as corrupt.
fn company_column(text: &str, tenant: &str) -> Result<CompanyId, StoreError> {
    text.parse().map_err(|error: callgate::ParseCompanyIdError| {
        StoreError::database(
            "reading the tenants",
            DatabaseErrorKind::Other,
            format!("tenant `{tenant}`: column `company`: {error}"),
        )
    })
}

/// A notice's payload, `<company>:<revision>`, or `None` if it is not one.
fn parse_notice(payload: &str) -> Option<(CompanyId, u64)> {
    let (company, revision) = payload.split_once(':')?;
    Some((company.parse().ok()?, revision.parse().ok()?))
}

/// What [`Store::wait`] read so far: each company at the highest revision
/// noticed, and whether a payload did not parse.
#[derive(Default)]
struct Notices {
    changed: Vec<(CompanyId, u64)>,
    unreadable: bool,
}

impl Notices {
    fn add(&mut self, payload: &str) {
        let Some((company, revision)) = parse_notice(payload) else {
            self.unreadable = true;
            return;
        };
        match self.changed.iter_mut().find(|(c, _)| *c == company) {
            Some((_, seen)) => *seen = (*seen).max(revision),
            None => self.changed.push((company, revision)),
        }
    }

    fn wakeup(self) -> Wakeup {
        if self.unreadable {
            Wakeup::Poll
        } else if self.changed.is_empty() {
            Wakeup::TimedOut
        } else {
            Wakeup::Changed(self.changed)
        }
    }
}

/// The operations, each returning what [`PostgresStore::settle`] then sorts.
impl PostgresStore {
    fn read_company(&mut self, tenant: &str) -> Result<Option<CompanyId>, StoreError> {
        let fail = |e| pg_error("reading the tenants", e);
        let row = self
            .client
            .query_opt(&self.statements.company_of, &[&tenant])
            .map_err(fail)?;
        let Some(row) = row else { return Ok(None) };
        let company: String = row.try_get(0).map_err(fail)?;
        company_column(&company, tenant).map(Some)
    }

    fn insert_tenant(
        &mut self,
        tenant: &str,
        checkpoint: &Checkpoint,
    ) -> Result<CompanyId, StoreError> {
        let operation = "creating a tenant";
        let fail = |e| pg_error(operation, e);
        let company = checkpoint.company.to_string();
        let revision = revision_to_db(operation, checkpoint.revision)?;
        let mut tx = self.client.transaction().map_err(fail)?;
        // A racing transaction's row makes this wait for its outcome: if it
        // commits, nothing is inserted here and the select below sees it.
        let inserted = tx
            .execute(&self.statements.insert_tenant, &[&tenant, &company])
            .map_err(fail)?;
        if inserted == 0 {
            let row = tx
                .query_opt(&self.statements.company_of, &[&tenant])
                .map_err(fail)?;
            let Some(row) = row else {
                return Err(StoreError::database(
                    operation,
                    DatabaseErrorKind::Busy,
                    format!("tenant `{tenant}` was deleted while being created"),
                ));
            };
            let existing: String = row.try_get(0).map_err(fail)?;
            return company_column(&existing, tenant); // dropping `tx` rolls back
        }
        tx.execute(
            &self.statements.insert_checkpoint,
            &[&company, &revision, &checkpoint.document],
        )
        .map_err(fail)?;
        tx.commit().map_err(fail)?;
        Ok(checkpoint.company)
    }

    fn read_tenants(&mut self) -> Result<Vec<(String, CompanyId)>, StoreError> {
        let fail = |e| pg_error("reading the tenants", e);
        let rows = self
            .client
            .query(&self.statements.tenants, &[])
            .map_err(fail)?;
        let mut tenants = Vec::with_capacity(rows.len());
        for row in rows {
            let tenant: String = row.try_get(0).map_err(fail)?;
            let company: String = row.try_get(1).map_err(fail)?;
            let company = company_column(&company, &tenant)?;
            tenants.push((tenant, company));
        }
        Ok(tenants)
    }

    fn insert_entry(
        &mut self,
        entry: &StoredEntry,
        checkpoint: Option<&Checkpoint>,
    ) -> Result<(), StoreError> {
        let operation = "appending an entry";
        let fail = |e| pg_error(operation, e);
        let company = entry.company.to_string();
        let revision = revision_to_db(operation, entry.revision)?;
        let checkpoint_revision = checkpoint
            .map(|c| revision_to_db(operation, c.revision))
            .transpose()?;
        // The revision the company reaches with this entry: fits, as
        // `revision` fits an `i64`.
        let notice = format!("{company}:{}", entry.revision.saturating_add(1));
        let mut tx = self.client.transaction().map_err(fail)?;
        tx.execute(
            &self.statements.insert_entry,
            &[
                &company,
                &revision,
                &entry.change,
                &entry.actor,
                &entry.context,
            ],
        )
        .map_err(|error| {
            let on_key = error.as_db_error().is_some_and(|db| {
                *db.code() == SqlState::UNIQUE_VIOLATION && db.constraint() == Some(LOG_KEY)
            });
            if on_key {
                StoreError::Conflict {
                    company: entry.company,
                    revision: entry.revision,
                }
            } else {
                fail(error)
            }
        })?;
        if let (Some(checkpoint), Some(revision)) = (checkpoint, checkpoint_revision) {
            let company = checkpoint.company.to_string();
            tx.execute(
                &self.statements.upsert_checkpoint,
                &[&company, &revision, &checkpoint.document],
            )
            .map_err(fail)?;
        }
        // Delivered at commit, and only if the transaction commits.
        tx.execute(&self.statements.notify, &[&self.channel, &notice])
            .map_err(fail)?;
        // Dropping `tx` on an error above rolls it back.
        tx.commit().map_err(fail)
    }

    fn select_log(
        &mut self,
        company: CompanyId,
        from: u64,
        limit: usize,
    ) -> Result<Vec<StoredEntry>, StoreError> {
        let operation = "reading the log";
        let fail = |e| pg_error(operation, e);
        let Ok(from) = i64::try_from(from) else {
            return Ok(Vec::new()); // no revision is that high
        };
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = self
            .client
            .query(
                &self.statements.read_log,
                &[&company.to_string(), &from, &limit],
            )
            .map_err(fail)?;
        rows.iter()
            .map(|row| {
                Ok(StoredEntry::new(
                    company,
                    revision_column(operation, row)?,
                    row.try_get("change").map_err(fail)?,
                    row.try_get("actor").map_err(fail)?,
                    row.try_get("context").map_err(fail)?,
                ))
            })
            .collect()
    }

    fn select_checkpoint(&mut self, company: CompanyId) -> Result<Option<Checkpoint>, StoreError> {
        let operation = "reading a checkpoint";
        let fail = |e| pg_error(operation, e);
        let row = self
            .client
            .query_opt(&self.statements.checkpoint, &[&company.to_string()])
            .map_err(fail)?;
        let Some(row) = row else { return Ok(None) };
        let revision = revision_column(operation, &row)?;
        let document = row.try_get("document").map_err(fail)?;
        Ok(Some(Checkpoint::new(company, revision, document)))
    }

    fn upsert_checkpoint(&mut self, checkpoint: &Checkpoint) -> Result<(), StoreError> {
        let operation = "storing a checkpoint";
        let revision = revision_to_db(operation, checkpoint.revision)?;
        self.client
            .execute(
                &self.statements.upsert_checkpoint,
                &[
                    &checkpoint.company.to_string(),
                    &revision,
                    &checkpoint.document,
                ],
            )
            .map(drop)
            .map_err(|e| pg_error(operation, e))
    }

    fn delete_compacted(&mut self, company: CompanyId) -> Result<u64, StoreError> {
        self.client
            .execute(&self.statements.compact, &[&company.to_string()])
            .map_err(|e| pg_error("compacting the log", e))
    }

    fn listen_and_wait(&mut self, timeout: Duration) -> Result<Wakeup, StoreError> {
        let operation = "waiting for notices";
        let fail = |e| pg_error(operation, e);
        let lost = || {
            StoreError::database(
                operation,
                DatabaseErrorKind::ConnectionLost,
                "the server closed the connection",
            )
        };
        if self.client.is_closed() {
            return Err(lost());
        }
        if !self.listening {
            let listen = format!("LISTEN {}", quote_identifier(&self.channel));
            self.client.batch_execute(&listen).map_err(fail)?;
            self.listening = true;
            // Notices sent before now were missed.
            return Ok(Wakeup::Poll);
        }
        let deadline = Instant::now().checked_add(timeout);
        let mut notices = Notices::default();
        // Block until a notice of this channel comes, or the time is up.
        loop {
            let left = deadline.map_or(WAIT_SLICE, |d| d.saturating_duration_since(Instant::now()));
            let slice = left.min(WAIT_SLICE);
            let next = self
                .client
                .notifications()
                .timeout_iter(slice)
                .next()
                .map_err(fail)?;
            match next {
                Some(notice) if notice.channel() == self.channel => {
                    notices.add(notice.payload());
                    break;
                }
                Some(_) => {} // the host's own channel: not ours to read
                None if self.client.is_closed() => return Err(lost()),
                None if deadline.is_some_and(|d| Instant::now() >= d) => break,
                None => {} // a slice of a longer wait, or woken early
            }
        }
        // Then take every notice already here, without waiting.
        let mut pending = self.client.notifications();
        let mut pending = pending.iter();
        while let Some(notice) = pending.next().map_err(fail)? {
            if notice.channel() == self.channel {
                notices.add(notice.payload());
            }
        }
        Ok(notices.wakeup())
    }

    fn open_again(&mut self) -> Result<(), StoreError> {
        // Built whole before the old connection is let go, so a failure
        // leaves the store as it was.
        let mut client = open_client(&self.config, &self.options)?;
        let statements = Statements::prepare(&mut client)?;
        self.client = client;
        self.statements = statements;
        self.listening = false;
        Ok(())
    }
}

impl Store for PostgresStore {
    fn company_of(&mut self, tenant: &str) -> Result<Option<CompanyId>, StoreError> {
        let result = self.read_company(tenant);
        self.settle(result)
    }

    fn create_tenant(
        &mut self,
        tenant: &str,
        checkpoint: &Checkpoint,
    ) -> Result<CompanyId, StoreError> {
        let result = self.insert_tenant(tenant, checkpoint);
        self.settle(result)
    }

    fn tenants(&mut self) -> Result<Vec<(String, CompanyId)>, StoreError> {
        let result = self.read_tenants();
        self.settle(result)
    }

    fn append(
        &mut self,
        entry: &StoredEntry,
        checkpoint: Option<&Checkpoint>,
    ) -> Result<(), StoreError> {
        let result = self.insert_entry(entry, checkpoint);
        self.settle(result)
    }

    fn read_log(
        &mut self,
        company: CompanyId,
        from: u64,
        limit: usize,
    ) -> Result<Vec<StoredEntry>, StoreError> {
        let result = self.select_log(company, from, limit);
        self.settle(result)
    }

    fn checkpoint(&mut self, company: CompanyId) -> Result<Option<Checkpoint>, StoreError> {
        let result = self.select_checkpoint(company);
        self.settle(result)
    }

    fn put_checkpoint(&mut self, checkpoint: &Checkpoint) -> Result<(), StoreError> {
        let result = self.upsert_checkpoint(checkpoint);
        self.settle(result)
    }

    fn compact(&mut self, company: CompanyId) -> Result<u64, StoreError> {
        let result = self.delete_compacted(company);
        self.settle(result)
    }

    fn wait(&mut self, timeout: Duration) -> Result<Wakeup, StoreError> {
        let result = self.listen_and_wait(timeout);
        self.settle(result)
    }

    fn reconnect(&mut self) -> Result<(), StoreError> {
        self.open_again()
    }
}
