//! Separation of duties (DOMAIN rule 25) in the model, plain and slow: a
//! constraint is a pair of duties (a permission by name, or a role), a
//! state breaks it when some user holds both (Admin exempt from pairs
//! naming a permission) or some custom role gives both; every change whose
//! state would break one is refused. And the same property read through
//! the engine's public API alone ([`duties_kept`]).

use callgate::{Change, Company, Duty, DutyConstraint, RoleId, UserId};
use proptest::prelude::*;

use super::catalog::Name;
use super::{Model, ModelFlags, Refusal, cat};

/// One side of a constraint, as the model keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ModelDuty {
    /// One permission, by name.
    Permission(Name),
    Role(RoleId),
}

/// A constraint, as the model keeps it: its two duties.
pub(crate) type Pair = (ModelDuty, ModelDuty);

/// Whether two pairs name the same two duties, in either order.
fn same(a: Pair, b: Pair) -> bool {
    a == b || (a.0 == b.1 && a.1 == b.0)
}

/// A pair that can never be kept: a side that is Admin, a role with
/// itself, a permission with one it implies (or itself).
fn never_apart<P: ModelFlags>(pair: Pair) -> bool {
    match pair {
        (ModelDuty::Role(RoleId::ADMIN), _) | (_, ModelDuty::Role(RoleId::ADMIN)) => true,
        (ModelDuty::Role(a), ModelDuty::Role(b)) => a == b,
        (ModelDuty::Permission(a), ModelDuty::Permission(b)) => {
            cat::<P>().closure(a).contains(b) || cat::<P>().closure(b).contains(a)
        }
        _ => false,
    }
}

/// An engine constraint as the model's pair (`None`: a side that is not one
/// permission, which the engine never stores).
pub(crate) fn pair_of<P: ModelFlags>(constraint: &DutyConstraint<P>) -> Option<Pair> {
    let side = |duty: Duty<P>| match duty {
        Duty::Permission(p) => cat::<P>().single_name(p.raw()).map(ModelDuty::Permission),
        Duty::Role(role) => Some(ModelDuty::Role(role)),
    };
    Some((side(constraint.first)?, side(constraint.second)?))
}

impl<P: ModelFlags> Model<P> {
    /// The duty as the model keeps it, noting why not in `refused`.
    fn model_duty(&self, duty: Duty<P>, refused: &mut Vec<Refusal>) -> Option<ModelDuty> {
        match duty {
            Duty::Permission(p) => {
                let name = cat::<P>().single_name(p.raw());
                if name.is_none() {
                    refused.push(Refusal::NotSinglePermission);
                }
                name.map(ModelDuty::Permission)
            }
            Duty::Role(role) => {
                self.need_role(role, refused);
                self.roles
                    .contains_key(&role)
                    .then_some(ModelDuty::Role(role))
            }
        }
    }

    /// Whether `user` holds `duty`: the role, or the permission, given to
    /// them or to a group of theirs, company-wide or within any project.
    pub(crate) fn holds_duty(&self, user: UserId, duty: ModelDuty) -> bool {
        let projects = || self.projects.keys().copied();
        match duty {
            ModelDuty::Role(role) => {
                self.roles_of(user).contains(&role)
                    || projects()
                        .any(|p| self.roles_within(user, p).iter().any(|&(r, _)| r == role))
            }
            ModelDuty::Permission(name) => {
                self.effective_permissions(user).contains(name)
                    || projects().any(|p| self.within(user, p).contains(name))
            }
        }
    }

    /// Whether `user` breaks `pair`.
    pub(crate) fn user_breaks(&self, user: UserId, pair: Pair) -> bool {
        // DOMAIN 25: Admin holds every permission, always: a holder of
        // Admin is exempt from pairs naming a permission.
        let permission_side = matches!(pair.0, ModelDuty::Permission(_))
            || matches!(pair.1, ModelDuty::Permission(_));
        if permission_side && self.roles_of(user).contains(&RoleId::ADMIN) {
            return false;
        }
        self.holds_duty(user, pair.0) && self.holds_duty(user, pair.1)
    }

    /// Whether `role` by itself gives `duty` (Admin gives no permission
    /// duty: it is exempt).
    pub(crate) fn role_gives(&self, role: RoleId, duty: ModelDuty) -> bool {
        match duty {
            ModelDuty::Role(r) => r == role,
            ModelDuty::Permission(name) => {
                role != RoleId::ADMIN
                    && self
                        .roles
                        .get(&role)
                        .is_some_and(|r| r.permissions.contains(name))
            }
        }
    }

    /// How many break `pair`: users, and custom roles that give both.
    pub(crate) fn breakers(&self, pair: Pair) -> usize {
        let users = self
            .users
            .keys()
            .filter(|&&u| self.user_breaks(u, pair))
            .count();
        let roles = self
            .roles
            .iter()
            .filter(|(_, r)| r.builtin.is_none())
            .filter(|&(&id, _)| self.role_gives(id, pair.0) && self.role_gives(id, pair.1))
            .count();
        users + roles
    }

