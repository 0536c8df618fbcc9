//! The edges of the compiled state ([`Snapshot`]) that the rule tests do not
//! reach (issue 14: mutation testing of `src/policy.rs`):
//!
//! * `Snapshot::memory_bytes` counts every table it holds: an empty
//!   snapshot holds only itself, and each kind of record (users, objects,
//!   projects, roles, objects in projects, long project lists) adds to the
//!   count and never takes from it;
//! * two snapshots are equal exactly when they answer alike: a clone is
//!   equal, and a snapshot at another revision, or whose users hold other
//!   permissions or roles within projects, or whose object is of another
//!   kind, is not;
//! * in enhanced security, an actor reaches an object only through a
//!   project that holds it, whichever project they are in;
//! * a session of a deleted user names the unknown user, whatever
//!   revision it claims to have logged in at and whatever role it tests;
//! * a deny reason is shown as its description.

use std::mem::size_of;
use std::ops::Range;

use callgate::{
    Change, Company, Created, Decision, DenyReason, EntityKind, Error, ObjectId, ObjectKind,
    Permissions, ProjectId, Resource, RoleId, SecurityMode, Snapshot, UserId,
};

/// What every test returns, so that setup steps can use `?`.
type TestResult = Result<(), Box<dyn std::error::Error>>;

// ---- Memory ------------------------------------------------------------------

/// The memory a company's snapshot holds.
fn memory(company: &Company) -> usize {
    company.snapshot().memory_bytes()
}

/// Makes `steps` changes with `step`, asserting that none of them shrinks
/// the memory the snapshot holds and that in all it grew by an amount in
/// `expected` (a sum of the tables' sizes: neither nothing nor a product).
#[track_caller]
fn growth(
    company: &mut Company,
    what: &str,
    steps: usize,
    expected: Range<usize>,
    mut step: impl FnMut(&mut Company, usize) -> Result<(), Error>,
) -> Result<(), Error> {
    let start = memory(company);
    let mut before = start;
    for i in 0..steps {
        step(company, i)?;
        let after = memory(company);
        assert!(
            after >= before,
            "{what} #{i}: memory went from {before} to {after} bytes"
        );
        before = after;
    }
    let grew = before - start;
    assert!(
        expected.contains(&grew),
        "{steps} x {what} took {grew} bytes, not within {expected:?}"
    );
    Ok(())
}

/// Registers an object of `kind`, in no project.
fn object(company: &mut Company, kind: ObjectKind, name: String) -> Result<ObjectId, Error> {
    object_in(company, kind, name, &[])
}

/// Registers an object of `kind`, held by `projects`.
fn object_in(
    company: &mut Company,
    kind: ObjectKind,
    name: String,
    projects: &[ProjectId],
) -> Result<ObjectId, Error> {
    let report = company.apply(Change::CreateObject {
        kind,
        name,
        projects: projects.to_vec(),
    })?;
    match report.created {
        Some(Created::Object(object)) => Ok(object),
        other => panic!("creating an object created {other:?}"),
    }
}

#[test]
fn an_empty_snapshot_holds_only_itself() {
    let empty = Snapshot::<Permissions>::default();
    assert_eq!(empty.memory_bytes(), size_of::<Snapshot>());
    // A new company holds its three built-in roles.
    assert!(memory(&Company::new()) > size_of::<Snapshot>());
}

/// A kibibyte: a few records take far less.
const KIB: usize = 1024;

#[test]
fn every_kind_of_record_adds_to_the_memory_held() -> TestResult {
    let mut company = Company::new();
    let ann = company.create_user("ann")?;
    growth(&mut company, "user", 8, 1..2 * KIB, |c, i| {
        c.create_user(format!("user {i}")).map(drop)
    })?;
    growth(&mut company, "object", 8, 1..2 * KIB, |c, i| {
        object(c, ObjectKind::Queue, format!("queue {i}")).map(drop)
    })?;
    growth(&mut company, "role", 8, 1..2 * KIB, |c, i| {
        let permissions = Permissions::REPORTS_VIEW;
        c.create_role(format!("role {i}"), "", permissions)
            .map(drop)
    })?;
    // A project has a list of objects for each kind.
    let mut projects: Vec<ProjectId> = Vec::new();
    growth(&mut company, "project", 8, 1..8 * KIB, |c, i| {
        projects.push(c.create_project(format!("project {i}"), "")?);
        Ok(())
    })?;
    // The lists are counted by capacity: at least the objects they hold.
    let lists: Vec<ObjectId> = (0..8)
        .map(|i| object(&mut company, ObjectKind::List, format!("list {i}")))
        .collect::<Result<_, _>>()?;
    let first = projects[0];
    let ids = lists.len() * size_of::<ObjectId>();
    growth(&mut company, "objects in a project", 1, ids..KIB, |c, _| {
        let objects = lists.clone();
        let change = Change::AddProjectObjects {
            project: first,
            objects,
        };
        c.apply(change).map(drop)
    })?;
    // A user in more projects than fit inline: the spill table.
    growth(
        &mut company,
        "membership",
        projects.len(),
        1..2 * KIB,
        |c, i| {
            c.apply(Change::AddProjectMembers {
                project: projects[i],
                principals: vec![ann.into()],
                roles: vec![],
            })
            .map(drop)
        },
    )?;
    Ok(())
}

