//! The permission catalog: every switch a role can have, as one bit set.
//!
//! [`Permissions`] is a [`bitflags`] type. Each named flag stands for one
//! column of the role x permission matrix (one "section switch") and has a
//! stable lowercase name such as `queues.view`, listed in [`CATALOG`]. The
//! names, never the bits, are what [`Display`](std::fmt::Display),
//! [`FromStr`](std::str::FromStr) and stored data use, so the bits can be
//! reordered between releases without breaking anything a host has saved.
//!
//! # Manage implies view
//!
//! Every `*.manage` flag includes the bit of its `*.view` flag, so
//! `Permissions::QUEUES_MANAGE.contains(Permissions::QUEUES_VIEW)` holds and
//! granting "manage" grants "view" too. Raw bit arithmetic (`remove`, `!`,
//! `from_bits`) can still produce a set that has a manage bit without its view
//! bit; [`Permissions::closed`] repairs such a set, and every set the crate
//! stores has been passed through it.

use std::fmt;
use std::str::FromStr;

use crate::error::Error;

bitflags::bitflags! {
    /// A set of permissions: what a role grants, what a user may do, or the
    /// action a check asks about.
    ///
    /// Each flag is documented with its stable name. `*_MANAGE` flags include
    /// their `*_VIEW` bit. Composites ([`WORKPLACE`](Self::WORKPLACE),
    /// [`FINANCE`](Self::FINANCE), [`KPI`](Self::KPI),
    /// [`SECURITY`](Self::SECURITY), [`OBJECTS`](Self::OBJECTS)) name the
    /// groups the built-in roles are defined by.
    ///
    /// # Unknown bits
    ///
    /// Bits outside [`Permissions::all`] mean nothing. The crate never stores
    /// them: stored data is read by flag name, and sets handed to the crate
    /// are truncated to known bits and [closed](Self::closed).
    ///
    /// # Example
    ///
    /// ```
    /// use callgate::Permissions;
    ///
    /// let qa = Permissions::QA_SHEETS_MANAGE | Permissions::QA_CHECKS_VIEW;
    /// assert!(qa.contains(Permissions::QA_SHEETS_VIEW)); // manage implies view
    /// assert_eq!(qa.to_string(), "qa_sheets.manage | qa_checks.view");
    /// assert_eq!("qa_checks.view | qa_sheets.manage".parse::<Permissions>()?, qa);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
    pub struct Permissions: u128 {
        // ---- Operator workplace widgets --------------------------------
        /// `workplace.softphone`: the softphone widget of the operator workplace.
        const WORKPLACE_SOFTPHONE = 1 << 0;
        /// `workplace.chats`: the chats widget of the operator workplace.
        const WORKPLACE_CHATS = 1 << 1;
        /// `workplace.contacts`: the contacts (CRM card) widget.
        const WORKPLACE_CONTACTS = 1 << 2;
        /// `workplace.history`: the operator's own call and chat history widget.
        const WORKPLACE_HISTORY = 1 << 3;
        /// `workplace.scripts`: the call-script widget shown during a call.
        const WORKPLACE_SCRIPTS = 1 << 4;
        /// `workplace.statuses`: the widget for setting the operator's status.
        const WORKPLACE_STATUSES = 1 << 5;
        /// `workplace.statistics`: the operator's own statistics widget.
        const WORKPLACE_STATISTICS = 1 << 6;

        // ---- The operator's own abilities ------------------------------
        /// `tickets.create`: create tickets to technical support.
        const TICKETS_CREATE = 1 << 7;
        /// `call_journal.view`: view the call journal.
        const CALL_JOURNAL_VIEW = 1 << 8;
        /// `chat_journal.view`: view the chat journal.
        const CHAT_JOURNAL_VIEW = 1 << 9;
        /// `recordings.listen_all`: listen to the call recordings of all users.
        const RECORDINGS_LISTEN_ALL = 1 << 10;

        // ---- Reports, KPI, shifts, QA ----------------------------------
        /// `reports.view`: view reports and analytics.
        const REPORTS_VIEW = 1 << 11;
        /// `reports.manage`: build, edit and delete reports (implies `reports.view`).
        const REPORTS_MANAGE = (1 << 12) | Self::REPORTS_VIEW.bits();
        /// `kpi.view`: view KPI dashboards.
        const KPI_VIEW = 1 << 13;
        /// `kpi.manage`: define KPI targets (implies `kpi.view`).
        const KPI_MANAGE = (1 << 14) | Self::KPI_VIEW.bits();
        /// `shifts.view`: view shifts and work schedules.
        const SHIFTS_VIEW = 1 << 15;
        /// `shifts.manage`: plan shifts and work schedules (implies `shifts.view`).
        const SHIFTS_MANAGE = (1 << 16) | Self::SHIFTS_VIEW.bits();
        /// `qa_sheets.view`: view QA evaluation sheets.
        const QA_SHEETS_VIEW = 1 << 17;
        /// `qa_sheets.manage`: design QA evaluation sheets (implies `qa_sheets.view`).
        const QA_SHEETS_MANAGE = (1 << 18) | Self::QA_SHEETS_VIEW.bits();
        /// `qa_checks.view`: view QA checks of calls and chats.
        const QA_CHECKS_VIEW = 1 << 19;
        /// `qa_checks.manage`: evaluate calls and chats (implies `qa_checks.view`).
        const QA_CHECKS_MANAGE = (1 << 20) | Self::QA_CHECKS_VIEW.bits();

        // ---- Finance ----------------------------------------------------
        /// `balance.view`: view the company's balance.
        const BALANCE_VIEW = 1 << 21;
        /// `billing.view`: view tariffs, invoices and billing details.
        const BILLING_VIEW = 1 << 22;
        /// `billing.manage`: change tariffs and billing details (implies `billing.view`).
        const BILLING_MANAGE = (1 << 23) | Self::BILLING_VIEW.bits();
        /// `payments.view`: view payments.
        const PAYMENTS_VIEW = 1 << 24;
        /// `payments.manage`: make payments and top up the balance (implies `payments.view`).
        const PAYMENTS_MANAGE = (1 << 25) | Self::PAYMENTS_VIEW.bits();

        // ---- Company administration -------------------------------------
        /// `security.view`: view security settings (including the security mode).
        const SECURITY_VIEW = 1 << 26;
        /// `security.manage`: change security settings and switch the security
        /// mode (implies `security.view`).
        const SECURITY_MANAGE = (1 << 27) | Self::SECURITY_VIEW.bits();
        /// `company.view`: view company settings.
        const COMPANY_VIEW = 1 << 28;
        /// `company.manage`: change company settings (implies `company.view`).
        const COMPANY_MANAGE = (1 << 29) | Self::COMPANY_VIEW.bits();
        /// `users.view`: view users.
        const USERS_VIEW = 1 << 30;
        /// `users.manage`: create, rename and delete users (implies `users.view`).
        const USERS_MANAGE = (1 << 31) | Self::USERS_VIEW.bits();
        /// `groups.view`: view groups.
        const GROUPS_VIEW = 1 << 32;
        /// `groups.manage`: create, edit and delete groups (implies `groups.view`).
        const GROUPS_MANAGE = (1 << 33) | Self::GROUPS_VIEW.bits();
        /// `roles.view`: view roles and the role x permission matrix.
        const ROLES_VIEW = 1 << 34;
        /// `roles.manage`: create, edit, assign and delete roles (implies `roles.view`).
        const ROLES_MANAGE = (1 << 35) | Self::ROLES_VIEW.bits();
        /// `roles.test`: test a role, seeing what its holders see.
        const ROLES_TEST = 1 << 36;
        /// `projects.view`: view the projects one is a member of.
        const PROJECTS_VIEW = 1 << 37;
        /// `projects.manage`: create, edit and delete projects (implies `projects.view`).
        const PROJECTS_MANAGE = (1 << 38) | Self::PROJECTS_VIEW.bits();
        /// `projects.all`: see every project and every project-scoped object,
        /// member or not.
        const PROJECTS_ALL = 1 << 39;
        /// `integrations.view`: view integrations and API keys.
        const INTEGRATIONS_VIEW = 1 << 40;
        /// `integrations.manage`: set up integrations and API keys (implies `integrations.view`).
        const INTEGRATIONS_MANAGE = (1 << 41) | Self::INTEGRATIONS_VIEW.bits();
        /// `network.view`: view network and telephony settings.
        const NETWORK_VIEW = 1 << 42;
        /// `network.manage`: change network and telephony settings (implies `network.view`).
        const NETWORK_MANAGE = (1 << 43) | Self::NETWORK_VIEW.bits();

        // ---- Project-scoped objects -------------------------------------
        /// `queues.view`: view queues.
        const QUEUES_VIEW = 1 << 44;
        /// `queues.manage`: create, edit and delete queues (implies `queues.view`).
        const QUEUES_MANAGE = (1 << 45) | Self::QUEUES_VIEW.bits();
        /// `schedules.view`: view schedules (working hours used for routing).
        const SCHEDULES_VIEW = 1 << 46;
        /// `schedules.manage`: edit schedules (implies `schedules.view`).
        const SCHEDULES_MANAGE = (1 << 47) | Self::SCHEDULES_VIEW.bits();
        /// `sip_providers.view`: view SIP providers (trunks).
        const SIP_PROVIDERS_VIEW = 1 << 48;
        /// `sip_providers.manage`: edit SIP providers (implies `sip_providers.view`).
        const SIP_PROVIDERS_MANAGE = (1 << 49) | Self::SIP_PROVIDERS_VIEW.bits();
        /// `call_scripts.view`: view call scripts.
        const CALL_SCRIPTS_VIEW = 1 << 50;
        /// `call_scripts.manage`: edit call scripts (implies `call_scripts.view`).
        const CALL_SCRIPTS_MANAGE = (1 << 51) | Self::CALL_SCRIPTS_VIEW.bits();
        /// `autodialers.view`: view autodialers (outbound call campaigns).
        const AUTODIALERS_VIEW = 1 << 52;
        /// `autodialers.manage`: edit, start and stop autodialers (implies `autodialers.view`).
        const AUTODIALERS_MANAGE = (1 << 53) | Self::AUTODIALERS_VIEW.bits();
        /// `lists.view`: view contact and call lists.
        const LISTS_VIEW = 1 << 54;
        /// `lists.manage`: edit contact and call lists (implies `lists.view`).
        const LISTS_MANAGE = (1 << 55) | Self::LISTS_VIEW.bits();
        /// `notification_templates.view`: view notification templates.
        const NOTIFICATION_TEMPLATES_VIEW = 1 << 56;
        /// `notification_templates.manage`: edit notification templates
        /// (implies `notification_templates.view`).
        const NOTIFICATION_TEMPLATES_MANAGE = (1 << 57) | Self::NOTIFICATION_TEMPLATES_VIEW.bits();
        /// `dialog_scenarios.view`: view dialog scenarios (IVR and chat bots).
        const DIALOG_SCENARIOS_VIEW = 1 << 58;
        /// `dialog_scenarios.manage`: edit dialog scenarios (implies `dialog_scenarios.view`).
        const DIALOG_SCENARIOS_MANAGE = (1 << 59) | Self::DIALOG_SCENARIOS_VIEW.bits();
        /// `contact_fields.view`: view contact fields.
        const CONTACT_FIELDS_VIEW = 1 << 60;
        /// `contact_fields.manage`: edit contact fields (implies `contact_fields.view`).
        const CONTACT_FIELDS_MANAGE = (1 << 61) | Self::CONTACT_FIELDS_VIEW.bits();

        // ---- Composites ---------------------------------------------------
        /// Every widget of the operator workplace.
        const WORKPLACE = Self::WORKPLACE_SOFTPHONE.bits()
            | Self::WORKPLACE_CHATS.bits()
            | Self::WORKPLACE_CONTACTS.bits()
            | Self::WORKPLACE_HISTORY.bits()
            | Self::WORKPLACE_SCRIPTS.bits()
            | Self::WORKPLACE_STATUSES.bits()
            | Self::WORKPLACE_STATISTICS.bits();
        /// Finance settings: balance, billing and payments.
        const FINANCE = Self::BALANCE_VIEW.bits()
            | Self::BILLING_MANAGE.bits()
            | Self::PAYMENTS_MANAGE.bits();
        /// KPI, viewing and managing.
        const KPI = Self::KPI_MANAGE.bits();
        /// Security settings, viewing and managing.
        const SECURITY = Self::SECURITY_MANAGE.bits();
        /// Viewing and managing every kind of project-scoped object.
        const OBJECTS = Self::QUEUES_MANAGE.bits()
            | Self::SCHEDULES_MANAGE.bits()
            | Self::SIP_PROVIDERS_MANAGE.bits()
            | Self::CALL_SCRIPTS_MANAGE.bits()
            | Self::AUTODIALERS_MANAGE.bits()
            | Self::LISTS_MANAGE.bits()
            | Self::NOTIFICATION_TEMPLATES_MANAGE.bits()
            | Self::DIALOG_SCENARIOS_MANAGE.bits()
            | Self::CONTACT_FIELDS_MANAGE.bits();
        /// What the built-in Operator role grants: creating support tickets,
        /// the call and chat journals, listening to every user's calls and
        /// every operator-workplace widget.
        const OPERATOR = Self::TICKETS_CREATE.bits()
            | Self::CALL_JOURNAL_VIEW.bits()
            | Self::CHAT_JOURNAL_VIEW.bits()
            | Self::RECORDINGS_LISTEN_ALL.bits()
            | Self::WORKPLACE.bits();
    }
}

