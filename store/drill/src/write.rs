//! `write N`: a writer process applying a mix of changes.

use std::time::{Duration, Instant};

use callgate::{Change, Created, GroupId, Principal, RoleId, UserId};
use callgate_store::{Write, Writer};

use crate::address::Address;
use crate::{Result, chain, say};

/// The context key every drill entry carries: `{prefix}-{i}`, so a test
/// can count each process's rows and find duplicates.
pub(crate) const CONTEXT_KEY: &str = "drill";

/// What `write` was asked.
#[derive(Debug)]
pub(crate) struct Options {
    /// How many changes to apply.
    pub(crate) count: u64,
    /// Names and context labels start with it: one prefix per process.
    pub(crate) prefix: String,
    /// How many times a change is planned and stored before giving up
    /// (the writer's default if `None`).
    pub(crate) attempts: Option<u32>,
    /// Once done, catch up with the log until this revision (other writers'
    /// changes), then print the document as this writer has it.
    pub(crate) settle: Option<u64>,
}

/// How long `--settle` waits for the other writers.
const SETTLE_TIMEOUT: Duration = Duration::from_secs(120);

/// Applies `options.count` changes for `tenant` (creating it if needed) and
/// prints `committed <revision>` after each.
pub(crate) fn run(address: &Address, tenant: &str, options: &Options) -> Result<()> {
    let mut writer = Writer::open(address.open()?, tenant)?;
    if let Some(attempts) = options.attempts {
        writer = writer.with_attempts(attempts);
    }
    let mut mine = Mine::default();
    for i in 0..options.count {
        let label = format!("{}-{i}", options.prefix);
        let change = mine.change(i, &label);
        let write = Write::new(change).with_context(CONTEXT_KEY, label.as_str());
        let report = writer
            .write(write)
            .map_err(|error| format!("change `{label}`: {}", chain(&error)))?;
        mine.created(report.created);
        say(&format!("committed {}", report.revision))?;
    }
    match options.settle {
        Some(revision) => settle(&mut writer, revision),
        None => Ok(()),
    }
}

/// Catches `writer` up with the log until `revision`, then prints its
/// document: the company built by its own commits and catch-ups, for a test
/// to compare with one loaded from the store.
fn settle(writer: &mut Writer, revision: u64) -> Result<()> {
    let start = Instant::now();
    while writer.revision() < revision {
        if writer.catch_up()? == 0 {
            if start.elapsed() > SETTLE_TIMEOUT {
                let at = writer.revision();
                return Err(
                    format!("at revision {at}, not {revision}, after {SETTLE_TIMEOUT:?}").into(),
                );
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }
    say(&serde_json::to_string(&writer.company().to_document())?)
}

/// The last user and group this process created: later changes use them,
/// so they stay valid whatever other writers do meanwhile.
#[derive(Debug, Default)]
struct Mine {
    user: Option<UserId>,
    group: Option<GroupId>,
}

impl Mine {
    /// Change `i` of a cycle of four: a user, a group, the user into the
    /// group, the Operator role to the group or the user.
    fn change(&self, i: u64, label: &str) -> Change {
        match (i % 4, self.user, self.group) {
            (1, _, _) => Change::CreateGroup {
                name: label.to_owned(),
                members: vec![],
            },
            (2, Some(user), Some(group)) => Change::AddGroupMembers {
                group,
                users: vec![user],
            },
            (3, Some(user), Some(group)) => {
                let principal: Principal = if i % 8 == 3 {
                    group.into()
                } else {
                    user.into()
                };
                Change::AssignRole {
                    role: RoleId::OPERATOR,
                    principals: vec![principal],
                }
            }
            _ => Change::CreateUser {
                name: label.to_owned(),
                roles: vec![],
                groups: vec![],
                projects: vec![],
            },
        }
    }

    fn created(&mut self, created: Option<Created>) {
        match created {
            Some(Created::User(user)) => self.user = Some(user),
            Some(Created::Group(group)) => self.group = Some(group),
            _ => {}
        }
    }
}
