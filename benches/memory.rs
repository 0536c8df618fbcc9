//! The heap a company holds, counted by the global allocator: this binary
//! runs on `cap::Cap<System>`, which wraps `std::alloc::System` and keeps
//! the live bytes (the sizes of the allocations not yet freed, as requested
//! of the allocator; malloc's own overhead is not counted). Each figure is
//! the live bytes after a step minus before it.
//!
//! For each of S, M and L (`workload/mod.rs`; `CALLGATE_SIZES=L` or `S,M`
//! picks them, as in `check.rs`) it prints:
//!
//! - `company`: the whole company as built through changes
//!   (`call_center(size)`, then `company.shrink_to_fit()`): records, names,
//!   name indexes and snapshot. The `CallCenter` around it holds nothing else
//!   on the heap; the `Company` value itself (its inline bytes, printed
//!   below the table) is not heap and not counted.
//! - `B/user`, `B/object`: `company` divided by the number of users, then
//!   by the number of objects: each is the whole company's bytes over one
//!   count, not a share of the bytes split between users and objects.
//! - `loaded`: the same company as a host loads it from its document
//!   (`Company::from_document`, compiled at its exact size).
//! - `snapshot`: `company.snapshot().memory_bytes()`, the engine's own
//!   estimate of the compiled state (of the built company).
//! - `view()`: what `company.view()` of an unchanged company adds (its
//!   pointers to the shared chunks).
//! - `memory_bytes()`: the company's own account of its bytes
//!   ([`Company::memory_bytes`], which counts the inline `Company` value
//!   too), as a ratio of `company` plus that inline value; then the same
//!   for the loaded company (`loaded/`).
//! - `publish 1`: what one published state costs: with a `Publisher` over
//!   the company, a reader takes the latest view and holds it, then one
//!   one-user change (a custom role assigned to one user) is applied and
//!   published; the live bytes it added (the chunks the change copied and
//!   the new state's pointers), with the older state still held.
//!
//! Then a small company: `Company::new()`, 20 users (`create_user`; the
//! first is the Admin), Operator assigned to the other 19 in one change, 50
//! queues in no project, `shrink_to_fit`; and 10,000 of them.
//!
//! Then a hostile document: one Admin, and `nextIds` at the default
//! [`Limits`](callgate::Limits) of every kind (16.7 million users and
//! objects, 1 million groups and projects, 65,536 roles): its JSON length
//! and the live bytes of the company loaded from it.
//!
//! Targets: the whole company at most 48 MiB at L; the small company at
//! most 12 KiB; the hostile document's company at most 1 MiB.
//!
//! ```sh
//! cargo bench --bench memory
//! CALLGATE_SIZES=L cargo bench --bench memory
//! ```

use std::alloc::System;

use callgate::{Change, Company, ObjectKind, Principal, Publisher, RoleId, UserId};

mod workload;
use workload::{Size, call_center, named_sizes, one_user_role, role_change};

/// Counts the live bytes of every allocation of this program.
#[global_allocator]
static HEAP: cap::Cap<System> = cap::Cap::new(System, usize::MAX);

/// Live heap bytes now.
fn live() -> i64 {
    i64::try_from(HEAP.allocated()).expect("less than 2^63 bytes")
}

/// Live heap bytes that `step` adds and keeps, with what it returns.
fn added<T>(step: impl FnOnce() -> T) -> (i64, T) {
    let before = live();
    let kept = step();
    (live() - before, kept)
}

const KIB: f64 = 1024.0;
const MIB: f64 = 1024.0 * 1024.0;

/// Bytes for people: B, KiB or MiB.
fn human(bytes: i64) -> String {
    let b = bytes as f64;
    if b.abs() >= MIB {
        format!("{:.2} MiB", b / MIB)
    } else if b.abs() >= KIB {
        format!("{:.1} KiB", b / KIB)
    } else {
        format!("{bytes} B")
    }
}

/// One row of the table.
struct Row {
    size: Size,
    company: i64,
    loaded: i64,
    snapshot: usize,
    view: i64,
    publish: i64,
    /// `memory_bytes()` over the measured bytes (with the inline value),
    /// built then loaded.
    accounted: (f64, f64),
}

/// `memory_bytes()` of a company over its measured heap bytes plus its
/// inline value.
fn accounted(company: &Company, heap: i64) -> f64 {
    let inline = std::mem::size_of::<Company>() as f64;
    company.memory_bytes() as f64 / (heap as f64 + inline)
}

fn measure(size: Size) -> Row {
    let (mut company_bytes, mut center) = added(|| call_center(size));
    let (shrunk, ()) = added(|| center.company.shrink_to_fit());
    company_bytes += shrunk;
    let company = center.company;
    let snapshot = company.snapshot().memory_bytes();

    // As loaded: the document is made and consumed inside the step, so what
    // stays is the loaded company alone.
    let (loaded, loaded_company) =
        added(|| Company::from_document(company.to_document()).expect("a valid document"));
    let accounted = (
        accounted(&company, company_bytes),
        accounted(&loaded_company, loaded),
    );
    drop(loaded_company);

    let (view, held) = added(|| company.view());
    drop(held);

    let (user, role) = one_user_role(&company);
    let mut publisher = Publisher::new(company);
    let reader = publisher.reader();
    let held = reader.view();
    let (publish, ()) = added(|| {
        let report = publisher.apply(role_change(true, user, role));
        drop(report.expect("a valid change"));
    });
    drop(held);

    Row {
        size,
        company: company_bytes,
        loaded,
        snapshot,
        view,
        publish,
        accounted,
    }
}

