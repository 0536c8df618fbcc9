//! What the issues expect of the library beyond the numbered rules (deny by
//! default, all or nothing, errors that name the culprit, the read side...),
//! one module per expectation in the file named after it, in one test binary.
//!
//! `autotests = false` in `Cargo.toml`: a new test file is added here (or
//! given its own `[[test]]`), or it does not run.

// Each file includes the support modules it uses (`mod common;`), as it did
// when it was a binary of its own, so a support file is compiled once per
// file that uses it.
#![allow(clippy::duplicate_mod)]

#[path = "expected_all_or_nothing.rs"]
mod expected_all_or_nothing;

#[path = "expected_deny_by_default.rs"]
mod expected_deny_by_default;

#[path = "expected_dry_run.rs"]
mod expected_dry_run;

#[path = "expected_error_codes.rs"]
mod expected_error_codes;

#[path = "expected_errors_name_the_culprit.rs"]
mod expected_errors_name_the_culprit;

#[path = "expected_guarded_changes.rs"]
mod expected_guarded_changes;

#[path = "expected_guarded_overlaps.rs"]
mod expected_guarded_overlaps;

#[path = "expected_limits.rs"]
mod expected_limits;

#[path = "expected_no_escalation.rs"]
mod expected_no_escalation;

#[path = "expected_no_lockout.rs"]
mod expected_no_lockout;

#[cfg(feature = "serde")]
#[path = "expected_plan_then_commit.rs"]
mod expected_plan_then_commit;

#[path = "expected_policy_edges.rs"]
mod expected_policy_edges;

#[path = "expected_read_side.rs"]
mod expected_read_side;

#[path = "expected_tenants.rs"]
mod expected_tenants;

#[cfg(feature = "serde")]
#[path = "hostile_shapes.rs"]
mod hostile_shapes;

#[cfg(feature = "serde")]
#[path = "hostile_many_links_at_once.rs"]
mod hostile_many_links_at_once;

#[cfg(feature = "serde")]
#[path = "hostile_divergence.rs"]
mod hostile_divergence;

#[cfg(feature = "serde")]
#[path = "lowered_limits.rs"]
mod lowered_limits;

#[cfg(feature = "serde")]
#[path = "template_identity.rs"]
mod template_identity;
