//! Loader fuzzing (issue 14): documents written by this library for random
//! companies, then mutated, loaded with `Company::load` from JSON bytes.
//!
//! Mutations: bytes flipped, replaced or cut off; object members and array
//! elements removed, duplicated (keys too) or swapped; huge numbers
//! (`u64::MAX`, `2^32 - 1`, `i64::MAX`...) in ids, `nextIds`, `revision` and
//! `sessionsValidFrom`; deep nesting; names of 1 MiB; references to ids that
//! do not exist, or listed twice; built-in roles tampered with; fields the
//! writer leaves out written with their default (`[]`, `false`, `""`, `0`,
//! `null`). For every input:
//!
//! - (a) the loader returns, `Ok` or `Err`: it does not panic;
//! - (b) the load allocates at most `64 * input length + 1 MiB` bytes;
//! - (c) an accepted document of the current format (2) is the one the
//!   loaded company writes: `serde_json::to_vec(&company.to_document())`
//!   gives the input's bytes back, up to JSON spelling (`respell` in
//!   `support_fuzz`: whitespace, `-0`, string escapes), the order of an
//!   object's keys, and the order of a role's permission names (with names
//!   another implies), which the document form leaves to the catalog
//!   (`comparable`). Duplicates and explicit default values are never
//!   hidden.
//!
//! (b) is measured with the global allocator, `cap::Cap<System>`, which
//! counts live bytes and refuses an allocation past its limit (`cap` has no
//! peak counter, and this package forbids the `unsafe` a counting wrapper
//! takes). Just before each load the limit is set to the live bytes plus
//! the budget; so the peak of the load cannot pass the budget. An
//! allocation the limit refuses either comes back to the loader as an error
//! (`try_reserve`: the property then fails, as below) or aborts the whole
//! test process ("memory allocation of N bytes failed"): an abort is a
//! failure of (b) that proptest cannot shrink. A refused load fails (b) when
//! it was refused for memory: its message says so ("more than this machine
//! can hold"), or it loads differently with 64 MiB more room. The bytes
//! still live after the load (the loaded company's) are checked too.
//!
//! A global allocator counts every thread: every test of this file holds
//! one lock, so nothing else allocates while a limit is set.
//!
//! Case counts (in each test's doc comment) keep `cargo test` under 10 s in
//! a debug build; `PROPTEST_CASES` raises them:
//!
//! ```text
//! PROPTEST_CASES=20000 cargo test --release --test document_fuzz
//! ```
#![cfg(feature = "serde")]

use std::alloc::System;
use std::sync::{Mutex, MutexGuard, PoisonError};

use callgate::{Company, Document, Error, Permissions};
use proptest::prelude::*;
use proptest::test_runner::{TestCaseError, TestRunner};

#[path = "support_document/mod.rs"]
mod support;

#[path = "support_fuzz/mod.rs"]
mod fuzz;

use fuzz::{Json, byte_mutation, mutate_bytes, mutate_tree, tree_mutation};

/// Counts (and, during a load, limits) the live bytes of this program.
#[global_allocator]
static HEAP: cap::Cap<System> = cap::Cap::new(System, usize::MAX);

const MIB: usize = 1 << 20;

// ---- The properties ----------------------------------------------------------

/// Held by every test of this file: one test allocates at a time.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(PoisonError::into_inner)
}

/// What a load of `input_len` bytes may allocate.
fn budget(input_len: usize) -> usize {
    input_len.saturating_mul(64).saturating_add(MIB)
}

/// The allocator's limit, set above the live bytes for as long as it lives.
struct Limit;

impl Limit {
    fn above_live(budget: usize) -> Self {
        let live = HEAP.allocated();
        HEAP.set_limit(live.saturating_add(budget))
            .expect("nothing else allocates meanwhile");
        Limit
    }
}

impl Drop for Limit {
    fn drop(&mut self) {
        HEAP.set_limit(usize::MAX)
            .expect("raising the limit always works");
    }
}

/// A load under a limit, and the bytes the loaded company keeps.
struct Measured {
    result: Result<Company, Error>,
    kept: usize,
}

