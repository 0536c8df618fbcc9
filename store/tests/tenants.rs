//! The tenant registry: loading on demand, single flight, the budget,
//! restarts and bad input, on every database.

mod support;

use std::collections::BTreeSet;
use std::sync::{Arc, Barrier};
use std::time::Duration;

use callgate::{Company, Permissions, Resource, RoleId};
use callgate_store::{StoreError, Tenants};
use support::{Place, create_user, document, each_store};

fn registry(place: &Place, budget: u64) -> Tenants {
    Tenants::builder(place.opener())
        .budget(budget)
        .connections(4)
        .build()
        .expect("the registry builds")
}

/// Creates tenants `t0`.. `t{n-1}`, each with `users` users named `tN-i`.
fn populate(tenants: &Tenants, n: usize, users: usize) {
    for t in 0..n {
        let key = format!("t{t}");
        tenants.create(&key, Company::new()).expect("created");
        for i in 0..users {
            tenants
                .apply(&key, create_user(&format!("{key}-{i}")))
                .expect("stored");
        }
    }
}

/// The user names of a view.
fn names(view: &callgate::View) -> BTreeSet<String> {
    view.users()
        .map(|(_, user)| user.name().to_owned())
        .collect()
}

#[test]
fn tenants_load_on_first_use_and_answer_by_key() {
    each_store(|place| {
        let tenants = registry(place, 64 << 20);
        populate(&tenants, 3, 2);
        let fresh = registry(place, 64 << 20);
        assert_eq!(fresh.stats().resident, 0);
        let view = fresh.view("t1").expect("loads");
        assert_eq!(names(&view), ["t1-0", "t1-1"].map(String::from).into());
        let admin = view.user_by_name("t1-0").expect("the first user");
        let allowed = fresh.check("t1", admin, Permissions::ROLES_MANAGE, Resource::Company);
        assert!(allowed.expect("known").is_allowed(), "{}", place.name());
        let stats = fresh.stats();
        assert_eq!(
            (stats.resident, stats.loads, stats.misses, stats.hits),
            (1, 1, 1, 1)
        );
    });
}

#[test]
fn an_unknown_tenant_is_a_typed_error_that_loads_and_creates_nothing() {
    each_store(|place| {
        let tenants = registry(place, 64 << 20);
        populate(&tenants, 1, 1);
        let user = callgate::UserId::new(0);
        let error = tenants
            .check(
                "initech",
                user,
                Permissions::ROLES_MANAGE,
                Resource::Company,
            )
            .expect_err("no such tenant");
        assert!(matches!(&error, StoreError::UnknownTenant { tenant } if tenant == "initech"));
        assert!(tenants.apply("initech", create_user("eve")).is_err());
        let stats = tenants.stats();
        assert_eq!((stats.resident, stats.load_failures), (1, 0));
        assert_eq!(place.open().tenants().expect("reads").len(), 1);
    });
}

#[test]
fn sixty_four_concurrent_first_requests_load_once() {
    each_store(|place| {
        populate(&registry(place, 64 << 20), 1, 3);
        let fresh = registry(place, 64 << 20);
        let barrier = Arc::new(Barrier::new(64));
        let threads: Vec<_> = (0..64)
            .map(|_| {
                let (tenants, barrier) = (fresh.clone(), Arc::clone(&barrier));
                std::thread::spawn(move || {
                    barrier.wait();
                    tenants.view("t0").expect("loads").revision()
                })
            })
            .collect();
        for thread in threads {
            assert_eq!(thread.join().expect("no panic"), 3);
        }
        assert_eq!(fresh.stats().loads, 1, "{}: loaded once", place.name());
    });
}

#[test]
fn a_restart_gives_every_tenant_its_own_id_revision_and_document() {
    each_store(|place| {
        let before: Vec<_> = {
            let tenants = registry(place, 64 << 20);
            populate(&tenants, 12, 3);
            tenants.apply("t5", create_user("late")).expect("stored");
            (0..12)
                .map(|t| {
                    let view = tenants.view(&format!("t{t}")).expect("resident");
                    (view.id(), view.revision(), document(&view))
                })
                .collect()
        };
        let tenants = registry(place, 64 << 20);
        for (t, (id, revision, doc)) in before.into_iter().enumerate() {
            let view = tenants.view(&format!("t{t}")).expect("loads");
            assert_eq!((view.id(), view.revision()), (id, revision));
            assert_eq!(document(&view), doc);
        }
    });
}

