//! The one error type of the store crate.

use std::time::Duration;

use callgate::CompanyId;

/// Why a store, a writer or a replica refused or failed.
///
/// Every message names what is wrong: the tenant, the company, the revision
/// or the column. A refused or failed write leaves the writer's company
/// exactly as it was; a refused entry leaves a replica serving its last good
/// state.
///
/// The enum is `#[non_exhaustive]`: new kinds of failure may be added in
/// minor releases, so a `match` on it needs a wildcard arm.
/// [`StoreError::code`] gives each kind of error a stable snake_case code,
/// and [`StoreError::database_kind`] says what kind of database failure a
/// [`StoreError::Database`] is.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The library refused the change when planning it: nothing was stored.
    #[error("the change is refused: {0}")]
    Refused(#[source] callgate::Error),

    /// Another writer stored an entry at this revision first. The store
    /// returns it from [`Store::append`](crate::Store::append); a
    /// [`Writer`](crate::Writer) catches up and plans again instead.
    #[error(
        "revision {revision} of company `{company}` is already in the log: another writer stored a change there first"
    )]
    Conflict {
        /// The company whose log has the revision.
        company: CompanyId,
        /// The revision the change was planned at.
        revision: u64,
    },

    /// A writer lost the race for a revision on every try: nothing was
    /// stored.
    #[error(
        "company `{company}`: other writers took the revision {attempts} times in a row; nothing was stored"
    )]
    Contended {
        /// The company.
        company: CompanyId,
        /// How many times the change was planned and stored.
        attempts: u32,
    },

    /// No company is kept for this tenant key: nothing was loaded or
    /// created.
    #[error("unknown tenant `{tenant}`")]
    UnknownTenant {
        /// The host's tenant key.
        tenant: String,
    },

    /// A tenant of a registry did not load: its key, and why.
    #[error("tenant `{tenant}`: {source}")]
    Tenant {
        /// The host's tenant key.
        tenant: String,
        /// Why it did not load (shared by every request that waited for
        /// the same load).
        #[source]
        source: std::sync::Arc<StoreError>,
    },

    /// The registry follows this tenant read-only: write through a
    /// registry or a writer that writes.
    #[error("tenant `{tenant}` is followed read-only here")]
    ReadOnly {
        /// The host's tenant key.
        tenant: String,
    },

    /// The tenant key is kept for another company than the one given.
    #[error("tenant `{tenant}` is kept for company `{stored}`, not `{given}`")]
    TenantTaken {
        /// The host's tenant key.
        tenant: String,
        /// The company the store keeps for it.
        stored: CompanyId,
        /// The company given.
        given: CompanyId,
    },

    /// A change-log row does not decode.
    #[error(
        "company `{company}`, log entry at revision {revision}: column `{column}` does not decode: {reason}"
    )]
    CorruptEntry {
        /// The company whose log holds the row.
        company: CompanyId,
        /// The row's revision.
        revision: u64,
        /// The column that does not decode: `change`, `actor`, `context` or
        /// `previous`.
        column: &'static str,
        /// What the decoder said.
        reason: String,
    },

    /// The checkpoint does not load.
    #[error("company `{company}`, checkpoint at revision {revision}: {reason}")]
    CorruptCheckpoint {
        /// The company.
        company: CompanyId,
        /// The revision in the checkpoint's row.
        revision: u64,
        /// What the loader said.
        reason: String,
    },

    /// The company refused a log entry it was replaying, or the log has a
    /// gap: the state no longer follows the log. A replica keeps serving
    /// its last good state; [`Replica::reload`](crate::Replica::reload)
    /// starts again from the checkpoint.
    #[error("company `{company}` diverged from its log at revision {revision}: {source}")]
    Diverged {
        /// The company.
        company: CompanyId,
        /// The revision of the entry that was refused.
        revision: u64,
        /// What the company said.
        #[source]
        source: callgate::Error,
    },

    /// The log has no entry at the revision a replica needs next, and no
    /// checkpoint covers it: entries were deleted from the middle.
    #[error(
        "company `{company}`: the log has no entry at revision {expected} (the next is at {found}), and no checkpoint covers it"
    )]
    Gap {
        /// The company.
        company: CompanyId,
        /// The revision the replica needs.
        expected: u64,
        /// The revision of the next entry in the log.
        found: u64,
    },

    /// [`Follower::wait_for`](crate::Follower::wait_for) ran out of time
    /// before the replica reached the revision.
    #[error("company `{company}` is at revision {reached}, not yet {revision}, after {waited:?}")]
    Timeout {
        /// The company.
        company: CompanyId,
        /// The revision waited for.
        revision: u64,
        /// The revision reached.
        reached: u64,
        /// How long it waited.
        waited: Duration,
    },

    /// The database's schema is newer than this crate knows: a newer
    /// release of the store wrote it.
    #[error("the database's schema is at version {found}; this release knows up to {known}")]
    SchemaTooNew {
        /// The version in the database.
        found: i64,
        /// The newest version this release knows.
        known: i64,
    },

    /// The database failed: see [`StoreError::database_kind`] for what kind of
    /// failure, and the source for the driver's own error.
    #[error("the database failed while {operation}: {source}")]
    Database {
        /// What the store was doing (`appending an entry`, `reading the log`...).
        operation: &'static str,
        /// What kind of failure.
        kind: DatabaseErrorKind,
        /// The driver's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },

    /// A value did not encode as JSON.
    #[error("a value does not encode as JSON: {0}")]
    Encode(#[source] serde_json::Error),
}

/// What kind of database failure a [`StoreError::Database`] is.
///
/// `#[non_exhaustive]`: more kinds may be told apart in minor releases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DatabaseErrorKind {
    /// The database refuses writes (a read-only file or server).
    ReadOnly,
    /// The disk or the database is full.
    Full,
    /// The database is busy or locked by another connection; try again.
    Busy,
    /// The connection is lost (the server went away, or ended the
    /// session). The writer or replica reconnects before its next call.
    ConnectionLost,
    /// Anything else the driver reports.
    Other,
}

