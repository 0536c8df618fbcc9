//! The registry's front index: the resident tenants by key, with each
//! one's latest published view, read without a lock, so that a check
//! through the registry costs a hash, a probe and the check itself.
//!
//! moka's cache decides which tenants stay (the budget, TinyLFU), and its
//! `get` records every access for that policy: about 150 ns a call, five
//! times a check. The front holds the same tenants as the cache, in shards
//! of tables published through `arc-swap`: a reader loads a shard's table
//! and probes it, and a load, a publish or an eviction copies one shard (a
//! 256th of the resident tenants, three pointers each). A hit on the front
//! reports one access in [`SAMPLE`] to the cache, so its policy still sees
//! which tenants are used, in proportion (see [`Front::sampled`]).
//!
//! Each entry carries the tenant's latest view, so that a check reads no
//! second `arc-swap` (the tenant's `Reader`): every write, catch-up and
//! load of a tenant refreshes its entry before it returns, reading the
//! view under the shard's lock, so the entry never goes back to an older
//! view and a write's revision token is visible to the next check.
//!
//! The front and the cache stay in step: a tenant enters the front after
//! the cache has it, and leaves it in the cache's removal listener. A
//! tenant the cache drops before it enters the front is taken out again by
//! the loader, which looks again after inserting (see `Inner::tenant`), so
//! the front never keeps a tenant the cache let go, and the budget holds.

use std::cell::Cell;
use std::sync::{Arc, Mutex, PoisonError};

use arc_swap::{ArcSwap, Guard};
use callgate::{PermissionFlags, View};
use hashbrown::HashTable;

use super::resident::Tenant;

/// How many shards the front has (a power of two).
const SHARDS: usize = 256;

/// One in how many hits on the front is also reported to the cache.
pub(crate) const SAMPLE: u32 = 256;

/// One shard: the tenants whose keys' hashes pick it, found by that hash
/// (computed once per lookup: its bits 48-55 pick the shard, the table
/// uses its low bits and its top seven).
pub(crate) type Shard<P> = HashTable<Entry<P>>;

/// A resident tenant as the front holds it.
#[derive(Clone)]
pub(crate) struct Entry<P: PermissionFlags> {
    /// The host's key (the tenant's own, shared).
    key: Arc<str>,
    /// The tenant's latest published view, as last refreshed.
    pub(crate) view: View<P>,
    pub(crate) tenant: Arc<Tenant<P>>,
}

impl<P: PermissionFlags> Entry<P> {
    fn of(tenant: &Arc<Tenant<P>>) -> Self {
        Self {
            key: Arc::clone(&tenant.key),
            view: tenant.reader.view(),
            tenant: Arc::clone(tenant),
        }
    }
}

/// The resident tenants by key (see the module's notes).
pub(crate) struct Front<P: PermissionFlags> {
    shards: Box<[ArcSwap<Shard<P>>]>,
    /// One writer per shard at a time: a copy is made from the latest map.
    writers: Box<[Mutex<()>]>,
    /// Keyed per process (from the address space's layout). Only tenants
    /// the host made and the budget keeps are in the front, so a client's
    /// keys cannot make its tables collide.
    hasher: ahash::RandomState,
}

impl<P: PermissionFlags> Default for Front<P> {
    fn default() -> Self {
        Self {
            shards: (0..SHARDS)
                .map(|_| ArcSwap::from_pointee(HashTable::new()))
                .collect(),
            writers: (0..SHARDS).map(|_| Mutex::new(())).collect(),
            hasher: ahash::RandomState::new(),
        }
    }
}

/// A key looked up: its hash, and the shard it picks.
#[derive(Clone, Copy)]
struct Hashed {
    hash: u64,
    shard: usize,
}

impl<P: PermissionFlags> Front<P> {
    /// Runs `read` on the resident tenant of `key` and returns its answer;
    /// `None` when the front does not hold the tenant.
    #[inline]
    pub(crate) fn with<R>(&self, key: &str, read: impl FnOnce(&Entry<P>) -> R) -> Option<R> {
        let at = self.hashed(key);
        let shard = self.shard(at)?;
        shard.find(at.hash, |entry| *entry.key == *key).map(read)
    }