// ---- Equality ----------------------------------------------------------------

/// A company with something in every table, and two users alike: bob and
/// carl, members of project `Clients` (which holds queue `Sales`), with no
/// role. ann (Admin) is in more projects than fit inline; role `Reporter`
/// is held by nobody.
struct Populated {
    company: Company,
    bob: UserId,
    carl: UserId,
    clients: ProjectId,
    reporter: RoleId,
}

fn populated() -> Result<Populated, Error> {
    let mut company = Company::new();
    let ann = company.create_user("ann")?;
    let bob = company.create_user("bob")?;
    let carl = company.create_user("carl")?;
    let reporter = company.create_role("Reporter", "", Permissions::REPORTS_VIEW)?;
    let mut projects = Vec::new();
    for name in ["Clients", "North", "South", "East", "West"] {
        projects.push(company.create_project(name, "")?);
    }
    let clients = projects[0];
    let sales = object(&mut company, ObjectKind::Queue, "Sales".into())?;
    company.apply(Change::AddProjectObjects {
        project: clients,
        objects: vec![sales],
    })?;
    company.apply(Change::AddProjectMembers {
        project: clients,
        principals: vec![bob.into(), carl.into()],
        roles: vec![],
    })?;
    for &project in &projects {
        company.apply(Change::AddProjectMembers {
            project,
            principals: vec![ann.into()],
            roles: vec![],
        })?;
    }
    Ok(Populated {
        company,
        bob,
        carl,
        clients,
        reporter,
    })
}

#[test]
fn a_snapshot_equals_its_clone_and_a_clone_of_its_company() -> TestResult {
    let p = populated()?;
    let snapshot = p.company.snapshot().clone();
    assert!(snapshot == *p.company.snapshot());
    assert!(*p.company.clone().snapshot() == snapshot);
    Ok(())
}

#[test]
fn a_snapshot_differs_from_one_taken_at_another_revision() -> TestResult {
    let mut p = populated()?;
    let before = p.company.snapshot().clone();
    // A name is not in the snapshot: only the revision moves.
    p.company.apply(Change::RenameUser {
        user: p.bob,
        name: "robert".into(),
    })?;
    assert_eq!(p.company.snapshot().revision(), before.revision() + 1);
    assert!(*p.company.snapshot() != before);
    Ok(())
}

#[test]
fn snapshots_differ_in_who_holds_a_role() -> TestResult {
    let p = populated()?;
    let assign = |user: UserId| -> Result<Company, Error> {
        let mut company = p.company.clone();
        company.apply(Change::AssignRole {
            role: p.reporter,
            principals: vec![user.into()],
        })?;
        Ok(company)
    };
    let (to_bob, to_carl) = (assign(p.bob)?, assign(p.carl)?);
    assert!(*to_bob.snapshot() == *assign(p.bob)?.snapshot());
    assert!(*to_bob.snapshot() != *to_carl.snapshot());
    // Given within a project, not company-wide: the same.
    let within = |user: UserId| -> Result<Company, Error> {
        let mut company = p.company.clone();
        company.apply(Change::AssignProjectRole {
            project: p.clients,
            role: p.reporter,
            principals: vec![user.into()],
        })?;
        Ok(company)
    };
    let (to_bob, to_carl) = (within(p.bob)?, within(p.carl)?);
    assert!(*to_bob.snapshot() == *within(p.bob)?.snapshot());
    assert!(*to_bob.snapshot() != *to_carl.snapshot());
    Ok(())
}

#[test]
fn snapshots_differ_in_the_kind_of_an_object() -> TestResult {
    let p = populated()?;
    let register = |kind: ObjectKind| -> Result<Company, Error> {
        let mut company = p.company.clone();
        object(&mut company, kind, "Night shift".into())?;
        Ok(company)
    };
    let queue = register(ObjectKind::Queue)?;
    assert!(*queue.snapshot() == *register(ObjectKind::Queue)?.snapshot());
    assert!(*queue.snapshot() != *register(ObjectKind::Schedule)?.snapshot());
    Ok(())
}

// ---- Objects reached through projects -----------------------------------------

