//! Answers a service can send: an `Explanation` and a `DecisionRecord`
//! serialize by names (users, roles, groups, projects, permissions and
//! resources), never by ids. The JSON shapes are pinned here; a change to
//! them is a change of the wire format.
#![cfg(feature = "serde")]

use callgate::{
    Change, Company, Decision, DenyReason, ObjectId, Permissions, Resource, RoleId, SecurityMode,
    SessionDecision, UserId,
};
use serde_json::{Value, json};

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// Two clients in enhanced security.
///
/// - `olga` opened the company (Admin).
/// - `sam` is a Supervisor, a member of `Acme Bank` directly.
/// - `anna` holds no role company-wide; her group `Acme team` is a member of
///   `Acme Bank` and holds `Queue lead` (queues.manage) within it.
/// - `Acme Bank` holds the `Acme inbound` queue, `Globex` the `Globex sales`
///   queue.
struct Fixture {
    company: Company,
    olga: UserId,
    sam: UserId,
    anna: UserId,
    acme_queue: Resource,
    globex_queue: Resource,
    acme: Resource,
}

fn fixture() -> Result<Fixture, callgate::Error> {
    let mut company = Company::new();
    let olga = company.create_user("olga")?;
    let sam = company.create_user("sam")?;
    let anna = company.create_user("anna")?;
    company.apply(Change::AssignRole {
        role: RoleId::SUPERVISOR,
        principals: vec![sam.into()],
    })?;
    let team = company.create_group("Acme team", &[anna])?;
    let lead = company.create_role(
        "Queue lead",
        "Runs a client's queues",
        Permissions::QUEUES_MANAGE,
    )?;
    company.apply(Change::SetSecurityMode {
        mode: SecurityMode::Enhanced,
    })?;
    let acme = company.create_project("Acme Bank", "Inbound support")?;
    let globex = company.create_project("Globex", "Sales campaigns")?;
    let acme_queue = company.create_object(callgate::ObjectKind::Queue, "Acme inbound")?;
    let globex_queue = company.create_object(callgate::ObjectKind::Queue, "Globex sales")?;
    company.apply(Change::AddProjectObjects {
        project: acme,
        objects: vec![acme_queue],
    })?;
    company.apply(Change::AddProjectObjects {
        project: globex,
        objects: vec![globex_queue],
    })?;
    company.apply(Change::AddProjectMembers {
        project: acme,
        principals: vec![sam.into()],
        roles: vec![],
    })?;
    company.apply(Change::AddProjectMembers {
        project: acme,
        principals: vec![team.into()],
        roles: vec![lead],
    })?;
    Ok(Fixture {
        company,
        olga,
        sam,
        anna,
        acme_queue: Resource::Object(acme_queue),
        globex_queue: Resource::Object(globex_queue),
        acme: Resource::Project(acme),
    })
}

#[test]
fn a_deny_hidden_by_projects_is_pinned_to_the_byte() -> TestResult {
    let f = fixture()?;
    let why = f
        .company
        .explain(f.sam, Permissions::QUEUES_VIEW, f.globex_queue);
    assert_eq!(
        serde_json::to_string(&why)?,
        r#"{"decision":{"deny":"hidden_by_projects"},"user":"sam","action":["queues.view"],"resource":"queue:Globex sales","grants":[{"role":"Supervisor","granted":["queues.view"]}],"missing":[],"reach":"hidden"}"#
    );
    Ok(())
}

#[test]
fn a_role_within_a_project_through_a_group_names_both() -> TestResult {
    let f = fixture()?;
    let why = f
        .company
        .explain(f.anna, Permissions::QUEUES_MANAGE, f.acme_queue);
    assert_eq!(
        serde_json::to_value(&why)?,
        json!({
            "decision": "allow",
            "user": "anna",
            "action": ["queues.manage"],
            "resource": "queue:Acme inbound",
            "grants": [{
                "role": "Queue lead",
                "via": "Acme team",
                "project": "Acme Bank",
                "granted": ["queues.manage"],
            }],
            "missing": [],
            "reach": { "project": { "name": "Acme Bank", "via": "Acme team" } },
        })
    );
    Ok(())
}

