//! A rule every user of such a system expects (DOMAIN.md): "No escalation:
//! whoever edits a role or assigns one cannot hand out a permission they do
//! not hold themselves", when what a guarded change hands out, or what the
//! actor holds, is a union of OVERLAPPING grants.
//!
//! A guarded change (`plan_as`, `apply_as`) sums permissions in two places,
//! and each sum must be a union, in which a permission granted twice is
//! still granted:
//!
//! * what the change hands out: a new user's roles, the roles of each of
//!   their groups and both together (`CreateUser`), a group's roles
//!   (`AddGroupMembers`), the roles given to new members of a project
//!   (`AddProjectMembers`);
//! * what the actor holds: their company-wide roles plus the roles given to
//!   them within the project a change is about, or within the projects that
//!   hold the object it is about (DOMAIN rules 20-22), also when putting
//!   users in a group that holds roles within a project.
//!
//! Each test hands out, or holds, the same permission twice, and asserts the
//! exact outcome: accepted, or refused with `Error::Escalation` (or
//! `Error::Forbidden`) naming exactly the permissions. A sum that dropped
//! the shared permission (an exclusive or instead of an or) would accept a
//! refused change, name fewer permissions, or refuse an accepted change.

mod common;

use callgate::{
    Change, ChangeReport, Company, Created, Error, GroupId, ObjectId, Permissions, ProjectId,
    RoleId, SecurityMode, Session, UserId, names,
};
use common::{Clients, TestResult, add_role, give_within, refuse_as};

// ---- Helpers ----------------------------------------------------------------

/// Asserts that `change`, made through `session`, is refused by `plan_as`
/// and by `apply_as` with the same error, the company unchanged; returns
/// the error.
#[track_caller]
fn refused(company: &mut Company, session: &Session, change: Change) -> Error {
    let planned = match company.plan_as(session, change.clone()) {
        Ok(plan) => panic!("{change:?} was planned: {:?}", plan.report()),
        Err(error) => error,
    };
    let applied = refuse_as(company, session, change);
    assert_eq!(planned, applied, "plan_as and apply_as disagree");
    applied
}

/// Asserts that `change`, made through `session`, is accepted by `plan_as`
/// and by `apply_as`; returns the report of `apply_as`.
#[track_caller]
fn accepted(company: &mut Company, session: &Session, change: Change) -> ChangeReport {
    if let Err(error) = company.plan_as(session, change.clone()) {
        panic!("{change:?} was refused by plan_as: {error}");
    }
    match company.apply_as(session, change.clone()) {
        Ok(report) => report,
        Err(error) => panic!("{change:?} was refused by apply_as: {error}"),
    }
}

/// The error of an escalation by `user` in `change`, beyond `permissions`.
fn escalation(user: &str, change: &str, permissions: Permissions) -> Error {
    Error::Escalation {
        user: user.into(),
        change: change.into(),
        permissions: names(permissions).to_string(),
    }
}

/// A `CreateUser` of `cid` with these roles and groups, in no project.
fn create_cid(roles: &[RoleId], groups: &[GroupId]) -> Change {
    Change::CreateUser {
        name: "cid".into(),
        roles: roles.to_vec(),
        groups: groups.to_vec(),
        projects: vec![],
    }
}

/// The user a report says it created.
#[track_caller]
fn created_user(report: &ChangeReport) -> UserId {
    match report.created {
        Some(Created::User(user)) => user,
        ref other => panic!("expected a new user, got {other:?}"),
    }
}

/// The company-wide permissions of `user`.
#[track_caller]
fn permissions_of(company: &Company, user: UserId) -> Permissions {
    company
        .snapshot()
        .permissions_of(user)
        .expect("a live user")
}

// ---- Company-wide grants: simple security, a Supervisor actor ---------------

/// sam holds Supervisor: no finance, no KPI, no security, no `projects.all`.
/// Each role pair overlaps in one permission: `kpi.view` (which sam lacks)
/// for the first, `qa_sheets.view` (which sam holds) for the second.
struct Fixture {
    company: Company,
    sam: Session,
    bob: UserId,
    /// `kpi.view | reports.view`.
    kpi_reports: RoleId,
    /// `kpi.view | shifts.view`.
    kpi_shifts: RoleId,
    /// `balance.view`.
    balance: RoleId,
    /// `qa_sheets.view | reports.view`.
    qa_reports: RoleId,
    /// `qa_sheets.view | shifts.view`.
    qa_shifts: RoleId,
    /// Holds `KPI reports`.
    kpi_reporters: GroupId,
    /// Holds `KPI shifts`.
    kpi_planners: GroupId,
    /// Holds `KPI reports` and `KPI shifts`.
    kpi_both: GroupId,
    /// Holds `QA reports` and `QA shifts`.
    qa_both: GroupId,
    /// An empty project.
    clients: ProjectId,
}

