//! Random product catalogs for the property tests (DOMAIN rules 18-19).
//!
//! - [`DynPermissions`] (`u128` words), [`DynPermissions64`] (`u64` words)
//!   and [`DynKind`]: flags and kind types whose catalog is whatever the
//!   test [`install`]ed last on this thread (leaked: a few KB per case).
//! - [`catalog_spec`]: a proptest strategy for random valid catalogs: 1-8
//!   sections; 1-12 kinds, each with 1-4 verbs of its own
//!   (`kind_3.verb_2`; now and then none); verbs shared by several kinds; company-wide and
//!   project permissions; the 8 permissions the library needs; random
//!   acyclic implications; bits at random positions below 128 (below 64
//!   for `u64` words, with at most 3 verbs a kind); the permissions in
//!   random matrix order; each kind governed by one of its verbs or by any
//!   permission; random built-in sets (`Only` or `AllExcept`).
//! - [`vocab`]: what the strategies of `tests/model` draw from, for such a
//!   catalog.
//!
//! Include it next to the model: `mod model; mod support_catalogs;`.

#![allow(dead_code)]

use std::cell::Cell;
use std::collections::BTreeSet;
use std::fmt;
use std::sync::Mutex;

use callgate::{
    Catalog, CatalogError, Definition, Holds, Kind, KindDef, PermissionDef, PermissionFlags,
};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::Index;

use super::model::catalog::{
    Applies, Cat, CatalogSpec, HoldsSpec, KindSpec, ModelFlags, Name, PermissionSpec, REQUIRED,
};
use super::model::strategies::Vocab;

// ---------------------------------------------------------------------------
// The installed catalog
// ---------------------------------------------------------------------------

thread_local! {
    /// The model's reading of the catalog installed on this thread.
    static CAT: Cell<Option<&'static Cat>> = const { Cell::new(None) };
    /// The catalog `DynPermissions` speaks on this thread.
    static WIDE: Cell<Option<&'static Catalog<u128>>> = const { Cell::new(None) };
    /// The catalog `DynPermissions64` speaks on this thread (when every bit
    /// of the installed catalog is below 64).
    static NARROW: Cell<Option<&'static Catalog<u64>>> = const { Cell::new(None) };
}

const NOT_INSTALLED: &str = "install a catalog before using DynPermissions";

/// The model's reading of the installed catalog.
fn current_cat() -> &'static Cat {
    CAT.with(Cell::get).expect(NOT_INSTALLED)
}

/// Compiles `spec` with `Catalog::new` (as `Catalog<u128>`, and as
/// `Catalog<u64>` too when every bit is below 64) and makes it the catalog
/// of [`DynPermissions`] (and [`DynPermissions64`]) on this thread, with the
/// model's reading of it.
///
/// # Errors
///
/// What `Catalog::new` refuses.
pub(crate) fn install(spec: &CatalogSpec) -> Result<&'static Catalog<u128>, CatalogError> {
    let definition = definition(spec);
    let wide: &'static Catalog<u128> = Box::leak(Box::new(Catalog::new(definition)?));
    let narrow = if spec.permissions.iter().all(|p| p.bit < 64) {
        Some(&*Box::leak(Box::new(Catalog::<u64>::new(definition)?)))
    } else {
        None
    };
    let cat: &'static Cat = Box::leak(Box::new(Cat::new(spec.clone())));
    CAT.with(|current| current.set(Some(cat)));
    WIDE.with(|current| current.set(Some(wide)));
    NARROW.with(|current| current.set(narrow));
    Ok(wide)
}

/// Writes a set's bits and, when a catalog is installed, the names they
/// stand for.
fn write_set(f: &mut fmt::Formatter<'_>, type_name: &str, bits: u128) -> fmt::Result {
    write!(f, "{type_name}({bits:#x}")?;
    if let Some(cat) = CAT.with(Cell::get) {
        let (names, stray) = cat.names_of(bits);
        let names: Vec<Name> = names.into_iter().collect();
        write!(f, " = {}", names.join(" | "))?;
        if stray {
            f.write_str(" + stray bits")?;
        }
    }
    f.write_str(")")
}

