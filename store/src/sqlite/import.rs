//! [`SqliteStore::import_example`]: a database of the SQLite example that
//! 0.1 and 0.2 shipped (`change_log` and `checkpoint` tables, one company a
//! file) taken into the store's tables as one tenant.

use callgate::CompanyId;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::{SqliteStore, insert_entry, kept_company, sqlite_error};
use crate::{Checkpoint, StoreError, StoredEntry};

/// What [`SqliteStore::import_example`] took in.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Imported {
    /// The tenant's company.
    pub company: CompanyId,
    /// The revision of the checkpoint it starts from.
    pub checkpoint: u64,
    /// How many log rows were copied.
    pub entries: u64,
}

impl SqliteStore {
    /// Takes the tables of the SQLite example (`change_log` and
    /// `checkpoint`, in this file) into the store's as `tenant`, in one
    /// transaction: the checkpoint (or a new company at revision 0, when the
    /// example never took one) and every log row.
    ///
    /// The example before company ids (0.1's era) stored neither a company
    /// in its rows nor one in its document: give it `company`, and the
    /// import writes it into both. A file of the 0.2 example names its
    /// company: `company` may be `None`, and must match if given. The
    /// example's tables are left as they were. Open a
    /// [`Writer`](crate::Writer) on the tenant afterwards: it replays the
    /// log, and refuses a row that does not decode, naming its revision.
    ///
    /// # Errors
    ///
    /// [`StoreError::TenantTaken`] when the tenant is already kept (nothing
    /// is imported); [`StoreError::CorruptCheckpoint`] when the document is
    /// not JSON, names another company than `company`, or neither does;
    /// [`StoreError::CorruptEntry`] for a row of another company;
    /// [`StoreError::Database`] when the tables are not there.
    pub fn import_example(
        &mut self,
        tenant: &str,
        company: Option<CompanyId>,
    ) -> Result<Imported, StoreError> {
        let fail = |e| sqlite_error("importing the example's tables", e);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(fail)?;
        let rows = example_rows(&tx)?;
        let company = row_company(&rows, company)?;
        let (checkpoint, company) = example_checkpoint(&tx, company)?;
        if let Some(stored) = kept_company(&tx, tenant)? {
            return Err(StoreError::TenantTaken {
                tenant: tenant.to_owned(),
                stored,
                given: company,
            });
        }
        tx.execute(
            "INSERT INTO callgate_tenants (tenant, company) VALUES (?1, ?2)",
            params![tenant, company.to_string()],
        )
        .map_err(fail)?;
        insert_rows(&tx, company, &rows, &checkpoint)?;
        tx.commit().map_err(fail)?;
        Ok(Imported {
            company,
            checkpoint: checkpoint.revision,
            entries: rows.len() as u64,
        })
    }
}

/// One row of the example's `change_log`, with its company if it had one.
struct ExampleRow {
    revision: u64,
    company: Option<String>,
    change: String,
    actor: Option<String>,
    context: String,
}

/// Every row of the example's log, in revision order.
fn example_rows(conn: &Connection) -> Result<Vec<ExampleRow>, StoreError> {
    let fail = |e| sqlite_error("reading the example's change_log", e);
    let with_company: bool = conn
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM pragma_table_info('change_log') WHERE name = 'company')",
            [],
            |row| row.get(0),
        )
        .map_err(fail)?;
    let sql = if with_company {
        "SELECT revision, company, change, actor, context FROM change_log ORDER BY revision"
    } else {
        "SELECT revision, NULL, change, actor, context FROM change_log ORDER BY revision"
    };
    let mut statement = conn.prepare(sql).map_err(fail)?;
    let rows = statement
        .query_map([], |row| {
            Ok(ExampleRow {
                revision: row.get(0)?,
                company: row.get(1)?,
                change: row.get(2)?,
                actor: row.get(3)?,
                context: row.get(4)?,
            })
        })
        .map_err(fail)?;
    rows.collect::<Result<_, _>>().map_err(fail)
}

