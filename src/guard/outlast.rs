//! No escalation through an end (DOMAIN rules 24 and -): whoever holds a
//! role only until a time hands out nothing that lasts longer.
//!
//! A grant the actor holds until `T` counts for a grant they give until a
//! time at or before `T`; a grant they give without an end (a role, a
//! role's new permissions, a group that carries roles) counts only their
//! grants without an end. Otherwise a supervisor covering for a week could
//! give themselves, or a friend, the role for good.

use crate::catalog::Set;
use crate::{
    Assignment, Change, Company, PermissionFlags, Principal, ProjectId, Timestamp, UserId,
};

impl<P: PermissionFlags> Company<P> {
    /// What of `granted`, handed out by `change`, the actor behind
    /// `user` does not hold for as long as the change gives it: empty
    /// when they do (and at once when no grant has an end).
    pub(super) fn outlasting(&self, user: UserId, change: &Change<P>, granted: P) -> P {
        // A shortcut only: without ends every grant lasts, and what the
        // actor holds covers `granted` already (checked before).
        if self.ends.len() == 0 || granted.empty_set() {
            return P::none();
        }
        let (until, project) = match change {
            Change::AssignRoleUntil { until, .. } => (Some(*until), None),
            Change::AssignProjectRoleUntil { until, project, .. } => (Some(*until), Some(*project)),
            Change::AssignProjectRole { project, .. }
            | Change::AddProjectMembers { project, .. } => (None, Some(*project)),
            _ => (None, None),
        };
        granted.minus(self.held_through(user, until, project))
    }

    /// The permissions `user` holds through grants that last through
    /// `until` (`None`: grants without an end), company-wide, plus within
    /// `project`.
    fn held_through(
        &self,
        user: UserId,
        until: Option<Timestamp>,
        project: Option<ProjectId>,
    ) -> P {
        let lasts = |grant: Assignment| match (self.ends.get(&grant), until) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(end), Some(until)) => end >= until,
        };
        let Some(record) = self.user(user) else {
            return P::none();
        };
        let permissions = |role| self.role(role).map_or(P::none(), |r| r.permissions());
        let mut held = P::none();
        let mut count = |holder: Principal, role, within: Option<ProjectId>| {
            let grant = Assignment {
                principal: holder,
                role,
                project: within,
            };
            if lasts(grant) {
                held = held.or(permissions(role));
            }
        };
        let me = Principal::User(user);
        record.roles().for_each(|role| count(me, role, None));
        let within = |p: &ProjectId| Some(*p) == project;
        for (p, role) in record.project_roles().filter(|(p, _)| within(p)) {
            count(me, role, Some(p));
        }
        for (id, group) in record.groups().filter_map(|g| Some((g, self.group(g)?))) {
            let holder = Principal::Group(id);
            group.roles().for_each(|role| count(holder, role, None));
            for (p, role) in group.project_roles().filter(|(p, _)| within(p)) {
                count(holder, role, Some(p));
            }
        }
        held
    }
}
