//! The checkable state ([`Snapshot`]) and the answer to a check ([`Decision`]).

// How it works
// ============
//
// A `Company` holds the configuration as people edit it: records with names
// and two-way links (user <-> role, user <-> group, group <-> project, ...).
// Answering "may this user do this?" from those records would mean walking
// roles and groups on every call. Instead every accepted change recompiles
// just the entries it touched into a `Snapshot`, whose layout is made for the
// check:
//
// * `users[u]` (32 bytes with a 64-bit catalog word, 64 with a 128-bit one;
//   aligned to 32 so it never straddles two cache lines): the user's
//   *effective* permissions (the union over their direct roles and their
//   groups' roles, as the catalog's word), the revision
//   before which their sessions are ended, and the *sorted* list of every
//   project they belong to, directly or through a group. A deleted user keeps
//   an `ABSENT` entry: ids are dense and never reused, so `users[id]` is a
//   bounds-checked index, never a hash.
// * `objects[o]` (16 bytes, aligned to 16): the index of the object's kind
//   in its catalog (`NO_KIND` once deleted) and the sorted list of the
//   projects that hold it.
// * `projects_all_needed`: the security mode, as what seeing every project
//   takes (`projects.all`'s bits in enhanced mode, nothing in simple mode).
//
// The tables are `Chunked`: past 4,096 entries, whole chunks of 4,096
// behind `Arc`s (`Arc<[T; 4096]>`, the last padded), so that a published
// view shares every chunk a later change does not touch. A lookup tests the
// chunk number against the number of chunks (25 for 100,000 users), reads
// the chunk's pointer, then the entry: the compiler knows the chunk's
// length, so the offset needs no test, and the padding of the last chunk
// reads as "no such id". A table of up to 4,096 entries is one slice, so a
// small company pays for what it has; its lookup takes one test more.
//
// A check is then: index the user, index the object, intersect two sorted
// project lists that hold one to three ids in practice, and test the action's
// bits against the object kind's mask and the user's bits. No allocation, no
// hashing, no strings, no locks. Lists of up to three (user) or two (object)
// ids sit inline, padded with copies of a real id (or, when empty, with an
// id no project has, different for users and objects), so the intersection
// compares every pair of slots at once without masks, branches or tests of
// emptiness; longer lists spill to a side table behind a branch that is
// almost never taken, to a function out of line (as is the check on a
// project), so the fast path keeps a small frame. A long list is shared by
// every user whose rights were compiled from the same links (a reference
// count per side-table slot; `company::compile::reach_key`), so a big
// group's projects are held once, not once per member (issue 27), and a
// list many times longer than the other is binary-searched, not walked.
// The allow is one expression without branches (the outcome differs from
// question to question): the resource is visible, the action is not empty,
// and it lies within both the resource's mask and the user's permissions.
// Unknown ids need no test of their own on that path: a deleted user's
// entry (and the padding past the last) holds no permission and no
// project, and a deleted object's kind (`NO_KIND`, masked) reads an empty
// slot of the catalog's kind masks, so neither is ever allowed. Only a
// deny looks for its reason: an unknown user or object first, then the
// tests "hidden" and "not applicable" as bits that index a table of
// reasons in the documented order (a deny that fails neither is for a
// permission not granted, the allow's last test). A caller that
// asks only `is_allowed` compiles none of that. The only data-dependent
// branch left is the kind of resource (an object is tested first).
//
// A session's check adds three tests in front of that path: the session's
// company, its login revision against the entry's `sessions_from` (an
// absent entry's is `u64::MAX`, so the same test ends the sessions of
// deleted users, and the reason names the unknown user first), and
// whether it tests a role. Each of the two branches inlines the decision
// with its own permissions, so a normal session pays nothing for testing.
//
// The catalog (DOMAIN rules 18-19)
// ---------------------------------
// Permissions belong to the product. Two designs were weighed: a catalog
// value built at run time and passed to every company, or the product's own
// flags type implementing a trait, as bitflags' `Flags` does. The second is
// what this crate does, for three reasons. The check stays monomorphised:
// an action is the product's word (`u64` or `u128`), a user's permissions
// are the same word, and the masks a check needs (what applies to each kind,
// to projects, the `projects.all` bit) are read from the product's
// `&'static Catalog`, a constant address, so the standard catalog's check
// compiles to what it was before the catalog opened. Types keep catalogs
// apart: a `Company<Acme>` cannot be asked about the standard
// `Permissions::QUEUES_VIEW`, and `Change<Acme>` stores and reads Acme's
// names. And a catalog is checked by the compiler: `Catalog::new` is a
// `const fn`, so a catalog in a `static` with a duplicate name, a cycle of
// implications or a missing `projects.all` does not build. The same
// function runs at run time for catalogs made from data (the property tests
// build random ones). `Permissions` and `ObjectKind` are simply the standard
// catalog's flags and kinds (catalog/standard.rs), so 0.1 code is code of
// the standard catalog.
//
// Roles within projects (DOMAIN rules 20-21)
// -------------------------------------------
// A user given roles within projects has its project list in a side table
// with, next to each project id, the union of the permissions given within
// it (directly or through a group). On an object the check adds to the
// company-wide permissions the words of every project the user shares with
// it; on a project, that project's word; on the company, nothing. Users
// without such roles keep their inline list and the fast path above
// unchanged; the others take the branch that was there for long lists. For
// up to four projects (tag `GRANTED`) their ids and words sit in one
// cache-line record (`spill::Granted`) compared with the object's inline
// list slot by slot, without branches, like the fast path; longer lists
// (`GRANTED_SPILLED`) are a merge walk. Testing sessions never add these
// words (rule 8: the role under test, company-wide).
//
// Listing the objects a user can see walks, for each of the user's projects,
// that project's sorted per-kind object list, skipping objects already listed
// through an earlier project, so its cost follows the answer, not the
// company's size. Holders of "all projects" and simple mode read the object
// table and keep the objects of the kind.

