//! `Company::memory_bytes` against what the allocator holds: this test
//! binary runs on `cap::Cap<System>`, which counts the live bytes of every
//! allocation, so a company's heap is the live bytes it adds. One test in
//! the binary, so that no other test allocates meanwhile.

#![cfg(feature = "serde")]

use std::alloc::System;

use callgate::{Change, Company, ObjectKind, Permissions, Principal, RoleId, SecurityMode, UserId};

#[global_allocator]
static HEAP: cap::Cap<System> = cap::Cap::new(System, usize::MAX);

/// A company's measured bytes: the live heap bytes `make` adds and keeps,
/// plus the inline `Company` value (which `memory_bytes` counts too).
fn measured(make: impl FnOnce() -> Company) -> (usize, Company) {
    let before = HEAP.allocated();
    let company = make();
    let heap = HEAP.allocated().saturating_sub(before);
    (heap + std::mem::size_of::<Company>(), company)
}

/// Users in `projects` projects (enhanced mode), each with a role, some in
/// a group, and objects in projects: every kind of record and link.
fn company(users: u32, projects: u32) -> Company {
    let mut company = Company::new();
    let admin = company.create_user("admin").expect("a new name");
    company
        .apply(Change::SetSecurityMode {
            mode: SecurityMode::Enhanced,
        })
        .expect("a valid change");
    let role = company
        .create_role("QA", "checks calls", Permissions::QUEUES_VIEW)
        .expect("a new name");
    let team = company.create_group("team", &[admin]).expect("a new name");
    let project_ids: Vec<_> = (0..projects)
        .map(|p| {
            company
                .create_project(format!("client {p}"), "")
                .expect("a new name")
        })
        .collect();
    for u in 1..users {
        let project = project_ids[(u % projects) as usize];
        company
            .apply(Change::CreateUser {
                name: format!("user number {u}"),
                roles: vec![if u % 3 == 0 { role } else { RoleId::OPERATOR }],
                groups: if u % 4 == 0 { vec![team] } else { Vec::new() },
                projects: vec![project],
            })
            .expect("a valid change");
        company
            .apply(Change::CreateObject {
                kind: ObjectKind::Queue,
                name: format!("queue {u}"),
                projects: vec![project],
            })
            .expect("a valid change");
    }
    company.shrink_to_fit();
    company
}

/// Within 15% of the allocator's count.
fn close(what: &str, accounted: usize, measured: usize) {
    let ratio = accounted as f64 / measured as f64;
    assert!(
        (0.85..=1.15).contains(&ratio),
        "{what}: memory_bytes() {accounted} B, measured {measured} B ({ratio:.3})"
    );
}

#[test]
fn memory_bytes_follows_the_allocator_and_grows_with_users() {
    // The target's small company: 20 users, Operator for 19, 50 queues.
    let (bytes, small) = measured(|| {
        let mut company = Company::new();
        let users: Vec<UserId> = (0..20)
            .map(|i| company.create_user(format!("user {i}")).expect("new"))
            .collect();
        company
            .apply(Change::AssignRole {
                role: RoleId::OPERATOR,
                principals: users[1..].iter().copied().map(Principal::User).collect(),
            })
            .expect("a valid change");
        for q in 0..50 {
            company
                .create_object(ObjectKind::Queue, format!("queue {q}"))
                .expect("new");
        }
        company.shrink_to_fit();
        company
    });
    close("small company", small.memory_bytes(), bytes);
    drop(small);

    let mut previous = 0;
    for users in [100, 1_000, 5_000] {
        let (bytes, built) = measured(|| company(users, 10));
        close(&format!("{users} users"), built.memory_bytes(), bytes);
        assert!(built.memory_bytes() > previous, "grows with users");
        previous = built.memory_bytes();

        // The document is made inside: loading moves its names into the
        // company.
        let (bytes, loaded) =
            measured(|| Company::from_document(built.to_document()).expect("loads"));
        close(
            &format!("{users} users, loaded"),
            loaded.memory_bytes(),
            bytes,
        );
        let checkpoint = built.to_checkpoint();
        let (bytes, loaded) = measured(|| Company::load_checkpoint(&checkpoint).expect("loads"));
        close(
            &format!("{users} users, from a checkpoint"),
            loaded.memory_bytes(),
            bytes,
        );
    }
}
