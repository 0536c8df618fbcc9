//! The product's own permission catalog (DOMAIN rules 18-19).
//!
//! A product that embeds callgate declares, once, its sections, its
//! permissions (each with a stable lowercase name, a section, what it applies
//! to and what it implies), its kinds of scoped object and what the built-in
//! Supervisor and Operator roles hold. [`catalog!`](crate::catalog!) does it
//! in one declaration, one line per permission, and generates the rest:
//!
//! 1. a flags type, a [`bitflags`](https://docs.rs/bitflags) type with one
//!    bit per permission;
//! 2. a kind enum implementing [`Kind`];
//! 3. the [`Definition`], compiled into a [`Catalog`] in a `static` (so the
//!    compiler checks it), and the [`PermissionFlags`] trait tying the three
//!    together.
//!
//! The pieces can also be written by hand (the example on
//! [`PermissionFlags`] does), for instance to build a catalog at run time.
//!
//! The manual's call center is the standard catalog: [`Permissions`](crate::Permissions) and
//! [`ObjectKind`](crate::ObjectKind) implement these traits, and every company made by
//! [`Company::new`](crate::Company::new) uses them. A product's company is a
//! `Company<MyPermissions>`; everything that shows or stores permissions
//! (text, stored documents, the matrix, explanations, errors) then speaks the
//! product's names. See `examples/own_catalog.rs` for a whole product.

use std::fmt;
use std::hash::Hash;
use std::ops::{BitAnd, BitOr, Not};

mod compiled;
mod declare;
mod definition;
mod error;
#[cfg(feature = "serde")]
pub(crate) mod serde_names;
mod standard;

pub(crate) use self::compiled::KIND_SLOTS;
pub use self::compiled::{Catalog, MAX_KINDS, MAX_PERMISSIONS};
pub use self::definition::{
    AppliesTo, Definition, Holds, KindDef, LibraryPermission, PermissionDef,
};
pub use self::error::CatalogError;
pub use self::standard::STANDARD;

use crate::Error;

mod sealed {
    /// Only `u64` and `u128` are words.
    #[allow(unreachable_pub)] // Sealed on purpose: nameable inside the crate only.
    pub trait Sealed {}
    impl Sealed for u64 {}
    impl Sealed for u128 {}
}

/// The integer a flags type keeps its bits in: `u64` (up to 64 permissions,
/// the most compact tables) or `u128` (up to 128).
///
/// Sealed: implemented for `u64` and `u128` only.
pub trait Word:
    sealed::Sealed
    + Copy
    + Eq
    + Default
    + Hash
    + fmt::Debug
    + Send
    + Sync
    + BitAnd<Output = Self>
    + BitOr<Output = Self>
    + Not<Output = Self>
    + 'static
{
    /// The number of bits.
    const BITS: u32;
    /// The low bits of `bits` (every catalog bit is below [`Self::BITS`]).
    fn from_u128(bits: u128) -> Self;
    /// The bits, widened.
    fn to_u128(self) -> u128;
}

impl Word for u64 {
    const BITS: u32 = 64;
    #[inline(always)]
    fn from_u128(bits: u128) -> Self {
        // Lossless for catalog bits: a `Catalog<u64>` has none at 64 or above.
        bits as u64
    }
    #[inline(always)]
    fn to_u128(self) -> u128 {
        u128::from(self)
    }
}

impl Word for u128 {
    const BITS: u32 = 128;
    #[inline(always)]
    fn from_u128(bits: u128) -> Self {
        bits
    }
    #[inline(always)]
    fn to_u128(self) -> u128 {
        self
    }
}

/// A product's kind of scoped object: usually a field-less enum whose
/// variants are the catalog's kinds, in the same order.
///
/// # Example
///
/// ```
/// use callgate::Kind;
///
/// #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
/// enum MyKind { Queue, ChatChannel }
///
/// impl Kind for MyKind {
///     fn index(self) -> usize { self as usize }
///     fn from_index(index: usize) -> Option<Self> {
///         [Self::Queue, Self::ChatChannel].get(index).copied()
///     }
/// }
/// assert_eq!(MyKind::from_index(1), Some(MyKind::ChatChannel));
/// ```
pub trait Kind: Copy + Eq + Ord + Hash + fmt::Debug + Send + Sync + 'static {
    /// The kind's position among the catalog's kinds
    /// ([`Definition::kinds`]).
    fn index(self) -> usize;
    /// The kind at this position, or `None` past the last.
    fn from_index(index: usize) -> Option<Self>;
}