mod decision;
mod layout;
mod listing;
mod maintain;
mod spill;

use crate::catalog::{Set, Word};
use crate::chunked::Chunked;
use crate::{
    CompanyId, ObjectId, PermissionFlags, Permissions, ProjectId, Session, SessionDecision, UserId,
};

use self::layout::{IdList, NO_KIND, ObjectEntry, ProjectEntry, USER_INLINE};
use self::spill::Spill;
use crate::catalog::KIND_SLOTS;

pub use self::decision::{Decision, DenyReason};
pub(crate) use self::layout::UserEntry;
pub(crate) use self::layout::shares_project;
pub use self::listing::VisibleObjects;
pub(crate) use self::maintain::{
    CompiledUser, PushedReach, PushedUser, ReachList, SharedReach, StoredReaches,
};
pub(crate) use self::spill::allocation_failed;

/// A user entry's project list, as a compile shares it among users with
/// the same links.
pub(crate) type UserList = IdList<USER_INLINE>;

#[cfg(test)]
use self::listing::{MERGE_INLINE, Walk};

/// What a check is about: the company itself (a section, report or setting),
/// one project-scoped object, or one project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase"))]
pub enum Resource {
    /// A company-wide section, report or setting: the action alone decides
    /// (e.g. `reports.view`, `security.manage`, or `queues.manage` to create
    /// a new queue).
    Company,
    /// One project-scoped object. Only its kind's permissions apply (for a
    /// queue: `queues.view` and `queues.manage`), and in enhanced mode the
    /// user must share a project with it or hold `projects.all`.
    Object(ObjectId),
    /// One project. Only `projects.view` and `projects.manage` apply, and in
    /// enhanced mode the user must be a member or hold `projects.all`.
    Project(ProjectId),
}

