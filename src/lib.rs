//! callgate is an embeddable authorization library for cloud call-center
//! software: built-in and custom roles, projects that hide one client's queues
//! from another's staff, and a fast `check(user, action, resource)` that can
//! explain every answer. The core is a pure library: no I/O, no threads of its
//! own, no global state. `callgate-store`, beside it, stores changes in SQLite
//! or PostgreSQL and holds many tenants in one process.
//!
//! ```toml
//! [dependencies]
//! callgate = "0.3"
//! ```
//!
//! # Example
//!
//! ```rust
//! use callgate::{
//!     Change, Company, Decision, DenyReason, ObjectKind, Permissions, Resource, RoleId,
//!     SecurityMode,
//! };
//!
//! fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let mut company = Company::new();
//!     let olga = company.create_user("olga")?; // the first user is given Admin
//!     let sam = company.create_user("sam")?;
//!     company.apply(Change::AssignRole { role: RoleId::SUPERVISOR, principals: vec![sam.into()] })?;
//!
//!     // Enhanced security: each client is a project, hidden from the others' staff.
//!     company.apply(Change::SetSecurityMode { mode: SecurityMode::Enhanced })?;
//!     let acme = company.create_project("Acme Bank", "Inbound support")?;
//!     let globex = company.create_project("Globex", "Sales campaigns")?;
//!     let acme_queue = company.create_object(ObjectKind::Queue, "Acme inbound")?;
//!     let globex_queue = company.create_object(ObjectKind::Queue, "Globex sales")?;
//!     company.apply(Change::AddProjectObjects { project: acme, objects: vec![acme_queue] })?;
//!     company.apply(Change::AddProjectObjects { project: globex, objects: vec![globex_queue] })?;
//!     company.apply(Change::add_project_members(acme, [sam.into()]))?;
//!
//!     let acme_queue = Resource::Object(acme_queue);
//!     let globex_queue = Resource::Object(globex_queue);
//!     assert_eq!(company.check(sam, Permissions::QUEUES_MANAGE, acme_queue), Decision::Allow);
//!     assert_eq!(
//!         company.check(sam, Permissions::QUEUES_VIEW, globex_queue),
//!         Decision::Deny(DenyReason::HiddenByProjects),
//!     );
//!     assert_eq!(
//!         company.check(sam, Permissions::BILLING_VIEW, Resource::Company),
//!         Decision::Deny(DenyReason::MissingPermission),
//!     );
//!     // Admin holds `projects.all`: every project, member or not.
//!     assert!(company.check(olga, Permissions::QUEUES_MANAGE, globex_queue).is_allowed());
//!
//!     // Every answer comes with its reasons.
//!     assert_eq!(
//!         company.explain(sam, Permissions::QUEUES_VIEW, globex_queue).to_string(),
//!         "deny (hidden by projects): user `sam` may not `queues.view` on queue `Globex sales`\n  \
//!          - role `Supervisor` grants `queues.view` (assigned directly)\n  \
//!          - hidden: no project of theirs holds it, and no `projects.all`",
//!     );
//!     Ok(())
//! }
//! ```
//!
//! # Where to go next
//!
//! - The [`Company`] is the editable configuration: users, groups, roles,
//!   projects and scoped objects, changed by [`Change`] values (`apply`, or
//!   `plan` then `commit`), asked with [`Company::check`] and
//!   [`Company::explain`].
//! - A service shares it between threads through a [`Publisher`] and its
//!   [`Reader`]s, and stores changes with `callgate-store` (its `Writer` and
//!   `Tenants`).
//! - The [guide] has a chapter per topic: [product catalogs](guide::catalog)
//!   (a product declares its own with [`catalog!`]), [roles within
//!   projects](guide::projects), [sessions and role testing](guide::sessions),
//!   [a service](guide::service), [storing changes](guide::storing),
//!   [tenants and limits](guide::tenants), [errors](guide::errors) and the
//!   [security model](guide::security).
//! - `BENCHMARKS.md` in the repository has the numbers, and
//!   `CHANGELOG.md` the changes and how to upgrade.
//!
//! # Glossary
//!
//! - **Permission**: one switch of the role x permission matrix, such as
//!   `queues.view` or `recordings.listen_all`, with a stable lowercase name;
//!   a set of them is a [`Permissions`] value (or a product's own flags).
//!   A permission may imply others: `*.manage` implies `*.view`.
//! - **Catalog**: a product's sections, permissions, kinds of scoped object
//!   and built-in role sets ([`Definition`], compiled into a [`Catalog`]).
//!   The manual's call center is the [standard catalog](STANDARD), the
//!   default; a product's flags type implements [`PermissionFlags`] and its
//!   companies are `Company<ItsFlags>`.
//! - **Section**: a page, report or settings area of the product. Standing
//!   in a section, an administrator sees, for each of its permissions, one
//!   switch per role: those rows of the matrix ([`Company::section`], a
//!   [`SectionView`]).
//! - **Role**: a named set of permissions held by users and groups
//!   ([`Role`]). A user may do the union of what their roles grant.
//! - **Built-in role**: Admin, Supervisor or Operator ([`BuiltinRole`]);
//!   fixed templates that can be assigned but never edited or deleted.
//! - **Principal**: a user or a group: what roles and projects are given to
//!   ([`Principal`]).
//! - **Project**: a name, members and project-scoped objects ([`Project`]).
//! - **Scoped object**: a queue, schedule, SIP provider, call script,
//!   autodialer, list, notification template, dialog scenario or contact
//!   field ([`Object`], [`ObjectKind`]).
//! - **Security mode**: simple (roles decide) or enhanced (roles and projects
//!   decide) ([`SecurityMode`]).
//! - **Snapshot**: the compiled, immutable state that answers checks
//!   ([`Snapshot`]).
//! - **Change**: one edit of a company, as data ([`Change`]).

