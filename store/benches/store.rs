//! The store's speed on this machine: commits, replica lag, one writer's
//! throughput and a replica's start-up, on SQLite and (feature `postgres`,
//! with `CALLGATE_POSTGRES_URL` set) PostgreSQL.
//!
//! One company of the core's workload (`benches/workload/mod.rs`, shared
//! with the core's benches) is stored per database, in a new SQLite file in
//! a temporary folder or a new PostgreSQL schema (dropped at the end):
//!
//! 1. `commit`: one `Writer::apply` of a one-user change (a custom role
//!    assigned to one user, taken back the next time), at M. SQLite is in
//!    WAL mode, with `durable: true` (`synchronous = FULL`, an fsync per
//!    commit) and `durable: false` (`NORMAL`). Targets: p99 <= 300 µs on
//!    SQLite, <= 2 ms on PostgreSQL. Criterion measures it too
//!    (`commit/{db}/{size}`: mean and median). The `  fsync` row under
//!    each durable one (`sqlite-full`, `postgres`) is a bare 4 KiB write plus
//!    `fdatasync`, timed after each commit, apart: the disk's flush time
//!    while that row ran.
//! 2. `lag`: from the writer's `apply` returning to a `Follower` of the
//!    same process (`Replica::follow`) answering `wait_for(revision)`, with
//!    a random pause of up to 5 ms between changes so that they do not fall
//!    in step with SQLite's polls. PostgreSQL wakes the follower with
//!    `LISTEN`/`NOTIFY` (target p99 <= 20 ms); SQLite polls every 5 ms.
//! 3. `throughput`: one writer applying changes back to back, in rounds;
//!    changes per second (median and slowest round). Target >= 2,000/s on
//!    PostgreSQL.
//! 4. `startup`: `Replica::open` at L from its checkpoint plus 1,000 log
//!    entries (a few runs), and apart its parts: reading the checkpoint row
//!    (`ckpt read`) and the log rows (`log read`), and loading the document
//!    (`doc load`); the rest is replaying the entries.
//!
//! Writers keep the default `CheckpointPolicy` (every 1,000 entries or
//! 1 MiB), so about one commit in 1,000 also writes the company's document:
//! it shows in `max`, not in p99. The latency rows time each operation with
//! `Instant` and give nearest-rank percentiles.
//!
//! The `baseline` rows are floors to compare with: `fsync`, a bare 4 KiB
//! write plus `fdatasync` in a new file of the same temporary folder (against
//! `sqlite-full`); `sleep`, a `sleep(100 µs)`, which shows how late threads
//! wake under the machine's load; and on PostgreSQL, without the store,
//! `pg ping` (`SELECT 1`) and `pg commit` (`BEGIN`, one small `INSERT`,
//! `COMMIT`). PostgreSQL's `synchronous_commit` (and friends) are printed;
//! `postgres-async` is PostgreSQL with `synchronous_commit = off` set for
//! the writer's session only (`SET` on its connection), the server's
//! settings untouched.
//!
//! ```sh
//! cargo bench -p callgate-store --bench store                  # SQLite only
//! CALLGATE_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test \
//!   cargo bench -p callgate-store --features postgres --bench store
//! CALLGATE_STORE_QUICK=1 cargo bench -p callgate-store --bench store
//! CALLGATE_STORE_PARTS=commit,lag cargo bench -p callgate-store --bench store
//! ```
//!
//! Knobs: `CALLGATE_STORE_QUICK=1` runs everything at S with fewer
//! iterations; `CALLGATE_STORE_ITERS=N` sets the iterations of the latency
//! rows (default 2,000); `CALLGATE_STORE_PARTS` picks among `baseline`,
//! `commit`, `lag`, `throughput` and `startup` (default all).
//!
//! `cargo test` runs this file in criterion's test mode (no `--bench`): a
//! smoke run at S with a few iterations of each part and no L, so the
//! benchmark cannot rot.

use std::fs::File;
use std::io::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use callgate::{Change, Company, CompanyId, RoleId, UserId};
use callgate_store::{CheckpointPolicy, Replica, SqliteOptions, SqliteStore, Store, Write, Writer};
use criterion::Criterion;

