//! DOMAIN rule 26: "Projects kept whole: [...] When one object uses another
//! (an autodialer dials a list through a SIP provider, with a call script
//! and a schedule), the product can record that reference. In enhanced
//! security: an object may use only objects that share a project with it;
//! removing an object from a project is refused if a reference would then
//! cross projects, and the refusal names the reference; deleting an object
//! that others use is refused, and the refusal names its users. A `preview`
//! reports which references a change would break."
//!
//! A reference is whole while the two objects share at least one project.

mod common;

use callgate::{Change, Company, Error, ObjectId, ObjectKind, Permissions, RoleId, SecurityMode};
use common::{Outsourcer, TestResult, add_object, add_user, refuse, refuse_as, set_mode};

/// The Outsourcer's two clients with an Acme campaign: an autodialer that
/// uses a list, a SIP provider and a schedule, all in Acme, and a Globex
/// list.
struct Campaign {
    o: Outsourcer,
    dialer: ObjectId,
    leads: ObjectId,
    trunk: ObjectId,
    hours: ObjectId,
    globex_leads: ObjectId,
}

impl Campaign {
    fn new() -> Result<Self, Error> {
        let mut o = Outsourcer::new()?;
        let acme = [o.acme];
        let dialer = add_object(&mut o.company, ObjectKind::Autodialer, "Spring", &acme)?;
        let leads = add_object(&mut o.company, ObjectKind::List, "Leads", &acme)?;
        let trunk = add_object(&mut o.company, ObjectKind::SipProvider, "Trunk", &acme)?;
        let hours = add_object(&mut o.company, ObjectKind::Schedule, "Hours", &acme)?;
        let globex_leads = add_object(
            &mut o.company,
            ObjectKind::List,
            "Globex leads",
            &[o.globex],
        )?;
        o.company.apply(Change::SetObjectReferences {
            object: dialer,
            uses: vec![trunk, leads, hours],
        })?;
        Ok(Self {
            o,
            dialer,
            leads,
            trunk,
            hours,
            globex_leads,
        })
    }
}

fn uses(company: &Company, object: ObjectId) -> Vec<ObjectId> {
    company
        .object(object)
        .map_or_else(Vec::new, |o| o.uses().collect())
}

fn used_by(company: &Company, object: ObjectId) -> Vec<ObjectId> {
    company
        .object(object)
        .map_or_else(Vec::new, |o| o.used_by().collect())
}

#[test]
fn rule_26_a_reference_is_recorded_and_read_from_both_ends() -> TestResult {
    let mut c = Campaign::new()?;
    let (dialer, leads, trunk, hours) = (c.dialer, c.leads, c.trunk, c.hours);
    assert_eq!(uses(&c.o.company, dialer), [leads, trunk, hours]);
    assert_eq!(used_by(&c.o.company, leads), [dialer]);
    assert_eq!(used_by(&c.o.company, dialer), []);

    // A new list replaces the old one; one listed twice is recorded once.
    let report = c.o.company.apply(Change::SetObjectReferences {
        object: dialer,
        uses: vec![hours, leads, hours],
    })?;
    assert!(report.affected_users.is_empty(), "no one's rights change");
    assert_eq!(uses(&c.o.company, dialer), [leads, hours]);
    assert_eq!(used_by(&c.o.company, trunk), []);

    // An empty list clears them.
    c.o.company.apply(Change::SetObjectReferences {
        object: dialer,
        uses: vec![],
    })?;
    assert_eq!(uses(&c.o.company, dialer), []);
    assert_eq!(used_by(&c.o.company, leads), []);
    Ok(())
}

