//! Planning the ends of grants (DOMAIN rule 24): giving a role until a
//! time, making a grant lasting again, and ending the grants that are due.

use super::delta::Delta;
use super::distinct;
use crate::company::Company;
use crate::company::ends::link_of;
use crate::{Assignment, Error, PermissionFlags, Principal, ProjectId, RoleId, Timestamp};

impl<P: PermissionFlags> Company<P> {
    /// Notes in `delta`, which gives `role` to `principals` (within
    /// `project`, if any), that the grants end at `until` (`None`: never),
    /// for each grant whose end that changes.
    pub(super) fn set_ends(
        &self,
        mut delta: Delta<P>,
        project: Option<ProjectId>,
        roles: &[RoleId],
        principals: &[Principal],
        until: Option<Timestamp>,
    ) -> Delta<P> {
        if until.is_none() && self.ends.len() == 0 {
            return delta;
        }
        for principal in distinct(principals) {
            for role in distinct(roles) {
                let grant = Assignment {
                    principal,
                    role,
                    project,
                };
                if self.ends.get(&grant) != until {
                    delta.ends.push((grant, until));
                }
            }
        }
        delta
    }

    /// Gives `role` to `principals` until `until`: as `AssignRole`, but
    /// never Admin, which is given without an end so that no expiry can
    /// take the last Admin away (the rule against lock-out).
    pub(super) fn plan_assignment_until(
        &self,
        role: RoleId,
        principals: &[Principal],
        until: Timestamp,
    ) -> Result<Delta<P>, Error> {
        if role == RoleId::ADMIN {
            return Err(Error::BuiltinRole {
                role: crate::BuiltinRole::Admin.name(),
                action: "given until a time",
            });
        }
        let delta = self.plan_assignment(role, principals, true)?;
        Ok(self.set_ends(delta, None, &[role], principals, Some(until)))
    }

    /// Takes away every grant whose end is at or before `now`. The users
    /// an ended grant of a role with "put its users offline" reached lose
    /// their sessions (rule 23).
    pub(super) fn plan_expire(&self, now: Timestamp) -> Result<Delta<P>, Error> {
        let mut delta = Delta::default();
        for grant in self.ends.due(now) {
            delta.links.push((link_of(grant), false));
            if self
                .role(grant.role)
                .is_some_and(|role| role.put_users_offline)
            {
                delta
                    .offline
                    .extend(self.users_of_principal(grant.principal));
            }
        }
        Ok(delta)
    }
}
