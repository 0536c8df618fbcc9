//! Log entries written by callgate 0.1, migrated to the current
//! [`LogEntry`] given their company's id: [`LogEntry::migrate_0_1`].
//!
//! What 0.1 wrote (release commit 3a993ef, `src/change.rs`): an entry was
//! `{"revision": 7, "change": {...}}` and nothing else (`deny_unknown_fields`):
//! no `company`, `actor` or `context`. Its change was tagged by `op`, with the
//! fields of today's change of that name, except that `add_project_members`
//! had no `roles` and `assign_project_role` and `unassign_project_role` did not
//! exist. Permission sets were lists of the standard catalog's stable names
//! (the same names today), kinds the standard kinds' names, ids numbers,
//! principals `{"user": 4}` or `{"group": 1}`, modes `simple` or `enhanced`,
//! and a missing `Option` field `null`.
//!
//! How it works: the entry is read with a path tracker, its `change` read
//! ahead into a [`Value`] (0.1 wrote `op` first, but a host that re-encoded
//! its log may have sorted the keys), and that value is then read as the
//! change of 0.1 it names, with its own path tracker, into [`Change0_1`]: a
//! mirror of 0.1's `Change`, so exactly what 0.1 read is accepted. Only
//! reading the entry's two fields is generic over the host's deserializer
//! ([`LogEntry::migrate_0_1`], [`Raw`]); the change is read by code compiled
//! once, here.

use std::cell::Cell;
use std::convert::Infallible;
use std::fmt::{self, Write as _};

use serde::de::value::{Error as ValueError, MapDeserializer};
use serde::de::{
    self, DeserializeSeed, EnumAccess, IntoDeserializer, MapAccess, VariantAccess, Visitor,
};
use serde::{Deserialize, Deserializer, forward_to_deserialize_any};
use serde_path_to_error::Segment;

mod value;

use self::value::Value;

use super::{Change, LogEntry};
use crate::{
    CompanyId, Error, GroupId, ObjectId, ObjectKind, Permissions, Principal, ProjectId, RoleId,
    SecurityMode, UserId,
};

/// Migration from 0.1.
impl LogEntry<Permissions> {
    /// Reads a change-log entry written by callgate 0.1 and returns it as an
    /// entry of `company`, the company whose log it is, in the current
    /// format: the same revision and change, no actor, no context.
    ///
    /// 0.1 wrote `{"revision": 7, "change": {...}}`, with no company id, which
    /// the plain decoder refuses (``field `company`: missing``): the host
    /// knows which company each of its logs belongs to, and says so here.
    /// Migrate each stored entry once, store it again (it then decodes as it
    /// is) and replay it with [`Company::catch_up`](crate::Company::catch_up)
    /// on a company with that id, as loaded from a document written at or
    /// before the entry's revision. 0.1 had only the standard catalog, so its
    /// entries are of [`Permissions`].
    ///
    /// Accepted is exactly what 0.1 read; the change is checked against the
    /// company only when it is replayed, as any entry.
    ///
    /// # Errors
    ///
    /// [`Error::Document`] with the path of what is not an entry of 0.1 and
    /// why: malformed input, a missing `revision` or `change`, any other
    /// field (`actor` and `context` came with 0.2); an entry that names its
    /// `company`, which 0.2 or later wrote and which needs no migration; an
    /// `op` 0.1 did not have (``change.op: unknown op `assign_project_role` ...``);
    /// a field the change did not have in 0.1 (`roles` of
    /// `add_project_members`), an unknown permission or kind
    /// (``change.permissions[1]: unknown permission `queue.fly` ``). A path
    /// inside the change names the field as the entry stores it.
    ///
    /// # Example: a replica catches up on a log written by 0.1
    ///
    /// ```
    /// use callgate::{Company, CompanyId, LogEntry, Permissions, UserId};
    ///
    /// let id = CompanyId::new(0x00c0_ffee);
    /// let log_0_1 = [
    ///     r#"{"revision":0,"change":{"op":"create_user","name":"ann","roles":[],"groups":[],"projects":[]}}"#,
    ///     r#"{"revision":1,"change":{"op":"create_role","name":"QA","description":"","permissions":["qa_checks.view"],"principals":[{"user":0}],"putUsersOffline":false}}"#,
    /// ];
    /// let mut entries = Vec::new();
    /// for line in log_0_1 {
    ///     entries.push(LogEntry::migrate_0_1(id, &mut serde_json::Deserializer::from_str(line))?);
    /// }
    /// // Stored again, an entry names its company and decodes as it is.
    /// let stored = serde_json::to_string(&entries[0])?;
    /// assert_eq!(
    ///     stored,
    ///     r#"{"revision":0,"company":"0000000000c0ffee","change":{"op":"create_user","name":"ann","roles":[],"groups":[],"projects":[]}}"#,
    /// );
    /// assert_eq!(serde_json::from_str::<LogEntry>(&stored)?, entries[0]);
    ///
    /// let mut company = Company::new().with_id(id);
    /// assert_eq!(company.catch_up(&entries)?, 2);
    /// assert!(company.effective_permissions(UserId::new(0))?.contains(Permissions::QA_CHECKS_VIEW));
    ///
    /// // An entry of 0.2 or later needs no migration.
    /// let err = LogEntry::migrate_0_1(id, &mut serde_json::Deserializer::from_str(&stored)).unwrap_err();
    /// assert!(err.to_string().starts_with("company: an entry that names its company"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn migrate_0_1<'de, D: Deserializer<'de>>(
        company: CompanyId,
        deserializer: D,
    ) -> Result<Self, Error> {
        match serde_path_to_error::deserialize::<D, Raw>(deserializer) {
            Ok(raw) => raw.migrate(company),
            Err(error) => Err(entry_error(error.path(), error.inner())),
        }
    }
}