/// One entry of the permission catalog: a single switch of the role x
/// permission matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct PermissionInfo {
    /// The flag, including the view bit it implies for `*.manage` flags.
    pub flag: Permissions,
    /// The stable lowercase name used in text and stored data, e.g. `queues.view`.
    pub name: &'static str,
    /// The section of the product the switch belongs to, e.g. `Queues`.
    pub section: &'static str,
    /// A short human description.
    pub description: &'static str,
}

impl PermissionInfo {
    /// The one bit that belongs to this entry alone (for `*.manage`, without
    /// the view bit it implies).
    #[must_use]
    pub const fn own_bit(&self) -> Permissions {
        // Each flag's own bit is its highest bit: implied view bits are
        // always declared before the flag that implies them.
        let bits = self.flag.bits();
        Permissions::from_bits_retain(1u128 << (127 - bits.leading_zeros()))
    }

    /// The flags this one implies besides itself (empty for most; the view
    /// flag for a `*.manage` flag).
    #[must_use]
    pub const fn implies(&self) -> Permissions {
        Permissions::from_bits_retain(self.flag.bits() & !self.own_bit().bits())
    }
}

macro_rules! catalog {
    ($($flag:ident, $name:literal, $section:literal, $description:literal, $applies:expr, [$($implied:literal),*];)*) => {
        /// Every single permission, in matrix order, with its stable name
        /// and its flag.
        ///
        /// Composites such as [`Permissions::WORKPLACE`] are not entries:
        /// they are unions of entries.
        ///
        /// This is the standard catalog's table as 0.1 gave it. Its entries
        /// are [`STANDARD.permissions()`](crate::STANDARD), in the same order
        /// and made by the same declaration; new code should use that, with
        /// [`PermissionFlags::from_permission`](crate::PermissionFlags::from_permission)
        /// for the flag: it works the same for every catalog.
        pub const CATALOG: &[PermissionInfo] = &[
            $(PermissionInfo {
                flag: Permissions::$flag,
                name: $name,
                section: $section,
                description: $description,
            },)*
        ];

        /// The standard catalog's permissions, as a [`Definition`](crate::Definition) lists them.
        pub(crate) const STANDARD_PERMISSIONS: &[crate::PermissionDef] = &[
            $({
                use crate::AppliesTo::*;
                // A flag's own bit is its highest (see `PermissionInfo::own_bit`).
                let bit = 127 - Permissions::$flag.bits().leading_zeros();
                let def = crate::PermissionDef::new(bit, $name, $section)
                    .implies(&[$($implied),*])
                    .describe($description);
                match $applies {
                    Company => def,
                    Projects => def.on_projects(),
                    Kinds(kinds) => def.on_kinds(kinds),
                }
            },)*
        ];
    };
}