// The core's own module, formatted with the core (edition 2021): rustfmt
// must not format it again as part of this crate (edition 2024).
#[rustfmt::skip]
#[path = "../../benches/workload/mod.rs"]
mod workload;
use workload::{Rng, Size, call_center, one_user_role, role_change};

/// The tenant every run stores its company for.
const TENANT: &str = "acme";

/// The variable naming the PostgreSQL server, as in the store's tests.
const POSTGRES_URL: &str = "CALLGATE_POSTGRES_URL";

/// How long a follower may take to reach a revision before the run fails.
const LAG_TIMEOUT: Duration = Duration::from_secs(10);

/// Log entries written after the checkpoint that `startup` replays.
const STARTUP_ENTRIES: usize = 1_000;

/// Whether criterion runs as a benchmark (`cargo bench`) rather than in test
/// mode (`cargo test`).
fn benchmarking() -> bool {
    std::env::args().any(|arg| arg == "--bench")
}

fn env_flag(name: &str) -> bool {
    std::env::var(name).is_ok_and(|value| !value.is_empty() && value != "0")
}

/// What one run does: sizes and iteration counts.
#[derive(Debug, Clone)]
struct Settings {
    /// The company of `commit`, `lag` and `throughput`.
    size: Size,
    /// The company of `startup`.
    startup_size: Size,
    /// Timed operations per latency row.
    iterations: usize,
    /// Untimed operations before them.
    warm_up: usize,
    /// Changes per throughput round, and rounds.
    round: usize,
    rounds: usize,
    /// `Replica::open` runs of `startup`.
    startups: usize,
    /// Log entries after the checkpoint for `startup`.
    startup_entries: usize,
    parts: Vec<String>,
}

impl Settings {
    fn from_env() -> Self {
        let mut settings = if !benchmarking() {
            // Test mode: a smoke run, no L.
            Settings {
                size: Size::S,
                startup_size: Size::S,
                iterations: 10,
                warm_up: 2,
                round: 10,
                rounds: 1,
                startups: 1,
                startup_entries: 20,
                parts: Vec::new(),
            }
        } else if env_flag("CALLGATE_STORE_QUICK") {
            Settings {
                size: Size::S,
                startup_size: Size::S,
                iterations: 300,
                warm_up: 20,
                round: 300,
                rounds: 3,
                startups: 3,
                startup_entries: STARTUP_ENTRIES,
                parts: Vec::new(),
            }
        } else {
            Settings {
                size: Size::M,
                startup_size: Size::L,
                iterations: 2_000,
                warm_up: 100,
                round: 1_000,
                rounds: 5,
                startups: 5,
                startup_entries: STARTUP_ENTRIES,
                parts: Vec::new(),
            }
        };
        if let Some(n) = std::env::var("CALLGATE_STORE_ITERS")
            .ok()
            .and_then(|n| n.parse().ok())
        {
            settings.iterations = n;
        }
        settings.parts = std::env::var("CALLGATE_STORE_PARTS")
            .unwrap_or_else(|_| "baseline,commit,lag,throughput,startup".into())
            .split(',')
            .map(|part| part.trim().to_owned())
            .collect();
        settings
    }

    fn runs(&self, part: &str) -> bool {
        self.parts.iter().any(|p| p == part)
    }
}

// ---------------------------------------------------------------------------
// Places: a fresh SQLite file or PostgreSQL schema per database measured.

/// A database to measure on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Db {
    /// SQLite, WAL, `synchronous = FULL` (`durable: true`).
    SqliteFull,
    /// SQLite, WAL, `synchronous = NORMAL` (`durable: false`).
    SqliteNormal,
    /// PostgreSQL as the server is set up.
    #[cfg(feature = "postgres")]
    Postgres,
    /// PostgreSQL with `synchronous_commit = off` for the writer's session.
    #[cfg(feature = "postgres")]
    PostgresAsync,
}

impl Db {
    fn name(self) -> &'static str {
        match self {
            Db::SqliteFull => "sqlite-full",
            Db::SqliteNormal => "sqlite-normal",
            #[cfg(feature = "postgres")]
            Db::Postgres => "postgres",
            #[cfg(feature = "postgres")]
            Db::PostgresAsync => "postgres-async",
        }
    }

    fn is_postgres(self) -> bool {
        !matches!(self, Db::SqliteFull | Db::SqliteNormal)
    }
}

