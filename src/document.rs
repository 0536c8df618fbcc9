//! The stored form of a company: a versioned [`Document`], written
//! canonically and loaded strictly.
//!
//! A host keeps a company in its own database as a document (JSON or any
//! other serde format) and ships [`LogEntry`] values between its replicas.
//! Loading checks everything a hand-edited or corrupted document could get
//! wrong and names the place: `` roles[3].permissions[1]: unknown permission
//! `queue.fly` ``. Nothing is half-loaded.

use std::collections::{BTreeSet, HashSet};

use indexmap::IndexSet;
use serde::{Deserialize, Deserializer, Serialize};

use crate::catalog::Set;
use crate::company::compile::Tables;
use crate::{
    BuiltinRole, Company, Error, Group, GroupId, Object, ObjectId, PermissionFlags, Permissions,
    Project, ProjectId, Role, RoleId, SecurityMode, User, UserId, DEFAULT_PROJECT_NAME,
};

/// The format version this library writes, and the newest it reads.
///
/// Version 2 names the catalog a document was written with
/// ([`Document::catalog`]). Version 1 documents, which do not, were written
/// with the standard catalog and load as such.
pub const FORMAT_VERSION: u32 = 2;

/// The name of the catalog every version 1 document was written with.
const STANDARD_NAME: &str = "standard";

/// The largest revision a document may have (`i64::MAX`, which also fits
/// the signed 64-bit columns hosts often store it in).
const MAX_REVISION: u64 = i64::MAX as u64;

/// The whole state of a company, as stored.
///
/// Made by [`Company::to_document`]; read back by [`Company::from_document`]
/// or, straight from a serde deserializer with error paths,
/// [`Company::load`]. The document is canonical: every list is sorted by id,
/// so two companies in the same state write equal documents, and a document
/// compares equal to the one written after loading it.
///
/// Built-in roles are stored by name only: their permissions come from the
/// code, so an upgrade that widens a built-in role reaches stored data.
/// Each link is stored once, on one side (a user's roles, a group's members
/// and roles, a project's members and objects); the other side is derived.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    rename_all = "camelCase",
    deny_unknown_fields,
    expecting = "a callgate document",
    bound = ""
)]
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
    /// The security mode.
    pub mode: SecurityMode,
    /// The company's revision: the number of changes applied since creation.
    pub revision: u64,
    /// The `Default` project, once made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
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
}

/// Which catalog a document was written with: its name and version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    rename_all = "camelCase",
    deny_unknown_fields,
    expecting = "a catalog's name and version"
)]
pub struct CatalogRef {
    /// The catalog's name ([`Catalog::name`](crate::Catalog::name)).
    pub name: String,
    /// The catalog's version ([`Catalog::version`](crate::Catalog::version)).
    pub version: u32,
}

impl CatalogRef {
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(
    rename_all = "camelCase",
    deny_unknown_fields,
    expecting = "the counts of ids given out"
)]
#[allow(missing_docs)]
pub struct NextIds {
    pub users: u32,
    pub groups: u32,
    pub roles: u32,
    pub projects: u32,
    pub objects: u32,
}

/// A stored user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, expecting = "a user")]
pub struct UserRecord {
    /// The user's id.
    pub id: UserId,
    /// The user's unique name.
    pub name: String,
    /// The roles assigned to the user directly, sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<RoleId>,
    /// Sessions that logged in before this revision are ended.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub sessions_valid_from: u64,
}

/// A stored group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, expecting = "a group")]
pub struct GroupRecord {
    /// The group's id.
    pub id: GroupId,
    /// The group's unique name.
    pub name: String,
    /// The members, sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<UserId>,
    /// The roles assigned to the group, sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<RoleId>,
}

