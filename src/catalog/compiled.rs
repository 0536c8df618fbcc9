//! [`Catalog`]: a checked [`Definition`], compiled into the masks the engine
//! uses. Everything here is `const fn`, so a catalog in a `static` is
//! checked by the compiler.

use std::marker::PhantomData;

use super::definition::{AppliesTo, Definition, Holds, KindDef, LibraryPermission, PermissionDef};
use super::{CatalogError, Word};

/// The most kinds of scoped object a catalog may have.
pub const MAX_KINDS: usize = 32;

/// The slots of [`Catalog::kind_masks`]: twice [`MAX_KINDS`], so that the
/// check indexes it with a mask of the object entry's kind byte, and a
/// deleted object's kind (`u8::MAX`, masked: 63) reads an empty slot.
pub(crate) const KIND_SLOTS: usize = 2 * MAX_KINDS;

/// The most permissions a catalog may have (with `u128` flags).
pub const MAX_PERMISSIONS: usize = 128;

/// The bits (with what they imply) of the permissions the library needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Required {
    pub(crate) users_manage: u128,
    pub(crate) groups_manage: u128,
    pub(crate) roles_manage: u128,
    pub(crate) roles_test: u128,
    pub(crate) projects_view: u128,
    pub(crate) projects_manage: u128,
    pub(crate) projects_all: u128,
    pub(crate) security_manage: u128,
}

/// A checked, compiled permission catalog: the product's [`Definition`] and
/// the masks the engine answers from (what each permission implies, what
/// applies to each kind of object, what the built-in roles hold).
///
/// `W` is the width of the product's flags type (`u64` or `u128`): no
/// permission's bit may reach past it. A catalog is made once per process
/// and never changes; every company of the product shares it through the
/// product's [`PermissionFlags`](crate::PermissionFlags) type.
///
/// # Example: a catalog checked by the compiler
///
/// In a `static`, a bad definition is a compile error with the message of
/// its [`CatalogError`]:
///
/// ```compile_fail,E0080
/// use callgate::{Catalog, Definition, PermissionDef};
///
/// static BAD: Catalog<u64> = match Catalog::new(
///     Definition::new("bad", 1)
///         .sections(&["Queues"])
///         .permissions(&[
///             PermissionDef::new(0, "queues.view", "Queues"),
///             PermissionDef::new(1, "queues.view", "Queues"), // duplicate name
///         ]),
/// ) {
///     Ok(catalog) => catalog,
///     Err(error) => error.fail(),
/// };
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Catalog<W: Word = u64> {
    pub(crate) definition: Definition,
    /// For each bit: the index of its permission in the definition, plus
    /// one (0: no permission has the bit).
    pub(crate) by_bit: [u8; MAX_PERMISSIONS],
    /// For each bit: the permission's bit and everything it implies.
    pub(crate) closure: [u128; MAX_PERMISSIONS],
    /// For each bit: the bits of every permission that implies it (itself
    /// included).
    pub(crate) implied_by: [u128; MAX_PERMISSIONS],
    /// Every permission's bit.
    pub(crate) all: u128,
    /// For each kind (by index): the permissions that apply to it. The
    /// slots from `MAX_KINDS` on stay empty (see [`KIND_SLOTS`]).
    pub(crate) kind_masks: [u128; KIND_SLOTS],
    /// For each kind (by index): its governing permission, closed.
    pub(crate) kind_manage: [u128; MAX_KINDS],
    /// The permissions that apply to projects.
    pub(crate) project_mask: u128,
    pub(crate) supervisor: u128,
    pub(crate) operator: u128,
    pub(crate) required: Required,
    word: PhantomData<W>,
}

/// `?` for `const fn`.
macro_rules! attempt {
    ($e:expr) => {
        match $e {
            Ok(value) => value,
            Err(error) => return Err(error),
        }
    };
}

