//! Reading a [`LogEntry`]: every error after its revision names it.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

use super::LogEntry;
use crate::PermissionFlags;

/// The fields of an entry, as stored.
#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "camelCase")]
enum Field {
    Revision,
    Company,
    Previous,
    Change,
    Actor,
    Context,
}

const FIELDS: &[&str] = &[
    "revision", "company", "previous", "change", "actor", "context",
];

/// Why `company` is missing, most likely, and what to do.
const MISSING_COMPANY: &str = "missing: an entry written by 0.1 names no company: \
     migrate it with `LogEntry::migrate_0_1`";

impl<'de, P: PermissionFlags> Deserialize<'de> for LogEntry<P> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_struct("LogEntry", FIELDS, EntryVisitor(PhantomData))
    }
}

struct EntryVisitor<P>(PhantomData<P>);

impl<'de, P: PermissionFlags> Visitor<'de> for EntryVisitor<P> {
    type Value = LogEntry<P>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a change-log entry")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<LogEntry<P>, A::Error> {
        let mut revision: Option<u64> = None;
        let mut company = None;
        let mut previous = None;
        let mut entry_change = None;
        let mut actor = None;
        let mut context = None;
        while let Some(field) = map.next_key::<Field>().map_err(|e| within(revision, e))? {
            match field {
                Field::Revision if revision.is_some() => {
                    return Err(de::Error::duplicate_field("revision"));
                }
                Field::Revision => revision = Some(map.next_value()?),
                Field::Company => {
                    let value = map.next_value().map_err(|e| at(revision, "company", e))?;
                    once(&mut company, value, revision, "company")?;
                }
                Field::Previous => {
                    let value = map.next_value().map_err(|e| at(revision, "previous", e))?;
                    once(&mut previous, value, revision, "previous")?;
                }
                Field::Change => {
                    let value = map.next_value().map_err(|e| at(revision, "change", e))?;
                    once(&mut entry_change, value, revision, "change")?;
                }
                Field::Actor => {
                    let value = map.next_value().map_err(|e| at(revision, "actor", e))?;
                    once(&mut actor, value, revision, "actor")?;
                }
                Field::Context => {
                    let value = map.next_value().map_err(|e| at(revision, "context", e))?;
                    once(&mut context, value, revision, "context")?;
                }
            }
        }
        let revision = revision.ok_or_else(|| de::Error::missing_field("revision"))?;
        let company = company.ok_or_else(|| at(Some(revision), "company", MISSING_COMPANY))?;
        let change = entry_change.ok_or_else(|| at(Some(revision), "change", "missing"))?;
        Ok(LogEntry {
            revision,
            company,
            previous,
            change,
            actor: actor.flatten(),
            context: context.unwrap_or_default(),
        })
    }
}

/// Stores a field's value, refusing a second one.
fn once<T, E: de::Error>(
    slot: &mut Option<T>,
    value: T,
    revision: Option<u64>,
    field: &str,
) -> Result<(), E> {
    if slot.is_some() {
        return Err(at(revision, field, "given twice"));
    }
    *slot = Some(value);
    Ok(())
}

/// An error of the entry, with its revision when it has been read.
fn within<E: de::Error>(revision: Option<u64>, error: E) -> E {
    match revision {
        Some(revision) => E::custom(format_args!("log entry at revision {revision}: {error}")),
        None => error,
    }
}

/// An error in `field`, with the entry's revision when it has been read.
fn at<E: de::Error>(revision: Option<u64>, field: &str, error: impl fmt::Display) -> E {
    match revision {
        Some(revision) => E::custom(format_args!(
            "log entry at revision {revision}: field `{field}`: {error}"
        )),
        None => E::custom(format_args!("log entry: field `{field}`: {error}")),
    }
}
