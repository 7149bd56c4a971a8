//! Where each acceptance criterion of a packet stands on a day at a gate: ticked, decided by the
//! KPI series, waived, due later, or open. `criteria-open` reports the open ones (and the waived
//! ones, which the waiver turns into notes); `sign`, `status`, `render` and `stats` read the same
//! standings through [`crate::judgement::open`], so that none of them calls open what the gate
//! does not.

use crate::facts::config::Settings;
use crate::facts::gate::Gate;
use crate::facts::kind::KindSpec;
use crate::facts::kind::spec::criterion_key;
use crate::facts::packet::Packet;
use crate::facts::packet::body::Task;
use chrono::{Duration, NaiveDate};
use serde::Serialize;

/// Where one criterion stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum Standing {
    /// Ticked, and the box decides it.
    Met,
    /// The KPI series decides it (the box does not count either way); `kpi-*` findings say how
    /// the numbers stand.
    Decided,
    /// A valid waiver holds on the day.
    Waived {
        /// Its last day.
        until: String,
        /// Why it does not apply.
        reason: String,
    },
    /// Unticked, and not required yet: required from `date` (the gate that asks for it, or the
    /// day the kind says it falls due, whichever is later; at the latest the signed-off gate).
    Later {
        /// The first day on which it is required, when day 0 is known.
        date: Option<NaiveDate>,
    },
    /// Unticked and required: `criteria-open` reports it.
    Open,
}

impl Standing {
    /// Whether the gate counts it as open (an error of `criteria-open`).
    pub fn is_open(&self) -> bool {
        matches!(self, Standing::Open)
    }
}

/// One task item of the criteria section, and where it stands.
#[derive(Debug, Clone, Serialize)]
pub struct Criterion {
    /// The text as the packet lists it.
    pub text: String,
    /// Whether the box is ticked.
    pub checked: bool,
    /// The day (relative to day 0) the kind says it falls due, for a kind's criterion that has one.
    pub due: Option<i64>,
    /// Where it stands.
    #[serde(flatten)]
    pub standing: Standing,
    /// Where the task item starts in `handoff.md`.
    #[serde(skip)]
    pub pos: crate::facts::packet::source::Pos,
    /// Byte offset past the item's first line.
    #[serde(skip)]
    pub end: usize,
}

/// The criteria section a kind asks for, when it has one: its spec.
pub fn section(spec: &KindSpec) -> Option<&crate::facts::kind::SectionSpec> {
    spec.sections.iter().find(|s| s.tasks)
}

/// Every task item of the packet's criteria section on `today` at `gate`, in file order.
pub fn standings(
    packet: &Packet,
    spec: &KindSpec,
    settings: &Settings,
    today: NaiveDate,
    gate: Gate,
) -> Vec<Criterion> {
    match section(spec) {
        Some(want) => standings_in(packet, spec, want, settings, today, gate),
        None => Vec::new(),
    }
}

/// [`standings`] of the task items of one section the kind asks for.
pub fn standings_in(
    packet: &Packet,
    spec: &KindSpec,
    want: &crate::facts::kind::SectionSpec,
    settings: &Settings,
    today: NaiveDate,
    gate: Gate,
) -> Vec<Criterion> {
    let Some(found) = packet.body.section(&want.title) else {
        return Vec::new();
    };
    let tasks: Vec<&Task> = packet.body.tasks_in(found).collect();
    if tasks.is_empty() {
        return Vec::new();
    }
    let criteria = spec.keyed_criteria_for(packet.front.as_ref());
    let decided = super::kpi::decided_criterion(packet, spec);
    let required_from = want.all_checked;
    let day0 = packet.day0();
    let day = day0.map(|d0| (today - d0).num_days());
    let days = spec.gates;
    // Waivers are read only when something is unticked.
    let mut holding: Option<Vec<crate::facts::waiver::Waiver>> = None;
    tasks
        .into_iter()
        .map(|task| {
            let key = criterion_key(&task.text);
            let due = criteria
                .iter()
                .find(|(_, k)| **k == *key)
                .and_then(|(c, _)| c.due());
            let standing = if decided.as_deref() == Some(key.as_str()) {
                Standing::Decided
            } else if task.checked {
                Standing::Met
            } else if let Some(w) = holding
                .get_or_insert_with(|| holding_waivers(packet, spec, settings, today))
                .iter()
                .find(|w| w.covers(&task.text))
            {
                Standing::Waived {
                    until: w.until.clone(),
                    reason: w.reason.clone(),
                }
            } else {
                let gate_reached = required_from.is_some_and(|g| gate >= g);
                let not_yet = matches!((due, day), (Some(due), Some(day)) if day < due);
                if gate_reached && (!not_yet || gate >= Gate::SignedOff) {
                    Standing::Open
                } else if required_from.is_none() {
                    // A criteria section the kind never asks to tick: nothing is ever open.
                    Standing::Later { date: None }
                } else {
                    // Required from the later of the section's gate and its own due day, and by
                    // the signed-off gate at the latest.
                    let from = required_from
                        .map(|g| match g {
                            Gate::Draft => i64::MIN,
                            Gate::Ready => days.ready,
                            Gate::HandedOff => days.handed_off,
                            Gate::SignedOff => days.signed_off,
                        })
                        .unwrap_or(days.handed_off);
                    let first = due.map_or(from, |d| d.max(from)).min(days.signed_off);
                    Standing::Later {
                        date: day0.and_then(|d0| d0.checked_add_signed(Duration::days(first))),
                    }
                }
            };
            Criterion {
                text: task.text.clone(),
                checked: task.checked,
                due,
                standing,
                pos: task.pos,
                end: task.end,
            }
        })
        .collect()
}

