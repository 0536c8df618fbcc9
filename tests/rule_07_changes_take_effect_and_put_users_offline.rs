//! DOMAIN rule 7: "Changes take effect at the next login. A role has a
//! setting "put its users offline" that ends the sessions of everyone
//! holding it when the role is saved, so that the change applies at once.
//! The library has no I/O: it must tell the host which users are affected by
//! each change and which sessions are no longer current, so the host can end
//! them."
//!
//! The library goes further than the manual: a change without the setting
//! applies at once to existing sessions (a revocation is never delayed), and
//! the setting ends the sessions of every direct and group holder, before
//! and after the change.

#[path = "support_sessions/mod.rs"]
mod support;

use callgate::{
    Change, Company, DenyReason, GroupId, Permissions, Principal, Resource, RoleId, Session, UserId,
};
use support::{
    TestResult, accepted, company_with_admin, deny_reason, is_ended, may, offline_role, refused,
    refused_as, rename_role, set_role_permissions, user_holding, user_with_permissions,
};

#[test]
fn every_accepted_change_advances_the_revision_by_one() -> TestResult {
    let mut company = Company::new();
    assert_eq!(company.revision(), 0);
    let ann = company.create_user("ann")?;
    assert_eq!(company.revision(), 1);
    let bob = company.create_user("bob")?;
    let team = company.create_group("Team", &[bob])?;
    let changes = vec![
        Change::AssignRole {
            role: RoleId::OPERATOR,
            principals: vec![team.into()],
        },
        // Accepted although it changes nothing: bob is already a member.
        Change::AddGroupMembers {
            group: team,
            users: vec![bob],
        },
        Change::RenameUser {
            user: bob,
            name: "robert".into(),
        },
        Change::SetSecurityMode {
            mode: callgate::SecurityMode::Enhanced,
        },
        Change::DeleteGroup { group: team },
    ];
    for change in changes {
        let before = company.revision();
        let report = accepted(&mut company, change);
        assert_eq!(report.revision, before + 1);
        assert_eq!(company.revision(), before + 1);
        assert_eq!(company.snapshot().revision(), before + 1);
    }
    assert_eq!(company.revision(), 8);
    // A refusal, even by an Admin, leaves it where it was.
    let session = company.login(ann)?;
    refused_as(
        &mut company,
        &session,
        rename_role(RoleId::OPERATOR, "Agent"),
    );
    assert_eq!(company.revision(), 8);
    Ok(())
}

#[test]
fn a_refused_change_does_not_advance_the_revision() -> TestResult {
    let (mut company, ann) = company_with_admin()?;
    let (bob, _) = user_with_permissions(&mut company, "bob", Permissions::OPERATOR)?;
    let revision = company.revision();

    refused(&mut company, Change::DeleteUser { user: ann });
    refused(&mut company, rename_role(RoleId::ADMIN, "Boss"));
    refused(
        &mut company,
        Change::RenameUser {
            user: bob,
            name: "ann".into(),
        },
    );
    let bobs_session = company.login(bob)?;
    refused_as(
        &mut company,
        &bobs_session,
        Change::RenameUser {
            user: ann,
            name: "anna".into(),
        },
    );
    let _ = company.preview(Change::RenameUser {
        user: ann,
        name: "anna".into(),
    })?;
    assert_eq!(company.revision(), revision);
    Ok(())
}

#[test]
fn a_session_remembers_the_revision_at_login_and_is_copy() -> TestResult {
    let (mut company, ann) = company_with_admin()?;
    let first = company.login(ann)?;
    company.create_user("bob")?;
    let second = company.login(ann)?;
    let copy = second;
    assert_eq!(first.login_revision(), 1);
    assert_eq!(second.login_revision(), 2);
    assert_eq!(copy, second);
    assert_eq!((first.user(), first.testing()), (ann, None));
    Ok(())
}