#[test]
fn rule_26_a_reference_across_projects_is_refused_in_enhanced_mode() -> TestResult {
    let mut c = Campaign::new()?;
    let (dialer, leads, globex_leads) = (c.dialer, c.leads, c.globex_leads);
    let error = refuse(
        &mut c.o.company,
        Change::SetObjectReferences {
            object: dialer,
            uses: vec![leads, globex_leads],
        },
    );
    assert_eq!(
        error,
        Error::ReferenceCrossesProjects {
            reference: "autodialer `Spring` (id 2) uses list `Globex leads` (id 6)".into(),
            references: vec![(dialer, globex_leads)],
        }
    );
    assert_eq!(
        error.to_string(),
        "a reference would cross projects: autodialer `Spring` (id 2) uses list `Globex leads` (id 6), \
         but the two share no project"
    );
    assert_eq!(error.code(), "reference_crosses_projects");
    assert_eq!(error.category().http_status(), 409);
    assert_eq!(used_by(&c.o.company, globex_leads), []);

    // An object in no project shares none, even with another such object.
    let loose = c.o.company.create_object(ObjectKind::CallScript, "Loose")?;
    let error = refuse(
        &mut c.o.company,
        Change::SetObjectReferences {
            object: dialer,
            uses: vec![loose],
        },
    );
    assert!(matches!(error, Error::ReferenceCrossesProjects { .. }));
    Ok(())
}

#[test]
fn rule_26_a_reference_across_projects_is_allowed_in_simple_mode() -> TestResult {
    let mut c = Campaign::new()?;
    set_mode(&mut c.o.company, SecurityMode::Simple)?;
    let (dialer, globex_leads) = (c.dialer, c.globex_leads);
    c.o.company.apply(Change::SetObjectReferences {
        object: dialer,
        uses: vec![globex_leads],
    })?;
    assert_eq!(uses(&c.o.company, dialer), [globex_leads]);
    assert_eq!(used_by(&c.o.company, globex_leads), [dialer]);
    Ok(())
}

#[test]
fn rule_26_an_object_in_several_projects_may_use_the_objects_of_each() -> TestResult {
    let mut c = Campaign::new()?;
    let (acme, globex) = (c.o.acme, c.o.globex);
    let shared = add_object(
        &mut c.o.company,
        ObjectKind::DialogScenario,
        "Shared bot",
        &[acme, globex],
    )?;
    let (leads, globex_leads) = (c.leads, c.globex_leads);
    c.o.company.apply(Change::SetObjectReferences {
        object: shared,
        uses: vec![leads, globex_leads],
    })?;
    assert_eq!(uses(&c.o.company, shared), [leads, globex_leads]);
    Ok(())
}

#[test]
fn rule_26_an_object_cannot_use_itself_nor_an_unknown_object() -> TestResult {
    let mut c = Campaign::new()?;
    let dialer = c.dialer;
    let error = refuse(
        &mut c.o.company,
        Change::SetObjectReferences {
            object: dialer,
            uses: vec![dialer],
        },
    );
    assert_eq!(
        error.to_string(),
        "an object cannot use itself: autodialer `Spring` (id 2)"
    );
    assert_eq!(error.code(), "self_reference");
    let error = refuse(
        &mut c.o.company,
        Change::SetObjectReferences {
            object: dialer,
            uses: vec![ObjectId::new(99)],
        },
    );
    assert_eq!(error.to_string(), "unknown object id `99`");
    let error = refuse(
        &mut c.o.company,
        Change::SetObjectReferences {
            object: ObjectId::new(99),
            uses: vec![],
        },
    );
    assert_eq!(error.to_string(), "unknown object id `99`");
    Ok(())
}

