//! [`ResourceName`]: a resource by name, as people and requests write it,
//! and the company's look-ups between names and [`Resource`]s.

use std::fmt;
use std::str::FromStr;

use crate::catalog::kind_named;
use crate::{
    Company, Decision, DenyReason, EntityKind, Error, PermissionFlags, Reader, Resource, kind_name,
    parse_kind,
};

/// A [`Resource`] by name, as a command line, a URL or a request body writes
/// it: `company`, `project:NAME` or `KIND:NAME` (`queue:Acme inbound`).
///
/// `KIND` is a stable kind name of the company's catalog (`queue`,
/// `sip_provider`, a product's `chat_channel`). Parsing needs no company, so
/// the kind stays text until [`Company::resource`] looks it up in the
/// company's catalog and the name in the company's records.
///
/// # Syntax
///
/// - `company` is [`Resource::Company`]: a company-wide section, report or
///   setting. Only that exact text: `Company` or ` company` is refused.
/// - `project:NAME` is a project by its name.
/// - `KIND:NAME` is a scoped object by its kind and its name.
///
/// The text is split at its first `:`, so a name may hold `:` and spaces
/// (`queue:Support: night shift`); nothing is trimmed. The kind and the name
/// must not be empty.
///
/// # Round trip
///
/// `Display` writes the text `FromStr` reads: printing a parsed name gives
/// the text back, and parsing a printed name gives the name back, for every
/// name a company can hold (a kind is a stable kind name, which has no `:`;
/// names are not empty). A catalog kind named `project` cannot be written
/// this way: `project:NAME` is always a project.
///
/// With the `serde` feature a `ResourceName` serializes as that text
/// (`"queue:Acme inbound"`) and deserializes by `FromStr`.
///
/// # Example: parse, resolve, print
///
/// ```
/// use callgate::{Company, ObjectKind, Resource, ResourceName};
///
/// let mut company = Company::new();
/// let queue = company.create_object(ObjectKind::Queue, "Acme inbound")?;
///
/// let name: ResourceName = "queue:Acme inbound".parse()?;
/// assert_eq!(
///     name,
///     ResourceName::Object { kind: "queue".into(), name: "Acme inbound".into() },
/// );
/// assert_eq!(company.resource(&name)?, Resource::Object(queue));
/// assert_eq!(company.resource_name(Resource::Object(queue)), Some(name.clone()));
/// assert_eq!(name.to_string(), "queue:Acme inbound");
///
/// assert_eq!("company".parse::<ResourceName>()?, ResourceName::Company);
/// assert!("queue".parse::<ResourceName>().is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum ResourceName {
    /// `company`: [`Resource::Company`].
    Company,
    /// `project:NAME`: the project with this name.
    Project(String),
    /// `KIND:NAME`: the scoped object of this kind with this name.
    Object {
        /// The kind's stable name in the catalog (`queue`, `sip_provider`).
        kind: String,
        /// The object's name, unique among objects of its kind.
        name: String,
    },
}

/// The text of [`ResourceName::Company`], and the prefix of a project.
const COMPANY: &str = "company";
const PROJECT: &str = "project";

/// Reads `company`, `project:NAME` or `KIND:NAME`, splitting at the first
/// `:`.
///
/// # Errors
///
/// [`Error::InvalidResource`] naming the text when it is none of the three
/// forms: no `:` (other than `company` itself), an empty kind or an empty
/// name. Whether the kind and the name exist is for
/// [`Company::resource`] to say.
///
/// # Example
///
/// ```
/// use callgate::{Error, ResourceName};
///
/// let project: ResourceName = "project:Acme Bank".parse()?;
/// assert_eq!(project, ResourceName::Project("Acme Bank".into()));
///
/// let error = "queue:".parse::<ResourceName>().unwrap_err();
/// assert!(matches!(error, Error::InvalidResource { .. }));
/// assert_eq!(
///     error.to_string(),
///     "invalid resource `queue:`: expected `company`, `project:NAME` or `KIND:NAME`",
/// );
/// # Ok::<(), Error>(())
/// ```
impl FromStr for ResourceName {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self, Error> {
        Ok(match parts(text)? {
            Parts::Company => Self::Company,
            Parts::Project(name) => Self::Project(name.to_owned()),
            Parts::Object { kind, name } => Self::Object {
                kind: kind.to_owned(),
                name: name.to_owned(),
            },
        })
    }
}

/// A resource name borrowed from its text or from a [`ResourceName`].
enum Parts<'a> {
    Company,
    Project(&'a str),
    Object { kind: &'a str, name: &'a str },
}

