//! "Acme contact center": an example product with its own permission
//! catalog (DOMAIN rule 18), shared by `examples/own_catalog.rs`,
//! `examples/cli.rs` and the tests of rules 18 and 19.
//!
//! Include it with `#[path = "product/mod.rs"] mod product;` (from
//! `examples/`) or `#[path = "../examples/product/mod.rs"] mod product;`
//! (from `tests/`). One [`callgate::catalog!`] declares, once:
//!
//! - [`AcmePermissions`]: one bit per permission, in declaration order;
//! - [`AcmeKind`]: the manual's nine kinds of scoped object plus chat
//!   channels;
//! - the checked catalog, named `acme-contact-center`, version 1, as
//!   `AcmePermissions::DEFINITION` and `AcmePermissions::catalog()`.
//!   Supervisor holds everything but Finance, KPI and Security; Operator the
//!   workplace, pausing and resuming queues, and viewing chat channels and
//!   lists.
//!
//! Where a kind's permissions live: the kind's own section, except what a
//! campaign or a trunk costs (Finance) and a queue's KPI targets (KPI).
#![allow(dead_code)] // Each includer uses a part.

use callgate::{Catalog, Definition, Holds, KindDef, PermissionDef, PermissionFlags};

callgate::catalog! {
    /// A set of Acme permissions: what roles hold and checks ask for.
    /// `Display` and `FromStr` use the stable names (`queues.pause`).
    pub(crate) struct AcmePermissions: u128;

    /// A kind of object that an Acme project can scope.
    pub(crate) enum AcmeKind;

    name "acme-contact-center", version 1;
    sections [
        "Administration", "Projects", "Workplace", "Reports", "Finance", "KPI", "Security",
        "Queues", "Schedules", "SIP providers", "Call scripts", "Autodialers", "Lists",
        "Notification templates", "Dialog scenarios", "Contact fields", "Chat channels",
    ];
    permissions {
        /// Create, rename and delete users
        USERS_MANAGE = "users.manage" in "Administration";
        /// Create and edit teams
        GROUPS_MANAGE = "groups.manage" in "Administration";
        /// Create, edit and assign roles
        ROLES_MANAGE = "roles.manage" in "Administration";
        /// Test a role, seeing what its holders see
        ROLES_TEST = "roles.test" in "Administration";
        /// View one's own projects
        PROJECTS_VIEW = "projects.view" in "Projects" on projects;
        /// Create and edit projects
        PROJECTS_MANAGE = "projects.manage" in "Projects" on projects implies [PROJECTS_VIEW];
        /// See every project and every scoped object
        PROJECTS_ALL = "projects.all" in "Projects";
        /// Take and make calls
        WORKPLACE_SOFTPHONE = "workplace.softphone" in "Workplace";
        /// Answer chats
        WORKPLACE_CHATS = "workplace.chats" in "Workplace";
        /// View reports
        REPORTS_VIEW = "reports.view" in "Reports";
        /// View balance and invoices
        FINANCE_VIEW = "finance.view" in "Finance";
        /// Pay and change tariffs
        FINANCE_MANAGE = "finance.manage" in "Finance" implies [FINANCE_VIEW];
        /// View what a campaign costs
        AUTODIALERS_VIEW_COSTS = "autodialers.view_costs" in "Finance" on [Autodialer] implies [AUTODIALERS_VIEW];
        /// View a trunk's billing
        SIP_PROVIDERS_VIEW_BILLING = "sip_providers.view_billing" in "Finance" on [SipProvider] implies [SIP_PROVIDERS_VIEW];
        /// View KPI
        KPI_VIEW = "kpi.view" in "KPI";
        /// Define KPI
        KPI_MANAGE = "kpi.manage" in "KPI" implies [KPI_VIEW];
        /// Set a queue's KPI targets
        QUEUES_SET_KPI_TARGETS = "queues.set_kpi_targets" in "KPI" on [Queue] implies [QUEUES_VIEW];
        /// View security settings
        SECURITY_VIEW = "security.view" in "Security";
        /// Change security settings and the security mode
        SECURITY_MANAGE = "security.manage" in "Security" implies [SECURITY_VIEW];
        /// View queues and their live state
        QUEUES_VIEW = "queues.view" in "Queues" on [Queue];
        /// Pause a queue
        QUEUES_PAUSE = "queues.pause" in "Queues" on [Queue] implies [QUEUES_VIEW];
        /// Resume a paused queue
        QUEUES_RESUME = "queues.resume" in "Queues" on [Queue] implies [QUEUES_VIEW];
        /// Create, configure and delete queues
        QUEUES_EDIT = "queues.edit" in "Queues" on [Queue] implies [QUEUES_VIEW];
        /// View schedules
        SCHEDULES_VIEW = "schedules.view" in "Schedules" on [Schedule];
        /// Create and edit schedules
        SCHEDULES_EDIT = "schedules.edit" in "Schedules" on [Schedule] implies [SCHEDULES_VIEW];
        /// View SIP providers
        SIP_PROVIDERS_VIEW = "sip_providers.view" in "SIP providers" on [SipProvider];
        /// Rotate a trunk's credentials
        SIP_PROVIDERS_ROTATE_CREDENTIALS = "sip_providers.rotate_credentials" in "SIP providers" on [SipProvider] implies [SIP_PROVIDERS_VIEW];
        /// Create and edit SIP providers
        SIP_PROVIDERS_EDIT = "sip_providers.edit" in "SIP providers" on [SipProvider] implies [SIP_PROVIDERS_VIEW];
        /// View call scripts
        CALL_SCRIPTS_VIEW = "call_scripts.view" in "Call scripts" on [CallScript];
        /// Write call scripts
        CALL_SCRIPTS_EDIT = "call_scripts.edit" in "Call scripts" on [CallScript] implies [CALL_SCRIPTS_VIEW];
        /// View campaigns
        AUTODIALERS_VIEW = "autodialers.view" in "Autodialers" on [Autodialer];
        /// Start a campaign
        AUTODIALERS_START = "autodialers.start" in "Autodialers" on [Autodialer] implies [AUTODIALERS_VIEW];
        /// Stop a campaign
        AUTODIALERS_STOP = "autodialers.stop" in "Autodialers" on [Autodialer] implies [AUTODIALERS_VIEW];
        /// Create and edit campaigns
        AUTODIALERS_EDIT = "autodialers.edit" in "Autodialers" on [Autodialer] implies [AUTODIALERS_VIEW];
        /// View contact lists
        LISTS_VIEW = "lists.view" in "Lists" on [List];
        /// Import contacts into a list
        LISTS_IMPORT = "lists.import" in "Lists" on [List] implies [LISTS_VIEW];
        /// Export a list with personal data
        LISTS_EXPORT_PII = "lists.export_pii" in "Lists" on [List] implies [LISTS_VIEW];
        /// Create and edit lists
        LISTS_EDIT = "lists.edit" in "Lists" on [List] implies [LISTS_VIEW];
        /// View notification templates
        NOTIFICATION_TEMPLATES_VIEW = "notification_templates.view" in "Notification templates" on [NotificationTemplate];
        /// Edit notification templates
        NOTIFICATION_TEMPLATES_EDIT = "notification_templates.edit" in "Notification templates" on [NotificationTemplate] implies [NOTIFICATION_TEMPLATES_VIEW];
        /// View IVR and bot scenarios
        DIALOG_SCENARIOS_VIEW = "dialog_scenarios.view" in "Dialog scenarios" on [DialogScenario];
        /// Edit IVR and bot scenarios
        DIALOG_SCENARIOS_EDIT = "dialog_scenarios.edit" in "Dialog scenarios" on [DialogScenario] implies [DIALOG_SCENARIOS_VIEW];
        /// View contact fields
        CONTACT_FIELDS_VIEW = "contact_fields.view" in "Contact fields" on [ContactField];
        /// Edit contact fields
        CONTACT_FIELDS_EDIT = "contact_fields.edit" in "Contact fields" on [ContactField] implies [CONTACT_FIELDS_VIEW];
        /// View chat channels
        CHAT_CHANNELS_VIEW = "chat_channels.view" in "Chat channels" on [ChatChannel];
        /// Connect, configure and delete chat channels
        CHAT_CHANNELS_MANAGE = "chat_channels.manage" in "Chat channels" on [ChatChannel] implies [CHAT_CHANNELS_VIEW];
    }
    kinds {
        /// A call or chat queue.
        Queue = "queue" ("queue") managed by QUEUES_EDIT;
        /// Working hours used for routing.
        Schedule = "schedule" ("schedule") managed by SCHEDULES_EDIT;
        /// A SIP trunk.
        SipProvider = "sip_provider" ("SIP provider") managed by SIP_PROVIDERS_EDIT;
        /// A call script.
        CallScript = "call_script" ("call script") managed by CALL_SCRIPTS_EDIT;
        /// An outbound call campaign.
        Autodialer = "autodialer" ("autodialer") managed by AUTODIALERS_EDIT;
        /// A contact or call list.
        List = "list" ("list") managed by LISTS_EDIT;
        /// A notification template.
        NotificationTemplate = "notification_template" ("notification template")
            managed by NOTIFICATION_TEMPLATES_EDIT;
        /// An IVR or chat-bot scenario.
        DialogScenario = "dialog_scenario" ("dialog scenario") managed by DIALOG_SCENARIOS_EDIT;
        /// A contact field.
        ContactField = "contact_field" ("contact field") managed by CONTACT_FIELDS_EDIT;
        /// A chat channel (web chat, messenger): the kind Acme adds.
        ChatChannel = "chat_channel" ("chat channel") managed by CHAT_CHANNELS_MANAGE;
    }
    // Supervisor: everything but Finance, KPI and Security (and
    // `projects.all`, which no built-in role but Admin holds).
    supervisor all except sections ["Finance", "KPI", "Security"];
    operator only [
        WORKPLACE_SOFTPHONE, WORKPLACE_CHATS, QUEUES_PAUSE, QUEUES_RESUME, CHAT_CHANNELS_VIEW,
        LISTS_VIEW,
    ];
}

