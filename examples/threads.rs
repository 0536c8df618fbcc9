//! Sharing the company across threads while a writer moves on.
//!
//! The pattern: a [`Publisher`] owns the `Company`, applies changes and
//! publishes the new state after each one. Request threads hold a [`Reader`]
//! and take the latest [`View`](callgate::View) once per request (no lock:
//! an atomic load and a reference count), then answer every question of that
//! request from it. A request that started before a change finishes on the
//! view it took; the next request sees the change.
//!
//! Run with `cargo run --example threads`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::Duration;

use callgate::{
    Change, Company, ObjectKind, Permissions, Publisher, Reader, Resource, RoleId, SecurityMode,
    UserId, View,
};

/// Request threads, and changes the writer makes while they run.
const THREADS: usize = 4;
const CHANGES: usize = 20;

/// What one request thread saw.
#[derive(Default)]
struct Seen {
    requests: u64,
    journal: u64,
    queue: u64,
    billing: u64,
    /// Requests that finished on a view the writer had already replaced.
    overtaken: u64,
    newest: u64,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // A small company: an admin, an operator team, a queue in a project.
    let mut company = Company::new();
    let admin = company.create_user("olga")?;
    let operators: Vec<_> = (0..8)
        .map(|i| company.create_user(format!("operator {i}")))
        .collect::<Result<_, _>>()?;
    let team = company.create_group("Floor", &operators)?;
    company.apply(Change::AssignRole {
        role: RoleId::OPERATOR,
        principals: vec![team.into()],
    })?;
    company.apply(Change::SetSecurityMode {
        mode: SecurityMode::Enhanced,
    })?;
    let client = company.create_project("Acme", "")?;
    let queue = company.create_object(ObjectKind::Queue, "Acme inbound")?;
    company.apply(Change::AddProjectObjects {
        project: client,
        objects: vec![queue],
    })?;
    company.apply(Change::add_project_members(client, [team.into()]))?;
    let queue_viewers = company.create_role("Queue viewer", "", Permissions::QUEUES_VIEW)?;

    // From here on the publisher owns the company; threads get readers.
    let mut publisher = Publisher::new(company);
    let reader = publisher.reader();
    println!("Published revision {}.", reader.revision());

    let done = Arc::new(AtomicBool::new(false));
    let started = Arc::new(Barrier::new(THREADS + 1));
    let threads: Vec<_> = (0..THREADS)
        .map(|t| {
            let reader = reader.clone();
            let done = Arc::clone(&done);
            let started = Arc::clone(&started);
            let user = operators[t % operators.len()];
            thread::spawn(move || {
                let mut seen = Seen::default();
                let mut first = true;
                while first || !done.load(Ordering::Acquire) {
                    seen.request(&reader, user, Resource::Object(queue));
                    if first {
                        started.wait();
                        first = false;
                    }
                }
                seen
            })
        })
        .collect();

    // Once every thread is answering, the writer grants queue viewing, then
    // takes it away again, publishing after each change.
    started.wait();
    for round in 0..CHANGES {
        let principals = vec![team.into()];
        let change = if round % 2 == 0 {
            Change::AssignRole {
                role: queue_viewers,
                principals,
            }
        } else {
            Change::UnassignRole {
                role: queue_viewers,
                principals,
            }
        };
        publisher.apply(change)?;
        thread::sleep(Duration::from_millis(1));
    }
    done.store(true, Ordering::Release);
    println!(
        "The writer applied {CHANGES} changes; the company is at revision {}.",
        publisher.company().revision()
    );

    for (t, thread) in threads.into_iter().enumerate() {
        let seen = thread.join().map_err(|_| "a request thread panicked")?;
        println!(
            "thread {t}: {} requests; call journal allowed {}, queue {}, billing {}; \
             {} finished on an older view; newest revision seen {}",
            seen.requests, seen.journal, seen.queue, seen.billing, seen.overtaken, seen.newest
        );
        // The journal is always allowed and billing never; the queue only
        // while the viewer role was granted.
        assert_eq!(seen.journal, seen.requests);
        assert_eq!(seen.billing, 0);
    }

    // After the last (odd) round the role is taken away: every new request
    // sees it gone.
    let view = reader.view();
    let operator = operators[0];
    assert!(
        !view
            .check(operator, Permissions::QUEUES_VIEW, Resource::Object(queue))
            .is_allowed()
    );
    assert!(
        view.check(admin, Permissions::QUEUES_MANAGE, Resource::Object(queue))
            .is_allowed()
    );
    println!(
        "Revision {}: operators no longer see the queue; the admin still does.",
        view.revision()
    );
    Ok(())
}

impl Seen {
    /// One request: three questions, all answered from the one view it took.
    fn request(&mut self, reader: &Reader, user: UserId, queue: Resource) {
        let view: View = reader.view(); // once per request
        let queue_before = view.check(user, Permissions::QUEUES_VIEW, queue);
        let journal = view.check(user, Permissions::CALL_JOURNAL_VIEW, Resource::Company);
        let billing = view.check(user, Permissions::BILLING_VIEW, Resource::Company);
        thread::yield_now(); // the writer may publish meanwhile...
        let queue_after = view.check(user, Permissions::QUEUES_VIEW, queue);
        // ...but the request keeps its state: the same question, the same answer.
        assert_eq!(queue_before, queue_after);

        self.requests += 1;
        self.journal += u64::from(journal.is_allowed());
        self.queue += u64::from(queue_before.is_allowed());
        self.billing += u64::from(billing.is_allowed());
        self.overtaken += u64::from(reader.revision() != view.revision());
        self.newest = self.newest.max(view.revision());
    }
}

// Readers and views go to other threads.
const _: fn() = || {
    fn shareable<T: Send + Sync + Clone>() {}
    shareable::<Reader>();
    shareable::<View>();
};