/// An immutable, compiled view of a [`Company`](crate::Company) that answers
/// checks.
///
/// A `Snapshot` is made only by a `Company`, which keeps its own up to date
/// change by change; [`Company::snapshot`](crate::Company::snapshot) lends it.
/// Its tables are shared chunks, so a clone is cheap and later changes to
/// the company copy only the chunks they touch. To hand the current state to
/// request threads, with names and explanations, publish a
/// [`View`](crate::View) instead ([`Publisher`](crate::Publisher)).
///
/// # Fallibility
///
/// Checks never fail and never panic: an unknown user, object or project, or
/// an action that does not fit the resource, is a [`Decision::Deny`] with its
/// [`DenyReason`].
#[derive(Debug, Clone)]
pub struct Snapshot<P: PermissionFlags = Permissions> {
    /// The company's id: a session of another company is denied.
    pub(crate) company: CompanyId,
    pub(crate) revision: u64,
    // INVARIANT (mode): `projects_all_needed` is the catalog's
    // `projects.all` bits in enhanced mode and none in simple mode
    // (`set_enhanced`): the bits a user must hold to see every project,
    // one test on the check's path, and the security mode itself.
    pub(crate) projects_all_needed: P::Word,
    // INVARIANT (dense): `users[i]` describes `UserId(i)` for every id ever
    // made, `objects[i]` and `projects[i]` likewise.
    // Every table sits in shared chunks (`Chunked`): a clone shares the
    // chunks a later change does not touch, so publishing a snapshot costs
    // the chunks a change copied, not the company.
    pub(crate) users: Chunked<UserEntry<P::Word>, 4096>,
    pub(crate) objects: Chunked<ObjectEntry, 4096>,
    pub(crate) projects: Chunked<ProjectEntry, 1024>,
    /// The permissions of each role (`None` once deleted), for testing
    /// sessions.
    pub(crate) roles: Chunked<Option<P::Word>, 1024>,
    // INVARIANT (per project): `project_objects[p * kinds + k]` is project
    // `p`'s live objects of kind `k`, sorted by id, for every project id
    // ever made (`kinds` is the catalog's number of kinds). One flat table,
    // so a listing reaches a project's list with one indirection.
    pub(crate) project_objects: Chunked<Vec<ObjectId>, 256>,
    /// Project lists too long to sit inline in their entries.
    pub(crate) spill: Spill<P::Word>,
}

/// Two snapshots are equal when they answer every question alike: the same
/// revision, mode, entries and lists, whatever the internal layout (where a
/// long project list happens to be stored, spare capacity).
impl<P: PermissionFlags> Default for Snapshot<P> {
    fn default() -> Self {
        Self {
            company: CompanyId::new(0),
            revision: 0,
            projects_all_needed: P::Word::default(),
            users: Chunked::default(),
            objects: Chunked::default(),
            projects: Chunked::default(),
            roles: Chunked::default(),
            project_objects: Chunked::default(),
            spill: Spill::default(),
        }
    }
}

impl<P: PermissionFlags> PartialEq for Snapshot<P> {
    fn eq(&self, other: &Self) -> bool {
        let users = self.users.len() == other.users.len()
            && self.users.iter().zip(other.users.iter()).all(|(a, b)| {
                a.live() == b.live()
                    && a.permissions == b.permissions
                    && a.sessions_from == b.sessions_from
                    && self.user_projects(a) == other.user_projects(b)
                    && a.projects.within(&self.spill) == b.projects.within(&other.spill)
            });
        let objects = self.objects.len() == other.objects.len()
            && self.objects.iter().zip(other.objects.iter()).all(|(a, b)| {
                a.kind == b.kind && self.object_projects(a) == other.object_projects(b)
            });
        self.company == other.company
            && self.revision == other.revision
            && self.projects_all_needed == other.projects_all_needed
            && users
            && objects
            && self.projects == other.projects
            && self.roles == other.roles
            && self.project_objects == other.project_objects
    }
}

impl<P: PermissionFlags> Eq for Snapshot<P> {}

/// The reason of a deny, indexed by the tests that fail as bits (2
/// hidden, 1 not applicable): the first in the documented order wins. When
/// neither fails, the deny is for a permission not granted (the allow's
/// last test).
const REASONS: [DenyReason; 4] = [
    DenyReason::MissingPermission,
    DenyReason::NotApplicable,
    DenyReason::HiddenByProjects,
    DenyReason::HiddenByProjects,
];