#[test]
fn an_actor_reaches_an_object_only_through_a_project_that_holds_it() -> TestResult {
    let mut company = Company::new();
    company.create_user("ann")?;
    company.apply(Change::SetSecurityMode {
        mode: SecurityMode::Enhanced,
    })?;
    let keeper = company.create_role("Queue keeper", "", Permissions::QUEUES_MANAGE)?;
    let acme = company.create_project("Acme", "")?;
    let globex = company.create_project("Globex", "")?;
    let kind = ObjectKind::Queue;
    let acme_queue = object_in(&mut company, kind, "Acme inbound".into(), &[acme])?;
    let globex_queue = object_in(&mut company, kind, "Globex inbound".into(), &[globex])?;
    let loose = object(&mut company, kind, "Unassigned".into())?;
    // Whichever project the actor is in, the others' objects are unknown.
    for (name, project, own, other) in [
        ("alice", acme, acme_queue, globex_queue),
        ("gus", globex, globex_queue, acme_queue),
    ] {
        let report = company.apply(Change::CreateUser {
            name: name.into(),
            roles: vec![keeper],
            groups: vec![],
            projects: vec![project],
        })?;
        let Some(Created::User(user)) = report.created else {
            panic!("creating {name} created {:?}", report.created);
        };
        let session = company.login(user)?;
        for hidden in [other, loose] {
            let rename = Change::RenameObject {
                object: hidden,
                name: format!("{name} was here"),
            };
            assert_eq!(
                company.apply_as(&session, rename).err(),
                Some(Error::UnknownId {
                    kind: EntityKind::Object,
                    id: hidden.get(),
                }),
                "{name} renamed object {hidden}"
            );
            assert_eq!(
                company.check(user, Permissions::QUEUES_VIEW, Resource::Object(hidden)),
                Decision::Deny(DenyReason::HiddenByProjects)
            );
        }
        let rename = Change::RenameObject {
            object: own,
            name: format!("{name}'s queue"),
        };
        company.apply_as(&session, rename)?;
    }
    Ok(())
}

// ---- Sessions of deleted users ---------------------------------------------

/// The check ends a deleted user's session with the test that ends old
/// sessions (an absent entry ends every one), and names the unknown user
/// first. A stored session claiming the last possible login revision
/// passes that test, and is still denied as the unknown user's: by every
/// check, by the permissions it acts with, and through a role under test,
/// whether that role exists or not.
#[cfg(feature = "serde")]
#[test]
fn a_session_of_a_deleted_user_names_the_unknown_user_at_any_login_revision() -> TestResult {
    let mut company = Company::new();
    company.create_user("admin")?;
    let oli = company.create_user("oli")?;
    company.apply(Change::AssignRole {
        role: RoleId::OPERATOR,
        principals: vec![oli.into()],
    })?;
    let before = company.login(oli)?;
    company.apply(Change::DeleteUser { user: oli })?;
    let stored = |revision: u64, testing: Option<RoleId>| {
        let testing = testing.map_or("null".to_string(), |role| role.to_string());
        serde_json::from_str::<callgate::Session>(&format!(
            r#"{{"company":"{}","user":{oli},"loginRevision":{revision},"testing":{testing}}}"#,
            company.id(),
        ))
    };
    let sessions = [
        before,
        stored(u64::MAX, None)?,
        stored(u64::MAX, Some(RoleId::OPERATOR))?,
        stored(u64::MAX, Some(RoleId::new(99)))?,
        stored(0, Some(RoleId::new(99)))?,
    ];
    for session in &sessions {
        for resource in [Resource::Company, Resource::Project(ProjectId::new(0))] {
            let answer = company.check_session(session, Permissions::QUEUES_VIEW, resource);
            assert_eq!(
                answer.decision,
                Decision::Deny(DenyReason::UnknownUser),
                "{session:?} on {resource:?}"
            );
        }
        assert_eq!(
            company.session_permissions(session).err(),
            Some(Error::UnknownId {
                kind: EntityKind::User,
                id: oli.get(),
            }),
            "{session:?}"
        );
    }
    Ok(())
}

// ---- Display -----------------------------------------------------------------

#[test]
fn a_deny_reason_shows_as_its_description() {
    let reasons = [
        (DenyReason::UnknownUser, "unknown user"),
        (DenyReason::UnknownObject, "unknown object"),
        (DenyReason::UnknownProject, "unknown project"),
        (DenyReason::HiddenByProjects, "hidden by projects"),
        (
            DenyReason::NotApplicable,
            "action does not apply to this resource",
        ),
        (DenyReason::MissingPermission, "missing permission"),
        (DenyReason::SessionEnded, "session ended: log in again"),
    ];
    for (reason, text) in reasons {
        assert_eq!(reason.describe(), text);
        assert_eq!(reason.to_string(), text);
        assert_eq!(Decision::Deny(reason).to_string(), format!("deny ({text})"));
    }
    assert_eq!(Decision::Allow.to_string(), "allow");
}
