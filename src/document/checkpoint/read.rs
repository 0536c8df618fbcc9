//! Reading a checkpoint back into its [`Document`]: each part checked as it
//! is read, a problem named by the path of the document field it would
//! fill (`users[3].name`), formatted only when there is one.

use std::fmt;

use super::MAGIC;
use crate::catalog::Set;
use crate::document::{
    CatalogRef, Document, FORMAT_VERSION, GrantEndRecord, GroupRecord, MemberRoles, NextIds,
    ObjectRecord, ProjectRecord, RoleRecord, UserRecord, catalog_mismatch,
};
use crate::{
    Assignment, CompanyId, Error, GroupId, ObjectId, PermissionFlags, Principal, ProjectId, RoleId,
    SecurityMode, Timestamp, UserId,
};

/// The document a checkpoint holds.
pub(super) fn document<P: PermissionFlags>(bytes: &[u8]) -> Result<Document<P>, Error> {
    let mut r = Reader { rest: bytes };
    if r.take(MAGIC.len()).ok() != Some(MAGIC.as_slice()) {
        return Err(error("checkpoint".into(), "not a callgate checkpoint"));
    }
    let format = r.u32().at(|| "format".into())?;
    if format != FORMAT_VERSION {
        return Err(error(
            "format".into(),
            format_args!(
                "checkpoint format version {format} is not one this library reads ({FORMAT_VERSION})"
            ),
        ));
    }
    let catalog = CatalogRef {
        name: r.text().at(|| "catalog.name".into())?.to_owned(),
        version: r.u32().at(|| "catalog.version".into())?,
    };
    if let Some(message) = catalog_mismatch::<P>(Some(&catalog)) {
        return Err(error("catalog".into(), message));
    }
    let company = CompanyId::new(r.number().at(|| "company".into())?);
    let mode = match r.byte().at(|| "mode".into())? {
        0 => SecurityMode::Simple,
        1 => SecurityMode::Enhanced,
        other => {
            return Err(error(
                "mode".into(),
                Fault::Choice("simple", "enhanced", other),
            ));
        }
    };
    let revision = r.number().at(|| "revision".into())?;
    let default_project = match r.flag().at(|| "defaultProject".into())? {
        true => Some(ProjectId::new(r.u32().at(|| "defaultProject".into())?)),
        false => None,
    };
    let mut next_ids = NextIds::default();
    for (count, name) in [
        (&mut next_ids.users, "users"),
        (&mut next_ids.groups, "groups"),
        (&mut next_ids.roles, "roles"),
        (&mut next_ids.projects, "projects"),
        (&mut next_ids.objects, "objects"),
    ] {
        *count = r.u32().at(|| format!("nextIds.{name}"))?;
    }
    let kinds = kinds::<P>(&mut r, &catalog)?;
    let mut document = Document {
        format,
        catalog: Some(catalog),
        company: Some(company),
        mode,
        revision,
        chain: None,
        default_project,
        next_ids,
        users: list(&mut r, "users", 4, user)?,
        groups: list(&mut r, "groups", 4, group)?,
        roles: list(&mut r, "roles", 6, role::<P>)?,
        projects: list(&mut r, "projects", 7, project)?,
        objects: list(&mut r, "objects", 3, |r, i| object(r, i, &kinds))?,
        grant_ends: list(&mut r, "grantEnds", 5, grant_end)?,
        duty_constraints: Vec::new(),
    };
    references(&mut r, &mut document.objects)?;
    document.duty_constraints = list(&mut r, "dutyConstraints", 4, duty_constraint::<P>)?;
    document.chain = chain(&mut r)?;
    if !r.rest.is_empty() {
        return Err(error(
            "checkpoint".into(),
            format_args!("{} bytes follow its last part", r.rest.len()),
        ));
    }
    Ok(document)
}

/// The kinds objects refer to by index: each of the catalog, once; and
/// when the checkpoint was written with this version of the catalog, the
/// catalog's kinds in its order (the canonical form).
fn kinds<P: PermissionFlags>(
    r: &mut Reader<'_>,
    catalog: &CatalogRef,
) -> Result<Vec<P::Kind>, Error> {
    let names = list(r, "kinds", 1, |r, i| r.text().at(|| format!("kinds[{i}]")))?;
    let mut kinds = Vec::with_capacity(names.len());
    for (j, &name) in names.iter().enumerate() {
        let kind = crate::catalog::kind_named::<P>(name).ok_or_else(|| {
            error(
                format!("kinds[{j}]"),
                format_args!("unknown object kind `{name}`"),
            )
        })?;
        if kinds.contains(&kind) {
            return Err(error(
                format!("kinds[{j}]"),
                format_args!("kind `{name}` is listed twice"),
            ));
        }
        kinds.push(kind);
    }
    let ours = P::catalog();
    let in_order = names
        .iter()
        .copied()
        .eq(ours.kinds().iter().map(|k| k.name));
    if catalog.version == ours.version() && !in_order {
        return Err(error(
            "kinds".into(),
            "the kinds are not the catalog's, in its order",
        ));
    }
    Ok(kinds)
}

