//! The tenant registry under threads: a write in flight across an eviction,
//! and readers on many threads while writers write and the budget evicts,
//! checked against a model of what each tenant published.

mod support;

use std::collections::BTreeMap;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use callgate::{Company, CompanyId};
use callgate_store::{Checkpoint, Store, StoreError, StoredEntry, Tenants, Wakeup};
use proptest::prelude::*;
use support::{Place, create_user, each_store};

/// A gate that an append waits at while it is armed.
#[derive(Default)]
struct Gate {
    state: Mutex<(bool, bool)>, // (armed, entered)
    changed: Condvar,
}

impl Gate {
    fn wait_while_armed(&self) {
        let mut state = self.state.lock().expect("gate");
        if state.0 {
            state.1 = true;
            self.changed.notify_all();
            while state.0 {
                state = self.changed.wait(state).expect("gate");
            }
        }
    }

    fn set(&self, armed: bool) {
        let mut state = self.state.lock().expect("gate");
        state.0 = armed;
        state.1 = false;
        self.changed.notify_all();
    }

    fn wait_entered(&self) {
        let state = self.state.lock().expect("gate");
        let (state, timeout) = self
            .changed
            .wait_timeout_while(state, Duration::from_secs(10), |s| !s.1)
            .expect("gate");
        assert!(
            !timeout.timed_out() && state.1,
            "the write never reached the store"
        );
    }
}

/// A store whose appends wait at the gate.
struct Gated {
    inner: Box<dyn Store>,
    gate: Arc<Gate>,
}

impl Store for Gated {
    fn company_of(&mut self, tenant: &str) -> Result<Option<CompanyId>, StoreError> {
        self.inner.company_of(tenant)
    }
    fn create_tenant(&mut self, tenant: &str, c: &Checkpoint) -> Result<CompanyId, StoreError> {
        self.inner.create_tenant(tenant, c)
    }
    fn tenants(&mut self) -> Result<Vec<(String, CompanyId)>, StoreError> {
        self.inner.tenants()
    }
    fn append(&mut self, e: &StoredEntry, c: Option<&Checkpoint>) -> Result<(), StoreError> {
        self.gate.wait_while_armed();
        self.inner.append(e, c)
    }
    fn append_batch(
        &mut self,
        e: &[StoredEntry],
        c: Option<&Checkpoint>,
    ) -> Result<(), StoreError> {
        self.gate.wait_while_armed();
        self.inner.append_batch(e, c)
    }
    fn read_log(
        &mut self,
        c: CompanyId,
        from: u64,
        n: usize,
    ) -> Result<Vec<StoredEntry>, StoreError> {
        self.inner.read_log(c, from, n)
    }
    fn checkpoint(&mut self, c: CompanyId) -> Result<Option<Checkpoint>, StoreError> {
        self.inner.checkpoint(c)
    }
    fn put_checkpoint(&mut self, c: &Checkpoint) -> Result<(), StoreError> {
        self.inner.put_checkpoint(c)
    }
    fn compact(&mut self, c: CompanyId) -> Result<u64, StoreError> {
        self.inner.compact(c)
    }
    fn wait(&mut self, timeout: Duration) -> Result<Wakeup, StoreError> {
        self.inner.wait(timeout)
    }
    fn reconnect(&mut self) -> Result<(), StoreError> {
        self.inner.reconnect()
    }
}

#[test]
fn a_tenant_with_a_write_in_flight_is_never_loaded_twice() {
    each_store(|place| {
        let gate = Arc::new(Gate::default());
        let (open, shared) = (place.opener(), Arc::clone(&gate));
        let tenants = Tenants::builder(move || {
            Ok(Gated {
                inner: open()?,
                gate: Arc::clone(&shared),
            })
        })
        .build()
        .expect("builds");
        tenants.create("acme", Company::new()).expect("created");
        tenants.apply("acme", create_user("ann")).expect("stored");

        gate.set(true);
        let writer = {
            let tenants = tenants.clone();
            std::thread::spawn(move || tenants.apply("acme", create_user("bob")))
        };
        gate.wait_entered();
        tenants.evict("acme");
        // The write in flight holds the tenant: this finds it, not a copy.
        assert_eq!(tenants.view("acme").expect("found").revision(), 1);
        gate.set(false);
        writer.join().expect("no panic").expect("stored");

        let view = tenants.view("acme").expect("resident");
        assert_eq!(view.revision(), 2, "{}", place.name());
        assert!(view.user_by_name("bob").is_some());
        assert_eq!(tenants.stats().loads, 1, "loaded once, never copied");
    });
}

/// One step of the property: a write to a tenant, a read of one, or an
/// eviction.
#[derive(Debug, Clone)]
enum Op {
    Write(usize),
    Read(usize),
    Evict(usize),
}