#[test]
fn a_session_sees_a_grant_without_the_setting_at_once() -> TestResult {
    let (mut company, _) = company_with_admin()?;
    let (bob, qa) = user_with_permissions(&mut company, "bob", Permissions::QA_CHECKS_VIEW)?;
    let session = company.login(bob)?;
    assert!(!may(&company, &session, Permissions::REPORTS_VIEW));

    let report = accepted(
        &mut company,
        set_role_permissions(qa, Permissions::QA_CHECKS_VIEW | Permissions::REPORTS_VIEW),
    );

    assert!(report.logged_out_users.is_empty());
    assert_eq!(report.affected_users, vec![bob]);
    assert!(may(&company, &session, Permissions::REPORTS_VIEW));
    Ok(())
}

#[test]
fn a_revocation_without_the_setting_applies_at_once_to_existing_sessions() -> TestResult {
    // Each way of losing a permission, each applied to a fresh company where
    // bob holds QA directly and cid holds it through a group.
    // Arguments: the role, bob, cid and the group.
    type Revoke = fn(RoleId, UserId, UserId, GroupId) -> Change;
    // (the change, whether bob loses QA too, or only cid)
    let revocations: [(&str, Revoke, bool); 6] = [
        (
            "edit the permissions",
            |qa, _, _, _| set_role_permissions(qa, Permissions::REPORTS_VIEW),
            true,
        ),
        (
            "switch the section off",
            |qa, _, _, _| Change::SetSectionAccess {
                role: qa,
                permission: Permissions::QA_CHECKS_VIEW,
                allowed: false,
            },
            true,
        ),
        (
            "delete the role",
            |qa, _, _, _| Change::DeleteRole { role: qa },
            true,
        ),
        (
            "unassign the role",
            |qa, bob, _, group| Change::UnassignRole {
                role: qa,
                principals: vec![bob.into(), group.into()],
            },
            true,
        ),
        (
            "remove cid from the group",
            |_, _, cid, group| Change::RemoveGroupMembers {
                group,
                users: vec![cid],
            },
            false,
        ),
        (
            "delete the group",
            |_, _, _, group| Change::DeleteGroup { group },
            false,
        ),
    ];
    for (name, revoke, bob_loses) in revocations {
        let (mut company, _) = company_with_admin()?;
        let (bob, qa) = user_with_permissions(&mut company, "bob", Permissions::QA_CHECKS_VIEW)?;
        let cid = company.create_user("cid")?;
        let group = company.create_group("QA team", &[cid])?;
        accepted(
            &mut company,
            Change::AssignRole {
                role: qa,
                principals: vec![group.into()],
            },
        );
        let bobs = company.login(bob)?;
        let cids = company.login(cid)?;

        let report = accepted(&mut company, revoke(qa, bob, cid, group));

        assert!(report.logged_out_users.is_empty(), "{name}");
        let losers = if bob_loses { vec![bob, cid] } else { vec![cid] };
        assert_eq!(report.affected_users, losers, "{name}");
        assert_eq!(
            deny_reason(&company, &cids, Permissions::QA_CHECKS_VIEW),
            Some(DenyReason::MissingPermission),
            "{name}: cid keeps the revoked permission"
        );
        assert_eq!(
            may(&company, &bobs, Permissions::QA_CHECKS_VIEW),
            !bob_loses,
            "{name}: bob"
        );
    }
    Ok(())
}

/// Users of the offline-role fixture.
struct Holders {
    company: Company,
    role: RoleId,
    group: GroupId,
    /// Holds the role directly.
    dan: UserId,
    /// Holds the role through group "Night shift".
    gus: UserId,
    /// Holds another role only.
    nia: UserId,
    /// Holds nothing yet; some changes give him the role.
    ned: UserId,
}

/// A company with a role "Escalations" that puts its users offline, held by
/// dan directly and by gus through the group "Night shift".
fn holders() -> Result<Holders, callgate::Error> {
    let (mut company, _ann) = company_with_admin()?;
    let dan = company.create_user("dan")?;
    let gus = company.create_user("gus")?;
    let group = company.create_group("Night shift", &[gus])?;
    let nia = user_holding(&mut company, "nia", RoleId::OPERATOR)?;
    let ned = company.create_user("ned")?;
    let role = offline_role(
        &mut company,
        "Escalations",
        Permissions::QA_CHECKS_VIEW | Permissions::REPORTS_VIEW,
        vec![dan.into(), group.into()],
    )?;
    Ok(Holders {
        company,
        role,
        group,
        dan,
        gus,
        nia,
        ned,
    })
}

