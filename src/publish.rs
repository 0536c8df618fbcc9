//! The read side and the write side of a service: [`Publisher`] owns the
//! company and publishes it after every change; [`Reader`]s hand request
//! threads the latest [`View`], without locks.

use std::ops::Deref;
use std::sync::Arc;

use arc_swap::ArcSwap;

use crate::{
    Change, ChangeReport, Company, Decision, Error, LogEntry, PermissionFlags, Permissions, Plan,
    Resource, Session, SessionDecision, UserId,
};

/// A published state of a company: everything a request thread asks,
/// answered from the company as it was when it was published.
///
/// A view dereferences to that [`Company`], so every `&self` method of
/// `Company` answers from it: [`check`](Company::check) and
/// [`check_session`](Company::check_session),
/// [`explain`](Company::explain) and
/// [`describe_decision`](Company::describe_decision), names to ids
/// ([`user_by_name`](Company::user_by_name),
/// [`resource_by_name`](Company::resource_by_name), ...) and back
/// ([`user`](Company::user), [`resource_name`](Company::resource_name)),
/// listings ([`visible_objects`](Company::visible_objects)),
/// [`who_can`](Company::who_can), the [`matrix`](Company::matrix), and
/// [`preview`](Company::preview) of a change. Nothing can change it.
///
/// A view is `Send + Sync` and cloning it is one atomic increment. It keeps
/// answering from its state however the company changes after it: a request
/// that reads a name, then checks, then explains sees one state throughout.
/// It shares with the writer's company (and with older and newer views)
/// every chunk of records and compiled entries that no change has touched
/// since, so holding many views costs what changed between them.
///
/// # Example
///
/// ```
/// use callgate::{Company, Permissions, Publisher, Resource};
///
/// let mut company = Company::new();
/// company.create_user("ann")?;
/// let publisher = Publisher::new(company);
/// let view = publisher.reader().view();
///
/// let ann = view.user_by_name("ann").expect("published");
/// assert!(view.check(ann, Permissions::SECURITY_MANAGE, Resource::Company).is_allowed());
/// println!("{}", view.explain(ann, Permissions::SECURITY_MANAGE, Resource::Company));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct View<P: PermissionFlags = Permissions> {
    company: Arc<Company<P>>,
}

impl<P: PermissionFlags> Clone for View<P> {
    fn clone(&self) -> Self {
        Self {
            company: Arc::clone(&self.company),
        }
    }
}

impl<P: PermissionFlags> std::fmt::Debug for View<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("View")
            .field("revision", &self.company.revision())
            .finish_non_exhaustive()
    }
}

impl<P: PermissionFlags> Deref for View<P> {
    type Target = Company<P>;

    fn deref(&self) -> &Company<P> {
        &self.company
    }
}

impl<P: PermissionFlags> View<P> {
    /// The company as it was published.
    #[must_use]
    pub fn company(&self) -> &Company<P> {
        &self.company
    }
}

impl<P: PermissionFlags> Company<P> {
    /// A view of the company as it is now, for other threads.
    ///
    /// Computes in **O(chunks)**: the view shares every record, name and
    /// compiled entry with the company, in chunks; the company copies a
    /// chunk only when a later change writes to it. At 100,000 users and
    /// 200,000 objects that is a few hundred pointers, not the 47 MiB of
    /// the company (see the README's performance table).
    #[must_use]
    pub fn view(&self) -> View<P> {
        View {
            company: Arc::new(self.clone()),
        }
    }
}

