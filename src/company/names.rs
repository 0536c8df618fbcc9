//! [`NameIndex`]: finds a record by its unique name without storing the
//! name twice, in shared chunks like the records.

use std::hash::{BuildHasher, Hash, RandomState};

use crate::chunked::{Chunked, Nested};
use crate::{Group, Object, PermissionFlags, Project, Role, User};

/// A record with a unique name.
pub(crate) trait Named {
    fn name(&self) -> &str;
}

impl Named for User {
    fn name(&self) -> &str {
        &self.name
    }
}

impl Named for Group {
    fn name(&self) -> &str {
        &self.name
    }
}

impl<P: PermissionFlags> Named for Role<P> {
    fn name(&self) -> &str {
        &self.name
    }
}

impl Named for Project {
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
/// half full) of ids alone. The names stay in the records, so the index
/// costs eight bytes per name or less, and a lookup compares the name it is
/// given with the record's (`key_of`). Its slots sit in shared chunks, so a
/// clone of the company shares every chunk a change did not touch.
///
/// The caller gives `key_of(id)`, the key of the live record `id` (its name,
/// or its kind and name for objects), on every call: the index holds no
/// names of its own.
#[derive(Clone, Default)]
pub(crate) struct NameIndex {
    // INVARIANT: `slots.len()` is 0 or a power of two at least twice `len`;
    // a slot holds `id + 1`, or 0 when empty; each id in the table is
    // reached from its key's home slot without crossing an empty slot.
    slots: Chunked<u32, 12>,
    len: usize,
    keys: RandomState,
}

impl std::fmt::Debug for NameIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NameIndex")
            .field("len", &self.len)
            .finish_non_exhaustive()
    }
}

impl NameIndex {
    /// The number of names.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    fn mask(&self) -> usize {
        self.slots.len().wrapping_sub(1)
    }

    fn home<K: Hash>(&self, key: &K) -> usize {
        // Truncating the hash is intended: the mask keeps the low bits.
        #[allow(clippy::cast_possible_truncation)]
        let hash = self.keys.hash_one(key) as usize;
        hash & self.mask()
    }

    fn slot(&self, at: usize) -> Option<u32> {
        self.slots.get(at).and_then(|&slot| slot.checked_sub(1))
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
        let mut at = self.home(key);
        // At most half full: an empty slot ends every probe.
        while let Some(id) = self.slot(at) {
            if key_of(id).as_ref() == Some(key) {
                return Some(id);
            }
            at = (at + 1) & self.mask();
        }
        None
    }

    /// Adds `id`, whose record already carries its key.
    pub(crate) fn insert<K: Hash>(&mut self, id: u32, key_of: impl Fn(u32) -> Option<K>) {
        if key_of(id).is_none() {
            return;
        }
        if (self.len + 1) * 2 > self.slots.len() {
            self.grow(&key_of);
        }
        self.place(id, &key_of);
        self.len += 1;
    }

    fn place<K: Hash>(&mut self, id: u32, key_of: &impl Fn(u32) -> Option<K>) {
        let Some(key) = key_of(id) else { return };
        let mut at = self.home(&key);
        while self.slot(at).is_some() {
            at = (at + 1) & self.mask();
        }
        if let Some(slot) = self.slots.get_mut(at) {
            *slot = id + 1;
        }
    }

    /// Doubles the table (a full rebuild, as often as a `Vec` reallocates).
    fn grow<K: Hash>(&mut self, key_of: &impl Fn(u32) -> Option<K>) {
        let ids: Vec<u32> = (0..self.slots.len())
            .filter_map(|at| self.slot(at))
            .collect();
        let size = (self.slots.len() * 2).max(8);
        self.slots = Chunked::default();
        self.slots.grow_to(size);
        for id in ids {
            self.place(id, key_of);
        }
    }

    /// Removes `id`, whose record still carries the key it was added with.
    pub(crate) fn remove<K: Hash>(&mut self, id: u32, key_of: impl Fn(u32) -> Option<K>) {
        let Some(key) = key_of(id) else { return };
        let mut hole = self.home(&key);
        loop {
            match self.slot(hole) {
                None => return,
                Some(found) if found == id => break,
                Some(_) => hole = (hole + 1) & self.mask(),
            }
        }
        // Backward-shift deletion: move later entries of the run into the
        // hole when their home allows, so no probe crosses an empty slot.
        let mut next = hole;
        loop {
            next = (next + 1) & self.mask();
            let Some(moved) = self.slot(next) else { break };
            let Some(home) = key_of(moved).map(|key| self.home(&key)) else {
                break;
            };
            let mask = self.mask();
            if (next.wrapping_sub(home) & mask) >= (next.wrapping_sub(hole) & mask) {
                if let Some(slot) = self.slots.get_mut(hole) {
                    *slot = moved + 1;
                }
                hole = next;
            }
        }
        if let Some(slot) = self.slots.get_mut(hole) {
            *slot = 0;
        }
        self.len -= 1;
    }
}

#[cfg(test)]
mod tests {
    use super::NameIndex;

    /// Names by id, `None` once removed, like a table of records.
    fn key_of<'a>(names: &'a [Option<String>]) -> impl Fn(u32) -> Option<&'a str> + 'a {
        |id| names.get(id as usize)?.as_deref()
    }

    #[test]
    fn finds_every_name_through_growth_and_removals() {
        let mut names: Vec<Option<String>> = Vec::new();
        let mut index = NameIndex::default();
        for i in 0..500u32 {
            names.push(Some(format!("user {i}")));
            index.insert(i, key_of(&names));
        }
        assert_eq!(index.len(), 500);
        for i in (0..500u32).step_by(3) {
            index.remove(i, key_of(&names));
            names[i as usize] = None;
        }
        for i in 0..500u32 {
            let found = index.find(&format!("user {i}").as_str(), key_of(&names));
            assert_eq!(found, (i % 3 != 0).then_some(i), "user {i}");
        }
        assert_eq!(index.find(&"nobody", key_of(&names)), None);
        assert_eq!(index.len(), 333);
    }

    #[test]
    fn a_rename_is_a_removal_then_an_insertion() {
        let mut names = vec![Some("ann".to_owned()), Some("bob".to_owned())];
        let mut index = NameIndex::default();
        index.insert(0, key_of(&names));
        index.insert(1, key_of(&names));
        let before = index.clone();
        index.remove(0, key_of(&names));
        names[0] = Some("anna".to_owned());
        index.insert(0, key_of(&names));
        assert_eq!(index.find(&"anna", key_of(&names)), Some(0));
        assert_eq!(index.find(&"ann", key_of(&names)), None);
        assert_eq!(index.find(&"bob", key_of(&names)), Some(1));
        assert_eq!(before.len(), 2, "a clone keeps its own slots");
    }
}