/// The company the rows name (all the same), checked against `given`.
fn row_company(
    rows: &[ExampleRow],
    given: Option<CompanyId>,
) -> Result<Option<CompanyId>, StoreError> {
    let mut found = given;
    for row in rows {
        let Some(text) = &row.company else { continue };
        let corrupt = |reason: String| StoreError::CorruptEntry {
            company: found.unwrap_or(CompanyId::new(0)),
            revision: row.revision,
            column: "company",
            reason,
        };
        let company: CompanyId = text.parse().map_err(|e| corrupt(format!("{e}")))?;
        match found {
            Some(expected) if expected != company => {
                return Err(corrupt(format!(
                    "the row names company `{company}`, not `{expected}`"
                )));
            }
            _ => found = Some(company),
        }
    }
    Ok(found)
}

/// The example's checkpoint as the tenant's first, with its document
/// naming `company`; a new company at revision 0 when there is none.
fn example_checkpoint(
    conn: &Connection,
    company: Option<CompanyId>,
) -> Result<(Checkpoint, CompanyId), StoreError> {
    let fail = |e| sqlite_error("reading the example's checkpoint", e);
    let stored: Option<(u64, String)> = conn
        .query_row(
            "SELECT revision, document FROM checkpoint WHERE id = 1",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()
        .map_err(fail)?;
    let (revision, document) = match stored {
        Some(stored) => stored,
        None => {
            let company = company.ok_or_else(|| missing_company(0))?;
            let document = callgate::Company::new().with_id(company).to_document();
            let json = serde_json::to_string(&document).map_err(StoreError::Encode)?;
            return Ok((Checkpoint::new(company, 0, json), company));
        }
    };
    let corrupt = |reason: String| StoreError::CorruptCheckpoint {
        company: company.unwrap_or(CompanyId::new(0)),
        revision,
        reason,
    };
    let mut value: serde_json::Value =
        serde_json::from_str(&document).map_err(|e| corrupt(format!("not JSON: {e}")))?;
    let named = value
        .get("company")
        .and_then(|c| c.as_str())
        .map(str::parse::<CompanyId>);
    let company = match (named, company) {
        (Some(Ok(named)), Some(given)) if named != given => {
            return Err(corrupt(format!(
                "its document is of company `{named}`, not `{given}`"
            )));
        }
        (Some(Ok(named)), _) => named,
        (Some(Err(e)), _) => return Err(corrupt(format!("field `company`: {e}"))),
        (None, Some(given)) => given,
        (None, None) => return Err(missing_company(revision)),
    };
    if let Some(object) = value.as_object_mut() {
        object.insert("company".into(), company.to_string().into());
    }
    let json = serde_json::to_string(&value).map_err(StoreError::Encode)?;
    Ok((Checkpoint::new(company, revision, json), company))
}

fn missing_company(revision: u64) -> StoreError {
    StoreError::CorruptCheckpoint {
        company: CompanyId::new(0),
        revision,
        reason: "the example's tables name no company: give its id to the import".into(),
    }
}

/// Stores the checkpoint and every row, as the tenant's.
fn insert_rows(
    conn: &Connection,
    company: CompanyId,
    rows: &[ExampleRow],
    checkpoint: &Checkpoint,
) -> Result<(), StoreError> {
    let fail = |e| sqlite_error("importing the example's tables", e);
    conn.execute(
        "INSERT INTO callgate_checkpoints (company, revision, document) VALUES (?1, ?2, ?3)",
        params![
            company.to_string(),
            checkpoint.revision,
            checkpoint.document
        ],
    )
    .map_err(fail)?;
    for row in rows {
        let entry = StoredEntry::new(
            company,
            row.revision,
            row.change.clone(),
            row.actor.clone(),
            row.context.clone(),
        );
        insert_entry(conn, &entry, None)?;
    }
    Ok(())
}
