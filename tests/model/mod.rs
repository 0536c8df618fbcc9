//! A reference model of callgate, written to be read, not to be fast.
//!
//! Records live in `BTreeMap`s keyed by id, links are `BTreeSet`s of id
//! pairs, and permissions are sets of catalog *names* (`"queues.view"`),
//! never bits. The model shares no code with `src/`: it only speaks the
//! crate's public types (ids, [`Change`], [`Decision`], and a flags type `P`
//! where a set crosses the boundary, read bit by bit by name).
//!
//! The catalog is data ([`catalog::CatalogSpec`]): the standard catalog or
//! a random one. The model works out closures, what applies to projects and
//! to each kind, and the built-in roles' sets from the declaration itself
//! ([`catalog::Cat`]), never from the engine's compiled masks.
//!
//! Every rule of `shared/DOMAIN.md` appears below once, on a line marked
//! `// DOMAIN <n>:` (`// DOMAIN -:` for the unnumbered rules at the end of
//! that page), so a reader can tick them off:
//!
//! | rule | where |
//! | ---- | ----- |
//! | 1 union of roles | [`Model::effective_permissions`] |
//! | 2 built-in roles | [`catalog::CatalogSpec::standard`], [`Model::need_custom_role`] |
//! | 3 first user is Admin | `CreateUser` in [`Model::edit`] |
//! | 4 bulk assignment, roles at creation | `AssignRole`, `CreateUser` |
//! | 5 custom roles | `CreateRole` |
//! | 6 section access | `SetSectionAccess` |
//! | 7 next login, "put users offline" | [`Model::apply`] (`logged_out`), [`Model::session_permissions`] |
//! | 8 testing a role | [`Model::session_permissions`], [`Model::start_testing`] |
//! | 9 testing is guarded and audited | [`Model::start_testing`], [`Model::check_session`] |
//! | 10 simple / enhanced, reversible | [`sees_past_projects`], `SetSecurityMode` |
//! | 11 Default project | `SetSecurityMode` |
//! | 12 projects hide | [`Model::shares_project`] |
//! | 13 joining a project keeps Default | `AddProjectMembers` |
//! | 14 membership applies at once | [`Model::projects_of`] |
//! | 15 roles apply inside projects | [`Model::check`] |
//! | 16 "all projects" | [`sees_past_projects`] |
//! | 17 unscoped objects; Default made once | [`Model::shares_project`], `SetSecurityMode` |
//! | 18 the product declares its catalog | [`catalog::Cat::new`] |
//! | 19 everything uses the product's catalog | [`Model::decide`], [`Model::governing`] |
//! | 20 roles within a project, for its members | [`Model::roles_within`], `AddProjectMembers`, `AssignProjectRole`, [`Model::within_of`] |
//! | 21 company-wide plus within each shared project; removal cascades | [`Model::granted_on`], `RemoveProjectMembers`, `Delete*` |
//! | 22 no escalation within a project; Admin, "all projects" company-wide only | [`Model::apply_as`], [`Model::held_for`], `need_within_project`, `need_company_wide_only` |
//! | 23 offline within projects too; explanations name the project | [`Model::role_holders`]; `explanation_agrees` in `harness.rs` |
//! | 24 grants until a time; the host's clock ends them | `Model::ends`, [`Model::expire`], [`Model::keep_ends`] (`ends.rs`) |
//! | 26 projects kept whole: references within projects, a used object stays | [`Model::crossing`], `SetObjectReferences`, `DeleteObject`; `invariants_hold` in `harness.rs` |
//! | 25 separation of duties; Admin exempt from permission pairs | [`duties`]: `Model::edit_duties`, `Model::duty_breaches` (in [`Model::apply`]), `Model::testing_breaks`; `duties::duties_kept` on the engine |
//! | - deny by default | [`Model::check`] |
//! | - no lock-out | [`Model::apply`] |
//! | - no escalation | [`Model::apply_as`] |
//! | - all-or-nothing | [`Model::apply`] |
//! | - bad stored data | not modelled (documents: `tests/reference_model_catalogs.rs` c5, c9) |

#![allow(dead_code)] // Each test binary uses a different part of the model.

pub(crate) mod catalog;
pub(crate) mod duties;
pub(crate) mod ends;
pub(crate) mod harness;
pub(crate) mod strategies;

use std::collections::{BTreeMap, BTreeSet};
use std::marker::PhantomData;

use callgate::{
    BuiltinRole, Change, Created, Decision, DenyReason, EntityKind, Error, GroupId, Kind, ObjectId,
    Principal, ProjectId, Resource, RoleId, SecurityMode, SessionDecision, Timestamp, UserId,
};

pub(crate) use self::catalog::{Cat, ModelFlags, Names};
use self::ends::lasting;

/// The name of the project the first switch to enhanced mode makes.
pub(crate) const DEFAULT: &str = "Default";

// ---------------------------------------------------------------------------
// Permissions, by name
// ---------------------------------------------------------------------------

/// The catalog of `P`, as the model works it out (see [`catalog`]).
pub(crate) fn cat<P: ModelFlags>() -> &'static Cat {
    P::model_catalog()
}

/// Reads a set of `P` as names (and whether some bit is no permission's).
pub(crate) fn names_of<P: ModelFlags>(set: P) -> (Names, bool) {
    cat::<P>().names_of(set.raw())
}

/// The one permission named `name`, as a set of `P` (its bit alone).
pub(crate) fn flag<P: ModelFlags>(name: &str) -> P {
    P::from_raw(1u128 << cat::<P>().bit(name))
}

/// What a built-in role grants, by name, as the catalog declares it
/// (DOMAIN 2: three built-in roles, fixed templates, see also
/// `need_custom_role`; for the standard catalog, as DOMAIN.md words them:
/// [`catalog::CatalogSpec::standard`]).
pub(crate) fn builtin_permissions<P: ModelFlags>(role: BuiltinRole) -> Names {
    cat::<P>().builtin(role)
}

/// Whether projects do not restrict someone who holds `held`.
pub(crate) fn sees_past_projects(enhanced: bool, held: &Names) -> bool {
    // DOMAIN 10: in simple mode roles alone decide (projects are ignored);
    !enhanced
    // DOMAIN 16: holders of "all projects" see every project and object.
        || held.contains("projects.all")
}

/// Names must be non-empty, without surrounding white space or control
/// characters.
pub(crate) fn well_formed(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with(char::is_whitespace)
        && !name.ends_with(char::is_whitespace)
        && !name.chars().any(char::is_control)
}

// ---------------------------------------------------------------------------
// Records
// ---------------------------------------------------------------------------

/// A role as the model keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RoleRecord {
    pub(crate) name: String,
    pub(crate) description: String,
    pub(crate) permissions: Names,
    pub(crate) builtin: Option<BuiltinRole>,
    pub(crate) put_users_offline: bool,
}

/// A project as the model keeps it. The description of `Default` is the
/// engine's own words until someone edits it, so the model leaves it open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ProjectRecord {
    pub(crate) name: String,
    pub(crate) description: Option<String>,
}

/// An object as the model keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ObjectRecord<K> {
    pub(crate) kind: K,
    pub(crate) name: String,
}

/// Why the model refuses a change. A refused change may have several
/// reasons; the engine must name one of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refusal {
    UnknownId(EntityKind, u32),
    InvalidName(EntityKind, String),
    DuplicateName(EntityKind, String),
    BuiltinRole(&'static str),
    DefaultProject,
    NotSinglePermission,
    LastAdmin,
    /// The session was ended by a change (or tests a deleted role).
    SessionEnded,
    /// The actor lacks these permissions (compared as closed sets).
    Forbidden(Names),
    /// The change (or the test) would hand out these permissions, which
    /// the actor lacks (company-wide, or on the project within which a
    /// role is given).
    Escalation(Names),
    /// A role given within the project named so to someone who is not a
    /// direct member of it.
    NotProjectMember(String),
    /// Admin, or a role holding "all projects", given (or held) within a
    /// project: the role's names (as it was and as it would be) and the
    /// names of the projects within which it would be held.
    CompanyWideRole {
        roles: Vec<String>,
        projects: Vec<String>,
    },
    /// An object listed among those it uses.
    SelfReference(ObjectId),
    /// In enhanced mode, every reference (user, used) that the change
    /// would leave between objects that share no project.
    ReferencesCross(BTreeSet<(ObjectId, ObjectId)>),
    /// Deleting an object used by these objects.
    ObjectInUse(BTreeSet<ObjectId>),
    /// A user (or a custom role, or a testing session) would hold both
    /// duties of a declared constraint (DOMAIN 25).
    DutiesSeparated,
    /// A constraint declared while this many (users and custom roles)
    /// break it.
    DutyConstraintBroken(usize),
    /// A constraint that can never hold.
    InvalidDutyConstraint,
}

