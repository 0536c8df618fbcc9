//! proptest strategies: random call centers, random changes (every kind the
//! crate accepts, and many it must refuse), random questions.
//!
//! Ids are drawn from small ranges so that most name a live record and some
//! name nothing; names come from a tiny pool so that duplicates happen, with
//! a few malformed ones.

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::{select, Index};
use proptest::strategy::Union;

use callgate::{
    Change, GroupId, ObjectId, ObjectKind, Permissions, Principal, ProjectId, Resource, RoleId,
    SecurityMode, UserId, CATALOG,
};

/// User ids drawn: 0..USERS.
pub(crate) const USERS: u32 = 7;
/// Group ids drawn: 0..GROUPS.
pub(crate) const GROUPS: u32 = 4;
/// Role ids drawn: 0..ROLES (0, 1 and 2 are the built-in roles).
pub(crate) const ROLES: u32 = 7;
/// Project ids drawn: 0..PROJECTS.
pub(crate) const PROJECTS: u32 = 5;
/// Object ids drawn: 0..OBJECTS.
pub(crate) const OBJECTS: u32 = 8;

/// Every `Change` variant the strategies make, by name. The test
/// `every_change_variant_is_generated` holds this list against the crate's
/// source and against what `any_change` really makes, so that a new variant
/// is noticed.
pub(crate) const CHANGE_VARIANTS: &[&str] = &[
    "CreateUser",
    "RenameUser",
    "DeleteUser",
    "CreateGroup",
    "RenameGroup",
    "DeleteGroup",
    "AddGroupMembers",
    "RemoveGroupMembers",
    "CreateRole",
    "EditRole",
    "DeleteRole",
    "AssignRole",
    "UnassignRole",
    "SetSectionAccess",
    "SetSecurityMode",
    "CreateProject",
    "EditProject",
    "DeleteProject",
    "AddProjectMembers",
    "RemoveProjectMembers",
    "AddProjectObjects",
    "RemoveProjectObjects",
    "CreateObject",
    "RenameObject",
    "DeleteObject",
];

/// An id below `max`, mostly below `likely`: most records a history makes
/// have small ids, and ids near `max` often name nothing.
fn id(likely: u32, max: u32) -> impl Strategy<Value = u32> {
    prop_oneof![3 => 0..likely, 1 => 0..max]
}

pub(crate) fn user() -> impl Strategy<Value = UserId> {
    id(4, USERS).prop_map(UserId::new)
}

pub(crate) fn group() -> impl Strategy<Value = GroupId> {
    id(2, GROUPS).prop_map(GroupId::new)
}

pub(crate) fn role() -> impl Strategy<Value = RoleId> {
    id(5, ROLES).prop_map(RoleId::new)
}

pub(crate) fn project() -> impl Strategy<Value = ProjectId> {
    id(3, PROJECTS).prop_map(ProjectId::new)
}

pub(crate) fn object() -> impl Strategy<Value = ObjectId> {
    id(4, OBJECTS).prop_map(ObjectId::new)
}

pub(crate) fn principal() -> impl Strategy<Value = Principal> {
    prop_oneof![
        3 => user().prop_map(Principal::User),
        2 => group().prop_map(Principal::Group),
    ]
}

fn few<T: std::fmt::Debug>(item: impl Strategy<Value = T>) -> impl Strategy<Value = Vec<T>> {
    vec(item, 0..3)
}

/// Mostly good names from a tiny pool (so they collide, also with the
/// built-in role names and `Default`), sometimes malformed ones.
pub(crate) fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        12 => select(&["ann", "bob", "kim", "Ops", "Default", "Admin"][..]),
        1 => select(&["", " ann", "bob ", "a\u{7}b", "\t", "kim\n"][..]),
    ]
    .prop_map(str::to_owned)
}

pub(crate) fn description() -> impl Strategy<Value = String> {
    select(&["", "Sales team", "QA"][..]).prop_map(str::to_owned)
}

