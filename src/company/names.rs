//! [`NameIndex`]: finds a record by its unique name without storing the
//! name twice, in shared chunks like the records.

use std::hash::{BuildHasher, Hash};

use crate::chunked::{Chunked, Nested};
use crate::{Group, Object, PermissionFlags, Project, Role, User};

/// A record with a unique name.
pub(crate) trait Named {
    fn name(&self) -> &str;
}

impl Named for User {
    #[inline]
    fn name(&self) -> &str {
        &self.name
    }
}

impl Named for Group {
    #[inline]
    fn name(&self) -> &str {
        &self.name
    }
}

impl<P: PermissionFlags> Named for Role<P> {
    #[inline]
    fn name(&self) -> &str {
        &self.name
    }
}

impl Named for Project {
    #[inline]
    fn name(&self) -> &str {
        &self.name
    }
}

/// The name of each live record of `table`: the key of its name index.
pub(crate) fn by_name<'a, T: Named, const BITS: u32>(
    table: &'a Nested<Option<T>, BITS>,
) -> impl Fn(u32) -> Option<&'a str> + 'a {
    move |id| Some(table.get(usize::try_from(id).ok()?)?.as_ref()?.name())
}

/// The kind and name of each live object: object names are unique per kind.
pub(crate) fn by_kind_and_name<'a, P: PermissionFlags, const BITS: u32>(
    table: &'a Nested<Option<Object<P>>, BITS>,
) -> impl Fn(u32) -> Option<(P::Kind, &'a str)> + 'a {
    move |id| {
        let object = table.get(usize::try_from(id).ok()?)?.as_ref()?;
        Some((object.kind, &*object.name))
    }
}

/// Maps names to ids: an open-addressing hash table (linear probing, at most
/// four fifths full) of ids, each beside 32 bits of its name's hash. The
/// names stay in the records, so the index costs 10 to 20 bytes per name, and
/// a lookup compares the name it is given with the record's (`key_of`) only
/// when the hash bits match. The stored bits also give each entry's home
/// slot, so growing and removing never hash a name again. The slots sit in
/// shared chunks, so a clone of the company shares every chunk a change did
/// not touch.
///
/// The caller gives `key_of(id)`, the key of the live record `id` (its name,
/// or its kind and name for objects): the index holds no names of its own.
///
/// `S` hashes the keys; tests choose one that collides on purpose.
#[derive(Clone, Default)]
pub(crate) struct NameIndex<S = NameKeys> {
    // INVARIANT: `slots.len()` is 0 or a power of two, at least 5/4 of
    // `len`; a slot is 0 when empty, else `hash << 32 | (id + 1)` with the
    // high 32 bits of the key's hash; each entry is reached from its home
    // slot (`hash & mask`) without crossing an empty slot.
    slots: Chunked<u64, 2048>,
    len: usize,
    keys: S,
}

/// How the name indexes hash names: aHash, keyed afresh for each index
/// from the standard library's random keys (the operating system's
/// randomness, as `std`'s `HashMap` is), so that names chosen to collide
/// cannot be made without the keys (HashDoS), at a fraction of SipHash's
/// cost (about 30 instructions for a short name against 180).
#[derive(Clone)]
pub(crate) struct NameKeys(ahash::RandomState);

impl Default for NameKeys {
    fn default() -> Self {
        let keys = std::hash::RandomState::new();
        let seed = |n: u64| keys.hash_one(n);
        Self(ahash::RandomState::with_seeds(
            seed(0),
            seed(1),
            seed(2),
            seed(3),
        ))
    }
}

impl BuildHasher for NameKeys {
    type Hasher = ahash::AHasher;

    #[inline]
    fn build_hasher(&self) -> Self::Hasher {
        self.0.build_hasher()
    }
}

impl<S> std::fmt::Debug for NameIndex<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NameIndex")
            .field("len", &self.len)
            .finish_non_exhaustive()
    }
}

/// The name indexes of a company, as the document loader builds them.
#[cfg(feature = "serde")] // the document loader's
#[derive(Default)]
pub(crate) struct Names {
    pub(crate) users: NameIndex,
    pub(crate) groups: NameIndex,
    pub(crate) roles: NameIndex,
    pub(crate) projects: NameIndex,
    pub(crate) objects: NameIndex,
}

/// Whether `slots` slots hold more than `len` entries may: four fifths.
/// Full enough that the doubling of L's 100,000 users and 200,000
/// objects (131,072 and 262,144 slots at 76%) is not made, where three
/// quarters made it (3 MiB at L); a probe still reads about three slots,
/// in one or two cache lines.
fn over_full(len: usize, slots: usize) -> bool {
    len.saturating_mul(5) > slots.saturating_mul(4)
}

/// A slot's entry: the key's 32 hash bits and the id.
#[derive(Clone, Copy)]
struct Entry {
    hash: u32,
    id: u32,
}

impl Entry {
    fn from_slot(slot: u64) -> Option<Self> {
        // The halves of the slot: truncation intended.
        #[allow(clippy::cast_possible_truncation)]
        let (hash, id) = ((slot >> 32) as u32, slot as u32);
        Some(Self {
            hash,
            id: id.checked_sub(1)?,
        })
    }

    fn slot(self) -> u64 {
        // Ids stay below `u32::MAX` (`next_id`), so `id + 1` fits 32 bits.
        u64::from(self.hash) << 32 | (u64::from(self.id) + 1)
    }
}

