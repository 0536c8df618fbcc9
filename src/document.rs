//! The stored form of a company: a versioned [`Document`], written
//! canonically and loaded strictly.
//!
//! A host keeps a company in its own database as a document (JSON or any
//! other serde format) and ships [`LogEntry`] values between its replicas.
//! Loading checks everything a hand-edited or corrupted document could get
//! wrong and names the place: `` roles[3].permissions[1]: unknown permission
//! `queue.fly` ``. Nothing is half-loaded.
//!
//! The types and their writing are here; their constructors, in the child
//! module `records`; loading, in `load`; the compact binary form of a
//! document ([`Company::to_checkpoint`]), in `checkpoint`.

mod canonical;
mod checkpoint;
mod ends;
mod load;
mod records;
mod template;

use serde::{Deserialize, Deserializer, Serialize};

pub use ends::GrantEndRecord;

use crate::{
    Company, CompanyId, GroupId, ObjectId, PermissionFlags, Permissions, Principal, ProjectId,
    RoleId, SecurityMode, UserId,
};

/// The format version this library writes, and the newest it reads.
///
/// Version 2 names the catalog a document was written with
/// ([`Document::catalog`]) and the company's id ([`Document::company`]), and
/// stores the roles given within projects ([`ProjectRecord::member_roles`]). Version 1 documents, which do not, were written
/// with the standard catalog and load as such.
///
/// 0.3 adds optional lists to version 2, left out when empty: the ends of
/// grants ([`Document::grant_ends`]). A document without them is what 0.2
/// wrote; 0.2 refuses one with them, naming the field.
pub const FORMAT_VERSION: u32 = 2;

/// The name of the catalog every version 1 document was written with.
const STANDARD_NAME: &str = "standard";

