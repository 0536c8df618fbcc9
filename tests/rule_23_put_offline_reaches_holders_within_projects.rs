//! DOMAIN rule 23: "Saving a role with "put its users offline" ends the
//! sessions of everyone who holds it, within a project or company-wide.
//! Explanations name the project within which a role was given."

mod common;

use callgate::{
    Change, ChangeReport, Company, Decision, DenyReason, Permissions, Resource, RoleId,
    SecurityMode, Session, UserId,
};
use common::{Clients, TestResult, add_user, give_within};

/// Clients where the role `Escalations` (queues, put its users offline) is
/// held by olga company-wide, by tess within Acme directly and by Leads
/// (gil) within Acme; dan holds another role within Acme, bob nothing.
struct Holders {
    c: Clients,
    role: RoleId,
    olga: UserId,
    dan: UserId,
}

fn holders() -> Result<Holders, callgate::Error> {
    let mut c = Clients::new(SecurityMode::Enhanced)?;
    let olga = add_user(&mut c.company, "olga", &[], &[c.acme])?;
    let dan = add_user(&mut c.company, "dan", &[], &[c.acme])?;
    let report = c.company.apply(Change::CreateRole {
        name: "Escalations".into(),
        description: String::new(),
        permissions: Permissions::QUEUES_MANAGE,
        principals: vec![olga.into()],
        put_users_offline: true,
    })?;
    let Some(callgate::Created::Role(role)) = report.created else {
        panic!("no role created: {report:?}");
    };
    give_within(
        &mut c.company,
        c.acme,
        role,
        &[c.tess.into(), c.leads.into()],
    )?;
    give_within(&mut c.company, c.acme, RoleId::OPERATOR, &[dan.into()])?;
    Ok(Holders { c, role, olga, dan })
}

fn sorted(mut users: Vec<UserId>) -> Vec<UserId> {
    users.sort();
    users
}

fn ended(company: &Company, session: &Session) -> bool {
    company
        .check_session(session, Permissions::QUEUES_VIEW, Resource::Company)
        .decision
        == Decision::Deny(DenyReason::SessionEnded)
}

/// Logs everyone in, applies the change, and checks that exactly
/// `logged_out` were logged out, named by the report, and that their new
/// logins work.
#[track_caller]
fn save_and_check(
    h: &mut Holders,
    what: &str,
    change: Change,
    logged_out: &[UserId],
) -> ChangeReport {
    let everyone: Vec<UserId> = h.c.company.users().map(|(id, _)| id).collect();
    let sessions: Vec<Session> = everyone
        .iter()
        .map(|&user| h.c.company.login(user))
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("{what}: login: {e}"));

    let report =
        h.c.company
            .apply(change)
            .unwrap_or_else(|e| panic!("{what}: refused: {e}"));

    assert_eq!(
        report.logged_out_users,
        sorted(logged_out.to_vec()),
        "{what}"
    );
    for session in &sessions {
        let user = session.user();
        if h.c.company.user(user).is_none() {
            continue;
        }
        assert_eq!(
            ended(&h.c.company, session),
            logged_out.contains(&user),
            "{what}: session of user {user}"
        );
    }
    report
}

#[test]
fn saving_an_offline_role_ends_the_sessions_of_its_holders_within_projects() -> TestResult {
    type Save = fn(&Holders) -> Change;
    let saves: [(&str, Save); 7] = [
        ("rename", |h| Change::EditRole {
            role: h.role,
            name: Some("Complaints".into()),
            description: None,
            permissions: None,
            put_users_offline: None,
        }),
        ("new description", |h| Change::EditRole {
            role: h.role,
            name: None,
            description: Some("Difficult callers".into()),
            permissions: None,
            put_users_offline: None,
        }),
        ("new permissions", |h| Change::EditRole {
            role: h.role,
            name: None,
            description: None,
            permissions: Some(Permissions::QUEUES_VIEW),
            put_users_offline: None,
        }),
        ("section switched off", |h| Change::SetSectionAccess {
            role: h.role,
            permission: Permissions::QUEUES_VIEW,
            allowed: false,
        }),
        ("section switched on", |h| Change::SetSectionAccess {
            role: h.role,
            permission: Permissions::LISTS_VIEW,
            allowed: true,
        }),
        ("setting saved again", |h| Change::EditRole {
            role: h.role,
            name: None,
            description: None,
            permissions: None,
            put_users_offline: Some(true),
        }),
        ("unassigned from the company-wide holder", |h| {
            Change::UnassignRole {
                role: h.role,
                principals: vec![h.olga.into()],
            }
        }),
    ];
    for (what, save) in saves {
        let mut h = holders()?;
        let (tess, gil, olga) = (h.c.tess, h.c.gil, h.olga);
        let change = save(&h);

        save_and_check(&mut h, what, change, &[tess, gil, olga]);

        // The host sends them to log in again; within Acme the role (as
        // saved) applies to the new sessions.
        for user in [tess, gil] {
            let session = h.c.company.login(user)?;
            let on_queue =
                h.c.company
                    .check_session(
                        &session,
                        Permissions::QUEUES_VIEW,
                        Resource::Object(h.c.acme_queue),
                    )
                    .decision;
            let expected = if what == "section switched off" {
                Decision::Deny(DenyReason::MissingPermission)
            } else {
                Decision::Allow
            };
            assert_eq!(on_queue, expected, "{what}: new login of {user}");
        }
    }
    Ok(())
}

