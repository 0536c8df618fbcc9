//! "Acme contact center": an example product with its own permission
//! catalog (DOMAIN rule 18), shared by `examples/own_catalog.rs`,
//! `examples/cli.rs` and the tests of rules 18 and 19.
//!
//! Include it with `#[path = "product/mod.rs"] mod product;` (from
//! `examples/`) or `#[path = "../examples/product/mod.rs"] mod product;`
//! (from `tests/`). It declares, once:
//!
//! - [`AcmePermissions`]: one bit per permission, `1 << b` for the
//!   permission declared with bit `b` in [`PERMISSIONS`];
//! - [`AcmeKind`]: the manual's nine kinds of scoped object plus chat
//!   channels, in [`KINDS`] order;
//! - [`CATALOG`]: the checked catalog, named `acme-contact-center`,
//!   version 1. Supervisor holds everything but Finance, KPI and Security;
//!   Operator the workplace, pausing and resuming queues, and viewing chat
//!   channels and lists.
#![allow(dead_code)] // Each includer uses a part.

use std::fmt;
use std::str::FromStr;

use callgate::{Catalog, Definition, Error, Holds, Kind, KindDef, PermissionDef, PermissionFlags};

/// The catalog's stable name, as stored documents give it.
pub(crate) const NAME: &str = "acme-contact-center";

/// The sections, in matrix order.
#[rustfmt::skip]
pub(crate) const SECTIONS: &[&str] = &[
    "Administration", "Projects", "Workplace", "Reports", "Finance", "KPI", "Security", "Queues",
    "Schedules", "SIP providers", "Call scripts", "Autodialers", "Lists", "Notification templates",
    "Dialog scenarios", "Contact fields", "Chat channels",
];

