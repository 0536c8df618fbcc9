//! [`Limits`]: how many records of each kind a company may ever make, so
//! that neither a stored document nor a stream of changes can exhaust the
//! host's memory.

use crate::EntityKind;

/// How many ids of each kind a company may give out: the most users,
/// groups, roles, projects and objects it can ever have made (a deleted
/// record's id stays taken, as ids are never reused).
///
/// A company enforces its limits on every change that creates a record
/// ([`Error::LimitReached`](crate::Error::LimitReached)) and on loading: a
/// document that names more ids than the limits allow is refused before
/// anything is built for it. The defaults ([`Limits::DEFAULT`]) are far above
/// any call center (16.7 million users and objects) and keep the memory a
/// document can ask for small. Ids never used (deleted records', or a
/// hostile document's) cost the tables one shared chunk pointer per chunk:
/// 32 bytes per 4,096 user or object ids, 16 per 4,096 group ids, about 48
/// per 1,024 role ids, and 16 per 256 project ids and per kind of object
/// (the snapshot keeps each project's objects by kind). At the defaults, a
/// document of a few hundred bytes that names every id they allow loads
/// into less than 1 MiB (the `memory` benchmark measures it). A host that
/// raises them raises that bound: with every limit at `u32::MAX - 1`, the
/// project ids alone could ask for gigabytes (asked for with `try_reserve`,
/// so refused rather than aborting where the machine lacks it).
///
/// A hosted service lowers them per tenant with
/// [`Company::set_limits`](crate::Company::set_limits) and
/// [`Company::load_with_limits`](crate::Company::load_with_limits).
///
/// The struct is `#[non_exhaustive]`: start from [`Limits::DEFAULT`] and set
/// what you need.
///
/// # Example: a tenant of at most two users
///
/// ```
/// use callgate::{Company, EntityKind, Error, Limits};
///
/// let mut limits = Limits::DEFAULT;
/// limits.users = 2;
/// let mut company = Company::new();
/// company.set_limits(limits);
/// company.create_user("ann")?;
/// company.create_user("bob")?;
/// let refused = company.create_user("cid").unwrap_err();
/// assert_eq!(refused, Error::LimitReached { kind: EntityKind::User, limit: 2 });
/// assert_eq!(refused.to_string(), "too many users: the company's limit is 2 user ids");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Limits {
    /// User ids a company may give out.
    pub users: u32,
    /// Group ids a company may give out.
    pub groups: u32,
    /// Role ids a company may give out, the three built-in roles' included.
    pub roles: u32,
    /// Project ids a company may give out.
    pub projects: u32,
    /// Object ids a company may give out.
    pub objects: u32,
}

impl Limits {
    /// The limits of a new company: 2^24 (16,777,216) users and objects,
    /// 2^20 (1,048,576) groups, 2^16 (65,536) roles and projects.
    pub const DEFAULT: Self = Self {
        users: 1 << 24,
        groups: 1 << 20,
        roles: 1 << 16,
        projects: 1 << 16,
        objects: 1 << 24,
    };

    /// The limit for records of `kind`.
    #[must_use]
    pub const fn of(&self, kind: EntityKind) -> u32 {
        match kind {
            EntityKind::User => self.users,
            EntityKind::Group => self.groups,
            EntityKind::Role => self.roles,
            EntityKind::Project => self.projects,
            EntityKind::Object => self.objects,
        }
    }
}

/// [`Limits::DEFAULT`].
impl Default for Limits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

#[cfg(test)]
mod tests {
    use super::Limits;
    use crate::EntityKind;

    #[test]
    fn each_kind_reads_its_own_field() {
        let limits = Limits {
            users: 1,
            groups: 2,
            roles: 3,
            projects: 4,
            objects: 5,
        };
        let kinds = [
            EntityKind::User,
            EntityKind::Group,
            EntityKind::Role,
            EntityKind::Project,
            EntityKind::Object,
        ];
        let read: Vec<u32> = kinds.iter().map(|&kind| limits.of(kind)).collect();
        assert_eq!(read, [1, 2, 3, 4, 5]);
        assert_eq!(Limits::default(), Limits::DEFAULT);
    }
}
