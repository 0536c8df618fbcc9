//! The read side and the write side of a service ([`Publisher`], [`Reader`],
//! [`View`]), measured with criterion on the call centers S, M and L of
//! `workload/mod.rs`, each loaded from its document as in `check.rs`.
//!
//! - `publish/one_user/{S,M,L}`: one `publisher.apply(change)` of a
//!   one-user change (one custom role assigned to one user, then taken back
//!   the next iteration), publish included, while a reader holds the view
//!   published before it, as a request thread would: the change copies the
//!   chunks it touches (the published state shares them), and the older
//!   state is freed when that view is dropped. Only the `apply` is timed:
//!   taking the view before it and dropping it after are not. Target: a median of at most
//!   100 µs at L.
//! - `snapshot/check`, `view/check` and `reader/check/{S,M,L}`: the batch of
//!   `check/by_user` (`check.rs`: 100,000 questions, seed 42) answered by
//!   `company.snapshot().check(..)`, by `view.check(..)` on a [`View`] taken
//!   from a publisher's reader, and by `reader.check(..)` (an `arc_swap`
//!   guard per question). They run one size at a time, in that order, so
//!   that a run compares them under the same load. Target: `view/check`
//!   within 5% of `snapshot/check`.
//! - `names/std_hash_map_baseline/{S,M,L}`: the user names looked up in a
//!   `std::collections::HashMap<String, UserId>`, for comparison.
//! - `names/{user_by_name,object_by_name,resource_by_name}/{S,M,L}`: lookups
//!   on a view of names that exist, drawn at random (100,000 a batch,
//!   precomputed): a user's name, an object's kind and name, and the text
//!   `KIND:NAME` of an object (parsed, then looked up). Throughput is per
//!   lookup. Target: at most 50 ns a lookup at L.
//!
//! Criterion prints the time of a whole batch for the check and name
//! groups; divide by 100,000 (or read the throughput) for one question.
//!
//! ```sh
//! cargo bench --bench service                       # S, M and L
//! CALLGATE_SIZES=L cargo bench --bench service -- 'publish|names'
//! ```
//!
//! `cargo test` runs this file in criterion's test mode on S only (each
//! benchmark once), so it cannot rot; `CALLGATE_SIZES` picks the sizes in
//! either mode.

use std::hint::black_box;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use callgate::{Company, ObjectId, Publisher, Reader, Resource, Snapshot, UserId, View};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

mod workload;
use workload::{
    CallCenter, Question, Rng, Size, call_center, named_sizes, one_user_role, questions,
    role_change,
};

/// Questions (or names) per batch: each measured iteration asks them all.
const BATCH: usize = 100_000;

/// Whether criterion runs as a benchmark (`cargo bench`) rather than in test
/// mode (`cargo test`), where only S is built.
fn benchmarking() -> bool {
    std::env::args().any(|arg| arg == "--bench")
}

/// `CALLGATE_SIZES` when set, else S, M and L (S alone in test mode).
fn sizes() -> Vec<Size> {
    named_sizes().unwrap_or_else(|| {
        if benchmarking() {
            Size::ALL.to_vec()
        } else {
            vec![Size::S]
        }
    })
}

/// Each size's call center, loaded from its document like `check.rs`'s, and
/// the batch of `check/by_user`; built once for all groups.
fn centers() -> &'static [(CallCenter, Vec<Question>)] {
    static CENTERS: OnceLock<Vec<(CallCenter, Vec<Question>)>> = OnceLock::new();
    CENTERS.get_or_init(|| {
        sizes()
            .into_iter()
            .map(|size| {
                let mut center = call_center(size);
                center.company =
                    Company::from_document(center.company.to_document()).expect("a valid document");
                let batch = questions(&center, BATCH, 42);
                (center, batch)
            })
            .collect()
    })
}

/// Asks every question of the snapshot; returns how many were allowed.
/// The batch loops are never inlined, like `check.rs`'s.
#[inline(never)]
fn check_snapshot(snapshot: &Snapshot, questions: &[Question]) -> u32 {
    let mut allowed = 0u32;
    for q in questions {
        allowed += u32::from(snapshot.check(q.user, q.action, q.resource).is_allowed());
    }
    black_box(allowed)
}

/// Asks every question of a view.
#[inline(never)]
fn check_view(view: &View, questions: &[Question]) -> u32 {
    let mut allowed = 0u32;
    for q in questions {
        allowed += u32::from(view.check(q.user, q.action, q.resource).is_allowed());
    }
    black_box(allowed)
}

/// Asks every question of the reader: the latest view, loaded per question.
#[inline(never)]
fn check_reader(reader: &Reader, questions: &[Question]) -> u32 {
    let mut allowed = 0u32;
    for q in questions {
        allowed += u32::from(reader.check(q.user, q.action, q.resource).is_allowed());
    }
    black_box(allowed)
}

/// Looks every name up as a user's; returns how many were found. Out of
/// line, so that `benches/instructions.sh` counts its instructions.
#[inline(never)]
fn users_by_name(view: &View, names: &[String]) -> u32 {
    let mut found = 0u32;
    for n in names {
        found += u32::from(view.user_by_name(n).is_some());
    }
    black_box(found)
}

