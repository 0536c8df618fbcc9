//! Unit tests of [`NameIndex`]: its probes, growth and removals, and
//! forced hash collisions.

use std::hash::{BuildHasher, Hasher, RandomState};

use super::{NameIndex, NameKeys};

/// Names by id, `None` once removed, like a table of records.
fn key_of<'a>(names: &'a [Option<String>]) -> impl Fn(u32) -> Option<&'a str> + 'a {
    |id| names.get(id as usize)?.as_deref()
}

#[test]
fn finds_every_name_through_growth_and_removals() {
    let mut names: Vec<Option<String>> = Vec::new();
    let mut index: NameIndex = NameIndex::default();
    for i in 0..500u32 {
        names.push(Some(format!("user {i}")));
        index.insert(i, key_of(&names));
    }
    assert_eq!(index.len(), 500);
    for i in (0..500u32).step_by(3) {
        index.remove(i, key_of(&names));
        names[i as usize] = None;
    }
    for i in 0..500u32 {
        let found = index.find(&format!("user {i}").as_str(), key_of(&names));
        assert_eq!(found, (i % 3 != 0).then_some(i), "user {i}");
    }
    assert_eq!(index.find(&"nobody", key_of(&names)), None);
    assert_eq!(index.len(), 333);
}

/// Random insertions and removals, checked against a `HashMap` after
/// every step: growth, wrapped runs and backward shifts included.
#[test]
fn agrees_with_a_hash_map_through_random_edits() {
    agrees_with_a_hash_map(NameIndex::<RandomState>::default());
    agrees_with_a_hash_map(NameIndex::<NameKeys>::default());
}

/// Each index keys its hash afresh: the same name lands on other bits in
/// another index, so names made to collide in one do not in the next.
#[test]
fn each_index_keys_its_hash_afresh() {
    let (a, b) = (NameKeys::default(), NameKeys::default());
    let names = ["ann", "bob", "Support queue", ""];
    assert!(names.iter().any(|n| a.hash_one(n) != b.hash_one(n)));
    assert!(names.iter().all(|n| a.hash_one(n) == a.clone().hash_one(n)));
}

/// The same with 8 hashes for all names: long runs of equal hashes,
/// where only the name tells entries apart.
#[test]
fn agrees_with_a_hash_map_when_hashes_collide() {
    agrees_with_a_hash_map(NameIndex::with_hasher(Buckets(8)));
}

/// Applies random insertions and removals to `index` and to a `HashMap`,
/// and compares them after every step, absent names included.
fn agrees_with_a_hash_map<S: BuildHasher>(mut index: NameIndex<S>) {
    let mut names: Vec<Option<String>> = Vec::new();
    let mut model = std::collections::HashMap::new();
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    for step in 0..3000u32 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let live: Vec<u32> = model.values().copied().collect();
        if seed % 3 == 0 && !live.is_empty() {
            let id = live[(seed >> 8) as usize % live.len()];
            index.remove(id, key_of(&names));
            let name = names[id as usize].take().expect("live");
            model.remove(&name);
        } else {
            let id = u32::try_from(names.len()).expect("small");
            let name = format!("n{}", seed % 5000);
            if model.contains_key(&name) {
                continue;
            }
            names.push(Some(name.clone()));
            index.insert(id, key_of(&names));
            model.insert(name, id);
        }
        assert_eq!(index.len(), model.len(), "step {step}");
        let absent = format!("n{}", (seed >> 20) % 5000);
        if !model.contains_key(&absent) {
            assert_eq!(index.find(&absent.as_str(), key_of(&names)), None);
        }
        for (name, &id) in &model {
            assert_eq!(
                index.find(&name.as_str(), key_of(&names)),
                Some(id),
                "step {step}"
            );
        }
    }
}