/// A product's permission flags type: what `check` takes and roles hold.
///
/// Implement it on the flags type (usually a [`bitflags`](https://docs.rs/bitflags)
/// type) of a product's catalog; [`Permissions`](crate::Permissions) is the
/// standard catalog's.
/// The check compiles to the same code for every implementation: the
/// catalog's masks are compiled into each company's snapshot, and flags
/// are plain words.
///
/// # Example
///
/// ```
/// use callgate::{Catalog, Definition, Holds, Kind, KindDef, PermissionDef, PermissionFlags};
///
/// bitflags::bitflags! {
///     #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
///     pub struct Mine: u64 {
///         const USERS_MANAGE = 1 << 0;
///         const GROUPS_MANAGE = 1 << 1;
///         const ROLES_MANAGE = 1 << 2;
///         const ROLES_TEST = 1 << 3;
///         const PROJECTS_VIEW = 1 << 4;
///         const PROJECTS_MANAGE = 1 << 5;
///         const PROJECTS_ALL = 1 << 6;
///         const SECURITY_MANAGE = 1 << 7;
///         const QUEUES_VIEW = 1 << 8;
///         const QUEUES_PAUSE = 1 << 9;
///     }
/// }
///
/// #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
/// pub enum MyKind { Queue }
///
/// impl Kind for MyKind {
///     fn index(self) -> usize { self as usize }
///     fn from_index(index: usize) -> Option<Self> { (index == 0).then_some(Self::Queue) }
/// }
///
/// static CATALOG: Catalog<u64> = match Catalog::new(
///     Definition::new("mine", 1)
///         .sections(&["Administration", "Queues"])
///         .permissions(&[
///             PermissionDef::new(0, "users.manage", "Administration"),
///             PermissionDef::new(1, "groups.manage", "Administration"),
///             PermissionDef::new(2, "roles.manage", "Administration"),
///             PermissionDef::new(3, "roles.test", "Administration"),
///             PermissionDef::new(4, "projects.view", "Administration").on_projects(),
///             PermissionDef::new(5, "projects.manage", "Administration").on_projects().implies(&["projects.view"]),
///             PermissionDef::new(6, "projects.all", "Administration"),
///             PermissionDef::new(7, "security.manage", "Administration"),
///             PermissionDef::new(8, "queues.view", "Queues").on_kinds(&["queue"]),
///             PermissionDef::new(9, "queues.pause", "Queues").on_kinds(&["queue"]).implies(&["queues.view"]),
///         ])
///         .kinds(&[KindDef::new("queue", "queue", "projects.manage")])
///         .supervisor(Holds::AllExcept { sections: &[], permissions: &["security.manage"] })
///         .operator(Holds::Only(&["queues.pause"])),
/// ) {
///     Ok(catalog) => catalog,
///     Err(error) => error.fail(),
/// };
///
/// impl PermissionFlags for Mine {
///     type Word = u64;
///     type Kind = MyKind;
///     fn catalog() -> &'static Catalog<u64> { &CATALOG }
///     fn to_word(self) -> u64 { self.bits() }
///     fn from_word(word: u64) -> Self { Self::from_bits_retain(word) }
/// }
///
/// let mut company = callgate::Company::<Mine>::with_catalog();
/// let ann = company.create_user("ann")?; // Admin: everything
/// let queue = company.create_object(MyKind::Queue, "Sales")?;
/// assert!(company.check(ann, Mine::QUEUES_PAUSE, callgate::Resource::Object(queue)).is_allowed());
/// assert_eq!(callgate::names(Mine::QUEUES_PAUSE | Mine::QUEUES_VIEW).to_string(), "queues.pause");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait PermissionFlags: Copy + Eq + Hash + fmt::Debug + Default + Send + Sync + 'static {
    /// The integer the flags are kept in.
    type Word: Word;
    /// The catalog's kinds of scoped object.
    type Kind: Kind;
    /// The product's compiled catalog.
    fn catalog() -> &'static Catalog<Self::Word>;
    /// The flags as a word (bit `b` set for each permission whose bit is `b`).
    fn to_word(self) -> Self::Word;
    /// Flags from a word, keeping every bit.
    fn from_word(word: Self::Word) -> Self;

    /// The flags of one permission of the catalog: its own bit and what it
    /// implies, as its stable name reads. This is how a product goes from an
    /// entry of [`Catalog::permissions`] (for the standard catalog,
    /// `STANDARD.permissions()`) to the flags `check` takes.
    ///
    /// A `PermissionDef` from another catalog gives the flags of the entry
    /// with the same bit in this one; look entries up by name across
    /// catalogs.
    ///
    /// # Example
    ///
    /// ```
    /// use callgate::{PermissionFlags, Permissions, STANDARD};
    ///
    /// let manage = STANDARD.permission("queues.manage").expect("standard");
    /// assert_eq!(Permissions::from_permission(manage), Permissions::QUEUES_MANAGE);
    /// let every: Permissions = STANDARD.permissions().iter().map(Permissions::from_permission).collect();
    /// assert_eq!(every, Permissions::all());
    /// ```
    #[must_use]
    fn from_permission(permission: &PermissionDef) -> Self {
        let own = 1u128.checked_shl(permission.bit()).unwrap_or(0);
        Self::from_word(Self::Word::from_u128(Self::catalog().close(own)))
    }
}

