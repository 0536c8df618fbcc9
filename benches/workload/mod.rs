//! Generated call centers and questions, shared by every benchmark.
//!
//! [`call_center`] builds S, M or L through ordinary `Change`s, the way a
//! host would; [`questions`] draws a batch of checks of which about half are
//! allowed. Both are deterministic (a fixed-seed xorshift generator), so
//! every run measures the same work. [`product`] builds workload V, a
//! product's own catalog, with the same generator of users, groups,
//! projects and objects ([`populate`]). [`within`] gives 20% of a call
//! center's users roles within projects (workloads M+pr and L+pr).

#![allow(dead_code)] // each bench binary uses its own part of this module

use callgate::{
    CATALOG, Change, Company, GroupId, Kind, ObjectId, ObjectKind, PermissionFlags, Permissions,
    Principal, ProjectId, Resource, RoleId, SecurityMode, UserId,
};

pub(crate) mod build;
pub(crate) mod product;
pub(crate) mod within;

/// The criterion settings of every benchmark binary: short warm-up and
/// measurement, 30 samples (a batch of 100,000 questions is one iteration).
pub(crate) fn criterion_config() -> criterion::Criterion {
    criterion::Criterion::default()
        .warm_up_time(std::time::Duration::from_secs(1))
        .measurement_time(std::time::Duration::from_secs(3))
        .sample_size(30)
}

/// The three sizes of the targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Size {
    /// 1,000 users, 20 projects, 2,000 objects, 10 custom roles.
    S,
    /// 10,000 users, 200 projects, 20,000 objects, 50 custom roles.
    M,
    /// 100,000 users, 2,000 projects, 200,000 objects, 500 custom roles,
    /// 1,000 groups.
    L,
}

impl Size {
    pub(crate) const ALL: [Size; 3] = [Size::S, Size::M, Size::L];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Size::S => "S",
            Size::M => "M",
            Size::L => "L",
        }
    }

    /// (users, projects, objects, custom roles, groups)
    pub(crate) fn counts(self) -> (u32, u32, u32, u32, u32) {
        match self {
            Size::S => (1_000, 20, 2_000, 10, 10),
            Size::M => (10_000, 200, 20_000, 50, 100),
            Size::L => (100_000, 2_000, 200_000, 500, 1_000),
        }
    }
}

/// The standard sizes named in `CALLGATE_SIZES` (say `M` or `S,L`; other
/// names such as `V` or `M+pr` are ignored), or `None` when it is not set:
/// for benches that build only the standard sizes.
pub(crate) fn named_sizes() -> Option<Vec<Size>> {
    let names = std::env::var("CALLGATE_SIZES").ok()?;
    Some(
        Size::ALL
            .into_iter()
            .filter(|size| names.split(',').any(|name| name.trim() == size.name()))
            .collect(),
    )
}

/// A small, fast, deterministic random number generator (xorshift64*).
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Rng(seed.max(1))
    }

    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (`n > 0`).
    pub(crate) fn below(&mut self, n: u32) -> u32 {
        (self.next() % u64::from(n)) as u32
    }

    pub(crate) fn chance(&mut self, percent: u32) -> bool {
        self.below(100) < percent
    }
}

/// A generated call center and what the question generator needs to know.
#[derive(Clone)]
pub(crate) struct CallCenter {
    pub(crate) company: Company,
    pub(crate) size: Size,
    /// Object-project links (for the memory budget).
    pub(crate) links: usize,
}

/// Builds the call center of `size` in enhanced security: each user in 1-3
/// client projects and holding 1-2 roles (some through a group), each object
/// in 1-2 projects.
pub(crate) fn call_center(size: Size) -> CallCenter {
    let (users, _, _, roles, _) = size.counts();
    let mut rng = Rng::new(0x5EED_CA11 + users as u64);
    let mut company = enhanced_company();

    // Custom roles: a few object permissions (view or manage) and a few
    // sections each, so that about half of random questions are allowed.
    let mut role_ids = vec![RoleId::SUPERVISOR, RoleId::OPERATOR];
    for r in 0..roles {
        let mut permissions = Permissions::empty();
        for kind in ObjectKind::ALL {
            if rng.chance(75) {
                permissions |= if rng.chance(50) {
                    kind.manage_permission()
                } else {
                    kind.view_permission()
                };
            }
        }
        for _ in 0..6 {
            let info = &CATALOG[rng.below(CATALOG.len() as u32) as usize];
            if !info.flag.contains(Permissions::PROJECTS_ALL) {
                permissions |= info.flag;
            }
        }
        let id = company
            .create_role(format!("role {r}"), "generated", permissions)
            .expect("unique role name");
        role_ids.push(id);
    }

    let links = populate(&mut company, &mut rng, size, &role_ids);
    CallCenter {
        company,
        size,
        links,
    }
}

