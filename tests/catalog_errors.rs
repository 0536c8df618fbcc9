//! Bad catalogs are refused with an error naming the culprit (issue: "Bad
//! catalogs are refused with a clear error naming the culprit"). The same
//! checks run at compile time for a catalog in a `static`: see the
//! `compile_fail` examples on `Catalog` and `CatalogError`.

use callgate::{
    Catalog, CatalogError, Definition, Holds, KindDef, MAX_KINDS, PermissionDef, PermissionFlags,
    Permissions, STANDARD,
};

/// The permissions every catalog must have, on bits 0-7.
const REQUIRED: [PermissionDef; 8] = [
    PermissionDef::new(0, "users.manage", "Admin"),
    PermissionDef::new(1, "groups.manage", "Admin"),
    PermissionDef::new(2, "roles.manage", "Admin"),
    PermissionDef::new(3, "roles.test", "Admin"),
    PermissionDef::new(4, "projects.view", "Admin").on_projects(),
    PermissionDef::new(5, "projects.manage", "Admin")
        .on_projects()
        .implies(&["projects.view"]),
    PermissionDef::new(6, "projects.all", "Admin"),
    PermissionDef::new(7, "security.manage", "Admin"),
];

const QUEUE: [KindDef; 1] = [KindDef::new("queue", "queue", "queues.manage")];
const TWO_QUEUES: [KindDef; 2] = [QUEUE[0], QUEUE[0]];
const EDITED_QUEUE: [KindDef; 1] = [KindDef::new("queue", "queue", "queues.edit")];

/// A definition with the required permissions, a queue kind, and `extra`.
fn with(extra: &[PermissionDef]) -> Definition {
    let mut permissions = REQUIRED.to_vec();
    permissions.extend_from_slice(extra);
    permissions.push(PermissionDef::new(60, "queues.manage", "Queues").on_kinds(&["queue"]));
    Definition::new("test", 1)
        .sections(&["Admin", "Queues"])
        .permissions(Vec::leak(permissions))
        .kinds(&QUEUE)
}

fn refused(definition: Definition) -> CatalogError {
    match Catalog::<u64>::new(definition) {
        Ok(_) => panic!("accepted {definition:?}"),
        Err(error) => error,
    }
}

#[test]
fn a_minimal_catalog_is_accepted() {
    let catalog = Catalog::<u64>::new(with(&[])).expect("valid");
    assert_eq!(catalog.name(), "test");
    assert_eq!(catalog.permissions().len(), 9);
    assert_eq!(
        catalog
            .permission("projects.manage")
            .map(|p| p.implied_names()),
        Some(&["projects.view"][..])
    );
}

