//! The speed and memory targets, measured with criterion.
//!
//! `cargo bench --bench check` runs every group at S, M and L (see
//! `workload/mod.rs`), plus `check/by_user/V`: workload V, a product's own
//! catalog of 64 per-kind verbs (a `u128` word) at M's counts, whose
//! target is a median within 10% of `check/by_user/M` in the same run (see
//! `workload/product.rs`). V has that one row; the other groups are the
//! standard catalog's. It prints the memory of each snapshot first.
//!
//! `explain/{S,M,L}` explains a batch of 1,000 questions and
//! `visible_objects/{S,M,L}` lists the objects of 1,000 (user, kind) pairs;
//! their throughput is per question and per object listed.
//!
//! `cargo test` runs this file in criterion's test mode on S only, so the
//! benchmarks cannot rot without slowing the test suite; it builds V too,
//! but at S's counts (1,000 users: a fraction of a second instead of
//! seconds in an unoptimized build), still named V. `CALLGATE_SIZES=M` (or
//! `S,L`, `M,V`, ...) builds only the sizes named, in either mode, and V
//! named is always V proper, at M's counts; `benches/instructions.sh` uses
//! it to count instructions per check. To compare V with M in one run:
//!
//! ```sh
//! CALLGATE_SIZES=M,V cargo bench --bench check -- check/by_user/
//! ```
//!
//! Workloads M+pr and L+pr are M and L with 20% of the users given a role
//! within one of their projects (`workload/within.rs`); `cargo bench` builds
//! them next to M and L (test mode builds S+pr), `CALLGATE_SIZES=M,M+pr`
//! names them. They have their own rows: `check/by_user/M+pr` asks M's very
//! batch of questions (so it compares with `check/by_user/M`),
//! `check/within_project/M+pr` asks only users holding a role within a
//! project about objects of that project (the check's path that adds the
//! permissions given within projects) and `check/within_project/M` the same
//! questions of M, where those users hold none (when M is built too);
//! `explain/within_project/M+pr` explains questions allowed thanks to a role
//! within a project; `change_then_check/assign_project_role/M+pr` gives a
//! role within a project to one member and checks. `+` is a regex operator
//! in criterion's filter: escape it (`'check/by_user/(M|L)\+pr'`).

use std::hint::black_box;
use std::sync::OnceLock;
use std::time::Duration;

use callgate::{
    Change, Company, ObjectKind, PermissionFlags, Permissions, Principal, Resource, RoleId,
    Session, Snapshot, UserId,
};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

mod workload;
use workload::product::{self, ProductCenter, Verbs, product_center, product_questions};
use workload::within::{self, ProjectRoleCenter, with_project_roles, within_questions};
use workload::{CallCenter, Question, Size, call_center, check_users, questions};

/// Questions per batch: each measured iteration answers all of them.
const BATCH: usize = 100_000;

/// Whether criterion runs as a benchmark (`cargo bench`) rather than in test
/// mode (`cargo test`), where only S is built.
fn benchmarking() -> bool {
    std::env::args().any(|arg| arg == "--bench")
}

/// What to build: standard sizes, and the counts to build workload V at.
struct Selection {
    sizes: Vec<Size>,
    /// `None`: no V.
    product: Option<Size>,
    /// The sizes to build with roles within projects (`M+pr`).
    project_roles: Vec<Size>,
}

/// `CALLGATE_SIZES` (say `M`, `S,L`, `M,V` or `M,M+pr`) when set, V at M's
/// counts if named; otherwise all three, V, M+pr and L+pr when
/// benchmarking, and S, V at S's counts and S+pr in test mode.
fn selection() -> Selection {
    if let Ok(names) = std::env::var("CALLGATE_SIZES") {
        let named = |wanted: &str| names.split(',').any(|name| name.trim() == wanted);
        return Selection {
            sizes: Size::ALL
                .into_iter()
                .filter(|size| named(size.name()))
                .collect(),
            product: named(product::NAME).then_some(Size::M),
            project_roles: Size::ALL
                .into_iter()
                .filter(|size| named(&format!("{}{}", size.name(), within::SUFFIX)))
                .collect(),
        };
    }
    if benchmarking() {
        Selection {
            sizes: Size::ALL.to_vec(),
            product: Some(Size::M),
            project_roles: vec![Size::M, Size::L],
        }
    } else {
        Selection {
            sizes: vec![Size::S],
            product: Some(Size::S),
            project_roles: vec![Size::S],
        }
    }
}

