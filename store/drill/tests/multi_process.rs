//! One writer process and three replica processes on one database: every
//! replica ends on the writer's document byte for byte, and never answers a
//! revision token with an older view.
//!
//! Runs on SQLite and, with `CALLGATE_POSTGRES_URL` set, on PostgreSQL. The
//! writer applies `CALLGATE_DRILL_CHANGES` changes (10,000 by default).

#[path = "../../tests/support/mod.rs"]
mod support;

mod drill;

use std::time::Instant;

use callgate_store::Writer;
use drill::{Drill, PATIENCE, count_from_env};
use support::{Place, document, each_store};

/// How many changes the writer process applies, unless
/// `CALLGATE_DRILL_CHANGES` says otherwise.
const CHANGES: u64 = 10_000;

const REPLICAS: usize = 3;

#[test]
fn three_replica_processes_follow_a_writer_process_to_its_document() {
    let changes = count_from_env("CALLGATE_DRILL_CHANGES", CHANGES);
    each_store(|place| {
        let start = Instant::now();
        follow_a_writer(place, changes);
        eprintln!(
            "{}: {changes} changes, {REPLICAS} replicas: {:.1?}",
            place.name(),
            start.elapsed()
        );
    });
}

fn follow_a_writer(place: &Place, changes: u64) {
    // The tenant exists before the replicas open it; this writer reads the
    // result at the end.
    let mut writer = Writer::open(place.open(), "acme").expect("the writer opens");
    let until = changes.to_string();
    let args = ["replica", "--until", &until, "--check-tokens"];
    let mut replicas: Vec<Drill> = (0..REPLICAS)
        .map(|_| Drill::start(place, "acme", &args))
        .collect();
    let writing = Drill::start(place, "acme", &["write", &until, "--prefix", "w"]);

    // Every revision the writer reports committed is a token for every
    // replica, sent as it comes.
    for expected in 1..=changes {
        let revision = writing.number_after("committed", PATIENCE);
        assert_eq!(
            revision,
            expected,
            "{}: one writer, one revision per change",
            place.name()
        );
        for replica in &replicas {
            replica.send(&format!("token {revision}"));
        }
    }
    assert!(
        writing.succeed(PATIENCE).is_empty(),
        "nothing after the last commit"
    );
    writer.catch_up().expect("the log reads");
    assert_eq!(writer.revision(), changes);
    let expected = document(writer.company());

    for replica in &mut replicas {
        replica.close_stdin();
    }
    for (n, replica) in replicas.into_iter().enumerate() {
        let mut lines = replica.succeed(PATIENCE);
        let printed = lines.pop().expect("the replica prints its document");
        assert_answers_at_least_their_tokens(&lines, changes, n);
        assert!(
            printed == expected,
            "{}: replica {n}'s document differs",
            place.name()
        );
    }
    let printed = Drill::start(place, "acme", &["document"]).succeed(PATIENCE);
    assert_eq!(
        printed,
        [expected],
        "the `document` drill prints the writer's"
    );
}

/// `lines` answer the tokens 1..=`changes` in order: `view <rev>` with
/// `rev >= token`.
#[track_caller]
fn assert_answers_at_least_their_tokens(lines: &[String], changes: u64, replica: usize) {
    let errors: Vec<&String> = lines.iter().filter(|l| l.starts_with("error ")).collect();
    assert!(errors.is_empty(), "replica {replica} reported {errors:?}");
    let answers: Vec<u64> = lines
        .iter()
        .map(|line| {
            line.strip_prefix("view ")
                .and_then(|rev| rev.parse().ok())
                .unwrap_or_else(|| panic!("replica {replica}: unexpected line `{line}`"))
        })
        .collect();
    assert_eq!(
        answers.len() as u64,
        changes,
        "replica {replica}: one answer per token"
    );
    for (token, answer) in (1..=changes).zip(answers) {
        assert!(
            answer >= token,
            "replica {replica} answered token {token} with an older view, at {answer}"
        );
        assert!(
            answer <= changes,
            "replica {replica}: a view past the log, at {answer}"
        );
    }
}