/// Crate-internal set arithmetic on any flags type, through its catalog.
pub(crate) trait Set: PermissionFlags {
    #[inline(always)]
    fn bits128(self) -> u128 {
        self.to_word().to_u128()
    }
    #[inline(always)]
    fn of(bits: u128) -> Self {
        Self::from_word(Self::Word::from_u128(bits))
    }
    fn none() -> Self {
        Self::of(0)
    }
    fn has(self, other: Self) -> bool {
        other.bits128() & !self.bits128() == 0
    }
    fn or(self, other: Self) -> Self {
        Self::of(self.bits128() | other.bits128())
    }
    fn minus(self, other: Self) -> Self {
        Self::of(self.bits128() & !other.bits128())
    }
    fn and(self, other: Self) -> Self {
        Self::of(self.bits128() & other.bits128())
    }
    fn empty_set(self) -> bool {
        self.bits128() == 0
    }
    /// With everything implied added, unknown bits dropped.
    fn close(self) -> Self {
        Self::of(Self::catalog().close(self.bits128()))
    }
    /// Without `other`'s minimal entries and whatever implies them.
    fn take_away(self, other: Self) -> Self {
        Self::of(Self::catalog().without(self.bits128(), other.bits128()))
    }
    /// The one permission `self` is, if it is one.
    fn single(self) -> Option<&'static PermissionDef> {
        Self::catalog().single(self.bits128())
    }
    fn names(self) -> Names<Self> {
        Names(self)
    }
}

impl<P: PermissionFlags> Set for P {}

