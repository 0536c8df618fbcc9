//! Constructors of the document and its records, for hosts that build
//! documents themselves: each takes what a record cannot do without and
//! leaves the rest empty, to be set field by field.

use super::{
    CatalogRef, Document, FORMAT_VERSION, GroupRecord, MemberRoles, NextIds, ObjectRecord,
    ProjectRecord, RoleRecord, UserRecord,
};
use crate::{
    BuiltinRole, GroupId, ObjectId, PermissionFlags, Principal, ProjectId, RoleId, SecurityMode,
    UserId,
};

impl Document {
    /// The document of a new company of the standard catalog: what
    /// [`Company::new`](crate::Company::new) writes. Format
    /// [`FORMAT_VERSION`], simple mode, revision 0, the three built-in roles
    /// and nothing else.
    ///
    /// For a product's catalog, [`Document::with_catalog`].
    ///
    /// # Example: a document built by hand
    ///
    /// ```
    /// use callgate::{Company, Document, Permissions, Resource, RoleId, UserId, UserRecord};
    ///
    /// let mut document = Document::new();
    /// let new = Company::from_document(document.clone())?;
    /// assert_eq!(document, new.to_document());
    /// assert_eq!(document.company, Some(new.id()));
    ///
    /// let mut ann = UserRecord::new(UserId::new(0), "ann");
    /// ann.roles = vec![RoleId::ADMIN];
    /// document.users.push(ann);
    /// document.next_ids.users = 1;
    /// document.revision = 1;
    ///
    /// let company = Company::from_document(document)?;
    /// let ann = company.user_by_name("ann").unwrap();
    /// assert!(company.check(ann, Permissions::ROLES_MANAGE, Resource::Company).is_allowed());
    /// # Ok::<(), callgate::Error>(())
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Self::with_catalog()
    }
}

impl<P: PermissionFlags> Default for Document<P> {
    /// [`Document::with_catalog`].
    fn default() -> Self {
        Self::with_catalog()
    }
}

