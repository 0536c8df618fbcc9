//! Canonical documents (issue 14): loading refuses a document that is not
//! in the form the library writes, naming the place, so that every document
//! that loads is written back byte for byte. 0.1 loaded these and silently
//! normalised them.
//!
//! The one exception is the order of permission names within a role, and
//! names another listed name implies: both follow the catalog, whose order
//! may change between its versions (DOMAIN rule 19), so they are normalised.
//! A name listed twice is refused.
#![cfg(feature = "serde")]

#[path = "support_document/mod.rs"]
mod support;

use serde_json::{Value, json};
use support::edit::{Case, assert_every_case_refused, remove, set};

const DEFAULT: &str = "the canonical form leaves out a field at its default value";

#[rustfmt::skip]
const CASES: &[Case] = &[
    // ---- Records in id order, each once ----------------------------------------
    Case { what: "users out of order", path: "users[1].id", message: "user id `0` comes after `1`",
        mutate: |d| swap(d, "/users", 0, 1) },
    Case { what: "objects out of order", path: "objects[2].id", message: "object id `1` comes after `2`",
        mutate: |d| swap(d, "/objects", 1, 2) },
    Case { what: "roles out of order", path: "roles[1].id", message: "role id `0` comes after `1`",
        mutate: |d| swap(d, "/roles", 0, 1) },
    // ---- References in id order, each once --------------------------------------
    Case { what: "a user's role listed twice", path: "users[0].roles[1]", message: "role id `0` is given twice",
        mutate: |d| set(d, "/users/0/roles", json!([0, 0])) },
    Case { what: "a group's members out of order", path: "groups[0].members[1]",
        message: "user id `1` comes after `2`: the list is sorted by id",
        mutate: |d| set(d, "/groups/0/members", json!([2, 1])) },
    Case { what: "a project's object listed twice", path: "projects[1].objects[1]",
        message: "object id `0` is given twice",
        mutate: |d| set(d, "/projects/1/objects", json!([0, 0, 2])) },
    Case { what: "a project's users out of order", path: "projects[0].users[2]",
        message: "user id `1` comes after `2`", mutate: |d| set(d, "/projects/0/users", json!([0, 2, 1])) },
    // ---- Fields at their default value are left out -----------------------------
    Case { what: "an empty role list", path: "users[1].roles", message: DEFAULT,
        mutate: |d| set(d, "/users/1/roles", json!([])) },
    Case { what: "sessionsValidFrom 0", path: "users[0].sessionsValidFrom", message: DEFAULT,
        mutate: |d| set(d, "/users/0/sessionsValidFrom", json!(0)) },
    Case { what: "builtin: false", path: "roles[3].builtin", message: DEFAULT,
        mutate: |d| set(d, "/roles/3/builtin", json!(false)) },
    Case { what: "putUsersOffline: false", path: "roles[0].putUsersOffline", message: DEFAULT,
        mutate: |d| set(d, "/roles/0/putUsersOffline", json!(false)) },
    Case { what: "an empty description", path: "projects[1].description", message: DEFAULT,
        mutate: |d| set(d, "/projects/1/description", json!("")) },
    Case { what: "an empty group list", path: "projects[0].groups", message: DEFAULT,
        mutate: |d| set(d, "/projects/0/groups", json!([])) },
    Case { what: "defaultProject: null", path: "defaultProject", message: "invalid type: null",
        mutate: |d| set(d, "/defaultProject", Value::Null) },
    Case { what: "company: null", path: "company", message: "invalid type: null",
        mutate: |d| set(d, "/company", Value::Null) },
    Case { what: "permissions: null", path: "roles[3].permissions", message: "invalid type: null",
        mutate: |d| set(d, "/roles/3/permissions", Value::Null) },
    // ---- Built-in roles by name only; custom roles with their permissions -------
    Case { what: "a built-in role with its own permissions", path: "roles[2].permissions",
        message: "built-in role `Operator` is stored by name only: its permissions come from the code",
        mutate: |d| set(d, "/roles/2/permissions", serde_json::to_value(callgate::Permissions::OPERATOR).unwrap_or_default()) },
    Case { what: "a built-in role with its own description", path: "roles[0].description",
        message: "built-in role `Admin` is stored by name only: its description comes from the code",
        mutate: |d| set(d, "/roles/0/description", json!(callgate::BuiltinRole::Admin.description())) },
    Case { what: "a custom role without permissions", path: "roles[3].permissions",
        message: "missing: a custom role lists its permissions (`[]` for none)",
        mutate: |d| remove(d, "/roles/3/permissions") },
    Case { what: "a permission listed twice", path: "roles[3].permissions",
        message: "permission `qa_checks.manage` is listed twice",
        mutate: |d| set(d, "/roles/3/permissions", json!(["qa_sheets.manage", "qa_checks.manage", "qa_checks.manage"])) },
    // ---- The company's id ------------------------------------------------------------
    Case { what: "no company id in format 2", path: "company", message: "format 2 needs the company's id",
        mutate: |d| remove(d, "/company") },
    Case { what: "a company id in uppercase", path: "company", message: "is written in lowercase",
        mutate: |d| set(d, "/company", json!("0000000000C0FFEE")) },
    Case { what: "a short company id", path: "company", message: "`c0ffee` is not a company id",
        mutate: |d| set(d, "/company", json!("c0ffee")) },
];

/// Swaps two elements of the array at `pointer`.
fn swap(document: &mut Value, pointer: &str, a: usize, b: usize) {
    if let Some(Value::Array(items)) = document.pointer_mut(pointer) {
        items.swap(a, b);
    }
}

fn sample_value() -> Value {
    let company = support::sample().expect("the sample company builds");
    support::document_value(&company.to_document())
}

#[test]
fn a_non_canonical_document_is_refused_with_its_path() {
    assert_every_case_refused(&sample_value(), CASES);
}

/// The sample, written by the library, loads and is written back byte for
/// byte; so does every document written after a load.
#[test]
fn a_canonical_document_round_trips_byte_for_byte() -> Result<(), Box<dyn std::error::Error>> {
    let written = serde_json::to_string(&support::sample()?.to_document())?;
    let loaded = support::load_json(&written)?;
    assert_eq!(serde_json::to_string(&loaded.to_document())?, written);
    Ok(())
}

/// Permission names in another order, or with names another implies, are
/// the catalog's business: they load, and are written back in its form.
#[test]
fn permission_names_are_normalised_to_the_catalogs_order() -> Result<(), Box<dyn std::error::Error>>
{
    let canonical = sample_value();
    for names in [
        json!(["qa_checks.manage", "qa_sheets.manage"]),
        json!(["qa_sheets.view", "qa_sheets.manage", "qa_checks.manage"]),
    ] {
        let mut document = canonical.clone();
        set(&mut document, "/roles/3/permissions", names);
        let loaded = support::load_json(&document.to_string())?;
        assert_eq!(support::document_value(&loaded.to_document()), canonical);
    }
    Ok(())
}
