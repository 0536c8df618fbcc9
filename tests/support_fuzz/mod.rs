//! Helpers of `tests/document_fuzz.rs`: a JSON tree that keeps the order of
//! object members (so it can hold duplicate keys and be written back byte
//! for byte), the mutations applied to valid documents, and the respelling
//! that compares an accepted input with what the library writes.

pub(crate) mod skewed;

use callgate::BuiltinRole;
use proptest::prelude::*;
use proptest::sample::Index;
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

// ---- An order-keeping JSON tree ---------------------------------------------

/// JSON as written, member order and duplicate keys kept (`serde_json::Value`
/// sorts and merges keys).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Json {
    /// `null`, a boolean, a number or a string.
    Scalar(Value),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
    /// A value inside `depth` arrays, written without recursion.
    Nested(usize, Box<Json>),
}

impl Json {
    /// Reads a document as this library wrote it.
    pub(crate) fn parse(bytes: &[u8]) -> Self {
        serde_json::from_slice(bytes).expect("the library writes JSON")
    }

    /// Writes the tree compactly, as `serde_json::to_vec` would.
    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut Vec<u8>) {
        match self {
            Json::Scalar(value) => put(out, value),
            Json::Array(items) => {
                out.push(b'[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    item.write(out);
                }
                out.push(b']');
            }
            Json::Object(members) => {
                out.push(b'{');
                for (i, (key, value)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    put(out, key);
                    out.push(b':');
                    value.write(out);
                }
                out.push(b'}');
            }
            Json::Nested(depth, inner) => {
                out.extend(std::iter::repeat_n(b'[', *depth));
                inner.write(out);
                out.extend(std::iter::repeat_n(b']', *depth));
            }
        }
    }

    fn children(&self) -> Vec<&Json> {
        match self {
            Json::Array(items) => items.iter().collect(),
            Json::Object(members) => members.iter().map(|(_, v)| v).collect(),
            Json::Nested(_, inner) => vec![inner],
            Json::Scalar(_) => Vec::new(),
        }
    }

    fn child_mut(&mut self, i: usize) -> Option<&mut Json> {
        match self {
            Json::Array(items) => items.get_mut(i),
            Json::Object(members) => members.get_mut(i).map(|(_, v)| v),
            Json::Nested(_, inner) => Some(inner),
            Json::Scalar(_) => None,
        }
    }

    /// The node at `at` (child positions from the root).
    pub(crate) fn at_mut(&mut self, at: &[usize]) -> Option<&mut Json> {
        at.iter().try_fold(self, |node, &i| node.child_mut(i))
    }

    /// Every node: its child positions and its key path (`users.*.roles.*`).
    pub(crate) fn nodes(&self) -> Vec<Node> {
        let mut all = Vec::new();
        let mut stack = vec![(self, Vec::new(), String::new())];
        while let Some((node, at, keys)) = stack.pop() {
            let names: Vec<String> = match node {
                Json::Object(members) => members.iter().map(|(k, _)| k.clone()).collect(),
                _ => vec!["*".to_owned(); node.children().len()],
            };
            for (i, (child, name)) in node.children().into_iter().zip(names).enumerate() {
                let mut child_at = at.clone();
                child_at.push(i);
                let child_keys = if keys.is_empty() {
                    name
                } else {
                    format!("{keys}.{name}")
                };
                stack.push((child, child_at, child_keys));
            }
            all.push(Node {
                at,
                keys,
                value: node.clone(),
            });
        }
        all.sort_by(|a, b| a.at.cmp(&b.at));
        all
    }

    /// The nodes for which `keep` holds, one picked by `index`.
    pub(crate) fn pick(&self, index: &Index, keep: impl Fn(&Node) -> bool) -> Option<Node> {
        let candidates: Vec<Node> = self.nodes().into_iter().filter(keep).collect();
        (!candidates.is_empty()).then(|| candidates[index.index(candidates.len())].clone())
    }

    /// Sets `key` of an object, in the place the writer gives it among
    /// `order` (field names, space-separated) when the object lacks it.
    pub(crate) fn set(&mut self, key: &str, value: Json, order: &str) {
        let Json::Object(members) = self else { return };
        if let Some((_, slot)) = members.iter_mut().find(|(k, _)| k == key) {
            *slot = value;
            return;
        }
        let rank = |k: &str| order.split_whitespace().position(|o| o == k);
        let at = members
            .iter()
            .take_while(|(k, _)| rank(k) < rank(key))
            .count();
        members.insert(at, (key.to_owned(), value));
    }

    fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Object(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
}

