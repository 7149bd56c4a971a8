//! Timeline rules: the status keeps up with the calendar, and milestones past their date show their
//! evidence. The facts come from [`crate::facts::timeline`].

use super::{Ctx, Rule};
use crate::facts::gate::{Gate, Status};
use crate::facts::kind::KindSpec;
use crate::facts::timeline::{State, place};
use crate::judgement::diagnostic::RuleId;
use crate::judgement::diagnostic::Severity;

/// The status has not kept up with the calendar.
pub static STATUS_LAGS: Rule = Rule {
    id: RuleId::StatusLags,
    summary: "the status keeps up with the calendar (ready by day −2, handed-off by day 0, signed-off by +14)",
    explanation: "The gate already follows the calendar, so a lagging status does not lower the bar; \
but people read the status, and a packet still `draft` two days before its live handoff tells them \
the wrong story. Update `status:` when the stage changes.",
};

/// A milestone's date passed without its evidence.
pub static MILESTONE_OVERDUE: Rule = Rule {
    id: RuleId::MilestoneOverdue,
    summary: "milestones whose date has passed show their evidence in the packet",
    explanation: "Each kind's timeline says what should have happened by which day, and what in the \
packet shows it (a walkthrough link, a checked criterion, a status, the sign-offs). A milestone past \
its date without that evidence is overdue: do it, or record that it happened.",
};

/// Rules of this area.
pub static RULES: [&Rule; 2] = [&STATUS_LAGS, &MILESTONE_OVERDUE];

/// Warn when the status lags the calendar, and about overdue milestones.
pub fn check(ctx: &mut Ctx, spec: &KindSpec) {
    let packet = ctx.packet;
    let (Some(day0), Some(status)) = (packet.day0(), packet.status()) else {
        return;
    };
    let Some(front) = packet.front.as_ref() else {
        return;
    };
    let status_node = front.get("status").map_or(front.pos, |n| n.pos);
    let day = (ctx.today - day0).num_days();
    let g = spec.gates;
    let lag = if day >= g.signed_off && Gate::of_status(status) < Gate::SignedOff {
        Some(("signed-off", g.signed_off))
    } else if day >= g.handed_off && status < Status::HandedOff {
        Some(("handed-off", g.handed_off))
    } else if day >= g.ready && status < Status::Ready {
        Some(("ready", g.ready))
    } else {
        None
    };
    if let Some((want, on)) = lag {
        ctx.report(
            &STATUS_LAGS,
            Severity::Warning,
            status_node,
            status.name().len(),
            format!(
                "status is still `{status}` on {} ({}); by {} it is due to be `{want}`",
                ctx.today,
                crate::support::words::day(day),
                crate::support::words::day(on)
            ),
            format!("once the packet is {want}, write `status: {want}` (the gate already applies the {want} requirements)"),
        );
    }
    if matches!(status, Status::Retired) {
        return;
    }
    let day0_pos = front.get("day0").map_or(front.pos, |n| n.pos);
    for m in place(packet, spec, &ctx.config.settings, ctx.today) {
        if m.state == State::Overdue {
            ctx.report(
                &MILESTONE_OVERDUE,
                Severity::Warning,
                day0_pos,
                10,
                format!(
                    "milestone overdue since {} {} ({}): {}",
                    m.weekday,
                    m.date,
                    crate::support::words::day(m.day),
                    m.title
                ),
                format!(
                    "see `handoff timeline {}` for what shows this milestone done",
                    packet.id
                ),
            );
        }
    }
}
