use super::*;

#[test]
fn every_catalog_name_is_unique_lowercase_and_round_trips() {
    for (i, info) in CATALOG.iter().enumerate() {
        assert_eq!(info.name, info.name.to_lowercase(), "{}", info.name);
        assert!(info.name.contains('.'), "{}", info.name);
        assert_eq!(Permissions::from_stable_name(info.name), Ok(info.flag));
        assert_eq!(info.flag.name(), Some(info.name));
        for other in &CATALOG[i + 1..] {
            assert_ne!(info.name, other.name);
            assert!(
                !info.own_bit().intersects(other.own_bit()),
                "{} and {}",
                info.name,
                other.name
            );
        }
    }
}

#[test]
fn the_catalog_covers_every_bit_exactly_once() {
    let union = CATALOG
        .iter()
        .fold(Permissions::empty(), |all, info| all | info.own_bit());
    assert_eq!(union, Permissions::all());
    assert_eq!(CATALOG.len() as u32, Permissions::all().bits().count_ones());
}

#[test]
fn every_manage_flag_implies_its_view_flag() {
    for info in CATALOG.iter().filter(|info| info.name.ends_with(".manage")) {
        let view = info.name.replace(".manage", ".view");
        let view = Permissions::from_stable_name(&view).unwrap();
        assert!(info.flag.contains(view), "{}", info.name);
        assert_eq!(info.implies(), view, "{}", info.name);
    }
    for info in CATALOG
        .iter()
        .filter(|info| !info.name.ends_with(".manage"))
    {
        assert!(info.implies().is_empty(), "{}", info.name);
    }
}

#[test]
fn closed_adds_implied_views_and_drops_unknown_bits() {
    let manage_bit_only = Permissions::from_bits_retain(
        Permissions::QUEUES_MANAGE.bits() & !Permissions::QUEUES_VIEW.bits(),
    );
    assert_eq!(manage_bit_only.closed(), Permissions::QUEUES_MANAGE);
    assert_eq!(
        Permissions::from_bits_retain(1 << 127).closed(),
        Permissions::empty()
    );
    assert_eq!(Permissions::ADMIN.closed(), Permissions::ADMIN);
}

#[test]
fn without_a_view_also_removes_its_manage() {
    let set = Permissions::QUEUES_MANAGE | Permissions::LISTS_VIEW;
    assert_eq!(
        set.without(Permissions::QUEUES_VIEW),
        Permissions::LISTS_VIEW
    );
    assert_eq!(
        set.without(Permissions::QUEUES_MANAGE),
        Permissions::QUEUES_VIEW | Permissions::LISTS_VIEW
    );
}

#[test]
fn display_and_parse_round_trip() {
    let set = Permissions::OPERATOR | Permissions::QUEUES_MANAGE;
    let text = set.to_string();
    assert!(
        text.contains("queues.manage") && !text.contains("queues.view"),
        "{text}"
    );
    assert_eq!(text.parse::<Permissions>(), Ok(set));
    assert_eq!(Permissions::empty().to_string(), "none");
    assert_eq!("none".parse::<Permissions>(), Ok(Permissions::empty()));
    assert_eq!(
        "queues.view, lists.view".parse::<Permissions>(),
        Ok(Permissions::QUEUES_VIEW | Permissions::LISTS_VIEW)
    );
    assert_eq!(
        "queues.view | queue.fly"
            .parse::<Permissions>()
            .unwrap_err()
            .to_string(),
        "unknown permission `queue.fly`"
    );
}

#[test]
fn builtin_role_sets_match_the_manual() {
    // Supervisor: Admin minus finance, KPI, security settings, all projects.
    let excluded =
        Permissions::FINANCE | Permissions::KPI | Permissions::SECURITY | Permissions::PROJECTS_ALL;
    assert_eq!(Permissions::SUPERVISOR | excluded, Permissions::ADMIN);
    assert!(!Permissions::SUPERVISOR.intersects(excluded));
    // Operator: tickets, call and chat journals, all users' calls, every widget.
    assert!(Permissions::OPERATOR.contains(Permissions::WORKPLACE));
    assert_eq!(
        Permissions::OPERATOR.difference(Permissions::WORKPLACE),
        Permissions::TICKETS_CREATE
            | Permissions::CALL_JOURNAL_VIEW
            | Permissions::CHAT_JOURNAL_VIEW
            | Permissions::RECORDINGS_LISTEN_ALL
    );
}

#[cfg(feature = "serde")]
#[test]
fn serde_uses_minimal_stable_names() {
    let set = Permissions::QUEUES_MANAGE | Permissions::TICKETS_CREATE;
    let json = serde_json::to_string(&set).unwrap();
    assert_eq!(json, r#"["tickets.create","queues.manage"]"#);
    assert_eq!(serde_json::from_str::<Permissions>(&json).unwrap(), set);
    let err = serde_json::from_str::<Permissions>(r#"["queues.view","queue.fly"]"#).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("unknown permission `queue.fly`"),
        "{err}"
    );
}
