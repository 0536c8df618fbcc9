//! Stable codes and coarse categories of [`Error`], and its serialized
//! form: what a service maps to its own answers.

use std::fmt;

use super::Error;

/// The coarse kind of an [`Error`], for choosing the status of an answer.
///
/// Each error has one ([`Error::category`]); the table in [`Error`]'s
/// documentation lists them all and says what each category means. The
/// names (`not_found`, `forbidden`, ...) are stable: [`Display`](fmt::Display)
/// and, with the `serde` feature, `Serialize`/`Deserialize` use them.
///
/// The enum is `#[non_exhaustive]`: a category may be added in a minor
/// release, for a new kind of error that fits none of these, so a `match` on
/// it needs a wildcard arm (mapping to 500, say).
///
/// # Example: an answer's status
///
/// ```
/// use callgate::{Change, Company, ObjectId};
///
/// let mut company = Company::new();
/// let error = company
///     .apply(Change::DeleteObject { object: ObjectId::new(3) })
///     .unwrap_err();
/// let category = error.category();
/// assert_eq!(category.to_string(), "not_found");
/// assert_eq!(category.http_status(), 404);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum ErrorCategory {
    /// An id or name of the company's own records names nothing.
    NotFound,
    /// The caller's session has ended: they must sign in again (401). Was
    /// [`Forbidden`](Self::Forbidden) before 0.3.
    Unauthenticated,
    /// The actor may not do it; another actor could.
    Forbidden,
    /// The request collides with the company's current state; reading it
    /// again or changing it first can help.
    Conflict,
    /// The request can never succeed as written.
    Invalid,
    /// A table has given out every id it can.
    Exhausted,
}

impl ErrorCategory {
    /// The category's stable snake_case name, as `Display` and serde write
    /// it: `not_found`, `unauthenticated`, `forbidden`, `conflict`,
    /// `invalid` or `exhausted`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::NotFound => "not_found",
            Self::Unauthenticated => "unauthenticated",
            Self::Forbidden => "forbidden",
            Self::Conflict => "conflict",
            Self::Invalid => "invalid",
            Self::Exhausted => "exhausted",
        }
    }

    /// A suggested HTTP status for an answer in this category: 404, 401,
    /// 403, 409, 422, or 507 (Insufficient Storage) for
    /// [`Exhausted`](Self::Exhausted).
    ///
    /// Only a suggestion: the library serves no HTTP, and a service may map
    /// differently (404 for a forbidden request that should not reveal the
    /// record, 400 for `invalid`). The suggestion for a category does not
    /// change in a minor release.
    ///
    /// # Example
    ///
    /// ```
    /// use callgate::{Change, Company, Permissions};
    ///
    /// let mut company = Company::new();
    /// company.create_role("QA", "Listens to calls", Permissions::RECORDINGS_LISTEN_ALL)?;
    /// let error = company.create_role("QA", "", Permissions::empty()).unwrap_err();
    /// assert_eq!(error.code(), "duplicate_name");
    /// assert_eq!(error.category().http_status(), 409);
    ///
    /// // A session ended by a role saved with "put its users offline": sign in again.
    /// let ann = company.create_user("ann")?; // Admin
    /// let session = company.login(ann)?;
    /// company.apply(Change::EditRole {
    ///     role: company.role_by_name("QA").expect("created"), name: None, description: None,
    ///     permissions: None, put_users_offline: Some(true),
    /// })?;
    /// company.apply(Change::AssignRole {
    ///     role: company.role_by_name("QA").expect("created"), principals: vec![ann.into()],
    /// })?;
    /// let error = company.apply_as(&session, Change::DeleteUser { user: ann }).unwrap_err();
    /// assert_eq!(error.code(), "session_ended");
    /// assert_eq!(error.category().to_string(), "unauthenticated");
    /// assert_eq!(error.category().http_status(), 401);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub const fn http_status(self) -> u16 {
        match self {
            Self::NotFound => 404,
            Self::Unauthenticated => 401,
            Self::Forbidden => 403,
            Self::Conflict => 409,
            Self::Invalid => 422,
            Self::Exhausted => 507,
        }
    }
}

