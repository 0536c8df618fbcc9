//! Dense numeric ids, chosen by the crate, never reused.

/// Defines a dense, `Copy` id type over `u32`.
macro_rules! define_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        ///
        /// Ids are chosen by the [`Company`](crate::Company) in creation order
        /// (0, 1, 2, ...), are never reused after a deletion, and are cheap to
        /// copy, compare and store. A host keeps them next to its own records.
        /// A company gives out ids below `u32::MAX` only.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
        #[cfg_attr(feature = "serde", serde(transparent))]
        pub struct $name(u32);

        impl $name {
            /// Makes an id from its number, as a host stored it.
            ///
            /// An id made up this way may name nothing; every operation that
            /// takes it says so ([`Error::UnknownId`](crate::Error::UnknownId),
            /// or a deny for checks).
            #[must_use]
            pub const fn new(number: u32) -> Self {
                Self(number)
            }

            /// The id's number.
            #[must_use]
            pub const fn get(self) -> u32 {
                self.0
            }

            /// The id as an index into the crate's dense tables.
            #[inline]
            pub(crate) const fn index(self) -> usize {
                self.0 as usize
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                std::fmt::Display::fmt(&self.0, f)
            }
        }
    };
}

pub(crate) use define_id;
