//! The engine and the model side by side, for any catalog: a [`Pair`] fed
//! the same changes and steps, and the comparisons the properties make
//! (`tests/reference_model.rs` over the standard catalog,
//! `tests/reference_model_catalogs.rs` over random ones).

use std::collections::BTreeSet;

use callgate::{
    Actor, BuiltinRole, Change, ChangeReport, Company, Decision, DenyReason, Error, GroupId, Kind,
    ObjectId, Principal, ProjectId, Resource, RoleId, SecurityMode, Session, UserId,
};
use proptest::prelude::*;
use proptest::test_runner::{FileFailurePersistence, RngAlgorithm, TestCaseError};

use super::strategies::{OBJECTS, PROJECTS, Question, SessionQuestion, Step, USERS, Vocab};
use super::{
    Applied, DEFAULT, Model, ModelFlags, Names, Refusal, Session as ModelSession, cat, flag, lefts,
    names_of, rights,
};

/// Cases per property: `PROPTEST_CASES` if set, else the property's default.
pub(crate) fn config(default_cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(default_cases);
    ProptestConfig {
        cases,
        // ChaCha, proptest's default, costs a third of the time in a debug
        // build; XorShift is plenty for picking test cases.
        rng_algorithm: RngAlgorithm::XorShift,
        // Next to the test file: `tests/<name>.proptest-regressions`.
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions",
        ))),
        ..ProptestConfig::default()
    }
}

/// The engine and the model, fed the same changes.
pub(crate) struct Pair<P: ModelFlags> {
    pub(crate) engine: Company<P>,
    pub(crate) model: Model<P>,
    /// The sessions made so far, the engine's next to the model's.
    pub(crate) sessions: Vec<(Session, ModelSession)>,
}

/// What one change did to both sides.
pub(crate) enum Outcome<P: ModelFlags> {
    /// Both accepted it; `before` is the model as it was, `logged_out` the
    /// users whose sessions the model says it ended.
    Accepted {
        report: ChangeReport,
        before: Box<Model<P>>,
        logged_out: BTreeSet<UserId>,
    },
    /// Both refused it: the engine's error and the model's reasons.
    Refused { error: Error, reasons: Vec<Refusal> },
}

impl<P: ModelFlags> Pair<P> {
    /// A new company on both sides, with `P`'s catalog.
    pub(crate) fn new() -> Self {
        Self {
            engine: Company::with_catalog(),
            model: Model::new(),
            sessions: Vec::new(),
        }
    }

    /// Applies `change` to both. Both must accept it or both refuse it, and
    /// an accepted change must create the id the model predicts. Everything
    /// else is for the properties to compare.
    pub(crate) fn apply(&mut self, change: &Change<P>) -> Result<Outcome<P>, TestCaseError> {
        let before = self.model.clone();
        let model = self.model.apply(change);
        let engine = self.engine_apply(None, change)?;
        Self::outcome(change, before, &self.model, model, engine)
    }

    /// Applies `change` made through session `actor` to both, like
    /// [`Pair::apply`]; when the engine accepts it, no one's permissions in
    /// any project grew beyond what the actor holds there (rule 22, see
    /// [`nothing_gained_beyond`]).
    pub(crate) fn apply_as(
        &mut self,
        actor: usize,
        change: &Change<P>,
    ) -> Result<Outcome<P>, TestCaseError> {
        let (session, model_session) = self.sessions[actor];
        let before = self.model.clone();
        let held = held_on_projects(&self.engine, &session);
        let was = in_projects(&self.engine);
        let model = self.model.apply_as(&model_session, change);
        let engine = self.engine_apply(Some(&session), change)?;
        if let (Ok(_), Some(held)) = (&engine, held) {
            nothing_gained_beyond(&self.engine, change, &held, &was)?;
        }
        Self::outcome(change, before, &self.model, model, engine)
    }

    /// Gives `change` to the engine (made through `session`, if any) one of
    /// its two ways, and checks the two phases against each other with
    /// cheap checks only (nothing is serialized or compared whole):
    /// - `preview` (a plan that is dropped) must leave the revision as it
    ///   was and give exactly what `apply` then gives, report or error;
    /// - or `plan` must leave the revision as it was; an accepted plan's log
    ///   entry names the change, the revision and the actor, its report the
    ///   next revision; `commit` must accept it and return its report;
    ///   committing it a second time is refused as stale
    ///   (`RevisionMismatch`), changing nothing.
    ///
    /// Which way is picked from the revision and the kind of change, so that
    /// a history takes both by turns (a refused change keeps the revision,
    /// the next one is often of another kind) and a replay takes the same.
    fn engine_apply(
        &mut self,
        session: Option<&Session>,
        change: &Change<P>,
    ) -> Result<Result<ChangeReport, Error>, TestCaseError> {
        use std::hash::{Hash, Hasher};
        let engine = &mut self.engine;
        let revision = engine.revision();
        // `DefaultHasher::new` is keyed the same every time.
        let mut kind = std::collections::hash_map::DefaultHasher::new();
        std::mem::discriminant(change).hash(&mut kind);
        let turn = revision.wrapping_add(kind.finish());
        let unchanged = |engine: &Company<P>, what: &str| {
            prop_assert_eq!(engine.revision(), revision, "{} moved the revision", what);
            prop_assert_eq!(
                engine.snapshot().revision(),
                revision,
                "{} moved the snapshot",
                what
            );
            Ok(())
        };
        if turn % 2 == 0 {
            let preview = match session {
                Some(session) => engine.preview_as(session, change.clone()),
                None => engine.preview(change.clone()),
            };
            unchanged(engine, "preview")?;
            let applied = match session {
                Some(session) => engine.apply_as(session, change.clone()),
                None => engine.apply(change.clone()),
            };
            prop_assert_eq!(&preview, &applied, "preview vs apply of {:?}", change);
            return Ok(applied);
        }
        let plan = match session {
            Some(session) => engine.plan_as(session, change.clone()),
            None => engine.plan(change.clone()),
        };
        unchanged(engine, "plan")?;
        let plan = match plan {
            Ok(plan) => plan,
            Err(error) => return Ok(Err(error)),
        };
        let entry = plan.entry();
        prop_assert_eq!(plan.revision(), revision);
        prop_assert_eq!(entry.revision, revision);
        prop_assert_eq!(&entry.change, change);
        prop_assert_eq!(entry.actor, session.map(Actor::of));
        prop_assert!(entry.context.is_empty());
        let planned = plan.report().clone();
        prop_assert_eq!(planned.revision, revision + 1);
        let again = plan.clone();
        let committed = engine.commit(plan).map_err(|error| {
            TestCaseError::fail(format!(
                "commit of a fresh plan of {change:?} refused: {error}"
            ))
        })?;
        prop_assert_eq!(&committed, &planned, "plan vs commit of {:?}", change);
        prop_assert_eq!(engine.revision(), revision + 1);
        let stale = Err(Error::RevisionMismatch {
            expected: revision,
            actual: revision + 1,
        });
        prop_assert_eq!(engine.commit(again), stale, "a stale plan of {:?}", change);
        prop_assert_eq!(engine.revision(), revision + 1);
        Ok(Ok(committed))
    }