/// Every permission, in matrix order: bit, stable name, section, what it
/// applies to (the company unless `object` names kinds), what it implies,
/// and a description.
#[rustfmt::skip]
pub(crate) const PERMISSIONS: &[PermissionDef] = &[
    company(0, "users.manage", "Administration").describe("Create, rename and delete users"),
    company(1, "groups.manage", "Administration").describe("Create and edit teams"),
    company(2, "roles.manage", "Administration").describe("Create, edit and assign roles"),
    company(3, "roles.test", "Administration").describe("Test a role, seeing what its holders see"),
    company(4, "projects.view", "Projects").on_projects().describe("View one's own projects"),
    company(5, "projects.manage", "Projects").on_projects().implies(&["projects.view"])
        .describe("Create and edit projects"),
    company(6, "projects.all", "Projects").describe("See every project and every scoped object"),
    company(7, "workplace.softphone", "Workplace").describe("Take and make calls"),
    company(8, "workplace.chats", "Workplace").describe("Answer chats"),
    company(9, "reports.view", "Reports").describe("View reports"),
    company(10, "finance.view", "Finance").describe("View balance and invoices"),
    company(11, "finance.manage", "Finance").implies(&["finance.view"])
        .describe("Pay and change tariffs"),
    object(12, "autodialers.view_costs", DIALER_COSTS).implies(&["autodialers.view"])
        .describe("View what a campaign costs"),
    object(13, "sip_providers.view_billing", SIP_BILLING).implies(&["sip_providers.view"])
        .describe("View a trunk's billing"),
    company(14, "kpi.view", "KPI").describe("View KPI"),
    company(15, "kpi.manage", "KPI").implies(&["kpi.view"]).describe("Define KPI"),
    object(16, "queues.set_kpi_targets", QUEUE_KPI).implies(&["queues.view"])
        .describe("Set a queue's KPI targets"),
    company(17, "security.view", "Security").describe("View security settings"),
    company(18, "security.manage", "Security").implies(&["security.view"])
        .describe("Change security settings and the security mode"),
    object(19, "queues.view", QUEUE).describe("View queues and their live state"),
    object(20, "queues.pause", QUEUE).implies(&["queues.view"]).describe("Pause a queue"),
    object(21, "queues.resume", QUEUE).implies(&["queues.view"]).describe("Resume a paused queue"),
    object(22, "queues.edit", QUEUE).implies(&["queues.view"])
        .describe("Create, configure and delete queues"),
    object(23, "schedules.view", SCHEDULE).describe("View schedules"),
    object(24, "schedules.edit", SCHEDULE).implies(&["schedules.view"])
        .describe("Create and edit schedules"),
    object(25, "sip_providers.view", SIP).describe("View SIP providers"),
    object(26, "sip_providers.rotate_credentials", SIP).implies(&["sip_providers.view"])
        .describe("Rotate a trunk's credentials"),
    object(27, "sip_providers.edit", SIP).implies(&["sip_providers.view"])
        .describe("Create and edit SIP providers"),
    object(28, "call_scripts.view", SCRIPT).describe("View call scripts"),
    object(29, "call_scripts.edit", SCRIPT).implies(&["call_scripts.view"])
        .describe("Write call scripts"),
    object(30, "autodialers.view", DIALER).describe("View campaigns"),
    object(31, "autodialers.start", DIALER).implies(&["autodialers.view"])
        .describe("Start a campaign"),
    object(32, "autodialers.stop", DIALER).implies(&["autodialers.view"])
        .describe("Stop a campaign"),
    object(33, "autodialers.edit", DIALER).implies(&["autodialers.view"])
        .describe("Create and edit campaigns"),
    object(34, "lists.view", LIST).describe("View contact lists"),
    object(35, "lists.import", LIST).implies(&["lists.view"])
        .describe("Import contacts into a list"),
    object(36, "lists.export_pii", LIST).implies(&["lists.view"])
        .describe("Export a list with personal data"),
    object(37, "lists.edit", LIST).implies(&["lists.view"]).describe("Create and edit lists"),
    object(38, "notification_templates.view", TEMPLATE).describe("View notification templates"),
    object(39, "notification_templates.edit", TEMPLATE).implies(&["notification_templates.view"])
        .describe("Edit notification templates"),
    object(40, "dialog_scenarios.view", SCENARIO).describe("View IVR and bot scenarios"),
    object(41, "dialog_scenarios.edit", SCENARIO).implies(&["dialog_scenarios.view"])
        .describe("Edit IVR and bot scenarios"),
    object(42, "contact_fields.view", FIELD).describe("View contact fields"),
    object(43, "contact_fields.edit", FIELD).implies(&["contact_fields.view"])
        .describe("Edit contact fields"),
    object(44, "chat_channels.view", CHAT).describe("View chat channels"),
    object(45, "chat_channels.manage", CHAT).implies(&["chat_channels.view"])
        .describe("Connect, configure and delete chat channels"),
];

/// A permission on the company (and, with `.on_projects()`, on projects).
const fn company(bit: u32, name: &'static str, section: &'static str) -> PermissionDef {
    PermissionDef::new(bit, name, section)
}

