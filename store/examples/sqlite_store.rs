//! A company stored in SQLite: a change log and a checkpoint, as a service
//! would keep them.
//!
//! The file holds two tables, with the library's data as JSON text:
//!
//! - `change_log`: one row per accepted change, keyed by the revision it
//!   applies to (the `LogEntry`: change, actor and the host's context);
//! - `checkpoint`: one row, the whole company (`to_document()`) at some
//!   revision, so a restart replays only the rows from there on.
//!
//! Every write goes in two phases:
//!
//! 1. **Plan.** `company.plan(change)` validates the change and changes
//!    nothing. Every refusal of the library happens here.
//! 2. **Store, then commit.** The plan's log entry is inserted in one SQLite
//!    transaction (with a checkpoint when one is due). Only once that
//!    transaction has committed is the plan committed in memory, which
//!    cannot fail. If the insert fails (another writer took the revision,
//!    the file is read-only, the disk is full...) the plan is dropped and
//!    the company is exactly as it was.
//!
//! So the log is the truth: a change is in memory only if it is in the log,
//! and a crash between the two steps loses nothing, since the restart
//! replays the row. Replicas open the file read-only and tail the log.
//!
//! `main` tells a short story; `tests/sqlite_store.rs` pins the store.
//! Run it with `cargo run --example sqlite_store`.

use std::error::Error;
use std::fmt;
use std::path::Path;

use callgate::{
    Change, ChangeReport, Company, Created, Document, LogEntry, ObjectId, ObjectKind, Permissions,
    Plan, Resource, RoleId, Session, UserId,
};
use rusqlite::{params, Connection, OpenFlags, OptionalExtension, TransactionBehavior};

/// How often a writer stores a checkpoint, in changes, unless told otherwise.
pub(crate) const CHECKPOINT_EVERY: u64 = 100;

/// The two tables. `STRICT` makes SQLite refuse a value of the wrong type,
/// so a row's columns are always text where JSON is expected.
///
/// The checkpoint at revision `r` is the company before row `r`: a restart
/// loads it and replays rows `r` and on. Rows below `r` are kept here, since
/// replicas tailing the log need every row from their own revision on. A
/// host prunes them (`DELETE FROM change_log WHERE revision < ?`) once every
/// replica is past them, or keeps them as the audit trail.
const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS change_log (
    revision INTEGER PRIMARY KEY CHECK (revision >= 0),
    company  TEXT NOT NULL,
    change   TEXT NOT NULL,
    actor    TEXT,
    context  TEXT NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS checkpoint (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    revision INTEGER NOT NULL,
    document TEXT NOT NULL
) STRICT;
";

/// Why the store refused to read or write.
#[derive(Debug)]
pub(crate) enum StoreError {
    /// The library refused the change when planning it; nothing was stored.
    Refused(callgate::Error),
    /// The log already has a row at this revision: another writer stored a
    /// change there first. Nothing was stored or committed; catch up and
    /// decide again.
    RevisionTaken {
        /// The revision the change was planned at.
        revision: u64,
    },
    /// A change-log row does not decode; no row of its batch was applied.
    CorruptRow {
        /// The row's revision.
        revision: u64,
        /// The column that does not decode: `change`, `actor` or `context`.
        column: &'static str,
        /// What the JSON decoder said.
        reason: String,
    },
    /// The checkpoint does not load.
    CorruptCheckpoint {
        /// The revision in the checkpoint's row.
        revision: u64,
        /// What the loader said.
        reason: String,
    },
    /// The company no longer follows the log (a gap, or a row the company
    /// refuses): reopen it from the store.
    Diverged(callgate::Error),
    /// SQLite failed (a read-only file, a full disk, a busy lock...).
    Sqlite(rusqlite::Error),
    /// A value did not encode as JSON.
    Json(serde_json::Error),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Refused(error) => write!(f, "the change is refused: {error}"),
            Self::RevisionTaken { revision } => write!(
                f,
                "revision {revision} is already in the change log: another writer stored \
                 a change there first; catch up and decide again"
            ),
            Self::CorruptRow {
                revision,
                column,
                reason,
            } => write!(
                f,
                "change_log row at revision {revision}: column `{column}` does not decode: {reason}"
            ),
            Self::CorruptCheckpoint { revision, reason } => {
                write!(
                    f,
                    "the checkpoint at revision {revision} does not load: {reason}"
                )
            }
            Self::Diverged(error) => write!(f, "the company no longer follows the log: {error}"),
            Self::Sqlite(error) => write!(f, "the store failed: {error}"),
            Self::Json(error) => write!(f, "a value does not encode as JSON: {error}"),
        }
    }
}