catalog! {
    WORKPLACE_SOFTPHONE, "workplace.softphone", "Operator workplace", "Softphone widget", Company, [];
    WORKPLACE_CHATS, "workplace.chats", "Operator workplace", "Chats widget", Company, [];
    WORKPLACE_CONTACTS, "workplace.contacts", "Operator workplace", "Contacts widget", Company, [];
    WORKPLACE_HISTORY, "workplace.history", "Operator workplace", "History widget", Company, [];
    WORKPLACE_SCRIPTS, "workplace.scripts", "Operator workplace", "Call-script widget", Company, [];
    WORKPLACE_STATUSES, "workplace.statuses", "Operator workplace", "Status widget", Company, [];
    WORKPLACE_STATISTICS, "workplace.statistics", "Operator workplace", "Own statistics widget", Company, [];
    TICKETS_CREATE, "tickets.create", "Technical support", "Create tickets to technical support", Company, [];
    CALL_JOURNAL_VIEW, "call_journal.view", "Call journal", "View the call journal", Company, [];
    CHAT_JOURNAL_VIEW, "chat_journal.view", "Chat journal", "View the chat journal", Company, [];
    RECORDINGS_LISTEN_ALL, "recordings.listen_all", "Call recordings", "Listen to the calls of all users", Company, [];
    REPORTS_VIEW, "reports.view", "Reports and analytics", "View reports", Company, [];
    REPORTS_MANAGE, "reports.manage", "Reports and analytics", "Build and edit reports", Company, ["reports.view"];
    KPI_VIEW, "kpi.view", "KPI", "View KPI", Company, [];
    KPI_MANAGE, "kpi.manage", "KPI", "Set KPI targets", Company, ["kpi.view"];
    SHIFTS_VIEW, "shifts.view", "Shifts and schedules", "View shifts", Company, [];
    SHIFTS_MANAGE, "shifts.manage", "Shifts and schedules", "Plan shifts", Company, ["shifts.view"];
    QA_SHEETS_VIEW, "qa_sheets.view", "Quality assurance", "View evaluation sheets", Company, [];
    QA_SHEETS_MANAGE, "qa_sheets.manage", "Quality assurance", "Design evaluation sheets", Company, ["qa_sheets.view"];
    QA_CHECKS_VIEW, "qa_checks.view", "Quality assurance", "View checks", Company, [];
    QA_CHECKS_MANAGE, "qa_checks.manage", "Quality assurance", "Evaluate calls and chats", Company, ["qa_checks.view"];
    BALANCE_VIEW, "balance.view", "Finance", "View the balance", Company, [];
    BILLING_VIEW, "billing.view", "Finance", "View billing", Company, [];
    BILLING_MANAGE, "billing.manage", "Finance", "Change billing", Company, ["billing.view"];
    PAYMENTS_VIEW, "payments.view", "Finance", "View payments", Company, [];
    PAYMENTS_MANAGE, "payments.manage", "Finance", "Make payments", Company, ["payments.view"];
    SECURITY_VIEW, "security.view", "Security settings", "View security settings", Company, [];
    SECURITY_MANAGE, "security.manage", "Security settings", "Change security settings and mode", Company, ["security.view"];
    COMPANY_VIEW, "company.view", "Company settings", "View company settings", Company, [];
    COMPANY_MANAGE, "company.manage", "Company settings", "Change company settings", Company, ["company.view"];
    USERS_VIEW, "users.view", "Users", "View users", Company, [];
    USERS_MANAGE, "users.manage", "Users", "Create and edit users", Company, ["users.view"];
    GROUPS_VIEW, "groups.view", "Groups", "View groups", Company, [];
    GROUPS_MANAGE, "groups.manage", "Groups", "Create and edit groups", Company, ["groups.view"];
    ROLES_VIEW, "roles.view", "Roles", "View roles", Company, [];
    ROLES_MANAGE, "roles.manage", "Roles", "Create, edit and assign roles", Company, ["roles.view"];
    ROLES_TEST, "roles.test", "Roles", "Test a role", Company, [];
    PROJECTS_VIEW, "projects.view", "Projects", "View own projects", Projects, [];
    PROJECTS_MANAGE, "projects.manage", "Projects", "Create and edit projects", Projects, ["projects.view"];
    PROJECTS_ALL, "projects.all", "Projects", "See all projects and their objects", Company, [];
    INTEGRATIONS_VIEW, "integrations.view", "Integrations and API", "View integrations", Company, [];
    INTEGRATIONS_MANAGE, "integrations.manage", "Integrations and API", "Set up integrations", Company, ["integrations.view"];
    NETWORK_VIEW, "network.view", "Network and telephony", "View network settings", Company, [];
    NETWORK_MANAGE, "network.manage", "Network and telephony", "Change network settings", Company, ["network.view"];
    QUEUES_VIEW, "queues.view", "Queues", "View queues", Kinds(&["queue"]), [];
    QUEUES_MANAGE, "queues.manage", "Queues", "Edit queues", Kinds(&["queue"]), ["queues.view"];
    SCHEDULES_VIEW, "schedules.view", "Schedules", "View schedules", Kinds(&["schedule"]), [];
    SCHEDULES_MANAGE, "schedules.manage", "Schedules", "Edit schedules", Kinds(&["schedule"]), ["schedules.view"];
    SIP_PROVIDERS_VIEW, "sip_providers.view", "SIP providers", "View SIP providers", Kinds(&["sip_provider"]), [];
    SIP_PROVIDERS_MANAGE, "sip_providers.manage", "SIP providers", "Edit SIP providers", Kinds(&["sip_provider"]), ["sip_providers.view"];
    CALL_SCRIPTS_VIEW, "call_scripts.view", "Call scripts", "View call scripts", Kinds(&["call_script"]), [];
    CALL_SCRIPTS_MANAGE, "call_scripts.manage", "Call scripts", "Edit call scripts", Kinds(&["call_script"]), ["call_scripts.view"];
    AUTODIALERS_VIEW, "autodialers.view", "Autodialers", "View autodialers", Kinds(&["autodialer"]), [];
    AUTODIALERS_MANAGE, "autodialers.manage", "Autodialers", "Edit, start and stop autodialers", Kinds(&["autodialer"]), ["autodialers.view"];
    LISTS_VIEW, "lists.view", "Lists", "View contact and call lists", Kinds(&["list"]), [];
    LISTS_MANAGE, "lists.manage", "Lists", "Edit contact and call lists", Kinds(&["list"]), ["lists.view"];
    NOTIFICATION_TEMPLATES_VIEW, "notification_templates.view", "Notification templates", "View notification templates", Kinds(&["notification_template"]), [];
    NOTIFICATION_TEMPLATES_MANAGE, "notification_templates.manage", "Notification templates", "Edit notification templates", Kinds(&["notification_template"]), ["notification_templates.view"];
    DIALOG_SCENARIOS_VIEW, "dialog_scenarios.view", "Dialog scenarios", "View IVR and chat-bot scenarios", Kinds(&["dialog_scenario"]), [];
    DIALOG_SCENARIOS_MANAGE, "dialog_scenarios.manage", "Dialog scenarios", "Edit IVR and chat-bot scenarios", Kinds(&["dialog_scenario"]), ["dialog_scenarios.view"];
    CONTACT_FIELDS_VIEW, "contact_fields.view", "Contact fields", "View contact fields", Kinds(&["contact_field"]), [];
    CONTACT_FIELDS_MANAGE, "contact_fields.manage", "Contact fields", "Edit contact fields", Kinds(&["contact_field"]), ["contact_fields.view"];
}

