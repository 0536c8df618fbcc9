//! Tracing, behind the `tracing` feature: spans around the slow paths
//! (plan, commit, catch-up, load, publish) and events for refusals.
//!
//! The macros expand to nothing without the feature, so the crate then has
//! no tracing code at all. `check` and the other read paths never trace:
//! they answer in nanoseconds and a span would cost more than the answer.

/// Enters a `debug` span until the end of the enclosing block.
#[cfg(feature = "tracing")]
macro_rules! enter_span {
    ($name:literal $(, $($field:tt)*)?) => {
        let _entered = ::tracing::debug_span!($name $(, $($field)*)?).entered();
    };
}

/// Enters a `debug` span until the end of the enclosing block.
#[cfg(not(feature = "tracing"))]
macro_rules! enter_span {
    ($($anything:tt)*) => {};
}

/// Emits a `debug` event for a refusal: the error's code and message.
#[cfg(feature = "tracing")]
macro_rules! refused {
    ($error:expr, $what:literal $(, $($field:tt)*)?) => {
        ::tracing::debug!(
            code = $error.code(),
            error = %$error,
            $($($field)*,)?
            $what
        )
    };
}

/// Emits a `debug` event for a refusal: the error's code and message.
#[cfg(not(feature = "tracing"))]
macro_rules! refused {
    ($($anything:tt)*) => {};
}

pub(crate) use {enter_span, refused};

/// The event that ends a load: the company and revision loaded, or the
/// refusal.
#[cfg(all(feature = "tracing", feature = "serde"))]
pub(crate) fn loaded<P: crate::PermissionFlags>(loaded: &Result<crate::Company<P>, crate::Error>) {
    match loaded {
        Ok(company) => {
            ::tracing::debug!(company = %company.id(), revision = company.revision(), "loaded");
        }
        Err(error) => refused!(error, "document refused"),
    }
}

/// The event that ends a load (nothing without the `tracing` feature).
#[cfg(all(not(feature = "tracing"), feature = "serde"))]
#[inline(always)]
pub(crate) fn loaded<T, E>(_loaded: &Result<T, E>) {}
