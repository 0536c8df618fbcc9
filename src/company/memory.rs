//! [`Company::memory_bytes`]: what a company holds, by capacity, worked
//! out from the shape of its tables and a few running counts rather than
//! by visiting every record.

use std::mem::size_of;

use super::Company;
use crate::short_set::ManySet;
use crate::{Group, Object, PermissionFlags, Project, Role, Snapshot, User};

impl User {
    /// The heap bytes the record owns: its name and short link lists.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.name.heap_bytes()
            + self.roles.heap_bytes()
            + self.groups.heap_bytes()
            + self.projects.heap_bytes()
            + self.project_roles.heap_bytes()
    }
}

impl<P: PermissionFlags> Object<P> {
    /// The heap bytes the record owns: its name, its projects and the
    /// objects it uses and is used by.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.name.heap_bytes() + self.projects.heap_bytes() + self.references_heap_bytes()
    }

    /// The heap bytes of its references: their box and lists, if any.
    pub(crate) fn references_heap_bytes(&self) -> usize {
        self.references.as_deref().map_or(0, |r| {
            size_of::<crate::project::References>() + r.uses.heap_bytes() + r.used_by.heap_bytes()
        })
    }
}

impl Group {
    fn heap_bytes(&self) -> usize {
        self.name.heap_bytes()
            + many_set_bytes(&self.members)
            + self.roles.heap_bytes()
            + self.projects.heap_bytes()
            + self.project_roles.heap_bytes()
    }
}

impl<P: PermissionFlags> Role<P> {
    fn heap_bytes(&self) -> usize {
        self.name.heap_bytes()
            + self.description.capacity()
            + many_set_bytes(&self.users)
            + many_set_bytes(&self.groups)
            + many_set_bytes(&self.project_users)
            + many_set_bytes(&self.project_groups)
    }
}

impl Project {
    fn heap_bytes(&self) -> usize {
        self.name.heap_bytes()
            + self.description.capacity()
            + many_set_bytes(&self.users)
            + many_set_bytes(&self.groups)
            + many_set_bytes(&self.objects)
    }
}

/// The bytes a [`ManySet`] of `set.len()` items holds, for the shape that
/// loading and appending in id order give (`imbl` 7's B-tree: nodes of 16
/// keys, split in halves, behind `Arc`s): one leaf up to 16 items, then
/// leaves of about 8 and a branch per 8 leaves. A set filled in random
/// order packs about a third tighter, so this errs on the side of more.
fn many_set_bytes<T>(set: &ManySet<T>) -> usize {
    const COUNTERS: usize = 2 * size_of::<usize>();
    const KEYS: usize = 16;
    let chunk = |item: usize| 2 * size_of::<usize>() + KEYS * item;
    let leaf = COUNTERS + chunk(size_of::<T>());
    // Its keys, and up to 17 children (pointers) with its level.
    let branch = COUNTERS + chunk(size_of::<T>()) + chunk(size_of::<usize>()) + 3 * 8;
    let len = set.len();
    let leaves = match len {
        0 => 0,
        1..=16 => 1,
        _ => (len - 8).div_ceil(8),
    };
    let branches = match leaves {
        0 | 1 => 0,
        2..=17 => 1,
        _ => leaves.div_ceil(8),
    };
    leaves * leaf + branches * branch
}

