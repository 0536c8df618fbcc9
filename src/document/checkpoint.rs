//! A company's checkpoint: its [`Document`] in a compact binary form, for
//! a host that keeps companies it loads on demand (a tenant runtime). JSON
//! stays the interchange format; a checkpoint is the same document,
//! loaded through the same checks with the same refusals and paths, about
//! a third of its JSON's size and loaded in about half the time (no text
//! to scan, no field names to match, no path to track while reading).
//!
//! # The form
//!
//! Written with no dependency: every number a LEB128 varint in as few bytes
//! as it takes, every text its length then its UTF-8 bytes, every list its
//! length then its items, every optional value a byte 0 (absent) or 1 then
//! the value. In order: the 8 bytes `callgate`, the format version
//! ([`FORMAT_VERSION`](super::FORMAT_VERSION)), the catalog's name and
//! version, the company's id, the mode (0 simple, 1 enhanced), the
//! revision, the default project (optional), `nextIds` (users, groups,
//! roles, projects, objects), the names of the catalog's kinds, then the
//! users (id, name, roles, `sessionsValidFrom`), groups (id, name, members,
//! roles), roles (id, name, built-in flag, description, optional permission
//! names, "put its users offline" flag), projects (id, name, description,
//! users, groups, objects, and each member given roles within it: 0 and a
//! user id or 1 and a group id, then the roles) and objects (id, the index
//! of its kind in the list of kinds, name), each list in id order as in the
//! document; then three lists, each its count first (0 when empty): the
//! ends of grants (DOMAIN rule 24: the holder, 0 and a user id or 1 and a
//! group id, the role, the project (optional), the end in seconds), in the
//! document's order; the objects' references (DOMAIN rule 26: for each
//! object that uses others, in id order, its id and the ids it uses); and
//! the duty constraints (DOMAIN rule 25), in their order: for each side, 0
//! and the permission's names, or 1 and the role's id. Last, when the
//! document has one, the chain ([`Document::chain`]): the byte 1 and its
//! 32 bytes (a checkpoint written by 0.3.0 ends before it).
//!
//! Canonical like the document: a number in more bytes than it needs, a
//! flag other than 0 or 1, kinds other than the catalog's in its order, an
//! object listed among the references out of order or using none, or bytes
//! past the end are refused, so a checkpoint that loads is written back
//! byte for byte (with the same catalog version: as in a document, an
//! older version's permission names and kinds load and are written back as
//! this version has them).

mod read;

use super::Document;
use crate::catalog::Set;
use crate::{Company, Error, Limits, PermissionFlags, Principal};

/// The first bytes of every checkpoint.
const MAGIC: &[u8; 8] = b"callgate";

impl<P: PermissionFlags> Company<P> {
    /// The company's checkpoint: its [document](Company::to_document) in a
    /// compact, canonical binary form, for [`Company::load_checkpoint`].
    ///
    /// A host that loads companies on demand keeps one next to the JSON
    /// document (or instead of it): it loads in about half the time,
    /// through the same checks. See "Storing changes" in the README for the
    /// document itself, which stays the interchange format.
    ///
    /// # Example: store a checkpoint and load it back
    ///
    /// ```
    /// use callgate::{Company, Permissions, Resource};
    ///
    /// let mut company = Company::new();
    /// let ann = company.create_user("ann")?;
    /// let checkpoint: Vec<u8> = company.to_checkpoint();
    ///
    /// let loaded = Company::load_checkpoint(&checkpoint)?;
    /// assert_eq!(loaded.to_document(), company.to_document());
    /// assert_eq!(loaded.to_checkpoint(), checkpoint);
    /// assert!(loaded.check(ann, Permissions::ROLES_MANAGE, Resource::Company).is_allowed());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn to_checkpoint(&self) -> Vec<u8> {
        write(&self.to_document())
    }
}