/// Mostly queues and lists, so that names collide within a kind.
pub(crate) fn kind() -> impl Strategy<Value = ObjectKind> {
    prop_oneof![
        4 => Just(ObjectKind::Queue),
        2 => Just(ObjectKind::List),
        1 => select(&ObjectKind::ALL[..]),
    ]
}

/// One catalog entry, mostly one of those that projects and objects are
/// about (`projects.all` now and then: it lifts every project barrier).
pub(crate) fn catalog_flag() -> impl Strategy<Value = Permissions> {
    let focus = [
        Permissions::QUEUES_VIEW,
        Permissions::QUEUES_MANAGE,
        Permissions::LISTS_VIEW,
        Permissions::LISTS_MANAGE,
        Permissions::PROJECTS_VIEW,
        Permissions::PROJECTS_MANAGE,
        Permissions::BILLING_VIEW,
    ];
    prop_oneof![
        12 => select(focus.to_vec()),
        1 => Just(Permissions::PROJECTS_ALL),
        4 => select(CATALOG).prop_map(|info| info.flag),
    ]
}

/// Odd sets the crate must cope with: a manage bit without its view bit, a
/// bit that names no permission.
pub(crate) fn odd_bits() -> impl Strategy<Value = Permissions> {
    let manage_only = Permissions::QUEUES_MANAGE.bits() & !Permissions::QUEUES_VIEW.bits();
    prop_oneof![
        Just(Permissions::from_bits_retain(manage_only)),
        Just(Permissions::from_bits_retain(1 << 100)),
        Just(Permissions::from_bits_retain(
            (1 << 100) | Permissions::QUEUES_VIEW.bits()
        )),
        any::<u64>().prop_map(|bits| Permissions::from_bits_retain(u128::from(bits))),
    ]
}

/// A role's permission set.
pub(crate) fn permission_set() -> impl Strategy<Value = Permissions> {
    prop_oneof![
        8 => vec(catalog_flag(), 0..4).prop_map(|flags| {
            flags.into_iter().fold(Permissions::empty(), |set, flag| set | flag)
        }),
        1 => select(vec![
            Permissions::empty(),
            Permissions::ADMIN,
            Permissions::SUPERVISOR,
            Permissions::OPERATOR,
            Permissions::OBJECTS,
        ]),
        1 => odd_bits(),
    ]
}

/// What a section switch is given: mostly one catalog entry.
pub(crate) fn section_permission() -> impl Strategy<Value = Permissions> {
    prop_oneof![
        10 => catalog_flag(),
        1 => Just(Permissions::empty()),
        1 => Just(Permissions::QUEUES_VIEW | Permissions::LISTS_VIEW),
        1 => odd_bits(),
    ]
}

/// The action of a check: mostly one catalog entry, sometimes several, empty
/// or odd bits.
pub(crate) fn action() -> impl Strategy<Value = Permissions> {
    prop_oneof![
        12 => catalog_flag(),
        2 => select(&ObjectKind::ALL[..]).prop_map(ObjectKind::manage_permission),
        2 => (catalog_flag(), catalog_flag()).prop_map(|(a, b)| a | b),
        1 => Just(Permissions::empty()),
        1 => odd_bits(),
    ]
}

pub(crate) fn resource() -> impl Strategy<Value = Resource> {
    prop_oneof![
        2 => Just(Resource::Company),
        5 => object().prop_map(Resource::Object),
        2 => project().prop_map(Resource::Project),
    ]
}

/// A question: may this user do this action to this resource?
#[derive(Debug, Clone, Copy)]
pub(crate) struct Question {
    pub(crate) user: UserId,
    pub(crate) action: Permissions,
    pub(crate) resource: Resource,
}

pub(crate) fn question() -> impl Strategy<Value = Question> {
    let user = prop_oneof![4 => 0..3u32, 1 => 0..USERS].prop_map(UserId::new);
    (user, action(), resource()).prop_map(|(user, action, resource)| Question {
        user,
        action,
        resource,
    })
}

