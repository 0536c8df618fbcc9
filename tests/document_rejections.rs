//! Strict loading: every kind of bad stored data is refused with an error
//! that names its place in the document, and nothing is returned.
//!
//! One table row per bad input: a small mutation of the valid document of
//! [`support::sample`] (see its doc comment for what sits at each index),
//! the exact path the error must name, and a fragment of its message.
#![cfg(feature = "serde")]

#[path = "support_document/mod.rs"]
mod support;

use callgate::{Company, Error};
use serde_json::{Value, json};

use support::edit::{Case, assert_every_case_refused, push, remove, set};

#[rustfmt::skip]
const CASES: &[Case] = &[
    // ---- Shape: unknown fields, unknown names, wrong types ----------------
    Case {
        what: "unknown top-level field",
        mutate: |d| set(d, "/colour", json!("red")),
        path: "colour",
        message: "unknown field `colour`",
    },
    Case {
        what: "unknown field inside a user",
        mutate: |d| set(d, "/users/1/colour", json!("red")),
        path: "users[1].colour",
        message: "unknown field `colour`",
    },
    Case {
        what: "unknown field inside nextIds",
        mutate: |d| set(d, "/nextIds/sessions", json!(3)),
        path: "nextIds.sessions",
        message: "unknown field `sessions`",
    },
    Case {
        what: "unknown field inside an object",
        mutate: |d| set(d, "/objects/2/projects", json!([1])),
        path: "objects[2].projects",
        message: "unknown field `projects`",
    },
    Case {
        what: "unknown permission name",
        mutate: |d| set(d, "/roles/3/permissions/1", json!("queue.fly")),
        path: "roles[3].permissions[1]",
        message: "unknown permission `queue.fly`",
    },
    Case {
        what: "permission name in the wrong case",
        mutate: |d| set(d, "/roles/3/permissions/0", json!("QA_SHEETS.MANAGE")),
        path: "roles[3].permissions[0]",
        message: "unknown permission `QA_SHEETS.MANAGE`",
    },
    Case {
        what: "permissions as bits, not names",
        mutate: |d| set(d, "/roles/3/permissions", json!(1_835_008)),
        path: "roles[3].permissions",
        message: "invalid type: integer `1835008`, expected a list of permission names",
    },
    Case {
        what: "unknown object kind",
        mutate: |d| set(d, "/objects/1/kind", json!("spaceship")),
        path: "objects[1].kind",
        message: "unknown object kind `spaceship`",
    },
    Case {
        what: "unknown security mode",
        mutate: |d| set(d, "/mode", json!("paranoid")),
        path: "mode",
        message: "unknown variant `paranoid`",
    },
    Case {
        what: "wrong type: revision as a string",
        mutate: |d| set(d, "/revision", json!("15")),
        path: "revision",
        message: "invalid type: string \"15\", expected u64",
    },
    Case {
        what: "wrong type: an id as a string",
        mutate: |d| set(d, "/users/2/id", json!("2")),
        path: "users[2].id",
        message: "invalid type: string \"2\", expected u32",
    },
    Case {
        what: "wrong type: a negative id",
        mutate: |d| set(d, "/groups/0/members/0", json!(-1)),
        path: "groups[0].members[0]",
        message: "invalid value: integer `-1`, expected u32",
    },
    Case {
        what: "wrong type: an id past u32",
        mutate: |d| set(d, "/projects/1/objects/1", json!(4_294_967_296_u64)),
        path: "projects[1].objects[1]",
        message: "invalid value: integer `4294967296`, expected u32",
    },
    Case {
        what: "wrong type: a string where a record is expected",
        mutate: |d| set(d, "/users/0", json!("ann")),
        path: "users[0]",
        message: "invalid type: string \"ann\"",
    },
    Case {
        what: "wrong type: a record where a list is expected",
        mutate: |d| set(d, "/groups", json!({"id": 0})),
        path: "groups",
        message: "invalid type: map, expected a sequence",
    },
    Case {
        what: "wrong type: builtin as a string",
        mutate: |d| set(d, "/roles/0/builtin", json!("yes")),
        path: "roles[0].builtin",
        message: "invalid type: string \"yes\", expected a boolean",
    },
    Case {
        what: "missing field in a record",
        mutate: |d| remove(d, "/users/1/name"),
        path: "users[1]",
        message: "missing field `name`",
    },
    Case {
        what: "missing top-level field",
        mutate: |d| remove(d, "/nextIds"),
        path: "document",
        message: "missing field `nextIds`",
    },
    // ---- Format version ----------------------------------------------------
    Case {
        what: "format 0",
        mutate: |d| set(d, "/format", json!(0)),
        path: "format",
        message: "format version 0 is not one this library reads (1 to 2)",
    },
    Case {
        what: "a format from the future",
        mutate: |d| set(d, "/format", json!(3)),
        path: "format",
        message: "format version 3 is not one this library reads (1 to 2)",
    },
    // ---- Catalog (DOMAIN rule 19) ---------------------------------------------
    Case {
        what: "another product's catalog",
        mutate: |d| set(d, "/catalog/name", json!("acme-contact-center")),
        path: "catalog",
        message: "the document was written with catalog `acme-contact-center`, not `standard`",
    },
    Case {
        what: "a newer version of the catalog",
        mutate: |d| set(d, "/catalog/version", json!(7)),
        path: "catalog",
        message: "the document was written with version 7 of catalog `standard`, newer than this program's 1",
    },
    Case {
        what: "format 2 without its catalog",
        mutate: |d| remove(d, "/catalog"),
        path: "catalog",
        message: "format 2 needs the catalog's name and version",
    },
    Case {
        what: "format 1 naming a catalog",
        mutate: |d| set(d, "/format", json!(1)),
        path: "catalog",
        message: "a format 1 document names no catalog",
    },
    Case {
        what: "a catalog without its version",
        mutate: |d| remove(d, "/catalog/version"),
        path: "catalog",
        message: "missing field `version`",
    },
    // ---- Duplicate ids -------------------------------------------------------
    Case {
        what: "duplicate user id",
        mutate: |d| set(d, "/users/2/id", json!(0)),
        path: "users[2].id",
        message: "user id `0` comes after `1`: the list is sorted by id",
    },
    Case {
        what: "duplicate group id",
        mutate: |d| push(d, "/groups", json!({"id": 0, "name": "Team B"})),
        path: "groups[1].id",
        message: "group id `0` is given twice",
    },
    Case {
        what: "duplicate role id (a custom role on a built-in's id, listed twice)",
        mutate: |d| set(d, "/roles/3/id", json!(2)),
        path: "roles[3].id",
        message: "role id `2` is given twice",
    },
    Case {
        what: "duplicate project id",
        mutate: |d| set(d, "/projects/1/id", json!(0)),
        path: "projects[1].id",
        message: "project id `0` is given twice",
    },
    Case {
        what: "duplicate object id",
        mutate: |d| set(d, "/objects/2/id", json!(1)),
        path: "objects[2].id",
        message: "object id `1` is given twice",
    },
    // ---- Ids at or past nextIds --------------------------------------------------
    Case {
        what: "user id at nextIds",
        mutate: |d| set(d, "/users/1/id", json!(4)),
        path: "users[1].id",
        message: "user id `4` is not below nextIds.users (4)",
    },
    Case {
        what: "nextIds too small for an object id",
        mutate: |d| set(d, "/nextIds/objects", json!(2)),
        path: "objects[2].id",
        message: "object id `2` is not below nextIds.objects (2)",
    },
    Case {
        what: "group id past nextIds",
        mutate: |d| set(d, "/groups/0/id", json!(7)),
        path: "groups[0].id",
        message: "group id `7` is not below nextIds.groups (1)",
    },
    Case {
        what: "nextIds too small for the built-in roles",
        mutate: |d| set(d, "/nextIds/roles", json!(0)),
        path: "roles[0].id",
        message: "role id `0` is not below nextIds.roles (0)",
    },
    Case {
        what: "project id past nextIds",
        mutate: |d| set(d, "/projects/1/id", json!(2)),
        path: "projects[1].id",
        message: "project id `2` is not below nextIds.projects (2)",
    },
    // ---- Names -----------------------------------------------------------------
    Case {
        what: "duplicate user name",
        mutate: |d| set(d, "/users/1/name", json!("ann")),
        path: "users[1].name",
        message: "duplicate user name `ann`",
    },
    Case {
        what: "duplicate group name",
        mutate: |d| {
            set(d, "/nextIds/groups", json!(2));
            push(d, "/groups", json!({"id": 1, "name": "Team A"}));
        },
        path: "groups[1].name",
        message: "duplicate group name `Team A`",
    },
    Case {
        what: "duplicate role name: a custom role named like a built-in one",
        mutate: |d| set(d, "/roles/3/name", json!("Operator")),
        path: "roles[3].name",
        message: "duplicate role name `Operator`",
    },
    Case {
        what: "duplicate role name between custom roles",
        mutate: |d| {
            set(d, "/nextIds/roles", json!(5));
            push(d, "/roles", json!({"id": 4, "name": "QA", "permissions": []}));
        },
        path: "roles[4].name",
        message: "duplicate role name `QA`",
    },
    Case {
        what: "duplicate project name",
        mutate: |d| set(d, "/projects/1/name", json!("Default")),
        path: "projects[1].name",
        message: "duplicate project name `Default`",
    },
    Case {
        what: "duplicate object name within a kind",
        mutate: |d| set(d, "/objects/2/name", json!("Sales")),
        path: "objects[2].name",
        message: "duplicate queue name `Sales`",
    },
    Case {
        what: "duplicate object name, moved into the other kind",
        mutate: |d| set(d, "/objects/1/kind", json!("queue")),
        path: "objects[1].name",
        message: "duplicate queue name `Sales`",
    },
    Case {
        what: "blank user name",
        mutate: |d| set(d, "/users/1/name", json!("  ")),
        path: "users[1].name",
        message: "invalid user name `  `",
    },
    Case {
        what: "empty group name",
        mutate: |d| set(d, "/groups/0/name", json!("")),
        path: "groups[0].name",
        message: "invalid group name ``",
    },
    Case {
        what: "role name with surrounding white space",
        mutate: |d| set(d, "/roles/3/name", json!("QA ")),
        path: "roles[3].name",
        message: "invalid role name `QA `",
    },
    Case {
        what: "project name with a control character",
        mutate: |d| set(d, "/projects/1/name", json!("Client\nA")),
        path: "projects[1].name",
        message: "invalid project name `Client\nA`",
    },
    Case {
        what: "blank object name",
        mutate: |d| set(d, "/objects/0/name", json!(" ")),
        path: "objects[0].name",
        message: "invalid object name ` `",
    },
    // ---- References to missing records ---------------------------------------
    Case {
        what: "group member that was deleted",
        mutate: |d| set(d, "/groups/0/members/1", json!(3)),
        path: "groups[0].members[1]",
        message: "unknown user id `3`",
    },
    Case {
        what: "project user that was never created",
        mutate: |d| set(d, "/projects/1/users/0", json!(9)),
        path: "projects[1].users[0]",
        message: "unknown user id `9`",
    },
    Case {
        what: "project group that does not exist",
        mutate: |d| set(d, "/projects/1/groups/0", json!(5)),
        path: "projects[1].groups[0]",
        message: "unknown group id `5`",
    },
    Case {
        what: "user role that does not exist",
        mutate: |d| set(d, "/users/2/roles/0", json!(9)),
        path: "users[2].roles[0]",
        message: "unknown role id `9`",
    },
    Case {
        what: "group role that does not exist",
        mutate: |d| set(d, "/groups/0/roles", json!([2, 4])),
        path: "groups[0].roles[1]",
        message: "unknown role id `4`",
    },
    Case {
        what: "project object that does not exist",
        mutate: |d| set(d, "/projects/0/objects/1", json!(5)),
        path: "projects[0].objects[1]",
        message: "unknown object id `5`",
    },
    Case {
        what: "reference to a record removed from the document",
        mutate: |d| remove(d, "/objects/2"),
        path: "projects[1].objects[1]",
        message: "unknown object id `2`",
    },
    // ---- Built-in roles ----------------------------------------------------------
    Case {
        what: "built-in role with changed permissions",
        mutate: |d| set(d, "/roles/2/permissions", json!(["call_journal.view"])),
        path: "roles[2].permissions",
        message: "built-in role `Operator` cannot be changed",
    },
    Case {
        what: "Admin stored with fewer permissions",
        mutate: |d| set(d, "/roles/0/permissions", json!([])),
        path: "roles[0].permissions",
        message: "built-in role `Admin` cannot be changed",
    },
    Case {
        what: "built-in role renamed",
        mutate: |d| set(d, "/roles/1/name", json!("Boss")),
        path: "roles[1].name",
        message: "built-in role 1 is `Supervisor`, not `Boss`",
    },
    Case {
        what: "built-in role with another description",
        mutate: |d| set(d, "/roles/0/description", json!("Everything")),
        path: "roles[0].description",
        message: "built-in role `Admin` cannot be changed",
    },
    Case {
        what: "built-in role that puts users offline",
        mutate: |d| set(d, "/roles/2/putUsersOffline", json!(true)),
        path: "roles[2].putUsersOffline",
        message: "built-in role `Operator` cannot be changed",
    },
    Case {
        what: "missing built-in role",
        mutate: |d| remove(d, "/roles/1"),
        path: "roles",
        message: "built-in role `Supervisor` is missing",
    },
    Case {
        what: "custom role on a built-in id",
        mutate: |d| set(d, "/roles/1", json!({"id": 1, "name": "Boss", "permissions": []})),
        path: "roles[1].id",
        message: "role id `1` belongs to built-in role `Supervisor`",
    },
    Case {
        what: "built-in role stored without builtin: true",
        mutate: |d| remove(d, "/roles/2/builtin"),
        path: "roles[2].id",
        message: "role id `2` belongs to built-in role `Operator`",
    },
    Case {
        what: "builtin: true on a non-built-in id",
        mutate: |d| set(d, "/roles/3/builtin", json!(true)),
        path: "roles[3].builtin",
        message: "role id `3` is not a built-in role",
    },
    // ---- Company-wide rules ------------------------------------------------------
    Case {
        what: "defaultProject that does not exist",
        mutate: |d| set(d, "/defaultProject", json!(9)),
        path: "defaultProject",
        message: "unknown project id `9`",
    },
    Case {
        what: "defaultProject not named Default",
        mutate: |d| set(d, "/defaultProject", json!(1)),
        path: "defaultProject",
        message: "project `Client A` is not named `Default`",
    },
    Case {
        what: "defaultProject missing in enhanced mode",
        mutate: |d| remove(d, "/defaultProject"),
        path: "defaultProject",
        message: "enhanced mode needs the Default project",
    },
    Case {
        what: "sessionsValidFrom past the revision",
        mutate: |d| set(d, "/users/1/sessionsValidFrom", json!(16)),
        path: "users[1].sessionsValidFrom",
        message: "revision 16 is past the document's revision 15",
    },
    Case {
        what: "revision behind a user's sessionsValidFrom",
        mutate: |d| {
            set(d, "/users/2/sessionsValidFrom", json!(15));
            set(d, "/revision", json!(14));
        },
        path: "users[2].sessionsValidFrom",
        message: "revision 15 is past the document's revision 14",
    },
    Case {
        what: "the largest revision: changes would overflow it",
        mutate: |d| set(d, "/revision", json!(u64::MAX)),
        path: "revision",
        message: "revision 18446744073709551615 is past the largest a company can reach (9223372036854775807)",
    },
    Case {
        what: "a revision just past i64::MAX",
        mutate: |d| set(d, "/revision", json!(1_u64 << 63)),
        path: "revision",
        message: "revision 9223372036854775808 is past the largest",
    },
    Case {
        what: "users but no Admin holder",
        mutate: |d| remove(d, "/users/0/roles"),
        path: "roles[0]",
        message: "no user holds the Admin role",
    },
    Case {
        what: "Admin held only by a group with no members",
        mutate: |d| {
            remove(d, "/users/0/roles");
            remove(d, "/groups/0/members");
            set(d, "/groups/0/roles", json!([0]));
        },
        path: "roles[0]",
        message: "no user holds the Admin role",
    },
    Case {
        what: "roles stored out of order (refused before the Admin check)",
        mutate: |d| {
            remove(d, "/users/0/roles");
            if let Some(Value::Array(roles)) = d.get_mut("roles") {
                roles.reverse();
            }
        },
        path: "roles[1].id",
        message: "role id `2` comes after `3`: the list is sorted by id",
    },
];

