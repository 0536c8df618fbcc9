//! Issue 24: an API a newcomer reading only the docs cannot get wrong.
//! Each test pins one friction point's fix, and `forms_of_0_2_still_compile`
//! pins that code written for 0.2 keeps building.

#[path = "../examples/product/mod.rs"]
mod product;

use callgate::{
    Actor, Change, ChangeReport, Company, CompanyId, Created, Error, LogEntry, NewUser, ObjectKind,
    Permissions, Principal, Publisher, Resource, RoleId, SecurityMode,
};
use product::{AcmeKind, AcmePermissions as Acme};

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// A company with its first user (the Admin), `ann`.
fn company_with_admin() -> Result<(Company, callgate::UserId), Error> {
    let mut company = Company::new();
    let ann = company.create_user("ann")?;
    Ok((company, ann))
}

// 1. Constructors for the changes that grew.

#[test]
fn add_project_members_leaves_roles_empty() -> TestResult {
    let (mut company, _) = company_with_admin()?;
    let kim = company.create_user("kim")?;
    let team = company.create_group("team", &[])?;
    let acme = company.create_project("Acme", "")?;

    let change = Change::add_project_members(acme, [kim.into(), team.into()]);
    assert_eq!(
        change,
        Change::AddProjectMembers {
            project: acme,
            principals: vec![Principal::User(kim), Principal::Group(team)],
            roles: vec![],
        }
    );
    company.apply(change)?;
    let project = company.project(acme).ok_or("Acme exists")?;
    assert_eq!(project.users().collect::<Vec<_>>(), [kim]);
    assert_eq!(project.groups().collect::<Vec<_>>(), [team]);
    assert_eq!(
        company.project_member_roles(acme)?,
        [
            (Principal::User(kim), vec![]),
            (Principal::Group(team), vec![])
        ]
    );
    Ok(())
}

#[test]
fn add_project_members_with_roles_gives_roles_within_the_project_only() -> TestResult {
    let (mut company, _) = company_with_admin()?;
    let tess = company.create_user("tess")?;
    company.apply(Change::SetSecurityMode {
        mode: SecurityMode::Enhanced,
    })?;
    let acme = company.create_project("Acme", "")?;

    let change: Change =
        Change::add_project_members_with_roles(acme, [tess.into()], [RoleId::SUPERVISOR]);
    assert_eq!(
        change,
        Change::AddProjectMembers {
            project: acme,
            principals: vec![tess.into()],
            roles: vec![RoleId::SUPERVISOR],
        }
    );
    company.apply(change)?;
    assert_eq!(
        company.project_member_roles(acme)?,
        [(Principal::User(tess), vec![RoleId::SUPERVISOR])]
    );
    let manage = Permissions::PROJECTS_MANAGE;
    assert!(
        company
            .check(tess, manage, Resource::Project(acme))
            .is_allowed()
    );
    assert!(!company.check(tess, manage, Resource::Company).is_allowed());

    // Admin is company-wide only, through the constructor too.
    let refused = company.apply(Change::add_project_members_with_roles(
        acme,
        [tess.into()],
        [RoleId::ADMIN],
    ));
    assert!(matches!(refused, Err(Error::CompanyWideRole { .. })));
    Ok(())
}

#[test]
fn change_constructors_serve_a_products_catalog() -> TestResult {
    let mut company = Company::<Acme>::with_catalog();
    let ann = company.create_user("ann")?;
    let acme = company.create_project("Acme", "")?;
    company.apply(Change::add_project_members(acme, [ann.into()]))?;
    let kim = company.create_user(NewUser::new("kim").project(acme))?;
    let queue = company.create_object(AcmeKind::Queue, "inbound")?;
    assert_eq!(
        company
            .project(acme)
            .map(|project| project.users().collect::<Vec<_>>()),
        Some(vec![ann, kim])
    );
    assert!(company.object(queue).is_some());
    Ok(())
}

// 2 and 3. Log entries: no turbofish for the standard catalog, and a
// constructor bound to the company.