#[test]
fn assigning_an_offline_role_company_wide_ends_the_sessions_of_its_holders_within_projects()
-> TestResult {
    let mut h = holders()?;
    let (tess, gil, olga, bob) = (h.c.tess, h.c.gil, h.olga, h.c.bob);
    let change = Change::AssignRole {
        role: h.role,
        principals: vec![bob.into()],
    };

    let report = save_and_check(&mut h, "assigned to bob", change, &[tess, gil, olga, bob]);

    assert_eq!(report.affected_users, vec![bob]);
    Ok(())
}

#[test]
fn turning_the_setting_on_ends_the_sessions_of_holders_within_projects() -> TestResult {
    let mut h = holders()?;
    // Start from a role without the setting.
    h.c.company.apply(Change::EditRole {
        role: h.role,
        name: None,
        description: None,
        permissions: None,
        put_users_offline: Some(false),
    })?;
    let (tess, gil, olga, dan) = (h.c.tess, h.c.gil, h.olga, h.dan);
    let change = Change::EditRole {
        role: h.role,
        name: None,
        description: None,
        permissions: None,
        put_users_offline: Some(true),
    };

    let report = save_and_check(&mut h, "turned on", change, &[tess, gil, olga]);

    assert!(report.affected_users.is_empty(), "{report:?}");
    assert!(!report.logged_out_users.contains(&dan));
    Ok(())
}

#[test]
fn a_role_without_the_setting_ends_no_session_but_applies_at_once() -> TestResult {
    let mut h = holders()?;
    h.c.company.apply(Change::EditRole {
        role: h.role,
        name: None,
        description: None,
        permissions: None,
        put_users_offline: Some(false),
    })?;
    let (tess, gil) = (h.c.tess, h.c.gil);
    let sessions = [h.c.company.login(tess)?, h.c.company.login(gil)?];

    let report = h.c.company.apply(Change::EditRole {
        role: h.role,
        name: None,
        description: None,
        permissions: Some(Permissions::QUEUES_VIEW),
        put_users_offline: None,
    })?;

    assert!(report.logged_out_users.is_empty(), "{report:?}");
    // Whose permissions within Acme changed.
    assert_eq!(report.affected_users, sorted(vec![tess, gil, h.olga]));
    for session in &sessions {
        let on_queue = |action| {
            h.c.company
                .check_session(session, action, Resource::Object(h.c.acme_queue))
                .decision
        };
        assert_eq!(on_queue(Permissions::QUEUES_VIEW), Decision::Allow);
        assert_eq!(
            on_queue(Permissions::QUEUES_MANAGE),
            Decision::Deny(DenyReason::MissingPermission)
        );
    }
    Ok(())
}

/// Rule 7's engine choice: deleting a role is a save of it, and it ends the
/// sessions of its company-wide holders (rule 07's test
/// `saving_a_role_that_puts_users_offline_ends_the_sessions_of_direct_and_group_holders`,
/// case "deleted"). Rule 23 and SPEC.md: "every holder, company-wide or
/// within a project, directly or through a group (before and after the
/// change)".
#[test]
fn deleting_an_offline_role_ends_the_sessions_of_its_holders_within_projects() -> TestResult {
    let mut h = holders()?;
    let (tess, gil, olga) = (h.c.tess, h.c.gil, h.olga);
    let change = Change::DeleteRole { role: h.role };

    save_and_check(&mut h, "deleted", change, &[tess, gil, olga]);
    Ok(())
}