impl Permissions {
    /// What the built-in Admin role grants: every permission.
    pub const ADMIN: Self = Self::all();

    /// What the built-in Supervisor role grants: everything Admin has except
    /// finance, KPI, security settings and "all projects".
    pub const SUPERVISOR: Self = Self::from_bits_retain(
        Self::all().bits()
            & !Self::FINANCE.bits()
            & !Self::KPI.bits()
            & !Self::SECURITY.bits()
            & !Self::PROJECTS_ALL.bits(),
    );

    /// The catalog entry of a single flag, if `self` is exactly one catalog
    /// entry (a `*.manage` flag counts with its implied view bit).
    ///
    /// Computes in **O(n)** over the 62-entry catalog.
    #[must_use]
    pub fn info(self) -> Option<&'static PermissionInfo> {
        CATALOG.iter().find(|info| info.flag == self)
    }

    /// The stable name of a single flag (`queues.manage`), or `None` when
    /// `self` is not exactly one catalog entry.
    #[must_use]
    pub fn name(self) -> Option<&'static str> {
        self.info().map(|info| info.name)
    }

    /// Looks up a single flag by its stable name.
    ///
    /// # Errors
    ///
    /// Returns [`Error`] naming the text when no flag has that name.
    ///
    /// # Example
    ///
    /// ```
    /// use callgate::Permissions;
    ///
    /// assert_eq!(Permissions::from_stable_name("queues.manage")?, Permissions::QUEUES_MANAGE);
    /// assert!(Permissions::from_stable_name("queue.fly").is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_stable_name(name: &str) -> Result<Self, Error> {
        CATALOG
            .iter()
            .find(|info| info.name == name)
            .map(|info| info.flag)
            .ok_or_else(|| Error::unknown_permission(name))
    }

    /// `self` with every implied flag added and unknown bits dropped: a
    /// `*.manage` bit brings its `*.view` bit.
    ///
    /// Computes in **O(1)** (a fixed loop over the catalog).
    #[must_use]
    pub const fn closed(self) -> Self {
        let mut bits = self.bits() & Self::all().bits();
        let mut rest: &[PermissionInfo] = CATALOG;
        while let [info, tail @ ..] = rest {
            if bits & info.own_bit().bits() != 0 {
                bits |= info.flag.bits();
            }
            rest = tail;
        }
        Self::from_bits_retain(bits)
    }

    /// `self` without the [minimal entries](Self::minimal_entries) of
    /// `other`, and without every flag that implies one of them: removing
    /// `queues.view` also removes `queues.manage`, while removing
    /// `queues.manage` keeps `queues.view`.
    ///
    /// The result is closed if `self` was.
    #[must_use]
    pub fn without(self, other: Self) -> Self {
        other.minimal_entries().fold(self, |set, removed| {
            CATALOG
                .iter()
                .filter(|info| info.flag.contains(removed.own_bit()))
                .fold(set, |set, info| set.difference(info.own_bit()))
        })
    }

    /// The catalog entries whose own bit is set in `self`, in catalog order.
    pub fn entries(self) -> impl Iterator<Item = &'static PermissionInfo> {
        CATALOG
            .iter()
            .filter(move |info| self.intersects(info.own_bit()))
    }

    /// The fewest catalog entries that name `self`: every entry whose own bit
    /// is set, except those implied by another such entry (`queues.view`
    /// is left out when `queues.manage` is there). This is what `Display`
    /// and stored data list; reading them back gives `self.closed()`.
    pub fn minimal_entries(self) -> impl Iterator<Item = &'static PermissionInfo> {
        let implied = self
            .entries()
            .fold(Self::empty(), |implied, info| implied | info.implies());
        self.entries()
            .filter(move |info| !implied.contains(info.own_bit()))
    }

    /// Whether `self` is a single catalog entry (what a section switch
    /// takes): one entry's own bit, alone or with what the entry implies
    /// (its flag).
    #[must_use]
    pub fn is_single(self) -> bool {
        crate::STANDARD.single(self.bits()).is_some()
    }
}

