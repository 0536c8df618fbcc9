//! Differential tests: the engine (`callgate::Company`) against the
//! reference model in `tests/model/`, on random call centers, random changes
//! and random questions.
//!
//! Each property is its own test and states its default number of cases in
//! its doc comment (thousands each); together they take about four CPU
//! minutes in a debug build: about two minutes on two free cores,
//! `cargo test --test reference_model`. p1-p7 drive the company by system
//! changes and ask by user id; p8-p13 add sessions: logins, role tests
//! (rules 8-9), changes made through a session (`apply_as`, no escalation)
//! and sessions ended by "put users offline" (rule 7).
//!
//! # Running more (or fewer) cases
//!
//! Set `PROPTEST_CASES` to run that many cases in *every* property instead of
//! its default, for a quick look or a long soak:
//!
//! ```text
//! PROPTEST_CASES=50 cargo test --test reference_model
//! PROPTEST_CASES=100000 cargo test --release --test reference_model   # a soak, not in CI
//! ```
//!
//! A failure is shrunk to a short history of changes and saved by proptest
//! under `tests/` (`*.proptest-regressions`); commit that file with the fix so
//! the case is replayed first from then on.

mod model;

use std::collections::BTreeSet;

use callgate::{
    BuiltinRole, Change, ChangeReport, Company, Decision, DenyReason, Error, ObjectId, ObjectKind,
    Permissions, ProjectId, Resource, RoleId, SecurityMode, Session, UserId, CATALOG,
};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{FileFailurePersistence, RngAlgorithm, TestCaseError, TestRunner};

use model::strategies::{
    self, Question, SessionQuestion, Step, CHANGE_VARIANTS, OBJECTS, PROJECTS, USERS,
};
use model::{Applied, Model, Names, Refusal, Session as ModelSession};

/// Cases per property: `PROPTEST_CASES` if set, else the property's default.
fn config(default_cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(default_cases);
    ProptestConfig {
        cases,
        // ChaCha, proptest's default, costs a third of the time in a debug
        // build; XorShift is plenty for picking test cases.
        rng_algorithm: RngAlgorithm::XorShift,
        // Next to this file: `tests/reference_model.proptest-regressions`.
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions",
        ))),
        ..ProptestConfig::default()
    }
}

/// The longest tail of random changes after a call center is built.
const CHANGES: usize = 30;

// ---------------------------------------------------------------------------
// The engine and the model, side by side
// ---------------------------------------------------------------------------

/// The engine and the model, fed the same changes.
struct Pair {
    engine: Company,
    model: Model,
    /// The sessions made so far, the engine's next to the model's.
    sessions: Vec<(Session, ModelSession)>,
}

/// What one change did to both sides.
enum Outcome {
    /// Both accepted it; `before` is the model as it was, `logged_out` the
    /// users whose sessions the model says it ended.
    Accepted {
        report: ChangeReport,
        before: Box<Model>,
        logged_out: BTreeSet<UserId>,
    },
    /// Both refused it: the engine's error and the model's reasons.
    Refused { error: Error, reasons: Vec<Refusal> },
}

impl Pair {
    fn new() -> Self {
        Self {
            engine: Company::new(),
            model: Model::new(),
            sessions: Vec::new(),
        }
    }

    /// Applies `change` to both. Both must accept it or both refuse it, and
    /// an accepted change must create the id the model predicts. Everything
    /// else is for the properties to compare.
    fn apply(&mut self, change: &Change) -> Result<Outcome, TestCaseError> {
        let before = self.model.clone();
        let model = self.model.apply(change);
        let engine = self.engine.apply(change.clone());
        Self::outcome(change, before, &self.model, model, engine)
    }

    /// Applies `change` made through session `actor` to both, like
    /// [`Pair::apply`].
    fn apply_as(&mut self, actor: usize, change: &Change) -> Result<Outcome, TestCaseError> {
        let (session, model_session) = self.sessions[actor];
        let before = self.model.clone();
        let model = self.model.apply_as(&model_session, change);
        let engine = self.engine.apply_as(&session, change.clone());
        Self::outcome(change, before, &self.model, model, engine)
    }

    /// Both accepted `change` or both refused it.
    fn outcome(
        change: &Change,
        before: Model,
        after: &Model,
        model: Result<Applied, Vec<Refusal>>,
        engine: Result<ChangeReport, Error>,
    ) -> Result<Outcome, TestCaseError> {
        match (model, engine) {
            (Ok(applied), Ok(report)) => {
                prop_assert_eq!(
                    report.created,
                    applied.created,
                    "created ids differ: {:?}",
                    change
                );
                prop_assert_eq!(report.revision, after.revision);
                Ok(Outcome::Accepted {
                    report,
                    before: Box::new(before),
                    logged_out: applied.logged_out,
                })
            }
            (Err(reasons), Err(error)) => Ok(Outcome::Refused { error, reasons }),
            (Ok(_), Err(error)) => Err(TestCaseError::fail(format!(
                "the engine refused {change:?} ({error}), the model accepts it"
            ))),
            (Err(reasons), Ok(_)) => Err(TestCaseError::fail(format!(
                "the engine accepted {change:?}, the model refuses it: {reasons:?}"
            ))),
        }
    }