impl<P: PermissionFlags> Snapshot<P> {
    /// May `user` do `action` to `resource`?
    ///
    /// `action` is usually one catalog flag (`Permissions::QUEUES_VIEW`); a
    /// set of several flags asks for all of them at once. The rules, in the
    /// order they are applied:
    ///
    /// 1. an unknown user, object or project is denied;
    /// 2. in enhanced mode, a project-scoped object (or a project) that the
    ///    user reaches through no project, without `projects.all`, is
    ///    [`HiddenByProjects`](DenyReason::HiddenByProjects), whatever the
    ///    action: the answer says nothing about the object's kind or the
    ///    user's roles (a host shows it as it shows an unknown object);
    /// 3. an empty action, or one that does not belong to the resource's
    ///    kind, is [`NotApplicable`](DenyReason::NotApplicable);
    /// 4. the user's roles must grant every flag of the action, or it is
    ///    [`MissingPermission`](DenyReason::MissingPermission): their
    ///    company-wide roles, and on an object or a project also the roles
    ///    given to them (or their groups) within the projects that hold it
    ///    (DOMAIN rules 20-21), in either security mode.
    ///
    /// Computes in **O(1)** for a user and an object in a bounded number of
    /// projects; allocates nothing. Users given roles within projects take
    /// a second path that reads one more record (see the README's
    /// performance section).
    ///
    /// # Example
    ///
    /// ```
    /// use callgate::{Company, DenyReason, Decision, Permissions, Resource};
    ///
    /// let mut company = Company::new();
    /// let ann = company.create_user("ann")?; // the first user: Admin
    /// let snapshot = company.snapshot();
    /// assert_eq!(snapshot.check(ann, Permissions::BILLING_MANAGE, Resource::Company), Decision::Allow);
    /// assert_eq!(
    ///     snapshot.check(ann, Permissions::empty(), Resource::Company),
    ///     Decision::Deny(DenyReason::NotApplicable),
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[inline(always)]
    #[must_use]
    pub fn check(&self, user: UserId, action: P, resource: Resource) -> Decision {
        // Past the padding of the last chunk there is no entry at all. A
        // deleted user, or an id in the padding, reads the `ABSENT` entry,
        // which holds no permission and no project: `decide` denies it
        // without a test of its own, and names the reason once denied.
        match self.users.get_or_padding(user.index()) {
            Some(entry) => self.decide(entry, entry.permissions, true, action, resource),
            None => Decision::Deny(DenyReason::UnknownUser),
        }
    }

    /// May the user of `session` do `action` to `resource`?
    ///
    /// The same rules and the same fast path as [`Snapshot::check`], plus:
    /// a session that a later change ended (see
    /// [`ChangeReport::logged_out_users`](crate::ChangeReport::logged_out_users))
    /// is denied with [`DenyReason::SessionEnded`]; a testing session uses
    /// only the permissions of the role under test, never more than the
    /// tester holds, with the tester's own project memberships. The answer
    /// names the real user and the role under test, for audit.
    ///
    /// Computes in **O(1)**, like `check`; allocates nothing.
    #[inline(always)]
    #[must_use]
    pub fn check_session(
        &self,
        session: &Session,
        action: P,
        resource: Resource,
    ) -> SessionDecision {
        let decision = match self.session_entry(session) {
            Ok(entry) if session.testing().is_none() => {
                self.decide(entry, entry.permissions, true, action, resource)
            }
            // A testing session: the role under test, company-wide.
            Ok(entry) => match self.acting_permissions(session, entry) {
                Ok(permissions) => self.decide(entry, permissions, false, action, resource),
                Err(reason) => Decision::Deny(reason),
            },
            Err(reason) => Decision::Deny(reason),
        };
        SessionDecision {
            decision,
            user: session.user(),
            testing: session.testing(),
        }
    }

    /// The user entry and the permissions a session acts with, or why it
    /// cannot act.
    #[inline(always)]
    pub(crate) fn session_permissions(
        &self,
        session: &Session,
    ) -> Result<(&UserEntry<P::Word>, P), DenyReason> {
        let entry = self.session_entry(session)?;
        if !entry.live() {
            // Only a session restored with a revision past every
            // company's gets here: `session_entry` ends the others.
            return Err(DenyReason::UnknownUser);
        }
        let permissions = self.acting_permissions(session, entry)?;
        Ok((entry, P::from_word(permissions)))
    }

    /// The entry of a session's user, or why the session cannot act: a
    /// session of another company, an unknown user, or one ended.
    ///
    /// An absent entry (a deleted user, an id never made) ends every
    /// session (`sessions_from` is `u64::MAX`), so one test covers both;
    /// the reason then names the unknown user first. A session restored
    /// with that very revision passes, and `decide` denies its absent
    /// entry as it denies any.
    #[inline(always)]
    fn session_entry(&self, session: &Session) -> Result<&UserEntry<P::Word>, DenyReason> {
        if session.company() != self.company {
            return Err(DenyReason::OtherCompany);
        }
        let entry = self
            .users
            .get_or_padding(session.user().index())
            .ok_or(DenyReason::UnknownUser)?;
        if session.login_revision() < entry.sessions_from {
            return Err(entry.unknown_or(DenyReason::SessionEnded));
        }
        Ok(entry)
    }