#![forbid(unsafe_code)]
#![deny(missing_docs)]
// No panics in library code: each remaining `allow` is local and says why
// it holds. Tests may unwrap.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]
#![deny(rustdoc::broken_intra_doc_links)]
// `doc_cfg` shows which items need the `serde` feature on docs.rs (nightly
// merged the former `doc_auto_cfg` into it).
#![cfg_attr(docsrs, feature(doc_cfg))]

/*
How does this crate work?

`Company` (company.rs) is the editable configuration: records in dense
tables indexed by id, with two-way links kept in step by one function
(`Company::set_links`, company/links.rs). Every table (records, the name
indexes of company/names.rs, the snapshot's entries) is stored in shared
`Arc` chunks (chunked.rs), so a clone of a company shares every chunk a
later change does not touch: publish.rs hands such clones to reader threads
as `View`s, through `arc_swap`, and a change copies only what it writes. Every edit is a `Change`
(change.rs) that goes in two phases (write.rs and write/, with their own
"How it works" note): `Company::plan` validates it into a delta, by the
module of its family, and works out its report without writing; the host
stores the plan's log entry; `Company::commit` carries the delta out, which
cannot fail, and recompiles only the users and objects it touched into the
`Snapshot` (policy.rs), whose layout is built for `check`: see the "How it
works" note at the top of policy.rs.
`Company::compile` builds the same snapshot from scratch in one pass (loading
a document does that); the two must always be equal, and the property tests
check it.

Around that core:
- duty.rs declares separation of duties (DOMAIN rule 25: `Duty`,
  `DutyConstraint`, kept as a shared `Arc<[_]>` on the company);
  write/duties.rs refuses a change that breaks one, reading each user the
  change reaches through the report's overlay (write/impact.rs), so the
  check never scans the company; only declaring one does.
- guard.rs authorizes changes made by a session (`plan_as`, `apply_as`):
  governing permission, no escalation, hidden projects; then `plan` does the
  rest.
- session.rs: sessions, role testing, `check_session`. A session is valid while
  its company is the snapshot's (company_id.rs: every company has an id, which
  sessions and log entries carry) and its login revision is not below the
  user's `sessions_from`.
- limits.rs: how many ids of each kind a company may give out; `next_id` in
  company.rs enforces them on new changes as a quota. The loader and
  `catch_up` read within `Limits::loading_bound` instead (quota or default,
  whichever is higher), so a tenant whose quota was cut still restarts and
  replicates.
- explain.rs answers a check slowly, from the records, with reasons.
- section.rs is the role x permission matrix and its per-section columns.
- catalog.rs and catalog/ are product catalogs: the `Definition` a product
  writes, the `const fn` that checks and compiles it into a `Catalog` (masks
  per kind, closures of implications, built-in sets), and the
  `PermissionFlags` trait every flags type implements. Every type that holds
  permissions is generic over the flags type, defaulting to the standard
  catalog's; see "The catalog" in policy.rs for why.
- permissions.rs is the standard catalog's bitflags type plus its table of
  stable names; catalog/standard.rs declares it as a `Definition`.
- document.rs (feature `serde`) writes the canonical stored document and loads
  it strictly, naming the path of any problem (document/load.rs and load/):
  non-canonical forms are refused (document/canonical.rs reads the fields
  left out at their default), and nothing is sized from `nextIds` but one
  shared chunk pointer per chunk of unused ids (`Nested::try_grow_to`).
  Loading checks every record first (load/records.rs: ids found by position,
  load/ids.rs; each name hashed once, into the name index it ends in), then
  makes each record once with all its links (load/build.rs).
  document/checkpoint.rs writes the same document in a compact binary form
  and reads it back into a `Document`, which then goes through the same
  checks: a quicker stored form for hosts that load companies on demand.
  document/template.rs loads a document as a new tenant (a random id) or as
  the tenant the host expects (another company's id refused).
- company/memory.rs: `Company::memory_bytes`, from the chunks of the tables,
  the long link sets' lengths and a running count of what user and object
  records own (`records_heap`, kept by write/delta.rs and `set_links`).

The tests hold the engine against a plain reference model
(tests/model/mod.rs), one integration test per domain rule, and property tests
for the document loader.
*/