/// The whole state of a company, as stored.
///
/// Made by [`Company::to_document`]; read back by [`Company::from_document`]
/// or, straight from a serde deserializer with error paths,
/// [`Company::load`].
///
/// # Canonical
///
/// The library writes one form of each state, and loading refuses any
/// other, naming the place (`` users[3].roles[1]: role id `2` comes after
/// `5`: the list is sorted by id ``): a document that loads is written back
/// byte for byte (with the same serializer), so a host can compare stored
/// documents, hash them or sign them. The form:
/// - every list of records and of references sorted by id, each id once;
/// - a field at its default value (`[]`, `""`, `false`, `0`, `null`) left
///   out;
/// - a built-in role stored by its id, name and `"builtin": true` only; a
///   custom role with its `permissions` (`[]` for none);
/// - the roles given within a project listed users first, then groups, each
///   in id order, each with at least one role.
///
/// The one exception: the permission names of a role may come in any order
/// and may include names another listed name implies. Both follow the
/// catalog, whose order can change between its versions, and a document
/// written with an older version must load (DOMAIN rule 19). They are
/// written back as the fewest names, in catalog order. A name listed twice
/// is refused.
///
/// A version 1 document (0.1) follows the same form and is written back as
/// version 2.
///
/// # Loading is bounded
///
/// What loading allocates grows with the document's records, not with its
/// numbers: ids never used (deleted records', or a hostile `nextIds`) cost
/// the tables one shared chunk pointer per chunk, and `nextIds` is checked
/// against the host's [`Limits`](crate::Limits) first. Loading takes one
/// pass over the records to check them and one to build the company,
/// hashing each name once (ids are found by their place in the lists, not
/// hashed).
///
/// Built-in roles are stored by name only: their permissions come from the
/// code, so an upgrade that widens a built-in role reaches stored data.
/// Each link is stored once, on one side (a user's roles, a group's members
/// and roles, a project's members and objects, the objects an object
/// uses); the other side is derived.
///
/// A host that builds a document itself (from its own tables, say) starts
/// from [`Document::new`] (or [`Document::with_catalog`]), the document of a
/// new company, and sets or pushes what it has. The struct, like every
/// record in it, is `#[non_exhaustive]`: a later format can add a field
/// without breaking the hosts that build documents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    rename_all = "camelCase",
    deny_unknown_fields,
    expecting = "a callgate document",
    bound = ""
)]
#[non_exhaustive]
pub struct Document<P: PermissionFlags = Permissions> {
    /// The format version ([`FORMAT_VERSION`] when written by this library).
    ///
    /// Checked as soon as it is read: a document from a newer library is
    /// refused for its version, not for the fields it adds (`format` comes
    /// first in every document this library writes).
    #[serde(deserialize_with = "readable_format::<P, _>")]
    pub format: u32,
    /// The catalog the document was written with (format 2 on; absent in
    /// version 1 documents, which were written with the standard catalog).
    ///
    /// Checked as soon as it is read, before any permission name: a document
    /// of another catalog, or of a newer version of this one, is refused
    /// here. An older version of the same catalog loads: a catalog only
    /// grows, and names it lacks are refused where they stand.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "matching_catalog::<P, _>"
    )]
    pub catalog: Option<CatalogRef>,
    /// The company's [id](CompanyId), which its replicas share (format 2
    /// on, where it is required).
    ///
    /// Version 1 documents have none: loading one draws a random id, unless
    /// the host sets this field first (to the same id on every replica, so
    /// that they accept each other's log entries).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "canonical::present"
    )]
    pub company: Option<CompanyId>,
    /// The security mode.
    pub mode: SecurityMode,
    /// The company's revision: the number of changes applied since creation.
    pub revision: u64,
    /// The [digest](crate::LogEntry::digest) of the last entry the company
    /// committed, so that a replica loaded from this document checks the
    /// entries after it ([`Company::catch_up`](crate::Company::catch_up)).
    /// Left out at revision 0 (nothing before the first entry) and when the
    /// company does not know it (loaded from a document without it), so a
    /// company that never changed writes what 0.3.0 wrote; 0.3.0 refuses a
    /// document with it, naming the field. A company loaded without it
    /// applies the next entry unchecked.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "canonical::present"
    )]
    pub chain: Option<crate::EntryDigest>,
    /// The `Default` project, once made.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "canonical::present"
    )]
    pub default_project: Option<ProjectId>,
    /// How many ids of each kind were ever given out (ids are never reused,
    /// so a deleted record's id stays taken).
    pub next_ids: NextIds,
    /// The users, by id.
    pub users: Vec<UserRecord>,
    /// The groups, by id.
    pub groups: Vec<GroupRecord>,
    /// The roles, by id (the three built-in roles first).
    pub roles: Vec<RoleRecord<P>>,
    /// The projects, by id.
    pub projects: Vec<ProjectRecord>,
    /// The project-scoped objects, by id.
    pub objects: Vec<ObjectRecord<P>>,
    /// The grants that end (DOMAIN rule 24), sorted by grant; left out
    /// when none does, so a company without such grants writes what 0.2
    /// wrote.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "canonical::not_default"
    )]
    pub grant_ends: Vec<GrantEndRecord>,
    /// The separation-of-duties constraints (DOMAIN rule 25), in the order
    /// they were declared; left out when there are none, so documents
    /// written before 0.3 load and write back unchanged. A permission is
    /// stored as the list of its name (`{"permission": ["payments.manage"]}`),
    /// a role by id (`{"role": 4}`). Loading refuses, at
    /// `dutyConstraints[i]`, a constraint that is not one the company
    /// would accept, one declared twice, and one that a user (named) or a
    /// custom role already breaks.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "canonical::not_default"
    )]
    pub duty_constraints: Vec<crate::DutyConstraint<P>>,
}

/// Which catalog a document was written with: its name and version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    rename_all = "camelCase",
    deny_unknown_fields,
    expecting = "a catalog's name and version"
)]
#[non_exhaustive]
pub struct CatalogRef {
    /// The catalog's name ([`Catalog::name`](crate::Catalog::name)).
    pub name: String,
    /// The catalog's version ([`Catalog::version`](crate::Catalog::version)).
    pub version: u32,
}

