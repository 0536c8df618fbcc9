//! The write path: a [`Change`] is planned, then committed.
//!
//! ```text
//! Change ──plan──▶ Plan { delta, report, log entry } ──commit──▶ records + snapshot
//!           │ (reads only; every refusal happens here)    │ (cannot fail; refused
//!           ▼                                              │  whole if the company
//!        Error                                             │  moved since the plan)
//! ```
//
// How it works
// ============
// `Company::plan` validates a change against the current records and turns
// it into a `Delta` (delta.rs): the one record it creates, the edits of
// records' own fields, the links it sets or clears (only those that change
// something, each once) and the one record it deletes. Every refusal (an
// unknown id, a taken name, the last Admin, a built-in role...) happens
// while the delta is built, by the module of the change's family:
// users.rs (users and groups), roles.rs (roles, assignments and section
// switches), projects.rs (projects, objects and the security mode),
// references.rs (the objects an object uses, and what would break them:
// DOMAIN rule 26). Nothing is written.
//
// The report is then worked out from the delta without writing either
// (impact.rs): the records as the delta would leave them are read through
// an overlay, every user the delta may reach is compiled through the same
// `rights` function the compile uses, and compared with the snapshot. Its
// cost follows the users the change reaches, never the company's size, so a
// preview is a plan that is dropped. First, on the same overlay, every user
// the delta reaches (and every role whose permissions it sets) is held
// against the declared duty constraints (duties.rs, DOMAIN rule 25).
//
// `Company::commit` first checks that the plan was made by this company at
// its current revision; then it carries out the delta (`execute`, which
// cannot fail), advances the revision, ends the sessions the report names
// and recompiles the touched entries of the snapshot. In debug builds the
// commit also works out the affected users its own way and asserts that the
// plan's report said the same: every test holds the two against each other.
//
// Between plan and commit the host writes `Plan::entry` to its log. A
// replica replays the log with `catch_up`, which plans and commits each
// entry.

mod delta;
mod duties;
mod ends;
mod impact;
mod projects;
mod references;
mod replay;
mod roles;
mod shorthands;
mod users;
mod within;

#[cfg(feature = "serde")] // used by the document loader
pub(crate) use self::within::may_hold_within_project;

use std::collections::HashSet;
use std::hash::Hash;

pub(crate) use delta::Delta;
pub(crate) use impact::Recompiled;
use roles::RoleEdit;

use crate::company::Company;
use crate::{
    Actor, Change, ChangeReport, Error, GroupId, LogEntry, PermissionFlags, Permissions, Principal,
    Session, UserId,
};

/// A change that has been validated against a company and is ready to
/// commit: made by [`Company::plan`] or [`Company::plan_as`], carried out by
/// [`Company::commit`].
///
/// A plan knows its [report](Plan::report) (who will be affected, whose
/// sessions will end) and its [log entry](Plan::entry), which the host
/// writes to its store before committing. Committing cannot fail for any
/// reason the plan checked; it is refused, changing nothing, only when the
/// company has moved since the plan was made, or when the plan was made by
/// another company.
#[derive(Debug, Clone)]
#[must_use = "a plan changes nothing until it is committed"]
pub struct Plan<P: PermissionFlags = Permissions> {
    /// The state of the company it was made from (`company::new_state`).
    state: u64,
    delta: Delta<P>,
    /// The new rights of the users the change affects, for the snapshot.
    users: impact::Recompiled<P>,
    report: ChangeReport,
    entry: LogEntry<P>,
}

impl<P: PermissionFlags> Plan<P> {
    /// What committing the plan will do: the revision it will reach, what it
    /// will create, who will be affected and whose sessions will end.
    #[must_use]
    pub fn report(&self) -> &ChangeReport {
        &self.report
    }

    /// The change-log entry to store before committing: the change, the
    /// revision it applies to, the actor and the host's context.
    #[must_use]
    pub fn entry(&self) -> &LogEntry<P> {
        &self.entry
    }

