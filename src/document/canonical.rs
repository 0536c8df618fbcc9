//! Reading the fields the canonical form leaves out at their default value:
//! written out at that value (`[]`, `""`, `false`, `0`, `null`), they are
//! refused, so that every document that loads is the one the library
//! writes, byte for byte.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{Error as _, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

use crate::PermissionFlags;
use crate::catalog::Set;

/// A value other than its type's default, which the canonical form leaves
/// out.
pub(super) fn not_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default + PartialEq,
{
    let value = T::deserialize(deserializer)?;
    if value == T::default() {
        return Err(D::Error::custom(
            "the canonical form leaves out a field at its default value (`[]`, `\"\"`, `false`, 0)",
        ));
    }
    Ok(value)
}

/// A value, never `null`: the canonical form leaves out an absent one.
pub(super) fn present<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

/// A role's permissions: names of the catalog, each once (never `null`).
/// An unknown or repeated name is refused as an element, so that the path
/// names its index.
///
/// Their order, and names another listed name implies, are not refused:
/// both follow the catalog, whose order changes between its versions, and
/// a document written with an older version must load (DOMAIN rule 19).
/// The library writes the fewest names, in catalog order.
pub(super) fn permissions<'de, P: PermissionFlags, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<P>, D::Error> {
    deserializer.deserialize_seq(CanonicalNames(PhantomData))
}

struct CanonicalNames<P>(PhantomData<P>);

impl<'de, P: PermissionFlags> Visitor<'de> for CanonicalNames<P> {
    type Value = Option<P>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of permission names such as \"queues.view\"")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Option<P>, A::Error> {
        let mut listed = 0u128;
        let mut bits = 0u128;
        while let Some(Known(name, own, closed, PhantomData::<P>)) = seq.next_element()? {
            if listed & own != 0 {
                return Err(A::Error::custom(format_args!(
                    "permission `{name}` is listed twice"
                )));
            }
            listed |= own;
            bits |= closed;
        }
        Ok(Some(P::of(bits)))
    }
}

/// A permission name of `P`'s catalog, with its own bit and its closed bits.
struct Known<'de, P>(Cow<'de, str>, u128, u128, PhantomData<P>);

impl<'de, P: PermissionFlags> Deserialize<'de> for Known<'de, P> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = Cow::<'de, str>::deserialize(deserializer)?;
        let catalog = P::catalog();
        match (catalog.permission(&name), catalog.closed_named(&name)) {
            (Some(permission), Some(closed)) => {
                Ok(Known(name, 1 << permission.bit, closed, PhantomData))
            }
            _ => Err(D::Error::custom(format_args!(
                "unknown permission `{name}`"
            ))),
        }
    }
}