/// Applies a change the generators know to be valid.
pub(crate) fn must(
    result: Result<callgate::ChangeReport, callgate::Error>,
) -> callgate::ChangeReport {
    result.expect("the generator only makes valid changes")
}

/// A new company of `P`'s catalog in enhanced security, with its first user
/// (`admin`, the Admin) and the (empty) `Default` project the switch makes.
pub(crate) fn enhanced_company<P: PermissionFlags>() -> Company<P> {
    let mut company = Company::<P>::with_catalog();
    company.create_user("admin").expect("first user");
    must(company.apply(Change::SetSecurityMode {
        mode: SecurityMode::Enhanced,
    }));
    company
}

/// Everything but the roles, for any catalog: `size`'s projects, its groups
/// (each carrying one of `role_ids` and sitting in one project), its users
/// (1-2 of `role_ids`, a third of them through a group; 1-3 projects in all)
/// and its objects (of kinds drawn evenly, each in 1-2 projects). Returns
/// the number of object-project links.
///
/// The standard call centers and workload V (`product.rs`) share it, so that
/// they differ only in their catalog and roles.
pub(crate) fn populate<P: PermissionFlags>(
    company: &mut Company<P>,
    rng: &mut Rng,
    size: Size,
    role_ids: &[RoleId],
) -> usize {
    let (users, projects, objects, _, groups) = size.counts();
    let project_ids: Vec<ProjectId> = (0..projects)
        .map(|p| {
            company
                .create_project(format!("client {p}"), "generated")
                .expect("unique project name")
        })
        .collect();

    let pick_projects = |rng: &mut Rng, most: u32| -> Vec<ProjectId> {
        let count = 1 + rng.below(most);
        (0..count)
            .map(|_| project_ids[rng.below(projects) as usize])
            .collect()
    };

    // Groups: each carries one role and sits in one project.
    let mut group_ids: Vec<GroupId> = Vec::new();
    for g in 0..groups {
        let group = company
            .create_group(format!("team {g}"), &[])
            .expect("unique group name");
        let role = role_ids[rng.below(role_ids.len() as u32) as usize];
        must(company.apply(Change::AssignRole {
            role,
            principals: vec![Principal::Group(group)],
        }));
        let project = project_ids[rng.below(projects) as usize];
        must(company.apply(Change::AddProjectMembers {
            project,
            principals: vec![Principal::Group(group)],
            roles: vec![],
        }));
        group_ids.push(group);
    }

    // Users: 1-2 roles, a third of them through a group; 1-3 projects.
    for u in 1..users {
        let through_group = rng.chance(33);
        let role_count = 1 + rng.below(2);
        let mut roles: Vec<RoleId> = (0..role_count)
            .map(|_| role_ids[rng.below(role_ids.len() as u32) as usize])
            .collect();
        let groups = if through_group {
            roles.truncate(1);
            vec![group_ids[rng.below(group_ids.len() as u32) as usize]]
        } else {
            Vec::new()
        };
        let projects = pick_projects(rng, if through_group { 2 } else { 3 });
        let report = must(company.apply(Change::CreateUser {
            name: format!("user {u}"),
            roles,
            groups,
            projects,
        }));
        debug_assert!(report.created.is_some());
    }

    let kinds = P::catalog().kinds();
    let mut links = 0;
    for o in 0..objects {
        let index = rng.below(kinds.len() as u32) as usize;
        let kind = P::Kind::from_index(index).expect("a kind of the catalog");
        let mut projects = pick_projects(rng, 2);
        projects.sort_unstable();
        projects.dedup();
        links += projects.len();
        must(company.apply(Change::CreateObject {
            kind,
            name: format!("{} {o}", kinds[index].name()),
            projects,
        }));
    }
    links
}