/// Each size's call center and question batch, built once for all groups.
fn centers() -> &'static [(CallCenter, Vec<Question>)] {
    static CENTERS: OnceLock<Vec<(CallCenter, Vec<Question>)>> = OnceLock::new();
    CENTERS.get_or_init(|| selection().sizes.into_iter().map(prepare).collect())
}

/// Workload V and its question batch, built once, when selected.
fn product() -> Option<&'static (ProductCenter, Vec<Question<Verbs>>)> {
    static PRODUCT: OnceLock<Option<(ProductCenter, Vec<Question<Verbs>>)>> = OnceLock::new();
    PRODUCT
        .get_or_init(|| selection().product.map(prepare_product))
        .as_ref()
}

/// A workload with roles within projects and its two batches.
struct ProjectRoles {
    center: ProjectRoleCenter,
    /// The plain workload's batch (the same questions, drawn alike).
    batch: Vec<Question>,
    /// Questions of users holding a role within a project about objects
    /// of that project.
    within: Vec<Question>,
}

/// Each selected size's workload with roles within projects, built once.
fn project_roles() -> &'static [ProjectRoles] {
    static PROJECT_ROLES: OnceLock<Vec<ProjectRoles>> = OnceLock::new();
    PROJECT_ROLES.get_or_init(|| {
        selection()
            .project_roles
            .into_iter()
            .map(prepare_project_roles)
            .collect()
    })
}

/// The plain workload of `size` and its batch, when selected.
fn plain(size: Size) -> Option<&'static (CallCenter, Vec<Question>)> {
    centers().iter().find(|(center, _)| center.size == size)
}

fn prepare_project_roles(size: Size) -> ProjectRoles {
    // From the plain workload as loaded (built again when not selected).
    let base = plain(size).map_or_else(
        || {
            let mut center = call_center(size);
            center.company =
                Company::from_document(center.company.to_document()).expect("a valid document");
            center
        },
        |(center, _)| center.clone(),
    );
    let mut center = with_project_roles(&base);
    drop(base);
    center.center.company =
        Company::from_document(center.center.company.to_document()).expect("a valid document");
    let batch = questions(&center.center, BATCH, 42);
    if let Some((_, plain)) = plain(size) {
        let same = |a: &Question, b: &Question| {
            a.user == b.user && a.action == b.action && a.resource == b.resource
        };
        assert!(
            batch.len() == plain.len() && batch.iter().zip(plain).all(|(a, b)| same(a, b)),
            "the questions drawn differ from the plain workload's"
        );
    }
    let within = within_questions(&center, BATCH, 43);
    let name = center.name();
    let company = &center.center.company;
    describe(&name, company, &batch, size, center.center.links);
    let (users, _, _, _, _) = size.counts();
    let allowed = within
        .iter()
        .filter(|q| company.check(q.user, q.action, q.resource).is_allowed())
        .count();
    eprintln!(
        "{name}: {} users ({:.1}%) hold a role within a project, {} directly and {} through a group; {:.1}% of within-project questions allowed",
        center.direct_users + center.group_users,
        100.0 * (center.direct_users + center.group_users) as f64 / f64::from(users),
        center.direct_users,
        center.group_users,
        100.0 * allowed as f64 / within.len() as f64,
    );
    if let Some((plain, _)) = plain(size) {
        let allowed = within
            .iter()
            .filter(|q| {
                plain
                    .company
                    .check(q.user, q.action, q.resource)
                    .is_allowed()
            })
            .count();
        eprintln!(
            "{}: {:.1}% of {name}'s within-project questions allowed",
            size.name(),
            100.0 * allowed as f64 / within.len() as f64,
        );
    }
    ProjectRoles {
        center,
        batch,
        within,
    }
}

fn prepare(size: Size) -> (CallCenter, Vec<Question>) {
    let mut center = call_center(size);
    // Measure (and check) the snapshot as a host that loads its stored
    // document gets it: compiled at its exact size.
    center.company =
        Company::from_document(center.company.to_document()).expect("a valid document");
    let batch = questions(&center, BATCH, 42);
    describe(size.name(), &center.company, &batch, size, center.links);
    (center, batch)
}

fn prepare_product(scale: Size) -> (ProductCenter, Vec<Question<Verbs>>) {
    let mut center = product_center(scale);
    // Loaded from its document, like the standard sizes.
    center.company =
        Company::from_document(center.company.to_document()).expect("a valid document");
    let batch = product_questions(&center, BATCH, 42);
    let name = if scale == Size::M {
        product::NAME.to_owned()
    } else {
        format!("{} (at {}'s counts)", product::NAME, scale.name())
    };
    describe(&name, &center.company, &batch, scale, center.links);
    (center, batch)
}