mod catalog;
mod chain;
mod change;
mod chunked;
mod company;
mod company_id;
#[cfg(feature = "serde")]
mod document;
mod duty;
mod error;
mod explain;
mod grant_end;
mod guard;
pub mod guide;
mod id;
mod limits;
mod name;
mod permissions;
mod policy;
mod principal;
mod project;
mod publish;
mod resource_name;
mod role;
mod section;
mod session;
mod short_set;
mod trace;
mod write;

pub use crate::catalog::{
    AppliesTo, Catalog, CatalogError, Definition, Holds, Kind, KindDef, LibraryPermission,
    MAX_KINDS, MAX_PERMISSIONS, Names, PermissionDef, PermissionFlags, STANDARD, Word, kind_label,
    kind_name, names, parse_kind, parse_permissions,
};
pub use crate::chain::EntryDigest;
pub use crate::change::{Actor, Change, ChangeReport, Created, LogEntry, NewUser};
pub use crate::company::{Company, DEFAULT_PROJECT_NAME, MAX_REVISION};
pub use crate::company_id::{CompanyId, ParseCompanyIdError};
#[cfg(feature = "serde")]
pub use crate::document::{
    CatalogRef, Document, FORMAT_VERSION, GrantEndRecord, GroupRecord, MemberRoles, NextIds,
    ObjectRecord, ProjectRecord, RoleRecord, UserRecord,
};
pub use crate::duty::{Duty, DutyConstraint};
pub use crate::error::{EntityKind, Error, ErrorCategory, TextPosition};
pub use crate::explain::{DecisionRecord, Explanation, Grant, Reach};
pub use crate::grant_end::{Assignment, Timestamp};
pub use crate::limits::Limits;
pub use crate::permissions::{CATALOG, PermissionInfo, Permissions};
pub use crate::policy::{Decision, DenyReason, Resource, Snapshot, VisibleObjects};
pub use crate::principal::{Group, GroupId, Principal, User, UserId};
pub use crate::project::{Object, ObjectId, ObjectKind, Project, ProjectId, SecurityMode};
pub use crate::publish::{Publisher, Reader, View};
pub use crate::resource_name::ResourceName;
pub use crate::role::{BuiltinRole, Role, RoleId};
pub use crate::section::{Matrix, SectionRow, SectionSwitch, SectionView};
pub use crate::session::{Session, SessionDecision};
pub use crate::write::Plan;

/// The README's examples run as doctests too.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

/// What [`catalog!`] expands to needs; not part of the API.
#[doc(hidden)]
pub mod __private {
    pub use bitflags;

    /// A doc comment's line without its surrounding white space.
    #[must_use]
    pub const fn trim(line: &'static str) -> &'static str {
        line.trim_ascii()
    }
}