/// The error of an entry that did not read, at `path`; `entry` when it is
/// about the whole entry or the input stops before a key is read (`?`).
fn entry_error(path: &serde_path_to_error::Path, message: &dyn fmt::Display) -> Error {
    if path
        .iter()
        .all(|segment| matches!(segment, Segment::Unknown))
    {
        return invalid("entry", message);
    }
    invalid(path.to_string(), message)
}

fn invalid(path: impl Into<String>, message: impl fmt::Display) -> Error {
    Error::Document {
        path: path.into(),
        message: message.to_string(),
    }
}

// ---- The entry ---------------------------------------------------------------

/// An entry of 0.1 as read, its change not yet.
struct Raw {
    revision: Option<u64>,
    change: Option<Value>,
    /// The first field 0.1 did not write, refused once the whole entry has
    /// been read: a `company` after it makes it an entry of 0.2, and says so.
    unknown: Option<String>,
}

impl Raw {
    fn migrate(self, company: CompanyId) -> Result<LogEntry<Permissions>, Error> {
        if let Some(field) = self.unknown {
            let message = format!(
                "unknown field `{field}`: an entry written by 0.1 has only `revision` and `change`"
            );
            return Err(invalid(field, message));
        }
        let revision = self
            .revision
            .ok_or_else(|| invalid("revision", "missing"))?;
        let change = self.change.ok_or_else(|| invalid("change", "missing"))?;
        Ok(company.entry(revision, read_change(change)?))
    }
}

impl<'de> Deserialize<'de> for Raw {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_struct("LogEntry", &["revision", "change"], RawVisitor)
    }
}

struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = Raw;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a change-log entry written by 0.1")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Raw, A::Error> {
        let mut raw = Raw {
            revision: None,
            change: None,
            unknown: None,
        };
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "revision" if raw.revision.is_none() => raw.revision = Some(map.next_value()?),
                "change" if raw.change.is_none() => raw.change = Some(map.next_value()?),
                "revision" | "change" => refuse(&mut map, "given twice")?,
                "company" => refuse(
                    &mut map,
                    "an entry that names its company was written by 0.2 or later: \
                     it needs no migration, decode it as it is",
                )?,
                _ => {
                    map.next_value::<de::IgnoredAny>()?;
                    raw.unknown.get_or_insert(key);
                }
            }
        }
        Ok(raw)
    }
}

/// Refuses the value of the field just read, so that the error is at its path.
fn refuse<'de, A: MapAccess<'de>>(map: &mut A, message: &'static str) -> Result<(), A::Error> {
    match map.next_value_seed(Refuse(message))? {}
}

/// A value refused, whatever it is.
struct Refuse(&'static str);

impl<'de> DeserializeSeed<'de> for Refuse {
    type Value = Infallible;

    fn deserialize<D: Deserializer<'de>>(self, _: D) -> Result<Infallible, D::Error> {
        Err(de::Error::custom(self.0))
    }
}

// ---- The change ------------------------------------------------------------

/// Reads the change of an entry of 0.1 from its buffered value.
fn read_change(change: Value) -> Result<Change<Permissions>, Error> {
    let Value::Map(entries) = change else {
        return Err(invalid(
            "change",
            "expected a change written by 0.1: an object with its `op`",
        ));
    };
    let mut op = None;
    let mut fields = Vec::new();
    for (key, value) in entries {
        if key != "op" {
            fields.push((key, value));
        } else if op.is_some() {
            return Err(invalid("change.op", "given twice"));
        } else if let Value::Str(name) = value {
            op = Some(name);
        } else {
            return Err(invalid(
                "change.op",
                "expected the name of a change, such as `delete_user`",
            ));
        }
    }
    let op = op.ok_or_else(|| invalid("change.op", "missing"))?;
    let unknown_op = Cell::new(false);
    let tagged = Tagged {
        op,
        fields,
        unknown_op: &unknown_op,
    };
    match serde_path_to_error::deserialize::<_, Change0_1>(tagged) {
        Ok(change) => Ok(change.into_change()),
        Err(error) if unknown_op.get() => Err(invalid("change.op", error.inner())),
        Err(error) => Err(invalid(change_path(error.path()), error.inner())),
    }
}