/// Catalog look-ups used by the rest of the crate and by products.
impl<W: Word> Catalog<W> {
    /// The catalog's name, as stored documents give it.
    #[must_use]
    pub const fn name(&self) -> &'static str {
        self.definition.name
    }

    /// The catalog's version.
    #[must_use]
    pub const fn version(&self) -> u32 {
        self.definition.version
    }

    /// The definition the catalog was compiled from.
    #[must_use]
    pub const fn definition(&self) -> &Definition {
        &self.definition
    }

    /// The sections, in matrix order.
    #[must_use]
    pub const fn sections(&self) -> &'static [&'static str] {
        self.definition.sections
    }

    /// Every permission, in matrix order.
    #[must_use]
    pub const fn permissions(&self) -> &'static [PermissionDef] {
        self.definition.permissions
    }

    /// The kinds of scoped object, by index.
    #[must_use]
    pub const fn kinds(&self) -> &'static [KindDef] {
        self.definition.kinds
    }

    /// The permission with this stable name.
    ///
    /// Computes in **O(permissions)**.
    #[must_use]
    pub fn permission(&self, name: &str) -> Option<&'static PermissionDef> {
        self.definition.permissions.iter().find(|p| p.name == name)
    }

    /// The index of the kind with this stable name.
    #[must_use]
    pub fn kind_index(&self, name: &str) -> Option<usize> {
        // `==` on `str` tests the lengths, then compares the bytes at once.
        self.definition.kinds.iter().position(|k| k.name == name)
    }

    /// The permissions of one section, in matrix order.
    pub fn section_permissions<'a>(
        &'a self,
        section: &'a str,
    ) -> impl Iterator<Item = &'static PermissionDef> + 'a {
        self.definition
            .permissions
            .iter()
            .filter(move |p| p.section == section)
    }

    /// The permission whose bit is `bit`.
    pub(crate) fn at_bit(&self, bit: u32) -> Option<&'static PermissionDef> {
        let index = usize::from(*self.by_bit.get(bit as usize)?);
        self.definition.permissions.get(index.checked_sub(1)?)
    }

    /// `bits` with everything implied added, bits of no permission dropped.
    pub(crate) fn close(&self, bits: u128) -> u128 {
        let mut rest = bits & self.all;
        let mut closed = rest;
        while rest != 0 {
            let b = rest.trailing_zeros();
            rest &= rest - 1;
            closed |= self.closure.get(b as usize).copied().unwrap_or(0);
        }
        closed
    }

    /// `bits` without the minimal entries of `removed`, and without every
    /// permission that implies one of them: removing `queues.view` removes
    /// `queues.manage`; removing `queues.manage` keeps `queues.view`.
    pub(crate) fn without(&self, bits: u128, removed: u128) -> u128 {
        self.minimal(removed).fold(bits, |bits, p| {
            bits & !self.implied_by.get(p.bit as usize).copied().unwrap_or(0)
        })
    }

    /// The permissions whose bit is set in `bits`, in matrix order.
    pub(crate) fn entries(&self, bits: u128) -> impl Iterator<Item = &'static PermissionDef> + '_ {
        self.definition
            .permissions
            .iter()
            .filter(move |p| bits & (1 << p.bit) != 0)
    }

    /// The fewest permissions that name `bits`: those set and not implied
    /// by another one set.
    pub(crate) fn minimal(&self, bits: u128) -> impl Iterator<Item = &'static PermissionDef> + '_ {
        let implied = self.entries(bits).fold(0, |implied, p| {
            implied | (self.closure.get(p.bit as usize).copied().unwrap_or(0) & !(1 << p.bit))
        });
        self.entries(bits)
            .filter(move |p| implied & (1 << p.bit) == 0)
    }

    /// The one permission `bits` stands for: its bit alone, or its bit with
    /// everything it implies.
    pub(crate) fn single(&self, bits: u128) -> Option<&'static PermissionDef> {
        let mut rest = bits & self.all;
        if rest != bits {
            return None;
        }
        while rest != 0 {
            let b = rest.trailing_zeros();
            rest &= rest - 1;
            let closure = self.closure.get(b as usize).copied().unwrap_or(0);
            if bits == 1 << b || bits == closure {
                return self.at_bit(b);
            }
        }
        None
    }

    /// The bit of the permission named `name`, closed.
    pub(crate) fn closed_named(&self, name: &str) -> Option<u128> {
        self.permission(name)
            .and_then(|p| self.closure.get(p.bit as usize).copied())
    }

    /// Every permission's bit.
    pub(crate) const fn all_bits(&self) -> u128 {
        self.all
    }

    /// The permissions of kind `index` (by kind index; none for an index
    /// past the catalog's kinds).
    #[inline(always)]
    pub(crate) fn kind_mask(&self, index: usize) -> u128 {
        self.kind_masks.get(index).copied().unwrap_or(0)
    }

    /// The governing permission of kind `index`, closed.
    pub(crate) fn kind_manage(&self, index: usize) -> u128 {
        self.kind_manage.get(index).copied().unwrap_or(0)
    }
}