/// The whole declaration, version 1.
pub(crate) const DEFINITION: Definition = AcmePermissions::DEFINITION;

/// The catalog's stable name, as stored documents give it.
pub(crate) const NAME: &str = DEFINITION.catalog_name();

/// The sections, in matrix order.
pub(crate) const SECTIONS: &[&str] = DEFINITION.section_list();

/// Every permission, in matrix order.
pub(crate) const PERMISSIONS: &[PermissionDef] = DEFINITION.permission_list();

/// The kinds of scoped object, in [`AcmeKind`] order.
pub(crate) const KINDS: &[KindDef] = DEFINITION.kind_list();

/// What Supervisor holds.
pub(crate) const SUPERVISOR: Holds = DEFINITION.supervisor_holds();

/// What Operator holds, with what it implies (`queues.pause` brings `queues.view`).
pub(crate) const OPERATOR: &[&str] = match DEFINITION.operator_holds() {
    Holds::Only(names) => names,
    Holds::AllExcept { .. } => &[],
};

/// The checked catalog.
pub(crate) fn catalog() -> &'static Catalog<u128> {
    AcmePermissions::catalog()
}

impl AcmeKind {
    /// The kind's declaration: its stable name, label and governing permission.
    pub(crate) fn def(self) -> &'static KindDef {
        &catalog().kinds()[self as usize]
    }
}
