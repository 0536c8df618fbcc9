//! DOMAIN rule 24: "A role can be given until a time: company-wide or
//! within a project, to a user or a group. The library keeps no clock: the
//! host applies a change that says what time it is now. That change is
//! logged and replayed like any other, so every replica ends the same
//! grants at the same revision. Explanations show the end. `who_can` and
//! the matrix show when each grant ends, and a listing gives the next end."

mod common;

use callgate::{
    Assignment, Change, Company, Decision, DenyReason, Permissions, Principal, Resource, RoleId,
    SecurityMode, Timestamp, UserId,
};
use common::{CallCenter, Clients, TestResult, add_role, refuse, refuse_as};

const MONDAY: Timestamp = Timestamp::from_unix_seconds(1_765_152_000);
const FRIDAY: Timestamp = Timestamp::from_unix_seconds(1_765_497_600);
const SUNDAY: Timestamp = Timestamp::from_unix_seconds(1_765_670_400);

fn cover(role: RoleId, principals: &[Principal], until: Timestamp) -> Change {
    Change::AssignRoleUntil {
        role,
        principals: principals.to_vec(),
        until,
    }
}

fn expire(now: Timestamp) -> Change {
    Change::ExpireGrants { now }
}

fn allowed(company: &Company, user: UserId, action: Permissions) -> bool {
    company.check(user, action, Resource::Company).is_allowed()
}

#[test]
fn rule_24_a_company_wide_grant_ends_when_the_host_says_its_time_has_come() -> TestResult {
    let mut c = CallCenter::new()?;
    let bob = c.company.create_user("bob")?;
    c.company
        .apply(cover(RoleId::SUPERVISOR, &[bob.into()], FRIDAY))?;
    assert!(allowed(&c.company, bob, Permissions::CALL_JOURNAL_VIEW));
    assert_eq!(c.company.next_expiry(), Some(FRIDAY));

    // Before its end, nothing is due: only the revision moves.
    let report = c.company.apply(expire(MONDAY))?;
    assert!(report.affected_users.is_empty());
    assert!(allowed(&c.company, bob, Permissions::CALL_JOURNAL_VIEW));

    // At its end, it goes: the check needs no clock.
    let report = c.company.apply(expire(FRIDAY))?;
    assert_eq!(report.affected_users, [bob]);
    assert_eq!(
        c.company
            .check(bob, Permissions::CALL_JOURNAL_VIEW, Resource::Company),
        Decision::Deny(DenyReason::MissingPermission)
    );
    assert_eq!(c.company.next_expiry(), None);
    assert_eq!(c.company.role_holders(RoleId::SUPERVISOR)?, [c.supervisor]);
    Ok(())
}

#[test]
fn rule_24_grants_to_groups_and_within_projects_end_too() -> TestResult {
    let mut c = Clients::new(SecurityMode::Enhanced)?;
    c.company.apply(Change::AssignProjectRoleUntil {
        project: c.acme,
        role: RoleId::SUPERVISOR,
        principals: vec![c.leads.into(), c.tess.into()],
        until: SUNDAY,
    })?;
    let queue = Resource::Object(c.acme_queue);
    for user in [c.gil, c.tess] {
        assert!(
            c.company
                .check(user, Permissions::QUEUES_MANAGE, queue)
                .is_allowed()
        );
    }
    let report = c.company.apply(expire(SUNDAY))?;
    assert_eq!(report.affected_users, {
        let mut users = vec![c.gil, c.tess];
        users.sort();
        users
    });
    for user in [c.gil, c.tess] {
        assert!(
            !c.company
                .check(user, Permissions::QUEUES_MANAGE, queue)
                .is_allowed()
        );
    }
    // The memberships stay; only the grants with an end went.
    assert!(c.company.project_members(c.acme)?.contains(&c.gil));
    Ok(())
}

