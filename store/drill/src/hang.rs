//! `store-then-hang` and `hang-before-store`: a writer that the test kills
//! between storing and committing, or before storing.

use std::io::Write as _;
use std::time::Duration;

use callgate::{Change, CompanyId};
use callgate_store::{Checkpoint, Store, StoreError, StoredEntry, Wakeup, Writer};

use crate::address::Address;
use crate::{Result, say};

/// How long a hung drill waits to be killed before it gives up: a test that
/// died without killing it leaves no process behind for long.
const HANG_LIMIT: Duration = Duration::from_secs(300);

/// When the drill hangs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Moment {
    /// Before the entry is appended: `storing <revision>`.
    BeforeStoring,
    /// Once the entry is appended, before the writer commits it:
    /// `stored <revision>`.
    AfterStoring,
}

/// Writes the change `create user hung` through a store that hangs at
/// `moment` of its first append.
pub(crate) fn run(address: &Address, tenant: &str, moment: Moment) -> Result<()> {
    let store = Hanging {
        inner: address.open()?,
        moment,
    };
    let mut writer = Writer::open(store, tenant)?;
    writer.apply(Change::CreateUser {
        name: "hung".into(),
        roles: vec![],
        groups: vec![],
        projects: vec![],
    })?;
    Err("the store came back from a hang".into())
}

/// A [`Store`] that passes every call to `inner`, except that its append
/// says where it is and hangs.
struct Hanging {
    inner: Box<dyn Store>,
    moment: Moment,
}

impl Hanging {
    /// Prints `word revision` and sleeps until killed. Exits with 1 if the
    /// line cannot be printed or nobody kills the process in time.
    fn hang(word: &str, revision: u64) -> ! {
        if let Err(error) = say(&format!("{word} {revision}")) {
            let _ = writeln!(std::io::stderr(), "error: {error}");
            std::process::exit(1);
        }
        std::thread::sleep(HANG_LIMIT);
        let _ = writeln!(
            std::io::stderr(),
            "error: not killed within {HANG_LIMIT:?} after `{word} {revision}`"
        );
        std::process::exit(1);
    }
}

impl Store for Hanging {
    fn append_batch(
        &mut self,
        entries: &[StoredEntry],
        checkpoint: Option<&Checkpoint>,
    ) -> Result<(), StoreError> {
        self.inner.append_batch(entries, checkpoint)
    }

    fn append(
        &mut self,
        entry: &StoredEntry,
        checkpoint: Option<&Checkpoint>,
    ) -> Result<(), StoreError> {
        match self.moment {
            Moment::BeforeStoring => Self::hang("storing", entry.revision),
            Moment::AfterStoring => {
                self.inner.append(entry, checkpoint)?;
                Self::hang("stored", entry.revision)
            }
        }
    }

    fn company_of(&mut self, tenant: &str) -> Result<Option<CompanyId>, StoreError> {
        self.inner.company_of(tenant)
    }
    fn create_tenant(
        &mut self,
        tenant: &str,
        checkpoint: &Checkpoint,
    ) -> Result<CompanyId, StoreError> {
        self.inner.create_tenant(tenant, checkpoint)
    }
    fn tenants(&mut self) -> Result<Vec<(String, CompanyId)>, StoreError> {
        self.inner.tenants()
    }
    fn read_log(
        &mut self,
        company: CompanyId,
        from: u64,
        limit: usize,
    ) -> Result<Vec<StoredEntry>, StoreError> {
        self.inner.read_log(company, from, limit)
    }
    fn checkpoint(&mut self, company: CompanyId) -> Result<Option<Checkpoint>, StoreError> {
        self.inner.checkpoint(company)
    }
    fn put_checkpoint(&mut self, checkpoint: &Checkpoint) -> Result<(), StoreError> {
        self.inner.put_checkpoint(checkpoint)
    }
    fn compact(&mut self, company: CompanyId) -> Result<u64, StoreError> {
        self.inner.compact(company)
    }
    fn wait(&mut self, timeout: Duration) -> Result<Wakeup, StoreError> {
        self.inner.wait(timeout)
    }
    fn reconnect(&mut self) -> Result<(), StoreError> {
        self.inner.reconnect()
    }
}