/// The definition of `spec`, its slices leaked.
pub(crate) fn definition(spec: &CatalogSpec) -> Definition {
    let permissions: Vec<PermissionDef> = spec
        .permissions
        .iter()
        .map(|p| {
            let def =
                PermissionDef::new(p.bit, p.name, p.section).implies(p.implies.clone().leak());
            match &p.applies {
                Applies::Company => def,
                Applies::Projects => def.on_projects(),
                Applies::Kinds(kinds) => def.on_kinds(kinds.clone().leak()),
            }
        })
        .collect();
    let kinds: Vec<KindDef> = spec
        .kinds
        .iter()
        .map(|k| KindDef::new(k.name, k.label, k.manage))
        .collect();
    let holds = |holds: &HoldsSpec| match holds {
        HoldsSpec::Only(names) => Holds::Only(names.clone().leak()),
        HoldsSpec::AllExcept {
            sections,
            permissions,
        } => Holds::AllExcept {
            sections: sections.clone().leak(),
            permissions: permissions.clone().leak(),
        },
    };
    Definition::new(spec.name, spec.version)
        .sections(spec.sections.clone().leak())
        .permissions(permissions.leak())
        .kinds(kinds.leak())
        .supervisor(holds(&spec.supervisor))
        .operator(holds(&spec.operator))
}

/// A flags type for random catalogs: `u128` words, read against the
/// catalog [`install`]ed on this thread.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub(crate) struct DynPermissions(pub(crate) u128);

impl fmt::Debug for DynPermissions {
    /// The bits and, when a catalog is installed, the names they stand for.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_set(f, "DynPermissions", self.0)
    }
}

impl PermissionFlags for DynPermissions {
    type Word = u128;
    type Kind = DynKind;

    fn catalog() -> &'static Catalog<u128> {
        WIDE.with(Cell::get).expect(NOT_INSTALLED)
    }

    fn to_word(self) -> u128 {
        self.0
    }

    fn from_word(word: u128) -> Self {
        Self(word)
    }
}

impl ModelFlags for DynPermissions {
    fn raw(self) -> u128 {
        self.0
    }

    fn from_raw(bits: u128) -> Self {
        Self(bits)
    }

    fn model_catalog() -> &'static Cat {
        current_cat()
    }
}

/// [`DynPermissions`] with `u64` words: for catalogs whose bits are all
/// below 64.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub(crate) struct DynPermissions64(pub(crate) u64);

impl fmt::Debug for DynPermissions64 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_set(f, "DynPermissions64", u128::from(self.0))
    }
}

impl PermissionFlags for DynPermissions64 {
    type Word = u64;
    type Kind = DynKind;

    fn catalog() -> &'static Catalog<u64> {
        NARROW
            .with(Cell::get)
            .expect("install a catalog whose bits are all below 64")
    }

    fn to_word(self) -> u64 {
        self.0
    }

    fn from_word(word: u64) -> Self {
        Self(word)
    }
}

impl ModelFlags for DynPermissions64 {
    fn raw(self) -> u128 {
        u128::from(self.0)
    }

    fn from_raw(bits: u128) -> Self {
        let narrow = u64::try_from(bits).expect("a u64 catalog's bits are below 64");
        Self(narrow)
    }

    fn model_catalog() -> &'static Cat {
        current_cat()
    }
}

/// A kind of the installed catalog, by index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct DynKind(pub(crate) u8);

impl Kind for DynKind {
    fn index(self) -> usize {
        usize::from(self.0)
    }

    fn from_index(index: usize) -> Option<Self> {
        let count = current_cat().kind_count();
        (index < count)
            .then(|| u8::try_from(index).ok().map(Self))
            .flatten()
    }
}

// ---------------------------------------------------------------------------
// Random catalogs
// ---------------------------------------------------------------------------

/// A `&'static str` for `text`, leaked once per distinct text.
pub(crate) fn intern(text: String) -> Name {
    static NAMES: Mutex<BTreeSet<&'static str>> = Mutex::new(BTreeSet::new());
    let mut names = NAMES
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(&name) = names.get(text.as_str()) {
        return name;
    }
    let name: &'static str = text.leak();
    names.insert(name);
    name
}

/// How a random built-in set is picked: `Only` some permissions, or
/// `AllExcept` some sections and permissions.
#[derive(Debug, Clone)]
enum HoldsPlan {
    Only(Vec<Index>),
    AllExcept(Vec<Index>, Vec<Index>),
}

