//! A log that says something else than what a replica applied (issue 27):
//! each entry carries the digest of the one before it
//! ([`LogEntry::previous`]), and `catch_up` refuses an entry whose chain
//! does not match, naming its revision and whether it was already applied.
//! 0.2 took such a log silently (`Ok(0)` for a rewritten entry, and a
//! second history applied on top of the first).

use callgate::{Change, Company, CompanyId, EntryDigest, Error, LogEntry, NewUser, RoleId};

type TestResult = Result<(), Box<dyn std::error::Error>>;

const ID: CompanyId = CompanyId::new(0x0d1f_0001);

/// A writer that made `names.len()` users, and the log of its plans.
fn written(names: &[&str]) -> Result<(Company, Vec<LogEntry>), Error> {
    let mut writer = Company::new().with_id(ID);
    let mut log = Vec::new();
    for name in names {
        let plan = writer.plan(Change::create_user(NewUser::new(*name)))?;
        log.push(plan.entry().clone());
        writer.commit(plan)?;
    }
    Ok((writer, log))
}

/// The same revisions, another history: what a second writer (a restored
/// backup, a split brain) would have stored.
fn other_history(names: &[&str]) -> Result<Vec<LogEntry>, Error> {
    Ok(written(names)?.1)
}

#[test]
fn an_already_applied_entry_that_says_something_else_is_refused() -> TestResult {
    let (writer, log) = written(&["ann", "bob", "cid"])?;
    let mut replica = Company::new().with_id(ID);
    assert_eq!(replica.catch_up(&log)?, 3);
    assert_eq!(replica.chain(), writer.chain());

    // The last entry again, as it was: nothing to do.
    assert_eq!(replica.catch_up(&log[2..])?, 0);
    // Rewritten at revision 2 (0.2 answered `Ok(0)`).
    let rewritten = other_history(&["ann", "bob", "eve"])?;
    assert_eq!(
        replica.catch_up(&rewritten[2..]),
        Err(Error::LogDiverged {
            revision: 2,
            applied: true
        })
    );
    // An earlier entry rewritten is found through the chain: the entries
    // after it do not follow it.
    let early = other_history(&["ann", "eve", "cid"])?;
    assert_eq!(
        replica.catch_up(&early[1..]),
        Err(Error::LogDiverged {
            revision: 2,
            applied: true
        })
    );
    // Two applied entries that do not follow each other: the break is
    // named where it is, as applied.
    assert_eq!(
        replica.catch_up([&log[1], &early[2]]),
        Err(Error::LogDiverged {
            revision: 2,
            applied: true
        })
    );
    assert_eq!(replica.revision(), 3);
    assert_eq!(replica.to_document(), writer.to_document());
    Ok(())
}

#[test]
fn a_new_entry_of_another_history_is_refused_and_changes_nothing() -> TestResult {
    let (_, log) = written(&["ann", "bob"])?;
    let mut replica = Company::new().with_id(ID);
    replica.catch_up(&log[..1])?;
    let document = replica.to_document();

    // Revision 1 of another history: it follows another revision 0.
    let (_, other) = {
        let mut writer = Company::new().with_id(ID);
        writer.apply(Change::create_user(
            NewUser::new("zed").role(RoleId::OPERATOR),
        ))?;
        let plan = writer.plan(Change::create_user(NewUser::new("bob")))?;
        (writer.revision(), vec![plan.entry().clone()])
    };
    let error = replica.catch_up(&other).expect_err("another history");
    assert_eq!(
        error,
        Error::LogDiverged {
            revision: 1,
            applied: false
        }
    );
    assert_eq!(
        error.to_string(),
        "the log diverged at revision 1: the entry there does not follow the one this company applied before it"
    );
    assert_eq!(
        (error.code(), error.category().http_status()),
        ("log_diverged", 409)
    );
    assert_eq!(replica.to_document(), document, "nothing applied");
    // The right entry still applies.
    assert_eq!(replica.catch_up(&log[1..])?, 1);
    Ok(())
}

