//! The registry's connections: an `r2d2` pool of [`Store`]s, lent to one
//! load, write or catch-up at a time.

use std::time::Duration;

use crate::{DatabaseErrorKind, Store, StoreError};

/// Opens a new connection to the registry's database.
pub(crate) type Open = Box<dyn Fn() -> Result<Box<dyn Store>, StoreError> + Send + Sync>;

/// What `r2d2` needs to open connections.
pub(crate) struct Connections {
    pub(crate) open: Open,
}

impl r2d2::ManageConnection for Connections {
    type Connection = Box<dyn Store>;
    type Error = StoreError;

    fn connect(&self) -> Result<Box<dyn Store>, StoreError> {
        (self.open)()
    }

    fn is_valid(&self, _: &mut Box<dyn Store>) -> Result<(), StoreError> {
        // A lost connection is found by its next use, which reconnects.
        Ok(())
    }

    fn has_broken(&self, _: &mut Box<dyn Store>) -> bool {
        false
    }
}

/// The pool: at most `size` connections, opened as needed, none at start.
pub(crate) fn build(open: Open, size: u32, timeout: Duration) -> r2d2::Pool<Connections> {
    r2d2::Pool::builder()
        .max_size(size.max(1))
        .min_idle(Some(0))
        .test_on_check_out(false)
        .connection_timeout(timeout)
        .build_unchecked(Connections { open })
}

/// A connection from `pool`, or a busy error when none came in time.
pub(crate) fn take(
    pool: &r2d2::Pool<Connections>,
) -> Result<r2d2::PooledConnection<Connections>, StoreError> {
    pool.get().map_err(|error| {
        StoreError::database(
            "taking a connection from the pool",
            DatabaseErrorKind::Busy,
            error,
        )
    })
}
