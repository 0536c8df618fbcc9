//! Two-way links between records, and who is reached through them.
//!
//! Every link is stored on both records (a user lists its roles, a role its
//! users); [`Company::set_links`] keeps the two sides in step, so no other
//! code writes a link.

use crate::short_set::{ManySet, ShortSet};

use super::{Company, record};
use crate::{GroupId, Object, ObjectId, PermissionFlags, Principal, ProjectId, RoleId, UserId};

/// One two-way link between records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Link {
    UserRole(UserId, RoleId),
    GroupRole(GroupId, RoleId),
    GroupMember(GroupId, UserId),
    UserProject(UserId, ProjectId),
    GroupProject(GroupId, ProjectId),
    ObjectProject(ObjectId, ProjectId),
    /// A role given to a user within a project (DOMAIN rule 20).
    UserProjectRole(UserId, ProjectId, RoleId),
    /// A role given to a group within a project.
    GroupProjectRole(GroupId, ProjectId, RoleId),
    /// An object that uses another (DOMAIN rule 26): stored as the first's
    /// `uses` and the second's `used_by`, both sorted. Changes no one's
    /// rights: the snapshot never reads it.
    ObjectUses(ObjectId, ObjectId),
}

impl Link {
    pub(crate) fn role(principal: Principal, role: RoleId) -> Self {
        match principal {
            Principal::User(user) => Self::UserRole(user, role),
            Principal::Group(group) => Self::GroupRole(group, role),
        }
    }

    pub(crate) fn project(principal: Principal, project: ProjectId) -> Self {
        match principal {
            Principal::User(user) => Self::UserProject(user, project),
            Principal::Group(group) => Self::GroupProject(group, project),
        }
    }

    pub(crate) fn project_role(principal: Principal, project: ProjectId, role: RoleId) -> Self {
        match principal {
            Principal::User(user) => Self::UserProjectRole(user, project, role),
            Principal::Group(group) => Self::GroupProjectRole(group, project, role),
        }
    }
}

/// What a commit touched, to recompile afterwards.
#[derive(Default)]
pub(crate) struct Touched {
    /// Users whose entries the commit may have changed. The plan has
    /// compiled them already; only debug builds note them, to compile them
    /// again and compare (see `Company::refresh`).
    pub(crate) users: Vec<UserId>,
    pub(crate) objects: Vec<ObjectId>,
    pub(crate) projects: Vec<ProjectId>,
    /// Roles whose permissions were created, changed or deleted.
    pub(crate) roles: Vec<RoleId>,
}

impl Touched {
    /// Notes users whose entries may change (debug builds only).
    pub(crate) fn users(&mut self, users: impl IntoIterator<Item = UserId>) {
        if cfg!(debug_assertions) {
            self.users.extend(users);
        }
    }
}

/// A set of links, many-sided ([`ManySet`]) or short ([`ShortSet`]).
trait LinkSet<T> {
    /// Adds or removes `item`; says whether that changed the set.
    fn put(&mut self, item: T, present: bool) -> bool;

    /// Adds or removes each of `items` (distinct); says how many changed
    /// the set. One by one unless the set does better.
    fn put_all(&mut self, items: &[T], present: bool) -> usize
    where
        T: Copy,
    {
        items
            .iter()
            .filter(|&&item| self.put(item, present))
            .count()
    }
}

/// The many-sided ends: sorted, `O(log n)` either way.
impl<T: Ord + Clone> LinkSet<T> for ManySet<T> {
    fn put(&mut self, item: T, present: bool) -> bool {
        if present {
            self.insert(item).is_none()
        } else {
            self.remove(&item).is_some()
        }
    }
}

/// The short sides: a batch is merged in one pass (`ShortSet::extend_from`),
/// not inserted one by one into a boxed slice.
impl<T: Copy + Ord> LinkSet<T> for ShortSet<T> {
    fn put(&mut self, item: T, present: bool) -> bool {
        if present {
            self.insert(item)
        } else {
            self.shift_remove(&item)
        }
    }

