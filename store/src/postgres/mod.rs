//! [`PostgresStore`]: the store on a PostgreSQL database, for many machines.
//!
//! The type's documentation says where the tables are, how the schema's
//! versions (`migrations/postgres/`) are applied, and which channel appends
//! notify. `schema` holds the migrations and names, `errors` sorts the
//! driver's failures, `notices` reads what `LISTEN` brings.

use std::fmt;
use std::time::{Duration, Instant};

use callgate::CompanyId;
use postgres::error::SqlState;
use postgres::fallible_iterator::FallibleIterator;
use postgres::{Client, Config, GenericClient, NoTls, Statement};

use crate::{Checkpoint, DatabaseErrorKind, PlanUnderLock, Store, StoreError, StoredEntry, Wakeup};

mod errors;
mod notices;
mod schema;

use self::errors::{company_column, pg_error, revision_column, revision_to_db};
use self::notices::Notices;
use self::schema::{
    channel_name, check_schema_name, company_lock_key, current_schema, migrate, quote_identifier,
};

/// The schema's migrations, in order: version `i + 1` is `MIGRATIONS[i]`.
const MIGRATIONS: &[&str] = &[
    include_str!("../../migrations/postgres/0001_init.sql"),
    include_str!("../../migrations/postgres/0002_compact_checkpoints.sql"),
    include_str!("../../migrations/postgres/0003_entry_chain.sql"),
];

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
/// let user = Change::create_user("ann");
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

    /// Runs `operation`, counting a database failure on a connection that
    /// has closed as [`DatabaseErrorKind::ConnectionLost`], whatever the
    /// driver said.
    fn run<T>(
        &mut self,
        operation: impl FnOnce(&mut Self) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        match operation(self) {
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

/// Up to `limit` entries of `company` from `from` on, in revision order.
fn select_log(
    client: &mut impl GenericClient,
    statements: &Statements,
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
    let rows = client
        .query(&statements.read_log, &[&company.to_string(), &from, &limit])
        .map_err(fail)?;
    rows.iter()
        .map(|row| {
            Ok(StoredEntry::new(
                company,
                revision_column(operation, row)?,
                row.try_get("change").map_err(fail)?,
                row.try_get("actor").map_err(fail)?,
                row.try_get("context").map_err(fail)?,
            )
            .with_previous(row.try_get("previous").map_err(fail)?))
        })
        .collect()
}

/// Inserts `entry` (a taken revision is a [`StoreError::Conflict`]), the
/// checkpoint when given, and the notice, in the caller's transaction.
fn insert_entry(
    tx: &mut postgres::Transaction<'_>,
    statements: &Statements,
    channel: &str,
    entry: &StoredEntry,
    checkpoint: Option<&Checkpoint>,
) -> Result<(), StoreError> {
    let operation = "appending an entry";
    let fail = |e| pg_error(operation, e);
    let company = entry.company.to_string();
    let revision = revision_to_db(operation, entry.revision)?;
    // The revision the company reaches with this entry: fits, as
    // `revision` fits an `i64`.
    let notice = format!("{company}:{}", entry.revision.saturating_add(1));
    let values: [&(dyn postgres::types::ToSql + Sync); 6] = [
        &company,
        &revision,
        &entry.change,
        &entry.actor,
        &entry.context,
        &entry.previous,
    ];
    tx.execute(&statements.insert_entry, &values)
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
    if let Some(checkpoint) = checkpoint {
        let revision = revision_to_db(operation, checkpoint.revision)?;
        let company = checkpoint.company.to_string();
        tx.execute(
            &statements.upsert_checkpoint,
            &[
                &company,
                &revision,
                &checkpoint.document,
                &checkpoint.compact,
            ],
        )
        .map_err(fail)?;
    }
    // Delivered at commit, and only if the transaction commits.
    tx.execute(&statements.notify, &[&channel, &notice])
        .map_err(fail)?;
    Ok(())
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
    lock_company: Statement,
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
                "INSERT INTO callgate_checkpoints (company, revision, document, compact)
                 VALUES ($1, $2, $3, $4)",
            )?,
            // Byte order, as SQLite sorts, whatever the database's collation.
            tenants: prepare(
                "SELECT tenant, company FROM callgate_tenants ORDER BY tenant COLLATE \"C\"",
            )?,
            insert_entry: prepare(
                "INSERT INTO callgate_log (company, revision, change, actor, context, previous)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )?,
            upsert_checkpoint: prepare(
                "INSERT INTO callgate_checkpoints (company, revision, document, compact)
                 VALUES ($1, $2, $3, $4)
                 ON CONFLICT (company) DO UPDATE SET revision = excluded.revision,
                                                     document = excluded.document,
                                                     compact = excluded.compact
                 WHERE excluded.revision > callgate_checkpoints.revision",
            )?,
            notify: prepare("SELECT pg_notify($1, $2)")?,
            lock_company: prepare("SELECT pg_advisory_xact_lock($1::bigint)")?,
            read_log: prepare(
                "SELECT revision, change, actor, context, previous FROM callgate_log
                 WHERE company = $1 AND revision >= $2 ORDER BY revision LIMIT $3",
            )?,
            checkpoint: prepare(
                "SELECT revision, document, compact FROM callgate_checkpoints WHERE company = $1",
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

impl Store for PostgresStore {
    fn company_of(&mut self, tenant: &str) -> Result<Option<CompanyId>, StoreError> {
        self.run(|store| {
            let fail = |e| pg_error("reading the tenants", e);
            let row = store
                .client
                .query_opt(&store.statements.company_of, &[&tenant])
                .map_err(fail)?;
            let Some(row) = row else { return Ok(None) };
            let company: String = row.try_get(0).map_err(fail)?;
            company_column(&company, tenant).map(Some)
        })
    }

    fn create_tenant(
        &mut self,
        tenant: &str,
        checkpoint: &Checkpoint,
    ) -> Result<CompanyId, StoreError> {
        self.run(|store| {
            let operation = "creating a tenant";
            let fail = |e| pg_error(operation, e);
            let company = checkpoint.company.to_string();
            let revision = revision_to_db(operation, checkpoint.revision)?;
            let mut tx = store.client.transaction().map_err(fail)?;
            // A racing transaction's row makes this wait for its outcome: if it
            // commits, nothing is inserted here and the select below sees it.
            let inserted = tx
                .execute(&store.statements.insert_tenant, &[&tenant, &company])
                .map_err(fail)?;
            if inserted == 0 {
                let row = tx
                    .query_opt(&store.statements.company_of, &[&tenant])
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
                &store.statements.insert_checkpoint,
                &[
                    &company,
                    &revision,
                    &checkpoint.document,
                    &checkpoint.compact,
                ],
            )
            .map_err(fail)?;
            tx.commit().map_err(fail)?;
            Ok(checkpoint.company)
        })
    }

    fn tenants(&mut self) -> Result<Vec<(String, CompanyId)>, StoreError> {
        self.run(|store| {
            let fail = |e| pg_error("reading the tenants", e);
            let rows = store
                .client
                .query(&store.statements.tenants, &[])
                .map_err(fail)?;
            let mut tenants = Vec::with_capacity(rows.len());
            for row in rows {
                let tenant: String = row.try_get(0).map_err(fail)?;
                let company: String = row.try_get(1).map_err(fail)?;
                let company = company_column(&company, &tenant)?;
                tenants.push((tenant, company));
            }
            Ok(tenants)
        })
    }

    fn append(
        &mut self,
        entry: &StoredEntry,
        checkpoint: Option<&Checkpoint>,
    ) -> Result<(), StoreError> {
        self.append_batch(std::slice::from_ref(entry), checkpoint)
    }

    fn append_batch(
        &mut self,
        entries: &[StoredEntry],
        checkpoint: Option<&Checkpoint>,
    ) -> Result<(), StoreError> {
        let Some(first) = entries.first() else {
            return Ok(());
        };
        self.run(|store| {
            let fail = |e| pg_error("appending entries", e);
            let mut tx = store.client.transaction().map_err(fail)?;
            let lock = company_lock_key(&store.schema, first.company);
            tx.execute(&store.statements.lock_company, &[&lock])
                .map_err(fail)?;
            for (i, entry) in entries.iter().enumerate() {
                let checkpoint = checkpoint.filter(|_| i == 0);
                insert_entry(
                    &mut tx,
                    &store.statements,
                    &store.channel,
                    entry,
                    checkpoint,
                )?;
            }
            tx.commit().map_err(fail)
        })
    }

    fn append_locked(
        &mut self,
        company: CompanyId,
        from: u64,
        plan: &mut PlanUnderLock<'_>,
    ) -> Result<(), StoreError> {
        self.run(|store| {
            let fail = |e| pg_error("appending an entry", e);
            let mut tx = store.client.transaction().map_err(fail)?;
            // Every append of the company takes the same lock, so nobody
            // takes the revision between the read and the insert; waiters
            // are served in turn.
            let lock = company_lock_key(&store.schema, company);
            tx.execute(&store.statements.lock_company, &[&lock])
                .map_err(fail)?;
            let entries = select_log(&mut tx, &store.statements, company, from, usize::MAX)?;
            let (entry, checkpoint) = plan(&entries)?;
            insert_entry(
                &mut tx,
                &store.statements,
                &store.channel,
                &entry,
                checkpoint.as_ref(),
            )?;
            tx.commit().map_err(fail)
        })
    }

    fn read_log(
        &mut self,
        company: CompanyId,
        from: u64,
        limit: usize,
    ) -> Result<Vec<StoredEntry>, StoreError> {
        self.run(|store| select_log(&mut store.client, &store.statements, company, from, limit))
    }

    fn checkpoint(&mut self, company: CompanyId) -> Result<Option<Checkpoint>, StoreError> {
        self.run(|store| {
            let operation = "reading a checkpoint";
            let fail = |e| pg_error(operation, e);
            let row = store
                .client
                .query_opt(&store.statements.checkpoint, &[&company.to_string()])
                .map_err(fail)?;
            let Some(row) = row else { return Ok(None) };
            let revision = revision_column(operation, &row)?;
            let document = row.try_get("document").map_err(fail)?;
            let compact: Option<Vec<u8>> = row.try_get("compact").map_err(fail)?;
            let checkpoint = Checkpoint::new(company, revision, document);
            Ok(Some(match compact {
                Some(bytes) => checkpoint.with_compact(bytes),
                None => checkpoint,
            }))
        })
    }

    fn put_checkpoint(&mut self, checkpoint: &Checkpoint) -> Result<(), StoreError> {
        self.run(|store| {
            let operation = "storing a checkpoint";
            let revision = revision_to_db(operation, checkpoint.revision)?;
            store
                .client
                .execute(
                    &store.statements.upsert_checkpoint,
                    &[
                        &checkpoint.company.to_string(),
                        &revision,
                        &checkpoint.document,
                        &checkpoint.compact,
                    ],
                )
                .map(drop)
                .map_err(|e| pg_error(operation, e))
        })
    }

    fn compact(&mut self, company: CompanyId) -> Result<u64, StoreError> {
        self.run(|store| {
            store
                .client
                .execute(&store.statements.compact, &[&company.to_string()])
                .map_err(|e| pg_error("compacting the log", e))
        })
    }

    fn wait(&mut self, timeout: Duration) -> Result<Wakeup, StoreError> {
        self.run(|store| {
            let operation = "waiting for notices";
            let fail = |e| pg_error(operation, e);
            let lost = || {
                StoreError::database(
                    operation,
                    DatabaseErrorKind::ConnectionLost,
                    "the server closed the connection",
                )
            };
            if store.client.is_closed() {
                return Err(lost());
            }
            if !store.listening {
                let listen = format!("LISTEN {}", quote_identifier(&store.channel));
                store.client.batch_execute(&listen).map_err(fail)?;
                store.listening = true;
                // Notices sent before now were missed.
                return Ok(Wakeup::Poll);
            }
            let deadline = Instant::now().checked_add(timeout);
            let mut notices = Notices::default();
            // Block until a notice of this channel comes, or the time is up.
            loop {
                let left =
                    deadline.map_or(WAIT_SLICE, |d| d.saturating_duration_since(Instant::now()));
                let slice = left.min(WAIT_SLICE);
                let next = store
                    .client
                    .notifications()
                    .timeout_iter(slice)
                    .next()
                    .map_err(fail)?;
                match next {
                    Some(notice) if notice.channel() == store.channel => {
                        notices.add(notice.payload());
                        break;
                    }
                    Some(_) => {} // the host's own channel: not ours to read
                    None if store.client.is_closed() => return Err(lost()),
                    None if deadline.is_some_and(|d| Instant::now() >= d) => break,
                    None => {} // a slice of a longer wait, or woken early
                }
            }
            // Then take every notice already here, without waiting.
            let mut pending = store.client.notifications();
            let mut pending = pending.iter();
            while let Some(notice) = pending.next().map_err(fail)? {
                if notice.channel() == store.channel {
                    notices.add(notice.payload());
                }
            }
            Ok(notices.wakeup())
        })
    }

    fn reconnect(&mut self) -> Result<(), StoreError> {
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
