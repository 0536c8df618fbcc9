//! [`TenantsBuilder`]: how a registry is set up.

use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use callgate::PermissionFlags;
use moka::sync::Cache;

use super::pool::{self, Open};
use super::stats::Counters;
use super::{Inner, Live, Tenants, follow, on_removal};
use crate::{CheckpointPolicy, DEFAULT_ATTEMPTS, Store, StoreError};

/// Sets up [`Tenants`]: made by [`Tenants::builder`] (standard catalog) or
/// [`TenantsBuilder::with_catalog`] (a product's).
///
/// # Example: a replica registry on PostgreSQL
///
/// ```no_run
/// # #[cfg(feature = "postgres")] {
/// use callgate_store::{PostgresStore, Tenants};
///
/// let url = "postgres://app@db/callcenter";
/// let tenants = Tenants::builder(move || PostgresStore::connect(url))
///     .budget(256 << 20)     // bytes of companies kept in memory
///     .connections(8)        // loads and writes at once
///     .read_only()           // no writes here: another process writes
///     .follow()              // one LISTEN for every resident tenant
///     .build()?;
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct TenantsBuilder<P: PermissionFlags> {
    open: Open,
    budget: u64,
    connections: u32,
    connection_timeout: Duration,
    policy: CheckpointPolicy,
    attempts: u32,
    read_only: bool,
    follow: bool,
    flags: PhantomData<fn() -> P>,
}

impl<P: PermissionFlags> std::fmt::Debug for TenantsBuilder<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TenantsBuilder")
            .field("budget", &self.budget)
            .field("connections", &self.connections)
            .field("read_only", &self.read_only)
            .field("follow", &self.follow)
            .finish_non_exhaustive()
    }
}

impl<P: PermissionFlags> TenantsBuilder<P> {
    /// A registry of companies with a product's catalog `P`:
    /// `TenantsBuilder::<MyFlags>::with_catalog(|| SqliteStore::open(path))`.
    pub fn with_catalog<S, F>(open: F) -> Self
    where
        S: Store + 'static,
        F: Fn() -> Result<S, StoreError> + Send + Sync + 'static,
    {
        Self::new(open)
    }

    pub(super) fn new<S, F>(open: F) -> Self
    where
        S: Store + 'static,
        F: Fn() -> Result<S, StoreError> + Send + Sync + 'static,
    {
        Self {
            open: Box::new(move || open().map(|store| Box::new(store) as Box<dyn Store>)),
            budget: 256 << 20,
            connections: 8,
            connection_timeout: Duration::from_secs(30),
            policy: CheckpointPolicy::default(),
            attempts: DEFAULT_ATTEMPTS,
            read_only: false,
            follow: false,
            flags: PhantomData,
        }
    }

    /// The bytes of companies (by their own accounting) kept in memory;
    /// past it, the least recently used are evicted. Default 256 MiB.
    #[must_use]
    pub fn budget(mut self, bytes: u64) -> Self {
        self.budget = bytes;
        self
    }

    /// How many connections loads, writes and catch-ups share (at least 1;
    /// default 8). A request that finds none free waits up to 30 s.
    #[must_use]
    pub fn connections(mut self, connections: u32) -> Self {
        self.connections = connections.max(1);
        self
    }

    /// Each tenant's writer stores checkpoints by `policy`.
    #[must_use]
    pub fn checkpoints(mut self, policy: CheckpointPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Each write is planned and stored at most `attempts` times (at least
    /// 1) before [`StoreError::Contended`].
    #[must_use]
    pub fn attempts(mut self, attempts: u32) -> Self {
        self.attempts = attempts.max(1);
        self
    }

    /// No writes through this registry ([`StoreError::ReadOnly`]): a
    /// replica of tenants another process writes. Use with
    /// [`follow`](Self::follow).
    #[must_use]
    pub fn read_only(mut self) -> Self {
        self.read_only = true;
        self
    }

    /// Follow the store: a thread with one connection of its own waits for
    /// notices of stored entries (PostgreSQL: one `LISTEN` for every
    /// tenant) and catches up the resident tenants they name, so other
    /// processes' writes reach this one's readers. On SQLite, which cannot
    /// say which tenant changed, every change to the file makes it poll
    /// every resident tenant.
    #[must_use]
    pub fn follow(mut self) -> Self {
        self.follow = true;
        self
    }

    /// Builds the registry. It opens no connection until one is needed,
    /// except the follower's.
    ///
    /// # Errors
    ///
    /// [`StoreError::Database`] when the follower's connection does not
    /// open.
    pub fn build(self) -> Result<Tenants<P>, StoreError> {
        let follower = if self.follow {
            Some((self.open)()?)
        } else {
            None
        };
        let stop = Arc::new(AtomicBool::new(false));
        let counters = Arc::new(Counters::default());
        let pool = pool::build(self.open, self.connections, self.connection_timeout);
        let inner = Arc::new_cyclic(|weak: &Weak<Inner<P>>| {
            let (listener, counted) = (weak.clone(), Arc::clone(&counters));
            Inner {
                cache: Cache::builder()
                    .max_capacity(self.budget)
                    .weigher(|_, tenant: &Arc<super::Tenant<P>>| tenant.weight())
                    .eviction_listener(move |_, tenant, cause| {
                        on_removal(&listener, &counted, &tenant, cause);
                    })
                    .build(),
                front: super::Front::default(),
                live: Mutex::new(Live {
                    by_key: HashMap::new(),
                    by_company: HashMap::new(),
                }),
                pool,
                policy: self.policy,
                attempts: self.attempts,
                read_only: self.read_only,
                counters,
                started: Instant::now(),
                last_error: Mutex::new(None),
                _follow: follower
                    .is_some()
                    .then(|| follow::StopOnDrop(Arc::clone(&stop))),
            }
        });
        if let Some(store) = follower {
            let weak = Arc::downgrade(&inner);
            std::thread::Builder::new()
                .name("callgate-tenants-follow".into())
                .spawn(move || follow::run(&weak, store, &stop))
                .map_err(|error| {
                    StoreError::database(
                        "starting the follower thread",
                        crate::DatabaseErrorKind::Other,
                        error,
                    )
                })?;
        }
        Ok(Tenants { inner })
    }
}