fn op(tenants: usize) -> impl Strategy<Value = Op> {
    prop_oneof![
        (0..tenants).prop_map(Op::Write),
        (0..tenants).prop_map(Op::Read),
        (0..tenants).prop_map(Op::Evict),
    ]
}

/// What a view of tenant `t` at `revision` must hold: users `t-0`..
fn expected(t: usize, revision: u64) -> Vec<String> {
    (0..revision).map(|i| format!("t{t}-{i}")).collect()
}

fn user_names(view: &callgate::View) -> Vec<String> {
    let mut names: Vec<String> = view.users().map(|(_, u)| u.name().to_owned()).collect();
    names.sort_by_key(|name| {
        name.rsplit('-')
            .next()
            .and_then(|i| i.parse::<u64>().ok())
            .unwrap_or(u64::MAX)
    });
    names
}

const TENANTS: usize = 6;

proptest! {
    #![proptest_config(ProptestConfig { cases: 8, ..ProptestConfig::default() })]

    /// Sequences of writes, reads and evictions under a budget that holds
    /// two tenants: every read sees its own tenant, at the revision the
    /// model says, with exactly the users written.
    #[test]
    fn reads_match_the_model_through_writes_and_evictions(ops in prop::collection::vec(op(TENANTS), 1..40)) {
        let place = Place::sqlite();
        let setup = Tenants::builder(place.opener()).build().expect("builds");
        let mut ids = Vec::new();
        for t in 0..TENANTS {
            ids.push(setup.create(&format!("t{t}"), Company::new()).expect("created"));
        }
        let one = setup.view("t0").expect("loads");
        let budget = 2 * (one.snapshot().memory_bytes() as u64 + 4096);
        drop((one, setup));
        let tenants = Tenants::builder(place.opener()).budget(budget).build().expect("builds");
        let mut model: BTreeMap<usize, u64> = BTreeMap::new();
        for op in ops {
            match op {
                Op::Write(t) => {
                    let revision = model.entry(t).or_default();
                    let name = format!("t{t}-{revision}");
                    tenants.apply(&format!("t{t}"), create_user(&name)).expect("stored");
                    *revision += 1;
                }
                Op::Read(t) => {
                    let view = tenants.view(&format!("t{t}")).expect("loads");
                    let revision = model.get(&t).copied().unwrap_or(0);
                    prop_assert_eq!(view.id(), ids[t]);
                    prop_assert_eq!(view.revision(), revision);
                    prop_assert_eq!(user_names(&view), expected(t, revision));
                }
                Op::Evict(t) => tenants.evict(&format!("t{t}")),
            }
        }
        prop_assert!(tenants.stats().bytes <= budget);
    }
}

#[test]
fn readers_on_many_threads_see_only_their_tenant_and_published_states() {
    let place = Place::sqlite();
    let setup = Tenants::builder(place.opener()).build().expect("builds");
    let ids: Vec<CompanyId> = (0..TENANTS)
        .map(|t| {
            setup
                .create(&format!("t{t}"), Company::new())
                .expect("created")
        })
        .collect();
    let budget = 2 * (setup.view("t0").expect("loads").snapshot().memory_bytes() as u64 + 4096);
    drop(setup);
    let tenants = Tenants::builder(place.opener())
        .budget(budget)
        .build()
        .expect("builds");
    let ids = Arc::new(ids);

    let writers: Vec<_> = (0..2)
        .map(|w| {
            let tenants = tenants.clone();
            std::thread::spawn(move || {
                for round in 0..15 {
                    for t in (w..TENANTS).step_by(2) {
                        let name = format!("t{t}-{round}");
                        tenants
                            .apply(&format!("t{t}"), create_user(&name))
                            .expect("stored");
                    }
                }
            })
        })
        .collect();
    let readers: Vec<_> = (0..4)
        .map(|r| {
            let (tenants, ids) = (tenants.clone(), Arc::clone(&ids));
            std::thread::spawn(move || {
                for i in 0..400 {
                    let t = (r + i) % TENANTS;
                    let view = tenants.view(&format!("t{t}")).expect("loads");
                    assert_eq!(view.id(), ids[t], "another tenant's company");
                    assert_eq!(
                        user_names(&view),
                        expected(t, view.revision()),
                        "never published"
                    );
                    if i % 50 == 0 {
                        tenants.evict(&format!("t{t}"));
                    }
                }
            })
        })
        .collect();
    for thread in writers.into_iter().chain(readers) {
        thread.join().expect("no panic");
    }
    for t in 0..TENANTS {
        assert_eq!(
            tenants.view(&format!("t{t}")).expect("loads").revision(),
            15
        );
    }
    assert!(tenants.stats().evictions > 0);
}
