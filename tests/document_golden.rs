//! The stored document's shape is pinned by `tests/golden/document_v2.json`;
//! `tests/golden/document_v1.json`, written by 0.1, must keep loading.
//!
//! A change to the format must update the golden file on purpose: run
//! `CALLGATE_BLESS=1 cargo test --test document_golden`, review the diff, and
//! bump `FORMAT_VERSION` if old documents no longer load. The version 1 file
//! is never blessed: it is what 0.1 wrote.
#![cfg(feature = "serde")]

use callgate::{CatalogRef, Company, Document, FORMAT_VERSION, Permissions};

const GOLDEN: &str = "tests/golden/document_v2.json";
const GOLDEN_V1: &str = "tests/golden/document_v1.json";

// The sample company uses every part of the document (users, groups, a
// custom role with "put users offline", projects with user, group and object
// members, the same name in two object kinds, a deleted user, enhanced mode
// with its Default project); it lives with the other document tests' helpers.
#[path = "support_document/mod.rs"]
mod support;
use support::sample;

#[test]
fn the_document_matches_the_golden_file() -> Result<(), Box<dyn std::error::Error>> {
    let company = sample()?;
    let written = serde_json::to_string_pretty(&company.to_document())? + "\n";
    if std::env::var_os("CALLGATE_BLESS").is_some() {
        std::fs::write(GOLDEN, &written)?;
    }
    let golden = std::fs::read_to_string(GOLDEN)?;
    assert_eq!(
        written, golden,
        "the stored format changed: bless it on purpose (see this file's header)"
    );
    Ok(())
}

#[test]
fn the_golden_file_loads_into_the_same_state() -> Result<(), Box<dyn std::error::Error>> {
    let golden = std::fs::read_to_string(GOLDEN)?;
    let loaded = Company::<Permissions>::load(&mut serde_json::Deserializer::from_str(&golden))?;
    let document: Document = serde_json::from_str(&golden)?;
    assert_eq!(document.format, FORMAT_VERSION);
    assert_eq!(document.catalog, Some(CatalogRef::of::<Permissions>()));
    assert_eq!(
        document.catalog.as_ref().map(|c| c.name.as_str()),
        Some("standard")
    );
    assert_eq!(loaded.to_document(), document);
    assert_eq!(loaded.to_document(), sample()?.to_document());
    Ok(())
}

/// DOMAIN rule 18: code and stored data written for the standard catalog
/// keep working. A version 1 document names no catalog and loads as the
/// standard one; written again, it is the version 2 document of the same
/// state. It names no company id either: loading draws a random one,
/// unless the host sets it first (the same on every replica).
#[test]
fn a_version_1_document_loads_unchanged_as_the_standard_catalog()
-> Result<(), Box<dyn std::error::Error>> {
    let v1 = std::fs::read_to_string(GOLDEN_V1)?;
    let document: Document = serde_json::from_str(&v1)?;
    assert_eq!((document.format, &document.catalog), (1, &None));
    assert_eq!(document.company, None);
    let loaded = Company::<Permissions>::load(&mut serde_json::Deserializer::from_str(&v1))?;
    let again = Company::<Permissions>::load(&mut serde_json::Deserializer::from_str(&v1))?;
    assert_ne!(loaded.id(), again.id(), "each load draws its own id");
    // The same state, but for the chain: 0.1 kept none, so a company
    // loaded from it does not know the digest of its last entry.
    let mut expected = sample()?.to_document();
    assert!(expected.chain.is_some());
    expected.chain = None;
    assert_eq!(loaded.with_id(support::COMPANY).to_document(), expected);
    let mut document = document;
    document.company = Some(support::COMPANY);
    assert_eq!(Company::from_document(document)?.to_document(), expected);
    Ok(())
}
