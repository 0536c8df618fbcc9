//! The two phases of the write path: `plan` validates a change and works
//! out its report without changing anything; `commit` carries the plan out,
//! and is refused (changing nothing) only when the company has moved since
//! the plan or did not make it. Between the two the host stores the plan's
//! log entry (change, revision, actor, context), which replicas replay with
//! `catch_up`.
//!
//! "Nothing changed" is checked on the revision, the stored document (as
//! JSON) and the whole company (`format!("{:?}")`, compiled snapshot
//! included).

mod common;

use callgate::{
    Actor, Change, ChangeReport, Company, CompanyId, Created, DenyReason, Error, GroupId, LogEntry,
    ObjectId, ObjectKind, Permissions, Principal, ProjectId, Resource, RoleId, SecurityMode,
    UserId,
};
use common::{TestResult, add_object, add_user};

/// Everything observable about a company: its revision, its stored document
/// as JSON and its `Debug` output.
fn state(company: &Company) -> (u64, String, String) {
    let document = serde_json::to_string(&company.to_document()).expect("a document serializes");
    (company.revision(), document, format!("{company:?}"))
}

/// A call center: ann (Admin, the first user); sam (Supervisor) and bob
/// (Agent) in project Acme; gus in group "Night shift", which is in Acme too;
/// "Escalations" puts its users offline and is held by bob directly and by
/// the night shift. Acme holds a queue; a schedule is in no project; Globex
/// is empty. In enhanced mode (switched on before anyone but ann exists)
/// ann is the only member of `Default`, which holds nothing.
struct Fixture {
    company: Company,
    ann: UserId,
    sam: UserId,
    bob: UserId,
    gus: UserId,
    night: GroupId,
    agent: RoleId,
    escalations: RoleId,
    acme: ProjectId,
    globex: ProjectId,
    acme_queue: ObjectId,
    loose: ObjectId,
}

fn fixture(mode: SecurityMode) -> Result<Fixture, Error> {
    let mut company = Company::new();
    let ann = company.create_user("ann")?;
    if mode == SecurityMode::Enhanced {
        company.apply(Change::SetSecurityMode { mode })?;
    }
    let agent = company.create_role(
        "Agent",
        "Answers calls",
        Permissions::QUEUES_VIEW | Permissions::PROJECTS_VIEW | Permissions::WORKPLACE,
    )?;
    let acme = company.create_project("Acme", "Client Acme")?;
    let globex = company.create_project("Globex", "Client Globex")?;
    let acme_queue = add_object(&mut company, ObjectKind::Queue, "Acme inbound", &[acme])?;
    let loose = add_object(&mut company, ObjectKind::Schedule, "Nights", &[])?;
    let sam = add_user(&mut company, "sam", &[RoleId::SUPERVISOR], &[acme])?;
    let bob = add_user(&mut company, "bob", &[agent], &[acme])?;
    let gus = company.create_user("gus")?;
    let night = company.create_group("Night shift", &[gus])?;
    let report = company.apply(Change::CreateRole {
        name: "Escalations".into(),
        description: String::new(),
        permissions: Permissions::QA_CHECKS_VIEW,
        principals: vec![bob.into(), night.into()],
        put_users_offline: true,
    })?;
    let Some(Created::Role(escalations)) = report.created else {
        panic!("creating a role reported {:?}", report.created);
    };
    company.apply(Change::AddProjectMembers {
        project: acme,
        principals: vec![night.into()],
        roles: vec![],
    })?;
    Ok(Fixture {
        company,
        ann,
        sam,
        bob,
        gus,
        night,
        agent,
        escalations,
        acme,
        globex,
        acme_queue,
        loose,
    })
}

/// The fixture in both modes.
fn fixtures() -> Result<Vec<Fixture>, Error> {
    Ok(vec![
        fixture(SecurityMode::Simple)?,
        fixture(SecurityMode::Enhanced)?,
    ])
}

/// Every kind of change, each accepted by the fixture in either mode.
fn every_kind_of_change(f: &Fixture) -> Vec<Change> {
    let (bob, gus, sam, night) = (f.bob, f.gus, f.sam, f.night);
    let (agent, escalations) = (f.agent, f.escalations);
    let (acme, globex, queue, loose) = (f.acme, f.globex, f.acme_queue, f.loose);
    vec![
        // Users.
        Change::CreateUser {
            name: "cid".into(),
            roles: vec![RoleId::OPERATOR],
            groups: vec![night],
            projects: vec![acme],
        },
        Change::RenameUser {
            user: bob,
            name: "robert".into(),
        },
        Change::DeleteUser { user: gus },
        // Groups.
        Change::CreateGroup {
            name: "Day shift".into(),
            members: vec![bob, sam],
        },
        Change::RenameGroup {
            group: night,
            name: "Late shift".into(),
        },
        Change::DeleteGroup { group: night },
        Change::AddGroupMembers {
            group: night,
            users: vec![bob],
        },
        Change::RemoveGroupMembers {
            group: night,
            users: vec![gus],
        },
        // Roles.
        Change::CreateRole {
            name: "QA".into(),
            description: "Evaluates calls".into(),
            permissions: Permissions::QA_CHECKS_MANAGE,
            principals: vec![bob.into(), night.into()],
            put_users_offline: true,
        },
        Change::EditRole {
            role: agent,
            name: Some("Senior agent".into()),
            description: Some("Edits queues".into()),
            permissions: Some(Permissions::QUEUES_MANAGE | Permissions::PROJECTS_VIEW),
            put_users_offline: None,
        },
        Change::EditRole {
            role: escalations,
            name: None,
            description: None,
            permissions: Some(Permissions::REPORTS_VIEW),
            put_users_offline: None,
        },
        Change::DeleteRole { role: agent },
        Change::DeleteRole { role: escalations },
        Change::AssignRole {
            role: RoleId::SUPERVISOR,
            principals: vec![night.into()],
        },
        Change::AssignRole {
            role: escalations,
            principals: vec![sam.into()],
        },
        Change::UnassignRole {
            role: agent,
            principals: vec![bob.into()],
        },
        Change::SetSectionAccess {
            role: agent,
            permission: Permissions::QUEUES_MANAGE,
            allowed: true,
        },
        Change::SetSectionAccess {
            role: agent,
            permission: Permissions::QUEUES_VIEW,
            allowed: false,
        },
        // The security mode (one of the two is a no-op in each mode).
        Change::SetSecurityMode {
            mode: SecurityMode::Enhanced,
        },
        Change::SetSecurityMode {
            mode: SecurityMode::Simple,
        },
        // Projects.
        Change::CreateProject {
            name: "Initech".into(),
            description: "Client Initech".into(),
            principals: vec![bob.into(), night.into()],
            objects: vec![queue, loose],
        },
        Change::EditProject {
            project: acme,
            name: Some("Acme Corp".into()),
            description: Some("Client Acme, renamed".into()),
        },
        Change::DeleteProject { project: acme },
        Change::AddProjectMembers {
            project: globex,
            principals: vec![bob.into(), night.into()],
            roles: vec![],
        },
        Change::RemoveProjectMembers {
            project: acme,
            principals: vec![bob.into(), night.into()],
        },
        Change::AddProjectObjects {
            project: globex,
            objects: vec![queue, loose],
        },
        Change::RemoveProjectObjects {
            project: acme,
            objects: vec![queue],
        },
        // Objects.
        Change::CreateObject {
            kind: ObjectKind::Queue,
            name: "Support".into(),
            projects: vec![acme, globex],
        },
        Change::RenameObject {
            object: queue,
            name: "Acme outbound".into(),
        },
        Change::DeleteObject { object: queue },
    ]
}

