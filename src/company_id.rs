//! [`CompanyId`]: which company a session, a log entry or a document belongs
//! to, so that one tenant's never opens another's.

use std::fmt;
use std::str::FromStr;

/// A company's identity: a 64-bit number, written as 16 hexadecimal digits
/// (`"5f3a9c0e12ab34cd"`).
///
/// Every company has one. [`Company::new`](crate::Company::new) draws a
/// random one; a host that names its tenants itself gives its own with
/// [`Company::with_id`](crate::Company::with_id). The id is kept in the
/// company's [document](crate::Document), so every replica loaded from it
/// shares it. So would every tenant made from one template or backup: load
/// those with `Company::load_template` or `Company::from_template`, which
/// give the new tenant a random id, and load a tenant's own document with
/// `Company::load_expecting`, which refuses another company's.
///
/// [Sessions](crate::Session) and [log entries](crate::LogEntry) carry the id
/// of the company that made them. A session used with another company is
/// denied ([`DenyReason::OtherCompany`](crate::DenyReason::OtherCompany)) and
/// a log entry replayed on another company is refused
/// ([`Error::OtherCompany`](crate::Error::OtherCompany)): a host that keeps
/// thousands of companies in one process cannot let a user of one tenant
/// act in another by mixing up its session store.
///
/// # Example
///
/// ```
/// use callgate::CompanyId;
///
/// let id: CompanyId = "00000000000000ff".parse()?;
/// assert_eq!(id, CompanyId::new(255));
/// assert_eq!(id.to_string(), "00000000000000ff");
/// assert!("ff".parse::<CompanyId>().is_err()); // always 16 digits
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CompanyId(u64);

impl CompanyId {
    /// The id with this number, as a host chose or stored it.
    #[must_use]
    pub const fn new(number: u64) -> Self {
        Self(number)
    }

    /// A random id, as every new company draws: distinct from every other
    /// company's in practice (64 random bits, from the standard library's
    /// per-process random keys).
    #[must_use]
    pub fn random() -> Self {
        Self(crate::company::new_state())
    }

    /// The id's number.
    #[must_use]
    pub const fn get(self) -> u64 {
        self.0
    }

    /// The 16 lowercase hex digits, from a table: every log entry's JSON
    /// (and so every digest) writes the id, and `{:016x}` costs a call per
    /// padding digit.
    pub(crate) fn hex(self) -> [u8; 16] {
        let mut out = [0u8; 16];
        for (pair, byte) in out.chunks_exact_mut(2).zip(self.0.to_be_bytes()) {
            pair.copy_from_slice(&crate::chain::hex_pair(byte));
        }
        out
    }

    /// Calls `write` with the 16 digits as text.
    fn with_hex<R>(self, write: impl FnOnce(&str) -> R) -> R {
        let hex = self.hex();
        // Hex digits are ASCII: the conversion cannot fail.
        write(std::str::from_utf8(&hex).unwrap_or_default())
    }
}

/// 16 lowercase hexadecimal digits, as the id is stored.
impl fmt::Display for CompanyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.with_hex(|hex| f.write_str(hex))
    }
}

/// `CompanyId(5f3a9c0e12ab34cd)`.
impl fmt::Debug for CompanyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CompanyId({self})")
    }
}

/// Text that is not a company id: anything but 16 hexadecimal digits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not a company id (16 hexadecimal digits)")]
pub struct ParseCompanyIdError {
    text: String,
}

/// Reads the 16 hexadecimal digits [`Display`](fmt::Display) writes, in
/// either case; nothing else (no sign, no `0x`, no shorter form), so that
/// an id has one spelling.
impl FromStr for CompanyId {
    type Err = ParseCompanyIdError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let error = || ParseCompanyIdError {
            text: text.chars().take(40).collect(),
        };
        if text.len() != 16 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(error());
        }
        u64::from_str_radix(text, 16).map(Self).map_err(|_| error())
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for CompanyId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // The same text as `collect_str` would write, in one piece.
        self.with_hex(|hex| serializer.serialize_str(hex))
    }
}

/// Reads the stored string. Written in lowercase only, so an uppercase id
/// (which parses) is refused here: a stored document has one spelling.
#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for CompanyId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Text;
        impl serde::de::Visitor<'_> for Text {
            type Value = CompanyId;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a company id (16 lowercase hexadecimal digits)")
            }

            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<CompanyId, E> {
                let id: CompanyId = text.parse().map_err(E::custom)?;
                if text.bytes().any(|b| b.is_ascii_uppercase()) {
                    return Err(E::custom(format_args!(
                        "company id `{text}` is written in lowercase"
                    )));
                }
                Ok(id)
            }
        }
        deserializer.deserialize_str(Text)
    }
}

#[cfg(test)]
mod tests {
    use super::CompanyId;

    #[test]
    fn ids_are_sixteen_hex_digits_both_ways() {
        let id = CompanyId::new(0x5f3a_9c0e_12ab_34cd);
        assert_eq!(id.to_string(), "5f3a9c0e12ab34cd");
        assert_eq!("5f3a9c0e12ab34cd".parse(), Ok(id));
        assert_eq!("5F3A9C0E12AB34CD".parse(), Ok(id));
        assert_eq!(format!("{id:?}"), "CompanyId(5f3a9c0e12ab34cd)");
        assert_eq!(CompanyId::new(0).to_string(), "0000000000000000");
        for bad in [
            "",
            "ff",
            "+f3a9c0e12ab34cd",
            "0x3a9c0e12ab34cd",
            "5f3a9c0e12ab34cdd",
        ] {
            let error = bad.parse::<CompanyId>().unwrap_err();
            assert!(error.to_string().contains("is not a company id"), "{bad}");
        }
    }

    #[test]
    fn random_ids_differ() {
        assert_ne!(CompanyId::random(), CompanyId::random());
    }

    #[cfg(feature = "serde")]
    #[test]
    fn ids_are_stored_as_lowercase_strings() {
        let id = CompanyId::new(u64::MAX);
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, r#""ffffffffffffffff""#);
        assert_eq!(serde_json::from_str::<CompanyId>(&json).unwrap(), id);
        assert!(serde_json::from_str::<CompanyId>(r#""FFFFFFFFFFFFFFFF""#).is_err());
        assert!(serde_json::from_str::<CompanyId>("255").is_err());
    }
}