/// A stored role. A built-in role is stored as its id, its name and
/// `"builtin": true`, nothing else.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    rename_all = "camelCase",
    deny_unknown_fields,
    expecting = "a role",
    bound = ""
)]
pub struct RoleRecord<P: PermissionFlags = Permissions> {
    /// The role's id.
    pub id: RoleId,
    /// The role's unique name.
    pub name: String,
    /// Whether this is one of the three built-in roles.
    #[serde(default, skip_serializing_if = "is_false")]
    pub builtin: bool,
    /// The description (custom roles).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The permissions, by stable name (custom roles; refused on a built-in
    /// role unless equal to its permissions in the code).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::catalog::serde_names::option"
    )]
    pub permissions: Option<P>,
    /// The "put its users offline" setting.
    #[serde(default, skip_serializing_if = "is_false")]
    pub put_users_offline: bool,
}

/// A stored project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, expecting = "a project")]
pub struct ProjectRecord {
    /// The project's id.
    pub id: ProjectId,
    /// The project's unique name.
    pub name: String,
    /// The description.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The users who are members directly, sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub users: Vec<UserId>,
    /// The groups that are members, sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<GroupId>,
    /// The objects the project holds, sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub objects: Vec<ObjectId>,
}

/// A stored project-scoped object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    rename_all = "camelCase",
    deny_unknown_fields,
    expecting = "an object",
    bound = ""
)]
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
            mode: self.mode(),
            revision: self.revision(),
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
                })
                .collect(),
            objects: self
                .objects()
                .map(|(id, object)| ObjectRecord {
                    id,
                    kind: object.kind(),
                    name: object.name().to_owned(),
                })
                .collect(),
        }
    }

    /// Reads a document straight from a serde deserializer, naming the path
    /// of any error, structural (`` users[2].colour: unknown field `colour` ``)
    /// or semantic (`` roles[3].permissions[1]: unknown permission `queue.fly` ``).
    ///
    /// # Errors
    ///
    /// [`Error::Document`] with the path and what is wrong: malformed input,
    /// unknown fields, unknown permission or kind names, and everything
    /// [`Company::from_document`] refuses. Never panics, whatever the input.
    ///
    /// # Example: a document with a misspelt permission
    ///
    /// ```
    /// use callgate::{Company, Permissions};
    ///
    /// let json = r#"{"format":1,"mode":"simple","revision":1,
    ///   "nextIds":{"users":0,"groups":0,"roles":4,"projects":0,"objects":0},
    ///   "users":[],"groups":[],"projects":[],"objects":[],
    ///   "roles":[{"id":0,"name":"Admin","builtin":true},{"id":1,"name":"Supervisor","builtin":true},
    ///            {"id":2,"name":"Operator","builtin":true},
    ///            {"id":3,"name":"QA","permissions":["qa_checks.view","queue.fly"]}]}"#;
    /// let err = Company::<Permissions>::load(&mut serde_json::Deserializer::from_str(json)).unwrap_err();
    /// assert!(err.to_string().starts_with("roles[3].permissions[1]: unknown permission `queue.fly`"));
    /// ```
    pub fn load<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, Error> {
        let document: Document<P> =
            serde_path_to_error::deserialize(deserializer).map_err(|error| {
                let path = error.path().to_string();
                let path = if path == "." {
                    "document".to_owned()
                } else {
                    path
                };
                document_error(path, error.inner())
            })?;
        Self::from_document(document)
    }

    /// Builds a company from a document, after checking it all.
    ///
    /// # Errors
    ///
    /// [`Error::Document`] naming the path of the first problem found: a
    /// format version from the future; a revision past `i64::MAX`
    /// (no company reaches it, and changes would overflow); an id at or past `nextIds`, or given
    /// twice; a blank or duplicate name; a reference to a missing user,
    /// group, role, project or object; a built-in role missing, or stored
    /// with other permissions or another name; a custom role on a built-in
    /// id; a `defaultProject` that is missing or not named `Default`;
    /// enhanced mode without one; a session revision past the document's
    /// revision; users but no Admin.
    pub fn from_document(document: Document<P>) -> Result<Self, Error> {
        Loader::default().load(document)
    }
}

