//! Separation of duties on the write path (DOMAIN rule 25): declaring and
//! dropping constraints, and refusing every change that would break one.
//!
//! A change is checked against the constraints through the same overlay
//! the report reads (impact.rs, `After`): every user the change reaches
//! has their grants read as the change would leave them, so the cost
//! follows the users the change reaches, never the company's size. A role
//! whose permissions the change sets is checked on its own (a custom role
//! may not give both duties of a constraint). Only a declaration reads the
//! whole company, to list who already holds both duties.

use std::sync::Arc;

use super::delta::{Delta, Edit, NewRecord};
use super::impact::After;
use crate::catalog::Set;
use crate::company::Company;
use crate::company::compile::Records;
use crate::company::validate::single;
use crate::duty::DutyText;
use crate::{Duty, DutyConstraint, Error, GroupId, PermissionFlags, ProjectId, RoleId, UserId};

/// How many holders a [`Error::DutyConstraintBroken`] lists.
const LISTED: usize = 10;

/// One role a user holds, and how: directly or through a group,
/// company-wide or within a project.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Source {
    role: RoleId,
    via: Option<GroupId>,
    project: Option<ProjectId>,
}

/// Every role `user` holds, with how they hold it, into `out`.
pub(crate) fn sources<P: PermissionFlags>(
    records: &impl Records<P>,
    user: UserId,
    out: &mut Vec<Source>,
) {
    out.clear();
    if !records.user_live(user) {
        return;
    }
    let direct = |role, project| Source {
        role,
        via: None,
        project,
    };
    out.extend(records.user_roles(user).map(|role| direct(role, None)));
    out.extend(
        records
            .user_project_roles(user)
            .map(|(project, role)| direct(role, Some(project))),
    );
    for group in records.user_groups(user) {
        let through = |role, project| Source {
            role,
            via: Some(group),
            project,
        };
        out.extend(records.group_roles(group).map(|role| through(role, None)));
        out.extend(
            records
                .group_project_roles(group)
                .map(|(project, role)| through(role, Some(project))),
        );
    }
}

/// The two grants by which `sources` give both duties of `constraint`, if
/// they do. A holder of Admin company-wide is exempt from constraints with
/// a permission side (Admin holds every permission, always).
pub(crate) fn breach<P: PermissionFlags>(
    records: &impl Records<P>,
    sources: &[Source],
    constraint: &DutyConstraint<P>,
) -> Option<(Source, Source)> {
    let permission_side = matches!(constraint.first, Duty::Permission(_))
        || matches!(constraint.second, Duty::Permission(_));
    let admin = || {
        sources
            .iter()
            .any(|s| s.role == RoleId::ADMIN && s.project.is_none())
    };
    if permission_side && admin() {
        return None;
    }
    let giving = |duty: Duty<P>| {
        sources
            .iter()
            .copied()
            .find(|s| duty.given_by(s.role, records.role_permissions(s.role)))
    };
    Some((giving(constraint.first)?, giving(constraint.second)?))
}

/// Whether a role with `permissions` gives both duties of `constraint` by
/// itself (never Admin: it is exempt, and no role pair names it).
pub(crate) fn role_breaks<P: PermissionFlags>(
    role: RoleId,
    permissions: P,
    constraint: &DutyConstraint<P>,
) -> bool {
    constraint.first.given_by(role, permissions) && constraint.second.given_by(role, permissions)
}

/// Names of the records a change reads, the record it creates included.
struct Labels<'a, P: PermissionFlags> {
    company: &'a Company<P>,
    created: Option<&'a NewRecord<P>>,
}

impl<P: PermissionFlags> Labels<'_, P> {
    fn user(&self, user: UserId) -> String {
        match self.created {
            Some(NewRecord::User(id, record)) if *id == user => record.name().to_owned(),
            _ => self.company.user_label(user),
        }
    }

    fn group(&self, group: GroupId) -> String {
        match self.created {
            Some(NewRecord::Group(id, record)) if *id == group => record.name().to_owned(),
            _ => (self.company.group(group)).map_or_else(|| group.to_string(), |g| g.name().into()),
        }
    }

    fn role(&self, role: RoleId) -> String {
        match self.created {
            Some(NewRecord::Role(id, record)) if *id == role => record.name().to_owned(),
            _ => (self.company.role(role)).map_or_else(|| role.to_string(), |r| r.name().into()),
        }
    }

    fn project(&self, project: ProjectId) -> String {
        match self.created {
            Some(NewRecord::Project(id, record)) if *id == project => record.name().to_owned(),
            _ => self.company.project_label(project),
        }
    }

    fn duty(&self, duty: Duty<P>) -> String {
        DutyText {
            duty,
            role: &|role| self.role(role),
        }
        .to_string()
    }

    /// A grant in words: `` `payments.manage` from role `Cashier` (through
    /// group `Finance`, within project `Acme`) ``.
    fn grant(&self, duty: Duty<P>, source: Source) -> String {
        let how = match source.via {
            Some(group) => format!("through group `{}`", self.group(group)),
            None => "given directly".to_owned(),
        };
        let scope = match source.project {
            Some(project) => format!("within project `{}`", self.project(project)),
            None => "company-wide".to_owned(),
        };
        let role = self.role(source.role);
        match duty {
            Duty::Permission(_) => {
                format!("{} from role `{role}` ({how}, {scope})", self.duty(duty))
            }
            Duty::Role(_) => format!("role `{role}` ({how}, {scope})"),
        }
    }

    fn separated(&self, holder: String, constraint: &DutyConstraint<P>, role: RoleId) -> Error {
        let alone = |duty| match duty {
            Duty::Permission(_) => format!("{} from role `{}`", self.duty(duty), self.role(role)),
            Duty::Role(_) => self.duty(duty),
        };
        Error::DutiesSeparated {
            holder,
            first: alone(constraint.first),
            second: alone(constraint.second),
        }
    }
}