/// Looks every `KIND:NAME` text up as a resource; returns how many were
/// found. Out of line, for `benches/instructions.sh`.
#[inline(never)]
fn resources_by_name(view: &View, names: &[String]) -> u32 {
    let mut found = 0u32;
    for n in names {
        found += u32::from(view.resource_by_name(n).is_ok());
    }
    black_box(found)
}

fn bench_publish(c: &mut Criterion) {
    for (center, _) in centers() {
        let name = center.size.name();
        let company = center.company.clone();
        let (user, role) = one_user_role(&company);
        let mut publisher = Publisher::new(company);
        let reader = publisher.reader();
        let mut assign = true;
        let mut group = c.benchmark_group("publish");
        group.bench_function(format!("one_user/{name}"), |b| {
            b.iter_custom(|iters| {
                let mut measured = Duration::ZERO;
                for _ in 0..iters {
                    // A request thread holds the latest view meanwhile.
                    let held = reader.view();
                    let change = role_change(assign, user, role);
                    assign = !assign;
                    let start = Instant::now();
                    let report = publisher.apply(change);
                    measured += start.elapsed();
                    black_box(report.expect("a valid change"));
                    // The older state goes with the view, untimed.
                    drop(held);
                }
                measured
            })
        });
        group.finish();
    }
}

fn bench_checks(c: &mut Criterion) {
    for (center, batch) in centers() {
        let name = center.size.name();
        let snapshot = center.company.snapshot();
        let publisher = Publisher::new(center.company.clone());
        let reader = publisher.reader();
        let view = reader.view();
        let allowed = check_snapshot(snapshot, batch);
        assert_eq!(check_view(&view, batch), allowed, "the same answers");
        assert_eq!(check_reader(&reader, batch), allowed, "the same answers");

        let mut group = c.benchmark_group("snapshot");
        group.throughput(Throughput::Elements(BATCH as u64));
        group.bench_function(format!("check/{name}"), |b| {
            b.iter(|| check_snapshot(snapshot, batch))
        });
        group.finish();
        let mut group = c.benchmark_group("view");
        group.throughput(Throughput::Elements(BATCH as u64));
        group.bench_function(format!("check/{name}"), |b| {
            b.iter(|| check_view(&view, batch))
        });
        group.finish();
        let mut group = c.benchmark_group("reader");
        group.throughput(Throughput::Elements(BATCH as u64));
        group.bench_function(format!("check/{name}"), |b| {
            b.iter(|| check_reader(&reader, batch))
        });
        group.finish();
    }
}

fn bench_names(c: &mut Criterion) {
    for (center, _) in centers() {
        let name = center.size.name();
        let view = Publisher::new(center.company.clone()).reader().view();
        let mut rng = Rng::new(7);
        let users = u32::try_from(view.users().count()).expect("fewer than 2^32 users");
        let objects = u32::try_from(view.objects().count()).expect("fewer than 2^32 objects");
        let user_names: Vec<String> = (0..BATCH)
            .map(|_| {
                let user = view.user(UserId::new(rng.below(users))).expect("live user");
                user.name().to_owned()
            })
            .collect();
        let object_ids: Vec<ObjectId> = (0..BATCH)
            .map(|_| ObjectId::new(rng.below(objects)))
            .collect();
        let object_names: Vec<_> = object_ids
            .iter()
            .map(|&id| {
                let object = view.object(id).expect("live object");
                (object.kind(), object.name().to_owned())
            })
            .collect();
        let resource_names: Vec<String> = object_ids
            .iter()
            .map(|&id| {
                view.resource_name(Resource::Object(id))
                    .expect("live object")
                    .to_string()
            })
            .collect();
        assert!(user_names.iter().all(|n| view.user_by_name(n).is_some()));
        assert!(
            object_names
                .iter()
                .zip(&object_ids)
                .all(|((kind, n), &id)| view.object_by_name(*kind, n) == Some(id))
        );
        assert!(
            resource_names
                .iter()
                .zip(&object_ids)
                .all(|(n, &id)| view.resource_by_name(n) == Ok(Resource::Object(id)))
        );

        let mut group = c.benchmark_group("names");
        group.throughput(Throughput::Elements(BATCH as u64));
        group.bench_function(format!("user_by_name/{name}"), |b| {
            b.iter(|| users_by_name(&view, &user_names))
        });
        // The same lookups in a plain `std` hash map of every user's name:
        // the cost of random lookups in a table of this size on this
        // machine, for comparison within one run.
        let baseline: std::collections::HashMap<String, UserId> = view
            .users()
            .map(|(id, user)| (user.name().to_owned(), id))
            .collect();
        group.bench_function(format!("std_hash_map_baseline/{name}"), |b| {
            b.iter(|| {
                let mut found = 0u32;
                for n in &user_names {
                    found += u32::from(baseline.contains_key(n.as_str()));
                }
                black_box(found)
            })
        });
        group.bench_function(format!("object_by_name/{name}"), |b| {
            b.iter(|| {
                let mut found = 0u32;
                for (kind, n) in &object_names {
                    found += u32::from(view.object_by_name(*kind, n).is_some());
                }
                black_box(found)
            })
        });
        group.bench_function(format!("resource_by_name/{name}"), |b| {
            b.iter(|| resources_by_name(&view, &resource_names))
        });
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = workload::criterion_config();
    targets = bench_publish, bench_checks, bench_names
}
criterion_main!(benches);