// Indexing in const fns: `slice::get` is not a `const fn`, so the catalog
// compiler indexes. Every index is in bounds: a loop counter below the length
// of the slice it indexes; a permission's bit, which `place_permissions`
// (the first step of `Catalog::new`) checks below `W::BITS` <=
// `MAX_PERMISSIONS`, the length of the per-bit tables, before any later step
// reads a table with it; a kind's index below `kinds.len()` <= `MAX_KINDS`
// (`check_kinds`), the length of the per-kind tables; or an index returned
// by `find_permission`/`find_kind`, below the length of the slice searched.
#[allow(clippy::indexing_slicing)]
impl<W: Word> Catalog<W> {
    /// Checks and compiles a definition.
    ///
    /// # Errors
    ///
    /// [`CatalogError`] naming the culprit: a malformed or duplicate name,
    /// a bit past `W` or taken twice, more permissions than `W` has bits or
    /// more than 32 kinds, an unknown section, kind or implied permission,
    /// a cycle of implications, a missing permission the library needs, or
    /// a built-in set that names an unknown permission or gives
    /// `projects.all`.
    ///
    /// # Example: a catalog made at run time
    ///
    /// ```
    /// use callgate::{Catalog, CatalogError, Definition, PermissionDef};
    ///
    /// // A definition's lists are `'static`: constants, or leaked for a
    /// // catalog read at run time.
    /// const PERMISSIONS: &[PermissionDef] =
    ///     &[PermissionDef::new(0, "queues.view", "Queues").implies(&["queues.fly"])];
    /// let definition = Definition::new("tiny", 1)
    ///     .sections(&["Queues"])
    ///     .permissions(PERMISSIONS);
    /// let error = Catalog::<u64>::new(definition).unwrap_err();
    /// assert_eq!(
    ///     error,
    ///     CatalogError::UnknownImplication { permission: "queues.view", implied: "queues.fly" },
    /// );
    /// assert_eq!(error.to_string(), "permission `queues.view` implies unknown permission `queues.fly`");
    /// ```
    pub const fn new(definition: Definition) -> Result<Self, CatalogError> {
        if !is_catalog_name(definition.name) {
            return Err(CatalogError::MalformedCatalogName {
                name: definition.name,
            });
        }
        attempt!(check_sections(definition.sections));
        let mut catalog = Self {
            definition,
            by_bit: [0; MAX_PERMISSIONS],
            closure: [0; MAX_PERMISSIONS],
            implied_by: [0; MAX_PERMISSIONS],
            all: 0,
            kind_masks: [0; KIND_SLOTS],
            kind_manage: [0; MAX_KINDS],
            project_mask: 0,
            supervisor: 0,
            operator: 0,
            required: Required {
                users_manage: 0,
                groups_manage: 0,
                roles_manage: 0,
                roles_test: 0,
                projects_view: 0,
                projects_manage: 0,
                projects_all: 0,
                security_manage: 0,
            },
            word: PhantomData,
        };
        attempt!(catalog.place_permissions());
        attempt!(check_kinds(definition.kinds));
        attempt!(catalog.applies());
        attempt!(catalog.close_implications());
        attempt!(catalog.resolve_kinds());
        attempt!(catalog.resolve_required());
        catalog.supervisor = attempt!(catalog.holds("Supervisor", definition.supervisor));
        catalog.operator = attempt!(catalog.holds("Operator", definition.operator));
        Ok(catalog)
    }

