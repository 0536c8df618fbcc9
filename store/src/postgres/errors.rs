//! The driver's failures, sorted into the store's kinds, and columns read back.

use callgate::CompanyId;
use postgres::Row;

use crate::{DatabaseErrorKind, StoreError};

/// A PostgreSQL failure while doing `operation`, sorted by kind.
pub(super) fn pg_error(operation: &'static str, error: postgres::Error) -> StoreError {
    let kind = error_kind(&error);
    StoreError::database(operation, kind, Failure(error))
}

/// The driver's error, shown with what the server or the socket said (the
/// driver's own message is only `db error`).
#[derive(Debug)]
struct Failure(postgres::Error);

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use std::error::Error as _;
        match (self.0.as_db_error(), self.0.source()) {
            (Some(db), _) => write!(
                f,
                "{} {}: {}",
                db.severity(),
                db.code().code(),
                db.message()
            ),
            (None, Some(cause)) => write!(f, "{}: {cause}", self.0),
            (None, None) => write!(f, "{}", self.0),
        }
    }
}

impl std::error::Error for Failure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

/// What kind of failure `error` is, by its SQLSTATE or else by its cause.
pub(super) fn error_kind(error: &postgres::Error) -> DatabaseErrorKind {
    let Some(code) = error.code() else {
        return if error.is_closed() || is_network_failure(error) {
            DatabaseErrorKind::ConnectionLost
        } else {
            DatabaseErrorKind::Other
        };
    };
    match code.code() {
        "25006" => DatabaseErrorKind::ReadOnly, // read_only_sql_transaction
        "53100" => DatabaseErrorKind::Full,     // disk_full
        // serialization_failure, deadlock_detected, lock_not_available
        "40001" | "40P01" | "55P03" => DatabaseErrorKind::Busy,
        // admin_shutdown (`pg_terminate_backend`, a fast shutdown),
        // crash_shutdown, cannot_connect_now; class 08: connection exceptions
        "57P01" | "57P02" | "57P03" => DatabaseErrorKind::ConnectionLost,
        class if class.starts_with("08") => DatabaseErrorKind::ConnectionLost,
        _ => DatabaseErrorKind::Other,
    }
}

/// Whether an I/O error with the socket caused `error` (not a message that
/// did not parse, which the driver also reports as I/O).
pub(super) fn is_network_failure(error: &postgres::Error) -> bool {
    let cause = std::error::Error::source(error).and_then(|e| e.downcast_ref::<std::io::Error>());
    cause.is_some_and(|io| {
        !matches!(
            io.kind(),
            std::io::ErrorKind::InvalidInput | std::io::ErrorKind::InvalidData
        )
    })
}

/// A revision as the database keeps it.
pub(super) fn revision_to_db(operation: &'static str, revision: u64) -> Result<i64, StoreError> {
    i64::try_from(revision).map_err(|_| {
        StoreError::database(
            operation,
            DatabaseErrorKind::Other,
            format!("revision {revision} is past the largest PostgreSQL keeps"),
        )
    })
}

/// A revision read from column `revision` of `row`.
pub(super) fn revision_column(operation: &'static str, row: &Row) -> Result<u64, StoreError> {
    let revision: i64 = row
        .try_get("revision")
        .map_err(|e| pg_error(operation, e))?;
    u64::try_from(revision).map_err(|_| {
        StoreError::database(
            operation,
            DatabaseErrorKind::Other,
            format!("column `revision` holds {revision}, below zero"),
        )
    })
}

/// A company id read from a column, or the column's row named as corrupt.
pub(super) fn company_column(text: &str, tenant: &str) -> Result<CompanyId, StoreError> {
    text.parse()
        .map_err(|error: callgate::ParseCompanyIdError| {
            StoreError::database(
                "reading the tenants",
                DatabaseErrorKind::Other,
                format!("tenant `{tenant}`: column `company`: {error}"),
            )
        })
}
