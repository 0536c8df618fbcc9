//! DOMAIN 24 in the model: grants given until a time, and the change that
//! says what time it is. Plain code over the model's own sets.

use std::collections::BTreeSet;

use callgate::{Change, Principal, ProjectId, RoleId, Timestamp, UserId};

use super::{Model, ModelFlags, Refusal};

/// The change as if it gave its roles without an end: every check of the
/// model (unknown ids, members, guards) reads the lasting form.
pub(crate) fn lasting<P: ModelFlags>(change: &Change<P>) -> Change<P> {
    match change {
        Change::AssignRoleUntil {
            role, principals, ..
        } => Change::AssignRole {
            role: *role,
            principals: principals.clone(),
        },
        Change::AssignProjectRoleUntil {
            project,
            role,
            principals,
            ..
        } => Change::AssignProjectRole {
            project: *project,
            role: *role,
            principals: principals.clone(),
        },
        other => other.clone(),
    }
}

impl<P: ModelFlags> Model<P> {
    /// Whether the grant is given: `role` held by `holder`, company-wide or
    /// within `project`.
    pub(crate) fn grant_given(
        &self,
        (holder, role, project): (Principal, RoleId, Option<ProjectId>),
    ) -> bool {
        match (holder, project) {
            (Principal::User(u), None) => self.user_roles.contains(&(u, role)),
            (Principal::Group(g), None) => self.group_roles.contains(&(g, role)),
            (Principal::User(u), Some(p)) => self.user_project_roles.contains(&(u, p, role)),
            (Principal::Group(g), Some(p)) => self.group_project_roles.contains(&(g, p, role)),
        }
    }

    /// The users a grant's holder stands for.
    fn reached_by(&self, holder: Principal) -> BTreeSet<UserId> {
        match holder {
            Principal::User(u) => BTreeSet::from([u]),
            Principal::Group(g) => super::rights(&self.members, g),
        }
    }

    /// DOMAIN 24: takes away every grant whose end is at or before `now`
    /// (the host's clock: the model keeps none). Returns the users whose
    /// sessions end: those an ended grant of a role that puts its users
    /// offline reached.
    pub(crate) fn expire(&mut self, now: Timestamp) -> BTreeSet<UserId> {
        let due: Vec<_> = (self.ends.iter())
            .filter(|&(_, &end)| end <= now)
            .map(|(&grant, _)| grant)
            .collect();
        let mut offline = BTreeSet::new();
        for (holder, role, project) in due {
            if self.roles.get(&role).is_some_and(|r| r.put_users_offline) {
                offline.extend(self.reached_by(holder));
            }
            match (holder, project) {
                (Principal::User(u), None) => self.user_roles.remove(&(u, role)),
                (Principal::Group(g), None) => self.group_roles.remove(&(g, role)),
                (Principal::User(u), Some(p)) => self.user_project_roles.remove(&(u, p, role)),
                (Principal::Group(g), Some(p)) => self.group_project_roles.remove(&(g, p, role)),
            };
        }
        offline
    }

    /// DOMAIN 24, after `change` made its edits: the grants it gives
    /// lasting lose their end, those it gives until a time get that end
    /// (never Admin's: the last Admin must not expire), and a grant taken
    /// away, however, leaves no end behind.
    pub(crate) fn keep_ends(&mut self, change: &Change<P>, refused: &mut Vec<Refusal>) {
        let set = |model: &mut Self, project, roles: &[RoleId], principals: &[Principal], end| {
            for &holder in principals {
                for &role in roles {
                    match end {
                        Some(end) => model.ends.insert((holder, role, project), end),
                        None => model.ends.remove(&(holder, role, project)),
                    };
                }
            }
        };
        match change {
            Change::AssignRole { role, principals } => set(self, None, &[*role], principals, None),
            Change::AssignRoleUntil {
                role,
                principals,
                until,
            } => {
                if *role == RoleId::ADMIN {
                    refused.push(Refusal::BuiltinRole("Admin"));
                }
                set(self, None, &[*role], principals, Some(*until));
            }
            Change::AssignProjectRole {
                project,
                role,
                principals,
            } => set(self, Some(*project), &[*role], principals, None),
            Change::AssignProjectRoleUntil {
                project,
                role,
                principals,
                until,
            } => set(self, Some(*project), &[*role], principals, Some(*until)),
            Change::AddProjectMembers {
                project,
                principals,
                roles,
            } => set(self, Some(*project), roles, principals, None),
            _ => {}
        }
        let ends = std::mem::take(&mut self.ends);
        self.ends = ends
            .into_iter()
            .filter(|&(grant, _)| self.grant_given(grant))
            .collect();
    }

    /// When the next grant ends.
    pub(crate) fn next_expiry(&self) -> Option<Timestamp> {
        self.ends.values().min().copied()
    }
}

impl<P: ModelFlags> Model<P> {
    /// DOMAIN 24 with the rule against escalation: what `change` (as
    /// given, `original`; its lasting form, `lasting`) hands out that
    /// `user` does not hold for as long. A grant of theirs that ends counts
    /// only for grants given until a time at or before its end; what lasts
    /// needs grants of theirs that last.
    pub(crate) fn outlasting(
        &self,
        user: UserId,
        original: &Change<P>,
        lasting: &Change<P>,
    ) -> super::Names {
        let (until, project) = match original {
            Change::AssignRoleUntil { until, .. } => (Some(*until), None),
            Change::AssignProjectRoleUntil { until, project, .. } => (Some(*until), Some(*project)),
            Change::AssignProjectRole { project, .. }
            | Change::AddProjectMembers { project, .. } => (None, Some(*project)),
            _ => (None, None),
        };
        let mut granted = self.granted(lasting);
        if let Some(within) = project.and_then(|p| self.granted_within(lasting).remove(&p)) {
            granted.extend(within);
        }
        let held = self.held_through(user, until, project);
        granted.difference(&held).copied().collect()
    }

    /// What `user`'s grants that last through `until` (`None`: those
    /// without an end) give, company-wide and within `project`.
    fn held_through(
        &self,
        user: UserId,
        until: Option<Timestamp>,
        project: Option<ProjectId>,
    ) -> super::Names {
        let lasts = |key: (Principal, RoleId, Option<ProjectId>)| match (self.ends.get(&key), until)
        {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(&end), Some(until)) => end >= until,
        };
        let mut roles = BTreeSet::new();
        let me = Principal::User(user);
        for role in super::rights(&self.user_roles, user) {
            if lasts((me, role, None)) {
                roles.insert(role);
            }
        }
        for &(u, p, role) in &self.user_project_roles {
            if u == user && Some(p) == project && lasts((me, role, Some(p))) {
                roles.insert(role);
            }
        }
        for group in self.groups_of(user) {
            let holder = Principal::Group(group);
            for role in super::rights(&self.group_roles, group) {
                if lasts((holder, role, None)) {
                    roles.insert(role);
                }
            }
            for &(g, p, role) in &self.group_project_roles {
                if g == group && Some(p) == project && lasts((holder, role, Some(p))) {
                    roles.insert(role);
                }
            }
        }
        roles
            .iter()
            .filter_map(|role| self.roles.get(role))
            .flat_map(|record| record.permissions.iter().copied())
            .collect()
    }
}
