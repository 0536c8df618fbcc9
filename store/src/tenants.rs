//! [`Tenants`]: many companies in one process, loaded on demand, within a
//! memory budget.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::time::{Duration, Instant};

use callgate::{
    Change, ChangeReport, Company, CompanyId, Decision, PermissionFlags, Permissions, Reader,
    Resource, Session, SessionDecision, Timestamp, UserId, View,
};
use moka::notification::RemovalCause;
use moka::sync::Cache;

use self::front::Front;
use self::pool::Connections;
use self::resident::{Tenant, nanos_since};
use self::stats::Counters;
pub use self::stats::{TenantInfo, TenantStats};
use crate::writer::WriterState;
use crate::{CheckpointPolicy, Store, StoreError, Write, codec};

mod builder;
mod follow;
mod front;
mod pool;
mod resident;
mod stats;

pub use self::builder::TenantsBuilder;

/// Many tenants' companies in one process: each loaded from the store on
/// first use, kept while it is used, and evicted when the companies' bytes
/// pass the budget (by moka's TinyLFU policy: the tenants used least often
/// and least recently go first, and a newcomer used once may be refused a
/// place; the policy is told of one request in 256 that find their tenant
/// in memory, on each thread, and of every one that does not).
///
/// - **Reads** ([`check`](Tenants::check), [`reader`](Tenants::reader),
///   [`view`](Tenants::view)) find the tenant by its key and answer from its
///   published company, without locks: a check through the registry is a
///   hash, a probe and the check (about 60 ns with 1,000 tenants in
///   rotation). The first request to a tenant loads it (its latest
///   checkpoint and log); concurrent first requests load it once. A write's
///   report is visible to every check that starts after it returns.
/// - **Writes** ([`apply`](Tenants::apply), [`write`](Tenants::write)) go
///   through the tenant's own writer: one tenant's writes are serialized,
///   two tenants never wait on each other (only on the pool's connections,
///   [`TenantsBuilder::connections`]). A tenant with a write in flight is
///   held by it: if the budget evicts it meanwhile, the next request finds
///   the same company, never a second copy.
/// - **Evicted** tenants' views stay valid: a reader holding one keeps an
///   unchanging company until it lets go.
/// - **Following**: with [`TenantsBuilder::follow`], one connection waits
///   for the store's notices for every resident tenant (PostgreSQL's
///   `LISTEN`, one for all) and catches up the tenants they name, so writes
///   from other processes reach this one's readers.
/// - **An unknown key** is [`StoreError::UnknownTenant`], and loads or
///   creates nothing; [`create`](Tenants::create) makes a tenant. A tenant
///   whose checkpoint is corrupt fails alone, its key named
///   ([`StoreError::Tenant`]).
///
/// `Tenants` is a handle: `Send + Sync`, and clones share one registry.
///
/// # Example: two tenants, a change each, an eviction and a reload
///
/// ```
/// use callgate::{Change, Company, NewUser, Permissions, Resource, RoleId};
/// use callgate_store::{SqliteStore, Tenants};
///
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("callgate.db");
/// let tenants = Tenants::builder(move || SqliteStore::open(&path))
///     .budget(64 << 20)
///     .build()?;
/// tenants.create("acme", Company::new())?;
/// tenants.create("globex", Company::new())?;
///
/// let user = |name: &str| Change::create_user(NewUser::new(name).role(RoleId::OPERATOR));
/// tenants.apply("acme", user("ann"))?;
/// tenants.apply("globex", user("bob"))?;
///
/// let ann = tenants.view("acme")?.user_by_name("ann").unwrap();
/// assert!(tenants.check("acme", ann, Permissions::CALL_JOURNAL_VIEW, Resource::Company)?.is_allowed());
///
/// tenants.evict("acme");
/// assert_eq!(tenants.resident().len(), 1);
/// assert_eq!(tenants.view("acme")?.revision(), 1); // loaded again from the store
/// assert!(tenants.check("initech", ann, Permissions::CALL_JOURNAL_VIEW, Resource::Company).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Tenants<P: PermissionFlags = Permissions> {
    inner: Arc<Inner<P>>,
}

