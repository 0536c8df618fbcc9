//! The ends of grants (DOMAIN rule 24): which grants end, and when.
//
// How it works
// ============
// A grant with an end is an ordinary grant (a link: company/links.rs) plus
// an entry here. The snapshot never sees the end, so `check` reads no
// clock and costs what it did: `ExpireGrants` takes the ended grants'
// links away like `UnassignRole` does, and the commit recompiles their
// users. Two persistent maps (imbl, like `ManySet`) index the ends by
// grant and by time, so a published clone shares them and a change copies
// only the paths it writes; `next` and the grants due by a time read the
// time-ordered one from its start.
//
// INVARIANT (ends): every entry names a grant that is present. The commit
// keeps it: a link taken away drops its end (`forget_removed`), whatever
// takes it (an unassignment, a member leaving a project, a deletion).

use imbl::{OrdMap, OrdSet};

use super::Company;
use super::links::Link;
use crate::{Assignment, PermissionFlags, Principal, RoleId, Timestamp};

/// The grants that end, by grant and by end.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct GrantEnds {
    by_grant: OrdMap<Assignment, Timestamp>,
    by_end: OrdSet<(Timestamp, Assignment)>,
}

impl GrantEnds {
    /// When `grant` ends, if it does.
    pub(crate) fn get(&self, grant: &Assignment) -> Option<Timestamp> {
        self.by_grant.get(grant).copied()
    }

    /// Sets when `grant` ends (`None`: never).
    pub(crate) fn set(&mut self, grant: Assignment, end: Option<Timestamp>) {
        let old = match end {
            Some(end) => {
                self.by_end.insert((end, grant));
                self.by_grant.insert(grant, end)
            }
            None => self.by_grant.remove(&grant),
        };
        if let Some(old) = old.filter(|&old| Some(old) != end) {
            self.by_end.remove(&(old, grant));
        }
    }

    /// The earliest end.
    pub(crate) fn next(&self) -> Option<Timestamp> {
        self.by_end.get_min().map(|&(end, _)| end)
    }

    /// The grants and their ends, earliest first.
    pub(crate) fn by_end(&self) -> impl Iterator<Item = (Assignment, Timestamp)> + '_ {
        self.by_end.iter().map(|&(end, grant)| (grant, end))
    }

    /// The grants and their ends in the grants' order (the document's).
    #[cfg(any(feature = "serde", test))]
    pub(crate) fn by_grant(&self) -> impl Iterator<Item = (Assignment, Timestamp)> + '_ {
        self.by_grant.iter().map(|(&grant, &end)| (grant, end))
    }

    /// The grants whose end is at or before `now`, earliest first.
    pub(crate) fn due(&self, now: Timestamp) -> impl Iterator<Item = Assignment> + '_ {
        self.by_end
            .iter()
            .take_while(move |&&(end, _)| end <= now)
            .map(|&(_, grant)| grant)
    }

    /// How many grants end.
    pub(crate) fn len(&self) -> usize {
        self.by_grant.len()
    }

    /// Drops the end of every grant `links` takes away.
    pub(crate) fn forget_removed(&mut self, links: &[(Link, bool)]) {
        if self.by_grant.is_empty() {
            return;
        }
        for &(link, present) in links {
            if let Some(grant) = assignment_of(link).filter(|_| !present) {
                self.set(grant, None);
            }
        }
    }

    /// The heap bytes of the two maps, estimated from imbl 7's B-tree
    /// nodes, at worst half full.
    pub(crate) fn heap_bytes(&self) -> usize {
        let entry = size_of::<(Timestamp, Assignment)>();
        self.len() * (entry + size_of::<Assignment>() + size_of::<Timestamp>()) * 2
    }
}

/// The grant a link is, if it is one.
pub(crate) fn assignment_of(link: Link) -> Option<Assignment> {
    Some(match link {
        Link::UserRole(user, role) => Assignment::company_wide(user, role),
        Link::GroupRole(group, role) => Assignment::company_wide(group, role),
        Link::UserProjectRole(user, project, role) => Assignment::within(project, user, role),
        Link::GroupProjectRole(group, project, role) => Assignment::within(project, group, role),
        Link::GroupMember(..)
        | Link::UserProject(..)
        | Link::GroupProject(..)
        | Link::ObjectProject(..)
        | Link::ObjectUses(..) => return None,
    })
}

/// The link a grant is.
pub(crate) fn link_of(grant: Assignment) -> Link {
    match grant.project {
        None => Link::role(grant.principal, grant.role),
        Some(project) => Link::project_role(grant.principal, project, grant.role),
    }
}

