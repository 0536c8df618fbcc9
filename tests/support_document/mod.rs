//! Shared helpers of the stored-data tests: a sample company that uses every
//! part of the document, a small strategy of random change sequences, random
//! questions, and ways to compare two companies.
//!
//! The strategy's ids are selectors, resolved against the company each
//! change is applied to (see `resolve`): most pick a live record, some name
//! deleted or never-made ones. Names come from a small pool. So sequences mix
//! accepted changes (about 60%) with refused ones (unknown ids, taken or
//! blank names, built-in roles, the last Admin) and reach every part of the
//! state: deleted records, groups carrying roles, custom roles that put users
//! offline and end sessions, projects in both security modes.

// Each test file uses its own part of this module.
#![allow(dead_code)]

pub(crate) mod edit;

use callgate::{
    CATALOG, Change, Company, CompanyId, Decision, Document, Error, GroupId, LogEntry, ObjectId,
    ObjectKind, Permissions, Principal, ProjectId, Resource, RoleId, SecurityMode, Session, UserId,
};
use proptest::prelude::*;
use proptest::test_runner::Config;

/// Raw ids in changes are drawn below these bounds: they name records that
/// were deleted or never made as often as live ones.
pub(crate) const USERS: u32 = 8;
pub(crate) const GROUPS: u32 = 4;
pub(crate) const ROLES: u32 = 8;
pub(crate) const PROJECTS: u32 = 4;
pub(crate) const OBJECTS: u32 = 8;

/// Questions name ids below this: every record a sequence makes, and some
/// beyond.
pub(crate) const ASKED: u32 = 24;

/// A proptest configuration with `default_cases` cases, unless the
/// `PROPTEST_CASES` environment variable says otherwise.
pub(crate) fn config(default_cases: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|cases| cases.parse().ok())
        .unwrap_or(default_cases);
    Config {
        cases,
        ..Config::default()
    }
}

/// Loads a company from JSON text, the way a host reads its database row.
pub(crate) fn load_json(json: &str) -> Result<Company, Error> {
    Company::load(&mut serde_json::Deserializer::from_str(json))
}

/// How loading `json` differs from a refusal at `path` whose message
/// contains `message`, and from `from_document` refusing it alike where the
/// document has the right shape; `None` when it does not differ.
pub(crate) fn refusal_mismatch(json: &str, path: &str, message: &str) -> Option<String> {
    // `load` returns no company at all on error: nothing half-loaded.
    let (got_path, got_message) = match load_json(json) {
        Ok(_) => return Some("loaded".to_owned()),
        Err(Error::Document { path, message }) => (path, message),
        Err(other) => return Some(format!("not a document error: {other:?}")),
    };
    if got_path != path || !got_message.contains(message) {
        return Some(format!(
            "\n    expected `{path}: ...{message}...`\n    got      `{got_path}: {got_message}`"
        ));
    }
    let parsed = serde_json::from_str::<callgate::Document>(json).ok()?;
    match Company::from_document(parsed) {
        Err(Error::Document { path, message }) if path == got_path && message == got_message => {
            None
        }
        other => Some(format!("from_document disagrees with load: {other:?}")),
    }
}