/// One save of the offline role: what is saved, the change, whose sessions
/// end, and whose permissions change.
struct Save {
    name: &'static str,
    change: fn(&Holders) -> Change,
    logged_out: fn(&Holders) -> Vec<UserId>,
    affected: fn(&Holders) -> Vec<UserId>,
}

#[test]
fn saving_a_role_that_puts_users_offline_ends_the_sessions_of_direct_and_group_holders()
-> TestResult {
    let saves = [
        Save {
            name: "rename",
            change: |h| rename_role(h.role, "Complaints"),
            logged_out: |h| vec![h.dan, h.gus],
            affected: |_| vec![],
        },
        Save {
            name: "new description",
            change: |h| Change::EditRole {
                role: h.role,
                name: None,
                description: Some("Difficult callers".into()),
                permissions: None,
                put_users_offline: None,
            },
            logged_out: |h| vec![h.dan, h.gus],
            affected: |_| vec![],
        },
        Save {
            name: "new permissions",
            change: |h| set_role_permissions(h.role, Permissions::QA_CHECKS_MANAGE),
            logged_out: |h| vec![h.dan, h.gus],
            affected: |h| vec![h.dan, h.gus],
        },
        Save {
            name: "section switched on",
            change: |h| Change::SetSectionAccess {
                role: h.role,
                permission: Permissions::SHIFTS_VIEW,
                allowed: true,
            },
            logged_out: |h| vec![h.dan, h.gus],
            affected: |h| vec![h.dan, h.gus],
        },
        Save {
            name: "section switched off",
            change: |h| Change::SetSectionAccess {
                role: h.role,
                permission: Permissions::REPORTS_VIEW,
                allowed: false,
            },
            logged_out: |h| vec![h.dan, h.gus],
            affected: |h| vec![h.dan, h.gus],
        },
        Save {
            name: "assigned to one more user",
            change: |h| Change::AssignRole {
                role: h.role,
                principals: vec![h.ned.into()],
            },
            logged_out: |h| vec![h.dan, h.gus, h.ned],
            affected: |h| vec![h.ned],
        },
        Save {
            name: "assigned to someone who already holds it",
            change: |h| Change::AssignRole {
                role: h.role,
                principals: vec![h.dan.into()],
            },
            logged_out: |h| vec![h.dan, h.gus],
            affected: |_| vec![],
        },
        Save {
            name: "unassigned from the direct holder",
            change: |h| Change::UnassignRole {
                role: h.role,
                principals: vec![h.dan.into()],
            },
            logged_out: |h| vec![h.dan, h.gus],
            affected: |h| vec![h.dan],
        },
        Save {
            name: "unassigned from the group",
            change: |h| Change::UnassignRole {
                role: h.role,
                principals: vec![h.group.into()],
            },
            logged_out: |h| vec![h.dan, h.gus],
            affected: |h| vec![h.gus],
        },
        Save {
            name: "deleted",
            change: |h| Change::DeleteRole { role: h.role },
            logged_out: |h| vec![h.dan, h.gus],
            affected: |h| vec![h.dan, h.gus],
        },
    ];
    for save in saves {
        let name = save.name;
        let mut h = holders()?;
        let everyone = [h.dan, h.gus, h.nia, h.ned];
        let old: Vec<Session> = everyone
            .iter()
            .map(|&user| h.company.login(user))
            .collect::<Result<_, _>>()?;
        let change = (save.change)(&h);
        let logged_out = (save.logged_out)(&h);

        let report = accepted(&mut h.company, change);

        assert_eq!(report.logged_out_users, logged_out, "{name}");
        assert_eq!(report.affected_users, (save.affected)(&h), "{name}");
        for session in &old {
            assert_eq!(
                is_ended(&h.company, session),
                logged_out.contains(&session.user()),
                "{name}: session of user {}",
                session.user()
            );
        }
        // The host sends them to log in again, and the new sessions work.
        for &user in &logged_out {
            let session = h.company.login(user)?;
            assert!(
                !is_ended(&h.company, &session),
                "{name}: new login of {user}"
            );
            for info in callgate::CATALOG {
                assert_eq!(
                    h.company
                        .check_session(&session, info.flag, Resource::Company)
                        .decision,
                    h.company.check(user, info.flag, Resource::Company),
                    "{name}: new login of {user} answers like a bare check for {}",
                    info.name
                );
            }
        }
    }
    Ok(())
}

