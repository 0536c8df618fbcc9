//! Checking the objects' references (DOMAIN rule 26): each to another
//! object of the document, sorted, each once, never the object itself,
//! and in enhanced mode to an object that shares a project with it.

use super::ids::Grouped;
use super::records::listed;
use super::{At, Loader, document_error};
use crate::document::Document;
use crate::{Error, PermissionFlags, ProjectId, SecurityMode};

impl<P: PermissionFlags> Loader<P> {
    /// Checks every object's `uses` (the projects are checked, so each
    /// object's projects are known) and notes who uses each object.
    ///
    /// Time: one pass over the references; in enhanced mode each is checked
    /// against the two objects' projects (few, sorted).
    pub(super) fn check_references(&mut self, document: &Document<P>) -> Result<(), Error> {
        let enhanced = document.mode == SecurityMode::Enhanced;
        let projects =
            enhanced.then(|| Grouped::new(document.objects.len(), &self.links.object_projects));
        let Self { objects, links, .. } = self;
        for (i, record) in document.objects.iter().enumerate() {
            let path = At::new("objects", i);
            let mut used = Vec::with_capacity(record.uses.len());
            listed(path, "uses", "object", &record.uses, objects, |position| {
                used.push(position);
                links.object_users.push((position, record.id));
            })?;
            for (j, (&id, position)) in record.uses.iter().zip(used).enumerate() {
                let at = path.item("uses", j);
                if id == record.id {
                    return Err(document_error(
                        at.to_string(),
                        format_args!("object id `{id}` cannot use itself"),
                    ));
                }
                let crosses = projects.as_ref().is_some_and(|projects| {
                    !share_one(projects.of(i), projects.of(position as usize))
                });
                if crosses {
                    return Err(document_error(
                        at.to_string(),
                        format_args!(
                            "object id `{id}` shares no project with object id `{}`: \
                             in enhanced mode a reference stays within a project",
                            record.id
                        ),
                    ));
                }
            }
        }
        Ok(())
    }
}

/// Whether two sorted lists of projects have one in common.
fn share_one(first: &[ProjectId], second: &[ProjectId]) -> bool {
    first
        .iter()
        .any(|project| second.binary_search(project).is_ok())
}