impl<P: PermissionFlags> Clone for Tenants<P> {
    fn clone(&self) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<P: PermissionFlags> std::fmt::Debug for Tenants<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tenants")
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

/// What every handle shares.
pub(crate) struct Inner<P: PermissionFlags> {
    /// Which tenants stay: the budget and its policy.
    cache: Cache<Arc<str>, Arc<Tenant<P>>>,
    /// The same tenants, found without a lock (tenants/front.rs).
    front: Front<P>,
    /// Every tenant some `Arc` still holds, resident or not: a load finds
    /// a tenant still held (by a write in flight) instead of making a
    /// second copy. Also the follower's way from a company to its tenant.
    live: Mutex<Live<P>>,
    pool: r2d2::Pool<Connections>,
    policy: CheckpointPolicy,
    attempts: u32,
    read_only: bool,
    counters: Arc<Counters>,
    started: Instant,
    last_error: Mutex<Option<Arc<StoreError>>>,
    /// Stops the follower thread when the registry goes.
    _follow: Option<follow::StopOnDrop>,
}

/// Weak handles on every tenant in memory.
struct Live<P: PermissionFlags> {
    by_key: HashMap<Arc<str>, Weak<Tenant<P>>>,
    by_company: HashMap<CompanyId, Weak<Tenant<P>>>,
}

impl Tenants {
    /// A registry of companies with the standard catalog, whose
    /// connections `open` opens: `Tenants::builder(|| PostgresStore::connect(url))`.
    pub fn builder<S, F>(open: F) -> TenantsBuilder<Permissions>
    where
        S: Store + 'static,
        F: Fn() -> Result<S, StoreError> + Send + Sync + 'static,
    {
        TenantsBuilder::new(open)
    }
}

impl<P: PermissionFlags> Tenants<P> {
    /// The tenant's published view, loading the tenant on first use.
    ///
    /// # Errors
    ///
    /// [`StoreError::UnknownTenant`], and [`StoreError::Tenant`] naming the
    /// key when the tenant does not load (a corrupt checkpoint, a lost
    /// database).
    pub fn view(&self, tenant: &str) -> Result<View<P>, StoreError> {
        self.inner.with_view(tenant, View::clone)
    }

    /// A handle on the tenant's latest published view, for a request that
    /// asks many questions; it stays valid (and unchanging once the tenant
    /// is evicted) while held.
    ///
    /// # Errors
    ///
    /// As [`Tenants::view`].
    pub fn reader(&self, tenant: &str) -> Result<Reader<P>, StoreError> {
        Ok(self.inner.tenant(tenant)?.reader.clone())
    }

    /// [`Company::check`] on the tenant's latest published view.
    ///
    /// # Errors
    ///
    /// As [`Tenants::view`]: an unknown tenant is an error, never a
    /// decision. Within a known tenant, unknown users and objects are
    /// denies, as always.
    pub fn check(
        &self,
        tenant: &str,
        user: UserId,
        action: P,
        resource: Resource,
    ) -> Result<Decision, StoreError> {
        self.inner
            .with_view(tenant, |view| view.check(user, action, resource))
    }

    /// [`Company::check_session`] on the tenant's latest published view. A
    /// session of another tenant is denied.
    ///
    /// # Errors
    ///
    /// As [`Tenants::view`].
    pub fn check_session(
        &self,
        tenant: &str,
        session: &Session,
        action: P,
        resource: Resource,
    ) -> Result<SessionDecision, StoreError> {
        self.inner
            .with_view(tenant, |view| view.check_session(session, action, resource))
    }

    /// The tenant's view at `revision` or later (a token a write's report
    /// gave the client): catches the tenant up with the log if it is
    /// behind, waiting up to `timeout` for the revision to be stored.
    ///
    /// # Errors
    ///
    /// [`StoreError::Timeout`] when the revision is not in the log in
    /// time, and every error of [`Tenants::view`] and of catching up.
    pub fn wait_for(
        &self,
        tenant: &str,
        revision: u64,
        timeout: Duration,
    ) -> Result<View<P>, StoreError> {
        let start = Instant::now();
        let resident = self.inner.tenant(tenant)?;
        let mut pause = Duration::from_millis(1);
        loop {
            let view = self.inner.front_view(&resident);
            if view.revision() >= revision {
                return Ok(view);
            }
            let waited = start.elapsed();
            if waited >= timeout {
                return Err(StoreError::Timeout {
                    company: resident.id,
                    revision,
                    reached: view.revision(),
                    waited,
                });
            }
            self.inner.try_catch_up(&resident)?;
            if resident.reader.revision() < revision {
                std::thread::sleep(pause.min(timeout - waited));
                pause = (pause * 2).min(Duration::from_millis(50));
            }
        }
    }

    /// Writes `change` to the tenant as the host.
    ///
    /// # Errors
    ///
    /// As [`Tenants::write`].
    pub fn apply(&self, tenant: &str, change: Change<P>) -> Result<ChangeReport, StoreError> {
        self.write(tenant, Write::new(change))
    }

