use super::*;

#[test]
fn short_lists_stay_inline_and_long_ones_spill() {
    let mut spill = Spill::<u64>::default();
    let short: IdList<2> = spill.store(IdList::default(), &[3, 9], &[]);
    assert_eq!(short.get(&spill), &[3, 9]);
    assert_eq!(spill.lists.len(), 0);
    let long: IdList<2> = spill.store(short, &[1, 3, 9], &[]);
    assert_eq!(long.get(&spill), &[1, 3, 9]);
    assert_eq!(spill.lists.len(), 1);
}

#[test]
fn spill_slots_are_reused_not_leaked() {
    let mut spill = Spill::<u64>::default();
    let a: IdList<2> = spill.store(IdList::default(), &[1, 2, 3], &[]);
    let b: IdList<2> = spill.store(IdList::default(), &[4, 5, 6, 7], &[]);
    // Growing in place keeps the slot; shrinking inline frees it.
    let a = spill.store(a, &[1, 2, 3, 4, 5], &[]);
    assert_eq!(spill.lists.len(), 2);
    let a = spill.store(a, &[8], &[]);
    assert_eq!(a.get(&spill), &[8]);
    assert_eq!(spill.free.len(), 1);
    // The freed slot is taken by the next long list.
    let c: IdList<2> = spill.store(IdList::default(), &[10, 11, 12], &[]);
    assert_eq!(spill.lists.len(), 2);
    assert_eq!(c.get(&spill), &[10, 11, 12]);
    assert_eq!(b.get(&spill), &[4, 5, 6, 7]);
}

#[test]
fn shares_project_is_sorted_intersection() {
    assert!(shares_project(&[1, 4, 9], &[2, 4]));
    assert!(!shares_project(&[1, 3, 5], &[0, 2, 4, 6]));
    assert!(!shares_project(&[], &[1]));
    assert!(shares_project(&[7], &[7]));
}

fn ids(numbers: &[u32]) -> Vec<ObjectId> {
    numbers.iter().map(|&n| ObjectId::new(n)).collect()
}

fn listed(lists: &[Vec<ObjectId>]) -> Vec<u32> {
    let walk = Walk::merge(lists.iter().map(Vec::as_slice));
    VisibleObjects { inner: walk }.map(ObjectId::get).collect()
}

#[test]
fn merging_project_lists_gives_each_object_once_in_id_order() {
    let lists = [
        ids(&[1, 4, 9]),
        ids(&[2, 4, 10]),
        ids(&[]),
        ids(&[4, 9, 11]),
    ];
    assert_eq!(listed(&lists), vec![1, 2, 4, 9, 10, 11]);
    assert_eq!(listed(&[]), Vec::<u32>::new());
    assert_eq!(listed(&[ids(&[3, 5])]), vec![3, 5]);
}

#[test]
fn merging_more_lists_than_fit_inline_gives_the_same_answer() {
    // Twelve projects, each holding its own object and a shared one.
    let lists: Vec<Vec<ObjectId>> = (0..12u32).map(|p| ids(&[p * 10, 1000])).collect();
    assert!(lists.len() > MERGE_INLINE);
    let mut expected: Vec<u32> = (0..12u32).map(|p| p * 10).collect();
    expected.push(1000);
    assert_eq!(listed(&lists), expected);
}

#[test]
fn inline_sharing_agrees_with_the_merge_walk() {
    let mut spill = Spill::<u64>::default();
    let lists: [&[u32]; 7] = [&[], &[1], &[2], &[1, 2], &[0, 5, 9], &[3, 5, 7, 9], &[9]];
    for a in lists {
        for b in lists {
            let left: IdList<3> = spill.store(IdList::default(), a, &[]);
            let right: IdList<2> = spill.store(IdList::default(), b, &[]);
            assert_eq!(
                left.reach(&right, &spill, 0).0,
                shares_project(a, b),
                "{a:?} {b:?}"
            );
        }
    }
}

#[test]
fn inline_lists_are_padded_with_a_real_id() {
    let mut spill = Spill::<u64>::default();
    let one: IdList<3> = spill.store(IdList::default(), &[7], &[]);
    assert_eq!(one.ids, [7, 7, 7]);
    assert_eq!(one.get(&spill), &[7]);
    let two: IdList<3> = spill.store(one, &[2, 7], &[]);
    assert_eq!(two.ids, [2, 7, 2]);
    assert_eq!(two.get(&spill), &[2, 7]);
    // An empty list matches nothing, not even a list holding its padding.
    let empty: IdList<3> = spill.store(two, &[], &[]);
    let zero: IdList<2> = spill.store(IdList::default(), &[0], &[]);
    assert!(!empty.reach(&zero, &spill, 0).0);
    assert!(!zero.reach(&empty, &spill, 0).0);
}