#[test]
fn every_reach_has_its_shape() -> TestResult {
    let f = fixture()?;
    let reach = |user, action, resource| -> Result<Value, serde_json::Error> {
        Ok(serde_json::to_value(f.company.explain(user, action, resource))?["reach"].take())
    };
    assert_eq!(
        reach(f.sam, Permissions::PROJECTS_VIEW, f.acme)?,
        json!({ "project": { "name": "Acme Bank" } })
    );
    assert_eq!(
        reach(f.olga, Permissions::QUEUES_MANAGE, f.globex_queue)?,
        json!("all_projects")
    );
    assert_eq!(
        reach(f.sam, Permissions::REPORTS_VIEW, Resource::Company)?,
        json!("not_scoped")
    );
    assert_eq!(
        reach(f.sam, Permissions::QUEUES_VIEW, f.globex_queue)?,
        json!("hidden")
    );
    assert_eq!(
        reach(UserId::new(99), Permissions::QUEUES_VIEW, f.acme_queue)?,
        json!("not_reached")
    );

    let mut simple = Company::new();
    let ann = simple.create_user("ann")?;
    let queue = Resource::Object(simple.create_object(callgate::ObjectKind::Queue, "Main")?);
    let why = serde_json::to_value(simple.explain(ann, Permissions::QUEUES_VIEW, queue))?;
    assert_eq!(why["reach"], json!("simple_mode"));
    Ok(())
}

#[test]
fn what_no_role_grants_is_missing() -> TestResult {
    let f = fixture()?;
    let why = f.company.explain(
        f.anna,
        Permissions::REPORTS_VIEW | Permissions::KPI_VIEW,
        Resource::Company,
    );
    assert_eq!(
        serde_json::to_value(&why)?,
        json!({
            "decision": { "deny": "missing_permission" },
            "user": "anna",
            "action": ["reports.view", "kpi.view"],
            "resource": "company",
            "grants": [],
            "missing": ["reports.view", "kpi.view"],
            "reach": "not_scoped",
        })
    );
    Ok(())
}

#[test]
fn a_testing_session_names_the_tester_and_the_role() -> TestResult {
    let f = fixture()?;
    let testing = f
        .company
        .start_testing(f.company.login(f.olga)?, RoleId::OPERATOR)?;
    let why =
        f.company
            .explain_session(&testing, Permissions::CALL_JOURNAL_VIEW, Resource::Company);
    assert_eq!(
        serde_json::to_value(&why)?,
        json!({
            "decision": "allow",
            "user": "olga",
            "testing": "Operator",
            "action": ["call_journal.view"],
            "resource": "company",
            "grants": [{ "role": "Operator", "granted": ["call_journal.view"] }],
            "missing": [],
            "reach": "not_scoped",
        })
    );
    Ok(())
}

#[test]
fn records_that_are_gone_are_null_and_the_decision_says_why() -> TestResult {
    let f = fixture()?;
    let ghost = f
        .company
        .explain(UserId::new(99), Permissions::QUEUES_VIEW, f.acme_queue);
    assert_eq!(
        serde_json::to_value(&ghost)?,
        json!({
            "decision": { "deny": "unknown_user" },
            "user": null,
            "action": ["queues.view"],
            "resource": "queue:Acme inbound",
            "grants": [],
            "missing": ["queues.view"],
            "reach": "not_reached",
        })
    );
    let nothing = Resource::Object(ObjectId::new(99));
    let why = serde_json::to_value(f.company.explain(f.sam, Permissions::QUEUES_VIEW, nothing))?;
    assert_eq!(why["decision"], json!({ "deny": "unknown_object" }));
    assert_eq!(why["resource"], Value::Null);
    Ok(())
}