/// `AllExcept` `all_except` times in 4 (Supervisor is mostly "all but",
/// Operator mostly "only").
fn holds_plan(all_except: u32) -> impl Strategy<Value = HoldsPlan> {
    prop_oneof![
        4 - all_except => vec(any::<Index>(), 0..8).prop_map(HoldsPlan::Only),
        all_except => (vec(any::<Index>(), 0..3), vec(any::<Index>(), 0..4))
            .prop_map(|(sections, permissions)| HoldsPlan::AllExcept(sections, permissions)),
    ]
}

/// The shape of a random catalog: how many sections; each kind's number of
/// verbs; the kinds each shared verb applies to; each extra permission's
/// scope (0: projects, else the company); each required permission's scope
/// code.
#[derive(Debug, Clone)]
struct Shape {
    sections: usize,
    verbs: Vec<usize>,
    shared: Vec<Vec<Index>>,
    extras: Vec<u8>,
    required: Vec<u8>,
}

impl Shape {
    fn permissions(&self) -> usize {
        REQUIRED.len() + self.verbs.iter().sum::<usize>() + self.shared.len() + self.extras.len()
    }
}

/// Everything else random about a catalog, given its shape.
#[derive(Debug, Clone)]
struct Choices {
    section_of: Vec<Index>,
    /// A random order of the permissions: each implies only permissions
    /// before it, so there is no cycle.
    order: Vec<usize>,
    implies: Vec<Vec<Index>>,
    /// A random permutation of the bits.
    bits: Vec<u32>,
    /// A random matrix order.
    matrix: Vec<usize>,
    /// Per kind: governed by one of its verbs (code < 3) or by any
    /// permission.
    governing: Vec<(u8, Index)>,
    supervisor: HoldsPlan,
    operator: HoldsPlan,
    version: u32,
}

/// A shape with at most `verbs` verbs a kind.
fn shape(verbs: usize) -> impl Strategy<Value = Shape> {
    let required = vec(0..8u8, REQUIRED.len());
    (
        1..=8usize,
        // Now and then a kind no permission applies to.
        vec(prop_oneof![1 => Just(0), 12 => 1..=verbs], 1..=12),
        vec(vec(any::<Index>(), 1..=3), 0..=2),
        vec(0..4u8, 0..=6),
        required,
    )
        .prop_map(|(sections, verbs, shared, extras, required)| Shape {
            sections,
            verbs,
            shared,
            extras,
            required,
        })
}

/// The choices for a shape, with bits below `width`.
fn choices(shape: &Shape, width: u32) -> impl Strategy<Value = Choices> + use<> {
    let n = shape.permissions();
    let implies = prop_oneof![
        3 => Just(Vec::new()),
        2 => vec(any::<Index>(), 1..=1),
        1 => vec(any::<Index>(), 2..=3),
    ];
    (
        vec(any::<Index>(), n),
        Just((0..n).collect::<Vec<_>>()).prop_shuffle(),
        vec(implies, n),
        Just((0..width).collect::<Vec<_>>()).prop_shuffle(),
        Just((0..n).collect::<Vec<_>>()).prop_shuffle(),
        vec((0..4u8, any::<Index>()), shape.verbs.len()),
        (holds_plan(3), holds_plan(1)),
        1..=5u32,
    )
        .prop_map(
            |(
                section_of,
                order,
                implies,
                bits,
                matrix,
                governing,
                (supervisor, operator),
                version,
            )| {
                Choices {
                    section_of,
                    order,
                    implies,
                    bits,
                    matrix,
                    governing,
                    supervisor,
                    operator,
                    version,
                }
            },
        )
}

/// A random valid catalog (see the module's documentation).
pub(crate) fn catalog_spec() -> impl Strategy<Value = CatalogSpec> {
    catalog_spec_in(128)
}

/// A random valid catalog whose bits are below `width` (64 or 128); a
/// 64-bit one has at most 3 verbs a kind, so that some bit is free.
pub(crate) fn catalog_spec_in(width: u32) -> impl Strategy<Value = CatalogSpec> {
    let verbs = if width > 64 { 4 } else { 3 };
    shape(verbs)
        .prop_flat_map(move |shape| (choices(&shape, width), Just(shape)))
        .prop_map(|(choices, shape)| build(&shape, &choices))
}

