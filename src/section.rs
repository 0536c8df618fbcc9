//! The role x permission matrix, and the view from inside one section
//! (DOMAIN rules 6 and 19): both by the catalog's named sections.

use std::fmt;

use crate::catalog::Set;
use crate::{Change, ChangeReport, Company, Error, PermissionDef, PermissionFlags, RoleId};

/// One role's switch for one section, as an administrator standing on that
/// section's page sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SectionSwitch {
    /// The role.
    pub role: RoleId,
    /// Whether the role grants the section's permission.
    pub allowed: bool,
    /// Whether the switch is read-only (built-in roles cannot be edited).
    pub read_only: bool,
}

impl<P: PermissionFlags> Company<P> {
    /// Every role with its switch for one section (one permission): the
    /// column of the role x permission matrix seen from inside the section.
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
    /// let switches = company.section_access(Permissions::CALL_JOURNAL_VIEW)?;
    /// let allowed: Vec<_> = switches.iter().filter(|s| s.allowed).map(|s| s.role).collect();
    /// assert_eq!(allowed, vec![RoleId::ADMIN, RoleId::SUPERVISOR, RoleId::OPERATOR]);
    ///
    /// // Flip the switch for QA; built-in switches are read-only.
    /// company.set_section_access(qa, Permissions::CALL_JOURNAL_VIEW, true)?;
    /// assert!(company.set_section_access(RoleId::OPERATOR, Permissions::CALL_JOURNAL_VIEW, false).is_err());
    /// assert!(company.role(qa).unwrap().permissions().contains(Permissions::CALL_JOURNAL_VIEW));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn section_access(&self, permission: P) -> Result<Vec<SectionSwitch>, Error> {
        let Some(single) = permission.single() else {
            return Err(Error::NotSinglePermission {
                permissions: permission.names().to_string(),
            });
        };
        let own = P::of(1 << single.bit());
        Ok(self
            .roles()
            .map(|(id, role)| SectionSwitch {
                role: id,
                allowed: role.permissions().has(own),
                read_only: role.is_builtin(),
            })
            .collect())
    }

    /// The view from inside one section of the product: every switch of
    /// the section (one per permission), with every role's setting. What
    /// an administrator standing on the "Finance" page sees.
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
    /// let names: Vec<_> = finance.permissions().map(|p| p.name()).collect();
    /// assert_eq!(names, ["balance.view", "billing.view", "billing.manage", "payments.view", "payments.manage"]);
    /// assert_eq!(finance.allowed(cashier, Permissions::PAYMENTS_VIEW), Some(true));
    /// assert_eq!(finance.allowed(RoleId::SUPERVISOR, Permissions::BILLING_VIEW), Some(false));
    /// assert!(company.section("Finances").is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn section(&self, name: &str) -> Result<Matrix<'_, P>, Error> {
        let section = P::catalog()
            .sections()
            .iter()
            .find(|&&s| s == name)
            .ok_or_else(|| Error::UnknownSection {
                name: name.to_owned(),
            })?;
        Ok(Matrix {
            company: self,
            section: Some(section),
        })
    }

    /// Flips one role's switch for one section: the shorthand for
    /// [`Change::SetSectionAccess`]. Switching a view permission off also
    /// switches off the manage permission that implies it; switching a manage
    /// permission on also switches its view permission on.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownId`] for an unknown role, [`Error::BuiltinRole`] for a
    /// built-in one, [`Error::NotSinglePermission`] when `permission` is not
    /// one catalog entry.
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
        Matrix {
            company: self,
            section: None,
        }
    }
}

/// The role x permission matrix of a company, or the part of it inside one
/// section. Made by [`Company::matrix`] and [`Company::section`].
#[derive(Debug, Clone, Copy)]
pub struct Matrix<'c, P: PermissionFlags = crate::Permissions> {
    company: &'c Company<P>,
    /// `None`: every section.
    section: Option<&'static str>,
}

impl<P: PermissionFlags> Matrix<'_, P> {
    /// The section shown, or `None` for the whole matrix.
    #[must_use]
    pub fn section(&self) -> Option<&'static str> {
        self.section
    }

    /// The columns: every role, in id order.
    pub fn roles(&self) -> impl Iterator<Item = RoleId> + '_ {
        self.company.roles().map(|(id, _)| id)
    }

    /// The rows: every permission shown, in catalog order.
    pub fn permissions(&self) -> impl Iterator<Item = &'static PermissionDef> + '_ {
        let section = self.section;
        P::catalog()
            .permissions()
            .iter()
            .filter(move |p| section.is_none_or(|s| s == p.section()))
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
    /// across, `x` for allowed and `.` for denied; built-in roles are
    /// marked with `*`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<(String, u128)> = self
            .company
            .roles()
            .map(|(_, role)| {
                let mark = if role.is_builtin() { "*" } else { "" };
                (
                    format!("{}{mark}", role.name()),
                    role.permissions().bits128(),
                )
            })
            .collect();
        let first = self
            .permissions()
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
        for permission in self.permissions() {
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
}