#[test]
fn rule_26_removing_an_object_from_a_project_is_refused_naming_the_reference() -> TestResult {
    let mut c = Campaign::new()?;
    let (acme, globex) = (c.o.acme, c.o.globex);
    let (dialer, leads) = (c.dialer, c.leads);
    // The used object leaves...
    let error = refuse(
        &mut c.o.company,
        Change::RemoveProjectObjects {
            project: acme,
            objects: vec![leads],
        },
    );
    assert_eq!(
        error.to_string(),
        "a reference would cross projects: autodialer `Spring` (id 2) uses list `Leads` (id 3), \
         but the two share no project"
    );
    // ...or the one that uses it: every reference it has is named.
    let error = refuse(
        &mut c.o.company,
        Change::RemoveProjectObjects {
            project: acme,
            objects: vec![dialer],
        },
    );
    let Error::ReferenceCrossesProjects { references, .. } = &error else {
        panic!("{error}");
    };
    assert_eq!(references.len(), 3);
    assert!(
        error
            .to_string()
            .ends_with("share no project (and 2 more references)")
    );

    // Both leaving together leave no shared project either.
    refuse(
        &mut c.o.company,
        Change::RemoveProjectObjects {
            project: acme,
            objects: vec![dialer, leads],
        },
    );

    // While they share another project, the reference stays whole.
    for object in [dialer, leads] {
        c.o.company.apply(Change::AddProjectObjects {
            project: globex,
            objects: vec![object],
        })?;
    }
    c.o.company.apply(Change::RemoveProjectObjects {
        project: acme,
        objects: vec![leads],
    })?;
    assert_eq!(uses(&c.o.company, dialer)[0], leads);
    Ok(())
}

#[test]
fn rule_26_deleting_a_used_object_is_refused_naming_its_users() -> TestResult {
    let mut c = Campaign::new()?;
    let (acme, dialer, leads, hours) = (c.o.acme, c.dialer, c.leads, c.hours);
    let summer = add_object(&mut c.o.company, ObjectKind::Autodialer, "Summer", &[acme])?;
    c.o.company.apply(Change::SetObjectReferences {
        object: summer,
        uses: vec![leads],
    })?;
    let error = refuse(&mut c.o.company, Change::DeleteObject { object: leads });
    assert_eq!(
        error,
        Error::ObjectInUse {
            object: "list `Leads` (id 3)".into(),
            used_by: "autodialer `Spring` (id 2), autodialer `Summer` (id 7)".into(),
            used_by_ids: vec![dialer, summer],
        }
    );
    assert_eq!(
        error.to_string(),
        "cannot delete list `Leads` (id 3): it is used by autodialer `Spring` (id 2), \
         autodialer `Summer` (id 7); remove those references first"
    );
    assert_eq!(error.code(), "object_in_use");

    // In simple mode too.
    set_mode(&mut c.o.company, SecurityMode::Simple)?;
    refuse(&mut c.o.company, Change::DeleteObject { object: hours });

    // Deleting an object that uses others drops its own references.
    c.o.company.apply(Change::DeleteObject { object: dialer })?;
    assert_eq!(used_by(&c.o.company, leads), [summer]);
    assert_eq!(used_by(&c.o.company, hours), []);
    c.o.company.apply(Change::DeleteObject { object: hours })?;
    Ok(())
}

#[test]
fn rule_26_deleting_a_project_is_refused_when_a_reference_would_cross() -> TestResult {
    let mut c = Campaign::new()?;
    let (acme, globex, dialer, globex_leads) = (c.o.acme, c.o.globex, c.dialer, c.globex_leads);
    // The dialer also works for Globex, with Globex's list.
    c.o.company.apply(Change::AddProjectObjects {
        project: globex,
        objects: vec![dialer],
    })?;
    c.o.company.apply(Change::SetObjectReferences {
        object: dialer,
        uses: vec![c.leads, c.trunk, c.hours, globex_leads],
    })?;
    let error = refuse(&mut c.o.company, Change::DeleteProject { project: globex });
    assert_eq!(
        error,
        Error::ReferenceCrossesProjects {
            reference: "autodialer `Spring` (id 2) uses list `Globex leads` (id 6)".into(),
            references: vec![(dialer, globex_leads)],
        }
    );
    // Acme's references are all within Acme alone: deleting it breaks three.
    let error = refuse(&mut c.o.company, Change::DeleteProject { project: acme });
    let Error::ReferenceCrossesProjects { references, .. } = error else {
        panic!("{error}");
    };
    assert_eq!(references.len(), 3);

    // A project whose objects use nothing across it goes.
    let spare = c.o.company.create_project("Spare", "")?;
    c.o.company
        .apply(Change::DeleteProject { project: spare })?;
    Ok(())
}