impl Refusal {
    /// Whether the engine's error names this reason (sets of permissions
    /// read with `cat`).
    pub(crate) fn matches(&self, error: &Error, cat: &Cat) -> bool {
        match (self, error) {
            (Self::UnknownId(k, i), Error::UnknownId { kind, id }) => k == kind && i == id,
            (Self::InvalidName(k, n), Error::InvalidName { kind, name }) => k == kind && n == name,
            (Self::DuplicateName(k, n), Error::DuplicateName { kind, name }) => {
                k == kind && n == name
            }
            (Self::BuiltinRole(r), Error::BuiltinRole { role, .. }) => r == role,
            (Self::NotProjectMember(p), Error::NotProjectMember { project, .. }) => p == project,
            (
                Self::CompanyWideRole { roles, projects },
                Error::CompanyWideRole { role, project },
            ) => roles.contains(role) && projects.contains(project),
            (Self::SelfReference(id), Error::SelfReference { object }) => {
                object.ends_with(&format!("(id {id})"))
            }
            // Every broken reference is listed, each once, in order.
            (Self::ReferencesCross(pairs), Error::ReferenceCrossesProjects { references, .. }) => {
                pairs.iter().copied().collect::<Vec<_>>() == *references
            }
            (Self::ObjectInUse(users), Error::ObjectInUse { used_by_ids, .. }) => {
                users.iter().copied().collect::<Vec<_>>() == *used_by_ids
            }
            (Self::DefaultProject, Error::DefaultProject { .. })
            | (Self::NotSinglePermission, Error::NotSinglePermission { .. })
            | (Self::LastAdmin, Error::LastAdmin { .. })
            | (Self::SessionEnded, Error::SessionEnded { .. })
            | (Self::DutiesSeparated, Error::DutiesSeparated { .. })
            | (Self::InvalidDutyConstraint, Error::InvalidDutyConstraint { .. }) => true,
            (Self::DutyConstraintBroken(n), Error::DutyConstraintBroken { count, .. }) => {
                n == count
            }
            // The engine names the fewest permissions that say it; read back,
            // they are the closed set.
            (Self::Forbidden(names), Error::Forbidden { missing: text, .. })
            | (
                Self::Escalation(names),
                Error::Escalation {
                    permissions: text, ..
                },
            ) => cat
                .parse(text)
                .is_some_and(|set| cat.closed(&set) == cat.closed(names)),
            _ => false,
        }
    }
}

/// A logged-in user as the model keeps it: who, the revision at login, and
/// the role under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Session {
    pub(crate) user: UserId,
    pub(crate) login_revision: u64,
    pub(crate) testing: Option<RoleId>,
}

/// What an accepted change did, as the model sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Applied {
    /// The id the change created, if any.
    pub(crate) created: Option<Created>,
    /// Whose sessions the change ended (and a deleted user).
    pub(crate) logged_out: BTreeSet<UserId>,
}

/// The whole company, as the model sees it, with the catalog of `P`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Model<P: ModelFlags = callgate::Permissions> {
    pub(crate) enhanced: bool,
    pub(crate) default_project: Option<ProjectId>,
    pub(crate) revision: u64,
    pub(crate) users: BTreeMap<UserId, String>,
    pub(crate) groups: BTreeMap<GroupId, String>,
    pub(crate) roles: BTreeMap<RoleId, RoleRecord>,
    pub(crate) projects: BTreeMap<ProjectId, ProjectRecord>,
    pub(crate) objects: BTreeMap<ObjectId, ObjectRecord<P::Kind>>,
    /// (user, role): roles held directly.
    pub(crate) user_roles: BTreeSet<(UserId, RoleId)>,
    /// (group, role): roles held by every member of the group.
    pub(crate) group_roles: BTreeSet<(GroupId, RoleId)>,
    /// (group, user): group members.
    pub(crate) members: BTreeSet<(GroupId, UserId)>,
    /// (user, project): direct project members.
    pub(crate) user_projects: BTreeSet<(UserId, ProjectId)>,
    /// (group, project): groups that are project members.
    pub(crate) group_projects: BTreeSet<(GroupId, ProjectId)>,
    /// (object, project): which projects hold which objects.
    pub(crate) object_projects: BTreeSet<(ObjectId, ProjectId)>,
    /// (user, used): the objects each object uses (rule 26).
    pub(crate) object_uses: BTreeSet<(ObjectId, ObjectId)>,
    /// (user, project, role): roles given to a user within a project.
    pub(crate) user_project_roles: BTreeSet<(UserId, ProjectId, RoleId)>,
    /// (group, project, role): roles given to a group within a project
    /// (every member of the group holds them there).
    pub(crate) group_project_roles: BTreeSet<(GroupId, ProjectId, RoleId)>,
    /// (holder, role, project within which it was given): when a grant
    /// given until a time ends. Every key is a grant the sets above hold.
    pub(crate) ends: BTreeMap<(Principal, RoleId, Option<ProjectId>), Timestamp>,
    /// The first revision at which each user's sessions are current (users
    /// never put offline are absent: 0).
    pub(crate) sessions_valid_from: BTreeMap<UserId, u64>,
    /// The declared separation-of-duties constraints, in order (DOMAIN 25).
    pub(crate) duties: Vec<duties::Pair>,
    /// The next id of each table: ids are dense, in creation order, never
    /// reused.
    pub(crate) next_user: u32,
    pub(crate) next_group: u32,
    pub(crate) next_role: u32,
    pub(crate) next_project: u32,
    pub(crate) next_object: u32,
    pub(crate) flags: PhantomData<P>,
}

impl<P: ModelFlags> Default for Model<P> {
    fn default() -> Self {
        Self::new()
    }
}