/// A permission on objects of some kinds, in a section: `(section, kinds)`.
type On = (&'static str, &'static [&'static str]);

/// A permission on objects, such as `object(20, "queues.pause", QUEUE)`.
const fn object(bit: u32, name: &'static str, (section, kinds): On) -> PermissionDef {
    PermissionDef::new(bit, name, section).on_kinds(kinds)
}

// Where each kind's permissions live: the kind's own section, except what
// a campaign or a trunk costs (Finance) and a queue's KPI targets (KPI).
const QUEUE: On = ("Queues", &["queue"]);
const QUEUE_KPI: On = ("KPI", &["queue"]);
const SCHEDULE: On = ("Schedules", &["schedule"]);
const SIP: On = ("SIP providers", &["sip_provider"]);
const SIP_BILLING: On = ("Finance", &["sip_provider"]);
const SCRIPT: On = ("Call scripts", &["call_script"]);
const DIALER: On = ("Autodialers", &["autodialer"]);
const DIALER_COSTS: On = ("Finance", &["autodialer"]);
const LIST: On = ("Lists", &["list"]);
const TEMPLATE: On = ("Notification templates", &["notification_template"]);
const SCENARIO: On = ("Dialog scenarios", &["dialog_scenario"]);
const FIELD: On = ("Contact fields", &["contact_field"]);
const CHAT: On = ("Chat channels", &["chat_channel"]);

/// The kinds of scoped object, in [`AcmeKind`] order, each with the
/// permission that governs registering, renaming and deleting one.
#[rustfmt::skip]
pub(crate) const KINDS: &[KindDef] = &[
    KindDef::new("queue", "queue", "queues.edit"),
    KindDef::new("schedule", "schedule", "schedules.edit"),
    KindDef::new("sip_provider", "SIP provider", "sip_providers.edit"),
    KindDef::new("call_script", "call script", "call_scripts.edit"),
    KindDef::new("autodialer", "autodialer", "autodialers.edit"),
    KindDef::new("list", "list", "lists.edit"),
    KindDef::new("notification_template", "notification template", "notification_templates.edit"),
    KindDef::new("dialog_scenario", "dialog scenario", "dialog_scenarios.edit"),
    KindDef::new("contact_field", "contact field", "contact_fields.edit"),
    KindDef::new("chat_channel", "chat channel", "chat_channels.manage"),
];

/// What Operator holds, with what it implies (`queues.pause` brings `queues.view`).
#[rustfmt::skip]
pub(crate) const OPERATOR: &[&str] = &[
    "workplace.softphone", "workplace.chats", "queues.pause", "queues.resume", "chat_channels.view",
    "lists.view",
];

/// What Supervisor holds: everything but Finance, KPI and Security (and
/// `projects.all`, which no built-in role but Admin holds).
pub(crate) const SUPERVISOR: Holds = Holds::AllExcept {
    sections: &["Finance", "KPI", "Security"],
    permissions: &[],
};

/// The whole declaration, version 1.
pub(crate) const DEFINITION: Definition = Definition::new(NAME, 1)
    .sections(SECTIONS)
    .permissions(PERMISSIONS)
    .kinds(KINDS)
    .supervisor(SUPERVISOR)
    .operator(Holds::Only(OPERATOR));

/// The checked catalog: a mistake in [`DEFINITION`] is a compile error.
pub(crate) static CATALOG: Catalog<u128> = match Catalog::new(DEFINITION) {
    Ok(catalog) => catalog,
    Err(error) => error.fail(),
};

bitflags::bitflags! {
    /// A set of Acme permissions: what roles hold and checks ask for.
    /// `Display` and `FromStr` use the stable names (`queues.pause`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub(crate) struct AcmePermissions: u128 {
        /// `users.manage`: create, rename and delete users.
        const USERS_MANAGE = 1 << 0;
        /// `groups.manage`: create and edit teams.
        const GROUPS_MANAGE = 1 << 1;
        /// `roles.manage`: create, edit and assign roles.
        const ROLES_MANAGE = 1 << 2;
        /// `roles.test`: test a role.
        const ROLES_TEST = 1 << 3;
        /// `projects.view`: view one's own projects.
        const PROJECTS_VIEW = 1 << 4;
        /// `projects.manage`: create and edit projects (implies `projects.view`).
        const PROJECTS_MANAGE = 1 << 5;
        /// `projects.all`: see every project and every scoped object.
        const PROJECTS_ALL = 1 << 6;
        /// `workplace.softphone`: take and make calls.
        const WORKPLACE_SOFTPHONE = 1 << 7;
        /// `workplace.chats`: answer chats.
        const WORKPLACE_CHATS = 1 << 8;
        /// `reports.view`: view reports.
        const REPORTS_VIEW = 1 << 9;
        /// `finance.view`: view balance and invoices.
        const FINANCE_VIEW = 1 << 10;
        /// `finance.manage`: pay and change tariffs (implies `finance.view`).
        const FINANCE_MANAGE = 1 << 11;
        /// `autodialers.view_costs`: what a campaign costs (Finance; implies `autodialers.view`).
        const AUTODIALERS_VIEW_COSTS = 1 << 12;
        /// `sip_providers.view_billing`: a trunk's billing (Finance; implies `sip_providers.view`).
        const SIP_PROVIDERS_VIEW_BILLING = 1 << 13;
        /// `kpi.view`: view KPI.
        const KPI_VIEW = 1 << 14;
        /// `kpi.manage`: define KPI (implies `kpi.view`).
        const KPI_MANAGE = 1 << 15;
        /// `queues.set_kpi_targets`: a queue's KPI targets (KPI; implies `queues.view`).
        const QUEUES_SET_KPI_TARGETS = 1 << 16;
        /// `security.view`: view security settings.
        const SECURITY_VIEW = 1 << 17;
        /// `security.manage`: change security settings and the mode (implies `security.view`).
        const SECURITY_MANAGE = 1 << 18;
        /// `queues.view`: view queues and their live state.
        const QUEUES_VIEW = 1 << 19;
        /// `queues.pause`: pause a queue (implies `queues.view`).
        const QUEUES_PAUSE = 1 << 20;
        /// `queues.resume`: resume a paused queue (implies `queues.view`).
        const QUEUES_RESUME = 1 << 21;
        /// `queues.edit`: create, configure and delete queues (implies `queues.view`).
        const QUEUES_EDIT = 1 << 22;
        /// `schedules.view`: view schedules.
        const SCHEDULES_VIEW = 1 << 23;
        /// `schedules.edit`: create and edit schedules (implies `schedules.view`).
        const SCHEDULES_EDIT = 1 << 24;
        /// `sip_providers.view`: view SIP providers.
        const SIP_PROVIDERS_VIEW = 1 << 25;
        /// `sip_providers.rotate_credentials`: rotate a trunk's credentials (implies view).
        const SIP_PROVIDERS_ROTATE_CREDENTIALS = 1 << 26;
        /// `sip_providers.edit`: create and edit SIP providers (implies view).
        const SIP_PROVIDERS_EDIT = 1 << 27;
        /// `call_scripts.view`: view call scripts.
        const CALL_SCRIPTS_VIEW = 1 << 28;
        /// `call_scripts.edit`: write call scripts (implies `call_scripts.view`).
        const CALL_SCRIPTS_EDIT = 1 << 29;
        /// `autodialers.view`: view campaigns.
        const AUTODIALERS_VIEW = 1 << 30;
        /// `autodialers.start`: start a campaign (implies `autodialers.view`).
        const AUTODIALERS_START = 1 << 31;
        /// `autodialers.stop`: stop a campaign (implies `autodialers.view`).
        const AUTODIALERS_STOP = 1 << 32;
        /// `autodialers.edit`: create and edit campaigns (implies `autodialers.view`).
        const AUTODIALERS_EDIT = 1 << 33;
        /// `lists.view`: view contact lists.
        const LISTS_VIEW = 1 << 34;
        /// `lists.import`: import contacts into a list (implies `lists.view`).
        const LISTS_IMPORT = 1 << 35;
        /// `lists.export_pii`: export a list with personal data (implies `lists.view`).
        const LISTS_EXPORT_PII = 1 << 36;
        /// `lists.edit`: create and edit lists (implies `lists.view`).
        const LISTS_EDIT = 1 << 37;
        /// `notification_templates.view`: view notification templates.
        const NOTIFICATION_TEMPLATES_VIEW = 1 << 38;
        /// `notification_templates.edit`: edit them (implies view).
        const NOTIFICATION_TEMPLATES_EDIT = 1 << 39;
        /// `dialog_scenarios.view`: view IVR and bot scenarios.
        const DIALOG_SCENARIOS_VIEW = 1 << 40;
        /// `dialog_scenarios.edit`: edit them (implies view).
        const DIALOG_SCENARIOS_EDIT = 1 << 41;
        /// `contact_fields.view`: view contact fields.
        const CONTACT_FIELDS_VIEW = 1 << 42;
        /// `contact_fields.edit`: edit them (implies view).
        const CONTACT_FIELDS_EDIT = 1 << 43;
        /// `chat_channels.view`: view chat channels.
        const CHAT_CHANNELS_VIEW = 1 << 44;
        /// `chat_channels.manage`: connect, configure and delete them (implies view).
        const CHAT_CHANNELS_MANAGE = 1 << 45;
    }
}

/// Every bit [`PERMISSIONS`] declares.
const fn declared_bits(permissions: &[PermissionDef]) -> u128 {
    let (mut bits, mut i) = (0, 0);
    while i < permissions.len() {
        bits |= 1 << permissions[i].bit();
        i += 1;
    }
    bits
}

// The flags type and the definition declare the same bits, and the kind
// enum has one variant per declared kind.
const _: () = assert!(AcmePermissions::all().bits() == declared_bits(PERMISSIONS));
const _: () = assert!(AcmeKind::ALL.len() == KINDS.len());

impl PermissionFlags for AcmePermissions {
    type Word = u128;
    type Kind = AcmeKind;

    fn catalog() -> &'static Catalog<u128> {
        &CATALOG
    }

    fn to_word(self) -> u128 {
        self.bits()
    }

    fn from_word(word: u128) -> Self {
        Self::from_bits_retain(word)
    }
}