/// Prints what was built: its counts, the share of questions allowed, and
/// the snapshot's memory against the budget.
fn describe<P: PermissionFlags>(
    name: &str,
    company: &Company<P>,
    batch: &[Question<P>],
    size: Size,
    links: usize,
) {
    let allowed = batch
        .iter()
        .filter(|q| company.check(q.user, q.action, q.resource).is_allowed())
        .count();
    let (users, _, objects, _, _) = size.counts();
    let bytes = company.snapshot().memory_bytes() as f64;
    let budget = 64.0 * f64::from(users) + 16.0 * links as f64;
    let mib = |bytes: f64| bytes / (1024.0 * 1024.0);
    eprintln!(
        "{name}: {users} users, {objects} objects, {links} object-project links; {:.1}% of questions allowed",
        100.0 * allowed as f64 / batch.len() as f64,
    );
    eprintln!(
        "{name}: snapshot memory {:.2} MiB, budget (64 B/user + 16 B/link) {:.2} MiB: {:.0}% of budget",
        mib(bytes),
        mib(budget),
        100.0 * bytes / budget,
    );
}

/// A question asked through a session.
#[derive(Clone, Copy)]
struct SessionQuestion {
    session: Session,
    action: Permissions,
    resource: Resource,
}

/// Asks every question through its session; returns how many were allowed.
#[inline(never)]
fn check_sessions(snapshot: &Snapshot, questions: &[SessionQuestion]) -> u32 {
    let mut allowed = 0u32;
    for q in questions {
        allowed += u32::from(
            snapshot
                .check_session(&q.session, q.action, q.resource)
                .is_allowed(),
        );
    }
    black_box(allowed)
}

/// Questions per `explain` batch.
const EXPLAINED: usize = 1_000;

/// Explains every question; returns how many were allowed. Out of line, so
/// that `benches/instructions.sh` counts its instructions.
#[inline(never)]
fn explain_all(company: &Company, questions: &[Question]) -> u32 {
    let mut allowed = 0u32;
    for q in questions {
        let why = company.explain(q.user, q.action, q.resource);
        allowed += u32::from(why.decision().is_allowed());
    }
    black_box(allowed)
}

/// Lists the visible objects of each (user, kind); returns how many were
/// listed. Out of line, for `benches/instructions.sh`.
#[inline(never)]
fn list_visible(company: &Company, asks: &[(UserId, ObjectKind)]) -> usize {
    let mut count = 0usize;
    for &(user, kind) in asks {
        if let Ok(objects) = company.visible_objects(user, kind) {
            count += objects.count();
        }
    }
    black_box(count)
}

