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
// * `enhanced`: the security mode.
//
// A check is then: index the user, index the object, intersect two sorted
// project lists that hold one to three ids in practice, and test the action's
// bits against the object kind's mask and the user's bits. No allocation, no
// hashing, no strings, no locks. Lists of up to three (user) or two (object)
// ids sit inline, padded with copies of a real id, so the intersection
// compares every pair of slots at once without masks or branches; longer
// lists spill to a side table behind a branch that is almost never taken.
// Which of "hidden", "not applicable", "not granted" comes first picks the
// answer from a four-entry table: the outcome differs from question to
// question, so it is computed, not branched on. The only data-dependent
// branch left is the kind of resource (company-wide or one object).
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
// Room for a role granted within one project only: a user's project list
// would carry, next to each project id, the permissions granted there; the
// object test becomes "a shared project whose permissions, added to the
// company-wide ones, contain the action". Only `IdList` and `shares_project`
// change, not the tables around them.
//
// Listing the objects a user can see walks, for each of the user's projects,
// that project's sorted per-kind object list, skipping objects already listed
// through an earlier project, so its cost follows the answer, not the
// company's size. Holders of "all projects" and simple mode walk the per-kind
// list of every object.

use crate::catalog::{Kind, Word};
use crate::{
    ObjectId, PermissionFlags, Permissions, ProjectId, RoleId, Session, SessionDecision, UserId,
};

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

/// Why a check was denied.
///
/// The enum is exhaustive on purpose: a new reason is a breaking change, so a
/// host's `match` that maps reasons to HTTP answers cannot silently miss one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum DenyReason {
    /// The user id names no user (never created, or deleted).
    UnknownUser,
    /// The object id names no object (never created, or deleted).
    UnknownObject,
    /// The project id names no project (never created, or deleted).
    UnknownProject,
    /// Enhanced mode: the user shares no project with the object (or is not a
    /// member of the project) and does not hold `projects.all`. To the user,
    /// the object does not exist: show it as [`UnknownObject`](Self::UnknownObject).
    HiddenByProjects,
    /// The action does not apply to the resource: it is empty, or it holds a
    /// permission of another kind of object (`autodialers.manage` on a queue).
    NotApplicable,
    /// No role of the user grants the action.
    MissingPermission,
    /// The check came through a session that a later change ended (a role
    /// with "put its users offline" was saved, or the role under test was
    /// deleted): the user must log in again. (A deleted user's sessions are
    /// [`UnknownUser`](Self::UnknownUser).)
    SessionEnded,
}

impl DenyReason {
    /// A short lowercase description, as used by [`Decision`]'s `Display`.
    #[must_use]
    pub const fn describe(self) -> &'static str {
        match self {
            Self::UnknownUser => "unknown user",
            Self::UnknownObject => "unknown object",
            Self::UnknownProject => "unknown project",
            Self::NotApplicable => "action does not apply to this resource",
            Self::HiddenByProjects => "hidden by projects",
            Self::MissingPermission => "missing permission",
            Self::SessionEnded => "session ended: log in again",
        }
    }
}

/// The answer to a check: allow, or deny with the reason.
///
/// Small and `Copy` (one byte). Anything the engine cannot vouch for is a
/// deny: there is no error a caller could mistake for "allowed".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Decision {
    /// The user may do the action to the resource.
    Allow,
    /// The user may not, for this reason.
    Deny(DenyReason),
}

impl Decision {
    /// Whether the decision is [`Decision::Allow`].
    #[inline]
    #[must_use]
    pub const fn is_allowed(self) -> bool {
        matches!(self, Self::Allow)
    }

    /// The deny reason, or `None` when allowed.
    #[inline]
    #[must_use]
    pub const fn deny_reason(self) -> Option<DenyReason> {
        match self {
            Self::Allow => None,
            Self::Deny(reason) => Some(reason),
        }
    }
}

impl std::fmt::Display for Decision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Allow => f.write_str("allow"),
            Self::Deny(reason) => write!(f, "deny ({})", reason.describe()),
        }
    }
}

/// How many project ids a user entry keeps inline.
const USER_INLINE: usize = 3;
/// How many project ids an object entry keeps inline.
const OBJECT_INLINE: usize = 2;

