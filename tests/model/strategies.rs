//! proptest strategies: random call centers, random changes (every kind the
//! crate accepts, and many it must refuse), random questions.
//!
//! Ids are drawn from small ranges so that most name a live record and some
//! name nothing; names come from a tiny pool so that duplicates happen, with
//! a few malformed ones. Permissions and kinds come from a [`Vocab`]: the
//! standard catalog's ([`Vocab::standard`]) or a random catalog's
//! (`tests/support_catalogs`), so the same strategies drive both.

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::{Index, select};
use proptest::strategy::Union;

use callgate::{
    CATALOG, Change, Duty, GroupId, ObjectId, ObjectKind, Permissions, Principal, ProjectId,
    Resource, RoleId, SecurityMode, Timestamp, UserId,
};

use super::ModelFlags;

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
    "AssignProjectRole",
    "UnassignProjectRole",
    "CreateObject",
    "RenameObject",
    "DeleteObject",
    "AssignRoleUntil",
    "AssignProjectRoleUntil",
    "ExpireGrants",
    "SetObjectReferences",
    "DeclareDutyConstraint",
    "DropDutyConstraint",
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

/// A role to give within a project: mostly one that may be (Supervisor,
/// Operator, the first custom roles), now and then Admin (refused: it is
/// company-wide only, rule 22) or an id that names nothing.
pub(crate) fn project_role() -> impl Strategy<Value = RoleId> {
    prop_oneof![
        1 => Just(0u32),
        12 => 1..5u32,
        1 => 1..ROLES,
    ]
    .prop_map(RoleId::new)
}