impl<P: ModelFlags> Model<P> {
    /// The catalog.
    pub(crate) fn cat(&self) -> &'static Cat {
        cat::<P>()
    }

    /// A new company: simple mode, the three built-in roles, nothing else.
    pub(crate) fn new() -> Self {
        let roles = BuiltinRole::ALL
            .iter()
            .map(|&role| {
                let record = RoleRecord {
                    name: role_name(role).to_owned(),
                    description: String::new(), // Not compared for built-ins.
                    permissions: builtin_permissions::<P>(role),
                    builtin: Some(role),
                    put_users_offline: false,
                };
                (role.id(), record)
            })
            .collect();
        Self {
            enhanced: false,
            default_project: None,
            revision: 0,
            users: BTreeMap::new(),
            groups: BTreeMap::new(),
            roles,
            projects: BTreeMap::new(),
            objects: BTreeMap::new(),
            user_roles: BTreeSet::new(),
            group_roles: BTreeSet::new(),
            members: BTreeSet::new(),
            user_projects: BTreeSet::new(),
            group_projects: BTreeSet::new(),
            object_projects: BTreeSet::new(),
            object_uses: BTreeSet::new(),
            user_project_roles: BTreeSet::new(),
            group_project_roles: BTreeSet::new(),
            ends: BTreeMap::new(),
            sessions_valid_from: BTreeMap::new(),
            duties: Vec::new(),
            next_user: 0,
            next_group: 0,
            next_role: 3,
            next_project: 0,
            next_object: 0,
            flags: PhantomData,
        }
    }

    // -----------------------------------------------------------------------
    // Questions
    // -----------------------------------------------------------------------

    /// The groups `user` belongs to.
    pub(crate) fn groups_of(&self, user: UserId) -> BTreeSet<GroupId> {
        self.members
            .iter()
            .filter(|&&(_, u)| u == user)
            .map(|&(g, _)| g)
            .collect()
    }

    /// Every role `user` holds, directly or through a group.
    pub(crate) fn roles_of(&self, user: UserId) -> BTreeSet<RoleId> {
        let groups = self.groups_of(user);
        let direct = self
            .user_roles
            .iter()
            .filter(|&&(u, _)| u == user)
            .map(|&(_, r)| r);
        let through_groups = self
            .group_roles
            .iter()
            .filter(|(g, _)| groups.contains(g))
            .map(|&(_, r)| r);
        direct.chain(through_groups).collect()
    }

    /// Every project `user` is a member of, directly or through a group.
    pub(crate) fn projects_of(&self, user: UserId) -> BTreeSet<ProjectId> {
        let groups = self.groups_of(user);
        // DOMAIN 14: membership is read as it stands now (no login needed).
        let direct = self
            .user_projects
            .iter()
            .filter(|&&(u, _)| u == user)
            .map(|&(_, p)| p);
        let through_groups = self
            .group_projects
            .iter()
            .filter(|(g, _)| groups.contains(g))
            .map(|&(_, p)| p);
        direct.chain(through_groups).collect()
    }

    /// What `user` may do: the union of what their roles grant.
    pub(crate) fn effective_permissions(&self, user: UserId) -> Names {
        // DOMAIN 1: a user holding several roles may do the union of them
        // (roles held through a group count: a group stands for its users).
        self.roles_of(user)
            .iter()
            .filter_map(|role| self.roles.get(role))
            .flat_map(|role| role.permissions.iter().copied())
            .collect()
    }

    /// Every way `user` holds a role within `project`: the role, and the
    /// group it was given to (`None`: given to the user).
    pub(crate) fn roles_within(
        &self,
        user: UserId,
        project: ProjectId,
    ) -> BTreeSet<(RoleId, Option<GroupId>)> {
        // DOMAIN 20: a member of a project, a user or a group, can be given
        // roles within that project; a group's stand for its users.
        let direct = self
            .user_project_roles
            .iter()
            .filter(|&&(u, p, _)| u == user && p == project)
            .map(|&(_, _, r)| (r, None));
        let groups = self.groups_of(user);
        let through_groups = self
            .group_project_roles
            .iter()
            .filter(|&&(g, p, _)| groups.contains(&g) && p == project)
            .map(|&(g, _, r)| (r, Some(g)));
        direct.chain(through_groups).collect()
    }

    /// What the roles `user` holds within `project` grant.
    pub(crate) fn within(&self, user: UserId, project: ProjectId) -> Names {
        self.roles_within(user, project)
            .iter()
            .filter_map(|(role, _)| self.roles.get(role))
            .flat_map(|role| role.permissions.iter().copied())
            .collect()
    }

    /// The projects within which roles count on `resource`, for a member of
    /// `projects`: for an object, those of `projects` that hold it; for a
    /// project, itself; for the company, none.
    pub(crate) fn within_scope(
        &self,
        projects: &BTreeSet<ProjectId>,
        resource: Resource,
    ) -> BTreeSet<ProjectId> {
        match resource {
            // Roles within a project apply to nothing company-wide (rule 20).
            Resource::Company => BTreeSet::new(),
            Resource::Object(object) => projects
                .iter()
                .copied()
                .filter(|&p| self.object_projects.contains(&(object, p)))
                .collect(),
            Resource::Project(project) => [project].into(),
        }
    }

    /// What someone holding `held` company-wide, a member of `projects`, may
    /// do on `resource`: `held`, and when `within` names a user, what their
    /// roles within the projects of [`Model::within_scope`] grant (a testing
    /// session names none: it holds only the role under test).
    pub(crate) fn granted_on(
        &self,
        held: &Names,
        projects: &BTreeSet<ProjectId>,
        within: Option<UserId>,
        resource: Resource,
    ) -> Names {
        let mut granted = held.clone();
        if let Some(user) = within {
            // DOMAIN 21: on a scoped object, what company-wide roles grant
            // plus what roles within any project holding it (that the user
            // belongs to) grant; in both security modes.
            for project in self.within_scope(projects, resource) {
                granted.extend(self.within(user, project));
            }
        }
        granted
    }

    /// What `user` may do on `project` and its objects, visibility aside:
    /// their company-wide permissions and what their roles within it grant.
    pub(crate) fn permissions_in_project(
        &self,
        user: UserId,
        project: ProjectId,
    ) -> Result<Names, Refusal> {
        if !self.users.contains_key(&user) {
            return Err(Refusal::UnknownId(EntityKind::User, user.get()));
        }
        if !self.projects.contains_key(&project) {
            return Err(Refusal::UnknownId(EntityKind::Project, project.get()));
        }
        let mut held = self.effective_permissions(user);
        held.extend(self.within(user, project));
        Ok(held)
    }

    /// The direct members of `project` (users by id, then groups by id),
    /// each with the roles given to it within the project, by id.
    pub(crate) fn project_member_roles(
        &self,
        project: ProjectId,
    ) -> Result<Vec<(Principal, Vec<RoleId>)>, Refusal> {
        if !self.projects.contains_key(&project) {
            return Err(Refusal::UnknownId(EntityKind::Project, project.get()));
        }
        let users = lefts(&self.user_projects, project).into_iter().map(|u| {
            let roles = self
                .user_project_roles
                .iter()
                .filter(|&&(x, p, _)| x == u && p == project)
                .map(|&(_, _, r)| r);
            (Principal::User(u), roles.collect())
        });
        let groups = lefts(&self.group_projects, project).into_iter().map(|g| {
            let roles = self
                .group_project_roles
                .iter()
                .filter(|&&(x, p, _)| x == g && p == project)
                .map(|&(_, _, r)| r);
            (Principal::Group(g), roles.collect())
        });
        Ok(users.chain(groups).collect())
    }

    /// Every live user whose check of `action` on `resource` allows, by id.
    pub(crate) fn who_can(&self, action: P, resource: Resource) -> Vec<UserId> {
        self.users
            .keys()
            .copied()
            .filter(|&u| self.check(u, action, resource).is_allowed())
            .collect()
    }

    /// Whether one of `projects` holds `object`.
    fn shares_project(&self, projects: &BTreeSet<ProjectId>, object: ObjectId) -> bool {
        // DOMAIN 12: in enhanced mode, only members of a project holding the
        // object see it, so (DOMAIN 17:) an object in no project is seen only
        // by holders of "all projects".
        projects
            .iter()
            .any(|&p| self.object_projects.contains(&(object, p)))
    }

    /// May `user` do `action` to `resource`?
    pub(crate) fn check(&self, user: UserId, action: P, resource: Resource) -> Decision {
        // DOMAIN -: deny by default: an unknown user, object or action is denied.
        if !self.users.contains_key(&user) {
            return Decision::Deny(DenyReason::UnknownUser);
        }
        let held = self.effective_permissions(user);
        self.decide(&held, &self.projects_of(user), Some(user), action, resource)
    }

    /// The decision for someone who holds `held` company-wide, is a member
    /// of `projects` and (when `within` names them) holds the roles given
    /// to that user within projects: the rules of [`Model::check`] after
    /// the user is known.
    fn decide(
        &self,
        held: &Names,
        projects: &BTreeSet<ProjectId>,
        within: Option<UserId>,
        action: P,
        resource: Resource,
    ) -> Decision {
        let (asked, stray_bits) = names_of(action);
        self.decide_asked(held, projects, within, &asked, stray_bits, resource)
    }

    /// [`Model::decide`] for an action read as names (and whether it has
    /// bits of no permission).
    fn decide_asked(
        &self,
        held: &Names,
        projects: &BTreeSet<ProjectId>,
        within: Option<UserId>,
        asked: &Names,
        stray_bits: bool,
        resource: Resource,
    ) -> Decision {
        use DenyReason::*;
        let cat = self.cat();
        let empty = asked.is_empty() && !stray_bits;
        // Visibility is decided by company-wide permissions alone (no role
        // within a project holds "all projects", rule 22).
        let everything = sees_past_projects(self.enhanced, held);
        // A hidden object or project is hidden whatever the action: the
        // denial must not reveal its kind (hidden is decided before "does
        // the action apply").
        match resource {
            Resource::Company => {
                if empty {
                    return Decision::Deny(NotApplicable);
                }
            }
            Resource::Object(object) => {
                let Some(record) = self.objects.get(&object) else {
                    return Decision::Deny(UnknownObject);
                };
                if !everything && !self.shares_project(projects, object) {
                    return Decision::Deny(HiddenByProjects);
                }
                // DOMAIN 19: what applies to an object is what the catalog
                // says applies to its kind.
                let applies = cat.kind_actions(record.kind.index());
                if empty || stray_bits || !asked.is_subset(applies) {
                    return Decision::Deny(NotApplicable);
                }
            }
            Resource::Project(project) => {
                if !self.projects.contains_key(&project) {
                    return Decision::Deny(UnknownProject);
                }
                if !everything && !projects.contains(&project) {
                    return Decision::Deny(HiddenByProjects);
                }
                if empty || stray_bits || !asked.is_subset(cat.project_actions()) {
                    return Decision::Deny(NotApplicable);
                }
            }
        }
        // DOMAIN 15: inside projects, roles still decide what a member may
        // do: those held company-wide and (rule 21) within the projects.
        let granted = || self.granted_on(held, projects, within, resource);
        if stray_bits || !(asked.is_subset(held) || asked.is_subset(&granted())) {
            return Decision::Deny(MissingPermission);
        }
        Decision::Allow
    }

    /// The objects that someone holding `held`, a member of `projects`
    /// (holding the roles given to `within` within projects), can see, by
    /// kind: those on which a check of some permission of the kind would
    /// allow (the same tests as [`Model::decide`], each made once): they
    /// hold, on the object, a permission that applies to the kind and reach
    /// the object.
    pub(crate) fn visible_to(
        &self,
        held: &Names,
        projects: &BTreeSet<ProjectId>,
        within: Option<UserId>,
    ) -> BTreeMap<P::Kind, BTreeSet<ObjectId>> {
        let everything = sees_past_projects(self.enhanced, held);
        let mut visible: BTreeMap<P::Kind, BTreeSet<ObjectId>> = BTreeMap::new();
        for (&id, record) in &self.objects {
            let applies = self.cat().kind_actions(record.kind.index());
            let granted = || self.granted_on(held, projects, within, Resource::Object(id));
            let holds = !held.is_disjoint(applies) || !granted().is_disjoint(applies);
            if holds && (everything || self.shares_project(projects, id)) {
                visible.entry(record.kind).or_default().insert(id);
            }
        }
        visible
    }

    /// The objects that `user` can see, by kind.
    pub(crate) fn visible_objects(&self, user: UserId) -> BTreeMap<P::Kind, BTreeSet<ObjectId>> {
        let held = self.effective_permissions(user);
        self.visible_to(&held, &self.projects_of(user), Some(user))
    }

    /// The objects of `kind` on which someone who holds `held`, a member
    /// of `projects` (holding the roles given to `within` within
    /// projects), may do the action read as `asked` (with `stray` bits of
    /// no permission): those whose check would allow it.
    pub(crate) fn allowed_asked(
        &self,
        held: &Names,
        projects: &BTreeSet<ProjectId>,
        within: Option<UserId>,
        asked: &Names,
        stray: bool,
        kind: P::Kind,
    ) -> BTreeSet<ObjectId> {
        self.objects
            .iter()
            .filter(|(_, record)| record.kind == kind)
            .map(|(&id, _)| id)
            .filter(|&id| {
                self.decide_asked(held, projects, within, asked, stray, Resource::Object(id))
                    .is_allowed()
            })
            .collect()
    }

    // -----------------------------------------------------------------------
    // Sessions
    // -----------------------------------------------------------------------

    /// Logs `user` in: a session at the current revision.
    pub(crate) fn login(&self, user: UserId) -> Result<Session, Vec<Refusal>> {
        if !self.users.contains_key(&user) {
            return Err(vec![Refusal::UnknownId(EntityKind::User, user.get())]);
        }
        Ok(Session {
            user,
            login_revision: self.revision,
            testing: None,
        })
    }

    /// What `session` acts with, or why it cannot act.
    pub(crate) fn session_permissions(&self, session: &Session) -> Result<Names, DenyReason> {
        if !self.users.contains_key(&session.user) {
            return Err(DenyReason::UnknownUser);
        }
        // A session logged in before a change that put its user offline is
        // over (rule 7): the user must log in again.
        let valid_from = self
            .sessions_valid_from
            .get(&session.user)
            .copied()
            .unwrap_or(0);
        if session.login_revision < valid_from {
            return Err(DenyReason::SessionEnded);
        }
        let own = self.effective_permissions(session.user);
        match session.testing {
            None => Ok(own),
            // DOMAIN 8: a testing session holds only the role under test (and
            // never more than the tester holds, rule 9); once the role is
            // deleted there is nothing to test: the session is over.
            Some(role) => {
                let role = self.roles.get(&role).ok_or(DenyReason::SessionEnded)?;
                Ok(role.permissions.intersection(&own).copied().collect())
            }
        }
    }

    /// Whose roles within projects count in `session`: its user's, unless
    /// it tests a role.
    pub(crate) fn within_of(session: &Session) -> Option<UserId> {
        // A testing session holds only the role under test (rule 8),
        // company-wide: no role within a project.
        session.testing.is_none().then_some(session.user)
    }

    /// May the user behind `session` do `action` to `resource`? The rules
    /// of [`Model::check`] with the session's permissions, the user's own
    /// projects and (unless testing) their roles within projects.
    pub(crate) fn check_session(
        &self,
        session: &Session,
        action: P,
        resource: Resource,
    ) -> SessionDecision {
        let decision = match self.session_permissions(session) {
            Ok(held) => {
                let projects = self.projects_of(session.user);
                let within = Self::within_of(session);
                self.decide(&held, &projects, within, action, resource)
            }
            Err(reason) => Decision::Deny(reason),
        };
        // Every decision names the real user and the role under test, for
        // audit (rule 9).
        SessionDecision::new(decision, session.user, session.testing)
    }

    /// The objects visible through `session`, by kind: nothing for an ended
    /// session, `None` for a deleted user.
    pub(crate) fn visible_objects_as(
        &self,
        session: &Session,
    ) -> Option<BTreeMap<P::Kind, BTreeSet<ObjectId>>> {
        match self.session_permissions(session) {
            Ok(held) => {
                let projects = self.projects_of(session.user);
                Some(self.visible_to(&held, &projects, Self::within_of(session)))
            }
            Err(DenyReason::UnknownUser) => None,
            Err(_) => Some(BTreeMap::new()),
        }
    }

    /// Why `session` may not act: a deleted user's id, or an ended session.
    fn session_refusal(&self, session: &Session) -> Result<Names, Vec<Refusal>> {
        self.session_permissions(session).map_err(|reason| {
            vec![match reason {
                DenyReason::UnknownUser => Refusal::UnknownId(EntityKind::User, session.user.get()),
                _ => Refusal::SessionEnded,
            }]
        })
    }

    /// Starts testing `role` in `session`: the same session, testing it.
    pub(crate) fn start_testing(
        &self,
        session: &Session,
        role: RoleId,
    ) -> Result<Session, Vec<Refusal>> {
        let held = self.session_refusal(session)?;
        let mut refused = Vec::new();
        self.need_role(role, &mut refused);
        // DOMAIN 9: only someone who may manage roles, and test them, may
        // test one, and testing never gives more than the tester holds.
        let needed: Names = ["roles.manage", "roles.test"]
            .map(|n| self.cat().name(n))
            .into();
        let missing: Names = needed.difference(&held).copied().collect();
        if !missing.is_empty() {
            refused.push(Refusal::Forbidden(missing));
        }
        if let Some(record) = self.roles.get(&role) {
            let beyond: Names = record.permissions.difference(&held).copied().collect();
            if !beyond.is_empty() {
                refused.push(Refusal::Escalation(beyond));
            }
        }
        // DOMAIN 25: a session testing a role that gives both duties of a
        // pair would hold both (an Admin tester is exempt; the session not).
        if self.testing_breaks(role) {
            refused.push(Refusal::DutiesSeparated);
        }
        if !refused.is_empty() {
            return Err(refused);
        }
        Ok(Session {
            testing: Some(role),
            ..*session
        })
    }

    /// Every user who holds Admin, directly or through a group.
    pub(crate) fn admins(&self) -> BTreeSet<UserId> {
        self.users
            .keys()
            .copied()
            .filter(|&u| self.roles_of(u).contains(&RoleId::ADMIN))
            .collect()
    }

    /// Users whose effective permissions or projects differ between `self`
    /// (before a change) and `after`. Users live on both sides only.
    pub(crate) fn affected_users(&self, after: &Self) -> BTreeSet<UserId> {
        // Rule 7: the host must be told whose permissions changed, so that
        // it can refresh them (sessions ended by a change: `Model::apply`).
        self.users
            .keys()
            .copied()
            .filter(|u| after.users.contains_key(u))
            .filter(|&u| {
                self.effective_permissions(u) != after.effective_permissions(u)
                    || self.projects_of(u) != after.projects_of(u)
                    || self.added_within(u) != after.added_within(u)
            })
            .collect()
    }

    /// What `user`'s roles within each project add to their company-wide
    /// permissions (projects where they add nothing are left out): a
    /// change of it is a change of what they may do there.
    pub(crate) fn added_within(&self, user: UserId) -> BTreeMap<ProjectId, Names> {
        let held = self.effective_permissions(user);
        self.projects
            .keys()
            .filter_map(|&project| {
                let within = self.within(user, project);
                let added: Names = within.difference(&held).copied().collect();
                (!added.is_empty()).then_some((project, added))
            })
            .collect()
    }

    // -----------------------------------------------------------------------
    // Changes
    // -----------------------------------------------------------------------

    /// Applies a change all or nothing: the new state and whose sessions it
    /// ended, or every reason to refuse it.
    pub(crate) fn apply(&mut self, change: &Change<P>) -> Result<Applied, Vec<Refusal>> {
        // DOMAIN -: bad stored data: not modelled yet (no stored format).
        let mut next = self.clone();
        let mut refused = Vec::new();
        let mut ended_offline = BTreeSet::new();
        let created = match change {
            Change::ExpireGrants { now } => {
                ended_offline = next.expire(*now);
                None
            }
            _ => next.edit(&lasting(change), &mut refused),
        };
        next.keep_ends(change, &mut refused);
        // DOMAIN 26: in enhanced mode no reference crosses projects, however
        // the change would make it cross (recorded so, an object taken out
        // of a project, a project deleted, the switch back to enhanced).
        let crossing = next.crossing();
        if !crossing.is_empty() {
            refused.push(Refusal::ReferencesCross(crossing));
        }
        // DOMAIN 25: no state breaks a declared constraint, however the
        // duties are reached (a declaration counts its breakers itself).
        let declaring = matches!(change, Change::DeclareDutyConstraint { .. });
        if !declaring && next.duty_breaches() > 0 {
            refused.push(Refusal::DutiesSeparated);
        }
        // DOMAIN -: no lock-out: a change may not take away the last Admin.
        if !self.admins().is_empty() && next.admins().is_empty() {
            refused.push(Refusal::LastAdmin);
        }
        // DOMAIN -: every change is all-or-nothing: refused, nothing moves.
        if !refused.is_empty() {
            return Err(refused);
        }
        next.revision += 1;
        // DOMAIN 7: saving a role whose "put its users offline" is on (as
        // saved; as it was, for a deleted role) ends the sessions of everyone
        // who held it before or holds it after: they must log in again.
        // Giving a role within a project is done from the project (rule
        // 20), not by saving the role (rule 4): it saves no role.
        let saved = match change {
            Change::EditRole { role, .. }
            | Change::DeleteRole { role }
            | Change::AssignRole { role, .. }
            | Change::AssignRoleUntil { role, .. }
            | Change::UnassignRole { role, .. }
            | Change::SetSectionAccess { role, .. } => Some(*role),
            _ => None,
        };
        // DOMAIN 24: an ended grant of a role that puts its users offline
        // ends the sessions of those it reached.
        let mut logged_out = ended_offline;
        if let Some(role) = saved {
            let setting = next.roles.get(&role).or_else(|| self.roles.get(&role));
            if setting.is_some_and(|r| r.put_users_offline) {
                logged_out.extend(self.role_holders(role));
                logged_out.extend(next.role_holders(role));
            }
        }
        for &user in &logged_out {
            next.sessions_valid_from.insert(user, next.revision);
        }
        // A deleted user's sessions end with them.
        if let Change::DeleteUser { user } = change {
            next.sessions_valid_from.remove(user);
            logged_out.insert(*user);
        }
        *self = next;
        Ok(Applied {
            created,
            logged_out,
        })
    }

    /// In enhanced mode, every reference between two objects that share no
    /// project (none in simple mode).
    pub(crate) fn crossing(&self) -> BTreeSet<(ObjectId, ObjectId)> {
        if !self.enhanced {
            return BTreeSet::new();
        }
        let projects = |object| rights(&self.object_projects, object);
        self.object_uses
            .iter()
            .copied()
            .filter(|&(user, used)| projects(user).is_disjoint(&projects(used)))
            .collect()
    }

    /// The live users who hold `role`, directly or through a group,
    /// company-wide or within a project.
    pub(crate) fn role_holders(&self, role: RoleId) -> BTreeSet<UserId> {
        // DOMAIN 23: "put its users offline" ends the sessions of everyone
        // who holds the role, within a project or company-wide.
        self.users
            .keys()
            .copied()
            .filter(|&u| {
                self.roles_of(u).contains(&role)
                    || self
                        .projects
                        .keys()
                        .any(|&p| self.roles_within(u, p).iter().any(|&(r, _)| r == role))
            })
            .collect()
    }

    /// Applies a change made by the user behind `session`: refused unless
    /// the session is current, it holds what governs the change, the change
    /// names only projects and objects the actor reaches and hands out only
    /// what the actor holds; then everything [`Model::apply`] checks.
    pub(crate) fn apply_as(
        &mut self,
        session: &Session,
        change: &Change<P>,
    ) -> Result<Applied, Vec<Refusal>> {
        let held = self.session_refusal(session)?;
        let within = Self::within_of(session);
        let mut refused = Vec::new();
        // DOMAIN 24: giving a role until a time is guarded as giving it.
        let guarded = lasting(change);
        let (change, until) = (&guarded, change);
        // What governs a change to a project (or to an object) may be held
        // within that project (or one holding the object): rule 22.
        let held_there = self.held_for(&held, session.user, within, change);
        let missing: Names = self
            .cat()
            .closed(&self.governing(change))
            .difference(&held_there)
            .copied()
            .collect();
        if !missing.is_empty() {
            refused.push(Refusal::Forbidden(missing));
        }
        if !sees_past_projects(self.enhanced, &held) {
            // Rule 12 for actors: what the actor does not reach does not
            // exist for them; and joining a group joins its projects, so an
            // actor may not put anyone in a group that sits in a project
            // hidden from them.
            let reach = self.projects_of(session.user);
            let (projects, objects, groups) = named(change);
            for project in projects.into_iter().filter(|p| !reach.contains(p)) {
                refused.push(Refusal::UnknownId(EntityKind::Project, project.get()));
            }
            for object in objects
                .into_iter()
                .filter(|&o| !self.shares_project(&reach, o))
            {
                refused.push(Refusal::UnknownId(EntityKind::Object, object.get()));
            }
            let hidden = groups.into_iter().any(|g| {
                rights(&self.group_projects, g)
                    .iter()
                    .any(|p| !reach.contains(p))
            });
            if hidden {
                let all_projects = self.cat().name("projects.all");
                refused.push(Refusal::Forbidden([all_projects].into()));
            }
        }
        // DOMAIN -: no escalation: whoever edits, assigns or grants a role
        // (or puts someone in a group that carries roles) hands out nothing
        // they do not hold themselves.
        let beyond: Names = self.granted(change).difference(&held).copied().collect();
        if !beyond.is_empty() {
            refused.push(Refusal::Escalation(beyond));
        }
        // DOMAIN 22: no escalation within a project: whoever gives a role
        // within a project holds each of its permissions, company-wide or
        // within that same project.
        for (project, granted) in self.granted_within(change) {
            let held_on = self.held_on(&held, within, project);
            let beyond: Names = granted.difference(&held_on).copied().collect();
            if !beyond.is_empty() {
                refused.push(Refusal::Escalation(beyond));
            }
        }
        // DOMAIN 24: nor for longer than they hold it.
        let outlasting = self.outlasting(session.user, until, change);
        if !outlasting.is_empty() {
            refused.push(Refusal::Escalation(outlasting));
        }
        if refused.is_empty() {
            return self.apply(until);
        }
        if let Err(more) = self.clone().apply(until) {
            refused.extend(more);
        }
        Err(refused)
    }

    /// What an actor holding `held` company-wide holds on `project`: `held`
    /// and, when `within` names the actor, their roles within it.
    pub(crate) fn held_on(
        &self,
        held: &Names,
        within: Option<UserId>,
        project: ProjectId,
    ) -> Names {
        let mut on = held.clone();
        if let Some(user) = within {
            on.extend(self.within(user, project));
        }
        on
    }

    /// What counts towards the permissions that govern `change`, for
    /// `user` acting with `held` company-wide (and the roles given to
    /// `within` within projects): for a change to one project, what they
    /// hold on it; for renaming or deleting an object, what they hold on
    /// it (company-wide, or within a project of theirs that holds it);
    /// else `held`.
    pub(crate) fn held_for(
        &self,
        held: &Names,
        user: UserId,
        within: Option<UserId>,
        change: &Change<P>,
    ) -> Names {
        match change {
            Change::EditProject { project, .. }
            | Change::DeleteProject { project }
            | Change::AddProjectMembers { project, .. }
            | Change::RemoveProjectMembers { project, .. }
            | Change::AddProjectObjects { project, .. }
            | Change::RemoveProjectObjects { project, .. }
            | Change::AssignProjectRole { project, .. }
            | Change::UnassignProjectRole { project, .. } => self.held_on(held, within, *project),
            Change::RenameObject { object, .. }
            | Change::DeleteObject { object }
            | Change::SetObjectReferences { object, .. } => {
                let projects = self.projects_of(user);
                self.granted_on(held, &projects, within, Resource::Object(*object))
            }
            _ => held.clone(),
        }
    }

    /// What `change` hands out within projects, by project: the roles it
    /// gives within a project, and the roles a group holds within projects
    /// for whoever joins it (as joining a group hands out its company-wide
    /// roles, see [`Model::granted`]).
    pub(crate) fn granted_within(&self, change: &Change<P>) -> BTreeMap<ProjectId, Names> {
        let role = |r: &RoleId| {
            self.roles
                .get(r)
                .map(|record| record.permissions.clone())
                .unwrap_or_default()
        };
        let mut granted: BTreeMap<ProjectId, Names> = BTreeMap::new();
        let mut groups = Vec::new();
        match change {
            Change::AssignProjectRole {
                project, role: r, ..
            } => {
                granted.entry(*project).or_default().extend(role(r));
            }
            Change::AddProjectMembers { project, roles, .. } if !roles.is_empty() => {
                let all = granted.entry(*project).or_default();
                roles.iter().for_each(|r| all.extend(role(r)));
            }
            Change::AddGroupMembers { group, .. } => groups.push(*group),
            Change::CreateUser { groups: g, .. } => groups.extend(g.iter().copied()),
            _ => {}
        }
        for (g, project, r) in &self.group_project_roles {
            if groups.contains(g) {
                granted.entry(*project).or_default().extend(role(r));
            }
        }
        granted
    }

    /// The permissions an actor needs to make `change`, by name: the manage
    /// permission of what it touches (users, groups, roles, projects, the
    /// security settings, the object's kind), and for a new user or object
    /// also that of each role, group or project it is given.
    pub(crate) fn governing(&self, change: &Change<P>) -> Names {
        let cat = self.cat();
        let mut needed = Names::new();
        let mut need = |text: &str| {
            needed.insert(cat.name(text));
        };
        match change {
            Change::CreateUser {
                roles,
                groups,
                projects,
                ..
            } => {
                need("users.manage");
                if !roles.is_empty() {
                    need("roles.manage");
                }
                if !groups.is_empty() {
                    need("groups.manage");
                }
                if !projects.is_empty() {
                    need("projects.manage");
                }
            }
            Change::RenameUser { .. } | Change::DeleteUser { .. } => need("users.manage"),
            Change::CreateGroup { .. }
            | Change::RenameGroup { .. }
            | Change::DeleteGroup { .. }
            | Change::AddGroupMembers { .. }
            | Change::RemoveGroupMembers { .. } => need("groups.manage"),
            Change::CreateRole { .. }
            | Change::EditRole { .. }
            | Change::DeleteRole { .. }
            | Change::AssignRole { .. }
            | Change::AssignRoleUntil { .. }
            | Change::UnassignRole { .. }
            | Change::SetSectionAccess { .. }
            | Change::ExpireGrants { .. } => need("roles.manage"),
            Change::SetSecurityMode { .. } => need("security.manage"),
            Change::CreateProject { .. }
            | Change::EditProject { .. }
            | Change::DeleteProject { .. }
            | Change::AddProjectMembers { .. }
            | Change::RemoveProjectMembers { .. }
            | Change::AddProjectObjects { .. }
            | Change::RemoveProjectObjects { .. }
            | Change::AssignProjectRole { .. }
            | Change::AssignProjectRoleUntil { .. }
            | Change::UnassignProjectRole { .. } => need("projects.manage"),
            Change::CreateObject { kind, projects, .. } => {
                // Each kind's own governing permission (rule 19).
                need(cat.governing(kind.index()));
                if !projects.is_empty() {
                    need("projects.manage");
                }
            }
            Change::RenameObject { object, .. }
            | Change::DeleteObject { object }
            | Change::SetObjectReferences { object, .. } => {
                // An unknown object is refused as such.
                if let Some(record) = self.objects.get(object) {
                    need(cat.governing(record.kind.index()));
                }
            }
            Change::DeclareDutyConstraint { first, second }
            | Change::DropDutyConstraint { first, second } => {
                // DOMAIN 25: security settings, and both permissions of a
                // pair: an actor keeps apart only duties they hold.
                need("security.manage");
                for duty in [first, second] {
                    if let callgate::Duty::Permission(p) = duty {
                        needed.extend(names_of(*p).0);
                    }
                }
            }
            other => panic!("the model does not know the change {other:?}: teach it"),
        }
        needed
    }

    /// What `change` hands out, by name: the permissions someone may gain
    /// through it.
    pub(crate) fn granted(&self, change: &Change<P>) -> Names {
        let role = |r: &RoleId| {
            self.roles
                .get(r)
                .map(|record| record.permissions.clone())
                .unwrap_or_default()
        };
        let group = |g: &GroupId| -> Names {
            rights(&self.group_roles, *g)
                .iter()
                .flat_map(role)
                .collect()
        };
        let set = |permissions: P| self.cat().closed(&names_of(permissions).0);
        match change {
            Change::CreateUser { roles, groups, .. } => roles
                .iter()
                .flat_map(role)
                .chain(groups.iter().flat_map(group))
                .collect(),
            Change::AddGroupMembers { group: g, .. } => group(g),
            Change::CreateRole { permissions, .. }
            | Change::EditRole {
                permissions: Some(permissions),
                ..
            }
            | Change::SetSectionAccess {
                permission: permissions,
                allowed: true,
                ..
            } => set(*permissions),
            Change::AssignRole { role: r, .. } => role(r),
            _ => Names::new(),
        }
    }

    /// Makes the change on `self` (a scratch copy), noting every reason to
    /// refuse it in `refused`.
    fn edit(&mut self, change: &Change<P>, refused: &mut Vec<Refusal>) -> Option<Created> {
        if self.edit_duties(change, refused) {
            return None;
        }
        match change.clone() {
            Change::CreateUser {
                name,
                roles,
                groups,
                projects,
            } => {
                let taken = self.users.values().any(|n| *n == name);
                need_name(EntityKind::User, &name, taken, refused);
                roles.iter().for_each(|&r| self.need_role(r, refused));
                groups.iter().for_each(|&g| self.need_group(g, refused));
                projects.iter().for_each(|&p| self.need_project(p, refused));
                let id = UserId::new(self.next_user);
                self.next_user += 1;
                if self.users.is_empty() {
                    // DOMAIN 3: the first user created gets the Admin role.
                    self.user_roles.insert((id, RoleId::ADMIN));
                }
                self.users.insert(id, name);
                // A new user can be given roles at creation (rule 4).
                self.user_roles.extend(roles.iter().map(|&r| (id, r)));
                self.members.extend(groups.iter().map(|&g| (g, id)));
                self.user_projects.extend(projects.iter().map(|&p| (id, p)));
                Some(Created::User(id))
            }
            Change::RenameUser { user, name } => {
                self.need_user(user, refused);
                let taken = self.users.iter().any(|(&u, n)| *n == name && u != user);
                need_name(EntityKind::User, &name, taken, refused);
                self.users.insert(user, name);
                None
            }
            Change::DeleteUser { user } => {
                self.need_user(user, refused);
                self.users.remove(&user);
                self.user_roles.retain(|&(u, _)| u != user);
                self.members.retain(|&(_, u)| u != user);
                self.user_projects.retain(|&(u, _)| u != user);
                self.user_project_roles.retain(|&(u, _, _)| u != user);
                None
            }
            Change::CreateGroup { name, members } => {
                let taken = self.groups.values().any(|n| *n == name);
                need_name(EntityKind::Group, &name, taken, refused);
                members.iter().for_each(|&u| self.need_user(u, refused));
                let id = GroupId::new(self.next_group);
                self.next_group += 1;
                self.groups.insert(id, name);
                self.members.extend(members.iter().map(|&u| (id, u)));
                Some(Created::Group(id))
            }
            Change::RenameGroup { group, name } => {
                self.need_group(group, refused);
                let taken = self.groups.iter().any(|(&g, n)| *n == name && g != group);
                need_name(EntityKind::Group, &name, taken, refused);
                self.groups.insert(group, name);
                None
            }
            Change::DeleteGroup { group } => {
                self.need_group(group, refused);
                self.groups.remove(&group);
                self.group_roles.retain(|&(g, _)| g != group);
                self.members.retain(|&(g, _)| g != group);
                self.group_projects.retain(|&(g, _)| g != group);
                self.group_project_roles.retain(|&(g, _, _)| g != group);
                None
            }
            Change::AddGroupMembers { group, users } => {
                self.need_group(group, refused);
                users.iter().for_each(|&u| self.need_user(u, refused));
                self.members.extend(users.iter().map(|&u| (group, u)));
                None
            }
            Change::RemoveGroupMembers { group, users } => {
                self.need_group(group, refused);
                users.iter().for_each(|&u| self.need_user(u, refused));
                self.members
                    .retain(|&(g, u)| g != group || !users.contains(&u));
                None
            }
            Change::CreateRole {
                name,
                description,
                permissions,
                principals,
                put_users_offline,
            } => {
                // DOMAIN 5: a custom role has a name unique in the company, a
                // description, a set of permissions and users/groups.
                let taken = self.roles.values().any(|r| r.name == name);
                need_name(EntityKind::Role, &name, taken, refused);
                principals
                    .iter()
                    .for_each(|&p| self.need_principal(p, refused));
                let id = RoleId::new(self.next_role);
                self.next_role += 1;
                let record = RoleRecord {
                    name,
                    description,
                    permissions: self.cat().closed(&names_of(permissions).0),
                    builtin: None,
                    put_users_offline,
                };
                self.roles.insert(id, record);
                self.give_role(id, &principals);
                Some(Created::Role(id))
            }
            Change::EditRole {
                role,
                name,
                description,
                permissions,
                put_users_offline,
            } => {
                self.need_custom_role(role, refused);
                let was = self.roles.get(&role).map(|r| r.name.clone());
                if let Some(name) = &name {
                    let taken = self
                        .roles
                        .iter()
                        .any(|(&r, x)| x.name == *name && r != role);
                    need_name(EntityKind::Role, name, taken, refused);
                }
                if let Some(record) = self.roles.get_mut(&role) {
                    if let Some(name) = name {
                        record.name = name;
                    }
                    if let Some(description) = description {
                        record.description = description;
                    }
                    if let Some(permissions) = permissions {
                        record.permissions = cat::<P>().closed(&names_of(permissions).0);
                    }
                    if let Some(put_users_offline) = put_users_offline {
                        record.put_users_offline = put_users_offline;
                    }
                }
                self.need_company_wide_only(role, was, refused);
                None
            }
            Change::DeleteRole { role } => {
                self.need_custom_role(role, refused);
                self.roles.remove(&role);
                self.user_roles.retain(|&(_, r)| r != role);
                self.group_roles.retain(|&(_, r)| r != role);
                self.user_project_roles.retain(|&(_, _, r)| r != role);
                self.group_project_roles.retain(|&(_, _, r)| r != role);
                self.drop_duties_of(role);
                None
            }
            Change::AssignRole { role, principals } => {
                // DOMAIN 4: a role is given to many users and groups at once;
                // built-in roles too (DOMAIN 2).
                self.need_role(role, refused);
                principals
                    .iter()
                    .for_each(|&p| self.need_principal(p, refused));
                self.give_role(role, &principals);
                None
            }
            Change::UnassignRole { role, principals } => {
                self.need_role(role, refused);
                principals
                    .iter()
                    .for_each(|&p| self.need_principal(p, refused));
                for principal in principals {
                    match principal {
                        Principal::User(u) => self.user_roles.remove(&(u, role)),
                        Principal::Group(g) => self.group_roles.remove(&(g, role)),
                    };
                }
                None
            }
            Change::SetSectionAccess {
                role,
                permission,
                allowed,
            } => {
                // DOMAIN 6: a section's switch for a role is that role's
                // permission, edited from the section's side; built-in
                // roles' switches are read-only.
                self.need_custom_role(role, refused);
                // A switch is one permission: its bit alone or with
                // everything it implies.
                let cat = cat::<P>();
                let Some(switch) = cat.single_name(permission.raw()) else {
                    refused.push(Refusal::NotSinglePermission);
                    return None;
                };
                if let Some(record) = self.roles.get_mut(&role) {
                    if allowed {
                        // On: the permission and what it implies.
                        record.permissions.extend(cat.closure(switch));
                    } else {
                        // Off: the permission and whatever implies it.
                        let implying = cat.implying(switch);
                        record.permissions.retain(|n| !implying.contains(n));
                    }
                }
                self.need_company_wide_only(role, None, refused);
                None
            }
            Change::SetSecurityMode { mode } => {
                let enhanced = mode == SecurityMode::Enhanced;
                // DOMAIN 11: the first switch to enhanced makes the Default
                // project with every existing user and object; it is never
                // made again (rule 17).
                let mut created = None;
                if enhanced && self.default_project.is_none() {
                    let taken = self.projects.values().any(|p| p.name == DEFAULT);
                    need_name(EntityKind::Project, DEFAULT, taken, refused);
                    let id = ProjectId::new(self.next_project);
                    self.next_project += 1;
                    let record = ProjectRecord {
                        name: DEFAULT.to_owned(),
                        description: None,
                    };
                    self.projects.insert(id, record);
                    self.default_project = Some(id);
                    let users: Vec<UserId> = self.users.keys().copied().collect();
                    let objects: Vec<ObjectId> = self.objects.keys().copied().collect();
                    self.user_projects
                        .extend(users.into_iter().map(|u| (u, id)));
                    self.object_projects
                        .extend(objects.into_iter().map(|o| (o, id)));
                    created = Some(Created::Project(id));
                }
                // The switch goes both ways; projects are kept (rule 10).
                self.enhanced = enhanced;
                created
            }
            Change::CreateProject {
                name,
                description,
                principals,
                objects,
            } => {
                let taken = self.projects.values().any(|p| p.name == name);
                need_name(EntityKind::Project, &name, taken, refused);
                principals
                    .iter()
                    .for_each(|&p| self.need_principal(p, refused));
                objects.iter().for_each(|&o| self.need_object(o, refused));
                let id = ProjectId::new(self.next_project);
                self.next_project += 1;
                let record = ProjectRecord {
                    name,
                    description: Some(description),
                };
                self.projects.insert(id, record);
                self.join_project(id, &principals);
                self.object_projects
                    .extend(objects.iter().map(|&o| (o, id)));
                Some(Created::Project(id))
            }
            Change::EditProject {
                project,
                name,
                description,
            } => {
                self.need_project(project, refused);
                if let (Some(name), Some(record)) = (&name, self.projects.get(&project)) {
                    let taken = self
                        .projects
                        .iter()
                        .any(|(&p, x)| x.name == *name && p != project);
                    need_name(EntityKind::Project, name, taken, refused);
                    if Some(project) == self.default_project && record.name != *name {
                        refused.push(Refusal::DefaultProject); // Default cannot be renamed.
                    }
                }
                if let Some(record) = self.projects.get_mut(&project) {
                    if let Some(name) = name {
                        record.name = name;
                    }
                    if let Some(description) = description {
                        record.description = Some(description);
                    }
                }
                None
            }
            Change::DeleteProject { project } => {
                self.need_project(project, refused);
                if Some(project) == self.default_project {
                    refused.push(Refusal::DefaultProject); // Default cannot be deleted.
                }
                self.projects.remove(&project);
                self.user_projects.retain(|&(_, p)| p != project);
                self.group_projects.retain(|&(_, p)| p != project);
                self.object_projects.retain(|&(_, p)| p != project);
                self.user_project_roles.retain(|&(_, p, _)| p != project);
                self.group_project_roles.retain(|&(_, p, _)| p != project);
                None
            }
            Change::AddProjectMembers {
                project,
                principals,
                roles,
            } => {
                self.need_project(project, refused);
                principals
                    .iter()
                    .for_each(|&p| self.need_principal(p, refused));
                for &role in &roles {
                    self.need_role(role, refused);
                    self.need_within_project(project, role, refused);
                }
                // DOMAIN 13: joining a project adds; it never takes the user
                // out of Default or any other project.
                self.join_project(project, &principals);
                // Members can be given roles within the project as they join
                // (or, already members, just get the roles): rule 20.
                for role in roles {
                    self.give_within(project, role, &principals);
                }
                None
            }
            Change::AssignProjectRole {
                project,
                role,
                principals,
            } => {
                self.need_project(project, refused);
                self.need_role(role, refused);
                principals
                    .iter()
                    .for_each(|&p| self.need_principal(p, refused));
                self.need_within_project(project, role, refused);
                // Roles within a project are given to its direct members only
                // (rule 20; a user who belongs only through a group is not
                // one).
                if let Some(record) = self.projects.get(&project) {
                    let outsider = principals.iter().any(|&p| match p {
                        Principal::User(u) => !self.user_projects.contains(&(u, project)),
                        Principal::Group(g) => !self.group_projects.contains(&(g, project)),
                    });
                    if outsider {
                        refused.push(Refusal::NotProjectMember(record.name.clone()));
                    }
                }
                self.give_within(project, role, &principals);
                None
            }
            Change::UnassignProjectRole {
                project,
                role,
                principals,
            } => {
                // Members or not: a role not held is a no-op.
                self.need_project(project, refused);
                self.need_role(role, refused);
                principals
                    .iter()
                    .for_each(|&p| self.need_principal(p, refused));
                for principal in principals {
                    self.take_within(project, principal, |r| r == role);
                }
                None
            }
            Change::RemoveProjectMembers {
                project,
                principals,
            } => {
                self.need_project(project, refused);
                principals
                    .iter()
                    .for_each(|&p| self.need_principal(p, refused));
                for principal in principals {
                    match principal {
                        Principal::User(u) => self.user_projects.remove(&(u, project)),
                        Principal::Group(g) => self.group_projects.remove(&(g, project)),
                    };
                    // Removing a member from a project removes the roles they
                    // were given within it (rule 21).
                    self.take_within(project, principal, |_| true);
                }
                None
            }
            Change::AddProjectObjects { project, objects } => {
                self.need_project(project, refused);
                objects.iter().for_each(|&o| self.need_object(o, refused));
                self.object_projects
                    .extend(objects.iter().map(|&o| (o, project)));
                None
            }
            Change::RemoveProjectObjects { project, objects } => {
                self.need_project(project, refused);
                objects.iter().for_each(|&o| self.need_object(o, refused));
                self.object_projects
                    .retain(|&(o, p)| p != project || !objects.contains(&o));
                None
            }
            Change::CreateObject {
                kind,
                name,
                projects,
            } => {
                let taken = self
                    .objects
                    .values()
                    .any(|o| o.kind == kind && o.name == name);
                need_name(EntityKind::Object, &name, taken, refused);
                projects.iter().for_each(|&p| self.need_project(p, refused));
                let id = ObjectId::new(self.next_object);
                self.next_object += 1;
                self.objects.insert(id, ObjectRecord { kind, name });
                self.object_projects
                    .extend(projects.iter().map(|&p| (id, p)));
                Some(Created::Object(id))
            }
            Change::RenameObject { object, name } => {
                self.need_object(object, refused);
                if let Some(kind) = self.objects.get(&object).map(|o| o.kind) {
                    let taken = self
                        .objects
                        .iter()
                        .any(|(&o, x)| x.kind == kind && x.name == name && o != object);
                    need_name(EntityKind::Object, &name, taken, refused);
                    self.objects.insert(object, ObjectRecord { kind, name });
                }
                None
            }
            Change::DeleteObject { object } => {
                self.need_object(object, refused);
                // DOMAIN 26: an object others use stays (in either mode);
                // the references it records itself go with it.
                let users = lefts(&self.object_uses, object);
                if !users.is_empty() {
                    refused.push(Refusal::ObjectInUse(users));
                }
                self.objects.remove(&object);
                self.object_projects.retain(|&(o, _)| o != object);
                self.object_uses.retain(|&(user, _)| user != object);
                None
            }
            Change::SetObjectReferences { object, uses } => {
                self.need_object(object, refused);
                uses.iter().for_each(|&o| self.need_object(o, refused));
                if uses.contains(&object) {
                    refused.push(Refusal::SelfReference(object));
                }
                // The list replaces the one recorded; whether the references
                // stay within projects is checked on the state after (see
                // `apply`).
                self.object_uses.retain(|&(user, _)| user != object);
                self.object_uses
                    .extend(uses.iter().map(|&used| (object, used)));
                None
            }
            other => panic!("the model does not know the change {other:?}: teach it"),
        }
    }

    fn give_role(&mut self, role: RoleId, principals: &[Principal]) {
        for &principal in principals {
            match principal {
                Principal::User(u) => self.user_roles.insert((u, role)),
                Principal::Group(g) => self.group_roles.insert((g, role)),
            };
        }
    }

    fn give_within(&mut self, project: ProjectId, role: RoleId, principals: &[Principal]) {
        for &principal in principals {
            match principal {
                Principal::User(u) => self.user_project_roles.insert((u, project, role)),
                Principal::Group(g) => self.group_project_roles.insert((g, project, role)),
            };
        }
    }

    /// Takes from `principal` the roles given to it within `project` that
    /// `which` picks.
    fn take_within(
        &mut self,
        project: ProjectId,
        principal: Principal,
        which: impl Fn(RoleId) -> bool,
    ) {
        match principal {
            Principal::User(u) => self
                .user_project_roles
                .retain(|&(x, p, r)| x != u || p != project || !which(r)),
            Principal::Group(g) => self
                .group_project_roles
                .retain(|&(x, p, r)| x != g || p != project || !which(r)),
        }
    }

    fn join_project(&mut self, project: ProjectId, principals: &[Principal]) {
        for &principal in principals {
            match principal {
                Principal::User(u) => self.user_projects.insert((u, project)),
                Principal::Group(g) => self.group_projects.insert((g, project)),
            };
        }
    }

    // Unknown ids are refused, each named.

    fn need_user(&self, id: UserId, refused: &mut Vec<Refusal>) {
        if !self.users.contains_key(&id) {
            refused.push(Refusal::UnknownId(EntityKind::User, id.get()));
        }
    }

    fn need_group(&self, id: GroupId, refused: &mut Vec<Refusal>) {
        if !self.groups.contains_key(&id) {
            refused.push(Refusal::UnknownId(EntityKind::Group, id.get()));
        }
    }

    fn need_role(&self, id: RoleId, refused: &mut Vec<Refusal>) {
        if !self.roles.contains_key(&id) {
            refused.push(Refusal::UnknownId(EntityKind::Role, id.get()));
        }
    }

    fn need_project(&self, id: ProjectId, refused: &mut Vec<Refusal>) {
        if !self.projects.contains_key(&id) {
            refused.push(Refusal::UnknownId(EntityKind::Project, id.get()));
        }
    }

    fn need_object(&self, id: ObjectId, refused: &mut Vec<Refusal>) {
        if !self.objects.contains_key(&id) {
            refused.push(Refusal::UnknownId(EntityKind::Object, id.get()));
        }
    }

    fn need_principal(&self, principal: Principal, refused: &mut Vec<Refusal>) {
        match principal {
            Principal::User(u) => self.need_user(u, refused),
            Principal::Group(g) => self.need_group(g, refused),
        }
    }

    /// A role that may be given within `project`: not Admin, and without
    /// "all projects".
    fn need_within_project(&self, project: ProjectId, role: RoleId, refused: &mut Vec<Refusal>) {
        let Some(record) = self.roles.get(&role) else {
            return; // Refused as unknown.
        };
        // Admin and "all projects" are company-wide only: giving them within
        // a project is refused (rule 22).
        if role == RoleId::ADMIN || record.permissions.contains("projects.all") {
            refused.push(Refusal::CompanyWideRole {
                roles: vec![record.name.clone()],
                projects: self
                    .projects
                    .get(&project)
                    .map(|p| p.name.clone())
                    .into_iter()
                    .collect(),
            });
        }
    }

    /// After `role` was edited (it was named `was`): refused if it now
    /// holds "all projects" and someone holds it within a project.
    fn need_company_wide_only(
        &self,
        role: RoleId,
        was: Option<String>,
        refused: &mut Vec<Refusal>,
    ) {
        let Some(record) = self.roles.get(&role) else {
            return; // Refused as unknown.
        };
        let within: BTreeSet<ProjectId> = self
            .user_project_roles
            .iter()
            .map(|&(_, p, r)| (p, r))
            .chain(self.group_project_roles.iter().map(|&(_, p, r)| (p, r)))
            .filter(|&(_, r)| r == role)
            .map(|(p, _)| p)
            .collect();
        // "All projects" stays company-wide: a role held within a project
        // may not be given it (rule 22).
        if record.permissions.contains("projects.all") && !within.is_empty() {
            let projects = within
                .iter()
                .filter_map(|p| self.projects.get(p))
                .map(|p| p.name.clone())
                .collect();
            refused.push(Refusal::CompanyWideRole {
                roles: [record.name.clone()].into_iter().chain(was).collect(),
                projects,
            });
        }
    }

    /// A live role that is not built in.
    pub(crate) fn need_custom_role(&self, id: RoleId, refused: &mut Vec<Refusal>) {
        self.need_role(id, refused);
        if let Some(builtin) = self.roles.get(&id).and_then(|r| r.builtin) {
            // Built-in roles can never be changed, renamed or deleted (rule 2).
            refused.push(Refusal::BuiltinRole(role_name(builtin)));
        }
    }
}