/// A sorted, duplicate-free list of project ids: up to `N` inline, longer
/// lists in the snapshot's [`Spill`] table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct IdList<const N: usize> {
    // INVARIANT (shape): `tag` is one of
    // * `0..=N`: the list is inline, `ids[..tag]` sorted; when it is not
    //   empty, the unused `ids[tag..]` repeat `ids[0]`, so that comparing
    //   every pair of slots needs no mask;
    // * `SPILLED`: `ids[0]` is the slot in `Spill` of the sorted list;
    // * `ABSENT` (user entries only): there is no user with this id.
    tag: u32,
    ids: [u32; N],
}

/// [`IdList::tag`] of a list stored in the [`Spill`] table.
const SPILLED: u32 = u32::MAX - 1;
/// [`IdList::tag`] of the entry of a user id never made, or deleted.
const ABSENT: u32 = u32::MAX;

impl<const N: usize> Default for IdList<N> {
    fn default() -> Self {
        Self {
            tag: 0,
            ids: [0; N],
        }
    }
}

impl<const N: usize> IdList<N> {
    /// The entry of an id that names nothing.
    const ABSENT: Self = Self {
        tag: ABSENT,
        ids: [0; N],
    };

    /// Whether `self` and `other` share an id.
    ///
    /// When both lists are inline (nearly always), compares every pair of
    /// slots without a branch: the padding repeats a real id, so no pair
    /// needs a mask, and only emptiness is tested apart. The answer differs
    /// from question to question, so branches would mispredict.
    #[inline(always)]
    pub(crate) fn shares<const M: usize>(&self, other: &IdList<M>, spill: &Spill) -> bool {
        if (self.tag as usize > N) | (other.tag as usize > M) {
            return shares_project(self.get(spill), other.get(spill));
        }
        let mut hit = false;
        for &a in &self.ids {
            for &b in &other.ids {
                hit |= a == b;
            }
        }
        hit & (self.tag != 0) & (other.tag != 0)
    }

    /// The ids, sorted.
    #[inline]
    pub(crate) fn get<'a>(&'a self, spill: &'a Spill) -> &'a [u32] {
        match self.tag {
            SPILLED => self.ids.first().map_or(&[], |&slot| spill.get(slot)),
            len => self.ids.get(..len as usize).unwrap_or(&[]),
        }
    }
}

/// Project-id lists too long to sit inline in their entry. Slots are reused
/// after a list shrinks back inline, so the table does not grow with churn.
#[derive(Debug, Clone, Default)]
pub(crate) struct Spill {
    lists: Vec<Box<[u32]>>,
    free: Vec<u32>,
}

impl Spill {
    #[inline]
    fn get(&self, slot: u32) -> &[u32] {
        self.lists.get(slot as usize).map_or(&[], |list| list)
    }

    /// Stores sorted `ids` as a list, reusing the slot `old` had, if any.
    fn store<const N: usize>(&mut self, old: IdList<N>, ids: &[u32]) -> IdList<N> {
        let old_slot = (old.tag == SPILLED)
            .then(|| old.ids.first().copied())
            .flatten();
        if ids.len() <= N {
            if let Some(slot) = old_slot {
                self.release(slot);
            }
            // Pad with the first id (see the shape invariant).
            let mut inline = [ids.first().copied().unwrap_or(0); N];
            if let Some(prefix) = inline.get_mut(..ids.len()) {
                prefix.copy_from_slice(ids);
            }
            return IdList {
                tag: ids.len() as u32,
                ids: inline,
            };
        }
        let slot = old_slot
            .or_else(|| self.free.pop())
            .unwrap_or_else(|| u32::try_from(self.lists.len()).unwrap_or(u32::MAX));
        match self.lists.get_mut(slot as usize) {
            Some(list) => *list = ids.into(),
            None => self.lists.push(ids.into()),
        }
        IdList {
            tag: SPILLED,
            ids: [slot; N],
        }
    }

    fn release(&mut self, slot: u32) {
        if let Some(list) = self.lists.get_mut(slot as usize) {
            *list = Box::default();
            self.free.push(slot);
        }
    }

    fn bytes(&self) -> usize {
        use std::mem::size_of;
        self.lists.capacity() * size_of::<Box<[u32]>>()
            + self.free.capacity() * size_of::<u32>()
            + self
                .lists
                .iter()
                .map(|l| l.len() * size_of::<u32>())
                .sum::<usize>()
    }
}

/// Whether two sorted id lists share an element: a merge walk, O(a + b).
#[inline]
pub(crate) fn shares_project(a: &[u32], b: &[u32]) -> bool {
    let (mut i, mut j) = (0, 0);
    while let (Some(&x), Some(&y)) = (a.get(i), b.get(j)) {
        match x.cmp(&y) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => return true,
        }
    }
    false
}

