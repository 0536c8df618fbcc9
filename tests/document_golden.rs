//! The stored document's shape is pinned by `tests/golden/document_v1.json`.
//!
//! A change to the format must update the golden file on purpose: run
//! `CALLGATE_BLESS=1 cargo test --test document_golden`, review the diff, and
//! bump `FORMAT_VERSION` if old documents no longer load.
#![cfg(feature = "serde")]

use callgate::{
    Change, Company, Document, ObjectKind, Permissions, Principal, RoleId, SecurityMode,
    FORMAT_VERSION,
};

const GOLDEN: &str = "tests/golden/document_v1.json";

/// A company that uses every part of the document: users, groups, a custom
/// role with "put users offline", projects with user, group and object
/// members, both object-kind namespaces, deleted records (ids not reused) and
/// enhanced mode with its Default project.
fn sample() -> Result<Company, callgate::Error> {
    let mut company = Company::new();
    let ann = company.create_user("ann")?;
    let bob = company.create_user("bob")?;
    let cid = company.create_user("cid")?;
    let gone = company.create_user("gone")?;
    let sales = company.create_object(ObjectKind::Queue, "Sales")?;
    let _dialer = company.create_object(ObjectKind::Autodialer, "Sales")?;
    company.apply(Change::SetSecurityMode {
        mode: SecurityMode::Enhanced,
    })?;
    let team = company.create_group("Team A", &[bob, cid])?;
    company.apply(Change::CreateRole {
        name: "QA".into(),
        description: "Evaluates calls".into(),
        permissions: Permissions::QA_SHEETS_MANAGE | Permissions::QA_CHECKS_MANAGE,
        principals: vec![Principal::User(cid)],
        put_users_offline: true,
    })?;
    company.apply(Change::AssignRole {
        role: RoleId::OPERATOR,
        principals: vec![team.into()],
    })?;
    let client = company.create_project("Client A", "Outsourced support")?;
    let support = company.create_object(ObjectKind::Queue, "A support")?;
    company.apply(Change::AddProjectMembers {
        project: client,
        principals: vec![team.into(), ann.into()],
    })?;
    company.apply(Change::AddProjectObjects {
        project: client,
        objects: vec![support, sales],
    })?;
    company.apply(Change::DeleteUser { user: gone })?;
    Ok(company)
}

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
    let loaded = Company::load(&mut serde_json::Deserializer::from_str(&golden))?;
    let document: Document = serde_json::from_str(&golden)?;
    assert_eq!(document.format, FORMAT_VERSION);
    assert_eq!(loaded.to_document(), document);
    assert_eq!(loaded.to_document(), sample()?.to_document());
    Ok(())
}