fn bench_checks(c: &mut Criterion) {
    let centers = centers();
    // Built here, before any measurement, rather than on the way.
    let product = product();
    let project_roles = project_roles();

    let mut group = c.benchmark_group("check");
    group.throughput(Throughput::Elements(BATCH as u64));
    for (center, batch) in centers {
        let company = &center.company;
        let snapshot = company.snapshot();
        group.bench_function(format!("by_user/{}", center.size.name()), |b| {
            b.iter(|| check_users(snapshot, batch))
        });
        // The same questions asked through sessions, as a host asks them:
        // each request carries its connection's session. One normal
        // session per question's user, made ahead.
        let through = |session: &dyn Fn(UserId) -> Session| -> Vec<SessionQuestion> {
            batch
                .iter()
                .map(|q| SessionQuestion {
                    session: session(q.user),
                    action: q.action,
                    resource: q.resource,
                })
                .collect()
        };
        let normal = through(&|user| company.login(user).expect("generated users exist"));
        group.bench_function(format!("by_session/{}", center.size.name()), |b| {
            b.iter(|| check_sessions(snapshot, &normal))
        });
        // Every question's user testing Operator. Few generated users may
        // start testing (it takes roles.manage and roles.test), so the
        // sessions are restored the way a host restores stored ones; the
        // check caps them at what each user holds, as for any session.
        let operator = RoleId::OPERATOR.get();
        let revision = company.revision();
        let id = company.id().to_string();
        let testing = through(&|user| {
            serde_json::from_value(serde_json::json!({
                "company": id,
                "user": user.get(),
                "loginRevision": revision,
                "testing": operator,
            }))
            .expect("a well-formed session")
        });
        group.bench_function(format!("testing_session/{}", center.size.name()), |b| {
            b.iter(|| check_sessions(snapshot, &testing))
        });
    }
    // Workload V: the same batch shape and loop, a product's catalog.
    if let Some((center, batch)) = product {
        let snapshot = center.company.snapshot();
        group.bench_function(format!("by_user/{}", product::NAME), |b| {
            b.iter(|| check_users(snapshot, batch))
        });
    }
    // Roles within projects: the plain workload's questions, then only
    // users holding such a role about objects of that project (asked of
    // the plain workload too, where those users hold none).
    for pr in project_roles {
        let name = pr.center.name();
        let snapshot = pr.center.center.company.snapshot();
        group.bench_function(format!("by_user/{name}"), |b| {
            b.iter(|| check_users(snapshot, &pr.batch))
        });
        if let Some((plain, _)) = plain(pr.center.center.size) {
            let snapshot = plain.company.snapshot();
            group.bench_function(format!("within_project/{}", plain.size.name()), |b| {
                b.iter(|| check_users(snapshot, &pr.within))
            });
        }
        group.bench_function(format!("within_project/{name}"), |b| {
            b.iter(|| check_users(snapshot, &pr.within))
        });
    }
    group.finish();

    // Batches of 1,000 questions, the next 1,000 of the batch each time
    // (so that every question is asked in turn, as one at a time would);
    // throughput is per question.
    let mut group = c.benchmark_group("explain");
    for (center, batch) in centers {
        let company = &center.company;
        let mut chunks = batch.chunks(EXPLAINED).cycle();
        group.throughput(Throughput::Elements(EXPLAINED.min(batch.len()) as u64));
        group.bench_function(center.size.name(), |b| {
            b.iter(|| {
                let asks = chunks.next().unwrap_or_default();
                explain_all(company, asks)
            })
        });
    }
    // Questions allowed thanks to a role within a project: the user's
    // company-wide roles do not grant the action.
    for pr in project_roles {
        let company = &pr.center.center.company;
        let asks: Vec<Question> = pr
            .within
            .iter()
            .filter(|q| {
                let why = company.explain(q.user, q.action, q.resource);
                let company_wide = why
                    .grants()
                    .iter()
                    .filter(|grant| grant.project.is_none())
                    .fold(Permissions::empty(), |all, grant| all | grant.granted);
                why.decision().is_allowed() && !company_wide.contains(q.action)
            })
            .take(1_000)
            .copied()
            .collect();
        assert!(
            !asks.is_empty(),
            "some grants come from roles within projects"
        );
        group.throughput(Throughput::Elements(asks.len() as u64));
        group.bench_function(format!("within_project/{}", pr.center.name()), |b| {
            b.iter(|| explain_all(company, &asks))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("visible_objects");
    for (center, batch) in centers {
        let company = &center.company;
        // The same 1,000 (user, kind) lists every iteration; throughput is
        // the number of objects they return, so criterion reports the cost
        // per object listed.
        let asks: Vec<_> = batch
            .iter()
            .take(1_000)
            .enumerate()
            .map(|(i, q)| (q.user, ObjectKind::ALL[i % ObjectKind::ALL.len()]))
            .collect();
        let returned: usize = asks
            .iter()
            .map(|&(user, kind)| {
                company
                    .visible_objects(user, kind)
                    .map_or(0, Iterator::count)
            })
            .sum();
        // `benches/instructions.sh` divides by this count.
        eprintln!(
            "visible_objects/{}: {returned} objects listed per batch",
            center.size.name()
        );
        group.throughput(Throughput::Elements(returned.max(1) as u64));
        group.bench_function(center.size.name(), |b| {
            b.iter(|| list_visible(company, &asks))
        });
    }
    group.finish();
}

fn bench_changes(c: &mut Criterion) {
    // Changes mutate: work on copies, leaving the shared centers as built.
    let mut centers: Vec<(CallCenter, Vec<Question>)> = centers().to_vec();

    let mut group = c.benchmark_group("change_then_check");
    for (center, batch) in &mut centers {
        let name = center.size.name();
        let company = &mut center.company;
        let user = UserId::new(1);
        let q = batch[0];
        // Assign a role, check; next iteration take it back, check.
        let mut assign = true;
        group.bench_function(format!("assign_role/{name}"), |b| {
            b.iter(|| {
                let principals = vec![Principal::User(user)];
                let change = if assign {
                    Change::AssignRole {
                        role: RoleId::SUPERVISOR,
                        principals,
                    }
                } else {
                    Change::UnassignRole {
                        role: RoleId::SUPERVISOR,
                        principals,
                    }
                };
                assign = !assign;
                company.apply(change).expect("valid change");
                black_box(company.check(q.user, q.action, q.resource))
            })
        });
        // The impact of a one-user change, without making it: a plan that
        // is dropped (0.1 cloned the whole company for this).
        group.bench_function(format!("preview_assign_role/{name}"), |b| {
            b.iter(|| {
                let change = Change::AssignRole {
                    role: RoleId::SUPERVISOR,
                    principals: vec![Principal::User(user)],
                };
                black_box(company.preview(change).expect("valid change"))
            })
        });
        let project = company
            .projects()
            .nth(1)
            .map(|(id, _)| id)
            .expect("projects");
        let mut add = true;
        group.bench_function(format!("project_member/{name}"), |b| {
            b.iter(|| {
                let principals = vec![Principal::User(user)];
                let change = if add {
                    Change::AddProjectMembers {
                        project,
                        principals,
                        roles: vec![],
                    }
                } else {
                    Change::RemoveProjectMembers {
                        project,
                        principals,
                    }
                };
                add = !add;
                company.apply(change).expect("valid change");
                black_box(company.check(q.user, q.action, q.resource))
            })
        });
    }
    // Give `team lead` within a project to one member who holds no role
    // within any project, check a question about an object of that project;
    // next iteration take it back, check.
    for pr in project_roles() {
        let name = pr.center.name();
        let mut company = pr.center.center.company.clone();
        let team_lead = pr.center.team_lead;
        let holds = |user: UserId| {
            pr.center
                .holders
                .binary_search_by(|&(held, _)| held.cmp(&user))
                .is_ok()
        };
        let (user, project, object) = company
            .users()
            .filter(|&(user, _)| user.get() > 0 && !holds(user))
            .find_map(|(user, record)| {
                let project = record.projects().next()?;
                let object = company.project(project)?.objects().next()?;
                Some((user, project, object))
            })
            .expect("a member without roles within projects");
        let kind = company.object(object).expect("live object").kind();
        let q = Question {
            user,
            action: kind.manage_permission(),
            resource: Resource::Object(object),
        };
        let mut assign = true;
        group.bench_function(format!("assign_project_role/{name}"), |b| {
            b.iter(|| {
                let principals = vec![Principal::User(user)];
                let change = if assign {
                    Change::AssignProjectRole {
                        project,
                        role: team_lead,
                        principals,
                    }
                } else {
                    Change::UnassignProjectRole {
                        project,
                        role: team_lead,
                        principals,
                    }
                };
                assign = !assign;
                company.apply(change).expect("valid change");
                black_box(company.check(q.user, q.action, q.resource))
            })
        });
    }
    group.finish();

    let mut group = c.benchmark_group("build");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    for (center, _) in &centers {
        let name = center.size.name();
        // The checkable state from scratch (the target), then the whole
        // company from its stored JSON (records, checks and compile).
        group.bench_function(format!("compile/{name}"), |b| {
            b.iter(|| black_box(center.company.compile()))
        });
        let document = center.company.to_document();
        let json = serde_json::to_string(&document).expect("serializable");
        eprintln!(
            "{name}: the JSON document is {:.1} MiB",
            json.len() as f64 / (1024.0 * 1024.0)
        );
        // The whole company through ordinary changes, in the bulk shape of
        // an import (`workload/build.rs`): plan and commit of every change.
        let changes = workload::build::changes(center.size);
        group.bench_function(format!("changes/{name}"), |b| {
            b.iter_batched(
                || changes.clone(),
                |changes| {
                    let mut company = Company::new();
                    for change in changes {
                        company
                            .apply(change)
                            .expect("the generator makes valid changes");
                    }
                    company
                },
                criterion::BatchSize::LargeInput,
            )
        });
        group.bench_function(format!("load_json/{name}"), |b| {
            b.iter(|| {
                Company::<Permissions>::load(&mut serde_json::Deserializer::from_str(&json))
                    .expect("valid JSON")
            })
        });
    }
    // A hostile document: one user, and `nextIds` at the default limits of
    // every kind. Loading costs the records and one pointer per chunk of
    // unused ids, not the ids.
    let hostile = workload::hostile_document();
    group.bench_function("load_json/hostile", |b| {
        b.iter(|| {
            Company::<Permissions>::load(&mut serde_json::Deserializer::from_str(&hostile))
                .expect("valid JSON")
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = workload::criterion_config();
    targets = bench_checks, bench_changes
}
criterion_main!(benches);