/// The compiled entry of one user: 32 bytes with a `u64` catalog word (64
/// with `u128`), aligned so that it never straddles two cache lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(align(32))]
pub(crate) struct UserEntry<W: Word> {
    /// Union of the permissions of every role held, directly or through a
    /// group, in the catalog's word.
    permissions: W,
    /// Sessions that logged in before this revision are ended.
    pub(crate) sessions_from: u64,
    /// Every project the user belongs to, directly or through a group; its
    /// tag says `ABSENT` for ids never created or deleted.
    projects: IdList<USER_INLINE>,
}

impl<W: Word> UserEntry<W> {
    /// The entry of a user id never made, or deleted.
    fn absent() -> Self {
        Self {
            permissions: W::default(),
            sessions_from: 0,
            projects: IdList::ABSENT,
        }
    }

    fn new(permissions: W, sessions_from: u64, projects: IdList<USER_INLINE>) -> Self {
        Self {
            permissions,
            sessions_from,
            projects,
        }
    }

    /// The user's effective permissions.
    #[inline(always)]
    pub(crate) fn permissions<P: PermissionFlags<Word = W>>(&self) -> P {
        P::from_word(self.permissions)
    }

    /// `false` for ids never created or deleted.
    #[inline(always)]
    pub(crate) fn live(&self) -> bool {
        self.projects.tag != ABSENT
    }
}

/// The compiled entry of one object: 16 bytes, aligned so that it never
/// straddles two cache lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(align(16))]
pub(crate) struct ObjectEntry {
    /// Every project that holds the object.
    projects: IdList<OBJECT_INLINE>,
    /// The index of the object's kind in its catalog; `NO_KIND` for a
    /// deleted object.
    pub(crate) kind: u8,
}

/// [`ObjectEntry::kind`] of a deleted object (catalogs have at most 32
/// kinds).
const NO_KIND: u8 = u8::MAX;

impl Default for ObjectEntry {
    fn default() -> Self {
        Self {
            projects: IdList::default(),
            kind: NO_KIND,
        }
    }
}

impl ObjectEntry {
    /// The kind's index, or `None` for a deleted object.
    #[inline(always)]
    pub(crate) fn kind_index(&self) -> Option<usize> {
        (self.kind != NO_KIND).then_some(self.kind as usize)
    }
}

// The memory budget (issue: at most 64 bytes per user and 16 per
// object-project link) rests on these sizes.
const _: () = assert!(std::mem::size_of::<UserEntry<u64>>() == 32);
const _: () = assert!(std::mem::size_of::<UserEntry<u128>>() == 64);
const _: () = assert!(std::mem::size_of::<ObjectEntry>() <= 16);
const _: () = assert!(crate::MAX_KINDS < NO_KIND as usize);

/// The compiled entry of one project. Its objects, per kind, are in
/// [`Snapshot::project_objects`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct ProjectEntry {
    pub(crate) live: bool,
}

/// A user as `Company` compiles it, before it is stored in the snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CompiledUser<P> {
    pub(crate) permissions: P,
    pub(crate) sessions_from: u64,
    /// Sorted, without duplicates.
    pub(crate) projects: Vec<u32>,
}

/// An immutable, compiled view of a [`Company`](crate::Company) that answers
/// checks.
///
/// A `Snapshot` is made only by a `Company`, which keeps its own up to date
/// change by change; [`Company::snapshot`](crate::Company::snapshot) lends it,
/// and cloning it gives an owned copy that can be shared across threads in an
/// `Arc` while the company moves on.
///
/// # Fallibility
///
/// Checks never fail and never panic: an unknown user, object or project, or
/// an action that does not fit the resource, is a [`Decision::Deny`] with its
/// [`DenyReason`].
#[derive(Debug, Clone)]
pub struct Snapshot<P: PermissionFlags = Permissions> {
    pub(crate) revision: u64,
    pub(crate) enhanced: bool,
    // INVARIANT (dense): `users[i]` describes `UserId(i)` for every id ever
    // made, `objects[i]` and `projects[i]` likewise.
    pub(crate) users: Vec<UserEntry<P::Word>>,
    pub(crate) objects: Vec<ObjectEntry>,
    pub(crate) projects: Vec<ProjectEntry>,
    /// The permissions of each role (`None` once deleted), for testing
    /// sessions.
    pub(crate) roles: Vec<Option<P::Word>>,
    /// Live objects of each kind (by index), sorted by id.
    pub(crate) objects_by_kind: Vec<Vec<ObjectId>>,
    // INVARIANT (per project): `project_objects[p * kinds + k]` is project
    // `p`'s live objects of kind `k`, sorted by id, for every project id
    // ever made (`kinds` is the catalog's number of kinds). One flat table,
    // so a listing reaches a project's list with one indirection.
    pub(crate) project_objects: Vec<Vec<ObjectId>>,
    /// Project lists too long to sit inline in their entries.
    pub(crate) spill: Spill,
}

