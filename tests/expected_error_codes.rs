//! What a service expects of errors (issue 15, "Errors a service can map"):
//! every kind of error has a stable code and a coarse category, and
//! serializes as `{"code", "category", "message", "details"}`.
//!
//! The codes are pinned here: a test fails when one changes. Changing a
//! released code breaks every client that stored or branched on it, so the
//! fix is never to edit this list but to give the code back.

use callgate::{EntityKind, Error};

/// Every code and its category, in the order the codes were added (the
/// first ones in the order of the table in `Error`'s documentation). Append
/// new codes; never edit a code. A category moves only in a breaking
/// release (0.3: `session_ended` from `forbidden` to `unauthenticated`).
const PINNED: &[(&str, &str)] = &[
    ("unknown_id", "not_found"),
    ("unknown_name", "not_found"),
    ("duplicate_name", "conflict"),
    ("invalid_name", "invalid"),
    ("unknown_permission", "invalid"),
    ("unknown_object_kind", "invalid"),
    ("unknown_section", "invalid"),
    ("not_single_permission", "invalid"),
    ("builtin_role", "invalid"),
    ("default_project", "invalid"),
    ("capacity_exceeded", "exhausted"),
    ("session_ended", "unauthenticated"),
    ("forbidden", "forbidden"),
    ("escalation", "forbidden"),
    ("not_project_member", "conflict"),
    ("company_wide_role", "invalid"),
    ("document", "invalid"),
    ("revision_mismatch", "conflict"),
    ("foreign_plan", "conflict"),
    ("last_admin", "conflict"),
    ("invalid_resource", "invalid"),
    ("limit_reached", "exhausted"),
    ("revisions_exhausted", "exhausted"),
    ("other_company", "forbidden"),
    ("self_reference", "invalid"),
    ("reference_crosses_projects", "conflict"),
    ("object_in_use", "conflict"),
    ("duties_separated", "conflict"),
    ("duty_constraint_broken", "conflict"),
    ("invalid_duty_constraint", "invalid"),
];

/// One error of every variant, in the order of [`PINNED`].
fn one_of_each() -> Vec<Error> {
    let text = || String::from("x");
    vec![
        Error::UnknownId {
            kind: EntityKind::User,
            id: 7,
        },
        Error::UnknownName {
            kind: EntityKind::Role,
            name: text(),
        },
        Error::DuplicateName {
            kind: EntityKind::Group,
            name: text(),
        },
        Error::InvalidName {
            kind: EntityKind::Project,
            name: text(),
        },
        Error::UnknownPermission { name: text() },
        Error::UnknownObjectKind { name: text() },
        Error::UnknownSection { name: text() },
        Error::NotSinglePermission {
            permissions: text(),
        },
        Error::BuiltinRole {
            role: "Admin",
            action: "deleted",
        },
        Error::DefaultProject { action: "deleted" },
        Error::CapacityExceeded {
            kind: EntityKind::Object,
        },
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
            expected: 1,
            actual: 2,
        },
        Error::ForeignPlan,
        Error::LastAdmin { change: text() },
        Error::InvalidResource { text: text() },
        Error::LimitReached {
            kind: EntityKind::User,
            limit: 500,
        },
        Error::RevisionsExhausted {
            revision: i64::MAX as u64,
        },
        Error::OtherCompany {
            what: "session",
            of: callgate::CompanyId::new(1),
            used_with: callgate::CompanyId::new(2),
        },
        Error::SelfReference { object: text() },
        Error::ReferenceCrossesProjects {
            reference: text(),
            references: vec![(callgate::ObjectId::new(1), callgate::ObjectId::new(2))],
        },
        Error::ObjectInUse {
            object: text(),
            used_by: text(),
            used_by_ids: vec![callgate::ObjectId::new(1)],
        },
        Error::DutiesSeparated {
            holder: text(),
            first: text(),
            second: text(),
        },
        Error::DutyConstraintBroken {
            first: text(),
            second: text(),
            holders: vec![text()],
            count: 1,
        },
        Error::InvalidDutyConstraint {
            first: text(),
            second: text(),
            reason: "a role cannot be kept apart from itself",
        },
    ]
}

/// Each error with its pinned code and category.
fn pinned() -> Vec<(Error, &'static str, &'static str)> {
    let errors = one_of_each();
    assert_eq!(errors.len(), PINNED.len(), "one pinned line per variant");
    errors
        .into_iter()
        .zip(PINNED)
        .map(|(error, &(code, category))| (error, code, category))
        .collect()
}

#[test]
fn every_code_is_pinned() {
    for (error, code, _) in pinned() {
        assert_eq!(error.code(), code, "{error:?}");
    }
}

#[test]
fn every_category_is_pinned() {
    for (error, _, category) in pinned() {
        assert_eq!(error.category().to_string(), category, "{error:?}");
    }
}

#[test]
fn codes_are_unique() {
    let mut codes: Vec<&str> = PINNED.iter().map(|&(code, _)| code).collect();
    let count = codes.len();
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), count);
}