impl Error for StoreError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            Self::Refused(error) | Self::Diverged(error) => Some(error),
            Self::Sqlite(error) => Some(error),
            Self::Json(error) => Some(error),
            Self::RevisionTaken { .. }
            | Self::CorruptRow { .. }
            | Self::CorruptCheckpoint { .. } => None,
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> Self {
        Self::Sqlite(error)
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(error: serde_json::Error) -> Self {
        Self::Json(error)
    }
}

/// One SQLite connection to one company's file.
pub(crate) struct Store {
    conn: Connection,
}

impl Store {
    /// Opens the file read-write, creating it and its tables if needed.
    pub(crate) fn open(path: &Path) -> Result<Self, StoreError> {
        let conn = Connection::open(path)?;
        conn.execute_batch(SCHEMA)?;
        Ok(Self { conn })
    }

    /// Opens an existing file read-only, as a replica does: it never writes.
    pub(crate) fn open_read_only(path: &Path) -> Result<Self, StoreError> {
        let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        Ok(Self::from_connection(conn))
    }

    /// A store over a connection the host opened itself, on a file whose
    /// tables exist.
    pub(crate) fn from_connection(conn: Connection) -> Self {
        Self { conn }
    }

    /// The company as stored: the checkpoint (without one, a new company
    /// with the id of the log's first row, or a new id for an empty log)
    /// and every log row from its revision on, replayed in order.
    pub(crate) fn restore(&self) -> Result<Company, StoreError> {
        let mut company = match self.load_checkpoint()? {
            Some(company) => company,
            None => match self.read_log(0)?.first() {
                Some(first) => Company::new().with_id(first.company),
                None => Company::new(),
            },
        };
        tail(&mut company, self)?;
        Ok(company)
    }

    /// Stores `company` as the checkpoint at revision 0 if the file has no
    /// checkpoint and no log yet; otherwise does nothing (another writer
    /// created the company first, and its id stays).
    pub(crate) fn create_company(&self, company: &Company) -> Result<(), StoreError> {
        if self.has_company()? {
            return Ok(()); // nothing to write (the file may be read-only)
        }
        let document = serde_json::to_string(&company.to_document())?;
        self.conn.execute(
            "INSERT INTO checkpoint (id, revision, document)
             SELECT 1, 0, ?1 WHERE NOT EXISTS (SELECT 1 FROM change_log)
             ON CONFLICT (id) DO NOTHING",
            params![document],
        )?;
        Ok(())
    }

    /// Whether a writer has created the company in this file: a checkpoint
    /// or a log row.
    pub(crate) fn has_company(&self) -> Result<bool, StoreError> {
        let sql = "SELECT EXISTS (SELECT 1 FROM checkpoint) OR EXISTS (SELECT 1 FROM change_log)";
        Ok(self.conn.query_row(sql, [], |row| row.get(0))?)
    }

    /// The revision of the checkpoint, if one was taken.
    pub(crate) fn checkpoint_revision(&self) -> Result<Option<u64>, StoreError> {
        let sql = "SELECT revision FROM checkpoint WHERE id = 1";
        Ok(self.conn.query_row(sql, [], |row| row.get(0)).optional()?)
    }

