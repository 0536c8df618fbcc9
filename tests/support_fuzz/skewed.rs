//! Skewed documents (issue 27): shapes random companies never take, where
//! a few records hold very many links. Each is written as a host's hostile
//! tenant would send it, then fuzzed like the others.
//!
//! - fan-out: `users` users in one group that sits in `projects` projects,
//!   given a role within each (or not), with one object in each project: a
//!   flattened layout holds users x projects ids;
//! - one user in `groups` groups: a short side built link by link is
//!   quadratic;
//! - one user given a role within each of `projects` projects, directly.

use callgate::{
    Document, GroupId, GroupRecord, MemberRoles, ObjectId, ObjectKind, ObjectRecord, ProjectId,
    ProjectRecord, RoleId, UserId, UserRecord,
};
use proptest::prelude::*;

/// `users` users in one group (the first holds Admin) that sits in
/// `projects` projects, given Operator within each when `within`; one queue
/// in each project.
pub(crate) fn fan_out(users: u32, projects: u32, within: bool) -> Document {
    let mut document = Document::new();
    let mut group = GroupRecord::new(GroupId::new(0), "All staff");
    for i in 0..users {
        let mut user = UserRecord::new(UserId::new(i), format!("agent{i}"));
        if i == 0 {
            user.roles = vec![RoleId::ADMIN];
        }
        document.users.push(user);
        group.members.push(UserId::new(i));
    }
    document.groups.push(group);
    for i in 0..projects {
        let mut project = ProjectRecord::new(ProjectId::new(i), format!("client{i}"));
        project.groups = vec![GroupId::new(0)];
        project.objects = vec![ObjectId::new(i)];
        if within {
            project.member_roles = vec![MemberRoles::new(GroupId::new(0), vec![RoleId::OPERATOR])];
        }
        document.projects.push(project);
        document.objects.push(ObjectRecord::new(
            ObjectId::new(i),
            ObjectKind::Queue,
            format!("queue{i}"),
        ));
    }
    document.next_ids.users = users;
    document.next_ids.groups = 1;
    document.next_ids.projects = projects;
    document.next_ids.objects = projects;
    document.revision = u64::from(users) + 3 * u64::from(projects) + 1;
    document
}

/// One user (Admin) in `groups` groups.
pub(crate) fn one_user_in_groups(groups: u32) -> Document {
    let mut document = Document::new();
    let mut ann = UserRecord::new(UserId::new(0), "ann");
    ann.roles = vec![RoleId::ADMIN];
    document.users.push(ann);
    for i in 0..groups {
        let mut group = GroupRecord::new(GroupId::new(i), format!("team{i}"));
        group.members = vec![UserId::new(0)];
        document.groups.push(group);
    }
    document.next_ids.users = 1;
    document.next_ids.groups = groups;
    document.revision = u64::from(groups) + 1;
    document
}

/// One user (Admin) given Supervisor within each of `projects` projects,
/// and a second user given Operator within every other one.
pub(crate) fn roles_within(projects: u32) -> Document {
    let mut document = Document::new();
    let mut ann = UserRecord::new(UserId::new(0), "ann");
    ann.roles = vec![RoleId::ADMIN];
    document.users.push(ann);
    document.users.push(UserRecord::new(UserId::new(1), "bob"));
    for i in 0..projects {
        let mut project = ProjectRecord::new(ProjectId::new(i), format!("client{i}"));
        let mut roles = vec![MemberRoles::new(UserId::new(0), vec![RoleId::SUPERVISOR])];
        project.users = vec![UserId::new(0)];
        if i % 2 == 0 {
            project.users.push(UserId::new(1));
            roles.push(MemberRoles::new(UserId::new(1), vec![RoleId::OPERATOR]));
        }
        project.member_roles = roles;
        document.projects.push(project);
    }
    document.next_ids.users = 2;
    document.next_ids.projects = projects;
    document.revision = 3 * u64::from(projects) + 2;
    document
}

/// One of the skewed shapes, sized for a debug build.
pub(crate) fn skewed_document() -> impl Strategy<Value = Document> {
    prop_oneof![
        (1..300u32, 1..300u32, any::<bool>()).prop_map(|(u, p, w)| fan_out(u, p, w)),
        (1..3_000u32).prop_map(one_user_in_groups),
        (1..600u32).prop_map(roles_within),
    ]
}