/// The small company of the target: its live heap bytes, and
/// `memory_bytes()` over them (with the inline value).
fn small_company() -> (i64, f64) {
    let (bytes, company) = added(|| {
        let mut company = Company::new();
        let users: Vec<UserId> = (0..20)
            .map(|i| {
                company
                    .create_user(format!("user {i}"))
                    .expect("a new name")
            })
            .collect();
        company
            .apply(Change::AssignRole {
                role: RoleId::OPERATOR,
                principals: users[1..].iter().copied().map(Principal::User).collect(),
            })
            .expect("a valid change");
        for q in 0..50 {
            company
                .apply(Change::CreateObject {
                    kind: ObjectKind::Queue,
                    name: format!("queue {q}"),
                    projects: vec![],
                })
                .expect("a valid change");
        }
        company.shrink_to_fit();
        company
    });
    assert_eq!(company.users().count(), 20);
    assert_eq!(company.objects().count(), 50);
    let ratio = accounted(&company, bytes);
    drop(company);
    (bytes, ratio)
}

/// A small document naming as many ids as the default limits allow: its
/// JSON, the live heap bytes of the company loaded from it, and
/// `memory_bytes()` over them (with the inline value).
fn hostile_document() -> (String, i64, f64) {
    let json = workload::hostile_document();
    let (bytes, loaded) = added(|| {
        Company::<callgate::Permissions>::load(&mut serde_json::Deserializer::from_str(&json))
            .expect("a valid document")
    });
    assert_eq!(
        loaded.to_document().next_ids.users,
        callgate::Limits::DEFAULT.users
    );
    let ratio = accounted(&loaded, bytes);
    drop(loaded);
    (json, bytes, ratio)
}

fn main() {
    // First allocations of the program (stdout's buffer, anything made
    // lazily by the library) happen here, before any measurement.
    println!("callgate: live heap bytes (1 KiB = 1024 B, 1 MiB = 1024 KiB)");
    let _ = small_company();

    let sizes = named_sizes().unwrap_or_else(|| Size::ALL.to_vec());
    println!(
        "{:<4} {:>7} {:>7} {:>11} {:>7} {:>8} {:>11} {:>11} {:>9} {:>10} {:>15}  target",
        "size",
        "users",
        "objects",
        "company",
        "B/user",
        "B/object",
        "loaded",
        "snapshot",
        "view()",
        "publish 1",
        "memory_bytes()",
    );
    for size in sizes {
        let row = measure(size);
        let (users, _, objects, _, _) = row.size.counts();
        let target = if row.size == Size::L {
            let ok = row.company as f64 <= 48.0 * MIB;
            format!("company <= 48 MiB: {}", if ok { "ok" } else { "OVER" })
        } else {
            String::new()
        };
        println!(
            "{:<4} {:>7} {:>7} {:>11} {:>7.0} {:>8.0} {:>11} {:>11} {:>9} {:>10} {:>15}  {target}",
            row.size.name(),
            users,
            objects,
            human(row.company),
            row.company as f64 / f64::from(users),
            row.company as f64 / f64::from(objects),
            human(row.loaded),
            human(i64::try_from(row.snapshot).expect("less than 2^63 bytes")),
            human(row.view),
            human(row.publish),
            format!("{:.3}/{:.3}", row.accounted.0, row.accounted.1),
        );
    }

    let inline = std::mem::size_of::<Company>();
    let (small, small_accounted) = small_company();
    let ok = small as f64 <= 12.0 * KIB;
    println!(
        "small company (20 users, Operator for 19, 50 queues): {} ({small} B) heap, target <= 12 KiB: {}; memory_bytes() {small_accounted:.3} of it",
        human(small),
        if ok { "ok" } else { "OVER" },
    );
    let many = 10_000 * (small + i64::try_from(inline).expect("small"));
    println!(
        "10,000 small companies: {} (10,000 x ({small} B heap + {inline} B inline Company value))",
        human(many),
    );
    println!(
        "B/user = company / users, B/object = company / objects (the whole company over each count); \
         the inline Company value ({inline} B) is not in `company`"
    );
    let (json, hostile, hostile_accounted) = hostile_document();
    let ok = hostile as f64 <= MIB;
    println!(
        "hostile document ({} B of JSON, nextIds at the default limits): {} loaded, target <= 1 MiB: {}; memory_bytes() {hostile_accounted:.3} of it",
        json.len(),
        human(hostile),
        if ok { "ok" } else { "OVER" },
    );
}
