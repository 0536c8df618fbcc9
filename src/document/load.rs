//! Loading a [`Document`]: every check a hand-edited, corrupted or hostile
//! document needs, each naming the path of the problem, and the record
//! tables built from it, links both ways.
//!
//! Memory: nothing is sized from a number in the document until the number
//! is checked against the host's [`Limits`]; tables grow with the records
//! they hold, and ids never used (a deleted record's, or a hostile
//! `nextIds`) cost one shared chunk pointer per chunk. Time: one pass over
//! the records to check them, each name hashed once into the name index it
//! ends in and each reference found by position (`ids`), then one to make
//! each record once with all its links (`build`).

use serde::Deserializer;

mod build;
mod ids;
mod records;
mod references;
mod within;

use super::{Document, FORMAT_VERSION, NextIds, catalog_mismatch, unreadable_format};
use crate::company::names::{NameIndex, Names};
use crate::{
    BuiltinRole, Company, EntityKind, Error, GroupId, Limits, MAX_REVISION, PermissionFlags,
    ProjectId, Role, RoleId, UserId,
};
use ids::Positions;

/// Loading a company of the standard catalog: `Company::load(..)` needs no
/// type annotation. A product's companies load with [`Company::load_for`].
impl Company {
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
    /// use callgate::Company;
    ///
    /// let json = r#"{"format":1,"mode":"simple","revision":1,
    ///   "nextIds":{"users":0,"groups":0,"roles":4,"projects":0,"objects":0},
    ///   "users":[],"groups":[],"projects":[],"objects":[],
    ///   "roles":[{"id":0,"name":"Admin","builtin":true},{"id":1,"name":"Supervisor","builtin":true},
    ///            {"id":2,"name":"Operator","builtin":true},
    ///            {"id":3,"name":"QA","permissions":["qa_checks.view","queue.fly"]}]}"#;
    /// let err = Company::load(&mut serde_json::Deserializer::from_str(json)).unwrap_err();
    /// assert_eq!(err.to_string(), "roles[3].permissions[1]: unknown permission `queue.fly`");
    /// ```
    pub fn load<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, Error> {
        Self::load_for(deserializer)
    }

    /// [`Company::load`] with the host's `limits` as the loaded company's
    /// quota ([`Company::set_limits`]): it refuses new records past them.
    ///
    /// The document itself is read within
    /// [`limits.loading_bound()`](Limits::loading_bound), not within the
    /// quota: a company whose quota was lowered below the ids it had given
    /// out keeps its records, and must restart from its own document.
    ///
    /// # Errors
    ///
    /// Every error of [`Company::load`]; a document whose `nextIds` name more
    /// ids of a kind than the loading bound is refused at `nextIds`.
    ///
    /// # Example: a tenant whose quota was cut to 1,000 users
    ///
    /// ```
    /// use callgate::{Company, EntityKind, Error, Limits};
    ///
    /// let mut big = Company::new();
    /// for i in 0..1_001 {
    ///     big.create_user(&format!("user{i}"))?;
    /// }
    /// let json = serde_json::to_string(&big.to_document())?;
    ///
    /// let mut quota = Limits::DEFAULT;
    /// quota.users = 1_000;
    /// let mut tenant = Company::load_with_limits(&mut serde_json::Deserializer::from_str(&json), quota)?;
    /// assert_eq!(tenant.users().count(), 1_001); // its own records, all kept
    /// assert_eq!(
    ///     tenant.create_user("one_more").unwrap_err(),
    ///     Error::LimitReached { kind: EntityKind::User, limit: 1_000 },
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn load_with_limits<'de, D: Deserializer<'de>>(
        deserializer: D,
        limits: Limits,
    ) -> Result<Self, Error> {
        Self::load_for_with_limits(deserializer, limits)
    }
}

impl<P: PermissionFlags> Company<P> {
    /// [`Company::load`] for a company of any catalog, `P` being the
    /// product's flags type: `Company::<MyPermissions>::load_for(..)`. The
    /// same checks, errors and paths; a document of another catalog is
    /// refused at `catalog`.
    ///
    /// # Errors
    ///
    /// Every error of [`Company::load`].
    pub fn load_for<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, Error> {
        Self::load_for_with_limits(deserializer, Limits::DEFAULT)
    }