/// A new, empty place on one database: removed (the folder) or dropped (the
/// schema) when the value is dropped.
struct Place {
    db: Db,
    /// The SQLite file's folder.
    dir: Option<tempfile::TempDir>,
    /// PostgreSQL's URL and the schema.
    postgres: Option<(String, String)>,
}

impl Place {
    fn new(db: Db, postgres_url: Option<&str>) -> Self {
        let postgres = db
            .is_postgres()
            .then(|| postgres_url.map(|url| (url.to_owned(), unique_schema())))
            .flatten();
        let dir = (!db.is_postgres()).then(|| tempfile::tempdir().expect("a temporary folder"));
        Place { db, dir, postgres }
    }

    fn sqlite_path(&self) -> Option<std::path::PathBuf> {
        self.dir.as_ref().map(|dir| dir.path().join("callgate.db"))
    }

    /// A read-write connection, as the writer has.
    fn open(&self) -> Box<dyn Store> {
        match self.db {
            Db::SqliteFull | Db::SqliteNormal => {
                let options = SqliteOptions::default().durable(self.db == Db::SqliteFull);
                let path = self.sqlite_path().expect("a SQLite place");
                Box::new(SqliteStore::open_with(path, options).expect("the file opens"))
            }
            #[cfg(feature = "postgres")]
            Db::Postgres | Db::PostgresAsync => {
                let (url, schema) = self.postgres.as_ref().expect("a PostgreSQL place");
                pg::open(url, schema, self.db == Db::PostgresAsync)
            }
        }
    }

    /// A connection for a replica: read-only on SQLite (default options,
    /// so a 5 ms poll interval).
    fn open_replica(&self) -> Box<dyn Store> {
        match self.sqlite_path() {
            Some(path) => Box::new(SqliteStore::open_read_only(path).expect("the file opens")),
            None => self.open_plain(),
        }
    }

    /// A connection with the server's settings (no session options).
    fn open_plain(&self) -> Box<dyn Store> {
        #[cfg(feature = "postgres")]
        if let Some((url, schema)) = &self.postgres {
            return pg::open(url, schema, false);
        }
        self.open()
    }
}

impl Drop for Place {
    fn drop(&mut self) {
        if let Some((url, schema)) = &self.postgres {
            drop_schema(url, schema);
        }
    }
}

/// A schema name no other run uses.
fn unique_schema() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("callgate_bench_{}_{nanos}", std::process::id())
}