/// Loading a checkpoint of the standard catalog: no type annotation needed.
/// A product's companies load with [`Company::load_checkpoint_for`].
impl Company {
    /// Loads a company from a checkpoint ([`Company::to_checkpoint`]),
    /// within the default [`Limits`].
    ///
    /// # Errors
    ///
    /// [`Error::Document`] with the path of the problem, as
    /// [`Company::load`]: bytes that are not a checkpoint (`checkpoint: not
    /// a callgate checkpoint`), cut short, or not in the canonical form;
    /// unknown permission or kind names; and everything
    /// [`Company::from_document`] refuses, at the same paths. Never panics,
    /// whatever the bytes, and allocates no more than they can hold.
    ///
    /// # Example: a stored checkpoint cut short
    ///
    /// ```
    /// use callgate::Company;
    ///
    /// let mut company = Company::new();
    /// company.create_user("ann")?;
    /// let checkpoint = company.to_checkpoint();
    ///
    /// let cut = &checkpoint[..checkpoint.len() - 1];
    /// let err = Company::load_checkpoint(cut).unwrap_err();
    /// assert_eq!(err.to_string(), "chain: the checkpoint ends early");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn load_checkpoint(bytes: &[u8]) -> Result<Self, Error> {
        Self::load_checkpoint_for(bytes)
    }

    /// [`Company::load_checkpoint`] with the host's `limits` as the loaded
    /// company's quota for new records; the checkpoint is read within
    /// [`limits.loading_bound()`](Limits::loading_bound), as
    /// [`Company::load_with_limits`] reads its document.
    ///
    /// # Errors
    ///
    /// Every error of [`Company::load_checkpoint`]; a checkpoint whose
    /// `nextIds` name more ids of a kind than the loading bound is refused
    /// at `nextIds`, as [`Company::load_with_limits`] refuses its document.
    pub fn load_checkpoint_with_limits(bytes: &[u8], limits: Limits) -> Result<Self, Error> {
        Self::load_checkpoint_for_with_limits(bytes, limits)
    }
}

impl<P: PermissionFlags> Company<P> {
    /// [`Company::load_checkpoint`] for a company of any catalog, `P`
    /// being the product's flags type.
    ///
    /// # Errors
    ///
    /// Every error of [`Company::load_checkpoint`].
    pub fn load_checkpoint_for(bytes: &[u8]) -> Result<Self, Error> {
        Self::load_checkpoint_for_with_limits(bytes, Limits::DEFAULT)
    }

    /// [`Company::load_checkpoint_for`] within the host's `limits`.
    ///
    /// # Errors
    ///
    /// Every error of [`Company::load_checkpoint_with_limits`].
    pub fn load_checkpoint_for_with_limits(bytes: &[u8], limits: Limits) -> Result<Self, Error> {
        crate::trace::enter_span!("load", from = "checkpoint", bytes = bytes.len());
        let loaded = read::document::<P>(bytes)
            .and_then(|document| Self::from_document_with_limits(document, limits));
        crate::trace::loaded(&loaded);
        loaded
    }
}

/// The checkpoint of `document`.
fn write<P: PermissionFlags>(document: &Document<P>) -> Vec<u8> {
    let mut out = Writer(Vec::with_capacity(64 + 24 * document.users.len()));
    out.0.extend_from_slice(MAGIC);
    out.number(u64::from(document.format));
    let catalog = document
        .catalog
        .clone()
        .unwrap_or_else(super::CatalogRef::of::<P>);
    out.text(&catalog.name);
    out.number(u64::from(catalog.version));
    out.number(document.company.map_or(0, crate::CompanyId::get));
    out.flag(document.mode == crate::SecurityMode::Enhanced);
    out.number(document.revision);
    out.optional(document.default_project.map(|p| p.get()));
    let next = document.next_ids;
    for count in [
        next.users,
        next.groups,
        next.roles,
        next.projects,
        next.objects,
    ] {
        out.number(u64::from(count));
    }
    let kinds = P::catalog().kinds();
    out.count(kinds.len());
    for kind in kinds {
        out.text(kind.name);
    }
    write_records(&mut out, document);
    write_duties(&mut out, document);
    if let Some(chain) = document.chain {
        out.flag(true);
        out.0.extend_from_slice(chain.as_bytes());
    }
    out.0
}

/// The duty constraints of `document`: their count, then 0 and the
/// permission's names, or 1 and the role's id, for each side.
fn write_duties<P: PermissionFlags>(out: &mut Writer, document: &Document<P>) {
    out.count(document.duty_constraints.len());
    for constraint in &document.duty_constraints {
        for duty in [constraint.first, constraint.second] {
            match duty {
                crate::Duty::Permission(permission) => {
                    out.flag(false);
                    out.permissions(permission);
                }
                crate::Duty::Role(role) => {
                    out.flag(true);
                    out.number(role.get().into());
                }
            }
        }
    }
}