impl CatalogRef {
    /// A reference to the catalog named `name`, at `version`.
    ///
    /// # Example
    ///
    /// ```
    /// use callgate::{CatalogRef, Permissions};
    ///
    /// assert_eq!(CatalogRef::new("standard", 1), CatalogRef::of::<Permissions>());
    /// ```
    #[must_use]
    pub fn new(name: impl Into<String>, version: u32) -> Self {
        Self {
            name: name.into(),
            version,
        }
    }

    /// The reference to `P`'s catalog.
    #[must_use]
    pub fn of<P: PermissionFlags>() -> Self {
        let catalog = P::catalog();
        Self {
            name: catalog.name().to_owned(),
            version: catalog.version(),
        }
    }
}

/// Reads `catalog`, refusing another catalog or a newer version of `P`'s.
fn matching_catalog<'de, P: PermissionFlags, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<CatalogRef>, D::Error> {
    let named = CatalogRef::deserialize(deserializer)?;
    catalog_mismatch::<P>(Some(&named)).map_or(Ok(Some(named)), |message| {
        Err(serde::de::Error::custom(message))
    })
}

/// Why a document of catalog `named` (`None`: a version 1 document, of the
/// standard catalog) cannot load with `P`'s catalog, if it cannot.
fn catalog_mismatch<P: PermissionFlags>(named: Option<&CatalogRef>) -> Option<String> {
    let ours = P::catalog();
    let (name, version) = named.map_or((STANDARD_NAME, 1), |n| (n.name.as_str(), n.version));
    if name != ours.name() {
        return Some(format!(
            "the document was written with catalog `{name}`, not `{}`",
            ours.name()
        ));
    }
    (version > ours.version()).then(|| {
        format!(
            "the document was written with version {version} of catalog `{name}`, newer than this program's {}",
            ours.version()
        )
    })
}

/// How many ids of each kind were ever given out.
///
/// Every id in a document is below its kind's count. Start from
/// [`NextIds::default`] (all zero) and set the counts: the struct is
/// `#[non_exhaustive]`, as a new kind of record would add one.
///
/// ```
/// use callgate::NextIds;
///
/// let mut next_ids = NextIds::default();
/// next_ids.users = 2;
/// next_ids.roles = 3;
/// assert_eq!(next_ids.objects, 0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(
    rename_all = "camelCase",
    deny_unknown_fields,
    expecting = "the counts of ids given out"
)]
#[non_exhaustive]
pub struct NextIds {
    /// User ids given out.
    pub users: u32,
    /// Group ids given out.
    pub groups: u32,
    /// Role ids given out, the three built-in roles' included.
    pub roles: u32,
    /// Project ids given out.
    pub projects: u32,
    /// Object ids given out.
    pub objects: u32,
}

/// A stored user.
///
/// Made with [`UserRecord::new`]; `#[non_exhaustive]`, so a later format
/// can add a field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, expecting = "a user")]
#[non_exhaustive]
pub struct UserRecord {
    /// The user's id.
    pub id: UserId,
    /// The user's unique name.
    pub name: String,
    /// The roles assigned to the user directly, sorted.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "canonical::not_default"
    )]
    pub roles: Vec<RoleId>,
    /// Sessions that logged in before this revision are ended.
    #[serde(
        default,
        skip_serializing_if = "is_zero",
        deserialize_with = "canonical::not_default"
    )]
    pub sessions_valid_from: u64,
}

/// A stored group.
///
/// Made with [`GroupRecord::new`]; `#[non_exhaustive]`, so a later format
/// can add a field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, expecting = "a group")]
#[non_exhaustive]
pub struct GroupRecord {
    /// The group's id.
    pub id: GroupId,
    /// The group's unique name.
    pub name: String,
    /// The members, sorted.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "canonical::not_default"
    )]
    pub members: Vec<UserId>,
    /// The roles assigned to the group, sorted.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "canonical::not_default"
    )]
    pub roles: Vec<RoleId>,
}

