//! The role x permission matrix, and the view from inside one section
//! (DOMAIN rules 6 and 19): both by the catalog's named sections.

use std::fmt;

use crate::catalog::Set;
use crate::{Change, ChangeReport, Company, Error, PermissionDef, PermissionFlags, RoleId};

/// One role's switch for one permission of a section, as an administrator
/// standing on that section's page sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct SectionSwitch {
    /// The role.
    pub role: RoleId,
    /// Whether the role grants the permission.
    pub allowed: bool,
    /// Whether the switch is read-only: the role is built in (Admin,
    /// Supervisor, Operator), and built-in roles cannot be edited (DOMAIN
    /// rule 6). [`Company::set_section_access`] refuses it with
    /// [`Error::BuiltinRole`] whoever asks; a custom role's switch can be
    /// flipped by anyone who may edit roles (a session may still be refused
    /// for its own permissions: see [`Company::apply_as`]).
    pub read_only: bool,
}

impl SectionSwitch {
    /// A switch as the section view shows it: what a host's test compares
    /// the view with.
    ///
    /// # Example
    ///
    /// ```
    /// use callgate::{Company, Permissions, RoleId, SectionSwitch};
    ///
    /// let company = Company::new();
    /// let row = company.section_of(Permissions::BILLING_VIEW)?.row(Permissions::BILLING_VIEW);
    /// let admin = row.and_then(|row| row.switch(RoleId::ADMIN));
    /// assert_eq!(admin, Some(SectionSwitch::new(RoleId::ADMIN, true, true)));
    /// # Ok::<(), callgate::Error>(())
    /// ```
    #[must_use]
    pub const fn new(role: RoleId, allowed: bool, read_only: bool) -> Self {
        Self {
            role,
            allowed,
            read_only,
        }
    }
}

