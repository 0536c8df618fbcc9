//! The guide: one chapter per topic, each with examples that run as tests.
//!
//! Start with the [crate overview](crate), then read the chapters in any
//! order:
//!
//! - [`catalog`]: the standard catalog's permissions, and a product's own,
//!   declared once with [`catalog!`](crate::catalog!);
//! - [`projects`]: roles within projects, for a person who serves several
//!   clients, and projects kept whole (the objects an object uses);
//! - [`grants`]: roles given until a time, and the change that ends them;
//! - [`sessions`]: sessions, role testing and changes made through a
//!   session;
//! - [`service`]: many tenants in one process, the read side and the write
//!   side;
//! - [`storing`]: storing changes with `callgate-store` (SQLite,
//!   PostgreSQL), replicas and checkpoints;
//! - [`tenants`]: company ids, quotas and hostile input;
//! - [`errors`]: error codes, categories and HTTP statuses;
//! - [`security`]: what callgate promises, what it leaves to the host, and
//!   separation of duties;
//! - [`upgrading`]: from 0.1 to 0.2 to 0.3: stored documents, log entries
//!   and code.
//!
//! The chapters are the files of `docs/guide/` in the repository.

#[doc = include_str!("../docs/guide/catalog.md")]
pub mod catalog {}

#[doc = include_str!("../docs/guide/projects.md")]
pub mod projects {}

#[doc = include_str!("../docs/guide/grants.md")]
pub mod grants {}

#[doc = include_str!("../docs/guide/sessions.md")]
pub mod sessions {}

#[doc = include_str!("../docs/guide/service.md")]
pub mod service {}

#[doc = include_str!("../docs/guide/storing.md")]
pub mod storing {}

#[doc = include_str!("../docs/guide/tenants.md")]
pub mod tenants {}

#[doc = include_str!("../docs/guide/errors.md")]
pub mod errors {}

#[doc = include_str!("../docs/guide/security.md")]
pub mod security {}

#[doc = include_str!("../docs/guide/upgrading.md")]
pub mod upgrading {}
