//! The store's contract, on every database: each test runs on SQLite and,
//! with `CALLGATE_POSTGRES_URL` set, on PostgreSQL, through the one `Store`
//! interface.

mod support;

use std::time::Duration;

use callgate::{Change, Company, Created, Error, Permissions, Resource, RoleId};
use callgate_store::{CheckpointPolicy, Replica, StoreError, Write, Writer};
use support::{Place, create_group, create_user, document, each_store};

fn writer(place: &Place, tenant: &str) -> Writer {
    Writer::open(place.open(), tenant).expect("the writer opens")
}

fn replica(place: &Place, tenant: &str) -> Replica {
    Replica::open(place.open_read_only(), tenant).expect("the replica opens")
}

fn user_of(report: &callgate::ChangeReport) -> callgate::UserId {
    match report.created {
        Some(Created::User(user)) => user,
        other => panic!("expected a new user, got {other:?}"),
    }
}

/// Writes `count` users named `u0`, `u1`... through `writer`.
fn write_users(writer: &mut Writer, count: u32) {
    for n in 0..count {
        writer
            .apply(create_user(&format!("u{n}")))
            .expect("the change is stored");
    }
}

#[test]
fn a_new_tenant_restarts_with_its_own_id_revision_and_document() {
    each_store(|place| {
        let mut first = writer(place, "acme");
        write_users(&mut first, 5);
        let (id, before) = (first.id(), document(first.company()));
        drop(first);

        let again = writer(place, "acme");
        assert_eq!(again.id(), id, "{}", place.name());
        assert_eq!(again.revision(), 5);
        assert_eq!(document(again.company()), before, "byte for byte");
    });
}

#[test]
fn tenants_in_one_store_are_kept_apart() {
    each_store(|place| {
        let mut acme = writer(place, "acme");
        let mut globex = writer(place, "globex");
        assert_ne!(acme.id(), globex.id());
        write_users(&mut acme, 3);
        write_users(&mut globex, 1);

        let mut store = place.open();
        let tenants = store.tenants().expect("the tenants read");
        assert_eq!(
            tenants,
            vec![
                ("acme".to_owned(), acme.id()),
                ("globex".to_owned(), globex.id())
            ]
        );
        assert_eq!(
            Writer::open(place.open(), "acme")
                .expect("opens")
                .revision(),
            3
        );
        assert_eq!(
            Writer::open(place.open(), "globex")
                .expect("opens")
                .revision(),
            1
        );
    });
}

#[test]
fn two_writers_of_one_tenant_share_one_company() {
    each_store(|place| {
        let first = writer(place, "acme");
        let second = writer(place, "acme");
        assert_eq!(first.id(), second.id(), "{}", place.name());
    });
}

#[test]
fn a_writer_that_lost_the_race_catches_up_and_plans_again() {
    each_store(|place| {
        let mut fast = writer(place, "acme");
        let mut slow = writer(place, "acme");
        fast.apply(create_user("ann")).expect("stored");
        fast.apply(create_user("bob")).expect("stored");

        let report = slow
            .apply(create_user("cid"))
            .expect("stored after catching up");
        assert_eq!(report.revision, 3);
        fast.catch_up().expect("the log reads");
        assert_eq!(document(fast.company()), document(slow.company()));
        assert_eq!(place.log_rows(), 3, "each change stored once");
    });
}

#[test]
fn a_change_refused_after_catching_up_stores_nothing() {
    each_store(|place| {
        let mut fast = writer(place, "acme");
        let mut slow = writer(place, "acme");
        fast.apply(create_group("Night shift")).expect("stored");

        let error = slow
            .apply(create_group("Night shift"))
            .expect_err("the name is taken now");
        assert!(
            matches!(error, StoreError::Refused(Error::DuplicateName { .. })),
            "{error}"
        );
        assert_eq!(slow.revision(), 1, "caught up, nothing more");
        assert_eq!(place.log_rows(), 1);
    });
}

#[test]
fn a_change_the_library_refuses_stores_nothing_and_changes_nothing() {
    each_store(|place| {
        let mut writer = writer(place, "acme");
        writer.apply(create_user("ann")).expect("stored");
        let before = document(writer.company());
        let error = writer.apply(create_user("ann")).expect_err("a taken name");
        assert_eq!(error.code(), "refused");
        assert_eq!(document(writer.company()), before);
        assert_eq!(place.log_rows(), 1);
    });
}

