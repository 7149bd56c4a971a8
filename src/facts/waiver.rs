//! Waivers, as facts: "this does not apply, here is why, until when", kept in the packet's
//! `waivers` list and so in git. A waiver names its target (an answer path such as
//! `metric.source` or `risks[1].monitor`, or an acceptance criterion's text); while it holds,
//! the findings about that target become notes. The judgements are in `rules/waiver.rs`.

use crate::facts::kind::spec::same_criterion;
use crate::facts::packet::Packet;
use crate::facts::packet::source::Pos;
use crate::facts::packet::yaml::Node;
use chrono::NaiveDate;

/// One waiver as written.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Waiver {
    /// What it waives: an answer path or a criterion's text.
    pub target: String,
    /// Why it does not apply.
    pub reason: String,
    /// The last day it holds, as written.
    pub until: String,
    /// Who granted it, `Name <email>`.
    pub by: String,
    /// When it was granted, `YYYY-MM-DD`.
    pub at: String,
    /// The pull request comment it was granted in (`handoff apply`), as the forge's page.
    pub via: Option<String>,
    /// Where the entry starts.
    #[serde(skip)]
    pub pos: Pos,
}

impl Waiver {
    /// The last day it holds, when `until` is a date.
    pub fn until_date(&self) -> Option<NaiveDate> {
        crate::facts::packet::parse_date(&self.until)
    }

    /// Whether it still holds on `today` (through its `until` day).
    pub fn holds(&self, today: NaiveDate) -> bool {
        self.until_date().is_some_and(|u| today <= u)
    }

    /// The entry as a record to prove.
    pub fn record(&self) -> crate::facts::proof::Record {
        use crate::facts::proof::{Record, RecordKind};
        let via = self.via.clone().unwrap_or_default();
        Record {
            kind: RecordKind::Waiver,
            key: Record::key_of(
                RecordKind::Waiver,
                [
                    ("target", self.target.as_str()),
                    ("reason", &self.reason),
                    ("until", &self.until),
                    ("by", &self.by),
                    ("at", &self.at),
                    ("via", &via),
                ],
            ),
            by: self.by.clone(),
            via: self.via.clone(),
            role: None,
            digest: None,
            target: Some(self.target.clone()),
            until: Some(self.until.clone()),
        }
    }

    /// Whether it covers a finding about `target`: the same answer path, or the same criterion
    /// (case, punctuation and spacing aside).
    pub fn covers(&self, target: &str) -> bool {
        self.target.trim() == target.trim() || same_criterion(&self.target, target)
    }
}

/// A waiver entry that could not be read.
#[derive(Debug)]
pub struct BadWaiver {
    /// Where.
    pub pos: Pos,
    /// What is wrong.
    pub message: String,
}

/// The packet's waivers, and the entries that could not be read.
pub fn read(packet: &Packet) -> (Vec<Waiver>, Vec<BadWaiver>) {
    let mut good = Vec::new();
    let mut bad = Vec::new();
    let Some(node) = packet.front.as_ref().and_then(|f| f.get("waivers")) else {
        return (good, bad);
    };
    if node.is_null() {
        return (good, bad);
    }
    let Some(items) = node.items() else {
        bad.push(BadWaiver {
            pos: node.pos,
            message: format!("`waivers` must be a list, but it is {}", node.shape()),
        });
        return (good, bad);
    };
    for item in items {
        let text = |k: &str| {
            item.get(k)
                .and_then(Node::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        match (text("target"), text("reason"), text("until")) {
            (Some(target), Some(reason), Some(until)) => good.push(Waiver {
                target,
                reason,
                until,
                by: text("by").unwrap_or_default(),
                at: text("at").unwrap_or_default(),
                via: text("via"),
                pos: item.pos,
            }),
            _ => bad.push(BadWaiver {
                pos: item.pos,
                message: "a waiver needs a `target`, a `reason` and an `until` date".into(),
            }),
        }
    }
    (good, bad)
}

/// The waivers that still hold on `today` and end within `days` of it: the ones to renew or
/// resolve soon.
pub fn expiring(packet: &Packet, today: NaiveDate, days: i64) -> Vec<Waiver> {
    read(packet)
        .0
        .into_iter()
        .filter(|w| {
            w.holds(today)
                && w.until_date()
                    .is_some_and(|u| (u - today).num_days() <= days)
        })
        .collect()
}
