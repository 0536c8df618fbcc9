//! Building the company of a checked document: each record made once, with
//! every link, and appended to its table in id order; then the snapshot.

use super::ids::Grouped;
use super::{Links, Loader, document_error};
use crate::chunked::Nested;
use crate::company::compile::Tables;
use crate::company::names::Names;
use crate::document::{Document, GroupRecord, NextIds, ObjectRecord, UserRecord};
use crate::project::References;
use crate::short_set::{ManySet, ShortSet};
use crate::{
    Company, EntityKind, Error, Group, Limits, Object, PermissionFlags, Project, Role, RoleId, User,
};

impl<P: PermissionFlags> Loader<P> {
    /// The company of `document`, which `self` has checked: the records
    /// take the document's names and lists (nothing is copied twice), the
    /// links noted while checking, and the name indexes built then.
    pub(super) fn build(self, document: Document<P>, limits: Limits) -> Result<Company<P>, Error> {
        let Self {
            names,
            built_roles,
            links,
            ..
        } = self;
        let mut tables = tables(&document, limits, names);
        let Document {
            next_ids,
            users,
            groups,
            roles: _,
            projects,
            objects,
            ..
        } = document;
        build_roles(built_roles, &links, &mut tables)?;
        build_users(users, &links, &mut tables)?;
        build_groups(groups, &links, &mut tables)?;
        build_objects(objects, &links, &mut tables)?;
        for record in projects {
            let project = Project {
                name: record.name.into(),
                description: record.description,
                users: sorted_set(&record.users),
                groups: sorted_set(&record.groups),
                objects: sorted_set(&record.objects),
            };
            let id = record.id.index();
            place(&mut tables.projects, id, project, EntityKind::Project)?;
        }
        grow_all(&mut tables, next_ids)?;
        Company::from_tables(tables).map_err(|_| {
            document_error(
                "nextIds".into(),
                "the ids named are more than this machine can hold",
            )
        })
    }
}

/// The roles, with their users and groups (company-wide and within
/// projects).
fn build_roles<P: PermissionFlags>(
    roles: Vec<(RoleId, Role<P>)>,
    links: &Links,
    tables: &mut Tables<P>,
) -> Result<(), Error> {
    let users = Grouped::new(roles.len(), &links.role_users);
    let groups = Grouped::new(roles.len(), &links.role_groups);
    let project_users = Grouped::new(roles.len(), &links.role_project_users);
    let project_groups = Grouped::new(roles.len(), &links.role_project_groups);
    for (at, (id, mut role)) in roles.into_iter().enumerate() {
        role.users = sorted_set(users.of(at));
        role.groups = sorted_set(groups.of(at));
        role.project_users = project_users.of(at).iter().copied().collect();
        role.project_groups = project_groups.of(at).iter().copied().collect();
        place(&mut tables.roles, id.index(), role, EntityKind::Role)?;
    }
    Ok(())
}

/// The users, with their groups, projects and roles within projects; adds
/// what they own to `tables.records_heap`.
fn build_users<P: PermissionFlags>(
    users: Vec<UserRecord>,
    links: &Links,
    tables: &mut Tables<P>,
) -> Result<(), Error> {
    let groups = Grouped::new(users.len(), &links.user_groups);
    let projects = Grouped::new(users.len(), &links.user_projects);
    let project_roles = Grouped::new(users.len(), &links.user_project_roles);
    for (at, record) in users.into_iter().enumerate() {
        let user = User {
            name: record.name.into(),
            roles: ShortSet::from_distinct(&record.roles),
            groups: ShortSet::from_distinct(groups.of(at)),
            projects: ShortSet::from_distinct(projects.of(at)),
            project_roles: ShortSet::from_distinct(project_roles.of(at)),
            sessions_from: record.sessions_valid_from,
        };
        tables.records_heap += user.heap_bytes();
        place(&mut tables.users, record.id.index(), user, EntityKind::User)?;
    }
    Ok(())
}

/// The groups, with their projects and roles within projects.
fn build_groups<P: PermissionFlags>(
    groups: Vec<GroupRecord>,
    links: &Links,
    tables: &mut Tables<P>,
) -> Result<(), Error> {
    let projects = Grouped::new(groups.len(), &links.group_projects);
    let project_roles = Grouped::new(groups.len(), &links.group_project_roles);
    for (at, record) in groups.into_iter().enumerate() {
        let group = Group {
            name: record.name.into(),
            members: sorted_set(&record.members),
            roles: ShortSet::from_distinct(&record.roles),
            projects: ShortSet::from_distinct(projects.of(at)),
            project_roles: ShortSet::from_distinct(project_roles.of(at)),
        };
        let id = record.id.index();
        place(&mut tables.groups, id, group, EntityKind::Group)?;
    }
    Ok(())
}

/// The objects, with their projects and references; adds what they own to
/// `tables.records_heap`.
fn build_objects<P: PermissionFlags>(
    objects: Vec<ObjectRecord<P>>,
    links: &Links,
    tables: &mut Tables<P>,
) -> Result<(), Error> {
    let projects = Grouped::new(objects.len(), &links.object_projects);
    // Found in the users' id order: each object's users come sorted.
    let used_by = Grouped::new(objects.len(), &links.object_users);
    for (at, record) in objects.into_iter().enumerate() {
        let object = Object {
            kind: record.kind,
            name: record.name.into(),
            projects: ShortSet::from_distinct(projects.of(at)),
            references: References::boxed(
                ShortSet::from_distinct(&record.uses),
                ShortSet::from_distinct(used_by.of(at)),
            ),
        };
        tables.records_heap += object.heap_bytes();
        let id = record.id.index();
        place(&mut tables.objects, id, object, EntityKind::Object)?;
    }
    Ok(())
}

/// Empty tables for `document`'s company, with its name indexes.
fn tables<P: PermissionFlags>(document: &Document<P>, limits: Limits, names: Names) -> Tables<P> {
    Tables {
        id: document.company.unwrap_or_else(crate::CompanyId::random),
        limits,
        mode: document.mode,
        revision: document.revision,
        // Nothing comes before revision 0; past it, a document without the
        // chain leaves it unknown.
        chain: match document.revision {
            0 => Some(crate::EntryDigest::GENESIS),
            _ => document.chain,
        },
        default_project: document.default_project,
        users: Nested::default(),
        groups: Nested::default(),
        roles: Nested::default(),
        projects: Nested::default(),
        objects: Nested::default(),
        names,
        records_heap: 0,
    }
}

/// The set of `ids`, sorted and each once (checked so, or found so).
fn sorted_set<T: Ord + Clone>(ids: &[T]) -> ManySet<T> {
    ids.iter().cloned().collect()
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
