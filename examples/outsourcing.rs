//! One company, two clients: `cargo run --example outsourcing`.
//!
//! Northwind Contact has run in simple security for a while: roles alone
//! decide. It signs two clients, Acme Bank and Globex Telecom, and must keep
//! each client's queues, autodialers, SIP providers, call scripts and lists
//! out of sight of the other client's staff. The example:
//!
//! 1. switches to enhanced security, which makes the `Default` project with
//!    every existing user and object;
//! 2. sets each client up as a project with its own objects and staff;
//! 3. shows that neither client's staff can see the other's objects;
//! 4. moves a supervisor from `Default` to a client project: adding him to
//!    the new project is not enough, he must also leave `Default`;
//! 5. switches back to simple security and forth again: the projects come
//!    back as they were, and `Default` is not made a second time;
//! 6. staffs a team lead on both clients with roles within projects: she
//!    supervises Acme Bank and takes calls for Globex Telecom, and her
//!    Supervisor role within Acme opens nothing company-wide.
//!
//! Every claim is checked; the example exits with an error if one fails.

use callgate::{
    Change, Company, Created, Decision, DenyReason, Error, GroupId, NewUser, ObjectId, ObjectKind,
    Permissions, Principal, ProjectId, Resource, RoleId, SecurityMode, UserId,
};

/// The five kinds of object each client gets, with a name suffix.
const CLIENT_OBJECTS: [(ObjectKind, &str); 5] = [
    (ObjectKind::Queue, "inbound"),
    (ObjectKind::Autodialer, "campaign"),
    (ObjectKind::SipProvider, "trunk"),
    (ObjectKind::CallScript, "script"),
    (ObjectKind::List, "contacts"),
];

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

fn main() -> Result {
    let mut company = Company::new();

    heading("1. Before the clients: simple security, roles alone decide");
    let olga = company.create_user("olga")?; // the first user: Admin
    let sam = company.create_user("sam")?;
    company.apply(Change::AssignRole {
        role: RoleId::SUPERVISOR,
        principals: vec![sam.into()],
    })?;
    let main_queue = company.create_object(ObjectKind::Queue, "Main inbound")?;
    println!("olga (Admin) and sam (Supervisor) run one queue, `Main inbound`.");

    heading("2. Enhanced security: the Default project appears");
    let report = company.apply(Change::SetSecurityMode {
        mode: SecurityMode::Enhanced,
    })?;
    let default = company
        .default_project()
        .ok_or("the first switch to enhanced makes the Default project")?;
    ensure(
        report.created == Some(Created::Project(default)),
        "the switch reports the Default project it created",
    )?;
    describe_project(&company, default)?;
    ensure(
        company.project_members(default)? == vec![olga, sam],
        "Default holds every existing user",
    )?;

    heading("3. Each client becomes a project with its own objects and staff");
    let acme = setup_client(&mut company, "Acme", "Acme Bank")?;
    let globex = setup_client(&mut company, "Globex", "Globex Telecom")?;
    // New staff are created straight into their team and project, so they
    // never join Default.
    let anna = hire(&mut company, "anna", RoleId::OPERATOR, &acme)?;
    let sara = hire(&mut company, "sara", RoleId::SUPERVISOR, &globex)?;
    // Gus leads the Globex floor with a custom role that may view and manage
    // every kind of project-scoped object, and nothing else.
    let lead = company.create_role("Team lead", "Runs one client's floor", Permissions::OBJECTS)?;
    let gus = hire(&mut company, "gus", lead, &globex)?;
    // Each team is a member of its client's project, and holds Operator.
    for client in [&acme, &globex] {
        company.apply(Change::add_project_members(
            client.project,
            [client.team.into()],
        ))?;
        company.apply(Change::AssignRole {
            role: RoleId::OPERATOR,
            principals: vec![client.team.into()],
        })?;
        describe_project(&company, client.project)?;
    }

    heading("4. Staff of one client cannot see the other's objects");
    for (user, own, other) in [(sara, &globex, &acme), (gus, &globex, &acme)] {
        show_visible(&company, user)?;
        for &object in &own.objects {
            expect(&company, user, object, Decision::Allow)?;
        }
        for &object in &other.objects {
            expect(
                &company,
                user,
                object,
                Decision::Deny(DenyReason::HiddenByProjects),
            )?;
        }
    }
    // Anna, an operator, holds no object permission at all, but the other
    // client's objects are hidden from her before that is looked at: a
    // denial never reveals that they exist.
    show_visible(&company, anna)?;
    for &object in &globex.objects {
        expect(
            &company,
            anna,
            object,
            Decision::Deny(DenyReason::HiddenByProjects),
        )?;
    }
    for &object in &acme.objects {
        expect(
            &company,
            anna,
            object,
            Decision::Deny(DenyReason::MissingPermission),
        )?;
    }
    println!(
        "Every Globex object is hidden from Acme staff, and every Acme object from Globex staff:"
    );
    println!(
        "{}",
        company.explain(
            anna,
            Permissions::LISTS_VIEW,
            Resource::Object(globex.objects[4])
        )
    );

    heading("5. Sam moves from Default to Acme Bank");
    company.apply(Change::add_project_members(acme.project, [sam.into()]))?;
    println!("Added to Acme Bank, sam is still in Default, so he still sees `Main inbound`:");
    show_visible(&company, sam)?;
    expect(&company, sam, main_queue, Decision::Allow)?;

    company.apply(Change::RemoveProjectMembers {
        project: default,
        principals: vec![sam.into()],
    })?;
    println!("Removed from Default, he sees Acme Bank's objects only:");
    show_visible(&company, sam)?;
    expect(
        &company,
        sam,
        main_queue,
        Decision::Deny(DenyReason::HiddenByProjects),
    )?;
    expect(&company, sam, acme.objects[0], Decision::Allow)?;

    heading("6. Back to simple security, and forth again");
    let projects_before: Vec<ProjectId> = company.projects().map(|(id, _)| id).collect();
    company.apply(Change::SetSecurityMode {
        mode: SecurityMode::Simple,
    })?;
    println!("In simple security, roles alone decide: sam sees every client's objects.");
    expect(&company, sam, globex.objects[0], Decision::Allow)?;
    show_visible(&company, sam)?;

    let report = company.apply(Change::SetSecurityMode {
        mode: SecurityMode::Enhanced,
    })?;
    ensure(
        report.created.is_none(),
        "the second switch to enhanced creates nothing",
    )?;
    let projects_after: Vec<ProjectId> = company.projects().map(|(id, _)| id).collect();
    ensure(
        projects_after == projects_before,
        "the projects come back as they were",
    )?;
    ensure(
        company.default_project() == Some(default),
        "Default is the same project",
    )?;
    expect(
        &company,
        sam,
        globex.objects[0],
        Decision::Deny(DenyReason::HiddenByProjects),
    )?;
    println!(
        "Enhanced again: the same {} projects, one Default, and Globex hidden from sam once more.",
        projects_after.len()
    );
    show_visible(&company, sam)?;

    heading("7. A team lead on two clients: roles within projects");
    let tara = staff_team_lead(&mut company, &acme, &globex)?;
    check_team_lead(&company, tara, &acme, &globex)?;
    show_acme_roles(&company, tara, &acme)?;
    Ok(())
}

