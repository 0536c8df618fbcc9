//! DOMAIN rule 26 in stored data: the objects an object uses round-trip
//! through the JSON document (`objects[i].uses`, left out when empty) and
//! the checkpoint (a last section, written only when some object uses
//! others); a document that breaks the rule is refused with its path.
#![cfg(feature = "serde")]

use callgate::{Change, Company, Error, ObjectId, ObjectKind, SecurityMode};
use serde_json::{Value, json};

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// An enhanced company with two clients: `Spring` (autodialer, id 0) uses
/// `Leads` (list, id 1) and `Hours` (schedule, id 2), all in Acme;
/// `Globex leads` (list, id 3) is in Globex; `Loose` (id 4) is in no
/// project.
fn campaign() -> Result<Company, Error> {
    let mut company = Company::new();
    company.create_user("ann")?;
    company.apply(Change::SetSecurityMode {
        mode: SecurityMode::Enhanced,
    })?;
    let acme = company.create_project("Acme", "")?;
    let globex = company.create_project("Globex", "")?;
    let mut object = |kind, name: &str, projects: Vec<_>| -> Result<ObjectId, Error> {
        let report = company.apply(Change::CreateObject {
            kind,
            name: name.into(),
            projects,
        })?;
        Ok(report.created_object().unwrap_or(ObjectId::new(u32::MAX)))
    };
    let dialer = object(ObjectKind::Autodialer, "Spring", vec![acme])?;
    let leads = object(ObjectKind::List, "Leads", vec![acme])?;
    let hours = object(ObjectKind::Schedule, "Hours", vec![acme])?;
    object(ObjectKind::List, "Globex leads", vec![globex])?;
    object(ObjectKind::CallScript, "Loose", vec![])?;
    company.apply(Change::SetObjectReferences {
        object: dialer,
        uses: vec![hours, leads],
    })?;
    Ok(company)
}

fn load(document: &Value) -> Result<Company, Error> {
    Company::load(document)
}

#[test]
fn references_round_trip_through_the_document() -> TestResult {
    let company = campaign()?;
    let value = serde_json::to_value(company.to_document())?;
    assert_eq!(value["objects"][0]["uses"], json!([1, 2]));
    for object in 1..5 {
        assert!(
            value["objects"][object].get("uses").is_none(),
            "an object that uses none is written as before references existed"
        );
    }
    let loaded = load(&value)?;
    assert_eq!(loaded.to_document(), company.to_document());
    let used_by = |id: u32| -> Vec<ObjectId> {
        let object = loaded.object(ObjectId::new(id));
        object.map_or_else(Vec::new, |o| o.used_by().collect())
    };
    assert_eq!(used_by(1), [ObjectId::new(0)]);
    assert_eq!(used_by(2), [ObjectId::new(0)]);
    assert_eq!(used_by(3), []);
    assert_eq!(serde_json::to_value(loaded.to_document())?, value);
    Ok(())
}

#[test]
fn references_round_trip_through_the_checkpoint() -> TestResult {
    let company = campaign()?;
    let checkpoint = company.to_checkpoint();
    let loaded = Company::load_checkpoint(&checkpoint)?;
    assert_eq!(loaded.to_document(), company.to_document());
    assert_eq!(loaded.to_checkpoint(), checkpoint);
    // The section: one object uses others; object 0 uses 1 and 2; then no
    // duty constraints; then the chain (the flag 1 and its 32 bytes).
    let (body, chain) = checkpoint.split_at(checkpoint.len() - 33);
    assert!(body.ends_with(&[1, 0, 2, 1, 2, 0]));
    let digest = company.chain().map(|digest| *digest.as_bytes());
    assert_eq!((chain[0], chain[1..].try_into().ok()), (1, digest));

    // Without references the section is an empty list: the checkpoint ends
    // with the last object's name, the (empty) ends of grants, no
    // references and no duty constraints.
    let mut plain = company;
    plain.apply(Change::SetObjectReferences {
        object: ObjectId::new(0),
        uses: vec![],
    })?;
    let checkpoint = plain.to_checkpoint();
    assert!(checkpoint[..checkpoint.len() - 33].ends_with(b"Loose\0\0\0"));
    assert_eq!(
        Company::load_checkpoint(&checkpoint)?.to_checkpoint(),
        checkpoint
    );
    Ok(())
}