    /// Both accepted `change` or both refused it.
    fn outcome(
        change: &Change<P>,
        before: Model<P>,
        after: &Model<P>,
        model: Result<Applied, Vec<Refusal>>,
        engine: Result<ChangeReport, Error>,
    ) -> Result<Outcome<P>, TestCaseError> {
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
    pub(crate) fn step(&mut self, step: &Step<P>) -> Result<StepOutcome<P>, TestCaseError> {
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
                        )));
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
    pub(crate) fn pick(&self, index: proptest::sample::Index) -> Option<usize> {
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

/// What the actor behind `session` holds on each project (rule 22): what
/// the session holds and, unless it tests a role, the user's roles within
/// the project; and what it holds company-wide, for projects not yet made
/// (`None` as the key). Nothing for a session that cannot act.
type Held<P> = std::collections::BTreeMap<Option<ProjectId>, P>;

fn held_on_projects<P: ModelFlags>(engine: &Company<P>, session: &Session) -> Option<Held<P>> {
    let company_wide = engine.session_permissions(session).ok()?;
    let mut held = Held::new();
    held.insert(None, company_wide);
    for (project, _) in engine.projects() {
        let on = match session.testing() {
            Some(_) => company_wide,
            // A current session acts with its user's permissions.
            None => engine
                .permissions_in_project(session.user(), project)
                .ok()?,
        };
        held.insert(Some(project), on);
    }
    Some(held)
}

/// Every user's permissions in every project, and company-wide (`None`).
type InProjects<P> = std::collections::BTreeMap<(UserId, Option<ProjectId>), P>;

fn in_projects<P: ModelFlags>(engine: &Company<P>) -> InProjects<P> {
    let mut all = InProjects::new();
    for (user, _) in engine.users() {
        if let Ok(set) = engine.effective_permissions(user) {
            all.insert((user, None), set);
        }
        for (project, _) in engine.projects() {
            if let Ok(set) = engine.permissions_in_project(user, project) {
                all.insert((user, Some(project)), set);
            }
        }
    }
    all
}

/// No escalation within a project (rule 22), read through the engine
/// alone: after a change accepted through a session, what anyone may do in
/// a project grew only by what the actor holds on that project (a new
/// user, or a new project, starts from what the user held company-wide).
fn nothing_gained_beyond<P: ModelFlags>(
    engine: &Company<P>,
    change: &Change<P>,
    held: &Held<P>,
    was: &InProjects<P>,
) -> Result<(), TestCaseError> {
    for (&(user, project), &now) in &in_projects(engine) {
        let before = was
            .get(&(user, project))
            .or_else(|| was.get(&(user, None)))
            .map_or(0, |set| set.raw());
        let gained = now.raw() & !before;
        let on = held
            .get(&project)
            .or_else(|| held.get(&None))
            .map_or(0, |set| set.raw());
        prop_assert!(
            gained & !on == 0,
            "{:?} gave {:?} {} in {:?}, which the actor (holding {} there) lacks",
            change,
            user,
            show(P::from_raw(gained)),
            project,
            show(P::from_raw(on))
        );
    }
    Ok(())
}

/// What one step did to both sides.
pub(crate) enum StepOutcome<P: ModelFlags> {
    /// A change (made by the system or through a session).
    Change(Outcome<P>),
    /// Both refused to start a test: the engine's error and the model's
    /// reasons.
    TestRefused { error: Error, reasons: Vec<Refusal> },
    /// A login, an accepted test, or a skipped step.
    Other,
}

/// A set, for messages: its names and its bits.
pub(crate) fn show<P: ModelFlags>(set: P) -> String {
    let (names, stray) = names_of(set);
    let stray = if stray { " and stray bits" } else { "" };
    format!("{names:?}{stray} ({:#x})", set.raw())
}

/// A set the engine returns, read by name. The engine stores closed sets of
/// known bits only, so stray bits are a failure.
pub(crate) fn names<P: ModelFlags>(set: P) -> Result<Names, TestCaseError> {
    let (names, stray) = names_of(set);
    prop_assert!(
        !stray,
        "the engine holds bits outside the catalog: {}",
        show(set)
    );
    Ok(names)
}

/// Every kind of `P`'s catalog, by index.
pub(crate) fn kinds<P: ModelFlags>() -> Vec<P::Kind> {
    (0..cat::<P>().kind_count())
        .map(|i| P::Kind::from_index(i).unwrap_or_else(|| panic!("no kind at {i}")))
        .collect()
}

pub(crate) fn decisions_agree<P: ModelFlags>(
    pair: &Pair<P>,
    questions: &[Question<P>],
) -> Result<(), TestCaseError> {
    for q in questions {
        let engine = pair.engine.check(q.user, q.action, q.resource);
        let model = pair.model.check(q.user, q.action, q.resource);
        prop_assert_eq!(
            engine.is_allowed(),
            model.is_allowed(),
            "check({:?}, {}, {:?}): engine {:?}, model {:?}",
            q.user,
            show(q.action),
            q.resource,
            engine,
            model
        );
    }
    Ok(())
}

pub(crate) fn reasons_agree<P: ModelFlags>(
    pair: &Pair<P>,
    questions: &[Question<P>],
) -> Result<(), TestCaseError> {
    for q in questions {
        let engine = pair.engine.check(q.user, q.action, q.resource);
        let model = pair.model.check(q.user, q.action, q.resource);
        prop_assert_eq!(
            engine,
            model,
            "check({:?}, {}, {:?})",
            q.user,
            show(q.action),
            q.resource
        );
    }
    Ok(())
}

/// Every record and link, as the engine's public API shows them, equals the
/// model's.
pub(crate) fn records_agree<P: ModelFlags>(
    engine: &Company<P>,
    model: &Model<P>,
) -> Result<(), TestCaseError> {
    prop_assert_eq!(engine.mode() == SecurityMode::Enhanced, model.enhanced);
    prop_assert_eq!(engine.default_project(), model.default_project);
    prop_assert_eq!(engine.revision(), model.revision);

    type Set<T> = BTreeSet<T>;
    let users: Vec<_> = engine
        .users()
        .map(|(id, u)| {
            let roles: Set<_> = u.roles().collect();
            let groups: Set<_> = u.groups().collect();
            let projects: Set<_> = u.projects().collect();
            let within: Set<_> = u.project_roles().collect();
            (id, u.name().to_owned(), roles, groups, projects, within)
        })
        .collect();
    let expected: Vec<_> = model
        .users
        .iter()
        .map(|(&id, name)| {
            let groups: Set<_> = model.groups_of(id);
            let within: Set<_> = (model.user_project_roles.iter())
                .filter(|&&(u, _, _)| u == id)
                .map(|&(_, p, r)| (p, r))
                .collect();
            (
                id,
                name.clone(),
                rights(&model.user_roles, id),
                groups,
                rights(&model.user_projects, id),
                within,
            )
        })
        .collect();
    prop_assert_eq!(users, expected, "users");

    // DOMAIN 24: the same grants end at the same times.
    let ends: std::collections::BTreeMap<_, _> = engine
        .grant_ends()
        .map(|(grant, end)| ((grant.principal, grant.role, grant.project), end))
        .collect();
    prop_assert_eq!(&ends, &model.ends, "grant ends");
    prop_assert_eq!(engine.next_expiry(), model.next_expiry(), "next expiry");

    let groups: Vec<_> = engine
        .groups()
        .map(|(id, g)| {
            let members: Set<_> = g.members().collect();
            let roles: Set<_> = g.roles().collect();
            let projects: Set<_> = g.projects().collect();
            let within: Set<_> = g.project_roles().collect();
            (id, g.name().to_owned(), members, roles, projects, within)
        })
        .collect();
    let expected: Vec<_> = model
        .groups
        .iter()
        .map(|(&id, name)| {
            let within: Set<_> = (model.group_project_roles.iter())
                .filter(|&&(g, _, _)| g == id)
                .map(|&(_, p, r)| (p, r))
                .collect();
            (
                id,
                name.clone(),
                rights(&model.members, id),
                rights(&model.group_roles, id),
                rights(&model.group_projects, id),
                within,
            )
        })
        .collect();
    prop_assert_eq!(groups, expected, "groups");

    let mut roles = Vec::new();
    for (id, r) in engine.roles() {
        let users: Set<_> = r.users().collect();
        let groups: Set<_> = r.groups().collect();
        // Who holds it within which project: no order.
        let within_users: Set<_> = r.project_users().collect();
        let within_groups: Set<_> = r.project_groups().collect();
        prop_assert_eq!(
            within_users.len(),
            r.project_users().len(),
            "{:?}: twice",
            id
        );
        prop_assert_eq!(
            within_groups.len(),
            r.project_groups().len(),
            "{:?}: twice",
            id
        );
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
            within_users,
            within_groups,
        ));
    }
    let expected: Vec<_> = model
        .roles
        .iter()
        .map(|(&id, r)| {
            let users: Set<_> = lefts(&model.user_roles, id);
            let groups: Set<_> = lefts(&model.group_roles, id);
            let within_users: Set<_> = (model.user_project_roles.iter())
                .filter(|&&(_, _, r)| r == id)
                .map(|&(u, p, _)| (u, p))
                .collect();
            let within_groups: Set<_> = (model.group_project_roles.iter())
                .filter(|&&(_, _, r)| r == id)
                .map(|&(g, p, _)| (g, p))
                .collect();
            (
                id,
                r.name.clone(),
                r.builtin.is_none().then(|| r.description.clone()),
                r.permissions.clone(),
                r.builtin,
                r.put_users_offline,
                users,
                groups,
                within_users,
                within_groups,
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

    // Rule 26: the objects each uses and is used by, in id order.
    let objects: Vec<_> = engine
        .objects()
        .map(|(id, o)| {
            let projects: Set<_> = o.projects().collect();
            let uses: Vec<_> = o.uses().collect();
            let used_by: Vec<_> = o.used_by().collect();
            (id, o.kind(), o.name().to_owned(), projects, uses, used_by)
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
                rights(&model.object_uses, id)
                    .into_iter()
                    .collect::<Vec<_>>(),
                lefts(&model.object_uses, id)
                    .into_iter()
                    .collect::<Vec<_>>(),
            )
        })
        .collect();
    prop_assert_eq!(objects, expected, "objects");
    let duties: Option<Vec<_>> = (engine.duty_constraints().iter())
        .map(super::duties::pair_of)
        .collect();
    prop_assert_eq!(duties, Some(model.duties.clone()), "duty constraints");
    Ok(())
}

/// Every user id the strategies use, and a few beyond.
pub(crate) fn user_ids<P: ModelFlags>(model: &Model<P>) -> impl Iterator<Item = UserId> + use<P> {
    (0..USERS.max(model.next_user) + 1).map(UserId::new)
}

pub(crate) fn object_ids<P: ModelFlags>(
    model: &Model<P>,
) -> impl Iterator<Item = ObjectId> + use<P> {
    (0..OBJECTS.max(model.next_object) + 1).map(ObjectId::new)
}

pub(crate) fn project_ids<P: ModelFlags>(
    model: &Model<P>,
) -> impl Iterator<Item = ProjectId> + use<P> {
    (0..PROJECTS.max(model.next_project) + 1).map(ProjectId::new)
}

/// The actions listing is compared on for objects of `kind`: each
/// permission that applies to the kind, its bit alone and with everything it
/// implies, and the kind's governing permission (with what it implies).
pub(crate) fn listing_actions<P: ModelFlags>(kind: P::Kind) -> Vec<P> {
    let cat = cat::<P>();
    let mut bits = Vec::new();
    for &n in cat.kind_actions(kind.index()) {
        bits.push(1u128 << cat.bit(n));
        bits.push(cat.bits_of(cat.closure(n)));
    }
    bits.push(cat.bits_of(cat.closure(cat.governing(kind.index()))));
    let mut seen = BTreeSet::new();
    bits.retain(|&b| seen.insert(b));
    bits.into_iter().map(P::from_raw).collect()
}

/// The objects a listing of `kind` may name: the model's objects of the kind,
/// and one id that names nothing.
fn candidates<P: ModelFlags>(model: &Model<P>, kind: P::Kind) -> Vec<ObjectId> {
    model
        .objects
        .iter()
        .filter(|(_, o)| o.kind == kind)
        .map(|(&id, _)| id)
        .chain(std::iter::once(ObjectId::new(model.next_object)))
        .collect()
}

/// A listing the engine returns, each object once.
fn unique(listed: impl Iterator<Item = ObjectId>) -> Result<BTreeSet<ObjectId>, TestCaseError> {
    let listed: Vec<ObjectId> = listed.collect();
    let unique: BTreeSet<ObjectId> = listed.iter().copied().collect();
    prop_assert_eq!(unique.len(), listed.len(), "listed twice: {:?}", listed);
    Ok(unique)
}

/// Listing agrees with checking, in the engine and with the model: for
/// every user and kind, `visible_objects` is exactly the objects on which a
/// check of some permission of the kind allows, and `allowed_objects` for
/// each of [`listing_actions`] exactly those on which that check allows;
/// both equal the model's (roles within projects count, rule 21).
/// Likewise projects, effective permissions, the holders of
/// `v.holder_sets`, role holders and project members, and (at every other
/// revision) the queries of roles within projects
/// ([`within_projects_agree`]).
pub(crate) fn listings_agree<P: ModelFlags>(
    engine: &Company<P>,
    model: &Model<P>,
    v: &Vocab<P>,
) -> Result<(), TestCaseError> {
    let cat = cat::<P>();
    // For each kind: its permissions' bits alone, and the actions
    // `allowed_objects` is asked about.
    #[allow(clippy::type_complexity)]
    let kinds: Vec<(P::Kind, Vec<P>, Vec<(P, (Names, bool))>)> = kinds::<P>()
        .into_iter()
        .map(|kind| {
            let singles = cat
                .kind_actions(kind.index())
                .iter()
                .map(|n| flag::<P>(n))
                .collect();
            let mut actions = listing_actions::<P>(kind);
            actions.push(v.pair);
            let actions = actions.into_iter().map(|a| (a, names_of(a))).collect();
            (kind, singles, actions)
        })
        .collect();
    let mut held_by = std::collections::BTreeMap::new();
    for user in user_ids(model) {
        let known = model.users.contains_key(&user);
        let (held, projects) = (model.effective_permissions(user), model.projects_of(user));
        // Effective permissions, as the engine and the model see them.
        match engine.effective_permissions(user) {
            Ok(set) => {
                prop_assert!(known, "permissions of unknown user {:?}", user);
                prop_assert_eq!(names(set)?, held.clone(), "{:?}", user);
            }
            Err(_) => prop_assert!(!known, "no permissions for {:?}", user),
        }
        let mut visible = model.visible_to(&held, &projects, Some(user));
        for (kind, singles, actions) in &kinds {
            let kind = *kind;
            let Ok(listed) = engine.visible_objects(user, kind) else {
                prop_assert!(!known, "no list for {:?}", user);
                prop_assert!(engine.allowed_objects(user, v.pair, kind).is_err());
                continue;
            };
            prop_assert!(known, "a list for unknown user {:?}", user);
            let listed = unique(listed)?;
            if !model.objects.values().any(|o| o.kind == kind) {
                // Nothing to list (and nothing to check).
                prop_assert_eq!(
                    &listed,
                    &BTreeSet::new(),
                    "{:?} {:?}: nothing to list",
                    user,
                    kind
                );
                for &(action, _) in actions {
                    let listed = engine
                        .allowed_objects(user, action, kind)
                        .map(|l| l.count());
                    prop_assert_eq!(listed, Ok(0), "{:?} {:?}: nothing allowed", user, kind);
                }
                continue;
            }
            let candidates = candidates(model, kind);
            // An object is visible exactly when a check of one permission
            // of the kind on it is allowed.
            let allowed: BTreeSet<ObjectId> = candidates
                .iter()
                .copied()
                .filter(|&o| {
                    singles
                        .iter()
                        .any(|&p| engine.check(user, p, Resource::Object(o)).is_allowed())
                })
                .collect();
            prop_assert_eq!(&listed, &allowed, "{:?} {:?}: list vs check", user, kind);
            let expected = visible.remove(&kind).unwrap_or_default();
            prop_assert_eq!(&listed, &expected, "{:?} {:?} (model)", user, kind);
            // `allowed_objects` is exactly where the check allows.
            for (action, (asked, stray)) in actions {
                let action = *action;
                let listed = unique(engine.allowed_objects(user, action, kind).map_err(|e| {
                    TestCaseError::fail(format!("allowed_objects({user:?}): {e}"))
                })?)?;
                let allowed: BTreeSet<ObjectId> = candidates
                    .iter()
                    .copied()
                    .filter(|&o| engine.check(user, action, Resource::Object(o)).is_allowed())
                    .collect();
                prop_assert_eq!(
                    &listed,
                    &allowed,
                    "allowed_objects({:?}, {}, {:?}) vs check",
                    user,
                    show(action),
                    kind
                );
                let expected =
                    model.allowed_asked(&held, &projects, Some(user), asked, *stray, kind);
                prop_assert_eq!(
                    &listed,
                    &expected,
                    "allowed_objects({:?}, {}, {:?}) (model)",
                    user,
                    show(action),
                    kind
                );
            }
        }
        // Likewise projects.
        if let Ok(listed) = engine.visible_projects(user) {
            let unique: BTreeSet<ProjectId> = listed.iter().copied().collect();
            prop_assert_eq!(unique.len(), listed.len());
            let view = flag::<P>("projects.view");
            let allowed: BTreeSet<ProjectId> = project_ids(model)
                .filter(|&p| engine.check(user, view, Resource::Project(p)).is_allowed())
                .collect();
            prop_assert_eq!(unique, allowed, "{:?}: project list vs check", user);
        } else {
            prop_assert!(!known);
        }
        if known {
            held_by.insert(user, held);
        }
    }
    // A user is among "who holds P" exactly when their permissions contain P.
    let held: std::collections::BTreeMap<UserId, Names> = held_by;
    for &set in &v.holder_sets {
        let holders: Vec<UserId> = engine.holders(set).collect();
        let unique: BTreeSet<UserId> = holders.iter().copied().collect();
        prop_assert_eq!(unique.len(), holders.len());
        let by_permissions: BTreeSet<UserId> = engine
            .users()
            .map(|(id, _)| id)
            .filter(|&u| {
                engine
                    .effective_permissions(u)
                    .is_ok_and(|p| p.raw() & set.raw() == set.raw())
            })
            .collect();
        prop_assert_eq!(&unique, &by_permissions, "holders of {}", show(set));
        let (wanted, _) = names_of(set);
        let expected: BTreeSet<UserId> = held
            .iter()
            .filter(|(_, names)| wanted.is_subset(names))
            .map(|(&u, _)| u)
            .collect();
        prop_assert_eq!(&unique, &expected, "holders of {} (model)", show(set));
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
    // Every other revision: the queries of roles within projects.
    if model.revision % 2 == 0 {
        within_projects_agree(engine, model, v)?;
    }
    Ok(())
}

/// The queries of roles within projects (rules 20-21) agree with the
/// model: `permissions_in_project` of every user on every project (and ids
/// that name nothing), `project_member_roles` of every project, and
/// `who_can` on every resource, which is exactly the users whose check
/// allows (two actions of the grid per resource, turn by turn; and the
/// model's on some of them).
pub(crate) fn within_projects_agree<P: ModelFlags>(
    engine: &Company<P>,
    model: &Model<P>,
    v: &Vocab<P>,
) -> Result<(), TestCaseError> {
    for user in user_ids(model) {
        let known = model.users.contains_key(&user);
        let company_wide = engine.effective_permissions(user).ok();
        for project in project_ids(model) {
            let live = known && model.projects.contains_key(&project);
            let what = format!("permissions_in_project({user:?}, {project:?})");
            match engine.permissions_in_project(user, project) {
                Err(Error::UnknownId { .. }) if !live => {}
                // Without roles within the project, their company-wide
                // permissions (held to the model's by `listings_agree`).
                Ok(set) if live && model.within(user, project).is_empty() => {
                    prop_assert_eq!(Some(set), company_wide, "{}", what);
                }
                Ok(set) if live => {
                    let expected = model.permissions_in_project(user, project);
                    prop_assert_eq!(Ok(names(set)?), expected, "{}", what);
                }
                found => prop_assert!(false, "{}: {:?}, live: {}", what, found.map(show), live),
            }
        }
    }
    for project in project_ids(model) {
        let found = engine.project_member_roles(project);
        match (found, model.project_member_roles(project)) {
            (Ok(found), Ok(expected)) => {
                prop_assert_eq!(found, expected, "project_member_roles({:?})", project);
            }
            (Err(Error::UnknownId { .. }), Err(_)) => {}
            (found, expected) => prop_assert!(
                false,
                "project_member_roles({:?}): engine {:?}, model {:?}",
                project,
                found,
                expected
            ),
        }
    }
    let resources = std::iter::once(Resource::Company)
        .chain(object_ids(model).map(Resource::Object))
        .chain(project_ids(model).map(Resource::Project));
    // Two actions of the grid for each resource, the model asked about one
    // on every ninth resource, different ones after each change (asking
    // everything every time would be slow).
    let turn = usize::try_from(model.revision).unwrap_or(0);
    let n = v.grid.len();
    for (r, resource) in resources.enumerate() {
        for (a, &action) in v.grid.iter().enumerate() {
            if (r + turn) % n != a && (r + turn + n / 2) % n != a {
                continue;
            }
            let who = engine.who_can(action, resource);
            let by_check: BTreeSet<UserId> = engine
                .users()
                .map(|(id, _)| id)
                .filter(|&u| engine.check(u, action, resource).is_allowed())
                .collect();
            let by_check: Vec<UserId> = by_check.into_iter().collect();
            prop_assert_eq!(
                &who,
                &by_check,
                "who_can({}, {:?}) vs check",
                show(action),
                resource
            );
            if (r + turn) % n == a && (r + turn) % 9 == 0 {
                let expected = model.who_can(action, resource);
                prop_assert_eq!(
                    &who,
                    &expected,
                    "who_can({}, {:?}) (model)",
                    show(action),
                    resource
                );
            }
        }
    }
    Ok(())
}

/// The invariants every accepted change must keep, read through the
/// engine's public API alone (and the model's reading of the catalog for
/// the built-in roles): among them, roles within a project are held by
/// its direct members only, never Admin nor a role with "all projects",
/// and each record lists them sorted by (project, role).
pub(crate) fn invariants_hold<P: ModelFlags>(
    engine: &Company<P>,
    default: &mut Option<ProjectId>,
) -> Result<(), TestCaseError> {
    // Built-in roles are what a new company has, and what the catalog
    // declares (for the standard catalog, what DOMAIN.md says).
    let fresh = Company::<P>::with_catalog();
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
            cat::<P>().builtin(builtin),
            "{:?} is not what the catalog declares",
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
            .fold(0, |set, role| set | role.permissions().raw());
        let effective = engine.effective_permissions(id).map(P::raw);
        prop_assert_eq!(effective, Ok(granted), "{:?}", id);
    }
    // Roles within a project are held by its direct members only, and are
    // never Admin nor hold "all projects" (rules 20 and 22).
    let all_projects = flag::<P>("projects.all").raw();
    let company_wide = |role: RoleId| {
        role == RoleId::ADMIN
            || engine
                .role(role)
                .is_none_or(|r| r.permissions().raw() & all_projects != 0)
    };
    for (id, user) in engine.users() {
        for (project, role) in user.project_roles() {
            prop_assert!(
                user.projects().any(|p| p == project),
                "{:?} holds {:?} within {:?}, not a member",
                id,
                role,
                project
            );
            prop_assert!(
                !company_wide(role),
                "{:?} holds {:?} within {:?}",
                id,
                role,
                project
            );
        }
    }
    for (id, group) in engine.groups() {
        for (project, role) in group.project_roles() {
            prop_assert!(
                group.projects().any(|p| p == project),
                "{:?} holds {:?} within {:?}, not a member",
                id,
                role,
                project
            );
            prop_assert!(
                !company_wide(role),
                "{:?} holds {:?} within {:?}",
                id,
                role,
                project
            );
        }
    }
    // Each record's roles within projects come sorted by (project, role).
    for (id, user) in engine.users() {
        let within: Vec<_> = user.project_roles().collect();
        prop_assert!(
            within.windows(2).all(|w| w[0] < w[1]),
            "{:?}: project_roles not sorted by (project, role): {:?}",
            id,
            within
        );
    }
    for (id, group) in engine.groups() {
        let within: Vec<_> = group.project_roles().collect();
        prop_assert!(
            within.windows(2).all(|w| w[0] < w[1]),
            "{:?}: project_roles not sorted by (project, role): {:?}",
            id,
            within
        );
    }
    references_stay_whole(engine)?;
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
        prop_assert_eq!(project.unwrap().name(), DEFAULT);
    }
    Ok(())
}