/// A company that uses every part of the document (the golden file's
/// company): three users, one deleted; a group carrying a built-in role; a
/// custom role with "put users offline"; enhanced mode with the Default
/// project and a second project holding users, a group and objects; the
/// same object name in two kinds.
///
/// Its document, by index: `users` ann (0, Admin), bob (1), cid (2, role 3);
/// `groups[0]` Team A (members 1 and 2, role 2); `roles` Admin, Supervisor,
/// Operator, QA (3, `qa_sheets.manage` and `qa_checks.manage`); `projects`
/// Default (0: users 0-2, objects 0-1) and Client A (1: user 0, group 0,
/// objects 0 and 2); `objects` queue Sales (0), autodialer Sales (1), queue
/// A support (2); `nextIds` 4 users, 1 group, 4 roles, 2 projects, 3
/// objects; revision 15.
pub(crate) fn sample() -> Result<Company, Error> {
    let mut company = new_company();
    let ann = company.create_user("ann")?;
    let bob = company.create_user("bob")?;
    let cid = company.create_user("cid")?;
    let gone = company.create_user("gone")?;
    let sales = company.create_object(ObjectKind::Queue, "Sales")?;
    let _dialer = company.create_object(ObjectKind::Autodialer, "Sales")?;
    company.apply(Change::SetSecurityMode {
        mode: SecurityMode::Enhanced,
    })?;
    let team = company.create_group("Team A", &[bob, cid])?;
    company.apply(Change::CreateRole {
        name: "QA".into(),
        description: "Evaluates calls".into(),
        permissions: Permissions::QA_SHEETS_MANAGE | Permissions::QA_CHECKS_MANAGE,
        principals: vec![Principal::User(cid)],
        put_users_offline: true,
    })?;
    company.apply(Change::AssignRole {
        role: RoleId::OPERATOR,
        principals: vec![team.into()],
    })?;
    let client = company.create_project("Client A", "Outsourced support")?;
    let support = company.create_object(ObjectKind::Queue, "A support")?;
    company.apply(Change::AddProjectMembers {
        project: client,
        principals: vec![team.into(), ann.into()],
        roles: vec![],
    })?;
    company.apply(Change::AddProjectObjects {
        project: client,
        objects: vec![support, sales],
    })?;
    company.apply(Change::DeleteUser { user: gone })?;
    Ok(company)
}

// ---- Strategies ------------------------------------------------------------
//
// The strategy makes changes whose ids are *selectors*: `resolve` turns each
// into a real id against the company the change is about to be applied to.
// A selector below `PICK` picks one of the live records of that kind (so most
// changes name something that exists); one at `PICK` or above stands for the
// raw id `selector - PICK`, which may never have existed or may be deleted.
// The changes actually applied, concrete ids and all, are kept in
// `Built::changes`, so a replay applies exactly what the first run applied.

/// Selectors below this pick a live record; above, `selector - PICK` is a raw id.
const PICK: u32 = 64;

/// A selector: nine times in ten a live record, else a raw id below `bound`.
fn id(bound: u32) -> impl Strategy<Value = u32> {
    prop_oneof![9 => 0..PICK, 1 => PICK..PICK + bound]
}

fn user() -> impl Strategy<Value = UserId> {
    id(USERS).prop_map(UserId::new)
}

fn group() -> impl Strategy<Value = GroupId> {
    id(GROUPS).prop_map(GroupId::new)
}

fn role() -> impl Strategy<Value = RoleId> {
    id(ROLES).prop_map(RoleId::new)
}

fn project() -> impl Strategy<Value = ProjectId> {
    id(PROJECTS).prop_map(ProjectId::new)
}

fn object() -> impl Strategy<Value = ObjectId> {
    id(OBJECTS).prop_map(ObjectId::new)
}

/// Turns the selectors of a generated change into ids, against `company`.
pub(crate) fn resolve(company: &Company, change: Change) -> Change {
    Resolver { company }.change(change)
}

struct Resolver<'a> {
    company: &'a Company,
}