/// A node of a tree, as [`Json::nodes`] lists them.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub(crate) at: Vec<usize>,
    pub(crate) keys: String,
    pub(crate) value: Json,
}

impl Node {
    fn is_number(&self) -> bool {
        matches!(self.value, Json::Scalar(Value::Number(_)))
    }

    /// Whether the node names a record by id (a reference, not a record's own id).
    fn is_reference(&self) -> bool {
        REFERENCES.contains(&self.keys.as_str())
    }
}

/// Key paths of the references in a document.
const REFERENCES: &[&str] = &[
    "defaultProject",
    "users.*.roles.*",
    "groups.*.members.*",
    "groups.*.roles.*",
    "projects.*.users.*",
    "projects.*.groups.*",
    "projects.*.objects.*",
    "projects.*.memberRoles.*.member.user",
    "projects.*.memberRoles.*.member.group",
    "projects.*.memberRoles.*.roles.*",
];

/// Writes a scalar or a key with `serde_json`, as the library does.
fn put<T: serde::Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) {
    serde_json::to_writer(out, value).expect("a Vec takes any JSON");
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JSON")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Json, E> {
        Ok(Json::Scalar(Value::Bool(v)))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Json, E> {
        Ok(Json::Scalar(Value::from(v)))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Json, E> {
        Ok(Json::Scalar(Value::from(v)))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Json, E> {
        Ok(Json::Scalar(Value::from(v)))
    }

    fn visit_str<E>(self, v: &str) -> Result<Json, E> {
        Ok(Json::Scalar(Value::from(v)))
    }

    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Scalar(Value::Null))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut members = Vec::new();
        while let Some(member) = map.next_entry()? {
            members.push(member);
        }
        Ok(Json::Object(members))
    }
}

// ---- Mutations ----------------------------------------------------------------

/// One mutation of a document's bytes.
#[derive(Debug, Clone)]
pub(crate) enum ByteMutation {
    /// Flips one bit of one byte.
    Flip(Index, u8),
    /// Replaces one byte.
    Replace(Index, u8),
    /// Cuts the document short.
    Truncate(Index),
}

pub(crate) fn byte_mutation() -> impl Strategy<Value = ByteMutation> {
    let byte = prop_oneof![
        prop::sample::select(b"{}[],:\"0123456789-\\ tfnu".to_vec()),
        any::<u8>(),
    ];
    prop_oneof![
        4 => (any::<Index>(), 0..8u8).prop_map(|(at, bit)| ByteMutation::Flip(at, bit)),
        4 => (any::<Index>(), byte).prop_map(|(at, byte)| ByteMutation::Replace(at, byte)),
        1 => any::<Index>().prop_map(ByteMutation::Truncate),
    ]
}

pub(crate) fn mutate_bytes(bytes: &mut Vec<u8>, mutation: &ByteMutation) {
    if bytes.is_empty() {
        return;
    }
    let len = bytes.len();
    match mutation {
        ByteMutation::Flip(at, bit) => bytes[at.index(len)] ^= 1 << bit,
        ByteMutation::Replace(at, byte) => bytes[at.index(len)] = *byte,
        ByteMutation::Truncate(at) => bytes.truncate(at.index(len)),
    }
}

