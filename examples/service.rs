//! The read side and the write side of a service, under load.
//!
//! An outsourcing call center of a dozen clients (projects, in enhanced
//! security), three thousand users and two thousand queues, call scripts,
//! autodialers and lists is handed to a [`Publisher`]. Then, for a fixed
//! time:
//!
//! - reader threads answer questions the way a request handler does, by
//!   names: `acme agent 007` may `queues.view` on `queue:Globex inbound 3`?
//!   Each request takes the latest [`View`] from its [`Reader`], resolves
//!   the user, the permission and the resource by name in that view, and
//!   checks. Names that do not exist (a mistyped user, a queue not created
//!   yet) are counted as unknown, not errors;
//! - one writer thread applies a stream of changes through the publisher
//!   (a role given and taken back, an agent lent to another client and
//!   returned, a new queue), timing each `apply`, which publishes.
//!
//! It prints checks per second, the writer's apply + publish latency, then
//! shows that a view taken before a change keeps answering the old way while
//! a new view answers the new way, and explains one denied question.
//!
//! `cargo run --release --example service` gives real numbers; in debug
//! (`cargo run --example service`) it runs for 300 ms. Arguments:
//! `cargo run --release --example service -- [MILLIS [READERS]]`.

use std::collections::VecDeque;
use std::error::Error;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use callgate::{
    Change, Company, Decision, DenyReason, ObjectKind, Permissions, ProjectId, Publisher, Reader,
    Resource, RoleId, SecurityMode, UserId, View,
};

const USAGE: &str =
    "usage: service [MILLIS [READERS]]: run for MILLIS ms with READERS reader threads";

/// The clients of the call center: one project, one team and one
/// supervisor each.
const CLIENTS: [&str; 12] = [
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Hooli",
    "Stark",
    "Wayne",
    "Tyrell",
    "Soylent",
    "Cyberdyne",
    "Wonka",
    "Oscorp",
];
const AGENTS_PER_CLIENT: usize = 250;
/// Objects of each kind per client, named `{client} {word} {n}`.
const OBJECTS_PER_KIND: usize = 40;
const KINDS: [(ObjectKind, &str, [&str; 2]); 4] = [
    (
        ObjectKind::Queue,
        "inbound",
        ["queues.view", "queues.manage"],
    ),
    (
        ObjectKind::CallScript,
        "script",
        ["call_scripts.view", "call_scripts.manage"],
    ),
    (
        ObjectKind::Autodialer,
        "campaign",
        ["autodialers.view", "autodialers.manage"],
    ),
    (ObjectKind::List, "contacts", ["lists.view", "lists.manage"]),
];
const QA_STAFF: usize = 8;
/// What readers ask about the company, by name. One question in a hundred
/// asks for `queues.fly`, which no catalog has.
const COMPANY_ACTIONS: [&str; 5] = [
    "call_journal.view",
    "kpi.view",
    "qa_checks.manage",
    "billing.view",
    "security.manage",
];
/// The writer creates `{client} overflow {n}` queues; readers ask about
/// the first few before they exist.
const OVERFLOW_ASKED: u64 = 16;
const QUESTIONS: usize = 4096;
/// The writer's pace: one change, then this pause.
const PACE: Duration = Duration::from_micros(500);