    /// Names, bits and sections of every permission.
    const fn place_permissions(&mut self) -> Result<(), CatalogError> {
        let permissions = self.definition.permissions;
        let mut i = 0;
        while i < permissions.len() {
            let p = &permissions[i];
            if i >= W::BITS as usize {
                return Err(CatalogError::TooManyPermissions { permission: p.name });
            }
            if !is_permission_name(p.name) {
                return Err(CatalogError::MalformedName { name: p.name });
            }
            if find_permission(permissions, p.name, i).is_some() {
                return Err(CatalogError::DuplicateName { name: p.name });
            }
            if p.bit >= W::BITS || self.by_bit[p.bit as usize] != 0 {
                return Err(CatalogError::BadBit { permission: p.name });
            }
            if !contains_str(self.definition.sections, p.section) {
                return Err(CatalogError::UnknownSection {
                    permission: p.name,
                    section: p.section,
                });
            }
            // Lossless: at most 128 permissions (checked above).
            self.by_bit[p.bit as usize] = (i + 1) as u8;
            self.all |= 1 << p.bit;
            i += 1;
        }
        Ok(())
    }

    /// The kind and project masks.
    const fn applies(&mut self) -> Result<(), CatalogError> {
        let permissions = self.definition.permissions;
        let mut i = 0;
        while i < permissions.len() {
            let p = &permissions[i];
            match p.applies_to {
                AppliesTo::Company => {}
                AppliesTo::Projects => self.project_mask |= 1 << p.bit,
                AppliesTo::Kinds(kinds) => {
                    let mut k = 0;
                    while k < kinds.len() {
                        let Some(kind) = find_kind(self.definition.kinds, kinds[k]) else {
                            return Err(CatalogError::UnknownKind {
                                permission: p.name,
                                kind: kinds[k],
                            });
                        };
                        self.kind_masks[kind] |= 1 << p.bit;
                        k += 1;
                    }
                }
            }
            i += 1;
        }
        Ok(())
    }

    /// Resolves implications and closes them transitively, refusing cycles.
    const fn close_implications(&mut self) -> Result<(), CatalogError> {
        let permissions = self.definition.permissions;
        // `strict[b]`: what the permission at bit `b` implies, itself left
        // out unless a cycle leads back to it.
        let mut strict = [0u128; MAX_PERMISSIONS];
        let mut i = 0;
        while i < permissions.len() {
            let p = &permissions[i];
            let mut j = 0;
            while j < p.implies.len() {
                let Some(target) = find_permission(permissions, p.implies[j], permissions.len())
                else {
                    return Err(CatalogError::UnknownImplication {
                        permission: p.name,
                        implied: p.implies[j],
                    });
                };
                strict[p.bit as usize] |= 1 << permissions[target].bit;
                j += 1;
            }
            i += 1;
        }
        // Fixpoint: at most one round per permission.
        let mut changed = true;
        while changed {
            changed = false;
            let mut b = 0;
            while b < MAX_PERMISSIONS {
                let mut rest = strict[b];
                let mut grown = strict[b];
                while rest != 0 {
                    let c = rest.trailing_zeros() as usize;
                    rest &= rest - 1;
                    grown |= strict[c];
                }
                if grown != strict[b] {
                    strict[b] = grown;
                    changed = true;
                }
                b += 1;
            }
        }
        let mut i = 0;
        while i < permissions.len() {
            let bit = permissions[i].bit as usize;
            if strict[bit] & (1 << bit) != 0 {
                return Err(CatalogError::ImplicationCycle {
                    permission: permissions[i].name,
                });
            }
            self.closure[bit] = strict[bit] | (1 << bit);
            i += 1;
        }
        let mut b = 0;
        while b < MAX_PERMISSIONS {
            let mut rest = self.closure[b];
            while rest != 0 {
                let c = rest.trailing_zeros() as usize;
                rest &= rest - 1;
                self.implied_by[c] |= 1 << b;
            }
            b += 1;
        }
        Ok(())
    }

    /// Each kind's governing permission.
    const fn resolve_kinds(&mut self) -> Result<(), CatalogError> {
        let kinds = self.definition.kinds;
        let mut k = 0;
        while k < kinds.len() {
            let Some(bits) = self.closed_by_name(kinds[k].manage) else {
                return Err(CatalogError::UnknownKindPermission {
                    kind: kinds[k].name,
                    permission: kinds[k].manage,
                });
            };
            self.kind_manage[k] = bits;
            k += 1;
        }
        Ok(())
    }

