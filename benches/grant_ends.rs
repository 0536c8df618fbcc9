//! Grants with an end (DOMAIN rule 24), measured with criterion.
//!
//! - `check/by_user/M+ends`: M's batch of questions on M with 10% of its
//!   users' direct grants given an end (far off: none is due), next to
//!   `check/by_user/M` built the same way. The ends live beside the links
//!   and the snapshot never sees them, so the two rows run the same code on
//!   the same snapshot; `bash benches/instructions.sh M+ends` counts both.
//! - `expire_grants/L`: `ExpireGrants` on L where 1% of the users' direct
//!   grants end at that time (plan and commit on a clone, as a service
//!   would publish it); target <= 10 ms.
//!
//! `cargo test` runs it once in criterion's test mode, at S.
//! `CALLGATE_SIZES=M` (or `L`) builds only the size named.

use std::hint::black_box;
use std::time::Duration;

use callgate::{Change, Company, Timestamp};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};

mod workload;
use workload::{CallCenter, Rng, Size, call_center, check_users, named_sizes, questions};

/// Questions per batch, as in `check.rs`.
const BATCH: usize = 100_000;

/// Far off: no end in the `M+ends` workload is ever due.
const FAR: Timestamp = Timestamp::from_unix_seconds(4_000_000_000);

/// The end of the grants `expire_grants` ends.
const DUE: Timestamp = Timestamp::from_unix_seconds(1_765_497_600);

fn benchmarking() -> bool {
    std::env::args().any(|arg| arg == "--bench")
}

/// The sizes built: `CALLGATE_SIZES`, else M and L when benchmarking and S
/// in test mode.
fn sizes() -> Vec<Size> {
    named_sizes().unwrap_or_else(|| {
        if benchmarking() {
            vec![Size::M, Size::L]
        } else {
            vec![Size::S]
        }
    })
}

/// `center` as a host loads it from its document.
fn loaded(mut center: CallCenter) -> CallCenter {
    center.company =
        Company::from_document(center.company.to_document()).expect("a valid document");
    center
}

/// Gives an end at `until` to `percent`% of the users' direct grants (each
/// grant drawn alike), one change per role; returns how many.
fn give_ends(company: &mut Company, percent: u32, until: Timestamp) -> usize {
    let mut rng = Rng::new(0xE9D5);
    let mut by_role = std::collections::BTreeMap::<_, Vec<_>>::new();
    let users: Vec<_> = company
        .users()
        .map(|(id, user)| (id, user.roles().collect::<Vec<_>>()))
        .collect();
    for (user, roles) in users {
        for role in roles {
            if role != callgate::RoleId::ADMIN && rng.chance(percent) {
                by_role.entry(role).or_default().push(user.into());
            }
        }
    }
    let mut given = 0;
    for (role, principals) in by_role {
        given += principals.len();
        company
            .apply(Change::AssignRoleUntil {
                role,
                principals,
                until,
            })
            .expect("an end for a grant that is given");
    }
    given
}

fn checks(c: &mut Criterion) {
    let mut group = c.benchmark_group("check");
    group.throughput(Throughput::Elements(BATCH as u64));
    for size in sizes().into_iter().filter(|&s| s != Size::L) {
        let plain = loaded(call_center(size));
        let batch = questions(&plain, BATCH, 42);
        let mut ended = plain.clone();
        let given = give_ends(&mut ended.company, 10, FAR);
        let ended = loaded(ended);
        assert_eq!(ended.company.grant_ends().count(), given);
        for (name, center) in [
            (size.name().to_owned(), &plain),
            (format!("{}+ends", size.name()), &ended),
        ] {
            let snapshot = center.company.snapshot();
            group.bench_function(format!("by_user/{name}"), |b| {
                b.iter(|| check_users(snapshot, &batch));
            });
        }
        eprintln!(
            "{}+ends: {given} of the users' direct grants end (10%)",
            size.name()
        );
    }
    group.finish();
}

fn expiry(c: &mut Criterion) {
    let mut group = c.benchmark_group("expire_grants");
    group
        .measurement_time(Duration::from_secs(5))
        .sample_size(20);
    for size in sizes() {
        let mut center = loaded(call_center(size));
        let given = give_ends(&mut center.company, 1, DUE);
        eprintln!("expire_grants/{}: {given} grants end (1%)", size.name());
        let company = center.company;
        group.bench_function(format!("{}/plan", size.name()), |b| {
            b.iter(|| {
                black_box(
                    company
                        .plan(Change::ExpireGrants { now: DUE })
                        .expect("a plan"),
                )
            });
        });
        group.bench_function(size.name(), |b| {
            b.iter_batched(
                || company.clone(),
                |mut company| {
                    let report = company
                        .apply(Change::ExpireGrants { now: DUE })
                        .expect("an expiry");
                    assert!(company.next_expiry().is_none());
                    black_box((report, company))
                },
                BatchSize::LargeInput,
            );
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = workload::criterion_config();
    targets = checks, expiry
}
criterion_main!(benches);