/// Loads `bytes`, allowing the load `budget` bytes above what is live.
fn load_capped(bytes: &[u8], budget: usize) -> Measured {
    let before = HEAP.allocated();
    let limit = Limit::above_live(budget);
    let result = Company::<Permissions>::load(&mut serde_json::Deserializer::from_slice(bytes));
    let kept = HEAP.allocated().saturating_sub(before);
    drop(limit);
    Measured { result, kept }
}

/// (a), (b) and (c) for one input. (a) holds when this returns: a panic of
/// the loader unwinds through it, and proptest reports it.
fn check(bytes: &[u8]) -> Result<(), TestCaseError> {
    let budget = budget(bytes.len());
    let measured = load_capped(bytes, budget);
    within_budget(bytes, budget, &measured)?;
    if let Ok(company) = &measured.result {
        round_trips(bytes, company)?;
    }
    Ok(())
}

/// (b): the load stayed within `budget` (the limit saw to the peak), and
/// was not refused for want of memory.
fn within_budget(bytes: &[u8], budget: usize, measured: &Measured) -> Result<(), TestCaseError> {
    prop_assert!(
        measured.kept <= budget,
        "the loaded company keeps {} bytes, past the budget of {budget}",
        measured.kept
    );
    let Err(error) = &measured.result else {
        return Ok(());
    };
    let message = error.to_string();
    prop_assert!(
        !message.contains("more than this machine can hold"),
        "a document of {} bytes was refused for memory within a budget of {budget} bytes: {message}",
        bytes.len()
    );
    let roomy = load_capped(bytes, budget + 64 * MIB);
    let roomy = roomy
        .result
        .as_ref()
        .map(|_| ())
        .map_err(ToString::to_string);
    prop_assert_eq!(
        roomy,
        Err(message),
        "a document of {} bytes loads differently with 64 MiB more than its budget of {} bytes",
        bytes.len(),
        budget
    );
    Ok(())
}

/// (c): an accepted format 2 document is what the loaded company writes.
fn round_trips(bytes: &[u8], company: &Company) -> Result<(), TestCaseError> {
    let format = serde_json::from_slice::<serde_json::Value>(bytes)
        .ok()
        .and_then(|document| document.get("format")?.as_u64());
    if format != Some(2) {
        return Ok(());
    }
    let written = serde_json::to_vec(&company.to_document())?;
    let (input, written) = fuzz::comparable(&fuzz::respell(bytes), &written);
    prop_assert!(
        written == input,
        "an accepted document does not round-trip: {}",
        fuzz::first_difference(&input, &written)
    );
    Ok(())
}

// ---- Inputs ----------------------------------------------------------------------

/// The document of a company made through the public API: the sample that
/// uses every part of the format, or a random company.
fn valid_document() -> impl Strategy<Value = Document> {
    prop_oneof![
        1 => Just(support::sample().expect("the sample builds").to_document()),
        3 => support::changes(24).prop_map(|changes| support::build(&changes).company.to_document()),
    ]
}

fn written(document: &Document) -> Vec<u8> {
    serde_json::to_vec(document).expect("a document serializes")
}

/// Runs `test` on `default_cases` inputs of `strategy` (more:
/// `PROPTEST_CASES`), shrinking a failure, with the lock held all along:
/// generating an input allocates too.
fn fuzz<S: Strategy>(
    default_cases: u32,
    strategy: S,
    test: impl Fn(S::Value) -> Result<Vec<u8>, TestCaseError>,
) {
    let _serial = serial();
    let mut config = support::config(default_cases);
    config.source_file = Some(file!());
    let mut runner = TestRunner::new(config);
    if let Err(failure) = runner.run(&strategy, |value| {
        let bytes = test(value)?;
        check(&bytes).map_err(|error| match error {
            TestCaseError::Fail(reason) => {
                TestCaseError::fail(format!("{reason}\n    input: {}", shown(&bytes)))
            }
            other => other,
        })
    }) {
        panic!("{failure}");
    }
}

/// The input as text, its middle left out past 2 KiB.
fn shown(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    if text.len() <= 2048 {
        return text.into_owned();
    }
    let cut = |at: usize| {
        (0..=at)
            .rev()
            .find(|&i| text.is_char_boundary(i))
            .unwrap_or(0)
    };
    let (head, tail) = (cut(1024), cut(text.len() - 1024));
    format!(
        "{}...({} bytes)...{}",
        &text[..head],
        tail - head,
        &text[tail..]
    )
}

