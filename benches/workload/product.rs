//! Workload V: a product's own catalog, at M's size.
//!
//! The issue asks for "a product catalog of 64 per-kind verbs over the nine
//! kinds (5-9 verbs each), 50 custom roles of about 30 random verbs, 10,000
//! users in 1-3 of 200 projects, 20,000 objects, questions aimed 85% at the
//! user's own projects: median check <= 10 ns, within 10% of the standard
//! catalog's M in the same run". This module is that workload:
//!
//! * [`Verbs`] and [`VERBS`]: the catalog, named `verbs`. The manual's nine
//!   kinds each have 5-9 verbs, 64 in all (`queues.view`, `queues.pause`,
//!   `queues.set_kpi_targets`, ...); every verb applies to its kind and
//!   implies the kind's view verb, and the kind's `*.manage` verb governs
//!   registering its objects. Beside them: the eight permissions every
//!   catalog must have and six company-wide ones. 78 permissions do not fit
//!   a `u64` word (asserted below), so V's flags are a `u128` and its user
//!   entries 64 bytes where the standard catalog's are 32.
//! * [`product_center`]: the company, built through ordinary `Change`s by
//!   the generator the standard call centers use ([`populate`]): at M's
//!   counts, V has M's numbers of users, projects, groups and objects, drawn
//!   the same way (its own draw), and differs only in its catalog and its
//!   50 custom roles (26-34 distinct random verbs and three company-wide
//!   permissions each). Enhanced security, like M.
//! * [`product_questions`]: 85% of the questions ask one of its kind's
//!   verbs about an object in one of the user's own projects, 15% a random
//!   permission of the company: as many company questions as M asks, so
//!   that the check's one data-dependent branch (company or object) is
//!   taken as often as in M. About two thirds are allowed (68%, against
//!   M's 48%): two thirds of the users hold two roles of about 30 of the 64
//!   verbs, so they hold about 70% of the verbs asked (about 21 verbs per
//!   role would bring it to half, but the issue says 30). The check decides
//!   without branching on the outcome, so the share does not steer its
//!   cost.
//!
//! `benches/check.rs` measures it as `check/by_user/V`, next to the
//! standard catalog's `check/by_user/M`.

use callgate::{
    AppliesTo, Catalog, Company, Definition, Holds, Kind, KindDef, ObjectId, PermissionDef,
    PermissionFlags, Resource, RoleId, UserId,
};

use super::{Question, Rng, Size, enhanced_company, populate};

/// The name of workload V, as `CALLGATE_SIZES` and the benchmark rows give
/// it.
pub(crate) const NAME: &str = "V";

/// The flags of the `verbs` catalog: bit `b` set for each permission whose
/// bit is `b`. A plain newtype: `check` only needs the word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub(crate) struct Verbs(u128);

impl Verbs {
    /// The permission of `def` alone.
    pub(crate) fn of(def: &PermissionDef) -> Self {
        Self(1 << def.bit())
    }
}

impl std::ops::BitOrAssign for Verbs {
    fn bitor_assign(&mut self, other: Self) {
        self.0 |= other.0;
    }
}

impl PermissionFlags for Verbs {
    type Word = u128;
    type Kind = VerbKind;

    #[inline(always)]
    fn catalog() -> &'static Catalog<u128> {
        &VERBS
    }

    #[inline(always)]
    fn to_word(self) -> u128 {
        self.0
    }

    #[inline(always)]
    fn from_word(word: u128) -> Self {
        Self(word)
    }
}

/// The manual's nine kinds of scoped object, in [`KINDS`] order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum VerbKind {
    Queue,
    Schedule,
    SipProvider,
    CallScript,
    Autodialer,
    List,
    NotificationTemplate,
    DialogScenario,
    ContactField,
}

impl VerbKind {
    const ALL: [Self; 9] = [
        Self::Queue,
        Self::Schedule,
        Self::SipProvider,
        Self::CallScript,
        Self::Autodialer,
        Self::List,
        Self::NotificationTemplate,
        Self::DialogScenario,
        Self::ContactField,
    ];
}

impl Kind for VerbKind {
    #[inline(always)]
    fn index(self) -> usize {
        self as usize
    }

    fn from_index(index: usize) -> Option<Self> {
        Self::ALL.get(index).copied()
    }
}

/// The sections, in matrix order: the library's, the company-wide ones,
/// then one per kind.
const SECTIONS: &[&str] = &[
    "Administration",
    "Projects",
    "Reports",
    "Call journal",
    "Finance",
    "Company settings",
    "Queues",
    "Schedules",
    "SIP providers",
    "Call scripts",
    "Autodialers",
    "Lists",
    "Notification templates",
    "Dialog scenarios",
    "Contact fields",
];

