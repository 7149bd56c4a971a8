//! Dated items: every list answer whose items carry a `due` date (a backlog's tasks, an
//! enablement kit's assets, the live meeting's open questions), with their owners. An item past
//! its date and not marked `done:` is overdue: a warning, and an error from the gate a kind names
//! with `done_by:` on the list (an enablement kit delivered before sales takes the leads). Asked
//! until the status says signed-off: the backlog then lives in the receiving team's own tracker.
//! `remind` and `status` list the same items with their owners.

use super::{Ctx, Rule};
use crate::facts::config::Settings;
use crate::facts::gate::{Gate, Status};
use crate::facts::kind::{FieldSpec, FieldType, KindSpec};
use crate::facts::packet::Packet;
use crate::facts::packet::source::Pos;
use crate::facts::packet::yaml::Node;
use crate::judgement::diagnostic::RuleId;
use crate::judgement::diagnostic::Severity;
use chrono::NaiveDate;
use serde::Serialize;

/// `item-overdue`.
pub static ITEM_OVERDUE: Rule = Rule {
    id: RuleId::ItemOverdue,
    summary: "a backlog item, enablement item or open question is past its due date and not done",
    explanation: "Lists whose items carry an owner and a `due` date (the backlog's tasks, a sales \
routing's enablement kit, the live meeting's open questions) are promises with a date. Once the date \
has passed, an item not marked done is overdue: a warning naming the item and its owner, and \
`handoff remind` pings the owner. When the kind says a list must be done by a gate (`done_by: \
signed-off` on the list, as the sales-routing kind says of its enablement kit), an overdue item is \
an error from that gate on. Asked until the packet's status says signed-off: the sign-offs attest \
what was done by then, and the backlog moves to the receiving team's own tracker.\n\nFix: do it and record the day, `done: 2027-01-18`, on the item; or \
agree a new date and change `due:`; or, when it no longer applies, remove the item (git keeps it).",
};

/// The rules of this file.
pub static RULES: [&Rule; 1] = [&ITEM_OVERDUE];

/// One item of a dated list.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    /// The item's answer path, `backlog.items[2]` (what a waiver names).
    pub path: String,
    /// What kind of item, in words: `backlog item`, `open question`, `enablement item`.
    pub noun: String,
    /// What it is: its first text answer (the task, the asset, the question).
    pub what: String,
    /// Its owner as written, when it has one.
    pub owner: Option<String>,
    /// When it is due.
    pub due: NaiveDate,
    /// When it was done, or that it was (`done: true`).
    pub done: bool,
    /// From this gate an overdue item fails it (the list's `done_by`).
    pub done_by: Option<Gate>,
    /// Where the item starts.
    #[serde(skip)]
    pub pos: Pos,
    /// Where its `due` value is.
    #[serde(skip)]
    pub due_pos: Pos,
    /// How long the `due` value is.
    #[serde(skip)]
    pub due_len: usize,
}

impl Item {
    /// Whether it is past its date and not done, on `today`.
    pub fn overdue(&self, today: NaiveDate) -> bool {
        !self.done && self.due < today
    }

    /// Whether it falls due from `today` to `until`, not done.
    pub fn due_within(&self, today: NaiveDate, until: NaiveDate) -> bool {
        !self.done && self.due >= today && self.due <= until
    }
}

/// Whether a list's items carry a due date (the fields of its items include a `due` date).
pub fn is_dated(fields: &[FieldSpec]) -> bool {
    fields
        .iter()
        .any(|f| f.key == "due" && f.ty == FieldType::Date)
}

/// Every item of every dated list the packet answers, in the kind's order.
pub fn items(packet: &Packet, spec: &KindSpec) -> Vec<Item> {
    let mut out = Vec::new();
    let Some(front) = packet.front.as_ref() else {
        return out;
    };
    walk(&spec.fields, Some(front), "", &mut out);
    out
}

fn walk(fields: &[FieldSpec], map: Option<&Node>, prefix: &str, out: &mut Vec<Item>) {
    for f in fields {
        let path = if prefix.is_empty() {
            f.key.clone()
        } else {
            format!("{prefix}.{}", f.key)
        };
        let node = map.and_then(|m| m.get(&f.key));
        match f.ty {
            FieldType::Map => walk(&f.fields, node, &path, out),
            FieldType::List if is_dated(&f.fields) => {
                let list = node.and_then(Node::items).unwrap_or_default();
                for (i, item) in list.iter().enumerate() {
                    if let Some(found) = read_item(f, item, &path, i) {
                        out.push(found);
                    }
                }
            }
            _ => {}
        }
    }
}

