//! [`Writer`]: plan, store, commit, with retries on a lost race.

use std::time::Duration;

use callgate::{
    Change, ChangeReport, Company, CompanyId, PermissionFlags, Permissions, Plan, Publisher,
    Reader, Session,
};

use crate::log::{self, LOG_PAGE};
use crate::{codec, CheckpointPolicy, Store, StoreError, StoredEntry};

/// How many times a writer plans and stores one change before it gives up
/// with [`StoreError::Contended`], unless told otherwise.
pub const DEFAULT_ATTEMPTS: u32 = 16;

/// One change to write, with who makes it and the host's context: what
/// [`Writer::write`] takes.
///
/// # Example
///
/// ```
/// use callgate::{Change, UserId};
/// use callgate_store::Write;
///
/// let write: Write = Write::new(Change::DeleteUser { user: UserId::new(3) })
///     .with_context("requestId", "r-42");
/// assert_eq!(write.context(), &[("requestId".to_owned(), "r-42".to_owned())]);
/// ```
#[derive(Debug, Clone)]
pub struct Write<P: PermissionFlags = Permissions> {
    change: Change<P>,
    session: Option<Session>,
    context: Vec<(String, String)>,
}

impl<P: PermissionFlags> Write<P> {
    /// `change`, made by the host itself (no actor).
    #[must_use]
    pub fn new(change: Change<P>) -> Self {
        Self {
            change,
            session: None,
            context: Vec::new(),
        }
    }

    /// The write made by the user behind `session`: they must be allowed to
    /// make it ([`Company::plan_as`]), and the log entry names them.
    #[must_use]
    pub fn by(mut self, session: &Session) -> Self {
        self.session = Some(*session);
        self
    }

    /// The write with one more piece of the host's context (a request id,
    /// a time), stored with the entry and never read by the library.
    #[must_use]
    pub fn with_context(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.context.push((key.into(), value.into()));
        self
    }

    /// The change.
    #[must_use]
    pub fn change(&self) -> &Change<P> {
        &self.change
    }

    /// The host's context, in the order given.
    #[must_use]
    pub fn context(&self) -> &[(String, String)] {
        &self.context
    }
}

/// The writer of one tenant's company: every change is planned, stored in
/// the log, and only then committed and published.
///
/// - **Nothing is lost, nothing is made up.** A change is in memory only
///   once its entry is stored. A failed store (a read-only or full file, a
///   lost connection) leaves the company exactly as it was.
/// - **Lost races are retried.** When another writer stored an entry at the
///   revision first, the writer catches up with the log and plans the change
///   again against the new state, which may refuse it now. It tries
///   [`DEFAULT_ATTEMPTS`] times (see [`Writer::with_attempts`]) before
///   [`StoreError::Contended`].
/// - **A lost connection is settled.** When the connection drops during a
///   store, the writer reconnects and reads the log at the revision: its own
///   entry there means the change was stored and is committed; another
///   means it lost the race; none means it was not stored. If the database
///   cannot be reached, the error is returned and the next call settles
///   first.
/// - **Readers** get the published company through [`Writer::reader`]: they
///   never wait for the store.
///
/// Every method blocks on the database. In an async service, own the
/// writer in a `Mutex` and call it from `tokio::task::spawn_blocking`.
///
/// # Example: two writers on one file
///
/// ```
/// use callgate::{Change, Created};
/// use callgate_store::{SqliteStore, Writer};
///
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("callgate.db");
/// let mut first = Writer::open(SqliteStore::open(&path)?, "acme")?;
/// let mut second = Writer::open(SqliteStore::open(&path)?, "acme")?;
/// assert_eq!(first.id(), second.id()); // one company for the tenant
///
/// let user = |name: &str| Change::CreateUser {
///     name: name.into(), roles: vec![], groups: vec![], projects: vec![],
/// };
/// first.apply(user("ann"))?;
/// // `second` is behind: it loses the race for revision 0, catches up and
/// // plans again at revision 1.
/// let report = second.apply(user("bob"))?;
/// assert_eq!(report.revision, 2);
/// assert!(matches!(report.created, Some(Created::User(_))));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Writer<P: PermissionFlags = Permissions> {
    store: Box<dyn Store>,
    publisher: Publisher<P>,
    tenant: String,
    policy: CheckpointPolicy,
    attempts: u32,
    /// Entries, and bytes of entries, stored since the last checkpoint
    /// (between its revision and the company's).
    since_checkpoint: (u64, u64),
    /// An entry whose store failed with a lost connection: it may or may
    /// not be in the log. `settle` finds out before anything else is done.
    unsettled: Option<StoredEntry>,
}

impl<P: PermissionFlags> std::fmt::Debug for Writer<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writer")
            .field("tenant", &self.tenant)
            .field("company", &self.id())
            .field("revision", &self.revision())
            .finish_non_exhaustive()
    }
}