    /// The permissions a session acts with: its user's (`entry`), or in a
    /// testing session the role under test within them, company-wide. A
    /// deleted role under test ends the session (the padding past the last
    /// role reads as deleted).
    #[inline(always)]
    fn acting_permissions(
        &self,
        session: &Session,
        entry: &UserEntry<P::Word>,
    ) -> Result<P::Word, DenyReason> {
        let Some(role) = session.testing() else {
            return Ok(entry.permissions);
        };
        match self.roles.get_or_padding(role.index()) {
            Some(Some(role)) => Ok(entry.permissions & *role),
            _ => Err(entry.unknown_or(DenyReason::SessionEnded)),
        }
    }

    /// The decision for a user entry acting with `permissions`: the shared
    /// fast path of `check` and `check_session`. `within_projects` says
    /// whether the roles given within projects count (not in a testing
    /// session).
    ///
    /// The allow is one expression without a branch on the question: the
    /// resource is visible (a shared project, or every project seen), the
    /// action is not empty and every bit of it both applies to the
    /// resource and is granted. Unknown ids need no test of their own: an
    /// absent user's entry holds no permission and no project, and a
    /// deleted object's kind reads an empty mask, so neither is ever
    /// allowed. Only a deny looks for its reason (`deny_reason`), which a
    /// caller asking only `is_allowed` compiles away.
    #[inline(always)]
    fn decide(
        &self,
        entry: &UserEntry<P::Word>,
        permissions: P::Word,
        within_projects: bool,
        action: P,
        resource: Resource,
    ) -> Decision {
        let none = P::Word::default();
        // `scope` is the set of permissions that apply to the resource;
        // `known` says whether the object exists, for the reason of a deny.
        // An object first, with one test of the tag: most questions are
        // about objects.
        //
        // `merged` is `permissions` with those given within the projects
        // shared with the resource: the project lists hand back
        // `permissions` itself when there are none (inline lists), so the
        // fast path merges nothing.
        let (visible, scope, merged, known) = if let Resource::Object(object) = resource {
            // Past the padding of the last chunk: no entry at all.
            let Some(object) = self.objects.get_or_padding(object.index()) else {
                return Decision::Deny(entry.unknown_or(DenyReason::UnknownObject));
            };
            let (shared, merged) = entry
                .projects
                .reach(&object.projects, &self.spill, permissions);
            // `NO_KIND` masks to an empty slot: no test of the kind.
            let kind = usize::from(object.kind) & (KIND_SLOTS - 1);
            let scope = P::Word::from_u128(P::catalog().kind_mask(kind));
            let visible = shared | self.sees_every_project_word(permissions);
            (visible, scope, merged, object.kind != NO_KIND)
        } else if let Resource::Project(project) = resource {
            match self.project_reach(&entry.projects, project, permissions) {
                Ok((visible, scope, within)) => (visible, scope, permissions | within, true),
                Err(reason) => return Decision::Deny(entry.unknown_or(reason)),
            }
        } else {
            // The company. Every bit, even one outside the catalog: no role
            // grants it, so it is missing, not misplaced.
            (true, !none, permissions, true)
        };
        let permissions = if within_projects { merged } else { permissions };
        // Non-short-circuit `&` on raw bits: no branch on the action.
        let action = action.to_word();
        if visible & (action != none) & (action & !(scope & permissions) == none) {
            return Decision::Allow;
        }
        let reason = if !entry.live() {
            DenyReason::UnknownUser
        } else if !known {
            DenyReason::UnknownObject
        } else {
            // The tests that fail, as bits (2 hidden, 1 not applicable),
            // index the first in the documented order: computed without
            // branches, as they differ from question to question. A deny
            // that fails neither failed the last, "granted".
            let not_applicable = (action == none) | (action & !scope != none);
            let index = usize::from(!visible) << 1 | usize::from(not_applicable);
            REASONS
                .get(index)
                .copied()
                .unwrap_or(DenyReason::MissingPermission)
        };
        Decision::Deny(reason)
    }

    /// [`decide`](Self::decide) on a project: whether the user sees it,
    /// the permissions that apply to it and those given within it, or why
    /// there is no such project. Out of line: the check's frame stays that
    /// of its fast path.
    #[inline(never)]
    fn project_reach(
        &self,
        projects: &IdList<USER_INLINE>,
        project: ProjectId,
        permissions: P::Word,
    ) -> Result<(bool, P::Word, P::Word), DenyReason> {
        if !self
            .projects
            .get_or_padding(project.index())
            .is_some_and(|p| p.live)
        {
            return Err(DenyReason::UnknownProject);
        }
        let at = projects.get(&self.spill).binary_search(&project.get());
        let within = at
            .ok()
            .and_then(|at| projects.within(&self.spill).get(at).copied());
        let scope = P::Word::from_u128(P::catalog().project_mask);
        let visible = self.sees_every_project_word(permissions) | at.is_ok();
        Ok((visible, scope, within.unwrap_or_default()))
    }