impl fmt::Display for AcmePermissions {
    /// The fewest stable names that say the set: `queues.pause | lists.view`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        callgate::names(*self).fmt(f)
    }
}

impl FromStr for AcmePermissions {
    type Err = Error;

    /// Stable names joined by `|` or `,`, with what they imply.
    fn from_str(text: &str) -> Result<Self, Error> {
        callgate::parse_permissions(text)
    }
}

/// A kind of object that an Acme project can scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum AcmeKind {
    /// A call or chat queue.
    Queue,
    /// Working hours used for routing.
    Schedule,
    /// A SIP trunk.
    SipProvider,
    /// A call script.
    CallScript,
    /// An outbound call campaign.
    Autodialer,
    /// A contact or call list.
    List,
    /// A notification template.
    NotificationTemplate,
    /// An IVR or chat-bot scenario.
    DialogScenario,
    /// A contact field.
    ContactField,
    /// A chat channel (web chat, messenger): the kind Acme adds.
    ChatChannel,
}

impl AcmeKind {
    /// Every kind, in catalog order.
    #[rustfmt::skip]
    pub(crate) const ALL: [Self; 10] = [
        Self::Queue, Self::Schedule, Self::SipProvider, Self::CallScript, Self::Autodialer,
        Self::List, Self::NotificationTemplate, Self::DialogScenario, Self::ContactField,
        Self::ChatChannel,
];

    /// The kind's declaration: its stable name, label and governing permission.
    pub(crate) fn def(self) -> &'static KindDef {
        &KINDS[self as usize]
    }
}

impl Kind for AcmeKind {
    fn index(self) -> usize {
        self as usize
    }

    fn from_index(index: usize) -> Option<Self> {
        Self::ALL.get(index).copied()
    }
}

impl fmt::Display for AcmeKind {
    /// The stable name, e.g. `chat_channel`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.def().name())
    }
}

impl FromStr for AcmeKind {
    type Err = Error;

    /// A stable name, e.g. `chat_channel`.
    fn from_str(name: &str) -> Result<Self, Error> {
        callgate::parse_kind::<AcmePermissions>(name)
    }
}