fn user(r: &mut Reader<'_>, i: usize) -> Result<UserRecord, Error> {
    let at = |field: &'static str| move || format!("users[{i}].{field}");
    Ok(UserRecord {
        id: UserId::new(r.u32().at(at("id"))?),
        name: r.text().at(at("name"))?.to_owned(),
        roles: r.ids(RoleId::new, at("roles"))?,
        sessions_valid_from: r.number().at(at("sessionsValidFrom"))?,
    })
}

fn group(r: &mut Reader<'_>, i: usize) -> Result<GroupRecord, Error> {
    let at = |field: &'static str| move || format!("groups[{i}].{field}");
    Ok(GroupRecord {
        id: GroupId::new(r.u32().at(at("id"))?),
        name: r.text().at(at("name"))?.to_owned(),
        members: r.ids(UserId::new, at("members"))?,
        roles: r.ids(RoleId::new, at("roles"))?,
    })
}

fn role<P: PermissionFlags>(r: &mut Reader<'_>, i: usize) -> Result<RoleRecord<P>, Error> {
    let at = |field: &'static str| move || format!("roles[{i}].{field}");
    let id = RoleId::new(r.u32().at(at("id"))?);
    let name = r.text().at(at("name"))?.to_owned();
    let builtin = r.flag().at(at("builtin"))?;
    let description = r.text().at(at("description"))?.to_owned();
    let permissions = match r.flag().at(at("permissions"))? {
        true => Some(permissions::<P>(r, &|| format!("roles[{i}].permissions"))?),
        false => None,
    };
    Ok(RoleRecord {
        id,
        name,
        builtin,
        description,
        permissions,
        put_users_offline: r.flag().at(at("putUsersOffline"))?,
    })
}

/// Permission names (a role's, a duty's) at `path`: each of the catalog,
/// each once, as the document's are read (in any order, implied names
/// allowed).
fn permissions<P: PermissionFlags>(
    r: &mut Reader<'_>,
    path: &dyn Fn() -> String,
) -> Result<P, Error> {
    let catalog = P::catalog();
    let count = r.count(1).at(path)?;
    let (mut listed, mut bits) = (0u128, 0u128);
    for j in 0..count {
        let at = || format!("{}[{j}]", path());
        let name = r.text().at(at)?;
        let (Some(permission), Some(closed)) =
            (catalog.permission(name), catalog.closed_named(name))
        else {
            return Err(error(at(), format_args!("unknown permission `{name}`")));
        };
        let own = 1u128 << permission.bit;
        if listed & own != 0 {
            return Err(error(
                at(),
                format_args!("permission `{name}` is listed twice"),
            ));
        }
        listed |= own;
        bits |= closed;
    }
    Ok(P::of(bits))
}

fn project(r: &mut Reader<'_>, i: usize) -> Result<ProjectRecord, Error> {
    let at = |field: &'static str| move || format!("projects[{i}].{field}");
    let id = ProjectId::new(r.u32().at(at("id"))?);
    let name = r.text().at(at("name"))?.to_owned();
    let description = r.text().at(at("description"))?.to_owned();
    let users = r.ids(UserId::new, at("users"))?;
    let groups = r.ids(GroupId::new, at("groups"))?;
    let objects = r.ids(ObjectId::new, at("objects"))?;
    let count = r.count(2).at(at("memberRoles"))?;
    let mut member_roles = Vec::with_capacity(count);
    for j in 0..count {
        let at = |field: &'static str| move || format!("projects[{i}].memberRoles[{j}].{field}");
        let member = member(r, at("member"))?;
        let roles = r.ids(RoleId::new, at("roles"))?;
        member_roles.push(MemberRoles { member, roles });
    }
    Ok(ProjectRecord {
        id,
        name,
        description,
        users,
        groups,
        objects,
        member_roles,
    })
}