/// The roles given to members as they join a project: mostly none.
pub(crate) fn joining_roles() -> impl Strategy<Value = Vec<RoleId>> {
    prop_oneof![
        3 => Just(Vec::new()),
        2 => vec(project_role(), 1..3),
    ]
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

/// What the strategies draw permissions and kinds from, for one catalog:
/// for the standard catalog ([`Vocab::standard`]) the flags the manual's
/// call center is about; for a random catalog, the same roles played by its
/// own permissions (`tests/support_catalogs`).
#[derive(Debug, Clone)]
pub(crate) struct Vocab<P: ModelFlags> {
    /// The kind most objects are (so that names collide within a kind), the
    /// next most common one, and every kind.
    pub(crate) kind_a: P::Kind,
    pub(crate) kind_b: P::Kind,
    pub(crate) kinds: Vec<P::Kind>,
    /// The catalog entries projects and objects are about.
    pub(crate) focus: Vec<P>,
    /// `projects.all`: it lifts every project barrier.
    pub(crate) projects_all: P,
    /// Every catalog entry, as a flag (with what it implies).
    pub(crate) entries: Vec<P>,
    /// Odd sets the crate must cope with: an entry's bit without what it
    /// implies, a bit that names no permission.
    pub(crate) odd: Vec<P>,
    /// The bits random odd sets are drawn from.
    pub(crate) raw_mask: u128,
    /// Whole sets: empty, Admin's, Supervisor's, Operator's, every object
    /// permission.
    pub(crate) presets: Vec<P>,
    /// Two entries at once: not one section switch.
    pub(crate) pair: P,
    /// Each kind's governing permission.
    pub(crate) governing: Vec<P>,
    /// What few actors hold: finance, security, "all projects", testing.
    pub(crate) rare: Vec<P>,
    /// Sets that hand out nearly everything (Admin's, Supervisor's).
    pub(crate) generous: Vec<P>,
    /// The actions of the monotonicity grid.
    pub(crate) grid: Vec<P>,
    /// The sets asked "who holds this?".
    pub(crate) holder_sets: Vec<P>,
}

impl Vocab<Permissions> {
    /// The standard catalog's vocabulary: queues and lists, projects,
    /// billing.
    pub(crate) fn standard() -> Self {
        use Permissions as F;
        let manage_only = F::QUEUES_MANAGE.bits() & !F::QUEUES_VIEW.bits();
        Self {
            kind_a: ObjectKind::Queue,
            kind_b: ObjectKind::List,
            kinds: ObjectKind::ALL.to_vec(),
            focus: vec![
                F::QUEUES_VIEW,
                F::QUEUES_MANAGE,
                F::LISTS_VIEW,
                F::LISTS_MANAGE,
                F::PROJECTS_VIEW,
                F::PROJECTS_MANAGE,
                F::BILLING_VIEW,
            ],
            projects_all: F::PROJECTS_ALL,
            entries: CATALOG.iter().map(|info| info.flag).collect(),
            odd: vec![
                F::from_bits_retain(manage_only),
                F::from_bits_retain(1 << 100),
                F::from_bits_retain((1 << 100) | F::QUEUES_VIEW.bits()),
            ],
            raw_mask: u128::from(u64::MAX),
            presets: vec![F::empty(), F::ADMIN, F::SUPERVISOR, F::OPERATOR, F::OBJECTS],
            pair: F::QUEUES_VIEW | F::LISTS_VIEW,
            governing: ObjectKind::ALL
                .iter()
                .map(|k| k.manage_permission())
                .collect(),
            rare: vec![
                F::BILLING_MANAGE,
                F::SECURITY_MANAGE,
                F::KPI_VIEW,
                F::PROJECTS_ALL,
                F::ROLES_TEST,
            ],
            generous: vec![F::ADMIN, F::SUPERVISOR],
            grid: vec![
                F::QUEUES_VIEW,
                F::QUEUES_MANAGE,
                F::LISTS_VIEW,
                F::LISTS_MANAGE,
                F::PROJECTS_VIEW,
                F::PROJECTS_MANAGE,
                F::BILLING_VIEW,
                F::PROJECTS_ALL,
            ],
            holder_sets: vec![
                F::QUEUES_VIEW,
                F::QUEUES_MANAGE,
                F::LISTS_VIEW,
                F::PROJECTS_VIEW,
                F::PROJECTS_ALL,
                F::BILLING_MANAGE,
                F::SECURITY_VIEW,
                F::TICKETS_CREATE,
                F::empty(),
                F::QUEUES_VIEW | F::LISTS_MANAGE,
                F::OPERATOR,
                F::ADMIN,
            ],
        }
    }
}

/// The union of some sets.
fn union<P: ModelFlags>(sets: impl IntoIterator<Item = P>) -> P {
    P::from_raw(sets.into_iter().fold(0, |bits, set| bits | set.raw()))
}

/// Mostly the vocabulary's first two kinds (queues and lists), so that
/// names collide within a kind.
pub(crate) fn kind<P: ModelFlags>(v: &Vocab<P>) -> impl Strategy<Value = P::Kind> + use<P> {
    prop_oneof![
        4 => Just(v.kind_a),
        2 => Just(v.kind_b),
        1 => select(v.kinds.clone()),
    ]
}

/// One catalog entry, mostly one of those that projects and objects are
/// about (`projects.all` now and then: it lifts every project barrier).
pub(crate) fn catalog_flag<P: ModelFlags>(v: &Vocab<P>) -> impl Strategy<Value = P> + use<P> {
    prop_oneof![
        12 => select(v.focus.clone()),
        1 => Just(v.projects_all),
        4 => select(v.entries.clone()),
    ]
}

/// Odd sets the crate must cope with: a bit without what it implies, a bit
/// that names no permission, random bits.
pub(crate) fn odd_bits<P: ModelFlags>(v: &Vocab<P>) -> impl Strategy<Value = P> + use<P> {
    let mask = v.raw_mask;
    prop_oneof![
        3 => select(v.odd.clone()),
        1 => any::<u128>().prop_map(move |bits| P::from_raw(bits & mask)),
    ]
}

/// A role's permission set.
pub(crate) fn permission_set<P: ModelFlags>(v: &Vocab<P>) -> impl Strategy<Value = P> + use<P> {
    prop_oneof![
        8 => vec(catalog_flag(v), 0..4).prop_map(union),
        1 => select(v.presets.clone()),
        1 => odd_bits(v),
    ]
}

/// What a section switch is given: mostly one catalog entry.
pub(crate) fn section_permission<P: ModelFlags>(v: &Vocab<P>) -> impl Strategy<Value = P> + use<P> {
    prop_oneof![
        10 => catalog_flag(v),
        1 => Just(P::from_raw(0)),
        1 => Just(v.pair),
        1 => odd_bits(v),
    ]
}

/// The action of a check: mostly one catalog entry, sometimes several, empty
/// or odd bits.
pub(crate) fn action<P: ModelFlags>(v: &Vocab<P>) -> impl Strategy<Value = P> + use<P> {
    prop_oneof![
        12 => catalog_flag(v),
        2 => select(v.governing.clone()),
        2 => (catalog_flag(v), catalog_flag(v)).prop_map(|(a, b)| union([a, b])),
        1 => Just(P::from_raw(0)),
        1 => odd_bits(v),
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
pub(crate) struct Question<P> {
    pub(crate) user: UserId,
    pub(crate) action: P,
    pub(crate) resource: Resource,
}

pub(crate) fn question<P: ModelFlags>(v: &Vocab<P>) -> impl Strategy<Value = Question<P>> + use<P> {
    let user = prop_oneof![4 => 0..3u32, 1 => 0..USERS].prop_map(UserId::new);
    (user, action(v), resource()).prop_map(|(user, action, resource)| Question {
        user,
        action,
        resource,
    })
}

/// A time among a few, so that ends and expiries meet.
pub(crate) fn time() -> impl Strategy<Value = Timestamp> {
    (0..8u64).prop_map(Timestamp::from_unix_seconds)
}

pub(crate) fn mode() -> impl Strategy<Value = SecurityMode> {
    prop_oneof![
        2 => Just(SecurityMode::Enhanced),
        1 => Just(SecurityMode::Simple),
    ]
}

/// One side of a duty constraint (DOMAIN 25): a role, mostly a custom one,
/// or a permission, mostly one Supervisor lacks (finance, security...). A
/// pair that Supervisor breaks keeps Supervisor from everyone, and the
/// session histories from the actors who may test roles: rare on purpose.
/// Now and then a built-in role, Admin (refused) or a set that is not one
/// permission.
pub(crate) fn duty<P: ModelFlags>(v: &Vocab<P>) -> impl Strategy<Value = Duty<P>> + use<P> {
    let supervisor = v.generous.last().map_or(0, |set| set.raw());
    let mut lacking: Vec<P> = (v.entries.iter().copied())
        .filter(|entry| entry.raw() & !supervisor != 0)
        .collect();
    if lacking.is_empty() {
        lacking.clone_from(&v.entries);
    }
    prop_oneof![
        4 => select(lacking).prop_map(Duty::Permission),
        1 => catalog_flag(v).prop_map(Duty::Permission),
        1 => section_permission(v).prop_map(Duty::Permission),
        5 => (3..ROLES).prop_map(|r| Duty::Role(RoleId::new(r))),
        1 => role().prop_map(Duty::Role),
    ]
}

/// Any change at all, every variant, weighted towards the ones that shape
/// decisions.
pub(crate) fn any_change<P: ModelFlags>(v: &Vocab<P>) -> impl Strategy<Value = Change<P>> + use<P> {
    let arms: Vec<(u32, BoxedStrategy<Change<P>>)> = vec![
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
                permission_set(v),
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
                proptest::option::of(permission_set(v)),
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
            (role(), section_permission(v), any::<bool>())
                .prop_map(|(role, permission, allowed)| Change::SetSectionAccess {
                    role,
                    permission,
                    allowed,
                })
                .boxed(),
        ),
        (
            // "All projects" switched on for a custom role: refused when
            // someone holds the role within a project (rule 22).
            1,
            (3..5u32, Just(v.projects_all))
                .prop_map(|(role, permission)| Change::SetSectionAccess {
                    role: RoleId::new(role),
                    permission,
                    allowed: true,
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
            (project(), few(principal()), joining_roles())
                .prop_map(|(project, principals, roles)| Change::AddProjectMembers {
                    project,
                    principals,
                    roles,
                })
                .boxed(),
        ),
        (
            3,
            (project(), project_role(), few(principal()))
                .prop_map(|(project, role, principals)| Change::AssignProjectRole {
                    project,
                    role,
                    principals,
                })
                .boxed(),
        ),
        (
            2,
            (project(), role(), few(principal()))
                .prop_map(|(project, role, principals)| Change::UnassignProjectRole {
                    project,
                    role,
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
            (kind(v), name(), few(project()))
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
        // DOMAIN 24: ends at a few times, so that expiries reach them.
        (
            3,
            (role(), few(principal()), time())
                .prop_map(|(role, principals, until)| Change::AssignRoleUntil {
                    role,
                    principals,
                    until,
                })
                .boxed(),
        ),
        (
            2,
            (project(), project_role(), few(principal()), time())
                .prop_map(
                    |(project, role, principals, until)| Change::AssignProjectRoleUntil {
                        project,
                        role,
                        principals,
                        until,
                    },
                )
                .boxed(),
        ),
        (
            2,
            time().prop_map(|now| Change::ExpireGrants { now }).boxed(),
        ),
        (
            3,
            (object(), few(object()))
                .prop_map(|(object, uses)| Change::SetObjectReferences { object, uses })
                .boxed(),
        ),
        (
            1,
            (duty(v), duty(v))
                .prop_map(|(first, second)| Change::DeclareDutyConstraint { first, second })
                .boxed(),
        ),
        (
            1,
            (duty(v), duty(v))
                .prop_map(|(first, second)| Change::DropDutyConstraint { first, second })
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
/// group, objects, projects holding some users, groups and objects, members
/// given roles within projects (rule 20; now and then Admin or a role
/// with "all projects", refused), and perhaps the switch to enhanced mode
/// (then perhaps roles given within `Default`); last, a few objects that
/// use others (rule 26). At most 34 changes.
pub(crate) fn call_center<P: ModelFlags>(
    v: &Vocab<P>,
) -> impl Strategy<Value = Vec<Change<P>>> + use<P> {
    let v = v.clone();
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
        .prop_flat_map(move |n| {
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
            let roles = vec((permission_set(&v), vec(principal(), 0..3)), n.roles as usize);
            let kinds = vec(kind(&v), n.objects as usize);
            // Roles within a project: mostly Supervisor, Operator and the
            // custom roles; Admin (refused) now and then.
            let within = move || {
                prop_oneof![
                    10 => 1..3u32,
                    10 * u32::from(n.roles > 0) => 3..3 + n.roles.max(1),
                    1 => Just(0u32),
                ]
                .prop_map(RoleId::new)
            };
            let projects = vec(
                (
                    vec(principal(), 0..3),
                    vec(objects(), if n.objects > 0 { 0..3 } else { 0..1 }),
                    vec((principal(), vec(within(), 1..3)), 0..4),
                ),
                n.projects as usize,
            );
            let in_default = proptest::option::weighted(0.7, (within(), vec(users(), 1..3)));
            // Rule 26: objects that use others, recorded last (in enhanced
            // mode, those that would cross projects are refused).
            let references = vec(
                (objects(), vec(objects(), 1..3)),
                if n.objects > 1 { 0..4 } else { 0..1 },
            );
            let rest = (in_default, references);
            (Just(n), roles_at_creation, groups, roles, kinds, projects, rest)
        })
        .prop_map(|(n, roles_at_creation, groups, roles, kinds, projects, rest)| {
            let (in_default, references) = rest;
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
            // Every user is a member of `Default`: some are given a role
            // within it.
            let in_default = in_default.map(|(role, users)| Change::AssignProjectRole {
                project: ProjectId::new(if n.switch == 1 { 0 } else { n.projects }),
                role,
                principals: users.into_iter().map(Principal::User).collect(),
            });
            if n.switch == 1 {
                changes.push(switch.clone());
                changes.extend(in_default.clone());
            }
            for (i, kind) in kinds.into_iter().enumerate() {
                changes.push(Change::CreateObject {
                    kind,
                    name: format!("object {i}"),
                    projects: Vec::new(),
                });
            }
            // `Default` is made first when the switch comes before.
            let first = u32::from(n.switch == 1);
            for (i, (principals, objects, given)) in projects.into_iter().enumerate() {
                changes.push(Change::CreateProject {
                    name: format!("project {i}"),
                    description: String::new(),
                    principals: principals.clone(),
                    objects,
                });
                let project = ProjectId::new(first + i as u32);
                for (k, (principal, roles)) in given.into_iter().enumerate() {
                    // Members join with roles, or (members already) are given
                    // one.
                    if k % 2 == 1 && principals.contains(&principal) {
                        changes.push(Change::AssignProjectRole {
                            project,
                            role: roles[0],
                            principals: vec![principal],
                        });
                    } else {
                        changes.push(Change::AddProjectMembers {
                            project,
                            principals: vec![principal],
                            roles,
                        });
                    }
                }
            }
            if n.switch == 2 {
                changes.push(switch);
                changes.extend(in_default);
            }
            for (object, uses) in references {
                changes.push(Change::SetObjectReferences { object, uses });
            }
            changes
        })
}

/// A random call center and what happens to it: up to `max_changes` changes
/// of any kind.
pub(crate) fn history<P: ModelFlags>(
    v: &Vocab<P>,
    max_changes: usize,
) -> impl Strategy<Value = Vec<Change<P>>> + use<P> {
    (call_center(v), vec(any_change(v), 0..max_changes)).prop_map(|(mut history, rest)| {
        history.extend(rest);
        history
    })
}

/// A change of what rule 26 is about: references recorded, objects moved
/// between projects, projects and objects deleted, the mode switched both
/// ways (so that references recorded in simple mode meet the switch back).
pub(crate) fn reference_change<P: ModelFlags>(
    v: &Vocab<P>,
) -> impl Strategy<Value = Change<P>> + use<P> {
    prop_oneof![
        5 => (object(), few(object()))
            .prop_map(|(object, uses)| Change::SetObjectReferences { object, uses }),
        3 => (project(), few(object()))
            .prop_map(|(project, objects)| Change::RemoveProjectObjects { project, objects }),
        2 => (project(), few(object()))
            .prop_map(|(project, objects)| Change::AddProjectObjects { project, objects }),
        4 => project().prop_map(|project| Change::DeleteProject { project }),
        2 => object().prop_map(|object| Change::DeleteObject { object }),
        2 => mode().prop_map(|mode| Change::SetSecurityMode { mode }),
        1 => (kind(v), name(), few(project()))
            .prop_map(|(kind, name, projects)| Change::CreateObject { kind, name, projects }),
    ]
}

/// A random call center and up to `max_changes` changes of rule 26
/// ([`reference_change`]), now and then another change of any kind.
pub(crate) fn references_history<P: ModelFlags>(
    v: &Vocab<P>,
    max_changes: usize,
) -> impl Strategy<Value = Vec<Change<P>>> + use<P> {
    let change = prop_oneof![4 => reference_change(v), 1 => any_change(v)];
    (call_center(v), vec(change, 0..max_changes)).prop_map(|(mut history, rest)| {
        history.extend(rest);
        history
    })
}

/// A change that only gives: a role, a group, a project membership, a
/// permission, an object to a project.
pub(crate) fn giving_change<P: ModelFlags>(
    v: &Vocab<P>,
) -> impl Strategy<Value = Change<P>> + use<P> {
    prop_oneof![
        (role(), few(principal()))
            .prop_map(|(role, principals)| Change::AssignRole { role, principals }),
        (project(), few(principal()), joining_roles()).prop_map(|(project, principals, roles)| {
            Change::AddProjectMembers {
                project,
                principals,
                roles,
            }
        }),
        (project(), project_role(), few(principal())).prop_map(|(project, role, principals)| {
            Change::AssignProjectRole {
                project,
                role,
                principals,
            }
        }),
        (group(), few(user())).prop_map(|(group, users)| Change::AddGroupMembers { group, users }),
        (role(), catalog_flag(v)).prop_map(|(role, permission)| Change::SetSectionAccess {
            role,
            permission,
            allowed: true,
        }),
        (project(), few(object()))
            .prop_map(|(project, objects)| Change::AddProjectObjects { project, objects }),
        // DOMAIN 24: giving until a time is guarded as giving.
        (role(), few(principal()), time()).prop_map(|(role, principals, until)| {
            Change::AssignRoleUntil {
                role,
                principals,
                until,
            }
        }),
        (project(), project_role(), few(principal()), time()).prop_map(
            |(project, role, principals, until)| Change::AssignProjectRoleUntil {
                project,
                role,
                principals,
                until,
            }
        ),
    ]
}

/// A change that only takes away: the mirror of [`giving_change`].
pub(crate) fn taking_change<P: ModelFlags>(
    v: &Vocab<P>,
) -> impl Strategy<Value = Change<P>> + use<P> {
    prop_oneof![
        (role(), few(principal()))
            .prop_map(|(role, principals)| Change::UnassignRole { role, principals }),
        (project(), few(principal())).prop_map(|(project, principals)| {
            Change::RemoveProjectMembers {
                project,
                principals,
            }
        }),
        (project(), role(), few(principal())).prop_map(|(project, role, principals)| {
            Change::UnassignProjectRole {
                project,
                role,
                principals,
            }
        }),
        (group(), few(user()))
            .prop_map(|(group, users)| Change::RemoveGroupMembers { group, users }),
        (role(), catalog_flag(v)).prop_map(|(role, permission)| Change::SetSectionAccess {
            role,
            permission,
            allowed: false,
        }),
        (project(), few(object()))
            .prop_map(|(project, objects)| Change::RemoveProjectObjects { project, objects }),
    ]
}

/// A giving change (true) or a taking one (false).
pub(crate) fn monotone_change<P: ModelFlags>(
    v: &Vocab<P>,
) -> impl Strategy<Value = (bool, Change<P>)> + use<P> {
    prop_oneof![
        giving_change(v).prop_map(|change| (true, change)),
        taking_change(v).prop_map(|change| (false, change)),
    ]
}

/// A role's "put its users offline" switched on (mostly) or off, and
/// nothing else: saving it ends its holders' sessions when on.
pub(crate) fn offline_switch<P: ModelFlags>() -> impl Strategy<Value = Change<P>> {
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
/// users offline", or a change to one project or object (which roles
/// within a project may allow, rule 22).
pub(crate) fn actor_change<P: ModelFlags>(
    v: &Vocab<P>,
) -> impl Strategy<Value = Change<P>> + use<P> {
    prop_oneof![
        // Boxed: a debug build's stack holds the unboxed value trees of
        // every arm at once.
        6 => any_change(v).boxed(),
        3 => giving_change(v).boxed(),
        1 => offline_switch().boxed(),
        3 => generous_change(v).boxed(),
        2 => project_change().boxed(),
    ]
}

/// A change to one project, or to an object, governed by what the actor
/// holds on it: company-wide, or within that project (or one holding the
/// object).
pub(crate) fn project_change<P: ModelFlags>() -> impl Strategy<Value = Change<P>> {
    prop_oneof![
        (project(), proptest::option::of(description())).prop_map(|(project, description)| {
            Change::EditProject {
                project,
                name: None,
                description,
            }
        }),
        (project(), few(object()))
            .prop_map(|(project, objects)| Change::AddProjectObjects { project, objects }),
        (project(), few(object()))
            .prop_map(|(project, objects)| Change::RemoveProjectObjects { project, objects }),
        (project(), few(principal()), joining_roles()).prop_map(|(project, principals, roles)| {
            Change::AddProjectMembers {
                project,
                principals,
                roles,
            }
        }),
        (project(), project_role(), few(principal())).prop_map(|(project, role, principals)| {
            Change::AssignProjectRole {
                project,
                role,
                principals,
            }
        }),
        (project(), role(), few(principal())).prop_map(|(project, role, principals)| {
            Change::UnassignProjectRole {
                project,
                role,
                principals,
            }
        }),
        (object(), name()).prop_map(|(object, name)| Change::RenameObject { object, name }),
        object().prop_map(|object| Change::DeleteObject { object }),
    ]
}

/// A change that hands out what few actors hold: a built-in role (Admin
/// and Supervisor carry nearly everything), company-wide or within a
/// project, a role with every permission, or a section switched on for
/// finance, security or "all projects".
pub(crate) fn generous_change<P: ModelFlags>(
    v: &Vocab<P>,
) -> impl Strategy<Value = Change<P>> + use<P> {
    prop_oneof![
        (0..3u32, few(principal())).prop_map(|(role, principals)| Change::AssignRole {
            role: RoleId::new(role),
            principals,
        }),
        (name(), select(v.generous.clone()), few(principal())).prop_map(
            |(name, permissions, principals)| Change::CreateRole {
                name,
                description: String::new(),
                permissions,
                principals,
                put_users_offline: false,
            }
        ),
        (role(), select(v.rare.clone())).prop_map(|(role, permission)| {
            Change::SetSectionAccess {
                role,
                permission,
                allowed: true,
            }
        }),
        (project(), 0..3u32, few(principal())).prop_map(|(project, role, principals)| {
            Change::AssignProjectRole {
                project,
                role: RoleId::new(role),
                principals,
            }
        }),
    ]
}

/// One step of a history with sessions. Sessions are picked by an
/// [`Index`] into the sessions made so far (logins and testing sessions, in
/// order; refused ones are not kept).
#[derive(Debug, Clone)]
pub(crate) enum Step<P: ModelFlags> {
    /// A change made by no one in particular: `Company::apply`.
    System(Change<P>),
    /// A user logs in.
    Login(UserId),
    /// A session starts testing a role.
    Test(Index, RoleId),
    /// A session makes a change: `Company::apply_as`.
    As(Index, Change<P>),
}

/// One step: mostly actor changes and logins; system changes (some of them
/// switching "put users offline" on, so sessions end, some giving or
/// taking); role tests.
pub(crate) fn step<P: ModelFlags>(v: &Vocab<P>) -> impl Strategy<Value = Step<P>> + use<P> {
    prop_oneof![
        2 => any_change(v).prop_map(Step::System),
        2 => offline_switch().prop_map(Step::System),
        // Taking from a tester, or giving to a role under test, after the
        // test started: the test stays capped by what the tester holds.
        1 => taking_change(v).prop_map(Step::System),
        1 => giving_change(v).prop_map(Step::System),
        3 => user().prop_map(Step::Login),
        2 => (any::<Index>(), role()).prop_map(|(session, role)| Step::Test(session, role)),
        6 => (any::<Index>(), actor_change(v)).prop_map(|(session, change)| Step::As(session, change)),
    ]
}

/// A random call center, then a few logins of its users (so that there is
/// someone to act), then up to `max_steps` steps.
pub(crate) fn session_history<P: ModelFlags>(
    v: &Vocab<P>,
    max_steps: usize,
) -> impl Strategy<Value = Vec<Step<P>>> + use<P> {
    let logins = vec(prop_oneof![3 => 0..3u32, 1 => 0..USERS], 1..5);
    (call_center(v), logins, vec(step(v), 0..max_steps)).prop_map(|(center, logins, rest)| {
        let mut steps: Vec<Step<P>> = center.into_iter().map(Step::System).collect();
        steps.extend(logins.into_iter().map(|u| Step::Login(UserId::new(u))));
        steps.extend(rest);
        steps
    })
}

/// A question asked through a session: which session (an [`Index`] into
/// those made so far), the action and the resource.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SessionQuestion<P> {
    pub(crate) session: Index,
    pub(crate) action: P,
    pub(crate) resource: Resource,
}

pub(crate) fn session_question<P: ModelFlags>(
    v: &Vocab<P>,
) -> impl Strategy<Value = SessionQuestion<P>> + use<P> {
    (any::<Index>(), action(v), resource()).prop_map(|(session, action, resource)| {
        SessionQuestion {
            session,
            action,
            resource,
        }
    })
}