pub(crate) fn mode() -> impl Strategy<Value = SecurityMode> {
    prop_oneof![
        2 => Just(SecurityMode::Enhanced),
        1 => Just(SecurityMode::Simple),
    ]
}

/// Any change at all, every variant, weighted towards the ones that shape
/// decisions.
pub(crate) fn any_change() -> impl Strategy<Value = Change> {
    let arms: Vec<(u32, BoxedStrategy<Change>)> = vec![
        (
            4,
            (name(), few(role()), few(group()), few(project()))
                .prop_map(|(name, roles, groups, projects)| Change::CreateUser {
                    name,
                    roles,
                    groups,
                    projects,
                })
                .boxed(),
        ),
        (
            1,
            (user(), name())
                .prop_map(|(user, name)| Change::RenameUser { user, name })
                .boxed(),
        ),
        (
            2,
            user().prop_map(|user| Change::DeleteUser { user }).boxed(),
        ),
        (
            2,
            (name(), few(user()))
                .prop_map(|(name, members)| Change::CreateGroup { name, members })
                .boxed(),
        ),
        (
            1,
            (group(), name())
                .prop_map(|(group, name)| Change::RenameGroup { group, name })
                .boxed(),
        ),
        (
            1,
            group()
                .prop_map(|group| Change::DeleteGroup { group })
                .boxed(),
        ),
        (
            3,
            (group(), few(user()))
                .prop_map(|(group, users)| Change::AddGroupMembers { group, users })
                .boxed(),
        ),
        (
            2,
            (group(), few(user()))
                .prop_map(|(group, users)| Change::RemoveGroupMembers { group, users })
                .boxed(),
        ),
        (
            3,
            (
                name(),
                description(),
                permission_set(),
                few(principal()),
                any::<bool>(),
            )
                .prop_map(|(name, description, permissions, principals, offline)| {
                    Change::CreateRole {
                        name,
                        description,
                        permissions,
                        principals,
                        put_users_offline: offline,
                    }
                })
                .boxed(),
        ),
        (
            2,
            (
                role(),
                proptest::option::of(name()),
                proptest::option::of(description()),
                proptest::option::of(permission_set()),
                proptest::option::of(any::<bool>()),
            )
                .prop_map(
                    |(role, name, description, permissions, put_users_offline)| Change::EditRole {
                        role,
                        name,
                        description,
                        permissions,
                        put_users_offline,
                    },
                )
                .boxed(),
        ),
        (
            1,
            role().prop_map(|role| Change::DeleteRole { role }).boxed(),
        ),
        (
            4,
            (role(), few(principal()))
                .prop_map(|(role, principals)| Change::AssignRole { role, principals })
                .boxed(),
        ),
        (
            3,
            (role(), few(principal()))
                .prop_map(|(role, principals)| Change::UnassignRole { role, principals })
                .boxed(),
        ),
        (
            2,
            (role(), section_permission(), any::<bool>())
                .prop_map(|(role, permission, allowed)| Change::SetSectionAccess {
                    role,
                    permission,
                    allowed,
                })
                .boxed(),
        ),
        (
            2,
            mode()
                .prop_map(|mode| Change::SetSecurityMode { mode })
                .boxed(),
        ),
        (
            2,
            (name(), description(), few(principal()), few(object()))
                .prop_map(
                    |(name, description, principals, objects)| Change::CreateProject {
                        name,
                        description,
                        principals,
                        objects,
                    },
                )
                .boxed(),
        ),
        (
            1,
            (
                project(),
                proptest::option::of(name()),
                proptest::option::of(description()),
            )
                .prop_map(|(project, name, description)| Change::EditProject {
                    project,
                    name,
                    description,
                })
                .boxed(),
        ),
        (
            1,
            project()
                .prop_map(|project| Change::DeleteProject { project })
                .boxed(),
        ),
        (
            4,
            (project(), few(principal()))
                .prop_map(|(project, principals)| Change::AddProjectMembers {
                    project,
                    principals,
                })
                .boxed(),
        ),
        (
            2,
            (project(), few(principal()))
                .prop_map(|(project, principals)| Change::RemoveProjectMembers {
                    project,
                    principals,
                })
                .boxed(),
        ),
        (
            3,
            (project(), few(object()))
                .prop_map(|(project, objects)| Change::AddProjectObjects { project, objects })
                .boxed(),
        ),
        (
            2,
            (project(), few(object()))
                .prop_map(|(project, objects)| Change::RemoveProjectObjects { project, objects })
                .boxed(),
        ),
        (
            3,
            (kind(), name(), few(project()))
                .prop_map(|(kind, name, projects)| Change::CreateObject {
                    kind,
                    name,
                    projects,
                })
                .boxed(),
        ),
        (
            1,
            (object(), name())
                .prop_map(|(object, name)| Change::RenameObject { object, name })
                .boxed(),
        ),
        (
            1,
            object()
                .prop_map(|object| Change::DeleteObject { object })
                .boxed(),
        ),
    ];
    Union::new_weighted(arms)
}