fn grant_end(r: &mut Reader<'_>, i: usize) -> Result<GrantEndRecord, Error> {
    let at = |field: &'static str| move || format!("grantEnds[{i}].{field}");
    let principal = member(r, at("principal"))?;
    let role = RoleId::new(r.u32().at(at("role"))?);
    let project = match r.flag().at(at("project"))? {
        true => Some(ProjectId::new(r.u32().at(at("project"))?)),
        false => None,
    };
    let until = Timestamp::from_unix_seconds(r.number().at(at("until"))?);
    let grant = Assignment {
        principal,
        role,
        project,
    };
    Ok(GrantEndRecord::new(grant, until))
}

/// A user (0 and its id) or a group (1 and its id), at `at`.
fn member(r: &mut Reader<'_>, at: impl Fn() -> String) -> Result<Principal, Error> {
    Ok(match r.byte().at(&at)? {
        0 => Principal::User(UserId::new(r.u32().at(&at)?)),
        1 => Principal::Group(GroupId::new(r.u32().at(&at)?)),
        other => return Err(error(at(), Fault::Choice("user", "group", other))),
    })
}

fn object<P: PermissionFlags>(
    r: &mut Reader<'_>,
    i: usize,
    kinds: &[P::Kind],
) -> Result<ObjectRecord<P>, Error> {
    let at = |field: &'static str| move || format!("objects[{i}].{field}");
    let id = ObjectId::new(r.u32().at(at("id"))?);
    let index = r.number().at(at("kind"))?;
    let Some(&kind) = usize::try_from(index).ok().and_then(|k| kinds.get(k)) else {
        return Err(error(
            at("kind")(),
            format_args!("kind {index} is not in the checkpoint's list of kinds"),
        ));
    };
    Ok(ObjectRecord {
        id,
        kind,
        name: r.text().at(at("name"))?.to_owned(),
        uses: Vec::new(),
    })
}

/// The objects' references, after the grant ends: each entry names an
/// object read before, in the objects' order (so in id order), and what it
/// uses, at least one (the canonical form leaves out an object that uses
/// none). The references themselves are checked with the document, at
/// `objects[i].uses[j]`.
fn references<P: PermissionFlags>(
    r: &mut Reader<'_>,
    objects: &mut [ObjectRecord<P>],
) -> Result<(), Error> {
    let count = r.count(2).at(|| "references".into())?;
    let mut next = 0;
    for k in 0..count {
        let at = || format!("references[{k}].object");
        let id = ObjectId::new(r.u32().at(at)?);
        let found = objects
            .get(next..)
            .and_then(|rest| rest.iter().position(|o| o.id == id));
        let Some(record) = found.and_then(|offset| {
            next += offset + 1;
            objects.get_mut(next - 1)
        }) else {
            return Err(error(
                at(),
                format_args!(
                    "object id `{id}` is not an object of the checkpoint after the one before"
                ),
            ));
        };
        record.uses = r.ids(ObjectId::new, || format!("references[{k}].uses"))?;
        if record.uses.is_empty() {
            return Err(error(
                format!("references[{k}].uses"),
                "an object that uses none is left out",
            ));
        }
    }
    Ok(())
}

/// A duty constraint (DOMAIN rule 25): its two duties.
/// The chain, if any bytes are left: the flag 1 (a 0 would be a second
/// spelling of "absent"), then its 32 bytes.
fn chain(r: &mut Reader<'_>) -> Result<Option<crate::EntryDigest>, Error> {
    if r.rest.is_empty() {
        return Ok(None);
    }
    if !r.flag().at(|| "chain".into())? {
        return Err(error(
            "chain".into(),
            "an absent chain is left out, not flagged",
        ));
    }
    let bytes = r.take(32).at(|| "chain".into())?;
    let digest = <[u8; 32]>::try_from(bytes).map_err(|_| error("chain".into(), Fault::End))?;
    Ok(Some(crate::EntryDigest::from_bytes(digest)))
}

fn duty_constraint<P: PermissionFlags>(
    r: &mut Reader<'_>,
    i: usize,
) -> Result<crate::DutyConstraint<P>, Error> {
    let first = duty::<P>(r, &|| format!("dutyConstraints[{i}].first"))?;
    let second = duty::<P>(r, &|| format!("dutyConstraints[{i}].second"))?;
    Ok(crate::DutyConstraint::new(first, second))
}

/// A duty at `path`: 0 and permission names, or 1 and a role id.
fn duty<P: PermissionFlags>(
    r: &mut Reader<'_>,
    path: &dyn Fn() -> String,
) -> Result<crate::Duty<P>, Error> {
    match r.byte().at(path)? {
        0 => Ok(crate::Duty::Permission(permissions::<P>(r, &|| {
            format!("{}.permission", path())
        })?)),
        1 => Ok(crate::Duty::Role(RoleId::new(
            r.u32().at(|| format!("{}.role", path()))?,
        ))),
        other => Err(error(path(), Fault::Choice("permission", "role", other))),
    }
}