/// One client: its project, its team and its five objects.
struct Client {
    project: ProjectId,
    team: GroupId,
    objects: Vec<ObjectId>,
}

/// Makes a client's project, its (empty) team and one object of each of the
/// five kinds, held by the project only.
fn setup_client(company: &mut Company, name: &str, client: &str) -> Result<Client> {
    let project = company.create_project(client, format!("Everything we run for {client}"))?;
    let team = company.create_group(format!("{name} team"), &[])?;
    let mut objects = Vec::new();
    for (kind, suffix) in CLIENT_OBJECTS {
        objects.push(company.create_object(kind, format!("{name} {suffix}"))?);
    }
    company.apply(Change::AddProjectObjects {
        project,
        objects: objects.clone(),
    })?;
    Ok(Client {
        project,
        team,
        objects,
    })
}

/// Creates a user with one role, in the client's team and project, as one
/// all-or-nothing change.
fn hire(company: &mut Company, name: &str, role: RoleId, client: &Client) -> Result<UserId> {
    let hire = NewUser::new(name)
        .role(role)
        .group(client.team)
        .project(client.project);
    Ok(company.create_user(hire)?)
}

/// Hires tara, an Operator company-wide, and gives her a role within each
/// client's project: Supervisor within Acme Bank, an agent role within
/// Globex Telecom (DOMAIN rules 20 and 22).
fn staff_team_lead(company: &mut Company, acme: &Client, globex: &Client) -> Result<UserId> {
    // Company-wide she is an Operator, like the rest of the floor: the
    // softphone and the journals. She joins no project at creation.
    let tara = company.create_user(NewUser::new("tara").role(RoleId::OPERATOR))?;
    // Rule 20: a role can be given at the moment a member is added.
    company.apply(Change::add_project_members_with_roles(
        acme.project,
        [tara.into()],
        [RoleId::SUPERVISOR],
    ))?;
    company.apply(Change::add_project_members(globex.project, [tara.into()]))?;
    // Rule 20: a role within a project opens that project and its objects,
    // nothing else. The built-in Operator holds company-wide sections only
    // (workplace, journals, recordings), so within Globex it adds nothing.
    let give_tara = |project, role| Change::AssignProjectRole {
        project,
        role,
        principals: vec![tara.into()],
    };
    company.apply(give_tara(globex.project, RoleId::OPERATOR))?;
    ensure(
        company.permissions_in_project(tara, globex.project)?
            == company.effective_permissions(tara)?,
        "Operator within Globex adds nothing to Operator company-wide",
    )?;
    println!("Operator within Globex Telecom adds nothing: its sections are company-wide.");
    company.apply(Change::UnassignProjectRole {
        project: globex.project,
        role: RoleId::OPERATOR,
        principals: vec![tara.into()],
    })?;
    // What an agent needs on a client's objects is a custom role: see its
    // queues, call scripts and contact lists, change none of them.
    let agent = company.create_role(
        "Client agent",
        "Takes a client's calls",
        Permissions::QUEUES_VIEW | Permissions::CALL_SCRIPTS_VIEW | Permissions::LISTS_VIEW,
    )?;
    company.apply(give_tara(globex.project, agent))?;
    // Rule 22: Admin (and `projects.all`) apply company-wide only.
    let refused = company.apply(give_tara(globex.project, RoleId::ADMIN));
    let Err(error @ Error::CompanyWideRole { .. }) = refused else {
        return Err("Admin cannot be given within a project".into());
    };
    println!("Refused: {error}");
    println!("tara is an Operator company-wide,");
    println!("  Supervisor within Acme Bank and Client agent within Globex Telecom:");
    Ok(tara)
}