fn document_error(path: String, message: impl std::fmt::Display) -> Error {
    Error::Document {
        path,
        message: message.to_string(),
    }
}

/// Checks a document and builds the record tables, path by path.
#[derive(Default)]
struct Loader {
    user_ids: HashSet<UserId>,
    group_ids: HashSet<GroupId>,
    role_ids: HashSet<RoleId>,
    project_ids: HashSet<ProjectId>,
    object_ids: HashSet<ObjectId>,
}

/// Builds a table of `len` empty slots (`len` comes from `nextIds`, which
/// every id was checked to be below).
///
/// The memory is asked for with `try_reserve`, so a document that names
/// more ids than the machine can hold is refused instead of aborting.
fn table<T>(len: u32, path: &str) -> Result<Vec<Option<T>>, Error> {
    let mut table = Vec::new();
    table.try_reserve_exact(len as usize).map_err(|_| {
        document_error(
            path.to_owned(),
            format_args!("{len} ids are more than this machine can hold"),
        )
    })?;
    table.resize_with(len as usize, || None);
    Ok(table)
}

impl Loader {
    fn load<P: PermissionFlags>(mut self, document: Document<P>) -> Result<Company<P>, Error> {
        if document.format == 0 || document.format > FORMAT_VERSION {
            return Err(document_error(
                "format".into(),
                unreadable_format(document.format),
            ));
        }
        self.check_catalog(&document)?;
        // Every change adds one to the revision. No company reaches 2^63
        // changes, and this bound leaves a loaded company room for more
        // changes than it could ever take, so `apply` never overflows.
        if document.revision > MAX_REVISION {
            return Err(document_error(
                "revision".into(),
                format_args!(
                    "revision {} is past the largest a company can reach ({MAX_REVISION})",
                    document.revision
                ),
            ));
        }
        let next = document.next_ids;
        // Each accepted change makes at most one record, and a company starts
        // with its three built-in roles: more ids than that were never given
        // out by this library.
        let given_out = [next.users, next.groups, next.projects, next.objects]
            .into_iter()
            .map(u64::from)
            .sum::<u64>()
            + u64::from(next.roles.saturating_sub(BuiltinRole::ALL.len() as u32));
        if given_out > document.revision {
            return Err(document_error(
                "nextIds".into(),
                format_args!(
                    "{given_out} ids were given out, but only {} changes were made (revision)",
                    document.revision
                ),
            ));
        }
        self.check_ids(&document, next)?;
        // Tables are as long as `nextIds` says; checked ids index them.
        let mut users = table::<User>(next.users, "nextIds.users")?;
        let mut groups = table::<Group>(next.groups, "nextIds.groups")?;
        let mut roles = table::<Role<P>>(next.roles, "nextIds.roles")?;
        let mut projects = table::<Project>(next.projects, "nextIds.projects")?;
        let mut objects = table::<Object<P>>(next.objects, "nextIds.objects")?;

        self.load_roles(&document, &mut roles)?;
        let mut seen = HashSet::new();
        for (i, record) in document.users.iter().enumerate() {
            let path = At::new("users", i);
            name_ok(path, crate::EntityKind::User, &record.name, &mut seen)?;
            if record.sessions_valid_from > document.revision {
                return Err(document_error(
                    format!("{path}.sessionsValidFrom"),
                    format_args!(
                        "revision {} is past the document's revision {}",
                        record.sessions_valid_from, document.revision
                    ),
                ));
            }
            let mut user = User::new(record.name.clone());
            user.sessions_from = record.sessions_valid_from;
            for (j, &role) in record.roles.iter().enumerate() {
                self.role(path.item("roles", j), role)?;
                user.roles.insert(role);
                if let Some(Some(r)) = roles.get_mut(role.index()) {
                    r.users.insert(record.id);
                }
            }
            users[record.id.index()] = Some(user);
        }
        let mut seen = HashSet::new();
        for (i, record) in document.groups.iter().enumerate() {
            let path = At::new("groups", i);
            name_ok(path, crate::EntityKind::Group, &record.name, &mut seen)?;
            let mut group = Group::new(record.name.clone());
            for (j, &user) in record.members.iter().enumerate() {
                self.user(path.item("members", j), user)?;
                group.members.insert(user);
                if let Some(Some(u)) = users.get_mut(user.index()) {
                    u.groups.insert(record.id);
                }
            }
            for (j, &role) in record.roles.iter().enumerate() {
                self.role(path.item("roles", j), role)?;
                group.roles.insert(role);
                if let Some(Some(r)) = roles.get_mut(role.index()) {
                    r.groups.insert(record.id);
                }
            }
            groups[record.id.index()] = Some(group);
        }
        let mut seen = HashSet::new();
        for (i, record) in document.objects.iter().enumerate() {
            let path = At::new("objects", i);
            if !seen.insert((record.kind, record.name.as_str())) {
                return Err(document_error(
                    format!("{path}.name"),
                    format_args!(
                        "duplicate {} name `{}`",
                        crate::catalog::kind_name::<P>(record.kind),
                        record.name
                    ),
                ));
            }
            name_ok(
                path,
                crate::EntityKind::Object,
                &record.name,
                &mut HashSet::new(),
            )?;
            objects[record.id.index()] = Some(Object {
                kind: record.kind,
                name: record.name.clone(),
                projects: crate::short_set::ShortSet::new(),
            });
        }
        let mut seen = HashSet::new();
        for (i, record) in document.projects.iter().enumerate() {
            let path = At::new("projects", i);
            name_ok(path, crate::EntityKind::Project, &record.name, &mut seen)?;
            let mut project = Project::new(record.name.clone(), record.description.clone());
            for (j, &user) in record.users.iter().enumerate() {
                self.user(path.item("users", j), user)?;
                project.users.insert(user);
                if let Some(Some(u)) = users.get_mut(user.index()) {
                    u.projects.insert(record.id);
                }
            }
            for (j, &group) in record.groups.iter().enumerate() {
                self.group(path.item("groups", j), group)?;
                project.groups.insert(group);
                if let Some(Some(g)) = groups.get_mut(group.index()) {
                    g.projects.insert(record.id);
                }
            }
            for (j, &object) in record.objects.iter().enumerate() {
                self.object(path.item("objects", j), object)?;
                project.objects.insert(object);
                if let Some(Some(o)) = objects.get_mut(object.index()) {
                    o.projects.insert(record.id);
                }
            }
            projects[record.id.index()] = Some(project);
        }
        self.check_default_project(&document)?;
        let company = Company::from_tables(Tables {
            mode: document.mode,
            revision: document.revision,
            default_project: document.default_project,
            users,
            groups,
            roles,
            projects,
            objects,
        });
        if company.users().next().is_some()
            && company
                .role_holders(RoleId::ADMIN)
                .map_or(true, |h| h.is_empty())
        {
            // The Admin record is there (checked by `load_roles`), though not
            // necessarily first.
            let admin = document
                .roles
                .iter()
                .position(|r| r.id == RoleId::ADMIN)
                .unwrap_or(0);
            return Err(document_error(
                format!("roles[{admin}]"),
                "no user holds the Admin role: the company would be locked out",
            ));
        }
        Ok(company)
    }