/// Grants with an end: when they end, and which end next.
impl<P: PermissionFlags> Company<P> {
    /// When `grant` ends, if it was given until a time
    /// ([`Change::AssignRoleUntil`](crate::Change::AssignRoleUntil) or
    /// [`Change::AssignProjectRoleUntil`](crate::Change::AssignProjectRoleUntil))
    /// and has not been taken away; `None` for a grant without an end and
    /// for one that is not there.
    ///
    /// # Example
    ///
    /// ```
    /// use callgate::{Assignment, Change, Company, RoleId, Timestamp};
    ///
    /// let mut company = Company::new();
    /// company.create_user("ann")?;
    /// let sam = company.create_user("sam")?;
    /// let sunday = Timestamp::from_unix_seconds(1_765_670_400);
    /// company.apply(Change::AssignRoleUntil {
    ///     role: RoleId::SUPERVISOR,
    ///     principals: vec![sam.into()],
    ///     until: sunday,
    /// })?;
    /// let cover = Assignment::company_wide(sam, RoleId::SUPERVISOR);
    /// assert_eq!(company.grant_end(cover), Some(sunday));
    /// assert_eq!(company.next_expiry(), Some(sunday));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn grant_end(&self, grant: Assignment) -> Option<Timestamp> {
        self.ends.get(&grant)
    }

    /// Every grant that ends, with its end, earliest first (grants ending
    /// at the same time in the order of [`Assignment`]).
    pub fn grant_ends(&self) -> impl Iterator<Item = (Assignment, Timestamp)> + '_ {
        self.ends.by_end()
    }

    /// The earliest end of a grant still given: the time at which the host
    /// should next apply [`Change::ExpireGrants`](crate::Change::ExpireGrants).
    /// `None` when no grant ends.
    #[must_use]
    pub fn next_expiry(&self) -> Option<Timestamp> {
        self.ends.next()
    }

    /// Every grant of `role`, with its end if it has one: users, then
    /// groups, company-wide then within projects, each in id order. What
    /// the [`Matrix`](crate::Matrix) lists under each role that has grants
    /// with an end.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownId`](crate::Error::UnknownId) for an unknown role.
    pub fn role_grants(
        &self,
        role: RoleId,
    ) -> Result<Vec<(Assignment, Option<Timestamp>)>, crate::Error> {
        let record = self.live_role(role)?;
        let users = record
            .users
            .iter()
            .map(|&user| Assignment::company_wide(user, role));
        let groups = record
            .groups
            .iter()
            .map(|&group| Assignment::company_wide(group, role));
        let users_within = (record.project_users.iter())
            .map(|&(user, project)| Assignment::within(project, user, role));
        let groups_within = (record.project_groups.iter())
            .map(|&(group, project)| Assignment::within(project, group, role));
        Ok(users
            .chain(users_within)
            .chain(groups)
            .chain(groups_within)
            .map(|grant| (grant, self.ends.get(&grant)))
            .collect())
    }

    /// The users a grant reaches: its user, or its group's members.
    pub(crate) fn users_of_principal(&self, principal: Principal) -> Vec<crate::UserId> {
        match principal {
            Principal::User(user) => vec![user],
            Principal::Group(group) => self.members_of(group).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::GrantEnds;
    use crate::{Assignment, GroupId, ProjectId, RoleId, Timestamp, UserId};

    #[test]
    fn an_end_moved_or_cleared_leaves_one_entry_per_grant() {
        let mut ends = GrantEnds::default();
        let sam = Assignment::company_wide(UserId::new(1), RoleId::SUPERVISOR);
        let team = Assignment::within(ProjectId::new(2), GroupId::new(3), RoleId::OPERATOR);
        let at = Timestamp::from_unix_seconds;
        ends.set(sam, Some(at(50)));
        ends.set(team, Some(at(20)));
        ends.set(sam, Some(at(10)));
        ends.set(sam, Some(at(10)));
        assert_eq!(ends.len(), 2);
        assert_eq!(ends.next(), Some(at(10)));
        assert_eq!(
            ends.by_end().collect::<Vec<_>>(),
            [(sam, at(10)), (team, at(20))]
        );
        assert_eq!(ends.due(at(19)).collect::<Vec<_>>(), [sam]);
        assert_eq!(ends.due(at(20)).collect::<Vec<_>>(), [sam, team]);
        ends.set(sam, None);
        ends.set(sam, None);
        assert_eq!(ends.by_end().collect::<Vec<_>>(), [(team, at(20))]);
        assert_eq!(ends.by_grant().collect::<Vec<_>>(), [(team, at(20))]);
        assert_eq!(ends.get(&sam), None);
    }
}
