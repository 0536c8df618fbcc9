//! Two replicas of one company kept in step through a change log.
//!
//! A host runs callgate in several service replicas. Here both live in one
//! process: the *writer* takes administrators' changes and appends each one,
//! as JSON text, to a message log (a `Vec<String>` standing in for a
//! database table or a message topic); the *reader* starts from the stored
//! document and catches up from the log. A check "at least as fresh as
//! revision N" waits for (here: catches up to) that revision first.
//!
//! Run it with `cargo run --example replicas`.

use callgate::{
    Change, Company, Decision, Error, LogEntry, Permissions, Principal, Resource, RoleId,
};

/// One service replica: its own copy of the company. Its revision says how
/// far into the log it has read.
struct Replica {
    name: &'static str,
    company: Company,
}

impl Replica {
    /// Starts a replica from a stored document (JSON text).
    fn from_document(name: &'static str, json: &str) -> Result<Self, Error> {
        let company = Company::load(&mut serde_json::Deserializer::from_str(json))?;
        println!(
            "[{name}] loaded the stored document at revision {}",
            company.revision()
        );
        Ok(Self { name, company })
    }

    fn revision(&self) -> u64 {
        self.company.revision()
    }

    /// Applies a change made against `expected_revision` and appends it to
    /// the log. Returns the revision after it: the consistency token the
    /// writer hands back to whoever made the change.
    fn write(
        &mut self,
        log: &mut Vec<String>,
        expected_revision: u64,
        change: Change,
    ) -> Result<u64, Box<dyn std::error::Error>> {
        let actual = self.company.revision();
        if actual != expected_revision {
            // Someone saved in between: the admin decides again.
            let expected = expected_revision;
            return Err(Error::RevisionMismatch { expected, actual }.into());
        }
        // Plan (validates, changes nothing), log, then commit: only accepted
        // changes go to the log, in revision order, and a change is in the
        // log before anyone acts on it.
        let plan = self.company.plan(change)?;
        log.push(serde_json::to_string(plan.entry())?);
        let report = self.company.commit(plan)?;
        Ok(report.revision)
    }

    /// Reads the log and applies what this replica has not seen yet. A real
    /// host would only fetch entries `WHERE revision >= self.revision()`;
    /// `catch_up` also skips the ones already applied.
    fn catch_up(&mut self, log: &[String]) -> Result<usize, Box<dyn std::error::Error>> {
        let entries = log
            .iter()
            .map(|text| serde_json::from_str::<LogEntry>(text))
            .collect::<Result<Vec<_>, _>>()?;
        let applied = self.company.catch_up(&entries)?;
        println!(
            "[{}] caught up: {applied} change(s) applied, now at revision {}",
            self.name,
            self.revision()
        );
        Ok(applied)
    }

    /// Answers a check no staler than `token`: if this replica is behind
    /// the token, it catches up first (a real replica could also wait, or
    /// send the question to a fresher replica).
    fn check_at_least(
        &mut self,
        token: u64,
        log: &[String],
        question: (callgate::UserId, Permissions, Resource),
    ) -> Result<Decision, Box<dyn std::error::Error>> {
        if self.revision() < token {
            println!(
                "[{}] at revision {}, asked for at least {token}: catching up first",
                self.name,
                self.revision()
            );
            self.catch_up(log)?;
        }
        if self.revision() < token {
            return Err(format!("the log does not reach revision {token} yet").into());
        }
        let (user, action, resource) = question;
        Ok(self.company.check(user, action, resource))
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The writer sets up a company and stores its document, as a host
    // would in its own database.
    let mut company = Company::new();
    let ann = company.create_user("ann")?; // the first user: Admin
    let bob = company.create_user("bob")?;
    let stored = serde_json::to_string(&company.to_document())?;
    let mut writer = Replica {
        name: "writer",
        company,
    };
    println!(
        "[writer] stored the document at revision {} ({} bytes)",
        writer.revision(),
        stored.len()
    );
    let mut log: Vec<String> = Vec::new();

    // Another replica starts from the stored document.
    let mut reader = Replica::from_document("reader", &stored)?;

    // ann makes bob an operator; the writer hands back a token.
    let token = writer.write(
        &mut log,
        writer.revision(),
        Change::AssignRole {
            role: RoleId::OPERATOR,
            principals: vec![Principal::User(bob)],
        },
    )?;
    println!("[writer] bob is an Operator now; token: revision {token}");

    // bob's next page load lands on the reader. Asked without a token, the
    // reader would answer from its older revision and deny; with the token
    // it catches up first.
    let question = (bob, Permissions::CALL_JOURNAL_VIEW, Resource::Company);
    let stale = reader.company.check(question.0, question.1, question.2);
    println!(
        "[reader] may bob view the call journal? without the token, at revision {}: {stale}",
        reader.revision()
    );
    let fresh = reader.check_at_least(token, &log, question)?;
    println!("[reader] at least as fresh as revision {token}: {fresh}");

    // A check with an older token is answered at once.
    let answer =
        reader.check_at_least(1, &log, (ann, Permissions::ROLES_MANAGE, Resource::Company))?;
    println!("[reader] may ann manage roles (token 1, no wait)? {answer}");

    // Two administrators open the QA page at the same revision.
    let seen = writer.revision();
    writer.write(
        &mut log,
        seen,
        Change::CreateRole {
            name: "QA".into(),
            description: "Evaluates calls".into(),
            permissions: Permissions::QA_SHEETS_MANAGE | Permissions::QA_CHECKS_MANAGE,
            principals: vec![Principal::User(bob)],
            put_users_offline: false,
        },
    )?;
    println!("[writer] admin 1 created the QA role (made against revision {seen})");
    let second = writer.write(
        &mut log,
        seen,
        Change::AssignRole {
            role: RoleId::SUPERVISOR,
            principals: vec![Principal::User(bob)],
        },
    );
    match second {
        Err(error) => match error.downcast_ref::<Error>() {
            Some(Error::RevisionMismatch { expected, actual }) => println!(
                "[writer] admin 2's change, made against revision {expected}, is refused: \
                 the company is at {actual}; they reload the page and decide again"
            ),
            _ => return Err(error),
        },
        Ok(revision) => return Err(format!("a stale change was applied at {revision}").into()),
    }

    // The reader catches up, and both replicas write the same document.
    reader.catch_up(&log)?;
    let same = reader.company.to_document() == writer.company.to_document();
    println!(
        "[both] writer at {}, reader at {}, same document: {same}",
        writer.revision(),
        reader.revision()
    );
    if !same {
        return Err("the replicas diverged".into());
    }
    Ok(())
}