/// Documents with bytes flipped, replaced or cut off (400 cases by default;
/// more: `PROPTEST_CASES`).
#[test]
fn byte_mutations_keep_the_loader_sound() {
    let mutations = prop::collection::vec(byte_mutation(), 1..4);
    fuzz(
        400,
        (valid_document(), mutations),
        |(document, mutations)| {
            let mut bytes = written(&document);
            for mutation in &mutations {
                mutate_bytes(&mut bytes, mutation);
            }
            Ok(bytes)
        },
    );
}

/// Documents with members removed, duplicated or swapped, huge numbers,
/// deep nesting, long names, dangling or repeated references, built-in
/// roles tampered with and explicit default values (300 cases by default;
/// more: `PROPTEST_CASES`).
#[test]
fn tree_mutations_keep_the_loader_sound() {
    let mutations = prop::collection::vec(tree_mutation(), 1..4);
    fuzz(
        300,
        (valid_document(), mutations),
        |(document, mutations)| {
            let bytes = written(&document);
            let mut tree = Json::parse(&bytes);
            prop_assert_eq!(
                &tree.to_bytes(),
                &bytes,
                "the tree writes the document back"
            );
            for mutation in &mutations {
                mutate_tree(&mut tree, mutation);
            }
            Ok(tree.to_bytes())
        },
    );
}

/// Skewed documents (issue 27: a big group in many projects with or
/// without roles within them, one user in many groups, many roles within
/// projects), unmutated or with tree mutations (60 cases by default; more:
/// `PROPTEST_CASES`). Before their lists were shared, a group of 300 users
/// in 300 projects held 90,000 ids: past the budget of most such inputs.
#[test]
fn skewed_documents_keep_the_loader_sound() {
    let mutations = prop::collection::vec(tree_mutation(), 0..3);
    fuzz(
        60,
        (fuzz::skewed::skewed_document(), mutations),
        |(document, mutations)| {
            let mut tree = Json::parse(&written(&document));
            for mutation in &mutations {
                mutate_tree(&mut tree, mutation);
            }
            Ok(tree.to_bytes())
        },
    );
}

/// The fan-out of issue 27, sized for CI: 3,000 users in a group that sits
/// in 3,000 projects, given a role within each. 0.2 held 9 million project
/// ids (and as many permission words) for a document of 0.4 MB, 200 times
/// its budget; the list is now held once.
#[test]
fn a_group_of_3k_users_in_3k_projects_loads_within_its_budget() {
    let _serial = serial();
    for within in [false, true] {
        let bytes = written(&fuzz::skewed::fan_out(3_000, 3_000, within));
        if let Err(failure) = check(&bytes) {
            panic!("{failure}");
        }
    }
}

/// Unmutated documents pass all three properties.
#[test]
fn written_documents_pass() {
    let _serial = serial();
    let sample = written(&support::sample().expect("the sample builds").to_document());
    let new = written(&Company::<Permissions>::new().to_document());
    for bytes in [sample, new] {
        if let Err(failure) = check(&bytes) {
            panic!("{failure}");
        }
    }
}

// ---- Findings, pinned ------------------------------------------------------------
//
// One test per class of failure the fuzzing found. Each edits the document
// of a small company (`small_company`) in one place, shown inline.