/// A list of records: its length (at `name`), then each record, read by
/// `read` with its index; each takes at least `least` bytes, so what is
/// reserved for them is bounded by the bytes left.
fn list<'a, T>(
    r: &mut Reader<'a>,
    name: &'static str,
    least: usize,
    mut read: impl FnMut(&mut Reader<'a>, usize) -> Result<T, Error>,
) -> Result<Vec<T>, Error> {
    let count = r.count(least).at(|| name.into())?;
    let mut items = Vec::with_capacity(count);
    for i in 0..count {
        items.push(read(r, i)?);
    }
    Ok(items)
}

/// What is wrong where a checkpoint is read.
enum Fault {
    End,
    LongNumber,
    Overflow,
    Flag(u8),
    Length,
    Utf8,
    /// A byte that is none of two choices (0: the first, 1: the second).
    Choice(&'static str, &'static str, u8),
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::End => f.write_str("the checkpoint ends early"),
            Self::LongNumber => f.write_str("a number is written in more bytes than it needs"),
            Self::Overflow => f.write_str("the number is too large"),
            Self::Flag(byte) => write!(f, "expected 0 or 1, found {byte}"),
            Self::Length => f.write_str("the length is more than the checkpoint holds"),
            Self::Utf8 => f.write_str("the text is not UTF-8"),
            Self::Choice(zero, one, byte) => {
                write!(f, "expected 0 ({zero}) or 1 ({one}), found {byte}")
            }
        }
    }
}

fn error(path: String, message: impl fmt::Display) -> Error {
    Error::Document {
        path,
        message: message.to_string(),
    }
}

/// Names the place of a [`Fault`]: the path is made only for an error.
trait At<T> {
    fn at(self, path: impl FnOnce() -> String) -> Result<T, Error>;
}

impl<T> At<T> for Result<T, Fault> {
    fn at(self, path: impl FnOnce() -> String) -> Result<T, Error> {
        self.map_err(|fault| error(path(), fault))
    }
}

/// The bytes of a checkpoint not read yet.
struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, len: usize) -> Result<&'a [u8], Fault> {
        if len > self.rest.len() {
            return Err(Fault::End);
        }
        let (taken, rest) = self.rest.split_at(len);
        self.rest = rest;
        Ok(taken)
    }

    fn byte(&mut self) -> Result<u8, Fault> {
        let (&byte, rest) = self.rest.split_first().ok_or(Fault::End)?;
        self.rest = rest;
        Ok(byte)
    }

    fn flag(&mut self) -> Result<bool, Fault> {
        match self.byte()? {
            0 => Ok(false),
            1 => Ok(true),
            other => Err(Fault::Flag(other)),
        }
    }

    /// A LEB128 varint of at most 64 bits, in as few bytes as it takes.
    #[inline]
    fn number(&mut self) -> Result<u64, Fault> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = self.byte()?;
            let bits = u64::from(byte & 0x7f);
            if shift == 63 && bits > 1 {
                return Err(Fault::Overflow);
            }
            value |= bits << shift;
            if byte & 0x80 == 0 {
                // A last byte of 0 after others adds nothing: the same
                // number fits fewer bytes.
                if byte == 0 && shift > 0 {
                    return Err(Fault::LongNumber);
                }
                return Ok(value);
            }
        }
        Err(Fault::Overflow)
    }

    fn u32(&mut self) -> Result<u32, Fault> {
        u32::try_from(self.number()?).map_err(|_| Fault::Overflow)
    }

    /// The length of a list whose items take at least `least` bytes each.
    fn count(&mut self, least: usize) -> Result<usize, Fault> {
        let count = usize::try_from(self.number()?).map_err(|_| Fault::Length)?;
        if count.saturating_mul(least) > self.rest.len() {
            return Err(Fault::Length);
        }
        Ok(count)
    }

    fn text(&mut self) -> Result<&'a str, Fault> {
        let len = self.count(1)?;
        std::str::from_utf8(self.take(len)?).map_err(|_| Fault::Utf8)
    }

    /// A list of ids (at `path`; an id at `path[j]`).
    fn ids<T>(
        &mut self,
        make: impl Fn(u32) -> T,
        path: impl Fn() -> String,
    ) -> Result<Vec<T>, Error> {
        let count = self.count(1).at(&path)?;
        let mut ids = Vec::with_capacity(count);
        for j in 0..count {
            ids.push(make(self.u32().at(|| format!("{}[{j}]", path()))?));
        }
        Ok(ids)
    }
}