/// Drops `schema` through a connection of the bench's own (the
/// dev-dependency `postgres`).
fn drop_schema(url: &str, schema: &str) {
    if let Ok(mut client) = postgres::Client::connect(url, postgres::NoTls) {
        let _ = client.batch_execute(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"));
    }
}

#[cfg(feature = "postgres")]
mod pg {
    use callgate_store::{PostgresOptions, PostgresStore, Store};

    /// A store in `schema`; with `synchronous_commit = off` for this
    /// session only when `asynchronous` (the server's settings untouched).
    pub(crate) fn open(url: &str, schema: &str, asynchronous: bool) -> Box<dyn Store> {
        let options = PostgresOptions::default().schema(schema);
        let mut store = PostgresStore::connect_with(url, options).expect("the server answers");
        if asynchronous {
            let client = store.client();
            client
                .batch_execute("SET synchronous_commit = off")
                .expect("the session takes the setting");
            let row = client
                .query_one("SHOW synchronous_commit", &[])
                .expect("the setting reads");
            assert_eq!(row.get::<_, String>(0), "off");
        }
        Box::new(store)
    }
}

/// The server's durability settings, as `SHOW` gives them.
fn postgres_settings(url: &str) -> Vec<(String, String)> {
    let Ok(mut client) = postgres::Client::connect(url, postgres::NoTls) else {
        return Vec::new();
    };
    [
        "server_version",
        "synchronous_commit",
        "fsync",
        "wal_sync_method",
        "commit_delay",
    ]
    .into_iter()
    .filter_map(|name| {
        let row = client.query_one(&format!("SHOW {name}"), &[]).ok()?;
        Some((name.to_owned(), row.get::<_, String>(0)))
    })
    .collect()
}

// ---------------------------------------------------------------------------
// Results.

/// Nearest-rank percentiles of timed operations.
#[derive(Debug, Clone, Copy)]
struct Stats {
    n: usize,
    median: Duration,
    p99: Duration,
    max: Duration,
}

impl Stats {
    fn of(mut samples: Vec<Duration>) -> Self {
        samples.sort_unstable();
        let rank = |q: f64| {
            let n = samples.len();
            let index = ((q * n as f64).ceil() as usize).clamp(1, n.max(1)) - 1;
            samples.get(index).copied().unwrap_or_default()
        };
        Stats {
            n: samples.len(),
            median: rank(0.5),
            p99: rank(0.99),
            max: samples.last().copied().unwrap_or_default(),
        }
    }
}

/// What a row is held to.
#[derive(Debug, Clone, Copy)]
enum Target {
    P99AtMost(Duration),
    RateAtLeast(f64),
}

#[derive(Debug, Clone)]
enum Value {
    Latency(Stats),
    /// Changes per second: median and slowest of `rounds`.
    Rate {
        median: f64,
        min: f64,
        rounds: usize,
    },
}

#[derive(Debug, Clone)]
struct Row {
    what: &'static str,
    db: &'static str,
    size: &'static str,
    value: Value,
    target: Option<Target>,
}

impl Row {
    fn verdict(&self) -> &'static str {
        if !benchmarking() {
            return "";
        }
        match (&self.value, self.target) {
            (Value::Latency(stats), Some(Target::P99AtMost(most))) => {
                if stats.p99 <= most {
                    "met"
                } else {
                    "MISSED"
                }
            }
            (Value::Rate { median, .. }, Some(Target::RateAtLeast(least))) => {
                if *median >= least {
                    "met"
                } else {
                    "MISSED"
                }
            }
            _ => "",
        }
    }
}

fn format_duration(d: Duration) -> String {
    let micros = d.as_secs_f64() * 1e6;
    if micros < 1_000.0 {
        format!("{micros:.0} µs")
    } else if micros < 1_000_000.0 {
        format!("{:.2} ms", micros / 1e3)
    } else {
        format!("{:.2} s", micros / 1e6)
    }
}

fn format_target(target: Option<Target>) -> String {
    match target {
        Some(Target::P99AtMost(most)) => format!("p99 <= {}", format_duration(most)),
        Some(Target::RateAtLeast(least)) => format!(">= {least:.0}/s"),
        None => String::new(),
    }
}

/// Prints the table, one row per measurement.
fn print_table(rows: &[Row]) {
    println!();
    println!(
        "{:<11} {:<15} {:<4} {:>6} {:>11} {:>11} {:>11}  target",
        "what", "db", "size", "n", "median", "p99", "max"
    );
    for row in rows {
        let (n, median, p99, max) = match &row.value {
            Value::Latency(s) => (
                s.n.to_string(),
                format_duration(s.median),
                format_duration(s.p99),
                format_duration(s.max),
            ),
            Value::Rate {
                median,
                min,
                rounds,
            } => (
                rounds.to_string(),
                format!("{median:.0}/s"),
                String::new(),
                format!("min {min:.0}/s"),
            ),
        };
        println!(
            "{:<11} {:<15} {:<4} {:>6} {:>11} {:>11} {:>11}  {:<14} {}",
            row.what,
            row.db,
            row.size,
            n,
            median,
            p99,
            max,
            format_target(row.target),
            row.verdict()
        );
    }
    println!(
        "(latency rows: n timed operations, nearest-rank percentiles; \
         throughput rows: n rounds, median and slowest round)"
    );
    if !benchmarking() {
        println!("(test mode: a smoke run at S, unoptimized: these are not measurements)");
    }
}

// ---------------------------------------------------------------------------
// The measurements.

/// A one-user change that stays valid when repeated: the role assigned,
/// then taken back.
struct Toggle {
    user: UserId,
    role: RoleId,
    assign: bool,
}