/// Refuses the change `after` stands for if it breaks a constraint: a role
/// it sets that gives both duties, or one of `reached` (the users the
/// change reaches, sorted) who would hold both.
pub(super) fn check<P: PermissionFlags>(
    after: &After<'_, P>,
    reached: &[UserId],
) -> Result<(), Error> {
    let (company, delta) = (after.company, after.delta);
    let constraints = delta.duties.as_deref().unwrap_or(&company.duties);
    if constraints.is_empty() {
        return Ok(());
    }
    let labels = Labels {
        company,
        created: delta.create.as_ref(),
    };
    for (role, permissions) in roles_set(delta) {
        if let Some(constraint) = constraints
            .iter()
            .find(|c| role_breaks(role, permissions, c))
        {
            let holder = format!("role `{}`", labels.role(role));
            return Err(labels.separated(holder, constraint, role));
        }
    }
    let mut held = Vec::new();
    for &user in reached {
        sources(after, user, &mut held);
        for constraint in constraints.iter() {
            if let Some((first, second)) = breach(after, &held, constraint) {
                return Err(Error::DutiesSeparated {
                    holder: format!("user `{}`", labels.user(user)),
                    first: labels.grant(constraint.first, first),
                    second: labels.grant(constraint.second, second),
                });
            }
        }
    }
    Ok(())
}

/// The custom roles whose permissions `delta` sets, with those permissions.
fn roles_set<P: PermissionFlags>(delta: &Delta<P>) -> impl Iterator<Item = (RoleId, P)> + '_ {
    let created = match &delta.create {
        Some(NewRecord::Role(id, record)) => Some((*id, record.permissions())),
        _ => None,
    };
    let edited = delta.edits.iter().filter_map(|edit| match edit {
        Edit::RolePermissions(role, permissions) => Some((*role, *permissions)),
        _ => None,
    });
    created.into_iter().chain(edited)
}

/// Planning the declaration and the drop of constraints.
impl<P: PermissionFlags> Company<P> {
    /// The duty as stored: a permission closed under implication (refused
    /// unless it is one catalog permission), a role that exists.
    fn normalized_duty(&self, duty: Duty<P>) -> Result<Duty<P>, Error> {
        match duty {
            Duty::Permission(permission) => {
                single(permission)?;
                Ok(Duty::Permission(permission.close()))
            }
            Duty::Role(role) => {
                self.live_role(role)?;
                Ok(Duty::Role(role))
            }
        }
    }

    /// A constraint in words, for messages.
    fn duty_label(&self, duty: Duty<P>) -> String {
        Labels {
            company: self,
            created: None,
        }
        .duty(duty)
    }

    /// The constraint as stored, if the company may declare it: both
    /// duties normalized (`normalized_duty`), a pair that can be kept
    /// apart.
    fn valid_duty_constraint(
        &self,
        first: Duty<P>,
        second: Duty<P>,
    ) -> Result<DutyConstraint<P>, Error> {
        let constraint =
            DutyConstraint::new(self.normalized_duty(first)?, self.normalized_duty(second)?);
        match never_apart(&constraint) {
            Some(reason) => Err(Error::InvalidDutyConstraint {
                first: self.duty_label(constraint.first),
                second: self.duty_label(constraint.second),
                reason,
            }),
            None => Ok(constraint),
        }
    }

    /// Refuses `constraint` if someone breaks it, listing who.
    fn unbroken(&self, constraint: &DutyConstraint<P>) -> Result<(), Error> {
        let (holders, count) = self.breakers(constraint);
        if count == 0 {
            return Ok(());
        }
        Err(Error::DutyConstraintBroken {
            first: self.duty_label(constraint.first),
            second: self.duty_label(constraint.second),
            holders,
            count,
        })
    }

    pub(super) fn plan_declare_duty(
        &self,
        first: Duty<P>,
        second: Duty<P>,
    ) -> Result<Delta<P>, Error> {
        let constraint = self.valid_duty_constraint(first, second)?;
        if self.duties.iter().any(|c| c.same_as(&constraint)) {
            return Ok(Delta::default());
        }
        self.unbroken(&constraint)?;
        let duties: Vec<_> = self.duties.iter().copied().chain([constraint]).collect();
        Ok(Delta {
            duties: Some(Arc::from(duties)),
            ..Delta::default()
        })
    }

