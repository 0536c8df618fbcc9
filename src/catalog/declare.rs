// How it works
//
// `catalog!` turns one declaration into the flags type, the kind enum, the
// `Definition` and the glue traits. The entry rule matches the user's
// grammar once and hands the pieces, in a bracketed canonical form, to
// `@emit`, adding one token tree: `{ FLAG_A, FLAG_B, ... }`, every flag in
// declaration order. Wherever a flag's bit or stable name is needed,
// `__catalog_position!` declares that list as a throwaway fieldless enum in
// a block and reads the flag's discriminant: a flag's bit is its position,
// and its name is the stable name declared on the same line, so a name and
// its bit cannot disagree. Kinds are looked up the same way through the
// generated kind enum. Everything lands in `const` items, so the catalog
// checks (`Catalog::new`) run in the compiler: a bad declaration is a build
// error naming the culprit.

/// Declares a product's permission catalog once: its flags type, its kind
/// enum and its checked [`Catalog`](crate::Catalog), from one line per
/// permission (DOMAIN rule 18).
///
/// Each permission line gives the flag's constant name, its stable name, its
/// section, optionally what it applies to (`on projects`, or `on [Kind,
/// ...]` naming kinds of the same declaration) and what it implies
/// (`implies [FLAG, ...]`). Its doc comment is required: the first line is
/// the description the matrix shows, and the whole comment documents the
/// constant. A flag's bit is its position in the list, so a name and its bit
/// cannot disagree; stored data uses the names, never the bits, so the list
/// may be reordered between releases.
///
/// The macro generates:
/// - the flags type, a [`bitflags`](https://docs.rs/bitflags) type over the
///   given word (`u64` for up to 64 permissions, `u128` for up to 128),
///   deriving `Debug, Clone, Copy, PartialEq, Eq, Hash, Default` (add others
///   with attributes). Each constant holds its own bit and what it implies,
///   as the standard [`Permissions`](crate::Permissions) do;
/// - `Display` and `FromStr` in stable names ([`names`](crate::names),
///   [`parse_permissions`](crate::parse_permissions));
/// - the flags type's `DEFINITION` constant (the [`Definition`](crate::Definition))
///   and its [`PermissionFlags`](crate::PermissionFlags) implementation,
///   whose `catalog()` is a `static` checked by the compiler;
/// - the kind enum (deriving `Debug, Clone, Copy, PartialEq, Eq, PartialOrd,
///   Ord, Hash`), with `ALL`, `name()`, `label()` and
///   `manage_permission()`, [`Kind`](crate::Kind), `Display` and `FromStr`.
///
/// The optional `library` block maps the permissions the library itself
/// needs ([`LibraryPermission`](crate::LibraryPermission)) onto the
/// product's own: without it the catalog must declare them by their default
/// names (`users.manage`, ...).
///
/// # Example
///
/// ```
/// use callgate::{Company, Resource};
///
/// callgate::catalog! {
///     /// What a role holds and a check asks, in Mini's terms.
///     pub struct MiniPermissions: u64;
///     /// The kinds of object Mini's projects scope.
///     pub enum MiniKind;
///     name "mini", version 1;
///     sections ["Administration", "Queues"];
///     permissions {
///         /// Manage users, teams, roles and projects.
///         ADMIN = "admin.all" in "Administration";
///         /// See every project.
///         PROJECTS_ALL = "projects.all" in "Administration";
///         /// View one's projects.
///         PROJECTS_VIEW = "projects.view" in "Administration" on projects;
///         /// View queues.
///         QUEUES_VIEW = "queues.view" in "Queues" on [Queue];
///         /// Pause a queue.
///         QUEUES_PAUSE = "queues.pause" in "Queues" on [Queue] implies [QUEUES_VIEW];
///     }
///     kinds {
///         /// A call queue.
///         Queue = "queue" ("queue") managed by ADMIN;
///     }
///     library {
///         UsersManage = ADMIN, GroupsManage = ADMIN, RolesManage = ADMIN, RolesTest = ADMIN,
///         ProjectsView = PROJECTS_VIEW, ProjectsManage = ADMIN, ProjectsAll = PROJECTS_ALL,
///         SecurityManage = ADMIN,
///     }
///     supervisor all except sections [] permissions [ADMIN];
///     operator only [QUEUES_PAUSE];
/// }
///
/// let mut company = Company::<MiniPermissions>::with_catalog();
/// let ann = company.create_user("ann")?; // the first user is Admin
/// let sales = company.create_object(MiniKind::Queue, "Sales")?;
/// assert!(company.check(ann, MiniPermissions::QUEUES_PAUSE, Resource::Object(sales)).is_allowed());
/// assert!(MiniPermissions::QUEUES_PAUSE.contains(MiniPermissions::QUEUES_VIEW));
/// assert_eq!(MiniPermissions::QUEUES_PAUSE.to_string(), "queues.pause");
/// assert_eq!("queues.pause".parse::<MiniPermissions>()?, MiniPermissions::QUEUES_PAUSE);
/// assert_eq!(MiniKind::Queue.to_string(), "queue");
/// let catalog = <MiniPermissions as callgate::PermissionFlags>::catalog();
/// assert_eq!(catalog.permissions()[4].description(), "Pause a queue.");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Mistakes are compile errors
///
/// A flag that implies an undeclared flag does not compile:
///
/// ```compile_fail
/// callgate::catalog! {
///     /// Flags.
///     pub struct Flags: u64;
///     /// Kinds.
///     pub enum Kinds;
///     name "broken", version 1;
///     sections ["Administration"];
///     permissions {
///         /// Manage users.
///         USERS_MANAGE = "users.manage" in "Administration" implies [USERS_VIEW];
///     }
///     kinds {
///         /// A queue.
///         Queue = "queue" ("queue") managed by USERS_MANAGE;
///     }
///     supervisor only [];
///     operator only [];
/// }
/// ```
///
/// Nor does a catalog the checks refuse, here for lacking the permissions
/// the library needs (`users.manage`, ...), with the [`CatalogError`](crate::CatalogError)'s
/// message:
///
/// ```compile_fail,E0080
/// callgate::catalog! {
///     /// Flags.
///     pub struct Flags: u64;
///     /// Kinds.
///     pub enum Kinds;
///     name "broken", version 1;
///     sections ["Queues"];
///     permissions {
///         /// View queues.
///         QUEUES_VIEW = "queues.view" in "Queues" on [Queue];
///     }
///     kinds {
///         /// A queue.
///         Queue = "queue" ("queue") managed by QUEUES_VIEW;
///     }
///     supervisor only [];
///     operator only [];
/// }
/// # fn main() { let _ = <Flags as callgate::PermissionFlags>::catalog(); }
/// ```
///
/// Nor does the same stable name given twice, or a kind the catalog does not
/// declare:
///
/// ```compile_fail
/// callgate::catalog! {
///     /// Flags.
///     pub struct Flags: u64;
///     /// Kinds.
///     pub enum Kinds;
///     name "broken", version 1;
///     sections ["Queues"];
///     permissions {
///         /// View queues.
///         QUEUES_VIEW = "queues.view" in "Queues" on [Chat];
///     }
///     kinds {
///         /// A queue.
///         Queue = "queue" ("queue") managed by QUEUES_VIEW;
///     }
///     supervisor only [];
///     operator only [];
/// }
/// ```
#[macro_export]
macro_rules! catalog {
    (
        $(#[$attr:meta])*
        $vis:vis struct $flags:ident : $word:ty;
        $(#[$kind_attr:meta])*
        $kind_vis:vis enum $kind:ident;
        name $catalog_name:literal, version $version:literal;
        sections [$($section:literal),* $(,)?];
        permissions {
            $(
                #[doc = $description:literal]
                $(#[doc = $more_doc:literal])*
                $flag:ident = $name:literal in $flag_section:literal
                    $(on $applies:tt)?
                    $(implies [$($implied:ident),* $(,)?])?;
            )+
        }
        kinds {
            $(
                $(#[doc = $kind_doc:literal])*
                $variant:ident = $kind_name:literal ($label:literal) managed by $manage:ident;
            )+
        }
        $(library { $($library:ident = $library_flag:ident),* $(,)? })?
        supervisor $($supervisor:tt)+
    ) => {
        $crate::catalog! {
            @emit
            flags [$(#[$attr])*] [$vis] $flags $word;
            kind [$(#[$kind_attr])*] [$kind_vis] $kind;
            order { $($flag,)+ };
            name $catalog_name $version;
            sections [$($section),*];
            permissions [$({
                [$description $(, $more_doc)*] $flag $name $flag_section
                [$($applies)?] [$($($implied),*)?]
            })+];
            kinds [$({ [$($kind_doc),*] $variant $kind_name $label $manage })+];
            library [$($($library = $library_flag),*)?];
            builtins [$($supervisor)+];
        }
    };
    (
        @emit
        flags [$(#[$attr:meta])*] [$vis:vis] $flags:ident $word:ty;
        kind [$(#[$kind_attr:meta])*] [$kind_vis:vis] $kind:ident;
        order $order:tt;
        name $catalog_name:literal $version:literal;
        sections [$($section:literal),*];
        permissions [$({
            [$description:literal $(, $more_doc:literal)*] $flag:ident $name:literal
            $flag_section:literal [$($applies:tt)?] [$($implied:ident),*]
        })+];
        kinds [$({ [$($kind_doc:literal),*] $variant:ident $kind_name:literal $label:literal $manage:ident })+];
        library [$($library:ident = $library_flag:ident),*];
        builtins [$($supervisor:tt)+];
    ) => {
        $crate::__private::bitflags::bitflags! {
            $(#[$attr])*
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
            $vis struct $flags: $word {
                $(
                    #[doc = $description]
                    $(#[doc = $more_doc])*
                    #[doc = ""]
                    #[doc = concat!("Stable name `", $name, "`, section \"", $flag_section, "\".")]
                    const $flag = (1 << $crate::__catalog_position!($order $flag))
                        $(| Self::$implied.bits())*;
                )+
            }
        }

        impl $flags {
            /// Every permission's stable name, in bit order.
            #[doc(hidden)]
            pub const __NAMES: &'static [&'static str] = &[$($name),+];

            /// Every permission, as declared.
            #[doc(hidden)]
            pub const __PERMISSIONS: &'static [$crate::PermissionDef] = &[$(
                $crate::__catalog_applies!(
                    $crate::PermissionDef::new(
                        $crate::__catalog_position!($order $flag),
                        $name,
                        $flag_section,
                    )
                    .implies({
                        const IMPLIED: &[&str] = &[$(
                            $flags::__NAMES[$crate::__catalog_position!($order $implied) as usize]
                        ),*];
                        IMPLIED
                    })
                    .describe($crate::__private::trim($description)),
                    $kind,
                    $($applies)?
                )
            ),+];

            /// Every kind, as declared.
            #[doc(hidden)]
            pub const __KINDS: &'static [$crate::KindDef] = &[$(
                $crate::KindDef::new(
                    $kind_name,
                    $label,
                    $flags::__NAMES[$crate::__catalog_position!($order $manage) as usize],
                )
            ),+];

            /// The catalog as declared, checked and compiled by
            /// [`PermissionFlags::catalog`]($crate::PermissionFlags::catalog).
            pub const DEFINITION: $crate::Definition = $crate::__catalog_builtins!(
                ($crate::Definition::new($catalog_name, $version)
                    .sections(&[$($section),*])
                    .permissions($flags::__PERMISSIONS)
                    .kinds($flags::__KINDS)
                    $(.library_permission(
                        $crate::LibraryPermission::$library,
                        $flags::__NAMES[$crate::__catalog_position!($order $library_flag) as usize],
                    ))*
                ) $flags $order $($supervisor)+
            );
        }

        impl $crate::PermissionFlags for $flags {
            type Word = $word;
            type Kind = $kind;

            #[inline(always)]
            fn catalog() -> &'static $crate::Catalog<$word> {
                static CATALOG: $crate::Catalog<$word> = match $crate::Catalog::new($flags::DEFINITION) {
                    Ok(catalog) => catalog,
                    Err(error) => error.fail(),
                };
                &CATALOG
            }

            #[inline(always)]
            fn to_word(self) -> $word {
                self.bits()
            }

            #[inline(always)]
            fn from_word(word: $word) -> Self {
                Self::from_bits_retain(word)
            }
        }

        impl ::std::fmt::Display for $flags {
            /// The fewest stable names that say the set, joined by ` | `
            /// (`none` for the empty set).
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Display::fmt(&$crate::names(*self), f)
            }
        }

        impl ::std::str::FromStr for $flags {
            type Err = $crate::Error;

            /// Stable names joined by `|` or `,`, with what they imply.
            fn from_str(text: &str) -> ::std::result::Result<Self, $crate::Error> {
                $crate::parse_permissions(text)
            }
        }

        $(#[$kind_attr])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        $kind_vis enum $kind {
            $($(#[doc = $kind_doc])* $variant,)+
        }

        impl $kind {
            /// Every kind, in declaration order.
            pub const ALL: [Self; $flags::__KINDS.len()] = [$(Self::$variant),+];

            /// The kind's stable name, as stored data gives it.
            #[must_use]
            pub const fn name(self) -> &'static str {
                match self {
                    $(Self::$variant => $kind_name,)+
                }
            }

            /// The kind's name for people.
            #[must_use]
            pub const fn label(self) -> &'static str {
                match self {
                    $(Self::$variant => $label,)+
                }
            }

            /// The permission that governs registering, renaming and
            /// deleting objects of this kind.
            #[must_use]
            pub const fn manage_permission(self) -> $flags {
                match self {
                    $(Self::$variant => $flags::$manage,)+
                }
            }
        }

        impl $crate::Kind for $kind {
            #[inline(always)]
            fn index(self) -> usize {
                self as usize
            }

            fn from_index(index: usize) -> ::std::option::Option<Self> {
                Self::ALL.get(index).copied()
            }
        }

        impl ::std::fmt::Display for $kind {
            /// The stable name.
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.name())
            }
        }

        impl ::std::str::FromStr for $kind {
            type Err = $crate::Error;

            /// A stable name.
            fn from_str(name: &str) -> ::std::result::Result<Self, $crate::Error> {
                $crate::parse_kind::<$flags>(name)
            }
        }
    };
}

/// A flag's position in a [`catalog!`] declaration: its bit.
#[doc(hidden)]
#[macro_export]
macro_rules! __catalog_position {
    ({ $($order:ident,)+ } $flag:ident) => {{
        #[allow(non_camel_case_types, dead_code, clippy::upper_case_acronyms)]
        enum Position {
            $($order,)+
        }
        Position::$flag as u32
    }};
}

/// What a [`catalog!`] permission applies to.
#[doc(hidden)]
#[macro_export]
macro_rules! __catalog_applies {
    ($def:expr, $kind:ident,) => {
        $def
    };
    ($def:expr, $kind:ident, projects) => {
        $def.on_projects()
    };
    ($def:expr, $kind:ident, [$($variant:ident),+ $(,)?]) => {
        $def.on_kinds({
            const KINDS: &[&str] = &[$($kind::$variant.name()),+];
            KINDS
        })
    };
}

/// What a [`catalog!`]'s built-in roles hold.
#[doc(hidden)]
#[macro_export]
macro_rules! __catalog_builtins {
    (($($definition:tt)+) $flags:ident $order:tt all except sections [$($section:literal),* $(,)?]
        $(permissions [$($left_out:ident),* $(,)?])?; operator only [$($held:ident),* $(,)?];) => {
        $($definition)+
            .supervisor($crate::Holds::AllExcept {
                sections: &[$($section),*],
                permissions: {
                    const LEFT_OUT: &[&str] = &[$($(
                        $flags::__NAMES[$crate::__catalog_position!($order $left_out) as usize]
                    ),*)?];
                    LEFT_OUT
                },
            })
            .operator($crate::__catalog_builtins!(@only $flags $order [$($held),*]))
    };
    (($($definition:tt)+) $flags:ident $order:tt only [$($supervisor:ident),* $(,)?];
        operator only [$($held:ident),* $(,)?];) => {
        $($definition)+
            .supervisor($crate::__catalog_builtins!(@only $flags $order [$($supervisor),*]))
            .operator($crate::__catalog_builtins!(@only $flags $order [$($held),*]))
    };
    (@only $flags:ident $order:tt [$($held:ident),*]) => {
        $crate::Holds::Only({
            const HELD: &[&str] = &[$(
                $flags::__NAMES[$crate::__catalog_position!($order $held) as usize]
            ),*];
            HELD
        })
    };
}
