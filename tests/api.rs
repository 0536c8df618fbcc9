//! The public API's shape (traits, constructors) and the catalog's checks:
//! one module per file, in one test binary.
//!
//! `autotests = false` in `Cargo.toml`: a new test file is added here (or
//! given its own `[[test]]`), or it does not run.

// Each file includes the support modules it uses (`mod common;`), as it did
// when it was a binary of its own, so a support file is compiled once per
// file that uses it.
#![allow(clippy::duplicate_mod)]

#[path = "api_traits.rs"]
mod api_traits;

#[path = "api_ergonomics.rs"]
mod api_ergonomics;

#[path = "catalog_errors.rs"]
mod catalog_errors;

#[path = "catalog_limits.rs"]
mod catalog_limits;

#[path = "readme_catalog.rs"]
mod readme_catalog;