/// One change to a built-in role's record.
#[derive(Debug, Clone)]
pub(crate) enum Tamper {
    /// Its permissions, listed: its own (the default, explicit), another
    /// built-in role's, none, or one.
    Permissions(Index),
    /// Another name: another built-in role's, a near miss, a custom one.
    Name(Index),
    /// A description: its own, another's, empty, or new.
    Description(Index),
    /// `"builtin": false`.
    NotBuiltin,
    /// `"putUsersOffline"`, `false` being the default made explicit.
    PutUsersOffline(bool),
}

/// One mutation of a document's JSON tree; each `Index` picks among the
/// nodes the mutation applies to (nothing happens where there is none).
#[derive(Debug, Clone)]
pub(crate) enum TreeMutation {
    /// Removes a member of an object or an element of an array.
    Drop(Index),
    /// Writes a member or an element twice (a duplicate key, for a member).
    Duplicate(Index),
    /// Swaps two neighbours: array elements out of order, or object members.
    Swap(Index, Index),
    /// A number: `u64::MAX`, `2^32 - 1`, `2^32`, `i64::MAX`, `2^20`, `2^24`.
    Huge(Index, u64),
    /// A `nextIds` count made huge, with a revision (`i64::MAX`) that lets
    /// it through to the tables.
    HugeCount(Index, u64),
    /// A value put inside this many arrays.
    Nest(Index, usize),
    /// A name or description this many bytes long.
    Long(Index, usize),
    /// A reference to an id that does not exist.
    Dangle(Index, u64),
    /// A reference listed twice, next to itself.
    DuplicateReference(Index),
    /// A built-in role's record changed.
    TamperBuiltin(Index, Tamper),
    /// A field the writer leaves out, written with its default value (or
    /// `null` when the flag is set).
    ExplicitDefault(Index, Index, bool),
}

const HUGE: [u64; 6] = [
    u64::MAX,
    u32::MAX as u64,
    1 << 32,
    i64::MAX as u64,
    1 << 20,
    1 << 24,
];

pub(crate) fn tree_mutation() -> impl Strategy<Value = TreeMutation> {
    let at = any::<Index>;
    let huge = || prop::sample::select(HUGE.to_vec());
    let tamper = prop_oneof![
        at().prop_map(Tamper::Permissions),
        at().prop_map(Tamper::Name),
        at().prop_map(Tamper::Description),
        Just(Tamper::NotBuiltin),
        any::<bool>().prop_map(Tamper::PutUsersOffline),
    ];
    prop_oneof![
        3 => at().prop_map(TreeMutation::Drop),
        3 => at().prop_map(TreeMutation::Duplicate),
        3 => (at(), at()).prop_map(|(a, b)| TreeMutation::Swap(a, b)),
        2 => (at(), huge()).prop_map(|(a, n)| TreeMutation::Huge(a, n)),
        2 => (at(), huge()).prop_map(|(a, n)| TreeMutation::HugeCount(a, n)),
        1 => (at(), prop::sample::select(vec![2usize, 127, 128, 129, 5000]))
            .prop_map(|(a, depth)| TreeMutation::Nest(a, depth)),
        1 => (at(), prop::sample::select(vec![1usize << 10, 1 << 20]))
            .prop_map(|(a, len)| TreeMutation::Long(a, len)),
        2 => (at(), prop::sample::select(vec![100u64, 4096, u64::from(u32::MAX)]))
            .prop_map(|(a, id)| TreeMutation::Dangle(a, id)),
        2 => at().prop_map(TreeMutation::DuplicateReference),
        3 => (at(), tamper).prop_map(|(a, t)| TreeMutation::TamperBuiltin(a, t)),
        4 => (at(), at(), any::<bool>()).prop_map(|(a, f, n)| TreeMutation::ExplicitDefault(a, f, n)),
    ]
}

/// A kind of record: where it stands in a document, its fields in the
/// order the writer writes them, and the default values of those it leaves
/// out when they hold them.
struct Record {
    keys: &'static str,
    order: &'static str,
    defaults: &'static [(&'static str, &'static str)],
}

const DOCUMENT: Record = Record {
    keys: "",
    order: "format catalog company mode revision defaultProject nextIds users groups roles \
            projects objects",
    defaults: &[
        ("defaultProject", "null"),
        ("catalog", "null"),
        ("company", "null"),
    ],
};

