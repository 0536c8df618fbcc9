//! Projects, the objects they scope, and the security mode that turns them on.

use std::fmt;
use std::str::FromStr;

use crate::short_set::{ManySet, ShortSet};

use crate::id::define_id;
use crate::{Error, GroupId, PermissionFlags, Permissions, UserId};

define_id!(
    /// Identifies a [`Project`].
    ProjectId
);

define_id!(
    /// Identifies a project-scoped [`Object`] (a queue, an autodialer, ...).
    ObjectId
);

/// How a company decides access: by roles alone, or by roles and projects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum SecurityMode {
    /// Roles alone decide (the default). Projects hide nothing; roles given
    /// within a project still apply to its objects (DOMAIN rule 21).
    #[default]
    Simple,
    /// Roles and projects decide: a project-scoped object is visible only to
    /// members of a project that holds it, and to holders of
    /// [`Permissions::PROJECTS_ALL`].
    Enhanced,
}

macro_rules! object_kinds {
    ($($kind:ident, $name:literal, $label:literal, $view:ident, $manage:ident, $doc:literal;)*) => {
        /// The nine kinds of object that projects can scope.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
        #[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
        #[repr(u8)]
        pub enum ObjectKind {
            $(#[doc = $doc] $kind,)*
        }

        impl ObjectKind {
            /// Every kind, in declaration order.
            pub const ALL: [Self; 9] = [$(Self::$kind,)*];

            /// The kind's stable lowercase name, e.g. `sip_provider`.
            #[must_use]
            pub const fn name(self) -> &'static str {
                match self { $(Self::$kind => $name,)* }
            }

            /// The kind's name for people, e.g. `SIP provider`.
            #[must_use]
            pub const fn label(self) -> &'static str {
                match self { $(Self::$kind => $label,)* }
            }

            /// The permission to view objects of this kind.
            #[must_use]
            pub const fn view_permission(self) -> Permissions {
                match self { $(Self::$kind => Permissions::$view,)* }
            }

            /// The permission to manage objects of this kind (implies view).
            #[must_use]
            pub const fn manage_permission(self) -> Permissions {
                match self { $(Self::$kind => Permissions::$manage,)* }
            }
        }
    };
}

object_kinds! {
    Queue, "queue", "queue", QUEUES_VIEW, QUEUES_MANAGE, "A call or chat queue.";
    Schedule, "schedule", "schedule", SCHEDULES_VIEW, SCHEDULES_MANAGE, "A schedule (working hours used for routing).";
    SipProvider, "sip_provider", "SIP provider", SIP_PROVIDERS_VIEW, SIP_PROVIDERS_MANAGE, "A SIP provider (trunk).";
    CallScript, "call_script", "call script", CALL_SCRIPTS_VIEW, CALL_SCRIPTS_MANAGE, "A call script.";
    Autodialer, "autodialer", "autodialer", AUTODIALERS_VIEW, AUTODIALERS_MANAGE, "An autodialer (outbound call campaign).";
    List, "list", "list", LISTS_VIEW, LISTS_MANAGE, "A contact or call list.";
    NotificationTemplate, "notification_template", "notification template", NOTIFICATION_TEMPLATES_VIEW, NOTIFICATION_TEMPLATES_MANAGE, "A notification template.";
    DialogScenario, "dialog_scenario", "dialog scenario", DIALOG_SCENARIOS_VIEW, DIALOG_SCENARIOS_MANAGE, "A dialog scenario (IVR or chat bot).";
    ContactField, "contact_field", "contact field", CONTACT_FIELDS_VIEW, CONTACT_FIELDS_MANAGE, "A contact field.";
}

impl ObjectKind {
    /// Every permission that applies to objects of this kind (view and manage).
    #[must_use]
    pub const fn permissions(self) -> Permissions {
        self.manage_permission()
    }
}

impl fmt::Display for ObjectKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ObjectKind {
    type Err = Error;

    /// Parses a kind's stable name (`queue`, `sip_provider`, ...).
    fn from_str(text: &str) -> Result<Self, Error> {
        Self::ALL
            .into_iter()
            .find(|kind| kind.name() == text)
            .ok_or_else(|| Error::UnknownObjectKind {
                name: text.to_owned(),
            })
    }
}

/// A project: a name, a description, members (users and groups) and the
/// objects it holds. In [enhanced](SecurityMode::Enhanced) mode its members
/// see its objects; everyone else, unless they hold
/// [`Permissions::PROJECTS_ALL`], does not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project {
    pub(crate) name: crate::name::Name,
    pub(crate) description: String,
    // INVARIANT (links): mirrored by `User::projects`, `Group::projects` and
    // `Object::projects`. Upheld by `Company::apply`.
    pub(crate) users: ManySet<UserId>,
    pub(crate) groups: ManySet<GroupId>,
    pub(crate) objects: ManySet<ObjectId>,
}