fn read_item(list: &FieldSpec, item: &Node, path: &str, i: usize) -> Option<Item> {
    let due_node = item.get("due")?;
    let due = crate::facts::packet::parse_date(due_node.as_str()?)?;
    let text = |k: &str| {
        item.get(k)
            .and_then(Node::as_str)
            .map(str::trim)
            .filter(|s| !crate::facts::packet::is_placeholder(s))
            .map(str::to_string)
    };
    let what = list
        .fields
        .iter()
        .filter(|f| f.ty == FieldType::Text)
        .find_map(|f| text(&f.key))
        .unwrap_or_else(|| format!("item {}", i + 1));
    let done = item.get("done").is_some_and(|d| {
        d.as_str()
            .is_some_and(|s| !crate::facts::packet::is_placeholder(s) && !is_no(s))
    });
    Some(Item {
        path: format!("{path}[{}]", i + 1),
        noun: noun(path),
        what,
        owner: text("owner"),
        due,
        done,
        done_by: list.done_by,
        pos: item.pos,
        due_pos: due_node.pos,
        due_len: due_node.span_len().max(1),
    })
}

/// `done: no` (or `false`) says it is not done.
fn is_no(s: &str) -> bool {
    matches!(
        s.trim().to_ascii_lowercase().as_str(),
        "no" | "false" | "n" | "not yet"
    )
}

/// `backlog.items` → `backlog item`; `live_meeting.open_questions` → `open question`;
/// `enablement` → `enablement item`.
fn noun(path: &str) -> String {
    let mut parts = path.rsplit('.');
    let last = parts.next().unwrap_or(path);
    if last == "items" {
        format!("{} item", parts.next().unwrap_or("list").replace('_', " "))
    } else if let Some(one) = last.strip_suffix('s') {
        one.replace('_', " ")
    } else {
        format!("{} item", last.replace('_', " "))
    }
}

/// Whether a packet's dated items are still asked about: until its status says it is signed off
/// (the sign-offs attest what was done by then, and the backlog moves to the receiving team's
/// own tracker) or retired.
pub fn watched(packet: &Packet) -> bool {
    packet.status().is_none_or(|s| s < Status::SignedOff)
}

/// The items overdue on `today` that the packet still answers for, with their severity at
/// `gate`.
pub fn overdue(
    packet: &Packet,
    spec: &KindSpec,
    today: NaiveDate,
    gate: Gate,
) -> Vec<(Item, Severity)> {
    items(packet, spec)
        .into_iter()
        .filter(|i| i.overdue(today) && watched(packet))
        .map(|i| {
            let severity = if i.done_by.is_some_and(|g| gate >= g) {
                Severity::Error
            } else {
                Severity::Warning
            };
            (i, severity)
        })
        .collect()
}

/// The owner of an item as people to ping: `[people]` names resolved.
pub fn owners(item: &Item, settings: &Settings) -> Vec<String> {
    item.owner
        .as_deref()
        .map(|o| {
            settings
                .resolve(o)
                .into_iter()
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// Report overdue items.
pub fn check(ctx: &mut Ctx, spec: &KindSpec) {
    for (item, severity) in overdue(ctx.packet, spec, ctx.today, ctx.gate) {
        let days = (ctx.today - item.due).num_days();
        let owner = item
            .owner
            .as_deref()
            .map(|o| format!(" ({o})"))
            .unwrap_or_default();
        let gate_note = match item.done_by {
            Some(g) => format!("; the kind wants it done by the {g} gate"),
            None => String::new(),
        };
        ctx.report_on(
            &ITEM_OVERDUE,
            severity,
            item.due_pos,
            item.due_len,
            format!(
                "{} `{}`{owner} was due {} ({} ago) and is not marked done{gate_note}",
                item.noun,
                crate::support::words::neutral(&item.what),
                item.due,
                crate::support::words::plural(days as usize, "day", "days"),
            ),
            format!(
                "once it is done, add `done: {}` to the item (the day it was done); or agree a new date and change `due:`; or remove the item if it no longer applies",
                ctx.today
            ),
            &item.path,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nouns_read_as_words() {
        assert_eq!(noun("backlog.items"), "backlog item");
        assert_eq!(noun("live_meeting.open_questions"), "open question");
        assert_eq!(noun("enablement"), "enablement item");
    }

    #[test]
    fn items_of_dated_lists_are_found_with_owner_and_done() {
        let spec = crate::facts::kind::builtin_spec("gtm-play").expect("kind");
        let text = "---\nid: p\nkind: gtm-play\nstatus: handed-off\nbacklog:\n  items:\n    - task: A\n      owner: Li <li@x.test>\n      due: 2026-12-01\n    - task: B\n      owner: Li <li@x.test>\n      due: 2026-12-02\n      done: 2026-12-02\n    - task: C\n      due: TODO\nlive_meeting:\n  open_questions:\n    - question: Q?\n      owner: ops-lead\n      due: 2026-12-20\n---\n# P\n";
        let p = Packet::from_text(
            std::path::Path::new("p"),
            std::path::Path::new("p"),
            text.to_string(),
        );
        let all = items(&p, &spec);
        assert_eq!(all.len(), 3, "{all:?}");
        assert_eq!(all[0].path, "backlog.items[1]");
        assert!(all[1].done);
        assert_eq!(all[2].noun, "open question");
        let today = NaiveDate::from_ymd_opt(2026, 12, 21).unwrap();
        let late = overdue(&p, &spec, today, Gate::HandedOff);
        assert_eq!(late.len(), 2);
        assert!(late.iter().all(|(_, s)| *s == Severity::Warning));
    }
}