    /// How many break a declared constraint (0 in every reachable state).
    pub(crate) fn duty_breaches(&self) -> usize {
        self.duties.iter().map(|&pair| self.breakers(pair)).sum()
    }

    /// Declares or drops a constraint on `self` (a scratch copy), noting
    /// every reason to refuse in `refused`; `false` for other changes.
    pub(crate) fn edit_duties(&mut self, change: &Change<P>, refused: &mut Vec<Refusal>) -> bool {
        match *change {
            Change::DeclareDutyConstraint { first, second } => {
                let (a, b) = (
                    self.model_duty(first, refused),
                    self.model_duty(second, refused),
                );
                let (Some(a), Some(b)) = (a, b) else {
                    return true;
                };
                if never_apart::<P>((a, b)) {
                    refused.push(Refusal::InvalidDutyConstraint);
                } else if self.duties.iter().any(|&d| same(d, (a, b))) {
                    // Declared already: nothing changes.
                } else {
                    // DOMAIN 25: declaring a pair that someone already
                    // breaks is refused, counting who.
                    let count = self.breakers((a, b));
                    if count > 0 {
                        refused.push(Refusal::DutyConstraintBroken(count));
                    }
                    self.duties.push((a, b));
                }
                true
            }
            Change::DropDutyConstraint { first, second } => {
                let side = |duty: Duty<P>, refused: &mut Vec<Refusal>| match duty {
                    Duty::Role(role) => Some(ModelDuty::Role(role)),
                    permission => self.model_duty(permission, refused),
                };
                if let (Some(a), Some(b)) = (side(first, refused), side(second, refused)) {
                    self.duties.retain(|&d| !same(d, (a, b)));
                }
                true
            }
            _ => false,
        }
    }

    /// Deleting a role drops the constraints that name it.
    pub(crate) fn drop_duties_of(&mut self, role: RoleId) {
        self.duties
            .retain(|&(a, b)| a != ModelDuty::Role(role) && b != ModelDuty::Role(role));
    }

    /// Whether testing `role` would hand a session both duties of a pair:
    /// the role gives both by itself.
    pub(crate) fn testing_breaks(&self, role: RoleId) -> bool {
        self.duties
            .iter()
            .any(|&(a, b)| self.role_gives(role, a) && self.role_gives(role, b))
    }
}

/// DOMAIN 25, read through the engine's public API alone: no user holds
/// both duties of a declared constraint (a holder of Admin company-wide is
/// exempt from pairs naming a permission), and no custom role gives both.
pub(crate) fn duties_kept<P: ModelFlags>(engine: &Company<P>) -> Result<(), TestCaseError> {
    let constraints = engine.duty_constraints();
    if constraints.is_empty() {
        return Ok(());
    }
    let permission_side = |c: &DutyConstraint<P>| {
        matches!(c.first, Duty::Permission(_)) || matches!(c.second, Duty::Permission(_))
    };
    for (_, user) in engine.users() {
        // Each role held, and whether company-wide.
        let mut held: Vec<(RoleId, bool)> = Vec::new();
        held.extend(user.roles().map(|r| (r, true)));
        held.extend(user.project_roles().map(|(_, r)| (r, false)));
        for group in user.groups().filter_map(|g| engine.group(g)) {
            held.extend(group.roles().map(|r| (r, true)));
            held.extend(group.project_roles().map(|(_, r)| (r, false)));
        }
        let admin = held.iter().any(|&(r, wide)| r == RoleId::ADMIN && wide);
        let bits = (held.iter())
            .filter_map(|&(r, _)| engine.role(r))
            .fold(0u128, |bits, role| bits | role.permissions().raw());
        let holds = |duty: Duty<P>| match duty {
            Duty::Role(role) => held.iter().any(|&(r, _)| r == role),
            Duty::Permission(p) => bits & p.raw() == p.raw(),
        };
        for c in constraints {
            let exempt = admin && permission_side(c);
            prop_assert!(
                exempt || !(holds(c.first) && holds(c.second)),
                "user `{}` breaks {:?}",
                user.name(),
                c
            );
        }
    }
    for (id, role) in engine.roles().filter(|(_, r)| !r.is_builtin()) {
        let gives = |duty: Duty<P>| match duty {
            Duty::Role(r) => r == id,
            Duty::Permission(p) => role.permissions().raw() & p.raw() == p.raw(),
        };
        for c in constraints {
            prop_assert!(
                !(gives(c.first) && gives(c.second)),
                "role `{}` breaks {:?}",
                role.name(),
                c
            );
        }
    }
    Ok(())
}
