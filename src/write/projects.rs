//! Planning changes to projects, objects and the security mode.

use super::delta::{Delta, Edit, NewRecord, Removed};
use super::distinct;
use crate::catalog::Kind;
use crate::company::links::Link;
use crate::company::validate::{check_name, duplicate};
use crate::company::{Company, DEFAULT_PROJECT_NAME};
use crate::{
    EntityKind, Error, Object, ObjectId, PermissionFlags, Principal, Project, ProjectId,
    SecurityMode,
};

impl<P: PermissionFlags> Company<P> {
    pub(super) fn plan_mode(&self, mode: SecurityMode) -> Result<Delta<P>, Error> {
        let mut delta = Delta {
            edits: vec![Edit::Mode(mode)],
            ..Delta::default()
        };
        if mode != SecurityMode::Enhanced || self.default_project().is_some() {
            // DOMAIN rule 26: references recorded in simple mode are checked
            // again on the way back. (The first switch cannot break one: every
            // object joins Default.)
            if mode == SecurityMode::Enhanced && self.mode == SecurityMode::Simple {
                self.keep_whole_in_enhanced()?;
            }
            return Ok(delta);
        }
        // DOMAIN rule 11: the first switch makes Default with every user and
        // every object; rule 17: never again.
        if self.project_by_name(DEFAULT_PROJECT_NAME).is_some() {
            return Err(duplicate(
                EntityKind::Project,
                DEFAULT_PROJECT_NAME.to_owned(),
            ));
        }
        let id = ProjectId::new(self.next_id(EntityKind::Project)?);
        let description =
            "Every user and object that existed when enhanced security was first enabled";
        delta.create = Some(NewRecord::Project(
            id,
            Project::new(DEFAULT_PROJECT_NAME, description.to_owned()),
        ));
        delta.edits.push(Edit::DefaultProject(id));
        let users = self.users().map(|(user, _)| Link::UserProject(user, id));
        let objects = self
            .objects()
            .map(|(object, _)| Link::ObjectProject(object, id));
        delta
            .links
            .extend(users.chain(objects).map(|link| (link, true)));
        Ok(delta)
    }

    pub(super) fn plan_create_project(
        &self,
        name: &str,
        description: String,
        principals: &[Principal],
        objects: &[ObjectId],
    ) -> Result<Delta<P>, Error> {
        self.new_name(EntityKind::Project, name)?;
        self.check_principals(principals)?;
        self.check_objects(objects)?;
        let id = ProjectId::new(self.next_id(EntityKind::Project)?);
        let mut delta = Delta {
            create: Some(NewRecord::Project(id, Project::new(name, description))),
            ..Delta::default()
        };
        for principal in distinct(principals) {
            delta.links.push((Link::project(principal, id), true));
        }
        for object in distinct(objects) {
            delta.links.push((Link::ObjectProject(object, id), true));
        }
        Ok(delta)
    }

    pub(super) fn plan_edit_project(
        &self,
        project: ProjectId,
        name: Option<String>,
        description: Option<String>,
    ) -> Result<Delta<P>, Error> {
        self.live_project(project)?;
        if let Some(name) = &name {
            let owner = self.project_by_name(name);
            self.rename_check(EntityKind::Project, name, owner, project)?;
            if owner.is_none() && Some(project) == self.default_project() {
                return Err(Error::DefaultProject { action: "renamed" });
            }
        }
        let mut delta = Delta::default();
        delta
            .edits
            .extend(name.map(|name| Edit::RenameProject(project, name)));
        delta
            .edits
            .extend(description.map(|description| Edit::ProjectDescription(project, description)));
        Ok(delta)
    }

    pub(super) fn plan_delete_project(&self, project: ProjectId) -> Result<Delta<P>, Error> {
        self.live_project(project)?;
        if Some(project) == self.default_project() {
            return Err(Error::DefaultProject { action: "deleted" });
        }
        self.keep_whole_without_project(project)?;
        let mut delta = Delta {
            delete: Some(Removed::Project(project)),
            ..Delta::default()
        };
        delta.unlink_all(self.project_links(project));
        Ok(delta)
    }

    pub(super) fn plan_project_objects(
        &self,
        project: ProjectId,
        objects: &[ObjectId],
        present: bool,
    ) -> Result<Delta<P>, Error> {
        self.live_project(project)?;
        self.check_objects(objects)?;
        if !present {
            self.keep_whole_without(project, objects)?;
        }
        let mut delta = Delta::default();
        for object in distinct(objects) {
            delta.link(self, Link::ObjectProject(object, project), present);
        }
        Ok(delta)
    }

    pub(super) fn plan_create_object(
        &self,
        kind: P::Kind,
        name: &str,
        projects: &[ProjectId],
    ) -> Result<Delta<P>, Error> {
        check_name(EntityKind::Object, name)?;
        if kind.index() >= P::catalog().kinds().len() {
            return Err(Error::UnknownObjectKind {
                name: format!("{kind:?}"),
            });
        }
        if self.object_by_name(kind, name).is_some() {
            return Err(duplicate(EntityKind::Object, name.to_owned()));
        }
        self.check_projects(projects)?;
        let id = ObjectId::new(self.next_id(EntityKind::Object)?);
        let object = Object {
            kind,
            name: name.into(),
            projects: crate::short_set::ShortSet::new(),
            references: None,
        };
        let mut delta = Delta {
            create: Some(NewRecord::Object(id, object)),
            ..Delta::default()
        };
        for project in distinct(projects) {
            delta.links.push((Link::ObjectProject(id, project), true));
        }
        Ok(delta)
    }

    pub(super) fn plan_rename_object(
        &self,
        object: ObjectId,
        name: String,
    ) -> Result<Delta<P>, Error> {
        let kind = self.live_object(object)?.kind;
        let owner = self.object_by_name(kind, &name);
        self.rename_check(EntityKind::Object, &name, owner, object)?;
        Ok(Delta {
            edits: vec![Edit::RenameObject(object, name)],
            ..Delta::default()
        })
    }

    pub(super) fn plan_delete_object(&self, object: ObjectId) -> Result<Delta<P>, Error> {
        self.live_object(object)?;
        self.refuse_in_use(object)?;
        let mut delta = Delta {
            delete: Some(Removed::Object(object)),
            ..Delta::default()
        };
        delta.unlink_all(self.object_links(object));
        Ok(delta)
    }
}