fn sample_value() -> Value {
    let company = support::sample().expect("the sample company builds");
    support::document_value(&company.to_document())
}

#[test]
fn the_unmutated_sample_loads() -> Result<(), Box<dyn std::error::Error>> {
    let json = serde_json::to_string(&sample_value())?;
    let company = support::load_json(&json)?;
    assert_eq!(company.to_document(), support::sample()?.to_document());
    Ok(())
}

#[test]
fn every_bad_input_is_refused_with_its_path() {
    assert_every_case_refused(&sample_value(), CASES);
}

#[test]
fn the_error_message_starts_with_the_path() {
    let mut document = sample_value();
    set(&mut document, "/roles/3/permissions/1", json!("queue.fly"));
    let error = support::load_json(&document.to_string()).err();
    let text = error.map(|e| e.to_string()).unwrap_or_default();
    assert!(
        text.starts_with("roles[3].permissions[1]: unknown permission `queue.fly`"),
        "{text}"
    );
}

/// A mutation of the sample document.
type Mutation = fn(&mut Value);

/// Mutations that look suspicious but are fine: each must still load.
#[rustfmt::skip]
const ACCEPTED: &[(&str, Mutation)] = &[
    ("the same object name in two kinds (already in the sample)", |_| {}),
    ("the same name for a user, a group, a role and a project", |d| {
        set(d, "/users/1/name", json!("Client A"));
        set(d, "/groups/0/name", json!("Client A"));
        set(d, "/roles/3/name", json!("Client A"));
    }),
    ("nextIds past every id (records deleted at the end)", |d| {
        // Every id given out took a change: the revision covers them.
        set(d, "/nextIds/users", json!(40));
        set(d, "/nextIds/objects", json!(9));
        set(d, "/revision", json!(60));
    }),
    ("sessionsValidFrom equal to the revision", |d| set(d, "/users/1/sessionsValidFrom", json!(15))),
    ("the largest revision a document may have", |d| set(d, "/revision", json!(i64::MAX))),
    ("simple mode with no Default project yet", |d| {
        set(d, "/mode", json!("simple"));
        remove(d, "/defaultProject");
        set(d, "/projects/0/name", json!("Old default"));
    }),
    ("no users at all (a new company)", |d| {
        set(d, "/users", json!([]));
        remove(d, "/groups/0/members");
        set(d, "/projects", json!([{"id": 0, "name": "Default"}]));
    }),
    ("Admin held through a group only", |d| {
        remove(d, "/users/0/roles");
        set(d, "/groups/0/roles", json!([0, 2]));
    }),
];