#[test]
fn every_session_of_a_logged_out_user_ends_and_only_older_ones() -> TestResult {
    let mut h = holders()?;
    let phone = h.company.login(h.dan)?;
    let laptop = h.company.login(h.dan)?;
    accepted(&mut h.company, rename_role(h.role, "Complaints"));
    let after = h.company.login(h.dan)?;

    assert!(is_ended(&h.company, &phone));
    assert!(is_ended(&h.company, &laptop));
    assert!(may(&h.company, &after, Permissions::QA_CHECKS_VIEW));
    assert_eq!(
        h.company
            .user(h.dan)
            .map(callgate::User::sessions_valid_from),
        Some(h.company.revision())
    );

    // A second save ends the new session too.
    accepted(&mut h.company, rename_role(h.role, "Escalations"));
    assert!(is_ended(&h.company, &after));
    Ok(())
}

#[test]
fn a_session_ended_by_the_setting_is_refused_for_changes_and_testing() -> TestResult {
    let (mut company, ann) = company_with_admin()?;
    let role = offline_role(&mut company, "Owners", Permissions::ADMIN, vec![ann.into()])?;
    let session = company.login(ann)?;
    accepted(&mut company, rename_role(role, "Founders"));

    let error = refused_as(&mut company, &session, rename_role(role, "Board"));
    assert!(
        matches!(error, callgate::Error::SessionEnded { .. }),
        "{error}"
    );
    assert_eq!(
        error.to_string(),
        "the session of user `ann` has ended: log in again"
    );
    let error = company
        .start_testing(session, RoleId::OPERATOR)
        .expect_err("an ended session cannot start testing");
    assert!(
        matches!(error, callgate::Error::SessionEnded { .. }),
        "{error}"
    );
    assert!(company.session_permissions(&session).is_err());
    Ok(())
}

#[test]
fn saving_the_setting_on_ends_the_sessions_of_current_holders() -> TestResult {
    let (mut company, _) = company_with_admin()?;
    let (bob, qa) = user_with_permissions(&mut company, "bob", Permissions::QA_CHECKS_VIEW)?;
    let session = company.login(bob)?;

    let report = accepted(
        &mut company,
        Change::EditRole {
            role: qa,
            name: None,
            description: None,
            permissions: None,
            put_users_offline: Some(true),
        },
    );

    assert_eq!(report.logged_out_users, vec![bob]);
    assert!(is_ended(&company, &session));
    assert!(
        company
            .role(qa)
            .is_some_and(callgate::Role::puts_users_offline)
    );
    Ok(())
}

/// Engine's choice: the setting as saved decides. Switching it off and
/// saving is a save of a role that no longer puts its users offline.
#[test]
fn saving_the_setting_off_ends_no_session() -> TestResult {
    let mut h = holders()?;
    let session = h.company.login(h.dan)?;

    let report = accepted(
        &mut h.company,
        Change::EditRole {
            role: h.role,
            name: None,
            description: None,
            permissions: None,
            put_users_offline: Some(false),
        },
    );

    assert!(report.logged_out_users.is_empty());
    assert!(!is_ended(&h.company, &session));
    Ok(())
}

/// Engine's choice: only saving the role itself (edit, section switch,
/// assign, unassign, delete) puts users offline; creating a role, or a
/// change to a group that carries it, does not save the role.
#[test]
fn changes_that_do_not_save_the_role_end_no_session() -> TestResult {
    let mut h = holders()?;
    let sessions: Vec<Session> = [h.dan, h.gus, h.ned]
        .iter()
        .map(|&user| h.company.login(user))
        .collect::<Result<_, _>>()?;

    let joined = accepted(
        &mut h.company,
        Change::AddGroupMembers {
            group: h.group,
            users: vec![h.ned],
        },
    );
    let created = accepted(
        &mut h.company,
        Change::CreateRole {
            name: "Overflow".into(),
            description: String::new(),
            permissions: Permissions::SHIFTS_VIEW,
            principals: vec![h.dan.into(), Principal::Group(h.group)],
            put_users_offline: true,
        },
    );

    assert!(joined.logged_out_users.is_empty());
    assert!(created.logged_out_users.is_empty());
    assert!(sessions.iter().all(|s| !is_ended(&h.company, s)));
    // ...and what they gained applies at once, as for any other change.
    assert!(
        sessions
            .iter()
            .all(|s| may(&h.company, s, Permissions::SHIFTS_VIEW))
    );
    Ok(())
}