#[test]
fn an_entry_read_with_serde_needs_no_annotation() -> TestResult {
    let (writer, _) = company_with_admin()?;
    let mut replica = Company::new().with_id(writer.id());
    let stored = r#"{"op":"create_user","name":"ann"}"#;

    let entry = writer.id().entry(0, serde_json::from_str(stored)?);
    assert_eq!(entry.company, writer.id());
    assert_eq!(entry.revision, 0);
    assert_eq!(entry.change, Change::create_user("ann"));
    assert_eq!(entry.actor, None);
    assert!(entry.context.is_empty());

    assert_eq!(replica.catch_up([entry])?, 1);
    // The entry names no digest before it (the plan's named the genesis),
    // so the replica does not know its chain until the next entry.
    assert_eq!(replica.chain(), None);
    let mut document = replica.to_document();
    document.chain = writer.chain();
    assert_eq!(document, writer.to_document());
    Ok(())
}

#[test]
fn an_entry_is_bound_to_its_company() -> TestResult {
    let (writer, _) = company_with_admin()?;
    let other = CompanyId::new(7);
    let mut replica = Company::new().with_id(writer.id());

    let refused = replica.catch_up([other.entry(0, Change::create_user("ann"))]);
    assert!(matches!(refused, Err(Error::OtherCompany { of, .. }) if of == other));
    assert_eq!(replica.revision(), 0);
    Ok(())
}