/// How many of each record a random call center starts with, and when it
/// switches to enhanced mode.
#[derive(Debug, Clone, Copy)]
struct Sizes {
    users: u32,
    groups: u32,
    roles: u32,
    objects: u32,
    projects: u32,
    /// 0: stays simple; 1: switches before its objects and projects exist
    /// (so they are not in `Default`); 2: switches once everything exists.
    switch: u8,
    /// Whether Admin moves from the first user to the first group (so that
    /// group members and group deletions decide who is the last Admin).
    admin_group: bool,
}

/// A random call center, made of changes that are (nearly all) valid: users,
/// groups of them, custom roles given to some, perhaps Admin moved to a
/// group, objects, projects holding some users, groups and objects, and
/// perhaps the switch to enhanced mode. At most 21 changes.
pub(crate) fn call_center() -> impl Strategy<Value = Vec<Change>> {
    let admin_group = prop_oneof![2 => Just(false), 1 => Just(true)];
    (1..6u32, 0..3u32, 0..3u32, 0..7u32, 0..4u32, 0..3u8, admin_group)
        .prop_map(
            |(users, groups, roles, objects, projects, switch, admin_group)| Sizes {
                users,
                groups,
                roles,
                objects,
                projects,
                switch,
                admin_group,
            },
        )
        .prop_flat_map(|n| {
            let users = move || (0..n.users).prop_map(UserId::new);
            let principal = move || {
                let groups = n.groups.max(1);
                prop_oneof![
                    3 => (0..n.users).prop_map(|u| Principal::User(UserId::new(u))),
                    usize::from(n.groups > 0) as u32 => (0..groups).prop_map(|g| Principal::Group(GroupId::new(g))),
                ]
            };
            let objects = move || (0..n.objects.max(1)).prop_map(ObjectId::new);
            // Mostly Supervisor and Operator: Admin sees past every project.
            let builtin = prop_oneof![4 => 1..3u32, 1 => Just(0)];
            let roles_at_creation = vec(vec(builtin, 0..2), n.users as usize);
            let groups = vec(vec(users(), 0..3), n.groups as usize);
            let roles = vec((permission_set(), vec(principal(), 0..3)), n.roles as usize);
            let kinds = vec(kind(), n.objects as usize);
            let projects = vec(
                (
                    vec(principal(), 0..3),
                    vec(objects(), if n.objects > 0 { 0..3 } else { 0..1 }),
                ),
                n.projects as usize,
            );
            (Just(n), roles_at_creation, groups, roles, kinds, projects)
        })
        .prop_map(|(n, roles_at_creation, groups, roles, kinds, projects)| {
            let mut changes = Vec::new();
            let switch = Change::SetSecurityMode {
                mode: SecurityMode::Enhanced,
            };
            for (i, roles) in roles_at_creation.into_iter().enumerate() {
                changes.push(Change::CreateUser {
                    name: format!("user {i}"),
                    roles: roles.into_iter().map(RoleId::new).collect(),
                    groups: Vec::new(),
                    projects: Vec::new(),
                });
            }
            for (i, members) in groups.into_iter().enumerate() {
                changes.push(Change::CreateGroup {
                    name: format!("group {i}"),
                    members,
                });
            }
            for (i, (permissions, principals)) in roles.into_iter().enumerate() {
                changes.push(Change::CreateRole {
                    name: format!("role {i}"),
                    description: String::new(),
                    permissions,
                    principals,
                    put_users_offline: false,
                });
            }
            if n.admin_group && n.groups > 0 {
                let group = Principal::Group(GroupId::new(0));
                changes.push(Change::AssignRole {
                    role: RoleId::ADMIN,
                    principals: vec![group],
                });
                // Refused when group 0 has no member: the last Admin stays.
                changes.push(Change::UnassignRole {
                    role: RoleId::ADMIN,
                    principals: vec![Principal::User(UserId::new(0))],
                });
            }
            if n.switch == 1 {
                changes.push(switch.clone());
            }
            for (i, kind) in kinds.into_iter().enumerate() {
                changes.push(Change::CreateObject {
                    kind,
                    name: format!("object {i}"),
                    projects: Vec::new(),
                });
            }
            for (i, (principals, objects)) in projects.into_iter().enumerate() {
                changes.push(Change::CreateProject {
                    name: format!("project {i}"),
                    description: String::new(),
                    principals,
                    objects,
                });
            }
            if n.switch == 2 {
                changes.push(switch);
            }
            changes
        })
}