    pub(super) fn plan_drop_duty(
        &self,
        first: Duty<P>,
        second: Duty<P>,
    ) -> Result<Delta<P>, Error> {
        // A role that does not exist (any more) names no constraint.
        let stored = |duty| match duty {
            Duty::Permission(_) => self.normalized_duty(duty),
            role => Ok(role),
        };
        let dropped = DutyConstraint::new(stored(first)?, stored(second)?);
        if !self.duties.iter().any(|c| c.same_as(&dropped)) {
            return Ok(Delta::default());
        }
        let duties: Vec<_> = (self.duties.iter().copied())
            .filter(|c| !c.same_as(&dropped))
            .collect();
        Ok(Delta {
            duties: Some(Arc::from(duties)),
            ..Delta::default()
        })
    }

    /// Declares the constraints of a loaded document (the company has no
    /// constraint yet), refusing at `dutyConstraints[i]` one the company
    /// would not accept, one declared twice, or one a user or custom role
    /// breaks.
    #[cfg(feature = "serde")]
    pub(crate) fn declare_loaded_duties(
        &mut self,
        stored: Vec<DutyConstraint<P>>,
    ) -> Result<(), Error> {
        let mut declared: Vec<DutyConstraint<P>> = Vec::with_capacity(stored.len());
        for (i, constraint) in stored.into_iter().enumerate() {
            let at = |error: Error| Error::Document {
                path: format!("dutyConstraints[{i}]"),
                message: error.to_string(),
            };
            let valid =
                (self.valid_duty_constraint(constraint.first, constraint.second)).map_err(at)?;
            if declared.iter().any(|c| c.same_as(&valid)) {
                return Err(at(Error::InvalidDutyConstraint {
                    first: self.duty_label(valid.first),
                    second: self.duty_label(valid.second),
                    reason: "the constraint is declared twice",
                }));
            }
            self.unbroken(&valid).map_err(at)?;
            declared.push(valid);
        }
        self.duties = Arc::from(declared);
        Ok(())
    }

    /// The constraints left once `role` is deleted, if it names any.
    pub(super) fn duties_without_role(&self, role: RoleId) -> Option<Arc<[DutyConstraint<P>]>> {
        if !self.duties.iter().any(|c| c.names_role(role)) {
            return None;
        }
        let kept: Vec<_> = (self.duties.iter().copied())
            .filter(|c| !c.names_role(role))
            .collect();
        Some(Arc::from(kept))
    }

    /// Who breaks `constraint` as the company is: the users who hold both
    /// duties, then the custom roles that give both, in words (the first
    /// [`LISTED`]), and how many. Reads the whole company.
    pub(crate) fn breakers(&self, constraint: &DutyConstraint<P>) -> (Vec<String>, usize) {
        let mut listed = Vec::new();
        let mut count = 0;
        let mut held = Vec::new();
        let mut found = |holder: &dyn Fn() -> String| {
            count += 1;
            if listed.len() < LISTED {
                listed.push(holder());
            }
        };
        for (user, record) in self.users() {
            sources(self, user, &mut held);
            if breach(self, &held, constraint).is_some() {
                found(&|| format!("user `{}`", record.name()));
            }
        }
        for (role, record) in self.roles().filter(|(_, r)| !r.is_builtin()) {
            if role_breaks(role, record.permissions(), constraint) {
                found(&|| format!("role `{}`", record.name()));
            }
        }
        (listed, count)
    }

    /// Refuses testing `role` when it gives both duties of a constraint by
    /// itself (only a built-in role can: custom ones are refused so).
    pub(crate) fn check_tested_role(&self, user: UserId, role: RoleId) -> Result<(), Error> {
        let permissions = self.role_permissions(role);
        let Some(constraint) = (self.duties.iter()).find(|c| role_breaks(role, permissions, c))
        else {
            return Ok(());
        };
        let labels = Labels {
            company: self,
            created: None,
        };
        let holder = format!(
            "user `{}` testing role `{}`",
            labels.user(user),
            labels.role(role)
        );
        Err(labels.separated(holder, constraint, role))
    }
}

/// Why `constraint` can never be kept: a side that is Admin, two equal
/// roles, or a permission that implies the other.
fn never_apart<P: PermissionFlags>(constraint: &DutyConstraint<P>) -> Option<&'static str> {
    match (constraint.first, constraint.second) {
        (Duty::Role(RoleId::ADMIN), _) | (_, Duty::Role(RoleId::ADMIN)) => {
            Some("Admin holds every duty and cannot be kept apart from one")
        }
        (Duty::Role(first), Duty::Role(second)) if first == second => {
            Some("a role cannot be kept apart from itself")
        }
        (Duty::Permission(first), Duty::Permission(second))
            if first.has(second) || second.has(first) =>
        {
            Some("whoever holds the one holds the other")
        }
        _ => None,
    }
}
