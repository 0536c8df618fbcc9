//! Grants with an end (DOMAIN rule 24): [`Timestamp`], the time a grant
//! ends, and [`Assignment`], the grant it belongs to.
//!
//! The library keeps no clock. A role given until a time
//! ([`Change::AssignRoleUntil`](crate::Change::AssignRoleUntil),
//! [`Change::AssignProjectRoleUntil`](crate::Change::AssignProjectRoleUntil))
//! is an ordinary grant until the host applies
//! [`Change::ExpireGrants`](crate::Change::ExpireGrants) with a time at or
//! past its end: that change takes it away, is logged and replayed like any
//! other, so every replica ends the same grants at the same revision.
//! [`Company::next_expiry`](crate::Company::next_expiry) tells the host
//! when to send the next one.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::{Principal, ProjectId, RoleId};

/// A point in time, in whole seconds since the Unix epoch (UTC): when a
/// grant ends, or what time it is now for
/// [`Change::ExpireGrants`](crate::Change::ExpireGrants).
///
/// Stored as the number of seconds; shown as an ISO 8601 UTC time.
///
/// # Example
///
/// ```
/// use callgate::Timestamp;
///
/// let end = Timestamp::from_unix_seconds(1_767_225_600);
/// assert_eq!(end.to_string(), "2026-01-01T00:00:00Z");
/// assert_eq!(end.unix_seconds(), 1_767_225_600);
/// assert!(Timestamp::now() > end);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(transparent))]
pub struct Timestamp(u64);

impl Timestamp {
    /// The time `seconds` after the Unix epoch.
    #[must_use]
    pub const fn from_unix_seconds(seconds: u64) -> Self {
        Self(seconds)
    }

    /// The seconds since the Unix epoch.
    #[must_use]
    pub const fn unix_seconds(self) -> u64 {
        self.0
    }

    /// The time `time`, to the second (a time before the epoch is the
    /// epoch).
    #[must_use]
    pub fn from_system_time(time: SystemTime) -> Self {
        Self(
            time.duration_since(UNIX_EPOCH)
                .map_or(0, |since| since.as_secs()),
        )
    }

    /// The system clock's time, to the second: what a host sends in
    /// [`Change::ExpireGrants`](crate::Change::ExpireGrants). The library
    /// itself never calls it.
    #[must_use]
    pub fn now() -> Self {
        Self::from_system_time(SystemTime::now())
    }

    /// The time `duration` later, saturating at the largest timestamp.
    #[must_use]
    pub const fn after(self, duration: Duration) -> Self {
        Self(self.0.saturating_add(duration.as_secs()))
    }
}

impl From<SystemTime> for Timestamp {
    fn from(time: SystemTime) -> Self {
        Self::from_system_time(time)
    }
}

impl From<Timestamp> for SystemTime {
    fn from(time: Timestamp) -> Self {
        UNIX_EPOCH
            .checked_add(Duration::from_secs(time.0))
            .unwrap_or(UNIX_EPOCH)
    }
}

/// `YYYY-MM-DDThh:mm:ssZ` (proleptic Gregorian calendar, UTC).
impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.0 / 86_400;
        let seconds = self.0 % 86_400;
        let (year, month, day) = civil_from_days(days);
        write!(
            f,
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
            seconds / 3600,
            seconds / 60 % 60,
            seconds % 60
        )
    }
}

/// The date `days` after 1970-01-01 (Howard Hinnant's `civil_from_days`,
/// for days on or after the epoch).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let day_of_era = z % 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

/// One grant of a role: to a user or a group, company-wide or within a
/// project. Names the grant an end belongs to
/// ([`Company::grant_ends`](crate::Company::grant_ends)).
///
/// # Example
///
/// ```
/// use callgate::{Assignment, ProjectId, RoleId, UserId};
///
/// let cover = Assignment::company_wide(UserId::new(4), RoleId::SUPERVISOR);
/// assert_eq!(cover.project, None);
/// let within = Assignment::within(ProjectId::new(2), UserId::new(4), RoleId::OPERATOR);
/// assert_eq!(within.project, Some(ProjectId::new(2)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase"))]
#[non_exhaustive]
pub struct Assignment {
    /// The user or group holding the role.
    pub principal: Principal,
    /// The role.
    pub role: RoleId,
    /// The project within which the role was given (DOMAIN rule 20), or
    /// `None` for a company-wide grant.
    pub project: Option<ProjectId>,
}

impl Assignment {
    /// `role` given to `principal` company-wide.
    #[must_use]
    pub fn company_wide(principal: impl Into<Principal>, role: RoleId) -> Self {
        Self {
            principal: principal.into(),
            role,
            project: None,
        }
    }

    /// `role` given to `principal` within `project`.
    #[must_use]
    pub fn within(project: ProjectId, principal: impl Into<Principal>, role: RoleId) -> Self {
        Self {
            principal: principal.into(),
            role,
            project: Some(project),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Timestamp;

    #[test]
    fn shown_as_utc_dates_across_leap_years_and_month_ends() {
        let shown = |seconds| Timestamp::from_unix_seconds(seconds).to_string();
        assert_eq!(shown(0), "1970-01-01T00:00:00Z");
        assert_eq!(shown(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(shown(951_868_799), "2000-02-29T23:59:59Z");
        assert_eq!(shown(1_709_251_199), "2024-02-29T23:59:59Z");
        assert_eq!(shown(1_798_761_599), "2026-12-31T23:59:59Z");
        assert_eq!(shown(4_107_542_400), "2100-03-01T00:00:00Z");
    }

    #[test]
    fn later_by_whole_seconds_and_saturating() {
        let start = Timestamp::from_unix_seconds(10);
        assert_eq!(
            start.after(std::time::Duration::from_millis(2_999)),
            Timestamp::from_unix_seconds(12)
        );
        assert_eq!(
            Timestamp::from_unix_seconds(u64::MAX).after(std::time::Duration::from_secs(1)),
            Timestamp::from_unix_seconds(u64::MAX)
        );
    }
}
