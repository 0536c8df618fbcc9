//! A change's name, as logs and traces give it.

use crate::{Change, PermissionFlags};

impl<P: PermissionFlags> Change<P> {
    /// The change's operation, as stored log entries name it (their `op`):
    /// `create_user`, `assign_project_role`, ... Traces and a host's own
    /// logs can name a change by it without writing the whole change.
    ///
    /// # Example
    ///
    /// ```
    /// use callgate::{Change, RoleId};
    ///
    /// let change: Change = Change::AssignRole { role: RoleId::SUPERVISOR, principals: vec![] };
    /// assert_eq!(change.op(), "assign_role");
    /// ```
    #[must_use]
    pub fn op(&self) -> &'static str {
        match self {
            Self::CreateUser { .. } => "create_user",
            Self::RenameUser { .. } => "rename_user",
            Self::DeleteUser { .. } => "delete_user",
            Self::CreateGroup { .. } => "create_group",
            Self::RenameGroup { .. } => "rename_group",
            Self::DeleteGroup { .. } => "delete_group",
            Self::AddGroupMembers { .. } => "add_group_members",
            Self::RemoveGroupMembers { .. } => "remove_group_members",
            Self::CreateRole { .. } => "create_role",
            Self::EditRole { .. } => "edit_role",
            Self::DeleteRole { .. } => "delete_role",
            Self::AssignRole { .. } => "assign_role",
            Self::UnassignRole { .. } => "unassign_role",
            Self::SetSectionAccess { .. } => "set_section_access",
            Self::SetSecurityMode { .. } => "set_security_mode",
            Self::CreateProject { .. } => "create_project",
            Self::EditProject { .. } => "edit_project",
            Self::DeleteProject { .. } => "delete_project",
            Self::AddProjectMembers { .. } => "add_project_members",
            Self::AssignProjectRole { .. } => "assign_project_role",
            Self::UnassignProjectRole { .. } => "unassign_project_role",
            Self::RemoveProjectMembers { .. } => "remove_project_members",
            Self::AddProjectObjects { .. } => "add_project_objects",
            Self::RemoveProjectObjects { .. } => "remove_project_objects",
            Self::CreateObject { .. } => "create_object",
            Self::RenameObject { .. } => "rename_object",
            Self::DeleteObject { .. } => "delete_object",
            Self::AssignRoleUntil { .. } => "assign_role_until",
            Self::AssignProjectRoleUntil { .. } => "assign_project_role_until",
            Self::ExpireGrants { .. } => "expire_grants",
            Self::SetObjectReferences { .. } => "set_object_references",
            Self::DeclareDutyConstraint { .. } => "declare_duty_constraint",
            Self::DropDutyConstraint { .. } => "drop_duty_constraint",
        }
    }
}