/// The JSON of a company of one user whose `nextIds` name every id the
/// default [`callgate::Limits`] allow: a small, hostile document, which
/// loading must not size its tables from.
pub(crate) fn hostile_document() -> String {
    let limits = callgate::Limits::DEFAULT;
    let mut company = Company::new();
    company.create_user("ann").expect("a new name");
    let mut document = company.to_document();
    document.next_ids.users = limits.users;
    document.next_ids.groups = limits.groups;
    document.next_ids.roles = limits.roles;
    document.next_ids.projects = limits.projects;
    document.next_ids.objects = limits.objects;
    document.revision = 1 << 40; // enough changes for every id
    serde_json::to_string(&document).expect("serializable")
}

/// A one-user change that is valid again and again when alternated with its
/// inverse: a user in the middle of the table and a custom role they do not
/// hold directly (assign it, then unassign it, ...).
pub(crate) fn one_user_role(company: &Company) -> (UserId, RoleId) {
    let users = u32::try_from(company.users().count()).expect("fewer than 2^32 users");
    let user = UserId::new(users / 2);
    let held: Vec<RoleId> = company.user(user).expect("a live user").roles().collect();
    let role = company
        .roles()
        .find(|(id, role)| !role.is_builtin() && !held.contains(id))
        .map(|(id, _)| id)
        .expect("a custom role the user does not hold");
    (user, role)
}

/// [`Change::AssignRole`] of `role` to `user` when `assign`, else
/// [`Change::UnassignRole`].
pub(crate) fn role_change(assign: bool, user: UserId, role: RoleId) -> Change {
    let principals = vec![Principal::User(user)];
    if assign {
        Change::AssignRole { role, principals }
    } else {
        Change::UnassignRole { role, principals }
    }
}

/// One check to make, in the standard catalog or (workload V) a product's.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Question<P: PermissionFlags = Permissions> {
    pub(crate) user: UserId,
    pub(crate) action: P,
    pub(crate) resource: Resource,
}

/// `count` questions: 85% about objects (65% of them objects in one of the
/// user's projects), 15% about company sections; view or manage at random.
pub(crate) fn questions(center: &CallCenter, count: usize, seed: u64) -> Vec<Question> {
    let company = &center.company;
    let (users, _, objects, _, _) = center.size.counts();
    let mut rng = Rng::new(seed);
    (0..count)
        .map(|_| {
            let user = UserId::new(rng.below(users));
            if rng.chance(15) {
                let info = &CATALOG[rng.below(CATALOG.len() as u32) as usize];
                return Question {
                    user,
                    action: info.flag,
                    resource: Resource::Company,
                };
            }
            // Prefer an object the user reaches through a project.
            let own = rng
                .chance(65)
                .then(|| {
                    let record = company.user(user)?;
                    let project = record.projects().next()?;
                    let held = company.project(project)?;
                    let n = held.objects().len() as u32;
                    (n > 0).then(|| held.objects().nth(rng.below(n) as usize))?
                })
                .flatten();
            let object = own.unwrap_or_else(|| ObjectId::new(rng.below(objects)));
            let kind = company
                .object(object)
                .map_or(ObjectKind::Queue, |o| o.kind());
            let action = if rng.chance(50) {
                kind.view_permission()
            } else {
                kind.manage_permission()
            };
            Question {
                user,
                action,
                resource: Resource::Object(object),
            }
        })
        .collect()
}

/// Asks every question by user id; returns how many were allowed. The same
/// loop, compiled for each catalog, measures the standard sizes and V
/// (`check.rs`) and the sizes with grants that end (`grant_ends.rs`).
///
/// The batch loops are never inlined, so that a profiler can count what one
/// batch costs: `instructions.sh` counts inside `*check_users*`.
#[inline(never)]
pub(crate) fn check_users<P: PermissionFlags>(
    snapshot: &callgate::Snapshot<P>,
    questions: &[Question<P>],
) -> u32 {
    let mut allowed = 0u32;
    for q in questions {
        allowed += u32::from(snapshot.check(q.user, q.action, q.resource).is_allowed());
    }
    std::hint::black_box(allowed)
}