#[test]
fn a_corrupt_checkpoint_fails_alone_naming_its_key() {
    // The JSON document (when the compact form is gone), then the compact
    // form (it is what a start loads when it is there).
    let corruptions = [
        "document = '{\"format\":2}', compact = NULL",
        "compact = X'0102'",
    ];
    for (case, corruption) in corruptions.into_iter().enumerate() {
        each_store(|place| {
            populate(&registry(place, 64 << 20), 3, 1);
            let bad = place.open().company_of("t1").expect("reads").expect("kept");
            let blob = if place.name() == "postgres" {
                corruption.replace("X'0102'", "'\\x0102'::bytea")
            } else {
                corruption.to_owned()
            };
            place.execute(&format!(
                "UPDATE callgate_checkpoints SET {blob} WHERE company = '{bad}'"
            ));
            let tenants = registry(place, 64 << 20);
            let error = tenants.view("t1").expect_err("corrupt");
            let message = error.to_string();
            assert!(message.starts_with("tenant `t1`: company `"), "{message}");
            assert!(message.contains("checkpoint at revision 0"), "{message}");
            if case == 1 {
                assert!(message.contains("its compact form"), "{message}");
            }
            assert_eq!(error.code(), "corrupt_checkpoint");
            for key in ["t0", "t2"] {
                assert_eq!(tenants.view(key).expect("others serve").revision(), 1);
            }
            assert_eq!(tenants.stats().load_failures, 1);
        });
    }
}

#[test]
fn the_budget_evicts_and_evicted_tenants_come_back_unchanged() {
    each_store(|place| {
        let setup = registry(place, 64 << 20);
        populate(&setup, 10, 2);
        let one = setup.resident()[0].bytes;
        drop(setup);

        let tenants = registry(place, one * 3);
        let before: Vec<_> = (0..10)
            .map(|t| document(&tenants.view(&format!("t{t}")).expect("loads")))
            .collect();
        let stats = tenants.stats();
        assert!(stats.bytes <= one * 3, "{stats:?}");
        assert!(stats.evictions >= 6, "{}: {stats:?}", place.name());
        assert!(stats.resident <= 3);
        for (t, doc) in before.iter().enumerate() {
            assert_eq!(
                &document(&tenants.view(&format!("t{t}")).expect("loads")),
                doc
            );
            // The listing (the front index that answers checks) holds
            // exactly the tenants the budget keeps: none evicted lingers.
            let stats = tenants.stats();
            assert_eq!(tenants.resident().len() as u64, stats.resident, "{stats:?}");
        }
    });
}

#[test]
fn a_view_held_across_an_eviction_stays_valid_and_unchanging() {
    each_store(|place| {
        let tenants = registry(place, 64 << 20);
        populate(&tenants, 1, 1);
        let old = tenants.view("t0").expect("resident");
        tenants.evict("t0");
        assert!(tenants.resident().is_empty());
        tenants.apply("t0", create_user("late")).expect("stored");
        assert_eq!(old.revision(), 1);
        assert!(old.user_by_name("late").is_none());
        assert_eq!(tenants.view("t0").expect("resident").revision(), 2);
    });
}

#[test]
fn the_listing_shows_bytes_revision_and_last_use() {
    each_store(|place| {
        let tenants = registry(place, 64 << 20);
        populate(&tenants, 2, 2);
        let t0 = tenants.view("t0").expect("resident").id();
        let list = tenants.resident();
        assert_eq!(list.len(), 2);
        assert_eq!(
            (list[0].tenant.as_str(), list[0].company, list[0].revision),
            ("t0", t0, 2)
        );
        assert!(list[0].bytes > 1_000);
        assert!(list[0].last_use <= std::time::Instant::now());
    });
}

#[test]
fn a_tenant_cannot_be_created_over_an_existing_one() {
    each_store(|place| {
        let tenants = registry(place, 64 << 20);
        let id = tenants.create("acme", Company::new()).expect("created");
        let error = tenants.create("acme", Company::new()).expect_err("taken");
        assert!(matches!(error, StoreError::TenantTaken { stored, .. } if stored == id));
        let assign = callgate::Change::AssignRole {
            role: RoleId::OPERATOR,
            principals: vec![],
        };
        assert!(tenants.apply("acme", assign).is_ok());
    });
}