/// The [stable name](ErrorCategory::as_str): `not_found`.
impl fmt::Display for ErrorCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Codes and categories: see the table in [`Error`]'s documentation.
impl Error {
    /// The error's stable code: its variant's name in snake_case
    /// (`unknown_id`, `escalation`, `last_admin`...), listed in the table in
    /// [`Error`]'s documentation.
    ///
    /// A code never changes once released, and a new variant gets a new
    /// code, so clients, logs and alerts can rely on it where the message
    /// may be reworded. Computes in **O(1)** time.
    ///
    /// # Example
    ///
    /// ```
    /// use callgate::{Change, Company, RoleId, UserId};
    ///
    /// let mut company = Company::new();
    /// let error = company
    ///     .apply(Change::AssignRole { role: RoleId::OPERATOR, principals: vec![UserId::new(9).into()] })
    ///     .unwrap_err();
    /// assert_eq!(error.code(), "unknown_id");
    /// assert_eq!(error.to_string(), "unknown user id `9`");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub const fn code(&self) -> &'static str {
        // Never edit a released code: a renamed variant keeps its old one.
        match self {
            Self::UnknownId { .. } => "unknown_id",
            Self::UnknownName { .. } => "unknown_name",
            Self::DuplicateName { .. } => "duplicate_name",
            Self::InvalidName { .. } => "invalid_name",
            Self::UnknownPermission { .. } => "unknown_permission",
            Self::UnknownObjectKind { .. } => "unknown_object_kind",
            Self::UnknownSection { .. } => "unknown_section",
            Self::NotSinglePermission { .. } => "not_single_permission",
            Self::BuiltinRole { .. } => "builtin_role",
            Self::DefaultProject { .. } => "default_project",
            Self::CapacityExceeded { .. } => "capacity_exceeded",
            Self::LimitReached { .. } => "limit_reached",
            Self::RevisionsExhausted { .. } => "revisions_exhausted",
            Self::SessionEnded { .. } => "session_ended",
            Self::Forbidden { .. } => "forbidden",
            Self::Escalation { .. } => "escalation",
            Self::OtherCompany { .. } => "other_company",
            Self::NotProjectMember { .. } => "not_project_member",
            Self::CompanyWideRole { .. } => "company_wide_role",
            Self::Document { .. } => "document",
            Self::RevisionMismatch { .. } => "revision_mismatch",
            Self::ForeignPlan => "foreign_plan",
            Self::LastAdmin { .. } => "last_admin",
            Self::InvalidResource { .. } => "invalid_resource",
            Self::SelfReference { .. } => "self_reference",
            Self::ReferenceCrossesProjects { .. } => "reference_crosses_projects",
            Self::ObjectInUse { .. } => "object_in_use",
            Self::DutiesSeparated { .. } => "duties_separated",
            Self::DutyConstraintBroken { .. } => "duty_constraint_broken",
            Self::InvalidDutyConstraint { .. } => "invalid_duty_constraint",
            Self::LogDiverged { .. } => "log_diverged",
        }
    }

    /// The error's coarse category, for the status of an answer, listed
    /// with the codes in the table in [`Error`]'s documentation. Computes in
    /// **O(1)** time.
    ///
    /// # Example
    ///
    /// ```
    /// use callgate::{Change, Company, RoleId};
    ///
    /// let mut company = Company::new();
    /// let error = company
    ///     .apply(Change::DeleteRole { role: RoleId::SUPERVISOR })
    ///     .unwrap_err();
    /// assert_eq!(error.code(), "builtin_role");
    /// assert_eq!(error.category().to_string(), "invalid");
    /// assert_eq!(error.category().http_status(), 422);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub const fn category(&self) -> ErrorCategory {
        match self {
            Self::UnknownId { .. } | Self::UnknownName { .. } => ErrorCategory::NotFound,
            Self::SessionEnded { .. } => ErrorCategory::Unauthenticated,
            Self::Forbidden { .. } | Self::Escalation { .. } | Self::OtherCompany { .. } => {
                ErrorCategory::Forbidden
            }
            Self::DuplicateName { .. }
            | Self::NotProjectMember { .. }
            | Self::RevisionMismatch { .. }
            | Self::ForeignPlan
            | Self::LastAdmin { .. }
            | Self::ReferenceCrossesProjects { .. }
            | Self::ObjectInUse { .. }
            | Self::DutiesSeparated { .. }
            | Self::DutyConstraintBroken { .. }
            | Self::LogDiverged { .. } => ErrorCategory::Conflict,
            Self::InvalidName { .. }
            | Self::UnknownPermission { .. }
            | Self::UnknownObjectKind { .. }
            | Self::UnknownSection { .. }
            | Self::NotSinglePermission { .. }
            | Self::BuiltinRole { .. }
            | Self::DefaultProject { .. }
            | Self::CompanyWideRole { .. }
            | Self::Document { .. }
            | Self::InvalidResource { .. }
            | Self::SelfReference { .. }
            | Self::InvalidDutyConstraint { .. } => ErrorCategory::Invalid,
            Self::CapacityExceeded { .. }
            | Self::LimitReached { .. }
            | Self::RevisionsExhausted { .. } => ErrorCategory::Exhausted,
        }
    }
}

