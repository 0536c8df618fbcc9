//! Why a catalog definition was refused.

use std::fmt;

/// Why a [`Definition`](crate::Definition) is not a valid catalog: every
/// variant names the culprit.
///
/// A catalog compiled in a `static` (see [`Catalog::new`](crate::Catalog::new))
/// turns this error into a compile error with the same message.
///
/// # Which error wins
///
/// A definition with several flaws is refused for the first one found, and
/// the checks run in this order, each over the whole definition before the
/// next begins (so a flaw found by an earlier step wins over any later one,
/// wherever it stands):
///
/// 1. the catalog's name ([`MalformedCatalogName`](Self::MalformedCatalogName));
/// 2. the sections, in order (empty or given twice);
/// 3. the permissions, in declaration order, each checked in full before the
///    next: too many for the word, malformed name, duplicate name, bad or
///    taken bit, unknown section;
/// 4. the kinds, in order (past the 32nd, malformed or given twice);
/// 5. what each permission applies to, in declaration order (unknown kind);
/// 6. the implications: first every implied name, in declaration order
///    (unknown implied permission), then cycles;
/// 7. each kind's governing permission, in kind order;
/// 8. the permissions the library needs, in
///    [`LibraryPermission::ALL`](crate::LibraryPermission::ALL) order;
/// 9. what Supervisor holds, then what Operator holds.
///
/// `tests/catalog_errors.rs` pins this order.
///
/// # Example: a cycle of implications does not compile
///
/// ```compile_fail,E0080
/// use callgate::{Catalog, Definition, PermissionDef};
///
/// const PERMISSIONS: &[PermissionDef] = &[
///     PermissionDef::new(0, "queues.pause", "Queues").implies(&["queues.resume"]),
///     PermissionDef::new(1, "queues.resume", "Queues").implies(&["queues.pause"]),
/// ];
/// // error: evaluation panicked: invalid catalog: permission `queues.pause`
/// // implies itself through a cycle of implications
/// static CYCLE: Catalog = match Catalog::new(
///     Definition::new("cycle", 1).sections(&["Queues"]).permissions(PERMISSIONS),
/// ) {
///     Ok(catalog) => catalog,
///     Err(error) => error.fail(),
/// };
/// ```
///
/// # Example: a catalog without what the library needs does not compile
///
/// ```compile_fail,E0080
/// use callgate::{Catalog, Definition, PermissionDef};
///
/// const PERMISSIONS: &[PermissionDef] = &[PermissionDef::new(0, "queues.view", "Queues")];
/// // error: evaluation panicked: invalid catalog: the catalog lacks
/// // `users.manage`, which the library needs
/// static LACKING: Catalog = match Catalog::new(
///     Definition::new("lacking", 1).sections(&["Queues"]).permissions(PERMISSIONS),
/// ) {
///     Ok(catalog) => catalog,
///     Err(error) => error.fail(),
/// };
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CatalogError {
    /// The catalog's own name is empty or has characters other than
    /// lowercase letters, digits, `_`, `-` and `.`.
    MalformedCatalogName {
        /// The name as given.
        name: &'static str,
    },
    /// A permission name that is not lowercase and dotted.
    MalformedName {
        /// The name as given.
        name: &'static str,
    },
    /// Two permissions with one name.
    DuplicateName {
        /// The name.
        name: &'static str,
    },
    /// A bit past the width of the flags type, or one that two permissions
    /// share.
    BadBit {
        /// The permission whose bit is wrong.
        permission: &'static str,
    },
    /// More permissions than the flags type has bits.
    TooManyPermissions {
        /// The first permission that does not fit.
        permission: &'static str,
    },
    /// A section declared twice, or an empty section name.
    BadSection {
        /// The section.
        section: &'static str,
    },
    /// A permission in a section the catalog does not declare.
    UnknownSection {
        /// The permission.
        permission: &'static str,
        /// The section it names.
        section: &'static str,
    },
    /// An implication of a permission the catalog does not have.
    UnknownImplication {
        /// The permission.
        permission: &'static str,
        /// The name it implies.
        implied: &'static str,
    },
    /// Implications that lead back to where they started.
    ImplicationCycle {
        /// A permission on the cycle.
        permission: &'static str,
    },
    /// A kind named twice, or with a malformed name.
    BadKind {
        /// The kind.
        kind: &'static str,
    },
    /// More kinds of scoped object than supported (32).
    TooManyKinds {
        /// The first kind that does not fit.
        kind: &'static str,
    },
    /// A permission that applies to a kind the catalog does not have.
    UnknownKind {
        /// The permission.
        permission: &'static str,
        /// The kind it names.
        kind: &'static str,
    },
    /// A kind whose governing permission the catalog does not have.
    UnknownKindPermission {
        /// The kind.
        kind: &'static str,
        /// The permission it names.
        permission: &'static str,
    },
    /// A permission the library needs (`users.manage`, `projects.all`, ...)
    /// is missing.
    MissingRequired {
        /// The missing name.
        permission: &'static str,
    },
    /// A built-in role's set names a permission (or a section) the catalog
    /// does not have.
    UnknownBuiltinPermission {
        /// `Supervisor` or `Operator`.
        role: &'static str,
        /// The name it gives.
        name: &'static str,
    },
    /// A built-in role's set gives `projects.all`, which stays Admin's.
    BuiltinAllProjects {
        /// `Supervisor` or `Operator`.
        role: &'static str,
    },
}