    /// The id of the company this snapshot was taken of: a session of
    /// another company is denied.
    #[must_use]
    pub fn company(&self) -> CompanyId {
        self.company
    }

    /// The revision of the company this snapshot was taken at: the number of
    /// changes applied since the company was created.
    #[must_use]
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// The effective permissions of a user (the union over every role they
    /// hold, directly or through groups), or `None` for an unknown user.
    ///
    /// Computes in **O(1)**.
    #[must_use]
    pub fn permissions_of(&self, user: UserId) -> Option<P> {
        self.user(user).map(|entry| entry.permissions())
    }

    /// Bytes of memory the snapshot holds (its tables and the lists they
    /// own, by capacity), for capacity planning.
    #[must_use]
    pub fn memory_bytes(&self) -> usize {
        use std::mem::size_of;
        let lists = self
            .project_objects
            .iter()
            .map(|list| list.capacity() * size_of::<ObjectId>())
            .sum::<usize>();
        size_of::<Self>()
            + self.users.bytes()
            + self.objects.bytes()
            + self.projects.bytes()
            + self.project_objects.bytes()
            + lists
            + self.roles.bytes()
            + self.spill.bytes()
    }

    /// The projects of a user entry, sorted.
    #[inline]
    pub(crate) fn user_projects<'a>(&'a self, entry: &'a UserEntry<P::Word>) -> &'a [u32] {
        entry.projects.get(&self.spill)
    }

    /// The permissions given within each of [`user_projects`]
    /// (side by side; empty when the user was given no role within a
    /// project).
    ///
    /// [`user_projects`]: Self::user_projects
    #[inline]
    pub(crate) fn user_within<'a>(&'a self, entry: &'a UserEntry<P::Word>) -> &'a [P::Word] {
        entry.projects.within(&self.spill)
    }

    /// The permissions given to a user within `project` (none when the
    /// user is not a member, or was given no role there).
    pub(crate) fn within_project(&self, entry: &UserEntry<P::Word>, project: ProjectId) -> P {
        let at = self.user_projects(entry).binary_search(&project.get()).ok();
        let word = at.and_then(|at| self.user_within(entry).get(at).copied());
        word.map_or(P::none(), P::from_word)
    }

    /// The permissions given to a user within the projects they share with
    /// `object` (none for an unknown object).
    pub(crate) fn within_object(&self, entry: &UserEntry<P::Word>, object: ObjectId) -> P {
        self.objects.get(object.index()).map_or(P::none(), |o| {
            let none = P::Word::default();
            P::from_word(entry.projects.reach(&o.projects, &self.spill, none).1)
        })
    }

    /// The projects of an object entry, sorted.
    #[inline]
    pub(crate) fn object_projects<'a>(&'a self, entry: &'a ObjectEntry) -> &'a [u32] {
        entry.projects.get(&self.spill)
    }

    /// Whether a user with these permissions sees every project and object:
    /// in simple mode everyone does, in enhanced mode holders of
    /// `projects.all`.
    #[inline(always)]
    pub(crate) fn sees_every_project(&self, permissions: P) -> bool {
        self.sees_every_project_word(permissions.to_word())
    }

    /// [`sees_every_project`](Self::sees_every_project) on a word.
    #[inline(always)]
    fn sees_every_project_word(&self, permissions: P::Word) -> bool {
        // In simple mode nothing is needed: everyone sees every project.
        permissions & self.projects_all_needed == self.projects_all_needed
    }

    /// Sets the security mode (and what seeing every project needs).
    pub(crate) fn set_enhanced(&mut self, enhanced: bool) {
        self.projects_all_needed = if enhanced {
            P::Word::from_u128(P::catalog().required.projects_all)
        } else {
            P::Word::default()
        };
    }

    #[inline(always)]
    pub(crate) fn user(&self, user: UserId) -> Option<&UserEntry<P::Word>> {
        // The padding past the last user is absent, hence not live.
        self.users
            .get_or_padding(user.index())
            .filter(|entry| entry.live())
    }
}

#[cfg(test)]
mod tests;
