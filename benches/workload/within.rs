//! Workloads M+pr and L+pr: roles within projects (DOMAIN rules 20-21).
//!
//! [`with_project_roles`] takes a standard call center (as
//! [`call_center`](super::call_center) builds it, unchanged) and gives 20% of
//! its users a role within one of the projects they are in, through
//! ordinary `Change`s:
//!
//! * a new custom role, `team lead`: every kind's `*.manage` and
//!   `projects.manage` (nothing company-wide), given within projects only;
//! * about a quarter of them (5% of all users) through groups: groups drawn
//!   at random are given `team lead` or Supervisor within the project they
//!   sit in (`AssignProjectRole`), until their members make 5% of the users;
//! * the rest directly: users drawn at random among those not yet covered
//!   (exactly as many as make 20% in all), each given `team lead` or
//!   Supervisor within one of their own direct projects, half of them by
//!   `AssignProjectRole` and half by `AddProjectMembers { roles }` (they are
//!   members already: it only gives the role), one change per project, role
//!   and kind of change.
//!
//! Nothing else changes: the users, groups, memberships, company-wide roles
//! and objects are the plain workload's, so [`questions`](super::questions)
//! draws the very same batch from both, and `check/by_user/M+pr` compares
//! with `check/by_user/M` question for question. [`within_questions`] draws
//! the other batch: only users holding a role within a project, each asked
//! about an object of that project (the path of the check that adds the
//! words given within projects).

use callgate::{Change, ObjectKind, Permissions, Principal, ProjectId, RoleId, UserId};

use super::{CallCenter, Question, Rng, must};

/// The suffix of the workloads' names: `M+pr`, `L+pr` (and `S+pr` in
/// criterion's test mode).
pub(crate) const SUFFIX: &str = "+pr";

/// The share of users (percent) holding a role within a project.
const SHARE: u32 = 20;

/// The share of users (percent) holding it through a group.
const THROUGH_GROUPS: u32 = 5;

/// A call center whose users hold roles within projects.
#[derive(Clone)]
pub(crate) struct ProjectRoleCenter {
    pub(crate) center: CallCenter,
    /// The custom role given within projects only.
    pub(crate) team_lead: RoleId,
    /// Every (user, project) where the user holds a role within the
    /// project, directly or through a group; sorted, no duplicates.
    pub(crate) holders: Vec<(UserId, ProjectId)>,
    /// Users holding a role within a project: directly, through a group.
    pub(crate) direct_users: usize,
    pub(crate) group_users: usize,
}

impl ProjectRoleCenter {
    /// The workload's name: `M+pr`.
    pub(crate) fn name(&self) -> String {
        format!("{}{SUFFIX}", self.center.size.name())
    }
}

/// `plain` with 20% of its users given a role within one of their projects
/// (see the module's documentation).
pub(crate) fn with_project_roles(plain: &CallCenter) -> ProjectRoleCenter {
    let mut center = plain.clone();
    let (users, _, _, _, _) = center.size.counts();
    let mut rng = Rng::new(0x9207_EC75 + u64::from(users));
    let company = &mut center.company;

    let mut team_lead = Permissions::PROJECTS_MANAGE;
    for kind in ObjectKind::ALL {
        team_lead |= kind.manage_permission();
    }
    let team_lead = company
        .create_role("team lead", "given within projects", team_lead)
        .expect("unique role name");
    let pick_role = |rng: &mut Rng| {
        if rng.chance(50) {
            team_lead
        } else {
            RoleId::SUPERVISOR
        }
    };

    // Groups, in random order, until their members make 5% of the users.
    let mut covered = vec![false; users as usize];
    let mut group_users = 0usize;
    let mut groups: Vec<_> = company
        .groups()
        .filter_map(|(id, group)| Some((id, group.projects().next()?)))
        .collect();
    for i in (1..groups.len()).rev() {
        groups.swap(i, rng.below(i as u32 + 1) as usize);
    }
    let group_target = (users * THROUGH_GROUPS / 100) as usize;
    for (group, project) in groups {
        if group_users >= group_target {
            break;
        }
        let members: Vec<UserId> = company.group(group).expect("listed").members().collect();
        for user in members {
            let seen = &mut covered[user.get() as usize];
            group_users += usize::from(!*seen);
            *seen = true;
        }
        let role = pick_role(&mut rng);
        must(company.apply(Change::AssignProjectRole {
            project,
            role,
            principals: vec![Principal::Group(group)],
        }));
    }

    // Users not covered yet, drawn so that exactly 20% hold a role within a
    // project in all (selection sampling over ids 1.., the admin aside).
    let target = (users * SHARE / 100) as usize;
    let mut needed = target.saturating_sub(group_users);
    let mut candidates = (1..users as usize).filter(|&u| !covered[u]).count();
    // (project, role, through AddProjectMembers) -> users
    let mut batches: std::collections::BTreeMap<(ProjectId, RoleId, bool), Vec<Principal>> =
        std::collections::BTreeMap::new();
    let mut direct_users = 0usize;
    for u in 1..users {
        if covered[u as usize] {
            continue;
        }
        let chosen = rng.below(candidates as u32) < needed as u32;
        candidates -= 1;
        if !chosen {
            continue;
        }
        needed -= 1;
        let user = UserId::new(u);
        let record = company.user(user).expect("generated users exist");
        let own = record.projects().len() as u32;
        let project = record
            .projects()
            .nth(rng.below(own) as usize)
            .expect("every generated user is in a project directly");
        let role = pick_role(&mut rng);
        let by_adding = rng.chance(50);
        batches
            .entry((project, role, by_adding))
            .or_default()
            .push(Principal::User(user));
        direct_users += 1;
    }
    for ((project, role, by_adding), principals) in batches {
        let change = if by_adding {
            Change::AddProjectMembers {
                project,
                principals,
                roles: vec![role],
            }
        } else {
            Change::AssignProjectRole {
                project,
                role,
                principals,
            }
        };
        must(company.apply(change));
    }

    let mut holders = Vec::new();
    for (user, record) in company.users() {
        holders.extend(record.project_roles().map(|(project, _)| (user, project)));
        for group in record.groups() {
            let group = company.group(group).expect("linked");
            holders.extend(group.project_roles().map(|(project, _)| (user, project)));
        }
    }
    holders.sort_unstable();
    holders.dedup();
    ProjectRoleCenter {
        center,
        team_lead,
        holders,
        direct_users,
        group_users,
    }
}

/// `count` questions asked only by users holding a role within a project,
/// each about an object of a project within which they hold it (drawn
/// evenly among such pairs), view or manage of its kind at random: the path
/// of the check that adds the words given within projects.
pub(crate) fn within_questions(
    center: &ProjectRoleCenter,
    count: usize,
    seed: u64,
) -> Vec<Question> {
    let company = &center.center.company;
    let mut rng = Rng::new(seed);
    let mut batch = Vec::with_capacity(count);
    while batch.len() < count {
        let (user, project) = center.holders[rng.below(center.holders.len() as u32) as usize];
        let held = company.project(project).expect("live project");
        let n = held.objects().len() as u32;
        if n == 0 {
            continue;
        }
        let object = held.objects().nth(rng.below(n) as usize).expect("in range");
        let kind = company.object(object).expect("live object").kind();
        let action = if rng.chance(50) {
            kind.view_permission()
        } else {
            kind.manage_permission()
        };
        batch.push(Question {
            user,
            action,
            resource: callgate::Resource::Object(object),
        });
    }
    batch
}
