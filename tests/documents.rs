//! Stored documents, log entries and what is read from them by name: one
//! module per file, in one test binary.
//!
//! `autotests = false` in `Cargo.toml`: a new test file is added here (or
//! given its own `[[test]]`), or it does not run.

// Each file includes the support modules it uses (`mod common;`), as it did
// when it was a binary of its own, so a support file is compiled once per
// file that uses it.
#![allow(clippy::duplicate_mod)]

#[path = "document_canonical.rs"]
mod document_canonical;

#[path = "document_golden.rs"]
mod document_golden;

#[path = "document_member_roles.rs"]
mod document_member_roles;

#[path = "document_properties.rs"]
mod document_properties;

#[path = "document_rejections.rs"]
mod document_rejections;

#[path = "explanation_json.rs"]
mod explanation_json;

#[path = "log_entries_0_1.rs"]
mod log_entries_0_1;

#[path = "product_document.rs"]
mod product_document;

#[path = "sample_document.rs"]
mod sample_document;

#[path = "resource_names.rs"]
mod resource_names;

#[path = "document_references.rs"]
mod document_references;
