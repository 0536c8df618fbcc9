//! [`PostgresStore`]: placeholder while the adapter is written.
#![allow(missing_docs)]
#[derive(Debug, Clone, Default)]
pub struct PostgresOptions;
#[derive(Debug)]
pub struct PostgresStore;