/// Writes a set of permissions by their stable names, as `Display` does for
/// [`Permissions`](crate::Permissions): the fewest names that say it (`queues.manage` without
/// the `queues.view` it implies), in matrix order, joined by ` | `; `none`
/// for the empty set. Made by [`names`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Names<P>(pub P);

/// The stable names of a set of permissions, for `Display`: what a product's
/// flags type can use for its own `Display`.
///
/// # Example
///
/// ```
/// use callgate::{names, Permissions};
///
/// let set = Permissions::QUEUES_MANAGE | Permissions::QUEUES_VIEW | Permissions::LISTS_VIEW;
/// assert_eq!(names(set).to_string(), "queues.manage | lists.view");
/// ```
pub fn names<P: PermissionFlags>(permissions: P) -> Names<P> {
    Names(permissions)
}

impl<P: PermissionFlags> fmt::Display for Names<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for p in P::catalog().minimal(self.0.bits128()) {
            if !first {
                f.write_str(" | ")?;
            }
            f.write_str(p.name)?;
            first = false;
        }
        if first {
            f.write_str("none")?;
        }
        Ok(())
    }
}

/// Parses what [`names`] writes: stable names separated by `|` or `,`, with
/// any white space; `none` or an empty string is the empty set. The result
/// has everything its permissions imply.
///
/// # Errors
///
/// [`Error::UnknownPermission`] naming the first name the catalog lacks.
///
/// # Example
///
/// ```
/// use callgate::{parse_permissions, Permissions};
///
/// let set: Permissions = parse_permissions("queues.manage, lists.view")?;
/// assert!(set.contains(Permissions::QUEUES_VIEW));
/// assert!(parse_permissions::<Permissions>("queue.fly").is_err());
/// # Ok::<(), callgate::Error>(())
/// ```
pub fn parse_permissions<P: PermissionFlags>(text: &str) -> Result<P, Error> {
    let text = text.trim();
    if text.is_empty() || text == "none" {
        return Ok(P::none());
    }
    let catalog = P::catalog();
    text.split(['|', ','])
        .map(str::trim)
        .try_fold(0u128, |set, name| {
            catalog
                .closed_named(name)
                .map(|bits| set | bits)
                .ok_or_else(|| Error::unknown_permission(name))
        })
        .map(P::of)
}

/// The stable name of a kind in its catalog (`chat_channel`), as stored
/// documents and the `FromStr` of a product's kind type use it.
///
/// # Example
///
/// ```
/// use callgate::{kind_label, kind_name, ObjectKind, Permissions};
///
/// assert_eq!(kind_name::<Permissions>(ObjectKind::SipProvider), "sip_provider");
/// assert_eq!(kind_label::<Permissions>(ObjectKind::SipProvider), "SIP provider");
/// ```
pub fn kind_name<P: PermissionFlags>(kind: P::Kind) -> &'static str {
    P::catalog()
        .kinds()
        .get(kind.index())
        .map_or("object", |k| k.name)
}

/// The name of a kind for people, in its catalog (`chat channel`), as
/// explanations and error messages use it.
pub fn kind_label<P: PermissionFlags>(kind: P::Kind) -> &'static str {
    P::catalog()
        .kinds()
        .get(kind.index())
        .map_or("object", |k| k.label)
}

/// The kind with this stable name.
pub(crate) fn kind_named<P: PermissionFlags>(name: &str) -> Option<P::Kind> {
    P::catalog()
        .kind_index(name)
        .and_then(<P::Kind as Kind>::from_index)
}

/// Parses a kind of `P`'s catalog by its stable name.
///
/// # Errors
///
/// [`Error::UnknownObjectKind`] when the catalog has no kind by that name.
pub fn parse_kind<P: PermissionFlags>(name: &str) -> Result<P::Kind, Error> {
    kind_named::<P>(name).ok_or_else(|| Error::UnknownObjectKind {
        name: name.to_owned(),
    })
}