fn fixture() -> Result<Fixture, Error> {
    use Permissions as P;
    let mut company = Company::new();
    company.create_user("ann")?;
    let sam = company.create_user("sam")?;
    company.apply(Change::AssignRole {
        role: RoleId::SUPERVISOR,
        principals: vec![sam.into()],
    })?;
    let bob = company.create_user("bob")?;
    let kpi_reports = company.create_role("KPI reports", "", P::KPI_VIEW | P::REPORTS_VIEW)?;
    let kpi_shifts = company.create_role("KPI shifts", "", P::KPI_VIEW | P::SHIFTS_VIEW)?;
    let balance = company.create_role("Balance", "", P::BALANCE_VIEW)?;
    let qa_reports = company.create_role("QA reports", "", P::QA_SHEETS_VIEW | P::REPORTS_VIEW)?;
    let qa_shifts = company.create_role("QA shifts", "", P::QA_SHEETS_VIEW | P::SHIFTS_VIEW)?;
    let mut group = |name: &str, roles: &[RoleId]| -> Result<GroupId, Error> {
        let group = company.create_group(name, &[])?;
        for &role in roles {
            company.apply(Change::AssignRole {
                role,
                principals: vec![group.into()],
            })?;
        }
        Ok(group)
    };
    let kpi_reporters = group("KPI reporters", &[kpi_reports])?;
    let kpi_planners = group("KPI planners", &[kpi_shifts])?;
    let kpi_both = group("KPI both", &[kpi_reports, kpi_shifts])?;
    let qa_both = group("QA both", &[qa_reports, qa_shifts])?;
    let clients = company.create_project("Clients", "")?;
    let sam = company.login(sam)?;
    Ok(Fixture {
        company,
        sam,
        bob,
        kpi_reports,
        kpi_shifts,
        balance,
        qa_reports,
        qa_shifts,
        kpi_reporters,
        kpi_planners,
        kpi_both,
        qa_both,
        clients,
    })
}

impl Fixture {
    #[track_caller]
    fn refused(&mut self, change: Change) -> Error {
        let sam = self.sam;
        refused(&mut self.company, &sam, change)
    }

    #[track_caller]
    fn accepted(&mut self, change: Change) -> ChangeReport {
        let sam = self.sam;
        accepted(&mut self.company, &sam, change)
    }
}

/// What the two QA roles grant together: the shared permission once.
const QA_UNION: Permissions = Permissions::QA_SHEETS_VIEW
    .union(Permissions::REPORTS_VIEW)
    .union(Permissions::SHIFTS_VIEW);

#[test]
fn a_new_users_roles_that_share_a_permission_the_actor_lacks_are_an_escalation() -> TestResult {
    let mut f = fixture()?;
    let create = "create user `cid`";
    let (kpi_reports, kpi_shifts) = (f.kpi_reports, f.kpi_shifts);
    for roles in [
        [kpi_reports, kpi_shifts],
        [kpi_shifts, kpi_reports],
        // The same role twice grants it once, not zero times.
        [kpi_reports, kpi_reports],
    ] {
        let error = f.refused(create_cid(&roles, &[]));
        assert_eq!(error, escalation("sam", create, Permissions::KPI_VIEW));
    }
    // Shared by two of three roles: named with the third's.
    let error = f.refused(create_cid(&[kpi_reports, kpi_shifts, f.balance], &[]));
    assert_eq!(
        error,
        escalation(
            "sam",
            create,
            Permissions::KPI_VIEW | Permissions::BALANCE_VIEW
        )
    );
    // Overlapping roles within what sam holds are his to hand out.
    let report = f.accepted(create_cid(&[f.qa_reports, f.qa_shifts], &[]));
    let cid = created_user(&report);
    assert_eq!(permissions_of(&f.company, cid), QA_UNION);
    Ok(())
}