impl Resolver<'_> {
    fn pick(selector: u32, live: Vec<u32>) -> u32 {
        match selector.checked_sub(PICK) {
            Some(raw) => raw,
            None if live.is_empty() => selector,
            None => live[selector as usize % live.len()],
        }
    }

    /// In a list, a selector with nothing live to pick is left out.
    fn keep(selector: u32, live: usize) -> bool {
        selector >= PICK || live > 0
    }

    fn user(&self, id: UserId) -> UserId {
        let live = self.company.users().map(|(id, _)| id.get()).collect();
        UserId::new(Self::pick(id.get(), live))
    }

    fn group(&self, id: GroupId) -> GroupId {
        let live = self.company.groups().map(|(id, _)| id.get()).collect();
        GroupId::new(Self::pick(id.get(), live))
    }

    fn role(&self, id: RoleId) -> RoleId {
        let live = self.company.roles().map(|(id, _)| id.get()).collect();
        RoleId::new(Self::pick(id.get(), live))
    }

    fn project(&self, id: ProjectId) -> ProjectId {
        let live = self.company.projects().map(|(id, _)| id.get()).collect();
        ProjectId::new(Self::pick(id.get(), live))
    }

    fn object(&self, id: ObjectId) -> ObjectId {
        let live = self.company.objects().map(|(id, _)| id.get()).collect();
        ObjectId::new(Self::pick(id.get(), live))
    }

    fn principal(&self, principal: Principal) -> Principal {
        match principal {
            Principal::User(id) => Principal::User(self.user(id)),
            Principal::Group(id) => Principal::Group(self.group(id)),
        }
    }

    fn users(&self, ids: Vec<UserId>) -> Vec<UserId> {
        let live = self.company.users().count();
        ids.into_iter()
            .filter(|id| Self::keep(id.get(), live))
            .map(|id| self.user(id))
            .collect()
    }

    fn groups(&self, ids: Vec<GroupId>) -> Vec<GroupId> {
        let live = self.company.groups().count();
        ids.into_iter()
            .filter(|id| Self::keep(id.get(), live))
            .map(|id| self.group(id))
            .collect()
    }

    fn roles(&self, ids: Vec<RoleId>) -> Vec<RoleId> {
        let live = self.company.roles().count();
        ids.into_iter()
            .filter(|id| Self::keep(id.get(), live))
            .map(|id| self.role(id))
            .collect()
    }

    fn projects(&self, ids: Vec<ProjectId>) -> Vec<ProjectId> {
        let live = self.company.projects().count();
        ids.into_iter()
            .filter(|id| Self::keep(id.get(), live))
            .map(|id| self.project(id))
            .collect()
    }

    fn objects(&self, ids: Vec<ObjectId>) -> Vec<ObjectId> {
        let live = self.company.objects().count();
        ids.into_iter()
            .filter(|id| Self::keep(id.get(), live))
            .map(|id| self.object(id))
            .collect()
    }

    fn principals(&self, principals: Vec<Principal>) -> Vec<Principal> {
        let (users, groups) = (self.company.users().count(), self.company.groups().count());
        principals
            .into_iter()
            .filter(|p| match *p {
                Principal::User(id) => Self::keep(id.get(), users),
                Principal::Group(id) => Self::keep(id.get(), groups),
            })
            .map(|p| self.principal(p))
            .collect()
    }

    fn change(&self, change: Change) -> Change {
        match change {
            Change::CreateUser {
                name,
                roles,
                groups,
                projects,
            } => Change::CreateUser {
                name,
                roles: self.roles(roles),
                groups: self.groups(groups),
                projects: self.projects(projects),
            },
            Change::RenameUser { user, name } => Change::RenameUser {
                user: self.user(user),
                name,
            },
            Change::DeleteUser { user } => Change::DeleteUser {
                user: self.user(user),
            },
            Change::CreateGroup { name, members } => Change::CreateGroup {
                name,
                members: self.users(members),
            },
            Change::RenameGroup { group, name } => Change::RenameGroup {
                group: self.group(group),
                name,
            },
            Change::DeleteGroup { group } => Change::DeleteGroup {
                group: self.group(group),
            },
            Change::AddGroupMembers { group, users } => Change::AddGroupMembers {
                group: self.group(group),
                users: self.users(users),
            },
            Change::RemoveGroupMembers { group, users } => Change::RemoveGroupMembers {
                group: self.group(group),
                users: self.users(users),
            },
            Change::CreateRole {
                name,
                description,
                permissions,
                principals,
                put_users_offline,
            } => Change::CreateRole {
                name,
                description,
                permissions,
                principals: self.principals(principals),
                put_users_offline,
            },
            Change::EditRole {
                role,
                name,
                description,
                permissions,
                put_users_offline,
            } => Change::EditRole {
                role: self.role(role),
                name,
                description,
                permissions,
                put_users_offline,
            },
            Change::DeleteRole { role } => Change::DeleteRole {
                role: self.role(role),
            },
            Change::AssignRole { role, principals } => Change::AssignRole {
                role: self.role(role),
                principals: self.principals(principals),
            },
            Change::UnassignRole { role, principals } => Change::UnassignRole {
                role: self.role(role),
                principals: self.principals(principals),
            },
            Change::SetSectionAccess {
                role,
                permission,
                allowed,
            } => Change::SetSectionAccess {
                role: self.role(role),
                permission,
                allowed,
            },
            Change::CreateProject {
                name,
                description,
                principals,
                objects,
            } => Change::CreateProject {
                name,
                description,
                principals: self.principals(principals),
                objects: self.objects(objects),
            },
            Change::EditProject {
                project,
                name,
                description,
            } => Change::EditProject {
                project: self.project(project),
                name,
                description,
            },
            Change::DeleteProject { project } => Change::DeleteProject {
                project: self.project(project),
            },
            Change::AddProjectMembers {
                project,
                principals,
                roles,
            } => Change::AddProjectMembers {
                project: self.project(project),
                principals: self.principals(principals),
                roles: self.roles(roles),
            },
            Change::AssignProjectRole {
                project,
                role,
                principals,
            } => {
                // Its members, so that the change is mostly accepted.
                let project = self.project(project);
                let members = self
                    .company
                    .project_member_roles(project)
                    .map(|members| members.into_iter().map(|(m, _)| m).collect())
                    .unwrap_or_default();
                Change::AssignProjectRole {
                    project,
                    role: self.role(role),
                    principals: if principals.is_empty() {
                        members
                    } else {
                        self.principals(principals)
                    },
                }
            }
            Change::UnassignProjectRole {
                project,
                role,
                principals,
            } => Change::UnassignProjectRole {
                project: self.project(project),
                role: self.role(role),
                principals: self.principals(principals),
            },
            Change::RemoveProjectMembers {
                project,
                principals,
            } => Change::RemoveProjectMembers {
                project: self.project(project),
                principals: self.principals(principals),
            },
            Change::AddProjectObjects { project, objects } => Change::AddProjectObjects {
                project: self.project(project),
                objects: self.objects(objects),
            },
            Change::RemoveProjectObjects { project, objects } => Change::RemoveProjectObjects {
                project: self.project(project),
                objects: self.objects(objects),
            },
            Change::CreateObject {
                kind,
                name,
                projects,
            } => Change::CreateObject {
                kind,
                name,
                projects: self.projects(projects),
            },
            Change::RenameObject { object, name } => Change::RenameObject {
                object: self.object(object),
                name,
            },
            Change::DeleteObject { object } => Change::DeleteObject {
                object: self.object(object),
            },
            // `SetSecurityMode` names no id; future changes are kept as
            // they are.
            other => other,
        }
    }
}