#[test]
fn a_decision_record_is_pinned_to_the_byte() -> TestResult {
    let f = fixture()?;
    // Testing Operator, olga keeps her own projects (only `Default`) and
    // leaves `projects.all` behind.
    let testing = f
        .company
        .start_testing(f.company.login(f.olga)?, RoleId::OPERATOR)?;
    let action = Permissions::QUEUES_VIEW;
    let decision = f.company.check_session(&testing, action, f.globex_queue);
    let record = f
        .company
        .describe_decision(decision, action, f.globex_queue);
    assert_eq!(
        serde_json::to_string(&record)?,
        r#"{"decision":{"deny":"hidden_by_projects"},"user":"olga","testing":"Operator","action":["queues.view"],"resource":"queue:Globex sales"}"#
    );
    assert_eq!(
        record.to_string(),
        "deny (hidden by projects): user `olga` testing role `Operator` may not `queues.view` \
         on queue `Globex sales`"
    );
    assert_eq!(record.session_decision(), decision);
    assert_eq!(
        (
            record.user(),
            record.testing(),
            record.action(),
            record.resource()
        ),
        (f.olga, Some(RoleId::OPERATOR), action, f.globex_queue)
    );
    Ok(())
}

#[test]
fn a_record_is_the_first_line_of_the_explanation() -> TestResult {
    let f = fixture()?;
    let questions = [
        (f.sam, Permissions::QUEUES_VIEW, f.globex_queue),
        (f.anna, Permissions::QUEUES_MANAGE, f.acme_queue),
        (f.sam, Permissions::PROJECTS_VIEW, f.acme),
        (f.olga, Permissions::BILLING_MANAGE, Resource::Company),
        (UserId::new(99), Permissions::QUEUES_VIEW, f.acme_queue),
        (
            f.sam,
            Permissions::QUEUES_VIEW,
            Resource::Object(ObjectId::new(99)),
        ),
    ];
    for (user, action, resource) in questions {
        let session = SessionDecision::new(f.company.check(user, action, resource), user, None);
        let record = f.company.describe_decision(session, action, resource);
        let explanation = f.company.explain(user, action, resource);
        let text = explanation.to_string();
        assert_eq!(Some(record.to_string().as_str()), text.lines().next());

        // The JSON of the record is the explanation's first fields.
        let mut full = serde_json::to_value(&explanation)?;
        let full = full.as_object_mut().ok_or("not an object")?;
        for reasons in ["grants", "missing", "reach"] {
            full.remove(reasons);
        }
        assert_eq!(serde_json::to_value(record)?, Value::Object(full.clone()));
    }
    Ok(())
}

#[test]
fn a_session_ended_by_deleting_the_tested_role_keeps_the_testing_field() -> TestResult {
    let mut f = fixture()?;
    let qa = f
        .company
        .create_role("QA", "", Permissions::QA_CHECKS_MANAGE)?;
    let testing = f.company.start_testing(f.company.login(f.olga)?, qa)?;
    f.company.apply(Change::DeleteRole { role: qa })?;
    let action = Permissions::QA_CHECKS_VIEW;
    let decision = f.company.check_session(&testing, action, Resource::Company);
    assert_eq!(decision.decision, Decision::Deny(DenyReason::SessionEnded));
    let record = f
        .company
        .describe_decision(decision, action, Resource::Company);
    assert_eq!(
        serde_json::to_value(record)?,
        json!({
            "decision": { "deny": "session_ended" },
            "user": "olga",
            "testing": null,
            "action": ["qa_checks.view"],
            "resource": "company",
        })
    );
    assert_eq!(
        record.to_string(),
        format!(
            "deny (session ended: log in again): user `olga` testing role #{qa} may not \
             `qa_checks.view` in the company"
        )
    );
    Ok(())
}
