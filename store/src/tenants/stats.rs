//! What a registry counts, for a host to export.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use callgate::CompanyId;

/// The registry's counters, as [`Tenants::stats`](crate::Tenants::stats)
/// reads them: every count since the registry was built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct TenantStats {
    /// Tenants in memory now.
    pub resident: u64,
    /// Their bytes, by their companies' own accounting.
    pub bytes: u64,
    /// Tenants loaded from the store.
    pub loads: u64,
    /// Time spent loading them.
    pub load_time: Duration,
    /// Loads that failed (a corrupt checkpoint, a lost database...).
    pub load_failures: u64,
    /// Tenants evicted to keep within the budget.
    pub evictions: u64,
    /// Requests that found their tenant in memory.
    pub hits: u64,
    /// Requests that had to load it (or found it unknown).
    pub misses: u64,
}

/// One resident tenant, as [`Tenants::resident`](crate::Tenants::resident)
/// lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TenantInfo {
    /// The host's tenant key.
    pub tenant: String,
    /// Its company.
    pub company: CompanyId,
    /// Its bytes, by its company's own accounting.
    pub bytes: u64,
    /// The revision in memory.
    pub revision: u64,
    /// When a request last used it, to within a few hundred requests: the
    /// time is noted on one request in 256 on each thread that finds the
    /// tenant in memory (and on every one that loads it).
    pub last_use: Instant,
}

/// The counters, updated with relaxed atomics.
#[derive(Default)]
pub(crate) struct Counters {
    pub(crate) loads: AtomicU64,
    pub(crate) load_nanos: AtomicU64,
    pub(crate) load_failures: AtomicU64,
    pub(crate) evictions: AtomicU64,
    /// Counted on every check, from every thread: in stripes, each on a
    /// cache line of its own, so that threads counting hits on one tenant
    /// do not take a shared line from each other.
    pub(crate) hits: Stripes,
    pub(crate) misses: AtomicU64,
}

/// How many stripes a striped counter has.
const STRIPES: usize = 16;

/// One counter in [`STRIPES`] stripes, a thread adding to its own.
#[derive(Default)]
pub(crate) struct Stripes([Stripe; STRIPES]);

/// A stripe, alone on its cache lines (two, for the prefetcher's pairs).
#[derive(Default)]
#[repr(align(128))]
struct Stripe(AtomicU64);

impl Stripes {
    /// Adds one, on this thread's stripe.
    #[inline]
    pub(crate) fn add_one(&self) {
        thread_local! {
            static STRIPE: usize = next_stripe();
        }
        let at = STRIPE.with(|stripe| *stripe);
        if let Some(stripe) = self.0.get(at) {
            stripe.0.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn sum(&self) -> u64 {
        self.0
            .iter()
            .map(|stripe| stripe.0.load(Ordering::Relaxed))
            .sum()
    }
}

/// The stripe of a thread's first count: threads take them in turn.
fn next_stripe() -> usize {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed) % STRIPES
}

impl Counters {
    pub(crate) fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    pub(crate) fn read(&self, resident: u64, bytes: u64) -> TenantStats {
        let get = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        TenantStats {
            resident,
            bytes,
            loads: get(&self.loads),
            load_time: Duration::from_nanos(get(&self.load_nanos)),
            load_failures: get(&self.load_failures),
            evictions: get(&self.evictions),
            hits: self.hits.sum(),
            misses: get(&self.misses),
        }
    }
}