impl<P: PermissionFlags> Company<P> {
    /// The bytes the company holds in memory, for a host that weighs the
    /// companies it keeps (a cache with a memory budget): its records and
    /// what they own (names, descriptions, link lists), its name indexes,
    /// its [`Snapshot`] and the `Company` value itself. Counted by
    /// capacity, as an allocator sees them (its own overhead aside), and
    /// whole: a clone shares its chunks with this company, so the bytes of
    /// a company and its clones overlap.
    ///
    /// Computes in **O(chunks + roles + groups + projects)**, not in the
    /// number of users or objects: the tables are counted by their chunks,
    /// the names and lists of users and objects are a running count that
    /// every change keeps, and only roles, groups and projects (which own
    /// the long link sets) are visited. The snapshot's part visits its
    /// per-project lists ([`Snapshot::memory_bytes`]). The long link sets
    /// (a role's users, a project's objects, ...) are B-trees whose nodes
    /// are not counted one by one: their bytes are worked out from their
    /// length, the estimate within a few percent for sets filled in id
    /// order (as loading fills them) and over by up to a third for sets
    /// filled at random.
    ///
    /// # Example: a company grows with its users
    ///
    /// ```
    /// use callgate::Company;
    ///
    /// let mut company = Company::new();
    /// let empty = company.memory_bytes();
    /// for i in 0..1_000 {
    ///     company.create_user(&format!("user {i}"))?;
    /// }
    /// let grown = company.memory_bytes();
    /// assert!(grown > empty + 1_000 * 40, "{empty} B, then {grown} B");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn memory_bytes(&self) -> usize {
        let tables = self.users.bytes()
            + self.groups.bytes()
            + self.roles.bytes()
            + self.projects.bytes()
            + self.objects.bytes();
        let names = [
            &self.user_names,
            &self.group_names,
            &self.role_names,
            &self.project_names,
            &self.object_names,
        ]
        .iter()
        .map(|index| index.bytes())
        .sum::<usize>();
        let others = (super::live(&self.groups).map(|(_, g)| g.heap_bytes()))
            .chain(super::live(&self.roles).map(|(_, r)| r.heap_bytes()))
            .chain(super::live(&self.projects).map(|(_, p)| p.heap_bytes()))
            .sum::<usize>();
        // The snapshot's own bytes count its inline value, which is part of
        // this company's.
        let snapshot = self.snapshot.memory_bytes() - size_of::<Snapshot<P>>();
        // The duty constraints, behind their `Arc` (two counters), if any.
        let duties = match self.duties.len() {
            0 => 0,
            n => 2 * size_of::<usize>() + n * size_of::<crate::DutyConstraint<P>>(),
        };
        size_of::<Self>()
            + tables
            + names
            + self.records_heap
            + others
            + snapshot
            + self.ends.heap_bytes()
            + duties
    }

    /// Notes that a short link list of a user or object went from holding
    /// `before` heap bytes to `after`.
    pub(crate) fn short_list_changed(&mut self, before: usize, after: usize) {
        self.records_heap = self
            .records_heap
            .saturating_sub(before)
            .saturating_add(after);
    }

    /// The heap bytes of every user and object record, counted one by one:
    /// what `records_heap` keeps.
    #[cfg(test)]
    pub(crate) fn records_heap_counted(&self) -> usize {
        (super::live(&self.users).map(|(_, u)| u.heap_bytes()))
            .chain(super::live(&self.objects).map(|(_, o)| o.heap_bytes()))
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use crate::{Change, Company, ObjectKind, Permissions, Principal, RoleId, SecurityMode};

    /// The running count of the users' and objects' heap bytes follows
    /// every kind of change that touches them.
    #[test]
    fn the_records_heap_follows_every_change() -> Result<(), crate::Error> {
        let mut company = Company::new();
        let ann = company.create_user("ann")?;
        let bob = company.create_user("bob")?;
        let queue = company.create_object(ObjectKind::Queue, "Sales")?;
        let list = company.create_object(ObjectKind::List, "Leads")?;
        let team = company.create_group("team", &[ann, bob])?;
        let qa = company.create_role("QA", "checks", Permissions::QUEUES_VIEW)?;
        company.apply(Change::SetSecurityMode {
            mode: SecurityMode::Enhanced,
        })?;
        let acme = company.create_project("Acme", "")?;
        let changes = [
            Change::AssignRole {
                role: qa,
                principals: vec![Principal::User(bob), Principal::Group(team)],
            },
            Change::AddProjectMembers {
                project: acme,
                principals: vec![bob.into(), team.into()],
                roles: vec![RoleId::SUPERVISOR],
            },
            Change::AddProjectObjects {
                project: acme,
                objects: vec![queue],
            },
            Change::RenameUser {
                user: bob,
                name: "robert the second".into(),
            },
            Change::RenameObject {
                object: queue,
                name: "Sales and more".into(),
            },
            Change::UnassignRole {
                role: qa,
                principals: vec![Principal::User(bob)],
            },
            Change::SetObjectReferences {
                object: queue,
                uses: vec![list],
            },
            Change::SetObjectReferences {
                object: list,
                uses: vec![queue],
            },
            Change::SetObjectReferences {
                object: list,
                uses: vec![],
            },
            Change::DeleteObject { object: queue },
            Change::DeleteUser { user: bob },
        ];
        for change in changes {
            company.apply(change)?;
            assert_eq!(company.records_heap, company.records_heap_counted());
        }
        let loaded = Company::from_document(company.to_document())?;
        assert_eq!(loaded.records_heap, loaded.records_heap_counted());
        assert_eq!(loaded.records_heap, company.records_heap);
        Ok(())
    }
}