impl<P: PermissionFlags> Company<P> {
    /// Every role with its switch for one permission: the column of the
    /// role x permission matrix seen from inside the section.
    ///
    /// # Errors
    ///
    /// [`Error::NotSinglePermission`] when `permission` is not exactly one
    /// catalog entry.
    ///
    /// # Example: who may see the call journal (0.2)
    ///
    /// ```
    /// # #![allow(deprecated)]
    /// use callgate::{Company, Permissions, RoleId};
    ///
    /// let company = Company::new();
    /// let switches = company.section_access(Permissions::CALL_JOURNAL_VIEW)?;
    /// let allowed: Vec<_> = switches.iter().filter(|s| s.allowed).map(|s| s.role).collect();
    /// assert_eq!(allowed, vec![RoleId::ADMIN, RoleId::SUPERVISOR, RoleId::OPERATOR]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[deprecated(
        since = "0.3.0",
        note = "one section type: `company.section_of(permission)?.row(permission)` gives the same switches, and `Company::section` every switch of a section"
    )]
    pub fn section_access(&self, permission: P) -> Result<Vec<SectionSwitch>, Error> {
        let row = self.section_of(permission)?.row(permission);
        Ok(row.map(|row| row.switches().collect()).unwrap_or_default())
    }

    /// The view from inside one section of the product: every switch of
    /// the section (a row per permission, in catalog order) with every
    /// role's setting (a column per role), built-in roles' switches marked
    /// read-only. What an administrator standing on the "Finance" page
    /// sees; [`Company::set_section_access`] flips a switch.
    ///
    /// Finds the name among the catalog's sections; the view borrows the
    /// company and copies nothing.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownSection`] when the catalog has no such section.
    ///
    /// # Example: standing in "Finance"
    ///
    /// ```
    /// use callgate::{Company, Permissions, RoleId};
    ///
    /// let mut company = Company::new();
    /// let cashier = company.create_role("Cashier", "", Permissions::PAYMENTS_MANAGE)?;
    /// let finance = company.section("Finance")?;
    /// assert_eq!(finance.name(), "Finance");
    /// let names: Vec<_> = finance.rows().map(|row| row.name()).collect();
    /// assert_eq!(names, ["balance.view", "billing.view", "billing.manage", "payments.view", "payments.manage"]);
    ///
    /// // Rows are the product's flags: what `allowed` and `check` take.
    /// for row in finance.rows() {
    ///     assert_eq!(finance.allowed(RoleId::ADMIN, row.permission()), Some(true));
    /// }
    /// assert_eq!(finance.allowed(cashier, Permissions::PAYMENTS_VIEW), Some(true));
    ///
    /// // Every role's switch, built-in ones read-only.
    /// let billing = finance.row(Permissions::BILLING_VIEW).expect("a Finance permission");
    /// let supervisor = billing.switch(RoleId::SUPERVISOR).expect("a role");
    /// assert!(!supervisor.allowed && supervisor.read_only);
    /// let cashier_switch = billing.switch(cashier).expect("a role");
    /// assert!(!cashier_switch.allowed && !cashier_switch.read_only);
    ///
    /// assert!(company.section("Finances").is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn section(&self, name: &str) -> Result<SectionView<'_, P>, Error> {
        let name = P::catalog()
            .sections()
            .iter()
            .find(|&&s| s == name)
            .ok_or_else(|| Error::UnknownSection {
                name: name.to_owned(),
            })?;
        Ok(SectionView {
            company: self,
            name,
        })
    }

    /// The view from inside the section that holds `permission` (see
    /// [`Company::section`]), for a host that knows the permission rather
    /// than its section's name.
    ///
    /// # Errors
    ///
    /// [`Error::NotSinglePermission`] when `permission` is not exactly one
    /// catalog entry.
    ///
    /// # Example: who may see the call journal
    ///
    /// ```
    /// use callgate::{Company, Permissions, RoleId};
    ///
    /// let mut company = Company::new();
    /// let qa = company.create_role("QA", "", Permissions::QA_CHECKS_MANAGE)?;
    /// let journal = Permissions::CALL_JOURNAL_VIEW;
    /// let section = company.section_of(journal)?;
    /// let row = section.row(journal).expect("the permission's own section");
    /// let allowed: Vec<_> = row.switches().filter(|s| s.allowed).map(|s| s.role).collect();
    /// assert_eq!(allowed, vec![RoleId::ADMIN, RoleId::SUPERVISOR, RoleId::OPERATOR]);
    ///
    /// // Flip the switch for QA; built-in switches are read-only.
    /// company.set_section_access(qa, journal, true)?;
    /// assert!(company.set_section_access(RoleId::OPERATOR, journal, false).is_err());
    /// assert_eq!(company.section_of(journal)?.allowed(qa, journal), Some(true));
    /// assert!(company.section_of(Permissions::FINANCE).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn section_of(&self, permission: P) -> Result<SectionView<'_, P>, Error> {
        match permission.single() {
            Some(def) => Ok(SectionView {
                company: self,
                name: def.section(),
            }),
            None => Err(Error::NotSinglePermission {
                permissions: permission.names().to_string(),
            }),
        }
    }

    /// Flips one role's switch for one section: the shorthand for
    /// [`Change::SetSectionAccess`]. Switching a view permission off also
    /// switches off the manage permission that implies it; switching a manage
    /// permission on also switches its view permission on.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownId`] for an unknown role, [`Error::BuiltinRole`] for a
    /// built-in one (its switch is [read-only](SectionSwitch::read_only)),
    /// [`Error::NotSinglePermission`] when `permission` is not one catalog
    /// entry.
    pub fn set_section_access(
        &mut self,
        role: RoleId,
        permission: P,
        allowed: bool,
    ) -> Result<ChangeReport, Error> {
        self.apply(Change::SetSectionAccess {
            role,
            permission,
            allowed,
        })
    }

    /// The whole role x permission matrix: one row per catalog permission,
    /// in the catalog's sections, one column per role. `Display` draws it
    /// as a text table, a heading per section.
    #[must_use]
    pub fn matrix(&self) -> Matrix<'_, P> {
        Matrix { company: self }
    }
}

/// The view from inside one section of the product: a row per permission
/// of the section, a column per role, each cell a [`SectionSwitch`] (with
/// built-in roles' switches read-only). Made by [`Company::section`] and
/// [`Company::section_of`].
///
/// `Display` draws it as a text table, like [`Matrix`]: `x` for allowed,
/// `.` for denied, and `*` after the name of a role whose switches are
/// read-only.
#[derive(Debug, Clone, Copy)]
pub struct SectionView<'c, P: PermissionFlags = crate::Permissions> {
    company: &'c Company<P>,
    name: &'static str,
}

