//! Planning changes to users and groups.

use super::delta::{Delta, Edit, NewRecord, Removed};
use super::{Removal, distinct};
use crate::company::Company;
use crate::company::links::Link;
use crate::company::validate::last_admin;
use crate::{
    EntityKind, Error, Group, GroupId, PermissionFlags, Principal, ProjectId, RoleId, User, UserId,
};

impl<P: PermissionFlags> Company<P> {
    pub(super) fn plan_create_user(
        &self,
        name: &str,
        roles: &[RoleId],
        groups: &[GroupId],
        projects: &[ProjectId],
    ) -> Result<Delta<P>, Error> {
        self.new_name(EntityKind::User, name)?;
        self.check_roles(roles)?;
        self.check_groups(groups)?;
        self.check_projects(projects)?;
        let id = UserId::new(self.next_id(EntityKind::User)?);
        // DOMAIN rule 3: the first user of a company gets Admin.
        let first = self.user_names.len() == 0;
        let admin = first.then_some(RoleId::ADMIN);
        let roles: Vec<RoleId> = admin.into_iter().chain(roles.iter().copied()).collect();
        let mut delta = Delta {
            create: Some(NewRecord::User(id, User::new(name))),
            ..Delta::default()
        };
        for role in distinct(&roles) {
            delta.links.push((Link::UserRole(id, role), true));
        }
        for group in distinct(groups) {
            delta.links.push((Link::GroupMember(group, id), true));
        }
        for project in distinct(projects) {
            delta.links.push((Link::UserProject(id, project), true));
        }
        Ok(delta)
    }

    pub(super) fn plan_rename_user(&self, user: UserId, name: String) -> Result<Delta<P>, Error> {
        self.live_user(user)?;
        self.rename_check(EntityKind::User, &name, self.user_by_name(&name), user)?;
        Ok(Delta {
            edits: vec![Edit::RenameUser(user, name)],
            ..Delta::default()
        })
    }

    pub(super) fn plan_delete_user(&self, user: UserId) -> Result<Delta<P>, Error> {
        let name = &self.live_user(user)?.name;
        if !self.admin_remains(&Removal::User(user)) {
            return Err(last_admin(format!("deleting user `{name}`")));
        }
        let mut delta = Delta {
            delete: Some(Removed::User(user)),
            ..Delta::default()
        };
        delta.unlink_all(self.user_links(user));
        Ok(delta)
    }

    pub(super) fn plan_create_group(
        &self,
        name: &str,
        members: &[UserId],
    ) -> Result<Delta<P>, Error> {
        self.new_name(EntityKind::Group, name)?;
        self.check_users(members)?;
        let id = GroupId::new(self.next_id(EntityKind::Group)?);
        let mut delta = Delta {
            create: Some(NewRecord::Group(id, Group::new(name))),
            ..Delta::default()
        };
        for user in distinct(members) {
            delta.links.push((Link::GroupMember(id, user), true));
        }
        Ok(delta)
    }

    pub(super) fn plan_rename_group(
        &self,
        group: GroupId,
        name: String,
    ) -> Result<Delta<P>, Error> {
        self.live_group(group)?;
        self.rename_check(EntityKind::Group, &name, self.group_by_name(&name), group)?;
        Ok(Delta {
            edits: vec![Edit::RenameGroup(group, name)],
            ..Delta::default()
        })
    }

    pub(super) fn plan_delete_group(&self, group: GroupId) -> Result<Delta<P>, Error> {
        let name = &self.live_group(group)?.name;
        if !self.admin_remains(&Removal::Group(group)) {
            return Err(last_admin(format!("deleting group `{name}`")));
        }
        let mut delta = Delta {
            delete: Some(Removed::Group(group)),
            ..Delta::default()
        };
        delta.unlink_all(self.group_links(group));
        Ok(delta)
    }

    pub(super) fn plan_group_members(
        &self,
        group: GroupId,
        users: &[UserId],
        present: bool,
    ) -> Result<Delta<P>, Error> {
        let name = &self.live_group(group)?.name;
        self.check_users(users)?;
        if !present && !self.admin_remains(&Removal::Members(group, users)) {
            let users: Vec<Principal> = users.iter().map(|&u| u.into()).collect();
            return Err(last_admin(format!(
                "removing {} from group `{name}`",
                self.describe_principals(&users)
            )));
        }
        let mut delta = Delta::default();
        for user in distinct(users) {
            delta.link(self, Link::GroupMember(group, user), present);
        }
        Ok(delta)
    }
}