impl Project {
    pub(crate) fn new(name: &str, description: String) -> Self {
        Self {
            name: name.into(),
            description,
            users: ManySet::new(),
            groups: ManySet::new(),
            objects: ManySet::new(),
        }
    }

    /// The project's unique name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The project's description (empty when none was given).
    #[must_use]
    pub fn description(&self) -> &str {
        &self.description
    }

    /// The users who are members directly, in id order.
    pub fn users(&self) -> impl ExactSizeIterator<Item = UserId> + '_ {
        self.users.iter().copied()
    }

    /// The groups that are members (their users are members through them),
    /// in id order.
    pub fn groups(&self) -> impl ExactSizeIterator<Item = GroupId> + '_ {
        self.groups.iter().copied()
    }

    /// The objects the project holds, in id order.
    pub fn objects(&self) -> impl ExactSizeIterator<Item = ObjectId> + '_ {
        self.objects.iter().copied()
    }
}

/// A project-scoped object: a queue, schedule, SIP provider, call script,
/// autodialer, list, notification template, dialog scenario or contact field.
///
/// The host owns the object itself; the company knows its kind, a name
/// (unique among objects of its kind), the projects that hold it, and the
/// other objects it uses and is used by (DOMAIN rule 26: an autodialer
/// uses a list, a SIP provider, a call script and a schedule; see
/// [`Change::SetObjectReferences`](crate::Change::SetObjectReferences)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Object<P: PermissionFlags = Permissions> {
    pub(crate) kind: P::Kind,
    pub(crate) name: crate::name::Name,
    pub(crate) projects: ShortSet<ProjectId>,
    // INVARIANT (links): `uses` and `used_by` of `references` mirror each
    // other across objects (`a.uses` holds `b` exactly when `b.used_by`
    // holds `a`), both sorted by id, never holding the object itself;
    // `references` is `None` when both are empty. Written only by
    // `Company::set_links` (`Link::ObjectUses`) and the loader.
    // INVARIANT (whole, DOMAIN rule 26): in enhanced mode, each object
    // shares a project with every object it uses. Upheld by the planning
    // in write/references.rs and by the loader.
    pub(crate) references: Option<Box<References>>,
}

/// The objects an object uses and is used by (DOMAIN rule 26). Most
/// objects have neither, so both lists sit behind one optional box: one
/// word in every object instead of two.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct References {
    pub(crate) uses: ShortSet<ObjectId>,
    pub(crate) used_by: ShortSet<ObjectId>,
}

impl References {
    /// The box of `uses` and `used_by`, or `None` when both are empty.
    #[cfg(feature = "serde")] // the document loader's
    pub(crate) fn boxed(
        uses: ShortSet<ObjectId>,
        used_by: ShortSet<ObjectId>,
    ) -> Option<Box<Self>> {
        (!uses.is_empty() || !used_by.is_empty()).then(|| Box::new(Self { uses, used_by }))
    }
}

impl<P: PermissionFlags> Object<P> {
    /// The object's kind.
    #[must_use]
    pub fn kind(&self) -> P::Kind {
        self.kind
    }

    /// The object's name, unique among objects of its kind.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The projects that hold the object.
    pub fn projects(&self) -> impl ExactSizeIterator<Item = ProjectId> + '_ {
        self.projects.iter().copied()
    }

    /// The objects this one uses (an autodialer's list, SIP provider, call
    /// script and schedule), in id order: what
    /// [`Change::SetObjectReferences`](crate::Change::SetObjectReferences)
    /// recorded last.
    pub fn uses(&self) -> impl ExactSizeIterator<Item = ObjectId> + '_ {
        self.uses_list().iter().copied()
    }

    /// The objects that use this one, in id order. While there are any,
    /// deleting the object is refused
    /// ([`Error::ObjectInUse`](crate::Error::ObjectInUse)).
    pub fn used_by(&self) -> impl ExactSizeIterator<Item = ObjectId> + '_ {
        self.used_by_list().iter().copied()
    }

    /// The objects this one uses, sorted.
    pub(crate) fn uses_list(&self) -> &[ObjectId] {
        self.references
            .as_deref()
            .map_or(&[], |r| r.uses.as_slice())
    }

    /// The objects that use this one, sorted.
    pub(crate) fn used_by_list(&self) -> &[ObjectId] {
        self.references
            .as_deref()
            .map_or(&[], |r| r.used_by.as_slice())
    }
}