impl Writer {
    /// Opens the writer of `tenant` with the standard catalog: loads its
    /// company (checkpoint, then log), or creates the tenant with a new
    /// company if the store has none.
    ///
    /// # Errors
    ///
    /// [`StoreError::Database`], [`StoreError::CorruptCheckpoint`],
    /// [`StoreError::CorruptEntry`] and [`StoreError::Diverged`], naming the
    /// revision.
    pub fn open(store: impl Store + 'static, tenant: &str) -> Result<Self, StoreError> {
        Self::open_or_create(store, tenant, Company::new)
    }

    /// Opens the writer of a tenant the store keeps, with the standard
    /// catalog.
    ///
    /// # Errors
    ///
    /// [`StoreError::UnknownTenant`] when the store keeps no company for
    /// `tenant` (nothing is created), and every error of [`Writer::open`].
    pub fn open_existing(store: impl Store + 'static, tenant: &str) -> Result<Self, StoreError> {
        Self::open_with_catalog(store, tenant)
    }
}

impl<P: PermissionFlags> Writer<P> {
    /// Opens the writer of `tenant`: loads its company, or creates the
    /// tenant with the company `new` makes (a product's
    /// `Company::<MyFlags>::with_catalog()`, a company built from a
    /// template) if the store has none. Two processes creating one tenant at
    /// once end with the same company: the second loads the first's.
    ///
    /// # Errors
    ///
    /// As [`Writer::open`].
    pub fn open_or_create(
        store: impl Store + 'static,
        tenant: &str,
        new: impl FnOnce() -> Company<P>,
    ) -> Result<Self, StoreError> {
        let mut store: Box<dyn Store> = Box::new(store);
        if store.company_of(tenant)?.is_none() {
            let checkpoint = codec::checkpoint_of(&new())?;
            store.create_tenant(tenant, &checkpoint)?;
        }
        Self::open_with_catalog(store, tenant)
    }

    /// Opens the writer of a tenant the store keeps, for a product's
    /// catalog `P`: `Writer::<MyFlags>::open_with_catalog(store, "acme")`.
    ///
    /// # Errors
    ///
    /// As [`Writer::open_existing`].
    pub fn open_with_catalog(store: impl Store + 'static, tenant: &str) -> Result<Self, StoreError> {
        let mut store: Box<dyn Store> = Box::new(store);
        let (company, replayed) = log::restore::<P>(&mut *store, tenant)?;
        Ok(Self {
            store,
            publisher: Publisher::new(company),
            tenant: tenant.to_owned(),
            policy: CheckpointPolicy::default(),
            attempts: DEFAULT_ATTEMPTS,
            since_checkpoint: (replayed, 0),
            unsettled: None,
        })
    }