const ROLE: Record = Record {
    keys: "roles.*",
    order: "id name builtin description permissions putUsersOffline",
    defaults: &[
        ("builtin", "false"),
        ("description", "\"\""),
        ("permissions", "[]"),
        ("putUsersOffline", "false"),
    ],
};

const RECORDS: [Record; 6] = [
    DOCUMENT,
    Record {
        keys: "users.*",
        order: "id name roles sessionsValidFrom",
        defaults: &[("roles", "[]"), ("sessionsValidFrom", "0")],
    },
    Record {
        keys: "groups.*",
        order: "id name members roles",
        defaults: &[("members", "[]"), ("roles", "[]")],
    },
    ROLE,
    Record {
        keys: "projects.*",
        order: "id name description users groups objects memberRoles",
        defaults: &[
            ("description", "\"\""),
            ("users", "[]"),
            ("groups", "[]"),
            ("objects", "[]"),
            ("memberRoles", "[]"),
        ],
    },
    Record {
        keys: "projects.*.memberRoles.*",
        order: "member roles",
        defaults: &[("roles", "[]")],
    },
];

fn json(text: &str) -> Json {
    Json::parse(text.as_bytes())
}

fn set_at(tree: &mut Json, at: &[usize], value: Json) {
    if let Some(slot) = tree.at_mut(at) {
        *slot = value;
    }
}

pub(crate) fn mutate_tree(tree: &mut Json, mutation: &TreeMutation) {
    use TreeMutation as M;
    let not_root = |n: &Node| !n.at.is_empty();
    match mutation {
        M::Drop(i) => edit_parent(tree, i, not_root, |items, at| drop(items.remove(at))),
        M::Duplicate(i) => edit_parent(tree, i, not_root, |items, at| {
            let copy = items[at].clone();
            items.insert(at, copy);
        }),
        M::Swap(i, j) => {
            let pair = |n: &Node| n.value.children().len() > 1;
            if let Some(node) = tree.pick(i, pair) {
                let len = node.value.children().len();
                let k = j.index(len - 1);
                match tree.at_mut(&node.at) {
                    Some(Json::Array(items)) => items.swap(k, k + 1),
                    Some(Json::Object(members)) => members.swap(k, k + 1),
                    _ => {}
                }
            }
        }
        M::Huge(i, n) => {
            if let Some(node) = tree.pick(i, Node::is_number) {
                set_at(tree, &node.at, Json::Scalar(Value::from(*n)));
            }
        }
        M::HugeCount(i, n) => {
            let count = |n: &Node| n.keys.starts_with("nextIds.") && n.is_number();
            if let Some(node) = tree.pick(i, count) {
                set_at(tree, &node.at, Json::Scalar(Value::from(*n)));
                let order = DOCUMENT.order;
                tree.set("revision", Json::Scalar(Value::from(i64::MAX)), order);
            }
        }
        M::Nest(i, depth) => {
            if let Some(node) = tree.pick(i, not_root) {
                set_at(tree, &node.at, Json::Nested(*depth, Box::new(node.value)));
            }
        }
        M::Long(i, len) => {
            let text = |n: &Node| n.keys.ends_with(".name") || n.keys.ends_with(".description");
            if let Some(node) = tree.pick(i, text) {
                let long = format!("{}{}", "x".repeat(len - 1), node.at.len());
                set_at(tree, &node.at, Json::Scalar(Value::from(long)));
            }
        }
        M::Dangle(i, id) => {
            if let Some(node) = tree.pick(i, Node::is_reference) {
                set_at(tree, &node.at, Json::Scalar(Value::from(*id)));
            }
        }
        M::DuplicateReference(i) => edit_parent(tree, i, Node::is_reference, |items, at| {
            let copy = items[at].clone();
            items.insert(at, copy);
        }),
        M::TamperBuiltin(i, tamper) => tamper_builtin(tree, i, tamper),
        M::ExplicitDefault(i, f, null) => explicit_default(tree, i, f, *null),
    }
}

