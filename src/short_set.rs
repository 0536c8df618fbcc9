//! [`ShortSet`]: the links a record has few of.

/// The many-sided ends of links (a role's users, a project's members and
/// objects, a group's members): a persistent B-tree set, sorted. A clone is
/// one reference count, and a change copies the nodes on its path, so the
/// records that own these sets share them with published views; removing
/// 100,000 members costs 100,000 steps of `O(log n)`, not their square.
pub(crate) type ManySet<T> = imbl::OrdSet<T>;

/// A set kept as a list in insertion order, for the sides of links that
/// hold a few ids (a user's roles, groups and projects; a group's roles and
/// projects; an object's projects). Searching a handful of ids beats
/// hashing them, and an empty set allocates nothing. The many-sided ends
/// (a role's users, a project's members and objects) are [`ManySet`]s.
///
/// Stored as a boxed slice (two words, no spare capacity): a record holds
/// several of these, and they change far less often than they are read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ShortSet<T>(Box<[T]>);

impl<T> Default for ShortSet<T> {
    fn default() -> Self {
        Self(Box::new([]))
    }
}

impl<T: Copy + PartialEq> ShortSet<T> {
    /// An empty set.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Changes the list (a new allocation of its exact size).
    fn edit(&mut self, edit: impl FnOnce(&mut Vec<T>)) {
        let mut items = std::mem::take(&mut self.0).into_vec();
        edit(&mut items);
        self.0 = items.into_boxed_slice();
    }

    /// Adds `item` at the end unless present; says whether it was added.
    pub(crate) fn insert(&mut self, item: T) -> bool {
        if self.0.contains(&item) {
            return false;
        }
        self.edit(|items| items.push(item));
        true
    }

    /// Removes `item`, keeping the order of the rest; says whether it was
    /// there.
    pub(crate) fn shift_remove(&mut self, item: &T) -> bool {
        let Some(at) = self.0.iter().position(|x| x == item) else {
            return false;
        };
        self.edit(|items| {
            items.remove(at);
        });
        true
    }

    pub(crate) fn contains(&self, item: &T) -> bool {
        self.0.contains(item)
    }

    /// Adds `item` in order unless present, in a set kept sorted.
    pub(crate) fn insert_sorted(&mut self, item: T) -> bool
    where
        T: Ord,
    {
        match self.0.binary_search(&item) {
            Ok(_) => false,
            Err(at) => {
                self.edit(|items| items.insert(at, item));
                true
            }
        }
    }

    pub(crate) fn iter(&self) -> std::slice::Iter<'_, T> {
        self.0.iter()
    }

    /// The set of `items`, which hold each item once (in the order kept).
    #[cfg(feature = "serde")] // the document loader's
    pub(crate) fn from_distinct(items: Vec<T>) -> Self {
        Self(items.into_boxed_slice())
    }

    /// The bytes the list holds on the heap.
    pub(crate) fn heap_bytes(&self) -> usize {
        std::mem::size_of_val::<[T]>(&self.0)
    }
}
