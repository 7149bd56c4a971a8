//! The receiving team joins discovery: the discovery sync's attendees list someone of the team
//! that will own the work (a holder of one of the kind's receiving roles, the role itself, or
//! the receiving team by name), so that no late surprise waits for the live handoff.

use super::{Ctx, Rule};
use crate::facts::config::Holders;
use crate::facts::kind::KindSpec;
use crate::facts::packet::yaml::Node;
use crate::facts::signoff::holders;
use crate::judgement::diagnostic::RuleId;
use crate::judgement::diagnostic::Severity;

/// `discovery-without-receiver`.
pub static DISCOVERY_WITHOUT_RECEIVER: Rule = Rule {
    id: RuleId::DiscoveryWithoutReceiver,
    summary: "the discovery sync's attendees include someone of the receiving team",
    explanation: "Operations must show up in discovery, not only at the finish line: the receiving \
team helps define the success metric and the constraints before anything is built. When a kind names \
the receiving team's roles (`receives: true`, gtm-play: ops-lead), the discovery sync's `attendees` must \
list one of them: the role itself (`ops-lead`), a person who holds it (through `[people]` in \
handoff.toml, or the field the kind binds it to), or the receiving team by the name `to:` gives it. \
A warning.\n\nExample:\n\n    discovery:\n      date: 2026-11-30\n      attendees:\n        - Aisha \
Khan <aisha@northwind.test>\n        - ops-lead",
};

/// The rules of this file.
pub static RULES: [&Rule; 1] = [&DISCOVERY_WITHOUT_RECEIVER];

/// Check the discovery sync's attendees.
pub fn check(ctx: &mut Ctx, spec: &KindSpec) {
    let receivers = spec.receivers();
    if receivers.is_empty() || !spec.fields.iter().any(|f| f.key == "discovery") {
        return;
    }
    let packet = ctx.packet;
    let Some(node) = packet
        .front
        .as_ref()
        .and_then(|f| f.at("discovery.attendees"))
    else {
        return;
    };
    let Some(list) = node.items() else { return };
    let attendees: Vec<&str> = list
        .iter()
        .filter_map(Node::as_str)
        .map(str::trim)
        .filter(|a| !crate::facts::packet::is_placeholder(a))
        .collect();
    // An empty or unanswered list is `answer-missing`'s to report.
    if attendees.is_empty() || attendees.len() < list.len() {
        return;
    }
    let settings = &ctx.config.settings;
    let team = packet.text("to").map(str::trim).unwrap_or_default();
    let roles: Vec<_> = spec.roles.iter().filter(|r| r.receives).collect();
    let mut people: Vec<String> = Vec::new();
    for role in &roles {
        if let Holders::Bound { people: p, .. } = holders(packet, role, settings) {
            people.extend(p);
        }
    }
    let receiving = |a: &str| {
        receivers.contains(&a)
            || (!team.is_empty() && a.eq_ignore_ascii_case(team))
            || settings
                .resolve(a)
                .iter()
                .any(|who| people.iter().any(|p| crate::facts::person::same(p, who)))
    };
    if attendees.iter().any(|a| receiving(a)) {
        return;
    }
    let names = receivers.join(" or ");
    let known = if people.is_empty() {
        format!(
            "; nobody is named as holding {names} (`[people]` in handoff.toml), so list the role itself"
        )
    } else {
        format!(" ({})", people.join(", "))
    };
    ctx.report_on(
        &DISCOVERY_WITHOUT_RECEIVER,
        Severity::Warning,
        node.pos,
        node.span_len().max(1),
        format!(
            "nobody of the receiving team{} attended the discovery sync: the attendees list no {names}",
            if team.is_empty() {
                String::new()
            } else {
                format!(" ({})", crate::support::words::neutral(team))
            }
        ),
        format!("add the {names} who joined to `discovery.attendees`{known}"),
        "discovery.attendees",
    );
}