#[test]
fn rule_24_expiring_ends_exactly_the_grants_due_and_lists_the_next() -> TestResult {
    let mut c = CallCenter::new()?;
    let [bob, eve, kim] = ["bob", "eve", "kim"].map(|n| c.company.create_user(n));
    let (bob, eve, kim) = (bob?, eve?, kim?);
    c.company
        .apply(cover(RoleId::SUPERVISOR, &[bob.into()], FRIDAY))?;
    c.company
        .apply(cover(RoleId::OPERATOR, &[eve.into()], SUNDAY))?;
    c.company
        .apply(cover(RoleId::OPERATOR, &[kim.into()], MONDAY))?;
    let listed: Vec<_> = c.company.grant_ends().collect();
    assert_eq!(
        listed,
        [
            (Assignment::company_wide(kim, RoleId::OPERATOR), MONDAY),
            (Assignment::company_wide(bob, RoleId::SUPERVISOR), FRIDAY),
            (Assignment::company_wide(eve, RoleId::OPERATOR), SUNDAY),
        ]
    );
    c.company.apply(expire(FRIDAY))?;
    assert_eq!(
        c.company.grant_ends().collect::<Vec<_>>(),
        [(Assignment::company_wide(eve, RoleId::OPERATOR), SUNDAY)]
    );
    assert_eq!(c.company.next_expiry(), Some(SUNDAY));
    assert!(allowed(&c.company, eve, Permissions::CALL_JOURNAL_VIEW));
    assert!(!allowed(&c.company, kim, Permissions::CALL_JOURNAL_VIEW));
    Ok(())
}

#[test]
fn rule_24_assigning_again_moves_or_removes_the_end() -> TestResult {
    let mut c = CallCenter::new()?;
    let bob = c.company.create_user("bob")?;
    let grant = Assignment::company_wide(bob, RoleId::SUPERVISOR);
    c.company
        .apply(cover(RoleId::SUPERVISOR, &[bob.into()], FRIDAY))?;
    c.company
        .apply(cover(RoleId::SUPERVISOR, &[bob.into()], SUNDAY))?;
    assert_eq!(c.company.grant_end(grant), Some(SUNDAY));
    assert_eq!(c.company.grant_ends().count(), 1);
    c.company.apply(Change::AssignRole {
        role: RoleId::SUPERVISOR,
        principals: vec![bob.into()],
    })?;
    assert_eq!(c.company.grant_end(grant), None);
    c.company.apply(expire(SUNDAY))?;
    assert!(allowed(&c.company, bob, Permissions::CALL_JOURNAL_VIEW));
    // A lasting grant can be given an end too.
    c.company
        .apply(cover(RoleId::SUPERVISOR, &[bob.into()], FRIDAY))?;
    assert_eq!(c.company.grant_end(grant), Some(FRIDAY));
    Ok(())
}

#[test]
fn rule_24_a_grant_taken_away_otherwise_leaves_no_end_behind() -> TestResult {
    let mut c = Clients::new(SecurityMode::Enhanced)?;
    c.company.apply(Change::AssignProjectRoleUntil {
        project: c.acme,
        role: RoleId::OPERATOR,
        principals: vec![c.tess.into()],
        until: FRIDAY,
    })?;
    c.company
        .apply(cover(RoleId::OPERATOR, &[c.leads.into()], FRIDAY))?;
    assert_eq!(c.company.grant_ends().count(), 2);
    c.company.apply(Change::RemoveProjectMembers {
        project: c.acme,
        principals: vec![c.tess.into()],
    })?;
    c.company.apply(Change::DeleteGroup { group: c.leads })?;
    assert_eq!(c.company.grant_ends().count(), 0);
    assert_eq!(c.company.next_expiry(), None);
    // Given back without an end, it stays after the old end.
    c.company.apply(Change::AddProjectMembers {
        project: c.acme,
        principals: vec![c.tess.into()],
        roles: vec![RoleId::SUPERVISOR],
    })?;
    c.company.apply(Change::AssignProjectRoleUntil {
        project: c.acme,
        role: RoleId::SUPERVISOR,
        principals: vec![c.tess.into()],
        until: FRIDAY,
    })?;
    c.company.apply(Change::AddProjectMembers {
        project: c.acme,
        principals: vec![c.tess.into()],
        roles: vec![RoleId::SUPERVISOR],
    })?;
    assert_eq!(c.company.next_expiry(), None);
    c.company.apply(expire(SUNDAY))?;
    let queue = Resource::Object(c.acme_queue);
    assert!(
        c.company
            .check(c.tess, Permissions::QUEUES_MANAGE, queue)
            .is_allowed()
    );
    Ok(())
}