    /// The writer with `policy` for its checkpoints.
    #[must_use]
    pub fn with_checkpoints(mut self, policy: CheckpointPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// The writer planning and storing a change at most `attempts` times
    /// (at least 1) before [`StoreError::Contended`].
    #[must_use]
    pub fn with_attempts(mut self, attempts: u32) -> Self {
        self.attempts = attempts.max(1);
        self
    }

    /// The tenant key.
    #[must_use]
    pub fn tenant(&self) -> &str {
        &self.tenant
    }

    /// The company's id, kept by the store for the tenant.
    #[must_use]
    pub fn id(&self) -> CompanyId {
        self.company().id()
    }

    /// The revision of the last change stored and committed.
    #[must_use]
    pub fn revision(&self) -> u64 {
        self.company().revision()
    }

    /// The company as committed: every change in it is in the log.
    #[must_use]
    pub fn company(&self) -> &Company<P> {
        self.publisher.company()
    }

    /// A handle for request threads on the published company.
    #[must_use]
    pub fn reader(&self) -> Reader<P> {
        self.publisher.reader()
    }

    /// The writer's store, for the host's own queries.
    #[must_use]
    pub fn store(&mut self) -> &mut dyn Store {
        &mut *self.store
    }

    /// Writes `change` as the host: [`Writer::write`] with no actor and no
    /// context.
    ///
    /// # Errors
    ///
    /// As [`Writer::write`].
    pub fn apply(&mut self, change: Change<P>) -> Result<ChangeReport, StoreError> {
        self.write(Write::new(change))
    }

    /// Writes `change` as the user behind `session`.
    ///
    /// # Errors
    ///
    /// As [`Writer::write`].
    pub fn apply_as(
        &mut self,
        session: &Session,
        change: Change<P>,
    ) -> Result<ChangeReport, StoreError> {
        self.write(Write::new(change).by(session))
    }

    /// Plans the write, stores its entry (with a checkpoint when the policy
    /// says one is due), then commits and publishes it. On a lost race it
    /// catches up and plans again.
    ///
    /// # Errors
    ///
    /// - [`StoreError::Refused`]: the library refused the change (planned
    ///   against the latest state);
    /// - [`StoreError::Contended`]: other writers won every try;
    /// - [`StoreError::Database`]: the store failed; with
    ///   [`DatabaseErrorKind::ConnectionLost`](crate::DatabaseErrorKind::ConnectionLost)
    ///   the change may have been stored, and the next call finds out;
    /// - [`StoreError::CorruptEntry`] and [`StoreError::Diverged`] while
    ///   catching up.
    ///
    /// In every case the company is as it was, or has caught up with the
    /// log.
    pub fn write(&mut self, write: Write<P>) -> Result<ChangeReport, StoreError> {
        self.settle()?;
        for _ in 0..self.attempts {
            let plan = self.plan(&write)?;
            let row = codec::encode(plan.entry())?;
            // The checkpoint is the company before this entry: due once
            // enough entries lie between the last one and it.
            let due = self
                .policy
                .is_due(self.since_checkpoint.0, self.since_checkpoint.1);
            let checkpoint = due
                .then(|| codec::checkpoint_of(self.company()))
                .transpose()?;
            match self.store.append(&row, checkpoint.as_ref()) {
                Ok(()) => return self.commit(plan, &row, checkpoint.is_some()),
                Err(StoreError::Conflict { .. }) => {
                    self.catch_up()?;
                }
                Err(error) if error.is_connection_lost() => {
                    self.unsettled = Some(row);
                    match self.settle_plan(plan)? {
                        Some(report) => return Ok(report),
                        None => continue,
                    }
                }
                Err(error) => return Err(error),
            }
        }
        Err(StoreError::Contended {
            company: self.id(),
            attempts: self.attempts,
        })
    }

    /// Applies the entries other writers stored since this one last looked,
    /// and publishes them; returns how many.
    ///
    /// # Errors
    ///
    /// [`StoreError::Database`], [`StoreError::CorruptEntry`] (nothing of
    /// its page applied) and [`StoreError::Diverged`].
    pub fn catch_up(&mut self) -> Result<usize, StoreError> {
        let mut applied = 0;
        loop {
            let from = self.revision();
            let page = self.store.read_log(self.id(), from, LOG_PAGE)?;
            let count = log::apply_page(&mut self.publisher, &page)?;
            self.since_checkpoint.0 += count as u64;
            applied += count;
            if page.len() < LOG_PAGE {
                return Ok(applied);
            }
        }
    }

    /// Stores a checkpoint of the company as it is now.
    ///
    /// # Errors
    ///
    /// [`StoreError::Database`] and [`StoreError::Encode`].
    pub fn checkpoint(&mut self) -> Result<(), StoreError> {
        let checkpoint = codec::checkpoint_of(self.company())?;
        self.store.put_checkpoint(&checkpoint)?;
        self.since_checkpoint = (0, 0);
        Ok(())
    }

    fn plan(&self, write: &Write<P>) -> Result<Plan<P>, StoreError> {
        let company = self.company();
        let plan = match &write.session {
            Some(session) => company.plan_as(session, write.change.clone()),
            None => company.plan(write.change.clone()),
        };
        let plan = plan.map_err(StoreError::Refused)?;
        Ok(write
            .context
            .iter()
            .fold(plan, |plan, (key, value)| plan.with_context(key, value)))
    }

    fn commit(
        &mut self,
        plan: Plan<P>,
        row: &StoredEntry,
        checkpointed: bool,
    ) -> Result<ChangeReport, StoreError> {
        let revision = plan.revision();
        // Cannot fail: the plan was made by this company at its revision,
        // and `&mut self` kept anything else from moving it.
        let report = self
            .publisher
            .commit(plan)
            .map_err(|source| StoreError::Diverged {
                company: self.id(),
                revision,
                source,
            })?;
        self.since_checkpoint = if checkpointed {
            (1, row.len() as u64)
        } else {
            (
                self.since_checkpoint.0 + 1,
                self.since_checkpoint.1 + row.len() as u64,
            )
        };
        Ok(report)
    }

    /// Finds out whether an entry whose store lost its connection is in the
    /// log, before anything else is planned: reconnects, then catches up
    /// (which applies it if it was stored).
    fn settle(&mut self) -> Result<(), StoreError> {
        if self.unsettled.is_some() {
            reconnect(&mut *self.store)?;
            self.unsettled = None;
            self.catch_up()?;
        }
        Ok(())
    }

    /// [`settle`](Self::settle) for the plan whose store just lost its
    /// connection: `Some` report if its entry is in the log (committed),
    /// `None` if it is not or another writer's is there (caught up: plan
    /// again).
    fn settle_plan(&mut self, plan: Plan<P>) -> Result<Option<ChangeReport>, StoreError> {
        reconnect(&mut *self.store)?;
        let Some(ours) = self.unsettled.take() else {
            return Ok(None);
        };
        let stored = self.store.read_log(ours.company, ours.revision, 1)?;
        match stored.first() {
            Some(entry) if *entry == ours => self.commit(plan, &ours, false).map(Some),
            Some(_) => self.catch_up().map(|_| None),
            None => Ok(None),
        }
    }
}

/// Reconnects `store`, trying a few times over about a second.
pub(crate) fn reconnect(store: &mut dyn Store) -> Result<(), StoreError> {
    let mut delay = Duration::from_millis(20);
    let mut last = None;
    for _ in 0..6 {
        match store.reconnect() {
            Ok(()) => return Ok(()),
            Err(error) => last = Some(error),
        }
        std::thread::sleep(delay);
        delay = delay.saturating_mul(2);
    }
    match last {
        Some(error) => Err(error),
        None => Ok(()),
    }
}
