//! Access from inside a section: `cargo run --example section_access`.
//!
//! Standing on a page of the product (here the call journal), an
//! administrator sees every role with a switch next to it. The switches are
//! the same data as the roles' permissions, seen from the section's side:
//! one column of the role x permission matrix. Flipping one edits the role.
//! The built-in roles' switches are read-only.

use callgate::{
    Change, Company, Decision, DenyReason, Error, Permissions, Resource, RoleId, UserId,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut company = Company::new();
    let _olga = company.create_user("olga")?; // the first user: Admin
    let quinn = company.create_user("quinn")?;
    let qa = company.create_role(
        "QA",
        "Evaluation sheets and checks",
        Permissions::QA_SHEETS_MANAGE | Permissions::QA_CHECKS_MANAGE,
    )?;
    let sales = company.create_role("Sales manager", "", Permissions::REPORTS_VIEW)?;
    company.apply(Change::AssignRole {
        role: qa,
        principals: vec![quinn.into()],
    })?;

    let journal = Permissions::CALL_JOURNAL_VIEW;
    let info = journal
        .info()
        .ok_or("call_journal.view is in the catalog")?;
    heading(&format!(
        "1. Olga opens the {} section (`{}`: {})",
        info.section, info.name, info.description
    ));
    print_switches(&company, journal)?;

    heading("2. QA evaluates calls, so quinn needs the journal");
    let before = company.check(quinn, journal, Resource::Company);
    println!(
        "before: {}",
        company.explain(quinn, journal, Resource::Company)
    );
    let report = company.set_section_access(qa, journal, true)?;
    println!(
        "olga switches `QA` on; the change affects: {}",
        names(&company, &report.affected_users)
    );
    println!(
        "after:  {}",
        company.explain(quinn, journal, Resource::Company)
    );
    print_switches(&company, journal)?;
    if before != Decision::Deny(DenyReason::MissingPermission)
        || !company
            .check(quinn, journal, Resource::Company)
            .is_allowed()
    {
        return Err("the QA switch should have let quinn into the call journal".into());
    }
    // The switch edited the role itself: the same data, seen from the role.
    print_grants(&company, qa)?;

    heading("3. Built-in switches are read-only");
    let refused = company.set_section_access(RoleId::OPERATOR, journal, false);
    match refused {
        Err(error @ Error::BuiltinRole { .. }) => println!("refused: {error}"),
        other => return Err(format!("expected a refusal, got {other:?}").into()),
    }
    print_switches(&company, journal)?;

    heading("4. View and manage switches move together");
    let sheets = Permissions::QA_SHEETS_VIEW;
    println!("switching `qa_sheets.view` off for `QA` also switches `qa_sheets.manage` off:");
    company.set_section_access(qa, sheets, false)?;
    print_grants(&company, qa)?;
    println!("switching `reports.manage` on for `Sales manager` switches `reports.view` on too:");
    company.set_section_access(sales, Permissions::REPORTS_MANAGE, true)?;
    print_grants(&company, sales)?;
    if company
        .check(quinn, Permissions::QA_SHEETS_VIEW, Resource::Company)
        .is_allowed()
    {
        return Err("quinn should have lost the evaluation sheets".into());
    }

    heading("5. A switch is one permission, never a set");
    match company.section_of(Permissions::FINANCE) {
        Err(error) => println!("refused: {error}"),
        Ok(_) => return Err("a composite is not a section".into()),
    }
    Ok(())
}

/// Prints every role's switch for one permission, as its section's page
/// shows them.
fn print_switches(
    company: &Company,
    permission: Permissions,
) -> Result<(), Box<dyn std::error::Error>> {
    let section = company.section_of(permission)?;
    let row = section.row(permission).ok_or("a row of its own section")?;
    println!("  in section `{}`, `{}`:", section.name(), row.name());
    for switch in row.switches() {
        let name = company.role(switch.role).map_or("?", |role| role.name());
        let state = if switch.allowed { "[on] " } else { "[off]" };
        let lock = if switch.read_only {
            "  (built-in, read-only)"
        } else {
            ""
        };
        println!("  {state} {name}{lock}");
    }
    Ok(())
}

/// Prints every switch a role has on, one catalog name each.
fn print_grants(company: &Company, role: RoleId) -> Result<(), Box<dyn std::error::Error>> {
    let record = company.role(role).ok_or("the role exists")?;
    let on: Vec<&str> = record
        .permissions()
        .entries()
        .map(|info| info.name)
        .collect();
    println!("  role `{}` has on: {}", record.name(), on.join(", "));
    Ok(())
}

/// The names of some users, for messages.
fn names(company: &Company, users: &[UserId]) -> String {
    let names: Vec<&str> = users
        .iter()
        .filter_map(|&user| company.user(user).map(|u| u.name()))
        .collect();
    names.join(", ")
}

fn heading(text: &str) {
    println!("\n{text}\n{}", "-".repeat(text.chars().count()));
}