/// Splits `company`, `project:NAME` or `KIND:NAME` without allocating.
fn parts(text: &str) -> Result<Parts<'_>, Error> {
    if text == COMPANY {
        return Ok(Parts::Company);
    }
    // The first `:` by a plain byte search (the text is short; `str`'s
    // pattern search costs more to set up than to run).
    let colon = text.bytes().position(|b| b == b':');
    let split = colon.map(|at| {
        (
            text.get(..at).unwrap_or(""),
            text.get(at + 1..).unwrap_or(""),
        )
    });
    match split {
        Some((PROJECT, name)) if !name.is_empty() => Ok(Parts::Project(name)),
        Some((kind, name)) if !kind.is_empty() && !name.is_empty() => {
            Ok(Parts::Object { kind, name })
        }
        _ => Err(Error::InvalidResource {
            text: text.to_owned(),
        }),
    }
}

impl ResourceName {
    fn parts(&self) -> Parts<'_> {
        match self {
            Self::Company => Parts::Company,
            Self::Project(name) => Parts::Project(name),
            Self::Object { kind, name } => Parts::Object { kind, name },
        }
    }
}

/// Writes what [`FromStr`] reads: `company`, `project:Acme Bank`,
/// `queue:Acme inbound`.
///
/// ```
/// use callgate::ResourceName;
///
/// let name = ResourceName::Object { kind: "queue".into(), name: "Support: night".into() };
/// assert_eq!(name.to_string(), "queue:Support: night");
/// assert_eq!(name.to_string().parse::<ResourceName>()?, name);
/// # Ok::<(), callgate::Error>(())
/// ```
impl fmt::Display for ResourceName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Company => f.write_str(COMPANY),
            Self::Project(name) => write!(f, "{PROJECT}:{name}"),
            Self::Object { kind, name } => write!(f, "{kind}:{name}"),
        }
    }
}

/// The text `Display` writes: `"queue:Acme inbound"`.
///
/// ```
/// # #[cfg(feature = "serde")] {
/// use callgate::ResourceName;
///
/// let name = ResourceName::Project("Acme Bank".into());
/// assert_eq!(serde_json::to_string(&name)?, r#""project:Acme Bank""#);
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[cfg(feature = "serde")]
impl serde::Serialize for ResourceName {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// A string, read by [`FromStr`]; malformed text is refused with
/// [`Error::InvalidResource`]'s message.
///
/// ```
/// # #[cfg(feature = "serde")] {
/// use callgate::ResourceName;
///
/// let name: ResourceName = serde_json::from_str(r#""queue:Acme inbound""#)?;
/// assert_eq!(name, ResourceName::Object { kind: "queue".into(), name: "Acme inbound".into() });
/// assert!(serde_json::from_str::<ResourceName>(r#""queue""#).is_err());
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for ResourceName {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Resources by name.
impl<P: PermissionFlags> Company<P> {
    /// The resource `name` names in this company: the kind is looked up in
    /// the company's catalog, the project or object by its name.
    ///
    /// Computes in **O(1)** (one hash look-up, plus the catalog's kinds).
    ///
    /// # Errors
    ///
    /// - [`Error::UnknownObjectKind`] for a kind the catalog lacks;
    /// - [`Error::UnknownName`] for a project or an object that no record
    ///   has: its `kind` is [`EntityKind::Project`] or
    ///   [`EntityKind::Object`], and for an object its `name` is the whole
    ///   `KIND:NAME` (`` unknown object `queue:Acme outbound` ``).
    ///
    /// # Example: a project, and an object that does not exist
    ///
    /// ```
    /// use callgate::{Company, EntityKind, Error, Resource, ResourceName};
    ///
    /// let mut company = Company::new();
    /// let acme = company.create_project("Acme Bank", "Inbound support")?;
    /// let name = ResourceName::Project("Acme Bank".into());
    /// assert_eq!(company.resource(&name)?, Resource::Project(acme));
    ///
    /// let missing: ResourceName = "queue:Acme outbound".parse()?;
    /// let error = company.resource(&missing).unwrap_err();
    /// assert_eq!(
    ///     error,
    ///     Error::UnknownName { kind: EntityKind::Object, name: "queue:Acme outbound".into() },
    /// );
    /// assert_eq!(error.to_string(), "unknown object `queue:Acme outbound`");
    ///
    /// let error = company.resource(&"spaceship:Enterprise".parse()?).unwrap_err();
    /// assert_eq!(error.to_string(), "unknown object kind `spaceship`");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn resource(&self, name: &ResourceName) -> Result<Resource, Error> {
        self.resource_of(name.parts())
    }

    fn resource_of(&self, parts: Parts<'_>) -> Result<Resource, Error> {
        match parts {
            Parts::Company => Ok(Resource::Company),
            Parts::Project(project) => self
                .project_by_name(project)
                .map(Resource::Project)
                .ok_or_else(|| Error::UnknownName {
                    kind: EntityKind::Project,
                    name: project.to_owned(),
                }),
            Parts::Object { kind, name } => {
                let kind_id = parse_kind::<P>(kind)?;
                self.object_by_name(kind_id, name)
                    .map(Resource::Object)
                    .ok_or_else(|| Error::UnknownName {
                        kind: EntityKind::Object,
                        name: format!("{kind}:{name}"),
                    })
            }
        }
    }

    /// [`Company::resource`] of a text: parses `company`, `project:NAME` or
    /// `KIND:NAME`, then looks it up, allocating nothing unless it fails.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidResource`] for text that is none of the three forms,
    /// then the errors of [`Company::resource`].
    ///
    /// # Example
    ///
    /// ```
    /// use callgate::{Company, ObjectKind, Permissions, Resource};
    ///
    /// let mut company = Company::new();
    /// let ann = company.create_user("ann")?; // Admin
    /// let trunk = company.create_object(ObjectKind::SipProvider, "Main trunk")?;
    ///
    /// let resource = company.resource_by_name("sip_provider:Main trunk")?;
    /// assert_eq!(resource, Resource::Object(trunk));
    /// assert!(company.check(ann, Permissions::SIP_PROVIDERS_VIEW, resource).is_allowed());
    /// assert!(company.resource_by_name("sip_provider").is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn resource_by_name(&self, text: &str) -> Result<Resource, Error> {
        self.resource_of(parts(text)?)
    }

