//! Shapes that random documents never produce (issue 27), sized for CI:
//! a change that names every Admin holder at once, and one record with
//! very many links. The paths they take are linear (the last-Admin check
//! hashes the change's lists once; loading groups every link's short side
//! in one pass); these tests pin what such shapes do, never how long they
//! take.

use callgate::{
    Change, Company, Document, Error, GroupId, GroupRecord, MemberRoles, ObjectId, ObjectKind,
    ObjectRecord, Principal, ProjectId, ProjectRecord, RoleId, UserId, UserRecord,
};

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// Holders of Admin in the change-sized tests.
const HOLDERS: u32 = 20_000;

/// A company of `n` users, each holding Admin directly.
fn admins(n: u32) -> Result<Company, Error> {
    let mut document = Document::new();
    for i in 0..n {
        let mut user = UserRecord::new(UserId::new(i), format!("admin{i}"));
        user.roles = vec![RoleId::ADMIN];
        document.users.push(user);
    }
    document.next_ids.users = n;
    document.revision = u64::from(n);
    Company::from_document(document)
}

/// A company of `n` users who hold Admin only through the group `Admins`.
fn admins_through_a_group(n: u32) -> Result<Company, Error> {
    let mut document = Document::new();
    let mut group = GroupRecord::new(GroupId::new(0), "Admins");
    for i in 0..n {
        document
            .users
            .push(UserRecord::new(UserId::new(i), format!("admin{i}")));
        group.members.push(UserId::new(i));
    }
    group.roles = vec![RoleId::ADMIN];
    document.groups.push(group);
    document.next_ids.users = n;
    document.next_ids.groups = 1;
    document.revision = u64::from(n) + 1;
    Company::from_document(document)
}

fn all_users(company: &Company) -> Vec<UserId> {
    company.users().map(|(id, _)| id).collect()
}

#[track_caller]
fn assert_last_admin(result: Result<impl std::fmt::Debug, Error>) {
    match result {
        Err(Error::LastAdmin { .. }) => {}
        other => panic!("expected a last-Admin refusal, got {other:?}"),
    }
}

#[test]
fn taking_admin_from_every_one_of_20k_holders_at_once_is_refused() -> TestResult {
    let mut company = admins(HOLDERS)?;
    let principals: Vec<Principal> = all_users(&company).into_iter().map(Into::into).collect();
    let change = Change::UnassignRole {
        role: RoleId::ADMIN,
        principals,
    };
    assert_last_admin(company.preview(change.clone()));
    let before = company.to_document();
    assert_last_admin(company.apply(change));
    assert_eq!(
        company.to_document(),
        before,
        "a refused change changes nothing"
    );
    Ok(())
}

#[test]
fn taking_admin_from_all_but_one_of_20k_holders_at_once_is_allowed() -> TestResult {
    let mut company = admins(HOLDERS)?;
    let mut users = all_users(&company);
    // The one who stays is in the middle of the list, and the list names
    // some holders twice.
    let stays = users.remove(users.len() / 2);
    users.extend_from_slice(&users.clone()[..100]);
    let principals: Vec<Principal> = users.iter().map(|&u| u.into()).collect();
    let change = Change::UnassignRole {
        role: RoleId::ADMIN,
        principals,
    };
    company.preview(change.clone())?;
    company.apply(change)?;
    let admin = company.role(RoleId::ADMIN).ok_or("no Admin role")?;
    assert_eq!(admin.users().collect::<Vec<_>>(), [stays]);
    Ok(())
}

#[test]
fn taking_admin_from_20k_holders_keeps_those_who_hold_it_through_a_group() -> TestResult {
    let mut company = admins_through_a_group(HOLDERS)?;
    let admins = GroupId::new(0);
    // Naming every user directly takes nothing: they hold Admin through
    // `Admins`, which the change does not name.
    let mut principals: Vec<Principal> = all_users(&company).into_iter().map(Into::into).collect();
    company.apply(Change::UnassignRole {
        role: RoleId::ADMIN,
        principals: principals.clone(),
    })?;
    // Naming the group too is a lock-out.
    principals.push(admins.into());
    assert_last_admin(company.apply(Change::UnassignRole {
        role: RoleId::ADMIN,
        principals,
    }));
    Ok(())
}

#[test]
fn removing_every_one_of_20k_members_from_the_admin_group_is_refused() -> TestResult {
    let mut company = admins_through_a_group(HOLDERS)?;
    let admins = GroupId::new(0);
    let mut users = all_users(&company);
    let remove_all = Change::RemoveGroupMembers {
        group: admins,
        users: users.clone(),
    };
    assert_last_admin(company.preview(remove_all.clone()));
    assert_last_admin(company.apply(remove_all));

    let stays = users.pop().ok_or("no users")?;
    company.apply(Change::RemoveGroupMembers {
        group: admins,
        users,
    })?;
    let group = company.group(admins).ok_or("no group")?;
    assert_eq!(group.members().collect::<Vec<_>>(), [stays]);
    Ok(())
}

