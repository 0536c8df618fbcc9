//! A `tracing` subscriber for tests: it records every span as it opens and
//! every event, one line each, so a test can look for them. Shared by the
//! core's `tests/tracing.rs` and the store's `store/tests/tracing.rs`.

use std::cell::RefCell;
use std::fmt::{self, Write as _};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use tracing::field::{Field, Visit};
use tracing::{Event, Metadata, Subscriber, span};

/// Records every span as it opens and every event, as one line each:
/// `span plan company=... revision=2 op=create_user`, in the recording
/// thread's own list.
///
/// It is the process's global subscriber, installed once: with a scoped
/// subscriber per test, `tracing` caches each call site's interest across
/// threads, so a span first reached outside a test's scope (or while
/// another test's subscriber was being dropped) could go unrecorded.
#[derive(Default)]
pub(crate) struct Recorder {
    next_id: AtomicU64,
}

thread_local! {
    /// What this thread recorded since its last `during`.
    static LINES: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

struct Line(String);

impl Visit for Line {
    fn record_str(&mut self, field: &Field, value: &str) {
        let _ = write!(self.0, " {}={value}", field.name());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        let _ = write!(self.0, " {}={value:?}", field.name());
    }
}

impl Recorder {
    fn push(&self, line: Line) {
        LINES.with(|lines| lines.borrow_mut().push(line.0));
    }

    /// The lines this thread recorded while `run` ran.
    pub(crate) fn during(run: impl FnOnce()) -> Vec<String> {
        static INSTALLED: OnceLock<()> = OnceLock::new();
        INSTALLED.get_or_init(|| {
            tracing::subscriber::set_global_default(Self::default())
                .expect("no other global subscriber in this test binary");
        });
        LINES.with(|lines| lines.borrow_mut().clear());
        run();
        LINES.with(|lines| lines.take())
    }
}

impl Subscriber for Recorder {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, attributes: &span::Attributes<'_>) -> span::Id {
        let mut line = Line(format!("span {}", attributes.metadata().name()));
        attributes.record(&mut line);
        self.push(line);
        span::Id::from_u64(self.next_id.fetch_add(1, Ordering::Relaxed) + 1)
    }

    fn record(&self, _: &span::Id, _: &span::Record<'_>) {}

    fn record_follows_from(&self, _: &span::Id, _: &span::Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut line = Line("event".to_owned());
        event.record(&mut line);
        self.push(line);
    }

    fn enter(&self, _: &span::Id) {}

    fn exit(&self, _: &span::Id) {}
}

/// The position of the first line that starts with `start` and holds every
/// part.
pub(crate) fn find(lines: &[String], start: &str, parts: &[&str]) -> Option<usize> {
    lines
        .iter()
        .position(|line| line.starts_with(start) && parts.iter().all(|part| line.contains(part)))
}

/// Whether a line starts with `start` and holds every part.
#[allow(dead_code)] // The store's tests use `find` only.
pub(crate) fn has(lines: &[String], start: &str, parts: &[&str]) -> bool {
    find(lines, start, parts).is_some()
}