    /// Writes to the tenant through its own writer (see
    /// [`Writer::write`](crate::Writer::write)), loading it on first use.
    ///
    /// # Errors
    ///
    /// Every error of [`Writer::write`](crate::Writer::write), every error
    /// of [`Tenants::view`], and [`StoreError::ReadOnly`] for a registry
    /// built [`read_only`](TenantsBuilder::read_only).
    pub fn write(&self, tenant: &str, write: Write<P>) -> Result<ChangeReport, StoreError> {
        if self.inner.read_only {
            return Err(StoreError::ReadOnly {
                tenant: tenant.to_owned(),
            });
        }
        self.inner.write(tenant, &write)
    }

    /// Writes several changes to the tenant in one transaction (see
    /// [`Writer::write_batch`](crate::Writer::write_batch)).
    ///
    /// # Errors
    ///
    /// As [`Tenants::write`].
    pub fn write_batch(
        &self,
        tenant: &str,
        writes: Vec<Write<P>>,
    ) -> Result<Vec<ChangeReport>, StoreError> {
        if self.inner.read_only {
            return Err(StoreError::ReadOnly {
                tenant: tenant.to_owned(),
            });
        }
        self.inner
            .with_writer(tenant, |state, store| state.write_batch(store, &writes))
    }

    /// Ends, in every resident tenant, the grants whose end is at or
    /// before `now` (DOMAIN rule 24; see
    /// [`Writer::expire_grants`](crate::Writer::expire_grants)), and
    /// returns each tenant that had one due, by key, with its report or
    /// its error ([`StoreError::ReadOnly`] in a read-only registry); one
    /// tenant's failure leaves the others' expiry done. Tenants not in
    /// memory are left in the store: a writer registry expires a tenant's
    /// due grants as it loads it, at the clock's time, so it never serves
    /// a grant whose end has passed by more than the time between two
    /// calls.
    pub fn expire_grants(&self, now: Timestamp) -> Vec<(String, Result<ChangeReport, StoreError>)> {
        let mut due: Vec<String> = (self.inner.cache.iter())
            .filter(|(_, tenant)| {
                tenant
                    .reader
                    .view()
                    .next_expiry()
                    .is_some_and(|next| next <= now)
            })
            .map(|(_, tenant)| tenant.key.to_string())
            .collect();
        due.sort();
        let mut expired = Vec::new();
        for key in due {
            let result = if self.inner.read_only {
                Err(StoreError::ReadOnly {
                    tenant: key.clone(),
                })
            } else {
                self.inner
                    .with_writer(&key, |state, store| state.expire_grants(store, now))
            };
            match result {
                Ok(None) => {}
                Ok(Some(report)) => expired.push((key, Ok(report))),
                Err(error) => expired.push((key, Err(error))),
            }
        }
        expired
    }

    /// Creates `tenant` in the store with `company` as its first
    /// checkpoint, and returns the company's id. Nothing is loaded.
    ///
    /// # Errors
    ///
    /// [`StoreError::TenantTaken`] when the store keeps another company for
    /// the key (nothing is stored), and [`StoreError::Database`].
    pub fn create(&self, tenant: &str, company: Company<P>) -> Result<CompanyId, StoreError> {
        let checkpoint = codec::checkpoint_of(&company)?;
        let mut store = pool::take(&self.inner.pool)?;
        let stored = store.create_tenant(tenant, &checkpoint)?;
        if stored != company.id() {
            return Err(StoreError::TenantTaken {
                tenant: tenant.to_owned(),
                stored,
                given: company.id(),
            });
        }
        Ok(stored)
    }

    /// Takes the tenant out of memory now (the next request loads it
    /// again). Views already handed out stay valid.
    pub fn evict(&self, tenant: &str) {
        self.inner.cache.invalidate(tenant);
        self.inner.cache.run_pending_tasks();
    }

    /// Every resident tenant with its bytes, revision and last use (to
    /// within a few hundred requests: one in 256 on each thread notes the
    /// time),
    /// ordered by key.
    #[must_use]
    pub fn resident(&self) -> Vec<TenantInfo> {
        self.inner.cache.run_pending_tasks();
        let mut list: Vec<TenantInfo> = (self.inner.front.tenants().into_iter())
            .map(|tenant| TenantInfo {
                tenant: tenant.key.to_string(),
                company: tenant.id,
                bytes: tenant.bytes(),
                revision: tenant.reader.revision(),
                last_use: self.inner.started + Duration::from_nanos(tenant.last_use()),
            })
            .collect();
        list.sort_by(|a, b| a.tenant.cmp(&b.tenant));
        list
    }