/// Builds the catalog a shape and choices describe.
fn build(shape: &Shape, choices: &Choices) -> CatalogSpec {
    let sections: Vec<Name> = (0..shape.sections)
        .map(|s| intern(format!("Section {s}")))
        .collect();
    let kinds: Vec<Name> = (0..shape.verbs.len())
        .map(|k| intern(format!("kind_{k}")))
        .collect();
    // Names and scopes, in a canonical order: the required ones, each
    // kind's verbs, the shared verbs, the extras.
    let mut names: Vec<(Name, Applies)> = Vec::new();
    for (&name, &code) in REQUIRED.iter().zip(&shape.required) {
        let projects = if name.starts_with("projects.") && name != "projects.all" {
            code < 6
        } else {
            code == 0
        };
        let applies = if projects {
            Applies::Projects
        } else {
            Applies::Company
        };
        names.push((name, applies));
    }
    let mut verbs_of: Vec<Vec<usize>> = Vec::new();
    for (k, &verbs) in shape.verbs.iter().enumerate() {
        let mut own = Vec::new();
        for v in 0..verbs {
            own.push(names.len());
            let name = intern(format!("kind_{k}.verb_{v}"));
            names.push((name, Applies::Kinds(vec![kinds[k]])));
        }
        verbs_of.push(own);
    }
    for (j, picks) in shape.shared.iter().enumerate() {
        let mut on: Vec<Name> = picks.iter().map(|i| kinds[i.index(kinds.len())]).collect();
        on.sort_unstable();
        on.dedup();
        names.push((intern(format!("shared.verb_{j}")), Applies::Kinds(on)));
    }
    for (j, &code) in shape.extras.iter().enumerate() {
        let applies = if code == 0 {
            Applies::Projects
        } else {
            Applies::Company
        };
        names.push((intern(format!("extra.perm_{j}")), applies));
    }
    let n = names.len();
    // Implications: each permission implies only some that come before it
    // in a random order.
    let mut position = vec![0; n];
    for (pos, &i) in choices.order.iter().enumerate() {
        position[i] = pos;
    }
    let implies: Vec<Vec<Name>> = (0..n)
        .map(|i| {
            let mut targets: Vec<Name> = if position[i] == 0 {
                Vec::new()
            } else {
                choices.implies[i]
                    .iter()
                    .map(|pick| names[choices.order[pick.index(position[i])]].0)
                    .collect()
            };
            targets.sort_unstable();
            targets.dedup();
            targets
        })
        .collect();
    let permissions: Vec<PermissionSpec> = choices
        .matrix
        .iter()
        .map(|&i| PermissionSpec {
            name: names[i].0,
            bit: choices.bits[i],
            section: sections[choices.section_of[i].index(sections.len())],
            applies: names[i].1.clone(),
            implies: implies[i].clone(),
        })
        .collect();
    let kind_specs: Vec<KindSpec> = kinds
        .iter()
        .enumerate()
        .map(|(k, &name)| {
            let (code, pick) = choices.governing[k];
            let manage = if code < 3 && !verbs_of[k].is_empty() {
                names[verbs_of[k][pick.index(verbs_of[k].len())]].0
            } else {
                names[pick.index(n)].0
            };
            KindSpec {
                name,
                label: intern(format!("kind {k}")),
                manage,
            }
        })
        .collect();
    let mut spec = CatalogSpec {
        name: "random",
        version: choices.version,
        sections: sections.clone(),
        permissions,
        kinds: kind_specs,
        supervisor: HoldsSpec::Only(Vec::new()),
        operator: HoldsSpec::Only(Vec::new()),
    };
    // `Only` may not give "all projects", even through an implication.
    let cat = Cat::new(spec.clone());
    let holds = |plan: &HoldsPlan| match plan {
        HoldsPlan::Only(picks) => HoldsSpec::Only(
            picks
                .iter()
                .map(|pick| names[pick.index(n)].0)
                .filter(|&name| !cat.closure(name).contains("projects.all"))
                .collect(),
        ),
        HoldsPlan::AllExcept(left_sections, left_permissions) => HoldsSpec::AllExcept {
            sections: left_sections
                .iter()
                .map(|pick| sections[pick.index(sections.len())])
                .collect(),
            permissions: left_permissions
                .iter()
                .map(|pick| names[pick.index(n)].0)
                .collect(),
        },
    };
    spec.supervisor = holds(&choices.supervisor);
    spec.operator = holds(&choices.operator);
    spec
}

