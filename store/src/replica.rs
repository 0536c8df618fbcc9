//! [`Replica`]: a read-only company that follows its tenant's log.

use std::time::{Duration, Instant};

use callgate::{Company, CompanyId, PermissionFlags, Permissions, Publisher, Reader, View};

use crate::log::{self, LOG_PAGE};
use crate::{Store, StoreError, Wakeup};

/// A read-only copy of one tenant's company: it loads the latest
/// checkpoint, then applies the log as other processes write it.
///
/// [`poll`](Replica::poll) applies what is new; [`wait_for`](Replica::wait_for)
/// polls until a revision token is reached. To follow the log on a thread of
/// its own, with reconnection after a lost database, use
/// [`Replica::follow`].
///
/// On a refused entry (a row that does not decode, or one the company
/// refuses: the replica diverged from the log) it keeps serving its last good
/// state and returns the error, naming the revision; [`reload`](Replica::reload)
/// starts again from the latest checkpoint.
///
/// # Example: a revision token
///
/// ```
/// use callgate::{Change, Permissions, Resource, RoleId};
/// use callgate_store::{Replica, SqliteStore, Writer};
/// use std::time::Duration;
///
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("callgate.db");
/// let mut writer = Writer::open(SqliteStore::open(&path)?, "acme")?;
/// let mut replica = Replica::open(SqliteStore::open_read_only(&path)?, "acme")?;
///
/// let user = Change::create_user("ann");
/// let token = writer.apply(user)?.revision; // the client keeps it
/// let view = replica.wait_for(token, Duration::from_secs(5))?;
/// assert_eq!(view.revision(), token);
/// assert!(view.user_by_name("ann").is_some());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Replica<P: PermissionFlags = Permissions> {
    pub(crate) store: Box<dyn Store>,
    pub(crate) publisher: Publisher<P>,
    tenant: String,
}

impl<P: PermissionFlags> std::fmt::Debug for Replica<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Replica")
            .field("tenant", &self.tenant)
            .field("company", &self.id())
            .field("revision", &self.revision())
            .finish_non_exhaustive()
    }
}

impl Replica {
    /// Opens the replica of `tenant` with the standard catalog: its latest
    /// checkpoint, then the log.
    ///
    /// # Errors
    ///
    /// [`StoreError::UnknownTenant`] (nothing is created: a writer creates
    /// tenants), [`StoreError::Database`], [`StoreError::CorruptCheckpoint`],
    /// [`StoreError::CorruptEntry`] and [`StoreError::Diverged`].
    pub fn open(store: impl Store + 'static, tenant: &str) -> Result<Self, StoreError> {
        Self::open_with_catalog(store, tenant)
    }
}

impl<P: PermissionFlags> Replica<P> {
    /// Opens the replica of `tenant` for a product's catalog `P`:
    /// `Replica::<MyFlags>::open_with_catalog(store, "acme")`.
    ///
    /// # Errors
    ///
    /// As [`Replica::open`].
    pub fn open_with_catalog(
        store: impl Store + 'static,
        tenant: &str,
    ) -> Result<Self, StoreError> {
        let mut store: Box<dyn Store> = Box::new(store);
        let (company, _) = log::restore::<P>(&mut *store, tenant)?;
        Ok(Self {
            store,
            publisher: Publisher::new(company),
            tenant: tenant.to_owned(),
        })
    }

    /// The tenant key.
    #[must_use]
    pub fn tenant(&self) -> &str {
        &self.tenant
    }

    /// The company's id.
    #[must_use]
    pub fn id(&self) -> CompanyId {
        self.company().id()
    }

    /// The revision the replica has reached.
    #[must_use]
    pub fn revision(&self) -> u64 {
        self.company().revision()
    }

    /// The company as the replica has it.
    #[must_use]
    pub fn company(&self) -> &Company<P> {
        self.publisher.company()
    }

    /// A handle for request threads on the published company.
    #[must_use]
    pub fn reader(&self) -> Reader<P> {
        self.publisher.reader()
    }

    /// The replica's store.
    #[must_use]
    pub fn store(&mut self) -> &mut dyn Store {
        &mut *self.store
    }

    /// Applies the entries stored since the last poll, and publishes them;
    /// returns how many.
    ///
    /// When the log no longer holds the replica's next entry (another
    /// process compacted it below a newer checkpoint), reloads from that
    /// checkpoint.
    ///
    /// # Errors
    ///
    /// [`StoreError::Database`]; [`StoreError::CorruptEntry`], with nothing
    /// of its page applied; [`StoreError::Diverged`], with the entries
    /// before the refused one applied. Either way the replica keeps serving
    /// its last good state.
    pub fn poll(&mut self) -> Result<usize, StoreError> {
        let mut applied = 0;
        loop {
            let (id, from) = (self.id(), self.revision());
            let page = self.store.read_log(id, from, LOG_PAGE)?;
            if page.first().is_some_and(|first| first.revision > from) {
                return self.reload_past_gap(applied, first_revision(&page));
            }
            applied += log::apply_page(&mut self.publisher, &page)?;
            if page.len() < LOG_PAGE {
                return Ok(applied);
            }
        }
    }

    /// Loads the company again from the latest checkpoint and the log, and
    /// publishes it: after a [`StoreError::Diverged`], once the log is
    /// mended.
    ///
    /// # Errors
    ///
    /// As [`Replica::open`]; the replica keeps its state on an error.
    pub fn reload(&mut self) -> Result<(), StoreError> {
        let (company, _) = log::restore::<P>(&mut *self.store, &self.tenant)?;
        self.publisher.edit(|mine| *mine = company);
        Ok(())
    }

    /// Polls until the replica reaches `revision` (a token a writer's
    /// report gave the client), waiting for the store's notices in between,
    /// and returns the view at that revision or later.
    ///
    /// # Errors
    ///
    /// [`StoreError::Timeout`] when `timeout` passes first, and every error
    /// of [`Replica::poll`].
    pub fn wait_for(&mut self, revision: u64, timeout: Duration) -> Result<View<P>, StoreError> {
        let start = Instant::now();
        loop {
            if self.revision() < revision {
                self.poll()?;
            }
            if self.revision() >= revision {
                return Ok(self.reader().view());
            }
            let waited = start.elapsed();
            if waited >= timeout {
                return Err(StoreError::Timeout {
                    company: self.id(),
                    revision,
                    reached: self.revision(),
                    waited,
                });
            }
            // Whatever it saw, the next turn polls.
            let _: Wakeup = self.store.wait(timeout - waited)?;
        }
    }

    /// The log starts past the replica's revision: reload if a newer
    /// checkpoint explains it, otherwise the log has a gap.
    fn reload_past_gap(&mut self, applied: usize, page_start: u64) -> Result<usize, StoreError> {
        let before = self.revision();
        let checkpoint = self.store.checkpoint(self.id())?;
        if checkpoint.is_some_and(|c| c.revision > before) {
            self.reload()?;
            let gained = self.revision() - before;
            return Ok(applied + usize::try_from(gained).unwrap_or(usize::MAX));
        }
        Err(StoreError::Gap {
            company: self.id(),
            expected: before,
            found: page_start,
        })
    }
}

/// The revision of the first entry of `page` (0 for none).
fn first_revision(page: &[crate::StoredEntry]) -> u64 {
    page.first().map_or(0, |entry| entry.revision)
}