/// The projects, objects and groups (whose projects a new member joins)
/// that `change` names.
fn named<P: ModelFlags>(change: &Change<P>) -> (Vec<ProjectId>, Vec<ObjectId>, Vec<GroupId>) {
    match change {
        Change::CreateUser {
            projects, groups, ..
        } => (projects.clone(), Vec::new(), groups.clone()),
        Change::AddGroupMembers { group, .. } => (Vec::new(), Vec::new(), vec![*group]),
        Change::CreateObject { projects, .. } => (projects.clone(), Vec::new(), Vec::new()),
        Change::EditProject { project, .. }
        | Change::DeleteProject { project }
        | Change::AddProjectMembers { project, .. }
        | Change::RemoveProjectMembers { project, .. }
        | Change::AssignProjectRole { project, .. }
        | Change::UnassignProjectRole { project, .. } => (vec![*project], Vec::new(), Vec::new()),
        Change::AddProjectObjects { project, objects }
        | Change::RemoveProjectObjects { project, objects } => {
            (vec![*project], objects.clone(), Vec::new())
        }
        Change::CreateProject { objects, .. } => (Vec::new(), objects.clone(), Vec::new()),
        Change::RenameObject { object, .. } | Change::DeleteObject { object } => {
            (Vec::new(), vec![*object], Vec::new())
        }
        // DOMAIN 26: the actor reaches both ends of every reference.
        Change::SetObjectReferences { object, uses } => {
            let objects = std::iter::once(*object).chain(uses.iter().copied());
            (Vec::new(), objects.collect(), Vec::new())
        }
        _ => (Vec::new(), Vec::new(), Vec::new()),
    }
}

