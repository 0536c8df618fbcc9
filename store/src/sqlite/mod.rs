//! [`SqliteStore`]: the store on one SQLite file, for one machine.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use callgate::CompanyId;
use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, TransactionBehavior, params};

mod import;

pub use self::import::Imported;

use crate::{Checkpoint, DatabaseErrorKind, PlanUnderLock, Store, StoreError, StoredEntry, Wakeup};

/// The schema's migrations, in order: version `i + 1` is `MIGRATIONS[i]`.
const MIGRATIONS: &[&str] = &[
    include_str!("../../migrations/sqlite/0001_init.sql"),
    include_str!("../../migrations/sqlite/0002_compact_checkpoints.sql"),
    include_str!("../../migrations/sqlite/0003_entry_chain.sql"),
];

/// How a [`SqliteStore`] trades durability for speed, and how often a
/// replica polls the file.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SqliteOptions {
    /// Whether a committed entry survives a power cut (`true`:
    /// `synchronous = FULL`, the default) or only a crash of the process
    /// (`false`: `synchronous = NORMAL`, faster). The file is always in WAL
    /// mode.
    pub durable: bool,
    /// How often [`Store::wait`] looks at the file for other connections'
    /// writes. Default 5 ms.
    pub poll_interval: Duration,
    /// How long a write waits for another connection's lock before it
    /// fails with [`DatabaseErrorKind::Busy`]. Default 5 s.
    pub busy_timeout: Duration,
}

impl Default for SqliteOptions {
    fn default() -> Self {
        Self {
            durable: true,
            poll_interval: Duration::from_millis(5),
            busy_timeout: Duration::from_secs(5),
        }
    }
}

impl SqliteOptions {
    /// The options with `durable` set (see the field).
    #[must_use]
    pub fn durable(mut self, durable: bool) -> Self {
        self.durable = durable;
        self
    }

    /// The options with `busy_timeout` set (see the field).
    #[must_use]
    pub fn busy_timeout(mut self, timeout: Duration) -> Self {
        self.busy_timeout = timeout;
        self
    }

    /// The options with `poll_interval` set (see the field).
    #[must_use]
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.poll_interval = interval;
        self
    }
}