    /// Takes one step on both sides. Logins and role tests must agree:
    /// accepted by both, giving the same session (kept in
    /// [`Pair::sessions`]), or refused by both. A step that needs a session
    /// when there is none is skipped.
    fn step(&mut self, step: &Step) -> Result<StepOutcome, TestCaseError> {
        match step {
            Step::System(change) => Ok(StepOutcome::Change(self.apply(change)?)),
            Step::As(index, change) => match self.pick(*index) {
                Some(actor) => Ok(StepOutcome::Change(self.apply_as(actor, change)?)),
                None => Ok(StepOutcome::Other),
            },
            Step::Login(user) => {
                match (self.engine.login(*user), self.model.login(*user)) {
                    (Ok(session), Ok(model)) => self.keep(session, model)?,
                    (Err(_), Err(_)) => {}
                    (engine, model) => {
                        return Err(TestCaseError::fail(format!(
                            "login({user:?}): engine {engine:?}, model {model:?}"
                        )))
                    }
                }
                Ok(StepOutcome::Other)
            }
            Step::Test(index, role) => {
                let Some(i) = self.pick(*index) else {
                    return Ok(StepOutcome::Other);
                };
                let (session, model) = self.sessions[i];
                let engine = self.engine.start_testing(session, *role);
                match (engine, self.model.start_testing(&model, *role)) {
                    (Ok(session), Ok(model)) => {
                        self.keep(session, model)?;
                        Ok(StepOutcome::Other)
                    }
                    (Err(error), Err(reasons)) => Ok(StepOutcome::TestRefused { error, reasons }),
                    (engine, model) => Err(TestCaseError::fail(format!(
                        "start_testing({session:?}, {role:?}): engine {engine:?}, model {model:?}"
                    ))),
                }
            }
        }
    }

    /// The session an [`Index`](proptest::sample::Index) picks, if any.
    fn pick(&self, index: proptest::sample::Index) -> Option<usize> {
        (!self.sessions.is_empty()).then(|| index.index(self.sessions.len()))
    }

    /// Keeps a session both sides made, after checking they are the same.
    fn keep(&mut self, session: Session, model: ModelSession) -> Result<(), TestCaseError> {
        let engine = (session.user(), session.login_revision(), session.testing());
        let expected = (model.user, model.login_revision, model.testing);
        prop_assert_eq!(engine, expected, "sessions differ");
        self.sessions.push((session, model));
        Ok(())
    }
}

/// What one step did to both sides.
enum StepOutcome {
    /// A change (made by the system or through a session).
    Change(Outcome),
    /// Both refused to start a test: the engine's error and the model's
    /// reasons.
    TestRefused { error: Error, reasons: Vec<Refusal> },
    /// A login, an accepted test, or a skipped step.
    Other,
}

/// The catalog flag with this name.
fn flag(name: &str) -> Permissions {
    CATALOG
        .iter()
        .find(|info| info.name == name)
        .map(|info| info.flag)
        .unwrap_or_else(|| panic!("`{name}` is not a catalog name"))
}

/// A set the engine returns, read by name. The engine stores closed sets of
/// known bits only, so stray bits are a failure.
fn names(set: Permissions) -> Result<Names, TestCaseError> {
    let (names, stray) = model::names_of(set);
    prop_assert!(
        !stray,
        "the engine holds bits outside the catalog: {:?}",
        set
    );
    Ok(names)
}

fn decisions_agree(pair: &Pair, questions: &[Question]) -> Result<(), TestCaseError> {
    for q in questions {
        let engine = pair.engine.check(q.user, q.action, q.resource);
        let model = pair.model.check(q.user, q.action, q.resource);
        prop_assert_eq!(
            engine.is_allowed(),
            model.is_allowed(),
            "check({:?}, {}, {:?}): engine {:?}, model {:?}",
            q.user,
            q.action,
            q.resource,
            engine,
            model
        );
    }
    Ok(())
}

fn reasons_agree(pair: &Pair, questions: &[Question]) -> Result<(), TestCaseError> {
    for q in questions {
        let engine = pair.engine.check(q.user, q.action, q.resource);
        let model = pair.model.check(q.user, q.action, q.resource);
        prop_assert_eq!(
            engine,
            model,
            "check({:?}, {} ({:#x}), {:?})",
            q.user,
            q.action,
            q.action.bits(),
            q.resource
        );
    }
    Ok(())
}