impl CatalogError {
    /// The message in up to five pieces: text, culprit, text, culprit, text.
    /// One source for `Display` and for the compile-time message.
    pub(crate) const fn pieces(&self) -> [&'static str; 5] {
        match *self {
            Self::MalformedCatalogName { name } => one(
                "malformed catalog name `",
                name,
                "`: use lowercase letters, digits, `_`, `-` and `.`",
            ),
            Self::MalformedName { name } => one(
                "malformed permission name `",
                name,
                "`: a name is two or more lowercase parts joined by dots, such as `queues.pause`",
            ),
            Self::DuplicateName { name } => one("duplicate permission name `", name, "`"),
            Self::BadBit { permission } => one(
                "permission `",
                permission,
                "` has a bit past the width of its flags type, or one another permission has",
            ),
            Self::TooManyPermissions { permission } => one(
                "too many permissions: `",
                permission,
                "` does not fit in the flags type",
            ),
            Self::BadSection { section } => {
                one("section `", section, "` is declared twice or has no name")
            }
            Self::UnknownSection {
                permission,
                section,
            } => two(
                "permission `",
                permission,
                "` names unknown section `",
                section,
            ),
            Self::UnknownImplication {
                permission,
                implied,
            } => two(
                "permission `",
                permission,
                "` implies unknown permission `",
                implied,
            ),
            Self::ImplicationCycle { permission } => one(
                "permission `",
                permission,
                "` implies itself through a cycle of implications",
            ),
            Self::BadKind { .. }
            | Self::TooManyKinds { .. }
            | Self::UnknownKind { .. }
            | Self::UnknownKindPermission { .. }
            | Self::MissingRequired { .. }
            | Self::UnknownBuiltinPermission { .. }
            | Self::BuiltinAllProjects { .. } => self.kind_and_requirement_pieces(),
        }
    }

    /// [`pieces`](Self::pieces) of the errors about object kinds and about
    /// what the library needs from a catalog (required permissions,
    /// built-in roles).
    const fn kind_and_requirement_pieces(&self) -> [&'static str; 5] {
        match *self {
            Self::BadKind { kind } => one(
                "object kind `",
                kind,
                "` is declared twice or its name is malformed",
            ),
            Self::TooManyKinds { kind } => one(
                "too many object kinds: `",
                kind,
                "` is past the 32 supported",
            ),
            Self::UnknownKind { permission, kind } => two(
                "permission `",
                permission,
                "` applies to unknown object kind `",
                kind,
            ),
            Self::UnknownKindPermission { kind, permission } => two(
                "object kind `",
                kind,
                "` is governed by unknown permission `",
                permission,
            ),
            Self::MissingRequired { permission } => one(
                "the catalog lacks `",
                permission,
                "`, which the library needs (declare it, or map it onto a permission \
                 of the catalog with `Definition::library_permission`)",
            ),
            Self::UnknownBuiltinPermission { role, name } => two(
                "built-in role `",
                role,
                "` names unknown permission or section `",
                name,
            ),
            Self::BuiltinAllProjects { role } => {
                one("built-in role `", role, "` may not hold `projects.all`")
            }
            // `pieces` answers every other variant itself.
            _ => ["", "", "", "", ""],
        }
    }

    /// Stops compilation (in a `static`) or the program with this error's
    /// message: what [`Catalog::new`](crate::Catalog::new)'s callers in a
    /// `const` context use to turn a bad catalog into a compile error.
    ///
    /// # Panics
    ///
    /// Always: that is its purpose. In a `static`, the panic is a compile
    /// error.
    #[track_caller]
    // Panicking is this function's documented purpose (see `# Panics`); the
    // library calls it nowhere.
    #[allow(clippy::panic)]
    pub const fn fail(self) -> ! {
        let message = ConstMessage::new().push("invalid catalog: ");
        let pieces = self.pieces();
        let message = message
            .push(pieces[0])
            .push(pieces[1])
            .push(pieces[2])
            .push(pieces[3])
            .push(pieces[4]);
        panic!("{}", message.as_str())
    }
}

/// A message naming one culprit: text, culprit, text.
const fn one(
    before: &'static str,
    culprit: &'static str,
    after: &'static str,
) -> [&'static str; 5] {
    [before, culprit, after, "", ""]
}

/// A message naming two culprits, the second in backticks at the end.
const fn two(
    before: &'static str,
    first: &'static str,
    between: &'static str,
    second: &'static str,
) -> [&'static str; 5] {
    [before, first, between, second, "`"]
}

impl fmt::Display for CatalogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.pieces()
            .iter()
            .try_for_each(|piece| f.write_str(piece))
    }
}

impl std::error::Error for CatalogError {}

/// A message built at compile time in a fixed buffer (`const fn` cannot
/// allocate or format). Text past the buffer is cut at a character boundary.
struct ConstMessage {
    bytes: [u8; 512],
    len: usize,
}

impl ConstMessage {
    const fn new() -> Self {
        Self {
            bytes: [0; 512],
            len: 0,
        }
    }

    // Indexing in a const fn (`slice::get` is not const): `i < text.len()`
    // and `self.len < self.bytes.len()` guard the copy, and `self.len > 0`
    // guards `self.len - 1`.
    #[allow(clippy::indexing_slicing)]
    const fn push(mut self, text: &str) -> Self {
        let text = text.as_bytes();
        let mut i = 0;
        while i < text.len() && self.len < self.bytes.len() {
            self.bytes[self.len] = text[i];
            self.len += 1;
            i += 1;
        }
        // Never end inside a character: when cut, drop trailing non-ASCII
        // bytes (a whole character may go too; the message stays valid).
        while self.len > 0 && i < text.len() && self.bytes[self.len - 1] >= 0x80 {
            self.len -= 1;
        }
        self
    }

    const fn as_str(&self) -> &str {
        let (used, _) = self.bytes.split_at(self.len);
        match std::str::from_utf8(used) {
            Ok(text) => text,
            Err(_) => "invalid catalog",
        }
    }
}