/// The [`Store`] on one SQLite file: every tenant's log and checkpoint in
/// three tables (`callgate_tenants`, `callgate_log`,
/// `callgate_checkpoints`), which may share the file with the host's own.
///
/// Many processes may open the file: writers queue on SQLite's lock, and
/// replicas poll the file (see [`SqliteOptions::poll_interval`]). The file is
/// in WAL mode, so readers never wait for a writer.
///
/// # Example: a writer and a replica on one file
///
/// ```
/// use callgate::{Change, Created, Permissions, Resource, RoleId};
/// use callgate_store::{Replica, SqliteStore, Writer};
///
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("callgate.db");
/// let mut writer = Writer::open(SqliteStore::open(&path)?, "acme")?;
/// let user = Change::create_user("ann");
/// let Some(Created::User(ann)) = writer.apply(user)?.created else { unreachable!() };
///
/// let mut replica = Replica::open(SqliteStore::open_read_only(&path)?, "acme")?;
/// assert_eq!(replica.revision(), 1);
/// writer.apply(Change::AssignRole { role: RoleId::OPERATOR, principals: vec![ann.into()] })?;
/// replica.poll()?;
/// let reader = replica.reader();
/// assert!(reader.check(ann, Permissions::CALL_JOURNAL_VIEW, Resource::Company).is_allowed());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct SqliteStore {
    conn: Connection,
    path: PathBuf,
    read_only: bool,
    options: SqliteOptions,
    /// The file's `data_version` when [`Store::wait`] last looked.
    seen_version: Option<i64>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .field("read_only", &self.read_only)
            .finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Opens the file read-write with the default [`SqliteOptions`],
    /// creating it and bringing its schema up to date.
    ///
    /// # Errors
    ///
    /// [`StoreError::Database`] when the file cannot be opened or written,
    /// and [`StoreError::SchemaTooNew`] when a newer release wrote it.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        Self::open_with(path.as_ref(), SqliteOptions::default())
    }

    /// Opens the file read-write with `options`.
    ///
    /// # Errors
    ///
    /// As [`SqliteStore::open`].
    pub fn open_with(path: impl AsRef<Path>, options: SqliteOptions) -> Result<Self, StoreError> {
        let mut store = Self::connect(path.as_ref(), false, options)?;
        store.migrate()?;
        Ok(store)
    }

    /// Opens an existing file read-only, as a replica does: it never
    /// writes, and a write through it fails with
    /// [`DatabaseErrorKind::ReadOnly`]. The schema must be there: a writer
    /// creates it.
    ///
    /// # Errors
    ///
    /// [`StoreError::Database`] when the file cannot be opened, and
    /// [`StoreError::SchemaTooNew`].
    pub fn open_read_only(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        let store = Self::connect(path.as_ref(), true, SqliteOptions::default())?;
        store.check_schema()?;
        Ok(store)
    }

    /// Opens the file read-only with `options`.
    ///
    /// # Errors
    ///
    /// As [`SqliteStore::open_read_only`].
    pub fn open_read_only_with(
        path: impl AsRef<Path>,
        options: SqliteOptions,
    ) -> Result<Self, StoreError> {
        let store = Self::connect(path.as_ref(), true, options)?;
        store.check_schema()?;
        Ok(store)
    }

    /// The path of the file.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The connection, for the host's own queries on the same file (an
    /// audit page reading `callgate_log`, a test corrupting a row).
    #[must_use]
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    fn connect(path: &Path, read_only: bool, options: SqliteOptions) -> Result<Self, StoreError> {
        let conn = open_connection(path, read_only, &options)?;
        Ok(Self {
            conn,
            path: path.to_owned(),
            read_only,
            options,
            seen_version: None,
        })
    }

    /// Applies the migrations the file lacks, each in its own transaction.
    fn migrate(&mut self) -> Result<(), StoreError> {
        let fail = |e| sqlite_error("migrating the schema", e);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(fail)?;
        let version: i64 = tx
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .map_err(fail)?;
        let known = i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX);
        if version > known {
            return Err(StoreError::SchemaTooNew {
                found: version,
                known,
            });
        }
        let pending = MIGRATIONS
            .iter()
            .skip(usize::try_from(version).unwrap_or(0));
        for sql in pending {
            tx.execute_batch(sql).map_err(fail)?;
        }
        tx.execute_batch(&format!("PRAGMA user_version = {known}"))
            .map_err(fail)?;
        tx.commit().map_err(fail)
    }

    fn check_schema(&self) -> Result<(), StoreError> {
        let version: i64 = self
            .conn
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .map_err(|e| sqlite_error("reading the schema version", e))?;
        let known = i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX);
        if version > known {
            return Err(StoreError::SchemaTooNew {
                found: version,
                known,
            });
        }
        Ok(())
    }

    fn data_version(&self) -> Result<i64, StoreError> {
        self.conn
            .query_row("PRAGMA data_version", [], |row| row.get(0))
            .map_err(|e| sqlite_error("polling the file", e))
    }
}

fn open_connection(
    path: &Path,
    read_only: bool,
    options: &SqliteOptions,
) -> Result<Connection, StoreError> {
    let fail = |e| sqlite_error("opening the file", e);
    let conn = if read_only {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        Connection::open_with_flags(path, flags).map_err(fail)?
    } else {
        Connection::open(path).map_err(fail)?
    };
    // First, so that the pragmas below wait for another process opening
    // the same new file instead of failing with "database is locked".
    conn.busy_timeout(options.busy_timeout).map_err(fail)?;
    if !read_only {
        // WAL: readers never wait for the writer, and a commit is one
        // append to the WAL file.
        wal(&conn, options.busy_timeout).map_err(fail)?;
        let synchronous = if options.durable { "FULL" } else { "NORMAL" };
        conn.pragma_update(None, "synchronous", synchronous)
            .map_err(fail)?;
    }
    Ok(conn)
}

/// Puts the file in WAL mode. Two processes opening a new file at once
/// race for the lock that takes, and SQLite answers the loser "database is
/// locked" at once, without its busy handler: try again until `timeout`.
fn wal(conn: &Connection, timeout: Duration) -> rusqlite::Result<()> {
    let deadline = std::time::Instant::now() + timeout;
    loop {
        match conn.pragma_update(None, "journal_mode", "WAL") {
            Err(error)
                if matches!(
                    error.sqlite_error_code(),
                    Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
                ) && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(Duration::from_millis(5));
            }
            done => return done,
        }
    }
}

