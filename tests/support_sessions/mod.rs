//! Helpers shared by the tests of sessions, role testing and guarded changes
//! (DOMAIN rules 7-9 and the rules every user expects).
//!
//! Each test file includes this module with
//! `#[path = "support_sessions/mod.rs"] mod support;` and uses only some of
//! it, hence the `dead_code` allowance.

#![allow(dead_code)]

use callgate::{
    Change, ChangeReport, Company, DenyReason, Error, Permissions, Principal, Resource, RoleId,
    Session, UserId,
};

/// What every test returns, so that setup steps can use `?`.
pub(crate) type TestResult = Result<(), Box<dyn std::error::Error>>;

/// A company whose first user, `ann`, holds the built-in Admin role (rule 3).
pub(crate) fn company_with_admin() -> Result<(Company, UserId), Error> {
    let mut company = Company::new();
    let ann = company.create_user("ann")?;
    Ok((company, ann))
}

/// Creates user `name` holding the given role directly.
pub(crate) fn user_holding(
    company: &mut Company,
    name: &str,
    role: RoleId,
) -> Result<UserId, Error> {
    let user = company.create_user(name)?;
    company.apply(Change::AssignRole {
        role,
        principals: vec![user.into()],
    })?;
    Ok(user)
}

/// Creates user `name` holding one new custom role, named `"{name}'s role"`,
/// that grants exactly `permissions`. Returns the user and the role.
pub(crate) fn user_with_permissions(
    company: &mut Company,
    name: &str,
    permissions: Permissions,
) -> Result<(UserId, RoleId), Error> {
    let role = company.create_role(format!("{name}'s role"), "", permissions)?;
    let user = user_holding(company, name, role)?;
    Ok((user, role))
}

/// Creates a custom role with the "put its users offline" setting, held by
/// `principals`.
pub(crate) fn offline_role(
    company: &mut Company,
    name: &str,
    permissions: Permissions,
    principals: Vec<Principal>,
) -> Result<RoleId, Error> {
    let report = company.apply(Change::CreateRole {
        name: name.to_owned(),
        description: String::new(),
        permissions,
        principals,
        put_users_offline: true,
    })?;
    match report.created {
        Some(callgate::Created::Role(role)) => Ok(role),
        other => panic!("creating role `{name}` created {other:?}"),
    }
}

/// An `EditRole` that changes only the name.
pub(crate) fn rename_role(role: RoleId, name: &str) -> Change {
    Change::EditRole {
        role,
        name: Some(name.to_owned()),
        description: None,
        permissions: None,
        put_users_offline: None,
    }
}

/// An `EditRole` that replaces only the permission set.
pub(crate) fn set_role_permissions(role: RoleId, permissions: Permissions) -> Change {
    Change::EditRole {
        role,
        name: None,
        description: None,
        permissions: Some(permissions),
        put_users_offline: None,
    }
}

/// A `CreateRole` held by nobody, without the "put users offline" setting.
pub(crate) fn new_role(name: &str, permissions: Permissions) -> Change {
    Change::CreateRole {
        name: name.to_owned(),
        description: String::new(),
        permissions,
        principals: Vec::new(),
        put_users_offline: false,
    }
}

/// Everything observable about a company, for "nothing changed" checks: its
/// `Debug` output covers every record, every link, the revision and the
/// compiled snapshot.
pub(crate) fn state(company: &Company) -> String {
    format!("{company:?}")
}

/// Applies a change as the host (system) that must be refused, checks that
/// the company is exactly as before, and returns the error.
#[track_caller]
pub(crate) fn refused(company: &mut Company, change: Change) -> Error {
    let before = state(company);
    let revision = company.revision();
    let description = format!("{change:?}");
    let error = match company.apply(change) {
        Ok(report) => panic!("`{description}` was accepted: {report:?}"),
        Err(error) => error,
    };
    assert_eq!(
        company.revision(),
        revision,
        "refused `{description}` advanced the revision"
    );
    assert_eq!(
        state(company),
        before,
        "refused `{description}` changed the company"
    );
    error
}

/// Applies a change through `session` that must be refused, checks that the
/// company is exactly as before, and returns the error.
#[track_caller]
pub(crate) fn refused_as(company: &mut Company, session: &Session, change: Change) -> Error {
    let before = state(company);
    let revision = company.revision();
    let description = format!("{change:?}");
    let error = match company.apply_as(session, change) {
        Ok(report) => panic!("`{description}` was accepted: {report:?}"),
        Err(error) => error,
    };
    assert_eq!(
        company.revision(),
        revision,
        "refused `{description}` advanced the revision"
    );
    assert_eq!(
        state(company),
        before,
        "refused `{description}` changed the company"
    );
    error
}

/// Applies a change as the host and returns its report, naming the change
/// when it is refused.
#[track_caller]
pub(crate) fn accepted(company: &mut Company, change: Change) -> ChangeReport {
    let description = format!("{change:?}");
    match company.apply(change) {
        Ok(report) => report,
        Err(error) => panic!("`{description}` was refused: {error}"),
    }
}

/// Whether a check through `session` of a company-wide action is allowed.
pub(crate) fn may(company: &Company, session: &Session, action: Permissions) -> bool {
    company
        .check_session(session, action, Resource::Company)
        .is_allowed()
}

/// The deny reason of a check through `session` of a company-wide action.
pub(crate) fn deny_reason(
    company: &Company,
    session: &Session,
    action: Permissions,
) -> Option<DenyReason> {
    company
        .check_session(session, action, Resource::Company)
        .deny_reason()
}

/// Whether a session was ended by a change: a check through it of something
/// the user may otherwise do is denied with `SessionEnded`.
pub(crate) fn is_ended(company: &Company, session: &Session) -> bool {
    deny_reason(company, session, Permissions::WORKPLACE_SOFTPHONE)
        == Some(DenyReason::SessionEnded)
}

/// The catalog permissions a session may use in the company, as one set.
pub(crate) fn allowed_through(company: &Company, session: &Session) -> Permissions {
    callgate::CATALOG
        .iter()
        .filter(|info| may(company, session, info.flag))
        .fold(Permissions::empty(), |all, info| all | info.flag)
}

/// Registers an object of `kind` held by `projects`.
pub(crate) fn object_in(
    company: &mut Company,
    kind: callgate::ObjectKind,
    name: &str,
    projects: Vec<callgate::ProjectId>,
) -> Result<callgate::ObjectId, Error> {
    let report = company.apply(Change::CreateObject {
        kind,
        name: name.to_owned(),
        projects,
    })?;
    match report.created {
        Some(callgate::Created::Object(object)) => Ok(object),
        other => panic!("creating object `{name}` created {other:?}"),
    }
}