#[test]
fn an_entry_of_a_products_catalog() -> TestResult {
    let mut writer = Company::<Acme>::with_catalog();
    let plan = writer.plan(Change::create_user("ann"))?;
    let entry =
        (writer.id().entry_for(0, Change::create_user("ann"))).with_previous(writer.chain());
    assert_eq!(&entry, plan.entry());
    writer.commit(plan)?;

    let mut replica = Company::<Acme>::with_catalog().with_id(writer.id());
    let entry = writer.id().entry_for(
        0,
        serde_json::from_str(r#"{"op":"create_user","name":"ann"}"#)?,
    );
    let _: &LogEntry<Acme> = &entry;
    replica.catch_up([entry])?;
    assert_eq!(replica.user_by_name("ann"), writer.user_by_name("ann"));
    Ok(())
}

#[test]
fn entries_made_by_hand_equal_the_plans_own() -> TestResult {
    let (company, ann) = company_with_admin()?;
    let session = company.login(ann)?;
    let change = Change::create_user("kim");
    let plan = company
        .plan_as(&session, change.clone())?
        .with_context("requestId", "r-1");
    let by_hand = company
        .id()
        .entry(company.revision(), change)
        .with_previous(company.chain())
        .with_actor(Actor::of(&session))
        .with_context("requestId", "r-1");
    assert_eq!(plan.entry(), &by_hand);
    Ok(())
}

/// `Company::load` and `Company::load_checkpoint` need no annotation for
/// the standard catalog; a product's companies load with the `_for` forms.
#[test]
fn a_company_loads_without_annotation() -> TestResult {
    let (company, ann) = company_with_admin()?;
    let json = serde_json::to_string(&company.to_document())?;
    let loaded = Company::load(&mut serde_json::Deserializer::from_str(&json))?;
    assert_eq!(loaded.to_document(), company.to_document());
    let loaded = Company::load_checkpoint(&company.to_checkpoint())?;
    assert_eq!(loaded.user(ann).map(|user| user.name()), Some("ann"));

    let mut product = Company::<Acme>::with_catalog();
    product.create_user("ann")?;
    let json = serde_json::to_string(&product.to_document())?;
    let loaded = Company::<Acme>::load_for(&mut serde_json::Deserializer::from_str(&json))?;
    assert_eq!(loaded.to_document(), product.to_document());
    let loaded = Company::<Acme>::load_checkpoint_for(&product.to_checkpoint())?;
    assert_eq!(loaded.to_document(), product.to_document());
    // The standard form refuses the product's document, at `catalog`.
    let refused = Company::load(&mut serde_json::Deserializer::from_str(&json));
    assert!(refused.is_err_and(|error| error.to_string().starts_with("catalog")));
    Ok(())
}

// 4. Publisher::plan and plan_as.

#[test]
fn publisher_plans_without_publishing() -> TestResult {
    let (mut company, _) = company_with_admin()?;
    let bob = company.create_user("bob")?;
    let mut publisher = Publisher::new(company);
    let reader = publisher.reader();
    let journal = Permissions::CALL_JOURNAL_VIEW;

    let plan = publisher.plan(Change::AssignRole {
        role: RoleId::OPERATOR,
        principals: vec![bob.into()],
    })?;
    assert_eq!(plan.report().affected_users, [bob]);
    assert_eq!(plan.entry().company, publisher.company().id());
    assert_eq!(publisher.company().revision(), 2);
    assert!(!reader.check(bob, journal, Resource::Company).is_allowed());

    let report = publisher.commit(plan)?;
    assert_eq!(report.revision, 3);
    assert!(reader.check(bob, journal, Resource::Company).is_allowed());
    Ok(())
}

#[test]
fn publisher_plans_as_a_session() -> TestResult {
    let (mut company, ann) = company_with_admin()?;
    let op = company.create_user(NewUser::new("op").role(RoleId::OPERATOR))?;
    let publisher = Publisher::new(company);
    let admin = publisher.company().login(ann)?;
    let operator = publisher.company().login(op)?;

    let plan = publisher.plan_as(&admin, Change::create_user("kim"))?;
    assert_eq!(plan.entry().actor, Some(Actor::of(&admin)));

    let refused = publisher.plan_as(&operator, Change::create_user("lee"));
    assert!(matches!(refused, Err(Error::Forbidden { .. })));
    Ok(())
}

// 5. Typed ids of what was created, and users created with roles and
// projects.

#[test]
fn reports_name_what_they_created_by_type() -> TestResult {
    let (mut company, ann) = company_with_admin()?;
    let user = company.apply(Change::create_user("kim"))?;
    let kim = user.created_user().ok_or("a user")?;
    assert_eq!(company.user_by_name("kim"), Some(kim));
    assert_eq!(user.created, Some(Created::User(kim)));

    let group = company.apply(Change::CreateGroup {
        name: "team".into(),
        members: vec![kim],
    })?;
    let role = company.apply(Change::CreateRole {
        name: "QA".into(),
        description: String::new(),
        permissions: Permissions::QA_CHECKS_MANAGE,
        principals: vec![],
        put_users_offline: false,
    })?;
    let project = company.apply(Change::CreateProject {
        name: "Acme".into(),
        description: String::new(),
        principals: vec![],
        objects: vec![],
    })?;
    let object = company.apply(Change::CreateObject {
        kind: ObjectKind::Queue,
        name: "inbound".into(),
        projects: vec![],
    })?;
    let renamed = company.apply(Change::RenameUser {
        user: ann,
        name: "anna".into(),
    })?;

    assert_eq!(group.created_group(), company.group_by_name("team"));
    assert_eq!(role.created_role(), company.role_by_name("QA"));
    assert_eq!(project.created_project(), company.project_by_name("Acme"));
    assert_eq!(
        object.created_object(),
        company.object_by_name(ObjectKind::Queue, "inbound")
    );
    assert!(object.created_object().is_some());
    let reports: [&ChangeReport; 6] = [&user, &group, &role, &project, &object, &renamed];
    let kinds: Vec<[bool; 5]> = reports
        .iter()
        .map(|report| {
            [
                report.created_user().is_some(),
                report.created_group().is_some(),
                report.created_role().is_some(),
                report.created_project().is_some(),
                report.created_object().is_some(),
            ]
        })
        .collect();
    let expected = [
        [true, false, false, false, false],
        [false, true, false, false, false],
        [false, false, true, false, false],
        [false, false, false, true, false],
        [false, false, false, false, true],
        [false, false, false, false, false],
    ];
    assert_eq!(kinds, expected);
    Ok(())
}

#[test]
fn the_default_project_is_a_created_project() -> TestResult {
    let (mut company, _) = company_with_admin()?;
    let report = company.apply(Change::SetSecurityMode {
        mode: SecurityMode::Enhanced,
    })?;
    assert_eq!(report.created_project(), company.default_project());
    assert!(report.created_project().is_some());
    Ok(())
}

#[test]
fn a_plan_names_the_id_it_will_create() -> TestResult {
    let (mut company, _) = company_with_admin()?;
    let plan = company.plan(Change::create_user("kim"))?;
    let planned = plan.report().created_user().ok_or("a user")?;
    company.commit(plan)?;
    assert_eq!(company.user_by_name("kim"), Some(planned));
    Ok(())
}

#[test]
fn a_new_user_gets_roles_groups_and_projects_at_creation() -> TestResult {
    let (mut company, _) = company_with_admin()?;
    let qa = company.create_role("QA", "", Permissions::QA_CHECKS_MANAGE)?;
    let team = company.create_group("team", &[])?;
    let acme = company.create_project("Acme", "")?;
    let globex = company.create_project("Globex", "")?;

    let kim = company.create_user(
        NewUser::new("kim")
            .role(qa)
            .roles([RoleId::OPERATOR, qa])
            .group(team)
            .projects([acme, globex, acme]),
    )?;
    let user = company.user(kim).ok_or("kim exists")?;
    assert_eq!(user.name(), "kim");
    assert_eq!(user.roles().collect::<Vec<_>>(), [qa, RoleId::OPERATOR]);
    assert_eq!(user.groups().collect::<Vec<_>>(), [team]);
    assert_eq!(user.projects().collect::<Vec<_>>(), [acme, globex]);
    assert!(
        company
            .check(kim, Permissions::QA_CHECKS_MANAGE, Resource::Company)
            .is_allowed()
    );

    // The same user as a change: ids given twice are given once.
    let change: Change = NewUser::new("lee").role(qa).role(qa).group(team).into();
    assert_eq!(
        change,
        Change::CreateUser {
            name: "lee".into(),
            roles: vec![qa],
            groups: vec![team],
            projects: vec![],
        }
    );
    Ok(())
}

#[test]
fn a_new_user_with_an_unknown_role_creates_nothing() -> TestResult {
    let (mut company, _) = company_with_admin()?;
    let before = company.to_document();
    let refused = company.create_user(NewUser::new("kim").role(RoleId::new(99)));
    assert!(matches!(refused, Err(Error::UnknownId { .. })));
    assert_eq!(company.to_document(), before);
    assert_eq!(company.user_by_name("kim"), None);
    Ok(())
}

#[test]
fn the_first_user_is_admin_whatever_else_they_are_given() -> TestResult {
    let mut company = Company::new();
    let ann = company.create_user(NewUser::new("ann").role(RoleId::OPERATOR))?;
    let roles: Vec<RoleId> = company.user(ann).ok_or("ann")?.roles().collect();
    assert_eq!(roles, [RoleId::ADMIN, RoleId::OPERATOR]);
    Ok(())
}

// The forms of 0.2 keep compiling and mean what they meant.

#[test]
#[allow(deprecated)]
fn forms_of_0_2_still_compile() -> TestResult {
    let mut company = Company::new();
    let name = String::from("ann");
    let ann = company.create_user(&name)?;
    let bob = company.create_user(String::from("bob"))?;
    let cid = company.create_user("cid")?;
    let dee = company.create_user(format!("dee{}", 1).as_str())?;
    let eve = company.create_user(std::borrow::Cow::Borrowed("eve"))?;
    let ids = [ann, bob, cid, dee, eve];
    assert_eq!(ids.map(|id| id.get()), [0, 1, 2, 3, 4]);

    let acme = company.create_project("Acme", "")?;
    company.apply(Change::AddProjectMembers {
        project: acme,
        principals: vec![bob.into()],
        roles: vec![],
    })?;
    let report = company.apply(Change::CreateUser {
        name: "fay".into(),
        roles: vec![RoleId::OPERATOR],
        groups: vec![],
        projects: vec![acme],
    })?;
    let Some(Created::User(fay)) = report.created else {
        return Err("a user is created".into());
    };
    assert_eq!(report.created_user(), Some(fay));

    // `LogEntry::new` with the company first, now inferred for the
    // standard catalog (deprecated for `CompanyId::entry`).
    let stored = r#"{"op":"delete_user","user":4}"#;
    let entry = LogEntry::new(company.id(), 9, serde_json::from_str(stored)?);
    assert_eq!(
        entry,
        company.id().entry(9, Change::DeleteUser { user: eve })
    );

    // `publisher.company().plan(..)` then `publisher.commit(plan)`.
    let mut publisher = Publisher::new(company);
    let plan = publisher.company().plan(Change::create_user("gus"))?;
    publisher.commit(plan)?;
    assert!(publisher.company().user_by_name("gus").is_some());
    Ok(())
}