/// The report `apply` gives on a clone of `company`, and the clone.
fn applied_on_a_clone(company: &Company, change: &Change) -> (ChangeReport, Company) {
    let mut copy = company.clone();
    let report = copy
        .apply(change.clone())
        .unwrap_or_else(|e| panic!("{change:?} was refused: {e}"));
    (report, copy)
}

// ---------------------------------------------------------------------------
// Planning reads only
// ---------------------------------------------------------------------------

#[test]
fn planning_changes_nothing_for_every_kind_of_change() -> TestResult {
    for f in fixtures()? {
        let mode = f.company.mode();
        for change in every_kind_of_change(&f) {
            let before = state(&f.company);

            let plan = f.company.plan(change.clone())?;

            assert!(
                state(&f.company) == before,
                "{mode:?}: {change:?} changed the company"
            );
            assert_eq!(plan.revision(), f.company.revision(), "{change:?}");
            assert_eq!(plan.report().revision, f.company.revision() + 1);
            assert_eq!(plan.entry().revision, f.company.revision());
            assert_eq!(plan.entry().change, change);
            assert_eq!(plan.entry().actor, None);
            assert!(plan.entry().context.is_empty());
        }
    }
    Ok(())
}

#[test]
fn a_plan_reports_what_apply_and_preview_report_for_every_kind_of_change() -> TestResult {
    for f in fixtures()? {
        let mode = f.company.mode();
        for change in every_kind_of_change(&f) {
            let plan = f.company.plan(change.clone())?;
            let (applied, _) = applied_on_a_clone(&f.company, &change);

            assert_eq!(plan.report(), &applied, "{mode:?}: {change:?}");
            assert_eq!(f.company.preview(change.clone())?, applied, "{change:?}");
        }
    }
    Ok(())
}

#[test]
fn committing_a_plan_does_what_apply_does_for_every_kind_of_change() -> TestResult {
    for f in fixtures()? {
        let mode = f.company.mode();
        for change in every_kind_of_change(&f) {
            let (applied, expected) = applied_on_a_clone(&f.company, &change);
            let mut company = f.company.clone();
            let plan = company.plan(change.clone())?;

            let committed = company.commit(plan)?;

            assert_eq!(committed, applied, "{mode:?}: {change:?}");
            assert!(
                state(&company) == state(&expected),
                "{mode:?}: {change:?} committed differs from applied"
            );
        }
    }
    Ok(())
}

