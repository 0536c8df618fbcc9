//! [`Name`]: a record's name, inline in the record when short.

use compact_str::CompactString;

/// A record's name: up to 24 bytes kept inline in the record (most names
/// of people, queues, roles and projects fit), longer ones on the heap at
/// about their length (at least 32 bytes).
///
/// Inline, a name costs the record 8 bytes more than a boxed string, and
/// spares an allocation of its own: malloc gives the smallest request a
/// 32-byte chunk, so a company's short names cost it 4 times their length.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Name(CompactString);

impl Name {
    /// The bytes the name holds on the heap: none when inline.
    pub(crate) fn heap_bytes(&self) -> usize {
        if self.0.is_heap_allocated() {
            self.0.capacity()
        } else {
            0
        }
    }
}

impl From<&str> for Name {
    fn from(text: &str) -> Self {
        Self(CompactString::new(text))
    }
}

/// Copies the text (inline, or on the heap at its length): a `String`
/// read from a document may have spare capacity, which a name would keep.
impl From<String> for Name {
    fn from(text: String) -> Self {
        Self::from(text.as_str())
    }
}

impl std::ops::Deref for Name {
    type Target = str;

    #[inline]
    fn deref(&self) -> &str {
        &self.0
    }
}

/// Shows the text, quoted, as a `str` does.
impl std::fmt::Debug for Name {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&**self, f)
    }
}

impl std::fmt::Display for Name {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::Name;

    #[test]
    fn short_names_stay_inline_and_long_ones_are_counted() {
        assert_eq!(Name::from("user 12").heap_bytes(), 0);
        assert_eq!(Name::from("a name of exactly 24 b..").heap_bytes(), 0);
        let mut spare = String::with_capacity(100);
        spare.push_str("a name longer than twenty-four bytes");
        let long = Name::from(spare);
        assert_eq!(&*long, "a name longer than twenty-four bytes");
        assert_eq!(long.heap_bytes(), 36, "its length, not the spare capacity");
        assert_eq!(Name::from("x".repeat(5)).heap_bytes(), 0);
        assert_eq!(
            Name::from("12345678901234567890123456").heap_bytes(),
            32,
            "at least 32"
        );
        assert_eq!(format!("{:?}", Name::from("ann")), "\"ann\"");
        assert_eq!(format!("`{}`", Name::from("ann")), "`ann`");
        assert_eq!(std::mem::size_of::<Option<Name>>(), 24);
    }
}