/// The kinds, in [`VerbKind`] order, each governed by its `*.manage` verb.
const KINDS: &[KindDef] = &[
    KindDef::new("queue", "queue", "queues.manage"),
    KindDef::new("schedule", "schedule", "schedules.manage"),
    KindDef::new("sip_provider", "SIP provider", "sip_providers.manage"),
    KindDef::new("call_script", "call script", "call_scripts.manage"),
    KindDef::new("autodialer", "autodialer", "autodialers.manage"),
    KindDef::new("list", "list", "lists.manage"),
    KindDef::new(
        "notification_template",
        "notification template",
        "notification_templates.manage",
    ),
    KindDef::new(
        "dialog_scenario",
        "dialog scenario",
        "dialog_scenarios.manage",
    ),
    KindDef::new("contact_field", "contact field", "contact_fields.manage"),
];

/// What every verb of one kind shares: the kind, its section and its view
/// verb.
struct On {
    kind: &'static [&'static str],
    section: &'static str,
    view: &'static [&'static str],
}

impl On {
    /// The kind's view verb: applies to the kind, implies nothing.
    const fn view(&self, bit: u32, name: &'static str) -> PermissionDef {
        PermissionDef::new(bit, name, self.section).on_kinds(self.kind)
    }

    /// Another verb of the kind: applies to it and implies its view verb.
    const fn verb(&self, bit: u32, name: &'static str) -> PermissionDef {
        self.view(bit, name).implies(self.view)
    }
}

const QUEUE: On = On {
    kind: &["queue"],
    section: "Queues",
    view: &["queues.view"],
};
const SCHEDULE: On = On {
    kind: &["schedule"],
    section: "Schedules",
    view: &["schedules.view"],
};
const SIP_PROVIDER: On = On {
    kind: &["sip_provider"],
    section: "SIP providers",
    view: &["sip_providers.view"],
};
const CALL_SCRIPT: On = On {
    kind: &["call_script"],
    section: "Call scripts",
    view: &["call_scripts.view"],
};
const AUTODIALER: On = On {
    kind: &["autodialer"],
    section: "Autodialers",
    view: &["autodialers.view"],
};
const LIST: On = On {
    kind: &["list"],
    section: "Lists",
    view: &["lists.view"],
};
const NOTIFICATION_TEMPLATE: On = On {
    kind: &["notification_template"],
    section: "Notification templates",
    view: &["notification_templates.view"],
};
const DIALOG_SCENARIO: On = On {
    kind: &["dialog_scenario"],
    section: "Dialog scenarios",
    view: &["dialog_scenarios.view"],
};
const CONTACT_FIELD: On = On {
    kind: &["contact_field"],
    section: "Contact fields",
    view: &["contact_fields.view"],
};

