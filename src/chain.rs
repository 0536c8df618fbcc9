//! The chain of a change log ([`EntryDigest`], [`LogEntry::previous`]): each
//! entry carries the digest of the entry before it, so a replica sees a log
//! that says something else than what it applied.

// How it works
// ============
//
// An entry's digest is SHA-256 of a fixed prefix and the entry's JSON as
// serde writes it (revision, company, previous, change, actor and
// context, in that order). Because `previous` is part of what is hashed,
// an entry's digest stands for the whole log up to it, as in any hash
// chain. The company keeps the digest of the last entry it committed
// (`Company::chain`): `GENESIS` before the first, `None` when unknown (a
// company loaded from a document written before the chain, at a revision
// past 0). A plan's entry takes it as `previous`; committing computes the
// entry's digest, the company's new `chain`. `catch_up` compares: a new
// entry's `previous` with the company's chain, an already applied entry's
// digest with the chain when it is the last one applied, and, within the
// entries it is given, each entry's `previous` with the digest of the one
// before it. An entry with no `previous` (written before the chain) is
// applied unchecked, and the chain goes on from its digest.
//
// The digest is computed from the in-memory entry, not from stored bytes:
// serde's output is canonical for a value (fields in declaration order,
// lists in order, the context in insertion order), and reading an entry
// back gives the same value, so a replica computes what the writer did.
// It costs about a microsecond a change (the JSON of a one-user change and
// its hash); the check never sees it.

use std::fmt;

/// The digest of a change-log entry: SHA-256 of the entry, including the
/// digest of the entry before it ([`LogEntry::previous`](crate::LogEntry::previous)),
/// so that it stands for the whole log up to that entry. Written as 64
/// lowercase hex digits, in JSON as a string.
///
/// It detects a log that diverges (two histories under one company, a
/// restored backup, a row rewritten by hand); it is not a signature: who
/// can write the log can compute digests too.
///
/// # Example: a plan's entry follows the last one committed
///
/// ```
/// # #[cfg(feature = "serde")] {
/// use callgate::{Company, EntryDigest};
///
/// let mut company = Company::new();
/// let first = company.plan(callgate::Change::create_user(callgate::NewUser::new("ann")))?;
/// assert_eq!(first.entry().previous, Some(EntryDigest::GENESIS));
/// let digest = first.entry().digest();
/// company.commit(first)?;
///
/// let second = company.plan(callgate::Change::create_user(callgate::NewUser::new("bob")))?;
/// assert_eq!(second.entry().previous, Some(digest));
/// assert_eq!(digest.to_string().len(), 64);
/// # }
/// # Ok::<(), callgate::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct EntryDigest([u8; 32]);

impl EntryDigest {
    /// What the first entry of a company (at revision 0) follows: 32 zero
    /// bytes.
    pub const GENESIS: Self = Self([0; 32]);

    /// The digest of these 32 bytes.
    #[must_use]
    pub const fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// Its 32 bytes.
    #[must_use]
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The digest written as 64 hex digits, if `text` is one (lowercase
    /// only, as [`Display`](fmt::Display) writes it, so that each digest
    /// has one spelling).
    #[must_use]
    pub fn parse_hex(text: &str) -> Option<Self> {
        let digits = text.as_bytes();
        if digits.len() != 64 {
            return None;
        }
        let mut bytes = [0; 32];
        for (byte, pair) in bytes.iter_mut().zip(digits.chunks_exact(2)) {
            let high = hex_value(*pair.first()?)?;
            let low = hex_value(*pair.get(1)?)?;
            *byte = high << 4 | low;
        }
        Some(Self(bytes))
    }
}

/// The value of a lowercase hex digit.
fn hex_value(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        _ => None,
    }
}

impl EntryDigest {
    /// The 64 lowercase hex digits, from a table of digit pairs: every
    /// entry's JSON writes the digest before it, and 32 `{:02x}` formats
    /// cost more than the rest of a small entry's JSON.
    pub(crate) fn hex(&self) -> [u8; 64] {
        let mut out = [0u8; 64];
        for (pair, &byte) in out.chunks_exact_mut(2).zip(&self.0) {
            pair.copy_from_slice(&hex_pair(byte));
        }
        out
    }
}

/// The two lowercase hex digits of every byte.
#[allow(clippy::indexing_slicing)] // In bounds, and evaluated at build time.
const HEX_PAIRS: [[u8; 2]; 256] = {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut pairs = [[0u8; 2]; 256];
    let mut byte = 0;
    while byte < 256 {
        pairs[byte] = [DIGITS[byte >> 4], DIGITS[byte & 0x0f]];
        byte += 1;
    }
    pairs
};

/// The two lowercase hex digits of `byte`.
#[inline]
pub(crate) fn hex_pair(byte: u8) -> [u8; 2] {
    HEX_PAIRS
        .get(usize::from(byte))
        .copied()
        .unwrap_or([b'0'; 2])
}

impl fmt::Display for EntryDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hex = self.hex();
        // Hex digits are ASCII: the conversion cannot fail.
        f.write_str(std::str::from_utf8(&hex).map_err(|_| fmt::Error)?)
    }
}

impl fmt::Debug for EntryDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EntryDigest({self})")
    }
}

#[cfg(feature = "serde")]
mod with_serde {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use sha2::{Digest, Sha256};

    use super::EntryDigest;
    use crate::{LogEntry, PermissionFlags};

    /// What every entry's hash begins with: names what is hashed, and its
    /// version.
    const DOMAIN: &[u8] = b"callgate log entry 1\0";

