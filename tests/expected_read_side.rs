//! The read side of a service (`Publisher`, `Reader`, `View`): readers see
//! whole changes only, a view keeps answering from its own state, and a
//! refused change publishes nothing.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use callgate::{
    Change, Company, Decision, DenyReason, ObjectKind, Permissions, Publisher, Resource, RoleId,
};

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// Olga (Admin), sam, and the queue `Acme inbound`.
fn company() -> Result<(Company, callgate::UserId, callgate::ObjectId), callgate::Error> {
    let mut company = Company::new();
    company.create_user("olga")?;
    let sam = company.create_user("sam")?;
    let queue = company.create_object(ObjectKind::Queue, "Acme inbound")?;
    Ok((company, sam, queue))
}

#[test]
fn a_view_answers_from_the_state_it_was_published_in() -> TestResult {
    let (company, sam, queue) = company()?;
    let mut publisher = Publisher::new(company);
    let reader = publisher.reader();
    let before = reader.view();

    publisher.apply(Change::AssignRole {
        role: RoleId::SUPERVISOR,
        principals: vec![sam.into()],
    })?;
    publisher.apply(Change::RenameUser {
        user: sam,
        name: "samuel".into(),
    })?;
    let after = reader.view();

    let resource = Resource::Object(queue);
    assert_eq!(
        before.check(sam, Permissions::QUEUES_VIEW, resource),
        Decision::Deny(DenyReason::MissingPermission)
    );
    assert_eq!(before.user_by_name("sam"), Some(sam));
    assert_eq!(before.user_by_name("samuel"), None);
    assert!(
        before
            .explain(sam, Permissions::QUEUES_VIEW, resource)
            .to_string()
            .contains("user `sam`")
    );

    assert!(
        after
            .check(sam, Permissions::QUEUES_VIEW, resource)
            .is_allowed()
    );
    assert_eq!(after.user_by_name("samuel"), Some(sam));
    assert_eq!(after.user_by_name("sam"), None);
    assert_eq!(after.resource_by_name("queue:Acme inbound")?, resource);
    assert_eq!(after.revision(), before.revision() + 2);
    assert_eq!(after.revision(), publisher.company().revision());
    Ok(())
}

#[test]
fn a_refused_change_publishes_nothing() -> TestResult {
    let (company, sam, _) = company()?;
    let mut publisher = Publisher::new(company);
    let reader = publisher.reader();
    let revision = reader.revision();
    let refused = publisher.apply(Change::DeleteUser {
        user: callgate::UserId::new(99),
    });
    assert!(refused.is_err());
    assert_eq!(reader.revision(), revision);
    let session = publisher.company().login(sam)?;
    let escalation = publisher.apply_as(
        &session,
        Change::AssignRole {
            role: RoleId::ADMIN,
            principals: vec![sam.into()],
        },
    );
    assert!(escalation.is_err());
    assert_eq!(reader.revision(), revision);
    assert_eq!(
        reader.check(sam, Permissions::SECURITY_MANAGE, Resource::Company),
        Decision::Deny(DenyReason::MissingPermission)
    );
    Ok(())
}

#[test]
fn a_plan_stored_then_committed_is_published() -> TestResult {
    let (company, sam, queue) = company()?;
    let mut publisher = Publisher::new(company);
    let reader = publisher.reader();
    let plan = publisher.company().plan(Change::AssignRole {
        role: RoleId::OPERATOR,
        principals: vec![sam.into()],
    })?;
    let stored = plan.entry().clone(); // the host's write
    assert_eq!(reader.revision(), stored.revision);
    publisher.commit(plan)?;
    assert_eq!(reader.revision(), stored.revision + 1);
    assert_eq!(
        reader.check(sam, Permissions::QUEUES_MANAGE, Resource::Object(queue)),
        Decision::Deny(DenyReason::MissingPermission)
    );
    assert!(
        reader
            .check(sam, Permissions::CALL_JOURNAL_VIEW, Resource::Company)
            .is_allowed()
    );
    Ok(())
}

