//! Change-log entries written by callgate 0.1, migrated with
//! `LogEntry::migrate_0_1` and replayed.
//!
//! The golden files under `tests/golden/log_0_1/` were written by 0.1
//! itself (release commit 3a993ef, built from `git archive` in a scratch
//! directory), never blessed:
//! - `entries.jsonl`: 50 entries, one a line, as 0.1 wrote them
//!   (`serde_json::to_string(&LogEntry { revision, change })`, as its
//!   `replicas` example did), each applied by 0.1 with `apply_expecting` at
//!   its revision. Every op of 0.1 and every kind of object is there. The
//!   first 15 are the changes of the sample company: after them, 0.1 wrote
//!   `tests/golden/document_v1.json` byte for byte (the generator checked it).
//! - `document.json`: the document 0.1 wrote after the last entry (revision 50).
//! - `migrated.jsonl`: the same entries in the current format, for the
//!   company `0000000000c0ffee`, derived from `entries.jsonl` by a script that
//!   does not use callgate (`"company"` put after `"revision"`;
//!   `add_project_members` given `"roles": []`; nothing else differs).
#![cfg(feature = "serde")]

use std::collections::BTreeSet;

use callgate::{Company, CompanyId, Error, LogEntry, Permissions};

const ENTRIES: &str = "tests/golden/log_0_1/entries.jsonl";
const MIGRATED: &str = "tests/golden/log_0_1/migrated.jsonl";
const DOCUMENT_AT_50: &str = "tests/golden/log_0_1/document.json";
const DOCUMENT_AT_15: &str = "tests/golden/document_v1.json";

/// The company whose log the golden entries are.
const ID: CompanyId = CompanyId::new(0x00c0_ffee);

/// Every op 0.1 had (its `Change`, release commit 3a993ef).
const OPS_0_1: [&str; 25] = [
    "create_user",
    "rename_user",
    "delete_user",
    "create_group",
    "rename_group",
    "delete_group",
    "add_group_members",
    "remove_group_members",
    "create_role",
    "edit_role",
    "delete_role",
    "assign_role",
    "unassign_role",
    "set_section_access",
    "set_security_mode",
    "create_project",
    "edit_project",
    "delete_project",
    "add_project_members",
    "remove_project_members",
    "add_project_objects",
    "remove_project_objects",
    "create_object",
    "rename_object",
    "delete_object",
];

type Result<T = (), E = Box<dyn std::error::Error>> = std::result::Result<T, E>;

fn lines(path: &str) -> Result<Vec<String>> {
    Ok(std::fs::read_to_string(path)?
        .lines()
        .map(str::to_owned)
        .collect())
}

fn migrate(json: &str) -> Result<LogEntry, Error> {
    LogEntry::migrate_0_1(ID, &mut serde_json::Deserializer::from_str(json))
}

fn migrated_log() -> Result<Vec<LogEntry>> {
    let mut log = Vec::new();
    for line in lines(ENTRIES)? {
        log.push(migrate(&line)?);
    }
    Ok(log)
}

/// A company loaded from a document 0.1 wrote, with the log's company id.
fn load_0_1(path: &str) -> Result<Company> {
    let json = std::fs::read_to_string(path)?;
    Ok(Company::<Permissions>::load(&mut serde_json::Deserializer::from_str(&json))?.with_id(ID))
}

fn document(company: &Company) -> Result<String> {
    Ok(serde_json::to_string(&company.to_document())?)
}

