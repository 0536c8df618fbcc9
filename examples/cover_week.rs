//! A week of cover at an outsourcing call center (DOMAIN rules 24-26).
//!
//! Sam covers as Supervisor within Acme's project for a week; the host's
//! timer ends the cover on Sunday, and a replica that follows the log ends
//! it at the same revision (rule 24). An evaluator of calls cannot also be
//! made an operator, directly or through a team (rule 25). Acme's
//! autodialer may dial Acme's
//! list but not Globex's, and Acme's list cannot be taken out of Acme while
//! the autodialer uses it (rule 26).
//!
//! Run with `cargo run --example cover_week`.

use callgate::{
    Assignment, Change, Company, Permissions, Principal, Resource, RoleId, SecurityMode, Timestamp,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut primary = Company::new();
    primary.create_user("ann")?; // Admin
    primary.apply(Change::SetSecurityMode {
        mode: SecurityMode::Enhanced,
    })?;
    let acme = primary.create_project("Acme", "Client Acme")?;
    let queue = primary.apply(Change::CreateObject {
        kind: callgate::ObjectKind::Queue,
        name: "Acme inbound".into(),
        projects: vec![acme],
    })?;
    let queue = queue.created_object().ok_or("no queue")?;
    let sam = primary.create_user("sam")?;
    primary.apply(Change::add_project_members(
        acme,
        vec![Principal::from(sam)],
    ))?;

    // A replica starts from the primary's document and follows its log.
    let mut replica = Company::from_document(primary.to_document())?;
    let mut log = Vec::new();
    let mut apply = |company: &mut Company, change: Change| -> Result<(), callgate::Error> {
        let plan = company.plan(change)?;
        log.push(plan.entry().clone());
        company.commit(plan)?;
        Ok(())
    };

    let monday = Timestamp::from_unix_seconds(1_765_152_000);
    let sunday = monday.after(std::time::Duration::from_secs(6 * 86_400));
    apply(
        &mut primary,
        Change::AssignProjectRoleUntil {
            project: acme,
            role: RoleId::SUPERVISOR,
            principals: vec![sam.into()],
            until: sunday,
        },
    )?;
    let on_queue = Resource::Object(queue);
    assert!(
        primary
            .check(sam, Permissions::QUEUES_MANAGE, on_queue)
            .is_allowed()
    );
    println!(
        "{}",
        primary.explain(sam, Permissions::QUEUES_MANAGE, on_queue)
    );
    println!(
        "next expiry: {:?}",
        primary.next_expiry().map(|t| t.to_string())
    );

    // Wednesday: the timer fires early, nothing is due.
    apply(
        &mut primary,
        Change::ExpireGrants {
            now: monday.after(std::time::Duration::from_secs(2 * 86_400)),
        },
    )?;
    assert!(
        primary
            .check(sam, Permissions::QUEUES_MANAGE, on_queue)
            .is_allowed()
    );

    // Sunday: the week is over on every replica.
    apply(&mut primary, Change::ExpireGrants { now: sunday })?;
    assert!(
        !primary
            .check(sam, Permissions::QUEUES_MANAGE, on_queue)
            .is_allowed()
    );
    replica.catch_up(&log)?;
    assert_eq!(replica.revision(), primary.revision());
    assert!(
        !replica
            .check(sam, Permissions::QUEUES_MANAGE, on_queue)
            .is_allowed()
    );
    let cover = Assignment::within(acme, sam, RoleId::SUPERVISOR);
    assert_eq!(replica.grant_end(cover), None);
    println!(
        "after {sunday}: sam's cover has ended on the primary and the replica (revision {})",
        replica.revision()
    );

    duties_kept_apart(&mut primary)?;
    projects_kept_whole(&mut primary, acme)?;
    Ok(())
}

/// Rule 25: whoever evaluates calls does not answer them.
fn duties_kept_apart(company: &mut Company) -> Result<(), Box<dyn std::error::Error>> {
    use callgate::{Duty, Error};
    let evaluator = company.create_role(
        "Call evaluator",
        "Scores recorded calls",
        Permissions::QA_CHECKS_MANAGE,
    )?;
    company.apply(Change::DeclareDutyConstraint {
        first: Duty::Role(evaluator),
        second: Duty::Role(RoleId::OPERATOR),
    })?;
    let eve = company.create_user("eve")?;
    company.apply(Change::AssignRole {
        role: evaluator,
        principals: vec![eve.into()],
    })?;
    let refused = company
        .apply(Change::AssignRole {
            role: RoleId::OPERATOR,
            principals: vec![eve.into()],
        })
        .expect_err("an evaluator does not answer calls");
    assert!(matches!(refused, Error::DutiesSeparated { .. }));
    println!("refused: {refused}");
    // Nor through a team that answers calls.
    let night = company.create_group("Night shift", &[])?;
    company.apply(Change::AssignRole {
        role: RoleId::OPERATOR,
        principals: vec![night.into()],
    })?;
    let refused = company
        .apply(Change::AddGroupMembers {
            group: night,
            users: vec![eve],
        })
        .expect_err("not through a group either");
    println!("refused: {refused}");
    Ok(())
}

/// Rule 26: an autodialer uses only lists that share a project with it.
fn projects_kept_whole(
    company: &mut Company,
    acme: callgate::ProjectId,
) -> Result<(), Box<dyn std::error::Error>> {
    use callgate::{Error, ObjectKind};
    let globex = company.create_project("Globex", "Client Globex")?;
    let mut object = |kind, name: &str, project| -> Result<callgate::ObjectId, Error> {
        let report = company.apply(Change::CreateObject {
            kind,
            name: name.into(),
            projects: vec![project],
        })?;
        Ok(report.created_object().expect("an object"))
    };
    let dialer = object(ObjectKind::Autodialer, "Acme spring campaign", acme)?;
    let acme_list = object(ObjectKind::List, "Acme leads", acme)?;
    let globex_list = object(ObjectKind::List, "Globex customers", globex)?;

    company.apply(Change::SetObjectReferences {
        object: dialer,
        uses: vec![acme_list],
    })?;
    let refused = company
        .apply(Change::SetObjectReferences {
            object: dialer,
            uses: vec![acme_list, globex_list],
        })
        .expect_err("Globex's list is not Acme's");
    assert!(matches!(refused, Error::ReferenceCrossesProjects { .. }));
    println!("refused: {refused}");
    let refused = company
        .preview(Change::RemoveProjectObjects {
            project: acme,
            objects: vec![acme_list],
        })
        .expect_err("the autodialer still uses the list");
    println!("refused: {refused}");
    let refused = company
        .apply(Change::DeleteObject { object: acme_list })
        .expect_err("a used list is not deleted");
    assert!(matches!(refused, Error::ObjectInUse { .. }));
    println!("refused: {refused}");
    Ok(())
}