#[test]
fn a_new_users_groups_whose_roles_overlap_are_summed_as_a_union() -> TestResult {
    let mut f = fixture()?;
    let create = "create user `cid`";
    let kpi = Permissions::KPI_VIEW;
    // Two groups, each with one of the overlapping roles.
    let groups = [f.kpi_reporters, f.kpi_planners];
    let error = f.refused(create_cid(&[], &groups));
    assert_eq!(error, escalation("sam", create, kpi));
    // One group holding both.
    let error = f.refused(create_cid(&[], &[f.kpi_both]));
    assert_eq!(error, escalation("sam", create, kpi));
    // The same group twice, and a group that repeats another's roles.
    let error = f.refused(create_cid(&[], &[f.kpi_reporters, f.kpi_reporters]));
    assert_eq!(error, escalation("sam", create, kpi));
    let error = f.refused(create_cid(&[], &[f.kpi_both, f.kpi_planners]));
    assert_eq!(error, escalation("sam", create, kpi));
    let report = f.accepted(create_cid(&[], &[f.qa_both]));
    let cid = created_user(&report);
    assert_eq!(permissions_of(&f.company, cid), QA_UNION);
    Ok(())
}

#[test]
fn a_new_users_roles_and_groups_that_overlap_are_summed_as_a_union() -> TestResult {
    let mut f = fixture()?;
    let create = "create user `cid`";
    let kpi = Permissions::KPI_VIEW;
    let error = f.refused(create_cid(&[f.kpi_reports], &[f.kpi_planners]));
    assert_eq!(error, escalation("sam", create, kpi));
    // A role the group holds too.
    let error = f.refused(create_cid(&[f.kpi_shifts], &[f.kpi_planners]));
    assert_eq!(error, escalation("sam", create, kpi));
    let error = f.refused(create_cid(&[f.kpi_shifts, f.balance], &[f.kpi_both]));
    assert_eq!(
        error,
        escalation("sam", create, kpi | Permissions::BALANCE_VIEW)
    );
    let report = f.accepted(create_cid(&[f.qa_reports], &[f.qa_both]));
    let cid = created_user(&report);
    assert_eq!(permissions_of(&f.company, cid), QA_UNION);
    Ok(())
}

#[test]
fn adding_members_to_a_group_whose_roles_overlap_is_judged_on_their_union() -> TestResult {
    let mut f = fixture()?;
    let bob = f.bob;
    let add = |group: GroupId| Change::AddGroupMembers {
        group,
        users: vec![bob],
    };
    let error = f.refused(add(f.kpi_both));
    assert_eq!(
        error,
        escalation("sam", "add members to a group", Permissions::KPI_VIEW)
    );
    assert_eq!(permissions_of(&f.company, bob), Permissions::empty());
    f.accepted(add(f.qa_both));
    assert_eq!(permissions_of(&f.company, bob), QA_UNION);
    Ok(())
}

#[test]
fn new_project_members_given_overlapping_roles_are_judged_on_their_union() -> TestResult {
    let mut f = fixture()?;
    let (bob, clients) = (f.bob, f.clients);
    let add = |roles: Vec<RoleId>| Change::AddProjectMembers {
        project: clients,
        principals: vec![bob.into()],
        roles,
    };
    let add_members = "add members to a project";
    let error = f.refused(add(vec![f.kpi_reports, f.kpi_shifts]));
    assert_eq!(error, escalation("sam", add_members, Permissions::KPI_VIEW));
    let error = f.refused(add(vec![f.kpi_reports, f.kpi_reports]));
    assert_eq!(error, escalation("sam", add_members, Permissions::KPI_VIEW));
    let error = f.refused(add(vec![f.balance, f.kpi_shifts, f.kpi_reports]));
    assert_eq!(
        error,
        escalation(
            "sam",
            add_members,
            Permissions::KPI_VIEW | Permissions::BALANCE_VIEW
        )
    );
    f.accepted(add(vec![f.qa_reports, f.qa_shifts]));
    assert_eq!(
        f.company.permissions_in_project(bob, clients)?,
        QA_UNION,
        "bob holds the union within Clients"
    );
    Ok(())
}

// ---- What the actor holds: company-wide and within a project ----------------

/// `tess` (a member of Acme and Globex) holds `held` twice: company-wide,
/// through role `Keeper`, and within Acme, through role `Acme keeper`.
/// Returns her session.
fn held_twice(c: &mut Clients, held: Permissions) -> Result<Session, Error> {
    let tess = c.tess;
    add_role(&mut c.company, "Keeper", held, &[tess.into()])?;
    let acme_keeper = add_role(&mut c.company, "Acme keeper", held, &[])?;
    give_within(&mut c.company, c.acme, acme_keeper, &[tess.into()])?;
    c.company.login(tess)
}

