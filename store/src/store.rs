//! The one interface every database implements: [`Store`].

use std::time::Duration;

use callgate::CompanyId;

use crate::StoreError;

/// One change-log row as a store keeps it: the company, the revision the
/// change applies to, and the entry's parts as JSON text.
///
/// A store keeps the text as it was given and gives it back byte for byte;
/// decoding is the [`Writer`](crate::Writer)'s and the
/// [`Replica`](crate::Replica)'s, so a row that does not decode is refused
/// by its revision and column.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StoredEntry {
    /// The company whose log holds the row.
    pub company: CompanyId,
    /// The revision the change applies to: the row's key within the company.
    pub revision: u64,
    /// The `Change`, as JSON.
    pub change: String,
    /// The `Actor`, as JSON, for a change made through a session.
    pub actor: Option<String>,
    /// The host's context, as a JSON object (`{}` for none).
    pub context: String,
    /// The digest of the entry before it ([`LogEntry::previous`](callgate::LogEntry::previous)),
    /// as 64 hex digits; `None` in rows written before callgate-store 0.4
    /// and for entries that name none.
    pub previous: Option<String>,
}

impl StoredEntry {
    /// A row of `company` at `revision` with its JSON columns.
    #[must_use]
    pub fn new(
        company: CompanyId,
        revision: u64,
        change: String,
        actor: Option<String>,
        context: String,
    ) -> Self {
        Self {
            company,
            revision,
            change,
            actor,
            context,
            previous: None,
        }
    }

    /// The row with `previous` as the digest of the entry before it.
    #[must_use]
    pub fn with_previous(mut self, previous: Option<String>) -> Self {
        self.previous = previous;
        self
    }

    /// The bytes of the row's JSON columns: what a
    /// [`CheckpointPolicy`](crate::CheckpointPolicy) counts.
    #[must_use]
    pub fn len(&self) -> usize {
        self.change.len()
            + self.actor.as_ref().map_or(0, String::len)
            + self.context.len()
            + self.previous.as_ref().map_or(0, String::len)
    }

    /// Whether the row's JSON columns are all empty (never, for a row a
    /// writer made).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A stored company at one revision: its document, as JSON text.
///
/// The checkpoint at revision `r` is the company before the log entry at
/// `r`: a start loads it and replays the entries from `r` on.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Checkpoint {
    /// The company.
    pub company: CompanyId,
    /// The company's revision in the document.
    pub revision: u64,
    /// The company's `Document`, as JSON: the interchange form, for
    /// people and other tools.
    pub document: String,
    /// The same company in callgate's compact binary form
    /// (`Company::to_checkpoint`), which loads in about half the time; a
    /// start loads it when it is there. `None` for a checkpoint written
    /// without it.
    pub compact: Option<Vec<u8>>,
}

impl Checkpoint {
    /// A checkpoint of `company` at `revision`.
    #[must_use]
    pub fn new(company: CompanyId, revision: u64, document: String) -> Self {
        Self {
            company,
            revision,
            document,
            compact: None,
        }
    }

    /// The checkpoint with the compact form of its company.
    #[must_use]
    pub fn with_compact(mut self, compact: Vec<u8>) -> Self {
        self.compact = Some(compact);
        self
    }
}

/// What [`Store::wait`] saw.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Wakeup {
    /// These companies stored entries, up to these revisions (exclusive:
    /// the company's revision once it has applied them). Others may have
    /// too, if notices were lost: poll everything now and then.
    Changed(Vec<(CompanyId, u64)>),
    /// Something may have changed (the store cannot say what): poll every
    /// company followed.
    Poll,
    /// Nothing was seen before the timeout.
    TimedOut,
}