/// Every permission, in matrix order: bits 0-7 the library's, 8-13
/// company-wide, 14-77 the 64 verbs (queues 9, schedules 6, SIP providers
/// 5, call scripts 7, autodialers 9, lists 8, notification templates 6,
/// dialog scenarios 8, contact fields 6).
const PERMISSIONS: &[PermissionDef] = &[
    // What every catalog must have.
    PermissionDef::new(0, "users.manage", "Administration"),
    PermissionDef::new(1, "groups.manage", "Administration"),
    PermissionDef::new(2, "roles.manage", "Administration"),
    PermissionDef::new(3, "roles.test", "Administration"),
    PermissionDef::new(4, "security.manage", "Administration"),
    PermissionDef::new(5, "projects.view", "Projects").on_projects(),
    PermissionDef::new(6, "projects.manage", "Projects")
        .on_projects()
        .implies(&["projects.view"]),
    PermissionDef::new(7, "projects.all", "Projects"),
    // Company-wide.
    PermissionDef::new(8, "reports.view", "Reports"),
    PermissionDef::new(9, "reports.export", "Reports").implies(&["reports.view"]),
    PermissionDef::new(10, "call_journal.view", "Call journal"),
    PermissionDef::new(11, "recordings.listen", "Call journal"),
    PermissionDef::new(12, "billing.view", "Finance"),
    PermissionDef::new(13, "company_settings.manage", "Company settings"),
    // The verbs.
    QUEUE.view(14, "queues.view"),
    QUEUE.verb(15, "queues.pause"),
    QUEUE.verb(16, "queues.resume"),
    QUEUE.verb(17, "queues.edit"),
    QUEUE.verb(18, "queues.set_kpi_targets"),
    QUEUE.verb(19, "queues.assign_operators"),
    QUEUE.verb(20, "queues.monitor"),
    QUEUE.verb(21, "queues.export_stats"),
    QUEUE.verb(22, "queues.manage"),
    SCHEDULE.view(23, "schedules.view"),
    SCHEDULE.verb(24, "schedules.edit"),
    SCHEDULE.verb(25, "schedules.publish"),
    SCHEDULE.verb(26, "schedules.approve_swaps"),
    SCHEDULE.verb(27, "schedules.set_holidays"),
    SCHEDULE.verb(28, "schedules.manage"),
    SIP_PROVIDER.view(29, "sip_providers.view"),
    SIP_PROVIDER.verb(30, "sip_providers.edit"),
    SIP_PROVIDER.verb(31, "sip_providers.test_trunk"),
    SIP_PROVIDER.verb(32, "sip_providers.set_limits"),
    SIP_PROVIDER.verb(33, "sip_providers.manage"),
    CALL_SCRIPT.view(34, "call_scripts.view"),
    CALL_SCRIPT.verb(35, "call_scripts.edit"),
    CALL_SCRIPT.verb(36, "call_scripts.publish"),
    CALL_SCRIPT.verb(37, "call_scripts.translate"),
    CALL_SCRIPT.verb(38, "call_scripts.review"),
    CALL_SCRIPT.verb(39, "call_scripts.archive"),
    CALL_SCRIPT.verb(40, "call_scripts.manage"),
    AUTODIALER.view(41, "autodialers.view"),
    AUTODIALER.verb(42, "autodialers.start"),
    AUTODIALER.verb(43, "autodialers.stop"),
    AUTODIALER.verb(44, "autodialers.pause"),
    AUTODIALER.verb(45, "autodialers.edit"),
    AUTODIALER.verb(46, "autodialers.set_pacing"),
    AUTODIALER.verb(47, "autodialers.set_retry_rules"),
    AUTODIALER.verb(48, "autodialers.assign_lists"),
    AUTODIALER.verb(49, "autodialers.manage"),
    LIST.view(50, "lists.view"),
    LIST.verb(51, "lists.import"),
    LIST.verb(52, "lists.export"),
    LIST.verb(53, "lists.export_pii"),
    LIST.verb(54, "lists.edit_records"),
    LIST.verb(55, "lists.dedupe"),
    LIST.verb(56, "lists.purge"),
    LIST.verb(57, "lists.manage"),
    NOTIFICATION_TEMPLATE.view(58, "notification_templates.view"),
    NOTIFICATION_TEMPLATE.verb(59, "notification_templates.edit"),
    NOTIFICATION_TEMPLATE.verb(60, "notification_templates.test_send"),
    NOTIFICATION_TEMPLATE.verb(61, "notification_templates.publish"),
    NOTIFICATION_TEMPLATE.verb(62, "notification_templates.translate"),
    NOTIFICATION_TEMPLATE.verb(63, "notification_templates.manage"),
    DIALOG_SCENARIO.view(64, "dialog_scenarios.view"),
    DIALOG_SCENARIO.verb(65, "dialog_scenarios.edit"),
    DIALOG_SCENARIO.verb(66, "dialog_scenarios.test"),
    DIALOG_SCENARIO.verb(67, "dialog_scenarios.publish"),
    DIALOG_SCENARIO.verb(68, "dialog_scenarios.set_nlu_model"),
    DIALOG_SCENARIO.verb(69, "dialog_scenarios.view_transcripts"),
    DIALOG_SCENARIO.verb(70, "dialog_scenarios.rollback"),
    DIALOG_SCENARIO.verb(71, "dialog_scenarios.manage"),
    CONTACT_FIELD.view(72, "contact_fields.view"),
    CONTACT_FIELD.verb(73, "contact_fields.edit"),
    CONTACT_FIELD.verb(74, "contact_fields.set_validation"),
    CONTACT_FIELD.verb(75, "contact_fields.set_visibility"),
    CONTACT_FIELD.verb(76, "contact_fields.mask_pii"),
    CONTACT_FIELD.verb(77, "contact_fields.manage"),
];

/// The whole definition: Supervisor holds everything but Finance and
/// `security.manage`; Operator views queues, scripts, lists and contact
/// fields and pauses and resumes queues.
const DEFINITION: Definition = Definition::new("verbs", 1)
    .sections(SECTIONS)
    .permissions(PERMISSIONS)
    .kinds(KINDS)
    .supervisor(Holds::AllExcept {
        sections: &["Finance"],
        permissions: &["security.manage"],
    })
    .operator(Holds::Only(&[
        "queues.pause",
        "queues.resume",
        "call_scripts.view",
        "lists.view",
        "contact_fields.view",
    ]));

/// The `verbs` catalog, checked by the compiler.
pub(crate) static VERBS: Catalog<u128> = match Catalog::new(DEFINITION) {
    Ok(catalog) => catalog,
    Err(error) => error.fail(),
};

// 64 verbs, eight required and six company-wide permissions: too many for a
// `u64` word, which is why V's user entries are 64 bytes.
const _: () = assert!(PERMISSIONS.len() == 78);
const _: () = assert!(Catalog::<u64>::new(DEFINITION).is_err());

