//! Loading a [`Document`]: every check a hand-edited or corrupted document
//! needs, each naming the path of the problem, and the record tables built
//! from it, links both ways.

use std::collections::{BTreeSet, HashSet};

use serde::Deserializer;

mod within;

use super::{catalog_mismatch, unreadable_format, Document, NextIds, RoleRecord, FORMAT_VERSION};
use crate::catalog::Set;
use crate::company::compile::Tables;
use crate::short_set::ManySet;
use crate::{
    BuiltinRole, Company, Error, Group, GroupId, Object, ObjectId, PermissionFlags, Project,
    ProjectId, Role, RoleId, SecurityMode, User, UserId, DEFAULT_PROJECT_NAME,
};

/// The largest revision a document may have (`i64::MAX`, which also fits
/// the signed 64-bit columns hosts often store it in).
const MAX_REVISION: u64 = i64::MAX as u64;

impl<P: PermissionFlags> Company<P> {
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

/// Puts `record` in slot `id`: `check_ids` proved it below the length.
fn place<T>(table: &mut [Option<T>], id: usize, record: T) {
    if let Some(slot) = table.get_mut(id) {
        *slot = Some(record);
    }
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
    /// Checks a document and builds its company, step by step. The first
    /// problem found is the error, so the order of the steps is part of the
    /// contract (the tests pin it): the header (format, catalog, revision),
    /// the ids, the roles, the users, the groups, the objects, the projects,
    /// the default project, and last the Admin role's holders.
    fn load<P: PermissionFlags>(mut self, document: Document<P>) -> Result<Company<P>, Error> {
        self.check_header(&document)?;
        self.check_ids(&document, document.next_ids)?;
        let mut tables = empty_tables(&document)?;
        self.load_roles(&document, &mut tables.roles)?;
        self.load_users(&document, &mut tables)?;
        self.load_groups(&document, &mut tables)?;
        load_objects(&document, &mut tables.objects)?;
        self.load_projects(&document, &mut tables)?;
        self.check_default_project(&document)?;
        let company = Company::from_tables(tables);
        check_admin_held(&company, &document)?;
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

    /// Every id below `nextIds` and given once; remembers them for references.
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

    /// Checks the roles (names, built-in roles as the code has them, custom
    /// roles off the built-in ids) and stores them; every built-in role must
    /// be there.
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
                    let role = builtin_role(path, record, builtin)?;
                    builtins_found.insert(record.id);
                    role
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
                    name: record.name.as_str().into(),
                    description: record.description.clone(),
                    permissions: record.permissions.unwrap_or_default().close(),
                    builtin: None,
                    put_users_offline: record.put_users_offline,
                    users: ManySet::new(),
                    groups: ManySet::new(),
                    project_users: ManySet::new(),
                    project_groups: ManySet::new(),
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

    /// Checks the users (names, session revisions, references to roles) and
    /// links each to its roles, both ways.
    fn load_users<P: PermissionFlags>(
        &self,
        document: &Document<P>,
        tables: &mut Tables<P>,
    ) -> Result<(), Error> {
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
                if let Some(Some(r)) = tables.roles.get_mut(role.index()) {
                    r.users.insert(record.id);
                }
            }
            place(&mut tables.users, record.id.index(), user);
        }
        Ok(())
    }

    /// Checks the groups (names, references to members and roles) and links
    /// each to its members and roles, both ways.
    fn load_groups<P: PermissionFlags>(
        &self,
        document: &Document<P>,
        tables: &mut Tables<P>,
    ) -> Result<(), Error> {
        let mut seen = HashSet::new();
        for (i, record) in document.groups.iter().enumerate() {
            let path = At::new("groups", i);
            name_ok(path, crate::EntityKind::Group, &record.name, &mut seen)?;
            let mut group = Group::new(record.name.clone());
            for (j, &user) in record.members.iter().enumerate() {
                self.user(path.item("members", j), user)?;
                group.members.insert(user);
                if let Some(Some(u)) = tables.users.get_mut(user.index()) {
                    u.groups.insert(record.id);
                }
            }
            for (j, &role) in record.roles.iter().enumerate() {
                self.role(path.item("roles", j), role)?;
                group.roles.insert(role);
                if let Some(Some(r)) = tables.roles.get_mut(role.index()) {
                    r.groups.insert(record.id);
                }
            }
            place(&mut tables.groups, record.id.index(), group);
        }
        Ok(())
    }