/// Two snapshots are equal when they answer every question alike: the same
/// revision, mode, entries and lists, whatever the internal layout (where a
/// long project list happens to be stored, spare capacity).
impl<P: PermissionFlags> Default for Snapshot<P> {
    fn default() -> Self {
        Self {
            revision: 0,
            enhanced: false,
            users: Vec::new(),
            objects: Vec::new(),
            projects: Vec::new(),
            roles: Vec::new(),
            objects_by_kind: vec![Vec::new(); P::catalog().kinds().len()],
            project_objects: Vec::new(),
            spill: Spill::default(),
        }
    }
}

impl<P: PermissionFlags> PartialEq for Snapshot<P> {
    fn eq(&self, other: &Self) -> bool {
        let users = self.users.len() == other.users.len()
            && self.users.iter().zip(&other.users).all(|(a, b)| {
                a.live() == b.live()
                    && a.permissions == b.permissions
                    && a.sessions_from == b.sessions_from
                    && self.user_projects(a) == other.user_projects(b)
            });
        let objects = self.objects.len() == other.objects.len()
            && self.objects.iter().zip(&other.objects).all(|(a, b)| {
                a.kind == b.kind && self.object_projects(a) == other.object_projects(b)
            });
        self.revision == other.revision
            && self.enhanced == other.enhanced
            && users
            && objects
            && self.projects == other.projects
            && self.roles == other.roles
            && self.objects_by_kind == other.objects_by_kind
            && self.project_objects == other.project_objects
    }
}

impl<P: PermissionFlags> Eq for Snapshot<P> {}