#[test]
fn a_following_registry_sees_another_processs_writes_and_answers_tokens() {
    each_store(|place| {
        let writer = registry(place, 64 << 20);
        populate(&writer, 2, 1);
        let follower = Tenants::builder(place.opener())
            .read_only()
            .follow()
            .build()
            .expect("builds");
        assert_eq!(follower.view("t0").expect("loads").revision(), 1);
        assert_eq!(follower.view("t1").expect("loads").revision(), 1);
        let error = follower
            .apply("t0", create_user("eve"))
            .expect_err("read-only");
        assert_eq!(error.to_string(), "tenant `t0` is followed read-only here");

        // A token answered at once, by catching up.
        let token = writer
            .apply("t0", create_user("late"))
            .expect("stored")
            .revision;
        let view = follower
            .wait_for("t0", token, Duration::from_secs(10))
            .expect("reached");
        assert!(view.user_by_name("late").is_some());

        // Without a token, the follower thread brings the change.
        writer.apply("t1", create_user("later")).expect("stored");
        let start = std::time::Instant::now();
        while follower.view("t1").expect("resident").revision() < 2 {
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "{}: never followed",
                place.name()
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        let error = follower
            .wait_for("t1", 99, Duration::from_millis(20))
            .expect_err("never written");
        assert!(
            matches!(error, StoreError::Timeout { reached: 2, .. }),
            "{error}"
        );
        assert!(follower.last_error().is_none());
    });
}

/// DOMAIN rule 24 in the runtime: a sweep ends the due grants of the
/// resident tenants, a tenant loaded with a grant past its end is expired
/// as it loads, and a registry that follows sees the same revision.
#[test]
fn grants_past_their_end_are_expired_by_the_sweep_and_on_load() {
    use callgate::{Change, Timestamp};
    each_store(|place| {
        let tenants = registry(place, 64 << 20);
        populate(&tenants, 2, 2);
        let past = Timestamp::from_unix_seconds(1_000);
        let later = Timestamp::now().after(Duration::from_secs(3_600));
        let give = |key: &str, until| {
            let sam = tenants
                .view(key)
                .expect("loads")
                .user_by_name(&format!("{key}-1"))
                .expect("the second user");
            tenants
                .apply(
                    key,
                    Change::AssignRoleUntil {
                        role: RoleId::SUPERVISOR,
                        principals: vec![sam.into()],
                        until,
                    },
                )
                .expect("stored");
            sam
        };
        let sam0 = give("t0", past);
        let sam1 = give("t1", later);
        let supervises = |tenants: &Tenants, key: &str, user| {
            tenants
                .check(key, user, Permissions::CALL_JOURNAL_VIEW, Resource::Company)
                .expect("known")
                .is_allowed()
        };
        assert!(supervises(&tenants, "t0", sam0), "{}", place.name());

        // The sweep: t0's grant is due, t1's is not.
        let swept = tenants.expire_grants(Timestamp::from_unix_seconds(2_000));
        assert_eq!(swept.len(), 1, "{}: {swept:?}", place.name());
        assert_eq!(swept[0].0, "t0");
        let report = swept[0].1.as_ref().expect("expired");
        assert_eq!(report.affected_users, [sam0]);
        assert!(!supervises(&tenants, "t0", sam0));
        assert!(supervises(&tenants, "t1", sam1));
        assert!(
            tenants
                .expire_grants(Timestamp::from_unix_seconds(2_000))
                .is_empty()
        );

        // On load: t1's grant given again with an end already past is
        // expired when another registry loads the tenant.
        give("t1", past);
        let fresh = registry(place, 64 << 20);
        assert!(!supervises(&fresh, "t1", sam1), "{}", place.name());
        assert_eq!(fresh.view("t1").expect("loads").next_expiry(), None);
        // The expiry was stored: the first registry catches up to it.
        let stored = fresh.view("t1").expect("loads").revision();
        assert_eq!(
            tenants
                .wait_for("t1", stored, Duration::from_secs(5))
                .expect("caught up")
                .revision(),
            stored
        );
    });
}

#[test]
fn a_check_right_after_a_write_sees_it_on_every_thread() {
    // Checks read the view the registry's front index holds for a tenant;
    // every write refreshes it before it returns, so a client that got a
    // write's report never checks against the state before it.
    each_store(|place| {
        let tenants = registry(place, 64 << 20);
        populate(&tenants, 4, 1);
        std::thread::scope(|scope| {
            for t in 0..4 {
                let tenants = &tenants;
                scope.spawn(move || {
                    let key = format!("t{t}");
                    for i in 0..20 {
                        let name = format!("{key}-new-{i}");
                        let operator = callgate::NewUser::new(&name).role(RoleId::OPERATOR);
                        let change = callgate::Change::create_user(operator);
                        let report = tenants.apply(&key, change).expect("stored");
                        let view = tenants.view(&key).expect("resident");
                        assert_eq!(view.revision(), report.revision, "{}", place.name());
                        let user = view.user_by_name(&name).expect("the new user");
                        let decision = tenants
                            .check(
                                &key,
                                user,
                                Permissions::CALL_JOURNAL_VIEW,
                                Resource::Company,
                            )
                            .expect("known");
                        assert!(decision.is_allowed(), "{name}: {decision:?}");
                    }
                });
            }
        });
    });
}
