//! Reading a company's log: start-up from checkpoint and log, and pages of
//! entries applied all or nothing.

use callgate::{Company, LogEntry, PermissionFlags, Publisher};

use crate::{Store, StoreError, StoredEntry, codec};

/// How many entries one read of the log takes.
pub(crate) const LOG_PAGE: usize = 1_000;

/// The company of `tenant`: its latest checkpoint, then every entry after
/// it. Returns it with how many entries were replayed.
pub(crate) fn restore<P: PermissionFlags>(
    store: &mut dyn Store,
    tenant: &str,
) -> Result<(Company<P>, u64), StoreError> {
    let Some(id) = store.company_of(tenant)? else {
        return Err(StoreError::UnknownTenant {
            tenant: tenant.to_owned(),
        });
    };
    let mut company = restore_company::<P>(store, id)?;
    let start = company.revision();
    loop {
        let page = store.read_log(id, company.revision(), LOG_PAGE)?;
        let entries = decode_page::<P>(&page)?;
        apply(&mut company, &entries)?;
        if page.len() < LOG_PAGE {
            let replayed = company.revision() - start;
            return Ok((company, replayed));
        }
    }
}

/// The company of `id` at its latest checkpoint.
fn restore_company<P: PermissionFlags>(
    store: &mut dyn Store,
    id: callgate::CompanyId,
) -> Result<Company<P>, StoreError> {
    match store.checkpoint(id)? {
        Some(checkpoint) => codec::load(&checkpoint),
        None => Err(StoreError::CorruptCheckpoint {
            company: id,
            revision: 0,
            reason: "the tenant has no checkpoint: it was not created by this crate".into(),
        }),
    }
}

/// Every entry of `page`, decoded, or the first row that does not decode.
pub(crate) fn decode_page<P: PermissionFlags>(
    page: &[StoredEntry],
) -> Result<Vec<LogEntry<P>>, StoreError> {
    page.iter().map(codec::decode).collect()
}

/// Decodes every entry of `page`, then applies them and publishes once;
/// returns how many were applied. A row that does not decode applies
/// nothing of the page.
pub(crate) fn apply_page<P: PermissionFlags>(
    publisher: &mut Publisher<P>,
    page: &[StoredEntry],
) -> Result<usize, StoreError> {
    let entries = decode_page::<P>(page)?;
    let before = publisher.company().revision();
    publisher.edit(|company| apply(company, &entries))?;
    Ok(usize::try_from(publisher.company().revision() - before).unwrap_or(usize::MAX))
}

/// Catches `company` up with `entries`, naming the revision of a refused
/// entry (the company stops just before it).
fn apply<P: PermissionFlags>(
    company: &mut Company<P>,
    entries: &[LogEntry<P>],
) -> Result<(), StoreError> {
    company
        .catch_up(entries)
        .map(drop)
        .map_err(|source| StoreError::Diverged {
            company: company.id(),
            revision: company.revision(),
            source,
        })
}