    /// Every id below `nextIds` and given once; remembers them for references.
    /// The catalog named fits the company's: version 2 names it (checked
    /// while parsing with `load`, again here for `from_document`); version
    /// 1 was the standard catalog's.
    fn check_catalog<P: PermissionFlags>(&self, document: &Document<P>) -> Result<(), Error> {
        match (&document.catalog, document.format) {
            (None, 1) | (Some(_), 2..) => catalog_mismatch::<P>(document.catalog.as_ref())
                .map_or(Ok(()), |message| {
                    Err(document_error("catalog".into(), message))
                }),
            (None, _) => Err(document_error(
                "catalog".into(),
                format_args!(
                    "format {} needs the catalog's name and version",
                    document.format
                ),
            )),
            (Some(_), _) => Err(document_error(
                "catalog".into(),
                "a format 1 document names no catalog",
            )),
        }
    }

    fn check_ids<P: PermissionFlags>(
        &mut self,
        document: &Document<P>,
        next: NextIds,
    ) -> Result<(), Error> {
        fn each<I: Copy + Eq + std::hash::Hash + std::fmt::Display>(
            list: &str,
            kind: &str,
            ids: impl Iterator<Item = (I, u32)>,
            limit: u32,
            limit_name: &str,
            mut insert: impl FnMut(I) -> bool,
        ) -> Result<(), Error> {
            for (i, (id, number)) in ids.enumerate() {
                if number >= limit {
                    return Err(document_error(
                        format!("{list}[{i}].id"),
                        format_args!(
                            "{kind} id `{id}` is not below nextIds.{limit_name} ({limit})"
                        ),
                    ));
                }
                if !insert(id) {
                    return Err(document_error(
                        format!("{list}[{i}].id"),
                        format_args!("duplicate {kind} id `{id}`"),
                    ));
                }
            }
            Ok(())
        }
        let Self {
            user_ids,
            group_ids,
            role_ids,
            project_ids,
            object_ids,
        } = self;
        each(
            "users",
            "user",
            document.users.iter().map(|r| (r.id, r.id.get())),
            next.users,
            "users",
            |id| user_ids.insert(id),
        )?;
        each(
            "groups",
            "group",
            document.groups.iter().map(|r| (r.id, r.id.get())),
            next.groups,
            "groups",
            |id| group_ids.insert(id),
        )?;
        each(
            "roles",
            "role",
            document.roles.iter().map(|r| (r.id, r.id.get())),
            next.roles,
            "roles",
            |id| role_ids.insert(id),
        )?;
        each(
            "projects",
            "project",
            document.projects.iter().map(|r| (r.id, r.id.get())),
            next.projects,
            "projects",
            |id| project_ids.insert(id),
        )?;
        each(
            "objects",
            "object",
            document.objects.iter().map(|r| (r.id, r.id.get())),
            next.objects,
            "objects",
            |id| object_ids.insert(id),
        )
    }

