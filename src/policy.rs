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
// * `users[u]`: the user's *effective* permissions (the union over their
//   direct roles and their groups' roles, one `u128`) and the *sorted* list of
//   every project they belong to, directly or through a group. A deleted user
//   keeps a tombstone entry (`live == false`): ids are dense and never reused,
//   so `users[id]` is a bounds-checked index, never a hash.
// * `objects[o]`: the object's kind (`None` once deleted) and the sorted list
//   of the projects that hold it.
// * `enhanced`: the security mode.
//
// A check is then: index the user, index the object, test that the action's
// bits lie inside the object kind's mask, test the user's bits, and (in
// enhanced mode, for users without "all projects") intersect two sorted lists
// that hold one to three ids in practice. No allocation, no hashing, no
// strings, no locks; about a dozen branches. Project lists of up to
// `INLINE_IDS` ids live inline in the entry, so the common case touches two
// cache lines, one per entry.
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

use crate::{ObjectId, ObjectKind, Permissions, ProjectId, Session, SessionDecision, UserId};

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
    /// with "put its users offline" was saved, or the user was deleted): the
    /// user must log in again.
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
/// Small and `Copy` (two bytes). Anything the engine cannot vouch for is a
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

/// How many ids an [`IdList`] keeps inline before it moves to the heap.
const INLINE_IDS: usize = 3;

/// A sorted, duplicate-free list of project ids, inline when short.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum IdList {
    Inline { len: u8, ids: [u32; INLINE_IDS] },
    Heap(Box<[u32]>),
}

impl Default for IdList {
    fn default() -> Self {
        Self::Inline {
            len: 0,
            ids: [0; INLINE_IDS],
        }
    }
}

impl IdList {
    /// Builds the list from ids in any order, with duplicates.
    pub(crate) fn from_unsorted(mut ids: Vec<u32>) -> Self {
        ids.sort_unstable();
        ids.dedup();
        if ids.len() <= INLINE_IDS {
            let mut inline = [0; INLINE_IDS];
            inline[..ids.len()].copy_from_slice(&ids);
            // `ids.len() <= INLINE_IDS`, which fits in a `u8`.
            Self::Inline {
                len: ids.len() as u8,
                ids: inline,
            }
        } else {
            Self::Heap(ids.into_boxed_slice())
        }
    }

    #[inline]
    pub(crate) fn as_slice(&self) -> &[u32] {
        match self {
            Self::Inline { len, ids } => ids.get(..usize::from(*len)).unwrap_or(&[]),
            Self::Heap(ids) => ids,
        }
    }

    #[inline]
    pub(crate) fn contains(&self, id: u32) -> bool {
        self.as_slice().binary_search(&id).is_ok()
    }

    /// Heap bytes owned beyond the inline entry.
    pub(crate) fn heap_bytes(&self) -> usize {
        match self {
            Self::Inline { .. } => 0,
            Self::Heap(ids) => std::mem::size_of_val::<[u32]>(ids),
        }
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

/// The compiled entry of one user.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct UserEntry {
    /// Union of the permissions of every role held, directly or through a group.
    pub(crate) permissions: Permissions,
    /// Every project the user belongs to, directly or through a group.
    pub(crate) projects: IdList,
    /// Sessions that logged in before this revision are ended.
    pub(crate) sessions_from: u64,
    /// `false` for ids never created or deleted.
    pub(crate) live: bool,
}

/// The compiled entry of one object.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct ObjectEntry {
    /// The object's kind; `None` for a deleted object.
    pub(crate) kind: Option<ObjectKind>,
    /// Every project that holds the object.
    pub(crate) projects: IdList,
}

/// The compiled entry of one project.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct ProjectEntry {
    pub(crate) live: bool,
    /// The project's objects, per kind, sorted by id.
    pub(crate) objects: [Vec<ObjectId>; ObjectKind::ALL.len()],
}

