//! One resident tenant: its writer's state, its readers' handle, and what
//! the registry counts of it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use callgate::{CompanyId, PermissionFlags, Reader};

use crate::writer::WriterState;

/// A tenant in memory. Held in the registry's cache by an `Arc`; a write
/// or a catch-up in flight holds it too, so it is never dropped halfway.
pub(crate) struct Tenant<P: PermissionFlags> {
    /// The host's key, shared with the cache's and the front's entries.
    pub(crate) key: Arc<str>,
    pub(crate) id: CompanyId,
    pub(crate) reader: Reader<P>,
    /// The writer's state: one write (or catch-up) of this tenant at a
    /// time; other tenants never wait on it.
    state: Mutex<WriterState<P>>,
    /// The company's own memory accounting, as last weighed.
    bytes: AtomicU64,
    /// When it was last used, in nanoseconds since the registry started.
    last_use: AtomicU64,
}

impl<P: PermissionFlags> Tenant<P> {
    /// The tenant of `key`, whose state was just loaded, used at `now`.
    pub(crate) fn new(state: WriterState<P>, key: Arc<str>, now: u64) -> Self {
        let bytes = weigh(&state);
        Self {
            key,
            id: state.id(),
            reader: state.publisher.reader(),
            state: Mutex::new(state),
            bytes: AtomicU64::new(bytes),
            last_use: AtomicU64::new(now),
        }
    }

    /// The writer's state, for one write or catch-up.
    pub(crate) fn state(&self) -> MutexGuard<'_, WriterState<P>> {
        // A panic in a write cannot leave the state half-changed: a change
        // is committed whole or not at all.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Weighs the company again after a change; returns whether the weight
    /// moved by more than an eighth (then the cache should weigh it again).
    pub(crate) fn reweigh(&self, state: &WriterState<P>) -> bool {
        let (old, new) = (self.bytes(), weigh(state));
        self.bytes.store(new, Ordering::Relaxed);
        old.abs_diff(new) > old / 8
    }

    pub(crate) fn bytes(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }

    pub(crate) fn touch(&self, now: u64) {
        // Skip the store when nothing changed much, so that readers on many
        // threads do not fight over the cache line.
        if now.saturating_sub(self.last_use.load(Ordering::Relaxed)) > 1_000_000 {
            self.last_use.store(now, Ordering::Relaxed);
        }
    }

    pub(crate) fn last_use(&self) -> u64 {
        self.last_use.load(Ordering::Relaxed)
    }

    /// The weight the cache gives it: its bytes, up to `u32::MAX`.
    pub(crate) fn weight(&self) -> u32 {
        u32::try_from(self.bytes()).unwrap_or(u32::MAX)
    }
}

/// The company's memory, by its own accounting, plus the registry's share.
fn weigh<P: PermissionFlags>(state: &WriterState<P>) -> u64 {
    let company = state.company();
    let own = company.memory_bytes();
    let registry = std::mem::size_of::<Tenant<P>>() + state.tenant.len() * 2;
    u64::try_from(own + registry).unwrap_or(u64::MAX)
}

/// Nanoseconds since `start`, saturating.
pub(crate) fn nanos_since(start: Instant) -> u64 {
    u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX)
}