fn main() -> Result<(), Box<dyn Error>> {
    let (millis, readers) = parse_args()?;
    println!("callgate service: one writer publishes, {readers} readers answer checks by names");

    let started = Instant::now();
    let (company, world) = build()?;
    println!(
        "Built {} users, {} projects, {} objects in {:.2} s (revision {}).",
        company.users().count(),
        company.projects().count(),
        company.objects().count(),
        started.elapsed().as_secs_f64(),
        company.revision(),
    );
    let questions = Arc::new(questions());
    let mut publisher = Publisher::new(company);
    let reader = publisher.reader();

    // Readers and the writer start together, run until `stop`, and report.
    println!(
        "Running for {millis} ms: {readers} readers; 1 writer, resting {PACE:?} after each change\n"
    );
    let stop = Arc::new(AtomicBool::new(false));
    let start = Arc::new(Barrier::new(readers + 2));
    let reader_threads: Vec<_> = (0..readers)
        .map(|r| {
            let (reader, questions) = (reader.clone(), Arc::clone(&questions));
            let (stop, start) = (Arc::clone(&stop), Arc::clone(&start));
            thread::spawn(move || {
                start.wait();
                answer_until(&reader, &questions, r * QUESTIONS / 4, &stop)
            })
        })
        .collect();
    let writer_thread = {
        let (stop, start) = (Arc::clone(&stop), Arc::clone(&start));
        thread::spawn(move || {
            start.wait();
            let report = write_until(&mut publisher, world, &stop);
            report.map(|report| (publisher, report))
        })
    };
    start.wait();
    let running = Instant::now();
    thread::sleep(Duration::from_millis(millis));
    stop.store(true, Ordering::Relaxed);
    let mut tallies = Vec::with_capacity(readers);
    for thread in reader_threads {
        tallies.push(thread.join().map_err(|_| "a reader thread panicked")?);
    }
    let (mut publisher, mut writes) = writer_thread
        .join()
        .map_err(|_| "the writer thread panicked")??;
    let seconds = running.elapsed().as_secs_f64();

    // What the readers did.
    let mut total = Tally::default();
    for (r, tally) in tallies.iter().enumerate() {
        println!(
            "reader {r}: {} checks ({:.0}/s): {} allowed, {} denied, {} unknown; saw revisions {}..={}",
            tally.checks(),
            tally.checks() as f64 / seconds,
            tally.allowed,
            tally.denied,
            tally.unknown,
            tally.first_revision,
            tally.last_revision,
        );
        total.add(tally);
    }
    let per_second = total.checks() as f64 / seconds;
    println!("all readers: {} checks, {per_second:.0}/s", total.checks());

    // What the writer did. Each latency is one `Publisher::apply`: the
    // change, then the swap. Once published, the chunks a change touches are
    // shared with the readers' view, so the next change copies them first:
    // that copy, not the swap, is most of the time.
    let mut latencies = std::mem::take(&mut writes.latencies);
    latencies.sort_unstable();
    let at = |fraction: f64| {
        let last = latencies.len().saturating_sub(1);
        latencies
            .get((last as f64 * fraction).round() as usize)
            .copied()
            .unwrap_or_default()
    };
    let (median, p99, max) = (at(0.5), at(0.99), at(1.0));
    println!(
        "writer: {} changes ({})\n  apply + publish: median {}, p99 {}, max {}",
        latencies.len(),
        writes.kinds(),
        micros(median),
        micros(p99),
        micros(max),
    );

    // A view is one state: taken before a change, it keeps answering the old
    // way, down to which names exist.
    println!("\nA view taken before a change keeps its answers:");
    let old = reader.view();
    let question = Question::new("acme agent 000", "queues.view", "queue:Globex inbound 3");
    let night = "queue:Acme night 1";
    let before = decide(&old, &question);
    println!(
        "  old view, revision {}: {question} {}",
        old.revision(),
        said(before)
    );
    let agent = old
        .user_by_name(&question.user)
        .expect("acme agent 000 was built");
    let globex = old.project_by_name("Globex").expect("Globex was built");
    let acme = old.project_by_name("Acme").expect("Acme was built");
    publisher.apply(Change::add_project_members(globex, [agent.into()]))?;
    publisher.apply(Change::CreateObject {
        kind: ObjectKind::Queue,
        name: "Acme night 1".into(),
        projects: vec![acme],
    })?;
    println!("  the publisher lends `acme agent 000` to Globex and creates `{night}`");
    let new = reader.view();
    let (again, after) = (decide(&old, &question), decide(&new, &question));
    println!(
        "  old view, revision {}: {question} {}",
        old.revision(),
        said(again)
    );
    println!(
        "  new view, revision {}: {question} {}",
        new.revision(),
        said(after)
    );
    println!(
        "  look up `{night}`: old view: {}; new view: {}",
        found(old.resource_by_name(night)),
        found(new.resource_by_name(night)),
    );
    assert_eq!(before, Some(Decision::Deny(DenyReason::HiddenByProjects)));
    assert_eq!(again, before);
    assert_eq!(after, Some(Decision::Allow));
    drop((old, new));

    // Why was one of the readers' questions denied? The explanation speaks
    // names, from the same view the answer came from.
    let view = reader.view();
    if let Some((question, user, action, resource)) = questions.iter().find_map(|q| {
        let (user, action, resource) = resolve(&view, q)?;
        let hidden =
            view.check(user, action, resource).deny_reason() == Some(DenyReason::HiddenByProjects);
        hidden.then_some((q, user, action, resource))
    }) {
        println!("\nOne denied question, explained: {question}");
        println!("{}", view.explain(user, action, resource));
    }

    println!(
        "\nsummary: readers={readers} millis={millis} checks={} checks_per_s={per_second:.0} \
         allowed={} denied={} unknown={} changes={} apply_publish_median_us={:.1} \
         apply_publish_p99_us={:.1} apply_publish_max_us={:.1} users={} objects={} revision={}",
        total.checks(),
        total.allowed,
        total.denied,
        total.unknown,
        latencies.len(),
        median.as_secs_f64() * 1e6,
        p99.as_secs_f64() * 1e6,
        max.as_secs_f64() * 1e6,
        view.users().count(),
        view.objects().count(),
        view.revision(),
    );
    Ok(())
}