#[test]
fn affected_users_are_exactly_those_whose_permissions_changed() -> TestResult {
    let (mut company, ann) = company_with_admin()?;
    let (bob, qa) = user_with_permissions(&mut company, "bob", Permissions::QA_CHECKS_VIEW)?;
    // sam holds QA too, but also Supervisor, which already grants reports.
    let sam = user_holding(&mut company, "sam", RoleId::SUPERVISOR)?;
    let ops = company.create_group("Ops", &[sam])?;
    accepted(
        &mut company,
        Change::AssignRole {
            role: qa,
            principals: vec![ops.into()],
        },
    );

    let gain = accepted(
        &mut company,
        set_role_permissions(qa, Permissions::QA_CHECKS_VIEW | Permissions::REPORTS_VIEW),
    );
    assert_eq!(gain.affected_users, vec![bob]);

    let rename = accepted(&mut company, rename_role(qa, "Quality"));
    assert!(rename.affected_users.is_empty());

    let assign = accepted(
        &mut company,
        Change::AssignRole {
            role: qa,
            principals: vec![ann.into(), bob.into()],
        },
    );
    assert!(
        assign.affected_users.is_empty(),
        "ann holds everything, bob had it"
    );
    Ok(())
}

#[test]
fn deleting_a_user_lists_them_as_logged_out_and_ends_their_sessions() -> TestResult {
    let mut h = holders()?;
    let session = h.company.login(h.dan)?;
    let gus = h.company.login(h.gus)?;

    let report = accepted(&mut h.company, Change::DeleteUser { user: h.dan });

    // Only dan: deleting a user does not save the roles they held.
    assert_eq!(report.logged_out_users, vec![h.dan]);
    assert!(report.affected_users.contains(&h.dan));
    assert!(
        !h.company
            .check_session(&session, Permissions::QA_CHECKS_VIEW, Resource::Company)
            .is_allowed()
    );
    // Engine's choice: the session of a deleted user names an unknown user.
    assert_eq!(
        deny_reason(&h.company, &session, Permissions::QA_CHECKS_VIEW),
        Some(DenyReason::UnknownUser)
    );
    assert!(h.company.login(h.dan).is_err());
    assert!(!is_ended(&h.company, &gus));
    Ok(())
}

#[test]
fn a_bare_check_and_a_fresh_session_give_the_same_decision() -> TestResult {
    let mut h = holders()?;
    h.company
        .set_section_access(h.role, Permissions::KPI_VIEW, true)?;
    let users = [h.dan, h.gus, h.nia, h.ned];
    for user in users {
        let session = h.company.login(user)?;
        for info in callgate::CATALOG {
            let through_session = h
                .company
                .check_session(&session, info.flag, Resource::Company);
            assert_eq!(
                through_session.decision,
                h.company.check(user, info.flag, Resource::Company),
                "user {user}, {}",
                info.name
            );
            assert_eq!(
                (through_session.user, through_session.testing),
                (user, None)
            );
        }
    }
    Ok(())
}

#[test]
fn an_actor_who_saves_a_role_they_hold_ends_their_own_session_too() -> TestResult {
    let (mut company, ann) = company_with_admin()?;
    let role = offline_role(
        &mut company,
        "Owners",
        Permissions::REPORTS_VIEW,
        vec![ann.into()],
    )?;
    let session = company.login(ann)?;

    let report = company.apply_as(&session, rename_role(role, "Founders"))?;

    assert_eq!(report.logged_out_users, vec![ann]);
    assert!(is_ended(&company, &session));
    Ok(())
}