/// A SQLite failure while doing `operation`, sorted by kind.
fn sqlite_error(operation: &'static str, error: rusqlite::Error) -> StoreError {
    let kind = match error.sqlite_error_code() {
        Some(ErrorCode::ReadOnly) => DatabaseErrorKind::ReadOnly,
        Some(ErrorCode::DiskFull) => DatabaseErrorKind::Full,
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => DatabaseErrorKind::Busy,
        _ => DatabaseErrorKind::Other,
    };
    StoreError::database(operation, kind, error)
}

/// A company id read from a column, or the column's row named as corrupt.
fn company_column(text: &str, tenant: &str) -> Result<CompanyId, StoreError> {
    text.parse()
        .map_err(|error: callgate::ParseCompanyIdError| {
            StoreError::database(
                "reading the tenants",
                DatabaseErrorKind::Other,
                format!("tenant `{tenant}`: column `company`: {error}"),
            )
        })
}

impl Store for SqliteStore {
    fn company_of(&mut self, tenant: &str) -> Result<Option<CompanyId>, StoreError> {
        kept_company(&self.conn, tenant)
    }

    fn create_tenant(
        &mut self,
        tenant: &str,
        checkpoint: &Checkpoint,
    ) -> Result<CompanyId, StoreError> {
        let fail = |e| sqlite_error("creating a tenant", e);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(fail)?;
        if let Some(existing) = kept_company(&tx, tenant)? {
            return Ok(existing);
        }
        let company = checkpoint.company.to_string();
        tx.execute(
            "INSERT INTO callgate_tenants (tenant, company) VALUES (?1, ?2)",
            params![tenant, company],
        )
        .map_err(fail)?;
        tx.execute(
            "INSERT INTO callgate_checkpoints (company, revision, document, compact)
             VALUES (?1, ?2, ?3, ?4)",
            params![
                company,
                checkpoint.revision,
                checkpoint.document,
                checkpoint.compact
            ],
        )
        .map_err(fail)?;
        tx.commit().map_err(fail)?;
        Ok(checkpoint.company)
    }

    fn tenants(&mut self) -> Result<Vec<(String, CompanyId)>, StoreError> {
        let fail = |e| sqlite_error("reading the tenants", e);
        let mut statement = self
            .conn
            .prepare_cached("SELECT tenant, company FROM callgate_tenants ORDER BY tenant")
            .map_err(fail)?;
        let rows = statement
            .query_map([], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
            })
            .map_err(fail)?;
        let mut tenants = Vec::new();
        for row in rows {
            let (tenant, company) = row.map_err(fail)?;
            let company = company_column(&company, &tenant)?;
            tenants.push((tenant, company));
        }
        Ok(tenants)
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
        let fail = |e| sqlite_error("appending entries", e);
        // IMMEDIATE takes the write lock at once, so two writers queue
        // instead of failing halfway; dropping `tx` on an error rolls it
        // back.
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(fail)?;
        for (i, entry) in entries.iter().enumerate() {
            insert_entry(&tx, entry, checkpoint.filter(|_| i == 0))?;
        }
        tx.commit().map_err(fail)
    }

    fn append_locked(
        &mut self,
        company: CompanyId,
        from: u64,
        plan: &mut PlanUnderLock<'_>,
    ) -> Result<(), StoreError> {
        let fail = |e| sqlite_error("appending an entry", e);
        // The file's write lock, held from the read to the commit.
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(fail)?;
        let entries = select_log(&tx, company, from, usize::MAX)?;
        let (entry, checkpoint) = plan(&entries)?;
        insert_entry(&tx, &entry, checkpoint.as_ref())?;
        tx.commit().map_err(fail)
    }

    fn read_log(
        &mut self,
        company: CompanyId,
        from: u64,
        limit: usize,
    ) -> Result<Vec<StoredEntry>, StoreError> {
        select_log(&self.conn, company, from, limit)
    }

    fn checkpoint(&mut self, company: CompanyId) -> Result<Option<Checkpoint>, StoreError> {
        let sql = "SELECT revision, document, compact FROM callgate_checkpoints WHERE company = ?1";
        self.conn
            .query_row(sql, [company.to_string()], |row| {
                let checkpoint = Checkpoint::new(company, row.get(0)?, row.get(1)?);
                let compact: Option<Vec<u8>> = row.get(2)?;
                Ok(match compact {
                    Some(bytes) => checkpoint.with_compact(bytes),
                    None => checkpoint,
                })
            })
            .optional()
            .map_err(|e| sqlite_error("reading a checkpoint", e))
    }

    fn put_checkpoint(&mut self, checkpoint: &Checkpoint) -> Result<(), StoreError> {
        upsert_checkpoint(&self.conn, checkpoint)
            .map(drop)
            .map_err(|e| sqlite_error("storing a checkpoint", e))
    }

    fn compact(&mut self, company: CompanyId) -> Result<u64, StoreError> {
        let deleted = self
            .conn
            .execute(
                "DELETE FROM callgate_log WHERE company = ?1 AND revision <
                   (SELECT revision FROM callgate_checkpoints WHERE company = ?1)",
                [company.to_string()],
            )
            .map_err(|e| sqlite_error("compacting the log", e))?;
        Ok(u64::try_from(deleted).unwrap_or(u64::MAX))
    }

    fn wait(&mut self, timeout: Duration) -> Result<Wakeup, StoreError> {
        let start = Instant::now();
        let Some(seen) = self.seen_version else {
            // The first call has nothing to compare with.
            self.seen_version = Some(self.data_version()?);
            return Ok(Wakeup::Poll);
        };
        loop {
            let now = self.data_version()?;
            if now != seen {
                self.seen_version = Some(now);
                return Ok(Wakeup::Poll);
            }
            let waited = start.elapsed();
            if waited >= timeout {
                return Ok(Wakeup::TimedOut);
            }
            std::thread::sleep(self.options.poll_interval.min(timeout - waited));
        }
    }

    fn reconnect(&mut self) -> Result<(), StoreError> {
        self.conn = open_connection(&self.path, self.read_only, &self.options)?;
        self.seen_version = None;
        Ok(())
    }
}

