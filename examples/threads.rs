//! Sharing the checkable state across threads while a writer moves on.
//!
//! The pattern: one writer owns the `Company` and applies changes; after each
//! change it publishes a clone of the compiled `Snapshot` behind an `Arc`.
//! Request threads take the current `Arc<Snapshot>` once per request (a
//! pointer copy under a lock held for nanoseconds) and then answer every
//! check of that request with no lock at all. A request that started before
//! a change finishes on the snapshot it took; the next request sees the
//! change.
//!
//! Run with `cargo run --example threads`.

use std::sync::{Arc, RwLock};
use std::thread;

use callgate::{
    Change, Company, ObjectKind, Permissions, Resource, RoleId, SecurityMode, Snapshot,
};

/// Where request threads find the newest snapshot.
struct Published(RwLock<Arc<Snapshot>>);

impl Published {
    fn new(company: &Company) -> Self {
        Published(RwLock::new(Arc::new(company.snapshot().clone())))
    }

    /// The snapshot a request works with. If a writer panicked while holding
    /// the lock, the last snapshot it published is still whole: use it.
    fn current(&self) -> Arc<Snapshot> {
        match self.0.read() {
            Ok(guard) => Arc::clone(&guard),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    fn publish(&self, company: &Company) {
        let next = Arc::new(company.snapshot().clone());
        match self.0.write() {
            Ok(mut guard) => *guard = next,
            Err(poisoned) => *poisoned.into_inner() = next,
        }
    }
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
    company.apply(Change::AddProjectMembers {
        project: client,
        principals: vec![team.into()],
        roles: vec![],
    })?;
    let queue_viewers = company.create_role("Queue viewer", "", Permissions::QUEUES_VIEW)?;

    let published = Arc::new(Published::new(&company));
    println!("Published revision {}.", published.current().revision());

    // Four request threads, each answering 50,000 requests of 3 checks.
    let readers: Vec<_> = (0..4)
        .map(|t| {
            let published = Arc::clone(&published);
            let operators = operators.clone();
            thread::spawn(move || {
                let mut allowed = [0u64; 3];
                let mut newest = 0;
                for request in 0..50_000usize {
                    let snapshot = published.current(); // once per request
                    newest = newest.max(snapshot.revision());
                    let user = operators[(request + t) % operators.len()];
                    let questions = [
                        (Permissions::CALL_JOURNAL_VIEW, Resource::Company),
                        (Permissions::QUEUES_VIEW, Resource::Object(queue)),
                        (Permissions::BILLING_VIEW, Resource::Company),
                    ];
                    for (i, (action, resource)) in questions.into_iter().enumerate() {
                        allowed[i] +=
                            u64::from(snapshot.check(user, action, resource).is_allowed());
                    }
                }
                (allowed, newest)
            })
        })
        .collect();

    // Meanwhile the writer grants queue viewing, then takes it away again,
    // publishing after each change.
    for round in 0..20 {
        let change = if round % 2 == 0 {
            Change::AssignRole {
                role: queue_viewers,
                principals: vec![team.into()],
            }
        } else {
            Change::UnassignRole {
                role: queue_viewers,
                principals: vec![team.into()],
            }
        };
        company.apply(change)?;
        published.publish(&company);
        thread::yield_now();
    }
    println!(
        "The writer applied 20 changes; the company is at revision {}.",
        company.revision()
    );

    for (t, reader) in readers.into_iter().enumerate() {
        let (allowed, newest) = reader.join().map_err(|_| "a request thread panicked")?;
        println!(
            "thread {t}: call journal allowed {} times, queue {} times, billing {} times; newest revision seen {newest}",
            allowed[0], allowed[1], allowed[2]
        );
        // The journal is always allowed and billing never; the queue only
        // while the viewer role was granted.
        assert_eq!(allowed[0], 50_000);
        assert_eq!(allowed[2], 0);
    }

    // After the last (odd) round the role is taken away: every new request
    // sees it gone.
    let snapshot = published.current();
    let operator = operators[0];
    assert!(!snapshot
        .check(operator, Permissions::QUEUES_VIEW, Resource::Object(queue))
        .is_allowed());
    assert!(snapshot
        .check(admin, Permissions::QUEUES_MANAGE, Resource::Object(queue))
        .is_allowed());
    println!(
        "Revision {}: operators no longer see the queue; the admin still does.",
        snapshot.revision()
    );
    Ok(())
}

// The snapshot must be shareable across threads.
const _: fn() = || {
    fn shareable<T: Send + Sync>() {}
    shareable::<Snapshot>();
    shareable::<Company>();
};