// ---------------------------------------------------------------------------
// What the strategies draw from
// ---------------------------------------------------------------------------

/// The vocabulary of a random catalog for the strategies of `tests/model`:
/// its first two kinds' permissions and the project permissions as the
/// focus, every permission (its bit alone and with what it implies), odd
/// sets (a bit of no permission), the built-in sets, each kind's governing
/// permission, and what the built-in roles lack as the rare permissions.
pub(crate) fn vocab<F: ModelFlags<Kind = DynKind>>(cat: &Cat) -> Vocab<F> {
    let closed = |name: &str| cat.bits_of(cat.closure(name));
    let single = |name: &str| 1u128 << cat.bit(name);
    let kinds: Vec<DynKind> = (0..cat.kind_count())
        .map(|k| DynKind(u8::try_from(k).expect("at most 32 kinds")))
        .collect();
    let (kind_a, kind_b) = (kinds[0], kinds[1.min(kinds.len() - 1)]);
    let company = cat
        .spec
        .permissions
        .iter()
        .find(|p| p.applies == Applies::Company && !REQUIRED.contains(&p.name))
        .map_or("users.manage", |p| p.name);
    let mut focus: Vec<u128> = Vec::new();
    for kind in [kind_a, kind_b] {
        for &name in cat.kind_actions(kind.index()) {
            focus.push(closed(name));
            focus.push(single(name));
        }
    }
    focus.extend(
        ["projects.view", "projects.manage", company]
            .into_iter()
            .map(closed),
    );
    dedup(&mut focus);
    let every = cat.every_name();
    let mut entries: Vec<u128> = every.iter().map(|n| closed(n)).collect();
    entries.extend(every.iter().map(|n| single(n)));
    dedup(&mut entries);
    let all = cat.bits_of(every);
    let width = <F::Word as callgate::Word>::BITS;
    let stray = (0..width).map(|b| 1u128 << b).find(|b| all & b == 0);
    let stray = stray.expect("a bit of no permission");
    let builtin = |role| cat.bits_of(&cat.builtin(role));
    let supervisor = builtin(callgate::BuiltinRole::Supervisor);
    let operator = builtin(callgate::BuiltinRole::Operator);
    let objects = (0..cat.kind_count()).fold(0, |bits, k| bits | cat.bits_of(cat.kind_actions(k)));
    let pair = focus[0] | closed("projects.view");
    let lacking = |set: u128| {
        every
            .iter()
            .filter(move |n| set & single(n) == 0)
            .map(|n| closed(n))
    };
    let mut rare: Vec<u128> = ["security.manage", "projects.all", "roles.test"]
        .into_iter()
        .map(closed)
        .collect();
    rare.extend(lacking(supervisor).take(3));
    rare.extend(lacking(operator).take(2));
    dedup(&mut rare);
    let projects_all = closed("projects.all");
    let mut grid: Vec<u128> = focus.iter().copied().take(7).collect();
    grid.push(projects_all);
    let mut holder_sets: Vec<u128> = focus.iter().copied().take(6).collect();
    holder_sets.extend([
        projects_all,
        closed("security.manage"),
        0,
        pair,
        operator,
        all,
    ]);
    let flags = |sets: Vec<u128>| sets.into_iter().map(F::from_raw).collect::<Vec<F>>();
    Vocab {
        kind_a,
        kind_b,
        kinds,
        focus: flags(focus.clone()),
        projects_all: F::from_raw(projects_all),
        entries: flags(entries),
        odd: flags(vec![
            stray,
            stray | focus[0],
            stray | closed("projects.view"),
        ]),
        raw_mask: all | stray,
        presets: flags(vec![0, all, supervisor, operator, objects]),
        pair: F::from_raw(pair),
        governing: flags(
            (0..cat.kind_count())
                .map(|k| closed(cat.governing(k)))
                .collect(),
        ),
        rare: flags(rare),
        generous: flags(vec![all, supervisor]),
        grid: flags(grid),
        holder_sets: flags(holder_sets),
    }
}

/// Keeps the first of equal sets.
fn dedup(sets: &mut Vec<u128>) {
    let mut seen = BTreeSet::new();
    sets.retain(|&s| seen.insert(s));
}