    /// The revision the plan was made at, and the only one it commits at.
    #[must_use]
    pub fn revision(&self) -> u64 {
        self.entry.revision
    }

    /// Adds a piece of the host's context to the log entry (a timestamp, a
    /// request id, a client address...). The library stores, ships and
    /// replays it, and never reads it.
    pub fn with_context(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.entry.context.insert(key.into(), value.into());
        self
    }
}

/// Planning and committing changes.
impl<P: PermissionFlags> Company<P> {
    /// Validates `change` against the company as it is, without changing
    /// anything, and returns the plan to [commit](Company::commit).
    ///
    /// Costs in proportion to the change and the users it reaches, not to the
    /// size of the company.
    ///
    /// # Errors
    ///
    /// Refuses, naming what is wrong:
    /// - an id that names nothing ([`Error::UnknownId`]);
    /// - a blank or taken name ([`Error::InvalidName`], [`Error::DuplicateName`]);
    /// - an edit, rename or deletion of a built-in role ([`Error::BuiltinRole`]);
    /// - a rename or deletion of the `Default` project ([`Error::DefaultProject`]);
    /// - a section switch on something that is not one permission
    ///   ([`Error::NotSinglePermission`]);
    /// - in enhanced mode, a reference between objects that would share no
    ///   project ([`Error::ReferenceCrossesProjects`]), recorded or left by
    ///   taking objects out of a project, deleting a project or switching
    ///   back to enhanced; an object that uses itself
    ///   ([`Error::SelfReference`]); deleting an object that others use
    ///   ([`Error::ObjectInUse`]);
    /// - a change that would leave users without any Admin
    ///   ([`Error::LastAdmin`]), by deleting a user, taking the role, taking
    ///   a user out of a group that carries it, or deleting such a group;
    /// - a change that would let one user hold both duties of a declared
    ///   [`DutyConstraint`](crate::DutyConstraint), or a custom role give
    ///   both ([`Error::DutiesSeparated`]), and a declaration the company
    ///   already breaks ([`Error::DutyConstraintBroken`]) or that can never
    ///   hold ([`Error::InvalidDutyConstraint`]);
    /// - a table with no id left ([`Error::CapacityExceeded`]), or none left
    ///   within the host's [`Limits`](crate::Limits) ([`Error::LimitReached`]);
    /// - a company at the largest revision, [`MAX_REVISION`](crate::MAX_REVISION)
    ///   ([`Error::RevisionsExhausted`]).
    ///
    /// # Example: write the log entry, then commit
    ///
    /// ```
    /// use callgate::{Change, Company, RoleId};
    ///
    /// let mut company = Company::new();
    /// let _ann = company.create_user("ann")?;
    /// let bob = company.create_user("bob")?;
    ///
    /// let plan = company
    ///     .plan(Change::AssignRole { role: RoleId::SUPERVISOR, principals: vec![bob.into()] })?
    ///     .with_context("requestId", "r-42");
    /// assert_eq!(plan.report().affected_users, vec![bob]);
    /// assert_eq!(company.revision(), 2); // nothing has changed yet
    ///
    /// let mut log = Vec::new();
    /// log.push(plan.entry().clone()); // the host's store; on failure, drop the plan
    /// let report = company.commit(plan)?;
    /// assert_eq!(report.revision, 3);
    /// assert_eq!(log[0].context["requestId"], "r-42");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn plan(&self, change: Change<P>) -> Result<Plan<P>, Error> {
        crate::trace::enter_span!("plan", company = %self.id, revision = self.revision, op = change.op());
        let planned = self.plan_unchecked(change);
        #[cfg(feature = "tracing")]
        if let Err(error) = &planned {
            crate::trace::refused!(error, "change refused");
        }
        planned
    }

    /// [`Company::plan`] without its trace.
    fn plan_unchecked(&self, change: Change<P>) -> Result<Plan<P>, Error> {
        if self.revision >= crate::MAX_REVISION {
            return Err(Error::RevisionsExhausted {
                revision: self.revision,
            });
        }
        let delta = self.delta(&change)?;
        let (report, users) = impact::report(self, &delta)?;
        Ok(Plan {
            state: self.state,
            delta,
            users,
            report,
            entry: LogEntry {
                previous: self.chain,
                ..self.id.entry_for(self.revision(), change)
            },
        })
    }

    /// [`Company::plan`] for a change made by the user behind `session`:
    /// the actor must be allowed to make it (see [`Company::apply_as`]), and
    /// the log entry names them as its [`Actor`].
    ///
    /// # Errors
    ///
    /// [`Error::SessionEnded`], [`Error::Forbidden`], [`Error::Escalation`],
    /// [`Error::UnknownId`] (also for hidden projects and objects), and every
    /// error of [`Company::plan`].
    pub fn plan_as(&self, session: &Session, change: Change<P>) -> Result<Plan<P>, Error> {
        let authorized = self.authorize(session, &change);
        #[cfg(feature = "tracing")]
        if let Err(error) = &authorized {
            crate::trace::refused!(error, "change refused", company = %self.id, user = session.user().index(), op = change.op());
        }
        authorized?;
        let mut plan = self.plan(change)?;
        plan.entry.actor = Some(Actor::of(session));
        Ok(plan)
    }

    /// Carries out a plan: the company reaches the plan's revision and the
    /// plan's report is returned.
    ///
    /// # Errors
    ///
    /// Refuses, changing nothing: [`Error::RevisionMismatch`] when the
    /// company is no longer at the revision the plan was made at (another
    /// change was committed in between), [`Error::ForeignPlan`] when another
    /// company made the plan (a clone that went its own way since counts as
    /// another company, even at the same revision).
    pub fn commit(&mut self, plan: Plan<P>) -> Result<ChangeReport, Error> {
        crate::trace::enter_span!("commit", company = %self.id, revision = plan.entry.revision, op = plan.entry.change.op());
        if plan.state != self.state {
            let error = self
                .expect_revision(plan.entry.revision)
                .err()
                .unwrap_or(Error::ForeignPlan);
            crate::trace::refused!(error, "plan refused");
            return Err(error);
        }
        self.chain = replay::digest_of(&plan.entry);
        let Plan {
            delta,
            users,
            report,
            ..
        } = plan;
        let touched = self.execute(delta);
        self.revision += 1;
        self.state = crate::company::new_state();
        for &user in &report.logged_out_users {
            if let Some(record) = crate::company::record(&mut self.users, user.index()) {
                record.sessions_from = self.revision;
            }
        }
        self.refresh(touched, users, &report.logged_out_users);
        Ok(report)
    }

    /// Applies one change, all or nothing: [`Company::plan`] then
    /// [`Company::commit`]. A host that stores changes uses the two
    /// separately, writing the log entry in between.
    ///
    /// # Errors
    ///
    /// Every error of [`Company::plan`]; the company is left exactly as it
    /// was.
    ///
    /// # Example: a custom QA role, assigned in bulk
    ///
    /// ```
    /// use callgate::{Change, Company, Created, Permissions, Resource};
    ///
    /// let mut company = Company::new();
    /// let _admin = company.create_user("ann")?;
    /// let kim = company.create_user("kim")?;
    /// let lee = company.create_user("lee")?;
    /// let report = company.apply(Change::CreateRole {
    ///     name: "QA".into(),
    ///     description: "Evaluation sheets and checks".into(),
    ///     permissions: Permissions::QA_SHEETS_MANAGE | Permissions::QA_CHECKS_MANAGE,
    ///     principals: vec![kim.into(), lee.into()],
    ///     put_users_offline: false,
    /// })?;
    /// assert!(matches!(report.created, Some(Created::Role(_))));
    /// assert_eq!(report.affected_users, vec![kim, lee]);
    /// assert!(company.check(lee, Permissions::QA_CHECKS_MANAGE, Resource::Company).is_allowed());
    ///
    /// // A second role with the same name is refused, and nothing changes.
    /// let before = company.revision();
    /// let err = company.create_role("QA", "", Permissions::empty()).unwrap_err();
    /// assert_eq!(err.to_string(), "role name `QA` is already taken");
    /// assert_eq!(company.revision(), before);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn apply(&mut self, change: Change<P>) -> Result<ChangeReport, Error> {
        let plan = self.plan(change)?;
        self.commit(plan)
    }

    /// Applies a change made by the user behind `session`, all or nothing:
    /// [`Company::plan_as`] then [`Company::commit`].
    ///
    /// Before the checks [`Company::plan`] makes for every caller, the
    /// actor must be allowed to make it: the session is current, it holds
    /// the change's [governing permissions](Change::governing_permissions),
    /// the change hands out nothing the actor does not hold (no escalation,
    /// through a role edit, an assignment, a section switch or a group that
    /// carries roles), and in enhanced mode it names no project or object
    /// hidden from the actor. A testing session acts with the role under
    /// test.
    ///
    /// # Errors
    ///
    /// Every error of [`Company::plan_as`].
    ///
    /// # Example: a supervisor may not hand out finance
    ///
    /// ```
    /// use callgate::{Change, Company, Error, Permissions, RoleId};
    ///
    /// let mut company = Company::new();
    /// let _admin = company.create_user("ann")?;
    /// let sam = company.create_user("sam")?;
    /// company.apply(Change::AssignRole { role: RoleId::SUPERVISOR, principals: vec![sam.into()] })?;
    /// let session = company.login(sam)?;
    ///
    /// let qa = Change::CreateRole {
    ///     name: "QA".into(), description: String::new(),
    ///     permissions: Permissions::QA_CHECKS_MANAGE, principals: vec![], put_users_offline: false,
    /// };
    /// company.apply_as(&session, qa)?; // fine: sam holds qa_checks.manage
    ///
    /// let cashier = Change::CreateRole {
    ///     name: "Cashier".into(), description: String::new(),
    ///     permissions: Permissions::PAYMENTS_MANAGE, principals: vec![], put_users_offline: false,
    /// };
    /// let err = company.apply_as(&session, cashier).unwrap_err();
    /// assert!(matches!(err, Error::Escalation { .. }));
    /// assert_eq!(
    ///     err.to_string(),
    ///     "user `sam` may not create role `Cashier`: it grants `payments.manage`, which they do not hold",
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn apply_as(
        &mut self,
        session: &Session,
        change: Change<P>,
    ) -> Result<ChangeReport, Error> {
        let plan = self.plan_as(session, change)?;
        self.commit(plan)
    }

    /// The report `change` would produce, without applying it: who would be
    /// affected and whose sessions would end (the "impact before save" of an
    /// admin page). A plan that is dropped: the company is not copied.
    ///
    /// # Errors
    ///
    /// Every error [`Company::plan`] would return.
    pub fn preview(&self, change: Change<P>) -> Result<ChangeReport, Error> {
        Ok(self.plan(change)?.report)
    }

    /// [`Company::preview`] for a change made by the user behind `session`:
    /// the report [`Company::apply_as`] would produce, without applying it.
    ///
    /// # Errors
    ///
    /// Every error [`Company::plan_as`] would return.
    pub fn preview_as(&self, session: &Session, change: Change<P>) -> Result<ChangeReport, Error> {
        Ok(self.plan_as(session, change)?.report)
    }

    /// Applies a change only if the company is at `expected_revision`: the
    /// optimistic concurrency check that keeps two administrators' edits from
    /// silently overwriting each other.
    ///
    /// # Errors
    ///
    /// [`Error::RevisionMismatch`] when the company has moved on (or is
    /// behind), and every error of [`Company::apply`].
    pub fn apply_expecting(
        &mut self,
        expected_revision: u64,
        change: Change<P>,
    ) -> Result<ChangeReport, Error> {
        self.expect_revision(expected_revision)?;
        self.apply(change)
    }

    pub(crate) fn expect_revision(&self, expected: u64) -> Result<(), Error> {
        if expected == self.revision() {
            Ok(())
        } else {
            Err(Error::RevisionMismatch {
                expected,
                actual: self.revision(),
            })
        }
    }

    /// Validates `change` into the delta its family's module builds
    /// (users.rs, roles.rs, projects.rs). A dispatch table, one arm a line.
    #[rustfmt::skip]
    fn delta(&self, change: &Change<P>) -> Result<Delta<P>, Error> {
        use Change as C;
        match change {
            C::CreateUser { name, roles, groups, projects } =>
                self.plan_create_user(name, roles, groups, projects),
            C::RenameUser { user, name } => self.plan_rename_user(*user, name.clone()),
            C::DeleteUser { user } => self.plan_delete_user(*user),
            C::CreateGroup { name, members } => self.plan_create_group(name, members),
            C::RenameGroup { group, name } => self.plan_rename_group(*group, name.clone()),
            C::DeleteGroup { group } => self.plan_delete_group(*group),
            C::AddGroupMembers { group, users } => self.plan_group_members(*group, users, true),
            C::RemoveGroupMembers { group, users } => self.plan_group_members(*group, users, false),
            C::CreateRole { name, description, permissions, principals, put_users_offline } => {
                let description = description.clone();
                self.plan_create_role(name, description, *permissions, principals, *put_users_offline)
            }
            C::EditRole { role, name, description, permissions, put_users_offline } => {
                let (name, description) = (name.clone(), description.clone());
                let (permissions, put_users_offline) = (*permissions, *put_users_offline);
                self.plan_edit_role(*role, RoleEdit { name, description, permissions, put_users_offline })
            }
            C::DeleteRole { role } => self.plan_delete_role(*role),
            C::AssignRole { role, principals } => self.plan_assignment(*role, principals, true)
                .map(|delta| self.set_ends(delta, None, &[*role], principals, None)),
            C::AssignRoleUntil { role, principals, until } =>
                self.plan_assignment_until(*role, principals, *until),
            C::UnassignRole { role, principals } => self.plan_assignment(*role, principals, false),
            C::SetSectionAccess { role, permission, allowed } =>
                self.plan_section_access(*role, *permission, *allowed),
            C::SetSecurityMode { mode } => self.plan_mode(*mode),
            C::CreateProject { name, description, principals, objects } =>
                self.plan_create_project(name, description.clone(), principals, objects),
            C::EditProject { project, name, description } =>
                self.plan_edit_project(*project, name.clone(), description.clone()),
            C::DeleteProject { project } => self.plan_delete_project(*project),
            C::AddProjectMembers { project, principals, roles } =>
                self.plan_add_project_members(*project, principals, roles)
                    .map(|delta| self.set_ends(delta, Some(*project), roles, principals, None)),
            C::RemoveProjectMembers { project, principals } =>
                self.plan_remove_project_members(*project, principals),
            C::AssignProjectRole { project, role, principals } =>
                self.plan_project_role(*project, *role, principals, true)
                    .map(|delta| self.set_ends(delta, Some(*project), &[*role], principals, None)),
            C::AssignProjectRoleUntil { project, role, principals, until } =>
                self.plan_project_role(*project, *role, principals, true)
                    .map(|delta| self.set_ends(delta, Some(*project), &[*role], principals, Some(*until))),
            C::UnassignProjectRole { project, role, principals } =>
                self.plan_project_role(*project, *role, principals, false),
            C::AddProjectObjects { project, objects } =>
                self.plan_project_objects(*project, objects, true),
            C::RemoveProjectObjects { project, objects } =>
                self.plan_project_objects(*project, objects, false),
            C::CreateObject { kind, name, projects } =>
                self.plan_create_object(*kind, name, projects),
            C::RenameObject { object, name } => self.plan_rename_object(*object, name.clone()),
            C::DeleteObject { object } => self.plan_delete_object(*object),
            C::ExpireGrants { now } => self.plan_expire(*now),
            C::SetObjectReferences { object, uses } => self.plan_object_references(*object, uses),
            C::DeclareDutyConstraint { first, second } => self.plan_declare_duty(*first, *second),
            C::DropDutyConstraint { first, second } => self.plan_drop_duty(*first, *second),
        }
    }
}