    /// The registry's counters.
    #[must_use]
    pub fn stats(&self) -> TenantStats {
        let cache = &self.inner.cache;
        cache.run_pending_tasks();
        self.inner
            .counters
            .read(cache.entry_count(), cache.weighted_size())
    }

    /// The last error the follower met (a lost database, a corrupt row of
    /// some tenant), if any since the registry was built.
    #[must_use]
    pub fn last_error(&self) -> Option<Arc<StoreError>> {
        self.inner.lock_error().clone()
    }
}

impl<P: PermissionFlags> Inner<P> {
    /// Runs `read` on the tenant's latest view, found in the front or
    /// loaded once: a check borrows the view, never clones an `Arc` (a
    /// shared count that every thread would write).
    #[inline]
    fn with_view<R>(&self, key: &str, read: impl Fn(&View<P>) -> R) -> Result<R, StoreError> {
        let found = self.front.with(key, |entry| {
            self.hit(key, &entry.tenant);
            read(&entry.view)
        });
        match found {
            Some(answer) => Ok(answer),
            None => Ok(read(&self.front_view(&self.tenant(key)?))),
        }
    }

    /// The tenant, from memory or loaded once.
    fn tenant(&self, key: &str) -> Result<Arc<Tenant<P>>, StoreError> {
        if let Some(tenant) = self.front.get(key) {
            self.hit(key, &tenant);
            return Ok(tenant);
        }
        if let Some(tenant) = self.cache.get(key) {
            // Loaded, and not yet in the front: the loader puts it there.
            self.counters.hits.add_one();
            tenant.touch(nanos_since(self.started));
            return Ok(tenant);
        }
        Counters::add(&self.counters.misses, 1);
        // One allocation of the key, shared by the cache, the front, the
        // tenant and the live map.
        let shared: Arc<str> = Arc::from(key);
        let tenant = self
            .cache
            .try_get_with(Arc::clone(&shared), || self.load(shared))
            .map_err(|error| match &*error {
                StoreError::UnknownTenant { tenant } => StoreError::UnknownTenant {
                    tenant: tenant.clone(),
                },
                _ => StoreError::Tenant {
                    tenant: key.to_owned(),
                    source: error,
                },
            })?;
        tenant.touch(nanos_since(self.started));
        self.front.insert(&tenant);
        // The cache may have let it go already (the budget, an `evict`):
        // then its removal listener ran before the insert, and the front
        // must not keep it.
        if !self.cache.contains_key(key) {
            self.front.remove(&tenant);
        }
        Ok(tenant)
    }

    /// Counts a request that found its tenant in the front, and reports
    /// one in [`front::SAMPLE`] to the cache's policy (which counts
    /// accesses to choose whom to evict) with the time of use.
    #[inline]
    fn hit(&self, key: &str, tenant: &Tenant<P>) {
        self.counters.hits.add_one();
        if Front::<P>::sampled() {
            self.sampled_hit(key, tenant);
        }
    }

    #[cold]
    #[inline(never)]
    fn sampled_hit(&self, key: &str, tenant: &Tenant<P>) {
        let _ = self.cache.get(key);
        tenant.touch(nanos_since(self.started));
    }

    /// Loads the tenant from the store, or finds the copy a write in
    /// flight still holds.
    fn load(&self, key: Arc<str>) -> Result<Arc<Tenant<P>>, StoreError> {
        if let Some(tenant) = self.lock_live().by_key.get(&key).and_then(Weak::upgrade) {
            return Ok(tenant);
        }
        crate::trace::enter_span!("tenant_load", tenant = &*key);
        let start = Instant::now();
        let loaded = self.load_state(&key);
        crate::trace::outcome(&loaded, "tenant not loaded");
        Counters::add(&self.counters.load_nanos, nanos_since(start));
        let state = match loaded {
            Ok(state) => state,
            Err(error) => {
                if !matches!(error, StoreError::UnknownTenant { .. }) {
                    Counters::add(&self.counters.load_failures, 1);
                }
                return Err(error);
            }
        };
        Counters::add(&self.counters.loads, 1);
        let tenant = Arc::new(Tenant::new(state, key, nanos_since(self.started)));
        let mut live = self.lock_live();
        // Tenants evicted while held leave their handles behind once let
        // go: sweep them when they outnumber the resident ones.
        if live.by_key.len() > 2 * usize::try_from(self.cache.entry_count()).unwrap_or(0) + 64 {
            live.by_key.retain(|_, weak| weak.strong_count() > 0);
            live.by_company.retain(|_, weak| weak.strong_count() > 0);
        }
        live.by_key
            .insert(Arc::clone(&tenant.key), Arc::downgrade(&tenant));
        live.by_company.insert(tenant.id, Arc::downgrade(&tenant));
        Ok(tenant)
    }