/// The lists of records of `document`.
fn write_records<P: PermissionFlags>(out: &mut Writer, document: &Document<P>) {
    out.count(document.users.len());
    for user in &document.users {
        out.number(user.id.get().into());
        out.text(&user.name);
        out.ids(user.roles.iter().map(|r| r.get()));
        out.number(user.sessions_valid_from);
    }
    out.count(document.groups.len());
    for group in &document.groups {
        out.number(group.id.get().into());
        out.text(&group.name);
        out.ids(group.members.iter().map(|u| u.get()));
        out.ids(group.roles.iter().map(|r| r.get()));
    }
    out.count(document.roles.len());
    for role in &document.roles {
        out.number(role.id.get().into());
        out.text(&role.name);
        out.flag(role.builtin);
        out.text(&role.description);
        out.flag(role.permissions.is_some());
        if let Some(permissions) = role.permissions {
            out.permissions(permissions);
        }
        out.flag(role.put_users_offline);
    }
    out.count(document.projects.len());
    for project in &document.projects {
        out.number(project.id.get().into());
        out.text(&project.name);
        out.text(&project.description);
        out.ids(project.users.iter().map(|u| u.get()));
        out.ids(project.groups.iter().map(|g| g.get()));
        out.ids(project.objects.iter().map(|o| o.get()));
        out.count(project.member_roles.len());
        for given in &project.member_roles {
            out.member(given.member);
            out.ids(given.roles.iter().map(|r| r.get()));
        }
    }
    out.count(document.objects.len());
    for object in &document.objects {
        out.number(object.id.get().into());
        out.count(<P::Kind as crate::catalog::Kind>::index(object.kind));
        out.text(&object.name);
    }
    out.count(document.grant_ends.len());
    for end in &document.grant_ends {
        out.member(end.principal);
        out.number(end.role.get().into());
        out.optional(end.project.map(|p| p.get()));
        out.number(end.until.unix_seconds());
    }
    let using = || document.objects.iter().filter(|o| !o.uses.is_empty());
    out.count(using().count());
    for object in using() {
        out.number(object.id.get().into());
        out.ids(object.uses.iter().map(|o| o.get()));
    }
}

/// Appends the parts of a checkpoint.
struct Writer(Vec<u8>);

impl Writer {
    /// A LEB128 varint, in as few bytes as it takes.
    fn number(&mut self, mut value: u64) {
        while value >= 0x80 {
            self.0.push((value as u8) | 0x80);
            value >>= 7;
        }
        self.0.push(value as u8);
    }

    fn count(&mut self, count: usize) {
        self.number(count as u64);
    }

    fn flag(&mut self, flag: bool) {
        self.0.push(u8::from(flag));
    }

    fn text(&mut self, text: &str) {
        self.count(text.len());
        self.0.extend_from_slice(text.as_bytes());
    }

    fn optional(&mut self, value: Option<u32>) {
        self.flag(value.is_some());
        if let Some(value) = value {
            self.number(value.into());
        }
    }

    /// A user (0 and its id) or a group (1 and its id).
    fn member(&mut self, member: Principal) {
        match member {
            Principal::User(user) => (self.flag(false), self.number(user.get().into())),
            Principal::Group(group) => (self.flag(true), self.number(group.get().into())),
        };
    }

    /// The names of the minimal entries of `permissions`.
    fn permissions<P: PermissionFlags>(&mut self, permissions: P) {
        let catalog = P::catalog();
        let bits = permissions.bits128();
        self.count(catalog.minimal(bits).count());
        for permission in catalog.minimal(bits) {
            self.text(permission.name());
        }
    }

    fn ids(&mut self, ids: impl ExactSizeIterator<Item = u32>) {
        self.count(ids.len());
        for id in ids {
            self.number(id.into());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::write;
    use crate::{Company, Document, Permissions, RoleId};

    /// A checkpoint of a document that does not load is refused with the
    /// document's own error, path included: the same checks run.
    #[test]
    fn a_checkpoint_is_refused_where_its_document_is() -> Result<(), crate::Error> {
        let mut company = Company::new();
        company.create_user("ann")?;
        company.create_user("bob")?;
        let valid = company.to_document();
        let edits: [fn(&mut Document); 8] = [
            |d| d.users[1].name = "ann".into(),
            // Bob holds both roles of a constraint (DOMAIN rule 25).
            |d| {
                d.users[1].roles = vec![RoleId::SUPERVISOR, RoleId::OPERATOR];
                d.duty_constraints.push(crate::DutyConstraint::new(
                    crate::Duty::Role(RoleId::SUPERVISOR),
                    crate::Duty::Role(RoleId::OPERATOR),
                ));
            },
            |d| {
                d.duty_constraints.push(crate::DutyConstraint::new(
                    crate::Duty::Role(RoleId::new(9)),
                    crate::Duty::Permission(Permissions::BILLING_VIEW),
                ));
            },
            |d| d.users.swap(0, 1),
            |d| d.users[1].roles.push(RoleId::new(9)),
            |d| drop(d.roles.remove(1)),
            |d| d.next_ids.users = 1,
            |d| d.users[0].roles.clear(),
        ];
        for edit in edits {
            let mut document = valid.clone();
            edit(&mut document);
            let from_document = Company::from_document(document.clone()).map(drop);
            let from_checkpoint = Company::<Permissions>::load_checkpoint(&write(&document));
            let (Err(expected), Err(found)) = (from_document, from_checkpoint) else {
                panic!("both refused");
            };
            assert_eq!(found.to_string(), expected.to_string());
        }
        Ok(())
    }
}