/// A document of one user (Admin) in `n` groups, built by hand: ordinary
/// changes would take `n` of them.
fn one_user_in_groups(n: u32) -> Document {
    let mut document = Document::new();
    let mut ann = UserRecord::new(UserId::new(0), "ann");
    ann.roles = vec![RoleId::ADMIN];
    document.users.push(ann);
    for i in 0..n {
        let mut group = GroupRecord::new(GroupId::new(i), format!("team{i}"));
        group.members = vec![UserId::new(0)];
        document.groups.push(group);
    }
    document.next_ids.users = 1;
    document.next_ids.groups = n;
    document.revision = u64::from(n) + 1;
    document
}

#[test]
fn one_user_in_50k_groups_loads_with_every_group() -> TestResult {
    let n = 50_000;
    let json = serde_json::to_string(&one_user_in_groups(n))?;
    let company = Company::load(&mut serde_json::Deserializer::from_str(&json))?;
    let ann = company.user(UserId::new(0)).ok_or("no user")?;
    let groups: Vec<GroupId> = ann.groups().collect();
    assert_eq!(groups.len(), n as usize);
    assert!(
        groups.iter().zip(0..).all(|(&g, i)| g == GroupId::new(i)),
        "the groups come in id order"
    );
    let last = company.group(GroupId::new(n - 1)).ok_or("no group")?;
    assert_eq!(last.members().collect::<Vec<_>>(), [UserId::new(0)]);
    // And the checkpoint, through the same builder.
    let again = Company::load_checkpoint(&company.to_checkpoint())?;
    assert_eq!(again.to_document(), company.to_document());
    Ok(())
}

#[test]
fn one_user_and_one_object_in_5k_projects_with_a_role_within_each_load() -> TestResult {
    let n = 5_000;
    let mut document = Document::new();
    let mut ann = UserRecord::new(UserId::new(0), "ann");
    ann.roles = vec![RoleId::ADMIN];
    document.users.push(ann);
    document.objects.push(ObjectRecord::new(
        ObjectId::new(0),
        ObjectKind::Queue,
        "Inbound",
    ));
    for i in 0..n {
        let mut project = ProjectRecord::new(ProjectId::new(i), format!("client{i}"));
        project.users = vec![UserId::new(0)];
        project.objects = vec![ObjectId::new(0)];
        project.member_roles = vec![MemberRoles::new(UserId::new(0), vec![RoleId::OPERATOR])];
        document.projects.push(project);
    }
    document.next_ids.users = 1;
    document.next_ids.objects = 1;
    document.next_ids.projects = n;
    document.revision = 2 * u64::from(n) + 2;
    let company = Company::from_document(document.clone())?;
    let ann = company.user(UserId::new(0)).ok_or("no user")?;
    assert_eq!(ann.projects().count(), n as usize);
    let queue = company.object(ObjectId::new(0)).ok_or("no object")?;
    assert_eq!(queue.projects().count(), n as usize);
    assert_eq!(company.to_document(), document);
    Ok(())
}

/// A small company made by ordinary changes: a user in several groups and
/// projects, with roles within them; an object in two projects.
fn built_by_changes() -> Result<Company, Box<dyn std::error::Error>> {
    let mut company = Company::new();
    let ann = company.create_user("ann")?;
    let bob = company.create_user("bob")?;
    let cid = company.create_user("cid")?;
    let mut groups = Vec::new();
    for name in ["Team C", "Team A", "Team B"] {
        groups.push(company.create_group(name, &[cid, bob])?);
    }
    let mut projects = Vec::new();
    for name in ["Acme", "Bolt", "Cove"] {
        let report = company.apply(Change::CreateProject {
            name: name.into(),
            description: String::new(),
            principals: vec![bob.into(), groups[1].into()],
            objects: Vec::new(),
        })?;
        let Some(callgate::Created::Project(id)) = report.created else {
            return Err(format!("creating project `{name}` reported {:?}", report.created).into());
        };
        projects.push(id);
    }
    for &project in projects.iter().rev() {
        company.apply(Change::AssignProjectRole {
            project,
            role: RoleId::OPERATOR,
            principals: vec![bob.into(), groups[1].into()],
        })?;
    }
    company.apply(Change::CreateObject {
        kind: ObjectKind::Queue,
        name: "Inbound".into(),
        projects: vec![projects[2], projects[0]],
    })?;
    company.apply(Change::AssignRole {
        role: RoleId::SUPERVISOR,
        principals: vec![bob.into(), groups[2].into(), ann.into()],
    })?;
    Ok(company)
}

