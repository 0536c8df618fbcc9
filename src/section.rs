//! The role x permission matrix, and one column of it seen from inside a
//! section (DOMAIN rule 6).

use std::fmt;

use crate::{Change, ChangeReport, Company, Error, PermissionInfo, Permissions, RoleId, CATALOG};

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

impl Company {
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
    pub fn section_access(&self, permission: Permissions) -> Result<Vec<SectionSwitch>, Error> {
        if !permission.is_single() {
            return Err(Error::NotSinglePermission {
                permissions: permission.to_string(),
            });
        }
        Ok(self
            .roles()
            .map(|(id, role)| SectionSwitch {
                role: id,
                allowed: role.permissions().contains(permission),
                read_only: role.is_builtin(),
            })
            .collect())
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
        permission: Permissions,
        allowed: bool,
    ) -> Result<ChangeReport, Error> {
        self.apply(Change::SetSectionAccess {
            role,
            permission,
            allowed,
        })
    }

    /// The whole role x permission matrix: one row per catalog permission,
    /// one column per role. `Display` draws it as a text table.
    #[must_use]
    pub fn matrix(&self) -> Matrix<'_> {
        Matrix { company: self }
    }
}

/// The role x permission matrix of a company. Made by [`Company::matrix`].
#[derive(Debug, Clone, Copy)]
pub struct Matrix<'c> {
    company: &'c Company,
}

impl Matrix<'_> {
    /// The columns: every role, in id order.
    pub fn roles(&self) -> impl Iterator<Item = RoleId> + '_ {
        self.company.roles().map(|(id, _)| id)
    }

    /// The rows: every catalog permission, in catalog order.
    pub fn permissions(&self) -> impl Iterator<Item = &'static PermissionInfo> {
        CATALOG.iter()
    }

    /// The cell for one role and one permission, or `None` for an unknown
    /// role.
    #[must_use]
    pub fn allowed(&self, role: RoleId, permission: Permissions) -> Option<bool> {
        Some(self.company.role(role)?.permissions().contains(permission))
    }
}

impl fmt::Display for Matrix<'_> {
    /// A text table: permissions down, roles across, `x` for allowed and `.`
    /// for denied; built-in roles are marked with `*`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<(String, crate::Permissions)> = self
            .company
            .roles()
            .map(|(_, role)| {
                let mark = if role.is_builtin() { "*" } else { "" };
                (format!("{}{mark}", role.name()), role.permissions())
            })
            .collect();
        let first = CATALOG
            .iter()
            .map(|info| info.name.len())
            .max()
            .unwrap_or(0);
        write!(f, "{:first$}", "permission")?;
        for (name, _) in &headers {
            write!(f, "  {name}")?;
        }
        writeln!(f)?;
        for info in CATALOG {
            let mut line = format!("{:first$}", info.name);
            for (name, permissions) in &headers {
                let cell = if permissions.contains(info.flag) {
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
