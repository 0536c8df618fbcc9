//! Shapes a hostile test campaign found quadratic (issue 27), each at 10k,
//! 100k and 1M links, with criterion's throughput per link, which must not
//! grow with the size:
//!
//! - `last_admin/{n}`: `preview` of `UnassignRole(Admin)` naming all `n`
//!   holders (refused: the last-Admin check looks each holder up in the
//!   change's list, hashed once);
//! - `many_links/{n}`: loading (JSON) a document of one user in `n` groups
//!   (every link's short side gathered in one pass);
//! - `create_user_in_groups/{n}`: `apply` of one `CreateUser` naming `n`
//!   groups (the commit merges the user's `n` links in one pass);
//! - `fan_out/{n}`: loading (JSON) a document of `n` links: users in one
//!   group that sits in a quarter as many projects (at most 50,000, under
//!   the default limit) with a role within each (the members share one
//!   list of what the group reaches: 0.2 copied it into every member,
//!   users x projects ids);
//! - `fan_out_change/{n}`: `apply` of the change that adds that group, with
//!   a role, to one more project (every member's list changes, shared:
//!   the plan works it out once);
//! - `entry_digest/{n}`: the digest of a log entry (the chain that finds a
//!   diverging log) for an `AssignRole` naming `n` users: what each
//!   commit adds, in proportion to the change (and, alone, `n` = 1: one
//!   user, the common change).
//!
//! `cargo test` runs this file once in criterion's test mode, at 1,000
//! links, so it cannot rot. `cargo bench --bench hostile_shapes` measures.

use callgate::{
    Change, Company, Document, GroupId, GroupRecord, MemberRoles, Principal, ProjectId,
    ProjectRecord, RoleId, UserId, UserRecord,
};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

/// The sizes: 10k, 100k and 1M links when benchmarking (`cargo bench`),
/// 1,000 in test mode (`cargo test`).
fn sizes() -> Vec<u32> {
    if std::env::args().any(|arg| arg == "--bench") {
        vec![10_000, 100_000, 1_000_000]
    } else {
        vec![1_000]
    }
}

/// `n` users, each holding Admin directly.
fn admins(n: u32) -> Company {
    let mut document = Document::new();
    for i in 0..n {
        let mut user = UserRecord::new(UserId::new(i), format!("admin{i}"));
        user.roles = vec![RoleId::ADMIN];
        document.users.push(user);
    }
    document.next_ids.users = n;
    document.revision = u64::from(n);
    Company::from_document(document).expect("a valid document")
}

/// The JSON of one user (Admin) in `n` groups.
fn one_user_in_groups(n: u32) -> String {
    let mut document = Document::new();
    let mut ann = UserRecord::new(UserId::new(0), "ann");
    ann.roles = vec![RoleId::ADMIN];
    document.users.push(ann);
    for i in 0..n {
        let mut group = GroupRecord::new(GroupId::new(i), format!("team{i}"));
        group.members = vec![UserId::new(0)];
        document.groups.push(group);
    }
    document.next_ids.users = 1;
    document.next_ids.groups = n;
    document.revision = u64::from(n) + 1;
    serde_json::to_string(&document).expect("a document serializes")
}

/// `users` users in one group that sits in `projects` projects, given
/// Supervisor within each, and one project more without it.
fn fan_out(users: u32, projects: u32) -> Document {
    let mut document = Document::new();
    let mut group = GroupRecord::new(GroupId::new(0), "All staff");
    for i in 0..users {
        let mut user = UserRecord::new(UserId::new(i), format!("agent{i}"));
        if i == 0 {
            user.roles = vec![RoleId::ADMIN];
        }
        document.users.push(user);
        group.members.push(UserId::new(i));
    }
    document.groups.push(group);
    for i in 0..=projects {
        let mut project = ProjectRecord::new(ProjectId::new(i), format!("client{i}"));
        if i < projects {
            project.groups = vec![GroupId::new(0)];
            let roles = vec![RoleId::SUPERVISOR];
            project.member_roles = vec![MemberRoles::new(GroupId::new(0), roles)];
        }
        document.projects.push(project);
    }
    document.next_ids.users = users;
    document.next_ids.groups = 1;
    document.next_ids.projects = projects + 1;
    document.revision = u64::from(users) + 2 * u64::from(projects) + 2;
    document
}

/// The users and projects of a fan-out of `n` links: each user is a
/// member, each project holds the group and gives it a role.
fn fan_out_size(n: u32) -> (u32, u32) {
    let projects = (n / 4).min(50_000);
    (n - 2 * projects, projects)
}

