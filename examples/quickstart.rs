//! A tour of callgate in one run: `cargo run --example quickstart`.
//!
//! Northwind Contact is an outsourcing call center. It answers calls for two
//! clients, Acme Bank and Globex Telecom, and keeps each client's queues,
//! campaigns and scripts away from the other client's staff. The example
//! builds that company, asks a dozen questions, prints every answer with its
//! reasons, and ends with the role x permission matrix.

use callgate::{
    Change, Company, Decision, DenyReason, ObjectKind, Permissions, Resource, RoleId, SecurityMode,
    UserId,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let title = "Northwind Contact: an outsourcing call center, checked by callgate";
    println!("{title}\n{}", "=".repeat(title.len()));

    let mut company = Company::new();

    heading("1. Olga opens the company");
    // The first user of a company is given the Admin role.
    let olga = company.create_user("olga")?;
    company.apply(Change::SetSecurityMode {
        mode: SecurityMode::Enhanced,
    })?;
    say("olga signed up first, so she holds Admin.");
    say("She switches security to enhanced: from now on roles *and* projects decide.");
    say("The switch made the `Default` project, holding everyone who existed then: olga.");

    heading("2. Two clients sign, each becomes a project");
    let acme = company.create_project("Acme Bank", "Inbound support for Acme Bank")?;
    let globex = company.create_project("Globex Telecom", "Sales campaigns for Globex")?;

    let acme_inbound = company.create_object(ObjectKind::Queue, "Acme inbound")?;
    let acme_script = company.create_object(ObjectKind::CallScript, "Acme card blocking")?;
    company.apply(Change::AddProjectObjects {
        project: acme,
        objects: vec![acme_inbound, acme_script],
    })?;

    let globex_sales = company.create_object(ObjectKind::Queue, "Globex sales")?;
    let globex_dialer = company.create_object(ObjectKind::Autodialer, "Globex winback")?;
    let globex_sip = company.create_object(ObjectKind::SipProvider, "Globex trunk")?;
    company.apply(Change::AddProjectObjects {
        project: globex,
        objects: vec![globex_sales, globex_dialer, globex_sip],
    })?;
    say("Acme Bank holds a queue and a call script;");
    say("Globex Telecom holds a queue, an autodialer and a SIP provider.");

    heading("3. Staff are hired: a supervisor and a team per client, one QA desk");
    let sam = company.create_user("sam")?;
    let sara = company.create_user("sara")?;
    let anna = company.create_user("anna")?;
    let boris = company.create_user("boris")?;
    let chen = company.create_user("chen")?;
    let dana = company.create_user("dana")?;
    let quinn = company.create_user("quinn")?;

    // Supervisors hold the built-in Supervisor role directly...
    company.apply(Change::AssignRole {
        role: RoleId::SUPERVISOR,
        principals: vec![sam.into(), sara.into()],
    })?;
    // ...operators hold Operator through their team.
    let acme_team = company.create_group("Acme team", &[anna, boris])?;
    let globex_team = company.create_group("Globex team", &[chen, dana])?;
    company.apply(Change::AssignRole {
        role: RoleId::OPERATOR,
        principals: vec![acme_team.into(), globex_team.into()],
    })?;
    // A custom role for quality assurance, held through the QA desk group.
    let qa = company.create_role(
        "QA",
        "Evaluation sheets and checks of calls",
        Permissions::QA_SHEETS_MANAGE
            | Permissions::QA_CHECKS_MANAGE
            | Permissions::RECORDINGS_LISTEN_ALL
            | Permissions::CALL_SCRIPTS_VIEW,
    )?;
    let qa_desk = company.create_group("QA desk", &[quinn])?;
    company.apply(Change::AssignRole {
        role: qa,
        principals: vec![qa_desk.into()],
    })?;

    // Each client's staff join its project; the QA desk works for both.
    company.apply(Change::add_project_members(
        acme,
        [sam.into(), acme_team.into(), qa_desk.into()],
    ))?;
    company.apply(Change::add_project_members(
        globex,
        [sara.into(), globex_team.into(), qa_desk.into()],
    ))?;
    say("sam supervises Acme Bank, sara supervises Globex Telecom.");
    say(
        "anna and boris (group `Acme team`) and chen and dana (group `Globex team`) are operators.",
    );
    say(
        "quinn sits in the `QA desk` group, which holds the custom `QA` role and joins both projects.",
    );

    heading("4. Twelve questions, each answered with its reasons");
    let hidden = Decision::Deny(DenyReason::HiddenByProjects);
    let missing = Decision::Deny(DenyReason::MissingPermission);
    let checks: [(&str, UserId, Permissions, Resource, Decision); 12] = [
        (
            "Sam runs the Acme floor: may he edit the Acme queue?",
            sam,
            Permissions::QUEUES_MANAGE,
            Resource::Object(acme_inbound),
            Decision::Allow,
        ),
        (
            "May sam peek at Globex's sales queue?",
            sam,
            Permissions::QUEUES_VIEW,
            Resource::Object(globex_sales),
            hidden,
        ),
        (
            "Sara starts the Globex winback campaign.",
            sara,
            Permissions::AUTODIALERS_MANAGE,
            Resource::Object(globex_dialer),
            Decision::Allow,
        ),
        (
            "May sara read Acme's call script?",
            sara,
            Permissions::CALL_SCRIPTS_VIEW,
            Resource::Object(acme_script),
            hidden,
        ),
        (
            "Anna, an operator, opens the call journal.",
            anna,
            Permissions::CALL_JOURNAL_VIEW,
            Resource::Company,
            Decision::Allow,
        ),
        (
            "May anna open the settings of her own project's queue? (roles still apply inside projects)",
            anna,
            Permissions::QUEUES_VIEW,
            Resource::Object(acme_inbound),
            missing,
        ),
        (
            "May anna see the Globex queue? (hidden comes before missing)",
            anna,
            Permissions::QUEUES_VIEW,
            Resource::Object(globex_sales),
            hidden,
        ),
        (
            "Quinn reads the Acme script while scoring a call.",
            quinn,
            Permissions::CALL_SCRIPTS_VIEW,
            Resource::Object(acme_script),
            Decision::Allow,
        ),
        (
            "May quinn change the security settings?",
            quinn,
            Permissions::SECURITY_MANAGE,
            Resource::Company,
            missing,
        ),
        (
            "May sam look at the company's billing? (Supervisor has no finance)",
            sam,
            Permissions::BILLING_VIEW,
            Resource::Company,
            missing,
        ),
        (
            "Olga, not a member of Globex, fixes its SIP trunk.",
            olga,
            Permissions::SIP_PROVIDERS_MANAGE,
            Resource::Object(globex_sip),
            Decision::Allow,
        ),
        (
            "Asking for an autodialer permission on a queue makes no sense.",
            sara,
            Permissions::AUTODIALERS_MANAGE,
            Resource::Object(globex_sales),
            Decision::Deny(DenyReason::NotApplicable),
        ),
    ];
    for (number, (question, user, action, resource, expected)) in checks.into_iter().enumerate() {
        println!("\n4.{}. {question}", number + 1);
        let explanation = company.explain(user, action, resource);
        println!("{explanation}");
        if explanation.decision() != expected {
            return Err(format!("expected {expected}, got {}", explanation.decision()).into());
        }
    }

    heading("5. Who may do what: the role x permission matrix (* = built-in)");
    print!("{}", company.matrix());
    Ok(())
}

fn heading(text: &str) {
    println!("\n{text}\n{}", "-".repeat(text.chars().count()));
}

fn say(text: &str) {
    println!("{text}");
}
