//! What a product writes to declare its catalog: plain `const` data, checked
//! and compiled by [`Catalog::new`](crate::Catalog::new).

/// What a permission applies to, besides the company itself.
///
/// Every permission can be asked about the company as a whole
/// ([`Resource::Company`](crate::Resource::Company)): that is how a host asks
/// "may this user open the billing page" or "may they create a queue". A
/// permission applies to a project or to a scoped object only when it says
/// so here; asking it there is [`NotApplicable`](crate::DenyReason::NotApplicable).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AppliesTo {
    /// Company-wide sections, reports and settings only.
    Company,
    /// Projects themselves ([`Resource::Project`](crate::Resource::Project)),
    /// such as `projects.view` and `projects.manage`.
    Projects,
    /// Scoped objects of these kinds, by their stable names (`["queue"]`).
    Kinds(&'static [&'static str]),
}

/// One permission of a catalog: one switch of the role x permission matrix.
///
/// Made with [`PermissionDef::new`] and the `const` builder methods, so that a
/// whole catalog can be a `static`.
///
/// # Example
///
/// ```
/// use callgate::PermissionDef;
///
/// const PAUSE: PermissionDef = PermissionDef::new(5, "queues.pause", "Queues")
///     .on_kinds(&["queue"])
///     .implies(&["queues.view"])
///     .describe("Pause and resume a queue");
/// assert_eq!(PAUSE.name(), "queues.pause");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PermissionDef {
    pub(crate) bit: u32,
    pub(crate) name: &'static str,
    pub(crate) section: &'static str,
    pub(crate) applies_to: AppliesTo,
    pub(crate) implies: &'static [&'static str],
    pub(crate) description: &'static str,
}

impl PermissionDef {
    /// A permission with its bit (its position in the product's flags type,
    /// `1 << bit`), its stable name and the section it belongs to. It applies
    /// to the company only and implies nothing until told otherwise.
    ///
    /// A stable name is lowercase and dotted: two or more parts of `a`-`z`,
    /// `0`-`9` and `_`, each starting with a letter (`queues.pause`,
    /// `lists.export_pii`), at most 64 bytes.
    #[must_use]
    pub const fn new(bit: u32, name: &'static str, section: &'static str) -> Self {
        Self {
            bit,
            name,
            section,
            applies_to: AppliesTo::Company,
            implies: &[],
            description: "",
        }
    }

    /// The permission applies to projects themselves.
    #[must_use]
    pub const fn on_projects(self) -> Self {
        Self {
            applies_to: AppliesTo::Projects,
            ..self
        }
    }

    /// The permission applies to scoped objects of these kinds (by name).
    #[must_use]
    pub const fn on_kinds(self, kinds: &'static [&'static str]) -> Self {
        Self {
            applies_to: AppliesTo::Kinds(kinds),
            ..self
        }
    }

    /// Holding this permission also grants these (by name): `queues.manage`
    /// implies `queues.view`. Implications are transitive and may not form
    /// a cycle.
    #[must_use]
    pub const fn implies(self, names: &'static [&'static str]) -> Self {
        Self {
            implies: names,
            ..self
        }
    }

    /// A short description for people.
    #[must_use]
    pub const fn describe(self, description: &'static str) -> Self {
        Self {
            description,
            ..self
        }
    }

    /// The stable name, e.g. `queues.pause`.
    #[must_use]
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// The bit position in the product's flags type.
    #[must_use]
    pub const fn bit(&self) -> u32 {
        self.bit
    }

    /// The section the permission belongs to.
    #[must_use]
    pub const fn section(&self) -> &'static str {
        self.section
    }

    /// What the permission applies to besides the company.
    #[must_use]
    pub const fn applies_to(&self) -> AppliesTo {
        self.applies_to
    }

    /// The names of the permissions it implies directly.
    #[must_use]
    pub const fn implied_names(&self) -> &'static [&'static str] {
        self.implies
    }

    /// The description (empty when none was given).
    #[must_use]
    pub const fn description(&self) -> &'static str {
        self.description
    }
}

/// One kind of scoped object: its stable name, its name for people, and the
/// permission that governs registering, renaming and deleting objects of
/// the kind.
///
/// # Example
///
/// ```
/// use callgate::KindDef;
///
/// const CHAT_CHANNEL: KindDef = KindDef::new("chat_channel", "chat channel", "chat_channels.manage");
/// assert_eq!(CHAT_CHANNEL.label(), "chat channel");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KindDef {
    pub(crate) name: &'static str,
    pub(crate) label: &'static str,
    pub(crate) manage: &'static str,
}

impl KindDef {
    /// A kind with its stable name (lowercase, `a`-`z`, `0`-`9` and `_`,
    /// starting with a letter), its label and its governing permission.
    #[must_use]
    pub const fn new(name: &'static str, label: &'static str, manage: &'static str) -> Self {
        Self {
            name,
            label,
            manage,
        }
    }

