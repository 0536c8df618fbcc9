//! Planning DOMAIN rule 26, projects kept whole: the objects an object
//! uses, and the changes that would break those references.
//!
//! A reference is *whole* while the two objects share at least one project
//! (an object in several projects may use any object of any of them). In
//! enhanced mode every reference is whole: recording one that is not, or a
//! change that would leave one crossing (objects taken out of a project, a
//! project deleted, the switch back to enhanced), is refused with every
//! reference it would break. Deleting an object that others use is refused
//! in both modes.
//!
//! Cost: each check reads the references of the objects the change
//! touches, found through their own `uses` and `used_by` lists, never by a
//! scan of the company; only the switch back to enhanced mode, which
//! concerns every object, reads them all.

use super::delta::Delta;
use crate::company::links::Link;
use crate::company::{Company, sorted};
use crate::{Error, ObjectId, PermissionFlags, ProjectId, SecurityMode};

impl<P: PermissionFlags> Company<P> {
    /// Plans [`Change::SetObjectReferences`](crate::Change::SetObjectReferences):
    /// the links that take `object` from the objects it uses now to `uses`.
    pub(super) fn plan_object_references(
        &self,
        object: ObjectId,
        uses: &[ObjectId],
    ) -> Result<Delta<P>, Error> {
        let record = self.live_object(object)?;
        self.check_objects(uses)?;
        if uses.contains(&object) {
            return Err(Error::SelfReference {
                object: self.object_label(object),
            });
        }
        let wanted = sorted(uses.to_vec());
        if self.mode == SecurityMode::Enhanced {
            let crossing: Vec<(ObjectId, ObjectId)> = wanted
                .iter()
                .filter(|&&used| !self.share_project(object, used, |_, _| false))
                .map(|&used| (object, used))
                .collect();
            if !crossing.is_empty() {
                return Err(self.crossing(crossing));
            }
        }
        let held = record.uses_list();
        let mut delta = Delta::default();
        let dropped = held
            .iter()
            .filter(|used| wanted.binary_search(used).is_err());
        delta
            .links
            .extend(dropped.map(|&used| (Link::ObjectUses(object, used), false)));
        let added = wanted
            .iter()
            .filter(|used| held.binary_search(used).is_err());
        delta
            .links
            .extend(added.map(|&used| (Link::ObjectUses(object, used), true)));
        Ok(delta)
    }

    /// In enhanced mode, refuses taking `objects` out of `project` if a
    /// reference of theirs would then cross projects.
    pub(super) fn keep_whole_without(
        &self,
        project: ProjectId,
        objects: &[ObjectId],
    ) -> Result<(), Error> {
        if self.mode != SecurityMode::Enhanced {
            return Ok(());
        }
        let leaving = sorted(objects.to_vec());
        let leaves = |object: ObjectId, from: ProjectId| {
            from == project && leaving.binary_search(&object).is_ok()
        };
        self.refuse_crossing(self.crossing_after(leaving.iter().copied(), leaves))
    }

    /// In enhanced mode, refuses deleting `project` if a reference between
    /// its objects and others would then cross projects.
    pub(super) fn keep_whole_without_project(&self, project: ProjectId) -> Result<(), Error> {
        if self.mode != SecurityMode::Enhanced {
            return Ok(());
        }
        let Some(record) = self.project(project) else {
            return Ok(());
        };
        let objects = record.objects.iter().copied();
        self.refuse_crossing(self.crossing_after(objects, |_, from| from == project))
    }

    /// Refuses the switch back to enhanced mode (from simple, with the
    /// projects already made) while a reference recorded in simple mode
    /// crosses projects. Reads every object's references.
    pub(super) fn keep_whole_in_enhanced(&self) -> Result<(), Error> {
        let crossing = self
            .objects()
            .flat_map(|(object, record)| record.uses_list().iter().map(move |&used| (object, used)))
            .filter(|&(object, used)| !self.share_project(object, used, |_, _| false))
            .collect();
        self.refuse_crossing(crossing)
    }

    /// Refuses deleting `object` while other objects use it (in either
    /// mode), naming them all.
    pub(super) fn refuse_in_use(&self, object: ObjectId) -> Result<(), Error> {
        let Some(record) = self.object(object) else {
            return Ok(());
        };
        if record.used_by_list().is_empty() {
            return Ok(());
        }
        let used_by_ids: Vec<ObjectId> = record.used_by_list().to_vec();
        let used_by = used_by_ids
            .iter()
            .map(|&user| self.object_label(user))
            .collect::<Vec<_>>()
            .join(", ");
        Err(Error::ObjectInUse {
            object: self.object_label(object),
            used_by,
            used_by_ids,
        })
    }

    /// The references of `objects` (those they use and those that use
    /// them) that would cross projects once every object `o` has left each
    /// project `p` for which `leaves(o, p)`. Sorted, each once.
    fn crossing_after(
        &self,
        objects: impl Iterator<Item = ObjectId>,
        leaves: impl Fn(ObjectId, ProjectId) -> bool + Copy,
    ) -> Vec<(ObjectId, ObjectId)> {
        let mut crossing = Vec::new();
        for object in objects {
            let Some(record) = self.object(object) else {
                continue;
            };
            let uses = record.uses_list().iter().map(|&used| (object, used));
            let used_by = record.used_by_list().iter().map(|&user| (user, object));
            crossing.extend(
                uses.chain(used_by)
                    .filter(|&(user, used)| !self.share_project(user, used, leaves)),
            );
        }
        sorted(crossing)
    }

    /// Whether objects `a` and `b` share a project once each object `o`
    /// has left each project `p` for which `leaves(o, p)`.
    fn share_project(
        &self,
        a: ObjectId,
        b: ObjectId,
        leaves: impl Fn(ObjectId, ProjectId) -> bool,
    ) -> bool {
        let (Some(first), Some(second)) = (self.object(a), self.object(b)) else {
            return false;
        };
        first.projects.iter().any(|&project| {
            second.projects.contains(&project) && !leaves(a, project) && !leaves(b, project)
        })
    }

    fn refuse_crossing(&self, crossing: Vec<(ObjectId, ObjectId)>) -> Result<(), Error> {
        if crossing.is_empty() {
            Ok(())
        } else {
            Err(self.crossing(crossing))
        }
    }

    /// The refusal of `references` (at least one), the first named.
    fn crossing(&self, references: Vec<(ObjectId, ObjectId)>) -> Error {
        let reference = references
            .first()
            .map_or_else(String::new, |&(user, used)| {
                format!(
                    "{} uses {}",
                    self.object_label(user),
                    self.object_label(used)
                )
            });
        Error::ReferenceCrossesProjects {
            reference,
            references,
        }
    }

    /// An object in words, by kind, name and id: ``list `Leads` (id 5)``.
    pub(crate) fn object_label(&self, object: ObjectId) -> String {
        match self.object(object) {
            Some(record) => format!(
                "{} `{}` (id {})",
                crate::kind_label::<P>(record.kind),
                record.name,
                object.get()
            ),
            None => format!("object id {}", object.get()),
        }
    }
}
