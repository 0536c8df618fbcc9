//! Provisioning a tenant from a stored document: as a new company
//! ([`Company::from_template`]), or as the company the host expects
//! ([`Company::load_expecting`]), never silently as another tenant.

use serde::Deserializer;

use super::Document;
use crate::{Company, CompanyId, Error, PermissionFlags};

/// Loading a template or a tenant's own document, standard catalog.
impl Company {
    /// [`Company::load`], then a new random identity: for a template
    /// document, or a backup restored as a new tenant. The records, names,
    /// revision and mode are the document's; the [`CompanyId`] is not, so
    /// sessions and log entries of the company the document came from (or
    /// of any other tenant made from it) are refused here
    /// ([`DenyReason::OtherCompany`](crate::DenyReason::OtherCompany),
    /// [`Error::OtherCompany`]).
    ///
    /// The company keeps the default [`Limits`](crate::Limits); set the
    /// tenant's quota with [`Company::set_limits`].
    ///
    /// # Errors
    ///
    /// Every error of [`Company::load`].
    ///
    /// # Example: two tenants from one template
    ///
    /// ```
    /// use callgate::{Company, DenyReason, Permissions, Resource, UserId};
    ///
    /// let mut template = Company::new();
    /// template.create_user("admin")?;
    /// let json = serde_json::to_string(&template.to_document())?;
    ///
    /// let acme = Company::load_template(&mut serde_json::Deserializer::from_str(&json))?;
    /// let globex = Company::load_template(&mut serde_json::Deserializer::from_str(&json))?;
    /// assert_ne!(acme.id(), globex.id());
    /// assert_ne!(acme.id(), template.id());
    ///
    /// let session = acme.login(UserId::new(0))?;
    /// let decision = globex.check_session(&session, Permissions::USERS_MANAGE, Resource::Company);
    /// assert_eq!(decision.deny_reason(), Some(DenyReason::OtherCompany));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn load_template<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, Error> {
        Ok(Self::load(deserializer)?.with_id(CompanyId::random()))
    }

    /// [`Company::load`] for the tenant the host expects: a document that
    /// carries another company's id is refused, so a host that mixed up
    /// its stored documents does not serve one tenant's data as another's
    /// (and their sessions in each other's). A format 1 document, which
    /// carries no id, takes `expected`.
    ///
    /// # Errors
    ///
    /// [`Error::OtherCompany`] naming the document's id and `expected`;
    /// every error of [`Company::load`].
    ///
    /// # Example: the wrong tenant's document
    ///
    /// ```
    /// use callgate::{Company, CompanyId, Error};
    ///
    /// let mut acme = Company::new().with_id(CompanyId::new(1));
    /// acme.create_user("ann")?;
    /// let json = serde_json::to_string(&acme.to_document())?;
    /// let read = || serde_json::Deserializer::from_str(&json);
    ///
    /// let again = Company::load_expecting(&mut read(), CompanyId::new(1))?;
    /// assert_eq!(again.id(), CompanyId::new(1));
    ///
    /// let refused = Company::load_expecting(&mut read(), CompanyId::new(2)).unwrap_err();
    /// assert!(matches!(refused, Error::OtherCompany { .. }));
    /// assert_eq!(
    ///     refused.to_string(),
    ///     "a document of company 0000000000000001 was used with company 0000000000000002",
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn load_expecting<'de, D: Deserializer<'de>>(
        deserializer: D,
        expected: CompanyId,
    ) -> Result<Self, Error> {
        Self::load_for_expecting(deserializer, expected)
    }
}

/// The same for a company of any catalog.
impl<P: PermissionFlags> Company<P> {
    /// [`Company::load_template`] for a company of any catalog:
    /// [`Company::from_document`], then a new random identity.
    ///
    /// # Errors
    ///
    /// Every error of [`Company::from_document`].
    pub fn from_template(document: Document<P>) -> Result<Self, Error> {
        Ok(Self::from_document(document)?.with_id(CompanyId::random()))
    }

    /// [`Company::load_expecting`] for a company of any catalog, `P` being
    /// the product's flags type.
    ///
    /// # Errors
    ///
    /// Every error of [`Company::load_expecting`].
    pub fn load_for_expecting<'de, D: Deserializer<'de>>(
        deserializer: D,
        expected: CompanyId,
    ) -> Result<Self, Error> {
        let document: Document<P> = super::load::read(deserializer)?;
        Self::from_document_expecting(document, expected)
    }

    /// [`Company::from_document`] for the tenant the host expects (see
    /// [`Company::load_expecting`]). The id is compared before anything is
    /// checked or built.
    ///
    /// # Errors
    ///
    /// [`Error::OtherCompany`] naming the document's id and `expected`;
    /// every error of [`Company::from_document`].
    pub fn from_document_expecting(
        mut document: Document<P>,
        expected: CompanyId,
    ) -> Result<Self, Error> {
        match document.company {
            Some(id) if id != expected => {
                return Err(Error::OtherCompany {
                    what: "document",
                    of: id,
                    used_with: expected,
                });
            }
            Some(_) => {}
            None => document.company = Some(expected),
        }
        Self::from_document(document)
    }
}
