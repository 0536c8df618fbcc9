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
/// hostile document's) cost the tables one shared 8-byte chunk pointer per
/// chunk of ids, per table that holds them (the snapshot keeps each
/// project's objects by kind, so project ids count once per kind). At the
/// defaults, a
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
/// # A quota for new records, a bound for what is read
///
/// The limits a company keeps are its **quota**: a change that would
/// *create* a record past it is refused. What a company has already given
/// out is another matter: a quota lowered below it keeps those records,
/// and the company must still restart from its own document and its
/// replicas must still follow its log. So loading a document and
/// replaying a log ([`Company::catch_up`](crate::Company::catch_up)) are
/// bounded by [`Limits::loading_bound`] instead: each kind's quota or its
/// default, whichever is higher. That bound is what protects the host from
/// a hostile document or log, and it needs no lower value: ids never used
/// cost a chunk pointer per few thousand (under 1 MiB at the defaults),
/// and records cost memory in proportion to the bytes that describe them,
/// which the host bounds when it reads them.
///
/// (The other choice, storing the quota in the document, would not help:
/// a hostile document can name any quota, and the quota would have to be
/// logged and replayed to reach the replicas.)
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

    /// What loading a document and replaying a log accept, per kind: the
    /// quota or [`Limits::DEFAULT`], whichever is higher. A company whose
    /// quota was lowered below what it had given out still loads and
    /// replicates; a document or log past the defaults (or past a quota
    /// the host raised above them) is still refused.
    ///
    /// # Example: a quota of 5 users still reads 10
    ///
    /// ```
    /// use callgate::Limits;
    ///
    /// let mut quota = Limits::DEFAULT;
    /// quota.users = 5;
    /// quota.groups = u32::MAX - 1;
    /// let bound = quota.loading_bound();
    /// assert_eq!(bound.users, Limits::DEFAULT.users);
    /// assert_eq!(bound.groups, u32::MAX - 1);
    /// ```
    #[must_use]
    pub const fn loading_bound(&self) -> Self {
        const fn higher(a: u32, b: u32) -> u32 {
            if a > b { a } else { b }
        }
        Self {
            users: higher(self.users, Self::DEFAULT.users),
            groups: higher(self.groups, Self::DEFAULT.groups),
            roles: higher(self.roles, Self::DEFAULT.roles),
            projects: higher(self.projects, Self::DEFAULT.projects),
            objects: higher(self.objects, Self::DEFAULT.objects),
        }
    }

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