/// Every kind of record is found by its own name, after a rename too.
#[test]
fn a_company_finds_each_kind_of_record_by_name() -> Result<(), crate::Error> {
    use crate::{Change, Company, ObjectKind};
    let mut company = Company::new();
    let ann = company.create_user("ann")?;
    let group = company.create_group("leads", &[ann])?;
    let role = company.create_role("QA", "", crate::Permissions::empty())?;
    let project = company.create_project("Acme", "")?;
    let queue = company.create_object(ObjectKind::Queue, "Sales")?;
    assert_eq!(company.user_by_name("ann"), Some(ann));
    assert_eq!(company.group_by_name("leads"), Some(group));
    assert_eq!(company.role_by_name("QA"), Some(role));
    assert_eq!(company.project_by_name("Acme"), Some(project));
    assert_eq!(
        company.object_by_name(ObjectKind::Queue, "Sales"),
        Some(queue)
    );
    assert_eq!(company.object_by_name(ObjectKind::Schedule, "Sales"), None);
    company.apply(Change::RenameGroup {
        group,
        name: "team".into(),
    })?;
    company.apply(Change::EditProject {
        project,
        name: Some("Acme Bank".into()),
        description: None,
    })?;
    assert_eq!(company.group_by_name("leads"), None);
    assert_eq!(company.group_by_name("team"), Some(group));
    assert_eq!(company.project_by_name("Acme Bank"), Some(project));
    assert_eq!(company.role_by_name("Admin"), Some(crate::RoleId::ADMIN));
    assert_eq!(company.role_by_name("qa"), None);
    assert_eq!(
        format!("{:?}", company.user_names),
        "NameIndex { len: 1, .. }"
    );
    Ok(())
}

/// The table stays between 3/8 and 3/4 full: 6 names fit 8 slots, the
/// 7th doubles them.
#[test]
fn the_table_doubles_past_three_quarters() {
    let names: Vec<Option<String>> = (0..7).map(|i| Some(format!("n{i}"))).collect();
    let mut index: NameIndex = NameIndex::default();
    for id in 0..6 {
        index.insert(id, key_of(&names));
    }
    assert_eq!(index.slots.len(), 8);
    index.insert(6, key_of(&names));
    assert_eq!(index.slots.len(), 16);
}

/// With the real hasher, names spread over the table: most sit in their
/// home slot, so a lookup probes one or two slots. (An index that hashed
/// every name alike, or sent every name home to one slot, would still find
/// them, one long probe each.)
#[test]
fn names_spread_over_the_table() {
    let names: Vec<Option<String>> = (0..1000).map(|i| Some(format!("user {i}"))).collect();
    let mut index: NameIndex = NameIndex::default();
    for id in 0..1000 {
        index.insert(id, key_of(&names));
    }
    let at_home = (0..index.slots.len())
        .filter(|&at| index.entry(at).is_some_and(|e| index.home(e.hash) == at))
        .count();
    assert!(at_home > 600, "{at_home} of 1,000 names in their home slot");
    let homes: std::collections::HashSet<usize> = (0..index.slots.len())
        .filter_map(|at| index.entry(at).map(|e| index.home(e.hash)))
        .collect();
    assert!(homes.len() > 600, "{} distinct home slots", homes.len());
}

/// An index made for `len` names (the loader's) has the table adding them
/// one by one reaches, and holds them without growing; `insert_unique`
/// grows the table as `insert` does.
#[cfg(feature = "serde")]
#[test]
fn an_index_made_for_n_names_holds_them_without_growing() {
    let names: Vec<Option<String>> = (0..200).map(|i| Some(format!("n{i}"))).collect();
    let mut grown: NameIndex = NameIndex::default();
    // Added one by one through `insert_unique`, a table grows as through
    // `insert`.
    let mut unique: NameIndex = NameIndex::default();
    for len in 0..200u32 {
        assert_eq!(unique.slots.len(), grown.slots.len(), "{len} names, unique");
        let mut made: NameIndex = NameIndex::with_capacity(len as usize);
        assert_eq!(made.slots.len(), grown.slots.len(), "{len} names");
        for id in 0..len {
            let key = names[id as usize].as_deref().unwrap_or_default();
            assert_eq!(made.insert_unique(id, &key, key_of(&names)), Ok(()));
        }
        assert_eq!(made.slots.len(), grown.slots.len(), "{len} names, inserted");
        grown.insert(len, key_of(&names));
        let key = names[len as usize].as_deref().unwrap_or_default();
        assert_eq!(unique.insert_unique(len, &key, key_of(&names)), Ok(()));
    }
}