    fn put_all(&mut self, items: &[T], present: bool) -> usize {
        if present {
            self.extend_from(items)
        } else {
            self.remove_all(items)
        }
    }
}

/// A short set kept sorted (the roles given within projects, listed by
/// project then role).
struct Sorted<'a, T>(&'a mut ShortSet<T>);

impl<T: Copy + Ord> LinkSet<T> for Sorted<'_, T> {
    fn put(&mut self, item: T, present: bool) -> bool {
        if present {
            self.0.insert_sorted(item)
        } else {
            self.0.shift_remove(&item)
        }
    }

    fn put_all(&mut self, items: &[T], present: bool) -> usize {
        if present {
            self.0.extend_sorted(items)
        } else {
            self.0.remove_all(items)
        }
    }
}

/// Adds or removes `item` in a set that may be missing; says whether that
/// changed it.
fn toggle<T, S: LinkSet<T>>(set: Option<S>, item: T, present: bool) -> bool {
    set.is_some_and(|mut set| set.put(item, present))
}

/// Adds or removes each of `items` in a set that may be missing; says how
/// many changed it.
fn toggle_all<T: Copy, S: LinkSet<T>>(set: Option<S>, items: &[T], present: bool) -> usize {
    set.map_or(0, |mut set| set.put_all(items, present))
}

/// A short side of a user or object, whose heap bytes `records_heap`
/// counts.
trait CountedSide<T>: LinkSet<T> {
    fn heap_bytes(&self) -> usize;
}

impl<T: Copy + Ord> CountedSide<T> for &mut ShortSet<T> {
    fn heap_bytes(&self) -> usize {
        ShortSet::heap_bytes(self)
    }
}

impl<T: Copy + Ord> CountedSide<T> for Sorted<'_, T> {
    fn heap_bytes(&self) -> usize {
        self.0.heap_bytes()
    }
}

/// Adds or removes each of `items` in a short side that may be missing;
/// gives the heap bytes it held before and after.
fn toggle_short<T: Copy, S: CountedSide<T>>(
    set: Option<S>,
    items: &[T],
    present: bool,
) -> (usize, usize) {
    set.map_or((0, 0), |mut set| {
        let before = set.heap_bytes();
        set.put_all(items, present);
        (before, set.heap_bytes())
    })
}

/// Which list of an object's references a link is in.
#[derive(Clone, Copy)]
enum Direction {
    Uses,
    UsedBy,
}

/// Adds or removes each of `items` in one list of the references of an
/// object that may be missing (both kept sorted): boxes them when the
/// first arrives and drops the box when both lists are left empty; gives
/// the heap bytes of its references before and after.
fn toggle_references<P: PermissionFlags>(
    object: Option<&mut Object<P>>,
    items: &[ObjectId],
    present: bool,
    direction: Direction,
) -> (usize, usize) {
    let Some(object) = object else {
        return (0, 0);
    };
    let before = object.references_heap_bytes();
    let references = object.references.get_or_insert_with(Box::default);
    let list = match direction {
        Direction::Uses => &mut references.uses,
        Direction::UsedBy => &mut references.used_by,
    };
    Sorted(list).put_all(items, present);
    if references.uses.is_empty() && references.used_by.is_empty() {
        object.references = None;
    }
    (before, object.references_heap_bytes())
}

impl<T, S: LinkSet<T>> LinkSet<T> for &mut S {
    fn put(&mut self, item: T, present: bool) -> bool {
        (**self).put(item, present)
    }

    fn put_all(&mut self, items: &[T], present: bool) -> usize
    where
        T: Copy,
    {
        (**self).put_all(items, present)
    }
}