/// A writer moves sam between Supervisor and Operator in one `edit` of two
/// changes at a time; readers on other threads must always see him hold
/// exactly one of the two, never both or neither (half a change).
#[test]
fn readers_on_other_threads_never_see_half_an_edit() -> TestResult {
    let (mut company, sam, _) = company()?;
    company.apply(Change::AssignRole {
        role: RoleId::SUPERVISOR,
        principals: vec![sam.into()],
    })?;
    let start = company.revision();
    let mut publisher = Publisher::new(company);
    let done = Arc::new(AtomicBool::new(false));
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let reader = publisher.reader();
            let done = Arc::clone(&done);
            std::thread::spawn(move || {
                let mut seen = 0u32;
                while !done.load(Ordering::Relaxed) || seen == 0 {
                    let view = reader.view();
                    let holds = |role| view.user(sam).is_some_and(|u| u.roles().any(|r| r == role));
                    assert!(
                        holds(RoleId::SUPERVISOR) != holds(RoleId::OPERATOR),
                        "revision {}: half an edit",
                        view.revision()
                    );
                    seen += 1;
                }
                seen
            })
        })
        .collect();
    for round in 0..200 {
        let (from, to) = if round % 2 == 0 {
            (RoleId::SUPERVISOR, RoleId::OPERATOR)
        } else {
            (RoleId::OPERATOR, RoleId::SUPERVISOR)
        };
        publisher.edit(|company| -> Result<(), callgate::Error> {
            company.apply(Change::AssignRole {
                role: to,
                principals: vec![sam.into()],
            })?;
            company.apply(Change::UnassignRole {
                role: from,
                principals: vec![sam.into()],
            })?;
            Ok(())
        })?;
    }
    done.store(true, Ordering::Relaxed);
    for reader in readers {
        let seen = reader.join().map_err(|_| "a reader panicked")?;
        assert!(seen > 0);
    }
    assert_eq!(publisher.reader().revision(), start + 400);
    Ok(())
}

/// A replica follows its primary's log through its own publisher: what it
/// applied is published, and its readers see the primary's state.
#[test]
fn a_replica_publishes_what_it_catches_up_on() -> TestResult {
    let (mut primary, sam, queue) = company()?;
    let start = primary.revision();
    let mut replica = Publisher::new(primary.clone());
    let reader = replica.reader();
    let mut log = Vec::new();
    for change in [
        Change::AssignRole {
            role: RoleId::SUPERVISOR,
            principals: vec![sam.into()],
        },
        Change::RenameObject {
            object: queue,
            name: "Acme night".into(),
        },
    ] {
        let plan = primary.plan(change)?;
        log.push(plan.entry().clone());
        primary.commit(plan)?;
    }
    assert_eq!(replica.catch_up(&log)?, 2);
    assert_eq!(reader.revision(), start + 2);
    assert_eq!(
        reader.view().resource_by_name("queue:Acme night")?,
        Resource::Object(queue)
    );
    assert_eq!(
        replica.catch_up(&log)?,
        0,
        "entries already applied are skipped"
    );
    let company = replica.into_company();
    assert_eq!(company.revision(), primary.revision());
    assert_eq!(format!("{company:?}"), format!("{primary:?}"));
    Ok(())
}

#[test]
fn views_readers_and_publishers_show_their_revision() -> TestResult {
    let (company, _, _) = company()?;
    let revision = company.revision();
    let publisher = Publisher::new(company);
    let shown = format!("{revision}");
    assert!(format!("{publisher:?}").contains(&shown));
    assert!(format!("{:?}", publisher.reader()).contains(&shown));
    assert!(format!("{:?}", publisher.reader().view()).contains(&shown));
    Ok(())
}

#[test]
fn views_and_readers_are_send_sync_and_clone() {
    fn shareable<T: Send + Sync + Clone + 'static>() {}
    shareable::<callgate::View>();
    shareable::<callgate::Reader>();
}
