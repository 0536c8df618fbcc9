//! [`CheckpointPolicy`]: when a writer stores a checkpoint.

/// When a [`Writer`](crate::Writer) stores a checkpoint: after so many
/// entries or so many bytes of entries since the last one, whichever comes
/// first.
///
/// A checkpoint is stored in the same transaction as the first entry past
/// the threshold, and holds the company before that entry: with
/// `every_entries(100)`, at revisions 100, 200... A start loads the
/// latest checkpoint and replays the entries from its revision on, so the
/// thresholds bound how much a start replays. Writing one costs the whole
/// document (about 40 MB at 100,000 users), so do not set them too low.
///
/// The log is kept whole: [`Store::compact`](crate::Store::compact) deletes
/// the entries below the latest checkpoint when the host wants.
///
/// # Example
///
/// ```
/// use callgate_store::CheckpointPolicy;
///
/// let policy = CheckpointPolicy::default().every_entries(500).every_bytes(4 << 20);
/// assert!(!policy.is_due(499, 1 << 20));
/// assert!(policy.is_due(500, 0));
/// assert!(policy.is_due(1, 4 << 20));
/// assert!(!CheckpointPolicy::never().is_due(u64::MAX, u64::MAX));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckpointPolicy {
    entries: Option<u64>,
    bytes: Option<u64>,
}

impl Default for CheckpointPolicy {
    /// Every 1,000 entries or 1 MiB of entries.
    fn default() -> Self {
        Self {
            entries: Some(1_000),
            bytes: Some(1 << 20),
        }
    }
}

impl CheckpointPolicy {
    /// No checkpoint but the tenant's first: every start replays the whole
    /// log.
    #[must_use]
    pub fn never() -> Self {
        Self {
            entries: None,
            bytes: None,
        }
    }

    /// The policy with a checkpoint every `entries` entries (at least 1).
    #[must_use]
    pub fn every_entries(mut self, entries: u64) -> Self {
        self.entries = Some(entries.max(1));
        self
    }

    /// The policy with a checkpoint every `bytes` bytes of entries (at
    /// least 1).
    #[must_use]
    pub fn every_bytes(mut self, bytes: u64) -> Self {
        self.bytes = Some(bytes.max(1));
        self
    }

    /// Whether a checkpoint is due once `entries` entries of `bytes` bytes
    /// in all have been stored since the last one.
    #[must_use]
    pub fn is_due(&self, entries: u64, bytes: u64) -> bool {
        self.entries.is_some_and(|every| entries >= every)
            || self.bytes.is_some_and(|every| bytes >= every)
    }
}