/// DOMAIN rule 26 on every reachable state, through the public API: each
/// reference is recorded on both objects, in id order, between two live
/// objects, never from an object to itself; and in enhanced mode no
/// reference crosses projects (the two objects share at least one).
pub(crate) fn references_stay_whole<P: ModelFlags>(
    engine: &Company<P>,
) -> Result<(), TestCaseError> {
    for (id, object) in engine.objects() {
        let uses: Vec<ObjectId> = object.uses().collect();
        let used_by: Vec<ObjectId> = object.used_by().collect();
        prop_assert!(uses.windows(2).all(|w| w[0] < w[1]), "{:?} uses", id);
        prop_assert!(used_by.windows(2).all(|w| w[0] < w[1]), "{:?} used by", id);
        prop_assert!(!uses.contains(&id), "{:?} uses itself", id);
        for used in uses {
            let other = engine.object(used);
            prop_assert!(other.is_some(), "{:?} uses a deleted {:?}", id, used);
            let other = other.unwrap();
            prop_assert!(other.used_by().any(|u| u == id), "{:?} -> {:?}", id, used);
            if engine.mode() == SecurityMode::Enhanced {
                let shared = object.projects().any(|p| other.projects().any(|q| q == p));
                prop_assert!(shared, "{:?} uses {:?} across projects", id, used);
            }
        }
        for user in used_by {
            let other = engine.object(user);
            prop_assert!(
                other.is_some_and(|o| o.uses().any(|u| u == id)),
                "{:?} <- {:?}",
                id,
                user
            );
        }
    }
    Ok(())
}