/// A database that keeps companies: per company a change log and its latest
/// checkpoint, and per tenant key the company it names.
///
/// Every method is blocking and takes `&mut self`: one value is one
/// connection. In an async service, call the types that own a store
/// ([`Writer`](crate::Writer), [`Replica`](crate::Replica)) from
/// `tokio::task::spawn_blocking`, or run them on a thread of their own
/// ([`Follower`](crate::Follower) does); reads of the company never touch
/// the store.
///
/// The crate implements it for SQLite ([`SqliteStore`](crate::SqliteStore))
/// and PostgreSQL (`PostgresStore`, feature `postgres`). Another database
/// implements the same contract, which `tests/suite` in the crate's
/// repository pins:
///
/// - [`append`](Store::append) is atomic with its checkpoint, and refuses a
///   revision the company's log already has with [`StoreError::Conflict`],
///   storing nothing;
/// - text comes back byte for byte as it was stored;
/// - entries come back in revision order.
pub trait Store: Send {
    /// The company kept for `tenant`, if any.
    ///
    /// # Errors
    ///
    /// [`StoreError::Database`].
    fn company_of(&mut self, tenant: &str) -> Result<Option<CompanyId>, StoreError>;

    /// Keeps `tenant` for the checkpoint's company, and stores the
    /// checkpoint as its first, in one transaction. If the tenant is already
    /// kept, stores nothing and returns the company kept for it (another
    /// process created it first): the caller then loads that one.
    ///
    /// # Errors
    ///
    /// [`StoreError::Database`]; nothing is stored.
    fn create_tenant(
        &mut self,
        tenant: &str,
        checkpoint: &Checkpoint,
    ) -> Result<CompanyId, StoreError>;

    /// Every tenant key with its company, ordered by key.
    ///
    /// # Errors
    ///
    /// [`StoreError::Database`].
    fn tenants(&mut self) -> Result<Vec<(String, CompanyId)>, StoreError>;

    /// Appends `entry` to its company's log, with `checkpoint` (of the same
    /// company, at the entry's revision) when given, in one transaction.
    ///
    /// # Errors
    ///
    /// [`StoreError::Conflict`] when the log already has the entry's
    /// revision, and [`StoreError::Database`]; either way nothing is stored,
    /// except that after [`DatabaseErrorKind::ConnectionLost`](crate::DatabaseErrorKind::ConnectionLost)
    /// the outcome is unknown until the log is read again.
    fn append(
        &mut self,
        entry: &StoredEntry,
        checkpoint: Option<&Checkpoint>,
    ) -> Result<(), StoreError>;

    /// Appends `entries` (of one company, at consecutive revisions) with
    /// `checkpoint` (at the first entry's revision) in one transaction: all
    /// of them or none. One flush of the database for many changes: what
    /// [`Writer::write_batch`](crate::Writer::write_batch) stores.
    ///
    /// # Errors
    ///
    /// As [`append`](Store::append), for any of the entries; nothing is
    /// stored.
    fn append_batch(
        &mut self,
        entries: &[StoredEntry],
        checkpoint: Option<&Checkpoint>,
    ) -> Result<(), StoreError>;

    /// Appends an entry planned under the company's write lock: takes the
    /// lock, reads every entry of `company` from revision `from` on, hands
    /// them to `plan`, and stores the entry and checkpoint it returns (at
    /// the revision after them), in one transaction. No other writer can
    /// take the revision meanwhile, so a writer that lost a race uses it to
    /// make progress.
    ///
    /// The default reads and appends without a lock (a store that has none
    /// may still refuse with [`StoreError::Conflict`]); SQLite and
    /// PostgreSQL lock.
    ///
    /// # Errors
    ///
    /// The error `plan` returns, and the errors of [`append`](Store::append);
    /// nothing is stored.
    fn append_locked(
        &mut self,
        company: CompanyId,
        from: u64,
        plan: &mut PlanUnderLock<'_>,
    ) -> Result<(), StoreError> {
        let entries = self.read_log(company, from, usize::MAX)?;
        let (entry, checkpoint) = plan(&entries)?;
        self.append(&entry, checkpoint.as_ref())
    }

    /// Up to `limit` entries of `company` at revision `from` or later, in
    /// revision order.
    ///
    /// # Errors
    ///
    /// [`StoreError::Database`].
    fn read_log(
        &mut self,
        company: CompanyId,
        from: u64,
        limit: usize,
    ) -> Result<Vec<StoredEntry>, StoreError>;

