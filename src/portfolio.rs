//! Every packet at once, with its verdict and its timeline: what `status`, `remind` and calendar
//! exports read.

use crate::kind::Kind;
use crate::packet::Packet;
use crate::timeline::{self, Placed, State};
use crate::verdict::{self, Verdict};
use crate::workspace::Workspace;
use chrono::NaiveDate;

/// One packet with what the portfolio views need.
pub struct Entry {
    /// The loaded packet.
    pub packet: Packet,
    /// Its verdict today.
    pub verdict: Verdict,
    /// Its milestones today.
    pub placed: Vec<Placed>,
}

impl Entry {
    /// The first milestone not done yet.
    pub fn next(&self) -> Option<&Placed> {
        self.placed.iter().find(|m| !m.state.is_done())
    }

    /// Milestones past their date without their evidence.
    pub fn overdue(&self) -> impl Iterator<Item = &Placed> {
        self.placed.iter().filter(|m| m.state == State::Overdue)
    }

    /// The packet's kind.
    pub fn kind<'w>(&self, ws: &'w Workspace) -> Option<&'w Kind> {
        ws.kind_of(&self.packet)
    }
}

/// Load every packet (or those in `dirs`) with its verdict (the one `check` gives, audit
/// included) and timeline, on all cores; and why the audit could not run, if it could not.
pub fn load(
    ws: &Workspace,
    dirs: &[std::path::PathBuf],
    today: NaiveDate,
) -> (Vec<Entry>, Option<String>) {
    let (checked, note) = verdict::check_keeping(dirs, ws, today, None, true);
    let checked: Vec<(Packet, Verdict)> = checked
        .into_iter()
        .filter_map(|(p, v)| Some((p?, v)))
        .collect();
    let entries = verdict::parallel_map(&checked, |(packet, _)| {
        ws.kind_of(packet)
            .map(|k| timeline::place(packet, &k.spec, &ws.config.settings, today))
            .unwrap_or_default()
    });
    let entries = checked
        .into_iter()
        .zip(entries)
        .map(|((packet, verdict), placed)| Entry {
            packet,
            verdict,
            placed,
        })
        .collect();
    (entries, note)
}

/// The people named at a dotted path, roles resolved through the people directory.
pub fn people_at(packet: &Packet, path: &str, ws: &Workspace) -> Vec<String> {
    packet.people_at(path, &ws.config.settings)
}