/// Questions asked before and after a monotone change: every user, the
/// vocabulary's grid of actions, every resource.
pub(crate) fn grid<P: ModelFlags>(engine: &Company<P>, v: &Vocab<P>) -> Vec<Decision> {
    let resources = std::iter::once(Resource::Company)
        .chain((0..OBJECTS).map(|o| Resource::Object(ObjectId::new(o))))
        .chain((0..PROJECTS).map(|p| Resource::Project(ProjectId::new(p))));
    let mut out = Vec::new();
    for resource in resources {
        for user in 0..USERS {
            for &action in &v.grid {
                out.push(engine.check(UserId::new(user), action, resource));
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Sessions, role tests and actors (DOMAIN rules 7-9, no escalation)
// ---------------------------------------------------------------------------

/// The session pair a question picks, if there is one.
fn picked<P: ModelFlags>(
    pair: &Pair<P>,
    q: &SessionQuestion<P>,
) -> Option<(Session, ModelSession)> {
    pair.pick(q.session).map(|i| pair.sessions[i])
}

pub(crate) fn session_decisions_agree<P: ModelFlags>(
    pair: &Pair<P>,
    questions: &[SessionQuestion<P>],
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
            show(q.action),
            q.resource,
            engine,
            model
        );
    }
    Ok(())
}

pub(crate) fn session_reasons_agree<P: ModelFlags>(
    pair: &Pair<P>,
    questions: &[SessionQuestion<P>],
) -> Result<(), TestCaseError> {
    for q in questions {
        let Some((session, model)) = picked(pair, q) else {
            continue;
        };
        let engine = pair.engine.check_session(&session, q.action, q.resource);
        let model = pair.model.check_session(&model, q.action, q.resource);
        prop_assert_eq!(
            engine,
            model,
            "check_session({:?}, {}, {:?})",
            session,
            show(q.action),
            q.resource
        );
    }
    Ok(())
}

/// Listing through every session agrees with checking through it, and with
/// the model.
pub(crate) fn session_listings_agree<P: ModelFlags>(pair: &Pair<P>) -> Result<(), TestCaseError> {
    let (engine, model) = (&pair.engine, &pair.model);
    let cat = cat::<P>();
    for (session, model_session) in &pair.sessions {
        let expected = model.visible_objects_as(model_session);
        for kind in kinds::<P>() {
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
            let listed = unique(listed)?;
            let singles: Vec<P> = cat
                .kind_actions(kind.index())
                .iter()
                .map(|n| flag::<P>(n))
                .collect();
            let allowed: BTreeSet<ObjectId> = candidates(model, kind)
                .into_iter()
                .filter(|&o| {
                    singles.iter().any(|&p| {
                        engine
                            .check_session(session, p, Resource::Object(o))
                            .is_allowed()
                    })
                })
                .collect();
            prop_assert_eq!(&listed, &allowed, "{:?} {:?}: list vs check", session, kind);
            let expected = expected.get(&kind).cloned().unwrap_or_default();
            prop_assert_eq!(&listed, &expected, "{:?} {:?} (model)", session, kind);
        }
    }
    Ok(())
}

/// Whether the engine says `session` was ended by a change.
pub(crate) fn ended<P: ModelFlags>(engine: &Company<P>, session: &Session) -> bool {
    let any = flag::<P>("users.manage");
    let check = engine.check_session(session, any, Resource::Company);
    check.deny_reason() == Some(DenyReason::SessionEnded)
}

// ---------------------------------------------------------------------------
// Explanations
// ---------------------------------------------------------------------------

/// Every `explain` answer agrees with the model (see [`explanation_agrees`]).
pub(crate) fn explanations_agree<P: ModelFlags>(
    pair: &Pair<P>,
    questions: &[Question<P>],
) -> Result<(), TestCaseError> {
    let model = &pair.model;
    for q in questions {
        let why = pair.engine.explain(q.user, q.action, q.resource);
        let decision = model.check(q.user, q.action, q.resource);
        let (ways, held) = if model.users.contains_key(&q.user) {
            let ways = ways_of(model, q.user, q.resource);
            (ways, model.effective_permissions(q.user))
        } else {
            (Vec::new(), Names::new())
        };
        let what = format!(
            "explain({:?}, {}, {:?})",
            q.user,
            show(q.action),
            q.resource
        );
        explanation_agrees(model, &why, &what, q.user, decision, &ways, &held)?;
        prop_assert_eq!(why.testing(), None);
    }
    Ok(())
}

/// Every `explain_session` answer agrees with the model (see
/// [`explanation_agrees`]); a testing session's only grant is the role
/// under test, capped by what the tester holds.
pub(crate) fn session_explanations_agree<P: ModelFlags>(
    pair: &Pair<P>,
    questions: &[SessionQuestion<P>],
) -> Result<(), TestCaseError> {
    let model = &pair.model;
    for q in questions {
        let Some((session, model_session)) = picked(pair, q) else {
            continue;
        };
        let why = pair.engine.explain_session(&session, q.action, q.resource);
        let decision = model
            .check_session(&model_session, q.action, q.resource)
            .decision;
        let held = model
            .session_permissions(&model_session)
            .unwrap_or_default();
        let ways = match model_session.testing {
            _ if !model.users.contains_key(&session.user()) => Vec::new(),
            None => ways_of(model, session.user(), q.resource),
            // No role within a project counts in a testing session.
            Some(role) => vec![(role, None, None, held.clone())],
        };
        let what = format!(
            "explain_session({session:?}, {}, {:?})",
            show(q.action),
            q.resource
        );
        explanation_agrees(model, &why, &what, session.user(), decision, &ways, &held)?;
        prop_assert_eq!(why.testing(), model_session.testing, "{}", what);
    }
    Ok(())
}

/// A way of holding a role: the role, the group it comes through, the
/// project within which it was given (`None`: company-wide), and what the
/// role grants.
type Way = (RoleId, Option<GroupId>, Option<ProjectId>, Names);

/// Each way `user` holds a role that counts on `resource`: company-wide,
/// and within each project of theirs that holds it (or is it), rule 21.
fn ways_of<P: ModelFlags>(model: &Model<P>, user: UserId, resource: Resource) -> Vec<Way> {
    let role = |r: RoleId| model.roles[&r].permissions.clone();
    let mut ways: Vec<Way> = rights(&model.user_roles, user)
        .into_iter()
        .map(|r| (r, None, None, role(r)))
        .collect();
    for group in model.groups_of(user) {
        for r in rights(&model.group_roles, group) {
            ways.push((r, Some(group), None, role(r)));
        }
    }
    for project in model.within_scope(&model.projects_of(user), resource) {
        for (r, via) in model.roles_within(user, project) {
            ways.push((r, via, Some(project), role(r)));
        }
    }
    ways
}

/// An explanation agrees with the model: the decision, the question, the
/// grants (each way of holding a role that grants part of the action, with
/// what it grants, and the project within which it was given, rule 23),
/// what is missing (the action's permissions no grant
/// covers, and its stray bits), and a reach that holds: not reached for an
/// unknown user, object or project or an ended session; not scoped for the
/// company; simple mode; "all projects" for its holders; else a project
/// that holds the resource and that the user is a member of (directly when
/// they are), or hidden when there is none. Its text can be written.
fn explanation_agrees<P: ModelFlags>(
    model: &Model<P>,
    why: &callgate::Explanation<'_, P>,
    what: &str,
    user: UserId,
    decision: Decision,
    ways: &[Way],
    held: &Names,
) -> Result<(), TestCaseError> {
    use callgate::Reach;
    let text = why.to_string();
    prop_assert_eq!(why.decision(), decision, "{}", what);
    prop_assert_eq!(why.user(), user, "{}", what);
    let (asked, stray) = names_of(why.action());
    let expected: BTreeSet<Way> = ways
        .iter()
        .map(|(role, via, project, grants)| {
            let granted: Names = grants.intersection(&asked).copied().collect();
            (*role, *via, *project, granted)
        })
        .filter(|(_, _, _, granted)| !granted.is_empty())
        .collect();
    let mut grants = BTreeSet::new();
    for grant in why.grants() {
        grants.insert((grant.role, grant.via, grant.project, names(grant.granted)?));
    }
    prop_assert_eq!(grants.len(), why.grants().len(), "{}: a grant twice", what);
    prop_assert_eq!(&grants, &expected, "{}: grants", what);
    // DOMAIN 24: each grant shows its end (none for a role under test).
    for grant in why.grants() {
        let holder = grant.via.map_or(Principal::User(user), Principal::Group);
        let end = match why.testing() {
            Some(_) => None,
            None => model
                .ends
                .get(&(holder, grant.role, grant.project))
                .copied(),
        };
        prop_assert_eq!(grant.until, end, "{}: the end of {:?}", what, grant);
    }
    // Its text names the project within which a role was given.
    for project in grants.iter().filter_map(|&(_, _, p, _)| p) {
        let named = format!("within project `{}`", model.projects[&project].name);
        prop_assert!(
            text.contains(&named),
            "{}: `{}` not in\n{}",
            what,
            named,
            text
        );
    }
    let covered: Names = expected
        .iter()
        .flat_map(|(_, _, _, g)| g.iter().copied())
        .collect();
    let missing: Names = asked.difference(&covered).copied().collect();
    prop_assert_eq!(
        names_of(why.missing()),
        (missing, stray),
        "{}: missing",
        what
    );
    let hidden_reasons = [
        DenyReason::UnknownUser,
        DenyReason::UnknownObject,
        DenyReason::UnknownProject,
        DenyReason::SessionEnded,
    ];
    let projects: BTreeSet<ProjectId> = match why.resource() {
        _ if decision
            .deny_reason()
            .is_some_and(|r| hidden_reasons.contains(&r)) =>
        {
            prop_assert_eq!(why.reach(), Reach::NotReached, "{}", what);
            return Ok(());
        }
        Resource::Company => {
            prop_assert_eq!(why.reach(), Reach::NotScoped, "{}", what);
            return Ok(());
        }
        _ if !model.enhanced => {
            prop_assert_eq!(why.reach(), Reach::SimpleMode, "{}", what);
            return Ok(());
        }
        _ if held.contains("projects.all") => {
            prop_assert_eq!(why.reach(), Reach::AllProjects, "{}", what);
            return Ok(());
        }
        Resource::Object(object) => rights(&model.object_projects, object),
        Resource::Project(project) => [project].into(),
    };
    let direct = rights(&model.user_projects, user);
    let groups = model.groups_of(user);
    let reachable = |p: &ProjectId| {
        direct.contains(p)
            || groups
                .iter()
                .any(|&g| model.group_projects.contains(&(g, *p)))
    };
    match why.reach() {
        Reach::Project { project, via } => {
            prop_assert!(projects.contains(&project), "{}: {:?}", what, why.reach());
            match via {
                None => prop_assert!(direct.contains(&project), "{}: {:?}", what, why.reach()),
                Some(group) => prop_assert!(
                    !direct.contains(&project)
                        && groups.contains(&group)
                        && model.group_projects.contains(&(group, project)),
                    "{}: {:?}",
                    what,
                    why.reach()
                ),
            }
        }
        Reach::Hidden => prop_assert!(
            !projects.iter().any(reachable),
            "{}: hidden, but the user reaches one of {:?}",
            what,
            projects
        ),
        other => prop_assert!(false, "{}: reach {:?}", what, other),
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// The matrix and the section view (DOMAIN rules 6 and 19)
// ---------------------------------------------------------------------------

/// The matrix and the view from inside each section agree with the model:
/// `section(name)` shows the catalog's permissions of that section as rows,
/// in matrix order, each the permission's flags with what it implies, every
/// role as a column, a cell on exactly when the role holds the permission;
/// the row of each permission in its own section (found by its bit alone
/// and with what it implies) gives every role's switch, read-only for the
/// built-in roles; an unknown section is refused; the whole matrix shows
/// every permission.
pub(crate) fn sections_agree<P: ModelFlags>(
    engine: &Company<P>,
    model: &Model<P>,
) -> Result<(), TestCaseError> {
    let cat = cat::<P>();
    let roles: Vec<RoleId> = model.roles.keys().copied().collect();
    for &section in &cat.spec.sections {
        let matrix = engine
            .section(section)
            .map_err(|e| TestCaseError::fail(format!("section `{section}`: {e}")))?;
        prop_assert_eq!(matrix.name(), section);
        let shown: Vec<&str> = matrix.rows().map(|row| row.name()).collect();
        for row in matrix.rows() {
            let closed = P::from_raw(cat.bits_of(cat.closure(row.name())));
            prop_assert_eq!(row.permission(), closed, "`{}`", row.name());
        }
        let expected: Vec<&str> = cat
            .spec
            .permissions
            .iter()
            .filter(|p| p.section == section)
            .map(|p| p.name)
            .collect();
        prop_assert_eq!(shown, expected, "section `{}`", section);
        prop_assert_eq!(matrix.roles().collect::<Vec<_>>(), roles.clone());
        for p in cat.spec.permissions.iter().filter(|p| p.section == section) {
            for (&id, role) in &model.roles {
                let cell = matrix.allowed(id, flag::<P>(p.name));
                prop_assert_eq!(
                    cell,
                    Some(role.permissions.contains(p.name)),
                    "`{}` {:?}",
                    p.name,
                    id
                );
            }
        }
    }
    let unknown = matches!(
        engine.section("No such section"),
        Err(Error::UnknownSection { .. })
    );
    prop_assert!(unknown, "an unknown section is not refused");
    let whole: Vec<&str> = engine.matrix().permissions().map(|p| p.name()).collect();
    let every: Vec<&str> = cat.spec.permissions.iter().map(|p| p.name).collect();
    prop_assert_eq!(whole, every);
    for p in &cat.spec.permissions {
        for form in [
            flag::<P>(p.name),
            P::from_raw(cat.bits_of(cat.closure(p.name))),
        ] {
            let view = engine
                .section_of(form)
                .map_err(|e| TestCaseError::fail(format!("section_of `{}`: {e}", p.name)))?;
            prop_assert_eq!(view.name(), p.section);
            let row = view.row(form);
            prop_assert!(row.is_some(), "no row for `{}` in its section", p.name);
            let switches: Vec<(RoleId, bool, bool)> = row
                .into_iter()
                .flat_map(|row| row.switches())
                .map(|s| (s.role, s.allowed, s.read_only))
                .collect();
            let expected: Vec<(RoleId, bool, bool)> = model
                .roles
                .iter()
                .map(|(&id, r)| (id, r.permissions.contains(p.name), r.builtin.is_some()))
                .collect();
            prop_assert_eq!(switches, expected, "switches of `{}`", p.name);
        }
    }
    let _table = engine.matrix().to_string();
    Ok(())
}
