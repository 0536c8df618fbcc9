//! Serde by stable names for any catalog's flags and kinds: permissions are
//! stored as a list of names (the minimal entries), never as bits, and kinds
//! by name. Used through `#[serde(with = ...)]` on generic fields.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{Error as _, SeqAccess, Visitor};
use serde::ser::SerializeSeq;
use serde::{Deserialize, Deserializer, Serializer};

use super::{PermissionFlags, Set, kind_name, kind_named};

/// Serializes a set as the list of its minimal entries' names.
pub(crate) fn serialize<P: PermissionFlags, S: Serializer>(
    set: &P,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    let catalog = P::catalog();
    let bits = set.bits128();
    let mut seq = serializer.serialize_seq(Some(catalog.minimal(bits).count()))?;
    for permission in catalog.minimal(bits) {
        seq.serialize_element(permission.name())?;
    }
    seq.end()
}

/// Reads a list of names; an unknown one is refused as an element, so that a
/// path-tracking deserializer names its index.
pub(crate) fn deserialize<'de, P: PermissionFlags, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<P, D::Error> {
    deserializer.deserialize_seq(NamesVisitor(PhantomData))
}

struct NamesVisitor<P>(PhantomData<P>);

impl<'de, P: PermissionFlags> Visitor<'de> for NamesVisitor<P> {
    type Value = P;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of permission names such as \"queues.view\"")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<P, A::Error> {
        let mut bits = 0u128;
        while let Some(Named(closed, PhantomData::<P>)) = seq.next_element()? {
            bits |= closed;
        }
        Ok(P::of(bits))
    }
}

/// One permission name, closed.
struct Named<P>(u128, PhantomData<P>);

impl<'de, P: PermissionFlags> Deserialize<'de> for Named<P> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        P::catalog()
            .closed_named(&name)
            .map(|bits| Named(bits, PhantomData))
            .ok_or_else(|| D::Error::custom(format_args!("unknown permission `{name}`")))
    }
}

/// `Option<P>` by names.
pub(crate) mod option {
    use super::{Deserialize, Deserializer, PermissionFlags, Serializer};

    pub(crate) fn serialize<P: PermissionFlags, S: Serializer>(
        set: &Option<P>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match set {
            Some(set) => serializer.serialize_some(&super::AsNames(*set)),
            None => serializer.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, P: PermissionFlags, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<P>, D::Error> {
        Ok(Option::<super::AsNames<P>>::deserialize(deserializer)?.map(|names| names.0))
    }
}

/// A set that (de)serializes by names.
pub(crate) struct AsNames<P>(pub(crate) P);

impl<P: PermissionFlags> serde::Serialize for AsNames<P> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serialize(&self.0, serializer)
    }
}

impl<'de, P: PermissionFlags> Deserialize<'de> for AsNames<P> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserialize(deserializer).map(AsNames)
    }
}

/// A kind of scoped object by its stable name.
pub(crate) mod kind {
    use serde::de::Error as _;

    use super::{Deserialize, Deserializer, Serializer, kind_name, kind_named};
    use crate::PermissionFlags;

    pub(crate) fn serialize<P: PermissionFlags, S: Serializer>(
        kind: &P::Kind,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(kind_name::<P>(*kind))
    }

    pub(crate) fn deserialize<'de, P: PermissionFlags, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<P::Kind, D::Error> {
        let name = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        kind_named::<P>(&name)
            .ok_or_else(|| D::Error::custom(format_args!("unknown object kind `{name}`")))
    }
}
