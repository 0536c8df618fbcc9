//! [`ShortSet`]: the links a record has few of.

/// A set kept as a list in insertion order, for the sides of links that
/// hold a few ids (a user's roles, groups and projects; a group's roles and
/// projects; an object's projects). Searching a handful of ids beats
/// hashing them, and an empty set allocates nothing. The many-sided ends
/// (a role's users, a project's members and objects) stay hashed sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ShortSet<T>(Vec<T>);

impl<T> Default for ShortSet<T> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<T: Copy + PartialEq> ShortSet<T> {
    /// An empty set.
    pub(crate) const fn new() -> Self {
        Self(Vec::new())
    }

    /// Adds `item` at the end unless present; says whether it was added.
    pub(crate) fn insert(&mut self, item: T) -> bool {
        if self.0.contains(&item) {
            return false;
        }
        self.0.push(item);
        true
    }

    /// Removes `item`, keeping the order of the rest; says whether it was
    /// there.
    pub(crate) fn shift_remove(&mut self, item: &T) -> bool {
        let Some(at) = self.0.iter().position(|x| x == item) else {
            return false;
        };
        self.0.remove(at);
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
                self.0.insert(at, item);
                true
            }
        }
    }

    pub(crate) fn iter(&self) -> std::slice::Iter<'_, T> {
        self.0.iter()
    }
}
