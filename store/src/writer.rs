//! [`Writer`]: plan, store, commit, with retries on a lost race.

use std::time::Duration;

use callgate::{
    Change, ChangeReport, Company, CompanyId, PermissionFlags, Permissions, Reader, Session,
    Timestamp,
};

use crate::{CheckpointPolicy, Store, StoreError, codec};

mod state;

pub use self::state::DEFAULT_ATTEMPTS;
pub(crate) use self::state::WriterState;

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

    /// The session of the user making the change, if any.
    #[must_use]
    pub fn session(&self) -> Option<&Session> {
        self.session.as_ref()
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
/// let user = |name: &str| Change::create_user(name);
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
    state: WriterState<P>,
}

impl<P: PermissionFlags> std::fmt::Debug for Writer<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writer")
            .field("tenant", &self.state.tenant)
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
    pub fn open_with_catalog(
        store: impl Store + 'static,
        tenant: &str,
    ) -> Result<Self, StoreError> {
        let mut store: Box<dyn Store> = Box::new(store);
        let state = WriterState::open(&mut *store, tenant)?;
        Ok(Self { store, state })
    }

    /// The writer with `policy` for its checkpoints.
    #[must_use]
    pub fn with_checkpoints(mut self, policy: CheckpointPolicy) -> Self {
        self.state.policy = policy;
        self
    }

    /// The writer planning and storing a change at most `attempts` times
    /// (at least 1) before [`StoreError::Contended`].
    #[must_use]
    pub fn with_attempts(mut self, attempts: u32) -> Self {
        self.state.attempts = attempts.max(1);
        self
    }

    /// The tenant key.
    #[must_use]
    pub fn tenant(&self) -> &str {
        &self.state.tenant
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
        self.state.company()
    }

    /// A handle for request threads on the published company.
    #[must_use]
    pub fn reader(&self) -> Reader<P> {
        self.state.publisher.reader()
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

    /// Ends the tenant's grants whose end is at or before `now` (DOMAIN
    /// rule 24): writes `Change::ExpireGrants { now }` when
    /// [`Company::next_expiry`](callgate::Company::next_expiry) has come,
    /// and returns its report; writes nothing and returns `None` when no
    /// grant is due. The core keeps no clock: a service calls this from a
    /// timer (`Timestamp::now()`), at the company's next expiry or every
    /// minute, and its replicas follow the log.
    ///
    /// # Errors
    ///
    /// As [`Writer::write`].
    pub fn expire_grants(&mut self, now: Timestamp) -> Result<Option<ChangeReport>, StoreError> {
        self.state.expire_grants(&mut *self.store, now)
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
        crate::trace::enter_span!("write", tenant = %self.state.tenant, op = write.change().op());
        let written = self.state.write(&mut *self.store, &write);
        crate::trace::outcome(&written, "write refused");
        written
    }

    /// Writes several changes in one transaction: one flush of the
    /// database for all of them, for an import or a burst of changes. Each
    /// is planned against the state the ones before it leave, all are
    /// stored together, then committed and published together (readers see
    /// none of them or all). Returns their reports, in order.
    ///
    /// All or nothing: a refused write refuses the batch. On a lost race
    /// the writer catches up and plans the batch again, up to its attempts.
    ///
    /// # Errors
    ///
    /// As [`Writer::write`]; [`StoreError::Refused`] is the first refusal.
    ///
    /// # Example: three users at once
    ///
    /// ```
    /// use callgate::Change;
    /// use callgate_store::{SqliteStore, Write, Writer};
    ///
    /// let dir = tempfile::tempdir()?;
    /// let mut writer = Writer::open(SqliteStore::open(dir.path().join("c.db"))?, "acme")?;
    /// let user = |name: &str| Write::new(Change::CreateUser {
    ///     name: name.into(), roles: vec![], groups: vec![], projects: vec![],
    /// });
    /// let reports = writer.write_batch(vec![user("ann"), user("bob"), user("cid")])?;
    /// assert_eq!(reports.iter().map(|r| r.revision).collect::<Vec<_>>(), [1, 2, 3]);
    ///
    /// // A refused change refuses the batch.
    /// assert!(writer.write_batch(vec![user("dee"), user("ann")]).is_err());
    /// assert_eq!(writer.revision(), 3);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn write_batch(&mut self, writes: Vec<Write<P>>) -> Result<Vec<ChangeReport>, StoreError> {
        crate::trace::enter_span!("write_batch", tenant = %self.state.tenant, writes = writes.len());
        let written = self.state.write_batch(&mut *self.store, &writes);
        crate::trace::outcome(&written, "batch refused");
        written
    }

    /// Applies the entries other writers stored since this one last looked,
    /// and publishes them; returns how many.
    ///
    /// # Errors
    ///
    /// [`StoreError::Database`], [`StoreError::CorruptEntry`] (nothing of
    /// its page applied) and [`StoreError::Diverged`].
    pub fn catch_up(&mut self) -> Result<usize, StoreError> {
        crate::trace::enter_span!("writer_catch_up", tenant = %self.state.tenant);
        let caught_up = self.state.catch_up(&mut *self.store);
        crate::trace::outcome(&caught_up, "catch-up refused");
        caught_up
    }

    /// Stores a checkpoint of the company as it is now.
    ///
    /// # Errors
    ///
    /// [`StoreError::Database`] and [`StoreError::Encode`].
    pub fn checkpoint(&mut self) -> Result<(), StoreError> {
        self.state.checkpoint(&mut *self.store)
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