/// The index counts the bytes of its slots: 8 a slot, in chunks, and none
/// while empty.
#[test]
fn the_index_counts_the_bytes_of_its_slots() {
    let names: Vec<Option<String>> = (0..100).map(|i| Some(format!("n{i}"))).collect();
    let mut index: NameIndex = NameIndex::default();
    let empty = index.bytes();
    for id in 0..100 {
        index.insert(id, key_of(&names));
    }
    // At most four fifths full: 100 names fit in 128 slots (three
    // quarters would have taken 256), and the 103rd doubles them.
    assert_eq!(index.slots.len(), 128);
    assert!(index.bytes() >= empty + 128 * 8, "{} bytes", index.bytes());
    assert!(
        index.bytes() < empty + 128 * 8 + 256,
        "{} bytes",
        index.bytes()
    );
    for id in 100..102 {
        index.insert(id, key_of(&names_to(103)));
    }
    assert_eq!(index.slots.len(), 128, "102 names fit");
    index.insert(102, key_of(&names_to(103)));
    assert_eq!(index.slots.len(), 256, "the 103rd doubles the slots");
}

/// `n0`, `n1`, ... up to `len` names.
fn names_to(len: u32) -> Vec<Option<String>> {
    (0..len).map(|i| Some(format!("n{i}"))).collect()
}

#[test]
fn a_rename_is_a_removal_then_an_insertion() {
    let mut names = vec![Some("ann".to_owned()), Some("bob".to_owned())];
    let mut index: NameIndex = NameIndex::default();
    index.insert(0, key_of(&names));
    index.insert(1, key_of(&names));
    let before = index.clone();
    index.remove(0, key_of(&names));
    names[0] = Some("anna".to_owned());
    index.insert(0, key_of(&names));
    assert_eq!(index.find(&"anna", key_of(&names)), Some(0));
    assert_eq!(index.find(&"ann", key_of(&names)), None);
    assert_eq!(index.find(&"bob", key_of(&names)), Some(1));
    assert_eq!(before.len(), 2, "a clone keeps its own slots");
}

/// Hashes every key to `.0`: all names collide, in all 64 bits.
#[derive(Clone, Copy)]
struct Constant(u64);

/// Hashes a key to the sum of its bytes modulo `.0`, spread over the high
/// bits: few distinct hashes, so many names share one.
#[derive(Clone, Copy)]
struct Buckets(u64);

/// The hasher of [`Constant`] and [`Buckets`]: sums the bytes it is given.
struct Sum {
    sum: u64,
    buckets: Option<u64>,
    constant: u64,
}

impl Hasher for Sum {
    fn finish(&self) -> u64 {
        match self.buckets {
            Some(buckets) => (self.sum % buckets).wrapping_mul(0x9E37_79B9_7F4A_7C15),
            None => self.constant,
        }
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.sum = self.sum.wrapping_add(u64::from(byte));
        }
    }
}

impl BuildHasher for Constant {
    type Hasher = Sum;

    fn build_hasher(&self) -> Sum {
        Sum {
            sum: 0,
            buckets: None,
            constant: self.0,
        }
    }
}

impl BuildHasher for Buckets {
    type Hasher = Sum;

    fn build_hasher(&self) -> Sum {
        Sum {
            sum: 0,
            buckets: Some(self.0.max(1)),
            constant: 0,
        }
    }
}

/// An index of `names` (ids in order) whose keys all hash alike.
fn colliding(names: &[Option<String>]) -> NameIndex<Constant> {
    let mut index = NameIndex::with_hasher(Constant(0x1234_5678_9ABC_DEF0));
    for id in 0..names.len() {
        index.insert(u32::try_from(id).expect("small"), key_of(names));
    }
    index
}

fn some(names: &[&str]) -> Vec<Option<String>> {
    names.iter().map(|name| Some((*name).to_owned())).collect()
}