#[test]
fn an_explanation_names_the_project_within_which_a_role_was_given() -> TestResult {
    let mut c = Clients::new(SecurityMode::Enhanced)?;
    let (tess, gil) = (c.tess, c.gil);
    give_within(
        &mut c.company,
        c.acme,
        RoleId::SUPERVISOR,
        &[tess.into(), c.leads.into()],
    )?;
    let sam = add_user(&mut c.company, "sam", &[RoleId::SUPERVISOR], &[c.acme])?;
    let queue = Resource::Object(c.acme_queue);
    let manage = Permissions::QUEUES_MANAGE;

    // Directly.
    let why = c.company.explain(tess, manage, queue);
    assert_eq!(why.decision(), Decision::Allow);
    let grants: Vec<_> = why
        .grants()
        .iter()
        .map(|g| (g.role, g.via, g.project, g.granted))
        .collect();
    assert_eq!(
        grants,
        vec![(RoleId::SUPERVISOR, None, Some(c.acme), manage)]
    );
    let text = why.to_string();
    assert!(
        text.contains("role `Supervisor` within project `Acme Bank` grants `queues.manage` (assigned directly)"),
        "{text}"
    );

    // Through a group.
    let why = c.company.explain(gil, manage, queue);
    assert_eq!(why.decision(), Decision::Allow);
    let grants: Vec<_> = why
        .grants()
        .iter()
        .map(|g| (g.role, g.via, g.project))
        .collect();
    assert_eq!(
        grants,
        vec![(RoleId::SUPERVISOR, Some(c.leads), Some(c.acme))]
    );
    let text = why.to_string();
    assert!(
        text.contains("role `Supervisor` within project `Acme Bank` grants `queues.manage` (through group `Leads`)"),
        "{text}"
    );

    // Company-wide: no project named.
    let why = c.company.explain(sam, manage, queue);
    let grants: Vec<_> = why
        .grants()
        .iter()
        .map(|g| (g.role, g.via, g.project))
        .collect();
    assert_eq!(grants, vec![(RoleId::SUPERVISOR, None, None)]);
    let text = why.to_string();
    assert!(
        text.contains("role `Supervisor` grants `queues.manage` (assigned directly)"),
        "{text}"
    );
    assert!(!text.contains("within project"), "{text}");

    // On the project itself.
    let why = c.company.explain(
        tess,
        Permissions::PROJECTS_MANAGE,
        Resource::Project(c.acme),
    );
    assert_eq!(why.decision(), Decision::Allow);
    assert!(
        why.grants().iter().all(|g| g.project == Some(c.acme)),
        "{why}"
    );
    assert!(!why.grants().is_empty());

    // Not on Globex's queue (tess is a member there too), not company-wide.
    let why = c
        .company
        .explain(tess, manage, Resource::Object(c.globex_queue));
    assert_eq!(
        why.decision(),
        Decision::Deny(DenyReason::MissingPermission)
    );
    assert!(why.grants().is_empty(), "{why}");
    assert_eq!(why.missing(), manage);
    let why = c.company.explain(tess, manage, Resource::Company);
    assert!(why.grants().is_empty(), "{why}");

    // The name is the project's current one.
    c.company.apply(Change::EditProject {
        project: c.acme,
        name: Some("Acme Retail".into()),
        description: None,
    })?;
    let text = c.company.explain(gil, manage, queue).to_string();
    assert!(text.contains("within project `Acme Retail`"), "{text}");
    Ok(())
}

#[test]
fn an_object_in_two_projects_is_explained_with_each_projects_grant() -> TestResult {
    let mut c = Clients::new(SecurityMode::Enhanced)?;
    let tess = c.tess;
    give_within(&mut c.company, c.acme, RoleId::OPERATOR, &[tess.into()])?;
    give_within(&mut c.company, c.globex, RoleId::SUPERVISOR, &[tess.into()])?;
    let why = c.company.explain(
        tess,
        Permissions::QUEUES_MANAGE,
        Resource::Object(c.shared_queue),
    );

    assert_eq!(why.decision(), Decision::Allow);
    // Operator grants nothing on a queue: only Globex's Supervisor is listed.
    let grants: Vec<_> = why.grants().iter().map(|g| (g.role, g.project)).collect();
    assert_eq!(grants, vec![(RoleId::SUPERVISOR, Some(c.globex))]);
    assert!(why.to_string().contains("within project `Globex`"), "{why}");
    Ok(())
}