/// The short side of a link: the record that holds few links of its kind,
/// and which of its sets holds them. A change that gives one record many
/// links lists them one after another, so the commit can merge them into
/// that set at once (see `Company::set_links`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ShortSide {
    UserRoles(UserId),
    UserGroups(UserId),
    UserProjects(UserId),
    UserProjectRoles(UserId),
    GroupRoles(GroupId),
    GroupProjects(GroupId),
    GroupProjectRoles(GroupId),
    ObjectProjects(ObjectId),
    ObjectUses(ObjectId),
}

impl Link {
    /// The short side of the link.
    fn short_side(self) -> ShortSide {
        match self {
            Self::UserRole(user, _) => ShortSide::UserRoles(user),
            Self::GroupRole(group, _) => ShortSide::GroupRoles(group),
            Self::GroupMember(_, user) => ShortSide::UserGroups(user),
            Self::UserProject(user, _) => ShortSide::UserProjects(user),
            Self::GroupProject(group, _) => ShortSide::GroupProjects(group),
            Self::ObjectProject(object, _) => ShortSide::ObjectProjects(object),
            Self::UserProjectRole(user, ..) => ShortSide::UserProjectRoles(user),
            Self::GroupProjectRole(group, ..) => ShortSide::GroupProjectRoles(group),
            Self::ObjectUses(object, _) => ShortSide::ObjectUses(object),
        }
    }
}

/// What the links of `run` hold on their short side, picked by `pick`. A
/// run of one link (most runs: a new object in a project, a group given a
/// role) is held in place, not in a `Vec`.
fn short_items<T>(run: &[(Link, bool)], pick: impl Fn(Link) -> Option<T>) -> ShortItems<T> {
    if let [(link, _)] = run {
        if let Some(item) = pick(*link) {
            return ShortItems::One([item]);
        }
    }
    ShortItems::Many(run.iter().filter_map(|&(link, _)| pick(link)).collect())
}

/// The items [`short_items`] picked, as a slice.
enum ShortItems<T> {
    One([T; 1]),
    Many(Vec<T>),
}

impl<T> std::ops::Deref for ShortItems<T> {
    type Target = [T];

    fn deref(&self) -> &[T] {
        match self {
            Self::One(item) => item,
            Self::Many(items) => items,
        }
    }
}

impl<P: PermissionFlags> Company<P> {
    /// Whether `link` is present now.
    pub(crate) fn linked(&self, link: Link) -> bool {
        match link {
            Link::UserRole(user, role) => self.user(user).is_some_and(|u| u.roles.contains(&role)),
            Link::GroupRole(group, role) => {
                self.group(group).is_some_and(|g| g.roles.contains(&role))
            }
            Link::GroupMember(group, user) => {
                self.user(user).is_some_and(|u| u.groups.contains(&group))
            }
            Link::UserProject(user, project) => self
                .user(user)
                .is_some_and(|u| u.projects.contains(&project)),
            Link::GroupProject(group, project) => self
                .group(group)
                .is_some_and(|g| g.projects.contains(&project)),
            Link::ObjectProject(object, project) => self
                .object(object)
                .is_some_and(|o| o.projects.contains(&project)),
            Link::UserProjectRole(user, project, role) => self
                .user(user)
                .is_some_and(|u| u.project_roles.contains(&(project, role))),
            Link::GroupProjectRole(group, project, role) => self
                .group(group)
                .is_some_and(|g| g.project_roles.contains(&(project, role))),
            Link::ObjectUses(object, used) => self
                .object(object)
                .is_some_and(|o| o.uses_list().contains(&used)),
        }
    }

    /// Makes each link of `links` present or absent on both sides, and
    /// notes the users and objects whose compiled entries they change. The
    /// links are distinct (see `Delta`).
    ///
    /// Each run of links that adds to (or removes from) one record's short
    /// side is merged into that set at once, so a record given `n` links
    /// costs `O(n log n)`, not `n` copies of a growing boxed slice. The
    /// many sides take each link in `O(log n)`.
    pub(crate) fn set_links(&mut self, links: &[(Link, bool)], touched: &mut Touched) {
        let same_side =
            |a: &(Link, bool), b: &(Link, bool)| a.1 == b.1 && a.0.short_side() == b.0.short_side();
        for run in links.chunk_by(same_side) {
            let Some(&(first, present)) = run.first() else {
                continue;
            };
            self.set_short_side(first.short_side(), run, present);
            for &(link, _) in run {
                self.set_many_side(link, present, touched);
            }
        }
    }

