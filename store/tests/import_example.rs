//! A database of the SQLite example (0.1's era without company ids, and
//! 0.2's with them) taken into the store's tables as a tenant.

use callgate::{Change, Company, CompanyId, RoleId};
use callgate_store::Store as _;
use callgate_store::{SqliteStore, StoreError, Writer};
use rusqlite::{Connection, params};

/// The example's tables, with or without the `company` column.
fn example_tables(conn: &Connection, with_company: bool) {
    let company = if with_company {
        "company TEXT NOT NULL,"
    } else {
        ""
    };
    conn.execute_batch(&format!(
        "CREATE TABLE change_log (revision INTEGER PRIMARY KEY CHECK (revision >= 0), {company}
             change TEXT NOT NULL, actor TEXT, context TEXT NOT NULL) STRICT;
         CREATE TABLE checkpoint (id INTEGER PRIMARY KEY CHECK (id = 1),
             revision INTEGER NOT NULL, document TEXT NOT NULL) STRICT;"
    ))
    .expect("the example's tables");
}

/// A company built by six changes, written to the example's tables the way
/// the example did: a checkpoint at revision 3, and every row.
fn example_file(path: &std::path::Path, with_company: bool) -> Company {
    let conn = Connection::open(path).expect("opens");
    example_tables(&conn, with_company);
    let mut company = Company::new().with_id(CompanyId::new(0xabc));
    let user = |name: &str| Change::CreateUser {
        name: name.into(),
        roles: vec![],
        groups: vec![],
        projects: vec![],
    };
    let changes = [
        user("ann"),
        user("bob"),
        Change::AssignRole {
            role: RoleId::OPERATOR,
            principals: vec![],
        },
        user("cid"),
        Change::CreateGroup {
            name: "Night".into(),
            members: vec![],
        },
        user("dee"),
    ];
    for change in changes {
        if company.revision() == 3 {
            let mut document = serde_json::to_value(company.to_document()).expect("encodes");
            if !with_company {
                document
                    .as_object_mut()
                    .expect("an object")
                    .remove("company");
            }
            conn.execute(
                "INSERT INTO checkpoint (id, revision, document) VALUES (1, 3, ?1)",
                [document.to_string()],
            )
            .expect("stored");
        }
        let plan = company.plan(change).expect("planned");
        let entry = plan.entry().clone();
        let (change, context) = (
            serde_json::to_string(&entry.change).expect("encodes"),
            serde_json::to_string(&entry.context).expect("encodes"),
        );
        if with_company {
            conn.execute(
                "INSERT INTO change_log (revision, company, change, context) VALUES (?1, ?2, ?3, ?4)",
                params![entry.revision, entry.company.to_string(), change, context],
            )
        } else {
            conn.execute(
                "INSERT INTO change_log (revision, change, context) VALUES (?1, ?2, ?3)",
                params![entry.revision, change, context],
            )
        }
        .expect("stored");
        company.commit(plan).expect("committed");
    }
    company
}

/// The company's document, without its chain: the example's file stored
/// each change, not its entry, so the imported entries name no digest and
/// the replayed company does not know its chain until its next change.
fn document(company: &Company) -> String {
    let mut document = company.to_document();
    document.chain = None;
    serde_json::to_string(&document).expect("encodes")
}

#[test]
fn a_file_of_the_0_2_example_becomes_a_tenant_with_its_own_company() {
    let dir = tempfile::tempdir().expect("a folder");
    let path = dir.path().join("example.db");
    let source = example_file(&path, true);
    let mut store = SqliteStore::open(&path).expect("opens");
    let imported = store.import_example("acme", None).expect("imported");
    assert_eq!(
        (imported.company, imported.checkpoint, imported.entries),
        (source.id(), 3, 6)
    );

    let writer = Writer::open_existing(SqliteStore::open(&path).expect("opens"), "acme")
        .expect("the tenant replays");
    assert_eq!(document(writer.company()), document(&source));
}

#[test]
fn a_file_of_the_example_without_company_ids_takes_the_id_it_is_given() {
    let dir = tempfile::tempdir().expect("a folder");
    let path = dir.path().join("example.db");
    let source = example_file(&path, false);
    let mut store = SqliteStore::open(&path).expect("opens");

    let error = store
        .import_example("acme", None)
        .expect_err("no id anywhere");
    assert!(
        error.to_string().contains("name no company: give its id"),
        "{error}"
    );
    assert!(
        store.company_of("acme").expect("reads").is_none(),
        "nothing imported"
    );

    store
        .import_example("acme", Some(source.id()))
        .expect("imported");
    let mut writer = Writer::open_existing(SqliteStore::open(&path).expect("opens"), "acme")
        .expect("the tenant replays");
    assert_eq!(document(writer.company()), document(&source));
    assert_eq!(writer.company().chain(), None);
    writer
        .apply(Change::CreateGroup {
            name: "Day".into(),
            members: vec![],
        })
        .expect("the tenant takes new changes");
    assert!(
        writer.company().chain().is_some(),
        "known from its own entry"
    );
}

#[test]
fn an_import_that_does_not_fit_imports_nothing() {
    let dir = tempfile::tempdir().expect("a folder");
    let path = dir.path().join("example.db");
    let source = example_file(&path, true);
    let mut store = SqliteStore::open(&path).expect("opens");

    let other = CompanyId::new(0xdef);
    let error = store
        .import_example("acme", Some(other))
        .expect_err("another company");
    assert!(
        matches!(
            error,
            StoreError::CorruptEntry {
                revision: 0,
                column: "company",
                ..
            }
        ),
        "{error}"
    );

    store.import_example("acme", None).expect("imported");
    let error = store.import_example("acme", None).expect_err("taken");
    assert!(matches!(error, StoreError::TenantTaken { stored, .. } if stored == source.id()));
    let rows = store.read_log(source.id(), 0, 100).expect("reads");
    assert_eq!(rows.len(), 6, "imported once");
}