#[test]
fn a_batch_whose_entries_do_not_follow_each_other_is_refused_where_they_break() -> TestResult {
    let (_, log) = written(&["ann", "bob", "cid"])?;
    let other = other_history(&["ann", "eve", "cid"])?;
    // Revision 0 and 1 of one history, then revision 2 of another.
    let mixed = [log[0].clone(), log[1].clone(), other[2].clone()];
    let mut replica = Company::new().with_id(ID);
    assert_eq!(
        replica.catch_up(&mixed),
        Err(Error::LogDiverged {
            revision: 2,
            applied: false
        })
    );
    assert_eq!(
        replica.revision(),
        2,
        "the entries before the break applied"
    );
    Ok(())
}

#[test]
fn a_replica_loaded_from_a_checkpoint_checks_the_entries_after_it() -> TestResult {
    let (mut writer, _) = written(&["ann", "bob"])?;
    let checkpoint = writer.to_checkpoint();
    let json = serde_json::to_string(&writer.to_document())?;
    let plan = writer.plan(Change::create_user(NewUser::new("cid")))?;
    let next = plan.entry().clone();
    writer.commit(plan)?;
    let foreign = other_history(&["ann", "eve", "cid"])?;

    let from_json = Company::load(&mut serde_json::Deserializer::from_str(&json))?;
    for mut replica in [Company::load_checkpoint(&checkpoint)?, from_json] {
        assert!(replica.chain().is_some());
        let refused = replica.catch_up(&foreign[2..]);
        assert_eq!(
            refused,
            Err(Error::LogDiverged {
                revision: 2,
                applied: false
            })
        );
        assert_eq!(replica.catch_up([&next])?, 1);
        assert_eq!(replica.chain(), writer.chain());
    }
    Ok(())
}

#[test]
fn entries_written_before_the_chain_replay_unchecked_and_the_chain_resumes() -> TestResult {
    let (writer, log) = written(&["ann", "bob", "cid"])?;
    // As 0.2 stored them: no digest before each.
    let old: Vec<LogEntry> = log
        .iter()
        .map(|entry| entry.clone().with_previous(None))
        .collect();
    let json = serde_json::to_string(&old[0])?;
    assert!(!json.contains("previous"), "{json}");
    let mut replica = Company::new().with_id(ID);
    assert_eq!(replica.catch_up(&old[..2])?, 2);
    assert_eq!(replica.chain(), None, "unchecked, so unknown");
    // The writer's next entry names its digest: taken unchecked, and from
    // then on the replica knows the chain.
    assert_eq!(replica.catch_up(&log[2..])?, 1);
    assert_eq!(replica.chain(), writer.chain());
    assert_eq!(replica.to_document(), writer.to_document());
    Ok(())
}

#[test]
fn a_digest_names_its_entry_and_its_past() -> TestResult {
    let (_, log) = written(&["ann", "bob"])?;
    assert_eq!(log[0].previous, Some(EntryDigest::GENESIS));
    assert_eq!(log[1].previous, Some(log[0].digest()));
    let json = serde_json::to_string(&log[1])?;
    assert!(
        json.contains(&format!(r#""previous":"{}""#, log[0].digest())),
        "{json}"
    );
    let back: LogEntry = serde_json::from_str(&json)?;
    assert_eq!(back.digest(), log[1].digest());
    // Anything else in the entry, or in the one before, makes another
    // digest.
    assert_ne!(
        log[1].clone().with_context("k", "v").digest(),
        log[1].digest()
    );
    assert_ne!(log[1].clone().with_previous(None).digest(), log[1].digest());
    // A stored digest that is not one is refused, naming the field.
    let bad = json.replace(&log[0].digest().to_string(), "ABC");
    let error = serde_json::from_str::<LogEntry>(&bad).expect_err("not a digest");
    assert!(
        error
            .to_string()
            .starts_with("log entry at revision 1: field `previous`"),
        "{error}"
    );
    Ok(())
}