/// The decision, indexed by the first test that fails, in the documented
/// order: 3 hidden, 2 not applicable, 1 not granted, 0 none.
const OUTCOMES: [Decision; 4] = [
    Decision::Allow,
    Decision::Deny(DenyReason::MissingPermission),
    Decision::Deny(DenyReason::NotApplicable),
    Decision::Deny(DenyReason::HiddenByProjects),
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
    ///    [`MissingPermission`](DenyReason::MissingPermission).
    ///
    /// Computes in **O(1)** for a user and an object in a bounded number of
    /// projects; allocates nothing.
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
        match self.user(user) {
            Some(entry) => self.decide(entry.permissions, &entry.projects, action, resource),
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
        let decision = match self.session_rights(session) {
            Ok((entry, permissions)) => self.decide(permissions, &entry.projects, action, resource),
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
        let (entry, permissions) = self.session_rights(session)?;
        Ok((entry, P::from_word(permissions)))
    }

    /// [`session_permissions`](Self::session_permissions), as a word.
    #[inline(always)]
    fn session_rights(
        &self,
        session: &Session,
    ) -> Result<(&UserEntry<P::Word>, P::Word), DenyReason> {
        let entry = self.user(session.user()).ok_or(DenyReason::UnknownUser)?;
        if session.login_revision() < entry.sessions_from {
            return Err(DenyReason::SessionEnded);
        }
        let mut permissions = entry.permissions;
        if let Some(role) = session.testing() {
            // A deleted role under test ends the testing session.
            let Some(Some(role)) = self.roles.get(role.index()) else {
                return Err(DenyReason::SessionEnded);
            };
            permissions = permissions & *role;
        }
        Ok((entry, permissions))
    }

    /// The decision for a user with these permissions and projects: the
    /// shared fast path of `check` and `check_session`.
    #[inline(always)]
    fn decide(
        &self,
        permissions: P::Word,
        projects: &IdList<USER_INLINE>,
        action: P,
        resource: Resource,
    ) -> Decision {
        let catalog = P::catalog();
        let sees_everything = self.sees_every_project_word(permissions);
        // Unknown ids are rare, so their branches predict well. What follows
        // them (hidden? applicable? granted?) is different for every
        // question: it is computed without branches and the answer is read
        // from a table, in the documented order of reasons. `scope` is the
        // set of permissions that apply to the resource.
        let (hidden, scope) = match resource {
            // Every bit, even one outside the catalog: no role grants it,
            // so it is missing, not misplaced.
            Resource::Company => (false, !P::Word::default()),
            Resource::Object(object) => {
                let Some((object, kind)) = self
                    .objects
                    .get(object.index())
                    .and_then(|entry| Some((entry, entry.kind_index()?)))
                else {
                    return Decision::Deny(DenyReason::UnknownObject);
                };
                let shared = projects.shares(&object.projects, &self.spill);
                let scope = P::Word::from_u128(catalog.kind_mask(kind));
                (!sees_everything & !shared, scope)
            }
            Resource::Project(project) => {
                if !self.projects.get(project.index()).is_some_and(|p| p.live) {
                    return Decision::Deny(DenyReason::UnknownProject);
                }
                let member = projects
                    .get(&self.spill)
                    .binary_search(&project.get())
                    .is_ok();
                let scope = P::Word::from_u128(catalog.project_mask);
                (!sees_everything & !member, scope)
            }
        };
        // Non-short-circuit `&` on raw bits: no branch on the action.
        let action = action.to_word();
        let none = P::Word::default();
        let applicable = (action != none) & (action & !scope == none);
        let granted = action & !permissions == none;
        let index = (3 * usize::from(hidden))
            .max(2 * usize::from(!applicable))
            .max(usize::from(!granted));
        OUTCOMES
            .get(index)
            .copied()
            .unwrap_or(Decision::Deny(DenyReason::MissingPermission))
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
        let lists = |lists: &[Vec<ObjectId>]| {
            lists
                .iter()
                .map(|list| list.capacity() * size_of::<ObjectId>())
                .sum::<usize>()
        };
        let heads = |lists: &Vec<Vec<ObjectId>>| lists.capacity() * size_of::<Vec<ObjectId>>();
        size_of::<Self>()
            + self.users.capacity() * size_of::<UserEntry<P::Word>>()
            + self.objects.capacity() * size_of::<ObjectEntry>()
            + self.projects.capacity() * size_of::<ProjectEntry>()
            + heads(&self.project_objects)
            + lists(&self.project_objects)
            + self.roles.capacity() * size_of::<Option<P::Word>>()
            + heads(&self.objects_by_kind)
            + lists(&self.objects_by_kind)
            + self.spill.bytes()
    }

    /// The projects of a user entry, sorted.
    #[inline]
    pub(crate) fn user_projects<'a>(&'a self, entry: &'a UserEntry<P::Word>) -> &'a [u32] {
        entry.projects.get(&self.spill)
    }

    /// The projects of an object entry, sorted.
    #[inline]
    pub(crate) fn object_projects<'a>(&'a self, entry: &'a ObjectEntry) -> &'a [u32] {
        entry.projects.get(&self.spill)
    }

    /// Stores a user's compiled entry (`None`: deleted) and says whether
    /// what the user may do or see changed. A session ended by the change
    /// (`sessions_from`) is stored but does not count: it is reported in
    /// `ChangeReport::logged_out_users`, not as an affected user.
    pub(crate) fn set_user(&mut self, user: UserId, compiled: Option<CompiledUser<P>>) -> bool {
        let index = user.index();
        if self.users.len() <= index {
            self.users.resize(index + 1, UserEntry::absent());
        }
        let Some(&old) = self.users.get(index) else {
            return false;
        };
        let (same_rights, same_sessions) = match &compiled {
            Some(new) => (
                old.live()
                    && old.permissions == new.permissions.to_word()
                    && old.projects.get(&self.spill) == new.projects.as_slice(),
                old.sessions_from == new.sessions_from,
            ),
            None => (!old.live(), true),
        };
        if same_rights && same_sessions {
            return false;
        }
        let entry = match &compiled {
            Some(new) => UserEntry::new(
                new.permissions.to_word(),
                new.sessions_from,
                self.spill.store(old.projects, &new.projects),
            ),
            None => {
                // Give back a spilled list's slot.
                self.spill.store(old.projects, &[]);
                UserEntry::absent()
            }
        };
        if let Some(slot) = self.users.get_mut(index) {
            *slot = entry;
        }
        !same_rights
    }

    /// Stores an object's kind and sorted projects (`None`: deleted), keeping
    /// the per-kind and per-project lists in step.
    pub(crate) fn set_object(&mut self, object: ObjectId, compiled: Option<(P::Kind, Vec<u32>)>) {
        let index = object.index();
        if self.objects.len() <= index {
            self.objects.resize_with(index + 1, ObjectEntry::default);
        }
        let Some(&old) = self.objects.get(index) else {
            return;
        };
        let old_projects = old.projects.get(&self.spill).to_vec();
        let (new_kind, new_projects) = match compiled {
            Some((kind, projects)) => (kind_slot::<P>(kind), projects),
            None => (NO_KIND, Vec::new()),
        };
        let same_kind = old.kind == new_kind;
        // Only the lists that change are touched: a list is sorted, so an
        // insertion or removal moves its tail.
        if let Some(kind) = old.kind_index() {
            if !same_kind {
                if let Some(list) = self.objects_by_kind.get_mut(kind) {
                    remove_sorted(list, object);
                }
            }
            for &p in old_projects
                .iter()
                .filter(|p| !same_kind || !new_projects.contains(p))
            {
                if let Some(list) = self.project_list_mut(p, kind) {
                    remove_sorted(list, object);
                }
            }
        }
        if new_kind != NO_KIND {
            let kind = usize::from(new_kind);
            if !same_kind {
                if let Some(list) = self.objects_by_kind.get_mut(kind) {
                    insert_sorted(list, object);
                }
            }
            for &p in new_projects
                .iter()
                .filter(|p| !same_kind || !old_projects.contains(p))
            {
                if let Some(list) = self.project_list_mut(p, kind) {
                    insert_sorted(list, object);
                }
            }
        }
        let entry = ObjectEntry {
            projects: self.spill.store(old.projects, &new_projects),
            kind: new_kind,
        };
        if let Some(slot) = self.objects.get_mut(index) {
            *slot = entry;
        }
    }

    /// Marks a project live or deleted; a deleted project's lists are
    /// emptied (its objects have left it through `set_object`).
    pub(crate) fn set_project(&mut self, project: ProjectId, live: bool) {
        let index = project.index();
        let kinds = P::catalog().kinds().len();
        if self.projects.len() <= index {
            self.projects.resize_with(index + 1, ProjectEntry::default);
            self.project_objects
                .resize_with((index + 1) * kinds, Vec::new);
        }
        if let Some(entry) = self.projects.get_mut(index) {
            entry.live = live;
        }
        if !live {
            let lists = self
                .project_objects
                .get_mut(index * kinds..(index + 1) * kinds);
            for list in lists.into_iter().flatten() {
                *list = Vec::new();
            }
        }
    }

    /// Project `project`'s sorted objects of kind `kind`.
    #[inline]
    fn project_list(&self, project: u32, kind: usize) -> &[ObjectId] {
        let at = project as usize * P::catalog().kinds().len() + kind;
        self.project_objects.get(at).map_or(&[], Vec::as_slice)
    }

    /// The list of project `project`'s objects of kind `kind`.
    fn project_list_mut(&mut self, project: u32, kind: usize) -> Option<&mut Vec<ObjectId>> {
        let at = project as usize * P::catalog().kinds().len() + kind;
        self.project_objects.get_mut(at)
    }

    /// An empty snapshot with its roles and projects, ready for
    /// [`push_user`](Self::push_user) and [`push_object`](Self::push_object)
    /// in id order.
    pub(crate) fn empty(
        revision: u64,
        enhanced: bool,
        roles: impl Iterator<Item = Option<P>>,
        projects: impl Iterator<Item = bool>,
        users: usize,
        objects: usize,
    ) -> Self {
        let projects: Vec<ProjectEntry> = projects.map(|live| ProjectEntry { live }).collect();
        let kinds = P::catalog().kinds().len();
        Self {
            revision,
            enhanced,
            users: Vec::with_capacity(users),
            objects: Vec::with_capacity(objects),
            project_objects: vec![Vec::new(); projects.len() * kinds],
            projects,
            roles: roles.map(|role| role.map(P::to_word)).collect(),
            objects_by_kind: vec![Vec::new(); kinds],
            spill: Spill::default(),
        }
    }

    /// Appends the entry of the next user id (`None`: deleted).
    pub(crate) fn push_user(&mut self, compiled: Option<(P, u64, &[u32])>) {
        let entry = match compiled {
            Some((permissions, sessions_from, projects)) => UserEntry::new(
                permissions.to_word(),
                sessions_from,
                self.spill.store(IdList::default(), projects),
            ),
            None => UserEntry::absent(),
        };
        self.users.push(entry);
    }

    /// Appends the entry of the next object id (`None`: deleted), with its
    /// sorted projects. Ids arrive in order, so every list stays sorted by
    /// pushing at its end.
    pub(crate) fn push_object(&mut self, compiled: Option<(P::Kind, &[u32])>) {
        let Ok(id) = u32::try_from(self.objects.len()) else {
            return;
        };
        let id = ObjectId::new(id);
        let entry = match compiled {
            Some((kind, projects)) => {
                let slot = kind_slot::<P>(kind);
                let kind = usize::from(slot);
                if let Some(list) = self.objects_by_kind.get_mut(kind) {
                    list.push(id);
                }
                for &project in projects {
                    if let Some(list) = self.project_list_mut(project, kind) {
                        list.push(id);
                    }
                }
                ObjectEntry {
                    projects: self.spill.store(IdList::default(), projects),
                    kind: slot,
                }
            }
            None => ObjectEntry::default(),
        };
        self.objects.push(entry);
    }

    /// Gives back the spare capacity of every table and list.
    pub(crate) fn shrink_to_fit(&mut self) {
        self.users.shrink_to_fit();
        self.objects.shrink_to_fit();
        self.projects.shrink_to_fit();
        self.roles.shrink_to_fit();
        self.project_objects.shrink_to_fit();
        for list in self
            .project_objects
            .iter_mut()
            .chain(self.objects_by_kind.iter_mut())
        {
            list.shrink_to_fit();
        }
        self.spill.lists.shrink_to_fit();
        self.spill.free.shrink_to_fit();
    }

    /// Stores a role's permissions (`None`: deleted).
    pub(crate) fn set_role(&mut self, role: RoleId, permissions: Option<P>) {
        let index = role.index();
        if self.roles.len() <= index {
            self.roles.resize_with(index + 1, || None);
        }
        if let Some(slot) = self.roles.get_mut(index) {
            *slot = permissions.map(P::to_word);
        }
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
        let all_projects = P::Word::from_u128(P::catalog().required.projects_all);
        // `|`, not `||`: no branch on the user's permissions.
        !self.enhanced | (permissions & all_projects == all_projects)
    }

    #[inline(always)]
    pub(crate) fn user(&self, user: UserId) -> Option<&UserEntry<P::Word>> {
        self.users.get(user.index()).filter(|entry| entry.live())
    }

    /// The objects of `kind` that `user` may view, without the permission
    /// test (the caller has made it).
    pub(crate) fn objects_reachable<'a>(
        &'a self,
        user: &'a UserEntry<P::Word>,
        permissions: P,
        kind: P::Kind,
    ) -> VisibleObjects<'a> {
        let kind = kind.index();
        VisibleObjects {
            inner: if self.sees_every_project(permissions) {
                Walk::All(
                    self.objects_by_kind
                        .get(kind)
                        .map_or(&[][..], Vec::as_slice)
                        .iter(),
                )
            } else {
                let lists = self
                    .user_projects(user)
                    .iter()
                    .map(|&project| self.project_list(project, kind));
                Walk::merge(lists)
            },
        }
    }
}