    fn load_roles<P: PermissionFlags>(
        &self,
        document: &Document<P>,
        roles: &mut [Option<Role<P>>],
    ) -> Result<(), Error> {
        let mut seen = HashSet::new();
        let mut builtins_found = BTreeSet::new();
        for (i, record) in document.roles.iter().enumerate() {
            let path = At::new("roles", i);
            name_ok(path, crate::EntityKind::Role, &record.name, &mut seen)?;
            let role = match (BuiltinRole::from_id(record.id), record.builtin) {
                (Some(builtin), true) => {
                    if record.name != builtin.name() {
                        return Err(document_error(
                            format!("{path}.name"),
                            format_args!(
                                "built-in role {} is `{}`, not `{}`",
                                record.id,
                                builtin.name(),
                                record.name
                            ),
                        ));
                    }
                    let changed = |what: &str| {
                        document_error(
                            format!("{path}.{what}"),
                            format_args!("built-in role `{}` cannot be changed", builtin.name()),
                        )
                    };
                    if record
                        .permissions
                        .is_some_and(|p| p.close() != builtin.permissions_in::<P>())
                    {
                        return Err(changed("permissions"));
                    }
                    if !record.description.is_empty()
                        && record.description != builtin.description_in::<P>()
                    {
                        return Err(changed("description"));
                    }
                    if record.put_users_offline {
                        return Err(changed("putUsersOffline"));
                    }
                    builtins_found.insert(record.id);
                    Role::builtin(builtin)
                }
                (None, true) => {
                    return Err(document_error(
                        format!("{path}.builtin"),
                        format_args!("role id `{}` is not a built-in role", record.id),
                    ))
                }
                (Some(builtin), false) => {
                    return Err(document_error(
                        format!("{path}.id"),
                        format_args!(
                            "role id `{}` belongs to built-in role `{}`",
                            record.id,
                            builtin.name()
                        ),
                    ))
                }
                (None, false) => Role {
                    name: record.name.clone(),
                    description: record.description.clone(),
                    permissions: record.permissions.unwrap_or_default().close(),
                    builtin: None,
                    put_users_offline: record.put_users_offline,
                    users: IndexSet::new(),
                    groups: IndexSet::new(),
                },
            };
            if let Some(slot) = roles.get_mut(record.id.index()) {
                *slot = Some(role);
            }
        }
        for builtin in BuiltinRole::ALL {
            if !builtins_found.contains(&builtin.id()) {
                return Err(document_error(
                    "roles".into(),
                    format_args!("built-in role `{}` is missing", builtin.name()),
                ));
            }
        }
        Ok(())
    }

