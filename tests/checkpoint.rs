//! Checkpoints (`Company::to_checkpoint`, `Company::load_checkpoint`): the
//! same company back, byte for byte; and for bytes cut short, flipped or
//! made up, an error with a path, never a panic, and no more memory than
//! the bytes can account for.
//!
//! The allocation bound is measured as in `document_fuzz.rs`: the global
//! allocator (`cap::Cap<System>`) refuses an allocation past its limit, set
//! just before each load to the live bytes plus `64 * length + 1 MiB`. One
//! test in this binary, so nothing else allocates meanwhile.

#![cfg(feature = "serde")]

use std::alloc::System;

use callgate::{Company, Error, ObjectKind, Permissions, RoleId};

#[global_allocator]
static HEAP: cap::Cap<System> = cap::Cap::new(System, usize::MAX);

/// The golden document's company: every kind of record and link, roles
/// within projects included.
fn golden() -> Company {
    let json = std::fs::read_to_string("tests/golden/document_v2.json").expect("the golden file");
    Company::load(&mut serde_json::Deserializer::from_str(&json)).expect("the golden document")
}

/// Loads `bytes` within an allocation budget: `Ok` or `Err`, no panic.
fn load_bounded(bytes: &[u8]) -> Result<Company, Error> {
    let budget = 64 * bytes.len() + (1 << 20);
    HEAP.set_limit(HEAP.allocated() + budget)
        .expect("a limit above the live bytes");
    let loaded = Company::load_checkpoint(bytes);
    HEAP.set_limit(usize::MAX).expect("no limit");
    loaded
}

/// An accepted checkpoint is the one its company writes.
fn canonical(bytes: &[u8]) {
    if let Ok(company) = load_bounded(bytes) {
        assert_eq!(company.to_checkpoint(), bytes, "accepted, so canonical");
    }
}

/// The path of a refused checkpoint.
fn refused(bytes: &[u8]) -> String {
    match load_bounded(bytes) {
        Ok(_) => panic!("accepted"),
        Err(Error::Document { path, message }) => format!("{path}: {message}"),
        Err(other) => panic!("not a document error: {other}"),
    }
}

#[test]
fn checkpoints_load_back_and_refuse_what_is_not_one() {
    let mut company = golden();
    let checkpoint = company.to_checkpoint();
    let loaded = load_bounded(&checkpoint).expect("its own checkpoint");
    assert_eq!(loaded.to_document(), company.to_document());
    assert_eq!(loaded.to_checkpoint(), checkpoint);
    assert_eq!(loaded.id(), company.id());

    // Cut anywhere: refused, with a path, but where the chain begins (the
    // last part, which a checkpoint without one leaves out).
    let body = checkpoint.len() - 33;
    assert_eq!(
        load_bounded(&checkpoint[..body]).expect("no chain").chain(),
        None
    );
    for len in (0..checkpoint.len()).filter(|&len| len != body) {
        let message = refused(&checkpoint[..len]);
        assert!(!message.starts_with(':'), "{message}");
    }
    // Any byte changed: refused or canonical, never a panic. (But for the
    // catalog's version, at 18: an older version loads and is written back
    // as this one, as in a document.)
    assert_eq!(&checkpoint[9..18], b"\x08standard");
    for at in (0..checkpoint.len()).filter(|&at| at != 18) {
        for value in [0, 1, 2, 0x7f, 0x80, 0xff, checkpoint[at] ^ 0x20] {
            let mut bytes = checkpoint.clone();
            bytes[at] = value;
            canonical(&bytes);
        }
    }

    // Not a checkpoint, a newer one, one with more bytes, a number in more
    // bytes than it needs, a flag that is not one.
    assert_eq!(
        refused(b"{\"format\":2}"),
        "checkpoint: not a callgate checkpoint"
    );
    let mut newer = checkpoint.clone();
    newer[8] = 3;
    assert_eq!(
        refused(&newer),
        "format: checkpoint format version 3 is not one this library reads (2)"
    );
    // After the duty constraints (their count, 0 here) comes the chain:
    // the flag 1 and its 32 bytes; a flag 0 would spell "absent" a second
    // way; nothing follows it.
    let digest = company.chain().expect("the golden document has a chain");
    assert_eq!(&checkpoint[body + 1..], digest.as_bytes());
    let mut unflagged = checkpoint[..body].to_vec();
    unflagged.push(0);
    assert_eq!(
        refused(&unflagged),
        "chain: an absent chain is left out, not flagged"
    );
    let mut chained = checkpoint[..body].to_vec();
    chained.push(1);
    chained.extend([0xab; 32]);
    let loaded = load_bounded(&chained).expect("a checkpoint with another chain");
    assert_eq!(
        loaded.chain(),
        Some(callgate::EntryDigest::from_bytes([0xab; 32]))
    );
    assert_eq!(loaded.to_checkpoint(), chained);
    let mut longer = checkpoint.clone();
    longer.push(0);
    assert_eq!(refused(&longer), "checkpoint: 1 bytes follow its last part");
    let mut overlong = checkpoint[..8].to_vec();
    overlong.extend([0x82, 0x00]);
    overlong.extend(&checkpoint[9..]);
    assert_eq!(
        refused(&overlong),
        "format: a number is written in more bytes than it needs"
    );

    // A checkpoint of a company with one more custom role: the names
    // of its permissions, and its kinds, come back.
    let qa = company
        .create_role(
            "Billing",
            "",
            Permissions::QUEUES_MANAGE | Permissions::BILLING_VIEW,
        )
        .expect("a new role");
    let queue = company
        .create_object(ObjectKind::Schedule, "Nights")
        .expect("a new object");
    let checkpoint = company.to_checkpoint();
    let loaded = load_bounded(&checkpoint).expect("its own checkpoint");
    assert_eq!(
        loaded.role(qa).map(|r| r.permissions()),
        company.role(qa).map(|r| r.permissions())
    );
    assert_eq!(
        loaded.object(queue).map(|o| o.kind()),
        Some(ObjectKind::Schedule)
    );
    assert_eq!(loaded.role(RoleId::ADMIN).map(|r| r.name()), Some("Admin"));
    // A permission name misspelt in place: refused where it stands.
    let at = checkpoint
        .windows(b"queues.manage".len())
        .position(|w| w == b"queues.manage")
        .expect("the name is there");
    let mut misspelt = checkpoint.clone();
    misspelt[at..at + 6].copy_from_slice(b"queuex");
    let message = refused(&misspelt);
    assert!(
        message.ends_with(": unknown permission `queuex.manage`"),
        "{message}"
    );
    assert!(message.starts_with("roles["), "{message}");
}