/// The index a kind is stored under: its position in the catalog, or
/// `NO_KIND` for a kind the catalog lacks (which `Company` refuses first).
fn kind_slot<P: PermissionFlags>(kind: P::Kind) -> u8 {
    let index = kind.index();
    if index < P::catalog().kinds().len() {
        u8::try_from(index).unwrap_or(NO_KIND)
    } else {
        NO_KIND
    }
}

/// How many project lists [`VisibleObjects`] merges in place; a user in more
/// projects gets their objects gathered and sorted once.
const MERGE_INLINE: usize = 8;

/// The objects of one kind a user can see, in id order, each once: an
/// iterator whose cost follows the length of its answer, not the number of
/// objects in the company. Made by
/// [`Company::visible_objects`](crate::Company::visible_objects).
///
/// In enhanced mode it merges the sorted object lists of the user's
/// projects; it reads no object entries and, for a user in up to eight
/// projects, allocates nothing.
#[derive(Debug, Clone)]
pub struct VisibleObjects<'a> {
    inner: Walk<'a>,
}

#[derive(Debug, Clone)]
enum Walk<'a> {
    Nothing,
    All(std::slice::Iter<'a, ObjectId>),
    /// Each project's sorted list and how far it has been read; `count`
    /// are in use.
    Merge {
        lists: [&'a [ObjectId]; MERGE_INLINE],
        read: [usize; MERGE_INLINE],
        count: usize,
    },
    /// More projects than fit: gathered, sorted and deduplicated once.
    Gathered(std::vec::IntoIter<ObjectId>),
}

impl<'a> Walk<'a> {
    fn merge(lists: impl ExactSizeIterator<Item = &'a [ObjectId]>) -> Self {
        if lists.len() > MERGE_INLINE {
            let mut all: Vec<ObjectId> = lists.flatten().copied().collect();
            all.sort_unstable();
            all.dedup();
            return Walk::Gathered(all.into_iter());
        }
        let mut merged: [&'a [ObjectId]; MERGE_INLINE] = [&[]; MERGE_INLINE];
        let mut count = 0;
        for (slot, list) in merged.iter_mut().zip(lists) {
            *slot = list;
            count += 1;
        }
        match merged.get(..count) {
            // One project (the common case): its list is the answer.
            Some([only]) => Walk::All(only.iter()),
            _ => Walk::Merge {
                lists: merged,
                read: [0; MERGE_INLINE],
                count,
            },
        }
    }
}

impl VisibleObjects<'_> {
    pub(crate) fn nothing() -> Self {
        Self {
            inner: Walk::Nothing,
        }
    }
}

impl Iterator for VisibleObjects<'_> {
    type Item = ObjectId;

    #[inline]
    fn next(&mut self) -> Option<ObjectId> {
        match &mut self.inner {
            Walk::Nothing => None,
            Walk::All(iter) => iter.next().copied(),
            Walk::Gathered(iter) => iter.next(),
            Walk::Merge { lists, read, count } => match *count {
                // Two and three projects are by far the most common: fixed
                // sizes let the compiler unroll the step.
                2 => merge_step::<2>(lists, read),
                3 => merge_step::<3>(lists, read),
                4 => merge_step::<4>(lists, read),
                _ => merge_step::<MERGE_INLINE>(lists, read),
            },
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match &self.inner {
            Walk::Nothing => (0, Some(0)),
            Walk::All(iter) => iter.size_hint(),
            Walk::Gathered(iter) => iter.size_hint(),
            Walk::Merge { lists, read, count } => {
                let lists = lists.get(..*count).unwrap_or(&[]);
                let left = lists
                    .iter()
                    .zip(read)
                    .map(|(l, &at)| l.len().saturating_sub(at));
                let longest = left.clone().max().unwrap_or(0);
                (longest, Some(left.sum()))
            }
        }
    }
}

impl std::iter::FusedIterator for VisibleObjects<'_> {}

/// One step of the k-way merge over the first `N` lists: the smallest head is
/// next, and every list that starts with it moves on, so an object in several
/// projects comes once. Lists past the ones in use are empty, so `N` may be
/// larger than their count. Written without data-dependent branches (an
/// exhausted list reads as a head past every id): which list holds the next
/// object is random, and branches on it would mispredict.
#[inline]
fn merge_step<const N: usize>(
    lists: &[&[ObjectId]; MERGE_INLINE],
    read: &mut [usize; MERGE_INLINE],
) -> Option<ObjectId> {
    let (Some(lists), Some(read)) = (lists.first_chunk::<N>(), read.first_chunk_mut::<N>()) else {
        return None;
    };
    let head = |list: &[ObjectId], at: usize| list.get(at).map_or(u64::MAX, |o| u64::from(o.get()));
    let mut next = u64::MAX;
    for (list, &at) in lists.iter().zip(read.iter()) {
        next = next.min(head(list, at));
    }
    if next == u64::MAX {
        return None;
    }
    for (list, at) in lists.iter().zip(read.iter_mut()) {
        *at += usize::from(head(list, *at) == next);
    }
    u32::try_from(next).ok().map(ObjectId::new)
}

fn insert_sorted(list: &mut Vec<ObjectId>, id: ObjectId) {
    if let Err(at) = list.binary_search(&id) {
        list.insert(at, id);
    }
}

fn remove_sorted(list: &mut Vec<ObjectId>, id: ObjectId) {
    if let Ok(at) = list.binary_search(&id) {
        list.remove(at);
    }
}

#[cfg(test)]
mod tests;
