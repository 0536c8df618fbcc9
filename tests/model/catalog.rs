//! The catalog as the model reads it: plain data by name ([`CatalogSpec`]),
//! and what the model works out from it by itself ([`Cat`]): closures, what
//! applies to projects and to each kind, the built-in roles' sets.
//!
//! A spec comes from the standard catalog ([`CatalogSpec::standard`]: the
//! definition's names, sections, implications and kinds read through the
//! public accessors, and the built-in roles as DOMAIN.md words them) or from
//! a random definition (`tests/support_catalogs`). Nothing here reads the
//! engine's compiled masks.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use callgate::{AppliesTo, BuiltinRole, PermissionFlags, Permissions, STANDARD};

/// A catalog name, such as `"queues.view"`.
pub(crate) type Name = &'static str;

/// A set of permissions, by name.
pub(crate) type Names = BTreeSet<Name>;

/// The names the library itself needs in every catalog.
pub(crate) const REQUIRED: [Name; 8] = [
    "users.manage",
    "groups.manage",
    "roles.manage",
    "roles.test",
    "projects.view",
    "projects.manage",
    "projects.all",
    "security.manage",
];

/// What a permission applies to besides the company.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Applies {
    Company,
    Projects,
    /// Objects of these kinds, by kind name.
    Kinds(Vec<Name>),
}

/// One permission, as declared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PermissionSpec {
    pub(crate) name: Name,
    pub(crate) bit: u32,
    pub(crate) section: Name,
    pub(crate) applies: Applies,
    /// What it implies directly, by name.
    pub(crate) implies: Vec<Name>,
}

/// One kind of scoped object, as declared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KindSpec {
    pub(crate) name: Name,
    pub(crate) label: Name,
    /// The permission that governs creating, renaming and deleting objects
    /// of the kind.
    pub(crate) manage: Name,
}

/// What a built-in role holds, as declared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum HoldsSpec {
    /// These permissions, with what they imply.
    Only(Vec<Name>),
    /// Everything but these sections' permissions and these permissions
    /// (and whatever implies one of them), and never `projects.all`.
    AllExcept {
        sections: Vec<Name>,
        permissions: Vec<Name>,
    },
}

/// A whole catalog, as a product declares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CatalogSpec {
    pub(crate) name: Name,
    pub(crate) version: u32,
    pub(crate) sections: Vec<Name>,
    /// In matrix order.
    pub(crate) permissions: Vec<PermissionSpec>,
    /// By kind index.
    pub(crate) kinds: Vec<KindSpec>,
    pub(crate) supervisor: HoldsSpec,
    pub(crate) operator: HoldsSpec,
}

impl CatalogSpec {
    /// The standard catalog: names, bits, sections, what each permission
    /// applies to and implies, and the kinds, read from the definition;
    /// the built-in roles as DOMAIN.md words them (rule 2).
    pub(crate) fn standard() -> Self {
        let permissions = STANDARD
            .permissions()
            .iter()
            .map(|p| PermissionSpec {
                name: p.name(),
                bit: p.bit(),
                section: p.section(),
                applies: match p.applies_to() {
                    AppliesTo::Company => Applies::Company,
                    AppliesTo::Projects => Applies::Projects,
                    AppliesTo::Kinds(kinds) => Applies::Kinds(kinds.to_vec()),
                },
                implies: p.implied_names().to_vec(),
            })
            .collect::<Vec<_>>();
        let kinds = STANDARD
            .kinds()
            .iter()
            .map(|k| KindSpec {
                name: k.name(),
                label: k.label(),
                manage: k.manage_permission_name(),
            })
            .collect();
        // DOMAIN 2: Supervisor is Admin without finance, KPI and security
        // settings; Operator creates support tickets, views the call and chat
        // journals, listens to all users' calls and has every widget of the
        // operator workplace.
        let workplace = permissions
            .iter()
            .filter(|p| p.section == "Operator workplace")
            .map(|p| p.name);
        let operator = [
            "tickets.create",
            "call_journal.view",
            "chat_journal.view",
            "recordings.listen_all",
        ]
        .into_iter()
        .chain(workplace)
        .collect();
        Self {
            name: STANDARD.name(),
            version: STANDARD.version(),
            sections: STANDARD.sections().to_vec(),
            permissions,
            kinds,
            supervisor: HoldsSpec::AllExcept {
                sections: vec!["Finance", "KPI", "Security settings"],
                permissions: Vec::new(),
            },
            operator: HoldsSpec::Only(operator),
        }
    }
}