/// Shows what tara may do: manage Acme Bank's objects, view Globex
/// Telecom's, and nothing more company-wide than an Operator (rules 20, 21).
fn check_team_lead(company: &Company, tara: UserId, acme: &Client, globex: &Client) -> Result {
    let (allow, missing) = (
        Decision::Allow,
        Decision::Deny(DenyReason::MissingPermission),
    );
    let acme_queue = Resource::Object(acme.objects[0]);
    let acme_dialer = Resource::Object(acme.objects[1]);
    let globex_queue = Resource::Object(globex.objects[0]);
    let globex_dialer = Resource::Object(globex.objects[1]);
    let (in_acme, in_globex) = (
        Resource::Project(acme.project),
        Resource::Project(globex.project),
    );
    let company_wide = Resource::Company;
    expect_decisions(
        company,
        tara,
        &[
            // Rule 21: on a client's objects, the roles given within its
            // project count...
            (Permissions::QUEUES_MANAGE, acme_queue, allow),
            (Permissions::AUTODIALERS_MANAGE, acme_dialer, allow),
            (Permissions::QUEUES_VIEW, globex_queue, allow),
            (Permissions::QUEUES_MANAGE, globex_queue, missing),
            (Permissions::AUTODIALERS_VIEW, globex_dialer, missing),
            // ... and on the project itself (rule 20).
            (Permissions::PROJECTS_MANAGE, in_acme, allow),
            (Permissions::PROJECTS_MANAGE, in_globex, missing),
            // Rule 20: company-wide, only her company-wide Operator role
            // counts, not what Supervisor would grant (users, reports...).
            (Permissions::CALL_JOURNAL_VIEW, company_wide, allow),
            (Permissions::USERS_MANAGE, company_wide, missing),
            (Permissions::REPORTS_VIEW, company_wide, missing),
            (Permissions::BILLING_VIEW, company_wide, missing),
            (Permissions::SECURITY_VIEW, company_wide, missing),
        ],
    )?;
    ensure(
        company
            .permissions_in_project(tara, acme.project)?
            .contains(Permissions::QUEUES_MANAGE)
            && !company
                .effective_permissions(tara)?
                .contains(Permissions::QUEUES_VIEW),
        "queues.manage holds within Acme Bank only, not company-wide",
    )?;
    // Rule 23: the explanation names the project within which the role was given.
    let why = company.explain(tara, Permissions::QUEUES_MANAGE, acme_queue);
    ensure(
        why.grants()
            .iter()
            .any(|grant| grant.role == RoleId::SUPERVISOR && grant.project == Some(acme.project)),
        "Supervisor within Acme Bank grants queues.manage on its queue",
    )?;
    println!("{why}");
    Ok(())
}

