//! [`WriterState`]: a writer's company and bookkeeping, apart from its
//! connection, so that a [`Writer`](crate::Writer) owns one connection and
//! a tenant registry lends connections from a pool.

use callgate::{
    Change, ChangeReport, Company, CompanyId, PermissionFlags, Plan, Publisher, Timestamp,
};

use crate::log::{self, LOG_PAGE};
use crate::writer::{Write, reconnect};
use crate::{CheckpointPolicy, DatabaseErrorKind, Store, StoreError, StoredEntry, codec};

/// How many times a writer plans and stores one change before it gives up
/// with [`StoreError::Contended`], unless told otherwise.
pub const DEFAULT_ATTEMPTS: u32 = 16;

/// A planned write: the plan, its row, and the checkpoint stored with it.
type Planned<P> = (Plan<P>, StoredEntry, Option<crate::Checkpoint>);

/// A planned write with the store's answer.
type Attempt<P> = (
    Plan<P>,
    StoredEntry,
    Option<crate::Checkpoint>,
    Result<(), StoreError>,
);

/// A tenant's company as its writer keeps it: every change in it is in the
/// log.
pub(crate) struct WriterState<P: PermissionFlags> {
    pub(crate) publisher: Publisher<P>,
    pub(crate) tenant: String,
    pub(crate) policy: CheckpointPolicy,
    pub(crate) attempts: u32,
    /// Entries, and bytes of entries, stored since the last checkpoint
    /// (between its revision and the company's).
    since_checkpoint: (u64, u64),
    /// An entry whose store failed with a lost connection: it may or may
    /// not be in the log. `settle` finds out before anything else is done.
    unsettled: Option<StoredEntry>,
}

impl<P: PermissionFlags> WriterState<P> {
    /// The state of `tenant`, as loaded from the store.
    pub(crate) fn open(store: &mut dyn Store, tenant: &str) -> Result<Self, StoreError> {
        let (company, replayed) = log::restore::<P>(store, tenant)?;
        Ok(Self {
            publisher: Publisher::new(company),
            tenant: tenant.to_owned(),
            policy: CheckpointPolicy::default(),
            attempts: DEFAULT_ATTEMPTS,
            since_checkpoint: (replayed, 0),
            unsettled: None,
        })
    }

    pub(crate) fn company(&self) -> &Company<P> {
        self.publisher.company()
    }

    /// Writes `ExpireGrants { now }` when a grant of the company ends by
    /// `now` (DOMAIN rule 24); `None`, writing nothing, when none does.
    pub(crate) fn expire_grants(
        &mut self,
        store: &mut dyn Store,
        now: Timestamp,
    ) -> Result<Option<ChangeReport>, StoreError> {
        if self.company().next_expiry().is_none_or(|next| next > now) {
            return Ok(None);
        }
        self.write(store, &Write::new(Change::ExpireGrants { now }))
            .map(Some)
    }

    pub(crate) fn id(&self) -> CompanyId {
        self.company().id()
    }

    /// See [`Writer::write`](crate::Writer::write). The first try stores
    /// optimistically; after a lost race the writer takes the company's
    /// write lock, catches up and plans under it, so it cannot lose again
    /// to writers that keep winning.
    pub(crate) fn write(
        &mut self,
        store: &mut dyn Store,
        write: &Write<P>,
    ) -> Result<ChangeReport, StoreError> {
        self.settle(store)?;
        for attempt in 0..self.attempts {
            let (plan, row, checkpoint, stored) = if attempt == 0 {
                let (plan, row, checkpoint) = self.prepare(write)?;
                let stored = store.append(&row, checkpoint.as_ref());
                (plan, row, checkpoint, stored)
            } else {
                self.write_locked(store, write)?
            };
            match stored {
                Ok(()) => return self.commit(plan, &row, checkpoint.is_some()),
                Err(StoreError::Conflict { .. }) => {
                    self.catch_up(store)?;
                }
                Err(error) if error.is_connection_lost() => {
                    self.unsettled = Some(row);
                    match self.settle_plan(store, plan)? {
                        Some(report) => return Ok(report),
                        None => continue,
                    }
                }
                // Another writer held the lock past the busy timeout
                // (SQLite's waiters are not served in turn): nothing was
                // stored; try again, under the lock.
                Err(error) if error.database_kind() == Some(DatabaseErrorKind::Busy) => {}
                Err(error) => return Err(error),
            }
        }
        Err(StoreError::Contended {
            company: self.id(),
            attempts: self.attempts,
        })
    }