#[test]
fn rule_24_every_replica_ends_the_same_grants_at_the_same_revision() -> TestResult {
    let mut c = CallCenter::new()?;
    let mut replica = Company::from_document(c.company.to_document())?;
    let bob = c.company.create_user("bob")?;
    let changes = [
        cover(RoleId::SUPERVISOR, &[bob.into()], FRIDAY),
        expire(MONDAY),
        expire(SUNDAY),
    ];
    let mut log = Vec::new();
    for change in changes {
        let plan = c.company.plan(change)?;
        // Stored as JSON and read back, as a host's log does.
        let stored = serde_json::to_string(plan.entry())?;
        log.push(serde_json::from_str::<callgate::LogEntry>(&stored)?);
        c.company.commit(plan)?;
    }
    assert!(serde_json::to_string(&log[2])?.contains(r#""op":"expire_grants""#));
    let create = c.company.id().entry(
        replica.revision(),
        Change::CreateUser {
            name: "bob".into(),
            roles: vec![],
            groups: vec![],
            projects: vec![],
        },
    );
    replica.catch_up(std::iter::once(create).chain(log))?;
    assert_eq!(replica.revision(), c.company.revision());
    assert_eq!(replica.to_document(), c.company.to_document());
    assert!(!allowed(&replica, bob, Permissions::CALL_JOURNAL_VIEW));
    Ok(())
}

#[test]
fn rule_24_explanations_who_can_and_the_matrix_show_the_end() -> TestResult {
    let mut c = CallCenter::new()?;
    let bob = c.company.create_user("bob")?;
    c.company
        .apply(cover(RoleId::SUPERVISOR, &[bob.into()], FRIDAY))?;
    let explanation = c
        .company
        .explain(bob, Permissions::CALL_JOURNAL_VIEW, Resource::Company);
    assert_eq!(explanation.grants()[0].until, Some(FRIDAY));
    let text = explanation.to_string();
    assert!(text.contains("until 2025-12-12T00:00:00Z"), "{text}");
    let json = serde_json::to_string(&explanation)?;
    assert!(json.contains(r#""until":1765497600"#), "{json}");

    let who = c
        .company
        .who_can_until(Permissions::CALL_JOURNAL_VIEW, Resource::Company);
    assert!(who.contains(&(bob, Some(FRIDAY))), "{who:?}");
    assert!(who.contains(&(c.supervisor, None)), "{who:?}");

    let matrix = c.company.matrix().to_string();
    assert!(
        matrix.contains("Supervisor: user `bob` until 2025-12-12T00:00:00Z"),
        "{matrix}"
    );
    let grants = c.company.role_grants(RoleId::SUPERVISOR)?;
    assert!(grants.contains(&(
        Assignment::company_wide(bob, RoleId::SUPERVISOR),
        Some(FRIDAY)
    )));
    assert!(grants.contains(&(
        Assignment::company_wide(c.supervisor, RoleId::SUPERVISOR),
        None
    )));
    Ok(())
}

#[test]
fn rule_24_ending_a_grant_of_a_role_that_puts_users_offline_ends_their_sessions() -> TestResult {
    let mut c = CallCenter::new()?;
    let bob = c.company.create_user("bob")?;
    let eve = c.company.create_user("eve")?;
    let role = add_role(
        &mut c.company,
        "Night lead",
        Permissions::QUEUES_MANAGE,
        &[],
    )?;
    c.company.apply(Change::EditRole {
        role,
        name: None,
        description: None,
        permissions: None,
        put_users_offline: Some(true),
    })?;
    c.company.apply(cover(role, &[bob.into()], FRIDAY))?;
    c.company
        .apply(cover(RoleId::OPERATOR, &[eve.into()], FRIDAY))?;
    let bob_session = c.company.login(bob)?;
    let eve_session = c.company.login(eve)?;
    let report = c.company.apply(expire(FRIDAY))?;
    assert_eq!(report.logged_out_users, [bob]);
    let ask = |s| {
        c.company
            .check_session(s, Permissions::QUEUES_VIEW, Resource::Company)
            .decision
    };
    assert_eq!(ask(&bob_session), Decision::Deny(DenyReason::SessionEnded));
    assert_ne!(ask(&eve_session), Decision::Deny(DenyReason::SessionEnded));
    Ok(())
}

#[test]
fn rule_24_the_ends_round_trip_through_the_document_and_the_checkpoint() -> TestResult {
    let mut c = Clients::new(SecurityMode::Enhanced)?;
    c.company.apply(Change::AssignProjectRoleUntil {
        project: c.acme,
        role: RoleId::OPERATOR,
        principals: vec![c.leads.into(), c.tess.into()],
        until: FRIDAY,
    })?;
    c.company
        .apply(cover(RoleId::SUPERVISOR, &[c.bob.into()], SUNDAY))?;
    let document = c.company.to_document();
    assert_eq!(document.grant_ends.len(), 3);
    let json = serde_json::to_string(&document)?;
    let loaded = Company::load(&mut serde_json::Deserializer::from_str(&json))?;
    assert_eq!(serde_json::to_string(&loaded.to_document())?, json);
    assert_eq!(
        loaded.grant_ends().collect::<Vec<_>>(),
        c.company.grant_ends().collect::<Vec<_>>()
    );
    let checkpoint = c.company.to_checkpoint();
    let from_checkpoint = Company::load_checkpoint(&checkpoint)?;
    assert_eq!(from_checkpoint.to_document(), document);
    assert_eq!(from_checkpoint.to_checkpoint(), checkpoint);
    Ok(())
}

#[test]
fn rule_24_a_stored_end_of_a_grant_not_given_is_refused_with_its_path() -> TestResult {
    let mut c = CallCenter::new()?;
    let bob = c.company.create_user("bob")?;
    c.company
        .apply(cover(RoleId::SUPERVISOR, &[bob.into()], FRIDAY))?;
    let valid = c.company.to_document();
    let mut not_given = valid.clone();
    not_given.grant_ends[0].role = RoleId::OPERATOR;
    let mut twice = valid.clone();
    twice.grant_ends.push(twice.grant_ends[0].clone());
    let mut unknown = valid.clone();
    unknown.grant_ends[0].principal = UserId::new(99).into();
    for (document, says) in [
        (not_given, "does not hold role `2` company-wide"),
        (twice, "listed once each"),
        (unknown, "unknown user id `99`"),
    ] {
        let error = Company::from_document(document).map(drop).unwrap_err();
        let text = error.to_string();
        assert!(text.contains("grantEnds[") && text.contains(says), "{text}");
    }
    Ok(())
}

#[test]
fn rule_24_setting_an_end_is_guarded_as_giving_the_role_is() -> TestResult {
    let mut c = CallCenter::new()?;
    let bob = c.company.create_user("bob")?;
    // The supervisor holds roles.manage but not every permission of Admin.
    let session = c.company.login(c.supervisor)?;
    let error = refuse_as(
        &mut c.company,
        &session,
        cover(RoleId::ADMIN, &[bob.into()], FRIDAY),
    );
    assert!(
        matches!(error, callgate::Error::Escalation { .. }),
        "{error}"
    );
    // The operator may not give roles at all, for a time or not.
    let operator = c.company.login(c.operator)?;
    let error = refuse_as(
        &mut c.company,
        &operator,
        cover(RoleId::OPERATOR, &[bob.into()], FRIDAY),
    );
    assert!(
        matches!(error, callgate::Error::Forbidden { .. }),
        "{error}"
    );
    let error = refuse_as(&mut c.company, &operator, expire(SUNDAY));
    assert!(
        matches!(error, callgate::Error::Forbidden { .. }),
        "{error}"
    );
    c.company
        .apply_as(&session, cover(RoleId::OPERATOR, &[bob.into()], FRIDAY))?;
    Ok(())
}

#[test]
fn rule_24_a_refused_grant_with_an_end_changes_nothing() -> TestResult {
    let mut c = Clients::new(SecurityMode::Enhanced)?;
    // Bob is no member of Acme: refused, and no end is noted.
    let error = refuse(
        &mut c.company,
        Change::AssignProjectRoleUntil {
            project: c.acme,
            role: RoleId::OPERATOR,
            principals: vec![c.bob.into()],
            until: FRIDAY,
        },
    );
    assert!(
        matches!(error, callgate::Error::NotProjectMember { .. }),
        "{error}"
    );
    assert_eq!(c.company.next_expiry(), None);
    Ok(())
}

#[test]
fn rule_24_admin_is_given_without_an_end_so_no_expiry_locks_the_company_out() -> TestResult {
    let mut c = CallCenter::new()?;
    let bob = c.company.create_user("bob")?;
    let error = refuse(&mut c.company, cover(RoleId::ADMIN, &[bob.into()], FRIDAY));
    assert!(
        matches!(
            error,
            callgate::Error::BuiltinRole {
                role: "Admin",
                action: "given until a time"
            }
        ),
        "{error}"
    );
    Ok(())
}

#[test]
fn rule_24_a_role_held_until_a_time_hands_out_nothing_that_outlasts_it() -> TestResult {
    let mut c = CallCenter::new()?;
    let cover_sam = c.company.create_user("cover")?;
    let bob = c.company.create_user("bob")?;
    c.company
        .apply(cover(RoleId::SUPERVISOR, &[cover_sam.into()], FRIDAY))?;
    let session = c.company.login(cover_sam)?;
    // Not for good, to themselves or to anyone.
    for change in [
        Change::AssignRole {
            role: RoleId::SUPERVISOR,
            principals: vec![cover_sam.into()],
        },
        Change::AssignRole {
            role: RoleId::OPERATOR,
            principals: vec![bob.into()],
        },
        cover(RoleId::OPERATOR, &[bob.into()], SUNDAY),
    ] {
        let error = refuse_as(&mut c.company, &session, change);
        assert!(
            matches!(error, callgate::Error::Escalation { .. }),
            "{error}"
        );
    }
    // Until their own end, yes.
    c.company
        .apply_as(&session, cover(RoleId::OPERATOR, &[bob.into()], FRIDAY))?;
    c.company
        .apply_as(&session, cover(RoleId::OPERATOR, &[bob.into()], MONDAY))?;
    // The lasting supervisor gives lasting grants as before.
    let lasting = c.company.login(c.supervisor)?;
    c.company.apply_as(
        &lasting,
        Change::AssignRole {
            role: RoleId::OPERATOR,
            principals: vec![bob.into()],
        },
    )?;
    Ok(())
}

#[test]
fn rule_24_within_a_project_an_end_is_weighed_against_the_actors_own_grants_there() -> TestResult {
    let mut c = Clients::new(SecurityMode::Enhanced)?;
    // Tess supervises Acme until Friday, from within the project only.
    c.company.apply(Change::AssignProjectRoleUntil {
        project: c.acme,
        role: RoleId::SUPERVISOR,
        principals: vec![c.tess.into()],
        until: FRIDAY,
    })?;
    let session = c.company.login(c.tess)?;
    let give = |until| Change::AssignProjectRoleUntil {
        project: c.acme,
        role: RoleId::OPERATOR,
        principals: vec![c.leads.into()],
        until,
    };
    // Until Monday, within her own end: given.
    c.company.apply_as(&session, give(MONDAY))?;
    // Until Sunday, past it: refused, and so is for good.
    let error = refuse_as(&mut c.company, &session, give(SUNDAY));
    assert!(
        matches!(error, callgate::Error::Escalation { .. }),
        "{error}"
    );
    let error = refuse_as(
        &mut c.company,
        &session,
        Change::AssignProjectRole {
            project: c.acme,
            role: RoleId::OPERATOR,
            principals: vec![c.leads.into()],
        },
    );
    assert!(
        matches!(error, callgate::Error::Escalation { .. }),
        "{error}"
    );
    // Given for good within Acme, her grant there counts for anything.
    c.company.apply(Change::AssignProjectRole {
        project: c.acme,
        role: RoleId::SUPERVISOR,
        principals: vec![c.tess.into()],
    })?;
    let session = c.company.login(c.tess)?;
    c.company.apply_as(&session, give(SUNDAY))?;
    Ok(())
}

#[test]
fn rule_24_a_stored_end_within_a_project_names_what_is_wrong() -> TestResult {
    let mut c = Clients::new(SecurityMode::Enhanced)?;
    c.company.apply(Change::AssignProjectRoleUntil {
        project: c.acme,
        role: RoleId::OPERATOR,
        principals: vec![c.tess.into()],
        until: FRIDAY,
    })?;
    let valid = c.company.to_document();
    let mut unknown = valid.clone();
    unknown.grant_ends[0].project = Some(callgate::ProjectId::new(99));
    let mut elsewhere = valid.clone();
    elsewhere.grant_ends[0].project = Some(c.globex);
    let not_held = format!(
        "grantEnds[0]: user `{}` does not hold role `2` within project `{}`",
        c.tess, c.globex
    );
    for (document, says) in [
        (unknown, "grantEnds[0]: unknown project id `99`".to_owned()),
        (elsewhere, not_held),
    ] {
        let error = Company::from_document(document).map(drop).unwrap_err();
        assert!(error.to_string().starts_with(&says), "{error}");
    }
    Ok(())
}