/// The document of a small company, as the library writes it (a company id
/// aside, where the format has one):
///
/// ```text
/// {"format":2,"catalog":{"name":"standard","version":1},"mode":"enhanced","revision":12,
///  "defaultProject":0,"nextIds":{"users":2,"groups":1,"roles":4,"projects":2,"objects":2},
///  "users":[{"id":0,"name":"ann","roles":[0]},{"id":1,"name":"bob","roles":[2,3]}],
///  "groups":[{"id":0,"name":"Team","members":[0,1],"roles":[3]}],
///  "roles":[{"id":0,"name":"Admin","builtin":true},{"id":1,"name":"Supervisor","builtin":true},
///   {"id":2,"name":"Operator","builtin":true},
///   {"id":3,"name":"QA","description":"Listens","permissions":["kpi.view","queues.view"]}],
///  "projects":[{"id":0,"name":"Default","description":"Every user and object that existed
///   when enhanced security was first enabled","users":[0,1],"objects":[0,1]},
///   {"id":1,"name":"Acme","users":[0,1],"groups":[0],"objects":[0,1],
///    "memberRoles":[{"member":{"user":1},"roles":[1]}]}],
///  "objects":[{"id":0,"kind":"queue","name":"Inbound"},{"id":1,"kind":"queue","name":"Outbound"}]}
/// ```
fn small_company() -> String {
    use callgate::{Change, ObjectKind, Principal, RoleId, SecurityMode};
    let build = || -> Result<Company, Error> {
        let mut company = Company::new();
        let ann = company.create_user("ann")?;
        let bob = company.create_user("bob")?;
        let team = company.create_group("Team", &[ann, bob])?;
        company.apply(Change::CreateRole {
            name: "QA".into(),
            description: "Listens".into(),
            permissions: Permissions::QUEUES_VIEW | Permissions::KPI_VIEW,
            principals: vec![Principal::User(bob), Principal::Group(team)],
            put_users_offline: false,
        })?;
        let operator = vec![bob.into()];
        company.apply(Change::AssignRole {
            role: RoleId::OPERATOR,
            principals: operator,
        })?;
        let inbound = company.create_object(ObjectKind::Queue, "Inbound")?;
        let outbound = company.create_object(ObjectKind::Queue, "Outbound")?;
        company.apply(Change::SetSecurityMode {
            mode: SecurityMode::Enhanced,
        })?;
        let acme = company.create_project("Acme", "")?;
        let objects = vec![inbound, outbound];
        company.apply(Change::AddProjectObjects {
            project: acme,
            objects,
        })?;
        let principals = vec![ann.into(), bob.into(), team.into()];
        company.apply(Change::AddProjectMembers {
            project: acme,
            principals,
            roles: vec![],
        })?;
        let (role, principals) = (RoleId::SUPERVISOR, vec![bob.into()]);
        company.apply(Change::AssignProjectRole {
            project: acme,
            role,
            principals,
        })?;
        Ok(company)
    };
    let company = build().expect("the small company builds");
    String::from_utf8(written(&company.to_document())).expect("JSON is UTF-8")
}

/// `json` with `from`, found exactly once, replaced by `to`.
fn edited(json: &str, from: &str, to: &str) -> String {
    assert_eq!(json.matches(from).count(), 1, "`{from}` in {json}");
    json.replacen(from, to, 1)
}

/// Asserts that each edit `(from, to, path)` of the small company's
/// document makes it refused, at a path starting with `path`.
fn assert_refused(edits: &[(&str, &str, &str)]) {
    let _serial = serial();
    let json = small_company();
    let wrong: Vec<String> = edits
        .iter()
        .filter_map(|&(from, to, path)| {
            let result = support::load_json(&edited(&json, from, to));
            match result {
                Err(Error::Document { path: at, .. }) if at.starts_with(path) => None,
                Err(error) => Some(format!("`{to}`: refused elsewhere: {error}")),
                Ok(_) => Some(format!("`{to}`: accepted (expected a refusal at `{path}`)")),
            }
        })
        .collect();
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
}