/// The packet's waivers that hold on `today` and waive something (valid as written).
pub fn holding_waivers(
    packet: &Packet,
    spec: &KindSpec,
    settings: &Settings,
    today: NaiveDate,
) -> Vec<crate::facts::waiver::Waiver> {
    crate::facts::waiver::read(packet)
        .0
        .into_iter()
        .filter(|w| {
            w.holds(today) && super::waiver::problem(w, packet, spec, settings, today).is_none()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn packet(status: &str, tasks: &str, extra: &str) -> Packet {
        let text = format!(
            "---\nid: p\nkind: gtm-play\nday0: 2026-12-07\nstatus: {status}\n{extra}---\n# P\n\n## Acceptance criteria\n{tasks}"
        );
        Packet::from_text(std::path::Path::new("p"), std::path::Path::new("p"), text)
    }

    fn d(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, day).unwrap()
    }

    fn kind() -> KindSpec {
        crate::facts::kind::builtin_spec("gtm-play").expect("gtm-play")
    }

    #[test]
    fn criteria_due_later_are_never_open_before_their_day_and_all_are_at_the_signed_off_gate() {
        let k = kind();
        let p = packet(
            "handed-off",
            "- [x] Alerts fire into the receiving team's channel\n- [ ] Receiving team ran the play on its own during the shadow period\n- [ ] Our own criterion\n",
            "",
        );
        let s = Settings::default();
        let day0 = standings(&p, &k, &s, d(7), Gate::HandedOff);
        assert_eq!(day0[0].standing, Standing::Met);
        assert_eq!(day0[1].standing, Standing::Later { date: Some(d(10)) });
        assert_eq!(day0[2].standing, Standing::Open);
        let day3 = standings(&p, &k, &s, d(10), Gate::HandedOff);
        assert_eq!(day3[1].standing, Standing::Open);
        let forced = standings(&p, &k, &s, d(7), Gate::SignedOff);
        assert!(forced[1].standing.is_open() && forced[2].standing.is_open());
        let ready = standings(&p, &k, &s, d(1), Gate::Ready);
        assert_eq!(ready[2].standing, Standing::Later { date: Some(d(7)) });
    }

    #[test]
    fn a_criterion_the_series_decides_is_never_open_ticked_or_not() {
        let k = kind();
        let p = packet(
            "handed-off",
            "- [ ] KPI stable for 14 days before the handoff\n",
            "metric:\n  kpi: x\n  target: \">= 4%\"\n  series:\n    file: metrics/kpi.csv\n",
        );
        let got = standings(&p, &k, &Settings::default(), d(20), Gate::SignedOff);
        assert_eq!(got[0].standing, Standing::Decided);
        let p = packet(
            "handed-off",
            "- [ ] KPI stable for 14 days before the handoff\n",
            "",
        );
        let got = standings(&p, &k, &Settings::default(), d(20), Gate::SignedOff);
        assert_eq!(
            got[0].standing,
            Standing::Open,
            "no series: the box decides"
        );
    }
}