/// A name for a new or renamed record: well formed and not taken by another
/// record of the same kind (objects: of the same object kind).
fn need_name(kind: EntityKind, name: &str, taken: bool, refused: &mut Vec<Refusal>) {
    if !well_formed(name) {
        refused.push(Refusal::InvalidName(kind, name.to_owned()));
    }
    if taken {
        refused.push(Refusal::DuplicateName(kind, name.to_owned()));
    }
}

/// The right sides of the links whose left side is `key`.
pub(crate) fn rights<L: Ord + Copy, R: Ord + Copy>(
    links: &BTreeSet<(L, R)>,
    key: L,
) -> BTreeSet<R> {
    links
        .iter()
        .filter(|&&(l, _)| l == key)
        .map(|&(_, r)| r)
        .collect()
}

/// The left sides of the links whose right side is `key`.
pub(crate) fn lefts<L: Ord + Copy, R: Ord + Copy>(links: &BTreeSet<(L, R)>, key: R) -> BTreeSet<L> {
    links
        .iter()
        .filter(|&&(_, r)| r == key)
        .map(|&(l, _)| l)
        .collect()
}

/// The fixed name of a built-in role.
pub(crate) fn role_name(role: BuiltinRole) -> &'static str {
    match role {
        BuiltinRole::Admin => "Admin",
        BuiltinRole::Supervisor => "Supervisor",
        BuiltinRole::Operator => "Operator",
    }
}
