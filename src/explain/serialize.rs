//! `Serialize` for [`Explanation`] and [`DecisionRecord`], by names.

use serde::ser::{SerializeStruct, SerializeStructVariant};
use serde::{Serialize, Serializer};

use super::{DecisionRecord, Explanation, Grant, Lookup, Question, Reach};
use crate::catalog::serde_names::AsNames;
use crate::{Company, Decision, PermissionFlags};

/// Writes the question's fields: `decision`, `user`, `testing` (only in a
/// testing session), `action` and `resource`.
fn question_fields<P: PermissionFlags, S: SerializeStruct>(
    out: &mut S,
    company: &Company<P>,
    question: &Question<P>,
    decision: Decision,
) -> Result<(), S::Error> {
    let (user, role) = question.asker_names(company, decision);
    out.serialize_field("decision", &decision)?;
    out.serialize_field("user", &user)?;
    match question.testing {
        Some(_) => out.serialize_field("testing", &role)?,
        None => out.skip_field("testing")?,
    }
    out.serialize_field("action", &AsNames(question.action))?;
    out.serialize_field("resource", &company.resource_name(question.resource))
}

/// The number of fields [`question_fields`] writes.
fn question_len<P>(question: &Question<P>) -> usize {
    4 + usize::from(question.testing.is_some())
}

/// By names: see "As JSON" in [`Explanation`]'s documentation.
///
/// # Example
///
/// ```
/// use callgate::{Company, Permissions, Resource};
///
/// let mut company = Company::new();
/// let ann = company.create_user("ann")?;
/// let why = company.explain(ann, Permissions::ROLES_MANAGE, Resource::Company);
/// assert_eq!(
///     serde_json::to_value(&why)?,
///     serde_json::json!({
///         "decision": "allow",
///         "user": "ann",
///         "action": ["roles.manage"],
///         "resource": "company",
///         "grants": [{ "role": "Admin", "granted": ["roles.manage"] }],
///         "missing": [],
///         "reach": "not_scoped",
///     }),
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
impl<P: PermissionFlags> Serialize for Explanation<'_, P> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let names = Lookup(self.company);
        let len = question_len(&self.question) + 3;
        let mut out = serializer.serialize_struct("Explanation", len)?;
        question_fields(&mut out, self.company, &self.question, self.decision)?;
        out.serialize_field("grants", &Named(&self.grants, names))?;
        out.serialize_field("missing", &AsNames(self.missing()))?;
        out.serialize_field("reach", &Named(&self.reach, names))?;
        out.end()
    }
}

/// `{"decision", "user", "testing", "action", "resource"}`, as the first
/// fields of an [`Explanation`]: see "As JSON" in its documentation.
///
/// # Example
///
/// ```
/// use callgate::{Company, Permissions, Resource, SessionDecision, UserId};
///
/// let company = Company::new();
/// let ghost = UserId::new(7);
/// let checked = company.check(ghost, Permissions::KPI_VIEW, Resource::Company);
/// let decision = SessionDecision::new(checked, ghost, None);
/// let record = company.describe_decision(decision, Permissions::KPI_VIEW, Resource::Company);
/// assert_eq!(
///     serde_json::to_string(&record)?,
///     r#"{"decision":{"deny":"unknown_user"},"user":null,"action":["kpi.view"],"resource":"company"}"#,
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
impl<P: PermissionFlags> Serialize for DecisionRecord<'_, P> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let len = question_len(&self.question);
        let mut out = serializer.serialize_struct("DecisionRecord", len)?;
        question_fields(&mut out, self.company, &self.question, self.decision)?;
        out.end()
    }
}

/// A grant or a reach with the company's names.
struct Named<'a, 'c, T, P: PermissionFlags>(&'a T, Lookup<'c, P>);

/// The grants, in order.
impl<P: PermissionFlags> Serialize for Named<'_, '_, Vec<Grant<P>>, P> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Self(grants, names) = *self;
        serializer.collect_seq(grants.iter().map(|grant| Named(grant, names)))
    }
}

/// `{"role", "via"?, "project"?, "granted", "until"?}`.
impl<P: PermissionFlags> Serialize for Named<'_, '_, Grant<P>, P> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Self(grant, names) = *self;
        let len = 2
            + usize::from(grant.via.is_some())
            + usize::from(grant.project.is_some())
            + usize::from(grant.until.is_some());
        let mut out = serializer.serialize_struct("Grant", len)?;
        out.serialize_field("role", &names.role(grant.role))?;
        match grant.via {
            Some(group) => out.serialize_field("via", &names.group(group))?,
            None => out.skip_field("via")?,
        }
        match grant.project {
            Some(project) => out.serialize_field("project", &names.project(project))?,
            None => out.skip_field("project")?,
        }
        out.serialize_field("granted", &AsNames(grant.granted))?;
        match grant.until {
            Some(until) => out.serialize_field("until", &until)?,
            None => out.skip_field("until")?,
        }
        out.end()
    }
}

/// `"hidden"`, or `{"project": {"name", "via"?}}`.
impl<P: PermissionFlags> Serialize for Named<'_, '_, Reach, P> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Self(reach, names) = *self;
        let (index, variant) = match reach {
            Reach::NotScoped => (0, "not_scoped"),
            Reach::SimpleMode => (1, "simple_mode"),
            Reach::AllProjects => (2, "all_projects"),
            Reach::Project { project, via } => {
                let len = 1 + usize::from(via.is_some());
                let mut out = serializer.serialize_struct_variant("Reach", 3, "project", len)?;
                out.serialize_field("name", &names.project(*project))?;
                match via {
                    Some(group) => out.serialize_field("via", &names.group(*group))?,
                    None => out.skip_field("via")?,
                }
                return out.end();
            }
            Reach::Hidden => (4, "hidden"),
            Reach::NotReached => (5, "not_reached"),
        };
        serializer.serialize_unit_variant("Reach", index, variant)
    }
}