/// Every record and link, as the engine's public API shows them, equals the
/// model's.
fn records_agree(engine: &Company, model: &Model) -> Result<(), TestCaseError> {
    prop_assert_eq!(engine.mode() == SecurityMode::Enhanced, model.enhanced);
    prop_assert_eq!(engine.default_project(), model.default_project);
    prop_assert_eq!(engine.revision(), model.revision);

    type Set<T> = BTreeSet<T>;
    use model::{lefts, rights};
    let users: Vec<_> = engine
        .users()
        .map(|(id, u)| {
            let roles: Set<_> = u.roles().collect();
            let groups: Set<_> = u.groups().collect();
            let projects: Set<_> = u.projects().collect();
            (id, u.name().to_owned(), roles, groups, projects)
        })
        .collect();
    let expected: Vec<_> = model
        .users
        .iter()
        .map(|(&id, name)| {
            let groups: Set<_> = model.groups_of(id);
            (
                id,
                name.clone(),
                rights(&model.user_roles, id),
                groups,
                rights(&model.user_projects, id),
            )
        })
        .collect();
    prop_assert_eq!(users, expected, "users");

    let groups: Vec<_> = engine
        .groups()
        .map(|(id, g)| {
            let members: Set<_> = g.members().collect();
            let roles: Set<_> = g.roles().collect();
            let projects: Set<_> = g.projects().collect();
            (id, g.name().to_owned(), members, roles, projects)
        })
        .collect();
    let expected: Vec<_> = model
        .groups
        .iter()
        .map(|(&id, name)| {
            (
                id,
                name.clone(),
                rights(&model.members, id),
                rights(&model.group_roles, id),
                rights(&model.group_projects, id),
            )
        })
        .collect();
    prop_assert_eq!(groups, expected, "groups");

    let mut roles = Vec::new();
    for (id, r) in engine.roles() {
        let users: Set<_> = r.users().collect();
        let groups: Set<_> = r.groups().collect();
        // Built-in descriptions are the engine's own words.
        let description = r
            .builtin_role()
            .is_none()
            .then(|| r.description().to_owned());
        roles.push((
            id,
            r.name().to_owned(),
            description,
            names(r.permissions())?,
            r.builtin_role(),
            r.puts_users_offline(),
            users,
            groups,
        ));
    }
    let expected: Vec<_> = model
        .roles
        .iter()
        .map(|(&id, r)| {
            let users: Set<_> = lefts(&model.user_roles, id);
            let groups: Set<_> = lefts(&model.group_roles, id);
            (
                id,
                r.name.clone(),
                r.builtin.is_none().then(|| r.description.clone()),
                r.permissions.clone(),
                r.builtin,
                r.put_users_offline,
                users,
                groups,
            )
        })
        .collect();
    prop_assert_eq!(roles, expected, "roles");

    let projects: Vec<_> = engine
        .projects()
        .map(|(id, p)| {
            let users: Set<_> = p.users().collect();
            let groups: Set<_> = p.groups().collect();
            let objects: Set<_> = p.objects().collect();
            let description = model
                .projects
                .get(&id)
                .and_then(|m| m.description.as_ref())
                .map(|_| p.description().to_owned());
            (id, p.name().to_owned(), description, users, groups, objects)
        })
        .collect();
    let expected: Vec<_> = model
        .projects
        .iter()
        .map(|(&id, p)| {
            (
                id,
                p.name.clone(),
                p.description.clone(),
                lefts(&model.user_projects, id),
                lefts(&model.group_projects, id),
                lefts(&model.object_projects, id),
            )
        })
        .collect();
    prop_assert_eq!(projects, expected, "projects");

    let objects: Vec<_> = engine
        .objects()
        .map(|(id, o)| {
            let projects: Set<_> = o.projects().collect();
            (id, o.kind(), o.name().to_owned(), projects)
        })
        .collect();
    let expected: Vec<_> = model
        .objects
        .iter()
        .map(|(&id, o)| {
            (
                id,
                o.kind,
                o.name.clone(),
                rights(&model.object_projects, id),
            )
        })
        .collect();
    prop_assert_eq!(objects, expected, "objects");
    Ok(())
}

/// Every user id the strategies use, and a few beyond.
fn user_ids(model: &Model) -> impl Iterator<Item = UserId> {
    (0..USERS.max(model.next_user) + 1).map(UserId::new)
}

fn object_ids(model: &Model) -> impl Iterator<Item = ObjectId> {
    (0..OBJECTS.max(model.next_object) + 1).map(ObjectId::new)
}

fn project_ids(model: &Model) -> impl Iterator<Item = ProjectId> {
    (0..PROJECTS.max(model.next_project) + 1).map(ProjectId::new)
}

/// Listing agrees with checking, in the engine and with the model.
fn listings_agree(engine: &Company, model: &Model) -> Result<(), TestCaseError> {
    for user in user_ids(model) {
        let known = model.users.contains_key(&user);
        // Effective permissions, as the engine and the model see them.
        match engine.effective_permissions(user) {
            Ok(set) => {
                prop_assert!(known, "permissions of unknown user {:?}", user);
                prop_assert_eq!(names(set)?, model.effective_permissions(user), "{:?}", user);
            }
            Err(_) => prop_assert!(!known, "no permissions for {:?}", user),
        }
        // An object is listed exactly when a view check on it is allowed.
        let mut visible = model.visible_objects(user);
        for kind in ObjectKind::ALL {
            let view = flag(model::view_of(kind));
            let Ok(listed) = engine.visible_objects(user, kind) else {
                prop_assert!(!known, "no list for {:?}", user);
                continue;
            };
            let listed: Vec<ObjectId> = listed.collect();
            if !model.objects.values().any(|o| o.kind == kind) {
                prop_assert_eq!(listed, vec![], "{:?} {:?}: nothing to list", user, kind);
                continue;
            }
            let unique: BTreeSet<ObjectId> = listed.iter().copied().collect();
            prop_assert_eq!(unique.len(), listed.len(), "listed twice: {:?}", listed);
            let allowed: BTreeSet<ObjectId> = object_ids(model)
                .filter(|&o| engine.check(user, view, Resource::Object(o)).is_allowed())
                .collect();
            prop_assert_eq!(&unique, &allowed, "{:?} {:?}: list vs check", user, kind);
            let expected = visible.remove(&kind).unwrap_or_default();
            prop_assert_eq!(&unique, &expected, "{:?} {:?} (model)", user, kind);
        }
        // Likewise projects.
        if let Ok(listed) = engine.visible_projects(user) {
            let unique: BTreeSet<ProjectId> = listed.iter().copied().collect();
            prop_assert_eq!(unique.len(), listed.len());
            let view = flag("projects.view");
            let allowed: BTreeSet<ProjectId> = project_ids(model)
                .filter(|&p| engine.check(user, view, Resource::Project(p)).is_allowed())
                .collect();
            prop_assert_eq!(unique, allowed, "{:?}: project list vs check", user);
        } else {
            prop_assert!(!known);
        }
    }
    // A user is among "who holds P" exactly when their permissions contain P.
    let sets = [
        Permissions::QUEUES_VIEW,
        Permissions::QUEUES_MANAGE,
        Permissions::LISTS_VIEW,
        Permissions::PROJECTS_VIEW,
        Permissions::PROJECTS_ALL,
        Permissions::BILLING_MANAGE,
        Permissions::SECURITY_VIEW,
        Permissions::TICKETS_CREATE,
        Permissions::empty(),
        Permissions::QUEUES_VIEW | Permissions::LISTS_MANAGE,
        Permissions::OPERATOR,
        Permissions::ADMIN,
    ];
    let held: std::collections::BTreeMap<UserId, Names> = model
        .users
        .keys()
        .map(|&u| (u, model.effective_permissions(u)))
        .collect();
    for set in sets {
        let holders: Vec<UserId> = engine.holders(set).collect();
        let unique: BTreeSet<UserId> = holders.iter().copied().collect();
        prop_assert_eq!(unique.len(), holders.len());
        let by_permissions: BTreeSet<UserId> = engine
            .users()
            .map(|(id, _)| id)
            .filter(|&u| {
                engine
                    .effective_permissions(u)
                    .is_ok_and(|p| p.contains(set))
            })
            .collect();
        prop_assert_eq!(&unique, &by_permissions, "holders of {}", set);
        let (wanted, _) = model::names_of(set);
        let expected: BTreeSet<UserId> = held
            .iter()
            .filter(|(_, names)| wanted.is_subset(names))
            .map(|(&u, _)| u)
            .collect();
        prop_assert_eq!(&unique, &expected, "holders of {} (model)", set);
    }
    // Role holders and project members, through groups too.
    for &role in model.roles.keys() {
        let holders: BTreeSet<UserId> = engine
            .role_holders(role)
            .unwrap_or_default()
            .into_iter()
            .collect();
        let expected: BTreeSet<UserId> = model
            .users
            .keys()
            .copied()
            .filter(|&u| model.roles_of(u).contains(&role))
            .collect();
        prop_assert_eq!(holders, expected, "holders of role {:?}", role);
    }
    for &project in model.projects.keys() {
        let members: BTreeSet<UserId> = engine
            .project_members(project)
            .unwrap_or_default()
            .into_iter()
            .collect();
        let expected: BTreeSet<UserId> = model
            .users
            .keys()
            .copied()
            .filter(|&u| model.projects_of(u).contains(&project))
            .collect();
        prop_assert_eq!(members, expected, "members of project {:?}", project);
    }
    Ok(())
}