    impl Serialize for EntryDigest {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            // The text `Display` writes, in one piece: `collect_str` goes
            // through the formatting machinery for every entry's digest.
            let hex = self.hex();
            match std::str::from_utf8(&hex) {
                Ok(text) => serializer.serialize_str(text),
                Err(_) => serializer.collect_str(self),
            }
        }
    }

    impl<'de> Deserialize<'de> for EntryDigest {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
            EntryDigest::parse_hex(&text).ok_or_else(|| {
                serde::de::Error::custom(format_args!(
                    "`{text}` is not an entry digest (64 lowercase hex digits)"
                ))
            })
        }
    }

    impl<P: PermissionFlags> LogEntry<P> {
        /// The entry's digest: what the entry after it carries as
        /// [`previous`](LogEntry::previous), and what the company that
        /// commits it keeps. SHA-256 of the entry's JSON (with its own
        /// `previous`), so it stands for the log up to this entry.
        #[must_use]
        pub fn digest(&self) -> EntryDigest {
            // The JSON in one buffer, hashed in one call: serde writes many
            // small pieces, and the hash costs per call (2 µs a change fed
            // piece by piece, against 0.9 µs).
            let mut json = Vec::with_capacity(256);
            json.extend_from_slice(DOMAIN);
            // Cannot fail: a `Vec` takes every byte, and an entry has no
            // map with keys other than strings. Were it to, the digest
            // would differ from the writer's, and the next catch-up would
            // say the log diverged: refused, never accepted wrongly.
            if write_json(&mut json, self).is_err() {
                json.extend_from_slice(b"\0unserializable");
            }
            debug_assert_eq!(
                json.get(DOMAIN.len()..),
                serde_json::to_vec(self).ok().as_deref(),
                "the entry's JSON as the digest writes it is serde's"
            );
            EntryDigest(Sha256::digest(&json).into())
        }
    }

    /// Writes `entry` as `serde_json` writes it (compact, fields in
    /// declaration order, `previous`, `actor` and `context` left out when
    /// absent or empty), byte for byte: the envelope by hand, the change,
    /// actor and context through serde. The envelope's strings are hex
    /// digits, which JSON never escapes; writing them directly saves
    /// escaping 80 bytes and formatting two ids for every entry. Debug
    /// builds check the bytes against `serde_json::to_vec` at every digest.
    fn write_json<P: PermissionFlags>(
        json: &mut Vec<u8>,
        entry: &LogEntry<P>,
    ) -> serde_json::Result<()> {
        // Every field, by name: a new one fails to build here until it is
        // written.
        let LogEntry {
            revision,
            company,
            previous,
            change,
            actor,
            context,
        } = entry;
        json.extend_from_slice(b"{\"revision\":");
        serde_json::to_writer(&mut *json, revision)?;
        json.extend_from_slice(b",\"company\":\"");
        json.extend_from_slice(&company.hex());
        if let Some(previous) = previous {
            json.extend_from_slice(b"\",\"previous\":\"");
            json.extend_from_slice(&previous.hex());
        }
        json.extend_from_slice(b"\",\"change\":");
        serde_json::to_writer(&mut *json, change)?;
        if let Some(actor) = actor {
            json.extend_from_slice(b",\"actor\":");
            serde_json::to_writer(&mut *json, actor)?;
        }
        if !context.is_empty() {
            json.extend_from_slice(b",\"context\":");
            serde_json::to_writer(&mut *json, context)?;
        }
        json.push(b'}');
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::EntryDigest;

    /// The digest is SHA-256 of the prefix and the entry's JSON in one
    /// piece, however long the entry (the hash is fed a buffer at a time).
    #[cfg(feature = "serde")]
    #[test]
    fn a_digest_hashes_the_prefix_and_the_json_of_the_entry() {
        use sha2::{Digest, Sha256};
        let company = crate::CompanyId::new(0x5f3a_9c0e_12ab_34cd);
        let change = crate::Change::create_user(crate::NewUser::new("ann"));
        let actor = crate::Actor {
            user: crate::UserId::new(4),
            testing: Some(crate::RoleId::SUPERVISOR),
        };
        for length in [0, 1, 200, 511, 512, 513, 2_000] {
            let mut entry = company.entry(7, change.clone());
            // Each optional field left out or written, in turn.
            entry.previous = (length % 2 == 0).then_some(EntryDigest::from_bytes([9; 32]));
            entry.actor = (length > 500).then_some(actor);
            if length > 0 {
                entry
                    .context
                    .insert("note \"é\"\n".into(), "x".repeat(length));
            }
            let mut bytes = b"callgate log entry 1\0".to_vec();
            bytes.extend(serde_json::to_vec(&entry).unwrap());
            let expected = EntryDigest::from_bytes(Sha256::digest(&bytes).into());
            assert_eq!(entry.digest(), expected, "context of {length} bytes");
        }
    }

    #[test]
    fn a_digest_is_written_and_read_as_64_lowercase_hex_digits() {
        let digest = EntryDigest::from_bytes(std::array::from_fn(|i| (i * 7 + 1) as u8));
        let text = digest.to_string();
        assert_eq!(text.len(), 64);
        assert_eq!(&text[..6], "01080f");
        assert_eq!(EntryDigest::parse_hex(&text), Some(digest));
        assert_eq!(EntryDigest::parse_hex(&text.to_uppercase()), None);
        assert_eq!(EntryDigest::parse_hex(&text[..62]), None);
        assert_eq!(EntryDigest::parse_hex(&format!("{}g", &text[..63])), None);
        assert_eq!(EntryDigest::GENESIS.to_string(), "0".repeat(64));
        assert_eq!(
            format!("{:?}", EntryDigest::GENESIS),
            format!("EntryDigest({})", "0".repeat(64))
        );
    }
}
