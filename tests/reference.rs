//! The engine against the plain reference model (`tests/model`), on the
//! standard catalog and on random catalogs: property tests, in one binary.
//!
//! `autotests = false` in `Cargo.toml`: a new test file is added here (or
//! given its own `[[test]]`), or it does not run.

// Each file includes the support modules it uses (`mod common;`), as it did
// when it was a binary of its own, so a support file is compiled once per
// file that uses it.
#![allow(clippy::duplicate_mod)]

#[path = "reference_model.rs"]
mod reference_model;

#[path = "reference_model_catalogs.rs"]
mod reference_model_catalogs;
