//! Tracing, behind the `tracing` feature: the store's spans (a tenant's
//! writes, catch-ups and loads) open inside the host's and hold the core's
//! own (plan, commit, catch-up, load, publish).

use crate::StoreError;

/// Enters a `debug` span until the end of the enclosing block (nothing
/// without the `tracing` feature).
#[cfg(feature = "tracing")]
macro_rules! enter_span {
    ($name:literal $(, $($field:tt)*)?) => {
        let _entered = ::tracing::debug_span!($name $(, $($field)*)?).entered();
    };
}

/// Enters a `debug` span until the end of the enclosing block (nothing
/// without the `tracing` feature).
#[cfg(not(feature = "tracing"))]
macro_rules! enter_span {
    ($($anything:tt)*) => {};
}

pub(crate) use enter_span;

/// A `debug` event for a refusal, with the error's code; nothing for a
/// success or without the feature.
#[cfg(feature = "tracing")]
pub(crate) fn outcome<T>(result: &Result<T, StoreError>, what: &'static str) {
    if let Err(error) = result {
        tracing::debug!(code = error.code(), error = %error, "{what}");
    }
}

/// A `debug` event for a refusal (nothing without the `tracing` feature).
#[cfg(not(feature = "tracing"))]
#[inline(always)]
pub(crate) fn outcome<T>(_result: &Result<T, StoreError>, _what: &'static str) {}
