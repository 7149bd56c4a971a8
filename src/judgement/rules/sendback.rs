//! A packet the receiving team sent back: until its status moves forward again to where it was
//! sent back from, `check` says so, with the reason, so that the gate never passes silently over
//! a handoff the receiving side turned down.

use super::{Ctx, Rule};
use crate::facts::gate::{Gate, Status};
use crate::judgement::diagnostic::RuleId;
use crate::judgement::diagnostic::Severity;

/// `sent-back`.
pub static SENT_BACK: Rule = Rule {
    id: RuleId::SentBack,
    summary: "the receiving team sent the packet back, and its status has not moved forward since",
    explanation: "`handoff send-back` records why the receiving team turned a handoff down and \
moves the status back. Until the status is back where it was sent back from, every check says so, \
with the reason: a warning, and an error once the packet has reached the gate it was sent back at \
(a packet sent back from handed-off fails from day 0 on, whatever else it passes).\n\nFix what the \
reason names, then move `status:` forward again; the sign-offs went stale with the send-back, so \
each role signs again (`handoff sign`).",
};

/// The rules of this file.
pub static RULES: [&Rule; 1] = [&SENT_BACK];

/// Report the latest send-back while the packet has not regained its status.
pub fn check(ctx: &mut Ctx) {
    let packet = ctx.packet;
    let Some(items) = packet
        .front
        .as_ref()
        .and_then(|f| f.get("sent_back"))
        .and_then(|n| n.items())
    else {
        return;
    };
    // `sendback::read` keeps the entries that are mappings, in order: the last of each.
    let (Some(node), Some(last)) = (
        items.iter().rfind(|n| n.entries().is_some()),
        crate::facts::sendback::read(packet).pop(),
    ) else {
        return;
    };
    let Some(from) = Status::parse(last.from.trim()) else {
        return;
    };
    let now = packet.status().unwrap_or(Status::Draft);
    if now >= from {
        return;
    }
    let severity = if ctx.gate >= Gate::of_status(from) {
        Severity::Error
    } else {
        Severity::Warning
    };
    let by = if last.by.trim().is_empty() {
        String::new()
    } else {
        format!(" by {}", last.by.trim())
    };
    ctx.report(
        &SENT_BACK,
        severity,
        node.pos,
        1,
        format!(
            "sent back on {}{by} from {from}: {}",
            last.at.trim(),
            crate::support::words::neutral(last.reason.trim())
        ),
        format!(
            "fix what the reason names, then move `status:` forward again (to {from}) and have each role sign again (`handoff sign {} --role …`)",
            packet.id
        ),
    );
}