/// A stored role. A built-in role is stored as its id, its name and
/// `"builtin": true`, nothing else.
///
/// Made with [`RoleRecord::new`] (a custom role) or [`RoleRecord::builtin`];
/// `#[non_exhaustive]`, so a later format can add a field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    rename_all = "camelCase",
    deny_unknown_fields,
    expecting = "a role",
    bound = ""
)]
#[non_exhaustive]
pub struct RoleRecord<P: PermissionFlags = Permissions> {
    /// The role's id.
    pub id: RoleId,
    /// The role's unique name.
    pub name: String,
    /// Whether this is one of the three built-in roles.
    #[serde(
        default,
        skip_serializing_if = "is_false",
        deserialize_with = "canonical::not_default"
    )]
    pub builtin: bool,
    /// The description (custom roles).
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "canonical::not_default"
    )]
    pub description: String,
    /// The permissions, by stable name (custom roles; refused on a built-in
    /// role unless equal to its permissions in the code).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "crate::catalog::serde_names::option::serialize",
        deserialize_with = "canonical::permissions"
    )]
    pub permissions: Option<P>,
    /// The "put its users offline" setting.
    #[serde(
        default,
        skip_serializing_if = "is_false",
        deserialize_with = "canonical::not_default"
    )]
    pub put_users_offline: bool,
}

/// A stored project.
///
/// Made with [`ProjectRecord::new`]; `#[non_exhaustive]`, so a later format
/// can add a field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, expecting = "a project")]
#[non_exhaustive]
pub struct ProjectRecord {
    /// The project's id.
    pub id: ProjectId,
    /// The project's unique name.
    pub name: String,
    /// The description.
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "canonical::not_default"
    )]
    pub description: String,
    /// The users who are members directly, sorted.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "canonical::not_default"
    )]
    pub users: Vec<UserId>,
    /// The groups that are members, sorted.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "canonical::not_default"
    )]
    pub groups: Vec<GroupId>,
    /// The objects the project holds, sorted.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "canonical::not_default"
    )]
    pub objects: Vec<ObjectId>,
    /// The roles given to members within the project (DOMAIN rule 20), one
    /// entry per member given any, users then groups, sorted by id.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "canonical::not_default"
    )]
    pub member_roles: Vec<MemberRoles>,
}

/// The roles given to one member of a project within it.
///
/// Made with [`MemberRoles::new`]; `#[non_exhaustive]`, so a later format
/// can add a field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    rename_all = "camelCase",
    deny_unknown_fields,
    expecting = "a member and the roles given to it within the project"
)]
#[non_exhaustive]
pub struct MemberRoles {
    /// The member: a user or a group that is a direct member of the
    /// project.
    pub member: Principal,
    /// The roles given to it within the project, sorted. Neither Admin nor
    /// a role holding `projects.all`.
    pub roles: Vec<RoleId>,
}

/// A stored project-scoped object.
///
/// Made with [`ObjectRecord::new`]; `#[non_exhaustive]`, so a later format
/// can add a field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    rename_all = "camelCase",
    deny_unknown_fields,
    expecting = "an object",
    bound = ""
)]
#[non_exhaustive]
pub struct ObjectRecord<P: PermissionFlags = Permissions> {
    /// The object's id.
    pub id: ObjectId,
    /// The object's kind, by its stable name.
    #[serde(
        serialize_with = "crate::catalog::serde_names::kind::serialize::<P, _>",
        deserialize_with = "crate::catalog::serde_names::kind::deserialize::<P, _>"
    )]
    pub kind: P::Kind,
    /// The name, unique among objects of its kind.
    pub name: String,
    /// The objects this one uses (DOMAIN rule 26), sorted, each once, never
    /// itself; left out when empty, so documents written before references
    /// existed load and are written back unchanged. Who uses an object is
    /// derived. In enhanced mode each object used shares a project with
    /// this one.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "canonical::not_default"
    )]
    pub uses: Vec<ObjectId>,
}

/// Reads `format`, refusing a version this library does not read, and a
/// version 1 document (of the standard catalog) in a company of another
/// catalog: before any permission name, which would be refused for itself.
fn readable_format<'de, P: PermissionFlags, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<u32, D::Error> {
    let format = u32::deserialize(deserializer)?;
    if format == 0 || format > FORMAT_VERSION {
        return Err(serde::de::Error::custom(unreadable_format(format)));
    }
    if format == 1 {
        if let Some(message) = catalog_mismatch::<P>(None) {
            return Err(serde::de::Error::custom(format_args!(
                "{message} (a format 1 document names no catalog: it is the standard one)"
            )));
        }
    }
    Ok(format)
}