/// The write side of a service: owns the [`Company`] and publishes a new
/// [`View`] to its [`Reader`]s after every accepted change.
///
/// Changes go through the publisher ([`apply`](Self::apply),
/// [`apply_as`](Self::apply_as), [`commit`](Self::commit),
/// [`catch_up`](Self::catch_up), or [`edit`](Self::edit) for anything
/// else), one writer at a time (`&mut self`). Each accepted change is
/// published when the call returns, so a reader sees either the state before
/// it or the state after it, never half of it; a refused change publishes
/// nothing. Readers never wait for the writer, and the writer waits for no
/// reader: a reader holding an older view keeps it.
///
/// Publishing costs the chunks the change touched and one atomic swap
/// ([`arc_swap::ArcSwap`]), not the size of the company: between changes
/// the writer and its readers hold one company, the one last published.
/// The price is paid by the next change: it copies the company's chunk
/// pointers, and its first write to a chunk that a view shares copies
/// that chunk (64 records, or 4,096 compiled entries), so a one-user change
/// that takes about a microsecond on a company no one reads from takes
/// 15-20 µs behind a publisher at 100,000 users. Batch changes that belong
/// together in one [`edit`](Self::edit).
///
/// # Example: a writer and reader threads
///
/// ```
/// use callgate::{Change, Company, Permissions, Publisher, Resource, RoleId};
///
/// let mut company = Company::new();
/// company.create_user("ann")?;
/// let bob = company.create_user("bob")?;
/// let mut publisher = Publisher::new(company);
///
/// let reader = publisher.reader();
/// let thread = std::thread::spawn(move || {
///     reader.check(bob, Permissions::CALL_JOURNAL_VIEW, Resource::Company).is_allowed()
/// });
/// let before = thread.join().expect("reader");
///
/// publisher.apply(Change::AssignRole { role: RoleId::OPERATOR, principals: vec![bob.into()] })?;
/// let reader = publisher.reader();
/// assert!(!before);
/// assert!(reader.check(bob, Permissions::CALL_JOURNAL_VIEW, Resource::Company).is_allowed());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Publisher<P: PermissionFlags = Permissions> {
    // INVARIANT (shared): `company` is the company last published, the
    // same allocation as `published` holds, between writes: a resident
    // company is held once, not once for the writer and once for its
    // readers. A write copies it first (`Arc::make_mut`, the copy sharing
    // every chunk) while a view may hold it; see `write`.
    company: Arc<Company<P>>,
    published: Arc<ArcSwap<Company<P>>>,
}

impl<P: PermissionFlags> std::fmt::Debug for Publisher<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Publisher")
            .field("revision", &self.company.revision())
            .finish_non_exhaustive()
    }
}

impl<P: PermissionFlags> Publisher<P> {
    /// Takes `company` and publishes it.
    #[must_use]
    pub fn new(company: Company<P>) -> Self {
        let company = Arc::new(company);
        let published = Arc::new(ArcSwap::new(Arc::clone(&company)));
        Self { company, published }
    }

    /// A handle for request threads: `Send + Sync`, cheap to clone, and
    /// always reading the latest published view.
    #[must_use]
    pub fn reader(&self) -> Reader<P> {
        Reader {
            published: Arc::clone(&self.published),
        }
    }

    /// The writer's company (the same state as the last published view).
    #[must_use]
    pub fn company(&self) -> &Company<P> {
        &self.company
    }

    /// Takes the company back; readers keep the last published view.
    #[must_use]
    pub fn into_company(self) -> Company<P> {
        drop(self.published);
        Arc::try_unwrap(self.company).unwrap_or_else(|shared| (*shared).clone())
    }

    /// [`Company::apply`], then publishes.
    ///
    /// # Errors
    ///
    /// As [`Company::apply`]; a refused change publishes nothing.
    pub fn apply(&mut self, change: Change<P>) -> Result<ChangeReport, Error> {
        self.write(Unchanged::Revert, |company| company.apply(change))
    }

    /// [`Company::apply_as`], then publishes.
    ///
    /// # Errors
    ///
    /// As [`Company::apply_as`]; a refused change publishes nothing.
    pub fn apply_as(
        &mut self,
        session: &Session,
        change: Change<P>,
    ) -> Result<ChangeReport, Error> {
        self.write(Unchanged::Revert, |company| {
            company.apply_as(session, change)
        })
    }

