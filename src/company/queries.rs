//! Queries that take ids: effective permissions, listings and holders.

use super::links::Link;
use super::{Company, sorted};
use crate::catalog::{Kind, Set};
use crate::policy::VisibleObjects;
use crate::{
    EntityKind, Error, PermissionFlags, Principal, ProjectId, Resource, RoleId, Session, Timestamp,
    UserId,
};

/// Queries that take ids, and so may name nothing.
impl<P: PermissionFlags> Company<P> {
    /// The effective permissions of a user: the union over every role they
    /// hold, directly or through a group.
    ///
    /// Computes in **O(1)** (read from the snapshot).
    ///
    /// # Errors
    ///
    /// [`Error::UnknownId`] for an unknown user.
    pub fn effective_permissions(&self, user: UserId) -> Result<P, Error> {
        self.snapshot
            .permissions_of(user)
            .ok_or_else(|| Error::unknown_id(EntityKind::User, user.get()))
    }

    /// The objects of `kind` the user can see: those on which some check of
    /// a permission of the kind is allowed (in the standard catalog, the
    /// kind's view permission, which its manage permission implies). The
    /// user holds one of the kind's permissions and, in enhanced mode,
    /// shares a project with the object or holds `projects.all`.
    ///
    /// In enhanced mode the iterator's cost follows the length of its
    /// answer, not the number of objects in the company; when the answer is
    /// every object of the kind (simple mode, `projects.all`), it reads the
    /// object table.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownId`] for an unknown user.
    ///
    /// # Example
    ///
    /// ```
    /// use callgate::{Company, ObjectKind};
    ///
    /// let mut company = Company::new();
    /// let ann = company.create_user("ann")?;
    /// let sales = company.create_object(ObjectKind::Queue, "Sales")?;
    /// let visible: Vec<_> = company.visible_objects(ann, ObjectKind::Queue)?.collect();
    /// assert_eq!(visible, vec![sales]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn visible_objects(
        &self,
        user: UserId,
        kind: P::Kind,
    ) -> Result<VisibleObjects<'_>, Error> {
        self.objects_if(user, kind, |permissions| sees_kind(permissions, kind))
    }

    /// The objects of `kind` on which the user may do `action`: exactly
    /// those for which [`Company::check`] with [`Resource::Object`] allows
    /// it. Nothing when the action does not apply to the kind or no role of
    /// the user grants it.
    ///
    /// The iterator's cost follows the length of its answer.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownId`] for an unknown user.
    ///
    /// # Example: the queues a supervisor may manage
    ///
    /// ```
    /// use callgate::{Company, ObjectKind, Permissions, RoleId};
    ///
    /// let mut company = Company::new();
    /// let _admin = company.create_user("ann")?;
    /// let sara = company.create_user("sara")?;
    /// company.apply(callgate::Change::AssignRole { role: RoleId::OPERATOR, principals: vec![sara.into()] })?;
    /// let sales = company.create_object(ObjectKind::Queue, "Sales")?;
    /// assert_eq!(company.allowed_objects(sara, Permissions::QUEUES_MANAGE, ObjectKind::Queue)?.count(), 0);
    /// company.apply(callgate::Change::AssignRole { role: RoleId::SUPERVISOR, principals: vec![sara.into()] })?;
    /// let managed: Vec<_> = company.allowed_objects(sara, Permissions::QUEUES_MANAGE, ObjectKind::Queue)?.collect();
    /// assert_eq!(managed, vec![sales]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn allowed_objects(
        &self,
        user: UserId,
        action: P,
        kind: P::Kind,
    ) -> Result<VisibleObjects<'_>, Error> {
        self.objects_if(user, kind, |permissions| {
            may_act_on_kind(permissions, action, kind)
        })
    }

    /// The objects of `kind` the user reaches through projects (or all of
    /// them), if `granted` says their permissions allow it; nothing if not.
    fn objects_if(
        &self,
        user: UserId,
        kind: P::Kind,
        granted: impl Fn(P) -> bool,
    ) -> Result<VisibleObjects<'_>, Error> {
        let entry = self
            .snapshot
            .user(user)
            .ok_or_else(|| Error::unknown_id(EntityKind::User, user.get()))?;
        let permissions = entry.permissions::<P>();
        Ok(if granted(permissions) {
            self.snapshot.objects_reachable(entry, permissions, kind)
        } else {
            self.snapshot
                .objects_granted_within(entry, permissions, kind, granted)
        })
    }

    /// [`Company::visible_objects`] for the user behind `session`: with the
    /// permissions the session acts with (in a testing session, the role
    /// under test's). An ended session sees nothing.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownId`] for a deleted user, [`Error::OtherCompany`] for
    /// a session of another company.
    pub fn visible_objects_as(
        &self,
        session: &Session,
        kind: P::Kind,
    ) -> Result<VisibleObjects<'_>, Error> {
        match self.snapshot.session_permissions(session) {
            Ok((entry, permissions)) if sees_kind(permissions, kind) => {
                Ok(self.snapshot.objects_reachable(entry, permissions, kind))
            }
            // Roles given within projects count, except in a testing
            // session (the role under test is tested company-wide).
            Ok((entry, permissions)) if session.testing().is_none() => Ok(self
                .snapshot
                .objects_granted_within(entry, permissions, kind, |p| sees_kind(p, kind))),
            Ok(_) | Err(crate::DenyReason::SessionEnded) => Ok(VisibleObjects::nothing()),
            Err(reason) => Err(self.session_error(session, reason)),
        }
    }

    /// The projects the user can view (`projects.view`, and in enhanced mode
    /// membership or `projects.all`), in id order.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownId`] for an unknown user.
    pub fn visible_projects(&self, user: UserId) -> Result<Vec<ProjectId>, Error> {
        self.live_user(user)?;
        // The `projects.view` bit alone: what it implies need not apply to
        // projects.
        let view = P::catalog()
            .permission("projects.view")
            .map_or(P::none(), |p| P::of(1 << p.bit()));
        Ok(self
            .projects()
            .map(|(id, _)| id)
            .filter(|&id| self.check(user, view, Resource::Project(id)).is_allowed())
            .collect())
    }

    /// Every user who holds the role company-wide, directly or through a
    /// group, sorted by id, each once. Those given it within a project are
    /// in [`Role::project_users`](crate::Role::project_users) and
    /// [`Role::project_groups`](crate::Role::project_groups).
    ///
    /// # Errors
    ///
    /// [`Error::UnknownId`] for an unknown role.
    pub fn role_holders(&self, role: RoleId) -> Result<Vec<UserId>, Error> {
        self.live_role(role)?;
        Ok(sorted(self.role_holders_unsorted(role)))
    }

    /// What the user may do to the project and its objects, visibility
    /// aside: their company-wide permissions and those of the roles given
    /// to them (directly or through a group) within the project (DOMAIN
    /// rules 20-21).
    ///
    /// Computes in **O(log p)** for a user in p projects (read from the
    /// snapshot).
    ///
    /// # Errors
    ///
    /// [`Error::UnknownId`] for an unknown user or project.
    ///
    /// # Example
    ///
    /// ```
    /// use callgate::{Change, Company, Permissions, RoleId};
    ///
    /// let mut company = Company::new();
    /// let _admin = company.create_user("ann")?;
    /// let tom = company.create_user("tom")?;
    /// let acme = company.create_project("Acme Bank", "")?;
    /// company.apply(Change::add_project_members_with_roles(acme, [tom.into()], [RoleId::SUPERVISOR]))?;
    /// assert!(company.permissions_in_project(tom, acme)?.contains(Permissions::QUEUES_MANAGE));
    /// assert!(!company.effective_permissions(tom)?.contains(Permissions::QUEUES_MANAGE));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn permissions_in_project(&self, user: UserId, project: ProjectId) -> Result<P, Error> {
        self.live_project(project)?;
        let entry = self
            .snapshot
            .user(user)
            .ok_or_else(|| Error::unknown_id(EntityKind::User, user.get()))?;
        Ok(entry
            .permissions::<P>()
            .or(self.snapshot.within_project(entry, project)))
    }

    /// The project's direct members (users by id, then groups by id), each
    /// with the roles given to it within the project, sorted by id (empty
    /// for a member given none).
    ///
    /// Computes in **O(m log m)** for m members.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownId`] for an unknown project.
    pub fn project_member_roles(
        &self,
        project: ProjectId,
    ) -> Result<Vec<(Principal, Vec<RoleId>)>, Error> {
        let record = self.live_project(project)?;
        let users = sorted(record.users.iter().copied().collect());
        let groups = sorted(record.groups.iter().copied().collect());
        let members = users
            .into_iter()
            .map(Principal::User)
            .chain(groups.into_iter().map(Principal::Group));
        Ok(members
            .map(|member| {
                let roles =
                    self.roles_within(member, project)
                        .filter_map(|link| match link {
                            Link::UserProjectRole(_, _, role)
                            | Link::GroupProjectRole(_, _, role) => Some(role),
                            _ => None,
                        });
                (member, sorted(roles.collect()))
            })
            .collect())
    }

    /// Every user for whom [`Company::check`] allows `action` on
    /// `resource`, in id order: company-wide roles, roles given within the
    /// projects that hold the resource, and projects that hide it all
    /// count. Nobody for an unknown object or project.
    ///
    /// Computes in **O(users)**, one check each.
    #[must_use]
    pub fn who_can(&self, action: P, resource: Resource) -> Vec<UserId> {
        self.users()
            .map(|(id, _)| id)
            .filter(|&user| self.check(user, action, resource).is_allowed())
            .collect()
    }

    /// [`Company::who_can`], with when each user's access ends (DOMAIN
    /// rule 24): `None` while a grant without an end gives it; else the
    /// last end among the grants that give it (for an action of several
    /// permissions, the first permission to go ends it).
    ///
    /// Computes in **O(users)**, one check each, and one explanation for
    /// each user allowed.
    ///
    /// # Example
    ///
    /// ```
    /// use callgate::{Change, Company, Permissions, Resource, RoleId, Timestamp};
    ///
    /// let mut company = Company::new();
    /// let ann = company.create_user("ann")?;
    /// let sam = company.create_user("sam")?;
    /// let friday = Timestamp::from_unix_seconds(1_765_497_600);
    /// company.apply(Change::AssignRoleUntil {
    ///     role: RoleId::SUPERVISOR,
    ///     principals: vec![sam.into()],
    ///     until: friday,
    /// })?;
    /// assert_eq!(
    ///     company.who_can_until(Permissions::CALL_JOURNAL_VIEW, Resource::Company),
    ///     [(ann, None), (sam, Some(friday))],
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn who_can_until(&self, action: P, resource: Resource) -> Vec<(UserId, Option<Timestamp>)> {
        self.who_can(action, resource)
            .into_iter()
            .map(|user| (user, self.access_ends(user, action, resource)))
            .collect()
    }

    /// When the grants that give `user` `action` on `resource` end: per
    /// permission of the action the last end (`None` if one lasts), then
    /// the first of those.
    fn access_ends(&self, user: UserId, action: P, resource: Resource) -> Option<Timestamp> {
        let explanation = self.explain(user, action, resource);
        let mut bits = action.bits128();
        let mut first: Option<Timestamp> = None;
        while bits != 0 {
            let flag = P::of(bits & bits.wrapping_neg());
            bits &= bits - 1;
            let giving = explanation.grants().iter().filter(|g| g.granted.has(flag));
            let last = giving
                .map(|grant| grant.until)
                .try_fold(Timestamp::from_unix_seconds(0), |last, until| {
                    until.map(|until| last.max(until))
                });
            if let Some(last) = last {
                first = Some(first.map_or(last, |first| first.min(last)));
            }
        }
        first
    }

    /// Every member of the project, directly or through a group, sorted by
    /// id, each once.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownId`] for an unknown project.
    pub fn project_members(&self, project: ProjectId) -> Result<Vec<UserId>, Error> {
        self.live_project(project)?;
        Ok(sorted(self.project_members_unsorted(project)))
    }
}

/// Whether someone with `permissions` holds a permission of `kind`.
fn sees_kind<P: PermissionFlags>(permissions: P, kind: P::Kind) -> bool {
    permissions.bits128() & P::catalog().kind_mask(kind.index()) != 0
}

/// Whether `action` applies to `kind` and `permissions` grant it.
fn may_act_on_kind<P: PermissionFlags>(permissions: P, action: P, kind: P::Kind) -> bool {
    let action = action.bits128();
    let scope = P::catalog().kind_mask(kind.index());
    action != 0 && action & !scope == 0 && action & !permissions.bits128() == 0
}
