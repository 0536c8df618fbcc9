//! Planning changes to roles: creating, editing and deleting them, giving
//! and taking them, and section switches.

use super::delta::{Delta, Edit, NewRecord, Removed};
use super::{Removal, distinct};
use crate::catalog::Set;
use crate::company::Company;
use crate::company::links::Link;
use crate::company::validate::{last_admin, single};
use crate::short_set::ManySet;
use crate::{EntityKind, Error, PermissionFlags, Principal, Role, RoleId};

/// The fields of [`Change::EditRole`](crate::Change::EditRole).
pub(super) struct RoleEdit<P> {
    pub(super) name: Option<String>,
    pub(super) description: Option<String>,
    pub(super) permissions: Option<P>,
    pub(super) put_users_offline: Option<bool>,
}

impl<P: PermissionFlags> Company<P> {
    pub(super) fn plan_create_role(
        &self,
        name: &str,
        description: String,
        permissions: P,
        principals: &[Principal],
        put_users_offline: bool,
    ) -> Result<Delta<P>, Error> {
        self.new_name(EntityKind::Role, name)?;
        self.check_principals(principals)?;
        let id = RoleId::new(self.next_id(EntityKind::Role)?);
        let role = Role {
            name: name.into(),
            description,
            permissions: permissions.close(),
            builtin: None,
            put_users_offline,
            users: ManySet::new(),
            groups: ManySet::new(),
            project_users: ManySet::new(),
            project_groups: ManySet::new(),
        };
        let mut delta = Delta {
            create: Some(NewRecord::Role(id, role)),
            saved_role: Some(id),
            ..Delta::default()
        };
        for principal in distinct(principals) {
            delta.links.push((Link::role(principal, id), true));
        }
        Ok(delta)
    }

    pub(super) fn plan_edit_role(
        &self,
        role: RoleId,
        edit: RoleEdit<P>,
    ) -> Result<Delta<P>, Error> {
        let only_renames = edit.name.is_some()
            && edit.description.is_none()
            && edit.permissions.is_none()
            && edit.put_users_offline.is_none();
        self.editable_role(role, if only_renames { "renamed" } else { "edited" })?;
        if let Some(name) = &edit.name {
            self.rename_check(EntityKind::Role, name, self.role_by_name(name), role)?;
        }
        if let Some(permissions) = edit.permissions {
            self.check_role_stays_within(role, permissions.close())?;
        }
        let mut delta = Delta {
            saved_role: Some(role),
            ..Delta::default()
        };
        delta
            .edits
            .extend(edit.name.map(|name| Edit::RenameRole(role, name)));
        delta.edits.extend(
            edit.description
                .map(|description| Edit::RoleDescription(role, description)),
        );
        delta.edits.extend(
            edit.permissions
                .map(|permissions| Edit::RolePermissions(role, permissions.close())),
        );
        delta.edits.extend(
            edit.put_users_offline
                .map(|offline| Edit::RoleOffline(role, offline)),
        );
        Ok(delta)
    }

    pub(super) fn plan_delete_role(&self, role: RoleId) -> Result<Delta<P>, Error> {
        self.editable_role(role, "deleted")?;
        let mut delta = Delta {
            delete: Some(Removed::Role(role)),
            saved_role: Some(role),
            ..Delta::default()
        };
        delta.unlink_all(self.role_links(role));
        delta.duties = self.duties_without_role(role);
        Ok(delta)
    }

    pub(super) fn plan_assignment(
        &self,
        role: RoleId,
        principals: &[Principal],
        present: bool,
    ) -> Result<Delta<P>, Error> {
        self.live_role(role)?;
        self.check_principals(principals)?;
        if !present && role == RoleId::ADMIN && !self.admin_remains(&Removal::Unassign(principals))
        {
            return Err(last_admin(format!(
                "taking the Admin role from {}",
                self.describe_principals(principals)
            )));
        }
        let mut delta = Delta {
            saved_role: Some(role),
            ..Delta::default()
        };
        for principal in distinct(principals) {
            delta.link(self, Link::role(principal, role), present);
        }
        Ok(delta)
    }

    pub(super) fn plan_section_access(
        &self,
        role: RoleId,
        permission: P,
        allowed: bool,
    ) -> Result<Delta<P>, Error> {
        let record = self.editable_role(role, "edited")?;
        single(permission)?;
        let permissions = if allowed {
            record.permissions.or(permission).close()
        } else {
            record.permissions.take_away(permission)
        };
        self.check_role_stays_within(role, permissions)?;
        Ok(Delta {
            edits: vec![Edit::RolePermissions(role, permissions)],
            saved_role: Some(role),
            ..Delta::default()
        })
    }
}