impl<'c, P: PermissionFlags> SectionView<'c, P> {
    /// The section's name, as the catalog declares it (`Finance`).
    #[must_use]
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The columns: every role, in id order.
    pub fn roles(&self) -> impl Iterator<Item = RoleId> + 'c + use<'c, P> {
        self.company.roles().map(|(id, _)| id)
    }

    /// The rows: every permission of the section, in catalog order, each
    /// with its flag ([`SectionRow::permission`]) and its switches.
    pub fn rows(&self) -> impl Iterator<Item = SectionRow<'c, P>> + 'c + use<'c, P> {
        let company = self.company;
        P::catalog()
            .section_permissions(self.name)
            .map(move |def| SectionRow { company, def })
    }

    /// The row of one permission, or `None` when `permission` is not
    /// exactly one permission of this section.
    #[must_use]
    pub fn row(&self, permission: P) -> Option<SectionRow<'c, P>> {
        let def = permission
            .single()
            .filter(|def| def.section() == self.name)?;
        Some(SectionRow {
            company: self.company,
            def,
        })
    }

    /// Whether `role` grants every permission of `permission` (usually a
    /// row's [`permission`](SectionRow::permission)), or `None` for an
    /// unknown role.
    #[must_use]
    pub fn allowed(&self, role: RoleId, permission: P) -> Option<bool> {
        Some(self.company.role(role)?.permissions().has(permission))
    }

    /// The rows' definitions, as 0.2's `Matrix` gave them.
    #[deprecated(
        since = "0.3.0",
        note = "use `rows()`: each row has its flag (`permission()`), which `allowed` takes, and its definition (`def()`)"
    )]
    pub fn permissions(&self) -> impl Iterator<Item = &'static PermissionDef> + 'c + use<'c, P> {
        P::catalog().section_permissions(self.name)
    }

    /// The section's name, as 0.2's `Matrix::section` gave it.
    #[deprecated(since = "0.3.0", note = "use `name()`")]
    #[must_use]
    pub fn section(&self) -> Option<&'static str> {
        Some(self.name)
    }
}

/// One permission of a section, with every role's switch for it: a row of
/// a [`SectionView`] or a [`Matrix`].
#[derive(Debug, Clone, Copy)]
pub struct SectionRow<'c, P: PermissionFlags = crate::Permissions> {
    company: &'c Company<P>,
    def: &'static PermissionDef,
}

impl<'c, P: PermissionFlags> SectionRow<'c, P> {
    /// The permission as the product's flags, with what it implies (what
    /// a role holds when its switch is on): what
    /// [`SectionView::allowed`], [`SectionView::row`],
    /// [`Company::set_section_access`] and [`Company::check`] take. For
    /// the standard catalog it is the flag's constant
    /// (`Permissions::QUEUES_MANAGE`, which holds `queues.view`).
    #[must_use]
    pub fn permission(&self) -> P {
        P::of(self.bit()).close()
    }

    /// The permission's own bit, without what it implies.
    fn bit(&self) -> u128 {
        1 << self.def.bit()
    }

    /// The permission's stable name (`billing.view`).
    #[must_use]
    pub fn name(&self) -> &'static str {
        self.def.name()
    }

    /// The permission's definition in the catalog: its section, what it
    /// applies to and implies.
    #[must_use]
    pub fn def(&self) -> &'static PermissionDef {
        self.def
    }

    /// Every role's switch for the permission, in role id order.
    pub fn switches(&self) -> impl Iterator<Item = SectionSwitch> + 'c + use<'c, P> {
        let own = P::of(self.bit());
        self.company
            .roles()
            .map(move |(role, record)| SectionSwitch {
                role,
                allowed: record.permissions().has(own),
                read_only: record.is_builtin(),
            })
    }

    /// One role's switch, or `None` for an unknown role.
    #[must_use]
    pub fn switch(&self, role: RoleId) -> Option<SectionSwitch> {
        let record = self.company.role(role)?;
        Some(SectionSwitch {
            role,
            allowed: record.permissions().has(P::of(self.bit())),
            read_only: record.is_builtin(),
        })
    }
}

/// The role x permission matrix of a company, every section. Made by
/// [`Company::matrix`]; the part inside one section is a [`SectionView`].
#[derive(Debug, Clone, Copy)]
pub struct Matrix<'c, P: PermissionFlags = crate::Permissions> {
    company: &'c Company<P>,
}