/// (b) A huge `nextIds` (with a revision that allows it) made the loader
/// ask for a table slot per id: refused, within the budget, with
/// `nextIds.users: 4294967295 ids are more than this machine can hold`.
/// Without the limit it asks for hundreds of GiB.
#[test]
fn huge_next_ids_do_not_allocate_tables() {
    let _serial = serial();
    let json = small_company();
    let json = edited(
        &json,
        r#""revision":12,"#,
        r#""revision":9223372036854775807,"#,
    );
    let failures: Vec<String> = [
        "users\":2",
        "groups\":1",
        "roles\":4",
        "projects\":2",
        "objects\":2",
    ]
    .into_iter()
    .filter_map(|count| {
        let (kind, _) = count.split_once('"').expect("a count");
        let huge = edited(&json, count, &format!("{kind}\":4294967295"));
        check(huge.as_bytes())
            .err()
            .map(|failure| format!("nextIds.{kind}: {failure}"))
    })
    .collect();
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// (b) A `nextIds.users` of 10000 made a table that fits the budget, and
/// the rest of the load then failed an allocation: the process aborted
/// ("memory allocation of 5648 bytes failed"). So the load runs in a child
/// process of this test binary, which must exit cleanly.
#[test]
fn mid_sized_next_ids_do_not_abort_the_load() {
    const CHILD: &str = "CALLGATE_FUZZ_CHILD";
    const NAME: &str = "mid_sized_next_ids_do_not_abort_the_load";
    if std::env::var_os(CHILD).is_some() {
        let _serial = serial();
        let json = edited(
            &small_company(),
            r#""revision":12,"#,
            r#""revision":20000,"#,
        );
        let json = edited(&json, r#""users":2,"#, r#""users":10000,"#);
        if let Err(failure) = check(json.as_bytes()) {
            panic!("{failure}");
        }
        return;
    }
    let _serial = serial();
    let child = std::process::Command::new(std::env::current_exe().expect("this test binary"))
        .args([NAME, "--exact", "--test-threads=1"])
        .env(CHILD, "1")
        .output()
        .expect("the test binary runs");
    assert!(
        child.status.success(),
        "the load failed in a child process ({}):\n{}{}",
        child.status,
        String::from_utf8_lossy(&child.stdout),
        String::from_utf8_lossy(&child.stderr)
    );
}

/// (c) Records out of id order were accepted, and written back sorted.
#[test]
fn unsorted_records_are_refused_with_their_path() {
    let (ann, bob) = (
        r#"{"id":0,"name":"ann","roles":[0]}"#,
        r#"{"id":1,"name":"bob","roles":[2,3]}"#,
    );
    let (supervisor, operator) = (
        r#"{"id":1,"name":"Supervisor","builtin":true}"#,
        r#"{"id":2,"name":"Operator","builtin":true}"#,
    );
    let (inbound, outbound) = (
        r#"{"id":0,"kind":"queue","name":"Inbound"}"#,
        r#"{"id":1,"kind":"queue","name":"Outbound"}"#,
    );
    let users = (format!("{ann},{bob}"), format!("{bob},{ann}"));
    let roles = (
        format!("{supervisor},{operator}"),
        format!("{operator},{supervisor}"),
    );
    let objects = (
        format!("{inbound},{outbound}"),
        format!("{outbound},{inbound}"),
    );
    assert_refused(&[
        (&users.0, &users.1, "users[1]"),
        (&roles.0, &roles.1, "roles[2]"),
        (&objects.0, &objects.1, "objects[1]"),
    ]);
}

/// (c) References out of id order were accepted, and written back sorted.
#[test]
fn unsorted_references_are_refused_with_their_path() {
    assert_refused(&[
        (r#""roles":[2,3]"#, r#""roles":[3,2]"#, "users[1].roles[1]"),
        (
            r#""members":[0,1]"#,
            r#""members":[1,0]"#,
            "groups[0].members[1]",
        ),
        (
            r#""groups":[0],"objects":[0,1]"#,
            r#""groups":[0],"objects":[1,0]"#,
            "projects[1].objects[1]",
        ),
    ]);
}

/// (c) The one exception to the canonical form: a role's permission names
/// follow the catalog, whose order may change between its versions, so
/// names out of its order (or with names another implies) load and are
/// written back in its form (`tests/document_canonical.rs` has implied
/// names).
#[test]
fn permission_names_out_of_catalog_order_are_normalised() {
    assert_written_back(&[(
        r#"["kpi.view","queues.view"]"#,
        r#"["queues.view","kpi.view"]"#,
    )]);
}

/// (c) A reference (or a permission name, or a member's entry) listed twice
/// was accepted, and written back once.
#[test]
fn duplicate_references_are_refused_with_their_path() {
    let given = r#"{"member":{"user":1},"roles":[1]}"#;
    let twice = format!("{given},{given}");
    assert_refused(&[
        (
            r#""roles":[2,3]"#,
            r#""roles":[2,2,3]"#,
            "users[1].roles[1]",
        ),
        (
            r#""members":[0,1]"#,
            r#""members":[0,1,1]"#,
            "groups[0].members[2]",
        ),
        (
            r#""groups":[0],"#,
            r#""groups":[0,0],"#,
            "projects[1].groups[1]",
        ),
        (
            r#""roles":[1]}"#,
            r#""roles":[1,1]}"#,
            "projects[1].memberRoles[0].roles[1]",
        ),
        (given, &twice, "projects[1].memberRoles[1]"),
        (
            r#""queues.view"]"#,
            r#""queues.view","queues.view"]"#,
            "roles[3].permissions",
        ),
    ]);
}

/// (c) Fields the writer leaves out when they hold their default value
/// were accepted written out (`[]`, `false`, `""`, `0`, `null`).
#[test]
fn explicit_default_values_are_refused_with_their_path() {
    let ann = r#"{"id":0,"name":"ann","roles":[0]}"#;
    let admin = r#"{"id":0,"name":"Admin","builtin":true}"#;
    let default_project = r#""users":[0,1],"objects":[0,1]}"#;
    let given = r#""memberRoles":[{"member":{"user":1}"#;
    assert_refused(&[
        (
            ann,
            r#"{"id":0,"name":"ann","roles":[0],"sessionsValidFrom":0}"#,
            "users[0].sessionsValidFrom",
        ),
        (
            admin,
            r#"{"id":0,"name":"Admin","builtin":true,"description":""}"#,
            "roles[0].description",
        ),
        (
            admin,
            r#"{"id":0,"name":"Admin","builtin":true,"putUsersOffline":false}"#,
            "roles[0].putUsersOffline",
        ),
        (
            r#""name":"QA","#,
            r#""name":"QA","builtin":false,"#,
            "roles[3].builtin",
        ),
        (
            r#""name":"Acme","#,
            r#""name":"Acme","description":"","#,
            "projects[1].description",
        ),
        (
            default_project,
            r#""users":[0,1],"groups":[],"objects":[0,1]}"#,
            "projects[0].groups",
        ),
        (
            default_project,
            r#""users":[0,1],"objects":[0,1],"memberRoles":[]}"#,
            "projects[0].memberRoles",
        ),
        (
            given,
            r#""memberRoles":[{"member":{"user":0},"roles":[]},{"member":{"user":1}"#,
            "projects[1].memberRoles[0]",
        ),
    ]);
}

/// (c) A built-in role stored with its own description or permissions
/// spelled out was accepted (on purpose, as documented then), and written
/// back without them.
#[test]
fn builtin_roles_spelled_out_are_refused() {
    let operator = serde_json::to_string(&callgate::BuiltinRole::Operator.permissions())
        .expect("permissions serialize");
    let admin = r#"{"id":0,"name":"Admin","builtin":true}"#;
    let described =
        r#"{"id":0,"name":"Admin","builtin":true,"description":"Every permission in the company"}"#;
    let listed = format!(r#"{{"id":2,"name":"Operator","builtin":true,"permissions":{operator}}}"#);
    assert_refused(&[
        (admin, described, "roles[0].description"),
        (
            r#"{"id":2,"name":"Operator","builtin":true}"#,
            &listed,
            "roles[2].permissions",
        ),
    ]);
}

/// (c) A custom role without `permissions`, or with `null`, was accepted,
/// and written back with `"permissions":[]`.
#[test]
fn a_custom_role_without_permissions_is_refused() {
    let listed = r#","permissions":["kpi.view","queues.view"]"#;
    assert_refused(&[
        (listed, "", "roles[3]"),
        (listed, r#","permissions":null"#, "roles[3]"),
    ]);
}

/// (c) A JSON object is unordered, and serde reads its members in any
/// order: members in another order than the writer's load, and are written
/// back in its order (like whitespace, a spelling of JSON rather than of
/// the document).
#[test]
fn members_in_another_order_are_written_back_in_the_writers() {
    assert_written_back(&[
        (r#"{"id":0,"name":"ann","#, r#"{"name":"ann","id":0,"#),
        (
            r#"{"name":"standard","version":1}"#,
            r#"{"version":1,"name":"standard"}"#,
        ),
        (
            r#"{"member":{"user":1},"roles":[1]}"#,
            r#"{"roles":[1],"member":{"user":1}}"#,
        ),
    ]);
}

/// Asserts that each edit `(canonical, from)` of the small company's
/// document loads, and is written back as the unedited document.
fn assert_written_back(edits: &[(&str, &str)]) {
    let _serial = serial();
    let json = small_company();
    for &(canonical, spelled) in edits {
        let input = edited(&json, canonical, spelled);
        let loaded = support::load_json(&input);
        let written = loaded.map(|company| written(&company.to_document()));
        assert_eq!(written.ok(), Some(json.clone().into_bytes()), "{spelled}");
    }
}
