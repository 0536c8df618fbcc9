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
    send_sync::<Error>();
    send_sync::<Explanation<'static>>();
    send_sync::<VisibleObjects<'static>>();
    send_sync::<Matrix<'static>>();
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
    assert!(std::mem::size_of::<Decision>() <= 2);
    assert!(std::mem::size_of::<UserId>() == 4);
    assert!(std::mem::size_of::<Resource>() <= 8);
    assert!(std::mem::size_of::<Session>() <= 24);
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