    /// [`Company::plan`] on the writer's company: validates `change`
    /// without changing or publishing anything, for the host to store the
    /// plan's [log entry](Plan::entry) and then [commit](Publisher::commit)
    /// it.
    ///
    /// # Errors
    ///
    /// As [`Company::plan`].
    ///
    /// # Example: plan, store the entry, commit, publish
    ///
    /// ```
    /// use callgate::{Change, Company, Permissions, Publisher, Resource, RoleId};
    ///
    /// let mut company = Company::new();
    /// let _admin = company.create_user("ann")?;
    /// let bob = company.create_user("bob")?;
    /// let mut publisher = Publisher::new(company);
    /// let reader = publisher.reader();
    ///
    /// let plan = publisher.plan(Change::AssignRole { role: RoleId::OPERATOR, principals: vec![bob.into()] })?;
    /// let stored = plan.entry().clone(); // the host writes it to its store
    /// assert_eq!(stored.revision, 2);
    /// assert!(!reader.check(bob, Permissions::CALL_JOURNAL_VIEW, Resource::Company).is_allowed());
    ///
    /// publisher.commit(plan)?;
    /// assert!(reader.check(bob, Permissions::CALL_JOURNAL_VIEW, Resource::Company).is_allowed());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn plan(&self, change: Change<P>) -> Result<Plan<P>, Error> {
        self.company.plan(change)
    }

    /// [`Company::plan_as`] on the writer's company: [`Publisher::plan`]
    /// for a change made by the user behind `session`, who must be allowed
    /// to make it; the log entry names them as its actor.
    ///
    /// # Errors
    ///
    /// As [`Company::plan_as`].
    pub fn plan_as(&self, session: &Session, change: Change<P>) -> Result<Plan<P>, Error> {
        self.company.plan_as(session, change)
    }

    /// [`Company::commit`] of a plan made by [`Publisher::plan`] or
    /// [`Publisher::plan_as`] (or from [`company`](Self::company))
    /// (after the host stored its log entry), then publishes.
    ///
    /// # Errors
    ///
    /// As [`Company::commit`]; a refused plan publishes nothing.
    pub fn commit(&mut self, plan: Plan<P>) -> Result<ChangeReport, Error> {
        self.write(Unchanged::Revert, |company| company.commit(plan))
    }

    /// [`Company::catch_up`] on log entries (a replica following its
    /// primary), then publishes once.
    ///
    /// # Errors
    ///
    /// As [`Company::catch_up`]; the entries applied before the refused
    /// one are published.
    pub fn catch_up<E: std::borrow::Borrow<LogEntry<P>>>(
        &mut self,
        entries: impl IntoIterator<Item = E>,
    ) -> Result<usize, Error> {
        self.write(Unchanged::Revert, |company| company.catch_up(entries))
    }

    /// Runs `edit` on the company (any `&mut` method: `create_user`, several
    /// changes at once), then publishes once. Readers see all of the edit or
    /// none of it; an edit that changes no record (a refused change) leaves
    /// them at the same revision and state.
    ///
    /// Batching pays: the first write to a chunk after a publish copies the
    /// chunk (readers may hold it), so ten changes in one edit copy each
    /// chunk they share once, where ten `apply` calls may copy it ten times.
    ///
    /// What changes no record is kept too: an edit that calls
    /// [`set_limits`](Company::set_limits) or
    /// [`shrink_to_fit`](Company::shrink_to_fit) publishes the company with
    /// its new quota or capacity, the same state for readers.
    pub fn edit<R>(&mut self, edit: impl FnOnce(&mut Company<P>) -> R) -> R {
        self.write(Unchanged::Publish, edit)
    }

    /// Runs `write` on the writer's company, copied first while the
    /// published view shares it (a copy of the chunk pointers; a change
    /// then copies the chunks it writes to), and publishes the result, so
    /// that the two stay one allocation (the invariant (shared)). A write
    /// that changed no record goes by `unchanged`.
    fn write<R>(&mut self, unchanged: Unchanged, write: impl FnOnce(&mut Company<P>) -> R) -> R {
        let before = self.company.state;
        let result = write(Arc::make_mut(&mut self.company));
        if self.company.state == before && unchanged == Unchanged::Revert {
            // A refused change leaves the company exactly as it was, and
            // the writer's company was the published one (the invariant):
            // share it again rather than keep the copy.
            self.company = self.published.load_full();
        } else {
            crate::trace::enter_span!("publish", company = %self.company.id(), revision = self.company.revision());
            self.published.store(Arc::clone(&self.company));
        }
        result
    }
}