/// A random call center and what happens to it: up to `max_changes` changes
/// of any kind.
pub(crate) fn history(max_changes: usize) -> impl Strategy<Value = Vec<Change>> {
    (call_center(), vec(any_change(), 0..max_changes)).prop_map(|(mut history, rest)| {
        history.extend(rest);
        history
    })
}

/// A change that only gives: a role, a group, a project membership, a
/// permission, an object to a project.
pub(crate) fn giving_change() -> impl Strategy<Value = Change> {
    prop_oneof![
        (role(), few(principal()))
            .prop_map(|(role, principals)| Change::AssignRole { role, principals }),
        (project(), few(principal())).prop_map(|(project, principals)| {
            Change::AddProjectMembers {
                project,
                principals,
            }
        }),
        (group(), few(user())).prop_map(|(group, users)| Change::AddGroupMembers { group, users }),
        (role(), catalog_flag()).prop_map(|(role, permission)| Change::SetSectionAccess {
            role,
            permission,
            allowed: true,
        }),
        (project(), few(object()))
            .prop_map(|(project, objects)| Change::AddProjectObjects { project, objects }),
    ]
}

/// A change that only takes away: the mirror of [`giving_change`].
pub(crate) fn taking_change() -> impl Strategy<Value = Change> {
    prop_oneof![
        (role(), few(principal()))
            .prop_map(|(role, principals)| Change::UnassignRole { role, principals }),
        (project(), few(principal())).prop_map(|(project, principals)| {
            Change::RemoveProjectMembers {
                project,
                principals,
            }
        }),
        (group(), few(user()))
            .prop_map(|(group, users)| Change::RemoveGroupMembers { group, users }),
        (role(), catalog_flag()).prop_map(|(role, permission)| Change::SetSectionAccess {
            role,
            permission,
            allowed: false,
        }),
        (project(), few(object()))
            .prop_map(|(project, objects)| Change::RemoveProjectObjects { project, objects }),
    ]
}

/// A giving change (true) or a taking one (false).
pub(crate) fn monotone_change() -> impl Strategy<Value = (bool, Change)> {
    prop_oneof![
        giving_change().prop_map(|change| (true, change)),
        taking_change().prop_map(|change| (false, change)),
    ]
}

/// A role's "put its users offline" switched on (mostly) or off, and
/// nothing else: saving it ends its holders' sessions when on.
pub(crate) fn offline_switch() -> impl Strategy<Value = Change> {
    (role(), prop_oneof![3 => Just(true), 1 => Just(false)]).prop_map(|(role, on)| {
        Change::EditRole {
            role,
            name: None,
            description: None,
            permissions: None,
            put_users_offline: Some(on),
        }
    })
}