    /// [`Company::load_for`] within the host's `limits`, which the loaded
    /// company keeps.
    ///
    /// # Errors
    ///
    /// Every error of [`Company::load_with_limits`].
    pub fn load_for_with_limits<'de, D: Deserializer<'de>>(
        deserializer: D,
        limits: Limits,
    ) -> Result<Self, Error> {
        crate::trace::enter_span!("load", from = "json");
        let loaded = read(deserializer)
            .and_then(|document| Self::from_document_with_limits(document, limits));
        crate::trace::loaded(&loaded);
        loaded
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
    /// - an object that uses itself; in enhanced mode, an object that uses
    ///   one with which it shares no project (DOMAIN rule 26);
    /// - a `defaultProject` that is missing or not named `Default`; enhanced
    ///   mode without one; a session revision past the document's revision;
    ///   users but no Admin.
    pub fn from_document(document: Document<P>) -> Result<Self, Error> {
        Self::from_document_with_limits(document, Limits::DEFAULT)
    }

    /// [`Company::from_document`] with the host's `limits` as the loaded
    /// company's quota; the document is read within
    /// [`limits.loading_bound()`](Limits::loading_bound) (see
    /// [`Company::load_with_limits`]).
    ///
    /// # Errors
    ///
    /// Every error of [`Company::from_document`].
    pub fn from_document_with_limits(document: Document<P>, limits: Limits) -> Result<Self, Error> {
        Loader::load(document, limits)
    }
}

/// The document `deserializer` reads, its errors naming their path.
pub(super) fn read<'de, P: PermissionFlags, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Document<P>, Error> {
    serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let path = error.path().to_string();
        let path = if path == "." {
            "document".to_owned()
        } else {
            path
        };
        document_error(path, error.inner())
    })
}

pub(super) fn document_error(path: String, message: impl std::fmt::Display) -> Error {
    Error::Document {
        path,
        message: message.to_string(),
    }
}

/// Checks a document, path by path, and gathers what building its
/// company needs: where each record is by id, the name indexes (built as
/// the names are checked, each name hashed once), the roles, and the links
/// each record stores of the other side (a role's users, a user's groups
/// and projects, ...), so that `build` makes every record once.
struct Loader<P: PermissionFlags> {
    users: Positions,
    groups: Positions,
    roles: Positions,
    projects: Positions,
    objects: Positions,
    names: Names,
    /// The roles, in document order, without their links.
    built_roles: Vec<(RoleId, Role<P>)>,
    links: Links,
}

impl<P: PermissionFlags> Default for Loader<P> {
    fn default() -> Self {
        Self {
            users: Positions::default(),
            groups: Positions::default(),
            roles: Positions::default(),
            projects: Positions::default(),
            objects: Positions::default(),
            names: Names::default(),
            built_roles: Vec::new(),
            links: Links::default(),
        }
    }
}

/// The links found while checking, each as (position of the record that
/// stores it, what it stores), in the order found: by id of the record
/// that lists them.
#[derive(Default)]
struct Links {
    role_users: Vec<(u32, UserId)>,
    role_groups: Vec<(u32, GroupId)>,
    user_groups: Vec<(u32, GroupId)>,
    user_projects: Vec<(u32, ProjectId)>,
    group_projects: Vec<(u32, ProjectId)>,
    object_projects: Vec<(u32, ProjectId)>,
    /// (the used object, the object that uses it).
    object_users: Vec<(u32, crate::ObjectId)>,
    user_project_roles: Vec<(u32, (ProjectId, RoleId))>,
    group_project_roles: Vec<(u32, (ProjectId, RoleId))>,
    role_project_users: Vec<(u32, (UserId, ProjectId))>,
    role_project_groups: Vec<(u32, (GroupId, ProjectId))>,
}

impl<P: PermissionFlags> Loader<P> {
    /// Checks a document and builds its company, step by step. The first
    /// problem found is the error, so the order of the steps is part of the
    /// contract (the tests pin it): the header (format, catalog, company,
    /// revision, limits), the ids, the roles, the users, the groups, the
    /// objects, the projects, the objects' references, the default
    /// project, the Admin role's holders, the ends of grants, and last the
    /// duty constraints (DOMAIN rule 25).
    fn load(mut document: Document<P>, limits: Limits) -> Result<Company<P>, Error> {
        check_header(&document)?;
        check_limits(document.next_ids, limits)?;
        let mut loader = Self::default();
        loader.check_ids(&document, document.next_ids)?;
        loader.check_roles(&document)?;
        loader.check_users(&document)?;
        loader.check_groups(&document)?;
        loader.check_objects(&document)?;
        loader.check_projects(&document)?;
        loader.check_references(&document)?;
        records::check_default_project(&document)?;
        // `check_roles` found the Admin record, though not necessarily
        // first.
        let admin = loader.roles.of(RoleId::ADMIN.get()).unwrap_or(0);
        let grant_ends = std::mem::take(&mut document.grant_ends);
        let duties = std::mem::take(&mut document.duty_constraints);
        let mut company = loader.build(document, limits)?;
        records::check_admin_held(&company, admin)?;
        company.load_grant_ends(&grant_ends)?;
        company.declare_loaded_duties(duties)?;
        Ok(company)
    }