fn principal() -> impl Strategy<Value = Principal> {
    prop_oneof![
        3 => user().prop_map(Principal::User),
        1 => group().prop_map(Principal::Group),
    ]
}

fn kind() -> impl Strategy<Value = ObjectKind> {
    // Three kinds are enough to have the same name in two kinds and
    // permissions of the wrong kind in questions.
    prop::sample::select(vec![
        ObjectKind::Queue,
        ObjectKind::Autodialer,
        ObjectKind::Schedule,
    ])
}

fn mode() -> impl Strategy<Value = SecurityMode> {
    prop_oneof![Just(SecurityMode::Simple), Just(SecurityMode::Enhanced)]
}

/// A name from a small pool: shared between kinds, sometimes taken, now and
/// then invalid, and `Default` (which blocks the first switch to enhanced).
fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        12 => prop::sample::select(vec![
            "ann", "bob", "cid", "dee", "eve", "fay", "gus", "QA", "Team A", "Sales", "Night",
            "Client A",
        ])
        .prop_map(str::to_owned),
        1 => Just("Default".to_owned()),
        1 => prop::sample::select(vec!["", " pad", "tab\t"]).prop_map(str::to_owned),
    ]
}

fn description() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["", "Evaluates calls", "Night shift"]).prop_map(str::to_owned)
}