#[test]
fn a_refused_plan_is_the_error_apply_returns_and_changes_nothing() -> TestResult {
    let f = fixture(SecurityMode::Enhanced)?;
    let refusals = [
        Change::DeleteUser { user: f.ann },
        Change::DeleteRole {
            role: RoleId::ADMIN,
        },
        Change::RenameUser {
            user: f.bob,
            name: "sam".into(),
        },
        Change::AddProjectObjects {
            project: f.acme,
            objects: vec![f.loose, ObjectId::new(99)],
        },
    ];
    for change in refusals {
        let before = state(&f.company);

        let planned = f
            .company
            .plan(change.clone())
            .map(|plan| plan.report().clone());

        assert!(state(&f.company) == before, "{change:?}");
        let applied = f.company.clone().apply(change.clone());
        assert!(applied.is_err(), "{change:?} should be refused");
        assert_eq!(planned, applied, "{change:?}");
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Commit refusals: the company moved, or another company made the plan
// ---------------------------------------------------------------------------

#[test]
fn a_plan_is_refused_once_another_change_was_committed() -> TestResult {
    let mut f = fixture(SecurityMode::Enhanced)?;
    let at = f.company.revision();
    let plan = f.company.plan(Change::RenameUser {
        user: f.bob,
        name: "robert".into(),
    })?;
    f.company.apply(Change::AssignRole {
        role: RoleId::OPERATOR,
        principals: vec![f.gus.into()],
    })?;
    let before = state(&f.company);

    let refused = f.company.commit(plan);

    assert_eq!(
        refused,
        Err(Error::RevisionMismatch {
            expected: at,
            actual: at + 1
        })
    );
    assert_eq!(
        refused.unwrap_err().to_string(),
        format!(
            "the change expects revision {at}, but the company is at revision {}",
            at + 1
        ),
    );
    assert!(
        state(&f.company) == before,
        "a refused commit changed the company"
    );
    assert_eq!(f.company.user_by_name("bob"), Some(f.bob));
    Ok(())
}

#[test]
fn of_two_plans_made_at_the_same_revision_the_first_commit_wins() -> TestResult {
    let mut f = fixture(SecurityMode::Enhanced)?;
    let at = f.company.revision();
    let create_kim = || Change::CreateUser {
        name: "kim".into(),
        roles: vec![],
        groups: vec![],
        projects: vec![],
    };
    // Each is valid on its own; both would make a second `kim`.
    let first = f.company.plan(create_kim())?;
    let second = f.company.plan(create_kim())?;
    assert_eq!(first.report(), second.report());

    let report = f.company.commit(first)?;
    let after_first = state(&f.company);
    let refused = f.company.commit(second);

    assert_eq!(report.revision, at + 1);
    assert_eq!(
        refused,
        Err(Error::RevisionMismatch {
            expected: at,
            actual: at + 1
        })
    );
    assert!(
        state(&f.company) == after_first,
        "the second commit changed the company"
    );
    assert_eq!(
        f.company
            .users()
            .filter(|(_, user)| user.name() == "kim")
            .count(),
        1
    );
    Ok(())
}

#[test]
fn a_plan_is_refused_by_another_company_built_the_same_way() -> TestResult {
    let f = fixture(SecurityMode::Enhanced)?;
    // The same id, the same state: still another company.
    let mut twin = fixture(SecurityMode::Enhanced)?
        .company
        .with_id(f.company.id());
    // The same records; the chains differ (each history was made under its
    // own id).
    let mut document = twin.to_document();
    assert_ne!(document.chain, f.company.chain());
    document.chain = f.company.chain();
    assert_eq!(document, f.company.to_document());
    let change = Change::AssignRole {
        role: f.agent,
        principals: vec![f.gus.into()],
    };
    let plan = f.company.plan(change)?;
    let before = state(&twin);

    assert_eq!(twin.commit(plan.clone()), Err(Error::ForeignPlan));
    assert!(state(&twin) == before, "a foreign plan changed the company");
    assert_eq!(
        Error::ForeignPlan.to_string(),
        "the plan was made by another company"
    );
    // The company that made it still takes it.
    let mut maker = f.company;
    assert_eq!(maker.commit(plan)?.affected_users, vec![f.gus]);
    Ok(())
}

#[test]
fn a_plan_is_refused_by_a_company_loaded_from_the_makers_document() -> TestResult {
    let f = fixture(SecurityMode::Enhanced)?;
    let json = serde_json::to_string(&f.company.to_document())?;
    let mut loaded = Company::load(&mut serde_json::Deserializer::from_str(&json))?;
    let mut rebuilt = Company::from_document(f.company.to_document())?;
    let plan = f.company.plan(Change::DeleteUser { user: f.gus })?;

    for other in [&mut loaded, &mut rebuilt] {
        let before = state(other);
        assert_eq!(other.commit(plan.clone()), Err(Error::ForeignPlan));
        assert!(state(other) == before, "a foreign plan changed the company");
    }
    Ok(())
}

#[test]
fn a_plan_commits_to_a_clone_at_the_same_revision() -> TestResult {
    let f = fixture(SecurityMode::Enhanced)?;
    let change = Change::AddProjectObjects {
        project: f.acme,
        objects: vec![f.loose],
    };
    let plan = f.company.plan(change.clone())?;
    let (applied, expected) = applied_on_a_clone(&f.company, &change);

    // Any clone at the plan's revision, even the maker's own clone of a
    // clone, takes it; so does the maker.
    let mut clone = f.company.clone().clone();
    assert_eq!(clone.commit(plan.clone())?, applied);
    assert!(state(&clone) == state(&expected));
    let mut maker = f.company;
    assert_eq!(maker.commit(plan.clone())?, applied);
    assert!(state(&maker) == state(&expected));
    // Committed once, the plan is stale for both.
    let at = applied.revision - 1;
    let stale = Err(Error::RevisionMismatch {
        expected: at,
        actual: at + 1,
    });
    assert_eq!(maker.commit(plan.clone()), stale);
    assert_eq!(clone.commit(plan), stale);
    Ok(())
}

/// A clone that went its own way and reached the plan's revision by another
/// change is not the company the plan was made for: the plan's delta was
/// worked out against records the clone does not have.
#[test]

fn a_plan_is_refused_by_a_clone_that_diverged_to_the_same_revision() -> TestResult {
    let f = fixture(SecurityMode::Enhanced)?;
    let mut left = f.company.clone();
    let mut right = f.company.clone();
    left.apply(Change::CreateUser {
        name: "kim".into(),
        roles: vec![],
        groups: vec![],
        projects: vec![],
    })?;
    right.apply(Change::CreateGroup {
        name: "Day shift".into(),
        members: vec![],
    })?;
    assert_eq!(left.revision(), right.revision());
    let kim = left.user_by_name("kim").ok_or("no kim")?;
    let plan = left.plan(Change::AssignRole {
        role: f.agent,
        principals: vec![kim.into()],
    })?;
    let before = state(&right);

    // `right` has no user `kim`: committing must not link a user it lacks.
    let committed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| right.commit(plan)));

    assert!(
        matches!(committed, Ok(Err(_))),
        "a diverged clone accepted (or panicked on) the other fork's plan: {committed:?}"
    );
    assert!(
        state(&right) == before,
        "a refused commit changed the company"
    );
    Ok(())
}

/// The same, when the other fork happens to have a record with the same id:
/// the plan then lands on the wrong record, silently (no panic, no error).
#[test]

fn a_diverged_clone_does_not_commit_the_other_forks_plan_to_another_user() -> TestResult {
    let f = fixture(SecurityMode::Enhanced)?;
    let create = |name: &str| Change::CreateUser {
        name: name.into(),
        roles: vec![],
        groups: vec![],
        projects: vec![],
    };
    let mut left = f.company.clone();
    let mut right = f.company.clone();
    left.apply(create("kim"))?;
    right.apply(create("lee"))?;
    let kim = left.user_by_name("kim").ok_or("no kim")?;
    let lee = right.user_by_name("lee").ok_or("no lee")?;
    assert_eq!(kim, lee, "both forks gave out the same id");
    // On `left`, Admin for kim.
    let plan = left.plan(Change::AssignRole {
        role: RoleId::ADMIN,
        principals: vec![kim.into()],
    })?;
    let before = state(&right);

    let committed = right.commit(plan);

    assert!(
        committed.is_err(),
        "`right` gave Admin to lee on a plan made for kim: {committed:?}"
    );
    assert!(
        state(&right) == before,
        "a refused commit changed the company"
    );
    Ok(())
}

// ---------------------------------------------------------------------------
// The log entry: actor and context
// ---------------------------------------------------------------------------

#[test]
fn plan_as_names_the_actor_and_plan_names_none() -> TestResult {
    let f = fixture(SecurityMode::Enhanced)?;
    let change = Change::AssignRole {
        role: RoleId::OPERATOR,
        principals: vec![f.gus.into()],
    };
    for actor in [f.ann, f.sam] {
        let session = f.company.login(actor)?;
        let before = state(&f.company);

        let plan = f.company.plan_as(&session, change.clone())?;

        assert!(state(&f.company) == before);
        let entry = plan.entry();
        assert_eq!(entry.actor, Some(Actor::of(&session)));
        let named = entry.actor.ok_or("no actor")?;
        assert_eq!((named.user, named.testing), (actor, None));
        assert_eq!(entry.change, change);
        assert_eq!(entry.revision, f.company.revision());
        let (applied, _) = applied_on_a_clone(&f.company, &change);
        assert_eq!(plan.report(), &applied);
        assert_eq!(
            f.company.clone().apply_as(&session, change.clone())?,
            applied
        );
        assert_eq!(f.company.preview_as(&session, change.clone())?, applied);
    }
    assert_eq!(f.company.plan(change)?.entry().actor, None);
    Ok(())
}

