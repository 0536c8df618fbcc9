//! `replica --until REV`: a replica process following the log.

use std::io::BufRead as _;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use callgate_store::{Follower, Replica};

use crate::address::Address;
use crate::{Result, chain, say};

/// How often the reporter looks at the follower's last error.
const REPORT_EVERY: Duration = Duration::from_millis(2);

/// What `replica` was asked.
#[derive(Debug)]
pub(crate) struct Options {
    /// The revision to reach before printing the document.
    pub(crate) until: u64,
    /// Whether to answer `token <rev>` lines from stdin.
    pub(crate) check_tokens: bool,
    /// How long to wait for a token or for `until`.
    pub(crate) timeout: Duration,
}

/// Follows `tenant`'s log on a thread of its own, answers tokens, reports
/// the follower's errors as it meets them, and prints the document once at
/// `until`.
///
/// A refused entry (a corrupt row) does not end the process: the follower
/// keeps serving its last good state, the process says `error ...`, and a
/// mended row is picked up. Only reaching neither `until` nor a token in
/// time is a failure.
pub(crate) fn run(address: &Address, tenant: &str, options: &Options) -> Result<()> {
    let follower = Replica::open(address.open_read_only()?, tenant)?.follow();
    let done = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let reporter = scope.spawn(|| report_errors(&follower, &done));
        let outcome = follow(&follower, options);
        done.store(true, Ordering::Relaxed);
        let reported = reporter.join().map_err(|_| "the error reporter panicked")?;
        outcome.and(reported)
    })
}

fn follow(follower: &Follower, options: &Options) -> Result<()> {
    if options.check_tokens {
        answer_tokens(follower, options.timeout)?;
    }
    let view = follower
        .wait_for(options.until, options.timeout)
        .map_err(|error| match follower.last_error() {
            Some(last) => format!("{error} (the follower's last error: {})", chain(&*last)),
            None => error.to_string(),
        })?;
    say(&serde_json::to_string(&view.to_document())?)
}

/// Answers each stdin line `token <rev>` with `view <rev>`, the revision of
/// the view `wait_for` returned, until stdin ends.
fn answer_tokens(follower: &Follower, timeout: Duration) -> Result<()> {
    for line in std::io::stdin().lock().lines() {
        let line = line?;
        let token = line
            .strip_prefix("token ")
            .and_then(|t| t.trim().parse::<u64>().ok())
            .ok_or_else(|| format!("expected `token <revision>`, got `{line}`"))?;
        let view = follower.wait_for(token, timeout)?;
        say(&format!("view {}", view.revision()))?;
    }
    Ok(())
}

/// Prints `error <code> <message>` each time the follower reports an error
/// other than the last one printed, until `done`.
fn report_errors(follower: &Follower, done: &AtomicBool) -> Result<()> {
    let mut last: Option<String> = None;
    while !done.load(Ordering::Relaxed) {
        let now = follower.last_error();
        let message = now.map(|e| format!("{} {}", e.code(), chain(&*e)));
        if message.is_some() && message != last {
            say(&format!("error {}", message.as_deref().unwrap_or_default()))?;
        }
        last = message;
        std::thread::sleep(REPORT_EVERY);
    }
    Ok(())
}
