//! The largest catalog the issue asks for works end to end: 128 permissions
//! (a `u128` word, every bit used) and 32 kinds of scoped object.

use std::sync::OnceLock;

use callgate::{
    Catalog, Change, Company, Decision, Definition, DenyReason, Holds, Kind, KindDef, MAX_KINDS,
    MAX_PERMISSIONS, PermissionDef, PermissionFlags, Resource, SecurityMode,
};

/// A flags type over every bit of a `u128`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
struct Wide(u128);

/// One of 32 kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct WideKind(u8);

impl Kind for WideKind {
    fn index(self) -> usize {
        usize::from(self.0)
    }
    fn from_index(index: usize) -> Option<Self> {
        u8::try_from(index)
            .ok()
            .filter(|&k| usize::from(k) < MAX_KINDS)
            .map(Self)
    }
}

const REQUIRED: [&str; 8] = [
    "users.manage",
    "groups.manage",
    "roles.manage",
    "roles.test",
    "projects.view",
    "projects.manage",
    "projects.all",
    "security.manage",
];

/// Bits 0-7: what the library needs; bits 8-127: one verb per bit, spread
/// over the 32 kinds (`kind_K.verb_B` applies to kind `K = B % 32`).
fn catalog() -> &'static Catalog<u128> {
    static CATALOG: OnceLock<Catalog<u128>> = OnceLock::new();
    CATALOG.get_or_init(|| {
        let leak = |text: String| -> &'static str { Box::leak(text.into_boxed_str()) };
        let kinds: Vec<KindDef> = (0..MAX_KINDS)
            .map(|k| {
                let name = leak(format!("kind_{k}"));
                KindDef::new(name, name, "projects.manage")
            })
            .collect();
        let kinds: &'static [KindDef] = Vec::leak(kinds);
        let mut permissions: Vec<PermissionDef> = REQUIRED
            .iter()
            .zip(0..)
            .map(|(&name, bit)| PermissionDef::new(bit, name, "Administration"))
            .collect();
        for bit in 8..u32::try_from(MAX_PERMISSIONS).unwrap_or(128) {
            let kind: &'static [&'static str] =
                Vec::leak(vec![kinds[bit as usize % MAX_KINDS].name()]);
            let name = leak(format!(
                "{}.verb_{bit}",
                kinds[bit as usize % MAX_KINDS].name()
            ));
            permissions.push(PermissionDef::new(bit, name, "Objects").on_kinds(kind));
        }
        let definition = Definition::new("widest", 1)
            .sections(&["Administration", "Objects"])
            .permissions(Vec::leak(permissions))
            .kinds(kinds)
            .supervisor(Holds::AllExcept {
                sections: &["Administration"],
                permissions: &[],
            });
        Catalog::new(definition).expect("128 permissions and 32 kinds are supported")
    })
}

impl PermissionFlags for Wide {
    type Word = u128;
    type Kind = WideKind;
    fn catalog() -> &'static Catalog<u128> {
        catalog()
    }
    fn to_word(self) -> u128 {
        self.0
    }
    fn from_word(word: u128) -> Self {
        Self(word)
    }
}

#[test]
fn a_catalog_of_128_permissions_and_32_kinds_checks_every_bit()
-> Result<(), Box<dyn std::error::Error>> {
    assert_eq!(catalog().permissions().len(), MAX_PERMISSIONS);
    assert_eq!(catalog().kinds().len(), MAX_KINDS);

    let mut company = Company::<Wide>::with_catalog();
    let _admin = company.create_user("ann")?;
    let sue = company.create_user("sue")?;
    let top = Wide(1 << 127); // kind_31.verb_127
    let role = company.create_role("Top verb", "", top)?;
    company.apply(Change::AssignRole {
        role,
        principals: vec![sue.into()],
    })?;
    company.apply(Change::SetSecurityMode {
        mode: SecurityMode::Enhanced,
    })?;
    let last_kind = company.create_object(WideKind(31), "last")?;
    let first_kind = company.create_object(WideKind(0), "first")?;
    let project = company.create_project("P", "")?;
    company.apply(Change::AddProjectMembers {
        project,
        principals: vec![sue.into()],
        roles: vec![],
    })?;
    company.apply(Change::AddProjectObjects {
        project,
        objects: vec![last_kind, first_kind],
    })?;

    assert_eq!(
        company.check(sue, top, Resource::Object(last_kind)),
        Decision::Allow
    );
    assert_eq!(
        company.check(sue, top, Resource::Object(first_kind)),
        Decision::Deny(DenyReason::NotApplicable)
    );
    assert_eq!(
        company.check(sue, Wide(1 << 126), Resource::Object(last_kind)),
        Decision::Deny(DenyReason::NotApplicable)
    );
    assert_eq!(
        company.check(sue, Wide(1 << 95), Resource::Object(last_kind)),
        Decision::Deny(DenyReason::MissingPermission)
    );
    assert_eq!(
        company
            .allowed_objects(sue, top, WideKind(31))?
            .collect::<Vec<_>>(),
        vec![last_kind]
    );
    assert_eq!(callgate::names(top).to_string(), "kind_31.verb_127");

    // The supervisor holds every verb, none of the administration.
    let supervisor = company
        .role(callgate::RoleId::SUPERVISOR)
        .ok_or("built in")?;
    assert_eq!(supervisor.permissions(), Wide(u128::MAX << 8));

    // Stored and loaded back, with every bit's name.
    #[cfg(feature = "serde")]
    {
        let json = serde_json::to_string(&company.to_document())?;
        let loaded = Company::<Wide>::load_for(&mut serde_json::Deserializer::from_str(&json))?;
        assert_eq!(loaded.to_document(), company.to_document());
        assert!(json.contains("\"kind_31\""));
    }
    Ok(())
}