/// Prints Acme Bank's members with the roles given to them within it, and
/// who may manage its queue, by name.
fn show_acme_roles(company: &Company, tara: UserId, acme: &Client) -> Result {
    println!("Acme Bank's members and their roles within it:");
    let members = company.project_member_roles(acme.project)?;
    for (member, roles) in &members {
        let names: Vec<&str> = roles
            .iter()
            .filter_map(|&role| company.role(role).map(|r| r.name()))
            .collect();
        let names = if names.is_empty() {
            "none".to_owned()
        } else {
            names.join(", ")
        };
        println!("  {}: {names}", principal_name(company, *member));
    }
    let given: Vec<_> = members
        .into_iter()
        .filter(|(_, roles)| !roles.is_empty())
        .collect();
    ensure(
        given == [(Principal::User(tara), vec![RoleId::SUPERVISOR])],
        "within Acme Bank, only tara holds a role: Supervisor",
    )?;
    let queue = acme.objects[0];
    let who: Vec<&str> = company
        .who_can(Permissions::QUEUES_MANAGE, Resource::Object(queue))
        .into_iter()
        .filter_map(|user| company.user(user).map(|u| u.name()))
        .collect();
    // Olga through Admin (every project), sam through Supervisor
    // company-wide, tara through Supervisor within Acme Bank. Gus manages
    // queues company-wide, but Acme's is hidden from him (rule 12).
    println!(
        "Who may `queues.manage` on `Acme inbound`: {}",
        who.join(", ")
    );
    ensure(
        who == ["olga", "sam", "tara"],
        "olga, sam and tara, and nobody else, may manage Acme's queue",
    )?;
    Ok(())
}

/// Checks each (action, resource, expected decision) for `user`, prints the
/// decision, and fails with the explanation on the first surprise.
fn expect_decisions(
    company: &Company,
    user: UserId,
    checks: &[(Permissions, Resource, Decision)],
) -> Result {
    let name = company.user(user).map_or("?", |u| u.name());
    for &(action, resource, expected) in checks {
        let decision = company.check(user, action, resource);
        println!(
            "  {name}, `{action}` {}: {decision}",
            describe(company, resource)
        );
        if decision != expected {
            return Err(company.explain(user, action, resource).to_string().into());
        }
    }
    Ok(())
}

/// A user or group in words: ``user `tara` ``.
fn principal_name(company: &Company, member: Principal) -> String {
    match member {
        Principal::User(user) => {
            format!("user `{}`", company.user(user).map_or("?", |u| u.name()))
        }
        Principal::Group(group) => {
            format!("group `{}`", company.group(group).map_or("?", |g| g.name()))
        }
    }
}

/// A resource in words: ``on queue `Acme inbound` ``, ``in the company``.
fn describe(company: &Company, resource: Resource) -> String {
    match resource {
        Resource::Company => "in the company".to_owned(),
        Resource::Project(project) => {
            format!(
                "on project `{}`",
                company.project(project).map_or("?", |p| p.name())
            )
        }
        Resource::Object(object) => company.object(object).map_or("on ?".to_owned(), |o| {
            format!("on {} `{}`", o.kind(), o.name())
        }),
    }
}

/// Prints a project's members and objects.
fn describe_project(company: &Company, project: ProjectId) -> Result {
    let record = company
        .project(project)
        .ok_or("the project was just made")?;
    let members: Vec<&str> = company
        .project_members(project)?
        .into_iter()
        .filter_map(|user| company.user(user).map(|u| u.name()))
        .collect();
    let objects: Vec<String> = record
        .objects()
        .filter_map(|object| company.object(object))
        .map(|o| format!("{} `{}`", o.kind(), o.name()))
        .collect();
    println!(
        "project `{}`: members [{}]; objects [{}]",
        record.name(),
        members.join(", "),
        objects.join(", ")
    );
    Ok(())
}

/// Prints, for each of the five client kinds, the objects a user can see.
fn show_visible(company: &Company, user: UserId) -> Result {
    let name = company.user(user).map_or("?", |u| u.name());
    let mut seen = Vec::new();
    for (kind, _) in CLIENT_OBJECTS {
        for object in company.visible_objects(user, kind)? {
            if let Some(record) = company.object(object) {
                seen.push(format!("`{}`", record.name()));
            }
        }
    }
    let seen = if seen.is_empty() {
        "nothing".to_owned()
    } else {
        seen.join(", ")
    };
    println!("  {name} sees: {seen}");
    Ok(())
}

/// Checks the kind's view permission on `object` and fails unless the
/// decision is `expected`.
fn expect(company: &Company, user: UserId, object: ObjectId, expected: Decision) -> Result {
    let kind = company.object(object).ok_or("unknown object")?.kind();
    let decision = company.check(user, kind.view_permission(), Resource::Object(object));
    if decision == expected {
        Ok(())
    } else {
        Err(company
            .explain(user, kind.view_permission(), Resource::Object(object))
            .to_string()
            .into())
    }
}

fn ensure(condition: bool, claim: &str) -> Result {
    if condition {
        Ok(())
    } else {
        Err(format!("expected: {claim}").into())
    }
}

fn heading(text: &str) {
    println!("\n{text}\n{}", "-".repeat(text.chars().count()));
}
