//! [`Follower`]: a replica on a thread of its own, following the log as it
//! is written.

use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use callgate::{CompanyId, PermissionFlags, Permissions, Reader, View};

use crate::{Replica, StoreError};

/// The longest a follower sleeps between tries to reach a lost database.
const MAX_BACKOFF: Duration = Duration::from_secs(1);

/// The longest one wait for the store's notices: also how soon a stop is
/// seen.
const WAIT_SLICE: Duration = Duration::from_millis(100);

/// A [`Replica`] following its tenant's log on a thread of its own, made by
/// [`Replica::follow`].
///
/// The thread applies entries as soon as the store tells of them (at once
/// with PostgreSQL's `LISTEN`/`NOTIFY`, within a poll interval with SQLite),
/// and publishes them to the [`reader`](Follower::reader)s.
///
/// - **Lost database**: it keeps serving the last state, reconnects with a
///   growing pause (up to a second), then catches up.
/// - **Refused entry** (a corrupt row, a divergence): it keeps serving its
///   last good state, and reports the error in
///   [`last_error`](Follower::last_error); it tries again at each notice, so
///   a mended row is picked up, and [`reload`](Follower::reload) starts
///   again from the latest checkpoint.
///
/// Dropping the follower stops the thread (within about 100 ms).
///
/// # Example: a replica answering with a revision token
///
/// ```
/// use callgate::Change;
/// use callgate_store::{Replica, SqliteStore, Writer};
/// use std::time::Duration;
///
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("callgate.db");
/// let mut writer = Writer::open(SqliteStore::open(&path)?, "acme")?;
/// let follower = Replica::open(SqliteStore::open_read_only(&path)?, "acme")?.follow();
///
/// let user = Change::create_user("ann");
/// let token = writer.apply(user)?.revision;
/// let view = follower.wait_for(token, Duration::from_secs(5))?;
/// assert!(view.user_by_name("ann").is_some());
/// assert!(follower.last_error().is_none());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Follower<P: PermissionFlags = Permissions> {
    shared: Arc<Shared>,
    reader: Reader<P>,
    company: CompanyId,
    thread: Option<JoinHandle<Replica<P>>>,
}

/// What the thread and the handle share.
struct Shared {
    state: Mutex<State>,
    /// Signalled when the revision or the error changes, and on stop.
    changed: Condvar,
}

#[derive(Default)]
struct State {
    revision: u64,
    error: Option<Arc<StoreError>>,
    stop: bool,
    reload: bool,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic on the thread cannot leave the state half-written: every
        // field is written whole.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn update(&self, update: impl FnOnce(&mut State)) {
        update(&mut self.lock());
        self.changed.notify_all();
    }
}

impl<P: PermissionFlags> std::fmt::Debug for Follower<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Follower")
            .field("company", &self.company)
            .field("revision", &self.revision())
            .finish_non_exhaustive()
    }
}

impl<P: PermissionFlags> Replica<P> {
    /// Starts a thread that follows the log (see [`Follower`]). If the
    /// system cannot start a thread, the follower serves the replica's
    /// state as it is, and [`Follower::wait_for`] past it times out at
    /// once.
    #[must_use]
    pub fn follow(self) -> Follower<P> {
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                revision: self.revision(),
                ..State::default()
            }),
            changed: Condvar::new(),
        });
        let (reader, company) = (self.reader(), self.id());
        let thread_shared = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name(format!("callgate-follow-{company}"))
            .spawn(move || run(self, &thread_shared))
            .ok();
        Follower {
            shared,
            reader,
            company,
            thread,
        }
    }
}

impl<P: PermissionFlags> Follower<P> {
    /// A handle for request threads on the published company.
    #[must_use]
    pub fn reader(&self) -> Reader<P> {
        self.reader.clone()
    }

    /// The company's id.
    #[must_use]
    pub fn id(&self) -> CompanyId {
        self.company
    }

    /// The revision the replica has reached.
    #[must_use]
    pub fn revision(&self) -> u64 {
        self.shared.lock().revision
    }

    /// The last error the thread met, until it next applies the log
    /// cleanly: a lost database, a corrupt row, a divergence.
    #[must_use]
    pub fn last_error(&self) -> Option<Arc<StoreError>> {
        self.shared.lock().error.clone()
    }

    /// Asks the thread to load the company again from the latest
    /// checkpoint and the log (after a divergence, once the log is mended).
    pub fn reload(&self) {
        self.shared.update(|state| state.reload = true);
    }

    /// Waits until the replica reaches `revision` (a client's token), and
    /// returns the view at that revision or later.
    ///
    /// # Errors
    ///
    /// [`StoreError::Timeout`] when `timeout` passes first (the message
    /// names the revision reached).
    pub fn wait_for(&self, revision: u64, timeout: Duration) -> Result<View<P>, StoreError> {
        let start = Instant::now();
        let mut state = self.shared.lock();
        while state.revision < revision {
            let waited = start.elapsed();
            if waited >= timeout || self.thread.is_none() {
                return Err(StoreError::Timeout {
                    company: self.company,
                    revision,
                    reached: state.revision,
                    waited,
                });
            }
            state = self
                .shared
                .changed
                .wait_timeout(state, timeout - waited)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        drop(state);
        Ok(self.reader.view())
    }

    /// Stops the thread and returns the replica: `None` if the thread could
    /// not be started or panicked.
    #[must_use]
    pub fn stop(mut self) -> Option<Replica<P>> {
        self.stop_thread()
    }

    fn stop_thread(&mut self) -> Option<Replica<P>> {
        self.shared.update(|state| state.stop = true);
        self.thread.take()?.join().ok()
    }
}

impl<P: PermissionFlags> Drop for Follower<P> {
    fn drop(&mut self) {
        let _ = self.stop_thread();
    }
}

/// The thread: poll, wait for a notice, and mend what breaks, until stopped.
fn run<P: PermissionFlags>(mut replica: Replica<P>, shared: &Shared) -> Replica<P> {
    let mut backoff = Duration::from_millis(10);
    loop {
        let reload = {
            let mut state = shared.lock();
            if state.stop {
                return replica;
            }
            std::mem::take(&mut state.reload)
        };
        let polled = if reload {
            replica.reload().map(drop)
        } else {
            replica.poll().map(drop)
        };
        let revision = replica.revision();
        let outcome = polled.and_then(|()| {
            shared.update(|state| {
                state.revision = revision;
                state.error = None;
            });
            replica.store.wait(WAIT_SLICE).map(drop)
        });
        let Err(error) = outcome else {
            backoff = Duration::from_millis(10);
            continue;
        };
        let lost = error.database_kind().is_some();
        shared.update(|state| {
            state.revision = revision;
            state.error = Some(Arc::new(error));
        });
        if pause(shared, if lost { backoff } else { WAIT_SLICE }) {
            return replica;
        }
        if lost {
            backoff = (backoff * 2).min(MAX_BACKOFF);
            // A failure here is seen again at the next poll.
            let _ = replica.store.reconnect();
        }
    }
}

/// Sleeps for `pause` unless stopped first; returns whether it was stopped.
fn pause(shared: &Shared, pause: Duration) -> bool {
    let state = shared.lock();
    let (state, _) = shared
        .changed
        .wait_timeout_while(state, pause, |state| !state.stop)
        .unwrap_or_else(PoisonError::into_inner);
    state.stop
}