    /// The permissions the library needs.
    const fn resolve_required(&mut self) -> Result<(), CatalogError> {
        let names = self.definition.library;
        let mut found = [0u128; LibraryPermission::ALL.len()];
        let mut r = 0;
        while r < names.len() {
            let Some(bits) = self.closed_by_name(names[r]) else {
                return Err(CatalogError::MissingRequired {
                    permission: names[r],
                });
            };
            found[r] = bits;
            r += 1;
        }
        let [
            users_manage,
            groups_manage,
            roles_manage,
            roles_test,
            projects_view,
            projects_manage,
            projects_all,
            security_manage,
        ] = found;
        self.required = Required {
            users_manage,
            groups_manage,
            roles_manage,
            roles_test,
            projects_view,
            projects_manage,
            projects_all,
            security_manage,
        };
        Ok(())
    }

    /// What a built-in role's declared set gives.
    const fn holds(&self, role: &'static str, holds: Holds) -> Result<u128, CatalogError> {
        let all_projects =
            self.required.projects_all & !self.implied_below(self.required.projects_all);
        let bits = match holds {
            Holds::Only(names) => {
                let mut bits = 0;
                let mut i = 0;
                while i < names.len() {
                    let Some(closed) = self.closed_by_name(names[i]) else {
                        return Err(CatalogError::UnknownBuiltinPermission {
                            role,
                            name: names[i],
                        });
                    };
                    bits |= closed;
                    i += 1;
                }
                if bits & all_projects != 0 {
                    return Err(CatalogError::BuiltinAllProjects { role });
                }
                bits
            }
            Holds::AllExcept {
                sections,
                permissions,
            } => {
                let mut bits = self.all;
                let mut s = 0;
                while s < sections.len() {
                    if !contains_str(self.definition.sections, sections[s]) {
                        return Err(CatalogError::UnknownBuiltinPermission {
                            role,
                            name: sections[s],
                        });
                    }
                    let mut i = 0;
                    while i < self.definition.permissions.len() {
                        let p = &self.definition.permissions[i];
                        if str_eq(p.section, sections[s]) {
                            bits &= !self.implied_by[p.bit as usize];
                        }
                        i += 1;
                    }
                    s += 1;
                }
                let mut i = 0;
                while i < permissions.len() {
                    let Some(index) = find_permission(
                        self.definition.permissions,
                        permissions[i],
                        self.definition.permissions.len(),
                    ) else {
                        return Err(CatalogError::UnknownBuiltinPermission {
                            role,
                            name: permissions[i],
                        });
                    };
                    bits &= !self.implied_by[self.definition.permissions[index].bit as usize];
                    i += 1;
                }
                let mut rest = all_projects;
                while rest != 0 {
                    let b = rest.trailing_zeros() as usize;
                    rest &= rest - 1;
                    bits &= !self.implied_by[b];
                }
                bits
            }
        };
        Ok(bits)
    }

    /// The bits `closed` implies other than its own permissions' bits: for a
    /// single closed permission, what it implies.
    const fn implied_below(&self, closed: u128) -> u128 {
        let mut below = 0;
        let mut rest = closed;
        while rest != 0 {
            let b = rest.trailing_zeros() as usize;
            rest &= rest - 1;
            below |= self.closure[b] & !(1 << b);
        }
        below
    }

    /// A permission's bit with what it implies, by name.
    const fn closed_by_name(&self, name: &str) -> Option<u128> {
        let permissions = self.definition.permissions;
        match find_permission(permissions, name, permissions.len()) {
            Some(i) => Some(self.closure[permissions[i].bit as usize]),
            None => None,
        }
    }
}