impl Toggle {
    fn new(company: &Company) -> Self {
        let (user, role) = one_user_role(company);
        Toggle {
            user,
            role,
            assign: true,
        }
    }

    fn next(&mut self) -> Change {
        let change = role_change(self.assign, self.user, self.role);
        self.assign = !self.assign;
        change
    }
}

fn apply(writer: &mut Writer, change: Change) -> u64 {
    match writer.apply(change) {
        Ok(report) => report.revision,
        Err(error) => panic!("the change is stored: {error}"),
    }
}

/// Times `iterations` commits of a one-user change, after `warm_up`; and,
/// `with_fsync`, after each, apart, a bare 4 KiB write plus `fdatasync` in a
/// file of the same file system: the disk's flush time at that moment, which
/// other processes' writes change from second to second on a shared
/// machine.
fn measure_commits(
    writer: &mut Writer,
    toggle: &mut Toggle,
    settings: &Settings,
    with_fsync: bool,
) -> (Stats, Option<Stats>) {
    for _ in 0..settings.warm_up {
        apply(writer, toggle.next());
    }
    let dir = tempfile::tempdir().expect("a temporary folder");
    let mut file = File::create(dir.path().join("fsync.bin")).expect("a new file");
    let (mut commits, mut syncs) = (Vec::new(), Vec::new());
    for _ in 0..settings.iterations {
        // The change is made before the clock starts.
        let change = toggle.next();
        let start = Instant::now();
        apply(writer, change);
        commits.push(start.elapsed());
        if with_fsync {
            let start = Instant::now();
            sync_block(&mut file);
            syncs.push(start.elapsed());
        }
    }
    (Stats::of(commits), with_fsync.then(|| Stats::of(syncs)))
}

/// Appends 4 KiB to `file` and waits for `fdatasync`.
fn sync_block(file: &mut File) {
    file.write_all(&[0x5a_u8; 4096])
        .expect("the block is written");
    file.sync_data().expect("the file syncs");
}

/// Changes per second of rounds of back-to-back commits: (median, slowest).
fn measure_throughput(writer: &mut Writer, toggle: &mut Toggle, settings: &Settings) -> Value {
    rate_of_rounds(toggle, settings, |changes| {
        for change in changes {
            apply(writer, change);
        }
    })
}

/// Changes per second when the writer stores them in batches of `batch`
/// (`Writer::write_batch`: one transaction, one flush): (median, slowest).
fn measure_batched_throughput(
    writer: &mut Writer,
    toggle: &mut Toggle,
    settings: &Settings,
    batch: usize,
) -> Value {
    rate_of_rounds(toggle, settings, |changes| {
        for chunk in changes.chunks(batch) {
            let writes = chunk.iter().cloned().map(Write::new).collect();
            if let Err(error) = writer.write_batch(writes) {
                panic!("the batch is stored: {error}");
            }
        }
    })
}

/// Times `store` on rounds of `settings.round` changes made before the
/// clock starts: changes per second, median and slowest round.
fn rate_of_rounds(
    toggle: &mut Toggle,
    settings: &Settings,
    mut store: impl FnMut(Vec<Change>),
) -> Value {
    let mut rates: Vec<f64> = (0..settings.rounds)
        .map(|_| {
            let changes: Vec<Change> = (0..settings.round).map(|_| toggle.next()).collect();
            let start = Instant::now();
            store(changes);
            settings.round as f64 / start.elapsed().as_secs_f64()
        })
        .collect();
    rates.sort_by(f64::total_cmp);
    Value::Rate {
        median: rates.get(rates.len() / 2).copied().unwrap_or_default(),
        min: rates.first().copied().unwrap_or_default(),
        rounds: rates.len(),
    }
}

