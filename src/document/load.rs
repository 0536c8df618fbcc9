//! Loading a [`Document`]: every check a hand-edited, corrupted or hostile
//! document needs, each naming the path of the problem, and the record
//! tables built from it, links both ways.
//!
//! Memory: nothing is sized from a number in the document until the number
//! is checked against the host's [`Limits`]; tables grow with the records
//! they hold, and ids never used (a deleted record's, or a hostile
//! `nextIds`) cost one shared chunk pointer per chunk. Time: one pass over
//! the records, hashing each id and name once.

use std::collections::HashSet;

use serde::Deserializer;

mod records;
mod within;

use super::{catalog_mismatch, unreadable_format, Document, NextIds, FORMAT_VERSION};
use crate::chunked::Nested;
use crate::company::compile::Tables;
use crate::{
    BuiltinRole, Company, EntityKind, Error, GroupId, Limits, ObjectId, PermissionFlags, ProjectId,
    RoleId, UserId, MAX_REVISION,
};

impl<P: PermissionFlags> Company<P> {
    /// Reads a document straight from a serde deserializer, naming the path
    /// of any error, structural (`` users[2].colour: unknown field `colour` ``)
    /// or semantic (`` roles[3].permissions[1]: unknown permission `queue.fly` ``),
    /// within the default [`Limits`].
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
        Self::load_with_limits(deserializer, Limits::DEFAULT)
    }

    /// [`Company::load`] within the host's `limits`, which the loaded
    /// company keeps ([`Company::set_limits`]).
    ///
    /// # Errors
    ///
    /// Every error of [`Company::load`]; a document whose `nextIds` name more
    /// ids of a kind than its limit is refused at `nextIds`.
    ///
    /// # Example: a tenant of at most 1,000 users
    ///
    /// ```
    /// use callgate::{Company, Limits};
    ///
    /// let mut big = Company::new();
    /// for i in 0..1_001 {
    ///     big.create_user(&format!("user{i}"))?;
    /// }
    /// let json = serde_json::to_string(&big.to_document())?;
    ///
    /// let mut limits = Limits::DEFAULT;
    /// limits.users = 1_000;
    /// let refused: Result<Company, _> =
    ///     Company::load_with_limits(&mut serde_json::Deserializer::from_str(&json), limits);
    /// assert_eq!(
    ///     refused.unwrap_err().to_string(),
    ///     "nextIds.users: 1001 user ids are more than the limit of 1000",
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn load_with_limits<'de, D: Deserializer<'de>>(
        deserializer: D,
        limits: Limits,
    ) -> Result<Self, Error> {
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
        Self::from_document_with_limits(document, limits)
    }

    /// Builds a company from a document, after checking it all, within the
    /// default [`Limits`].
    ///
    /// # Errors
    ///
    /// [`Error::Document`] naming the path of the first problem found:
    /// - the header: a format version from the future; a format 2 document
    ///   without its catalog or company id; a revision past
    ///   [`MAX_REVISION`](crate::MAX_REVISION), or below the ids given out;
    ///   more ids of a kind than the limits allow;
    /// - a document that is not canonical (see "Canonical" in [`Document`]):
    ///   records or references out of id order or given twice;
    /// - an id at or past `nextIds`; a blank or duplicate name; a reference
    ///   to a missing user, group, role, project or object;
    /// - a built-in role missing, renamed or stored with more than its name;
    ///   a custom role on a built-in id, or without its permissions;
    /// - a `defaultProject` that is missing or not named `Default`; enhanced
    ///   mode without one; a session revision past the document's revision;
    ///   users but no Admin.
    pub fn from_document(document: Document<P>) -> Result<Self, Error> {
        Self::from_document_with_limits(document, Limits::DEFAULT)
    }

    /// [`Company::from_document`] within the host's `limits`, which the
    /// loaded company keeps.
    ///
    /// # Errors
    ///
    /// Every error of [`Company::from_document`].
    pub fn from_document_with_limits(document: Document<P>, limits: Limits) -> Result<Self, Error> {
        Loader::default().load(document, limits)
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

/// Appends `record` at `id`, the ids before it empty: `check_ids` proved
/// the records sorted by id and below `nextIds`, which the limits bound.
fn place<T: Clone, const BITS: u32>(
    table: &mut Nested<Option<T>, BITS>,
    id: usize,
    record: T,
    kind: EntityKind,
) -> Result<(), Error> {
    grow(table, id, kind)?;
    table.push(Some(record));
    Ok(())
}

/// Grows `table` to `len` ids, the new ones empty. Whole chunks of empty
/// ids share one allocation, and the chunk pointers are asked for with
/// `try_reserve`, so even the largest limits cannot abort the process.
fn grow<T: Clone, const BITS: u32>(
    table: &mut Nested<Option<T>, BITS>,
    len: usize,
    kind: EntityKind,
) -> Result<(), Error> {
    table.try_grow_to(len).map_err(|_| {
        document_error(
            format!("nextIds.{kind}s"),
            format_args!("{len} {kind} ids are more than this machine can hold"),
        )
    })
}

impl Loader {
    /// Checks a document and builds its company, step by step. The first
    /// problem found is the error, so the order of the steps is part of the
    /// contract (the tests pin it): the header (format, catalog, company,
    /// revision, limits), the ids, the roles, the users, the groups, the
    /// objects, the projects, the default project, and last the Admin
    /// role's holders.
    fn load<P: PermissionFlags>(
        mut self,
        document: Document<P>,
        limits: Limits,
    ) -> Result<Company<P>, Error> {
        self.check_header(&document)?;
        check_limits(document.next_ids, limits)?;
        self.check_ids(&document, document.next_ids)?;
        let mut tables = Tables {
            id: document.company.unwrap_or_else(crate::CompanyId::random),
            limits,
            mode: document.mode,
            revision: document.revision,
            default_project: document.default_project,
            users: Nested::default(),
            groups: Nested::default(),
            roles: Nested::default(),
            projects: Nested::default(),
            objects: Nested::default(),
        };
        self.load_roles(&document, &mut tables)?;
        self.load_users(&document, &mut tables)?;
        self.load_groups(&document, &mut tables)?;
        records::load_objects(&document, &mut tables)?;
        self.load_projects(&document, &mut tables)?;
        self.check_default_project(&document)?;
        grow_all(&mut tables, document.next_ids)?;
        let company = Company::from_tables(tables).map_err(|_| {
            document_error(
                "nextIds".into(),
                "the ids named are more than this machine can hold",
            )
        })?;
        records::check_admin_held(&company, &document)?;
        Ok(company)
    }

    /// The format version this library reads, the catalog, and a revision
    /// that fits the ids given out.
    fn check_header<P: PermissionFlags>(&self, document: &Document<P>) -> Result<(), Error> {
        if document.format == 0 || document.format > FORMAT_VERSION {
            return Err(document_error(
                "format".into(),
                unreadable_format(document.format),
            ));
        }
        self.check_catalog(document)?;
        if document.format >= 2 && document.company.is_none() {
            return Err(document_error(
                "company".into(),
                format_args!("format {} needs the company's id", document.format),
            ));
        }
        check_revision(document)
    }

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

    /// Every id below `nextIds`, the records in id order (so each id once);
    /// remembers them for references.
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
            seen: &mut HashSet<I>,
        ) -> Result<(), Error> {
            let mut previous = None;
            for (i, (id, number)) in ids.enumerate() {
                if number >= limit {
                    return Err(document_error(
                        format!("{list}[{i}].id"),
                        format_args!(
                            "{kind} id `{id}` is not below nextIds.{limit_name} ({limit})"
                        ),
                    ));
                }
                in_order(previous, number, || format!("{list}[{i}].id"), kind, id)?;
                previous = Some(number);
                seen.insert(id);
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
            user_ids,
        )?;
        each(
            "groups",
            "group",
            document.groups.iter().map(|r| (r.id, r.id.get())),
            next.groups,
            "groups",
            group_ids,
        )?;
        each(
            "roles",
            "role",
            document.roles.iter().map(|r| (r.id, r.id.get())),
            next.roles,
            "roles",
            role_ids,
        )?;
        each(
            "projects",
            "project",
            document.projects.iter().map(|r| (r.id, r.id.get())),
            next.projects,
            "projects",
            project_ids,
        )?;
        each(
            "objects",
            "object",
            document.objects.iter().map(|r| (r.id, r.id.get())),
            next.objects,
            "objects",
            object_ids,
        )
    }
}