/// What [`Publisher`]'s `write` does with a write that changed no record.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Unchanged {
    /// The write is all or nothing (a change, a plan, a catch-up): nothing
    /// changed, so the writer goes back to the published company.
    Revert,
    /// The write may have changed what is not a record (the limits, the
    /// capacity): the company is published as it is.
    Publish,
}

/// The read side of a service: a handle on the latest [`View`] a
/// [`Publisher`] published. `Send + Sync`, and cloning it is cheap; give one
/// to each request thread or keep one in the server's state.
///
/// [`view`](Self::view) takes the latest view for a request that asks
/// several questions of one state. [`check`](Self::check) and
/// [`check_session`](Self::check_session) answer one question from the
/// latest view without taking a reference count (an `arc_swap` guard), for
/// the hottest path.
pub struct Reader<P: PermissionFlags = Permissions> {
    published: Arc<ArcSwap<Company<P>>>,
}

impl<P: PermissionFlags> Clone for Reader<P> {
    fn clone(&self) -> Self {
        Self {
            published: Arc::clone(&self.published),
        }
    }
}

impl<P: PermissionFlags> std::fmt::Debug for Reader<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reader")
            .field("revision", &self.published.load().revision())
            .finish_non_exhaustive()
    }
}

impl<P: PermissionFlags> Reader<P> {
    /// The latest published view. Never blocks.
    #[must_use]
    pub fn view(&self) -> View<P> {
        View {
            company: self.published.load_full(),
        }
    }

    /// [`Company::check`] on the latest published view.
    #[must_use]
    pub fn check(&self, user: UserId, action: P, resource: Resource) -> Decision {
        self.published.load().check(user, action, resource)
    }

    /// [`Company::check_session`] on the latest published view.
    #[must_use]
    pub fn check_session(
        &self,
        session: &Session,
        action: P,
        resource: Resource,
    ) -> SessionDecision {
        self.published
            .load()
            .check_session(session, action, resource)
    }

    /// The revision of the latest published view.
    #[must_use]
    pub fn revision(&self) -> u64 {
        self.published.load().revision()
    }

    /// Runs `read` on the latest published company without taking a
    /// reference count: for a few questions at once (a name, then a check),
    /// faster than [`view`](Self::view) when many threads read. Keep `read`
    /// short: the state it sees is held until it returns, and a thread that
    /// holds several at once falls back to a slower path. For a whole
    /// request, take a [`view`](Self::view).
    ///
    /// ```
    /// use callgate::{Company, Permissions, Publisher, Resource};
    ///
    /// let mut company = Company::new();
    /// company.create_user("ann")?;
    /// let reader = Publisher::new(company).reader();
    /// let allowed = reader.read(|company| {
    ///     let ann = company.user_by_name("ann")?;
    ///     Some(company.check(ann, Permissions::SECURITY_MANAGE, Resource::Company).is_allowed())
    /// });
    /// assert_eq!(allowed, Some(true));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn read<R>(&self, read: impl FnOnce(&Company<P>) -> R) -> R {
        read(&self.published.load())
    }
}

#[cfg(test)]
mod tests {
    use super::{Publisher, Reader, View};

    fn send_sync<T: Send + Sync + Clone>() {}

    #[test]
    fn views_and_readers_cross_threads() {
        send_sync::<View>();
        send_sync::<Reader>();
    }