    fn load_checkpoint(&self) -> Result<Option<Company>, StoreError> {
        let sql = "SELECT revision, document FROM checkpoint WHERE id = 1";
        let row: Option<(u64, String)> = self
            .conn
            .query_row(sql, [], |row| Ok((row.get(0)?, row.get(1)?)))
            .optional()?;
        let Some((revision, document)) = row else {
            return Ok(None);
        };
        let corrupt = |reason: String| StoreError::CorruptCheckpoint { revision, reason };
        let company: Company = Company::load(&mut serde_json::Deserializer::from_str(&document))
            .map_err(|error| corrupt(error.to_string()))?;
        if company.revision() != revision {
            let found = company.revision();
            return Err(corrupt(format!("its document is at revision {found}")));
        }
        Ok(Some(company))
    }

    /// Every log row at `from` or later, in revision order, all decoded: a
    /// row that does not decode refuses the whole batch, naming its
    /// revision. (A host with a long log would read it in pages, with
    /// `LIMIT`.)
    pub(crate) fn read_log(&self, from: u64) -> Result<Vec<LogEntry>, StoreError> {
        let mut statement = self.conn.prepare_cached(
            "SELECT revision, company, change, actor, context FROM change_log
             WHERE revision >= ?1 ORDER BY revision",
        )?;
        let rows = statement.query_map([from], |row| {
            Ok(Row {
                revision: row.get(0)?,
                company: row.get(1)?,
                change: row.get(2)?,
                actor: row.get(3)?,
                context: row.get(4)?,
            })
        })?;
        rows.map(|row| row?.decode()).collect()
    }

    /// Inserts `entry` and, when given, the checkpoint, in one transaction.
    /// A row already at the entry's revision refuses the whole transaction
    /// with [`StoreError::RevisionTaken`].
    pub(crate) fn append(
        &mut self,
        entry: &LogEntry,
        checkpoint: Option<&Document>,
    ) -> Result<(), StoreError> {
        let company = entry.company.to_string();
        let change = serde_json::to_string(&entry.change)?;
        let actor = entry.actor.map(|a| serde_json::to_string(&a)).transpose()?;
        let context = serde_json::to_string(&entry.context)?;
        let document = checkpoint.map(serde_json::to_string).transpose()?;

        // IMMEDIATE takes the write lock at once, so two writers queue
        // instead of failing halfway.
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO change_log (revision, company, change, actor, context)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![entry.revision, company, change, actor, context],
        )
        .map_err(|error| revision_taken(error, entry.revision))?;
        if let Some(document) = document {
            tx.execute(
                "INSERT INTO checkpoint (id, revision, document) VALUES (1, ?1, ?2)
                 ON CONFLICT (id) DO UPDATE SET revision = excluded.revision,
                                                document = excluded.document",
                params![entry.revision, document],
            )?;
        }
        // Dropping `tx` on an error above rolls it back.
        tx.commit()?;
        Ok(())
    }
}

/// A PRIMARY KEY violation on `change_log` means another writer stored
/// that revision first; every other failure stays SQLite's.
fn revision_taken(error: rusqlite::Error, revision: u64) -> StoreError {
    let primary_key = rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY;
    match error.sqlite_error() {
        Some(code) if code.extended_code == primary_key => StoreError::RevisionTaken { revision },
        _ => StoreError::Sqlite(error),
    }
}

/// One `change_log` row as stored: JSON text, not decoded yet.
struct Row {
    revision: u64,
    company: String,
    change: String,
    actor: Option<String>,
    context: String,
}

impl Row {
    /// The row as a log entry, or the column that does not decode.
    fn decode(self) -> Result<LogEntry, StoreError> {
        let revision = self.revision;
        let corrupt = |column, error: serde_json::Error| StoreError::CorruptRow {
            revision,
            column,
            reason: error.to_string(),
        };
        let company = self
            .company
            .parse()
            .map_err(|e: callgate::ParseCompanyIdError| StoreError::CorruptRow {
                revision,
                column: "company",
                reason: e.to_string(),
            })?;
        let change = serde_json::from_str(&self.change).map_err(|e| corrupt("change", e))?;
        let mut entry = LogEntry::new(company, revision, change);
        if let Some(actor) = &self.actor {
            entry.actor = Some(serde_json::from_str(actor).map_err(|e| corrupt("actor", e))?);
        }
        entry.context = serde_json::from_str(&self.context).map_err(|e| corrupt("context", e))?;
        Ok(entry)
    }
}

