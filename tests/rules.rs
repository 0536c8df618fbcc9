//! One test module per rule of `../shared/DOMAIN.md`, each in the file named after
//! its rule, gathered into one test binary (one link instead of one per rule).
//!
//! `autotests = false` in `Cargo.toml`: a new test file is added here (or
//! given its own `[[test]]`), or it does not run.

// Each file includes the support modules it uses (`mod common;`), as it did
// when it was a binary of its own, so a support file is compiled once per
// file that uses it.
#![allow(clippy::duplicate_mod)]

#[path = "rule_01_roles_are_unions.rs"]
mod rule_01_roles_are_unions;

#[path = "rule_02_builtin_roles.rs"]
mod rule_02_builtin_roles;

#[path = "rule_03_first_user_is_admin.rs"]
mod rule_03_first_user_is_admin;

#[path = "rule_04_bulk_assignment.rs"]
mod rule_04_bulk_assignment;

#[path = "rule_05_custom_roles.rs"]
mod rule_05_custom_roles;

#[path = "rule_06_section_access.rs"]
mod rule_06_section_access;

#[path = "rule_07_changes_take_effect_and_put_users_offline.rs"]
mod rule_07_changes_take_effect_and_put_users_offline;

#[path = "rule_08_role_testing.rs"]
mod rule_08_role_testing;

#[path = "rule_09_testing_is_guarded_and_audited.rs"]
mod rule_09_testing_is_guarded_and_audited;

#[path = "rule_10_security_modes.rs"]
mod rule_10_security_modes;

#[path = "rule_11_default_project.rs"]
mod rule_11_default_project;

#[path = "rule_12_projects_hide_objects.rs"]
mod rule_12_projects_hide_objects;

#[path = "rule_13_default_membership_stays.rs"]
mod rule_13_default_membership_stays;

#[path = "rule_14_membership_applies_at_once.rs"]
mod rule_14_membership_applies_at_once;

#[path = "rule_15_roles_apply_inside_projects.rs"]
mod rule_15_roles_apply_inside_projects;

#[path = "rule_16_all_projects.rs"]
mod rule_16_all_projects;

#[path = "rule_17_unscoped_objects_and_switching_back.rs"]
mod rule_17_unscoped_objects_and_switching_back;

#[path = "rule_18_a_product_declares_its_catalog.rs"]
mod rule_18_a_product_declares_its_catalog;

#[path = "rule_19_everything_uses_the_products_catalog.rs"]
mod rule_19_everything_uses_the_products_catalog;

#[path = "rule_20_roles_within_a_project.rs"]
mod rule_20_roles_within_a_project;

#[path = "rule_21_roles_within_projects_add_to_company_roles.rs"]
mod rule_21_roles_within_projects_add_to_company_roles;

#[path = "rule_22_no_escalation_within_a_project.rs"]
mod rule_22_no_escalation_within_a_project;

#[path = "rule_23_put_offline_reaches_holders_within_projects.rs"]
mod rule_23_put_offline_reaches_holders_within_projects;

#[path = "rule_24_grants_with_an_end.rs"]
mod rule_24_grants_with_an_end;

#[path = "rule_25_separation_of_duties.rs"]
mod rule_25_separation_of_duties;
#[path = "rule_26_projects_kept_whole.rs"]
mod rule_26_projects_kept_whole;