#[test]
fn suspicious_but_valid_documents_load() {
    let mut failures = Vec::new();
    for (what, mutate) in ACCEPTED {
        let mut document = sample_value();
        mutate(&mut document);
        let json = document.to_string();
        match support::load_json(&json) {
            Ok(company) => {
                // What loads writes a document that loads into the same state.
                let again = support::load_json(
                    &serde_json::to_string(&company.to_document()).unwrap_or_default(),
                );
                if again.map(|c| c.to_document()).ok() != Some(company.to_document()) {
                    failures.push(format!("{what}: does not load back the same"));
                }
            }
            Err(error) => failures.push(format!("{what}: {error}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn load_error(document: &Value) -> Error {
    let text = document.to_string();
    match Company::<callgate::Permissions>::load(&mut serde_json::Deserializer::from_str(&text)) {
        Ok(_) => panic!("loaded: {text}"),
        Err(error) => error,
    }
}

/// A tiny document that names billions of ids must be refused, not make the
/// loader ask for a terabyte and abort the process.
#[test]
fn huge_id_counts_are_refused_without_allocating() {
    for field in ["users", "groups", "roles", "projects", "objects"] {
        let mut document = sample_value();
        set(&mut document, &format!("/nextIds/{field}"), json!(u32::MAX));
        let Error::Document { path, message } = load_error(&document) else {
            panic!("not a document error");
        };
        assert_eq!(path, "nextIds", "{field}: {message}");
        assert!(message.contains("ids were given out"), "{message}");
    }
    // Even with a revision that would allow them, the memory is asked for
    // with `try_reserve` and refused cleanly.
    let mut document = sample_value();
    set(&mut document, "/revision", json!(i64::MAX));
    set(&mut document, "/nextIds/users", json!(u32::MAX));
    let Error::Document { path, .. } = load_error(&document) else {
        panic!("not a document error");
    };
    assert_eq!(path, "nextIds.users");
}

/// A document from a newer library is refused for its version, even when it
/// also carries fields this library does not know.
#[test]
fn a_future_format_is_named_before_its_new_fields() {
    let mut document = sample_value();
    set(&mut document, "/format", json!(3));
    // A field a newer library would add (written after `format`).
    set(&mut document, "/retentionPolicy", json!({}));
    let Error::Document { path, message } = load_error(&document) else {
        panic!("not a document error");
    };
    assert_eq!(path, "format");
    assert!(
        message.starts_with("format version 3 is not one this library reads"),
        "{message}"
    );
}

/// serde's messages for a record of the wrong shape do not name Rust types.
#[test]
fn shape_errors_speak_of_records_not_rust_types() {
    let mut document = sample_value();
    set(&mut document, "/users/0", json!("ann"));
    let Error::Document { path, message } = load_error(&document) else {
        panic!("not a document error");
    };
    assert_eq!(path, "users[0]");
    assert!(message.contains("expected a user"), "{message}");
    assert!(!message.contains("UserRecord"), "{message}");
}

/// A document built by the host (not read by serde, which checks `format`
/// first) with a format this library does not read is refused at `format`.
#[test]
fn from_document_refuses_an_unreadable_format_at_its_path() {
    for format in [0, callgate::FORMAT_VERSION + 1] {
        let mut document = callgate::Document::new();
        document.format = format;
        match Company::from_document(document) {
            Err(Error::Document { path, message }) => {
                assert_eq!(path, "format", "{message}");
                assert!(
                    message.contains("is not one this library reads"),
                    "{message}"
                );
            }
            other => panic!("format {format}: {other:?}"),
        }
    }
}

/// Issue 24 (10): a refusal at a path is shown without the reader's
/// ` at line 1 column N`: the path says where, and a host that read the
/// document from a database column has no lines to count.
#[test]
fn messages_at_a_path_leave_the_readers_position_out() {
    for case in CASES {
        let mut document = sample_value();
        (case.mutate)(&mut document);
        let error = load_error(&document);
        let shown = error.to_string();
        assert!(!shown.contains(" at line "), "{}: {shown}", case.what);
        assert!(
            shown.starts_with(&format!("{}: ", case.path)),
            "{}: {shown}",
            case.what
        );
    }
}

/// The position is still there, as data, for an error the reader found; a
/// problem found after reading has none.
#[test]
fn the_readers_position_is_kept_as_data() -> Result<(), serde_json::Error> {
    let mut document = sample_value();
    set(&mut document, "/users/1/colour", json!("red"));
    let error = load_error(&document);
    let position = error.position().expect("the reader's position");
    assert_eq!(position.line, 1);
    assert!(position.column > 1, "{position}");
    let shown = error.to_string();
    assert!(
        shown.starts_with("users[1].colour: unknown field `colour`, expected one of"),
        "{shown}"
    );
    assert!(shown.ends_with('`'), "{shown}");
    // Serialized: the message shown, and the position under `details`.
    let value = serde_json::to_value(&error)?;
    assert_eq!(value["message"], json!(shown));
    assert_eq!(
        value["details"]["message"],
        json!(shown.trim_start_matches("users[1].colour: "))
    );
    assert_eq!(
        value["details"]["position"],
        json!({ "line": 1, "column": position.column })
    );

    // A reference to a missing record is found after reading: no position.
    let mut document = sample_value();
    set(&mut document, "/users/0/roles", json!([9]));
    let error = load_error(&document);
    assert_eq!(error.position(), None, "{error}");
    assert!(
        serde_json::to_value(&error)?["details"]
            .get("position")
            .is_none()
    );
    Ok(())
}

/// Text that breaks off: the message names the place (the whole document,
/// or the record it was in) and the position stays data.
#[test]
fn a_document_cut_short_keeps_its_position_as_data() {
    let text = sample_value().to_string();
    let cut = &text[..text.len() / 2];
    let error =
        Company::<callgate::Permissions>::load(&mut serde_json::Deserializer::from_str(cut))
            .expect_err("a document cut in half");
    assert!(matches!(error, Error::Document { .. }), "{error:?}");
    assert!(!error.to_string().contains(" at line "), "{error}");
    let position = error.position().expect("the reader's position");
    assert_eq!(position.line, 1);
    assert_eq!(position.column, cut.len());
}