#[test]
fn plan_as_in_a_testing_session_names_the_role_under_test() -> TestResult {
    let mut f = fixture(SecurityMode::Enhanced)?;
    let staffing = f
        .company
        .create_role("Staffing", "", Permissions::USERS_MANAGE)?;
    let testing = f.company.start_testing(f.company.login(f.ann)?, staffing)?;
    let change = Change::CreateUser {
        name: "kim".into(),
        roles: vec![],
        groups: vec![],
        projects: vec![],
    };

    let plan = f.company.plan_as(&testing, change)?;

    let actor = plan.entry().actor.ok_or("no actor")?;
    assert_eq!((actor.user, actor.testing), (f.ann, Some(staffing)));
    assert_eq!(actor, Actor::of(&testing));
    let report = f.company.commit(plan)?;
    assert!(matches!(report.created, Some(Created::User(_))));
    Ok(())
}

#[test]
fn plan_as_refuses_what_apply_as_refuses_and_changes_nothing() -> TestResult {
    let f = fixture(SecurityMode::Enhanced)?;
    let bob = f.company.login(f.bob)?;
    let sam = f.company.login(f.sam)?;
    let refusals = [
        // Forbidden: an agent manages no roles.
        (
            bob,
            Change::AssignRole {
                role: RoleId::OPERATOR,
                principals: vec![f.gus.into()],
            },
        ),
        // Escalation: a supervisor handing out Admin.
        (
            sam,
            Change::AssignRole {
                role: RoleId::ADMIN,
                principals: vec![f.sam.into()],
            },
        ),
    ];
    for (session, change) in refusals {
        let before = state(&f.company);

        let planned = f.company.plan_as(&session, change.clone());

        assert!(state(&f.company) == before, "{change:?}");
        let planned = planned.map(|plan| plan.report().clone());
        let applied = f.company.clone().apply_as(&session, change.clone());
        assert!(applied.is_err(), "{change:?} should be refused");
        assert_eq!(planned, applied, "{change:?}");
    }
    Ok(())
}

#[test]
fn context_pairs_are_kept_in_the_order_given() -> TestResult {
    let mut f = fixture(SecurityMode::Enhanced)?;
    let change = Change::RenameUser {
        user: f.bob,
        name: "robert".into(),
    };
    let plain = f.company.plan(change.clone())?;

    let plan = f
        .company
        .plan(change)?
        .with_context("requestId", "r-42")
        .with_context("at", "2024-05-01T10:00:00Z")
        .with_context("client", "10.0.0.7");

    let pairs: Vec<(&str, &str)> = plan
        .entry()
        .context
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        pairs,
        [
            ("requestId", "r-42"),
            ("at", "2024-05-01T10:00:00Z"),
            ("client", "10.0.0.7")
        ]
    );
    assert_eq!(plan.entry().actor, None);
    // The context is the host's: it changes neither the report nor the commit.
    assert_eq!(plan.report(), plain.report());
    let report = f.company.commit(plan)?;
    assert_eq!(&report, plain.report());
    Ok(())
}

// ---------------------------------------------------------------------------
// Log entries as JSON
// ---------------------------------------------------------------------------

#[test]
fn a_log_entry_round_trips_through_json_with_actor_and_context() -> TestResult {
    let f = fixture(SecurityMode::Enhanced)?;
    let mut company = f.company;
    let staffing = company.create_role("Staffing", "", Permissions::USERS_MANAGE)?;
    let testing = company.start_testing(company.login(f.sam)?, staffing)?;
    let plan = company
        .plan_as(&testing, Change::DeleteUser { user: f.gus })?
        .with_context("requestId", "r");
    let entry = plan.entry().clone();

    let json = serde_json::to_string(&entry)?;

    assert_eq!(
        json,
        format!(
            r#"{{"revision":{},"company":"{}","previous":"{}","change":{{"op":"delete_user","user":{}}},"actor":{{"user":{},"testing":{}}},"context":{{"requestId":"r"}}}}"#,
            company.revision(),
            company.id(),
            company.chain().ok_or("a chain")?,
            f.gus.get(),
            f.sam.get(),
            staffing.get()
        )
    );
    let back: LogEntry = serde_json::from_str(&json)?;
    assert_eq!(back, entry);
    let actor = back.actor.ok_or("no actor")?;
    assert_eq!((actor.user, actor.testing), (f.sam, Some(staffing)));
    // Without a testing role, `testing` is left out.
    let session = company.login(f.ann)?;
    let entry = company
        .plan_as(&session, Change::DeleteUser { user: f.gus })?
        .entry()
        .clone();
    let json = serde_json::to_value(&entry)?;
    assert_eq!(json["actor"], serde_json::json!({ "user": f.ann.get() }));
    assert_eq!(serde_json::from_value::<LogEntry>(json)?, entry);
    Ok(())
}

#[test]
fn an_entry_without_actor_or_context_leaves_them_out() -> TestResult {
    let json =
        r#"{"revision":0,"company":"0000000000000007","change":{"op":"create_user","name":"ann"}}"#;

    let entry: LogEntry = serde_json::from_str(json)?;

    let create_ann = Change::CreateUser {
        name: "ann".into(),
        roles: vec![],
        groups: vec![],
        projects: vec![],
    };
    assert_eq!(entry, TENANT.entry(0, create_ann.clone()));
    assert_eq!(entry.actor, None);
    assert!(entry.context.is_empty());
    assert_eq!(
        serde_json::to_string(&entry)?,
        r#"{"revision":0,"company":"0000000000000007","change":{"op":"create_user","name":"ann","roles":[],"groups":[],"projects":[]}}"#
    );
    // A plan's entry without actor or context is written the same way, but
    // for the digest of the entry before it: the genesis, for the first.
    let plan = new_replica().plan(create_ann)?;
    let previous = Some(callgate::EntryDigest::GENESIS);
    assert_eq!(plan.entry(), &entry.clone().with_previous(previous));
    assert_eq!(
        serde_json::to_string(plan.entry())?,
        format!(
            r#"{{"revision":0,"company":"0000000000000007","previous":"{}","change":{{"op":"create_user","name":"ann","roles":[],"groups":[],"projects":[]}}}}"#,
            "0".repeat(64)
        )
    );
    // And the entry replays on the company it names.
    let mut company = new_replica();
    assert_eq!(company.catch_up([entry])?, 1);
    assert!(company.user_by_name("ann").is_some());
    Ok(())
}

/// An entry written by 0.1 names no company, so no company can tell it is
/// its own: it is refused, naming the field.
#[test]
fn an_entry_of_0_1_without_a_company_is_refused() {
    let json = r#"{"revision":0,"change":{"op":"create_user","name":"ann"}}"#;
    let error = serde_json::from_str::<LogEntry>(json).unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("log entry at revision 0: field `company`: missing"),
        "{error}"
    );
}