/// The permissions that apply to a [`Resource::Project`].
const PROJECT_ACTIONS: Permissions = Permissions::PROJECTS_MANAGE;

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
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Snapshot {
    pub(crate) revision: u64,
    pub(crate) enhanced: bool,
    // INVARIANT (dense): `users[i]` describes `UserId(i)` for every id ever
    // made, `objects[i]` and `projects[i]` likewise.
    pub(crate) users: Vec<UserEntry>,
    pub(crate) objects: Vec<ObjectEntry>,
    pub(crate) projects: Vec<ProjectEntry>,
    /// The permissions of each role (`None` once deleted), for testing
    /// sessions.
    pub(crate) roles: Vec<Option<Permissions>>,
    /// Live objects of each kind, sorted by id.
    pub(crate) objects_by_kind: [Vec<ObjectId>; ObjectKind::ALL.len()],
}

/// For each object kind (by index), the permissions that apply to it.
const KIND_ACTIONS: [Permissions; ObjectKind::ALL.len()] = {
    let mut masks = [Permissions::empty(); ObjectKind::ALL.len()];
    let mut i = 0;
    while i < masks.len() {
        masks[i] = ObjectKind::ALL[i].permissions();
        i += 1;
    }
    masks
};

impl Snapshot {
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
    #[inline]
    #[must_use]
    pub fn check(&self, user: UserId, action: Permissions, resource: Resource) -> Decision {
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
    #[inline]
    #[must_use]
    pub fn check_session(
        &self,
        session: &Session,
        action: Permissions,
        resource: Resource,
    ) -> SessionDecision {
        let decision = match self.session_permissions(session) {
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
    #[inline]
    pub(crate) fn session_permissions(
        &self,
        session: &Session,
    ) -> Result<(&UserEntry, Permissions), DenyReason> {
        let entry = self.user(session.user()).ok_or(DenyReason::UnknownUser)?;
        if session.login_revision() < entry.sessions_from {
            return Err(DenyReason::SessionEnded);
        }
        let permissions = match session.testing() {
            None => entry.permissions,
            // A deleted role under test ends the testing session.
            Some(role) => self
                .roles
                .get(role.index())
                .copied()
                .flatten()
                .ok_or(DenyReason::SessionEnded)?
                .intersection(entry.permissions),
        };
        Ok((entry, permissions))
    }

    /// The decision for a user with these permissions and projects: the
    /// shared fast path of `check` and `check_session`.
    #[inline]
    fn decide(
        &self,
        permissions: Permissions,
        projects: &IdList,
        action: Permissions,
        resource: Resource,
    ) -> Decision {
        let sees_everything = !self.enhanced || permissions.contains(Permissions::PROJECTS_ALL);
        match resource {
            Resource::Company => {
                if action.is_empty() {
                    return Decision::Deny(DenyReason::NotApplicable);
                }
            }
            Resource::Object(object) => {
                let Some((object, kind)) = self
                    .objects
                    .get(object.index())
                    .and_then(|entry| Some((entry, entry.kind?)))
                else {
                    return Decision::Deny(DenyReason::UnknownObject);
                };
                if !sees_everything
                    && !shares_project(projects.as_slice(), object.projects.as_slice())
                {
                    return Decision::Deny(DenyReason::HiddenByProjects);
                }
                if !applies(action, kind_actions(kind)) {
                    return Decision::Deny(DenyReason::NotApplicable);
                }
            }
            Resource::Project(project) => {
                if !self.projects.get(project.index()).is_some_and(|p| p.live) {
                    return Decision::Deny(DenyReason::UnknownProject);
                }
                if !sees_everything && !projects.contains(project.get()) {
                    return Decision::Deny(DenyReason::HiddenByProjects);
                }
                if !applies(action, PROJECT_ACTIONS) {
                    return Decision::Deny(DenyReason::NotApplicable);
                }
            }
        }
        if permissions.contains(action) {
            Decision::Allow
        } else {
            Decision::Deny(DenyReason::MissingPermission)
        }
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
    pub fn permissions_of(&self, user: UserId) -> Option<Permissions> {
        self.user(user).map(|entry| entry.permissions)
    }

    /// Approximate bytes of memory the snapshot holds (its tables and the
    /// lists they own), for capacity planning.
    #[must_use]
    pub fn memory_bytes(&self) -> usize {
        use std::mem::size_of;
        let users = self.users.capacity() * size_of::<UserEntry>()
            + self
                .users
                .iter()
                .map(|u| u.projects.heap_bytes())
                .sum::<usize>();
        let objects = self.objects.capacity() * size_of::<ObjectEntry>()
            + self
                .objects
                .iter()
                .map(|o| o.projects.heap_bytes())
                .sum::<usize>();
        let projects = self.projects.capacity() * size_of::<ProjectEntry>()
            + self
                .projects
                .iter()
                .flat_map(|p| p.objects.iter())
                .map(|list| list.capacity() * size_of::<ObjectId>())
                .sum::<usize>();
        let by_kind = self
            .objects_by_kind
            .iter()
            .map(|list| list.capacity() * size_of::<ObjectId>())
            .sum::<usize>();
        size_of::<Self>() + users + objects + projects + by_kind
    }

    #[inline]
    pub(crate) fn user(&self, user: UserId) -> Option<&UserEntry> {
        self.users.get(user.index()).filter(|entry| entry.live)
    }

    /// The objects of `kind` that `user` may view, without the permission
    /// test (the caller has made it).
    pub(crate) fn objects_reachable<'a>(
        &'a self,
        user: &'a UserEntry,
        permissions: Permissions,
        kind: ObjectKind,
    ) -> VisibleObjects<'a> {
        let everything = !self.enhanced || permissions.contains(Permissions::PROJECTS_ALL);
        VisibleObjects {
            inner: if everything {
                Walk::All(self.objects_by_kind[kind.index()].iter())
            } else {
                Walk::Projects {
                    snapshot: self,
                    kind,
                    projects: user.projects.as_slice(),
                    next_project: 0,
                    current: [].iter(),
                }
            },
        }
    }
}

#[inline]
const fn kind_actions(kind: ObjectKind) -> Permissions {
    KIND_ACTIONS[kind.index()]
}

/// Whether `action` is non-empty and inside `mask`.
#[inline]
const fn applies(action: Permissions, mask: Permissions) -> bool {
    !action.is_empty() && mask.contains(action)
}

/// The objects of one kind a user can see: an iterator whose cost follows the
/// length of its answer. Made by
/// [`Company::visible_objects`](crate::Company::visible_objects).
///
/// Objects come grouped by project (in project id order), each object once.
#[derive(Debug, Clone)]
pub struct VisibleObjects<'a> {
    inner: Walk<'a>,
}

#[derive(Debug, Clone)]
enum Walk<'a> {
    Nothing,
    All(std::slice::Iter<'a, ObjectId>),
    Projects {
        snapshot: &'a Snapshot,
        kind: ObjectKind,
        /// The user's projects, sorted.
        projects: &'a [u32],
        /// Index into `projects` of the next project to walk.
        next_project: usize,
        /// What is left of the current project's list.
        current: std::slice::Iter<'a, ObjectId>,
    },
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

    fn next(&mut self) -> Option<ObjectId> {
        match &mut self.inner {
            Walk::Nothing => None,
            Walk::All(iter) => iter.next().copied(),
            Walk::Projects {
                snapshot,
                kind,
                projects,
                next_project,
                current,
            } => loop {
                if let Some(&object) = current.next() {
                    // Listed already if it sits in one of the user's earlier
                    // projects (those before the one being walked).
                    let earlier = projects
                        .get(..next_project.saturating_sub(1))
                        .unwrap_or(&[]);
                    let seen = snapshot
                        .objects
                        .get(object.index())
                        .is_some_and(|entry| shares_project(earlier, entry.projects.as_slice()));
                    if !seen {
                        return Some(object);
                    }
                    continue;
                }
                let project = *projects.get(*next_project)?;
                *next_project += 1;
                *current = snapshot
                    .projects
                    .get(project as usize)
                    .map_or(&[][..], |entry| &entry.objects[kind.index()][..])
                    .iter();
            },
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match &self.inner {
            Walk::Nothing => (0, Some(0)),
            Walk::All(iter) => iter.size_hint(),
            Walk::Projects { .. } => (0, None),
        }
    }
}

impl std::iter::FusedIterator for VisibleObjects<'_> {}