#[test]
fn a_loaded_company_equals_the_one_its_changes_built() -> TestResult {
    let built = built_by_changes()?;
    let json = serde_json::to_string(&built.to_document())?;
    let loaded = Company::load(&mut serde_json::Deserializer::from_str(&json))?;
    assert_eq!(loaded.to_document(), built.to_document());
    for ((a, user_a), (b, user_b)) in loaded.users().zip(built.users()) {
        assert_eq!(a, b);
        let sorted = |mut v: Vec<GroupId>| {
            v.sort_unstable();
            v
        };
        assert_eq!(
            sorted(user_a.groups().collect()),
            sorted(user_b.groups().collect())
        );
        assert_eq!(
            user_a.projects().collect::<std::collections::BTreeSet<_>>(),
            user_b.projects().collect::<std::collections::BTreeSet<_>>()
        );
    }
    // Both decide alike, and go on alike.
    let users: Vec<UserId> = built.users().map(|(id, _)| id).collect();
    let objects: Vec<ObjectId> = built.objects().map(|(id, _)| id).collect();
    for &user in &users {
        for &object in &objects {
            let resource = callgate::Resource::Object(object);
            for permission in callgate::Permissions::all().iter() {
                assert_eq!(
                    loaded.check(user, permission, resource).is_allowed(),
                    built.check(user, permission, resource).is_allowed()
                );
            }
        }
    }
    Ok(())
}

/// Issue 27's fan-out through ordinary changes: a company-wide group given
/// a role within every project, one change at a time. Its members reach
/// every project, with the role's permissions within each; 0.2 copied that
/// list into every member (300 x 300 ids and as many permission words,
/// more than 1 MB), now they share one.
#[test]
fn a_company_wide_group_added_to_every_project_is_held_once() -> TestResult {
    const USERS: u32 = 300;
    const PROJECTS: u32 = 300;
    let mut company = Company::new();
    let mut users = Vec::new();
    for i in 0..USERS {
        users.push(company.create_user(format!("agent{i}"))?);
    }
    company.apply(Change::SetSecurityMode {
        mode: callgate::SecurityMode::Enhanced,
    })?;
    let staff = company.create_group("All staff", &users)?;
    let mut queues = Vec::new();
    for i in 0..PROJECTS {
        let project = company.create_project(format!("client{i}"), "")?;
        let report = company.apply(Change::CreateObject {
            kind: ObjectKind::Queue,
            name: format!("queue{i}"),
            projects: vec![project],
        })?;
        let Some(callgate::Created::Object(queue)) = report.created else {
            return Err(format!("creating a queue reported {:?}", report.created).into());
        };
        queues.push((project, queue));
    }
    let agent = users[USERS as usize - 1];
    let view = callgate::Permissions::QUEUES_VIEW;
    let on = |queue| callgate::Resource::Object(queue);
    assert_eq!(
        company.check(agent, view, on(queues[0].1)).deny_reason(),
        Some(callgate::DenyReason::HiddenByProjects)
    );
    let before = company.memory_bytes();
    for &(project, _) in &queues {
        let report = company.apply(Change::AddProjectMembers {
            project,
            principals: vec![staff.into()],
            roles: vec![RoleId::SUPERVISOR],
        })?;
        assert_eq!(report.affected_users.len(), USERS as usize, "every member");
    }
    let grown = company.memory_bytes() - before;
    let copied = (USERS * PROJECTS) as usize * (4 + 8);
    assert!(
        grown < copied / 4,
        "{grown} bytes for {PROJECTS} links of one group; copied into every member: {copied}"
    );
    for &(_, queue) in &queues {
        assert!(company.check(agent, view, on(queue)).is_allowed());
    }
    // The same company loaded from its document holds the list once too,
    // and answers alike.
    let loaded = Company::from_document(company.to_document())?;
    assert!(loaded.memory_bytes() < company.memory_bytes() + copied / 4);
    assert_eq!(&loaded.compile(), company.snapshot());
    // And a member who leaves lets go of it alone.
    company.apply(Change::RemoveGroupMembers {
        group: staff,
        users: vec![agent],
    })?;
    assert_eq!(
        company.check(agent, view, on(queues[7].1)).deny_reason(),
        Some(callgate::DenyReason::HiddenByProjects)
    );
    assert!(company.check(users[1], view, on(queues[7].1)).is_allowed());
    assert_eq!(&company.compile(), company.snapshot());
    Ok(())
}