#[test]
fn every_bad_definition_is_refused_naming_the_culprit() {
    let cases: Vec<(&str, Definition, CatalogError, &str)> = vec![
        (
            "duplicate name",
            with(&[PermissionDef::new(9, "users.manage", "Admin")]),
            CatalogError::DuplicateName {
                name: "users.manage",
            },
            "duplicate permission name `users.manage`",
        ),
        (
            "malformed name: one part",
            with(&[PermissionDef::new(9, "queues", "Queues")]),
            CatalogError::MalformedName { name: "queues" },
            "malformed permission name `queues`: a name is two or more lowercase parts joined by dots, such as `queues.pause`",
        ),
        (
            "malformed name: upper case",
            with(&[PermissionDef::new(9, "Queues.Pause", "Queues")]),
            CatalogError::MalformedName {
                name: "Queues.Pause",
            },
            "malformed permission name `Queues.Pause`: a name is two or more lowercase parts joined by dots, such as `queues.pause`",
        ),
        (
            "malformed name: empty part",
            with(&[PermissionDef::new(9, "queues..pause", "Queues")]),
            CatalogError::MalformedName {
                name: "queues..pause",
            },
            "malformed permission name `queues..pause`: a name is two or more lowercase parts joined by dots, such as `queues.pause`",
        ),
        (
            "implication of an unknown permission",
            with(&[PermissionDef::new(9, "queues.pause", "Queues").implies(&["queues.fly"])]),
            CatalogError::UnknownImplication {
                permission: "queues.pause",
                implied: "queues.fly",
            },
            "permission `queues.pause` implies unknown permission `queues.fly`",
        ),
        (
            "a cycle of implications",
            with(&[
                PermissionDef::new(9, "queues.pause", "Queues").implies(&["queues.resume"]),
                PermissionDef::new(10, "queues.resume", "Queues").implies(&["queues.pause"]),
            ]),
            CatalogError::ImplicationCycle {
                permission: "queues.pause",
            },
            "permission `queues.pause` implies itself through a cycle of implications",
        ),
        (
            "a permission implying itself",
            with(&[PermissionDef::new(9, "queues.pause", "Queues").implies(&["queues.pause"])]),
            CatalogError::ImplicationCycle {
                permission: "queues.pause",
            },
            "permission `queues.pause` implies itself through a cycle of implications",
        ),
        (
            "a permission applying to an unknown kind",
            with(&[PermissionDef::new(9, "chats.view", "Queues").on_kinds(&["chat_channel"])]),
            CatalogError::UnknownKind {
                permission: "chats.view",
                kind: "chat_channel",
            },
            "permission `chats.view` applies to unknown object kind `chat_channel`",
        ),
        (
            "an unknown section",
            with(&[PermissionDef::new(9, "reports.view", "Reports")]),
            CatalogError::UnknownSection {
                permission: "reports.view",
                section: "Reports",
            },
            "permission `reports.view` names unknown section `Reports`",
        ),
        (
            "a bit taken twice",
            with(&[PermissionDef::new(0, "queues.pause", "Queues")]),
            CatalogError::BadBit {
                permission: "queues.pause",
            },
            "permission `queues.pause` has a bit past the width of its flags type, or one another permission has",
        ),
        (
            "a bit past the word",
            with(&[PermissionDef::new(64, "queues.pause", "Queues")]),
            CatalogError::BadBit {
                permission: "queues.pause",
            },
            "permission `queues.pause` has a bit past the width of its flags type, or one another permission has",
        ),
        (
            "a built-in set naming an unknown permission",
            with(&[]).operator(Holds::Only(&["queues.fly"])),
            CatalogError::UnknownBuiltinPermission {
                role: "Operator",
                name: "queues.fly",
            },
            "built-in role `Operator` names unknown permission or section `queues.fly`",
        ),
        (
            "a built-in set naming an unknown section",
            with(&[]).supervisor(Holds::AllExcept {
                sections: &["Finance"],
                permissions: &[],
            }),
            CatalogError::UnknownBuiltinPermission {
                role: "Supervisor",
                name: "Finance",
            },
            "built-in role `Supervisor` names unknown permission or section `Finance`",
        ),
        (
            "a built-in set giving projects.all",
            with(&[]).supervisor(Holds::Only(&["projects.all"])),
            CatalogError::BuiltinAllProjects { role: "Supervisor" },
            "built-in role `Supervisor` may not hold `projects.all`",
        ),
        (
            "a malformed catalog name",
            Definition::new("Acme Center", 1),
            CatalogError::MalformedCatalogName {
                name: "Acme Center",
            },
            "malformed catalog name `Acme Center`: use lowercase letters, digits, `_`, `-` and `.`",
        ),
        (
            "a section declared twice",
            with(&[]).sections(&["Admin", "Queues", "Admin"]),
            CatalogError::BadSection { section: "Admin" },
            "section `Admin` is declared twice or has no name",
        ),
        (
            "a kind declared twice",
            with(&[]).kinds(&TWO_QUEUES),
            CatalogError::BadKind { kind: "queue" },
            "object kind `queue` is declared twice or its name is malformed",
        ),
        (
            "a kind governed by an unknown permission",
            with(&[]).kinds(&EDITED_QUEUE),
            CatalogError::UnknownKindPermission {
                kind: "queue",
                permission: "queues.edit",
            },
            "object kind `queue` is governed by unknown permission `queues.edit`",
        ),
    ];
    let mut failures = Vec::new();
    for (what, definition, expected, message) in cases {
        match Catalog::<u64>::new(definition) {
            Ok(_) => failures.push(format!("{what}: accepted")),
            Err(error) if error != expected || error.to_string() != message => {
                failures.push(format!("{what}: got {error:?}: {error}"));
            }
            Err(_) => {}
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_catalog_lacking_what_the_library_needs_is_refused() {
    for (i, required) in REQUIRED.iter().enumerate() {
        let mut permissions = REQUIRED.to_vec();
        permissions.remove(i);
        // projects.manage implies projects.view: without the view, the
        // implication is what fails first.
        if required.name() == "projects.view" {
            permissions.retain(|p| p.name() != "projects.manage");
        }
        let definition = Definition::new("test", 1)
            .sections(&["Admin"])
            .permissions(Vec::leak(permissions));
        assert_eq!(
            refused(definition),
            CatalogError::MissingRequired {
                permission: required.name()
            },
            "without {}",
            required.name()
        );
    }
    assert_eq!(
        refused(Definition::new("test", 1)).to_string(),
        "the catalog lacks `users.manage`, which the library needs (declare it, or map it \
         onto a permission of the catalog with `Definition::library_permission`)"
    );
}

#[test]
fn more_permissions_or_kinds_than_supported_are_refused() {
    // 65 permissions do not fit a u64 word; they fit a u128 one.
    let extra: Vec<PermissionDef> = (8..65)
        .map(|bit| {
            let name: &'static str = Box::leak(format!("extra.p{bit}").into_boxed_str());
            PermissionDef::new(bit, name, "Admin")
        })
        .collect();
    let mut permissions = REQUIRED.to_vec();
    permissions.extend(extra);
    let definition = Definition::new("wide", 1)
        .sections(&["Admin"])
        .permissions(Vec::leak(permissions));
    assert_eq!(
        refused(definition),
        CatalogError::TooManyPermissions {
            permission: "extra.p64"
        }
    );
    assert!(Catalog::<u128>::new(definition).is_ok());

    let kinds: Vec<KindDef> = (0..=MAX_KINDS)
        .map(|k| {
            let name: &'static str = Box::leak(format!("kind_{k}").into_boxed_str());
            KindDef::new(name, name, "users.manage")
        })
        .collect();
    let definition = Definition::new("kinds", 1)
        .sections(&["Admin"])
        .permissions(&REQUIRED)
        .kinds(Vec::leak(kinds));
    assert_eq!(
        refused(definition),
        CatalogError::TooManyKinds { kind: "kind_32" }
    );
}

#[test]
fn the_standard_catalog_is_a_catalog_like_any_other() {
    assert!(std::ptr::eq(Permissions::catalog(), &STANDARD));
    assert_eq!(STANDARD.kinds().len(), 9);
    let again = Catalog::<u64>::new(*STANDARD.definition()).expect("valid");
    assert_eq!(again, STANDARD);
}

/// A definition with every flaw from step `from` of the documented order
/// (`CatalogError`'s "Which error wins") on, the earlier ones fixed.
fn flawed_from(from: usize) -> Definition {
    let flaw = |step: usize| step >= from;
    let mut permissions = REQUIRED.to_vec();
    if flaw(8) {
        permissions.pop(); // no `security.manage`
    }
    // Step 3: the first flawed permission (an unknown section) wins over a
    // later one's malformed name, though names are checked before sections.
    let section = if flaw(3) { "Nowhere" } else { "Queues" };
    let name = if flaw(3) { "Malformed" } else { "queues.pause" };
    let kinds: &'static [&'static str] = if flaw(5) { &["chat"] } else { &["queue"] };
    let implied: &'static [&'static str] = if flaw(6) { &["queues.fly"] } else { &[] };
    permissions.extend([
        PermissionDef::new(40, "queues.view", section)
            .on_kinds(kinds)
            .implies(implied),
        PermissionDef::new(41, name, "Queues"),
        PermissionDef::new(60, "queues.manage", "Queues").on_kinds(&["queue"]),
    ]);
    let kinds: &'static [KindDef] = match (flaw(4), flaw(7)) {
        (true, _) => {
            const MALFORMED: [KindDef; 1] = [KindDef::new("Queue!", "queue", "queues.manage")];
            &MALFORMED
        }
        (false, true) => &EDITED_QUEUE, // governed by unknown `queues.edit`
        (false, false) => &QUEUE,
    };
    let sections: &'static [&'static str] = if flaw(2) {
        &["Admin", "Queues", "Admin"]
    } else {
        &["Admin", "Queues"]
    };
    Definition::new(if flaw(1) { "Bad Name" } else { "test" }, 1)
        .sections(sections)
        .permissions(Vec::leak(permissions))
        .kinds(kinds)
        .supervisor(Holds::Only(if flaw(9) { &["queues.fly"] } else { &[] }))
        .operator(Holds::Only(if flaw(10) { &["queues.swim"] } else { &[] }))
}

