//! The engine against the plain reference model (`tests/model`), on the
//! standard catalog and on random catalogs: property tests, in one binary.
//!
//! `autotests = false` in `Cargo.toml`: a new test file is added here (or
//! given its own `[[test]]`), or it does not run.

#[path = "reference_model.rs"]
mod reference_model;

#[path = "reference_model_catalogs.rs"]
mod reference_model_catalogs;
