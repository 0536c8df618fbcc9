//! The standard catalog: the manual's call center (62 permissions, nine kinds
//! of scoped object), the default of every company.

use super::{Catalog, Definition, Holds, Kind, KindDef, PermissionFlags};
use crate::permissions::STANDARD_PERMISSIONS;
use crate::{BuiltinRole, ObjectKind, Permissions};

/// The standard catalog's sections, in matrix order.
const SECTIONS: &[&str] = &[
    "Operator workplace",
    "Technical support",
    "Call journal",
    "Chat journal",
    "Call recordings",
    "Reports and analytics",
    "KPI",
    "Shifts and schedules",
    "Quality assurance",
    "Finance",
    "Security settings",
    "Company settings",
    "Users",
    "Groups",
    "Roles",
    "Projects",
    "Integrations and API",
    "Network and telephony",
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

/// The standard catalog's kinds, in [`ObjectKind::ALL`] order.
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

/// The standard catalog: the manual's call center, named `standard`.
/// [`Permissions`] and [`ObjectKind`] are its flags and kinds.
///
/// # Example
///
/// ```
/// use callgate::STANDARD;
///
/// assert_eq!(STANDARD.name(), "standard");
/// assert_eq!(STANDARD.permissions().len(), 62);
/// let finance: Vec<_> = STANDARD.section_permissions("Finance").map(|p| p.name()).collect();
/// assert_eq!(finance, ["balance.view", "billing.view", "billing.manage", "payments.view", "payments.manage"]);
/// ```
pub static STANDARD: Catalog<u64> = match Catalog::new(
    Definition::new("standard", 1)
        .sections(SECTIONS)
        .permissions(STANDARD_PERMISSIONS)
        .kinds(KINDS)
        .describe_builtins(
            BuiltinRole::Supervisor.description(),
            BuiltinRole::Operator.description(),
        )
        .supervisor(Holds::AllExcept {
            sections: &["Finance", "KPI", "Security settings"],
            permissions: &[],
        })
        .operator(Holds::Only(&[
            "tickets.create",
            "call_journal.view",
            "chat_journal.view",
            "recordings.listen_all",
            "workplace.softphone",
            "workplace.chats",
            "workplace.contacts",
            "workplace.history",
            "workplace.scripts",
            "workplace.statuses",
            "workplace.statistics",
        ])),
) {
    Ok(catalog) => catalog,
    Err(error) => error.fail(),
};

// The built-in roles of the standard definition are the bitflags composites.
const _: () = assert!(STANDARD.supervisor == Permissions::SUPERVISOR.bits());
const _: () = assert!(STANDARD.operator == Permissions::OPERATOR.bits());
const _: () = assert!(STANDARD.all == Permissions::all().bits());
// `to_word` relies on bit 63 being no permission's.
const _: () = assert!(STANDARD.all >> 63 == 0);

impl PermissionFlags for Permissions {
    type Word = u64;
    type Kind = ObjectKind;

    #[inline(always)]
    fn catalog() -> &'static Catalog<u64> {
        &STANDARD
    }

    #[inline(always)]
    fn to_word(self) -> u64 {
        // Every flag lies in the low 64 bits (asserted above). Bits above
        // them (set with `from_bits_retain`) fold into bit 63, which is no
        // permission's: no role grants it, so a check asking for it denies
        // as it would for the high bits, and closing a set drops it as it
        // drops them. Without a branch.
        let bits = self.bits();
        let high = u64::from(bits >> 64 != 0);
        (bits as u64) | (high << 63)
    }

    #[inline(always)]
    fn from_word(word: u64) -> Self {
        Self::from_bits_retain(u128::from(word))
    }
}

impl Kind for ObjectKind {
    #[inline(always)]
    fn index(self) -> usize {
        self as usize
    }

    fn from_index(index: usize) -> Option<Self> {
        Self::ALL.get(index).copied()
    }
}