    /// The stable name, e.g. `chat_channel`.
    #[must_use]
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// The name for people, e.g. `chat channel`.
    #[must_use]
    pub const fn label(&self) -> &'static str {
        self.label
    }

    /// The name of the permission that governs registering, renaming and
    /// deleting objects of this kind.
    #[must_use]
    pub const fn manage_permission_name(&self) -> &'static str {
        self.manage
    }
}

/// What a built-in role (Supervisor or Operator) holds, in the product's
/// terms. Admin always holds everything. Neither form may give
/// `projects.all`: it stays Admin's and custom roles' (DOMAIN rule 16).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Holds {
    /// Exactly these permissions (by name), with what they imply.
    Only(&'static [&'static str]),
    /// Every permission except those of these sections and these
    /// permissions (by name), and except `projects.all`.
    AllExcept {
        /// Sections left out entirely.
        sections: &'static [&'static str],
        /// Permissions left out (with every permission that implies one).
        permissions: &'static [&'static str],
    },
}

/// A product's whole catalog, as declared: its name and version, sections,
/// permissions, object kinds and what the built-in roles hold.
///
/// A definition is plain data; [`Catalog::new`](crate::Catalog::new) checks
/// and compiles it, in a `static` at compile time or at run time.
///
/// # What every catalog must have
///
/// The library itself decides who may change users, groups, roles, projects
/// and the security mode, so every catalog has these permissions, by these
/// names: `users.manage`, `groups.manage`, `roles.manage`, `roles.test`,
/// `projects.view`, `projects.manage`, `projects.all` and `security.manage`.
/// The rest is the product's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Definition {
    pub(crate) name: &'static str,
    pub(crate) version: u32,
    pub(crate) sections: &'static [&'static str],
    pub(crate) permissions: &'static [PermissionDef],
    pub(crate) kinds: &'static [KindDef],
    pub(crate) supervisor: Holds,
    pub(crate) operator: Holds,
    /// Descriptions of Supervisor and Operator, in the product's words.
    pub(crate) builtin_descriptions: [&'static str; 2],
    /// The name of the product's permission standing for each
    /// [`LibraryPermission`], in its order.
    pub(crate) library: [&'static str; LibraryPermission::ALL.len()],
}

impl Definition {
    /// An empty definition with the catalog's name (how stored documents
    /// name it: lowercase letters, digits, `_`, `-` and `.`) and version (a
    /// number the product raises whenever the catalog changes; a document
    /// written with a newer version than the program's is refused).
    #[must_use]
    pub const fn new(name: &'static str, version: u32) -> Self {
        Self {
            name,
            version,
            sections: &[],
            permissions: &[],
            kinds: &[],
            supervisor: Holds::Only(&[]),
            operator: Holds::Only(&[]),
            builtin_descriptions: [
                "Every permission but those the catalog keeps from supervisors",
                "What the catalog gives operators",
            ],
            library: LibraryPermission::DEFAULT_NAMES,
        }
    }

    /// Lets one of the product's permissions stand for a permission the
    /// library itself needs: a product whose own `admin.users` governs users
    /// maps [`LibraryPermission::UsersManage`] onto it, and needs no
    /// `users.manage` of its own. Several library permissions may map onto
    /// one product permission.
    ///
    /// # Example
    ///
    /// ```
    /// use callgate::{Catalog, Definition, LibraryPermission, PermissionDef};
    ///
    /// const ALL_LIBRARY: [LibraryPermission; 6] = [
    ///     LibraryPermission::UsersManage, LibraryPermission::GroupsManage,
    ///     LibraryPermission::RolesManage, LibraryPermission::RolesTest,
    ///     LibraryPermission::ProjectsManage, LibraryPermission::SecurityManage,
    /// ];
    /// const PERMISSIONS: &[PermissionDef] = &[
    ///     PermissionDef::new(0, "admin.all", "Administration"),
    ///     PermissionDef::new(1, "projects.view", "Administration").on_projects(),
    ///     PermissionDef::new(2, "projects.all", "Administration"),
    /// ];
    /// let mut definition = Definition::new("tiny", 1)
    ///     .sections(&["Administration"])
    ///     .permissions(PERMISSIONS);
    /// for which in ALL_LIBRARY {
    ///     definition = definition.library_permission(which, "admin.all");
    /// }
    /// let catalog = Catalog::<u64>::new(definition)?;
    /// assert_eq!(catalog.permissions().len(), 3); // no `users.manage` and the like
    /// # Ok::<(), callgate::CatalogError>(())
    /// ```
    #[must_use]
    #[allow(clippy::indexing_slicing)] // In bounds: one slot per variant.
    pub const fn library_permission(self, which: LibraryPermission, name: &'static str) -> Self {
        let mut library = self.library;
        library[which as usize] = name;
        Self { library, ..self }
    }

    /// The catalog's name, as [`new`](Self::new) was given it.
    #[must_use]
    pub const fn catalog_name(&self) -> &'static str {
        self.name
    }

    /// The catalog's version, as [`new`](Self::new) was given it.
    #[must_use]
    pub const fn catalog_version(&self) -> u32 {
        self.version
    }

    /// The sections, as declared.
    #[must_use]
    pub const fn section_list(&self) -> &'static [&'static str] {
        self.sections
    }

    /// The permissions, as declared.
    #[must_use]
    pub const fn permission_list(&self) -> &'static [PermissionDef] {
        self.permissions
    }

    /// The kinds of scoped object, as declared.
    #[must_use]
    pub const fn kind_list(&self) -> &'static [KindDef] {
        self.kinds
    }

    /// What the built-in Supervisor role holds, as declared.
    #[must_use]
    pub const fn supervisor_holds(&self) -> Holds {
        self.supervisor
    }

    /// What the built-in Operator role holds, as declared.
    #[must_use]
    pub const fn operator_holds(&self) -> Holds {
        self.operator
    }

    /// The name of the product's permission that stands for `which`: its
    /// [default name](LibraryPermission::default_name) unless
    /// [`library_permission`](Self::library_permission) mapped it.
    #[must_use]
    #[allow(clippy::indexing_slicing)] // In bounds: one slot per variant.
    pub const fn library_name(&self, which: LibraryPermission) -> &'static str {
        self.library[which as usize]
    }

    /// How the built-in Supervisor and Operator roles describe themselves,
    /// in the product's words (Admin is "Every permission in the company").
    #[must_use]
    pub const fn describe_builtins(self, supervisor: &'static str, operator: &'static str) -> Self {
        Self {
            builtin_descriptions: [supervisor, operator],
            ..self
        }
    }

    /// The sections, in the order the matrix shows them.
    #[must_use]
    pub const fn sections(self, sections: &'static [&'static str]) -> Self {
        Self { sections, ..self }
    }

    /// The permissions, in the order the matrix and `Display` list them.
    #[must_use]
    pub const fn permissions(self, permissions: &'static [PermissionDef]) -> Self {
        Self {
            permissions,
            ..self
        }
    }

    /// The kinds of scoped object, in the order of the product's kind type.
    #[must_use]
    pub const fn kinds(self, kinds: &'static [KindDef]) -> Self {
        Self { kinds, ..self }
    }

    /// What the built-in Supervisor role holds.
    #[must_use]
    pub const fn supervisor(self, holds: Holds) -> Self {
        Self {
            supervisor: holds,
            ..self
        }
    }

    /// What the built-in Operator role holds.
    #[must_use]
    pub const fn operator(self, holds: Holds) -> Self {
        Self {
            operator: holds,
            ..self
        }
    }
}