/// A change an actor makes: any change, or one of those that hand out
/// something (so escalation is tried often), or a role saved with "put its
/// users offline".
pub(crate) fn actor_change() -> impl Strategy<Value = Change> {
    prop_oneof![
        6 => any_change(),
        3 => giving_change(),
        1 => offline_switch(),
        3 => generous_change(),
    ]
}

/// A change that hands out what few actors hold: a built-in role (Admin
/// and Supervisor carry nearly everything), a role with every permission,
/// or a section switched on for finance, security or "all projects".
pub(crate) fn generous_change() -> impl Strategy<Value = Change> {
    let rare = [
        Permissions::BILLING_MANAGE,
        Permissions::SECURITY_MANAGE,
        Permissions::KPI_VIEW,
        Permissions::PROJECTS_ALL,
        Permissions::ROLES_TEST,
    ];
    prop_oneof![
        (0..3u32, few(principal())).prop_map(|(role, principals)| Change::AssignRole {
            role: RoleId::new(role),
            principals,
        }),
        (
            name(),
            select(vec![Permissions::ADMIN, Permissions::SUPERVISOR]),
            few(principal())
        )
            .prop_map(|(name, permissions, principals)| Change::CreateRole {
                name,
                description: String::new(),
                permissions,
                principals,
                put_users_offline: false,
            }),
        (role(), select(rare.to_vec())).prop_map(|(role, permission)| {
            Change::SetSectionAccess {
                role,
                permission,
                allowed: true,
            }
        }),
    ]
}

/// One step of a history with sessions. Sessions are picked by an
/// [`Index`] into the sessions made so far (logins and testing sessions, in
/// order; refused ones are not kept).
#[derive(Debug, Clone)]
pub(crate) enum Step {
    /// A change made by no one in particular: `Company::apply`.
    System(Change),
    /// A user logs in.
    Login(UserId),
    /// A session starts testing a role.
    Test(Index, RoleId),
    /// A session makes a change: `Company::apply_as`.
    As(Index, Change),
}

/// One step: mostly actor changes and logins; system changes (some of them
/// switching "put users offline" on, so sessions end, some giving or
/// taking); role tests.
pub(crate) fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        2 => any_change().prop_map(Step::System),
        2 => offline_switch().prop_map(Step::System),
        // Taking from a tester, or giving to a role under test, after the
        // test started: the test stays capped by what the tester holds.
        1 => taking_change().prop_map(Step::System),
        1 => giving_change().prop_map(Step::System),
        3 => user().prop_map(Step::Login),
        2 => (any::<Index>(), role()).prop_map(|(session, role)| Step::Test(session, role)),
        6 => (any::<Index>(), actor_change()).prop_map(|(session, change)| Step::As(session, change)),
    ]
}

/// A random call center, then a few logins of its users (so that there is
/// someone to act), then up to `max_steps` steps.
pub(crate) fn session_history(max_steps: usize) -> impl Strategy<Value = Vec<Step>> {
    let logins = vec(prop_oneof![3 => 0..3u32, 1 => 0..USERS], 1..5);
    (call_center(), logins, vec(step(), 0..max_steps)).prop_map(|(center, logins, rest)| {
        let mut steps: Vec<Step> = center.into_iter().map(Step::System).collect();
        steps.extend(logins.into_iter().map(|u| Step::Login(UserId::new(u))));
        steps.extend(rest);
        steps
    })
}

/// A question asked through a session: which session (an [`Index`] into
/// those made so far), the action and the resource.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SessionQuestion {
    pub(crate) session: Index,
    pub(crate) action: Permissions,
    pub(crate) resource: Resource,
}

pub(crate) fn session_question() -> impl Strategy<Value = SessionQuestion> {
    (any::<Index>(), action(), resource()).prop_map(|(session, action, resource)| SessionQuestion {
        session,
        action,
        resource,
    })
}