impl StoreError {
    /// A database failure of `kind` while doing `operation`.
    pub(crate) fn database(
        operation: &'static str,
        kind: DatabaseErrorKind,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        Self::Database {
            operation,
            kind,
            source: source.into(),
        }
    }

    /// The kind of a database failure; `None` for every other error.
    #[must_use]
    pub fn database_kind(&self) -> Option<DatabaseErrorKind> {
        match self {
            Self::Database { kind, .. } => Some(*kind),
            _ => None,
        }
    }

    /// Whether the connection was lost: the outcome of a write in flight is
    /// unknown until the log is read again.
    #[must_use]
    pub fn is_connection_lost(&self) -> bool {
        self.database_kind() == Some(DatabaseErrorKind::ConnectionLost)
    }

    /// A stable snake_case code per kind of error, for logs and clients
    /// (`refused`, `conflict`, `corrupt_entry`, `database_read_only`...).
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::Refused(_) => "refused",
            Self::Conflict { .. } => "conflict",
            Self::Contended { .. } => "contended",
            Self::UnknownTenant { .. } => "unknown_tenant",
            Self::TenantTaken { .. } => "tenant_taken",
            Self::Tenant { source, .. } => source.code(),
            Self::ReadOnly { .. } => "read_only",
            Self::CorruptEntry { .. } => "corrupt_entry",
            Self::CorruptCheckpoint { .. } => "corrupt_checkpoint",
            Self::Diverged { .. } => "diverged",
            Self::Gap { .. } => "gap",
            Self::Timeout { .. } => "timeout",
            Self::SchemaTooNew { .. } => "schema_too_new",
            Self::Database { kind, .. } => match kind {
                DatabaseErrorKind::ReadOnly => "database_read_only",
                DatabaseErrorKind::Full => "database_full",
                DatabaseErrorKind::Busy => "database_busy",
                DatabaseErrorKind::ConnectionLost => "database_connection_lost",
                DatabaseErrorKind::Other => "database",
            },
            Self::Encode(_) => "encode",
        }
    }
}