#[test]
fn the_golden_log_covers_every_op_and_kind_of_0_1() -> Result {
    let mut ops = BTreeSet::new();
    let mut kinds = BTreeSet::new();
    for (i, line) in lines(ENTRIES)?.iter().enumerate() {
        let entry: serde_json::Value = serde_json::from_str(line)?;
        assert_eq!(entry["revision"], i, "one entry a revision, in order");
        ops.insert(
            entry["change"]["op"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        );
        if let Some(kind) = entry["change"]["kind"].as_str() {
            kinds.insert(kind.to_owned());
        }
    }
    assert_eq!(ops, OPS_0_1.iter().map(|op| op.to_string()).collect());
    assert_eq!(kinds.len(), 9, "{kinds:?}");
    Ok(())
}

#[test]
fn every_entry_of_0_1_migrates_to_the_expected_entry() -> Result {
    let entries = lines(ENTRIES)?;
    let expected = lines(MIGRATED)?;
    assert_eq!(entries.len(), expected.len());
    for (old, new) in entries.iter().zip(&expected) {
        let migrated = migrate(old)?;
        assert_eq!(migrated, serde_json::from_str::<LogEntry>(new)?, "{old}");
        assert_eq!(&serde_json::to_string(&migrated)?, new, "{old}");
        assert_eq!((migrated.company, migrated.actor), (ID, None));
        assert!(migrated.context.is_empty());
    }
    Ok(())
}

#[test]
fn an_unmigrated_entry_is_refused_by_the_plain_decoder_which_points_to_the_migration() -> Result {
    for line in lines(ENTRIES)? {
        let revision = serde_json::from_str::<serde_json::Value>(&line)?["revision"].clone();
        let error = serde_json::from_str::<LogEntry>(&line)
            .expect_err("0.1 entries name no company")
            .to_string();
        assert!(
            error.starts_with(&format!(
                "log entry at revision {revision}: field `company`: missing: an entry written \
                 by 0.1 names no company: migrate it with `LogEntry::migrate_0_1`"
            )),
            "{error}"
        );
    }
    Ok(())
}

/// The migrated log replays on a new company of its id to exactly what 0.1
/// had: at revision 15 the golden document 0.1 wrote, at revision 50 the
/// document it wrote after the last entry.
#[test]
fn the_migrated_log_replays_to_the_state_0_1_reached() -> Result {
    let log = migrated_log()?;
    let mut company = Company::new().with_id(ID);
    assert_eq!(company.catch_up(&log[..15])?, 15);
    assert_eq!(document(&company)?, document(&load_0_1(DOCUMENT_AT_15)?)?);
    assert_eq!(company.catch_up(&log)?, 35);
    assert_eq!(company.revision(), 50);
    assert_eq!(document(&company)?, document(&load_0_1(DOCUMENT_AT_50)?)?);
    Ok(())
}

/// A replica loaded from the document 0.1 wrote at revision 15 skips the
/// entries before it and catches up on the rest.
#[test]
fn a_replica_loaded_from_the_0_1_document_catches_up_on_the_rest() -> Result {
    let log = migrated_log()?;
    let mut replica = load_0_1(DOCUMENT_AT_15)?;
    assert_eq!(replica.revision(), 15);
    assert_eq!(replica.catch_up(&log)?, 35);
    let mut fresh = Company::new().with_id(ID);
    fresh.catch_up(&log)?;
    assert_eq!(document(&replica)?, document(&fresh)?);
    assert_eq!(replica.snapshot(), fresh.snapshot());
    Ok(())
}

#[test]
fn migration_and_replay_are_deterministic() -> Result {
    let (first, second) = (migrated_log()?, migrated_log()?);
    assert_eq!(first, second);
    let mut a = Company::new().with_id(ID);
    let mut b = Company::new().with_id(ID);
    a.catch_up(&first)?;
    b.catch_up(second.iter())?;
    assert_eq!(document(&a)?, document(&b)?);
    assert_eq!(a.snapshot(), b.snapshot());
    Ok(())
}

/// The migrated log is of its company only.
#[test]
fn another_company_refuses_the_migrated_log() -> Result {
    let log = migrated_log()?;
    let mut other = Company::new().with_id(CompanyId::new(7));
    let error = other.catch_up(&log).expect_err("another company's log");
    assert!(matches!(error, Error::OtherCompany { .. }), "{error}");
    assert_eq!(other.revision(), 0);
    Ok(())
}

/// 0.1 wrote `revision` first and `op` first; a host that re-encoded its
/// log (a JSON column, a map with sorted keys) may have reordered them.
#[test]
fn keys_in_any_order_migrate_alike() -> Result {
    for line in lines(ENTRIES)? {
        let sorted = serde_json::to_string(&serde_json::from_str::<serde_json::Value>(&line)?)?;
        assert_eq!(migrate(&sorted)?, migrate(&line)?, "{sorted}");
    }
    let reversed =
        r#"{"change":{"principals":[{"user":2}],"role":2,"op":"assign_role"},"revision":9}"#;
    assert_eq!(
        migrate(reversed)?,
        migrate(
            r#"{"revision":9,"change":{"op":"assign_role","role":2,"principals":[{"user":2}]}}"#
        )?
    );
    Ok(())
}

/// Everything 0.1 did not write is refused, at its path, with what is wrong.
#[test]
fn what_is_not_an_entry_of_0_1_is_refused_with_its_path() {
    const CASES: &[(&str, &str, &str)] = &[
        // The entry.
        (
            "42",
            "entry",
            "invalid type: integer `42`, expected a change-log entry written by 0.1",
        ),
        (r#"{"revision":0,"#, "entry", "EOF while parsing"),
        (
            r#"{"change":{"op":"delete_user","user":1}}"#,
            "revision",
            "missing",
        ),
        (r#"{"revision":0}"#, "change", "missing"),
        (
            r#"{"revision":-1,"change":{"op":"delete_user","user":1}}"#,
            "revision",
            "invalid value: integer `-1`, expected u64",
        ),
        (
            r#"{"revision":0,"revision":1,"change":{"op":"delete_user","user":1}}"#,
            "revision",
            "given twice",
        ),
        (
            r#"{"revision":0,"change":{"op":"delete_user","user":1},"change":{"op":"delete_user","user":1}}"#,
            "change",
            "given twice",
        ),
        (
            r#"{"revision":0,"change":{"op":"delete_user","user":1},"actor":{"user":0}}"#,
            "actor",
            "unknown field `actor`: an entry written by 0.1 has only `revision` and `change`",
        ),
        (
            r#"{"revision":0,"change":{"op":"delete_user","user":1},"context":{}}"#,
            "context",
            "unknown field `context`",
        ),
        // The change and its op.
        (
            r#"{"revision":0,"change":[1]}"#,
            "change",
            "expected a change written by 0.1: an object with its `op`",
        ),
        (
            r#"{"revision":0,"change":{"user":1}}"#,
            "change.op",
            "missing",
        ),
        (
            r#"{"revision":0,"change":{"op":7,"user":1}}"#,
            "change.op",
            "expected the name of a change, such as `delete_user`",
        ),
        (
            r#"{"revision":0,"change":{"op":"delete_user","op":"delete_user","user":1}}"#,
            "change.op",
            "given twice",
        ),
        (
            r#"{"revision":0,"change":{"op":"assign_project_role","project":1,"role":3,"principals":[]}}"#,
            "change.op",
            "unknown op `assign_project_role` for an entry written by 0.1, expected one of `create_user`, `rename_user`, ",
        ),
        (
            r#"{"revision":0,"change":{"op":"unassign_project_role","project":1,"role":3,"principals":[]}}"#,
            "change.op",
            "unknown op `unassign_project_role`",
        ),
        // The change's fields, as 0.1 read them.
        (
            r#"{"revision":0,"change":{"op":"add_project_members","project":1,"principals":[],"roles":[]}}"#,
            "change.roles",
            "unknown field `roles`, expected `project` or `principals`",
        ),
        (
            r#"{"revision":0,"change":{"op":"delete_user"}}"#,
            "change",
            "missing field `user`",
        ),
        (
            r#"{"revision":0,"change":{"op":"delete_user","user":"x"}}"#,
            "change.user",
            "invalid type: string \"x\", expected u32",
        ),
        (
            r#"{"revision":0,"change":{"op":"delete_user","user":1,"user":2}}"#,
            "change",
            "duplicate field `user`",
        ),
        (
            r#"{"revision":0,"change":{"op":"create_role","name":"QA","permissions":["qa_sheets.manage","queue.fly"]}}"#,
            "change.permissions[1]",
            "unknown permission `queue.fly`",
        ),
        (
            r#"{"revision":0,"change":{"op":"create_role","name":"QA","permissions":"qa_sheets.manage"}}"#,
            "change.permissions",
            "invalid type: string \"qa_sheets.manage\", expected a list of permission names",
        ),
        (
            r#"{"revision":0,"change":{"op":"edit_role","role":3,"permissions":["kpi.fly"]}}"#,
            "change.permissions[0]",
            "unknown permission `kpi.fly`",
        ),
        (
            r#"{"revision":0,"change":{"op":"assign_role","role":2,"principals":[{"user":1},{"team":1}]}}"#,
            "change.principals[1]",
            "unknown variant `team`, expected `user` or `group`",
        ),
        (
            r#"{"revision":0,"change":{"op":"assign_role","role":2,"principals":[{"user":1,"group":1}]}}"#,
            "change.principals[0]",
            "expected an object of one field",
        ),
        (
            r#"{"revision":0,"change":{"op":"create_object","kind":"spaceship","name":"X"}}"#,
            "change.kind",
            "unknown object kind `spaceship`",
        ),
        (
            r#"{"revision":0,"change":{"op":"set_security_mode","mode":"paranoid"}}"#,
            "change.mode",
            "unknown variant `paranoid`, expected `simple` or `enhanced`",
        ),
        (
            r#"{"revision":0,"change":{"op":"create_user","name":"ann","colour":"red"}}"#,
            "change.colour",
            "unknown field `colour`",
        ),
    ];
    let mut failures = Vec::new();
    for &(json, path, message) in CASES {
        match migrate(json) {
            Err(Error::Document {
                path: at,
                message: said,
            }) if at == path && said.starts_with(message) => {}
            other => failures.push(format!(
                "{json}\n  expected {path}: {message}...\n  got {other:?}"
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// An entry of 0.2 or later names its company: it needs no migration, and
/// the migration says so rather than dropping the company it names.
#[test]
fn an_entry_of_0_2_is_refused_by_the_migration() -> Result {
    for line in lines(MIGRATED)? {
        match migrate(&line) {
            Err(error @ Error::Document { .. }) => {
                // Shown without the reader's position (issue 24), which
                // stays in the message field and in `position()`.
                assert_eq!(
                    error.to_string(),
                    "company: an entry that names its company was written by 0.2 or later: it \
                     needs no migration, decode it as it is"
                );
                assert!(error.position().is_some(), "{error:?}");
                let Error::Document { path, message } = error else {
                    unreachable!()
                };
                assert_eq!(path, "company");
                assert!(
                    message.starts_with(
                        "an entry that names its company was written by 0.2 or later: it \
                         needs no migration, decode it as it is at line 1 column"
                    ),
                    "{message}"
                );
            }
            other => panic!("{line}: {other:?}"),
        }
    }
    // With an actor and context too, and whatever the key order.
    let mut company = Company::new().with_id(ID);
    let ann = company.create_user("ann")?;
    let session = company.login(ann)?;
    let plan = company.plan_as(
        &session,
        callgate::Change::RenameUser {
            user: ann,
            name: "anna".into(),
        },
    )?;
    let entry = plan.entry().clone().with_context("requestId", "r-1");
    let json = serde_json::to_string(&entry)?;
    let sorted = serde_json::to_string(&serde_json::from_str::<serde_json::Value>(&json)?)?;
    for json in [json, sorted] {
        let error = migrate(&json).expect_err("an entry of 0.2");
        assert!(
            error
                .to_string()
                .starts_with("company: an entry that names its company"),
            "{error}"
        );
    }
    Ok(())
}