impl<'c, P: PermissionFlags> Matrix<'c, P> {
    /// Always `None`: the matrix shows every section. (In 0.2 a section's
    /// part of it was a `Matrix` too; it is a [`SectionView`] now.)
    #[deprecated(
        since = "0.3.0",
        note = "a `Matrix` shows every section; `Company::section` gives a `SectionView`"
    )]
    #[must_use]
    pub fn section(&self) -> Option<&'static str> {
        None
    }

    /// The columns: every role, in id order.
    pub fn roles(&self) -> impl Iterator<Item = RoleId> + 'c + use<'c, P> {
        self.company.roles().map(|(id, _)| id)
    }

    /// The rows' definitions: every permission, in catalog order.
    pub fn permissions(&self) -> impl Iterator<Item = &'static PermissionDef> + 'c + use<'c, P> {
        P::catalog().permissions().iter()
    }

    /// The rows: every permission, in catalog order, each with its flag
    /// and its switches.
    pub fn rows(&self) -> impl Iterator<Item = SectionRow<'c, P>> + 'c + use<'c, P> {
        let company = self.company;
        self.permissions()
            .map(move |def| SectionRow { company, def })
    }

    /// The cell for one role and one permission, or `None` for an unknown
    /// role.
    #[must_use]
    pub fn allowed(&self, role: RoleId, permission: P) -> Option<bool> {
        Some(self.company.role(role)?.permissions().has(permission))
    }
}

impl<P: PermissionFlags> fmt::Display for Matrix<'_, P> {
    /// A text table: permissions down, grouped under their sections, roles
    /// across, `x` for allowed and `.` for denied; built-in roles (whose
    /// switches are read-only) are marked with `*`.
    ///
    /// Below the table, one line per grant with an end (DOMAIN rule 24),
    /// earliest first: ``Supervisor: user `sam` until 2026-12-14T00:00:00Z``.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        draw(self.company, None, f)?;
        let company = self.company;
        for (grant, until) in company.grant_ends() {
            let role = company.role(grant.role).map_or("?", |r| r.name());
            let holder = match grant.principal {
                crate::Principal::User(user) => {
                    format!("user `{}`", company.user(user).map_or("?", |u| u.name()))
                }
                crate::Principal::Group(group) => {
                    format!("group `{}`", company.group(group).map_or("?", |g| g.name()))
                }
            };
            write!(f, "\n{role}: {holder}")?;
            if let Some(project) = grant.project {
                let name = company.project(project).map_or("?", |p| p.name());
                write!(f, " within project `{name}`")?;
            }
            write!(f, " until {until}")?;
        }
        Ok(())
    }
}

impl<P: PermissionFlags> fmt::Display for SectionView<'_, P> {
    /// The [`Matrix`]'s table, this section only.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        draw(self.company, Some(self.name), f)
    }
}

/// Draws `company`'s matrix as a text table: one section's rows, or
/// (`None`) every row.
fn draw<P: PermissionFlags>(
    company: &Company<P>,
    section: Option<&str>,
    f: &mut fmt::Formatter<'_>,
) -> fmt::Result {
    let rows = P::catalog()
        .permissions()
        .iter()
        .filter(|p| section.is_none_or(|s| s == p.section()));
    let headers: Vec<(String, u128)> = company
        .roles()
        .map(|(_, role)| {
            let mark = if role.is_builtin() { "*" } else { "" };
            (
                format!("{}{mark}", role.name()),
                role.permissions().bits128(),
            )
        })
        .collect();
    let first = rows
        .clone()
        .map(|p| p.name().len() + 2)
        .max()
        .unwrap_or(0)
        .max("permission".len());
    write!(f, "{:first$}", "permission")?;
    for (name, _) in &headers {
        write!(f, "  {name}")?;
    }
    writeln!(f)?;
    let mut section = "";
    for permission in rows {
        if permission.section() != section {
            section = permission.section();
            writeln!(f, "{section}")?;
        }
        let mut line = format!("  {:width$}", permission.name(), width = first - 2);
        for (name, bits) in &headers {
            let cell = if bits & (1 << permission.bit()) != 0 {
                'x'
            } else {
                '.'
            };
            let width = name.chars().count();
            line.push_str(&format!("  {cell:^width$}"));
        }
        writeln!(f, "{}", line.trim_end())?;
    }
    Ok(())
}