#[test]
fn rule_26_switching_to_simple_keeps_references_and_switching_back_checks_them() -> TestResult {
    let mut c = Campaign::new()?;
    let (dialer, leads, globex_leads) = (c.dialer, c.leads, c.globex_leads);
    set_mode(&mut c.o.company, SecurityMode::Simple)?;
    assert_eq!(used_by(&c.o.company, leads), [dialer]);

    // In simple mode a reference may cross...
    c.o.company.apply(Change::SetObjectReferences {
        object: dialer,
        uses: vec![leads, globex_leads],
    })?;
    // ...but the switch back to enhanced is refused while it does.
    let error = refuse(
        &mut c.o.company,
        Change::SetSecurityMode {
            mode: SecurityMode::Enhanced,
        },
    );
    assert_eq!(
        error.to_string(),
        "a reference would cross projects: autodialer `Spring` (id 2) uses list `Globex leads` (id 6), \
         but the two share no project"
    );
    c.o.company.apply(Change::SetObjectReferences {
        object: dialer,
        uses: vec![leads],
    })?;
    set_mode(&mut c.o.company, SecurityMode::Enhanced)?;
    assert_eq!(uses(&c.o.company, dialer), [leads]);
    Ok(())
}

#[test]
fn rule_26_the_first_switch_to_enhanced_keeps_every_reference_whole() -> TestResult {
    let mut company = Company::new();
    company.create_user("ann")?;
    let acme = company.create_project("Acme", "")?;
    let globex = company.create_project("Globex", "")?;
    let dialer = add_object(&mut company, ObjectKind::Autodialer, "Spring", &[acme])?;
    let list = add_object(&mut company, ObjectKind::List, "Leads", &[globex])?;
    let loose = company.create_object(ObjectKind::CallScript, "Loose")?;
    company.apply(Change::SetObjectReferences {
        object: dialer,
        uses: vec![list, loose],
    })?;
    // Every object joins Default, so every reference shares it.
    set_mode(&mut company, SecurityMode::Enhanced)?;
    let default = company.default_project().ok_or("Default is made")?;
    assert_eq!(uses(&company, dialer), [list, loose]);
    // Default holds them together: leaving it would break them.
    let error = refuse(
        &mut company,
        Change::RemoveProjectObjects {
            project: default,
            objects: vec![list],
        },
    );
    assert!(matches!(error, Error::ReferenceCrossesProjects { .. }));
    Ok(())
}

#[test]
fn rule_26_preview_reports_every_broken_reference_and_changes_nothing() -> TestResult {
    let c = Campaign::new()?;
    let (acme, dialer, leads, trunk, hours) = (c.o.acme, c.dialer, c.leads, c.trunk, c.hours);
    let before = c.o.company.to_document();
    let revision = c.o.company.revision();
    let change = Change::RemoveProjectObjects {
        project: acme,
        objects: vec![dialer],
    };
    let Err(Error::ReferenceCrossesProjects { references, .. }) = c.o.company.preview(change)
    else {
        panic!("the preview reports the break");
    };
    assert_eq!(
        references,
        [(dialer, leads), (dialer, trunk), (dialer, hours)]
    );
    let Err(Error::ObjectInUse { used_by_ids, .. }) =
        c.o.company.preview(Change::DeleteObject { object: trunk })
    else {
        panic!("the preview reports the users");
    };
    assert_eq!(used_by_ids, [dialer]);
    assert_eq!(c.o.company.to_document(), before);
    assert_eq!(c.o.company.revision(), revision);
    Ok(())
}