    /// A view shares every chunk the change after it did not touch: one
    /// user's change copies one chunk of user records, one of the
    /// snapshot's user entries, and nothing of the other tables.
    #[test]
    fn a_change_after_a_view_copies_only_the_chunks_it_touches() {
        let mut company = crate::Company::new();
        let users: Vec<_> = (0..9000)
            .map(|i| company.create_user(format!("user {i}")).expect("unique"))
            .collect();
        let object = company
            .create_object(crate::ObjectKind::Queue, "Sales")
            .expect("new");
        let view = company.view();
        company
            .apply(crate::Change::AssignRole {
                role: crate::RoleId::OPERATOR,
                principals: vec![users[5000].into()],
            })
            .expect("valid");
        let (before, after) = (view.company(), &company);
        let users = after.users.chunks();
        assert_eq!(users, 9000_usize.div_ceil(8));
        assert_eq!(after.users.shared_chunks(&before.users), users - 1);
        assert_eq!(after.objects.shared_chunks(&before.objects), 1);
        let entries = after.snapshot.users.chunks();
        assert_eq!(entries, 3);
        assert_eq!(
            after.snapshot.users.shared_chunks(&before.snapshot.users),
            2
        );
        assert_eq!(
            after
                .snapshot
                .objects
                .shared_chunks(&before.snapshot.objects),
            1
        );
        assert!(
            !view
                .check(
                    users_id(5000),
                    crate::Permissions::CALL_JOURNAL_VIEW,
                    crate::Resource::Company
                )
                .is_allowed()
        );
        assert!(
            company
                .check(
                    users_id(5000),
                    crate::Permissions::CALL_JOURNAL_VIEW,
                    crate::Resource::Company
                )
                .is_allowed()
        );
        assert_eq!(
            view.object_by_name(crate::ObjectKind::Queue, "Sales"),
            Some(object)
        );
    }

    fn users_id(index: u32) -> crate::UserId {
        crate::UserId::new(index)
    }

    #[test]
    fn the_writer_shares_the_published_company_between_changes() {
        use std::sync::Arc;
        let mut publisher = Publisher::new(crate::Company::new());
        let shared = |p: &Publisher| Arc::ptr_eq(&p.company, &p.published.load_full());
        assert!(shared(&publisher));
        publisher
            .apply(crate::Change::create_user("ann"))
            .expect("first user");
        assert!(shared(&publisher));
        let published = publisher.published.load_full();
        // A refused change goes back to the published company itself.
        assert!(publisher.apply(crate::Change::create_user("ann")).is_err());
        assert!(shared(&publisher));
        assert!(Arc::ptr_eq(&published, &publisher.published.load_full()));
        // An edit that changes no record keeps what it did change (the
        // quota here), and publishes it: the same state for readers.
        let quota = crate::Limits {
            users: 1,
            ..crate::Limits::DEFAULT
        };
        assert!(publisher.edit(|c| c.create_user("ann")).is_err());
        publisher.edit(|c| c.set_limits(quota));
        assert!(shared(&publisher));
        assert_eq!(publisher.published.load().revision(), 1);
        assert!(publisher.apply(crate::Change::create_user("ann")).is_err());
        let refused = publisher.apply(crate::Change::create_user("bob"));
        assert!(
            matches!(refused, Err(crate::Error::LimitReached { .. })),
            "{refused:?}"
        );
        assert_eq!(publisher.company().limits(), quota);
    }

    #[test]
    fn a_refused_change_publishes_nothing() {
        let mut publisher = Publisher::new(crate::Company::new());
        let reader = publisher.reader();
        publisher
            .edit(|c| c.create_user("ann"))
            .expect("first user");
        assert_eq!(reader.revision(), 1);
        let unknown = crate::Change::AssignRole {
            role: crate::RoleId::new(999),
            principals: vec![],
        };
        assert!(publisher.apply(unknown).is_err());
        assert_eq!(reader.revision(), 1);
        assert_eq!(reader.view().revision(), publisher.company().revision());
    }
}