    /// The latest checkpoint of `company`, if one is stored.
    ///
    /// # Errors
    ///
    /// [`StoreError::Database`].
    fn checkpoint(&mut self, company: CompanyId) -> Result<Option<Checkpoint>, StoreError>;

    /// Stores `checkpoint` as its company's latest, unless a checkpoint at
    /// the same or a later revision is stored already.
    ///
    /// # Errors
    ///
    /// [`StoreError::Database`].
    fn put_checkpoint(&mut self, checkpoint: &Checkpoint) -> Result<(), StoreError>;

    /// Deletes the entries of `company` below its latest checkpoint's
    /// revision, and returns how many. Nothing else needs them to start,
    /// but a replica behind the checkpoint then reloads, and the audit trail
    /// they were is gone: compaction is the host's choice.
    ///
    /// # Errors
    ///
    /// [`StoreError::Database`].
    fn compact(&mut self, company: CompanyId) -> Result<u64, StoreError>;

    /// Blocks until an entry may have been stored by anyone, or `timeout`
    /// passes. PostgreSQL listens (`LISTEN`/`NOTIFY`); SQLite polls the
    /// file's version.
    ///
    /// # Errors
    ///
    /// [`StoreError::Database`], with
    /// [`DatabaseErrorKind::ConnectionLost`](crate::DatabaseErrorKind::ConnectionLost)
    /// when the connection is gone: call [`reconnect`](Store::reconnect).
    fn wait(&mut self, timeout: Duration) -> Result<Wakeup, StoreError>;

    /// Opens the connection again, after a lost one.
    ///
    /// # Errors
    ///
    /// [`StoreError::Database`] when the database cannot be reached.
    fn reconnect(&mut self) -> Result<(), StoreError>;
}

/// What [`Store::append_locked`] calls with the entries a writer has not
/// seen: it catches up, plans, and returns the entry to store with its
/// checkpoint.
pub type PlanUnderLock<'a> =
    dyn FnMut(&[StoredEntry]) -> Result<(StoredEntry, Option<Checkpoint>), StoreError> + 'a;

impl<S: Store + ?Sized> Store for Box<S> {
    fn company_of(&mut self, tenant: &str) -> Result<Option<CompanyId>, StoreError> {
        (**self).company_of(tenant)
    }
    fn create_tenant(
        &mut self,
        tenant: &str,
        checkpoint: &Checkpoint,
    ) -> Result<CompanyId, StoreError> {
        (**self).create_tenant(tenant, checkpoint)
    }
    fn tenants(&mut self) -> Result<Vec<(String, CompanyId)>, StoreError> {
        (**self).tenants()
    }
    fn append(
        &mut self,
        entry: &StoredEntry,
        checkpoint: Option<&Checkpoint>,
    ) -> Result<(), StoreError> {
        (**self).append(entry, checkpoint)
    }
    fn append_batch(
        &mut self,
        entries: &[StoredEntry],
        checkpoint: Option<&Checkpoint>,
    ) -> Result<(), StoreError> {
        (**self).append_batch(entries, checkpoint)
    }
    fn append_locked(
        &mut self,
        company: CompanyId,
        from: u64,
        plan: &mut PlanUnderLock<'_>,
    ) -> Result<(), StoreError> {
        (**self).append_locked(company, from, plan)
    }
    fn read_log(
        &mut self,
        company: CompanyId,
        from: u64,
        limit: usize,
    ) -> Result<Vec<StoredEntry>, StoreError> {
        (**self).read_log(company, from, limit)
    }
    fn checkpoint(&mut self, company: CompanyId) -> Result<Option<Checkpoint>, StoreError> {
        (**self).checkpoint(company)
    }
    fn put_checkpoint(&mut self, checkpoint: &Checkpoint) -> Result<(), StoreError> {
        (**self).put_checkpoint(checkpoint)
    }
    fn compact(&mut self, company: CompanyId) -> Result<u64, StoreError> {
        (**self).compact(company)
    }
    fn wait(&mut self, timeout: Duration) -> Result<Wakeup, StoreError> {
        (**self).wait(timeout)
    }
    fn reconnect(&mut self) -> Result<(), StoreError> {
        (**self).reconnect()
    }
}