/// A flags type the model can read: its raw bits, by the model's own means
/// (not through the engine's word conversion), and its catalog as the
/// model sees it.
pub(crate) trait ModelFlags: PermissionFlags {
    /// Every bit of the value.
    fn raw(self) -> u128;
    /// The value with exactly these bits.
    fn from_raw(bits: u128) -> Self;
    /// The catalog, as the model works it out.
    fn model_catalog() -> &'static Cat;
}

impl ModelFlags for Permissions {
    fn raw(self) -> u128 {
        self.bits()
    }

    fn from_raw(bits: u128) -> Self {
        Self::from_bits_retain(bits)
    }

    fn model_catalog() -> &'static Cat {
        static STANDARD_MODEL: OnceLock<Cat> = OnceLock::new();
        STANDARD_MODEL.get_or_init(|| Cat::new(CatalogSpec::standard()))
    }
}

/// A catalog as the model works it out from a [`CatalogSpec`].
#[derive(Debug, Clone)]
pub(crate) struct Cat {
    pub(crate) spec: CatalogSpec,
    /// Each permission with everything it implies, itself included.
    closure: BTreeMap<Name, Names>,
    /// Each permission with everything that implies it, itself included.
    implying: BTreeMap<Name, Names>,
    /// The permission at each bit.
    by_bit: Vec<Option<Name>>,
    bit_of: BTreeMap<Name, u32>,
    all: Names,
    kind_actions: Vec<Names>,
    project_actions: Names,
    supervisor: Names,
    operator: Names,
}

impl Cat {
    /// Works out everything from the spec. Panics on a spec no catalog may
    /// have (a cycle, an unknown name): the generators make none.
    pub(crate) fn new(spec: CatalogSpec) -> Self {
        // DOMAIN 18: the product declares its sections, permissions (what
        // each applies to and implies), kinds and built-in sets; the model
        // works out the rest from that alone.
        let direct: BTreeMap<Name, &[Name]> = spec
            .permissions
            .iter()
            .map(|p| (p.name, p.implies.as_slice()))
            .collect();
        let mut closure = BTreeMap::new();
        for p in &spec.permissions {
            let mut seen = Names::new();
            let mut stack = vec![p.name];
            while let Some(n) = stack.pop() {
                if seen.insert(n) {
                    let next = direct
                        .get(n)
                        .unwrap_or_else(|| panic!("`{n}` is implied but not declared"));
                    stack.extend(next.iter().copied());
                }
            }
            assert!(!p.implies.contains(&p.name), "`{}` implies itself", p.name);
            closure.insert(p.name, seen);
        }
        // A cycle of any length shows as a permission in the closure of one
        // it implies strictly.
        for (&n, c) in &closure {
            for &m in c.iter().filter(|&&m| m != n) {
                assert!(!closure[m].contains(n), "implication cycle: `{n}`, `{m}`");
            }
        }
        let mut implying: BTreeMap<Name, Names> = BTreeMap::new();
        for (&n, c) in &closure {
            for &m in c {
                implying.entry(m).or_default().insert(n);
            }
        }
        let all: Names = spec.permissions.iter().map(|p| p.name).collect();
        let mut by_bit = vec![None; 128];
        for p in &spec.permissions {
            let slot = by_bit
                .get_mut(p.bit as usize)
                .unwrap_or_else(|| panic!("`{}` is at bit {}, past 127", p.name, p.bit));
            assert!(slot.is_none(), "two permissions at bit {}", p.bit);
            *slot = Some(p.name);
        }
        let bit_of = spec.permissions.iter().map(|p| (p.name, p.bit)).collect();
        let kind_actions = spec
            .kinds
            .iter()
            .map(|k| {
                spec.permissions
                    .iter()
                    .filter(|p| matches!(&p.applies, Applies::Kinds(ks) if ks.contains(&k.name)))
                    .map(|p| p.name)
                    .collect()
            })
            .collect();
        let project_actions = spec
            .permissions
            .iter()
            .filter(|p| p.applies == Applies::Projects)
            .map(|p| p.name)
            .collect();
        let mut cat = Self {
            spec,
            closure,
            implying,
            by_bit,
            bit_of,
            all,
            kind_actions,
            project_actions,
            supervisor: Names::new(),
            operator: Names::new(),
        };
        cat.supervisor = cat.holds(&cat.spec.supervisor);
        cat.operator = cat.holds(&cat.spec.operator);
        cat
    }

