//! One change that gives one record very many links (issue 27, "linear
//! paths"): a user created in 20,000 groups, an object created in 20,000
//! projects. The commit merges each record's links in one pass; these tests
//! pin that the result is exactly what the same links make one change at a
//! time (order given, each id once), never how long it takes.

use callgate::{
    Change, Company, Document, GroupId, GroupRecord, NewUser, ObjectId, ObjectKind, ProjectId,
    ProjectRecord, RoleId, UserId, UserRecord,
};

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// Links given to one record at once.
const LINKS: u32 = 20_000;

/// Links given one change at a time, to compare (each change recompiles
/// the record, and debug builds compile it twice, so this stays small).
const COMPARED: u32 = 1_000;

/// A company of one Admin, `n` empty groups and `n` empty projects.
fn groups_and_projects(n: u32) -> Result<Company, callgate::Error> {
    let mut document = Document::new();
    let mut ann = UserRecord::new(UserId::new(0), "ann");
    ann.roles = vec![RoleId::ADMIN];
    document.users.push(ann);
    for i in 0..n {
        (document.groups).push(GroupRecord::new(GroupId::new(i), format!("team{i}")));
        (document.projects).push(ProjectRecord::new(ProjectId::new(i), format!("client{i}")));
    }
    document.next_ids.users = 1;
    document.next_ids.groups = n;
    document.next_ids.projects = n;
    document.revision = 2 * u64::from(n) + 1;
    Company::from_document(document)
}

/// Every id below `n` in a scrambled order (a stride prime to `n`), then
/// every tenth one again: the order given is not id order, and repeats.
fn scrambled(n: u32) -> Vec<u32> {
    let once = (0..n).map(|i| (u64::from(i) * 7_919 % u64::from(n)) as u32);
    once.clone().chain(once.step_by(10)).collect()
}

/// `ids` without repeats, in the order each first appears.
fn first_each(ids: &[u32]) -> Vec<u32> {
    let mut seen = std::collections::HashSet::new();
    ids.iter().copied().filter(|&id| seen.insert(id)).collect()
}

/// Creates the queue `Inbound` in `projects`.
fn create_queue(
    company: &mut Company,
    projects: &[ProjectId],
) -> Result<ObjectId, Box<dyn std::error::Error>> {
    let report = company.apply(Change::CreateObject {
        kind: ObjectKind::Queue,
        name: "Inbound".into(),
        projects: projects.to_vec(),
    })?;
    match report.created {
        Some(callgate::Created::Object(id)) => Ok(id),
        other => Err(format!("creating an object reported {other:?}").into()),
    }
}

/// The records of a document, without its revision (a company built one
/// link at a time made more changes).
fn records(company: &Company) -> Document {
    let mut document = company.to_document();
    // The records only: not how many changes made them, nor which.
    document.revision = 0;
    document.chain = None;
    document
}

#[test]
fn a_user_created_in_20k_groups_at_once_is_in_each_once_in_the_order_given() -> TestResult {
    let mut company = groups_and_projects(LINKS)?;
    let order = scrambled(LINKS);
    let groups: Vec<GroupId> = order.iter().map(|&i| GroupId::new(i)).collect();
    let kim = company.create_user(NewUser::new("kim").groups(groups.iter().copied()))?;
    let given: Vec<GroupId> = first_each(&order).into_iter().map(GroupId::new).collect();
    let user = company.user(kim).ok_or("no user")?;
    assert_eq!(
        user.groups().collect::<Vec<_>>(),
        given,
        "the order given, each once"
    );
    assert!(company.groups().all(|(_, group)| group.members().eq([kim])));
    // A document of the same records loads into the same company.
    let loaded = Company::from_document(company.to_document())?;
    assert_eq!(loaded.to_document(), company.to_document());

    // Deleting the user takes all 20,000 links off at once.
    company.apply(Change::DeleteUser { user: kim })?;
    assert!(
        company
            .groups()
            .all(|(_, group)| group.members().count() == 0)
    );
    Ok(())
}