#[test]
fn several_flaws_are_refused_for_the_first_in_the_documented_order() {
    let expected = [
        CatalogError::MalformedCatalogName { name: "Bad Name" },
        CatalogError::BadSection { section: "Admin" },
        CatalogError::UnknownSection {
            permission: "queues.view",
            section: "Nowhere",
        },
        CatalogError::BadKind { kind: "Queue!" },
        CatalogError::UnknownKind {
            permission: "queues.view",
            kind: "chat",
        },
        CatalogError::UnknownImplication {
            permission: "queues.view",
            implied: "queues.fly",
        },
        CatalogError::UnknownKindPermission {
            kind: "queue",
            permission: "queues.edit",
        },
        CatalogError::MissingRequired {
            permission: "security.manage",
        },
        CatalogError::UnknownBuiltinPermission {
            role: "Supervisor",
            name: "queues.fly",
        },
        CatalogError::UnknownBuiltinPermission {
            role: "Operator",
            name: "queues.swim",
        },
    ];
    for (step, error) in (1..).zip(expected) {
        assert_eq!(refused(flawed_from(step)), error, "step {step}");
    }
    assert!(Catalog::<u64>::new(flawed_from(11)).is_ok());
}

#[test]
fn a_product_permission_can_stand_for_what_the_library_needs() {
    use callgate::LibraryPermission::{self, *};
    // A 64-verb product: its own `admin.*` verbs govern users, groups,
    // roles and projects, so it needs no extra bit for the library's.
    let mut permissions: Vec<PermissionDef> = [
        PermissionDef::new(0, "admin.people", "Admin"),
        PermissionDef::new(1, "admin.access", "Admin"),
        PermissionDef::new(2, "projects.view", "Admin").on_projects(),
        PermissionDef::new(3, "projects.all", "Admin"),
    ]
    .to_vec();
    let verbs: Vec<&'static str> = (4..64).map(|b| &*format!("verbs.v{b}").leak()).collect();
    permissions.extend((4..64).map(|b| PermissionDef::new(b, verbs[b as usize - 4], "Admin")));
    let mapped = |which: LibraryPermission| match which {
        UsersManage | GroupsManage => "admin.people",
        ProjectsView => "projects.view",
        ProjectsAll => "projects.all",
        _ => "admin.access",
    };
    let definition = LibraryPermission::ALL.into_iter().fold(
        Definition::new("verbs", 1)
            .sections(&["Admin"])
            .permissions(Vec::leak(permissions)),
        |definition, which| definition.library_permission(which, mapped(which)),
    );
    assert_eq!(definition.library_name(RolesTest), "admin.access");
    let catalog = Catalog::<u64>::new(definition).expect("64 permissions fit a u64");
    assert_eq!(catalog.permissions().len(), 64);
    // Unmapped, the same catalog lacks the library's own names.
    let unmapped = definition.library_permission(RolesTest, RolesTest.default_name());
    assert_eq!(
        refused(unmapped),
        CatalogError::MissingRequired {
            permission: "roles.test"
        }
    );
}
