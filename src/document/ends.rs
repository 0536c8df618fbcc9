//! The stored ends of grants (DOMAIN rule 24): [`GrantEndRecord`], written
//! in [`Document::grant_ends`](super::Document::grant_ends) and checked when a document loads.

use serde::{Deserialize, Serialize};

use super::load::document_error;
use crate::company::ends::link_of;
use crate::{
    Assignment, Company, EntityKind, Error, PermissionFlags, Principal, ProjectId, RoleId,
    Timestamp,
};

/// When one grant ends: a role given to a user or group, company-wide or
/// within a project, until a time
/// ([`Change::AssignRoleUntil`](crate::Change::AssignRoleUntil)).
///
/// Made with [`GrantEndRecord::new`]; `#[non_exhaustive]`, so a later
/// format can add a field. In a document, the list is sorted by grant
/// (the order of [`Assignment`]: users before groups, then by id, role
/// and project, company-wide first), each grant once, and each names a
/// grant the document gives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    rename_all = "camelCase",
    deny_unknown_fields,
    expecting = "a grant's end"
)]
#[non_exhaustive]
pub struct GrantEndRecord {
    /// The user or group holding the role.
    pub principal: Principal,
    /// The role.
    pub role: RoleId,
    /// The project within which the role was given; absent for a
    /// company-wide grant.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "super::canonical::present"
    )]
    pub project: Option<ProjectId>,
    /// When the grant ends, in seconds since the Unix epoch.
    pub until: Timestamp,
}

impl GrantEndRecord {
    /// The end of `grant` at `until`.
    #[must_use]
    pub fn new(grant: Assignment, until: Timestamp) -> Self {
        Self {
            principal: grant.principal,
            role: grant.role,
            project: grant.project,
            until,
        }
    }

    /// The grant that ends.
    #[must_use]
    pub fn grant(&self) -> Assignment {
        Assignment {
            principal: self.principal,
            role: self.role,
            project: self.project,
        }
    }
}

impl<P: PermissionFlags> Company<P> {
    /// The stored ends of the company's grants, in the document's order.
    pub(super) fn grant_ends_record(&self) -> Vec<GrantEndRecord> {
        self.ends
            .by_grant()
            .map(|(grant, until)| GrantEndRecord::new(grant, until))
            .collect()
    }

    /// Sets the ends `records` give, each checked against the grants the
    /// company (just built from the same document) holds: sorted by grant,
    /// each once, each naming a grant that is given.
    pub(super) fn load_grant_ends(&mut self, records: &[GrantEndRecord]) -> Result<(), Error> {
        let mut previous: Option<Assignment> = None;
        for (index, record) in records.iter().enumerate() {
            let path = format!("grantEnds[{index}]");
            let grant = record.grant();
            if previous.is_some_and(|previous| previous >= grant) {
                return Err(document_error(
                    path,
                    "grant ends are listed once each, sorted by user or group, role and project",
                ));
            }
            previous = Some(grant);
            if !self.linked(link_of(grant)) {
                return Err(document_error(path, self.not_given(grant)));
            }
            self.ends.set(grant, Some(record.until));
        }
        Ok(())
    }

    /// Why an end names a grant that is not there.
    fn not_given(&self, grant: Assignment) -> String {
        let (kind, id, known) = match grant.principal {
            Principal::User(user) => (EntityKind::User, user.get(), self.user(user).is_some()),
            Principal::Group(group) => {
                (EntityKind::Group, group.get(), self.group(group).is_some())
            }
        };
        if !known {
            return format!("unknown {kind} id `{id}`");
        }
        if self.role(grant.role).is_none() {
            return format!("unknown role id `{}`", grant.role);
        }
        let within = match grant.project {
            Some(project) if self.project(project).is_none() => {
                return format!("unknown project id `{project}`");
            }
            Some(project) => format!(" within project `{project}`"),
            None => " company-wide".to_owned(),
        };
        format!(
            "{kind} `{id}` does not hold role `{}`{within}: only a grant that is given can end",
            grant.role
        )
    }
}