fn unreadable_format(format: u32) -> String {
    format!("format version {format} is not one this library reads (1 to {FORMAT_VERSION})")
}

#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_zero(value: &u64) -> bool {
    *value == 0
}

#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_false(value: &bool) -> bool {
    !*value
}

fn sorted_ids<T: Ord>(ids: impl Iterator<Item = T>) -> Vec<T> {
    let mut ids: Vec<T> = ids.collect();
    ids.sort_unstable();
    ids
}

impl<P: PermissionFlags> Company<P> {
    /// The company's whole state as a canonical, versioned [`Document`].
    ///
    /// # Example: store and load
    ///
    /// ```
    /// use callgate::{Company, Permissions, Resource};
    ///
    /// let mut company = Company::new();
    /// let ann = company.create_user("ann")?;
    /// let json = serde_json::to_string(&company.to_document())?;
    ///
    /// let loaded = Company::load(&mut serde_json::Deserializer::from_str(&json))?;
    /// assert_eq!(loaded.to_document(), company.to_document());
    /// assert!(loaded.check(ann, Permissions::ROLES_MANAGE, Resource::Company).is_allowed());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn to_document(&self) -> Document<P> {
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Document {
            format: FORMAT_VERSION,
            catalog: Some(CatalogRef::of::<P>()),
            company: Some(self.id()),
            mode: self.mode(),
            revision: self.revision(),
            chain: self.chain.filter(|_| self.revision() > 0),
            default_project: self.default_project(),
            next_ids: NextIds {
                users: count(self.users.len()),
                groups: count(self.groups.len()),
                roles: count(self.roles.len()),
                projects: count(self.projects.len()),
                objects: count(self.objects.len()),
            },
            users: self
                .users()
                .map(|(id, user)| UserRecord {
                    id,
                    name: user.name().to_owned(),
                    roles: sorted_ids(user.roles()),
                    sessions_valid_from: user.sessions_valid_from(),
                })
                .collect(),
            groups: self
                .groups()
                .map(|(id, group)| GroupRecord {
                    id,
                    name: group.name().to_owned(),
                    members: sorted_ids(group.members()),
                    roles: sorted_ids(group.roles()),
                })
                .collect(),
            roles: self
                .roles()
                .map(|(id, role)| RoleRecord {
                    id,
                    name: role.name().to_owned(),
                    builtin: role.is_builtin(),
                    description: if role.is_builtin() {
                        String::new()
                    } else {
                        role.description().to_owned()
                    },
                    permissions: (!role.is_builtin()).then(|| role.permissions()),
                    put_users_offline: role.puts_users_offline(),
                })
                .collect(),
            projects: self
                .projects()
                .map(|(id, project)| ProjectRecord {
                    id,
                    name: project.name().to_owned(),
                    description: project.description().to_owned(),
                    users: sorted_ids(project.users()),
                    groups: sorted_ids(project.groups()),
                    objects: sorted_ids(project.objects()),
                    member_roles: self.member_roles_record(id),
                })
                .collect(),
            objects: self
                .objects()
                .map(|(id, object)| ObjectRecord {
                    id,
                    kind: object.kind(),
                    name: object.name().to_owned(),
                    uses: object.uses().collect(),
                })
                .collect(),
            grant_ends: self.grant_ends_record(),
            duty_constraints: self.duty_constraints().to_vec(),
        }
    }
}

impl<P: PermissionFlags> Company<P> {
    /// The stored form of the roles given within `project`: the members
    /// given any, in order, with their roles sorted.
    fn member_roles_record(&self, project: ProjectId) -> Vec<MemberRoles> {
        self.project_member_roles(project)
            .unwrap_or_default()
            .into_iter()
            .filter(|(_, roles)| !roles.is_empty())
            .map(|(member, roles)| MemberRoles { member, roles })
            .collect()
    }
}