/// One catalog permission.
pub(crate) fn single_permission() -> impl Strategy<Value = Permissions> {
    prop::sample::select(CATALOG.iter().map(|info| info.flag).collect::<Vec<_>>())
}

/// A set of permissions: a few catalog entries, or one of the built-in sets.
pub(crate) fn permissions() -> impl Strategy<Value = Permissions> {
    prop_oneof![
        6 => prop::collection::vec(single_permission(), 0..4)
            .prop_map(|flags| flags.into_iter().fold(Permissions::empty(), |a, b| a | b)),
        1 => Just(Permissions::ADMIN),
        1 => Just(Permissions::SUPERVISOR),
        1 => Just(Permissions::OPERATOR),
    ]
}

/// A short list, often empty.
fn list<T: std::fmt::Debug + Clone>(
    item: impl Strategy<Value = T>,
) -> impl Strategy<Value = Vec<T>> {
    prop_oneof![
        2 => Just(Vec::new()),
        3 => prop::collection::vec(item, 1..3),
    ]
}

/// One change, with id selectors (see [`resolve`]) and names that may or may
/// not be free.
pub(crate) fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        // Users.
        8 => (name(), list(role()), list(group()), list(project())).prop_map(
            |(name, roles, groups, projects)| Change::CreateUser { name, roles, groups, projects }
        ),
        1 => (user(), name()).prop_map(|(user, name)| Change::RenameUser { user, name }),
        2 => user().prop_map(|user| Change::DeleteUser { user }),
        // Groups.
        2 => (name(), list(user())).prop_map(|(name, members)| Change::CreateGroup { name, members }),
        1 => (group(), name()).prop_map(|(group, name)| Change::RenameGroup { group, name }),
        1 => group().prop_map(|group| Change::DeleteGroup { group }),
        2 => (group(), list(user())).prop_map(|(group, users)| Change::AddGroupMembers { group, users }),
        1 => (group(), list(user()))
            .prop_map(|(group, users)| Change::RemoveGroupMembers { group, users }),
        // Roles.
        3 => (name(), description(), permissions(), list(principal()), any::<bool>()).prop_map(
            |(name, description, permissions, principals, put_users_offline)| Change::CreateRole {
                name,
                description,
                permissions,
                principals,
                put_users_offline,
            }
        ),
        2 => (
            role(),
            proptest::option::of(name()),
            proptest::option::of(description()),
            proptest::option::of(permissions()),
            proptest::option::of(any::<bool>()),
        )
            .prop_map(|(role, name, description, permissions, put_users_offline)| {
                Change::EditRole { role, name, description, permissions, put_users_offline }
            }),
        1 => role().prop_map(|role| Change::DeleteRole { role }),
        3 => (role(), list(principal()))
            .prop_map(|(role, principals)| Change::AssignRole { role, principals }),
        2 => (role(), list(principal()))
            .prop_map(|(role, principals)| Change::UnassignRole { role, principals }),
        2 => (role(), single_permission(), any::<bool>()).prop_map(
            |(role, permission, allowed)| Change::SetSectionAccess { role, permission, allowed }
        ),
        // Security mode and projects.
        2 => mode().prop_map(|mode| Change::SetSecurityMode { mode }),
        2 => (name(), description(), list(principal()), list(object())).prop_map(
            |(name, description, principals, objects)| Change::CreateProject {
                name,
                description,
                principals,
                objects,
            }
        ),
        1 => (project(), proptest::option::of(name()), proptest::option::of(description()))
            .prop_map(|(project, name, description)| Change::EditProject {
                project,
                name,
                description,
            }),
        1 => project().prop_map(|project| Change::DeleteProject { project }),
        2 => (project(), list(principal()), list(role())).prop_map(|(project, principals, roles)| {
            Change::AddProjectMembers { project, principals, roles }
        }),
        2 => (project(), role(), list(principal())).prop_map(|(project, role, principals)| {
            Change::AssignProjectRole { project, role, principals }
        }),
        1 => (project(), role(), list(principal())).prop_map(|(project, role, principals)| {
            Change::UnassignProjectRole { project, role, principals }
        }),
        1 => (project(), list(principal())).prop_map(|(project, principals)| {
            Change::RemoveProjectMembers { project, principals }
        }),
        2 => (project(), list(object()))
            .prop_map(|(project, objects)| Change::AddProjectObjects { project, objects }),
        1 => (project(), list(object()))
            .prop_map(|(project, objects)| Change::RemoveProjectObjects { project, objects }),
        // Objects.
        3 => (kind(), name(), list(project()))
            .prop_map(|(kind, name, projects)| Change::CreateObject { kind, name, projects }),
        1 => (object(), name()).prop_map(|(object, name)| Change::RenameObject { object, name }),
        1 => object().prop_map(|object| Change::DeleteObject { object }),
    ]
}