/// Applies the log rows `company` has not seen yet. All rows are read and
/// decoded before the first is applied, so a corrupt row applies nothing.
fn tail(company: &mut Company, store: &Store) -> Result<usize, StoreError> {
    let entries = store.read_log(company.revision())?;
    company.catch_up(&entries).map_err(StoreError::Diverged)
}

/// The replica that takes changes: its company and its store. Changes are
/// planned, stored, then committed (see the top of the file).
pub(crate) struct Writer {
    company: Company,
    store: Store,
    checkpoint_every: u64,
}

impl Writer {
    /// Restores the company from `store`; stores a checkpoint every
    /// [`CHECKPOINT_EVERY`] changes.
    pub(crate) fn open(store: Store) -> Result<Self, StoreError> {
        Self::open_with(store, CHECKPOINT_EVERY)
    }

    /// Restores the company from `store`; stores a checkpoint every
    /// `checkpoint_every` changes (at the revisions it divides; 0: never).
    /// Any writer reads any checkpoint, whatever its own interval.
    /// On a new file, it first stores a new company as the checkpoint at
    /// revision 0: its id is then the file's, for every writer and replica.
    pub(crate) fn open_with(store: Store, checkpoint_every: u64) -> Result<Self, StoreError> {
        store.create_company(&Company::new())?;
        Ok(Self {
            company: store.restore()?,
            store,
            checkpoint_every,
        })
    }

    /// The company as committed: every change in it is in the log.
    pub(crate) fn company(&self) -> &Company {
        &self.company
    }

    /// The writer's store.
    pub(crate) fn store(&self) -> &Store {
        &self.store
    }

    /// Plans `change` as the host, stores it with `context`, then commits.
    pub(crate) fn write<K: Into<String>, V: Into<String>>(
        &mut self,
        change: Change,
        context: impl IntoIterator<Item = (K, V)>,
    ) -> Result<ChangeReport, StoreError> {
        let plan = self.company.plan(change).map_err(StoreError::Refused)?;
        self.store_then_commit(plan, context)
    }

    /// Plans `change` as the user behind `session` (the row names them as
    /// its actor), stores it with `context`, then commits.
    pub(crate) fn write_as<K: Into<String>, V: Into<String>>(
        &mut self,
        session: &Session,
        change: Change,
        context: impl IntoIterator<Item = (K, V)>,
    ) -> Result<ChangeReport, StoreError> {
        let plan = self.company.plan_as(session, change);
        self.store_then_commit(plan.map_err(StoreError::Refused)?, context)
    }

    /// Applies the rows other writers stored since this one last looked.
    pub(crate) fn catch_up(&mut self) -> Result<usize, StoreError> {
        tail(&mut self.company, &self.store)
    }

    fn store_then_commit<K: Into<String>, V: Into<String>>(
        &mut self,
        plan: Plan,
        context: impl IntoIterator<Item = (K, V)>,
    ) -> Result<ChangeReport, StoreError> {
        let plan = context
            .into_iter()
            .fold(plan, |plan, (key, value)| plan.with_context(key, value));
        // The checkpoint is the company as it is now: the state the new row
        // applies to, at the row's revision. So it goes in the same
        // transaction, and a restart replays from that row on.
        let revision = plan.revision();
        let due = revision > 0 && revision.checked_rem(self.checkpoint_every) == Some(0);
        let checkpoint = due.then(|| self.company.to_document());
        // Phase 2a: on any error the plan is dropped here, unstored and
        // uncommitted.
        self.store.append(plan.entry(), checkpoint.as_ref())?;
        // Phase 2b: cannot fail, since the plan was made by this company at
        // its revision, and `&mut self` kept anything else from moving it.
        self.company.commit(plan).map_err(StoreError::Diverged)
    }
}

/// A read-only replica: its own company, kept up to date by tailing the log.
pub(crate) struct Replica {
    company: Company,
    store: Store,
    /// Whether the company came from the file (false: opened before any
    /// writer created it, so its id is not the file's yet).
    from_file: bool,
}