    fn check_default_project<P: PermissionFlags>(
        &self,
        document: &Document<P>,
    ) -> Result<(), Error> {
        match document.default_project {
            Some(id) => {
                let record = document.projects.iter().find(|p| p.id == id);
                match record {
                    None => Err(document_error(
                        "defaultProject".into(),
                        format_args!("unknown project id `{id}`"),
                    )),
                    Some(p) if p.name != DEFAULT_PROJECT_NAME => Err(document_error(
                        "defaultProject".into(),
                        format_args!("project `{}` is not named `{DEFAULT_PROJECT_NAME}`", p.name),
                    )),
                    Some(_) => Ok(()),
                }
            }
            None if document.mode == SecurityMode::Enhanced => Err(document_error(
                "defaultProject".into(),
                "enhanced mode needs the Default project",
            )),
            None => Ok(()),
        }
    }

    fn user(&self, path: At, id: UserId) -> Result<(), Error> {
        reference(path, "user", id, self.user_ids.contains(&id))
    }

    fn group(&self, path: At, id: GroupId) -> Result<(), Error> {
        reference(path, "group", id, self.group_ids.contains(&id))
    }

    fn role(&self, path: At, id: RoleId) -> Result<(), Error> {
        reference(path, "role", id, self.role_ids.contains(&id))
    }

    fn object(&self, path: At, id: ObjectId) -> Result<(), Error> {
        reference(path, "object", id, self.object_ids.contains(&id))
    }
}

/// Where in a document: `users[3]` or `users[3].roles[0]`. Free to make;
/// written out only for an error, so checking a large document formats
/// nothing.
#[derive(Debug, Clone, Copy)]
struct At {
    list: &'static str,
    index: usize,
    inner: Option<(&'static str, usize)>,
}

impl At {
    fn new(list: &'static str, index: usize) -> Self {
        Self {
            list,
            index,
            inner: None,
        }
    }

    fn item(self, list: &'static str, index: usize) -> Self {
        Self {
            inner: Some((list, index)),
            ..self
        }
    }
}

impl std::fmt::Display for At {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}[{}]", self.list, self.index)?;
        match self.inner {
            Some((field, index)) => write!(f, ".{field}[{index}]"),
            None => Ok(()),
        }
    }
}

fn reference(path: At, kind: &str, id: impl std::fmt::Display, known: bool) -> Result<(), Error> {
    if known {
        Ok(())
    } else {
        Err(document_error(
            path.to_string(),
            format_args!("unknown {kind} id `{id}`"),
        ))
    }
}

/// A valid name, not seen before among `seen`.
fn name_ok<'a>(
    path: At,
    kind: crate::EntityKind,
    name: &'a str,
    seen: &mut HashSet<&'a str>,
) -> Result<(), Error> {
    if crate::company::validate::check_name(kind, name).is_err() {
        return Err(document_error(
            format!("{path}.name"),
            format_args!("invalid {kind} name `{name}`"),
        ));
    }
    if !seen.insert(name) {
        return Err(document_error(
            format!("{path}.name"),
            format_args!("duplicate {kind} name `{name}`"),
        ));
    }
    Ok(())
}