    /// Plans the write against the company as it is: the plan, its row, and
    /// the checkpoint due with it.
    fn prepare(&self, write: &Write<P>) -> Result<Planned<P>, StoreError> {
        let plan = self.plan(write)?;
        let row = codec::encode(plan.entry())?;
        // The checkpoint is the company before this entry: due once enough
        // entries lie between the last one and it.
        let due = self
            .policy
            .is_due(self.since_checkpoint.0, self.since_checkpoint.1);
        let checkpoint = due
            .then(|| codec::checkpoint_of(self.company()))
            .transpose()?;
        Ok((plan, row, checkpoint))
    }

    /// Catches up and plans under the company's write lock
    /// ([`Store::append_locked`]); returns what was planned with the
    /// store's answer, or the refusal of the plan.
    fn write_locked(
        &mut self,
        store: &mut dyn Store,
        write: &Write<P>,
    ) -> Result<Attempt<P>, StoreError> {
        let (id, from) = (self.id(), self.company().revision());
        let mut planned = None;
        let stored = store.append_locked(id, from, &mut |entries| {
            let count = log::apply_page(&mut self.publisher, entries)?;
            self.since_checkpoint.0 += count as u64;
            let (plan, row, checkpoint) = self.prepare(write)?;
            let stored = (row.clone(), checkpoint.clone());
            planned = Some((plan, row, checkpoint));
            Ok(stored)
        });
        match planned {
            Some((plan, row, checkpoint)) => Ok((plan, row, checkpoint, stored)),
            // Refused by the library, or the log did not read: nothing to
            // commit. (A store that returns `Ok` without calling `plan`
            // breaks the trait's contract: say so.)
            None => Err(stored.err().unwrap_or_else(|| {
                StoreError::database(
                    "appending an entry",
                    crate::DatabaseErrorKind::Other,
                    "the store's append_locked returned without planning the entry",
                )
            })),
        }
    }

    /// See [`Writer::catch_up`](crate::Writer::catch_up).
    pub(crate) fn catch_up(&mut self, store: &mut dyn Store) -> Result<usize, StoreError> {
        let mut applied = 0;
        loop {
            let from = self.company().revision();
            let page = store.read_log(self.id(), from, LOG_PAGE)?;
            let count = log::apply_page(&mut self.publisher, &page)?;
            self.since_checkpoint.0 += count as u64;
            applied += count;
            if page.len() < LOG_PAGE {
                return Ok(applied);
            }
        }
    }

    /// See [`Writer::checkpoint`](crate::Writer::checkpoint).
    pub(crate) fn checkpoint(&mut self, store: &mut dyn Store) -> Result<(), StoreError> {
        let checkpoint = codec::checkpoint_of(self.company())?;
        store.put_checkpoint(&checkpoint)?;
        self.since_checkpoint = (0, 0);
        Ok(())
    }

    fn plan(&self, write: &Write<P>) -> Result<Plan<P>, StoreError> {
        plan_on(self.company(), write)
    }