#[test]
fn each_category_suggests_its_status() {
    for (error, _, category) in pinned() {
        let status = match category {
            "not_found" => 404,
            "unauthenticated" => 401,
            "forbidden" => 403,
            "conflict" => 409,
            "invalid" => 422,
            "exhausted" => 507,
            other => panic!("unpinned category `{other}`"),
        };
        assert_eq!(error.category().http_status(), status, "{error:?}");
    }
}

#[cfg(feature = "serde")]
mod json {
    use super::*;
    use callgate::{Change, Company, Permissions, RoleId, UserId};
    use serde_json::json;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    /// A company where ann holds Admin (the first user) and sam Supervisor.
    fn ann_and_sam() -> Result<(Company, UserId, UserId), Error> {
        let mut company = Company::new();
        let ann = company.create_user("ann")?;
        let sam = company.create_user("sam")?;
        company.apply(Change::AssignRole {
            role: RoleId::SUPERVISOR,
            principals: vec![sam.into()],
        })?;
        Ok((company, ann, sam))
    }

    #[test]
    fn categories_serialize_by_their_names_and_back() -> TestResult {
        for (error, _, category) in pinned() {
            assert_eq!(serde_json::to_value(error.category())?, json!(category));
            let back = serde_json::from_value(json!(category))?;
            assert_eq!(error.category(), back);
        }
        Ok(())
    }

    #[test]
    fn an_unknown_id_from_apply() -> TestResult {
        let (mut company, _, _) = ann_and_sam()?;
        let error = company
            .apply(Change::DeleteUser {
                user: UserId::new(42),
            })
            .unwrap_err();
        assert_eq!(
            serde_json::to_value(&error)?,
            json!({
                "code": "unknown_id",
                "category": "not_found",
                "message": "unknown user id `42`",
                "details": { "kind": "user", "id": 42 },
            })
        );
        Ok(())
    }

    #[test]
    fn an_escalation_from_apply_as() -> TestResult {
        let (mut company, _, sam) = ann_and_sam()?;
        let cashier = company.create_role("Cashier", "", Permissions::PAYMENTS_MANAGE)?;
        let session = company.login(sam)?;
        let error = company
            .apply_as(
                &session,
                Change::AssignRole {
                    role: cashier,
                    principals: vec![sam.into()],
                },
            )
            .unwrap_err();
        assert_eq!(
            serde_json::to_value(&error)?,
            json!({
                "code": "escalation",
                "category": "forbidden",
                "message": "user `sam` may not assign role `Cashier`: it grants `payments.manage`, which they do not hold",
                "details": {
                    "user": "sam",
                    "change": "assign role `Cashier`",
                    "permissions": "payments.manage",
                },
            })
        );
        Ok(())
    }

    /// An ended session asks the caller to sign in again: 401, not the
    /// 403 of an actor who may not.
    #[test]
    fn an_ended_session_is_unauthenticated() -> TestResult {
        let (mut company, _, sam) = ann_and_sam()?;
        let qa = company.create_role("QA", "", Permissions::QA_CHECKS_VIEW)?;
        company.apply(Change::AssignRole {
            role: qa,
            principals: vec![sam.into()],
        })?;
        let session = company.login(sam)?;
        company.apply(Change::EditRole {
            role: qa,
            name: None,
            description: None,
            permissions: None,
            put_users_offline: Some(true),
        })?;
        let error = company
            .apply_as(
                &session,
                Change::CreateGroup {
                    name: "Night shift".into(),
                    members: vec![],
                },
            )
            .unwrap_err();
        assert_eq!(error.category(), callgate::ErrorCategory::Unauthenticated);
        assert_eq!(error.category().http_status(), 401);
        assert_eq!(
            serde_json::to_value(&error)?,
            json!({
                "code": "session_ended",
                "category": "unauthenticated",
                "message": "the session of user `sam` has ended: log in again",
                "details": { "user": "sam" },
            })
        );
        Ok(())
    }

    #[test]
    fn a_last_admin_refusal() -> TestResult {
        let (mut company, ann, _) = ann_and_sam()?;
        let error = company.apply(Change::DeleteUser { user: ann }).unwrap_err();
        assert_eq!(
            serde_json::to_value(&error)?,
            json!({
                "code": "last_admin",
                "category": "conflict",
                "message": "deleting user `ann` would leave the company without an Admin",
                "details": { "change": "deleting user `ann`" },
            })
        );
        Ok(())
    }

    /// Field order is part of the wire shape a human reads in a log line;
    /// a unit variant has empty details.
    #[test]
    fn the_text_form_is_code_category_message_details() -> TestResult {
        assert_eq!(
            serde_json::to_string(&Error::ForeignPlan)?,
            r#"{"code":"foreign_plan","category":"conflict","message":"the plan was made by another company","details":{}}"#
        );
        Ok(())
    }
}

