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
