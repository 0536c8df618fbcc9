//! Edits of a document as JSON, by JSON pointer: the mutations of the
//! rejection and canonical-form tests.

use serde_json::Value;

/// Where a mutation writes: a JSON pointer into the document.
pub(crate) fn at<'a>(document: &'a mut Value, pointer: &str) -> &'a mut Value {
    document
        .pointer_mut(pointer)
        .unwrap_or_else(|| panic!("the sample document has no `{pointer}`"))
}

/// Sets the value at `pointer` (in an object, the key may be new).
pub(crate) fn set(document: &mut Value, pointer: &str, value: Value) {
    let (parent, key) = pointer.rsplit_once('/').unwrap_or(("", pointer));
    match at(document, parent) {
        Value::Object(map) => {
            map.insert(key.to_owned(), value);
        }
        Value::Array(items) => {
            let index: usize = key.parse().unwrap_or(usize::MAX);
            *items
                .get_mut(index)
                .unwrap_or_else(|| panic!("no element `{pointer}`")) = value;
        }
        other => panic!("`{parent}` is {other}, not an object or array"),
    }
}

/// Removes the value at `pointer` (a key, or an array element).
pub(crate) fn remove(document: &mut Value, pointer: &str) {
    let (parent, key) = pointer.rsplit_once('/').unwrap_or(("", pointer));
    let removed = match at(document, parent) {
        Value::Object(map) => map.remove(key),
        Value::Array(items) => key
            .parse::<usize>()
            .ok()
            .filter(|&i| i < items.len())
            .map(|i| items.remove(i)),
        _ => None,
    };
    assert!(removed.is_some(), "nothing to remove at `{pointer}`");
}

/// Appends `value` to the array at `pointer`.
pub(crate) fn push(document: &mut Value, pointer: &str, value: Value) {
    match at(document, pointer) {
        Value::Array(items) => items.push(value),
        other => panic!("`{pointer}` is {other}, not an array"),
    }
}

/// One bad input: what is wrong, in words; the mutation of a valid
/// document; the exact path the error names; a fragment of its message.
pub(crate) struct Case {
    pub(crate) what: &'static str,
    pub(crate) mutate: fn(&mut Value),
    pub(crate) path: &'static str,
    pub(crate) message: &'static str,
}

/// Asserts that each case's mutation changes `valid` and makes it refused
/// at the case's path with its message, listing every case that is not.
pub(crate) fn assert_every_case_refused(valid: &Value, cases: &[Case]) {
    let mut failures = Vec::new();
    for case in cases {
        let mut document = valid.clone();
        (case.mutate)(&mut document);
        if document == *valid {
            failures.push(format!("{}: the mutation changed nothing", case.what));
            continue;
        }
        let json = document.to_string();
        if let Some(why) = super::refusal_mismatch(&json, case.path, case.message) {
            failures.push(format!("{}: {why}", case.what));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
