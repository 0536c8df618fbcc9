//! Storage for [`callgate`]: each company's change log and
//! checkpoints in SQLite (one machine) or PostgreSQL (many), with a
//! [`Writer`] that plans, stores and commits, and [`Replica`]s that follow
//! the log.
//!
//! callgate itself does no I/O: a change is planned, its log entry stored by
//! the host, then committed. This crate is that host part, as a component:
//!
//! - a [`Store`] keeps, per company, a change log keyed by revision and the
//!   latest checkpoint, and per tenant key the company it names;
//!   [`SqliteStore`] (feature `sqlite`, the default) and `PostgresStore`
//!   (feature `postgres`) implement it;
//! - a [`Writer`] owns a tenant's company: it plans a change, stores the
//!   entry, then commits and publishes; on a lost race it catches up and
//!   plans again;
//! - a [`Replica`] loads the latest checkpoint and applies the log;
//!   [`Replica::follow`] runs it on a thread of its own ([`Follower`]),
//!   woken by the store, reconnecting after a lost database, and answering
//!   revision tokens with [`Follower::wait_for`];
//! - [`Tenants`] holds many companies in one process: loaded on first use,
//!   kept within a memory budget, each written through its own writer.
//!
//! # Example: a service's store glue
//!
//! ```
//! use callgate::{Change, NewUser, Permissions, Resource, RoleId};
//! use callgate_store::{SqliteStore, Writer};
//!
//! let dir = tempfile::tempdir()?;
//! let mut writer = Writer::open(SqliteStore::open(dir.path().join("callgate.db"))?, "acme")?;
//! let report = writer.apply(Change::create_user(NewUser::new("ann").role(RoleId::OPERATOR)))?;
//! let ann = report.created_user().ok_or("no user created")?;
//!
//! let reader = writer.reader(); // for request threads
//! assert!(reader.check(ann, Permissions::CALL_JOURNAL_VIEW, Resource::Company).is_allowed());
//!
//! // A restart finds the tenant's company and replays its log.
//! let id = writer.id();
//! drop(writer);
//! let writer = Writer::open(SqliteStore::open(dir.path().join("callgate.db"))?, "acme")?;
//! assert_eq!((writer.id(), writer.revision()), (id, 1));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Features
//!
//! - `sqlite` (default): [`SqliteStore`], with SQLite compiled in.
//! - `postgres`: `PostgresStore`, on the `postgres` client.

/*
How it works (for maintainers)

The log is the truth. A change is in a company's memory only once its entry
is in the store: `Writer::write` plans (every refusal of the library happens
there), appends the entry in one transaction (with a checkpoint when the
policy says so), and only then commits the plan, which cannot fail. The
primary key `(company, revision)` is the writers' lock: two writers that
planned at one revision cannot both store, and the loser gets
`StoreError::Conflict`. It then plans under the company's write lock
(`Store::append_locked`: it catches up and plans inside the transaction that
stores), so a writer that keeps losing optimistic races still gets through. A lost connection during
an append leaves the outcome unknown; the writer reconnects and reads the row
at that revision to find out (its own bytes: committed; another's: lost the
race; none: not stored).

Blocking, not async: one `Store` value is one connection, and every method
blocks. callgate's reads never touch the store (they go through a
`Reader`), so only writes and replica polls wait on the database; a tokio
service runs its writer in `spawn_blocking` and its replicas on their own
threads (`Follower`), and a plain threaded host needs no runtime. An async
interface would have made every host carry one, and SQLite has no async
driver worth the name.

The trait speaks JSON text, not `LogEntry<P>`: the database code is compiled
once here, not per product catalog, and a row that does not decode is found
by the generic layer (`codec`, `log`), which names its revision and column.

Tenants: a moka cache of `Arc<Tenant>` weighed by each company's bytes,
with single-flight loads (`try_get_with`), decides which tenants stay. Checks
find their tenant in a front index beside it (`tenants/front`): shards of
hash tables published through arc-swap, each entry holding the tenant's
latest view, refreshed by every write, catch-up and load before it returns.
moka's `get` (about 150 ns, more than the check) is called for one hit in
256 per thread, so its policy still sees use in proportion. A tenant's writer state is
apart from any connection (`WriterState`); writes, loads and catch-ups
borrow one from an r2d2 pool. A second map of weak handles finds a tenant
that an in-flight write still holds after the cache evicted it, so a tenant
is never in memory twice. The optional follower thread owns one connection
of its own and catches up the tenants its notices name.

Modules: `store` (the trait and its rows), `sqlite` and `postgres` (one
module per database, each with its migrations under `migrations/`), `codec`
(rows to entries and documents), `log` (start-up, pages applied all or
nothing), `writer` (with `writer/state`), `replica`, `follower` (the
replica's thread), `tenants` (the registry: `resident`, `front`, `builder`,
`pool`, `follow`, `stats`), `policy` (checkpoints), `error`.
*/

#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![deny(rustdoc::broken_intra_doc_links)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod codec;
mod error;
mod follower;
mod log;
mod policy;
#[cfg(feature = "postgres")]
mod postgres;
mod replica;
#[cfg(feature = "sqlite")]
mod sqlite;
mod store;
mod tenants;
mod trace;
mod writer;

pub use crate::error::{DatabaseErrorKind, StoreError};
pub use crate::follower::Follower;
pub use crate::policy::CheckpointPolicy;
#[cfg(feature = "postgres")]
pub use crate::postgres::{PostgresOptions, PostgresStore};
pub use crate::replica::Replica;
#[cfg(feature = "sqlite")]
pub use crate::sqlite::{Imported, SqliteOptions, SqliteStore};
pub use crate::store::{Checkpoint, PlanUnderLock, Store, StoredEntry, Wakeup};
pub use crate::tenants::{TenantInfo, TenantStats, Tenants, TenantsBuilder};
pub use crate::writer::{DEFAULT_ATTEMPTS, Write, Writer};

#[cfg(test)]
mod tests {
    use super::*;

    fn send_sync<T: Send + Sync>() {}
    fn send<T: Send>() {}

    #[test]
    fn public_types_can_cross_threads() {
        send::<Writer>();
        send::<Replica>();
        send_sync::<Follower>();
        send_sync::<StoreError>();
        send_sync::<Checkpoint>();
        send_sync::<StoredEntry>();
        #[cfg(feature = "sqlite")]
        send::<SqliteStore>();
    }
}
