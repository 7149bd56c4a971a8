//! What is still open for a packet at a gate, and what falls due later: the one reading that
//! `check` (through its rules), `sign`'s warnings and next-step advice, `status`, `remind`,
//! `render` and `stats` share. A criterion the KPI series decides, one that is waived, or one
//! that falls due later is never open; an overdue dated item (a backlog task, an enablement
//! asset, an open question) is; and the advice names what remains with the day it falls due.

use crate::facts::config::{Config, Settings};
use crate::facts::gate::Gate;
use crate::facts::kind::{Kind, Kinds};
use crate::facts::packet::Packet;
use crate::judgement::diagnostic::{Diagnostic, Severity};
use crate::judgement::rules::criteria::{self, Criterion, Standing};
use crate::judgement::rules::items::{self, Item};
use chrono::NaiveDate;
use serde::Serialize;

/// A packet's open items at a gate on a day.
#[derive(Debug, Clone, Serialize)]
pub struct Open {
    /// The gate judged.
    pub gate: Gate,
    /// Every acceptance criterion, with where it stands.
    pub criteria: Vec<Criterion>,
    /// Every dated item (backlog, enablement, open questions) the packet still answers for.
    pub items: Vec<Item>,
    /// Day 0, when known.
    #[serde(skip)]
    pub day0: Option<NaiveDate>,
    /// The day judged.
    #[serde(skip)]
    pub today: NaiveDate,
}

impl Open {
    /// Where a packet's criteria and dated items stand on `today` at `gate`.
    pub fn of(
        packet: &Packet,
        kind: &Kind,
        settings: &Settings,
        today: NaiveDate,
        gate: Gate,
    ) -> Open {
        let spec = &kind.spec;
        Open {
            gate,
            criteria: criteria::standings(packet, spec, settings, today, gate),
            items: if items::watched(packet) {
                items::items(packet, spec)
            } else {
                Vec::new()
            },
            day0: packet.day0(),
            today,
        }
    }

    /// The criteria the gate fails on (what `criteria-open` reports as errors).
    pub fn open_criteria(&self) -> impl Iterator<Item = &Criterion> {
        self.criteria.iter().filter(|c| c.standing.is_open())
    }

    /// The criteria not required yet, earliest first, each with the day it is required from.
    pub fn later_criteria(&self) -> Vec<(&Criterion, Option<NaiveDate>)> {
        let mut later: Vec<(&Criterion, Option<NaiveDate>)> = self
            .criteria
            .iter()
            .filter_map(|c| match c.standing {
                Standing::Later { date } => Some((c, date)),
                _ => None,
            })
            .collect();
        later.sort_by_key(|(_, d)| *d);
        later
    }

    /// Dated items past their date and not done.
    pub fn overdue_items(&self) -> impl Iterator<Item = &Item> {
        self.items.iter().filter(|i| i.overdue(self.today))
    }

    /// Only what is not met: criteria open, waived or due later, and dated items not done (what
    /// a portfolio of many packets keeps for each).
    pub fn unsettled(mut self) -> Open {
        self.criteria
            .retain(|c| !matches!(c.standing, Standing::Met | Standing::Decided));
        self.items.retain(|i| !i.done);
        self
    }

    /// `day +3 (Thu 2026-12-10)` for a date, relative to day 0 when known.
    pub fn when(&self, date: NaiveDate) -> String {
        when(self.day0, date)
    }
}

/// `day +3 (Thu 2026-12-10)`: a date with its day number when day 0 is known.
pub fn when(day0: Option<NaiveDate>, date: NaiveDate) -> String {
    let weekday = date.format("%a %Y-%m-%d");
    match day0 {
        Some(d0) => format!(
            "day {} ({weekday})",
            crate::support::words::offset((date - d0).num_days())
        ),
        None => weekday.to_string(),
    }
}

/// What `check` would fail the packet on at `gate` on `today`: its errors there, apart from the
/// sign-off rules (signing is what the caller is about) and with waivers applied.
pub fn blocking(
    packet: &Packet,
    kinds: &Kinds,
    config: &Config,
    today: NaiveDate,
    gate: Gate,
) -> Vec<Diagnostic> {
    crate::judgement::rules::check(packet, kinds, gate, config, today)
        .into_iter()
        .filter(|d| d.severity == Severity::Error && !d.rule.is_signoff())
        .collect()
}