impl Replica {
    /// Restores the company from `store`: checkpoint, then log.
    pub(crate) fn open(store: Store) -> Result<Self, StoreError> {
        Ok(Self {
            from_file: store.has_company()?,
            company: store.restore()?,
            store,
        })
    }

    /// The replica's company, at the revision of its last poll.
    pub(crate) fn company(&self) -> &Company {
        &self.company
    }

    /// Reads the rows `WHERE revision >= company.revision()` and applies
    /// them; returns how many were applied. On an error nothing of the batch
    /// was applied if a row did not decode; on [`StoreError::Diverged`],
    /// reopen the replica.
    pub(crate) fn poll(&mut self) -> Result<usize, StoreError> {
        if !self.from_file {
            // Opened before any writer created the company: restore it once
            // it exists, with its id.
            if !self.store.has_company()? {
                return Ok(0);
            }
            self.company = self.store.restore()?;
            self.from_file = true;
            return Ok(usize::try_from(self.company.revision()).unwrap_or(usize::MAX));
        }
        tail(&mut self.company, &self.store)
    }
}

// ---------------------------------------------------------------------------
// The story.

fn main() -> Result<(), Box<dyn Error>> {
    let path = std::env::temp_dir().join(format!("callgate-sqlite-{}.db", std::process::id()));
    let _ = std::fs::remove_file(&path); // a file left by an earlier process with this id
    let result = story(&path);
    let removed = std::fs::remove_file(&path);
    result?;
    Ok(removed?)
}

fn story(path: &Path) -> Result<(), Box<dyn Error>> {
    // A checkpoint every 5 changes rather than CHECKPOINT_EVERY, so that this
    // short story takes one.
    let mut writer = Writer::open_with(Store::open(path)?, 5)?;
    let mut replica = Replica::open(Store::open_read_only(path)?)?;
    println!(
        "[writer] opened a new file, and [replica] opened it read-only: both at revision {}",
        replica.company().revision()
    );
    let (sam, queue) = build_call_center(&mut writer)?;
    let checkpoint = writer.store().checkpoint_revision()?;
    println!(
        "[writer] built the call center: revision {}, checkpoint at revision {}",
        writer.company().revision(),
        checkpoint.map_or_else(|| "none".to_owned(), |revision| revision.to_string())
    );
    audit(&writer)?;

    let applied = replica.poll()?;
    let question = (sam, Permissions::QUEUES_MANAGE, Resource::Object(queue));
    let (mine, theirs) = (
        writer.company().check(question.0, question.1, question.2),
        replica.company().check(question.0, question.1, question.2),
    );
    println!(
        "[replica] polled: {applied} change(s) applied; may sam manage the queue? \
         writer: {mine}, replica: {theirs}"
    );
    if mine != theirs {
        return Err("the replica answers differently".into());
    }

    stale_writer_is_refused(path, &mut writer)?;
    let applied = replica.poll()?;
    println!(
        "[replica] polled: {applied} change(s) applied, at revision {}",
        replica.company().revision()
    );
    restart_is_identical(path, writer)
}

/// Builds a small call center; returns the supervisor and the queue.
fn build_call_center(writer: &mut Writer) -> Result<(UserId, ObjectId), Box<dyn Error>> {
    let ann = new_user(writer, "ann", 1)?; // the first user: Admin
    let sam = new_user(writer, "sam", 2)?;
    let bob = new_user(writer, "bob", 3)?;
    let kim = new_user(writer, "kim", 4)?;
    let assign = |role, user: UserId| Change::AssignRole {
        role,
        principals: vec![user.into()],
    };
    writer.write(assign(RoleId::SUPERVISOR, sam), request(5))?;
    writer.write(assign(RoleId::OPERATOR, bob), request(6))?;
    let qa = Change::CreateRole {
        name: "QA".into(),
        description: "Evaluates calls".into(),
        permissions: Permissions::QA_SHEETS_MANAGE | Permissions::QA_CHECKS_MANAGE,
        principals: vec![kim.into()],
        put_users_offline: false,
    };
    writer.write(qa, request(7))?;
    let project = Change::CreateProject {
        name: "Acme Bank".into(),
        description: "Inbound support for Acme Bank".into(),
        principals: vec![sam.into(), bob.into(), kim.into()],
        objects: vec![],
    };
    let Some(Created::Project(acme)) = writer.write(project, request(8))?.created else {
        return Err("the project was not created".into());
    };
    let queue = Change::CreateObject {
        kind: ObjectKind::Queue,
        name: "Acme inbound".into(),
        projects: vec![acme],
    };
    // ann adds the queue through her session: the row names her as actor.
    let session = writer.company().login(ann)?;
    let Some(Created::Object(queue)) = writer.write_as(&session, queue, request(9))?.created else {
        return Err("the queue was not created".into());
    };
    Ok((sam, queue))
}