/// Picks a node by `keep` and edits the list of its parent's children (an
/// array's elements, or an object's members), at its position.
fn edit_parent(
    tree: &mut Json,
    index: &Index,
    keep: impl Fn(&Node) -> bool,
    edit: impl FnOnce(&mut Vec<Json>, usize),
) {
    let Some(node) = tree.pick(index, keep) else {
        return;
    };
    let Some((&at, parent)) = node.at.split_last() else {
        return;
    };
    match tree.at_mut(parent) {
        Some(Json::Array(items)) => edit(items, at),
        Some(Json::Object(members)) => {
            // Edit the members as a list of one-member objects, then unwrap.
            let mut wrapped: Vec<Json> = members
                .drain(..)
                .map(|member| Json::Object(vec![member]))
                .collect();
            edit(&mut wrapped, at);
            members.extend(wrapped.into_iter().filter_map(|member| match member {
                Json::Object(mut one) => one.pop(),
                _ => None,
            }));
        }
        _ => {}
    }
}

fn tamper_builtin(tree: &mut Json, index: &Index, tamper: &Tamper) {
    let builtin = |n: &Node| n.keys == "roles.*" && n.value.get("builtin") == Some(&json("true"));
    let Some(node) = tree.pick(index, builtin) else {
        return;
    };
    let Some(role) = tree.at_mut(&node.at) else {
        return;
    };
    let (key, value) = match tamper {
        Tamper::Permissions(i) => {
            let mut sets: Vec<Value> = BuiltinRole::ALL
                .into_iter()
                .map(|b| serde_json::to_value(b.permissions()))
                .collect::<Result<_, _>>()
                .expect("permissions serialize");
            sets.push(Value::Array(Vec::new()));
            sets.push(Value::from(vec!["queues.view"]));
            let list = serde_json::to_vec(i.get(&sets)).expect("a list of names");
            ("permissions", Json::parse(&list))
        }
        Tamper::Name(i) => {
            let names = ["Admin", "Supervisor", "Operator", "admin", "Admin ", "Boss"];
            ("name", Json::Scalar(Value::from(*i.get(&names))))
        }
        Tamper::Description(i) => {
            let mut texts: Vec<&str> = BuiltinRole::ALL.iter().map(|b| b.description()).collect();
            texts.extend(["", "Changed"]);
            ("description", Json::Scalar(Value::from(*i.get(&texts))))
        }
        Tamper::NotBuiltin => ("builtin", json("false")),
        Tamper::PutUsersOffline(on) => ("putUsersOffline", Json::Scalar(Value::Bool(*on))),
    };
    role.set(key, value, ROLE.order);
}

fn explicit_default(tree: &mut Json, index: &Index, field: &Index, null: bool) {
    let record =
        |n: &Node| matches!(n.value, Json::Object(_)) && RECORDS.iter().any(|r| r.keys == n.keys);
    let Some(node) = tree.pick(index, record) else {
        return;
    };
    let Some(kind) = RECORDS.iter().find(|r| r.keys == node.keys) else {
        return;
    };
    let (key, default) = field.get(kind.defaults);
    let value = json(if null { "null" } else { default });
    if let Some(object) = tree.at_mut(&node.at) {
        object.set(key, value, kind.order);
    }
}

// ---- Comparing an accepted input with what the library writes -------------

/// `json` (valid JSON) with the spellings JSON leaves free made canonical:
/// whitespace outside strings removed, `-0` written `0`, and every string
/// re-escaped as `serde_json` writes it (`"\u0061"` as `"a"`, `"\/"` as
/// `"/"`). Key order, duplicates and explicit values stay as they are.
pub(crate) fn respell(json: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(json.len());
    let mut i = 0;
    while i < json.len() {
        match json[i] {
            b' ' | b'\t' | b'\n' | b'\r' => i += 1,
            b'"' => {
                let end = string_end(json, i);
                match serde_json::from_slice::<String>(&json[i..end]) {
                    Ok(text) => put(&mut out, &text),
                    Err(_) => out.extend_from_slice(&json[i..end]),
                }
                i = end;
            }
            b'-' if json.get(i + 1) == Some(&b'0')
                && !json.get(i + 2).is_some_and(is_digit_part) =>
            {
                out.push(b'0');
                i += 2;
            }
            byte => {
                out.push(byte);
                i += 1;
            }
        }
    }
    out
}