    /// See [`Writer::write_batch`](crate::Writer::write_batch): the writes
    /// are planned one after the other on a copy of the company (a copy
    /// shares every chunk it does not change), stored in one transaction,
    /// and the copy becomes the company.
    pub(crate) fn write_batch(
        &mut self,
        store: &mut dyn Store,
        writes: &[Write<P>],
    ) -> Result<Vec<ChangeReport>, StoreError> {
        self.settle(store)?;
        for _ in 0..self.attempts {
            let (next, rows, reports) = self.plan_batch(writes)?;
            let due = self
                .policy
                .is_due(self.since_checkpoint.0, self.since_checkpoint.1);
            let checkpoint = due
                .then(|| codec::checkpoint_of(self.company()))
                .transpose()?;
            match store.append_batch(&rows, checkpoint.as_ref()) {
                Ok(()) => {
                    self.publisher.edit(|company| *company = next);
                    let bytes: u64 = rows.iter().map(|row| row.len() as u64).sum();
                    let (entries, before) = if checkpoint.is_some() {
                        (0, 0)
                    } else {
                        self.since_checkpoint
                    };
                    self.since_checkpoint = (entries + rows.len() as u64, before + bytes);
                    return Ok(reports);
                }
                Err(StoreError::Conflict { .. }) => {
                    self.catch_up(store)?;
                }
                Err(error) => {
                    if error.is_connection_lost() {
                        // The batch may be stored: the next call reads the
                        // log before anything else.
                        self.unsettled = rows.last().cloned();
                    }
                    return Err(error);
                }
            }
        }
        Err(StoreError::Contended {
            company: self.id(),
            attempts: self.attempts,
        })
    }

    /// Plans and commits `writes` one after the other on a copy of the
    /// company: the copy, the rows and the reports.
    #[allow(clippy::type_complexity)]
    fn plan_batch(
        &self,
        writes: &[Write<P>],
    ) -> Result<(Company<P>, Vec<StoredEntry>, Vec<ChangeReport>), StoreError> {
        let mut next = self.company().clone();
        let mut rows = Vec::with_capacity(writes.len());
        let mut reports = Vec::with_capacity(writes.len());
        for write in writes {
            let plan = plan_on(&next, write)?;
            rows.push(codec::encode(plan.entry())?);
            let revision = plan.revision();
            let report = next.commit(plan).map_err(|source| StoreError::Diverged {
                company: self.id(),
                revision,
                source,
            })?;
            reports.push(report);
        }
        Ok((next, rows, reports))
    }

    fn commit(
        &mut self,
        plan: Plan<P>,
        row: &StoredEntry,
        checkpointed: bool,
    ) -> Result<ChangeReport, StoreError> {
        let revision = plan.revision();
        // Cannot fail: the plan was made by this company at its revision,
        // and `&mut self` kept anything else from moving it.
        let report = self
            .publisher
            .commit(plan)
            .map_err(|source| StoreError::Diverged {
                company: self.id(),
                revision,
                source,
            })?;
        let bytes = row.len() as u64;
        self.since_checkpoint = if checkpointed {
            (1, bytes)
        } else {
            (self.since_checkpoint.0 + 1, self.since_checkpoint.1 + bytes)
        };
        Ok(report)
    }

    /// Finds out whether an entry whose store lost its connection is in the
    /// log, before anything else is planned: reconnects, then catches up
    /// (which applies it if it was stored).
    fn settle(&mut self, store: &mut dyn Store) -> Result<(), StoreError> {
        if self.unsettled.is_some() {
            reconnect(store)?;
            self.unsettled = None;
            self.catch_up(store)?;
        }
        Ok(())
    }

    /// [`settle`](Self::settle) for the plan whose store just lost its
    /// connection: `Some` report if its entry is in the log (committed),
    /// `None` if it is not or another writer's is there (caught up: plan
    /// again).
    fn settle_plan(
        &mut self,
        store: &mut dyn Store,
        plan: Plan<P>,
    ) -> Result<Option<ChangeReport>, StoreError> {
        reconnect(store)?;
        let Some(ours) = self.unsettled.take() else {
            return Ok(None);
        };
        let stored = store.read_log(ours.company, ours.revision, 1)?;
        match stored.first() {
            Some(entry) if *entry == ours => self.commit(plan, &ours, false).map(Some),
            Some(_) => self.catch_up(store).map(|_| None),
            None => Ok(None),
        }
    }
}

/// Plans `write` against `company`, with its session and context.
fn plan_on<P: PermissionFlags>(
    company: &Company<P>,
    write: &Write<P>,
) -> Result<Plan<P>, StoreError> {
    let plan = match write.session() {
        Some(session) => company.plan_as(session, write.change().clone()),
        None => company.plan(write.change().clone()),
    };
    let plan = plan.map_err(StoreError::Refused)?;
    Ok(write
        .context()
        .iter()
        .fold(plan, |plan, (key, value)| plan.with_context(key, value)))
}
