//! Every packet at once, with its verdict and its timeline: what `status`, `remind` and calendar
//! exports read.

use crate::kind::Kind;
use crate::packet::Packet;
use crate::packet::yaml::Node;
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
        self.placed.iter().find(|m| m.state != State::Done)
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

/// Load every packet (or those in `dirs`) with its verdict and timeline, on all cores.
pub fn load(ws: &Workspace, dirs: &[std::path::PathBuf], today: NaiveDate) -> Vec<Entry> {
    verdict::parallel_map(dirs, |dir| {
        let (packet, verdict) = verdict::check_one(dir, ws, today, None);
        let placed = ws
            .kind_of(&packet)
            .map(|k| timeline::place(&packet, &k.spec, ws.config.settings.weekends, today))
            .unwrap_or_default();
        Entry {
            packet,
            verdict,
            placed,
        }
    })
}

/// The people named at a dotted path (a person, or every person of a list), roles resolved
/// through the people directory.
pub fn people_at(packet: &Packet, path: &str, ws: &Workspace) -> Vec<String> {
    let mut node: Option<&Node> = packet.front.as_ref();
    for key in path.split('.') {
        node = node.and_then(|n| n.get(key));
    }
    let Some(node) = node else { return Vec::new() };
    let values: Vec<&str> = match node.items() {
        Some(items) => items.iter().filter_map(Node::as_str).collect(),
        None => node.as_str().into_iter().collect(),
    };
    values
        .into_iter()
        .filter(|v| !crate::rules::answers::is_placeholder(v))
        .map(|v| {
            ws.config
                .settings
                .people
                .get(v.trim())
                .cloned()
                .unwrap_or_else(|| v.trim().to_string())
        })
        .collect()
}