/// `[MILLIS [READERS]]`: 300 ms in debug, 1 s in release; one reader per
/// spare core, 2 to 4.
fn parse_args() -> Result<(u64, usize), Box<dyn Error>> {
    let mut args = std::env::args().skip(1).peekable();
    if args.peek().is_some_and(|a| a == "-h" || a == "--help") {
        println!("{USAGE}");
        std::process::exit(0);
    }
    let millis = match args.next() {
        Some(text) => text
            .parse()
            .map_err(|e| format!("MILLIS `{text}`: {e} ({USAGE})"))?,
        None if cfg!(debug_assertions) => 300,
        None => 1000,
    };
    let readers = match args.next() {
        Some(text) => match text.parse() {
            Ok(n) if n > 0 => n,
            _ => {
                return Err(
                    format!("READERS `{text}`: expected a positive number ({USAGE})").into(),
                );
            }
        },
        None => thread::available_parallelism()
            .map_or(2, |n| n.get().saturating_sub(1))
            .clamp(2, 4),
    };
    if let Some(extra) = args.next() {
        return Err(format!("unexpected argument `{extra}` ({USAGE})").into());
    }
    Ok((millis, readers))
}

// ---- The call center ------------------------------------------------------

/// What the writer needs to know about the company it built.
struct World {
    clients: Vec<Client>,
    queue_manager: RoleId,
}

struct Client {
    name: &'static str,
    project: ProjectId,
    agents: Vec<UserId>,
}

/// Builds the call center with ordinary changes, as an admin console would.
fn build() -> Result<(Company, World), callgate::Error> {
    let mut company = Company::new();
    company.create_user("olga")?; // the first user: Admin
    company.apply(Change::SetSecurityMode {
        mode: SecurityMode::Enhanced,
    })?;
    // Agents see their client's queues, scripts and lists; the writer hands
    // out queue management.
    let floor = company.create_role(
        "Floor agent",
        "Sees the queues, scripts and lists of their projects",
        Permissions::QUEUES_VIEW | Permissions::CALL_SCRIPTS_VIEW | Permissions::LISTS_VIEW,
    )?;
    let queue_manager = company.create_role("Queue manager", "", Permissions::QUEUES_MANAGE)?;
    let qa = company.create_role(
        "QA",
        "Scores calls against the scripts",
        Permissions::QA_CHECKS_MANAGE | Permissions::CALL_SCRIPTS_VIEW | Permissions::KPI_VIEW,
    )?;

    let mut clients = Vec::with_capacity(CLIENTS.len());
    for name in CLIENTS {
        let project = company.create_project(name, format!("Calls for {name}"))?;
        let team = company.create_group(format!("{name} team"), &[])?;
        company.apply(Change::AssignRole {
            role: RoleId::OPERATOR,
            principals: vec![team.into()],
        })?;
        company.apply(Change::AssignRole {
            role: floor,
            principals: vec![team.into()],
        })?;
        company.apply(Change::add_project_members(project, [team.into()]))?;
        company.apply(Change::CreateUser {
            name: format!("{} supervisor", name.to_lowercase()),
            roles: vec![RoleId::SUPERVISOR],
            groups: vec![],
            projects: vec![project],
        })?;
        let mut agents = Vec::with_capacity(AGENTS_PER_CLIENT);
        for n in 0..AGENTS_PER_CLIENT {
            let report = company.apply(Change::CreateUser {
                name: format!("{} agent {n:03}", name.to_lowercase()),
                roles: vec![],
                groups: vec![team],
                projects: vec![],
            })?;
            agents.push(created_user(report.created));
        }
        for (kind, word, _) in KINDS {
            for n in 0..OBJECTS_PER_KIND {
                company.apply(Change::CreateObject {
                    kind,
                    name: format!("{name} {word} {n}"),
                    projects: vec![project],
                })?;
            }
        }
        clients.push(Client {
            name,
            project,
            agents,
        });
    }
    // The QA desk works for every client.
    let projects: Vec<_> = clients.iter().map(|c| c.project).collect();
    for n in 1..=QA_STAFF {
        company.apply(Change::CreateUser {
            name: format!("qa {n}"),
            roles: vec![qa],
            groups: vec![],
            projects: projects.clone(),
        })?;
    }
    Ok((
        company,
        World {
            clients,
            queue_manager,
        },
    ))
}