#[test]
fn a_deleted_user_is_absent_and_gives_back_its_spilled_list() {
    let mut snapshot = Snapshot::default();
    let user = UserId::new(2);
    let compiled = CompiledUser {
        permissions: Permissions::QUEUES_VIEW,
        sessions_from: 5,
        reach: std::sync::Arc::new(ReachList {
            projects: vec![1, 2, 3, 4, 5],
            within: vec![],
        }),
    };
    assert!(snapshot.set_user(user, Some(compiled)));
    // The ids below were never made: absent, like a deleted one.
    assert!(snapshot.user(UserId::new(0)).is_none());
    let entry = snapshot.user(user).expect("live");
    assert_eq!(entry.permissions::<Permissions>(), Permissions::QUEUES_VIEW);
    assert_eq!(entry.sessions_from, 5);
    assert_eq!(snapshot.user_projects(entry), &[1, 2, 3, 4, 5]);
    assert_eq!(snapshot.spill.free.len(), 0);

    assert!(snapshot.set_user(user, None));
    assert!(snapshot.user(user).is_none());
    assert_eq!(snapshot.spill.free.len(), 1, "the slot is free for reuse");
    assert!(
        !snapshot.set_user(user, None),
        "deleting twice changes nothing"
    );
}

#[test]
fn a_list_with_roles_within_projects_unites_the_words_of_shared_projects_only() {
    let mut spill = Spill::<u64>::default();
    // Inline-sized, but with words: stored in the table all the same.
    let user: IdList<3> = spill.store(IdList::default(), &[2, 5], &[0b01, 0b10]);
    let object: IdList<2> = spill.store(IdList::default(), &[5, 9], &[]);
    assert_eq!(user.get(&spill), &[2, 5]);
    assert_eq!(user.within(&spill), &[0b01, 0b10]);
    assert_eq!(user.reach(&object, &spill, 0), (true, 0b10));
    let elsewhere: IdList<2> = spill.store(IdList::default(), &[7], &[]);
    assert_eq!(user.reach(&elsewhere, &spill, 0), (false, 0));
    let both: IdList<2> = spill.store(IdList::default(), &[2, 5], &[]);
    assert_eq!(user.reach(&both, &spill, 0), (true, 0b11));
    // Without words again, the list goes back inline and frees its slot.
    let user = spill.store(user, &[2, 5], &[]);
    assert!(user.within(&spill).is_empty());
    assert_eq!(user.get(&spill), &[2, 5]);
    assert_eq!(spill.granted_free.len(), 1);
    // The freed record is reused.
    let again: IdList<3> = spill.store(IdList::default(), &[9], &[0b100]);
    assert!(spill.granted_free.is_empty());
    assert_eq!(spill.granted.len(), 1);
    assert_eq!(again.reach(&object, &spill, 0), (true, 0b100));
}

#[test]
fn a_long_list_with_roles_within_projects_is_walked() {
    let mut spill = Spill::<u64>::default();
    let ids = [1, 3, 5, 7, 9, 11];
    let words = [1, 2, 4, 8, 16, 32];
    let user: IdList<3> = spill.store(IdList::default(), &ids, &words);
    assert_eq!(user.get(&spill), &ids);
    assert_eq!(user.within(&spill), &words);
    let object: IdList<2> = spill.store(IdList::default(), &[3, 11], &[]);
    assert_eq!(user.reach(&object, &spill, 0), (true, 2 | 32));
    // A long object list against a short granted one: the walk too.
    let short: IdList<3> = spill.store(IdList::default(), &[3, 4], &[64, 128]);
    let long: IdList<2> = spill.store(IdList::default(), &[1, 2, 3, 4], &[]);
    assert_eq!(short.reach(&long, &spill, 0), (true, 64 | 128));
    let empty: IdList<2> = spill.store(IdList::default(), &[], &[]);
    assert_eq!(short.reach(&empty, &spill, 0), (false, 0));
    // Shrinking to a short granted list frees the long slot.
    let user = spill.store(user, &[5], &[4]);
    assert_eq!(spill.free.len(), 1);
    assert_eq!(user.reach(&object, &spill, 0), (false, 0));
}

#[test]
fn the_side_tables_count_what_they_hold() {
    use std::mem::size_of;
    let mut spill = Spill::<u64>::default();
    assert_eq!(spill.bytes(), 0);
    let long: IdList<3> = spill.store(IdList::default(), &[1, 2, 3, 4, 5], &[]);
    let with_words: IdList<3> = spill.store(IdList::default(), &[1, 2, 3, 4, 5], &[1; 5]);
    let granted: IdList<3> = spill.store(IdList::default(), &[7], &[2]);
    spill.shrink_to_fit();
    // One small slice per table (no chunk pointer): its two counters and
    // its slots; the lists, their words and their reference counts.
    let chunk = |slots: usize, size: usize| 2 * size_of::<usize>() + slots * size;
    let heads = chunk(2, size_of::<Box<[u32]>>())
        + chunk(2, size_of::<Box<[u64]>>())
        + chunk(2, size_of::<u32>());
    let lists = 10 * size_of::<u32>() + 5 * size_of::<u64>();
    assert_eq!(
        size_of::<super::spill::Granted<u64>>(),
        64,
        "one cache line"
    );
    let records = chunk(1, 64);
    assert_eq!(spill.bytes(), heads + lists + records);
    // Freed slots keep their heads but not their lists.
    spill.store(long, &[], &[]);
    spill.store(with_words, &[], &[]);
    spill.store(granted, &[], &[]);
    assert_eq!(
        spill.bytes(),
        heads + records + spill.free.capacity() * 4 + spill.granted_free.capacity() * 4
    );
}

