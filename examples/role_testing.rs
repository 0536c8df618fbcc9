//! Role testing (DOMAIN rules 8 and 9), told as a short story.
//!
//! An administrator tests the Operator role: she sees what an operator
//! sees, tries something an operator may not do, and logs out. Then a
//! supervisor tries to test Admin and is refused.
//!
//! Run it with `cargo run --example role_testing`.

use callgate::{CATALOG, Change, Company, Error, Permissions, Resource, RoleId, Session};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    heading(1, "A small call center");
    let mut company = Company::new();
    let ann = company.create_user("ann")?; // the first user: Admin
    let sam = company.create_user("sam")?;
    let oli = company.create_user("oli")?;
    company.apply(Change::AssignRole {
        role: RoleId::SUPERVISOR,
        principals: vec![sam.into()],
    })?;
    company.apply(Change::AssignRole {
        role: RoleId::OPERATOR,
        principals: vec![oli.into()],
    })?;
    println!("ann is the Admin, sam a Supervisor and oli an Operator.");

    heading(2, "ann logs in and presses Test on the Operator role");
    let session = company.login(ann)?;
    let testing = company.start_testing(session, RoleId::OPERATOR)?;
    let own = company.session_permissions(&session)?;
    let tested = company.session_permissions(&testing)?;
    println!(
        "As herself ann may use {} permissions; while testing, {}.",
        count(own),
        count(tested)
    );
    println!(
        "Exactly what oli, an operator, may use: {}.",
        yes_no(tested == company.effective_permissions(oli)?)
    );

    heading(3, "ann sees what an operator sees");
    for action in [
        Permissions::CALL_JOURNAL_VIEW,
        Permissions::RECORDINGS_LISTEN_ALL,
        Permissions::BILLING_VIEW,
    ] {
        explain(&company, &testing, action);
    }

    heading(4, "ann tries something an operator may not do");
    explain(&company, &testing, Permissions::ROLES_MANAGE);
    let qa = Change::CreateRole {
        name: "QA".into(),
        description: "Evaluates calls".into(),
        permissions: Permissions::QA_CHECKS_MANAGE,
        principals: vec![],
        put_users_offline: false,
    };
    match company.apply_as(&testing, qa) {
        Ok(_) => return Err("an operator must not be able to create roles".into()),
        Err(refused) => println!("Creating role `QA` is refused: {refused}."),
    }

    heading(5, "ann logs out and logs in again");
    let session = company.login(ann)?;
    if session.testing().is_some() {
        return Err("a new login must end testing".into());
    }
    println!("Her new session tests no role: she is herself again.");
    explain(&company, &session, Permissions::ROLES_MANAGE);

    heading(6, "sam, a supervisor, tries to test Admin");
    let sams = company.login(sam)?;
    match company.start_testing(sams, RoleId::ADMIN) {
        Ok(_) => return Err("a supervisor must not be able to test Admin".into()),
        Err(refused @ Error::Escalation { .. }) => println!("Refused: {refused}."),
        Err(other) => return Err(other.into()),
    }
    let sam_testing = company.start_testing(sams, RoleId::OPERATOR)?;
    println!("Testing Operator is fine, and every decision still names him:");
    explain(&company, &sam_testing, Permissions::TICKETS_CREATE);
    // The decision holds ids; the record writes the names behind them.
    let action = Permissions::TICKETS_CREATE;
    let decision = company.check_session(&sam_testing, action, Resource::Company);
    let record = company.describe_decision(decision, action, Resource::Company);
    println!("  audit line: {record}");
    #[cfg(feature = "serde")]
    println!("  as JSON: {}", serde_json::to_string(&record)?);
    Ok(())
}

fn heading(step: u32, title: &str) {
    if step > 1 {
        println!();
    }
    println!("== {step}. {title} ==");
}

/// Prints the explanation of a company-wide check through `session`.
fn explain(company: &Company, session: &Session, action: Permissions) {
    println!(
        "{}",
        company.explain_session(session, action, Resource::Company)
    );
}

/// The number of catalog permissions in a set.
fn count(permissions: Permissions) -> usize {
    CATALOG
        .iter()
        .filter(|info| permissions.contains(info.flag))
        .count()
}

fn yes_no(answer: bool) -> &'static str {
    if answer { "yes" } else { "no" }
}