/// The items of a request list, each once, in order. Short lists are
/// searched, long ones hashed.
pub(crate) fn distinct<T: Copy + Eq + Hash>(items: &[T]) -> impl Iterator<Item = T> + '_ {
    const SEARCHED: usize = 16;
    let mut seen = HashSet::with_capacity(if items.len() > SEARCHED {
        items.len()
    } else {
        0
    });
    items.iter().enumerate().filter_map(move |(i, &item)| {
        let first = if items.len() > SEARCHED {
            seen.insert(item)
        } else {
            !items.get(..i).is_some_and(|before| before.contains(&item))
        };
        first.then_some(item)
    })
}

/// Who would be left without the Admin role by a change.
pub(crate) enum Removal<'a> {
    User(UserId),
    Group(GroupId),
    Members(GroupId, &'a [UserId]),
    Unassign(&'a [Principal]),
}

/// What a [`Removal`] takes away, each request list hashed once: the
/// last-Admin check looks every holder up here, so a change that names
/// `n` principals costs `O(n)` lookups, not `n` scans of its list.
#[derive(Default)]
struct Gone {
    /// Users whose own Admin grant goes (deleted, or named by the change).
    direct: HashSet<UserId>,
    /// Groups whose Admin grant goes (deleted, or named by the change).
    groups: HashSet<GroupId>,
    /// A user deleted: gone from every group too.
    deleted: Option<UserId>,
    /// Members taken out of one group.
    members: Option<(GroupId, HashSet<UserId>)>,
}

impl Gone {
    fn of(removal: &Removal<'_>) -> Self {
        let mut gone = Self::default();
        match *removal {
            Removal::User(user) => {
                gone.direct.insert(user);
                gone.deleted = Some(user);
            }
            Removal::Group(group) => {
                gone.groups.insert(group);
            }
            Removal::Members(group, users) => {
                gone.members = Some((group, users.iter().copied().collect()));
            }
            Removal::Unassign(principals) => {
                for &principal in principals {
                    match principal {
                        Principal::User(user) => gone.direct.insert(user),
                        Principal::Group(group) => gone.groups.insert(group),
                    };
                }
            }
        }
        gone
    }

    /// Whether `user`, a member of `group`, leaves it.
    fn member(&self, group: GroupId, user: UserId) -> bool {
        self.deleted == Some(user)
            || self
                .members
                .as_ref()
                .is_some_and(|(from, users)| *from == group && users.contains(&user))
    }
}

impl<P: PermissionFlags> Company<P> {
    /// Whether some user still holds Admin after `removal`. A company with
    /// no users yet has no Admin to lose; once users exist, taking Admin from
    /// its last holder is a lock-out, even when it leaves no user at all.
    ///
    /// Time: the request's lists are hashed once ([`Gone`]), then each
    /// Admin holder (direct, or a member of an Admin group) is looked up
    /// once: linear in the request and the holders.
    fn admin_remains(&self, removal: &Removal<'_>) -> bool {
        if self.users().next().is_none() {
            return true;
        }
        let Some(admin) = self.role(crate::RoleId::ADMIN) else {
            return false;
        };
        let gone = Gone::of(removal);
        if admin.users.iter().any(|user| !gone.direct.contains(user)) {
            return true;
        }
        admin
            .groups
            .iter()
            .copied()
            .filter(|group| !gone.groups.contains(group))
            .filter_map(|group| Some((group, self.group(group)?)))
            .any(|(group, record)| record.members.iter().any(|&user| !gone.member(group, user)))
    }
}