    /// What a built-in role's declared set gives.
    fn holds(&self, holds: &HoldsSpec) -> Names {
        match holds {
            HoldsSpec::Only(names) => names
                .iter()
                .flat_map(|&n| self.closure(n).iter().copied())
                .collect(),
            HoldsSpec::AllExcept {
                sections,
                permissions,
            } => {
                let mut left_out: Names = self
                    .spec
                    .permissions
                    .iter()
                    .filter(|p| sections.contains(&p.section))
                    .map(|p| p.name)
                    .collect();
                left_out.extend(permissions.iter().copied());
                // Rule 16: Supervisor and Operator never hold "all projects".
                left_out.insert("projects.all");
                let mut dropped = Names::new();
                for n in left_out {
                    dropped.extend(self.implying(n).iter().copied());
                }
                self.all.difference(&dropped).copied().collect()
            }
        }
    }

    /// The permission with this name (panics on a name the catalog lacks,
    /// so that a typo in the model cannot pass silently).
    pub(crate) fn name(&self, text: &str) -> Name {
        self.all
            .get(text)
            .copied()
            .unwrap_or_else(|| panic!("`{text}` is not a catalog name"))
    }

    /// Every permission's name.
    pub(crate) fn every_name(&self) -> &Names {
        &self.all
    }

    /// The permission and everything it implies.
    pub(crate) fn closure(&self, name: &str) -> &Names {
        self.closure
            .get(name)
            .unwrap_or_else(|| panic!("`{name}` is not a catalog name"))
    }

    /// The permission and everything that implies it.
    pub(crate) fn implying(&self, name: &str) -> &Names {
        self.implying
            .get(name)
            .unwrap_or_else(|| panic!("`{name}` is not a catalog name"))
    }

    /// A name set with everything its names imply.
    pub(crate) fn closed(&self, names: &Names) -> Names {
        names
            .iter()
            .flat_map(|&n| self.closure(n).iter().copied())
            .collect()
    }

    /// Reads a set of bits as names: a name is in it when its bit is. The
    /// flag is true when some bit is no permission's.
    pub(crate) fn names_of(&self, bits: u128) -> (Names, bool) {
        let mut names = Names::new();
        let mut stray = false;
        let mut rest = bits;
        while rest != 0 {
            let b = rest.trailing_zeros();
            rest &= rest - 1;
            match self.by_bit.get(b as usize).copied().flatten() {
                Some(n) => {
                    names.insert(n);
                }
                None => stray = true,
            }
        }
        (names, stray)
    }

    /// The bits of these names.
    pub(crate) fn bits_of<'a>(&self, names: impl IntoIterator<Item = &'a Name>) -> u128 {
        names
            .into_iter()
            .fold(0, |bits, n| bits | 1u128 << self.bit_of[n])
    }

    /// The bit of one permission.
    pub(crate) fn bit(&self, name: &str) -> u32 {
        self.bit_of[self.name(name)]
    }

    /// The permission a set of bits stands for when it is exactly one (what
    /// a section switch takes): its bit alone, or with everything it
    /// implies.
    pub(crate) fn single_name(&self, bits: u128) -> Option<Name> {
        let (names, stray) = self.names_of(bits);
        if stray {
            return None;
        }
        self.spec
            .permissions
            .iter()
            .map(|p| p.name)
            .find(|&n| (names.len() == 1 && names.contains(n)) || names == *self.closure(n))
    }

    /// What a built-in role grants, by name.
    pub(crate) fn builtin(&self, role: BuiltinRole) -> Names {
        match role {
            // Admin holds every permission in the company.
            BuiltinRole::Admin => self.all.clone(),
            BuiltinRole::Supervisor => self.supervisor.clone(),
            BuiltinRole::Operator => self.operator.clone(),
        }
    }

    /// The permissions that apply to objects of the kind at `index`.
    pub(crate) fn kind_actions(&self, index: usize) -> &Names {
        &self.kind_actions[index]
    }

    /// The permissions that apply to projects.
    pub(crate) fn project_actions(&self) -> &Names {
        &self.project_actions
    }

    /// The permission that governs objects of the kind at `index`.
    pub(crate) fn governing(&self, index: usize) -> Name {
        self.name(self.spec.kinds[index].manage)
    }

    /// The number of kinds.
    pub(crate) fn kind_count(&self) -> usize {
        self.spec.kinds.len()
    }

    /// Reads what the engine writes for a set in a message: names joined by
    /// `|`, `none` for the empty set. `None` when a name is unknown.
    pub(crate) fn parse(&self, text: &str) -> Option<Names> {
        let text = text.trim();
        if text.is_empty() || text == "none" {
            return Some(Names::new());
        }
        text.split('|')
            .map(|n| self.all.get(n.trim()).copied())
            .collect()
    }
}
