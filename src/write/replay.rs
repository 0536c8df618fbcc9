//! Catching a replica up with a change log ([`Company::catch_up`]), and
//! the chain of entries it checks on the way (see chain.rs).

use std::borrow::Borrow;

use super::Plan;
use crate::company::Company;
use crate::{Change, Error, LogEntry, PermissionFlags};

impl<P: PermissionFlags> Company<P> {
    /// Brings a replica up to date from a change log, owned entries or
    /// borrowed: entries older than the company's revision are skipped
    /// (already applied), the entry at its revision is applied, and so on
    /// in order. Returns how many entries were applied.
    ///
    /// Entries are replayed as they were accepted: the actor and context are
    /// kept in the log for audit, and the actor's rights are not checked
    /// again (they were when the entry was planned). Nor is the company's
    /// quota ([`Company::set_limits`]): an entry that made a record before
    /// the quota was lowered replays, within
    /// [`Limits::loading_bound`](crate::Limits::loading_bound), the bound
    /// that keeps a hostile log from asking for more ids than a document
    /// may name. New changes ([`Company::apply`]) still stop at the quota.
    ///
    /// Entries form a chain: each names the [digest](LogEntry::digest) of
    /// the one before it ([`LogEntry::previous`]). A new entry must name the
    /// company's [`chain`](Company::chain); an entry already applied, when
    /// it is the last one, must have the chain as its digest; and each
    /// entry given must name the digest of the one given before it. An
    /// entry that names none (written before 0.4) is applied unchecked.
    ///
    /// Each entry is all-or-nothing; a refused entry stops the catch-up
    /// there, with the company at that entry's revision.
    ///
    /// # Errors
    ///
    /// [`Error::OtherCompany`] for an entry another company planned (with
    /// any revision: nothing of it is applied), [`Error::RevisionMismatch`]
    /// when the log has a gap (an entry for a later revision than the
    /// company's), [`Error::LogDiverged`] for an entry that does not follow
    /// what the company applied (another history, or a rewritten entry),
    /// or the error of the refused entry.
    ///
    /// # Example: a rewritten entry is seen
    ///
    /// ```
    /// # #[cfg(feature = "serde")] {
    /// use callgate::{Change, Company, Error, NewUser};
    ///
    /// let mut writer = Company::new();
    /// let plan = writer.plan(Change::create_user(NewUser::new("ann")))?;
    /// let entry = plan.entry().clone();
    /// writer.commit(plan)?;
    ///
    /// let mut replica = Company::new().with_id(writer.id());
    /// assert_eq!(replica.catch_up([&entry])?, 1);
    /// assert_eq!(replica.catch_up([&entry])?, 0); // already applied
    ///
    /// let rewritten = entry.clone().with_context("edited", "by hand");
    /// assert_eq!(
    ///     replica.catch_up([&rewritten]),
    ///     Err(Error::LogDiverged { revision: 0, applied: true }),
    /// );
    /// # }
    /// # Ok::<(), callgate::Error>(())
    /// ```
    pub fn catch_up<E: Borrow<LogEntry<P>>>(
        &mut self,
        log: impl IntoIterator<Item = E>,
    ) -> Result<usize, Error> {
        crate::trace::enter_span!("catch_up", company = %self.id, revision = self.revision);
        let caught_up = self.catch_up_unchecked(log);
        #[cfg(feature = "tracing")]
        match &caught_up {
            Ok(applied) => ::tracing::debug!(applied, revision = self.revision, "caught up"),
            Err(error) => crate::trace::refused!(error, "log refused", revision = self.revision),
        }
        caught_up
    }

    /// [`Company::catch_up`] without its trace.
    fn catch_up_unchecked<E: Borrow<LogEntry<P>>>(
        &mut self,
        log: impl IntoIterator<Item = E>,
    ) -> Result<usize, Error> {
        let mut applied = 0;
        // The digest of the entry before, in the order given: each entry's
        // `previous` must match it (chain.rs).
        let mut before: Option<(u64, crate::EntryDigest)> = None;
        for entry in log {
            let entry = entry.borrow();
            if entry.company != self.id {
                return Err(Error::OtherCompany {
                    what: "log entry",
                    of: entry.company,
                    used_with: self.id,
                });
            }
            let already_applied = entry.revision < self.revision();
            follows(before, entry, already_applied)?;
            if already_applied {
                before = self
                    .check_applied(entry)?
                    .map(|digest| (entry.revision, digest));
                continue;
            }
            self.expect_revision(entry.revision)?;
            follows(
                self.chain
                    .map(|chain| (entry.revision.wrapping_sub(1), chain)),
                entry,
                false,
            )?;
            let mut plan = self.replay_plan(entry.change.clone())?;
            plan.entry.previous = entry.previous;
            plan.entry.actor = entry.actor;
            plan.entry.context.clone_from(&entry.context);
            self.commit(plan)?;
            if entry.previous.is_none() {
                // Unchecked: the writer's own entry may have named the
                // digest before it, and then its digest is not this one.
                // The chain is known again at the next entry that names one.
                self.chain = None;
            }
            before = self.chain.map(|digest| (entry.revision, digest));
            applied += 1;
        }
        Ok(applied)
    }

    /// An entry at a revision already applied: when it is the last one
    /// applied, its digest must be the company's chain. Returns its digest
    /// (`None` without the `serde` feature, which has no digests).
    fn check_applied(&self, entry: &LogEntry<P>) -> Result<Option<crate::EntryDigest>, Error> {
        let digest = digest_of(entry);
        let last = entry.revision.checked_add(1) == Some(self.revision());
        if let (true, Some(ours), Some(theirs)) = (last, self.chain, digest) {
            if ours != theirs {
                return Err(Error::LogDiverged {
                    revision: entry.revision,
                    applied: true,
                });
            }
        }
        Ok(digest)
    }

    /// [`Company::plan`] of an accepted log entry: records are made within
    /// the loading bound, not the quota (see [`Company::catch_up`]).
    fn replay_plan(&mut self, change: Change<P>) -> Result<Plan<P>, Error> {
        let quota = self.limits;
        self.limits = quota.loading_bound();
        let plan = self.plan(change);
        self.limits = quota;
        plan
    }
}

/// The digest a company keeps after committing `entry` (see chain.rs).
#[cfg(feature = "serde")]
pub(super) fn digest_of<P: PermissionFlags>(entry: &LogEntry<P>) -> Option<crate::EntryDigest> {
    Some(entry.digest())
}

/// Without serde there is no canonical form to hash: the chain is unknown.
#[cfg(not(feature = "serde"))]
pub(super) fn digest_of<P: PermissionFlags>(_entry: &LogEntry<P>) -> Option<crate::EntryDigest> {
    None
}

/// Whether `entry` follows the entry `before` it (its revision and digest,
/// when known): an entry that names the digest of the one before must name
/// that one. `applied` says whether a mismatch is found on an entry already
/// applied (the log was rewritten) or on a new one (another history).
fn follows<P: PermissionFlags>(
    before: Option<(u64, crate::EntryDigest)>,
    entry: &LogEntry<P>,
    applied: bool,
) -> Result<(), Error> {
    match (before, entry.previous) {
        (Some((revision, digest)), Some(previous))
            if revision.checked_add(1) == Some(entry.revision) && digest != previous =>
        {
            Err(Error::LogDiverged {
                revision: entry.revision,
                applied,
            })
        }
        _ => Ok(()),
    }
}