/// `{"code", "category", "message", "details"}`: see "Serialization" in
/// [`Error`]'s documentation.
#[cfg(feature = "serde")]
impl serde::Serialize for Error {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;

        let mut out = serializer.serialize_struct("Error", 4)?;
        out.serialize_field("code", self.code())?;
        out.serialize_field("category", &self.category())?;
        out.serialize_field("message", &self.to_string())?;
        out.serialize_field("details", &Details(self))?;
        out.end()
    }
}

/// An error's fields, by their names, as a map (empty for a unit variant).
#[cfg(feature = "serde")]
struct Details<'a>(&'a Error);

#[cfg(feature = "serde")]
impl serde::Serialize for Details<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;

        let mut map = serializer.serialize_map(None)?;
        match self.0 {
            Error::UnknownId { kind, id } => {
                map.serialize_entry("kind", kind)?;
                map.serialize_entry("id", id)?;
            }
            Error::UnknownName { kind, name }
            | Error::DuplicateName { kind, name }
            | Error::InvalidName { kind, name } => {
                map.serialize_entry("kind", kind)?;
                map.serialize_entry("name", name)?;
            }
            Error::UnknownPermission { name }
            | Error::UnknownObjectKind { name }
            | Error::UnknownSection { name } => map.serialize_entry("name", name)?,
            Error::NotSinglePermission { permissions } => {
                map.serialize_entry("permissions", permissions)?;
            }
            Error::BuiltinRole { role, action } => {
                entries(&mut map, [("role", role), ("action", action)])?
            }
            Error::DefaultProject { action } => map.serialize_entry("action", action)?,
            Error::CapacityExceeded { kind } => map.serialize_entry("kind", kind)?,
            Error::LimitReached { kind, limit } => {
                map.serialize_entry("kind", kind)?;
                map.serialize_entry("limit", limit)?;
            }
            Error::RevisionsExhausted { .. }
            | Error::RevisionMismatch { .. }
            | Error::LogDiverged { .. } => revision_details(&mut map, self.0)?,
            Error::OtherCompany {
                what,
                of,
                used_with,
            } => {
                map.serialize_entry("what", what)?;
                map.serialize_entry("of", of)?;
                map.serialize_entry("used_with", used_with)?;
            }
            Error::SessionEnded { user } => map.serialize_entry("user", user)?,
            Error::Forbidden {
                user,
                change,
                missing: last,
            }
            | Error::Escalation {
                user,
                change,
                permissions: last,
            } => {
                let key = if matches!(self.0, Error::Forbidden { .. }) {
                    "missing"
                } else {
                    "permissions"
                };
                entries(&mut map, [("user", user), ("change", change), (key, last)])?;
            }
            Error::NotProjectMember { principal, project } => {
                entries(&mut map, [("principal", principal), ("project", project)])?;
            }
            Error::CompanyWideRole { role, project } => {
                entries(&mut map, [("role", role), ("project", project)])?;
            }
            Error::Document { path, message } => document_details(&mut map, path, message)?,
            Error::ForeignPlan => {}
            Error::LastAdmin { change } => map.serialize_entry("change", change)?,
            Error::InvalidResource { text } => map.serialize_entry("text", text)?,
            Error::SelfReference { .. }
            | Error::ReferenceCrossesProjects { .. }
            | Error::ObjectInUse { .. } => reference_details(&mut map, self.0)?,
            Error::DutiesSeparated { .. }
            | Error::DutyConstraintBroken { .. }
            | Error::InvalidDutyConstraint { .. } => duty_details(&mut map, self.0)?,
        }
        map.end()
    }
}

/// The details of the refusals about revisions: exhausted, mismatched, or
/// of a log that diverged.
#[cfg(feature = "serde")]
fn revision_details<M: serde::ser::SerializeMap>(
    map: &mut M,
    error: &Error,
) -> Result<(), M::Error> {
    match error {
        Error::RevisionsExhausted { revision } => map.serialize_entry("revision", revision),
        Error::RevisionMismatch { expected, actual } => {
            entries(map, [("expected", expected), ("actual", actual)])
        }
        Error::LogDiverged { revision, applied } => {
            map.serialize_entry("revision", revision)?;
            map.serialize_entry("applied", applied)
        }
        _ => Ok(()),
    }
}