/// Times, per change, from the writer's commit returning to a follower in
/// this process answering at the new revision. A random pause of up to
/// 5 ms before each change keeps them out of step with the follower's
/// polls.
fn measure_lag(place: &Place, writer: &mut Writer, toggle: &mut Toggle, n: usize) -> Stats {
    let replica = Replica::open(place.open_replica(), TENANT).expect("the replica opens");
    let follower = replica.follow();
    let mut rng = Rng::new(0x1A6);
    let mut samples = Vec::with_capacity(n);
    for i in 0..n + 10 {
        std::thread::sleep(Duration::from_micros(u64::from(rng.below(5_000))));
        let revision = apply(writer, toggle.next());
        let start = Instant::now();
        if let Err(error) = follower.wait_for(revision, LAG_TIMEOUT) {
            panic!("the follower reaches revision {revision}: {error}");
        }
        // The first few warm the follower up.
        if i >= 10 {
            samples.push(start.elapsed());
        }
    }
    assert!(follower.last_error().is_none(), "the follower met no error");
    Stats::of(samples)
}

/// A writer of a new place holding `company`.
fn writer_of(place: &Place, company: &Company, policy: CheckpointPolicy) -> Writer {
    let company = company.clone();
    match Writer::open_or_create(place.open(), TENANT, move || company) {
        Ok(writer) => writer.with_checkpoints(policy),
        Err(error) => panic!("the company is stored on {}: {error}", place.db.name()),
    }
}

/// `commit`, `throughput` and `lag` on one database, with criterion's
/// `commit/{db}/{size}` too.
fn measure_db(
    db: Db,
    postgres_url: Option<&str>,
    company: &Company,
    settings: &Settings,
    criterion: &mut Criterion,
) -> Vec<Row> {
    let place = Place::new(db, postgres_url);
    let mut writer = writer_of(&place, company, CheckpointPolicy::default());
    let mut toggle = Toggle::new(company);
    let size = settings.size.name();
    let row = |what, value, target| Row {
        what,
        db: db.name(),
        size,
        value,
        target,
    };
    let mut rows = Vec::new();
    if settings.runs("commit") {
        criterion.bench_function(&format!("commit/{}/{size}", db.name()), |b| {
            b.iter(|| apply(&mut writer, toggle.next()));
        });
        let durable = matches!(db.name(), "sqlite-full" | "postgres");
        let (commits, syncs) = measure_commits(&mut writer, &mut toggle, settings, durable);
        let most = if db.is_postgres() { 2_000 } else { 300 };
        let target = Target::P99AtMost(Duration::from_micros(most));
        rows.push(row("commit", Value::Latency(commits), Some(target)));
        if let Some(syncs) = syncs {
            rows.push(row("  fsync", Value::Latency(syncs), None));
        }
    }
    if settings.runs("throughput") {
        let value = measure_throughput(&mut writer, &mut toggle, settings);
        let target = db.is_postgres().then_some(Target::RateAtLeast(2_000.0));
        rows.push(row("throughput", value, target));
        let value = measure_batched_throughput(&mut writer, &mut toggle, settings, 16);
        rows.push(row("batch x16", value, target));
    }
    if settings.runs("lag") {
        let stats = measure_lag(&place, &mut writer, &mut toggle, settings.iterations);
        let target = db
            .is_postgres()
            .then_some(Target::P99AtMost(Duration::from_millis(20)));
        rows.push(row("lag", Value::Latency(stats), target));
    }
    rows
}

/// A place holding `company` as its checkpoint plus `entries` log entries
/// (half one-user role changes, half new users); returns the company's id
/// and final revision.
fn stored_with_log(place: &Place, company: &Company, entries: usize) -> (CompanyId, u64) {
    let mut writer = writer_of(place, company, CheckpointPolicy::never());
    let mut toggle = Toggle::new(company);
    for i in 0..entries {
        let change = if i % 2 == 0 {
            toggle.next()
        } else {
            Change::CreateUser {
                name: format!("new user {i}"),
                roles: vec![RoleId::OPERATOR],
                groups: vec![],
                projects: vec![],
            }
        };
        apply(&mut writer, change);
    }
    (writer.id(), writer.revision())
}