/// The revision is one a company can reach, and no fewer changes than the
/// ids `nextIds` says were given out.
fn check_revision<P: PermissionFlags>(document: &Document<P>) -> Result<(), Error> {
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
    Ok(())
}

/// Grows every table to the ids `nextIds` says were given out.
fn grow_all<P: PermissionFlags>(tables: &mut Tables<P>, next: NextIds) -> Result<(), Error> {
    grow(&mut tables.users, next.users as usize, EntityKind::User)?;
    grow(&mut tables.groups, next.groups as usize, EntityKind::Group)?;
    grow(&mut tables.roles, next.roles as usize, EntityKind::Role)?;
    grow(
        &mut tables.projects,
        next.projects as usize,
        EntityKind::Project,
    )?;
    grow(
        &mut tables.objects,
        next.objects as usize,
        EntityKind::Object,
    )
}

/// No more ids of each kind than the limits allow: checked before anything
/// is sized from them.
fn check_limits(next: NextIds, limits: Limits) -> Result<(), Error> {
    let counts = [
        (EntityKind::User, next.users),
        (EntityKind::Group, next.groups),
        (EntityKind::Role, next.roles),
        (EntityKind::Project, next.projects),
        (EntityKind::Object, next.objects),
    ];
    for (kind, count) in counts {
        let limit = limits.of(kind);
        if count > limit {
            return Err(document_error(
                format!("nextIds.{kind}s"),
                format_args!("{count} {kind} ids are more than the limit of {limit}"),
            ));
        }
    }
    Ok(())
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

/// `number` (the id `id` at `at`) comes after `previous` in a list the
/// canonical form sorts: refuses it given twice or out of order.
fn in_order(
    previous: Option<u32>,
    number: u32,
    at: impl FnOnce() -> String,
    kind: &str,
    id: impl std::fmt::Display,
) -> Result<(), Error> {
    match previous {
        Some(previous) if previous == number => Err(document_error(
            at(),
            format_args!("{kind} id `{id}` is given twice"),
        )),
        Some(previous) if previous > number => Err(document_error(
            at(),
            format_args!("{kind} id `{id}` comes after `{previous}`: the list is sorted by id"),
        )),
        _ => Ok(()),
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