/// The details of a refusal of DOMAIN rule 26 (projects kept whole).
#[cfg(feature = "serde")]
fn reference_details<M: serde::ser::SerializeMap>(
    map: &mut M,
    error: &Error,
) -> Result<(), M::Error> {
    match error {
        Error::SelfReference { object } => map.serialize_entry("object", object),
        Error::ReferenceCrossesProjects {
            reference,
            references,
        } => {
            map.serialize_entry("reference", reference)?;
            map.serialize_entry("references", references)
        }
        Error::ObjectInUse {
            object,
            used_by,
            used_by_ids,
        } => {
            entries(map, [("object", object), ("used_by", used_by)])?;
            map.serialize_entry("used_by_ids", used_by_ids)
        }
        _ => Ok(()),
    }
}

/// The details of a refusal for separation of duties (DOMAIN rule 25).
#[cfg(feature = "serde")]
fn duty_details<M: serde::ser::SerializeMap>(map: &mut M, error: &Error) -> Result<(), M::Error> {
    match error {
        Error::DutiesSeparated {
            holder,
            first,
            second,
        } => entries(
            map,
            [("holder", holder), ("first", first), ("second", second)],
        ),
        Error::DutyConstraintBroken {
            first,
            second,
            holders,
            count,
        } => {
            entries(map, [("first", first), ("second", second)])?;
            map.serialize_entry("holders", holders)?;
            map.serialize_entry("count", count)
        }
        Error::InvalidDutyConstraint {
            first,
            second,
            reason,
        } => {
            entries(map, [("first", first), ("second", second)])?;
            map.serialize_entry("reason", reason)
        }
        _ => Ok(()),
    }
}

/// A document error's details: its path, its message without the reader's
/// position, and that position when there is one.
#[cfg(feature = "serde")]
fn document_details<M: serde::ser::SerializeMap>(
    map: &mut M,
    path: &str,
    message: &str,
) -> Result<(), M::Error> {
    let (message, position) = super::split_position(message);
    entries(map, [("path", path), ("message", message)])?;
    match position {
        Some(position) => map.serialize_entry("position", &position),
        None => Ok(()),
    }
}

/// Writes `pairs` of keys and values of one type into `map`.
#[cfg(feature = "serde")]
fn entries<M: serde::ser::SerializeMap, V: serde::Serialize, const N: usize>(
    map: &mut M,
    pairs: [(&str, V); N],
) -> Result<(), M::Error> {
    pairs
        .into_iter()
        .try_for_each(|(key, value)| map.serialize_entry(key, &value))
}

#[cfg(test)]
mod tests {
    use crate::{EntityKind, Error};

    /// One error of every variant. The `match` has no wildcard, so a new
    /// variant does not compile until it is listed here too.
    fn one_of_each() -> Vec<Error> {
        let text = String::new;
        let mut all = vec![
            Error::UnknownId {
                kind: EntityKind::User,
                id: 0,
            },
            Error::UnknownName {
                kind: EntityKind::User,
                name: text(),
            },
            Error::DuplicateName {
                kind: EntityKind::User,
                name: text(),
            },
            Error::InvalidName {
                kind: EntityKind::User,
                name: text(),
            },
            Error::UnknownPermission { name: text() },
            Error::UnknownObjectKind { name: text() },
            Error::UnknownSection { name: text() },
            Error::NotSinglePermission {
                permissions: text(),
            },
            Error::BuiltinRole {
                role: "",
                action: "",
            },
            Error::DefaultProject { action: "" },
            Error::CapacityExceeded {
                kind: EntityKind::User,
            },
            Error::LimitReached {
                kind: EntityKind::User,
                limit: 0,
            },
            Error::RevisionsExhausted { revision: 0 },
            Error::SessionEnded { user: text() },
            Error::Forbidden {
                user: text(),
                change: text(),
                missing: text(),
            },
            Error::Escalation {
                user: text(),
                change: text(),
                permissions: text(),
            },
            Error::OtherCompany {
                what: "",
                of: crate::CompanyId::new(0),
                used_with: crate::CompanyId::new(0),
            },
            Error::NotProjectMember {
                principal: text(),
                project: text(),
            },
            Error::CompanyWideRole {
                role: text(),
                project: text(),
            },
            Error::Document {
                path: text(),
                message: text(),
            },
            Error::RevisionMismatch {
                expected: 0,
                actual: 0,
            },
            Error::ForeignPlan,
            Error::LastAdmin { change: text() },
            Error::InvalidResource { text: text() },
        ];
        all.extend(reference_errors());
        all.extend(duty_errors());
        all.push(LOG_DIVERGED);
        assert_every_variant(&all);
        all
    }