/// A permission the library itself needs, to decide who may change users,
/// groups, roles, projects and the security mode, test roles and see every
/// project. A catalog declares each under its default name (`users.manage`,
/// ...), or maps it onto a permission of its own with
/// [`Definition::library_permission`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LibraryPermission {
    /// Create, rename and delete users (`users.manage`).
    UsersManage,
    /// Create, edit and delete groups (`groups.manage`).
    GroupsManage,
    /// Create, edit, assign and delete roles (`roles.manage`).
    RolesManage,
    /// Test a role (`roles.test`).
    RolesTest,
    /// View the projects one is a member of (`projects.view`).
    ProjectsView,
    /// Create, edit and delete projects (`projects.manage`).
    ProjectsManage,
    /// See every project and every project-scoped object (`projects.all`).
    ProjectsAll,
    /// Change the security mode (`security.manage`).
    SecurityManage,
}

impl LibraryPermission {
    /// Every library permission, in declaration order.
    pub const ALL: [Self; 8] = [
        Self::UsersManage,
        Self::GroupsManage,
        Self::RolesManage,
        Self::RolesTest,
        Self::ProjectsView,
        Self::ProjectsManage,
        Self::ProjectsAll,
        Self::SecurityManage,
    ];

    const DEFAULT_NAMES: [&'static str; 8] = [
        "users.manage",
        "groups.manage",
        "roles.manage",
        "roles.test",
        "projects.view",
        "projects.manage",
        "projects.all",
        "security.manage",
    ];

    /// The name a catalog gives it unless it maps it: `users.manage`, ...
    #[must_use]
    #[allow(clippy::indexing_slicing)] // In bounds: one name per variant.
    pub const fn default_name(self) -> &'static str {
        Self::DEFAULT_NAMES[self as usize]
    }
}
