//! Separation of duties (DOMAIN rule 25): what the constraints cost a
//! one-user change, at L (100,000 users; S in test mode).
//!
//! - `duties/preview_assign_role/{size}/{n}`: `preview` of `AssignRole`
//!   giving one user a custom role, with `n` constraints declared (0 and
//!   10: five pairs of permissions and five of roles). The constraints are
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

/// `company` with ten constraints: five pairs of permissions (or as many as
/// the company keeps, the rest made up with pairs of roles) and pairs of
/// new custom roles held by no one.
fn with_ten_constraints(mut company: Company) -> Company {
    let mut declared = 0;
    for (first, second) in PERMISSION_PAIRS {
        if declared == 5 {
            break;
        }
        let change = Change::DeclareDutyConstraint {
            first: Duty::Permission(first),
            second: Duty::Permission(second),
        };
        if company.apply(change).is_ok() {
            declared += 1;
        }
    }
    let mut r = 0;
    while declared < 10 {
        let mut role = || {
            r += 1;
            company
                .create_role(format!("duty {r}"), "", Permissions::REPORTS_VIEW)
                .expect("a new role")
        };
        let (first, second) = (role(), role());
        must(company.apply(Change::DeclareDutyConstraint {
            first: Duty::Role(first),
            second: Duty::Role(second),
        }));
        declared += 1;
    }
    assert_eq!(company.duty_constraints().len(), 10);
    eprintln!("{} of the 10 constraints are pairs of roles", r / 2);
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