    /// The name of `resource` in this company, or `None` when its project
    /// or object does not exist (never created, or deleted).
    ///
    /// Computes in **O(1)**; allocates the name.
    ///
    /// # Example
    ///
    /// ```
    /// use callgate::{Company, ObjectId, Resource, ResourceName};
    ///
    /// let mut company = Company::new();
    /// let acme = company.create_project("Acme Bank", "")?;
    /// let name = company.resource_name(Resource::Project(acme));
    /// assert_eq!(name.map(|n| n.to_string()).as_deref(), Some("project:Acme Bank"));
    /// assert_eq!(company.resource_name(Resource::Company), Some(ResourceName::Company));
    /// assert_eq!(company.resource_name(Resource::Object(ObjectId::new(7))), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn resource_name(&self, resource: Resource) -> Option<ResourceName> {
        match resource {
            Resource::Company => Some(ResourceName::Company),
            Resource::Project(project) => self
                .project(project)
                .map(|p| ResourceName::Project(p.name().to_owned())),
            Resource::Object(object) => self.object(object).map(|o| ResourceName::Object {
                kind: kind_name::<P>(o.kind()).to_owned(),
                name: o.name().to_owned(),
            }),
        }
    }
}

/// Checks by names: for a service that works with names, not ids.
///
/// An unknown id is a deny ([`Snapshot::check`](crate::Snapshot::check)),
/// but an unknown name is an error for look-ups
/// ([`Company::resource`] answers [`Error::UnknownName`]). These checks keep
/// the deny: a user name, project name or object name that names nothing
/// (never created, or deleted) is denied with the [`DenyReason`] an unknown
/// id of it gets, in the same order ([`UnknownUser`](DenyReason::UnknownUser)
/// first, then [`UnknownProject`](DenyReason::UnknownProject) or
/// [`UnknownObject`](DenyReason::UnknownObject)). A kind the catalog lacks
/// names no object, so it is [`UnknownObject`](DenyReason::UnknownObject)
/// too. Known names are then checked exactly as [`Company::check`] checks
/// their ids.
///
/// They cost a hash look-up per name on top of the check; the check by ids
/// is unchanged.
impl<P: PermissionFlags> Company<P> {
    /// May the user named `user` do `action` to the resource named
    /// `resource`? [`Company::check`] by names; an unknown name is a deny.
    ///
    /// Computes in **O(1)** (a hash look-up per name, then the check);
    /// allocates nothing.
    ///
    /// # Example: an unknown name is a deny, not an error
    ///
    /// ```
    /// use callgate::{Company, Decision, DenyReason, ObjectKind, Permissions, ResourceName};
    ///
    /// let mut company = Company::new();
    /// company.create_user("ann")?; // Admin
    /// company.create_object(ObjectKind::Queue, "Acme inbound")?;
    ///
    /// let inbound: ResourceName = "queue:Acme inbound".parse()?;
    /// assert!(company.check_named("ann", Permissions::QUEUES_VIEW, &inbound).is_allowed());
    ///
    /// let outbound: ResourceName = "queue:Acme outbound".parse()?;
    /// assert_eq!(
    ///     company.check_named("ann", Permissions::QUEUES_VIEW, &outbound),
    ///     Decision::Deny(DenyReason::UnknownObject),
    /// );
    /// assert_eq!(
    ///     company.check_named("zoe", Permissions::QUEUES_VIEW, &inbound),
    ///     Decision::Deny(DenyReason::UnknownUser),
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn check_named(&self, user: &str, action: P, resource: &ResourceName) -> Decision {
        self.check_parts(user, action, resource.parts())
    }

