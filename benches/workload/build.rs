//! The changes that build a call center of a size from nothing, in the
//! bulk shape a host's import takes: objects first, then each project with
//! its objects in one change, groups with their role and project, then
//! each user with roles, groups and projects in one change. The counts and
//! shares are those of [`call_center`](super::call_center); the bench
//! `build/changes` applies them to a new company.

use callgate::{
    Change, GroupId, ObjectId, ObjectKind, Permissions, Principal, ProjectId, RoleId, SecurityMode,
};

use super::{Rng, Size};

/// Every change, in order, that builds `size` from a new company.
pub(crate) fn changes(size: Size) -> Vec<Change> {
    let (users, projects, objects, roles, groups) = size.counts();
    let mut rng = Rng::new(0xB01D + u64::from(users));
    let mut changes = vec![
        Change::CreateUser {
            name: "admin".into(),
            roles: Vec::new(),
            groups: Vec::new(),
            projects: Vec::new(),
        },
        Change::SetSecurityMode {
            mode: SecurityMode::Enhanced,
        },
    ];
    let mut role_ids = vec![RoleId::SUPERVISOR, RoleId::OPERATOR];
    for r in 0..roles {
        let mut permissions = Permissions::empty();
        for kind in ObjectKind::ALL {
            if rng.chance(50) {
                permissions |= kind.view_permission();
            }
        }
        changes.push(Change::CreateRole {
            name: format!("role {r}"),
            description: "generated".into(),
            permissions,
            principals: Vec::new(),
            put_users_offline: false,
        });
        // Ids are dense: the built-in roles take 0-2.
        role_ids.push(RoleId::new(3 + r));
    }
    // Objects, each of a kind drawn evenly, in 1-2 projects.
    let mut project_objects: Vec<Vec<ObjectId>> = vec![Vec::new(); projects as usize];
    for o in 0..objects {
        let kind = ObjectKind::ALL[rng.below(ObjectKind::ALL.len() as u32) as usize];
        changes.push(Change::CreateObject {
            kind,
            name: format!("object {o}"),
            projects: Vec::new(),
        });
        for _ in 0..=rng.below(2) {
            project_objects[rng.below(projects) as usize].push(ObjectId::new(o));
        }
    }
    // Projects, each with its objects. `Default` (id 0) came with the switch.
    for (p, objects) in project_objects.into_iter().enumerate() {
        changes.push(Change::CreateProject {
            name: format!("client {p}"),
            description: "generated".into(),
            principals: Vec::new(),
            objects,
        });
    }
    let project = |rng: &mut Rng| ProjectId::new(1 + rng.below(projects));
    for g in 0..groups {
        let group = GroupId::new(g);
        let role = role_ids[rng.below(role_ids.len() as u32) as usize];
        changes.push(Change::CreateGroup {
            name: format!("team {g}"),
            members: Vec::new(),
        });
        changes.push(Change::AssignRole {
            role,
            principals: vec![Principal::Group(group)],
        });
        changes.push(Change::AddProjectMembers {
            project: project(&mut rng),
            principals: vec![Principal::Group(group)],
            roles: vec![],
        });
    }
    for u in 1..users {
        let through_group = rng.chance(33);
        let roles = (0..1 + rng.below(2))
            .map(|_| role_ids[rng.below(role_ids.len() as u32) as usize])
            .collect();
        let groups = if through_group {
            vec![GroupId::new(rng.below(groups))]
        } else {
            Vec::new()
        };
        let projects = (0..1 + rng.below(2)).map(|_| project(&mut rng)).collect();
        changes.push(Change::CreateUser {
            name: format!("user {u}"),
            roles,
            groups,
            projects,
        });
    }
    changes
}
