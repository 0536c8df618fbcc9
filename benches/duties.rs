//! Separation of duties (DOMAIN rule 25): what the constraints cost a
//! one-user change, at L (100,000 users; S in test mode).
//!
//! - `duties/preview_assign_role/{size}/{n}`: `preview` of `AssignRole`
//!   giving one user a custom role, with `n` constraints declared (0 and
//!   10, each naming a permission; see `with_ten_constraints`). The constraints are
//!   checked against the one user the change reaches, so the difference
//!   between the two rows is the check, and it does not grow with the
//!   company (target: at most 10 us at L with 10 constraints).
//! - `duties/declare/{size}`: `preview` of declaring one more constraint,
//!   which reads every user (rare, and the only part that does).
//!
//! `cargo test` runs this file once in criterion's test mode, at S, so it
//! cannot rot. `cargo bench --bench duties` measures at L
//! (`CALLGATE_SIZES=M` or `S` for another size).

use std::hint::black_box;

use callgate::{Change, Company, Duty, Permissions, Principal, RoleId, UserId};
use criterion::{Criterion, criterion_group, criterion_main};

mod workload;
use workload::{Size, call_center, criterion_config, must, named_sizes};

/// L when benchmarking, S in test mode, or the sizes named in
/// `CALLGATE_SIZES`.
fn sizes() -> Vec<Size> {
    named_sizes().unwrap_or_else(|| {
        if std::env::args().any(|arg| arg == "--bench") {
            vec![Size::L]
        } else {
            vec![Size::S]
        }
    })
}

/// Pairs of permissions tried, in order: the first five that no one in the
/// generated company breaks are declared.
const PERMISSION_PAIRS: [(Permissions, Permissions); 12] = [
    (Permissions::PAYMENTS_MANAGE, Permissions::BILLING_MANAGE),
    (Permissions::PAYMENTS_MANAGE, Permissions::QA_CHECKS_MANAGE),
    (Permissions::BILLING_MANAGE, Permissions::QA_SHEETS_MANAGE),
    (Permissions::SECURITY_MANAGE, Permissions::PAYMENTS_MANAGE),
    (Permissions::KPI_MANAGE, Permissions::PAYMENTS_MANAGE),
    (Permissions::SECURITY_MANAGE, Permissions::BILLING_MANAGE),
    (Permissions::KPI_MANAGE, Permissions::BILLING_MANAGE),
    (Permissions::SECURITY_MANAGE, Permissions::KPI_MANAGE),
    (Permissions::BALANCE_VIEW, Permissions::PAYMENTS_MANAGE),
    (Permissions::BALANCE_VIEW, Permissions::SECURITY_MANAGE),
    (Permissions::BALANCE_VIEW, Permissions::KPI_MANAGE),
    (Permissions::BALANCE_VIEW, Permissions::BILLING_MANAGE),
];

/// `company` with ten constraints, each naming a permission on one side
/// at least, so that the check reads the permissions of the user's roles:
/// the pairs of [`PERMISSION_PAIRS`] the company keeps (at L, none: among
/// 500 generated roles, one holds both of any pair), then pairs of such a
/// permission and a new custom role held by no one.
fn with_ten_constraints(mut company: Company) -> Company {
    let mut pairs = 0;
    for (first, second) in PERMISSION_PAIRS {
        if pairs == 5 {
            break;
        }
        let change = Change::DeclareDutyConstraint {
            first: Duty::Permission(first),
            second: Duty::Permission(second),
        };
        if company.apply(change).is_ok() {
            pairs += 1;
        }
    }
    let mut declared = pairs;
    let mut tried = PERMISSION_PAIRS.iter().cycle();
    while declared < 10 {
        let role = company
            .create_role(format!("duty {declared}"), "", Permissions::REPORTS_VIEW)
            .expect("a new role");
        let (permission, _) = tried.next().copied().expect("a pair");
        must(company.apply(Change::DeclareDutyConstraint {
            first: Duty::Permission(permission),
            second: Duty::Role(role),
        }));
        declared += 1;
    }
    assert_eq!(company.duty_constraints().len(), 10);
    eprintln!("10 constraints: {pairs} pairs of permissions, the rest a permission and a role");
    company
}

fn bench_duties(c: &mut Criterion) {
    let mut group = c.benchmark_group("duties");
    for size in sizes() {
        let name = size.name();
        let mut plain = call_center(size).company;
        let role = plain
            .create_role("Listener", "", Permissions::RECORDINGS_LISTEN_ALL)
            .expect("a new role");
        let constrained = with_ten_constraints(plain.clone());
        let user = UserId::new(7);
        for (company, n) in [(&plain, 0), (&constrained, 10)] {
            group.bench_function(format!("preview_assign_role/{name}/{n}"), |b| {
                b.iter(|| {
                    let change = Change::AssignRole {
                        role,
                        principals: vec![Principal::User(user)],
                    };
                    black_box(company.preview(change).expect("valid change"))
                })
            });
        }
        group.bench_function(format!("declare/{name}"), |b| {
            b.iter(|| {
                let change = Change::DeclareDutyConstraint {
                    first: Duty::Role(RoleId::OPERATOR),
                    second: Duty::Role(role),
                };
                black_box(constrained.preview(change).expect("valid change"))
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = criterion_config();
    targets = bench_duties
}
criterion_main!(benches);