impl<S> NameIndex<S> {
    /// An empty index hashing its keys with `keys`.
    #[cfg(test)]
    pub(crate) fn with_hasher(keys: S) -> Self {
        Self {
            slots: Chunked::default(),
            len: 0,
            keys,
        }
    }
}

impl<S: BuildHasher> NameIndex<S> {
    /// The number of names.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The bytes of its slots (its chunks and their pointers).
    pub(crate) fn bytes(&self) -> usize {
        self.slots.bytes()
    }

    fn mask(&self) -> usize {
        self.slots.len().wrapping_sub(1)
    }

    /// The 32 bits of `key`'s hash the slots keep.
    fn hash<K: Hash>(&self, key: &K) -> u32 {
        // The high half: truncation intended.
        #[allow(clippy::cast_possible_truncation)]
        let hash = (self.keys.hash_one(key) >> 32) as u32;
        hash
    }

    fn home(&self, hash: u32) -> usize {
        usize::try_from(hash).unwrap_or(usize::MAX) & self.mask()
    }

    fn entry(&self, at: usize) -> Option<Entry> {
        Entry::from_slot(*self.slots.get(at)?)
    }

    fn set(&mut self, at: usize, slot: u64) {
        if let Some(old) = self.slots.get_mut(at) {
            *old = slot;
        }
    }

    /// The id whose key is `key`.
    pub(crate) fn find<K: Hash + Eq>(
        &self,
        key: &K,
        key_of: impl Fn(u32) -> Option<K>,
    ) -> Option<u32> {
        if self.len == 0 {
            return None;
        }
        let hash = self.hash(key);
        let mut at = self.home(hash);
        // Never full: an empty slot ends every probe.
        while let Some(entry) = self.entry(at) {
            if entry.hash == hash && key_of(entry.id).as_ref() == Some(key) {
                return Some(entry.id);
            }
            at = (at + 1) & self.mask();
        }
        None
    }

    /// Adds `id`, whose record already carries its key.
    pub(crate) fn insert<K: Hash>(&mut self, id: u32, key_of: impl Fn(u32) -> Option<K>) {
        let Some(key) = key_of(id) else { return };
        if over_full(self.len + 1, self.slots.len()) {
            self.grow();
        }
        let hash = self.hash(&key);
        self.place(Entry { hash, id });
        self.len += 1;
    }

    /// An empty index whose slots hold `len` names without growing: the
    /// size adding them one by one would reach.
    #[cfg(feature = "serde")] // the document loader's
    pub(crate) fn with_capacity(len: usize) -> Self
    where
        S: Default,
    {
        let mut index = Self::default();
        if len > 0 {
            let mut size = 8;
            while over_full(len, size) {
                size *= 2;
            }
            index.slots.grow_to(size);
        }
        index
    }

    /// Adds `id` under `key`, hashing it once, unless a record of the
    /// index (`key_of`) has that key already: then its id is the error.
    #[cfg(feature = "serde")] // the document loader's
    pub(crate) fn insert_unique<K: Hash + Eq>(
        &mut self,
        id: u32,
        key: &K,
        key_of: impl Fn(u32) -> Option<K>,
    ) -> Result<(), u32> {
        if over_full(self.len + 1, self.slots.len()) {
            self.grow();
        }
        let hash = self.hash(key);
        let mut at = self.home(hash);
        // No entry is ever removed while loading, so the first empty slot
        // ends the run an equal key would be in.
        while let Some(entry) = self.entry(at) {
            if entry.hash == hash && key_of(entry.id).as_ref() == Some(key) {
                return Err(entry.id);
            }
            at = (at + 1) & self.mask();
        }
        self.set(at, Entry { hash, id }.slot());
        self.len += 1;
        Ok(())
    }

    fn place(&mut self, entry: Entry) {
        let mut at = self.home(entry.hash);
        while self.entry(at).is_some() {
            at = (at + 1) & self.mask();
        }
        self.set(at, entry.slot());
    }

    /// Doubles the table (a full rebuild, as often as a `Vec` reallocates),
    /// from the stored hash bits alone.
    fn grow(&mut self) {
        let entries: Vec<Entry> = (0..self.slots.len())
            .filter_map(|at| self.entry(at))
            .collect();
        let size = (self.slots.len() * 2).max(8);
        self.slots = Chunked::default();
        self.slots.grow_to(size);
        for entry in entries {
            self.place(entry);
        }
    }

    /// Removes `id`, whose record still carries the key it was added with.
    pub(crate) fn remove<K: Hash>(&mut self, id: u32, key_of: impl Fn(u32) -> Option<K>) {
        let Some(key) = key_of(id) else { return };
        let mut hole = self.home(self.hash(&key));
        loop {
            match self.entry(hole) {
                None => return,
                Some(found) if found.id == id => break,
                Some(_) => hole = (hole + 1) & self.mask(),
            }
        }
        // Backward-shift deletion: move later entries of the run into the
        // hole when their home allows, so no probe crosses an empty slot.
        let mask = self.mask();
        let mut next = hole;
        loop {
            next = (next + 1) & mask;
            let Some(moved) = self.entry(next) else { break };
            let home = self.home(moved.hash);
            if (next.wrapping_sub(home) & mask) >= (next.wrapping_sub(hole) & mask) {
                self.set(hole, moved.slot());
                hole = next;
            }
        }
        self.set(hole, 0);
        self.len -= 1;
    }
}

#[cfg(test)]
mod tests;