    /// One error of each refusal of DOMAIN rule 26, in the table's order.
    fn reference_errors() -> [Error; 3] {
        [
            Error::SelfReference {
                object: String::new(),
            },
            Error::ReferenceCrossesProjects {
                reference: String::new(),
                references: Vec::new(),
            },
            Error::ObjectInUse {
                object: String::new(),
                used_by: String::new(),
                used_by_ids: Vec::new(),
            },
        ]
    }

    /// The refusal of a log that diverged (issue 27).
    const LOG_DIVERGED: Error = Error::LogDiverged {
        revision: 0,
        applied: false,
    };

    /// One error of each variant of separation of duties (DOMAIN rule 25).
    fn duty_errors() -> [Error; 3] {
        let text = String::new;
        [
            Error::DutiesSeparated {
                holder: text(),
                first: text(),
                second: text(),
            },
            Error::DutyConstraintBroken {
                first: text(),
                second: text(),
                holders: Vec::new(),
                count: 0,
            },
            Error::InvalidDutyConstraint {
                first: text(),
                second: text(),
                reason: "",
            },
        ]
    }

    fn assert_every_variant(all: &[Error]) {
        let mut seen = [false; 31];
        for error in all {
            seen[index_of(error)] = true;
        }
        assert!(seen.iter().all(|&seen| seen), "a variant is missing");
    }

    /// The variant's position in `one_of_each`.
    fn index_of(error: &Error) -> usize {
        {
            match error {
                Error::UnknownId { .. } => 0,
                Error::UnknownName { .. } => 1,
                Error::DuplicateName { .. } => 2,
                Error::InvalidName { .. } => 3,
                Error::UnknownPermission { .. } => 4,
                Error::UnknownObjectKind { .. } => 5,
                Error::UnknownSection { .. } => 6,
                Error::NotSinglePermission { .. } => 7,
                Error::BuiltinRole { .. } => 8,
                Error::DefaultProject { .. } => 9,
                Error::CapacityExceeded { .. } => 10,
                Error::LimitReached { .. } => 11,
                Error::RevisionsExhausted { .. } => 12,
                Error::SessionEnded { .. } => 13,
                Error::Forbidden { .. } => 14,
                Error::Escalation { .. } => 15,
                Error::OtherCompany { .. } => 16,
                Error::NotProjectMember { .. } => 17,
                Error::CompanyWideRole { .. } => 18,
                Error::Document { .. } => 19,
                Error::RevisionMismatch { .. } => 20,
                Error::ForeignPlan => 21,
                Error::LastAdmin { .. } => 22,
                Error::InvalidResource { .. } => 23,
                Error::SelfReference { .. } => 24,
                Error::ReferenceCrossesProjects { .. } => 25,
                Error::ObjectInUse { .. } => 26,
                Error::DutiesSeparated { .. } => 27,
                Error::DutyConstraintBroken { .. } => 28,
                Error::InvalidDutyConstraint { .. } => 29,
                Error::LogDiverged { .. } => 30,
            }
        }
    }

    /// The table in `Error`'s documentation has one row per variant, with
    /// its code, its category and its category's status.
    #[test]
    fn the_documented_table_is_the_code() {
        let source = include_str!("../error.rs");
        let rows: Vec<&str> = source
            .lines()
            .filter_map(|line| line.strip_prefix("/// | [`"))
            .collect();
        let all = one_of_each();
        assert_eq!(rows.len(), all.len(), "one row per variant");
        for (row, error) in rows.iter().zip(&all) {
            let category = error.category();
            let variant = format!("{error:?}");
            let variant = variant.split([' ', '{', '(']).next().unwrap_or_default();
            let expected = format!(
                "{variant}`](Self::{variant}) | `{}` | `{category}` | {} |",
                error.code(),
                category.http_status(),
            );
            assert_eq!(*row, expected);
        }
    }

    #[test]
    fn codes_are_unique_snake_case() {
        let mut codes: Vec<&str> = one_of_each().iter().map(Error::code).collect();
        assert!(
            codes
                .iter()
                .all(|code| code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
        );
        codes.sort_unstable();
        let count = codes.len();
        codes.dedup();
        assert_eq!(codes.len(), count, "a code is used twice");
    }
}