    /// Makes the links of `run`, which share the short side `side`, present
    /// or absent on that side.
    fn set_short_side(&mut self, side: ShortSide, run: &[(Link, bool)], present: bool) {
        match side {
            ShortSide::UserRoles(user) => {
                let items = short_items(run, role_of);
                let set = record(&mut self.users, user.index()).map(|u| &mut u.roles);
                let (before, after) = toggle_short(set, &items, present);
                self.short_list_changed(before, after);
            }
            ShortSide::UserGroups(user) => {
                let items = short_items(run, |l| match l {
                    Link::GroupMember(group, _) => Some(group),
                    _ => None,
                });
                let set = record(&mut self.users, user.index()).map(|u| &mut u.groups);
                let (before, after) = toggle_short(set, &items, present);
                self.short_list_changed(before, after);
            }
            ShortSide::UserProjects(user) => {
                let items = short_items(run, |l| match l {
                    Link::UserProject(_, project) => Some(project),
                    _ => None,
                });
                let set = record(&mut self.users, user.index()).map(|u| &mut u.projects);
                let (before, after) = toggle_short(set, &items, present);
                self.short_list_changed(before, after);
            }
            ShortSide::UserProjectRoles(user) => {
                let items = short_items(run, |l| match l {
                    Link::UserProjectRole(_, project, role) => Some((project, role)),
                    _ => None,
                });
                let set =
                    record(&mut self.users, user.index()).map(|u| Sorted(&mut u.project_roles));
                let (before, after) = toggle_short(set, &items, present);
                self.short_list_changed(before, after);
            }
            ShortSide::GroupRoles(group) => {
                let items = short_items(run, role_of);
                let set = record(&mut self.groups, group.index()).map(|g| &mut g.roles);
                toggle_all(set, &items, present);
            }
            ShortSide::GroupProjects(group) => {
                let items = short_items(run, |l| match l {
                    Link::GroupProject(_, project) => Some(project),
                    _ => None,
                });
                let set = record(&mut self.groups, group.index()).map(|g| &mut g.projects);
                toggle_all(set, &items, present);
            }
            ShortSide::GroupProjectRoles(group) => {
                let items = short_items(run, |l| match l {
                    Link::GroupProjectRole(_, project, role) => Some((project, role)),
                    _ => None,
                });
                let set =
                    record(&mut self.groups, group.index()).map(|g| Sorted(&mut g.project_roles));
                toggle_all(set, &items, present);
            }
            ShortSide::ObjectProjects(object) => {
                let items = short_items(run, |l| match l {
                    Link::ObjectProject(_, project) => Some(project),
                    _ => None,
                });
                let set = record(&mut self.objects, object.index()).map(|o| &mut o.projects);
                let (before, after) = toggle_short(set, &items, present);
                self.short_list_changed(before, after);
            }
            ShortSide::ObjectUses(object) => {
                let items = short_items(run, |l| match l {
                    Link::ObjectUses(_, used) => Some(used),
                    _ => None,
                });
                let object = record(&mut self.objects, object.index());
                let (before, after) = toggle_references(object, &items, present, Direction::Uses);
                self.short_list_changed(before, after);
            }
        }
    }

