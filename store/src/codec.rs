//! Log entries and companies to and from the rows a [`Store`](crate::Store)
//! keeps, as JSON text.

use callgate::{Company, EntryDigest, LogEntry, PermissionFlags};

use crate::{Checkpoint, StoreError, StoredEntry};

/// The row of `entry`: its change, actor and context as JSON, and the
/// digest before it as hex.
pub(crate) fn encode<P: PermissionFlags>(entry: &LogEntry<P>) -> Result<StoredEntry, StoreError> {
    let change = serde_json::to_string(&entry.change).map_err(StoreError::Encode)?;
    let actor = entry
        .actor
        .map(|actor| serde_json::to_string(&actor))
        .transpose()
        .map_err(StoreError::Encode)?;
    let context = serde_json::to_string(&entry.context).map_err(StoreError::Encode)?;
    Ok(
        StoredEntry::new(entry.company, entry.revision, change, actor, context)
            .with_previous(entry.previous.map(|digest| digest.to_string())),
    )
}

/// The log entry of `row`, or the column that does not decode.
pub(crate) fn decode<P: PermissionFlags>(row: &StoredEntry) -> Result<LogEntry<P>, StoreError> {
    let corrupt = |column, error: serde_json::Error| StoreError::CorruptEntry {
        company: row.company,
        revision: row.revision,
        column,
        reason: error.to_string(),
    };
    let change = serde_json::from_str(&row.change).map_err(|e| corrupt("change", e))?;
    let mut entry = row.company.entry_for(row.revision, change);
    if let Some(actor) = &row.actor {
        entry = entry.with_actor(serde_json::from_str(actor).map_err(|e| corrupt("actor", e))?);
    }
    entry.context = serde_json::from_str(&row.context).map_err(|e| corrupt("context", e))?;
    let previous = match &row.previous {
        None => None,
        Some(hex) => Some(
            EntryDigest::parse_hex(hex).ok_or_else(|| StoreError::CorruptEntry {
                company: row.company,
                revision: row.revision,
                column: "previous",
                reason: format!("`{hex}` is not an entry digest (64 lowercase hex digits)"),
            })?,
        ),
    };
    Ok(entry.with_previous(previous))
}

/// The checkpoint of `company` as it is now: its JSON document, and its
/// compact form for fast starts.
pub(crate) fn checkpoint_of<P: PermissionFlags>(
    company: &Company<P>,
) -> Result<Checkpoint, StoreError> {
    let document = serde_json::to_string(&company.to_document()).map_err(StoreError::Encode)?;
    Ok(Checkpoint::new(company.id(), company.revision(), document)
        .with_compact(company.to_checkpoint()))
}

/// The company of `checkpoint`, which must be the company and the revision
/// its row says.
pub(crate) fn load<P: PermissionFlags>(checkpoint: &Checkpoint) -> Result<Company<P>, StoreError> {
    let corrupt = |reason: String| StoreError::CorruptCheckpoint {
        company: checkpoint.company,
        revision: checkpoint.revision,
        reason,
    };
    // The compact form when it is there: the same checks, half the time.
    let company = match &checkpoint.compact {
        Some(bytes) => Company::<P>::load_checkpoint_for(bytes)
            .map_err(|error| corrupt(format!("its compact form: {error}")))?,
        None => {
            let mut json = serde_json::Deserializer::from_str(&checkpoint.document);
            Company::<P>::load_for(&mut json).map_err(|error| corrupt(error.to_string()))?
        }
    };
    if company.id() != checkpoint.company {
        let found = company.id();
        return Err(corrupt(format!("its document is of company `{found}`")));
    }
    if company.revision() != checkpoint.revision {
        let found = company.revision();
        return Err(corrupt(format!("its document is at revision {found}")));
    }
    Ok(company)
}