/// Times `Replica::open` (on a connection opened beforehand) of `company`
/// stored with log entries after its checkpoint; and apart, on another
/// connection, reading the checkpoint row and the log rows, and loading the
/// checkpoint's document (`Company::load`): the rest of a start is decoding
/// and replaying the entries.
fn measure_startup(db: Db, url: Option<&str>, company: &Company, settings: &Settings) -> Vec<Row> {
    let place = Place::new(db, url);
    let (id, revision) = stored_with_log(&place, company, settings.startup_entries);
    let (mut opens, mut checkpoints) = (Vec::new(), Vec::new());
    let (mut logs, mut loads) = (Vec::new(), Vec::new());
    let mut document = 0;
    for _ in 0..settings.startups {
        let mut store = place.open_replica();
        let start = Instant::now();
        let checkpoint = store.checkpoint(id).expect("the checkpoint reads");
        checkpoints.push(start.elapsed());
        let checkpoint = checkpoint.expect("a checkpoint");
        let start = Instant::now();
        let log = store.read_log(id, checkpoint.revision, usize::MAX);
        logs.push(start.elapsed());
        let start = Instant::now();
        let mut json = serde_json::Deserializer::from_str(&checkpoint.document);
        let loaded: Company = Company::load(&mut json).expect("the document loads");
        loads.push(start.elapsed());
        drop(loaded);
        assert_eq!(log.expect("the log reads").len(), settings.startup_entries);
        let store = place.open_replica();
        let start = Instant::now();
        let replica = Replica::open(store, TENANT).expect("the replica opens");
        opens.push(start.elapsed());
        assert_eq!(replica.revision(), revision);
        document = checkpoint.document.len();
    }
    let size = settings.startup_size.name();
    let mb = document as f64 / 1e6;
    println!(
        "startup/{}/{size}: a checkpoint document of {mb:.1} MB",
        db.name()
    );
    let row = |what, samples| Row {
        what,
        db: db.name(),
        size,
        value: Value::Latency(Stats::of(samples)),
        target: None,
    };
    vec![
        row("startup", opens),
        row("  ckpt read", checkpoints),
        row("  log read", logs),
        row("  doc load", loads),
    ]
}

/// Times `op` once per `0..n`, each call apart.
fn time_each(n: usize, mut op: impl FnMut(usize)) -> Stats {
    let samples = (0..n)
        .map(|i| {
            let start = Instant::now();
            op(i);
            start.elapsed()
        })
        .collect();
    Stats::of(samples)
}

/// Times a bare 4 KiB append plus `fdatasync` in a new file of `dir`, the
/// floor of a durable commit on this disk.
fn measure_fsync(dir: &Path, n: usize) -> Stats {
    let path = dir.join("fsync.bin");
    let mut file = File::create(&path).expect("a new file");
    let stats = time_each(n, |_| sync_block(&mut file));
    let _ = std::fs::remove_file(path);
    stats
}

/// Times `sleep(100 µs)`: how late a thread wakes on this machine now (the
/// other builds' load shows here first).
fn measure_sleep(n: usize) -> Stats {
    time_each(n, |_| std::thread::sleep(Duration::from_micros(100)))
}

/// PostgreSQL without the store, on a connection of the bench's own: a
/// round trip (`SELECT 1`), and bare transactions of one small insert
/// (`BEGIN`, `INSERT`, `COMMIT`), with the server's `synchronous_commit` and
/// then with it off for the session, in a schema of its own dropped after.
fn measure_postgres_floor(url: &str, n: usize) -> [Stats; 3] {
    let mut client = postgres::Client::connect(url, postgres::NoTls).expect("the server answers");
    let schema = unique_schema();
    client
        .batch_execute(&format!(
            "CREATE SCHEMA \"{schema}\"; CREATE TABLE \"{schema}\".t (n bigint)"
        ))
        .expect("the schema is created");
    let ping = client.prepare("SELECT 1").expect("prepared");
    let insert = client
        .prepare(&format!("INSERT INTO \"{schema}\".t VALUES ($1)"))
        .expect("prepared");
    let pings = time_each(n, |_| {
        client.query_one(&ping, &[]).expect("answered");
    });
    let commits = time_each(n, |i| insert_one(&mut client, &insert, i));
    client
        .batch_execute("SET synchronous_commit = off")
        .expect("the session takes the setting");
    let asynchronous = time_each(n, |i| insert_one(&mut client, &insert, i));
    drop(client);
    drop_schema(url, &schema);
    [pings, commits, asynchronous]
}