    /// Makes `link` present or absent on its many side, and notes the users
    /// and objects whose compiled entries it changes.
    fn set_many_side(&mut self, link: Link, present: bool, touched: &mut Touched) {
        match link {
            Link::UserRole(user, role) => {
                let side = record(&mut self.roles, role.index()).map(|r| &mut r.users);
                toggle(side, user, present);
                touched.users([user]);
            }
            Link::GroupRole(group, role) => {
                let side = record(&mut self.roles, role.index()).map(|r| &mut r.groups);
                toggle(side, group, present);
                touched.users(self.members_of(group));
            }
            Link::GroupMember(group, user) => {
                let side = record(&mut self.groups, group.index()).map(|g| &mut g.members);
                toggle(side, user, present);
                touched.users([user]);
            }
            Link::UserProject(user, project) => {
                let side = record(&mut self.projects, project.index()).map(|p| &mut p.users);
                toggle(side, user, present);
                touched.users([user]);
            }
            Link::GroupProject(group, project) => {
                let side = record(&mut self.projects, project.index()).map(|p| &mut p.groups);
                toggle(side, group, present);
                touched.users(self.members_of(group));
            }
            Link::ObjectProject(object, project) => {
                let side = record(&mut self.projects, project.index()).map(|p| &mut p.objects);
                toggle(side, object, present);
                touched.objects.push(object);
            }
            Link::UserProjectRole(user, project, role) => {
                let side = record(&mut self.roles, role.index()).map(|r| &mut r.project_users);
                toggle(side, (user, project), present);
                touched.users([user]);
            }
            Link::GroupProjectRole(group, project, role) => {
                let side = record(&mut self.roles, role.index()).map(|r| &mut r.project_groups);
                toggle(side, (group, project), present);
                touched.users(self.members_of(group));
            }
            // The one link whose both sides are short sets of objects: the
            // used object's `used_by` changes one item per link (a change
            // gives each used object at most one link), nothing to recompile.
            Link::ObjectUses(object, used) => {
                let used = record(&mut self.objects, used.index());
                let (before, after) =
                    toggle_references(used, &[object], present, Direction::UsedBy);
                self.short_list_changed(before, after);
            }
        }
    }