fn is_digit_part(byte: &u8) -> bool {
    byte.is_ascii_digit() || matches!(byte, b'.' | b'e' | b'E')
}

/// The index just past the string literal that starts at `start`.
fn string_end(json: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < json.len() {
        match json[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    json.len()
}

/// `input` (an accepted document, respelled) and `written` (what the
/// loaded company writes), with what the document form leaves free made
/// alike, so that their bytes compare:
///
/// - the order of an object's keys (a JSON object is unordered; serde
///   reads any order; duplicate keys are refused, so sorting hides none);
/// - the permission names of each role, in the catalog's order and without
///   names another implies (the documented exception to the canonical form,
///   since the catalog's order may change between its versions): the
///   input's list is replaced by the written one when both name the same
///   permissions.
pub(crate) fn comparable(input: &[u8], written: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let (Ok(mut input), Ok(mut written)) = (
        serde_json::from_slice::<Json>(input),
        serde_json::from_slice::<Json>(written),
    ) else {
        return (input.to_vec(), written.to_vec());
    };
    same_permission_lists(&mut input, &written);
    input.sort_keys();
    written.sort_keys();
    (input.to_bytes(), written.to_bytes())
}

/// Replaces each role's permission list in `input` by the one at the same
/// place in `written` when both give the same set.
fn same_permission_lists(input: &mut Json, written: &Json) {
    let (Some(Json::Array(ours)), Some(Json::Array(theirs))) =
        (input.get_mut("roles"), written.get("roles"))
    else {
        return;
    };
    for (role, written_role) in ours.iter_mut().zip(theirs) {
        let (Some(names), Some(written_names)) =
            (role.get_mut("permissions"), written_role.get("permissions"))
        else {
            continue;
        };
        if permission_set(names).is_some() && permission_set(names) == permission_set(written_names)
        {
            *names = written_names.clone();
        }
    }
}

/// The set a list of permission names gives, with what each implies.
fn permission_set(names: &Json) -> Option<callgate::Permissions> {
    let Json::Array(names) = names else {
        return None;
    };
    let text: Vec<String> = names
        .iter()
        .map(|name| match name {
            Json::Scalar(Value::String(name)) => Some(name.clone()),
            _ => None,
        })
        .collect::<Option<_>>()?;
    let value = serde_json::to_value(text).ok()?;
    serde_json::from_value::<callgate::Permissions>(value).ok()
}

impl Json {
    /// Sorts every object's keys, all the way down.
    fn sort_keys(&mut self) {
        match self {
            Json::Scalar(_) => {}
            Json::Array(items) => items.iter_mut().for_each(Json::sort_keys),
            Json::Object(members) => {
                members.sort_by(|a, b| a.0.cmp(&b.0));
                members.iter_mut().for_each(|(_, value)| value.sort_keys());
            }
            Json::Nested(_, inner) => inner.sort_keys(),
        }
    }

    fn get_mut(&mut self, key: &str) -> Option<&mut Json> {
        match self {
            Json::Object(members) => members.iter_mut().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
}

/// Where two byte strings first differ, each shown around that place.
pub(crate) fn first_difference(a: &[u8], b: &[u8]) -> String {
    let at = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let around = |s: &[u8]| {
        let from = at.saturating_sub(60);
        let to = (at + 60).min(s.len());
        String::from_utf8_lossy(&s[from.min(to)..to]).into_owned()
    };
    format!(
        "first difference at byte {at} (of {} and {}):\n    input   ...{}...\n    written ...{}...",
        a.len(),
        b.len(),
        around(a),
        around(b)
    )
}
