//! The schema: its migrations, its name, its notice channel.

use postgres::{Client, GenericClient};

use super::errors::pg_error;
use super::{CHANNEL_PREFIX, MAX_IDENTIFIER, MIGRATIONS};
use crate::{DatabaseErrorKind, StoreError};

/// The connection's current schema: where its `search_path` creates tables.
pub(super) fn current_schema(client: &mut Client) -> Result<String, StoreError> {
    let fail = |e| pg_error("finding the current schema", e);
    let row = client
        .query_one("SELECT current_schema()", &[])
        .map_err(fail)?;
    let schema: Option<String> = row.try_get(0).map_err(fail)?;
    schema.ok_or_else(|| {
        StoreError::database(
            "finding the current schema",
            DatabaseErrorKind::Other,
            "the connection's search_path names no existing schema: give one in the options",
        )
    })
}

/// Refuses a schema name PostgreSQL would not keep as it is.
pub(super) fn check_schema_name(schema: &str) -> Result<(), StoreError> {
    let problem = if schema.is_empty() {
        "is empty".to_owned()
    } else if schema.len() > MAX_IDENTIFIER {
        format!("is longer than {MAX_IDENTIFIER} bytes, which PostgreSQL would cut")
    } else if schema.contains('\0') {
        "has a NUL character".to_owned()
    } else {
        return Ok(());
    };
    Err(StoreError::database(
        "choosing the schema",
        DatabaseErrorKind::Other,
        format!("schema name `{}` {problem}", schema.escape_debug()),
    ))
}

/// `name` as a quoted SQL identifier: kept as it is, case included.
pub(super) fn quote_identifier(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The notice channel of `schema`: `callgate_log_<schema>`, or
/// `callgate_log_<hash>` when that would be longer than an identifier may
/// be.
pub(super) fn channel_name(schema: &str) -> String {
    let plain = format!("{CHANNEL_PREFIX}{schema}");
    if plain.len() <= MAX_IDENTIFIER {
        plain
    } else {
        format!("{CHANNEL_PREFIX}{:016x}", fnv1a(schema.as_bytes()))
    }
}

/// The advisory-lock key of `schema`'s migrations: the same in every
/// process and release.
pub(super) fn migration_lock_key(schema: &str) -> i64 {
    let mut bytes = b"callgate-store migrations\0".to_vec();
    bytes.extend_from_slice(schema.as_bytes());
    i64::from_ne_bytes(fnv1a(&bytes).to_ne_bytes())
}

/// The advisory-lock key of `company`'s appends in `schema`: every append
/// of the company takes it in its transaction.
pub(super) fn company_lock_key(schema: &str, company: callgate::CompanyId) -> i64 {
    let mut bytes = b"callgate-store appends\0".to_vec();
    bytes.extend_from_slice(schema.as_bytes());
    bytes.push(0);
    bytes.extend_from_slice(company.to_string().as_bytes());
    i64::from_ne_bytes(fnv1a(&bytes).to_ne_bytes())
}

/// 64-bit FNV-1a: a hash that is stable across processes and releases.
pub(super) fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The newest schema version this release knows.
pub(super) fn known_version() -> i64 {
    i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX)
}

/// Brings `schema` up to date: a read when it is (no lock, no write, so a
/// read-only server will do), else the missing versions in one transaction
/// under the schema's advisory lock, creating the schema if `create` and it
/// is missing.
pub(super) fn migrate(client: &mut Client, schema: &str, create: bool) -> Result<(), StoreError> {
    let fail = |e| pg_error("migrating the schema", e);
    let known = known_version();
    let too_new = |found| StoreError::SchemaTooNew { found, known };
    match schema_version(client).map_err(fail)? {
        Some(version) if version == known => return Ok(()),
        Some(version) if version > known => return Err(too_new(version)),
        _ => {}
    }
    let mut tx = client.transaction().map_err(fail)?;
    // Connects racing on this schema queue here; the first migrates, the
    // others find it done. Released at commit or rollback.
    tx.execute(
        "SELECT pg_advisory_xact_lock($1)",
        &[&migration_lock_key(schema)],
    )
    .map_err(fail)?;
    if create {
        let exists: bool = tx
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)",
                &[&schema],
            )
            .and_then(|row| row.try_get(0))
            .map_err(fail)?;
        if !exists {
            tx.batch_execute(&format!("CREATE SCHEMA {}", quote_identifier(schema)))
                .map_err(fail)?;
        }
    }
    let version = schema_version(&mut tx).map_err(fail)?.unwrap_or(0);
    if version > known {
        return Err(too_new(version));
    }
    if version == known {
        return Ok(()); // another connect migrated it; dropping `tx` ends it
    }
    let pending = MIGRATIONS
        .iter()
        .skip(usize::try_from(version).unwrap_or(usize::MAX));
    for sql in pending {
        tx.batch_execute(sql).map_err(fail)?;
    }
    tx.execute(
        "INSERT INTO callgate_schema_version (version) VALUES ($1)
         ON CONFLICT (only_row) DO UPDATE SET version = excluded.version",
        &[&known],
    )
    .map_err(fail)?;
    tx.commit().map_err(fail)
}

/// The schema's version, or `None` when it has no version table yet.
pub(super) fn schema_version(
    client: &mut impl GenericClient,
) -> Result<Option<i64>, postgres::Error> {
    let exists: bool = client
        .query_one(
            "SELECT to_regclass('callgate_schema_version') IS NOT NULL",
            &[],
        )?
        .try_get(0)?;
    if !exists {
        return Ok(None);
    }
    let row = client.query_opt("SELECT version FROM callgate_schema_version", &[])?;
    Ok(Some(
        row.map(|row| row.try_get(0)).transpose()?.unwrap_or(0),
    ))
}