/// A sequence of changes. It starts with a user, so that the company has an
/// Admin early and later changes have someone to act on.
pub(crate) fn changes(max: usize) -> impl Strategy<Value = Vec<Change>> {
    prop::collection::vec(change(), max / 4..max).prop_map(|mut changes| {
        changes.insert(
            0,
            Change::CreateUser {
                name: "root".into(),
                roles: Vec::new(),
                groups: Vec::new(),
                projects: Vec::new(),
            },
        );
        changes
    })
}

/// A question for `check`: any user, action and resource, including ids
/// that name nothing and actions that do not fit the resource.
pub(crate) fn query() -> impl Strategy<Value = (UserId, Permissions, Resource)> {
    let action = prop_oneof![
        8 => single_permission(),
        1 => Just(Permissions::empty()),
        1 => (single_permission(), single_permission()).prop_map(|(a, b)| a | b),
    ];
    let resource = prop_oneof![
        1 => Just(Resource::Company),
        2 => (0..ASKED).prop_map(|id| Resource::Object(ObjectId::new(id))),
        1 => (0..ASKED).prop_map(|id| Resource::Project(ProjectId::new(id))),
    ];
    ((0..ASKED).prop_map(UserId::new), action, resource)
}

pub(crate) fn queries() -> impl Strategy<Value = Vec<(UserId, Permissions, Resource)>> {
    prop::collection::vec(query(), 1..64)
}

// ---- Building and comparing --------------------------------------------------

/// What applying a change sequence to a new company gave.
pub(crate) struct Built {
    /// The company after every change.
    pub(crate) company: Company,
    /// Every change applied, accepted or refused, with its ids resolved.
    pub(crate) changes: Vec<Change>,
    /// The accepted changes, as a change log.
    pub(crate) log: Vec<LogEntry>,
    /// The outcome of every change, in order.
    pub(crate) outcomes: Vec<Result<callgate::ChangeReport, Error>>,
    /// A session of some user after each accepted change (later changes may
    /// have ended it).
    pub(crate) sessions: Vec<Session>,
}

/// Resolves and applies generated changes in order to a new company.
pub(crate) fn build(changes: &[Change]) -> Built {
    build_on(new_company(), changes)
}

/// The id every company the generators build shares, so that two built
/// from the same changes write equal documents and take each other's log.
pub(crate) const COMPANY: CompanyId = CompanyId::new(0x00c0_ffee);