/// Sections: named, each once.
#[allow(clippy::indexing_slicing)] // In bounds: see the note above `impl Catalog`.
const fn check_sections(sections: &'static [&'static str]) -> Result<(), CatalogError> {
    let mut i = 0;
    while i < sections.len() {
        let (before, _) = sections.split_at(i);
        if sections[i].is_empty() || contains_str(before, sections[i]) {
            return Err(CatalogError::BadSection {
                section: sections[i],
            });
        }
        i += 1;
    }
    Ok(())
}

/// Kinds: at most 32, well named, each once.
#[allow(clippy::indexing_slicing)] // In bounds: see the note above `impl Catalog`.
const fn check_kinds(kinds: &'static [KindDef]) -> Result<(), CatalogError> {
    let mut k = 0;
    while k < kinds.len() {
        if k >= MAX_KINDS {
            return Err(CatalogError::TooManyKinds {
                kind: kinds[k].name,
            });
        }
        let (before, _) = kinds.split_at(k);
        if !is_part(kinds[k].name.as_bytes()) || find_kind(before, kinds[k].name).is_some() {
            return Err(CatalogError::BadKind {
                kind: kinds[k].name,
            });
        }
        k += 1;
    }
    Ok(())
}

/// The index of the permission named `name` among the first `limit`.
#[allow(clippy::indexing_slicing)] // In bounds: see the note above `impl Catalog`.
pub(crate) const fn find_permission(
    permissions: &[PermissionDef],
    name: &str,
    limit: usize,
) -> Option<usize> {
    let mut i = 0;
    while i < permissions.len() && i < limit {
        if str_eq(permissions[i].name, name) {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// The index of the kind named `name`.
#[allow(clippy::indexing_slicing)] // In bounds: see the note above `impl Catalog`.
const fn find_kind(kinds: &[KindDef], name: &str) -> Option<usize> {
    let mut k = 0;
    while k < kinds.len() {
        if str_eq(kinds[k].name, name) {
            return Some(k);
        }
        k += 1;
    }
    None
}

#[allow(clippy::indexing_slicing)] // In bounds: see the note above `impl Catalog`.
const fn contains_str(list: &[&str], item: &str) -> bool {
    let mut i = 0;
    while i < list.len() {
        if str_eq(list[i], item) {
            return true;
        }
        i += 1;
    }
    false
}

#[allow(clippy::indexing_slicing)] // In bounds: see the note above `impl Catalog`.
pub(crate) const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Two or more parts joined by dots, at most 64 bytes.
#[allow(clippy::indexing_slicing)] // In bounds: see the note above `impl Catalog`.
const fn is_permission_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    if bytes.is_empty() || bytes.len() > 64 {
        return false;
    }
    let mut parts = 0;
    let mut start = 0;
    let mut i = 0;
    while i <= bytes.len() {
        if i == bytes.len() || bytes[i] == b'.' {
            let (head, _) = bytes.split_at(i);
            let (_, part) = head.split_at(start);
            if !is_part(part) {
                return false;
            }
            parts += 1;
            start = i + 1;
        }
        i += 1;
    }
    parts >= 2
}

/// A lowercase letter, then lowercase letters, digits and `_`.
#[allow(clippy::indexing_slicing)] // In bounds: see the note above `impl Catalog`.
const fn is_part(part: &[u8]) -> bool {
    if part.is_empty() || !part[0].is_ascii_lowercase() {
        return false;
    }
    let mut i = 1;
    while i < part.len() {
        let c = part[i];
        if !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_') {
            return false;
        }
        i += 1;
    }
    true
}

/// Lowercase letters, digits, `_`, `-` and `.`; at most 64 bytes.
#[allow(clippy::indexing_slicing)] // In bounds: see the note above `impl Catalog`.
const fn is_catalog_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    if bytes.is_empty() || bytes.len() > 64 {
        return false;
    }
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_' || c == b'-' || c == b'.') {
            return false;
        }
        i += 1;
    }
    true
}