/// The company kept for `tenant`, if any.
fn kept_company(conn: &Connection, tenant: &str) -> Result<Option<CompanyId>, StoreError> {
    let sql = "SELECT company FROM callgate_tenants WHERE tenant = ?1";
    let company: Option<String> = conn
        .query_row(sql, [tenant], |row| row.get(0))
        .optional()
        .map_err(|e| sqlite_error("reading the tenants", e))?;
    company.map(|c| company_column(&c, tenant)).transpose()
}

/// Inserts `entry` (a taken revision is a [`StoreError::Conflict`]) and,
/// when given, the checkpoint, in the caller's transaction.
fn insert_entry(
    conn: &Connection,
    entry: &StoredEntry,
    checkpoint: Option<&Checkpoint>,
) -> Result<(), StoreError> {
    let fail = |e| sqlite_error("appending an entry", e);
    conn.prepare_cached(
        "INSERT INTO callgate_log (company, revision, change, actor, context, previous)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )
    .and_then(|mut insert| {
        insert.execute(params![
            entry.company.to_string(),
            entry.revision,
            entry.change,
            entry.actor,
            entry.context,
            entry.previous
        ])
    })
    .map_err(|error| match error.sqlite_error() {
        Some(code) if code.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY => {
            StoreError::Conflict {
                company: entry.company,
                revision: entry.revision,
            }
        }
        _ => fail(error),
    })?;
    if let Some(checkpoint) = checkpoint {
        upsert_checkpoint(conn, checkpoint).map_err(fail)?;
    }
    Ok(())
}

/// Up to `limit` entries of `company` from `from` on, in revision order.
fn select_log(
    conn: &Connection,
    company: CompanyId,
    from: u64,
    limit: usize,
) -> Result<Vec<StoredEntry>, StoreError> {
    let fail = |e| sqlite_error("reading the log", e);
    let mut statement = conn
        .prepare_cached(
            "SELECT revision, change, actor, context, previous FROM callgate_log
             WHERE company = ?1 AND revision >= ?2 ORDER BY revision LIMIT ?3",
        )
        .map_err(fail)?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = statement
        .query_map(params![company.to_string(), from, limit], |row| {
            Ok(
                StoredEntry::new(company, row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)
                    .with_previous(row.get(4)?),
            )
        })
        .map_err(fail)?;
    rows.collect::<Result<_, _>>().map_err(fail)
}

/// Stores `checkpoint` unless one at the same or a later revision is there.
fn upsert_checkpoint(conn: &Connection, checkpoint: &Checkpoint) -> rusqlite::Result<usize> {
    conn.execute(
        "INSERT INTO callgate_checkpoints (company, revision, document, compact)
         VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (company) DO UPDATE SET revision = excluded.revision,
                                             document = excluded.document,
                                             compact = excluded.compact
         WHERE excluded.revision > callgate_checkpoints.revision",
        params![
            checkpoint.company.to_string(),
            checkpoint.revision,
            checkpoint.document,
            checkpoint.compact
        ],
    )
}