    /// Checks the projects (names, references to users, groups and objects)
    /// and links each to its members and objects, both ways.
    fn load_projects<P: PermissionFlags>(
        &self,
        document: &Document<P>,
        tables: &mut Tables<P>,
    ) -> Result<(), Error> {
        let mut seen = HashSet::new();
        for (i, record) in document.projects.iter().enumerate() {
            let path = At::new("projects", i);
            name_ok(path, crate::EntityKind::Project, &record.name, &mut seen)?;
            let mut project = Project::new(record.name.clone(), record.description.clone());
            for (j, &user) in record.users.iter().enumerate() {
                self.user(path.item("users", j), user)?;
                project.users.insert(user);
                if let Some(Some(u)) = tables.users.get_mut(user.index()) {
                    u.projects.insert(record.id);
                }
            }
            for (j, &group) in record.groups.iter().enumerate() {
                self.group(path.item("groups", j), group)?;
                project.groups.insert(group);
                if let Some(Some(g)) = tables.groups.get_mut(group.index()) {
                    g.projects.insert(record.id);
                }
            }
            for (j, &object) in record.objects.iter().enumerate() {
                self.object(path.item("objects", j), object)?;
                project.objects.insert(object);
                if let Some(Some(o)) = tables.objects.get_mut(object.index()) {
                    o.projects.insert(record.id);
                }
            }
            self.load_member_roles(i, record, &project, tables)?;
            place(&mut tables.projects, record.id.index(), project);
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

/// The record tables, all slots empty, with the document's mode, revision
/// and default project.
fn empty_tables<P: PermissionFlags>(document: &Document<P>) -> Result<Tables<P>, Error> {
    let next = document.next_ids;
    // Tables are as long as `nextIds` says; checked ids index them.
    let users = table::<User>(next.users, "nextIds.users")?;
    let groups = table::<Group>(next.groups, "nextIds.groups")?;
    let roles = table::<Role<P>>(next.roles, "nextIds.roles")?;
    let projects = table::<Project>(next.projects, "nextIds.projects")?;
    let objects = table::<Object<P>>(next.objects, "nextIds.objects")?;
    Ok(Tables {
        mode: document.mode,
        revision: document.revision,
        default_project: document.default_project,
        users,
        groups,
        roles,
        projects,
        objects,
    })
}

/// Checks the objects (names, unique per kind) and stores them; projects
/// link to them later.
fn load_objects<P: PermissionFlags>(
    document: &Document<P>,
    objects: &mut [Option<Object<P>>],
) -> Result<(), Error> {
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
        place(
            objects,
            record.id.index(),
            Object {
                kind: record.kind,
                name: record.name.as_str().into(),
                projects: crate::short_set::ShortSet::new(),
            },
        );
    }
    Ok(())
}

/// A built-in role's record, checked against the code: its name, and no
/// other permissions, description or "put its users offline" setting.
fn builtin_role<P: PermissionFlags>(
    path: At,
    record: &RoleRecord<P>,
    builtin: BuiltinRole,
) -> Result<Role<P>, Error> {
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
    if !record.description.is_empty() && record.description != builtin.description_in::<P>() {
        return Err(changed("description"));
    }
    if record.put_users_offline {
        return Err(changed("putUsersOffline"));
    }
    Ok(Role::builtin(builtin))
}

/// A company with users has someone holding the Admin role: otherwise it
/// would be locked out.
fn check_admin_held<P: PermissionFlags>(
    company: &Company<P>,
    document: &Document<P>,
) -> Result<(), Error> {
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