/// The invariants every accepted change must keep, read through the
/// engine's public API alone.
fn invariants_hold(engine: &Company, default: &mut Option<ProjectId>) -> Result<(), TestCaseError> {
    // Built-in roles are what a new company has, and what DOMAIN.md says.
    let fresh = Company::new();
    for builtin in BuiltinRole::ALL {
        let id = builtin.id();
        let role = engine.role(id);
        prop_assert!(role.is_some(), "built-in role {:?} is gone", builtin);
        let (role, new) = (role.unwrap(), fresh.role(id).unwrap());
        prop_assert_eq!(role.name(), new.name());
        prop_assert_eq!(role.description(), new.description());
        prop_assert_eq!(role.permissions(), new.permissions());
        prop_assert_eq!(role.builtin_role(), Some(builtin));
        prop_assert!(!role.puts_users_offline());
        prop_assert_eq!(
            names(role.permissions())?,
            model::builtin_permissions(builtin),
            "{:?} is not what DOMAIN.md says",
            builtin
        );
    }
    // At least one Admin once a user exists.
    if engine.users().next().is_some() {
        let admins = engine.role_holders(RoleId::ADMIN).unwrap_or_default();
        prop_assert!(!admins.is_empty(), "users but no Admin");
    }
    // No user holds a permission that no role of theirs grants (and every
    // role of theirs counts).
    for (id, user) in engine.users() {
        let through_groups = user
            .groups()
            .filter_map(|g| engine.group(g))
            .flat_map(|g| g.roles().collect::<Vec<_>>());
        let granted = user
            .roles()
            .chain(through_groups)
            .filter_map(|r| engine.role(r))
            .fold(Permissions::empty(), |set, role| set | role.permissions());
        let effective = engine.effective_permissions(id);
        prop_assert_eq!(effective, Ok(granted), "{:?}", id);
    }
    // The Default project exists in enhanced mode once enabled, and stays.
    if engine.mode() == SecurityMode::Enhanced {
        prop_assert!(
            engine.default_project().is_some(),
            "enhanced without Default"
        );
    }
    if default.is_some() {
        prop_assert_eq!(engine.default_project(), *default, "Default changed");
    }
    *default = engine.default_project();
    if let Some(id) = *default {
        let project = engine.project(id);
        prop_assert!(project.is_some(), "Default is gone");
        prop_assert_eq!(project.unwrap().name(), model::DEFAULT);
    }
    Ok(())
}

