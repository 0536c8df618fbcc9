//! What `LISTEN` brings: notices of stored entries.

use callgate::CompanyId;

use crate::Wakeup;

/// A notice's payload, `<company>:<revision>`, or `None` if it is not one.
pub(super) fn parse_notice(payload: &str) -> Option<(CompanyId, u64)> {
    let (company, revision) = payload.split_once(':')?;
    Some((company.parse().ok()?, revision.parse().ok()?))
}

/// What [`Store::wait`] read so far: each company at the highest revision
/// noticed, and whether a payload did not parse.
#[derive(Default)]
pub(super) struct Notices {
    changed: Vec<(CompanyId, u64)>,
    unreadable: bool,
}

impl Notices {
    pub(super) fn add(&mut self, payload: &str) {
        let Some((company, revision)) = parse_notice(payload) else {
            self.unreadable = true;
            return;
        };
        match self.changed.iter_mut().find(|(c, _)| *c == company) {
            Some((_, seen)) => *seen = (*seen).max(revision),
            None => self.changed.push((company, revision)),
        }
    }

    pub(super) fn wakeup(self) -> Wakeup {
        if self.unreadable {
            Wakeup::Poll
        } else if self.changed.is_empty() {
            Wakeup::TimedOut
        } else {
            Wakeup::Changed(self.changed)
        }
    }
}