#[test]
fn giving_a_role_within_a_project_counts_a_permission_held_both_ways_once() -> TestResult {
    use Permissions as P;
    let mut c = Clients::new(SecurityMode::Enhanced)?;
    let tess = held_twice(&mut c, P::PROJECTS_MANAGE | P::KPI_VIEW)?;
    let kpi = add_role(&mut c.company, "KPI", P::KPI_VIEW, &[])?;
    let kpi_reports = add_role(
        &mut c.company,
        "KPI reports",
        P::KPI_VIEW | P::REPORTS_VIEW,
        &[],
    )?;
    let (acme, leads, bob) = (c.acme, c.leads, c.bob);
    accepted(
        &mut c.company,
        &tess,
        Change::AssignProjectRole {
            project: acme,
            role: kpi,
            principals: vec![leads.into()],
        },
    );
    assert!(
        c.company
            .permissions_in_project(c.gil, acme)?
            .contains(P::KPI_VIEW)
    );
    let add_bob = |roles: Vec<RoleId>| Change::AddProjectMembers {
        project: acme,
        principals: vec![bob.into()],
        roles,
    };
    accepted(&mut c.company, &tess, add_bob(vec![kpi]));
    // What she lacks both ways is named, and only that.
    let error = refused(
        &mut c.company,
        &tess,
        Change::AssignProjectRole {
            project: acme,
            role: kpi_reports,
            principals: vec![leads.into()],
        },
    );
    let give = "give role `KPI reports` within project `Acme Bank`";
    assert_eq!(error, escalation("tess", give, P::REPORTS_VIEW));
    let error = refused(&mut c.company, &tess, add_bob(vec![kpi_reports, kpi]));
    let add_members = "add members to a project";
    assert_eq!(error, escalation("tess", add_members, P::REPORTS_VIEW));
    Ok(())
}

#[test]
fn changing_an_object_counts_a_permission_held_both_ways_once() -> TestResult {
    let mut c = Clients::new(SecurityMode::Enhanced)?;
    let tess = held_twice(&mut c, Permissions::QUEUES_MANAGE)?;
    let queue: ObjectId = c.acme_queue;
    accepted(
        &mut c.company,
        &tess,
        Change::RenameObject {
            object: queue,
            name: "Acme main".into(),
        },
    );
    assert_eq!(
        c.company.object(queue).map(|o| o.name().to_owned()),
        Some("Acme main".to_owned())
    );
    accepted(
        &mut c.company,
        &tess,
        Change::DeleteObject { object: queue },
    );
    assert!(c.company.object(queue).is_none());
    Ok(())
}

#[test]
fn putting_users_in_a_group_with_roles_within_a_project_counts_both_holdings() -> TestResult {
    use Permissions as P;
    let mut c = Clients::new(SecurityMode::Enhanced)?;
    let managers = P::USERS_MANAGE | P::GROUPS_MANAGE;
    let tess = c.tess;
    add_role(
        &mut c.company,
        "People",
        managers | P::KPI_VIEW,
        &[tess.into()],
    )?;
    let acme_kpi = add_role(&mut c.company, "Acme KPI", P::KPI_VIEW, &[])?;
    give_within(&mut c.company, c.acme, acme_kpi, &[tess.into()])?;
    let tess = c.company.login(tess)?;
    // Leads (a member of Acme) holds `kpi.view` within Acme: tess holds it
    // company-wide and within Acme.
    let kpi = add_role(&mut c.company, "KPI", P::KPI_VIEW, &[])?;
    give_within(&mut c.company, c.acme, kpi, &[c.leads.into()])?;
    let (leads, bob) = (c.leads, c.bob);
    let join = Change::AddGroupMembers {
        group: leads,
        users: vec![bob],
    };
    accepted(&mut c.company, &tess, join);
    assert!(
        c.company
            .permissions_in_project(bob, c.acme)?
            .contains(P::KPI_VIEW)
    );
    accepted(&mut c.company, &tess, create_cid(&[], &[leads]));
    // A role within Acme with what she lacks: named alone.
    let kpi_reports = add_role(
        &mut c.company,
        "KPI reports",
        P::KPI_VIEW | P::REPORTS_VIEW,
        &[],
    )?;
    give_within(&mut c.company, c.acme, kpi_reports, &[leads.into()])?;
    let tess = c.company.login(c.tess)?;
    let error = refused(&mut c.company, &tess, create_cid(&[], &[leads]));
    let create = "create user `cid`";
    assert_eq!(error, escalation("tess", create, P::REPORTS_VIEW));
    let dan = c.company.create_user("dan")?;
    let join = Change::AddGroupMembers {
        group: leads,
        users: vec![dan],
    };
    let error = refused(&mut c.company, &tess, join);
    let add = "add members to a group";
    assert_eq!(error, escalation("tess", add, P::REPORTS_VIEW));
    Ok(())
}