/// `(what, mutation of the campaign's document, path, message fragment)`.
type Case = (&'static str, fn(&mut Value), &'static str, &'static str);

const REFUSED: &[Case] = &[
    (
        "an unknown object",
        |d| d["objects"][0]["uses"] = json!([1, 9]),
        "objects[0].uses[1]",
        "unknown object id `9`",
    ),
    (
        "a self-reference",
        |d| d["objects"][0]["uses"] = json!([0, 1]),
        "objects[0].uses[0]",
        "object id `0` cannot use itself",
    ),
    (
        "an object listed twice",
        |d| d["objects"][0]["uses"] = json!([1, 1]),
        "objects[0].uses[1]",
        "object id `1` is given twice",
    ),
    (
        "a list out of order",
        |d| d["objects"][0]["uses"] = json!([2, 1]),
        "objects[0].uses[1]",
        "the list is sorted by id",
    ),
    (
        "an empty list written out",
        |d| d["objects"][1]["uses"] = json!([]),
        "objects[1].uses",
        "the canonical form leaves out a field at its default value",
    ),
    (
        "a reference across projects in enhanced mode",
        |d| d["objects"][0]["uses"] = json!([1, 3]),
        "objects[0].uses[1]",
        "object id `3` shares no project with object id `0`",
    ),
    (
        "a reference to an object in no project in enhanced mode",
        |d| d["objects"][2]["uses"] = json!([4]),
        "objects[2].uses[0]",
        "object id `4` shares no project with object id `2`",
    ),
];

#[test]
fn a_document_that_breaks_the_rule_is_refused_with_its_path() -> TestResult {
    let valid = serde_json::to_value(campaign()?.to_document())?;
    for &(what, mutate, path, message) in REFUSED {
        let mut document = valid.clone();
        mutate(&mut document);
        let error = load(&document).err().ok_or(what)?;
        let Error::Document {
            path: found,
            message: said,
        } = &error
        else {
            panic!("{what}: {error}");
        };
        assert_eq!(found, path, "{what}: {error}");
        assert!(said.contains(message), "{what}: {error}");

        // A document built in memory is refused the same way (what the
        // checkpoint's loader runs too), unless serde refused its shape.
        if let Ok(parsed) = serde_json::from_value::<callgate::Document>(document) {
            let from_document = Company::from_document(parsed).err();
            assert_eq!(from_document.as_ref(), Some(&error), "{what}");
        }
    }
    Ok(())
}

#[test]
fn a_reference_across_projects_loads_in_simple_mode() -> TestResult {
    let mut company = campaign()?;
    company.apply(Change::SetSecurityMode {
        mode: SecurityMode::Simple,
    })?;
    let mut document = serde_json::to_value(company.to_document())?;
    document["objects"][0]["uses"] = json!([1, 3, 4]);
    let loaded = load(&document)?;
    let uses: Vec<ObjectId> = loaded
        .object(ObjectId::new(0))
        .map_or_else(Vec::new, |o| o.uses().collect());
    assert_eq!(uses, [1, 3, 4].map(ObjectId::new));
    // The switch back to enhanced checks them again.
    let mut loaded = loaded;
    let error = loaded
        .apply(Change::SetSecurityMode {
            mode: SecurityMode::Enhanced,
        })
        .unwrap_err();
    let Error::ReferenceCrossesProjects { references, .. } = error else {
        panic!("{error}");
    };
    assert_eq!(
        references,
        [(0, 3), (0, 4)].map(|(a, b)| (ObjectId::new(a), ObjectId::new(b)))
    );
    Ok(())
}

/// The checkpoint of `company`, without its chain (which would follow the
/// duty constraints), with its last `cut` bytes replaced by `tail`.
fn with_tail(company: &Company, cut: usize, tail: &[u8]) -> Vec<u8> {
    let mut document = company.to_document();
    document.chain = None;
    let unchained = Company::from_document(document).expect("its own document");
    let mut bytes = unchained.to_checkpoint();
    bytes.truncate(bytes.len() - cut);
    bytes.extend_from_slice(tail);
    bytes
}

#[test]
fn a_checkpoint_section_of_references_is_canonical() -> TestResult {
    let company = campaign()?;
    // The section is `1, 0, [2: 1, 2]`: one entry, object 0, uses 1 and 2;
    // the duty constraints' count (0) follows it.
    let cases: [(&[u8], &str); 6] = [
        (&[0], "dutyConstraints: the checkpoint ends early"),
        (
            &[1, 9, 1, 1],
            "references[0].object: object id `9` is not an object of the checkpoint after the one before",
        ),
        (
            &[1, 0, 0],
            "references[0].uses: an object that uses none is left out",
        ),
        (
            &[2, 1, 1, 2, 0, 1, 1],
            "references[1].object: object id `0` is not an object of the checkpoint after the one before",
        ),
        (
            // After the duty constraints comes the chain: its flag.
            &[1, 0, 2, 1, 2, 0, 7],
            "chain: expected 0 or 1, found 7",
        ),
        (
            &[1, 0, 2, 1],
            "references[0].uses: the length is more than the checkpoint holds",
        ),
    ];
    for (tail, expected) in cases {
        let bytes = with_tail(&company, 6, tail);
        let error = Company::load_checkpoint(&bytes).err().ok_or(expected)?;
        assert_eq!(error.to_string(), expected);
    }
    // The references themselves are checked with the document, at its paths.
    let error = Company::load_checkpoint(&with_tail(&company, 6, &[1, 0, 2, 1, 3, 0]));
    assert_eq!(
        error.err().map(|e| e.to_string()),
        Some(
            "objects[0].uses[1]: object id `3` shares no project with object id `0`: \
             in enhanced mode a reference stays within a project"
                .to_owned()
        )
    );
    Ok(())
}