fn bench_fan_out(c: &mut Criterion) {
    let mut group = c.benchmark_group("fan_out");
    group.sample_size(10);
    for n in sizes() {
        let (users, projects) = fan_out_size(n);
        let json = serde_json::to_string(&fan_out(users, projects)).expect("serializes");
        group.throughput(Throughput::Elements(u64::from(n)));
        group.bench_with_input(BenchmarkId::from_parameter(n), &json, |b, json| {
            b.iter(|| Company::load(&mut serde_json::Deserializer::from_str(json)).expect("loads"))
        });
    }
    group.finish();
}

fn bench_fan_out_change(c: &mut Criterion) {
    let mut group = c.benchmark_group("fan_out_change");
    group.sample_size(10);
    for n in sizes() {
        let (users, projects) = fan_out_size(n);
        let company = Company::from_document(fan_out(users, projects)).expect("a valid document");
        let change = Change::AddProjectMembers {
            project: ProjectId::new(projects),
            principals: vec![GroupId::new(0).into()],
            roles: vec![RoleId::SUPERVISOR],
        };
        group.throughput(Throughput::Elements(u64::from(n)));
        group.bench_with_input(BenchmarkId::from_parameter(n), &change, |b, change| {
            b.iter_batched(
                || company.clone(),
                |mut company| company.apply(change.clone()).expect("applies"),
                criterion::BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

fn bench_last_admin(c: &mut Criterion) {
    let mut group = c.benchmark_group("last_admin");
    group.sample_size(10);
    for n in sizes() {
        let company = admins(n);
        let principals: Vec<Principal> = company.users().map(|(id, _)| id.into()).collect();
        let change = Change::UnassignRole {
            role: RoleId::ADMIN,
            principals,
        };
        group.throughput(Throughput::Elements(u64::from(n)));
        group.bench_with_input(BenchmarkId::from_parameter(n), &change, |b, change| {
            b.iter(|| company.preview(change.clone()).is_err())
        });
    }
    group.finish();
}

fn bench_many_links(c: &mut Criterion) {
    let mut group = c.benchmark_group("many_links");
    group.sample_size(10);
    for n in sizes() {
        let json = one_user_in_groups(n);
        group.throughput(Throughput::Elements(u64::from(n)));
        group.bench_with_input(BenchmarkId::from_parameter(n), &json, |b, json| {
            b.iter(|| Company::load(&mut serde_json::Deserializer::from_str(json)).expect("loads"))
        });
    }
    group.finish();
}

/// A company of one Admin and `n` empty groups.
fn empty_groups(n: u32) -> Company {
    let mut document = Document::new();
    let mut ann = UserRecord::new(UserId::new(0), "ann");
    ann.roles = vec![RoleId::ADMIN];
    document.users.push(ann);
    for i in 0..n {
        (document.groups).push(GroupRecord::new(GroupId::new(i), format!("team{i}")));
    }
    document.next_ids.users = 1;
    document.next_ids.groups = n;
    document.revision = u64::from(n) + 1;
    Company::from_document(document).expect("a valid document")
}

fn bench_create_user_in_groups(c: &mut Criterion) {
    let mut group = c.benchmark_group("create_user_in_groups");
    group.sample_size(10);
    for n in sizes() {
        let company = empty_groups(n);
        let change = Change::CreateUser {
            name: "kim".into(),
            roles: Vec::new(),
            groups: (0..n).map(GroupId::new).collect(),
            projects: Vec::new(),
        };
        group.throughput(Throughput::Elements(u64::from(n)));
        group.bench_with_input(BenchmarkId::from_parameter(n), &change, |b, change| {
            b.iter_batched(
                || company.clone(),
                |mut company| company.apply(change.clone()).expect("applies"),
                criterion::BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

fn bench_entry_digest(c: &mut Criterion) {
    let mut group = c.benchmark_group("entry_digest");
    for n in std::iter::once(1).chain(sizes()) {
        let change = Change::AssignRole {
            role: RoleId::OPERATOR,
            principals: (0..n).map(|u| Principal::User(UserId::new(u))).collect(),
        };
        let entry = callgate::CompanyId::new(7)
            .entry(41, change)
            .with_previous(Some(callgate::EntryDigest::GENESIS));
        group.throughput(Throughput::Elements(u64::from(n)));
        group.bench_with_input(BenchmarkId::from_parameter(n), &entry, |b, entry| {
            b.iter(|| entry.digest())
        });
    }
    group.finish();
}

criterion_group!(
    benches,
    bench_last_admin,
    bench_many_links,
    bench_create_user_in_groups,
    bench_fan_out,
    bench_fan_out_change,
    bench_entry_digest
);
criterion_main!(benches);
