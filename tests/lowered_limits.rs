//! A quota cut below what a tenant holds (issue 27, "Lowered limits lock a
//! tenant out of its own data"): `set_limits` keeps the records, and the
//! tenant must still restart from its own document or checkpoint, its
//! replicas must still follow its log, and it serves under the quota,
//! refusing new records past it. Loading and replay read within
//! `Limits::loading_bound`, not within the quota.

use callgate::{
    Change, Company, EntityKind, Error, Limits, LogEntry, Permissions, Resource, RoleId, UserId,
};

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// Room for 5 users; the company below gave out 10 before the cut.
fn quota() -> Limits {
    let mut quota = Limits::DEFAULT;
    quota.users = 5;
    quota
}

fn logged(company: &mut Company, log: &mut Vec<LogEntry>, change: Change) -> Result<(), Error> {
    let plan = company.plan(change)?;
    log.push(plan.entry().clone());
    company.commit(plan)?;
    Ok(())
}

fn create_user(name: &str) -> Change {
    Change::CreateUser {
        name: name.into(),
        roles: vec![],
        groups: vec![],
        projects: vec![],
    }
}

/// A company that made 10 users (revisions 1 to 10), had its quota cut to
/// 5, and went on: a rename and an assignment (revisions 11 and 12). The
/// log of every change, in order.
fn cut_company() -> Result<(Company, Vec<LogEntry>), Error> {
    let mut company = Company::new();
    let mut log = Vec::new();
    for i in 0..10 {
        logged(&mut company, &mut log, create_user(&format!("user{i}")))?;
    }
    company.set_limits(quota());
    assert_refused(company.create_user("eleventh"));
    logged(
        &mut company,
        &mut log,
        Change::RenameUser {
            user: UserId::new(7),
            name: "seven".into(),
        },
    )?;
    logged(
        &mut company,
        &mut log,
        Change::AssignRole {
            role: RoleId::SUPERVISOR,
            principals: vec![UserId::new(9).into()],
        },
    )?;
    Ok((company, log))
}

#[track_caller]
fn assert_refused<T: std::fmt::Debug>(result: Result<T, Error>) {
    assert_eq!(
        result.map(drop),
        Err(Error::LimitReached {
            kind: EntityKind::User,
            limit: 5
        })
    );
}

/// What a tenant under the cut quota does: serves its users, takes changes
/// that make no user, refuses a new user.
fn serves_under_the_quota(company: &mut Company) -> TestResult {
    assert_eq!(company.limits(), quota());
    assert_eq!(company.users().count(), 10);
    let nine = UserId::new(9);
    assert!(
        company
            .check(nine, Permissions::USERS_MANAGE, Resource::Company)
            .is_allowed()
    );
    company.apply(Change::RenameUser {
        user: UserId::new(8),
        name: "eight".into(),
    })?;
    company.create_group("Night shift", &[UserId::new(8), nine])?;
    assert_refused(company.create_user("eleventh"));
    assert_refused(company.apply(create_user("twelfth")));
    Ok(())
}

#[test]
fn a_tenant_whose_quota_was_cut_restarts_from_its_document() -> TestResult {
    let (company, _) = cut_company()?;
    let json = serde_json::to_string(&company.to_document())?;
    let mut restarted =
        Company::load_with_limits(&mut serde_json::Deserializer::from_str(&json), quota())?;
    assert_eq!(restarted.to_document(), company.to_document());
    serves_under_the_quota(&mut restarted)
}

#[test]
fn a_tenant_whose_quota_was_cut_restarts_from_its_checkpoint() -> TestResult {
    let (company, _) = cut_company()?;
    let mut restarted = Company::load_checkpoint_with_limits(&company.to_checkpoint(), quota())?;
    assert_eq!(restarted.to_document(), company.to_document());
    serves_under_the_quota(&mut restarted)
}

#[test]
fn a_replica_under_the_cut_quota_follows_the_whole_log() -> TestResult {
    let (company, log) = cut_company()?;
    let mut replica = Company::new().with_id(company.id());
    replica.set_limits(quota());
    assert_eq!(replica.catch_up(&log)?, 12);
    assert_eq!(replica.revision(), company.revision());
    assert_eq!(replica.to_document(), company.to_document());
    serves_under_the_quota(&mut replica)
}

#[test]
fn a_replica_restarted_midway_under_the_cut_quota_follows_the_rest() -> TestResult {
    let (company, log) = cut_company()?;
    // A checkpoint at revision 7 (before the cut), loaded under the quota.
    let mut early = Company::new().with_id(company.id());
    early.catch_up(&log[..7])?;
    let json = serde_json::to_string(&early.to_document())?;
    let mut replica =
        Company::load_with_limits(&mut serde_json::Deserializer::from_str(&json), quota())?;
    assert_eq!(replica.catch_up(&log)?, 5);
    assert_eq!(replica.to_document(), company.to_document());
    serves_under_the_quota(&mut replica)
}

#[test]
fn entries_past_the_quota_replay_and_a_refused_one_leaves_the_quota() -> TestResult {
    let (company, mut log) = cut_company()?;
    let mut replica = Company::new().with_id(company.id());
    replica.set_limits(quota());
    replica.catch_up(&log)?;
    // The writer, its quota raised again, makes two more users; the
    // replica, still under the cut quota, replays them: the writer's quota
    // decided.
    let mut writer = company.clone();
    writer.set_limits(Limits::DEFAULT);
    logged(&mut writer, &mut log, create_user("eleventh"))?;
    logged(&mut writer, &mut log, create_user("twelfth"))?;
    assert_eq!(replica.catch_up(&log)?, 2);
    assert_eq!(replica.to_document(), writer.to_document());
    assert_eq!(replica.limits(), quota());
    assert_refused(replica.create_user("thirteenth"));

    // An entry the replica refuses (a name already taken) stops the
    // catch-up and leaves the quota as it was.
    let bad = company.id().entry(replica.revision(), create_user("seven"));
    let refused = replica.catch_up([bad]);
    assert!(
        matches!(refused, Err(Error::DuplicateName { .. })),
        "{refused:?}"
    );
    assert_eq!(replica.limits(), quota());
    assert_refused(replica.create_user("thirteenth"));
    Ok(())
}