fn created_user(created: Option<callgate::Created>) -> UserId {
    match created {
        Some(callgate::Created::User(user)) => user,
        other => unreachable!("CreateUser reports the user it created, not {other:?}"),
    }
}

// ---- The read side --------------------------------------------------------

/// A question as a request brings it: every part a name.
struct Question {
    user: String,
    action: String,
    resource: String,
}

impl Question {
    fn new(user: &str, action: &str, resource: &str) -> Self {
        Self {
            user: user.into(),
            action: action.into(),
            resource: resource.into(),
        }
    }
}

impl std::fmt::Display for Question {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "may `{}` `{}` on `{}`?",
            self.user, self.action, self.resource
        )
    }
}

/// A fixed mix of questions: mostly agents about their own client's
/// objects, some about other clients' (hidden), company sections and
/// projects, and a few names that do not exist (yet): a user nobody
/// created, a queue the writer has not created yet, a mistyped permission.
fn questions() -> Vec<Question> {
    let mut rng = Rng(0x5eed_cafe);
    let clients = CLIENTS.len() as u64;
    (0..QUESTIONS)
        .map(|_| {
            let own = CLIENTS[rng.below(clients) as usize];
            let user = match rng.below(100) {
                0..80 => format!(
                    "{} agent {:03}",
                    own.to_lowercase(),
                    rng.below(AGENTS_PER_CLIENT as u64)
                ),
                80..90 => format!("{} supervisor", own.to_lowercase()),
                90..97 => format!("qa {}", 1 + rng.below(QA_STAFF as u64)),
                _ => format!("ghost {}", rng.below(100)),
            };
            let (resource, actions): (String, &[&str]) = match rng.below(100) {
                0..80 => {
                    // Two in three about their own client's objects.
                    let client = if rng.below(3) < 2 {
                        own
                    } else {
                        CLIENTS[rng.below(clients) as usize]
                    };
                    let (kind, word, actions) = &KINDS[rng.below(KINDS.len() as u64) as usize];
                    let n = rng.below(OBJECTS_PER_KIND as u64);
                    (format!("{}:{client} {word} {n}", kind.name()), actions)
                }
                80..88 => ("company".to_owned(), &COMPANY_ACTIONS),
                88..94 => {
                    let client = CLIENTS[rng.below(clients) as usize];
                    (
                        format!("project:{client}"),
                        &["projects.view", "projects.manage"],
                    )
                }
                _ => (
                    format!("queue:{own} overflow {}", rng.below(OVERFLOW_ASKED)),
                    &KINDS[0].2,
                ),
            };
            let action = if rng.below(100) == 0 {
                "queues.fly"
            } else {
                actions[rng.below(actions.len() as u64) as usize]
            };
            Question::new(&user, action, &resource)
        })
        .collect()
}

/// The user, permission and resource a question names in `view`, or `None`
/// when one of the names is unknown there.
fn resolve(view: &Company, question: &Question) -> Option<(UserId, Permissions, Resource)> {
    let user = view.user_by_name(&question.user)?;
    let action = question.action.parse::<Permissions>().ok()?;
    let resource = view.resource_by_name(&question.resource).ok()?;
    Some((user, action, resource))
}

/// The decision on a question in `view`, or `None` when one of its names
/// is unknown there.
fn decide(view: &View, question: &Question) -> Option<Decision> {
    let (user, action, resource) = resolve(view, question)?;
    Some(view.check(user, action, resource))
}

fn said(decision: Option<Decision>) -> String {
    decision.map_or_else(|| "unknown name".to_owned(), |d| d.to_string())
}

fn found<T>(result: Result<T, callgate::Error>) -> String {
    match result {
        Ok(_) => "found".to_owned(),
        Err(error) => error.to_string(),
    }
}