    /// Every id below `nextIds`, the records in id order (so each id once);
    /// remembers where each is.
    fn check_ids(&mut self, document: &Document<P>, next: NextIds) -> Result<(), Error> {
        fn each<I: Copy + std::fmt::Display>(
            list: &str,
            kind: &str,
            ids: impl ExactSizeIterator<Item = (I, u32)>,
            limit: u32,
            positions: &mut Positions,
        ) -> Result<(), Error> {
            let mut numbers = Vec::with_capacity(ids.len());
            let mut previous = None;
            for (i, (id, number)) in ids.enumerate() {
                if number >= limit {
                    return Err(document_error(
                        format!("{list}[{i}].id"),
                        format_args!("{kind} id `{id}` is not below nextIds.{list} ({limit})"),
                    ));
                }
                in_order(previous, number, || format!("{list}[{i}].id"), kind, id)?;
                previous = Some(number);
                numbers.push(number);
            }
            *positions = Positions::new(numbers);
            Ok(())
        }
        each(
            "users",
            "user",
            document.users.iter().map(|r| (r.id, r.id.get())),
            next.users,
            &mut self.users,
        )?;
        each(
            "groups",
            "group",
            document.groups.iter().map(|r| (r.id, r.id.get())),
            next.groups,
            &mut self.groups,
        )?;
        each(
            "roles",
            "role",
            document.roles.iter().map(|r| (r.id, r.id.get())),
            next.roles,
            &mut self.roles,
        )?;
        each(
            "projects",
            "project",
            document.projects.iter().map(|r| (r.id, r.id.get())),
            next.projects,
            &mut self.projects,
        )?;
        each(
            "objects",
            "object",
            document.objects.iter().map(|r| (r.id, r.id.get())),
            next.objects,
            &mut self.objects,
        )
    }
}

/// The format version this library reads, the catalog, and a revision
/// that fits the ids given out.
fn check_header<P: PermissionFlags>(document: &Document<P>) -> Result<(), Error> {
    if document.format == 0 || document.format > FORMAT_VERSION {
        return Err(document_error(
            "format".into(),
            unreadable_format(document.format),
        ));
    }
    check_catalog(document)?;
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
fn check_catalog<P: PermissionFlags>(document: &Document<P>) -> Result<(), Error> {
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
    if document.revision == 0 && document.chain.is_some() {
        return Err(document_error(
            "chain".into(),
            "a company at revision 0 has no entry before it: the chain is left out",
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

/// No more ids of each kind than the limits' loading bound allows: checked
/// before anything is sized from them. The bound, not the quota: a company
/// whose quota was lowered below the ids it gave out still loads (see
/// "A quota for new records, a bound for what is read" on [`Limits`]).
fn check_limits(next: NextIds, limits: Limits) -> Result<(), Error> {
    let limits = limits.loading_bound();
    let counts = [
        (EntityKind::User, next.users),
        (EntityKind::Group, next.groups),
        (EntityKind::Role, next.roles),
        (EntityKind::Project, next.projects),
        (EntityKind::Object, next.objects),
    ];
    for (kind, count) in counts {
        let limit = limits.of(kind);
        // Project ids stay below `u32::MAX - 1` (`Company::next_id`).
        let ceiling = u32::MAX - u32::from(kind == EntityKind::Project);
        if count > limit || count > ceiling {
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

/// A valid name (at `path.name`), which `index` gets under `id` unless a
/// record it holds has that name already (`name_of`).
fn name_ok<'a>(
    path: At,
    kind: crate::EntityKind,
    id: u32,
    name: &'a str,
    index: &mut NameIndex,
    name_of: impl Fn(u32) -> Option<&'a str>,
) -> Result<(), Error> {
    if crate::company::validate::check_name(kind, name).is_err() {
        return Err(document_error(
            format!("{path}.name"),
            format_args!("invalid {kind} name `{name}`"),
        ));
    }
    if index.insert_unique(id, &name, name_of).is_err() {
        return Err(document_error(
            format!("{path}.name"),
            format_args!("duplicate {kind} name `{name}`"),
        ));
    }
    Ok(())
}