    fn load_state(&self, key: &str) -> Result<WriterState<P>, StoreError> {
        let mut store = pool::take(&self.pool)?;
        let mut state = WriterState::<P>::open(&mut **store, key)?;
        state.policy = self.policy;
        state.attempts = self.attempts;
        // A writer never serves a grant whose end has passed (rule 24).
        if !self.read_only {
            if let Err(error) = state.expire_grants(&mut **store, Timestamp::now()) {
                self.record_error(error);
            }
        }
        Ok(state)
    }

    fn write(&self, key: &str, write: &Write<P>) -> Result<ChangeReport, StoreError> {
        self.with_writer(key, |state, store| state.write(store, write))
    }

    /// Runs `write` with the tenant's writer state and a connection, then
    /// weighs the tenant again.
    fn with_writer<R>(
        &self,
        key: &str,
        write: impl FnOnce(&mut WriterState<P>, &mut dyn Store) -> Result<R, StoreError>,
    ) -> Result<R, StoreError> {
        // Held until the write ends: an eviction meanwhile cannot drop it.
        let tenant = self.tenant(key)?;
        let mut state = tenant.state();
        let mut store = pool::take(&self.pool)?;
        let result = write(&mut state, &mut **store);
        drop(store);
        // Before the write returns: its revision token holds for the next
        // check.
        self.front.refresh(&tenant);
        if tenant.reweigh(&state) {
            drop(state);
            self.cache
                .insert(Arc::clone(&tenant.key), Arc::clone(&tenant));
        }
        result
    }

    /// Catches a resident tenant up with the log (the follower's work),
    /// keeping the error for [`Tenants::last_error`].
    fn catch_up(&self, tenant: &Arc<Tenant<P>>) {
        if let Err(error) = self.try_catch_up(tenant) {
            self.record_error(error);
        }
    }

    fn try_catch_up(&self, tenant: &Arc<Tenant<P>>) -> Result<usize, StoreError> {
        let mut state = tenant.state();
        let result = pool::take(&self.pool).and_then(|mut store| state.catch_up(&mut **store));
        tenant.reweigh(&state);
        self.front.refresh(tenant);
        result
    }

    /// The view the front gives for `tenant` (what checks read), or its
    /// reader's when the front no longer holds it.
    fn front_view(&self, tenant: &Arc<Tenant<P>>) -> View<P> {
        (self.front.with(&tenant.key, |entry| {
            Arc::ptr_eq(&entry.tenant, tenant).then(|| entry.view.clone())
        }))
        .flatten()
        .unwrap_or_else(|| tenant.reader.view())
    }

    fn live_by_company(&self, company: CompanyId) -> Option<Arc<Tenant<P>>> {
        self.lock_live()
            .by_company
            .get(&company)
            .and_then(Weak::upgrade)
    }

    fn live_tenants(&self) -> Vec<Arc<Tenant<P>>> {
        let live = self.lock_live();
        live.by_key.values().filter_map(Weak::upgrade).collect()
    }

    /// Forgets an evicted tenant unless something else still holds it (a
    /// write in flight, a catch-up): then the next load finds it.
    fn forget(&self, tenant: &Arc<Tenant<P>>) {
        if Arc::strong_count(tenant) > 1 {
            return;
        }
        let ours = |weak: &Weak<Tenant<P>>| std::ptr::eq(weak.as_ptr(), Arc::as_ptr(tenant));
        let mut live = self.lock_live();
        if live.by_key.get(&tenant.key).is_some_and(ours) {
            live.by_key.remove(&tenant.key);
        }
        if live.by_company.get(&tenant.id).is_some_and(ours) {
            live.by_company.remove(&tenant.id);
        }
    }

    fn record_error(&self, error: StoreError) {
        *self.lock_error() = Some(Arc::new(error));
    }

    fn lock_live(&self) -> MutexGuard<'_, Live<P>> {
        self.live.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn lock_error(&self) -> MutexGuard<'_, Option<Arc<StoreError>>> {
        self.last_error
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

/// What the cache's eviction listener does: count evictions, and forget
/// tenants nothing holds any more.
fn on_removal<P: PermissionFlags>(
    inner: &Weak<Inner<P>>,
    counters: &Counters,
    tenant: &Arc<Tenant<P>>,
    cause: RemovalCause,
) {
    if cause == RemovalCause::Replaced {
        return;
    }
    if cause.was_evicted() {
        Counters::add(&counters.evictions, 1);
    }
    if let Some(inner) = inner.upgrade() {
        inner.front.remove(tenant);
        inner.forget(tenant);
    }
}