#[test]
fn the_store_refuses_a_taken_revision_with_a_typed_conflict() {
    each_store(|place| {
        let mut writer = writer(place, "acme");
        writer.apply(create_user("ann")).expect("stored");
        let mut store = place.open();
        let stored = store.read_log(writer.id(), 0, 10).expect("the log reads");
        let mut other = stored[0].clone();
        other.change = r#"{"op":"create_user","name":"eve"}"#.into();
        match store.append(&other, None) {
            Err(StoreError::Conflict { company, revision }) => {
                assert_eq!((company, revision), (writer.id(), 0));
            }
            other => panic!("{}: expected a conflict, got {other:?}", place.name()),
        }
        assert_eq!(store.read_log(writer.id(), 0, 10).expect("reads"), stored);
    });
}

#[test]
fn a_restart_from_a_checkpoint_and_the_log_is_byte_identical() {
    each_store(|place| {
        let policy = CheckpointPolicy::never().every_entries(4);
        let mut first = writer(place, "acme").with_checkpoints(policy);
        write_users(&mut first, 10);
        let mut store = place.open();
        let checkpoint = store.checkpoint(first.id()).expect("reads").expect("one");
        // Every 4 entries: at revisions 4 and 8.
        assert_eq!(checkpoint.revision, 8, "{}", place.name());
        assert_eq!(checkpoint.company, first.id());

        let again = writer(place, "acme");
        assert_eq!(document(again.company()), document(first.company()));
        assert_eq!(again.revision(), 10);
    });
}

#[test]
fn compaction_keeps_what_a_start_needs() {
    each_store(|place| {
        let mut first = writer(place, "acme");
        write_users(&mut first, 6);
        let mut behind = replica(place, "acme");
        first.checkpoint().expect("stored");
        write_users_named(&mut first, &["late"]);

        let mut store = place.open();
        assert_eq!(store.compact(first.id()).expect("compacts"), 6);
        assert_eq!(place.log_rows(), 1);
        let again = writer(place, "acme");
        assert_eq!(document(again.company()), document(first.company()));

        // A replica behind the compaction reloads from the checkpoint.
        behind.poll().expect("reloads");
        assert_eq!(document(behind.company()), document(first.company()));
    });
}

fn write_users_named(writer: &mut Writer, names: &[&str]) {
    for name in names {
        writer.apply(create_user(name)).expect("stored");
    }
}

#[test]
fn a_replica_reaches_the_writers_document_and_a_second_poll_applies_nothing() {
    each_store(|place| {
        let mut writer = writer(place, "acme");
        let mut replica = replica(place, "acme");
        write_users(&mut writer, 7);
        assert_eq!(replica.poll().expect("polls"), 7);
        assert_eq!(replica.poll().expect("polls"), 0);
        assert_eq!(document(replica.company()), document(writer.company()));
        assert_eq!(replica.id(), writer.id());
    });
}

#[test]
fn a_replica_answers_a_revision_token() {
    each_store(|place| {
        let mut writer = writer(place, "acme");
        let mut replica = replica(place, "acme");
        let ann = user_of(&writer.apply(create_user("ann")).expect("stored"));
        let assign = Change::AssignRole {
            role: RoleId::OPERATOR,
            principals: vec![ann.into()],
        };
        let token = writer.apply(assign).expect("stored").revision;
        let view = replica
            .wait_for(token, Duration::from_secs(10))
            .expect("reached");
        assert!(view.revision() >= token);
        assert!(
            view.check(ann, Permissions::CALL_JOURNAL_VIEW, Resource::Company)
                .is_allowed()
        );

        let error = replica
            .wait_for(token + 1, Duration::from_millis(50))
            .expect_err("nobody wrote it");
        assert!(matches!(error, StoreError::Timeout { reached, .. } if reached == token));
    });
}

#[test]
fn a_follower_answers_tokens_as_the_writer_goes() {
    each_store(|place| {
        let mut writer = writer(place, "acme");
        let follower = replica(place, "acme").follow();
        for n in 0..20 {
            let token = writer
                .apply(create_user(&format!("u{n}")))
                .expect("stored")
                .revision;
            let view = follower
                .wait_for(token, Duration::from_secs(10))
                .expect("reached");
            assert!(
                view.user_by_name(&format!("u{n}")).is_some(),
                "{}",
                place.name()
            );
        }
        assert!(follower.last_error().is_none());
        let replica = follower.stop().expect("the thread stops");
        assert_eq!(document(replica.company()), document(writer.company()));
    });
}

