//! Which gate a packet must pass: the later of what its status claims and what the calendar says.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The readiness gates, in order; each adds requirements to the one before.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "kebab-case")]
pub enum Gate {
    /// The files parse; keys are known; ids, dates and people are well formed.
    #[default]
    Draft,
    /// Every required answer present, no TODO left; attachments exist.
    Ready,
    /// Every acceptance criterion checked; walkthrough present.
    HandedOff,
    /// Every required role signed off, and no sign-off stale.
    SignedOff,
}

/// A packet's lifecycle status, as written in its front matter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Being written.
    Draft,
    /// Answers complete; waiting for the live handoff.
    Ready,
    /// Handed over on day 0.
    HandedOff,
    /// The receiving team runs it, the sender shadows.
    Shadowing,
    /// Formally signed off.
    SignedOff,
    /// No longer running.
    Retired,
}

/// Days relative to day 0 on which the calendar reaches each gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct GateDays {
    /// Day on which the ready gate applies (default −2).
    pub ready: i64,
    /// Day on which the handed-off gate applies (default 0).
    pub handed_off: i64,
    /// Day on which the signed-off gate applies (default +14).
    pub signed_off: i64,
}

impl Default for GateDays {
    fn default() -> Self {
        GateDays {
            ready: -2,
            handed_off: 0,
            signed_off: 14,
        }
    }
}

impl Gate {
    /// All gates, in order.
    pub const ALL: [Gate; 4] = [Gate::Draft, Gate::Ready, Gate::HandedOff, Gate::SignedOff];

    /// The name used in files and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Gate::Draft => "draft",
            Gate::Ready => "ready",
            Gate::HandedOff => "handed-off",
            Gate::SignedOff => "signed-off",
        }
    }

    /// The gate a status claims.
    pub fn of_status(status: Status) -> Gate {
        match status {
            Status::Draft => Gate::Draft,
            Status::Ready => Gate::Ready,
            Status::HandedOff | Status::Shadowing => Gate::HandedOff,
            Status::SignedOff | Status::Retired => Gate::SignedOff,
        }
    }

    /// The gate the calendar has reached on `today` for a packet whose day 0 is `day0`.
    pub fn of_date(day0: NaiveDate, today: NaiveDate, days: GateDays) -> Gate {
        let day = (today - day0).num_days();
        if day >= days.signed_off {
            Gate::SignedOff
        } else if day >= days.handed_off {
            Gate::HandedOff
        } else if day >= days.ready {
            Gate::Ready
        } else {
            Gate::Draft
        }
    }
}

impl Status {
    /// All statuses, in lifecycle order.
    pub const ALL: [Status; 6] = [
        Status::Draft,
        Status::Ready,
        Status::HandedOff,
        Status::Shadowing,
        Status::SignedOff,
        Status::Retired,
    ];

    /// The name used in files.
    pub fn name(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Ready => "ready",
            Status::HandedOff => "handed-off",
            Status::Shadowing => "shadowing",
            Status::SignedOff => "signed-off",
            Status::Retired => "retired",
        }
    }

    /// Parse a status name.
    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|st| st.name() == s)
    }
}

impl fmt::Display for Gate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Gate {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Gate::ALL
            .into_iter()
            .find(|g| g.name() == s)
            .ok_or_else(|| {
                format!("unknown gate `{s}` (expected draft, ready, handed-off or signed-off)")
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_reaches_gates_on_their_days() {
        let d0 = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        let at = |y, m, d| {
            Gate::of_date(
                d0,
                NaiveDate::from_ymd_opt(y, m, d).unwrap(),
                GateDays::default(),
            )
        };
        assert_eq!(at(2026, 12, 4), Gate::Draft);
        assert_eq!(at(2026, 12, 5), Gate::Ready);
        assert_eq!(at(2026, 12, 7), Gate::HandedOff);
        assert_eq!(at(2026, 12, 20), Gate::HandedOff);
        assert_eq!(at(2026, 12, 21), Gate::SignedOff);
        assert_eq!(Gate::of_status(Status::Shadowing), Gate::HandedOff);
    }
}