#[test]
fn users_given_one_shared_reach_share_its_list_until_the_last_lets_go() {
    let mut snapshot = Snapshot::<Permissions>::default();
    let reach = std::sync::Arc::new(ReachList {
        projects: (0..100).collect(),
        within: vec![],
    });
    let compiled = |reach: &SharedReach<Permissions>| CompiledUser {
        permissions: Permissions::QUEUES_VIEW,
        sessions_from: 0,
        reach: std::sync::Arc::clone(reach),
    };
    let mut stored = StoredReaches::default();
    for user in 0..3 {
        snapshot.store_user(UserId::new(user), Some(compiled(&reach)), &mut stored);
    }
    assert_eq!(snapshot.spill.lists.len(), 1, "three users, one list");
    let lists: Vec<_> = (0..3)
        .filter_map(|u| snapshot.user(UserId::new(u)).map(UserEntry::list))
        .collect();
    assert_eq!(lists, [lists[0]; 3]);
    // Two let go: the list stays for the third.
    let mut fresh = StoredReaches::default();
    snapshot.store_user(UserId::new(0), None, &mut fresh);
    snapshot.store_user(UserId::new(1), None, &mut fresh);
    assert!(snapshot.spill.free.is_empty());
    let entry = snapshot.user(UserId::new(2)).expect("live");
    assert_eq!(snapshot.user_projects(entry), reach.projects.as_slice());
    // The last lets go: the slot is free, and reused by the next list.
    snapshot.store_user(UserId::new(2), None, &mut fresh);
    assert_eq!(snapshot.spill.free, [0]);
    let other = std::sync::Arc::new(ReachList {
        projects: vec![7, 8, 9, 10],
        within: vec![],
    });
    snapshot.store_user(UserId::new(0), Some(compiled(&other)), &mut fresh);
    assert!(snapshot.spill.free.is_empty());
    let entry = snapshot.user(UserId::new(0)).expect("live");
    assert_eq!(snapshot.user_projects(entry), &[7, 8, 9, 10]);
}

#[test]
fn a_list_many_times_longer_than_the_other_is_searched_with_the_same_answer() {
    let long: Vec<u32> = (0..1000).map(|i| i * 3).collect();
    let words: Vec<u64> = (0..1000).map(|i| 1 << (i % 64)).collect();
    for short in [
        &[][..],
        &[1][..],
        &[3][..],
        &[2, 2997][..],
        &[0, 5, 2999][..],
    ] {
        let walked = {
            let (mut shared, mut within) = (false, 0);
            for (at, id) in long.iter().enumerate() {
                if short.contains(id) {
                    shared = true;
                    within |= words[at];
                }
            }
            (shared, within)
        };
        assert_eq!(
            spill::shared_with_words(&long, &words, short),
            walked,
            "{short:?}"
        );
        assert_eq!(
            spill::shared_with_words::<u64>(short, &[], &long).0,
            walked.0,
            "{short:?}"
        );
        assert_eq!(shares_project(&long, short), walked.0);
    }
}

#[test]
fn listing_every_object_of_a_kind_walks_every_chunk() {
    // Simple mode: the Admin sees every object, listed from the object
    // table a chunk (4,096 entries) at a time; a deleted object is left out.
    let mut company = crate::Company::new();
    let admin = company.create_user("admin").expect("a first user");
    let kinds = crate::ObjectKind::ALL;
    let mut expected: Vec<Vec<ObjectId>> = vec![Vec::new(); kinds.len()];
    for i in 0..9_000usize {
        let kind = kinds[(i * 7 + i / 5) % kinds.len()];
        let id = company
            .create_object(kind, format!("o{i}"))
            .expect("an object");
        expected[kind as usize].push(id);
    }
    let deleted = expected[0].remove(600);
    company
        .apply(crate::Change::DeleteObject { object: deleted })
        .expect("a deletion");
    for (kind, expected) in kinds.iter().zip(&expected) {
        let mut walk = company.visible_objects(admin, *kind).expect("a listing");
        assert!(walk.size_hint().1 >= Some(expected.len()));
        let listed: Vec<ObjectId> = walk.by_ref().collect();
        assert_eq!(&listed, expected, "{kind:?}");
        assert_eq!(walk.next(), None, "it stays at its end");
    }
}