/// A new company with the generators' id.
pub(crate) fn new_company() -> Company {
    Company::new().with_id(COMPANY)
}

/// Resolves and applies generated changes in order to `company`.
pub(crate) fn build_on(company: Company, changes: &[Change]) -> Built {
    run(company, changes, true)
}

/// Applies concrete changes (as recorded in [`Built::changes`]) in order to
/// a new company, as they are.
pub(crate) fn replay(changes: &[Change]) -> Built {
    run(new_company(), changes, false)
}

fn run(mut company: Company, changes: &[Change], resolving: bool) -> Built {
    let mut built = Built {
        company: new_company(),
        changes: Vec::new(),
        log: Vec::new(),
        outcomes: Vec::new(),
        sessions: Vec::new(),
    };
    for change in changes {
        let change = if resolving {
            resolve(&company, change.clone())
        } else {
            change.clone()
        };
        let revision = company.revision();
        // The log holds the plans' own entries, each naming the digest of
        // the one before it, as a host stores them.
        let outcome = company.plan(change.clone()).and_then(|plan| {
            let entry = plan.entry().clone();
            let report = company.commit(plan)?;
            built.log.push(entry);
            Ok(report)
        });
        if outcome.is_ok() {
            let users: Vec<UserId> = company.users().map(|(id, _)| id).collect();
            let someone = users.get(revision as usize % users.len().max(1));
            if let Some(session) = someone.and_then(|&user| company.login(user).ok()) {
                built.sessions.push(session);
            }
        }
        built.changes.push(change);
        built.outcomes.push(outcome);
    }
    built.company = company;
    built
}

/// The document as JSON and loaded back, as a replica would.
pub(crate) fn reload(company: &Company) -> Result<Company, Box<dyn std::error::Error>> {
    let json = serde_json::to_string(&company.to_document())?;
    Ok(load_json(&json)?)
}

/// The answers of both companies to each question, side by side, where they
/// differ.
pub(crate) fn differing_decisions(
    a: &Company,
    b: &Company,
    queries: &[(UserId, Permissions, Resource)],
) -> Vec<((UserId, Permissions, Resource), Decision, Decision)> {
    queries
        .iter()
        .map(|&(user, action, resource)| {
            (
                (user, action, resource),
                a.check(user, action, resource),
                b.check(user, action, resource),
            )
        })
        .filter(|(_, x, y)| x != y)
        .collect()
}

/// Asserts that two companies are in the same state: equal documents, equal
/// compiled snapshots, the same answers to `queries` and through `sessions`,
/// and the same visible objects for every user and kind.
pub(crate) fn assert_same_state(
    a: &Company,
    b: &Company,
    queries: &[(UserId, Permissions, Resource)],
    sessions: &[Session],
) -> Result<(), TestCaseError> {
    prop_assert_eq!(a.to_document(), b.to_document());
    prop_assert_eq!(a.revision(), b.revision());
    prop_assert_eq!(a.snapshot(), b.snapshot());
    let differing = differing_decisions(a, b, queries);
    prop_assert!(differing.is_empty(), "decisions differ: {:?}", differing);
    for session in sessions {
        for &(_, action, resource) in queries {
            prop_assert_eq!(
                a.check_session(session, action, resource),
                b.check_session(session, action, resource),
                "session {:?}, {:?} on {:?}",
                session,
                action,
                resource
            );
        }
    }
    for user in (0..ASKED).map(UserId::new) {
        for kind in ObjectKind::ALL {
            let visible = |company: &Company| -> Option<Vec<ObjectId>> {
                Some(company.visible_objects(user, kind).ok()?.collect())
            };
            prop_assert_eq!(visible(a), visible(b), "user {}, kind {}", user, kind);
        }
    }
    Ok(())
}

/// The document of a company, as a `serde_json::Value` to mutate.
pub(crate) fn document_value(document: &Document) -> serde_json::Value {
    serde_json::to_value(document).unwrap_or(serde_json::Value::Null)
}