/// The verbs of each kind (by index), in matrix order; checks the issue's
/// shape (5-9 verbs a kind, 64 in all).
fn verbs_by_kind() -> Vec<Vec<Verbs>> {
    let catalog = Verbs::catalog();
    let by_kind: Vec<Vec<Verbs>> = catalog
        .kinds()
        .iter()
        .map(|kind| {
            catalog
                .permissions()
                .iter()
                .filter(|p| matches!(p.applies_to(), AppliesTo::Kinds(kinds) if kinds.contains(&kind.name())))
                .map(Verbs::of)
                .collect()
        })
        .collect();
    assert!(by_kind.iter().all(|verbs| (5..=9).contains(&verbs.len())));
    assert_eq!(by_kind.iter().map(Vec::len).sum::<usize>(), 64);
    by_kind
}

/// Workload V's company and what its question generator needs to know.
#[derive(Clone)]
pub(crate) struct ProductCenter {
    pub(crate) company: Company<Verbs>,
    /// The counts it was built at: M for V itself (S in test mode).
    pub(crate) scale: Size,
    /// Object-project links (for the memory budget).
    pub(crate) links: usize,
}

/// Builds workload V at `scale`'s counts (V itself is [`Size::M`]) in
/// enhanced security: custom roles of 26-34 distinct random verbs and three
/// random company-wide permissions (never `projects.all`), then users,
/// groups, projects and objects as the standard call center of that size
/// has them.
pub(crate) fn product_center(scale: Size) -> ProductCenter {
    let (users, _, _, roles, _) = scale.counts();
    let mut rng = Rng::new(0x5EED_7E4B + users as u64);
    let mut company = enhanced_company::<Verbs>();

    let catalog = Verbs::catalog();
    let mut verbs: Vec<Verbs> = verbs_by_kind().into_iter().flatten().collect();
    let company_wide: Vec<Verbs> = catalog
        .permissions()
        .iter()
        .filter(|p| p.applies_to() == AppliesTo::Company && p.name() != "projects.all")
        .map(Verbs::of)
        .collect();

    let mut role_ids = vec![RoleId::SUPERVISOR, RoleId::OPERATOR];
    for r in 0..roles {
        // A partial Fisher-Yates shuffle: the first `count` verbs are a
        // random choice of distinct ones.
        let count = 26 + rng.below(9) as usize;
        let mut permissions = Verbs::default();
        for i in 0..count {
            let j = i + rng.below((verbs.len() - i) as u32) as usize;
            verbs.swap(i, j);
            permissions |= verbs[i];
        }
        for _ in 0..3 {
            permissions |= company_wide[rng.below(company_wide.len() as u32) as usize];
        }
        let id = company
            .create_role(format!("role {r}"), "generated", permissions)
            .expect("unique role name");
        role_ids.push(id);
    }

    let links = populate(&mut company, &mut rng, scale, &role_ids);
    ProductCenter {
        company,
        scale,
        links,
    }
}

/// `count` questions: 85% ask a random verb of its kind about a random
/// object of one of the user's own projects (one of those the user was made
/// a member of; a random object when that project holds none), 15% a random
/// permission of the company.
pub(crate) fn product_questions(
    center: &ProductCenter,
    count: usize,
    seed: u64,
) -> Vec<Question<Verbs>> {
    let company = &center.company;
    let (users, _, objects, _, _) = center.scale.counts();
    let verbs = verbs_by_kind();
    let permissions = Verbs::catalog().permissions();
    let mut rng = Rng::new(seed);
    (0..count)
        .map(|_| {
            let user = UserId::new(rng.below(users));
            if rng.chance(15) {
                let p = &permissions[rng.below(permissions.len() as u32) as usize];
                return Question {
                    user,
                    action: Verbs::of(p),
                    resource: Resource::Company,
                };
            }
            let object = own_object(company, user, &mut rng)
                .unwrap_or_else(|| ObjectId::new(rng.below(objects)));
            let kind = company
                .object(object)
                .map_or(0, |object| object.kind().index());
            let verbs = &verbs[kind];
            Question {
                user,
                action: verbs[rng.below(verbs.len() as u32) as usize],
                resource: Resource::Object(object),
            }
        })
        .collect()
}

/// A random object of a random one of the projects `user` was made a member
/// of, if that project holds any.
fn own_object(company: &Company<Verbs>, user: UserId, rng: &mut Rng) -> Option<ObjectId> {
    let record = company.user(user)?;
    let n = record.projects().len() as u32;
    let project = record.projects().nth(rng.below(n.max(1)) as usize)?;
    let held = company.project(project)?;
    let n = held.objects().len() as u32;
    (n > 0).then(|| held.objects().nth(rng.below(n) as usize))?
}