#[test]
fn a_user_created_in_many_groups_at_once_equals_one_added_to_them_one_by_one() -> TestResult {
    let base = groups_and_projects(COMPARED)?;
    let order = scrambled(COMPARED);
    let groups: Vec<GroupId> = order.iter().map(|&i| GroupId::new(i)).collect();

    let mut at_once = base.clone();
    let kim = at_once.create_user(NewUser::new("kim").groups(groups.iter().copied()))?;
    let mut one_by_one = base.clone();
    assert_eq!(one_by_one.create_user("kim")?, kim);
    for &group in &groups {
        one_by_one.apply(Change::AddGroupMembers {
            group,
            users: vec![kim],
        })?;
    }

    let given: Vec<GroupId> = first_each(&order).into_iter().map(GroupId::new).collect();
    let user = at_once.user(kim).ok_or("no user")?;
    assert_eq!(
        user.groups().collect::<Vec<_>>(),
        given,
        "the order given, each once"
    );
    let last = at_once
        .group(GroupId::new(COMPARED - 1))
        .ok_or("no group")?;
    assert_eq!(last.members().collect::<Vec<_>>(), [kim]);
    assert_eq!(records(&at_once), records(&one_by_one));
    assert_eq!(at_once.memory_bytes(), one_by_one.memory_bytes());

    // Deleting the user takes all 20,000 links off at once.
    at_once.apply(Change::DeleteUser { user: kim })?;
    assert!(
        at_once
            .groups()
            .all(|(_, group)| group.members().count() == 0)
    );
    Ok(())
}

#[test]
fn an_object_created_in_many_projects_at_once_equals_one_added_to_them_one_by_one() -> TestResult {
    let base = groups_and_projects(COMPARED)?;
    let order = scrambled(COMPARED);
    let projects: Vec<ProjectId> = order.iter().map(|&i| ProjectId::new(i)).collect();

    let mut at_once = base.clone();
    let queue = create_queue(&mut at_once, &projects)?;
    let mut one_by_one = base.clone();
    assert_eq!(create_queue(&mut one_by_one, &[])?, queue);
    for &project in &projects {
        one_by_one.apply(Change::AddProjectObjects {
            project,
            objects: vec![queue],
        })?;
    }

    let given: Vec<ProjectId> = first_each(&order).into_iter().map(ProjectId::new).collect();
    let object = at_once.object(queue).ok_or("no object")?;
    assert_eq!(object.projects().collect::<Vec<_>>(), given);
    assert_eq!(records(&at_once), records(&one_by_one));
    Ok(())
}

#[test]
fn new_user_given_20k_groups_at_once_equals_them_given_one_by_one() {
    let groups: Vec<GroupId> = scrambled(LINKS).into_iter().map(GroupId::new).collect();
    let at_once = NewUser::new("kim")
        .group(groups[5])
        .groups(groups.iter().copied());
    let one_by_one = groups
        .iter()
        .fold(NewUser::new("kim").group(groups[5]), |user, &group| {
            user.group(group)
        });
    assert_eq!(at_once, one_by_one);
    let Change::CreateUser { groups: given, .. } = Change::<callgate::Permissions>::from(at_once)
    else {
        unreachable!("a new user converts into CreateUser");
    };
    assert_eq!(given.len(), LINKS as usize);
}

#[test]
fn an_object_created_in_20k_projects_at_once_is_in_each_and_leaves_all_when_deleted() -> TestResult
{
    let mut company = groups_and_projects(LINKS)?;
    let order = scrambled(LINKS);
    let projects: Vec<ProjectId> = order.iter().map(|&i| ProjectId::new(i)).collect();
    let queue = create_queue(&mut company, &projects)?;
    let given: Vec<ProjectId> = first_each(&order).into_iter().map(ProjectId::new).collect();
    let object = company.object(queue).ok_or("no object")?;
    assert_eq!(object.projects().collect::<Vec<_>>(), given);
    assert!(
        company
            .projects()
            .all(|(_, project)| project.objects().eq([queue]))
    );
    company.apply(Change::DeleteObject { object: queue })?;
    assert!(
        company
            .projects()
            .all(|(_, project)| project.objects().count() == 0)
    );
    Ok(())
}
