//! The public types keep the promises the docs make about them: shareable
//! across threads, small `Copy` values where a hot path passes them around.

use callgate::*;

fn send_sync<T: Send + Sync>() {}
fn copy<T: Copy>() {}

#[test]
fn public_types_are_send_and_sync() {
    send_sync::<Company>();
    send_sync::<Snapshot>();
    send_sync::<Change>();
    send_sync::<ChangeReport>();
    send_sync::<NewUser>();
    send_sync::<LogEntry>();
    send_sync::<Error>();
    send_sync::<Explanation<'static>>();
    send_sync::<VisibleObjects<'static>>();
    send_sync::<Matrix<'static>>();
    send_sync::<SectionView<'static>>();
    send_sync::<SectionRow<'static>>();
    send_sync::<TextPosition>();
}

#[test]
fn hot_path_values_are_small_and_copy() {
    copy::<Decision>();
    copy::<SessionDecision>();
    copy::<Session>();
    copy::<Resource>();
    copy::<Permissions>();
    copy::<UserId>();
    copy::<ObjectId>();
    assert!(std::mem::size_of::<Decision>() == 1);
    assert!(std::mem::size_of::<UserId>() == 4);
    assert!(std::mem::size_of::<Resource>() <= 8);
    assert!(std::mem::size_of::<Session>() == 24);
}

/// A stored session reads back as it was written, testing or not; a role id
/// no company can give out is refused, not read as "not testing".
#[cfg(feature = "serde")]
#[test]
fn sessions_round_trip_through_serde() -> Result<(), Box<dyn std::error::Error>> {
    let mut company = Company::new().with_id(CompanyId::new(0xac3e));
    let ann = company.create_user("ann")?;
    let session = company.login(ann)?;
    let testing = company.start_testing(session, RoleId::OPERATOR)?;
    for session in [session, testing] {
        let stored = serde_json::to_string(&session)?;
        assert_eq!(serde_json::from_str::<Session>(&stored)?, session);
    }
    assert_eq!(
        serde_json::to_string(&testing)?,
        format!(r#"{{"company":"000000000000ac3e","user":{ann},"loginRevision":1,"testing":2}}"#)
    );
    let error = serde_json::from_str::<Session>(
        r#"{"company":"000000000000ac3e","user":0,"loginRevision":1,"testing":4294967295}"#,
    )
    .expect_err("no role has this id");
    assert!(
        error
            .to_string()
            .contains("no role can have the id 4294967295"),
        "{error}"
    );
    let unknown = serde_json::from_str::<Session>(
        r#"{"company":"000000000000ac3e","user":0,"loginRevision":1,"testing":null,"x":1}"#,
    );
    assert!(unknown.is_err(), "unknown fields are refused");
    // A session stored by 0.1 names no company: it is refused, and the user
    // logs in again.
    let from_0_1 =
        serde_json::from_str::<Session>(r#"{"user":0,"loginRevision":1,"testing":null}"#);
    assert!(
        from_0_1
            .unwrap_err()
            .to_string()
            .contains("missing field `company`")
    );
    Ok(())
}

#[test]
fn errors_are_std_errors_with_lowercase_messages() {
    fn std_error<E: std::error::Error>(_: &E) {}
    let error = Error::UnknownId {
        kind: EntityKind::User,
        id: 7,
    };
    std_error(&error);
    let message = error.to_string();
    assert_eq!(message, "unknown user id `7`");
    assert!(!message.ends_with('.'));
}