fn micros(duration: Duration) -> String {
    format!("{:.1} µs", duration.as_secs_f64() * 1e6)
}

/// What one reader answered.
#[derive(Default)]
struct Tally {
    allowed: u64,
    denied: u64,
    unknown: u64,
    first_revision: u64,
    last_revision: u64,
}

impl Tally {
    fn checks(&self) -> u64 {
        self.allowed + self.denied + self.unknown
    }

    fn add(&mut self, other: &Tally) {
        self.allowed += other.allowed;
        self.denied += other.denied;
        self.unknown += other.unknown;
    }
}

/// A request thread: one question per request, each answered from the view
/// the request took.
fn answer_until(reader: &Reader, questions: &[Question], from: usize, stop: &AtomicBool) -> Tally {
    let first_revision = reader.revision();
    let mut tally = Tally {
        first_revision,
        last_revision: first_revision,
        ..Tally::default()
    };
    let mut next = from;
    while !stop.load(Ordering::Relaxed) {
        let question = &questions[next % questions.len()];
        next += 1;
        let view = reader.view();
        // Published views only move forward.
        assert!(view.revision() >= tally.last_revision);
        tally.last_revision = view.revision();
        match resolve(&view, question) {
            None => tally.unknown += 1,
            Some((user, action, resource)) => {
                if view.check(user, action, resource).is_allowed() {
                    tally.allowed += 1;
                } else {
                    tally.denied += 1;
                }
            }
        }
    }
    tally
}

// ---- The write side -------------------------------------------------------

/// What the writer did, and how long each apply + publish took.
#[derive(Default)]
struct Writes {
    latencies: Vec<Duration>,
    assigned: u64,
    unassigned: u64,
    lent: u64,
    returned: u64,
    created: u64,
}

impl Writes {
    fn kinds(&self) -> String {
        format!(
            "{} role assignments, {} taken back, {} agents lent to another client, {} returned, {} queues created",
            self.assigned, self.unassigned, self.lent, self.returned, self.created
        )
    }
}

/// The writer: a stream of changes through the publisher until `stop`.
fn write_until(
    publisher: &mut Publisher,
    world: World,
    stop: &AtomicBool,
) -> Result<Writes, callgate::Error> {
    let mut rng = Rng(0xdead_beef);
    let mut writes = Writes::default();
    let mut managers = VecDeque::new();
    let mut lent = VecDeque::new();
    let mut step = 0u64;
    // `acme agent 000` is left alone: `main` uses it afterwards.
    let clients = world.clients.len() as u64;
    let agent = |rng: &mut Rng| {
        let home = rng.below(clients);
        let agents = &world.clients[home as usize].agents;
        (
            home,
            agents[1 + rng.below(agents.len() as u64 - 1) as usize],
        )
    };
    while !stop.load(Ordering::Relaxed) {
        let change = match step % 5 {
            0 => {
                let (_, user) = agent(&mut rng);
                managers.push_back(user);
                writes.assigned += 1;
                Change::AssignRole {
                    role: world.queue_manager,
                    principals: vec![user.into()],
                }
            }
            1 => {
                let (home, user) = agent(&mut rng);
                let other = (home + 1 + rng.below(clients - 1)) % clients;
                let project = world.clients[other as usize].project;
                lent.push_back((project, user));
                writes.lent += 1;
                Change::add_project_members(project, [user.into()])
            }
            2 => {
                let client = &world.clients[(writes.created % clients) as usize];
                let (name, project) = (client.name, client.project);
                let n = writes.created / clients;
                writes.created += 1;
                Change::CreateObject {
                    kind: ObjectKind::Queue,
                    name: format!("{name} overflow {n}"),
                    projects: vec![project],
                }
            }
            3 => {
                let user = managers.pop_front().expect("step 0 assigned one");
                writes.unassigned += 1;
                Change::UnassignRole {
                    role: world.queue_manager,
                    principals: vec![user.into()],
                }
            }
            _ => {
                let (project, user) = lent.pop_front().expect("step 1 lent one");
                writes.returned += 1;
                Change::RemoveProjectMembers {
                    project,
                    principals: vec![user.into()],
                }
            }
        };
        let started = Instant::now();
        publisher.apply(change)?;
        writes.latencies.push(started.elapsed());
        step += 1;
        thread::sleep(PACE);
    }
    Ok(writes)
}

/// A small deterministic generator (xorshift), so every run asks the same
/// questions and makes the same changes.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}