/// One transaction of one `insert` of `i`.
fn insert_one(client: &mut postgres::Client, insert: &postgres::Statement, i: usize) {
    let mut tx = client.transaction().expect("begun");
    tx.execute(insert, &[&(i as i64)]).expect("inserted");
    tx.commit().expect("committed");
}

/// The floors the store's rows compare with: `fsync`, `sleep`, and
/// PostgreSQL's round trip and bare commit.
fn measure_baselines(url: Option<&str>, n: usize) -> Vec<Row> {
    let row = |what, db, stats| Row {
        what,
        db,
        size: "",
        value: Value::Latency(stats),
        target: None,
    };
    let dir = tempfile::tempdir().expect("a temporary folder");
    let mut rows = vec![
        row("fsync", "bare 4 KiB", measure_fsync(dir.path(), n)),
        row("sleep", "100 µs", measure_sleep(n)),
    ];
    if let Some(url) = url {
        let [pings, commits, asynchronous] = measure_postgres_floor(url, n);
        rows.push(row("pg ping", "SELECT 1", pings));
        rows.push(row("pg commit", "bare INSERT", commits));
        rows.push(row("pg commit", "bare, async", asynchronous));
    }
    rows
}

// ---------------------------------------------------------------------------
// The run.

/// PostgreSQL's databases, when the bench is built with the feature.
const POSTGRES_DBS: &[Db] = &[
    #[cfg(feature = "postgres")]
    Db::Postgres,
    #[cfg(feature = "postgres")]
    Db::PostgresAsync,
];

/// The databases of this run, and PostgreSQL's URL if it is one of them.
fn databases() -> (Vec<Db>, Option<String>) {
    let url = std::env::var(POSTGRES_URL)
        .ok()
        .filter(|url| !url.is_empty());
    let compiled = cfg!(feature = "postgres");
    match (&url, compiled) {
        (None, _) => eprintln!(
            "note: {POSTGRES_URL} is not set: measuring SQLite only \
             (set it and pass `--features postgres` to include PostgreSQL)"
        ),
        (Some(_), false) => eprintln!(
            "note: {POSTGRES_URL} is set but the bench was built without the \
             `postgres` feature: measuring SQLite only (pass `--features postgres`)"
        ),
        (Some(_), true) => {}
    }
    let url = url.filter(|_| compiled);
    let mut dbs = vec![Db::SqliteFull, Db::SqliteNormal];
    if url.is_some() {
        dbs.extend_from_slice(POSTGRES_DBS);
    }
    (dbs, url)
}

fn print_context(settings: &Settings, postgres_url: Option<&str>) {
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("store bench: {settings:?}");
    println!("load average at start: {}", load.trim());
    if let Some(url) = postgres_url {
        for (name, value) in postgres_settings(url) {
            println!("postgres: {name} = {value}");
        }
    }
}

fn main() {
    let settings = Settings::from_env();
    let mut criterion = workload::criterion_config().configure_from_args();
    let (dbs, url) = databases();
    print_context(&settings, url.as_deref());
    let mut rows = Vec::new();
    if settings.runs("baseline") {
        rows.extend(measure_baselines(url.as_deref(), settings.iterations));
    }
    if ["commit", "throughput", "lag"]
        .iter()
        .any(|p| settings.runs(p))
    {
        let company = call_center(settings.size).company;
        let document = serde_json::to_string(&company.to_document()).expect("it encodes");
        println!(
            "company {}: a {:.1} MB document, stored in a checkpoint every 1,000 entries",
            settings.size.name(),
            document.len() as f64 / 1e6
        );
        for &db in &dbs {
            rows.extend(measure_db(
                db,
                url.as_deref(),
                &company,
                &settings,
                &mut criterion,
            ));
        }
    }
    if settings.runs("startup") {
        let company = call_center(settings.startup_size).company;
        // Start-up only reads: one row per database, not per setting.
        let readers = dbs
            .iter()
            .filter(|db| matches!(db.name(), "sqlite-full" | "postgres"));
        for &db in readers {
            rows.extend(measure_startup(db, url.as_deref(), &company, &settings));
        }
    }
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    print_table(&rows);
    println!("load average at end: {}", load.trim());
    criterion.final_summary();
}