    /// The members of a group (none for an unknown group).
    pub(crate) fn members_of(&self, group: GroupId) -> impl Iterator<Item = UserId> + '_ {
        self.group(group)
            .into_iter()
            .flat_map(|g| g.members.iter().copied())
    }

    /// Every link of a user, as a deletion removes them.
    pub(crate) fn user_links(&self, user: UserId) -> Vec<Link> {
        self.user(user).map_or_else(Vec::new, |u| {
            let roles = u.roles.iter().map(|&r| Link::UserRole(user, r));
            let groups = u.groups.iter().map(|&g| Link::GroupMember(g, user));
            let projects = u.projects.iter().map(|&p| Link::UserProject(user, p));
            let within = (u.project_roles.iter()).map(|&(p, r)| Link::UserProjectRole(user, p, r));
            roles.chain(groups).chain(projects).chain(within).collect()
        })
    }

    /// Every link of a group.
    pub(crate) fn group_links(&self, group: GroupId) -> Vec<Link> {
        self.group(group).map_or_else(Vec::new, |g| {
            let members = g.members.iter().map(|&u| Link::GroupMember(group, u));
            let roles = g.roles.iter().map(|&r| Link::GroupRole(group, r));
            let projects = g.projects.iter().map(|&p| Link::GroupProject(group, p));
            let within =
                (g.project_roles.iter()).map(|&(p, r)| Link::GroupProjectRole(group, p, r));
            members.chain(roles).chain(projects).chain(within).collect()
        })
    }

    /// Every link of a role.
    pub(crate) fn role_links(&self, role: RoleId) -> Vec<Link> {
        self.role(role).map_or_else(Vec::new, |r| {
            let users = r.users.iter().map(|&u| Link::UserRole(u, role));
            let groups = r.groups.iter().map(|&g| Link::GroupRole(g, role));
            let within_users =
                (r.project_users.iter()).map(|&(u, p)| Link::UserProjectRole(u, p, role));
            let within_groups =
                (r.project_groups.iter()).map(|&(g, p)| Link::GroupProjectRole(g, p, role));
            users
                .chain(groups)
                .chain(within_users)
                .chain(within_groups)
                .collect()
        })
    }

    /// Every link of a project.
    pub(crate) fn project_links(&self, project: ProjectId) -> Vec<Link> {
        self.project(project).map_or_else(Vec::new, |p| {
            let users = p.users.iter().map(|&u| Link::UserProject(u, project));
            let groups = p.groups.iter().map(|&g| Link::GroupProject(g, project));
            let objects = p.objects.iter().map(|&o| Link::ObjectProject(o, project));
            let mut links: Vec<Link> = users.chain(groups).chain(objects).collect();
            for &user in &p.users {
                links.extend(self.roles_within(Principal::User(user), project));
            }
            for &group in &p.groups {
                links.extend(self.roles_within(Principal::Group(group), project));
            }
            links
        })
    }

    /// The links of the roles a member was given within `project` (what
    /// taking it out of the project removes).
    pub(crate) fn roles_within(
        &self,
        member: Principal,
        project: ProjectId,
    ) -> impl Iterator<Item = Link> + '_ {
        let given = match member {
            Principal::User(user) => self.user(user).map(|u| &u.project_roles),
            Principal::Group(group) => self.group(group).map(|g| &g.project_roles),
        };
        given
            .into_iter()
            .flat_map(|set| set.iter().copied())
            .filter(move |&(p, _)| p == project)
            .map(move |(_, role)| Link::project_role(member, project, role))
    }

    /// Every link of an object: its projects, the objects it uses and
    /// those that use it.
    pub(crate) fn object_links(&self, object: ObjectId) -> Vec<Link> {
        self.object(object).map_or_else(Vec::new, |o| {
            let projects = o.projects.iter().map(|&p| Link::ObjectProject(object, p));
            let uses = (o.uses_list().iter()).map(|&used| Link::ObjectUses(object, used));
            let used_by = (o.used_by_list().iter()).map(|&user| Link::ObjectUses(user, object));
            projects.chain(uses).chain(used_by).collect()
        })
    }

    /// Every user holding `role`, directly or through a group, unsorted, with
    /// repeats.
    pub(crate) fn role_holders_unsorted(&self, role: RoleId) -> Vec<UserId> {
        let Some(record) = self.role(role) else {
            return Vec::new();
        };
        let mut users: Vec<UserId> = record.users.iter().copied().collect();
        for group in record.groups.iter().filter_map(|&g| self.group(g)) {
            users.extend(group.members.iter().copied());
        }
        users
    }

    /// Every holder of `role`, company-wide or within a project (DOMAIN
    /// rule 23), directly or through a group, unsorted, with repeats.
    pub(crate) fn role_holders_anywhere_unsorted(&self, role: RoleId) -> Vec<UserId> {
        let mut users = self.role_holders_unsorted(role);
        let Some(record) = self.role(role) else {
            return users;
        };
        users.extend(record.project_users.iter().map(|&(user, _)| user));
        for &(group, _) in &record.project_groups {
            users.extend(self.members_of(group));
        }
        users
    }

    /// Every member of `project`, directly or through a group, unsorted,
    /// with repeats.
    pub(crate) fn project_members_unsorted(&self, project: ProjectId) -> Vec<UserId> {
        let Some(record) = self.project(project) else {
            return Vec::new();
        };
        let mut users: Vec<UserId> = record.users.iter().copied().collect();
        for group in record.groups.iter().filter_map(|&g| self.group(g)) {
            users.extend(group.members.iter().copied());
        }
        users
    }
}

/// The role of a company-wide role link (a user's or a group's), if `link`
/// is one.
fn role_of(link: Link) -> Option<RoleId> {
    match link {
        Link::UserRole(_, role) | Link::GroupRole(_, role) => Some(role),
        _ => None,
    }
}