/// Questions asked before and after a monotone change: every user, a few
/// actions, every resource.
fn grid(engine: &Company) -> Vec<Decision> {
    let actions = [
        Permissions::QUEUES_VIEW,
        Permissions::QUEUES_MANAGE,
        Permissions::LISTS_VIEW,
        Permissions::LISTS_MANAGE,
        Permissions::PROJECTS_VIEW,
        Permissions::PROJECTS_MANAGE,
        Permissions::BILLING_VIEW,
        Permissions::PROJECTS_ALL,
    ];
    let resources = std::iter::once(Resource::Company)
        .chain((0..OBJECTS).map(|o| Resource::Object(ObjectId::new(o))))
        .chain((0..PROJECTS).map(|p| Resource::Project(ProjectId::new(p))));
    let mut out = Vec::new();
    for resource in resources {
        for user in 0..USERS {
            for action in actions {
                out.push(engine.check(UserId::new(user), action, resource));
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------
// The properties
// ---------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(5000))]

    /// 1. Every check decision, allow or deny, equals the model's. 5,000
    /// cases by default, each a random call center and up to 29 changes
    /// after it, with 12 random questions asked after every change.
    #[test]
    fn p1_every_decision_matches_the_model(
        history in strategies::history(CHANGES),
        questions in proptest::collection::vec(strategies::question(), 12),
    ) {
        let mut pair = Pair::new();
        for change in &history {
            pair.apply(change)?;
            decisions_agree(&pair, &questions)?;
        }
    }
}

proptest! {
    #![proptest_config(config(5000))]

    /// 2. Every deny reason equals the model's (and so does every allow).
    /// 5,000 cases by default, each a random call center and up to 29
    /// changes after it, with 12 random questions asked after every change.
    #[test]
    fn p2_every_deny_reason_matches_the_model(
        history in strategies::history(CHANGES),
        questions in proptest::collection::vec(strategies::question(), 12),
    ) {
        let mut pair = Pair::new();
        for change in &history {
            pair.apply(change)?;
            reasons_agree(&pair, &questions)?;
        }
    }
}

proptest! {
    #![proptest_config(config(2000))]

    /// 3. Listing agrees with checking: an object (or project) is in a user's
    /// visible list exactly when a view check on it is allowed, and a user
    /// is among the holders of P exactly when their effective permissions
    /// contain P; both equal the model's, and so do effective permissions,
    /// role holders and project members. 2,000 cases by default, each a
    /// random call center and up to 29 changes after it, every user and
    /// kind and 12 permission sets compared after every change.
    #[test]
    fn p3_listing_agrees_with_checking(history in strategies::history(CHANGES)) {
        let mut pair = Pair::new();
        for change in &history {
            pair.apply(change)?;
            listings_agree(&pair.engine, &pair.model)?;
        }
    }
}

proptest! {
    #![proptest_config(config(3000))]

    /// 4. A change the model refuses, the engine refuses, naming one of the
    /// model's reasons, and leaves the company exactly as it was (its whole
    /// `Debug` text); a change the model accepts, the engine accepts; after
    /// either, every record and link equals the model's. 3,000 cases by
    /// default, each a random call center and up to 29 changes after it.
    #[test]
    fn p4_refused_changes_change_nothing(history in strategies::history(CHANGES)) {
        let mut pair = Pair::new();
        for change in &history {
            let before = format!("{:?}", pair.engine);
            if let Outcome::Refused { error, reasons } = pair.apply(change)? {
                prop_assert!(
                    reasons.iter().any(|reason| reason.matches(&error)),
                    "{:?}: the engine says `{}`, the model {:?}", change, error, reasons
                );
                prop_assert_eq!(&format!("{:?}", pair.engine), &before, "{:?} changed state", change);
            }
            records_agree(&pair.engine, &pair.model)?;
        }
    }
}

proptest! {
    #![proptest_config(config(4000))]

    /// 5. After every accepted change: built-in roles unchanged, at least
    /// one Admin once a user exists, no user holds a permission that no role
    /// of theirs grants, the Default project exists in enhanced mode once
    /// enabled (and is never replaced). 4,000 cases by default, each a random
    /// call center and up to 29 changes after it.
    #[test]
    fn p5_invariants_hold_after_every_accepted_change(history in strategies::history(CHANGES)) {
        let mut pair = Pair::new();
        let mut default = None;
        for change in &history {
            if let Outcome::Accepted { .. } = pair.apply(change)? {
                invariants_hold(&pair.engine, &mut default)?;
            }
        }
    }
}

proptest! {
    #![proptest_config(config(5000))]

    /// 6. Monotonicity: giving a role, a group or project membership, a
    /// permission or a project object never turns an allow into a deny;
    /// taking one away never turns a deny into an allow. 5,000 cases by
    /// default, each a random call center then up to 12 such changes, every
    /// user x 8 actions x every resource compared around each.
    #[test]
    fn p6_giving_never_denies_and_taking_never_allows(
        history in strategies::history(CHANGES),
        steps in proptest::collection::vec(strategies::monotone_change(), 1..12),
    ) {
        let mut engine = Company::new();
        for change in history {
            let _ = engine.apply(change);
        }
        for (giving, change) in steps {
            let before = grid(&engine);
            let accepted = engine.apply(change.clone()).is_ok();
            let after = grid(&engine);
            for (i, (was, is)) in before.iter().zip(&after).enumerate() {
                let broken = if giving {
                    was.is_allowed() && !is.is_allowed()
                } else {
                    !was.is_allowed() && is.is_allowed()
                };
                prop_assert!(
                    !broken,
                    "{:?} (accepted: {}) turned question #{} from {:?} to {:?}",
                    change, accepted, i, was, is
                );
            }
        }
    }
}

proptest! {
    #![proptest_config(config(3000))]

    /// 7. A change report names every user whose effective permissions or
    /// project memberships the change altered (it may name more). 3,000
    /// cases by default, each a random call center and up to 29 changes
    /// after it.
    #[test]
    fn p7_reports_name_every_affected_user(history in strategies::history(CHANGES)) {
        let mut pair = Pair::new();
        for change in &history {
            if let Outcome::Accepted { report, before, .. } = pair.apply(change)? {
                let named: BTreeSet<UserId> = report.affected_users.iter().copied().collect();
                let changed = before.affected_users(&pair.model);
                prop_assert!(
                    changed.is_subset(&named),
                    "{:?}: changed {:?}, reported {:?}", change, changed, named
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Sessions, role tests and actors (DOMAIN rules 7-9, no escalation)
// ---------------------------------------------------------------------------

/// The longest tail of random steps after a call center is built.
const STEPS: usize = 30;

/// The session pair a question picks, if there is one.
fn picked(pair: &Pair, q: &SessionQuestion) -> Option<(Session, ModelSession)> {
    pair.pick(q.session).map(|i| pair.sessions[i])
}

fn session_decisions_agree(
    pair: &Pair,
    questions: &[SessionQuestion],
) -> Result<(), TestCaseError> {
    for q in questions {
        let Some((session, model)) = picked(pair, q) else {
            continue;
        };
        let engine = pair.engine.check_session(&session, q.action, q.resource);
        let model = pair.model.check_session(&model, q.action, q.resource);
        prop_assert_eq!(
            engine.is_allowed(),
            model.is_allowed(),
            "check_session({:?}, {}, {:?}): engine {:?}, model {:?}",
            session,
            q.action,
            q.resource,
            engine,
            model
        );
    }
    Ok(())
}

fn session_reasons_agree(pair: &Pair, questions: &[SessionQuestion]) -> Result<(), TestCaseError> {
    for q in questions {
        let Some((session, model)) = picked(pair, q) else {
            continue;
        };
        let engine = pair.engine.check_session(&session, q.action, q.resource);
        let model = pair.model.check_session(&model, q.action, q.resource);
        prop_assert_eq!(
            engine,
            model,
            "check_session({:?}, {} ({:#x}), {:?})",
            session,
            q.action,
            q.action.bits(),
            q.resource
        );
    }
    Ok(())
}

/// Listing through every session agrees with checking through it, and with
/// the model.
fn session_listings_agree(pair: &Pair) -> Result<(), TestCaseError> {
    let (engine, model) = (&pair.engine, &pair.model);
    for (session, model_session) in &pair.sessions {
        let expected = model.visible_objects_as(model_session);
        for kind in ObjectKind::ALL {
            let listed = engine.visible_objects_as(session, kind);
            let (Ok(listed), Some(expected)) = (listed, &expected) else {
                prop_assert!(
                    engine.visible_objects_as(session, kind).is_err() && expected.is_none(),
                    "{:?} {:?}: engine lists {:?}, model {:?}",
                    session,
                    kind,
                    engine
                        .visible_objects_as(session, kind)
                        .map(Iterator::collect::<Vec<_>>),
                    expected
                );
                continue;
            };
            let listed: Vec<ObjectId> = listed.collect();
            let unique: BTreeSet<ObjectId> = listed.iter().copied().collect();
            prop_assert_eq!(unique.len(), listed.len(), "listed twice: {:?}", listed);
            let view = flag(model::view_of(kind));
            let allowed: BTreeSet<ObjectId> = object_ids(model)
                .filter(|&o| {
                    engine
                        .check_session(session, view, Resource::Object(o))
                        .is_allowed()
                })
                .collect();
            prop_assert_eq!(&unique, &allowed, "{:?} {:?}: list vs check", session, kind);
            let expected = expected.get(&kind).cloned().unwrap_or_default();
            prop_assert_eq!(&unique, &expected, "{:?} {:?} (model)", session, kind);
        }
    }
    Ok(())
}

/// Whether the engine says `session` was ended by a change.
fn ended(engine: &Company, session: &Session) -> bool {
    let check = engine.check_session(session, Permissions::QUEUES_VIEW, Resource::Company);
    check.deny_reason() == Some(DenyReason::SessionEnded)
}

proptest! {
    #![proptest_config(config(2000))]

    /// 8. p1 through sessions: every `check_session` decision equals the
    /// model's, in normal, testing and ended sessions. 2,000 cases by
    /// default, each a random call center, 1-4 logins and up to 29 steps
    /// (system and actor changes, logins, role tests), with 12 random
    /// questions through random sessions after every step.
    #[test]
    fn p8_every_session_decision_matches_the_model(
        steps in strategies::session_history(STEPS),
        questions in proptest::collection::vec(strategies::session_question(), 12),
    ) {
        let mut pair = Pair::new();
        for step in &steps {
            pair.step(step)?;
            session_decisions_agree(&pair, &questions)?;
        }
    }
}

proptest! {
    #![proptest_config(config(2000))]

    /// 9. p2 through sessions: every `check_session` answer equals the
    /// model's: the decision, the deny reason, and (rule 9, for audit) the
    /// real user and the role under test. 2,000 cases by default, shaped
    /// like p8's.
    #[test]
    fn p9_every_session_deny_reason_matches_the_model(
        steps in strategies::session_history(STEPS),
        questions in proptest::collection::vec(strategies::session_question(), 12),
    ) {
        let mut pair = Pair::new();
        for step in &steps {
            pair.step(step)?;
            session_reasons_agree(&pair, &questions)?;
        }
    }
}

proptest! {
    #![proptest_config(config(3000))]

    /// 10. p3 through sessions: `visible_objects_as(session, kind)` is
    /// exactly the set of objects whose view check through the session is
    /// allowed, and equals the model's (nothing for an ended session, an
    /// error for a deleted user). 3,000 cases by default, each a random
    /// call center, 1-4 logins and up to 29 steps, every session and kind
    /// compared after every step.
    #[test]
    fn p10_session_listing_agrees_with_checking(steps in strategies::session_history(STEPS)) {
        let mut pair = Pair::new();
        for step in &steps {
            pair.step(step)?;
            session_listings_agree(&pair)?;
        }
    }
}

proptest! {
    #![proptest_config(config(2000))]

    /// 11. p4 for actors: `apply_as` accepts exactly the changes the model
    /// accepts through that session (current session, governing
    /// permissions, projects and objects the actor reaches, no escalation,
    /// then every check of `apply`); a refusal names one of the model's
    /// reasons and leaves the company's whole `Debug` text as it was.
    /// `start_testing` likewise. Every record and link equals the model's
    /// after every step. 2,000 cases by default, each a random call center,
    /// 1-4 logins and up to 29 steps.
    #[test]
    fn p11_actor_changes_and_tests_match_the_model(steps in strategies::session_history(STEPS)) {
        let mut pair = Pair::new();
        for step in &steps {
            let before = format!("{:?}", pair.engine);
            let refused = match pair.step(step)? {
                StepOutcome::Change(Outcome::Refused { error, reasons })
                | StepOutcome::TestRefused { error, reasons } => Some((error, reasons)),
                _ => None,
            };
            if let Some((error, reasons)) = refused {
                prop_assert!(
                    reasons.iter().any(|reason| reason.matches(&error)),
                    "{:?}: the engine says `{}`, the model {:?}", step, error, reasons
                );
                prop_assert_eq!(&format!("{:?}", pair.engine), &before, "{:?} changed state", step);
            }
            records_agree(&pair.engine, &pair.model)?;
        }
    }
}

proptest! {
    #![proptest_config(config(4000))]

    /// 12. Rule 7: every change reports exactly the users the model logs
    /// out (the holders, before or after, directly or through a group, of a
    /// role saved with "put its users offline" on; a deleted user), in id
    /// order; every session logged in before is ended afterwards and a new
    /// login is not; and after every step each session is ended exactly
    /// when the model says so. 4,000 cases by default, each a random call
    /// center, 1-4 logins and up to 29 steps.
    #[test]
    fn p12_put_users_offline_ends_exactly_the_reported_sessions(
        steps in strategies::session_history(STEPS),
    ) {
        let mut pair = Pair::new();
        for step in &steps {
            if let StepOutcome::Change(Outcome::Accepted { report, logged_out, .. }) = pair.step(step)? {
                let reported: BTreeSet<UserId> = report.logged_out_users.iter().copied().collect();
                prop_assert_eq!(reported.len(), report.logged_out_users.len(), "named twice");
                prop_assert!(report.logged_out_users.windows(2).all(|w| w[0] < w[1]), "not in id order");
                prop_assert_eq!(&reported, &logged_out, "{:?}: logged out", step);
                for &user in logged_out.iter().filter(|u| pair.model.users.contains_key(u)) {
                    for (session, _) in pair.sessions.iter().filter(|(s, _)| s.user() == user) {
                        prop_assert!(ended(&pair.engine, session), "{:?} still current after {:?}", session, step);
                    }
                    let fresh = pair.engine.login(user);
                    prop_assert!(
                        fresh.is_ok_and(|s| !ended(&pair.engine, &s)),
                        "{:?} cannot log in again after {:?}", user, step
                    );
                }
            }
            for (session, model) in &pair.sessions {
                let expected = pair.model.session_permissions(model) == Err(DenyReason::SessionEnded);
                prop_assert_eq!(ended(&pair.engine, session), expected, "{:?} ended? after {:?}", session, step);
            }
        }
    }
}

proptest! {
    #![proptest_config(config(4000))]

    /// 13. No escalation: after any change accepted through a session, no
    /// user holds a permission they did not hold before unless the actor's
    /// session held it (a new user held nothing before). Read through the
    /// engine alone. 4,000 cases by default, each a random call center,
    /// 1-4 logins and up to 29 steps.
    #[test]
    fn p13_actors_hand_out_nothing_they_lack(steps in strategies::session_history(STEPS)) {
        let mut pair = Pair::new();
        for step in &steps {
            let actor = match step {
                Step::As(index, _) => pair.pick(*index).map(|i| pair.sessions[i].0),
                _ => None,
            };
            let held = actor.and_then(|s| pair.engine.session_permissions(&s).ok());
            let before: std::collections::BTreeMap<UserId, Permissions> = pair
                .engine
                .users()
                .filter_map(|(id, _)| Some((id, pair.engine.effective_permissions(id).ok()?)))
                .collect();
            let accepted = matches!(pair.step(step)?, StepOutcome::Change(Outcome::Accepted { .. }));
            let (Some(held), true) = (held, accepted) else {
                continue;
            };
            for (user, _) in pair.engine.users() {
                let now = pair.engine.effective_permissions(user).unwrap_or_default();
                let was = before.get(&user).copied().unwrap_or_default();
                let gained = now.difference(was);
                prop_assert!(
                    held.contains(gained),
                    "{:?} gave {:?} `{}`, which the actor (holding `{}`) lacks",
                    step, user, gained, held
                );
            }
        }
    }
}

/// Every `Change` variant in `src/change.rs` is one the strategies make and
/// the model knows: a new variant fails this test until both are taught it.
#[test]
fn every_change_variant_is_generated() {
    let source = include_str!("../src/change.rs");
    let start = source
        .find("pub enum Change<")
        .and_then(|at| Some(at + source[at..].find(" {\n")?))
        .expect("change.rs declares `pub enum Change<...>`");
    let body = &source[start..];
    let body = &body[..body.find("\n}").expect("the enum ends")];
    let declared: BTreeSet<&str> = body
        .lines()
        .filter_map(|line| line.strip_prefix("    "))
        .filter(|line| line.starts_with(|c: char| c.is_ascii_uppercase()))
        .map(|line| {
            line.split(|c: char| !c.is_alphanumeric())
                .next()
                .unwrap_or("")
        })
        .collect();
    let listed: BTreeSet<&str> = CHANGE_VARIANTS.iter().copied().collect();
    assert_eq!(declared, listed, "src/change.rs vs CHANGE_VARIANTS");

    let mut runner = TestRunner::deterministic();
    let strategy = strategies::any_change();
    let mut made = BTreeSet::new();
    for _ in 0..5_000 {
        let change = strategy.new_tree(&mut runner).unwrap().current();
        let debug = format!("{change:?}");
        let name = debug
            .split(|c: char| !c.is_alphanumeric())
            .next()
            .unwrap_or("");
        made.insert(name.to_owned());
        // The model knows every change it is given (it panics otherwise).
        let _ = Model::new().apply(&change);
        let _ = Model::new().governing(&change);
    }
    let listed: BTreeSet<String> = listed.iter().map(|&n| n.to_owned()).collect();
    assert_eq!(made, listed, "what any_change makes vs CHANGE_VARIANTS");
}

// ---------------------------------------------------------------------------
// Disagreements found so far, replayed as plain tests
// ---------------------------------------------------------------------------

/// Applies `history` to the engine and the model; every step must agree.
fn replay(history: &[Change]) -> Pair {
    let mut pair = Pair::new();
    for change in history {
        if let Err(failure) = pair.apply(change) {
            panic!("{failure}");
        }
        if let Err(failure) = records_agree(&pair.engine, &pair.model) {
            panic!("after {change:?}: {failure}");
        }
    }
    pair
}

/// A company with no user has no Admin to lose: taking Admin from nobody,
/// or deleting a group, is accepted (the engine refused both with
/// `LastAdmin`).
#[test]
fn found_no_users_means_no_admin_to_lose() {
    replay(&[
        Change::UnassignRole {
            role: RoleId::ADMIN,
            principals: Vec::new(),
        },
        Change::CreateGroup {
            name: "team".into(),
            members: Vec::new(),
        },
        Change::RemoveGroupMembers {
            group: callgate::GroupId::new(0),
            users: Vec::new(),
        },
        Change::DeleteGroup {
            group: callgate::GroupId::new(0),
        },
    ]);
}

/// A deleted user without roles, groups or projects is unknown afterwards
/// (the engine kept it live in the snapshot: `MissingPermission`).
#[test]
fn found_a_deleted_user_without_links_is_unknown() {
    let create = |name: &str| Change::CreateUser {
        name: name.into(),
        roles: Vec::new(),
        groups: Vec::new(),
        projects: Vec::new(),
    };
    let bob = UserId::new(1);
    let pair = replay(&[
        create("ann"),
        create("bob"),
        Change::DeleteUser { user: bob },
    ]);
    let decision = pair
        .engine
        .check(bob, Permissions::QUEUES_VIEW, Resource::Company);
    assert_eq!(decision, Decision::Deny(callgate::DenyReason::UnknownUser));
    assert_eq!(
        decision,
        pair.model
            .check(bob, Permissions::QUEUES_VIEW, Resource::Company)
    );
    assert!(pair.engine.effective_permissions(bob).is_err());
    assert_eq!(pair.engine.holders(Permissions::empty()).count(), 1);
}

/// The session histories reach every outcome the properties are about:
/// changes accepted through sessions (normal and testing), each kind of
/// refusal (ended session, forbidden, hidden, escalation), role tests
/// accepted and refused, and sessions ended by "put users offline". 300
/// deterministic histories.
#[test]
fn session_histories_reach_every_outcome() {
    let mut runner = TestRunner::deterministic();
    let strategy = strategies::session_history(STEPS);
    let mut seen: std::collections::BTreeMap<&str, u32> = std::collections::BTreeMap::new();
    for _ in 0..300 {
        let steps = strategy.new_tree(&mut runner).unwrap().current();
        let mut pair = Pair::new();
        for step in &steps {
            let testing = match step {
                Step::As(index, _) => pair
                    .pick(*index)
                    .map(|i| pair.sessions[i].0.testing().is_some()),
                _ => None,
            };
            let outcome = pair
                .step(step)
                .unwrap_or_else(|failure| panic!("{failure}"));
            let what = match (&outcome, step, testing) {
                (StepOutcome::Change(Outcome::Accepted { .. }), Step::As(..), Some(true)) => {
                    "accepted through a testing session"
                }
                (StepOutcome::Change(Outcome::Accepted { .. }), Step::As(..), _) => {
                    "accepted through a session"
                }
                (StepOutcome::Change(Outcome::Accepted { report, .. }), _, _)
                    if !report.logged_out_users.is_empty() =>
                {
                    "put users offline"
                }
                (StepOutcome::Change(Outcome::Refused { error, .. }), Step::As(..), _)
                | (StepOutcome::TestRefused { error, .. }, _, _) => {
                    let test = matches!(step, Step::Test(..));
                    match (error, test) {
                        (Error::SessionEnded { .. }, false) => "refused: session ended",
                        (Error::Forbidden { .. }, false) => "refused: forbidden",
                        (Error::Escalation { .. }, false) => "refused: escalation",
                        (Error::UnknownId { .. }, false)
                            if pair.engine.mode() == SecurityMode::Enhanced =>
                        {
                            "refused: unknown or hidden"
                        }
                        (Error::Forbidden { .. }, true) => "test refused: forbidden",
                        (Error::Escalation { .. }, true) => "test refused: escalation",
                        (Error::SessionEnded { .. }, true) => "test refused: session ended",
                        _ => "refused: other",
                    }
                }
                (StepOutcome::Other, Step::Test(..), _) => "test started",
                _ => "other",
            };
            *seen.entry(what).or_default() += 1;
        }
        let ended = pair
            .sessions
            .iter()
            .filter(|(s, _)| ended(&pair.engine, s))
            .count();
        *seen.entry("sessions ended at the end").or_default() += u32::try_from(ended).unwrap();
    }
    println!("{seen:#?}");
    for what in [
        "accepted through a session",
        "accepted through a testing session",
        "put users offline",
        "refused: session ended",
        "refused: forbidden",
        "refused: escalation",
        "refused: unknown or hidden",
        "test started",
        "test refused: forbidden",
        "test refused: escalation",
        "test refused: session ended",
        "sessions ended at the end",
    ] {
        assert!(
            seen.get(what).copied().unwrap_or(0) >= 10,
            "{what}: {seen:#?}"
        );
    }
}