#[test]
fn an_entry_with_an_unknown_field_or_a_malformed_actor_or_context_is_refused() {
    let change = r#""company":"0000000000000007","change":{"op":"create_user","name":"ann"}"#;
    let bad = [
        format!(r#"{{"revision":0,{change},"colour":"red"}}"#),
        format!(r#"{{"revision":0,{change},"actor":{{"user":"x"}}}}"#),
        format!(r#"{{"revision":0,{change},"actor":{{"user":3,"role":1}}}}"#),
        format!(r#"{{"revision":0,{change},"actor":{{"testing":1}}}}"#),
        format!(r#"{{"revision":0,{change},"actor":{{"user":3,"testing":"x"}}}}"#),
        format!(r#"{{"revision":0,{change},"actor":3}}"#),
        format!(r#"{{"revision":0,{change},"context":{{"requestId":1}}}}"#),
        format!(r#"{{"revision":0,{change},"context":["requestId","r"]}}"#),
        format!(r#"{{"revision":-1,{change}}}"#),
        format!(r#"{{{change}}}"#),
        r#"{"revision":0}"#.to_owned(),
        r#"{"revision":0,"change":{"op":"create_user","name":"ann","colour":"red"}}"#.to_owned(),
    ];
    for json in bad {
        let parsed = serde_json::from_str::<LogEntry>(&json);
        assert!(parsed.is_err(), "{json} was accepted: {parsed:?}");
    }
    // The same entry with a well-formed actor and context is fine.
    let good = format!(
        r#"{{"revision":0,{change},"actor":{{"user":3,"testing":1}},"context":{{"requestId":"r"}}}}"#
    );
    let entry: LogEntry = serde_json::from_str(&good).expect("a good entry decodes");
    let actor = entry.actor.expect("an actor");
    assert_eq!(
        (actor.user, actor.testing),
        (UserId::new(3), Some(RoleId::new(1)))
    );
}

#[test]
fn a_stored_entry_that_does_not_decode_names_its_revision_and_field() {
    let change = r#""change":{"op":"create_user","name":"ann"}"#;
    let cases = [
        (
            format!(r#"{{"revision":12,{change},"actor":{{"user":"x"}}}}"#),
            "log entry at revision 12: field `actor`: ",
        ),
        (
            format!(r#"{{"revision":12,{change},"context":{{"requestId":1}}}}"#),
            "log entry at revision 12: field `context`: ",
        ),
        (
            r#"{"revision":12,"change":{"op":"fly"}}"#.to_owned(),
            "log entry at revision 12: field `change`: unknown variant `fly`",
        ),
        (
            format!(r#"{{"revision":12,{change},"colour":"red"}}"#),
            "log entry at revision 12: unknown field `colour`",
        ),
        (
            r#"{"revision":12,"company":"0000000000000007"}"#.to_owned(),
            "log entry at revision 12: field `change`: missing",
        ),
        (
            r#"{"revision":12,"company":7}"#.to_owned(),
            "log entry at revision 12: field `company`: invalid type: integer `7`",
        ),
        (
            r#"{"revision":12,"company":"7"}"#.to_owned(),
            "log entry at revision 12: field `company`: `7` is not a company id",
        ),
        (
            format!(r#"{{"revision":12,{change},{change}}}"#),
            "log entry at revision 12: field `change`: given twice",
        ),
    ];
    let before_revision = [
        (
            r#"{"revision":12,"revision":13,"change":{"op":"delete_user","user":1}}"#.to_owned(),
            "duplicate field `revision`",
        ),
        (
            "3".to_owned(),
            "invalid type: integer `3`, expected a change-log entry",
        ),
    ];
    for (json, expected) in cases.into_iter().chain(before_revision) {
        let error = serde_json::from_str::<LogEntry>(&json).expect_err(&json);
        assert!(
            error.to_string().starts_with(expected),
            "{json}: {error} does not start with {expected}"
        );
    }
}

// ---------------------------------------------------------------------------
// Replicas: catch_up
// ---------------------------------------------------------------------------

/// The id the writer and its replicas share.
const TENANT: CompanyId = CompanyId::new(7);

/// A new replica of the writer's company: the same id, nothing else.
fn new_replica() -> Company {
    Company::new().with_id(TENANT)
}

/// A writer that logs every change before committing it, as a host does:
/// some made by the host, some through sessions, each with a request id.
fn writer() -> Result<(Company, Vec<LogEntry>), Box<dyn std::error::Error>> {
    let mut company = new_replica();
    let mut log = Vec::new();
    let mut write = |company: &mut Company, plan: callgate::Plan| -> Result<ChangeReport, Error> {
        let plan = plan.with_context("requestId", format!("r-{}", log.len()));
        log.push(plan.entry().clone());
        company.commit(plan)
    };
    let plan = company.plan(Change::CreateUser {
        name: "ann".into(),
        roles: vec![],
        groups: vec![],
        projects: vec![],
    })?;
    write(&mut company, plan)?;
    let ann = company.user_by_name("ann").ok_or("no ann")?;
    let session = company.login(ann)?;
    let plan = company.plan_as(
        &session,
        Change::SetSecurityMode {
            mode: SecurityMode::Enhanced,
        },
    )?;
    write(&mut company, plan)?;
    let plan = company.plan_as(
        &session,
        Change::CreateRole {
            name: "Agent".into(),
            description: String::new(),
            permissions: Permissions::QUEUES_VIEW | Permissions::PROJECTS_VIEW,
            principals: vec![],
            put_users_offline: true,
        },
    )?;
    let Some(Created::Role(agent)) = write(&mut company, plan)?.created else {
        return Err("no role".into());
    };
    let plan = company.plan_as(
        &session,
        Change::CreateProject {
            name: "Acme".into(),
            description: String::new(),
            principals: vec![ann.into()],
            objects: vec![],
        },
    )?;
    let Some(Created::Project(acme)) = write(&mut company, plan)?.created else {
        return Err("no project".into());
    };
    let plan = company.plan(Change::CreateUser {
        name: "bob".into(),
        roles: vec![agent],
        groups: vec![],
        projects: vec![acme],
    })?;
    write(&mut company, plan)?;
    let testing = company.start_testing(session, RoleId::SUPERVISOR)?;
    let plan = company.plan_as(
        &testing,
        Change::CreateObject {
            kind: ObjectKind::Queue,
            name: "Acme inbound".into(),
            projects: vec![acme],
        },
    )?;
    write(&mut company, plan)?;
    let plan = company.plan(Change::EditRole {
        role: agent,
        name: Some("Senior agent".into()),
        description: None,
        permissions: None,
        put_users_offline: None,
    })?;
    write(&mut company, plan)?;
    Ok((company, log))
}

#[test]
fn a_replica_catches_up_from_owned_entries() -> TestResult {
    let (writer, log) = writer()?;
    let mut replica = new_replica();

    let applied = replica.catch_up(log.clone())?;

    assert_eq!(applied, log.len());
    assert_eq!(replica.revision(), writer.revision());
    assert_eq!(replica.to_document(), writer.to_document());
    assert!(state(&replica) == state(&writer));
    Ok(())
}

#[test]
fn a_replica_catches_up_from_borrowed_entries() -> TestResult {
    let (writer, log) = writer()?;
    let mut by_vec = new_replica();
    let mut by_iter = new_replica();
    let mut by_slice = new_replica();

    assert_eq!(by_vec.catch_up(&log)?, log.len());
    assert_eq!(by_iter.catch_up(log.iter())?, log.len());
    assert_eq!(by_slice.catch_up(log.as_slice())?, log.len());

    for replica in [&by_vec, &by_iter, &by_slice] {
        assert!(state(replica) == state(&writer));
    }
    Ok(())
}

#[test]
fn catch_up_skips_the_entries_already_applied() -> TestResult {
    let (writer, log) = writer()?;
    let mut replica = new_replica();

    assert_eq!(replica.catch_up(log.iter().take(3))?, 3);
    assert_eq!(replica.revision(), 3);
    assert_eq!(replica.catch_up(&log)?, log.len() - 3);
    let caught_up = state(&replica);
    assert_eq!(replica.catch_up(&log)?, 0);
    assert_eq!(replica.catch_up(log.clone())?, 0);

    assert!(state(&replica) == caught_up);
    assert!(caught_up == state(&writer));
    Ok(())
}

#[test]
fn catch_up_refuses_a_gap_in_the_log() -> TestResult {
    let (_, log) = writer()?;
    let mut replica = new_replica();
    let before = state(&replica);

    // The log starts past the replica's revision: nothing is applied.
    let refused = replica.catch_up(&log[2..]);

    assert_eq!(
        refused,
        Err(Error::RevisionMismatch {
            expected: 2,
            actual: 0
        })
    );
    assert!(state(&replica) == before);

    // An entry missing in the middle: what comes before it is applied.
    let holed = log[..2].iter().chain(&log[3..]);
    let refused = replica.catch_up(holed);

    assert_eq!(
        refused,
        Err(Error::RevisionMismatch {
            expected: 3,
            actual: 2
        })
    );
    assert_eq!(replica.revision(), 2);
    let mut expected = new_replica();
    expected.catch_up(&log[..2])?;
    assert!(state(&replica) == state(&expected));
    // The rest of the log then fills the hole.
    assert_eq!(replica.catch_up(&log)?, log.len() - 2);
    Ok(())
}

#[test]
fn catch_up_stops_at_a_refused_entry_with_its_error() -> TestResult {
    let (_, log) = writer()?;
    let mut replica = new_replica();
    let mut bad = log[..2].to_vec();
    bad.push(TENANT.entry(
        2,
        Change::DeleteUser {
            user: UserId::new(42),
        },
    ));
    bad.extend(log[3..].iter().cloned());

    let refused = replica.catch_up(bad);

    assert!(
        matches!(refused, Err(Error::UnknownId { .. })),
        "{refused:?}"
    );
    assert_eq!(replica.revision(), 2);
    Ok(())
}

#[test]
fn a_shipped_log_keeps_its_actors_and_context_and_a_replica_reaches_the_writer() -> TestResult {
    let (writer, log) = writer()?;
    let lines: Vec<String> = log
        .iter()
        .map(serde_json::to_string)
        .collect::<Result<_, _>>()?;

    let shipped: Vec<LogEntry> = lines
        .iter()
        .map(|line| serde_json::from_str(line))
        .collect::<Result<_, _>>()?;

    assert_eq!(shipped, log);
    let actors: Vec<Option<(UserId, Option<RoleId>)>> = shipped
        .iter()
        .map(|e| e.actor.map(|a| (a.user, a.testing)))
        .collect();
    let ann = UserId::new(0);
    assert_eq!(
        actors,
        [
            None,
            Some((ann, None)),
            Some((ann, None)),
            Some((ann, None)),
            None,
            Some((ann, Some(RoleId::SUPERVISOR))),
            None
        ]
    );
    for (i, entry) in shipped.iter().enumerate() {
        assert_eq!(entry.context["requestId"], format!("r-{i}"));
        assert_eq!(entry.revision, i as u64);
    }
    let mut replica = new_replica();
    assert_eq!(replica.catch_up(&shipped)?, shipped.len());
    assert!(state(&replica) == state(&writer));
    // The replica's log is the writer's: replaying changed none of it.
    assert_eq!(shipped, log);
    Ok(())
}

#[test]
fn catch_up_does_not_check_the_actors_rights_again() -> TestResult {
    let (writer, log) = writer()?;
    let bob = writer.user_by_name("bob").ok_or("no bob")?;
    let session = writer.login(bob)?;
    let change = Change::AssignRole {
        role: RoleId::ADMIN,
        principals: vec![bob.into()],
    };
    // Through a session bob may not make it...
    assert!(matches!(
        writer.preview_as(&session, change.clone()),
        Err(Error::Forbidden { .. })
    ));
    // ...but an entry in the log naming him was accepted when it was
    // written, and is replayed as it is.
    let mut log = log;
    log.push(
        writer
            .id()
            .entry(writer.revision(), change)
            .with_actor(Actor::of(&session))
            .with_context("requestId", "r-admin"),
    );
    let mut replica = new_replica();

    assert_eq!(replica.catch_up(&log)?, log.len());

    assert!(
        replica
            .check(bob, Permissions::SECURITY_MANAGE, Resource::Company)
            .is_allowed()
    );
    Ok(())
}

// ---------------------------------------------------------------------------
// Reports of tricky plans
// ---------------------------------------------------------------------------

/// Plans `change`, checks that planning changed nothing and that the plan's
/// report is what `apply` gives on a clone and what `preview` gives, then
/// commits it; returns the report.
#[track_caller]
fn plan_and_commit(company: &mut Company, change: Change) -> ChangeReport {
    let before = state(company);
    let plan = company
        .plan(change.clone())
        .unwrap_or_else(|e| panic!("{change:?} was refused: {e}"));
    assert!(
        state(company) == before,
        "planning {change:?} changed the company"
    );
    let (applied, expected) = applied_on_a_clone(company, &change);
    assert_eq!(plan.report(), &applied, "{change:?}: plan vs apply");
    assert_eq!(
        company.preview(change.clone()).as_ref(),
        Ok(&applied),
        "{change:?}: preview vs apply"
    );
    let report = company
        .commit(plan)
        .unwrap_or_else(|e| panic!("{change:?} was not committed: {e}"));
    assert!(
        state(company) == state(&expected),
        "{change:?}: commit vs apply"
    );
    report
}

fn rename(role: RoleId, name: &str) -> Change {
    Change::EditRole {
        role,
        name: Some(name.into()),
        description: None,
        permissions: None,
        put_users_offline: None,
    }
}

#[test]
fn saving_a_role_that_puts_users_offline_logs_out_its_holders() -> TestResult {
    let f = fixture(SecurityMode::Enhanced)?;
    let (bob, gus, sam) = (f.bob, f.gus, f.sam);

    // Edited: every holder, direct and through a group.
    let mut company = f.company.clone();
    let sessions = [company.login(bob)?, company.login(gus)?];
    let plan = company.plan(rename(f.escalations, "Complaints"))?;
    assert_eq!(plan.report().logged_out_users, vec![bob, gus]);
    assert_eq!(plan.report().affected_users, vec![]);
    // Planning ends no session; committing does.
    let ended = |company: &Company, s| {
        company
            .check_session(s, Permissions::QA_CHECKS_VIEW, Resource::Company)
            .deny_reason()
            == Some(DenyReason::SessionEnded)
    };
    assert!(sessions.iter().all(|s| !ended(&company, s)));
    company.commit(plan)?;
    assert!(sessions.iter().all(|s| ended(&company, s)));

    // Assigned: the holders before and after.
    let mut company = f.company.clone();
    let report = plan_and_commit(
        &mut company,
        Change::AssignRole {
            role: f.escalations,
            principals: vec![sam.into()],
        },
    );
    assert_eq!(report.logged_out_users, vec![sam, bob, gus]);
    // A supervisor already holds qa_checks.view: nothing changes for him.
    assert_eq!(report.affected_users, vec![]);

    // Unassigned: the holders before, the one who loses it included.
    let mut company = f.company.clone();
    let report = plan_and_commit(
        &mut company,
        Change::UnassignRole {
            role: f.escalations,
            principals: vec![bob.into()],
        },
    );
    assert_eq!(report.logged_out_users, vec![bob, gus]);
    assert_eq!(report.affected_users, vec![bob]);

    // Deleted: every holder it had.
    let mut company = f.company.clone();
    let report = plan_and_commit(
        &mut company,
        Change::DeleteRole {
            role: f.escalations,
        },
    );
    assert_eq!(report.logged_out_users, vec![bob, gus]);
    assert_eq!(report.affected_users, vec![bob, gus]);

    // Switched on for a role that did not have it: its holders.
    let mut company = f.company.clone();
    let report = plan_and_commit(
        &mut company,
        Change::EditRole {
            role: f.agent,
            name: None,
            description: None,
            permissions: None,
            put_users_offline: Some(true),
        },
    );
    assert_eq!(report.logged_out_users, vec![bob]);

    // A role without the setting logs no one out.
    let mut company = f.company.clone();
    let report = plan_and_commit(&mut company, rename(f.agent, "Senior agent"));
    assert_eq!(report.logged_out_users, vec![]);
    Ok(())
}

#[test]
fn giving_or_taking_an_offline_role_through_a_group_logs_out_its_members() -> TestResult {
    let mut company = Company::new();
    let _ann = company.create_user("ann")?;
    let kim = company.create_user("kim")?;
    let lee = company.create_user("lee")?;
    let team = company.create_group("Team", &[kim, lee])?;
    let role = company.create_role("Night shift", "", Permissions::QA_CHECKS_VIEW)?;
    company.apply(Change::EditRole {
        role,
        name: None,
        description: None,
        permissions: None,
        put_users_offline: Some(true),
    })?;
    let give = Change::AssignRole {
        role,
        principals: vec![Principal::Group(team)],
    };
    let report = plan_and_commit(&mut company, give);
    assert_eq!(report.logged_out_users, vec![kim, lee]);
    assert_eq!(report.affected_users, vec![kim, lee]);
    let take = Change::UnassignRole {
        role,
        principals: vec![Principal::Group(team)],
    };
    let report = plan_and_commit(&mut company, take);
    assert_eq!(report.logged_out_users, vec![kim, lee]);
    assert_eq!(report.affected_users, vec![kim, lee]);
    Ok(())
}

#[test]
fn deleting_a_user_logs_them_out_and_affects_them() -> TestResult {
    let f = fixture(SecurityMode::Enhanced)?;
    let mut company = f.company.clone();
    let session = company.login(f.bob)?;

    let report = plan_and_commit(&mut company, Change::DeleteUser { user: f.bob });

    assert_eq!(report.logged_out_users, vec![f.bob]);
    assert_eq!(report.affected_users, vec![f.bob]);
    assert_eq!(
        company
            .check_session(&session, Permissions::QUEUES_VIEW, Resource::Company)
            .deny_reason(),
        Some(DenyReason::UnknownUser)
    );
    Ok(())
}

#[test]
fn adding_objects_to_a_project_affects_its_members_without_projects_all() -> TestResult {
    let f = fixture(SecurityMode::Enhanced)?;
    let mut company = f.company.clone();
    // ann (Admin) holds projects.all: she sees every object anyway.
    company.apply(Change::AddProjectMembers {
        project: f.acme,
        principals: vec![f.ann.into()],
        roles: vec![],
    })?;

    let report = plan_and_commit(
        &mut company,
        Change::AddProjectObjects {
            project: f.acme,
            objects: vec![f.loose],
        },
    );

    assert_eq!(report.affected_users, vec![f.sam, f.bob, f.gus]);
    assert_eq!(report.logged_out_users, vec![]);

    // Taken out again: the same users.
    let report = plan_and_commit(
        &mut company,
        Change::RemoveProjectObjects {
            project: f.acme,
            objects: vec![f.loose],
        },
    );
    assert_eq!(report.affected_users, vec![f.sam, f.bob, f.gus]);

    // In simple mode projects hide nothing: nobody is affected.
    let mut simple = fixture(SecurityMode::Simple)?.company;
    let report = plan_and_commit(
        &mut simple,
        Change::AddProjectObjects {
            project: f.acme,
            objects: vec![f.loose],
        },
    );
    assert_eq!(report.affected_users, vec![]);
    Ok(())
}

#[test]
fn switching_the_security_mode_affects_every_user() -> TestResult {
    let f = fixture(SecurityMode::Simple)?;
    let everyone = vec![f.ann, f.sam, f.bob, f.gus];
    let mut company = f.company;

    let report = plan_and_commit(
        &mut company,
        Change::SetSecurityMode {
            mode: SecurityMode::Enhanced,
        },
    );
    assert_eq!(report.affected_users, everyone);
    let default = company.default_project().ok_or("no Default")?;
    assert_eq!(report.created, Some(Created::Project(default)));

    let report = plan_and_commit(
        &mut company,
        Change::SetSecurityMode {
            mode: SecurityMode::Simple,
        },
    );
    assert_eq!(report.affected_users, everyone);
    assert_eq!(report.created, None);

    let report = plan_and_commit(
        &mut company,
        Change::SetSecurityMode {
            mode: SecurityMode::Enhanced,
        },
    );
    assert_eq!(report.affected_users, everyone);
    assert_eq!(report.created, None);

    // Switching to the mode it is in changes nothing.
    let report = plan_and_commit(
        &mut company,
        Change::SetSecurityMode {
            mode: SecurityMode::Enhanced,
        },
    );
    assert_eq!(report.affected_users, vec![]);
    Ok(())
}

#[test]
fn a_change_with_repeated_items_in_its_lists_is_planned_as_if_each_came_once() -> TestResult {
    for f in fixtures()? {
        let mut company = f.company.clone();

        let report = plan_and_commit(
            &mut company,
            Change::CreateUser {
                name: "kim".into(),
                roles: vec![f.agent, f.agent, RoleId::OPERATOR, f.agent],
                groups: vec![f.night, f.night],
                projects: vec![f.acme, f.acme, f.globex, f.acme],
            },
        );

        let Some(Created::User(kim)) = report.created else {
            panic!("creating kim reported {:?}", report.created);
        };
        assert_eq!(report.affected_users, vec![kim]);
        assert_eq!(report.logged_out_users, vec![]);
        let record = company.user(kim).ok_or("no kim")?;
        assert_eq!(record.roles().count(), 2);
        assert_eq!(record.groups().count(), 1);
        assert_eq!(record.projects().count(), 2);

        let report = plan_and_commit(
            &mut company,
            Change::AssignRole {
                role: RoleId::SUPERVISOR,
                principals: vec![kim.into(), f.night.into(), kim.into(), f.night.into()],
            },
        );
        assert_eq!(report.affected_users, vec![f.gus, kim]);
        let report = plan_and_commit(
            &mut company,
            Change::RemoveProjectMembers {
                project: f.acme,
                principals: vec![kim.into(), kim.into(), f.night.into(), f.night.into()],
            },
        );
        assert_eq!(report.affected_users, vec![f.gus, kim]);
    }
    Ok(())
}

#[test]
fn adding_what_is_already_there_affects_no_one_but_advances_the_revision() -> TestResult {
    let f = fixture(SecurityMode::Enhanced)?;
    let no_ops = [
        Change::AddProjectMembers {
            project: f.acme,
            principals: vec![f.bob.into(), f.night.into()],
            roles: vec![],
        },
        Change::AddGroupMembers {
            group: f.night,
            users: vec![f.gus],
        },
        Change::AssignRole {
            role: f.agent,
            principals: vec![f.bob.into()],
        },
        Change::AddProjectObjects {
            project: f.acme,
            objects: vec![f.acme_queue],
        },
        Change::RemoveProjectMembers {
            project: f.globex,
            principals: vec![f.bob.into()],
        },
    ];
    for change in no_ops {
        let mut company = f.company.clone();
        let at = company.revision();
        let document = company.to_document();

        let report = plan_and_commit(&mut company, change.clone());

        assert_eq!(report.revision, at + 1, "{change:?}");
        assert_eq!(report.created, None, "{change:?}");
        assert!(
            report.affected_users.is_empty(),
            "{change:?}: {:?}",
            report.affected_users
        );
        assert!(
            report.logged_out_users.is_empty(),
            "{change:?}: {:?}",
            report.logged_out_users
        );
        assert_eq!(company.revision(), at + 1);
        let mut moved = document;
        moved.revision = at + 1;
        moved.chain = company.chain();
        assert_eq!(company.to_document(), moved, "{change:?} changed a record");
    }
    Ok(())
}

/// More than a handful of links in one change (here 40 users): the plan's
/// report still equals what the commit does.
#[test]
fn plans_of_large_changes_report_what_apply_does() -> TestResult {
    let mut company = Company::new();
    let ann = company.create_user("ann")?;
    let team: Vec<UserId> = (0..40)
        .map(|i| company.create_user(format!("agent {i}")))
        .collect::<Result<_, _>>()?;
    let group = company.create_group("Everyone", &team)?;
    let report = plan_and_commit(
        &mut company,
        Change::CreateRole {
            name: "Agent".into(),
            description: String::new(),
            permissions: Permissions::QUEUES_VIEW | Permissions::PROJECTS_VIEW,
            principals: team.iter().map(|&u| Principal::from(u)).collect(),
            put_users_offline: true,
        },
    );
    let Some(Created::Role(agent)) = report.created else {
        panic!("{report:?}");
    };
    assert_eq!(report.affected_users, team);
    // Creating a role is not a later save of it: no one is logged out.
    assert_eq!(report.logged_out_users, vec![]);
    let report = plan_and_commit(
        &mut company,
        Change::SetSecurityMode {
            mode: SecurityMode::Enhanced,
        },
    );
    assert_eq!(report.affected_users.len(), 41);
    let report = plan_and_commit(
        &mut company,
        Change::CreateProject {
            name: "Acme".into(),
            description: String::new(),
            principals: team
                .iter()
                .step_by(2)
                .map(|&u| Principal::from(u))
                .chain([Principal::from(group)])
                .collect(),
            objects: vec![],
        },
    );
    let Some(Created::Project(acme)) = report.created else {
        panic!("{report:?}");
    };
    assert_eq!(report.affected_users, team);
    let queues: Vec<ObjectId> = (0..20)
        .map(|i| add_object(&mut company, ObjectKind::Queue, &format!("q{i}"), &[]))
        .collect::<Result<_, _>>()?;
    let report = plan_and_commit(
        &mut company,
        Change::AddProjectObjects {
            project: acme,
            objects: queues.clone(),
        },
    );
    assert_eq!(report.affected_users, team);
    for change in [
        Change::UnassignRole {
            role: agent,
            principals: team.iter().take(30).map(|&u| Principal::from(u)).collect(),
        },
        Change::AssignRole {
            role: agent,
            principals: vec![group.into()],
        },
        Change::RemoveGroupMembers {
            group,
            users: team[10..].to_vec(),
        },
        Change::DeleteRole { role: agent },
        Change::DeleteGroup { group },
        Change::DeleteProject { project: acme },
        Change::SetSecurityMode {
            mode: SecurityMode::Simple,
        },
    ] {
        plan_and_commit(&mut company, change);
    }
    assert!(company.user(ann).is_some());
    Ok(())
}