/// The errors of tenants and limits, as a service receives them.
#[cfg(feature = "serde")]
#[test]
fn tenant_and_limit_errors_serialize_with_their_details() -> Result<(), serde_json::Error> {
    let other = Error::OtherCompany {
        what: "log entry",
        of: callgate::CompanyId::new(1),
        used_with: callgate::CompanyId::new(2),
    };
    assert_eq!(
        serde_json::to_string(&other)?,
        r#"{"code":"other_company","category":"forbidden","message":"a log entry of company 0000000000000001 was used with company 0000000000000002","details":{"what":"log entry","of":"0000000000000001","used_with":"0000000000000002"}}"#
    );
    let limit = Error::LimitReached {
        kind: EntityKind::Object,
        limit: 9,
    };
    assert_eq!(
        serde_json::to_string(&limit)?,
        r#"{"code":"limit_reached","category":"exhausted","message":"too many objects: the company's limit is 9 object ids","details":{"kind":"object","limit":9}}"#
    );
    let exhausted = Error::RevisionsExhausted { revision: 3 };
    assert_eq!(
        serde_json::to_string(&exhausted)?,
        r#"{"code":"revisions_exhausted","category":"exhausted","message":"the company is at revision 3, the largest there is: it takes no more changes","details":{"revision":3}}"#
    );
    Ok(())
}

/// The errors of DOMAIN rule 26 (projects kept whole), as a service
/// receives them: the objects by name and id in the message, their ids as
/// data.
#[cfg(feature = "serde")]
#[test]
fn reference_errors_serialize_with_their_details() -> Result<(), Box<dyn std::error::Error>> {
    use callgate::{Change, Company, ObjectKind, SecurityMode};

    let mut company = Company::new();
    company.create_user("ann")?;
    let acme = company.create_project("Acme", "")?;
    let globex = company.create_project("Globex", "")?;
    let dialer = company.create_object(ObjectKind::Autodialer, "Spring")?;
    let leads = company.create_object(ObjectKind::List, "Leads")?;
    company.apply(Change::AddProjectObjects {
        project: acme,
        objects: vec![dialer],
    })?;
    company.apply(Change::AddProjectObjects {
        project: globex,
        objects: vec![leads],
    })?;
    company.apply(Change::SetObjectReferences {
        object: dialer,
        uses: vec![leads],
    })?;

    let in_use = company
        .apply(Change::DeleteObject { object: leads })
        .unwrap_err();
    assert_eq!(
        serde_json::to_string(&in_use)?,
        r#"{"code":"object_in_use","category":"conflict","message":"cannot delete list `Leads` (id 1): it is used by autodialer `Spring` (id 0); remove those references first","details":{"object":"list `Leads` (id 1)","used_by":"autodialer `Spring` (id 0)","used_by_ids":[0]}}"#
    );
    let crossing = company
        .apply(Change::SetSecurityMode {
            mode: SecurityMode::Enhanced,
        })
        .map(drop);
    assert_eq!(crossing, Ok(()), "the first switch puts both in Default");
    let crossing = company
        .apply(Change::RemoveProjectObjects {
            project: company.default_project().ok_or("made")?,
            objects: vec![leads],
        })
        .unwrap_err();
    assert_eq!(
        serde_json::to_string(&crossing)?,
        r#"{"code":"reference_crosses_projects","category":"conflict","message":"a reference would cross projects: autodialer `Spring` (id 0) uses list `Leads` (id 1), but the two share no project","details":{"reference":"autodialer `Spring` (id 0) uses list `Leads` (id 1)","references":[[0,1]]}}"#
    );
    let itself = company
        .apply(Change::SetObjectReferences {
            object: leads,
            uses: vec![leads],
        })
        .unwrap_err();
    assert_eq!(
        serde_json::to_string(&itself)?,
        r#"{"code":"self_reference","category":"invalid","message":"an object cannot use itself: list `Leads` (id 1)","details":{"object":"list `Leads` (id 1)"}}"#
    );
    Ok(())
}

#[test]
fn duty_errors_serialize_with_their_details() -> Result<(), serde_json::Error> {
    let error = Error::DutyConstraintBroken {
        first: "`qa_checks.manage`".into(),
        second: "`workplace.softphone`".into(),
        holders: vec!["user `kim`".into()],
        count: 3,
    };
    assert_eq!(
        serde_json::to_value(&error)?,
        serde_json::json!({
            "code": "duty_constraint_broken",
            "category": "conflict",
            "message": "`qa_checks.manage` and `workplace.softphone` cannot be kept apart: 3 already hold both (user `kim`, ...)",
            "details": {
                "first": "`qa_checks.manage`",
                "second": "`workplace.softphone`",
                "holders": ["user `kim`"],
                "count": 3
            }
        })
    );
    let error = Error::DutiesSeparated {
        holder: "user `kim`".into(),
        first: "role `QA` (given directly, company-wide)".into(),
        second: "role `Auditor` (through group `Audit`, company-wide)".into(),
    };
    let details = &serde_json::to_value(&error)?["details"];
    assert_eq!(details["holder"], "user `kim`");
    assert_eq!(
        details["second"],
        "role `Auditor` (through group `Audit`, company-wide)"
    );
    Ok(())
}
