//! The registry's follower thread: one connection waits for the store's
//! notices for every resident tenant, and catches up the tenants they name.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use callgate::PermissionFlags;

use super::Inner;
use crate::{Store, Wakeup};

/// The longest one wait for notices: also how soon a dropped registry's
/// thread ends.
const WAIT_SLICE: Duration = Duration::from_millis(100);

/// Runs until the registry is dropped or `stop` is set.
pub(super) fn run<P: PermissionFlags>(
    inner: &Weak<Inner<P>>,
    mut store: Box<dyn Store>,
    stop: &AtomicBool,
) {
    let mut backoff = Duration::from_millis(10);
    while !stop.load(Ordering::Relaxed) {
        let wakeup = store.wait(WAIT_SLICE);
        let Some(inner) = inner.upgrade() else {
            return;
        };
        match wakeup {
            Ok(Wakeup::Changed(changed)) => {
                for (company, revision) in changed {
                    if let Some(tenant) = inner.live_by_company(company) {
                        if tenant.reader.revision() < revision {
                            inner.catch_up(&tenant);
                        }
                    }
                }
                backoff = Duration::from_millis(10);
            }
            Ok(Wakeup::Poll) => {
                inner
                    .live_tenants()
                    .iter()
                    .for_each(|tenant| inner.catch_up(tenant));
                backoff = Duration::from_millis(10);
            }
            Ok(_) => {}
            Err(error) => {
                inner.record_error(error);
                drop(inner);
                std::thread::sleep(backoff);
                backoff = (backoff * 2).min(Duration::from_secs(1));
                // A failure here is seen again at the next wait.
                let _ = store.reconnect();
            }
        }
    }
}

/// Sets `stop` when dropped: the thread ends at its next turn.
pub(super) struct StopOnDrop(pub(super) Arc<AtomicBool>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}