/// Writes the stable names of the set's [minimal
/// entries](Permissions::minimal_entries), in catalog order, joined by ` | `
/// (`queues.manage | lists.view`: `queues.view` goes without saying); the
/// empty set is written as `none`.
impl fmt::Display for Permissions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for info in self.minimal_entries() {
            if !first {
                f.write_str(" | ")?;
            }
            f.write_str(info.name)?;
            first = false;
        }
        if first {
            f.write_str("none")?;
        }
        Ok(())
    }
}

/// Parses what [`Display`](fmt::Display) writes: stable names separated by
/// `|` or `,`, with any white space; `none` or an empty string is the empty
/// set. The result is [closed](Permissions::closed).
impl FromStr for Permissions {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self, Error> {
        let text = text.trim();
        if text.is_empty() || text == "none" {
            return Ok(Self::empty());
        }
        text.split(['|', ','])
            .map(str::trim)
            .try_fold(Self::empty(), |set, name| {
                Ok(set | Self::from_stable_name(name)?)
            })
    }
}

/// Permissions are stored as a list of stable names (the minimal entries),
/// never as bits, as every catalog's flags are.
#[cfg(feature = "serde")]
impl serde::Serialize for Permissions {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        crate::catalog::serde_names::serialize(self, serializer)
    }
}

/// Reads a list of stable names; an unknown name is refused where it stands.
#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for Permissions {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        crate::catalog::serde_names::deserialize(deserializer)
    }
}

#[cfg(test)]
mod tests;