    /// The tenant of `key`, if the front has it.
    pub(crate) fn get(&self, key: &str) -> Option<Arc<Tenant<P>>> {
        self.with(key, |entry| Arc::clone(&entry.tenant))
    }

    /// Puts `tenant` in the front under its key, in place of any other,
    /// with its latest view.
    pub(crate) fn insert(&self, tenant: &Arc<Tenant<P>>) {
        let at = self.hashed(&tenant.key);
        let hasher = |held: &Entry<P>| self.hasher.hash_one(&*held.key);
        self.update(at, |shard| {
            let entry = Entry::of(tenant);
            match shard.entry(at.hash, |held| held.key == tenant.key, hasher) {
                hashbrown::hash_table::Entry::Occupied(mut held) => *held.get_mut() = entry,
                hashbrown::hash_table::Entry::Vacant(vacant) => {
                    vacant.insert(entry);
                }
            }
        });
    }

    /// Gives `tenant`'s entry, if the front holds that very tenant, its
    /// latest published view.
    pub(crate) fn refresh(&self, tenant: &Arc<Tenant<P>>) {
        let at = self.hashed(&tenant.key);
        let stale = |held: &Entry<P>| {
            Arc::ptr_eq(&held.tenant, tenant) && held.view.revision() != tenant.reader.revision()
        };
        if self
            .shard(at)
            .is_none_or(|shard| shard.find(at.hash, stale).is_none())
        {
            return;
        }
        self.update(at, |shard| {
            let this = |held: &Entry<P>| Arc::ptr_eq(&held.tenant, tenant);
            if let Some(held) = shard.find_mut(at.hash, this) {
                held.view = tenant.reader.view();
            }
        });
    }

    /// Takes `tenant` out of the front, if the front holds that very
    /// tenant under its key (not a later copy loaded since).
    pub(crate) fn remove(&self, tenant: &Arc<Tenant<P>>) {
        let at = self.hashed(&tenant.key);
        let this = |held: &Entry<P>| Arc::ptr_eq(&held.tenant, tenant);
        if self
            .shard(at)
            .is_none_or(|shard| shard.find(at.hash, this).is_none())
        {
            return;
        }
        self.update(at, |shard| {
            if let Ok(held) = shard.find_entry(at.hash, this) {
                held.remove();
            }
        });
    }

    /// Every tenant the front holds.
    pub(crate) fn tenants(&self) -> Vec<Arc<Tenant<P>>> {
        (self.shards.iter())
            .flat_map(|shard| {
                (shard.load().iter())
                    .map(|entry| Arc::clone(&entry.tenant))
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    /// Whether this hit on the front should also be reported to the cache:
    /// one in [`SAMPLE`] per thread.
    #[inline]
    pub(crate) fn sampled() -> bool {
        thread_local! {
            static HITS: Cell<u32> = const { Cell::new(0) };
        }
        HITS.with(|hits| {
            let next = hits.get().wrapping_add(1);
            hits.set(next);
            next % SAMPLE == 0
        })
    }

    #[inline]
    fn hashed(&self, key: &str) -> Hashed {
        let hash = self.hasher.hash_one(key);
        Hashed {
            hash,
            shard: (hash >> 48) as usize % SHARDS,
        }
    }

    #[inline]
    fn shard(&self, at: Hashed) -> Option<Guard<Arc<Shard<P>>>> {
        self.shards.get(at.shard).map(ArcSwap::load)
    }

    /// Copies the shard of `at`, changes the copy and publishes it.
    fn update(&self, at: Hashed, change: impl FnOnce(&mut Shard<P>)) {
        let (Some(shard), Some(writer)) = (self.shards.get(at.shard), self.writers.get(at.shard))
        else {
            return;
        };
        let _one_writer = writer.lock().unwrap_or_else(PoisonError::into_inner);
        let mut copy = Shard::<P>::clone(&shard.load());
        change(&mut copy);
        shard.store(Arc::new(copy));
    }
}