impl<P: PermissionFlags> Document<P> {
    /// The document of a new company of `P`'s catalog, with a random
    /// [company id](Document::company): what
    /// [`Company::with_catalog`](crate::Company::with_catalog) writes.
    #[must_use]
    pub fn with_catalog() -> Self {
        let next_ids = NextIds {
            roles: count(BuiltinRole::ALL.len()),
            ..NextIds::default()
        };
        Self {
            format: FORMAT_VERSION,
            catalog: Some(CatalogRef::of::<P>()),
            company: Some(crate::CompanyId::random()),
            mode: SecurityMode::Simple,
            revision: 0,
            chain: None,
            default_project: None,
            next_ids,
            users: Vec::new(),
            groups: Vec::new(),
            roles: BuiltinRole::ALL.map(RoleRecord::builtin).into(),
            projects: Vec::new(),
            objects: Vec::new(),
            grant_ends: Vec::new(),
            duty_constraints: Vec::new(),
        }
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl UserRecord {
    /// A user with no roles, whose sessions were never ended
    /// (`sessions_valid_from` 0).
    ///
    /// ```
    /// use callgate::{RoleId, UserId, UserRecord};
    ///
    /// let mut ann = UserRecord::new(UserId::new(0), "ann");
    /// ann.roles = vec![RoleId::ADMIN];
    /// assert_eq!(ann.sessions_valid_from, 0);
    /// ```
    #[must_use]
    pub fn new(id: UserId, name: impl Into<String>) -> Self {
        Self {
            id,
            name: name.into(),
            roles: Vec::new(),
            sessions_valid_from: 0,
        }
    }
}

impl GroupRecord {
    /// A group with no members and no roles.
    #[must_use]
    pub fn new(id: GroupId, name: impl Into<String>) -> Self {
        Self {
            id,
            name: name.into(),
            members: Vec::new(),
            roles: Vec::new(),
        }
    }
}

impl<P: PermissionFlags> RoleRecord<P> {
    /// A custom role with `permissions`, no description, that does not put
    /// its users offline.
    ///
    /// ```
    /// use callgate::{BuiltinRole, Permissions, RoleId, RoleRecord};
    ///
    /// let mut qa = RoleRecord::new(RoleId::new(3), "QA", Permissions::QA_CHECKS_VIEW);
    /// qa.description = "Listens to calls".into();
    /// assert!(!qa.builtin);
    ///
    /// let admin: RoleRecord = RoleRecord::builtin(BuiltinRole::Admin);
    /// assert_eq!((admin.id, admin.name.as_str()), (RoleId::ADMIN, "Admin"));
    /// ```
    #[must_use]
    pub fn new(id: RoleId, name: impl Into<String>, permissions: P) -> Self {
        Self {
            id,
            name: name.into(),
            builtin: false,
            description: String::new(),
            permissions: Some(permissions),
            put_users_offline: false,
        }
    }

    /// A built-in role as it is stored: its id, its name and
    /// `"builtin": true` (its permissions come from the code).
    #[must_use]
    pub fn builtin(role: BuiltinRole) -> Self {
        Self {
            id: role.id(),
            name: role.name().to_owned(),
            builtin: true,
            description: String::new(),
            permissions: None,
            put_users_offline: false,
        }
    }
}

impl ProjectRecord {
    /// A project with no description, no members, no objects and no roles
    /// given within it.
    ///
    /// # Example: a project whose member holds a role within it
    ///
    /// ```
    /// use callgate::{
    ///     Company, Document, MemberRoles, Permissions, ProjectId, ProjectRecord, Resource,
    ///     RoleId, UserId, UserRecord,
    /// };
    ///
    /// let (ann, sam) = (UserId::new(0), UserId::new(1));
    /// let mut document = Document::new();
    /// let mut admin = UserRecord::new(ann, "ann");
    /// admin.roles = vec![RoleId::ADMIN];
    /// document.users = vec![admin, UserRecord::new(sam, "sam")];
    /// let mut acme = ProjectRecord::new(ProjectId::new(0), "Acme Bank");
    /// acme.users = vec![sam];
    /// acme.member_roles = vec![MemberRoles::new(sam, vec![RoleId::SUPERVISOR])];
    /// document.projects.push(acme);
    /// document.next_ids.users = 2;
    /// document.next_ids.projects = 1;
    /// document.revision = 4; // two users, a project, a role given within it
    ///
    /// let company = Company::from_document(document)?;
    /// let project = Resource::Project(ProjectId::new(0));
    /// assert!(company.check(sam, Permissions::PROJECTS_MANAGE, project).is_allowed());
    /// assert!(!company.check(sam, Permissions::PROJECTS_MANAGE, Resource::Company).is_allowed());
    /// # Ok::<(), callgate::Error>(())
    /// ```
    #[must_use]
    pub fn new(id: ProjectId, name: impl Into<String>) -> Self {
        Self {
            id,
            name: name.into(),
            description: String::new(),
            users: Vec::new(),
            groups: Vec::new(),
            objects: Vec::new(),
            member_roles: Vec::new(),
        }
    }
}

impl MemberRoles {
    /// The roles given to `member` (a user or a group) within a project;
    /// `roles` sorted.
    #[must_use]
    pub fn new(member: impl Into<Principal>, roles: Vec<RoleId>) -> Self {
        Self {
            member: member.into(),
            roles,
        }
    }
}

impl<P: PermissionFlags> ObjectRecord<P> {
    /// An object of `kind`.
    ///
    /// Outside a document the catalog may need naming:
    /// `ObjectRecord::<Permissions>::new(...)`, or a typed binding.
    ///
    /// ```
    /// use callgate::{ObjectId, ObjectKind, ObjectRecord};
    ///
    /// let queue: ObjectRecord = ObjectRecord::new(ObjectId::new(0), ObjectKind::Queue, "Inbound");
    /// assert_eq!(queue.kind, ObjectKind::Queue);
    /// ```
    #[must_use]
    pub fn new(id: ObjectId, kind: P::Kind, name: impl Into<String>) -> Self {
        Self {
            id,
            kind,
            name: name.into(),
            uses: Vec::new(),
        }
    }
}