/// `change` and the path within it, the op's own segment left out
/// (`change.permissions[1]`).
fn change_path(path: &serde_path_to_error::Path) -> String {
    let mut segments = path.iter().peekable();
    if let Some(Segment::Enum { .. }) = segments.peek() {
        segments.next();
    }
    let mut out = String::from("change");
    for segment in segments {
        let _ = match segment {
            Segment::Seq { index } => write!(out, "[{index}]"),
            Segment::Map { key } | Segment::Enum { variant: key } => write!(out, ".{key}"),
            Segment::Unknown => write!(out, ".?"),
        };
    }
    out
}

/// A change as 0.1 read it: the same ops and fields, each with 0.1's
/// defaults (its `Change`, release commit 3a993ef). Read from a [`Tagged`].
#[derive(Deserialize)]
#[serde(
    rename_all = "snake_case",
    rename_all_fields = "camelCase",
    deny_unknown_fields
)]
enum Change0_1 {
    CreateUser {
        name: String,
        #[serde(default)]
        roles: Vec<RoleId>,
        #[serde(default)]
        groups: Vec<GroupId>,
        #[serde(default)]
        projects: Vec<ProjectId>,
    },
    RenameUser {
        user: UserId,
        name: String,
    },
    DeleteUser {
        user: UserId,
    },
    CreateGroup {
        name: String,
        #[serde(default)]
        members: Vec<UserId>,
    },
    RenameGroup {
        group: GroupId,
        name: String,
    },
    DeleteGroup {
        group: GroupId,
    },
    AddGroupMembers {
        group: GroupId,
        users: Vec<UserId>,
    },
    RemoveGroupMembers {
        group: GroupId,
        users: Vec<UserId>,
    },
    CreateRole {
        name: String,
        #[serde(default)]
        description: String,
        #[serde(deserialize_with = "crate::catalog::serde_names::deserialize")]
        permissions: Permissions,
        #[serde(default)]
        principals: Vec<Principal>,
        #[serde(default)]
        put_users_offline: bool,
    },
    EditRole {
        role: RoleId,
        #[serde(default)]
        name: Option<String>,
        #[serde(default)]
        description: Option<String>,
        #[serde(
            default,
            deserialize_with = "crate::catalog::serde_names::option::deserialize"
        )]
        permissions: Option<Permissions>,
        #[serde(default)]
        put_users_offline: Option<bool>,
    },
    DeleteRole {
        role: RoleId,
    },
    AssignRole {
        role: RoleId,
        principals: Vec<Principal>,
    },
    UnassignRole {
        role: RoleId,
        principals: Vec<Principal>,
    },
    SetSectionAccess {
        role: RoleId,
        #[serde(deserialize_with = "crate::catalog::serde_names::deserialize")]
        permission: Permissions,
        allowed: bool,
    },
    SetSecurityMode {
        mode: SecurityMode,
    },
    CreateProject {
        name: String,
        #[serde(default)]
        description: String,
        #[serde(default)]
        principals: Vec<Principal>,
        #[serde(default)]
        objects: Vec<ObjectId>,
    },
    EditProject {
        project: ProjectId,
        #[serde(default)]
        name: Option<String>,
        #[serde(default)]
        description: Option<String>,
    },
    DeleteProject {
        project: ProjectId,
    },
    AddProjectMembers {
        project: ProjectId,
        principals: Vec<Principal>,
    },
    RemoveProjectMembers {
        project: ProjectId,
        principals: Vec<Principal>,
    },
    AddProjectObjects {
        project: ProjectId,
        objects: Vec<ObjectId>,
    },
    RemoveProjectObjects {
        project: ProjectId,
        objects: Vec<ObjectId>,
    },
    CreateObject {
        #[serde(
            deserialize_with = "crate::catalog::serde_names::kind::deserialize::<Permissions, _>"
        )]
        kind: ObjectKind,
        name: String,
        #[serde(default)]
        projects: Vec<ProjectId>,
    },
    RenameObject {
        object: ObjectId,
        name: String,
    },
    DeleteObject {
        object: ObjectId,
    },
}