fn new_user(writer: &mut Writer, name: &str, request_no: u32) -> Result<UserId, Box<dyn Error>> {
    let change = Change::CreateUser {
        name: name.into(),
        roles: vec![],
        groups: vec![],
        projects: vec![],
    };
    match writer.write(change, request(request_no))?.created {
        Some(Created::User(user)) => Ok(user),
        other => Err(format!("expected a new user, got {other:?}").into()),
    }
}

/// The host's context of a request: its id and (a fixed) time.
fn request(n: u32) -> [(&'static str, String); 2] {
    [
        ("requestId", format!("r-{n:04}")),
        ("at", format!("2025-03-03T09:{n:02}:00Z")),
    ]
}

/// Prints the last row of the log as an auditor would read it.
fn audit(writer: &Writer) -> Result<(), Box<dyn Error>> {
    let log = writer.store().read_log(0)?;
    let Some(last) = log.last() else {
        return Err("the log is empty".into());
    };
    let actor = last.actor.and_then(|a| writer.company().user(a.user));
    let context: Vec<String> = last
        .context
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    println!(
        "[audit] {} rows; row {} was made by {}: {}",
        log.len(),
        last.revision,
        actor.map_or("the host", |user| user.name()),
        context.join(" ")
    );
    Ok(())
}

/// A second writer on the same file falls behind; its write is refused by
/// the PRIMARY KEY and leaves its company as it was.
fn stale_writer_is_refused(path: &Path, writer: &mut Writer) -> Result<(), Box<dyn Error>> {
    let mut stale = Writer::open(Store::open(path)?)?;
    let seen = stale.company().revision();
    let before = serde_json::to_string(&stale.company().to_document())?;
    let group = |name: &str| Change::CreateGroup {
        name: name.into(),
        members: vec![],
    };
    writer.write(group("Night shift"), request(10))?;
    match stale.write(group("Weekend shift"), request(11)) {
        Err(StoreError::RevisionTaken { revision }) => {
            let after = serde_json::to_string(&stale.company().to_document())?;
            println!(
                "[writer 2] its change at revision {revision} is refused: the row is taken; \
                 it is still at revision {seen}, same document: {}",
                before == after
            );
        }
        other => return Err(format!("the stale write was not refused: {other:?}").into()),
    }
    let caught = stale.catch_up()?;
    stale.write(group("Weekend shift"), request(12))?;
    println!("[writer 2] caught up {caught} change(s); its change then went through");
    let caught = writer.catch_up()?;
    println!("[writer] caught up {caught} change(s)");
    Ok(())
}

/// Drops the writer and opens the file again: checkpoint plus log give the
/// same document, byte for byte.
fn restart_is_identical(path: &Path, writer: Writer) -> Result<(), Box<dyn Error>> {
    let before = serde_json::to_string(&writer.company().to_document())?;
    drop(writer);
    let writer = Writer::open(Store::open(path)?)?;
    let after = serde_json::to_string(&writer.company().to_document())?;
    let checkpoint = writer.store().checkpoint_revision()?.unwrap_or(0);
    println!(
        "[restart] checkpoint at revision {checkpoint} + {} row(s) replayed: revision {}, \
         same document byte for byte ({} bytes): {}",
        writer.company().revision() - checkpoint,
        writer.company().revision(),
        after.len(),
        before == after
    );
    if before != after {
        return Err("the restart gave another document".into());
    }
    Ok(())
}