#[test]
fn rule_26_a_refused_change_leaves_the_company_exactly_as_it_was() -> TestResult {
    let mut c = Campaign::new()?;
    let acme = c.o.acme;
    let refused = [
        Change::SetObjectReferences {
            object: c.dialer,
            uses: vec![c.globex_leads],
        },
        Change::SetObjectReferences {
            object: c.dialer,
            uses: vec![c.leads, c.dialer],
        },
        Change::RemoveProjectObjects {
            project: acme,
            objects: vec![c.trunk],
        },
        Change::DeleteObject { object: c.hours },
        Change::DeleteProject { project: acme },
    ];
    let before = c.o.company.to_document();
    for change in refused {
        refuse(&mut c.o.company, change);
        assert_eq!(c.o.company.to_document(), before);
    }
    // And after a switch to simple, the switch back.
    set_mode(&mut c.o.company, SecurityMode::Simple)?;
    c.o.company.apply(Change::SetObjectReferences {
        object: c.globex_leads,
        uses: vec![c.trunk],
    })?;
    let before = c.o.company.to_document();
    refuse(
        &mut c.o.company,
        Change::SetSecurityMode {
            mode: SecurityMode::Enhanced,
        },
    );
    assert_eq!(c.o.company.to_document(), before);
    Ok(())
}

/// A campaign manager of Acme: manages autodialers and views lists,
/// company-wide, but sees only Acme.
fn campaign_manager(c: &mut Campaign) -> Result<callgate::Session, Error> {
    let acme = c.o.acme;
    let role = c.o.company.create_role(
        "Campaigns",
        "",
        Permissions::AUTODIALERS_MANAGE | Permissions::LISTS_VIEW,
    )?;
    let carl = add_user(&mut c.o.company, "carl", &[role], &[acme])?;
    c.o.company.login(carl)
}

#[test]
fn rule_26_recording_references_is_guarded() -> TestResult {
    let mut c = Campaign::new()?;
    let session = campaign_manager(&mut c)?;
    let (dialer, leads, globex_leads) = (c.dialer, c.leads, c.globex_leads);

    // The object's kind's manage permission governs its references.
    c.o.company.apply_as(
        &session,
        Change::SetObjectReferences {
            object: dialer,
            uses: vec![leads],
        },
    )?;
    let plan = c.o.company.plan_as(
        &session,
        Change::SetObjectReferences {
            object: dialer,
            uses: vec![],
        },
    )?;
    assert!(plan.entry().actor.is_some());

    // A list's references need `lists.manage`, which carl lacks.
    let error = refuse_as(
        &mut c.o.company,
        &session,
        Change::SetObjectReferences {
            object: leads,
            uses: vec![],
        },
    );
    assert_eq!(
        error.to_string(),
        "user `carl` may not record the objects an object uses: missing permission `lists.manage`"
    );

    // An object hidden from the actor does not exist for them, at either
    // end of the reference.
    let error = refuse_as(
        &mut c.o.company,
        &session,
        Change::SetObjectReferences {
            object: dialer,
            uses: vec![globex_leads],
        },
    );
    assert_eq!(error.to_string(), "unknown object id `6`");

    // An operator may not record any.
    let olga = add_user(&mut c.o.company, "olga", &[RoleId::OPERATOR], &[c.o.acme])?;
    let session = c.o.company.login(olga)?;
    let error = refuse_as(
        &mut c.o.company,
        &session,
        Change::SetObjectReferences {
            object: dialer,
            uses: vec![],
        },
    );
    assert!(matches!(error, Error::Forbidden { .. }));
    Ok(())
}

#[test]
fn rule_26_references_are_logged_and_replayed() -> TestResult {
    let mut c = Campaign::new()?;
    let mut replica = Company::from_document(c.o.company.to_document())?;
    let (dialer, leads) = (c.dialer, c.leads);
    let plan = c.o.company.plan(Change::SetObjectReferences {
        object: dialer,
        uses: vec![leads],
    })?;
    let entry = plan.entry().clone();
    assert_eq!(entry.change.op(), "set_object_references");
    let json = serde_json::to_string(&entry.change)?;
    assert_eq!(
        json,
        r#"{"op":"set_object_references","object":2,"uses":[3]}"#
    );
    c.o.company.commit(plan)?;
    let read: callgate::LogEntry = serde_json::from_str(&serde_json::to_string(&entry)?)?;
    replica.catch_up([read])?;
    assert_eq!(replica.to_document(), c.o.company.to_document());
    assert_eq!(uses(&replica, dialer), [leads]);
    Ok(())
}