/// Names with one hash are each found by their own name, not by the
/// hash: a probe compares names where the hashes match.
#[test]
fn names_with_one_hash_are_each_found() {
    let names = some(&["ann", "bob", "cy", "dee"]);
    let index = colliding(&names);
    for (id, name) in ["ann", "bob", "cy", "dee"].into_iter().enumerate() {
        let id = u32::try_from(id).expect("small");
        assert_eq!(index.find(&name, key_of(&names)), Some(id), "{name}");
    }
}

/// A name that is absent but shares the hash of present names is not
/// found: a hash match alone is not a match.
#[test]
fn an_absent_name_with_a_present_hash_is_not_found() {
    let names = some(&["ann", "bob"]);
    let index = colliding(&names);
    assert_eq!(index.find(&"eve", key_of(&names)), None);
    let mut single = NameIndex::with_hasher(Constant(7));
    single.insert(0, key_of(&names));
    assert_eq!(single.find(&"bob", key_of(&names)), None);
    assert_eq!(single.find(&"ann", key_of(&names)), Some(0));
}

/// Removing one of several names with one hash removes that name only,
/// wherever it sits in their run.
#[test]
fn removing_a_colliding_name_keeps_the_others() {
    let all = ["ann", "bob", "cy", "dee", "eve"];
    for gone in 0..all.len() {
        let mut names = some(&all);
        let mut index = colliding(&names);
        let id = u32::try_from(gone).expect("small");
        index.remove(id, key_of(&names));
        names[gone] = None;
        assert_eq!(index.len(), all.len() - 1);
        for (other, name) in all.into_iter().enumerate() {
            let expected = (other != gone).then(|| u32::try_from(other).expect("small"));
            assert_eq!(index.find(&name, key_of(&names)), expected, "{name}");
        }
    }
}

/// Renaming to a name of the same hash, or between colliding names,
/// moves the id to the new name only.
#[test]
fn renaming_among_colliding_names() {
    let mut names = some(&["ann", "bob", "cy"]);
    let mut index = colliding(&names);
    index.remove(0, key_of(&names));
    names[0] = Some("anna".to_owned());
    index.insert(0, key_of(&names));
    assert_eq!(index.find(&"anna", key_of(&names)), Some(0));
    assert_eq!(index.find(&"ann", key_of(&names)), None);
    index.remove(1, key_of(&names));
    names[1] = Some("ann".to_owned());
    index.insert(1, key_of(&names));
    assert_eq!(index.find(&"ann", key_of(&names)), Some(1));
    assert_eq!(index.find(&"bob", key_of(&names)), None);
    assert_eq!(index.find(&"cy", key_of(&names)), Some(2));
    assert_eq!(index.len(), 3);
}

/// A table of names that all collide grows, wraps its single run around
/// the end and still finds each name, before and after removals.
#[test]
fn a_long_run_of_one_hash_survives_growth_and_removals() {
    let mut names: Vec<Option<String>> = (0..40).map(|i| Some(format!("n{i}"))).collect();
    let mut index = colliding(&names);
    for gone in (0..40).step_by(4) {
        index.remove(gone, key_of(&names));
        names[gone as usize] = None;
    }
    for i in 0..40u32 {
        let found = index.find(&format!("n{i}").as_str(), key_of(&names));
        assert_eq!(found, (i % 4 != 0).then_some(i), "n{i}");
    }
    assert_eq!(index.find(&"n40", key_of(&names)), None);
}

/// The document loader's insertion refuses an equal name, not a name
/// that only shares its hash.
#[cfg(feature = "serde")]
#[test]
fn insert_unique_tells_colliding_names_apart() {
    let names = some(&["ann", "bob", "ann"]);
    let mut index = NameIndex::with_hasher(Constant(3));
    assert_eq!(index.insert_unique(0, &"ann", key_of(&names)), Ok(()));
    assert_eq!(index.insert_unique(1, &"bob", key_of(&names)), Ok(()));
    assert_eq!(index.insert_unique(2, &"ann", key_of(&names)), Err(0));
    assert_eq!(index.find(&"bob", key_of(&names)), Some(1));
}
