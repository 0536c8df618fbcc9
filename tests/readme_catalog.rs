//! The guide's permission table (`docs/guide/catalog.md`) must list exactly
//! the catalog, in order.
//!
//! When this test fails, replace the table under "## Permission catalog" in
//! `docs/guide/catalog.md` with the one the failure message prints.

use callgate::CATALOG;

const README: &str = include_str!("../docs/guide/catalog.md");
const HEADER: &str = "| Name | Section | Description |";

/// The table as it should be, generated from `CATALOG`.
fn expected_table() -> String {
    let mut table = format!("{HEADER}\n|------|---------|-------------|\n");
    for info in CATALOG {
        table.push_str(&format!(
            "| `{}` | {} | {} |\n",
            info.name, info.section, info.description
        ));
    }
    table
}

/// The rows of the README's table: (name, section, description).
fn readme_rows() -> Vec<(String, String, String)> {
    README
        .lines()
        .skip_while(|line| line.trim() != HEADER)
        .skip(2) // the header and its separator
        .take_while(|line| line.trim_start().starts_with('|'))
        .map(|line| {
            let cells: Vec<String> = line
                .trim()
                .trim_matches('|')
                .split('|')
                .map(|cell| cell.trim().to_owned())
                .collect();
            let cell = |i: usize| cells.get(i).cloned().unwrap_or_default();
            (cell(0).trim_matches('`').to_owned(), cell(1), cell(2))
        })
        .collect()
}

#[test]
fn readme_table_matches_catalog() {
    let expected: Vec<(String, String, String)> = CATALOG
        .iter()
        .map(|info| {
            (
                info.name.to_owned(),
                info.section.to_owned(),
                info.description.to_owned(),
            )
        })
        .collect();
    assert!(
        README.lines().any(|line| line.trim() == HEADER),
        "docs/guide/catalog.md has no permission table; add this one:\n\n{}",
        expected_table()
    );
    assert!(
        readme_rows() == expected,
        "docs/guide/catalog.md's permission table differs from CATALOG; replace it with:\n\n{}",
        expected_table()
    );
}