#[test]
fn actor_and_context_round_trip_through_the_log() {
    each_store(|place| {
        let mut writer = writer(place, "acme");
        let ann = user_of(&writer.apply(create_user("ann")).expect("stored"));
        let session = writer.company().login(ann).expect("ann logs in");
        let write = Write::new(create_group("Night shift"))
            .by(&session)
            .with_context("requestId", "r-42")
            .with_context("at", "2026-12-05T10:00:00Z");
        writer.write(write).expect("stored");

        let mut store = place.open();
        let rows = store.read_log(writer.id(), 1, 10).expect("reads");
        assert_eq!(rows[0].actor.as_deref(), Some(r#"{"user":0}"#));
        assert_eq!(
            rows[0].context,
            r#"{"requestId":"r-42","at":"2026-12-05T10:00:00Z"}"#
        );
        let mut replica = replica(place, "acme");
        replica.poll().expect("polls");
        assert_eq!(document(replica.company()), document(writer.company()));
    });
}

#[test]
fn an_unknown_tenant_is_an_error_that_creates_nothing() {
    each_store(|place| {
        let _acme = writer(place, "acme");
        let error = Replica::open(place.open(), "initech").expect_err("no such tenant");
        assert!(matches!(&error, StoreError::UnknownTenant { tenant } if tenant == "initech"));
        assert_eq!(error.to_string(), "unknown tenant `initech`");
        let error = Writer::open_existing(place.open(), "initech").expect_err("no such tenant");
        assert_eq!(error.code(), "unknown_tenant");
        let mut store = place.open();
        assert_eq!(store.tenants().expect("reads").len(), 1);
    });
}

#[test]
fn a_product_catalog_company_is_created_and_restored() {
    each_store(|place| {
        let mut writer: Writer<Permissions> =
            Writer::open_or_create(place.open(), "acme", Company::new).expect("opens");
        writer.apply(create_user("ann")).expect("stored");
        let again = Writer::<Permissions>::open_with_catalog(place.open(), "acme").expect("opens");
        assert_eq!(again.revision(), 1);
    });
}

/// Sets column `column` of the row at `revision` to `value` (SQL text).
fn corrupt(place: &Place, revision: u64, column: &str, value: &str) {
    place.execute(&format!(
        "UPDATE callgate_log SET {column} = {value} WHERE revision = {revision}"
    ));
}

#[test]
fn a_corrupt_row_is_refused_by_revision_and_column_and_the_replica_keeps_its_state() {
    for (column, value) in [
        ("change", "'{\"op\":\"fly\"}'"),
        ("actor", "'{\"user\":\"x\"}'"),
        ("context", "'[1]'"),
    ] {
        each_store(|place| {
            let mut writer = writer(place, "acme");
            let mut replica = replica(place, "acme");
            write_users(&mut writer, 2);
            replica.poll().expect("polls");
            let good = document(replica.company());
            write_users_named(&mut writer, &["c", "d"]);
            corrupt(place, 2, column, value);

            let error = replica.poll().expect_err("the row does not decode");
            match &error {
                StoreError::CorruptEntry {
                    revision,
                    column: c,
                    ..
                } => assert_eq!((*revision, *c), (2, column), "{error}"),
                other => panic!("{}: expected a corrupt entry, got {other}", place.name()),
            }
            assert!(
                error.to_string().contains("log entry at revision 2"),
                "{error}"
            );
            assert_eq!(
                document(replica.company()),
                good,
                "nothing of the page applied"
            );
            assert_eq!(
                replica.reader().revision(),
                2,
                "readers keep the last good state"
            );
        });
    }
}

#[test]
fn a_follower_reports_a_corrupt_row_keeps_serving_and_picks_up_the_mended_one() {
    each_store(|place| {
        let mut writer = writer(place, "acme");
        let follower = replica(place, "acme").follow();
        write_users(&mut writer, 3);
        follower
            .wait_for(3, Duration::from_secs(10))
            .expect("reached");
        let good = document(writer.company());

        // A row that does not decode, stored as another process would.
        let mut store = place.open();
        let bad = callgate_store::StoredEntry::new(
            writer.id(),
            3,
            r#"{"op":"fly"}"#.into(),
            None,
            "{}".into(),
        );
        store.append(&bad, None).expect("the store keeps any text");
        let error = wait_for_error(&follower);
        assert!(
            matches!(
                *error,
                StoreError::CorruptEntry {
                    revision: 3,
                    column: "change",
                    ..
                }
            ),
            "{}: {error}",
            place.name()
        );
        assert_eq!(follower.revision(), 3);
        assert_eq!(document(&follower.reader().view()), good, "still serving");

        corrupt(
            place,
            3,
            "change",
            "'{\"op\":\"create_user\",\"name\":\"mended\"}'",
        );
        let view = follower
            .wait_for(4, Duration::from_secs(10))
            .expect("picked up");
        assert!(view.user_by_name("mended").is_some());
        assert!(follower.last_error().is_none());
    });
}

/// Waits up to 10 s for the follower to report an error.
fn wait_for_error(follower: &callgate_store::Follower) -> std::sync::Arc<StoreError> {
    let start = std::time::Instant::now();
    loop {
        if let Some(error) = follower.last_error() {
            return error;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "no error reported"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn a_diverging_entry_is_refused_by_revision_and_reload_recovers_once_mended() {
    each_store(|place| {
        let mut writer = writer(place, "acme");
        let mut replica = replica(place, "acme");
        write_users(&mut writer, 3);
        let good = {
            let mut store = place.open();
            store.read_log(writer.id(), 1, 1).expect("reads")[0]
                .change
                .clone()
        };
        // A row that decodes but that the company refuses: a user named
        // like the one before it.
        corrupt(
            place,
            1,
            "change",
            "'{\"op\":\"create_user\",\"name\":\"u0\"}'",
        );
        let error = replica.poll().expect_err("the company refuses it");
        assert!(
            matches!(error, StoreError::Diverged { revision: 1, .. }),
            "{}: {error}",
            place.name()
        );
        assert_eq!(replica.revision(), 1, "the entry before it applied");

        corrupt(place, 1, "change", &format!("'{good}'"));
        replica.reload().expect("reloads");
        assert_eq!(document(replica.company()), document(writer.company()));
    });
}

#[test]
fn a_row_rewritten_with_another_valid_change_breaks_the_chain_where_it_is_read() {
    // 0.2 applied such a log: the rewritten change is one the company
    // takes. Each row now names the digest of the row before it.
    each_store(|place| {
        let mut writer = writer(place, "acme");
        write_users(&mut writer, 3);
        corrupt(
            place,
            1,
            "change",
            "'{\"op\":\"create_user\",\"name\":\"mallory\"}'",
        );
        let opened = Replica::open(place.open_read_only(), "acme");
        let error = opened.expect_err("the next row names another");
        assert!(
            matches!(
                &error,
                StoreError::Diverged {
                    revision: 2,
                    source: callgate::Error::LogDiverged {
                        revision: 2,
                        applied: false
                    },
                    ..
                }
            ),
            "{}: {error}",
            place.name()
        );
        // A digest that is not one is a corrupt row, named by its column.
        corrupt(place, 2, "previous", "'not hex'");
        let error = Replica::open(place.open_read_only(), "acme").expect_err("corrupt");
        assert!(
            matches!(
                &error,
                StoreError::CorruptEntry {
                    revision: 2,
                    column: "previous",
                    ..
                }
            ),
            "{}: {error}",
            place.name()
        );
    });
}

#[test]
fn append_locked_hands_over_the_unseen_entries_and_stores_what_is_planned() {
    each_store(|place| {
        let mut writer = writer(place, "acme");
        write_users(&mut writer, 3);
        let mut store = place.open();
        let id = writer.id();
        let mut seen = Vec::new();
        store
            .append_locked(id, 1, &mut |entries| {
                seen = entries.iter().map(|e| e.revision).collect();
                let next = entries.last().map_or(1, |e| e.revision + 1);
                let change = r#"{"op":"create_user","name":"locked"}"#.to_owned();
                Ok((
                    callgate_store::StoredEntry::new(id, next, change, None, "{}".into()),
                    None,
                ))
            })
            .expect("stored");
        assert_eq!(seen, [1, 2], "{}", place.name());
        writer.catch_up().expect("reads");
        assert!(writer.company().user_by_name("locked").is_some());

        // A plan that refuses stores nothing.
        let refusal = store.append_locked(id, 0, &mut |_| {
            Err(StoreError::UnknownTenant {
                tenant: "refused".into(),
            })
        });
        assert_eq!(refusal.expect_err("refused").code(), "unknown_tenant");
        assert_eq!(place.log_rows(), 4);
    });
}

#[test]
fn a_batch_is_stored_in_one_transaction_all_or_nothing() {
    each_store(|place| {
        let mut writer = writer(place, "acme");
        let mut replica = replica(place, "acme");
        let batch = |names: &[&str]| names.iter().map(|n| Write::new(create_user(n))).collect();
        let reports = writer.write_batch(batch(&["a", "b", "c"])).expect("stored");
        assert_eq!(
            reports.iter().map(|r| r.revision).collect::<Vec<_>>(),
            [1, 2, 3]
        );
        assert_eq!(place.log_rows(), 3);

        // A refused write refuses the batch: nothing stored, nothing changed.
        let before = document(writer.company());
        let error = writer
            .write_batch(batch(&["d", "a"]))
            .expect_err("a is taken");
        assert_eq!(error.code(), "refused", "{}", place.name());
        assert_eq!((document(writer.company()), place.log_rows()), (before, 3));

        // A stale writer's batch catches up and is planned again.
        let mut stale = Writer::open(place.open(), "acme").expect("opens");
        writer.apply(create_user("e")).expect("stored");
        let reports = stale.write_batch(batch(&["f", "g"])).expect("stored");
        assert_eq!(reports[0].revision, 5);
        replica.poll().expect("polls");
        assert_eq!(document(replica.company()), document(stale.company()));
    });
}
