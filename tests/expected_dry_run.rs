//! A rule every user of such a system expects (DOMAIN.md): "Every change is
//! all-or-nothing: a rejected change leaves the state exactly as it was, and
//! says why." Its companion for admin pages: a dry run.
//!
//! `preview` and `preview_as` return the report `apply` and `apply_as` would
//! return (the new revision, what is created, the affected users, the users
//! put offline) or the same error, and leave the company unchanged.

#[path = "support_sessions/mod.rs"]
mod support;

use callgate::{
    Change, Company, Error, GroupId, ObjectKind, Permissions, RoleId, SecurityMode, Session, UserId,
};
use support::{
    TestResult, company_with_admin, is_ended, new_role, object_in, offline_role, rename_role,
    state, user_holding,
};

/// ann (Admin); sam (Supervisor); bob and gus, holding "Escalations" (which
/// puts its users offline) directly and through group "Night shift".
struct Fixture {
    company: Company,
    ann: UserId,
    sam: UserId,
    bob: UserId,
    night: GroupId,
    escalations: RoleId,
}

fn fixture() -> Result<Fixture, Error> {
    let (mut company, ann) = company_with_admin()?;
    let sam = user_holding(&mut company, "sam", RoleId::SUPERVISOR)?;
    let bob = company.create_user("bob")?;
    let gus = company.create_user("gus")?;
    let night = company.create_group("Night shift", &[gus])?;
    let escalations = offline_role(
        &mut company,
        "Escalations",
        Permissions::QA_CHECKS_VIEW,
        vec![bob.into(), night.into()],
    )?;
    object_in(&mut company, ObjectKind::Queue, "Sales", vec![])?;
    Ok(Fixture {
        company,
        ann,
        sam,
        bob,
        night,
        escalations,
    })
}

fn accepted_changes(f: &Fixture) -> Vec<Change> {
    vec![
        Change::CreateUser {
            name: "cid".into(),
            roles: vec![RoleId::OPERATOR],
            groups: vec![f.night],
            projects: vec![],
        },
        rename_role(f.escalations, "Complaints"),
        Change::AssignRole {
            role: RoleId::OPERATOR,
            principals: vec![f.night.into()],
        },
        Change::DeleteRole {
            role: f.escalations,
        },
        Change::DeleteUser { user: f.bob },
        Change::SetSecurityMode {
            mode: SecurityMode::Enhanced,
        },
        new_role("QA", Permissions::QA_CHECKS_MANAGE),
    ]
}

#[test]
fn a_preview_returns_the_report_apply_would_and_changes_nothing() -> TestResult {
    let f = fixture()?;
    let sessions: Vec<Session> = f
        .company
        .users()
        .map(|(user, _)| f.company.login(user))
        .collect::<Result<_, _>>()?;
    for change in accepted_changes(&f) {
        let before = state(&f.company);

        let preview = f.company.preview(change.clone());

        assert_eq!(state(&f.company), before, "{change:?}");
        assert_eq!(f.company.revision(), f.company.snapshot().revision());
        assert!(
            sessions.iter().all(|s| !is_ended(&f.company, s)),
            "{change:?}"
        );
        let applied = f.company.clone().apply(change.clone());
        assert!(applied.is_ok(), "{change:?}: {applied:?}");
        assert_eq!(preview, applied, "{change:?}");
    }
    Ok(())
}

#[test]
fn a_preview_tells_whose_sessions_a_save_would_end() -> TestResult {
    let f = fixture()?;
    let gus = f.company.user_by_name("gus").ok_or("no gus")?;
    let report = f
        .company
        .preview(rename_role(f.escalations, "Complaints"))?;
    assert_eq!(report.logged_out_users, vec![f.bob, gus]);
    assert_eq!(report.revision, f.company.revision() + 1);
    assert!(
        f.company
            .user(f.bob)
            .is_some_and(|bob| bob.sessions_valid_from() == 0)
    );
    Ok(())
}

#[test]
fn a_preview_as_returns_the_report_apply_as_would_and_changes_nothing() -> TestResult {
    let f = fixture()?;
    for actor in [f.ann, f.sam] {
        let session = f.company.login(actor)?;
        for change in accepted_changes(&f) {
            let before = state(&f.company);

            let preview = f.company.preview_as(&session, change.clone());

            assert_eq!(state(&f.company), before, "{change:?}");
            assert_eq!(
                preview,
                f.company.clone().apply_as(&session, change.clone()),
                "user {actor}: {change:?}"
            );
        }
    }
    Ok(())
}

#[test]
fn a_preview_of_a_refused_change_returns_the_same_error() -> TestResult {
    let f = fixture()?;
    let refusals = [
        Change::DeleteUser { user: f.ann },
        rename_role(RoleId::ADMIN, "Boss"),
        Change::DeleteRole {
            role: RoleId::new(77),
        },
        new_role("Escalations", Permissions::empty()),
        Change::SetSectionAccess {
            role: f.escalations,
            permission: Permissions::QA_CHECKS_VIEW | Permissions::REPORTS_VIEW,
            allowed: true,
        },
    ];
    for change in refusals {
        let before = state(&f.company);

        let preview = f.company.preview(change.clone());

        assert_eq!(state(&f.company), before, "{change:?}");
        let applied = f.company.clone().apply(change.clone());
        assert!(applied.is_err(), "{change:?} should be refused");
        assert_eq!(preview, applied, "{change:?}");
    }
    Ok(())
}

#[test]
fn a_preview_as_of_a_refused_change_returns_the_same_error() -> TestResult {
    let mut f = fixture()?;
    let (oli, _) = support::user_with_permissions(&mut f.company, "oli", Permissions::OPERATOR)?;
    let operator = f.company.login(oli)?;
    let supervisor = f.company.login(f.sam)?;
    let ended = f.company.login(f.bob)?;
    f.company.apply(rename_role(f.escalations, "Complaints"))?;
    let refusals = [
        // Forbidden: no roles.manage.
        (operator, new_role("QA", Permissions::QA_CHECKS_VIEW)),
        // Escalation: a supervisor handing out Admin.
        (
            supervisor,
            Change::AssignRole {
                role: RoleId::ADMIN,
                principals: vec![oli.into()],
            },
        ),
        // The session was ended by the save above.
        (ended, new_role("QA", Permissions::QA_CHECKS_VIEW)),
        // Refused for every caller: the last Admin.
        (supervisor, Change::DeleteUser { user: f.ann }),
    ];
    for (session, change) in refusals {
        let before = state(&f.company);

        let preview = f.company.preview_as(&session, change.clone());

        assert_eq!(state(&f.company), before, "{change:?}");
        let applied = f.company.clone().apply_as(&session, change.clone());
        assert!(applied.is_err(), "{change:?} should be refused");
        assert_eq!(preview, applied, "{change:?}");
    }
    Ok(())
}

#[test]
fn a_preview_as_runs_the_actor_checks_that_preview_skips() -> TestResult {
    let f = fixture()?;
    let supervisor = f.company.login(f.sam)?;
    let change = Change::AssignRole {
        role: RoleId::ADMIN,
        principals: vec![f.sam.into()],
    };
    assert!(f.company.preview(change.clone()).is_ok());
    assert!(matches!(
        f.company.preview_as(&supervisor, change),
        Err(Error::Escalation { .. })
    ));
    Ok(())
}