impl Change0_1 {
    /// The same change today: every op of 0.1 is one of today's, with the
    /// same fields; `add_project_members` gives no roles within the project.
    #[rustfmt::skip]
    fn into_change(self) -> Change<Permissions> {
        use Change as C;
        use Change0_1 as L;
        match self {
            L::CreateUser { name, roles, groups, projects } =>
                C::CreateUser { name, roles, groups, projects },
            L::RenameUser { user, name } => C::RenameUser { user, name },
            L::DeleteUser { user } => C::DeleteUser { user },
            L::CreateGroup { name, members } => C::CreateGroup { name, members },
            L::RenameGroup { group, name } => C::RenameGroup { group, name },
            L::DeleteGroup { group } => C::DeleteGroup { group },
            L::AddGroupMembers { group, users } => C::AddGroupMembers { group, users },
            L::RemoveGroupMembers { group, users } => C::RemoveGroupMembers { group, users },
            L::CreateRole { name, description, permissions, principals, put_users_offline } =>
                C::CreateRole { name, description, permissions, principals, put_users_offline },
            L::EditRole { role, name, description, permissions, put_users_offline } =>
                C::EditRole { role, name, description, permissions, put_users_offline },
            L::DeleteRole { role } => C::DeleteRole { role },
            L::AssignRole { role, principals } => C::AssignRole { role, principals },
            L::UnassignRole { role, principals } => C::UnassignRole { role, principals },
            L::SetSectionAccess { role, permission, allowed } =>
                C::SetSectionAccess { role, permission, allowed },
            L::SetSecurityMode { mode } => C::SetSecurityMode { mode },
            L::CreateProject { name, description, principals, objects } =>
                C::CreateProject { name, description, principals, objects },
            L::EditProject { project, name, description } =>
                C::EditProject { project, name, description },
            L::DeleteProject { project } => C::DeleteProject { project },
            L::AddProjectMembers { project, principals } =>
                C::AddProjectMembers { project, principals, roles: Vec::new() },
            L::RemoveProjectMembers { project, principals } =>
                C::RemoveProjectMembers { project, principals },
            L::AddProjectObjects { project, objects } => C::AddProjectObjects { project, objects },
            L::RemoveProjectObjects { project, objects } =>
                C::RemoveProjectObjects { project, objects },
            L::CreateObject { kind, name, projects } => C::CreateObject { kind, name, projects },
            L::RenameObject { object, name } => C::RenameObject { object, name },
            L::DeleteObject { object } => C::DeleteObject { object },
        }
    }
}

/// A change's `op` and its other fields, read as the enum variant `op`
/// names (the shape of an externally tagged enum), so that the variant's
/// fields are read one by one and their paths tracked.
struct Tagged<'a> {
    op: String,
    fields: Vec<(String, Value)>,
    /// Set when `op` names no change of 0.1: the error is then at
    /// `change.op`.
    unknown_op: &'a Cell<bool>,
}

impl<'de> Deserializer<'de> for Tagged<'_> {
    type Error = ValueError;

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ValueError> {
        if variants.contains(&self.op.as_str()) {
            return visitor.visit_enum(self);
        }
        self.unknown_op.set(true);
        Err(de::Error::custom(UnknownOp(&self.op, variants)))
    }

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, ValueError> {
        Err(de::Error::custom("expected a change"))
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct identifier ignored_any
    }
}

impl<'de> EnumAccess<'de> for Tagged<'_> {
    type Error = ValueError;
    type Variant = Fields;

    fn variant_seed<V: DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, Fields), ValueError> {
        let op = seed.deserialize(self.op.into_deserializer())?;
        Ok((op, Fields(self.fields)))
    }
}

/// The fields of a change but its `op`.
struct Fields(Vec<(String, Value)>);

impl<'de> VariantAccess<'de> for Fields {
    type Error = ValueError;

    fn unit_variant(self) -> Result<(), ValueError> {
        Err(de::Error::custom("expected the fields of a change"))
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, _: T) -> Result<T::Value, ValueError> {
        Err(de::Error::custom("expected the fields of a change"))
    }

    fn tuple_variant<V: Visitor<'de>>(self, _: usize, _: V) -> Result<V::Value, ValueError> {
        Err(de::Error::custom("expected the fields of a change"))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ValueError> {
        visitor.visit_map(MapDeserializer::new(self.0.into_iter()))
    }
}

/// "unknown op `x` ..., expected one of `a`, `b`".
struct UnknownOp<'a>(&'a str, &'static [&'static str]);

impl fmt::Display for UnknownOp<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown op `{}` for an entry written by 0.1, expected one of ",
            self.0
        )?;
        for (i, op) in self.1.iter().enumerate() {
            let separator = if i == 0 { "" } else { ", " };
            write!(f, "{separator}`{op}`")?;
        }
        Ok(())
    }
}