    /// [`Company::check_named`] of a resource's text: `company`,
    /// `project:NAME` or `KIND:NAME`, parsed as [`ResourceName`] reads it.
    /// An unknown user, project, object or kind is a deny.
    ///
    /// Computes in **O(1)**; allocates nothing unless the text is
    /// malformed.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidResource`] only for text that is none of the three
    /// forms (`queue`, `queue:`): a malformed request, not an unknown name.
    ///
    /// # Example: a request by names
    ///
    /// ```
    /// use callgate::{Company, Decision, DenyReason, Permissions};
    ///
    /// let mut company = Company::new();
    /// company.create_user("ann")?; // Admin
    /// company.create_project("Acme Bank", "")?;
    ///
    /// let allowed = company.check_by_name("ann", Permissions::PROJECTS_VIEW, "project:Acme Bank")?;
    /// assert!(allowed.is_allowed());
    /// assert_eq!(
    ///     company.check_by_name("ann", Permissions::PROJECTS_VIEW, "project:Zenith")?,
    ///     Decision::Deny(DenyReason::UnknownProject),
    /// );
    /// assert!(company.check_by_name("ann", Permissions::PROJECTS_VIEW, "project:").is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn check_by_name(&self, user: &str, action: P, resource: &str) -> Result<Decision, Error> {
        Ok(self.check_parts(user, action, parts(resource)?))
    }

    fn check_parts(&self, user: &str, action: P, resource: Parts<'_>) -> Decision {
        let Some(user) = self.user_by_name(user) else {
            return Decision::Deny(DenyReason::UnknownUser);
        };
        match self.resource_or_deny(resource) {
            Ok(resource) => self.check(user, action, resource),
            Err(reason) => Decision::Deny(reason),
        }
    }

    /// The resource `parts` names, or the deny an unknown id of its kind
    /// gets.
    fn resource_or_deny(&self, parts: Parts<'_>) -> Result<Resource, DenyReason> {
        match parts {
            Parts::Company => Ok(Resource::Company),
            Parts::Project(name) => self
                .project_by_name(name)
                .map(Resource::Project)
                .ok_or(DenyReason::UnknownProject),
            Parts::Object { kind, name } => kind_named::<P>(kind)
                .and_then(|kind| self.object_by_name(kind, name))
                .map(Resource::Object)
                .ok_or(DenyReason::UnknownObject),
        }
    }
}

/// Checks by names on the latest published view: see "Checks by names" in
/// [`Company`].
impl<P: PermissionFlags> Reader<P> {
    /// [`Company::check_named`] on the latest published view: an unknown
    /// name is a deny.
    ///
    /// # Example
    ///
    /// ```
    /// use callgate::{Company, Decision, DenyReason, Permissions, Publisher, ResourceName};
    ///
    /// let mut company = Company::new();
    /// company.create_user("ann")?; // Admin
    /// let reader = Publisher::new(company).reader();
    /// let billing = ResourceName::Company;
    /// assert!(reader.check_named("ann", Permissions::BILLING_VIEW, &billing).is_allowed());
    /// assert_eq!(
    ///     reader.check_named("bob", Permissions::BILLING_VIEW, &billing),
    ///     Decision::Deny(DenyReason::UnknownUser),
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn check_named(&self, user: &str, action: P, resource: &ResourceName) -> Decision {
        self.read(|company| company.check_named(user, action, resource))
    }

    /// [`Company::check_by_name`] on the latest published view: an unknown
    /// name is a deny.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidResource`] only for malformed text.
    ///
    /// # Example
    ///
    /// ```
    /// use callgate::{Company, Decision, DenyReason, ObjectKind, Permissions, Publisher};
    ///
    /// let mut company = Company::new();
    /// company.create_user("ann")?; // Admin
    /// company.create_object(ObjectKind::Queue, "Acme inbound")?;
    /// let reader = Publisher::new(company).reader();
    /// assert!(reader.check_by_name("ann", Permissions::QUEUES_VIEW, "queue:Acme inbound")?.is_allowed());
    /// assert_eq!(
    ///     reader.check_by_name("ann", Permissions::QUEUES_VIEW, "spaceship:Enterprise")?,
    ///     Decision::Deny(DenyReason::UnknownObject),
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn check_by_name(&self, user: &str, action: P, resource: &str) -> Result<Decision, Error> {
        self.read(|company| company.check_by_name(user, action, resource))
    }
}
